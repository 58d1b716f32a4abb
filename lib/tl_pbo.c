/*
 * CSCV.  Per block and column the sum and sum of squares are computed
 * once; a combination's in-sample figures are the sums over its S/2
 * blocks and the out-of-sample ones the totals less those, so each
 * combination costs O(S N) and no sorting (the winner's out-of-sample
 * rank is a count).  Combinations are enumerated in lexicographic order
 * and split between threads by index; each writes its own slots, so the
 * result is the same for any number of threads.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tl_pbo.h"
#include "tl_progress.h"
#include "tl_util.h"

#define MAX_BLOCKS	64	/* S: C(64, 32) is already beyond use */

struct job {
	const double	*bsum;		/* s x n block sums */
	const double	*bsq;		/* s x n block sums of squares */
	const double	*tsum;		/* n totals */
	const double	*tsq;		/* n totals of squares */
	size_t		 n, s, rows;	/* columns, blocks, rows per block */
	enum tl_pbo_metric metric;
	struct tl_pbo	*out;
	size_t		 first, last;	/* combinations [first, last) */
	struct tl_progress *pr;		/* combinations done, or NULL */
};

#define PROGRESS_EVERY	1024	/* combinations between two counts */

static double
metric(enum tl_pbo_metric how, double sum, double sq, double k)
{
	double mean = sum / k, var;

	if (how == TL_PBO_MEAN)
		return mean;
	var = (sq - sum * mean) / (k - 1);
	return var > 0 ? mean / sqrt(var) : (mean > 0 ? INFINITY :
	    mean < 0 ? -INFINITY : 0);
}

/* The combination with index c (lexicographic order of s choose h). */
static void
unrank(size_t c, size_t s, size_t h, int *pick)
{
	size_t i, k = h, cnt;
	double binom;

	memset(pick, 0, s * sizeof(*pick));
	for (i = 0; i < s && k > 0; i++) {
		/* combinations that start by taking block i */
		binom = 1;
		for (cnt = 0; cnt < k - 1; cnt++)
			binom = binom * (double)(s - i - 1 - cnt) /
			    (double)(cnt + 1);
		if (c < (size_t)(binom + 0.5)) {
			pick[i] = 1;
			k--;
		} else
			c -= (size_t)(binom + 0.5);
	}
}

static void *
work(void *arg)
{
	struct job *j = arg;
	double *is, *oos, k, best, r, lo, eq;
	size_t c, b, col, win;
	int pick[MAX_BLOCKS];

	is = tl_xcalloc(j->n, sizeof(*is));
	oos = tl_xcalloc(j->n, sizeof(*oos));
	k = (double)(j->s / 2 * j->rows);
	for (c = j->first; c < j->last; c++) {
		unrank(c, j->s, j->s / 2, pick);
		win = 0;
		best = -INFINITY;
		for (col = 0; col < j->n; col++) {
			double su = 0, sq = 0;

			for (b = 0; b < j->s; b++)
				if (pick[b]) {
					su += j->bsum[b * j->n + col];
					sq += j->bsq[b * j->n + col];
				}
			is[col] = metric(j->metric, su, sq, k);
			oos[col] = metric(j->metric, j->tsum[col] - su,
			    j->tsq[col] - sq, k);
			if (is[col] > best || col == 0) {
				best = is[col];
				win = col;
			}
		}
		/* average rank of oos[win]: 1 + below + (equal - 1)/2 */
		lo = eq = 0;
		for (col = 0; col < j->n; col++) {
			if (oos[col] < oos[win])
				lo++;
			else if (oos[col] == oos[win])
				eq++;
		}
		r = (1 + lo + (eq - 1) / 2) / (double)(j->n + 1);
		j->out->logit[c] = log(r / (1 - r));
		j->out->is_best[c] = is[win];
		j->out->oos_best[c] = oos[win];
		if ((c - j->first + 1) % PROGRESS_EVERY == 0)
			tl_progress_add(j->pr, PROGRESS_EVERY);
	}
	tl_progress_add(j->pr, (double)((j->last - j->first) %
	    PROGRESS_EVERY));
	free(oos);
	free(is);
	return NULL;
}

int
tl_pbo_cscv(const double *m, size_t t, size_t n, size_t s,
    enum tl_pbo_metric how, int threads, struct tl_progress *pr,
    struct tl_pbo *out, struct tl_err *err)
{
	double *bsum, *bsq, *tsum, *tsq, *sorted, sx = 0, sy = 0, sxx = 0;
	double sxy = 0, syy = 0, nc, binom = 1, vx, vy;
	size_t rows, b, i, col, c, per;
	struct job *jobs;
	pthread_t *tid;
	int k;

	memset(out, 0, sizeof(*out));
	if (s < 2 || s % 2 != 0 || s > MAX_BLOCKS)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "partitions: "
		    "%zu is not an even number in [2, %d]", s, MAX_BLOCKS);
	if (n < 2)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "%zu "
		    "candidate%s: CSCV needs at least 2", n, n == 1 ? "" : "s");
	if (t < s || (how == TL_PBO_SHARPE && t / s * (s / 2) < 2))
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "%zu periods "
		    "cannot make %zu partitions", t, s);
	for (i = 0; i < s / 2; i++)
		binom = binom * (double)(s - i) / (double)(i + 1);
	out->ncomb = (size_t)(binom + 0.5);
	rows = t / s;
	out->dropped = t % s;
	bsum = tl_xcalloc(s * n, sizeof(double));
	bsq = tl_xcalloc(s * n, sizeof(double));
	tsum = tl_xcalloc(n, sizeof(double));
	tsq = tl_xcalloc(n, sizeof(double));
	for (b = 0; b < s; b++)
		for (i = 0; i < rows; i++) {
			const double *row = m + (out->dropped + b * rows + i) *
			    n;

			for (col = 0; col < n; col++) {
				bsum[b * n + col] += row[col];
				bsq[b * n + col] += row[col] * row[col];
			}
		}
	for (b = 0; b < s; b++)
		for (col = 0; col < n; col++) {
			tsum[col] += bsum[b * n + col];
			tsq[col] += bsq[b * n + col];
		}
	out->logit = tl_xcalloc(out->ncomb, sizeof(double));
	out->is_best = tl_xcalloc(out->ncomb, sizeof(double));
	out->oos_best = tl_xcalloc(out->ncomb, sizeof(double));
	if (threads < 1)
		threads = 1;
	jobs = tl_xcalloc((size_t)threads, sizeof(*jobs));
	tid = tl_xcalloc((size_t)threads, sizeof(*tid));
	per = (out->ncomb + (size_t)threads - 1) / (size_t)threads;
	for (k = 0; k < threads; k++) {
		jobs[k] = (struct job){ bsum, bsq, tsum, tsq, n, s, rows, how,
		    out, (size_t)k * per, (size_t)(k + 1) * per, pr };
		if (jobs[k].first > out->ncomb)
			jobs[k].first = out->ncomb;
		if (jobs[k].last > out->ncomb)
			jobs[k].last = out->ncomb;
		if (k > 0 && pthread_create(&tid[k], NULL, work, &jobs[k]) != 0)
			work(&jobs[k]);	/* no thread: do it here */
	}
	work(&jobs[0]);
	for (k = 1; k < threads; k++)
		pthread_join(tid[k], NULL);
	free(tid);
	free(jobs);
	/* summaries, in combination order */
	nc = (double)out->ncomb;
	for (c = 0; c < out->ncomb; c++) {
		out->pbo += out->logit[c] <= 0;
		out->p_loss += out->oos_best[c] < 0;
		out->logit_mean += out->logit[c];
		sx += out->is_best[c];
		sy += out->oos_best[c];
		sxx += out->is_best[c] * out->is_best[c];
		sxy += out->is_best[c] * out->oos_best[c];
		syy += out->oos_best[c] * out->oos_best[c];
	}
	out->pbo /= nc;
	out->p_loss /= nc;
	out->logit_mean /= nc;
	out->slope = (nc * sxy - sx * sy) / (nc * sxx - sx * sx);
	out->intercept = (sy - out->slope * sx) / nc;
	vx = nc * sxx - sx * sx;
	vy = nc * syy - sy * sy;
	out->r2 = vx > 0 && vy > 0 ? (nc * sxy - sx * sy) *
	    (nc * sxy - sx * sy) / (vx * vy) : NAN;
	sorted = tl_xcalloc(out->ncomb, sizeof(double));
	memcpy(sorted, out->logit, out->ncomb * sizeof(double));
	qsort(sorted, out->ncomb, sizeof(double), tl_cmp_double);
	out->logit_median = out->ncomb % 2 ? sorted[out->ncomb / 2] :
	    (sorted[out->ncomb / 2 - 1] + sorted[out->ncomb / 2]) / 2;
	free(sorted);
	free(tsq);
	free(tsum);
	free(bsq);
	free(bsum);
	return 0;
}

void
tl_pbo_release(struct tl_pbo *p)
{
	free(p->logit);
	free(p->is_best);
	free(p->oos_best);
	memset(p, 0, sizeof(*p));
}
