/*
 * Pruners: should a trial that has reported intermediate values (a
 * backtest after each month, each fold) stop now?  With Optuna's
 * meanings and defaults (optuna.pruners, v3.1):
 *
 *   median     MedianPruner (PercentilePruner at 50): once `startup`
 *              trials are complete and the trial is past `warmup`
 *              steps (and at the first report of an `interval`), prune
 *              it when its best value so far (over every step) is
 *              worse than the median of the complete trials' values at
 *              its step (at least `min_trials` of them must have one;
 *              numpy's nanpercentile, linear, to the last bit).
 *   halving    SuccessiveHalvingPruner, asynchronous (Li et al. 2020,
 *              "A system for massively parallel hyperparameter tuning",
 *              MLSys, Algorithm 1): rung r is reached at step
 *              min_resource * rf^(min_rate + r); a trial reaching it
 *              records its value there and goes on only if it is in the
 *              top 1/rf of the values recorded at that rung (at least
 *              the best one).  min_resource 0 means Optuna's "auto":
 *              the largest last step of the complete trials over 100,
 *              at least 1 (no pruning before one completes).
 *   hyperband  HyperbandPruner (Li et al. 2018, "Hyperband", JMLR
 *              18(185), Algorithm 1, with ASHA brackets): floor(log_rf(
 *              max_resource / min_resource)) + 1 brackets, bracket b a
 *              halving pruner with min_rate b over the trials of its own
 *              bracket; trial n goes to a bracket by crc32 of its number
 *              in decimal modulo the total budget, the budgets
 *              ceil(B rf^s / (s + 1)) for s = B - 1 - b.  max_resource 0
 *              means "auto": the largest last step of the complete
 *              trials + 1 (no pruning before one completes).
 *
 * The decision is a function of its arguments only: the caller passes
 * the trials it lets the pruner see (tl-bayesopt run passes the ones its
 * sampler sees, so that the decisions do not depend on timing) and
 * keeps each trial's curve and rung values, which go to the history and
 * come back on a resume.  Values are the objective's own, minimised or
 * maximised as params->maximize says; NaN is a value that prunes.
 */
#ifndef TL_PRUNE_H
#define TL_PRUNE_H

#include <stddef.h>

#include <jansson.h>

#define TL_PRUNE_RUNGS	64	/* rungs a trial can pass (rf >= 2) */

enum tl_prune_kind {
	TL_PRUNE_NONE,
	TL_PRUNE_MEDIAN,
	TL_PRUNE_HALVING,
	TL_PRUNE_HYPERBAND
};

struct tl_prune_params {
	enum tl_prune_kind kind;	/* which pruner */
	int	 maximize;		/* values: larger is better */
	long	 startup;		/* median: complete trials first (5) */
	long	 warmup;		/* median: steps never pruned (0) */
	long	 interval;		/* median: steps between checks (1) */
	long	 min_trials;		/* median: trials with a value at the
					 * step (1) */
	long	 min_resource;		/* halving (0: auto), hyperband (1) */
	long	 max_resource;		/* hyperband (0: auto) */
	long	 reduction;		/* rf: halving 4, hyperband 3 */
	long	 min_rate;		/* halving: min_early_stopping_rate (0) */
};

/* Optuna's defaults for each pruner: kind is set by the caller. */
#define TL_PRUNE_PARAMS_DEFAULT { .kind = TL_PRUNE_NONE, .maximize = 0, \
	.startup = 5, .warmup = 0, .interval = 1, .min_trials = 1, \
	.min_resource = 0, .max_resource = 0, .reduction = 0, \
	.min_rate = 0 }
#define TL_PRUNE_RF_HALVING	4	/* reduction = 0: these */
#define TL_PRUNE_RF_HYPERBAND	3
#define TL_PRUNE_MIN_HYPERBAND	1	/* hyperband's min_resource = 0 */

/* A trial as the pruner sees it.  Caller-owned: tl_prune_trial_init /
 * tl_prune_trial_release. */
struct tl_prune_trial {
	long	 id;		/* trial number (hyperband's bracket) */
	int	 complete;	/* finished with a value */
	long	*step;		/* steps reported, in order */
	double	*value;		/* the values at them */
	size_t	 n, cap;	/* reported, allocated */
	double	 rung[TL_PRUNE_RUNGS];	/* halving: value at each rung */
	size_t	 nrung;		/* rungs recorded */
};

void	tl_prune_trial_init(struct tl_prune_trial *t, long id);
void	tl_prune_trial_release(struct tl_prune_trial *t);

/* Record value v at step (>= 0).  Returns 0, or -1 (nothing recorded)
 * when the step was reported before, as Optuna ignores a repeated
 * step. */
int	tl_prune_trial_add(struct tl_prune_trial *t, long step, double v);

/* The step at which t stands, the largest it reported (Optuna's
 * FrozenTrial.last_step, whatever the order of the reports), and its
 * value there into *v: the step every pruner judges at, and the one a
 * pruned trial is ranked by in TPE.  -1 (and NAN) if t reported
 * nothing. */
long	tl_prune_trial_last(const struct tl_prune_trial *t, double *v);

/* A trial's curve as a history record keeps it: an "intermediate"
 * object of step: value ("3": 0.42, null for NaN) in report order and a
 * "rungs" array of the halving rung values, each absent when empty.
 * tl_prune_trial_from_json adds rec's to t (initialised by the caller;
 * both members optional, a step reported twice keeps its first value)
 * and returns 0, or -1 with why ("field 'rungs': item 2: expected a
 * number, got string"), t then holding what came before the error.
 * tl_prune_trial_to_json sets rec's members from t. */
int	tl_prune_trial_from_json(const json_t *rec, struct tl_prune_trial *t,
	    char *why, size_t whylen);
void	tl_prune_trial_to_json(json_t *rec, const struct tl_prune_trial *t);

/* The pruner's name ("median") of kind, and the kind of a name: 0, or -1
 * if no pruner has that name. */
const char *tl_prune_name(enum tl_prune_kind kind);
int	tl_prune_kind(const char *name, enum tl_prune_kind *kind);

/* Should trial t stop after its last report?  It is judged at its
 * largest step (tl_prune_trial_last).  others[0..n) are the
 * other trials it is compared with (complete or pruned; t is not among
 * them).  Halving records t's rung values in t.  Returns 1 with why
 * ("median: 0.62 > 0.41, the median of 7 trials at step 3") or 0. */
int	tl_prune_check(const struct tl_prune_params *p,
	    const struct tl_prune_trial *others, size_t n,
	    struct tl_prune_trial *t, char *why, size_t whylen);

/* Hyperband: the bracket of trial id, and the number of brackets, under
 * p with max_resource resolved (> 0).  For tests and the history. */
size_t	tl_prune_bracket(const struct tl_prune_params *p, long max_resource,
	    long id, size_t *nbrackets);

#endif
