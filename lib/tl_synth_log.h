/*
 * The decisions and closed trades of a synthetic log (tl_synth.h), drawn
 * day by day from the log stream, so that memory does not grow with the
 * number of trades.  Each day has the plan's count of trade, hold and
 * open decisions, at uniform times between the open and the last
 * decision, each by a strategy that decides that day drawn in proportion
 * to its activity (three times as much once promoted); a strategy that
 * had no trade decision for keep days gets one of the day's first
 * trades.  A decision's win is drawn from the planted win probability
 * (tl_synth_model.h), and the logged confidence and components follow
 * from it.  A trade decision's trade closes the same day or up to
 * TL_SYNTH_MAX_HOLD_DAYS later (never in a pause, after a retirement or
 * after the last day), with a profit when it wins.  Prices and amounts
 * are integers in the units they are written in (cents, 1e-4).
 */
#ifndef TL_SYNTH_LOG_H
#define TL_SYNTH_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "tl_synth.h"

#define TL_SYNTH_KEEP_DAYS	20	/* a strategy has a trade decision
					 * at least every 20 days */
#define TL_SYNTH_CHURN_KEEP	3	/* the same with churn */

/* Kinds of decision. */
enum { TL_SYNTH_TRADE, TL_SYNTH_HOLD, TL_SYNTH_OPEN };

/* A decision. */
struct tl_synth_dec {
	uint64_t	 number;	/* 1, 2, ... in time order: the id */
	int64_t		 ms;		/* decision time, ms since the epoch */
	uint32_t	 seq;		/* draw order within the day: breaks
					 * ties of ms */
	uint32_t	 strat;		/* strategy index */
	uint16_t	 sym;		/* index into tl_synth_sym_names */
	uint8_t		 kind;		/* TL_SYNTH_TRADE, _HOLD, _OPEN */
	uint8_t		 side;		/* 0 long/buy, 1 short/sell; 0 on hold */
	uint8_t		 win;		/* its trade's net pnl is > 0 */
	uint8_t		 signals;	/* bit k: signal k fired */
	uint8_t		 votes;		/* bit k: vote k approves */
	uint8_t		 regime;	/* of the day */
	int16_t		 comp[TL_SYNTH_NCOMP];	/* components, hundredths */
	int16_t		 conf;		/* confidence, ten-thousandths */
};

/* A closed trade. */
struct tl_synth_trade {
	uint64_t	 number;	/* 1, 2, ... in exit order: the id */
	int64_t		 entry_ms;	/* entry time */
	int64_t		 exit_ms;	/* exit time */
	uint64_t	 did;		/* its decision's number */
	size_t		 entry_day;	/* the trading day of its decision */
	int64_t		 entry_c;	/* price, cents */
	int64_t		 exit_c;	/* price, cents */
	int64_t		 pnl_c;		/* gross pnl, cents */
	int64_t		 fees_c;	/* cents */
	int64_t		 mfe_c;		/* cents, >= max(pnl, 0) */
	int64_t		 mae_c;		/* cents, <= min(pnl, 0) */
	int64_t		 qty;		/* shares */
	uint32_t	 strat;		/* strategy index */
	uint16_t	 sym;		/* index into tl_synth_sym_names */
	uint8_t		 side;		/* 0 long, 1 short */
	uint8_t		 reason;	/* TL_SYNTH_R_* */
};

/* One trading day of the log. */
struct tl_synth_day {
	size_t		 d;		/* its index */
	int64_t		 z;		/* its calendar day */
	const struct tl_synth_dec *dec;	/* its decisions, by time then
					 * draw order */
	size_t		 ndec;		/* their number */
	const struct tl_synth_trade *trade;	/* the trades that close on
					 * it, by exit time then decision */
	size_t		 ntrade;	/* their number */
};

struct tl_synth_log;

/* New generator of s's decisions and trades (s borrowed: it must outlive
 * the generator), at day 0. */
struct tl_synth_log *tl_synth_log_alloc(const struct tl_synth *s);
void	tl_synth_log_free(struct tl_synth_log *g);	/* accepts NULL */

/* Draw the next day into *out.  Returns 1, or 0 after the last day.  The
 * arrays of *out are borrowed until the next call. */
int	tl_synth_log_next(struct tl_synth_log *g, struct tl_synth_day *out);

/* The last trading day on which a trade of strategy i closed among the
 * days drawn so far, or -1. */
long	tl_synth_log_last_exit(const struct tl_synth_log *g, size_t i);

#endif
