/*
 * Predicting rows with a forest, the engine of tl-train-forest predict:
 * rows of JSON text are added one by one and gathered in batches; each
 * batch is cut into tasks that parse their rows into bins, predict them
 * tree by tree and write their lines, which go out in row order.  Every
 * row's result is its own, so the bytes are the same with any number of
 * threads.  Two batches take turns: the rows of one are read while the
 * other is predicted.  A row's line is its own text with the fields
 * "prediction" and "prediction_sd" (regression) or "prediction" and
 * "prob" (classification) added, replacing fields of those names.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_forest.h"
#include "tl_fpred.h"
#include "tl_jv.h"
#include "tl_num.h"
#include "tl_out.h"
#include "tl_par.h"
#include "tl_util.h"

/* The start of a row's output line: its text up to the closing brace,
 * or the row rebuilt without fields named like ours, which the new ones
 * replace.  Returns the number of fields written. */
static size_t
row_prefix(struct tl_buf *b, const struct tl_jdoc *doc, const char *text,
    size_t len)
{
	static const char *ours[] = { "prediction", "prediction_sd", "prob" };
	const struct tl_jv *root = &doc->v[0], *c;
	size_t k, end, members = root->n;
	int clash = 0;

	for (k = 0; k < 3; k++)
		clash |= tl_jv_get(doc, root, ours[k]) != NULL;
	if (!clash) {
		for (end = len; end > 0 && text[end - 1] != '}'; end--)
			;
		tl_buf_add(b, text, end - 1);
		return members;
	}
	tl_buf_addc(b, '{');
	members = 0;
	for (c = tl_jv_child(doc, root); c != NULL; c = tl_jv_next(doc, root,
	    c)) {
		for (k = 0; k < 3; k++)
			if (c->keylen == strlen(ours[k]) &&
			    memcmp(c->key, ours[k], c->keylen) == 0)
				break;
		if (k < 3)
			continue;
		if (members++ > 0)
			tl_buf_addc(b, ',');
		tl_jv_append_string(b, c->key, c->keylen);
		tl_buf_addc(b, ':');
		tl_jv_append(b, doc, c);
	}
	return members;
}

/* The prediction fields and the closing brace. */
static void
add_fields(struct tl_buf *b, const struct tl_forest *f, size_t members,
    double mean, double sd, const double *prob)
{
	char num[TL_NUM_BUFSZ];
	size_t k;

	if (members > 0)
		tl_buf_addc(b, ',');
	tl_buf_adds(b, "\"prediction\":");
	if (tl_forest_task(f) == TL_FOREST_REGRESSION) {
		tl_fmt_double(num, mean);
		tl_buf_adds(b, num);
		tl_buf_adds(b, ",\"prediction_sd\":");
		tl_fmt_double(num, sd);
		tl_buf_adds(b, num);
	} else {
		tl_buf_adds(b, tl_forest_class_json(f, (size_t)mean));
		tl_buf_adds(b, ",\"prob\":{");
		for (k = 0; k < tl_forest_nclasses(f); k++) {
			if (k > 0)
				tl_buf_addc(b, ',');
			tl_jv_append_string(b, tl_forest_class_name(f, k),
			    strlen(tl_forest_class_name(f, k)));
			tl_buf_addc(b, ':');
			tl_fmt_double(num, prob[k]);
			tl_buf_adds(b, num);
		}
		tl_buf_addc(b, '}');
	}
	tl_buf_adds(b, "}\n");
}

#define CHUNK		4096	/* rows per task: parsed, predicted, written */
#define MINCHUNK	512	/* the fewest rows of a task of a short batch */

/* Rows with a gap of one kind, and the first one's first feature. */
struct tally {
	size_t		 rows;
	size_t		 first;		/* a feature index */
};

/* One task's rows of a batch: their output text, or the first error. */
struct chunk {
	struct tl_buf	 pre;		/* the rows' prefixes, then ... */
	struct tl_buf	 out;		/* ... their output lines */
	struct tl_err	 err;		/* the first error, if failed */
	int		 failed;
	struct tally	 partial;	/* rows lacking some feature */
	struct tally	 unknown;	/* rows with an untrained category */
};

/* What the batches share.  One batch is predicted at a time, so the
 * scratch and the sums need no lock. */
struct pred {
	const struct tl_forest *f;
	int		 strict;
	int		 allow;		/* --allow-missing */
	int		 threads;
	struct tl_jdoc	*doc;		/* one per worker */
	struct tl_out	*out;
	struct tally	 partial;	/* rows lacking some feature */
	struct tally	 unknown;	/* rows with an untrained category */
	size_t		*present;	/* rows that have each feature */
	size_t		 batches;	/* batches done */
	size_t		 rows;		/* rows added */
	int		 absent;	/* a feature no row of the first
					 * batch has: output stopped */
	size_t		 absent_j;	/* that feature */
	char		 absent_in[256];	/* the input it was found in */
};

/* Rows read and waiting: each task parses its rows into bins, predicts
 * them tree by tree and writes their lines; then the lines go out in
 * order.  Every row's result is its own, so the bytes are the same with
 * any number of threads.  Two batches take turns: the rows of one are
 * read while the other is predicted. */
struct batch {
	struct pred	*p;
	const char	*name;		/* the input the rows are from */
	size_t		 cap;		/* rows it holds */
	size_t		 n;		/* rows waiting */
	struct tl_buf	 text;		/* the rows' JSON text */
	size_t		*toff;		/* row i: toff[i]..toff[i+1] */
	unsigned long	*line;		/* each row's line */
	size_t		*poff;		/* prefix in its chunk's pre */
	size_t		*members;	/* fields in each prefix */
	uint8_t		*bins;		/* cap rows of bins */
	double		*mean, *sd;
	double		*prob;		/* cap * classes */
	struct chunk	*ch;		/* cap / CHUNK tasks */
	size_t		 nch;		/* tasks of this batch */
	size_t		 csize;		/* rows of each but the last */
	int		 rc;		/* -1: err says why */
	struct tl_err	 err;
	struct tl_bg	 bg;		/* predicting on a thread */
};

/* Count a row with n gaps, the first at feature first. */
static void
tally_row(struct tally *t, size_t n, size_t first)
{
	if (n > 0 && t->rows++ == 0)
		t->first = first;
}

/* Add the counts of a later chunk. */
static void
tally_add(struct tally *to, const struct tally *from)
{
	if (from->rows > 0 && to->rows == 0)
		to->first = from->first;
	to->rows += from->rows;
}

static void
chunk_task(void *ctx, size_t c, int worker)
{
	struct batch *bt = ctx;
	struct chunk *ch = &bt->ch[c];
	const struct tl_forest *f = bt->p->f;
	struct tl_jdoc *doc = &bt->p->doc[worker];
	size_t r, lo = c * bt->csize, hi = lo + bt->csize,
	    nf = tl_forest_nfeatures(f), K = tl_forest_nclasses(f);
	struct tl_forest_gaps g;
	const char *text;

	if (hi > bt->n)
		hi = bt->n;
	tl_buf_reset(&ch->pre);
	tl_buf_reset(&ch->out);
	ch->failed = 0;
	memset(&ch->partial, 0, sizeof(ch->partial));
	memset(&ch->unknown, 0, sizeof(ch->unknown));
	for (r = lo; r < hi; r++) {
		text = bt->text.data + bt->toff[r];
		if (tl_forest_row(f, doc, text, bt->toff[r + 1] - bt->toff[r],
		    bt->name, bt->line[r], bt->bins + r * nf, &g,
		    &ch->err) == -1) {
			ch->failed = 1;
			return;
		}
		if (bt->p->strict && (g.nmissing > 0 || g.nunknown > 0)) {
			if (g.nmissing > 0)
				tl_err_set(&ch->err, TL_EX_DATAERR, bt->name,
				    bt->line[r], "field '%s': missing (the "
				    "model needs it)", tl_forest_feature(f,
				    g.first_missing));
			else
				tl_err_set(&ch->err, TL_EX_DATAERR, bt->name,
				    bt->line[r], "field '%s': a category no "
				    "training row had (the model cannot use "
				    "it)", tl_forest_feature(f,
				    g.first_unknown));
			ch->failed = 1;
			return;
		}
		tally_row(&ch->partial, g.nmissing, g.first_missing);
		tally_row(&ch->unknown, g.nunknown, g.first_unknown);
		bt->poff[r] = ch->pre.len;
		bt->members[r] = row_prefix(&ch->pre, doc, text,
		    bt->toff[r + 1] - bt->toff[r]);
	}
	tl_forest_predict_rows(f, bt->bins + lo * nf, hi - lo, bt->mean + lo,
	    bt->sd + lo, bt->prob + lo * K);
	for (r = lo; r < hi; r++) {
		tl_buf_add(&ch->out, ch->pre.data + bt->poff[r],
		    (r + 1 < hi ? bt->poff[r + 1] : ch->pre.len) - bt->poff[r]);
		add_fields(&ch->out, f, bt->members[r], bt->mean[r], bt->sd[r],
		    bt->prob + r * K);
	}
}

/* Count the rows of chunk c of batch bt that have each feature. */
static void
count_present(struct batch *bt, size_t c)
{
	const size_t nf = tl_forest_nfeatures(bt->p->f);
	size_t r, j, hi = (c + 1) * bt->csize < bt->n ? (c + 1) * bt->csize :
	    bt->n;

	for (r = c * bt->csize; r < hi; r++)
		for (j = 0; j < nf; j++)
			bt->p->present[j] += bt->bins[r * nf + j] !=
			    TL_FOREST_MAX_BINS;
}

/* After the first batch (all rows, or 8192 and more; its chunks before
 * a bad row), a feature none of its rows has stops the output unless
 * --allow-missing: the input does not have the model's features (the
 * candidates' "params" against a model of "genome.*"); the rest is read
 * to count the rows. */
static void
first_batch(struct batch *bt)
{
	struct pred *p = bt->p;
	const size_t nf = tl_forest_nfeatures(p->f);
	size_t c, j;

	for (c = 0; c < bt->nch && !bt->ch[c].failed; c++)
		count_present(bt, c);
	for (j = 0; j < nf && p->present[j] > 0; j++)
		;
	if (j < nf && !p->allow && c > 0) {
		p->absent = 1;
		p->absent_j = j;
		snprintf(p->absent_in, sizeof(p->absent_in), "%s", bt->name);
	}
}

/* Predict and write the rows of batch ctx; the first error in row order
 * stops it.  A short batch (the last) is cut into a task per thread. */
static void
run_batch(void *ctx)
{
	struct batch *bt = ctx;
	struct pred *p = bt->p;
	size_t c, n = bt->n, most;
	int first;

	bt->rc = 0;
	if (n == 0)
		return;
	bt->nch = (n + CHUNK - 1) / CHUNK;
	most = (n + MINCHUNK - 1) / MINCHUNK;
	if (bt->nch < (size_t)p->threads)
		bt->nch = most < (size_t)p->threads ? most : (size_t)p->threads;
	bt->csize = (n + bt->nch - 1) / bt->nch;
	tl_par_for(p->threads, bt->nch, chunk_task, bt);
	if ((first = p->batches++ == 0))
		first_batch(bt);
	for (c = 0; c < bt->nch; c++) {
		if (bt->ch[c].failed) {
			bt->err = bt->ch[c].err;
			bt->rc = -1;
			return;
		}
		tally_add(&p->partial, &bt->ch[c].partial);
		tally_add(&p->unknown, &bt->ch[c].unknown);
		if (!first)
			count_present(bt, c);
		if (!p->absent && tl_out_raw(p->out, bt->ch[c].out.data,
		    bt->ch[c].out.len, &bt->err) == -1) {
			bt->rc = -1;
			return;
		}
	}
	bt->n = 0;
	tl_buf_reset(&bt->text);
}

/* Wait for the batch being predicted, if any: 0, or -1 and why. */
static int
wait_batch(struct batch **run, struct tl_err *err)
{
	struct batch *bt = *run;

	if (bt == NULL)
		return 0;
	*run = NULL;
	tl_bg_wait(&bt->bg);
	if (bt->rc == -1)
		*err = bt->err;
	return bt->rc;
}

static void
batch_init(struct batch *bt, struct pred *p)
{
	const size_t nf = tl_forest_nfeatures(p->f),
	    K = tl_forest_nclasses(p->f);
	size_t c;

	bt->p = p;
	/* enough rows for every thread to have a task */
	bt->cap = CHUNK * (size_t)(p->threads > 2 ? p->threads : 2);
	tl_buf_init(&bt->text);
	bt->toff = tl_xcalloc(bt->cap + 1, sizeof(size_t));
	bt->line = tl_xcalloc(bt->cap, sizeof(unsigned long));
	bt->poff = tl_xcalloc(bt->cap, sizeof(size_t));
	bt->members = tl_xcalloc(bt->cap, sizeof(size_t));
	bt->bins = tl_xcalloc(bt->cap, nf);
	bt->mean = tl_xcalloc(bt->cap, sizeof(double));
	bt->sd = tl_xcalloc(bt->cap, sizeof(double));
	bt->prob = tl_xcalloc(bt->cap * (K > 0 ? K : 1), sizeof(double));
	bt->ch = tl_xcalloc(bt->cap / CHUNK, sizeof(struct chunk));
	for (c = 0; c < bt->cap / CHUNK; c++) {
		tl_buf_init(&bt->ch[c].pre);
		tl_buf_init(&bt->ch[c].out);
	}
}

static void
batch_free(struct batch *bt)
{
	size_t c;

	for (c = 0; c < bt->cap / CHUNK; c++) {
		tl_buf_release(&bt->ch[c].pre);
		tl_buf_release(&bt->ch[c].out);
	}
	free(bt->ch);
	free(bt->prob);
	free(bt->sd);
	free(bt->mean);
	free(bt->bins);
	free(bt->members);
	free(bt->poff);
	free(bt->line);
	free(bt->toff);
	tl_buf_release(&bt->text);
}

/* ---- the rows, added one by one --------------------------------------- */

struct tl_fpred {
	struct pred	 p;
	struct batch	 b[2];
	struct batch	*cur;		/* taking rows */
	struct batch	*run;		/* being predicted, or NULL */
};

struct tl_fpred *
tl_fpred_alloc(const struct tl_forest *f, struct tl_out *out, int threads,
    int strict, int allow_missing)
{
	struct tl_fpred *fp = tl_xcalloc(1, sizeof(*fp));
	struct pred *p = &fp->p;
	int i;

	p->f = f;
	p->out = out;
	p->threads = threads > 0 ? threads : 1;
	p->strict = strict;
	p->allow = allow_missing;
	p->present = tl_xcalloc(tl_forest_nfeatures(f) + 1, sizeof(size_t));
	p->doc = tl_xcalloc((size_t)p->threads, sizeof(*p->doc));
	for (i = 0; i < p->threads; i++)
		tl_jdoc_init(&p->doc[i]);
	batch_init(&fp->b[0], p);
	batch_init(&fp->b[1], p);
	fp->cur = &fp->b[0];
	return fp;
}

int
tl_fpred_add(struct tl_fpred *fp, const char *text, size_t len,
    const char *name, unsigned long line, struct tl_err *err)
{
	struct batch *bt = fp->cur;

	fp->p.rows++;
	if (bt->n == 0)
		bt->name = name;
	bt->line[bt->n] = line;
	bt->toff[bt->n] = bt->text.len;
	tl_buf_add(&bt->text, text, len);
	bt->toff[++bt->n] = bt->text.len;
	if (bt->n < bt->cap)
		return 0;
	if (wait_batch(&fp->run, err) == -1)
		return -1;
	tl_bg_start(&bt->bg, run_batch, bt, fp->p.threads > 1);
	fp->run = bt;
	fp->cur = bt == &fp->b[0] ? &fp->b[1] : &fp->b[0];
	return 0;
}

int
tl_fpred_flush(struct tl_fpred *fp, struct tl_err *err)
{
	if (wait_batch(&fp->run, err) == -1)
		return -1;
	run_batch(fp->cur);
	if (fp->cur->rc == -1) {
		*err = fp->cur->err;
		return -1;
	}
	return 0;
}

int
tl_fpred_end(struct tl_fpred *fp, struct tl_err *err)
{
	const struct pred *p = &fp->p;

	if (!p->absent)
		return 0;
	return tl_err_set(err, TL_EX_DATAERR, p->absent_in, 0, "the model's "
	    "feature '%s' is missing from %zu of %zu rows (tl-train-forest "
	    "dump names the features; --allow-missing predicts without it)",
	    tl_forest_feature(p->f, p->absent_j), p->rows -
	    p->present[p->absent_j], p->rows);
}

size_t
tl_fpred_rows(const struct tl_fpred *fp)
{
	return fp->p.rows;
}

size_t
tl_fpred_partial(const struct tl_fpred *fp, size_t *first)
{
	if (first != NULL)
		*first = fp->p.partial.first;
	return fp->p.partial.rows;
}

size_t
tl_fpred_unknown(const struct tl_fpred *fp, size_t *first)
{
	if (first != NULL)
		*first = fp->p.unknown.first;
	return fp->p.unknown.rows;
}

void
tl_fpred_free(struct tl_fpred *fp)
{
	struct tl_err err;
	int i;

	if (fp == NULL)
		return;
	(void)wait_batch(&fp->run, &err);
	for (i = 0; i < fp->p.threads; i++)
		tl_jdoc_release(&fp->p.doc[i]);
	free(fp->p.doc);
	free(fp->p.present);
	batch_free(&fp->b[0]);
	batch_free(&fp->b[1]);
	free(fp);
}
