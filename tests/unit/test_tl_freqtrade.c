/* Unit tests for lib/tl_freqtrade: freqtrade trades, summaries and
 * hyperopt epochs as our records. */
#include <math.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "tl_freqtrade.h"
#include "tl_jv.h"
#include "tl_util.h"

static struct tl_jdoc doc;
static struct tl_buf dec, out;

static void
setup(void)
{
	tl_jdoc_init(&doc);
	tl_buf_init(&dec);
	tl_buf_init(&out);
}

static void
teardown(void)
{
	tl_jdoc_release(&doc);
	tl_buf_release(&dec);
	tl_buf_release(&out);
}

TestSuite(tl_freqtrade, .init = setup, .fini = teardown);

static const struct tl_jv *
parse(const char *text)
{
	struct tl_err err;

	cr_assert_eq(tl_jdoc_parse(&doc, text, strlen(text), "t", 1, &err), 0,
	    "%s", err.msg);
	return &doc.v[0];
}

static json_t *
load(const struct tl_buf *b)
{
	json_error_t je;
	json_t *v = json_loadb(b->data, b->len, JSON_REJECT_DUPLICATES, &je);

	cr_assert_not_null(v, "'%s': %s", b->data, je.text);
	return v;
}

static double
getnum(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert(json_is_number(v), "'%s' not a number", key);
	return json_number_value(v);
}

static const char *
getstr(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert(json_is_string(v), "'%s' not a string", key);
	return json_string_value(v);
}

Test(tl_freqtrade, short_trade_with_fees_and_tag)
{
	const struct tl_jv *t = parse("{\"pair\":\"ETH/USDT:USDT\","
	    "\"stake_amount\":200.5,\"amount\":0.35,\"open_date\":"
	    "\"2024-03-04 09:15:00+00:00\",\"close_date\":\"2024-03-04 "
	    "17:40:00+00:00\",\"open_rate\":3412.75,\"close_rate\":3377.2,"
	    "\"fee_open\":0.0005,\"fee_close\":0.0007,\"profit_abs\":11.6137,"
	    "\"profit_ratio\":0.0579,\"exit_reason\":\"roi\",\"enter_tag\":"
	    "\"rsi_dip\",\"is_short\":true,\"leverage\":3.0,\"orders\":[{}]}");
	struct tl_err err;
	json_t *d, *o;
	double fees;

	cr_assert_eq(tl_ft_trade(&doc, t, "Swing", 5, &dec, &out, &err), 1,
	    "%s", err.msg);
	d = load(&dec);
	o = load(&out);
	cr_assert_str_eq(getstr(d, "id"),
	    "Swing@ETH/USDT:USDT@2024-03-04T09:15:00Z");
	cr_assert_str_eq(getstr(o, "decision_id"), getstr(d, "id"));
	cr_assert_str_eq(getstr(d, "action"), "sell");
	cr_assert_str_eq(getstr(d, "ts"), "2024-03-04T09:15:00Z");
	cr_assert_eq(getnum(json_object_get(d, "signals"), "rsi_dip"), 1);
	cr_assert_str_eq(getstr(o, "side"), "short");
	cr_assert_str_eq(getstr(o, "symbol"), "ETH/USDT:USDT");
	cr_assert_str_eq(getstr(o, "exit_ts"), "2024-03-04T17:40:00Z");
	cr_assert_str_eq(getstr(o, "exit_reason"), "roi");
	cr_assert_str_eq(getstr(o, "enter_tag"), "rsi_dip");
	/* fees as freqtrade charges them, and net = profit_abs */
	fees = 0.0005 * 0.35 * 3412.75 + 0.0007 * 0.35 * 3377.2;
	cr_assert_float_eq(getnum(o, "fees"), fees, 1e-12);
	cr_assert_float_eq(getnum(o, "pnl") - getnum(o, "fees"), 11.6137,
	    1e-12);
	cr_assert_eq(getnum(o, "qty"), 0.35);
	cr_assert_eq(getnum(o, "leverage"), 3);
	cr_assert_null(json_object_get(o, "orders"));
	json_decref(d);
	json_decref(o);
}

Test(tl_freqtrade, old_names_and_epoch_ms)
{
	const struct tl_jv *t = parse("{\"pair\":\"TRX/BTC\",\"amount\":10.5,"
	    "\"open_timestamp\":1515568500000.0,\"close_timestamp\":"
	    "1515568800000.0,\"open_rate\":9.64e-05,\"close_rate\":"
	    "0.000100748,\"profit_abs\":-2.385e-06,\"sell_reason\":"
	    "\"stop_loss\",\"buy_tag\":\"b1\",\"is_short\":false}");
	struct tl_err err;
	json_t *d, *o;

	cr_assert_eq(tl_ft_trade(&doc, t, "V2", 2, &dec, &out, &err), 1,
	    "%s", err.msg);
	d = load(&dec);
	o = load(&out);
	cr_assert_str_eq(getstr(o, "entry_ts"), "2018-01-10T07:15:00Z");
	cr_assert_str_eq(getstr(o, "exit_ts"), "2018-01-10T07:20:00Z");
	cr_assert_str_eq(getstr(o, "exit_reason"), "stop_loss");
	cr_assert_str_eq(getstr(o, "side"), "long");
	cr_assert_str_eq(getstr(d, "action"), "buy");
	cr_assert_str_eq(getstr(d, "enter_tag"), "b1");
	/* no fee fields: pnl is profit_abs, no fees */
	cr_assert_eq(getnum(o, "pnl"), -2.385e-06);
	cr_assert_null(json_object_get(o, "fees"));
	json_decref(d);
	json_decref(o);
}

Test(tl_freqtrade, negative_zero_and_no_tag)
{
	const struct tl_jv *t = parse("{\"pair\":\"XLM/BTC\",\"amount\":1,"
	    "\"open_date\":\"2018-01-11 03:40:00+00:00\",\"close_date\":"
	    "\"2018-01-11 04:25:00+00:00\",\"open_rate\":1,\"close_rate\":1,"
	    "\"profit_abs\":-0.0,\"enter_tag\":null,\"exit_reason\":null}");
	struct tl_err err;

	cr_assert_eq(tl_ft_trade(&doc, t, "Z", 1, &dec, &out, &err), 1);
	cr_assert(strstr(out.data, "\"pnl\":-0.0") != NULL, "%s", out.data);
	cr_assert(strstr(dec.data, "\"signals\":{}") != NULL, "%s",
	    dec.data);
	cr_assert_null(strstr(dec.data, "enter_tag"), "%s", dec.data);
	cr_assert_null(strstr(out.data, "exit_reason"), "%s", out.data);
}

Test(tl_freqtrade, open_trade_and_strategy_from_trade)
{
	struct tl_err err;
	json_t *o;

	parse("{\"pair\":\"A/B\",\"open_date\":\"2024-01-01 00:00:00\","
	    "\"close_date\":null,\"is_open\":1}");
	cr_assert_eq(tl_ft_trade(&doc, &doc.v[0], "S", 1, &dec, &out, &err),
	    0);
	cr_assert_eq(dec.len + out.len, 0);
	/* no close time and no is_open: open, as a bot's export of one */
	parse("{\"pair\":\"A/B\",\"open_date\":\"2024-01-01 00:00:00\"}");
	cr_assert_eq(tl_ft_trade(&doc, &doc.v[0], "S", 1, &dec, &out, &err),
	    0);
	cr_assert_eq(dec.len + out.len, 0);
	parse("{\"id\":42,\"strategy\":\"Live1\",\"pair\":\"A/B\","
	    "\"open_date\":\"2024-01-01 00:00:00.123456\",\"close_date\":"
	    "\"2024-01-02 00:00:00\",\"open_rate\":2,\"close_rate\":3,"
	    "\"amount\":1,\"profit_abs\":0.99,\"is_open\":0}");
	cr_assert_eq(tl_ft_trade(&doc, &doc.v[0], NULL, 0, &dec, &out, &err),
	    1, "%s", err.msg);
	o = load(&out);
	cr_assert_str_eq(getstr(o, "id"), "Live1@A/B@2024-01-01T00:00:00.123Z");
	cr_assert_eq(getnum(o, "ft_trade_id"), 42);
	json_decref(o);
}

Test(tl_freqtrade, bad_trades)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "[1]", "a trade must be an object, got array" },
		{ "{\"open_date\":\"2024-01-01\"}", "field 'pair': missing" },
		{ "{\"pair\":\"A\",\"close_date\":\"2024-01-01\"}",
		    "field 'open_date': missing" },
		{ "{\"pair\":\"A\",\"open_date\":\"yesterday\"}",
		    "field 'open_date': 'yesterday' is not a time" },
		/* closed, says is_open, but no close time: not an open
		 * trade to count and skip */
		{ "{\"pair\":\"A\",\"open_date\":\"2024-01-01\","
		    "\"is_open\":false}", "field 'close_date': missing (the "
		    "trade is closed: is_open false)" },
		{ "{\"pair\":\"A\",\"open_date\":\"2024-01-01\","
		    "\"close_date\":null,\"close_timestamp\":null,"
		    "\"is_open\":0}", "field 'close_date': missing (the trade "
		    "is closed: is_open false)" },
		{ "{\"pair\":\"A\",\"open_date\":\"2024-01-01\","
		    "\"is_open\":\"no\"}",
		    "field 'is_open': expected boolean, got string" },
		{ "{\"pair\":\"A\",\"open_date\":\"2024-01-01\",\"close_date\":"
		    "\"2024-01-02\",\"open_rate\":1,\"close_rate\":1,"
		    "\"amount\":\"3\",\"profit_abs\":1}",
		    "field 'amount': expected number, got string" },
		{ "{\"pair\":\"A\",\"open_date\":\"2024-01-01\",\"close_date\":"
		    "\"2024-01-02\",\"open_rate\":1,\"close_rate\":1,"
		    "\"amount\":3}", "field 'profit_abs': missing" },
		{ "{\"pair\":\"A\",\"open_date\":\"2024-01-01\",\"close_date\":"
		    "\"2024-01-02\",\"open_rate\":1,\"close_rate\":1,"
		    "\"amount\":3,\"profit_abs\":1,\"sell_reason\":5}",
		    "field 'sell_reason': expected string, got number" },
		{ "{\"pair\":\"A\",\"open_date\":\"2024-01-01\",\"close_date\":"
		    "\"2024-01-02\",\"open_rate\":1,\"close_rate\":1,"
		    "\"amount\":3,\"profit_abs\":1,\"is_short\":\"no\"}",
		    "field 'is_short': expected boolean, got string" }
	};
	struct tl_err err;
	size_t i;

	for (i = 0; i < TL_NELEM(cases); i++) {
		parse(cases[i].text);
		tl_err_clear(&err);
		cr_assert_eq(tl_ft_trade(&doc, &doc.v[0], "S", 1, &dec, &out,
		    &err), -1, "%s", cases[i].text);
		cr_assert_eq(err.code, 65);
		cr_assert_str_eq(err.msg, cases[i].msg);
	}
	/* no strategy anywhere */
	parse("{\"pair\":\"A\"}");
	cr_assert_eq(tl_ft_trade(&doc, &doc.v[0], NULL, 0, &dec, &out, &err),
	    -1);
	cr_assert_str_eq(err.msg, "field 'strategy': missing");
}

Test(tl_freqtrade, summary_as_run)
{
	const struct tl_jv *sum = parse("{\"locks\":[],\"total_trades\":3,"
	    "\"profit_total\":0.0421,\"profit_total_abs\":42.1,\"sharpe\":"
	    "1.37,\"backtest_start\":\"2024-01-01 00:00:00\","
	    "\"backtest_start_ts\":1704067200000,\"backtest_end\":"
	    "\"2024-02-01 00:00:00\",\"backtest_run_start_ts\":1706800000,"
	    "\"starting_balance\":1000,\"stake_currency\":\"USDT\","
	    "\"timeframe\":\"5m\",\"stoploss\":-0.1,\"minimal_roi\":{\"0\":"
	    "0.05,\"30\":0.02},\"trailing_stop\":false,"
	    "\"trailing_stop_positive\":null,\"daily_profit\":[[\"x\",1]]}");
	struct tl_err err;
	double capital;
	json_t *r, *g, *m;

	cr_assert_eq(tl_ft_summary(&doc, sum, "S1", 2, &out, &capital, &err),
	    0, "%s", err.msg);
	cr_assert_eq(capital, 1000);
	r = load(&out);
	cr_assert_str_eq(getstr(r, "id"), "S1@2024-02-01T15:06:40Z");
	cr_assert_str_eq(getstr(r, "kind"), "backtest");
	cr_assert_str_eq(getstr(r, "period"), "2024-01-01/2024-02-01");
	cr_assert_str_eq(getstr(r, "start"), "2024-01-01T00:00:00Z");
	g = json_object_get(r, "genome");
	cr_assert_str_eq(getstr(g, "timeframe"), "5m");
	cr_assert_eq(getnum(g, "stoploss"), -0.1);
	cr_assert(json_is_false(json_object_get(g, "trailing_stop")));
	cr_assert_null(json_object_get(g, "trailing_stop_positive"));
	cr_assert_eq(getnum(json_object_get(g, "minimal_roi"), "30"), 0.02);
	m = json_object_get(r, "metrics");
	cr_assert_eq(getnum(m, "roi"), 0.0421);
	cr_assert_eq(getnum(m, "sharpe"), 1.37);
	cr_assert_eq(getnum(m, "total_trades"), 3);
	cr_assert_eq(getnum(m, "starting_balance"), 1000);
	cr_assert_null(json_object_get(m, "backtest_start_ts"));
	cr_assert_null(json_object_get(m, "stoploss"));
	cr_assert_eq(json_object_size(m), 6, "roi + 5 numbers");
	json_decref(r);

	parse("{\"backtest_start\":\"2024-01-01\"}");
	cr_assert_eq(tl_ft_summary(&doc, &doc.v[0], "S1", 2, &out, &capital,
	    &err), -1);
	cr_assert_str_eq(err.msg, "field 'backtest_end': missing");
}

Test(tl_freqtrade, epoch_as_run)
{
	const struct tl_jv *e = parse("{\"loss\":-2.385,\"params_dict\":"
	    "{\"buy_rsi\":31,\"sell_rsi\":74,\"stoploss\":-0.127,"
	    "\"trailing_stop\":true},\"params_details\":{},"
	    "\"results_metrics\":{\"total_trades\":120,\"profit_total\":"
	    "0.183,\"sharpe\":2.04,\"backtest_start\":\"2023-06-01 "
	    "00:00:00\",\"backtest_end\":\"2023-09-01 00:00:00\"},"
	    "\"total_profit\":183,\"current_epoch\":17,\"is_initial_point\":"
	    "false,\"is_random\":false,\"is_best\":true,"
	    "\"fthypt_fileversion\":2}");
	struct tl_err err;
	json_t *r, *m;

	cr_assert_eq(tl_ft_epoch_version(&doc, e, &err), 0);
	cr_assert_eq(tl_ft_epoch(&doc, e, "strategy_Rsi_2023-10-01_12-00-00",
	    3, &out, &err), 0, "%s", err.msg);
	r = load(&out);
	cr_assert_str_eq(getstr(r, "id"),
	    "strategy_Rsi_2023-10-01_12-00-00#17");
	cr_assert_str_eq(getstr(r, "strategy"), "Rsi");
	cr_assert_str_eq(getstr(r, "kind"), "hyperopt");
	cr_assert_str_eq(getstr(r, "period"), "2023-06-01/2023-09-01");
	cr_assert_eq(getnum(json_object_get(r, "genome"), "buy_rsi"), 31);
	m = json_object_get(r, "metrics");
	cr_assert_eq(getnum(m, "roi"), 0.183);
	cr_assert_eq(getnum(m, "loss"), -2.385);
	cr_assert_eq(getnum(m, "sharpe"), 2.04);
	cr_assert_eq(getnum(r, "epoch"), 17);
	cr_assert(json_is_true(json_object_get(r, "is_best")));
	json_decref(r);
}

Test(tl_freqtrade, epoch_versions_and_faults)
{
	struct tl_err err;

	parse("{\"fthypt_fileversion\":3,\"params_dict\":{}}");
	cr_assert_eq(tl_ft_epoch_version(&doc, &doc.v[0], &err), -1);
	cr_assert_str_eq(err.msg, "unsupported version 3 of freqtrade "
	    "hyperopt results (fthypt_fileversion; tl-ingest reads 1 to 2)");
	parse("{\"fthypt_fileversion\":1}");
	cr_assert_eq(tl_ft_epoch_version(&doc, &doc.v[0], &err), 0);
	parse("{\"params_dict\":{},\"results_metrics\":{\"profit_total\":1,"
	    "\"backtest_start\":\"2023-06-01\",\"backtest_end\":"
	    "\"2023-06-02\"}}");
	cr_assert_eq(tl_ft_epoch(&doc, &doc.v[0], "hyperopt_x", 4, &out,
	    &err), -1);
	cr_assert_str_eq(err.msg, "cannot tell the strategy: no "
	    "results_metrics.strategy_name, and the file name is not "
	    "strategy_NAME_DATE_TIME.fthypt");
	cr_assert_eq(out.len, 0);
	parse("{\"params_dict\":[]}");
	cr_assert_eq(tl_ft_epoch(&doc, &doc.v[0], "s", 4, &out, &err), -1);
	cr_assert_str_eq(err.msg, "field 'results_metrics': missing");
}
