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
#include <stdlib.h>
#include <string.h>

#include "tl_num.h"
#include "tl_svg.h"
#include "tl_util.h"

#define FONT_PX		12	/* chart text size in viewBox units */
#define CHAR_W		7.6	/* estimated width of one character */
#define DEFAULT_W	480	/* viewBox width: scaled by the page */
#define LABEL_MAXCH	22	/* bar labels longer than this are elided */
#define LABEL_SHARE	0.36	/* and than this share of a chart's width */
#define LEGEND_MAXCH	18	/* legend names longer than this are elided */
#define XY_LEGEND_MAXCH	24	/* the same, beside an x-y plot */
#define TICK_GAP	10.0	/* least space between two tick labels */
#define TICK_EPS	1e-9	/* slack when a bound is a tick (0.3 / 0.1) */
#define MAX_DECIMALS	12	/* display rounding limit */
#define XY_PLOT_MAX	300	/* side of the square plot, at most */
#define XY_PLOT_MIN	200	/* less beside the legend: legend below */
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

/* path data: move to (x, y) */
static void
move_to(struct tl_buf *b, double x, double y)
{
	tl_buf_addc(b, 'M');
	coord(b, x);
	tl_buf_addc(b, ' ');
	coord(b, y);
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
	size_t i, k, z, maxlab = 1, maxval = 1, len, lmax;
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
	lmax = (size_t)((double)width * LABEL_SHARE / CHAR_W);
	lmax = lmax < LABEL_MAXCH ? lmax : LABEL_MAXCH;
	if (maxlab > lmax)
		maxlab = lmax;
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
		text_open(b, "tl-muted tl-cap", (x0 + x1) / 2, y + 30, "middle");
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
		text_elided(b, r->label != NULL ? r->label : "", lmax);
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

/* ---- value axes ------------------------------------------------------ */

#define AXIS_MAX	16	/* ticks an axis shows, at most */
#define LOG_PAD		1.02	/* a log axis reaches 2% beyond the data */

/* A value axis: its range and the ticks shown, linear (nice ticks, the
 * range theirs) or logarithmic (the data's range padded; ticks at 1, 2
 * and 5 times the powers of ten within it, or 1 and 5, or the 1s, the
 * first of those that is not too many; or nice linear ticks within it
 * when it holds fewer than two of those). */
struct axis {
	int	 logy;			/* positions by log10 */
	double	 lo, hi;		/* the range */
	size_t	 n;			/* ticks */
	double	 v[AXIS_MAX];		/* their values */
	char	 lab[AXIS_MAX][TL_SVG_NUMSZ];	/* and labels */
};

/* the ticks of t within [lo, hi] into a */
static void
axis_linear_ticks(struct axis *a, const struct tl_svg_ticks *t, double lo,
    double hi)
{
	size_t i;
	double v;

	for (i = 0; i < t->n && a->n < AXIS_MAX; i++) {
		v = tl_svg_tick_value(t, i);
		if (v < lo - TICK_EPS * t->step || v > hi + TICK_EPS * t->step)
			continue;
		a->v[a->n] = v;
		tl_svg_tick_label(a->lab[a->n], t, i);
		a->n++;
	}
}

static void
axis_make(struct axis *a, double lo, double hi, size_t maxticks, int logy)
{
	static const int mant[] = { 1, 2, 5 };
	struct tl_svg_ticks t;
	int e, e0, e1;
	size_t k, step;
	double v;

	memset(a, 0, sizeof(*a));
	a->logy = logy && lo > 0 && hi > 0 && isfinite(lo) && isfinite(hi);
	if (!a->logy) {
		tl_svg_ticks(lo, hi, maxticks, &t);
		a->lo = t.lo;
		a->hi = t.hi;
		axis_linear_ticks(a, &t, t.lo, t.hi);
		return;
	}
	a->lo = lo / LOG_PAD;
	a->hi = hi * LOG_PAD;
	e0 = decade(a->lo);
	e1 = decade(a->hi);
	/* 1, 2 and 5 in each decade; 1 and 5; the 1s: the first that is
	 * not too many */
	for (step = 1; step <= TL_NELEM(mant); step++) {
		a->n = 0;
		for (e = e0; e <= e1; e++)
			for (k = 0; k < TL_NELEM(mant); k += step) {
				v = stepval(mant[k], e);
				if (v < a->lo || v > a->hi || a->n == AXIS_MAX)
					continue;
				a->v[a->n] = v;
				tl_svg_fmt_sig(a->lab[a->n], v, 1);
				a->n++;
			}
		if (a->n <= maxticks)
			break;
	}
	if (a->n < 2) {
		a->n = 0;
		tl_svg_ticks(a->lo, a->hi, maxticks, &t);
		axis_linear_ticks(a, &t, a->lo, a->hi);
	}
}

/* where v is along a, from 0 (lo) to 1 (hi) */
static double
axis_pos(const struct axis *a, double v)
{
	if (a->logy)
		return (log10(v) - log10(a->lo)) / (log10(a->hi) -
		    log10(a->lo));
	return (v - a->lo) / (a->hi - a->lo);
}

/* ---- parts of plots -------------------------------------------------- */

/* The legend of nkeys coloured keys (class cls[k], or "tl-key tl-s(k)"
 * when cls is NULL) named names[k], laid out from (x0, y) in rows that
 * wrap at width; draw 0 only measures.  Returns the y of the last row. */
static double
key_legend(struct tl_buf *b, const char *const *cls,
    const char *const *names, size_t nkeys, double x0, double y, int width,
    int draw)
{
	char kc[48];
	double lx = x0, w;
	size_t k, len;

	for (k = 0; k < nkeys; k++) {
		len = tl_svg_strwidth(names[k]);
		w = 18 + (double)(len < LEGEND_MAXCH ? len : LEGEND_MAXCH) *
		    CHAR_W + 14;
		if (lx + w > width && lx > x0) {
			lx = x0;
			y += 18;
		}
		if (draw) {
			if (cls != NULL)
				snprintf(kc, sizeof(kc), "tl-key %s", cls[k]);
			else
				snprintf(kc, sizeof(kc), "tl-key tl-s%zu",
				    k % TL_SVG_NSERIES);
			rect(b, kc, lx, y - 10, 12, 10);
			text_open(b, "tl-text", lx + 18, y, NULL);
			text_elided(b, names[k], LEGEND_MAXCH);
			tl_buf_adds(b, "</text>\n");
		}
		lx += w;
	}
	return y;
}

/* x labels under a plot from ml, pw wide, at y (their centres at pos(i)),
 * thinned so that they do not overlap */
static void
x_labels(struct tl_buf *b, const char *const *xl, size_t nx, double y,
    double ml, double pw, int centred)
{
	double w = 0, xi, cw = nx > 0 ? pw / (double)nx : pw;
	size_t i, k;

	for (i = 0; i < nx; i++)
		w = fmax(w, (double)tl_svg_strwidth(xl[i]) * CHAR_W);
	k = label_stride(centred ? pw - cw : pw, nx, w);
	for (i = 0; i < nx; i += k) {
		xi = centred ? ml + cw * ((double)i + 0.5) : nx > 1 ? ml +
		    (double)i / (double)(nx - 1) * pw : ml + pw / 2;
		line(b, "tl-axis", xi, y, xi, y + 4);
		text_open(b, "tl-muted", xi, y + 17, "middle");
		tl_svg_escape(b, xl[i]);
		tl_buf_adds(b, "</text>\n");
	}
}

/* the widest of n labels, in viewBox units */
static double
labels_width(const char *const *l, size_t n)
{
	double w = 0;
	size_t i;

	for (i = 0; i < n; i++)
		w = fmax(w, (double)tl_svg_strwidth(l[i]) * CHAR_W);
	return w;
}

/* the y axis of a plot: grid lines, tick labels left of ml, the unit
 * above at top - 10 */
static void
y_axis(struct tl_buf *b, const struct tl_svg_chart *c, const struct axis *a,
    double ml, double pw, double top, double yb)
{
	size_t i;
	double y;

	for (i = 0; i < a->n; i++) {
		y = yb - axis_pos(a, a->v[i]) * (yb - top);
		line(b, a->v[i] == 0 ? "tl-axis" : "tl-grid", ml, y, ml + pw,
		    y);
		text_open(b, "tl-muted", ml - 6, y + 4, "end");
		tl_buf_adds(b, a->lab[i]);
		tl_buf_adds(b, "</text>\n");
	}
	if (c->unit != NULL) {
		text_open(b, "tl-muted tl-cap", ml, top - 10, NULL);
		tl_svg_escape(b, c->unit);
		tl_buf_adds(b, "</text>\n");
	}
}

/* the widest tick label of an axis */
static double
axis_width(const struct axis *a)
{
	double w = 0;
	size_t i;

	for (i = 0; i < a->n; i++)
		w = fmax(w, (double)tl_svg_strwidth(a->lab[i]) * CHAR_W);
	return w;
}

/* ---- line chart ------------------------------------------------------- */

#define LINE_PLOT_H	180	/* plot height */
#define STRIP_H		9	/* the timeline strip under the plot */

/* the legend keys of a line chart, laid out from (ml, *y) in rows that
 * wrap at width: the series, the shaded part, the strip's names (each
 * name once); draw 0 only measures.  Returns the y of the last row. */
static double
line_legend(struct tl_buf *b, const struct tl_svg_linex *x,
    const struct tl_svg_series *s, size_t ns, double ml, double y,
    int width, int draw)
{
	char cls[48];
	const char *name;
	double lx = ml, w;
	size_t j, k, i, nkeys = ns + (x->shade_to > 0 && x->shade_name !=
	    NULL) + x->nstrip;
	int kind;

	for (k = 0; k < nkeys; k++) {
		if (k < ns) {
			name = s[k].name;
			kind = 0;
		} else if (k == ns && x->shade_to > 0 && x->shade_name != NULL) {
			name = x->shade_name;
			kind = 1;
		} else {
			j = k - ns - (x->shade_to > 0 && x->shade_name != NULL);
			name = x->strip[j].name;
			kind = 2;
			/* each strip name once */
			for (i = 0; i < j && strcmp(x->strip[i].name, name) !=
			    0; i++)
				;
			if (i < j)
				continue;
		}
		w = 18 + (double)(tl_svg_strwidth(name) < LEGEND_MAXCH ?
		    tl_svg_strwidth(name) : LEGEND_MAXCH) * CHAR_W + 14;
		if (lx + w > width && lx > ml) {
			lx = ml;
			y += 18;
		}
		if (draw) {
			if (kind == 0) {
				snprintf(cls, sizeof(cls), "tl-key tl-s%zu%s",
				    k % TL_SVG_NSERIES, x->dashed >> k & 1 ?
				    " tl-dash" : "");
				rect(b, cls, lx, y - 8, 14, 4);
			} else if (kind == 1)
				rect(b, "tl-shade", lx, y - 11, 14, 10);
			else {
				snprintf(cls, sizeof(cls), "tl-band tl-b%zu",
				    x->strip[j].cls % TL_SVG_NBANDS);
				rect(b, cls, lx, y - 11, 14, 10);
			}
			text_open(b, "tl-text", lx + 18, y, NULL);
			text_elided(b, name, LEGEND_MAXCH);
			tl_buf_adds(b, "</text>\n");
		}
		lx += w;
	}
	return y;
}

void
tl_svg_lines(struct tl_buf *b, const struct tl_svg_chart *c,
    const char *const *xlabels, size_t nx, const struct tl_svg_series *s,
    size_t ns)
{
	static const struct tl_svg_linex none = { .ref = NAN };

	tl_svg_lines_x(b, c, &none, xlabels, nx, s, ns);
}

void
tl_svg_lines_x(struct tl_buf *b, const struct tl_svg_chart *c,
    const struct tl_svg_linex *x, const char *const *xlabels, size_t nx,
    const struct tl_svg_series *s, size_t ns)
{
	struct axis ax;
	char num[TL_SVG_NUMSZ], cls[48];
	double lo = INFINITY, hi = -INFINITY, ml, mr, top, ph = LINE_PLOT_H,
	    pw, h, yb, yt, w, last, y0, x0, x1;
	size_t i, j, k;
	int width = c->width > 0 ? c->width : DEFAULT_W, pen;

	for (j = 0; j < ns; j++)
		for (i = 0; i < nx; i++)
			if (isfinite(s[j].y[i]) && (!x->logy || s[j].y[i] > 0)) {
				lo = fmin(lo, s[j].y[i]);
				hi = fmax(hi, s[j].y[i]);
			}
	if (isfinite(x->ref)) {
		lo = fmin(lo, x->ref);
		hi = fmax(hi, x->ref);
	}
	if (x->area) {
		lo = fmin(lo, 0);
		hi = fmax(hi, 0);
	}
	if (!isfinite(lo))
		lo = hi = x->logy ? 1 : 0;
	top = c->unit != NULL ? 22 : 10;
	axis_make(&ax, lo, hi, 6, x->logy);
	w = labels_width(xlabels, nx);
	ml = fmax(axis_width(&ax) + 8, w / 2 + 2);
	mr = w / 2 + 4;
	pw = width - ml - mr;
	yb = top + ph;
	/* under the plot: the strip, the x labels, the x caption, the
	 * legend */
	yt = yb + (x->nstrip > 0 ? STRIP_H + 3 : 0);
	h = line_legend(b, x, s, ns, ml, yt + 36 + (x->xunit != NULL ? 16 :
	    0), width, 0);
	h += ns > 0 || x->nstrip > 0 || x->shade_to > 0 ? 8 : -14;
	svg_open(b, c, width, h, "tl-lines");
#define X(i) (nx > 1 ? ml + (double)(i) / (double)(nx - 1) * pw : ml + pw / 2)
#define Y(v) (yb - axis_pos(&ax, (v)) * ph)
	/* the shaded part: from the left edge to halfway before shade_to */
	if (x->shade_to > 0 && nx > 0) {
		x1 = x->shade_to >= nx ? ml + pw : (X(x->shade_to - 1) +
		    X(x->shade_to)) / 2;
		tl_buf_adds(b, "<g class=\"tl-shade\"><title>");
		tl_svg_escape(b, x->shade_name != NULL ? x->shade_name : "");
		tl_buf_adds(b, "</title>");
		rect(b, "tl-shade", ml, top, x1 - ml, ph);
		tl_buf_adds(b, "</g>\n");
	}
	y_axis(b, c, &ax, ml, pw, top, yb);
	line(b, "tl-axis", ml, yb, ml + pw, yb);
	if (isfinite(x->ref))
		line(b, "tl-ref", ml, Y(x->ref), ml + pw, Y(x->ref));
	/* the strip: a band per span, from halfway before to halfway
	 * after */
	for (k = 0; k < x->nstrip && nx > 0; k++) {
		const struct tl_svg_span *sp = &x->strip[k];

		if (sp->from >= nx || sp->to < sp->from)
			continue;
		x0 = sp->from == 0 ? ml : (X(sp->from - 1) + X(sp->from)) / 2;
		x1 = sp->to + 1 >= nx ? ml + pw : (X(sp->to) + X(sp->to +
		    1)) / 2;
		snprintf(cls, sizeof(cls), "tl-band tl-b%zu", sp->cls %
		    TL_SVG_NBANDS);
		tl_buf_adds(b, "<g><title>");
		tl_svg_escape(b, sp->name);
		tl_buf_adds(b, ": ");
		tl_svg_escape(b, xlabels[sp->from]);
		tl_buf_adds(b, " to ");
		tl_svg_escape(b, xlabels[sp->to < nx ? sp->to : nx - 1]);
		tl_buf_adds(b, "</title>");
		rect(b, cls, x0, yb + 3, x1 - x0, STRIP_H);
		tl_buf_adds(b, "</g>\n");
	}
	x_labels(b, xlabels, nx, yt, ml, pw, 0);
	if (x->xunit != NULL) {
		text_open(b, "tl-muted tl-cap", ml + pw / 2, yt + 33,
		    "middle");
		tl_svg_escape(b, x->xunit);
		tl_buf_adds(b, "</text>\n");
	}

	/* the series */
	for (j = 0; j < ns; j++) {
		snprintf(cls, sizeof(cls), "tl-series tl-s%zu%s",
		    j % TL_SVG_NSERIES, x->dashed >> j & 1 ? " tl-dash" : "");
		tl_buf_adds(b, "<g class=\"");
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
		tl_buf_adds(b, "</title>");
		if (j == 0 && x->area) {
			/* the area between the series and zero */
			y0 = Y(0.0);
			tl_buf_adds(b, "<path class=\"tl-area\" d=\"");
			pen = 0;
			for (i = 0; i <= nx; i++) {
				if (i < nx && isfinite(s[j].y[i])) {
					if (!pen) {
						move_to(b, X(i), y0);
						pen = 1;
					}
					tl_buf_addc(b, 'L');
					coord(b, X(i));
					tl_buf_addc(b, ' ');
					coord(b, Y(s[j].y[i]));
					continue;
				}
				if (pen) {
					tl_buf_addc(b, 'L');
					coord(b, X(i - 1));
					tl_buf_addc(b, ' ');
					coord(b, y0);
					tl_buf_addc(b, 'Z');
				}
				pen = 0;
			}
			tl_buf_adds(b, "\"/>");
		}
		tl_buf_adds(b, "<path d=\"");
		pen = 0;
		for (i = 0; i < nx; i++) {
			if (!isfinite(s[j].y[i]) || (x->logy &&
			    !(s[j].y[i] > 0))) {
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
	line_legend(b, x, s, ns, ml, yt + 36 + (x->xunit != NULL ? 16 : 0),
	    width, 1);
	tl_buf_adds(b, "</svg>\n");
#undef X
#undef Y
}

/* ---- stacked areas ------------------------------------------------- */

void
tl_svg_stacked(struct tl_buf *b, const struct tl_svg_chart *c,
    const char *const *xlabels, size_t nx, const struct tl_svg_series *s,
    size_t ns, const char *xunit)
{
	struct axis ax;
	const char **names = tl_xcalloc(ns + 1, sizeof(*names));
	double *cum = tl_xcalloc((ns + 1) * (nx + 1), sizeof(double)), top,
	    hi = 0, ml, mr, pw, ph = LINE_PLOT_H, yb, h, w, v;
	size_t i, j;
	int width = c->width > 0 ? c->width : DEFAULT_W;
	char cls[32];

	/* cum[j * nx + i]: the top of series j at i */
	for (i = 0; i < nx; i++)
		for (j = 0, v = 0; j < ns; j++) {
			if (isfinite(s[j].y[i]) && s[j].y[i] > 0)
				v += s[j].y[i];
			cum[j * nx + i] = v;
			hi = fmax(hi, v);
		}
	for (j = 0; j < ns; j++)
		names[j] = s[j].name;
	axis_make(&ax, 0, hi, 6, 0);
	top = c->unit != NULL ? 22 : 10;
	w = labels_width(xlabels, nx);
	ml = fmax(axis_width(&ax) + 8, w / 2 + 2);
	mr = w / 2 + 4;
	pw = width - ml - mr;
	yb = top + ph;
	h = key_legend(b, NULL, names, ns, ml, yb + 36 + (xunit != NULL ?
	    16 : 0), width, 0) + (ns > 0 ? 8 : -14);
	svg_open(b, c, width, h, "tl-stacked");
#define X(i) (nx > 1 ? ml + (double)(i) / (double)(nx - 1) * pw : ml + pw / 2)
#define Y(v) (yb - axis_pos(&ax, (v)) * ph)
	y_axis(b, c, &ax, ml, pw, top, yb);
	for (j = 0; j < ns && nx > 0; j++) {
		snprintf(cls, sizeof(cls), "tl-stack tl-s%zu",
		    j % TL_SVG_NSERIES);
		tl_buf_adds(b, "<g class=\"");
		tl_buf_adds(b, cls);
		tl_buf_adds(b, "\"><title>");
		tl_svg_escape(b, s[j].name);
		tl_buf_adds(b, "</title><path d=\"");
		/* along its top, back along the top of the one below */
		for (i = 0; i < nx; i++) {
			tl_buf_adds(b, i == 0 ? "M" : "L");
			coord(b, X(i));
			tl_buf_addc(b, ' ');
			coord(b, Y(cum[j * nx + i]));
		}
		for (i = nx; i-- > 0;) {
			tl_buf_addc(b, 'L');
			coord(b, X(i));
			tl_buf_addc(b, ' ');
			coord(b, Y(j > 0 ? cum[(j - 1) * nx + i] : 0.0));
		}
		tl_buf_adds(b, "Z\"/></g>\n");
	}
	line(b, "tl-axis", ml, yb, ml + pw, yb);
	x_labels(b, xlabels, nx, yb, ml, pw, 0);
	if (xunit != NULL) {
		text_open(b, "tl-muted tl-cap", ml + pw / 2, yb + 33, "middle");
		tl_svg_escape(b, xunit);
		tl_buf_adds(b, "</text>\n");
	}
	key_legend(b, NULL, names, ns, ml, yb + 36 + (xunit != NULL ? 16 : 0),
	    width, 1);
	tl_buf_adds(b, "</svg>\n");
#undef X
#undef Y
	free(cum);
	free(names);
}

/* ---- grid ------------------------------------------------------------- */

#define GRID_ROW_H	20	/* a row of cells */
#define GRID_ROW_MAXCH	18	/* row labels longer than this are elided */

const char *
tl_svg_scale(double v, double max, int is_signed)
{
	static const char *const pos[] = { "tl-dp1", "tl-dp2", "tl-dp3",
		"tl-dp4" }, *const neg[] = { "tl-dn1", "tl-dn2", "tl-dn3",
		"tl-dn4" }, *const seq[] = { "tl-q1", "tl-q2", "tl-q3",
		"tl-q4" };
	double k;
	size_t i;

	if (!isfinite(v))
		return NULL;
	if (!is_signed && v < 0)
		v = 0;
	if (v == 0 || !(max > 0))
		return is_signed ? "tl-d0" : "tl-q0";
	k = ceil(fabs(v) / max * TL_SVG_NSCALE);
	i = k < 1 ? 0 : k > TL_SVG_NSCALE ? TL_SVG_NSCALE - 1 : (size_t)k - 1;
	return !is_signed ? seq[i] : v > 0 ? pos[i] : neg[i];
}

void
tl_svg_grid(struct tl_buf *b, const struct tl_svg_chart *c,
    const char *const *rows, size_t nr, const char *const *cols, size_t nc,
    const struct tl_svg_cell *cells, const char *xunit,
    const char *const *keys, const char *const *names, size_t nkeys)
{
	double top, ml, mr, pw, cw, yb, h, w, x, y, lw;
	size_t r, k, maxch;
	int width = c->width > 0 ? c->width : DEFAULT_W;
	char cls[64];

	maxch = GRID_ROW_MAXCH;
	lw = 0;
	for (r = 0; r < nr; r++) {
		k = tl_svg_strwidth(rows[r]);
		lw = fmax(lw, (double)(k < maxch ? k : maxch) * CHAR_W);
	}
	top = c->unit != NULL ? 22 : 8;
	ml = lw + 10;
	w = labels_width(cols, nc);
	/* the first and last column labels stay inside the box */
	cw = nc > 0 ? (width - ml - 8) / (double)nc : 0;
	mr = fmax(8, w / 2 - cw / 2 + 2);
	pw = width - ml - mr;
	cw = nc > 0 ? pw / (double)nc : pw;
	if (cw < w)
		ml = fmax(ml, w / 2 + 2 - cw / 2);
	pw = width - ml - mr;
	cw = nc > 0 ? pw / (double)nc : pw;
	yb = top + GRID_ROW_H * (double)nr;
	h = (nkeys > 0 ? key_legend(b, keys, names, nkeys, ml, yb + 36 +
	    (xunit != NULL ? 16 : 0), width, 0) + 8 : yb + 26 + (xunit !=
	    NULL ? 16 : 0));
	svg_open(b, c, width, h, "tl-grid-chart");
	if (c->unit != NULL) {
		text_open(b, "tl-muted tl-cap", ml, top - 10, NULL);
		tl_svg_escape(b, c->unit);
		tl_buf_adds(b, "</text>\n");
	}
	for (r = 0; r < nr; r++) {
		y = top + GRID_ROW_H * (double)r;
		text_open(b, "tl-text", ml - 6, y + 14, "end");
		text_elided(b, rows[r], maxch);
		tl_buf_adds(b, "</text>\n");
		for (k = 0; k < nc; k++) {
			const struct tl_svg_cell *e = &cells[r * nc + k];

			if (e->cls == NULL)
				continue;
			x = ml + cw * (double)k;
			tl_buf_adds(b, "<g><title>");
			tl_svg_escape(b, rows[r]);
			tl_buf_adds(b, ", ");
			tl_svg_escape(b, cols[k]);
			if (e->title != NULL) {
				tl_buf_adds(b, ": ");
				tl_svg_escape(b, e->title);
			}
			tl_buf_adds(b, "</title>");
			snprintf(cls, sizeof(cls), "tl-cell %s", e->cls);
			rect(b, cls, x, y + 1, cw, GRID_ROW_H - 2);
			if (e->text != NULL && (double)tl_svg_strwidth(e->text) *
			    CHAR_W <= cw - 2) {
				text_open(b, e->cls, x + cw / 2, y + 14,
				    "middle");
				tl_svg_escape(b, e->text);
				tl_buf_adds(b, "</text>");
			}
			tl_buf_adds(b, "</g>\n");
		}
	}
	x_labels(b, cols, nc, yb + 2, ml, pw, 1);
	if (xunit != NULL) {
		text_open(b, "tl-muted tl-cap", ml + pw / 2, yb + 35, "middle");
		tl_svg_escape(b, xunit);
		tl_buf_adds(b, "</text>\n");
	}
	if (nkeys > 0)
		key_legend(b, keys, names, nkeys, ml, yb + 36 + (xunit !=
		    NULL ? 16 : 0), width, 1);
	tl_buf_adds(b, "</svg>\n");
}

/* ---- histogram -------------------------------------------------------- */

void
tl_svg_hist(struct tl_buf *b, const struct tl_svg_chart *c, double lo,
    double width, const size_t *count, const double *normal, size_t nb,
    double xscale, const char *xunit, const char *normal_name)
{
	static const char *const keycls[] = { "tl-bar", "tl-line-key" };
	const char *names[2];
	struct axis ay;
	struct tl_svg_ticks tx;
	char num[TL_SVG_NUMSZ], a1[TL_SVG_NUMSZ], a2[TL_SVG_NUMSZ];
	double hi = 0, top, ml, mr, pw, ph = LINE_PLOT_H, yb, h, x0, x1,
	    xlo = lo * xscale, xhi = (lo + width * (double)nb) * xscale, v;
	size_t i, k, nkeys = 1;
	int w = c->width > 0 ? c->width : DEFAULT_W, pen;

	for (i = 0; i < nb; i++) {
		hi = fmax(hi, (double)count[i]);
		if (isfinite(normal[i]))
			hi = fmax(hi, normal[i]);
	}
	axis_make(&ay, 0, hi, 6, 0);
	tl_svg_ticks(xlo, xhi, 6, &tx);
	names[0] = "days";
	if (normal_name != NULL)
		names[nkeys++] = normal_name;
	top = c->unit != NULL ? 22 : 10;
	ml = axis_width(&ay) + 8;
	mr = ticks_width(&tx) / 2 + 4;
	ml = fmax(ml, ticks_width(&tx) / 2 + 2);
	pw = w - ml - mr;
	yb = top + ph;
	h = key_legend(b, keycls, names, nkeys, ml, yb + 36 + (xunit !=
	    NULL ? 16 : 0), w, 0) + 8;
	svg_open(b, c, w, h, "tl-hist");
#define X(v) (ml + ((v) - tx.lo) / (tx.hi - tx.lo) * pw)
#define Y(v) (yb - axis_pos(&ay, (v)) * ph)
	y_axis(b, c, &ay, ml, pw, top, yb);
	for (i = 0; i < nb; i++) {
		x0 = X((lo + width * (double)i) * xscale);
		x1 = X((lo + width * (double)(i + 1)) * xscale);
		tl_svg_fmt_sig(a1, (lo + width * (double)i) * xscale, 3);
		tl_svg_fmt_sig(a2, (lo + width * (double)(i + 1)) * xscale, 3);
		tl_buf_printf(b, "<g class=\"tl-row\"><title>%s to %s: %zu "
		    "day%s</title>", a1, a2, count[i], count[i] == 1 ? "" :
		    "s");
		rect(b, "tl-bar", x0 + 0.5, Y((double)count[i]), fmax(x1 -
		    x0 - 1, 0.5), yb - Y((double)count[i]));
		tl_buf_adds(b, "</g>\n");
	}
	line(b, "tl-axis", ml, yb, ml + pw, yb);
	k = label_stride(pw, tx.n, ticks_width(&tx));
	for (i = 0; i < tx.n; i++) {
		v = tl_svg_tick_value(&tx, i);
		line(b, "tl-axis", X(v), yb, X(v), yb + 4);
		if (i % k != 0)
			continue;
		tl_svg_tick_label(num, &tx, i);
		text_open(b, "tl-muted", X(v), yb + 17, "middle");
		tl_buf_adds(b, num);
		tl_buf_adds(b, "</text>\n");
	}
	if (xunit != NULL) {
		text_open(b, "tl-muted tl-cap", ml + pw / 2, yb + 33, "middle");
		tl_svg_escape(b, xunit);
		tl_buf_adds(b, "</text>\n");
	}
	if (normal_name != NULL) {
		tl_buf_adds(b, "<g class=\"tl-series tl-s1\"><title>");
		tl_svg_escape(b, normal_name);
		tl_buf_adds(b, "</title><path d=\"");
		pen = 0;
		for (i = 0; i < nb; i++) {
			if (!isfinite(normal[i])) {
				pen = 0;
				continue;
			}
			tl_buf_adds(b, pen ? "L" : "M");
			coord(b, X((lo + width * ((double)i + 0.5)) * xscale));
			tl_buf_addc(b, ' ');
			coord(b, Y(normal[i]));
			pen = 1;
		}
		tl_buf_adds(b, "\"/></g>\n");
	}
	key_legend(b, keycls, names, nkeys, ml, yb + 36 + (xunit != NULL ?
	    16 : 0), w, 1);
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
	size_t i, j, k, nkeys;
	int width = c->width > 0 ? c->width : DEFAULT_W, pen, below;

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

	/* layout: y labels, the square plot, the legend on the right, or
	 * below when that leaves the plot less than XY_PLOT_MIN */
	top = c->unit != NULL ? 22 : 10;
	ml = ticks_width(&ty) + 10;
	for (j = 0; j < ns; j++)
		lw = fmax(lw, key_chars(s[j].name));
	lw = fmax(lw, fmax(key_chars(a->ref), key_chars(a->whisker)));
	lw = 30 + lw * CHAR_W;
	/* the last x label hangs half out of the plot */
	ps = fmin(width - ml - lw - 24, XY_PLOT_MAX);
	below = ps < XY_PLOT_MIN;
	if (below)
		ps = fmin(width - ml - ticks_width(&tx) / 2 - 4, XY_PLOT_MAX);
	ps = fmax(ps, 60);
	yb = top + ps;
	h = yb + (a->xunit != NULL ? 44 : 26);
	nkeys = ns + (a->ref != NULL) + (a->whisker != NULL);
	if (below)
		h += 20 * (double)nkeys;
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
		text_open(b, "tl-muted tl-cap", ml, top - 10, NULL);
		tl_svg_escape(b, c->unit);
		tl_buf_adds(b, "</text>\n");
	}
	if (a->xunit != NULL) {
		text_open(b, "tl-muted tl-cap", ml + ps / 2, yb + 36, "middle");
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
	x = below ? ml : ml + ps + 24;
	ly = below ? yb + (a->xunit != NULL ? 44 : 26) + 8 : top + 8;
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
".tl-chart .tl-s7 circle,.tl-chart .tl-s7 rect{fill:var(--tl-s7)}\n"
".tl-chart .tl-dash path{stroke-dasharray:6 4}\n"
".tl-chart .tl-shade{fill:var(--tl-shade)}\n"
".tl-chart path.tl-area{fill:var(--tl-neg);fill-opacity:.25;stroke:none}\n"
".tl-chart .tl-line-key{fill:var(--tl-s1)}\n"
".tl-chart .tl-stack path{stroke:var(--tl-bg);stroke-width:.5}\n"
".tl-chart .tl-stack.tl-s0 path{fill:var(--tl-s0)}"
".tl-chart .tl-stack.tl-s1 path{fill:var(--tl-s1)}"
".tl-chart .tl-stack.tl-s2 path{fill:var(--tl-s2)}"
".tl-chart .tl-stack.tl-s3 path{fill:var(--tl-s3)}\n"
".tl-chart .tl-stack.tl-s4 path{fill:var(--tl-s4)}"
".tl-chart .tl-stack.tl-s5 path{fill:var(--tl-s5)}"
".tl-chart .tl-stack.tl-s6 path{fill:var(--tl-s6)}"
".tl-chart .tl-stack.tl-s7 path{fill:var(--tl-s7)}\n"
".tl-chart .tl-b0{fill:var(--tl-b0)}.tl-chart .tl-b1{fill:var(--tl-b1)}"
".tl-chart .tl-b2{fill:var(--tl-b2)}.tl-chart .tl-b3{fill:var(--tl-b3)}"
".tl-chart .tl-b4{fill:var(--tl-b4)}.tl-chart .tl-b5{fill:var(--tl-b5)}\n"
".tl-chart .tl-d0,.tl-chart .tl-q0{fill:var(--tl-cell0)}"
".tl-chart text.tl-d0,.tl-chart text.tl-q0{fill:var(--tl-fg)}\n"
".tl-chart .tl-dp1{fill:var(--tl-dp1)}.tl-chart .tl-dp2{fill:var(--tl-dp2)}"
".tl-chart .tl-dp3{fill:var(--tl-dp3)}.tl-chart .tl-dp4{fill:var(--tl-dp4)}\n"
".tl-chart .tl-dn1{fill:var(--tl-dn1)}.tl-chart .tl-dn2{fill:var(--tl-dn2)}"
".tl-chart .tl-dn3{fill:var(--tl-dn3)}.tl-chart .tl-dn4{fill:var(--tl-dn4)}\n"
".tl-chart .tl-q1{fill:var(--tl-q1)}.tl-chart .tl-q2{fill:var(--tl-q2)}"
".tl-chart .tl-q3{fill:var(--tl-q3)}.tl-chart .tl-q4{fill:var(--tl-q4)}\n"
".tl-chart text.tl-dp1,.tl-chart text.tl-dn1,.tl-chart text.tl-q1{"
"fill:var(--tl-dt1)}"
".tl-chart text.tl-dp2,.tl-chart text.tl-dn2,.tl-chart text.tl-q2{"
"fill:var(--tl-dt2)}\n"
".tl-chart text.tl-dp3,.tl-chart text.tl-dn3,.tl-chart text.tl-q3{"
"fill:var(--tl-dt3)}"
".tl-chart text.tl-dp4,.tl-chart text.tl-dn4,.tl-chart text.tl-q4{"
"fill:var(--tl-dt4)}\n"
".tl-chart .tl-al-high{fill:var(--tl-high)}"
".tl-chart .tl-al-medium{fill:var(--tl-med)}"
".tl-chart .tl-al-low{fill:var(--tl-low)}"
".tl-chart .tl-al-ack{fill:var(--tl-prev)}\n";
}
