/*
 * Unit tests for lib/tl_progress: the line's text (counts, percentage,
 * rate and time left against the arithmetic written here), and that a
 * progress that is off is NULL and every call takes it.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_progress.h"

Test(tl_progress, line_with_total)
{
	char buf[256];

	/* 37 of 200 in 2 s: 18.5/s, 163 left: 8.81 s, shown as 9 s */
	tl_progress_format(buf, sizeof(buf), "train", "trees", 37, 200, 2);
	cr_assert_str_eq(buf, "train: 37/200 trees (18%), 18.5/s, ETA 9 s");
	/* 250000 of 1000000 rows in 2.5 s: 100000/s, 7.5 s left: 8 s
	 * (lround rounds half away from zero) */
	tl_progress_format(buf, sizeof(buf), "predict", "rows", 250000,
	    1000000, 2.5);
	cr_assert_str_eq(buf, "predict: 250000/1000000 rows (25%), 100000/s, "
	    "ETA 8 s");
	/* minutes and hours: 199 left at one a minute is 11940 s, 3 h 19
	 * min; 10 left at 10 in 1850 s is 1850 s, 30 min 50 s */
	tl_progress_format(buf, sizeof(buf), "run", "trials", 1, 200, 60);
	cr_assert_str_eq(buf, "run: 1/200 trials (0%), 0.017/s, ETA 3 h 19 "
	    "min");
	tl_progress_format(buf, sizeof(buf), "run", "trials", 10, 20, 1850);
	cr_assert_str_eq(buf, "run: 10/20 trials (50%), 0.0054/s, ETA 30 min "
	    "50 s");
	/* 100 * 0.043169 / 0.043169 is 99.99999999999999 in doubles: all
	 * done is 100% */
	tl_progress_format(buf, sizeof(buf), "ingest", "MB", 0.043169,
	    0.043169, 1);
	cr_assert_str_eq(buf, "ingest: 0.0/0.0 MB (100%), 0.043/s");
	/* done: no ETA */
	tl_progress_format(buf, sizeof(buf), "pbo", "splits", 12870, 12870, 3);
	cr_assert_str_eq(buf, "pbo: 12870/12870 splits (100%), 4290/s");
}

Test(tl_progress, line_without_total)
{
	char buf[256];

	tl_progress_format(buf, sizeof(buf), "predict", "rows", 131072, 0, 4);
	cr_assert_str_eq(buf, "predict: 131072 rows, 32768/s");
	/* nothing done yet, no time yet */
	tl_progress_format(buf, sizeof(buf), "ingest", "MB", 0, 120, 0);
	cr_assert_str_eq(buf, "ingest: 0/120 MB (0%), 0.0/s");
}

Test(tl_progress, off_is_null)
{
	struct tl_progress *p = tl_progress_start("x", "y", 10, 0);

	cr_assert_null(p);
	tl_progress_set(p, 3);
	tl_progress_add(p, 1);
	tl_progress_total(p, 20);
	tl_progress_end(p);
	cr_assert_eq(tl_progress_wanted(TL_PROGRESS_OFF, 0), 0);
	cr_assert_eq(tl_progress_wanted(TL_PROGRESS_ON, 1), 1);
}
