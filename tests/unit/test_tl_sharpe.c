/*
 * tl_sharpe and tl_pbo against published vectors (Bailey & Lopez de Prado
 * 2012 and 2014, Bailey et al. 2017, as pypbo's tests reproduce the
 * papers' examples, and hand computations), against a brute-force CSCV
 * written here, and on simulated cases with known answers.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_pbo.h"
#include "tl_sharpe.h"

#define TOL	1e-12	/* closed forms: only rounding */

Test(tl_sharpe, expected_max_vectors)
{
	/* 1.1 pypbo test_expected_max; 1.2 hand computation */
	cr_assert_float_eq(tl_expected_max(100), 2.5306028932016846, TOL);
	cr_assert_float_eq(tl_expected_max(10), 1.5745983013, 1e-10);
	cr_assert_float_eq(tl_expected_max(45), 2.2356401778, 1e-10);
	cr_assert_float_eq(tl_expected_max(1000), 3.2551215137, 1e-10);
	cr_assert(isnan(tl_expected_max(1)));
}

Test(tl_sharpe, dsr_paper_example)
{
	double sr0, dsr;

	/* 1.4: N=100, V_annual=1/2, T=1250 daily, SR_ann=2.5, g3=-3, g4=10
	 * (Bailey & Lopez de Prado 2014; pypbo test_dsr) */
	dsr = tl_dsr(2.5 / sqrt(250), 1250, -3, 10, 100, 0, 0.5 / 250, &sr0);
	cr_assert_float_eq(dsr, 0.9003968344493904, TOL);
	cr_assert_float_eq(sr0, 0.1131720019, 1e-10);
}

Test(tl_sharpe, psr_paper_example)
{
	/* 1.5: SEF paper, monthly SR 1.585/sqrt(12), T=24 (pypbo test_psr) */
	cr_assert_float_eq(tl_psr(1.585 / sqrt(12), 0, 24, -2.448, 10.164),
	    0.9132343068848602, TOL);
	/* 1.6: the same with normal moments */
	cr_assert_float_eq(tl_psr(1.585 / sqrt(12), 0, 24, 0, 3),
	    0.9815912361, 1e-10);
	cr_assert(isnan(tl_psr(0.5, 0, 1, 0, 3)));	/* T < 2 */
}

Test(tl_sharpe, min_trl_vectors)
{
	/* 1.7-1.9 pypbo test_minTRL ("Figure 8 of SEF"), in years */
	cr_assert_float_eq(tl_min_trl(2 / sqrt(250), 1 / sqrt(250), 0.95, 0,
	    3) / 250, 2.731187801728174, 1e-12);
	cr_assert_float_eq(tl_min_trl(2 / sqrt(52), 1 / sqrt(52), 0.95, 0,
	    3) / 52, 2.828833586945234, 1e-12);
	cr_assert_float_eq(tl_min_trl(3 / sqrt(12), 2.5 / sqrt(12), 0.95,
	    -0.72, 5.78) / 12, 27.35292019604, 1e-9);
	/* 1.10 jsharpe paper table, observations, SR* = 0, p = 0.95 */
	cr_assert_float_eq(tl_min_trl(0.3, 0, 0.95, 0, 3), 32.41, 0.005);
	cr_assert_float_eq(tl_min_trl(0.3, 0, 0.95, -1.5, 8), 49.32, 0.005);
	cr_assert_float_eq(tl_min_trl(0.5, 0, 0.95, 0, 3), 13.17, 0.005);
	cr_assert_float_eq(tl_min_trl(0.5, 0, 0.95, -1.5, 8), 24.67, 0.005);
	cr_assert_float_eq(tl_min_trl(1, 0, 0.95, 0, 3), 5.06, 0.005);
	cr_assert_float_eq(tl_min_trl(1, 0, 0.95, -1.5, 8), 12.50, 0.005);
	cr_assert(isinf(tl_min_trl(0.1, 0.2, 0.95, 0, 3)));
}

Test(tl_sharpe, min_btl_vector)
{
	double bound;

	/* 1.11 pypbo test_minBTL */
	cr_assert_float_eq(tl_min_btl(45, 1, &bound), 4.998087004443402,
	    1e-12);
	cr_assert_float_eq(bound, 2 * log(45), TOL);
}

Test(tl_sharpe, moments)
{
	static const double x[] = { 2.385, -1.27, 0.5, 3.75, -0.125 };
	struct tl_moments m;

	tl_moments(x, 5, &m);
	/* computed independently in Python: mean 1.048, population m2
	 * 3.227546, skew m3/m2^1.5, kurtosis m4/m2^2 */
	cr_assert_float_eq(m.mean, 1.048, TOL);
	cr_assert_float_eq(m.sd, sqrt(3.227546 * 5 / 4), 1e-12);
	cr_assert_float_eq(m.sharpe, m.mean / m.sd, TOL);
	cr_assert_float_eq(m.skew, 0.2719133049475295, 1e-12);
	cr_assert_float_eq(m.kurt, 1.6770763300119116, 1e-12);
	tl_moments(x, 1, &m);
	cr_assert(isnan(m.sd) && isnan(m.sharpe));
}

/* 0.001 eighty times: the float mean is not exactly 0.001, so x - mean
 * is not 0 and the naive sd is ~1e-19 (a Sharpe ratio of 1e15). */
Test(tl_sharpe, moments_constant)
{
	double x[80];
	struct tl_moments m;
	int i;

	for (i = 0; i < 80; i++)
		x[i] = 0.001;
	tl_moments(x, 80, &m);
	cr_assert_eq(m.sd, 0);
	cr_assert_eq(m.mean, 0.001);
	cr_assert(isnan(m.sharpe) && isnan(m.skew) && isnan(m.kurt));
}

/* The 8 x 4 integer example of pypbo's tests: PBO 0.5, degradation
 * oos = 41.757349 - 1.330312 is, P(loss) 0.5, these six logits. */
static const double ex21[32] = {
	90, -50, 60, 11,  70, -31, 40, 13,  80, -62, -45, 12,  61, -20, -35, 14,
	-70, 75, 50, 9,  -93, 85, 30, 15,  -80, 66, -55, 10,  -60, 97, -26, 17
};

Test(tl_pbo, methods_example)
{
	static const double want[6] = { -1.386294361, -1.386294361,
	    1.386294361, 1.386294361, 0.4054651081, -1.386294361 };
	struct tl_pbo p;
	struct tl_err err;
	int c;

	cr_assert_eq(tl_pbo_cscv(ex21, 8, 4, 4, TL_PBO_MEAN, 1, NULL,
	    &p, &err), 0);
	cr_assert_eq(p.ncomb, 6);
	for (c = 0; c < 6; c++)
		cr_assert_float_eq(p.logit[c], want[c], 1e-9, "c=%d", c);
	cr_assert_float_eq(p.pbo, 0.5, TOL);
	cr_assert_float_eq(p.slope, -1.330312, 1e-6);
	cr_assert_float_eq(p.intercept, 41.757349, 1e-6);
	/* numpy: corrcoef(is_best, oos_best)[0, 1]**2 of the six pairs */
	cr_assert_float_eq(p.r2, 0.8281111716336141, 1e-9);
	cr_assert_float_eq(p.p_loss, 0.5, TOL);
	tl_pbo_release(&p);
}

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Standard normal by Box-Muller from the xorshift stream. */
static double
gauss(uint64_t *s)
{
	double u = ((double)(xorshift(s) >> 11) + 0.5) / 9007199254740992.0;
	double v = ((double)(xorshift(s) >> 11) + 0.5) / 9007199254740992.0;

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static double
sharpe_rows(const double *m, size_t n, size_t col, const size_t *rows,
    size_t k)
{
	double s = 0, ss = 0, mean;
	size_t i;

	for (i = 0; i < k; i++)
		s += m[rows[i] * n + col];
	mean = s / (double)k;
	for (i = 0; i < k; i++)
		ss += (m[rows[i] * n + col] - mean) * (m[rows[i] * n + col] -
		    mean);
	return mean / sqrt(ss / (double)(k - 1));
}

/* CSCV the slow way: recursion over block choices in lexicographic
 * order, metrics from the rows themselves, ranks by counting. */
static void
brute(const double *m, size_t t, size_t n, size_t s, double *logit)
{
	size_t rows = t / s, drop = t % s, c = 0, pick[32], np, i, b, k;
	size_t is_rows[4096], oos_rows[4096], ni, no, col, win;
	double is[64], oos[64], lo, eq, r;
	int chosen[32];

	/* iterate combinations of s/2 out of s: pick[] increasing */
	for (i = 0; i < s / 2; i++)
		pick[i] = i;
	np = s / 2;
	for (;;) {
		memset(chosen, 0, sizeof(chosen));
		for (i = 0; i < np; i++)
			chosen[pick[i]] = 1;
		ni = no = 0;
		for (b = 0; b < s; b++)
			for (k = 0; k < rows; k++)
				if (chosen[b])
					is_rows[ni++] = drop + b * rows + k;
				else
					oos_rows[no++] = drop + b * rows + k;
		win = 0;
		for (col = 0; col < n; col++) {
			is[col] = sharpe_rows(m, n, col, is_rows, ni);
			oos[col] = sharpe_rows(m, n, col, oos_rows, no);
			if (is[col] > is[win])
				win = col;
		}
		lo = eq = 0;
		for (col = 0; col < n; col++) {
			lo += oos[col] < oos[win];
			eq += oos[col] == oos[win];
		}
		r = (1 + lo + (eq - 1) / 2) / (double)(n + 1);
		logit[c++] = log(r / (1 - r));
		/* next combination */
		for (i = np; i-- > 0;)
			if (pick[i] < s - np + i)
				break;
		if (i == (size_t)-1)
			break;
		pick[i]++;
		for (k = i + 1; k < np; k++)
			pick[k] = pick[k - 1] + 1;
	}
}

Test(tl_pbo, equals_brute_force)
{
	enum { T = 83, N = 7, S = 8 };	/* 83 = 10*8 + 3 dropped rows */
	static double m[T * N], want[70];
	struct tl_pbo p;
	struct tl_err err;
	uint64_t seed = 0x2385;
	size_t i;

	for (i = 0; i < T * N; i++)
		m[i] = gauss(&seed) * 0.01 + (i % N == 3 ? 0.001 : 0);
	brute(m, T, N, S, want);
	cr_assert_eq(tl_pbo_cscv(m, T, N, S, TL_PBO_SHARPE, 2, NULL,
	    &p, &err), 0);
	cr_assert_eq(p.ncomb, 70);
	cr_assert_eq(p.dropped, 3);
	for (i = 0; i < 70; i++)
		cr_assert_float_eq(p.logit[i], want[i], 1e-9, "combination "
		    "%zu", i);
	tl_pbo_release(&p);
}

/* Pure noise: PBO near 0.5 (Bailey et al. 2017: 0.476 +- 0.137 in a
 * controlled study, N=200, T=1000, S=16); one real edge among noise: near 0.
 * The same bytes with 1 and 2 threads. */
Test(tl_pbo, noise_and_edge)
{
	enum { T = 1000, N = 50, S = 16 };
	static double m[T * N];
	struct tl_pbo p1, p2;
	struct tl_err err;
	uint64_t seed = 0x1271;
	size_t i;

	for (i = 0; i < T * N; i++)
		m[i] = gauss(&seed) * 0.01;
	cr_assert_eq(tl_pbo_cscv(m, T, N, S, TL_PBO_SHARPE, 1, NULL,
	    &p1, &err), 0);
	cr_assert_eq(p1.ncomb, 12870);
	cr_assert(p1.pbo > 0.2 && p1.pbo < 0.8, "noise: pbo %g", p1.pbo);
	cr_assert_eq(tl_pbo_cscv(m, T, N, S, TL_PBO_SHARPE, 2, NULL,
	    &p2, &err), 0);
	cr_assert_eq(memcmp(p1.logit, p2.logit, p1.ncomb * sizeof(double)),
	    0, "threads change the result");
	tl_pbo_release(&p1);
	tl_pbo_release(&p2);
	for (i = 0; i < T; i++)	/* column 17: a Sharpe of 0.3 a period */
		m[i * N + 17] += 0.003;
	cr_assert_eq(tl_pbo_cscv(m, T, N, S, TL_PBO_SHARPE, 2, NULL,
	    &p1, &err), 0);
	cr_assert(p1.pbo < 0.05, "edge: pbo %g", p1.pbo);
	cr_assert(p1.p_loss < 0.05, "edge: p_loss %g", p1.p_loss);
	tl_pbo_release(&p1);
}

Test(tl_pbo, bad_shapes)
{
	struct tl_pbo p;
	struct tl_err err;

	cr_assert_eq(tl_pbo_cscv(ex21, 8, 4, 3, TL_PBO_MEAN, 1, NULL, &p,
	    &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.msg, "partitions: 3 is not an even number in "
	    "[2, 64]");
	cr_assert_eq(tl_pbo_cscv(ex21, 8, 4, 10, TL_PBO_MEAN, 1, NULL, &p,
	    &err), -1);
	cr_assert_str_eq(err.msg, "8 periods cannot make 10 partitions");
	cr_assert_eq(tl_pbo_cscv(ex21, 32, 1, 4, TL_PBO_MEAN, 1, NULL, &p,
	    &err), -1);
	cr_assert_str_eq(err.msg, "1 candidate: CSCV needs at least 2");
}
