/*
 * The strategies of a synthetic log (tl_synth.h): each one's genome, the
 * ROI its genome plants (tl_synth_model.h), its win-probability edge, how
 * often it decides, and whether it is promoted and then decays.  A
 * genome's numbers are kept in the integer units they are written in
 * (hundredths, 1e-5), so that the log says exactly what was planted.
 */
#ifndef TL_SYNTH_STRAT_H
#define TL_SYNTH_STRAT_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "tl_synth_world.h"

#define TL_SYNTH_ID_SZ	24	/* room for "S0007" and any index */

struct tl_synth_strat {
	char		 id[TL_SYNTH_ID_SZ];	/* "S0007": S and index + 1 */
	char		 alias[TL_SYNTH_ID_SZ];	/* its new name once renamed
					 * (--churn), else "" */
	int		 lookback;	/* genome: 5..200 */
	int		 entry_z;	/* hundredths, 0.5..3 */
	int		 exit_z;	/* hundredths, 0..1.5 */
	int		 stop_atr;	/* hundredths, 0.5..5 */
	int		 tp_atr;	/* hundredths, 1..8 */
	int		 risk;		/* 1e-5 units, 0.001..0.05 log-scale */
	int		 max_pos;	/* 1..20 */
	int		 trailing;	/* bool */
	int		 universe;	/* TL_SYNTH_U_* */
	int		 filter;	/* index into tl_synth_filter_names */
	double		 vol;		/* per-period ROI volatility (sharpe) */
	double		 roi_mean;	/* planted ROI without regime, noise */
	double		 edge;		/* win probability shift */
	double		 activity;	/* relative decision rate */
	long		 promo_day;	/* trading day of its promotion, or -1 */
	int		 decaying;	/* edge + DECAY_SHIFT from promo_day */
	long		 is_period;	/* its in-sample run's period (the
					 * month before the promotion), or -1 */
	int64_t		 is_roi;	/* that run's metrics.roi, 1e-4 units */
	int64_t		 is_sharpe;	/* its metrics.sharpe, 1e-2 units */
};

/* How many of ns strategies are promoted: TL_SYNTH_PROMOTE_RATE of them,
 * rounded half up. */
size_t	tl_synth_npromoted(size_t ns);

/* The planted mean ROI of s's genome (tl_synth_model.h: TL_SYNTH_ROI_*
 * without the regime term and the noise). */
double	tl_synth_roi_mean(const struct tl_synth_strat *s);

/* New array of ns strategies drawn from r over world w: genomes, edges,
 * activities, then tl_synth_npromoted(ns) promotions on days of the first
 * half, a third of them (at least one when ns >= 3) decaying, each with
 * an edge from U(PROMO_EDGE_LO, PROMO_EDGE_HI).  Their in-sample metrics
 * are left 0: they come from the runs (tl_synth_runs.h). */
struct tl_synth_strat *tl_synth_strats_draw(const struct tl_synth_world *w,
	    size_t ns, gsl_rng *r);

/* Raise the least active of st[0..ns) so that each closes c*trades/days
 * trades a day or more on average, counting a promoted strategy's
 * activity TL_SYNTH_PROMO_ACTIVITY times; c is min_rate * days / trades.
 * The floor f solves f = c * sum_j max(a_j, f) m_j; when none does
 * (c sum m_j >= 1: too few trades), every strategy gets the highest
 * activity. */
void	tl_synth_activity_floor(struct tl_synth_strat *st, size_t ns,
	    double c);

/* The promoted strategies of st[0..ns) by promotion day, then id: a new
 * array of *n pointers into st. */
struct tl_synth_strat **tl_synth_promoted(struct tl_synth_strat *st,
	    size_t ns, size_t *n);

#endif
