/*
 * Helpers of the unit tests of lib/tl_synth*: plans of a given size, as
 * tl-synth's options make them, and the walks over a plan's days that
 * several tests need.  static inline, like unit.h.
 */
#ifndef TL_UNIT_SYNTH_H
#define TL_UNIT_SYNTH_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include <criterion/criterion.h>

#include "tl_churn.h"
#include "tl_err.h"
#include "tl_synth.h"
#include "tl_time.h"

/* The parameters of tl-synth -s seed --days days --strategies ns
 * --periods periods --trades trades, from 2026-01-05 (a Monday); with
 * churn (not NULL) its spec over the defaults ("" for none given). */
static inline struct tl_synth_params
ut_synth_params(uint64_t seed, size_t days, size_t ns, size_t periods,
    size_t trades, const char *churn)
{
	struct tl_synth_params p = { .seed = seed, .days = days,
		.strategies = ns, .periods = periods, .trades = trades };
	struct tl_err err = { 0 };

	p.start = tl_days_from_civil(2026, 1, 5);
	if (churn != NULL) {
		p.churn = 1;
		tl_churn_spec_default(&p.churn_spec, ns);
		if (churn[0] != '\0')
			cr_assert_eq(tl_churn_spec_parse(&p.churn_spec, churn,
			    &err), 0, "%s", err.msg);
	}
	return p;
}

/* A new plan of those parameters; the test fails without one. */
static inline struct tl_synth *
ut_synth(uint64_t seed, size_t days, size_t ns, size_t periods,
    size_t trades, const char *churn)
{
	struct tl_synth_params p = ut_synth_params(seed, days, ns, periods,
	    trades, churn);
	struct tl_err err = { 0 };
	struct tl_synth *s;

	s = tl_synth_alloc(&p, &err);
	cr_assert_not_null(s, "tl_synth_alloc: %s", err.msg);
	return s;
}

/* Mean and standard deviation of a running sample. */
struct ut_stat {
	double	n;	/* values */
	double	sum;	/* their sum */
	double	sum2;	/* of squares */
};

static inline void
ut_stat_add(struct ut_stat *st, double x)
{
	st->n++;
	st->sum += x;
	st->sum2 += x * x;
}

static inline double
ut_stat_mean(const struct ut_stat *st)
{
	return st->sum / st->n;
}

static inline double
ut_stat_sd(const struct ut_stat *st)
{
	double m = ut_stat_mean(st);

	return sqrt((st->sum2 / st->n - m * m) * st->n / (st->n - 1));
}

#endif
