/*
 * Weights, choices and kill verdicts from a tl-bandit state's posteriors.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <jansson.h>

#include "tl_bandit_weights.h"
#include "tl_map.h"
#include "tl_records.h"
#include "tl_rng.h"
#include "tl_util.h"

static void
prev_key(struct tl_buf *b, const char *ctx, const char *arm)
{
	tl_buf_reset(b);
	if (ctx != NULL)
		tl_buf_adds(b, ctx);
	tl_buf_addc(b, '\037');
	tl_buf_adds(b, arm);
}

int
tl_bandit_prev_load(struct tl_bandit_prev *p, const char *path,
    struct tl_err *err)
{
	struct tl_records *rs;
	struct tl_buf key;
	const char *arm, *ctx;
	json_t *rec, *w, *c;
	uintptr_t *slot;
	int rc;

	p->m = tl_map_alloc();
	if (path == NULL)
		return 0;
	if ((rs = tl_records_open(path, TL_FMT_AUTO, err)) == NULL)
		return -1;
	tl_buf_init(&key);
	while ((rc = tl_records_next(rs, &rec, err)) == 1) {
		arm = json_string_value(json_object_get(rec, "arm"));
		w = json_object_get(rec, "weight");
		c = json_object_get(rec, "context");
		ctx = json_string_value(c);
		if (arm == NULL || !json_is_number(w) ||
		    !(json_number_value(w) >= 0) || (c != NULL &&
		    !json_is_null(c) && ctx == NULL)) {
			rc = tl_err_set(err, TL_EX_DATAERR, tl_records_name(rs),
			    tl_records_line(rs), "a weights row needs 'arm' "
			    "(string), 'weight' (number >= 0) and 'context' "
			    "(string or null)");
			json_decref(rec);
			break;
		}
		prev_key(&key, ctx, arm);
		slot = tl_map_put(p->m, key.data, key.len, NULL);
		if (p->n == p->cap) {
			p->cap = p->cap ? 2 * p->cap : 64;
			p->w = tl_xreallocarray(p->w, p->cap, sizeof(double));
		}
		p->w[p->n] = json_number_value(w);
		*slot = ++p->n;
		json_decref(rec);
	}
	tl_buf_release(&key);
	tl_records_free(rs);
	return rc == -1 ? -1 : 0;
}

void
tl_bandit_prev_release(struct tl_bandit_prev *p)
{
	tl_map_free(p->m);
	free(p->w);
	memset(p, 0, sizeof(*p));
}

double
tl_bandit_prev_get(const struct tl_bandit_prev *p, const char *ctx,
    const char *arm)
{
	struct tl_buf key;
	uintptr_t *slot;

	if (p->m == NULL)
		return NAN;
	tl_buf_init(&key);
	prev_key(&key, ctx, arm);
	slot = tl_map_get(p->m, key.data, key.len);
	tl_buf_release(&key);
	return slot != NULL ? p->w[*slot - 1] : NAN;
}

int
tl_bandit_scope_of(const struct tl_bandit_state *st, const char *in, long *s,
    struct tl_err *err)
{
	uintptr_t *slot;

	*s = -1;
	if (in == NULL)
		return 0;
	if ((slot = tl_map_get(st->ctxidx, in, strlen(in))) == NULL)
		return tl_err_set(err, TL_EX_DATAERR, "--in", 0, "no context "
		    "'%s' in the state", in);
	*s = (long)*slot;
	return 0;
}

const char *
tl_bandit_scope_post(const struct tl_bandit_state *st,
    const struct tl_bandit_arm *a, size_t s, long min_obs,
    struct tl_bandit_post *p)
{
	const struct tl_bandit_ev *e = s > 0 ? tl_bandit_arm_ctx_get(a, s - 1) :
	    NULL;

	if (s > 0 && e != NULL && e->n >= (double)min_obs) {
		tl_bandit_post_of(st, e, p);
		return "own";
	}
	tl_bandit_post_of(st, &a->pooled, p);
	return s > 0 ? "pooled" : "own";
}

static double
clampd(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* Thompson draws of scope s: the share of draws each arm wins, and its
 * mean lift over the baseline's draw (expected improvement). */
static void
draw_scope(const struct tl_bandit_state *st, size_t s,
    const struct tl_bandit_wopts *o, const struct tl_bandit_post *p,
    struct tl_bandit_weight *w)
{
	struct tl_bandit_post base;
	size_t k, K = st->narm, best;
	double *th = tl_xcalloc(K, sizeof(double)), b;
	gsl_rng *r;
	long i;

	tl_bandit_scope_post(st, &st->base, s, o->min_obs, &base);
	r = tl_rng_alloc((uint64_t)o->seed, s);
	for (i = 0; i < o->draws; i++) {
		b = tl_bandit_post_draw(r, &base);
		for (k = 0, best = 0; k < K; k++) {
			th[k] = tl_bandit_post_draw(r, &p[k]);
			if (th[k] > th[best])
				best = k;
			if (th[k] > b)
				w[k].lift += th[k] - b;
		}
		w[best].p_best += 1;
	}
	tl_rng_free(r);
	for (k = 0; k < K; k++) {
		w[k].p_best /= (double)o->draws;
		w[k].lift /= (double)o->draws;
	}
	free(th);
}

int
tl_bandit_weights(const struct tl_bandit_state *st, size_t s,
    const struct tl_bandit_wopts *o, const struct tl_bandit_prev *pv,
    struct tl_bandit_weight *w, int *dropped, struct tl_err *err)
{
	size_t k, K = st->narm;
	struct tl_bandit_post *p;
	const struct tl_bandit_ev *e;
	const char *ctx = s > 0 ? st->ctxname[s - 1] : NULL;
	double *t, *lo, *hi, *x, d = 1 / (double)K;
	int rc = 0, fixed;

	p = tl_xcalloc(K, sizeof(*p));
	t = tl_xcalloc(K, sizeof(double));
	lo = tl_xcalloc(K, sizeof(double));
	hi = tl_xcalloc(K, sizeof(double));
	x = tl_xcalloc(K, sizeof(double));
	*dropped = 0;
	memset(w, 0, K * sizeof(*w));
	for (k = 0; k < K; k++)
		w[k].basis = tl_bandit_scope_post(st, &st->arm[k], s,
		    o->min_obs, &p[k]);
	draw_scope(st, s, o, p, w);
	for (k = 0; k < K; k++) {
		t[k] = o->pbest ? w[k].p_best : w[k].lift;
		w[k].prev = tl_bandit_prev_get(pv, ctx, st->arm[k].name);
		if (st->arm[k].pooled.n < (double)o->min_obs) {
			/* too few outcomes: the default, whatever the draws */
			lo[k] = hi[k] = clampd(d, o->wmin, o->wmax);
			w[k].basis = "default";
			continue;
		}
		lo[k] = o->wmin;
		hi[k] = o->wmax;
		if (o->change > 0 && !isnan(w[k].prev)) {
			lo[k] = fmax(o->wmin, w[k].prev * (1 - o->change));
			hi[k] = fmin(o->wmax, w[k].prev * (1 + o->change));
			if (lo[k] > hi[k]) {	/* bounds moved: they win */
				lo[k] = o->wmin;
				hi[k] = o->wmax;
			}
		}
	}
	if (tl_bandit_project(t, lo, hi, K, 1, x) == -1) {
		/* the change limit and the bounds cannot both hold */
		for (k = 0; k < K; k++) {
			fixed = lo[k] == hi[k] && st->arm[k].pooled.n <
			    (double)o->min_obs;
			if (!fixed) {
				lo[k] = o->wmin;
				hi[k] = o->wmax;
			}
		}
		if (tl_bandit_project(t, lo, hi, K, 1, x) == -1) {
			rc = tl_err_set(err, TL_EX_DATAERR, NULL, 0, "--min and "
			    "--max: the weights of %zu arms cannot sum to 1",
			    K);
			goto out;
		}
		*dropped = 1;
	}
	for (k = 0; k < K; k++) {
		w[k].weight = x[k];
		e = s > 0 ? tl_bandit_arm_ctx_get(&st->arm[k], s - 1) : NULL;
		w[k].n = s == 0 ? st->arm[k].pooled.n : e != NULL ? e->n : 0;
		w[k].mean = tl_bandit_post_mean(&p[k]);
		w[k].ci_lo = tl_bandit_post_quantile(&p[k], 0.025);
		w[k].ci_hi = tl_bandit_post_quantile(&p[k], 0.975);
	}
out:
	free(x);
	free(hi);
	free(lo);
	free(t);
	free(p);
	return rc;
}

static int
cmp_verdict(const void *a, const void *b)
{
	const struct tl_bandit_verdict *x = a, *y = b;

	if (x->p != y->p)
		return x->p < y->p ? 1 : -1;
	return x->k < y->k ? -1 : x->k > y->k;
}

size_t
tl_bandit_verdicts(const struct tl_bandit_state *st, double floor,
    double level, long min_obs, struct tl_bandit_verdict *v)
{
	const struct tl_bandit_arm *a;
	struct tl_bandit_post p;
	struct tl_nig_post pp;
	size_t k, nk = 0;

	for (k = 0; k < st->narm; k++) {
		a = &st->arm[k];
		tl_bandit_post_of(st, &a->pooled, &p);
		memset(&v[k], 0, sizeof(v[k]));
		v[k].k = k;
		v[k].mean = tl_bandit_post_mean(&p);
		v[k].mean_pnl = v[k].p_pnl_negative = NAN;
		if (st->pnl != NULL && a->pooled.p[0] > 0) {
			tl_bandit_pnl_post(&a->pooled, &pp);
			v[k].has_pnl = 1;
			v[k].mean_pnl = pp.mu;
			v[k].p_pnl_negative = tl_nig_prob_below(&pp, 0);
		}
		if (st->model == TL_BANDIT_BETA) {
			/* a win rate below the floor, and a losing mean P&L
			 * when the state has one */
			v[k].p = tl_beta_prob_below(p.a, p.b, floor);
			v[k].kill = v[k].p >= level;
			if (v[k].has_pnl)
				v[k].kill &= v[k].mean_pnl < 0;
		} else {
			v[k].p = tl_nig_prob_below(&p.g, 0);
			v[k].kill = v[k].p >= level;
		}
		v[k].kill &= a->pooled.n >= (double)min_obs;
		nk += (size_t)v[k].kill;
	}
	if (st->narm > 0)	/* qsort(NULL, 0, ...) is undefined */
		qsort(v, st->narm, sizeof(*v), cmp_verdict);
	return nk;
}
