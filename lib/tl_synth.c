/*
 * The plan of a synthetic log (tl_synth.h).  The world's stream draws the
 * calendar and regimes, then the strategies, then how many decisions of
 * each kind fall on each day (a multinomial over gamma day weights), then
 * the price paths; the churn stream draws the churn plan; the in-sample
 * runs come from a generator of the runs stream of their own, which draws
 * the same numbers as the one that writes them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

#include "tl_rng.h"
#include "tl_synth.h"
#include "tl_synth_runs.h"
#include "tl_util.h"

/* Spread the trades and the other decisions over the days. */
static void
day_counts(struct tl_synth *s, gsl_rng *r)
{
	double *w;
	size_t i, nd = s->w.nd;
	unsigned int extra, trades = (unsigned int)s->par.trades;

	w = tl_xcalloc(nd, sizeof(*w));
	for (i = 0; i < nd; i++)
		w[i] = gsl_ran_gamma(r, TL_SYNTH_DAY_SHAPE, 1.0);
	s->ntr = tl_xcalloc(nd, sizeof(*s->ntr));
	s->nhold = tl_xcalloc(nd, sizeof(*s->nhold));
	s->nopen = tl_xcalloc(nd, sizeof(*s->nopen));
	extra = (unsigned int)floor(TL_SYNTH_EXTRA_RATE * (double)trades +
	    0.5);
	gsl_ran_multinomial(r, nd, trades, w, s->ntr);
	gsl_ran_multinomial(r, nd, extra / 2, w, s->nhold);
	gsl_ran_multinomial(r, nd, extra - extra / 2, w, s->nopen);
	free(w);
	for (i = 0; i < nd; i++) {
		s->nholds += s->nhold[i];
		s->nopens += s->nopen[i];
		s->ndec += (uint64_t)s->ntr[i] + s->nhold[i] + s->nopen[i];
	}
}

int
tl_synth_churn_check(const struct tl_churn_spec *sp, size_t ns, size_t days,
    struct tl_err *err)
{
	return tl_churn_spec_check(sp, ns, ns - tl_synth_npromoted(ns), days,
	    err);
}

/* The churn plan: late starts and retirements among the strategies that
 * are never promoted; the new name of a renamed one follows the last
 * strategy's. */
static int
churn(struct tl_synth *s, struct tl_err *err)
{
	const struct tl_churn_role *ro;
	unsigned char *eligible;
	gsl_rng *r;
	size_t i;

	eligible = tl_xcalloc(s->ns, 1);
	for (i = 0; i < s->ns; i++)
		eligible[i] = s->st[i].promo_day < 0;
	r = tl_rng_alloc(s->par.seed, TL_SYNTH_STREAM_CHURN);
	s->churn = tl_churn_alloc(&s->par.churn_spec, s->ns, s->w.nd,
	    eligible, r, err);
	tl_rng_free(r);
	free(eligible);
	if (s->churn == NULL)
		return -1;
	for (i = 0; i < s->ns; i++) {
		ro = tl_churn_role(s->churn, i);
		if (ro->kind == TL_CHURN_RENAME)
			snprintf(s->st[i].alias, sizeof(s->st[i].alias),
			    "S%04zu", s->ns + ro->seq + 1);
	}
	return 0;
}

/* The metrics of each promoted strategy's in-sample run, and how many
 * runs are written. */
static void
in_sample(struct tl_synth *s)
{
	struct tl_synth_runs *g;
	struct tl_synth_period per;
	struct tl_synth_strat *st;
	size_t i, n = 0;
	long last = -1;

	for (i = 0; i < s->npromo; i++)
		if (s->promos[i]->is_period > last)
			last = s->promos[i]->is_period;
	g = tl_synth_runs_alloc(s);
	while ((long)n <= last && tl_synth_runs_next(g, &per)) {
		for (i = 0; i < s->ns; i++) {
			st = &s->st[i];
			if (st->is_period != (long)per.p)
				continue;
			st->is_roi = per.run[i].roi;
			st->is_sharpe = per.run[i].sharpe;
		}
		n++;
	}
	tl_synth_runs_free(g);
	for (n = 0; n < s->w.nperiod; n++)
		for (i = 0; i < s->ns; i++)
			s->nruns += (uint64_t)tl_synth_run_kept(s, i,
			    tl_synth_month_first(s->w.month0 + (long)n));
}

struct tl_synth *
tl_synth_alloc(const struct tl_synth_params *p, struct tl_err *err)
{
	struct tl_synth *s;
	gsl_rng *r;

	s = tl_xcalloc(1, sizeof(*s));
	s->par = *p;
	s->ns = p->strategies;
	r = tl_rng_alloc(p->seed, TL_SYNTH_STREAM_WORLD);
	tl_synth_world_init(&s->w, p->start, p->days, p->periods, r);
	s->st = tl_synth_strats_draw(&s->w, s->ns, r);
	if (p->trades > 0)
		tl_synth_activity_floor(s->st, s->ns, (p->churn ?
		    TL_SYNTH_CHURN_MIN_RATE : TL_SYNTH_MIN_RATE) *
		    (double)s->w.nd / (double)p->trades);
	s->promos = tl_synth_promoted(s->st, s->ns, &s->npromo);
	day_counts(s, r);
	tl_synth_world_prices(&s->w, r);
	tl_rng_free(r);
	if (p->churn && churn(s, err) == -1) {
		tl_synth_free(s);
		return NULL;
	}
	in_sample(s);
	return s;
}

void
tl_synth_free(struct tl_synth *s)
{
	if (s == NULL)
		return;
	tl_synth_world_release(&s->w);
	free(s->st);
	free(s->promos);
	tl_churn_free(s->churn);
	free(s->ntr);
	free(s->nhold);
	free(s->nopen);
	free(s);
}

const char *
tl_synth_name(const struct tl_synth *s, size_t i, int64_t z)
{
	const struct tl_churn_role *ro;

	if (s->churn == NULL)
		return s->st[i].id;
	ro = tl_churn_role(s->churn, i);
	return ro->kind == TL_CHURN_RENAME && z >= tl_synth_day(s, ro->day) ?
	    s->st[i].alias : s->st[i].id;
}

int
tl_synth_run_kept(const struct tl_synth *s, size_t i, int64_t z)
{
	const struct tl_churn_role *ro;

	if (s->churn == NULL)
		return 1;
	ro = tl_churn_role(s->churn, i);
	if (ro->kind == TL_CHURN_LATE)
		return z >= tl_synth_day(s, ro->day);
	if (ro->kind == TL_CHURN_RETIRE)
		return z <= tl_synth_day(s, ro->day);
	return 1;
}
