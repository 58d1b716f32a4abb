/* Unit tests for lib/tl_synth_signal: a synthetic log's signals checked
 * against their definition (tl_synth_signal.h), with the closed forms and
 * independent sums computed here: the counts per day, time order and
 * numbering, the engine's gate, the hold profile's mean, the planted line
 * of the net return in conviction, and each named signal's EV per
 * horizon.  Statistical checks allow NSE standard errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_synth_model.h"
#include "tl_synth_signal.h"
#include "synth.h"

#define NSE	5.0

static void
init(void)
{
	tl_init("tl-test");
}

TestSuite(tl_synth_signal, .init = init);

/* The mean of phi(T, h) for log T uniform on [log TMIN, log TMAX]: with
 * L = log(TMAX/TMIN) and a = log(h/TMIN), phi is x/a up to a and
 * 1 - 2 (x - a)/a after it, so the mean is (a/2 + (L - a) - (L - a)^2/a)
 * / L. */
static double
phibar_closed(double h)
{
	double L = log(TL_SYNTH_SIG_TMAX / TL_SYNTH_SIG_TMIN);
	double a = log(h / TL_SYNTH_SIG_TMIN);

	return (a / 2 + (L - a) - (L - a) * (L - a) / a) / L;
}

Test(tl_synth_signal, phibar_is_the_closed_form)
{
	int k;

	for (k = 0; k < TL_SYNTH_SIG_NGROUP; k++)
		/* the midpoint rule of 2000 points on a piecewise linear
		 * function: exact but on the cell with the kink */
		cr_assert_float_eq(tl_synth_sig_phibar(tl_synth_sig_hold[k]),
		    phibar_closed(tl_synth_sig_hold[k]), 1e-6, "hold %g",
		    tl_synth_sig_hold[k]);
	cr_assert_float_eq(tl_synth_sig_phi(3600, 3600), 1, 1e-12);
	cr_assert_float_eq(tl_synth_sig_phi(TL_SYNTH_SIG_TMIN, 3600), 0,
	    1e-12);
}

Test(tl_synth_signal, days_hold_every_signal_in_time_order)
{
	struct tl_synth *s = ut_synth(3, 37, 5, 2, 100, NULL);
	struct tl_synth_signals *g = tl_synth_signals_alloc(s, 1001);
	struct tl_synth_sigday day;
	uint64_t n = 0, ex = 0, bl = 0, cn, ce, cb;
	size_t i, days = 0, lo = SIZE_MAX, hi = 0;

	while (tl_synth_signals_next(g, &day)) {
		cr_assert_eq(day.d, days);
		cr_assert_eq(day.z, tl_synth_day(s, days));
		days++;
		lo = day.n < lo ? day.n : lo;
		hi = day.n > hi ? day.n : hi;
		for (i = 0; i < day.n; i++) {
			const struct tl_synth_sig *x = &day.sig[i];

			cr_assert_eq(x->number, ++n);
			if (i > 0)
				cr_assert_geq(x->ms, day.sig[i - 1].ms);
			cr_assert_eq(x->ms / 86400000LL, day.z);
			cr_assert_gt(x->exit_ms, x->ms);
			cr_assert_lt(x->strat, s->ns);
			cr_assert_lt(x->sym, TL_SYNTH_NSYM);
			cr_assert_eq(x->executed, x->conv >= 5000);
			cr_assert(x->conv >= 3750 && x->conv <= 10000);
			cr_assert_geq(x->slip_c, 0);
			ex += x->executed;
			bl += !x->executed;
		}
	}
	cr_assert_eq(days, 37);
	cr_assert_eq(n, 1001);
	cr_assert_leq(hi - lo, 1, "spread evenly: %zu to %zu", lo, hi);
	tl_synth_signals_counts(g, &cn, &ce, &cb);
	cr_assert_eq(cn, n);
	cr_assert_eq(ce, ex);
	cr_assert_eq(cb, bl);
	tl_synth_signals_free(g);
	tl_synth_free(s);
}

/* The net return over notional, less the hold effect, is A (c - theta)
 * + 1 bp less the slippage (mean SLIP/2) plus noise: its regression on
 * c - theta has slope A and intercept 1 bp - SLIP/2. */
Test(tl_synth_signal, net_return_is_the_planted_line)
{
	struct tl_synth *s = ut_synth(7, 60, 8, 3, 100, NULL);
	struct tl_synth_signals *g = tl_synth_signals_alloc(s, 60000);
	struct tl_synth_sigday day;
	double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0, x, y, b, a, sd, se;
	size_t i, grp;

	while (tl_synth_signals_next(g, &day))
		for (i = 0; i < day.n; i++) {
			const struct tl_synth_sig *v = &day.sig[i];
			double nt = (double)v->qty * (double)v->entry_c / 100;

			grp = v->strat % TL_SYNTH_SIG_NGROUP;
			x = (double)v->conv / 1e4 - tl_synth_sig_theta[grp];
			/* the logged expected edge is the line plus the fee */
			cr_assert_float_eq((double)v->edge / 1e6,
			    TL_SYNTH_SIG_A * x + tl_synth_sig_fee[v->sym %
			    TL_SYNTH_SIG_NFEE] + 0.0001, 6e-7);
			/* the gross return, after slippage, less the hold
			 * effect and the fee that e holds */
			y = (double)v->pnl_c / 100 / nt;
			y -= TL_SYNTH_SIG_B * (tl_synth_sig_phi(floor((double)
			    (v->exit_ms - v->ms) / 1000),
			    tl_synth_sig_hold[grp]) -
			    tl_synth_sig_phibar(tl_synth_sig_hold[grp]));
			y -= tl_synth_sig_fee[v->sym % TL_SYNTH_SIG_NFEE];
			sx += x;
			sy += y;
			sxx += x * x;
			sxy += x * y;
			n++;
		}
	b = (sxy - sx * sy / n) / (sxx - sx * sx / n);
	a = sy / n - b * sx / n;
	/* the noise's sd, rounding to cents aside */
	sd = sqrt(TL_SYNTH_SIG_SD * TL_SYNTH_SIG_SD + TL_SYNTH_SIG_SLIP *
	    TL_SYNTH_SIG_SLIP / 12);
	se = sd / sqrt(sxx - sx * sx / n);
	cr_assert(fabs(b - TL_SYNTH_SIG_A) < NSE * se, "slope %g, want %g "
	    "(se %g)", b, TL_SYNTH_SIG_A, se);
	cr_assert(fabs(a - (0.0001 - TL_SYNTH_SIG_SLIP / 2)) < NSE * sd /
	    sqrt(n) + NSE * se * fabs(sx / n), "intercept %g", a);
	tl_synth_signals_free(g);
	tl_synth_free(s);
}

/* A named signal's mean EV at a horizon, over the signals where it fired
 * less where it did not, is its planted gross EV. */
Test(tl_synth_signal, named_signals_have_their_planted_ev)
{
	struct tl_synth *s = ut_synth(11, 40, 4, 2, 100, NULL);
	struct tl_synth_signals *g = tl_synth_signals_alloc(s, 40000);
	struct tl_synth_sigday day;
	double on[TL_SYNTH_SIG_NNAMED][TL_SYNTH_SIG_NH] = { { 0 } };
	double off[TL_SYNTH_SIG_NNAMED][TL_SYNTH_SIG_NH] = { { 0 } };
	double non[TL_SYNTH_SIG_NNAMED] = { 0 }, noff[TL_SYNTH_SIG_NNAMED] = {
		0 }, d, se;
	size_t i;
	int j, k;

	while (tl_synth_signals_next(g, &day))
		for (i = 0; i < day.n; i++)
			for (j = 0; j < TL_SYNTH_SIG_NNAMED; j++) {
				int f = (day.sig[i].fired >> j) & 1;

				(f ? non : noff)[j]++;
				for (k = 0; k < TL_SYNTH_SIG_NH; k++)
					(f ? on : off)[j][k] +=
					    (double)day.sig[i].ev[k] / 1e6;
			}
	for (j = 0; j < TL_SYNTH_SIG_NNAMED; j++)
		for (k = 0; k < TL_SYNTH_SIG_NH; k++) {
			d = on[j][k] / non[j] - off[j][k] / noff[j];
			/* the other signals' EV adds variance: at most the
			 * sum of their squares */
			se = sqrt((TL_SYNTH_SIG_EV_SD * TL_SYNTH_SIG_EV_SD +
			    2e-6) * (1 / non[j] + 1 / noff[j]));
			cr_assert(fabs(d - tl_synth_sig_ev[j][k]) < NSE * se,
			    "%s at %s: %g, planted %g", tl_synth_sig_names[j],
			    tl_synth_sig_hname[k], d, tl_synth_sig_ev[j][k]);
		}
	tl_synth_signals_free(g);
	tl_synth_free(s);
}
