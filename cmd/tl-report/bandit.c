/*
 * tl-report: the learned weights and the kill list (weights.jsonl and
 * kill.jsonl, tl-bandit's output): weights by context beside yesterday's,
 * the arms most likely bad, those new on the list marked, and what each
 * exit reason earns (exit-weights.jsonl, when the night has it).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tl_doc.h"
#include "tl_svg.h"
#include "tl_util.h"

#include "report.h"

/* weights.jsonl (tl-bandit) */
static void
weight_fields(struct src *s, const json_t *in, json_t *o)
{
	puts_(o, "arm", get_str(s, in, "arm", 1));
	puts_(o, "context", get_str(s, in, "context", 0));
	putn(o, "weight", get_num(s, in, "weight", 1));
	putn(o, "prev_weight", get_num(s, in, "prev_weight", 0));
	putn(o, "p_best", get_num(s, in, "p_best", 0));
	putn(o, "mean", get_num(s, in, "mean", 0));
	putn(o, "n", get_num(s, in, "n", 0));
}

/* kill.jsonl (tl-bandit) */
static void
kill_fields(struct src *s, const json_t *in, json_t *o)
{
	puts_(o, "arm", get_str(s, in, "arm", 1));
	putn(o, "p_bad", get_num(s, in, "p_bad", 0));
	putn(o, "win_rate", get_num(s, in, "win_rate", 0));
	putn(o, "mean_pnl", get_num(s, in, "mean_pnl", 0));
	putn(o, "n", get_num(s, in, "n", 0));
}

/* exit-weights.jsonl (tl-bandit, normal model: the mean is per trade) */
static void
exit_fields(struct src *s, const json_t *in, json_t *o)
{
	puts_(o, "arm", get_str(s, in, "arm", 1));
	putn(o, "n", get_num(s, in, "n", 0));
	putn(o, "mean", get_num(s, in, "mean", 1));
	putn(o, "ci_lo", get_num(s, in, "ci_lo", 0));
	putn(o, "ci_hi", get_num(s, in, "ci_hi", 0));
	putn(o, "p_best", get_num(s, in, "p_best", 0));
}

static double
key_p_bad(const json_t *o)
{
	return fnum(o, "p_bad");
}

static double
key_mean(const json_t *o)
{
	return fnum(o, "mean");
}

/* context (none first), then weight descending, then arm */
static int
cmp_weight_rows(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	const char *cx = fstr(x, "context"), *cy = fstr(y, "context");
	double wx = fnum(x, "weight"), wy = fnum(y, "weight");
	int c;

	if ((cx == NULL) != (cy == NULL))
		return cx == NULL ? -1 : 1;
	if (cx != NULL && (c = strcmp(cx, cy)) != 0)
		return c;
	if (isfinite(wx) != isfinite(wy))
		return isfinite(wx) ? -1 : 1;
	if (isfinite(wx) && wx != wy)
		return wx > wy ? -1 : 1;
	cx = fstr(x, "arm");
	cy = fstr(y, "arm");
	return strcmp(cx != NULL ? cx : "", cy != NULL ? cy : "");
}

/* the weights in the page's order, each with its change */
static json_t *
weights(const json_t *w)
{
	size_t i, m = json_array_size(w);
	json_t **v, *out = json_array();

	v = tl_xcalloc(m + 1, sizeof(*v));
	for (i = 0; i < m; i++)
		v[i] = json_array_get(w, i);
	qsort(v, m, sizeof(*v), cmp_weight_rows);
	for (i = 0; i < m; i++) {
		putn(v[i], "change", fnum(v[i], "weight") - fnum(v[i],
		    "prev_weight"));
		json_array_append(out, v[i]);
	}
	free(v);
	return out;
}

static void
load_bandit(struct night *n, struct sec *sec)
{
	json_t *w, *k, *e;
	char *path;

	w = read_rows(n, sec, "weights.jsonl", weight_fields);
	put(sec->obj, "weights", w != NULL ? weights(w) : json_null());
	json_decref(w);
	k = read_rows(n, sec, "kill.jsonl", kill_fields);
	put(sec->obj, "kill", k != NULL ? sorted(k, key_p_bad) : json_null());
	json_decref(k);
	/* only a night whose trades carry an exit reason has the file */
	path = path_of(n->dir, "exit-weights.jsonl");
	if (exists(path) && (e = read_rows(n, sec, "exit-weights.jsonl",
	    exit_fields)) != NULL) {
		put(sec->obj, "exit_reasons", sorted(e, key_mean));
		json_decref(e);
	}
	free(path);
}

/* ---- the page --------------------------------------------------------- */

/* a weight's context, "all" when it has none */
static char *
cell_context(const json_t *row, const char *key, int digits)
{
	return fstr(row, key) != NULL ? tl_doc_cell_code(row, key, digits) :
	    tl_xstrdup("all");
}

/* "new" on the kill list since yesterday, "" if not, n/a: not known */
static char *
cell_new(const json_t *row, const char *key, int digits)
{
	const json_t *v = json_object_get(row, key);

	(void)digits;
	return tl_xstrdup(json_is_true(v) ? "new" : json_is_false(v) ? "" :
	    "n/a");
}

#define MAX_CONTEXTS	8	/* small multiples drawn, one per context */

/* The weights of one context per chart (small multiples: each its own
 * axis, so that a context whose weights are small is not flattened by
 * another's), tonight and yesterday. */
static void
doc_context_charts(struct tl_doc *d, const json_t *w)
{
	size_t i, j, k, m = json_array_size(w), nchart = 0;
	int prev = 0;
	struct tl_svg_chart c = { .decimals = 1, .series = { "tonight",
	    "yesterday" }, .unit = "weight, %" };
	struct tl_svg_bar *bars = tl_xcalloc(m + 1, sizeof(*bars));
	struct tl_buf title, id;
	const char *cx;
	const json_t *v;

	tl_buf_init(&title);
	tl_buf_init(&id);
	for (i = 0; i < m; i++)
		prev |= isfinite(fnum(json_array_get(w, i), "prev_weight"));
	for (i = 0; i < m && nchart < MAX_CONTEXTS; i = j) {
		cx = fstr(json_array_get(w, i), "context");
		/* the rows of this context follow each other (weights()) */
		for (j = i, k = 0; j < m; j++, k++) {
			v = json_array_get(w, j);
			if ((fstr(v, "context") == NULL) != (cx == NULL) ||
			    (cx != NULL && strcmp(fstr(v, "context"), cx) != 0))
				break;
			bars[k].label = fstr(v, "arm") != NULL ? fstr(v,
			    "arm") : "n/a";
			bars[k].value = fnum(v, "weight") * 100;
			bars[k].prev = fnum(v, "prev_weight") * 100;
		}
		tl_buf_reset(&title);
		tl_buf_reset(&id);
		if (cx != NULL)
			tl_buf_printf(&title, "Learned weights in context %s "
			    "(%%), tonight", cx);
		else
			tl_buf_adds(&title, "Learned weights, all contexts "
			    "(%), tonight");
		if (prev)
			tl_buf_adds(&title, " and yesterday");
		tl_buf_printf(&id, "chart-bandit-%zu", ++nchart);
		c.title = title.data;
		c.id = id.data;
		doc_bars(d, &c, bars, k);
	}
	if (i < m)
		tl_doc_addf(d, TL_DOC_P, "Charts of the first %d contexts "
		    "only; the others are in weights.jsonl.", MAX_CONTEXTS);
	tl_buf_release(&title);
	tl_buf_release(&id);
	free(bars);
}

/* Today's regime, or NULL: its context comes right after the pooled
 * weights, so that the table's top rows are the ones that apply today. */
static const char *
today_context(const struct night *n)
{
	const json_t *t = json_object_get(json_object_get(n->facts, "regime"),
	    "today");

	return fstr(t, "label");
}

/* w with today's context moved up after the pooled rows (new reference) */
static json_t *
today_first(const json_t *w, const char *today)
{
	json_t *out = json_array(), *v;
	const char *cx;
	size_t i;
	int pass;

	/* pass 0: the pooled rows, 1: today's, 2: the others, each in order */
	for (pass = 0; pass < 3; pass++)
		json_array_foreach(w, i, v) {
			cx = fstr(v, "context");
			if ((pass == 0) == (cx == NULL) && (pass == 0 ||
			    (pass == 1) == (today != NULL &&
			    strcmp(cx, today) == 0)))
				json_array_append(out, v);
		}
	return out;
}

static void
doc_weights(struct tl_doc *d, const json_t *w0, const struct night *n)
{
	static const struct tl_doc_col cols[] = {
		{ "Context", 'l', cell_context, "context", 0 },
		{ "Arm", 'l', tl_doc_cell_code, "arm", 0 },
		{ "Weight", 'r', tl_doc_cell_pct, "weight", 1 },
		{ "Yesterday", 'r', tl_doc_cell_pct, "prev_weight", 1 },
		{ "Change (pp)", 'r', tl_doc_cell_pp, "change", 1 },
		{ "P(best)", 'r', tl_doc_cell_num, "p_best", 2 },
		{ "Mean", 'r', tl_doc_cell_sig, "mean", 3 },
		{ "n", 'r', tl_doc_cell_int, "n", 0 },
	};
	const char *today = today_context(n);
	json_t *w = today_first(w0, today);
	size_t i, k = top_rows(w, n);
	struct tl_doc_block *t;
	struct tl_buf cap;

	tl_buf_init(&cap);
	tl_buf_adds(&cap, "Learned weights, by context");
	if (today != NULL)
		tl_buf_printf(&cap, " (all, then today's regime, %s)", today);
	tl_buf_adds(&cap, ", largest first");
	t = tl_doc_add_cols(d, cap.data, cols, TL_NELEM(cols));
	tl_buf_release(&cap);
	tl_doc_table_scrolls(t);
	for (i = 0; i < k; i++)
		tl_doc_add_json_row(t, cols, json_array_get(w, i), NULL);
	if (json_array_size(w) > k)
		tl_doc_addf(d, TL_DOC_P, "%zu more weights in weights.jsonl.",
		    json_array_size(w) - k);
	doc_context_charts(d, w);
	json_decref(w);
}

/* "lo to hi", the 95% posterior interval of the mean */
static char *
cell_interval(const json_t *row, const char *key, int digits)
{
	char *lo, *hi, *out;
	struct tl_buf b;

	(void)key;
	lo = tl_doc_sig(fnum(row, "ci_lo"), digits);
	hi = tl_doc_sig(fnum(row, "ci_hi"), digits);
	tl_buf_init(&b);
	tl_buf_printf(&b, "%s to %s", lo, hi);
	free(lo);
	free(hi);
	out = tl_xstrdup(b.data);
	tl_buf_release(&b);
	return out;
}

static void
doc_exit_reasons(struct tl_doc *d, const json_t *e)
{
	static const struct tl_doc_col cols[] = {
		{ "Exit reason", 'l', tl_doc_cell_code, "arm", 0 },
		{ "Trades", 'r', tl_doc_cell_int, "n", 0 },
		{ "Mean", 'r', tl_doc_cell_sig, "mean", 3 },
		{ "95% interval", 'r', cell_interval, "mean", 3 },
	};
	struct tl_doc_block *t;
	const json_t *v;
	size_t i;

	t = tl_doc_add_cols(d, "What each exit reason earns per trade, best first",
	    cols, TL_NELEM(cols));
	tl_doc_table_scrolls(t);	/* long reasons: trailing_stop_loss */
	json_array_foreach(e, i, v)
		tl_doc_add_json_row(t, cols, v, NULL);
	tl_doc_addf(d, TL_DOC_P, "Mean: the posterior mean per trade of the "
	    "night's BANDIT_EXIT_REWARD (net P&L by default, in the account's "
	    "currency), every trade since the first night, older days "
	    "discounted.");
}

static void
doc_bandit(struct tl_doc *d, const json_t *bd, const struct night *n)
{
	static const struct tl_doc_col cols[] = {
		{ "Arm", 'l', tl_doc_cell_code, "arm", 0 },
		{ "P(bad)", 'r', tl_doc_cell_num, "p_bad", 2 },
		{ "Win rate", 'r', tl_doc_cell_pct, "win_rate", 1 },
		{ "Mean P&L", 'r', tl_doc_cell_num, "mean_pnl", 2 },
		{ "n", 'r', tl_doc_cell_int, "n", 0 },
		{ "New", 'l', cell_new, "new", 0 },
	};
	const json_t *w = json_object_get(bd, "weights"),
	    *k = json_object_get(bd, "kill"), *v;
	struct tl_doc_block *t;
	size_t i;

	if (json_array_size(w) > 0)
		doc_weights(d, w, n);
	else if (json_is_array(w))
		tl_doc_addf(d, TL_DOC_P, "weights.jsonl is empty.");
	if (json_is_array(k) && json_array_size(k) == 0)
		tl_doc_addf(d, TL_DOC_P, "Kill list: empty.");
	else if (json_array_size(k) > 0) {
		t = tl_doc_add_cols(d, "Kill list: arms most likely bad", cols,
		    TL_NELEM(cols));
		json_array_foreach(k, i, v)
			tl_doc_add_json_row(t, cols, v, NULL);
	}
	if (json_array_size(json_object_get(bd, "exit_reasons")) > 0)
		doc_exit_reasons(d, json_object_get(bd, "exit_reasons"));
}

const struct section bandit_section = {
	.name = "bandit", .title = "Learned weights and kill list",
	.files = "weights.jsonl or kill.jsonl", .load = load_bandit,
	.show = doc_bandit, .step = "bandit"
};
