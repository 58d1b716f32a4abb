/* Unit tests for lib/tl_svg: display rounding, nice ticks, label elision,
 * escaping and deterministic charts.  Expected tick vectors are worked
 * out by hand from the rule in tl_svg.h (smallest 1-2-5 step >= range /
 * (maxticks - 1) with at most maxticks ticks); the comments show it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_svg.h"
#include "tl_util.h"
#include "unit.h"

static void
fixed_is(double x, int d, const char *want)
{
	char buf[TL_SVG_NUMSZ];

	tl_svg_fmt_fixed(buf, x, d);
	cr_assert_str_eq(buf, want, "%.17g to %d decimals: '%s', want '%s'",
	    x, d, buf, want);
}

static void
sig_is(double x, int sig, const char *want)
{
	char buf[TL_SVG_NUMSZ];

	tl_svg_fmt_sig(buf, x, sig);
	cr_assert_str_eq(buf, want, "%.17g to %d digits: '%s', want '%s'",
	    x, sig, buf, want);
}

Test(svg, fmt_fixed)
{
	char buf[TL_SVG_NUMSZ];

	fixed_is(2.5, 0, "3");		/* half away from zero */
	fixed_is(-2.5, 0, "-3");
	fixed_is(-0.004, 2, "0.00");	/* no "-0.00" */
	fixed_is(0.05, 1, "0.1");
	fixed_is(1.005, 2, "1.00");	/* 1.005 is 1.00499999999999989... */
	fixed_is(12345.678, 1, "12345.7");
	fixed_is(0.000123, 6, "0.000123");
	fixed_is(-7.25, 3, "-7.250");
	fixed_is(0.3815, 20, "0.381500000000");	/* d clamped to 12 */
	fixed_is(1e20, 2, "1e+20");	/* beyond 2^53: tl_fmt_double */
	cr_assert_eq(tl_svg_fmt_fixed(buf, NAN, 2), -1);
	cr_assert_str_eq(buf, "n/a");
	cr_assert_eq(tl_svg_fmt_fixed(buf, -INFINITY, 2), -1);
	cr_assert_str_eq(buf, "n/a");
	cr_assert_eq(tl_svg_fmt_fixed(buf, -1.27, 1), 4);
}

Test(svg, fmt_sig)
{
	sig_is(0.0123456, 3, "0.0123");
	sig_is(123456.7, 3, "123457");		/* integers keep their digits */
	sig_is(1000, 3, "1000");
	sig_is(0.1, 3, "0.100");
	sig_is(-2.385, 2, "-2.4");
	sig_is(1.23456e-5, 3, "1.23e-5");
	sig_is(-4.5e-7, 2, "-4.5e-7");
	sig_is(9.996e-5, 3, "1.00e-4");		/* rounds up a decade */
	sig_is(0, 3, "0");
	sig_is(NAN, 3, "n/a");
}

/* the labels of tl_svg_ticks(lo, hi, max), joined by spaces */
static void
ticks_are(double lo, double hi, size_t max, const char *want)
{
	struct tl_svg_ticks t;
	struct tl_buf b;
	char num[TL_SVG_NUMSZ];
	size_t i;

	tl_buf_init(&b);
	tl_svg_ticks(lo, hi, max, &t);
	for (i = 0; i < t.n; i++) {
		tl_svg_tick_label(num, &t, i);
		if (i > 0)
			tl_buf_addc(&b, ' ');
		tl_buf_adds(&b, num);
	}
	cr_assert_str_eq(b.data, want, "ticks(%g, %g, %zu): '%s', want '%s'",
	    lo, hi, max, b.data, want);
	cr_assert_leq(t.n, max < 3 ? 3 : max);
	cr_assert_leq(t.lo, lo == lo ? fmin(lo, hi) : 0);
	tl_buf_release(&b);
}

Test(svg, nice_ticks)
{
	/* raw step 0.2 -> 0.2, 6 ticks */
	ticks_are(0, 1, 6, "0.0 0.2 0.4 0.6 0.8 1.0");
	/* 0.3 / 0.1 is 2.9999999999999996: still 4 ticks, exact labels */
	ticks_are(0, 0.3, 4, "0.0 0.1 0.2 0.3");
	/* raw 0.014475 -> 0.02 from floor(-0.615) = -1 to ceil(2.28) = 3 */
	ticks_are(-0.0123, 0.0456, 5, "-0.02 0.00 0.02 0.04 0.06");
	/* raw 23.5 -> 50 */
	ticks_are(3, 97, 5, "0 50 100");
	/* raw 483.3 -> 500 */
	ticks_are(0, 1450, 4, "0 500 1000 1500");
	/* raw 0.55 -> 1 gives 4 > 3 ticks, so 2 */
	ticks_are(0.95, 2.05, 3, "0 2 4");
	/* one value 5: [2.5, 7.5]; step 1 gives 7 > 6 ticks, so 2 */
	ticks_are(5, 5, 6, "2 4 6 8");
	ticks_are(0, 0, 5, "0.0 0.5 1.0");
	ticks_are(NAN, 3, 5, "0.0 0.5 1.0");
	ticks_are(0, -2e6, 3, "-2000000 -1000000 0");
	/* raw 4.83e-6 -> 5e-6 gives 5 > 4 ticks, so 1e-5 */
	ticks_are(7.5e-6, 2.2e-5, 4, "0.00000 0.00001 0.00002 0.00003");
	/* maxticks 2 is taken as 3 */
	ticks_are(-0.4, 0.7, 2, "-1 0 1");
}

Test(svg, nice_ticks_bound)
{
	struct tl_svg_ticks t;
	unsigned long long s = 0x9e3779b97f4a7c15ULL;
	double lo, hi;
	size_t i, max;

	/* random ranges: never more than max ticks, always covering */
	for (i = 0; i < 20000; i++) {
		lo = ((double)(ut_xorshift(&s) % 2000001) - 1e6) /
		    pow(10, (double)(ut_xorshift(&s) % 9));
		hi = lo + (double)(ut_xorshift(&s) % 100000 + 1) /
		    pow(10, (double)(ut_xorshift(&s) % 9));
		max = 2 + ut_xorshift(&s) % 10;
		tl_svg_ticks(lo, hi, max, &t);
		cr_assert_leq(t.n, max < 3 ? 3 : max, "[%g, %g] max %zu: %zu "
		    "ticks", lo, hi, max, t.n);
		cr_assert(t.lo <= lo + fabs(lo) * 1e-9 &&
		    t.hi >= hi - fabs(hi) * 1e-9, "[%g, %g] not covered by "
		    "[%g, %g]", lo, hi, t.lo, t.hi);
		cr_assert(t.mant == 1 || t.mant == 2 || t.mant == 5);
	}
}

static void
elide_is(const char *s, size_t max, const char *want, int cut)
{
	struct tl_buf b;

	tl_buf_init(&b);
	cr_assert_eq(tl_svg_elide(&b, s, max), cut);
	cr_assert_str_eq(b.data != NULL ? b.data : "", want);
	cr_assert_leq(tl_svg_strwidth(b.data != NULL ? b.data : ""), max);
	tl_buf_release(&b);
}

Test(svg, elide)
{
	elide_is("lookback", 8, "lookback", 0);
	elide_is("genome.take_profit_atr", 10, "genome.ta\xE2\x80\xA6", 1);
	/* cut at characters, not bytes */
	elide_is("h\xC3\xA9ll\xC3\xB6 w\xC3\xB6rld", 5,
	    "h\xC3\xA9ll\xE2\x80\xA6", 1);
	elide_is("abc", 1, "\xE2\x80\xA6", 1);
	cr_assert_eq(tl_svg_strwidth("h\xC3\xA9ll\xC3\xB6"), 5);
}

Test(svg, escape)
{
	struct tl_buf b;

	tl_buf_init(&b);
	tl_svg_escape(&b, "P&L <b>\"q\" 'x'\x01" "end");
	cr_assert_str_eq(b.data, "P&amp;L &lt;b&gt;&quot;q&quot; &#39;x&#39;"
	    "\xEF\xBF\xBD" "end");
	tl_buf_release(&b);
}

/* n occurrences of needle in hay */
static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

Test(svg, bars)
{
	struct tl_svg_bar rows[] = {
		{ "P&L <net>", 0.2385, 0.1 },
		{ "a very long feature name that goes on", -0.127, NAN },
		{ "missing", NAN, 0.05 },
	};
	struct tl_svg_chart c = { .id = "imp", .title = "Importance <x>",
	    .desc = "desc & more", .series = { "today", "yesterday" },
	    .decimals = 3, .unit = "importance" };
	struct tl_buf a, b;

	tl_buf_init(&a);
	tl_buf_init(&b);
	tl_svg_bars(&a, &c, rows, 3);
	tl_svg_bars(&b, &c, rows, 3);
	cr_assert_str_eq(a.data, b.data, "not deterministic");
	cr_assert_not_null(strstr(a.data, "<title id=\"imp-t\">Importance "
	    "&lt;x&gt;</title>"));
	cr_assert_not_null(strstr(a.data, "<desc id=\"imp-d\">desc &amp; "
	    "more</desc>"));
	cr_assert_not_null(strstr(a.data, "aria-labelledby=\"imp-t imp-d\""));
	cr_assert_not_null(strstr(a.data, "P&amp;L &lt;net&gt;"));
	cr_assert_null(strstr(a.data, "<net>"));
	cr_assert_not_null(strstr(a.data, ">a very long feature n\xE2\x80\xA6"
	    "</text>"), "label not elided to 22 characters");
	/* the tooltip keeps the whole label */
	cr_assert_not_null(strstr(a.data, "<title>a very long feature name "
	    "that goes on: -0.127 (yesterday: n/a)</title>"));
	cr_assert_not_null(strstr(a.data, "0.239 (0.100)</text>"));
	cr_assert_not_null(strstr(a.data, "n/a (0.050)</text>"));
	cr_assert_eq(count(a.data, "class=\"tl-prev\""), 3);	/* 2 + key */
	cr_assert_eq(count(a.data, "class=\"tl-bar tl-neg\""), 1);
	cr_assert_eq(count(a.data, "<g class=\"tl-row\">"), 3);
	tl_buf_release(&a);
	tl_buf_release(&b);
}

Test(svg, lines_thin_labels)
{
	enum { NX = 90 };
	char lab[NX][16];
	const char *xl[NX];
	double y1[NX], y2[NX];
	struct tl_svg_series s[2] = { { "S0001", y1 }, { "S&P", y2 } };
	struct tl_svg_chart c = { .id = "eq", .title = "Equity",
	    .unit = "growth of 1" };
	struct tl_buf a, b;
	const char *p;
	double x, prevx = -1e9;
	size_t i, nlab = 0;

	for (i = 0; i < NX; i++) {
		snprintf(lab[i], sizeof(lab[i]), "2026-%02zu-%02zu", 1 + i / 28,
		    1 + i % 28);
		xl[i] = lab[i];
		y1[i] = 1 + 0.001 * (double)i;
		y2[i] = i == 40 ? NAN : 1 - 0.0005 * (double)i;
	}
	tl_buf_init(&a);
	tl_buf_init(&b);
	tl_svg_lines(&a, &c, xl, NX, s, 2);
	tl_svg_lines(&b, &c, xl, NX, s, 2);
	cr_assert_str_eq(a.data, b.data, "not deterministic");
	/* date labels at least 10 characters + the gap apart */
	for (p = a.data; (p = strstr(p, "text-anchor=\"middle\">2026-")) !=
	    NULL; p++) {
		const char *q = p;

		while (strncmp(q, " x=\"", 4) != 0)
			q--;
		x = strtod(q + 4, NULL);
		cr_assert_geq(x - prevx, 10 * 7.0 + 10, "labels overlap");
		prevx = x;
		nlab++;
	}
	cr_assert(nlab >= 2 && nlab < NX, "%zu x labels", nlab);
	cr_assert_not_null(strstr(a.data, "<title>S&amp;P: last 0.956"
	    "</title>"));
	/* the gap at i = 40 starts a new subpath */
	cr_assert_eq(count(a.data, "M"), 3);
	cr_assert_not_null(strstr(a.data, "class=\"tl-key tl-s1\""));
	tl_buf_release(&a);
	tl_buf_release(&b);
}

Test(svg, bars_zero_keeps_label)
{
	/* long labels and values leave ~164 units for the plot: ticks
	 * -0.00005 .. 0.0001 by 0.00005, every other label shown, and the
	 * one at zero among them */
	struct tl_svg_bar rows[] = {
		{ "genome.take_profit_atr", 8.1e-5, 6.9e-5 },
		{ "genome.max_positions", -9e-7, NAN },
	};
	struct tl_svg_chart c = { .id = "z", .title = "t", .sig = 3,
	    .series = { "tonight", "yesterday" } };
	struct tl_buf a;

	tl_buf_init(&a);
	tl_svg_bars(&a, &c, rows, 2);
	cr_assert_not_null(strstr(a.data, ">0.00000</text>"), "%s", a.data);
	cr_assert_not_null(strstr(a.data, ">0.00010</text>"));
	cr_assert_null(strstr(a.data, ">0.00005</text>"));
	cr_assert_not_null(strstr(a.data, ">8.10e-5 (6.90e-5)</text>"));
	cr_assert_eq(count(a.data, "class=\"tl-grid\""), 4);
	tl_buf_release(&a);
}

Test(svg, xy_reliability)
{
	/* two series on fixed 0..1 axes: whiskers where both ends are
	 * known, a NaN point is a gap and has no marker, marker radius by
	 * the square root of the weight (2.5 .. 7) */
	struct tl_svg_point raw[] = {
		{ 0.085, 0.0, 0.0, 0.561, 3, NULL },
		{ 0.2385, 0.338, 0.235, 0.46, 12, "bin <2> & more" },
		{ NAN, 0.5, NAN, NAN, 1, NULL },
		{ 0.65, 0.572, NAN, NAN, 0, NULL },
	};
	struct tl_svg_point cal[] = {
		{ 0.4, 0.41, 0.3, 0.52, 48, NULL },
	};
	struct tl_svg_xyseries s[2] = { { "raw", raw, 4 },
		{ "calibrated", cal, 1 } };
	struct tl_svg_xy ax = { .xunit = "mean score", .xlo = 0, .xhi = 1,
	    .ylo = 0, .yhi = 1, .ref = "perfect calibration",
	    .whisker = "95% interval" };
	struct tl_svg_chart c = { .id = "cal", .title = "Reliability",
	    .unit = "win rate" };
	struct tl_buf a, b;
	const char *line;
	size_t i, nm;

	tl_buf_init(&a);
	tl_buf_init(&b);
	tl_svg_xy(&a, &c, &ax, s, 2);
	tl_svg_xy(&b, &c, &ax, s, 2);
	cr_assert_str_eq(a.data, b.data, "not deterministic");
	cr_assert_not_null(strstr(a.data, "<title id=\"cal-t\">Reliability"
	    "</title>"));
	cr_assert_not_null(strstr(a.data, "class=\"tl-chart tl-xy\""));
	/* axes 0..1 by 0.2 both ways: 6 + 6 grid lines */
	cr_assert_eq(count(a.data, "class=\"tl-grid\""), 12, "%s", a.data);
	cr_assert_eq(count(a.data, ">1.0</text>"), 2);
	/* the diagonal and its legend key */
	cr_assert_eq(count(a.data, "class=\"tl-ref\""), 3);
	cr_assert_not_null(strstr(a.data, "<title>perfect calibration"
	    "</title>"));
	/* 3 raw circles (NaN x: none), 1 calibrated square, legend keys */
	cr_assert_eq(count(a.data, "<circle "), 3 + 1);
	cr_assert_eq(count(a.data, "<rect "), 1 + 1);
	cr_assert_not_null(strstr(a.data, "<title>raw: bin &lt;2&gt; &amp; "
	    "more</title>"));
	cr_assert_not_null(strstr(a.data, "<title>raw: 0.650, 0.572</title>"));
	/* largest weight: radius 7; weight 12 of 48: 2.5 + 4.5 * 0.5 */
	cr_assert_not_null(strstr(a.data, "r=\"2.5\""));
	cr_assert_not_null(strstr(a.data, "r=\"4.8\""));
	cr_assert_not_null(strstr(a.data, "width=\"12.5\""));	/* 2*7*.89 */
	/* whiskers: raw has two, calibrated one, plus the legend key */
	cr_assert_eq(count(a.data, "class=\"tl-ci\""), 2);
	cr_assert_eq(count(a.data, "class=\"tl-ci tl-key\""), 1);
	/* the gap at the NaN point: the raw line has two subpaths */
	line = strstr(a.data, "<path d=\"M");
	cr_assert_not_null(line);
	for (i = 9, nm = 0; line[i] != '"'; i++)
		nm += line[i] == 'M';
	cr_assert_eq(nm, 2, "%.80s", line);
	cr_assert_not_null(strstr(a.data, ">mean score</text>"));
	cr_assert_not_null(strstr(a.data, ">95% interval</text>"));
	tl_buf_release(&a);
	tl_buf_release(&b);
}
