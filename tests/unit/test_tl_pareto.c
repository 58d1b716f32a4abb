/* Unit tests for lib/tl_pareto: non-dominated sorting against the
 * definition checked pair by pair (O(n^2)), crowding distance and
 * hypervolume against hand-computed values, the hypervolume and each
 * point's contribution against a brute-force count of the unit cells of
 * an integer grid (exact for integer points), greedy subset selection
 * against exhaustive gains. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_pareto.h"
#include "tl_rng.h"

#define GRID	8	/* integer coordinates in [0, GRID), ref GRID */

/* Does a dominate b, written out again for the checks. */
static int
dom(const double *a, const double *b, size_t m)
{
	size_t j, le = 0, lt = 0;

	for (j = 0; j < m; j++) {
		le += a[j] <= b[j];
		lt += a[j] < b[j];
	}
	return le == m && lt > 0;
}

/* The hypervolume by counting the unit cells [c, c + 1)^m of
 * [0, GRID)^m whose lower corner some point weakly dominates (all of
 * y[i] <= c), skipping the points flagged out (skip may be -1). */
static double
grid_hv(const double *y, size_t n, size_t m, long skip)
{
	size_t cells = 1, cell, i, j, count = 0;
	long c[4];

	for (j = 0; j < m; j++)
		cells *= GRID;
	for (cell = 0; cell < cells; cell++) {
		size_t r = cell;

		for (j = 0; j < m; j++) {
			c[j] = (long)(r % GRID);
			r /= GRID;
		}
		for (i = 0; i < n; i++) {
			if ((long)i == skip)
				continue;
			for (j = 0; j < m && y[i * m + j] <= (double)c[j]; j++)
				;
			if (j == m)
				break;
		}
		count += i < n;
	}
	return (double)count;
}

static void
random_points(gsl_rng *r, double *y, size_t n, size_t m)
{
	size_t i;

	for (i = 0; i < n * m; i++)
		y[i] = (double)gsl_rng_uniform_int(r, GRID);
}

Test(tl_pareto, rank_matches_the_definition)
{
	gsl_rng *r = tl_rng_alloc(7, 0);
	double y[40 * 3];
	size_t rank[40], n, m, i, j, rep, nf, mx;

	for (rep = 0; rep < 60; rep++) {
		n = 1 + rep % 40;
		m = 2 + rep % 2;
		random_points(r, y, n, m);
		nf = tl_pareto_rank(y, n, m, rank);
		mx = 0;
		for (i = 0; i < n; i++) {
			int below = 0;

			mx = rank[i] > mx ? rank[i] : mx;
			for (j = 0; j < n; j++) {
				if (!dom(&y[j * m], &y[i * m], m))
					continue;
				/* whoever dominates i ranks lower */
				cr_assert_lt(rank[j], rank[i]);
				below |= rank[j] + 1 == rank[i];
			}
			/* rank r > 0: dominated by one of rank r - 1 */
			cr_assert(rank[i] == 0 || below, "rep %zu point %zu",
			    rep, i);
		}
		cr_assert_eq(nf, mx + 1);
	}
	cr_assert_eq(tl_pareto_rank(y, 0, 2, rank), 0);
	tl_rng_free(r);
}

Test(tl_pareto, equal_points_share_a_rank)
{
	double y[] = { 1, 2, 1, 2, 0, 3, 2, 2 };
	size_t rank[4];

	cr_assert_eq(tl_pareto_rank(y, 4, 2, rank), 2);
	cr_assert_eq(rank[0], 0);
	cr_assert_eq(rank[1], 0);
	cr_assert_eq(rank[2], 0);
	cr_assert_eq(rank[3], 1);
}

Test(tl_pareto, crowding_by_hand)
{
	/* obj 0 sorted 0, 1, 2, 4 (span 4), obj 1 sorted 0, 1, 2, 4:
	 * (1,2) gets (2-0)/4 + (4-1)/4 = 1.25, (2,1) (4-1)/4 + (2-0)/4 */
	double y[] = { 0, 4, 1, 2, 2, 1, 4, 0 }, d[4];
	size_t idx[] = { 0, 1, 2, 3 };

	tl_pareto_crowding(y, 2, idx, 4, d);
	cr_assert(isinf(d[0]) && isinf(d[3]));
	cr_assert_float_eq(d[1], 1.25, 1e-15);
	cr_assert_float_eq(d[2], 1.25, 1e-15);
}

Test(tl_pareto, hv_by_hand)
{
	/* 2-d staircase: 3*1 + 2*1 + 1*1 */
	double a[] = { 1, 3, 2, 2, 3, 1 }, ra[] = { 4, 4 };
	/* 3-d: boxes 2*2*1 + 2*1*2 less their overlap 2*1*1 */
	double b[] = { 0, 0, 1, 0, 1, 0 }, rb[] = { 2, 2, 2 };
	/* a point not beating ref in one objective adds nothing */
	double c[] = { 1, 1, 1, 0.5, 2.5, 0.5 }, rc[] = { 2, 2.5, 4 };
	double d[] = { 1.25, 0.5 };

	cr_assert_float_eq(tl_pareto_hv(a, 3, 2, ra), 6, 1e-12);
	cr_assert_float_eq(tl_pareto_hv(b, 2, 3, rb), 6, 1e-12);
	cr_assert_float_eq(tl_pareto_hv(c, 2, 3, rc), 1 * 1.5 * 3, 1e-12);
	cr_assert_float_eq(tl_pareto_hv(d, 2, 1, d + 1), 0, 1e-12);
	cr_assert_float_eq(tl_pareto_hv(d, 1, 1, (double[]){ 2 }), 0.75,
	    1e-12);
	cr_assert_float_eq(tl_pareto_hv(a, 0, 2, ra), 0, 1e-12);
}

Test(tl_pareto, hv_and_contrib_against_the_grid)
{
	gsl_rng *r = tl_rng_alloc(11, 0);
	double y[25 * 4], ref[4] = { GRID, GRID, GRID, GRID }, c[25];
	size_t n, m, i, rep;

	for (rep = 0; rep < 45; rep++) {
		m = 2 + rep % 3;	/* 2, 3 and 4 objectives */
		n = 1 + (rep * 7) % 25;
		random_points(r, y, n, m);
		cr_assert_float_eq(tl_pareto_hv(y, n, m, ref),
		    grid_hv(y, n, m, -1), 1e-9, "rep %zu m %zu n %zu", rep, m,
		    n);
		tl_pareto_contrib(y, n, m, ref, c);
		for (i = 0; i < n; i++)
			cr_assert_float_eq(c[i], grid_hv(y, n, m, -1) -
			    grid_hv(y, n, m, (long)i), 1e-9);
	}
	tl_rng_free(r);
}

Test(tl_pareto, hssp_is_greedy)
{
	gsl_rng *r = tl_rng_alloc(5, 0);
	double y[12 * 3], ref[3] = { GRID, GRID, GRID }, sub[12 * 3];
	size_t sel[4], i, s, t, n = 12, m = 3;

	random_points(r, y, n, m);
	tl_pareto_hssp(y, n, m, ref, 4, sel);
	for (s = 0; s < 4; s++) {
		/* sel[s] adds the most to sel[0..s), by the grid */
		double best = -1, got;

		for (t = 0; t < s; t++)
			memcpy(&sub[t * m], &y[sel[t] * m], m * sizeof(double));
		memcpy(&sub[s * m], &y[sel[s] * m], m * sizeof(double));
		got = grid_hv(sub, s + 1, m, -1);
		for (i = 0; i < n; i++) {
			memcpy(&sub[s * m], &y[i * m], m * sizeof(double));
			best = fmax(best, grid_hv(sub, s + 1, m, -1));
		}
		cr_assert_float_eq(got, best, 1e-9, "step %zu", s);
	}
	tl_rng_free(r);
}

Test(tl_pareto, split_fronts_then_hssp)
{
	/* front 0: (1,5), (3,3), (5,1); front 1: (6,6); k = 2 cuts front
	 * 0 with reference 1.1 * (5,5) = (5.5,5.5): boxes 4.5*0.5,
	 * 2.5*2.5, 0.5*4.5, so (3,3) first; then (1,5) adds 0.5*(3-1)... :
	 * (1,5) adds (3-1)*0.5 = 1 and (5,1) adds 0.5*2 = 1: a tie, the
	 * lower index wins */
	double y[] = { 6, 6, 1, 5, 3, 3, 5, 1 };
	unsigned char good[4];

	tl_pareto_split(y, 4, 2, 2, good);
	cr_assert_eq(good[0] + good[1] * 2 + good[2] * 4 + good[3] * 8,
	    2 + 4);
	tl_pareto_split(y, 4, 2, 3, good);	/* front 0 whole */
	cr_assert_eq(good[0] + good[1] * 2 + good[2] * 4 + good[3] * 8,
	    2 + 4 + 8);
	tl_pareto_split(y, 4, 2, 4, good);
	cr_assert_eq(good[0] + good[1] + good[2] + good[3], 4);
}

Test(tl_pareto, reference_point_by_hand)
{
	/* worst (-2, 5): 0.9 * -2, 1.1 * 5; worst (0, -1): tiny, -0.9 */
	double y1[] = { -2, 0, -3, 5 }, y2[] = { 0, -1, -1, -2.5 }, r[2];

	tl_pareto_ref(y1, 2, 2, r);
	cr_assert_float_eq(r[0], -1.8, 1e-15);
	cr_assert_float_eq(r[1], 5.5, 1e-15);
	tl_pareto_ref(y2, 2, 2, r);
	cr_assert(r[0] > 0 && r[0] < 1e-9);
	cr_assert_float_eq(r[1], -0.9, 1e-15);
}

Test(tl_pareto, weights_by_hand)
{
	/* reference (4.4, 4.4); exclusive boxes: (1,4) 1 x 0.4, (2,2)
	 * 2 x 2, (4,1) 0.4 x 1; over the largest */
	double y[] = { 1, 4, 2, 2, 4, 1 }, w[3], one = 2.385;

	tl_pareto_weights(y, 3, 2, w);
	cr_assert_float_eq(w[0], 0.1, 1e-9);
	cr_assert_float_eq(w[1], 1, 1e-15);
	cr_assert_float_eq(w[2], 0.1, 1e-9);
	tl_pareto_weights(y, 1, 2, &one);
	cr_assert_float_eq(one, 1, 1e-15);
}
