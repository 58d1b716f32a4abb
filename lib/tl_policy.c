/*
 * tl_policy's common part: the table of policies and engines, the rule
 * every learned value obeys, groups at three levels with their
 * accumulators, the --prev file, the policy file's frame (format,
 * version, asof, valid_until, default, groups, fallbacks), durations,
 * lists and the staleness check.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tl_json.h"
#include "tl_jv.h"
#include "tl_num.h"
#include "tl_panel.h"
#include "tl_policy.h"
#include "tl_policy_int.h"
#include "tl_portfolio.h"
#include "tl_time.h"
#include "tl_util.h"

#define DAY_MS		86400000LL	/* one day in milliseconds */

const struct tl_policy_kind tl_policy_kinds[] = {
	{ "gate", "tl-policy-gate", "threshold", "strategy", "regime",
	    "regimes", +1, 1, "minimum conviction to enter, per strategy "
	    "and regime" },
	{ "size", "tl-policy-size", "multiplier", "bucket", NULL, NULL, -1, 0,
	    "position size multiplier per conviction bucket" },
	{ "hold", "tl-policy-hold", "max_hold_s", "strategy", "regime",
	    "regimes", -1, 1, "maximum hold time, per strategy and regime" },
	{ "fee", "tl-policy-fee", "min_edge", "symbol", "venue", "venues", +1,
	    1, "minimum expected edge that clears costs, per symbol and "
	    "venue" },
	{ "horizon", "tl-policy-horizon", "horizon_s", "signal", NULL, NULL,
	    0, 1, "best horizon per signal, and signals that add value "
	    "together" },
	{ "breaker", "tl-policy-breaker", "state", "strategy", NULL, NULL, 0,
	    0, "normal, reduced or halted, per strategy and for the book" },
};
const size_t tl_policy_nkinds = TL_NELEM(tl_policy_kinds);

/* In the order of tl_policy_kinds. */
const struct tl_pengine tl_pengines[] = {
	{ tl_gate_init, tl_gate_observe, tl_gate_finish, tl_gate_release,
	    TL_PROWS_TRADE, 1, 1, TL_PN_STRATEGY | TL_PN_CONV | TL_PN_NET },
	{ tl_size_init, tl_size_observe, tl_size_finish, tl_size_release,
	    TL_PROWS_TRADE, 1, 0, TL_PN_CONV | TL_PN_NET | TL_PN_RISK },
	{ tl_hold_init, tl_hold_observe, tl_hold_finish, tl_hold_release,
	    TL_PROWS_TRADE, 1, 0, TL_PN_STRATEGY | TL_PN_NET | TL_PN_HOLD },
	{ tl_fee_init, tl_fee_observe, tl_fee_finish, tl_fee_release,
	    TL_PROWS_TRADE, 1, 0, TL_PN_SYMBOL | TL_PN_COST },
	{ tl_horizon_init, tl_horizon_observe, tl_horizon_finish,
	    tl_horizon_release, TL_PROWS_OUTCOME, 1, 0, 0 },
	{ tl_breaker_init, NULL, tl_breaker_finish, tl_breaker_release,
	    TL_PROWS_RETURNS, 0, 0, 0 },
};
_Static_assert(TL_NELEM(tl_pengines) == TL_NELEM(tl_policy_kinds),
    "one engine per policy");

const double tl_policy_buckets[TL_POLICY_NBUCKETS] = {
	0.5, 0.6, 0.7, 0.8, 0.9
};
const double tl_policy_grid[TL_POLICY_NGRID] = {
	300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 432000
};

const char *const tl_psettle_names[TL_PS_NSTATUS] = {
	"moved", "capped", "held", "kept"
};

json_t *
tl_pnum(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

/* ---- moments ---------------------------------------------------------- */

void
tl_pstat_add(struct tl_pstat *s, double x)
{
	double d;

	s->n += 1;
	s->sum += x;
	d = x - s->mean;
	s->mean += d / s->n;
	s->m2 += d * (x - s->mean);
}

double
tl_pstat_var(const struct tl_pstat *s)
{
	return s->n >= 2 ? s->m2 / (s->n - 1) : NAN;
}

double
tl_pstat_pvar(const struct tl_pstat *s)
{
	return s->n >= 1 ? s->m2 / s->n : NAN;
}

double
tl_quantile_sorted(const double *x, size_t n, double p)
{
	double h, f;
	size_t i;

	if (n == 0)
		return NAN;
	h = (double)(n - 1) * p;
	i = (size_t)floor(h);
	if (i >= n - 1)
		return x[n - 1];
	f = h - (double)i;
	return x[i] + f * (x[i + 1] - x[i]);
}

/* ---- the rule ----------------------------------------------------------- */

/* v rounded onto the grid of k cells toward cur: the grid point at or
 * below v when v is above cur, else at or above. */
static double
snap(double v, double cur, size_t k)
{
	size_t j = tl_gate_cell(v < 0 ? 0 : v > 1 ? 1 : v, k);

	if (v < cur && (double)j / (double)k < v && j < k)
		j++;
	return (double)j / (double)k;
}

enum tl_psettle_status
tl_policy_settle(double learned, double current, size_t n, long min_obs,
    int has_prev, double max_change, double step, double *value)
{
	double lim, v;

	*value = current;
	if (isnan(learned) || n < (size_t)min_obs)
		return TL_PS_HELD;
	if (learned == current)
		return TL_PS_KEPT;
	if (has_prev && max_change > 0 && current != 0) {
		lim = max_change * fabs(current);
		v = learned > current + lim ? current + lim :
		    learned < current - lim ? current - lim : learned;
		if (v != learned && step > 0)
			v = snap(v, current, (size_t)llround(1 / step));
		if (v != learned) {
			if ((learned > current) != (v > current) ||
			    v == current)
				return TL_PS_HELD;	/* less than a step */
			*value = v;
			return TL_PS_CAPPED;
		}
	}
	*value = learned;
	return TL_PS_MOVED;
}

/* ---- durations and lists ---------------------------------------------- */

static const struct unit {
	const char	*name;		/* suffix */
	double		 sec;		/* seconds in one */
} units[] = {
	{ "d", 86400 }, { "h", 3600 }, { "m", 60 }, { "s", 1 }, { "w", 604800 },
};

int
tl_dur_parse(const char *s, size_t n, double *sec)
{
	double x, mul = 1;
	size_t i;

	if (n > 0 && s[n - 1] >= 'a' && s[n - 1] <= 'z') {
		for (i = 0; i < TL_NELEM(units); i++)
			if (s[n - 1] == units[i].name[0])
				break;
		if (i == TL_NELEM(units))
			return -1;
		mul = units[i].sec;
		n--;
	}
	if (n == 0 || s[0] == '-' || s[0] == '+' ||
	    tl_strtod_exact(s, n, &x) == -1)
		return -1;
	x *= mul;
	if (!isfinite(x))
		return -1;
	*sec = x;
	return 0;
}

int
tl_dur_format(char *buf, double sec)
{
	char num[TL_NUM_BUFSZ];
	size_t i;

	/* the first of d, h, m that divides sec, else seconds */
	for (i = 0; i < 3; i++)
		if (sec >= units[i].sec && fmod(sec, units[i].sec) == 0)
			break;
	tl_fmt_double(num, sec / units[i].sec);
	return snprintf(buf, TL_DUR_BUFSZ, "%s%s", num, units[i].name);
}

int
tl_policy_list(const char *opt, const char *s, int dur, double lo, double hi,
    double **out, size_t *n, struct tl_err *err)
{
	const char *p = s, *comma;
	double *v = NULL, x;
	size_t k = 0, len;

	*out = NULL;
	*n = 0;
	for (;;) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if ((dur ? tl_dur_parse(p, len, &x) :
		    tl_strtod_exact(p, len, &x)) == -1 || x < lo || x > hi) {
			free(v);
			return tl_err_set(err, TL_EX_USAGE, opt, 0, "'%.*s' is "
			    "not a %s in [%g, %g]", (int)len, p, dur ?
			    "duration" : "number", lo, hi);
		}
		if (k > 0 && !(x > v[k - 1])) {
			free(v);
			return tl_err_set(err, TL_EX_USAGE, opt, 0, "'%s': "
			    "values must increase", s);
		}
		v = tl_xreallocarray(v, k + 1, sizeof(double));
		v[k++] = x;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	*out = v;
	*n = k;
	return 0;
}

/* ---- groups ------------------------------------------------------------- */

void
tl_pgroups_init(struct tl_pgroups *gs, size_t stride)
{
	memset(gs, 0, sizeof(*gs));
	gs->map = tl_map_alloc();
	gs->stride = stride;
}

void
tl_pgroups_release(struct tl_pgroups *gs)
{
	size_t i;

	for (i = 0; i < gs->n; i++) {
		free(gs->g[i].key);
		free(gs->g[i].sub);
	}
	free(gs->g);
	free(gs->acc);
	tl_map_free(gs->map);
	memset(gs, 0, sizeof(*gs));
}

void *
tl_pgroups_acc(const struct tl_pgroups *gs, size_t i)
{
	return gs->acc + i * gs->stride;
}

static size_t
group_add(struct tl_pgroups *gs, const char *key, size_t klen,
    const char *sub, size_t slen, size_t parent, int level)
{
	struct tl_pgroup *g;

	if (gs->n == gs->cap) {
		gs->cap = gs->cap ? 2 * gs->cap : 16;
		gs->g = tl_xreallocarray(gs->g, gs->cap, sizeof(*gs->g));
		gs->acc = tl_xreallocarray(gs->acc, gs->cap, gs->stride);
	}
	g = &gs->g[gs->n];
	g->key = key != NULL ? tl_xstrndup(key, klen) : NULL;
	g->sub = sub != NULL ? tl_xstrndup(sub, slen) : NULL;
	g->parent = parent;
	g->level = level;
	memset(gs->acc + gs->n * gs->stride, 0, gs->stride);
	return gs->n++;
}

size_t
tl_pgroups_get(struct tl_pgroups *gs, const char *key, size_t klen,
    const char *sub, size_t slen)
{
	char sbuf[256], *buf = sbuf;
	uintptr_t *slot;
	size_t n, parent, i;
	int added;

	if (gs->n == 0)
		group_add(gs, NULL, 0, NULL, 0, 0, 0);
	if (key == NULL)
		return 0;
	/* "1key" or "2key\0sub": levels never collide */
	n = 1 + klen + (sub != NULL ? 1 + slen : 0);
	if (n > sizeof(sbuf))
		buf = tl_xmalloc(n);
	buf[0] = sub != NULL ? '2' : '1';
	memcpy(buf + 1, key, klen);
	if (sub != NULL) {
		buf[1 + klen] = '\0';
		memcpy(buf + 2 + klen, sub, slen);
	}
	if ((slot = tl_map_get(gs->map, buf, n)) != NULL) {
		i = (size_t)*slot;
		goto out;
	}
	parent = sub != NULL ? tl_pgroups_get(gs, key, klen, NULL, 0) : 0;
	i = group_add(gs, key, klen, sub, slen, parent, sub != NULL ? 2 : 1);
	slot = tl_map_put(gs->map, buf, n, &added);
	*slot = i;
out:
	if (buf != sbuf)
		free(buf);
	return i;
}

struct gsort {
	const char	*key, *sub;	/* "" for none */
	int		 level;
	size_t		 i;
};

static int
cmp_gsort(const void *a, const void *b)
{
	const struct gsort *x = a, *y = b;
	int c;

	if ((x->level == 0) != (y->level == 0))
		return x->level == 0 ? -1 : 1;
	if ((c = strcmp(x->key, y->key)) != 0)
		return c;
	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	return strcmp(x->sub, y->sub);
}

size_t *
tl_pgroups_sorted(const struct tl_pgroups *gs)
{
	struct gsort *s;
	size_t *ix, i;

	s = tl_xcalloc(gs->n, sizeof(*s));
	for (i = 0; i < gs->n; i++) {
		s[i].key = gs->g[i].key != NULL ? gs->g[i].key : "";
		s[i].sub = gs->g[i].sub != NULL ? gs->g[i].sub : "";
		s[i].level = gs->g[i].level;
		s[i].i = i;
	}
	qsort(s, gs->n, sizeof(*s), cmp_gsort);
	ix = tl_xcalloc(gs->n, sizeof(*ix));
	for (i = 0; i < gs->n; i++)
		ix[i] = s[i].i;
	free(s);
	return ix;
}

/* ---- files -------------------------------------------------------------- */

json_t *
tl_policy_load(const char *path, size_t want, size_t *kind,
    struct tl_err *err)
{
	struct tl_format f = { NULL, TL_POLICY_VERSION, TL_POLICY_VERSION };
	const char *name;
	json_error_t je;
	json_t *v;
	size_t k = want;
	int ver;

	/* any kind: the file's own format names it (a file that cannot be
	 * read, or names none, is refused below in the one wording) */
	if (want >= tl_policy_nkinds) {
		v = tl_json_load_file(path, &je);
		name = json_string_value(json_object_get(v, "format"));
		for (k = 0; name != NULL && k < tl_policy_nkinds; k++)
			if (strcmp(name, tl_policy_kinds[k].format) == 0)
				break;
		json_decref(v);
		if (v != NULL && k >= tl_policy_nkinds)
			return tl_err_set(err, TL_EX_DATAERR,
			    tl_input_name(path), 0, "not a tl-policy file"),
			    NULL;
		if (k >= tl_policy_nkinds)
			k = 0;	/* v NULL: the loader says why */
	}
	f.name = tl_policy_kinds[k].format;
	if ((v = tl_json_load_versioned(path, NULL, 0, &f, &ver, err)) !=
	    NULL)
		*kind = k;
	return v;
}

int
tl_policy_stale(const char *path, int64_t now_ms, size_t *kind,
    int64_t *until_ms, struct tl_err *err)
{
	const char *s;
	json_t *v;
	int rc;

	if ((v = tl_policy_load(path, tl_policy_nkinds, kind, err)) == NULL)
		return -1;
	s = json_string_value(json_object_get(v, "valid_until"));
	if (s == NULL)
		rc = tl_err_set(err, TL_EX_DATAERR, path, 0, "valid_until: "
		    "missing");
	else if (tl_time_parse(s, strlen(s), until_ms) == -1)
		rc = tl_err_set(err, TL_EX_DATAERR, path, 0, "valid_until: "
		    "'%s' is not a timestamp", s);
	else
		rc = now_ms >= *until_ms;
	json_decref(v);
	return rc;
}

/* ---- the previous policy ---------------------------------------------- */

static void
prev_put(struct tl_pprev *pv, const char *key, const char *sub, double x)
{
	char buf[1024];
	uintptr_t *slot;
	int n;

	n = snprintf(buf, sizeof(buf), "%s%c%s", key, '\0', sub != NULL ?
	    sub : "");
	if (n < 0 || (size_t)n >= sizeof(buf))
		return;	/* longer names never match a group either */
	if (pv->n == pv->cap) {
		pv->cap = pv->cap ? 2 * pv->cap : 16;
		pv->val = tl_xreallocarray(pv->val, pv->cap, sizeof(double));
	}
	slot = tl_map_put(pv->map, buf, (size_t)n + (sub != NULL), NULL);
	*slot = pv->n;
	pv->val[pv->n++] = x;
}

/* The previous value of (key, sub), or NULL. */
static const double *
prev_get(const struct tl_pprev *pv, const char *key, const char *sub)
{
	char buf[1024];
	uintptr_t *slot;
	int n;

	if (!pv->have)
		return NULL;
	n = snprintf(buf, sizeof(buf), "%s%c%s", key, '\0', sub != NULL ?
	    sub : "");
	if (n < 0 || (size_t)n >= sizeof(buf))
		return NULL;
	slot = tl_map_get(pv->map, buf, (size_t)n + (sub != NULL));
	return slot != NULL ? &pv->val[*slot] : NULL;
}

/* The number member k->value of entry e (named what), into *x. */
static int
prev_value(const struct tl_policy_kind *k, const json_t *e, const char *path,
    const char *what, double *x, struct tl_err *err)
{
	const json_t *v = json_object_get(e, k->value);

	if (!json_is_object(e) || !json_is_number(v) ||
	    !isfinite(json_number_value(v)))
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "%s: expected "
		    "an object with a number '%s'", what, k->value);
	*x = json_number_value(v);
	return 0;
}

int
tl_policy_prev(struct tl_policy *p, const char *path, struct tl_err *err)
{
	const struct tl_policy_kind *k = p->k;
	const char *key, *sub;
	json_t *v, *groups, *e, *subs, *se;
	char what[600];
	size_t kind;
	double x;
	int rc = -1;

	if (p->e->rows == TL_PROWS_RETURNS)
		return tl_err_set(err, TL_EX_USAGE, "--prev", 0, "%s is "
		    "replayed from the whole history, not updated", k->name);
	if ((v = tl_policy_load(path, p->o->kind, &kind, err)) == NULL)
		return -1;
	if (prev_value(k, json_object_get(v, "default"), path, "default", &x,
	    err) == -1)
		goto out;
	p->prev.dflt = x;
	groups = json_object_get(v, "groups");
	if (!json_is_object(groups)) {
		tl_err_set(err, TL_EX_DATAERR, path, 0, "groups: expected an "
		    "object");
		goto out;
	}
	json_object_foreach(groups, key, e) {
		snprintf(what, sizeof(what), "groups: '%s'", key);
		if (prev_value(k, e, path, what, &x, err) == -1)
			goto out;
		prev_put(&p->prev, key, NULL, x);
		if (k->learned_default)	/* open groups: carried when quiet */
			tl_pgroups_get(&p->gs, key, strlen(key), NULL, 0);
		if (k->subs == NULL ||
		    (subs = json_object_get(e, k->subs)) == NULL)
			continue;
		if (!json_is_object(subs)) {
			tl_err_set(err, TL_EX_DATAERR, path, 0, "%s: '%s': "
			    "expected an object", what, k->subs);
			goto out;
		}
		json_object_foreach(subs, sub, se) {
			snprintf(what, sizeof(what), "groups: '%s': %s '%s'",
			    key, k->sub, sub);
			if (prev_value(k, se, path, what, &x, err) == -1)
				goto out;
			prev_put(&p->prev, key, sub, x);
			tl_pgroups_get(&p->gs, key, strlen(key), sub,
			    strlen(sub));
		}
	}
	p->prev.have = 1;
	rc = 0;
out:
	json_decref(v);
	return rc;
}

double
tl_policy_current(const struct tl_policy *p, size_t i, int *own)
{
	const struct tl_pgroup *g = &p->gs.g[i];
	const double *x;
	int dummy;

	*own = 0;
	if (g->level == 0) {
		*own = p->prev.have;
		return p->prev.have ? p->prev.dflt : p->dflt;
	}
	if ((x = prev_get(&p->prev, g->key, g->sub)) != NULL) {
		*own = 1;
		return *x;
	}
	return tl_policy_current(p, g->parent, &dummy);
}

const char *
tl_policy_retired(const struct tl_policy *p, const char *name)
{
	if (strcmp(p->k->key, "strategy") != 0 || name == NULL)
		return NULL;
	return tl_pf_retired_on(p->o->retired, p->o->nretired, name,
	    p->asof);
}

/* Leave the groups of retired strategies out of p->order (a group and
 * its sub-groups share the key): they are not decided, written or in
 * the facts.  Counts the strategies. */
static void
drop_retired(struct tl_policy *p)
{
	const struct tl_pgroup *g;
	size_t t, n = 0;

	for (t = 0; t < p->gs.n; t++) {
		g = &p->gs.g[p->order[t]];
		if (tl_policy_retired(p, g->key) != NULL) {
			p->cnt.retired += g->level == 1;
			continue;
		}
		p->order[n++] = p->order[t];
	}
	p->norder = n;
}

/* ---- facts and entries ------------------------------------------------ */

json_t *
tl_policy_fact(const struct tl_policy *p, size_t i)
{
	const struct tl_pgroup *g = &p->gs.g[i];
	json_t *f;

	f = json_pack("{s:s,s:s}", "policy", p->k->name, "scope",
	    g->level == 0 ? "default" : g->level == 1 ? p->k->key : p->k->sub);
	if (g->key != NULL)
		json_object_set_new(f, p->k->key, json_string(g->key));
	if (g->sub != NULL)
		json_object_set_new(f, p->k->sub, json_string(g->sub));
	return f;
}

enum tl_psettle_status
tl_policy_decide(struct tl_policy *p, size_t i, double learned, size_t n,
    double step, const char *why, json_t *f, double *value)
{
	enum tl_psettle_status st;
	char reason[256];
	double cur;
	int own, capped;

	cur = tl_policy_current(p, i, &own);
	capped = p->prev.have && p->k->fallback != 0;	/* numbers only */
	st = tl_policy_settle(learned, cur, n, p->o->min_obs, capped,
	    p->o->max_change, step, value);
	/* held for lack of observations without an entry of its own: the
	 * level above, as it is tonight (decided first: groups are decided
	 * in sorted order), the pooled fallback; held with them, for lack of
	 * evidence, it keeps the value in force it was tested against, and
	 * is written so that a level above that moved does not move it */
	if (st == TL_PS_HELD && !own && p->gs.g[i].level > 0 &&
	    n < (size_t)p->o->min_obs)
		*value = p->val[p->gs.g[i].parent];
	p->val[i] = *value;
	p->emit[i] = st != TL_PS_HELD || own || (p->gs.g[i].level > 0 &&
	    *value != p->val[p->gs.g[i].parent]);
	if (st == TL_PS_HELD && n < (size_t)p->o->min_obs)
		snprintf(reason, sizeof(reason), "%zu observations < %ld "
		    "required", n, p->o->min_obs);
	else if (st == TL_PS_HELD && isnan(learned))
		snprintf(reason, sizeof(reason), "%s", why != NULL ? why :
		    "nothing learned");
	else if (st == TL_PS_HELD)
		snprintf(reason, sizeof(reason), "change limited to %g of the "
		    "value in force: less than one grid step",
		    p->o->max_change);
	else if (st == TL_PS_CAPPED)
		snprintf(reason, sizeof(reason), "change limited to %g of the "
		    "value in force", p->o->max_change);
	else if (st == TL_PS_KEPT)
		snprintf(reason, sizeof(reason), "the value in force is the "
		    "best");
	else
		snprintf(reason, sizeof(reason), "%s", why != NULL ? why :
		    "learned");
	json_object_set_new(f, "n", json_integer((json_int_t)n));
	json_object_set_new(f, p->k->value, tl_pnum(*value));
	json_object_set_new(f, "current", tl_pnum(cur));
	json_object_set_new(f, "learned", tl_pnum(learned));
	json_object_set_new(f, "change", tl_pnum(*value - cur));
	json_object_set_new(f, "status", json_string(tl_psettle_names[st]));
	json_object_set_new(f, "reason", json_string(reason));
	p->cnt.groups++;
	if (st == TL_PS_MOVED || st == TL_PS_CAPPED)
		p->cnt.moved++;
	if (st == TL_PS_CAPPED)
		p->cnt.capped++;
	if (st == TL_PS_HELD)
		p->cnt.held++;
	if (st == TL_PS_KEPT)
		p->cnt.kept++;
	return st;
}

/* The conservative value a trade engine uses when the file is stale. */
static double
fallback(const struct tl_policy *p, double value)
{
	if (p->k->fallback > 0)
		return value > p->dflt ? value : p->dflt;
	return value < p->dflt ? value : p->dflt;
}

/* One entry: the value, its fallback and the extra members (stolen). */
static json_t *
entry(const struct tl_policy *p, double value, json_t *extra)
{
	const char *key;
	json_t *e, *x;

	e = json_object();
	json_object_set_new(e, p->k->value, tl_pnum(value));
	if (p->k->fallback != 0)
		json_object_set_new(e, "fallback", tl_pnum(fallback(p, value)));
	json_object_foreach(extra, key, x)
		json_object_set(e, key, x);
	json_decref(extra);
	return e;
}

/* Write "default" and "groups" from the values decided. */
static void
emit(struct tl_policy *p, json_t *policy)
{
	const struct tl_pgroup *g;
	json_t *groups, *e = NULL, *subs = NULL;
	size_t j, i, c;
	int any;

	groups = json_object();
	for (j = 0; j < p->norder; j++) {
		i = p->order[j];
		g = &p->gs.g[i];
		if (g->level == 0) {
			json_object_set_new(policy, "default", entry(p,
			    p->val[i], p->extra[i]));
			continue;
		}
		if (g->level == 1) {
			/* written when it or one of its sub-groups is: its
			 * sub-groups follow it in order */
			for (any = p->emit[i], c = j + 1; !any &&
			    c < p->norder && p->gs.g[p->order[c]].level == 2;
			    c++)
				any = p->emit[p->order[c]];
			e = subs = NULL;
			if (!any) {
				json_decref(p->extra[i]);
				continue;
			}
			e = entry(p, p->val[i], p->extra[i]);
			json_object_set_new(groups, g->key, e);
			continue;
		}
		if (!p->emit[i] || e == NULL) {
			json_decref(p->extra[i]);
			continue;
		}
		if (subs == NULL) {
			subs = json_object();
			json_object_set_new(e, p->k->subs, subs);
		}
		json_object_set_new(subs, g->sub, entry(p, p->val[i],
		    p->extra[i]));
	}
	json_object_set_new(policy, "groups", groups);
}

size_t
tl_policy_levels(struct tl_policy *p, const struct tl_prow *r, size_t ix[3])
{
	ix[0] = 0;
	ix[1] = tl_pgroups_get(&p->gs, r->key, r->klen, NULL, 0);
	if (r->sub == NULL)
		return 2;
	ix[2] = tl_pgroups_get(&p->gs, r->key, r->klen, r->sub, r->slen);
	return 3;
}

void
tl_policy_settings(json_t *policy, json_t *add)
{
	json_object_update(json_object_get(policy, "settings"), add);
	json_decref(add);
}

/* ---- the learner -------------------------------------------------------- */

struct tl_policy *
tl_policy_alloc(const struct tl_policy_opts *o, struct tl_err *err)
{
	struct tl_policy *p;

	if (o->kind >= tl_policy_nkinds) {
		tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "policy %zu: no such "
		    "policy", o->kind);
		return NULL;
	}
	p = tl_xcalloc(1, sizeof(*p));
	p->o = o;
	p->k = &tl_policy_kinds[o->kind];
	p->e = &tl_pengines[o->kind];
	p->prev.map = tl_map_alloc();
	p->asof_end = INT64_MAX;
	p->tmax = INT64_MIN;
	tl_buf_init(&p->arena);
	if (o->asof != NULL) {
		int64_t days;

		if (tl_panel_date_days(o->asof, &days) == -1) {
			tl_err_set(err, TL_EX_USAGE, "--asof", 0, "'%s' is not "
			    "a date (YYYY-MM-DD)", o->asof);
			tl_policy_free(p);
			return NULL;
		}
		p->asof_end = (days + 1) * DAY_MS;
	}
	if (p->e->init(p, err) == -1) {
		tl_policy_free(p);
		return NULL;
	}
	return p;
}

void
tl_policy_free(struct tl_policy *p)
{
	if (p == NULL)
		return;
	if (p->eng != NULL)
		p->e->release(p);
	tl_pgroups_release(&p->gs);
	tl_map_free(p->prev.map);
	free(p->prev.val);
	tl_buf_release(&p->arena);
	free(p->val);
	free(p->emit);
	free(p->extra);
	free(p->order);
	if (p->doc != NULL) {
		tl_jdoc_release(p->doc);
		free(p->doc);
	}
	free(p);
}

void
tl_policy_counts(const struct tl_policy *p, struct tl_policy_counts *c)
{
	*c = p->cnt;
}

void
tl_policy_observe(struct tl_policy *p, const struct tl_prow *r)
{
	if (r->t >= p->asof_end) {
		p->cnt.after_asof++;
		return;
	}
	if (r->nosig) {
		p->cnt.nosig++;
		return;
	}
	if (r->cf) {
		p->cnt.counterfactual++;
		/* counterfactual outcomes are estimates: only the gate, which
		 * is about the signals it blocked, learns from them */
		if (!p->e->cf) {
			p->cnt.skipped_cf++;
			return;
		}
	}
	if (r->t > p->tmax)
		p->tmax = r->t;
	p->seen = 1;
	p->cnt.used++;
	p->e->observe(p, r);
}

int
tl_policy_observe_text(struct tl_policy *p, const char *text, size_t len,
    const char *name, unsigned long line, struct tl_err *err)
{
	struct tl_prow r;

	if (p->e->rows == TL_PROWS_RETURNS)
		return tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "%s reads "
		    "returns, not rows", p->k->name);
	if (p->doc == NULL) {
		p->doc = tl_xmalloc(sizeof(*p->doc));
		tl_jdoc_init(p->doc);
	}
	tl_buf_reset(&p->arena);
	if (tl_jdoc_parse(p->doc, text, len, name, line, err) == -1 ||
	    tl_prow_parse(p, p->doc, &p->arena, &r, name, line, err) == -1)
		return -1;
	tl_prow_fix(&r, p->arena.data);
	p->cnt.rows++;
	tl_policy_observe(p, &r);
	return 0;
}

int
tl_policy_read(struct tl_policy *p, char *const *paths, int npaths,
    struct tl_err *err)
{
	if (p->e->rows == TL_PROWS_RETURNS)
		return tl_breaker_read(p, paths, npaths, err);
	return tl_prows_read(p, paths, npaths, err);
}

int
tl_policy_finish(struct tl_policy *p, json_t **policy, json_t **facts,
    struct tl_err *err)
{
	char until[TL_TIME_BUFSZ];
	int64_t end;
	json_t *pol, *f;

	*policy = *facts = NULL;
	if (!p->seen && p->o->asof == NULL)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "no rows in the "
		    "input (give --asof to write the values in force)");
	if (p->o->asof != NULL)
		end = p->asof_end;
	else	/* the end of the day of the latest row (floor division) */
		end = (p->tmax / DAY_MS - (p->tmax % DAY_MS < 0)) * DAY_MS +
		    DAY_MS;
	tl_time_format_date(p->asof, end - DAY_MS);
	tl_time_format(until, end + llround(p->o->valid_for * 1000));
	pol = json_pack("{s:s,s:i,s:s,s:s,s:s,s:{s:I,s:f,s:b}}", "format",
	    p->k->format, "version", TL_POLICY_VERSION, "policy", p->k->name,
	    "asof", p->asof, "valid_until", until, "settings", "min_obs",
	    (json_int_t)p->o->min_obs, "max_change", p->o->max_change,
	    "capped", p->prev.have && p->o->max_change > 0);
	f = json_array();
	tl_pgroups_get(&p->gs, NULL, 0, NULL, 0);	/* the default level */
	p->val = tl_xcalloc(p->gs.n, sizeof(*p->val));
	p->emit = tl_xcalloc(p->gs.n, sizeof(*p->emit));
	p->extra = tl_xcalloc(p->gs.n, sizeof(*p->extra));
	p->order = tl_pgroups_sorted(&p->gs);
	drop_retired(p);
	if (p->e->finish(p, pol, f, err) == -1) {
		json_decref(pol);
		json_decref(f);
		return -1;
	}
	if (p->e->emits)
		emit(p, pol);
	*policy = pol;
	*facts = f;
	return 0;
}
