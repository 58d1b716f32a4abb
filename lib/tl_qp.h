/*
 * A primal active-set solver for the allocation QP
 *
 *	min  1/2 w'Qw - c'w + mu sum_i |w_i - p_i|
 *	s.t. sum_i w_i = s,  l <= w <= u,
 *	     sum_{i in G} w_i <= cap_G  for disjoint groups G,
 *
 * with Q positive definite on every set of free weights it meets (a
 * covariance matrix).  It works in the space of the free weights: a
 * Cholesky factor of Q restricted to them is updated (a row appended, a
 * row deleted by a rank-one update) as one weight at a time leaves or
 * joins a bound, and the few equality rows (the sum, the active group
 * caps) enter through their Schur complement.  It starts at a vertex
 * (weights filled greedily to their upper bounds, cheapest first) and
 * frees weights by blocks that double while most of each block stays
 * free (and shrink to one weight when none does), so that a solution
 * with k free weights costs about log2 k block appends to L (by blocks
 * of columns: L is read once a block, the flops of one factorisation
 * of Q_FF in all) plus an iteration of O(k^2) for each weight that
 * leaves again: with few free weights (at n = 5,000, 97) that is far
 * less than one dense factorisation of Q, which dual methods (quadprog)
 * pay at the start, and with most free (the 10x night's 3,840 of
 * 4,412) it is about one factorisation of Q_FF rather than k solves
 * that each stream L from memory.  The L1 term (turnover against p) is handled exactly:
 * p_i is a "kink" where a weight may stop like at a bound, with a
 * multiplier in [-mu, mu]; callers bound the turnover by searching mu
 * (see tl-allocate(1)).
 */
#ifndef TL_QP_H
#define TL_QP_H

#include <stddef.h>

#include "tl_err.h"

#define TL_QP_NOGROUP	((size_t)-1)	/* group[] of an ungrouped weight */

struct tl_qp_problem {
	size_t		 n;		/* weights */
	const double	*q;		/* n x n row-major, symmetric */
	const double	*c;		/* n, linear term (maximised) */
	const double	*lo, *hi;	/* n, bounds, lo <= hi */
	double		 sum;		/* right-hand side of sum w = s */
	size_t		 ngroups;	/* group caps */
	const size_t	*group;		/* n group ids or TL_QP_NOGROUP; NULL */
	const double	*cap;		/* ngroups caps */
	const double	*prev;		/* n kink points p, or NULL */
	double		 mu;		/* weight of the L1 term, >= 0 */
};

/* Outcome of a solve. */
struct tl_qp_info {
	double	obj;		/* objective at the solution, L1 term included */
	size_t	iter;		/* active-set iterations */
	size_t	nfree;		/* weights strictly between their limits */
	size_t	nlower, nupper;	/* weights at a bound */
	size_t	nkink;		/* weights held at p */
	size_t	ngroups_active;	/* group caps in the working set */
};

/* A status for each weight at the solution (tl_qp_state). */
enum tl_qp_state { TL_QP_FREE, TL_QP_LOWER, TL_QP_UPPER, TL_QP_KINK };

struct tl_qp;

/* Workspace for problems of up to n weights.  New. */
struct tl_qp *tl_qp_alloc(size_t n);
void	tl_qp_free(struct tl_qp *qp);

/* Solve pr into w[n].  warm nonzero starts from the previous solution
 * of this workspace (valid only when the constraints are the same and
 * only c or mu changed); otherwise from a greedy vertex.  info may be
 * NULL.  Returns 0, or -1 with err: TL_EX_DATAERR when the constraints
 * admit no point (the message says which sum fails) or Q is singular on
 * the free weights ("singular"), TL_EX_SOFTWARE when the iterations run
 * out. */
int	tl_qp_solve(struct tl_qp *qp, const struct tl_qp_problem *pr,
	    double *w, int warm, struct tl_qp_info *info, struct tl_err *err);

/* The state of weight i after the last successful solve. */
enum tl_qp_state tl_qp_state(const struct tl_qp *qp, size_t i);

/* The objective 1/2 w'Qw - c'w + mu sum |w - p| of pr at w. */
double	tl_qp_objective(const struct tl_qp_problem *pr, const double *w);

/* The largest violation of pr's constraints at w (0 when feasible). */
double	tl_qp_violation(const struct tl_qp_problem *pr, const double *w);

#endif
