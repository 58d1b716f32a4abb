/*
 * Parameter importances by functional ANOVA of a regression forest
 * (Hutter, Hoos and Leyton-Brown 2014, "An efficient approach for
 * assessing hyperparameter importance", ICML): which parameters of a
 * search space the objective's variance comes from.
 *
 * The maths.  A forest (tl_forest) is fitted on (point, value) pairs, a
 * point being the space's encoding (tl_space: u in [0, 1], in log for log
 * parameters; a categorical's choice, here as a category).  Under the
 * uniform measure on the space, each tree y(x) with leaves l (value v_l,
 * a box of bins in every feature) has, with m_lj the measure of leaf l's
 * bins of parameter j and |l| = prod_j m_lj its volume,
 *
 *     f0     = sum_l |l| v_l                        (the mean, f_empty)
 *     V      = sum_l |l| (v_l - f0)^2               (the total variance)
 *     a_j(c) = sum_{l : c in l} v_l prod_{k != j} m_lk
 *                        (the marginal of j at cell c, Definition 1)
 *     V_j    = sum_c w_c (a_j(c) - f0)^2            (j's main effect)
 *
 * and the fraction F_j = V_j / V (their Sec. 2: f_U = a_U - sum of the
 * f_W below U, V_U the mean of f_U^2; Sec. 3: a tree's marginal is exact
 * from its leaves' partition, in time linear in the leaves).  A cell c is
 * a bin of j's feature; its weight w_c is its width in u, so a log
 * parameter is uniform in log, a discrete one gives each value its own
 * bin's width, and every category tried weighs the same.  The fraction of
 * a parameter is its mean F_j over the trees (a tree of one leaf has no
 * variance and is left out); its importance is that fraction over the
 * sum of the fractions, so that the importances sum to 1 (as Optuna's
 * FanovaImportanceEvaluator normalises).
 *
 * Why exact marginals beat sampling: a tree's marginal is a step function
 * on its own splits, so the sums above are its exact integrals (no Monte
 * Carlo error), in O(leaves * parameters + bins) per tree.
 *
 * The interval: the forest is refitted on bootstrap samples of the
 * trials (drawn with replacement, as many as there are), and lo, hi are
 * percentiles of the importances so obtained.  Refitting, not
 * resampling the trees of one forest: the trees all see the same trials,
 * so their spread says how the forest's randomness moves the answer,
 * not how the trials we happened to run do; and the mean of T trees'
 * fractions shrinks as T grows whatever the data.  Refits cost B forests
 * (run in parallel, one per thread).
 *
 * Ownership: struct tl_fanova borrows its forest and space; it owns its
 * workspace.  Results do not depend on the number of threads.
 */
#ifndef TL_FANOVA_H
#define TL_FANOVA_H

#include <stddef.h>
#include <stdint.h>

#include "tl_err.h"
#include "tl_forest.h"
#include "tl_space.h"

#define TL_FANOVA_TREES		64	/* trees a forest (Optuna's) */
#define TL_FANOVA_MAX_DEPTH	64	/* of a tree (Optuna's) */
#define TL_FANOVA_LEVEL		0.95	/* coverage of [lo, hi] */
#define TL_FANOVA_TARGET	"y"	/* the target column of the rows */

struct tl_fanova_params {
	size_t	 trees;		/* trees a forest */
	size_t	 bootstrap;	/* refits for [lo, hi]; 0: none */
	uint64_t seed;		/* every random choice derives from it */
	int	 threads;	/* worker threads (>= 1) */
};

#define TL_FANOVA_PARAMS_DEFAULT { TL_FANOVA_TREES, 100, 1, 1 }

/* One parameter's figures. */
struct tl_fanova_result {
	double	 importance;	/* fraction / sum of fractions */
	double	 fraction;	/* mean over trees of V_j / V */
	double	 lo, hi;	/* percentile interval of importance over
				 * the refits (TL_FANOVA_LEVEL); NaN
				 * without refits */
};

/* The forest options tl_fanova() fits with: trees, every feature tried at
 * each node, leaves of one row, depth TL_FANOVA_MAX_DEPTH, bootstrap
 * samples (Optuna's random forest). */
struct tl_forest_params tl_fanova_forest_params(size_t trees,
	    uint64_t seed, int threads);

/* A forest fitted on points x (n rows of s->n coordinates, as
 * tl_space_encode() gives them) and values y: rows rows[0..n) of them, or
 * the first n when rows is NULL.  Feature k is named by its parameter's
 * index ("0", "1", ...); categorical coordinates become categories.
 * Returns new forest, or NULL with err (TL_EX_DATAERR: fewer than 2 rows,
 * or y constant on them). */
struct tl_forest *tl_fanova_forest(const struct tl_space *s,
	    const double *x, const double *y, const size_t *rows, size_t n,
	    const struct tl_forest_params *fp, struct tl_err *err);

struct tl_fanova;

/* A workspace for forest f, fitted by tl_fanova_forest() on space s: the
 * weight of every bin of every feature.  f and s are borrowed.  New. */
struct tl_fanova *tl_fanova_alloc(const struct tl_forest *f,
	    const struct tl_space *s);
void	tl_fanova_free(struct tl_fanova *a);	/* accepts NULL */

/* Tree t's total variance into *V and parameter j's main effect V_j into
 * Vj[j] (s->n values; 0 for a parameter the tree does not split on, or
 * that has no feature). */
void	tl_fanova_tree(struct tl_fanova *a, size_t t, double *V,
	    double *Vj);

/* The fraction of each parameter (s->n values): the mean over the trees
 * with V > 0 of V_j / V.  Returns the number of such trees (0: fraction
 * all 0). */
size_t	tl_fanova_fractions(struct tl_fanova *a, double *fraction);

/* The importances of the parameters of s from the trials (x, y; n rows),
 * into res[s->n]: a forest of p->trees trees, then p->bootstrap refits.
 * Returns 0, or -1 with err (TL_EX_DATAERR: fewer than 2 trials, or y
 * constant). */
int	tl_fanova(const struct tl_space *s, const double *x, const double *y,
	    size_t n, const struct tl_fanova_params *p,
	    struct tl_fanova_result *res, struct tl_err *err);

#endif
