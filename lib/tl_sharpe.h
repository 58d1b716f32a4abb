/*
 * The statistics of a Sharpe ratio under selection and non-normality:
 * probabilistic Sharpe ratio and minimum track record length (Bailey &
 * Lopez de Prado 2012), the expected maximum of N standard normals and
 * the deflated Sharpe ratio (Bailey & Lopez de Prado 2014), minimum
 * backtest length (Bailey, Borwein, Lopez de Prado & Zhu 2014).  Sharpe
 * ratios are per period (not annualised); kurtosis is non-excess (3 for a
 * normal).  The unit tests use the papers' own examples (PSR, DSR 0.9004
 * of the 2014 paper's section 5) and pypbo's tests.
 */
#ifndef TL_SHARPE_H
#define TL_SHARPE_H

#include <stddef.h>

#define TL_EULER_GAMMA	0.5772156649015329	/* Euler-Mascheroni */

/* Moments of x[0..n): mean, standard deviation (n - 1), skewness and
 * non-excess kurtosis (population moments, as scipy.stats with bias=True),
 * and the Sharpe ratio mean/sd.  NaN where undefined (n < 2, sd 0); a
 * constant series (n >= 2) has sd exactly 0 and NaN for the rest. */
struct tl_moments {
	size_t	n;		/* observations */
	double	mean;		/* arithmetic mean */
	double	sd;		/* standard deviation, n - 1 */
	double	skew;		/* gamma3 */
	double	kurt;		/* gamma4, non-excess */
	double	sharpe;		/* mean / sd, per period */
};

void	tl_moments(const double *x, size_t n, struct tl_moments *m);

/* PSR(sr*) = Phi((sr - sr*) sqrt(t - 1) / sqrt(1 - g3 sr + (g4 - 1)/4
 * sr^2)), the moment term evaluated at the observed sr (paper form).
 * NaN if t < 2 or the term under the root is not positive. */
double	tl_psr(double sr, double sr_star, double t, double g3, double g4);

/* Observations needed for PSR(sr*) >= p: 1 + (1 - g3 sr + (g4 - 1)/4
 * sr^2) (Phi^-1(p) / (sr - sr*))^2.  Infinite if sr <= sr*. */
double	tl_min_trl(double sr, double sr_star, double p, double g3, double g4);

/* Z(N) = (1 - gamma) Phi^-1(1 - 1/N) + gamma Phi^-1(1 - 1/(N e)), the
 * extreme-value approximation of E[max of N iid N(0,1)].  NaN for N < 2. */
double	tl_expected_max(double n);

/* DSR = PSR(sr0) with sr0 = mean_sr + sqrt(var_sr) Z(N): the probability
 * that the true Sharpe ratio of the best of N trials, whose Sharpe ratios
 * have variance var_sr (same periodicity as sr), is above the best a
 * null of no skill would give.  *sr0 (may be NULL) gets the threshold. */
double	tl_dsr(double sr, double t, double g3, double g4, double n_trials,
	    double mean_sr, double var_sr, double *sr0);

/* Minimum backtest length (years, annualised sr_is): (Z(N)/sr_is)^2, and
 * its upper bound 2 ln(N) / sr_is^2. */
double	tl_min_btl(double n_trials, double sr_is, double *bound);

#endif
