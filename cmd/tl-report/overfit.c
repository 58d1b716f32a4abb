/*
 * tl-report: the overfit alerts (alerts.jsonl, overfit-stats.jsonl and
 * pbo.json, tl-overfit's verdicts):
 * the alerts, new first and then by severity (facts.c tells new from
 * ongoing against the night before), the weakest deflated Sharpe ratios
 * and the probability of backtest overfitting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tl_doc.h"
#include "tl_util.h"

#include "report.h"

/* the order of the page: alert statuses, then severities */
static const char *const statuses[] = { "new", "open", "ongoing",
	"acknowledged" };
static const char *const severities[] = { "high", "medium", "low" };

/* alerts.jsonl (tl-overfit) */
static void
alert_fields(struct src *s, const json_t *in, json_t *o)
{
	const json_t *fig = jpath(in, "figures");
	int ack;

	puts_(o, "strategy", get_str(s, in, "strategy", 1));
	puts_(o, "kind", get_str(s, in, "kind", 1));
	puts_(o, "severity", get_str(s, in, "severity", 0));
	puts_(o, "since", get_str(s, in, "since", 0));
	puts_(o, "action", get_str(s, in, "action", 0));
	ack = get_bool(s, in, "acknowledged", 0);
	put(o, "acknowledged", ack < 0 ? json_null() : json_boolean(ack));
	if (json_is_object(fig))
		put(o, "figures", json_deep_copy(fig));
	else if (fig != NULL && !json_is_null(fig))
		issue(s, "figures", "not an object");
}

/* overfit-stats.jsonl (tl-overfit) */
static void
overfit_stat_fields(struct src *s, const json_t *in, json_t *o)
{
	puts_(o, "strategy", get_str(s, in, "strategy", 1));
	putn(o, "n", get_num(s, in, "n", 0));
	putn(o, "sharpe", get_num(s, in, "sharpe", 0));
	putn(o, "psr", get_num(s, in, "psr", 0));
	putn(o, "dsr", get_num(s, in, "dsr", 0));
	putn(o, "mintrl", get_num(s, in, "mintrl", 0));
}

/* pbo.json (tl-overfit) */
static void
pbo_fields(struct src *s, const json_t *in, json_t *f)
{
	putn(f, "pbo", get_num(s, in, "pbo", 1));
}

/* ascending deflated Sharpe: the weakest first */
static double
key_neg_dsr(const json_t *o)
{
	return -fnum(o, "dsr");
}

static void
load_overfit(struct night *n, struct sec *sec)
{
	struct src s = { .file = "pbo.json" };
	json_t *alerts, *stats, *v, *p;

	alerts = read_rows(n, sec, "alerts.jsonl", alert_fields);
	put(sec->obj, "alerts", alerts != NULL ? alerts : json_null());
	stats = read_rows(n, sec, "overfit-stats.jsonl", overfit_stat_fields);
	put(sec->obj, "stats", stats != NULL ? sorted(stats, key_neg_dsr) :
	    json_null());
	json_decref(stats);
	if ((v = read_json(n, sec, "pbo.json", "tl-pbo")) != NULL) {
		p = json_object();
		pbo_fields(&s, v, p);
		src_flush(n, sec, &s);
		putn(sec->obj, "pbo", fnum(p, "pbo"));
		json_decref(p);
		json_decref(v);
	} else
		put(sec->obj, "pbo", json_null());
}

/* ---- the order of the alerts ------------------------------------------ */

/* the index of s in tab, n when it is not there */
static size_t
rank(const char *const *tab, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n && s != NULL; i++)
		if (strcmp(s, tab[i]) == 0)
			return i;
	return n;
}

static int
status_rank(const char *s)
{
	return (int)rank(statuses, TL_NELEM(statuses), s);
}

static int
severity_rank(const char *s)
{
	return (int)rank(severities, TL_NELEM(severities), s);
}

static int
cmp_alerts(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	const char *sx, *sy;
	int c;

	if ((c = status_rank(fstr(x, "status")) - status_rank(fstr(y,
	    "status"))) != 0)
		return c;
	if ((c = severity_rank(fstr(x, "severity")) - severity_rank(fstr(y,
	    "severity"))) != 0)
		return c;
	sx = fstr(x, "strategy");
	sy = fstr(y, "strategy");
	if ((c = strcmp(sx != NULL ? sx : "", sy != NULL ? sy : "")) != 0)
		return c;
	sx = fstr(x, "kind");
	sy = fstr(y, "kind");
	return strcmp(sx != NULL ? sx : "", sy != NULL ? sy : "");
}

void
sort_alerts(json_t *of)
{
	json_t *alerts = json_object_get(of, "alerts"), **v, *out, *cnt;
	size_t i, n = json_array_size(alerts);

	if (alerts == NULL || json_is_null(alerts))
		return;
	v = tl_xcalloc(n + 1, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = json_array_get(alerts, i);
	qsort(v, n, sizeof(*v), cmp_alerts);
	out = json_array();
	cnt = json_pack("{s:i,s:i,s:i,s:i}", "new", 0, "ongoing", 0,
	    "acknowledged", 0, "open", 0);
	for (i = 0; i < n; i++) {
		const char *st = fstr(v[i], "status");

		json_array_append(out, v[i]);
		if (st != NULL)
			json_object_set_new(cnt, st, json_integer(
			    json_integer_value(json_object_get(cnt, st)) + 1));
	}
	free(v);
	put(of, "alerts", out);
	put(of, "counts", cnt);
}

/* ---- the page --------------------------------------------------------- */

/* "key value, key value" of an alert's figures */
static char *
cell_figures(const json_t *row, const char *key, int digits)
{
	const json_t *fig = json_object_get(row, key);

	if (json_object_size(fig) == 0)
		return tl_xstrdup("n/a");
	return tl_doc_cell_params(row, key, digits);
}

/* "3 alerts: 1 new, ..." and the probability of backtest overfitting */
static void
doc_counts(struct tl_doc *d, const json_t *o)
{
	const json_t *al = json_object_get(o, "alerts"),
	    *cnt = json_object_get(o, "counts");
	char num[TL_DOC_NUMSZ];
	struct tl_buf b;

	tl_buf_init(&b);
	if (json_is_array(al)) {
		tl_buf_printf(&b, "%zu alert%s: %" JSON_INTEGER_FORMAT " new, %"
		    JSON_INTEGER_FORMAT " ongoing, %" JSON_INTEGER_FORMAT
		    " acknowledged", json_array_size(al), json_array_size(al)
		    == 1 ? "" : "s", json_integer_value(json_object_get(cnt,
		    "new")), json_integer_value(json_object_get(cnt,
		    "ongoing")), json_integer_value(json_object_get(cnt,
		    "acknowledged")));
		if (json_integer_value(json_object_get(cnt, "open")) > 0)
			tl_buf_printf(&b, ", %" JSON_INTEGER_FORMAT " not "
			    "dated (no night before, no date)",
			    json_integer_value(json_object_get(cnt, "open")));
		tl_buf_addc(&b, '.');
	} else
		tl_buf_adds(&b, "No alerts.jsonl.");
	if (json_object_get(o, "pbo") != NULL && !json_is_null(
	    json_object_get(o, "pbo")))
		tl_buf_printf(&b, " Probability of backtest overfitting: %s.",
		    tl_doc_fmt_num(num, fnum(o, "pbo"), 2));
	tl_doc_add(d, TL_DOC_P, &b);
	tl_buf_release(&b);
}

static void
doc_overfit(struct tl_doc *d, const json_t *o, const struct night *n)
{
	static const struct tl_doc_col acols[] = {
		{ "Status", 'l', tl_doc_cell_text, "status", 0 },
		{ "Severity", 'l', tl_doc_cell_text, "severity", 0 },
		{ "Strategy", 'l', tl_doc_cell_code, "strategy", 0 },
		{ "Kind", 'l', tl_doc_cell_text, "kind", 0 },
		{ "Since", 'd', tl_doc_cell_text, "since", 0 },
		{ "Action", 'l', tl_doc_cell_text, "action", 0 },
		{ "Figures", 'l', cell_figures, "figures", 0 },
	};
	static const struct tl_doc_col scols[] = {
		{ "Strategy", 'l', tl_doc_cell_code, "strategy", 0 },
		{ "Days", 'r', tl_doc_cell_int, "n", 0 },
		{ "Sharpe", 'r', tl_doc_cell_num, "sharpe", 2 },
		{ "PSR", 'r', tl_doc_cell_num, "psr", 3 },
		{ "DSR", 'r', tl_doc_cell_num, "dsr", 3 },
		{ "MinTRL", 'r', tl_doc_cell_num, "mintrl", 0 },
	};
	const json_t *al = json_object_get(o, "alerts"),
	    *st = json_object_get(o, "stats"), *v;
	const char *sev, *status;
	struct tl_doc_block *t;
	char cls[64];
	size_t i, k;

	doc_counts(d, o);
	if (json_array_size(al) > 0) {
		t = tl_doc_add_cols(d, "Alerts: new first, then by severity",
		    acols, TL_NELEM(acols));
		json_array_foreach(al, i, v) {
			/* the row's classes colour its severity */
			sev = fstr(v, "severity");
			status = fstr(v, "status");
			snprintf(cls, sizeof(cls), "sev-%s st-%s",
			    severity_rank(sev) < (int)TL_NELEM(severities) ?
			    sev : "unknown", status_rank(status) <
			    (int)TL_NELEM(statuses) ? status : "unknown");
			tl_doc_add_json_row(t, acols, v, cls);
		}
	}
	if (json_array_size(st) > 0) {
		t = tl_doc_add_cols(d, "Weakest deflated Sharpe ratios", scols,
		    TL_NELEM(scols));
		for (i = 0, k = top_rows(st, n); i < k; i++)
			tl_doc_add_json_row(t, scols, json_array_get(st, i),
			    NULL);
	}
}

const struct section overfit_section = {
	"overfit", "Overfit alerts", "alerts.jsonl, overfit-stats.jsonl or "
	"pbo.json", load_overfit, doc_overfit
};
