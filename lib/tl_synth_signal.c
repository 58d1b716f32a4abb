/*
 * Signals of a synthetic log (tl_synth_signal.h).  A day's signals are
 * drawn in full, each in one fixed order of draws (strategy, symbol,
 * time, conviction, hold, slippage, noise, quantity, the high and low
 * excursions, the named signals, the outcomes' noise), then sorted by
 * time: the bytes depend on the seed and the count alone.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "tl_synth_draw.h"
#include "tl_synth_model.h"
#include "tl_synth_signal.h"
#include "tl_util.h"

#define SESSION_MS	23400000LL	/* 6.5 h of signals from the open */
#define PHIBAR_POINTS	2000	/* quadrature of the mean of phi */

const double tl_synth_sig_theta[TL_SYNTH_SIG_NGROUP] = { 0.55, 0.60, 0.65,
	0.70 };
const double tl_synth_sig_hold[TL_SYNTH_SIG_NGROUP] = { 3600, 14400, 28800,
	86400 };
const double tl_synth_sig_fee[TL_SYNTH_SIG_NFEE] = { 0.0005, 0.0010,
	0.0015 };
const char *const tl_synth_sig_hname[TL_SYNTH_SIG_NH] = { "1m", "5m", "15m",
	"30m", "1h" };
const double tl_synth_sig_hsec[TL_SYNTH_SIG_NH] = { 60, 300, 900, 1800,
	3600 };
const char *const tl_synth_sig_names[TL_SYNTH_SIG_NNAMED] = { "momentum",
	"news", "volume" };
const double tl_synth_sig_ev[TL_SYNTH_SIG_NNAMED][TL_SYNTH_SIG_NH] = {
	{ 0.0002, 0.0006, 0.0012, 0.0008, 0.0003 },	/* best at 15m */
	{ 0, 0, 0, 0.0001, 0.0010 },			/* only at 1h */
	{ 0, 0, 0, 0, 0 }				/* none */
};
const char *const tl_synth_sig_best[TL_SYNTH_SIG_NNAMED] = { "15m", "1h",
	NULL };

struct tl_synth_signals {
	const struct tl_synth *s;	/* the plan, borrowed */
	gsl_rng		*r;		/* the signal stream */
	uint64_t	 total;		/* signals in all */
	size_t		 next;		/* the next day */
	uint64_t	 n, executed;	/* drawn so far */
	double		 phibar[TL_SYNTH_SIG_NGROUP];	/* by group */
	struct tl_synth_sig *sig;	/* the day's */
	size_t		 cap;		/* allocated */
};

double
tl_synth_sig_phi(double t, double h)
{
	double span = log(h / TL_SYNTH_SIG_TMIN);

	if (t <= h)
		return log(t / TL_SYNTH_SIG_TMIN) / span;
	return 1 - 2 * log(t / h) / span;
}

double
tl_synth_sig_phibar(double h)
{
	double m = 0, lr = log(TL_SYNTH_SIG_TMAX / TL_SYNTH_SIG_TMIN);
	int k;

	/* midpoint rule in log t, where the holds are uniform */
	for (k = 0; k < PHIBAR_POINTS; k++)
		m += tl_synth_sig_phi(TL_SYNTH_SIG_TMIN * exp((k + 0.5) /
		    PHIBAR_POINTS * lr), h);
	return m / PHIBAR_POINTS;
}

struct tl_synth_signals *
tl_synth_signals_alloc(const struct tl_synth *s, uint64_t n)
{
	struct tl_synth_signals *g = tl_xcalloc(1, sizeof(*g));
	int k;

	g->s = s;
	g->total = n;
	g->r = tl_rng_alloc(s->par.seed, TL_SYNTH_STREAM_SIGNAL);
	for (k = 0; k < TL_SYNTH_SIG_NGROUP; k++)
		g->phibar[k] = tl_synth_sig_phibar(tl_synth_sig_hold[k]);
	return g;
}

void
tl_synth_signals_free(struct tl_synth_signals *g)
{
	if (g == NULL)
		return;
	tl_rng_free(g->r);
	free(g->sig);
	free(g);
}

void
tl_synth_signals_counts(const struct tl_synth_signals *g, uint64_t *n,
    uint64_t *executed, uint64_t *blocked)
{
	*n = g->n;
	*executed = g->executed;
	*blocked = g->n - g->executed;
}

/* Draw signal x of day d (calendar day z), but its number. */
static void
draw(struct tl_synth_signals *g, struct tl_synth_sig *x, size_t d,
    int64_t z)
{
	const double *price = tl_synth_world_price(&g->s->w, d);
	double c, t, slip, e, ret, p, notional, fee, net, u;
	int64_t end;
	size_t grp;
	int k;

	/* with churn, a strategy that trades on day d (drawn again, as
	 * the log's: a paused or retired one has no signal) */
	do
		x->strat = (uint32_t)tl_rng_below(g->r, g->s->ns);
	while (g->s->churn != NULL && !tl_churn_live(g->s->churn, x->strat,
	    d));
	x->sym = (uint16_t)tl_rng_below(g->r, TL_SYNTH_NSYM);
	x->ms = z * 86400000LL + TL_SYNTH_OPEN_MS +
	    (int64_t)tl_rng_below(g->r, SESSION_MS / 1000) * 1000;
	x->regime = (uint8_t)tl_synth_world_regime(&g->s->w, d);
	grp = x->strat % TL_SYNTH_SIG_NGROUP;
	fee = tl_synth_sig_fee[x->sym % TL_SYNTH_SIG_NFEE];
	x->conv = tl_synth_units(tl_synth_unif(g->r, TL_SYNTH_SIG_CMIN, 1),
	    1e4);
	c = (double)x->conv / 1e4;
	x->executed = c >= TL_SYNTH_SIG_GATE;
	t = floor(TL_SYNTH_SIG_TMIN * exp(tl_rng_uniform(g->r) *
	    log(TL_SYNTH_SIG_TMAX / TL_SYNTH_SIG_TMIN)));
	x->exit_ms = x->ms + (int64_t)t * 1000;
	/* and closes by the day before its pause, or its retirement day
	 * (tl-synth(1)); the shorter hold is the one its return has */
	if (g->s->churn != NULL) {
		end = tl_synth_day(g->s, tl_churn_exit_limit(g->s->churn,
		    x->strat, d)) * TL_SYNTH_MS_DAY + TL_SYNTH_CLOSE_MS;
		if (x->exit_ms > end) {	/* a signal is before 21:00 */
			t = (double)((end - x->ms) / 1000);
			x->exit_ms = x->ms + (int64_t)t * 1000;
		}
	}
	slip = TL_SYNTH_SIG_SLIP * tl_rng_uniform(g->r);
	e = TL_SYNTH_SIG_A * (c - tl_synth_sig_theta[grp]) + fee + 0.0001;
	x->edge = tl_synth_units(e, 1e6);
	ret = e + TL_SYNTH_SIG_B * (tl_synth_sig_phi(t,
	    tl_synth_sig_hold[grp]) - g->phibar[grp]) +
	    gsl_ran_gaussian(g->r, TL_SYNTH_SIG_SD) - slip;
	x->qty = 10 * (1 + (int64_t)tl_rng_below(g->r, 5));
	p = price[x->sym];
	x->entry_c = tl_synth_units(p, 100);
	notional = (double)x->qty * (double)x->entry_c / 100;
	x->exit_c = tl_synth_units(p * (1 + ret), 100);
	x->pnl_c = tl_synth_units(ret * notional, 100);
	x->fees_c = tl_synth_units(fee * notional, 100);
	x->slip_c = tl_synth_units(slip * notional, 100);
	net = (double)(x->pnl_c - x->fees_c) / 100;
	u = tl_rng_uniform(g->r);
	x->mfe_c = tl_synth_units((net > 0 ? net : 0) + notional *
	    TL_SYNTH_SIG_SD * (0.5 + u), 100);
	u = tl_rng_uniform(g->r);
	x->mae_c = tl_synth_units((net < 0 ? net : 0) - notional *
	    TL_SYNTH_SIG_SD * (0.5 + u), 100);
	x->fired = 0;
	for (k = 0; k < TL_SYNTH_SIG_NNAMED; k++)
		if (tl_synth_coin(g->r, 0.5))
			x->fired |= (uint8_t)(1u << k);
	for (k = 0; k < TL_SYNTH_SIG_NH; k++) {
		e = -TL_SYNTH_SIG_FEE_MODEL + gsl_ran_gaussian(g->r,
		    TL_SYNTH_SIG_EV_SD);
		for (grp = 0; grp < TL_SYNTH_SIG_NNAMED; grp++)
			if (x->fired & (1u << grp))
				e += tl_synth_sig_ev[grp][k];
		x->ev[k] = tl_synth_units(e, 1e6);
	}
}

static int
cmp_sig(const void *a, const void *b)
{
	const struct tl_synth_sig *x = a, *y = b;

	if (x->ms != y->ms)
		return x->ms < y->ms ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;	/* draw order */
}

int
tl_synth_signals_next(struct tl_synth_signals *g,
    struct tl_synth_sigday *out)
{
	size_t d = g->next, nd = g->s->w.nd, i, n;

	if (d >= nd)
		return 0;
	g->next++;
	/* n spread evenly: day d has its share of the running total */
	n = (size_t)((d + 1) * g->total / nd - d * g->total / nd);
	if (n > g->cap) {
		g->cap = n;
		g->sig = tl_xreallocarray(g->sig, n, sizeof(*g->sig));
	}
	out->d = d;
	out->z = tl_synth_day(g->s, d);
	for (i = 0; i < n; i++) {
		draw(g, &g->sig[i], d, out->z);
		g->sig[i].seq = (uint32_t)i;
	}
	qsort(g->sig, n, sizeof(*g->sig), cmp_sig);
	for (i = 0; i < n; i++) {
		g->sig[i].number = ++g->n;
		g->executed += g->sig[i].executed;
	}
	out->sig = g->sig;
	out->n = n;
	return 1;
}
