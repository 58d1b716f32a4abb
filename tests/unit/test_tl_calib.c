/*
 * Unit tests for lib/tl_calib: PAV against scikit-learn's isotonic test
 * vectors and against an independent isotonic fit (the min-max formula),
 * isotonic maps (ties pooled, interpolation, clipping), Platt scaling
 * (recovery of known parameters, optimality, one class, separable data),
 * Brier, log-loss, and the reliability table with its ECE and Wilson
 * intervals.  Values marked [CH] were computed with plain Python from the
 * formula named next to them.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_calib.h"
#include "tl_err.h"
#include "tl_json.h"
#include "tl_util.h"
#include "unit.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* PAV and the min-max formula do a few dozen additions of numbers below
 * 10 in a different order: they agree to far better than this. */
#define ISO_TOL		1e-12
#define NRANDOM_SEQ	500	/* random sequences against the reference */
#define MAX_SEQ		60	/* their longest; the reference is O(n^3) */

/* 95% normal quantile, as tl-calibrate passes it for --level 0.95. */
#define Z95		1.959964

static void
init(void)
{
	tl_init("tl-test");
}

TestSuite(tl_calib, .init = init);

/* A uniform double in [0, 1) from 53 bits of xorshift. */
static double
unif(unsigned long long *s)
{
	return (double)(ut_xorshift(s) >> 11) * 0x1.0p-53;
}

static void
assert_seq(const double *got, const double *want, size_t n, double tol,
    const char *what)
{
	size_t i;

	for (i = 0; i < n; i++)
		cr_assert_float_eq(got[i], want[i], tol,
		    "%s: [%zu] is %.17g, want %.17g", what, i, got[i], want[i]);
}

/*
 * The isotonic fit by the min-max formula (Barlow et al. 1972):
 * fit_i = max_{j<=i} min_{k>=i} mean(y[j..k]), weighted.  Nothing in it
 * is shared with PAV.  The block means are summed from scratch for each j
 * so that no prefix-sum cancellation enters the comparison.
 */
static void
iso_minmax(const double *y, const double *w, size_t n, double *out)
{
	static double avg[MAX_SEQ][MAX_SEQ];
	double sy, sw, best, lo;
	size_t i, j, k;

	cr_assert_leq(n, MAX_SEQ);
	for (j = 0; j < n; j++) {
		sy = sw = 0;
		for (k = j; k < n; k++) {
			sy += w[k] * y[k];
			sw += w[k];
			avg[j][k] = sy / sw;
		}
	}
	for (i = 0; i < n; i++) {
		best = -INFINITY;
		for (j = 0; j <= i; j++) {
			lo = INFINITY;
			for (k = i; k < n; k++)
				if (avg[j][k] < lo)
					lo = avg[j][k];
			if (lo > best)
				best = lo;
		}
		out[i] = best;
	}
}

/* ---- PAV ---------------------------------------------------------- */

Test(tl_calib, pav_methods_vectors)
{
	/* scikit-learn's test_isotonic_regression */
	const double y1[] = { 3, 7, 5, 9, 8, 7, 10 };
	const double f1[] = { 3, 6, 6, 8, 8, 8, 10 };
	const double y2[] = { 10, 0, 2 };
	const double f2[] = { 4, 4, 4 };
	double out[7];

	tl_pav(y1, NULL, NELEM(y1), out);
	assert_seq(out, f1, NELEM(y1), 1e-15, "PAV(3,7,5,9,8,7,10)");
	tl_pav(y2, NULL, NELEM(y2), out);
	assert_seq(out, f2, NELEM(y2), 1e-15, "PAV(10,0,2)");
}

Test(tl_calib, pav_null_weights_are_ones)
{
	const double y[] = { 2.385, -1.27, 0.5, 0.31, 4.2, 1.7 };
	const double w[] = { 1, 1, 1, 1, 1, 1 };
	double a[6], b[6];

	tl_pav(y, NULL, NELEM(y), a);
	tl_pav(y, w, NELEM(y), b);
	assert_seq(a, b, NELEM(y), 0, "NULL weights vs ones");
}

Test(tl_calib, pav_weighted)
{
	/* (3*1 + 2*3) / 4 = 2.25 */
	const double y1[] = { 1, 3, 2, 4 }, w1[] = { 1, 1, 3, 1 };
	const double f1[] = { 1, 2.25, 2.25, 4 };
	/* (2.385*0.5 - 1.27*2) / 2.5 = -0.539 */
	const double y2[] = { 2.385, -1.27, 0.5 }, w2[] = { 0.5, 2, 1 };
	const double f2[] = { -0.539, -0.539, 0.5 };
	/* 5,4 -> 4.5 (w 2); with 0 (w 4) -> 1.5 (w 6); with 3 (w 2) ->
	 * (6 + 9) / 8 = 1.875: a merge that walks back to the start */
	const double y3[] = { 3, 5, 4, 0 }, w3[] = { 2, 1, 1, 4 };
	const double f3[] = { 1.875, 1.875, 1.875, 1.875 };
	/* a heavy point drags the pool: (0.9*0.25 + 0.2*7.5) / 7.75 */
	const double y4[] = { 0.1, 0.9, 0.2, 0.95 }, w4[] = { 1, 0.25, 7.5, 2 };
	const double p4 = (0.9 * 0.25 + 0.2 * 7.5) / 7.75;
	const double f4[] = { 0.1, p4, p4, 0.95 };
	double out[4];

	tl_pav(y1, w1, NELEM(y1), out);
	assert_seq(out, f1, NELEM(y1), 1e-15, "weighted 1");
	tl_pav(y2, w2, NELEM(y2), out);
	assert_seq(out, f2, NELEM(y2), 1e-15, "weighted 2");
	tl_pav(y3, w3, NELEM(y3), out);
	assert_seq(out, f3, NELEM(y3), 1e-15, "weighted 3");
	tl_pav(y4, w4, NELEM(y4), out);
	assert_seq(out, f4, NELEM(y4), 1e-15, "weighted 4");
}

Test(tl_calib, pav_monotone_equal_single)
{
	const double mono[] = { -1.27, 0.31, 0.31, 2.385, 7.5 };
	const double same[] = { 0.615, 0.615, 0.615, 0.615 };
	const double one[] = { 2.385 };
	double out[5];

	tl_pav(mono, NULL, NELEM(mono), out);
	assert_seq(out, mono, NELEM(mono), 0, "already monotone");
	tl_pav(same, NULL, NELEM(same), out);
	assert_seq(out, same, NELEM(same), 0, "all equal");
	tl_pav(one, NULL, 1, out);
	cr_assert_eq(out[0], 2.385);
}

Test(tl_calib, pav_in_place)
{
	double y[] = { 3, 7, 5, 9, 8, 7, 10 };
	const double f[] = { 3, 6, 6, 8, 8, 8, 10 };
	double v[] = { 3, 5, 4, 0 };
	const double w[] = { 2, 1, 1, 4 };
	const double g[] = { 1.875, 1.875, 1.875, 1.875 };

	tl_pav(y, NULL, NELEM(y), y);
	assert_seq(y, f, NELEM(y), 1e-15, "in place");
	tl_pav(v, w, NELEM(v), v);
	assert_seq(v, g, NELEM(v), 1e-15, "in place, weighted");
}

/* 500 random weighted sequences of 1 to 60 values: half continuous, half
 * from a few levels (ties, runs of equal means), some 0/1 outcomes. */
Test(tl_calib, pav_equals_minmax_reference)
{
	double y[MAX_SEQ], w[MAX_SEQ], got[MAX_SEQ], want[MAX_SEQ];
	unsigned long long s = 0x2385127ULL;
	size_t n, i, t;

	for (t = 0; t < NRANDOM_SEQ; t++) {
		n = 1 + (size_t)(ut_xorshift(&s) % MAX_SEQ);
		for (i = 0; i < n; i++) {
			switch (t % 3) {
			case 0:		/* continuous in [-2.5, 2.5) */
				y[i] = 5 * unif(&s) - 2.5;
				break;
			case 1:		/* 4 levels: many ties */
				y[i] = -1.27 + 0.75 *
				    (double)(ut_xorshift(&s) % 4);
				break;
			default:	/* outcomes, drifting upwards */
				y[i] = unif(&s) <
				    (double)(i + 1) / (double)(n + 1);
				break;
			}
			/* weights in [0.1, 3.1), or all 1 every 5th */
			w[i] = t % 5 == 4 ? 1 : 0.1 + 3 * unif(&s);
		}
		iso_minmax(y, w, n, want);
		tl_pav(y, w, n, got);
		for (i = 0; i < n; i++) {
			cr_assert_float_eq(got[i], want[i], ISO_TOL,
			    "sequence %zu (n %zu), [%zu]: PAV %.17g, "
			    "min-max %.17g", t, n, i, got[i], want[i]);
			if (i > 0)
				cr_assert_geq(got[i], got[i - 1],
				    "sequence %zu: not monotone at %zu", t, i);
		}
	}
}

/* ---- isotonic maps ------------------------------------------------- */

static void
assert_map(const struct tl_iso *m, const double *x, const double *y,
    size_t n)
{
	cr_assert_eq(m->n, n, "knots: %zu, want %zu", m->n, n);
	assert_seq(m->x, x, n, 0, "knot x");
	assert_seq(m->y, y, n, 1e-15, "knot y");
}

Test(tl_calib, iso_ties_pooled)
{
	/* the brief's case: 0.2 holds outcomes 1 and 0 */
	const double s1[] = { 0.2, 0.2, 0.4 }, o1[] = { 1, 0, 1 };
	const double x1[] = { 0.2, 0.4 }, v1[] = { 0.5, 1 };
	/* given unsorted; pooled first: 0.1 -> 0, 0.3 -> 1/2 (w 2), 0.5 ->
	 * 0, then PAV: (1 + 0) / 3.  Without pooling, the order of the two
	 * 0.3 rows would decide whether 0.3 gets 0 or 1/2 or 1/3. */
	const double s2[] = { 0.5, 0.3, 0.1, 0.3 }, o2[] = { 0, 1, 0, 0 };
	const double x2[] = { 0.1, 0.3, 0.5 }, v2[] = { 0, 1.0 / 3, 1.0 / 3 };
	/* the pooled point keeps its weight 3: (2 + 0) / 4, not
	 * (2/3 + 0) / 2 */
	const double s3[] = { 0.2, 0.4, 0.2, 0.2 }, o3[] = { 1, 0, 0, 1 };
	const double x3[] = { 0.2, 0.4 }, v3[] = { 0.5, 0.5 };
	struct tl_iso m = { 0 };
	struct tl_err err = { 0 };

	cr_assert_eq(tl_iso_fit(&m, s1, o1, NELEM(s1), &err), 0, "%s",
	    err.msg);
	assert_map(&m, x1, v1, NELEM(x1));
	tl_iso_release(&m);

	memset(&m, 0, sizeof(m));
	cr_assert_eq(tl_iso_fit(&m, s2, o2, NELEM(s2), &err), 0, "%s",
	    err.msg);
	assert_map(&m, x2, v2, NELEM(x2));
	tl_iso_release(&m);

	memset(&m, 0, sizeof(m));
	cr_assert_eq(tl_iso_fit(&m, s3, o3, NELEM(s3), &err), 0, "%s",
	    err.msg);
	assert_map(&m, x3, v3, NELEM(x3));
	tl_iso_release(&m);
}

Test(tl_calib, iso_interpolate_and_clip)
{
	/* already monotone after PAV of 0, 1, 0, 1: 0, .5, .5, 1; every
	 * distinct score is a knot */
	const double s[] = { 0.8, 0.15, 0.6, 0.35 }, o[] = { 1, 0, 0, 1 };
	const double x[] = { 0.15, 0.35, 0.6, 0.8 }, v[] = { 0, 0.5, 0.5, 1 };
	struct tl_iso m = { 0 };
	struct tl_err err = { 0 };

	cr_assert_eq(tl_iso_fit(&m, s, o, NELEM(s), &err), 0, "%s", err.msg);
	assert_map(&m, x, v, NELEM(x));
	/* between knots: linear; tolerance a few ulps of the division */
	cr_assert_float_eq(tl_iso_apply(&m, 0.25), 0.25, 1e-15);
	cr_assert_float_eq(tl_iso_apply(&m, 0.2385), 0.22125, 1e-15);
	cr_assert_float_eq(tl_iso_apply(&m, 0.47), 0.5, 1e-15);
	cr_assert_float_eq(tl_iso_apply(&m, 0.7), 0.75, 1e-15);
	cr_assert_float_eq(tl_iso_apply(&m, 0.773), 0.9325, 1e-15);
	/* on the knots: their values */
	cr_assert_float_eq(tl_iso_apply(&m, 0.15), 0, 0);
	cr_assert_float_eq(tl_iso_apply(&m, 0.35), 0.5, 1e-15);
	cr_assert_float_eq(tl_iso_apply(&m, 0.8), 1, 0);
	/* outside: clipped to the end values */
	cr_assert_float_eq(tl_iso_apply(&m, 0), 0, 0);
	cr_assert_float_eq(tl_iso_apply(&m, 0.149), 0, 0);
	cr_assert_float_eq(tl_iso_apply(&m, 0.81), 1, 0);
	cr_assert_float_eq(tl_iso_apply(&m, 1), 1, 0);
	tl_iso_release(&m);
}

Test(tl_calib, iso_single_knot)
{
	const double s[] = { 0.615, 0.615, 0.615 }, o[] = { 1, 0, 1 };
	struct tl_iso m = { 0 };
	struct tl_err err = { 0 };

	cr_assert_eq(tl_iso_fit(&m, s, o, NELEM(s), &err), 0, "%s", err.msg);
	cr_assert_eq(m.n, 1);
	cr_assert_float_eq(tl_iso_apply(&m, 0.1), 2.0 / 3, 1e-15);
	cr_assert_float_eq(tl_iso_apply(&m, 0.615), 2.0 / 3, 1e-15);
	cr_assert_float_eq(tl_iso_apply(&m, 0.9), 2.0 / 3, 1e-15);
	tl_iso_release(&m);
}

/* Noisy random data: knots increasing, values non-decreasing in [0, 1],
 * the map non-decreasing on a fine grid, and its value at each distinct
 * score equal to the min-max fit of the per-score win rates.  The knots
 * are distinct scores; the library may leave out the inner knots of a
 * flat run, which changes no value, so they are not counted here. */
Test(tl_calib, iso_random_monotone)
{
	enum { N = 400, LEVELS = 37, GRID = 1001 };
	double s[N], o[N], rate[LEVELS], cnt[LEVELS], want[LEVELS], sc[LEVELS];
	double prev, v;
	unsigned long long st = 0x1270ULL;
	struct tl_iso m = { 0 };
	struct tl_err err = { 0 };
	size_t i, k, nl;

	memset(cnt, 0, sizeof(cnt));
	memset(rate, 0, sizeof(rate));
	for (i = 0; i < N; i++) {
		k = (size_t)(ut_xorshift(&st) % LEVELS);
		s[i] = 0.02 + 0.025 * (double)k;	/* 37 distinct scores */
		o[i] = unif(&st) < 0.2 + 0.6 * s[i];
		cnt[k] += 1;
		rate[k] += o[i];
	}
	for (k = nl = 0; k < LEVELS; k++)
		if (cnt[k] > 0) {
			sc[nl] = 0.02 + 0.025 * (double)k;
			rate[nl] = rate[k] / cnt[k];
			cnt[nl++] = cnt[k];
		}
	iso_minmax(rate, cnt, nl, want);

	cr_assert_eq(tl_iso_fit(&m, s, o, N, &err), 0, "%s", err.msg);
	cr_assert(m.n >= 2 && m.n <= nl, "%zu knots of %zu scores", m.n, nl);
	cr_assert_eq(m.x[0], sc[0]);
	cr_assert_eq(m.x[m.n - 1], sc[nl - 1]);
	for (k = i = 0; k < m.n; k++) {
		while (i < nl && sc[i] != m.x[k])
			i++;
		cr_assert_lt(i, nl, "knot %zu (%g) is not a score", k, m.x[k]);
		cr_assert(m.y[k] >= 0 && m.y[k] <= 1);
		if (k > 0) {
			cr_assert_gt(m.x[k], m.x[k - 1]);
			cr_assert_geq(m.y[k], m.y[k - 1]);
		}
	}
	for (k = 0; k < nl; k++)
		cr_assert_float_eq(tl_iso_apply(&m, sc[k]), want[k], ISO_TOL,
		    "score %g: %.17g, want %.17g", sc[k],
		    tl_iso_apply(&m, sc[k]), want[k]);
	prev = -1;
	for (i = 0; i < GRID; i++) {
		v = tl_iso_apply(&m, (double)i / (GRID - 1));
		cr_assert_geq(v, prev, "not monotone at %zu", i);
		prev = v;
	}
	tl_iso_release(&m);
}

Test(tl_calib, iso_no_rows)
{
	const double s[] = { 0.5 }, o[] = { 1 };
	struct tl_iso m = { 0 };
	struct tl_err err = { 0 };

	cr_assert_eq(tl_iso_fit(&m, s, o, 0, &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.where, "");	/* the caller knows the file */
	cr_assert_str_eq(err.msg, "no rows to fit");
	tl_iso_release(&m);	/* a zeroed or failed map releases */
}

/* ---- Platt scaling ------------------------------------------------- */

/* The gradient of the cross-entropy against Platt's targets (a sum over
 * the rows): zero at the optimum whatever the method that found it. */
static void
platt_gradient(const double *s, const double *y, size_t n, double a,
    double b, double *ga, double *gb)
{
	double np = 0, tp, tn, t, p;
	size_t i;

	for (i = 0; i < n; i++)
		np += y[i] > 0;
	tp = (np + 1) / (np + 2);
	tn = 1 / ((double)n - np + 2);
	*ga = *gb = 0;
	for (i = 0; i < n; i++) {
		t = y[i] > 0 ? tp : tn;
		p = 1 / (1 + exp(a * s[i] + b));
		*ga += (t - p) * s[i];
		*gb += t - p;
	}
}

/* The fit may stop once both components of the gradient sum are below
 * 1e-5, LIBSVM's rule (Lin, Lin & Weng 2007); a, b are then within about
 * |H^-1 g| of the optimum: 3e-6 on the 10 rows below, far less on many.
 * The extra 1e-7 is the rounding of this test's own sum. */
#define PLATT_GRAD_TOL	(1e-5 + 1e-7)
#define PLATT_SMALL_TOL	1e-5	/* a, b on 10 rows against exact optimum */

Test(tl_calib, platt_apply)
{
	/* 1 / (1 + exp(-2.385*0.4 + 1.27)) [CH] */
	cr_assert_float_eq(tl_platt_apply(-2.385, 1.27, 0.4),
	    0.4216508866117617, 1e-15);
	cr_assert_float_eq(tl_platt_apply(0, 0, 0.73), 0.5, 0);
	/* far tails: 0 and 1, never NaN */
	cr_assert_float_eq(tl_platt_apply(-1000, 0, 1), 1, 0);
	cr_assert_float_eq(tl_platt_apply(1000, 0, 1), 0, 1e-300);
	cr_assert(isfinite(tl_platt_apply(1e308, 1e308, 1)));
}

Test(tl_calib, platt_small_vector)
{
	/* Newton in plain Python to |step| < 1e-15 on this data [CH]:
	 * a = -3.2982244341853333, b = 1.7274314244596896.  Tolerance:
	 * PLATT_SMALL_TOL (the stopping rule, above). */
	const double s[] = { 0.12, 0.27, 0.33, 0.41, 0.48, 0.55, 0.61, 0.74,
	    0.83, 0.9 };
	const double y[] = { 0, 0, 1, 0, 0, 1, 1, 0, 1, 1 };
	struct tl_err err = { 0 };
	double a = 0, b = 0, ga, gb;

	cr_assert_eq(tl_platt_fit(s, y, NELEM(s), &a, &b, &err), 0, "%s",
	    err.msg);
	cr_assert_float_eq(a, -3.2982244341853333, PLATT_SMALL_TOL, "a %.17g",
	    a);
	cr_assert_float_eq(b, 1.7274314244596896, PLATT_SMALL_TOL, "b %.17g",
	    b);
	platt_gradient(s, y, NELEM(s), a, b, &ga, &gb);
	cr_assert_float_eq(ga, 0, PLATT_GRAD_TOL);
	cr_assert_float_eq(gb, 0, PLATT_GRAD_TOL);
}

/* y ~ Bernoulli(1/(1+exp(-(2s - 1)))), s uniform on [0, 1]: a = -2,
 * b = 1.  With 20000 rows the standard errors (inverse Fisher
 * information at the truth) are 0.0528 for a and 0.0301 for b, so 0.1 is
 * under 2 sd of a: this seed's sample has its maximum at a = -2.1295
 * (2.45 sd away; the same in plain Python with this xorshift stream and
 * Newton to |step| < 1e-15 [CH]: a = -2.129482467297059, b =
 * 1.0856329615516978).  The test asks for that optimum to 1e-6 (the
 * Hessian is large here) and for the truth within 4 sd: 0.21 and 0.12,
 * which still catches a flipped sign or a swapped a and b (over 50 sd
 * away). */
#define PLATT_A_SE	0.0528
#define PLATT_B_SE	0.0301

Test(tl_calib, platt_recovers_parameters)
{
	enum { N = 20000 };
	static double s[N], y[N];
	unsigned long long st = 0x2385ULL;
	struct tl_err err = { 0 };
	double a = 0, b = 0, ga, gb;
	size_t i;

	for (i = 0; i < N; i++) {
		s[i] = unif(&st);
		y[i] = unif(&st) < 1 / (1 + exp(-(2 * s[i] - 1)));
	}
	cr_assert_eq(tl_platt_fit(s, y, N, &a, &b, &err), 0, "%s", err.msg);
	cr_assert_float_eq(a, -2.129482467297059, 1e-6, "a = %.17g", a);
	cr_assert_float_eq(b, 1.0856329615516978, 1e-6, "b = %.17g", b);
	cr_assert_float_eq(a, -2, 4 * PLATT_A_SE, "a = %.17g", a);
	cr_assert_float_eq(b, 1, 4 * PLATT_B_SE, "b = %.17g", b);
	platt_gradient(s, y, N, a, b, &ga, &gb);
	cr_assert_float_eq(ga, 0, PLATT_GRAD_TOL, "grad a %g", ga);
	cr_assert_float_eq(gb, 0, PLATT_GRAD_TOL, "grad b %g", gb);
}

Test(tl_calib, platt_one_class)
{
	const double s[] = { 0.12, 0.55, 0.83 };
	const double wins[] = { 1, 1, 1 }, losses[] = { 0, 0, 0 };
	struct tl_err err = { 0 };
	double a = 2.385, b = -1.27;

	cr_assert_eq(tl_platt_fit(s, wins, NELEM(s), &a, &b, &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.where, "");
	cr_assert_str_eq(err.msg, "platt: all 3 rows are wins: one class only");
	tl_err_clear(&err);
	cr_assert_eq(tl_platt_fit(s, losses, NELEM(s), &a, &b, &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.msg,
	    "platt: all 3 rows are losses: one class only");
	tl_err_clear(&err);
	cr_assert_eq(tl_platt_fit(s, losses, 0, &a, &b, &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
}

Test(tl_calib, platt_separable_converges)
{
	/* without smoothing, a -> -inf; with targets 1/5 and 4/5 the optimum
	 * is finite: a = -4.4138108963183615, b = -a/2 by symmetry [CH] */
	const double s[] = { 0.1, 0.2, 0.3, 0.7, 0.8, 0.9 };
	const double y[] = { 0, 0, 0, 1, 1, 1 };
	struct tl_err err = { 0 };
	double a = 0, b = 0, ga, gb;

	cr_assert_eq(tl_platt_fit(s, y, NELEM(s), &a, &b, &err), 0, "%s",
	    err.msg);
	cr_assert(isfinite(a) && isfinite(b));
	cr_assert_float_eq(a, -4.4138108963183615, PLATT_SMALL_TOL, "a %.17g",
	    a);
	cr_assert_float_eq(b, 2.2069054481591808, PLATT_SMALL_TOL, "b %.17g",
	    b);
	platt_gradient(s, y, NELEM(s), a, b, &ga, &gb);
	cr_assert_float_eq(ga, 0, PLATT_GRAD_TOL);
	cr_assert_float_eq(gb, 0, PLATT_GRAD_TOL);
	cr_assert_lt(tl_platt_apply(a, b, 0.1), tl_platt_apply(a, b, 0.9));
}

/* Scores far apart (|f| large) and many rows: still finite. */
Test(tl_calib, platt_separable_wide)
{
	enum { N = 2000 };
	static double s[N], y[N];
	struct tl_err err = { 0 };
	double a = 0, b = 0;
	size_t i;

	for (i = 0; i < N; i++) {
		y[i] = i % 2;
		s[i] = y[i] > 0 ? 0.999 : 0.001;
	}
	cr_assert_eq(tl_platt_fit(s, y, N, &a, &b, &err), 0, "%s", err.msg);
	cr_assert(isfinite(a) && isfinite(b), "a %g b %g", a, b);
	/* two scores, two parameters: the fitted probabilities are Platt's
	 * targets, 1/1002 and 1001/1002, up to the stopping rule (a gradient
	 * sum of 1e-5 over 1000 rows a side: 1e-8 each) */
	cr_assert_float_eq(tl_platt_apply(a, b, 0.001), 1.0 / 1002, 1e-7);
	cr_assert_float_eq(tl_platt_apply(a, b, 0.999), 1001.0 / 1002, 1e-7);
}

/* ---- Brier and log-loss ------------------------------------------- */

Test(tl_calib, brier_vectors)
{
	/* scikit-learn's brier_score_loss docstring (Brier 1950) */
	const double y[] = { 0, 1, 1, 0 };
	const double p1[] = { 0.1, 0.9, 0.8, 0.3 };
	const double p2[] = { 0.1, 0.9, 0.8, 0.4 };

	cr_assert_float_eq(tl_brier(p1, y, 4), 0.0375, 1e-15);
	cr_assert_float_eq(tl_brier(p2, y, 4), 0.055, 1e-15);
}

Test(tl_calib, logloss_vectors)
{
	/* -(ln .815 + ln(1-.273) + ln .6 + ln(1-.05)) / 4 [CH] */
	const double y[] = { 1, 0, 1, 0 };
	const double p[] = { 0.815, 0.273, 0.6, 0.05 };
	const double one[] = { 1 }, zero[] = { 0 };
	double v;

	cr_assert_float_eq(tl_logloss(p, y, 4), 0.2713787213358584, 1e-15);
	/* p = 0 with a win: clipped to 1e-15, -ln(1e-15) =
	 * 34.538776394910684 [CH], not inf */
	v = tl_logloss(zero, one, 1);
	cr_assert(isfinite(v));
	cr_assert_float_eq(v, 34.538776394910684, 1e-12, "%.17g", v);
	/* p = 1 with a loss: clipped to the double 1 - 1e-15, whose distance
	 * to 1 is 9.992e-16, so -ln(9.992e-16) = 34.53957599234088 [CH], as
	 * numpy.clip then log in scikit-learn */
	v = tl_logloss(one, zero, 1);
	cr_assert(isfinite(v));
	cr_assert_float_eq(v, 34.53957599234088, 1e-12, "%.17g", v);
	/* right and certain: -ln(1 - 1e-15) ~ 1e-15, not -0 or NaN */
	v = tl_logloss(one, one, 1);
	cr_assert(isfinite(v) && v >= 0 && v < 1e-14, "%g", v);
	v = tl_logloss(zero, zero, 1);
	cr_assert(isfinite(v) && v >= 0 && v < 1e-14, "%g", v);
}

/* ---- reliability table and ECE ------------------------------------ */

/* [CH], ECE as Naeini et al. (2015): 0.2 and 0.4 sit on edges of both
 * M = 5 and M = 10 */
static const double ece_y[] = { 0, 0, 1, 0, 1, 1, 0, 1, 1, 1 };
static const double ece_p[] = { 0.05, 0.15, 0.2, 0.35, 0.4, 0.55, 0.62,
    0.7, 0.85, 0.95 };

static void
assert_bin(const struct tl_bin *b, size_t k, double lo, double hi, size_t n,
    double mean_p, double rate)
{
	cr_assert_float_eq(b->lo, lo, 1e-15, "bin %zu lo %.17g", k, b->lo);
	cr_assert_float_eq(b->hi, hi, 1e-15, "bin %zu hi %.17g", k, b->hi);
	cr_assert_eq(b->n, n, "bin %zu: n %zu, want %zu", k, b->n, n);
	if (n == 0)
		return;
	cr_assert_float_eq(b->mean_p, mean_p, 1e-15, "bin %zu mean_p %.17g",
	    k, b->mean_p);
	cr_assert_float_eq(b->rate, rate, 1e-15, "bin %zu rate %.17g", k,
	    b->rate);
}

/* Wilson interval of r out of n at z, closed form. */
static void
wilson(double r, double n, double z, double *lo, double *hi)
{
	double d = 1 + z * z / n;
	double c = (r + z * z / (2 * n)) / d;
	double h = z * sqrt(r * (1 - r) / n + z * z / (4 * n * n)) / d;

	*lo = c - h;
	*hi = c + h;
}

Test(tl_calib, ece_uniform_5)
{
	struct tl_bin b[5];
	double e, lo, hi;
	size_t k;

	e = tl_reliability(ece_p, ece_y, 10, 5, TL_BINS_UNIFORM, Z95, b);
	cr_assert_float_eq(e, 0.182, 1e-15, "ECE %.17g", e);
	assert_bin(&b[0], 0, 0.0, 0.2, 3, 0.4 / 3, 1.0 / 3);
	assert_bin(&b[1], 1, 0.2, 0.4, 2, 0.375, 0.5);
	assert_bin(&b[2], 2, 0.4, 0.6, 1, 0.55, 1.0);
	assert_bin(&b[3], 3, 0.6, 0.8, 2, 0.66, 0.5);
	assert_bin(&b[4], 4, 0.8, 1.0, 2, 0.9, 1.0);

	/* Wilson intervals: every bin against the closed form */
	for (k = 0; k < 5; k++) {
		wilson(b[k].rate, (double)b[k].n, Z95, &lo, &hi);
		cr_assert_float_eq(b[k].ci_lo, lo, 1e-12, "bin %zu ci_lo %.17g"
		    " want %.17g", k, b[k].ci_lo, lo);
		cr_assert_float_eq(b[k].ci_hi, hi, 1e-12, "bin %zu ci_hi %.17g"
		    " want %.17g", k, b[k].ci_hi, hi);
		cr_assert(b[k].ci_lo <= b[k].rate && b[k].rate <= b[k].ci_hi);
		cr_assert(b[k].ci_lo >= 0 && b[k].ci_hi <= 1);
	}
	/* bin 0: 1 of 3 at z 1.959964 [CH]; a literal, in case the
	 * closed form above and the library share a slip */
	cr_assert_float_eq(b[0].ci_lo, 0.06149194402093078, 1e-12);
	cr_assert_float_eq(b[0].ci_hi, 0.7923404011921757, 1e-12);
	/* a bin of wins only ends at 1 */
	cr_assert_float_eq(b[2].ci_hi, 1, 1e-15);
}

Test(tl_calib, ece_uniform_10_empty_bins)
{
	/* counts 1 2 0 2 0 1 2 0 1 1; the empty bins do not count */
	static const size_t cnt[10] = { 1, 2, 0, 2, 0, 1, 2, 0, 1, 1 };
	static const double mp[10] = { 0.05, 0.175, 0, 0.375, 0, 0.55, 0.66,
	    0, 0.85, 0.95 };
	static const double rt[10] = { 0, 0.5, 0, 0.5, 0, 1, 0.5, 0, 1, 1 };
	struct tl_bin b[10];
	double e;
	size_t k;

	e = tl_reliability(ece_p, ece_y, 10, 10, TL_BINS_UNIFORM, Z95, b);
	cr_assert_float_eq(e, 0.192, 1e-15, "ECE %.17g", e);
	for (k = 0; k < 10; k++)
		assert_bin(&b[k], k, (double)k / 10, (double)(k + 1) / 10,
		    cnt[k], mp[k], rt[k]);
	cr_assert_float_eq(tl_brier(ece_p, ece_y, 10), 0.18494, 1e-15);
}

Test(tl_calib, ece_edges_lower_bin)
{
	/* 0 goes to the first (closed) bin, 1 to the last; 0.25, 0.5, 0.75
	 * are edges of M = 4 and go down; tiny steps above go up */
	const double p[] = { 0, 0.25, 0.5, 0.75, 1, 0.2500000001,
	    0.5000000001 };
	const double y[] = { 0, 1, 0, 1, 1, 0, 1 };
	struct tl_bin b[4];
	double e;

	e = tl_reliability(p, y, NELEM(p), 4, TL_BINS_UNIFORM, Z95, b);
	cr_assert_eq(b[0].n, 2);	/* 0, 0.25 */
	cr_assert_eq(b[1].n, 2);	/* 0.2500000001, 0.5 */
	cr_assert_eq(b[2].n, 2);	/* 0.5000000001, 0.75 */
	cr_assert_eq(b[3].n, 1);	/* 1 */
	cr_assert_float_eq(b[0].mean_p, 0.125, 1e-15);
	cr_assert_float_eq(b[0].rate, 0.5, 1e-15);
	cr_assert_float_eq(b[1].rate, 0, 0);
	cr_assert_float_eq(b[2].rate, 1, 0);
	/* 2|.5 - .125| + 2|0 - .37500000005| + 2|1 - .62500000005| + 0,
	 * over 7: 2.25 / 7 [CH] */
	cr_assert_float_eq(e, 0.32142857142857145, 1e-15, "ECE %.17g", e);
}

Test(tl_calib, ece_quantile_5)
{
	struct tl_bin b[5];
	double e;
	size_t k;

	/* 10 distinct scores, 5 equal-mass bins: 2 rows each; pairs
	 * (.05,.15) (.2,.35) (.4,.55) (.62,.7) (.85,.95): ECE
	 * (.2 + .45 + 1.05 + .32 + .2) / 10 = 0.222 */
	e = tl_reliability(ece_p, ece_y, 10, 5, TL_BINS_QUANTILE, Z95, b);
	for (k = 0; k < 5; k++) {
		cr_assert_eq(b[k].n, 2, "bin %zu has %zu rows", k, b[k].n);
		cr_assert_float_eq(b[k].mean_p,
		    (ece_p[2 * k] + ece_p[2 * k + 1]) / 2, 1e-15);
		cr_assert_float_eq(b[k].rate,
		    (ece_y[2 * k] + ece_y[2 * k + 1]) / 2, 1e-15);
		cr_assert_leq(b[k].lo, ece_p[2 * k]);
		cr_assert_geq(b[k].hi, ece_p[2 * k + 1]);
		if (k > 0)
			cr_assert_eq(b[k].lo, b[k - 1].hi, "bins %zu, %zu",
			    k - 1, k);
	}
	cr_assert_float_eq(e, 0.222, 1e-15, "ECE %.17g", e);
}

Test(tl_calib, ece_no_rows)
{
	struct tl_bin b[5];

	cr_assert(isnan(tl_reliability(ece_p, ece_y, 0, 5, TL_BINS_UNIFORM,
	    Z95, b)));
	cr_assert(isnan(tl_reliability(ece_p, ece_y, 0, 5, TL_BINS_QUANTILE,
	    Z95, b)));
}

/* Perfectly calibrated bins give ECE 0; the bins' n sum to n. */
Test(tl_calib, ece_calibrated_and_counts)
{
	/* one win of four at 0.25, three of four at 0.75 */
	const double p[] = { 0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75 };
	const double y[] = { 0, 1, 0, 0, 1, 1, 0, 1 };
	struct tl_bin b[10];
	size_t k, sum = 0;

	cr_assert_float_eq(tl_reliability(p, y, 8, 10, TL_BINS_UNIFORM, Z95,
	    b), 0, 1e-15);
	for (k = 0; k < 10; k++)
		sum += b[k].n;
	cr_assert_eq(sum, 8);
	cr_assert_eq(b[2].n, 4);
	cr_assert_eq(b[7].n, 4);
}

/* ---- Platt scaling on large data ------------------------------------- */

/*
 * The reference: Newton's method on the same objective written apart
 * from the library (long double sums, p from the other side,
 * 1/(1 + e^z) rather than the split forms, no line search: from a = 0
 * and Platt's b the full steps converge on these data), iterated until a
 * step no longer moves a or b.  Also the gradient g at (a, b) and the
 * smallest eigenvalue of the Hessian there, for the tolerance.
 */
static void
platt_reference(const double *s, const double *y, size_t n, long double *a,
    long double *b)
{
	long double np = 0, tp, tn, t, p, z, d, g1, g2, h11, h12, h22, det;
	long double da, db;
	size_t i;
	int it;

	for (i = 0; i < n; i++)
		np += y[i] > 0;
	tp = (np + 1) / (np + 2);
	tn = 1 / ((long double)n - np + 2);
	*a = 0;
	*b = logl(((long double)n - np + 1) / (np + 1));
	for (it = 0; it < 100; it++) {
		g1 = g2 = h11 = h12 = h22 = 0;
		for (i = 0; i < n; i++) {
			t = y[i] > 0 ? tp : tn;
			z = s[i] * *a + *b;
			p = 1 / (1 + expl(z));
			d = p * (1 - p);
			g1 += s[i] * (t - p);
			g2 += t - p;
			h11 += s[i] * s[i] * d;
			h12 += s[i] * d;
			h22 += d;
		}
		det = h11 * h22 - h12 * h12;
		da = -(h22 * g1 - h12 * g2) / det;
		db = -(h11 * g2 - h12 * g1) / det;
		*a += da;
		*b += db;
		if (fabsl(da) <= 1e-18L * fabsl(*a) &&
		    fabsl(db) <= 1e-18L * fabsl(*b))
			break;
	}
	cr_assert_lt(it, 100, "the reference did not converge");
}

/* The smallest eigenvalue of the Hessian of Platt's objective at (a, b). */
static double
platt_hessian_min(const double *s, size_t n, double a, double b)
{
	double h11 = 0, h12 = 0, h22 = 0, p, d, tr, det;
	size_t i;

	for (i = 0; i < n; i++) {
		p = 1 / (1 + exp(a * s[i] + b));
		d = p * (1 - p);
		h11 += s[i] * s[i] * d;
		h12 += s[i] * d;
		h22 += d;
	}
	tr = h11 + h22;
	det = h11 * h22 - h12 * h12;
	return tr / 2 - sqrt(tr * tr / 4 - det);
}

/*
 * Logged confidences (four decimals in [0.35, 0.85], as tl-synth writes
 * them) and wins drawn with P(win) = 1/(1 + e^-(3.1 s - 1.5)): the shape
 * of a night's trades.  These sizes and seeds made the old fit exit with
 * "line search failed" (its sufficient-decrease test compared two
 * rounded sums near 10^4..10^5 whose difference was below their
 * rounding); each must now fit, and agree with the reference within what
 * the stopping rule leaves: the fit may stop once |g| < 1e-5 per
 * component, so (a, b) is within |g|_2 / lambda_min(H) of the optimum,
 * plus the rounding of a, b themselves (1e-14 relative: both fits sum
 * 10^4..10^6 terms).
 */
static void
platt_large(size_t n, unsigned long long seed)
{
	double *s, *y, a = 0, b = 0, ga, gb, tol_a, tol_b, lmin;
	long double ra, rb;
	unsigned long long st = seed * 0x9E3779B97F4A7C15ULL;
	struct tl_err err = { 0 };
	size_t i;

	s = malloc(n * sizeof(*s));
	y = malloc(n * sizeof(*y));
	cr_assert(s != NULL && y != NULL);
	for (i = 0; i < n; i++) {
		s[i] = round((0.35 + 0.5 * unif(&st)) * 10000) / 10000;
		y[i] = unif(&st) < 1 / (1 + exp(-(3.1 * s[i] - 1.5)));
	}
	cr_assert_eq(tl_platt_fit(s, y, n, &a, &b, &err), 0, "n %zu seed %llu: "
	    "%s", n, seed, err.msg);
	platt_reference(s, y, n, &ra, &rb);
	platt_gradient(s, y, n, a, b, &ga, &gb);
	cr_assert_float_eq(ga, 0, PLATT_GRAD_TOL, "n %zu: grad a %g", n, ga);
	cr_assert_float_eq(gb, 0, PLATT_GRAD_TOL, "n %zu: grad b %g", n, gb);
	lmin = platt_hessian_min(s, n, a, b);
	tol_a = PLATT_GRAD_TOL * sqrt(2) / lmin + 1e-14 * fabsl(ra);
	tol_b = PLATT_GRAD_TOL * sqrt(2) / lmin + 1e-14 * fabsl(rb);
	cr_assert_float_eq(a, (double)ra, tol_a, "n %zu: a %.17g, reference "
	    "%.17Lg (tolerance %g)", n, a, ra, tol_a);
	cr_assert_float_eq(b, (double)rb, tol_b, "n %zu: b %.17g, reference "
	    "%.17Lg (tolerance %g)", n, b, rb, tol_b);
	free(y);
	free(s);
}

Test(tl_calib, platt_large_data)
{
	static const struct {
		size_t n;
		unsigned long long seed;
	} c[] = { { 30000, 3 }, { 100000, 2 }, { 1000000, 3 } };
	size_t k;

	for (k = 0; k < NELEM(c); k++)
		platt_large(c[k].n, c[k].seed);
}

/* ---- the map file ------------------------------------------------------ */

UT_SCRATCH_DIR();

TestSuite(tl_cal, .init = ut_setup, .fini = ut_teardown);

/* A map of 12 rows: an isotonic pooled map and one group of 5. */
static void
sample_cal(struct tl_cal *c)
{
	static const double s[] = { 0.12, 0.27, 0.33, 0.41, 0.48, 0.55, 0.61,
	    0.74, 0.83, 0.9, 0.93, 0.97 };
	static const double y[] = { 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1, 1 };
	struct tl_err err;

	memset(c, 0, sizeof(*c));
	c->method = TL_CALIB_ISOTONIC;
	cr_assert_eq(tl_cmap_fit(&c->pooled, c->method, s, y, NELEM(s), &err),
	    0);
	c->gname = calloc(1, sizeof(char *));
	c->gmap = calloc(1, sizeof(struct tl_cmap));
	c->gname[0] = strdup("bull");
	cr_assert_eq(tl_cmap_fit(&c->gmap[0], c->method, s + 7, y + 7, 5,
	    &err), 0);
	c->ng = 1;
	c->score = strdup("confidence");
	c->outcome = strdup("win");
	c->by = strdup("regime");
	c->min_rows = 5;
	c->n = NELEM(s);
}

Test(tl_cal, round_trip_and_lookup)
{
	struct tl_cal c, d;
	struct tl_err err;
	char path[1100];
	json_t *v, *v2;

	tl_init("tl-test");
	sample_cal(&c);
	v = tl_cal_json(&c);
	ut_path(path, sizeof(path), dir, "m.json");
	ut_write_json(path, v);
	tl_err_clear(&err);
	cr_assert_eq(tl_cal_load(&d, path, &err), 0, "%s", err.msg);
	v2 = tl_cal_json(&d);
	ut_assert_json_same(v, v2);
	/* the group's map for its rows, the pooled one for the others */
	cr_assert_eq(tl_cal_find(&d, "bull"), &d.gmap[0]);
	cr_assert_eq(tl_cal_find(&d, "bear"), &d.pooled);
	cr_assert_eq(tl_cal_find(&d, NULL), &d.pooled);
	cr_assert_float_eq(tl_cmap_apply(tl_cal_find(&d, "bull"), 0.8),
	    tl_cmap_apply(&c.gmap[0], 0.8), 0);
	json_decref(v);
	json_decref(v2);
	tl_cal_release(&c);
	tl_cal_release(&d);
}

/* Edit member (a dotted path) of the sample's file: refused with msg. */
static void
cal_refused(const char *member, json_t *value, const char *msg)
{
	struct tl_cal c;
	struct tl_err err;
	char path[1100];

	tl_init("tl-test");
	sample_cal(&c);
	ut_path(path, sizeof(path), dir, "m.json");
	ut_write_edited(tl_cal_json(&c), member, value, path);
	tl_cal_release(&c);
	tl_err_clear(&err);
	cr_assert_eq(tl_cal_load(&c, path, &err), -1, "%s loaded", member);
	ut_assert_dataerr(&err, path, msg, member);
	/* released: nothing left to free (apply returns at once) */
	cr_assert(c.score == NULL && c.gname == NULL && c.pooled.iso.x ==
	    NULL, "%s: map left allocated", member);
}

Test(tl_cal, values_checked)
{
	cal_refused("n", json_integer(-5), "'n' must be an integer >= 1");
	cal_refused("pooled.n", json_integer(11), "pooled: 'n' must be 12");
	cal_refused("groups.bull.n", json_integer(4), "group 'bull': 'n' must "
	    "be an integer in [5, 12]");
	cal_refused("min_rows", json_integer(0), "'min_rows' must be an "
	    "integer in [1, 1000000000]");
	cal_refused("pooled.y.0", json_real(-0.25), "pooled: knot 0 is outside "
	    "[0, 1]");
	cal_refused("pooled.x.1", json_real(0.05), "pooled: knots not "
	    "increasing or values not monotone at 1");
	cal_refused("method", json_string("sigmoid"), "unknown method");
	cal_refused("by", json_integer(2), "score and outcome must be column "
	    "names, by a column name or null");
	cal_refused("version", json_integer(2), "format 'tl-calibration-map' "
	    "version 2 is newer than this tl-test reads (1)");
}
