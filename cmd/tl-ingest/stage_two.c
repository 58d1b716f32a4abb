/*
 * tl-ingest: stage two, in the order of the input.  The facts of a
 * canonical record (its dedup key and content hashes, join id, a closed
 * trade's day and net P&L), de-duplication, the counts, and where the
 * record goes: its output, a join, the returns, the runs.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "tl_err.h"
#include "tl_jv.h"
#include "tl_kind.h"
#include "tl_map.h"
#include "tl_time.h"
#include "tl_u64map.h"
#include "tl_util.h"

#include "ingest.h"

/* The facts of canonical record text[0..len) of kind k, parsed in c
 * (pointers into c and text); key is scratch.  The dedup key is kind and
 * the fields of its key in kind_ops (id; promotions and retirements:
 * strategy and time); the content is compared by a hash of its text. */
void
facts_of(struct tl_buf *key, enum tl_kind k, const struct tl_jdoc *c,
    const char *text, size_t len, struct facts *fx)
{
	const struct tl_jv *root = &c->v[0], *v;
	int64_t ms;
	size_t i;

	memset(fx, 0, sizeof(*fx));
	fx->tf.net = NAN;
	tl_buf_reset(key);
	tl_buf_addc(key, (char)('0' + k));
	for (i = 0; i < TL_NELEM(kind_ops[k].key) && kind_ops[k].key[i] !=
	    NULL; i++) {
		if (i > 0)
			tl_buf_addc(key, '\0');
		v = tl_jv_get(c, root, kind_ops[k].key[i]);
		tl_buf_add(key, v->s, v->len);
	}
	fx->kh = tl_hash64(key->data, key->len);
	fx->kh += fx->kh == 0;
	fx->ch = tl_hash64_text(text, len);
	if (k == TL_KIND_DECISION)
		v = tl_jv_get(c, root, "id");
	else if (k == TL_KIND_OUTCOME)
		v = tl_jv_get(c, root, "decision_id");
	else
		return;
	if (v != NULL) {
		fx->jid = v->s;
		fx->jlen = v->len;
		fx->jh = tl_hash64(v->s, v->len);
		fx->jh += fx->jh == 0;
	}
	if (k != TL_KIND_OUTCOME)
		return;
	v = tl_jv_get(c, root, "strategy");
	fx->strat = v->s;
	fx->slen = v->len;
	v = tl_jv_get(c, root, "exit_ts");
	tl_time_parse(v->s, v->len, &ms);
	fx->tf.exit_ms = ms;
	fx->tf.net = net_pnl(c, root);
}

/* Is the record of fx new?  The dedup index maps a hash of kind and id to
 * a hash of the content: two different ids share a key hash with
 * probability ~n^2/2^65 (1e-7 at 2M records), and such a record would be
 * reported as a duplicate, never dropped silently.  Sets fx->seen (a
 * caller may ask for the records of a batch in their order before their
 * stage two, which then takes the answer); with oracle.c's files, they
 * answer. */
void
dedup(struct state *s, struct facts *fx)
{
	uint64_t *slot;
	int added, d;

	if (s->orc != NULL)
		d = oracle_status(s->orc, s->item);
	else if ((slot = tl_u64map_put(&s->seen, fx->kh, &added)), !added)
		d = *slot == fx->ch ? 0 : -1;
	else {
		*slot = fx->ch;
		d = 1;
	}
	fx->seen = d == 1 ? SEEN_NEW : d == 0 ? SEEN_SAME : SEEN_CONFLICT;
}

/* Stage two of a record that stage one found after --until (canonical
 * text[0..len) of kind k): counted, and a signal's id kept, as what joins
 * it is later too. */
void
take_later(struct state *s, enum tl_kind k, const char *text, size_t len)
{
	struct tl_jdoc *c = &s->cdoc;
	const struct tl_jv *id;
	int added;

	s->c.later++;
	s->c.later_kinds[k]++;
	if (k != TL_KIND_SIGNAL)
		return;
	tl_jdoc_parse_own(c, text, len);	/* ours: it parses */
	id = tl_jv_get(c, &c->v[0], "id");
	tl_map_put(s->late_sigs, id->s, id->len, &added);
}

/* Stage two, in the order of the input: de-duplicate, count, write and
 * join the canonical record text[0..len) of kind k (from name:line).
 * Returns 0 (taken, or an identical duplicate), 1 to reject a
 * conflicting duplicate (why set) or -1 on a fatal output error (err
 * set). */
int
stage_two(struct state *s, enum tl_kind k, const char *text, size_t len,
    int renamed, struct facts *fx, const char *name, unsigned long line,
    struct tl_err *why, struct tl_err *err)
{
	const struct kind_ops *ops = &kind_ops[k];
	struct tl_jdoc *c = &s->cdoc;
	const struct tl_jv *id;
	int rc;

	if (fx->seen == SEEN_ASK)
		dedup(s, fx);
	if (fx->seen != SEEN_NEW) {
		if (fx->seen == SEEN_SAME) {
			s->c.dups++;
			return 0;
		}
		s->c.conflicts++;
		tl_jdoc_parse_own(c, text, len);	/* ours */
		id = tl_jv_get(c, &c->v[0], ops->key[0]);
		return tl_err_set(why, TL_EX_DATAERR, name, line,
		    "conflicting duplicate of %s '%.*s' (the first is kept)",
		    tl_kind_names[k], (int)(id->len < 64 ? id->len : 64),
		    id->s), 1;
	}
	s->c.accepted++;
	s->c.kinds[k]++;
	s->c.renamed += (unsigned long)renamed;
	if (ops->parsed && ops->indexed && fx->mem != NULL)	/* a run */
		tl_jdoc_from_index(c, text, len, fx->mem, fx->nmem);
	else if (ops->parsed)	/* ours: it parses */
		tl_jdoc_parse_own(c, text, len);
	if (ops->by_signal)
		return join_signal(s, k, c, text, len, err) == -1 ? -1 : 0;
	rc = emit_text(s, ops->emit, text, len, err);
	if (rc == 0 && k == TL_KIND_SIGNAL)
		rc = keep_signal(s, c, text, len, err);
	if (k == TL_KIND_OUTCOME)
		add_return(s, fx);
	if (k == TL_KIND_RUN)
		keep_run(s, c);
	if (rc == 0 && (k == TL_KIND_DECISION || k == TL_KIND_OUTCOME))
		rc = join(s, k, fx, text, len, err);
	return rc == -1 ? -1 : 0;
}
