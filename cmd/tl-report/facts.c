/*
 * tl-report: what the facts of a night say beyond their sections.  Next
 * to the night before: yesterday's figures beside today's, the largest
 * changes as lines of text, and each overfit alert new, ongoing or
 * acknowledged.  On its own: the list of what needs a human, in the
 * order of the nightly run (a failed step, the data, the model, the
 * overfit alerts, the allocation that acts on them, the kill list, the
 * regime, the calibration) and then the inputs that were missing or
 * malformed.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tl_doc.h"
#include "tl_num.h"
#include "tl_util.h"

#include "report.h"

#define MAX_CHANGES	3	/* largest changes listed per kind */
#define CHANGE_MIN	0.0005	/* below what one decimal of % shows */
#define REJECT_WARN	0.05	/* share of rejected records worth a warning */
#define JOIN_WARN	0.5	/* share of decisions joined below: warning */
#define ECE_WARN	0.05	/* raw calibration error worth a warning */
#define PBO_WARN	0.5	/* probability of backtest overfitting */

/* member s of the facts f (the section), and a member of it */
static json_t *
sec_of(const json_t *f, const char *s)
{
	return json_object_get(f, s);
}

static json_t *
member(const json_t *f, const char *s, const char *key)
{
	return json_object_get(json_object_get(f, s), key);
}

/* section name of the facts was read (not missing, not malformed) */
static int
has(const json_t *facts, const char *name)
{
	const char *st = fstr(sec_of(facts, name), "status");

	return st != NULL && strcmp(st, "missing") != 0 &&
	    strcmp(st, "malformed") != 0;
}

/* s, or "n/a" when there is none */
static const char *
na(const char *s)
{
	return s != NULL ? s : "n/a";
}

/* ---- next to the night before ----------------------------------------- */

static double
key_abs_change(const json_t *o)
{
	return fabs(fnum(o, "change"));
}

/* the largest changes of weight rows (by |change|) as change lines */
static void
largest_changes(json_t *ch, const json_t *rows, const char *what,
    const char *namekey, const char *ctxkey)
{
	char a[TL_DOC_NUMSZ], b[TL_DOC_NUMSZ], c[TL_DOC_NUMSZ];
	const char *st, *why;
	json_t *s, *v;
	size_t i, k = 0;

	if (!json_is_array(rows))
		return;
	s = sorted(rows, key_abs_change);
	json_array_foreach(s, i, v) {
		double d = fnum(v, "change");
		const char *cx = ctxkey != NULL ? fstr(v, ctxkey) : NULL;

		if (!isfinite(d) || fabs(d) < CHANGE_MIN || k == MAX_CHANGES)
			break;
		/* why an allocation left a strategy out (retired,
		 * demoted, not live): a drop to 0 says nothing else */
		st = fstr(v, "status");
		why = fstr(v, "reason");
		if (st != NULL && why != NULL &&
		    strncmp(why, st, strlen(st)) == 0)
			st = NULL;	/* "retired on DATE" says both */
		addf(ch, "%s: %s%s%s weight %s (yesterday %s, %s pp)%s%s%s%s",
		    what, cx != NULL ? cx : "", cx != NULL ? "/" : "",
		    na(fstr(v, namekey)),
		    tl_doc_fmt_pct(a, fnum(v, "weight"), 1),
		    tl_doc_fmt_pct(b, fnum(v, "prev_weight"), 1),
		    tl_doc_fmt_signed(c, d * 100, 1),
		    st != NULL || why != NULL ? ": " : "", st != NULL ? st : "",
		    st != NULL && why != NULL ? ", " : "", why != NULL ? why :
		    "");
		k++;
	}
	json_decref(s);
}

/* tl-ingest's counts that moved */
static void
change_data(json_t *ch, const json_t *t, const json_t *p)
{
	static const char *const keys[] = { "read", "accepted", "rejected",
		"joined" };
	const json_t *ti = member(t, "health", "ingest"),
	    *pi = member(p, "health", "ingest");
	char a[TL_NUM_BUFSZ], b[TL_NUM_BUFSZ];
	size_t i;

	if (!json_is_object(ti) || !json_is_object(pi))
		return;
	for (i = 0; i < TL_NELEM(keys); i++) {
		double x = fnum(ti, keys[i]), y = fnum(pi, keys[i]);

		tl_fmt_double(a, x);
		tl_fmt_double(b, y);
		if (isfinite(x) && isfinite(y) && x != y)
			addf(ch, "data: %s %s (yesterday %s)", keys[i], a, b);
	}
}

/* the model's R² and top feature; yesterday's importance of each */
static void
change_model(json_t *ch, const json_t *t, const json_t *p)
{
	json_t *ti = sec_of(t, "model"), *pi = sec_of(p, "model"), *arr, *v,
	    *pv, *parr;
	char a[TL_DOC_NUMSZ], b[TL_DOC_NUMSZ], c[TL_DOC_NUMSZ];
	double x = fnum(ti, "oob_r2"), y = fnum(pi, "oob_r2");
	const char *kind, *s1, *s2;
	size_t i;

	if (!has(t, "model") || !has(p, "model"))
		return;
	putn(ti, "prev_oob_r2", y);
	putn(ti, "prev_skill", fnum(pi, "skill"));
	if (isfinite(x) && isfinite(y))
		addf(ch, "model: OOB R\xC2\xB2 %s (yesterday %s, %s)",
		    tl_doc_fmt_num(a, x, 3), tl_doc_fmt_num(b, y, 3),
		    tl_doc_fmt_signed(c, x - y, 3));
	kind = fstr(ti, "importance_kind");
	arr = kind != NULL ? member(ti, "importance", kind) : NULL;
	parr = kind != NULL ? member(pi, "importance", kind) : NULL;
	json_array_foreach(arr, i, v) {
		pv = find_by(parr, "feature", fstr(v, "feature"), NULL, NULL);
		putn(v, "prev_importance", pv != NULL ? fnum(pv,
		    "importance") : NAN);
		putn(v, "prev_rank", pv != NULL ? fnum(pv, "rank") : NAN);
	}
	s1 = fstr(json_array_get(arr, 0), "feature");
	s2 = fstr(json_array_get(parr, 0), "feature");
	if (s1 != NULL && s2 != NULL && strcmp(s1, s2) != 0)
		addf(ch, "model: top feature is now %s (yesterday %s)", s1,
		    s2);
}

static void
change_candidates(json_t *ch, const json_t *t, const json_t *p)
{
	char a[TL_NUM_BUFSZ], b[TL_NUM_BUFSZ];
	double x = fnum(sec_of(t, "candidates"), "n"),
	    y = fnum(sec_of(p, "candidates"), "n");

	if (has(t, "candidates") && has(p, "candidates") && x != y) {
		tl_fmt_double(a, x);
		tl_fmt_double(b, y);
		addf(ch, "candidates: %s (yesterday %s)", a, b);
	}
}

/* Yesterday's weight where the file has none; the largest moves and the
 * strategies that dropped out.  When tl-allocate had no previous
 * allocation (its turnover is null), the prev_weight and change it wrote
 * are against nothing: they are dropped, never shown as moves from 0. */
static void
change_allocation(json_t *ch, const json_t *t, const json_t *p)
{
	json_t *arr = member(t, "allocation", "weights"),
	    *parr = member(p, "allocation", "weights"), *v, *pv,
	    *sum = member(t, "allocation", "summary");
	char a[TL_DOC_NUMSZ];
	const char *s;
	size_t i;

	/* the covariance of the night before: a change explains a jump */
	if (json_is_object(sum))
		puts_(sum, "prev_covariance", fstr(member(p, "allocation",
		    "summary"), "covariance"));
	if (json_is_object(sum) && json_is_null(json_object_get(sum,
	    "turnover")))
		json_array_foreach(arr, i, v) {
			put(v, "prev_weight", json_null());
			put(v, "change", json_null());
		}
	json_array_foreach(arr, i, v) {
		if (!isfinite(fnum(v, "prev_weight")) && json_is_array(parr)) {
			pv = find_by(parr, "strategy", fstr(v, "strategy"),
			    NULL, NULL);
			/* absent yesterday: it had no weight */
			putn(v, "prev_weight", pv != NULL ? fnum(pv, "weight")
			    : 0);
		}
	}
	json_array_foreach(arr, i, v) {
		if (!isfinite(fnum(v, "change")))
			putn(v, "change", fnum(v, "weight") - fnum(v,
			    "prev_weight"));
	}
	largest_changes(ch, arr, "allocation", "strategy", NULL);
	if (!json_is_array(arr) || !json_is_array(parr))
		return;
	json_array_foreach(parr, i, pv) {
		s = fstr(pv, "strategy");
		if (s != NULL && fnum(pv, "weight") > 0 && find_by(arr,
		    "strategy", s, NULL, NULL) == NULL)
			addf(ch, "allocation: %s dropped (yesterday %s)", s,
			    tl_doc_fmt_pct(a, fnum(pv, "weight"), 1));
	}
}

/* alerts resolved since yesterday */
static void
change_overfit(json_t *ch, const json_t *t, const json_t *p)
{
	const json_t *arr = member(t, "overfit", "alerts"),
	    *parr = member(p, "overfit", "alerts"), *pv;
	size_t i;

	if (!json_is_array(arr) || !json_is_array(parr))
		return;
	json_array_foreach(parr, i, pv)
		if (find_by(arr, "strategy", fstr(pv, "strategy"), "kind",
		    fstr(pv, "kind")) == NULL)
			addf(ch, "overfit: alert %s %s resolved",
			    na(fstr(pv, "strategy")), na(fstr(pv, "kind")));
}

/* yesterday's weight where the file has none; the kill list's moves */
static void
change_bandit(json_t *ch, const json_t *t, const json_t *p)
{
	json_t *arr = member(t, "bandit", "weights"),
	    *parr = member(p, "bandit", "weights"), *v, *pv;
	size_t i;

	json_array_foreach(arr, i, v) {
		if (!isfinite(fnum(v, "prev_weight")) && json_is_array(parr)) {
			pv = find_by(parr, "arm", fstr(v, "arm"), "context",
			    fstr(v, "context"));
			if (pv != NULL) {
				putn(v, "prev_weight", fnum(pv, "weight"));
				putn(v, "change", fnum(v, "weight") -
				    fnum(pv, "weight"));
			}
		}
	}
	largest_changes(ch, arr, "bandit", "arm", "context");
	arr = member(t, "bandit", "kill");
	parr = member(p, "bandit", "kill");
	if (!json_is_array(arr) || !json_is_array(parr))
		return;
	json_array_foreach(arr, i, v)
		put(v, "new", json_boolean(find_by(parr, "arm", fstr(v, "arm"),
		    NULL, NULL) == NULL));
	json_array_foreach(parr, i, pv)
		if (fstr(pv, "arm") != NULL && find_by(arr, "arm", fstr(pv,
		    "arm"), NULL, NULL) == NULL)
			addf(ch, "bandit: %s left the kill list", fstr(pv,
			    "arm"));
}

static void
change_regime(json_t *ch, const json_t *t, const json_t *p)
{
	const json_t *ti = member(t, "regime", "today"),
	    *pi = member(p, "regime", "today");
	char a[TL_DOC_NUMSZ], b[TL_DOC_NUMSZ];

	if (json_is_object(ti) && json_is_object(pi) && !same_regime(ti, pi))
		addf(ch, "regime: %s (yesterday %s)", regime_name(a, ti),
		    regime_name(b, pi));
}

/* Alerts: new, ongoing or acknowledged.  Without the night before, an
 * alert is new when it started tonight, and otherwise "open": whether it
 * was there the night before is not known (on a first night there was
 * none), so it is not called ongoing. */
static void
classify_alerts(json_t *t, const json_t *p)
{
	json_t *alerts = member(t, "overfit", "alerts"), *pa = NULL, *v;
	const char *st, *date = fstr(sec_of(t, "night"), "date");
	size_t i;

	if (p != NULL && has(p, "overfit"))
		pa = member(p, "overfit", "alerts");
	json_array_foreach(alerts, i, v) {
		const char *since = fstr(v, "since");

		if (json_is_true(json_object_get(v, "acknowledged")))
			st = "acknowledged";
		else if (pa != NULL)
			st = find_by(pa, "strategy", fstr(v, "strategy"),
			    "kind", fstr(v, "kind")) != NULL ? "ongoing" :
			    "new";
		else
			st = since != NULL && date != NULL && strcmp(since,
			    date) >= 0 ? "new" : "open";
		puts_(v, "status", st);
	}
}

void
compare(json_t *t, const json_t *p)
{
	json_t *ch = json_object_get(t, "changes");

	change_data(ch, t, p);
	change_model(ch, t, p);
	change_candidates(ch, t, p);
	change_allocation(ch, t, p);
	change_overfit(ch, t, p);
	change_bandit(ch, t, p);
	change_regime(ch, t, p);
	classify_alerts(t, p);
	sort_alerts(sec_of(t, "overfit"));
}

/* ---- what needs a human ----------------------------------------------- */

/* pipeline steps that failed, or that did not run for no reason the
 * settings give (a step skipped with a reason, REGIME=no, is said once
 * under data health) */
static void
attend_pipeline(json_t *att, const json_t *t)
{
	const json_t *v;
	const char *st;
	size_t i;

	json_array_foreach(member(t, "pipeline", "steps"), i, v) {
		st = na(fstr(v, "status"));
		if (strcmp(st, "ok") == 0 || (strcmp(st, "skipped") == 0 &&
		    fstr(v, "reason") != NULL))
			continue;
		addf(att, "pipeline step '%s' %s", na(fstr(v, "name")),
		    strcmp(st, "failed") == 0 ? "failed" : strcmp(st,
		    "skipped") == 0 ? "was skipped without a reason" : st);
	}
}

/* the pipeline step named name, or NULL */
const json_t *
pipeline_step(const json_t *t, const char *name)
{
	return name != NULL ? find_by(member(t, "pipeline", "steps"), "name",
	    name, NULL, NULL) : NULL;
}

#define LOST_SAID	3	/* files that lost every record, named */

/* a file that lost every record: a day of trades can go that way (a
 * column renamed) while the night's reject share stays small */
static void
attend_lost_files(json_t *att, const json_t *s)
{
	const json_t *v;
	char a[COUNTSZ], b[COUNTSZ];
	double n = fnum(s, "files_rejected");
	size_t i;

	json_array_foreach(json_object_get(s, "files_rejected_named"), i, v) {
		if (i == LOST_SAID)
			break;
		addf(att, "%s: all %s rejected (the first: %s)",
		    na(fstr(v, "file")), count_of(a,
		    fnum(v, "records"), "record", "records"),
		    na(fstr(v, "reason")));
	}
	if (n > LOST_SAID)
		addf(att, "and %s that lost every record: see ingest.json "
		    "and rejects.jsonl", count_of(b, n - LOST_SAID,
		    "more file", "more files"));
}

/* data health: nothing read, nothing joined, too many rejects, files
 * that lost every record, no meta-model rows, logs with nothing new,
 * strategies without a trade */
static void
attend_data(json_t *att, const json_t *t)
{
	const json_t *s = member(t, "health", "ingest"),
	    *tr = member(t, "health", "trades"),
	    *arr = json_object_get(tr, "stale"), *v,
	    *nw = member(t, "health", "newest");
	char a[TL_DOC_NUMSZ], b[TL_DOC_NUMSZ], c[TL_DOC_NUMSZ], cs[COUNTSZ],
	    cd[COUNTSZ];
	double read = fnum(s, "read"), rej = fnum(s, "rejected"),
	    joined = fnum(s, "joined"), dec = fnum(s, "decisions");
	struct tl_buf bb;
	size_t i;

	if (json_is_object(s)) {
		if (read == 0)
			addf(att, "no records read: the log directory was "
			    "empty");
		else if (joined == 0)
			addf(att, "no outcomes joined: the learning loop has "
			    "nothing to learn from");
		else if (dec > 0 && joined / dec < JOIN_WARN)
			addf(att, "only %s of decisions joined to an outcome",
			    tl_doc_fmt_pct(a, joined / dec, 1));
		if (read > 0 && rej / read > REJECT_WARN)
			addf(att, "%s of records rejected (%s of %s): see "
			    "rejects.jsonl", tl_doc_fmt_pct(a, rej / read, 1),
			    tl_doc_fmt_int(b, rej), tl_doc_fmt_int(c, read));
		attend_lost_files(att, s);
		if (fnum(s, "dataset_rows") == 0)
			addf(att, "no meta-model rows: the forest has nothing "
			    "to train on");
		/* a zip without a freqtrade export (those are read): logs
		 * someone zipped are read by no one */
		json_array_foreach(json_object_get(s, "sources"), i, v)
			if (strcmp(na(fstr(v, "format")), "zip") == 0 &&
			    fnum(v, "files") > 0)
				addf(att, "%s not read (no freqtrade backtest "
				    "export in them): unzip them in the log "
				    "directory if they hold logs", count_of(cs,
				    fnum(v, "files"), "zip archive",
				    "zip archives"));
	}
	if (fnum(nw, "days") > fnum(nw, "stale_logs"))
		addf(att, "newest record %s before the night (%s): no new "
		    "logs arrived?", count_of(cd, fnum(nw, "days"), "day",
		    "days"), na(fstr(nw, "date")));
	if (json_array_size(arr) == 0)
		return;
	tl_buf_init(&bb);
	json_array_foreach(arr, i, v) {
		tl_buf_printf(&bb, "%s%s", i > 0 ? ", " : "", fstr(v,
		    "strategy"));
		if (i == 4 && json_array_size(arr) > 5) {
			tl_buf_printf(&bb, " and %zu more",
			    json_array_size(arr) - 5);
			break;
		}
	}
	addf(att, "%s without a trade for more than %s: %s", count_of(cs,
	    (double)json_array_size(arr), "strategy", "strategies"),
	    count_of(cd, fnum(tr, "stale_days"), "day", "days"), bb.data);
	tl_buf_release(&bb);
}

static void
attend_model(json_t *att, const json_t *t)
{
	const json_t *s = sec_of(t, "model");
	char a[TL_DOC_NUMSZ], b[TL_DOC_NUMSZ];

	if (fnum(s, "skill") <= 0)
		addf(att, "the meta-model does not beat the mean predictor "
		    "(OOB MSE %s vs %s): its importances mean little",
		    tl_doc_fmt_sig(a, fnum(s, "oob_mse"), 3),
		    tl_doc_fmt_sig(b, fnum(s, "baseline_mse"), 3));
}

static double
key_since(const json_t *o)
{
	const char *d = fstr(o, "since");
	int y, m, dd;

	return d != NULL && sscanf(d, "%4d-%2d-%2d", &y, &m, &dd) == 3 ?
	    (double)(y * 10000 + m * 100 + dd) : NAN;
}

/* every high alert not acknowledged, the newest first (a new one says
 * so), with what it did to the allocation; a likely overfit choice */
static void
attend_overfit(json_t *att, const json_t *t)
{
	const json_t *s = sec_of(t, "overfit"), *v, *w;
	char a[TL_DOC_NUMSZ];
	json_t *al;
	size_t i;

	al = sorted(json_object_get(s, "alerts"), key_since);
	json_array_foreach(al, i, v) {
		const char *st = fstr(v, "status"), *sev = fstr(v, "severity");

		if (sev == NULL || strcmp(sev, "high") != 0 || (st != NULL &&
		    strcmp(st, "acknowledged") == 0))
			continue;
		w = find_by(member(t, "allocation", "weights"), "strategy",
		    fstr(v, "strategy"), NULL, NULL);
		addf(att, "%shigh alert: %s %s since %s, action %s%s%s",
		    st != NULL && strcmp(st, "new") == 0 ? "new " : "",
		    na(fstr(v, "strategy")), na(fstr(v, "kind")),
		    na(fstr(v, "since")), na(fstr(v, "action")),
		    w != NULL && isfinite(fnum(w, "weight")) ? "; its weight "
		    "tonight " : "", w != NULL && isfinite(fnum(w, "weight")) ?
		    tl_doc_fmt_pct(a, fnum(w, "weight"), 1) : "");
	}
	json_decref(al);
	if (fnum(s, "pbo") > PBO_WARN)
		addf(att, "probability of backtest overfitting %s: the "
		    "selection of strategies is likely overfit",
		    tl_doc_fmt_num(a, fnum(s, "pbo"), 2));
}

/* an allocation method with no answer tonight, a covariance that fell
 * back from the aligned one (over fewer days on which every strategy has
 * a return: the weights can swing when it changes), a turnover above
 * --turnover-warn and why */
static void
attend_allocation(json_t *att, const json_t *t)
{
	const json_t *s = member(t, "allocation", "summary"),
	    *v = json_object_get(s, "fallback");
	const char *cov = fstr(s, "covariance"),
	    *prev = fstr(s, "prev_covariance");
	char a[TL_DOC_NUMSZ], b[TL_DOC_NUMSZ];
	double to = fnum(s, "turnover");

	if (json_is_object(v) && fstr(v, "reason") != NULL)
		addf(att, "allocation: %s had no answer tonight: %s; fell "
		    "back to %s", na(fstr(v, "from")), fstr(v, "reason"),
		    na(fstr(v, "to")));
	else if (json_is_object(v))
		addf(att, "allocation: %s had no answer tonight, fell back to "
		    "%s", na(fstr(v, "from")), na(fstr(v, "to")));
	/* a reason: the estimate asked for (aligned under tl-allocate's
	 * --missing auto) did not work tonight */
	if (cov != NULL && fstr(s, "covariance_reason") != NULL)
		addf(att, "allocation: covariance %s, not aligned (%s): "
		    "the weights rest on a weaker estimate and can swing "
		    "when it changes", cov, fstr(s, "covariance_reason"));
	if (!(to > fnum(s, "turnover_warn")))
		return;
	tl_doc_fmt_pct(a, to, 1);
	tl_doc_fmt_pct(b, fnum(s, "turnover_warn"), 1);
	if (cov != NULL && prev != NULL && strcmp(cov, prev) != 0)
		addf(att, "allocation: turnover %s tonight, above %s: the "
		    "covariance changed from %s yesterday to %s", a, b, prev,
		    cov);
	else
		addf(att, "allocation: turnover %s tonight, above %s: see "
		    "the weights' changes", a, b);
}

/* the kill list: new arms, or all when there is no night before */
static void
attend_bandit(json_t *att, const json_t *t)
{
	const json_t *v;
	char a[TL_DOC_NUMSZ];
	size_t i;

	json_array_foreach(member(t, "bandit", "kill"), i, v) {
		if (json_is_false(json_object_get(v, "new")))
			continue;
		addf(att, "kill list: %s%s (P(bad) %s)", na(fstr(v, "arm")),
		    json_is_true(json_object_get(v, "new")) ? " is new" : "",
		    tl_doc_fmt_num(a, fnum(v, "p_bad"), 2));
	}
}

/* a strategy or the book halted by a circuit breaker */
static void
attend_policy(json_t *att, const json_t *t)
{
	const json_t *v;
	const char *s;
	size_t i;

	json_array_foreach(member(t, "policy", "breakers"), i, v) {
		if (fstr(v, "state") == NULL || strcmp(fstr(v, "state"),
		    "halted") != 0)
			continue;
		s = na(fstr(v, "series"));
		addf(att, "circuit breaker: %s%s halted since %s (%s)",
		    strcmp(s, "book") == 0 ? "the " : "strategy ", s,
		    na(fstr(v, "since")), na(fstr(v, "reasons")));
	}
}

/* a regime that started today */
static void
attend_regime(json_t *att, const json_t *t)
{
	const json_t *s = sec_of(t, "regime"), *v = json_object_get(s,
	    "today");
	char a[TL_DOC_NUMSZ], b[TL_DOC_NUMSZ];

	if (json_is_object(v) && fnum(s, "days_in_regime") == 1 && fnum(s,
	    "rows") > 1)
		addf(att, "the market regime changed today to %s (p %s)",
		    regime_name(a, v), tl_doc_fmt_num(b, fnum(v, "prob"), 2));
}

/* The measures of a calibration the advice is judged by, each with the
 * decimals it is shown with; lower is better for all. */
static const struct {
	const char	*key;		/* in calibration-report.json */
	const char	*name;		/* in the sentence */
	int		 digits;
} calib_measures[] = {
	{ "logloss", "log-loss", 4 },
	{ "brier", "Brier", 4 },
	{ "ece", "ECE", 3 },
};

/* "name (raw to out of fold)" of the measures that the map lowers (lower
 * 1) or does not (lower 0), joined with commas and "and" (or "or"), into
 * b; returns how many. */
static size_t
calib_list(struct tl_buf *b, const json_t *s, const json_t *c, int lower)
{
	char x[TL_DOC_NUMSZ], y[TL_DOC_NUMSZ];
	size_t i, k, n = 0, m = 0;

	for (i = 0; i < TL_NELEM(calib_measures); i++)
		n += (fnum(c, calib_measures[i].key) <
		    fnum(s, calib_measures[i].key)) == lower;
	for (i = 0; i < TL_NELEM(calib_measures); i++) {
		k = calib_measures[i].digits;
		if ((fnum(c, calib_measures[i].key) <
		    fnum(s, calib_measures[i].key)) != lower)
			continue;
		m++;
		tl_buf_printf(b, "%s%s (%s to %s)", m == 1 ? "" : m < n ? ", " :
		    lower ? " and " : " or ", calib_measures[i].name,
		    tl_doc_fmt_num(y, fnum(s, calib_measures[i].key), (int)k),
		    tl_doc_fmt_num(x, fnum(c, calib_measures[i].key), (int)k));
	}
	return n;
}

/* One rule, said with its figures: the map is advised when, out of fold,
 * it lowers every measure (log-loss, Brier and ECE) of the raw scores; on
 * a few hundred trades an isotonic map often does worse than none, and a
 * map that lowers the ECE but raises the log-loss is confidently wrong on
 * some trades.  Where the measures disagree, the sentence names both
 * sides. */
static void
attend_calibration(json_t *att, const json_t *t)
{
	const json_t *s = member(t, "calibration", "raw");
	const json_t *c = member(t, "calibration", "calibrated");
	struct tl_buf up, down;
	char e[TL_DOC_NUMSZ];
	size_t i, nup;
	int finite = 1;

	if (!(fnum(s, "ece") > ECE_WARN))
		return;
	tl_doc_fmt_num(e, fnum(s, "ece"), 3);
	for (i = 0; i < TL_NELEM(calib_measures); i++)
		finite &= isfinite(fnum(c, calib_measures[i].key)) &&
		    isfinite(fnum(s, calib_measures[i].key));
	if (!finite) {
		addf(att, "confidence scores are miscalibrated (ECE %s)", e);
		return;
	}
	tl_buf_init(&up);
	tl_buf_init(&down);
	nup = calib_list(&up, s, c, 1);
	calib_list(&down, s, c, 0);
	if (nup == TL_NELEM(calib_measures))
		addf(att, "confidence scores are miscalibrated (ECE %s): use "
		    "the tl-calibrate map, which out of fold lowers %s", e,
		    up.data);
	else if (nup == 0)
		addf(att, "confidence scores are miscalibrated (ECE %s), and "
		    "out of fold the tl-calibrate map does not lower %s: too "
		    "few trades to correct them yet", e, down.data);
	else
		addf(att, "confidence scores are miscalibrated (ECE %s); out "
		    "of fold the tl-calibrate map lowers %s but not %s, and "
		    "is advised only when it lowers all three", e, up.data,
		    down.data);
	tl_buf_release(&down);
	tl_buf_release(&up);
}

/* did the pipeline step name run, and succeed? */
int
step_ok(const json_t *t, const char *name)
{
	const char *st = fstr(pipeline_step(t, name), "status");

	return st != NULL && strcmp(st, "ok") == 0;
}

const char *
step_warned(const json_t *t, const char *name)
{
	return json_array_size(json_object_get(pipeline_step(t, name),
	    "warnings")) > 0 ? ": see its warnings under data health" : "";
}

/* sections of the page that had none of their files, and malformed
 * inputs */
static void
attend_inputs(json_t *att, const json_t *t)
{
	const struct section *sec;
	struct tl_buf bb;
	const char *name;
	size_t i, npage = 0, nmiss = 0;
	json_t *st;

	tl_buf_init(&bb);
	for (i = 0; i < nsections; i++) {
		sec = sections[i];
		/* the book is made of other sections' files; a step skipped
		 * with a reason is said under data health */
		if (sec->show == NULL || sec->step == NULL)
			continue;
		if (sec->optional && !step_ok(t, sec->step))
			continue;
		npage++;
		if (fstr(pipeline_step(t, sec->step), "reason") != NULL)
			continue;
		if (strcmp(fstr(sec_of(t, sec->name), "status"), "missing") !=
		    0)
			continue;
		/* it ran: "not run" would contradict the pipeline line */
		if (step_ok(t, sec->step)) {
			addf(att, "step '%s' ran but wrote %s %s%s%s",
			    sec->step, sec->files != NULL ? "no" : "none of "
			    "the", sec->files != NULL ? sec->files : sec->name,
			    sec->files != NULL ? "" : " section's files",
			    step_warned(t, sec->step));
			continue;
		}
		tl_buf_printf(&bb, "%s%s", nmiss > 0 ? ", " : "", sec->name);
		nmiss++;
	}
	if (nmiss == npage && npage > 0)
		addf(att, "nothing to report: the night directory holds "
		    "none of the sections' files");
	else if (nmiss > 0)
		addf(att, "not run tonight: %s", bb.data);
	tl_buf_release(&bb);
	for (i = 0; i < nsections; i++)
		json_object_foreach(member(t, sections[i]->name, "files"),
		    name, st)
			if (strcmp(json_string_value(st), "malformed") == 0)
				addf(att, "%s is malformed: its section is "
				    "incomplete (see the notes)", name);
}

void
conclude(json_t *t)
{
	json_t *att = json_object_get(t, "attention");

	attend_pipeline(att, t);
	attend_data(att, t);
	attend_model(att, t);
	attend_overfit(att, t);
	attend_allocation(att, t);
	attend_bandit(att, t);
	attend_policy(att, t);
	attend_regime(att, t);
	attend_calibration(att, t);
	attend_inputs(att, t);
}

/* ---- the page --------------------------------------------------------- */

void
doc_attention(struct tl_doc *d, const json_t *f)
{
	const json_t *v;
	size_t i;

	tl_doc_add_h2(d, "attention", "Needs attention");
	if (json_array_size(json_object_get(f, "attention")) == 0)
		tl_doc_addf(d, TL_DOC_P, "Nothing needs attention tonight.");
	json_array_foreach(json_object_get(f, "attention"), i, v)
		tl_doc_addf(d, TL_DOC_LI, "%s", json_string_value(v));
}

void
doc_changes(struct tl_doc *d, const json_t *f, int have_prev)
{
	const json_t *ch = json_object_get(f, "changes"), *v;
	const char *pd = fstr(sec_of(f, "night"), "prev_date");
	size_t i;

	tl_doc_add_h2(d, "changes", "What changed since the previous night");
	if (!have_prev && json_is_true(json_object_get(sec_of(f, "night"),
	    "first"))) {
		tl_doc_addf(d, TL_DOC_P, "First night: there is no previous "
		    "night to compare with.");
		return;
	}
	if (!have_prev && json_array_size(ch) == 0) {
		tl_doc_addf(d, TL_DOC_P, "No previous night given (--prev): "
		    "nothing to compare.");
		return;
	}
	if (have_prev)
		tl_doc_addf(d, TL_DOC_P, "Compared with %s.", pd != NULL ? pd :
		    "the previous night (date n/a)");
	/* a weekend, a holiday or a quiet day: the night still publishes */
	if (have_prev && fnum(sec_of(f, "pipeline"), "new_trades") == 0)
		tl_doc_addf(d, TL_DOC_P, "Nothing new: no trade closed since "
		    "%s.", pd != NULL ? pd : "the previous night");
	if (json_array_size(ch) == 0)
		tl_doc_addf(d, TL_DOC_P, "No change in the figures compared.");
	json_array_foreach(ch, i, v)
		tl_doc_addf(d, TL_DOC_LI, "%s", json_string_value(v));
}
