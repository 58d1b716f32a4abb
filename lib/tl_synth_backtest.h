/*
 * A backtest of one genome in the world of a synthetic log (tl-synth(1)
 * --backtest): its daily profit and loss over the log's trading days,
 * under the log's market regimes and volatility, with the ROI its genome
 * plants (tl_synth_strat.h, tl_synth_model.h) as the mean.  The planted
 * ROI does not depend on how much a strategy risks, so the backtest adds
 * what makes its return and its drawdown trade off, and only here (the
 * logs keep their bytes):
 *
 *   trades on day d:  k_d ~ Poisson(lambda), lambda = (15 + 4 n) / 21
 *                     (a run's Poisson(15 + 4 max_positions) trades a
 *                     month over TL_SYNTH_BT_MONTH trading days);
 *   day's return:     y_d = q (k_d mu_d + sqrt(k_d) sigma_d z_d),
 *                     z_d ~ N(0, 1), the sum of k_d trades' N(mu_d,
 *                     sigma_d^2) returns;
 *   q = risk_per_trade / TL_SYNTH_BT_RISK_REF;
 *   mu_d = (roi_mean + ROI_REGIME r_d) / (15 + 4 TL_SYNTH_BT_POS_REF),
 *                     r_d = 1 on a bull day, -1 bear, 0 chop: at full
 *                     size (the reference risk and positions) a month
 *                     earns the planted ROI and its regime term on
 *                     average;
 *   sigma_d = TL_SYNTH_BT_TRADE_SD (vol_d / VOL_REF) sqrt(stop_atr /
 *                     ROI_SA_C): the day's market volatility, and a
 *                     wider stop lets a loser run further.
 *
 * Equity starts at 1 and compounds, e_d = e_{d-1} (1 + y_d), and is ruined
 * (0 from then on) by a day's loss of all of it.  The return is e_D - 1,
 * the drawdown the largest fall from a high, max_d (1 - e_d / max_{j<=d}
 * e_j), e_0 = 1 counted as a high.  Raising risk_per_trade raises both;
 * more positions raise the return faster than the noise; a stop away
 * from 2.5 ATR costs return but a tighter one cuts the noise.  The genes
 * the planted ROI does not read (exit_z, take_profit_atr, use_trailing,
 * filter) move nothing here either.
 *
 * The noise is the backtest's own stream of the seed
 * (TL_SYNTH_STREAM_BACKTEST): each day takes one uniform, whose inverse
 * Poisson CDF is k_d, and one normal z_d, whatever the genome.  So the
 * same seed gives every genome the same days (common random numbers):
 * the result is a deterministic function of the genome, smooth in its
 * continuous genes, and only another seed gives other noise.
 */
#ifndef TL_SYNTH_BACKTEST_H
#define TL_SYNTH_BACKTEST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "tl_err.h"
#include "tl_synth_strat.h"
#include "tl_synth_world.h"

#define TL_SYNTH_BT_MONTH	21	/* trading days of a run's month */
#define TL_SYNTH_BT_RISK_REF	0.05	/* risk_per_trade and max_positions
					 * at which a month earns the planted
					 * ROI: the log's runs are their
					 * strategies at full size */
#define TL_SYNTH_BT_POS_REF	20
#define TL_SYNTH_BT_TRADE_SD	0.01	/* a trade's return sd at full size,
					 * a 2.5 ATR stop and the reference
					 * volatility: a month's is about
					 * 0.01 sqrt(95) = 0.1 */

/* What a backtest gives. */
struct tl_synth_bt {
	double		 ret;		/* e_D - 1, >= -1 */
	double		 drawdown;	/* in [0, 1] */
	uint64_t	 trades;	/* sum of k_d */
	long		 ruin_day;	/* the day equity hit 0, or -1 */
	size_t		 regime_days[TL_SYNTH_NREGIME];	/* the days of
					 * each regime (TL_SYNTH_BULL..), ruin
					 * or not */
};

/* Read the genome of object v (as a runs.jsonl line's "genome": every
 * gene of tl_synth_genes by its name, no other member) into *s, each
 * value rounded to the units the log keeps it in (hundredths, 1e-5), and
 * s->roi_mean set from it.  Returns 0, or -1 with err = TL_EX_DATAERR,
 * where = name: "expected a genome object, got array", "field
 * 'lookback': missing", "field 'foo': not a genome field (lookback,
 * ...)", "field 'lookback': expected number, got string", "field
 * 'lookback': 2.5 is not an integer in [5, 200]", "field 'entry_z': 3.5
 * is not in [0.5, 3]", "field 'universe': unknown 'crypto' (tech, energy,
 * finance or broad)". */
int	tl_synth_genome_from_json(const json_t *v, const char *name,
	    struct tl_synth_strat *s, struct tl_err *err);

/* Backtest genome s (its genes and roi_mean) over the trading days of
 * world w with the noise of seed.  Fills *out; cannot fail. */
void	tl_synth_backtest(const struct tl_synth_world *w,
	    const struct tl_synth_strat *s, uint64_t seed,
	    struct tl_synth_bt *out);

#endif
