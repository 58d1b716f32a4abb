/*
 * tl_fpred: rows predicted in batches on threads come out in their order
 * with their own fields and the prediction (a field of the same name
 * replaced), the same bytes with 1 or 3 threads; a missing feature is
 * counted, or under strict an error at its line; a feature absent from
 * every row of the first batch stops the output.  The forest learns a
 * step without noise, y = 10 for x > 0.5 and 0 below, so that every tree
 * predicts 0 or 10 exactly far from the step: the expected lines are
 * known.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_forest.h"
#include "tl_fpred.h"
#include "tl_jv.h"
#include "tl_num.h"
#include "tl_out.h"
#include "tl_util.h"
#include "unit.h"

UT_SCRATCH_DIR();

static void
init(void)
{
	tl_init("tl-test");
	ut_setup();
}

TestSuite(tl_fpred, .init = init, .fini = ut_teardown);

static struct tl_forest *
step_forest(void)
{
	struct tl_forest_params p = TL_FOREST_PARAMS_DEFAULT;
	struct tl_fselect sel = { NULL, 0, NULL, 0 };
	struct tl_fdata *d = tl_fdata_alloc();
	struct tl_err err = { 0 };
	struct tl_forest *f;
	char row[128];
	int i, n;

	for (i = 0; i < 200; i++) {
		n = snprintf(row, sizeof(row), "{\"x\":%d.%03d,\"y\":%d}",
		    0, i * 5, i * 5 > 500 ? 10 : 0);
		cr_assert_eq(tl_fdata_add(d, row, (size_t)n, "t", 1, &err), 0,
		    "%s", err.msg);
	}
	p.trees = 20;
	p.threads = 1;
	p.permutation = 0;
	f = tl_forest_train(d, "y", &sel, &p, NULL, &err);
	cr_assert_not_null(f, "%s", err.msg);
	tl_fdata_free(d);
	return f;
}

/* Predict rows[0..n) (one input "t", lines 1..n) into file name; the
 * return of the last call that failed, or 0; the output's text in *got
 * (new) when it was closed. */
static int
run(const struct tl_forest *f, const char *const *rows, size_t n,
    int threads, int strict, int allow, const char *name, char **got,
    size_t *partial, struct tl_err *err)
{
	char path[512];
	struct tl_out *out;
	struct tl_fpred *fp;
	size_t i;
	int rc = 0;

	ut_path(path, sizeof(path), dir, name);
	cr_assert_not_null(out = tl_out_open(path, TL_FMT_JSONL, err));
	fp = tl_fpred_alloc(f, out, threads, strict, allow);
	for (i = 0; i < n && rc == 0; i++)
		rc = tl_fpred_add(fp, rows[i], strlen(rows[i]), "t", i + 1,
		    err);
	if (rc == 0)
		rc = tl_fpred_flush(fp, err);
	if (rc == 0)
		rc = tl_fpred_end(fp, err);
	cr_assert_eq(tl_fpred_rows(fp), rc == 0 ? n : i);
	if (partial != NULL)
		*partial = tl_fpred_partial(fp, NULL);
	tl_fpred_free(fp);
	*got = NULL;
	if (rc == 0) {
		cr_assert_eq(tl_out_close(out, err), 0);
		*got = ut_read(path, NULL);
	} else
		tl_out_abort(out);
	return rc;
}

/* ",\"prediction\":M,\"prediction_sd\":S}" of row alone, into buf. */
static void
alone(const struct tl_forest *f, const char *row, char *buf, size_t size)
{
	struct tl_err err = { 0 };
	struct tl_jdoc doc;
	uint8_t bins[8];
	struct tl_forest_gaps g;
	double mean, sd, prob;
	char m[TL_NUM_BUFSZ], s[TL_NUM_BUFSZ];

	cr_assert_eq(tl_forest_nfeatures(f), 1);
	tl_jdoc_init(&doc);
	cr_assert_eq(tl_forest_row(f, &doc, row, strlen(row), "t", 1, bins,
	    &g, &err), 0, "%s", err.msg);
	tl_jdoc_release(&doc);
	tl_forest_predict_rows(f, bins, 1, &mean, &sd, &prob);
	tl_fmt_double(m, mean);
	tl_fmt_double(s, sd);
	snprintf(buf, size, ",\"prediction\":%s,\"prediction_sd\":%s}", m, s);
}

Test(tl_fpred, lines_in_order_any_threads)
{
	struct tl_forest *f = step_forest();
	struct tl_err err = { 0 };
	enum { N = 20000 };	/* batches of 8192 and 12288 rows */
	char **rows = calloc(N, sizeof(char *)), *got1, *got3, *want, *w;
	char hi[128], lo[128];
	size_t i;

	alone(f, "{\"x\":0.9}", hi, sizeof(hi));
	alone(f, "{\"x\":0.1}", lo, sizeof(lo));
	want = w = malloc((size_t)N * 96);
	for (i = 0; i < N; i++) {
		rows[i] = malloc(64);
		if (i % 2 == 0) {
			snprintf(rows[i], 64, "{\"id\":%zu,\"x\":0.9}", i);
			w += sprintf(w, "{\"id\":%zu,\"x\":0.9%s\n", i, hi);
		} else {	/* ours replaced, the rest kept in order */
			snprintf(rows[i], 64, "{\"prediction\":\"old\","
			    "\"x\":0.1,\"id\":%zu}", i);
			w += sprintf(w, "{\"x\":0.1,\"id\":%zu%s\n", i, lo);
		}
	}
	cr_assert_eq(run(f, (const char *const *)rows, N, 1, 0, 0, "p1",
	    &got1, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(run(f, (const char *const *)rows, N, 3, 0, 0, "p3",
	    &got3, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(strlen(got1), strlen(want));
	cr_assert(strcmp(got1, want) == 0, "1 thread: not the lines wanted");
	cr_assert(strcmp(got3, want) == 0, "3 threads: not the lines wanted");
	for (i = 0; i < N; i++)
		free(rows[i]);
	free(rows);
	free(want);
	free(got1);
	free(got3);
	tl_forest_free(f);
}

Test(tl_fpred, missing_features)
{
	struct tl_forest *f = step_forest();
	const char *rows[] = { "{\"x\":0.9}", "{\"x\":0.1}", "{\"z\":1}" };
	const char *none[] = { "{\"z\":1}", "{\"z\":2}" };
	struct tl_err err = { 0 };
	size_t partial = 0;
	char *got, hi[128], want[160];

	/* counted and predicted without x */
	cr_assert_eq(run(f, rows, 3, 2, 0, 0, "m1", &got, &partial, &err), 0,
	    "%s", err.msg);
	cr_assert_eq(partial, 1);
	alone(f, rows[0], hi, sizeof(hi));
	snprintf(want, sizeof(want), "{\"x\":0.9%s\n", hi);
	cr_assert_eq(strncmp(got, want, strlen(want)), 0, "%s", got);
	free(got);
	/* strict: the row's line */
	cr_assert_eq(run(f, rows, 3, 2, 1, 0, "m2", &got, NULL, &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.where, "t:3");
	cr_assert_str_eq(err.msg, "field 'x': missing (the model needs it)");
	/* in no row of the first batch */
	cr_assert_eq(run(f, none, 2, 1, 0, 0, "m3", &got, NULL, &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.where, "t");
	cr_assert_str_eq(err.msg, "the model's feature 'x' is missing from 2 "
	    "of 2 rows (tl-train-forest dump names the features; "
	    "--allow-missing predicts without it)");
	/* unless allowed */
	cr_assert_eq(run(f, none, 2, 1, 0, 1, "m4", &got, &partial, &err), 0);
	cr_assert_eq(partial, 2);
	free(got);
	tl_forest_free(f);
}
