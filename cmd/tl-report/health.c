/*
 * tl-report: data health.  The pipeline's steps (pipeline.json, written
 * by tl-nightly: a section of the facts of its own, shown here),
 * tl-ingest's counts (ingest.json), the rejects by reason (rejects.jsonl),
 * the trades (trades.jsonl: counts, win rate, P&L and the strategies
 * that went quiet) and the returns panel (returns.csv, kept for the
 * allocation's equity curves).
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tl_alias.h"
#include "tl_doc.h"
#include "tl_err.h"
#include "tl_jv.h"
#include "tl_panel.h"
#include "tl_time.h"
#include "tl_util.h"

#include "report.h"

#define MAX_REASONS	5	/* reject reasons listed */

/* tl-ingest's counts, as paths in ingest.json; the facts name each by
 * its last part ("kinds.decisions" -> "decisions") */
static const char *const ingest_keys[] = { "files", "read", "accepted",
	"kinds.decisions", "kinds.outcomes", "kinds.runs", "kinds.promotions",
	"duplicates", "rejected", "conflicts", "joined",
	"unmatched_decisions", "orphan_outcomes", "dataset_rows" };

static const char *
ingest_name(const char *path)
{
	const char *dot = strrchr(path, '.');

	return dot != NULL ? dot + 1 : path;
}

/* ---- the fields of the inputs ---------------------------------------- */

/* pipeline.json (written by the nightly script) */
static void
pipeline_fields(struct src *s, const json_t *in, json_t *f)
{
	const json_t *steps, *st;
	json_t *out = json_array(), *o;
	size_t i;

	puts_(f, "date", get_str(s, in, "date", 0));
	puts_(f, "previous", get_str(s, in, "previous", 0));
	putn(f, "new_trades", get_num(s, in, "new_trades", 0));
	if ((steps = get_arr(s, in, "steps", 1)) != NULL)
		json_array_foreach(steps, i, st) {
			o = json_object();
			puts_(o, "name", get_str(s, st, "name", 1));
			puts_(o, "status", get_str(s, st, "status", 1));
			if (json_is_string(json_object_get(st, "reason")))
				puts_(o, "reason", get_str(s, st, "reason",
				    0));
			/* its tools' warnings and counts of skipped lines */
			if (get_arr(s, st, "warnings", 0) != NULL)
				put(o, "warnings", json_deep_copy(
				    json_object_get(st, "warnings")));
			/* not its seconds: the report of a rebuilt night
			 * is the same bytes (tl-nightly(1)) */
			json_array_append_new(out, o);
		}
	put(f, "steps", out);
}

/* ingest.json (tl-ingest --summary) */
static void
ingest_fields(struct src *s, const json_t *in, json_t *f)
{
	size_t i;

	for (i = 0; i < TL_NELEM(ingest_keys); i++)
		putn(f, ingest_name(ingest_keys[i]), get_num(s, in,
		    ingest_keys[i], 1));
	/* records dated after the night, left for a later night, by kind
	 * (not in an older summary) */
	putn(f, "later", get_num(s, in, "later", 0));
	/* records of a strategy renamed (--aliases) */
	putn(f, "renamed", get_num(s, in, "renamed", 0));
	if (json_is_object(json_object_get(in, "later_kinds")))
		put(f, "later_kinds", json_deep_copy(json_object_get(in,
		    "later_kinds")));
	/* files that lost every record (not in an older summary) */
	putn(f, "files_rejected", get_num(s, in, "files_rejected", 0));
	if (get_arr(s, in, "files_rejected_named", 0) != NULL)
		put(f, "files_rejected_named", json_deep_copy(
		    json_object_get(in, "files_rejected_named")));
	/* where the records came from (a bot's exports beside our logs) */
	if (get_arr(s, in, "sources", 0) != NULL)
		put(f, "sources", json_deep_copy(json_object_get(in,
		    "sources")));
}

/* rejects.jsonl: one line per rejected record */
static void
reject_fields(struct src *s, const json_t *in, const char **reason,
    const char **kind)
{
	*reason = get_str(s, in, "reason", 1);
	*kind = get_str(s, in, "kind", 0);
}

/* trades.jsonl: decision joined with outcome (read with tl_jv: a line per
 * trade); strategy, symbol and date are borrowed from d, not
 * NUL-terminated */
static void
trade_fields(struct src *s, const struct tl_jdoc *d,
    const struct tl_jv **strategy, const struct tl_jv **symbol,
    const struct tl_jv **date, double *net_pnl, int *win)
{
	const struct tl_jv *v;

	*strategy = jv_get(s, d, "strategy", 1u << TL_JSTR, "not a string",
	    1);
	*symbol = jv_get(s, d, "symbol", 1u << TL_JSTR, "not a string", 0);
	*date = jv_get(s, d, "date", 1u << TL_JSTR, "not a string", 1);
	v = jv_get(s, d, "net_pnl", 1u << TL_JNUM, "not a number", 1);
	*net_pnl = v != NULL ? v->num : NAN;
	v = jv_get(s, d, "win", 1u << TL_JTRUE | 1u << TL_JFALSE,
	    "not a boolean", 1);
	*win = v != NULL ? v->type == TL_JTRUE : -1;
}

/* ---- facts ------------------------------------------------------------ */

static void
load_pipeline(struct night *n, struct sec *sec)
{
	struct src s = { .file = "pipeline.json" };
	json_t *in;

	if ((in = read_json(n, sec, "pipeline.json", "tl-nightly-run")) !=
	    NULL) {
		pipeline_fields(&s, in, sec->obj);
		src_flush(n, sec, &s);
	}
	json_decref(in);
}

/* aliases.csv (tl-nightly's copy of ALIASES, tl-ingest --aliases): the
 * renames, each old name with the one it goes by, into the ingest facts;
 * nothing when the night has none */
static void
load_renames(struct night *n, struct sec *sec, json_t *ing)
{
	struct tl_err err = { 0 };
	struct tl_alias *a;
	const char *from, *to;
	json_t *rn;
	char *path = path_of(n->dir, "aliases.csv");
	size_t i;

	if (!exists(path)) {
		free(path);
		return;
	}
	if ((a = tl_alias_load(path, &err)) == NULL) {
		const char *slash = strrchr(err.where, '/');

		sec_file(sec, "aliases.csv", "malformed");
		sec_note(n, sec, "%s: %s", slash != NULL ? slash + 1 :
		    err.where, err.msg);
		free(path);
		return;
	}
	sec_file(sec, "aliases.csv", "ok");
	rn = json_array();
	for (i = 0; i < tl_alias_count(a); i++) {
		from = tl_alias_nth(a, i, &to);
		json_array_append_new(rn, json_pack("{s:s,s:s}", "from", from,
		    "to", to));
	}
	put(ing, "renames", rn);
	tl_alias_free(a);
	free(path);
}

static void
load_ingest(struct night *n, struct sec *sec)
{
	struct src s = { .file = "ingest.json" };
	json_t *in, *ing;

	if ((in = read_json(n, sec, "ingest.json", "tl-ingest-summary")) ==
	    NULL) {
		put(sec->obj, "ingest", json_null());
		return;
	}
	ing = json_object();
	ingest_fields(&s, in, ing);
	src_flush(n, sec, &s);
	load_renames(n, sec, ing);
	put(sec->obj, "ingest", ing);
	json_decref(in);
}

/* rejects grouped by reason: ids and numbers in quotes become '…' so that
 * "conflicting duplicate of outcome 'T00000503'" is one reason, and the
 * rule that told the record's kind is left out */
struct reasons {
	json_t	*count;		/* reason -> count */
	long	 n;		/* rejects */
};

static void
reject_row(struct src *s, const json_t *rec, void *ctx)
{
	struct reasons *r = ctx;
	const char *reason, *kind, *p, *q, *rule, *end;
	struct tl_buf b;
	json_t *c;

	reject_fields(s, rec, &reason, &kind);
	r->n++;
	tl_buf_init(&b);
	if (kind != NULL)
		tl_buf_printf(&b, "%s: ", kind);
	reason = reason != NULL ? reason : "(no reason given)";
	/* the rule that told the record's kind ("(kind outcome: fields
	 * 'pnl' and 'exit_ts')") is not part of what is wrong with it */
	rule = strstr(reason, " (kind ");
	end = rule != NULL && reason[strlen(reason) - 1] == ')' ? rule :
	    reason + strlen(reason);
	for (p = reason; p < end; p++) {
		if (*p == '\'' && (q = strchr(p + 1, '\'')) != NULL && q < end &&
		    strpbrk(p + 1, "0123456789") != NULL &&
		    strpbrk(p + 1, "0123456789") < q) {
			tl_buf_adds(&b, "'\xE2\x80\xA6'");
			p = q;
			continue;
		}
		tl_buf_addc(&b, *p);
	}
	c = json_object_get(r->count, b.data);
	json_object_set_new(r->count, b.data, json_integer(
	    json_integer_value(c) + 1));
	tl_buf_release(&b);
}

/* the keys of object o (borrowed from it), a new array of *n */
static const char **
keys_of(const json_t *o, size_t *n)
{
	const char *key, **keys;
	json_t *v;
	size_t i = 0;

	*n = json_object_size(o);
	keys = tl_xcalloc(*n + 1, sizeof(*keys));
	json_object_foreach((json_t *)o, key, v)
		keys[i++] = key;
	return keys;
}

/* count descending, then reason */
static int
cmp_reasons(const json_t *count, const char *a, const char *b)
{
	json_int_t x = json_integer_value(json_object_get(count, a)),
	    y = json_integer_value(json_object_get(count, b));

	return x != y ? (x > y ? -1 : 1) : strcmp(a, b);
}

/* rejects, by reason, most frequent first */
static void
load_rejects(struct night *n, struct sec *sec)
{
	struct reasons r = { .count = json_object(), .n = 0 };
	const char **keys, *tmp;
	json_t *v, *arr;
	size_t i, j, nk;

	if (read_jsonl(n, sec, "rejects.jsonl", reject_row, NULL, &r) < 0) {
		put(sec->obj, "rejects", json_null());
		json_decref(r.count);
		return;
	}
	v = json_object();
	putn(v, "n", (double)r.n);
	keys = keys_of(r.count, &nk);
	/* insertion sort: few keys */
	for (i = 1; i < nk; i++)
		for (j = i; j > 0 && cmp_reasons(r.count, keys[j - 1],
		    keys[j]) > 0; j--) {
			tmp = keys[j];
			keys[j] = keys[j - 1];
			keys[j - 1] = tmp;
		}
	arr = json_array();
	for (i = 0; i < nk && i < MAX_REASONS; i++)
		json_array_append_new(arr, json_pack("{s:s,s:O}", "reason",
		    keys[i], "count", json_object_get(r.count, keys[i])));
	put(v, "reasons", arr);
	putn(v, "other_reasons", nk > MAX_REASONS ?
	    (double)(nk - MAX_REASONS) : 0);
	put(sec->obj, "rejects", v);
	free(keys);
	json_decref(r.count);
}

/* trades: per strategy, the last trade date; net P&L by strategy and by
 * symbol */
struct trades {
	json_t	*last;		/* strategy -> last date */
	json_t	*by[2];		/* strategy, symbol -> [net P&L, trades] */
	long	 n;		/* trades */
	long	 wins;		/* with win true */
	long	 known;		/* with win known */
	double	 pnl;		/* sum of net_pnl */
	long	 pnl_n;		/* trades with a net_pnl */
	char	 maxdate[16];	/* the latest date */
};

/* add a trade's net P&L to its name's [sum, count] in by */
static void
pnl_add(json_t *by, const struct tl_jv *name, double pnl)
{
	json_t *e;

	if (name == NULL)
		return;
	if ((e = json_object_getn(by, name->s, name->len)) == NULL) {
		e = json_pack("[f,i]", 0.0, 0);
		json_object_setn_new(by, name->s, name->len, e);
	}
	json_array_set_new(e, 0, json_real(json_number_value(
	    json_array_get(e, 0)) + pnl));
	json_array_set_new(e, 1, json_integer(json_integer_value(
	    json_array_get(e, 1)) + 1));
}

static void
trade_row(struct src *s, const struct tl_jdoc *d, void *ctx)
{
	struct trades *t = ctx;
	const struct tl_jv *st, *sym, *date;
	const char *old;
	char day[11];
	double pnl;
	int win;

	trade_fields(s, d, &st, &sym, &date, &pnl, &win);
	t->n++;
	if (win >= 0) {
		t->known++;
		t->wins += win;
	}
	if (isfinite(pnl)) {
		t->pnl += pnl;
		t->pnl_n++;
		pnl_add(t->by[0], st, pnl);
		pnl_add(t->by[1], sym, pnl);
	}
	if (st == NULL || date == NULL || date->len != 10 ||
	    memchr(date->s, '\0', 10) != NULL)
		return;
	memcpy(day, date->s, 10);
	day[10] = '\0';
	old = json_string_value(json_object_getn(t->last, st->s, st->len));
	if (old == NULL || strcmp(day, old) > 0)
		json_object_setn_new(t->last, st->s, st->len,
		    json_string(day));
	if (strcmp(day, t->maxdate) > 0)
		memcpy(t->maxdate, day, sizeof(day));
}

/* days from a to b, both "YYYY-MM-DD"; LONG_MIN if either is not a date */
static long
days_between(const char *a, const char *b)
{
	int y1, m1, d1, y2, m2, d2;

	if (a == NULL || b == NULL || sscanf(a, "%4d-%2d-%2d", &y1, &m1,
	    &d1) != 3 || sscanf(b, "%4d-%2d-%2d", &y2, &m2, &d2) != 3)
		return LONG_MIN;
	return (long)(tl_days_from_civil(y2, m2, d2) -
	    tl_days_from_civil(y1, m1, d1));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static double
key_pnl(const json_t *o)
{
	return fnum(o, "pnl");
}

/* The net P&L of each name of by ([sum, trades]) as facts: the names
 * with the most P&L first, at most --top of them, and the --top with the
 * least, lowest first (none when the first list holds every name). */
static json_t *
pnl_facts(const json_t *by, const struct night *n)
{
	const char *name;
	json_t *all = json_array(), *s, *top = json_array(),
	    *bottom = json_array(), *e;
	size_t i, k, m;

	json_object_foreach((json_t *)by, name, e)
		json_array_append_new(all, json_pack("{s:s,s:O,s:O}", "name",
		    name, "pnl", json_array_get(e, 0), "trades",
		    json_array_get(e, 1)));
	s = sorted(all, key_pnl);
	m = json_array_size(s);
	k = (size_t)n->top;
	for (i = 0; i < m && i < k; i++)
		json_array_append(top, json_array_get(s, i));
	for (i = 0; i < k && i + k < m; i++)
		json_array_append(bottom, json_array_get(s, m - 1 - i));
	json_decref(all);
	json_decref(s);
	return json_pack("{s:I,s:o,s:o}", "n", (json_int_t)m, "top", top,
	    "bottom", bottom);
}

/* trades: counts, net P&L by strategy and symbol, and each strategy's
 * last trade (kept in the night for health_finish) */
static void
load_trades(struct night *n, struct sec *sec)
{
	struct trades t = { .last = json_object(), .by = { json_object(),
	    json_object() } };
	json_t *v;

	if (read_jsonl(n, sec, "trades.jsonl", NULL, trade_row, &t) < 0) {
		put(sec->obj, "trades", json_null());
		json_decref(t.last);
		json_decref(t.by[0]);
		json_decref(t.by[1]);
		return;
	}
	v = json_object();
	putn(v, "n", (double)t.n);
	putn(v, "strategies", (double)json_object_size(t.last));
	putn(v, "win_rate", t.known > 0 ? (double)t.wins / (double)t.known :
	    NAN);
	putn(v, "net_pnl", t.pnl_n > 0 ? t.pnl : NAN);
	puts_(v, "last_date", t.maxdate[0] != '\0' ? t.maxdate : NULL);
	put(v, "pnl_by_strategy", pnl_facts(t.by[0], n));
	put(v, "pnl_by_symbol", pnl_facts(t.by[1], n));
	put(sec->obj, "trades", v);
	n->last_trade = t.last;
	json_decref(t.by[0]);
	json_decref(t.by[1]);
}

/* The newest record of the logs (the last trade or day of returns) and
 * how many calendar days before the night it is: more than --stale-logs
 * and no new logs arrived, or the logs are not where the night reads. */
static void
finish_logs(struct night *n, json_t *h)
{
	const char *night = fstr(json_object_get(n->facts, "night"), "date"),
	    *t = fstr(json_object_get(h, "trades"), "last_date"),
	    *r = fstr(json_object_get(h, "returns"), "last_date"),
	    *newest = t != NULL && (r == NULL || strcmp(t, r) > 0) ? t : r;
	long d = days_between(newest, night);

	if (d == LONG_MIN)
		return;
	put(h, "newest", json_pack("{s:s,s:I,s:I}", "date", newest, "days",
	    (json_int_t)d, "stale_logs", (json_int_t)n->stale_logs));
}

/* The strategies whose last trade is more than --stale-days before the
 * night (calendar days, as tl-allocate's --live-days counts them before
 * its --asof; without a night date, before the last trade of all): those
 * the allocation left out as retired or not live are "quiet", known to
 * it and not a problem; the others are "stale", still counted on. */
static void
finish_health(struct night *n, json_t *h)
{
	static const char *const known[] = { "retired", "not-live" };
	json_t *tr = json_object_get(h, "trades"), *stale, *quiet, *ex, *row;
	const char *ref = fstr(json_object_get(n->facts, "night"), "date"),
	    **keys, *why;
	size_t i, k, nk;
	long d;

	finish_logs(n, h);
	if (!json_is_object(tr) || n->last_trade == NULL)
		return;
	if (days_between(ref, ref) == LONG_MIN)
		ref = fstr(tr, "last_date");
	stale = json_array();
	quiet = json_array();
	ex = json_object_get(json_object_get(json_object_get(n->facts,
	    "allocation"), "summary"), "excluded");
	keys = keys_of(n->last_trade, &nk);
	qsort(keys, nk, sizeof(*keys), cmp_str);
	for (i = 0; i < nk; i++) {
		const char *ld = fstr(n->last_trade, keys[i]);

		if ((d = days_between(ld, ref)) == LONG_MIN ||
		    d <= n->stale_days)
			continue;
		row = json_pack("{s:s,s:s,s:I}", "strategy", keys[i],
		    "last_date", ld, "days", (json_int_t)d);
		why = fstr(find_by(ex, "strategy", keys[i], NULL, NULL),
		    "status");
		for (k = 0; why != NULL && k < TL_NELEM(known) &&
		    strcmp(why, known[k]) != 0; k++)
			;
		if (why != NULL && k < TL_NELEM(known)) {
			puts_(row, "status", why);
			puts_(row, "reason", fstr(find_by(ex, "strategy",
			    keys[i], NULL, NULL), "reason"));
			json_array_append_new(quiet, row);
		} else
			json_array_append_new(stale, row);
	}
	free(keys);
	put(tr, "stale", stale);
	put(tr, "quiet", quiet);
	putn(tr, "stale_days", (double)n->stale_days);
	puts_(tr, "stale_since", ref);
}

/* returns.csv: the panel, kept for the equity curves */
static void
load_returns(struct night *n, struct sec *sec)
{
	/* a night before the first closed trade: a header, no day yet */
	struct tl_panel_opts popts = { .empty_ok = 1 };
	struct tl_err err = { 0 };
	char *path = path_of(n->dir, "returns.csv");

	if (!exists(path)) {
		sec_file(sec, "returns.csv", "missing");
		put(sec->obj, "returns", json_null());
	} else if (tl_panel_read(&n->ret, &path, 1, &popts, &err) == -1) {
		const char *colon = strrchr(err.where, '/');

		sec_file(sec, "returns.csv", "malformed");
		sec_note(n, sec, "%s: %s", colon != NULL ? colon + 1 :
		    "returns.csv", err.msg);
		put(sec->obj, "returns", json_null());
	} else if (n->ret.ndates == 0) {
		sec_file(sec, "returns.csv", "ok");
		put(sec->obj, "returns", json_pack("{s:i,s:i}", "days", 0,
		    "strategies", 0));
	} else {
		n->have_ret = 1;
		sec_file(sec, "returns.csv", "ok");
		put(sec->obj, "returns", json_pack("{s:I,s:I,s:s,s:s}",
		    "days", (json_int_t)n->ret.ndates,
		    "strategies", (json_int_t)n->ret.nseries,
		    "first_date", n->ret.dates[0],
		    "last_date", n->ret.dates[n->ret.ndates - 1]));
	}
	free(path);
}

static void
load_health(struct night *n, struct sec *sec)
{
	load_ingest(n, sec);
	load_rejects(n, sec);
	load_trades(n, sec);
	load_returns(n, sec);
}

/* ---- the page --------------------------------------------------------- */

/* "Pipeline: 9 steps, 9 ok; `ingest` ok, ..." and its notes */
static void
doc_pipeline(struct tl_doc *d, const json_t *pl)
{
	const json_t *steps = json_object_get(pl, "steps"), *v;
	struct tl_buf b;
	size_t i, nok = 0, nfail = 0, nskip = 0;
	char c[COUNTSZ];
	int running;

	tl_buf_init(&b);
	if (strcmp(fstr(pl, "status"), "missing") == 0)
		tl_doc_addf(d, TL_DOC_LI, "Pipeline: no pipeline.json (steps "
		    "unknown).");
	else if (json_array_size(steps) > 0) {
		json_array_foreach(steps, i, v) {
			const char *st = fstr(v, "status");

			nok += st != NULL && strcmp(st, "ok") == 0;
			nfail += st != NULL && strcmp(st, "failed") == 0;
			nskip += st != NULL && strcmp(st, "skipped") == 0;
		}
		/* pipeline.json is written before each step: while the
		 * report runs, its own step is not in it yet */
		running = find_by(steps, "name", "report", NULL, NULL) == NULL;
		tl_buf_printf(&b, "Pipeline: %s%s, %zu ok", count_of(c,
		    (double)json_array_size(steps), "step", "steps"), running ?
		    " before this report" : "", nok);
		if (nfail > 0)
			tl_buf_printf(&b, ", %zu failed", nfail);
		if (nskip > 0)
			tl_buf_printf(&b, ", %zu skipped", nskip);
		tl_buf_adds(&b, "; ");
		json_array_foreach(steps, i, v) {
			if (i > 0)
				tl_buf_adds(&b, ", ");
			tl_doc_put_code(&b, fstr(v, "name"));
			tl_buf_addc(&b, ' ');
			tl_doc_put_text(&b, fstr(v, "status"));
			if (fstr(v, "reason") != NULL) {
				tl_buf_adds(&b, " (");
				tl_doc_put_text(&b, fstr(v, "reason"));
				tl_buf_addc(&b, ')');
			}
		}
		if (running)
			tl_buf_adds(&b, "; then this report (running)");
		tl_buf_addc(&b, '.');
		tl_doc_add(d, TL_DOC_LI, &b);
		/* what the tools warned about, step by step */
		json_array_foreach(steps, i, v) {
			const json_t *w;
			size_t k;

			json_array_foreach(json_object_get(v, "warnings"), k,
			    w) {
				tl_buf_adds(&b, "Step ");
				tl_doc_put_code(&b, fstr(v, "name"));
				tl_buf_adds(&b, ": ");
				tl_doc_put_text(&b, json_string_value(w));
				tl_doc_add(d, TL_DOC_LI, &b);
			}
		}
	}
	add_notes(d, pl);
	tl_buf_release(&b);
}

/* "Sources: freqtrade-backtest 2 files, 11 records; ..." */
static void
doc_sources(struct tl_doc *d, const json_t *src)
{
	char f[COUNTSZ], r[COUNTSZ], o[TL_DOC_NUMSZ];
	struct tl_buf b;
	const json_t *v;
	size_t i;

	if (json_array_size(src) == 0)
		return;
	tl_buf_init(&b);
	tl_buf_adds(&b, "Sources: ");
	json_array_foreach(src, i, v) {
		if (i > 0)
			tl_buf_adds(&b, "; ");
		tl_doc_put_code(&b, fstr(v, "format"));
		if (fstr(v, "map") != NULL) {
			tl_buf_adds(&b, " (map ");
			tl_doc_put_text(&b, fstr(v, "map"));
			tl_buf_addc(&b, ')');
		}
		tl_buf_printf(&b, " %s, %s", count_of(f, fnum(v, "files"),
		    "file", "files"), count_of(r, fnum(v, "records"), "record",
		    "records"));
		if (fnum(v, "open") > 0)
			tl_buf_printf(&b, " (%s open %s skipped)",
			    tl_doc_fmt_int(o, fnum(v, "open")), plural(fnum(v,
			    "open"), "trade", "trades"));
		if (fnum(v, "left_out") > 0 && fstr(v, "left_out_why") !=
		    NULL) {
			tl_buf_printf(&b, " (%s ", tl_doc_fmt_int(o, fnum(v,
			    "left_out")));
			tl_doc_put_text(&b, fstr(v, "left_out_why"));
			tl_buf_addc(&b, ')');
		}
	}
	tl_buf_addc(&b, '.');
	tl_doc_add(d, TL_DOC_LI, &b);
	tl_buf_release(&b);
}

/* "Later: 1 record dated after the night (runs 1), left for a later
 * night." */
static void
doc_later(struct tl_doc *d, const json_t *in)
{
	char num[TL_DOC_NUMSZ];
	const char *kind;
	const json_t *v;
	struct tl_buf b;
	size_t i = 0;

	if (!(fnum(in, "later") > 0))
		return;
	tl_buf_init(&b);
	tl_buf_printf(&b, "Later: %s %s dated after the night's end",
	    tl_doc_fmt_int(num, fnum(in, "later")), plural(fnum(in, "later"),
	    "record", "records"));
	json_object_foreach((json_t *)json_object_get(in, "later_kinds"),
	    kind, v) {
		tl_buf_adds(&b, i++ == 0 ? " (" : ", ");
		tl_doc_put_text(&b, kind);
		tl_buf_printf(&b, " %s", tl_doc_fmt_int(num,
		    json_number_value(v)));
	}
	tl_buf_printf(&b, "%s, left for a later night.", i > 0 ? ")" : "");
	tl_doc_add(d, TL_DOC_LI, &b);
	tl_buf_release(&b);
}

/* "Renamed: 290 records of a strategy under its new name (S0005 ->
 * S0021)." */
static void
doc_renamed(struct tl_doc *d, const json_t *in)
{
	const json_t *rn = json_object_get(in, "renames"), *v;
	char num[COUNTSZ];
	struct tl_buf b;
	size_t i;

	if (!(fnum(in, "renamed") > 0))
		return;
	tl_buf_init(&b);
	tl_buf_printf(&b, "Renamed: %s of a renamed strategy read under its "
	    "new name", count_of(num, fnum(in, "renamed"), "record",
	    "records"));
	json_array_foreach(rn, i, v) {
		tl_buf_adds(&b, i == 0 ? " (" : ", ");
		tl_doc_put_code(&b, fstr(v, "from"));
		tl_buf_adds(&b, " \xE2\x86\x92 ");
		tl_doc_put_code(&b, fstr(v, "to"));
	}
	tl_buf_adds(&b, json_array_size(rn) > 0 ? ")." : ".");
	tl_doc_add(d, TL_DOC_LI, &b);
	tl_buf_release(&b);
}

/* "Records: ..." and "Joins: ..." from tl-ingest's counts */
static void
doc_ingest(struct tl_doc *d, const json_t *in)
{
	char n[TL_NELEM(ingest_keys)][TL_DOC_NUMSZ], a[TL_DOC_NUMSZ],
	    b[TL_DOC_NUMSZ], c[5][COUNTSZ];
	size_t i;

	if (!json_is_object(in)) {
		tl_doc_addf(d, TL_DOC_LI, "Records: no ingest.json (counts "
		    "unknown).");
		return;
	}
	for (i = 0; i < TL_NELEM(ingest_keys); i++)
		tl_doc_fmt_int(n[i], fnum(in, ingest_name(ingest_keys[i])));
	tl_doc_addf(d, TL_DOC_LI, "Records: %s, %s read, %s accepted "
	    "(decisions %s, outcomes %s, runs %s, promotions %s); %s; %s "
	    "rejected (%s), %s of them conflicts.", count_of(c[0], fnum(in,
	    "files"), "file", "files"), n[1], n[2], n[3], n[4], n[5], n[6],
	    count_of(c[1], fnum(in, "duplicates"), "duplicate", "duplicates"),
	    n[8], tl_doc_fmt_pct(a, fnum(in, "rejected") / fnum(in, "read"),
	    1), n[9]);
	doc_later(d, in);
	doc_renamed(d, in);
	tl_doc_addf(d, TL_DOC_LI, "Joins: %s of %s joined to an outcome (%s); "
	    "%s, %s; %s.", n[10], count_of(c[0], fnum(in, "decisions"),
	    "decision", "decisions"), tl_doc_fmt_pct(b, fnum(in, "joined") /
	    fnum(in, "decisions"), 1), count_of(c[2], fnum(in,
	    "unmatched_decisions"), "unmatched decision", "unmatched "
	    "decisions"), count_of(c[3], fnum(in, "orphan_outcomes"),
	    "orphan outcome", "orphan outcomes"), count_of(c[4], fnum(in,
	    "dataset_rows"), "meta-model row", "meta-model rows"));
	doc_sources(d, json_object_get(in, "sources"));
}

/* "Rejects: 28 in rejects.jsonl; 12 × reason; ..." */
static void
doc_rejects(struct tl_doc *d, const json_t *r)
{
	char num[TL_DOC_NUMSZ];
	struct tl_buf b;
	const json_t *v;
	size_t i;

	if (!json_is_object(r) || !(fnum(r, "n") > 0))
		return;
	tl_buf_init(&b);
	tl_buf_printf(&b, "Rejects: %s in rejects.jsonl; ",
	    tl_doc_fmt_int(num, fnum(r, "n")));
	json_array_foreach(json_object_get(r, "reasons"), i, v) {
		tl_buf_printf(&b, "%s%s \xC3\x97 ", i > 0 ? "; " : "",
		    tl_doc_fmt_int(num, fnum(v, "count")));
		tl_doc_put_text(&b, fstr(v, "reason"));
	}
	if (fnum(r, "other_reasons") > 0)
		tl_buf_printf(&b, "; and %s other %s",
		    tl_doc_fmt_int(num, fnum(r, "other_reasons")), plural(fnum(r,
		    "other_reasons"), "reason", "reasons"));
	tl_buf_addc(&b, '.');
	tl_doc_add(d, TL_DOC_LI, &b);
	tl_buf_release(&b);
}

/* "Trades: ..." and the strategies gone quiet: stale (still counted on)
 * or left out of the allocation as retired or not live */
static void
doc_trades(struct tl_doc *d, const json_t *t)
{
	static const struct {
		const char	*key;	/* the list in the facts */
		const char	*head;	/* its line */
	} quiet_lists[] = {
		{ "stale", "Stale" },
		{ "quiet", "Quiet, and left out of tonight's allocation" },
	};
	char x[4][COUNTSZ];
	struct tl_buf b;
	const json_t *r;
	size_t i, k;

	if (!json_is_object(t))
		return;
	tl_buf_init(&b);
	tl_buf_printf(&b, "Trades: %s closed over %s, win rate %s, "
	    "net P&L %s; last trade ", tl_doc_fmt_int(x[0], fnum(t, "n")),
	    count_of(x[1], fnum(t, "strategies"), "strategy", "strategies"),
	    tl_doc_fmt_pct(x[2],
	    fnum(t, "win_rate"), 1), tl_doc_fmt_num(x[3], fnum(t, "net_pnl"),
	    2));
	tl_doc_put_text(&b, fstr(t, "last_date"));
	tl_buf_addc(&b, '.');
	tl_doc_add(d, TL_DOC_LI, &b);
	for (k = 0; k < TL_NELEM(quiet_lists); k++) {
		const json_t *arr = json_object_get(t, quiet_lists[k].key);

		if (json_array_size(arr) == 0)
			continue;
		tl_buf_printf(&b, "%s (no trade for more than %s before ",
		    quiet_lists[k].head, count_of(x[0], fnum(t, "stale_days"),
		    "day", "days"));
		tl_doc_put_text(&b, fstr(t, "stale_since"));
		tl_buf_adds(&b, "): ");
		json_array_foreach(arr, i, r) {
			if (i > 0)
				tl_buf_adds(&b, ", ");
			tl_doc_put_code(&b, fstr(r, "strategy"));
			tl_buf_printf(&b, " (last trade %s, %s before",
			    fstr(r, "last_date"), count_of(x[0], fnum(r,
			    "days"), "day", "days"));
			if (fstr(r, "reason") != NULL) {
				tl_buf_adds(&b, "; ");
				tl_doc_put_text(&b, fstr(r, "reason"));
			}
			tl_buf_addc(&b, ')');
		}
		tl_buf_addc(&b, '.');
		tl_doc_add(d, TL_DOC_LI, &b);
	}
	tl_buf_release(&b);
}

static void
doc_health(struct tl_doc *d, const json_t *h, const struct night *n)
{
	const json_t *v = json_object_get(h, "returns");
	char a[COUNTSZ], b[COUNTSZ];

	doc_pipeline(d, json_object_get(n->facts, "pipeline"));
	doc_ingest(d, json_object_get(h, "ingest"));
	doc_rejects(d, json_object_get(h, "rejects"));
	doc_trades(d, json_object_get(h, "trades"));
	if (json_is_object(v) && fnum(v, "days") == 0)
		tl_doc_addf(d, TL_DOC_LI, "Returns: none yet (no closed "
		    "trade).");
	else if (json_is_object(v))
		tl_doc_addf(d, TL_DOC_LI, "Returns: %s \xC3\x97 %s, %s to %s.",
		    count_of(a, fnum(v, "days"), "day", "days"), count_of(b,
		    fnum(v, "strategies"), "strategy", "strategies"),
		    fstr(v, "first_date"), fstr(v, "last_date"));
}

const struct section pipeline_section = {
	.name = "pipeline", .load = load_pipeline
};

const struct section health_section = {
	.name = "health", .title = "Data health", .load = load_health,
	.show = doc_health, .finish = finish_health, .step = "ingest"
};
