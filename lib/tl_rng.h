/*
 * Seeded randomness for every tool: one generator type (GSL's mt19937),
 * seeded only from --seed, never from the clock or GSL_RNG_SEED.
 * Independent streams for threads are derived from (seed, stream) so that
 * results do not depend on the number of threads.
 */
#ifndef TL_RNG_H
#define TL_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

/* New generator for (seed, stream); stream 0 is the main one.  The pair
 * is mixed (splitmix64) into GSL's seed.  Exits 70 on out of memory. */
gsl_rng	*tl_rng_alloc(uint64_t seed, uint64_t stream);
void	 tl_rng_free(gsl_rng *r);		/* accepts NULL */

/* Uniform in [0, 1) and an integer in [0, n). */
double	 tl_rng_uniform(gsl_rng *r);
unsigned long tl_rng_below(gsl_rng *r, unsigned long n);

#endif
