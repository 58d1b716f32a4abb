/*
 * Pruners (see tl_prune.h): median, asynchronous successive halving and
 * Hyperband, each a pure function of the trials it is shown.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "tl_json.h"
#include "tl_num.h"
#include "tl_prune.h"
#include "tl_util.h"

#define MEDIAN_PERCENTILE	50.0	/* MedianPruner = PercentilePruner(50) */

/* The pruners by name. */
static const struct {
	const char		*name;
	enum tl_prune_kind	 kind;
} kinds[] = {
	{ "none", TL_PRUNE_NONE },
	{ "median", TL_PRUNE_MEDIAN },
	{ "halving", TL_PRUNE_HALVING },
	{ "hyperband", TL_PRUNE_HYPERBAND },
};

const char *
tl_prune_name(enum tl_prune_kind kind)
{
	size_t i;

	for (i = 0; i < TL_NELEM(kinds); i++)
		if (kinds[i].kind == kind)
			return kinds[i].name;
	return "?";
}

int
tl_prune_kind(const char *name, enum tl_prune_kind *kind)
{
	size_t i;

	for (i = 0; i < TL_NELEM(kinds); i++)
		if (strcmp(kinds[i].name, name) == 0) {
			*kind = kinds[i].kind;
			return 0;
		}
	return -1;
}

void
tl_prune_trial_init(struct tl_prune_trial *t, long id)
{
	memset(t, 0, sizeof(*t));
	t->id = id;
}

void
tl_prune_trial_release(struct tl_prune_trial *t)
{
	free(t->step);
	free(t->value);
	memset(t, 0, sizeof(*t));
}

int
tl_prune_trial_add(struct tl_prune_trial *t, long step, double v)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->step[i] == step)
			return -1;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->step = tl_xreallocarray(t->step, t->cap, sizeof(*t->step));
		t->value = tl_xreallocarray(t->value, t->cap,
		    sizeof(*t->value));
	}
	t->step[t->n] = step;
	t->value[t->n++] = v;
	return 0;
}

int
tl_prune_trial_from_json(const json_t *rec, struct tl_prune_trial *cv,
    char *why, size_t whylen)
{
	const char *key;
	json_t *iv, *v;
	size_t i;
	long step;
	char *end;

	iv = json_object_get(rec, "intermediate");
	if (iv != NULL && !json_is_object(iv))
		return snprintf(why, whylen, "field 'intermediate': expected "
		    "an object, got %s", tl_json_typename(iv)), -1;
	json_object_foreach(iv, key, v) {
		errno = 0;
		step = strtol(key, &end, 10);
		if (*key == '\0' || *end != '\0' || step < 0 || errno != 0)
			return snprintf(why, whylen, "field 'intermediate': "
			    "step '%s': expected a whole number >= 0", key), -1;
		if (!json_is_number(v) && !json_is_null(v))
			return snprintf(why, whylen, "field 'intermediate': "
			    "step %ld: expected a number, got %s", step,
			    tl_json_typename(v)), -1;
		tl_prune_trial_add(cv, step, json_is_null(v) ? NAN :
		    json_number_value(v));
	}
	iv = json_object_get(rec, "rungs");
	if (iv != NULL && (!json_is_array(iv) || json_array_size(iv) >
	    TL_PRUNE_RUNGS))
		return snprintf(why, whylen, "field 'rungs': expected an "
		    "array of at most %d numbers", TL_PRUNE_RUNGS), -1;
	json_array_foreach(iv, i, v) {
		if (!json_is_number(v) && !json_is_null(v))
			return snprintf(why, whylen, "field 'rungs': item %zu: "
			    "expected a number, got %s", i,
			    tl_json_typename(v)), -1;
		cv->rung[cv->nrung++] = json_is_null(v) ? NAN :
		    json_number_value(v);
	}
	return 0;
}

/* x as JSON: null when not finite (NaN: a report that was not a
 * number). */
static json_t *
finite_or_null(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

void
tl_prune_trial_to_json(json_t *rec, const struct tl_prune_trial *cv)
{
	char key[32];
	json_t *v;
	size_t i;

	if (cv->n > 0) {
		v = json_object();
		for (i = 0; i < cv->n; i++) {
			snprintf(key, sizeof(key), "%ld", cv->step[i]);
			json_object_set_new(v, key, finite_or_null(
			    cv->value[i]));
		}
		json_object_set_new(rec, "intermediate", v);
	}
	if (cv->nrung > 0) {
		v = json_array();
		for (i = 0; i < cv->nrung; i++)
			json_array_append_new(v, finite_or_null(cv->rung[i]));
		json_object_set_new(rec, "rungs", v);
	}
}

/* The value of t at step, or NAN if it reported none there. */
static double
value_at(const struct tl_prune_trial *t, long step, int *found)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->step[i] == step) {
			*found = 1;
			return t->value[i];
		}
	*found = 0;
	return NAN;
}

long
tl_prune_trial_last(const struct tl_prune_trial *t, double *v)
{
	long step = -1;
	size_t i;

	*v = NAN;
	for (i = 0; i < t->n; i++)
		if (t->step[i] > step) {
			step = t->step[i];
			*v = t->value[i];
		}
	return step;
}

static long
last_step(const struct tl_prune_trial *t)
{
	double v;

	return tl_prune_trial_last(t, &v);
}

/* numpy's nanpercentile, method linear (numpy 1.24, _quantile and
 * _lerp): NaNs left out, NAN if none is left; the virtual index (m - 1)
 * q / 100 between neighbours a <= b at fraction g, interpolated as
 * a + (b - a) g below g = 0.5 and as b - (b - a) (1 - g) from there, so
 * that the result rounds as numpy's does (a tie with the median decides
 * whether a trial is pruned). */
static double
nanpercentile(double *v, size_t n, double q)
{
	size_t i, m = 0, lo, hi;
	double pos, g, d;

	for (i = 0; i < n; i++)
		if (!isnan(v[i]))
			v[m++] = v[i];
	if (m == 0)
		return NAN;
	qsort(v, m, sizeof(*v), tl_cmp_double);
	pos = (double)(m - 1) * (q / 100);
	lo = (size_t)floor(pos);
	if (lo > m - 1)
		lo = m - 1;
	hi = lo + 1 < m ? lo + 1 : m - 1;
	g = pos - (double)lo;
	d = v[hi] - v[lo];
	return g >= 0.5 ? v[hi] - d * (1 - g) : v[lo] + d * g;
}

/* Optuna's _is_first_in_interval_step: no earlier report since the
 * nearest pruning step at or below step. */
static int
first_in_interval(const struct tl_prune_trial *t, long step, long warmup,
    long interval)
{
	long nearest = (step - warmup) / interval * interval + warmup;
	long second = -1;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->step[i] > second && t->step[i] != step)
			second = t->step[i];
	return second < nearest;
}

/* x and y, the two values a reason compares, into a and b (TL_NUM_BUFSZ)
 * for a person: 6 significant digits, or as many more as tell them apart
 * (the record keeps them exact). */
static void
fmt_pair(char *a, char *b, double x, double y)
{
	int sig;

	for (sig = 6; sig <= 17; sig++) {
		snprintf(a, TL_NUM_BUFSZ, "%.*g", sig, x);
		snprintf(b, TL_NUM_BUFSZ, "%.*g", sig, y);
		if (x == y || strcmp(a, b) != 0)
			return;
	}
}

static int
median(const struct tl_prune_params *p, const struct tl_prune_trial *o,
    size_t n, const struct tl_prune_trial *t, char *why, size_t whylen)
{
	double best = NAN, med, *v;
	size_t i, ncomplete = 0, m = 0;
	long step = last_step(t);
	char a[TL_NUM_BUFSZ], b[TL_NUM_BUFSZ];
	int found;

	for (i = 0; i < n; i++)
		ncomplete += o[i].complete != 0;
	if (ncomplete == 0 || ncomplete < (size_t)p->startup || step < 0 ||
	    step < p->warmup || !first_in_interval(t, step, p->warmup,
	    p->interval))
		return 0;
	for (i = 0; i < t->n; i++)	/* nanmin / nanmax */
		if (!isnan(t->value[i]) && (isnan(best) || (p->maximize ?
		    t->value[i] > best : t->value[i] < best)))
			best = t->value[i];
	if (isnan(best)) {
		snprintf(why, whylen, "median: no number up to step %ld",
		    step);
		return 1;
	}
	v = tl_xcalloc(n ? n : 1, sizeof(*v));
	for (i = 0; i < n; i++)
		if (o[i].complete) {
			double x = value_at(&o[i], step, &found);

			if (found)
				v[m++] = x;
		}
	med = (long)m < p->min_trials ? NAN : nanpercentile(v, m,
	    p->maximize ? 100 - MEDIAN_PERCENTILE : MEDIAN_PERCENTILE);
	free(v);
	if (isnan(med) || (p->maximize ? !(best < med) : !(best > med)))
		return 0;
	fmt_pair(a, b, best, med);
	snprintf(why, whylen, "median: %s %s %s, the median of %zu trial%s "
	    "at step %ld", a, p->maximize ? "<" : ">", b, m, m == 1 ? "" :
	    "s", step);
	return 1;
}

/* Successive halving over the trials of o (for Hyperband: those of t's
 * bracket), with min_resource min_res resolved. */
static int
halving(const struct tl_prune_params *p, long min_res, long rate,
    const struct tl_prune_trial *o, size_t n, struct tl_prune_trial *t,
    char *why, size_t whylen)
{
	double value, *v;
	long step = tl_prune_trial_last(t, &value), promo;
	size_t rung = t->nrung, i, m, idx;
	char a[TL_NUM_BUFSZ], b[TL_NUM_BUFSZ];
	int ok;

	if (step < 0)
		return 0;
	v = tl_xcalloc(n + 1, sizeof(*v));
	for (;;) {
		promo = min_res;
		for (i = 0; i < (size_t)rate + rung; i++)
			promo *= p->reduction;
		if (step < promo || rung >= TL_PRUNE_RUNGS) {
			free(v);
			return 0;
		}
		if (isnan(value)) {
			snprintf(why, whylen, "%s: not a number at step %ld",
			    tl_prune_name(p->kind), step);
			break;
		}
		t->rung[rung] = value;
		t->nrung = rung + 1;
		for (i = m = 0; i < n; i++)
			if (o[i].nrung > rung)
				v[m++] = o[i].rung[rung];
		v[m++] = value;
		/* the top 1/rf of the rung, at least its best */
		idx = m / (size_t)p->reduction;
		idx = idx > 0 ? idx - 1 : 0;
		qsort(v, m, sizeof(*v), tl_cmp_double);
		ok = p->maximize ? value >= v[m - 1 - idx] : value <= v[idx];
		if (!ok) {
			fmt_pair(a, b, value, p->maximize ? v[m - 1 - idx] :
			    v[idx]);
			snprintf(why, whylen, "%s: %s at step %ld not in the "
			    "top 1/%ld of rung %zu (%zu trial%s; needs %s %s)",
			    tl_prune_name(p->kind), a, step, p->reduction, rung,
			    m, m == 1 ? "" : "s", p->maximize ? ">=" : "<=", b);
			break;
		}
		rung++;
	}
	free(v);
	return 1;
}

/* Largest last step of the complete trials of o, or -1. */
static long
max_complete_step(const struct tl_prune_trial *o, size_t n)
{
	long mx = -1;
	size_t i;

	for (i = 0; i < n; i++)
		if (o[i].complete && last_step(&o[i]) > mx)
			mx = last_step(&o[i]);
	return mx;
}

static long
min_resource_of(const struct tl_prune_params *p)
{
	return p->min_resource > 0 ? p->min_resource : TL_PRUNE_MIN_HYPERBAND;
}

/* params with the defaults that depend on the kind filled in. */
static void
resolve(const struct tl_prune_params *params, struct tl_prune_params *p)
{
	*p = *params;
	if (p->reduction < 2)
		p->reduction = p->kind == TL_PRUNE_HYPERBAND ?
		    TL_PRUNE_RF_HYPERBAND : TL_PRUNE_RF_HALVING;
	if (p->interval < 1)
		p->interval = 1;
}

size_t
tl_prune_bracket(const struct tl_prune_params *params, long max_resource,
    long id, size_t *nbrackets)
{
	struct tl_prune_params q;
	long min_res = min_resource_of(params);
	size_t nb, b, s, total = 0, budget[TL_PRUNE_RUNGS];
	double rf;

	resolve(params, &q);
	rf = (double)q.reduction;
	char num[32];
	unsigned long h;
	long k;

	nb = (size_t)floor(log((double)max_resource / (double)min_res) /
	    log(rf)) + 1;
	if (nb > TL_PRUNE_RUNGS)
		nb = TL_PRUNE_RUNGS;
	if (nb < 1)
		nb = 1;
	for (b = 0; b < nb; b++) {
		s = nb - 1 - b;
		budget[b] = (size_t)ceil((double)nb * pow(rf, (double)s) /
		    (double)(s + 1));
		total += budget[b];
	}
	*nbrackets = nb;
	snprintf(num, sizeof(num), "%ld", id);
	h = crc32(0L, (const Bytef *)num, (uInt)strlen(num));
	k = (long)(h % total);
	for (b = 0; b < nb; b++) {
		k -= (long)budget[b];
		if (k < 0)
			return b;
	}
	return nb - 1;
}

static int
hyperband(const struct tl_prune_params *p, const struct tl_prune_trial *o,
    size_t n, struct tl_prune_trial *t, char *why, size_t whylen)
{
	struct tl_prune_trial *mine;
	long max_res = p->max_resource;
	size_t nb, b, i, m = 0;
	int rc;

	if (max_res <= 0) {
		if ((max_res = max_complete_step(o, n)) < 0)
			return 0;
		max_res++;
	}
	b = tl_prune_bracket(p, max_res, t->id, &nb);
	/* the trials of t's bracket: shallow copies, not owned */
	mine = tl_xcalloc(n ? n : 1, sizeof(*mine));
	for (i = 0; i < n; i++)
		if (tl_prune_bracket(p, max_res, o[i].id, &nb) == b)
			mine[m++] = o[i];
	rc = halving(p, min_resource_of(p), (long)b, mine, m, t, why,
	    whylen);
	free(mine);
	return rc;
}

int
tl_prune_check(const struct tl_prune_params *params,
    const struct tl_prune_trial *others, size_t n, struct tl_prune_trial *t,
    char *why, size_t whylen)
{
	struct tl_prune_params q, *p = &q;
	long min_res;

	resolve(params, p);
	switch (p->kind) {
	case TL_PRUNE_NONE:
		return 0;
	case TL_PRUNE_MEDIAN:
		return median(p, others, n, t, why, whylen);
	case TL_PRUNE_HALVING:
		if ((min_res = p->min_resource) <= 0) {
			/* auto: max(last step // 100, 1) of the complete */
			if ((min_res = max_complete_step(others, n)) < 0)
				return 0;
			min_res = min_res / 100 > 1 ? min_res / 100 : 1;
		}
		return halving(p, min_res, p->min_rate, others, n, t, why,
		    whylen);
	case TL_PRUNE_HYPERBAND:
		return hyperband(p, others, n, t, why, whylen);
	}
	return 0;
}
