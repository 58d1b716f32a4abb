/*
 * Log-space HMM recursions (no scaling constants to underflow):
 * log alpha_t(j) = logsumexp_i(log alpha_{t-1}(i) + log A_ij) + log b_j(x_t).
 */
#include <math.h>
#include <stdlib.h>

#include "tl_hmm.h"
#include "tl_util.h"

double
tl_logsumexp(const double *x, size_t n)
{
	double m = -INFINITY, s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (x[i] > m)
			m = x[i];
	if (isinf(m))
		return m;
	for (i = 0; i < n; i++)
		s += exp(x[i] - m);
	return m + log(s);
}

double
tl_hmm_forward(const double *logpi, const double *logA, const double *logb,
    size_t t, size_t k, double *la, double *filt)
{
	double *cur, *prev, *tmp, lp = -INFINITY, norm;
	size_t s, i, j;

	if (t == 0 || k == 0)
		return 0;
	cur = tl_xcalloc(k, sizeof(double));
	prev = tl_xcalloc(k, sizeof(double));
	tmp = tl_xcalloc(k, sizeof(double));
	for (s = 0; s < t; s++) {
		for (j = 0; j < k; j++) {
			if (s == 0)
				cur[j] = logpi[j] + logb[j];
			else {
				for (i = 0; i < k; i++)
					tmp[i] = prev[i] + logA[i * k + j];
				cur[j] = tl_logsumexp(tmp, k) +
				    logb[s * k + j];
			}
			if (la != NULL)
				la[s * k + j] = cur[j];
		}
		norm = tl_logsumexp(cur, k);
		if (filt != NULL)
			for (j = 0; j < k; j++)
				filt[s * k + j] = exp(cur[j] - norm);
		lp = norm;
		for (j = 0; j < k; j++)
			prev[j] = cur[j];
	}
	free(tmp);
	free(prev);
	free(cur);
	return lp;
}

void
tl_hmm_backward(const double *logA, const double *logb, size_t t, size_t k,
    double *lb)
{
	double *tmp;
	size_t s, i, j;

	if (t == 0 || k == 0)
		return;
	tmp = tl_xcalloc(k, sizeof(double));
	for (i = 0; i < k; i++)
		lb[(t - 1) * k + i] = 0;
	for (s = t - 1; s-- > 0;)
		for (i = 0; i < k; i++) {
			for (j = 0; j < k; j++)
				tmp[j] = logA[i * k + j] +
				    logb[(s + 1) * k + j] + lb[(s + 1) * k + j];
			lb[s * k + i] = tl_logsumexp(tmp, k);
		}
	free(tmp);
}

double
tl_hmm_posterior(const double *logpi, const double *logA,
    const double *logb, size_t t, size_t k, double *post)
{
	double *la, *lb, lp;
	size_t i;

	if (t == 0 || k == 0)
		return 0;
	la = tl_xcalloc(t * k, sizeof(double));
	lb = tl_xcalloc(t * k, sizeof(double));
	lp = tl_hmm_forward(logpi, logA, logb, t, k, la, NULL);
	tl_hmm_backward(logA, logb, t, k, lb);
	for (i = 0; i < t * k; i++)
		post[i] = exp(la[i] + lb[i] - lp);
	free(lb);
	free(la);
	return lp;
}

double
tl_hmm_viterbi(const double *logpi, const double *logA, const double *logb,
    size_t t, size_t k, size_t *path)
{
	double *d, v, best;
	size_t *back, s, i, j, arg;

	if (t == 0 || k == 0)
		return 0;
	d = tl_xcalloc(t * k, sizeof(double));
	back = tl_xcalloc(t * k, sizeof(size_t));
	for (j = 0; j < k; j++)
		d[j] = logpi[j] + logb[j];
	for (s = 1; s < t; s++)
		for (j = 0; j < k; j++) {
			best = -INFINITY;
			arg = 0;
			for (i = 0; i < k; i++) {
				v = d[(s - 1) * k + i] + logA[i * k + j];
				if (v > best) {	/* strict: the lower state */
					best = v;
					arg = i;
				}
			}
			d[s * k + j] = best + logb[s * k + j];
			back[s * k + j] = arg;
		}
	best = -INFINITY;
	arg = 0;
	for (j = 0; j < k; j++)
		if (d[(t - 1) * k + j] > best) {
			best = d[(t - 1) * k + j];
			arg = j;
		}
	path[t - 1] = arg;
	for (s = t - 1; s > 0; s--)
		path[s - 1] = back[s * k + path[s]];
	free(back);
	free(d);
	return best;
}
