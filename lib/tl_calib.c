/*
 * Calibration: PAV isotonic regression, Platt scaling and the scores of
 * calibration.  Conventions follow scikit-learn where users compare with
 * it: ties in scores are pooled before PAV; uniform bin edges are those of
 * numpy.linspace (k * (1/m)) and a score on an edge goes to the lower bin
 * (searchsorted 'left'); quantile edges are numpy.percentile's (linear).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tl_calib.h"
#include "tl_util.h"

#define PLATT_MAX_ITER	100	/* Newton steps (Lin, Lin & Weng 2007) */
#define PLATT_MIN_STEP	1e-10	/* smallest line-search step */
#define PLATT_SIGMA	1e-12	/* added to the Hessian's diagonal */
#define PLATT_EPS	1e-5	/* gradient small enough to stop */
#define PLATT_XTOL	1e-9	/* a Newton step below this, relative to
				 * (1 + |a|, 1 + |b|), is working precision:
				 * when the line search cannot improve on it
				 * the fit has converged */
#define PLATT_DZ_EXACT	1	/* |change of a*s + b| below which a row's
				 * change of loss is computed without
				 * cancellation */

void
tl_pav(const double *y, const double *w, size_t n, double *out)
{
	double *sw, *sv;	/* block weight and weighted mean */
	size_t *len, nb = 0, i, j, k;

	if (n == 0)
		return;
	sw = tl_xcalloc(n, sizeof(*sw));
	sv = tl_xcalloc(n, sizeof(*sv));
	len = tl_xcalloc(n, sizeof(*len));
	for (i = 0; i < n; i++) {
		sw[nb] = w != NULL ? w[i] : 1;
		sv[nb] = y[i];
		len[nb++] = 1;
		/* merge backwards while the order is violated */
		while (nb > 1 && sv[nb - 2] > sv[nb - 1]) {
			sv[nb - 2] = (sw[nb - 2] * sv[nb - 2] +
			    sw[nb - 1] * sv[nb - 1]) / (sw[nb - 2] + sw[nb - 1]);
			sw[nb - 2] += sw[nb - 1];
			len[nb - 2] += len[nb - 1];
			nb--;
		}
	}
	for (i = 0, k = 0; i < nb; i++)
		for (j = 0; j < len[i]; j++)
			out[k++] = sv[i];
	free(len);
	free(sv);
	free(sw);
}

struct pair {
	double	s;		/* score */
	double	y;		/* outcome */
	size_t	i;		/* input position: a stable order */
};

static int
cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

int
tl_iso_fit(struct tl_iso *m, const double *score, const double *y, size_t n,
    struct tl_err *err)
{
	struct pair *p;
	double *gx, *gy, *gw, *fit;
	size_t i, j, ng = 0;

	memset(m, 0, sizeof(*m));
	if (n == 0)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0,
		    "no rows to fit");
	p = tl_xcalloc(n, sizeof(*p));
	for (i = 0; i < n; i++) {
		p[i].s = score[i];
		p[i].y = y[i];
		p[i].i = i;
	}
	qsort(p, n, sizeof(*p), cmp_pair);
	gx = tl_xcalloc(n, sizeof(*gx));
	gy = tl_xcalloc(n, sizeof(*gy));
	gw = tl_xcalloc(n, sizeof(*gw));
	for (i = 0; i < n; i = j) {	/* pool equal scores */
		double sum = 0;

		for (j = i; j < n && p[j].s == p[i].s; j++)
			sum += p[j].y;
		gx[ng] = p[i].s;
		gw[ng] = (double)(j - i);
		gy[ng++] = sum / (double)(j - i);
	}
	fit = tl_xcalloc(ng, sizeof(*fit));
	tl_pav(gy, gw, ng, fit);
	/* keep the first and last knot of each flat run: interpolation
	 * between the kept knots is the same */
	m->x = tl_xcalloc(ng, sizeof(double));
	m->y = tl_xcalloc(ng, sizeof(double));
	for (i = 0; i < ng; i++) {
		if (i > 0 && i + 1 < ng && fit[i - 1] == fit[i] &&
		    fit[i + 1] == fit[i])
			continue;
		m->x[m->n] = gx[i];
		m->y[m->n++] = fit[i];
	}
	free(fit);
	free(gw);
	free(gy);
	free(gx);
	free(p);
	return 0;
}

double
tl_iso_apply(const struct tl_iso *m, double s)
{
	size_t lo = 0, hi, mid;

	if (m->n == 0)
		return NAN;
	hi = m->n - 1;
	if (s <= m->x[0])
		return m->y[0];
	if (s >= m->x[hi])
		return m->y[hi];
	while (hi - lo > 1) {	/* x[lo] < s < x[hi] */
		mid = lo + (hi - lo) / 2;
		if (m->x[mid] <= s)
			lo = mid;
		else
			hi = mid;
	}
	if (s == m->x[lo])
		return m->y[lo];
	return m->y[lo] + (m->y[hi] - m->y[lo]) * (s - m->x[lo]) /
	    (m->x[hi] - m->x[lo]);
}

void
tl_iso_release(struct tl_iso *m)
{
	free(m->x);
	free(m->y);
	memset(m, 0, sizeof(*m));
}

/* The cross-entropy of one row against target t at z = a*s + b, written
 * so that exp never overflows: t log(1 + e^z) + (1 - t) log(1 + e^-z). */
static double
platt_loss(double t, double z)
{
	return z >= 0 ? t * z + log1p(exp(-z)) : (t - 1) * z + log1p(exp(z));
}

/* How much Platt's objective changes from (a, b) to (a + da, b + db).
 *
 * Not f(new) - f(old): on tens of thousands of rows f is a sum near
 * 10^4 whose rounding (an ulp of 2e-12, and n of them) hides the
 * decrease of the last Newton steps, so that an Armijo test on it fails
 * long before the gradient is small (a line search failure on a fit that
 * had converged).  Each row's change is computed directly instead:
 * log(1 + e^z') - log(1 + e^z) = log1p(sigma(z) expm1(z' - z)), exact to
 * a few ulps of the change itself; a row whose z moves by more than
 * PLATT_DZ_EXACT takes the plain difference, which has no cancellation
 * to speak of at that size. */
static double
platt_df(const double *s, const double *t, size_t n, double a, double b,
    double da, double db)
{
	double sum = 0, z, dz, q, p;
	size_t i;

	for (i = 0; i < n; i++) {
		z = s[i] * a + b;
		dz = s[i] * da + db;
		if (fabs(dz) >= PLATT_DZ_EXACT) {
			sum += platt_loss(t[i], z + dz) - platt_loss(t[i], z);
			continue;
		}
		q = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
		p = z >= 0 ? exp(-z) / (1 + exp(-z)) : 1 / (1 + exp(z));
		sum += t[i] * log1p(q * expm1(dz)) + (1 - t[i]) *
		    log1p(p * expm1(-dz));
	}
	return sum;
}

/* Newton's method with a backtracking line search on Platt's objective,
 * as Lin, Lin & Weng (2007), "A note on Platt's probabilistic outputs for
 * support vector machines", Algorithm 1 (LIBSVM's sigmoid_train): the
 * Hessian plus PLATT_SIGMA, the gradient test |g| < PLATT_EPS, halving
 * steps down to PLATT_MIN_STEP with the sufficient decrease 1e-4 step
 * g.d.  Two changes for large data: the decrease is platt_df(), not a
 * difference of two rounded sums; and where Algorithm 1 stops when the
 * step size falls below PLATT_MIN_STEP, we stop too and call it
 * converged when the Newton step was below working precision
 * (PLATT_XTOL), an error otherwise. */
int
tl_platt_fit(const double *s, const double *y, size_t n, double *a,
    double *b, struct tl_err *err)
{
	double np = 0, nn = 0, hi, lo, *t, g1, g2, h11, h21, h22;
	double z, p, q, d, det, da, db, step, gd;
	size_t i;
	int it;

	if (n == 0)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0,
		    "no rows to fit");
	for (i = 0; i < n; i++)
		*(y[i] > 0 ? &np : &nn) += 1;
	if (np == 0 || nn == 0)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "platt: all %zu "
		    "rows are %s: one class only", n, np == 0 ? "losses" :
		    "wins");
	hi = (np + 1) / (np + 2);
	lo = 1 / (nn + 2);
	t = tl_xcalloc(n, sizeof(*t));
	for (i = 0; i < n; i++)
		t[i] = y[i] > 0 ? hi : lo;
	*a = 0;
	*b = log((nn + 1) / (np + 1));
	for (it = 0; it < PLATT_MAX_ITER; it++) {
		g1 = g2 = h21 = 0;
		h11 = h22 = PLATT_SIGMA;
		for (i = 0; i < n; i++) {
			z = s[i] * *a + *b;
			if (z >= 0) {
				p = exp(-z) / (1 + exp(-z));
				q = 1 / (1 + exp(-z));
			} else {
				p = 1 / (1 + exp(z));
				q = exp(z) / (1 + exp(z));
			}
			d = p * q;
			h11 += s[i] * s[i] * d;
			h22 += d;
			h21 += s[i] * d;
			g1 += s[i] * (t[i] - p);
			g2 += t[i] - p;
		}
		if (fabs(g1) < PLATT_EPS && fabs(g2) < PLATT_EPS)
			break;
		det = h11 * h22 - h21 * h21;
		da = -(h22 * g1 - h21 * g2) / det;
		db = -(-h21 * g1 + h11 * g2) / det;
		gd = g1 * da + g2 * db;
		for (step = 1; step >= PLATT_MIN_STEP; step /= 2)
			if (platt_df(s, t, n, *a, *b, step * da, step * db) <
			    1e-4 * step * gd) {
				*a += step * da;
				*b += step * db;
				break;
			}
		if (step >= PLATT_MIN_STEP)
			continue;
		if (fabs(da) <= PLATT_XTOL * (1 + fabs(*a)) && fabs(db) <=
		    PLATT_XTOL * (1 + fabs(*b)))
			break;
		free(t);
		return tl_err_set(err, TL_EX_SOFTWARE, NULL, 0,
		    "platt: line search failed at step %d", it);
	}
	free(t);
	if (it == PLATT_MAX_ITER)
		return tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "platt: no "
		    "convergence after %d Newton steps", PLATT_MAX_ITER);
	return 0;
}

double
tl_platt_apply(double a, double b, double s)
{
	double z = a * s + b;

	return z >= 0 ? exp(-z) / (1 + exp(-z)) : 1 / (1 + exp(z));
}

double
tl_brier(const double *p, const double *y, size_t n)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += (p[i] - y[i]) * (p[i] - y[i]);
	return n > 0 ? sum / (double)n : NAN;
}

double
tl_logloss(const double *p, const double *y, size_t n)
{
	double sum = 0, q;
	size_t i;

	for (i = 0; i < n; i++) {
		q = fmin(fmax(p[i], TL_LOGLOSS_EPS), 1 - TL_LOGLOSS_EPS);
		sum -= y[i] > 0 ? log(q) : log1p(-q);
	}
	return n > 0 ? sum / (double)n : NAN;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* numpy.percentile, linear: sorted s[0..n), q in [0, 1]. */
static double
quantile(const double *s, size_t n, double q)
{
	double pos = q * (double)(n - 1), f;
	size_t lo = (size_t)floor(pos);

	if (lo + 1 >= n)
		return s[n - 1];
	f = pos - (double)lo;
	return s[lo] + f * (s[lo + 1] - s[lo]);
}

double
tl_reliability(const double *p, const double *y, size_t n, size_t m,
    enum tl_binning how, double z, struct tl_bin *bins)
{
	double *edge, *sorted, *sp, *sy, ece = 0, r, c, h, z2;
	size_t i, k, lo, hi, *cnt;

	edge = tl_xcalloc(m + 1, sizeof(*edge));
	if (how == TL_BINS_UNIFORM || n == 0) {
		for (k = 0; k <= m; k++)
			edge[k] = (double)k * (1.0 / (double)m);
		edge[m] = 1;
	} else {
		sorted = tl_xcalloc(n, sizeof(*sorted));
		memcpy(sorted, p, n * sizeof(*p));
		qsort(sorted, n, sizeof(*sorted), cmp_double);
		for (k = 0; k <= m; k++)
			edge[k] = quantile(sorted, n, (double)k *
			    (1.0 / (double)m));
		free(sorted);
	}
	sp = tl_xcalloc(m, sizeof(*sp));
	sy = tl_xcalloc(m, sizeof(*sy));
	cnt = tl_xcalloc(m, sizeof(*cnt));
	for (i = 0; i < n; i++) {
		/* k = number of interior edges strictly below p */
		lo = 0;
		hi = m - 1;
		while (lo < hi) {
			k = lo + (hi - lo) / 2;
			if (edge[k + 1] < p[i])
				lo = k + 1;
			else
				hi = k;
		}
		sp[lo] += p[i];
		sy[lo] += y[i] > 0;
		cnt[lo]++;
	}
	z2 = z * z;
	for (k = 0; k < m; k++) {
		struct tl_bin *bk = &bins[k];

		bk->lo = edge[k];
		bk->hi = edge[k + 1];
		bk->n = cnt[k];
		if (cnt[k] == 0) {
			bk->mean_p = bk->rate = bk->ci_lo = bk->ci_hi = NAN;
			continue;
		}
		bk->mean_p = sp[k] / (double)cnt[k];
		r = bk->rate = sy[k] / (double)cnt[k];
		/* Wilson score interval */
		c = (r + z2 / (2.0 * (double)cnt[k])) / (1 + z2 / (double)cnt[k]);
		h = z * sqrt(r * (1 - r) / (double)cnt[k] + z2 / (4.0 *
		    (double)cnt[k] * (double)cnt[k])) / (1 + z2 /
		    (double)cnt[k]);
		bk->ci_lo = fmax(0, c - h);
		bk->ci_hi = fmin(1, c + h);
		ece += (double)cnt[k] / (double)n * fabs(bk->rate - bk->mean_p);
	}
	free(cnt);
	free(sy);
	free(sp);
	free(edge);
	return n > 0 ? ece : NAN;
}
