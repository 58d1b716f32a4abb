/*
 * tl-report: the book, the allocated portfolio, as a trader's tearsheet.
 * Its daily return is the weights the allocation published the night
 * before applied to the day's strategy returns (a strategy without a
 * trade that day is flat, the rest of the capital is cash at 0), chained
 * night after night: tonight extends the record the previous night's
 * report.json holds (--prev) by the days after that night, at that
 * night's weights.  Before the first night of the record there are no
 * published weights: those days are tonight's weights applied to the
 * returns in returns.csv, a backtest of tonight's weights, marked so in
 * the text and shaded in the charts.  The benchmark is the equal-weight
 * book of the strategies that traded each day.  The figures are
 * lib/tl_perf's; the P&L by strategy and symbol is the trades' (health.c
 * reads them), the regime timeline the regime section's.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tl_doc.h"
#include "tl_panel.h"
#include "tl_perf.h"
#include "tl_svg.h"
#include "tl_util.h"

#include "report.h"

#define CAGR_MIN_DAYS	30	/* calendar days: fewer, and no CAGR */
#define ROLL_SHORT	21	/* the rolling window when the book has
				 * fewer than 2 x TL_PERF_ROLL_DAYS days */

static const char *const month_names[] = { "Jan", "Feb", "Mar", "Apr",
	"May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* ---- the record of the previous night --------------------------------- */

/* report.json's book (tl-report itself, the night before): its days,
 * returns and the first live day.  Anything out of shape is an issue and
 * no chain. */
static void
chain_fields(struct src *s, const json_t *in, json_t *o)
{
	const json_t *d = get_arr(s, in, "book.dates", 0),
	    *b = get_arr(s, in, "book.book", 0),
	    *m = get_arr(s, in, "book.benchmark", 0), *v;
	int64_t day;
	size_t i;

	if (d == NULL || b == NULL || m == NULL)
		return;
	if (json_array_size(b) != json_array_size(d) || json_array_size(m) !=
	    json_array_size(d)) {
		issue(s, "book", "arrays of different lengths");
		return;
	}
	json_array_foreach(d, i, v) {
		if (!json_is_string(v) || tl_panel_date_days(json_string_value(
		    v), &day) == -1 || !json_is_number(json_array_get(b, i)) ||
		    !json_is_number(json_array_get(m, i))) {
			issue(s, "book", "not a list of dates and returns");
			return;
		}
	}
	puts_(o, "first_live", get_str(s, in, "book.first_live", 0));
	put(o, "dates", json_deep_copy(d));
	put(o, "book", json_deep_copy(b));
	put(o, "benchmark", json_deep_copy(m));
}

/* The night before: the record its report.json holds.  Tonight's book is
 * computed from the other sections' facts (book_compute), not read: the
 * night directory's report.json is the report being replaced. */
static void
load_book(struct night *n, struct sec *sec)
{
	struct src s = { .file = "report.json" };
	json_t *in, *o;

	if (!n->is_prev)
		return;
	if ((in = read_json(n, sec, "report.json", "tl-report-facts")) ==
	    NULL)
		return;
	o = json_object();
	chain_fields(&s, in, o);
	src_flush(n, sec, &s);
	put(sec->obj, "chain", json_object_size(o) > 0 ? o : json_null());
	if (json_object_size(o) == 0)
		json_decref(o);
	json_decref(in);
}

/* ---- the book --------------------------------------------------------- */

/* A series of days being built. */
struct days {
	const char	**date;		/* borrowed: the panel's or the
					 * previous facts' */
	double		 *book;		/* the book's return */
	double		 *bench;	/* the benchmark's */
	size_t		  n;		/* days */
};

static void
days_add(struct days *d, const char *date, double book, double bench)
{
	d->date[d->n] = date;
	d->book[d->n] = book;
	d->bench[d->n] = bench;
	d->n++;
}

/* The weights of the allocation facts a over the columns of panel p into
 * w[0..nseries); returns the weight on strategies without a column (they
 * earn nothing), and *nw the rows with a weight. */
static double
weights_on(const json_t *a, const struct tl_panel *p, double *w, size_t *nw)
{
	const json_t *v;
	double off = 0, x;
	size_t i;
	long j;

	memset(w, 0, p->nseries * sizeof(*w));
	*nw = 0;
	json_array_foreach(json_object_get(a, "weights"), i, v) {
		x = fnum(v, "weight");
		if (!isfinite(x))
			continue;
		(*nw)++;
		if ((j = tl_panel_series(p, fstr(v, "strategy"))) >= 0)
			w[j] += x;
		else
			off += x;
	}
	return off;
}

/* the figures of struct tl_perf as facts: numbers, and days by date */
static const struct {
	const char	*key;		/* in the facts */
	size_t		 off;		/* the double in struct tl_perf */
} perf_nums[] = {
	{ "total_return", offsetof(struct tl_perf, total) },
	{ "years", offsetof(struct tl_perf, years) },
	{ "cagr", offsetof(struct tl_perf, cagr) },
	{ "volatility", offsetof(struct tl_perf, vol) },
	{ "sharpe", offsetof(struct tl_perf, sharpe) },
	{ "sortino", offsetof(struct tl_perf, sortino) },
	{ "max_drawdown", offsetof(struct tl_perf, max_dd) },
	{ "calmar", offsetof(struct tl_perf, calmar) },
	{ "best_day", offsetof(struct tl_perf, best) },
	{ "worst_day", offsetof(struct tl_perf, worst) },
	{ "win_rate", offsetof(struct tl_perf, win_rate) },
	{ "profit_factor", offsetof(struct tl_perf, profit_factor) },
	{ "avg_win", offsetof(struct tl_perf, avg_win) },
	{ "avg_loss", offsetof(struct tl_perf, avg_loss) },
	{ "skew", offsetof(struct tl_perf, skew) },
	{ "kurtosis", offsetof(struct tl_perf, kurt) },
}, perf_days[] = {
	{ "drawdown_trough", offsetof(struct tl_perf, dd_trough) },
	{ "drawdown_end", offsetof(struct tl_perf, dd_end) },
	{ "best_date", offsetof(struct tl_perf, best_day) },
	{ "worst_date", offsetof(struct tl_perf, worst_day) },
};

/* the figures of p (its days dated date[]) as facts */
static json_t *
perf_facts(const struct tl_perf *p, const char *const *date)
{
	json_t *o = json_object();
	size_t i;
	long k;

	putn(o, "days", (double)p->n);
	putn(o, "days_up", (double)p->nup);
	putn(o, "days_down", (double)p->ndown);
	for (i = 0; i < TL_NELEM(perf_nums); i++)
		putn(o, perf_nums[i].key, *(const double *)(const void *)
		    ((const char *)p + perf_nums[i].off));
	for (i = 0; i < TL_NELEM(perf_days); i++) {
		k = *(const long *)(const void *)((const char *)p +
		    perf_days[i].off);
		puts_(o, perf_days[i].key, k < 0 ? NULL : date[k]);
	}
	/* the peak before it: "start" when it is the capital before the
	 * first day */
	puts_(o, "drawdown_peak", p->dd_trough < 0 ? NULL : p->dd_peak < 0 ?
	    "start" : date[p->dd_peak]);
	return o;
}

/* The figures of the days [from, to) of d as facts. */
static json_t *
metrics_of(const struct days *d, const double *r, size_t from, size_t to)
{
	int64_t *day = tl_xcalloc(to - from + 1, sizeof(*day));
	struct tl_perf p;
	json_t *o;
	size_t i;

	for (i = from; i < to; i++)
		tl_panel_date_days(d->date[i], &day[i - from]);
	tl_perf_compute(&p, r + from, day, to - from);
	/* a CAGR compounds the span into a year: the power 365 / days of
	 * a noisy total (2 days: the 182nd, and a 5% total reads 862477%);
	 * from a month on, at most a month's pace taken for 12 */
	if (to > from && day[to - from - 1] - day[0] < CAGR_MIN_DAYS)
		p.cagr = p.calmar = NAN;
	o = perf_facts(&p, d->date + from);
	free(day);
	return o;
}

/* the calendar months of the book and the benchmark */
static json_t *
months_of(const struct days *d)
{
	int64_t *day = tl_xcalloc(d->n + 1, sizeof(*day));
	struct tl_perf_month *mb = tl_xcalloc(d->n + 1, sizeof(*mb)),
	    *mm = tl_xcalloc(d->n + 1, sizeof(*mm));
	json_t *out = json_array();
	size_t i, k;

	for (i = 0; i < d->n; i++)
		tl_panel_date_days(d->date[i], &day[i]);
	k = tl_perf_monthly(d->book, day, d->n, mb);
	tl_perf_monthly(d->bench, day, d->n, mm);
	for (i = 0; i < k; i++)
		json_array_append_new(out, json_pack("{s:i,s:i,s:I,s:o,s:o}",
		    "year", mb[i].year, "month", mb[i].month, "days",
		    (json_int_t)mb[i].days, "book", jnum(mb[i].ret),
		    "benchmark", jnum(mm[i].ret)));
	free(day);
	free(mb);
	free(mm);
	return out;
}

/* the days of d as three arrays of the facts */
static void
put_days(json_t *o, const struct days *d)
{
	json_t *a = json_array(), *b = json_array(), *m = json_array();
	size_t i;

	for (i = 0; i < d->n; i++) {
		json_array_append_new(a, json_string(d->date[i]));
		json_array_append_new(b, jnum(d->book[i]));
		json_array_append_new(m, jnum(d->bench[i]));
	}
	put(o, "dates", a);
	put(o, "book", b);
	put(o, "benchmark", m);
}

/* The live record of the night before (chain: its book facts), kept
 * from its first live day on, into d. */
static void
chain_live(struct days *d, const json_t *chain)
{
	const char *first = fstr(chain, "first_live"), *date;
	const json_t *dates = json_object_get(chain, "dates");
	size_t i;

	if (first == NULL)
		return;
	for (i = 0; i < json_array_size(dates); i++) {
		date = json_string_value(json_array_get(dates, i));
		if (strcmp(date, first) >= 0)
			days_add(d, date, json_number_value(json_array_get(
			    json_object_get(chain, "book"), i)),
			    json_number_value(json_array_get(json_object_get(
			    chain, "benchmark"), i)));
	}
}

void
book_compute(struct night *t, const struct night *p)
{
	json_t *bk = json_object_get(t->facts, "book"),
	    *alloc = json_object_get(t->facts, "allocation"), *chain = NULL;
	const char *today = fstr(json_object_get(t->facts, "night"), "date"),
	    *pdate = NULL;
	const struct tl_panel *pn = &t->ret;
	struct days live = { 0 }, all = { 0 };
	double *w, *wp, off = 0;
	size_t i, nw, nwp = 0, cap;
	const double *row;

	if (!t->have_ret || json_array_size(json_object_get(alloc,
	    "weights")) == 0) {
		put(bk, "status", json_string("missing"));
		return;
	}
	cap = 2 * pn->ndates + 1;
	if (p != NULL) {
		chain = json_object_get(json_object_get(p->facts, "book"),
		    "chain");
		pdate = fstr(json_object_get(p->facts, "night"), "date");
		cap += json_array_size(json_object_get(chain, "dates"));
	}
	live.date = tl_xcalloc(cap, sizeof(*live.date));
	live.book = tl_xcalloc(cap, sizeof(double));
	live.bench = tl_xcalloc(cap, sizeof(double));
	all.date = tl_xcalloc(cap, sizeof(*all.date));
	all.book = tl_xcalloc(cap, sizeof(double));
	all.bench = tl_xcalloc(cap, sizeof(double));
	w = tl_xcalloc(pn->nseries + 1, sizeof(double));
	wp = tl_xcalloc(pn->nseries + 1, sizeof(double));
	weights_on(alloc, pn, w, &nw);
	if (p != NULL && pdate != NULL) {
		off = weights_on(json_object_get(p->facts, "allocation"), pn,
		    wp, &nwp);
		if (nwp == 0)
			addf(json_object_get(bk, "notes"), "the previous night "
			    "(%s) has no allocation: the live record starts "
			    "again", pdate);
	}
	/* the live record: the night before's, then the days since it at
	 * its weights */
	if (nwp > 0) {
		chain_live(&live, chain);
		for (i = 0; i < pn->ndates; i++) {
			if (strcmp(pn->dates[i], pdate) <= 0 || (today != NULL &&
			    strcmp(pn->dates[i], today) > 0) || (live.n > 0 &&
			    strcmp(pn->dates[i], live.date[live.n - 1]) <= 0))
				continue;
			row = pn->x + i * pn->nseries;
			days_add(&live, pn->dates[i], tl_perf_weighted(row, wp,
			    pn->nseries), tl_perf_equal(row, pn->nseries));
		}
	}
	/* before it, tonight's weights: a backtest */
	for (i = 0; i < pn->ndates; i++) {
		if ((live.n > 0 && strcmp(pn->dates[i], live.date[0]) >= 0) ||
		    (today != NULL && strcmp(pn->dates[i], today) > 0))
			continue;
		row = pn->x + i * pn->nseries;
		days_add(&all, pn->dates[i], tl_perf_weighted(row, w,
		    pn->nseries), tl_perf_equal(row, pn->nseries));
	}
	put(bk, "backtest_days", json_integer((json_int_t)all.n));
	put(bk, "live_days", json_integer((json_int_t)live.n));
	for (i = 0; i < live.n; i++)
		days_add(&all, live.date[i], live.book[i], live.bench[i]);
	put(bk, "status", json_string(all.n > 0 ? "ok" : "missing"));
	puts_(bk, "weights_date", today);
	puts_(bk, "first_live", live.n > 0 ? live.date[0] : NULL);
	putn(bk, "unpriced_weight", off);
	if (off > 0) {
		char pct[TL_DOC_NUMSZ];

		addf(json_object_get(bk, "notes"), "%s of the previous night's "
		    "weight is on strategies with no returns tonight: counted "
		    "flat", tl_doc_fmt_pct(pct, off, 1));
	}
	put_days(bk, &all);
	put(bk, "metrics", json_pack("{s:o,s:o,s:o}", "book", metrics_of(&all,
	    all.book, 0, all.n), "benchmark", metrics_of(&all, all.bench, 0,
	    all.n), "live", live.n >= 2 ? metrics_of(&all, all.book, all.n -
	    live.n, all.n) : json_null()));
	put(bk, "rolling_days", all.n >= 2 * TL_PERF_ROLL_DAYS ? json_integer(
	    TL_PERF_ROLL_DAYS) : all.n >= 2 * ROLL_SHORT ? json_integer(
	    ROLL_SHORT) : json_null());
	put(bk, "months", months_of(&all));
	free(live.date);
	free(live.book);
	free(live.bench);
	free(all.date);
	free(all.book);
	free(all.bench);
	free(w);
	free(wp);
}

/* ---- the page --------------------------------------------------------- */

/* The days of the book facts, as C arrays borrowed from them (dates) or
 * new (returns). */
struct bookv {
	const char	**date;		/* borrowed from the facts */
	double		 *book;		/* daily returns */
	double		 *bench;	/* the benchmark's */
	size_t		  n;		/* days */
	size_t		  backtest;	/* of which the first are a backtest */
	size_t		  live;		/* and the last live */
};

static void
bookv_init(struct bookv *v, const json_t *bk)
{
	const json_t *d = json_object_get(bk, "dates");
	size_t i;

	v->n = json_array_size(d);
	v->date = tl_xcalloc(v->n + 1, sizeof(*v->date));
	v->book = tl_xcalloc(v->n + 1, sizeof(double));
	v->bench = tl_xcalloc(v->n + 1, sizeof(double));
	for (i = 0; i < v->n; i++) {
		v->date[i] = json_string_value(json_array_get(d, i));
		v->book[i] = json_number_value(json_array_get(json_object_get(
		    bk, "book"), i));
		v->bench[i] = json_number_value(json_array_get(json_object_get(
		    bk, "benchmark"), i));
	}
	v->backtest = (size_t)fnum(bk, "backtest_days");
	v->live = (size_t)fnum(bk, "live_days");
}

static void
bookv_release(struct bookv *v)
{
	free(v->date);
	free(v->book);
	free(v->bench);
}

/* How the book was made: live since when, a backtest before; or the
 * first night's backtest. */
static void
doc_how(struct tl_doc *d, const json_t *bk, const struct bookv *v,
    const struct night *n)
{
	char a[COUNTSZ], b[COUNTSZ];
	struct tl_buf t;

	tl_buf_init(&t);
	if (v->live > 0) {
		tl_buf_printf(&t, "The book: the weights each night published, "
		    "applied to the strategies' returns of the days after it "
		    "(returns.csv; a strategy without a trade that day is "
		    "flat, the capital not allocated is cash at 0), chained "
		    "from night to night: live from %s, %s.",
		    fstr(bk, "first_live"), count_of(a, (double)v->live, "day",
		    "days"));
		if (v->backtest > 0)
			tl_buf_printf(&t, " Before it, %s (%s to %s) %s "
			    "tonight's weights applied to the history: a "
			    "backtest of tonight's weights, not a record "
			    "(shaded in the charts).", count_of(b,
			    (double)v->backtest, "day", "days"), v->date[0],
			    v->date[v->backtest - 1], plural((double)
			    v->backtest, "is", "are"));
	} else if (json_is_true(json_object_get(json_object_get(n->facts,
	    "night"), "first")))
		tl_buf_printf(&t, "First night of the record: no weights were "
		    "published before tonight, so the %s below (%s to "
		    "%s) %s tonight's weights applied to returns.csv, a "
		    "backtest of tonight's weights, not a record. Each "
		    "night from tomorrow adds the days since the night "
		    "before at the weights it published.", count_of(a,
		    (double)v->n, "day", "days"), v->date[0],
		    v->date[v->n - 1], plural((double)v->n, "is", "are"));
	else if (fstr(json_object_get(n->facts, "night"), "prev_date") !=
	    NULL)
		/* --prev given: no day of returns after it yet (a weekend,
		 * no trade closed), or it published no weights (a note) */
		tl_buf_printf(&t, "No live day yet: returns.csv has no day "
		    "after the night before (%s) at weights it published, "
		    "so the %s below (%s to %s) %s tonight's weights "
		    "applied to returns.csv, a backtest of tonight's "
		    "weights, not a record.", fstr(json_object_get(n->facts,
		    "night"), "prev_date"), count_of(a, (double)v->n, "day",
		    "days"), v->date[0], v->date[v->n - 1], plural((double)
		    v->n, "is", "are"));
	else
		tl_buf_printf(&t, "No record of the nights before (no --prev, "
		    "or no book in its report.json): the %s below (%s "
		    "to %s) %s tonight's weights applied to returns.csv, a "
		    "backtest of tonight's weights, not a record.",
		    count_of(a, (double)v->n, "day", "days"), v->date[0],
		    v->date[v->n - 1], plural((double)v->n, "is", "are"));
	tl_buf_adds(&t, " Benchmark: the equal-weight book of the strategies "
	    "that traded each day.");
	tl_doc_add(d, TL_DOC_P, &t);
	if (v->n < TL_PERF_MIN_DAYS)
		tl_doc_addf(d, TL_DOC_P, "Warning: the annualised figures "
		    "(CAGR, volatility, Sharpe, Sortino, Calmar) rest on %zu "
		    "%s, fewer than %d (half a year of trading days): read "
		    "them as rough.", v->n, plural((double)v->n, "day",
		    "days"), TL_PERF_MIN_DAYS);
	tl_buf_release(&t);
}

/* what a row of the metrics table shows */
enum mkind { M_PCT, M_NUM, M_DATE };

static const struct metric {
	const char	*key;		/* member of a metrics object */
	const char	*label;		/* the row's head */
	enum mkind	 kind;		/* how */
	int		 digits;	/* decimals */
} metrics[] = {
	{ "total_return", "Total return", M_PCT, 2 },
	{ "cagr", "CAGR (annualised)", M_PCT, 2 },
	{ "volatility", "Volatility (annualised)", M_PCT, 2 },
	{ "sharpe", "Sharpe (annualised)", M_NUM, 2 },
	{ "sortino", "Sortino (annualised)", M_NUM, 2 },
	{ "max_drawdown", "Max drawdown", M_PCT, 2 },
	{ "drawdown_peak", "\xE2\x80\x83" "its peak", M_DATE, 0 },
	{ "drawdown_trough", "\xE2\x80\x83" "its trough", M_DATE, 0 },
	{ "drawdown_end", "\xE2\x80\x83" "back at the peak", M_DATE, 0 },
	{ "calmar", "Calmar", M_NUM, 2 },
	{ "best_day", "Best day", M_PCT, 2 },
	{ "best_date", "\xE2\x80\x83" "on", M_DATE, 0 },
	{ "worst_day", "Worst day", M_PCT, 2 },
	{ "worst_date", "\xE2\x80\x83" "on", M_DATE, 0 },
	{ "win_rate", "Win rate (days)", M_PCT, 1 },
	{ "profit_factor", "Profit factor (days)", M_NUM, 2 },
	{ "avg_win", "Average up day", M_PCT, 3 },
	{ "avg_loss", "Average down day", M_PCT, 3 },
	{ "skew", "Skew", M_NUM, 2 },
	{ "kurtosis", "Kurtosis (excess)", M_NUM, 2 },
};

/* the cell of metric m in the metrics object o */
static char *
metric_cell(const struct metric *m, const json_t *o)
{
	const char *s = fstr(o, m->key);

	switch (m->kind) {
	case M_PCT:
		return tl_doc_pct(fnum(o, m->key), m->digits);
	case M_NUM:
		return tl_doc_num(fnum(o, m->key), m->digits);
	case M_DATE:
		break;
	}
	/* a drawdown not recovered has no date: say so; its peak may be
	 * the capital before the first day */
	if (s == NULL)
		return tl_xstrdup(strcmp(m->key, "drawdown_end") == 0 && fstr(o,
		    "drawdown_trough") != NULL ? "not yet" : "n/a");
	return tl_xstrdup(strcmp(s, "start") == 0 ? "the start" : s);
}

/* the metrics table: book, benchmark and the live days alone */
static void
doc_metrics(struct tl_doc *d, const json_t *bk)
{
	static const char *const names[] = { "Book", "Benchmark",
		"Book, live" };
	static const char *const keys[] = { "book", "benchmark", "live" };
	const json_t *mo = json_object_get(bk, "metrics"), *col[3];
	const char *head[4];
	char num[COUNTSZ], **cells, al[5];
	struct tl_buf hb[3];
	struct tl_doc_block *t;
	size_t i, k, nc = 0;

	head[0] = "Figure";
	for (k = 0; k < TL_NELEM(keys); k++) {
		if (!json_is_object(json_object_get(mo, keys[k])))
			continue;
		col[nc] = json_object_get(mo, keys[k]);
		tl_buf_init(&hb[nc]);
		tl_buf_printf(&hb[nc], "%s, %s", names[k], count_of(num,
		    fnum(col[nc], "days"), "day", "days"));
		head[nc + 1] = hb[nc].data;
		nc++;
	}
	memset(al, 'r', nc + 1);
	al[0] = 'l';
	al[nc + 1] = '\0';
	t = tl_doc_add_table(d, "The book's figures (conventions below)",
	    head, al);
	if (nc > 2)
		tl_doc_table_scrolls(t);
	for (i = 0; i < TL_NELEM(metrics); i++) {
		cells = tl_xcalloc(nc + 2, sizeof(*cells));
		cells[0] = tl_xstrdup(metrics[i].label);
		for (k = 0; k < nc; k++)
			cells[k + 1] = metric_cell(&metrics[i], col[k]);
		tl_doc_add_row(t, cells, NULL);
		free(cells);
	}
	for (k = 0; k < nc; k++)
		tl_buf_release(&hb[k]);
	tl_doc_addf(d, TL_DOC_P, "Conventions: daily simple returns, a "
	    "strategy's missing day flat; equity compounded from 1; "
	    "annualised figures use 252 trading days a year (volatility and "
	    "Sharpe \xC3\x97\xE2\x88\x9A" "252, risk-free rate 0) and "
	    "rest on the days shown in each column; CAGR's years are "
	    "calendar days from the first to the last date / 365, and "
	    "under %d calendar days CAGR and Calmar are n/a (a short span "
	    "compounded into a year is noise raised to a high power); "
	    "Sortino divides by the downside deviation over all days, the "
	    "losing ones squared; the max drawdown runs from the capital before the "
	    "first day, Calmar is CAGR / |max drawdown|; win rate (days up "
	    "/ days not flat) and profit factor (gains / losses) count days, "
	    "not trades; skew and kurtosis are the sample (bias-corrected) "
	    "G1 and excess G2, as pandas and quantstats compute them.",
	    CAGR_MIN_DAYS);
}

/* ---- charts ---- */

/* A chart's lines over the book's days, with the backtest shaded and
 * the regimes as a strip. */
struct line_chart {
	struct tl_svg_linex	 x;	/* extras */
	struct tl_svg_series	 s[2];	/* series */
	size_t			 ns;	/* their number */
};

/* The regimes of the regime facts r as spans over the days dates[0..n)
 * (each regime name a colour, by the sorted names) into sp; returns
 * their number. */
static size_t
regime_spans(const json_t *r, const char *const *dates, size_t n,
    struct tl_svg_span *sp)
{
	const json_t *spans = json_object_get(r, "spans"), *v, *u;
	size_t i, j, k = 0, a, b, c;

	json_array_foreach(spans, i, v) {
		const char *from = fstr(v, "from"), *to = fstr(v, "to");

		if (from == NULL || to == NULL || fstr(v, "regime") == NULL)
			continue;
		for (a = 0; a < n && strcmp(dates[a], from) < 0; a++)
			;
		for (b = a; b < n && strcmp(dates[b], to) <= 0; b++)
			;
		if (b == a)
			continue;
		/* the colour: the rank of its name among the names */
		c = 0;
		json_array_foreach(spans, j, u)
			if (fstr(u, "regime") != NULL && strcmp(fstr(u,
			    "regime"), fstr(v, "regime")) < 0 &&
			    find_by(spans, "regime", fstr(u, "regime"), NULL,
			    NULL) == u)
				c++;
		sp[k].from = a;
		sp[k].to = b - 1;
		sp[k].cls = c;
		sp[k].name = fstr(v, "regime");
		k++;
	}
	return k;
}

struct hist_ctx {
	double		 lo, width;	/* the bins */
	size_t		*count;		/* per bin */
	double		*normal;	/* expected per bin */
	size_t		 nb;		/* bins */
};

static void
draw_hist(struct tl_buf *b, const struct tl_svg_chart *c, const void *ctx)
{
	const struct hist_ctx *h = ctx;

	tl_svg_hist(b, c, h->lo, h->width, h->count, h->normal, h->nb, 100,
	    "daily return of the book, %", "normal");
}

/* the monthly returns (in %) of the book as a grid: years down and
 * months across on a wide chart, the other way on a narrow one */
struct month_ctx {
	const json_t	*months;	/* the facts */
	int		 y0, ny;	/* first year, years */
};

static void
draw_months(struct tl_buf *b, const struct tl_svg_chart *c, const void *ctx)
{
	const struct month_ctx *m = ctx;
	const char **years = tl_xcalloc((size_t)m->ny + 1, sizeof(*years));
	char (*ylab)[8] = tl_xcalloc((size_t)m->ny + 1, sizeof(*ylab));
	struct tl_svg_cell *cells = tl_xcalloc(12 * (size_t)m->ny + 1,
	    sizeof(*cells));
	char (*txt)[TL_DOC_NUMSZ] = tl_xcalloc(12 * (size_t)m->ny + 1,
	    sizeof(*txt));
	char (*tip)[96] = tl_xcalloc(12 * (size_t)m->ny + 1, sizeof(*tip));
	int wide = c->width >= TL_DOC_WIDE, y, mo, m0 = 0, m1 = 11;
	double max = 0, v;
	const json_t *e;
	size_t i, k;

	json_array_foreach(m->months, i, e)
		max = fmax(max, fabs(fnum(e, "book")));
	/* months down a narrow chart of one year: those it has */
	if (!wide && m->ny == 1) {
		m0 = (int)fnum(json_array_get(m->months, 0), "month") - 1;
		m1 = (int)fnum(json_array_get(m->months, json_array_size(
		    m->months) - 1), "month") - 1;
	}
	for (y = 0; y < m->ny; y++) {
		snprintf(ylab[y], sizeof(ylab[y]), "%d", m->y0 + y);
		years[y] = ylab[y];
	}
	json_array_foreach(m->months, i, e) {
		y = (int)fnum(e, "year") - m->y0;
		mo = (int)fnum(e, "month") - 1;
		k = wide ? (size_t)(y * 12 + mo) : (size_t)((mo - m0) * m->ny +
		    y);
		v = fnum(e, "book");
		tl_doc_fmt_num(txt[k], v * 100, 1);
		snprintf(tip[k], sizeof(tip[k]), "%.20s%% (%d %s)", txt[k],
		    (int)fnum(e, "days"), plural(fnum(e, "days"), "day",
		    "days"));
		cells[k].cls = tl_svg_scale(v, max, 1);
		cells[k].text = txt[k];
		cells[k].title = tip[k];
	}
	if (wide)
		tl_svg_grid(b, c, years, (size_t)m->ny, month_names, 12, cells,
		    "month", NULL, NULL, 0);
	else
		tl_svg_grid(b, c, month_names + m0, (size_t)(m1 - m0 + 1), years,
		    (size_t)m->ny, cells, "year", NULL, NULL, 0);
	free(years);
	free(ylab);
	free(cells);
	free(txt);
	free(tip);
}

/* the monthly returns as a table, years down, months across, and the
 * year */
static void
doc_month_table(struct tl_doc *d, const json_t *months, int y0, int ny)
{
	const char *head[14];
	struct tl_doc_block *t;
	char **cells, al[15];
	const json_t *e;
	double *yr = tl_xcalloc((size_t)ny + 1, sizeof(double));
	char ***grid = tl_xcalloc((size_t)ny + 1, sizeof(*grid));
	size_t i;
	int y, mo;

	head[0] = "Year";
	for (i = 0; i < 12; i++)
		head[i + 1] = month_names[i];
	head[13] = "Year";
	memset(al, 'r', 14);
	al[0] = 'l';
	al[14] = '\0';
	for (y = 0; y < ny; y++) {
		yr[y] = 1;
		grid[y] = tl_xcalloc(14, sizeof(char *));
	}
	json_array_foreach(months, i, e) {
		y = (int)fnum(e, "year") - y0;
		mo = (int)fnum(e, "month");
		grid[y][mo] = tl_doc_num(fnum(e, "book") * 100, 1);
		yr[y] *= 1 + fnum(e, "book");
	}
	t = tl_doc_add_table(d, "Monthly returns of the book (%, compounded "
	    "within the month; the year: its months compounded)", head, al);
	tl_doc_table_md_only(t);
	for (y = 0; y < ny; y++) {
		cells = grid[y];
		cells[0] = tl_doc_int((double)(y0 + y));
		for (i = 1; i <= 12; i++)
			if (cells[i] == NULL)
				cells[i] = tl_xstrdup("");
		cells[13] = tl_doc_num((yr[y] - 1) * 100, 1);
		tl_doc_add_row(t, cells, NULL);
		free(cells);
	}
	free(grid);
	free(yr);
}

/* the P&L of the trades by name (health's facts pnl: top and bottom) as
 * a chart and a sentence */
static void
doc_pnl(struct tl_doc *d, const json_t *pnl, const char *what,
    const char *id)
{
	const json_t *top = json_object_get(pnl, "top"),
	    *bottom = json_object_get(pnl, "bottom"), *v;
	size_t i, k = 0, nt = json_array_size(top),
	    nb = json_array_size(bottom);
	struct tl_svg_bar *bars = tl_xcalloc(nt + nb + 1, sizeof(*bars));
	struct tl_svg_chart c = { .id = id, .decimals = 0,
	    .unit = "net P&L of the closed trades" };
	char num[TL_DOC_NUMSZ];
	struct tl_buf t, title;

	if (nt == 0) {
		free(bars);
		return;
	}
	tl_buf_init(&t);
	tl_buf_init(&title);
	json_array_foreach(top, i, v) {
		bars[k].label = fstr(v, "name");
		bars[k].value = fnum(v, "pnl");
		bars[k++].prev = NAN;
	}
	/* the lowest last, as in the list: bottom is lowest first */
	for (i = nb; i-- > 0;) {
		v = json_array_get(bottom, i);
		bars[k].label = fstr(v, "name");
		bars[k].value = fnum(v, "pnl");
		bars[k++].prev = NAN;
	}
	if (nb > 0)
		tl_buf_printf(&title, "Net P&L by %s: the %zu highest and the "
		    "%zu lowest of %s", what, nt, nb, tl_doc_fmt_int(num,
		    fnum(pnl, "n")));
	else
		tl_buf_printf(&title, "Net P&L by %s", what);
	c.title = title.data;
	doc_bars(d, &c, bars, k);
	tl_buf_printf(&t, "Net P&L of the closed trades (trades.jsonl) by "
	    "%s, highest: ", what);
	json_array_foreach(top, i, v) {
		if (i == 3)
			break;
		if (i > 0)
			tl_buf_adds(&t, ", ");
		tl_doc_put_code(&t, fstr(v, "name"));
		tl_buf_printf(&t, " %s", tl_doc_fmt_num(num, fnum(v, "pnl"),
		    2));
	}
	if (nb > 0) {
		tl_buf_adds(&t, "; lowest: ");
		json_array_foreach(bottom, i, v) {
			if (i == 3)
				break;
			if (i > 0)
				tl_buf_adds(&t, ", ");
			tl_doc_put_code(&t, fstr(v, "name"));
			tl_buf_printf(&t, " %s", tl_doc_fmt_num(num, fnum(v,
			    "pnl"), 2));
		}
	} else if (nt > 3) {
		/* all of them in top, highest first: the worst are its
		 * last, which the three above leave out */
		tl_buf_adds(&t, "; lowest: ");
		for (i = nt; i-- > (nt > 6 ? nt - 3 : 3);) {
			if (i + 1 < nt)
				tl_buf_adds(&t, ", ");
			v = json_array_get(top, i);
			tl_doc_put_code(&t, fstr(v, "name"));
			tl_buf_printf(&t, " %s", tl_doc_fmt_num(num, fnum(v,
			    "pnl"), 2));
		}
	}
	tl_buf_addc(&t, '.');
	tl_doc_add(d, TL_DOC_LI, &t);
	tl_buf_release(&t);
	tl_buf_release(&title);
	free(bars);
}

static void
doc_book(struct tl_doc *d, const json_t *bk, const struct night *n)
{
	const json_t *months = json_object_get(bk, "months"),
	    *tr = json_object_get(json_object_get(n->facts, "health"),
	    "trades");
	struct tl_svg_chart c = { 0 };
	struct tl_svg_span *sp;
	struct line_chart lc;
	struct hist_ctx h;
	struct month_ctx mc;
	struct bookv v;
	struct tl_buf title;
	double *e1, *e2, x;
	size_t nsp, w, i;

	bookv_init(&v, bk);
	tl_buf_init(&title);
	doc_how(d, bk, &v, n);
	doc_metrics(d, bk);
	e1 = tl_xcalloc(v.n + 1, sizeof(double));
	e2 = tl_xcalloc(v.n + 1, sizeof(double));
	sp = tl_xcalloc(json_array_size(json_object_get(json_object_get(
	    n->facts, "regime"), "spans")) + 1, sizeof(*sp));
	nsp = regime_spans(json_object_get(n->facts, "regime"), v.date, v.n,
	    sp);

	/* growth of 1 against the benchmark, the backtest shaded, the
	 * regimes under it; the same on a log scale, folded */
	memset(&lc, 0, sizeof(lc));
	tl_perf_equity(v.book, v.n, e1);
	tl_perf_equity(v.bench, v.n, e2);
	lc.s[0] = (struct tl_svg_series){ "book", e1 };
	lc.s[1] = (struct tl_svg_series){ "equal weight", e2 };
	lc.x = (struct tl_svg_linex){ .strip = sp, .nstrip = nsp,
	    .shade_to = v.live > 0 ? v.backtest : 0,
	    .shade_name = "backtest", .dashed = 2,
	    .xunit = nsp > 0 ? "date; the strip: market regime" : "date",
	    .ref = 1 };
	tl_buf_printf(&title, "%s against the equal-weight benchmark: "
	    "growth of 1", v.live > 0 ? "The book" : "Tonight's weights "
	    "(backtest)");
	c = (struct tl_svg_chart){ .id = "chart-book", .title = title.data,
	    .unit = "growth of 1" };
	doc_lines(d, &c, &lc.x, v.date, v.n, lc.s, 2, NULL);
	lc.x.logy = 1;
	c = (struct tl_svg_chart){ .id = "chart-book-log", .title = title.data,
	    .unit = "growth of 1, log scale" };
	doc_lines(d, &c, &lc.x, v.date, v.n, lc.s, 2, "The same on a log "
	    "scale");

	/* the drawdown */
	tl_perf_drawdown(v.book, v.n, e1);
	for (i = 0; i < v.n; i++)
		e1[i] *= 100;
	lc.x = (struct tl_svg_linex){ .shade_to = v.live > 0 ? v.backtest :
	    0, .shade_name = "backtest", .area = 1,
	    .xunit = "date", .ref = NAN };
	c = (struct tl_svg_chart){ .id = "chart-drawdown", .title = "Drawdown "
	    "of the book: below its running peak, in %", .unit = "drawdown, "
	    "%" };
	doc_lines(d, &c, &lc.x, v.date, v.n, lc.s, 1, NULL);

	/* the months */
	if (json_array_size(months) > 0) {
		mc.months = months;
		mc.y0 = (int)fnum(json_array_get(months, 0), "year");
		mc.ny = (int)fnum(json_array_get(months, json_array_size(
		    months) - 1), "year") - mc.y0 + 1;
		c = (struct tl_svg_chart){ .id = "chart-months", .title =
		    "Monthly returns of the book, %", .unit = "return of the "
		    "month, %" };
		tl_doc_add_chart(d, &c, draw_months, &mc, NULL);
		doc_month_table(d, months, mc.y0, mc.ny);
	}

	/* rolling Sharpe and volatility */
	/* null under 2 x ROLL_SHORT days: NaN, never cast (a huge window,
	 * and "Rolling 9223372036854775808-day" in the titles) */
	x = fnum(bk, "rolling_days");
	w = isfinite(x) && x >= 1 ? (size_t)x : 0;
	if (w > 0) {
		tl_perf_rolling(v.book, v.n, w, e1, e2);
		for (i = 0; i < v.n; i++)
			e2[i] *= 100;
		lc.s[0] = (struct tl_svg_series){ "book", e1 };
		lc.x = (struct tl_svg_linex){ .xunit = "date", .ref = 0 };
		tl_buf_reset(&title);
		tl_buf_printf(&title, "Rolling %zu-day Sharpe ratio of the book "
		    "(annualised)", w);
		c = (struct tl_svg_chart){ .id = "chart-rolling-sharpe",
		    .title = title.data, .unit = "Sharpe ratio, annualised" };
		doc_lines(d, &c, &lc.x, v.date, v.n, lc.s, 1, NULL);
		lc.s[0].y = e2;
		lc.x.ref = NAN;
		tl_buf_reset(&title);
		tl_buf_printf(&title, "Rolling %zu-day volatility of the book "
		    "(annualised)", w);
		c = (struct tl_svg_chart){ .id = "chart-rolling-vol",
		    .title = title.data, .unit = "volatility, annualised, %" };
		doc_lines(d, &c, &lc.x, v.date, v.n, lc.s, 1, NULL);
	} else
		tl_doc_addf(d, TL_DOC_P, "No rolling figures: they need %d "
		    "days or more, the book has %zu.", 2 * ROLL_SHORT, v.n);

	/* the distribution of the days */
	if (v.n >= 2) {
		h.nb = tl_perf_bins(v.n);
		h.count = tl_xcalloc(h.nb, sizeof(size_t));
		h.normal = tl_xcalloc(h.nb, sizeof(double));
		tl_perf_histogram(v.book, v.n, h.nb, &h.lo, &h.width, h.count,
		    h.normal);
		c = (struct tl_svg_chart){ .id = "chart-histogram", .title =
		    "Daily returns of the book: how many days in each bin, "
		    "against a normal distribution of the same mean and standard "
		    "deviation", .unit = "days" };
		tl_doc_add_chart(d, &c, draw_hist, &h, NULL);
		free(h.count);
		free(h.normal);
	}

	/* where the P&L came from */
	doc_pnl(d, json_object_get(tr, "pnl_by_strategy"), "strategy",
	    "chart-pnl-strategy");
	doc_pnl(d, json_object_get(tr, "pnl_by_symbol"), "symbol",
	    "chart-pnl-symbol");
	free(e1);
	free(e2);
	free(sp);
	tl_buf_release(&title);
	bookv_release(&v);
}

const struct section book_section = {
	.name = "book", .title = "The book",
	.files = "returns.csv and allocation.jsonl", .load = load_book,
	.show = doc_book
};
