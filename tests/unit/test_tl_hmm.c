/*
 * tl_hmm against published vectors (Wikipedia's forward-backward example
 * and the Rainy/Sunny model, as in hmmlearn's tests; Rabiner 1989) and
 * against brute-force enumeration of every state path.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_hmm.h"
#include "unit.h"

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

/* ---- tl_ghmm against an independent numpy implementation -------------- */

/*
 * A fixed 3-state, 2-feature model and 12 observations; the expected
 * numbers were produced once by testdata/tl-regime/numpy_reference.py
 * (plain log-space recursions in numpy 1.24.2, no code shared with
 * lib/tl_hmm.c) and pasted here.  Tolerance 1e-8 absolute (issue 10).
 */
static const double ref_pi[3] = { 0.5, 0.3, 0.2 };
static const double ref_A[9] = { 0.90, 0.07, 0.03, 0.05, 0.90, 0.05, 0.02,
    0.08, 0.90 };
static const double ref_mean[6] = { -1.27, 2.385, 0.1, 1.5, 0.8, 0.9 };
static const double ref_var[6] = { 0.64, 0.49, 0.25, 0.36, 0.3, 0.2 };
static const double ref_cov[12] = { 0.64, 0.21, 0.21, 0.49, 0.25, -0.08,
    -0.08, 0.36, 0.3, 0.05, 0.05, 0.2 };
static const double ref_x[24] = { -1.1, 2.2, -0.9, 2.6, -1.5, 2.0, 0.2, 1.4,
    0.05, 1.7, -0.3, 1.2, 0.9, 0.8, 0.7, 1.1, 1.2, 0.6, 0.3, 1.3, -1.0, 2.4,
    0.85, 0.95 };
/* diagonal covariances */
static const double ref_diag_loglik = -23.662442408900162;
static const double ref_diag_filtered[36] = {
	0.9673495604051741, 0.03261703323627481,
	3.340635855121972e-05, 0.9939269518324707,
	0.0060724986168107006, 5.495507188840915e-07,
	0.9991985378375885, 0.0008007910925735982,
	6.710698385571653e-07, 0.29492634804913626,
	0.6088231499807674, 0.09625050197009605,
	0.04368590765813019, 0.9352905254126869,
	0.021023566929182495, 0.009527458028659662,
	0.9748013307146316, 0.015671211256710258,
	0.0003033129452777713, 0.6251424062111762,
	0.37455428084354503, 0.0002955052935022477,
	0.3651025246448062, 0.6346019700616915,
	1.2181515472039286e-05, 0.024205976884114504,
	0.9757818416004137, 0.0008642959705561528,
	0.15469478184703025, 0.8444409221824125,
	0.6822119196523475, 0.3169749967790628,
	0.0008130835685885721, 0.010515925479967195,
	0.6062850815557653, 0.3831989929642686
};
static const double ref_diag_smoothed[36] = {
	0.9978245538405728, 0.002174653000477947,
	7.931589471706799e-07, 0.998985340269751,
	0.0010146420767557693, 1.7653488132847396e-08,
	0.9906825220493867, 0.009315811902293115,
	1.6660483165933942e-06, 0.04461350661646032,
	0.906858958316269, 0.04852753506726803,
	0.008172073871569301, 0.9396163799857021,
	0.05221154614272398, 0.0037783302260463248,
	0.8171646422323813, 0.17905702754157038,
	2.632000655771993e-05, 0.19978924673444132,
	0.8001844332590005, 1.9945848653277707e-05,
	0.1329265466648633, 0.8670535074864791,
	1.0020136948211703e-05, 0.12207183862028533,
	0.8779181412427648, 0.009658613311358455,
	0.5541559640153838, 0.43618542267325705,
	0.30886799621111266, 0.6834441309538396,
	0.007687872835049482, 0.010515925479967195,
	0.6062850815557653, 0.3831989929642686
};
static const size_t ref_diag_viterbi[12] = {
	0, 0, 0, 1, 1, 1, 2, 2, 2, 1, 1, 1
};
/* full covariances */
static const double ref_full_loglik = -22.46870337203005;
static const double ref_full_filtered[36] = {
	0.946007616929923, 0.05398998960600259,
	2.393464074505646e-06, 0.9854259689893583,
	0.014574006314696365, 2.4695945352189315e-08,
	0.9988426528222474, 0.0011573061026925416,
	4.107505965942318e-08, 0.08545052794599693,
	0.8221034869074816, 0.09244598514652172,
	0.005365172110609576, 0.9857413391082215,
	0.008893488781170156, 0.001995672285769565,
	0.9879074574680821, 0.010096870246149987,
	5.4697885637117e-06, 0.7333732748729109,
	0.26662125533852565, 2.2375614720726506e-05,
	0.5171662434072689, 0.4828113809780106,
	1.724925938804503e-07, 0.08721672641158405,
	0.912783101095823, 0.0001780970089738266,
	0.27594348281722, 0.7238784201738072,
	0.4609488987234497, 0.5390271205564698,
	2.39807200788752e-05, 0.0001724801005411017,
	0.7488098789811981, 0.25101764091826245
};
static const double ref_full_smoothed[36] = {
	0.9955378469737054, 0.004462091986658024,
	6.103963772442832e-08, 0.9969017011882897,
	0.0030982979183856968, 8.93326726744618e-10,
	0.9856725805503438, 0.014327352489954651,
	6.695970423690826e-08, 0.008518792959328551,
	0.973726732124185, 0.017754474916489196,
	0.0006744975729685874, 0.9870455919648227,
	0.012279910462210702, 0.00061672637929701,
	0.9165243558858569, 0.08285891773484762,
	5.808653997867997e-07, 0.46893848287763856,
	0.5310609362569608, 2.116349442147461e-06,
	0.4023026521898691, 0.597695231460689,
	6.798402782139448e-08, 0.39913998956213936,
	0.6008599424538333, 0.0007790466479930567,
	0.767804704308158, 0.23141624904384783,
	0.13193559781140174, 0.8679288451027375,
	0.00013555708586199494, 0.0001724801005411017,
	0.7488098789811981, 0.25101764091826245
};
static const size_t ref_full_viterbi[12] = {
	0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1
};

static void
ref_model(struct tl_ghmm *m, enum tl_ghmm_cov type)
{
	int i;

	tl_ghmm_init(m, 3, 2, type);
	memcpy(m->pi, ref_pi, sizeof(ref_pi));
	memcpy(m->A, ref_A, sizeof(ref_A));
	memcpy(m->mean, ref_mean, sizeof(ref_mean));
	if (type == TL_GHMM_DIAG)
		memcpy(m->var, ref_var, sizeof(ref_var));
	else {
		memcpy(m->cov, ref_cov, sizeof(ref_cov));
		for (i = 0; i < 6; i++)
			m->var[i] = ref_cov[(i / 2) * 4 + (i % 2) * 3];
	}
}

static void
ref_check(enum tl_ghmm_cov type, double loglik, const double *filtered,
    const double *smoothed, const size_t *viterbi)
{
	double lpi[3], lA[9], lb[36], filt[36], post[36];
	size_t path[12];
	struct tl_ghmm m;
	struct tl_err err = { 0 };
	int i;

	ref_model(&m, type);
	cr_assert_eq(tl_ghmm_check(&m, &err), 0, "%s", err.msg);
	for (i = 0; i < 3; i++)
		lpi[i] = log(m.pi[i]);
	for (i = 0; i < 9; i++)
		lA[i] = log(m.A[i]);
	tl_ghmm_loglik(&m, ref_x, 12, lb);
	cr_assert_float_eq(tl_hmm_forward(lpi, lA, lb, 12, 3, NULL, NULL),
	    loglik, 1e-8);
	cr_assert_float_eq(tl_ghmm_decode(&m, ref_x, 12, filt, path),
	    loglik, 1e-8);
	cr_assert_float_eq(tl_hmm_posterior(lpi, lA, lb, 12, 3, post), loglik,
	    1e-8);
	for (i = 0; i < 36; i++) {
		cr_assert_float_eq(filt[i], filtered[i], 1e-8, "filtered %d",
		    i);
		cr_assert_float_eq(post[i], smoothed[i], 1e-8, "smoothed %d",
		    i);
	}
	for (i = 0; i < 12; i++)
		cr_assert_eq(path[i], viterbi[i], "viterbi %d", i);
	tl_ghmm_release(&m);
}

Test(tl_ghmm, numpy_reference_diagonal)
{
	ref_check(TL_GHMM_DIAG, ref_diag_loglik, ref_diag_filtered,
	    ref_diag_smoothed, ref_diag_viterbi);
}

Test(tl_ghmm, numpy_reference_full)
{
	ref_check(TL_GHMM_FULL, ref_full_loglik, ref_full_filtered,
	    ref_full_smoothed, ref_full_viterbi);
}

/* The scaled E-step of the fit and the log-space passes agree: one EM
 * iteration from the same model cannot be observed directly, but the
 * log P reported after max_iter = 1 must be that of the returned
 * parameters (recomputed in log space), for both covariance types. */
Test(tl_ghmm, reported_loglik_is_the_parameters)
{
	struct tl_ghmm_opts o = { .k = 3, .restarts = 2, .seed = 5,
	    .max_iter = 3, .tol = -1, .min_var = 1e-4 };
	struct tl_err err = { 0 };
	struct tl_ghmm m;
	int c;

	for (c = 0; c < 2; c++) {
		o.cov_type = c == 0 ? TL_GHMM_DIAG : TL_GHMM_FULL;
		cr_assert_eq(tl_ghmm_train(&m, ref_x, 12, 2, &o, &err), 0,
		    "%s", err.msg);
		cr_assert_float_eq(tl_ghmm_decode(&m, ref_x, 12, NULL, NULL),
		    m.loglik, 1e-9);
		cr_assert_eq(m.iters, 3);
		cr_assert(!m.converged);
		tl_ghmm_release(&m);
	}
}

/* ---- recovery of a known model ---------------------------------------- */

static double
gauss(uint64_t *s)
{
	double u = unif(s), v = unif(s);

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* Draw t days of a 3-state, 2-feature HMM (diagonal) into x, the states
 * into st. */
static const double rec_mean[6] = { -1.27, 2.0, 0.1, 1.0, 1.5, 0.5 };
static const double rec_sd[6] = { 0.6, 0.4, 0.5, 0.3, 0.5, 0.35 };
static const double rec_A[9] = { 0.95, 0.03, 0.02, 0.04, 0.92, 0.04, 0.02,
    0.05, 0.93 };

static void
simulate3(double *x, size_t *st, size_t t, uint64_t seed)
{
	size_t s, j, cur = 1;
	double u, c;
	int d;

	for (s = 0; s < t; s++) {
		if (s > 0) {
			u = unif(&seed);
			for (c = 0, j = 0; j < 2; j++)
				if (u < (c += rec_A[cur * 3 + j]))
					break;
			cur = j;
		}
		st[s] = cur;
		for (d = 0; d < 2; d++)
			x[s * 2 + d] = rec_mean[cur * 2 + d] + rec_sd[cur *
			    2 + d] * gauss(&seed);
	}
}

Test(tl_ghmm, recovers_a_known_three_state_model)
{
	enum { T = 4000 };
	static double x[2 * T];
	static size_t st[T], path[T];
	struct tl_ghmm_opts o = { .k = 3, .cov_type = TL_GHMM_DIAG,
	    .restarts = 6, .seed = 11, .max_iter = 500, .tol = 1e-6,
	    .min_var = 1e-4, .order = 0 };
	struct tl_err err = { 0 };
	struct tl_ghmm m;
	size_t s, agree = 0;
	int i;

	simulate3(x, st, T, 0x2385);
	cr_assert_eq(tl_ghmm_train(&m, x, T, 2, &o, &err), 0, "%s", err.msg);
	/* ~1300 days a state: a mean's s.e. is about sd / 36 = 0.017, an
	 * A entry's about 0.006; tolerances are 3 to 4 s.e. */
	for (i = 0; i < 6; i++) {
		cr_assert_float_eq(m.mean[i], rec_mean[i], 0.06, "mean %d", i);
		cr_assert_float_eq(sqrt(m.var[i]), rec_sd[i], 0.04, "sd %d",
		    i);
	}
	for (i = 0; i < 9; i++)
		cr_assert_float_eq(m.A[i], rec_A[i], 0.02, "A %d", i);
	tl_ghmm_decode(&m, x, T, NULL, path);
	for (s = 0; s < T; s++)
		agree += path[s] == st[s];
	cr_assert_geq(agree, 95 * T / 100, "viterbi agrees on %zu of %d",
	    agree, T);
	cr_assert(m.converged);
	tl_ghmm_release(&m);
}

/* Two states whose features are correlated (+0.8, -0.5): the full
 * covariance fit finds the correlations and a higher likelihood than the
 * diagonal one. */
Test(tl_ghmm, full_covariance_finds_correlations)
{
	enum { T = 3000 };
	static double x[2 * T];
	static const double rho[2] = { 0.8, -0.5 }, mu[2] = { -1, 1.5 };
	struct tl_ghmm_opts o = { .k = 2, .cov_type = TL_GHMM_FULL,
	    .restarts = 4, .seed = 3, .max_iter = 500, .tol = 1e-6,
	    .min_var = 1e-4 };
	struct tl_err err = { 0 };
	struct tl_ghmm m, d;
	uint64_t seed = 0x1271;
	size_t s, cur = 0;
	double z1, z2, r;
	int j;

	for (s = 0; s < T; s++) {
		if (s > 0 && unif(&seed) > 0.95)
			cur = 1 - cur;
		z1 = gauss(&seed);
		z2 = gauss(&seed);
		x[2 * s] = mu[cur] + z1;
		x[2 * s + 1] = -mu[cur] + 2 * (rho[cur] * z1 +
		    sqrt(1 - rho[cur] * rho[cur]) * z2);
	}
	cr_assert_eq(tl_ghmm_train(&m, x, T, 2, &o, &err), 0, "%s", err.msg);
	for (j = 0; j < 2; j++) {
		const double *c = m.cov + j * 4;

		r = c[1] / sqrt(c[0] * c[3]);
		/* s.e. of a correlation at n = 1500: (1 - rho^2)/sqrt(n) */
		cr_assert_float_eq(r, rho[j], 0.05, "state %d: r = %g", j, r);
		cr_assert_eq(c[1], c[2]);
		cr_assert_eq(m.var[j * 2 + 1], c[3]);
		cr_assert_float_eq(sqrt(c[3]), 2, 0.1);
	}
	o.cov_type = TL_GHMM_DIAG;
	cr_assert_eq(tl_ghmm_train(&d, x, T, 2, &o, &err), 0, "%s", err.msg);
	cr_assert(m.loglik > d.loglik + 100, "full %g, diagonal %g", m.loglik,
	    d.loglik);
	cr_assert_null(d.cov);
	tl_ghmm_release(&d);
	tl_ghmm_release(&m);
}

/* A fitted model's filtered probabilities for the first days do not
 * change when days are appended: bit for bit. */
Test(tl_ghmm, filtered_of_a_fit_has_no_look_ahead)
{
	enum { T = 600, P = 400 };
	static double x[2 * T], f1[3 * T], f2[3 * T];
	static size_t st[T];
	struct tl_ghmm_opts o = { .k = 3, .restarts = 2, .seed = 1,
	    .max_iter = 50, .tol = 1e-4, .min_var = 1e-4 };
	struct tl_ghmm m;

	simulate3(x, st, T, 0x77);
	cr_assert_eq(tl_ghmm_train(&m, x, T, 2, &o, NULL), 0);
	tl_ghmm_decode(&m, x, P, f1, NULL);
	tl_ghmm_decode(&m, x, T, f2, NULL);
	cr_assert_eq(memcmp(f1, f2, 3 * P * sizeof(double)), 0);
	tl_ghmm_release(&m);
}

/* Same seed, same bytes; restart r does not depend on how many follow;
 * the canonical order is by the chosen feature. */
Test(tl_ghmm, deterministic_and_ordered)
{
	enum { T = 1500 };
	static double x[2 * T];
	static size_t st[T];
	struct tl_ghmm_opts o = { .k = 3, .restarts = 4, .seed = 9,
	    .max_iter = 200, .tol = 1e-6, .min_var = 1e-4 };
	struct tl_ghmm a, b;
	size_t i;

	simulate3(x, st, T, 0x99);
	cr_assert_eq(tl_ghmm_train(&a, x, T, 2, &o, NULL), 0);
	cr_assert_eq(tl_ghmm_train(&b, x, T, 2, &o, NULL), 0);
	cr_assert_eq(memcmp(a.mean, b.mean, 6 * sizeof(double)), 0);
	cr_assert_eq(memcmp(a.A, b.A, 9 * sizeof(double)), 0);
	cr_assert_eq(a.loglik, b.loglik);
	for (i = 1; i < 3; i++)
		cr_assert(a.mean[i * 2] > a.mean[(i - 1) * 2]);
	tl_ghmm_release(&b);
	/* by feature 2, descending: rec_mean's second column falls from
	 * state 0 to 2, so the order is the same */
	o.order = 1;
	o.order_desc = 1;
	cr_assert_eq(tl_ghmm_train(&b, x, T, 2, &o, NULL), 0);
	cr_assert_eq(memcmp(a.mean, b.mean, 6 * sizeof(double)), 0);
	tl_ghmm_release(&b);
	/* ascending by feature 2: the reverse */
	o.order_desc = 0;
	cr_assert_eq(tl_ghmm_train(&b, x, T, 2, &o, NULL), 0);
	for (i = 0; i < 3; i++)
		cr_assert_eq(b.mean[i * 2], a.mean[(2 - i) * 2]);
	cr_assert_eq(b.A[0], a.A[8]);
	tl_ghmm_release(&b);
	tl_ghmm_release(&a);
}

Test(tl_ghmm, nparams)
{
	/* 2 start + 6 transition + 6 means + 6 variances, or 9 covariance
	 * entries */
	cr_assert_eq(tl_ghmm_nparams(3, 2, TL_GHMM_DIAG), 20);
	cr_assert_eq(tl_ghmm_nparams(3, 2, TL_GHMM_FULL), 23);
	cr_assert_eq(tl_ghmm_nparams(1, 4, TL_GHMM_DIAG), 8);
}

Test(tl_ghmm, bad_data)
{
	static double x[40];
	struct tl_ghmm_opts o = { .k = 3, .restarts = 1, .seed = 1,
	    .max_iter = 10, .tol = 1e-4, .min_var = 1e-4 };
	struct tl_err err = { 0 };
	struct tl_ghmm m;
	int i;

	for (i = 0; i < 20; i++) {
		x[2 * i] = 2.385 + 0.1 * i;
		x[2 * i + 1] = -1.27;	/* constant */
	}
	cr_assert_eq(tl_ghmm_train(&m, x, 20, 2, &o, &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.msg, "feature 2 is constant");
	x[3] = 1;
	cr_assert_eq(tl_ghmm_train(&m, x, 5, 2, &o, &err), -1);
	cr_assert_str_eq(err.msg, "5 rows are too few for 3 states (at least "
	    "6)");
	x[7] = NAN;
	cr_assert_eq(tl_ghmm_train(&m, x, 20, 2, &o, &err), -1);
	cr_assert_str_eq(err.msg, "row 4, feature 2: not a finite number");
	x[7] = 0.5;
	o.min_var = 0;
	cr_assert_eq(tl_ghmm_train(&m, x, 20, 2, &o, &err), -1);
	cr_assert_eq(err.code, TL_EX_USAGE);
	o.min_var = 1e-4;
	cr_assert_eq(tl_ghmm_train(&m, x, 20, 2, &o, &err), 0, "%s", err.msg);
	tl_ghmm_release(&m);
}

Test(tl_ghmm, check_refuses_bad_parameters)
{
	struct tl_err err = { 0 };
	struct tl_ghmm m;

	ref_model(&m, TL_GHMM_FULL);
	cr_assert_eq(tl_ghmm_check(&m, &err), 0);
	m.cov[1] = 0.3;		/* not symmetric */
	cr_assert_eq(tl_ghmm_check(&m, &err), -1);
	cr_assert_str_eq(err.msg, "covariance of state 0 is not symmetric");
	m.cov[1] = m.cov[2] = 0.9;	/* |r| > 1 */
	cr_assert_eq(tl_ghmm_check(&m, &err), -1);
	cr_assert_str_eq(err.msg, "covariance of state 0 is not positive "
	    "definite");
	m.cov[1] = m.cov[2] = 0.21;
	m.A[4] = 0.8;
	cr_assert_eq(tl_ghmm_check(&m, &err), -1);
	cr_assert_str_eq(err.msg, "transitions from state 1 sum to "
	    "0.9, not 1");
	m.A[4] = 0.9;
	m.pi[0] = -0.1;
	cr_assert_eq(tl_ghmm_check(&m, &err), -1);
	m.pi[0] = 0.5;
	m.var[3] = 0;
	cr_assert_eq(tl_ghmm_check(&m, &err), -1);
	cr_assert_str_eq(err.msg, "variance 1 of state 1 is not positive");
	tl_ghmm_release(&m);
}

/* ---- tl-regime's model file -------------------------------------------- */

UT_SCRATCH_DIR();

TestSuite(tl_regime_model, .init = ut_setup, .fini = ut_teardown);

/* Two states of two features, full covariances. */
static void
sample_model(struct tl_regime_model *m)
{
	static const double pi[] = { 0.25, 0.75 }, A[] = { 0.9, 0.1, 0.05,
	    0.95 }, mean[] = { -0.0016, 0.27, 0.0004, 0.155 };
	static const double cov[] = { 3.1e-4, 1.2e-5, 1.2e-5, 2.4e-3, 8.2e-5,
	    -3e-6, -3e-6, 1.4e-3 };
	static const char *const feat[] = { "ret", "vol" },
	    *const lab[] = { "stress", "calm" };
	struct tl_err err;
	size_t i;

	memset(m, 0, sizeof(*m));
	tl_ghmm_init(&m->h, 2, 2, TL_GHMM_FULL);
	memcpy(m->h.pi, pi, sizeof(pi));
	memcpy(m->h.A, A, sizeof(A));
	memcpy(m->h.mean, mean, sizeof(mean));
	memcpy(m->h.cov, cov, sizeof(cov));
	for (i = 0; i < 2; i++) {
		m->h.var[i * 2] = cov[i * 4];
		m->h.var[i * 2 + 1] = cov[i * 4 + 3];
	}
	m->h.loglik = 1171.685;
	m->h.iters = 8;
	m->h.converged = 1;
	cr_assert_eq(tl_ghmm_check(&m->h, &err), 0, "%s", err.msg);
	m->feat = calloc(2, sizeof(char *));
	m->labels = calloc(2, sizeof(char *));
	for (i = 0; i < 2; i++) {
		m->feat[i] = strdup(feat[i]);
		m->labels[i] = strdup(lab[i]);
	}
	m->date = strdup("date");
	m->rows = 250;
	m->first = strdup("2026-01-05");
	m->options = json_pack("{s:s,s:i}", "cov", "full", "seed", 7);
}

Test(tl_regime_model, round_trip)
{
	struct tl_regime_model m, m2;
	struct tl_err err;
	char path[1100];
	json_t *v, *v2;

	tl_init("tl-test");
	sample_model(&m);
	v = tl_regime_model_json(&m);
	/* the figures of the file: 1 / (1 - A_ii), p = 1 + 2 + 4 + 6 */
	cr_assert_float_eq(json_real_value(json_array_get(json_object_get(v,
	    "expected_duration"), 1)), 20, 1e-12);
	cr_assert_eq(json_integer_value(json_object_get(v, "parameters")), 13);
	cr_assert_float_eq(json_real_value(json_object_get(v, "bic")),
	    13 * log(250) - 2 * 1171.685, 1e-9);
	cr_assert(json_is_null(json_object_get(v, "last")));
	ut_path(path, sizeof(path), dir, "m.json");
	ut_write_json(path, v);
	tl_err_clear(&err);
	cr_assert_eq(tl_regime_model_load(&m2, path, &err), 0, "%s", err.msg);
	v2 = tl_regime_model_json(&m2);
	ut_assert_json_same(v, v2);
	cr_assert_str_eq(m2.labels[1], "calm");
	cr_assert_float_eq(m2.h.cov[5], -3e-6, 0);
	json_decref(v);
	json_decref(v2);
	tl_regime_model_release(&m);
	tl_regime_model_release(&m2);
}

static void
model_refused(const char *member, json_t *value, const char *msg)
{
	struct tl_regime_model m;
	struct tl_err err;
	char path[1100];

	tl_init("tl-test");
	sample_model(&m);
	ut_path(path, sizeof(path), dir, "m.json");
	ut_write_edited(tl_regime_model_json(&m), member, value, path);
	tl_regime_model_release(&m);
	tl_err_clear(&err);
	cr_assert_eq(tl_regime_model_load(&m, path, &err), -1, "%s loaded",
	    member);
	ut_assert_dataerr(&err, path, msg, member);
	cr_assert(m.labels == NULL && m.h.pi == NULL && m.options == NULL,
	    "%s: model left allocated", member);
}

Test(tl_regime_model, values_checked)
{
	model_refused("labels.1", json_string("stress"), "labels: 'stress' "
	    "twice");
	model_refused("features.0", json_integer(3), "features: expected "
	    "non-empty strings");
	model_refused("transition.1.0", json_real(0.5), "transitions from state "
	    "1 sum to 1.45, not 1");
	model_refused("covariances.0.1.0", json_real(1.3e-5), "covariance of "
	    "state 0 is not symmetric");
	model_refused("means.1", json_array(), "means: expected a 2 x 2 "
	    "matrix");
	model_refused("rows", json_integer(0), "rows: expected an integer "
	    ">= 1");
	model_refused("k", json_integer(3), "a model needs k (1-50), features "
	    "(1-64), labels (k names), cov (diag or full) and date");
	model_refused("version", json_integer(2), "format 'tl-regime-model' "
	    "version 2 is newer than this tl-test reads (1)");
}
