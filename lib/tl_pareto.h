/*
 * Pareto sets of points y[0..n) with m objectives, each minimised (a
 * maximised objective enters negated): non-dominated sorting and
 * crowding distance (Deb, Pratap, Agarwal & Meyarivan 2002, "A fast and
 * elitist multiobjective genetic algorithm: NSGA-II", IEEE TEC 6(2),
 * sections III-A and III-B), the exact hypervolume dominated by a set up
 * to a reference point, each point's contribution to it, and the greedy
 * hypervolume subset selection that multi-objective TPE uses to break
 * ties in its last front (Ozaki, Tanigaki, Watanabe & Onishi 2020,
 * "Multiobjective tree-structured Parzen estimator for computationally
 * expensive optimization problems", GECCO, section 3.2).
 *
 * The hypervolume is exact, not sampled: one objective is a length; two
 * are a sweep over the points sorted by the first objective, O(n log
 * n); three or more are WFG (While, Bradstreet & Barone 2012, "A fast
 * way of calculating exact hypervolumes", IEEE TEC 16(1), eq. 3): the
 * volume is the sum over the points of each one's exclusive part, its
 * box less the hypervolume of the "limit set" of the points after it,
 * recursively, down to the two-objective sweep.  WFG is exponential in
 * the worst case but fast on the fronts a search meets (tens to a few
 * hundred points), which the exhaustive grid it replaces is not.
 *
 * Points are rows of y (n * m doubles, row-major).  A point that does
 * not beat the reference point in every objective bounds no volume and
 * adds nothing.  Nothing here allocates more than O(n * m) per level of
 * WFG's recursion; nothing fails but out of memory (tl_xmalloc exits).
 */
#ifndef TL_PARETO_H
#define TL_PARETO_H

#include <stddef.h>

/* Does a dominate b: no worse in every objective, better in one? */
int	tl_pareto_dominates(const double *a, const double *b, size_t m);

/* Non-domination rank of each point into rank[n]: 0 for the points no
 * other point dominates, k for those dominated only by points of ranks
 * below k (Deb et al. 2002's fast non-dominated sort, O(m n^2)).  Equal
 * points share a rank.  Returns the number of fronts (0 when n is 0). */
size_t	tl_pareto_rank(const double *y, size_t n, size_t m, size_t *rank);

/* Crowding distance of the k points idx[0..k) of y (one front) into
 * dist[k]: per objective, the boundary points get HUGE_VAL and the others
 * the gap between their neighbours over the front's range, summed over
 * the objectives (Deb et al. 2002, fig. 6). */
void	tl_pareto_crowding(const double *y, size_t m, const size_t *idx,
	    size_t k, double *dist);

/* Hypervolume of the region dominated by the points and dominating ref
 * (m values). */
double	tl_pareto_hv(const double *y, size_t n, size_t m, const double *ref);

/* Each point's exclusive contribution hv(all) - hv(all but i) into c[n]. */
void	tl_pareto_contrib(const double *y, size_t n, size_t m,
	    const double *ref, double *c);

/* Choose k of the n points (k <= n) greedily, each time the one that adds
 * the most hypervolume to those chosen (ties: the lower index): their
 * indices in the order chosen into sel[k].  The greedy rule of
 * hypervolume subset selection that MOTPE uses; Optuna's _solve_hssp
 * updates the gains lazily, which can choose differently on ties. */
void	tl_pareto_hssp(const double *y, size_t n, size_t m, const double *ref,
	    size_t k, size_t *sel);

/* The reference point MOTPE puts behind n >= 1 points (Optuna 3.1): per
 * objective 1.1 times the worst value (0.9 times a negative one, a tiny
 * positive number for 0), into ref[m]. */
void	tl_pareto_ref(const double *y, size_t n, size_t m, double *ref);

/* MOTPE's weights of the n points of its good group (Ozaki et al. 2020,
 * as Optuna 3.1 weighs them): each point's hypervolume contribution
 * (tl_pareto_contrib with tl_pareto_ref's point) plus a tiny positive
 * number, over the largest, into w[n]: in (0, 1], the largest 1; one
 * point weighs 1. */
void	tl_pareto_weights(const double *y, size_t n, size_t m, double *w);

/* MOTPE's split of n points into a good group of k (k <= n): whole
 * fronts by non-domination rank while they fit, the front that does not
 * cut by greedy hypervolume subset selection with the reference point
 * 1.1 times its worst point (0.9 times for a negative coordinate, a tiny
 * positive number for 0), as Optuna 3.1's _split_observation_pairs.
 * good[n] gets 1 for the chosen. */
void	tl_pareto_split(const double *y, size_t n, size_t m, size_t k,
	    unsigned char *good);

#endif
