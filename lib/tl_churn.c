/*
 * Strategy churn plans (tl_churn.h).  The roles are drawn in a fixed
 * order, late starts and retirements first among the eligible strategies,
 * then pauses and renames among all that are left, each from a shuffle of
 * the candidates; the days are drawn after the strategies.  Nothing here
 * depends on anything but the spec, the sizes, eligible[] and r.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_churn.h"
#include "tl_rng.h"
#include "tl_util.h"


const char *const tl_churn_keys[TL_CHURN_NKIND] = { "late", "pause",
	"retire", "rename" };

/* Where in the days a role's day is drawn. */
enum { W_MIDDLE_SLICE, W_MIDDLE, W_LAST_QUARTER };

/* The roles in the order they are drawn, who may take them, where. */
static const struct {
	int		 kind;		/* TL_CHURN_* */
	int		 eligible_only;	/* among eligible[] strategies only */
	int		 window;	/* W_*: the k-th of n late starters
					 * in the k-th n-th of the middle
					 * third; a pause within the middle
					 * third; the others in the last
					 * quarter, TL_CHURN_TAIL days before
					 * the end at the latest */
	size_t		 len;		/* days without (pause), else 1 */
} draw_order[] = {
	{ TL_CHURN_LATE, 1, W_MIDDLE_SLICE, 1 },
	{ TL_CHURN_RETIRE, 1, W_LAST_QUARTER, 1 },
	{ TL_CHURN_PAUSE, 0, W_MIDDLE, TL_CHURN_PAUSE_DAYS },
	{ TL_CHURN_RENAME, 0, W_LAST_QUARTER, 1 },
};

#define LATE_SHARE	0.1	/* default share of late starters */

struct tl_churn {
	size_t		 ns;		/* strategies */
	size_t		 nd;		/* trading days */
	struct tl_churn_role *role;	/* one per strategy */
	struct tl_churn_event *ev;	/* liveness changes */
	size_t		 nev;		/* their number */
};

void
tl_churn_spec_default(struct tl_churn_spec *sp, size_t nstrat)
{
	long late = (long)((double)nstrat * LATE_SHARE + 0.5);
	int k;

	for (k = 0; k < TL_CHURN_NKIND; k++)
		sp->n[k] = 1;
	sp->n[TL_CHURN_LATE] = late < 1 ? 1 : late;
}

/* "late, pause, retire, rename" into buf. */
static void
key_list(char *buf, size_t sz)
{
	size_t k, n = 0;

	buf[0] = '\0';
	for (k = 0; k < TL_CHURN_NKIND && n < sz; k++)
		n += (size_t)snprintf(buf + n, sz - n, "%s%s", k > 0 ? ", " :
		    "", tl_churn_keys[k]);
}

int
tl_churn_spec_parse(struct tl_churn_spec *sp, const char *s,
    struct tl_err *err)
{
	char keys[64], *copy, *p, *item, *eq;
	int given[TL_CHURN_NKIND] = { 0 };
	int k, rc = 0;
	long v;

	key_list(keys, sizeof(keys));
	copy = tl_xstrdup(s);
	for (p = copy; rc == 0 && (item = strsep(&p, ",")) != NULL;) {
		if ((eq = strchr(item, '=')) == NULL) {
			rc = tl_err_set(err, TL_EX_USAGE, "--churn", 0,
			    "'%s' is not key=N (keys: %s)", item, keys);
			break;
		}
		*eq = '\0';
		for (k = 0; k < TL_CHURN_NKIND; k++)
			if (strcmp(item, tl_churn_keys[k]) == 0)
				break;
		if (k == TL_CHURN_NKIND)
			rc = tl_err_set(err, TL_EX_USAGE, "--churn", 0,
			    "unknown key '%s' (keys: %s)", item, keys);
		else if (given[k]++)
			rc = tl_err_set(err, TL_EX_USAGE, "--churn", 0,
			    "'%s' given twice", item);
		else if (tl_parse_long(item, eq + 1, 0, TL_CHURN_MAX_COUNT,
		    &v, err) == -1)
			rc = tl_err_set(err, TL_EX_USAGE, "--churn", 0,
			    "%s: %s", err->where, err->msg);
		else
			sp->n[k] = v;
	}
	free(copy);
	return rc;
}

int
tl_churn_spec_check(const struct tl_churn_spec *sp, size_t nstrat,
    size_t neligible, size_t ndays, struct tl_err *err)
{
	long total = 0, first;
	int k;

	for (k = 0; k < TL_CHURN_NKIND; k++)
		total += sp->n[k];
	if (total == 0)
		return 0;
	if (ndays < TL_CHURN_MIN_DAYS)
		return tl_err_set(err, TL_EX_USAGE, "--churn", 0, "needs "
		    "--days %d or more (a pause of %d trading days lies in "
		    "the middle third)", TL_CHURN_MIN_DAYS,
		    TL_CHURN_PAUSE_DAYS);
	if ((size_t)total >= nstrat)
		return tl_err_set(err, TL_EX_USAGE, "--churn", 0, "%ld "
		    "churned strateg%s need --strategies %ld or more (one "
		    "keeps trading throughout)", total, total == 1 ? "y" :
		    "ies", total + 1);
	first = sp->n[TL_CHURN_LATE] + sp->n[TL_CHURN_RETIRE];
	if ((size_t)first > neligible)
		return tl_err_set(err, TL_EX_USAGE, "--churn", 0, "late=%ld "
		    "and retire=%ld need %ld strategies that are never "
		    "promoted; %zu of %zu are (raise --strategies)",
		    sp->n[TL_CHURN_LATE], sp->n[TL_CHURN_RETIRE], first,
		    neligible, nstrat);
	return 0;
}

static void
shuffle(size_t *v, size_t n, gsl_rng *r)
{
	size_t i, j, t;

	for (i = n; i > 1; i--) {
		j = (size_t)tl_rng_below(r, (unsigned long)i);
		t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* A day in [lo, hi], hi >= lo. */
static size_t
day_in(gsl_rng *r, size_t lo, size_t hi)
{
	return lo + (size_t)tl_rng_below(r, (unsigned long)(hi - lo + 1));
}

/* Draw the days of the n strategies v[] given role draw_order[o]. */
static void
draw_days(struct tl_churn *c, size_t o, const size_t *v, size_t n,
    gsl_rng *r)
{
	size_t k, lo, hi, len = draw_order[o].len;
	size_t mid_lo = c->nd / 3, mid_w = 2 * c->nd / 3 - mid_lo;
	struct tl_churn_role *ro;

	for (k = 0; k < n; k++) {
		ro = &c->role[v[k]];
		if (draw_order[o].window == W_MIDDLE_SLICE) {
			lo = mid_lo + k * mid_w / n;
			hi = mid_lo + (k + 1) * mid_w / n;
			hi = hi > lo ? hi - 1 : lo;
		} else if (draw_order[o].window == W_MIDDLE) {
			lo = mid_lo;
			hi = mid_lo + mid_w - len;
		} else {
			lo = (3 * c->nd + 3) / 4;
			hi = c->nd - 1 - TL_CHURN_TAIL;
		}
		ro->day = day_in(r, lo, hi);
		ro->until = ro->day + len - 1;
	}
}

static int
cmp_event(const void *a, const void *b)
{
	const struct tl_churn_event *x = a, *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return x->strategy < y->strategy ? -1 : x->strategy > y->strategy;
}

static void
add_event(struct tl_churn *c, size_t day, size_t i)
{
	c->ev[c->nev].day = day;
	c->ev[c->nev++].strategy = i;
}

size_t *
tl_churn_with_role(const struct tl_churn *c, int kind, size_t *n)
{
	struct tl_churn_event *p;
	size_t i, *v;

	p = tl_xcalloc(c->ns + 1, sizeof(*p));
	for (*n = 0, i = 0; i < c->ns; i++)
		if (c->role[i].kind == kind) {
			p[*n].day = c->role[i].day;
			p[(*n)++].strategy = i;
		}
	qsort(p, *n, sizeof(*p), cmp_event);
	v = tl_xcalloc(*n + 1, sizeof(*v));
	for (i = 0; i < *n; i++)
		v[i] = p[i].strategy;
	free(p);
	return v;
}

/* The renamed strategies' seq by day, then index; the events. */
static void
finish(struct tl_churn *c)
{
	const struct tl_churn_role *ro;
	size_t i, n, *v;

	v = tl_churn_with_role(c, TL_CHURN_RENAME, &n);
	for (i = 0; i < n; i++)
		c->role[v[i]].seq = i;
	free(v);
	c->ev = tl_xcalloc(2 * c->ns + 1, sizeof(*c->ev));
	for (i = 0; i < c->ns; i++) {
		ro = &c->role[i];
		if (ro->kind == TL_CHURN_LATE)
			add_event(c, ro->day, i);
		else if (ro->kind == TL_CHURN_PAUSE) {
			add_event(c, ro->day, i);
			add_event(c, ro->until + 1, i);
		} else if (ro->kind == TL_CHURN_RETIRE)
			add_event(c, ro->day + 1, i);
	}
	qsort(c->ev, c->nev, sizeof(*c->ev), cmp_event);
}

struct tl_churn *
tl_churn_alloc(const struct tl_churn_spec *sp, size_t nstrat, size_t ndays,
    const unsigned char *eligible, gsl_rng *r, struct tl_err *err)
{
	struct tl_churn *c;
	size_t i, j, k, n, ne = 0, *cand;
	int kind, only;

	for (i = 0; i < nstrat; i++)
		ne += eligible[i] != 0;
	if (tl_churn_spec_check(sp, nstrat, ne, ndays, err) == -1)
		return NULL;
	c = tl_xcalloc(1, sizeof(*c));
	c->ns = nstrat;
	c->nd = ndays;
	c->role = tl_xcalloc(nstrat + 1, sizeof(*c->role));
	for (i = 0; i < nstrat; i++)
		c->role[i].kind = TL_CHURN_NONE;
	cand = tl_xcalloc(nstrat + 1, sizeof(*cand));
	for (k = 0; k < TL_NELEM(draw_order); k++) {
		kind = draw_order[k].kind;
		only = draw_order[k].eligible_only;
		for (n = 0, i = 0; i < nstrat; i++)
			if (c->role[i].kind == TL_CHURN_NONE &&
			    (!only || eligible[i]))
				cand[n++] = i;
		shuffle(cand, n, r);
		n = (size_t)sp->n[kind];	/* checked: enough */
		for (j = 0; j < n; j++)
			c->role[cand[j]].kind = kind;
		draw_days(c, k, cand, n, r);
	}
	free(cand);
	finish(c);
	return c;
}

void
tl_churn_free(struct tl_churn *c)
{
	if (c == NULL)
		return;
	free(c->role);
	free(c->ev);
	free(c);
}

const struct tl_churn_role *
tl_churn_role(const struct tl_churn *c, size_t i)
{
	return &c->role[i];
}

int
tl_churn_live(const struct tl_churn *c, size_t i, size_t d)
{
	const struct tl_churn_role *ro = &c->role[i];

	if (ro->kind == TL_CHURN_LATE)
		return d >= ro->day;
	if (ro->kind == TL_CHURN_PAUSE)
		return d < ro->day || d > ro->until;
	if (ro->kind == TL_CHURN_RETIRE)
		return d <= ro->day;
	return 1;	/* TL_CHURN_NONE, TL_CHURN_RENAME: every day */
}

size_t
tl_churn_exit_limit(const struct tl_churn *c, size_t i, size_t d)
{
	const struct tl_churn_role *ro = &c->role[i];

	if (ro->kind == TL_CHURN_PAUSE && d < ro->day)
		return ro->day - 1;
	if (ro->kind == TL_CHURN_RETIRE)
		return ro->day;
	return c->nd - 1;
}

const struct tl_churn_event *
tl_churn_events(const struct tl_churn *c, size_t *n)
{
	*n = c->nev;
	return c->ev;
}
