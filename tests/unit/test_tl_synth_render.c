/* Unit tests for lib/tl_synth_render: the exact text of decision and
 * trade lines in each view (the spellings dirt uses), CSV quoting, and
 * the market, run, promotion, retirement and alias lines of a plan read
 * back and compared with the plan. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "tl_synth_render.h"
#include "tl_synth_runs.h"
#include "synth.h"

static void
init(void)
{
	tl_init("tl-test");
}

TestSuite(tl_synth_render, .init = init);

/* The line as a string (it holds no NUL). */
static const char *
text(struct tl_synth_line *l)
{
	static char buf[TL_SYNTH_LINE_SZ + 1];

	memcpy(buf, l->b, l->n);
	buf[l->n] = '\0';
	return buf;
}

/* 2026-01-05T14:30:01.234Z */
#define DEC_MS	(20458LL * TL_SYNTH_MS_DAY + TL_SYNTH_OPEN_MS + 1234)

static const struct tl_synth_dec dec = { .number = 7, .ms = DEC_MS,
	.strat = 0, .sym = 2, .kind = TL_SYNTH_TRADE, .side = 1,
	.signals = 0x05, .votes = 0x09, .regime = TL_SYNTH_BEAR,
	.comp = { 51, 62, 38, 50 }, .conf = 5246 };

#define DEC_TAIL ",\"confidence\":0.5246,\"components\":{\"theme\":0.51," \
	"\"technical\":0.62,\"ai\":0.38,\"sentiment\":0.5},\"signals\":{" \
	"\"momentum\":1,\"mean_rev\":0,\"volume_spike\":1,\"news\":0," \
	"\"noise_a\":0,\"noise_b\":0},\"votes\":{\"risk\":\"approve\"," \
	"\"quant\":\"reject\",\"macro\":\"reject\",\"sentiment\":" \
	"\"approve\"},\"regime\":\"bear\"}\n"

Test(tl_synth_render, decision_in_each_view)
{
	struct tl_synth *s = ut_synth(1, 5, 3, 2, 10, NULL);
	struct tl_synth_line l;
	struct tl_synth_view v;

	cr_assert_eq(tl_synth_day(s, 0), 20458, "2026-01-05");
	tl_synth_view_decision(&v, s, &dec, tl_synth_day(s, 0));
	tl_synth_render_decision(&l, &dec, &v);
	cr_assert_str_eq(text(&l), "{\"id\":\"D00000007\",\"ts\":"
	    "\"2026-01-05T14:30:01.234Z\",\"symbol\":\"NVDA\",\"strategy\":"
	    "\"S0001\",\"action\":\"sell\"" DEC_TAIL);
	v.omit = TL_SYNTH_DF_ID;
	v.ts = TL_SYNTH_TS_EPOCH_MS;
	v.lower = 1;
	tl_synth_render_decision(&l, &dec, &v);
	cr_assert_str_eq(text(&l), "{\"ts\":1767623401234,\"symbol\":\"nvda\","
	    "\"strategy\":\"S0001\",\"action\":\"sell\"" DEC_TAIL);
	v.omit = TL_SYNTH_DF_ACTION;
	v.ts = TL_SYNTH_TS_OFFSET;
	v.lower = 0;
	tl_synth_render_decision(&l, &dec, &v);
	cr_assert_str_eq(text(&l), "{\"id\":\"D00000007\",\"ts\":"
	    "\"2026-01-05T20:00:01.234+05:30\",\"symbol\":\"NVDA\","
	    "\"strategy\":\"S0001\"" DEC_TAIL);
	v.omit = -1;
	v.ts = TL_SYNTH_TS_CANON;
	v.verb = "Short";
	tl_synth_render_decision(&l, &dec, &v);
	cr_assert(strstr(text(&l), ",\"action\":\"Short\",") != NULL);
	tl_synth_free(s);
}

static const struct tl_synth_trade trade = { .number = 3, .did = 7,
	.entry_ms = DEC_MS / 1000 * 1000 + 2000,
	.exit_ms = 20459LL * TL_SYNTH_MS_DAY + 57600000, .entry_c = 49512,
	.exit_c = 49400, .pnl_c = 2240, .fees_c = 100, .mfe_c = 2500,
	.mae_c = -300, .qty = 20, .strat = 0, .sym = 2, .side = 1,
	.reason = TL_SYNTH_R_TAKE_PROFIT };

Test(tl_synth_render, trade_as_json_and_csv)
{
	struct tl_synth *s = ut_synth(1, 5, 3, 2, 10, NULL);
	struct tl_synth_line l;
	struct tl_synth_view v;

	tl_synth_view_trade(&v, s, &trade, tl_synth_day(s, 1));
	tl_synth_render_trade(&l, &trade, &v, 0);
	cr_assert_str_eq(text(&l), "{\"id\":\"T00000003\",\"decision_id\":"
	    "\"D00000007\",\"symbol\":\"NVDA\",\"strategy\":\"S0001\","
	    "\"side\":\"short\",\"entry_ts\":\"2026-01-05T14:30:03Z\","
	    "\"exit_ts\":\"2026-01-06T16:00:00Z\",\"entry_price\":495.12,"
	    "\"exit_price\":494,\"qty\":20,\"pnl\":22.4,\"fees\":1,"
	    "\"mfe\":25,\"mae\":-3,\"exit_reason\":\"take_profit\"}\n");
	tl_synth_render_trade(&l, &trade, &v, 1);
	cr_assert_str_eq(text(&l), "T00000003,D00000007,NVDA,S0001,short,"
	    "2026-01-05T14:30:03Z,2026-01-06T16:00:00Z,495.12,494,20,22.4,1,"
	    "25,-3,take_profit\n");
	/* pnl as a string, a field left out, a name CSV must quote */
	v.pnl_str = 1;
	v.omit = TL_SYNTH_TF_SYMBOL;
	v.strat = "a,\"b";
	tl_synth_render_trade(&l, &trade, &v, 1);
	cr_assert_str_eq(text(&l), "T00000003,D00000007,,\"a,\"\"b\",short,"
	    "2026-01-05T14:30:03Z,2026-01-06T16:00:00Z,495.12,494,20,"
	    "22.4 USD,1,25,-3,take_profit\n");
	v.strat = "S0001";
	tl_synth_render_trade(&l, &trade, &v, 0);
	cr_assert(strstr(text(&l), "\"strategy\":\"S0001\",\"side\"") != NULL);
	cr_assert(strstr(text(&l), "\"symbol\"") == NULL);
	cr_assert(strstr(text(&l), ",\"pnl\":\"22.4\",") != NULL);
	tl_synth_render_trade_header(&l);
	cr_assert_str_eq(text(&l), "id,decision_id,symbol,strategy,side,"
	    "entry_ts,exit_ts,entry_price,exit_price,qty,pnl,fees,mfe,mae,"
	    "exit_reason\n");
	tl_synth_free(s);
}

Test(tl_synth_render, market_lines_read_back)
{
	struct tl_synth *s = ut_synth(3, 30, 3, 2, 10, NULL);
	struct tl_synth_line l;
	char date[16], want[TL_TIME_BUFSZ];
	double ret, vol;
	size_t d;

	tl_synth_render_market_header(&l);
	cr_assert_str_eq(text(&l), "date,ret,vol\n");
	for (d = 0; d < s->w.nd; d++) {
		tl_synth_render_market(&l, s, d);
		cr_assert_eq(sscanf(text(&l), "%10[0-9-],%lf,%lf\n", date, &ret,
		    &vol), 3);
		tl_synth_fmt_date(want, tl_synth_day(s, d));
		cr_assert_str_eq(date, want);
		cr_assert_eq(ret, s->w.ret_u[d] / 1e6, "round trip");
		cr_assert_eq(vol, s->w.vol_u[d] / 1e4);
	}
	tl_synth_free(s);
}

static json_t *
parse(struct tl_synth_line *l)
{
	json_error_t je;
	json_t *v;

	cr_assert_eq(l->b[l->n - 1], '\n');
	v = json_loadb(l->b, l->n - 1, 0, &je);
	cr_assert_not_null(v, "%s: %s", text(l), je.text);
	return v;
}

static double
num(const json_t *o, const char *path1, const char *key)
{
	const json_t *v = path1 != NULL ? json_object_get(o, path1) : o;

	v = json_object_get(v, key);
	cr_assert(json_is_number(v), "%s", key);
	return json_number_value(v);
}

static const char *
str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	cr_assert(json_is_string(v), "%s", key);
	return json_string_value(v);
}

Test(tl_synth_render, runs_and_promotions_say_what_was_planted)
{
	struct tl_synth *s = ut_synth(7, 60, 10, 4, 300, NULL);
	struct tl_synth_runs *g = tl_synth_runs_alloc(s);
	const struct tl_synth_strat *st;
	const struct tl_synth_run *u;
	struct tl_synth_period per;
	struct tl_synth_line l;
	char id[24];
	json_t *v;
	size_t i, k;

	while (tl_synth_runs_next(g, &per))
		for (i = 0; i < s->ns; i++) {
			u = &per.run[i];
			st = &s->st[i];
			tl_synth_render_run(&l, s, &per, u);
			v = parse(&l);
			snprintf(id, sizeof(id), "R%07zu", per.p * 10 + i + 1);
			cr_assert_str_eq(str(v, "id"), id);
			cr_assert_str_eq(str(v, "kind"), per.backtest ?
			    "backtest" : "sim");
			cr_assert_str_eq(str(v, "strategy"), st->id);
			cr_assert_eq(num(v, "genome", "lookback"),
			    st->lookback);
			cr_assert_eq(num(v, "genome", "entry_z"),
			    st->entry_z / 100.0);
			cr_assert_eq(num(v, "genome", "risk_per_trade"),
			    st->risk / 1e5);
			cr_assert_str_eq(str(json_object_get(v, "genome"),
			    "universe"), tl_synth_universe_names[st->universe]);
			cr_assert_eq(num(v, "metrics", "roi"), u->roi / 1e4);
			cr_assert_eq(num(v, "metrics", "sharpe"),
			    u->sharpe / 100.0);
			cr_assert_eq(num(v, "metrics", "trades"), u->trades);
			json_decref(v);
		}
	for (k = 0; k < s->npromo; k++) {
		st = s->promos[k];
		tl_synth_render_promotion(&l, s, st);
		v = parse(&l);
		cr_assert_str_eq(str(v, "strategy"), st->id);
		cr_assert_eq(strncmp(str(v, "ts"), "2026-", 5), 0);
		cr_assert(strstr(str(v, "ts"), "T13:00:00Z") != NULL);
		cr_assert_eq(st->is_period >= 0, json_object_get(v,
		    "in_sample") != NULL);
		if (st->is_period >= 0) {
			snprintf(id, sizeof(id), "R%07zu",
			    (size_t)st->is_period * 10 + (size_t)(st - s->st) +
			    1);
			cr_assert_str_eq(str(v, "run_id"), id);
			cr_assert_eq(num(v, "in_sample", "roi"),
			    st->is_roi / 1e4);
		}
		json_decref(v);
	}
	tl_synth_runs_free(g);
	tl_synth_free(s);
}

Test(tl_synth_render, retirements_and_aliases)
{
	struct tl_synth *s = ut_synth(1, 40, 10, 4, 300, "");
	struct tl_synth_line l;
	char want[64], ts[TL_TIME_BUFSZ];
	size_t n, *v;
	json_t *j;

	v = tl_churn_with_role(s->churn, TL_CHURN_RETIRE, &n);
	cr_assert_eq(n, 1);
	tl_synth_render_retirement(&l, s, v[0]);
	j = parse(&l);
	cr_assert_str_eq(str(j, "strategy"), s->st[v[0]].id);
	tl_synth_fmt_ts(ts, tl_synth_day(s, tl_churn_role(s->churn,
	    v[0])->day) * TL_SYNTH_MS_DAY + TL_SYNTH_CLOSE_MS,
	    TL_SYNTH_TS_CANON);
	cr_assert_str_eq(str(j, "ts"), ts);
	cr_assert(strstr(ts, "T21:00:00Z") != NULL);
	cr_assert_str_eq(str(j, "reason"), "manual");
	json_decref(j);
	free(v);
	v = tl_churn_with_role(s->churn, TL_CHURN_RENAME, &n);
	cr_assert_eq(n, 1);
	tl_synth_render_alias(&l, s, v[0]);
	snprintf(want, sizeof(want), "%s,S0011\n", s->st[v[0]].id);
	cr_assert_str_eq(text(&l), want);
	tl_synth_render_alias_header(&l);
	cr_assert_str_eq(text(&l), "old,new\n");
	free(v);
	tl_synth_free(s);
}
