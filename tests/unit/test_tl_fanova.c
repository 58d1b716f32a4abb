/*
 * Unit tests for lib/tl_fanova: one tree's variance and main effects
 * against a hand computation (a log float, a log int and a categorical,
 * so that each kind of weight is checked), the 70/25/5 function of issue
 * 25 with two inert parameters against its closed-form shares, the same
 * figures for 1 and 2 threads, and the errors.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "tl_err.h"
#include "tl_fanova.h"
#include "tl_forest.h"
#include "tl_space.h"
#include "tl_util.h"
#include "unit.h"

static void
init(void)
{
	tl_init("tl-test");
}

TestSuite(tl_fanova, .init = init);

/* Encode the params object text into x. */
static void
encode(const struct tl_space *s, const char *params, double *x)
{
	char why[256];
	json_t *v = json_loads(params, 0, NULL);

	cr_assert_not_null(v, "bad params %s", params);
	cr_assert_eq(tl_space_encode(s, v, 0, x, why, sizeof(why)), 0, "%s",
	    why);
	json_decref(v);
}

/*
 * The hand computation.  x: log float [1, 1000] at 2, 10, 50, 400; k: log
 * int [1, 8] at 1, 8; z: a or b; 16 rows, y = 10 [x > 20] + [x > 20] [z
 * = b] + 3 [x < 20] [k = 8].  One tree on every row (no bootstrap, every
 * feature tried, leaves of one row): the root splits x between 10 and
 * 50 (the left half has y 0 or 3, the right 10 or 11); the left splits k
 * (z and x have no gain there), the right z.  Four leaves:
 *
 *   x low, k low: 0   x low, k high: 3   x high, z a: 10   x high, z b: 11
 *
 * Weights: x low is u <= Bx, Bx = (u(10) + u(50)) / 2, u = ln x / ln 1000
 * (the forest's bound, a midpoint); k low is the values whose centre
 * ln v lies below the bound (ln 1 + ln 8) / 2 = ln 2.83: 1 and 2, whose
 * bins span [ln 0.5, ln 2.5] of [ln 0.5, ln 8.5], a share wk = ln 5 /
 * ln 17; z a and b weigh 1/2 each.  Then f0, V and the marginals are
 * the sums written out below.
 */
Test(tl_fanova, one_tree_by_hand)
{
	static const int xs[] = { 2, 10, 50, 400 }, ks[] = { 1, 8 };
	struct tl_space *s = ut_space("{\"x\":{\"type\":\"float\",\"low\":1,"
	    "\"high\":1000,\"log\":true},\"k\":{\"type\":\"int\",\"low\":1,"
	    "\"high\":8,\"log\":true},\"z\":{\"type\":\"categorical\","
	    "\"choices\":[\"a\",\"b\"]}}");
	struct tl_forest_params fp = tl_fanova_forest_params(1, 7, 1);
	struct tl_err err = { 0 };
	struct tl_forest *f;
	struct tl_fanova *a;
	double x[16 * 3], y[16], V, Vj[3], frac[3];
	double Bx, wk, f0, Vw, Vx, Vk, Vz, ax[2], ak[2], az[2];
	char params[128];
	size_t i, n = 0, ix, ik, iz;

	for (ix = 0; ix < 4; ix++)
		for (ik = 0; ik < 2; ik++)
			for (iz = 0; iz < 2; iz++) {
				snprintf(params, sizeof(params), "{\"x\":%d,"
				    "\"k\":%d,\"z\":\"%s\"}", xs[ix], ks[ik],
				    iz ? "b" : "a");
				encode(s, params, x + 3 * n);
				y[n++] = xs[ix] > 20 ? 10 + (double)iz :
				    3 * (double)(ks[ik] == 8);
			}
	fp.bootstrap = 0;
	f = tl_fanova_forest(s, x, y, NULL, n, &fp, &err);
	cr_assert_not_null(f, "%s", err.msg);
	cr_assert_eq(tl_forest_tree_nodes(f, 0), 7, "the tree drawn above");
	a = tl_fanova_alloc(f, s);
	tl_fanova_tree(a, 0, &V, Vj);

	Bx = (log(10) / log(1000) + log(50) / log(1000)) / 2;
	wk = log(5) / log(17);
	f0 = Bx * wk * 0 + Bx * (1 - wk) * 3 + (1 - Bx) / 2 * 10 +
	    (1 - Bx) / 2 * 11;
	Vw = Bx * wk * f0 * f0 + Bx * (1 - wk) * (3 - f0) * (3 - f0) +
	    (1 - Bx) / 2 * (10 - f0) * (10 - f0) + (1 - Bx) / 2 * (11 - f0) *
	    (11 - f0);
	ax[0] = wk * 0 + (1 - wk) * 3;		/* x low: over k */
	ax[1] = (10 + 11) / 2.0;		/* x high: over z */
	Vx = Bx * (ax[0] - f0) * (ax[0] - f0) + (1 - Bx) * (ax[1] - f0) *
	    (ax[1] - f0);
	ak[0] = Bx * 0 + (1 - Bx) * 10.5;	/* k low */
	ak[1] = Bx * 3 + (1 - Bx) * 10.5;	/* k high */
	Vk = wk * (ak[0] - f0) * (ak[0] - f0) + (1 - wk) * (ak[1] - f0) *
	    (ak[1] - f0);
	az[0] = Bx * (1 - wk) * 3 + (1 - Bx) * 10;
	az[1] = Bx * (1 - wk) * 3 + (1 - Bx) * 11;
	Vz = (az[0] - f0) * (az[0] - f0) / 2 + (az[1] - f0) * (az[1] - f0) /
	    2;

	cr_assert_float_eq(V, Vw, 1e-12, "V %.17g, by hand %.17g", V, Vw);
	cr_assert_float_eq(Vj[0], Vx, 1e-12, "V_x %.17g, by hand %.17g",
	    Vj[0], Vx);
	cr_assert_float_eq(Vj[1], Vk, 1e-12, "V_k %.17g, by hand %.17g",
	    Vj[1], Vk);
	cr_assert_float_eq(Vj[2], Vz, 1e-12, "V_z %.17g, by hand %.17g",
	    Vj[2], Vz);
	/* z's main effect is 0.25 (1 - Bx)^2 in closed form too */
	cr_assert_float_eq(Vz, 0.25 * (1 - Bx) * (1 - Bx), 1e-12);
	cr_assert_eq(tl_fanova_fractions(a, frac), 1);
	for (i = 0; i < 3; i++)
		cr_assert_float_eq(frac[i], Vj[i] / V, 1e-12);
	tl_fanova_free(a);
	tl_forest_free(f);
	tl_space_free(s);
}

/*
 * Issue 25's test: f = a g1(x1) + b g2(x2) + c g3(x3) with x4, x5 inert,
 * under the uniform measure of the space (x2 uniform in log, x3 on its
 * ten values):
 *   g1 = u1 (x1 in [0, 1]):           Var = 1/12
 *   g2 = u2^2, u2 = log10(x2) / 2 (x2 log in [1, 100]):
 *        E u^4 - (E u^2)^2 = 1/5 - 1/9 = 4/45
 *   g3 = sin(2 pi x3 / 10) (x3 int in [0, 9]): mean 0, Var = 1/2
 * and a^2 / 12 = 0.70, b^2 4 / 45 = 0.25, c^2 / 2 = 0.05: the main
 * effects are 0.70, 0.25 and 0.05 of the variance, the only effects
 * there are.  400 uniform samples; the shares must come within 0.05, the
 * inert parameters' below 0.02 (issue 25's "How we will know").  With 300
 * samples some seeds miss (a forest's small effects shrink: x3 gets
 * about 0.015, see bench/bayesopt-importance.sh); a symmetric g2 such
 * as (u2 - 1/2)^2, which a greedy first split cannot see, misses more.
 */
static const char *const space7025 = "{\"x1\":{\"type\":\"float\","
    "\"low\":0,\"high\":1},\"x2\":{\"type\":\"float\",\"low\":1,"
    "\"high\":100,\"log\":true},\"x3\":{\"type\":\"int\",\"low\":0,"
    "\"high\":9},\"x4\":{\"type\":\"float\",\"low\":0,\"high\":1},"
    "\"x5\":{\"type\":\"categorical\",\"choices\":[\"p\",\"q\",\"r\"]}}";

static void
sample7025(const struct tl_space *s, unsigned long long seed, size_t n,
    double *x, double *y)
{
	const double a = sqrt(0.70 * 12), b = sqrt(0.25 * 45 / 4),
	    c = sqrt(0.05 * 2);
	unsigned long long st = seed;
	double u1, u2, u4;
	char params[256];
	size_t i;
	int k3, k5;

	for (i = 0; i < n; i++) {
		u1 = ut_unif(&st);
		u2 = ut_unif(&st);
		k3 = (int)(ut_unif(&st) * 10);
		u4 = ut_unif(&st);
		k5 = (int)(ut_unif(&st) * 3);
		snprintf(params, sizeof(params), "{\"x1\":%.17g,\"x2\":%.17g,"
		    "\"x3\":%d,\"x4\":%.17g,\"x5\":\"%c\"}", u1,
		    pow(100, u2), k3, u4, "pqr"[k5]);
		encode(s, params, x + i * s->n);
		/* g2 from the encoded u2: the measure is uniform in it */
		u2 = x[i * s->n + 1];
		y[i] = a * u1 + b * u2 * u2 + c * sin(2 * M_PI * k3 / 10.0);
	}
}

Test(tl_fanova, shares_70_25_5)
{
	static const double want[] = { 0.70, 0.25, 0.05 };
	static const unsigned long long seeds[] = { 11, 12, 13 };
	struct tl_space *s = ut_space(space7025);
	struct tl_fanova_params p = TL_FANOVA_PARAMS_DEFAULT;
	struct tl_fanova_result res[5];
	struct tl_err err = { 0 };
	double x[400 * 5], y[400];
	size_t i, j;

	p.bootstrap = 0;
	for (i = 0; i < TL_NELEM(seeds); i++) {
		sample7025(s, seeds[i], 400, x, y);
		p.seed = seeds[i];
		cr_assert_eq(tl_fanova(s, x, y, 400, &p, res, &err), 0, "%s",
		    err.msg);
		for (j = 0; j < 3; j++)
			cr_assert(fabs(res[j].importance - want[j]) <= 0.05,
			    "seed %llu: x%zu's share %.4f, want %.2f +- 0.05",
			    seeds[i], j + 1, res[j].importance, want[j]);
		for (j = 3; j < 5; j++)
			cr_assert(res[j].importance < 0.02, "seed %llu: inert "
			    "x%zu's share %.4f, want < 0.02", seeds[i], j + 1,
			    res[j].importance);
		for (j = 0; j < 5; j++)
			cr_assert(isnan(res[j].lo) && isnan(res[j].hi));
	}
	tl_space_free(s);
}

/* Refits: an interval in [0, 1] around each share, and the same bytes
 * with 1 and 2 threads. */
Test(tl_fanova, refits_and_threads)
{
	struct tl_space *s = ut_space(space7025);
	struct tl_fanova_params p = TL_FANOVA_PARAMS_DEFAULT;
	struct tl_fanova_result r1[5], r2[5];
	struct tl_err err = { 0 };
	double x[200 * 5], y[200];
	size_t j;

	sample7025(s, 5, 200, x, y);
	p.trees = 16;
	p.bootstrap = 12;
	p.seed = 3;
	p.threads = 1;
	cr_assert_eq(tl_fanova(s, x, y, 200, &p, r1, &err), 0, "%s", err.msg);
	p.threads = 2;
	cr_assert_eq(tl_fanova(s, x, y, 200, &p, r2, &err), 0, "%s", err.msg);
	cr_assert_eq(memcmp(r1, r2, sizeof(r1)), 0, "threads change results");
	for (j = 0; j < 5; j++) {
		cr_assert(r1[j].lo >= 0 && r1[j].lo <= r1[j].hi &&
		    r1[j].hi <= 1, "x%zu: [%g, %g]", j + 1, r1[j].lo,
		    r1[j].hi);
		cr_assert(r1[j].fraction <= r1[j].importance + 1e-15,
		    "a fraction above its normalised share");
	}
	/* x1 dominates in every refit */
	cr_assert(r1[0].lo > r1[1].hi, "x1 [%g, %g], x2 [%g, %g]", r1[0].lo,
	    r1[0].hi, r1[1].lo, r1[1].hi);
	tl_space_free(s);
}

Test(tl_fanova, errors)
{
	struct tl_space *s = ut_space("{\"x\":{\"type\":\"float\",\"low\":0,"
	    "\"high\":1}}");
	struct tl_fanova_params p = TL_FANOVA_PARAMS_DEFAULT;
	struct tl_fanova_result res[1];
	struct tl_err err = { 0 };
	double x[3] = { 0.2, 0.5, 0.9 }, y[3] = { 1.5, 1.5, 1.5 };

	cr_assert_eq(tl_fanova(s, x, y, 1, &p, res, &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.msg, "need at least 2 trials, got 1");
	memset(&err, 0, sizeof(err));
	cr_assert_eq(tl_fanova(s, x, y, 3, &p, res, &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.msg, "the value is 1.5 in every trial: no "
	    "variance to attribute");
	tl_space_free(s);
}
