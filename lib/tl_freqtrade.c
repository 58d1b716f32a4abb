/*
 * freqtrade trades, summaries and hyperopt epochs as our JSON texts.
 * Field names are freqtrade's (persistence/trade_model.py to_json, the
 * backtest export's results.to_dict(), optimize_reports
 * generate_strategy_stats, hyperopt _save_result), with the names before
 * the 2022 renames as fallbacks.
 */
#include <stdio.h>
#include <string.h>

#include "tl_freqtrade.h"
#include "tl_num.h"
#include "tl_time.h"

/* The strategy settings a backtest summary repeats from the config: the
 * genome of its run (old names after new ones). */
static const char *const genome_keys[] = {
	"timeframe", "stoploss", "minimal_roi", "trailing_stop",
	"trailing_stop_positive", "trailing_stop_positive_offset",
	"trailing_only_offset_is_reached", "use_custom_stoploss",
	"use_exit_signal", "use_sell_signal", "exit_profit_only",
	"sell_profit_only", "exit_profit_offset", "sell_profit_offset",
	"ignore_roi_if_entry_signal", "ignore_roi_if_buy_signal",
	"max_open_trades_setting", "stake_amount"
};

/* Member key of o, NULL when absent or null. */
static const struct tl_jv *
mem(const struct tl_jdoc *d, const struct tl_jv *o, const char *key)
{
	const struct tl_jv *v = tl_jv_get(d, o, key);

	return v != NULL && v->type != TL_JNULL ? v : NULL;
}

/* Member key, else the member old (its name before freqtrade's 2022
 * renames); *name gets the one found. */
static const struct tl_jv *
mem_or(const struct tl_jdoc *d, const struct tl_jv *o, const char *key,
    const char *old, const char **name)
{
	const struct tl_jv *v;

	*name = key;
	if ((v = mem(d, o, key)) == NULL && old != NULL &&
	    (v = mem(d, o, old)) != NULL)
		*name = old;
	return v;
}

static int
missing(const char *key, struct tl_err *err)
{
	return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "field '%s': missing",
	    key);
}

static int
wrong(const char *key, const char *want, const struct tl_jv *v,
    struct tl_err *err)
{
	return tl_err_set(err, TL_EX_DATAERR, NULL, 0,
	    "field '%s': expected %s, got %s", key, want, tl_jv_typename(v));
}

/* A number member: 1 with *x (and *vp, may be NULL), 0 when absent
 * (an error when required), -1 with err. */
static int
num(const struct tl_jdoc *d, const struct tl_jv *o, const char *key,
    int required, double *x, const struct tl_jv **vp, struct tl_err *err)
{
	const struct tl_jv *v = mem(d, o, key);

	if (vp != NULL)
		*vp = v;
	if (v == NULL)
		return required ? missing(key, err) : 0;
	if (v->type != TL_JNUM)
		return wrong(key, "number", v, err);
	*x = v->num;
	return 1;
}

/* A string member, not empty: 1, 0 when absent, -1 with err. */
static int
str(const struct tl_jdoc *d, const struct tl_jv *o, const char *key,
    const char *old, int required, const struct tl_jv **vp,
    struct tl_err *err)
{
	const char *name;
	const struct tl_jv *v = mem_or(d, o, key, old, &name);

	*vp = v;
	if (v == NULL)
		return required ? missing(key, err) : 0;
	if (v->type != TL_JSTR)
		return wrong(name, "string", v, err);
	if (v->len == 0)
		return required ? tl_err_set(err, TL_EX_DATAERR, NULL, 0,
		    "field '%s': empty", name) : 0;
	return 1;
}

/* A time as text (key) or epoch seconds or milliseconds (key, else
 * mskey): 1 with *ms, 0 when neither is there, -1 with err. */
static int
when(const struct tl_jdoc *d, const struct tl_jv *o, const char *key,
    const char *mskey, int64_t *ms, struct tl_err *err)
{
	const struct tl_jv *v;
	const char *name;
	char buf[TL_NUM_BUFSZ];

	if ((v = mem_or(d, o, key, mskey, &name)) == NULL)
		return 0;
	if (v->type == TL_JSTR) {
		if (tl_time_parse(v->s, v->len, ms) == 0)
			return 1;
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "field '%s': "
		    "'%.*s' is not a time", name, (int)(v->len < 64 ?
		    v->len : 64), v->s);
	}
	if (v->type != TL_JNUM)
		return wrong(name, "time", v, err);
	if (tl_time_from_epoch(v->num, ms) == 0)
		return 1;
	tl_fmt_double(buf, v->num);
	return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "field '%s': %s is not "
	    "a time in epoch seconds or milliseconds", name, buf);
}

/* A boolean member (true, false, or a number: nonzero is true; SQLite
 * has no booleans): 1 with *b, 0 absent, -1 with err. */
static int
flag(const struct tl_jdoc *d, const struct tl_jv *o, const char *key,
    int *b, struct tl_err *err)
{
	const struct tl_jv *v = mem(d, o, key);

	if (v == NULL)
		return 0;
	if (v->type == TL_JTRUE || v->type == TL_JFALSE)
		*b = v->type == TL_JTRUE;
	else if (v->type == TL_JNUM)
		*b = v->num != 0;
	else
		return wrong(key, "boolean", v, err);
	return 1;
}

/* ---- writing ------------------------------------------------------------ */

static void
put(struct tl_buf *b, const char *key)
{
	tl_jv_append_key(b, key, strlen(key));
}

static void
put_num(struct tl_buf *b, const char *key, double x)
{
	char buf[TL_NUM_BUFSZ];
	int n;

	put(b, key);
	n = tl_fmt_double(buf, x);
	tl_buf_add(b, buf, (size_t)(n < 0 ? 4 : n));
}

static void
put_time(struct tl_buf *b, const char *key, int64_t ms)
{
	char buf[TL_TIME_BUFSZ];

	put(b, key);
	tl_jv_append_string(b, buf, (size_t)tl_time_format(buf, ms));
}

/* Member v of d, as it is. */
static void
put_jv(struct tl_buf *b, const char *key, const struct tl_jdoc *d,
    const struct tl_jv *v)
{
	put(b, key);
	tl_jv_append(b, d, v);
}

/* The id of a record: parts joined by '@', "%s" formats only. */
static void
put_id(struct tl_buf *b, const char *key, const char *s, size_t n,
    const char *sep, const char *tail)
{
	struct tl_buf id;

	tl_buf_init(&id);
	tl_buf_add(&id, s, n);
	tl_buf_adds(&id, sep);
	tl_buf_adds(&id, tail);
	tl_jv_append_member(b, key, id.data, id.len);
	tl_buf_release(&id);
}

/* ---- trades --------------------------------------------------------------- */

int
tl_ft_trade(const struct tl_jdoc *d, const struct tl_jv *t, const char *s,
    size_t n, struct tl_buf *dec, struct tl_buf *out, struct tl_err *err)
{
	const struct tl_jv *pair, *st, *tag, *reason, *lev, *stake, *ratio,
	    *id;
	double open_rate, close_rate, amount, profit, fo = 0, fc = 0, fees,
	    gross;
	struct tl_exact amt, fx;
	int64_t open_ms, close_ms;
	int is_short = 0, is_open, has_fo, has_fc, rc;
	char when_[TL_TIME_BUFSZ];
	struct tl_buf key;

	if (t->type != TL_JOBJ)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "a trade must "
		    "be an object, got %s", tl_jv_typename(t));
	if (s == NULL) {
		if (str(d, t, "strategy", NULL, 1, &st, err) == -1)
			return -1;
		s = st->s;
		n = st->len;
	}
	if (str(d, t, "pair", NULL, 1, &pair, err) == -1 ||
	    (rc = when(d, t, "open_date", "open_timestamp", &open_ms,
	    err)) == -1)
		return -1;
	if (rc == 0)
		return missing("open_date", err);
	/* a trade still open has no close time: counted by the caller (a
	 * backtest's trades left open at its end are closed, is_open or
	 * not); one that says it is closed and has none is bad, not open */
	if ((rc = when(d, t, "close_date", "close_timestamp", &close_ms,
	    err)) == -1)
		return -1;
	if (rc == 0) {
		if ((rc = flag(d, t, "is_open", &is_open, err)) == 1 &&
		    !is_open)
			return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "field "
			    "'close_date': missing (the trade is closed: "
			    "is_open false)");
		return rc == -1 ? -1 : 0;
	}
	if (num(d, t, "open_rate", 1, &open_rate, NULL, err) == -1 ||
	    num(d, t, "close_rate", 1, &close_rate, NULL, err) == -1 ||
	    num(d, t, "amount", 1, &amount, NULL, err) == -1 ||
	    num(d, t, "profit_abs", 1, &profit, NULL, err) == -1 ||
	    (has_fo = num(d, t, "fee_open", 0, &fo, NULL, err)) == -1 ||
	    (has_fc = num(d, t, "fee_close", 0, &fc, NULL, err)) == -1 ||
	    flag(d, t, "is_short", &is_short, err) == -1 ||
	    num(d, t, "leverage", 0, &fees, &lev, err) == -1 ||
	    num(d, t, "stake_amount", 0, &fees, &stake, err) == -1 ||
	    num(d, t, "profit_ratio", 0, &fees, &ratio, err) == -1 ||
	    str(d, t, "enter_tag", "buy_tag", 0, &tag, err) == -1 ||
	    str(d, t, "exit_reason", "sell_reason", 0, &reason, err) == -1)
		return -1;
	if ((id = mem(d, t, "id")) != NULL && id->type != TL_JNUM &&
	    id->type != TL_JSTR)
		return wrong("id", "number or string", id, err);
	/* fees and the P&L before them as exact decimals (tl_exact): the
	 * net P&L then comes back as profit_abs itself */
	amt = tl_exact_of(amount);
	fx = tl_exact_add(tl_exact_mul(tl_exact_mul(tl_exact_of(fo), amt),
	    tl_exact_of(open_rate)), tl_exact_mul(tl_exact_mul(
	    tl_exact_of(fc), amt), tl_exact_of(close_rate)));
	fees = tl_exact_value(fx);
	gross = tl_exact_value(tl_exact_add(tl_exact_of(profit), fx));

	/* the id both records share: strategy@pair@open time */
	tl_buf_init(&key);
	tl_buf_add(&key, s, n);
	tl_buf_addc(&key, '@');
	tl_buf_add(&key, pair->s, pair->len);
	tl_buf_addc(&key, '@');
	tl_buf_add(&key, when_, (size_t)tl_time_format(when_, open_ms));

	tl_buf_addc(dec, '{');
	tl_jv_append_member(dec, "id", key.data, key.len);
	put_time(dec, "ts", open_ms);
	tl_jv_append_member(dec, "symbol", pair->s, pair->len);
	tl_jv_append_member(dec, "strategy", s, n);
	tl_jv_append_member(dec, "action", is_short ? "sell" : "buy", is_short ? 4 : 3);
	/* the enter tag is the one signal, none without a tag: every
	 * decision has its signals, so that every trade is learned from */
	put(dec, "signals");
	tl_buf_addc(dec, '{');
	if (tag != NULL) {
		tl_jv_append_key(dec, tag->s, tag->len);
		tl_buf_addc(dec, '1');
	}
	tl_buf_addc(dec, '}');
	if (tag != NULL)
		tl_jv_append_member(dec, "enter_tag", tag->s, tag->len);
	tl_buf_addc(dec, '}');

	tl_buf_addc(out, '{');
	tl_jv_append_member(out, "id", key.data, key.len);
	tl_jv_append_member(out, "decision_id", key.data, key.len);
	tl_jv_append_member(out, "strategy", s, n);
	tl_jv_append_member(out, "symbol", pair->s, pair->len);
	tl_jv_append_member(out, "side", is_short ? "short" : "long", is_short ? 5 : 4);
	put_time(out, "entry_ts", open_ms);
	put_time(out, "exit_ts", close_ms);
	put_num(out, "entry_price", open_rate);
	put_num(out, "exit_price", close_rate);
	put_num(out, "qty", amount);
	if (has_fo || has_fc) {
		put_num(out, "pnl", gross);
		put_num(out, "fees", fees);
	} else
		put_num(out, "pnl", profit);
	if (reason != NULL)
		tl_jv_append_member(out, "exit_reason", reason->s, reason->len);
	if (tag != NULL)
		tl_jv_append_member(out, "enter_tag", tag->s, tag->len);
	put_num(out, "profit_abs", profit);
	if (ratio != NULL)
		put_jv(out, "profit_ratio", d, ratio);
	if (stake != NULL)
		put_jv(out, "stake_amount", d, stake);
	if (lev != NULL)
		put_jv(out, "leverage", d, lev);
	if (id != NULL)
		put_jv(out, "ft_trade_id", d, id);
	tl_buf_addc(out, '}');
	tl_buf_release(&key);
	return 1;
}

/* Take back what a failed conversion wrote after mark: returns -1. */
static int
undo(struct tl_buf *b, size_t mark)
{
	b->len = mark;
	if (b->data != NULL)
		b->data[mark] = '\0';
	return -1;
}

/* ---- runs ------------------------------------------------------------------- */

static int
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static int
is_genome_key(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < TL_NELEM(genome_keys); i++)
		if (strlen(genome_keys[i]) == n &&
		    memcmp(genome_keys[i], s, n) == 0)
			return 1;
	return 0;
}

/* The backtested range of a summary or results_metrics: "period",
 * "start" and "end" put in run.  Returns 0, or -1 with err. */
static int
put_range(struct tl_buf *run, const struct tl_jdoc *d, const struct tl_jv *o,
    struct tl_err *err)
{
	char a[TL_TIME_BUFSZ], b[TL_TIME_BUFSZ], period[2 * TL_TIME_BUFSZ];
	int64_t start, end;
	int rc;

	if ((rc = when(d, o, "backtest_start", "backtest_start_ts", &start,
	    err)) != 1)
		return rc == 0 ? missing("backtest_start", err) : -1;
	if ((rc = when(d, o, "backtest_end", "backtest_end_ts", &end,
	    err)) != 1)
		return rc == 0 ? missing("backtest_end", err) : -1;
	tl_time_format_date(a, start);
	tl_time_format_date(b, end);
	snprintf(period, sizeof(period), "%s/%s", a, b);
	tl_jv_append_member(run, "period", period, strlen(period));
	put_time(run, "start", start);
	put_time(run, "end", end);
	return 0;
}

/* "metrics": roi = profit_total of o, then extra (may be NULL: the
 * epoch's loss), then o's other numbers but those named in genome_keys
 * and times (*_ts). */
static int
put_metrics(struct tl_buf *run, const struct tl_jdoc *d,
    const struct tl_jv *o, const char *extra, const struct tl_jv *xv,
    struct tl_err *err)
{
	const struct tl_jv *m, *roi;
	double x;

	if (num(d, o, "profit_total", 1, &x, &roi, err) == -1)
		return -1;
	put(run, "metrics");
	tl_buf_addc(run, '{');
	put_jv(run, "roi", d, roi);
	if (extra != NULL && xv != NULL)
		put_jv(run, extra, d, xv);
	for (m = tl_jv_child(d, o); m != NULL; m = tl_jv_next(d, o, m))
		if (m->type == TL_JNUM && !ends_with(m->key, m->keylen, "_ts") &&
		    !is_genome_key(m->key, m->keylen) &&
		    !(m->keylen == 3 && memcmp(m->key, "roi", 3) == 0) &&
		    !(extra != NULL && strlen(extra) == m->keylen &&
		    memcmp(extra, m->key, m->keylen) == 0)) {
			tl_jv_append_key(run, m->key, m->keylen);
			tl_jv_append(run, d, m);
		}
	tl_buf_addc(run, '}');
	return 0;
}

int
tl_ft_summary(const struct tl_jdoc *d, const struct tl_jv *sum,
    const char *s, size_t n, struct tl_buf *run, double *capital,
    struct tl_err *err)
{
	const struct tl_jv *v;
	char idbuf[TL_TIME_BUFSZ];
	int64_t ms;
	size_t i, mark = run->len;
	int rc;

	*capital = 0;
	if (sum->type != TL_JOBJ)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "a strategy's "
		    "results must be an object, got %s", tl_jv_typename(sum));
	if (num(d, sum, "starting_balance", 0, capital, NULL, err) == -1)
		return -1;
	/* the run is known by when it ran, else by what it backtested */
	if ((rc = when(d, sum, "backtest_run_start_ts", NULL, &ms, err)) == 0 &&
	    (rc = when(d, sum, "backtest_start", "backtest_start_ts", &ms,
	    err)) == 0)
		missing("backtest_run_start_ts", err);
	if (rc != 1)
		return -1;
	tl_time_format(idbuf, ms);
	tl_buf_addc(run, '{');
	put_id(run, "id", s, n, "@", idbuf);
	tl_jv_append_member(run, "kind", "backtest", 8);
	tl_jv_append_member(run, "strategy", s, n);
	if (put_range(run, d, sum, err) == -1)
		goto fail;
	put(run, "genome");
	tl_buf_addc(run, '{');
	for (i = 0; i < TL_NELEM(genome_keys); i++)
		if ((v = mem(d, sum, genome_keys[i])) != NULL)
			put_jv(run, genome_keys[i], d, v);
	tl_buf_addc(run, '}');
	if (put_metrics(run, d, sum, NULL, NULL, err) == -1)
		goto fail;
	tl_buf_addc(run, '}');
	return 0;
fail:
	return undo(run, mark);
}

int
tl_ft_epoch_version(const struct tl_jdoc *d, const struct tl_jv *e,
    struct tl_err *err)
{
	const struct tl_jv *v;

	if (e->type != TL_JOBJ ||
	    (v = mem(d, e, "fthypt_fileversion")) == NULL)
		return 0;
	if (v->type == TL_JNUM && v->num >= 1 &&
	    v->num <= TL_FT_HYPT_VERSION_MAX)
		return 0;
	return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "unsupported version "
	    "%.*s of freqtrade hyperopt results (fthypt_fileversion; "
	    "tl-ingest reads 1 to %d)", (int)(v->len < 32 ? v->len : 32),
	    v->s != NULL ? v->s : "?", TL_FT_HYPT_VERSION_MAX);
}

/* The strategy of a hyperopt results file named
 * "strategy_NAME_YYYY-MM-DD_HH-MM-SS": *s and *n, or -1. */
static int
stem_strategy(const char *stem, const char **s, size_t *n)
{
	static const char prefix[] = "strategy_";
	size_t len = strlen(stem), tail = sizeof("_2024-01-05_10-00-00") - 1;

	if (len <= sizeof(prefix) - 1 + tail ||
	    strncmp(stem, prefix, sizeof(prefix) - 1) != 0 ||
	    stem[len - tail] != '_' || stem[len - tail + 5] != '-')
		return -1;
	*s = stem + sizeof(prefix) - 1;
	*n = len - tail - (sizeof(prefix) - 1);
	return 0;
}

int
tl_ft_epoch(const struct tl_jdoc *d, const struct tl_jv *e, const char *stem,
    unsigned long line, struct tl_buf *run, struct tl_err *err)
{
	const struct tl_jv *rm, *pd, *loss, *ep, *sn, *best;
	const char *s;
	size_t n, mark = run->len;
	double x;
	char num_[32];

	if (e->type != TL_JOBJ)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "an epoch must "
		    "be an object, got %s", tl_jv_typename(e));
	if ((rm = mem(d, e, "results_metrics")) == NULL)
		return missing("results_metrics", err);
	if (rm->type != TL_JOBJ)
		return wrong("results_metrics", "object", rm, err);
	if ((pd = mem(d, e, "params_dict")) == NULL)
		return missing("params_dict", err);
	if (pd->type != TL_JOBJ)
		return wrong("params_dict", "object", pd, err);
	if (num(d, e, "loss", 0, &x, &loss, err) == -1 ||
	    num(d, e, "current_epoch", 0, &x, &ep, err) == -1 ||
	    str(d, rm, "strategy_name", NULL, 0, &sn, err) == -1)
		return -1;
	if ((best = mem(d, e, "is_best")) != NULL && best->type != TL_JTRUE &&
	    best->type != TL_JFALSE)
		return wrong("is_best", "boolean", best, err);
	if (sn != NULL) {
		s = sn->s;
		n = sn->len;
	} else if (stem_strategy(stem, &s, &n) == -1)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "cannot tell "
		    "the strategy: no results_metrics.strategy_name, and the "
		    "file name is not strategy_NAME_DATE_TIME.fthypt");
	if (ep != NULL)
		snprintf(num_, sizeof(num_), "%.*s", (int)(ep->len < 24 ?
		    ep->len : 24), ep->s);
	else
		snprintf(num_, sizeof(num_), "%lu", line);
	tl_buf_addc(run, '{');
	put_id(run, "id", stem, strlen(stem), "#", num_);
	tl_jv_append_member(run, "kind", "hyperopt", 8);
	tl_jv_append_member(run, "strategy", s, n);
	if (put_range(run, d, rm, err) == -1)
		goto fail;
	put_jv(run, "genome", d, pd);
	if (put_metrics(run, d, rm, "loss", loss, err) == -1)
		goto fail;
	if (ep != NULL)
		put_jv(run, "epoch", d, ep);
	if (best != NULL)
		put_jv(run, "is_best", d, best);
	tl_buf_addc(run, '}');
	return 0;
fail:
	return undo(run, mark);
}
