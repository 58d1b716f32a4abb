/* Unit tests for lib/tl_nsga2: crowding distances and a selection of a
 * small hand-made population (with constraints) against values computed
 * by hand, the crowded-comparison tournament, constrained ranks against
 * the definition checked pair by pair, generations formed from the trial
 * order (children come only from the elite), and determinism. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "tl_err.h"
#include "tl_nsga2.h"
#include "tl_rng.h"
#include "tl_space.h"
#include "unit.h"

#define TOL	1e-12	/* sums of a few exact quotients */

/* Does i dominate j under constraints (Deb et al. 2002, section VI),
 * written out again for the checks. */
static int
cdom(const double *y, const double *viol, size_t m, size_t i, size_t j)
{
	size_t k, le = 0, lt = 0;

	if (viol[i] > 0 || viol[j] > 0)
		return viol[i] < viol[j] || (viol[i] <= 0 && viol[j] > 0);
	for (k = 0; k < m; k++) {
		le += y[i * m + k] <= y[j * m + k];
		lt += y[i * m + k] < y[j * m + k];
	}
	return le == m && lt > 0;
}

/* front {0, 1, 2, 3}; 4 dominated by 1; 5 and 6 infeasible (6 less) */
static const double hand_y[] = { 1, 5, 2, 3, 4, 2, 6, 1, 3, 4, 0, 0,
    0.5, 0.5 };
static const double hand_viol[] = { 0, 0, 0, -0.25, 0, 0.5, 0.2 };

Test(tl_nsga2, ranks_and_crowding_by_hand)
{
	size_t rank[7], sel[7], i;
	size_t want_rank[] = { 0, 0, 0, 0, 1, 3, 2 };
	double crowd[7];

	tl_nsga2_select(hand_y, hand_viol, 7, 2, 7, sel, rank, crowd);
	for (i = 0; i < 7; i++)
		cr_assert_eq(rank[i], want_rank[i], "point %zu", i);
	/* f1 spans 5: 1 2 4 6; f2 spans 4: 1 2 3 5 */
	cr_assert(isinf(crowd[0]) && isinf(crowd[3]));
	cr_assert_float_eq(crowd[1], (4.0 - 1) / 5 + (5.0 - 2) / 4, TOL);
	cr_assert_float_eq(crowd[2], (6.0 - 2) / 5 + (3.0 - 1) / 4, TOL);
	/* alone in their fronts: boundary points */
	cr_assert(isinf(crowd[4]) && isinf(crowd[5]) && isinf(crowd[6]));
}

Test(tl_nsga2, selection_by_hand)
{
	size_t rank[7], sel[7];
	double crowd[7];
	size_t want3[] = { 0, 3, 1 }, want6[] = { 0, 1, 2, 3, 4, 6 };

	/* the first front does not fit: its ends, then 1 (1.35 > 1.3) */
	tl_nsga2_select(hand_y, hand_viol, 7, 2, 3, sel, rank, crowd);
	cr_assert_arr_eq(sel, want3, sizeof(want3));
	/* whole fronts, the less infeasible point first */
	tl_nsga2_select(hand_y, hand_viol, 7, 2, 6, sel, rank, crowd);
	cr_assert_arr_eq(sel, want6, sizeof(want6));
}

Test(tl_nsga2, tournament)
{
	size_t rank[] = { 0, 1, 0, 0 };
	double crowd[] = { 0.7, HUGE_VAL, 1.3, 0.7 };

	cr_assert_eq(tl_nsga2_tournament(rank, crowd, 0, 1), 0);
	cr_assert_eq(tl_nsga2_tournament(rank, crowd, 1, 0), 0);
	cr_assert_eq(tl_nsga2_tournament(rank, crowd, 0, 2), 2);
	cr_assert_eq(tl_nsga2_tournament(rank, crowd, 2, 0), 2);
	cr_assert_eq(tl_nsga2_tournament(rank, crowd, 3, 0), 3);
	cr_assert_eq(tl_nsga2_tournament(rank, crowd, 0, 3), 0);
}

Test(tl_nsga2, constrained_rank_matches_the_definition)
{
	gsl_rng *r = tl_rng_alloc(7, 0);
	size_t n = 40, m = 3, i, j, t, rank[40], nf;
	double y[40 * 3], viol[40];

	for (t = 0; t < 20; t++) {
		for (i = 0; i < n * m; i++)	/* ties on a coarse grid */
			y[i] = (double)tl_rng_below(r, 5);
		for (i = 0; i < n; i++)
			viol[i] = tl_rng_uniform(r) < 0.3 ?
			    (double)(1 + tl_rng_below(r, 4)) / 4 : -0.125;
		nf = tl_nsga2_rank(y, viol, n, m, rank);
		for (i = 0; i < n; i++) {
			int below = rank[i] == 0;

			cr_assert_lt(rank[i], nf);
			for (j = 0; j < n; j++) {
				if (cdom(y, viol, m, j, i))
					cr_assert_lt(rank[j], rank[i]);
				if (rank[j] + 1 == rank[i] &&
				    cdom(y, viol, m, j, i))
					below = 1;
			}
			cr_assert(below, "point %zu of front %zu has no "
			    "dominator in the front before", i, rank[i]);
		}
	}
	tl_rng_free(r);
}

/* 4 trials per generation: generation 0 a front at x = 0.1 .. 0.4,
 * generation 1 dominated by all of it, at x = 0.6 .. 0.9. */
static struct tl_nsga2 *
two_generations(const struct tl_space *s, double crossover)
{
	struct tl_nsga2_params p = { .population = 4,
	    .crossover_prob = crossover, .swap_prob = 0.5,
	    .mutation_prob = 1e-300 };
	struct tl_nsga2 *g = tl_nsga2_alloc(s, 2, &p);
	double x[2], y[2];
	size_t i;

	for (i = 0; i < 8; i++) {
		x[0] = x[1] = 0.1 * (double)(i + 1 + (i >= 4));
		y[0] = i < 4 ? (double)i : 10 + (double)i;
		y[1] = i < 4 ? 3 - (double)i : 10;
		cr_assert_eq(tl_nsga2_generations(g), i / 4);
		tl_nsga2_observe(g, x, y, 0);
	}
	cr_assert_eq(tl_nsga2_generations(g), 2);
	return g;
}

Test(tl_nsga2, children_of_the_elite_only)
{
	struct tl_space *s = ut_space("{\"a\": {\"type\": \"float\", \"low\": 0, "
	    "\"high\": 1}, \"b\": {\"type\": \"float\", \"low\": 0, "
	    "\"high\": 1}}");
	struct tl_nsga2 *g = two_generations(s, 1);
	struct tl_nsga2 *copy = two_generations(s, 0);
	gsl_rng *r = tl_rng_alloc(3, 0);
	double x[2];
	size_t t, j, k, mixed = 0;

	for (t = 0; t < 200; t++) {
		cr_assert_eq(tl_nsga2_child(g, r, x), 0);
		for (j = 0; j < 2; j++) {
			for (k = 1; k <= 4 && fabs(x[j] - 0.1 * (double)k) >
			    1e-15; k++)
				;
			cr_assert_leq(k, 4, "coordinate %g of no parent",
			    x[j]);
		}
		mixed += fabs(x[0] - x[1]) > 1e-15;
		/* without crossover: a copy of a parent */
		cr_assert_eq(tl_nsga2_child(copy, r, x), 0);
		cr_assert_float_eq(x[0], x[1], 1e-15);
	}
	cr_assert_gt(mixed, 0, "uniform crossover never mixed two parents");
	tl_rng_free(r);
	tl_nsga2_free(copy);
	tl_nsga2_free(g);
	tl_space_free(s);
}

Test(tl_nsga2, no_parent_before_a_generation)
{
	struct tl_space *s = ut_space("{\"a\": {\"type\": \"float\", \"low\": 0, "
	    "\"high\": 1}}");
	struct tl_nsga2_params p = TL_NSGA2_PARAMS_DEFAULT;
	struct tl_nsga2 *g = tl_nsga2_alloc(s, 2, &p);
	gsl_rng *r = tl_rng_alloc(3, 0);
	double x = 0.25, y[2] = { 1.5, -2.25 };
	size_t i;

	for (i = 0; i + 1 < p.population; i++)
		tl_nsga2_observe(g, &x, y, 0);
	cr_assert_eq(tl_nsga2_child(g, r, &x), -1);
	tl_nsga2_observe(g, &x, y, 0);
	cr_assert_eq(tl_nsga2_child(g, r, &x), 0);
	tl_nsga2_reset(g);
	cr_assert_eq(tl_nsga2_generations(g), 0);
	cr_assert_eq(tl_nsga2_child(g, r, &x), -1);
	tl_rng_free(r);
	tl_nsga2_free(g);
	tl_space_free(s);
}

Test(tl_nsga2, deterministic)
{
	struct tl_space *s = ut_space("{\"a\": {\"type\": \"float\", \"low\": 0, "
	    "\"high\": 1}, \"b\": {\"type\": \"int\", \"low\": 1, "
	    "\"high\": 9}, \"c\": {\"type\": \"categorical\", \"choices\": "
	    "[\"p\", \"q\", \"r\"]}}");
	struct tl_nsga2_params p = TL_NSGA2_PARAMS_DEFAULT;
	struct tl_nsga2 *g[2];
	gsl_rng *r[3];
	double x[3][3], q[3], y[2];
	size_t i, k, differ = 0;

	for (k = 0; k < 2; k++)
		g[k] = tl_nsga2_alloc(s, 2, &p);
	r[2] = tl_rng_alloc(11, 0);
	for (i = 0; i < 120; i++) {
		for (k = 0; k < 3; k++)
			q[k] = tl_rng_uniform(r[2]);
		tl_space_from_unit(s, q, x[0]);
		y[0] = x[0][0] + 0.1 * x[0][2];
		y[1] = 1 - sqrt(x[0][0]) + x[0][1] / 9;
		for (k = 0; k < 2; k++)
			tl_nsga2_observe(g[k], x[0], y, i % 7 == 3 ? 0.5 : 0);
	}
	tl_rng_free(r[2]);
	r[0] = tl_rng_alloc(5, 2);
	r[1] = tl_rng_alloc(5, 2);
	r[2] = tl_rng_alloc(6, 2);
	for (i = 0; i < 50; i++) {
		for (k = 0; k < 2; k++)
			cr_assert_eq(tl_nsga2_child(g[k], r[k], x[k]), 0);
		cr_assert_eq(tl_nsga2_child(g[0], r[2], x[2]), 0);
		cr_assert_arr_eq(x[0], x[1], sizeof(x[0]));
		differ += memcmp(x[0], x[2], sizeof(x[0])) != 0;
	}
	cr_assert_gt(differ, 0, "another seed, the same children");
	for (k = 0; k < 3; k++)
		tl_rng_free(r[k]);
	for (k = 0; k < 2; k++)
		tl_nsga2_free(g[k]);
	tl_space_free(s);
}
