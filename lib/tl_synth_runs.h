/*
 * The backtest and simulation runs of a synthetic log (tl_synth.h): one
 * per strategy and monthly period, whose metrics.roi is the ROI planted
 * by the strategy's genome plus the period's regime term and noise
 * (tl_synth_model.h).  A generator draws them period by period from the
 * runs stream; a run that --churn leaves out (tl_synth_run_kept) is drawn
 * all the same, so that the others keep their numbers.
 */
#ifndef TL_SYNTH_RUNS_H
#define TL_SYNTH_RUNS_H

#include <stddef.h>
#include <stdint.h>

#include "tl_synth.h"

struct tl_synth_run {
	uint64_t	 number;	/* p * strategies + i + 1: "R0000042" */
	size_t		 strategy;	/* its index */
	int		 kept;		/* is written (tl_synth_run_kept) */
	int64_t		 roi;		/* metrics.roi, 1e-4 units */
	int64_t		 sharpe;	/* metrics.sharpe, 1e-2 units */
	int64_t		 max_dd;	/* metrics.max_dd, 1e-4 units */
	int64_t		 win_rate;	/* metrics.win_rate, 1e-3 units */
	unsigned int	 trades;	/* metrics.trades */
};

/* The runs of one period. */
struct tl_synth_period {
	size_t		 p;		/* its index, 0 for the first */
	long		 month;		/* y*12 + m - 1 */
	int64_t		 first;		/* its first and last calendar day */
	int64_t		 last;
	int		 backtest;	/* it ends before the first trading day
					 * (else a simulation) */
	const struct tl_synth_run *run;	/* one per strategy, by index */
};

struct tl_synth_runs;

/* New generator of s's runs (s borrowed: it must outlive the
 * generator), at the first period. */
struct tl_synth_runs *tl_synth_runs_alloc(const struct tl_synth *s);
void	tl_synth_runs_free(struct tl_synth_runs *g);	/* accepts NULL */

/* Draw the next period into *out.  Returns 1, or 0 after the last
 * period.  out->run is borrowed until the next call. */
int	tl_synth_runs_next(struct tl_synth_runs *g,
	    struct tl_synth_period *out);

/* The run number of strategy i in period p. */
static inline uint64_t
tl_synth_run_number(const struct tl_synth *s, size_t p, size_t i)
{
	return (uint64_t)p * s->ns + i + 1;
}

#endif
