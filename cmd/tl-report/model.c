/*
 * tl-report: the meta-model (forest.json, tl-train-forest's summary): its
 * out-of-bag figures against the mean predictor, its skill (the share of
 * the mean predictor's error it removes) and the features it found most
 * important, ranked, with yesterday's rank beside them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "tl_doc.h"
#include "tl_svg.h"
#include "tl_util.h"

#include "report.h"

/* the kinds of importance, the first one there shown */
static const char *const importance_kinds[] = { "permutation",
	"impurity" };

/* forest.json (tl-train-forest summary) */
static void
forest_fields(struct src *s, const json_t *in, json_t *f)
{
	const json_t *arr, *e;
	json_t *imp = json_object(), *list;
	char key[64];
	size_t i, k;

	puts_(f, "task", get_str(s, in, "task", 0));
	puts_(f, "target", get_str(s, in, "target", 1));
	putn(f, "n_rows", get_num(s, in, "n_rows", 1));
	putn(f, "n_features", get_num(s, in, "n_features", 0));
	putn(f, "oob_r2", get_num(s, in, "oob.r2", 0));
	putn(f, "oob_mse", get_num(s, in, "oob.mse", 0));
	putn(f, "baseline_mse", get_num(s, in, "baseline.mse", 0));
	putn(f, "oob_accuracy", get_num(s, in, "oob.accuracy", 0));
	putn(f, "baseline_accuracy", get_num(s, in, "baseline.accuracy", 0));
	for (k = 0; k < TL_NELEM(importance_kinds); k++) {
		snprintf(key, sizeof(key), "importance.%s",
		    importance_kinds[k]);
		if ((arr = get_arr(s, in, key, 0)) == NULL)
			continue;
		list = json_array();
		json_array_foreach(arr, i, e) {
			json_t *o = json_object();

			puts_(o, "feature", get_str(s, e, "feature", 1));
			putn(o, "importance", get_num(s, e, "importance", 1));
			json_array_append_new(list, o);
		}
		put(imp, importance_kinds[k], list);
	}
	put(f, "importance", imp);
}

double
key_importance(const json_t *o)
{
	return fnum(o, "importance");
}

static void
load_model(struct night *n, struct sec *sec)
{
	struct src s = { .file = "forest.json" };
	json_t *in, *imp, *list;
	const char *kind = NULL;
	double mse, base;
	size_t i;

	if ((in = read_json(n, sec, "forest.json", "tl-forest-summary")) ==
	    NULL)
		return;
	forest_fields(&s, in, sec->obj);
	src_flush(n, sec, &s);
	json_decref(in);
	mse = fnum(sec->obj, "oob_mse");
	base = fnum(sec->obj, "baseline_mse");
	/* the share of the mean predictor's error the forest removes */
	putn(sec->obj, "skill", base > 0 ? 1 - mse / base : NAN);
	/* the files say "sorted descending": we sort anyway, and rank */
	imp = json_object_get(sec->obj, "importance");
	json_object_foreach(imp, kind, list)
		json_object_set_new(imp, kind, ranked(list, key_importance));
	kind = NULL;
	for (i = 0; i < TL_NELEM(importance_kinds) && kind == NULL; i++)
		if (json_array_size(json_object_get(imp,
		    importance_kinds[i])) > 0)
			kind = importance_kinds[i];
	puts_(sec->obj, "importance_kind", kind);
}

/* the table and chart of the top features by importance */
static void
doc_importance(struct tl_doc *d, const json_t *m, const struct night *n)
{
	static const struct tl_doc_col cols[] = {
		{ "Rank", 'r', tl_doc_cell_int, "rank", 0 },
		{ "Feature", 'l', tl_doc_cell_code, "feature", 0 },
		{ "Importance", 'r', tl_doc_cell_sig, "importance", 3 },
		{ "Yesterday", 'r', tl_doc_cell_sig, "prev_importance", 3 },
		{ "Rank yesterday", 'r', tl_doc_cell_int, "prev_rank", 0 },
	};
	const char *kind = fstr(m, "importance_kind");
	const json_t *list, *v;
	struct tl_svg_chart c = { .id = "chart-importance", .sig = 3,
	    .series = { "tonight", "yesterday" }, .unit = kind };
	struct tl_doc_block *t;
	struct tl_svg_bar *bars;
	struct tl_buf title;
	size_t i, k;

	if (kind == NULL) {
		tl_doc_addf(d, TL_DOC_P, "No feature importances in "
		    "forest.json.");
		return;
	}
	list = json_object_get(json_object_get(m, "importance"), kind);
	tl_buf_init(&title);
	tl_buf_printf(&title, "Top features by %s importance", kind);
	t = tl_doc_add_cols(d, title.data, cols, TL_NELEM(cols));
	tl_doc_table_scrolls(t);
	k = top_rows(list, n);
	bars = tl_xcalloc(k + 1, sizeof(*bars));
	for (i = 0; i < k; i++) {
		v = json_array_get(list, i);
		tl_doc_add_json_row(t, cols, v, NULL);
		bars[i].label = fstr(v, "feature") != NULL ? fstr(v,
		    "feature") : "n/a";
		bars[i].value = fnum(v, "importance");
		bars[i].prev = fnum(v, "prev_importance");
	}
	c.title = title.data;
	doc_bars(d, &c, bars, k);
	free(bars);
	tl_buf_release(&title);
}

static void
doc_model(struct tl_doc *d, const json_t *m, const struct night *n)
{
	char x[4][TL_DOC_NUMSZ], c[2][COUNTSZ];
	struct tl_buf b;

	tl_buf_init(&b);
	tl_buf_adds(&b, "Target ");
	tl_doc_put_code(&b, fstr(m, "target"));
	tl_buf_printf(&b, " (%s), %s, %s.", fstr(m, "task") != NULL ?
	    fstr(m, "task") : "task n/a", count_of(c[0], fnum(m, "n_rows"),
	    "row", "rows"), count_of(c[1], fnum(m, "n_features"), "feature",
	    "features"));
	tl_doc_add(d, TL_DOC_LI, &b);
	tl_buf_printf(&b, "Out of bag: R\xC2\xB2 %s, MSE %s against %s for "
	    "the mean predictor (skill %s, the share of its error removed)",
	    tl_doc_fmt_num(x[0], fnum(m, "oob_r2"), 3), tl_doc_fmt_sig(x[1],
	    fnum(m, "oob_mse"), 3), tl_doc_fmt_sig(x[2], fnum(m,
	    "baseline_mse"), 3), tl_doc_fmt_num(x[3], fnum(m, "skill"), 3));
	if (json_object_get(m, "prev_oob_r2") != NULL)
		tl_buf_printf(&b, "; yesterday R\xC2\xB2 %s",
		    tl_doc_fmt_num(x[0], fnum(m, "prev_oob_r2"), 3));
	tl_buf_addc(&b, '.');
	tl_doc_add(d, TL_DOC_LI, &b);
	if (isfinite(fnum(m, "oob_accuracy")))
		tl_doc_addf(d, TL_DOC_LI, "Out-of-bag accuracy %s against %s "
		    "for the majority class.", tl_doc_fmt_num(x[0], fnum(m,
		    "oob_accuracy"), 3), tl_doc_fmt_num(x[1], fnum(m,
		    "baseline_accuracy"), 3));
	doc_importance(d, m, n);
	tl_buf_release(&b);
}

const struct section model_section = {
	.name = "model", .title = "Meta-model", .files = "forest.json",
	.load = load_model, .show = doc_model, .step = "forest"
};
