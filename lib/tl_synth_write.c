/*
 * Writing a synthetic log directory (tl_synth_write.h).  The parts are
 * written in the order of parts[], the days one at a time: the day's
 * decisions and trades are drawn (tl_synth_log.h), then its files of
 * day_files[] are written, while the pool gzips the days before.  A
 * gzip failure is of an earlier file than the one being written, so it
 * is the one reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_synth_dirt.h"
#include "tl_synth_log.h"
#include "tl_synth_render.h"
#include "tl_synth_runs.h"
#include "tl_synth_sink.h"
#include "tl_synth_truth.h"
#include "tl_synth_write.h"
#include "tl_util.h"

/* What is being written. */
struct writer {
	const struct tl_synth *s;	/* the plan */
	const struct tl_synth_layout *lo;	/* how */
	struct tl_synth_pool *pool;	/* gzip threads */
	struct tl_synth_log *log;	/* decisions and trades */
	struct tl_synth_dirt *dirt;	/* their dirt */
	struct tl_synth_signals *sig;	/* signals, or NULL */
	struct tl_synth_line l;		/* line being written */
	struct tl_synth_line l2;	/* the line a dirty one adds */
};

/* Open the file rel of the directory, gzip'd if gz.  With
 * TL_SYNTH_JSON_ARRAY, a JSON Lines file (rel ends in .jsonl or
 * .jsonl.gz) is written as one JSON array and named .json(.gz). */
static int
open_file(struct writer *w, const char *rel, int gz, struct tl_synth_sink *k,
    struct tl_err *err)
{
	static const char *const jsonl[] = { ".jsonl", ".jsonl.gz" };
	char path[TL_SYNTH_PATH_SZ], *ext;
	size_t i, n, e;
	int array = 0;

	if (tl_synth_path(path, w->lo->dir, rel, err) == -1)
		return -1;
	n = strlen(path);
	for (i = 0; i < TL_NELEM(jsonl) &&
	    w->lo->format == TL_SYNTH_JSON_ARRAY; i++) {
		e = strlen(jsonl[i]);
		if (n < e || strcmp(ext = path + n - e, jsonl[i]) != 0)
			continue;
		memmove(ext + 5, ext + 6, e - 5);	/* ".jsonl" - 'l' */
		array = 1;
		break;
	}
	if (tl_synth_sink_open(k, path, gz, w->pool, err) == -1)
		return -1;
	k->array = array;
	return 0;
}

static int
put(struct tl_synth_sink *k, const struct tl_synth_line *l,
    struct tl_err *err)
{
	return tl_synth_sink_line(k, l->b, l->n, err);
}

/* Close k after its content was written (rc 0), or give it up (rc -1:
 * err is set). */
static int
end_file(struct tl_synth_sink *k, int rc, struct tl_err *err)
{
	if (rc == 0)
		return tl_synth_sink_close(k, err);
	tl_synth_sink_abort(k);
	return -1;
}

/* Make the directory rel of the directory. */
static int
make_dir(const struct writer *w, const char *rel, struct tl_err *err)
{
	char path[TL_SYNTH_PATH_SZ];

	if (tl_synth_path(path, w->lo->dir, rel, err) == -1)
		return -1;
	return tl_synth_mkdir(path, err);
}

/* ---- files of a list of lines ------------------------------------------ */

/* Render line k of a file; idx is the file's list of strategies, if any. */
typedef void	line_fn(struct tl_synth_line *l, const struct tl_synth *s,
		    const size_t *idx, size_t k);

/* Write rel, plain: the header (or none), then lines 0..n-1. */
static int
write_lines(struct writer *w, const char *rel,
    void (*header)(struct tl_synth_line *), line_fn *line, const size_t *idx,
    size_t n, struct tl_err *err)
{
	struct tl_synth_sink k;
	size_t i;
	int rc = 0;

	if (open_file(w, rel, 0, &k, err) == -1)
		return -1;
	if (header != NULL) {
		header(&w->l);
		rc = put(&k, &w->l, err);
	}
	for (i = 0; i < n && rc == 0; i++) {
		line(&w->l, w->s, idx, i);
		rc = put(&k, &w->l, err);
	}
	return end_file(&k, rc, err);
}

static void
market_line(struct tl_synth_line *l, const struct tl_synth *s,
    const size_t *idx, size_t k)
{
	(void)idx;
	tl_synth_render_market(l, s, k);
}

static void
promotion_line(struct tl_synth_line *l, const struct tl_synth *s,
    const size_t *idx, size_t k)
{
	(void)idx;
	tl_synth_render_promotion(l, s, s->promos[k]);
}

static void
retirement_line(struct tl_synth_line *l, const struct tl_synth *s,
    const size_t *idx, size_t k)
{
	tl_synth_render_retirement(l, s, idx[k]);
}

static void
alias_line(struct tl_synth_line *l, const struct tl_synth *s,
    const size_t *idx, size_t k)
{
	tl_synth_render_alias(l, s, idx[k]);
}

static int
write_market(struct writer *w, struct tl_err *err)
{
	return write_lines(w, "market.csv", tl_synth_render_market_header,
	    market_line, NULL, w->s->w.nd, err);
}

static int
write_promotions(struct writer *w, struct tl_err *err)
{
	return write_lines(w, "logs/promotions.jsonl", NULL, promotion_line,
	    NULL, w->s->npromo, err);
}

/* The strategies of churn role kind into rel. */
static int
write_role(struct writer *w, const char *rel, int kind,
    void (*header)(struct tl_synth_line *), line_fn *line,
    struct tl_err *err)
{
	size_t n, *v;
	int rc;

	v = tl_churn_with_role(w->s->churn, kind, &n);
	rc = write_lines(w, rel, header, line, v, n, err);
	free(v);
	return rc;
}

static int
write_retirements(struct writer *w, struct tl_err *err)
{
	return write_role(w, "logs/retirements.jsonl", TL_CHURN_RETIRE, NULL,
	    retirement_line, err);
}

static int
write_aliases(struct writer *w, struct tl_err *err)
{
	return write_role(w, "aliases.csv", TL_CHURN_RENAME,
	    tl_synth_render_alias_header, alias_line, err);
}

/* ---- runs -------------------------------------------------------------- */

/* One file of the runs a period keeps. */
static int
write_period(struct writer *w, const struct tl_synth_period *per,
    struct tl_err *err)
{
	struct tl_synth_sink k;
	char rel[64], month[24];
	size_t i;
	int rc = 0;

	tl_synth_fmt_month(month, sizeof(month), per->month);
	snprintf(rel, sizeof(rel), "logs/runs/runs-%s.jsonl", month);
	if (open_file(w, rel, 0, &k, err) == -1)
		return -1;
	for (i = 0; i < w->s->ns && rc == 0; i++) {
		if (!per->run[i].kept)
			continue;
		tl_synth_render_run(&w->l, w->s, per, &per->run[i]);
		rc = put(&k, &w->l, err);
	}
	return end_file(&k, rc, err);
}

static int
write_runs(struct writer *w, struct tl_err *err)
{
	struct tl_synth_runs *g;
	struct tl_synth_period per;
	int rc = 0;

	if (make_dir(w, "logs/runs", err) == -1)
		return -1;
	g = tl_synth_runs_alloc(w->s);
	while (rc == 0 && tl_synth_runs_next(g, &per))
		rc = write_period(w, &per, err);
	tl_synth_runs_free(g);
	return rc;
}

/* ---- the days ------------------------------------------------------------ */

/* How a day's files are written. */
struct dayfmt {
	char		 date[TL_TIME_BUFSZ];	/* "YYYY-MM-DD" */
	int		 gz;		/* gzip'd */
	int		 csv;		/* trades as CSV */
};

/* Open the day's file base.ext, gzip'd as f says. */
static int
open_day(struct writer *w, const struct dayfmt *f, const char *base,
    const char *ext, struct tl_synth_sink *k, struct tl_err *err)
{
	char rel[TL_SYNTH_PATH_SZ];

	snprintf(rel, sizeof(rel), "logs/%s/%s.%s%s", f->date, base, ext,
	    f->gz ? ".gz" : "");
	return open_file(w, rel, f->gz, k, err);
}

static int
write_decisions(struct writer *w, const struct tl_synth_day *day,
    const struct dayfmt *f, struct tl_err *err)
{
	const struct tl_synth_dec *x;
	struct tl_synth_sink k;
	struct tl_synth_view v;
	size_t i;
	int dk, rc = 0;

	if (open_day(w, f, "decisions", "jsonl", &k, err) == -1)
		return -1;
	for (i = 0; i < day->ndec && rc == 0; i++) {
		x = &day->dec[i];
		tl_synth_view_decision(&v, w->s, x, day->z);
		dk = tl_synth_dirt_decision(w->dirt, x, day->d, &v);
		tl_synth_render_decision(&w->l, x, &v);
		rc = put(&k, &w->l, err);
		if (rc == 0 && tl_synth_dirt_again(w->dirt, dk, &v) ==
		    TL_SYNTH_AGAIN_SAME)
			rc = put(&k, &w->l, err);
	}
	return end_file(&k, rc, err);
}

/* Trade t of day with its dirt; last: it ends the last trades file. */
static int
emit_trade(struct writer *w, struct tl_synth_sink *k,
    const struct tl_synth_day *day, const struct tl_synth_trade *t, int csv,
    int last, struct tl_err *err)
{
	struct tl_synth_view v;
	int dk;

	tl_synth_view_trade(&v, w->s, t, day->z);
	dk = tl_synth_dirt_trade(w->dirt, t, last, &v);
	tl_synth_render_trade(&w->l, t, &v, csv);
	w->l.n = tl_synth_dirt_cut(w->dirt, dk, w->l.n);
	if (put(k, &w->l, err) == -1)
		return -1;
	switch (tl_synth_dirt_again(w->dirt, dk, &v)) {
	case TL_SYNTH_AGAIN_SAME:
		return put(k, &w->l, err);
	case TL_SYNTH_AGAIN_OTHER:
		tl_synth_render_trade(&w->l2, t, &v, csv);
		return put(k, &w->l2, err);
	}
	return 0;
}

static int
write_trades(struct writer *w, const struct tl_synth_day *day,
    const struct dayfmt *f, struct tl_err *err)
{
	struct tl_synth_sink k;
	size_t i;
	int last, rc = 0;

	if (open_day(w, f, "trades", f->csv ? "csv" : "jsonl", &k, err) == -1)
		return -1;
	if (f->csv) {
		tl_synth_render_trade_header(&w->l);
		rc = put(&k, &w->l, err);
	}
	for (i = 0; i < day->ntrade && rc == 0; i++) {
		/* the last line is cut short, but in a JSON array, where
		 * it would break the whole document */
		last = day->d + 1 == w->s->w.nd && i + 1 == day->ntrade &&
		    w->lo->format != TL_SYNTH_JSON_ARRAY;
		rc = emit_trade(w, &k, day, &day->trade[i], f->csv, last, err);
	}
	return end_file(&k, rc, err);
}

/* The files of a day's signals (tl_synth_signal.h), named so that
 * tl-ingest(1) tells their kinds; an executed signal's decision and
 * trade are files of their own, apart from the log's. */
enum { SF_SIGNALS, SF_OUTCOMES, SF_CF, SF_DECISIONS, SF_TRADES, SF_N };
static const char *const sig_files[SF_N] = { "signals", "signal-outcomes",
	"counterfactuals", "engine-decisions", "engine-trades" };

/* Render and write a signal's lines. */
static int
emit_signal(struct writer *w, struct tl_synth_sink *k,
    const struct tl_synth_sig *x, int64_t z, struct tl_err *err)
{
	int h, rc;

	tl_synth_render_signal(&w->l, w->s, x, z);
	rc = put(&k[SF_SIGNALS], &w->l, err);
	for (h = 0; h < TL_SYNTH_SIG_NH && rc == 0; h++) {
		tl_synth_render_sig_outcome(&w->l, x, h);
		rc = put(&k[SF_OUTCOMES], &w->l, err);
	}
	if (rc == 0 && !x->executed) {
		tl_synth_render_counterfactual(&w->l, w->s, x, z);
		return put(&k[SF_CF], &w->l, err);
	}
	if (rc == 0) {
		tl_synth_render_sig_decision(&w->l, w->s, x, z);
		rc = put(&k[SF_DECISIONS], &w->l, err);
	}
	if (rc == 0) {
		tl_synth_render_sig_trade(&w->l, w->s, x, z);
		rc = put(&k[SF_TRADES], &w->l, err);
	}
	return rc;
}

/* The day's signals, drawn in step with its decisions, with --signals. */
static int
write_signals(struct writer *w, const struct tl_synth_day *day,
    const struct dayfmt *f, struct tl_err *err)
{
	struct tl_synth_sink k[SF_N];
	struct tl_synth_sigday sd;
	size_t i, nk;
	int rc = 0;

	if (w->sig == NULL || !tl_synth_signals_next(w->sig, &sd))
		return 0;
	(void)day;
	for (nk = 0; nk < SF_N && rc == 0; nk++)
		if (open_day(w, f, sig_files[nk], "jsonl", &k[nk], err) == -1)
			rc = -1;
	if (rc == -1)
		nk--;	/* the one that failed is not open */
	for (i = 0; i < sd.n && rc == 0; i++)
		rc = emit_signal(w, k, &sd.sig[i], sd.z, err);
	for (i = 0; i < nk; i++)
		if (end_file(&k[i], rc, err) == -1)
			rc = -1;
	return rc;
}

/* The files of a day, in the order they are written. */
static int (*const day_files[])(struct writer *, const struct tl_synth_day *,
    const struct dayfmt *, struct tl_err *) = {
	write_decisions,
	write_trades,
	write_signals,
};

static int
write_day(struct writer *w, const struct tl_synth_day *day,
    struct tl_err *err)
{
	const struct tl_synth_layout *lo = w->lo;
	struct dayfmt f;
	char rel[TL_SYNTH_PATH_SZ];
	size_t i;

	tl_synth_fmt_date(f.date, day->z);
	f.gz = lo->gzip_after > 0 && day->d + (size_t)lo->gzip_after <
	    w->s->w.nd;
	f.csv = (day->d + 1) % TL_SYNTH_CSV_EVERY == 0;
	snprintf(rel, sizeof(rel), "logs/%s", f.date);
	if (make_dir(w, rel, err) == -1)
		return -1;
	for (i = 0; i < TL_NELEM(day_files); i++)
		if (day_files[i](w, day, &f, err) == -1)
			return -1;
	return 0;
}

static int
write_days(struct writer *w, struct tl_err *err)
{
	struct tl_synth_day day;
	struct tl_err perr;
	int rc = 0;

	while (rc == 0 && tl_synth_log_next(w->log, &day))
		if (write_day(w, &day, err) == -1 ||
		    tl_synth_pool_failed(w->pool))
			rc = -1;
	if (tl_synth_pool_finish(w->pool, &perr) == -1) {
		*err = perr;
		return -1;
	}
	return rc;
}

/* ---- truth.json ----------------------------------------------------------- */

static int
write_truth(struct writer *w, struct tl_err *err)
{
	struct tl_synth_sink k;
	struct tl_buf b;
	int rc;

	if (open_file(w, "truth.json", 0, &k, err) == -1)
		return -1;
	tl_buf_init(&b);
	tl_synth_truth(&b, w->s, w->log, tl_synth_dirt_tally(w->dirt),
	    w->lo->dirt, w->lo->gzip_after, w->sig);
	rc = tl_synth_sink_write(&k, b.data, b.len, err);
	tl_buf_release(&b);
	return end_file(&k, rc, err);
}

/* ---- the directory ---------------------------------------------------- */

static int
prepare(struct writer *w, struct tl_err *err)
{
	if (tl_synth_prepare_dir(w->lo->dir, err) == -1)
		return -1;
	return make_dir(w, "logs", err);
}

/* The parts of a log directory, in the order they are written. */
static const struct part {
	int		 churn_only;	/* written with churn only */
	int		 (*write)(struct writer *, struct tl_err *);
} parts[] = {
	{ 0, prepare },
	{ 0, write_market },
	{ 0, write_runs },
	{ 0, write_promotions },
	{ 0, write_days },
	{ 1, write_retirements },
	{ 1, write_aliases },
	{ 0, write_truth },
};

int
tl_synth_write(const struct tl_synth *s, const struct tl_synth_layout *lo,
    struct tl_err *err)
{
	struct writer *w;
	size_t i;
	int rc = 0;

	w = tl_xcalloc(1, sizeof(*w));
	w->s = s;
	w->lo = lo;
	w->pool = tl_synth_pool_alloc();
	w->log = tl_synth_log_alloc(s);
	w->dirt = tl_synth_dirt_alloc(s->par.seed, lo->dirt);
	if (s->par.signals > 0)
		w->sig = tl_synth_signals_alloc(s, s->par.signals);
	for (i = 0; i < TL_NELEM(parts) && rc == 0; i++)
		if (!parts[i].churn_only || s->churn != NULL)
			rc = parts[i].write(w, err);
	tl_synth_signals_free(w->sig);
	tl_synth_dirt_free(w->dirt);
	tl_synth_log_free(w->log);
	tl_synth_pool_free(w->pool);
	free(w);
	return rc;
}
