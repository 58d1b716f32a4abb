/*
 * tl_qp against closed forms (unconstrained minimum variance w ~ Q^-1 1,
 * mean-variance with only the sum row, the 2-asset minimum variance with
 * and without an active bound), against a brute force that enumerates
 * every face of small random problems (bounds, caps, L1 kinks) and
 * solves each face's KKT system with GSL, and against the objective
 * values R quadprog and cvxopt gave for the stored 30-weight problem.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>

#include "tl_qp.h"
#include "tl_rng.h"

/* a 4 x 4 covariance with entropy (daily-return scale x 1e4) */
static const double Q4[16] = {
	2.385, 0.412, -0.27, 0.91,
	0.412, 1.127, 0.233, -0.155,
	-0.27, 0.233, 3.018, 0.642,
	0.91, -0.155, 0.642, 1.874 };

static void
setup(struct tl_qp_problem *pr, size_t n, const double *q, const double *c,
    const double *lo, const double *hi)
{
	*pr = (struct tl_qp_problem){ .n = n, .q = q, .c = c, .lo = lo,
	    .hi = hi, .sum = 1 };
}

/* Solve the n x n system a x = b with GSL (LU): an independent solver. */
static void
gsl_solve(size_t n, double *a, double *b, double *x)
{
	gsl_matrix_view A = gsl_matrix_view_array(a, n, n);
	gsl_vector_view B = gsl_vector_view_array(b, n);
	gsl_vector_view X = gsl_vector_view_array(x, n);
	gsl_permutation *p = gsl_permutation_alloc(n);
	int s;

	gsl_linalg_LU_decomp(&A.matrix, p, &s);
	gsl_linalg_LU_solve(&A.matrix, p, &B.vector, &X.vector);
	gsl_permutation_free(p);
}

Test(tl_qp, unconstrained_min_variance_is_q_inverse_one)
{
	double a[16], one[4] = { 1, 1, 1, 1 }, want[4], w[4], s = 0;
	double c[4] = { 0 }, lo[4], hi[4];
	struct tl_qp_problem pr;
	struct tl_qp *qp = tl_qp_alloc(4);
	struct tl_err err = { 0 };
	int i;

	memcpy(a, Q4, sizeof(a));
	gsl_solve(4, a, one, want);
	for (i = 0; i < 4; i++)
		s += want[i];
	for (i = 0; i < 4; i++) {
		want[i] /= s;
		lo[i] = -10;
		hi[i] = 10;
	}
	setup(&pr, 4, Q4, c, lo, hi);
	cr_assert_eq(tl_qp_solve(qp, &pr, w, 0, NULL, &err), 0, "%s",
	    err.msg);
	for (i = 0; i < 4; i++)
		cr_assert_float_eq(w[i], want[i], 1e-13, "w[%d]", i);
	tl_qp_free(qp);
}

Test(tl_qp, mean_variance_with_sum_row_closed_form)
{
	/* w = Q^-1 (c - nu 1), nu chosen so that sum w = 1 */
	double a[16], cc[4], one[4] = { 1, 1, 1, 1 }, x[4], y[4], w[4];
	double c[4] = { 0.85, -0.31, 1.27, 0.4 }, lo[4], hi[4], sx = 0;
	double sy = 0, nu;
	struct tl_qp_problem pr;
	struct tl_qp *qp = tl_qp_alloc(4);
	struct tl_err err = { 0 };
	int i;

	memcpy(a, Q4, sizeof(a));
	memcpy(cc, c, sizeof(cc));
	gsl_solve(4, a, cc, x);
	memcpy(a, Q4, sizeof(a));
	gsl_solve(4, a, one, y);
	for (i = 0; i < 4; i++) {
		sx += x[i];
		sy += y[i];
		lo[i] = -100;
		hi[i] = 100;
	}
	nu = (sx - 1) / sy;
	setup(&pr, 4, Q4, c, lo, hi);
	cr_assert_eq(tl_qp_solve(qp, &pr, w, 0, NULL, &err), 0, "%s",
	    err.msg);
	for (i = 0; i < 4; i++)
		cr_assert_float_eq(w[i], x[i] - nu * y[i], 1e-12, "w[%d]", i);
	tl_qp_free(qp);
}

Test(tl_qp, two_assets_closed_form_and_active_bound)
{
	/* w1 = (s2^2 - s12) / (s1^2 + s2^2 - 2 s12) */
	double q[4] = { 0.0441, 0.0063, 0.0063, 0.0144 }, c[2] = { 0 };
	double lo[2] = { 0, 0 }, hi[2] = { 1, 1 }, w[2], w1;
	struct tl_qp_problem pr;
	struct tl_qp *qp = tl_qp_alloc(2);
	struct tl_qp_info info;
	struct tl_err err = { 0 };

	w1 = (0.0144 - 0.0063) / (0.0441 + 0.0144 - 2 * 0.0063);
	setup(&pr, 2, q, c, lo, hi);
	cr_assert_eq(tl_qp_solve(qp, &pr, w, 0, &info, &err), 0);
	cr_assert_float_eq(w[0], w1, 1e-15);
	cr_assert_float_eq(w[1], 1 - w1, 1e-15);
	cr_assert_eq(info.nfree, 2);
	/* a cap below w1 binds: w = (cap, 1 - cap) */
	hi[0] = 0.1;
	cr_assert_eq(tl_qp_solve(qp, &pr, w, 0, &info, &err), 0);
	cr_assert_eq(w[0], 0.1);
	cr_assert_float_eq(w[1], 0.9, 1e-15);
	cr_assert_eq(tl_qp_state(qp, 0), TL_QP_UPPER);
	/* correlated enough that the unconstrained optimum shorts asset 0:
	 * long only puts everything in asset 1 */
	q[1] = q[2] = 0.0175;
	hi[0] = 1;
	cr_assert_eq(tl_qp_solve(qp, &pr, w, 0, &info, &err), 0);
	cr_assert_eq(w[0], 0);
	cr_assert_float_eq(w[1], 1, 1e-15);
	tl_qp_free(qp);
}

/* A budget that the caps just allow (tl-allocate's cash case): weights
 * 0 and 1 share the cap 0.3, weight 2 has its own 0.3, and they must
 * sum to 0.6.  The sum row then fixes the group's sum, which the
 * solver must not take for a cap that blocks (it cycled, adding the cap
 * and dropping it again).  The minimum of var(t, 0.3 - t, 0.3) is
 * t = (0.3 (Q11 - Q01) + 0.3 (Q12 - Q02)) / (Q00 + Q11 - 2 Q01), with
 * weight 2 pinned (lo = hi) or free. */
Test(tl_qp, group_cap_fixed_by_the_sum_row)
{
	double c[3] = { 0 }, lo[3] = { 0, 0, 0.3 }, hi[3] = { 0.3, 0.3, 0.3 };
	double q[9], w[3], cap[1] = { 0.3 }, t;
	size_t group[3] = { 0, 0, TL_QP_NOGROUP }, i, j;
	struct tl_qp_problem pr;
	struct tl_qp *qp = tl_qp_alloc(3);
	struct tl_err err = { 0 };
	int pass;

	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			q[i * 3 + j] = Q4[i * 4 + j];
	t = (0.3 * (q[4] - q[1]) + 0.3 * (q[5] - q[2])) / (q[0] + q[4] -
	    2 * q[1]);
	for (pass = 0; pass < 2; pass++) {
		lo[2] = pass == 0 ? 0.3 : 0;
		setup(&pr, 3, q, c, lo, hi);
		pr.sum = 0.6;
		pr.ngroups = 1;
		pr.group = group;
		pr.cap = cap;
		cr_assert_eq(tl_qp_solve(qp, &pr, w, 0, NULL, &err), 0,
		    "pass %d: %s", pass, err.msg);
		cr_assert_float_eq(w[0], t, 1e-15, "%.17g vs %.17g", w[0], t);
		cr_assert_float_eq(w[1], 0.3 - t, 1e-15);
		cr_assert_float_eq(w[2], 0.3, 1e-15);
		cr_assert_leq(tl_qp_violation(&pr, w), 1e-15);
	}
	tl_qp_free(qp);
}

Test(tl_qp, infeasible_and_singular)
{
	double q[4] = { 1, 1, 1, 1 }, c[2] = { 0 }, lo[2] = { 0.6, 0.6 };
	double hi[2] = { 1, 1 }, w[2];
	struct tl_qp_problem pr;
	struct tl_qp *qp = tl_qp_alloc(2);
	struct tl_err err = { 0 };

	setup(&pr, 2, q, c, lo, hi);
	cr_assert_eq(tl_qp_solve(qp, &pr, w, 0, NULL, &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.msg, "the minimum weights sum to 1.2, more than "
	    "1");
	lo[0] = lo[1] = 0;
	hi[0] = hi[1] = 0.4;
	cr_assert_eq(tl_qp_solve(qp, &pr, w, 0, NULL, &err), -1);
	cr_assert_str_eq(err.msg, "the maximum weights allow at most 0.8, "
	    "less than 1");
	tl_qp_free(qp);
}

Test(tl_qp, identical_assets_singular_q_still_solved)
{
	/* assets 0 and 1 identical: Q singular, the optimum is not unique,
	 * but the objective is: w0 + w1 = w2 = 0.5, 1/2 (0.25 + 0.25) */
	double q[9] = { 1, 1, 0, 1, 1, 0, 0, 0, 1 }, c[3] = { 0 };
	double lo[3] = { 0, 0, 0 }, hi[3] = { 1, 1, 1 }, w[3];
	struct tl_qp_problem pr;
	struct tl_qp *qp = tl_qp_alloc(3);
	struct tl_err err = { 0 };

	setup(&pr, 3, q, c, lo, hi);
	cr_assert_eq(tl_qp_solve(qp, &pr, w, 0, NULL, &err), 0, "%s",
	    err.msg);
	cr_assert_float_eq(tl_qp_objective(&pr, w), 0.25, 1e-15);
	cr_assert_float_eq(w[2], 0.5, 1e-15);
	tl_qp_free(qp);
}

/* ---- brute force over faces ------------------------------------------ */

/* Face states of one weight: at lo, at hi, at p, free below p, above p. */
enum { F_LO, F_HI, F_P, F_BELOW, F_ABOVE, F_N };

/* Minimiser of the objective on one face (fixed weights, free weights
 * with their side, active caps as equalities), or 0 if it is not a
 * point of the feasible set.  Solved by GSL's LU on the KKT system. */
static int
face_point(const struct tl_qp_problem *pr, const int *st, const int *gact,
    double *w)
{
	size_t n = pr->n, nf = 0, m = 1, i, j, k, g, dim;
	size_t idx[8], rowg[8];
	double a[256], b[16], x[16], p, lo, hi;

	for (g = 0; g < pr->ngroups; g++)
		if (gact[g])
			rowg[m++] = g;
	for (i = 0; i < n; i++) {
		p = pr->prev != NULL ? pr->prev[i] : 0;
		switch (st[i]) {
		case F_LO:
			w[i] = pr->lo[i];
			break;
		case F_HI:
			w[i] = pr->hi[i];
			break;
		case F_P:
			if (pr->prev == NULL || p <= pr->lo[i] ||
			    p >= pr->hi[i])
				return 0;
			w[i] = p;
			break;
		default:
			if (pr->prev == NULL && st[i] == F_BELOW)
				return 0;
			idx[nf++] = i;
		}
	}
	dim = nf + m;
	memset(a, 0, sizeof(a));
	for (j = 0; j < nf; j++) {
		i = idx[j];
		b[j] = pr->c[i];
		if (pr->prev != NULL)
			b[j] -= pr->mu * (st[i] == F_ABOVE ? 1 : -1);
		for (k = 0; k < n; k++) {
			int fk = st[k] == F_BELOW || st[k] == F_ABOVE;
			size_t q;

			if (!fk) {
				b[j] -= pr->q[i * n + k] * w[k];
				continue;
			}
			for (q = 0; q < nf; q++)
				if (idx[q] == k)
					a[j * dim + q] = pr->q[i * n + k];
		}
	}
	for (k = 0; k < m; k++) {
		double rhs = k == 0 ? pr->sum : pr->cap[rowg[k]];

		for (i = 0; i < n; i++) {
			int in = k == 0 || (pr->group != NULL &&
			    pr->group[i] == rowg[k]);
			int fi = st[i] == F_BELOW || st[i] == F_ABOVE;

			if (!in)
				continue;
			if (!fi)
				rhs -= w[i];
			else
				for (j = 0; j < nf; j++)
					if (idx[j] == i) {
						a[(nf + k) * dim + j] = 1;
						a[j * dim + nf + k] = 1;
					}
		}
		b[nf + k] = rhs;
	}
	{
		gsl_matrix_view A = gsl_matrix_view_array(a, dim, dim);
		gsl_vector_view B = gsl_vector_view_array(b, dim);
		gsl_vector_view X = gsl_vector_view_array(x, dim);
		gsl_permutation *pm = gsl_permutation_alloc(dim);
		int s;

		gsl_linalg_LU_decomp(&A.matrix, pm, &s);
		if (gsl_linalg_LU_solve(&A.matrix, pm, &B.vector,
		    &X.vector) != 0 || !isfinite(x[0])) {
			gsl_permutation_free(pm);
			return 0;
		}
		for (j = 0; j < dim; j++)
			if (!isfinite(x[j])) {
				gsl_permutation_free(pm);
				return 0;
			}
		gsl_permutation_free(pm);
	}
	for (j = 0; j < nf; j++) {
		i = idx[j];
		p = pr->prev != NULL ? pr->prev[i] : -INFINITY;
		lo = st[i] == F_ABOVE ? fmax(pr->lo[i], p) : pr->lo[i];
		hi = st[i] == F_BELOW ? fmin(pr->hi[i], p) : pr->hi[i];
		if (x[j] < lo - 1e-12 || x[j] > hi + 1e-12)
			return 0;
		w[i] = x[j];
	}
	return tl_qp_violation(pr, w) < 1e-12;
}

static double
brute_force(const struct tl_qp_problem *pr, double *best)
{
	size_t n = pr->n, i, code, ncode = 1, gc;
	int st[8], gact[4];
	double w[8], obj, bestobj = INFINITY;

	for (i = 0; i < n; i++)
		ncode *= F_N;
	for (gc = 0; gc < (1u << pr->ngroups); gc++) {
		for (i = 0; i < pr->ngroups; i++)
			gact[i] = (gc >> i) & 1;
		for (code = 0; code < ncode; code++) {
			size_t c = code;

			for (i = 0; i < n; i++) {
				st[i] = (int)(c % F_N);
				c /= F_N;
			}
			if (!face_point(pr, st, gact, w))
				continue;
			obj = tl_qp_objective(pr, w);
			if (obj < bestobj) {
				bestobj = obj;
				memcpy(best, w, n * sizeof(double));
			}
		}
	}
	return bestobj;
}

Test(tl_qp, random_small_problems_match_brute_force)
{
	gsl_rng *rng = tl_rng_alloc(20260105, 0);
	struct tl_qp *qp = tl_qp_alloc(6);
	struct tl_err err = { 0 };
	double f[6 * 3], q[36], c[6], lo[6], hi[6], prev[6], cap[2];
	double w[6], wb[6], ob;
	size_t group[6], n, i, j, k, trial;
	struct tl_qp_problem pr;

	gsl_set_error_handler_off();	/* singular faces are skipped */
	for (trial = 0; trial < 600; trial++) {
		n = 2 + trial % 5;
		for (i = 0; i < n * 3; i++)
			f[i] = gsl_ran_ugaussian(rng);
		for (i = 0; i < n; i++)
			for (j = 0; j < n; j++) {
				double s = i == j ? 0.2 + tl_rng_uniform(rng) :
				    0;

				for (k = 0; k < 3; k++)
					s += f[i * 3 + k] * f[j * 3 + k];
				q[i * n + j] = s;
			}
		for (i = 0; i < n; i++) {	/* symmetrise exactly */
			for (j = 0; j < i; j++)
				q[i * n + j] = q[j * n + i];
			c[i] = trial % 3 == 0 ? 0 : gsl_ran_ugaussian(rng);
			lo[i] = trial % 4 == 1 ? -0.3 : 0;
			hi[i] = trial % 2 ? 0.6 : 1;
			prev[i] = 1.0 / (double)n + (tl_rng_uniform(rng) -
			    0.5) / (double)n;
			group[i] = i < 2 ? 0 : i < 4 ? 1 : TL_QP_NOGROUP;
		}
		cap[0] = 0.35;
		cap[1] = 0.45;
		if (trial % 3 == 1)	/* a cap met by one weight at its bound:
					 * the degenerate start that cycled */
			cap[0] = cap[1] = hi[0];
		pr = (struct tl_qp_problem){ .n = n, .q = q, .c = c, .lo = lo,
		    .hi = hi, .sum = 1 };
		if (trial % 5 >= 3) {
			pr.ngroups = n < 4 ? 1 : 2;
			pr.group = group;
			pr.cap = cap;
		}
		if (trial % 7 >= 4) {
			pr.prev = prev;
			pr.mu = 0.05 + tl_rng_uniform(rng);
		}
		ob = brute_force(&pr, wb);
		if (!isfinite(ob)) {
			cr_assert_eq(tl_qp_solve(qp, &pr, w, 0, NULL, &err),
			    -1, "trial %zu: brute force found no point",
			    trial);
			continue;
		}
		cr_assert_eq(tl_qp_solve(qp, &pr, w, 0, NULL, &err), 0,
		    "trial %zu: %s", trial, err.msg);
		cr_assert(tl_qp_violation(&pr, w) < 1e-12, "trial %zu", trial);
		cr_assert_float_eq(tl_qp_objective(&pr, w), ob,
		    1e-11 * (1 + fabs(ob)), "trial %zu: %.17g vs %.17g", trial,
		    tl_qp_objective(&pr, w), ob);
		for (i = 0; i < n; i++)
			cr_assert_float_eq(w[i], wb[i], 1e-7, "trial %zu w[%zu]",
			    trial, i);
		/* a warm start from this solution with another mu agrees
		 * with a cold one */
		if (pr.prev != NULL) {
			double w2[6], mu = pr.mu;

			/* from the solution without the L1 term */
			pr.mu = 0;
			cr_assert_eq(tl_qp_solve(qp, &pr, w, 0, NULL, &err), 0, "trial %zu: %s", trial, err.msg);
			pr.mu = mu;
			cr_assert_eq(tl_qp_solve(qp, &pr, w, 1, NULL, &err), 0, "trial %zu: %s", trial, err.msg);
			cr_assert(tl_qp_violation(&pr, w) < 1e-12, "trial %zu",
			    trial);
			cr_assert_float_eq(tl_qp_objective(&pr, w), ob,
			    1e-11 * (1 + fabs(ob)), "trial %zu warm", trial);

			pr.mu *= 0.37;
			cr_assert_eq(tl_qp_solve(qp, &pr, w, 1, NULL, &err), 0, "trial %zu: %s", trial, err.msg);
			cr_assert_eq(tl_qp_solve(qp, &pr, w2, 0, NULL, &err), 0);
			cr_assert_float_eq(tl_qp_objective(&pr, w),
			    tl_qp_objective(&pr, w2), 1e-12);
		}
	}
	tl_qp_free(qp);
	tl_rng_free(rng);
}

/* ---- a dense solution: most weights free ------------------------------ */

/* An independent solver for min 1/2 w'Qw - c'w, sum w = 1, lo <= w <=
 * hi: pairwise coordinate descent (the SMO of Platt 1998 for the SVM
 * dual, which has the same constraints): move along e_i - e_j, i the
 * weight that can rise with the least gradient, j the one that can fall
 * with the greatest, by the exact minimiser on the segment, until the
 * gap g_j - g_i is below tol.  O(n) an iteration, nothing shared with
 * tl_qp but the problem. */
static size_t
smo(const double *q, const double *c, const double *lo, const double *hi,
    size_t n, double tol, double *w)
{
	double *g = calloc(n, sizeof(double)), gi, gj, t, curv, s = 0;
	size_t it, i, k, bi, bj;

	for (k = 0; k < n; k++) {	/* start: equal weights, clipped */
		w[k] = fmin(hi[k], fmax(lo[k], 1.0 / (double)n));
		s += w[k];
	}
	cr_assert_float_eq(s, 1, 1e-12, "the start must be feasible");
	for (i = 0; i < n; i++) {
		g[i] = -c[i];
		for (k = 0; k < n; k++)
			g[i] += q[i * n + k] * w[k];
	}
	for (it = 0; it < 10000000; it++) {
		bi = bj = n;
		gi = INFINITY;
		gj = -INFINITY;
		for (k = 0; k < n; k++) {
			if (w[k] < hi[k] && g[k] < gi)
				gi = g[k], bi = k;
			if (w[k] > lo[k] && g[k] > gj)
				gj = g[k], bj = k;
		}
		if (bi == n || bj == n || gj - gi <= tol)
			break;
		curv = q[bi * n + bi] + q[bj * n + bj] - 2 * q[bi * n + bj];
		t = fmin((gj - gi) / curv, fmin(hi[bi] - w[bi], w[bj] -
		    lo[bj]));
		w[bi] += t;
		w[bj] -= t;
		for (k = 0; k < n; k++)
			g[k] += t * (q[bi * n + k] - q[bj * n + k]);
	}
	free(g);
	return it;
}

/* n = 300 from a factor model whose idiosyncratic variances dominate:
 * the minimum variance is spread over most weights (the 10x night's
 * shape, 3,840 free of 4,412), some held at 0 by the factor loadings
 * and some at the cap.  Against smo(): weights within 1e-9 (smo stops
 * at a gap of 1e-15 relative to the largest Q_ii; the least eigenvalue
 * is above 0.05 of it, so its weights are good to about 1e-12), the
 * objective within 1e-12 relative; and the KKT conditions of tl_qp's
 * own answer in long double, within 1e-12 of the largest Q_ii.  Also
 * with a return term (mean-variance) and with lower bounds above 0. */
Test(tl_qp, dense_solution_matches_pairwise_descent)
{
	enum { N = 300, K = 4 };
	gsl_rng *rng = tl_rng_alloc(20261206, 0);
	double *q = calloc(N * N, sizeof(double)), f[N * K], c[N], lo[N];
	double hi[N], w[N], ws[N], scale = 0, ob, os, nu, vi;
	struct tl_qp *qp = tl_qp_alloc(N);
	struct tl_qp_problem pr;
	struct tl_qp_info info;
	struct tl_err err = { 0 };
	size_t i, j, k, nf;
	int pass;

	for (i = 0; i < N * K; i++)
		f[i] = (k = i % K) == 0 ? 0.8 + 0.5 * gsl_ran_ugaussian(rng) :
		    0.45 * gsl_ran_ugaussian(rng);
	for (i = 0; i < N; i++)
		for (j = 0; j <= i; j++) {
			double v = i == j ? 2.385 + 6 * tl_rng_uniform(rng) :
			    0;

			for (k = 0; k < K; k++)
				v += f[i * K + k] * f[j * K + k] * 0.09;
			q[i * N + j] = q[j * N + i] = v * 1e-4;
		}
	for (i = 0; i < N; i++)
		scale = fmax(scale, q[i * N + i]);
	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < N; i++) {
			c[i] = pass == 1 ? 3e-7 * gsl_ran_ugaussian(rng) : 0;
			lo[i] = pass == 2 && i % 7 == 0 ? 0.0005 : 0;
			hi[i] = 0.01;
		}
		pr = (struct tl_qp_problem){ .n = N, .q = q, .c = c, .lo = lo,
		    .hi = hi, .sum = 1 };
		cr_assert_eq(tl_qp_solve(qp, &pr, w, 0, &info, &err), 0,
		    "pass %d: %s", pass, err.msg);
		cr_assert_gt(info.nfree, N / 2, "pass %d: %zu free: not the "
		    "dense shape", pass, info.nfree);
		cr_assert_gt(info.nlower + info.nupper, 0, "pass %d", pass);
		/* the releases by blocks: about log2 of the free weights
		 * plus the weights that leave again, not one a weight (the
		 * one-at-a-time method took more than nfree) */
		cr_assert_lt(info.iter, info.nfree / 2, "pass %d: %zu "
		    "iterations for %zu free weights", pass, info.iter,
		    info.nfree);
		cr_assert_leq(tl_qp_violation(&pr, w), 1e-13);
		smo(q, c, lo, hi, N, 1e-15 * scale, ws);
		ob = tl_qp_objective(&pr, w);
		os = tl_qp_objective(&pr, ws);
		cr_assert_float_eq(ob, os, 1e-12 * fabs(os), "pass %d: %.17g "
		    "vs %.17g", pass, ob, os);
		for (i = 0; i < N; i++)
			cr_assert_float_eq(w[i], ws[i], 1e-9, "pass %d w[%zu]",
			    pass, i);
		/* KKT: g + nu = 0 on the free weights, >= 0 at lo, <= 0 at
		 * hi, nu from the free weights' mean */
		{
			long double g[N], sum = 0;

			for (i = nf = 0; i < N; i++) {
				g[i] = -c[i];
				for (j = 0; j < N; j++)
					g[i] += (long double)q[i * N + j] * w[j];
				if (tl_qp_state(qp, i) == TL_QP_FREE) {
					sum -= g[i];
					nf++;
				}
			}
			nu = (double)(sum / nf);
			for (i = 0; i < N; i++) {
				vi = (double)g[i] + nu;
				switch (tl_qp_state(qp, i)) {
				case TL_QP_FREE:
					vi = fabs(vi);
					break;
				case TL_QP_LOWER:
					vi = -vi;
					break;
				default:
					break;
				}
				cr_assert_leq(vi, 1e-12 * scale, "pass %d: KKT "
				    "at w[%zu] = %.17g: %g", pass, i, w[i], vi);
			}
		}
	}
	tl_qp_free(qp);
	tl_rng_free(rng);
	free(q);
}
