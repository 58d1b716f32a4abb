/*
 * The fee gate per symbol (and venue when logged): the minimum expected
 * edge, as a fraction of notional, that covers a trade's costs (fees plus
 * slippage over notional) with probability p: the p-quantile of the
 * costs of the executed trades.  A signal whose expected edge is below
 * it would, more often than 1 - p, not even pay for its own execution.
 *
 * The quantile comes from a histogram of costs with bins of a fixed
 * relative width (TL_FEE_RATIO: 1%) from TL_FEE_MIN up, so that memory is
 * a fixed array per group whatever the number of trades, and the value
 * reported is the upper edge of the bin where the cumulative share
 * reaches p: never below the exact quantile, and above it by less than
 * 1%.  When trades log their expected edge, a second histogram by edge
 * gives the evidence: the mean net return of the trades the gate would
 * have rejected and of those it keeps.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_policy.h"
#include "tl_policy_int.h"
#include "tl_util.h"

struct facc {
	double		n;			/* trades */
	double		cost;			/* sum of costs */
	uint32_t	hist[TL_FEE_NBINS];	/* trades per cost bin */
	uint32_t	en[TL_FEE_NBINS];	/* trades per edge bin */
	double		enet[TL_FEE_NBINS];	/* their net returns */
};

double
tl_fee_edge(size_t b)
{
	return TL_FEE_MIN * pow(TL_FEE_RATIO, (double)b);
}

size_t
tl_fee_bin(double c)
{
	size_t b;

	if (!(c > TL_FEE_MIN))
		return 0;
	b = (size_t)ceil(log(c / TL_FEE_MIN) / log(TL_FEE_RATIO));
	if (b >= TL_FEE_NBINS)
		return TL_FEE_NBINS - 1;
	/* exact: edge(b - 1) < c <= edge(b), as tl_fee_edge computes them */
	while (b + 1 < TL_FEE_NBINS && c > tl_fee_edge(b))
		b++;
	while (b > 1 && c <= tl_fee_edge(b - 1))
		b--;
	return b;
}

int
tl_fee_init(struct tl_policy *p, struct tl_err *err)
{
	const struct tl_policy_opts *o = p->o;

	if (!(o->prob > 0 && o->prob < 1))
		return tl_err_set(err, TL_EX_USAGE, "--prob", 0, "%g is not in "
		    "(0, 1)", o->prob);
	p->eng = tl_xcalloc(1, 1);
	p->dflt = isnan(o->dflt) ? 0 : o->dflt;
	tl_pgroups_init(&p->gs, sizeof(struct facc));
	tl_pgroups_get(&p->gs, NULL, 0, NULL, 0);
	return 0;
}

void
tl_fee_observe(struct tl_policy *p, const struct tl_prow *r)
{
	size_t cb = tl_fee_bin(r->cost), ix[3], n, l;
	size_t eb = isnan(r->edge) || isnan(r->netret) ? SIZE_MAX :
	    tl_fee_bin(r->edge);
	struct facc *a;

	n = tl_policy_levels(p, r, ix);
	for (l = 0; l < n; l++) {
		a = tl_pgroups_acc(&p->gs, ix[l]);
		a->n++;
		a->cost += r->cost;
		a->hist[cb]++;
		if (eb != SIZE_MAX) {
			a->en[eb]++;
			a->enet[eb] += r->netret;
		}
	}
}

int
tl_fee_finish(struct tl_policy *p, json_t *pol, json_t *facts,
    struct tl_err *err)
{
	const struct tl_policy_opts *o = p->o;
	size_t t, i, b, qb;
	double cum, learned, value, bn, bs, an, as;
	const struct facc *a;
	json_t *f;

	(void)err;
	tl_policy_settings(pol, json_pack("{s:f}", "prob", o->prob));
	for (t = 0; t < p->norder; t++) {
		i = p->order[t];
		a = tl_pgroups_acc(&p->gs, i);
		/* the first bin where the share of costs reaches p */
		cum = 0;
		qb = TL_FEE_NBINS - 1;
		for (b = 0; a->n > 0 && b < TL_FEE_NBINS; b++)
			if ((cum += a->hist[b]) >= o->prob * a->n) {
				qb = b;
				break;
			}
		learned = a->n > 0 ? tl_fee_edge(qb) : NAN;
		f = tl_policy_fact(p, i);
		tl_policy_decide(p, i, learned, (size_t)a->n, 0, a->n > 0 ?
		    "the costs' quantile" : "no trades", f, &value);
		json_object_set_new(f, "mean_cost", tl_pnum(a->n > 0 ?
		    a->cost / a->n : NAN));
		json_object_set_new(f, "cost_quantile", tl_pnum(learned));
		/* the trades by expected edge, below the value and above */
		bn = bs = an = as = 0;
		for (b = 0; b < TL_FEE_NBINS; b++) {
			if (tl_fee_edge(b) <= value) {
				bn += a->en[b];
				bs += a->enet[b];
			} else {
				an += a->en[b];
				as += a->enet[b];
			}
		}
		json_object_set_new(f, "below_n", json_integer((json_int_t)bn));
		json_object_set_new(f, "below_mean_net", tl_pnum(bn > 0 ?
		    bs / bn : NAN));
		json_object_set_new(f, "above_n", json_integer((json_int_t)an));
		json_object_set_new(f, "above_mean_net", tl_pnum(an > 0 ?
		    as / an : NAN));
		json_array_append_new(facts, f);
	}
	return 0;
}

void
tl_fee_release(struct tl_policy *p)
{
	free(p->eng);
	p->eng = NULL;
}
