/*
 * Runs of a synthetic log (tl_synth_runs.h).  Per strategy and period:
 * x = roi_mean + period term + N(0, ROI_NOISE^2); metrics.roi = x,
 * sharpe = x/vol + N(0, SHARPE_NOISE^2), max_dd and win_rate loosely tied
 * to x and vol, trades ~ Poisson(15 + 4 max_positions).
 */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

#include "tl_rng.h"
#include "tl_synth_draw.h"
#include "tl_synth_runs.h"
#include "tl_util.h"

struct tl_synth_runs {
	const struct tl_synth *s;	/* the plan, borrowed */
	gsl_rng		*r;		/* the runs stream */
	size_t		 next;		/* the next period */
	struct tl_synth_run *run;	/* one per strategy */
};

struct tl_synth_runs *
tl_synth_runs_alloc(const struct tl_synth *s)
{
	struct tl_synth_runs *g;

	g = tl_xcalloc(1, sizeof(*g));
	g->s = s;
	g->r = tl_rng_alloc(s->par.seed, TL_SYNTH_STREAM_RUNS);
	g->run = tl_xcalloc(s->ns, sizeof(*g->run));
	return g;
}

void
tl_synth_runs_free(struct tl_synth_runs *g)
{
	if (g == NULL)
		return;
	tl_rng_free(g->r);
	free(g->run);
	free(g);
}

int
tl_synth_runs_next(struct tl_synth_runs *g, struct tl_synth_period *out)
{
	const struct tl_synth *s = g->s;
	const struct tl_synth_strat *st;
	struct tl_synth_run *u;
	size_t i, p = g->next;
	double x;

	if (p >= s->w.nperiod)
		return 0;
	g->next++;
	out->p = p;
	out->month = s->w.month0 + (long)p;
	out->first = tl_synth_month_first(out->month);
	out->last = tl_synth_month_first(out->month + 1) - 1;
	out->backtest = out->last < tl_synth_day(s, 0);
	out->run = g->run;
	for (i = 0; i < s->ns; i++) {
		st = &s->st[i];
		u = &g->run[i];
		u->number = tl_synth_run_number(s, p, i);
		u->strategy = i;
		x = st->roi_mean + s->w.pterm[p] +
		    gsl_ran_gaussian(g->r, TL_SYNTH_ROI_NOISE);
		u->roi = tl_synth_units(x, 1e4);
		u->sharpe = tl_synth_units(x / st->vol +
		    gsl_ran_gaussian(g->r, TL_SYNTH_SHARPE_NOISE), 100);
		u->max_dd = tl_synth_units(tl_synth_clip(st->vol * (0.8 +
		    fabs(gsl_ran_gaussian(g->r, 0.6))) - 0.3 * x, 0.002, 0.6),
		    1e4);
		u->win_rate = tl_synth_units(tl_synth_clip(0.5 + 2 * x +
		    gsl_ran_gaussian(g->r, 0.03), 0.2, 0.8), 1e3);
		u->trades = gsl_ran_poisson(g->r, 15 + 4 * st->max_pos);
		u->kept = tl_synth_run_kept(s, i, out->first);
	}
	return 1;
}
