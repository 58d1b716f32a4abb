/*
 * Log-space HMM recursions (no scaling constants to underflow):
 * log alpha_t(j) = logsumexp_i(log alpha_{t-1}(i) + log A_ij) + log b_j(x_t).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tl_hmm.h"
#include "tl_rng.h"
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

void
tl_ghmm_loglik(const struct tl_ghmm *m, const double *x, size_t t,
    double *logb)
{
	size_t s, j, d;
	double lb, z;

	for (s = 0; s < t; s++)
		for (j = 0; j < m->k; j++) {
			lb = 0;
			for (d = 0; d < m->dim; d++) {
				z = x[s * m->dim + d] - m->mean[j * m->dim + d];
				lb -= 0.5 * (log(2 * M_PI * m->var[j * m->dim +
				    d]) + z * z / m->var[j * m->dim + d]);
			}
			logb[s * m->k + j] = lb;
		}
}

static void
ghmm_alloc(struct tl_ghmm *m, size_t k, size_t dim)
{
	m->k = k;
	m->dim = dim;
	m->pi = tl_xcalloc(k, sizeof(double));
	m->A = tl_xcalloc(k * k, sizeof(double));
	m->mean = tl_xcalloc(k * dim, sizeof(double));
	m->var = tl_xcalloc(k * dim, sizeof(double));
}

void
tl_ghmm_release(struct tl_ghmm *m)
{
	free(m->pi);
	free(m->A);
	free(m->mean);
	free(m->var);
	memset(m, 0, sizeof(*m));
}

/* Log parameters and emissions of m, then the forward pass; la may be
 * NULL.  Returns log P(x). */
static double
ghmm_forward(const struct tl_ghmm *m, const double *x, size_t t,
    double *lpi, double *lA, double *logb, double *la)
{
	size_t i;

	for (i = 0; i < m->k; i++)
		lpi[i] = log(m->pi[i]);
	for (i = 0; i < m->k * m->k; i++)
		lA[i] = log(m->A[i]);
	tl_ghmm_loglik(m, x, t, logb);
	return tl_hmm_forward(lpi, lA, logb, t, m->k, la, NULL);
}

/* One EM run from m's current parameters.  Returns the final log P. */
static double
baum_welch(struct tl_ghmm *m, const double *x, size_t t, int max_iter,
    double tol, double min_var, int *iters)
{
	size_t k = m->k, dim = m->dim, s, i, j, d;
	double *logb, *la, *lb, *g, *xi, *gsum, *lpi, *lA, lp = -INFINITY;
	double prev = -INFINITY, v, z;
	int it;

	logb = tl_xcalloc(t * k, sizeof(double));
	la = tl_xcalloc(t * k, sizeof(double));
	lb = tl_xcalloc(t * k, sizeof(double));
	g = tl_xcalloc(t * k, sizeof(double));
	xi = tl_xcalloc(k * k, sizeof(double));
	gsum = tl_xcalloc(k, sizeof(double));
	lpi = tl_xcalloc(k, sizeof(double));
	lA = tl_xcalloc(k * k, sizeof(double));
	for (it = 0; it < max_iter; it++) {
		lp = ghmm_forward(m, x, t, lpi, lA, logb, la);
		tl_hmm_backward(lA, logb, t, k, lb);
		if (it > 0 && lp - prev < tol)
			break;
		prev = lp;
		for (i = 0; i < t * k; i++)
			g[i] = exp(la[i] + lb[i] - lp);
		memset(xi, 0, k * k * sizeof(double));
		memset(gsum, 0, k * sizeof(double));
		for (s = 0; s + 1 < t; s++)
			for (i = 0; i < k; i++) {
				gsum[i] += g[s * k + i];
				for (j = 0; j < k; j++)
					xi[i * k + j] += exp(la[s * k + i] +
					    lA[i * k + j] + logb[(s + 1) * k +
					    j] + lb[(s + 1) * k + j] - lp);
			}
		for (i = 0; i < k; i++) {
			m->pi[i] = g[i];
			for (j = 0; j < k; j++)
				m->A[i * k + j] = gsum[i] > 0 ?
				    xi[i * k + j] / gsum[i] : 1.0 / (double)k;
		}
		for (j = 0; j < k; j++) {
			double w = 0;

			for (s = 0; s < t; s++)
				w += g[s * k + j];
			for (d = 0; d < dim; d++) {
				v = 0;
				for (s = 0; s < t; s++)
					v += g[s * k + j] * x[s * dim + d];
				m->mean[j * dim + d] = w > 0 ? v / w :
				    m->mean[j * dim + d];
				v = 0;
				for (s = 0; s < t; s++) {
					z = x[s * dim + d] -
					    m->mean[j * dim + d];
					v += g[s * k + j] * z * z;
				}
				m->var[j * dim + d] = (w > 0 ? v / w : 1) +
				    min_var;
			}
		}
	}
	if (it == max_iter)	/* log P of the parameters returned */
		lp = ghmm_forward(m, x, t, lpi, lA, logb, NULL);
	*iters = it;
	free(lA);
	free(lpi);
	free(gsum);
	free(xi);
	free(g);
	free(lb);
	free(la);
	free(logb);
	return lp;
}

int
tl_ghmm_fit(struct tl_ghmm *m, const double *x, size_t t, size_t dim,
    size_t k, int restarts, unsigned long seed, int max_iter, double tol,
    double min_var)
{
	struct tl_ghmm cur;
	double *mu, *var, lp, best = -INFINITY;
	size_t i, j, d, *pick, *perm;
	int r, iters;
	gsl_rng *g;

	memset(m, 0, sizeof(*m));
	if (k == 0 || dim == 0 || t < 2 * k)
		return -1;
	mu = tl_xcalloc(dim, sizeof(double));
	var = tl_xcalloc(dim, sizeof(double));
	for (d = 0; d < dim; d++) {
		for (i = 0; i < t; i++)
			mu[d] += x[i * dim + d];
		mu[d] /= (double)t;
		for (i = 0; i < t; i++)
			var[d] += (x[i * dim + d] - mu[d]) *
			    (x[i * dim + d] - mu[d]);
		var[d] = var[d] / (double)t + min_var;
	}
	pick = tl_xcalloc(k, sizeof(size_t));
	g = tl_rng_alloc(seed, 0);
	ghmm_alloc(&cur, k, dim);
	for (r = 0; r < (restarts > 0 ? restarts : 1); r++) {
		for (i = 0; i < k; i++) {	/* k distinct observations */
			pick[i] = tl_rng_below(g, t);
			for (j = 0; j < i; j++)
				if (pick[j] == pick[i]) {
					i--;
					break;
				}
		}
		for (i = 0; i < k; i++) {
			cur.pi[i] = 1.0 / (double)k;
			for (j = 0; j < k; j++)
				cur.A[i * k + j] = i == j ? 0.9 : 0.1 /
				    (double)(k > 1 ? k - 1 : 1);
			for (d = 0; d < dim; d++) {
				cur.mean[i * dim + d] = x[pick[i] * dim + d];
				cur.var[i * dim + d] = var[d];
			}
		}
		if (k == 1)
			cur.A[0] = 1;
		lp = baum_welch(&cur, x, t, max_iter, tol, min_var, &iters);
		if (lp > best) {	/* ties: the earlier restart */
			best = lp;
			if (m->pi == NULL)
				ghmm_alloc(m, k, dim);
			memcpy(m->pi, cur.pi, k * sizeof(double));
			memcpy(m->A, cur.A, k * k * sizeof(double));
			memcpy(m->mean, cur.mean, k * dim * sizeof(double));
			memcpy(m->var, cur.var, k * dim * sizeof(double));
			m->loglik = lp;
			m->iters = iters;
		}
	}
	/* canonical labels: states by the mean of the first feature */
	perm = tl_xcalloc(k, sizeof(size_t));
	for (i = 0; i < k; i++)
		perm[i] = i;
	for (i = 1; i < k; i++)
		for (j = i; j > 0 && m->mean[perm[j - 1] * dim] >
		    m->mean[perm[j] * dim]; j--) {
			size_t tmp = perm[j];

			perm[j] = perm[j - 1];
			perm[j - 1] = tmp;
		}
	for (i = 0; i < k; i++) {
		cur.pi[i] = m->pi[perm[i]];
		for (j = 0; j < k; j++)
			cur.A[i * k + j] = m->A[perm[i] * k + perm[j]];
		for (d = 0; d < dim; d++) {
			cur.mean[i * dim + d] = m->mean[perm[i] * dim + d];
			cur.var[i * dim + d] = m->var[perm[i] * dim + d];
		}
	}
	memcpy(m->pi, cur.pi, k * sizeof(double));
	memcpy(m->A, cur.A, k * k * sizeof(double));
	memcpy(m->mean, cur.mean, k * dim * sizeof(double));
	memcpy(m->var, cur.var, k * dim * sizeof(double));
	free(perm);
	tl_ghmm_release(&cur);
	tl_rng_free(g);
	free(pick);
	free(var);
	free(mu);
	return 0;
}
