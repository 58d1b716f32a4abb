/*
 * Unit tests for lib/tl_tpe: the split, weights and bandwidths against
 * Optuna 4.9's code paths ([CH]; Watanabe 2023); the mixture densities
 * against Optuna 4.9 and against Optuna 3.1's
 * _ParzenEstimator (Debian's python3-optuna 3.1.0, run when this test was
 * written: float, int and categorical vectors below, tolerance 1e-8);
 * suggestions (seeded, sorted, inside the cube, the constant liar); the
 * quasi-random start (one point per 1/2^k interval of each coordinate,
 * shift included).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "tl_err.h"
#include "tl_rng.h"
#include "tl_space.h"
#include "tl_tpe.h"
#include "tl_util.h"
#include "unit.h"

#define VEC_TOL		1e-8	/* printed to 10 digits or more */

static void
init(void)
{
	tl_init("tl-test");
}

TestSuite(tl_tpe, .init = init);

Test(tl_tpe, gamma_vector)
{
	struct tl_tpe_params p = TL_TPE_PARAMS_DEFAULT;
	size_t n[] = { 1, 10, 25, 99, 100, 250, 300 };
	size_t want[] = { 1, 1, 3, 10, 10, 25, 25 };
	size_t i;

	for (i = 0; i < 7; i++)
		cr_assert_eq(tl_tpe_n_below(&p, n[i]), want[i], "n=%zu",
		    n[i]);
	cr_assert_eq(tl_tpe_n_below(&p, 0), 0);
}

Test(tl_tpe, weights_vector)
{
	double w[30];
	size_t i;

	tl_tpe_weights(27, w);
	cr_assert_float_eq(w[0], 1.0 / 27, 1e-15);
	for (i = 1; i < 27; i++)
		cr_assert_float_eq(w[i], 1.0, 1e-15, "w[%zu]", i);
	tl_tpe_weights(24, w);
	for (i = 0; i < 24; i++)
		cr_assert_float_eq(w[i], 1.0, 1e-15);
	tl_tpe_weights(30, w);	/* linspace(1/30, 1, 5) */
	cr_assert_float_eq(w[0], 1.0 / 30, 1e-15);
	cr_assert_float_eq(w[2], 1.0 / 30 + (1 - 1.0 / 30) / 2, 1e-15);
	cr_assert_float_eq(w[4], 1.0, 1e-15);
}

Test(tl_tpe, sigmas_vector)
{
	double mu[] = { 0.1, 0.4, 0.7 }, sg[3];

	tl_tpe_sigmas(mu, 3, sg);	/* 4.9: (0.3, 0.3, 0.3) */
	cr_assert_float_eq(sg[0], 0.3, 1e-12);
	cr_assert_float_eq(sg[1], 0.3, 1e-12);
	cr_assert_float_eq(sg[2], 0.3, 1e-12);
	mu[0] = 0.7;			/* order does not matter */
	mu[2] = 0.1;
	tl_tpe_sigmas(mu, 3, sg);
	cr_assert_float_eq(sg[0], 0.3, 1e-12);
	mu[1] = 0.69;			/* a tight pair: the clip 1/5 */
	tl_tpe_sigmas(mu, 3, sg);
	cr_assert_float_eq(sg[1], 0.59, 1e-12);
	cr_assert_float_eq(sg[0], 0.2, 1e-12);
}

/* A TPE over s whose good group is exactly pts[0..n) (losses loss[], or
 * 0 if loss is NULL) and whose bad group is one far point (loss 1):
 * gamma = n / (n + 1). */
static struct tl_tpe *
good_group(const struct tl_space *s, struct tl_tpe_params *p,
    const double *pts, const double *loss, size_t n, double bad)
{
	struct tl_tpe *t;
	size_t i;

	p->gamma = (double)n / (double)(n + 1);
	t = tl_tpe_alloc(s, p);
	for (i = 0; i < n; i++)
		tl_tpe_observe(t, &pts[i], loss ? loss[i] : 0);
	tl_tpe_observe(t, &bad, 1);
	cr_assert_eq(tl_tpe_fit(t), 0);
	return t;
}

/* l(x) of two good trials at 0.2 and 0.8 with weights a and b (NAN:
 * none given) and a bad one at 0.5. */
static double
weighted_logl(const struct tl_space *s, double a, double b, double x)
{
	struct tl_tpe_params p = TL_TPE_PARAMS_DEFAULT;
	struct tl_tpe *t;
	double pts[] = { 0.2, 0.8, 0.5 }, v;

	p.gamma = 0.5;		/* 2 good of 3 */
	t = tl_tpe_alloc(s, &p);
	tl_tpe_observe_weighted(t, &pts[0], 0, 0, a);
	tl_tpe_observe_weighted(t, &pts[1], 0, 0, b);
	tl_tpe_observe_tier(t, &pts[2], 1, 0);
	cr_assert_eq(tl_tpe_fit(t), 0);
	v = tl_tpe_logpdf(t, 0, &x);
	tl_tpe_free(t);
	return v;
}

Test(tl_tpe, given_weights)
{
	struct tl_space *s = ut_space("{\"x\":{\"type\":\"float\",\"low\":0,"
	    "\"high\":1}}");
	double x;

	for (x = 0.05; x < 1; x += 0.15) {
		/* weights of 1 are the equal weights; one missing: none */
		cr_assert_float_eq(weighted_logl(s, 1, 1, x),
		    weighted_logl(s, NAN, NAN, x), 1e-12, "x=%g", x);
		cr_assert_float_eq(weighted_logl(s, 0.25, NAN, x),
		    weighted_logl(s, NAN, NAN, x), 1e-12, "x=%g", x);
		/* the setting is symmetric about 0.5: swapped weights
		 * mirror l */
		cr_assert_float_eq(weighted_logl(s, 1, 0.25, x),
		    weighted_logl(s, 0.25, 1, 1 - x), 1e-12, "x=%g", x);
	}
	/* the heavier trial holds more of l */
	cr_assert_gt(weighted_logl(s, 1, 0.25, 0.2),
	    weighted_logl(s, 1, 0.25, 0.8) + 0.1);
	tl_space_free(s);
}

Test(tl_tpe, logl_optuna49)
{
	struct tl_space *s = ut_space("{\"x\":{\"type\":\"float\",\"low\":0,"
	    "\"high\":1}}");
	struct tl_tpe_params p = TL_TPE_PARAMS_DEFAULT;
	double pts[] = { 0.1, 0.4, 0.7 }, x[] = { 0.25, 0.4, 0.9 };
	double want[] = { 0.1652142904, 0.1800982193, -0.4016331822 };
	struct tl_tpe *t;
	size_t i;

	p.prior_neighbour = 0;	/* 4.9 */
	p.flat_height = 0;
	t = good_group(s, &p, pts, NULL, 3, 0.95);
	for (i = 0; i < 3; i++)
		cr_assert_float_eq(tl_tpe_logpdf(t, 0, &x[i]), want[i], 1e-9,
		    "x=%g: %.12f", x[i], tl_tpe_logpdf(t, 0, &x[i]));
	tl_tpe_free(t);
	tl_space_free(s);
}

Test(tl_tpe, logl_optuna31)
{
	struct tl_space *s = ut_space("{\"x\":{\"type\":\"float\",\"low\":0,"
	    "\"high\":1}}");
	struct tl_tpe_params p = TL_TPE_PARAMS_UNIVARIATE;
	double pts[] = { 0.1, 0.4, 0.7 }, x[] = { 0.25, 0.4, 0.9 };
	double want[] = { -0.69280732, -0.68802308, -1.08510088 };
	struct tl_tpe *t;
	size_t i;

	p.prior_neighbour = 1;	/* 3.1's ways */
	p.clip_exp = 1;

	t = good_group(s, &p, pts, NULL, 3, 0.95);
	for (i = 0; i < 3; i++)
		cr_assert_float_eq(tl_tpe_logpdf(t, 0, &x[i]), want[i], VEC_TOL,
		    "x=%g: %.12f", x[i], tl_tpe_logpdf(t, 0, &x[i]));
	tl_tpe_free(t);
	tl_space_free(s);
}

Test(tl_tpe, logl_int_and_categorical_optuna31)
{
	struct tl_space *si = ut_space("{\"n\":{\"type\":\"int\",\"low\":1,"
	    "\"high\":5}}");
	struct tl_space *sc = ut_space("{\"c\":{\"type\":\"categorical\","
	    "\"choices\":[\"a\",\"b\",\"c\"]}}");
	struct tl_tpe_params p = TL_TPE_PARAMS_UNIVARIATE;
	double wi[] = { -1.71941432, -1.30034874, -1.40108299, -2.15418587 };
	double wc[] = { -0.74193734, -1.65822808, -1.09861229 };
	double pts[3], x, bad;
	struct tl_tpe *t;
	size_t i;
	int v[] = { 1, 2, 3, 5 };
	char why[128];
	json_t *o;

	p.prior_neighbour = 1;	/* 3.1's ways */
	p.clip_exp = 1;
	/* ints 2, 2, 4 as the space encodes them */
	for (i = 0; i < 3; i++) {
		o = json_pack("{s:i}", "n", i < 2 ? 2 : 4);
		cr_assert_eq(tl_space_encode(si, o, 0, &pts[i], why,
		    sizeof(why)), 0);
		json_decref(o);
	}
	bad = 0.99;
	t = good_group(si, &p, pts, NULL, 3, bad);
	for (i = 0; i < 4; i++) {
		o = json_pack("{s:i}", "n", v[i]);
		tl_space_encode(si, o, 0, &x, why, sizeof(why));
		json_decref(o);
		cr_assert_float_eq(tl_tpe_logpdf(t, 0, &x), wi[i], VEC_TOL,
		    "n=%d: %.12f", v[i], tl_tpe_logpdf(t, 0, &x));
	}
	tl_tpe_free(t);
	pts[0] = pts[1] = 0;
	pts[2] = 2;
	t = good_group(sc, &p, pts, NULL, 3, 1);
	for (i = 0; i < 3; i++) {
		x = (double)i;
		cr_assert_float_eq(tl_tpe_logpdf(t, 0, &x), wc[i], VEC_TOL);
	}
	tl_tpe_free(t);
	tl_space_free(sc);
	tl_space_free(si);
}

/* EI weighting: good trials at 0.2 (loss 0.1) and 0.6 (loss 0.4), the
 * best bad one at 0.9 (loss 1): weights 0.9 and 0.6, the prior their
 * mean 0.75; bandwidths 0.4 (gaps), proper truncated normals on [0, 1].
 * Values from the formula, evaluated in Python. */
Test(tl_tpe, logl_ei_weights)
{
	struct tl_space *s = ut_space("{\"x\":{\"type\":\"float\",\"low\":0,"
	    "\"high\":1}}");
	struct tl_tpe_params p = TL_TPE_PARAMS_DEFAULT;
	double x[] = { 0.2, 0.45, 0.95 };
	double want[] = { 0.1282606126, 0.1463873142, -0.4294524387 };
	double pts[] = { 0.2, 0.6 }, loss[] = { 0.1, 0.4 }, tied[] = { 1, 1 };
	double a;
	struct tl_tpe *t;
	size_t i;

	t = good_group(s, &p, pts, loss, 2, 0.9);
	for (i = 0; i < 3; i++)
		cr_assert_float_eq(tl_tpe_logpdf(t, 0, &x[i]), want[i], 1e-9,
		    "x=%g: %.12f", x[i], tl_tpe_logpdf(t, 0, &x[i]));
	tl_tpe_free(t);
	/* all tied with the split: equal weights, as without EI */
	t = good_group(s, &p, pts, tied, 2, 0.9);
	a = tl_tpe_logpdf(t, 0, &x[1]);
	tl_tpe_free(t);
	p.ei_weights = 0;
	t = good_group(s, &p, pts, tied, 2, 0.9);
	cr_assert_float_eq(tl_tpe_logpdf(t, 0, &x[1]), a, 1e-12);
	tl_tpe_free(t);
	tl_space_free(s);
}

/* Multivariate: a categorical parameter stands alone, so the density of
 * (x, c) is that of x times that of c, each fitted on its own. */
Test(tl_tpe, categorical_alone)
{
	struct tl_space *s2 = ut_space("{\"x\":{\"type\":\"float\",\"low\":0,"
	    "\"high\":1},\"c\":{\"type\":\"categorical\",\"choices\":"
	    "[\"a\",\"b\",\"c\"]}}");
	struct tl_space *sx = ut_space("{\"x\":{\"type\":\"float\",\"low\":0,"
	    "\"high\":1}}");
	struct tl_space *sc = ut_space("{\"c\":{\"type\":\"categorical\","
	    "\"choices\":[\"a\",\"b\",\"c\"]}}");
	struct tl_tpe_params p = TL_TPE_PARAMS_DEFAULT;
	double pts[][2] = { { 0.13, 0 }, { 0.42, 2 }, { 0.77, 0 },
	    { 0.31, 1 }, { 0.95, 2 } };
	double loss[] = { 0.27, 1.38, 0.61, 2.385, 0.94 }, q[2] = { 0.35, 2 };
	struct tl_tpe *t2, *tx, *tc;
	size_t i;
	int w;

	p.gamma = 0.4;
	t2 = tl_tpe_alloc(s2, &p);
	tx = tl_tpe_alloc(sx, &p);
	tc = tl_tpe_alloc(sc, &p);
	for (i = 0; i < 5; i++) {
		tl_tpe_observe(t2, pts[i], loss[i]);
		tl_tpe_observe(tx, &pts[i][0], loss[i]);
		tl_tpe_observe(tc, &pts[i][1], loss[i]);
	}
	cr_assert_eq(tl_tpe_fit(t2), 0);
	cr_assert_eq(tl_tpe_fit(tx), 0);
	cr_assert_eq(tl_tpe_fit(tc), 0);
	for (w = 0; w < 2; w++)
		cr_assert_float_eq(tl_tpe_logpdf(t2, w, q),
		    tl_tpe_logpdf(tx, w, &q[0]) + tl_tpe_logpdf(tc, w, &q[1]),
		    1e-12, "which=%d", w);
	cr_assert_float_eq(tl_tpe_score(t2, q), tl_tpe_score(tx, &q[0]) +
	    tl_tpe_score(tc, &q[1]), 1e-12);
	tl_tpe_free(tc);
	tl_tpe_free(tx);
	tl_tpe_free(t2);
	tl_space_free(sc);
	tl_space_free(sx);
	tl_space_free(s2);
}

/* A small mixed problem with a known best corner. */
static struct tl_tpe *
mixed_tpe(const struct tl_space *s, const struct tl_tpe_params *p)
{
	unsigned long long st = 88172645463325252ULL;
	struct tl_tpe *t;
	double x[3], q[3];
	size_t i, j;

	t = tl_tpe_alloc(s, p);
	for (i = 0; i < 40; i++) {
		for (j = 0; j < 3; j++)
			q[j] = (double)(ut_xorshift(&st) >> 11) * 0x1.0p-53;
		tl_space_from_unit(s, q, x);
		tl_tpe_observe(t, x, (x[0] - 0.2) * (x[0] - 0.2) +
		    (x[1] - 0.7) * (x[1] - 0.7) + (x[2] == 1 ? 0 : 0.5));
	}
	return t;
}

static void
suggest_checks(int multivariate)
{
	struct tl_space *s = ut_space("{\"a\":{\"type\":\"float\",\"low\":-2.5,"
	    "\"high\":4},\"b\":{\"type\":\"int\",\"low\":0,\"high\":9},"
	    "\"c\":{\"type\":\"categorical\",\"choices\":[\"x\",true,3]}}");
	struct tl_tpe_params p = TL_TPE_PARAMS_DEFAULT;
	double X[64 * 3], Y[64 * 3], sc[64], sd[64];
	struct tl_tpe *t;
	gsl_rng *r;
	size_t i;

	if (!multivariate)
		p = (struct tl_tpe_params)TL_TPE_PARAMS_UNIVARIATE;
	t = mixed_tpe(s, &p);
	cr_assert_eq(tl_tpe_fit(t), 0);
	r = tl_rng_alloc(7, 0);
	tl_tpe_suggest(t, r, 64, X, sc);
	tl_rng_free(r);
	r = tl_rng_alloc(7, 0);
	tl_tpe_suggest(t, r, 64, Y, sd);
	tl_rng_free(r);
	cr_assert_eq(memcmp(X, Y, sizeof(X)), 0, "not deterministic");
	for (i = 0; i < 64; i++) {
		cr_assert(X[i * 3] >= 0 && X[i * 3] <= 1);
		cr_assert(X[i * 3 + 2] == 0 || X[i * 3 + 2] == 1 ||
		    X[i * 3 + 2] == 2);
		if (i > 0)
			cr_assert_geq(sc[i - 1], sc[i], "not sorted at %zu", i);
		if (multivariate)	/* the score is the score */
			cr_assert_float_eq(sc[i], tl_tpe_score(t, &X[i * 3]),
			    1e-9);
	}
	/* the good corner (a near 0.2 of the cube, choice true) wins */
	cr_assert_lt(fabs(X[0] - 0.2), 0.25, "best a at %g", X[0]);
	cr_assert_eq(X[2], 1);
	/* constant liar: once the best is pending its score falls */
	{
		double before = tl_tpe_score(t, X);

		tl_tpe_pending(t, X);
		tl_tpe_pending(t, X);
		cr_assert_eq(tl_tpe_fit(t), 0);
		cr_assert_lt(tl_tpe_score(t, X), before);
	}
	tl_tpe_free(t);
	tl_space_free(s);
}

Test(tl_tpe, suggest_univariate)
{
	suggest_checks(0);
}

Test(tl_tpe, suggest_multivariate)
{
	suggest_checks(1);
}

Test(tl_tpe, fit_needs_a_trial)
{
	struct tl_space *s = ut_space("{\"a\":{\"type\":\"float\",\"low\":0,"
	    "\"high\":1}}");
	struct tl_tpe_params p = TL_TPE_PARAMS_DEFAULT;
	struct tl_tpe *t = tl_tpe_alloc(s, &p);
	double x = 0.3;

	cr_assert_eq(tl_tpe_fit(t), -1);
	tl_tpe_pending(t, &x);
	cr_assert_eq(tl_tpe_fit(t), -1);
	cr_assert_eq(tl_tpe_count(t), 0);
	tl_tpe_free(t);
	tl_space_free(s);
}

Test(tl_tpe, qmc_stratified)
{
	double q[16 * 3], c[16], q2[16 * 3];
	size_t i, j;

	cr_assert_eq(tl_qmc_points(3, 0, 16, 42, q), 0);
	for (j = 0; j < 3; j++) {
		for (i = 0; i < 16; i++) {
			cr_assert(q[i * 3 + j] >= 0 && q[i * 3 + j] < 1);
			c[i] = q[i * 3 + j];
		}
		/* 16 points of a shifted (t,m,s)-net: one per 1/16 of
		 * each axis, evenly spaced */
		qsort(c, 16, sizeof(double), tl_cmp_double);
		for (i = 1; i < 16; i++)
			cr_assert_float_eq(c[i] - c[i - 1], 1.0 / 16, 1e-12);
	}
	/* start skips: points 4.. equal the tail of 0.. */
	cr_assert_eq(tl_qmc_points(3, 4, 12, 42, q2), 0);
	cr_assert_eq(memcmp(q2, q + 12, 12 * 3 * sizeof(double)), 0);
	/* another seed, another shift */
	cr_assert_eq(tl_qmc_points(3, 0, 1, 43, q2), 0);
	cr_assert_neq(memcmp(q2, q, 3 * sizeof(double)), 0);
	cr_assert_eq(tl_qmc_points(1300, 0, 1, 1, q2 /* unused */), -1);
}

/* Tiers rank before losses (Optuna 3.1's split: complete, then pruned
 * deepest first, then infeasible): complete A (loss 5), pruned B at a
 * shallow step (loss -100), pruned C deeper (loss 50) split 2/1 as
 * A, C | B, the same densities as plain losses in that order with equal
 * weights (EI weighting is off across tiers). */
Test(tl_tpe, tiers_rank_first)
{
	struct tl_space *s = ut_space("{\"x\":{\"type\":\"float\",\"low\":0,"
	    "\"high\":1}}");
	struct tl_tpe_params p = TL_TPE_PARAMS_DEFAULT;
	double a = 0.1, b = 0.9, c = 0.5, x[] = { 0.15, 0.5, 0.85 };
	struct tl_tpe *t, *ref;
	size_t i;

	p.gamma = 0.5;	/* ceil(1.5) = 2 good trials */
	t = tl_tpe_alloc(s, &p);
	tl_tpe_observe(t, &a, 5);
	tl_tpe_observe_tier(t, &b, 1 + 1.0 / 3, -100);	/* step 1 */
	tl_tpe_observe_tier(t, &c, 1 + 1.0 / 9, 50);	/* step 7 */
	cr_assert_eq(tl_tpe_fit(t), 0);
	p.ei_weights = 0;
	ref = tl_tpe_alloc(s, &p);
	tl_tpe_observe(ref, &a, 0);
	tl_tpe_observe(ref, &b, 2);
	tl_tpe_observe(ref, &c, 1);
	cr_assert_eq(tl_tpe_fit(ref), 0);
	for (i = 0; i < 3; i++) {
		cr_assert_float_eq(tl_tpe_logpdf(t, 0, &x[i]),
		    tl_tpe_logpdf(ref, 0, &x[i]), 1e-12, "l at %g", x[i]);
		cr_assert_float_eq(tl_tpe_logpdf(t, 1, &x[i]),
		    tl_tpe_logpdf(ref, 1, &x[i]), 1e-12, "g at %g", x[i]);
	}
	/* and B's -100 did not make it good: g is higher than l at 0.85 */
	cr_assert_gt(tl_tpe_logpdf(t, 1, &x[2]), tl_tpe_logpdf(t, 0, &x[2]));
	tl_tpe_free(ref);
	tl_tpe_free(t);
	tl_space_free(s);
}
