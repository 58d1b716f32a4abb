/*
 * Tree-structured Parzen estimators (Bergstra et al. 2011; Watanabe 2023)
 * over a tl_space: the trials seen so far are split into a good group
 * (the best gamma share) and a bad group; each group becomes a mixture of
 * truncated-normal kernels (numeric coordinates, probability mass over a
 * value's bin for discrete ones) and categorical kernels, plus a wide
 * prior kernel; candidates are drawn from the good mixture l(x) and
 * ranked by log l(x) - log g(x), which orders them as expected
 * improvement does.  Multivariate (the default: one joint kernel per
 * trial over the numeric parameters, each coordinate's bandwidth from
 * the gaps between its neighbours; categorical parameters drawn and
 * scored on their own) or univariate (each parameter on its own, as
 * Optuna's default).  Good trials weigh their improvement over the split
 * (Watanabe 2023's EI weighting) or equally.  Pending points
 * (running trials, and earlier members of a batch: the constant liar)
 * always join the bad group, which pushes a batch apart.  Also the
 * quasi-random start: scrambled Sobol points (GSL), Halton above 40
 * dimensions.
 *
 * The split, weights and bandwidths follow Optuna's TPESampler (v4.9 code
 * paths; Bergstra et al. 2011, NeurIPS, and Watanabe 2023, arXiv
 * 2304.11127, eqs. 2-4 for the density ratio), so that the unit tests can
 * use its vectors; the defaults below are ours and are measured in bench/.
 */
#ifndef TL_TPE_H
#define TL_TPE_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "tl_space.h"

/* How the bandwidths of numeric kernels are chosen. */
enum tl_tpe_bw {
	TL_TPE_BW_GAPS,		/* per trial and coordinate: the larger gap
				 * to its neighbours in the group (Optuna's
				 * univariate rule) */
	TL_TPE_BW_OPTUNA,	/* multivariate: bw_factor * n^(-1/(d+4)) of
				 * the range for all (Optuna's joint rule) */
	TL_TPE_BW_SCOTT		/* multivariate: Scott's rule on the group's
				 * spread, floored at min_bw */
};

struct tl_tpe_params {
	int	 multivariate;	/* joint kernels (1) or per parameter (0) */
	size_t	 n_ei;		/* candidates drawn per suggestion */
	double	 gamma;		/* share of trials in the good group */
	size_t	 gamma_max;	/* at most this many good trials */
	double	 prior_weight;	/* weight of the prior kernel, relative to
				 * an average trial of the group */
	enum tl_tpe_bw bw;	/* bandwidth rule (univariate: always gaps) */
	double	 bw_factor;	/* TL_TPE_BW_OPTUNA: f * n^(-1/(d+4)) */
	double	 min_bw;	/* floor of a numeric bandwidth in u (0: the
				 * magic clip 1/min(100, 1 + kernels) only) */
	int	 prior_neighbour;	/* univariate: the prior's centre is a
				 * neighbour of the trials (Optuna <= 4.8) */
	int	 flat_height;	/* kernels of equal height, not equal mass */
	double	 clip_exp;	/* magic clip: a numeric bandwidth is at
				 * least 1/min(100, 1 + kernels)^clip_exp
				 * of the range (Optuna: 1) */
	int	 ei_weights;	/* a good trial weighs its improvement over
				 * the best bad trial (1) or 1 (0) */
};

/* Defaults, measured on bench/bayesopt (tl-bayesopt(1), CAVEATS):
 * multivariate with the gap bandwidths of each coordinate, proper
 * densities (kernels of equal mass), good trials weighted by their
 * improvement (EI weighting, Watanabe 2023), 24 candidates, a 10%
 * split of at most 25, prior weight 1, the prior's centre no neighbour
 * of the trials (Optuna 4.9), and a magic clip whose floor shrinks as
 * 1/(1 + kernels)^1.25: the good group's kernels narrow as it grows.
 * TL_TPE_PARAMS_UNIVARIATE is the earlier default, Optuna 3.1's
 * TPESampler (univariate, equal weights, kernels of equal height: 3.1's
 * truncated normal leaves out the 1/sigma) with the same prior centre
 * and clip.  (Several objectives: the caller weighs the good trials,
 * tl_tpe_observe_weighted.) */
#define TL_TPE_PARAMS_DEFAULT { .multivariate = 1, .n_ei = 24, \
	.gamma = 0.1, .gamma_max = 25, .prior_weight = 1.0, \
	.bw = TL_TPE_BW_GAPS, .bw_factor = 0.2, .min_bw = 0.0, \
	.prior_neighbour = 0, .flat_height = 0, .clip_exp = 1.25, \
	.ei_weights = 1 }
/* With several objectives the floor of a numeric bandwidth is Optuna's
 * 1/(1 + kernels) (clip_exp 1, as Optuna 3.1's TPESampler has it for one
 * objective or several), not the default's 1/(1 + kernels)^1.25: that
 * narrowing suits a good group that closes on one optimum, but MOTPE's
 * good group is a front spread along the trade-off (Ozaki et al. 2020),
 * and its kernels must still cover the gaps between its points.  On the
 * tuning seeds 101-120 of bench/bayesopt-mo.sh and bayesopt-genome.sh
 * the median hypervolume went from 11.039 to 11.181 on ZDT1, 10.688 to
 * 10.762 on ZDT2 and 1.736 to 1.896 on the genome problem (Optuna 3.1's
 * MOTPE: 10.976, 10.434, 1.834). */
#define TL_TPE_CLIP_EXP_MO	1.0
#define TL_TPE_PARAMS_UNIVARIATE { .multivariate = 0, .n_ei = 24, \
	.gamma = 0.1, .gamma_max = 25, .prior_weight = 1.0, \
	.bw = TL_TPE_BW_GAPS, .bw_factor = 0.2, .min_bw = 0.0, \
	.prior_neighbour = 0, .flat_height = 1, .clip_exp = 1.25, \
	.ei_weights = 0 }

struct tl_tpe;

/* New estimator over s (borrowed: s must outlive it).  p is copied. */
struct tl_tpe *tl_tpe_alloc(const struct tl_space *s,
	    const struct tl_tpe_params *p);
void	tl_tpe_free(struct tl_tpe *t);		/* accepts NULL */

/* Forget every observation and pending point. */
void	tl_tpe_reset(struct tl_tpe *t);

/* A finished trial at point x (copied) with loss (lower is better; a
 * maximised value enters negated).  Trials enter in trial order: the
 * weights make old trials count less. */
void	tl_tpe_observe(struct tl_tpe *t, const double *x, double loss);

/* A finished trial ranked by (tier, loss): every trial of a lower tier
 * is better (Optuna 3.1's TPE split puts complete trials first, then
 * pruned ones, deepest step first, each by its value at its last step,
 * then infeasible ones by total violation).  A good group that holds a
 * trial of tier > 0, or whose split is one, is weighted equally (no EI
 * weighting: losses of different tiers are not comparable). */
void	tl_tpe_observe_tier(struct tl_tpe *t, const double *x, double tier,
	    double loss);

/* tl_tpe_observe_tier with a weight > 0 for the trial when it is in the
 * good group: if every good trial has one, they replace the age ramp and
 * EI weighting there (MOTPE's hypervolume contributions); the prior
 * keeps prior_weight. */
void	tl_tpe_observe_weighted(struct tl_tpe *t, const double *x,
	    double tier, double loss, double weight);

/* A point being evaluated, or proposed earlier in the same batch: it
 * joins the bad group (constant liar). */
void	tl_tpe_pending(struct tl_tpe *t, const double *x);

size_t	tl_tpe_count(const struct tl_tpe *t);	/* finished trials */

/* Build l and g from what was observed.  Returns 0, or -1 when there is
 * no finished trial (nothing to learn from). */
int	tl_tpe_fit(struct tl_tpe *t);

/* Draw m candidates (rows of X, m * s->n) and their scores log l - log g,
 * best first.  Univariate: row r combines the r-th best value of each
 * parameter, so row 0 maximises the (separable) score over the draws;
 * multivariate: the draws themselves, each categorical coordinate from
 * its own component.
 * Needs a successful tl_tpe_fit. */
void	tl_tpe_suggest(struct tl_tpe *t, gsl_rng *r, size_t m, double *X,
	    double *score);

/* Draw one point from l into x (no ranking). */
void	tl_tpe_sample(const struct tl_tpe *t, gsl_rng *r, double *x);

/* log l(x) - log g(x) for a snapped point x. */
double	tl_tpe_score(const struct tl_tpe *t, const double *x);

/* log l(x) or log g(x) alone (which 0: l, 1: g), for tests. */
double	tl_tpe_logpdf(const struct tl_tpe *t, int which, const double *x);

/* Number of trials in the good group when n trials are finished:
 * min(ceil(gamma * n), gamma_max), at least 1 when n > 0. */
size_t	tl_tpe_n_below(const struct tl_tpe_params *p, size_t n);

/* Optuna's default_weights: ones if n < 25, else a ramp from 1/n to 1
 * over the oldest n - 25 followed by 25 ones.  w has n entries. */
void	tl_tpe_weights(size_t n, double *w);

/* Univariate bandwidths of observations mu[0..n) on [0, 1] (Optuna 4.9,
 * consider_endpoints false, magic clip with n + 1 kernels and Optuna's
 * exponent 1) into sigma. */
void	tl_tpe_sigmas(const double *mu, size_t n, double *sigma);

/* Quasi-random points index start .. start + n - 1 of a d-dimensional
 * low-discrepancy sequence (Sobol up to 40 dimensions, Halton above),
 * shifted modulo 1 by a random vector drawn from seed (Cranley-Patterson
 * rotation: every seed gets its own sequence, equally spread), into
 * q[n * d].  Returns 0, or -1 if d exceeds Halton's 1229 dimensions
 * (then the caller draws uniform points). */
int	tl_qmc_points(size_t d, size_t start, size_t n, unsigned long seed,
	    double *q);

#endif
