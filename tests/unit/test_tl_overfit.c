/*
 * tl_overfit: the debounced episode by hand, running moments against the
 * two-pass tl_moments and hand values, the logit summary's quartiles by
 * hand, the runs/promotions/acks readers, and one whole check whose
 * decay is known by construction (the live Sharpe ratio is minus the
 * in-sample one: decay 2).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_overfit.h"
#include "tl_util.h"
#include "unit.h"

UT_SCRATCH_DIR();
TestSuite(tl_overfit, .init = ut_setup, .fini = ut_teardown);

/* need 3: fires on the third day of 1,1,1 (index 5, run from 3); three
 * failures clear it. */
Test(tl_overfit, episode_by_hand)
{
	static const signed char c[] = { 1, 1, 0, 1, 1, 1, 0, 0, 0 };
	size_t since = 99;

	cr_assert_eq(tl_overfit_episode(c, 5, 3, &since), 0);
	cr_assert_eq(since, 99);
	cr_assert_eq(tl_overfit_episode(c, 6, 3, &since), 1);
	cr_assert_eq(since, 3);
	cr_assert_eq(tl_overfit_episode(c, 8, 3, &since), 1);	/* 2 fails */
	cr_assert_eq(tl_overfit_episode(c, 9, 3, &since), 0);	/* 3 fail */
	cr_assert_eq(tl_overfit_episode(c, 2, 1, &since), 1);
	cr_assert_eq(since, 0);
}

/* 1, 2, 3, 4: mean 2.5, sd sqrt(5/3), skew 0, kurtosis 4 * 10.25 / 25 =
 * 1.64; and a skewed series against the two-pass tl_moments, to 1e-12. */
Test(tl_overfit, running_moments)
{
	static const double x[] = { 1, 2, 3, 4 },
	    y[] = { 0.3, -1.2, 4.5, 0.01, 2.2, -0.7, 9.1, 0.4 };
	struct tl_run_mom r = { 0 };
	struct tl_moments m, t;
	size_t i;

	for (i = 0; i < 4; i++)
		tl_run_mom_add(&r, x[i]);
	tl_run_mom_get(&r, &m);
	cr_assert_eq(m.n, 4);
	cr_assert_float_eq(m.mean, 2.5, 1e-15);
	cr_assert_float_eq(m.sd, sqrt(5.0 / 3), 1e-15);
	cr_assert_float_eq(m.skew, 0, 1e-15);
	cr_assert_float_eq(m.kurt, 1.64, 1e-14);
	cr_assert_float_eq(m.sharpe, 2.5 / sqrt(5.0 / 3), 1e-14);
	memset(&r, 0, sizeof(r));
	for (i = 0; i < TL_NELEM(y); i++)
		tl_run_mom_add(&r, y[i]);
	tl_run_mom_get(&r, &m);
	tl_moments(y, TL_NELEM(y), &t);
	cr_assert_float_eq(m.mean, t.mean, 1e-12);
	cr_assert_float_eq(m.sd, t.sd, 1e-12);
	cr_assert_float_eq(m.skew, t.skew, 1e-12);
	cr_assert_float_eq(m.kurt, t.kurt, 1e-12);
	memset(&r, 0, sizeof(r));
	tl_run_mom_add(&r, 5);
	tl_run_mom_get(&r, &m);	/* one point: no sd */
	cr_assert(isnan(m.sd) && isnan(m.sharpe));
}

/* Sorted 1, 2, 3, 4: q25 at h = 0.75 is 1.75, q75 at h = 2.25 is 3.25. */
Test(tl_overfit, logit_summary_by_hand)
{
	static const double x[] = { 3, 1, 4, 2 };
	struct tl_overfit_dist d;

	tl_overfit_logit_summary(x, 4, &d);
	cr_assert_float_eq(d.min, 1, 0);
	cr_assert_float_eq(d.max, 4, 0);
	cr_assert_float_eq(d.q25, 1.75, 1e-15);
	cr_assert_float_eq(d.q75, 3.25, 1e-15);
	cr_assert_float_eq(d.mean, 2.5, 1e-15);
	cr_assert_float_eq(d.sd, sqrt(5.0 / 3), 1e-15);
	cr_assert_eq(tl_overfit_sev_parse("medium"), TL_SEV_MEDIUM);
	cr_assert_eq(tl_overfit_sev_parse("urgent"), TL_SEV_NONE);
}

/* 2024-01-01 (a Monday) to 2024-01-12: 10 weekdays, so a run's Sharpe
 * ratio 2 is 2/sqrt(10) a day; the promotion of its run gets 10 days;
 * a strategy promoted twice keeps its latest. */
Test(tl_overfit, readers)
{
	struct tl_overfit_runs r = { 0 };
	struct tl_overfit_promos p = { 0 };
	struct tl_overfit_acks a = { 0 };
	struct tl_err err = { 0 };
	char runs[512], pro[512], ack[512];

	ut_write_str(ut_path(runs, sizeof(runs), dir, "runs.jsonl"),
	    "{\"id\":\"r1\",\"start\":\"2024-01-01\",\"end\":\"2024-01-12\","
	    "\"metrics\":{\"sharpe\":2}}\n"
	    "{\"id\":\"r2\",\"metrics\":{}}\n");
	cr_assert_eq(tl_overfit_runs_read(runs, 0, &r, &err), 0, "%s",
	    err.msg);
	cr_assert_eq(r.n, 1);
	cr_assert_float_eq(r.sr[0], 2 / sqrt(10), 1e-15);
	ut_write_str(ut_path(pro, sizeof(pro), dir, "promotions.jsonl"),
	    "{\"strategy\":\"B\",\"ts\":\"2024-02-01T10:00:00Z\"}\n"
	    "{\"strategy\":\"A\",\"ts\":\"2024-03-01\",\"run_id\":\"r1\","
	    "\"in_sample\":{\"sharpe\":1.5}}\n"
	    "{\"strategy\":\"B\",\"ts\":\"2024-01-01\"}\n");
	cr_assert_eq(tl_overfit_promos_read(pro, 0, &r, &p, &err), 0, "%s",
	    err.msg);
	cr_assert_eq(p.n, 2);
	cr_assert_str_eq(p.v[0].strategy, "A");
	cr_assert_eq(p.v[0].given_days, 10);
	cr_assert_float_eq(p.v[0].given, 1.5, 0);
	cr_assert_str_eq(p.v[1].date, "2024-02-01");
	cr_assert(isnan(p.v[1].given));
	tl_overfit_promos_release(&p);
	tl_overfit_runs_release(&r);
	/* a scored run without dates needs --run-days */
	ut_write_str(runs, "{\"id\":\"r3\",\"metrics\":{\"sharpe\":1}}\n");
	cr_assert_eq(tl_overfit_runs_read(runs, 0, &r, &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	tl_overfit_runs_release(&r);
	cr_assert_eq(tl_overfit_runs_read(runs, 4, &r, &err), 0);
	cr_assert_float_eq(r.sr[0], 0.5, 1e-15);
	tl_overfit_runs_release(&r);
	ut_write_str(ut_path(ack, sizeof(ack), dir, "acks.jsonl"),
	    "{\"strategy\":\"A\",\"kind\":\"psr\",\"acknowledged_at\":"
	    "\"2024-03-05\",\"severity\":\"urgent\"}\n");
	cr_assert_eq(tl_overfit_acks_read(ack, &a, &err), -1);
	cr_assert_str_eq(err.msg, "field 'severity': unknown 'urgent' (low, "
	    "medium or high)");
	tl_overfit_acks_release(&a);
}

/* Returns 0.02, 0 repeated for 20 days, then -0.02, 0 for 12: with an
 * in-sample window of 4 days as the live one, the in-sample Sharpe ratio
 * is s, every live window's -s, so the decay is
 * (s - -s)/s = 2 from the first window on; with --days 2 it fires at the
 * second window, and the episode starts at the first (its last date,
 * 2024-01-24), 9 windows long (12 - 4 + 1).  The live Sharpe ratio is
 * below 0: high, demote. */
Test(tl_overfit, decay_by_construction)
{
	static const struct tl_overfit_opts o = { TL_BASELINE_AUTO, 2, 4,
	    4, 0.95, 252, 0.5, 4 };
	struct tl_overfit_check c = { .o = &o };
	struct tl_panel_opts po = { .fmt = TL_FMT_AUTO };
	struct tl_overfit_eval *e;
	struct tl_err err = { 0 };
	struct tl_buf b;
	char path[512], pro[512], *paths[1];
	json_t *arr, *a;
	int d;

	tl_buf_init(&b);
	tl_buf_adds(&b, "date,S\n");
	for (d = 0; d < 32; d++)
		tl_buf_printf(&b, "2024-%02d-%02d,%s\n", 1 + d / 28,
		    1 + d % 28, d % 2 ? "0" : d < 20 ? "0.02" : "-0.02");
	ut_write_str(ut_path(path, sizeof(path), dir, "r.csv"), b.data);
	ut_write_str(ut_path(pro, sizeof(pro), dir, "p.jsonl"),
	    "{\"strategy\":\"S\",\"ts\":\"2024-01-21\"}\n");
	paths[0] = path;
	cr_assert_eq(tl_panel_read(&c.pn, paths, 1, &po, &err), 0, "%s",
	    err.msg);
	cr_assert_eq(tl_overfit_promos_read(pro, 0, &c.runs, &c.pr, &err), 0);
	tl_overfit_check_prepare(&c, 0, NAN);
	cr_assert(isnan(c.trials));
	cr_assert_float_eq(c.ev[0].all.mean, (10 * 0.02 - 6 * 0.02) / 32,
	    1e-15);
	e = tl_overfit_check_promotion(&c, 0);
	cr_assert_eq(e->col, 0);
	cr_assert_str_eq(e->is_src, "returns");
	cr_assert_eq(e->oos_n, 12);
	cr_assert_float_eq(e->decay, 2, 1e-12);
	cr_assert_float_eq(e->roll_sr, -e->is_sr, 1e-12);
	cr_assert(e->decay_on);
	cr_assert_str_eq(e->decay_since, "2024-01-24");
	cr_assert_eq(e->decay_days, 9);
	arr = json_array();
	tl_overfit_alerts(&c, e, arr);
	a = json_array_get(arr, 0);
	cr_assert_not_null(a);
	cr_assert_str_eq(json_string_value(json_object_get(a, "kind")),
	    "decay");
	cr_assert_str_eq(json_string_value(json_object_get(a, "severity")),
	    "high");
	cr_assert_str_eq(json_string_value(json_object_get(a, "action")),
	    "demote");
	cr_assert(json_is_false(json_object_get(a, "acknowledged")));
	json_decref(arr);
	tl_overfit_check_release(&c);
	tl_buf_release(&b);
}
