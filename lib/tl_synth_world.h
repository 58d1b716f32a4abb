/*
 * The world of a synthetic log (tl_synth.h): its calendar, the market
 * regime of each weekday, the market's daily return and volatility, the
 * regime term that each monthly run period adds to every run's ROI, and
 * the price path of each symbol.  Trading days are the weekdays from the
 * start on; the regimes are a Markov chain (tl_synth_model.h) over every
 * weekday from the first period's month (or the start, if earlier) to the
 * last trading day, so that a run period before the logs has regimes too.
 * Days are counted from 1970-01-01; a month is y*12 + m - 1.
 */
#ifndef TL_SYNTH_WORLD_H
#define TL_SYNTH_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "tl_synth_model.h"

struct tl_synth_world {
	int64_t		*cday;		/* the chain's weekdays, in order */
	unsigned char	*creg;		/* the regime of each (TL_SYNTH_BULL..) */
	size_t		 nc;		/* their number */
	size_t		 off;		/* index in cday of trading day 0 */
	size_t		 nd;		/* trading days */
	int64_t		*ret_u;		/* market return of each trading day,
					 * 1e-6 units */
	int64_t		*vol_u;		/* market volatility, 1e-4 units */
	long		 month0;	/* the first period's month */
	size_t		 nperiod;	/* monthly periods, the last one the
					 * last trading day's month */
	double		*pterm;		/* each period's regime term:
					 * ROI_REGIME*(bull - bear)/weekdays */
	double		*price;		/* nd rows of TL_SYNTH_NSYM: each
					 * symbol's price after the day's move,
					 * or NULL before tl_synth_world_prices */
};

/* Draw the world of days trading days from calendar day start (a
 * weekend start moves to the Monday) with periods >= 1 run periods: the
 * regime chain, then the market series, from r.  The caller has checked
 * that the last day stays within year 9999.  Out of memory exits (70). */
void	tl_synth_world_init(struct tl_synth_world *w, int64_t start,
	    size_t days, size_t periods, gsl_rng *r);

/* Draw the price paths from r: each day, every symbol moves by the
 * market's return and an idiosyncratic N(0, TL_SYNTH_SYM_SD^2) log return.
 * The plan draws them last, after the strategies (tl_synth.c). */
void	tl_synth_world_prices(struct tl_synth_world *w, gsl_rng *r);

void	tl_synth_world_release(struct tl_synth_world *w);

/* The calendar day of trading day i (< w->nd). */
static inline int64_t
tl_synth_world_day(const struct tl_synth_world *w, size_t i)
{
	return w->cday[w->off + i];
}

/* The regime of trading day i (< w->nd). */
static inline int
tl_synth_world_regime(const struct tl_synth_world *w, size_t i)
{
	return w->creg[w->off + i];
}

/* The prices of trading day i: TL_SYNTH_NSYM of them; borrowed. */
static inline const double *
tl_synth_world_price(const struct tl_synth_world *w, size_t i)
{
	return w->price + i * TL_SYNTH_NSYM;
}

/* The day of the week of calendar day z: 0 Sunday .. 6 Saturday. */
int	tl_synth_weekday(int64_t z);

/* The month of calendar day z, and the first day of a month. */
long	tl_synth_month_of(int64_t z);
int64_t	tl_synth_month_first(long month);

#endif
