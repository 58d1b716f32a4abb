/*
 * tl-ingest: what is written record by record: a rejected record with its
 * reason, a canonical record, an unmatched one tagged with its kind, and
 * the records a join makes (a trade from a decision and its outcome; a
 * signal outcome and a counterfactual with their signal's fields).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tl_err.h"
#include "tl_jv.h"
#include "tl_kind.h"
#include "tl_map.h"
#include "tl_num.h"
#include "tl_out.h"
#include "tl_policy.h"
#include "tl_records.h"
#include "tl_time.h"
#include "tl_util.h"

#include "ingest.h"

void
count_read(struct state *s, const char *file)
{
	struct file_tally *t;
	uintptr_t *slot;
	int added;

	s->c.read++;
	/* a file's records come one after the other: ask the map only
	 * when the file changes */
	if (s->ntally > 0 && strcmp(s->tally[s->tally_cur].name, file) == 0) {
		s->tally[s->tally_cur].read++;
		return;
	}
	if (s->tally_of == NULL)
		s->tally_of = tl_map_alloc();
	slot = tl_map_put(s->tally_of, file, strlen(file), &added);
	if (added) {
		if (s->ntally == s->atally) {
			s->atally = s->atally ? 2 * s->atally : 64;
			s->tally = tl_xreallocarray(s->tally, s->atally,
			    sizeof(*s->tally));
		}
		t = &s->tally[s->ntally];
		memset(t, 0, sizeof(*t));
		t->name = tl_xstrdup(file);
		*slot = ++s->ntally;
	}
	s->tally_cur = *slot - 1;
	s->tally[s->tally_cur].read++;
}

void
free_tally(struct state *s)
{
	size_t i;

	for (i = 0; i < s->ntally; i++) {
		free(s->tally[i].name);
		free(s->tally[i].reason);
	}
	free(s->tally);
	tl_map_free(s->tally_of);
}

/* Set a record aside.  Its reason is why's message and, when its kind is
 * known, the rule that gave it: "(kind run: file name word 'runs')".  The
 * raw text is kept exactly: as "raw" when it is valid UTF-8 without NUL,
 * else as "raw_hex"; full is the length of the record, more than n when
 * raw is only its start. */
int
reject(struct state *s, const char *file, unsigned long line, enum tl_kind k,
    const char *rule, struct tl_err *why, const char *raw, size_t n,
    size_t full, struct tl_err *err)
{
	static const char hex[] = "0123456789abcdef";
	json_t *r, *v;
	char *h;
	size_t i;
	int rc;

	s->c.rejected++;
	if (k != TL_KIND_NONE && rule != NULL)
		tl_err_set(why, why->code, why->where, 0, "%s (kind %s: %s)",
		    why->msg, tl_kind_names[k], rule);
	/* the record was counted under its file just before */
	if (s->ntally > 0 && s->tally[s->tally_cur].rejected++ == 0)
		s->tally[s->tally_cur].reason = tl_xstrdup(why->msg);
	if (s->o->verbose)
		tl_warn("%s: %s", why->where, why->msg);
	if (s->rej == NULL)
		return 0;
	r = json_object();
	json_object_set_new(r, "file", json_string(file));
	json_object_set_new(r, "line", json_integer((json_int_t)line));
	json_object_set_new(r, "kind", json_string(tl_kind_names[k]));
	json_object_set_new(r, "reason", json_string(why->msg));
	if (tl_utf8_valid(raw, n) && (v = json_stringn(raw, n)) != NULL)
		json_object_set_new(r, "raw", v);
	else {
		h = tl_xmalloc(2 * n + 1);
		for (i = 0; i < n; i++) {
			h[2 * i] = hex[(unsigned char)raw[i] >> 4];
			h[2 * i + 1] = hex[(unsigned char)raw[i] & 15];
		}
		json_object_set_new(r, "raw_hex", json_stringn(h, 2 * n));
		free(h);
	}
	if (full > n)	/* raw holds the start of a record too long */
		json_object_set_new(r, "raw_length",
		    json_integer((json_int_t)full));
	rc = tl_out_write(s->rej, r, err);
	json_decref(r);
	return rc;
}

/* Write a record given as compact JSON text (no newline). */
int
emit_text(struct state *s, enum emit e, const char *text, size_t n,
    struct tl_err *err)
{
	json_t *v;
	int rc;

	if (s->out[e] == NULL)
		return 0;
	if (tl_out_fmt(s->out[e]) == TL_FMT_JSONL)
		return tl_out_raw(s->out[e], text, n, err) == -1 ||
		    tl_out_raw(s->out[e], "\n", 1, err) == -1 ? -1 : 0;
	v = json_loadb(text, n, 0, NULL);	/* ours: valid */
	rc = tl_out_write(s->out[e], v, err);
	json_decref(v);
	return rc;
}

/* An unmatched decision or outcome, tagged with its kind. */
int
emit_unmatched(struct state *s, const char *kind, const char *text,
    struct tl_err *err)
{
	struct tl_buf *b = &s->tbuf;

	tl_buf_reset(b);
	tl_buf_adds(b, "{\"kind\":");
	tl_jv_append_string(b, kind, strlen(kind));
	tl_buf_addc(b, ',');
	tl_buf_adds(b, text + 1);	/* text is an object with keys */
	return emit_text(s, E_UNMATCHED, b->data, b->len, err);
}

#define SAME_DOCS	3	/* a trade's records: outcome, decision, signal */
#define SAME_PLACES	128	/* their members told by place, up to */

/* The trade being written: keys so far, so that extras never repeat. */
struct trade {
	struct tl_buf	*b;		/* the text */
	const char	*keys[MAX_DONE];	/* keys written */
	size_t		 lens[MAX_DONE];	/* their lengths */
	size_t		 n;		/* their number */
	/* members written under their own key, so in keys: by their
	 * place in their record when it is below SAME_PLACES, else listed */
	const struct tl_jdoc *sdoc[SAME_DOCS];
	uint64_t	 sbits[SAME_DOCS][SAME_PLACES / 64];
	size_t		 nsdoc;
	const struct tl_jv *same[MAX_DONE];
	size_t		 nsame;
	const struct tl_jdoc *nd;	/* the record copied from last */
	const struct tl_jv *near;	/* its member found last */
};

/* An empty trade written into b (its arrays are filled as they grow). */
static void
trade_init(struct trade *t, struct tl_buf *b)
{
	t->b = b;
	t->n = t->nsame = t->nsdoc = 0;
	t->nd = NULL;
	t->near = NULL;
}

/* The bits of record d's members written under their own key (added
 * when add and there is room), or NULL. */
static uint64_t *
same_bits(struct trade *t, const struct tl_jdoc *d, int add)
{
	size_t i;

	for (i = 0; i < t->nsdoc; i++)
		if (t->sdoc[i] == d)
			return t->sbits[i];
	if (!add || t->nsdoc == SAME_DOCS)
		return NULL;
	t->sdoc[t->nsdoc] = d;
	memset(t->sbits[t->nsdoc], 0, sizeof(t->sbits[0]));
	return t->sbits[t->nsdoc++];
}

/* Member v of d was written under its own key. */
static void
same_add(struct trade *t, const struct tl_jdoc *d, const struct tl_jv *v)
{
	size_t at = (size_t)(v - d->v);
	uint64_t *bits;

	if (at < SAME_PLACES && (bits = same_bits(t, d, 1)) != NULL)
		bits[at / 64] |= (uint64_t)1 << at % 64;
	else
		t->same[t->nsame++] = v;
}

static int
same_has(struct trade *t, const struct tl_jdoc *d, const struct tl_jv *v)
{
	size_t i, at = (size_t)(v - d->v);
	uint64_t *bits;

	if (at < SAME_PLACES && (bits = same_bits(t, d, 0)) != NULL &&
	    (bits[at / 64] >> at % 64 & 1))
		return 1;
	for (i = 0; i < t->nsame; i++)
		if (t->same[i] == v)
			return 1;
	return 0;
}

static int
trade_has(const struct trade *t, const char *key, size_t n)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->lens[i] == n && memcmp(t->keys[i], key, n) == 0)
			return 1;
	return 0;
}

/* Begin member key[0..n) of the trade: one of our names (nothing to
 * escape), or with extra a record's key as a parse gives it. */
static void
trade_key_of(struct trade *t, const char *key, size_t n, int extra)
{
	tl_jv_append_sep_key(t->b, t->b->len > 0 ? ',' : '{', key, n,
	    !extra);
	if (t->n < MAX_DONE) {
		t->keys[t->n] = key;
		t->lens[t->n++] = n;
	}
}

static void
trade_key(struct trade *t, const char *key, size_t n)
{
	trade_key_of(t, key, n, 0);
}

/* Copy member key of root (if present) under the name out. */
static void
trade_copy(struct trade *t, const struct tl_jdoc *d, const char *key,
    const char *out)
{
	const struct tl_jv *v;
	size_t n = strlen(key);

	if (d != t->nd) {
		t->nd = d;
		t->near = NULL;
	}
	/* most keys are copied in the order of the record: found at once */
	if ((v = tl_jv_get_near(d, &d->v[0], key, n, &t->near)) == NULL)
		return;
	if (key == out && t->n < MAX_DONE)	/* its key goes into keys */
		same_add(t, d, v);
	trade_key(t, out, key == out ? n : strlen(out));
	tl_jv_append_text(t->b, d, v);
}

static void
trade_num(struct trade *t, const char *key, double x)
{
	char num[TL_NUM_BUFSZ];
	int n;

	trade_key(t, key, strlen(key));
	n = tl_fmt_double(num, x);
	tl_buf_add(t->b, num, (size_t)n);
}

/* Copy the members keys[] (NULL-ended) of d. */
static void
trade_copy_all(struct trade *t, const struct tl_jdoc *d,
    const char *const *keys)
{
	size_t i;

	for (i = 0; keys[i] != NULL; i++)
		trade_copy(t, d, keys[i], keys[i]);
}

/* Copy the members of d that t does not have yet, but skip[] (NULL-ended
 * or NULL). */
static void
trade_extras(struct trade *t, const struct tl_jdoc *d,
    const char *const *skip)
{
	const struct tl_jv *root = &d->v[0], *v;
	size_t i;

	for (v = tl_jv_child(d, root); v != NULL; v = tl_jv_next(d, root, v)) {
		/* most members: found by place */
		if (same_has(t, d, v) || trade_has(t, v->key, v->keylen))
			continue;
		for (i = 0; skip != NULL && skip[i] != NULL; i++)
			if (strlen(skip[i]) == v->keylen &&
			    memcmp(skip[i], v->key, v->keylen) == 0)
				break;
		if (skip != NULL && skip[i] != NULL)
			continue;
		trade_key_of(t, v->key, v->keylen, 1);
		tl_jv_append_text(t->b, d, v);
	}
}

double
net_pnl(const struct tl_jdoc *c, const struct tl_jv *rec)
{
	const struct tl_jv *fees = tl_jv_get(c, rec, "fees");
	double pnl = tl_jv_get(c, rec, "pnl")->num;

	/* -139.32 less 1.29 is -140.61, as by hand, not the double next
	 * to it */
	if (fees == NULL)
		return pnl;
	return tl_exact_value(tl_exact_sub(tl_exact_of(pnl),
	    tl_exact_of(fees->num)));
}

/* The part a trade and a counterfactual share, from a closed trade's
 * canonical record od: entry_ts to exit_reason, with date, net_pnl, win
 * and hold_s; its net P&L and exit time from tf unless NULL or not known
 * there. */
static void
trade_body(struct trade *t, const struct tl_jdoc *od,
    const struct trade_facts *tf)
{
	static const char *const money[] = { "entry_price", "exit_price",
		"qty", "pnl", "fees", "slippage", NULL };
	static const char *const exit[] = { "mfe", "mae", "exit_reason",
		NULL };
	const struct tl_jv *orr = &od->v[0], *ex, *en;
	char date[TL_TIME_BUFSZ];
	int64_t exit_ms, entry_ms;
	double net;

	if (tf != NULL && !isnan(tf->net)) {
		exit_ms = tf->exit_ms;
		net = tf->net;
	} else {
		ex = tl_jv_get(od, orr, "exit_ts");
		tl_time_parse(ex->s, ex->len, &exit_ms);
		net = net_pnl(od, orr);
	}
	trade_copy(t, od, "entry_ts", "entry_ts");
	trade_copy(t, od, "exit_ts", "exit_ts");
	tl_time_format_date(date, exit_ms);
	trade_key(t, "date", 4);
	tl_jv_append_string(t->b, date, strlen(date));
	trade_copy_all(t, od, money);
	trade_num(t, "net_pnl", net);
	trade_key(t, "win", 3);
	tl_buf_adds(t->b, net > 0 ? "true" : "false");
	if ((en = tl_jv_get(od, orr, "entry_ts")) != NULL) {
		tl_time_parse(en->s, en->len, &entry_ms);
		trade_num(t, "hold_s", (double)(exit_ms - entry_ms) / 1000);
	}
	trade_copy_all(t, od, exit);
}

/* The signal (canonical, parsed into s->sdoc) that names decision dd as
 * the one it became; NULL when none was read. */
static const struct tl_jdoc *
signal_of_decision(struct state *s, const struct tl_jdoc *dd)
{
	const struct tl_jv *id = tl_jv_get(dd, &dd->v[0], "id");
	const char *sid, *text;
	uintptr_t *slot;

	if ((slot = tl_map_get(s->sig_of_dec, id->s, id->len)) == NULL)
		return NULL;
	sid = (const char *)*slot;
	text = (const char *)*tl_map_get(s->sigs, sid, strlen(sid));
	tl_jdoc_parse_own(&s->sdoc, text, strlen(text));
	return &s->sdoc;
}

/* Merge a decision and its outcome (canonical records, parsed; what
 * stage one knew of the outcome in tf) into one enriched trade, keys in
 * the order of tl(7), with the fields of the signal that became the
 * decision when it was read first. */
int
write_trade(struct state *s, const struct tl_jdoc *dd,
    const struct tl_jdoc *od, const struct trade_facts *tf,
    struct tl_err *err)
{
	static const char *const from_oc[] = { "id", "decision_id",
		"strategy", "symbol", "side", NULL };
	static const char *const from_dec[] = { "confidence", "components",
		"signals", "votes", "regime", NULL };
	static const char *const from_sig[] = { "conviction",
		"expected_edge", "venue", NULL };
	static const char *const not_dec[] = { "ts", "id", NULL };
	struct trade t;
	const struct tl_jdoc *sd;

	trade_init(&t, &s->tbuf);
	tl_buf_reset(t.b);
	trade_copy_all(&t, od, from_oc);
	trade_copy(&t, dd, "action", "action");
	trade_copy(&t, dd, "ts", "decision_ts");
	trade_body(&t, od, tf);
	trade_copy_all(&t, dd, from_dec);
	if ((sd = signal_of_decision(s, dd)) != NULL) {
		trade_copy(&t, sd, "id", "signal_id");
		trade_copy_all(&t, sd, from_sig);
	}
	/* extras: the outcome's, then the decision's, never overriding */
	trade_extras(&t, od, NULL);
	trade_extras(&t, dd, not_dec);
	tl_buf_addc(t.b, '}');
	s->c.joined++;
	return emit_text(s, E_TRADES, t.b->data, t.b->len, err);
}

/* A signal outcome (canonical, parsed in od) joined with its signal sd,
 * keys in the order of tl(7); left out when known (the signal's time
 * plus the horizon) after --until. */
static int
write_signal_outcome(struct state *s, const struct tl_jdoc *sd,
    const struct tl_jdoc *od, struct tl_err *err)
{
	static const char *const from_sig[] = { "ts", "strategy", "symbol",
		"side", "conviction", "executed", "blocked_by", "regime",
		NULL };
	static const char *const from_oc[] = { "move", "hit", "ev",
		"fee_model", "cost", NULL };
	struct trade t;
	const struct tl_jv *h = tl_jv_get(od, &od->v[0], "horizon");
	const struct tl_jv *ts = tl_jv_get(sd, &sd->v[0], "ts");
	double sec;
	int64_t ms;

	tl_dur_parse(h->s, h->len, &sec);	/* ours: a duration */
	tl_time_parse(ts->s, ts->len, &ms);
	if (ms > s->o->until || (double)(s->o->until - ms) < sec * 1000) {
		leave_out(s, TL_KIND_SIGNAL_OUTCOME);
		return 0;
	}
	trade_init(&t, &s->tbuf);
	tl_buf_reset(t.b);
	trade_copy(&t, od, "signal_id", "signal_id");
	trade_copy_all(&t, sd, from_sig);
	trade_copy(&t, od, "horizon", "horizon");
	trade_num(&t, "horizon_s", sec);
	trade_copy_all(&t, od, from_oc);
	trade_copy(&t, sd, "signals", "signals");
	trade_extras(&t, od, NULL);
	tl_buf_addc(t.b, '}');
	return emit_text(s, E_SIGNAL_OUTCOMES, t.b->data, t.b->len, err);
}

/* A counterfactual (canonical, parsed in cd) joined with its signal sd,
 * keys in the order of tl(7).  Never a return: add_return() reads
 * closed trades only. */
static int
write_counterfactual(struct state *s, const struct tl_jdoc *sd,
    const struct tl_jdoc *cd, struct tl_err *err)
{
	static const char *const head[] = { "id", "signal_id",
		"counterfactual", "strategy", "symbol", NULL };
	static const char *const from_sig[] = { "conviction", "blocked_by",
		"expected_edge", "regime", NULL };
	struct trade t;

	trade_init(&t, &s->tbuf);
	tl_buf_reset(t.b);
	trade_copy_all(&t, cd, head);
	trade_copy(&t, sd, "venue", "venue");
	trade_copy(&t, tl_jv_get(cd, &cd->v[0], "side") != NULL ? cd : sd,
	    "side", "side");
	trade_copy(&t, sd, "ts", "signal_ts");
	trade_body(&t, cd, NULL);
	trade_copy_all(&t, sd, from_sig);
	trade_extras(&t, cd, NULL);
	tl_buf_addc(t.b, '}');
	return emit_text(s, E_COUNTERFACTUALS, t.b->data, t.b->len, err);
}

/* Write the record text (a signal outcome or a counterfactual, as k
 * says) joined with the signal parsed in sd. */
int
write_by_signal(struct state *s, enum tl_kind k, const struct tl_jdoc *sd,
    const struct tl_jdoc *rd, struct tl_err *err)
{
	return k == TL_KIND_SIGNAL_OUTCOME ?
	    write_signal_outcome(s, sd, rd, err) :
	    write_counterfactual(s, sd, rd, err);
}
