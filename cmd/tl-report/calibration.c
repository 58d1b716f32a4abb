/*
 * tl-report: the calibration of the logged confidence scores
 * (calibration-report.json, tl-calibrate's report): Brier score, log-loss
 * and expected calibration error of the raw scores and, out of fold, of
 * the calibrated ones; the raw bin furthest from the diagonal; and the
 * reliability diagram with the binomial (Wilson) interval of each bin's
 * win rate as a whisker.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "tl_doc.h"
#include "tl_svg.h"
#include "tl_util.h"

#include "report.h"

#define BIN_MIN_N	30	/* reliability bins this full are compared */

/* the scores compared: as logged, and through the calibration map */
static const char *const parts[] = { "raw", "calibrated" };

/* A number of a row of the table at path where, its problems named
 * "where[].key": NaN if absent, null or not a number. */
static double
bin_num(struct src *s, const json_t *row, const char *where,
    const char *key, int required)
{
	char field[64];

	/* a longer name is cut, as issue() would cut it */
	if (snprintf(field, sizeof(field), "%s[].%s", where, key) < 0)
		field[0] = '\0';
	return num_named(s, json_object_get(row, key), field, required);
}

/* The reliability table of calibration-report.json (an array at path
 * where, or NULL) as facts: every bin, those without trades too (their
 * mean score, win rate and interval null).  Returns a new array, or null
 * when there is no table. */
static json_t *
bin_fields(struct src *s, const json_t *tab, const char *where)
{
	const json_t *row;
	json_t *out, *o;
	size_t i;
	double n;
	int full;

	if (tab == NULL)
		return json_null();
	out = json_array();
	json_array_foreach(tab, i, row) {
		if (!json_is_object(row)) {
			issue(s, where, "not an array of objects");
			continue;
		}
		o = json_object();
		n = bin_num(s, row, where, "n", 1);
		full = n > 0;
		putn(o, "lo", bin_num(s, row, where, "lo", 0));
		putn(o, "hi", bin_num(s, row, where, "hi", 0));
		putn(o, "n", n);
		putn(o, "mean_score", bin_num(s, row, where, "mean_score",
		    full));
		putn(o, "win_rate", bin_num(s, row, where, "win_rate", full));
		putn(o, "ci_lo", bin_num(s, row, where, "ci_lo", 0));
		putn(o, "ci_hi", bin_num(s, row, where, "ci_hi", 0));
		json_array_append_new(out, o);
	}
	return out;
}

/* calibration-report.json (tl-calibrate report) */
static void
calibration_fields(struct src *s, const json_t *in, json_t *f)
{
	const json_t *row;
	char key[64];
	size_t k, i;
	double worst = -1, d;

	putn(f, "n", get_num(s, in, "n", 1));
	putn(f, "wins", get_num(s, in, "wins", 0));
	puts_(f, "score", get_str(s, in, "score", 0));
	putn(f, "cv_folds", get_num(s, in, "cv.folds", 0));
	puts_(f, "cv_method", get_str(s, in, "cv.method", 0));
	puts_(f, "binning", get_str(s, in, "binning", 0));
	putn(f, "level", get_num(s, in, "level", 0));
	for (k = 0; k < TL_NELEM(parts); k++) {
		json_t *o;

		if (jpath(in, parts[k]) == NULL) {
			if (k == 0)
				issue(s, "raw", "missing");
			put(f, parts[k], json_null());
			continue;
		}
		o = json_object();
		snprintf(key, sizeof(key), "%s.brier", parts[k]);
		putn(o, "brier", get_num(s, in, key, 0));
		snprintf(key, sizeof(key), "%s.logloss", parts[k]);
		putn(o, "logloss", get_num(s, in, key, 0));
		snprintf(key, sizeof(key), "%s.ece", parts[k]);
		putn(o, "ece", get_num(s, in, key, 1));
		snprintf(key, sizeof(key), "%s.table", parts[k]);
		put(o, "bins", bin_fields(s, get_arr(s, in, key, 0), key));
		put(f, parts[k], o);
	}
	/* the raw reliability bin furthest from the diagonal */
	json_array_foreach(jpath(f, "raw.bins"), i, row) {
		double n = fnum(row, "n"), ms = fnum(row, "mean_score"),
		    wr = fnum(row, "win_rate");

		if (!(n >= BIN_MIN_N) || !isfinite(ms) || !isfinite(wr) ||
		    (d = fabs(ms - wr)) <= worst)
			continue;
		worst = d;
		put(f, "worst_bin", json_pack("{s:o,s:o,s:o,s:o,s:o}",
		    "lo", jnum(fnum(row, "lo")), "hi", jnum(fnum(row, "hi")),
		    "n", jnum(n), "mean_score", jnum(ms), "win_rate",
		    jnum(wr)));
	}
}

static void
load_calibration(struct night *n, struct sec *sec)
{
	struct src s = { .file = "calibration-report.json" };
	json_t *in;

	if ((in = read_json(n, sec, "calibration-report.json",
	    "tl-calibration-report")) != NULL) {
		calibration_fields(&s, in, sec->obj);
		src_flush(n, sec, &s);
		putn(sec->obj, "win_rate", fnum(sec->obj, "wins") /
		    fnum(sec->obj, "n"));
	}
	json_decref(in);
}

/* ---- the page --------------------------------------------------------- */

/* the reliability bins of part k of the calibration facts c, or NULL */
static const json_t *
bins_of(const json_t *c, size_t k)
{
	return json_object_get(json_object_get(c, parts[k]), "bins");
}

/* a reliability bin with trades, and so a point of the diagram */
static int
bin_has_trades(const json_t *bin)
{
	return fnum(bin, "n") > 0 && isfinite(fnum(bin, "mean_score")) &&
	    isfinite(fnum(bin, "win_rate"));
}

/* The points of the bins with trades of one part of the calibration
 * facts (mean score, win rate, its interval, the count as weight) and
 * their tooltips in lab[] (one tl_buf per bin, initialised here).
 * Returns the number of points. */
static size_t
reliability_points(const json_t *part, const char *level,
    struct tl_svg_point *pt, struct tl_buf *lab)
{
	const json_t *v;
	char x[3][TL_DOC_NUMSZ];
	char *lo_hi, *ci;
	size_t i, n = 0;

	json_array_foreach(json_object_get(part, "bins"), i, v) {
		if (!bin_has_trades(v))
			continue;
		pt[n].x = fnum(v, "mean_score");
		pt[n].y = fnum(v, "win_rate");
		pt[n].lo = fnum(v, "ci_lo");
		pt[n].hi = fnum(v, "ci_hi");
		pt[n].weight = fnum(v, "n");
		lo_hi = tl_doc_range(fnum(v, "lo"), fnum(v, "hi"), 2);
		ci = tl_doc_range(pt[n].lo, pt[n].hi, 3);
		tl_buf_init(&lab[n]);
		tl_buf_printf(&lab[n], "scores %s, mean score %s, win rate %s "
		    "(%s interval %s), %s trade%s", lo_hi, tl_doc_fmt_num(x[0],
		    pt[n].x, 3), tl_doc_fmt_num(x[1], pt[n].y, 3), level, ci,
		    tl_doc_fmt_int(x[2], pt[n].weight), pt[n].weight == 1 ?
		    "" : "s");
		free(lo_hi);
		free(ci);
		pt[n].label = lab[n].data;
		n++;
	}
	return n;
}

/* the reliability diagram's axes and series, for draw_xy */
struct xy_ctx {
	const struct tl_svg_xy		*a;	/* the axes */
	const struct tl_svg_xyseries	*s;	/* the series */
	size_t				 ns;	/* their number */
};

static void
draw_xy(struct tl_buf *b, const struct tl_svg_chart *c, const void *ctx)
{
	const struct xy_ctx *x = ctx;

	tl_svg_xy(b, c, x->a, x->s, x->ns);
}

/* The reliability diagram and table of the calibration facts c, or a
 * sentence that says why there are none. */
static void
doc_reliability(struct tl_doc *d, const json_t *c)
{
	struct xy_ctx xc;
	const char *head[] = { "Scores", "Bin", "Mean score", "Win rate",
		NULL, "n" };
	struct tl_svg_chart ch = { .id = "chart-calibration",
	    .unit = "observed win rate",
	    .title = "Reliability diagram: observed win rate against mean "
	    "score, per bin of scores" };
	struct tl_svg_xy ax = { .xunit = "mean score (logged confidence)",
	    .xlo = 0, .xhi = 1, .ylo = 0, .yhi = 1,
	    .ref = "perfect calibration" };
	struct tl_svg_xyseries ser[TL_NELEM(parts)];
	struct tl_svg_point *pt[TL_NELEM(parts)];
	struct tl_buf *lab[TL_NELEM(parts)], b, lev;
	size_t npt[TL_NELEM(parts)], k, i, nb, ns = 0;
	const json_t *bins, *v;
	struct tl_doc_block *t;
	char num[TL_DOC_NUMSZ], *cells[6];

	tl_buf_init(&b);
	tl_buf_init(&lev);
	if (isfinite(fnum(c, "level"))) {
		tl_doc_fmt_short(num, fnum(c, "level") * 100);
		tl_buf_printf(&lev, "%s%%", num);
	} else
		tl_buf_adds(&lev, "confidence");
	for (k = 0; k < TL_NELEM(parts); k++) {
		nb = json_array_size(bins_of(c, k));
		pt[k] = tl_xcalloc(nb + 1, sizeof(*pt[k]));
		lab[k] = tl_xcalloc(nb + 1, sizeof(*lab[k]));
		npt[k] = reliability_points(json_object_get(c, parts[k]),
		    lev.data, pt[k], lab[k]);
		if (npt[k] == 0)
			continue;
		ser[ns].name = parts[k];
		ser[ns].p = pt[k];
		ser[ns].n = npt[k];
		ns++;
	}
	if (ns == 0 && !json_is_array(bins_of(c, 0)) &&
	    !json_is_array(bins_of(c, 1)))
		tl_doc_addf(d, TL_DOC_P, "No reliability diagram: "
		    "calibration-report.json has no reliability table.");
	else if (ns == 0)
		tl_doc_addf(d, TL_DOC_P, "No reliability diagram: no "
		    "reliability bin in calibration-report.json has trades.");
	else {
		struct tl_buf desc, whisk;

		tl_buf_init(&desc);
		tl_buf_init(&whisk);
		tl_buf_printf(&whisk, "%s interval", lev.data);
		ax.whisker = whisk.data;
		tl_buf_printf(&desc, "Each point is a bin of trades by score: "
		    "across, the bin's mean score; up, the share of its trades "
		    "that won; the whisker, the %s binomial (Wilson) interval "
		    "of that share; the marker's area, the number of trades. "
		    "Points on the dashed diagonal are calibrated; below it, "
		    "the scores promised more than the trades won.", lev.data);
		ch.desc = desc.data;
		xc.a = &ax;
		xc.s = ser;
		xc.ns = ns;
		tl_doc_add_chart(d, &ch, draw_xy, &xc, NULL);
		tl_buf_release(&desc);
		tl_buf_release(&whisk);
	}
	if (json_is_object(json_object_get(c, "raw")) &&
	    !json_is_object(json_object_get(c, "calibrated")))
		tl_doc_addf(d, TL_DOC_P, "No calibrated scores: "
		    "calibration-report.json was written without a map or "
		    "cross-validation (tl-calibrate report -c or -k).");
	if (ns > 0) {
		tl_buf_printf(&b, "%s CI", lev.data);
		head[4] = b.data;
		t = tl_doc_add_table(d, "Reliability table (bins with trades)",
		    head, "llrrrr");
		tl_doc_table_scrolls(t);
		for (k = 0; k < TL_NELEM(parts); k++) {
			bins = bins_of(c, k);
			json_array_foreach(bins, i, v) {
				if (!bin_has_trades(v))
					continue;
				cells[0] = tl_xstrdup(parts[k]);
				cells[1] = tl_doc_range(fnum(v, "lo"), fnum(v,
				    "hi"), 2);
				cells[2] = tl_doc_num(fnum(v, "mean_score"), 3);
				cells[3] = tl_doc_num(fnum(v, "win_rate"), 3);
				cells[4] = tl_doc_range(fnum(v, "ci_lo"),
				    fnum(v, "ci_hi"), 3);
				cells[5] = tl_doc_int(fnum(v, "n"));
				tl_doc_add_row(t, cells, NULL);
			}
		}
	}
	for (k = 0; k < TL_NELEM(parts); k++) {
		for (i = 0; i < npt[k]; i++)
			tl_buf_release(&lab[k][i]);
		free(lab[k]);
		free(pt[k]);
	}
	tl_buf_release(&b);
	tl_buf_release(&lev);
}

static void
doc_calibration(struct tl_doc *d, const json_t *c, const struct night *n)
{
	static const char *const head[] = { "Scores", "Brier", "Log-loss",
		"ECE" };
	const json_t *p, *wb = json_object_get(c, "worst_bin");
	struct tl_doc_block *t = NULL;
	char x[5][TL_DOC_NUMSZ], *cells[4];
	struct tl_buf b;
	size_t k;

	(void)n;
	tl_buf_init(&b);
	tl_buf_printf(&b, "%s trades with a score, win rate %s; score ",
	    tl_doc_fmt_int(x[0], fnum(c, "n")), tl_doc_fmt_pct(x[1], fnum(c,
	    "win_rate"), 1));
	tl_doc_put_code(&b, fstr(c, "score"));
	if (isfinite(fnum(c, "cv_folds"))) {
		tl_buf_printf(&b, "; calibrated figures out of %s folds (",
		    tl_doc_fmt_int(x[0], fnum(c, "cv_folds")));
		tl_doc_put_text(&b, fstr(c, "cv_method"));
		tl_buf_adds(&b, ")");
	}
	tl_buf_addc(&b, '.');
	tl_doc_add(d, TL_DOC_P, &b);
	for (k = 0; k < TL_NELEM(parts); k++) {
		p = json_object_get(c, parts[k]);
		if (!json_is_object(p))
			continue;
		if (t == NULL)
			t = tl_doc_add_table(d, "Calibration of the confidence "
			    "scores (lower is better)", head, "lrrr");
		cells[0] = tl_xstrdup(parts[k]);
		cells[1] = tl_doc_num(fnum(p, "brier"), 4);
		cells[2] = tl_doc_num(fnum(p, "logloss"), 4);
		cells[3] = tl_doc_num(fnum(p, "ece"), 4);
		tl_doc_add_row(t, cells, NULL);
	}
	if (json_is_object(wb)) {
		tl_buf_printf(&b, "Furthest raw bin from the diagonal (of "
		    "those with at least %d trades): scores %s to %s, %s "
		    "trades, mean score %s, win rate %s.", BIN_MIN_N,
		    tl_doc_fmt_num(x[0], fnum(wb, "lo"), 2),
		    tl_doc_fmt_num(x[1], fnum(wb, "hi"), 2),
		    tl_doc_fmt_int(x[2], fnum(wb, "n")),
		    tl_doc_fmt_num(x[3], fnum(wb, "mean_score"), 3),
		    tl_doc_fmt_num(x[4], fnum(wb, "win_rate"), 3));
		tl_doc_add(d, TL_DOC_P, &b);
	}
	doc_reliability(d, c);
	tl_buf_release(&b);
}

const struct section calibration_section = {
	.name = "calibration", .title = "Calibration",
	.files = "calibration-report.json", .load = load_calibration,
	.show = doc_calibration, .step = "calibrate"
};
