/*
 * The plan of a synthetic trading log (tl-synth(1)): what is planted,
 * apart from how it is written.  A plan is built from the sizes and the
 * seed alone: the world (tl_synth_world.h: calendar, regimes, market,
 * prices), the strategies (tl_synth_strat.h: genomes, edges, promotions,
 * decay), with --churn the strategies that come and go (tl_churn.h), how
 * many trades and other decisions each day has, and every promoted
 * strategy's in-sample run.  The records to write are drawn from it by
 * generators of their own: the runs of each period (tl_synth_runs.h) and
 * the decisions and trades of each day (tl_synth_log.h).  How they are
 * written (files, gzip, CSV days, dirt) is tl_synth_write.h's concern.
 *
 * Each part draws from a random stream of its own (TL_SYNTH_STREAM_*),
 * so that one part never moves another's numbers: a new part takes a new
 * stream, and a log without it keeps its bytes.
 *
 * A new record kind (signals, counterfactuals): a generator module
 * tl_synth_<kind>.[ch] that draws from a new stream appended to
 * TL_SYNTH_STREAM_*, day by day like tl_synth_log.h (reading the day's
 * decisions if it depends on them) or period by period like
 * tl_synth_runs.h, with what truth.json reports kept as plan members or
 * in the generator; its line in tl_synth_render.h; one entry in parts[]
 * or day_files[] of tl_synth_write.c; its member in tl_synth_truth.c.
 */
#ifndef TL_SYNTH_H
#define TL_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "tl_churn.h"
#include "tl_err.h"
#include "tl_synth_strat.h"
#include "tl_synth_world.h"

/* The random streams of a plan (tl_rng_alloc(seed, stream)). */
enum {
	TL_SYNTH_STREAM_WORLD,	/* calendar, strategies, day counts, prices */
	TL_SYNTH_STREAM_RUNS,	/* run metrics (tl_synth_runs.h) */
	TL_SYNTH_STREAM_LOG,	/* decisions and trades (tl_synth_log.h) */
	TL_SYNTH_STREAM_DIRT,	/* how lines are damaged (tl_synth_dirt.h) */
	TL_SYNTH_STREAM_CHURN,	/* the churn plan (tl_churn.h) */
	TL_SYNTH_STREAM_SIGNAL,	/* signals (tl_synth_signal.h) */
	TL_SYNTH_STREAM_BACKTEST	/* a genome's backtest
					 * (tl_synth_backtest.h) */
};

#define TL_SYNTH_MIN_RATE	0.2	/* closed trades a strategy has a
					 * day at least, on average */
#define TL_SYNTH_CHURN_MIN_RATE	1.0	/* the same with churn */

/* What to plant. */
struct tl_synth_params {
	uint64_t	 seed;		/* --seed */
	size_t		 days;		/* trading days, >= 1 */
	int64_t		 start;		/* first calendar day (days since
					 * 1970-01-01); the last trading day
					 * stays within year 9999 */
	size_t		 strategies;	/* >= 1 */
	size_t		 periods;	/* monthly run periods, >= 1 */
	size_t		 trades;	/* closed trades in all, < 2^32 */
	int		 churn;		/* plant churn_spec */
	struct tl_churn_spec churn_spec;	/* checked by
					 * tl_churn_spec_check() */
	uint64_t	 signals;	/* signals in all (tl_synth_signal.h);
					 * 0: none, the log as without */
};

/* A plan.  Read-only once built: every member is a planted fact. */
struct tl_synth {
	struct tl_synth_params par;	/* what it was built from */
	struct tl_synth_world w;	/* calendar, regimes, market, prices */
	struct tl_synth_strat *st;	/* the strategies */
	size_t		 ns;		/* their number */
	struct tl_synth_strat **promos;	/* the promoted ones, by
					 * promotion day then id */
	size_t		 npromo;	/* their number */
	struct tl_churn	*churn;		/* the churn plan, or NULL */
	unsigned int	*ntr;		/* closed trades entered each day */
	unsigned int	*nhold;		/* hold decisions each day */
	unsigned int	*nopen;		/* decisions never closed each day */
	uint64_t	 ndec;		/* decisions in all */
	uint64_t	 nholds;	/* hold decisions in all */
	uint64_t	 nopens;	/* decisions never closed in all */
	uint64_t	 nruns;		/* runs in all (tl_synth_run_kept) */
};

/* Can churn spec sp be planted among ns strategies over days trading
 * days?  Late starts and retirements go to strategies that are never
 * promoted (tl_synth_npromoted).  Returns 0, or -1 with err =
 * TL_EX_USAGE, where "--churn", saying what to raise
 * (tl_churn_spec_check). */
int	tl_synth_churn_check(const struct tl_churn_spec *sp, size_t ns,
	    size_t days, struct tl_err *err);

/* New plan of p, drawn from the streams of p->seed: the world, the
 * strategies with the activity floor (TL_SYNTH_MIN_RATE, or
 * TL_SYNTH_CHURN_MIN_RATE with churn), the day counts, the price paths,
 * the churn (late starts and retirements among the strategies never
 * promoted; a renamed one takes the name after the last strategy's), and
 * the in-sample runs.  Returns the plan, or NULL with err (TL_EX_USAGE
 * when the churn spec does not fit, as tl_churn_alloc() says). */
struct tl_synth *tl_synth_alloc(const struct tl_synth_params *p,
	    struct tl_err *err);
void	tl_synth_free(struct tl_synth *s);	/* accepts NULL */

/* The calendar day of trading day i. */
static inline int64_t
tl_synth_day(const struct tl_synth *s, size_t i)
{
	return tl_synth_world_day(&s->w, i);
}

/* The name strategy i carries on calendar day z: its alias from the day
 * of its rename on, else its id.  Borrowed until tl_synth_free(). */
const char *tl_synth_name(const struct tl_synth *s, size_t i, int64_t z);

/* Does strategy i have a run of the period that begins on calendar day
 * z?  A late starter has none that begins before its start, a retired
 * one none that begins after its retirement. */
int	tl_synth_run_kept(const struct tl_synth *s, size_t i, int64_t z);

#endif
