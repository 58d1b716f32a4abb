/*
 * From a tl-bandit state to decisions: the weights of a scope (pooled or
 * one context) by Thompson sampling (Thompson 1933, Biometrika 25;
 * Russo et al. 2018, "A Tutorial on Thompson Sampling"): each arm's
 * probability of being best and its mean lift over the baseline's draw,
 * turned into weights within bounds that move at most so much from
 * yesterday's; the kill verdict of each arm (its posterior win rate
 * below a floor with a given confidence and a losing mean P&L); and the
 * previous weights file that --max-change reads.
 */
#ifndef TL_BANDIT_WEIGHTS_H
#define TL_BANDIT_WEIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "tl_bandit.h"
#include "tl_err.h"

struct tl_map;

/* Previous weights, by context and arm. */
struct tl_bandit_prev {
	struct tl_map	*m;		/* "context\037arm" -> index + 1 */
	double		*w;		/* the weights */
	size_t		 n, cap;	/* used, allocated */
};

/* Read the weights rows {"arm", "weight", "context"} of path (NULL: no
 * file, p empty).  Returns 0, or -1 with err (TL_EX_NOINPUT,
 * TL_EX_DATAERR "a weights row needs 'arm' (string), 'weight' (number
 * >= 0) and 'context' (string or null)"); p is to be released either
 * way. */
int	tl_bandit_prev_load(struct tl_bandit_prev *p, const char *path,
	    struct tl_err *err);
void	tl_bandit_prev_release(struct tl_bandit_prev *p);

/* The previous weight of arm in context ctx (NULL: pooled), NaN if none. */
double	tl_bandit_prev_get(const struct tl_bandit_prev *p, const char *ctx,
	    const char *arm);

/* The scope of context name in (NULL: every scope, *s = -1): *s = its
 * index + 1 (0 is pooled).  Returns 0, or -1 with err = TL_EX_DATAERR,
 * where "--in", "no context 'x' in the state". */
int	tl_bandit_scope_of(const struct tl_bandit_state *st, const char *in,
	    long *s, struct tl_err *err);

/* The posterior of arm a in scope s (0 pooled, c + 1 context c): its own
 * with at least min_obs outcomes, else the pooled one.  Returns the
 * basis: "own" or "pooled" (static). */
const char *tl_bandit_scope_post(const struct tl_bandit_state *st,
	    const struct tl_bandit_arm *a, size_t s, long min_obs,
	    struct tl_bandit_post *p);

/* The settings of weights. */
struct tl_bandit_wopts {
	long	 seed;		/* of the draws; scope s draws from stream s */
	long	 draws;		/* Monte Carlo draws, >= 1 */
	long	 min_obs;	/* outcomes before a weight moves */
	int	 pbest;		/* target P(best) rather than lift */
	double	 wmin, wmax;	/* bounds of a weight */
	double	 change;	/* relative move from prev; 0 off */
};

/* The weight of one arm in one scope and what it came from. */
struct tl_bandit_weight {
	double		 weight;	/* the new weight */
	double		 prev;		/* previous weight, NaN none */
	const char	*basis;		/* "own", "pooled" or "default" */
	double		 n;		/* outcomes of the scope (context:
					 * its own, 0 when none) */
	double		 mean, ci_lo, ci_hi;	/* posterior mean, 95% */
	double		 p_best;	/* share of draws it won */
	double		 lift;		/* mean of max(draw - base, 0) */
};

/* Weights w[0..narm) of scope s: targets (lift or P(best)) projected on
 * the bounds [wmin, wmax] summing to 1 by tl_bandit_project; an arm with
 * fewer than min_obs outcomes is held at its default 1/narm; with
 * change > 0 and a previous weight p, an arm moves within [p (1 -
 * change), p (1 + change)].  When those limits and the sum cannot all
 * hold, the limits are dropped and *dropped set.  Returns 0, or -1 with
 * err = TL_EX_DATAERR ("--min and --max: the weights of N arms cannot sum
 * to 1"). */
int	tl_bandit_weights(const struct tl_bandit_state *st, size_t s,
	    const struct tl_bandit_wopts *o, const struct tl_bandit_prev *pv,
	    struct tl_bandit_weight *w, int *dropped, struct tl_err *err);

/* The kill verdict of one arm. */
struct tl_bandit_verdict {
	size_t	 k;		/* the arm */
	double	 p;		/* beta: P(win rate < floor); normal:
				 * P(mean < 0) */
	int	 kill;		/* the verdict */
	double	 mean;		/* posterior mean: win rate or reward */
	int	 has_pnl;	/* the arm has P&L evidence */
	double	 mean_pnl;	/* its posterior mean P&L */
	double	 p_pnl_negative;	/* P(mean P&L < 0) */
};

/* Verdicts v[0..narm) of every arm's pooled posterior, most probable
 * first (ties by arm order): kill when p >= level, at least min_obs
 * outcomes and, for beta with a P&L, a mean P&L below 0.  Returns the
 * number killed. */
size_t	tl_bandit_verdicts(const struct tl_bandit_state *st, double floor,
	    double level, long min_obs, struct tl_bandit_verdict *v);

#endif
