/*
 * Covariance estimators and HRP.  Sizes here are strategies (tens to a few
 * thousand), so the linkage is the plain O(p^3) agglomeration: clear, and
 * its tie rule is easy to state.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tl_cov.h"
#include "tl_util.h"

/* x centred by column means, into a new t x p array. */
static double *
centred(const double *x, size_t t, size_t p)
{
	double *y, *mean;
	size_t i, j;

	y = tl_xcalloc(t * p, sizeof(double));
	mean = tl_xcalloc(p, sizeof(double));
	for (i = 0; i < t; i++)
		for (j = 0; j < p; j++)
			mean[j] += x[i * p + j];
	for (j = 0; j < p; j++)
		mean[j] /= (double)t;
	for (i = 0; i < t; i++)
		for (j = 0; j < p; j++)
			y[i * p + j] = x[i * p + j] - mean[j];
	free(mean);
	return y;
}

typedef double v2d __attribute__((vector_size(16)));

static inline v2d
load2(const double *p)
{
	v2d v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void
store2(double *p, v2d v)
{
	memcpy(p, &v, sizeof(v));
}

/* c[i][j..j+7] and c[i1][j..j+7] of the cross products of y (t x p):
 * sixteen sums, two lanes at a time, each adding its products in day
 * order from zero as the plain loop does (no fused multiply-add under
 * ISO C's FP_CONTRACT off), so the bits are the plain loop's. */
static void
cross_tile(const double *y, size_t t, size_t p, size_t i, size_t i1,
    size_t j, double *c)
{
	v2d a0 = { 0, 0 }, a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0,
	    b2 = a0, b3 = a0, u, v, r0, r1, r2, r3;
	const double *row;
	size_t k;

	for (k = 0, row = y; k < t; k++, row += p) {
		u = (v2d){ row[i], row[i] };
		v = (v2d){ row[i1], row[i1] };
		r0 = load2(row + j);
		r1 = load2(row + j + 2);
		r2 = load2(row + j + 4);
		r3 = load2(row + j + 6);
		a0 += u * r0;
		a1 += u * r1;
		a2 += u * r2;
		a3 += u * r3;
		b0 += v * r0;
		b1 += v * r1;
		b2 += v * r2;
		b3 += v * r3;
	}
	store2(c + i * p + j, a0);
	store2(c + i * p + j + 2, a1);
	store2(c + i * p + j + 4, a2);
	store2(c + i * p + j + 6, a3);
	store2(c + i1 * p + j, b0);
	store2(c + i1 * p + j + 2, b1);
	store2(c + i1 * p + j + 4, b2);
	store2(c + i1 * p + j + 6, b3);
}

void
tl_cov_cross(const double *x, size_t t, size_t p, double *c)
{
	double *y = centred(x, t, p), a, b;
	size_t i, i1, j, k;

	/* Row pairs against eight columns at a time, days row by row
	 * (contiguous); row i1 of a pair may reach one column left of the
	 * diagonal, which the mirroring below writes over with the same
	 * bits. */
	for (i = 0; i < p; i += 2) {
		i1 = i + 1 < p ? i + 1 : i;
		for (j = i; j + 8 <= p; j += 8)
			cross_tile(y, t, p, i, i1, j, c);
		for (; j < p; j++) {
			for (a = b = 0, k = 0; k < t; k++) {
				a += y[k * p + i] * y[k * p + j];
				b += y[k * p + i1] * y[k * p + j];
			}
			c[i * p + j] = a;
			c[i1 * p + j] = b;
		}
	}
	for (i = 0; i < p; i++)
		for (j = i + 1; j < p; j++)
			c[j * p + i] = c[i * p + j];
	free(y);
}

void
tl_cov_sample(const double *x, size_t t, size_t p, int ddof, double *s)
{
	size_t k;

	tl_cov_cross(x, t, p, s);
	for (k = 0; k < p * p; k++)
		s[k] /= (double)t - ddof;
}

/* The /t covariance: cross / t, or from x when cross is NULL. */
static double *
cov_t(const double *x, size_t t, size_t p, const double *cross)
{
	double *s = tl_xcalloc(p * p, sizeof(double));
	size_t k;

	if (cross == NULL)
		tl_cov_sample(x, t, p, 0, s);
	else
		for (k = 0; k < p * p; k++)
			s[k] = cross[k] / (double)t;
	return s;
}

double
tl_cov_lw_identity(const double *x, size_t t, size_t p, const double *cross,
    double *out)
{
	double *y, *s = cov_t(x, t, p, cross), m = 0, beta = 0, delta = 0, sq,
	    shrink;
	size_t i, j, k;

	y = centred(x, t, p);
	for (i = 0; i < p; i++)
		m += s[i * p + i];
	m /= (double)p;
	for (k = 0; k < t; k++) {	/* (1/t) sum_k (x_k' x_k)^2 */
		sq = 0;
		for (i = 0; i < p; i++)
			sq += y[k * p + i] * y[k * p + i];
		beta += sq * sq;
	}
	beta /= (double)t;
	for (i = 0; i < p; i++)
		for (j = 0; j < p; j++) {
			beta -= s[i * p + j] * s[i * p + j];
			delta += (s[i * p + j] - (i == j ? m : 0)) *
			    (s[i * p + j] - (i == j ? m : 0));
		}
	beta /= (double)t * (double)p;
	delta /= (double)p;
	beta = fmin(beta, delta);
	shrink = p == 1 || beta <= 0 ? 0 : beta / delta;
	if (out != NULL)
		for (i = 0; i < p; i++)
			for (j = 0; j < p; j++)
				out[i * p + j] = (1 - shrink) * s[i * p + j] +
				    (i == j ? shrink * m : 0);
	free(y);
	free(s);
	return shrink;
}

double
tl_cov_lw_constcorr(const double *x, size_t t, size_t p, const double *cross,
    double *out)
{
	double *y, *s = cov_t(x, t, p, cross), *sd, rbar = 0, pi = 0, rho = 0,
	    gamma = 0, f, v;
	double kappa, d, th, tt = (double)t;
	size_t i, j, k;

	sd = tl_xcalloc(p, sizeof(double));
	y = centred(x, t, p);
	for (i = 0; i < p; i++)
		sd[i] = sqrt(s[i * p + i]);
	for (i = 0; i < p; i++)
		for (j = 0; j < p; j++)
			if (i != j)
				rbar += s[i * p + j] / (sd[i] * sd[j]);
	rbar = p > 1 ? rbar / ((double)p * (double)(p - 1)) : 0;
	for (i = 0; i < p; i++)
		for (j = 0; j < p; j++) {
			v = 0;
			th = 0;
			for (k = 0; k < t; k++) {
				v += y[k * p + i] * y[k * p + i] *
				    y[k * p + j] * y[k * p + j];
				th += y[k * p + i] * y[k * p + i] *
				    y[k * p + i] * y[k * p + j];
			}
			v = v / tt - s[i * p + j] * s[i * p + j];
			pi += v;
			if (i == j)
				rho += v;
			else
				rho += rbar * (sd[j] / sd[i]) * (th / tt -
				    s[i * p + i] * s[i * p + j]);
			f = i == j ? s[i * p + i] : rbar * sd[i] * sd[j];
			gamma += (f - s[i * p + j]) * (f - s[i * p + j]);
		}
	kappa = gamma > 0 ? (pi - rho) / gamma : 0;
	d = fmax(0, fmin(1, kappa / tt));
	if (out != NULL)
		for (i = 0; i < p; i++)
			for (j = 0; j < p; j++) {
				f = i == j ? s[i * p + i] : rbar * sd[i] *
				    sd[j];
				out[i * p + j] = d * f + (1 - d) *
				    s[i * p + j];
			}
	free(y);
	free(sd);
	free(s);
	return d;
}

void
tl_cov_ewma(const double *x, size_t t, size_t p, double halflife,
    double *mean, double *s)
{
	double lambda = pow(2, -1 / halflife), *wt, *m, sw = 0, a;
	size_t i, j, k;

	wt = tl_xcalloc(t, sizeof(double));
	m = tl_xcalloc(p, sizeof(double));
	for (k = t; k-- > 0;) {	/* newest first: lambda^0, lambda^1, ... */
		wt[k] = k + 1 == t ? 1 : wt[k + 1] * lambda;
		sw += wt[k];
	}
	for (k = 0; k < t; k++)
		for (j = 0; j < p; j++)
			m[j] += wt[k] * x[k * p + j];
	for (j = 0; j < p; j++)
		m[j] /= sw;
	memset(s, 0, p * p * sizeof(double));
	for (k = 0; k < t; k++)
		for (i = 0; i < p; i++) {
			a = wt[k] * (x[k * p + i] - m[i]);
			for (j = i; j < p; j++)
				s[i * p + j] += a * (x[k * p + j] - m[j]);
		}
	for (i = 0; i < p; i++)
		for (j = i; j < p; j++)
			s[j * p + i] = s[i * p + j] /= sw;
	if (mean != NULL)
		memcpy(mean, m, p * sizeof(double));
	free(m);
	free(wt);
}

#define ERC_TOL		1e-15	/* relative change of y per sweep */
#define ERC_SWEEPS	100000

size_t
tl_erc(const double *c, size_t p, double *w)
{
	double *cy, a, y, b = 1 / (double)p, change, sum = 0;
	size_t i, j, sweep;

	cy = tl_xcalloc(p, sizeof(double));	/* (C w)_i */
	for (i = 0; i < p; i++)
		w[i] = 1 / sqrt(c[i * p + i]);
	for (i = 0; i < p; i++)
		for (j = 0; j < p; j++)
			cy[i] += c[i * p + j] * w[j];
	for (sweep = 1; sweep <= ERC_SWEEPS; sweep++) {
		change = 0;
		for (i = 0; i < p; i++) {
			/* c_ii y^2 + a y - b = 0, a = sum_{j != i} c_ij y_j */
			a = cy[i] - c[i * p + i] * w[i];
			y = (-a + sqrt(a * a + 4 * c[i * p + i] * b)) /
			    (2 * c[i * p + i]);
			change = fmax(change, fabs(y - w[i]) / y);
			for (j = 0; j < p; j++)
				cy[j] += c[j * p + i] * (y - w[i]);
			w[i] = y;
		}
		if (change < ERC_TOL)
			break;
	}
	for (i = 0; i < p; i++)
		sum += w[i];
	for (i = 0; i < p; i++)
		w[i] /= sum;
	free(cy);
	return sweep > ERC_SWEEPS ? 0 : sweep;
}

/* Variance of the inverse-variance portfolio of the assets in idx. */
static double
cluster_var(const double *c, size_t p, const size_t *idx, size_t n)
{
	double *w, sum = 0, v = 0;
	size_t i, j;

	w = tl_xcalloc(n, sizeof(double));
	for (i = 0; i < n; i++)
		sum += w[i] = 1 / c[idx[i] * p + idx[i]];
	for (i = 0; i < n; i++)
		w[i] /= sum;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			v += w[i] * w[j] * c[idx[i] * p + idx[j]];
	free(w);
	return v;
}

static void
bisect(const double *c, size_t p, const size_t *idx, size_t n, double *w)
{
	double v1, v2, a;
	size_t h = n / 2, i;

	if (n < 2)
		return;
	v1 = cluster_var(c, p, idx, h);
	v2 = cluster_var(c, p, idx + h, n - h);
	a = 1 - v1 / (v1 + v2);
	for (i = 0; i < h; i++)
		w[idx[i]] *= a;
	for (i = h; i < n; i++)
		w[idx[i]] *= 1 - a;
	bisect(c, p, idx, h, w);
	bisect(c, p, idx + h, n - h, w);
}

/* Leaves of cluster id in pre-order, left first. */
static void
leaves(const size_t *left, const size_t *right, size_t p, size_t id,
    size_t *out, size_t *n)
{
	if (id < p) {
		out[(*n)++] = id;
		return;
	}
	leaves(left, right, p, left[id - p], out, n);
	leaves(left, right, p, right[id - p], out, n);
}

void
tl_hrp(const double *c, size_t p, double *w, size_t *order)
{
	double *d, best, rho;
	size_t *id, *left, *right, *ord, nact = p, i, j, bi = 0, bj = 0, n;
	size_t a, b;

	if (p == 0)
		return;
	/* distances between active clusters, indexed by slot */
	d = tl_xcalloc(p * p, sizeof(double));
	id = tl_xcalloc(p, sizeof(size_t));
	left = tl_xcalloc(p, sizeof(size_t));
	right = tl_xcalloc(p, sizeof(size_t));
	ord = tl_xcalloc(p, sizeof(size_t));
	for (i = 0; i < p; i++) {
		id[i] = i;
		for (j = 0; j < p; j++) {
			rho = c[i * p + j] / sqrt(c[i * p + i] * c[j * p + j]);
			d[i * p + j] = sqrt(fmax(0, (1 - rho) / 2));
		}
	}
	for (n = 0; nact > 1; n++) {
		best = INFINITY;
		for (i = 0; i < nact; i++)
			for (j = i + 1; j < nact; j++) {
				double v = d[i * p + j];
				size_t lo = id[i] < id[j] ? id[i] : id[j];
				size_t hi = id[i] < id[j] ? id[j] : id[i];
				size_t blo = id[bi] < id[bj] ? id[bi] : id[bj];
				size_t bhi = id[bi] < id[bj] ? id[bj] : id[bi];

				if (v < best || (v == best && (lo < blo ||
				    (lo == blo && hi < bhi)))) {
					best = v;
					bi = i;
					bj = j;
				}
			}
		a = id[bi] < id[bj] ? id[bi] : id[bj];
		b = id[bi] < id[bj] ? id[bj] : id[bi];
		left[n] = a;
		right[n] = b;
		/* merged cluster in slot bi; single linkage: the minimum */
		for (j = 0; j < nact; j++)
			if (j != bi && j != bj)
				d[bi * p + j] = d[j * p + bi] =
				    fmin(d[bi * p + j], d[bj * p + j]);
		id[bi] = p + n;
		/* slot nact-1 moves into bj */
		nact--;
		if (bj != nact) {
			id[bj] = id[nact];
			for (j = 0; j <= nact; j++) {
				d[bj * p + j] = d[nact * p + j];
				d[j * p + bj] = d[j * p + nact];
			}
			d[bj * p + bj] = 0;
		}
	}
	n = 0;
	leaves(left, right, p, id[0], ord, &n);
	for (i = 0; i < p; i++)
		w[i] = 1;
	bisect(c, p, ord, p, w);
	if (order != NULL)
		memcpy(order, ord, p * sizeof(size_t));
	free(ord);
	free(right);
	free(left);
	free(id);
	free(d);
}
