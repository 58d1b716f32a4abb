/*
 * The maximum hold time per strategy (and regime).  A policy of at most H
 * seconds closes a trade at min(T, H), T its logged hold; its EV per
 * trade is E[X(min(T, H))] with X(t) the trade's P&L at age t.  Trades
 * that exit at about t (for reasons of their own) are the sample of X(t):
 * with the candidates H = g[0] < ... < g[K-1] of the grid, bin j holds the
 * trades exiting in (g[j-1], g[j]], and a trade still open at g[j] is
 * closed at the mean P&L of bin j (tl_hold_ev).  When a strategy's edge
 * decays after some age, E[X(min(T, H))] is largest at that age for
 * every T, so the argmax over the grid finds it (within one grid step).
 * The estimate assumes that the exit time tells nothing of the path
 * beyond the grid's resolution; stops and targets that cut losers early
 * break that (tl-policy(1) CAVEATS).  MFE and MAE, when logged, give the
 * evidence beside it: the P&L given back from the best point (MFE - P&L)
 * by trades held beyond the chosen time and within it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_policy.h"
#include "tl_policy_int.h"
#include "tl_util.h"

#define HOLD_MIN_BIN	5	/* trades a bin needs to be a candidate: its
				 * mean stands for every trade cut there */

struct hbin {
	double	n;			/* trades */
	double	sum;			/* of net P&L */
	double	ngive;			/* trades with mfe */
	double	give;			/* sum of mfe - net */
	double	nmae;			/* trades with mae */
	double	mae;			/* sum of mae */
};

struct hold {
	size_t	nb;			/* bins: ngrid + 1 */
};

void
tl_hold_ev(const double *n, const double *sum, size_t ngrid, double *ev)
{
	double total = 0, head = 0, nhead = 0;
	size_t j;

	for (j = 0; j <= ngrid; j++)
		total += n[j];
	for (j = 0; j < ngrid; j++) {
		head += sum[j];
		nhead += n[j];
		ev[j] = n[j] > 0 ? (head + (total - nhead) * sum[j] / n[j]) /
		    total : NAN;
	}
}

int
tl_hold_init(struct tl_policy *p, struct tl_err *err)
{
	const struct tl_policy_opts *o = p->o;
	struct hold *h;
	size_t j;

	if (o->ngrid == 0)
		return tl_err_set(err, TL_EX_USAGE, "--grid", 0, "no hold "
		    "times");
	for (j = 0; j < o->ngrid; j++)
		if (!(o->grid[j] > 0) || (j > 0 && !(o->grid[j] >
		    o->grid[j - 1])))
			return tl_err_set(err, TL_EX_USAGE, "--grid", 0, "hold "
			    "times must be positive and increase");
	h = tl_xcalloc(1, sizeof(*h));
	h->nb = o->ngrid + 1;
	p->eng = h;
	p->dflt = isnan(o->dflt) ? o->grid[o->ngrid - 1] : o->dflt;
	tl_pgroups_init(&p->gs, h->nb * sizeof(struct hbin));
	tl_pgroups_get(&p->gs, NULL, 0, NULL, 0);
	return 0;
}

static void
add(struct hbin *x, const struct tl_prow *r)
{
	x->n++;
	x->sum += r->net;
	if (!isnan(r->mfe)) {
		x->ngive++;
		x->give += r->mfe - r->net;
	}
	if (!isnan(r->mae)) {
		x->nmae++;
		x->mae += r->mae;
	}
}

void
tl_hold_observe(struct tl_policy *p, const struct tl_prow *r)
{
	const struct tl_policy_opts *o = p->o;
	size_t lo = 0, hi = o->ngrid, mid, ix[3], n, l;

	/* the bin: the first grid time at or above the hold */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (o->grid[mid] < r->hold)
			lo = mid + 1;
		else
			hi = mid;
	}
	n = tl_policy_levels(p, r, ix);
	for (l = 0; l < n; l++)
		add((struct hbin *)tl_pgroups_acc(&p->gs, ix[l]) + lo, r);
}

/* The grid point nearest to x (in ratio: hold times span decades). */
static size_t
nearest(const double *g, size_t n, double x)
{
	size_t j, best = 0;

	if (!(x > 0))
		return 0;
	for (j = 1; j < n; j++)
		if (fabs(log(g[j] / x)) < fabs(log(g[best] / x)))
			best = j;
	return best;
}

int
tl_hold_finish(struct tl_policy *p, json_t *pol, json_t *facts,
    struct tl_err *err)
{
	const struct tl_policy_opts *o = p->o;
	struct hold *h = p->eng;
	size_t t, i, j, jb, jc;
	double *n, *sum, *ev, total, cur, learned, value, top;
	double gin, ngin, gout, ngout, mae, nmae;
	const struct hbin *x;
	json_t *f, *evs;
	char why[128];
	int own;

	(void)err;
	evs = json_array();
	for (j = 0; j < o->ngrid; j++)
		json_array_append_new(evs, json_real(o->grid[j]));
	tl_policy_settings(pol, json_pack("{s:o}", "grid", evs));
	n = tl_xcalloc(3 * h->nb, sizeof(double));
	sum = n + h->nb;
	ev = sum + h->nb;
	for (t = 0; t < p->norder; t++) {
		i = p->order[t];
		x = tl_pgroups_acc(&p->gs, i);
		total = 0;
		for (j = 0; j < h->nb; j++) {
			n[j] = x[j].n;
			sum[j] = x[j].sum;
			total += n[j];
		}
		tl_hold_ev(n, sum, o->ngrid, ev);
		/* the best candidate; ties: the shorter hold */
		jb = o->ngrid;
		top = -INFINITY;
		for (j = 0; j < o->ngrid; j++)
			if (n[j] >= HOLD_MIN_BIN && ev[j] > top) {
				top = ev[j];
				jb = j;
			}
		cur = tl_policy_current(p, i, &own);
		learned = NAN;
		snprintf(why, sizeof(why), "no bin of the grid has %d trades",
		    HOLD_MIN_BIN);
		if (jb < o->ngrid) {
			learned = o->grid[jb];
			snprintf(why, sizeof(why), "the EV per trade is "
			    "highest there");
		}
		f = tl_policy_fact(p, i);
		tl_policy_decide(p, i, learned, (size_t)total, 0, why, f,
		    &value);
		jc = nearest(o->grid, o->ngrid, cur);
		json_object_set_new(f, "ev_current", tl_pnum(ev[jc]));
		json_object_set_new(f, "ev_best", tl_pnum(jb < o->ngrid ?
		    ev[jb] : NAN));
		evs = json_array();
		for (j = 0; j < o->ngrid; j++)
			json_array_append_new(evs, tl_pnum(ev[j]));
		json_object_set_new(f, "ev", evs);
		/* give-back beyond the value decided and within it */
		gin = ngin = gout = ngout = mae = nmae = 0;
		for (j = 0; j < h->nb; j++) {
			if (j < o->ngrid && o->grid[j] <= value) {
				gin += x[j].give;
				ngin += x[j].ngive;
			} else {
				gout += x[j].give;
				ngout += x[j].ngive;
			}
			mae += x[j].mae;
			nmae += x[j].nmae;
		}
		json_object_set_new(f, "give_back_within", tl_pnum(ngin > 0 ?
		    gin / ngin : NAN));
		json_object_set_new(f, "give_back_beyond", tl_pnum(ngout > 0 ?
		    gout / ngout : NAN));
		json_object_set_new(f, "mean_mae", tl_pnum(nmae > 0 ?
		    mae / nmae : NAN));
		json_array_append_new(facts, f);
	}
	free(n);
	return 0;
}

void
tl_hold_release(struct tl_policy *p)
{
	free(p->eng);
	p->eng = NULL;
}
