/*
 * tl-report: tomorrow's candidates (candidates.jsonl, tl-bayesopt's
 * proposals): how many, from which source, and the best by the
 * meta-model's predicted fitness (else their score), with their
 * parameters.
 */
#include <math.h>

#include <jansson.h>

#include "tl_doc.h"
#include "tl_util.h"

#include "report.h"

/* candidates.jsonl (tl-bayesopt) */
static void
candidate_fields(struct src *s, const json_t *in, json_t *o)
{
	const json_t *p = jpath(in, "params");

	/* tl-bayesopt --params-field genome (the nightly's) writes them
	 * under "genome", as runs.jsonl has them */
	if (p == NULL)
		p = jpath(in, "genome");

	puts_(o, "source", get_str(s, in, "source", 0));
	putn(o, "score", get_num(s, in, "score", 0));
	putn(o, "prediction", get_num(s, in, "prediction", 0));
	putn(o, "prediction_sd", get_num(s, in, "prediction_sd", 0));
	if (json_is_object(p))
		put(o, "params", json_deep_copy(p));
	else {
		issue(s, "params", p == NULL ? "missing" : "not an object");
		put(o, "params", json_null());
	}
}

/* predicted fitness when there is one, else the score */
static double
key_candidate(const json_t *o)
{
	double p = fnum(o, "prediction");

	return isfinite(p) ? p : fnum(o, "score");
}

static void
load_candidates(struct night *n, struct sec *sec)
{
	json_t *all, *top, *src, *v;
	const char *name;
	size_t i;

	if ((all = read_rows(n, sec, "candidates.jsonl", candidate_fields)) ==
	    NULL)
		return;
	putn(sec->obj, "n", (double)json_array_size(all));
	src = json_object();
	json_array_foreach(all, i, v) {
		name = fstr(v, "source");
		name = name != NULL ? name : "unknown";
		json_object_set_new(src, name, json_integer(json_integer_value(
		    json_object_get(src, name)) + 1));
	}
	put(sec->obj, "by_source", src);
	top = sorted(all, key_candidate);
	while (json_array_size(top) > (size_t)n->top)
		json_array_remove(top, json_array_size(top) - 1);
	json_array_foreach(top, i, v)
		put(v, "rank", json_integer((json_int_t)i + 1));
	put(sec->obj, "top", top);
	json_decref(all);
}

static void
doc_candidates(struct tl_doc *d, const json_t *cs, const struct night *n)
{
	static const struct tl_doc_col cols[] = {
		{ "#", 'r', tl_doc_cell_int, "rank", 0 },
		{ "Source", 'l', tl_doc_cell_text, "source", 0 },
		{ "Predicted", 'r', tl_doc_cell_sig, "prediction", 3 },
		{ "SD", 'r', tl_doc_cell_sig, "prediction_sd", 3 },
		{ "Score", 'r', tl_doc_cell_sig, "score", 3 },
		{ "Parameters", 'w', tl_doc_cell_params, "params", 0 },
	};
	const json_t *top = json_object_get(cs, "top"), *v;
	char num[TL_DOC_NUMSZ];
	struct tl_doc_block *t;
	struct tl_buf b;
	const char *key;
	json_t *val;
	size_t i = 0;

	(void)n;
	tl_buf_init(&b);
	tl_buf_printf(&b, "%s new candidate genomes", tl_doc_fmt_int(num,
	    fnum(cs, "n")));
	json_object_foreach(json_object_get(cs, "by_source"), key, val) {
		tl_buf_adds(&b, i++ == 0 ? " (" : ", ");
		tl_doc_put_text(&b, key);
		tl_buf_printf(&b, " %s", tl_doc_fmt_int(num,
		    json_number_value(val)));
	}
	tl_buf_adds(&b, i > 0 ? ")." : ".");
	tl_doc_add(d, TL_DOC_P, &b);
	if (json_array_size(top) > 0) {
		t = tl_doc_add_cols(d, "Top candidates by predicted fitness "
		    "(else score)", cols, TL_NELEM(cols));
		json_array_foreach(top, i, v)
			tl_doc_add_json_row(t, cols, v, NULL);
		tl_doc_addf(d, TL_DOC_P, "Predicted: the genome model's "
		    "forecast of the target for the candidate, SD its spread "
		    "over the trees; Score: what the search ranked it by (TPE's "
		    "log l(x) - log g(x), how much more likely the candidate is "
		    "among the good trials than the others; for a screened one, "
		    "the optimistic prediction, mean + kappa SD toward the better "
		    "side, tl-bayesopt --kappa).");
	}
	tl_buf_release(&b);
}

const struct section candidates_section = {
	.name = "candidates", .title = "Candidates",
	.files = "candidates.jsonl", .load = load_candidates,
	.show = doc_candidates, .step = "bayesopt"
};
