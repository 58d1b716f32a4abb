/*
 * freqtrade's records as ours.  freqtrade (https://www.freqtrade.io), the
 * most used open-source trading bot, writes three things a tradelearn
 * user has: backtest exports (a document {"strategy": {NAME: {"trades":
 * [...], summary...}}, "strategy_comparison": [...]}), hyperopt results
 * (".fthypt", one JSON object per epoch per line) and the live bot's
 * trade database (tl_ftdb reads its rows into the same trade objects as
 * the export's).  The field names and meanings followed are those of
 * freqtrade 2022.x to 2025.x (tl(7) has the table); the older names
 * buy_tag and sell_reason are read as enter_tag and exit_reason.
 *
 * A closed trade becomes an outcome and a decision that joins it (the
 * same id: strategy@pair@open time): side from is_short, entry and exit
 * times and prices, qty from amount, fees as freqtrade charges them
 * (fee_open x amount x open_rate + fee_close x amount x close_rate), pnl
 * the gross P&L, profit_abs + fees, so that net_pnl = pnl - fees is
 * freqtrade's profit_abs; the decision's action is buy (sell when short)
 * and its signals the enter_tag ({} without one).  A strategy's summary and a hyperopt
 * epoch become runs.  Texts are written for tl-ingest's normalisation;
 * errors name freqtrade's fields, with no position (the caller's).
 */
#ifndef TL_FREQTRADE_H
#define TL_FREQTRADE_H

#include <stddef.h>

#include "tl_err.h"
#include "tl_jv.h"
#include "tl_util.h"

/* The fthypt_fileversion values read (absent is 1). */
#define TL_FT_HYPT_VERSION_MAX	2

/* One trade t (an object of d) of the strategy named s[0..n) (NULL: the
 * trade's own "strategy" field) as a decision and an outcome, their JSON
 * texts appended to dec and out.  Returns 1 for a closed trade, 0 for an
 * open one (no close time, and is_open not false; nothing written), -1
 * with err = TL_EX_DATAERR: a field missing or of the wrong type, or no
 * close time in a trade whose is_open is false. */
int	tl_ft_trade(const struct tl_jdoc *d, const struct tl_jv *t,
	    const char *s, size_t n, struct tl_buf *dec, struct tl_buf *out,
	    struct tl_err *err);

/* A backtest export's summary of strategy s[0..n) (its object without
 * "trades") as a run appended to run: id strategy@run start, kind
 * "backtest", period "START/END" (dates of the backtested range), genome
 * the strategy settings the summary holds (stoploss, minimal_roi,
 * trailing_*, ...), metrics its numbers with roi = profit_total.
 * *capital gets starting_balance, or 0 when there is none.  Returns 0,
 * or -1 with err. */
int	tl_ft_summary(const struct tl_jdoc *d, const struct tl_jv *sum,
	    const char *s, size_t n, struct tl_buf *run, double *capital,
	    struct tl_err *err);

/* The fthypt_fileversion of epoch e: 0 when it is one we read, or -1
 * with err = TL_EX_DATAERR, "unsupported version N ...". */
int	tl_ft_epoch_version(const struct tl_jdoc *d, const struct tl_jv *e,
	    struct tl_err *err);

/* A hyperopt epoch e, line line of the file whose base name without
 * ".fthypt" is stem, as a run appended to run: id stem#epoch, kind
 * "hyperopt", strategy results_metrics.strategy_name (else from a stem
 * "strategy_NAME_DATE_TIME"), genome params_dict, metrics the numbers of
 * results_metrics with roi = profit_total and the epoch's loss, and the
 * epoch's number and is_best.  Returns 0, or -1 with err. */
int	tl_ft_epoch(const struct tl_jdoc *d, const struct tl_jv *e,
	    const char *stem, unsigned long line, struct tl_buf *run,
	    struct tl_err *err);

#endif
