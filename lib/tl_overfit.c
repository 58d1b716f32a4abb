/*
 * The check engine of tl-overfit and the files it reads (runs,
 * promotions, acknowledgements).  Every Sharpe ratio here is per period:
 * per day for a returns panel.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tl_json.h"
#include "tl_map.h"
#include "tl_opt.h"
#include "tl_overfit.h"
#include "tl_policy.h"
#include "tl_policy_int.h"
#include "tl_records.h"
#include "tl_time.h"
#include "tl_util.h"

#define MS_DAY		86400000LL

const char *const tl_overfit_sev_names[] = { "low", "medium", "high" };
const size_t tl_overfit_nsev = TL_NELEM(tl_overfit_sev_names);

enum tl_overfit_sev
tl_overfit_sev_parse(const char *s)
{
	return (enum tl_overfit_sev)tl_table_find(tl_overfit_sev_names,
	    TL_NELEM(tl_overfit_sev_names), sizeof(tl_overfit_sev_names[0]),
	    s);
}



static double
sharpe_of(const double *x, size_t n)
{
	struct tl_moments m;

	tl_moments(x, n, &m);
	return m.sharpe;
}

/* Weekdays in [a, b] (days since 1970-01-01, a Thursday). */
static long
weekdays(int64_t a, int64_t b)
{
	long n = 0;
	int64_t d;

	for (d = a; d <= b; d++)
		n += ((d + 3) % 7 + 7) % 7 < 5;	/* 0 = Monday */
	return n;
}

/* Days since 1970 of a date/time text; -1 if not one. */
static int
text_day(const char *s, int64_t *day, int64_t *ms)
{
	int64_t t;

	if (s == NULL || tl_time_parse(s, strlen(s), &t) == -1)
		return -1;
	if (ms != NULL)
		*ms = t;
	*day = t >= 0 ? t / MS_DAY : -((-t + MS_DAY - 1) / MS_DAY);
	return 0;
}

void
tl_overfit_runs_release(struct tl_overfit_runs *r)
{
	tl_map_free(r->days);
	free(r->sr);
	memset(r, 0, sizeof(*r));
}

/* Read runs.jsonl: each run with a finite metrics.sharpe is a trial; its
 * Sharpe ratio goes per day by the trading days it covers (weekdays from
 * start to end, or --run-days). */
/* Each record of path through row(ctx, rec, name, line, err), until one
 * returns -1 (err set). */
static int
read_rows(const char *path, int (*row)(void *, const json_t *, const char *,
    unsigned long, struct tl_err *), void *ctx, struct tl_err *err)
{
	struct tl_records *rs;
	json_t *rec;
	int rc = 0;

	if ((rs = tl_records_open(path, TL_FMT_AUTO, err)) == NULL)
		return -1;
	while (rc == 0 && (rc = tl_records_next(rs, &rec, err)) == 1) {
		rc = row(ctx, rec, tl_records_name(rs), tl_records_line(rs),
		    err);
		json_decref(rec);
	}
	tl_records_free(rs);
	return rc == -1 ? -1 : 0;
}

struct runs_ctx {
	struct tl_overfit_runs *r;	/* filled */
	long		 run_days;	/* > 0: the days of every run */
};

static int
runs_row(void *ctx, const json_t *rec, const char *name, unsigned long line,
    struct tl_err *err)
{
	struct tl_overfit_runs *r = ((struct runs_ctx *)ctx)->r;
	const char *id, *s0, *s1;
	const json_t *m;
	int64_t d0, d1;
	double sr;
	long days = ((struct runs_ctx *)ctx)->run_days;

	id = json_string_value(json_object_get(rec, "id"));
	s0 = json_string_value(json_object_get(rec, "start"));
	s1 = json_string_value(json_object_get(rec, "end"));
	if (days == 0 && s0 != NULL && s1 != NULL &&
	    text_day(s0, &d0, NULL) == 0 && text_day(s1, &d1, NULL) == 0 &&
	    d1 >= d0)
		days = weekdays(d0, d1);
	m = json_object_get(rec, "metrics");
	if (json_is_object(m) && tl_json_get_number(m, "sharpe", &sr, name,
	    line, err) == 1) {
		if (days <= 0)
			return tl_err_set(err, TL_EX_DATAERR, name, line, "run "
			    "without start and end dates: give --run-days (the "
			    "trading days behind its sharpe)");
		if (r->n == r->cap) {
			r->cap = r->cap ? 2 * r->cap : 256;
			r->sr = tl_xreallocarray(r->sr, r->cap, sizeof(double));
		}
		r->sr[r->n++] = sr / sqrt((double)days);
	} else if (err->code != 0)
		return -1;
	if (id != NULL && days > 0)
		*tl_map_put(r->days, id, strlen(id), NULL) = (uintptr_t)days +
		    1;
	return 0;
}

int
tl_overfit_runs_read(const char *path, long run_days,
    struct tl_overfit_runs *r, struct tl_err *err)
{
	struct runs_ctx c = { r, run_days };

	r->days = tl_map_alloc();
	return read_rows(path, runs_row, &c, err);
}

void
tl_overfit_promos_release(struct tl_overfit_promos *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i].strategy);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static int
cmp_promo(const void *a, const void *b)
{
	const struct tl_overfit_promo *x = a, *y = b;
	int c = strcmp(x->strategy, y->strategy);

	if (c != 0)
		return c;
	return x->ms < y->ms ? -1 : x->ms > y->ms;
}

struct promos_ctx {
	struct tl_overfit_promos *p;	/* filled */
	const struct tl_overfit_runs *runs;	/* their days */
	long		 run_days;	/* > 0: the days of every run */
};

static int
promos_row(void *ctx, const json_t *rec, const char *name,
    unsigned long line, struct tl_err *err)
{
	struct promos_ctx *c = ctx;
	struct tl_overfit_promos *p = c->p;
	struct tl_overfit_promo *q;
	const json_t *is;
	const char *s = NULL, *ts = NULL, *run;
	uintptr_t *slot;
	int64_t day;

	if (tl_json_get_string(rec, "strategy", &s, name, line, err) != 1 ||
	    tl_json_get_string(rec, "ts", &ts, name, line, err) != 1)
		return err->code != 0 ? -1 : tl_err_set(err, TL_EX_DATAERR,
		    name, line, "field '%s': missing", s == NULL ? "strategy" :
		    "ts");
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->v = tl_xreallocarray(p->v, p->cap, sizeof(*p->v));
	}
	q = &p->v[p->n];
	memset(q, 0, sizeof(*q));
	if (text_day(ts, &day, &q->ms) == -1)
		return tl_err_set(err, TL_EX_DATAERR, name, line, "field 'ts': "
		    "'%s' is not a time", ts);
	tl_time_format_date(q->date, q->ms);
	snprintf(q->where, sizeof(q->where), "%s:%lu", name, line);
	q->given = NAN;
	is = json_object_get(rec, "in_sample");
	if (json_is_object(is) && tl_json_get_number(is, "sharpe", &q->given,
	    name, line, err) == -1)
		return -1;
	q->strategy = tl_xstrdup(s);
	q->given_days = c->run_days;
	run = json_string_value(json_object_get(rec, "run_id"));
	if (q->given_days == 0 && run != NULL && c->runs->days != NULL &&
	    (slot = tl_map_get(c->runs->days, run, strlen(run))) != NULL)
		q->given_days = (long)*slot - 1;
	p->n++;
	return 0;
}

/* Read the promotions; a strategy promoted twice keeps its latest, which
 * restarts its out-of-sample clock. */
int
tl_overfit_promos_read(const char *path, long run_days,
    const struct tl_overfit_runs *runs, struct tl_overfit_promos *p,
    struct tl_err *err)
{
	struct promos_ctx c = { p, runs, run_days };
	size_t i, k;

	if (read_rows(path, promos_row, &c, err) == -1)
		return -1;
	if (p->n > 0)	/* qsort(NULL, 0, ...) is undefined */
		qsort(p->v, p->n, sizeof(*p->v), cmp_promo);
	/* keep the last promotion of each strategy */
	for (i = k = 0; i < p->n; i++) {
		if (i + 1 < p->n && strcmp(p->v[i].strategy,
		    p->v[i + 1].strategy) == 0) {
			free(p->v[i].strategy);
			continue;
		}
		p->v[k++] = p->v[i];
	}
	p->n = k;
	return 0;
}

void
tl_overfit_acks_release(struct tl_overfit_acks *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->v[i].strategy);
		free(a->v[i].kind);
	}
	free(a->v);
	memset(a, 0, sizeof(*a));
}

static int
acks_row(void *ctx, const json_t *rec, const char *name, unsigned long line,
    struct tl_err *err)
{
	static const char *const keys[4] = { "strategy", "kind",
	    "acknowledged_at", "severity" };
	struct tl_overfit_acks *a = ctx;
	const char *f[4];
	int64_t day, ms;
	enum tl_overfit_sev sev;
	char list[64];
	size_t i;

	for (i = 0; i < TL_NELEM(keys); i++) {
		f[i] = NULL;
		if (tl_json_get_string(rec, keys[i], &f[i], name, line,
		    err) != 1)
			return err->code != 0 ? -1 : tl_err_set(err,
			    TL_EX_DATAERR, name, line, "field '%s': missing",
			    keys[i]);
	}
	if (text_day(f[2], &day, &ms) == -1)
		return tl_err_set(err, TL_EX_DATAERR, name, line, "field "
		    "'acknowledged_at': '%s' is not a time", f[2]);
	if ((sev = tl_overfit_sev_parse(f[3])) == TL_SEV_NONE) {
		tl_word_list(list, sizeof(list), tl_overfit_sev_names,
		    tl_overfit_nsev, sizeof(tl_overfit_sev_names[0]));
		return tl_err_set(err, TL_EX_DATAERR, name, line, "field "
		    "'severity': unknown '%s' (%s)", f[3], list);
	}
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 64;
		a->v = tl_xreallocarray(a->v, a->cap, sizeof(*a->v));
	}
	a->v[a->n++] = (struct tl_overfit_ack){ tl_xstrdup(f[0]),
	    tl_xstrdup(f[1]), ms, sev };
	return 0;
}

int
tl_overfit_acks_read(const char *path, struct tl_overfit_acks *a,
    struct tl_err *err)
{
	return read_rows(path, acks_row, a, err);
}

/* The ack that covers an alert: same strategy and kind, made during the
 * alert's current episode (at or after the day it started), at the
 * alert's severity or above.  So an alert that gets worse, or clears
 * and fires again, is news. */
static const struct tl_overfit_ack *
acked(const struct tl_overfit_acks *a, const char *strategy, const char *kind,
    enum tl_overfit_sev sev, const char *since)
{
	int64_t day, ms;
	size_t i;

	if (text_day(since, &day, &ms) == -1)
		return NULL;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].strategy, strategy) == 0 &&
		    strcmp(a->v[i].kind, kind) == 0 && a->v[i].sev >= sev &&
		    a->v[i].ms >= ms)
			return &a->v[i];
	return NULL;
}

/* ---- check ------------------------------------------------------------ */

/* Debounced alert state over a run of daily conditions (1 true, 0 not):
 * it fires once the condition has held `need` consecutive days and
 * clears once it has failed `need` consecutive days.  Returns 1 if
 * active after the last day, with *since the first day of the run that
 * fired it. */
int
tl_overfit_episode(const signed char *cond, size_t m, size_t need,
    size_t *since)
{
	size_t i, run = 0, below = 0, start = 0;
	int active = 0;

	for (i = 0; i < m; i++) {
		if (cond[i] > 0) {
			if (run++ == 0)
				start = i;
			below = 0;
			if (!active && run >= need) {
				active = 1;
				*since = start;
			}
		} else {
			run = 0;
			if (active && ++below >= need)
				active = 0;
		}
	}
	return active;
}

void
tl_run_mom_add(struct tl_run_mom *r, double x)
{
	double n1 = r->n, d, dn, dn2, t1;

	r->n += 1;
	d = x - r->mean;
	dn = d / r->n;
	dn2 = dn * dn;
	t1 = d * dn * n1;
	r->mean += dn;
	r->m4 += t1 * dn2 * (r->n * r->n - 3 * r->n + 3) + 6 * dn2 * r->m2 -
	    4 * dn * r->m3;
	r->m3 += t1 * dn * (r->n - 2) - 3 * dn * r->m2;
	r->m2 += t1;
}

void
tl_run_mom_get(const struct tl_run_mom *r, struct tl_moments *m)
{
	m->n = (size_t)r->n;
	m->mean = r->mean;
	m->sd = m->skew = m->kurt = m->sharpe = NAN;
	if (r->n < 2 || !(r->m2 > 0))
		return;
	m->sd = sqrt(r->m2 / (r->n - 1));
	m->skew = sqrt(r->n) * r->m3 / pow(r->m2, 1.5);
	m->kurt = r->n * r->m4 / (r->m2 * r->m2);
	m->sharpe = m->mean / m->sd;
}

/* Values of column j in dates [d0, d1): into c->buf, their date indices
 * into c->idx; returns their number. */
static size_t
column(struct tl_overfit_check *c, size_t j, size_t d0, size_t d1)
{
	size_t t, n = 0;
	double x;

	for (t = d0; t < d1; t++)
		if (!isnan(x = c->pn.x[t * c->pn.nseries + j])) {
			c->buf[n] = x;
			c->idx[n++] = t;
		}
	return n;
}

/* The first date index >= date. */
static size_t
date_lower(const struct tl_panel *p, const char *date)
{
	size_t lo = 0, hi = p->ndates, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (strcmp(p->dates[mid], date) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
tl_overfit_eval_whole(struct tl_overfit_check *c, struct tl_overfit_eval *e)
{
	const struct tl_overfit_opts *o = c->o;
	size_t n = column(c, (size_t)e->col, 0, c->pn.ndates);

	tl_moments(c->buf, n, &e->all);
	e->psr = tl_psr(e->all.sharpe, 0, (double)n, e->all.skew,
	    e->all.kurt);
	e->mintrl = e->all.sharpe > 0 ? tl_min_trl(e->all.sharpe, 0,
	    o->level, e->all.skew, e->all.kurt) : NAN;
	e->dsr = e->sr0 = NAN;
	if (!isnan(c->trials))
		e->dsr = tl_dsr(e->all.sharpe, (double)n, e->all.skew,
		    e->all.kurt, c->trials, 0, c->trials_var, &e->sr0);
}

/* The in-sample Sharpe ratio of a promoted strategy, per day. */
static void
eval_baseline(struct tl_overfit_check *c, struct tl_overfit_eval *e,
    size_t pday)
{
	const struct tl_overfit_opts *o = c->o;
	const struct tl_overfit_promo *p = e->pr;
	size_t n = 0;

	e->is_sr = NAN;
	e->is_src = NULL;
	memset(&e->is, 0, sizeof(e->is));
	e->is_dsr = e->is_sr0 = NAN;
	if (o->baseline != TL_BASELINE_GIVEN && e->col >= 0) {
		/* the last is_window days with a value before the promotion */
		n = column(c, (size_t)e->col, 0, pday);
		if (n > (size_t)o->is_window) {
			memmove(c->buf, c->buf + n - (size_t)o->is_window,
			    (size_t)o->is_window * sizeof(double));
			n = (size_t)o->is_window;
		}
		if (n >= (size_t)o->is_min) {
			tl_moments(c->buf, n, &e->is);
			if (!isnan(e->is.sharpe)) {
				e->is_sr = e->is.sharpe;
				e->is_src = "returns";
				if (!isnan(c->trials))
					e->is_dsr = tl_dsr(e->is.sharpe,
					    (double)n, e->is.skew, e->is.kurt,
					    c->trials, 0, c->trials_var,
					    &e->is_sr0);
				return;
			}
		}
	}
	if (o->baseline != TL_BASELINE_RETURNS && !isnan(p->given) &&
	    p->given_days > 0) {
		e->is_sr = p->given / sqrt((double)p->given_days);
		e->is_src = "given";
	}
}

void
tl_overfit_eval_promoted(struct tl_overfit_check *c,
    struct tl_overfit_eval *e)
{
	const struct tl_overfit_opts *o = c->o;
	const struct tl_overfit_promo *p = e->pr;
	struct tl_run_mom rm = { 0 };
	struct tl_moments m;
	size_t pday, n, i, w = (size_t)o->window, since;
	double sr, d;

	pday = date_lower(&c->pn, p->date);
	eval_baseline(c, e, pday);
	e->roll_sr = e->decay = e->live_psr = e->live_mintrl = NAN;
	e->oos_n = 0;
	if (e->col < 0)
		return;
	n = column(c, (size_t)e->col, pday, c->pn.ndates);
	e->oos_n = n;
	if (n == 0)
		return;
	e->oos_first = c->pn.dates[c->idx[0]];
	/* decay of the rolling Sharpe ratio against the in-sample one */
	if (n >= w && !isnan(e->is_sr) && e->is_sr != 0) {
		for (i = w - 1; i < n; i++) {
			sr = sharpe_of(c->buf + i + 1 - w, w);
			d = (e->is_sr - sr) / fabs(e->is_sr);
			c->cond[i + 1 - w] = !isnan(sr) && d > o->threshold;
			e->roll_sr = sr;
			e->decay = isnan(sr) ? NAN : d;
		}
		e->decay_on = tl_overfit_episode(c->cond, n - w + 1,
		    (size_t)o->days, &since);
		if (e->decay_on) {
			e->decay_since = c->pn.dates[c->idx[since + w - 1]];
			e->decay_days = n - w + 1 - since;
		}
	} else if (n >= w)
		e->roll_sr = sharpe_of(c->buf + n - w, w);
	/* the live record: PSR(0) day by day from the window's length on */
	for (i = 0; i < n; i++) {
		tl_run_mom_add(&rm, c->buf[i]);
		if (i + 1 < w)
			continue;
		tl_run_mom_get(&rm, &m);
		sr = tl_psr(m.sharpe, 0, m.n, m.skew, m.kurt);
		c->cond[i + 1 - w] = !isnan(sr) && sr < 1 - o->level;
	}
	if (n >= w) {
		e->psr_on = tl_overfit_episode(c->cond, n - w + 1,
		    (size_t)o->days, &since);
		if (e->psr_on)
			e->psr_since = c->pn.dates[c->idx[since + w - 1]];
	}
	tl_moments(c->buf, n, &e->live);
	e->live_psr = tl_psr(e->live.sharpe, 0, (double)n, e->live.skew,
	    e->live.kurt);
	if (e->live.sharpe > 0)
		e->live_mintrl = tl_min_trl(e->live.sharpe, 0, o->level,
		    e->live.skew, e->live.kurt);
}

/* One alert record. */
static json_t *
alert(const struct tl_overfit_check *c, const struct tl_overfit_eval *e,
    const char *kind, enum tl_overfit_sev sev, const char *action,
    const char *since, json_t *fig)
{
	const struct tl_overfit_ack *a;
	json_t *v;

	v = json_pack("{s:s,s:s,s:s,s:s,s:s}", "strategy", e->pr->strategy,
	    "kind", kind, "severity", tl_overfit_sev_names[sev], "since", since,
	    "action", action);
	json_object_set_new(v, "promoted", json_string(e->pr->date));
	json_object_set_new(v, "as_of", json_string(
	    c->pn.dates[c->pn.ndates - 1]));
	json_object_set_new(v, "figures", fig);
	a = acked(&c->acks, e->pr->strategy, kind, sev, since);
	json_object_set_new(v, "acknowledged", json_boolean(a != NULL));
	if (a != NULL) {
		char ts[TL_TIME_BUFSZ];

		tl_time_format(ts, a->ms);
		json_object_set_new(v, "acknowledged_at", json_string(ts));
	}
	return v;
}

/* The alerts of a promoted strategy, appended to arr. */
void
tl_overfit_alerts(const struct tl_overfit_check *c,
    const struct tl_overfit_eval *e, json_t *arr)
{
	const struct tl_overfit_opts *o = c->o;
	json_t *f;
	enum tl_overfit_sev sev;

	if (e->decay_on) {
		/* a live Sharpe below zero loses money: demote; a smaller
		 * drop may be a stale fit: retrain */
		sev = e->roll_sr < 0 ? TL_SEV_HIGH : TL_SEV_MEDIUM;
		f = json_object();
		json_object_set_new(f, "in_sample_sharpe",
		    tl_json_num(e->is_sr));
		json_object_set_new(f, "in_sample_source",
		    json_string(e->is_src));
		json_object_set_new(f, "oos_sharpe", tl_json_num(e->roll_sr));
		json_object_set_new(f, "decay", tl_json_num(e->decay));
		json_object_set_new(f, "threshold", tl_json_num(o->threshold));
		json_object_set_new(f, "window", json_integer(o->window));
		json_object_set_new(f, "days", json_integer(
		    (json_int_t)e->decay_days));
		json_array_append_new(arr, alert(c, e, "decay", sev,
		    sev == TL_SEV_HIGH ? "demote" : "retrain", e->decay_since,
		    f));
	}
	if (e->psr_on) {
		f = json_object();
		json_object_set_new(f, "psr", tl_json_num(e->live_psr));
		json_object_set_new(f, "sharpe", tl_json_num(e->live.sharpe));
		json_object_set_new(f, "n", json_integer((json_int_t)e->oos_n));
		json_object_set_new(f, "skew", tl_json_num(e->live.skew));
		json_object_set_new(f, "kurt", tl_json_num(e->live.kurt));
		json_object_set_new(f, "level", tl_json_num(o->level));
		json_array_append_new(arr, alert(c, e, "psr", TL_SEV_HIGH,
		    "demote", e->psr_since, f));
	}
	if (!isnan(e->is_dsr) && e->is_dsr < o->level) {
		f = json_object();
		json_object_set_new(f, "dsr", tl_json_num(e->is_dsr));
		json_object_set_new(f, "in_sample_sharpe",
		    tl_json_num(e->is_sr));
		json_object_set_new(f, "sr0", tl_json_num(e->is_sr0));
		json_object_set_new(f, "n", json_integer((json_int_t)e->is.n));
		json_object_set_new(f, "trials", tl_json_num(c->trials));
		json_object_set_new(f, "trials_var",
		    tl_json_num(c->trials_var));
		json_object_set_new(f, "level", tl_json_num(o->level));
		json_array_append_new(arr, alert(c, e, "dsr", TL_SEV_LOW,
		    "watch", e->pr->date, f));
	}
	if (e->oos_n >= 2 && e->live.sharpe > 0 &&
	    (double)e->oos_n < e->live_mintrl) {
		f = json_object();
		json_object_set_new(f, "mintrl", tl_json_num(e->live_mintrl));
		json_object_set_new(f, "n", json_integer((json_int_t)e->oos_n));
		json_object_set_new(f, "sharpe", tl_json_num(e->live.sharpe));
		json_object_set_new(f, "level", tl_json_num(o->level));
		json_array_append_new(arr, alert(c, e, "mintrl", TL_SEV_LOW,
		    "watch", e->oos_first, f));
	}
}

json_t *
tl_overfit_stats_row(const struct tl_overfit_check *c,
    const struct tl_overfit_eval *e, const char *name)
{
	const struct tl_overfit_opts *o = c->o;
	double k = sqrt((double)o->ppy);
	json_t *v;

	v = json_pack("{s:s,s:I}", "strategy", name, "n",
	    (json_int_t)e->all.n);
	json_object_set_new(v, "mean", tl_json_num(e->all.mean));
	json_object_set_new(v, "sd", tl_json_num(e->all.sd));
	json_object_set_new(v, "skew", tl_json_num(e->all.skew));
	json_object_set_new(v, "kurt", tl_json_num(e->all.kurt));
	json_object_set_new(v, "sharpe", tl_json_num(e->all.sharpe));
	json_object_set_new(v, "sharpe_ann", tl_json_num(e->all.sharpe * k));
	json_object_set_new(v, "psr", tl_json_num(e->psr));
	json_object_set_new(v, "dsr", tl_json_num(e->dsr));
	json_object_set_new(v, "sr0", tl_json_num(e->sr0));
	json_object_set_new(v, "trials", tl_json_num(c->trials));
	json_object_set_new(v, "trials_var", tl_json_num(c->trials_var));
	json_object_set_new(v, "mintrl", tl_json_num(e->mintrl));
	json_object_set_new(v, "promoted", e->pr != NULL ?
	    json_string(e->pr->date) : json_null());
	json_object_set_new(v, "in_sample_sharpe", tl_json_num(e->pr ?
	    e->is_sr : NAN));
	json_object_set_new(v, "in_sample_source", e->pr && e->is_src ?
	    json_string(e->is_src) : json_null());
	json_object_set_new(v, "oos_n", e->pr ? json_integer((json_int_t)
	    e->oos_n) : json_null());
	json_object_set_new(v, "oos_sharpe", tl_json_num(e->pr ?
	    e->live.sharpe : NAN));
	json_object_set_new(v, "rolling_sharpe", tl_json_num(e->pr ?
	    e->roll_sr : NAN));
	json_object_set_new(v, "decay", tl_json_num(e->pr ? e->decay : NAN));
	return v;
}

void
tl_overfit_check_release(struct tl_overfit_check *c)
{
	tl_panel_free(&c->pn);
	tl_overfit_runs_release(&c->runs);
	tl_overfit_promos_release(&c->pr);
	tl_overfit_acks_release(&c->acks);
	free(c->ev);
	free(c->buf);
	free(c->idx);
	free(c->cond);
}

void
tl_overfit_check_prepare(struct tl_overfit_check *c, long trials,
    double trials_var)
{
	struct tl_moments m;
	size_t j;

	c->trials = trials > 0 ? (double)trials : c->runs.n >= 2 ?
	    (double)c->runs.n : NAN;
	c->trials_var = trials_var;
	if (isnan(c->trials_var) && c->runs.n >= 2) {
		tl_moments(c->runs.sr, c->runs.n, &m);
		c->trials_var = m.sd * m.sd;
	}
	if (isnan(c->trials_var))
		c->trials = NAN;
	c->ev = tl_xcalloc(c->pn.nseries + c->pr.n, sizeof(*c->ev));
	c->buf = tl_xcalloc(c->pn.ndates + 1, sizeof(double));
	c->idx = tl_xcalloc(c->pn.ndates + 1, sizeof(size_t));
	c->cond = tl_xcalloc(c->pn.ndates + 1, 1);
	for (j = 0; j < c->pn.nseries; j++) {
		c->ev[j].col = (long)j;
		tl_overfit_eval_whole(c, &c->ev[j]);
	}
}

struct tl_overfit_eval *
tl_overfit_check_promotion(struct tl_overfit_check *c, size_t i)
{
	const struct tl_overfit_promo *p = &c->pr.v[i];
	struct tl_overfit_eval *e;
	long col = tl_panel_series(&c->pn, p->strategy);

	if (col >= 0)
		e = &c->ev[col];
	else {
		e = &c->ev[c->pn.nseries + i];
		e->col = -1;
	}
	e->pr = p;
	if (col >= 0)
		tl_overfit_eval_promoted(c, e);
	return e;
}

void
tl_overfit_logit_summary(const double *x, size_t n,
    struct tl_overfit_dist *d)
{
	struct tl_moments m;
	double *s = tl_xcalloc(n + 1, sizeof(double));

	if (n > 0) {	/* qsort(NULL, 0, ...) is undefined */
		memcpy(s, x, n * sizeof(double));
		qsort(s, n, sizeof(double), tl_cmp_double);
	}
	tl_moments(x, n, &m);
	d->mean = m.mean;
	d->sd = m.sd;
	d->min = n > 0 ? s[0] : NAN;
	d->q25 = tl_quantile_sorted(s, n, 0.25);
	d->q75 = tl_quantile_sorted(s, n, 0.75);
	d->max = n > 0 ? s[n - 1] : NAN;
	free(s);
}
