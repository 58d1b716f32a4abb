/* Unit tests for lib/tl_source: formats told by content, and the
 * freqtrade fixture read exactly. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "tl_source.h"
#include "tl_util.h"
#include "unit.h"

UT_SCRATCH_DIR();
TestSuite(tl_source, .init = ut_setup, .fini = ut_teardown);

static enum tl_src_fmt
sniff(const char *text, int doc, const char *name)
{
	return tl_source_sniff(text, strlen(text), 1, 0, doc, name);
}

Test(tl_source, sniff_text)
{
	static const struct {
		const char *text, *name;
		int doc;
		enum tl_src_fmt want;
	} cases[] = {
		{ "[{\"a\":1}]", "x.jsonl", 0, TL_SRC_JSON },
		{ "  \n [", "x", 0, TL_SRC_JSON },
		{ "\xef\xbb\xbf{\n\"a\":1}", "x", 0, TL_SRC_JSON },
		{ "{\"a\":1}\n{\"a\":2}\n", "x", 0, TL_SRC_JSONL },
		{ "{\"a\":1}\n{\"a\":2}\n", "x", 1, TL_SRC_JSONL },
		{ "{\"a\":1}\n", "x", 0, TL_SRC_JSONL },
		{ "{\"a\":1}\n", "x", 1, TL_SRC_JSON },
		{ "{\"a\":\"{\\\"\\n\"}\n", "x", 0, TL_SRC_JSONL },
		{ "{\"strategy\":{\"S\":{\"trades\":[]}}}", "x", 0,
		    TL_SRC_FT_BACKTEST },
		{ "{ \"strategy\" : {\n \"S\" : {", "x.csv", 0,
		    TL_SRC_FT_BACKTEST },
		{ "{\"strategy\":\"S\",\"ts\":1}\n", "x", 0, TL_SRC_JSONL },
		{ "{\"S\":{\"run_id\":\"a\"}}", "x", 0, TL_SRC_FT_META },
		{ "{\"loss\":1,\"params_dict\":{\"a\":1},\"results_metrics\":"
		    "{\"params_dict\":0}}\n{}", "x", 0, TL_SRC_FT_HYPEROPT },
		{ "{\"loss\":1,\"params_dict\":{\"results_metrics\":1}}\n", "x",
		    0, TL_SRC_JSONL },
		{ "{\"params_dict\":{},\n\"results_metrics\":{}}", "x", 0,
		    TL_SRC_JSON },
		{ "date,strategy,return\n", "r.csv", 0, TL_SRC_CSV },
		/* not an object: CSV whatever the name (tl_fmt_sniff) */
		{ "date,strategy,return\n", "r.txt", 0, TL_SRC_CSV },
		{ "", "r.csv.gz", 0, TL_SRC_CSV },
		{ "PK\3\4....", "b.zip", 0, TL_SRC_ZIP },
		{ "ARROW1..", "m.feather", 0, TL_SRC_ARROW },
		{ "PAR1", "m.parquet", 0, TL_SRC_ARROW },
		{ "\x80\x04\x95", "s.pkl", 0, TL_SRC_PICKLE }
	};
	size_t i;

	for (i = 0; i < TL_NELEM(cases); i++)
		cr_assert_eq(sniff(cases[i].text, cases[i].doc, cases[i].name),
		    cases[i].want, "case %zu: got %s", i,
		    tl_src_names[sniff(cases[i].text, cases[i].doc,
		    cases[i].name)]);
}

Test(tl_source, sniff_binary)
{
	static const char db[] = "SQLite format 3\0\x10\0\2\2";
	static const char wal[] = "\x37\x7f\x06\x82\0\x2d\xe2\x18";
	static const char shm[] = "\x18\xe2\x2d\0\0\0\0\0";
	static const char jnl[] = "\xd9\xd5\x05\xf9\x20\xa1\x63\xd7";

	cr_assert_eq(tl_source_sniff(db, sizeof(db) - 1, 1, 0, 0, "t"),
	    TL_SRC_FT_DB);
	cr_assert_neq(tl_source_sniff(db, sizeof(db) - 1, 1, 1, 0, "t"),
	    TL_SRC_FT_DB, "a gzip'd file is not a database");
	cr_assert_eq(tl_source_sniff(wal, sizeof(wal) - 1, 1, 0, 0, "t-wal"),
	    TL_SRC_SQLITE_AUX);
	cr_assert_eq(tl_source_sniff(shm, sizeof(shm) - 1, 1, 0, 0, "t-shm"),
	    TL_SRC_SQLITE_AUX);
	cr_assert_eq(tl_source_sniff(jnl, sizeof(jnl) - 1, 1, 0, 0, "t-jnl"),
	    TL_SRC_SQLITE_AUX);
}

Test(tl_source, sniff_long_first_line)
{
	struct tl_buf b;
	size_t i;

	/* one object longer than what is looked at: JSON Lines, unless a
	 * document is wanted */
	tl_buf_init(&b);
	tl_buf_adds(&b, "{\"x\":[");
	for (i = 0; i < 1000; i++)
		tl_buf_adds(&b, "1,");
	cr_assert_eq(tl_source_sniff(b.data, b.len, 0, 0, 0, "x"),
	    TL_SRC_JSONL);
	cr_assert_eq(tl_source_sniff(b.data, b.len, 0, 0, 1, "x"),
	    TL_SRC_JSON);
	tl_buf_release(&b);
}

/* Every record of the fixture export through tl_source: outcomes as many
 * as the export's closed trades, and per strategy the net P&L (pnl -
 * fees) equal to the sum of profit_abs to 1e-12 relative, both sums made
 * here with jansson. */
Test(tl_source, freqtrade_export_exact)
{
	static const char path[] = "../../testdata/ingest/freqtrade/logs/"
	    "backtest_results/backtest-result-2024-03-10_12-00-00.json";
	struct tl_source_opts o = { .fmt = -1, .max = SIZE_MAX };
	struct tl_source *src;
	struct tl_item it;
	struct tl_err err;
	json_t *doc, *strat, *t, *rec;
	const char *name;
	double want = 0, got = 0, pnl, fees;
	size_t i, closed = 0, outcomes = 0, decisions = 0, runs = 0;
	int rc;

	doc = json_load_file(path, 0, NULL);
	cr_assert_not_null(doc);
	json_object_foreach(json_object_get(doc, "strategy"), name, strat) {
		json_array_foreach(json_object_get(strat, "trades"), i, t) {
			closed++;
			want += json_number_value(json_object_get(t,
			    "profit_abs"));
		}
	}
	src = tl_source_open(path, &o, &err);
	cr_assert_not_null(src, "%s", err.msg);
	cr_assert_eq(tl_source_fmt(src), TL_SRC_FT_BACKTEST);
	while ((rc = tl_source_next(src, &it, &err)) == 1) {
		rec = json_loadb(it.text, it.len, 0, NULL);
		cr_assert_not_null(rec, "%.*s", (int)it.len, it.text);
		if (it.kind == TL_KIND_OUTCOME) {
			outcomes++;
			cr_assert(it.group, "an outcome comes first");
			pnl = json_number_value(json_object_get(rec, "pnl"));
			fees = json_number_value(json_object_get(rec, "fees"));
			got += pnl - fees;
		} else if (it.kind == TL_KIND_DECISION)
			decisions++;
		else if (it.kind == TL_KIND_RUN) {
			runs++;
			cr_assert_eq(it.capital, 1000);
		}
		json_decref(rec);
	}
	cr_assert_eq(rc, 0, "%s", err.msg);
	cr_assert_eq(outcomes, closed);
	cr_assert_eq(decisions, closed);
	cr_assert_eq(runs, 2);
	cr_assert_eq(tl_source_records(src), closed + 2);
	cr_assert_float_eq(got, want, 1e-12 * fabs(want));
	tl_source_free(src);
	json_decref(doc);
}
