/*
 * Covariance estimators and hierarchical risk parity for the allocator:
 * the sample covariance, Ledoit-Wolf shrinkage toward the scaled identity
 * (Ledoit & Wolf 2004, JMVA; as scikit-learn) and toward constant
 * correlation (Ledoit & Wolf 2004, JPM; covCor.m), and HRP (Lopez de Prado
 * 2016) with single linkage on d_ij = sqrt((1 - rho_ij)/2), as
 * PyPortfolioOpt.  Matrices are row-major; returns are t x p (row = day).
 * The unit tests use a 12 x 3 return matrix against scikit-learn's
 * ledoit_wolf and the HRP weights of PyPortfolioOpt.
 */
#ifndef TL_COV_H
#define TL_COV_H

#include <stddef.h>

/* The cross products of the t x p matrix x centred by its column means,
 * sum_k (x_k - m)(x_k - m)', into c[p*p]: each entry summed in day order
 * from zero (the plain loop's bits), by cache blocks of days and tiles. */
void	tl_cov_cross(const double *x, size_t t, size_t p, double *c);

/* Sample covariance of the t x p matrix x, divided by t - ddof, into
 * s[p*p]: tl_cov_cross / (t - ddof). */
void	tl_cov_sample(const double *x, size_t t, size_t p, int ddof,
	    double *s);

/* Ledoit-Wolf toward m I, m = tr(S)/p, S the /t covariance: writes the
 * shrunk matrix to out (may be NULL) and returns the intensity in [0, 1].
 * cross is x's tl_cov_cross if the caller has it, or NULL. */
double	tl_cov_lw_identity(const double *x, size_t t, size_t p,
	    const double *cross, double *out);

/* A lower bound on the Cholesky pivots of the Ledoit-Wolf estimate out
 * (p x p, from tl_cov_lw_identity with intensity shrink) over their
 * diagonal entries: shrink m / max_j out_jj, m = tr(out)/p.  The estimate
 * is a positive semidefinite matrix plus shrink m I, so its eigenvalues
 * are at least shrink m, and a pivot (a Schur complement) is at least
 * the least eigenvalue; rounding moves the ratios by O(p t 2^-53).  0
 * when shrink is not positive. */
double	tl_cov_lw_identity_floor(const double *out, size_t p, double shrink);

/* Ledoit-Wolf toward the constant-correlation matrix (all /t): returns
 * delta* in [0, 1] and writes delta* F + (1 - delta*) S to out (may be
 * NULL).  cross as for tl_cov_lw_identity. */
double	tl_cov_lw_constcorr(const double *x, size_t t, size_t p,
	    const double *cross, double *out);

/* Exponentially weighted mean and covariance of x (t x p): day k has
 * weight lambda^(t-1-k), lambda = 2^(-1/halflife), so the last day
 * weighs 1 and a day halflife days older weighs 1/2.  mean[p] (may be
 * NULL) is the weighted mean; s[p*p] = sum_k w_k (x_k - m)(x_k - m)' /
 * sum_k w_k (no small-sample correction; as halflife grows it tends to
 * the /t sample covariance). */
void	tl_cov_ewma(const double *x, size_t t, size_t p, double halflife,
	    double *mean, double *s);

/* ---- gaps (NaN in x: a day without a value) ---- */

/* Pairwise-complete sample covariance of x (t x p, NaN missing), as
 * pandas' DataFrame.cov: entry (i, j) over the days both i and j have,
 * centred by the pair's own means over those days, divided by k - 1 (k
 * the days shared); the diagonal over each column's own days.  An entry
 * of fewer than 2 days is NaN.  count[p*p] (may be NULL) gets k.  The
 * matrix need not be positive definite. */
void	tl_cov_pairwise(const double *x, size_t t, size_t p, double *cov,
	    size_t *count);

/* Pearson's correlation of each pair over the days it shares (both
 * variances over those days too, so |r| <= 1, unlike the pairwise
 * covariance divided by the variances over each column's own days):
 * NaN for fewer than 2 shared days or a constant member; 1 on the
 * diagonal. */
void	tl_cov_pairwise_corr(const double *x, size_t t, size_t p,
	    double *corr);

/* The pairwise covariance shrunk toward its diagonal: target D
 * ("diagonal, unequal variance") of Schafer & Strimmer (2005), "A
 * shrinkage approach to large-scale covariance matrix estimation",
 * Stat. Appl. Genet. Mol. Biol. 4(1) art. 32, with each entry's variance
 * estimated from the days its pair shares:
 *	lambda = sum_{i != j} Var(s_ij) / sum_{i != j} s_ij^2, in [0, 1],
 *	Var(s_ij) = k / (k-1)^3 sum_d (w_d - wbar)^2,
 * w_d the product of the deviations on day d.  out = the diagonal s_ii
 * (NaN for a column of fewer than 2 days) and (1 - lambda) s_ij off it;
 * a pair sharing fewer than 2 days is at the target, 0, and counted in
 * *unmeasured (may be NULL).  Returns lambda (1 when no pair is
 * measured, 0 when p < 2).  out need not be positive definite. */
double	tl_cov_pairwise_shrunk(const double *x, size_t t, size_t p,
	    double *out, size_t *unmeasured);

/* ---- the kernels of the blocked products (also tl_qp's) ---- */

#define TL_COV_TILE	4	/* rows and columns of a tile */

/* Pack rows r0..r1-1, k = k0..k0+kc-1 of a matrix whose entry (r, k) is
 * a[r rs + k ks] into panels of TL_COV_TILE rows: panel q holds row r0 +
 * TL_COV_TILE q + b at [q kc TL_COV_TILE + k TL_COV_TILE + b], rows past
 * r1 zero, each entry times sign (1 or -1: exact).  pk: np kc
 * TL_COV_TILE doubles, np the panels. */
void	tl_cov_pack(const double *a, size_t rs, size_t ks, size_t r0,
	    size_t r1, size_t k0, size_t kc, double sign, double *pk);

/* c[a][b] += pi[k][a] pj[k][b] for k = 0..kc-1 in order (each entry
 * takes its terms one at a time from the value it held: the plain
 * loop's bits), on the tile of nr <= TL_COV_TILE rows (stride ldc) and
 * nc <= TL_COV_TILE columns at c; pi, pj: panels of tl_cov_pack. */
void	tl_cov_tile_add(double *c, size_t ldc, size_t nr, size_t nc,
	    const double *pi, const double *pj, size_t kc);

/* ---- checks and repair ---- */

#define TL_COV_PIVOT	1e-14	/* a Cholesky pivot below this times its
				 * diagonal entry: not positive definite */

/* Is c (p x p, symmetric) positive definite?  Cholesky without pivoting;
 * a pivot at or below TL_COV_PIVOT times its diagonal entry (or NaN)
 * says no.  Blocked (O(p^3), cache-friendly at thousands of
 * strategies), with the bits of the plain column-by-column loop. */
int	tl_cov_posdef(const double *c, size_t p);

/* tl_cov_posdef, and the margin by which it says yes into *margin (may
 * be NULL): the smallest pivot over its diagonal entry, min_j s_j /
 * c_jj, in (TL_COV_PIVOT, 1] when it says yes, 0 when it says no. */
int	tl_cov_posdef_margin(const double *c, size_t p, double *margin);

/* The correlation matrix nearest to a (p x p, symmetric, unit diagonal)
 * in the Frobenius norm among those whose eigenvalues are at least
 * eigmin: Higham (2002), "Computing the nearest correlation matrix - a
 * problem from finance", IMA J. Numer. Anal. 22:329-343, Algorithm 3.3
 * (alternating projections with Dykstra's correction, W = I), stopped
 * when the iterates change by at most tol relative to their norm, then
 * scaled to a unit diagonal.  Written over a.  Returns the iterations
 * (>= 2), 0 if maxiter ran out (a then holds the last iterate, positive
 * definite but not the nearest), or -1 if GSL's eigensolver failed (a
 * unchanged). */
long	tl_cov_nearest_corr(double *a, size_t p, double eigmin,
	    size_t maxiter, double tol);

/* Equal risk contribution (risk parity) weights of covariance c (p x p,
 * positive definite) to w[p]: long only, sum 1, w_i (Cw)_i equal for
 * all i.  Cyclical coordinate descent on 1/2 y'Cy - sum_i log(y_i)/p
 * (Griveau-Billion, Richard & Roncalli 2013), w = y / sum y, until a
 * sweep changes no y_i by more than 1e-15 relative, or the change stalls
 * below 1e-12 for 50 sweeps (the rounding floor, which grows with p).
 * Returns the sweeps used, or 0 if it did not converge (w then holds the
 * last iterate). */
size_t	tl_erc(const double *c, size_t p, double *w);

/* HRP weights of covariance c (p x p) to w[p] (long only, sum 1), and the
 * quasi-diagonal order to order[p] (may be NULL).  Ties in the linkage go
 * to the pair with the lower cluster ids; the lower id is the left
 * child. */
void	tl_hrp(const double *c, size_t p, double *w, size_t *order);

#endif
