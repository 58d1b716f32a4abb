/*
 * tl-ingest: record kinds.  The rules that tell a record's kind from its
 * fields and its file's name (kind_rules[], as in tl-ingest(1), INPUT),
 * and what each kind is: its normaliser, its output, its key
 * (kind_ops[]).
 */
#include <stdio.h>
#include <string.h>

#include "tl_jv.h"
#include "tl_kind.h"
#include "tl_util.h"

#include "ingest.h"

/* A record's kind is given by the first of these rules that applies: the
 * fields that make a record unambiguous first, then the file's name, then
 * single telling fields (tl-ingest(1), INPUT, has the same table).  A
 * rule applies when every field of has is there (not null) and, with is,
 * the field is[0] is the string is[1] in any case. */
static const struct kind_rule {
	const char	*why;		/* the rule in a reject's reason */
	enum tl_kind	 kind;		/* the kind it gives */
	int		 by_name;	/* 1: the file name's word decides */
	const char	*has[3];	/* fields that must be there */
	const char	*is[2];		/* a field and its value, or NULL */
} kind_rules[] = {
	/* a counterfactual has a closed trade's fields: its mark first,
	 * whatever its value, so that none is ever taken for a trade */
	{ "field 'counterfactual'", TL_KIND_COUNTERFACTUAL, 0,
	    { "counterfactual" }, { NULL } },
	{ "fields 'signal_id' and 'horizon'", TL_KIND_SIGNAL_OUTCOME, 0,
	    { "signal_id", "horizon" }, { NULL } },
	{ "fields 'conviction' and 'executed'", TL_KIND_SIGNAL, 0,
	    { "conviction", "executed" }, { NULL } },
	{ "fields 'pnl' and 'exit_ts'", TL_KIND_OUTCOME, 0,
	    { "pnl", "exit_ts" }, { NULL } },
	{ "fields 'genome' and 'metrics'", TL_KIND_RUN, 0,
	    { "genome", "metrics" }, { NULL } },
	{ "field 'retired_at'", TL_KIND_RETIREMENT, 0,
	    { "retired_at" }, { NULL } },
	{ "'status' is 'retired', with 'strategy' and 'ts'",
	    TL_KIND_RETIREMENT, 0, { "strategy", "ts" },
	    { "status", "retired" } },
	{ "'event' is 'retire', with 'strategy' and 'ts'",
	    TL_KIND_RETIREMENT, 0, { "strategy", "ts" },
	    { "event", "retire" } },
	{ NULL, TL_KIND_NONE, 1, { NULL }, { NULL } },
	{ "field 'genome'", TL_KIND_RUN, 0, { "genome" }, { NULL } },
	{ "field 'pnl'", TL_KIND_OUTCOME, 0, { "pnl" }, { NULL } },
	{ "field 'exit_ts'", TL_KIND_OUTCOME, 0, { "exit_ts" }, { NULL } },
	{ "field 'action'", TL_KIND_DECISION, 0, { "action" }, { NULL } },
	{ "field 'promoted_at'", TL_KIND_PROMOTION, 0, { "promoted_at" },
	    { NULL } },
	{ "fields 'strategy' and 'in_sample'", TL_KIND_PROMOTION, 0,
	    { "strategy", "in_sample" }, { NULL } },
	{ "field 'horizon'", TL_KIND_SIGNAL_OUTCOME, 0, { "horizon" },
	    { NULL } },
	{ "field 'executed'", TL_KIND_SIGNAL, 0, { "executed" }, { NULL } }
};

void
file_kind(struct file_kind *fk, const struct opts *o, const char *path)
{
	const char *word;
	size_t n;

	fk->forced = o->kind != TL_KIND_NONE;
	if (fk->forced) {
		fk->kind = o->kind;
		snprintf(fk->why, sizeof(fk->why), "--kind");
		return;
	}
	fk->kind = strcmp(path, "-") == 0 ? TL_KIND_NONE :
	    tl_kind_of_name(path, &word, &n);
	if (fk->kind != TL_KIND_NONE)
		snprintf(fk->why, sizeof(fk->why), "file name word '%.*s'",
		    (int)(n < 64 ? n : 64), word);
}

static int
rule_applies(const struct rec *r, const struct kind_rule *k)
{
	const struct tl_jv *v;
	size_t i;

	/* the value first: it is the rare part, so most records fail at it */
	if (k->is[0] != NULL && ((v = field(r, k->is[0])) == NULL ||
	    v->type != TL_JSTR || v->len != strlen(k->is[1]) ||
	    strncasecmp(v->s, k->is[1], v->len) != 0))
		return 0;
	for (i = 0; i < TL_NELEM(k->has) && k->has[i] != NULL; i++)
		if (field(r, k->has[i]) == NULL)
			return 0;
	return 1;
}

/* The kind of the record in r, and *why the rule that gave it (borrowed:
 * static, or fk's); TL_KIND_NONE and *why NULL when no rule applies. */
enum tl_kind
kind_of(const struct rec *r, const struct file_kind *fk, const char **why)
{
	size_t i;

	*why = fk->kind != TL_KIND_NONE ? fk->why : NULL;
	if (fk->forced)
		return fk->kind;
	for (i = 0; i < TL_NELEM(kind_rules); i++) {
		if (kind_rules[i].by_name) {
			if (fk->kind != TL_KIND_NONE)
				return fk->kind;
		} else if (rule_applies(r, &kind_rules[i])) {
			*why = kind_rules[i].why;
			return kind_rules[i].kind;
		}
	}
	*why = NULL;
	return TL_KIND_NONE;
}

/* What each kind is (struct kind_ops in ingest.h): its normaliser in
 * normalise.c, its output and its key fields. */
const struct kind_ops kind_ops[TL_KIND_N] = {
	[TL_KIND_DECISION] = { norm_decision, E_DECISIONS, { "id" }, 0, 0,
	    1 },
	[TL_KIND_OUTCOME] = { norm_outcome, E_OUTCOMES, { "id" }, 0, 0, 1 },
	[TL_KIND_RUN] = { norm_run, E_RUNS, { "id" }, 0, 1, 1 },
	[TL_KIND_PROMOTION] = { norm_promotion, E_PROMOTIONS,
	    { "strategy", "ts" } },
	[TL_KIND_RETIREMENT] = { norm_retirement, E_RETIREMENTS,
	    { "strategy", "ts" } },
	[TL_KIND_SIGNAL] = { norm_signal, E_SIGNALS, { "id" }, 0, 1 },
	[TL_KIND_SIGNAL_OUTCOME] = { norm_signal_outcome, E_SIGNAL_OUTCOMES,
	    { "signal_id", "horizon" }, 1, 1 },
	[TL_KIND_COUNTERFACTUAL] = { norm_counterfactual, E_COUNTERFACTUALS,
	    { "id" }, 1, 1 }
};
