/* Unit tests for lib/tl_mapfile: mapping files and first-in first-out
 * pairing of fills. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "tl_jv.h"
#include "tl_mapfile.h"
#include "tl_util.h"
#include "unit.h"

UT_SCRATCH_DIR();
TestSuite(tl_mapfile, .init = ut_setup, .fini = ut_teardown);

static struct tl_mapfile *
load(const char *text)
{
	struct tl_mapfile *m;
	struct tl_err err;
	char path[1024];

	ut_path(path, sizeof(path), dir, "map.json");
	ut_write_str(path, text);
	m = tl_mapfile_load(path, &err);
	cr_assert_not_null(m, "%s", err.msg);
	cr_assert_eq(tl_mapfile_begin(m, "/x/desk-alpha.csv", &err), 0, "%s",
	    err.msg);
	return m;
}

/* Apply m to the record text; returns what it made, the records in out
 * (each NUL-ended). */
static int
apply(struct tl_mapfile *m, const char *rec, struct tl_buf *out,
    enum tl_kind *kinds, struct tl_err *err)
{
	struct tl_jdoc d;
	int rc;

	tl_jdoc_init(&d);
	cr_assert_eq(tl_jdoc_parse(&d, rec, strlen(rec), "r", 1, err), 0);
	tl_buf_reset(out);
	rc = tl_mapfile_apply(m, &d, &d.v[0], out, kinds, err);
	tl_jdoc_release(&d);
	return rc;
}

static json_t *
nth(const struct tl_buf *out, int n)
{
	const char *p = out->data;

	while (n-- > 0)
		p += strlen(p) + 1;
	return json_loads(p, 0, NULL);
}

Test(tl_mapfile, fields)
{
	struct tl_mapfile *m = load("{\"format\":\"tl-map\",\"version\":1,"
	    "\"kind\":\"outcome\",\"fields\":{\"id\":\"ref\","
	    "\"exit_ts\":{\"from\":\"t\",\"time\":\"%Y%m%d;%H%M%S.%f\","
	    "\"offset\":\"+05:30\"},\"entry_ts\":{\"from\":\"e\",\"time\":"
	    "\"epoch_ms\"},\"fees\":{\"from\":\"c\",\"scale\":-1},\"pnl\":"
	    "{\"from\":\"p\",\"net\":true},\"side\":{\"from\":\"d\","
	    "\"values\":{\"B\":\"long\",\"S\":\"short\"}},\"strategy\":"
	    "{\"file\":\"desk-*.csv\"}},\"constants\":{\"x\":[1,\"y\"]}}");
	struct tl_buf out;
	struct tl_err err;
	enum tl_kind k[2];
	json_t *r;

	tl_buf_init(&out);
	cr_assert_eq(apply(m, "{\"ref\":7,\"t\":\"20260105;093512.25\","
	    "\"e\":1767600000000,\"c\":\"-2.385\",\"p\":100,\"d\":\"s\","
	    "\"other\":1}", &out, k, &err), 1, "%s", err.msg);
	cr_assert_eq(k[0], TL_KIND_OUTCOME);
	r = nth(&out, 0);
	cr_assert_not_null(r, "%s", out.data);
	cr_assert_eq(json_integer_value(json_object_get(r, "id")), 7);
	/* 09:35:12.25 at +05:30 is 04:05:12.250Z */
	cr_assert_str_eq(json_string_value(json_object_get(r, "exit_ts")),
	    "2026-01-05T04:05:12.250Z");
	cr_assert_str_eq(json_string_value(json_object_get(r, "entry_ts")),
	    "2026-01-05T08:00:00Z");
	cr_assert_float_eq(json_number_value(json_object_get(r, "fees")),
	    2.385, 1e-12);
	cr_assert_float_eq(json_number_value(json_object_get(r, "pnl")),
	    102.385, 1e-12);
	cr_assert_str_eq(json_string_value(json_object_get(r, "side")),
	    "short", "values are matched in any case");
	cr_assert_str_eq(json_string_value(json_object_get(r, "strategy")),
	    "alpha");
	cr_assert_eq(json_array_size(json_object_get(r, "x")), 2);
	cr_assert_null(json_object_get(r, "other"), "no extras");
	json_decref(r);
	/* a field it cannot read names the source field */
	cr_assert_eq(apply(m, "{\"t\":\"2026-01-05\"}", &out, k, &err), -1);
	cr_assert_str_eq(err.msg, "field 't' (exit_ts): not a time as "
	    "'%Y%m%d;%H%M%S.%f', got string '2026-01-05'");
	cr_assert_eq(apply(m, "{\"d\":\"X\"}", &out, k, &err), -1);
	cr_assert_str_eq(err.msg, "field 'd' (side): not a word of the map's "
	    "values, got string 'X'");
	cr_assert_eq(apply(m, "{\"c\":true}", &out, k, &err), -1);
	cr_assert_str_eq(err.msg, "field 'c' (fees): expected a number, got "
	    "boolean");
	tl_buf_release(&out);
	tl_mapfile_free(m);
}

Test(tl_mapfile, where_and_extras)
{
	struct tl_mapfile *m = load("{\"format\":\"tl-map\",\"version\":1,"
	    "\"extras\":true,\"where\":{\"s\":[\"C\",2]},\"fields\":{\"id\":"
	    "\"a\"}}");
	struct tl_buf out;
	struct tl_err err;
	enum tl_kind k[2];

	tl_buf_init(&out);
	cr_assert_eq(apply(m, "{\"a\":\"x\",\"s\":\"O\"}", &out, k, &err), 0);
	cr_assert_eq(apply(m, "{\"a\":\"x\"}", &out, k, &err), 0);
	cr_assert_eq(apply(m, "{\"a\":\"x\",\"s\":2,\"z\":[]}", &out, k, &err),
	    1);
	cr_assert_str_eq(out.data, "{\"id\":\"x\",\"s\":2,\"z\":[]}");
	cr_assert_eq(k[0], TL_KIND_NONE);
	cr_assert_eq(tl_mapfile_left_out(m), 2);
	tl_buf_release(&out);
	tl_mapfile_free(m);
}

/* Fills paired first in first out, checked against sums made here: for a
 * symbol that ends flat the gross P&L is the sells' notional less the
 * buys', the fees the fills' fees, whatever the pairing. */
Test(tl_mapfile, fills_fifo)
{
	static const struct {
		const char *side;
		double qty, price, fee;
	} fills[] = {
		{ "buy", 3, 10.25, 0.03 }, { "buy", 2, 11.5, 0.02 },
		{ "sell", 4, 12, 0.04 },	/* closes 3 + 1 */
		{ "sell", 3, 11, 0.03 },	/* closes 1, opens short 2 */
		{ "buy", 0.5, 10, 0.005 },	/* covers 0.5 */
		{ "buy", 1.5, 9.75, 0.015 }	/* covers 1.5: flat */
	};
	struct tl_mapfile *m = load("{\"format\":\"tl-map\",\"version\":1,"
	    "\"fills\":{\"id\":\"i\",\"ts\":{\"from\":\"t\",\"time\":"
	    "\"epoch_s\"},\"symbol\":\"s\",\"side\":\"d\",\"qty\":\"q\","
	    "\"price\":\"p\",\"fee\":\"f\",\"strategy\":{\"const\":\"S\"}}}");
	struct tl_buf out, rec;
	struct tl_err err;
	enum tl_kind k[2];
	double cash = 0, fee = 0, pnl = 0, fees = 0, qty;
	size_t i, trades = 0;
	json_t *o, *d;
	int rc;

	tl_buf_init(&out);
	tl_buf_init(&rec);
	for (i = 0; i < TL_NELEM(fills); i++) {
		tl_buf_reset(&rec);
		tl_buf_printf(&rec, "{\"i\":\"F%zu\",\"t\":%zu,\"s\":\"X\","
		    "\"d\":\"%s\",\"q\":%.17g,\"p\":%.17g,\"f\":%.17g}", i,
		    1767600000 + 60 * i, fills[i].side, fills[i].qty,
		    fills[i].price, fills[i].fee);
		rc = apply(m, rec.data, &out, k, &err);
		cr_assert_neq(rc, -1, "%s", err.msg);
		cash += (fills[i].side[0] == 's' ? 1 : -1) * fills[i].qty *
		    fills[i].price;
		fee += fills[i].fee;
		if (rc == 0)
			continue;
		cr_assert_eq(rc, 2);
		cr_assert_eq(k[0], TL_KIND_OUTCOME);
		cr_assert_eq(k[1], TL_KIND_DECISION);
		o = nth(&out, 0);
		d = nth(&out, 1);
		cr_assert_not_null(o);
		cr_assert_not_null(d);
		trades++;
		pnl += json_number_value(json_object_get(o, "pnl"));
		fees += json_number_value(json_object_get(o, "fees"));
		cr_assert_str_eq(json_string_value(json_object_get(d, "id")),
		    json_string_value(json_object_get(o, "decision_id")));
		if (i == 2) {	/* 3 @ 10.25 and 1 @ 11.5 closed at 12 */
			qty = json_number_value(json_object_get(o, "qty"));
			cr_assert_float_eq(qty, 4, 1e-12);
			cr_assert_float_eq(json_number_value(json_object_get(o,
			    "entry_price")), (3 * 10.25 + 11.5) / 4, 1e-12);
			cr_assert_str_eq(json_string_value(json_object_get(o,
			    "entry_ts")), "2026-01-05T08:00:00Z");
			cr_assert_str_eq(json_string_value(json_object_get(o,
			    "side")), "long");
		}
		if (i == 4)
			cr_assert_str_eq(json_string_value(json_object_get(o,
			    "side")), "short");
		json_decref(o);
		json_decref(d);
	}
	cr_assert_eq(trades, 4);
	cr_assert_float_eq(pnl, cash, 1e-9);
	cr_assert_float_eq(fees, fee, 1e-12);
	cr_assert_eq(tl_mapfile_open_positions(m), 0);
	/* one more buy: an open position */
	cr_assert_eq(apply(m, "{\"i\":\"G\",\"t\":1767700000,\"s\":\"Y\","
	    "\"d\":\"BUY\",\"q\":1,\"p\":5,\"f\":0}", &out, k, &err), 0);
	cr_assert_eq(tl_mapfile_open_positions(m), 1);
	cr_assert_eq(apply(m, "{\"i\":\"H\",\"t\":1767700000,\"s\":\"Y\","
	    "\"d\":\"hold\",\"q\":1,\"p\":5}", &out, k, &err), -1);
	cr_assert_str_eq(err.msg, "field 'd' (side): expected buy or sell, got "
	    "string 'hold'");
	cr_assert_eq(apply(m, "{\"i\":\"H\",\"t\":1767700000,\"s\":\"Y\","
	    "\"d\":\"buy\",\"q\":0,\"p\":5}", &out, k, &err), -1);
	cr_assert_str_eq(err.msg, "field 'q' (qty): a fill's quantity must be "
	    "above 0");
	tl_buf_release(&out);
	tl_buf_release(&rec);
	tl_mapfile_free(m);
}

Test(tl_mapfile, load_errors)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "[]", "expected an object, got array" },
		{ "{\"format\":\"tl-map\",\"version\":2}", "unsupported version "
		    "2 (tl-ingest reads tl-map version 1)" },
		{ "{\"format\":\"tl-map\",\"version\":1}", "no 'fields' (or "
		    "'fills')" },
		{ "{\"format\":\"tl-map\",\"version\":1,\"input\":\"xml\","
		    "\"fields\":{}}", "input: unknown 'xml' (jsonl, csv or "
		    "json)" },
		{ "{\"format\":\"tl-map\",\"version\":1,\"fields\":{\"a\":{"
		    "\"from\":\"b\",\"offset\":\"5h\"}}}", "field 'a': offset "
		    "'5h' is not +HH:MM or -HH:MM" },
		{ "{\"format\":\"tl-map\",\"version\":1,\"fields\":{\"a\":{"
		    "\"from\":\"b\",\"scale\":0}}}", "field 'a': scale: expected "
		    "a nonzero number" },
		{ "{\"format\":\"tl-map\",\"version\":1,\"fields\":{\"a\":{"
		    "\"from\":\"b\",\"values\":{\"x\":1}}}}", "field 'a': values: "
		    "'x' must map to a string" },
		{ "{\"format\":\"tl-map\",\"version\":1,\"fields\":{},\"fills\":"
		    "{}}", "'fills' makes outcomes and decisions: no 'fields' or "
		    "'kind' beside it" },
		{ "{\"format\":\"tl-map\",\"version\":1,\"fills\":{\"size\":"
		    "\"q\"}}", "fills: unknown field 'size' (id, ts, symbol, "
		    "side, qty, price, fee or strategy)" },
		{ "{\"format\":\"tl-map\",\"version\":1,\"where\":[],\"fields\":"
		    "{}}", "'where': expected an object, got array" }
	};
	struct tl_err err;
	char path[1024];
	size_t i;

	ut_path(path, sizeof(path), dir, "bad.json");
	for (i = 0; i < TL_NELEM(cases); i++) {
		ut_write_str(path, cases[i].text);
		tl_err_clear(&err);
		cr_assert_null(tl_mapfile_load(path, &err), "%s",
		    cases[i].text);
		cr_assert_eq(err.code, 65);
		cr_assert_str_eq(err.msg, cases[i].msg);
	}
	cr_assert_null(tl_mapfile_load("/nonexistent/m.json", &err));
	cr_assert_eq(err.code, 66);
}

Test(tl_mapfile, shipped_maps_load)
{
	struct tl_mapfile *m;
	struct tl_err err;

	m = tl_mapfile_load("../../etc/maps/ibkr-flex-trades.json", &err);
	cr_assert_not_null(m, "%s", err.msg);
	cr_assert(tl_mapfile_matches(m, "a/flex-trades-U1.csv"));
	cr_assert(!tl_mapfile_matches(m, "trades.csv"));
	cr_assert_str_eq(tl_mapfile_input(m), "csv");
	tl_mapfile_free(m);
	m = tl_mapfile_load("../../etc/maps/hummingbot-trades.json", &err);
	cr_assert_not_null(m, "%s", err.msg);
	cr_assert_str_eq(tl_mapfile_name(m), "hummingbot-trades");
	tl_mapfile_free(m);
}
