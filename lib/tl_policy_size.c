/*
 * Sizing multipliers per conviction bucket by fractional Kelly.  For the
 * executed trades of bucket k, x = net P&L per unit risked (risk, else
 * notional) has mean mu_k and variance sigma_k^2; the growth-optimal
 * fraction is f*_k = mu_k / sigma_k^2 (Kelly 1956; Thorp 2006, "The
 * Kelly criterion in blackjack, sports betting and the stock market",
 * section 7, the continuous approximation).  A trade engine sizes every
 * trade at a base size times the bucket's multiplier, and the base is
 * taken to be the book's own fractional Kelly bet, so the multiplier is
 * f*_k / f*_all: the fraction of Kelly (one half, say) scales both alike
 * and cancels.  The estimate is shrunk toward the multiplier in force by
 * the evidence, m = w raw + (1 - w) current with w = n_k / (n_k + n0),
 * bounded to [min, max] and then held to the common rule (--min-obs,
 * --max-change).  Counterfactual trades were never sized and are not
 * read.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_num.h"
#include "tl_policy.h"
#include "tl_policy_int.h"
#include "tl_util.h"

struct size {
	size_t		 nb;		/* buckets: nbuckets + 1 */
	size_t		*group;		/* group of each bucket */
};

double
tl_size_raw(double mu_k, double var_k, double mu_all, double var_all,
    double min)
{
	double fall, fk;

	if (!(var_all > 0) || !(var_k > 0))
		return NAN;
	fall = mu_all / var_all;
	if (!(fall > 0))
		return NAN;
	fk = mu_k / var_k;
	return fk > 0 ? fk / fall : min;
}

int
tl_size_init(struct tl_policy *p, struct tl_err *err)
{
	const struct tl_policy_opts *o = p->o;
	char name[2 * TL_NUM_BUFSZ + 2], lo[TL_NUM_BUFSZ], hi[TL_NUM_BUFSZ];
	struct size *s;
	size_t b;

	if (!(o->min_mult > 0) || !(o->max_mult >= o->min_mult))
		return tl_err_set(err, TL_EX_USAGE, "--bounds", 0, "%g,%g: "
		    "need 0 < min <= max", o->min_mult, o->max_mult);
	for (b = 0; b < o->nbuckets; b++)
		if (!(o->buckets[b] > 0 && o->buckets[b] < 1) ||
		    (b > 0 && !(o->buckets[b] > o->buckets[b - 1])))
			return tl_err_set(err, TL_EX_USAGE, "--buckets", 0,
			    "edges must increase inside (0, 1)");
	s = tl_xcalloc(1, sizeof(*s));
	p->eng = s;
	p->dflt = isnan(o->dflt) ? 1 : o->dflt;
	s->nb = o->nbuckets + 1;
	s->group = tl_xcalloc(s->nb, sizeof(size_t));
	tl_pgroups_init(&p->gs, sizeof(struct tl_pstat));
	tl_pgroups_get(&p->gs, NULL, 0, NULL, 0);
	/* every bucket, traded or not, by the name of its range */
	for (b = 0; b < s->nb; b++) {
		tl_fmt_double(lo, b == 0 ? 0 : o->buckets[b - 1]);
		tl_fmt_double(hi, b == o->nbuckets ? 1 : o->buckets[b]);
		snprintf(name, sizeof(name), "%s-%s", lo, hi);
		s->group[b] = tl_pgroups_get(&p->gs, name, strlen(name), NULL,
		    0);
	}
	return 0;
}

void
tl_size_observe(struct tl_policy *p, const struct tl_prow *r)
{
	const struct tl_policy_opts *o = p->o;
	struct size *s = p->eng;
	size_t lo = 0, hi = o->nbuckets, mid;
	double x = r->net / r->risk;

	/* the bucket: the number of edges at or below the conviction */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (o->buckets[mid] <= r->conv)
			lo = mid + 1;
		else
			hi = mid;
	}
	tl_pstat_add(tl_pgroups_acc(&p->gs, 0), x);
	tl_pstat_add(tl_pgroups_acc(&p->gs, s->group[lo]), x);
}

int
tl_size_finish(struct tl_policy *p, json_t *pol, json_t *facts,
    struct tl_err *err)
{
	const struct tl_policy_opts *o = p->o;
	const struct tl_pstat *all = tl_pgroups_acc(&p->gs, 0), *a;
	double raw, w, cur, learned, value, var, kelly;
	size_t t, i;
	const char *why;
	json_t *f;
	int own;

	(void)err;
	tl_policy_settings(pol, json_pack("{s:f,s:f,s:f,s:s}", "n0", o->n0,
	    "min", o->min_mult, "max", o->max_mult, "conviction",
	    o->conviction));
	for (t = 0; t < p->norder; t++) {
		i = p->order[t];
		a = tl_pgroups_acc(&p->gs, i);
		cur = tl_policy_current(p, i, &own);
		var = tl_pstat_var(a);
		kelly = var > 0 ? a->mean / var : NAN;
		raw = w = learned = NAN;
		why = NULL;
		if (i == 0)
			why = "the base size, which buckets are relative to";
		else if (a->n < 2)
			why = "fewer than 2 trades";
		else if (isnan(raw = tl_size_raw(a->mean, var, all->mean,
		    tl_pstat_var(all), o->min_mult)))
			why = "no Kelly fraction: the book's edge is not "
			    "positive or a variance is 0";
		else {
			w = a->n / (a->n + o->n0);
			learned = w * raw + (1 - w) * cur;
			learned = learned < o->min_mult ? o->min_mult :
			    learned > o->max_mult ? o->max_mult : learned;
			why = "fractional Kelly, shrunk toward the value in "
			    "force";
		}
		f = tl_policy_fact(p, i);
		tl_policy_decide(p, i, learned, (size_t)a->n, 0, why, f,
		    &value);
		json_object_set_new(f, "mean", tl_pnum(a->n > 0 ? a->mean :
		    NAN));
		json_object_set_new(f, "var", tl_pnum(var));
		json_object_set_new(f, "kelly", tl_pnum(kelly));
		json_object_set_new(f, "raw", tl_pnum(raw));
		json_object_set_new(f, "weight", tl_pnum(w));
		json_array_append_new(facts, f);
	}
	return 0;
}

void
tl_size_release(struct tl_policy *p)
{
	struct size *s = p->eng;

	free(s->group);
	free(s);
	p->eng = NULL;
}
