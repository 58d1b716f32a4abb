/*
 * The performance figures of a book of daily simple returns r_1..r_n, as a
 * tearsheet shows them, in the conventions of the Python libraries traders
 * compare with (quantstats by Ran Aroussi, empyrical by Quantopian),
 * stated once here:
 *
 *   equity        E_t = prod_{s <= t} (1 + r_s), compounded, from 1
 *   total return  E_n - 1
 *   CAGR          E_n^(1 / years) - 1, years = (last date - first date,
 *                 in calendar days) / 365, as quantstats long did
 *                 (empyrical and recent quantstats count the days
 *                 with a return / 252 instead)
 *   volatility    sd(r) sqrt(252), sd with n - 1
 *   Sharpe        mean(r) / sd(r) sqrt(252), risk-free rate 0
 *   Sortino       mean(r) / sqrt(sum_t min(r_t, 0)^2 / n) sqrt(252): the
 *                 downside deviation over all n days, not over the losing
 *                 ones only (Sortino & Price 1994; quantstats)
 *   max drawdown  min_t E_t / max_{s <= t} E_s - 1, the running peak
 *                 starting at the capital 1 before the first day, so that
 *                 a loss on the first day counts (quantstats and empyrical
 *                 start the peak at E_1: they differ only then)
 *   Calmar        CAGR / |max drawdown|
 *   win rate      days above 0 / days not 0 (quantstats: flat days are
 *                 neither won nor lost)
 *   profit factor sum of the positive days / |sum of the negative days|
 *   average win   mean of the positive days; average loss: of the negative
 *   skew          sample skewness G1 = sqrt(n (n - 1)) / (n - 2) g1
 *   kurtosis      excess sample kurtosis G2 = ((n + 1) g2 + 6) (n - 1) /
 *                 ((n - 2) (n - 3)), g1 and g2 from the moments about the
 *                 mean over n (Joanes & Gill 1998, "Comparing measures of
 *                 sample skewness and kurtosis", The Statistician 47(1),
 *                 types 2): what pandas' skew() and kurt() give, and so
 *                 quantstats
 *
 * An annualised figure from fewer than TL_PERF_MIN_DAYS days rests on
 * little: a tearsheet says so.  A figure that is undefined (a Sharpe ratio
 * without spread, a profit factor without a losing day, a CAGR over less
 * than a day) is NaN, never a made-up number.  Returns must be finite:
 * the caller decides what a missing day is (flat, for a book).
 */
#ifndef TL_PERF_H
#define TL_PERF_H

#include <stddef.h>
#include <stdint.h>

#define TL_PERF_YEAR_DAYS	252	/* trading days a year: annualising */
#define TL_PERF_CAL_DAYS	365	/* calendar days a year: CAGR's years */
#define TL_PERF_ROLL_DAYS	63	/* a quarter of trading days: rolling */
#define TL_PERF_MIN_DAYS	126	/* half a year: fewer, and annualised
					 * figures deserve a warning */

struct tl_perf {
	size_t	n;		/* days */
	size_t	nup;		/* days above zero */
	size_t	ndown;		/* days below zero */
	double	total;		/* total return, E_n - 1 */
	double	years;		/* calendar years from first to last date */
	double	cagr;		/* compound annual growth rate */
	double	mean;		/* mean daily return */
	double	sd;		/* its standard deviation (n - 1) */
	double	vol;		/* annualised volatility */
	double	sharpe;		/* annualised Sharpe ratio */
	double	sortino;	/* annualised Sortino ratio */
	double	max_dd;		/* max drawdown, <= 0 */
	long	dd_peak;	/* day of the peak before it, -1: the start */
	long	dd_trough;	/* day of its trough, -1: no drawdown */
	long	dd_end;		/* first day back at the peak, -1: not yet */
	double	calmar;		/* CAGR / |max drawdown| */
	double	best;		/* best day */
	double	worst;		/* worst day */
	long	best_day;	/* its index, -1 without days */
	long	worst_day;	/* its index, -1 without days */
	double	win_rate;	/* share of the days not flat that won */
	double	profit_factor;	/* gains / |losses| */
	double	avg_win;	/* mean of the days that won */
	double	avg_loss;	/* mean of the days that lost, < 0 */
	double	skew;		/* sample skewness G1 */
	double	kurt;		/* excess sample kurtosis G2 */
};

/* The figures of r[0..n), whose day i is day[i] (days since 1970-01-01,
 * ascending).  n = 0 gives NaN (and -1 indices) throughout. */
void	tl_perf_compute(struct tl_perf *p, const double *r,
	    const int64_t *day, size_t n);

/* The equity E_t (growth of 1) of r[0..n) into e[0..n). */
void	tl_perf_equity(const double *r, size_t n, double *e);

/* The drawdown E_t / max(1, max_{s <= t} E_s) - 1 of r[0..n) into
 * dd[0..n): 0 at a peak, negative below. */
void	tl_perf_drawdown(const double *r, size_t n, double *dd);

/* The annualised Sharpe ratio and volatility of the w days ending at each
 * day into sharpe[0..n) and vol[0..n) (either may be NULL); NaN for the
 * first w - 1 days and where the window has no spread (Sharpe). */
void	tl_perf_rolling(const double *r, size_t n, size_t w, double *sharpe,
	    double *vol);

/* A calendar month's compounded return. */
struct tl_perf_month {
	int	year;		/* e.g. 2026 */
	int	month;		/* 1..12 */
	double	ret;		/* prod (1 + r) - 1 over its days */
	size_t	days;		/* days with a return in it */
};

/* The months of r[0..n) (days as tl_perf_compute) into m[0..n), in order.
 * Returns their number (at most n). */
size_t	tl_perf_monthly(const double *r, const int64_t *day, size_t n,
	    struct tl_perf_month *m);

/* A histogram of r[0..n) in nbins equal bins from lo = min r to max r
 * (the last bin closed), with the counts a normal distribution of the
 * same mean and standard deviation would put in each bin (n (Phi(b) -
 * Phi(a))), for the overlay.  count and normal hold nbins; *lo and
 * *width get the bins.  A constant series gets one bin of width 0 in
 * count[0] (the rest 0) and NaN normal counts. */
void	tl_perf_histogram(const double *r, size_t n, size_t nbins,
	    double *lo, double *width, size_t *count, double *normal);

/* The number of bins tl-report uses for n days: Rice's rule, ceil(2
 * n^(1/3)), within 5..40. */
size_t	tl_perf_bins(size_t n);

/* A day of a book: sum_j w[j] x[j] over the n strategies, a missing
 * (NaN) return being flat, so that a strategy without a trade that day
 * adds nothing; the rest of the capital (1 - sum w) is cash at 0. */
double	tl_perf_weighted(const double *x, const double *w, size_t n);

/* A day of the equal-weight book: the mean of the finite x[0..n) (the
 * strategies that traded that day), 0 when none did. */
double	tl_perf_equal(const double *x, size_t n);

#endif
