/*
 * A small SVG chart writer for self-contained HTML reports: horizontal bar
 * charts (with an optional second, "yesterday" bar per row), line
 * charts of several series over a shared list of x labels (dates), and
 * x-y charts of points on two numeric axes (a reliability diagram).  Axes
 * carry ticks at round numbers (1, 2 or 5 times a power of ten, Heckbert's
 * "nice numbers"), labels are elided with "…" or skipped so that they never
 * overlap, every chart and mark has a <title> for screen readers and
 * tooltips, and colours come from CSS classes only (tl-bar, tl-prev,
 * tl-s0..tl-s7, tl-axis, tl-grid, tl-ref, tl-ci, tl-text, tl-muted), so
 * that the page's style sheet decides the theme.  The output depends
 * only on the input: every coordinate and label goes through the fixed,
 * locale-free display rounding below.
 *
 * The display rounding is also what a report's text prints (tl_doc's
 * figures are built on it): the figures in a report are rounded for
 * people, in one documented way; the full-precision numbers stay in the
 * JSON (tl_fmt_double).  Its digits are written by tl_fmt_decimal.
 */
#ifndef TL_SVG_H
#define TL_SVG_H

#include <stddef.h>

#include "tl_util.h"

#define TL_SVG_NUMSZ	48	/* display number buffer, with the NUL */
#define TL_SVG_NSERIES	8	/* line colours tl-s0..tl-s7, then again */

/* ---- display rounding -------------------------------------------------- */

/* Round x to d decimals (0..12) for display: the scaled magnitude
 * |x|*10^d (one IEEE multiplication) rounded half away from zero, printed
 * with exactly d decimals and '.' whatever the locale; a result of zero
 * has no sign ("0.00", never "-0.00").  Magnitudes at or beyond 2^53 after
 * scaling fall back to tl_fmt_double.  NaN and infinities write "n/a" and
 * return -1; otherwise returns the length.  buf holds TL_SVG_NUMSZ. */
int	tl_svg_fmt_fixed(char *buf, double x, int d);

/* Round x to sig (1..12) significant digits for display: d decimals
 * where d = sig - 1 - floor(log10|x|), clamped to 0..12 (so integers keep
 * all their digits), through tl_svg_fmt_fixed; magnitudes below 1e-4 use
 * the form "1.23e-5" (mantissa with sig - 1 decimals).  0 is "0". */
int	tl_svg_fmt_sig(char *buf, double x, int sig);

/* ---- nice ticks ------------------------------------------------------- */

struct tl_svg_ticks {
	long	k0;		/* first tick is k0 * step */
	size_t	n;		/* number of ticks, 2 or more */
	int	mant;		/* step = mant * 10^exp10, mant 1, 2 or 5 */
	int	exp10;		/* its power of ten */
	double	step;		/* mant * 10^exp10 */
	double	lo, hi;		/* first and last tick: the axis range */
};

/* Ticks at round numbers covering [lo, hi], at most maxticks of them
 * (taken as 3 if smaller: a range across zero needs -step, 0, step):
 * the step is the smallest 1, 2 or 5 times 10^k that is at least
 * (hi - lo) / (maxticks - 1) and gives no more than maxticks ticks from
 * floor(lo / step) to ceil(hi / step) (Heckbert's loose labelling,
 * Graphics Gems, 1990, with a ceiling instead of rounding so that the
 * count is a bound).  lo > hi is swapped; a non-finite range becomes
 * [0, 1], an empty one [0, 1] around 0 or half the value either side. */
void	tl_svg_ticks(double lo, double hi, size_t maxticks,
	    struct tl_svg_ticks *t);

/* The value of tick i ((k0 + i) * step). */
double	tl_svg_tick_value(const struct tl_svg_ticks *t, size_t i);

/* The label of tick i, exact in decimal: "0.15", "-20", "1500", never
 * "0.30000000000000004".  Returns the length; buf holds TL_SVG_NUMSZ. */
int	tl_svg_tick_label(char *buf, const struct tl_svg_ticks *t, size_t i);

/* ---- text ------------------------------------------------------------- */

/* Number of UTF-8 characters (code points) of s. */
size_t	tl_svg_strwidth(const char *s);

/* Append s to b, at most maxch characters: a longer s is cut at a
 * character boundary and ends with "…" (maxch characters in all).
 * Returns 1 if s was elided, else 0. */
int	tl_svg_elide(struct tl_buf *b, const char *s, size_t maxch);

/* Append s to b escaped for XML/HTML text and attribute values: & < > "
 * ' become entities; control characters other than tab and newline
 * (invalid in XML 1.0) become U+FFFD. */
void	tl_svg_escape(struct tl_buf *b, const char *s);

/* ---- charts ----------------------------------------------------------- */

/* What every chart has.  Strings are borrowed for the call. */
struct tl_svg_chart {
	const char	*id;		/* id prefix, unique in the page */
	const char	*title;		/* the chart's <title> */
	const char	*desc;		/* its <desc>, or NULL */
	const char	*unit;		/* value axis caption, or NULL */
	const char	*series[2];	/* bars: legend names of value and
					 * prev ("today", "yesterday"), NULL:
					 * no legend */
	int		 width;		/* viewBox width (0: 640) */
	int		 decimals;	/* bar value labels: decimals... */
	int		 sig;		/* ...or, if > 0, significant digits */
};

/* One row of a bar chart. */
struct tl_svg_bar {
	const char	*label;		/* row label, elided to fit */
	double		 value;		/* NaN: no bar, "n/a" */
	double		 prev;		/* second, thinner bar; NaN: none */
};

/* Append a horizontal bar chart of n rows to b: labels on the left, the
 * value (and the prev value in parentheses) on the right, a zero line
 * and nice ticks at the bottom; negative values extend to the left. */
void	tl_svg_bars(struct tl_buf *b, const struct tl_svg_chart *c,
	    const struct tl_svg_bar *bars, size_t n);

/* One series of a line chart: y[0..nx) over the chart's x labels; NaN is
 * a gap. */
struct tl_svg_series {
	const char	*name;		/* legend and <title> */
	const double	*y;		/* nx values */
};

/* Append a line chart of ns series over nx x labels (dates) to b, with
 * nice y ticks, x labels thinned so that they do not overlap, and a
 * legend.  Series i gets class tl-s(i % TL_SVG_NSERIES).  The same as
 * tl_svg_lines_x() with no extras. */
void	tl_svg_lines(struct tl_buf *b, const struct tl_svg_chart *c,
	    const char *const *xlabels, size_t nx,
	    const struct tl_svg_series *s, size_t ns);

#define TL_SVG_NBANDS	6	/* band colours tl-b0..tl-b5, then again */

/* A span of x labels [from, to] (indices, inclusive) in a band colour. */
struct tl_svg_span {
	size_t		 from, to;	/* first and last x index */
	size_t		 cls;		/* colour: tl-b(cls % TL_SVG_NBANDS) */
	const char	*name;		/* legend (once per name) and title */
};

/* What a line chart may have besides its series.  Strings are borrowed
 * for the call. */
struct tl_svg_linex {
	const struct tl_svg_span *strip;	/* a timeline of spans under the
					 * plot (market regimes) */
	size_t		 nstrip;	/* their number */
	size_t		 shade_to;	/* x indices [0, shade_to) shaded (a
					 * backtest before live days); 0:
					 * none */
	const char	*shade_name;	/* the shaded part's legend */
	int		 logy;		/* a logarithmic y axis (values <= 0
					 * are gaps); ticks at 1, 2, 5 x 10^k */
	int		 area;		/* fill between series 0 and zero (a
					 * drawdown) */
	unsigned	 dashed;	/* bit j: series j dashed (a benchmark) */
	const char	*xunit;		/* x axis caption, or NULL */
	double		 ref;		/* a dashed line at y = ref; NaN: none */
};

/* Append a line chart as tl_svg_lines() with the extras of x: the shaded
 * part behind the series, the strip under the plot, the area, a log
 * axis, dashed series, a reference line and an x caption; every part
 * named has a legend key. */
void	tl_svg_lines_x(struct tl_buf *b, const struct tl_svg_chart *c,
	    const struct tl_svg_linex *x, const char *const *xlabels,
	    size_t nx, const struct tl_svg_series *s, size_t ns);

/* Append a stacked area chart of ns series (each y[i] >= 0, NaN as 0) over
 * nx x labels: series 0 at the bottom, each on the ones before, the
 * top of the stack at most its nice y axis; x labels thinned, xunit as
 * the x caption (or NULL), a legend that wraps.  Series i gets class
 * tl-s(i % TL_SVG_NSERIES). */
void	tl_svg_stacked(struct tl_buf *b, const struct tl_svg_chart *c,
	    const char *const *xlabels, size_t nx,
	    const struct tl_svg_series *s, size_t ns, const char *xunit);

/* A cell of a grid chart: its colour class, the text in it (NULL: none;
 * left out when it does not fit) and its tooltip (NULL: none). */
struct tl_svg_cell {
	const char	*cls;		/* CSS class, e.g. tl_svg_scale()'s;
					 * NULL: an empty cell */
	const char	*text;		/* borrowed */
	const char	*title;		/* borrowed */
};

/* Append a grid (heat map, timeline) of nr rows by nc columns to b:
 * cells[r * nc + c], row labels on the left (elided), column labels at
 * the bottom thinned so that they do not overlap, xunit as the x caption
 * (or NULL), the chart's unit above, and a legend of the nkeys classes
 * keys[] named names[] (nkeys 0: none). */
void	tl_svg_grid(struct tl_buf *b, const struct tl_svg_chart *c,
	    const char *const *rows, size_t nr, const char *const *cols,
	    size_t nc, const struct tl_svg_cell *cells, const char *xunit,
	    const char *const *keys, const char *const *names, size_t nkeys);

#define TL_SVG_NSCALE	4	/* steps of tl_svg_scale each side of 0 */

/* The colour class of v on a scale to max (> 0): diverging "tl-dn4" ..
 * "tl-d0" .. "tl-dp4" for v in [-max, max] (signed), or sequential
 * "tl-q0" .. "tl-q4" for v in [0, max] (unsigned): steps of max /
 * TL_SVG_NSCALE, rounded away from zero so that any v other than 0 is
 * coloured.  NaN: NULL.  Borrowed, static. */
const char *tl_svg_scale(double v, double max, int is_signed);

/* Append a histogram to b: nb bins from lo, each width wide, with count[]
 * as columns and normal[] (expected counts, NaN: none) as a line over
 * them; x values are shown times xscale (100: percent) on nice ticks, the x caption xunit, the y axis counts (the chart's unit).
 * The line's legend is normal_name (NULL: no line). */
void	tl_svg_hist(struct tl_buf *b, const struct tl_svg_chart *c,
	    double lo, double width, const size_t *count,
	    const double *normal, size_t nb, double xscale,
	    const char *xunit, const char *normal_name);

/* One point of an x-y chart. */
struct tl_svg_point {
	double		 x, y;		/* NaN in either: no point, a gap */
	double		 lo, hi;	/* whisker on y from lo to hi; NaN:
					 * none */
	double		 weight;	/* marker area grows with it (a
					 * count); NaN or <= 0: smallest */
	const char	*label;		/* <title> after "name: ", NULL:
					 * "x, y" */
};

/* One series of an x-y chart: points joined in the order given. */
struct tl_svg_xyseries {
	const char			*name;	/* legend and <title> */
	const struct tl_svg_point	*p;	/* n points */
	size_t				 n;	/* their number */
};

/* The axes of an x-y chart.  Strings are borrowed for the call. */
struct tl_svg_xy {
	const char	*xunit;		/* x axis caption, or NULL (the y
					 * caption is the chart's unit) */
	double		 xlo, xhi;	/* x axis at least this range; NaN:
					 * the data's */
	double		 ylo, yhi;	/* y axis likewise */
	const char	*ref;		/* legend name of the dashed line
					 * y = x, NULL: no line */
	const char	*whisker;	/* legend name of the whiskers, NULL:
					 * none in the legend */
};

/* Append an x-y chart of ns series to b: a square plot with nice ticks on
 * both axes covering the axes' ranges and all points and whiskers, the
 * reference line y = x across the plot if a->ref is set, then per series
 * its whiskers, a line through its points and a marker per point (circles
 * for even series, squares for odd ones, so that colour is not the only
 * difference), each marker with a <title>; the legend stands right of the
 * plot.  Marker radius goes with the square root of weight / the largest
 * weight of the chart.  Series i gets class tl-s(i % TL_SVG_NSERIES). */
void	tl_svg_xy(struct tl_buf *b, const struct tl_svg_chart *c,
	    const struct tl_svg_xy *a, const struct tl_svg_xyseries *s,
	    size_t ns);

/* The CSS rules for the chart classes (borrowed, static).  Colours are
 * custom properties the page sets per theme: --tl-fg, --tl-muted,
 * --tl-grid, --tl-bar, --tl-neg, --tl-prev, --tl-bg (the marker
 * outline), --tl-s0 .. --tl-s7 (series), --tl-shade, --tl-b0 .. --tl-b5
 * (bands), --tl-cell0, --tl-dp1 .. 4, --tl-dn1 .. 4 and --tl-q1 .. 4
 * (grid cells: diverging and sequential), --tl-dt1 .. 4 (the text on
 * those cells, step by step) and --tl-high, --tl-med, --tl-low (alert
 * severities). */
const char *tl_svg_style(void);

#endif
