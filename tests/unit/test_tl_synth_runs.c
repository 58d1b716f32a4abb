/* Unit tests for lib/tl_synth_runs: each run's metrics.roi is the ROI its
 * genome plants plus the period's regime term and N(0, 0.01^2) noise; the
 * periods' dates, kinds and run numbers. */
#include <math.h>
#include <stdlib.h>

#include <criterion/criterion.h>

#include "tl_synth_runs.h"
#include "synth.h"

#define NSE	5.0	/* statistical checks allow 5 standard errors */

Test(tl_synth_runs, roi_is_planted_plus_regime_plus_noise)
{
	struct tl_synth *s = ut_synth(9, 60, 400, 48, 100, NULL);
	struct tl_synth_runs *g = tl_synth_runs_alloc(s);
	struct tl_synth_period per;
	const struct tl_synth_run *u;
	const struct tl_synth_strat *st;
	struct ut_stat e = { 0 }, sh = { 0 }, nt = { 0 };
	double x, q = 1e-4 / sqrt(12);	/* sd of rounding to 1e-4 */
	size_t i;

	while (tl_synth_runs_next(g, &per))
		for (i = 0; i < s->ns; i++) {
			u = &per.run[i];
			st = &s->st[i];
			x = u->roi / 1e4;
			ut_stat_add(&e, x - st->roi_mean - s->w.pterm[per.p]);
			ut_stat_add(&sh, u->sharpe / 100.0 - x / st->vol);
			ut_stat_add(&nt, u->trades - (15.0 + 4 * st->max_pos));
			cr_assert(u->max_dd >= 20 && u->max_dd <= 6000);
			cr_assert(u->win_rate >= 200 && u->win_rate <= 800);
			cr_assert(u->kept);
		}
	cr_assert_eq(e.n, 400 * 48);
	cr_assert_leq(fabs(ut_stat_mean(&e)), NSE * 0.01 / sqrt(e.n));
	cr_assert_leq(fabs(ut_stat_sd(&e) - 0.01), NSE * 0.01 /
	    sqrt(2 * e.n) + q);
	/* sharpe was drawn from the unrounded roi, off by 0.5e-4/vol <=
	 * 0.0025, and is rounded to 0.01: together they add less than
	 * 0.0001 to its sd */
	cr_assert_leq(fabs(ut_stat_mean(&sh)), NSE * 0.15 / sqrt(sh.n) +
	    0.0025);
	cr_assert_leq(fabs(ut_stat_sd(&sh) - 0.15), NSE * 0.15 /
	    sqrt(2 * sh.n) + 0.0001);
	/* Poisson(15 + 4 max_positions): the mean, sd at most sqrt(95) */
	cr_assert_leq(fabs(ut_stat_mean(&nt)), NSE * sqrt(95) / sqrt(nt.n));
	tl_synth_runs_free(g);
	tl_synth_free(s);
}

Test(tl_synth_runs, periods_dates_kinds_numbers)
{
	struct tl_synth *s = ut_synth(2, 15, 3, 4, 50, NULL);
	struct tl_synth_runs *g = tl_synth_runs_alloc(s);
	struct tl_synth_period per;
	size_t p = 0, i;

	/* 15 weekdays from 2026-01-05 end on 2026-01-23: periods 2025-10
	 * to 2026-01, the first three before the logs (backtests) */
	while (tl_synth_runs_next(g, &per)) {
		cr_assert_eq(per.p, p);
		cr_assert_eq(per.month, 2025L * 12 + 9 + (long)p);
		cr_assert_eq(per.first, tl_synth_month_first(per.month));
		cr_assert_eq(per.last + 1, tl_synth_month_first(per.month + 1));
		cr_assert_eq(per.backtest, p < 3);
		for (i = 0; i < s->ns; i++) {
			cr_assert_eq(per.run[i].strategy, i);
			cr_assert_eq(per.run[i].number, p * 3 + i + 1);
		}
		p++;
	}
	cr_assert_eq(p, 4);
	cr_assert_eq(tl_synth_runs_next(g, &per), 0, "still done");
	tl_synth_runs_free(g);
	tl_synth_free(s);
}
