/*
 * The strategies of a synthetic log (tl_synth_strat.h).  Every strategy
 * draws the same number of values in the same order, so that the n-th
 * strategy of a larger --strategies has the same genome.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "tl_synth_draw.h"
#include "tl_synth_strat.h"
#include "tl_util.h"

#define GENE_NUM(name, kind, lo, hi, scale, member) \
	{ name, kind, lo, hi, scale, NULL, 0, \
	    offsetof(struct tl_synth_strat, member) }
#define GENE_WORD(name, names, n, member) \
	{ name, TL_SYNTH_GENE_WORD, 0, 0, 1, names, n, \
	    offsetof(struct tl_synth_strat, member) }

const struct tl_synth_gene tl_synth_genes[TL_SYNTH_NGENE] = {
	GENE_NUM("lookback", TL_SYNTH_GENE_INT, 5, 200, 1, lookback),
	GENE_NUM("entry_z", TL_SYNTH_GENE_FLOAT, 0.5, 3.0, 100, entry_z),
	GENE_NUM("exit_z", TL_SYNTH_GENE_FLOAT, 0.0, 1.5, 100, exit_z),
	GENE_NUM("stop_atr", TL_SYNTH_GENE_FLOAT, 0.5, 5.0, 100, stop_atr),
	GENE_NUM("take_profit_atr", TL_SYNTH_GENE_FLOAT, 1.0, 8.0, 100,
	    tp_atr),
	GENE_NUM("risk_per_trade", TL_SYNTH_GENE_LOG, 0.001, 0.05, 1e5, risk),
	GENE_NUM("max_positions", TL_SYNTH_GENE_INT, 1, 20, 1, max_pos),
	GENE_NUM("use_trailing", TL_SYNTH_GENE_BOOL, 0, 1, 1, trailing),
	GENE_WORD("universe", tl_synth_universe_names, TL_SYNTH_NUNIVERSE,
	    universe),
	GENE_WORD("filter", tl_synth_filter_names, TL_SYNTH_NFILTER, filter),
};

size_t
tl_synth_npromoted(size_t ns)
{
	return (size_t)floor(TL_SYNTH_PROMOTE_RATE * (double)ns + 0.5);
}

double
tl_synth_roi_mean(const struct tl_synth_strat *s)
{
	double lb = s->lookback, ez = s->entry_z / 100.0;
	double sa = s->stop_atr / 100.0;

	return TL_SYNTH_ROI_A * tanh((lb - TL_SYNTH_ROI_LB_C) /
	    TL_SYNTH_ROI_LB_S) + TL_SYNTH_ROI_B * (ez - TL_SYNTH_ROI_EZ_C) *
	    (s->universe == TL_SYNTH_U_TECH ? TL_SYNTH_ROI_TECH :
	    TL_SYNTH_ROI_OTHER) - TL_SYNTH_ROI_C * (sa - TL_SYNTH_ROI_SA_C) *
	    (sa - TL_SYNTH_ROI_SA_C) / TL_SYNTH_ROI_SA_S;
}

/* One value of gene g from r, in g's units. */
static int
draw_gene(const struct tl_synth_gene *g, gsl_rng *r)
{
	double lo = g->lo, hi = g->hi;

	switch (g->kind) {
	case TL_SYNTH_GENE_INT:
		return (int)lo + (int)tl_rng_below(r,
		    (unsigned long)(hi - lo) + 1);
	case TL_SYNTH_GENE_FLOAT:
		return (int)tl_synth_units(tl_synth_unif(r, lo, hi), g->scale);
	case TL_SYNTH_GENE_LOG:
		return (int)tl_synth_units(exp(tl_synth_unif(r, log(lo),
		    log(hi))), g->scale);
	case TL_SYNTH_GENE_BOOL:
		return tl_synth_coin(r, 0.5);
	case TL_SYNTH_GENE_WORD:
		return (int)tl_rng_below(r, (unsigned long)g->n);
	}
	return 0;	/* not reached: every kind is a case */
}

static void
draw_one(struct tl_synth_strat *s, size_t i, gsl_rng *r)
{
	size_t k;

	snprintf(s->id, sizeof(s->id), "S%04zu", i + 1);
	for (k = 0; k < TL_SYNTH_NGENE; k++)
		*tl_synth_gene_ptr(s, &tl_synth_genes[k]) =
		    draw_gene(&tl_synth_genes[k], r);
	s->vol = tl_synth_unif(r, TL_SYNTH_VOL_LO, TL_SYNTH_VOL_HI);
	s->edge = tl_synth_clip(gsl_ran_gaussian(r, TL_SYNTH_EDGE_SD),
	    -TL_SYNTH_EDGE_MAX, TL_SYNTH_EDGE_MAX);
	s->activity = exp(gsl_ran_gaussian(r, TL_SYNTH_ACTIVITY_SD));
	s->roi_mean = tl_synth_roi_mean(s);
	s->promo_day = -1;
	s->is_period = -1;
}

struct tl_synth_strat *
tl_synth_strats_draw(const struct tl_synth_world *w, size_t ns, gsl_rng *r)
{
	struct tl_synth_strat *st, *s;
	size_t i, *perm, npromo, ndecay, half;
	long pm;

	st = tl_xcalloc(ns, sizeof(*st));
	for (i = 0; i < ns; i++)
		draw_one(&st[i], i, r);
	npromo = tl_synth_npromoted(ns);
	ndecay = (npromo + 1) / 3;
	if (ndecay == 0 && npromo > 0 && ns >= 3)
		ndecay = 1;
	perm = tl_xcalloc(ns, sizeof(*perm));
	for (i = 0; i < ns; i++)
		perm[i] = i;
	gsl_ran_shuffle(r, perm, ns, sizeof(*perm));
	half = (w->nd + 1) / 2;
	for (i = 0; i < npromo; i++) {
		s = &st[perm[i]];
		s->promo_day = (long)tl_rng_below(r, half);
		s->decaying = i < ndecay;
		s->edge = tl_synth_unif(r, TL_SYNTH_PROMO_EDGE_LO,
		    TL_SYNTH_PROMO_EDGE_HI);
		pm = tl_synth_month_of(tl_synth_world_day(w,
		    (size_t)s->promo_day)) - 1;
		if (pm >= w->month0)
			s->is_period = pm - w->month0;
	}
	free(perm);
	return st;
}

static double
promo_mult(const struct tl_synth_strat *s)
{
	return s->promo_day >= 0 ? TL_SYNTH_PROMO_ACTIVITY : 1;
}

static int
cmp_activity(const void *a, const void *b)
{
	const struct tl_synth_strat *x = *(const struct tl_synth_strat *const *)a;
	const struct tl_synth_strat *y = *(const struct tl_synth_strat *const *)b;

	if (x->activity != y->activity)
		return x->activity < y->activity ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Filling the lowest activities up, k of them floored, the floor is
 * f = c T_k / (1 - c M_k): T_k sums a_j m_j over the others, M_k the
 * floored m_j. */
void
tl_synth_activity_floor(struct tl_synth_strat *st, size_t ns, double c)
{
	struct tl_synth_strat **v;
	double t = 0, m = 0, f = 0, mj;
	size_t i, k;

	if (ns == 0)
		return;
	v = tl_xcalloc(ns, sizeof(*v));
	for (i = 0; i < ns; i++) {
		v[i] = &st[i];
		t += v[i]->activity * promo_mult(v[i]);
	}
	qsort(v, ns, sizeof(*v), cmp_activity);
	for (k = 0; k < ns; k++) {
		f = 1 - c * m > 0 ? c * t / (1 - c * m) : INFINITY;
		if (f <= v[k]->activity)
			break;
		mj = promo_mult(v[k]);
		t -= v[k]->activity * mj;
		m += mj;
	}
	if (k == ns)		/* no floor fits */
		f = v[ns - 1]->activity;
	for (i = 0; i < k; i++)
		v[i]->activity = f;
	free(v);
}

static int
cmp_promo(const void *a, const void *b)
{
	const struct tl_synth_strat *x = *(const struct tl_synth_strat *const *)a;
	const struct tl_synth_strat *y = *(const struct tl_synth_strat *const *)b;

	if (x->promo_day != y->promo_day)
		return x->promo_day < y->promo_day ? -1 : 1;
	return strcmp(x->id, y->id);
}

struct tl_synth_strat **
tl_synth_promoted(struct tl_synth_strat *st, size_t ns, size_t *n)
{
	struct tl_synth_strat **v;
	size_t i;

	v = tl_xcalloc(ns > 0 ? ns : 1, sizeof(*v));
	for (*n = 0, i = 0; i < ns; i++)
		if (st[i].promo_day >= 0)
			v[(*n)++] = &st[i];
	qsort(v, *n, sizeof(*v), cmp_promo);
	return v;
}
