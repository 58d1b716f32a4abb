/*
 * The small draws every part of a synthetic log is made of (tl_synth.h):
 * a uniform in a range, a coin, an index from a table of probabilities,
 * and the rounding of a value to the integer units it is kept in (cents,
 * 1e-4).  Inline: the day generator calls them a few times a record.
 */
#ifndef TL_SYNTH_DRAW_H
#define TL_SYNTH_DRAW_H

#include <math.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "tl_rng.h"

/* x clipped to [lo, hi]. */
static inline double
tl_synth_clip(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* Uniform in [lo, hi): one draw. */
static inline double
tl_synth_unif(gsl_rng *r, double lo, double hi)
{
	return lo + (hi - lo) * tl_rng_uniform(r);
}

/* 1 with probability p: one draw. */
static inline int
tl_synth_coin(gsl_rng *r, double p)
{
	return tl_rng_uniform(r) < p;
}

/* x in units of 1/scale, rounded half away from zero. */
static inline int64_t
tl_synth_units(double x, double scale)
{
	return (int64_t)llround(x * scale);
}

/* An index drawn from the probabilities p[0..n), n >= 1, by one uniform
 * (the last index takes what rounding leaves). */
static inline int
tl_synth_pick(gsl_rng *r, const double *p, int n)
{
	double u = tl_rng_uniform(r);
	int i;

	for (i = 0; i < n - 1; i++) {
		if (u < p[i])
			return i;
		u -= p[i];
	}
	return n - 1;
}

#endif
