/*
 * Conjugate updates kept as (discounted) sufficient statistics, so that a
 * discount is one multiplication and the posterior is computed when asked.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

#include "tl_bandit.h"
#include "tl_json.h"
#include "tl_map.h"
#include "tl_num.h"
#include "tl_time.h"
#include "tl_util.h"

void
tl_beta_discount(struct tl_beta *b, double gamma)
{
	b->s *= gamma;
	b->f *= gamma;
}

void
tl_nig_discount(struct tl_nig *g, double gamma)
{
	g->n *= gamma;
	g->sx *= gamma;
	g->sxx *= gamma;
}

void
tl_beta_observe(struct tl_beta *b, double r)
{
	b->s += r;
	b->f += 1 - r;
}

void
tl_nig_observe(struct tl_nig *g, double x)
{
	g->n += 1;
	g->sx += x;
	g->sxx += x * x;
}

void
tl_nig_posterior(const struct tl_nig *g, const struct tl_nig_post *p0,
    struct tl_nig_post *p)
{
	double xbar = g->n > 0 ? g->sx / g->n : 0;
	double ss = g->n > 0 ? fmax(0, g->sxx - g->n * xbar * xbar) : 0;

	p->kappa = p0->kappa + g->n;
	p->mu = (p0->kappa * p0->mu + g->n * xbar) / p->kappa;
	p->alpha = p0->alpha + g->n / 2;
	p->beta = p0->beta + ss / 2 + p0->kappa * g->n * (xbar - p0->mu) *
	    (xbar - p0->mu) / (2 * p->kappa);
}

double
tl_beta_draw(gsl_rng *r, double a, double b)
{
	return gsl_ran_beta(r, a, b);
}

double
tl_nig_draw_mean(gsl_rng *r, const struct tl_nig_post *p)
{
	/* sigma^2 ~ InvGamma(alpha, beta), then mu ~ N(mu_n, sigma^2/kappa) */
	double var = 1 / gsl_ran_gamma(r, p->alpha, 1 / p->beta);

	return p->mu + gsl_ran_gaussian(r, sqrt(var / p->kappa));
}

double
tl_beta_prob_greater(double a1, double b1, double a2, double b2)
{
	double sum = 0;
	long i, n;

	/* Miller: P(B > A) = sum_{i < aB} B(aA+i, bA+bB) / ((bB+i)
	 * B(1+i, bB) B(aA, bA)); here B is X = (a1, b1), A is Y */
	n = (long)a1;
	if (a1 != (double)n || n < 1)
		return NAN;
	for (i = 0; i < n; i++)
		sum += exp(gsl_sf_lnbeta(a2 + (double)i, b2 + b1) -
		    log(b1 + (double)i) - gsl_sf_lnbeta(1 + (double)i, b1) -
		    gsl_sf_lnbeta(a2, b2));
	return sum;
}

static double
kl_bernoulli(double p, double q)
{
	double a = p > 0 ? p * log(p / q) : 0;
	double b = p < 1 ? (1 - p) * log((1 - p) / (1 - q)) : 0;

	return a + b;
}

double
tl_lai_robbins(const double *mu, size_t n)
{
	double best = -INFINITY, c = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (mu[i] > best)
			best = mu[i];
	for (i = 0; i < n; i++)
		if (mu[i] < best)
			c += (best - mu[i]) / kl_bernoulli(mu[i], best);
	return c;
}

void
tl_beta_observe_w(struct tl_beta *b, double r, double w)
{
	b->s += w * r;
	b->f += w * (1 - r);
}

void
tl_nig_observe_w(struct tl_nig *g, double x, double w)
{
	g->n += w;
	g->sx += w * x;
	g->sxx += w * x * x;
}

double
tl_beta_prob_below(double a, double b, double x)
{
	return gsl_cdf_beta_P(x, a, b);
}

/* The mean's marginal: t_{2 alpha}(mu, beta / (alpha kappa)). */
static double
nig_scale(const struct tl_nig_post *p)
{
	return sqrt(p->beta / (p->alpha * p->kappa));
}

double
tl_nig_prob_below(const struct tl_nig_post *p, double x)
{
	return gsl_cdf_tdist_P((x - p->mu) / nig_scale(p), 2 * p->alpha);
}

double
tl_nig_mean_quantile(const struct tl_nig_post *p, double q)
{
	return p->mu + nig_scale(p) * gsl_cdf_tdist_Pinv(q, 2 * p->alpha);
}

static double
clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* Sum of clamp(lambda t[k]) over the arms with use[k] (the others at
 * their fixed w[k]). */
static double
project_sum(const double *t, const double *lo, const double *hi,
    const double *w, const char *use, size_t n, double lambda)
{
	double s = 0;
	size_t k;

	for (k = 0; k < n; k++)
		s += use[k] ? clamp(lambda * t[k], lo[k], hi[k]) : w[k];
	return s;
}

/* Solve for lambda by bisection (the sum is continuous and monotone in
 * lambda, flat beyond the last breakpoint) and write the weights of the
 * arms with use[k]. */
static void
project_solve(const double *t, const double *lo, const double *hi,
    double *w, const char *use, size_t n, double total)
{
	double a = 0, b = 0;
	size_t k;
	int i;

	for (k = 0; k < n; k++)
		if (use[k] && t[k] > 0 && hi[k] / t[k] > b)
			b = hi[k] / t[k];
	for (i = 0; i < 200 && a < b; i++) {
		double m = a + (b - a) / 2;

		if (m <= a || m >= b)
			break;
		if (project_sum(t, lo, hi, w, use, n, m) < total)
			a = m;
		else
			b = m;
	}
	for (k = 0; k < n; k++)
		if (use[k])
			w[k] = clamp(b * t[k], lo[k], hi[k]);
}

int
tl_bandit_project(const double *t, const double *lo, const double *hi,
    size_t n, double total, double *w)
{
	double slo = 0, shi = 0, tsum = 0, top;
	double *one, *ww;
	char *use;
	size_t k;

	for (k = 0; k < n; k++) {
		slo += lo[k];
		shi += hi[k];
		tsum += t[k];
	}
	/* a relative slack for the rounding of sums of bounds */
	if (slo > total * (1 + 1e-12) || shi < total * (1 - 1e-12))
		return -1;
	one = tl_xcalloc(n + 1, sizeof(double));
	ww = tl_xcalloc(n + 1, sizeof(double));
	use = tl_xcalloc(n + 1, 1);
	for (k = 0; k < n; k++) {
		one[k] = 1;
		use[k] = tsum > 0 ? t[k] > 0 : 1;
		ww[k] = lo[k];
	}
	/* the positive targets at their upper bounds: is it enough? */
	top = 0;
	for (k = 0; k < n; k++)
		top += use[k] ? hi[k] : lo[k];
	if (top >= total)
		project_solve(tsum > 0 ? t : one, lo, hi, ww, use, n, total);
	else {
		for (k = 0; k < n; k++) {
			if (use[k])
				ww[k] = hi[k];
			use[k] = !use[k];
		}
		project_solve(one, lo, hi, ww, use, n, total);
	}
	for (k = 0; k < n; k++)
		w[k] = ww[k];
	free(use);
	free(ww);
	free(one);
	return 0;
}

/* ---- the state file of tl-bandit ------------------------------------- */

#define MS_PER_DAY	86400000

static const char *const kind_names[] = { "auto", "flags", "share", "credit",
    "votes", "value", "combo" };
const char *const tl_bandit_model_names[] = { "beta", "normal" };
const size_t tl_bandit_nmodels = TL_NELEM(tl_bandit_model_names);

const char *
tl_bandit_kind_name(enum tl_bandit_kind k)
{
	return kind_names[k];
}

int
tl_bandit_kind_parse(const char *s)
{
	return (int)tl_table_find(kind_names, TL_NELEM(kind_names),
	    sizeof(kind_names[0]), s);
}

const char *
tl_bandit_model_name(enum tl_bandit_model m)
{
	return tl_bandit_model_names[m];
}

int
tl_bandit_model_parse(const char *s)
{
	return (int)tl_table_find(tl_bandit_model_names, tl_bandit_nmodels,
	    sizeof(tl_bandit_model_names[0]), s);
}

void
tl_bandit_state_init(struct tl_bandit_state *st)
{
	memset(st, 0, sizeof(*st));
	st->armidx = tl_map_alloc();
	st->ctxidx = tl_map_alloc();
	st->discount = 1;
}

void
tl_bandit_state_release(struct tl_bandit_state *st)
{
	size_t i;

	for (i = 0; i < st->narm; i++) {
		free(st->arm[i].name);
		free(st->arm[i].ctx);
	}
	free(st->base.ctx);
	free(st->arm);
	for (i = 0; i < st->nctx; i++)
		free(st->ctxname[i]);
	free(st->ctxname);
	for (i = 0; i < st->nfields; i++)
		free(st->fields[i]);
	free(st->spec);
	free(st->reward);
	free(st->time);
	free(st->context);
	free(st->pnl);
	tl_map_free(st->armidx);
	tl_map_free(st->ctxidx);
	memset(st, 0, sizeof(*st));
}

long
tl_bandit_arm_find(struct tl_bandit_state *st, const char *name, size_t n,
    int add)
{
	struct tl_bandit_arm *a;
	uintptr_t *slot;
	int added;

	if (!add)
		return (slot = tl_map_get(st->armidx, name, n)) != NULL ?
		    (long)*slot - 1 : -1;
	slot = tl_map_put(st->armidx, name, n, &added);
	if (!added)
		return (long)*slot - 1;
	if (st->narm == st->armcap) {
		st->armcap = st->armcap ? 2 * st->armcap : 16;
		st->arm = tl_xreallocarray(st->arm, st->armcap, sizeof(*a));
	}
	a = &st->arm[st->narm];
	memset(a, 0, sizeof(*a));
	a->name = tl_xstrndup(name, n);
	*slot = ++st->narm;
	return (long)st->narm - 1;
}

size_t
tl_bandit_ctx_find(struct tl_bandit_state *st, const char *name, size_t n)
{
	uintptr_t *slot;
	int added;

	slot = tl_map_put(st->ctxidx, name, n, &added);
	if (added) {
		if (st->nctx == st->ctxcap) {
			st->ctxcap = st->ctxcap ? 2 * st->ctxcap : 8;
			st->ctxname = tl_xreallocarray(st->ctxname, st->ctxcap,
			    sizeof(char *));
		}
		st->ctxname[st->nctx] = tl_xstrndup(name, n);
		*slot = ++st->nctx;
	}
	return *slot - 1;
}

struct tl_bandit_ev *
tl_bandit_arm_ctx(struct tl_bandit_arm *a, size_t c)
{
	size_t old = a->nctx;

	if (c >= a->nctx) {
		a->nctx = c + 4;
		a->ctx = tl_xreallocarray(a->ctx, a->nctx, sizeof(*a->ctx));
		memset(a->ctx + old, 0, (a->nctx - old) * sizeof(*a->ctx));
	}
	return &a->ctx[c];
}

const struct tl_bandit_ev *
tl_bandit_arm_ctx_get(const struct tl_bandit_arm *a, size_t c)
{
	return c < a->nctx ? &a->ctx[c] : NULL;
}

static void
ev_scale(struct tl_bandit_ev *e, double f)
{
	int i;

	for (i = 0; i < 3; i++) {
		e->e[i] *= f;
		e->p[i] *= f;
	}
}

static void
arm_scale(struct tl_bandit_arm *a, double f)
{
	size_t c;

	ev_scale(&a->pooled, f);
	for (c = 0; c < a->nctx; c++)
		ev_scale(&a->ctx[c], f);
}

void
tl_bandit_state_advance(struct tl_bandit_state *st, int64_t d)
{
	double f;
	size_t i;

	if (st->has_day && d <= st->day)
		return;
	if (st->has_day && st->discount < 1) {
		f = pow(st->discount, (double)(d - st->day));
		arm_scale(&st->base, f);
		for (i = 0; i < st->narm; i++)
			arm_scale(&st->arm[i], f);
	}
	st->day = d;
	st->has_day = 1;
}

int
tl_bandit_spec_parse(struct tl_bandit_state *st, const char *spec,
    struct tl_err *err)
{
	const char *colon = strchr(spec, ':'), *p, *q = spec;
	char kind[32];
	int k = TL_BANDIT_AUTO;

	st->spec = tl_xstrdup(spec);
	p = spec;
	if (colon != NULL) {
		snprintf(kind, sizeof(kind), "%.*s", (int)(colon - spec), spec);
		if ((k = tl_bandit_kind_parse(kind)) <= TL_BANDIT_AUTO)
			return tl_err_set(err, TL_EX_USAGE, "--arms", 0,
			    "unknown kind '%s' (flags, share, credit, votes, "
			    "value or combo)", kind);
		p = colon + 1;
	}
	st->kind = (enum tl_bandit_kind)k;
	for (; st->nfields < TL_BANDIT_MAX_FIELDS; p = q + 1) {
		q = strchr(p, ',');
		if (q == NULL)
			q = p + strlen(p);
		if (q == p)
			return tl_err_set(err, TL_EX_USAGE, "--arms", 0,
			    "'%s': an empty field name", spec);
		st->fields[st->nfields++] = tl_xstrndup(p, (size_t)(q - p));
		if (*q == '\0')
			break;
	}
	if (st->nfields > 1 && st->kind != TL_BANDIT_COMBO)
		return tl_err_set(err, TL_EX_USAGE, "--arms", 0, "'%s': several "
		    "fields make a combo (combo:FIELD,FIELD...)", spec);
	if (*q != '\0')
		return tl_err_set(err, TL_EX_USAGE, "--arms", 0, "'%s': more "
		    "than %d fields", spec, TL_BANDIT_MAX_FIELDS);
	return 0;
}

int
tl_bandit_prior_check(enum tl_bandit_model m, const double *prior, size_t n,
    const char *text, struct tl_err *err)
{
	size_t i;
	int bad = n != (m == TL_BANDIT_BETA ? 2 : 4);

	for (i = 0; i < n && !bad; i++)
		bad = !isfinite(prior[i]) || (m == TL_BANDIT_BETA ?
		    prior[i] <= 0 : i > 0 && prior[i] <= 0);
	if (bad)
		return tl_err_set(err, TL_EX_USAGE, "--prior", 0, "'%s' is not "
		    "%s", text, m == TL_BANDIT_BETA ? "alpha,beta (both > 0)" :
		    "mu,kappa,alpha,beta (kappa, alpha, beta > 0)");
	return 0;
}

static json_t *
ev_json(const struct tl_bandit_state *st, const struct tl_bandit_ev *e)
{
	json_t *v = json_object();

	json_object_set_new(v, "n", json_real(e->n));
	if (st->model == TL_BANDIT_BETA) {
		json_object_set_new(v, "s", tl_json_num(e->e[0]));
		json_object_set_new(v, "f", tl_json_num(e->e[1]));
	} else {
		json_object_set_new(v, "w", tl_json_num(e->e[0]));
		json_object_set_new(v, "sx", tl_json_num(e->e[1]));
		json_object_set_new(v, "sxx", tl_json_num(e->e[2]));
	}
	if (st->pnl != NULL)
		json_object_set_new(v, "pnl", json_pack("{s:o,s:o,s:o}", "w",
		    tl_json_num(e->p[0]), "sx", tl_json_num(e->p[1]), "sxx",
		    tl_json_num(e->p[2])));
	return v;
}

static json_t *
arm_json(const struct tl_bandit_state *st, const struct tl_bandit_arm *a)
{
	static const struct tl_bandit_ev none;
	const struct tl_bandit_ev *e;
	json_t *v = ev_json(st, &a->pooled), *c;
	size_t i;

	if (st->context == NULL && !st->ctxfile)
		return v;
	c = json_object();
	for (i = 0; i < st->nctx; i++) {
		e = tl_bandit_arm_ctx_get(a, i);
		json_object_set_new(c, st->ctxname[i], ev_json(st,
		    e != NULL ? e : &none));
	}
	json_object_set_new(v, "contexts", c);
	return v;
}

json_t *
tl_bandit_state_json(const struct tl_bandit_state *st)
{
	char date[TL_TIME_BUFSZ];
	json_t *v, *s, *a, *p;
	size_t i;

	s = json_object();
	a = json_pack("{s:s,s:s,s:[]}", "spec", st->spec, "kind",
	    kind_names[st->kind], "fields");
	for (i = 0; i < st->nfields; i++)
		json_array_append_new(json_object_get(a, "fields"),
		    json_string(st->fields[i]));
	json_object_set_new(s, "arms", a);
	json_object_set_new(s, "reward", json_string(st->reward));
	json_object_set_new(s, "model",
	    json_string(tl_bandit_model_names[st->model]));
	if (st->model == TL_BANDIT_BETA)
		p = json_pack("{s:o,s:o}", "alpha", json_real(st->prior[0]),
		    "beta", json_real(st->prior[1]));
	else
		p = json_pack("{s:o,s:o,s:o,s:o}", "mu", json_real(st->prior[0]),
		    "kappa", json_real(st->prior[1]), "alpha",
		    json_real(st->prior[2]), "beta", json_real(st->prior[3]));
	json_object_set_new(s, "prior", p);
	json_object_set_new(s, "discount", json_real(st->discount));
	json_object_set_new(s, "time", json_string(st->time));
	if (st->context != NULL)
		json_object_set_new(s, "context", json_pack("{s:s,s:s}",
		    "source", "field", "field", st->context));
	else if (st->ctxfile)
		json_object_set_new(s, "context", json_pack("{s:s}", "source",
		    "file"));
	else
		json_object_set_new(s, "context", json_null());
	json_object_set_new(s, "pnl", st->pnl != NULL ? json_string(st->pnl) :
	    json_null());
	v = json_pack("{s:s,s:i}", "format", TL_BANDIT_STATE_FORMAT, "version",
	    TL_BANDIT_STATE_VERSION);
	json_object_set_new(v, "settings", s);
	json_object_set_new(v, "updates", json_integer(st->updates));
	json_object_set_new(v, "outcomes", json_real(st->outcomes));
	if (st->has_day) {
		tl_time_format_date(date, st->day * MS_PER_DAY);
		json_object_set_new(v, "day", json_string(date));
	} else
		json_object_set_new(v, "day", json_null());
	json_object_set_new(v, "baseline", arm_json(st, &st->base));
	a = json_object();
	for (i = 0; i < st->narm; i++)
		json_object_set_new(a, st->arm[i].name, arm_json(st,
		    &st->arm[i]));
	json_object_set_new(v, "arms", a);
	return v;
}

/* Ranges of the numbers of a state file. */
enum range { R_FINITE, R_NONNEG, R_POSITIVE, R_DISCOUNT };
static const char *const range_text[] = { "a finite number",
    "a number >= 0", "a number > 0", "a number in (0, 1] (as --discount)" };

/* The number at key of obj, in range r, into *x; -1 with err naming
 * what (NULL: the top level) and key. */
static int
get_num(const json_t *obj, const char *key, enum range r, double *x,
    const char *path, const char *what, struct tl_err *err)
{
	json_t *v = json_object_get(obj, key);
	double d = json_number_value(v);
	int ok = json_is_number(v) && isfinite(d);

	if (ok && r == R_NONNEG)
		ok = d >= 0;
	else if (ok && r == R_POSITIVE)
		ok = d > 0;
	else if (ok && r == R_DISCOUNT)
		ok = d > 0 && d <= 1;
	if (!ok)
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "%s%s'%s' must "
		    "be %s", what != NULL ? what : "", what != NULL ? ": " : "",
		    key, range_text[r]);
	*x = d;
	return 0;
}

static int
ev_load(const struct tl_bandit_state *st, const json_t *v,
    struct tl_bandit_ev *e, const char *path, const char *what,
    struct tl_err *err)
{
	static const char *const beta[] = { "s", "f" };
	static const char *const normal[] = { "w", "sx", "sxx" };
	static const enum range nrange[] = { R_NONNEG, R_FINITE, R_NONNEG };
	char pwhat[600];
	json_t *p;
	size_t i;

	memset(e, 0, sizeof(*e));
	if (!json_is_object(v))
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "%s: expected an "
		    "object", what);
	if (get_num(v, "n", R_NONNEG, &e->n, path, what, err) == -1)
		return -1;
	for (i = 0; st->model == TL_BANDIT_BETA && i < TL_NELEM(beta); i++)
		if (get_num(v, beta[i], R_NONNEG, &e->e[i], path, what,
		    err) == -1)
			return -1;
	for (i = 0; st->model == TL_BANDIT_NORMAL && i < TL_NELEM(normal);
	    i++)
		if (get_num(v, normal[i], nrange[i], &e->e[i], path, what,
		    err) == -1)
			return -1;
	if (st->pnl == NULL || (p = json_object_get(v, "pnl")) == NULL)
		return 0;
	snprintf(pwhat, sizeof(pwhat), "%s pnl", what);
	for (i = 0; i < TL_NELEM(normal); i++)
		if (get_num(p, normal[i], nrange[i], &e->p[i], path, pwhat,
		    err) == -1)
			return -1;
	return 0;
}

static int
arm_load(struct tl_bandit_state *st, const json_t *v,
    struct tl_bandit_arm *a, const char *path, const char *name,
    struct tl_err *err)
{
	const char *key;
	char what[512];
	json_t *c, *cv;

	snprintf(what, sizeof(what), "arm '%s'", name);
	if (ev_load(st, v, &a->pooled, path, what, err) == -1)
		return -1;
	c = json_object_get(v, "contexts");
	if (c != NULL && !json_is_object(c))
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "%s: 'contexts' "
		    "must be an object", what);
	json_object_foreach(c, key, cv) {
		snprintf(what, sizeof(what), "arm '%s' context '%s'", name,
		    key);
		if (ev_load(st, cv, tl_bandit_arm_ctx(a, tl_bandit_ctx_find(st,
		    key, strlen(key))), path, what, err) == -1)
			return -1;
	}
	return 0;
}

static char *
strfield(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL && *s != '\0' ? tl_xstrdup(s) : NULL;
}

/* The arms settings: the spec parsed as -a parses it must give the kind
 * (or, from a spec without one, the kind the first record chose) and the
 * fields the file has. */
static int
arms_load(struct tl_bandit_state *st, const json_t *a, const char *path,
    struct tl_err *err)
{
	struct tl_bandit_state spec;
	const json_t *x = json_object_get(a, "fields");
	const char *kind = json_string_value(json_object_get(a, "kind"));
	size_t i;
	int k, rc = 0;

	st->spec = strfield(a, "spec");
	k = kind != NULL ? tl_bandit_kind_parse(kind) : -1;
	if (st->spec == NULL || k < 0 || !json_is_array(x) ||
	    json_array_size(x) == 0 || json_array_size(x) >
	    TL_BANDIT_MAX_FIELDS)
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "settings: arms: "
		    "spec, kind or fields missing or wrong");
	st->kind = (enum tl_bandit_kind)k;
	for (i = 0; i < json_array_size(x); i++) {
		if (!json_is_string(json_array_get(x, i)))
			return tl_err_set(err, TL_EX_DATAERR, path, 0,
			    "settings: arms fields must be strings");
		st->fields[st->nfields++] = tl_xstrdup(json_string_value(
		    json_array_get(x, i)));
	}
	tl_bandit_state_init(&spec);
	if (tl_bandit_spec_parse(&spec, st->spec, err) == -1)
		rc = tl_err_set(err, TL_EX_DATAERR, path, 0, "settings: arms "
		    "spec %s", err->msg);
	else if ((spec.kind != TL_BANDIT_AUTO ? st->kind != spec.kind :
	    st->kind == TL_BANDIT_CREDIT || st->kind == TL_BANDIT_COMBO) ||
	    spec.nfields != st->nfields)
		rc = tl_err_set(err, TL_EX_DATAERR, path, 0, "settings: arms "
		    "spec '%s' does not give kind '%s' and %zu field%s",
		    st->spec, kind, st->nfields, st->nfields == 1 ? "" : "s");
	for (i = 0; rc == 0 && i < st->nfields; i++)
		if (strcmp(spec.fields[i], st->fields[i]) != 0)
			rc = tl_err_set(err, TL_EX_DATAERR, path, 0, "settings: "
			    "arms spec '%s' does not read field '%s'",
			    st->spec, st->fields[i]);
	tl_bandit_state_release(&spec);
	return rc;
}

/* The prior of the model, checked as --prior is. */
static int
prior_load(struct tl_bandit_state *st, const json_t *x, const char *path,
    struct tl_err *err)
{
	static const char *const beta[] = { "alpha", "beta" };
	static const char *const normal[] = { "mu", "kappa", "alpha", "beta" };
	const char *const *keys = st->model == TL_BANDIT_BETA ? beta : normal;
	size_t i, n = st->model == TL_BANDIT_BETA ? TL_NELEM(beta) :
	    TL_NELEM(normal);
	char num[TL_NUM_BUFSZ];
	struct tl_buf text;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++)
		rc = get_num(x, keys[i], R_FINITE, &st->prior[i], path,
		    "settings: prior", err);
	if (rc == -1)
		return -1;
	tl_buf_init(&text);
	for (i = 0; i < n; i++) {
		if (i > 0)
			tl_buf_addc(&text, ',');
		tl_fmt_double(num, st->prior[i]);
		tl_buf_adds(&text, num);
	}
	if (tl_bandit_prior_check(st->model, st->prior, n, text.data,
	    err) == -1)
		rc = tl_err_set(err, TL_EX_DATAERR, path, 0, "settings: prior "
		    "%s", err->msg);
	tl_buf_release(&text);
	return rc;
}

static int
settings_load(struct tl_bandit_state *st, const json_t *s, const char *path,
    struct tl_err *err)
{
	const char *model;
	json_t *x;
	int m;

	if (!json_is_object(s))
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "settings: "
		    "expected an object");
	if (arms_load(st, json_object_get(s, "arms"), path, err) == -1)
		return -1;
	st->reward = strfield(s, "reward");
	st->time = strfield(s, "time");
	if (st->reward == NULL || st->time == NULL)
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "settings: "
		    "reward and time must be field names");
	model = json_string_value(json_object_get(s, "model"));
	if (model == NULL || (m = tl_bandit_model_parse(model)) < 0)
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "settings: "
		    "unknown model");
	st->model = (enum tl_bandit_model)m;
	if (prior_load(st, json_object_get(s, "prior"), path, err) == -1 ||
	    get_num(s, "discount", R_DISCOUNT, &st->discount, path,
	    "settings", err) == -1)
		return -1;
	x = json_object_get(s, "context");
	if (json_is_object(x)) {
		st->context = strfield(x, "field");
		st->ctxfile = st->context == NULL;
	} else if (!json_is_null(x))
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "settings: "
		    "context must be null or an object");
	x = json_object_get(s, "pnl");
	st->pnl = strfield(s, "pnl");
	if (!json_is_null(x) && st->pnl == NULL)
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "settings: pnl "
		    "must be null or a field name");
	return 0;
}

int
tl_bandit_state_load(struct tl_bandit_state *st, const char *path,
    struct tl_err *err)
{
	static const struct tl_format fmt = { TL_BANDIT_STATE_FORMAT, 1,
	    TL_BANDIT_STATE_VERSION };
	json_t *v, *x, *arms;
	const char *key, *day;
	int version, rc = -1;
	int64_t ms;
	long k;

	if ((v = tl_json_load_versioned(path, NULL, 0, &fmt, &version,
	    err)) == NULL)
		return -1;
	if (settings_load(st, json_object_get(v, "settings"), path, err) == -1)
		goto out;
	x = json_object_get(v, "updates");
	if (!json_is_integer(x) || json_integer_value(x) < 0 ||
	    json_integer_value(x) > LONG_MAX) {
		tl_err_set(err, TL_EX_DATAERR, path, 0, "'updates' must be an "
		    "integer >= 0");
		goto out;
	}
	st->updates = (long)json_integer_value(x);
	if (get_num(v, "outcomes", R_NONNEG, &st->outcomes, path, NULL,
	    err) == -1)
		goto out;
	x = json_object_get(v, "day");
	if ((day = json_string_value(x)) != NULL) {
		if (tl_time_parse(day, strlen(day), &ms) == -1) {
			tl_err_set(err, TL_EX_DATAERR, path, 0, "day: '%s' is "
			    "not a date", day);
			goto out;
		}
		st->day = ms / MS_PER_DAY;
		st->has_day = 1;
	} else if (!json_is_null(x)) {
		tl_err_set(err, TL_EX_DATAERR, path, 0, "day: expected a date "
		    "or null");
		goto out;
	}
	if (arm_load(st, json_object_get(v, "baseline"), &st->base, path,
	    "baseline", err) == -1)
		goto out;
	arms = json_object_get(v, "arms");
	if (!json_is_object(arms)) {
		tl_err_set(err, TL_EX_DATAERR, path, 0, "arms: expected an "
		    "object");
		goto out;
	}
	json_object_foreach(arms, key, x) {
		k = tl_bandit_arm_find(st, key, strlen(key), 1);
		if (arm_load(st, x, &st->arm[k], path, key, err) == -1)
			goto out;
	}
	rc = 0;
out:
	json_decref(v);
	return rc;
}

/* ---- posteriors of a state's evidence --------------------------------- */

/* The P&L's own weak prior (a P&L is in the trade's currency) */
static const struct tl_nig_post pnl_prior = { 0, 1, 1, 1 };

void
tl_bandit_ev_add(struct tl_bandit_ev *e, enum tl_bandit_model m, double r,
    int has_pnl, double x, double w)
{
	e->n += 1;
	if (m == TL_BANDIT_BETA) {
		e->e[0] += w * r;
		e->e[1] += w * (1 - r);
	} else {
		e->e[0] += w;
		e->e[1] += w * r;
		e->e[2] += w * r * r;
	}
	if (has_pnl) {
		e->p[0] += w;
		e->p[1] += w * x;
		e->p[2] += w * x * x;
	}
}

void
tl_bandit_post_of(const struct tl_bandit_state *st,
    const struct tl_bandit_ev *e, struct tl_bandit_post *p)
{
	static const struct tl_bandit_ev none;
	struct tl_nig nig;
	struct tl_nig_post p0;

	if (e == NULL)
		e = &none;
	p->m = st->model;
	if (st->model == TL_BANDIT_BETA) {
		p->a = st->prior[0] + e->e[0];
		p->b = st->prior[1] + e->e[1];
		return;
	}
	nig.n = e->e[0];
	nig.sx = e->e[1];
	nig.sxx = e->e[2];
	p0.mu = st->prior[0];
	p0.kappa = st->prior[1];
	p0.alpha = st->prior[2];
	p0.beta = st->prior[3];
	tl_nig_posterior(&nig, &p0, &p->g);
}

double
tl_bandit_post_mean(const struct tl_bandit_post *p)
{
	return p->m == TL_BANDIT_BETA ? p->a / (p->a + p->b) : p->g.mu;
}

double
tl_bandit_post_quantile(const struct tl_bandit_post *p, double q)
{
	return p->m == TL_BANDIT_BETA ? gsl_cdf_beta_Pinv(q, p->a, p->b) :
	    tl_nig_mean_quantile(&p->g, q);
}

double
tl_bandit_post_draw(gsl_rng *r, const struct tl_bandit_post *p)
{
	return p->m == TL_BANDIT_BETA ? tl_beta_draw(r, p->a, p->b) :
	    tl_nig_draw_mean(r, &p->g);
}

void
tl_bandit_pnl_post(const struct tl_bandit_ev *e, struct tl_nig_post *p)
{
	struct tl_nig nig = { e->p[0], e->p[1], e->p[2] };

	tl_nig_posterior(&nig, &pnl_prior, p);
}

int
tl_bandit_prior_parse(struct tl_bandit_state *st, const char *s,
    struct tl_err *err)
{
	const char *p = s;
	double x[4];
	size_t n = 0;
	char *end;

	while (n < TL_NELEM(x)) {
		errno = 0;
		x[n] = strtod(p, &end);
		if (end == p || errno != 0)
			break;
		n++;
		if (*end != ',')
			break;
		p = end + 1;
	}
	if (*end != '\0')
		n = 0;
	if (tl_bandit_prior_check(st->model, x, n, s, err) == -1)
		return -1;
	memcpy(st->prior, x, n * sizeof(double));
	return 0;
}
