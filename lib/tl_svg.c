/*
 * SVG charts for the HTML report, and the display rounding of its figures.
 * Text widths are estimated, not measured (there is no font at hand): a
 * character counts as CHAR_W pixels at the FONT_PX size, which is on the
 * wide side for the sans-serif faces browsers pick, so that an estimated
 * fit is a real one.  Numbers are written with fixed decimals by
 * tl_svg_fmt_fixed, never with printf's %f (locale) or %g (shortest form
 * changes the width), so a chart's bytes depend on its data only; the
 * digits are written by tl_num's tl_fmt_decimal, as every fixed decimal.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tl_num.h"
#include "tl_svg.h"
#include "tl_util.h"

#define FONT_PX		12	/* chart text size in viewBox units */
#define CHAR_W		7.6	/* estimated width of one character */
#define DEFAULT_W	480	/* viewBox width: scaled by the page */
#define LABEL_MAXCH	22	/* bar labels longer than this are elided */
#define LEGEND_MAXCH	18	/* legend names longer than this are elided */
#define XY_LEGEND_MAXCH	24	/* the same, beside an x-y plot */
#define TICK_GAP	10.0	/* least space between two tick labels */
#define TICK_EPS	1e-9	/* slack when a bound is a tick (0.3 / 0.1) */
#define MAX_DECIMALS	12	/* display rounding limit */
#define XY_PLOT_MAX	300	/* side of the square plot, at most */
#define XY_R_MIN	2.5	/* marker radius of the smallest weight */
#define XY_R_MAX	7.0	/* and of the largest */
#define XY_CAP		3.0	/* half width of a whisker's ends */

static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
	1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
	1e20, 1e21, 1e22 };	/* exact doubles */

/* ---- display rounding ------------------------------------------------- */

int
tl_svg_fmt_fixed(char *buf, double x, int d)
{
	unsigned long long m;
	double a;

	if (!isfinite(x)) {
		snprintf(buf, TL_SVG_NUMSZ, "n/a");
		return -1;
	}
	if (d < 0)
		d = 0;
	if (d > MAX_DECIMALS)
		d = MAX_DECIMALS;
	a = fabs(x) * p10[d];
	if (a >= 9007199254740992.0)	/* 2^53: no longer an exact integer */
		return tl_fmt_double(buf, x);
	m = (unsigned long long)round(a);	/* half away from zero */
	return tl_fmt_decimal(buf, x < 0 && m > 0, m, d);
}

static double
pow10i(int e)
{
	if (e >= 0 && e <= 22)
		return p10[e];
	if (e < 0 && e >= -22)
		return 1 / p10[-e];
	return pow(10, e);
}

/* floor(log10(a)) for a > 0, exact at powers of ten (log10 may be one
 * ulp off there) */
static int
decade(double a)
{
	int e = (int)floor(log10(a));

	if (pow10i(e) > a)
		e--;
	else if (pow10i(e + 1) <= a)
		e++;
	return e;
}

int
tl_svg_fmt_sig(char *buf, double x, int sig)
{
	char m[TL_SVG_NUMSZ];
	double a, mant;
	int e, d;

	if (!isfinite(x)) {
		snprintf(buf, TL_SVG_NUMSZ, "n/a");
		return -1;
	}
	if (sig < 1)
		sig = 1;
	if (sig > MAX_DECIMALS)
		sig = MAX_DECIMALS;
	if (x == 0)
		return tl_fmt_decimal(buf, 0, 0, 0);
	a = fabs(x);
	e = decade(a);
	if (a < 1e-4) {
		mant = x / pow(10, e);
		tl_svg_fmt_fixed(m, mant, sig - 1);
		if (strncmp(m + (m[0] == '-'), "10", 2) == 0) {
			/* 9.996e-5 rounded up to 10.00: one decade up */
			e++;
			tl_svg_fmt_fixed(m, x / pow(10, e), sig - 1);
		}
		return snprintf(buf, TL_SVG_NUMSZ, "%se%d", m, e);
	}
	d = sig - 1 - e;
	return tl_svg_fmt_fixed(buf, x, d < 0 ? 0 : d);
}

/* ---- nice ticks ------------------------------------------------------- */

/* mant * 10^e, correctly rounded for |e| <= 22 */
static double
stepval(int mant, int e)
{
	return e >= 0 ? mant * pow10i(e) : mant / pow10i(-e);
}

void
tl_svg_ticks(double lo, double hi, size_t maxticks, struct tl_svg_ticks *t)
{
	static const int next[] = { 0, 2, 5, 0, 0, 10 };  /* 1, 2, 5, 10 */
	double raw, f, k0, k1, tmp;
	int mant, e;

	if (!isfinite(lo) || !isfinite(hi)) {
		lo = 0;
		hi = 1;
	}
	if (lo > hi) {
		tmp = lo;
		lo = hi;
		hi = tmp;
	}
	if (hi == lo) {
		if (lo == 0)
			hi = 1;
		else {
			tmp = fabs(lo) / 2;
			lo -= tmp;
			hi += tmp;
		}
	}
	if (maxticks < 3)	/* -step, 0, step: a range across 0 needs 3 */
		maxticks = 3;
	raw = (hi - lo) / (double)(maxticks - 1);
	e = decade(raw);
	f = raw / pow10i(e);
	mant = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
	for (;;) {
		if (mant == 10) {
			mant = 1;
			e++;
		}
		t->step = stepval(mant, e);
		k0 = floor(lo / t->step + TICK_EPS);
		k1 = ceil(hi / t->step - TICK_EPS);
		if (k1 <= k0)
			k1 = k0 + 1;
		if (k1 - k0 + 1 <= (double)maxticks)
			break;
		mant = next[mant];
	}
	t->mant = mant;
	t->exp10 = e;
	t->k0 = (long)k0;
	t->n = (size_t)(k1 - k0) + 1;
	t->lo = k0 * t->step;
	t->hi = k1 * t->step;
}

double
tl_svg_tick_value(const struct tl_svg_ticks *t, size_t i)
{
	return (double)(t->k0 + (long)i) * t->step;
}

int
tl_svg_tick_label(char *buf, const struct tl_svg_ticks *t, size_t i)
{
	long long m = (long long)(t->k0 + (long)i) * t->mant;
	unsigned long long a = m < 0 ? (unsigned long long)-m :
	    (unsigned long long)m;
	int len, z;

	if (t->exp10 < -15 || t->exp10 > 15)
		return tl_fmt_double(buf, tl_svg_tick_value(t, i));
	if (t->exp10 < 0)
		return tl_fmt_decimal(buf, m < 0, a, -t->exp10);
	len = tl_fmt_decimal(buf, m < 0, a, 0);
	if (m != 0)
		for (z = 0; z < t->exp10; z++)
			buf[len++] = '0';
	buf[len] = '\0';
	return len;
}

/* ---- text ------------------------------------------------------------- */

size_t
tl_svg_strwidth(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

int
tl_svg_elide(struct tl_buf *b, const char *s, size_t maxch)
{
	const char *p;
	size_t n = 0;

	if (tl_svg_strwidth(s) <= maxch) {
		tl_buf_adds(b, s);
		return 0;
	}
	if (maxch == 0)
		return 1;
	for (p = s; *p != '\0'; p++) {
		if (((unsigned char)*p & 0xC0) != 0x80 && n++ == maxch - 1)
			break;
	}
	tl_buf_add(b, s, (size_t)(p - s));
	tl_buf_adds(b, "\xE2\x80\xA6");	/* U+2026 … */
	return 1;
}

void
tl_svg_escape(struct tl_buf *b, const char *s)
{
	unsigned char c;

	for (; (c = (unsigned char)*s) != '\0'; s++) {
		switch (c) {
		case '&':
			tl_buf_adds(b, "&amp;");
			break;
		case '<':
			tl_buf_adds(b, "&lt;");
			break;
		case '>':
			tl_buf_adds(b, "&gt;");
			break;
		case '"':
			tl_buf_adds(b, "&quot;");
			break;
		case '\'':
			tl_buf_adds(b, "&#39;");
			break;
		default:
			if (c < 0x20 && c != '\t' && c != '\n')
				tl_buf_adds(b, "\xEF\xBF\xBD");
			else
				tl_buf_addc(b, (char)c);
		}
	}
}

/* ---- drawing helpers -------------------------------------------------- */

/* a coordinate: one decimal is plenty at viewBox scale */
static void
coord(struct tl_buf *b, double x)
{
	char num[TL_SVG_NUMSZ];

	tl_svg_fmt_fixed(num, x, 1);
	tl_buf_adds(b, num);
}

/* s elided to maxch and escaped */
static void
text_elided(struct tl_buf *b, const char *s, size_t maxch)
{
	struct tl_buf t;

	tl_buf_init(&t);
	tl_svg_elide(&t, s, maxch);
	tl_svg_escape(b, t.data);
	tl_buf_release(&t);
}

static void
svg_open(struct tl_buf *b, const struct tl_svg_chart *c, int w, double h,
    const char *kind)
{
	tl_buf_adds(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "class=\"tl-chart ");
	tl_buf_adds(b, kind);
	tl_buf_adds(b, "\" viewBox=\"0 0 ");
	coord(b, w);
	tl_buf_addc(b, ' ');
	coord(b, h);
	tl_buf_adds(b, "\" role=\"img\" id=\"");
	tl_svg_escape(b, c->id);
	tl_buf_adds(b, "\" aria-labelledby=\"");
	tl_svg_escape(b, c->id);
	tl_buf_adds(b, "-t");
	if (c->desc != NULL) {
		tl_buf_addc(b, ' ');
		tl_svg_escape(b, c->id);
		tl_buf_adds(b, "-d");
	}
	tl_buf_adds(b, "\">\n<title id=\"");
	tl_svg_escape(b, c->id);
	tl_buf_adds(b, "-t\">");
	tl_svg_escape(b, c->title != NULL ? c->title : "");
	tl_buf_adds(b, "</title>\n");
	if (c->desc != NULL) {
		tl_buf_adds(b, "<desc id=\"");
		tl_svg_escape(b, c->id);
		tl_buf_adds(b, "-d\">");
		tl_svg_escape(b, c->desc);
		tl_buf_adds(b, "</desc>\n");
	}
}

static void
line(struct tl_buf *b, const char *cls, double x1, double y1, double x2,
    double y2)
{
	tl_buf_adds(b, "<line class=\"");
	tl_buf_adds(b, cls);
	tl_buf_adds(b, "\" x1=\"");
	coord(b, x1);
	tl_buf_adds(b, "\" y1=\"");
	coord(b, y1);
	tl_buf_adds(b, "\" x2=\"");
	coord(b, x2);
	tl_buf_adds(b, "\" y2=\"");
	coord(b, y2);
	tl_buf_adds(b, "\"/>\n");
}

static void
rect(struct tl_buf *b, const char *cls, double x, double y, double w,
    double h)
{
	tl_buf_adds(b, "<rect class=\"");
	tl_buf_adds(b, cls);
	tl_buf_adds(b, "\" x=\"");
	coord(b, x);
	tl_buf_adds(b, "\" y=\"");
	coord(b, y);
	tl_buf_adds(b, "\" width=\"");
	coord(b, w);
	tl_buf_adds(b, "\" height=\"");
	coord(b, h);
	tl_buf_adds(b, "\"/>\n");
}

/* open a <text>; the caller adds the content and "</text>\n" */
static void
text_open(struct tl_buf *b, const char *cls, double x, double y,
    const char *anchor)
{
	tl_buf_adds(b, "<text class=\"");
	tl_buf_adds(b, cls);
	tl_buf_adds(b, "\" x=\"");
	coord(b, x);
	tl_buf_adds(b, "\" y=\"");
	coord(b, y);
	if (anchor != NULL) {
		tl_buf_adds(b, "\" text-anchor=\"");
		tl_buf_adds(b, anchor);
	}
	tl_buf_adds(b, "\">");
}

/* Tick labels along an axis of length len: draw every k-th label so that
 * labels of width labw keep TICK_GAP apart.  Returns k >= 1. */
static size_t
label_stride(double len, size_t n, double labw)
{
	double space;
	size_t k;

	if (n < 2)
		return 1;
	space = len / (double)(n - 1);
	for (k = 1; k < n && k * space < labw + TICK_GAP; k++)
		;
	return k;
}

/* ---- bar chart -------------------------------------------------------- */

/* a bar's value as the chart wants it */
static void
bar_num(char *buf, const struct tl_svg_chart *c, double x)
{
	if (c->sig > 0)
		tl_svg_fmt_sig(buf, x, c->sig);
	else
		tl_svg_fmt_fixed(buf, x, c->decimals);
}

/* the value column text of a bar */
static void
bar_value_text(struct tl_buf *b, const struct tl_svg_chart *c,
    const struct tl_svg_bar *r, int has_prev)
{
	char num[TL_SVG_NUMSZ];

	bar_num(num, c, r->value);
	tl_buf_adds(b, num);
	if (has_prev) {
		bar_num(num, c, r->prev);
		tl_buf_adds(b, " (");
		tl_buf_adds(b, num);
		tl_buf_addc(b, ')');
	}
}

void
tl_svg_bars(struct tl_buf *b, const struct tl_svg_chart *c,
    const struct tl_svg_bar *bars, size_t n)
{
	struct tl_svg_ticks t;
	struct tl_buf tmp;
	char num[TL_SVG_NUMSZ];
	double lo = 0, hi = 0, lw, vw, x0, x1, y, rowh, top, h, zx, w, labw;
	size_t i, k, z, maxlab = 1, maxval = 1, len;
	int has_prev = 0, width = c->width > 0 ? c->width : DEFAULT_W;

	tl_buf_init(&tmp);
	for (i = 0; i < n; i++) {
		if (isfinite(bars[i].prev))
			has_prev = 1;
	}
	for (i = 0; i < n; i++) {
		if (isfinite(bars[i].value)) {
			lo = fmin(lo, bars[i].value);
			hi = fmax(hi, bars[i].value);
		}
		if (isfinite(bars[i].prev)) {
			lo = fmin(lo, bars[i].prev);
			hi = fmax(hi, bars[i].prev);
		}
		len = tl_svg_strwidth(bars[i].label != NULL ? bars[i].label :
		    "");
		maxlab = len > maxlab ? len : maxlab;
		tl_buf_reset(&tmp);
		bar_value_text(&tmp, c, &bars[i], has_prev);
		len = tl_svg_strwidth(tmp.data);
		maxval = len > maxval ? len : maxval;
	}
	if (maxlab > LABEL_MAXCH)
		maxlab = LABEL_MAXCH;
	lw = (double)maxlab * CHAR_W + 12;
	vw = (double)maxval * CHAR_W + 8;
	x0 = lw;
	x1 = width - vw;
	rowh = has_prev ? 28 : 22;
	top = c->series[0] != NULL ? 24 : 6;
	h = top + rowh * (double)n + 22 + (c->unit != NULL ? 16 : 0);
	tl_svg_ticks(lo, hi, (size_t)((x1 - x0) / 40) + 1, &t);
#define X(v) (x0 + ((v) - t.lo) / (t.hi - t.lo) * (x1 - x0))
	svg_open(b, c, width, h, "tl-bars");

	/* legend */
	if (c->series[0] != NULL) {
		rect(b, "tl-bar", x0, 6, 10, 10);
		text_open(b, "tl-text", x0 + 14, 15, NULL);
		tl_svg_escape(b, c->series[0]);
		tl_buf_adds(b, "</text>\n");
		if (has_prev && c->series[1] != NULL) {
			w = x0 + 14 + (double)tl_svg_strwidth(c->series[0]) *
			    CHAR_W + 16;
			rect(b, "tl-prev", w, 8, 10, 6);
			text_open(b, "tl-text", w + 14, 15, NULL);
			tl_svg_escape(b, c->series[1]);
			tl_buf_adds(b, "</text>\n");
		}
	}

	/* grid and tick labels */
	y = top + rowh * (double)n;
	labw = 0;
	for (i = 0; i < t.n; i++) {
		len = (size_t)tl_svg_tick_label(num, &t, i);
		labw = fmax(labw, (double)len * CHAR_W);
	}
	k = label_stride(x1 - x0, t.n, labw);
	/* when labels are skipped, zero keeps its label */
	z = t.k0 <= 0 && t.k0 + (long)t.n > 0 ? (size_t)-t.k0 % k : 0;
	for (i = 0; i < t.n; i++) {
		w = X(tl_svg_tick_value(&t, i));
		line(b, "tl-grid", w, top - 2, w, y);
		if (i % k != z)
			continue;
		tl_svg_tick_label(num, &t, i);
		text_open(b, "tl-muted", w, y + 14, "middle");
		tl_buf_adds(b, num);
		tl_buf_adds(b, "</text>\n");
	}
	zx = X(0.0);
	if (c->unit != NULL) {
		text_open(b, "tl-muted", (x0 + x1) / 2, y + 30, "middle");
		tl_svg_escape(b, c->unit);
		tl_buf_adds(b, "</text>\n");
	}

	/* rows */
	for (i = 0; i < n; i++) {
		const struct tl_svg_bar *r = &bars[i];
		double ry = top + rowh * (double)i, v = r->value;

		tl_buf_adds(b, "<g class=\"tl-row\"><title>");
		tl_svg_escape(b, r->label != NULL ? r->label : "");
		tl_buf_adds(b, ": ");
		bar_num(num, c, v);
		tl_buf_adds(b, num);
		if (has_prev) {
			bar_num(num, c, r->prev);
			tl_buf_adds(b, " (");
			tl_svg_escape(b, c->series[1] != NULL ? c->series[1] :
			    "previous");
			tl_buf_adds(b, ": ");
			tl_buf_adds(b, num);
			tl_buf_addc(b, ')');
		}
		tl_buf_adds(b, "</title>\n");
		text_open(b, "tl-text", x0 - 6, ry + 15, "end");
		text_elided(b, r->label != NULL ? r->label : "", LABEL_MAXCH);
		tl_buf_adds(b, "</text>\n");
		if (isfinite(v) && X(v) != zx)
			rect(b, v < 0 ? "tl-bar tl-neg" : "tl-bar",
			    fmin(zx, X(v)), ry + 4, fabs(X(v) - zx), 13);
		if (isfinite(r->prev) && X(r->prev) != zx)
			rect(b, "tl-prev", fmin(zx, X(r->prev)), ry + 19,
			    fabs(X(r->prev) - zx), 6);
		text_open(b, "tl-text", width - 4, ry + 15, "end");
		tl_buf_reset(&tmp);
		bar_value_text(&tmp, c, r, has_prev);
		tl_buf_adds(b, tmp.data);
		tl_buf_adds(b, "</text></g>\n");
	}
	line(b, "tl-axis", zx, top - 2, zx, y);
	tl_buf_adds(b, "</svg>\n");
#undef X
	tl_buf_release(&tmp);
}

/* ---- line chart ------------------------------------------------------- */

void
tl_svg_lines(struct tl_buf *b, const struct tl_svg_chart *c,
    const char *const *xlabels, size_t nx, const struct tl_svg_series *s,
    size_t ns)
{
	struct tl_svg_ticks t;
	char num[TL_SVG_NUMSZ], cls[32];
	double lo = INFINITY, hi = -INFINITY, ml, mr, top, ph = 180,
	    pw, h, xl, yb, lx, ly, labw = 0, w, last;
	size_t i, j, k, len;
	int width = c->width > 0 ? c->width : DEFAULT_W, pen;

	for (j = 0; j < ns; j++)
		for (i = 0; i < nx; i++)
			if (isfinite(s[j].y[i])) {
				lo = fmin(lo, s[j].y[i]);
				hi = fmax(hi, s[j].y[i]);
			}
	if (!isfinite(lo))
		lo = hi = 0;
	top = c->unit != NULL ? 22 : 10;
	tl_svg_ticks(lo, hi, 6, &t);
	for (i = 0; i < t.n; i++) {
		len = (size_t)tl_svg_tick_label(num, &t, i);
		labw = fmax(labw, (double)len * CHAR_W);
	}
	ml = labw + 8;
	w = 0;
	for (i = 0; i < nx; i++) {
		len = tl_svg_strwidth(xlabels[i]);
		w = fmax(w, (double)len * CHAR_W);
	}
	ml = fmax(ml, w / 2 + 2);
	mr = w / 2 + 4;
	pw = width - ml - mr;
	yb = top + ph;

	/* legend layout first: its height is part of the viewBox */
	lx = ml;
	ly = yb + 36;
	for (j = 0; j < ns; j++) {
		len = tl_svg_strwidth(s[j].name);
		w = 18 + (double)(len < LEGEND_MAXCH ? len : LEGEND_MAXCH) *
		    CHAR_W + 14;
		if (lx + w > width && lx > ml) {
			lx = ml;
			ly += 18;
		}
		lx += w;
	}
	h = ly + (ns > 0 ? 8 : -14);
	svg_open(b, c, width, h, "tl-lines");
#define X(i) (nx > 1 ? ml + (double)(i) / (double)(nx - 1) * pw : ml + pw / 2)
#define Y(v) (yb - ((v) - t.lo) / (t.hi - t.lo) * ph)
	for (i = 0; i < t.n; i++) {
		double ty = Y(tl_svg_tick_value(&t, i));

		line(b, tl_svg_tick_value(&t, i) == 0 ? "tl-axis" : "tl-grid",
		    ml, ty, ml + pw, ty);
		tl_svg_tick_label(num, &t, i);
		text_open(b, "tl-muted", ml - 6, ty + 4, "end");
		tl_buf_adds(b, num);
		tl_buf_adds(b, "</text>\n");
	}
	line(b, "tl-axis", ml, yb, ml + pw, yb);
	w = 0;
	for (i = 0; i < nx; i++)
		w = fmax(w, (double)tl_svg_strwidth(xlabels[i]) * CHAR_W);
	k = label_stride(pw, nx, w);
	for (i = 0; i < nx; i += k) {
		xl = X(i);
		line(b, "tl-axis", xl, yb, xl, yb + 4);
		text_open(b, "tl-muted", xl, yb + 17, "middle");
		tl_svg_escape(b, xlabels[i]);
		tl_buf_adds(b, "</text>\n");
	}
	if (c->unit != NULL) {
		tl_buf_adds(b, "<text class=\"tl-muted\" x=\"");
		coord(b, ml);
		tl_buf_adds(b, "\" y=\"");
		coord(b, top - 10);
		tl_buf_adds(b, "\">");
		tl_svg_escape(b, c->unit);
		tl_buf_adds(b, "</text>\n");
	}

	/* the series */
	for (j = 0; j < ns; j++) {
		snprintf(cls, sizeof(cls), "tl-s%zu", j % TL_SVG_NSERIES);
		tl_buf_adds(b, "<g class=\"tl-series ");
		tl_buf_adds(b, cls);
		tl_buf_adds(b, "\"><title>");
		tl_svg_escape(b, s[j].name);
		last = NAN;
		for (i = nx; i > 0; i--)
			if (isfinite(s[j].y[i - 1])) {
				last = s[j].y[i - 1];
				break;
			}
		tl_buf_adds(b, ": last ");
		tl_svg_fmt_sig(num, last, 3);
		tl_buf_adds(b, num);
		tl_buf_adds(b, "</title><path d=\"");
		pen = 0;
		for (i = 0; i < nx; i++) {
			if (!isfinite(s[j].y[i])) {
				pen = 0;
				continue;
			}
			tl_buf_adds(b, pen ? "L" : "M");
			coord(b, X(i));
			tl_buf_addc(b, ' ');
			coord(b, Y(s[j].y[i]));
			pen = 1;
		}
		tl_buf_adds(b, "\"/></g>\n");
	}

	/* legend */
	lx = ml;
	ly = yb + 36;
	for (j = 0; j < ns; j++) {
		len = tl_svg_strwidth(s[j].name);
		w = 18 + (double)(len < LEGEND_MAXCH ? len : LEGEND_MAXCH) *
		    CHAR_W + 14;
		if (lx + w > width && lx > ml) {
			lx = ml;
			ly += 18;
		}
		snprintf(cls, sizeof(cls), "tl-key tl-s%zu",
		    j % TL_SVG_NSERIES);
		rect(b, cls, lx, ly - 8, 14, 4);
		text_open(b, "tl-text", lx + 18, ly, NULL);
		text_elided(b, s[j].name, LEGEND_MAXCH);
		tl_buf_adds(b, "</text>\n");
		lx += w;
	}
	tl_buf_adds(b, "</svg>\n");
#undef X
#undef Y
}

/* ---- x-y chart -------------------------------------------------------- */


/* a marker of series j at (x, y): a circle (even j) or a square (odd j)
 * of about the area of a circle of radius r, with the title "name: " and
 * the point's label or x and y; p NULL: no title (a legend key) */
static void
marker(struct tl_buf *b, size_t j, double x, double y, double r,
    const char *name, const struct tl_svg_point *p)
{
	char num[TL_SVG_NUMSZ];

	if (j % 2 == 0) {
		tl_buf_adds(b, "<circle cx=\"");
		coord(b, x);
		tl_buf_adds(b, "\" cy=\"");
		coord(b, y);
		tl_buf_adds(b, "\" r=\"");
		coord(b, r);
	} else {
		r *= 0.89;	/* sqrt(pi) / 2: the circle's area */
		tl_buf_adds(b, "<rect x=\"");
		coord(b, x - r);
		tl_buf_adds(b, "\" y=\"");
		coord(b, y - r);
		tl_buf_adds(b, "\" width=\"");
		coord(b, 2 * r);
		tl_buf_adds(b, "\" height=\"");
		coord(b, 2 * r);
	}
	if (p == NULL) {
		tl_buf_adds(b, "\"/>\n");
		return;
	}
	tl_buf_adds(b, "\"><title>");
	tl_svg_escape(b, name != NULL ? name : "");
	tl_buf_adds(b, ": ");
	if (p->label != NULL)
		tl_svg_escape(b, p->label);
	else {
		tl_svg_fmt_sig(num, p->x, 3);
		tl_buf_adds(b, num);
		tl_buf_adds(b, ", ");
		tl_svg_fmt_sig(num, p->y, 3);
		tl_buf_adds(b, num);
	}
	tl_buf_adds(b, j % 2 == 0 ? "</title></circle>\n" :
	    "</title></rect>\n");
}

/* path data: move to (x, y) */
static void
move_to(struct tl_buf *b, double x, double y)
{
	tl_buf_addc(b, 'M');
	coord(b, x);
	tl_buf_addc(b, ' ');
	coord(b, y);
}

/* a whisker at x from y0 to y1 with short ends, as path data */
static void
whisker(struct tl_buf *b, double x, double y0, double y1)
{
	move_to(b, x, y0);
	tl_buf_addc(b, 'V');
	coord(b, y1);
	move_to(b, x - XY_CAP, y0);
	tl_buf_addc(b, 'H');
	coord(b, x + XY_CAP);
	move_to(b, x - XY_CAP, y1);
	tl_buf_addc(b, 'H');
	coord(b, x + XY_CAP);
}

/* the widest tick label of t, in viewBox units */
static double
ticks_width(const struct tl_svg_ticks *t)
{
	char num[TL_SVG_NUMSZ];
	double w = 0;
	size_t i;

	for (i = 0; i < t->n; i++)
		w = fmax(w, (double)tl_svg_tick_label(num, t, i) * CHAR_W);
	return w;
}

/* characters of a legend name beside an x-y plot (NULL: none) */
static double
key_chars(const char *name)
{
	size_t len = name != NULL ? tl_svg_strwidth(name) : 0;

	return (double)(len < XY_LEGEND_MAXCH ? len : XY_LEGEND_MAXCH);
}

/* widen [*lo, *hi] to v if v is finite */
static void
cover(double *lo, double *hi, double v)
{
	if (isfinite(v)) {
		*lo = fmin(*lo, v);
		*hi = fmax(*hi, v);
	}
}

void
tl_svg_xy(struct tl_buf *b, const struct tl_svg_chart *c,
    const struct tl_svg_xy *a, const struct tl_svg_xyseries *s, size_t ns)
{
	struct tl_svg_ticks tx, ty;
	char num[TL_SVG_NUMSZ], cls[32];
	double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY,
	    yhi = -INFINITY, wmax = 0, ml, top, ps, lw = 0, yb, h, v, r, x,
	    y, v0, v1, ly;
	size_t i, j, k;
	int width = c->width > 0 ? c->width : DEFAULT_W, pen;

	cover(&xlo, &xhi, a->xlo);
	cover(&xlo, &xhi, a->xhi);
	cover(&ylo, &yhi, a->ylo);
	cover(&ylo, &yhi, a->yhi);
	for (j = 0; j < ns; j++)
		for (i = 0; i < s[j].n; i++) {
			const struct tl_svg_point *p = &s[j].p[i];

			if (!isfinite(p->x) || !isfinite(p->y))
				continue;
			cover(&xlo, &xhi, p->x);
			cover(&ylo, &yhi, p->y);
			cover(&ylo, &yhi, p->lo);
			cover(&ylo, &yhi, p->hi);
			if (isfinite(p->weight) && p->weight > wmax)
				wmax = p->weight;
		}
	if (!isfinite(xlo))
		xlo = xhi = 0;
	if (!isfinite(ylo))
		ylo = yhi = 0;
	tl_svg_ticks(xlo, xhi, 6, &tx);
	tl_svg_ticks(ylo, yhi, 6, &ty);

	/* layout: y labels, the square plot, the legend on the right */
	top = c->unit != NULL ? 22 : 10;
	ml = ticks_width(&ty) + 10;
	for (j = 0; j < ns; j++)
		lw = fmax(lw, key_chars(s[j].name));
	lw = fmax(lw, fmax(key_chars(a->ref), key_chars(a->whisker)));
	lw = 30 + lw * CHAR_W;
	/* the last x label hangs half out of the plot */
	ps = fmin(width - ml - lw - 24, XY_PLOT_MAX);
	ps = fmax(ps, 60);
	yb = top + ps;
	h = yb + (a->xunit != NULL ? 44 : 26);
	svg_open(b, c, width, h, "tl-xy");
#define X(v) (ml + ((v) - tx.lo) / (tx.hi - tx.lo) * ps)
#define Y(v) (yb - ((v) - ty.lo) / (ty.hi - ty.lo) * ps)

	/* grid, axes and tick labels */
	for (i = 0; i < ty.n; i++) {
		y = Y(tl_svg_tick_value(&ty, i));
		line(b, "tl-grid", ml, y, ml + ps, y);
		tl_svg_tick_label(num, &ty, i);
		text_open(b, "tl-muted", ml - 6, y + 4, "end");
		tl_buf_adds(b, num);
		tl_buf_adds(b, "</text>\n");
	}
	k = label_stride(ps, tx.n, ticks_width(&tx));
	for (i = 0; i < tx.n; i++) {
		x = X(tl_svg_tick_value(&tx, i));
		line(b, "tl-grid", x, top, x, yb);
		if (i % k != 0)
			continue;
		tl_svg_tick_label(num, &tx, i);
		text_open(b, "tl-muted", x, yb + 17, "middle");
		tl_buf_adds(b, num);
		tl_buf_adds(b, "</text>\n");
	}
	line(b, "tl-axis", ml, yb, ml + ps, yb);
	line(b, "tl-axis", ml, top, ml, yb);
	if (c->unit != NULL) {
		text_open(b, "tl-muted", ml, top - 10, NULL);
		tl_svg_escape(b, c->unit);
		tl_buf_adds(b, "</text>\n");
	}
	if (a->xunit != NULL) {
		text_open(b, "tl-muted", ml + ps / 2, yb + 36, "middle");
		tl_svg_escape(b, a->xunit);
		tl_buf_adds(b, "</text>\n");
	}

	/* y = x where both axes have it */
	v0 = fmax(tx.lo, ty.lo);
	v1 = fmin(tx.hi, ty.hi);
	if (a->ref != NULL && v0 < v1) {
		tl_buf_adds(b, "<g class=\"tl-ref\"><title>");
		tl_svg_escape(b, a->ref);
		tl_buf_adds(b, "</title>");
		line(b, "tl-ref", X(v0), Y(v0), X(v1), Y(v1));
		tl_buf_adds(b, "</g>\n");
	}

	/* the series: whiskers, line, markers */
	for (j = 0; j < ns; j++) {
		const struct tl_svg_point *p = s[j].p;

		snprintf(cls, sizeof(cls), "tl-s%zu", j % TL_SVG_NSERIES);
		tl_buf_adds(b, "<g class=\"tl-series ");
		tl_buf_adds(b, cls);
		tl_buf_adds(b, "\"><title>");
		tl_svg_escape(b, s[j].name != NULL ? s[j].name : "");
		tl_buf_adds(b, "</title>\n");
		pen = 0;
		for (i = 0; i < s[j].n; i++) {
			if (!isfinite(p[i].x) || !isfinite(p[i].y) ||
			    !isfinite(p[i].lo) || !isfinite(p[i].hi))
				continue;
			if (!pen)
				tl_buf_adds(b, "<path class=\"tl-ci\" d=\"");
			pen = 1;
			whisker(b, X(p[i].x), Y(p[i].lo), Y(p[i].hi));
		}
		if (pen)
			tl_buf_adds(b, "\"/>\n");
		tl_buf_adds(b, "<path d=\"");
		pen = 0;
		for (i = 0; i < s[j].n; i++) {
			if (!isfinite(p[i].x) || !isfinite(p[i].y)) {
				pen = 0;
				continue;
			}
			tl_buf_adds(b, pen ? "L" : "M");
			coord(b, X(p[i].x));
			tl_buf_addc(b, ' ');
			coord(b, Y(p[i].y));
			pen = 1;
		}
		tl_buf_adds(b, "\"/>\n");
		for (i = 0; i < s[j].n; i++) {
			if (!isfinite(p[i].x) || !isfinite(p[i].y))
				continue;
			v = isfinite(p[i].weight) && p[i].weight > 0 &&
			    wmax > 0 ? sqrt(p[i].weight / wmax) : 0;
			r = XY_R_MIN + (XY_R_MAX - XY_R_MIN) * v;
			marker(b, j, X(p[i].x), Y(p[i].y), r, s[j].name,
			    &p[i]);
		}
		tl_buf_adds(b, "</g>\n");
	}

	/* legend: a line with the series' marker, the reference, the
	 * whiskers */
	x = ml + ps + 24;
	ly = top + 8;
	for (j = 0; j < ns; j++, ly += 20) {
		snprintf(cls, sizeof(cls), "tl-series tl-key tl-s%zu",
		    j % TL_SVG_NSERIES);
		tl_buf_adds(b, "<g class=\"");
		tl_buf_adds(b, cls);
		tl_buf_adds(b, "\"><path d=\"M");
		coord(b, x);
		tl_buf_addc(b, ' ');
		coord(b, ly);
		tl_buf_adds(b, "H");
		coord(b, x + 20);
		tl_buf_adds(b, "\"/>\n");
		marker(b, j, x + 10, ly, XY_R_MIN + 1.5, NULL, NULL);
		tl_buf_adds(b, "</g>\n");
		text_open(b, "tl-text", x + 26, ly + 4, NULL);
		text_elided(b, s[j].name != NULL ? s[j].name : "",
		    XY_LEGEND_MAXCH);
		tl_buf_adds(b, "</text>\n");
	}
	if (a->ref != NULL) {
		line(b, "tl-ref", x, ly, x + 20, ly);
		text_open(b, "tl-text", x + 26, ly + 4, NULL);
		text_elided(b, a->ref, XY_LEGEND_MAXCH);
		tl_buf_adds(b, "</text>\n");
		ly += 20;
	}
	if (a->whisker != NULL) {
		tl_buf_adds(b, "<path class=\"tl-ci tl-key\" d=\"");
		whisker(b, x + 10, ly - 7, ly + 7);
		tl_buf_adds(b, "\"/>\n");
		text_open(b, "tl-text", x + 26, ly + 4, NULL);
		text_elided(b, a->whisker, XY_LEGEND_MAXCH);
		tl_buf_adds(b, "</text>\n");
	}
	tl_buf_adds(b, "</svg>\n");
#undef X
#undef Y
}

const char *
tl_svg_style(void)
{
	return
".tl-chart{display:block;width:100%;max-width:640px;height:auto;"
"font:12px system-ui,sans-serif}\n"
".tl-chart .tl-text{fill:var(--tl-fg)}\n"
".tl-chart .tl-muted{fill:var(--tl-muted)}\n"
".tl-chart .tl-grid{stroke:var(--tl-grid);stroke-width:1}\n"
".tl-chart .tl-axis{stroke:var(--tl-muted);stroke-width:1}\n"
".tl-chart .tl-bar{fill:var(--tl-bar)}\n"
".tl-chart .tl-bar.tl-neg{fill:var(--tl-neg)}\n"
".tl-chart .tl-prev{fill:var(--tl-prev)}\n"
".tl-chart .tl-series path{fill:none;stroke-width:2;"
"stroke-linejoin:round}\n"
".tl-chart .tl-s0 path{stroke:var(--tl-s0)}"
".tl-chart rect.tl-s0{fill:var(--tl-s0)}\n"
".tl-chart .tl-s1 path{stroke:var(--tl-s1)}"
".tl-chart rect.tl-s1{fill:var(--tl-s1)}\n"
".tl-chart .tl-s2 path{stroke:var(--tl-s2)}"
".tl-chart rect.tl-s2{fill:var(--tl-s2)}\n"
".tl-chart .tl-s3 path{stroke:var(--tl-s3)}"
".tl-chart rect.tl-s3{fill:var(--tl-s3)}\n"
".tl-chart .tl-s4 path{stroke:var(--tl-s4)}"
".tl-chart rect.tl-s4{fill:var(--tl-s4)}\n"
".tl-chart .tl-s5 path{stroke:var(--tl-s5)}"
".tl-chart rect.tl-s5{fill:var(--tl-s5)}\n"
".tl-chart .tl-s6 path{stroke:var(--tl-s6)}"
".tl-chart rect.tl-s6{fill:var(--tl-s6)}\n"
".tl-chart .tl-s7 path{stroke:var(--tl-s7)}"
".tl-chart rect.tl-s7{fill:var(--tl-s7)}\n"
".tl-chart .tl-ref{stroke:var(--tl-muted);stroke-width:1.5;"
"stroke-dasharray:5 4}\n"
".tl-chart .tl-series path.tl-ci{stroke-width:1.25;stroke-opacity:.7}\n"
".tl-chart path.tl-ci.tl-key{fill:none;stroke:var(--tl-fg);"
"stroke-width:1.25}\n"
".tl-chart .tl-series circle,.tl-chart .tl-series rect{"
"stroke:var(--tl-bg);stroke-width:1}\n"
".tl-chart .tl-s0 circle,.tl-chart .tl-s0 rect{fill:var(--tl-s0)}\n"
".tl-chart .tl-s1 circle,.tl-chart .tl-s1 rect{fill:var(--tl-s1)}\n"
".tl-chart .tl-s2 circle,.tl-chart .tl-s2 rect{fill:var(--tl-s2)}\n"
".tl-chart .tl-s3 circle,.tl-chart .tl-s3 rect{fill:var(--tl-s3)}\n"
".tl-chart .tl-s4 circle,.tl-chart .tl-s4 rect{fill:var(--tl-s4)}\n"
".tl-chart .tl-s5 circle,.tl-chart .tl-s5 rect{fill:var(--tl-s5)}\n"
".tl-chart .tl-s6 circle,.tl-chart .tl-s6 rect{fill:var(--tl-s6)}\n"
".tl-chart .tl-s7 circle,.tl-chart .tl-s7 rect{fill:var(--tl-s7)}\n";
}
