/*
 * tl_panel: long and wide tables give the same sorted matrix whatever
 * the row order; gaps are NaN; every bad value is an error naming the
 * file and line, never a dropped row.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_panel.h"
#include "unit.h"

UT_SCRATCH_DIR();

TestSuite(tl_panel, .init = ut_setup, .fini = ut_teardown);

static const struct tl_panel_opts defaults;

/* Read text written to dir/name; returns tl_panel_read's status. */
static int
read_text(const char *name, const char *text, struct tl_panel *p,
    struct tl_err *err)
{
	char path[512];
	char *paths[1];

	ut_write_str(ut_path(path, sizeof(path), dir, name), text);
	paths[0] = path;
	tl_err_clear(err);
	return tl_panel_read(p, paths, 1, &defaults, err);
}

/* The 2 x 3 panel both shapes below describe, S2 missing on day 2. */
static void
check_small(const struct tl_panel *p)
{
	cr_assert_eq(p->ndates, 2);
	cr_assert_eq(p->nseries, 3);
	cr_assert_str_eq(p->dates[0], "2026-01-05");
	cr_assert_str_eq(p->dates[1], "2026-01-06");
	cr_assert_str_eq(p->names[0], "S1");
	cr_assert_str_eq(p->names[1], "S2");
	cr_assert_str_eq(p->names[2], "S3");
	cr_assert_eq(p->x[0], 0.01);
	cr_assert_eq(p->x[1], -0.02);
	cr_assert_eq(p->x[2], 0.5);
	cr_assert_eq(p->x[3], 0.03);
	cr_assert(isnan(p->x[4]));
	cr_assert_eq(p->x[5], 0);
	cr_assert_eq(tl_panel_count(p, 1), 1);
	cr_assert_eq(tl_panel_series(p, "S3"), 2);
	cr_assert_eq(tl_panel_series(p, "S4"), -1);
	cr_assert_eq(tl_panel_date(p, "2026-01-06"), 1);
}

Test(tl_panel, long_table_any_order)
{
	struct tl_panel p;
	struct tl_err err;

	cr_assert_eq(read_text("r.csv", "date,strategy,return\n"
	    "2026-01-06,S3,0\n2026-01-05,S2,-0.02\n2026-01-06,S1,0.03\n"
	    "2026-01-05,S3,0.5\n2026-01-05,S1,0.01\n", &p, &err), 0,
	    "%s", err.msg);
	check_small(&p);
	tl_panel_free(&p);
}

Test(tl_panel, wide_table_and_jsonl)
{
	struct tl_panel p;
	struct tl_err err;

	cr_assert_eq(read_text("w.csv", "date,S3,S1,S2\n"
	    "2026-01-06,0,0.03,\n2026-01-05,0.5,0.01,-0.02\n", &p, &err), 0,
	    "%s", err.msg);
	check_small(&p);
	tl_panel_free(&p);
	cr_assert_eq(read_text("r.jsonl",
	    "{\"date\":\"2026-01-05\",\"S1\":0.01,\"S2\":-0.02,\"S3\":0.5}\n"
	    "{\"date\":\"2026-01-06\",\"S1\":0.03,\"S2\":null,\"S3\":0}\n",
	    &p, &err), 0, "%s", err.msg);
	check_small(&p);
	tl_panel_free(&p);
}

Test(tl_panel, numeric_series_ids)
{
	struct tl_panel p;
	struct tl_err err;

	cr_assert_eq(read_text("n.csv", "date,strategy,return\n"
	    "2026-01-05,17,1\n", &p, &err), 0, "%s", err.msg);
	cr_assert_str_eq(p.names[0], "17");
	tl_panel_free(&p);
	/* later rows (read from cells) too, and quoted names, extra
	 * columns, a dotted header */
	cr_assert_eq(read_text("n.csv", "date,strategy,return,x.y\n"
	    "2026-01-05,S1,1,a\n2026-01-05,17,2,\n"
	    "2026-01-05,\"A,\"\"B\"\"\",+3e0,\n", &p, &err), 0, "%s",
	    err.msg);
	cr_assert_eq(p.nseries, 3);
	cr_assert_str_eq(p.names[0], "17");
	cr_assert_str_eq(p.names[1], "A,\"B\"");
	cr_assert_str_eq(p.names[2], "S1");
	cr_assert_eq(p.x[0], 2);
	cr_assert_eq(p.x[1], 3);
	cr_assert_eq(p.x[2], 1);
	tl_panel_free(&p);
	cr_assert_eq(read_text("n.csv", "date,strategy,return\n"
	    "2026-01-05,S1,1\n2026-01-05,S2,-0.5\n2026-01-06,S2,0\n", &p,
	    &err), 0, "%s", err.msg);
	cr_assert_eq(p.ndates, 2);
	cr_assert_eq(p.x[1], -0.5);
	cr_assert(isnan(p.x[2]));
	cr_assert_eq(p.x[3], 0);
	tl_panel_free(&p);
}

/* A wide table after its first row is read from cells: a column without
 * any value is no series; "-0" is the integer 0, as in the JSON record;
 * the same matrix as the long table. */
/* The hints of a long CSV (the last date, each series' successor) give
 * the panel the JSONL of the same rows gives: series in a new order on
 * a day, one missing, a date coming back, a numeric id read through its
 * JSON record, names that are prefixes of others. */
Test(tl_panel, long_csv_hints)
{
	static const char *rows[][3] = {
		{ "2026-01-05", "A", "1" }, { "2026-01-05", "AB", "2" },
		{ "2026-01-05", "B", "3" }, { "2026-01-06", "A", "4" },
		{ "2026-01-06", "B", "5" }, { "2026-01-06", "AB", "6" },
		{ "2026-01-07", "7", "7" }, { "2026-01-07", "A", "8" },
		{ "2026-01-07", "C", "9" }, { "2026-01-05", "C", "10" },
		{ "2026-01-08", "B", "11" }, { "2026-01-08", "C", "12" },
		{ "2026-01-08", "A", "13" }, { "2026-01-08", "7", "14" },
		{ "2026-01-08", "AB", "15" }, { "2026-01-06", "C", "16" },
	};
	struct tl_panel p, q;
	struct tl_err err;
	char csv[2048] = "date,strategy,return\n", jsonl[4096] = "", line[128];
	size_t i, n = sizeof(rows) / sizeof(rows[0]);

	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "%s,%s,%s\n", rows[i][0],
		    rows[i][1], rows[i][2]);
		strcat(csv, line);
		snprintf(line, sizeof(line), "{\"date\":\"%s\",\"strategy\":"
		    "\"%s\",\"return\":%s}\n", rows[i][0], rows[i][1],
		    rows[i][2]);
		strcat(jsonl, line);
	}
	cr_assert_eq(read_text("h.csv", csv, &p, &err), 0, "%s", err.msg);
	cr_assert_eq(read_text("h.jsonl", jsonl, &q, &err), 0, "%s", err.msg);
	cr_assert_eq(p.ndates, 4);
	cr_assert_eq(p.nseries, 5);
	cr_assert_eq(q.ndates, p.ndates);
	cr_assert_eq(q.nseries, p.nseries);
	for (i = 0; i < p.nseries; i++)
		cr_assert_str_eq(p.names[i], q.names[i]);
	for (i = 0; i < p.ndates * p.nseries; i++)
		cr_assert(p.x[i] == q.x[i] || (isnan(p.x[i]) &&
		    isnan(q.x[i])), "cell %zu", i);
	cr_assert_eq(p.x[tl_panel_date(&p, "2026-01-06") * p.nseries +
	    (size_t)tl_panel_series(&p, "C")], 16);
	cr_assert_eq(p.x[tl_panel_date(&p, "2026-01-08") * p.nseries +
	    (size_t)tl_panel_series(&p, "AB")], 15);
	tl_panel_free(&p);
	tl_panel_free(&q);
}

Test(tl_panel, wide_cells)
{
	struct tl_panel p, q;
	struct tl_err err;

	cr_assert_eq(read_text("w.csv", "date,S2,E,S1\n"
	    "2026-01-05,2.5,,1e-3\n2026-01-06,,,-0\n", &p, &err), 0, "%s",
	    err.msg);
	cr_assert_eq(p.nseries, 2);
	cr_assert_str_eq(p.names[0], "S1");
	cr_assert_str_eq(p.names[1], "S2");
	cr_assert_eq(p.x[0], 1e-3);
	cr_assert_eq(p.x[1], 2.5);
	cr_assert_eq(p.x[2], 0);
	cr_assert(!signbit(p.x[2]));
	cr_assert(isnan(p.x[3]));
	cr_assert_eq(read_text("l.csv", "date,strategy,return\n"
	    "2026-01-05,S2,2.5\n2026-01-06,S1,-0\n2026-01-05,S1,1e-3\n", &q,
	    &err), 0, "%s", err.msg);
	cr_assert_eq(q.ndates, p.ndates);
	cr_assert_eq(q.nseries, p.nseries);
	cr_assert_eq(memcmp(q.x, p.x, 3 * sizeof(double)), 0);
	cr_assert(isnan(q.x[3]));
	tl_panel_free(&p);
	tl_panel_free(&q);
}

/* Each bad input: status -1, code 65, where and message. */
Test(tl_panel, bad_inputs)
{
	static const struct {
		const char *text, *where, *msg;
	} cases[] = {
		{ "date,strategy,return\n2026-01-05,S1,abc\n", "b.csv:2",
		    "field 'return': expected number, got string" },
		{ "date,strategy,return\n2026-01-05,S1,\n", "b.csv:2",
		    "no value in 'return'" },
		{ "date,strategy,return\n01/05/2026,S1,1\n", "b.csv:2",
		    "'01/05/2026' is not a date (YYYY-MM-DD)" },
		{ "strategy,return\nS1,1\n", "b.csv:2", "no 'date' column" },
		/* a table with a strategy but no return column (trades,
		 * say) is no panel, which an empty cell would not say */
		{ "date,strategy,pnl\n2026-01-05,S1,1\n", "b.csv:2",
		    "no 'return' column: not a panel of date, strategy and "
		    "return rows" },
		{ "date,strategy,return\n2026-01-05,,1\n", "b.csv:2",
		    "field 'strategy': expected a series name, got none" },
		{ "date,strategy,return\n2026-01-05,S1,1\n2026-01-05,S1,2\n",
		    "b.csv:3", "S1 on 2026-01-05: given twice (first on line 2)" },
		{ "date,strategy,return\n", "b.csv", "no values" },
		/* dates by the calendar; an empty date cell is not a
		 * missing column */
		{ "date,strategy,return\n2026-13-45,S1,1\n", "b.csv:2",
		    "'2026-13-45' is not a date (YYYY-MM-DD)" },
		{ "date,strategy,return\n2026-02-30,S1,1\n", "b.csv:2",
		    "'2026-02-30' is not a date (YYYY-MM-DD)" },
		{ "date,strategy,return\n2026-01-05,S1,1\n2025-02-29,S1,1\n",
		    "b.csv:3", "'2025-02-29' is not a date (YYYY-MM-DD)" },
		{ "date,strategy,return\n2026-01-05,S1,1\n2026-04-31,S1,1\n",
		    "b.csv:3", "'2026-04-31' is not a date (YYYY-MM-DD)" },
		{ "date,strategy,return\n0000-01-05,S1,1\n", "b.csv:2",
		    "'0000-01-05' is not a date (YYYY-MM-DD)" },
		{ "date,strategy,return\n2026-01-05,S1,1\n,S1,2\n", "b.csv:3",
		    "empty 'date' (every row needs its date)" },
		{ "date,strategy,return\n,S1,2\n", "b.csv:2",
		    "empty 'date' (every row needs its date)" },
		{ "date,S1\n2026-01-05,1\n2026-02-29,1\n", "b.csv:3",
		    "'2026-02-29' is not a date (YYYY-MM-DD)" },
		{ "date,S1\n2026-01-05,x\n", "b.csv:2",
		    "column 'S1': expected number, got string" },
		/* after a good row, rows are read from their CSV cells:
		 * a row that is not plain gets the same message */
		{ "date,strategy,return\n2026-01-05,S1,1\n2026-01-06,S1,abc\n",
		    "b.csv:3", "field 'return': expected number, got string" },
		{ "date,strategy,return\n2026-01-05,S1,1\n2026-01-06,S1,\n",
		    "b.csv:3", "no value in 'return'" },
		{ "date,strategy,return\n2026-01-05,S1,1\n2026-01-06,S1,1e999\n",
		    "b.csv:3", "field 'return': expected number, got string" },
		{ "date,strategy,return\n2026-01-05,S1,1\n2026-1-06,S1,1\n",
		    "b.csv:3", "'2026-1-06' is not a date (YYYY-MM-DD)" },
		{ "date,strategy,return\n2026-01-05,S1,1\n2026-01-06,,1\n",
		    "b.csv:3",
		    "field 'strategy': expected a series name, got none" },
		{ "date,strategy,return\n2026-01-05,S1,1\n2026-01-06,true,1\n",
		    "b.csv:3",
		    "field 'strategy': expected a series name, got boolean" },
		{ "date,strategy,return\n2026-01-05,S1,1\n2026-01-06,1.5,1\n",
		    "b.csv:3",
		    "field 'strategy': expected a series name, got number" },
		{ "date,strategy,return\n2026-01-05,S1,1\n2026-01-06,S1\n",
		    "b.csv:3", "expected 3 CSV fields, got 2" },
		{ "date,strategy,return\n2026-01-05,S1,1\n2026-01-06,S1,3\n"
		    "2026-01-05,S1,2\n", "b.csv:4",
		    "S1 on 2026-01-05: given twice (first on line 2)" },
		{ "date,S1,S2\n2026-01-05,1,2\n2026-01-05,3,\n", "b.csv:3",
		    "S1 on 2026-01-05: given twice (first on line 2)" },
		{ "date,S1,S2\n2026-01-05,1,2\n2026-01-06,1,x\n", "b.csv:3",
		    "column 'S2': expected number, got string" },
		{ "date,S1,S2\n2026-01-05,1,2\n2026-01-06,true,1\n",
		    "b.csv:3", "column 'S1': expected number, got boolean" },
		{ "date,S1,S2\n2026-01-05,1,2\n06.01.2026,1,1\n", "b.csv:3",
		    "'06.01.2026' is not a date (YYYY-MM-DD)" },
		{ "date,S1,S2\n2026-01-05,1,2\n2026-01-06,1\n", "b.csv:3",
		    "expected 3 CSV fields, got 2" },
	};
	struct tl_panel p;
	struct tl_err err;
	const char *w;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(read_text("b.csv", cases[i].text, &p, &err), -1,
		    "case %zu", i);
		cr_assert_eq(err.code, TL_EX_DATAERR, "case %zu", i);
		w = strrchr(err.where, '/');
		cr_assert_str_eq(w ? w + 1 : err.where, cases[i].where,
		    "case %zu", i);
		cr_assert(strncmp(err.msg, cases[i].msg,
		    strlen(cases[i].msg)) == 0, "case %zu: %s", i, err.msg);
		cr_assert_null(p.x);
	}
}

/* A pair given in two files: the second names the first's file. */
/* trades.jsonl piped where returns are read: its first record says what
 * it lacks; a null return is an empty value, as an empty CSV cell */
Test(tl_panel, jsonl_not_a_panel)
{
	struct tl_panel p;
	struct tl_err err;

	cr_assert_eq(read_text("t.jsonl", "{\"id\":\"t1\",\"strategy\":"
	    "\"S1\",\"date\":\"2026-01-05\",\"pnl\":3.5}\n", &p, &err), -1);
	cr_assert_str_eq(strrchr(err.where, '/') + 1, "t.jsonl:1");
	cr_assert_str_eq(err.msg, "no 'return' column: not a panel of date, "
	    "strategy and return rows");
	cr_assert_eq(read_text("n.jsonl", "{\"date\":\"2026-01-05\","
	    "\"strategy\":\"S1\",\"return\":null}\n", &p, &err), -1);
	cr_assert(strncmp(err.msg, "no value in 'return'", 20) == 0, "%s",
	    err.msg);
}

/* empty_ok: a header without a row (a night before the first closed
 * trade) is an empty panel, not the error it is by default */
Test(tl_panel, empty_ok)
{
	struct tl_panel_opts o = { .empty_ok = 1 };
	struct tl_panel p;
	struct tl_err err;
	char path[512], *paths[1];

	ut_write_str(ut_path(path, sizeof(path), dir, "e.csv"),
	    "date,strategy,return\n");
	paths[0] = path;
	tl_err_clear(&err);
	cr_assert_eq(tl_panel_read(&p, paths, 1, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(p.ndates, 0);
	cr_assert_eq(p.nseries, 0);
	tl_panel_free(&p);
	o.empty_ok = 0;
	cr_assert_eq(tl_panel_read(&p, paths, 1, &o, &err), -1);
	cr_assert_str_eq(err.msg, "no values");
}

Test(tl_panel, twice_across_files)
{
	struct tl_panel p;
	struct tl_err err;
	char a[512], b[512];
	char *paths[2] = { a, b };

	ut_write_str(ut_path(a, sizeof(a), dir, "a.csv"),
	    "date,strategy,return\n2026-01-05,S1,1\n2026-01-05,S2,1\n");
	ut_write_str(ut_path(b, sizeof(b), dir, "b.jsonl"),
	    "{\"date\":\"2026-01-06\",\"strategy\":\"S1\",\"return\":2}\n"
	    "{\"date\":\"2026-01-05\",\"strategy\":\"S2\",\"return\":2}\n");
	tl_err_clear(&err);
	cr_assert_eq(tl_panel_read(&p, paths, 2, &defaults, &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(strrchr(err.where, '/') + 1, "b.jsonl:2");
	cr_assert(strstr(err.msg, "S2 on 2026-01-05: given twice (first in ")
	    == err.msg, "%s", err.msg);
	cr_assert(strstr(err.msg, "/a.csv:3)") != NULL, "%s", err.msg);
	cr_assert_null(p.x);
}

/* Calendar dates to days, and what is not one. */
Test(tl_panel, date_days)
{
	static const char *bad[] = { "2026-02-29", "2026-13-01",
	    "2026-00-10", "2026-01-00", "2026-01-32", "0000-06-01",
	    "2026-1-05", "2026-01-055", "2026/01/05", "" };
	int64_t d;
	size_t i;

	cr_assert_eq(tl_panel_date_days("1970-01-01", &d), 0);
	cr_assert_eq(d, 0);
	cr_assert_eq(tl_panel_date_days("2024-02-29", &d), 0);
	cr_assert_eq(d, 19782);	/* date -d 2024-02-29 +%s / 86400 */
	cr_assert_eq(tl_panel_date_days("2000-02-29", &d), 0);
	cr_assert_eq(d, 11016);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(tl_panel_date_days(bad[i], &d), -1, "%s",
		    bad[i]);
}

Test(tl_panel, missing_file)
{
	struct tl_panel p;
	struct tl_err err;
	char *paths[] = { "/nonexistent/r.csv" };

	tl_err_clear(&err);
	cr_assert_eq(tl_panel_read(&p, paths, 1, &defaults, &err), -1);
	cr_assert_eq(err.code, TL_EX_NOINPUT);
}
