/*
 * tl-ingest: stage one, the record normalisers.  A record (JSON text) is
 * parsed, given its kind (kinds.c) and checked field by field by its
 * kind's norm_*(), which writes its canonical text: keys in the order of
 * tl(7), names trimmed and renamed, times in UTC, unknown fields kept
 * after the canonical ones.  Nothing here reads the state but the
 * options, so any thread can run it.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tl_alias.h"
#include "tl_err.h"
#include "tl_jv.h"
#include "tl_kind.h"
#include "tl_num.h"
#include "tl_policy.h"
#include "tl_time.h"
#include "tl_util.h"

#include "ingest.h"

#define MAX_MAGNITUDE	1e15	/* |price|, |qty|, |pnl| beyond this: bad */

/* A bit of 64 for a key k[0..n), n > 0: a record's keys in a word
 * (struct rec's keys) tell most keys it lacks without a look at its
 * members. */
static uint64_t
key_bit(const char *k, size_t n)
{
	return n == 0 ? 0 : (uint64_t)1 << ((n * 7 + (unsigned char)k[0] +
	    3 * (unsigned char)k[n - 1]) & 63);
}

/* The input field key, or the raw field a --map names for it; NULL when
 * absent or null. */
const struct tl_jv *
field(const struct rec *r, const char *key)
{
	const struct tl_jv *v;
	size_t i, n = strlen(key);

	/* the kind's rules and the optional fields ask for many that are
	 * not there */
	if (r->o->nmaps == 0 && !(r->keys & key_bit(key, n)))
		return NULL;
	v = tl_jv_get_near(r->d, r->in, key, n, &r->last->near);
	r->last->asked = v != NULL ? key : NULL;
	if (v == NULL)
		for (i = 0; i < r->o->nmaps && v == NULL; i++)
			if (strcmp(r->o->map_to[i], key) == 0)
				v = tl_jv_get(r->d, r->in, r->o->map_from[i]);
	return v != NULL && v->type != TL_JNULL ? v : NULL;
}

/* The member being written ends at the end of out: into the index,
 * typed by its first byte (the index of a text that tl_jv_index_text
 * would read). */
static void
member_end(struct rec *r)
{
	static const struct {
		char		 c;
		enum tl_jt	 type;
	} first[] = { { '"', TL_JSTR }, { '{', TL_JOBJ }, { '[', TL_JARR },
		{ 't', TL_JTRUE }, { 'f', TL_JFALSE }, { 'n', TL_JNULL } };
	struct tl_jv_member *m = &r->m;
	const char *v;
	size_t i;

	if (!r->open)
		return;
	r->open = 0;
	if (r->ix->n < 0)
		return;
	v = r->out->data + m->off;
	m->span = (uint32_t)(r->out->len - m->off);
	for (i = 0; i < TL_NELEM(first) && first[i].c != *v; i++)
		;
	m->type = i < TL_NELEM(first) ? first[i].type : TL_JNUM;
	if (m->type != TL_JNUM)
		m->num = 0;
	if ((m->type == TL_JNUM && m->num != m->num) ||	/* not told */
	    (!r->ours && memchr(r->out->data + m->key, '\\', m->keylen) !=
	    NULL) ||
	    (m->type == TL_JSTR && memchr(v + 1, '\\', m->span - 2) != NULL)) {
		r->ix->n = -1;
		return;
	}
	tl_buf_add(&r->ix->b, m, sizeof(*m));
	r->ix->n++;
}

/* Begin a top-level member of the canonical text: its key key[0..n), as
 * it is in the input when the key is the input's (extras), else one of
 * our names; ours says which, and that the key goes among the keys
 * written. */
static void
member_key(struct rec *r, const char *key, size_t n, int ours)
{
	char sep = r->out->len > 0 ? ',' : '{';
	size_t at, place;

	if (r->ix != NULL)
		member_end(r);
	at = r->out->len + 2;
	tl_jv_append_sep_key(r->out, sep, key, n, ours);
	if (r->ix != NULL) {
		memset(&r->m, 0, sizeof(r->m));
		r->m.key = (uint32_t)at;
		r->m.keylen = (uint32_t)(r->out->len - 2 - at);
		r->m.off = (uint32_t)r->out->len;
		r->m.num = NAN;	/* a number's writer tells it */
		r->open = 1;
		r->ours = ours;
	}
	if (ours && r->ndone < MAX_DONE) {
		r->donelen[r->ndone] = n;
		r->done[r->ndone++] = key;
	}
	/* the key field() found last, written as it is: keep_extras() need
	 * not look for it among the keys written */
	if (ours && key == r->last->asked &&
	    (place = (size_t)(r->last->near - r->d->v)) < 128)
		r->written[place / 64] |= (uint64_t)1 << place % 64;
}

static void
put_key(struct rec *r, const char *key)
{
	member_key(r, key, strlen(key), 1);
}

/* The value of the number member being written: x. */
static void
member_num(struct rec *r, double x)
{
	r->m.num = x;
}

static int
missing(struct rec *r, const char *key)
{
	return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
	    "field '%s': missing", key);
}

static int
wrong(struct rec *r, const char *key, const char *want,
    const struct tl_jv *v)
{
	return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
	    "field '%s': expected %s, got %s", key, want, tl_jv_typename(v));
}

/* An integer number literal as text, or -1. */
static int
int_text(const struct tl_jv *v, char *buf, size_t size)
{
	if (v->type != TL_JNUM || memchr(v->s, '.', v->len) != NULL ||
	    memchr(v->s, 'e', v->len) != NULL ||
	    memchr(v->s, 'E', v->len) != NULL || v->len >= size)
		return -1;
	memcpy(buf, v->s, v->len);
	buf[v->len] = '\0';
	return 0;
}

/* id-like field: a non-empty string or an integer, written as a string
 * under outkey. */
static int
get_id(struct rec *r, const char *key, const char *outkey, int required)
{
	const struct tl_jv *v = field(r, key);
	char num[64];

	if (v == NULL)
		return required ? missing(r, key) : 0;
	if (int_text(v, num, sizeof(num)) == 0) {
		put_key(r, outkey);
		tl_jv_append_string(r->out, num, strlen(num));
		return 1;
	}
	if (v->type != TL_JSTR)
		return wrong(r, key, "string or integer", v);
	if (v->len == 0)
		return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
		    "field '%s': empty", key);
	put_key(r, outkey);
	tl_jv_append_string(r->out, v->s, v->len);
	return 1;
}

/* A timestamp, written as UTC RFC 3339 under outkey; with date_ok a bare
 * date ("2026-01-31", as a run's start and end) stays a date. */
static int
get_time(struct rec *r, const char *key, const char *outkey, int required,
    int date_ok, int64_t *ms)
{
	const struct tl_jv *v = field(r, key);
	char buf[TL_TIME_BUFSZ], num[TL_NUM_BUFSZ];

	if (v == NULL)
		return required ? missing(r, key) : 0;
	if (v->type == TL_JNUM) {
		if (tl_time_from_epoch(v->num, ms) == -1) {
			tl_fmt_double(num, v->num);
			return tl_err_set(r->err, TL_EX_DATAERR, r->name,
			    r->line, "field '%s': %s is not a time in epoch "
			    "seconds or milliseconds (years 1-9999)", key,
			    num);
		}
	} else if (v->type != TL_JSTR)
		return wrong(r, key, "timestamp", v);
	else if (tl_time_parse(v->s, v->len, ms) == -1)
		return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
		    "field '%s': '%.*s' is not an RFC 3339 timestamp", key,
		    (int)(v->len < 64 ? v->len : 64), v->s);
	put_key(r, outkey);
	if (date_ok && v->type == TL_JSTR && v->len == 10)
		tl_jv_append_string(r->out, v->s, v->len);
	else {
		tl_time_format(buf, *ms);
		tl_jv_append_string(r->out, buf, strlen(buf));
	}
	return 1;
}

static int
get_num(struct rec *r, const char *key, int required, double lo, double hi,
    double *x)
{
	const struct tl_jv *v = field(r, key);
	char num[TL_NUM_BUFSZ];

	if (v == NULL)
		return required ? missing(r, key) : 0;
	if (v->type != TL_JNUM)
		return wrong(r, key, "number", v);
	*x = v->num;
	if (*x < lo || *x > hi) {
		tl_fmt_double(num, *x);
		return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
		    "field '%s': %s is out of range [%g, %g]", key, num, lo,
		    hi);
	}
	put_key(r, key);
	tl_jv_append(r->out, r->d, v);
	member_num(r, v->num);
	return 1;
}

/* The string of v without blanks around it. */
static void
trim(const struct tl_jv *v, const char **s, size_t *n)
{
	*s = v->s;
	*n = v->len;
	while (*n > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* How get_name() writes a name. */
enum { NAME_UPPER = 1, NAME_RENAME = 2 };

/* A name-like string, or an integer taken as its digits: trimmed;
 * upper-cased with NAME_UPPER; with NAME_RENAME, the name --aliases gives
 * it. */
static int
get_name(struct rec *r, const char *key, int required, int how)
{
	const struct tl_jv *v = field(r, key);
	char num[64], *t = NULL;
	const char *s;
	size_t n, i;

	if (v == NULL)
		return required ? missing(r, key) : 0;
	if (v->type == TL_JNUM) {	/* symbol 7203 */
		if (int_text(v, num, sizeof(num)) == -1)
			return wrong(r, key, "string or integer", v);
		s = num;
		n = strlen(num);
	} else if (v->type != TL_JSTR)
		return wrong(r, key, "string", v);
	else
		trim(v, &s, &n);
	if (n == 0)
		return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
		    "field '%s': empty", key);
	if (how & NAME_UPPER) {
		s = t = tl_xstrndup(s, n);
		for (i = 0; i < n; i++)
			if (t[i] >= 'a' && t[i] <= 'z')
				t[i] -= 'a' - 'A';
	}
	if ((how & NAME_RENAME) && r->alias != NULL &&
	    tl_alias_get(r->alias, s, n, &s, &n))
		r->renamed = 1;
	put_key(r, key);
	tl_jv_append_string(r->out, s, n);
	free(t);
	return 1;
}

/* One of a set of words, any case, blanks around ignored; alias[i] maps
 * to canon[i]. */
static int
get_word(struct rec *r, const char *key, int required, const char **alias,
    const char **canon, const char *expect)
{
	const struct tl_jv *v = field(r, key);
	const char *s;
	size_t n;
	int i;

	if (v == NULL)
		return required ? missing(r, key) : 0;
	if (v->type != TL_JSTR)
		return wrong(r, key, "string", v);
	trim(v, &s, &n);
	for (i = 0; alias[i] != NULL; i++)
		if (strlen(alias[i]) == n && strncasecmp(s, alias[i], n) == 0) {
			put_key(r, key);
			tl_jv_append_string(r->out, canon[i],
			    strlen(canon[i]));
			return 1;
		}
	return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
	    "field '%s': expected %s, got '%.*s'", key, expect,
	    (int)(v->len < 64 ? v->len : 64), v->s);
}

/* An object whose members are numbers (booleans become 1/0 when bools). */
static int
get_numobj(struct rec *r, const char *key, int bools)
{
	const struct tl_jv *v = field(r, key), *m;
	int first = 1, as_is = 1;

	if (v == NULL)
		return 0;
	if (v->type != TL_JOBJ)
		return wrong(r, key, "object", v);
	for (m = tl_jv_child(r->d, v); m != NULL; m = tl_jv_next(r->d, v, m)) {
		if (m->type != TL_JNUM && !(bools && (m->type == TL_JTRUE ||
		    m->type == TL_JFALSE)))
			return tl_err_set(r->err, TL_EX_DATAERR, r->name,
			    r->line, "field '%s.%.*s': expected number, got "
			    "%s", key, (int)(m->keylen < 64 ? m->keylen : 64),
			    m->key, tl_jv_typename(m));
		as_is &= m->type == TL_JNUM;
	}
	put_key(r, key);
	if (as_is) {	/* numbers only: tl_jv_append writes them */
		tl_jv_append(r->out, r->d, v);
		return 1;
	}
	tl_buf_addc(r->out, '{');
	for (m = tl_jv_child(r->d, v); m != NULL; m = tl_jv_next(r->d, v, m)) {
		if (!first)
			tl_buf_addc(r->out, ',');
		first = 0;
		tl_jv_append_string(r->out, m->key, m->keylen);
		tl_buf_addc(r->out, ':');
		if (m->type == TL_JNUM)
			tl_jv_append(r->out, r->d, m);
		else
			tl_buf_addc(r->out, m->type == TL_JTRUE ? '1' : '0');
	}
	tl_buf_addc(r->out, '}');
	return 1;
}

static int
get_obj(struct rec *r, const char *key, int required)
{
	const struct tl_jv *v = field(r, key);

	if (v == NULL)
		return required ? missing(r, key) : 0;
	if (v->type != TL_JOBJ)
		return wrong(r, key, "object", v);
	put_key(r, key);
	tl_jv_append(r->out, r->d, v);
	return 1;
}

static int
was_written(const struct rec *r, const char *key, size_t n)
{
	size_t i;

	for (i = 0; i < r->ndone; i++)
		if (r->donelen[i] == n && r->done[i][0] == key[0] &&
		    memcmp(r->done[i], key, n) == 0)
			return 1;
	return 0;
}

/* Keep the fields we do not know, after the canonical ones; a field read
 * through --map was written under its canonical name. */
static void
keep_extras(struct rec *r)
{
	const struct tl_jv *c;
	size_t i, at;

	for (c = tl_jv_child(r->d, r->in); c != NULL;
	    c = tl_jv_next(r->d, r->in, c)) {
		at = (size_t)(c - r->d->v);
		if ((at < 128 && (r->written[at / 64] >> at % 64 & 1)) ||
		    was_written(r, c->key, c->keylen))
			continue;
		/* a raw field whose value went out under its --map name */
		for (i = 0; i < r->o->nmaps; i++)
			if (strlen(r->o->map_from[i]) == c->keylen &&
			    memcmp(r->o->map_from[i], c->key, c->keylen) == 0 &&
			    tl_jv_get(r->d, r->in, r->o->map_to[i]) == NULL &&
			    was_written(r, r->o->map_to[i],
			    strlen(r->o->map_to[i])))
				break;
		if (i < r->o->nmaps)
			continue;
		member_key(r, c->key, c->keylen, 0);
		tl_jv_append(r->out, r->d, c);
		if (c->type == TL_JNUM)
			member_num(r, c->num);
	}
	if (r->ix != NULL) {
		member_end(r);
		if (r->out->len > UINT32_MAX / 2)	/* as tl_jv_index_text */
			r->ix->n = -1;
	}
	if (r->out->len == 0)
		tl_buf_addc(r->out, '{');
	tl_buf_addc(r->out, '}');
}

static const char *action_alias[] = { "buy", "long", "sell", "short",
	"hold", "flat", "none", NULL };
static const char *action_canon[] = { "buy", "buy", "sell", "sell",
	"hold", "hold", "hold" };
static const char *side_alias[] = { "long", "buy", "short", "sell", NULL };
static const char *side_canon[] = { "long", "long", "short", "short" };

/* What a decision and a signal begin with: id, ts (the event time),
 * symbol and strategy. */
static int
event_head(struct rec *r)
{
	return get_id(r, "id", "id", 1) == -1 ||
	    get_time(r, "ts", "ts", 1, 0, &r->when) == -1 ||
	    get_name(r, "symbol", 1, NAME_UPPER) == -1 ||
	    get_name(r, "strategy", 1, NAME_RENAME) == -1 ? -1 : 0;
}

/* The score in [0, 1] under key, then components and signals. */
static int
score_parts(struct rec *r, const char *key, int required)
{
	double x;

	return get_num(r, key, required, 0, 1, &x) == -1 ||
	    get_numobj(r, "components", 0) == -1 ||
	    get_numobj(r, "signals", 1) == -1 ? -1 : 0;
}

int
norm_decision(struct rec *r)
{
	if (event_head(r) == -1 ||
	    get_word(r, "action", 1, action_alias, action_canon,
	    "buy, sell or hold") == -1 ||
	    score_parts(r, "confidence", 0) == -1 ||
	    get_obj(r, "votes", 0) == -1 ||
	    get_name(r, "regime", 0, 0) == -1)
		return -1;
	keep_extras(r);
	return 0;
}

/* A boolean, written as it is; *b gets it. */
static int
get_bool(struct rec *r, const char *key, int required, int *b)
{
	const struct tl_jv *v = field(r, key);

	if (v == NULL)
		return required ? missing(r, key) : 0;
	if (v->type != TL_JTRUE && v->type != TL_JFALSE)
		return wrong(r, key, "boolean", v);
	*b = v->type == TL_JTRUE;
	put_key(r, key);
	tl_buf_adds(r->out, *b ? "true" : "false");
	return 1;
}

/* The fields a closed trade and a counterfactual share, from strategy
 * to exit_reason (fees required when fees_req); the event time is the
 * exit. */
static int
trade_fields(struct rec *r, int fees_req)
{
	int64_t entry, exit;
	double x;
	int has_entry;

	if (get_name(r, "strategy", 1, NAME_RENAME) == -1 ||
	    get_name(r, "symbol", 1, NAME_UPPER) == -1 ||
	    get_word(r, "side", 0, side_alias, side_canon,
	    "long or short") == -1 ||
	    (has_entry = get_time(r, "entry_ts", "entry_ts", 0, 0,
	    &entry)) == -1 ||
	    get_time(r, "exit_ts", "exit_ts", 1, 0, &exit) == -1 ||
	    get_num(r, "entry_price", 0, 0, MAX_MAGNITUDE, &x) == -1 ||
	    get_num(r, "exit_price", 0, 0, MAX_MAGNITUDE, &x) == -1 ||
	    get_num(r, "qty", 0, -MAX_MAGNITUDE, MAX_MAGNITUDE, &x) == -1 ||
	    get_num(r, "pnl", 1, -MAX_MAGNITUDE, MAX_MAGNITUDE, &x) == -1 ||
	    get_num(r, "fees", fees_req, -MAX_MAGNITUDE, MAX_MAGNITUDE,
	    &x) == -1 ||
	    get_num(r, "slippage", 0, 0, MAX_MAGNITUDE, &x) == -1 ||
	    get_num(r, "mfe", 0, -MAX_MAGNITUDE, MAX_MAGNITUDE, &x) == -1 ||
	    get_num(r, "mae", 0, -MAX_MAGNITUDE, MAX_MAGNITUDE, &x) == -1 ||
	    get_name(r, "exit_reason", 0, 0) == -1)
		return -1;
	if (has_entry && exit < entry)
		return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
		    "field 'exit_ts': before entry_ts");
	r->when = exit;
	return 0;
}

int
norm_outcome(struct rec *r)
{
	if (get_id(r, "id", "id", 1) == -1 ||
	    get_id(r, "decision_id", "decision_id", 0) == -1 ||
	    trade_fields(r, 0) == -1)
		return -1;
	keep_extras(r);
	return 0;
}

int
norm_signal(struct rec *r)
{
	double x;
	int executed = 0, blocked;

	if (event_head(r) == -1 ||
	    get_word(r, "side", 1, side_alias, side_canon,
	    "long or short") == -1 ||
	    score_parts(r, "conviction", 1) == -1 ||
	    get_bool(r, "executed", 1, &executed) == -1 ||
	    (blocked = get_name(r, "blocked_by", 0, 0)) == -1 ||
	    get_id(r, "decision_id", "decision_id", 0) == -1 ||
	    get_name(r, "regime", 0, 0) == -1 ||
	    get_num(r, "expected_edge", 0, -MAX_MAGNITUDE, MAX_MAGNITUDE,
	    &x) == -1 ||
	    get_name(r, "venue", 0, 0) == -1)
		return -1;
	if (executed && blocked)
		return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
		    "field 'blocked_by': an executed signal was not blocked");
	keep_extras(r);
	return 0;
}

/* A horizon: a duration (tl_dur_parse) or a number of seconds in (0,
 * 1e9], written in the largest unit that divides it ("15m"). */
static int
get_horizon(struct rec *r, const char *key)
{
	const struct tl_jv *v = field(r, key);
	char buf[TL_DUR_BUFSZ];
	double sec = 0;
	int n;

	if (v == NULL)
		return missing(r, key);
	if (v->type == TL_JNUM)
		sec = v->num;
	else if (v->type != TL_JSTR)
		return wrong(r, key, "duration", v);
	else if (tl_dur_parse(v->s, v->len, &sec) == -1)
		return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
		    "field '%s': '%.*s' is not a duration (1m, 15m, 1h, 1d "
		    "or seconds)", key, (int)(v->len < 64 ? v->len : 64),
		    v->s);
	if (!(sec > 0) || sec > 1e9) {
		tl_fmt_double(buf, sec);
		return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
		    "field '%s': %s is not a number of seconds in (0, 1e9]",
		    key, buf);
	}
	put_key(r, key);
	n = tl_dur_format(buf, sec);
	tl_jv_append_string(r->out, buf, (size_t)n);
	return 1;
}

/* A signal outcome has no time of its own: it is known at its signal's
 * time plus its horizon, which the join checks against --until. */
int
norm_signal_outcome(struct rec *r)
{
	double x;
	int hit;

	if (get_id(r, "signal_id", "signal_id", 1) == -1 ||
	    get_horizon(r, "horizon") == -1 ||
	    get_num(r, "move", 1, -MAX_MAGNITUDE, MAX_MAGNITUDE, &x) == -1 ||
	    get_bool(r, "hit", 1, &hit) == -1 ||
	    get_num(r, "ev", 1, -MAX_MAGNITUDE, MAX_MAGNITUDE, &x) == -1 ||
	    get_name(r, "fee_model", 0, 0) == -1 ||
	    get_num(r, "cost", 0, 0, MAX_MAGNITUDE, &x) == -1)
		return -1;
	keep_extras(r);
	return 0;
}

int
norm_counterfactual(struct rec *r)
{
	int cf = 0;

	if (get_id(r, "id", "id", 1) == -1 ||
	    get_id(r, "signal_id", "signal_id", 1) == -1 ||
	    get_bool(r, "counterfactual", 1, &cf) == -1)
		return -1;
	if (!cf)
		return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
		    "field 'counterfactual': false (a realized trade is an "
		    "outcome: --kind outcome)");
	if (trade_fields(r, 1) == -1)
		return -1;
	keep_extras(r);
	return 0;
}

int
norm_run(struct rec *r)
{
	const struct tl_jv *m;
	int64_t ms = INT64_MIN;

	/* known when it ended (else started); with neither, always kept */
	if (get_id(r, "id", "id", 1) == -1 ||
	    get_name(r, "kind", 0, 0) == -1 ||
	    get_name(r, "strategy", 1, NAME_RENAME) == -1 ||
	    get_id(r, "period", "period", 1) == -1 ||
	    get_time(r, "start", "start", 0, 1, &r->when) == -1 ||
	    get_time(r, "end", "end", 0, 1, &ms) == -1 ||
	    get_obj(r, "genome", 1) == -1 ||
	    get_numobj(r, "metrics", 1) == -1)
		return -1;
	if ((m = field(r, "metrics")) == NULL)
		return missing(r, "metrics");
	if ((m = tl_jv_get(r->d, m, "roi")) == NULL || m->type != TL_JNUM)
		return m == NULL ? missing(r, "metrics.roi") :
		    wrong(r, "metrics.roi", "number", m);
	/* sharpe when the source has one: freqtrade's older exports and
	 * some hyperopt epochs have none, and roi is the target */
	if ((m = tl_jv_get(r->d, field(r, "metrics"), "sharpe")) != NULL &&
	    m->type != TL_JNUM)
		return wrong(r, "metrics.sharpe", "number", m);
	if (ms != INT64_MIN)
		r->when = ms;
	keep_extras(r);
	return 0;
}

/* The event time: ts, else the field alt (promoted_at, retired_at), both
 * written as ts.  alt is then not kept as an extra field. */
static int
get_ts_or(struct rec *r, const char *alt)
{
	if (field(r, "ts") != NULL || field(r, alt) == NULL)
		return get_time(r, "ts", "ts", 1, 0, &r->when);
	if (get_time(r, alt, "ts", 1, 0, &r->when) == -1)
		return -1;
	if (r->ndone < MAX_DONE) {
		r->donelen[r->ndone] = strlen(alt);
		r->done[r->ndone++] = alt;
	}
	return 1;
}

int
norm_promotion(struct rec *r)
{
	if (get_name(r, "strategy", 1, NAME_RENAME) == -1 ||
	    get_ts_or(r, "promoted_at") == -1 ||
	    get_id(r, "run_id", "run_id", 0) == -1 ||
	    get_numobj(r, "in_sample", 0) == -1)
		return -1;
	keep_extras(r);
	return 0;
}

int
norm_retirement(struct rec *r)
{
	if (get_name(r, "strategy", 1, NAME_RENAME) == -1 ||
	    get_ts_or(r, "retired_at") == -1 ||
	    get_name(r, "reason", 0, 0) == -1 ||
	    get_name(r, "replaced_by", 0, NAME_RENAME) == -1)
		return -1;
	keep_extras(r);
	return 0;
}

/* Stage one: check and normalise one record (JSON text), parsed into
 * doc, into out (empty), and its top level into ix (unless NULL).  It
 * reads nothing of s but the options, so that any thread can run it.
 * Returns 0 (the canonical text in out), 1 to
 * reject (why set) or 2 when it happened after --until.  *kp and *rule
 * get the record's kind and the rule that gave it (see kind_of), when it
 * is known; *renamed whether --aliases renamed a strategy. */
int
normalise(const struct state *s, struct tl_jdoc *doc, struct tl_buf *out,
    struct topidx *ix, const struct file_kind *fk, enum tl_kind *kp,
    const char **rule, int *renamed, const char *text, size_t len,
    const char *name, unsigned long line, struct tl_err *why)
{
	struct rec r;
	struct lookup last = { NULL, NULL };
	const struct tl_jv *c;
	enum tl_kind k;

	if (tl_jdoc_parse(doc, text, len, name, line, why) == -1)
		return 1;
	if (doc->v[0].type != TL_JOBJ)
		return tl_err_set(why, TL_EX_DATAERR, name, line,
		    "expected an object, got %s",
		    tl_jv_typename(&doc->v[0])), 1;
	memset(&r, 0, sizeof(r));
	r.o = s->o;
	r.d = doc;
	r.in = &doc->v[0];
	r.last = &last;
	r.out = out;
	r.name = name;
	r.line = line;
	r.err = why;
	r.when = INT64_MIN;
	r.alias = s->alias;
	for (c = tl_jv_child(doc, r.in); c != NULL; c = tl_jv_next(doc, r.in, c))
		if (c->keylen > 0)
			r.keys |= key_bit(c->key, c->keylen);
	if ((r.ix = ix) != NULL) {
		tl_buf_reset(&ix->b);
		ix->n = 0;
	}
	if ((k = *kp = kind_of(&r, fk, rule)) == TL_KIND_NONE)
		return tl_err_set(why, TL_EX_DATAERR, name, line,
		    "cannot tell the record kind (%s): use --kind",
		    s->kind_list), 1;
	if (kind_ops[k].norm(&r) == -1)
		return 1;
	*renamed = r.renamed;
	return r.when > s->o->until ? 2 : 0;
}
