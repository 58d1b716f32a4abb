/*
 * tl_cov against shared/METHODS.md section 3: the 12 x 3 Ledoit-Wolf
 * vector (identity and constant-correlation targets), the 4-asset HRP
 * vector; and the properties a user relies on (scale invariance of the
 * intensities, weights long-only summing to 1).
 */
#include <math.h>
#include <stdint.h>

#include <criterion/criterion.h>

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

/* The tiled cross products have the bits of the plain loop (each sum in
 * day order from zero) for every shape: p below, at and past a tile of
 * eight, odd and even (a row without a partner). */
Test(tl_cov, cross_products_plain_bits)
{
	static const size_t ps[] = { 1, 2, 3, 7, 8, 9, 16, 17, 23, 40 };
	double x[40 * 37], c[40 * 40], m[40], y[40 * 37], a;
	size_t q, t = 37, p, i, j, k;
	uint64_t r = 88172645463325252ULL;

	for (q = 0; q < sizeof(ps) / sizeof(ps[0]); q++) {
		p = ps[q];
		for (k = 0; k < t * p; k++) {	/* xorshift64 in [-1, 1) */
			r ^= r << 13;
			r ^= r >> 7;
			r ^= r << 17;
			x[k] = (double)(r >> 11) / 4503599627370496.0 - 1;
		}
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
				cr_assert(c[i * p + j] == a, "p %zu: c[%zu][%zu] "
				    "%.17g, plain %.17g", p, i, j,
				    c[i * p + j], a);
			}
	}
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
	/* the 4-asset METHODS 3.1 matrix: contributions equal */
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
