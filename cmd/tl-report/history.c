/*
 * tl-report history: what the loop learned, night after night.  It reads
 * the facts (report.json) of every night tl-nightly published under
 * STATEDIR/nights (each nights/DATE a link to the night's directory) and
 * writes, for an assistant or a script, nights/index.jsonl: one line per
 * night with its headline facts and what changed; and, for a person, the
 * history page: the nights with what needed attention, the book's equity
 * over the whole record, feature importance as a heat map of features
 * by nights, the allocation over time as stacked areas, the learned
 * weights over time, the alerts on a timeline with their
 * acknowledgements, and the meta-model's skill and the calibration error
 * over time.  The page is written twice, as STATEDIR/history.html (and
 * history.md) and as STATEDIR/nights/history.html, each with links to
 * the nights that work from where it is: a night's report links to
 * ../history.html, which is one or the other whether it is opened as
 * nights/DATE/report.html or latest/report.html.
 *
 * The facts are read with tl_jv, not jansson: a year of nights of a
 * book of 2,000 strategies is 365 files of a megabyte.  A night without a
 * report.json (its report step did not run) is a line that says so, and
 * a gap in the charts.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "tl_doc.h"
#include "tl_err.h"
#include "tl_json.h"
#include "tl_jv.h"
#include "tl_map.h"
#include "tl_out.h"
#include "tl_panel.h"
#include "tl_perf.h"
#include "tl_records.h"
#include "tl_svg.h"
#include "tl_util.h"

#include "report.h"

#define HIST_FEATURES	15	/* heat map rows: features */
#define HIST_STACK	6	/* strategies stacked; then others, cash */
#define HIST_ARMS	8	/* learned weights drawn */
#define HIST_ALERTS	20	/* timeline rows */
#define HIST_TABLE	30	/* nights in the page's table */

struct hopts {
	const char	*fmt;		/* -f: the index to stdout */
	const char	*since;		/* --since */
	int		 quiet;		/* -q */
	const char	*state;		/* the state directory */
};

/* ---- options ---------------------------------------------------------- */

static void
hparse(int argc, char *argv[], struct hopts *o)
{
	enum { O_SINCE = 256 };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "since", required_argument, NULL, O_SINCE },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const fmts[] = { "jsonl", "csv" };
	int64_t day;
	int ch;

	while ((ch = getopt_long(argc, argv, ":f:hqV", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'f':
			if (tl_table_find(fmts, TL_NELEM(fmts), sizeof(fmts[0]),
			    optarg) < 0)
				tl_usage_error("-f: '%s' is not jsonl or csv",
				    optarg);
			o->fmt = optarg;
			break;
		case 'h':
			printf("usage: tl-report history [-q] [-f format] "
			    "[--since date] statedir\n(see tl-report --help "
			    "and tl-report(1))\n");
			exit(tl_exit_status(TL_EX_OK));
		case 'q':
			o->quiet = 1;
			break;
		case O_SINCE:
			if (strlen(optarg) != 10 || tl_panel_date_days(optarg,
			    &day) == -1)
				tl_usage_error("--since: '%s' is not a date "
				    "(YYYY-MM-DD)", optarg);
			o->since = optarg;
			break;
		case 'V':
			tl_version_exit();
		default:
			tl_bad_option(ch, argv[optind - 1]);
		}
	}
	if (optind >= argc)
		tl_usage_error("history: the state directory is needed");
	if (optind + 1 < argc)
		tl_usage_error("history: one state directory, not %d",
		    argc - optind);
	o->state = argv[optind];
}

/* ---- reading the facts with tl_jv ------------------------------------- */

/* the value at the dotted path of v, or NULL */
static const struct tl_jv *
jv_at(const struct tl_jdoc *d, const struct tl_jv *v, const char *path)
{
	char key[64];
	const char *dot;
	size_t n;

	while (v != NULL && (dot = strchr(path, '.')) != NULL) {
		n = (size_t)(dot - path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		v = tl_jv_get(d, v, key);
		path = dot + 1;
	}
	return v != NULL ? tl_jv_get(d, v, path) : NULL;
}

static double
jv_num(const struct tl_jdoc *d, const struct tl_jv *v, const char *path)
{
	const struct tl_jv *x = jv_at(d, v, path);

	return x != NULL && x->type == TL_JNUM ? x->num : NAN;
}

/* a string member as a new JSON string, or null */
static json_t *
jv_jstr(const struct tl_jdoc *d, const struct tl_jv *v, const char *path)
{
	const struct tl_jv *x = jv_at(d, v, path);

	return x != NULL && x->type == TL_JSTR ? json_stringn(x->s, x->len) :
	    json_null();
}

/* a number member as a JSON number, or null */
static json_t *
jv_jnum(const struct tl_jdoc *d, const struct tl_jv *v, const char *path)
{
	return jnum(jv_num(d, v, path));
}

/* s[0..n) is the string of v */
static int
jv_is(const struct tl_jv *v, const char *s)
{
	return v != NULL && v->type == TL_JSTR && v->len == strlen(s) &&
	    memcmp(v->s, s, v->len) == 0;
}

/* ---- rows of numbers over the nights ---------------------------------- */

/* Named rows of one value per night (NaN: none), in the order the names
 * came. */
struct rows {
	struct tl_map	*idx;		/* name -> row + 1 */
	char		**name;		/* the names */
	double		**v;		/* v[row][night] */
	size_t		  n, cap;	/* rows */
	size_t		  nn;		/* nights */
};

static void
rows_init(struct rows *r, size_t nights)
{
	memset(r, 0, sizeof(*r));
	r->idx = tl_map_alloc();
	r->nn = nights;
}

static void
rows_release(struct rows *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->name[i]);
		free(r->v[i]);
	}
	free(r->name);
	free(r->v);
	tl_map_free(r->idx);
}

/* the row named s[0..n), added (all NaN) if new */
static double *
rows_get(struct rows *r, const char *s, size_t n)
{
	uintptr_t *slot = tl_map_put(r->idx, s, n, NULL);
	size_t i;

	if (*slot == 0) {
		if (r->n == r->cap) {
			r->cap = r->cap > 0 ? 2 * r->cap : 64;
			r->name = tl_xreallocarray(r->name, r->cap,
			    sizeof(*r->name));
			r->v = tl_xreallocarray(r->v, r->cap, sizeof(*r->v));
		}
		r->name[r->n] = tl_xstrndup(s, n);
		r->v[r->n] = tl_xcalloc(r->nn + 1, sizeof(double));
		for (i = 0; i < r->nn; i++)
			r->v[r->n][i] = NAN;
		*slot = ++r->n;
	}
	return r->v[*slot - 1];
}

/* the mean of row i over the nights with a value (0 for none) */
static double
row_mean(const struct rows *r, size_t i)
{
	double s = 0;
	size_t k, m = 0;

	for (k = 0; k < r->nn; k++)
		if (isfinite(r->v[i][k])) {
			s += r->v[i][k];
			m++;
		}
	return m > 0 ? s / (double)m : 0;
}

/* The indices of the (at most) k rows with the largest mean, largest
 * first (ties: the first named), into top; returns their number. */
static size_t
rows_top(const struct rows *r, size_t k, size_t *top)
{
	double *m = tl_xcalloc(r->n + 1, sizeof(double));
	size_t i, j, n = 0;

	for (i = 0; i < r->n; i++)
		m[i] = row_mean(r, i);
	for (i = 0; i < r->n; i++) {
		for (j = n; j > 0 && m[top[j - 1]] < m[i]; j--)
			if (j < k)
				top[j] = top[j - 1];
		if (j < k) {
			top[j] = i;
			if (n < k)
				n++;
		}
	}
	free(m);
	return n;
}

/* ---- the nights ------------------------------------------------------- */

/* What the history holds. */
struct hist {
	char		**date;		/* nights, ascending */
	size_t		  n;		/* their number */
	json_t		 *index;	/* their index lines */
	struct rows	  imp;		/* feature -> share of importance */
	struct rows	  alloc;	/* strategy -> weight */
	struct rows	  arms;		/* context/arm -> learned weight */
	struct rows	  alerts;	/* strategy kind -> 1 low .. 3 high,
					 * 4 acknowledged */
	double		 *skill;	/* meta-model skill per night */
	double		 *ece;		/* raw calibration error per night */
	double		 *cash;		/* the allocation's cash */
	struct tl_jdoc	  last;		/* the last night's facts */
	struct tl_buf	  lastbuf;	/* their text */
	int		  have_last;	/* last was read */
	size_t		  nreports;	/* nights with a report.json */
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The published nights of state/nights: names YYYY-MM-DD that are
 * directories (or links to one), from since on, ascending.  Returns 0,
 * or -1 with err when there is no nights directory. */
static int
list_nights(const struct hopts *o, struct hist *h, struct tl_err *err)
{
	struct dirent *e;
	struct stat st;
	struct tl_buf p;
	int64_t day;
	size_t cap = 0;
	DIR *dir;

	tl_buf_init(&p);
	tl_buf_printf(&p, "%s/nights", o->state);
	if ((dir = opendir(p.data)) == NULL) {
		tl_err_set(err, TL_EX_NOINPUT, p.data, 0, "%s", strerror(errno));
		tl_buf_release(&p);
		return -1;
	}
	while ((e = readdir(dir)) != NULL) {
		if (strlen(e->d_name) != 10 || tl_panel_date_days(e->d_name,
		    &day) == -1 || (o->since != NULL && strcmp(e->d_name,
		    o->since) < 0))
			continue;
		tl_buf_reset(&p);
		tl_buf_printf(&p, "%s/nights/%s", o->state, e->d_name);
		if (stat(p.data, &st) == -1 || !S_ISDIR(st.st_mode))
			continue;
		if (h->n == cap) {
			cap = cap > 0 ? 2 * cap : 64;
			h->date = tl_xreallocarray(h->date, cap,
			    sizeof(*h->date));
		}
		h->date[h->n++] = tl_xstrdup(e->d_name);
	}
	closedir(dir);
	tl_buf_release(&p);
	if (h->n > 1)
		qsort(h->date, h->n, sizeof(*h->date), cmp_str);
	return 0;
}

/* read path whole into b: 0, or -1 (errno) */
static int
slurp(const char *path, struct tl_buf *b)
{
	char chunk[65536];
	size_t k;
	FILE *fp;
	int bad;

	tl_buf_reset(b);
	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	while ((k = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		tl_buf_add(b, chunk, k);
	bad = ferror(fp);
	fclose(fp);
	return bad ? -1 : 0;
}

/* the night's headline facts: the index line */
static json_t *
index_line(const struct tl_jdoc *d, const struct tl_jv *f, const char *date)
{
	const struct tl_jv *v, *c, *top = NULL, *steps, *al, *cx;
	json_t *o, *att, *ch, *newal, *st;
	double w, best = -1, x;
	size_t nok = 0, nfail = 0, nskip = 0, nal = 0, nnew = 0, nhigh = 0,
	    nack = 0, nalloc = 0;

	o = json_pack("{s:s,s:o,s:b}", "date", date, "dir", json_sprintf(
	    "nights/%s", date), "report", 1);
	steps = jv_at(d, f, "pipeline.steps");
	for (c = steps != NULL ? tl_jv_child(d, steps) : NULL; c != NULL;
	    c = tl_jv_next(d, steps, c)) {
		v = tl_jv_get(d, c, "status");
		nok += jv_is(v, "ok");
		nfail += jv_is(v, "failed");
		nskip += jv_is(v, "skipped");
	}
	put(o, "steps", json_pack("{s:I,s:I,s:I}", "ok", (json_int_t)nok,
	    "failed", (json_int_t)nfail, "skipped", (json_int_t)nskip));
	att = json_array();
	ch = json_array();
	if ((v = jv_at(d, f, "attention")) != NULL && v->type == TL_JARR)
		for (c = tl_jv_child(d, v); c != NULL; c = tl_jv_next(d, v, c))
			if (c->type == TL_JSTR)
				json_array_append_new(att, json_stringn(c->s,
				    c->len));
	if ((v = jv_at(d, f, "changes")) != NULL && v->type == TL_JARR)
		for (c = tl_jv_child(d, v); c != NULL; c = tl_jv_next(d, v, c))
			if (c->type == TL_JSTR)
				json_array_append_new(ch, json_stringn(c->s,
				    c->len));
	put(o, "attention", att);
	put(o, "changes", ch);
	put(o, "trades", jv_jnum(d, f, "health.trades.n"));
	put(o, "new_trades", jv_jnum(d, f, "pipeline.new_trades"));
	put(o, "net_pnl", jv_jnum(d, f, "health.trades.net_pnl"));
	/* the book: its last day, its live record compounded */
	st = json_object();
	v = jv_at(d, f, "book.book");
	c = jv_at(d, f, "book.dates");
	cx = jv_at(d, f, "book.first_live");
	x = NAN;
	w = NAN;
	if (v != NULL && c != NULL && v->type == TL_JARR && c->type ==
	    TL_JARR) {
		const struct tl_jv *e, *g, *lastd = NULL;

		for (e = tl_jv_child(d, v), g = tl_jv_child(d, c); e != NULL &&
		    g != NULL; e = tl_jv_next(d, v, e), g = tl_jv_next(d, c, g)) {
			if (e->type != TL_JNUM || g->type != TL_JSTR)
				continue;
			x = e->num;
			lastd = g;
			/* dates compare as text: YYYY-MM-DD */
			if (cx != NULL && cx->type == TL_JSTR && (g->len >
			    cx->len || memcmp(g->s, cx->s, g->len) >= 0))
				w = (isfinite(w) ? w : 1) * (1 + e->num);
		}
		put(st, "last_date", lastd != NULL ? json_stringn(lastd->s,
		    lastd->len) : json_null());
	}
	put(st, "last_day", jnum(x));
	put(st, "total_return", jv_jnum(d, f,
	    "book.metrics.book.total_return"));
	put(st, "sharpe", jv_jnum(d, f, "book.metrics.book.sharpe"));
	put(st, "live_return", jnum(w - 1));
	put(st, "max_drawdown", jv_jnum(d, f,
	    "book.metrics.book.max_drawdown"));
	put(st, "live_days", jv_jnum(d, f, "book.live_days"));
	put(st, "first_live", jv_jstr(d, f, "book.first_live"));
	put(o, "book", st);
	put(o, "model", json_pack("{s:o,s:o,s:o}", "oob_r2", jv_jnum(d, f,
	    "model.oob_r2"), "skill", jv_jnum(d, f, "model.skill"),
	    "top_feature", json_null()));
	if ((v = jv_at(d, f, "model.importance_kind")) != NULL &&
	    v->type == TL_JSTR) {
		char key[80];

		snprintf(key, sizeof(key), "%.*s", (int)(v->len < 60 ? v->len :
		    60), v->s);
		c = jv_at(d, f, "model.importance");
		c = c != NULL ? tl_jv_get(d, c, key) : NULL;
		c = c != NULL && c->type == TL_JARR ? tl_jv_child(d, c) : NULL;
		if (c != NULL)
			put(json_object_get(o, "model"), "top_feature",
			    jv_jstr(d, c, "feature"));
	}
	put(o, "candidates", jv_jnum(d, f, "candidates.n"));
	/* the allocation: how many hold a weight, the largest */
	v = jv_at(d, f, "allocation.weights");
	for (c = v != NULL && v->type == TL_JARR ? tl_jv_child(d, v) : NULL;
	    c != NULL; c = tl_jv_next(d, v, c)) {
		w = jv_num(d, c, "weight");
		if (w > 0)
			nalloc++;
		if (w > best) {
			best = w;
			top = c;
		}
	}
	put(o, "allocation", json_pack("{s:o,s:I,s:o,s:o,s:o,s:o}", "method",
	    jv_jstr(d, f, "allocation.summary.method"), "allocated",
	    (json_int_t)nalloc, "cash", jv_jnum(d, f,
	    "allocation.summary.cash"), "turnover", jv_jnum(d, f,
	    "allocation.summary.turnover"), "top_strategy", top != NULL ?
	    jv_jstr(d, top, "strategy") : json_null(), "top_weight",
	    jnum(best >= 0 ? best : NAN)));
	/* the alerts */
	newal = json_array();
	al = jv_at(d, f, "overfit.alerts");
	for (c = al != NULL && al->type == TL_JARR ? tl_jv_child(d, al) : NULL;
	    c != NULL; c = tl_jv_next(d, al, c)) {
		nal++;
		v = tl_jv_get(d, c, "status");
		if (jv_is(v, "acknowledged"))
			nack++;
		else if (jv_is(tl_jv_get(d, c, "severity"), "high"))
			nhigh++;
		if (jv_is(v, "new")) {
			nnew++;
			json_array_append_new(newal, json_pack("{s:o,s:o,s:o}",
			    "strategy", jv_jstr(d, c, "strategy"), "kind",
			    jv_jstr(d, c, "kind"), "severity", jv_jstr(d, c,
			    "severity")));
		}
	}
	put(o, "alerts", json_pack("{s:I,s:I,s:I,s:I}", "total",
	    (json_int_t)nal, "new", (json_int_t)nnew, "high_open",
	    (json_int_t)nhigh, "acknowledged", (json_int_t)nack));
	put(o, "new_alerts", newal);
	put(o, "pbo", jv_jnum(d, f, "overfit.pbo"));
	cx = jv_at(d, f, "regime.today");
	put(o, "regime", cx != NULL && jv_at(d, cx, "label") != NULL ?
	    jv_jstr(d, cx, "label") : cx != NULL ? jv_jnum(d, cx, "state") :
	    json_null());
	put(o, "ece", jv_jnum(d, f, "calibration.raw.ece"));
	return o;
}

/* The night k's facts f into the rows of h. */
static void
night_rows(struct hist *h, size_t k, const struct tl_jdoc *d,
    const struct tl_jv *f)
{
	static const char *const sev[] = { "low", "medium", "high" };
	const struct tl_jv *v, *c, *kind, *e;
	char key[160];
	double sum = 0, x, *row;
	size_t i;

	h->skill[k] = jv_num(d, f, "model.skill");
	h->ece[k] = jv_num(d, f, "calibration.raw.ece");
	h->cash[k] = jv_num(d, f, "allocation.summary.cash");
	/* importance: each feature's share of the night's total */
	kind = jv_at(d, f, "model.importance_kind");
	v = jv_at(d, f, "model.importance");
	if (kind != NULL && kind->type == TL_JSTR && v != NULL) {
		snprintf(key, sizeof(key), "%.*s", (int)(kind->len < 60 ?
		    kind->len : 60), kind->s);
		v = tl_jv_get(d, v, key);
	} else
		v = NULL;
	for (c = v != NULL && v->type == TL_JARR ? tl_jv_child(d, v) : NULL;
	    c != NULL; c = tl_jv_next(d, v, c))
		if ((x = jv_num(d, c, "importance")) > 0)
			sum += x;
	for (c = v != NULL && v->type == TL_JARR ? tl_jv_child(d, v) : NULL;
	    c != NULL; c = tl_jv_next(d, v, c)) {
		e = tl_jv_get(d, c, "feature");
		x = jv_num(d, c, "importance");
		if (e != NULL && e->type == TL_JSTR && isfinite(x) && sum > 0)
			rows_get(&h->imp, e->s, e->len)[k] = fmax(x, 0) / sum;
	}
	/* allocation weights */
	v = jv_at(d, f, "allocation.weights");
	for (c = v != NULL && v->type == TL_JARR ? tl_jv_child(d, v) : NULL;
	    c != NULL; c = tl_jv_next(d, v, c)) {
		e = tl_jv_get(d, c, "strategy");
		if (e != NULL && e->type == TL_JSTR && isfinite(x = jv_num(d, c,
		    "weight")))
			rows_get(&h->alloc, e->s, e->len)[k] = x;
	}
	/* learned weights, context/arm ("arm" alone without a context) */
	v = jv_at(d, f, "bandit.weights");
	for (c = v != NULL && v->type == TL_JARR ? tl_jv_child(d, v) : NULL;
	    c != NULL; c = tl_jv_next(d, v, c)) {
		e = tl_jv_get(d, c, "arm");
		kind = tl_jv_get(d, c, "context");
		if (e == NULL || e->type != TL_JSTR || !isfinite(x = jv_num(d, c,
		    "weight")))
			continue;
		if (kind != NULL && kind->type == TL_JSTR)
			snprintf(key, sizeof(key), "%.*s/%.*s", (int)(kind->len <
			    60 ? kind->len : 60), kind->s, (int)(e->len < 60 ?
			    e->len : 60), e->s);
		else
			snprintf(key, sizeof(key), "%.*s", (int)(e->len < 60 ?
			    e->len : 60), e->s);
		rows_get(&h->arms, key, strlen(key))[k] = x;
	}
	/* alerts: the most severe of a strategy and kind, or acknowledged */
	v = jv_at(d, f, "overfit.alerts");
	for (c = v != NULL && v->type == TL_JARR ? tl_jv_child(d, v) : NULL;
	    c != NULL; c = tl_jv_next(d, v, c)) {
		e = tl_jv_get(d, c, "strategy");
		kind = tl_jv_get(d, c, "kind");
		if (e == NULL || e->type != TL_JSTR || kind == NULL ||
		    kind->type != TL_JSTR)
			continue;
		snprintf(key, sizeof(key), "%.*s %.*s", (int)(e->len < 60 ?
		    e->len : 60), e->s, (int)(kind->len < 60 ? kind->len : 60),
		    kind->s);
		row = rows_get(&h->alerts, key, strlen(key));
		if (jv_is(tl_jv_get(d, c, "status"), "acknowledged"))
			x = 4;
		else
			for (x = 1, i = 0; i < TL_NELEM(sev); i++)
				if (jv_is(tl_jv_get(d, c, "severity"), sev[i]))
					x = (double)i + 1;
		row[k] = isfinite(row[k]) && row[k] < 4 ? fmax(row[k], x) : x;
	}
}

/* Read every night of h (listed) into its index and rows.  The last
 * night's facts stay in h->last for the book. */
static void
read_nights(const struct hopts *o, struct hist *h)
{
	struct tl_err err = { 0 };
	struct tl_jdoc d;
	struct tl_buf path, text;
	json_t *line;
	size_t k;

	tl_jdoc_init(&d);
	tl_buf_init(&path);
	tl_buf_init(&text);
	tl_jdoc_init(&h->last);
	tl_buf_init(&h->lastbuf);
	h->index = json_array();
	rows_init(&h->imp, h->n);
	rows_init(&h->alloc, h->n);
	rows_init(&h->arms, h->n);
	rows_init(&h->alerts, h->n);
	h->skill = tl_xcalloc(h->n + 1, sizeof(double));
	h->ece = tl_xcalloc(h->n + 1, sizeof(double));
	h->cash = tl_xcalloc(h->n + 1, sizeof(double));
	for (k = 0; k < h->n; k++) {
		h->skill[k] = h->ece[k] = h->cash[k] = NAN;
		tl_buf_reset(&path);
		tl_buf_printf(&path, "%s/nights/%s/report.json", o->state,
		    h->date[k]);
		if (slurp(path.data, &text) == -1 || tl_jdoc_parse(&d,
		    text.data, text.len, "report.json", 0, &err) == -1 ||
		    d.v[0].type != TL_JOBJ || !jv_is(tl_jv_get(&d, d.v,
		    "format"), "tl-report-facts")) {
			if (!o->quiet)
				tl_warn("nights/%s: no report.json that reads "
				    "as tl-report's facts: the night is a gap",
				    h->date[k]);
			line = json_pack("{s:s,s:o,s:b}", "date", h->date[k],
			    "dir", json_sprintf("nights/%s", h->date[k]),
			    "report", 0);
			json_array_append_new(h->index, line);
			continue;
		}
		h->nreports++;
		json_array_append_new(h->index, index_line(&d, d.v,
		    h->date[k]));
		night_rows(h, k, &d, d.v);
		if (k == h->n - 1) {
			/* keep the last night: its book is the record */
			tl_buf_add(&h->lastbuf, text.data, text.len);
			h->have_last = tl_jdoc_parse(&h->last, h->lastbuf.data,
			    h->lastbuf.len, "report.json", 0, &err) == 0;
		}
	}
	tl_jdoc_release(&d);
	tl_buf_release(&path);
	tl_buf_release(&text);
}

static void
hist_release(struct hist *h)
{
	size_t k;

	for (k = 0; k < h->n; k++)
		free(h->date[k]);
	free(h->date);
	json_decref(h->index);
	if (h->index != NULL) {
		rows_release(&h->imp);
		rows_release(&h->alloc);
		rows_release(&h->arms);
		rows_release(&h->alerts);
		tl_jdoc_release(&h->last);
		tl_buf_release(&h->lastbuf);
	}
	free(h->skill);
	free(h->ece);
	free(h->cash);
}

/* ---- the page --------------------------------------------------------- */

/* the nights as a table, the newest first, each linked to its report
 * (prefix: the path from the page to nights/) */
static void
doc_nights(struct tl_doc *d, const struct hist *h, const char *prefix)
{
	static const char *const head[] = { "Night", "Needs attention",
		"Book that day", "Book, live record", "High alerts open",
		"New alerts", "Regime", "ECE" };
	struct tl_doc_block *t;
	const json_t *l, *b;
	struct tl_buf c, href;
	char **cells;
	size_t k, i;

	t = tl_doc_add_table(d, "The nights, the newest first", head,
	    "dlrrrrlr");
	tl_doc_table_scrolls(t);
	tl_buf_init(&c);
	tl_buf_init(&href);
	for (i = 0; i < h->n && i < HIST_TABLE; i++) {
		k = h->n - 1 - i;
		l = json_array_get(h->index, k);
		b = json_object_get(l, "book");
		cells = tl_xcalloc(TL_NELEM(head) + 1, sizeof(*cells));
		tl_buf_reset(&href);
		tl_buf_printf(&href, "%s%s/report.html", prefix, h->date[k]);
		tl_doc_put_link(&c, href.data, h->date[k]);
		cells[0] = tl_xstrdup(c.data);
		tl_buf_reset(&c);
		if (json_is_false(json_object_get(l, "report"))) {
			cells[1] = tl_xstrdup("no report.json");
			for (size_t j = 2; j < TL_NELEM(head); j++)
				cells[j] = tl_xstrdup("n/a");
			tl_doc_add_row(t, cells, NULL);
			free(cells);
			continue;
		}
		cells[1] = tl_doc_int((double)json_array_size(json_object_get(l,
		    "attention")));
		cells[2] = tl_doc_pct(fnum(b, "last_day"), 2);
		cells[3] = tl_doc_pct(fnum(b, "live_return"), 2);
		cells[4] = tl_doc_int(fnum(json_object_get(l, "alerts"),
		    "high_open"));
		cells[5] = tl_doc_int(fnum(json_object_get(l, "alerts"),
		    "new"));
		cells[6] = json_is_string(json_object_get(l, "regime")) ?
		    tl_doc_code(fstr(l, "regime")) : tl_doc_int(fnum(l,
		    "regime"));
		cells[7] = tl_doc_num(fnum(l, "ece"), 3);
		tl_doc_add_row(t, cells, NULL);
		free(cells);
	}
	if (h->n > HIST_TABLE)
		tl_doc_addf(d, TL_DOC_P, "%zu older %s in "
		    "nights/index.jsonl.", h->n - HIST_TABLE, plural((double)
		    (h->n - HIST_TABLE), "night", "nights"));
	tl_buf_release(&c);
	tl_buf_release(&href);
}

/* The book's record: the last night's book facts. */
static void
doc_record(struct tl_doc *d, const struct hist *h, const char *prefix)
{
	const struct tl_jdoc *dc = &h->last;
	const struct tl_jv *bk = h->have_last ? jv_at(dc, dc->v, "book") :
	    NULL, *da = jv_at(dc, bk, "dates"), *bo = jv_at(dc, bk, "book"),
	    *be = jv_at(dc, bk, "benchmark"), *e, *f, *g;
	struct tl_svg_chart c = { .id = "chart-history-book", .title =
	    "The book's record: growth of 1, against the equal-weight "
	    "benchmark", .unit = "growth of 1" };
	struct tl_svg_series s[2];
	struct tl_svg_linex x = { .shade_name = "backtest", .dashed = 2,
	    .xunit = "date", .ref = 1 };
	char **dates, num[2][TL_DOC_NUMSZ];
	double *b, *m, *e1, *e2;
	size_t n, i, live = (size_t)fmax(jv_num(dc, bk, "live_days"), 0);

	(void)prefix;
	if (da == NULL || bo == NULL || be == NULL || da->type != TL_JARR ||
	    da->n == 0 || bo->n != da->n || be->n != da->n) {
		tl_doc_addf(d, TL_DOC_P, "No book in the last night's facts.");
		return;
	}
	n = da->n;
	dates = tl_xcalloc(n + 1, sizeof(*dates));
	b = tl_xcalloc(n + 1, sizeof(double));
	m = tl_xcalloc(n + 1, sizeof(double));
	e1 = tl_xcalloc(n + 1, sizeof(double));
	e2 = tl_xcalloc(n + 1, sizeof(double));
	for (i = 0, e = tl_jv_child(dc, da), f = tl_jv_child(dc, bo),
	    g = tl_jv_child(dc, be); i < n && e != NULL && f != NULL && g !=
	    NULL; i++, e = tl_jv_next(dc, da, e), f = tl_jv_next(dc, bo, f),
	    g = tl_jv_next(dc, be, g)) {
		dates[i] = tl_xstrndup(e->s, e->len);
		b[i] = f->type == TL_JNUM ? f->num : 0;
		m[i] = g->type == TL_JNUM ? g->num : 0;
	}
	tl_perf_equity(b, n, e1);
	tl_perf_equity(m, n, e2);
	if (live > n)
		live = n;
	if (live > 0)
		tl_doc_addf(d, TL_DOC_P, "The book was live (each night's "
		    "published weights on the days after it) for the last %zu "
		    "%s, from %s: it grew by %s, the benchmark by %s. "
		    "Before that, the last night's weights applied to the "
		    "history: a backtest, shaded.", live, plural((double)live,
		    "day", "days"),
		    dates[n - live],
		    tl_doc_fmt_pct(num[0], e1[n - 1] / (n > live ?
		    e1[n - live - 1] : 1) - 1, 2), tl_doc_fmt_pct(num[1],
		    e2[n - 1] / (n > live ? e2[n - live - 1] : 1) - 1, 2));
	else
		tl_doc_addf(d, TL_DOC_P, "No live days yet: the record below "
		    "is a backtest of the last night's weights.");
	x.shade_to = live > 0 ? n - live : 0;
	s[0] = (struct tl_svg_series){ "book", e1 };
	s[1] = (struct tl_svg_series){ "equal weight", e2 };
	doc_lines(d, &c, &x, (const char *const *)dates, n, s, 2, NULL);
	for (i = 0; i < n; i++)
		free(dates[i]);
	free(dates);
	free(b);
	free(m);
	free(e1);
	free(e2);
}

/* the grid of rows r (the top k by mean, or those given) over the
 * nights: a heat map or a timeline */
struct grid_ctx {
	const struct hist	*h;		/* the nights */
	const char		**rows;		/* row labels */
	size_t			  nr;		/* their number */
	struct tl_svg_cell	 *cells;	/* nr x nights */
	const char *const	 *keys;		/* legend classes */
	const char *const	 *names;	/* and names */
	size_t			  nkeys;	/* their number */
};

static void
draw_grid(struct tl_buf *b, const struct tl_svg_chart *c, const void *ctx)
{
	const struct grid_ctx *g = ctx;

	tl_svg_grid(b, c, g->rows, g->nr, (const char *const *)g->h->date,
	    g->h->n, g->cells, "night", g->keys, g->names, g->nkeys);
}

/* feature importance: features by nights, each night's share */
static void
doc_importance(struct tl_doc *d, const struct hist *h, const char *prefix)
{
	static const char *const keys[] = { "tl-q1", "tl-q2", "tl-q3",
		"tl-q4" };
	static const char *const names[] = { "to 1/4 of the top",
		"to 1/2", "to 3/4", "to the top" };
	struct tl_svg_chart c = { .id = "chart-history-importance", .title =
	    "Feature importance, night by night: each feature's share of the "
	    "night's total importance", .unit = "feature" };
	size_t top[HIST_FEATURES], n = rows_top(&h->imp, HIST_FEATURES, top),
	    i, k;
	struct grid_ctx g = { .h = h, .nr = n, .keys = keys, .names = names,
	    .nkeys = TL_NELEM(keys) };
	char (*tip)[TL_DOC_NUMSZ];
	double max = 0;

	(void)prefix;
	if (n == 0) {
		tl_doc_addf(d, TL_DOC_P, "No feature importances in the "
		    "nights' facts.");
		return;
	}
	g.rows = tl_xcalloc(n + 1, sizeof(*g.rows));
	g.cells = tl_xcalloc(n * h->n + 1, sizeof(*g.cells));
	tip = tl_xcalloc(n * h->n + 1, sizeof(*tip));
	for (i = 0; i < n; i++)
		for (k = 0; k < h->n; k++)
			if (isfinite(h->imp.v[top[i]][k]))
				max = fmax(max, h->imp.v[top[i]][k]);
	for (i = 0; i < n; i++) {
		g.rows[i] = h->imp.name[top[i]];
		for (k = 0; k < h->n; k++) {
			double v = h->imp.v[top[i]][k];

			g.cells[i * h->n + k].cls = tl_svg_scale(v, max, 0);
			tl_doc_fmt_pct(tip[i * h->n + k], v, 1);
			g.cells[i * h->n + k].title = tip[i * h->n + k];
		}
	}
	tl_doc_add_chart(d, &c, draw_grid, &g, NULL);
	free(g.rows);
	free(g.cells);
	free(tip);
}

struct stacked_ctx {
	const struct hist		*h;	/* the nights */
	const struct tl_svg_series	*s;	/* the layers */
	size_t				 ns;	/* their number */
};

static void
draw_stacked_hist(struct tl_buf *b, const struct tl_svg_chart *c,
    const void *ctx)
{
	const struct stacked_ctx *x = ctx;

	tl_svg_stacked(b, c, (const char *const *)x->h->date, x->h->n, x->s,
	    x->ns, "night");
}

/* the allocation over the nights, stacked: the largest strategies on
 * average, the others together, and cash */
static void
doc_alloc(struct tl_doc *d, const struct hist *h, const char *prefix)
{
	struct tl_svg_chart c = { .id = "chart-history-allocation", .title =
	    "The allocation, night by night: the largest strategies on "
	    "average, the others, and cash", .unit = "weight, %" };
	size_t top[HIST_STACK], n = rows_top(&h->alloc, HIST_STACK, top), i,
	    k, j;
	struct tl_svg_series s[HIST_STACK + 2];
	double *y = tl_xcalloc((n + 2) * h->n + 1, sizeof(double)), sum;
	struct stacked_ctx sc = { h, s, n + 2 };

	(void)prefix;
	for (k = 0; k < h->n; k++) {
		sum = 0;
		for (j = 0; j < h->alloc.n; j++)
			if (isfinite(h->alloc.v[j][k]))
				sum += h->alloc.v[j][k];
		for (i = 0; i < n; i++) {
			y[i * h->n + k] = isfinite(h->alloc.v[top[i]][k]) ?
			    100 * h->alloc.v[top[i]][k] : 0;
			sum -= y[i * h->n + k] / 100;
		}
		y[n * h->n + k] = 100 * fmax(sum, 0);
		y[(n + 1) * h->n + k] = isfinite(h->cash[k]) ? 100 *
		    h->cash[k] : 0;
	}
	for (i = 0; i < n; i++)
		s[i] = (struct tl_svg_series){ h->alloc.name[top[i]],
		    y + i * h->n };
	s[n] = (struct tl_svg_series){ "others", y + n * h->n };
	s[n + 1] = (struct tl_svg_series){ "cash", y + (n + 1) * h->n };
	if (h->alloc.n == 0)
		tl_doc_addf(d, TL_DOC_P, "No allocation in the nights' facts.");
	else
		tl_doc_add_chart(d, &c, draw_stacked_hist, &sc, NULL);
	free(y);
}

/* lines of the rows idx of r over the nights, scaled */
static void
doc_row_lines(struct tl_doc *d, const struct tl_svg_chart *c,
    const struct hist *h, const struct rows *r, const size_t *idx, size_t n,
    double scale)
{
	struct tl_svg_series *s = tl_xcalloc(n + 1, sizeof(*s));
	struct tl_svg_linex x = { .xunit = "night", .ref = NAN };
	double *y = tl_xcalloc(n * h->n + 1, sizeof(double));
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < h->n; k++)
			y[i * h->n + k] = r->v[idx[i]][k] * scale;
		s[i] = (struct tl_svg_series){ r->name[idx[i]], y + i * h->n };
	}
	doc_lines(d, c, &x, (const char *const *)h->date, h->n, s, n, NULL);
	free(s);
	free(y);
}

/* the learned weights over the nights: the arms with no context if there
 * are any, else those of the first context */
static void
doc_arms(struct tl_doc *d, const struct hist *h, const char *prefix)
{
	struct tl_svg_chart c = { .id = "chart-history-arms", .unit =
	    "weight, %" };
	size_t *idx = tl_xcalloc(h->arms.n + 1, sizeof(*idx)), n = 0, i;
	const char *slash, *cx = NULL;
	struct tl_buf title;

	(void)prefix;
	/* rows without a '/' have no context */
	for (i = 0; i < h->arms.n && n < HIST_ARMS; i++)
		if (strchr(h->arms.name[i], '/') == NULL)
			idx[n++] = i;
	if (n == 0 && h->arms.n > 0) {
		slash = strchr(h->arms.name[0], '/');
		for (i = 0; i < h->arms.n && n < HIST_ARMS; i++)
			if (strncmp(h->arms.name[i], h->arms.name[0],
			    (size_t)(slash - h->arms.name[0]) + 1) == 0)
				idx[n++] = i;
		cx = h->arms.name[0];
	}
	if (n == 0) {
		tl_doc_addf(d, TL_DOC_P, "No learned weights in the nights' "
		    "facts.");
		free(idx);
		return;
	}
	tl_buf_init(&title);
	if (cx != NULL)
		tl_buf_printf(&title, "Learned weights, night by night, in "
		    "context %.*s", (int)(strchr(cx, '/') - cx), cx);
	else
		tl_buf_adds(&title, "Learned weights, night by night");
	c.title = title.data;
	doc_row_lines(d, &c, h, &h->arms, idx, n, 100);
	tl_buf_release(&title);
	free(idx);
}

/* the alerts on a timeline: a row per strategy and kind, the most nights
 * first; a cell per night it was up, by severity, or acknowledged */
static void
doc_alert_timeline(struct tl_doc *d, const struct hist *h, const char *prefix)
{
	static const char *const keys[] = { "tl-al-high", "tl-al-medium",
		"tl-al-low", "tl-al-ack" };
	static const char *const names[] = { "high", "medium", "low",
		"acknowledged" };
	static const char *const titles[] = { "low", "medium", "high",
		"acknowledged" };
	struct tl_svg_chart c = { .id = "chart-history-alerts", .title =
	    "Overfit alerts, night by night: up (by severity) or "
	    "acknowledged", .unit = "strategy and kind" };
	struct rows up;
	size_t top[HIST_ALERTS], n, i, k;
	struct grid_ctx g = { .h = h, .keys = keys, .names = names,
	    .nkeys = TL_NELEM(keys) };
	double v;

	(void)prefix;
	if (h->alerts.n == 0) {
		tl_doc_addf(d, TL_DOC_P, "No overfit alert on any night.");
		return;
	}
	/* rank the rows by the nights they were up: a row of 1s */
	rows_init(&up, h->n);
	for (i = 0; i < h->alerts.n; i++) {
		double *row = rows_get(&up, h->alerts.name[i],
		    strlen(h->alerts.name[i]));

		for (k = 0; k < h->n; k++)
			row[k] = isfinite(h->alerts.v[i][k]) ? 1 : 0;
	}
	n = rows_top(&up, HIST_ALERTS, top);
	g.nr = n;
	g.rows = tl_xcalloc(n + 1, sizeof(*g.rows));
	g.cells = tl_xcalloc(n * h->n + 1, sizeof(*g.cells));
	for (i = 0; i < n; i++) {
		g.rows[i] = h->alerts.name[top[i]];
		for (k = 0; k < h->n; k++) {
			v = h->alerts.v[top[i]][k];
			if (!isfinite(v))
				continue;
			g.cells[i * h->n + k].cls = v == 4 ? keys[3] : v == 3 ?
			    keys[0] : v == 2 ? keys[1] : keys[2];
			g.cells[i * h->n + k].title = titles[(size_t)v - 1];
		}
	}
	tl_doc_add_chart(d, &c, draw_grid, &g, NULL);
	if (h->alerts.n > n)
		tl_doc_addf(d, TL_DOC_P, "%zu more %s with alerts in the "
		    "nights' facts.", h->alerts.n - n, plural((double)
		    (h->alerts.n - n), "strategy and kind", "strategies and "
		    "kinds"));
	rows_release(&up);
	free(g.rows);
	free(g.cells);
}

/* the meta-model's skill and the raw calibration error over the nights */
static void
doc_skill(struct tl_doc *d, const struct hist *h, const char *prefix)
{
	struct tl_svg_chart c = { .id = "chart-history-skill", .title =
	    "The meta-model's skill (the share of the mean predictor's error "
	    "it removes) and the confidence scores' calibration error (ECE), "
	    "night by night", .unit = "skill, ECE" };
	struct tl_svg_linex x = { .xunit = "night", .ref = 0 };
	struct tl_svg_series s[2] = { { "model skill", h->skill },
	    { "ECE, raw scores", h->ece } };

	(void)prefix;
	doc_lines(d, &c, &x, (const char *const *)h->date, h->n, s, 2, NULL);
}

/* The history page; prefix: the path from it to nights/. */
static void
build_history(struct tl_doc *d, const struct hist *h, const char *prefix)
{
	static const struct {
		const char	*id, *title;	/* the section */
		void		(*show)(struct tl_doc *, const struct hist *,
				    const char *);
	} parts[] = {
		{ "nights", "The nights", doc_nights },
		{ "record", "The book's record", doc_record },
		{ "importance", "Feature importance", doc_importance },
		{ "allocation", "Allocation", doc_alloc },
		{ "learned", "Learned weights", doc_arms },
		{ "alerts", "Overfit alerts", doc_alert_timeline },
		{ "skill", "Model skill and calibration", doc_skill },
	};
	struct tl_buf b;
	size_t i;

	tl_buf_init(&b);
	tl_buf_adds(&b, "tradelearn history");
	if (h->n > 0)
		tl_buf_printf(&b, " \xE2\x80\x94 %s to %s", h->date[0],
		    h->date[h->n - 1]);
	tl_doc_add(d, TL_DOC_H1, &b);
	tl_buf_printf(&b, "%zu %s published, %zu with a report; one line "
	    "each in ", h->n, plural((double)h->n, "night", "nights"),
	    h->nreports);
	tl_doc_put_link(&b, strcmp(prefix, "") == 0 ? "index.jsonl" :
	    "nights/index.jsonl", "nights/index.jsonl");
	tl_buf_adds(&b, " (what needed attention, what changed, the headline "
	    "figures).");
	tl_doc_add(d, TL_DOC_P, &b);
	tl_buf_release(&b);
	for (i = 0; i < TL_NELEM(parts); i++) {
		tl_doc_add_h2(d, parts[i].id, parts[i].title);
		parts[i].show(d, h, prefix);
	}
}

/* The lines of the index at path whose nights were not read again (a
 * night pruned since, or before --since), merged into h->index by date:
 * the index keeps what the nights directory no longer holds.  A line
 * that is not an object with a date is dropped with a warning. */
static void
merge_old_index(const struct hopts *o, struct hist *h, const char *path)
{
	struct tl_err err = { 0 };
	struct tl_records *r;
	json_t *rec = NULL, *all;
	const char *date;
	size_t i, k = 0;
	int rc;

	if ((r = tl_records_open(path, TL_FMT_JSONL, &err)) == NULL)
		return;
	all = json_array();
	while ((rc = tl_records_next(r, &rec, &err)) != 0) {
		if (rc == -1) {
			if (!o->quiet)
				tl_warn("%s: %s: line dropped", err.where,
				    err.msg);
			if (tl_records_failed(r))
				break;
			continue;
		}
		date = json_string_value(json_object_get(rec, "date"));
		if (date == NULL) {
			if (!o->quiet)
				tl_warn("%s:%lu: no date: line dropped", path,
				    tl_records_line(r));
		} else {
			for (i = 0; i < h->n && strcmp(h->date[i], date) != 0;
			    i++)
				;
			if (i == h->n)
				json_array_append(all, rec);
		}
		json_decref(rec);
	}
	tl_records_free(r);
	/* both are in date order: merge */
	for (i = 0; i < json_array_size(h->index); i++) {
		const char *d = fstr(json_array_get(h->index, i), "date");

		while (k < json_array_size(all) && strcmp(fstr(json_array_get(
		    all, k), "date"), d) < 0)
			json_array_insert(h->index, i++, json_array_get(all,
			    k++));
	}
	while (k < json_array_size(all))
		json_array_append(h->index, json_array_get(all, k++));
	json_decref(all);
}

/* the index lines into path (NULL: stdout) as fmt */
static int
write_index(const char *path, enum tl_fmt fmt, const json_t *index,
    struct tl_err *err)
{
	struct tl_out *o;
	const json_t *v;
	size_t i;

	if ((o = tl_out_open(path, fmt, err)) == NULL)
		return -1;
	json_array_foreach(index, i, v)
		if (tl_out_write(o, v, err) == -1) {
			tl_out_abort(o);
			return -1;
		}
	return tl_out_close(o, err);
}

/* the page with links from where (prefix) into path, Markdown too if
 * mdpath */
static int
write_page(const struct hist *h, const char *prefix, const char *path,
    const char *mdpath, struct tl_err *err)
{
	struct tl_doc d;
	struct tl_buf html, md;
	int rc;

	tl_doc_init(&d);
	tl_buf_init(&html);
	tl_buf_init(&md);
	build_history(&d, h, prefix);
	tl_doc_html(&html, &d, "tradelearn history");
	rc = write_file(path, &html, err);
	if (rc == 0 && mdpath != NULL) {
		tl_doc_markdown(&md, &d);
		rc = write_file(mdpath, &md, err);
	}
	tl_doc_release(&d);
	tl_buf_release(&html);
	tl_buf_release(&md);
	return rc;
}

int
history_main(int argc, char *argv[])
{
	struct hopts o = { 0 };
	struct hist h = { 0 };
	struct tl_err err = { 0 };
	struct tl_buf p[4];
	int status = TL_EX_OK, i;

	hparse(argc, argv, &o);
	for (i = 0; i < 4; i++)
		tl_buf_init(&p[i]);
	if (list_nights(&o, &h, &err) == -1) {
		status = tl_report(&err);
		goto out;
	}
	read_nights(&o, &h);
	tl_buf_printf(&p[0], "%s/nights/index.jsonl", o.state);
	tl_buf_printf(&p[1], "%s/history.html", o.state);
	tl_buf_printf(&p[2], "%s/history.md", o.state);
	tl_buf_printf(&p[3], "%s/nights/history.html", o.state);
	if (o.fmt != NULL) {
		if (write_index(NULL, strcmp(o.fmt, "csv") == 0 ? TL_FMT_CSV :
		    TL_FMT_JSONL, h.index, &err) == -1)
			status = tl_report(&err);
	} else {
		merge_old_index(&o, &h, p[0].data);
		if (write_index(p[0].data, TL_FMT_JSONL, h.index, &err) == -1 ||
		    write_page(&h, "nights/", p[1].data, p[2].data, &err) ==
		    -1 || write_page(&h, "", p[3].data, NULL, &err) == -1)
			status = tl_report(&err);
	}
out:
	hist_release(&h);
	for (i = 0; i < 4; i++)
		tl_buf_release(&p[i]);
	return tl_exit_status(status);
}
