/*
 * Performance figures of a book of daily returns (tl_perf.h).  Every
 * figure is a plain loop over the returns; the mean, standard deviation
 * and moments are tl_sharpe's (two passes: the mean first, then the
 * moments about it).  Nothing is estimated or smoothed.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "tl_perf.h"
#include "tl_sharpe.h"
#include "tl_time.h"

/* the standard normal distribution function */
static double
phi_cdf(double z)
{
	return 0.5 * erfc(-z / sqrt(2));
}

void
tl_perf_equity(const double *r, size_t n, double *e)
{
	double g = 1;
	size_t t;

	for (t = 0; t < n; t++) {
		g *= 1 + r[t];
		e[t] = g;
	}
}

void
tl_perf_drawdown(const double *r, size_t n, double *dd)
{
	double g = 1, peak = 1;
	size_t t;

	for (t = 0; t < n; t++) {
		g *= 1 + r[t];
		if (g > peak)
			peak = g;
		dd[t] = g / peak - 1;
	}
}

/* the drawdown figures of r: the deepest one, its peak (-1: the capital
 * before the first day), trough and the first day back at the peak */
static void
drawdown(struct tl_perf *p, const double *r, size_t n)
{
	double g = 1, peak = 1, d;
	long at = -1;
	size_t t;

	p->max_dd = n > 0 ? 0 : NAN;
	p->dd_peak = p->dd_trough = p->dd_end = -1;
	for (t = 0; t < n; t++) {
		g *= 1 + r[t];
		if (g >= peak) {
			/* back at (or above) the peak of the deepest one */
			if (p->dd_trough >= 0 && p->dd_end < 0 &&
			    at == p->dd_peak)
				p->dd_end = (long)t;
			if (g > peak || at < 0) {
				peak = g;
				at = (long)t;
			}
			continue;
		}
		d = g / peak - 1;
		if (d < p->max_dd) {
			p->max_dd = d;
			p->dd_trough = (long)t;
			p->dd_peak = at;
			p->dd_end = -1;
		}
	}
}

/* G1 and G2 (Joanes & Gill 1998, types 2) from g1 and the non-excess
 * kurtosis of m, moments over n: NaN when n is too small or there is no
 * spread */
static void
shape(struct tl_perf *p, const struct tl_moments *m)
{
	double k = (double)m->n;

	p->skew = p->kurt = NAN;
	if (m->n >= 3)
		p->skew = sqrt(k * (k - 1)) / (k - 2) * m->skew;
	if (m->n >= 4)
		p->kurt = ((k + 1) * (m->kurt - 3) + 6) * (k - 1) / ((k - 2) *
		    (k - 3));
}

void
tl_perf_compute(struct tl_perf *p, const double *r, const int64_t *day,
    size_t n)
{
	double down = 0, gain = 0, loss = 0, ann = sqrt(TL_PERF_YEAR_DAYS);
	struct tl_moments m;
	size_t t;

	memset(p, 0, sizeof(*p));
	p->n = n;
	p->best_day = p->worst_day = -1;
	p->best = p->worst = NAN;
	for (t = 0; t < n; t++) {
		if (r[t] > 0) {
			p->nup++;
			gain += r[t];
		} else if (r[t] < 0) {
			p->ndown++;
			loss += r[t];
			down += r[t] * r[t];
		}
		if (p->best_day < 0 || r[t] > p->best) {
			p->best = r[t];
			p->best_day = (long)t;
		}
		if (p->worst_day < 0 || r[t] < p->worst) {
			p->worst = r[t];
			p->worst_day = (long)t;
		}
	}
	tl_moments(r, n, &m);
	p->mean = m.mean;
	p->sd = m.sd;
	p->vol = p->sd * ann;
	p->sharpe = p->sd > 0 ? p->mean / p->sd * ann : NAN;
	p->sortino = down > 0 ? p->mean / sqrt(down / (double)n) * ann : NAN;
	p->total = n > 0 ? 1 : NAN;
	for (t = 0; t < n; t++)
		p->total *= 1 + r[t];
	p->total -= 1;
	p->years = n > 0 ? (double)(day[n - 1] - day[0]) /
	    TL_PERF_CAL_DAYS : NAN;
	p->cagr = p->years > 0 && p->total > -1 ? pow(1 + p->total,
	    1 / p->years) - 1 : NAN;
	drawdown(p, r, n);
	p->calmar = p->max_dd < 0 ? p->cagr / fabs(p->max_dd) : NAN;
	p->win_rate = p->nup + p->ndown > 0 ? (double)p->nup /
	    (double)(p->nup + p->ndown) : NAN;
	p->profit_factor = loss < 0 ? gain / fabs(loss) : NAN;
	p->avg_win = p->nup > 0 ? gain / (double)p->nup : NAN;
	p->avg_loss = p->ndown > 0 ? loss / (double)p->ndown : NAN;
	shape(p, &m);
}

void
tl_perf_rolling(const double *r, size_t n, size_t w, double *sharpe,
    double *vol)
{
	double ann = sqrt(TL_PERF_YEAR_DAYS);
	struct tl_moments m;
	size_t t;

	for (t = 0; t < n; t++) {
		m.mean = m.sd = NAN;
		if (w >= 2 && t + 1 >= w)
			tl_moments(r + t + 1 - w, w, &m);
		if (sharpe != NULL)
			sharpe[t] = m.sd > 0 ? m.mean / m.sd * ann : NAN;
		if (vol != NULL)
			vol[t] = m.sd * ann;
	}
}

size_t
tl_perf_monthly(const double *r, const int64_t *day, size_t n,
    struct tl_perf_month *m)
{
	size_t t, k = 0;
	int y, mo, d;

	for (t = 0; t < n; t++) {
		tl_civil_from_days(day[t], &y, &mo, &d);
		if (k == 0 || m[k - 1].year != y || m[k - 1].month != mo) {
			m[k].year = y;
			m[k].month = mo;
			m[k].ret = 1;
			m[k].days = 0;
			k++;
		}
		m[k - 1].ret *= 1 + r[t];
		m[k - 1].days++;
	}
	for (t = 0; t < k; t++)
		m[t].ret -= 1;
	return k;
}

size_t
tl_perf_bins(size_t n)
{
	size_t b = (size_t)ceil(2 * cbrt((double)n));

	return b < 5 ? 5 : b > 40 ? 40 : b;
}

void
tl_perf_histogram(const double *r, size_t n, size_t nbins, double *lo,
    double *width, size_t *count, double *normal)
{
	double min = INFINITY, max = -INFINITY;
	struct tl_moments m;
	size_t t, b;

	memset(count, 0, nbins * sizeof(*count));
	for (t = 0; t < n; t++) {
		min = fmin(min, r[t]);
		max = fmax(max, r[t]);
	}
	*lo = n > 0 ? min : NAN;
	*width = n > 0 && nbins > 0 ? (max - min) / (double)nbins : NAN;
	tl_moments(r, n, &m);
	for (t = 0; t < n && nbins > 0; t++) {
		b = *width > 0 ? (size_t)floor((r[t] - min) / *width) : 0;
		count[b < nbins ? b : nbins - 1]++;	/* max: the last bin */
	}
	for (b = 0; b < nbins; b++)
		normal[b] = m.sd > 0 && *width > 0 ? (double)n * (phi_cdf((min +
		    (double)(b + 1) * *width - m.mean) / m.sd) - phi_cdf((min +
		    (double)b * *width - m.mean) / m.sd)) : NAN;
}

double
tl_perf_weighted(const double *x, const double *w, size_t n)
{
	double s = 0;
	size_t j;

	for (j = 0; j < n; j++)
		if (isfinite(x[j]) && w[j] != 0)
			s += w[j] * x[j];
	return s;
}

double
tl_perf_equal(const double *x, size_t n)
{
	double s = 0;
	size_t j, k = 0;

	for (j = 0; j < n; j++)
		if (isfinite(x[j])) {
			s += x[j];
			k++;
		}
	return k > 0 ? s / (double)k : 0;
}
