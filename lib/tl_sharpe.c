/*
 * Sharpe-ratio statistics in the paper form (Bailey & Lopez de Prado):
 * the variance term at the observed Sharpe ratio, T - 1 in PSR, the
 * leading 1 of MinTRL.  Normal quantiles from GSL.
 */
#include <math.h>

#include <gsl/gsl_cdf.h>

#include "tl_sharpe.h"

void
tl_moments(const double *x, size_t n, struct tl_moments *m)
{
	double s = 0, d, m2 = 0, m3 = 0, m4 = 0;
	size_t i;

	m->n = n;
	m->mean = m->sd = m->skew = m->kurt = m->sharpe = NAN;
	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		s += x[i];
	m->mean = s / (double)n;
	/* a constant series has no spread, though x[i] - mean may not be
	 * exactly 0 in floating point: say so rather than divide by noise */
	for (i = 1; i < n && x[i] == x[0]; i++)
		;
	if (i == n) {
		m->mean = x[0];
		if (n >= 2)
			m->sd = 0;
		return;
	}
	for (i = 0; i < n; i++) {
		d = x[i] - m->mean;
		m2 += d * d;
		m3 += d * d * d;
		m4 += d * d * d * d;
	}
	if (n < 2 || m2 == 0)
		return;
	m->sd = sqrt(m2 / (double)(n - 1));
	m2 /= (double)n;
	m->skew = m3 / (double)n / pow(m2, 1.5);
	m->kurt = m4 / (double)n / (m2 * m2);
	m->sharpe = m->mean / m->sd;
}

static double
moment_term(double sr, double g3, double g4)
{
	return 1 - g3 * sr + (g4 - 1) / 4 * sr * sr;
}

double
tl_psr(double sr, double sr_star, double t, double g3, double g4)
{
	double v = moment_term(sr, g3, g4);

	if (!(t >= 2) || !(v > 0))
		return NAN;
	return gsl_cdf_ugaussian_P((sr - sr_star) * sqrt(t - 1) / sqrt(v));
}

double
tl_min_trl(double sr, double sr_star, double p, double g3, double g4)
{
	double z;

	if (!(sr > sr_star))
		return INFINITY;
	z = gsl_cdf_ugaussian_Pinv(p) / (sr - sr_star);
	return 1 + moment_term(sr, g3, g4) * z * z;
}

double
tl_expected_max(double n)
{
	if (!(n >= 2))
		return NAN;
	return (1 - TL_EULER_GAMMA) * gsl_cdf_ugaussian_Pinv(1 - 1 / n) +
	    TL_EULER_GAMMA * gsl_cdf_ugaussian_Pinv(1 - 1 / (n * M_E));
}

double
tl_dsr(double sr, double t, double g3, double g4, double n_trials,
    double mean_sr, double var_sr, double *sr0)
{
	double s0 = mean_sr + sqrt(var_sr) * tl_expected_max(n_trials);

	if (sr0 != NULL)
		*sr0 = s0;
	return tl_psr(sr, s0, t, g3, g4);
}

double
tl_min_btl(double n_trials, double sr_is, double *bound)
{
	double z = tl_expected_max(n_trials);

	if (bound != NULL)
		*bound = 2 * log(n_trials) / (sr_is * sr_is);
	return z * z / (sr_is * sr_is);
}
