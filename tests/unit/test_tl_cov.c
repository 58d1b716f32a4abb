/*
 * tl_cov against a 12 x 3 Ledoit-Wolf vector (identity target, Ledoit &
 * Wolf 2004 JMVA eq. 14, as scikit-learn; constant correlation, Ledoit &
 * Wolf 2004 JPM, as covCor.m), a 4-asset HRP vector (Lopez de Prado 2016,
 * as PyPortfolioOpt); and the properties a user relies on (scale
 * invariance of the intensities, weights long-only summing to 1).  The estimates over gaps
 * (pairwise, shrunk pairwise) against the formulas computed here another
 * way, pair by pair; the nearest correlation matrix against two published
 * examples.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <gsl/gsl_eigen.h>

#include "tl_cov.h"

static const double X[36] = { 1, 2, 3, 3, 2, -1, -2, -1, 2, 0, 1, -4, 4, 3,
	1, -3, -4, 0, 2, 0, -2, -1, -2, 4, 5, 4, -3, -4, -3, 1, 1, 3, 2, -2,
	0, -1 };

Test(tl_cov, sample_covariance)
{
	static const double want[9] = { 7.3888888889, 5.7777777778,
	    -1.9722222222, 5.7777777778, 5.9097222222, -1.4027777778,
	    -1.9722222222, -1.4027777778, 5.4722222222 };
	double s[9];
	int i;

	tl_cov_sample(X, 12, 3, 0, s);
	for (i = 0; i < 9; i++)
		cr_assert_float_eq(s[i], want[i], 1e-10, "S[%d]", i);
	tl_cov_sample(X, 12, 3, 1, s);
	cr_assert_float_eq(s[0], 7.3888888889 * 12 / 11, 1e-9);
}

/* xorshift64 in [-1, 1) */
static double
unif(uint64_t *r)
{
	*r ^= *r << 13;
	*r ^= *r >> 7;
	*r ^= *r << 17;
	return (double)(*r >> 11) / 4503599627370496.0 - 1;
}

/* The tiled cross products have the bits of the plain loop (each sum in
 * day order from zero) for every shape: p below, at and past a tile of
 * four, odd and even; t within one block of days and across three. */
Test(tl_cov, cross_products_plain_bits)
{
	static const size_t ps[] = { 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 23, 40 };
	static const size_t ts[] = { 37, 300 };
	double *x, *c, *y, m[40], a;
	size_t q, u, t, p, i, j, k;
	uint64_t r = 88172645463325252ULL;

	x = calloc(40 * 300, sizeof(double));
	y = calloc(40 * 300, sizeof(double));
	c = calloc(40 * 40, sizeof(double));
	for (u = 0; u < sizeof(ts) / sizeof(ts[0]); u++)
		for (q = 0; q < sizeof(ps) / sizeof(ps[0]); q++) {
			p = ps[q];
			t = ts[u];
			for (k = 0; k < t * p; k++)
				x[k] = unif(&r);
			for (j = 0; j < p; j++) {
				for (m[j] = 0, k = 0; k < t; k++)
					m[j] += x[k * p + j];
				m[j] /= (double)t;
			}
			for (k = 0; k < t * p; k++)
				y[k] = x[k] - m[k % p];
			tl_cov_cross(x, t, p, c);
			for (i = 0; i < p; i++)
				for (j = 0; j < p; j++) {
					for (a = 0, k = 0; k < t; k++)
						a += y[k * p + i] * y[k * p + j];
					cr_assert(c[i * p + j] == a, "t %zu p %zu: "
					    "c[%zu][%zu] %.17g, plain %.17g", t,
					    p, i, j, c[i * p + j], a);
				}
		}
	free(c);
	free(y);
	free(x);
}

/* The plain Cholesky test, column by column, each sum in order: its
 * verdict, and the smallest pivot over its diagonal entry into *lo. */
static int
plain_posdef(const double *c, size_t n, double *lo)
{
	double *l = calloc(n * n + 1, sizeof(double)), s;
	size_t i, j, k;
	int ok = 1;

	*lo = INFINITY;
	for (j = 0; j < n && ok; j++) {
		s = c[j * n + j];
		for (k = 0; k < j; k++)
			s -= l[j * n + k] * l[j * n + k];
		if (!(s > TL_COV_PIVOT * c[j * n + j])) {
			ok = 0;
			break;
		}
		*lo = fmin(*lo, s / c[j * n + j]);
		l[j * n + j] = sqrt(s);
		for (i = j + 1; i < n; i++) {
			s = c[i * n + j];
			for (k = 0; k < j; k++)
				s -= l[i * n + k] * l[j * n + k];
			l[i * n + j] = s / l[j * n + j];
		}
	}
	free(l);
	if (!ok)
		*lo = 0;
	return ok;
}

/* The blocked Cholesky test has the plain loop's verdict and smallest
 * pivot, bit for bit, below, at and past a block of columns (64) and a
 * tile (4): Gram matrices B B' / k of k = n + 3 columns (positive
 * definite), of k = n / 2 (singular: the verdict is no, at whichever
 * pivot rounding reaches first in both), and one with a NaN. */
Test(tl_cov, posdef_blocked_plain_bits)
{
	static const size_t ns[] = { 1, 3, 4, 5, 63, 64, 65, 130, 197 };
	double *b, *c, lo, want;
	size_t q, v, n, k, i, j, h;
	uint64_t r = 2463534242ULL;
	int ok, pd;

	b = calloc(197 * 200, sizeof(double));
	c = calloc(197 * 197, sizeof(double));
	for (q = 0; q < sizeof(ns) / sizeof(ns[0]); q++)
		for (v = 0; v < 3; v++) {
			n = ns[q];
			k = v == 1 ? (n + 1) / 2 : n + 3;
			for (i = 0; i < n * k; i++)
				b[i] = unif(&r);
			for (i = 0; i < n; i++)
				for (j = 0; j < n; j++) {
					double a = 0;

					for (h = 0; h < k; h++)
						a += b[i * k + h] * b[j * k + h];
					c[i * n + j] = a / (double)k;
				}
			if (v == 2)
				c[(n - 1) * n + n / 2] = c[n / 2 * n + n - 1] =
				    NAN;
			pd = plain_posdef(c, n, &want);
			ok = tl_cov_posdef_margin(c, n, &lo);
			cr_assert_eq(ok, pd, "n %zu v %zu: %d, plain %d", n, v,
			    ok, pd);
			cr_assert(lo == want, "n %zu v %zu: margin %.17g, plain "
			    "%.17g", n, v, lo, want);
			cr_assert_eq(tl_cov_posdef(c, n), pd);
			if (v == 0)
				cr_assert(pd && lo > TL_COV_PIVOT && lo <= 1);
			if (v == 2 && n > 1)
				cr_assert(!pd, "n %zu: a NaN is no", n);
		}
	free(c);
	free(b);
}

/* The Ledoit-Wolf floor bounds the smallest pivot ratio the Cholesky
 * test measures, to 1e-9 relative (the rounding is O(p t 2^-53)):
 * fewer days than strategies (the sample covariance singular, the
 * shrinkage all that keeps it definite), and more; none without
 * shrinkage. */
Test(tl_cov, lw_identity_floor_bounds_pivots)
{
	static const size_t shape[][2] = { { 20, 60 }, { 30, 131 },
	    { 400, 9 }, { 150, 70 } };
	double *x, *out, k, lb, margin;
	size_t q, i, t, p;
	uint64_t r = 1181783497276652981ULL;

	x = calloc(400 * 131, sizeof(double));
	out = calloc(131 * 131, sizeof(double));
	for (q = 0; q < sizeof(shape) / sizeof(shape[0]); q++) {
		t = shape[q][0];
		p = shape[q][1];
		for (i = 0; i < t * p; i++)	/* a common factor, scales */
			x[i] = unif(&r) * (1 + (double)(i % p) / 10) +
			    0.7 * x[i - i % p];
		k = tl_cov_lw_identity(x, t, p, NULL, out);
		lb = tl_cov_lw_identity_floor(out, p, k);
		cr_assert(k > 0 && lb > 0, "t %zu p %zu: %g %g", t, p, k, lb);
		cr_assert(tl_cov_posdef_margin(out, p, &margin));
		cr_assert_geq(margin, lb * (1 - 1e-9), "t %zu p %zu: margin "
		    "%.17g below the floor %.17g", t, p, margin, lb);
	}
	cr_assert_eq(tl_cov_lw_identity_floor(out, p, 0), 0);
	free(out);
	free(x);
}

Test(tl_cov, ledoit_wolf_vectors)
{
	double out[9], s[9];
	double k;
	int i;

	k = tl_cov_lw_identity(X, 12, 3, NULL, out);
	cr_assert_float_eq(k, 0.28903382805956834, 1e-14);
	tl_cov_sample(X, 12, 3, 0, s);
	/* (1 - k) S + k m I, m = tr(S)/3 = 6.2569444444 */
	cr_assert_float_eq(out[0], (1 - k) * s[0] + k * 6.2569444444, 1e-9);
	cr_assert_float_eq(out[1], (1 - k) * s[1], 1e-12);
	cr_assert_float_eq(tl_cov_lw_constcorr(X, 12, 3, NULL, out),
	    0.18326096698692104, 1e-14);
	for (i = 0; i < 9; i++)
		cr_assert_float_eq(out[i], out[(i % 3) * 3 + i / 3], 1e-15,
		    "not symmetric");
}

Test(tl_cov, intensities_scale_invariant_and_bounded)
{
	double y[36];
	int i;

	for (i = 0; i < 36; i++)
		y[i] = X[i] * -2.385;
	cr_assert_float_eq(tl_cov_lw_identity(y, 12, 3, NULL, NULL),
	    tl_cov_lw_identity(X, 12, 3, NULL, NULL), 1e-13);
	cr_assert_float_eq(tl_cov_lw_constcorr(y, 12, 3, NULL, NULL),
	    tl_cov_lw_constcorr(X, 12, 3, NULL, NULL), 1e-13);
	/* 3 rows of 3 assets: shrink hard, but stay in [0, 1] */
	cr_assert(tl_cov_lw_constcorr(X, 3, 3, NULL, NULL) <= 1);
	cr_assert(tl_cov_lw_identity(X, 3, 3, NULL, NULL) <= 1);
	cr_assert_eq(tl_cov_lw_identity(X, 12, 1, NULL, NULL), 0);	/* p = 1 */
}

/* A one-factor covariance of 300 strategies: the change per sweep
 * stalls at its rounding floor above 1e-15; tl_erc says it converged,
 * and the risk contributions w_i (Cw)_i, computed here, are equal to
 * 1e-10 relative. */
Test(tl_cov, erc_converges_at_its_rounding_floor)
{
	enum { P = 300 };
	double *c, w[P], beta[P], idio[P], rc, lo = INFINITY, hi = 0;
	size_t i, j, sweeps;
	uint64_t r = 7640891576956012809ULL;

	c = calloc(P * P, sizeof(double));
	for (i = 0; i < P; i++) {
		beta[i] = 1 + 0.3 * unif(&r);
		idio[i] = 0.25 + 0.15 * unif(&r);
	}
	for (i = 0; i < P; i++)
		for (j = 0; j < P; j++)
			c[i * P + j] = 0.0225 * beta[i] * beta[j] + (i == j ?
			    idio[i] * idio[i] : 0);
	sweeps = tl_erc(c, P, w);
	cr_assert_gt(sweeps, 0);
	for (i = 0; i < P; i++) {
		for (rc = 0, j = 0; j < P; j++)
			rc += c[i * P + j] * w[j];
		rc *= w[i];
		lo = fmin(lo, rc);
		hi = fmax(hi, rc);
	}
	cr_assert_leq((hi - lo) / lo, 1e-10, "contributions %.17g..%.17g",
	    lo, hi);
	free(c);
}

Test(tl_cov, hrp_vector)
{
	static const double sg[4] = { 0.10, 0.20, 0.15, 0.25 };
	static const double r[16] = { 1, .2, .9, .1, .2, 1, .3, .8, .9, .3, 1,
	    .2, .1, .8, .2, 1 };
	static const double want[4] = { 0.53589909, 0.13775825, 0.23817737,
	    0.08816528 };
	double c[16], w[4], sum = 0;
	size_t o[4];
	int i, j;

	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++)
			c[i * 4 + j] = r[i * 4 + j] * sg[i] * sg[j];
	tl_hrp(c, 4, w, o);
	cr_assert_eq(o[0], 0);
	cr_assert_eq(o[1], 2);
	cr_assert_eq(o[2], 1);
	cr_assert_eq(o[3], 3);
	for (i = 0; i < 4; i++) {
		cr_assert_float_eq(w[i], want[i], 5e-9, "w[%d]", i);
		sum += w[i];
	}
	cr_assert_float_eq(sum, 1, 1e-15);
	/* the first split: alpha = 0.7740764635 */
	cr_assert_float_eq(w[0] + w[2], 0.7740764635, 1e-10);
}

/* Uncorrelated assets: HRP gives inverse-variance weights. */
Test(tl_cov, hrp_uncorrelated_is_inverse_variance)
{
	static const double v[5] = { 0.04, 0.01, 0.09, 0.0225, 0.0625 };
	double c[25] = { 0 }, w[5], inv = 0;
	int i;

	for (i = 0; i < 5; i++) {
		c[i * 5 + i] = v[i];
		inv += 1 / v[i];
	}
	tl_hrp(c, 5, w, NULL);
	for (i = 0; i < 5; i++)
		cr_assert_float_eq(w[i], 1 / v[i] / inv, 1e-12, "w[%d]", i);
}

Test(tl_cov, ewma_weights_and_limit)
{
	/* 3 days, 1 series, halflife 1: weights 1/4, 1/2, 1 */
	static const double x3[3] = { 1.5, -0.5, 2.0 };
	double m, s[9], s0[9], mm[3];
	int i;

	tl_cov_ewma(x3, 3, 1, 1, &m, s);
	cr_assert_float_eq(m, (0.25 * 1.5 - 0.5 * 0.5 + 2.0) / 1.75, 1e-15);
	cr_assert_float_eq(s[0], (0.25 * (1.5 - m) * (1.5 - m) + 0.5 *
	    (-0.5 - m) * (-0.5 - m) + (2.0 - m) * (2.0 - m)) / 1.75, 1e-14);
	/* a very long half-life is the /t sample covariance */
	tl_cov_ewma(X, 12, 3, 1e12, mm, s);
	tl_cov_sample(X, 12, 3, 0, s0);
	for (i = 0; i < 9; i++)
		cr_assert_float_eq(s[i], s0[i], 1e-9, "S[%d]", i);
}

Test(tl_cov, erc_equal_risk_contributions)
{
	/* uncorrelated or constant correlation: w ~ 1/sigma */
	static const double sg[3] = { 0.1, 0.25, 0.4 };
	double c[9], w[3], cw, inv = 1 / 0.1 + 1 / 0.25 + 1 / 0.4;
	int i, j;

	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			c[i * 3 + j] = (i == j ? 1 : 0.35) * sg[i] * sg[j];
	cr_assert_gt(tl_erc(c, 3, w), 0);
	for (i = 0; i < 3; i++)
		cr_assert_float_eq(w[i], 1 / sg[i] / inv, 1e-13, "w[%d]", i);
	/* the 4-asset HRP example matrix: contributions equal */
	{
		static const double s4[4] = { 0.10, 0.20, 0.15, 0.25 };
		static const double r[16] = { 1, .2, .9, .1, .2, 1, .3, .8,
		    .9, .3, 1, .2, .1, .8, .2, 1 };
		double c4[16], w4[4];

		for (i = 0; i < 4; i++)
			for (j = 0; j < 4; j++)
				c4[i * 4 + j] = r[i * 4 + j] * s4[i] * s4[j];
		cr_assert_gt(tl_erc(c4, 4, w4), 0);
		for (i = 0; i < 4; i++) {
			cw = 0;
			for (j = 0; j < 4; j++)
				cw += c4[i * 4 + j] * w4[j];
			if (i > 0) {
				double prev = 0;

				for (j = 0; j < 4; j++)
					prev += c4[(i - 1) * 4 + j] * w4[j];
				cr_assert_float_eq(w4[i] * cw, w4[i - 1] *
				    prev, 1e-15);
			}
		}
	}
}

/* ---- gaps --------------------------------------------------------------- */

/* 9 days x 4 series with gaps: d starts late, c pauses, a and d share 3
 * days, b and d 4. */
#define GT	9
#define GP	4
static const double G[GT * GP] = {
	0.012, -0.004, 0.007, NAN,
	-0.008, 0.011, -0.002, NAN,
	0.003, 0.006, NAN, NAN,
	0.015, -0.013, NAN, NAN,
	-0.001, 0.002, 0.009, NAN,
	0.007, NAN, -0.006, 0.004,
	-0.011, 0.009, 0.004, -0.007,
	0.004, -0.003, -0.010, 0.012,
	NAN, 0.005, 0.001, 0.002,
};

/* Over the shared days of i and j, another way: the one-pass sums. */
static size_t
shared(const double *x, size_t t, size_t p, size_t i, size_t j, double *a,
    double *b)
{
	size_t d, k = 0;

	for (d = 0; d < t; d++)
		if (!isnan(x[d * p + i]) && !isnan(x[d * p + j])) {
			a[k] = x[d * p + i];
			b[k++] = x[d * p + j];
		}
	return k;
}

/* Pairwise covariance = (sum ab - k abar bbar) / (k - 1) on each pair's
 * shared days; counts exact; to 1e-15 absolute (entries ~1e-4). */
Test(tl_cov, pairwise_against_one_pass)
{
	double c[GP * GP], a[GT], b[GT], sa, sb, sab, want;
	size_t n[GP * GP], i, j, k, q;

	tl_cov_pairwise(G, GT, GP, c, n);
	for (i = 0; i < GP; i++)
		for (j = 0; j < GP; j++) {
			k = shared(G, GT, GP, i, j, a, b);
			cr_assert_eq(n[i * GP + j], k, "count %zu %zu", i, j);
			for (sa = sb = sab = 0, q = 0; q < k; q++) {
				sa += a[q];
				sb += b[q];
				sab += a[q] * b[q];
			}
			want = (sab - sa * sb / (double)k) / (double)(k - 1);
			cr_assert_float_eq(c[i * GP + j], want, 1e-15,
			    "cov %zu %zu: %.17g vs %.17g", i, j, c[i * GP + j],
			    want);
		}
	cr_assert_eq(n[0 * GP + 3], 3);
	cr_assert_eq(n[1 * GP + 3], 3);
	cr_assert_eq(n[2 * GP + 2], 7);
}

/* No gap: the pairwise covariance is the sample covariance (ddof 1). */
Test(tl_cov, pairwise_without_gaps_is_sample)
{
	double c[9], s[9];
	size_t i;

	tl_cov_pairwise(X, 12, 3, c, NULL);
	tl_cov_sample(X, 12, 3, 1, s);
	for (i = 0; i < 9; i++)
		cr_assert_float_eq(c[i], s[i], 1e-13, "[%zu]", i);
}

/* Schafer-Strimmer target D computed here from the products w_d written
 * out, with Var(s_ij) = k/(k-1)^3 (sum w^2 - k wbar^2): the intensity to
 * 1e-12, the entries to 1e-15 absolute. */
static double
ss_lambda(const double *x, size_t t, size_t p, size_t *unmeasured)
{
	double a[64], b[64], w[64], ma, mb, wb, sw2, num = 0, den = 0, s, v;
	size_t i, j, k, q;

	*unmeasured = 0;
	for (i = 0; i < p; i++)
		for (j = 0; j < p; j++) {
			if (i == j)
				continue;
			if ((k = shared(x, t, p, i, j, a, b)) < 2) {
				*unmeasured += i < j;
				continue;
			}
			for (ma = mb = 0, q = 0; q < k; q++) {
				ma += a[q] / (double)k;
				mb += b[q] / (double)k;
			}
			for (wb = sw2 = 0, q = 0; q < k; q++) {
				w[q] = (a[q] - ma) * (b[q] - mb);
				wb += w[q] / (double)k;
				sw2 += w[q] * w[q];
			}
			s = (double)k / (double)(k - 1) * wb;
			v = (double)k / pow((double)(k - 1), 3) * (sw2 -
			    (double)k * wb * wb);
			num += v;
			den += s * s;
		}
	return fmin(1, fmax(0, num / den));
}

Test(tl_cov, pairwise_shrunk_against_formula)
{
	double out[GP * GP], c[GP * GP], lam, want, y[GT * GP];
	size_t nu, wu, i;

	lam = tl_cov_pairwise_shrunk(G, GT, GP, out, &nu);
	want = ss_lambda(G, GT, GP, &wu);
	cr_assert_float_eq(lam, want, 1e-12, "%.17g vs %.17g", lam, want);
	cr_assert(lam > 0 && lam < 1, "%g: a case inside (0, 1)", lam);
	cr_assert_eq(nu, wu);
	tl_cov_pairwise(G, GT, GP, c, NULL);
	for (i = 0; i < GP * GP; i++)
		cr_assert_float_eq(out[i], i % (GP + 1) == 0 ? c[i] :
		    (1 - lam) * c[i], 1e-15, "[%zu]", i);
	/* the same intensity for returns in per cent, or sign-flipped */
	for (i = 0; i < GT * GP; i++)
		y[i] = G[i] * -100;
	cr_assert_float_eq(tl_cov_pairwise_shrunk(y, GT, GP, out, NULL), lam,
	    1e-12);
}

/* Two series that never share a day: their covariance is the target's,
 * 0, counted as unmeasured; a series of one day has no variance. */
Test(tl_cov, pairwise_shrunk_unmeasured)
{
	static const double x[5 * 3] = {
		0.01, NAN, 0.002,
		-0.02, NAN, 0.004,
		0.015, NAN, -0.001,
		NAN, 0.03, 0.006,
		NAN, -0.01, -0.003,
	};
	static const double one[2 * 2] = { 0.01, 0.02, NAN, -0.01 };
	double out[9], o2[4];
	size_t nu;

	tl_cov_pairwise_shrunk(x, 5, 3, out, &nu);
	cr_assert_eq(nu, 1);
	cr_assert_eq(out[0 * 3 + 1], 0);
	cr_assert_eq(out[1 * 3 + 0], 0);
	/* (0.02^2 + 0.02^2) / 1 */
	cr_assert_float_eq(out[1 * 3 + 1], 0.0008, 1e-18);
	tl_cov_pairwise_shrunk(one, 2, 2, o2, &nu);
	cr_assert(isnan(o2[0]), "one day: %g", o2[0]);
	cr_assert_float_eq(o2[3], 0.00045, 1e-18);	/* 2 * .015^2 / 1 */
}

/* Eigenvalues of the symmetric a (p x p) into ev, ascending. */
static void
eigen(const double *a, size_t p, double *ev)
{
	double m[64], vv[64];
	gsl_matrix_view mv = gsl_matrix_view_array(m, p, p);
	gsl_matrix_view vm = gsl_matrix_view_array(vv, p, p);
	gsl_vector_view e = gsl_vector_view_array(ev, p);
	gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(p);

	memcpy(m, a, p * p * sizeof(double));
	cr_assert_eq(gsl_eigen_symmv(&mv.matrix, &e.vector, &vm.matrix, w), 0);
	gsl_eigen_symmv_sort(&e.vector, &vm.matrix, GSL_EIGEN_SORT_VAL_ASC);
	gsl_eigen_symmv_free(w);
}

/* Higham (2002) section 4's 3 x 3 example, and the 5 x 5 example of
 * MATLAB's nearcorr documentation (both printed to 4 decimals: compared
 * to 5e-5); the result has a unit diagonal and no negative eigenvalue. */
Test(tl_cov, nearest_corr_published)
{
	double a3[9] = { 1, 1, 0, 1, 1, 1, 0, 1, 1 };
	static const double w3[9] = { 1, 0.7607, 0.1573, 0.7607, 1, 0.7607,
	    0.1573, 0.7607, 1 };
	double a5[25] = {
		1, 0, 0, 0, -0.9360,
		0, 1, -0.5500, -0.3645, -0.5300,
		0, -0.5500, 1, -0.0351, 0.0875,
		0, -0.3645, -0.0351, 1, 0.4557,
		-0.9360, -0.5300, 0.0875, 0.4557, 1,
	};
	static const double w5[25] = {
		1, 0.0372, 0.0100, -0.0219, -0.8478,
		0.0372, 1, -0.5449, -0.3757, -0.4849,
		0.0100, -0.5449, 1, -0.0381, 0.0996,
		-0.0219, -0.3757, -0.0381, 1, 0.4292,
		-0.8478, -0.4849, 0.0996, 0.4292, 1,
	};
	double ev[5];
	long it;
	size_t i;

	it = tl_cov_nearest_corr(a3, 3, 0, 100000, 1e-12);
	cr_assert_gt(it, 1);
	for (i = 0; i < 9; i++)
		cr_assert_float_eq(a3[i], w3[i], 5e-5, "3x3 [%zu] %.6f", i,
		    a3[i]);
	it = tl_cov_nearest_corr(a5, 5, 0, 100000, 1e-12);
	cr_assert_gt(it, 1);
	for (i = 0; i < 25; i++)
		cr_assert_float_eq(a5[i], w5[i], 5e-5, "5x5 [%zu] %.6f", i,
		    a5[i]);
	eigen(a5, 5, ev);
	cr_assert_geq(ev[0], -1e-12);
	for (i = 0; i < 5; i++)
		cr_assert_eq(a5[i * 6], 1);
}

/* With a floor: positive definite (tl_cov_posdef), and nearer to the
 * input than clipping the eigenvalues and rescaling (the one-step
 * spectral repair, computed here); a correlation matrix comes back as
 * it went in; maxiter too small says so. */
Test(tl_cov, nearest_corr_floor_and_limits)
{
	static const double in[16] = {
		1, 0.9, 0.7, -0.6,
		0.9, 1, 0.95, 0.1,
		0.7, 0.95, 1, 0.5,
		-0.6, 0.1, 0.5, 1,
	};
	double a[16], sp[16], m[16], vv[16], ev[4], dh = 0, ds = 0, s;
	gsl_matrix_view mv = gsl_matrix_view_array(m, 4, 4);
	gsl_matrix_view vm = gsl_matrix_view_array(vv, 4, 4);
	gsl_vector_view e = gsl_vector_view_array(ev, 4);
	gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(4);
	size_t i, j, k;

	cr_assert(!tl_cov_posdef(in, 4));
	memcpy(a, in, sizeof(a));
	cr_assert_gt(tl_cov_nearest_corr(a, 4, 1e-8, 100000, 1e-12), 1);
	cr_assert(tl_cov_posdef(a, 4));
	eigen(a, 4, ev);
	cr_assert_geq(ev[0], 1e-8 * (1 - 1e-6), "%g", ev[0]);
	memcpy(m, in, sizeof(m));
	gsl_eigen_symmv(&mv.matrix, &e.vector, &vm.matrix, w);
	gsl_eigen_symmv_free(w);
	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++) {
			for (s = 0, k = 0; k < 4; k++)
				s += vv[i * 4 + k] * fmax(ev[k], 1e-8) *
				    vv[j * 4 + k];
			sp[i * 4 + j] = s;
		}
	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++) {
			s = sp[i * 4 + j] / sqrt(sp[i * 5] * sp[j * 5]);
			ds += (s - in[i * 4 + j]) * (s - in[i * 4 + j]);
			dh += (a[i * 4 + j] - in[i * 4 + j]) * (a[i * 4 + j] -
			    in[i * 4 + j]);
		}
	cr_assert_lt(dh, ds, "Higham %g, spectral %g", dh, ds);
	/* a correlation matrix already */
	memcpy(a, (double[16]){ 1, 0.3, -0.2, 0.1, 0.3, 1, 0.4, 0, -0.2, 0.4,
	    1, 0.25, 0.1, 0, 0.25, 1 }, sizeof(a));
	memcpy(m, a, sizeof(m));
	cr_assert_eq(tl_cov_nearest_corr(a, 4, 1e-8, 100, 1e-12), 2);
	for (i = 0; i < 16; i++)
		cr_assert_float_eq(a[i], m[i], 1e-14, "[%zu]", i);
	/* one iteration cannot converge on an indefinite matrix */
	memcpy(a, in, sizeof(a));
	cr_assert_eq(tl_cov_nearest_corr(a, 4, 1e-8, 1, 1e-12), 0);
	cr_assert(tl_cov_posdef(a, 4), "the last iterate, scaled");
}

/* Pearson's r over each pair's shared days, computed here with the
 * shared days' own means and variances (two passes): to 1e-14; within
 * [-1, 1] where the pairwise covariance over own-days variances is not. */
Test(tl_cov, pairwise_corr_over_shared_days)
{
	double r[GP * GP], a[GT], b[GT], ma, mb, sab, saa, sbb;
	size_t i, j, k, q;

	tl_cov_pairwise_corr(G, GT, GP, r);
	for (i = 0; i < GP; i++)
		for (j = 0; j < GP; j++) {
			k = shared(G, GT, GP, i, j, a, b);
			for (ma = mb = 0, q = 0; q < k; q++) {
				ma += a[q] / (double)k;
				mb += b[q] / (double)k;
			}
			for (sab = saa = sbb = 0, q = 0; q < k; q++) {
				sab += (a[q] - ma) * (b[q] - mb);
				saa += (a[q] - ma) * (a[q] - ma);
				sbb += (b[q] - mb) * (b[q] - mb);
			}
			cr_assert_float_eq(r[i * GP + j], i == j ? 1 :
			    sab / sqrt(saa * sbb), 1e-14, "r %zu %zu", i, j);
			cr_assert_leq(fabs(r[i * GP + j]), 1 + 1e-15);
		}
}
