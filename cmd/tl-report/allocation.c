/*
 * tl-report: the allocation (allocation.jsonl and allocation-summary.json,
 * tl-allocate's weights and portfolio figures): the method and its
 * figures, what it could not do as configured (a fallback, a covariance
 * over fewer days, the strategies left out), the weights beside
 * yesterday's and the equity curves of the largest ones from returns.csv.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tl_doc.h"
#include "tl_num.h"
#include "tl_panel.h"
#include "tl_svg.h"
#include "tl_util.h"

#include "report.h"

#define EQUITY_MAX	8	/* equity curves drawn (line colours) */
#define WEIGHT_TOL	1e-6	/* weights should sum to 1 within this */

/* allocation.jsonl (tl-allocate) */
static void
allocation_fields(struct src *s, const json_t *in, json_t *o)
{
	puts_(o, "strategy", get_str(s, in, "strategy", 1));
	putn(o, "weight", get_num(s, in, "weight", 1));
	putn(o, "prev_weight", get_num(s, in, "prev_weight", 0));
	putn(o, "change", get_num(s, in, "change", 0));
	putn(o, "expected_return", get_num(s, in, "expected_return", 0));
	putn(o, "volatility", get_num(s, in, "volatility", 0));
	putn(o, "risk_contribution", get_num(s, in, "risk_contribution", 0));
	/* a strategy left out of tonight's allocation, and why */
	if (json_object_get(in, "status") != NULL) {
		puts_(o, "status", get_str(s, in, "status", 0));
		puts_(o, "reason", get_str(s, in, "reason", 0));
	}
}

/* allocation-summary.json (tl-allocate) */
static void
allocation_summary_fields(struct src *s, const json_t *in, json_t *f)
{
	static const char *const keys[] = { "strategy", "status", "reason",
		"kind", "severity", "since" };	/* of "excluded": 2 needed */
	const json_t *e;
	json_t *out, *o;
	size_t i, k;

	puts_(f, "method", get_str(s, in, "method", 0));
	putn(f, "expected_return", get_num(s, in, "expected_return", 0));
	putn(f, "volatility", get_num(s, in, "volatility", 0));
	putn(f, "sharpe", get_num(s, in, "sharpe", 0));
	putn(f, "effective_n", get_num(s, in, "effective_n", 0));
	putn(f, "turnover", get_num(s, in, "turnover", 0));
	/* strategies that come and go: what was estimated and who is out */
	puts_(f, "covariance", get_str(s, in, "covariance", 0));
	puts_(f, "covariance_reason", get_str(s, in, "covariance_reason",
	    0));
	putn(f, "days", get_num(s, in, "days", 0));
	putn(f, "common_days", get_num(s, in, "common_days", 0));
	putn(f, "min_pair_days", get_num(s, in, "min_pair_days", 0));
	puts_(f, "first_date", get_str(s, in, "first_date", 0));
	puts_(f, "last_date", get_str(s, in, "last_date", 0));
	putn(f, "annualize", get_num(s, in, "annualize", 0));
	putn(f, "cash", get_num(s, in, "cash", 0));
	/* the caps asked for and those applied: raised when the night
	 * forces it (a retirement under a turnover cap, caps that cannot
	 * sum to 1 under --unfilled relax) */
	putn(f, "max_weight", get_num(s, in, "constraints.max_weight", 0));
	putn(f, "max_weight_applied", get_num(s, in, "max_weight_applied",
	    0));
	putn(f, "max_turnover", get_num(s, in, "constraints.max_turnover",
	    0));
	putn(f, "max_turnover_applied", get_num(s, in,
	    "max_turnover_applied", 0));
	putn(f, "turnover_forced", get_num(s, in, "turnover_forced", 0));
	putn(f, "allocated", get_num(s, in, "counts.allocated", 0));
	if (json_is_object(jpath(in, "fallback"))) {
		json_t *fb = json_object();

		puts_(fb, "from", get_str(s, in, "fallback.from", 1));
		puts_(fb, "to", get_str(s, in, "fallback.to", 1));
		puts_(fb, "reason", get_str(s, in, "fallback.reason", 0));
		put(f, "fallback", fb);
	} else
		put(f, "fallback", json_null());
	if (get_arr(s, in, "excluded", 0) == NULL)
		return;
	out = json_array();
	json_array_foreach(jpath(in, "excluded"), i, e) {
		o = json_object();
		for (k = 0; k < TL_NELEM(keys); k++)
			puts_(o, keys[k], get_str(s, e, keys[k], k < 2));
		json_array_append_new(out, o);
	}
	put(f, "excluded", out);
}

static double
key_weight(const json_t *o)
{
	return fnum(o, "weight");
}

/* The growth of 1 invested in series j of the panel (NaN days are flat),
 * day by day into curve[0..ndates) unless it is NULL.  Returns its last
 * value. */
static double
growth(const struct tl_panel *p, size_t j, double *curve)
{
	double g = 1, r;
	size_t t;

	for (t = 0; t < p->ndates; t++) {
		r = p->x[t * p->nseries + j];
		if (isfinite(r))
			g *= 1 + r;
		if (curve != NULL)
			curve[t] = g;
	}
	return g;
}

/* equity curves of the largest weights w, from returns.csv */
static json_t *
equity(const json_t *w, const struct night *n)
{
	json_t *eq = json_array(), *v;
	size_t i, k = 0;
	long j;

	json_array_foreach(w, i, v) {
		const char *st = fstr(v, "strategy");

		if (k == EQUITY_MAX || k == (size_t)n->top)
			break;
		if (st == NULL || (j = tl_panel_series(&n->ret, st)) < 0)
			continue;
		json_array_append_new(eq, json_pack("{s:s,s:o,s:I}",
		    "strategy", st, "total_return", jnum(growth(&n->ret,
		    (size_t)j, NULL) - 1), "days", (json_int_t)
		    tl_panel_count(&n->ret, (size_t)j)));
		k++;
	}
	return eq;
}

static void
load_allocation(struct night *n, struct sec *sec)
{
	struct src s = { .file = "allocation-summary.json" };
	json_t *rows, *w, *v;
	char *num;
	double sum = 0, cash;
	size_t i;

	rows = read_rows(n, sec, "allocation.jsonl", allocation_fields);
	if ((v = read_json(n, sec, "allocation-summary.json",
	    "tl-allocation-summary")) != NULL) {
		json_t *sum_o = json_object();

		allocation_summary_fields(&s, v, sum_o);
		src_flush(n, sec, &s);
		/* the turnover worth a line under what needs attention */
		putn(sum_o, "turnover_warn", n->turnover_warn);
		put(sec->obj, "summary", sum_o);
		json_decref(v);
	} else
		put(sec->obj, "summary", json_null());
	if (rows == NULL) {
		put(sec->obj, "weights", json_null());
		return;
	}
	w = sorted(rows, key_weight);
	json_decref(rows);
	json_array_foreach(w, i, v) {
		double x = fnum(v, "weight");

		if (isfinite(x))
			sum += x;
	}
	put(sec->obj, "weights", w);
	putn(sec->obj, "weight_sum", sum);
	/* the summary's cash is the rest of the book (a fallback to cash, a
	 * cap that could not be filled) */
	cash = fnum(json_object_get(sec->obj, "summary"), "cash");
	if (isfinite(cash))
		sum += cash;
	if (json_array_size(w) > 0 && fabs(sum - 1) > WEIGHT_TOL) {
		num = tl_doc_pct(sum, 1);
		sec_note(n, sec, "allocation.jsonl: weights%s sum to %s, not "
		    "100%%",
		    isfinite(cash) ? " and cash" : "", num);
		free(num);
	}
	put(sec->obj, "equity", n->have_ret ? equity(w, n) : json_null());
}

/* " (why)" when there is a why */
static void
put_why(struct tl_buf *b, const char *why)
{
	if (why == NULL)
		return;
	tl_buf_adds(b, " (");
	tl_doc_put_text(b, why);
	tl_buf_addc(b, ')');
}

/* the alert that left a strategy out: "kind, severity since date" */
static char *
cell_alert(const json_t *row, const char *key, int digits)
{
	const char *sev = fstr(row, "severity"), *since = fstr(row, "since");
	struct tl_buf b;
	char *cell;

	(void)digits;
	tl_buf_init(&b);
	if (fstr(row, key) != NULL)
		tl_buf_printf(&b, "%s, %s since %s", fstr(row, key),
		    sev != NULL ? sev : "n/a", since != NULL ? since : "n/a");
	cell = tl_doc_text(b.data);
	tl_buf_release(&b);
	return cell;
}

/* What tonight's allocation could not do as configured: a method with no
 * answer and its fallback, a covariance over fewer days than asked, and
 * the strategies left out (retired, not live, too new, demoted). */
static void
doc_allocation_how(struct tl_doc *d, const json_t *s)
{
	static const struct tl_doc_col cols[] = {
		{ "Strategy", 'l', tl_doc_cell_code, "strategy", 0 },
		{ "Status", 'l', tl_doc_cell_text, "status", 0 },
		{ "Why", 'l', tl_doc_cell_text, "reason", 0 },
		{ "Alert", 'l', cell_alert, "kind", 0 },
	};
	const json_t *fb = json_object_get(s, "fallback"), *ex, *v;
	struct tl_doc_block *t;
	struct tl_buf b;
	size_t i;

	tl_buf_init(&b);
	if (json_is_object(fb)) {
		tl_buf_adds(&b, "Method ");
		tl_doc_put_code(&b, fstr(fb, "from"));
		tl_buf_adds(&b, " had no answer tonight");
		put_why(&b, fstr(fb, "reason"));
		tl_buf_adds(&b, ": fell back to ");
		tl_doc_put_code(&b, fstr(fb, "to"));
		tl_buf_addc(&b, '.');
		tl_doc_add(d, TL_DOC_LI, &b);
	}
	if (fnum(s, "cash") == 1)
		tl_doc_addf(d, TL_DOC_LI, "All in cash tonight: every weight "
		    "is 0.");
	if (fstr(s, "covariance") != NULL &&
	    strcmp(fstr(s, "covariance"), "aligned") != 0) {
		tl_buf_adds(&b, "Covariance: ");
		tl_doc_put_code(&b, fstr(s, "covariance"));
		put_why(&b, fstr(s, "covariance_reason"));
		tl_buf_addc(&b, '.');
		tl_doc_add(d, TL_DOC_LI, &b);
	}
	ex = json_object_get(s, "excluded");
	if (json_array_size(ex) > 0) {
		t = tl_doc_add_cols(d, "Left out of tonight's allocation",
		    cols, TL_NELEM(cols));
		json_array_foreach(ex, i, v)
			tl_doc_add_json_row(t, cols, v, NULL);
	}
	tl_buf_release(&b);
}

/* the weights, largest first, as a table and a chart */
static void
doc_weights(struct tl_doc *d, const json_t *w, const struct night *n)
{
	static const struct tl_doc_col cols[] = {
		{ "Strategy", 'l', tl_doc_cell_code, "strategy", 0 },
		{ "Weight", 'r', tl_doc_cell_pct, "weight", 1 },
		{ "Yesterday", 'r', tl_doc_cell_pct, "prev_weight", 1 },
		{ "Change (pp)", 'r', tl_doc_cell_pp, "change", 1 },
		{ "Exp. return a year", 'r', tl_doc_cell_pct,
		    "expected_return", 2 },
		{ "Volatility a year", 'r', tl_doc_cell_pct, "volatility", 2 },
		{ "Risk contrib.", 'r', tl_doc_cell_pct, "risk_contribution",
		    1 },
	};
	struct tl_svg_chart c = { .id = "chart-allocation",
	    .decimals = 1, .series = { "tonight", "yesterday" },
	    .unit = "weight, %",
	    .title = "Allocation weights (%), tonight and yesterday" };
	size_t i, k = top_rows(w, n), nzero = 0;
	struct tl_doc_block *t;
	const char **lab;
	const json_t *v;
	int prev = 0, rc_is_w = 1;

	t = tl_doc_add_cols(d, "Weights, largest first", cols,
	    TL_NELEM(cols));
	tl_doc_table_scrolls(t);
	lab = tl_xcalloc(k + 1, sizeof(*lab));
	for (i = 0; i < k; i++) {
		v = json_array_get(w, i);
		tl_doc_add_json_row(t, cols, v, NULL);
		lab[i] = fstr(v, "strategy") != NULL ? fstr(v, "strategy") :
		    "n/a";
	}
	json_array_foreach(w, i, v) {
		prev |= isfinite(fnum(v, "prev_weight"));
		nzero += i >= k && !(fnum(v, "weight") > 0);
		/* min-variance: equal marginal risks, so each strategy's
		 * share of the risk is its weight (unless a cap binds) */
		rc_is_w &= !(fabs(fnum(v, "risk_contribution") -
		    fnum(v, "weight")) > WEIGHT_TOL);
	}
	if (rc_is_w && isfinite(fnum(json_array_get(w, 0),
	    "risk_contribution")))
		tl_doc_addf(d, TL_DOC_P, "Each strategy's risk contribution "
		    "equals its weight tonight: every strategy held adds the same "
		    "risk per unit of weight, as at the minimum variance.");
	if (json_array_size(w) > k && nzero == 0)
		tl_doc_addf(d, TL_DOC_P, "%zu more strategies with smaller "
		    "weights in allocation.jsonl.", json_array_size(w) - k);
	else if (json_array_size(w) > k)
		tl_doc_addf(d, TL_DOC_P, "%zu more strategies in "
		    "allocation.jsonl: %zu with smaller weights, %zu at 0.",
		    json_array_size(w) - k, json_array_size(w) - k - nzero,
		    nzero);
	if (!prev)
		c.title = "Allocation weights (%), tonight (no yesterday: "
		    "the first night)";
	doc_weight_chart(d, &c, w, lab, k);
	free(lab);
}

/* the equity curves: growth of 1 from returns.csv, a sentence and a
 * chart */
static void
doc_equity(struct tl_doc *d, const json_t *eq, const struct tl_panel *p)
{
	static const struct tl_svg_chart c = { .id = "chart-equity",
	    .unit = "growth of 1",
	    .title = "Equity curves of the largest allocations" };
	static const struct tl_svg_linex lx = { .xunit = "date", .ref = 1 };
	size_t i, ns = json_array_size(eq);
	struct tl_svg_series *ser;
	char num[TL_DOC_NUMSZ];
	const json_t *v;
	struct tl_buf b;
	double **curves;

	ser = tl_xcalloc(ns, sizeof(*ser));
	curves = tl_xcalloc(ns, sizeof(*curves));
	tl_buf_init(&b);
	tl_buf_adds(&b, "Growth since ");
	tl_doc_put_text(&b, p->dates[0]);
	tl_buf_printf(&b, " (returns.csv) of the %zu largest allocations: ",
	    ns);
	json_array_foreach(eq, i, v) {
		curves[i] = tl_xcalloc(p->ndates, sizeof(double));
		growth(p, (size_t)tl_panel_series(p, fstr(v, "strategy")),
		    curves[i]);
		ser[i].name = fstr(v, "strategy");
		ser[i].y = curves[i];
		if (i > 0)
			tl_buf_adds(&b, ", ");
		tl_doc_put_code(&b, ser[i].name);
		tl_buf_printf(&b, " %s", tl_doc_fmt_pct(num, fnum(v,
		    "total_return"), 2));
	}
	tl_buf_addc(&b, '.');
	tl_doc_add(d, TL_DOC_LI, &b);
	doc_lines(d, &c, &lx, (const char *const *)p->dates, p->ndates, ser,
	    ns, NULL);
	for (i = 0; i < ns; i++)
		free(curves[i]);
	free(curves);
	free(ser);
	tl_buf_release(&b);
}

/* the methods that do not use the expected returns (tl-allocate(1)):
 * a reader seeing a negative one with a weight needs to know */
static const char *const risk_only[] = { "min-variance", "erc",
	"risk-parity", "hrp", "equal" };

/* ", from the 57 days on which every allocated strategy has a return":
 * the days tl-allocate's figures rest on, as its covariance counts them
 * (the aligned estimate uses only the days every strategy shares; a
 * pairwise one the whole window, each pair over the days it shares) */
static void
doc_days(struct tl_buf *b, const json_t *s)
{
	static const struct {
		const char	*covariance;	/* tl-allocate's estimate */
		const char	*days;		/* what its days are */
	} how[] = {
		{ "aligned", " on which every allocated strategy has a "
		    "return" },
		{ "short-window", " in a row, the last on which every "
		    "allocated strategy has a return" },
		{ "pairwise", " of returns, each pair of strategies over the "
		    "days it shares" },
		{ "pairwise-shrunk", " of returns, each pair of strategies "
		    "over the days it shares" },
	};
	const char *cov = fstr(s, "covariance");
	double n = fnum(s, "days");
	char num[TL_DOC_NUMSZ];
	size_t k;

	if (!isfinite(n))
		return;
	for (k = 0; cov != NULL && k < TL_NELEM(how) && strcmp(cov,
	    how[k].covariance) != 0; k++)
		;
	tl_buf_printf(b, ", from %s%s %s", cov != NULL && k <
	    TL_NELEM(how) ? "the " : "", tl_doc_fmt_int(num, n), plural(n,
	    "day", "days"));
	if (cov == NULL || k == TL_NELEM(how)) {
		tl_buf_adds(b, " of returns");
		return;
	}
	tl_buf_adds(b, how[k].days);
	if (isfinite(fnum(s, "min_pair_days")))
		tl_buf_printf(b, " (at least %s)", tl_doc_fmt_int(num, fnum(s,
		    "min_pair_days")));
}

/* "Method m: expected return ... a year ..." with the period the
 * figures rest on */
static void
doc_method(struct tl_doc *d, const json_t *s)
{
	char x[8][TL_DOC_NUMSZ];
	const char *m = fstr(s, "method");
	struct tl_buf b;
	size_t k;

	tl_buf_init(&b);
	tl_buf_adds(&b, "Method ");
	tl_doc_put_code(&b, m);
	tl_buf_printf(&b, ": expected return %s a year, volatility %s a year, "
	    "Sharpe %s (annualised", tl_doc_fmt_pct(x[0], fnum(s,
	    "expected_return"), 2), tl_doc_fmt_pct(x[1], fnum(s,
	    "volatility"), 2), tl_doc_fmt_num(x[2], fnum(s, "sharpe"), 2));
	if (isfinite(fnum(s, "annualize")))
		tl_buf_printf(&b, " with %s days a year", tl_doc_fmt_int(x[3],
		    fnum(s, "annualize")));
	doc_days(&b, s);
	if (fstr(s, "first_date") != NULL && fstr(s, "last_date") != NULL) {
		tl_buf_adds(&b, ", ");
		tl_doc_put_text(&b, fstr(s, "first_date"));
		tl_buf_adds(&b, " to ");
		tl_doc_put_text(&b, fstr(s, "last_date"));
	}
	tl_buf_printf(&b, "); effective number of strategies %s; turnover %s",
	    tl_doc_fmt_num(x[5], fnum(s, "effective_n"), 1),
	    tl_doc_fmt_pct(x[6], fnum(s, "turnover"), 1));
	tl_buf_adds(&b, isfinite(fnum(s, "turnover")) ? "." : " (no previous "
	    "allocation).");
	for (k = 0; m != NULL && k < TL_NELEM(risk_only) && strcmp(m,
	    risk_only[k]) != 0; k++)
		;
	if (m != NULL && k < TL_NELEM(risk_only)) {
		tl_buf_adds(&b, " ");
		tl_doc_put_code(&b, m);
		tl_buf_adds(&b, " does not use the expected returns: they are "
		    "shown for information, and a strategy with a negative one "
		    "may hold a weight for what it adds to diversification.");
	}
	tl_doc_add(d, TL_DOC_LI, &b);
	tl_buf_release(&b);
}

/* cash not allocated, and caps raised tonight */
static void
doc_caps(struct tl_doc *d, const json_t *s)
{
	char x[4][TL_DOC_NUMSZ], c[COUNTSZ];
	double cash = fnum(s, "cash"), mw = fnum(s, "max_weight"),
	    mwa = fnum(s, "max_weight_applied"), mt = fnum(s, "max_turnover"),
	    mta = fnum(s, "max_turnover_applied");

	if (cash > 0 && cash < 1)
		tl_doc_addf(d, TL_DOC_LI, "Cash: %s of the capital is not "
		    "allocated tonight: the weight caps of the %s allocated "
		    "sum to %s.", tl_doc_fmt_pct(x[0], cash, 1),
		    count_of(c, fnum(s, "allocated"), "strategy",
		    "strategies"),
		    tl_doc_fmt_pct(x[2], 1 - cash, 1));
	if (isfinite(mw) && isfinite(mwa) && mwa > mw)
		tl_doc_addf(d, TL_DOC_LI, "Max weight raised from %s to %s "
		    "tonight: the caps of the strategies allocated could not "
		    "sum to 1 (--unfilled relax).", tl_doc_fmt_pct(x[0], mw, 1),
		    tl_doc_fmt_pct(x[1], mwa, 1));
	if (isfinite(mt) && isfinite(mta) && mta > mt)
		tl_doc_addf(d, TL_DOC_LI, "Turnover cap raised from %s to %s "
		    "tonight: the moves the night forces (strategies retired, "
		    "no longer live or demoted) need %s; back to %s tomorrow.",
		    tl_doc_fmt_pct(x[0], mt, 1), tl_doc_fmt_pct(x[1], mta, 1),
		    tl_doc_fmt_pct(x[2], fnum(s, "turnover_forced"), 1),
		    tl_doc_fmt_pct(x[3], mt, 1));
}

static void
doc_allocation(struct tl_doc *d, const json_t *a, const struct night *n)
{
	const json_t *s = json_object_get(a, "summary"),
	    *w = json_object_get(a, "weights"),
	    *eq = json_object_get(a, "equity");

	if (json_is_object(s)) {
		doc_method(d, s);
		doc_caps(d, s);
		doc_allocation_how(d, s);
	}
	if (json_is_array(w) && json_array_size(w) == 0)
		tl_doc_addf(d, TL_DOC_P, "allocation.jsonl is empty: no "
		    "strategy has a weight.");
	if (json_array_size(w) > 0)
		doc_weights(d, w, n);
	if (json_array_size(eq) > 0 && n->have_ret)
		doc_equity(d, eq, &n->ret);
	else if (eq == NULL || json_is_null(eq))
		tl_doc_addf(d, TL_DOC_P, "No equity curves: returns.csv is "
		    "missing or unreadable.");
}

const struct section allocation_section = {
	.name = "allocation", .title = "Allocation",
	.files = "allocation.jsonl or allocation-summary.json",
	.load = load_allocation, .show = doc_allocation, .step = "allocate"
};
