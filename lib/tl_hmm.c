/*
 * Log-space HMM recursions (no scaling constants to underflow):
 * log alpha_t(j) = logsumexp_i(log alpha_{t-1}(i) + log A_ij) + log b_j(x_t).
 * Baum-Welch for Gaussian emissions (diagonal or full covariance) uses the
 * scaled recursions instead (no exp() in the inner loops: ten times
 * faster), with the log-space pass as the fallback.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tl_err.h"
#include "tl_hmm.h"
#include "tl_json.h"
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

/* Below this a scaling constant is taken to have underflowed: the E-step
 * is redone in log space. */
#define SCALE_MIN	1e-280
/* k-means seeding: Lloyd steps after k-means++. */
#define LLOYD_STEPS	10
/* EM iterations of every restart before the most promising go on. */
#define SHORT_EM	10
/* Tolerance of tl_ghmm_check() on sums of probabilities. */
#define PROB_TOL	1e-6

static const double LOG_2PI = 1.8378770664093454836;

void
tl_ghmm_init(struct tl_ghmm *m, size_t k, size_t dim,
    enum tl_ghmm_cov cov_type)
{
	memset(m, 0, sizeof(*m));
	m->k = k;
	m->dim = dim;
	m->cov_type = cov_type;
	m->pi = tl_xcalloc(k, sizeof(double));
	m->A = tl_xcalloc(k * k, sizeof(double));
	m->mean = tl_xcalloc(k * dim, sizeof(double));
	m->var = tl_xcalloc(k * dim, sizeof(double));
	if (cov_type == TL_GHMM_FULL)
		m->cov = tl_xcalloc(k * dim * dim, sizeof(double));
}

void
tl_ghmm_release(struct tl_ghmm *m)
{
	free(m->pi);
	free(m->A);
	free(m->mean);
	free(m->var);
	free(m->cov);
	memset(m, 0, sizeof(*m));
}

static void
ghmm_copy(struct tl_ghmm *dst, const struct tl_ghmm *src)
{
	size_t k = src->k, dim = src->dim;

	memcpy(dst->pi, src->pi, k * sizeof(double));
	memcpy(dst->A, src->A, k * k * sizeof(double));
	memcpy(dst->mean, src->mean, k * dim * sizeof(double));
	memcpy(dst->var, src->var, k * dim * sizeof(double));
	if (src->cov != NULL)
		memcpy(dst->cov, src->cov, k * dim * dim * sizeof(double));
	dst->loglik = src->loglik;
	dst->iters = src->iters;
	dst->converged = src->converged;
}

/* Lower Cholesky factor L of the n x n matrix a (L L' = a) into l, and
 * log det a.  Returns 0, or -1 if a is not positive definite. */
static int
cholesky(const double *a, size_t n, double *l, double *logdet)
{
	size_t i, j, p;
	double s;

	*logdet = 0;
	memset(l, 0, n * n * sizeof(double));
	for (j = 0; j < n; j++) {
		s = a[j * n + j];
		for (p = 0; p < j; p++)
			s -= l[j * n + p] * l[j * n + p];
		if (!(s > 0) || !isfinite(s))
			return -1;
		l[j * n + j] = sqrt(s);
		*logdet += log(s);
		for (i = j + 1; i < n; i++) {
			s = a[i * n + j];
			for (p = 0; p < j; p++)
				s -= l[i * n + p] * l[j * n + p];
			l[i * n + j] = s / l[j * n + j];
		}
	}
	return 0;
}

void
tl_ghmm_loglik(const struct tl_ghmm *m, const double *x, size_t t,
    double *logb)
{
	size_t k = m->k, dim = m->dim, s, j, d, p;
	double *c, *l = NULL, *iv = NULL, *z, lb, q, v;

	c = tl_xcalloc(k, sizeof(double));
	z = tl_xcalloc(dim, sizeof(double));
	if (m->cov_type == TL_GHMM_FULL)
		l = tl_xcalloc(k * dim * dim, sizeof(double));
	else {		/* 1 / variance: no division per row */
		iv = tl_xcalloc(k * dim, sizeof(double));
		for (j = 0; j < k * dim; j++)
			iv[j] = 1 / m->var[j];
	}
	/* c_j = -(dim log 2 pi + log det Sigma_j) / 2 */
	for (j = 0; j < k; j++) {
		if (l != NULL) {
			if (cholesky(m->cov + j * dim * dim, dim,
			    l + j * dim * dim, &v) == -1)
				v = INFINITY;
		} else
			for (v = 0, d = 0; d < dim; d++)
				v += m->var[j * dim + d] > 0 ?
				    log(m->var[j * dim + d]) : INFINITY;
		c[j] = -0.5 * ((double)dim * LOG_2PI + v);
	}
	for (s = 0; s < t; s++)
		for (j = 0; j < k; j++) {
			const double *mu = m->mean + j * dim;
			const double *xs = x + s * dim;

			q = 0;
			if (l == NULL)
				for (d = 0; d < dim; d++) {
					v = xs[d] - mu[d];
					q += v * v * iv[j * dim + d];
				}
			else if (isfinite(c[j])) {
				const double *lj = l + j * dim * dim;

				/* |L^-1 (x - mu)|^2 by forward substitution */
				for (d = 0; d < dim; d++) {
					v = xs[d] - mu[d];
					for (p = 0; p < d; p++)
						v -= lj[d * dim + p] * z[p];
					z[d] = v / lj[d * dim + d];
					q += z[d] * z[d];
				}
			}
			lb = c[j] - 0.5 * q;
			logb[s * k + j] = isfinite(c[j]) ? lb : -INFINITY;
		}
	free(iv);
	free(l);
	free(z);
	free(c);
}

int
tl_ghmm_check(const struct tl_ghmm *m, struct tl_err *err)
{
	size_t k = m->k, dim = m->dim, i, j;
	double sum, ld, *l;
	int rc = 0;

	for (sum = 0, i = 0; i < k; i++) {
		if (!(m->pi[i] >= 0 && m->pi[i] <= 1 + PROB_TOL))
			return tl_err_set(err, TL_EX_DATAERR, NULL, 0,
			    "initial probability of state %zu is not in "
			    "[0, 1]", i);
		sum += m->pi[i];
	}
	if (fabs(sum - 1) > PROB_TOL)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "initial "
		    "probabilities sum to %.9g, not 1", sum);
	for (i = 0; i < k; i++) {
		for (sum = 0, j = 0; j < k; j++) {
			if (!(m->A[i * k + j] >= 0 && m->A[i * k + j] <= 1 +
			    PROB_TOL))
				return tl_err_set(err, TL_EX_DATAERR, NULL, 0,
				    "transition %zu -> %zu is not in [0, 1]",
				    i, j);
			sum += m->A[i * k + j];
		}
		if (fabs(sum - 1) > PROB_TOL)
			return tl_err_set(err, TL_EX_DATAERR, NULL, 0,
			    "transitions from state %zu sum to %.9g, not 1",
			    i, sum);
		for (j = 0; j < dim; j++) {
			if (!isfinite(m->mean[i * dim + j]))
				return tl_err_set(err, TL_EX_DATAERR, NULL, 0,
				    "mean %zu of state %zu is not finite", j,
				    i);
			if (!(m->var[i * dim + j] > 0) ||
			    !isfinite(m->var[i * dim + j]))
				return tl_err_set(err, TL_EX_DATAERR, NULL, 0,
				    "variance %zu of state %zu is not "
				    "positive", j, i);
		}
	}
	if (m->cov_type != TL_GHMM_FULL)
		return 0;
	l = tl_xcalloc(dim * dim, sizeof(double));
	for (i = 0; i < k && rc == 0; i++) {
		const double *c = m->cov + i * dim * dim;
		size_t a, b;

		for (a = 0; a < dim && rc == 0; a++)
			for (b = 0; b < a && rc == 0; b++)
				if (c[a * dim + b] != c[b * dim + a])
					rc = tl_err_set(err, TL_EX_DATAERR,
					    NULL, 0, "covariance of state %zu "
					    "is not symmetric", i);
		if (rc == 0 && cholesky(c, dim, l, &ld) == -1)
			rc = tl_err_set(err, TL_EX_DATAERR, NULL, 0,
			    "covariance of state %zu is not positive "
			    "definite", i);
	}
	free(l);
	return rc;
}

/* log pi and log A of m. */
static void
log_params(const struct tl_ghmm *m, double *lpi, double *lA)
{
	size_t i;

	for (i = 0; i < m->k; i++)
		lpi[i] = log(m->pi[i]);
	for (i = 0; i < m->k * m->k; i++)
		lA[i] = log(m->A[i]);
}

double
tl_ghmm_decode(const struct tl_ghmm *m, const double *x, size_t t,
    double *filt, size_t *path)
{
	double *lpi, *lA, *logb, lp;

	lpi = tl_xcalloc(m->k, sizeof(double));
	lA = tl_xcalloc(m->k * m->k, sizeof(double));
	logb = tl_xcalloc(t * m->k + 1, sizeof(double));
	log_params(m, lpi, lA);
	tl_ghmm_loglik(m, x, t, logb);
	lp = tl_hmm_forward(lpi, lA, logb, t, m->k, NULL, filt);
	if (path != NULL)
		tl_hmm_viterbi(lpi, lA, logb, t, m->k, path);
	free(logb);
	free(lA);
	free(lpi);
	return lp;
}

size_t
tl_ghmm_nparams(size_t k, size_t dim, enum tl_ghmm_cov cov_type)
{
	return k - 1 + k * (k - 1) + k * dim + (cov_type == TL_GHMM_FULL ?
	    k * dim * (dim + 1) / 2 : k * dim);
}

/* ---- Baum-Welch ------------------------------------------------------ */

/* Workspace of one EM run: allocated once per fit. */
struct em {
	const double	*x;		/* t x dim standardised rows */
	size_t		 t, k, dim;
	double		*logb;		/* t x k log emissions */
	double		*b;		/* t x k emissions / their row max */
	double		*shift;		/* t row maxima of logb */
	double		*alpha;		/* t x k scaled forward */
	double		*beta;		/* t x k scaled backward */
	double		*c;		/* t inverse scaling constants */
	double		*g;		/* t x k posteriors gamma */
	double		*xi;		/* k x k expected transitions */
	double		*la, *lb;	/* t x k log-space fallback */
	double		*lpi, *lA;	/* log parameters */
	double		*tmp;		/* k scratch */
	double		*tmp2;		/* k scratch */
	double		*acc;		/* k x dim x dim sums */
	int		 fallbacks;	/* E-steps done in log space */
};

static void
em_alloc(struct em *w, const double *x, size_t t, size_t k, size_t dim)
{
	memset(w, 0, sizeof(*w));
	w->x = x;
	w->t = t;
	w->k = k;
	w->dim = dim;
	w->logb = tl_xcalloc(t * k, sizeof(double));
	w->b = tl_xcalloc(t * k, sizeof(double));
	w->shift = tl_xcalloc(t, sizeof(double));
	w->alpha = tl_xcalloc(t * k, sizeof(double));
	w->beta = tl_xcalloc(t * k, sizeof(double));
	w->c = tl_xcalloc(t, sizeof(double));
	w->g = tl_xcalloc(t * k, sizeof(double));
	w->xi = tl_xcalloc(k * k, sizeof(double));
	w->lpi = tl_xcalloc(k, sizeof(double));
	w->lA = tl_xcalloc(k * k, sizeof(double));
	w->tmp = tl_xcalloc(k, sizeof(double));
	w->tmp2 = tl_xcalloc(k, sizeof(double));
	w->acc = tl_xcalloc(k * dim * dim, sizeof(double));
}

static void
em_free(struct em *w)
{
	free(w->logb);
	free(w->b);
	free(w->shift);
	free(w->alpha);
	free(w->beta);
	free(w->c);
	free(w->g);
	free(w->xi);
	free(w->la);
	free(w->lb);
	free(w->lpi);
	free(w->lA);
	free(w->tmp);
	free(w->tmp2);
	free(w->acc);
}

/* E-step in log space: gamma and xi of m.  Returns log P. */
static double
estep_log(struct em *w, const struct tl_ghmm *m)
{
	size_t t = w->t, k = w->k, s, i, j;
	double lp;

	if (w->la == NULL) {
		w->la = tl_xcalloc(t * k, sizeof(double));
		w->lb = tl_xcalloc(t * k, sizeof(double));
	}
	w->fallbacks++;
	log_params(m, w->lpi, w->lA);
	lp = tl_hmm_forward(w->lpi, w->lA, w->logb, t, k, w->la, NULL);
	tl_hmm_backward(w->lA, w->logb, t, k, w->lb);
	for (i = 0; i < t * k; i++)
		w->g[i] = exp(w->la[i] + w->lb[i] - lp);
	memset(w->xi, 0, k * k * sizeof(double));
	for (s = 0; s + 1 < t; s++)
		for (i = 0; i < k; i++)
			for (j = 0; j < k; j++)
				w->xi[i * k + j] += exp(w->la[s * k + i] +
				    w->lA[i * k + j] + w->logb[(s + 1) * k +
				    j] + w->lb[(s + 1) * k + j] - lp);
	return lp;
}

/* E-step: posteriors gamma to w->g and expected transition counts to
 * w->xi under m.  Returns log P(x | m). */
static double
estep(struct em *w, const struct tl_ghmm *m)
{
	size_t t = w->t, k = w->k, s, i, j;
	double *a, *bt, *tmp = w->tmp, mx, sum, lp = 0, prod = 1;

	tl_ghmm_loglik(m, w->x, t, w->logb);
	for (s = 0; s < t; s++) {
		mx = -INFINITY;
		for (j = 0; j < k; j++)
			if (w->logb[s * k + j] > mx)
				mx = w->logb[s * k + j];
		if (!isfinite(mx))
			return estep_log(w, m);
		w->shift[s] = mx;
		for (j = 0; j < k; j++)
			w->b[s * k + j] = exp(w->logb[s * k + j] - mx);
	}
	/* forward: alpha_t = (alpha_{t-1} A) .* b_t / c_t; log P is the
	 * sum of the log c_t, taken from a running product every few
	 * steps (a log per row costs as much as the recursion) */
	for (s = 0; s < t; s++) {
		a = w->alpha + s * k;
		for (j = 0; j < k; j++) {
			if (s == 0)
				sum = m->pi[j];
			else
				for (sum = 0, i = 0; i < k; i++)
					sum += a[i - k] * m->A[i * k + j];
			a[j] = sum * w->b[s * k + j];
		}
		for (sum = 0, j = 0; j < k; j++)
			sum += a[j];
		if (!(sum > SCALE_MIN))
			return estep_log(w, m);
		w->c[s] = 1 / sum;
		for (j = 0; j < k; j++)
			a[j] *= w->c[s];
		prod *= sum;
		if (prod < 1e-100 || prod > 1e100) {
			lp += log(prod);
			prod = 1;
		}
		lp += w->shift[s];
	}
	lp += log(prod);
	/* backward: beta_t = A (b_{t+1} .* beta_{t+1}) / c_{t+1}; xi
	 * accumulates alpha_t(i) b_{t+1}(j) beta_{t+1}(j) / c_{t+1}, times
	 * A_ij at the end */
	memset(w->xi, 0, k * k * sizeof(double));
	for (j = 0; j < k; j++)
		w->beta[(t - 1) * k + j] = 1;
	for (s = t - 1; s-- > 0;) {
		bt = w->beta + (s + 1) * k;
		for (j = 0; j < k; j++)
			tmp[j] = w->b[(s + 1) * k + j] * bt[j] * w->c[s + 1];
		for (i = 0; i < k; i++) {
			a = w->alpha + s * k;
			for (sum = 0, j = 0; j < k; j++) {
				sum += m->A[i * k + j] * tmp[j];
				w->xi[i * k + j] += a[i] * tmp[j];
			}
			w->beta[s * k + i] = sum;
		}
	}
	for (i = 0; i < k * k; i++)
		w->xi[i] *= m->A[i];
	for (i = 0; i < t * k; i++)
		w->g[i] = w->alpha[i] * w->beta[i];
	return lp;
}

/* M-step: m from w->g and w->xi; min_var added to every variance.  The
 * sums run row by row over all states at once (the rows are read twice,
 * not 2k times). */
static void
mstep(struct em *w, struct tl_ghmm *m, double min_var)
{
	size_t t = w->t, k = w->k, dim = w->dim, s, i, j, a, b;
	const double *x = w->x, *xs, *gr;
	double sum, gs, *mu, *acc, *wt = w->tmp2;
	int full = m->cov != NULL;

	for (i = 0; i < k; i++) {
		m->pi[i] = w->g[i];
		for (sum = 0, j = 0; j < k; j++)
			sum += w->xi[i * k + j];
		for (j = 0; j < k; j++)
			m->A[i * k + j] = sum > 0 ? w->xi[i * k + j] / sum :
			    1.0 / (double)k;
	}
	memset(wt, 0, k * sizeof(double));
	memset(w->acc, 0, k * dim * sizeof(double));
	for (s = 0; s < t; s++) {
		xs = x + s * dim;
		gr = w->g + s * k;
		for (j = 0; j < k; j++) {
			wt[j] += gs = gr[j];
			for (a = 0; a < dim; a++)
				w->acc[j * dim + a] += gs * xs[a];
		}
	}
	for (j = 0; j < k; j++)	/* an empty state keeps its mean */
		if (wt[j] > 0)
			for (a = 0; a < dim; a++)
				m->mean[j * dim + a] = w->acc[j * dim + a] /
				    wt[j];
	memset(w->acc, 0, k * dim * dim * sizeof(double));
	for (s = 0; s < t; s++) {
		xs = x + s * dim;
		gr = w->g + s * k;
		for (j = 0; j < k; j++) {
			mu = m->mean + j * dim;
			acc = w->acc + j * dim * dim;
			gs = gr[j];
			if (!full)
				for (a = 0; a < dim; a++)
					acc[a] += gs * (xs[a] - mu[a]) *
					    (xs[a] - mu[a]);
			else
				for (a = 0; a < dim; a++)
					for (b = 0; b <= a; b++)
						acc[a * dim + b] += gs *
						    (xs[a] - mu[a]) *
						    (xs[b] - mu[b]);
		}
	}
	/* an empty state gets unit (standardised) variances */
	for (j = 0; j < k; j++) {
		acc = w->acc + j * dim * dim;
		if (!full) {
			for (a = 0; a < dim; a++)
				m->var[j * dim + a] = (wt[j] > 0 ? acc[a] /
				    wt[j] : 1) + min_var;
			continue;
		}
		for (a = 0; a < dim; a++)
			for (b = 0; b <= a; b++) {
				sum = wt[j] > 0 ? acc[a * dim + b] / wt[j] :
				    a == b;
				sum += a == b ? min_var : 0;
				m->cov[(j * dim + a) * dim + b] = sum;
				m->cov[(j * dim + b) * dim + a] = sum;
			}
		for (a = 0; a < dim; a++)
			m->var[j * dim + a] = m->cov[(j * dim + a) * dim + a];
	}
}

/* One restart's EM run, resumable. */
struct run {
	struct tl_ghmm	 m;		/* current parameters */
	int		 it;		/* M-steps done */
	double		 prev;		/* log P before the last M-step */
	double		 lp;		/* log P of the last E-step */
	int		 done;		/* converged, at max_iter or dropped */
	int		 dropped;	/* could not catch up with the best */
};

/* EM steps on r until it converges, reaches o->max_iter or `until`
 * M-steps, or (best finite) cannot reach best even if it kept gaining
 * its last gain at every step left to o->max_iter.  When done and not
 * dropped, r->m.loglik is log P of r->m's parameters. */
static void
em_run(struct em *w, struct run *r, const struct tl_ghmm_opts *o, int until,
    double best)
{
	double lp;

	while (!r->done && r->it < until && r->it < o->max_iter) {
		lp = estep(w, &r->m);
		if (r->it > 0 && lp - r->prev < o->tol) {
			r->m.converged = r->done = 1;
			r->lp = lp;
			break;
		}
		if (r->it > 0 && isfinite(best) && !(lp + (lp - r->prev) *
		    (o->max_iter - r->it) >= best)) {
			r->dropped = r->done = 1;
			break;
		}
		r->prev = r->lp = lp;
		mstep(w, &r->m, o->min_var);
		r->it++;
	}
	if (!r->done && r->it == o->max_iter) {
		r->lp = estep(w, &r->m);
		r->done = 1;
	}
	r->m.iters = r->it;
	r->m.loglik = r->lp;
}

/* Means of m seeded, on the standardised rows, by k-means (k-means++ and
 * a few Lloyd steps) when kmeans is nonzero, else at k distinct random
 * rows (neither wins on every series: k-means starts from the clusters
 * of all features together, which can split a volatile regime by its
 * returns); unit covariances, uniform pi, sticky A. */
static void
seed_params(struct tl_ghmm *m, const double *x, size_t t, gsl_rng *g,
    int kmeans, double *d2, size_t *lab, double *cnt)
{
	size_t k = m->k, dim = m->dim, s, i, j, a, pick;
	double sum, u, v, e;
	int step;

	if (!kmeans) {
		for (i = 0; i < k; i++) {	/* k distinct rows */
			lab[i] = tl_rng_below(g, t);
			for (j = 0; j < i; j++)
				if (lab[j] == lab[i]) {
					i--;
					break;
				}
		}
		for (i = 0; i < k; i++)
			memcpy(m->mean + i * dim, x + lab[i] * dim,
			    dim * sizeof(double));
		goto rest;
	}
	pick = tl_rng_below(g, t);
	memcpy(m->mean, x + pick * dim, dim * sizeof(double));
	for (s = 0; s < t; s++)
		d2[s] = INFINITY;
	for (i = 1; i < k; i++) {
		for (sum = 0, s = 0; s < t; s++) {
			for (e = 0, a = 0; a < dim; a++) {
				v = x[s * dim + a] - m->mean[(i - 1) * dim + a];
				e += v * v;
			}
			if (e < d2[s])
				d2[s] = e;
			sum += d2[s];
		}
		/* a row with probability d2 / sum; all zero: any row */
		u = tl_rng_uniform(g) * sum;
		pick = sum > 0 ? t - 1 : tl_rng_below(g, t);
		for (s = 0; sum > 0 && s < t; s++)
			if ((u -= d2[s]) < 0 && d2[s] > 0) {
				pick = s;
				break;
			}
		memcpy(m->mean + i * dim, x + pick * dim,
		    dim * sizeof(double));
	}
	for (step = 0; step < LLOYD_STEPS; step++) {
		for (s = 0; s < t; s++) {
			lab[s] = 0;
			for (u = INFINITY, i = 0; i < k; i++) {
				for (e = 0, a = 0; a < dim; a++) {
					v = x[s * dim + a] - m->mean[i * dim +
					    a];
					e += v * v;
				}
				if (e < u) {
					u = e;
					lab[s] = i;
				}
			}
		}
		memset(cnt, 0, k * sizeof(double));
		for (s = 0; s < t; s++)
			cnt[lab[s]]++;
		for (i = 0; i < k; i++)
			if (cnt[i] > 0)
				memset(m->mean + i * dim, 0,
				    dim * sizeof(double));
		for (s = 0; s < t; s++)
			for (a = 0; a < dim; a++)
				m->mean[lab[s] * dim + a] += x[s * dim + a] /
				    cnt[lab[s]];
	}
rest:
	for (i = 0; i < k; i++) {
		m->pi[i] = 1.0 / (double)k;
		for (j = 0; j < k; j++)
			m->A[i * k + j] = k == 1 ? 1 : i == j ? 0.9 :
			    0.1 / (double)(k - 1);
		for (a = 0; a < dim; a++) {
			m->var[i * dim + a] = 1;
			if (m->cov != NULL)
				for (j = 0; j < dim; j++)
					m->cov[(i * dim + a) * dim + j] =
					    a == j ? 1 : 0;
		}
	}
}

/* Is state i before state j: by feature o->order, then the others. */
static int
state_before(const struct tl_ghmm *m, const struct tl_ghmm_opts *o,
    size_t i, size_t j)
{
	size_t d, f;
	double a, b;

	for (d = 0; d < m->dim; d++) {
		f = d == 0 ? o->order : d <= o->order ? d - 1 : d;
		a = m->mean[i * m->dim + f];
		b = m->mean[j * m->dim + f];
		if (a != b)
			return o->order_desc ? a > b : a < b;
	}
	return i < j;
}

/* Put the states of m in canonical order; tmp has m's shape. */
static void
canonical_order(struct tl_ghmm *m, struct tl_ghmm *tmp,
    const struct tl_ghmm_opts *o)
{
	size_t k = m->k, dim = m->dim, i, j, sw, *perm;

	perm = tl_xcalloc(k, sizeof(size_t));
	for (i = 0; i < k; i++)
		perm[i] = i;
	for (i = 1; i < k; i++)
		for (j = i; j > 0 && state_before(m, o, perm[j],
		    perm[j - 1]); j--) {
			sw = perm[j];
			perm[j] = perm[j - 1];
			perm[j - 1] = sw;
		}
	ghmm_copy(tmp, m);
	for (i = 0; i < k; i++) {
		m->pi[i] = tmp->pi[perm[i]];
		for (j = 0; j < k; j++)
			m->A[i * k + j] = tmp->A[perm[i] * k + perm[j]];
		memcpy(m->mean + i * dim, tmp->mean + perm[i] * dim,
		    dim * sizeof(double));
		memcpy(m->var + i * dim, tmp->var + perm[i] * dim,
		    dim * sizeof(double));
		if (m->cov != NULL)
			memcpy(m->cov + i * dim * dim, tmp->cov + perm[i] *
			    dim * dim, dim * dim * sizeof(double));
	}
	free(perm);
}

int
tl_ghmm_train(struct tl_ghmm *m, const double *x, size_t t, size_t dim,
    const struct tl_ghmm_opts *o, struct tl_err *err)
{
	struct tl_ghmm cur, best;
	struct run *runs;
	struct em w;
	double *z, *mu, *sd, *d2, *cnt;
	size_t k = o->k, i, j, a, b, *lab, *order, bestr = 0;
	int r, found = 0;
	gsl_rng *g;

	memset(m, 0, sizeof(*m));
	if (k == 0 || dim == 0 || o->restarts < 1 || o->max_iter < 1 ||
	    !(o->min_var > 0) || o->order >= dim)
		return tl_err_set(err, TL_EX_USAGE, NULL, 0, "bad HMM options: "
		    "%zu states, %zu features, %d restarts, %d iterations",
		    k, dim, o->restarts, o->max_iter);
	if (t < 2 * k)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "%zu rows are "
		    "too few for %zu states (at least %zu)", t, k, 2 * k);
	mu = tl_xcalloc(dim, sizeof(double));
	sd = tl_xcalloc(dim, sizeof(double));
	for (i = 0; i < t * dim; i++)
		if (!isfinite(x[i])) {
			free(sd);
			free(mu);
			return tl_err_set(err, TL_EX_DATAERR, NULL, 0,
			    "row %zu, feature %zu: not a finite number",
			    i / dim + 1, i % dim + 1);
		}
	for (a = 0; a < dim; a++) {
		for (i = 0; i < t; i++)
			mu[a] += x[i * dim + a];
		mu[a] /= (double)t;
		for (i = 0; i < t; i++)
			sd[a] += (x[i * dim + a] - mu[a]) *
			    (x[i * dim + a] - mu[a]);
		sd[a] = sqrt(sd[a] / (double)t);
		/* constant up to rounding: nothing to learn from it */
		if (!(sd[a] > 1e-12 * fabs(mu[a])) || sd[a] == 0) {
			free(sd);
			free(mu);
			return tl_err_set(err, TL_EX_DATAERR, NULL, 0,
			    "feature %zu is constant", a + 1);
		}
	}
	z = tl_xcalloc(t * dim, sizeof(double));
	for (i = 0; i < t; i++)
		for (a = 0; a < dim; a++)
			z[i * dim + a] = (x[i * dim + a] - mu[a]) / sd[a];
	d2 = tl_xcalloc(t, sizeof(double));
	lab = tl_xcalloc(t, sizeof(size_t));
	cnt = tl_xcalloc(k, sizeof(double));
	tl_ghmm_init(&cur, k, dim, o->cov_type);
	tl_ghmm_init(&best, k, dim, o->cov_type);
	em_alloc(&w, z, t, k, dim);
	/* short runs of every restart, then the most promising first to
	 * convergence, so that a restart crawling towards a poor optimum
	 * can be dropped early (Biernacki, Celeux & Govaert 2003) */
	runs = tl_xcalloc((size_t)o->restarts, sizeof(*runs));
	order = tl_xcalloc((size_t)o->restarts, sizeof(*order));
	for (r = 0; r < o->restarts; r++) {
		/* one stream per restart: restart r is the same whatever
		 * the number of restarts */
		tl_ghmm_init(&runs[r].m, k, dim, o->cov_type);
		g = tl_rng_alloc(o->seed, (uint64_t)r + 1);
		seed_params(&runs[r].m, z, t, g, r % 2 == 0, d2, lab, cnt);
		tl_rng_free(g);
		runs[r].lp = -INFINITY;
		em_run(&w, &runs[r], o, SHORT_EM, -INFINITY);
		order[r] = (size_t)r;
	}
	for (i = 1; i < (size_t)o->restarts; i++)	/* by log P, stable */
		for (j = i; j > 0 && runs[order[j]].lp > runs[order[j -
		    1]].lp; j--) {
			size_t sw = order[j];

			order[j] = order[j - 1];
			order[j - 1] = sw;
		}
	for (i = 0; i < (size_t)o->restarts; i++) {
		struct run *ru = &runs[order[i]];

		em_run(&w, ru, o, o->max_iter, found ? best.loglik :
		    -INFINITY);
		if (!ru->dropped && isfinite(ru->lp) && (!found ||
		    ru->lp > best.loglik || (ru->lp == best.loglik &&
		    order[i] < bestr))) {	/* ties: the earlier */
			ghmm_copy(&best, &ru->m);
			bestr = order[i];
			found = 1;
		}
	}
	for (r = 0; r < o->restarts; r++)
		tl_ghmm_release(&runs[r].m);
	free(order);
	free(runs);
	em_free(&w);
	free(cnt);
	free(lab);
	free(d2);
	free(z);
	if (!found) {
		tl_ghmm_release(&best);
		tl_ghmm_release(&cur);
		free(sd);
		free(mu);
		return tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "no restart "
		    "reached a finite likelihood");
	}
	/* back to the data's units */
	for (j = 0; j < k; j++)
		for (a = 0; a < dim; a++) {
			best.mean[j * dim + a] = best.mean[j * dim + a] *
			    sd[a] + mu[a];
			best.var[j * dim + a] *= sd[a] * sd[a];
			if (best.cov != NULL)
				for (b = 0; b < dim; b++)
					best.cov[(j * dim + a) * dim + b] *=
					    sd[a] * sd[b];
		}
	canonical_order(&best, &cur, o);
	best.loglik = tl_ghmm_decode(&best, x, t, NULL, NULL);
	tl_ghmm_release(&cur);
	free(sd);
	free(mu);
	*m = best;
	return 0;
}

int
tl_ghmm_fit(struct tl_ghmm *m, const double *x, size_t t, size_t dim,
    size_t k, int restarts, unsigned long seed, int max_iter, double tol,
    double min_var)
{
	struct tl_ghmm_opts o = { .k = k, .cov_type = TL_GHMM_DIAG,
	    .restarts = restarts, .seed = seed, .max_iter = max_iter,
	    .tol = tol, .min_var = min_var, .order = 0, .order_desc = 0 };

	return tl_ghmm_train(m, x, t, dim, &o, NULL);
}

double
tl_ghmm_aic(const struct tl_ghmm *m)
{
	return 2 * (double)tl_ghmm_nparams(m->k, m->dim, m->cov_type) -
	    2 * m->loglik;
}

double
tl_ghmm_bic(const struct tl_ghmm *m, size_t n)
{
	return (double)tl_ghmm_nparams(m->k, m->dim, m->cov_type) *
	    log((double)n) - 2 * m->loglik;
}

/* ---- tl-regime's model file ------------------------------------------ */

static const char *const cov_names[] = { "diag", "full" };

void
tl_regime_model_release(struct tl_regime_model *m)
{
	tl_free_strings(m->feat, m->h.dim);
	tl_free_strings(m->labels, m->h.k);
	free(m->date);
	free(m->first);
	free(m->last);
	json_decref(m->options);
	json_decref(m->selection);
	tl_ghmm_release(&m->h);
	memset(m, 0, sizeof(*m));
}

static json_t *
name_array(char *const *names, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(names[i]));
	return a;
}

static json_t *
opt_string(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

json_t *
tl_regime_model_json(const struct tl_regime_model *m)
{
	const struct tl_ghmm *h = &m->h;
	size_t k = h->k, dim = h->dim, i, a, b;
	json_t *v, *A, *mu, *cov, *c, *row, *dur;

	A = json_array();
	mu = json_array();
	cov = json_array();
	dur = json_array();
	for (i = 0; i < k; i++) {
		json_array_append_new(A, tl_json_num_array(h->A + i * k, k));
		json_array_append_new(mu, tl_json_num_array(h->mean + i * dim,
		    dim));
		c = json_array();
		for (a = 0; a < dim; a++) {
			row = json_array();
			for (b = 0; b < dim; b++)
				json_array_append_new(row, h->cov != NULL ?
				    tl_json_num(h->cov[(i * dim + a) * dim +
				    b]) : json_real(a == b ? h->var[i * dim +
				    a] : 0));
			json_array_append_new(c, row);
		}
		json_array_append_new(cov, c);
		/* expected days in a state: 1 / (1 - A_ii) */
		json_array_append_new(dur, h->A[i * k + i] < 1 ?
		    tl_json_num(1 / (1 - h->A[i * k + i])) : json_null());
	}
	v = json_pack("{s:s,s:i,s:I,s:o,s:s,s:o,s:s}", "format",
	    TL_REGIME_FORMAT, "version", TL_REGIME_VERSION, "k",
	    (json_int_t)k, "features", name_array(m->feat, dim), "date",
	    m->date, "labels", name_array(m->labels, k), "cov",
	    cov_names[h->cov_type]);
	json_object_set_new(v, "initial", tl_json_num_array(h->pi, k));
	json_object_set_new(v, "transition", A);
	json_object_set_new(v, "means", mu);
	json_object_set_new(v, "covariances", cov);
	json_object_set_new(v, "expected_duration", dur);
	json_object_set_new(v, "rows", json_integer((json_int_t)m->rows));
	json_object_set_new(v, "first", opt_string(m->first));
	json_object_set_new(v, "last", opt_string(m->last));
	json_object_set_new(v, "loglik", tl_json_num(h->loglik));
	json_object_set_new(v, "parameters", json_integer((json_int_t)
	    tl_ghmm_nparams(k, dim, h->cov_type)));
	json_object_set_new(v, "aic", tl_json_num(tl_ghmm_aic(h)));
	json_object_set_new(v, "bic", tl_json_num(tl_ghmm_bic(h, m->rows)));
	json_object_set_new(v, "iterations", json_integer(h->iters));
	json_object_set_new(v, "converged", json_boolean(h->converged));
	json_object_set_new(v, "options", m->options != NULL ?
	    json_incref(m->options) : json_object());
	if (m->selection != NULL)
		json_object_set(v, "selection", m->selection);
	return v;
}

/* The n strings of array a into new *out: distinct, not empty, as
 * --features and --labels take them.  -1 with err naming what. */
static int
load_names(const json_t *a, size_t n, char ***out, const char *path,
    const char *what, struct tl_err *err)
{
	const char *s;
	size_t i, j;

	*out = tl_xcalloc(n, sizeof(char *));
	for (i = 0; i < n; i++) {
		s = json_string_value(json_array_get(a, i));
		if (s == NULL || *s == '\0')
			return tl_err_set(err, TL_EX_DATAERR, path, 0, "%s: "
			    "expected non-empty strings", what);
		for (j = 0; j < i; j++)
			if (strcmp(s, (*out)[j]) == 0)
				return tl_err_set(err, TL_EX_DATAERR, path, 0,
				    "%s: '%s' twice", what, s);
		(*out)[i] = tl_xstrdup(s);
	}
	return 0;
}

/* Is v an array of n numbers?  Then into x. */
static int
get_numbers(const json_t *v, double *x, size_t n)
{
	size_t i;

	if (!json_is_array(v) || json_array_size(v) != n)
		return -1;
	for (i = 0; i < n; i++) {
		if (!json_is_number(json_array_get(v, i)))
			return -1;
		x[i] = json_number_value(json_array_get(v, i));
	}
	return 0;
}

/* Is a an array of k arrays of n numbers?  Then into x (k * n). */
static int
get_matrix(const json_t *a, double *x, size_t k, size_t n)
{
	size_t i;

	if (!json_is_array(a) || json_array_size(a) != k)
		return -1;
	for (i = 0; i < k; i++)
		if (get_numbers(json_array_get(a, i), x + i * n, n) == -1)
			return -1;
	return 0;
}

/* The covariances: k matrices dim x dim, their diagonals to h->var and,
 * full, all to h->cov; diagonal ones must be zero off the diagonal. */
static int
load_cov(struct tl_ghmm *h, const json_t *v, const char *path,
    struct tl_err *err)
{
	const json_t *c = json_object_get(v, "covariances");
	size_t k = h->k, dim = h->dim, i, a, b;
	double *mat;
	int rc = 0, shape;

	mat = tl_xcalloc(dim * dim, sizeof(double));
	shape = json_is_array(c) && json_array_size(c) == k;
	for (i = 0; i < k && shape && rc == 0; i++) {
		if (get_matrix(json_array_get(c, i), mat, dim, dim) == -1) {
			shape = 0;
			break;
		}
		for (a = 0; a < dim; a++) {
			h->var[i * dim + a] = mat[a * dim + a];
			for (b = 0; b < dim && h->cov_type == TL_GHMM_DIAG &&
			    rc == 0; b++)
				if (a != b && mat[a * dim + b] != 0)
					rc = tl_err_set(err, TL_EX_DATAERR,
					    path, 0, "covariance of state %zu: "
					    "a diagonal model has 0 off the "
					    "diagonal", i);
		}
		if (h->cov != NULL)
			memcpy(h->cov + i * dim * dim, mat, dim * dim *
			    sizeof(double));
	}
	free(mat);
	if (!shape)
		rc = tl_err_set(err, TL_EX_DATAERR, path, 0, "covariances: "
		    "expected %zu matrices %zu x %zu", k, dim, dim);
	return rc;
}

/* rows, first, last, loglik, iterations, converged, options, selection:
 * what the file says of the fit. */
static int
load_fit(struct tl_regime_model *m, const json_t *v, const char *path,
    struct tl_err *err)
{
	const json_t *x;

	x = json_object_get(v, "rows");
	if (!json_is_integer(x) || json_integer_value(x) < 1)
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "rows: expected "
		    "an integer >= 1");
	m->rows = (size_t)json_integer_value(x);
	if (json_is_string(json_object_get(v, "first")))
		m->first = tl_xstrdup(json_string_value(json_object_get(v,
		    "first")));
	if (json_is_string(json_object_get(v, "last")))
		m->last = tl_xstrdup(json_string_value(json_object_get(v,
		    "last")));
	x = json_object_get(v, "loglik");
	m->h.loglik = json_is_number(x) ? json_number_value(x) : NAN;
	x = json_object_get(v, "iterations");
	if (!json_is_integer(x) || json_integer_value(x) < 0 ||
	    json_integer_value(x) > INT_MAX)
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "iterations: "
		    "expected an integer >= 0");
	m->h.iters = (int)json_integer_value(x);
	m->h.converged = json_is_true(json_object_get(v, "converged"));
	x = json_object_get(v, "options");
	m->options = json_is_object(x) ? json_incref((json_t *)x) :
	    json_object();
	x = json_object_get(v, "selection");
	m->selection = json_is_array(x) ? json_incref((json_t *)x) : NULL;
	return 0;
}

int
tl_regime_model_load(struct tl_regime_model *m, const char *path,
    struct tl_err *err)
{
	static const struct tl_format fmt = { TL_REGIME_FORMAT, 1,
	    TL_REGIME_VERSION };
	const json_t *f, *l;
	const char *cov, *date;
	json_int_t k;
	size_t dim, c;
	json_t *v;
	int version, rc = -1;

	memset(m, 0, sizeof(*m));
	if ((v = tl_json_load_versioned(path, NULL, 0, &fmt, &version,
	    err)) == NULL)
		return -1;
	k = json_is_integer(json_object_get(v, "k")) ? json_integer_value(
	    json_object_get(v, "k")) : 0;
	f = json_object_get(v, "features");
	l = json_object_get(v, "labels");
	dim = json_array_size(f);
	cov = json_string_value(json_object_get(v, "cov"));
	date = json_string_value(json_object_get(v, "date"));
	for (c = 0; cov != NULL && c < TL_NELEM(cov_names); c++)
		if (strcmp(cov, cov_names[c]) == 0)
			break;
	if (k < 1 || k > TL_REGIME_MAX_STATES || dim < 1 || dim >
	    TL_REGIME_MAX_FEATURES || !json_is_array(l) ||
	    json_array_size(l) != (size_t)k || cov == NULL ||
	    c == TL_NELEM(cov_names) || date == NULL || *date == '\0') {
		tl_err_set(err, TL_EX_DATAERR, path, 0, "a model needs k "
		    "(1-%d), features (1-%d), labels (k names), cov (diag or "
		    "full) and date", TL_REGIME_MAX_STATES,
		    TL_REGIME_MAX_FEATURES);
		goto out;
	}
	tl_ghmm_init(&m->h, (size_t)k, dim, (enum tl_ghmm_cov)c);
	m->date = tl_xstrdup(date);
	if (load_names(f, dim, &m->feat, path, "features", err) == -1 ||
	    load_names(l, (size_t)k, &m->labels, path, "labels", err) == -1)
		goto out;
	if (get_numbers(json_object_get(v, "initial"), m->h.pi,
	    (size_t)k) == -1) {
		tl_err_set(err, TL_EX_DATAERR, path, 0, "initial: expected %"
		    JSON_INTEGER_FORMAT " numbers", k);
		goto out;
	}
	if (get_matrix(json_object_get(v, "transition"), m->h.A, (size_t)k,
	    (size_t)k) == -1) {
		tl_err_set(err, TL_EX_DATAERR, path, 0, "transition: expected "
		    "a %" JSON_INTEGER_FORMAT " x %" JSON_INTEGER_FORMAT
		    " matrix", k, k);
		goto out;
	}
	if (get_matrix(json_object_get(v, "means"), m->h.mean, (size_t)k,
	    dim) == -1) {
		tl_err_set(err, TL_EX_DATAERR, path, 0, "means: expected a %"
		    JSON_INTEGER_FORMAT " x %zu matrix", k, dim);
		goto out;
	}
	if (load_cov(&m->h, v, path, err) == -1 || load_fit(m, v, path,
	    err) == -1)
		goto out;
	if (tl_ghmm_check(&m->h, err) == -1) {
		tl_err_set(err, TL_EX_DATAERR, path, 0, "%s", err->msg);
		goto out;
	}
	rc = 0;
out:
	json_decref(v);
	if (rc == -1)
		tl_regime_model_release(m);
	return rc;
}
