/* Unit tests for lib/tl_perf: the tearsheet figures of a fixed series of
 * 12 daily returns against values computed independently (Python 3.11 from
 * Debian: statistics.fmean and stdev, the products and sums written out
 * from the definitions in tl_perf.h, G1 and G2 from the moments over n),
 * pasted below with 1e-12 relative tolerance; closed forms for the edges
 * (a loss on the first day, a constant series, a single day, no loss); the
 * rolling, monthly, histogram and book helpers against sums written in
 * the test. */
#include <math.h>
#include <stdint.h>

#include <criterion/criterion.h>

#include "tl_perf.h"
#include "tl_time.h"

#define REL	1e-12	/* relative tolerance against the Python figures */

/* |x - want| <= REL |want| (or exactly equal) */
static void
near(double x, double want, const char *what)
{
	cr_assert(x == want || fabs(x - want) <= REL * fabs(want),
	    "%s: %.17g, want %.17g", what, x, want);
}

/* 12 returns with some entropy, one of them flat */
static const double r12[] = { 0.0123, -0.0087, 0.0045, 0.0210, -0.0153,
	0.0032, -0.0041, 0.0178, -0.0066, 0.0099, 0.0, -0.0121 };

/* the weekdays from 2026-01-26 on, one per return */
static void
weekdays(int64_t *day, size_t n)
{
	int64_t d = tl_days_from_civil(2026, 1, 26);
	size_t k = 0;

	while (k < n) {
		/* 1970-01-01 was a Thursday: (d + 3) % 7 is 0 on Mondays */
		if ((d + 3) % 7 < 5)
			day[k++] = d;
		d++;
	}
}

Test(perf, figures_against_python)
{
	int64_t day[12];
	struct tl_perf p;

	weekdays(day, 12);
	cr_assert_eq(day[11] - day[0], 15);	/* 2026-01-26 .. 02-10 */
	tl_perf_compute(&p, r12, day, 12);
	cr_assert_eq(p.n, 12);
	cr_assert_eq(p.nup, 6);
	cr_assert_eq(p.ndown, 5);
	near(p.total, 0.02135137946247534, "total");
	near(p.years, 0.0410958904109589, "years");
	near(p.cagr, 0.6721017775027713, "cagr");
	near(p.mean, 0.0018250000000000002, "mean");
	near(p.sd, 0.011732714558408507, "sd");
	near(p.vol, 0.1862510695515355, "vol");
	near(p.sharpe, 2.4692475651676524, "sharpe");
	near(p.sortino, 4.415637119292488, "sortino");
	near(p.max_dd, -0.01619914926399968, "max_dd");
	cr_assert_eq(p.dd_peak, 3);	/* after 0.0210 */
	cr_assert_eq(p.dd_trough, 6);	/* after -0.0041 */
	cr_assert_eq(p.dd_end, 7);	/* 0.0178 lifts it above the peak */
	near(p.calmar, 41.48994286980382, "calmar");
	near(p.win_rate, 0.5454545454545454, "win_rate");
	near(p.profit_factor, 1.467948717948718, "profit_factor");
	near(p.avg_win, 0.01145, "avg_win");
	near(p.avg_loss, -0.00936, "avg_loss");
	near(p.skew, 0.21104050063359642, "skew");
	near(p.kurt, -1.0495193405313523, "kurt");
	cr_assert_eq(p.best, 0.0210);
	cr_assert_eq(p.best_day, 3);
	cr_assert_eq(p.worst, -0.0153);
	cr_assert_eq(p.worst_day, 4);
}

/* From the capital before the first day: a first-day loss is a drawdown
 * (quantstats would start the peak after it and see none here). */
Test(perf, first_day_loss_counts)
{
	const double r[] = { -0.02, 0.01 };
	const int64_t day[] = { 20000, 20001 };
	struct tl_perf p;

	tl_perf_compute(&p, r, day, 2);
	near(p.max_dd, -0.02, "max_dd");
	cr_assert_eq(p.dd_peak, -1);
	cr_assert_eq(p.dd_trough, 0);
	cr_assert_eq(p.dd_end, -1);	/* 0.98 * 1.01 < 1 */
}

/* No spread, no loss: what needs them is NaN, not a number made up. */
Test(perf, constant_series)
{
	const double r[] = { 0.001, 0.001, 0.001, 0.001 };
	const int64_t day[] = { 20000, 20001, 20002, 20005 };
	struct tl_perf p;

	tl_perf_compute(&p, r, day, 4);
	near(p.total, pow(1.001, 4) - 1, "total");
	cr_assert_eq(p.sd, 0);
	cr_assert(isnan(p.sharpe));
	cr_assert(isnan(p.sortino));
	cr_assert(isnan(p.profit_factor));
	cr_assert(isnan(p.avg_loss));
	cr_assert(isnan(p.skew) && isnan(p.kurt));
	cr_assert_eq(p.max_dd, 0);
	cr_assert(isnan(p.calmar));
	cr_assert_eq(p.win_rate, 1);
	/* 5 calendar days: years 5/365 */
	near(p.cagr, pow(pow(1.001, 4), 365.0 / 5) - 1, "cagr");
}

Test(perf, single_day_and_none)
{
	const double r[] = { 0.0312 };
	const int64_t day[] = { 20000 };
	struct tl_perf p;

	tl_perf_compute(&p, r, day, 1);
	near(p.total, 0.0312, "total");
	cr_assert(isnan(p.sd) && isnan(p.sharpe));
	cr_assert(isnan(p.cagr));	/* no time between first and last */
	tl_perf_compute(&p, r, day, 0);
	cr_assert_eq(p.n, 0);
	cr_assert(isnan(p.total) && isnan(p.mean) && isnan(p.max_dd));
	cr_assert_eq(p.best_day, -1);
	cr_assert_eq(p.dd_trough, -1);
}

Test(perf, equity_and_drawdown)
{
	double e[12], dd[12], g = 1, peak = 1;
	size_t t;

	tl_perf_equity(r12, 12, e);
	tl_perf_drawdown(r12, 12, dd);
	for (t = 0; t < 12; t++) {
		g *= 1 + r12[t];
		peak = fmax(peak, g);
		near(e[t], g, "equity");
		near(dd[t] + 1, g / peak, "drawdown");
	}
	cr_assert_eq(dd[3], 0);		/* a new peak */
}

/* Window 3 over the first 5 returns: the last window is 0.0045, 0.0210,
 * -0.0153 (Python: Sharpe 2.9696493978397984, vol 0.288518907526006). */
Test(perf, rolling)
{
	double sh[5], vol[5];

	tl_perf_rolling(r12, 5, 3, sh, vol);
	cr_assert(isnan(sh[0]) && isnan(sh[1]) && isnan(vol[1]));
	cr_assert(isfinite(sh[2]));
	near(sh[4], 2.9696493978397984, "rolling sharpe");
	near(vol[4], 0.288518907526006, "rolling vol");
	tl_perf_rolling(r12, 5, 3, NULL, vol);	/* either may be NULL */
	near(vol[4], 0.288518907526006, "rolling vol alone");
}

/* Two returns in January, three in February, one in March 2026. */
Test(perf, monthly)
{
	const double r[] = { 0.01, -0.02, 0.03, 0.005, -0.004, 0.0071 };
	int64_t day[6];
	struct tl_perf_month m[6];
	size_t k;

	day[0] = tl_days_from_civil(2026, 1, 29);
	day[1] = tl_days_from_civil(2026, 1, 30);
	day[2] = tl_days_from_civil(2026, 2, 2);
	day[3] = tl_days_from_civil(2026, 2, 27);
	day[4] = tl_days_from_civil(2026, 2, 28);
	day[5] = tl_days_from_civil(2026, 3, 2);
	k = tl_perf_monthly(r, day, 6, m);
	cr_assert_eq(k, 3);
	cr_assert(m[0].year == 2026 && m[0].month == 1 && m[0].days == 2);
	near(m[0].ret, 1.01 * 0.98 - 1, "january");
	cr_assert(m[1].month == 2 && m[1].days == 3);
	near(m[1].ret, 1.03 * 1.005 * 0.996 - 1, "february");
	cr_assert(m[2].month == 3 && m[2].days == 1);
	near(m[2].ret, 0.0071, "march");
}

/* 0, 1, 2, 3 in two bins: two each; the normal counts of mean 1.5 and sd
 * sqrt(5/3) (Python NormalDist) are the same in both halves. */
Test(perf, histogram)
{
	const double r[] = { 3, 0, 2, 1 };
	double lo, w, nrm[2];
	size_t cnt[2];

	tl_perf_histogram(r, 4, 2, &lo, &w, cnt, nrm);
	cr_assert_eq(lo, 0);
	cr_assert_eq(w, 1.5);
	cr_assert(cnt[0] == 2 && cnt[1] == 2);	/* 3 is in the last bin */
	near(nrm[0], 1.5094437663864542, "normal, first bin");
	near(nrm[1], 1.509443766386454, "normal, last bin");
}

Test(perf, histogram_constant)
{
	const double r[] = { 0.2, 0.2, 0.2 };
	double lo, w, nrm[3];
	size_t cnt[3];

	tl_perf_histogram(r, 3, 3, &lo, &w, cnt, nrm);
	cr_assert_eq(w, 0);
	cr_assert(cnt[0] == 3 && cnt[1] == 0 && cnt[2] == 0);
	cr_assert(isnan(nrm[0]));
}

Test(perf, bins)
{
	cr_assert_eq(tl_perf_bins(1), 5);
	cr_assert_eq(tl_perf_bins(60), 8);	/* 2 * 3.915 = 7.83 */
	cr_assert_eq(tl_perf_bins(250), 13);	/* 2 * 6.30 = 12.6 */
	cr_assert_eq(tl_perf_bins(100000), 40);
}

Test(perf, book_day)
{
	const double x[] = { 0.012, NAN, -0.004, 0.0075 };
	const double w[] = { 0.3, 0.25, 0.2, 0.15 };	/* 0.1 in cash */
	const double none[] = { NAN, NAN };

	near(tl_perf_weighted(x, w, 4), 0.3 * 0.012 - 0.2 * 0.004 + 0.15 *
	    0.0075, "weighted");
	near(tl_perf_equal(x, 4), (0.012 - 0.004 + 0.0075) / 3, "equal");
	cr_assert_eq(tl_perf_equal(none, 2), 0);
}
