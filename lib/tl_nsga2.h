/*
 * NSGA-II (Deb, Pratap, Agarwal & Meyarivan 2002, "A fast and elitist
 * multiobjective genetic algorithm: NSGA-II", IEEE TEC 6(2)) as a
 * sampler over a tl_space: complete trials, in trial order, form
 * generations of `population` trials each; the parent population of
 * generation g + 1 is the elite of generation g joined with the parents
 * of g (section III-C, R_t = P_t u Q_t cut to N by non-domination rank,
 * the last front by crowding distance), and a child is two binary
 * tournaments by the crowded-comparison operator (section III-C: the
 * lower rank wins, then the larger crowding distance), a uniform
 * crossover and a mutation that draws a parameter afresh.
 *
 * Why generations from the trial order: a history has no generation
 * numbers and a resumed run must propose what an uninterrupted one
 * would, so generation g is simply the g-th block of `population`
 * complete trials; trials still running count for nothing (Optuna 3.1's
 * NSGAIISampler also builds a parent population only from complete
 * trials).  The knobs and their defaults are those of Optuna 3.1's
 * NSGAIISampler (population 50, crossover probability 0.9 else a copy of
 * a random parent, UniformCrossover with swapping probability 0.5,
 * mutation probability 1 / parameters); its tournament compares by
 * domination only, ours by Deb's crowded comparison.  Constraints by
 * Deb's constrained domination (section VI): a feasible trial
 * dominates an infeasible one, two infeasible ones compare by total
 * violation, as Optuna's constraints_func.  Before a first generation is
 * complete there is no parent: the caller proposes the initial design.
 *
 * Points are in the space's encoding (tl_space_from_unit); objectives are
 * losses (a maximised one enters negated).  Nothing fails but out of
 * memory (tl_xmalloc exits).
 */
#ifndef TL_NSGA2_H
#define TL_NSGA2_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "tl_space.h"

struct tl_nsga2_params {
	size_t	 population;	/* trials per generation, >= 2 */
	double	 crossover_prob;	/* a child by crossover, else a
					 * copy of one parent */
	double	 swap_prob;	/* uniform crossover: a parameter from the
				 * second parent */
	double	 mutation_prob;	/* a parameter drawn afresh; <= 0: 1 / the
				 * number of parameters */
};

/* Optuna 3.1's NSGAIISampler defaults. */
#define TL_NSGA2_PARAMS_DEFAULT { .population = 50, \
	.crossover_prob = 0.9, .swap_prob = 0.5, .mutation_prob = 0 }

struct tl_nsga2;

/* New sampler over s (borrowed: s must outlive it) for m >= 1
 * objectives.  p is copied. */
struct tl_nsga2 *tl_nsga2_alloc(const struct tl_space *s, size_t m,
	    const struct tl_nsga2_params *p);
void	tl_nsga2_free(struct tl_nsga2 *g);	/* accepts NULL */

/* Forget every trial. */
void	tl_nsga2_reset(struct tl_nsga2 *g);

/* A complete trial at x with losses y[m] and total constraint violation
 * viol (> 0: infeasible), in trial order; x and y are copied. */
void	tl_nsga2_observe(struct tl_nsga2 *g, const double *x, const double *y,
	    double viol);

/* Full generations observed: 0 while the first one is incomplete (then
 * tl_nsga2_child has no parent). */
size_t	tl_nsga2_generations(const struct tl_nsga2 *g);

/* A child of the current parent population into x (s->n values).
 * Returns 0, or -1 when no generation is complete. */
int	tl_nsga2_child(struct tl_nsga2 *g, gsl_rng *r, double *x);

/* Rank by constrained non-domination (Deb et al. 2002, section VI):
 * feasible points (viol[i] <= 0) by their non-domination rank, then the
 * infeasible ones one front per distinct total violation, ascending.
 * rank[n] gets each point's front from 0.  Returns the number of
 * fronts. */
size_t	tl_nsga2_rank(const double *y, const double *viol, size_t n, size_t m,
	    size_t *rank);

/* The elite k of n points (k <= n): whole fronts of tl_nsga2_rank while
 * they fit, the front that does not by crowding distance, larger first
 * (ties: the lower index).  rank[n] and crowd[n] get every point's front
 * and its crowding distance within its front (Deb et al. 2002, fig. 6);
 * sel[k] the indices chosen, best front first. */
void	tl_nsga2_select(const double *y, const double *viol, size_t n,
	    size_t m, size_t k, size_t *sel, size_t *rank, double *crowd);

/* Binary tournament of points a and b by the crowded-comparison operator
 * (Deb et al. 2002, section III-C: a wins if rank[a] < rank[b], or if the
 * ranks are equal and crowd[a] > crowd[b]); a tie goes to a.  Returns the
 * winner. */
size_t	tl_nsga2_tournament(const size_t *rank, const double *crowd, size_t a,
	    size_t b);

#endif
