/*
 * tl_hmm against the vectors of shared/METHODS.md section 7 (Wikipedia's
 * forward-backward example and the Rainy/Sunny model, as in hmmlearn's
 * tests) and against brute-force enumeration of every state path.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_hmm.h"

/* Wikipedia: pi = (0.5, 0.5), A = [[0.7,0.3],[0.3,0.7]], the emission
 * likelihoods given per step. */
static void
wiki(double *lpi, double *lA, double *lb)
{
	static const double b[10] = { 0.9, 0.2, 0.9, 0.2, 0.1, 0.8, 0.9, 0.2,
	    0.9, 0.2 };
	int i;

	lpi[0] = lpi[1] = log(0.5);
	lA[0] = log(0.7);
	lA[1] = log(0.3);
	lA[2] = log(0.3);
	lA[3] = log(0.7);
	for (i = 0; i < 10; i++)
		lb[i] = log(b[i]);
}

Test(tl_hmm, wikipedia_forward_backward)
{
	static const double alpha[10] = { 0.4500, 0.1000, 0.3105, 0.0410,
	    0.0230, 0.0975, 0.0408, 0.0150, 0.0298, 0.0046 };
	static const double beta[10] = { 0.0661, 0.0455, 0.0906, 0.1503,
	    0.4593, 0.2437, 0.6900, 0.4100, 1, 1 };
	static const double post[10] = { 0.8673, 0.1327, 0.8204, 0.1796,
	    0.3075, 0.6925, 0.8204, 0.1796, 0.8673, 0.1327 };
	double lpi[2], lA[4], lb[10], la[10], lbk[10], p[10], lp;
	int i;

	wiki(lpi, lA, lb);
	lp = tl_hmm_forward(lpi, lA, lb, 5, 2, la, NULL);
	cr_assert_float_eq(lp, -3.3725020443, 1e-9);
	/* the published alphas and betas are rounded to 4 places */
	for (i = 0; i < 10; i++)
		cr_assert_float_eq(exp(la[i]), alpha[i], 5e-5, "alpha %d", i);
	tl_hmm_backward(lA, lb, 5, 2, lbk);
	for (i = 0; i < 10; i++)
		cr_assert_float_eq(exp(lbk[i]), beta[i], 5e-5, "beta %d", i);
	cr_assert_float_eq(tl_hmm_posterior(lpi, lA, lb, 5, 2, p), lp, 1e-12);
	for (i = 0; i < 10; i++)
		cr_assert_float_eq(p[i], post[i], 5e-5, "posterior %d", i);
}

/* Filtered probabilities use only the past: changing the last
 * observation leaves the earlier ones alone (no look-ahead). */
Test(tl_hmm, filtered_has_no_look_ahead)
{
	double lpi[2], lA[4], lb[10], f1[10], f2[10];
	int i;

	wiki(lpi, lA, lb);
	tl_hmm_forward(lpi, lA, lb, 5, 2, NULL, f1);
	lb[8] = log(0.01);
	lb[9] = log(0.99);
	tl_hmm_forward(lpi, lA, lb, 5, 2, NULL, f2);
	for (i = 0; i < 8; i++)
		cr_assert_eq(f1[i], f2[i], "step %d changed", i / 2);
	cr_assert(f2[8] < f1[8]);
	for (i = 0; i < 5; i++)
		cr_assert_float_eq(f1[2 * i] + f1[2 * i + 1], 1, 1e-12);
	/* the first filtered step is pi * b normalised */
	cr_assert_float_eq(f1[0], 0.45 / 0.55, 1e-12);
}

Test(tl_hmm, rainy_sunny)
{
	/* pi = (0.6, 0.4), A = [[0.7,0.3],[0.4,0.6]], E = [[0.1,0.4,0.5],
	 * [0.6,0.3,0.1]], observations walk, shop, clean = 0, 1, 2 */
	static const double E[2][3] = { { 0.1, 0.4, 0.5 }, { 0.6, 0.3, 0.1 } };
	static const double post[6] = { 0.23170303, 0.76829697, 0.62406281,
	    0.37593719, 0.86397706, 0.13602294 };
	double lpi[2] = { log(0.6), log(0.4) }, lA[4], lb[6], p[6], v;
	size_t path[3];
	int s, j;

	lA[0] = log(0.7);
	lA[1] = log(0.3);
	lA[2] = log(0.4);
	lA[3] = log(0.6);
	for (s = 0; s < 3; s++)
		for (j = 0; j < 2; j++)
			lb[s * 2 + j] = log(E[j][s]);
	v = tl_hmm_viterbi(lpi, lA, lb, 3, 2, path);
	cr_assert_float_eq(exp(v), 0.01344, 1e-12);
	cr_assert_eq(path[0], 1);
	cr_assert_eq(path[1], 0);
	cr_assert_eq(path[2], 0);
	cr_assert_float_eq(tl_hmm_posterior(lpi, lA, lb, 3, 2, p),
	    -3.3928721, 1e-7);
	for (j = 0; j < 6; j++)	/* hmmlearn's atol */
		cr_assert_float_eq(p[j], post[j], 1e-6, "posterior %d", j);
}

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double
unif(uint64_t *s)
{
	return ((double)(xorshift(s) >> 11) + 0.5) / 9007199254740992.0;
}

/* Every path of a random 3-state model over 6 steps: the likelihood is
 * their sum, Viterbi's the largest. */
Test(tl_hmm, brute_force_paths)
{
	enum { K = 3, T = 6 };
	double pi[K], A[K * K], b[T * K], lpi[K], lA[K * K], lb[T * K];
	double sum = 0, best = -1, pr, lp, lv;
	size_t path[T], bestpath[T], p[T];
	uint64_t seed = 0x2385;
	long code, ncode = 1;
	int i, j, s, round;

	for (round = 0; round < 20; round++) {
		double z = 0;

		for (i = 0; i < K; i++)
			z += pi[i] = unif(&seed);
		for (i = 0; i < K; i++)
			lpi[i] = log(pi[i] /= z);
		for (i = 0; i < K; i++) {
			for (z = 0, j = 0; j < K; j++)
				z += A[i * K + j] = unif(&seed);
			for (j = 0; j < K; j++)
				lA[i * K + j] = log(A[i * K + j] /= z);
		}
		for (i = 0; i < T * K; i++)
			lb[i] = log(b[i] = unif(&seed));
		for (ncode = 1, s = 0; s < T; s++)
			ncode *= K;
		sum = 0;
		best = -1;
		for (code = 0; code < ncode; code++) {
			long c = code;

			for (s = 0; s < T; s++, c /= K)
				p[s] = (size_t)(c % K);
			pr = pi[p[0]] * b[p[0]];
			for (s = 1; s < T; s++)
				pr *= A[p[s - 1] * K + p[s]] * b[s * K + p[s]];
			sum += pr;
			if (pr > best) {
				best = pr;
				for (s = 0; s < T; s++)
					bestpath[s] = p[s];
			}
		}
		lp = tl_hmm_forward(lpi, lA, lb, T, K, NULL, NULL);
		cr_assert_float_eq(lp, log(sum), 1e-12);
		lv = tl_hmm_viterbi(lpi, lA, lb, T, K, path);
		cr_assert_float_eq(lv, log(best), 1e-12);
		for (s = 0; s < T; s++)
			cr_assert_eq(path[s], bestpath[s], "round %d", round);
	}
}

Test(tl_hmm, logsumexp)
{
	double x[3] = { -1000, -1000, -INFINITY };
	double y[2] = { 710, 710 };

	cr_assert_float_eq(tl_logsumexp(x, 3), -1000 + log(2), 1e-12);
	cr_assert_float_eq(tl_logsumexp(y, 2), 710 + log(2), 1e-12);
	cr_assert(isinf(tl_logsumexp(x + 2, 1)));
	cr_assert(isinf(tl_logsumexp(x, 0)));
}

/* Draw t observations from a 2-state Gaussian HMM (bear: mean -1, sd 0.5;
 * bull: mean 2, sd 1; sticky transitions) with the xorshift stream. */
static void
simulate(double *x, size_t t, uint64_t seed)
{
	static const double mean[2] = { -1, 2 }, sd[2] = { 0.5, 1 };
	static const double stay[2] = { 0.95, 0.9 };
	size_t s, st = 0;
	double u, v;

	for (s = 0; s < t; s++) {
		if (s > 0 && unif(&seed) > stay[st])
			st = 1 - st;
		u = unif(&seed);
		v = unif(&seed);
		x[s] = mean[st] + sd[st] * sqrt(-2 * log(u)) * cos(2 * M_PI *
		    v);
	}
}

Test(tl_hmm, baum_welch_recovers_a_known_model)
{
	enum { T = 3000 };
	static double x[T];
	struct tl_ghmm m, m2;

	simulate(x, T, 0x2385);
	cr_assert_eq(tl_ghmm_fit(&m, x, T, 1, 2, 3, 7, 200, 1e-6, 1e-6), 0);
	/* states ordered by mean: 0 bear, 1 bull; tolerances ~ 4 s.e. at
	 * T = 3000 */
	cr_assert_float_eq(m.mean[0], -1, 0.1);
	cr_assert_float_eq(m.mean[1], 2, 0.1);
	cr_assert_float_eq(sqrt(m.var[0]), 0.5, 0.05);
	cr_assert_float_eq(sqrt(m.var[1]), 1, 0.08);
	cr_assert_float_eq(m.A[0], 0.95, 0.03);
	cr_assert_float_eq(m.A[3], 0.9, 0.04);
	cr_assert_float_eq(m.A[0] + m.A[1], 1, 1e-12);
	cr_assert(m.loglik < 0 && m.iters > 0);
	/* the same seed: the same bytes; restarts cannot lower the best */
	cr_assert_eq(tl_ghmm_fit(&m2, x, T, 1, 2, 3, 7, 200, 1e-6, 1e-6), 0);
	cr_assert_eq(memcmp(m.mean, m2.mean, 2 * sizeof(double)), 0);
	tl_ghmm_release(&m2);
	cr_assert_eq(tl_ghmm_fit(&m2, x, T, 1, 2, 1, 7, 200, 1e-6, 1e-6), 0);
	cr_assert(m.loglik >= m2.loglik - 1e-9);
	tl_ghmm_release(&m2);
	tl_ghmm_release(&m);
	cr_assert_eq(tl_ghmm_fit(&m, x, 3, 1, 2, 1, 7, 10, 1e-6, 1e-6), -1);
}

/* Each EM step cannot lower the likelihood: more iterations, never a
 * lower log P. */
Test(tl_hmm, baum_welch_likelihood_does_not_fall)
{
	enum { T = 800 };
	static double x[T];
	struct tl_ghmm m;
	double prev = -INFINITY;
	int it;

	simulate(x, T, 0x1271);
	for (it = 1; it <= 12; it++) {
		cr_assert_eq(tl_ghmm_fit(&m, x, T, 1, 2, 1, 3, it, -1, 1e-6),
		    0);
		cr_assert(m.loglik >= prev - 1e-9, "iteration %d: %g < %g", it,
		    m.loglik, prev);
		prev = m.loglik;
		tl_ghmm_release(&m);
	}
}

/* The reported log-likelihood is that of the returned parameters. */
Test(tl_hmm, baum_welch_loglik_matches_parameters)
{
	enum { T = 500 };
	static double x[T], lb[2 * T];
	double lpi[2], lA[4];
	struct tl_ghmm m;
	int i;

	simulate(x, T, 0x77);
	cr_assert_eq(tl_ghmm_fit(&m, x, T, 1, 2, 2, 5, 4, -1, 1e-6), 0);
	for (i = 0; i < 2; i++)
		lpi[i] = log(m.pi[i]);
	for (i = 0; i < 4; i++)
		lA[i] = log(m.A[i]);
	tl_ghmm_loglik(&m, x, T, lb);
	cr_assert_float_eq(tl_hmm_forward(lpi, lA, lb, T, 2, NULL, NULL),
	    m.loglik, 1e-9);
	tl_ghmm_release(&m);
}
