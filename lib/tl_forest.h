/*
 * Random forests for tl-train-forest: a table read from JSON rows (dotted
 * columns, numbers, booleans and strings), pre-binned features (at most
 * 255 quantile bins plus one for missing values), trees grown depth first
 * with per-node histograms, out-of-bag estimates, impurity and OOB
 * permutation importance, a compact model file and prediction.
 * Trees are independent tasks on a pool of threads; each draws from its
 * own tl_rng stream, so models and predictions do not depend on the
 * number of threads.
 */
#ifndef TL_FOREST_H
#define TL_FOREST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "tl_err.h"
#include "tl_progress.h"
#include "tl_jv.h"

#define TL_FOREST_FORMAT	"tl-forest-model"
#define TL_FOREST_SUMMARY	"tl-forest-summary"
#define TL_FOREST_VERSION	2	/* 2: tree_bytes and checksum */
#define TL_FOREST_SUMMARY_VERSION 1
#define TL_FOREST_MAX_FEATURES	65535	/* feature index in a node: 16 bits */
#define TL_FOREST_MAX_CLASSES	1024	/* beyond that it is not a class */
#define TL_FOREST_MAX_BINS	255	/* value bins; bin 255 is "missing" */

enum tl_forest_task {
	TL_FOREST_AUTO = 0,	/* from the target's type */
	TL_FOREST_REGRESSION,	/* variance reduction, mean of leaves */
	TL_FOREST_CLASSIFICATION	/* Gini, mean of leaf class shares */
};

struct tl_forest_params {
	enum tl_forest_task task;	/* forced, or AUTO */
	size_t	 trees;		/* number of trees */
	size_t	 mtry;		/* features tried per node; 0: sqrt(p) */
	size_t	 min_leaf;	/* least (bootstrap) rows in a leaf; 0:
				 * 5 regression, 1 classification */
	size_t	 max_depth;	/* 0: unlimited */
	double	 sample_fraction; /* rows drawn per tree / rows; 0: 1 with
				 * replacement, 0.632 without */
	int	 bootstrap;	/* draw with replacement */
	uint64_t seed;		/* every random choice derives from it */
	int	 threads;	/* worker threads (>= 1) */
	int	 permutation;	/* compute OOB permutation importance */
	struct tl_progress *progress;	/* counts the trees grown, or NULL;
					 * borrowed, not saved */
};

#define TL_FOREST_PARAMS_DEFAULT { TL_FOREST_AUTO, 500, 0, 0, 0, 0, 1, 1, \
	1, 1, NULL }

/* ---- the table ------------------------------------------------------ */

struct tl_fdata;

struct tl_fdata *tl_fdata_alloc(void);		/* new */
void	tl_fdata_free(struct tl_fdata *d);	/* accepts NULL */

/* Add the row in d's parse of JSON text s[0..n) (an object).  Nested
 * objects give dotted columns; null is a missing value; a column holds
 * numbers, booleans or strings, not a mix; arrays are not features.
 * Returns 0, or -1 with err = TL_EX_DATAERR at name:line. */
int	tl_fdata_add(struct tl_fdata *d, const char *s, size_t n,
	    const char *name, unsigned long line, struct tl_err *err);

size_t	tl_fdata_rows(const struct tl_fdata *d);

/* ---- training -------------------------------------------------------- */

struct tl_forest;

/* Which columns are features: every column but the target, unless
 * include (n_include > 0) names them; exclude removes some.  Patterns are
 * exact names or prefixes ending in '*' ("genome.*"). */
struct tl_fselect {
	const char *const *include;	/* patterns, or NULL */
	size_t	 n_include;
	const char *const *exclude;	/* patterns, or NULL */
	size_t	 n_exclude;
};

/* Train a forest on d.  Rows without a target are skipped (counted in
 * the summary).  Returns new forest, or NULL with err: TL_EX_DATAERR for a
 * missing or constant target, fewer than 2 rows, no feature, a pattern
 * of include that matches no column; TL_EX_USAGE for impossible
 * parameters (--mtry above the number of features).  Warnings (columns
 * left out) go to warn() when it is not NULL. */
struct tl_forest *tl_forest_train(const struct tl_fdata *d,
	    const char *target, const struct tl_fselect *sel,
	    const struct tl_forest_params *p,
	    void (*warn)(const char *fmt, ...), struct tl_err *err);

void	tl_forest_free(struct tl_forest *f);	/* accepts NULL */

/* The training summary ("tl-forest-summary"): options, OOB figures, the
 * mean baseline, importances sorted in decreasing order.  New. */
json_t	*tl_forest_summary(const struct tl_forest *f);

/* ---- model files ---------------------------------------------------- */

/* Write f to fp: one line of JSON (format, version, features with their
 * bin bounds and categories, classes, options, OOB figures), then the
 * trees in binary.  Returns 0, or -1 with err (TL_EX_IOERR). */
int	tl_forest_save(const struct tl_forest *f, FILE *fp, const char *name,
	    struct tl_err *err);

/* Read a model file (version 1 or 2).  Nothing is allocated by a count
 * before it is checked against the bytes there are; every node is
 * checked (flags, children, feature, bin within the feature's bins) and
 * every leaf value (finite; class shares in [0, 1] summing to 1); the
 * header's features (named once, known type, finite increasing bounds,
 * distinct categories) and classes; version 2's tree_bytes and CRC-32
 * of the trees.  A version 1 model loads with a warning through warn
 * (when not NULL).  Returns new forest, or NULL with err: TL_EX_NOINPUT
 * (cannot open), TL_EX_IOERR, TL_EX_DATAERR (tl_json_load_versioned's
 * refusals, "damaged model: ..."). */
struct tl_forest *tl_forest_load(const char *path,
	    void (*warn)(const char *fmt, ...), struct tl_err *err);

/* Write the whole model as one JSON object to fp (for jq). */
int	tl_forest_dump(const struct tl_forest *f, FILE *fp,
	    struct tl_err *err);

/* ---- prediction ----------------------------------------------------- */

enum tl_forest_task tl_forest_task(const struct tl_forest *f);
size_t	tl_forest_nfeatures(const struct tl_forest *f);
const char *tl_forest_feature(const struct tl_forest *f, size_t i);
size_t	tl_forest_nclasses(const struct tl_forest *f);	/* 0: regression */
/* The class label as JSON text ("\"buy\"", "true", "3"); borrowed. */
const char *tl_forest_class_json(const struct tl_forest *f, size_t k);
/* The class label as a string (for object keys); borrowed. */
const char *tl_forest_class_name(const struct tl_forest *f, size_t k);

/* What a row lacks of a model's features, from tl_forest_row. */
struct tl_forest_gaps {
	size_t	nmissing;	/* features absent from the row, or null */
	size_t	first_missing;	/* the lowest such feature index */
	size_t	nunknown;	/* categories no training row had */
	size_t	first_unknown;	/* the lowest such feature index */
};

/* The bins of a row: bins has tl_forest_nfeatures() bytes.  Features
 * absent from the row (or null) and categories the training rows never
 * had are both predicted as missing, and counted apart in *g: a category
 * the search space allows but no run tried is not a missing feature.
 * Returns 0, or -1 with err (TL_EX_DATAERR: invalid JSON, not an object,
 * a value of the wrong type). */
int	tl_forest_row(const struct tl_forest *f, struct tl_jdoc *doc,
	    const char *s, size_t n, const char *name, unsigned long line,
	    uint8_t *bins, struct tl_forest_gaps *g, struct tl_err *err);

/* Predict one row of bins.  Regression: *mean over trees and *sd, the
 * standard deviation of the trees' predictions.  Classification: prob
 * (tl_forest_nclasses() values) is the mean of the leaves' class shares
 * and *mean the index of the most probable class (the first on ties),
 * *sd unset. */
void	tl_forest_predict(const struct tl_forest *f, const uint8_t *bins,
	    double *mean, double *sd, double *prob);

/* Threads used by tl_forest_predict_batch() (a loaded model: 1). */
void	tl_forest_set_threads(struct tl_forest *f, int threads);

/* The same for m rows at once (bins: m rows of tl_forest_nfeatures()
 * bytes; mean, sd: m values; prob: m * nclasses), tree by tree so that
 * each tree is read once per batch: the same results, much faster. */
void	tl_forest_predict_batch(const struct tl_forest *f,
	    const uint8_t *bins, size_t m, double *mean, double *sd,
	    double *prob);

/* The same on the calling thread alone, for callers that run their own
 * threads over parts of the rows. */
void	tl_forest_predict_rows(const struct tl_forest *f,
	    const uint8_t *bins, size_t m, double *mean, double *sd,
	    double *prob);

/* ---- reading the trees ---------------------------------------------- */

/* A node of a tree as tl_forest_tree_node() gives it.  A row goes left
 * at a split when its bin of feature feat is <= bin (a missing value:
 * when missing_left). */
struct tl_forest_node {
	int		 leaf;		/* 1: a leaf, 0: a split */
	size_t		 feat;		/* split: the feature */
	unsigned	 bin;		/* split: bins <= bin go left */
	int		 missing_left;	/* split: missing values go left */
	size_t		 left, right;	/* split: the children's nodes */
	const double	*value;		/* leaf: its mean (regression), or
					 * its tl_forest_nclasses() class
					 * shares; borrowed from the forest */
};

size_t	tl_forest_ntrees(const struct tl_forest *f);

/* The nodes of tree t (< tl_forest_ntrees()); node 0 is the root. */
size_t	tl_forest_tree_nodes(const struct tl_forest *f, size_t t);

/* Node i (< tl_forest_tree_nodes()) of tree t into *nd. */
void	tl_forest_tree_node(const struct tl_forest *f, size_t t, size_t i,
	    struct tl_forest_node *nd);

/* The value bins of feature j: bin b < nbound holds the values (category
 * ranks for strings) x <= bound[b] and above bound[b - 1]; the last bin,
 * nbound, those above bound[nbound - 1].  Returns bound (borrowed, may be
 * NULL when *nbound is 0), *nbound set. */
const double *tl_forest_bounds(const struct tl_forest *f, size_t j,
	    size_t *nbound);

/* Categories of a string feature j (0 for numbers and booleans): their
 * ranks are 0 .. n-1, in the order of their mean target. */
size_t	tl_forest_ncategories(const struct tl_forest *f, size_t j);

/* The category of rank k of string feature j; borrowed. */
const char *tl_forest_category(const struct tl_forest *f, size_t j,
	    size_t k);

#endif
