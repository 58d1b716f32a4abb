/*
 * Credit assignment: each record's reward, P&L, date and context, and
 * the arms it credits by the spec's kind; the discount weight of its day.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tl_bandit_credit.h"
#include "tl_map.h"
#include "tl_num.h"
#include "tl_records.h"
#include "tl_time.h"

#define MS_PER_DAY	86400000

void
tl_bandit_upd_init(struct tl_bandit_upd *u, struct tl_bandit_state *st)
{
	memset(u, 0, sizeof(*u));
	u->st = st;
	tl_jdoc_init(&u->doc);
	tl_buf_init(&u->key);
	tl_buf_init(&u->lastday);
	u->dayctx = tl_map_alloc();
}

void
tl_bandit_upd_release(struct tl_bandit_upd *u)
{
	tl_map_free(u->dayctx);
	tl_buf_release(&u->lastday);
	tl_buf_release(&u->key);
	tl_jdoc_release(&u->doc);
	memset(u, 0, sizeof(*u));
}

/* Member key[0..n) of object v, or NULL. */
static const struct tl_jv *
jv_getn(const struct tl_jdoc *d, const struct tl_jv *v, const char *key,
    size_t n)
{
	const struct tl_jv *c;

	for (c = tl_jv_child(d, v); c != NULL; c = tl_jv_next(d, v, c))
		if (c->keylen == n && memcmp(c->key, key, n) == 0)
			return c;
	return NULL;
}

/* Field path of the record: the member of that name, else the dotted
 * path through nested objects; NULL when absent or null. */
const struct tl_jv *
tl_bandit_field(const struct tl_jdoc *d, const char *path)
{
	const struct tl_jv *v = &d->v[0], *c;
	const char *p, *dot;

	if ((c = jv_getn(d, v, path, strlen(path))) == NULL &&
	    strchr(path, '.') != NULL)
		for (c = v, p = path; c != NULL; p = dot + 1) {
			if (c->type != TL_JOBJ)
				return NULL;
			dot = strchr(p, '.');
			c = jv_getn(d, c, p, dot != NULL ? (size_t)(dot - p) :
			    strlen(p));
			if (dot == NULL)
				break;
		}
	return c != NULL && c->type != TL_JNULL ? c : NULL;
}

/* A bad record: TL_EX_DATAERR at its file and line. */
static int	rec_err(struct tl_bandit_upd *u, struct tl_err *err,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
rec_err(struct tl_bandit_upd *u, struct tl_err *err, const char *fmt, ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return tl_err_set(err, TL_EX_DATAERR, u->name, u->line, "%s", msg);
}

static void
append_scalar(struct tl_buf *b, const struct tl_jv *v)
{
	if (v->type == TL_JSTR || v->type == TL_JNUM)
		tl_buf_add(b, v->s, v->len);
	else
		tl_buf_adds(b, v->type == TL_JTRUE ? "true" : "false");
}

/* Credit arm name[0..n) of the record with w (already discounted). */
static int
credit(struct tl_bandit_upd *u, const char *name, size_t n, long ctx, double w,
    double r, int has_pnl, double x, struct tl_err *err)
{
	struct tl_bandit_state *st = u->st;
	long k;

	if ((k = tl_bandit_arm_find(st, name, n, !u->closed)) == -1) {
		char s[256];

		snprintf(s, sizeof(s), "%.*s", (int)(n > 200 ? 200 : n), name);
		return tl_err_set(err, TL_EX_DATAERR, u->name, u->line,
		    "field '%s': unknown arm '%s' (not in the state or -N; -A "
		    "adds new arms)", st->fields[0], s);
	}
	tl_bandit_ev_add(&st->arm[k].pooled, st->model, r, has_pnl, x, w);
	if (ctx >= 0)
		tl_bandit_ev_add(tl_bandit_arm_ctx(&st->arm[k], (size_t)ctx),
		    st->model, r, has_pnl, x, w);
	return 0;
}

/* The kind of a plain FIELD spec, from the first record that has it. */
static int
resolve_kind(struct tl_bandit_upd *u, const struct tl_jv *v, struct tl_err *err)
{
	const struct tl_jv *c;
	int flags = 1, nums = 1, strs = 1;

	if (v->type != TL_JOBJ && v->type != TL_JARR) {
		u->st->kind = TL_BANDIT_VALUE;
		return 0;
	}
	if (v->type == TL_JARR)
		return rec_err(u, err, "field '%s': an array is not an arms "
		    "field", u->st->fields[0]);
	for (c = tl_jv_child(&u->doc, v); c != NULL;
	    c = tl_jv_next(&u->doc, v, c)) {
		if (c->type == TL_JNULL)
			continue;
		flags &= c->type == TL_JTRUE || c->type == TL_JFALSE ||
		    (c->type == TL_JNUM && (c->num == 0 || c->num == 1));
		nums &= c->type == TL_JNUM;
		strs &= c->type == TL_JSTR || c->type == TL_JTRUE ||
		    c->type == TL_JFALSE;
	}
	u->st->kind = flags ? TL_BANDIT_FLAGS : nums ? TL_BANDIT_SHARE : strs ?
	    TL_BANDIT_VOTES : TL_BANDIT_AUTO;
	if (u->st->kind == TL_BANDIT_AUTO)
		return rec_err(u, err, "field '%s': a map of mixed values; say "
		    "how to credit it (--arms share:%s and so on)",
		    u->st->fields[0], u->st->fields[0]);
	return 0;
}

/* Credit the arms of a map kind. */
static int
credit_map(struct tl_bandit_upd *u, const struct tl_jv *v, long ctx, double w,
    double r, int has_pnl, double x, struct tl_err *err)
{
	struct tl_bandit_state *st = u->st;
	const struct tl_jv *c;
	const char *f = st->fields[0];
	double sum = 0, cr, rr, xx;
	char num[TL_NUM_BUFSZ];

	if (v->type != TL_JOBJ)
		return rec_err(u, err, "field '%s': expected an object of arms, "
		    "got %s", f, tl_jv_typename(v));
	if (st->kind == TL_BANDIT_SHARE) {
		for (c = tl_jv_child(&u->doc, v); c != NULL;
		    c = tl_jv_next(&u->doc, v, c)) {
			if (c->type == TL_JNULL)
				continue;
			if (c->type != TL_JNUM || c->num < 0) {
				tl_err_set(err, TL_EX_DATAERR, u->name, u->line,
				    "field '%s.%.*s': a score must be a number "
				    ">= 0", f, (int)c->keylen, c->key);
				return -1;
			}
			sum += c->num;
		}
		if (sum == 0)
			return 0;	/* no score: no credit */
	}
	for (c = tl_jv_child(&u->doc, v); c != NULL;
	    c = tl_jv_next(&u->doc, v, c)) {
		rr = r;
		xx = x;
		cr = 0;
		if (c->type == TL_JNULL)
			continue;
		switch (st->kind) {
		case TL_BANDIT_FLAGS:
			if (c->type == TL_JTRUE || (c->type == TL_JNUM &&
			    c->num == 1))
				cr = 1;
			else if (c->type == TL_JFALSE || (c->type == TL_JNUM &&
			    c->num == 0))
				continue;
			else {
				tl_err_set(err, TL_EX_DATAERR, u->name, u->line,
				    "field '%s.%.*s': %s is not a 0/1 flag "
				    "(--arms share:%s credits scores)", f,
				    (int)c->keylen, c->key, c->type == TL_JNUM ?
				    (tl_fmt_double(num, c->num), num) :
				    tl_jv_typename(c), f);
				return -1;
			}
			break;
		case TL_BANDIT_SHARE:
			cr = c->num / sum;
			break;
		case TL_BANDIT_CREDIT:
			if (c->type != TL_JNUM || !(c->num >= 0 &&
			    c->num <= 1)) {
				tl_err_set(err, TL_EX_DATAERR, u->name, u->line,
				    "field '%s.%.*s': a credit must be a number "
				    "in [0, 1]", f, (int)c->keylen, c->key);
				return -1;
			}
			cr = c->num;
			break;
		case TL_BANDIT_AUTO:	/* not map kinds: never here */
		case TL_BANDIT_VALUE:
		case TL_BANDIT_COMBO:
			continue;
		case TL_BANDIT_VOTES:
			cr = 1;
			if (c->type == TL_JTRUE || (c->type == TL_JSTR &&
			    ((c->len == 7 && memcmp(c->s, "approve", 7) == 0) ||
			    (c->len == 3 && memcmp(c->s, "yes", 3) == 0))))
				break;
			if (c->type == TL_JFALSE || (c->type == TL_JSTR &&
			    ((c->len == 6 && memcmp(c->s, "reject", 6) == 0) ||
			    (c->len == 2 && memcmp(c->s, "no", 2) == 0)))) {
				/* a reject is right when the trade lost */
				rr = st->model == TL_BANDIT_BETA ? 1 - r : -r;
				xx = -x;
				break;
			}
			if (c->type == TL_JSTR && c->len == 7 &&
			    memcmp(c->s, "abstain", 7) == 0)
				continue;
			tl_err_set(err, TL_EX_DATAERR, u->name, u->line,
			    "field '%s.%.*s': a vote must be approve, reject "
			    "or abstain", f, (int)c->keylen, c->key);
			return -1;
		}
		if (cr > 0 && credit(u, c->key, c->keylen, ctx, w * cr, rr,
		    has_pnl, xx, err) == -1)
			return -1;
	}
	return 0;
}

/* Day of a time value; -1 if it is not a time. */
static int
time_day(struct tl_bandit_upd *u, const struct tl_jv *v, int64_t *day)
{
	int64_t ms;

	if (v->type == TL_JSTR) {
		if (u->has_day && v->len == u->lastday.len &&
		    memcmp(v->s, u->lastday.data, v->len) == 0) {
			*day = u->day;
			return 0;
		}
		if (tl_time_parse(v->s, v->len, &ms) == -1)
			return -1;
		tl_buf_reset(&u->lastday);
		tl_buf_add(&u->lastday, v->s, v->len);
	} else if (v->type != TL_JNUM || tl_time_from_epoch(v->num, &ms) == -1)
		return -1;
	else
		tl_buf_reset(&u->lastday);
	*day = ms >= 0 ? ms / MS_PER_DAY : -((-ms + MS_PER_DAY - 1) /
	    MS_PER_DAY);
	return 0;
}

int
tl_bandit_upd_record(struct tl_bandit_upd *u, struct tl_err *err)
{
	struct tl_bandit_state *st = u->st;
	const struct tl_jv *v, *rv, *pv, *tv;
	char num[TL_NUM_BUFSZ];
	double r, x = 0, w = 1;
	int has_pnl = 0;
	long ctx = -1;
	int64_t day;
	size_t i;
	uintptr_t *slot;

	if (u->doc.v[0].type != TL_JOBJ)
		return rec_err(u, err, "expected an object, got %s",
		    tl_jv_typename(&u->doc.v[0]));
	/* the reward */
	if ((rv = tl_bandit_field(&u->doc, st->reward)) == NULL)
		return rec_err(u, err, "field '%s': missing", st->reward);
	if (rv->type == TL_JTRUE || rv->type == TL_JFALSE)
		r = rv->type == TL_JTRUE;
	else if (rv->type == TL_JNUM)
		r = rv->num;
	else
		return rec_err(u, err, "field '%s': expected a number or "
		    "boolean, got %s", st->reward, tl_jv_typename(rv));
	if (st->model == TL_BANDIT_BETA && !(r >= 0 && r <= 1)) {
		tl_fmt_double(num, r);
		return tl_err_set(err, TL_EX_DATAERR, u->name, u->line,
		    "field '%s': reward %s is outside [0, 1] for --family beta "
		    "(--family normal for returns)", st->reward, num);
	}
	/* the P&L, for kill */
	if (st->pnl != NULL && (pv = tl_bandit_field(&u->doc,
	    st->pnl)) != NULL) {
		if (pv->type != TL_JNUM)
			return rec_err(u, err, "field '%s': expected a number, "
			    "got %s", st->pnl, tl_jv_typename(pv));
		x = pv->num;
		has_pnl = 1;
	}
	/* the day: evidence older than the state's fades */
	if ((tv = tl_bandit_field(&u->doc, st->time)) != NULL) {
		if (time_day(u, tv, &day) == -1)
			return rec_err(u, err, "field '%s': not a date or "
			    "time", st->time);
		if (u->new_days && day <= u->since) {
			u->old++;
			return 0;
		}
		if (!u->has_day || day != u->day) {
			tl_bandit_state_advance(st, day);
			u->wday = st->discount < 1 ? pow(st->discount,
			    (double)(st->day - day)) : 1;
			u->day = day;
			u->has_day = 1;
		}
		w = u->wday;
	} else if (st->discount < 1 || st->ctxfile || u->new_days)
		return rec_err(u, err, "field '%s': missing (%s needs the "
		    "date)", st->time, st->ctxfile ? "-C" : u->new_days ?
		    "--new-days" : "--discount");
	/* the context */
	if (st->context != NULL) {
		if ((v = tl_bandit_field(&u->doc, st->context)) == NULL)
			u->noctx++;
		else if (v->type == TL_JSTR || v->type == TL_JNUM ||
		    v->type == TL_JTRUE || v->type == TL_JFALSE) {
			tl_buf_reset(&u->key);
			append_scalar(&u->key, v);
			ctx = (long)tl_bandit_ctx_find(st, u->key.data,
			    u->key.len);
		} else
			return rec_err(u, err, "field '%s': expected a string "
			    "or number, got %s", st->context,
			    tl_jv_typename(v));
	} else if (st->ctxfile) {
		if ((slot = tl_map_get(u->dayctx, &day, sizeof(day))) != NULL)
			ctx = (long)*slot - 1;
		else
			u->noctx++;
	}
	/* the arms */
	v = NULL;
	if (st->kind != TL_BANDIT_COMBO) {
		v = tl_bandit_field(&u->doc, st->fields[0]);
		if (v == NULL)
			return rec_err(u, err, "field '%s': missing",
			    st->fields[0]);
		if (st->kind == TL_BANDIT_AUTO && resolve_kind(u, v, err) == -1)
			return -1;
	}
	tl_bandit_ev_add(&st->base.pooled, st->model, r, has_pnl, x, w);
	if (ctx >= 0)
		tl_bandit_ev_add(tl_bandit_arm_ctx(&st->base, (size_t)ctx),
		    st->model, r, has_pnl, x, w);
	u->n++;
	if (st->kind == TL_BANDIT_VALUE || st->kind == TL_BANDIT_COMBO) {
		tl_buf_reset(&u->key);
		for (i = 0; i < st->nfields; i++) {
			if ((v = tl_bandit_field(&u->doc,
			    st->fields[i])) == NULL)
				return rec_err(u, err, "field '%s': missing",
				    st->fields[i]);
			if (v->type == TL_JOBJ || v->type == TL_JARR)
				return rec_err(u, err, "field '%s': expected a "
				    "string or number, got %s", st->fields[i],
				    tl_jv_typename(v));
			if (i > 0)
				tl_buf_adds(&u->key, TL_BANDIT_COMBO_SEP);
			append_scalar(&u->key, v);
		}
		return credit(u, u->key.data, u->key.len, ctx, w, r, has_pnl, x,
		    err);
	}
	return credit_map(u, v, ctx, w, r, has_pnl, x, err);
}

/* Rows {"date": ..., "label": ...} of a context file into day -> context
 * (every label becomes a context, in the file's order). */
int
tl_bandit_upd_ctxfile(struct tl_bandit_upd *u, const char *path,
    struct tl_err *err)
{
	struct tl_bandit_state *st = u->st;
	struct tl_map *m = u->dayctx;
	struct tl_records *rs;
	const char *date;
	char num[TL_NUM_BUFSZ];
	uintptr_t *slot;
	json_t *rec, *lab;
	int64_t ms, day;
	size_t c;
	int rc, added;

	if ((rs = tl_records_open(path, TL_FMT_AUTO, err)) == NULL)
		return -1;
	while ((rc = tl_records_next(rs, &rec, err)) == 1) {
		date = json_string_value(json_object_get(rec, "date"));
		lab = json_object_get(rec, "label");
		if (date == NULL || tl_time_parse(date, strlen(date), &ms) ==
		    -1)
			rc = tl_err_set(err, TL_EX_DATAERR, tl_records_name(rs),
			    tl_records_line(rs), "field 'date': missing or not "
			    "a date");
		else if (!json_is_string(lab) && !json_is_number(lab))
			rc = tl_err_set(err, TL_EX_DATAERR, tl_records_name(rs),
			    tl_records_line(rs), "field 'label': expected a "
			    "string or number");
		if (rc == -1) {
			json_decref(rec);
			break;
		}
		if (json_is_string(lab))
			c = tl_bandit_ctx_find(st, json_string_value(lab),
			    json_string_length(lab));
		else
			c = tl_bandit_ctx_find(st, num, (size_t)tl_fmt_double(
			    num, json_number_value(lab)));
		day = ms / MS_PER_DAY;
		slot = tl_map_put(m, &day, sizeof(day), &added);
		if (!added && *slot != c + 1) {
			/* date is rec's: the message before the decref */
			rc = tl_err_set(err, TL_EX_DATAERR, tl_records_name(rs),
			    tl_records_line(rs), "date '%s' has two labels",
			    date);
			json_decref(rec);
			break;
		}
		*slot = c + 1;
		json_decref(rec);
	}
	tl_records_free(rs);
	return rc == -1 ? -1 : 0;
}
