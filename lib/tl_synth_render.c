/*
 * The text of a synthetic log's records (tl_synth_render.h).  Lines are
 * written byte by byte in field order, keys in the order of tl(7), so
 * that the bytes depend on nothing but the record and its view.
 */
#include <stdio.h>
#include <string.h>

#include "tl_num.h"
#include "tl_synth_draw.h"
#include "tl_synth_render.h"
#include "tl_util.h"

const char *const tl_synth_tf_names[TL_SYNTH_NTF] = { "id", "decision_id",
	"symbol", "strategy", "side", "entry_ts", "exit_ts", "entry_price",
	"exit_price", "qty", "pnl", "fees", "mfe", "mae", "exit_reason" };

/* ---- building a line --------------------------------------------------- */

static void
l_reset(struct tl_synth_line *l)
{
	l->n = 0;
}

static void
l_addc(struct tl_synth_line *l, char c)
{
	l->b[l->n++] = c;
}

static void
l_adds(struct tl_synth_line *l, const char *s)
{
	size_t n = strlen(s);

	memcpy(l->b + l->n, s, n);
	l->n += n;
}

/* "key": with the separator before it. */
static void
l_key(struct tl_synth_line *l, int *first, const char *key)
{
	l_addc(l, *first ? '{' : ',');
	*first = 0;
	l_addc(l, '"');
	l_adds(l, key);
	l_adds(l, "\":");
}

static void
l_qstr(struct tl_synth_line *l, const char *s)
{
	l_addc(l, '"');
	l_adds(l, s);
	l_addc(l, '"');
}

/* v / 10^dec by tl_fmt_double(): values are kept as integers in units of
 * their last decimal (cents, 1e-4) and divided only to be written. */
static void
l_fixed(struct tl_synth_line *l, int64_t v, int dec)
{
	static const double p10[] = { 1, 10, 100, 1000, 10000, 100000,
		1000000 };
	char buf[TL_NUM_BUFSZ];

	tl_fmt_double(buf, (double)v / p10[dec]);
	l_adds(l, buf);
}

/* A CSV cell; quoted (RFC 4180) when it holds a comma, quote or newline. */
static void
l_csv(struct tl_synth_line *l, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		l_adds(l, s);
		return;
	}
	l_addc(l, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			l_addc(l, '"');
		l_addc(l, *s);
	}
	l_addc(l, '"');
}

/* A string value: a CSV cell or a JSON string. */
static void
l_str(struct tl_synth_line *l, const char *s, int csv)
{
	if (csv)
		l_csv(l, s);
	else
		l_qstr(l, s);
}

static void
l_ts(struct tl_synth_line *l, int64_t ms, int ts, int csv)
{
	char buf[TL_TIME_BUFSZ];

	tl_synth_fmt_ts(buf, ms, ts);
	if (ts == TL_SYNTH_TS_EPOCH_MS || csv)
		l_adds(l, buf);
	else
		l_qstr(l, buf);
}

static void
l_symbol(struct tl_synth_line *l, const char *sym, int low, int csv)
{
	char buf[16];
	size_t i;

	if (low) {
		for (i = 0; sym[i] != '\0' && i + 1 < sizeof(buf); i++)
			buf[i] = (char)(sym[i] >= 'A' && sym[i] <= 'Z' ?
			    sym[i] - 'A' + 'a' : sym[i]);
		buf[i] = '\0';
		sym = buf;
	}
	l_str(l, sym, csv);
}

/* ---- ids, times, views ------------------------------------------------- */

void
tl_synth_fmt_id(char *buf, size_t sz, const char *prefix, uint64_t v,
    int width)
{
	snprintf(buf, sz, "%s%0*llu", prefix, width, (unsigned long long)v);
}

void
tl_synth_fmt_ts(char *buf, int64_t ms, int ts)
{
	int n;

	switch (ts) {
	case TL_SYNTH_TS_EPOCH_MS:
		snprintf(buf, TL_TIME_BUFSZ, "%lld", (long long)ms);
		break;
	case TL_SYNTH_TS_OFFSET:
		n = tl_time_format(buf, ms + TL_SYNTH_OFFSET_MS);
		snprintf(buf + n - 1, TL_TIME_BUFSZ - (size_t)(n - 1),
		    "+05:30");
		break;
	case TL_SYNTH_TS_CANON:
		tl_time_format(buf, ms);
		break;
	}
}

void
tl_synth_fmt_date(char *buf, int64_t z)
{
	tl_time_format_date(buf, z * TL_SYNTH_MS_DAY);
}

void
tl_synth_fmt_month(char *buf, size_t sz, long month)
{
	snprintf(buf, sz, "%04d-%02d", (int)(month / 12),
	    (int)(month % 12 + 1));
}

static void
view_init(struct tl_synth_view *v)
{
	memset(v, 0, sizeof(*v));
	v->omit = -1;
	v->ts = TL_SYNTH_TS_CANON;
}

void
tl_synth_view_decision(struct tl_synth_view *v, const struct tl_synth *s,
    const struct tl_synth_dec *x, int64_t z)
{
	view_init(v);
	tl_synth_fmt_id(v->id, sizeof(v->id), "D", x->number, 8);
	v->strat = tl_synth_name(s, x->strat, z);
}

void
tl_synth_view_trade(struct tl_synth_view *v, const struct tl_synth *s,
    const struct tl_synth_trade *t, int64_t z)
{
	view_init(v);
	tl_synth_fmt_id(v->id, sizeof(v->id), "T", t->number, 8);
	tl_synth_fmt_id(v->did, sizeof(v->did), "D", t->did, 8);
	v->strat = tl_synth_name(s, t->strat, z);
	v->pnl_c = t->pnl_c;
}

/* ---- decisions and trades ---------------------------------------------- */

/* {"name"<on or off>,...}: name k with on when bit k of bits is set. */
static void
l_flags(struct tl_synth_line *l, const char *const *names, int n,
    unsigned bits, const char *on, const char *off)
{
	int k;

	for (k = 0; k < n; k++) {
		l_adds(l, k == 0 ? "{\"" : ",\"");
		l_adds(l, names[k]);
		l_adds(l, (bits >> k) & 1 ? on : off);
	}
	l_addc(l, '}');
}

void
tl_synth_render_decision(struct tl_synth_line *l,
    const struct tl_synth_dec *x, const struct tl_synth_view *v)
{
	static const char *const actions[3] = { "buy", "sell", "hold" };
	int first = 1, k, a = x->kind == TL_SYNTH_HOLD ? 2 : x->side;

	l_reset(l);
	if (v->omit != TL_SYNTH_DF_ID) {
		l_key(l, &first, "id");
		l_qstr(l, v->id);
	}
	if (v->omit != TL_SYNTH_DF_TS) {
		l_key(l, &first, "ts");
		l_ts(l, x->ms, v->ts, 0);
	}
	if (v->omit != TL_SYNTH_DF_SYMBOL) {
		l_key(l, &first, "symbol");
		l_symbol(l, tl_synth_sym_names[x->sym], v->lower, 0);
	}
	if (v->omit != TL_SYNTH_DF_STRATEGY) {
		l_key(l, &first, "strategy");
		l_qstr(l, v->strat);
	}
	if (v->omit != TL_SYNTH_DF_ACTION) {
		l_key(l, &first, "action");
		l_qstr(l, v->verb != NULL ? v->verb : actions[a]);
	}
	l_key(l, &first, "confidence");
	l_fixed(l, x->conf, 4);
	l_adds(l, ",\"components\":");
	for (k = 0; k < TL_SYNTH_NCOMP; k++) {
		l_adds(l, k == 0 ? "{\"" : ",\"");
		l_adds(l, tl_synth_comp_names[k]);
		l_adds(l, "\":");
		l_fixed(l, x->comp[k], 2);
	}
	l_adds(l, "},\"signals\":");
	l_flags(l, tl_synth_signal_names, TL_SYNTH_NSIGNAL, x->signals,
	    "\":1", "\":0");
	l_adds(l, ",\"votes\":");
	l_flags(l, tl_synth_vote_names, TL_SYNTH_NVOTE, x->votes,
	    "\":\"approve\"", "\":\"reject\"");
	l_adds(l, ",\"regime\":");
	l_qstr(l, tl_synth_regime_names[x->regime]);
	l_adds(l, "}\n");
}

/* pnl as a string: "-12.5" in JSON, "-12.5 USD" in CSV. */
static void
l_pnl_str(struct tl_synth_line *l, int64_t pnl_c, int csv)
{
	struct tl_synth_line tmp;

	l_reset(&tmp);
	l_fixed(&tmp, pnl_c, 2);
	if (csv)
		l_adds(&tmp, " USD");
	tmp.b[tmp.n] = '\0';
	l_str(l, tmp.b, csv);
}

/* Field f of trade t in view v. */
static void
l_trade_field(struct tl_synth_line *l, const struct tl_synth_trade *t,
    const struct tl_synth_view *v, int f, int csv)
{
	static const char *const sides[2] = { "long", "short" };

	switch (f) {
	case TL_SYNTH_TF_ID:
		l_str(l, v->id, csv);
		break;
	case TL_SYNTH_TF_DID:
		l_str(l, v->did, csv);
		break;
	case TL_SYNTH_TF_SYMBOL:
		l_symbol(l, tl_synth_sym_names[t->sym], v->lower, csv);
		break;
	case TL_SYNTH_TF_STRATEGY:
		l_str(l, v->strat, csv);
		break;
	case TL_SYNTH_TF_SIDE:
		l_str(l, v->verb != NULL ? v->verb : sides[t->side], csv);
		break;
	case TL_SYNTH_TF_ENTRY_TS:
		l_ts(l, t->entry_ms, v->ts, csv);
		break;
	case TL_SYNTH_TF_EXIT_TS:
		l_ts(l, t->exit_ms, v->ts, csv);
		break;
	case TL_SYNTH_TF_ENTRY_PRICE:
		l_fixed(l, t->entry_c, 2);
		break;
	case TL_SYNTH_TF_EXIT_PRICE:
		l_fixed(l, t->exit_c, 2);
		break;
	case TL_SYNTH_TF_QTY:
		l_fixed(l, t->qty, 0);
		break;
	case TL_SYNTH_TF_PNL:
		if (v->pnl_str)
			l_pnl_str(l, v->pnl_c, csv);
		else
			l_fixed(l, v->pnl_c, 2);
		break;
	case TL_SYNTH_TF_FEES:
		l_fixed(l, t->fees_c, 2);
		break;
	case TL_SYNTH_TF_MFE:
		l_fixed(l, t->mfe_c, 2);
		break;
	case TL_SYNTH_TF_MAE:
		l_fixed(l, t->mae_c, 2);
		break;
	case TL_SYNTH_TF_REASON:
		l_str(l, tl_synth_reason_names[t->reason], csv);
		break;
	}
}

void
tl_synth_render_trade(struct tl_synth_line *l,
    const struct tl_synth_trade *t, const struct tl_synth_view *v, int csv)
{
	int f, first = 1;

	l_reset(l);
	for (f = 0; f < TL_SYNTH_NTF; f++) {
		if (csv && f > 0)
			l_addc(l, ',');
		if (f == v->omit)
			continue;
		if (!csv)
			l_key(l, &first, tl_synth_tf_names[f]);
		l_trade_field(l, t, v, f, csv);
	}
	if (!csv)
		l_addc(l, '}');
	l_addc(l, '\n');
}

/* The names joined by commas and a newline: a CSV header. */
static void
l_header(struct tl_synth_line *l, const char *const *names, size_t n)
{
	size_t i;

	l_reset(l);
	for (i = 0; i < n; i++) {
		if (i > 0)
			l_addc(l, ',');
		l_adds(l, names[i]);
	}
	l_addc(l, '\n');
}

void
tl_synth_render_trade_header(struct tl_synth_line *l)
{
	l_header(l, tl_synth_tf_names, TL_SYNTH_NTF);
}

/* ---- market, runs, promotions, churn ----------------------------------- */

void
tl_synth_render_market_header(struct tl_synth_line *l)
{
	static const char *const cols[] = { "date", "ret", "vol" };

	l_header(l, cols, sizeof(cols) / sizeof(cols[0]));
}

void
tl_synth_render_market(struct tl_synth_line *l, const struct tl_synth *s,
    size_t d)
{
	char date[TL_TIME_BUFSZ];

	l_reset(l);
	tl_synth_fmt_date(date, tl_synth_day(s, d));
	l_adds(l, date);
	l_addc(l, ',');
	l_fixed(l, s->w.ret_u[d], 6);
	l_addc(l, ',');
	l_fixed(l, s->w.vol_u[d], 4);
	l_addc(l, '\n');
}

static void
l_genome(struct tl_synth_line *l, const struct tl_synth_strat *st)
{
	l_adds(l, "{\"lookback\":");
	l_fixed(l, st->lookback, 0);
	l_adds(l, ",\"entry_z\":");
	l_fixed(l, st->entry_z, 2);
	l_adds(l, ",\"exit_z\":");
	l_fixed(l, st->exit_z, 2);
	l_adds(l, ",\"stop_atr\":");
	l_fixed(l, st->stop_atr, 2);
	l_adds(l, ",\"take_profit_atr\":");
	l_fixed(l, st->tp_atr, 2);
	l_adds(l, ",\"use_trailing\":");
	l_adds(l, st->trailing ? "true" : "false");
	l_adds(l, ",\"universe\":");
	l_qstr(l, tl_synth_universe_names[st->universe]);
	l_adds(l, ",\"filter\":");
	l_qstr(l, tl_synth_filter_names[st->filter]);
	l_adds(l, ",\"risk_per_trade\":");
	l_fixed(l, st->risk, 5);
	l_adds(l, ",\"max_positions\":");
	l_fixed(l, st->max_pos, 0);
	l_addc(l, '}');
}

void
tl_synth_render_run(struct tl_synth_line *l, const struct tl_synth *s,
    const struct tl_synth_period *per, const struct tl_synth_run *u)
{
	char id[TL_SYNTH_ID_SZ], month[24], date[TL_TIME_BUFSZ];

	l_reset(l);
	tl_synth_fmt_id(id, sizeof(id), "R", u->number, 7);
	l_adds(l, "{\"id\":");
	l_qstr(l, id);
	l_adds(l, ",\"kind\":");
	l_qstr(l, per->backtest ? "backtest" : "sim");
	l_adds(l, ",\"strategy\":");
	l_qstr(l, tl_synth_name(s, u->strategy, per->first));
	l_adds(l, ",\"period\":");
	tl_synth_fmt_month(month, sizeof(month), per->month);
	l_qstr(l, month);
	l_adds(l, ",\"start\":");
	tl_synth_fmt_date(date, per->first);
	l_qstr(l, date);
	l_adds(l, ",\"end\":");
	tl_synth_fmt_date(date, per->last);
	l_qstr(l, date);
	l_adds(l, ",\"genome\":");
	l_genome(l, &s->st[u->strategy]);
	l_adds(l, ",\"metrics\":{\"roi\":");
	l_fixed(l, u->roi, 4);
	l_adds(l, ",\"sharpe\":");
	l_fixed(l, u->sharpe, 2);
	l_adds(l, ",\"max_dd\":");
	l_fixed(l, u->max_dd, 4);
	l_adds(l, ",\"win_rate\":");
	l_fixed(l, u->win_rate, 3);
	l_adds(l, ",\"trades\":");
	l_fixed(l, (int64_t)u->trades, 0);
	l_adds(l, "}}\n");
}

/* {"strategy":name,"ts":"..." of strategy i at time ms, unclosed. */
static void
l_strategy_ts(struct tl_synth_line *l, const char *name, int64_t ms)
{
	char ts[TL_TIME_BUFSZ];

	tl_synth_fmt_ts(ts, ms, TL_SYNTH_TS_CANON);
	l_reset(l);
	l_adds(l, "{\"strategy\":");
	l_qstr(l, name);
	l_adds(l, ",\"ts\":");
	l_qstr(l, ts);
}

void
tl_synth_render_promotion(struct tl_synth_line *l, const struct tl_synth *s,
    const struct tl_synth_strat *st)
{
	char id[TL_SYNTH_ID_SZ];
	size_t i = (size_t)(st - s->st);
	int64_t z = tl_synth_day(s, (size_t)st->promo_day);

	l_strategy_ts(l, tl_synth_name(s, i, z), z * TL_SYNTH_MS_DAY +
	    TL_SYNTH_PROMO_MS);
	if (st->is_period >= 0) {
		tl_synth_fmt_id(id, sizeof(id), "R", tl_synth_run_number(s,
		    (size_t)st->is_period, i), 7);
		l_adds(l, ",\"run_id\":");
		l_qstr(l, id);
		l_adds(l, ",\"in_sample\":{\"sharpe\":");
		l_fixed(l, st->is_sharpe, 2);
		l_adds(l, ",\"roi\":");
		l_fixed(l, st->is_roi, 4);
		l_addc(l, '}');
	}
	l_adds(l, "}\n");
}

void
tl_synth_render_retirement(struct tl_synth_line *l, const struct tl_synth *s,
    size_t i)
{
	const struct tl_churn_role *ro = tl_churn_role(s->churn, i);

	l_strategy_ts(l, s->st[i].id, tl_synth_day(s, ro->day) *
	    TL_SYNTH_MS_DAY + TL_SYNTH_CLOSE_MS);
	l_adds(l, ",\"reason\":");
	l_qstr(l, TL_SYNTH_RETIRE_REASON);
	l_adds(l, "}\n");
}

void
tl_synth_render_alias_header(struct tl_synth_line *l)
{
	static const char *const cols[] = { "old", "new" };

	l_header(l, cols, sizeof(cols) / sizeof(cols[0]));
}

void
tl_synth_render_alias(struct tl_synth_line *l, const struct tl_synth *s,
    size_t i)
{
	l_reset(l);
	l_adds(l, s->st[i].id);
	l_addc(l, ',');
	l_adds(l, s->st[i].alias);
	l_addc(l, '\n');
}

/* ---- signals -------------------------------------------------------------- */

/* "key":"<prefix><number>" of a signal's record. */
static void
l_sig_id(struct tl_synth_line *l, int *first, const char *key,
    const char *prefix, const struct tl_synth_sig *x)
{
	char id[TL_SYNTH_ID_SZ];

	tl_synth_fmt_id(id, sizeof(id), prefix, x->number, 8);
	l_key(l, first, key);
	l_qstr(l, id);
}

/* ,"symbol":...,"strategy":... */
static void
l_sig_names(struct tl_synth_line *l, int *first, const struct tl_synth *s,
    const struct tl_synth_sig *x, int64_t z)
{
	l_key(l, first, "symbol");
	l_qstr(l, tl_synth_sym_names[x->sym]);
	l_key(l, first, "strategy");
	l_qstr(l, tl_synth_name(s, x->strat, z));
}

/* A new line of a signal or its decision: id (prefix), ts, symbol and
 * strategy. */
static void
l_sig_head(struct tl_synth_line *l, int *first, const char *prefix,
    const struct tl_synth *s, const struct tl_synth_sig *x, int64_t z)
{
	l_reset(l);
	l_sig_id(l, first, "id", prefix, x);
	l_key(l, first, "ts");
	l_ts(l, x->ms, TL_SYNTH_TS_CANON, 0);
	l_sig_names(l, first, s, x, z);
}

void
tl_synth_render_signal(struct tl_synth_line *l, const struct tl_synth *s,
    const struct tl_synth_sig *x, int64_t z)
{
	int first = 1;

	l_sig_head(l, &first, "G", s, x, z);
	l_adds(l, ",\"side\":\"long\",\"conviction\":");
	l_fixed(l, x->conv, 4);
	l_adds(l, ",\"signals\":");
	l_flags(l, tl_synth_sig_names, TL_SYNTH_SIG_NNAMED, x->fired, "\":1",
	    "\":0");
	l_adds(l, x->executed ? ",\"executed\":true" :
	    ",\"executed\":false,\"blocked_by\":\"conviction\"");
	if (x->executed)
		l_sig_id(l, &first, "decision_id", "GD", x);
	l_key(l, &first, "regime");
	l_qstr(l, tl_synth_regime_names[x->regime]);
	l_key(l, &first, "expected_edge");
	l_fixed(l, x->edge, 6);
	l_adds(l, "}\n");
}

void
tl_synth_render_sig_outcome(struct tl_synth_line *l,
    const struct tl_synth_sig *x, int k)
{
	int64_t cost = tl_synth_units(TL_SYNTH_SIG_FEE_MODEL, 1e6);
	int first = 1;

	l_reset(l);
	l_sig_id(l, &first, "signal_id", "G", x);
	l_key(l, &first, "horizon");
	l_qstr(l, tl_synth_sig_hname[k]);
	/* a long signal: the move is the EV before the fee model */
	l_key(l, &first, "move");
	l_fixed(l, x->ev[k] + cost, 6);
	l_adds(l, x->ev[k] + cost > 0 ? ",\"hit\":true" : ",\"hit\":false");
	l_key(l, &first, "ev");
	l_fixed(l, x->ev[k], 6);
	l_adds(l, ",\"fee_model\":\"flat-2bp\",\"cost\":");
	l_fixed(l, cost, 6);
	l_adds(l, "}\n");
}

void
tl_synth_render_sig_decision(struct tl_synth_line *l,
    const struct tl_synth *s, const struct tl_synth_sig *x, int64_t z)
{
	int first = 1;

	l_sig_head(l, &first, "GD", s, x, z);
	l_adds(l, ",\"action\":\"buy\",\"confidence\":");
	l_fixed(l, x->conv, 4);
	l_adds(l, ",\"signals\":");
	l_flags(l, tl_synth_sig_names, TL_SYNTH_SIG_NNAMED, x->fired, "\":1",
	    "\":0");
	l_key(l, &first, "regime");
	l_qstr(l, tl_synth_regime_names[x->regime]);
	l_adds(l, "}\n");
}

/* The closed trade's fields of a signal, from symbol to exit_reason. */
static void
l_sig_trade(struct tl_synth_line *l, int *first, const struct tl_synth *s,
    const struct tl_synth_sig *x, int64_t z)
{
	static const char *const money[] = { "pnl", "fees", "slippage", "mfe",
		"mae" };
	const int64_t cents[] = { x->pnl_c, x->fees_c, x->slip_c, x->mfe_c,
		x->mae_c };
	size_t i;

	l_sig_names(l, first, s, x, z);
	l_adds(l, ",\"side\":\"long\"");
	l_key(l, first, "entry_ts");
	l_ts(l, x->ms, TL_SYNTH_TS_CANON, 0);
	l_key(l, first, "exit_ts");
	l_ts(l, x->exit_ms, TL_SYNTH_TS_CANON, 0);
	l_key(l, first, "entry_price");
	l_fixed(l, x->entry_c, 2);
	l_key(l, first, "exit_price");
	l_fixed(l, x->exit_c, 2);
	l_key(l, first, "qty");
	l_fixed(l, x->qty, 0);
	for (i = 0; i < TL_NELEM(money); i++) {
		l_key(l, first, money[i]);
		l_fixed(l, cents[i], 2);
	}
	l_adds(l, ",\"exit_reason\":\"time\"}\n");
}

void
tl_synth_render_sig_trade(struct tl_synth_line *l, const struct tl_synth *s,
    const struct tl_synth_sig *x, int64_t z)
{
	int first = 1;

	l_reset(l);
	l_sig_id(l, &first, "id", "GT", x);
	l_sig_id(l, &first, "decision_id", "GD", x);
	l_sig_trade(l, &first, s, x, z);
}

void
tl_synth_render_counterfactual(struct tl_synth_line *l,
    const struct tl_synth *s, const struct tl_synth_sig *x, int64_t z)
{
	int first = 1;

	l_reset(l);
	l_sig_id(l, &first, "id", "GC", x);
	l_sig_id(l, &first, "signal_id", "G", x);
	l_adds(l, ",\"counterfactual\":true");
	l_sig_trade(l, &first, s, x, z);
}
