/*
 * tl-report: the overfit alerts (alerts.jsonl, overfit-stats.jsonl and
 * pbo.json, tl-overfit's verdicts):
 * the alerts, new first and then by severity (facts.c tells new from
 * ongoing against the night before), the weakest deflated Sharpe ratios
 * and the probability of backtest overfitting.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tl_doc.h"
#include "tl_util.h"

#include "report.h"

#define PSR_MIN_DAYS	30	/* fewer, and no PSR or DSR in the table */

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

/* overfit-stats.jsonl (tl-overfit); PSR and DSR null on fewer than
 * PSR_MIN_DAYS days: they take the Sharpe ratio's estimate for normal,
 * with the record's own skew and kurtosis, which a few days do not give
 * (on 2 the kurtosis is 1 and the skew 0 whatever the returns, and the
 * PSR is Phi(SR)) */
static void
overfit_stat_fields(struct src *s, const json_t *in, json_t *o)
{
	double n = get_num(s, in, "n", 0), psr, dsr;

	psr = get_num(s, in, "psr", 0);
	dsr = get_num(s, in, "dsr", 0);
	if (n < PSR_MIN_DAYS)
		psr = dsr = NAN;
	puts_(o, "strategy", get_str(s, in, "strategy", 1));
	putn(o, "n", n);
	putn(o, "sharpe", get_num(s, in, "sharpe", 0));
	putn(o, "sharpe_ann", get_num(s, in, "sharpe_ann", 0));
	putn(o, "psr", psr);
	putn(o, "dsr", dsr);
	putn(o, "mintrl", get_num(s, in, "mintrl", 0));
	putn(o, "sr0", get_num(s, in, "sr0", 0));
	putn(o, "trials", get_num(s, in, "trials", 0));
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

/* ---- an alert's figures as a sentence -------------------------------- */

/* how a figure of an alert reads */
enum fig { F2, FSIG, FS3, FPCT, FDROP, FINT, FDAYS, FMINDAYS, FTRIALS,
	FCOMP, FDATE };

/* the figure key of the alert row's figures into buf as kind says (F2: 2
 * decimals, FSIG: 2 significant digits, FS3: 3 (a Sharpe ratio a day,
 * often small), FPCT: a percentage, FDROP: a percentage up to 1000%,
 * beyond it "over 10x" (a drop from an in-sample figure near 0 is a
 * meaningless 29982%), FINT: a whole number, FDAYS and FTRIALS: one with
 * its noun, FMINDAYS: a minimum length, in whole days rounded up, with
 * its noun, FCOMP: 1 - it, 2 decimals; FDATE: the row's own member key, a
 * date), or NULL when it is not a number (a date); buf holds COUNTSZ */
static const char *
figure(char *buf, const json_t *row, const char *key, enum fig kind)
{
	double x = fnum(json_object_get(row, "figures"), key);
	const char *s = fstr(row, key);
	int64_t day;

	if (kind == FDATE)
		return s != NULL && tl_panel_date_days(s, &day) == 0 ?
		    strcpy(buf, s) : NULL;
	if (!isfinite(x))
		return NULL;
	switch (kind) {
	case F2:
		return tl_doc_fmt_num(buf, x, 2);
	case FSIG:
		return tl_doc_fmt_sig(buf, x, 2);
	case FS3:
		return tl_doc_fmt_sig(buf, x, 3);
	case FPCT:
		return tl_doc_fmt_pct(buf, x, 0);
	case FDROP:
		if (x > 10)
			return strcpy(buf, "over 10 times the in-sample "
			    "figure");
		return tl_doc_fmt_pct(buf, x, 0);
	case FINT:
		return tl_doc_fmt_num(buf, x, 0);
	case FDAYS:
		return count_of(buf, x, "day", "days");
	case FMINDAYS:
		return count_of(buf, ceil(x), "day", "days");
	case FTRIALS:
		return count_of(buf, x, "trial", "trials");
	case FCOMP:
	case FDATE:
		break;
	}
	return tl_doc_fmt_num(buf, 1 - x, 2);
}

/* A decay alert's in-sample Sharpe ratio is not above 0: a drop from it
 * (tl-overfit divides by its absolute value) says nothing. */
static int
decay_unmeasured(const json_t *f)
{
	return fnum(f, "in_sample_sharpe") <= 0;
}

/* A decay alert whose drop tonight is not above the threshold: it holds
 * because tl-overfit clears an alert only after as many days below as
 * raised it (tl-overfit(1), --days). */
static int
decay_below(const json_t *f)
{
	return fnum(f, "decay") <= fnum(f, "threshold");
}

static int
decay_unmeasured_below(const json_t *f)
{
	return decay_unmeasured(f) && decay_below(f);
}

/* what every decay sentence starts with, and its figures */
#define DECAY_HEAD	"out-of-sample Sharpe %s a day over the last %s " \
			"against %s in sample"
#define DECAY_KEYS	"oos_sharpe", "window", "in_sample_sharpe"
#define DECAY_HOW	FS3, FDAYS, FS3
#define DECAY_CLEARS	"as many days in a row as raised it (tl-overfit " \
			"--days)"

/* tl-overfit's alerts, by kind: the figures they need and the sentence
 * they make (each %s the next figure, as text), the first of the kind
 * whose condition (if any) the figures meet.  Sharpe ratios are per day,
 * as tl-overfit computes them. */
static const struct {
	const char	*kind;		/* alert kind */
	int		(*when)(const json_t *f);	/* NULL: always */
	const char	*fmt;		/* the sentence */
	const char	*keys[6];	/* its figures */
	enum fig	 how[6];	/* and how each reads */
} sentences[] = {
	{ "decay", decay_unmeasured_below, DECAY_HEAD ": in-sample Sharpe "
	    "not positive, no drop to measure; tl-overfit's figure (a drop "
	    "against the absolute value) is below its threshold %s tonight, "
	    "and the alert, up since %s, clears once it has stayed below "
	    DECAY_CLEARS, { DECAY_KEYS, "threshold", "since" }, { DECAY_HOW,
	    FPCT, FDATE } },
	{ "decay", decay_unmeasured, DECAY_HEAD ": in-sample Sharpe not "
	    "positive, no drop to measure (tl-overfit measures one against "
	    "the absolute value, above the threshold %s); up since %s, for "
	    "%s", { DECAY_KEYS, "threshold", "since", "days" }, { DECAY_HOW,
	    FPCT, FDATE, FDAYS } },
	{ "decay", decay_below, DECAY_HEAD ", a drop of %s tonight, below "
	    "the threshold %s; the alert, up since %s, clears once the drop "
	    "has stayed below it " DECAY_CLEARS, { DECAY_KEYS, "decay",
	    "threshold", "since" }, { DECAY_HOW, FDROP, FPCT, FDATE } },
	{ "decay", NULL, DECAY_HEAD ", a drop of %s (the threshold %s), for "
	    "%s", { DECAY_KEYS, "decay", "threshold", "days" }, { DECAY_HOW,
	    FDROP, FPCT, FDAYS } },
	{ "psr", NULL, "the live record's Sharpe %s a day over %s: the "
	    "probability that it is above 0 is %s (an alert below %s)",
	    { "sharpe", "n", "psr", "level" }, { FS3, FDAYS, FSIG, FCOMP } },
	{ "dsr", NULL, "in-sample Sharpe %s a day over the %s before the "
	    "promotion, deflated for %s (the best of them with no "
	    "skill: %s a day): DSR %s (an alert below %s)", {
	    "in_sample_sharpe", "n", "trials", "sr0", "dsr", "level" }, {
	    FS3, FDAYS, FTRIALS, FS3, FSIG, F2 } },
	{ "mintrl", NULL, "live Sharpe %s a day over %s: %s are needed to tell "
	    "it from 0 at %s", { "sharpe", "n", "mintrl", "level" },
	    { FS3, FDAYS, FMINDAYS, F2 } },
};

/* A minimum track record length as the alerts say it: whole days,
 * rounded up (116.6 days are not enough, 117 are). */
static char *
cell_mintrl(const json_t *row, const char *key, int digits)
{
	return tl_doc_num(ceil(fnum(row, key)), digits);
}

/* The sentence of an alert's figures (tl_doc marked text, new): its
 * kind's, or when a figure it needs is missing, "key=value" as given. */
static char *
alert_sentence(const json_t *row)
{
	const json_t *f = json_object_get(row, "figures");
	const char *kind = fstr(row, "kind"), *a[6], *p;
	char buf[6][COUNTSZ];
	struct tl_buf b;
	size_t i, k;

	for (k = 0; kind != NULL && k < TL_NELEM(sentences); k++) {
		if (strcmp(kind, sentences[k].kind) != 0 ||
		    (sentences[k].when != NULL && !sentences[k].when(f)))
			continue;
		for (i = 0; i < 6 && sentences[k].keys[i] != NULL; i++)
			if ((a[i] = figure(buf[i], row, sentences[k].keys[i],
			    sentences[k].how[i])) == NULL)
				break;
		if (i < 6 && sentences[k].keys[i] != NULL)
			break;
		/* each "%s" of the sentence is the next figure */
		tl_buf_init(&b);
		for (p = sentences[k].fmt, i = 0; *p != '\0'; p++)
			if (p[0] == '%' && p[1] == 's' && i < 6) {
				tl_buf_adds(&b, a[i++]);
				p++;
			} else
				tl_buf_addc(&b, *p);
		return b.data;
	}
	return json_object_size(f) > 0 ? tl_doc_cell_params(row, "figures",
	    0) : tl_xstrdup("no figures");
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
		tl_buf_printf(&b, "%zu %s: %" JSON_INTEGER_FORMAT " new, %"
		    JSON_INTEGER_FORMAT " ongoing, %" JSON_INTEGER_FORMAT
		    " acknowledged", json_array_size(al), plural((double)
		    json_array_size(al), "alert", "alerts"), json_integer_value(json_object_get(cnt,
		    "new")), json_integer_value(json_object_get(cnt,
		    "ongoing")), json_integer_value(json_object_get(cnt,
		    "acknowledged")));
		if (json_integer_value(json_object_get(cnt, "open")) > 0)
			tl_buf_printf(&b, ", %" JSON_INTEGER_FORMAT " open "
			    "since before tonight (no previous night to tell "
			    "them new or ongoing)",
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

/* What the deflated Sharpe ratios of the table are, and the hurdle. */
static void
doc_dsr_about(struct tl_doc *d, const json_t *st)
{
	const json_t *v = json_array_get(st, 0);
	char a[COUNTSZ], b2[TL_DOC_NUMSZ], c[TL_DOC_NUMSZ];
	struct tl_buf b;

	tl_buf_init(&b);
	tl_buf_adds(&b, "The table: each strategy's whole record in "
	    "returns.csv (Days); Sharpe per day and annualised "
	    "(\xC3\x97\xE2\x88\x9A" "252); PSR, the probability that its true "
	    "Sharpe ratio is above 0; DSR, that it is above the best of the "
	    "trials with no skill");
	if (isfinite(fnum(v, "sr0")))
		tl_buf_printf(&b, " (%s: a Sharpe of %s a day, %s "
		    "annualised)", count_of(a, fnum(v, "trials"), "trial",
		    "trials"),
		    tl_doc_fmt_num(b2, fnum(v, "sr0"), 3), tl_doc_fmt_num(c,
		    fnum(v, "sr0") * sqrt(252), 2));
	tl_buf_printf(&b, "; both n/a under %d days, too few for the normal "
	    "approximation they rest on", PSR_MIN_DAYS);
	tl_buf_adds(&b, "; MinTRL, the days its record needs to tell it from "
	    "0, rounded up. An alert's DSR is over the in-sample days before its "
	    "promotion instead: the two differ for the same strategy.");
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
	};
	static const struct tl_doc_col scols[] = {
		{ "Strategy", 'l', tl_doc_cell_code, "strategy", 0 },
		{ "Days", 'r', tl_doc_cell_int, "n", 0 },
		{ "Sharpe a day", 'r', tl_doc_cell_num, "sharpe", 3 },
		{ "Sharpe annualised", 'r', tl_doc_cell_num, "sharpe_ann", 2 },
		{ "PSR", 'r', tl_doc_cell_sig, "psr", 2 },
		{ "DSR", 'r', tl_doc_cell_sig, "dsr", 2 },
		{ "MinTRL (days)", 'r', cell_mintrl, "mintrl", 0 },
	};
	const json_t *al = json_object_get(o, "alerts"),
	    *st = json_object_get(o, "stats"), *v;
	const char *sev, *status;
	struct tl_doc_block *t;
	struct tl_buf b;
	char cls[64], *sent;
	size_t i, k;

	doc_counts(d, o);
	if (json_array_size(al) > 0) {
		t = tl_doc_add_cols(d, "Alerts: new first, then by severity",
		    acols, TL_NELEM(acols));
		tl_doc_table_stacks(t);	/* six short cells: not on one line */
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
		/* what each alert found, in words */
		tl_buf_init(&b);
		for (i = 0, k = top_rows(al, n); i < k; i++) {
			v = json_array_get(al, i);
			tl_doc_put_code(&b, fstr(v, "strategy"));
			tl_buf_adds(&b, " ");
			tl_doc_put_text(&b, fstr(v, "kind"));
			tl_buf_adds(&b, ": ");
			sent = alert_sentence(v);
			tl_buf_adds(&b, sent);
			free(sent);
			tl_buf_addc(&b, '.');
			tl_doc_add(d, TL_DOC_LI, &b);
		}
		if (json_array_size(al) > k)
			tl_doc_addf(d, TL_DOC_LI, "%zu more %s in "
			    "alerts.jsonl.", json_array_size(al) - k, plural(
			    (double)(json_array_size(al) - k), "alert",
			    "alerts"));
		tl_buf_release(&b);
	}
	if (json_array_size(st) > 0) {
		doc_dsr_about(d, st);
		t = tl_doc_add_cols(d, "Weakest deflated Sharpe ratios, whole "
		    "record", scols, TL_NELEM(scols));
		tl_doc_table_scrolls(t);
		for (i = 0, k = top_rows(st, n); i < k; i++)
			tl_doc_add_json_row(t, scols, json_array_get(st, i),
			    NULL);
	}
}

const struct section overfit_section = {
	.name = "overfit", .title = "Overfit alerts",
	.files = "alerts.jsonl, overfit-stats.jsonl or pbo.json",
	.load = load_overfit, .show = doc_overfit, .step = "overfit"
};
