/* Unit tests for lib/tl_synth_strat: genomes in their ranges, the planted
 * ROI against the formula written out here, promotions and decay, and
 * the activity floor against its defining equation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_rng.h"
#include "tl_synth_strat.h"
#include "tl_time.h"

static struct tl_synth_strat *
strats(struct tl_synth_world *w, size_t days, size_t ns, uint64_t seed)
{
	gsl_rng *r = tl_rng_alloc(seed, 0);
	struct tl_synth_strat *st;

	tl_synth_world_init(w, tl_days_from_civil(2026, 1, 5), days, 12, r);
	st = tl_synth_strats_draw(w, ns, r);
	tl_rng_free(r);
	return st;
}

Test(tl_synth_strat, npromoted_rounds_three_tenths)
{
	static const size_t c[][2] = { { 1, 0 }, { 2, 1 }, { 3, 1 }, { 5, 2 },
		{ 14, 4 }, { 15, 5 }, { 16, 5 }, { 20, 6 }, { 120, 36 } };
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		cr_assert_eq(tl_synth_npromoted(c[i][0]), c[i][1], "ns %zu",
		    c[i][0]);
}

Test(tl_synth_strat, roi_mean_is_the_planted_formula)
{
	struct tl_synth_strat s = { .lookback = 100, .entry_z = 250,
		.stop_atr = 150, .universe = TL_SYNTH_U_TECH };

	/* 0.02 tanh(1) + 0.015 (2.5 - 1.5) - 0.01 (1.5 - 2.5)^2 / 4 */
	cr_assert_float_eq(tl_synth_roi_mean(&s), 0.02 * 0.7615941559557649 +
	    0.015 - 0.0025, 1e-15);
	s.universe = TL_SYNTH_U_ENERGY;	/* entry_z counts -0.5 times */
	s.lookback = 60;
	s.stop_atr = 250;
	cr_assert_float_eq(tl_synth_roi_mean(&s), -0.0075, 1e-15);
	s.lookback = 20;	/* tanh(-1) */
	s.entry_z = 50;
	cr_assert_float_eq(tl_synth_roi_mean(&s), -0.02 * 0.7615941559557649 +
	    0.0075, 1e-15);
}

Test(tl_synth_strat, genomes_lie_in_their_ranges)
{
	struct tl_synth_world w;
	struct tl_synth_strat *st, *s;
	size_t i, ns = 500;
	char id[24];

	st = strats(&w, 60, ns, 1);
	for (i = 0; i < ns; i++) {
		s = &st[i];
		snprintf(id, sizeof(id), "S%04zu", i + 1);
		cr_assert_str_eq(s->id, id);
		cr_assert(s->lookback >= 5 && s->lookback <= 200);
		cr_assert(s->entry_z >= 50 && s->entry_z <= 300);
		cr_assert(s->exit_z >= 0 && s->exit_z <= 150);
		cr_assert(s->stop_atr >= 50 && s->stop_atr <= 500);
		cr_assert(s->tp_atr >= 100 && s->tp_atr <= 800);
		cr_assert(s->risk >= 100 && s->risk <= 5000);
		cr_assert(s->max_pos >= 1 && s->max_pos <= 20);
		cr_assert(s->trailing == 0 || s->trailing == 1);
		cr_assert(s->universe >= 0 && s->universe < TL_SYNTH_NUNIVERSE);
		cr_assert(s->filter >= 0 && s->filter < TL_SYNTH_NFILTER);
		cr_assert(s->vol >= TL_SYNTH_VOL_LO && s->vol < TL_SYNTH_VOL_HI);
		cr_assert_leq(fabs(s->edge), TL_SYNTH_EDGE_MAX);
		cr_assert_gt(s->activity, 0);
		cr_assert_float_eq(s->roi_mean, tl_synth_roi_mean(s), 0);
		cr_assert_str_eq(s->alias, "");
	}
	free(st);
	tl_synth_world_release(&w);
}

Test(tl_synth_strat, promotions_in_the_first_half_a_third_decaying)
{
	struct tl_synth_world w;
	struct tl_synth_strat *st, **v;
	size_t i, n, ndecay = 0, ns = 20;
	long pm;

	st = strats(&w, 60, ns, 4);
	v = tl_synth_promoted(st, ns, &n);
	cr_assert_eq(n, 6);
	for (i = 0; i < n; i++) {
		cr_assert(v[i]->promo_day >= 0 && v[i]->promo_day < 30);
		cr_assert(i == 0 || v[i - 1]->promo_day < v[i]->promo_day ||
		    (v[i - 1]->promo_day == v[i]->promo_day &&
		    strcmp(v[i - 1]->id, v[i]->id) < 0), "promotion order");
		cr_assert(v[i]->edge >= TL_SYNTH_PROMO_EDGE_LO &&
		    v[i]->edge < TL_SYNTH_PROMO_EDGE_HI);
		ndecay += (size_t)v[i]->decaying;
		/* the in-sample period is the month before the promotion */
		pm = tl_synth_month_of(tl_synth_world_day(&w,
		    (size_t)v[i]->promo_day)) - 1;
		cr_assert_eq(v[i]->is_period, pm - w.month0);
	}
	cr_assert_eq(ndecay, 2);	/* (6 + 1) / 3 */
	for (i = 0; i < ns; i++)
		if (st[i].promo_day < 0)
			cr_assert(!st[i].decaying && st[i].is_period == -1);
	free(v);
	free(st);
	tl_synth_world_release(&w);
}

Test(tl_synth_strat, three_strategies_have_one_decaying)
{
	struct tl_synth_world w;
	struct tl_synth_strat *st;
	size_t i, npromo = 0, ndecay = 0;

	st = strats(&w, 10, 3, 2);
	for (i = 0; i < 3; i++) {
		npromo += st[i].promo_day >= 0;
		ndecay += (size_t)st[i].decaying;
	}
	cr_assert_eq(npromo, 1);
	cr_assert_eq(ndecay, 1);
	free(st);
	tl_synth_world_release(&w);
}

/* c * sum_j max(a_j, f) m_j for the activities before the floor. */
static double
floor_rhs(const double *a, const struct tl_synth_strat *st, size_t ns,
    double c, double f)
{
	double t = 0;
	size_t j;

	for (j = 0; j < ns; j++)
		t += (a[j] > f ? a[j] : f) * (st[j].promo_day >= 0 ? 3.0 : 1.0);
	return c * t;
}

Test(tl_synth_strat, activity_floor_solves_its_equation)
{
	struct tl_synth_strat st[6] = { { .activity = 0.2 },
		{ .activity = 2.385, .promo_day = 3 }, { .activity = 0.45 },
		{ .activity = 1.27 }, { .activity = 0.05, .promo_day = 1 },
		{ .activity = 3.1 } };
	double a[6], c = 0.05, f = INFINITY, tot;
	size_t i, nfloored = 0;

	for (i = 0; i < 6; i++) {
		if (st[i].promo_day == 0)
			st[i].promo_day = -1;
		a[i] = st[i].activity;
	}
	tl_synth_activity_floor(st, 6, c);
	for (i = 0; i < 6; i++) {
		cr_assert_geq(st[i].activity, a[i]);
		if (st[i].activity > a[i]) {
			nfloored++;
			if (f == INFINITY)
				f = st[i].activity;
			cr_assert_float_eq(st[i].activity, f, 1e-15,
			    "one floor");
		}
	}
	cr_assert_eq(nfloored, 3);	/* 0.05, 0.2, 0.45 */
	cr_assert_float_eq(f, floor_rhs(a, st, 6, c, f), 1e-12);
	/* so every strategy has a share c or more of the decisions */
	tot = floor_rhs(a, st, 6, 1, f);
	for (i = 0; i < 6; i++)
		cr_assert_geq(st[i].activity * (st[i].promo_day >= 0 ? 3 : 1) /
		    tot, c * (1 - 1e-12));
}

Test(tl_synth_strat, activity_floor_leaves_active_ones_and_caps)
{
	struct tl_synth_strat st[3] = { { .activity = 1.5, .promo_day = -1 },
		{ .activity = 2.5, .promo_day = -1 },
		{ .activity = 2, .promo_day = -1 } };

	tl_synth_activity_floor(st, 3, 0.1);	/* 0.1 * 6 = 0.6 < 1.5 */
	cr_assert_float_eq(st[0].activity, 1.5, 0);
	cr_assert_float_eq(st[1].activity, 2.5, 0);
	tl_synth_activity_floor(st, 3, 0.5);	/* c * 3 >= 1: no floor */
	cr_assert_float_eq(st[0].activity, 2.5, 0);
	cr_assert_float_eq(st[2].activity, 2.5, 0);
}
