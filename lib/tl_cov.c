/*
 * Covariance estimators and HRP.  Sizes here are strategies (tens to a few
 * thousand), so the linkage is the plain O(p^3) agglomeration: clear, and
 * its tie rule is easy to state.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>

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

/* ---- blocked products, the plain loop's bits ------------------------- */

/* The two big loops here, the cross products of the returns (O(p^2 t))
 * and the Cholesky test (O(p^3)), work on tiles of 4 x 4 entries over a
 * block of k (days, or columns of the factor) whose operands are packed
 * into panels that stay in cache: at a few thousand strategies the plain
 * loops stream the whole matrix from memory for every row.  Each entry
 * still takes its terms one at a time in increasing k, starting from
 * the value it held, and a block's result is stored and reloaded as a
 * double, so every entry has the bits of the plain loop (no fused
 * multiply-add under ISO C's FP_CONTRACT off). */
#define TILE		TL_COV_TILE	/* rows and columns of a tile */
#define CROSS_DAYS	128	/* days per block of the cross products */
#define CHOL_BLOCK	64	/* columns per block of the Cholesky test */

/* Pack a block for tile_add (tl_cov.h): entry (r, k) of a matrix is a[r rs + k ks];
 * rows r0..r1-1 and k = k0..k0+kc-1 go into panels of TILE rows, panel
 * q holding row r0 + TILE q + b at [q kc TILE + k TILE + b], rows past
 * r1 zero, each entry times sign (1 or -1: exact). */
void
tl_cov_pack(const double *a, size_t rs, size_t ks, size_t r0, size_t r1,
    size_t k0, size_t kc, double sign, double *pk)
{
	size_t r, k, np = (r1 - r0 + TILE - 1) / TILE;

	memset(pk, 0, np * kc * TILE * sizeof(double));
	for (k = 0; k < kc; k++)
		for (r = r0; r < r1; r++)
			pk[(r - r0) / TILE * kc * TILE + k * TILE +
			    (r - r0) % TILE] = sign * a[r * rs + (k0 + k) * ks];
}

/* c[a][b] += pi[k][a] * pj[k][b] for k = 0..kc-1 in order, a, b <
 * TILE: a tile of 4 rows of c (stride ldc), two lanes at a time. */
static void
tile_add(double *c, size_t ldc, const double *pi, const double *pj,
    size_t kc)
{
	v2d c00, c01, c10, c11, c20, c21, c30, c31, b0, b1, u;
	size_t k;

	c00 = load2(c), c01 = load2(c + 2);
	c10 = load2(c + ldc), c11 = load2(c + ldc + 2);
	c20 = load2(c + 2 * ldc), c21 = load2(c + 2 * ldc + 2);
	c30 = load2(c + 3 * ldc), c31 = load2(c + 3 * ldc + 2);
	for (k = 0; k < kc; k++, pi += TILE, pj += TILE) {
		b0 = load2(pj);
		b1 = load2(pj + 2);
		u = (v2d){ pi[0], pi[0] };
		c00 += u * b0;
		c01 += u * b1;
		u = (v2d){ pi[1], pi[1] };
		c10 += u * b0;
		c11 += u * b1;
		u = (v2d){ pi[2], pi[2] };
		c20 += u * b0;
		c21 += u * b1;
		u = (v2d){ pi[3], pi[3] };
		c30 += u * b0;
		c31 += u * b1;
	}
	store2(c, c00), store2(c + 2, c01);
	store2(c + ldc, c10), store2(c + ldc + 2, c11);
	store2(c + 2 * ldc, c20), store2(c + 2 * ldc + 2, c21);
	store2(c + 3 * ldc, c30), store2(c + 3 * ldc + 2, c31);
}

void
tl_cov_tile_add(double *c, size_t ldc, size_t nr, size_t nc,
    const double *pi, const double *pj, size_t kc)
{
	double t[TILE * TILE] = { 0 };
	size_t a, b;

	if (nr >= TILE && nc >= TILE) {
		tile_add(c, ldc, pi, pj, kc);
		return;
	}
	for (a = 0; a < nr; a++)
		for (b = 0; b < nc; b++)
			t[a * TILE + b] = c[a * ldc + b];
	tile_add(t, TILE, pi, pj, kc);
	for (a = 0; a < nr; a++)
		for (b = 0; b < nc; b++)
			c[a * ldc + b] = t[a * TILE + b];
}

/* tl_cov_tile_add on the tile of c (n x n, stride n) at rows i, columns
 * j, any part of which may lie past n. */
static void
tile_add_at(double *c, size_t n, size_t i, size_t j, const double *pi,
    const double *pj, size_t kc)
{
	tl_cov_tile_add(c + i * n + j, n, n - i < TILE ? n - i : TILE,
	    n - j < TILE ? n - j : TILE, pi, pj, kc);
}

void
tl_cov_cross(const double *x, size_t t, size_t p, double *c)
{
	double *y = centred(x, t, p), *pk;
	size_t np = (p + TILE - 1) / TILE, i, j, k0, kc, qi, qj;

	/* c from zero, blocks of days in order, the upper triangle by
	 * tiles (a diagonal tile's lower half has the bits of its mirror,
	 * which is written over it below) */
	pk = tl_xcalloc(np * CROSS_DAYS * TILE, sizeof(double));
	memset(c, 0, p * p * sizeof(double));
	for (k0 = 0; k0 < t; k0 += kc) {
		kc = t - k0 < CROSS_DAYS ? t - k0 : CROSS_DAYS;
		tl_cov_pack(y, 1, p, 0, p, k0, kc, 1, pk);
		for (qi = 0; qi < np; qi++)
			for (qj = qi; qj < np; qj++)
				tile_add_at(c, p, qi * TILE, qj * TILE,
				    pk + qi * kc * TILE, pk + qj * kc * TILE,
				    kc);
	}
	for (i = 0; i < p; i++)
		for (j = i + 1; j < p; j++)
			c[j * p + i] = c[i * p + j];
	free(pk);
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
	double *y, *own = NULL, m = 0, beta = 0, delta = 0, sq, shrink, s, d;
	double tt = (double)t;
	const double *cr = cross;
	size_t i, j, k;

	/* S = cross / t entry by entry, never copied whole (p^2 doubles:
	 * 200 MB at p = 5,000); the same bits as a copy */
	if (cr == NULL) {
		own = tl_xcalloc(p * p, sizeof(double));
		tl_cov_cross(x, t, p, own);
		cr = own;
	}
	y = centred(x, t, p);
	for (i = 0; i < p; i++)
		m += cr[i * p + i] / tt;
	m /= (double)p;
	for (k = 0; k < t; k++) {	/* (1/t) sum_k (x_k' x_k)^2 */
		sq = 0;
		for (i = 0; i < p; i++)
			sq += y[k * p + i] * y[k * p + i];
		beta += sq * sq;
	}
	beta /= tt;
	for (i = 0; i < p; i++)
		for (j = 0; j < p; j++) {
			s = cr[i * p + j] / tt;
			d = s - (i == j ? m : 0);
			beta -= s * s;
			delta += d * d;
		}
	beta /= tt * (double)p;
	delta /= (double)p;
	beta = fmin(beta, delta);
	shrink = p == 1 || beta <= 0 ? 0 : beta / delta;
	if (out != NULL)	/* out may be cross: each read before written */
		for (i = 0; i < p; i++)
			for (j = 0; j < p; j++)
				out[i * p + j] = (1 - shrink) * (cr[i * p + j] /
				    tt) + (i == j ? shrink * m : 0);
	free(y);
	free(own);
	return shrink;
}

double
tl_cov_lw_identity_floor(const double *out, size_t p, double shrink)
{
	double tr = 0, dmax = 0;
	size_t i;

	if (!(shrink > 0) || p == 0)
		return 0;
	for (i = 0; i < p; i++) {
		tr += out[i * p + i];
		dmax = fmax(dmax, out[i * p + i]);
	}
	return dmax > 0 ? shrink * (tr / (double)p) / dmax : 0;
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
#define ERC_FLOOR	1e-12	/* ... or the least change when it stalls:
				 * the incremental (C y)_i carry rounding
				 * that keeps the change near n 2^-53 (2.7e-14
				 * at n = 500), never below ERC_TOL */
#define ERC_STALL	50	/* sweeps without a new least change */

size_t
tl_erc(const double *c, size_t p, double *w)
{
	double *cy, a, y, b = 1 / (double)p, change, sum = 0, least = INFINITY;
	size_t i, j, sweep, stall = 0;

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
		/* converged as far as rounding allows: a limit cycle */
		stall = change < least ? 0 : stall + 1;
		least = fmin(least, change);
		if (stall >= ERC_STALL && least < ERC_FLOOR)
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

/* ---- gaps: pairwise estimates, shrinkage, repair ------------------------ */

/* Over the days on which both columns i and j of x (t x p, NaN missing)
 * have a value: their number, and the sum of the products of the
 * deviations from the pair's own means over those days.  With varhat not
 * NULL, also sum_k (w_k - wbar)^2, w_k the product on day k and wbar
 * their mean; with sq not NULL, the sums of the squared deviations of i
 * and of j over those days. */
static size_t
pair_sums(const double *x, size_t t, size_t p, size_t i, size_t j,
    double *s, double *varhat, double *sq)
{
	double mi = 0, mj = 0, a, b, w, wbar, v = 0;
	size_t k = 0, d;

	for (d = 0; d < t; d++) {
		a = x[d * p + i];
		b = x[d * p + j];
		if (!isnan(a) && !isnan(b)) {
			mi += a;
			mj += b;
			k++;
		}
	}
	*s = 0;
	if (k == 0)
		return 0;
	mi /= (double)k;
	mj /= (double)k;
	for (d = 0; d < t; d++) {
		a = x[d * p + i];
		b = x[d * p + j];
		if (!isnan(a) && !isnan(b)) {
			*s += (a - mi) * (b - mj);
			if (sq != NULL) {
				sq[0] += (a - mi) * (a - mi);
				sq[1] += (b - mj) * (b - mj);
			}
		}
	}
	if (varhat == NULL)
		return k;
	wbar = *s / (double)k;
	for (d = 0; d < t; d++) {
		a = x[d * p + i];
		b = x[d * p + j];
		if (!isnan(a) && !isnan(b)) {
			w = (a - mi) * (b - mj) - wbar;
			v += w * w;
		}
	}
	*varhat = v;
	return k;
}

void
tl_cov_pairwise(const double *x, size_t t, size_t p, double *cov,
    size_t *count)
{
	size_t i, j, k;
	double s;

	for (i = 0; i < p; i++)
		for (j = i; j < p; j++) {
			k = pair_sums(x, t, p, i, j, &s, NULL, NULL);
			cov[i * p + j] = cov[j * p + i] = k >= 2 ?
			    s / (double)(k - 1) : NAN;
			if (count != NULL)
				count[i * p + j] = count[j * p + i] = k;
		}
}

void
tl_cov_pairwise_corr(const double *x, size_t t, size_t p, double *corr)
{
	size_t i, j, k;
	double s, sq[2];

	for (i = 0; i < p; i++)
		for (j = i; j < p; j++) {
			sq[0] = sq[1] = 0;
			k = pair_sums(x, t, p, i, j, &s, NULL, sq);
			corr[i * p + j] = corr[j * p + i] = i == j ? 1 :
			    k >= 2 && sq[0] > 0 && sq[1] > 0 ? s / sqrt(sq[0] *
			    sq[1]) : NAN;
		}
}

double
tl_cov_pairwise_shrunk(const double *x, size_t t, size_t p, double *out,
    size_t *unmeasured)
{
	double *v = tl_xcalloc(p * p, sizeof(double)), s, vh, num = 0,
	    den = 0, lambda;
	size_t i, j, k, nu = 0;

	for (i = 0; i < p; i++)
		for (j = i; j < p; j++) {
			k = pair_sums(x, t, p, i, j, &s, &vh, NULL);
			if (k < 2) {	/* no estimate: NaN, the target */
				out[i * p + j] = out[j * p + i] = i == j ?
				    NAN : 0;
				v[i * p + j] = NAN;
				nu += i != j;
				continue;
			}
			/* s_ij (ddof 1) and Var(s_ij) = k / (k-1)^3
			 * sum (w - wbar)^2 (Schafer & Strimmer 2005, eq. 10
			 * with their unbiased empirical covariance) */
			out[i * p + j] = out[j * p + i] = s / (double)(k - 1);
			v[i * p + j] = (double)k * vh / ((double)(k - 1) *
			    (double)(k - 1) * (double)(k - 1));
			if (i != j) {
				num += v[i * p + j];
				den += out[i * p + j] * out[i * p + j];
			}
		}
	/* target D, "diagonal, unequal variance" (Schafer & Strimmer 2005,
	 * table 2): lambda = sum_{i != j} Var(s_ij) / sum_{i != j} s_ij^2
	 * over the measured pairs, in [0, 1] */
	if (p < 2)
		lambda = 0;
	else if (nu == p * (p - 1) / 2 || !(den > 0))
		lambda = 1;	/* nothing measured, or nothing to keep */
	else
		lambda = fmax(0, fmin(1, num / den));
	for (i = 0; i < p; i++)
		for (j = 0; j < p; j++)
			if (i != j)
				out[i * p + j] *= 1 - lambda;
	if (unmeasured != NULL)
		*unmeasured = nu;
	free(v);
	return lambda;
}

int
tl_cov_posdef_margin(const double *c, size_t n, double *margin)
{
	double *l, *neg, *pos, s, s1, s2, s3, v, lo = INFINITY;
	double *l0, *l1, *l2, *l3, *lj;
	size_t i, j, k, k0, kb, ke, np, qi, qj;
	int ok = 1;

	/* the lower triangle of c, overwritten by the factor */
	l = tl_xcalloc(n * n, sizeof(double));
	for (i = 0; i < n; i++)
		memcpy(l + i * n, c + i * n, (i + 1) * sizeof(double));
	np = (n + TILE - 1) / TILE;
	neg = tl_xcalloc(np * CHOL_BLOCK * TILE, sizeof(double));
	pos = tl_xcalloc(np * CHOL_BLOCK * TILE, sizeof(double));
	/* Right-looking by blocks of columns k0..ke-1: the block's columns
	 * (left-looking within the block, every row below), then the
	 * trailing lower triangle less the block's terms, so that entry
	 * (i, j) gets c_ij - l_i0 l_j0 - l_i1 l_j1 - ... in order, then
	 * the division by l_jj, as the plain loop */
	for (k0 = 0; k0 < n && ok; k0 = ke) {
		ke = n - k0 < CHOL_BLOCK ? n : k0 + CHOL_BLOCK;
		for (j = k0; j < ke; j++) {
			lj = l + j * n;
			s = lj[j];
			for (k = k0; k < j; k++)
				s -= lj[k] * lj[k];
			if (!(s > TL_COV_PIVOT * c[j * n + j])) {
				ok = 0;
				break;
			}
			lo = fmin(lo, s / c[j * n + j]);
			lj[j] = sqrt(s);
			/* four rows at a time, each sum in the same order,
			 * so that the four chains overlap */
			for (i = j + 1; i + 4 <= n; i += 4) {
				l0 = l + i * n;
				l1 = l0 + n;
				l2 = l1 + n;
				l3 = l2 + n;
				s = l0[j];
				s1 = l1[j];
				s2 = l2[j];
				s3 = l3[j];
				for (k = k0; k < j; k++) {
					v = lj[k];
					s -= l0[k] * v;
					s1 -= l1[k] * v;
					s2 -= l2[k] * v;
					s3 -= l3[k] * v;
				}
				l0[j] = s / lj[j];
				l1[j] = s1 / lj[j];
				l2[j] = s2 / lj[j];
				l3[j] = s3 / lj[j];
			}
			for (; i < n; i++) {
				l0 = l + i * n;
				s = l0[j];
				for (k = k0; k < j; k++)
					s -= l0[k] * lj[k];
				l0[j] = s / lj[j];
			}
		}
		if (!ok || ke == n)
			break;
		/* x - y is x + (-y), bit for bit: the terms enter as the
		 * products of the negated rows with the rows */
		kb = ke - k0;
		tl_cov_pack(l, n, 1, ke, n, k0, kb, -1, neg);
		tl_cov_pack(l, n, 1, ke, n, k0, kb, 1, pos);
		np = (n - ke + TILE - 1) / TILE;
		for (qi = 0; qi < np; qi++)
			for (qj = 0; qj <= qi; qj++)
				tile_add_at(l, n, ke + qi * TILE, ke + qj *
				    TILE, neg + qi * kb * TILE, pos + qj * kb *
				    TILE, kb);
	}
	if (margin != NULL)
		*margin = ok ? lo : 0;
	free(pos);
	free(neg);
	free(l);
	return ok;
}

int
tl_cov_posdef(const double *c, size_t n)
{
	return tl_cov_posdef_margin(c, n, NULL);
}

/* The projection onto { X : eigenvalues >= eigmin } of the symmetric r
 * (p x p) into x: the eigenvalues below eigmin raised to it.  a (p x p),
 * ev (p) and vec (p x p) are scratch, work GSL's workspace of p.  0, or
 * -1 if the eigensolver fails. */
static int
clip_eigen(const double *r, size_t p, double eigmin, double *x,
    gsl_eigen_symmv_workspace *work, double *a, double *ev, double *vec)
{
	gsl_matrix_view av = gsl_matrix_view_array(a, p, p);
	gsl_matrix_view vv = gsl_matrix_view_array(vec, p, p);
	gsl_vector_view evv = gsl_vector_view_array(ev, p);
	size_t i, j, k;
	double s;

	memcpy(a, r, p * p * sizeof(double));
	if (gsl_eigen_symmv(&av.matrix, &evv.vector, &vv.matrix, work) !=
	    GSL_SUCCESS)
		return -1;
	for (k = 0; k < p; k++)
		ev[k] = fmax(ev[k], eigmin);
	for (i = 0; i < p; i++)
		for (j = i; j < p; j++) {
			s = 0;
			for (k = 0; k < p; k++)
				s += vec[i * p + k] * ev[k] * vec[j * p + k];
			x[i * p + j] = x[j * p + i] = s;
		}
	return 0;
}

static double
frob(const double *a, const double *b, size_t n)
{
	double s = 0;
	size_t k;

	for (k = 0; k < n; k++)
		s += (a[k] - (b != NULL ? b[k] : 0)) * (a[k] - (b != NULL ?
		    b[k] : 0));
	return sqrt(s);
}

long
tl_cov_nearest_corr(double *a, size_t p, double eigmin, size_t maxiter,
    double tol)
{
	gsl_eigen_symmv_workspace *work;
	double *buf, *ds, *r, *x, *y, *xprev, *yprev, *sa, *ev, *vec, ny, d;
	size_t i, j, it, n = p * p;
	long rc = 0;

	if (p == 0)
		return 0;
	if ((work = gsl_eigen_symmv_alloc(p)) == NULL)
		return -1;
	/* eight p x p matrices and a vector, one allocation */
	buf = tl_xcalloc(8 * n + p, sizeof(double));
	ds = buf;
	r = ds + n;
	x = r + n;
	xprev = x + n;
	y = xprev + n;
	yprev = y + n;
	sa = yprev + n;
	vec = sa + n;
	ev = vec + n;
	memcpy(y, a, n * sizeof(double));
	/* Higham (2002), Algorithm 3.3 with W = I: Dykstra's correction ds
	 * makes the alternating projections onto the two convex sets
	 * (eigenvalues >= eigmin; unit diagonal) converge to the nearest
	 * point of their intersection, not to any point of it */
	for (it = 1; it <= maxiter; it++) {
		for (i = 0; i < n; i++)
			r[i] = y[i] - ds[i];
		memcpy(xprev, x, n * sizeof(double));
		if (clip_eigen(r, p, eigmin, x, work, sa, ev, vec) == -1) {
			rc = -1;
			goto out;
		}
		for (i = 0; i < n; i++)
			ds[i] = x[i] - r[i];
		memcpy(yprev, y, n * sizeof(double));
		memcpy(y, x, n * sizeof(double));
		for (i = 0; i < p; i++)
			y[i * p + i] = 1;
		/* Higham's test: the changes of X and Y and their distance,
		 * relative to Y */
		ny = frob(y, NULL, n);
		d = fmax(fmax(frob(x, xprev, n), frob(y, yprev, n)),
		    frob(y, x, n));
		if (it > 1 && d <= tol * ny) {
			rc = (long)it;
			break;
		}
	}
	/* X has its eigenvalues at eigmin or above; scaled to a unit
	 * diagonal (a congruence: still positive definite) */
	for (i = 0; i < p; i++)
		for (j = 0; j < p; j++)
			a[i * p + j] = x[i * p + j] / sqrt(x[i * p + i] *
			    x[j * p + j]);
out:
	free(buf);
	gsl_eigen_symmv_free(work);
	return rc;
}
