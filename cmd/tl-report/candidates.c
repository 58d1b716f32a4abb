/*
 * tl-report: what the search learned and what it proposes.  The genome
 * trait table (importance.jsonl, tl-bayesopt importance): each genome
 * parameter's share of the variance of the runs' roi, with its bootstrap
 * interval, right below the meta-model's importances; then tomorrow's
 * candidates (candidates.jsonl, tl-bayesopt's proposals): how many, from
 * which source, and the best by the meta-model's predicted fitness (else
 * their score), with their parameters.
 */
#include <math.h>
#include <stdlib.h>

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

/* importance.jsonl (tl-bayesopt importance) */
static void
trait_fields(struct src *s, const json_t *in, json_t *o)
{
	puts_(o, "name", get_str(s, in, "name", 1));
	putn(o, "importance", get_num(s, in, "importance", 1));
	/* null without bootstrap refits */
	putn(o, "lo", get_num(s, in, "lo", 0));
	putn(o, "hi", get_num(s, in, "hi", 0));
}

/* The trait table when the night has one: the bayesopt step leaves it
 * out when the runs cannot explain roi (too few, or roi constant), and
 * says why in its warnings; then "traits" is null. */
static void
load_traits(struct night *n, struct sec *sec)
{
	char *path = path_of(n->dir, "importance.jsonl");
	json_t *rows = NULL;

	if (exists(path))
		rows = read_rows(n, sec, "importance.jsonl", trait_fields);
	free(path);
	if (rows == NULL) {
		put(sec->obj, "traits", json_null());
		return;
	}
	/* the file says "most important first": we sort anyway, and rank */
	put(sec->obj, "traits", ranked(rows, key_importance));
	json_decref(rows);
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

	load_traits(n, sec);
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

/* "4.2\xE2\x80\x9339.4%" (an en dash), the middle 95% of the bootstrap
 * refits; n/a without them */
static char *
cell_interval(const json_t *row, const char *key, int digits)
{
	char lo[TL_DOC_NUMSZ], hi[TL_DOC_NUMSZ];
	struct tl_buf b;

	(void)key;
	if (!isfinite(fnum(row, "lo")) || !isfinite(fnum(row, "hi")))
		return tl_xstrdup("n/a");
	tl_buf_init(&b);
	tl_buf_printf(&b, "%s\xE2\x80\x93%s", tl_doc_fmt_num(lo, 100 *
	    fnum(row, "lo"), digits), tl_doc_fmt_pct(hi, fnum(row, "hi"),
	    digits));
	return b.data;
}

/* the genome trait table, or one line saying why there is none */
static void
doc_traits(struct tl_doc *d, const json_t *cs, const struct night *n)
{
	static const struct tl_doc_col cols[] = {
		{ "#", 'r', tl_doc_cell_int, "rank", 0 },
		{ "Parameter", 'l', tl_doc_cell_code, "name", 0 },
		{ "Importance", 'r', tl_doc_cell_pct, "importance", 1 },
		{ "95% interval", 'r', cell_interval, "lo", 1 },
	};
	const json_t *traits = json_object_get(cs, "traits");
	struct tl_doc_block *t;
	size_t i, k;

	if (json_array_size(traits) == 0) {
		tl_doc_addf(d, TL_DOC_P, "No genome trait table tonight: no "
		    "importance.jsonl (it needs 10 runs whose roi varies; "
		    "the pipeline's warning, if any, is under Data health).");
		return;
	}
	t = tl_doc_add_cols(d, "What the search learned: genome traits by "
	    "importance", cols, TL_NELEM(cols));
	k = top_rows(traits, n);
	for (i = 0; i < k; i++)
		tl_doc_add_json_row(t, cols, json_array_get(traits, i), NULL);
	tl_doc_addf(d, TL_DOC_P, "Importance: each genome parameter's share "
	    "of the variance of the runs' roi (each run's return over its "
	    "period) explained by the search's forest (fANOVA, Hutter et al. 2014; the shares add up to 100%%); "
	    "95%% interval: the middle 95%% of the shares of forests refitted "
	    "on resampled runs (a share can fall outside it when few runs "
	    "carry a parameter's effect).%s", json_array_size(traits) > k ? " The "
	    "least important are left out (--top)." : "");
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

	doc_traits(d, cs, n);
	tl_buf_init(&b);
	tl_buf_printf(&b, "%s new candidate %s", tl_doc_fmt_int(num, fnum(cs,
	    "n")), plural(fnum(cs, "n"), "genome", "genomes"));
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
