/*
 * Probability calibration: isotonic regression by pool-adjacent-violators
 * and Platt scaling, and the scores that say how well calibrated a set of
 * probabilities is (Brier, log-loss, expected calibration error, the
 * reliability table with Wilson intervals).  Sources: Zadrozny & Elkan
 * (2002, KDD) for isotonic calibration, Platt (1999) for the sigmoid
 * p = 1 / (1 + exp(A f + B)), Brier (1950), Naeini, Cooper & Hauskrecht
 * (2015, AAAI) and Guo et al. (2017, ICML) for the expected calibration
 * error, Wilson (1927) for the interval.  The unit tests use the vectors
 * of scikit-learn's isotonic and brier_score_loss tests.
 */
#ifndef TL_CALIB_H
#define TL_CALIB_H

#include <stddef.h>

#include <jansson.h>

#include "tl_err.h"

/* Pool adjacent violators: the non-decreasing sequence closest to y in
 * weighted least squares.  y and w (NULL: all 1) have n entries, already
 * ordered by the score they belong to; the fit is written to out (may be
 * y).  O(n).  Weights must be > 0. */
void	tl_pav(const double *y, const double *w, size_t n, double *out);

/* An isotonic map: knots x[0] < ... < x[n-1] with values y[] (non-
 * decreasing); a score between knots is interpolated linearly, outside
 * them clipped to the end values. */
struct tl_iso {
	double	*x;		/* knot scores, increasing */
	double	*y;		/* calibrated probabilities, non-decreasing */
	size_t	 n;		/* number of knots */
};

/* Fit an isotonic map to (score, outcome 0/1) pairs: scores sorted (ties
 * pooled first, as scikit-learn does), then PAV; knots are the distinct
 * scores, less the inner ones of each flat run (the map is the same).  Returns 0, or -1 with err (TL_EX_DATAERR) if n is 0. */
int	tl_iso_fit(struct tl_iso *m, const double *score, const double *y,
	    size_t n, struct tl_err *err);
double	tl_iso_apply(const struct tl_iso *m, double score);
void	tl_iso_release(struct tl_iso *m);

/* Platt scaling: p = 1 / (1 + exp(a*s + b)), fit by Newton's method on
 * the cross-entropy against Platt's smoothed targets (N+ + 1)/(N+ + 2)
 * and 1/(N- + 2), until the gradient is below 1e-5 or the Newton step
 * below working precision (any number of rows: the decrease a step
 * brings is summed row by row).  Returns 0, or -1 with err
 * (TL_EX_DATAERR: one class only; TL_EX_SOFTWARE: no convergence). */
int	tl_platt_fit(const double *score, const double *y, size_t n,
	    double *a, double *b, struct tl_err *err);
double	tl_platt_apply(double a, double b, double score);

/* ---- calibration maps and their file -------------------------------- */

#define TL_CALIB_MAP_FORMAT	"tl-calibration-map"
#define TL_CALIB_MAP_VERSION	1
#define TL_CALIB_MIN_ROWS_MAX	1000000000	/* --min-rows at most */

enum tl_calib_method {
	TL_CALIB_ISOTONIC,	/* tl_iso_fit */
	TL_CALIB_PLATT		/* tl_platt_fit */
};

/* The method's name ("isotonic", "platt"; borrowed), and the method of a
 * name or -1. */
const char *tl_calib_method_name(enum tl_calib_method m);
int	tl_calib_method_parse(const char *s);
/* the methods by name, indexed by enum tl_calib_method (--method) */
extern const char *const tl_calib_method_names[];
extern const size_t tl_calib_nmethods;

/* One fitted map: isotonic knots or Platt's (a, b). */
struct tl_cmap {
	enum tl_calib_method method;	/* which */
	struct tl_iso	 iso;		/* isotonic */
	double		 a, b;		/* platt */
	size_t		 n;		/* rows it was fitted on */
};

/* Fit m (its old contents ignored) by method to n rows.  Returns 0, or
 * -1 with err as tl_iso_fit or tl_platt_fit. */
int	tl_cmap_fit(struct tl_cmap *m, enum tl_calib_method method,
	    const double *s, const double *y, size_t n, struct tl_err *err);
double	tl_cmap_apply(const struct tl_cmap *m, double s);

/* The calibration of tl-calibrate: a pooled map and one per group value
 * (names sorted), with the columns they were fitted on. */
struct tl_cal {
	enum tl_calib_method method;	/* of every map */
	struct tl_cmap	 pooled;	/* all rows */
	char		**gname;	/* group values, sorted */
	struct tl_cmap	*gmap;		/* their maps */
	size_t		 ng;		/* number of groups with a map */
	char		*score;		/* score column */
	char		*outcome;	/* outcome column */
	char		*by;		/* group column, or NULL */
	long		 min_rows;	/* rows for a group of its own */
	size_t		 n;		/* rows fitted on */
};

/* Free what c owns and zero it. */
void	tl_cal_release(struct tl_cal *c);

/* The map of group g (NULL: none), or the pooled one; borrowed. */
const struct tl_cmap *tl_cal_find(const struct tl_cal *c, const char *g);

/* c as the map file's one JSON object ("tl-calibration-map").  New. */
json_t	*tl_cal_json(const struct tl_cal *c);

/* Load the map file path into c (zeroed first).  Every value is checked:
 * a known method, score and outcome column names, min_rows as --min-rows
 * takes it, n >= 1 rows with the pooled map fitted on all of them and
 * each group's on min_rows..n; isotonic knots finite in [0, 1], strictly
 * increasing, values in [0, 1] non-decreasing; Platt's a and b finite.
 * Returns 0, or -1 with err: TL_EX_NOINPUT, TL_EX_DATAERR (where =
 * path) and c released (zeroed). */
int	tl_cal_load(struct tl_cal *c, const char *path, struct tl_err *err);

/* Mean of (p - y)^2. */
double	tl_brier(const double *p, const double *y, size_t n);

/* Mean of -(y log p + (1-y) log(1-p)), p clipped to [eps, 1-eps]. */
#define TL_LOGLOSS_EPS	1e-15	/* as scikit-learn's log_loss */
double	tl_logloss(const double *p, const double *y, size_t n);

/* One bin of a reliability table. */
struct tl_bin {
	double	lo, hi;		/* score range: (lo, hi], the first [lo, hi] */
	size_t	n;		/* rows in the bin */
	double	mean_p;		/* mean score */
	double	rate;		/* observed win rate */
	double	ci_lo, ci_hi;	/* Wilson interval of rate at level z */
};

enum tl_binning {
	TL_BINS_UNIFORM,	/* equal width on [0, 1] */
	TL_BINS_QUANTILE	/* equal mass: edges at score quantiles */
};

/* Reliability table of m bins (bins[] has m entries; empty bins get n 0)
 * and the expected calibration error sum_b (n_b/n) |rate_b - mean_p_b|.
 * Uniform bins are (e_{k-1}, e_k] with the first closed, as
 * sklearn.calibration_curve; quantile edges are the k/m quantiles of p.
 * z is the normal quantile of the interval (1.959964 for 95%).  Returns
 * the ECE; NaN when n is 0. */
double	tl_reliability(const double *p, const double *y, size_t n, size_t m,
	    enum tl_binning how, double z, struct tl_bin *bins);

#endif
