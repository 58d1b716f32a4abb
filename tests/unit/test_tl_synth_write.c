/* Unit tests for lib/tl_synth_write: the layout of a written log
 * directory (which files, gzip'd or CSV on which days), its lines
 * against the plan's counts, the churn files, the same bytes twice, and
 * a directory that is not empty. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <zlib.h>

#include "tl_synth_render.h"
#include "tl_synth_write.h"
#include "unit.h"
#include "synth.h"

UT_SCRATCH_DIR();

TestSuite(tl_synth_write, .init = ut_setup, .fini = ut_teardown);

/* Lines of file path, gzip'd or not. */
static size_t
count_lines(const char *path)
{
	gzFile gz = gzopen(path, "rb");
	char buf[4096];
	size_t n = 0;
	int k, i;

	cr_assert_not_null(gz, "%s", path);
	while ((k = gzread(gz, buf, sizeof(buf))) > 0)
		for (i = 0; i < k; i++)
			n += buf[i] == '\n';
	gzclose(gz);
	return n;
}

static void
write_log(const struct tl_synth *s, const char *out, double dirt,
    long gzip_after)
{
	struct tl_synth_layout lo = { out, dirt, gzip_after, TL_SYNTH_JSONL };
	struct tl_err err = { 0 };

	cr_assert_eq(tl_synth_write(s, &lo, &err), 0, "%s: %s", err.where,
	    err.msg);
}

Test(tl_synth_write, layout_and_lines)
{
	struct tl_synth *s = ut_synth(3, 12, 5, 3, 300, NULL);
	char out[512], path[1024], date[TL_TIME_BUFSZ];
	size_t d, ndec = 0, ntrade = 0, gz, csv;

	snprintf(out, sizeof(out), "%s/log", dir);
	write_log(s, out, 0, 4);
	snprintf(path, sizeof(path), "%s/market.csv", out);
	cr_assert_eq(count_lines(path), 13);
	snprintf(path, sizeof(path), "%s/logs/promotions.jsonl", out);
	cr_assert_eq(count_lines(path), s->npromo);
	snprintf(path, sizeof(path), "%s/logs/runs/runs-2026-01.jsonl", out);
	cr_assert_eq(count_lines(path), 5);
	snprintf(path, sizeof(path), "%s/logs/runs/runs-2025-11.jsonl", out);
	cr_assert(ut_exists(path));
	snprintf(path, sizeof(path), "%s/logs/retirements.jsonl", out);
	cr_assert_not(ut_exists(path), "no churn, no retirements");
	snprintf(path, sizeof(path), "%s/truth.json", out);
	cr_assert(ut_exists(path));
	for (d = 0; d < 12; d++) {
		tl_synth_fmt_date(date, tl_synth_day(s, d));
		gz = d + 4 < 12;	/* all but the last 4 days */
		csv = d == 9;		/* the 10th */
		snprintf(path, sizeof(path), "%s/logs/%s/decisions.jsonl%s",
		    out, date, gz ? ".gz" : "");
		ndec += count_lines(path);
		snprintf(path, sizeof(path), "%s/logs/%s/trades.%s%s", out,
		    date, csv ? "csv" : "jsonl", gz ? ".gz" : "");
		ntrade += count_lines(path) - csv;
		snprintf(path, sizeof(path), "%s/logs/%s", out, date);
		cr_assert_eq(ut_count_entries(path, NULL, 0), 2);
	}
	cr_assert_eq(ndec, s->ndec, "no dirt: a line a decision");
	cr_assert_eq(ntrade, 300);
	tl_synth_free(s);
}

Test(tl_synth_write, churn_files_and_the_same_bytes_twice)
{
	struct tl_synth *s = ut_synth(2, 40, 8, 4, 600, "");
	char a[512], b[512], pa[1024], pb[1024];
	static const char *const files[] = { "truth.json", "aliases.csv",
		"logs/retirements.jsonl", "market.csv",
		"logs/2026-02-27/trades.csv", "logs/2026-02-26/trades.jsonl" };
	size_t i, na, nb;
	char *ca, *cb;

	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b/", dir);
	write_log(s, a, 0.05, 0);
	write_log(s, b, 0.05, 0);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(pa, sizeof(pa), "%s/%s", a, files[i]);
		snprintf(pb, sizeof(pb), "%s%s", b, files[i]);
		ca = ut_read(pa, &na);
		cb = ut_read(pb, &nb);
		cr_assert(na == nb && memcmp(ca, cb, na) == 0, "%s", files[i]);
		free(ca);
		free(cb);
	}
	snprintf(pa, sizeof(pa), "%s/aliases.csv", a);
	cr_assert_eq(count_lines(pa), 2, "header and one rename");
	/* the last line of the last trades file (the 40th day's: CSV) is
	 * cut short */
	snprintf(pa, sizeof(pa), "%s/logs/2026-02-27/trades.csv", a);
	ca = ut_read(pa, &na);
	cr_assert_neq(ca[na - 1], '\n');
	free(ca);
	tl_synth_free(s);
}

Test(tl_synth_write, a_directory_that_is_not_empty)
{
	struct tl_synth *s = ut_synth(1, 3, 2, 1, 10, NULL);
	struct tl_synth_layout lo = { dir, 0.01, 7, TL_SYNTH_JSONL };
	struct tl_err err = { 0 };
	char path[1024];

	snprintf(path, sizeof(path), "%s/x", dir);
	ut_write_str(path, "");
	cr_assert_eq(tl_synth_write(s, &lo, &err), -1);
	cr_assert_eq(err.code, TL_EX_CANTCREAT);
	cr_assert_str_eq(err.where, dir);
	cr_assert_eq(ut_count_entries(dir, NULL, 0), 1, "nothing written");
	tl_synth_free(s);
}
