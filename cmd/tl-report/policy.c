/*
 * tl-report: the trade engine's policy (tl-policy's gate.json, size.json,
 * hold.json, fee.json, horizon.json and breaker.json, with their facts
 * *-facts.jsonl): what changed tonight, from what to what and on what
 * evidence, what is held back for lack of data, and each circuit
 * breaker's state with its reasons.  A halted strategy or book needs
 * attention (facts.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tl_doc.h"
#include "tl_util.h"

#include "report.h"

/* The learned policies: the file, its format, the member of a fact that
 * holds the value, and the names of a group and a sub-group. */
static const struct pkind {
	const char	*name;		/* "gate": gate.json, gate-facts.jsonl */
	const char	*format;	/* of the policy file */
	const char	*value;		/* a fact's value */
	const char	*key;		/* a group's member */
	const char	*sub;		/* a sub-group's, or NULL */
} kinds[] = {
	{ "gate", "tl-policy-gate", "threshold", "strategy", "regime" },
	{ "size", "tl-policy-size", "multiplier", "bucket", NULL },
	{ "hold", "tl-policy-hold", "max_hold_s", "strategy", "regime" },
	{ "fee", "tl-policy-fee", "min_edge", "symbol", "venue" },
	{ "horizon", "tl-policy-horizon", "horizon_s", "signal", NULL },
};

/* The facts of one kind, as they are read. */
struct prows {
	const struct pkind *k;
	double		 min_obs;	/* the policy file's setting */
	json_t		*changes;	/* moved or capped */
	json_t		*held;		/* held for lack of observations */
	json_t		*counts;	/* status -> number */
};

/* "S0001", "S0001/bull" or "default" */
static void
put_group(struct src *s, const json_t *in, const struct pkind *k,
    json_t *o)
{
	const char *g = get_str(s, in, k->key, 0), *sub = k->sub != NULL ?
	    get_str(s, in, k->sub, 0) : NULL;
	struct tl_buf b;

	tl_buf_init(&b);
	tl_buf_printf(&b, "%s%s%s", g != NULL ? g : "default", sub != NULL ?
	    "/" : "", sub != NULL ? sub : "");
	puts_(o, "group", b.data);
	tl_buf_release(&b);
}

/* a line of X-facts.jsonl (tl-policy --facts) */
static void
fact_row(struct src *s, const json_t *in, void *ctx)
{
	struct prows *p = ctx;
	const char *st = get_str(s, in, "status", 0);
	json_t *o, *c;
	double n;

	if (st == NULL)		/* not a value's fact (a pair of signals) */
		return;
	c = json_object_get(p->counts, st);
	json_object_set_new(p->counts, st, json_integer(c != NULL ?
	    json_integer_value(c) + 1 : 1));
	n = get_num(s, in, "n", 0);
	if (strcmp(st, "moved") != 0 && strcmp(st, "capped") != 0 &&
	    !(strcmp(st, "held") == 0 && n < p->min_obs))
		return;
	o = json_object();
	puts_(o, "policy", p->k->name);
	put_group(s, in, p->k, o);
	putn(o, "n", n);
	if (strcmp(st, "held") == 0) {
		putn(o, "min_obs", p->min_obs);
		json_array_append_new(p->held, o);
		return;
	}
	putn(o, "from", get_num(s, in, "current", 0));
	putn(o, "to", get_num(s, in, p->k->value, 0));
	putn(o, "change", get_num(s, in, "change", 0));
	puts_(o, "status", st);
	puts_(o, "reason", get_str(s, in, "reason", 0));
	json_array_append_new(p->changes, o);
}

/* one series of breaker.json: its state, since when and why */
static void
breaker_row(struct src *s, const char *series, const json_t *in,
    json_t *out)
{
	const json_t *r = get_arr(s, in, "reasons", 0), *v;
	struct tl_buf b;
	json_t *o = json_object();
	size_t i;

	puts_(o, "series", series);
	puts_(o, "state", get_str(s, in, "state", 1));
	puts_(o, "since", get_str(s, in, "since", 0));
	tl_buf_init(&b);
	json_array_foreach(r, i, v)
		if (json_is_string(v))
			tl_buf_printf(&b, "%s%s", b.len > 0 ? "; " : "",
			    json_string_value(v));
	puts_(o, "reasons", b.len > 0 ? b.data : NULL);
	tl_buf_release(&b);
	json_array_append_new(out, o);
}

static void
load_breaker(struct night *n, struct sec *sec)
{
	struct src s = { .file = "breaker.json" };
	const char *key;
	json_t *in, *out, *v;

	if ((in = read_json(n, sec, "breaker.json", "tl-policy-breaker")) ==
	    NULL) {
		put(sec->obj, "breakers", json_null());
		return;
	}
	out = json_array();
	if ((v = json_object_get(in, "book")) != NULL)
		breaker_row(&s, "book", v, out);
	json_object_foreach(json_object_get(in, "groups"), key, v)
		breaker_row(&s, key, v, out);
	src_flush(n, sec, &s);
	put(sec->obj, "breakers", out);
	json_decref(in);
}

static void
load_policy(struct night *n, struct sec *sec)
{
	struct prows p;
	json_t *in, *counts = json_object();
	char name[64];
	size_t i;

	p.changes = json_array();
	p.held = json_array();
	for (i = 0; i < TL_NELEM(kinds); i++) {
		p.k = &kinds[i];
		snprintf(name, sizeof(name), "%s.json", kinds[i].name);
		if ((in = read_json(n, sec, name, kinds[i].format)) == NULL)
			continue;
		if (i == 0)
			puts_(sec->obj, "asof", fstr(in, "asof"));
		p.min_obs = fnum(json_object_get(in, "settings"), "min_obs");
		json_decref(in);
		p.counts = json_object();
		snprintf(name, sizeof(name), "%s-facts.jsonl", kinds[i].name);
		if (read_jsonl(n, sec, name, fact_row, NULL, &p) >= 0)
			put(counts, kinds[i].name, p.counts);
		else
			json_decref(p.counts);
	}
	put(sec->obj, "changes", p.changes);
	put(sec->obj, "held", p.held);
	put(sec->obj, "counts", counts);
	load_breaker(n, sec);
}

/* ---- the page --------------------------------------------------------- */

static void
doc_policy(struct tl_doc *d, const json_t *pf, const struct night *n)
{
	static const struct tl_doc_col ch[] = {
		{ "Policy", 'l', tl_doc_cell_code, "policy", 0 },
		{ "Group", 'l', tl_doc_cell_code, "group", 0 },
		{ "From", 'r', tl_doc_cell_sig, "from", 3 },
		{ "To", 'r', tl_doc_cell_sig, "to", 3 },
		{ "Change", 'r', tl_doc_cell_sig, "change", 2 },
		{ "n", 'r', tl_doc_cell_int, "n", 0 },
		{ "Evidence", 'w', tl_doc_cell_text, "reason", 0 },
	};
	static const struct tl_doc_col br[] = {
		{ "Series", 'l', tl_doc_cell_code, "series", 0 },
		{ "State", 'l', tl_doc_cell_code, "state", 0 },
		{ "Since", 'l', tl_doc_cell_text, "since", 0 },
		{ "Why", 'w', tl_doc_cell_text, "reasons", 0 },
	};
	const json_t *c = json_object_get(pf, "changes"), *h =
	    json_object_get(pf, "held"), *b = json_object_get(pf, "breakers"),
	    *v;
	char nb[COUNTSZ], mb[TL_DOC_NUMSZ];
	struct tl_doc_block *t;
	size_t i, k;

	if (fstr(pf, "asof") != NULL)
		tl_doc_addf(d, TL_DOC_P, "The trade engine's policy files as "
		    "of %s.", fstr(pf, "asof"));
	if (json_array_size(c) == 0)
		tl_doc_addf(d, TL_DOC_P, "No policy value moved tonight.");
	else {
		t = tl_doc_add_cols(d, "What changed tonight, and on what "
		    "evidence", ch, TL_NELEM(ch));
		tl_doc_table_scrolls(t);
		k = top_rows(c, n);
		for (i = 0; i < k; i++)
			tl_doc_add_json_row(t, ch, json_array_get(c, i), NULL);
		if (json_array_size(c) > k)
			tl_doc_addf(d, TL_DOC_P, "%zu more changes in the "
			    "*-facts.jsonl files.", json_array_size(c) - k);
	}
	if (json_array_size(h) > 0) {
		tl_doc_addf(d, TL_DOC_P, "Held back for lack of data (the value "
		    "in force stays):");
		k = top_rows(h, n);
		for (i = 0; i < k; i++) {
			v = json_array_get(h, i);
			tl_doc_addf(d, TL_DOC_LI, "%s %s: %s < %s",
			    fstr(v, "policy"), fstr(v, "group"),
			    count_of(nb, fnum(v, "n"), "observation",
			    "observations"),
			    tl_doc_fmt_int(mb, fnum(v, "min_obs")));
		}
		if (json_array_size(h) > k)
			tl_doc_addf(d, TL_DOC_P, "%zu more held back.",
			    json_array_size(h) - k);
	}
	if (json_array_size(b) > 0) {
		t = tl_doc_add_cols(d, "Circuit breakers", br, TL_NELEM(br));
		json_array_foreach(b, i, v)
			tl_doc_add_json_row(t, br, v, NULL);
	}
}

const struct section policy_section = {
	.name = "policy", .title = "Policy", .files = "gate.json",
	.load = load_policy, .show = doc_policy, .step = "policy",
	.optional = 1	/* only logs with signals have a policy */
};
