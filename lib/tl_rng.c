/*
 * Seeded generators.  GSL's mt19937 takes an unsigned long seed; we mix
 * (seed, stream) with splitmix64 so that stream k of seed s never equals
 * stream 0 of another seed by accident, and threads get their own streams.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tl_rng.h"
#include "tl_util.h"

static uint64_t
splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

gsl_rng *
tl_rng_alloc(uint64_t seed, uint64_t stream)
{
	gsl_rng *r;
	uint64_t s;

	if ((r = gsl_rng_alloc(gsl_rng_mt19937)) == NULL)
		tl_oom();
	s = splitmix64(splitmix64(seed) ^ (stream * 0xd1b54a32d192ed03ULL));
	/* mt19937 seeds from 32 bits; 0 means its default seed */
	s = (s ^ (s >> 32)) & 0xffffffffULL;
	gsl_rng_set(r, (unsigned long)(s == 0 ? 1 : s));
	return r;
}

void
tl_rng_free(gsl_rng *r)
{
	if (r != NULL)
		gsl_rng_free(r);
}

double
tl_rng_uniform(gsl_rng *r)
{
	return gsl_rng_uniform(r);
}

unsigned long
tl_rng_below(gsl_rng *r, unsigned long n)
{
	uint64_t x;

	/* GSL refuses n above the generator's range (mt19937: 2^32 - 1)
	 * and returns 0: join two 32-bit draws and reject the low
	 * 2^64 mod n values so that every result is equally likely. */
	if (n <= gsl_rng_max(r) - gsl_rng_min(r))
		return gsl_rng_uniform_int(r, n);
	do {
		x = (uint64_t)gsl_rng_get(r) << 32;
		x |= gsl_rng_get(r) & 0xffffffffULL;
	} while (x < (0 - (uint64_t)n) % n);
	return (unsigned long)(x % n);
}
