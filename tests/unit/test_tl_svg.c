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

Test(svg, scale)
{
	cr_assert_str_eq(tl_svg_scale(0.3, 1, 1), "tl-dp2");	/* 1.2 up */
	cr_assert_str_eq(tl_svg_scale(-1, 1, 1), "tl-dn4");
	cr_assert_str_eq(tl_svg_scale(1e-9, 1, 1), "tl-dp1");	/* not 0 */
	cr_assert_str_eq(tl_svg_scale(0, 1, 1), "tl-d0");
	cr_assert_str_eq(tl_svg_scale(0.75, 1, 0), "tl-q3");
	cr_assert_str_eq(tl_svg_scale(2.385, 1, 0), "tl-q4");	/* clamped */
	cr_assert_str_eq(tl_svg_scale(-0.5, 1, 0), "tl-q0");	/* unsigned */
	cr_assert_str_eq(tl_svg_scale(0.2, 0, 1), "tl-d0");	/* no scale */
	cr_assert_null(tl_svg_scale(NAN, 1, 1));
}

/* 2 rows by 3 columns: an empty cell draws nothing, a text that does not
 * fit its cell is left out (its title keeps it), the legend has a key
 * per class */
Test(svg, grid)
{
	const char *rows[] = { "2025", "a row label far too long to show" };
	const char *cols[] = { "Jan", "Feb", "Mar" };
	const char *keys[] = { "tl-dp1", "tl-dn4" };
	const char *names[] = { "up", "down a lot" };
	struct tl_svg_cell cells[6] = {
		{ "tl-dp1", "1.2", "1.2% (20 days)" }, { NULL, NULL, NULL },
		{ "tl-dn4", "-12.7", NULL }, { "tl-d0", "0.0", NULL },
		{ "tl-dp2", "a text far wider than a cell", "t" },
		{ "tl-dp3", NULL, NULL },
	};
	struct tl_svg_chart c = { .id = "g", .title = "Grid", .unit = "u",
	    .width = 360 };
	struct tl_buf a, b;

	tl_buf_init(&a);
	tl_buf_init(&b);
	tl_svg_grid(&a, &c, rows, 2, cols, 3, cells, "month", keys, names,
	    2);
	tl_svg_grid(&b, &c, rows, 2, cols, 3, cells, "month", keys, names,
	    2);
	cr_assert_str_eq(a.data, b.data, "not deterministic");
	cr_assert_eq(count(a.data, "class=\"tl-cell "), 5, "%s", a.data);
	cr_assert_not_null(strstr(a.data, "<title>2025, Jan: 1.2% (20 days)"
	    "</title>"));
	cr_assert_not_null(strstr(a.data, ">-12.7</text>"));
	cr_assert_null(strstr(a.data, ">a text far wider"));
	cr_assert_not_null(strstr(a.data, "a row label far t\xE2\x80\xA6"));
	cr_assert_eq(count(a.data, "class=\"tl-key tl-dp1\""), 1);
	cr_assert_not_null(strstr(a.data, ">down a lot</text>"));
	cr_assert_not_null(strstr(a.data, "class=\"tl-muted tl-cap\""));
	tl_buf_release(&a);
	tl_buf_release(&b);
}

/* the y tick labels of a line chart of one series y[0..n) on a log axis */
static void
log_ticks_are(const double *y, size_t n, const char *const *want,
    size_t nwant)
{
	const char *xl[] = { "a", "b", "c", "d" };
	struct tl_svg_series s = { "s", y };
	struct tl_svg_linex x = { .logy = 1, .ref = NAN };
	struct tl_svg_chart c = { .id = "l", .title = "t" };
	char pat[64];
	struct tl_buf a;
	size_t i;

	tl_buf_init(&a);
	tl_svg_lines_x(&a, &c, &x, xl, n, &s, 1);
	for (i = 0; i < nwant; i++) {
		snprintf(pat, sizeof(pat), "\"end\">%s</text>", want[i]);
		cr_assert_not_null(strstr(a.data, pat), "no tick %s in %s",
		    want[i], a.data);
	}
	cr_assert_eq(count(a.data, "text-anchor=\"end\""), nwant, "%s",
	    a.data);
	tl_buf_release(&a);
}

/* within a decade: nice linear ticks inside the padded range; over
 * decades: 1, 2 and 5 times powers of ten */
Test(svg, lines_log_axis)
{
	const double narrow[] = { 0.93, 1.07, 1.2385, 1.41 };
	const double wide[] = { 1.27, 8.1, 55, 140 };
	const char *const w1[] = { "1.0", "1.2", "1.4" };
	const char *const w2[] = { "2", "5", "10", "20", "50", "100" };

	log_ticks_are(narrow, 4, w1, TL_NELEM(w1));
	log_ticks_are(wide, 4, w2, TL_NELEM(w2));
}

/* the extras: the backtest shaded up to its last day, a strip span per
 * regime with each name once in the legend, the area under series 0,
 * a dashed series and the x caption */
Test(svg, lines_extras)
{
	const char *xl[] = { "2026-01-05", "2026-01-06", "2026-01-07",
		"2026-01-08", "2026-01-09" };
	const double b[] = { 0, -0.5, -1.27, -0.3, 0 }, m[] = { 0, -0.2, -0.4,
		-0.1, 0.1 };
	struct tl_svg_series s[2] = { { "book", b }, { "equal weight", m } };
	struct tl_svg_span sp[3] = { { 0, 1, 0, "bear" }, { 2, 3, 1, "bull" },
		{ 4, 4, 0, "bear" } };
	struct tl_svg_linex x = { .strip = sp, .nstrip = 3, .shade_to = 2,
	    .shade_name = "backtest", .area = 1, .dashed = 2,
	    .xunit = "date", .ref = NAN };
	struct tl_svg_chart c = { .id = "x", .title = "t", .unit = "%",
	    .width = 360 };
	struct tl_buf a;

	tl_buf_init(&a);
	tl_svg_lines_x(&a, &c, &x, xl, 5, s, 2);
	cr_assert_eq(count(a.data, "<rect class=\"tl-shade\""), 2,
	    "%s", a.data);	/* the part and its key */
	cr_assert_not_null(strstr(a.data, "<title>bear: 2026-01-05 to "
	    "2026-01-06</title>"));
	cr_assert_eq(count(a.data, "class=\"tl-band tl-b0\""), 3);	/* 2+key */
	cr_assert_eq(count(a.data, "class=\"tl-band tl-b1\""), 2);
	cr_assert_eq(count(a.data, "class=\"tl-area\""), 1);
	cr_assert_eq(count(a.data, "tl-s1 tl-dash"), 2);	/* line, key */
	cr_assert_not_null(strstr(a.data, ">date</text>"));
	tl_buf_release(&a);
}

/* two layers: the second on the first, the axis to their sum */
Test(svg, stacked)
{
	const char *xl[] = { "n1", "n2", "n3" };
	const double a1[] = { 20, 30, NAN }, a2[] = { 40, 50, 60 };
	struct tl_svg_series s[2] = { { "S0001", a1 }, { "cash", a2 } };
	struct tl_svg_chart c = { .id = "st", .title = "t", .unit = "%" };
	struct tl_buf a;

	tl_buf_init(&a);
	tl_svg_stacked(&a, &c, xl, 3, s, 2, "night");
	cr_assert_eq(count(a.data, "<g class=\"tl-stack tl-s"), 2);
	cr_assert_not_null(strstr(a.data, "\"end\">80</text>"), "%s",
	    a.data);	/* 30 + 50 on a nice axis */
	cr_assert_not_null(strstr(a.data, ">cash</text>"));
	cr_assert_eq(count(a.data, "Z\"/>"), 2);
	tl_buf_release(&a);
}

/* a column per bin with its count in the title, the normal line through
 * the bins' centres */
Test(svg, hist)
{
	const size_t cnt[] = { 1, 4, 2 };
	const double nrm[] = { 1.2385, 3.1, 1.27 };
	struct tl_svg_chart c = { .id = "h", .title = "t", .unit = "days" };
	struct tl_buf a;

	tl_buf_init(&a);
	tl_svg_hist(&a, &c, -0.01, 0.01, cnt, nrm, 3, 100, "return, %",
	    "normal");
	cr_assert_eq(count(a.data, "<g class=\"tl-row\">"), 3);
	cr_assert_not_null(strstr(a.data, "<title>-1.00 to 0 : 1 day"
	    "</title>") != NULL ? "x" : strstr(a.data, "<title>-1.00 to "
	    "0: 1 day</title>"), "%s", a.data);
	cr_assert_not_null(strstr(a.data, "<title>0 to 1.00: 4 days"
	    "</title>"));
	cr_assert_eq(count(a.data, "<g class=\"tl-series tl-s1\">"), 1);
	cr_assert_not_null(strstr(a.data, ">return, %</text>"));
	cr_assert_not_null(strstr(a.data, ">normal</text>"));
	tl_buf_release(&a);
}
