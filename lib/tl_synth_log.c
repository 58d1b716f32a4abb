/*
 * Decisions and trades of a synthetic log (tl_synth_log.h).  Strategies
 * are drawn by their activity from a Fenwick tree, updated as promotions
 * and (with churn) starts, pauses and retirements take effect.  A trade
 * waits in the bucket of its exit day (day % NBUCKET) until that day is
 * drawn.  The order of the draws is part of the bytes of every log: a
 * day's decisions are drawn in full, then the trades of its trade
 * decisions in time order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "tl_synth_draw.h"
#include "tl_synth_log.h"
#include "tl_util.h"

#define NBUCKET	(TL_SYNTH_MAX_HOLD_DAYS + 1)	/* pending exit days */

struct tl_synth_log {
	const struct tl_synth *s;	/* the plan, borrowed */
	gsl_rng		*r;		/* the log stream */
	size_t		 next;		/* the next day */
	uint64_t	 ndec;		/* decisions drawn */
	uint64_t	 ntrade;	/* trades handed out */
	double		*act;		/* activity, a Fenwick tree */
	double		 act_sum;	/* total activity */
	double		*w;		/* churn: weight of each strategy */
	size_t		 next_promo;	/* first promotion not yet active */
	const struct tl_churn_event *ev;	/* churn: liveness changes */
	size_t		 nev;		/* their number */
	size_t		 next_ev;	/* first not yet applied */
	long		*last_trade;	/* last day with a trade decision
					 * of each strategy (-1: none) */
	long		*last_exit;	/* last day a trade closed, or -1 */
	size_t		*due;		/* strategies due a trade */
	long		 keep;		/* TL_SYNTH_KEEP_DAYS or _CHURN_KEEP */
	struct tl_synth_dec *decs;	/* decisions of the day */
	size_t		 cdecs;		/* allocated */
	struct tl_synth_trade *bk[NBUCKET];	/* trades by exit day */
	size_t		 nbk[NBUCKET];	/* used */
	size_t		 cbk[NBUCKET];	/* allocated */
};

/* Add v to the activity of strategy i. */
static void
act_add(struct tl_synth_log *g, size_t i, double v)
{
	for (i++; i <= g->s->ns; i += i & (~i + 1))
		g->act[i - 1] += v;
	g->act_sum += v;
}

/* Churn: make strategy i's weight the one of day d (0 when it does not
 * decide that day). */
static void
act_set(struct tl_synth_log *g, size_t i, size_t d)
{
	const struct tl_synth_strat *st = &g->s->st[i];
	double w = 0;

	if (tl_churn_live(g->s->churn, i, d))
		w = st->promo_day >= 0 && (size_t)st->promo_day <= d ?
		    st->activity * TL_SYNTH_PROMO_ACTIVITY : st->activity;
	act_add(g, i, w - g->w[i]);
	g->w[i] = w;
}

/* Strategies promoted on day d decide PROMO_ACTIVITY times as often; with
 * churn, the weights of the strategies that start or stop on day d
 * change too. */
static void
act_update(struct tl_synth_log *g, size_t d)
{
	const struct tl_synth *s = g->s;
	const struct tl_synth_strat *st;
	size_t i;

	while (g->next_promo < s->npromo &&
	    (size_t)s->promos[g->next_promo]->promo_day <= d) {
		st = s->promos[g->next_promo++];
		if (s->churn != NULL)
			act_set(g, (size_t)(st - s->st), d);
		else
			act_add(g, (size_t)(st - s->st), st->activity *
			    (TL_SYNTH_PROMO_ACTIVITY - 1));
	}
	while (g->next_ev < g->nev && g->ev[g->next_ev].day <= d) {
		i = g->ev[g->next_ev++].strategy;
		act_set(g, i, d);
		g->last_trade[i] = (long)d - 1;	/* due from d + keep - 1 */
	}
}

struct tl_synth_log *
tl_synth_log_alloc(const struct tl_synth *s)
{
	struct tl_synth_log *g;
	size_t i;

	g = tl_xcalloc(1, sizeof(*g));
	g->s = s;
	g->r = tl_rng_alloc(s->par.seed, TL_SYNTH_STREAM_LOG);
	g->act = tl_xcalloc(s->ns, sizeof(*g->act));
	g->w = tl_xcalloc(s->ns, sizeof(*g->w));
	g->last_trade = tl_xcalloc(s->ns, sizeof(*g->last_trade));
	g->last_exit = tl_xcalloc(s->ns, sizeof(*g->last_exit));
	g->due = tl_xcalloc(s->ns, sizeof(*g->due));
	g->keep = s->churn != NULL ? TL_SYNTH_CHURN_KEEP : TL_SYNTH_KEEP_DAYS;
	if (s->churn != NULL)
		g->ev = tl_churn_events(s->churn, &g->nev);
	for (i = 0; i < s->ns; i++) {
		g->last_trade[i] = -1;
		g->last_exit[i] = -1;
	}
	for (i = 0; i < s->ns; i++)
		if (s->churn != NULL)
			act_set(g, i, 0);
		else
			act_add(g, i, s->st[i].activity);
	return g;
}

void
tl_synth_log_free(struct tl_synth_log *g)
{
	size_t b;

	if (g == NULL)
		return;
	tl_rng_free(g->r);
	free(g->act);
	free(g->w);
	free(g->last_trade);
	free(g->last_exit);
	free(g->due);
	free(g->decs);
	for (b = 0; b < NBUCKET; b++)
		free(g->bk[b]);
	free(g);
}

long
tl_synth_log_last_exit(const struct tl_synth_log *g, size_t i)
{
	return g->last_exit[i];
}

/* A strategy drawn in proportion to its activity. */
static uint32_t
pick_strategy(struct tl_synth_log *g)
{
	size_t ns = g->s->ns, pos = 0, step = 1;
	double u = tl_rng_uniform(g->r) * g->act_sum;

	while (step * 2 <= ns)
		step *= 2;
	for (; step > 0; step /= 2)
		if (pos + step <= ns && g->act[pos + step - 1] <= u) {
			pos += step;
			u -= g->act[pos - 1];
		}
	return (uint32_t)(pos < ns ? pos : ns - 1);
}

/* A strategy that decides on day d, in proportion to its weight.  With
 * churn a draw is made again when it lands on one that does not (only a
 * rounding residue of the tree's sums can give it a chance). */
static uint32_t
pick_live(struct tl_synth_log *g, size_t d)
{
	uint32_t i;

	do
		i = pick_strategy(g);
	while (g->s->churn != NULL && !tl_churn_live(g->s->churn, i, d));
	return i;
}

/* The strategies that decide on day d but had no trade decision on the
 * keep - 1 days before, by index, into g->due; their number. */
static size_t
due_trades(struct tl_synth_log *g, size_t d)
{
	const struct tl_synth *s = g->s;
	size_t i, n = 0;

	for (i = 0; i < s->ns; i++)
		if ((long)d - g->last_trade[i] >= g->keep && (s->churn ==
		    NULL || tl_churn_live(s->churn, i, d)))
			g->due[n++] = i;
	return n;
}

static int
cmp_dec(const void *a, const void *b)
{
	const struct tl_synth_dec *x = a, *y = b;

	if (x->ms != y->ms)
		return x->ms < y->ms ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
cmp_trade(const void *a, const void *b)
{
	const struct tl_synth_trade *x = a, *y = b;

	if (x->exit_ms != y->exit_ms)
		return x->exit_ms < y->exit_ms ? -1 : 1;
	return x->did < y->did ? -1 : x->did > y->did;
}

static int16_t
component(gsl_rng *r, double shift)
{
	return (int16_t)tl_synth_units(tl_synth_clip(0.5 + shift +
	    gsl_ran_gaussian(r, TL_SYNTH_COMP_SD), 0, 1), 100);
}

/* The planted win probability of decision x by st on day d, whose
 * signals and side are drawn (tl_synth_model.h), with its noise. */
static double
win_prob(gsl_rng *r, const struct tl_synth_dec *x,
    const struct tl_synth_strat *st, size_t d)
{
	double edge = st->edge, sr = 0;

	if (x->kind != TL_SYNTH_HOLD) {
		if (x->regime == TL_SYNTH_BULL)
			sr = x->side == 0 ? TL_SYNTH_P_SIDE_REGIME :
			    -TL_SYNTH_P_SIDE_REGIME;
		else if (x->regime == TL_SYNTH_BEAR)
			sr = x->side == 1 ? TL_SYNTH_P_SIDE_REGIME :
			    -TL_SYNTH_P_SIDE_REGIME;
	}
	if (st->decaying && (size_t)st->promo_day <= d)
		edge += TL_SYNTH_DECAY_SHIFT;
	return tl_synth_clip(TL_SYNTH_P_BASE + edge + TL_SYNTH_P_MOMENTUM *
	    ((x->signals >> TL_SYNTH_SIG_MOMENTUM) & 1) + TL_SYNTH_P_VOLSPIKE *
	    ((x->signals >> TL_SYNTH_SIG_VOLUME_SPIKE) & 1) + sr +
	    gsl_ran_gaussian(r, TL_SYNTH_P_NOISE), TL_SYNTH_P_LO,
	    TL_SYNTH_P_HI);
}

/* Draw the decisions of day d into g->decs, sorted; their number.  The
 * first trades go to the strategies that are due one, so that a
 * strategy's returns never pause by chance for long. */
static size_t
decide(struct tl_synth_log *g, size_t d)
{
	const struct tl_synth *s = g->s;
	const struct tl_synth_strat *st;
	struct tl_synth_dec *x;
	size_t i, n, ntr = s->ntr[d], nh = s->nhold[d], ndue;
	int64_t day_ms = tl_synth_day(s, d) * TL_SYNTH_MS_DAY;
	double p, sign;
	int k, reg = tl_synth_world_regime(&s->w, d);

	n = ntr + nh + s->nopen[d];
	ndue = due_trades(g, d);
	if (n > g->cdecs) {
		g->cdecs = n + n / 2;
		g->decs = tl_xreallocarray(g->decs, g->cdecs,
		    sizeof(*g->decs));
	}
	for (i = 0; i < n; i++) {
		x = &g->decs[i];
		memset(x, 0, sizeof(*x));
		x->kind = i < ntr ? TL_SYNTH_TRADE : i < ntr + nh ?
		    TL_SYNTH_HOLD : TL_SYNTH_OPEN;
		x->seq = (uint32_t)i;
		x->ms = day_ms + TL_SYNTH_OPEN_MS + (int64_t)tl_rng_below(g->r,
		    TL_SYNTH_LAST_DEC_MS - TL_SYNTH_OPEN_MS);
		x->strat = i < ndue && i < ntr ? (uint32_t)g->due[i] :
		    pick_live(g, d);
		if (x->kind == TL_SYNTH_TRADE)
			g->last_trade[x->strat] = (long)d;
		st = &s->st[x->strat];
		x->sym = (uint16_t)(tl_synth_universe_lo[st->universe] +
		    (int)tl_rng_below(g->r,
		    (unsigned long)tl_synth_universe_n[st->universe]));
		x->regime = (uint8_t)reg;
		for (k = 0; k < TL_SYNTH_NSIGNAL; k++)
			if (tl_synth_coin(g->r, tl_synth_signal_rate[k]))
				x->signals |= (uint8_t)(1u << k);
		if (x->kind != TL_SYNTH_HOLD)
			x->side = !tl_synth_coin(g->r,
			    tl_synth_regime_long[reg]);
		p = win_prob(g->r, x, st, d);
		x->win = tl_synth_coin(g->r, p);
		x->conf = (int16_t)tl_synth_units(tl_synth_clip(0.5 +
		    TL_SYNTH_CONF_SLOPE * (p - 0.5), TL_SYNTH_CONF_LO,
		    TL_SYNTH_CONF_HI), 1e4);
		sign = x->kind == TL_SYNTH_HOLD ? 0 : x->win ? 1 : -1;
		x->comp[TL_SYNTH_COMP_THEME] = component(g->r, 0);
		x->comp[TL_SYNTH_COMP_TECH] = component(g->r,
		    sign * TL_SYNTH_COMP_TECHNICAL);
		x->comp[TL_SYNTH_COMP_AIX] = component(g->r,
		    sign * TL_SYNTH_COMP_AI);
		x->comp[TL_SYNTH_COMP_SENT] = component(g->r, 0);
		for (k = 0; k < TL_SYNTH_NVOTE; k++)
			if (tl_synth_coin(g->r, x->kind == TL_SYNTH_HOLD ?
			    TL_SYNTH_VOTE_HOLD : TL_SYNTH_VOTE_APPROVE))
				x->votes |= (uint8_t)(1u << k);
	}
	if (n > 1)
		qsort(g->decs, n, sizeof(*g->decs), cmp_dec);
	return n;
}

/* A new slot in the bucket of exit day ed. */
static struct tl_synth_trade *
bucket_add(struct tl_synth_log *g, size_t ed)
{
	size_t b = ed % NBUCKET;

	if (g->nbk[b] == g->cbk[b]) {
		g->cbk[b] = g->cbk[b] < 64 ? 64 : g->cbk[b] * 2;
		g->bk[b] = tl_xreallocarray(g->bk[b], g->cbk[b],
		    sizeof(*g->bk[b]));
	}
	return &g->bk[b][g->nbk[b]++];
}

/* When the trade of decision x of day d exits and at what price; its
 * amounts. */
static void
close_trade(struct tl_synth_log *g, const struct tl_synth_dec *x, size_t d)
{
	const struct tl_synth *s = g->s;
	const struct tl_synth_strat *st = &s->st[x->strat];
	struct tl_synth_trade *t;
	size_t k, ed, lim;
	int64_t lo, hi, m, delta;
	double u, px, notional, r;

	u = tl_rng_uniform(g->r);
	k = u < 0.55 ? 0 : u < 0.80 ? 1 : u < 0.92 ? 2 : 3;
	lim = s->churn != NULL ? tl_churn_exit_limit(s->churn, x->strat, d) :
	    s->w.nd - 1;
	if (d + k > lim)
		k = lim - d;
	ed = d + k;
	if ((long)ed > g->last_exit[x->strat])
		g->last_exit[x->strat] = (long)ed;
	t = bucket_add(g, ed);
	memset(t, 0, sizeof(*t));
	t->did = x->number;
	t->entry_day = d;
	t->strat = x->strat;
	t->sym = x->sym;
	t->side = x->side;
	t->entry_ms = (x->ms / 1000 + 1 +
	    (int64_t)tl_rng_below(g->r, 4)) * 1000;
	if (k == 0) {
		lo = t->entry_ms + TL_SYNTH_MIN_HOLD_MS;
		hi = tl_synth_day(s, d) * TL_SYNTH_MS_DAY + TL_SYNTH_CLOSE_MS;
		t->exit_ms = lo + (int64_t)tl_rng_below(g->r,
		    (unsigned long)(hi - lo));
	} else
		t->exit_ms = tl_synth_day(s, ed) * TL_SYNTH_MS_DAY +
		    TL_SYNTH_OPEN_MS + (int64_t)tl_rng_below(g->r,
		    TL_SYNTH_CLOSE_MS - TL_SYNTH_OPEN_MS);
	t->exit_ms = t->exit_ms / 1000 * 1000;

	px = tl_synth_world_price(&s->w, d)[x->sym] *
	    (1 + gsl_ran_gaussian(g->r, 0.002));
	t->entry_c = tl_synth_units(px, 100);
	if (t->entry_c < 100)
		t->entry_c = 100;
	notional = st->risk * 1e-5 * 1e6 * exp(gsl_ran_gaussian(g->r, 0.3));
	t->qty = (int64_t)(notional / (t->entry_c / 100.0));
	if (t->qty < 1)
		t->qty = 1;
	t->fees_c = (t->qty + 1) / 2 < 100 ? 100 : (t->qty + 1) / 2;
	r = exp(gsl_ran_gaussian(g->r, 0.6)) * 0.006 *
	    (s->w.vol_u[d] / 1e4 / TL_SYNTH_VOL_REF) * sqrt(1.0 + (double)k);
	m = tl_synth_units(t->entry_c * r, 1);
	if (m > t->entry_c / 4)
		m = t->entry_c / 4;
	if (m < 1)
		m = 1;
	u = tl_rng_uniform(g->r);
	if (x->win) {
		delta = t->fees_c / t->qty + m;
		t->reason = u < 0.6 ? TL_SYNTH_R_TAKE_PROFIT : u < 0.8 ?
		    TL_SYNTH_R_SIGNAL_EXIT : TL_SYNTH_R_TIME_EXIT;
	} else {
		delta = -m;
		t->reason = u < 0.6 ? TL_SYNTH_R_STOP_LOSS : u < 0.85 ?
		    TL_SYNTH_R_TIME_EXIT : TL_SYNTH_R_SIGNAL_EXIT;
	}
	t->exit_c = t->entry_c + (x->side == 0 ? delta : -delta);
	if (t->exit_c < 1) {
		t->exit_c = 1;
		delta = t->entry_c - 1;
	}
	t->pnl_c = t->qty * delta;
	t->mfe_c = (t->pnl_c > 0 ? t->pnl_c : 0) +
	    tl_synth_units(t->qty * m * tl_synth_unif(g->r, 0, 0.8), 1);
	t->mae_c = (t->pnl_c < 0 ? t->pnl_c : 0) -
	    tl_synth_units(t->qty * m * tl_synth_unif(g->r, 0, 0.8), 1);
}

int
tl_synth_log_next(struct tl_synth_log *g, struct tl_synth_day *out)
{
	size_t i, n, b, d = g->next;

	if (d >= g->s->w.nd)
		return 0;
	g->next++;
	if (d > 0)	/* the trades handed out the day before */
		g->nbk[(d - 1) % NBUCKET] = 0;
	act_update(g, d);
	n = decide(g, d);
	for (i = 0; i < n; i++) {
		g->decs[i].number = ++g->ndec;
		if (g->decs[i].kind == TL_SYNTH_TRADE)
			close_trade(g, &g->decs[i], d);
	}
	b = d % NBUCKET;
	if (g->nbk[b] > 1)
		qsort(g->bk[b], g->nbk[b], sizeof(*g->bk[b]), cmp_trade);
	for (i = 0; i < g->nbk[b]; i++)
		g->bk[b][i].number = ++g->ntrade;
	out->d = d;
	out->z = tl_synth_day(g->s, d);
	out->dec = g->decs;
	out->ndec = n;
	out->trade = g->bk[b];
	out->ntrade = g->nbk[b];
	return 1;
}
