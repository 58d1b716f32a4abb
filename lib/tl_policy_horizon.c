/*
 * The best horizon per signal.  A signal outcome gives, for one fired
 * signal and one horizon (1m, 5m, 15m, 30m, 1h, 1d...), the EV it would
 * have contributed net of its fee model; a record names the signals that
 * fired in it (an object of booleans or numbers, or a string).  Per
 * signal and horizon: the mean EV with a normal confidence interval
 * (mean +- z sd / sqrt(n)), the hit rate; the best horizon is the one of
 * highest mean among those with at least min_obs outcomes, kept only when
 * its interval's lower bound is above 0 ("none", 0 s, otherwise: no
 * horizon has shown an edge).  The default entry pools every record.
 *
 * Pairs: for two signals a and b that fire together, at each horizon the
 * mean EV of the records with both against those with a and not b and
 * with b and not a (the sums for "a alone" are a's minus the pair's), and
 * the lift, both minus the better alone.  A pair adds value at the
 * horizon where both is best when the lower bound of both is above the
 * better alone; such pairs are listed in the policy file.
 *
 * Horizons are categories, not numbers: --max-change does not apply.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "tl_map.h"
#include "tl_policy.h"
#include "tl_policy_int.h"
#include "tl_util.h"

#define MAX_HORIZONS	64	/* distinct horizons in one input */
#define MAX_FIRED	64	/* signals that fire in one record, for pairs */

/* Outcomes of one signal (or pair) at one horizon. */
struct hstat {
	struct tl_pstat	 ev;		/* EV moments */
	double		 nhit, hits;	/* outcomes with hit, hits */
};

/* A signal's or a pair's statistics per horizon index. */
struct hrow {
	struct hstat	 h[MAX_HORIZONS];
};

struct pair {
	size_t		 a, b;		/* groups, a < b in group order */
	struct hrow	*st;
};

struct horizon {
	double		 hs[MAX_HORIZONS];	/* distinct horizons, seconds */
	size_t		 nh;
	int		 over;		/* more horizons than MAX_HORIZONS */
	struct tl_map	*pmap;		/* (a, b) -> pair index */
	struct pair	*pairs;
	size_t		 np, pcap;
	size_t		*fired;		/* scratch: groups of one record */
};

/* Group accumulators hold a pointer: rows are big and most groups few. */
struct hgacc {
	struct hrow	*st;
};

int
tl_horizon_init(struct tl_policy *p, struct tl_err *err)
{
	const struct tl_policy_opts *o = p->o;
	struct horizon *h;

	if (!(o->level > 0 && o->level < 1))
		return tl_err_set(err, TL_EX_USAGE, "--level", 0, "%g is not "
		    "in (0, 1)", o->level);
	h = tl_xcalloc(1, sizeof(*h));
	h->pmap = tl_map_alloc();
	h->fired = tl_xcalloc(MAX_FIRED, sizeof(size_t));
	p->eng = h;
	p->dflt = isnan(o->dflt) ? 0 : o->dflt;
	tl_pgroups_init(&p->gs, sizeof(struct hgacc));
	tl_pgroups_get(&p->gs, NULL, 0, NULL, 0);
	return 0;
}

static void
hstat_add(struct hstat *s, const struct tl_prow *r)
{
	tl_pstat_add(&s->ev, r->ev);
	if (r->hit >= 0) {
		s->nhit++;
		s->hits += r->hit;
	}
}

static struct hrow *
group_row(struct tl_policy *p, size_t i)
{
	struct hgacc *a = tl_pgroups_acc(&p->gs, i);

	if (a->st == NULL)
		a->st = tl_xcalloc(1, sizeof(struct hrow));
	return a->st;
}

void
tl_horizon_observe(struct tl_policy *p, const struct tl_prow *r)
{
	struct horizon *h = p->eng;
	const char *nm = r->names;
	struct pair *pr;
	uintptr_t *slot;
	size_t k, j, hi, nf = 0, key[2], i, len;
	int added;

	for (hi = 0; hi < h->nh && h->hs[hi] != r->hs; hi++)
		;
	if (hi == h->nh) {
		if (h->nh == MAX_HORIZONS) {
			h->over++;	/* counted, reported by finish */
			return;
		}
		h->hs[h->nh++] = r->hs;
	}
	hstat_add(&group_row(p, 0)->h[hi], r);
	for (k = 0; k < r->nnames; k++, nm += len + 1) {
		len = strlen(nm);
		i = tl_pgroups_get(&p->gs, nm, len, NULL, 0);
		hstat_add(&group_row(p, i)->h[hi], r);
		/* the same name twice in one record counts once for pairs */
		for (j = 0; j < nf && h->fired[j] != i; j++)
			;
		if (j == nf && nf < MAX_FIRED)
			h->fired[nf++] = i;
	}
	for (k = 0; k < nf; k++)
		for (j = k + 1; j < nf; j++) {
			key[0] = h->fired[k] < h->fired[j] ? h->fired[k] :
			    h->fired[j];
			key[1] = h->fired[k] < h->fired[j] ? h->fired[j] :
			    h->fired[k];
			slot = tl_map_put(h->pmap, key, sizeof(key), &added);
			if (added) {
				if (h->np == h->pcap) {
					h->pcap = h->pcap ? 2 * h->pcap : 16;
					h->pairs = tl_xreallocarray(h->pairs,
					    h->pcap, sizeof(*h->pairs));
				}
				pr = &h->pairs[h->np];
				pr->a = key[0];
				pr->b = key[1];
				pr->st = tl_xcalloc(1, sizeof(struct hrow));
				*slot = h->np++;
			}
			hstat_add(&h->pairs[*slot].st->h[hi], r);
		}
}

/* Half the width of the interval of s's mean. */
static double
halfwidth(const struct hstat *s, double z)
{
	double v = tl_pstat_var(&s->ev);

	return s->ev.n >= 2 ? z * sqrt(v / s->ev.n) : NAN;
}

static json_t *
hname(double hs)
{
	char buf[TL_DUR_BUFSZ];

	if (hs == 0)
		return json_string("none");
	tl_dur_format(buf, hs);
	return json_string(buf);
}

/* Horizon indices in increasing seconds. */
static void
horizon_order(const struct horizon *h, size_t *ix)
{
	size_t i, j, t;

	for (i = 0; i < h->nh; i++)
		ix[i] = i;
	for (i = 1; i < h->nh; i++)
		for (j = i; j > 0 && h->hs[ix[j - 1]] > h->hs[ix[j]]; j--) {
			t = ix[j];
			ix[j] = ix[j - 1];
			ix[j - 1] = t;
		}
}

static int
cmp_pair(const void *x, const void *y, const size_t *rank)
{
	const struct pair *a = x, *b = y;

	if (rank[a->a] != rank[b->a])
		return rank[a->a] < rank[b->a] ? -1 : 1;
	if (rank[a->b] != rank[b->b])
		return rank[a->b] < rank[b->b] ? -1 : 1;
	return 0;
}

/* The pairs in the groups' sorted order (insertion sort on ranks: pairs
 * are few). */
static void
pairs_sort(struct horizon *h, const size_t *rank)
{
	struct pair t;
	size_t i, j;

	for (i = 1; i < h->np; i++)
		for (j = i; j > 0 && cmp_pair(&h->pairs[j - 1], &h->pairs[j],
		    rank) > 0; j--) {
			t = h->pairs[j];
			h->pairs[j] = h->pairs[j - 1];
			h->pairs[j - 1] = t;
		}
}

static json_t *
pair_facts(struct tl_policy *p, const struct pair *pr, const size_t *hix,
    double z, json_t *pairs)
{
	struct horizon *h = p->eng;
	const struct hrow *ra = group_row(p, pr->a), *rb = group_row(p, pr->b);
	const struct hstat *s;
	double na, nb, ea, eb, lo, best = -INFINITY, blift = NAN, bh = 0;
	json_t *f, *hs, *x;
	char key[1024];
	size_t k, j;

	hs = json_array();
	for (k = 0; k < h->nh; k++) {
		j = hix[k];
		s = &pr->st->h[j];
		if (s->ev.n == 0)
			continue;
		na = ra->h[j].ev.n - s->ev.n;
		nb = rb->h[j].ev.n - s->ev.n;
		ea = na > 0 ? (ra->h[j].ev.sum - s->ev.sum) / na : NAN;
		eb = nb > 0 ? (rb->h[j].ev.sum - s->ev.sum) / nb : NAN;
		lo = s->ev.mean - halfwidth(s, z);
		x = json_pack("{s:o,s:f,s:I,s:o,s:o,s:o,s:I,s:o,s:I,s:o,s:o}",
		    "horizon", hname(h->hs[j]), "horizon_s", h->hs[j], "n_both",
		    (json_int_t)s->ev.n, "ev_both", tl_pnum(s->ev.mean),
		    "ev_both_lo", tl_pnum(lo), "ev_both_hi",
		    tl_pnum(s->ev.mean + halfwidth(s, z)), "n_a_alone",
		    (json_int_t)na, "ev_a_alone", tl_pnum(ea), "n_b_alone",
		    (json_int_t)nb, "ev_b_alone", tl_pnum(eb), "lift",
		    tl_pnum(s->ev.mean - fmax(ea, eb)));
		json_array_append_new(hs, x);
		if (s->ev.n >= (double)p->o->min_obs && s->ev.mean > best) {
			best = s->ev.mean;
			bh = h->hs[j];
			blift = lo > fmax(ea, eb) ? s->ev.mean - fmax(ea, eb) :
			    NAN;
		}
	}
	f = json_pack("{s:s,s:s,s:[s,s],s:o}", "policy", p->k->name, "scope",
	    "pair", "signals", p->gs.g[pr->a].key, p->gs.g[pr->b].key,
	    "horizons", hs);
	if (!isnan(blift)) {
		snprintf(key, sizeof(key), "%s+%s", p->gs.g[pr->a].key,
		    p->gs.g[pr->b].key);
		json_object_set_new(pairs, key, json_pack("{s:o,s:f,s:f}",
		    "horizon", hname(bh), "horizon_s", bh, "lift", blift));
	}
	json_object_set_new(f, "adds_value", json_boolean(!isnan(blift)));
	return f;
}

int
tl_horizon_finish(struct tl_policy *p, json_t *pol, json_t *facts,
    struct tl_err *err)
{
	const struct tl_policy_opts *o = p->o;
	struct horizon *h = p->eng;
	size_t *rank, hix[MAX_HORIZONS], t, i, k, j, jb, nmax;
	double z, learned, value, best;
	const struct hstat *s;
	const struct hrow *row;
	json_t *f, *hs, *pairs;
	char why[160];

	if (h->over > 0)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "more than %d "
		    "distinct horizons", MAX_HORIZONS);
	z = gsl_cdf_ugaussian_Pinv(0.5 + o->level / 2);
	tl_policy_settings(pol, json_pack("{s:f,s:s}", "level", o->level,
	    "by", o->by));
	horizon_order(h, hix);
	rank = tl_xcalloc(p->gs.n, sizeof(size_t));
	for (t = 0; t < p->norder; t++) {
		i = p->order[t];
		rank[i] = t;
		row = group_row(p, i);
		hs = json_array();
		jb = MAX_HORIZONS;
		best = -INFINITY;
		nmax = 0;
		for (k = 0; k < h->nh; k++) {
			j = hix[k];
			s = &row->h[j];
			if (s->ev.n == 0)
				continue;
			json_array_append_new(hs, json_pack("{s:o,s:f,s:I,s:o,"
			    "s:o,s:o,s:o}", "horizon", hname(h->hs[j]),
			    "horizon_s", h->hs[j], "n", (json_int_t)s->ev.n,
			    "ev", tl_pnum(s->ev.mean), "ev_lo",
			    tl_pnum(s->ev.mean - halfwidth(s, z)), "ev_hi",
			    tl_pnum(s->ev.mean + halfwidth(s, z)), "hit_rate",
			    tl_pnum(s->nhit > 0 ? s->hits / s->nhit : NAN)));
			if ((size_t)s->ev.n > nmax)
				nmax = (size_t)s->ev.n;
			if (s->ev.n >= (double)o->min_obs &&
			    s->ev.mean > best) {
				best = s->ev.mean;
				jb = j;
			}
		}
		learned = NAN;
		snprintf(why, sizeof(why), "no horizon has %ld outcomes",
		    o->min_obs);
		if (jb < MAX_HORIZONS) {
			s = &row->h[jb];
			if (s->ev.mean - halfwidth(s, z) > 0) {
				learned = h->hs[jb];
				snprintf(why, sizeof(why), "the highest EV, "
				    "its lower bound above 0");
			} else {
				learned = 0;
				snprintf(why, sizeof(why), "no horizon's EV is "
				    "above 0 at the %g level", o->level);
			}
		}
		f = tl_policy_fact(p, i);
		tl_policy_decide(p, i, learned, nmax, 0, why, f, &value);
		json_object_set_new(f, "horizon", hname(value));
		json_object_set_new(f, "horizons", hs);
		json_array_append_new(facts, f);
		p->extra[i] = json_pack("{s:o}", "horizon", hname(value));
	}
	pairs = json_object();
	pairs_sort(h, rank);
	for (k = 0; k < h->np; k++)
		json_array_append_new(facts, pair_facts(p, &h->pairs[k], hix,
		    z, pairs));
	json_object_set_new(pol, "pairs", pairs);
	free(rank);
	return 0;
}

void
tl_horizon_release(struct tl_policy *p)
{
	struct horizon *h = p->eng;
	struct hgacc *a;
	size_t i;

	for (i = 0; i < p->gs.n; i++) {
		a = tl_pgroups_acc(&p->gs, i);
		free(a->st);
	}
	for (i = 0; i < h->np; i++)
		free(h->pairs[i].st);
	free(h->pairs);
	free(h->fired);
	tl_map_free(h->pmap);
	free(h);
	p->eng = NULL;
}
