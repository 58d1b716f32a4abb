/*
 * tl-ingest: the joins.  Decisions wait for their outcome and outcomes
 * for their decision (pend_dec, pend_out); signal outcomes and
 * counterfactuals wait for their signal (pend_sig).  What is still
 * waiting at the end is written as unmatched.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tl_err.h"
#include "tl_jv.h"
#include "tl_kind.h"
#include "tl_map.h"
#include "tl_u64map.h"
#include "tl_util.h"

#include "ingest.h"

/* A decision or outcome waiting for the other side: its text, its
 * place in the order of waiting (what is left at the end is written in
 * it, as oracle.c does), its top level (tl_jv_index) after the text's
 * NUL when stage one made it, and its join id after that.  The waiting
 * of one id hash are a list (two ids of one hash: ~n^2/2^65, but not
 * mixed up then). */
struct waiting {
	struct waiting	*next;		/* of the same id hash */
	unsigned long	 seq;
	struct trade_facts tf;		/* an outcome's */
	size_t		 len;		/* of text */
	size_t		 nmem;		/* members after it, if has_mem */
	size_t		 jlen;		/* of the join id */
	int		 has_mem;
	char		 text[];
};

/* Does w wait under the join id of fx? */
static int
waits_for(const struct waiting *w, const struct facts *fx)
{
	return w->jlen == fx->jlen && memcmp(w->text + w->len + 1 +
	    (w->has_mem ? w->nmem * sizeof(struct tl_jv_member) : 0),
	    fx->jid, fx->jlen) == 0;
}

/* One side of a trade: canonical text, its top level or NULL, and an
 * outcome's facts (net NAN: not known). */
struct side {
	const char	*text;
	size_t		 len;
	const void	*mem;
	size_t		 nmem;
	struct trade_facts tf;
};

/* What waits in pend under the id of fx: taken out if there (new, for
 * the caller to free). */
static struct waiting *
take(struct tl_u64map *pend, const struct facts *fx)
{
	struct waiting *w, *prev = NULL;
	uint64_t *slot, gone;

	if ((slot = tl_u64map_get(pend, fx->jh)) == NULL)
		return NULL;
	/* the slot holds the list's head as a number, never written
	 * through a pointer of another type (which the compiler may
	 * assume leaves the number as it was) */
	for (w = (struct waiting *)(uintptr_t)*slot; w != NULL;
	    prev = w, w = w->next)
		if (waits_for(w, fx))
			break;
	if (w == NULL)
		return NULL;
	if (prev != NULL)
		prev->next = w->next;
	else if (w->next != NULL)
		*slot = (uint64_t)(uintptr_t)w->next;
	else		/* the last of its hash: the table stays small */
		tl_u64map_del(pend, fx->jh, &gone);
	return w;
}

/* Waiting side, by join key.  This is the join index: it holds the
 * decisions whose outcome has not been read yet (and outcomes read before
 * their decision), as canonical text.  A second record for a key already
 * waiting is -1. */
static int
wait_for(struct state *s, struct tl_u64map *pend, const struct facts *fx,
    const struct side *me)
{
	struct waiting *w, *last = NULL;
	uint64_t *slot;
	size_t msize = me->mem != NULL ? me->nmem *
	    sizeof(struct tl_jv_member) : 0;
	int added;

	slot = tl_u64map_put(pend, fx->jh, &added);
	for (w = (struct waiting *)(uintptr_t)*slot; w != NULL;
	    last = w, w = w->next)
		if (waits_for(w, fx))
			return -1;
	w = tl_xmalloc(sizeof(*w) + me->len + 1 + msize + fx->jlen);
	w->next = NULL;
	w->jlen = fx->jlen;
	w->seq = s->wseq++;
	w->tf = me->tf;
	w->len = me->len;
	w->nmem = me->nmem;
	w->has_mem = me->mem != NULL;
	memcpy(w->text, me->text, me->len);
	w->text[me->len] = '\0';
	if (msize > 0)
		memcpy(w->text + me->len + 1, me->mem, msize);
	memcpy(w->text + me->len + 1 + msize, fx->jid, fx->jlen);
	if (last != NULL)
		last->next = w;
	else
		*slot = (uint64_t)(uintptr_t)w;
	return 0;
}

/* The document of one side in d: made of its top level, else parsed
 * (canonical, ours: it parses). */
static const struct tl_jdoc *
side_doc(struct tl_jdoc *d, const struct side *x)
{
	if (x->mem != NULL)
		tl_jdoc_from_index(d, x->text, x->len, x->mem, x->nmem);
	else
		tl_jdoc_parse_own(d, x->text, x->len);
	return d;
}

/* A trade of decision dec and outcome oc. */
static int
trade(struct state *s, const struct side *dec, const struct side *oc,
    struct tl_err *err)
{
	return write_trade(s, side_doc(&s->cdoc, dec), side_doc(&s->tdoc, oc),
	    &oc->tf, err);
}

/* join() with stage two's answers read from oracle.c's files. */
static int
join_told(struct state *s, enum tl_kind k, const struct facts *fx,
    const char *text, size_t len, struct tl_err *err)
{
	struct side me = { text, len, fx->mem, fx->nmem, fx->tf };
	struct side other = { NULL, 0, NULL, 0, { NAN, 0 } };
	int ev;

	if ((ev = oracle_event(s->orc, s->item, &other.text, &other.len,
	    err)) <= 0)
		return ev;
	if (ev == EV_ORPHAN) {
		s->c.orphans++;
		return emit_unmatched(s, "outcome", text, err);
	}
	return k == TL_KIND_DECISION ? trade(s, &me, &other, err) :
	    trade(s, &other, &me, err);
}

/* Join a new decision or outcome (canonical text) with its waiting
 * partner, or wait. */
int
join(struct state *s, enum tl_kind k, const struct facts *fx, const char *text,
    size_t len, struct tl_err *err)
{
	struct tl_u64map *mine, *theirs;
	struct waiting *other;
	struct side me = { text, len, fx->mem, fx->nmem, fx->tf }, them;
	int rc;

	if (k == TL_KIND_OUTCOME && fx->jid == NULL) {
		s->c.orphans++;
		return emit_unmatched(s, "outcome", text, err);
	}
	if (s->orc != NULL)
		return join_told(s, k, fx, text, len, err);
	mine = k == TL_KIND_DECISION ? &s->pend_dec : &s->pend_out;
	theirs = k == TL_KIND_DECISION ? &s->pend_out : &s->pend_dec;
	if ((other = take(theirs, fx)) != NULL) {
		them.text = other->text;
		them.len = other->len;
		them.mem = other->has_mem ? other->text + other->len + 1 : NULL;
		them.nmem = other->nmem;
		them.tf = other->tf;
		rc = k == TL_KIND_DECISION ? trade(s, &me, &them, err) :
		    trade(s, &them, &me, err);
		free(other);
		return rc;
	}
	if (wait_for(s, mine, fx, &me) == -1 &&
	    k == TL_KIND_OUTCOME) {
		/* a second outcome for a decision still unseen (a second
		 * decision of an id is a duplicate: never here) */
		s->c.orphans++;
		return emit_unmatched(s, "outcome", text, err);
	}
	return 0;
}

/* A record accepted and then found to be after --until (by its signal's
 * time): left out, as those found at once. */
void
leave_out(struct state *s, enum tl_kind k)
{
	s->c.accepted--;
	s->c.kinds[k]--;
	s->c.later++;
	s->c.later_kinds[k]++;
}

/* The tag of a waiting record's kind in pend_sig, and back. */
static const struct {
	char		 tag;
	enum tl_kind	 kind;
} sig_tags[] = {
	{ 'o', TL_KIND_SIGNAL_OUTCOME }, { 'c', TL_KIND_COUNTERFACTUAL }
};

static char
tag_of(enum tl_kind k)
{
	size_t i;

	for (i = 0; i < TL_NELEM(sig_tags) && sig_tags[i].kind != k; i++)
		;
	return sig_tags[i].tag;
}

static enum tl_kind
kind_of_tag(char c)
{
	size_t i;

	for (i = 0; i < TL_NELEM(sig_tags) && sig_tags[i].tag != c; i++)
		;
	return sig_tags[i].kind;
}

/* A signal outcome or counterfactual (canonical text, parsed in c):
 * joined with its signal if read, else waiting for it (its text tagged
 * with its kind, one a line, after those waiting already). */
int
join_signal(struct state *s, enum tl_kind k, const struct tl_jdoc *c,
    const char *text, size_t len, struct tl_err *err)
{
	const struct tl_jv *id = tl_jv_get(c, &c->v[0], "signal_id");
	uintptr_t *slot;
	struct tl_buf b;
	const char *sig;
	int added;

	if ((slot = tl_map_get(s->sigs, id->s, id->len)) != NULL) {
		sig = (const char *)*slot;
		tl_jdoc_parse_own(&s->sdoc, sig, strlen(sig));
		return write_by_signal(s, k, &s->sdoc, c, err);
	}
	slot = tl_map_put(s->pend_sig, id->s, id->len, &added);
	tl_buf_init(&b);
	if (!added) {
		tl_buf_adds(&b, (char *)*slot);
		free((char *)*slot);
	}
	tl_buf_addc(&b, tag_of(k));
	tl_buf_add(&b, text, len);
	tl_buf_addc(&b, '\n');
	*slot = (uintptr_t)tl_xstrndup(b.data, b.len);
	tl_buf_release(&b);
	return 0;
}

/* Call fn on each tagged line of a pend_sig value: its kind and text. */
static int
each_waiting(struct state *s, char *list,
    int (*fn)(struct state *, enum tl_kind, char *, size_t, const void *,
    struct tl_err *), const void *arg, struct tl_err *err)
{
	char *p, *nl;
	int rc = 0;

	for (p = list; rc == 0 && *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		rc = fn(s, kind_of_tag(*p), p + 1, (size_t)(nl - p - 1), arg,
		    err);
	}
	return rc;
}

static int
flush_one(struct state *s, enum tl_kind k, char *text, size_t n,
    const void *arg, struct tl_err *err)
{
	tl_jdoc_parse_own(&s->tdoc, text, n);
	return write_by_signal(s, k, arg, &s->tdoc, err);
}

/* A new signal (canonical text, parsed in c): kept for what joins it,
 * the records waiting for it written. */
int
keep_signal(struct state *s, const struct tl_jdoc *c, const char *text,
    size_t len, struct tl_err *err)
{
	const struct tl_jv *id = tl_jv_get(c, &c->v[0], "id"), *d;
	uintptr_t *slot, v;
	char *list;
	int added, rc = 0;

	slot = tl_map_put(s->sigs, id->s, id->len, &added);
	*slot = (uintptr_t)tl_xstrndup(text, len);
	if ((d = tl_jv_get(c, &c->v[0], "decision_id")) != NULL) {
		slot = tl_map_put(s->sig_of_dec, d->s, d->len, &added);
		if (added)	/* the first signal that names it */
			*slot = (uintptr_t)tl_xstrndup(id->s, id->len);
	}
	if (tl_map_take(s->pend_sig, id->s, id->len, &v)) {
		list = (char *)v;
		rc = each_waiting(s, list, flush_one, c, err);
		free(list);
	}
	return rc;
}

static int
cmp_waiting(const void *a, const void *b)
{
	const struct waiting *x = *(struct waiting *const *)a;
	const struct waiting *y = *(struct waiting *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Decisions or outcomes (kind) left waiting in pend, in the order they
 * began to wait: written while rc is 0 (no earlier error), freed in any
 * case.  Returns rc, or -1 with err set on a write error. */
int
write_unmatched(struct state *s, struct tl_u64map *pend, const char *kind,
    unsigned long *count, int rc, struct tl_err *err)
{
	struct waiting **v = NULL, *w;
	struct tl_u64slot *heads;
	size_t nheads, cap, n = 0, i;

	/* a list per id hash: almost always of one */
	heads = tl_u64map_take(pend, &nheads, &cap);
	cap = 0;
	for (i = 0; i < nheads; i++)
		for (w = (struct waiting *)(uintptr_t)heads[i].val; w != NULL;
		    w = w->next) {
			if (n == cap)
				v = tl_xreallocarray(v, cap = 2 * cap + nheads,
				    sizeof(*v));
			v[n++] = w;
		}
	free(heads);
	if (n > 0)	/* v is NULL when none waits */
		qsort(v, n, sizeof(*v), cmp_waiting);
	for (i = 0; i < n; i++) {
		(*count)++;
		if (rc == 0)
			rc = emit_unmatched(s, kind, v[i]->text, err);
		free(v[i]);
	}
	free(v);
	return rc;
}

/* write_unmatched() of what oracle.c's files say is left waiting:
 * the decisions, then the outcomes. */
int
write_left(struct state *s, unsigned long *undec, unsigned long *unout,
    int rc, struct tl_err *err)
{
	enum tl_kind k;
	const char *text;
	size_t len;
	int sec, got;

	for (sec = 0; sec < 2 && rc == 0; sec++) {
		if (oracle_section(s->orc, err) == -1)
			return -1;
		while ((got = oracle_left(s->orc, &k, &text, &len, err)) == 1) {
			(*(k == TL_KIND_DECISION ? undec : unout))++;
			if ((rc = emit_unmatched(s, tl_kind_names[k], text,
			    err)) == -1)
				break;
		}
		if (got == -1)
			rc = -1;
	}
	return rc;
}

static int
unmatched_one(struct state *s, enum tl_kind k, char *text, size_t n,
    const void *arg, struct tl_err *err)
{
	const int *late = arg;

	if (*late) {
		leave_out(s, k);
		return 0;
	}
	s->c.unsignalled++;
	text[n] = '\0';	/* was the newline */
	return emit_unmatched(s, tl_kind_names[k], text, err);
}

/* Signal outcomes and counterfactuals whose signal was never read, as
 * write_unmatched(); those of a signal after --until are later. */
int
write_unsignalled(struct state *s, int rc, struct tl_err *err)
{
	const char *key;
	uintptr_t v;
	size_t it, n;
	int late;

	for (it = 0; tl_map_next(s->pend_sig, &it, &key, &n, &v);) {
		late = tl_map_get(s->late_sigs, key, n) != NULL;
		if (rc == 0)
			rc = each_waiting(s, (char *)v, unmatched_one, &late,
			    err);
		free((char *)v);
	}
	return rc;
}
