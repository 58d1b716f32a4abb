/* Unit tests for lib/tl_synth_world: the calendar, the regime chain, the
 * market series and the price paths of a synthetic log, each checked
 * against its definition (tl_synth_model.h) or a count made here. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_rng.h"
#include "tl_synth_world.h"
#include "tl_time.h"
#include "synth.h"

#define NSE	5.0	/* statistical checks allow 5 standard errors */

static void
world(struct tl_synth_world *w, int64_t start, size_t days, size_t periods,
    uint64_t seed)
{
	gsl_rng *r = tl_rng_alloc(seed, 0);

	tl_synth_world_init(w, start, days, periods, r);
	tl_synth_world_prices(w, r);
	tl_rng_free(r);
}

Test(tl_synth_world, weekday_and_months)
{
	cr_assert_eq(tl_synth_weekday(0), 4);		/* 1970-01-01: Thu */
	cr_assert_eq(tl_synth_weekday(-1), 3);
	cr_assert_eq(tl_synth_weekday(tl_days_from_civil(2026, 1, 5)), 1);
	cr_assert_eq(tl_synth_month_of(tl_days_from_civil(2026, 2, 28)),
	    2026L * 12 + 1);
	cr_assert_eq(tl_synth_month_first(2026L * 12 + 1),
	    tl_days_from_civil(2026, 2, 1));
	cr_assert_eq(tl_synth_month_first(2025L * 12 + 11) + 31,
	    tl_synth_month_first(2026L * 12));
}

Test(tl_synth_world, trading_days_are_the_weekdays_from_the_start)
{
	struct tl_synth_world w;
	int64_t sat = tl_days_from_civil(2026, 1, 3), z;
	size_t i;

	world(&w, sat, 23, 3, 7);
	cr_assert_eq(w.nd, 23);
	cr_assert_eq(tl_synth_world_day(&w, 0), sat + 2, "a Saturday start "
	    "moves to the Monday");
	for (i = 1, z = sat + 2; i < w.nd; i++) {
		for (z++; tl_synth_weekday(z) == 0 || tl_synth_weekday(z) == 6;
		    z++)
			;
		cr_assert_eq(tl_synth_world_day(&w, i), z, "day %zu", i);
	}
	/* 23 weekdays from Monday 2026-01-05 end on Wednesday 2026-02-04:
	 * periods 2025-12, 2026-01, 2026-02; the chain starts on the first
	 * weekday of December (Monday 2025-12-01) */
	cr_assert_eq(tl_synth_world_day(&w, 22), tl_days_from_civil(2026, 2,
	    4));
	cr_assert_eq(w.month0, 2025L * 12 + 11);
	cr_assert_eq(w.cday[0], tl_days_from_civil(2025, 12, 1));
	cr_assert_eq(w.nc, w.off + w.nd);
	cr_assert_eq(w.off, 25);	/* weekdays of December 2025 + Jan 1-2 */
	tl_synth_world_release(&w);
}

Test(tl_synth_world, period_terms_count_bull_and_bear_weekdays)
{
	struct tl_synth_world w;
	size_t i, p, k, bull, bear;

	world(&w, tl_days_from_civil(2026, 1, 5), 60, 6, 11);
	for (p = 0; p < w.nperiod; p++) {
		k = bull = bear = 0;
		for (i = 0; i < w.nc; i++) {
			if (tl_synth_month_of(w.cday[i]) != w.month0 + (long)p)
				continue;
			k++;
			bull += w.creg[i] == TL_SYNTH_BULL;
			bear += w.creg[i] == TL_SYNTH_BEAR;
		}
		cr_assert_gt(k, 0);
		cr_assert_float_eq(w.pterm[p], 0.03 * ((double)bull -
		    (double)bear) / (double)k, 1e-15, "period %zu", p);
	}
	tl_synth_world_release(&w);
}

Test(tl_synth_world, regime_chain_follows_its_transitions)
{
	struct tl_synth_world w;
	double n[TL_SYNTH_NREGIME][TL_SYNTH_NREGIME] = { { 0 } }, row, p, f;
	size_t i;
	int a, b;

	world(&w, tl_days_from_civil(1980, 1, 1), 40000, 1, 3);
	for (i = 1; i < w.nc; i++)
		n[w.creg[i - 1]][w.creg[i]]++;
	for (a = 0; a < TL_SYNTH_NREGIME; a++) {
		for (row = 0, b = 0; b < TL_SYNTH_NREGIME; b++)
			row += n[a][b];
		cr_assert_gt(row, 1000);
		for (b = 0; b < TL_SYNTH_NREGIME; b++) {
			p = tl_synth_regime_trans[a][b];
			f = n[a][b] / row;
			cr_assert_leq(fabs(f - p), NSE * sqrt(p * (1 - p) / row),
			    "%d -> %d: %g, planted %g", a, b, f, p);
		}
	}
	tl_synth_world_release(&w);
}

Test(tl_synth_world, market_series_by_regime)
{
	struct tl_synth_world w;
	struct ut_stat ret[TL_SYNTH_NREGIME] = { { 0 } };
	struct ut_stat lvol[TL_SYNTH_NREGIME] = { { 0 } };
	double sd, n;
	size_t i;
	int g;

	world(&w, tl_days_from_civil(1980, 1, 1), 40000, 1, 5);
	for (i = 0; i < w.nd; i++) {
		g = tl_synth_world_regime(&w, i);
		ut_stat_add(&ret[g], w.ret_u[i] / 1e6);
		ut_stat_add(&lvol[g], log(w.vol_u[i] / 1e4 /
		    tl_synth_regime_vol[g]));
	}
	for (g = 0; g < TL_SYNTH_NREGIME; g++) {
		n = ret[g].n;
		sd = tl_synth_regime_ret_sd[g];
		/* rounding to 1e-6 moves a mean by 5e-7 at most */
		cr_assert_leq(fabs(ut_stat_mean(&ret[g]) -
		    tl_synth_regime_ret_mean[g]), NSE * sd / sqrt(n) + 5e-7);
		cr_assert_leq(fabs(ut_stat_sd(&ret[g]) - sd),
		    NSE * sd / sqrt(2 * n));
		cr_assert_leq(fabs(ut_stat_mean(&lvol[g])),
		    NSE * TL_SYNTH_VOL_LOG_SD / sqrt(n) + 1e-3);
		cr_assert_leq(fabs(ut_stat_sd(&lvol[g]) - TL_SYNTH_VOL_LOG_SD),
		    NSE * TL_SYNTH_VOL_LOG_SD / sqrt(2 * n) + 1e-3);
	}
	tl_synth_world_release(&w);
}

Test(tl_synth_world, prices_move_with_the_market)
{
	struct tl_synth_world w;
	struct ut_stat e = { 0 };
	const double *p0, *p1;
	size_t d, i;

	world(&w, tl_days_from_civil(2026, 1, 5), 3000, 2, 9);
	for (d = 1; d < w.nd; d++) {
		p0 = tl_synth_world_price(&w, d - 1);
		p1 = tl_synth_world_price(&w, d);
		for (i = 0; i < TL_SYNTH_NSYM; i++)
			ut_stat_add(&e, log(p1[i] / p0[i]) - w.ret_u[d] / 1e6);
	}
	cr_assert_leq(fabs(ut_stat_mean(&e)), NSE * TL_SYNTH_SYM_SD /
	    sqrt(e.n));
	cr_assert_leq(fabs(ut_stat_sd(&e) - TL_SYNTH_SYM_SD),
	    NSE * TL_SYNTH_SYM_SD / sqrt(2 * e.n));
	/* day 0 moves from the starting price: within 6 sd of it */
	p0 = tl_synth_world_price(&w, 0);
	for (i = 0; i < TL_SYNTH_NSYM; i++)
		cr_assert_leq(fabs(log(p0[i] / (tl_synth_sym_price[i] /
		    100.0)) - w.ret_u[0] / 1e6), 6 * TL_SYNTH_SYM_SD);
	tl_synth_world_release(&w);
}

Test(tl_synth_world, same_seed_same_world)
{
	struct tl_synth_world a, b;

	world(&a, tl_days_from_civil(2026, 1, 5), 50, 4, 42);
	world(&b, tl_days_from_civil(2026, 1, 5), 50, 4, 42);
	cr_assert_eq(a.nc, b.nc);
	cr_assert_eq(memcmp(a.creg, b.creg, a.nc), 0);
	cr_assert_eq(memcmp(a.ret_u, b.ret_u, a.nd * sizeof(*a.ret_u)), 0);
	cr_assert_eq(memcmp(a.price, b.price, a.nd * TL_SYNTH_NSYM *
	    sizeof(double)), 0);
	tl_synth_world_release(&a);
	tl_synth_world_release(&b);
}
