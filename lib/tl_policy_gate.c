/*
 * The conviction gate: per strategy (and regime) the minimum conviction
 * theta at which a signal is traded, chosen to maximise the net P&L per
 * signal, J(theta) = (1/N) sum of y_i over the signals with conviction
 * c_i >= theta, where y_i is the net P&L of the trade a signal opened or,
 * for a signal the gate blocked, the counterfactual P&L of the trade it
 * would have opened; a blocked signal makes 0.  J counts every signal in
 * its denominator, so the best gate is where the signals at the margin
 * stop paying for themselves, not where the few best ones are.
 *
 * Memory is one grid of cells per group: cell j holds the count, sum and
 * variance of the y of signals with c in [j/K, (j+1)/K), and J(j/K) is a
 * suffix sum over cells.  The gate moves from the value in force theta0
 * to the best theta* only when the lower alpha bound of a bootstrap of
 * J(theta*) - J(theta0) is above 0 (Efron & Tibshirani 1993, the
 * percentile interval of ch. 13): resampling the N signals changes only
 * the signals between the two gates, so each draw takes their count per
 * cell (multinomial) and their sum from the cell's mean and variance
 * (tl_gate_boot).  A value in force between grid points is evaluated at
 * the nearest one.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "tl_par.h"
#include "tl_policy.h"
#include "tl_policy_int.h"
#include "tl_rng.h"
#include "tl_util.h"

#define STEP_TOL	1e-9	/* 1/step must be this close to an integer */
#define MAX_CELLS	100000	/* a step of at least 1e-5 */

/* One group's accumulator. */
struct gacc {
	double		 nexec;		/* executed signals */
	double		 ncf;		/* counterfactual ones */
	struct tl_pstat	 cell[];	/* k + 1 cells */
};

/* The engine's state and, at the end, each group's figures. */
struct gate {
	size_t		 k;		/* cells below 1; cell k holds c = 1 */
	const size_t	*order;		/* groups sorted (p->order) */
	size_t		*cur, *best;	/* per group: grid points */
	double		*lo, *hi;	/* the bootstrap bounds */
	int		*boot;		/* bootstrapped */
	double		*draws;		/* per worker: scratch */
	struct tl_policy *p;
};

size_t
tl_gate_cell(double c, size_t k)
{
	size_t j;

	if (!(c > 0))
		return 0;
	if (c >= 1)
		return k;
	j = (size_t)(c * (double)k);
	if (j >= k)
		j = k - 1;
	/* exact at the edges: c >= j/k and c < (j+1)/k as doubles */
	while (j + 1 < k && c >= (double)(j + 1) / (double)k)
		j++;
	while (j > 0 && c < (double)j / (double)k)
		j--;
	return j;
}

void
tl_gate_best(const double *sum, size_t k, size_t cur, size_t *best)
{
	double s = 0, top = -INFINITY;
	size_t j, d, dbest = 0;

	*best = cur;
	/* gates j = k..0: S(j) = sum of cells j..k */
	for (j = k + 1; j-- > 0;) {
		s += sum[j];
		d = j > cur ? j - cur : cur - j;
		if (s > top || (s == top && d <= dbest)) {
			top = s;
			*best = j;
			dbest = d;
		}
	}
}

void
tl_gate_boot(const double *n, const double *mean, const double *var,
    size_t k, double total, size_t from, size_t to, size_t draws,
    uint64_t seed, uint64_t stream, double *out)
{
	size_t a = from < to ? from : to, b = from < to ? to : from, j, d;
	double sign = to < from ? 1 : -1, rest, left, m, s;
	gsl_rng *r;

	(void)k;
	r = tl_rng_alloc(seed, stream);
	for (d = 0; d < draws; d++) {
		/* N draws with replacement: the count in each band cell is
		 * binomial given the draws left and the cells left */
		left = total;
		rest = total;
		s = 0;
		for (j = a; j < b && left > 0; j++) {
			if (n[j] <= 0)
				continue;
			m = n[j] >= rest ? left : (double)gsl_ran_binomial(r,
			    n[j] / rest, (unsigned int)left);
			rest -= n[j];
			left -= m;
			if (m > 0)
				s += m * mean[j] + sqrt(m * var[j]) *
				    gsl_ran_ugaussian(r);
		}
		out[d] = sign * s / total;
	}
	tl_rng_free(r);
	qsort(out, draws, sizeof(double), tl_cmp_double);
}

int
tl_gate_init(struct tl_policy *p, struct tl_err *err)
{
	const struct tl_policy_opts *o = p->o;
	struct gate *g;
	double k = 1 / o->step;

	if (!(o->step > 0) || fabs(k - round(k)) > STEP_TOL * k ||
	    round(k) > MAX_CELLS)
		return tl_err_set(err, TL_EX_USAGE, "--step", 0, "%g does not "
		    "divide 1 into at most %d cells", o->step, MAX_CELLS);
	g = tl_xcalloc(1, sizeof(*g));
	g->k = (size_t)round(k);
	g->p = p;
	p->eng = g;
	p->dflt = isnan(o->dflt) ? 0.5 : o->dflt;
	tl_pgroups_init(&p->gs, offsetof(struct gacc, cell) +
	    (g->k + 1) * sizeof(struct tl_pstat));
	tl_pgroups_get(&p->gs, NULL, 0, NULL, 0);
	return 0;
}

void
tl_gate_observe(struct tl_policy *p, const struct tl_prow *r)
{
	struct gate *g = p->eng;
	size_t cell = tl_gate_cell(r->conv, g->k), ix[3], n, l;
	struct gacc *a;

	n = tl_policy_levels(p, r, ix);
	for (l = 0; l < n; l++) {
		a = tl_pgroups_acc(&p->gs, ix[l]);
		if (r->cf)
			a->ncf++;
		else
			a->nexec++;
		tl_pstat_add(&a->cell[cell], r->net);
	}
}

/* Bootstrap task t: the group at order[t], if it needs one. */
static void
boot_task(void *ctx, size_t t, int w)
{
	struct gate *g = ctx;
	const struct tl_policy_opts *o = g->p->o;
	size_t i = g->order[t], j, nc = g->k + 1;
	const struct gacc *a = tl_pgroups_acc(&g->p->gs, i);
	double *n, *mean, *var, *d, total = a->nexec + a->ncf;

	if (!g->boot[i])
		return;
	n = tl_xcalloc(3 * nc, sizeof(double));
	mean = n + nc;
	var = mean + nc;
	for (j = 0; j < nc; j++) {
		n[j] = a->cell[j].n;
		mean[j] = a->cell[j].mean;
		var[j] = n[j] > 0 ? tl_pstat_pvar(&a->cell[j]) : 0;
	}
	d = g->draws + (size_t)w * (size_t)o->draws;
	tl_gate_boot(n, mean, var, g->k, total, g->cur[i], g->best[i],
	    (size_t)o->draws, o->seed, t, d);
	g->lo[i] = tl_quantile_sorted(d, (size_t)o->draws, o->alpha);
	g->hi[i] = tl_quantile_sorted(d, (size_t)o->draws, 1 - o->alpha);
	free(n);
}

int
tl_gate_finish(struct tl_policy *p, json_t *pol, json_t *facts,
    struct tl_err *err)
{
	const struct tl_policy_opts *o = p->o;
	struct gate *g = p->eng;
	size_t ng = p->gs.n, t, i, j, nc = g->k + 1;
	const struct gacc *a;
	double *sum, total, cur, learned, value, s_cur, s_best;
	json_t *f;
	char why[256];
	int own;

	(void)err;
	tl_policy_settings(pol, json_pack("{s:f,s:I,s:f,s:I,s:s}", "step",
	    o->step, "draws", (json_int_t)o->draws, "alpha", o->alpha, "seed",
	    (json_int_t)o->seed, "conviction", o->conviction));
	g->order = p->order;
	g->cur = tl_xcalloc(ng, sizeof(size_t));
	g->best = tl_xcalloc(ng, sizeof(size_t));
	g->lo = tl_xcalloc(ng, sizeof(double));
	g->hi = tl_xcalloc(ng, sizeof(double));
	g->boot = tl_xcalloc(ng, sizeof(int));
	sum = tl_xcalloc(nc, sizeof(double));
	/* the gates in force and the best ones, then the bootstraps */
	for (i = 0; i < ng; i++) {
		a = tl_pgroups_acc(&p->gs, i);
		cur = tl_policy_current(p, i, &own);
		g->cur[i] = (size_t)llround((cur < 0 ? 0 : cur > 1 ? 1 : cur) *
		    (double)g->k);
		for (j = 0; j < nc; j++)
			sum[j] = a->cell[j].sum;
		tl_gate_best(sum, g->k, g->cur[i], &g->best[i]);
		g->lo[i] = g->hi[i] = NAN;
		g->boot[i] = g->best[i] != g->cur[i] &&
		    a->nexec + a->ncf >= (double)o->min_obs;
	}
	g->draws = tl_xcalloc((size_t)(o->threads > 0 ? o->threads : 1) *
	    (size_t)o->draws, sizeof(double));
	tl_par_for(o->threads, p->norder, boot_task, g);
	for (t = 0; t < p->norder; t++) {
		i = g->order[t];
		a = tl_pgroups_acc(&p->gs, i);
		total = a->nexec + a->ncf;
		s_cur = s_best = 0;
		for (j = nc; j-- > 0;) {
			if (j >= g->cur[i])
				s_cur += a->cell[j].sum;
			if (j >= g->best[i])
				s_best += a->cell[j].sum;
		}
		cur = tl_policy_current(p, i, &own);
		learned = NAN;
		why[0] = '\0';
		if (total == 0)
			snprintf(why, sizeof(why), "no outcomes");
		else if (g->best[i] == g->cur[i])
			learned = cur;
		else if (g->boot[i] && g->lo[i] > 0)
			learned = (double)g->best[i] / (double)g->k;
		else if (g->boot[i])
			snprintf(why, sizeof(why), "improvement's lower %g "
			    "bound %.6g is not above 0", o->alpha, g->lo[i]);
		f = tl_policy_fact(p, i);
		tl_policy_decide(p, i, learned, (size_t)total, o->step,
		    why[0] != '\0' ? why : "improvement's lower bound above 0",
		    f, &value);
		json_object_set_new(f, "n_executed", json_integer((json_int_t)
		    a->nexec));
		json_object_set_new(f, "n_counterfactual", json_integer(
		    (json_int_t)a->ncf));
		json_object_set_new(f, "best", tl_pnum(total > 0 ?
		    (double)g->best[i] / (double)g->k : NAN));
		json_object_set_new(f, "ev_current", tl_pnum(total > 0 ?
		    s_cur / total : NAN));
		json_object_set_new(f, "ev_best", tl_pnum(total > 0 ?
		    s_best / total : NAN));
		json_object_set_new(f, "improvement", tl_pnum(total > 0 ?
		    (s_best - s_cur) / total : NAN));
		json_object_set_new(f, "improvement_lo", tl_pnum(g->lo[i]));
		json_object_set_new(f, "improvement_hi", tl_pnum(g->hi[i]));
		json_array_append_new(facts, f);
	}
	free(sum);
	return 0;
}

void
tl_gate_release(struct tl_policy *p)
{
	struct gate *g = p->eng;

	free(g->cur);
	free(g->best);
	free(g->lo);
	free(g->hi);
	free(g->boot);
	free(g->draws);
	free(g);
	p->eng = NULL;
}
