/*
 * The model that tl-synth plants in a synthetic log (tl-synth(1)): the
 * coefficients of every planted relation, the trading day's clock and
 * the name tables of what a log holds.  They are defined once, here: the
 * plan (tl_synth.h and its modules) draws from them and truth.json
 * (tl_synth_truth.h) writes them, so that the two cannot disagree.  A
 * change here changes the bytes of every log; keep tl-synth(1) and the
 * formula strings of tl_synth_truth.c in step.
 */
#ifndef TL_SYNTH_MODEL_H
#define TL_SYNTH_MODEL_H

/* The clock of a trading day, in milliseconds from 00:00Z. */
#define TL_SYNTH_MS_DAY		86400000LL	/* milliseconds in a day */
#define TL_SYNTH_OPEN_MS	52200000LL	/* 14:30:00Z: decisions */
#define TL_SYNTH_LAST_DEC_MS	75000000LL	/* 20:50:00Z: last decision */
#define TL_SYNTH_CLOSE_MS	75600000LL	/* 21:00:00Z: exits until */
#define TL_SYNTH_PROMO_MS	46800000LL	/* 13:00:00Z: promotions */
#define TL_SYNTH_MIN_HOLD_MS	60000LL		/* a same-day exit is at
						 * least 1 min in */
#define TL_SYNTH_MAX_HOLD_DAYS	3	/* exit up to 3 trading days later */

/* Run ROI: A*tanh((lookback-LB_C)/LB_S)
 *   + B*(entry_z-EZ_C)*(universe=="tech" ? TECH : OTHER)
 *   - C*(stop_atr-SA_C)^2/SA_S + REGIME*(bull-bear share) + N(0,NOISE^2) */
#define TL_SYNTH_ROI_A		0.02
#define TL_SYNTH_ROI_LB_C	60.0
#define TL_SYNTH_ROI_LB_S	40.0
#define TL_SYNTH_ROI_B		0.015
#define TL_SYNTH_ROI_EZ_C	1.5
#define TL_SYNTH_ROI_TECH	1.0
#define TL_SYNTH_ROI_OTHER	(-0.5)
#define TL_SYNTH_ROI_C		0.01
#define TL_SYNTH_ROI_SA_C	2.5
#define TL_SYNTH_ROI_SA_S	4.0
#define TL_SYNTH_ROI_REGIME	0.03
#define TL_SYNTH_ROI_NOISE	0.01
#define TL_SYNTH_SHARPE_NOISE	0.15	/* sharpe = roi/vol + N(0, sd^2) */
#define TL_SYNTH_VOL_LO		0.02	/* per-period roi vol of a strategy */
#define TL_SYNTH_VOL_HI		0.06

/* Win probability p = clip(P_BASE + edge + P_MOMENTUM*momentum
 *   + P_VOLSPIKE*volume_spike + side_regime + N(0, P_NOISE^2), P_LO, P_HI) */
#define TL_SYNTH_P_BASE		0.47
#define TL_SYNTH_P_MOMENTUM	0.12
#define TL_SYNTH_P_VOLSPIKE	0.08
#define TL_SYNTH_P_SIDE_REGIME	0.04	/* +: long in bull, short in bear;
					 * -: against */
#define TL_SYNTH_P_NOISE	0.03
#define TL_SYNTH_P_LO		0.05
#define TL_SYNTH_P_HI		0.95
#define TL_SYNTH_EDGE_SD	0.03	/* edge of a strategy: N(0, sd^2) */
#define TL_SYNTH_EDGE_MAX	0.08	/* clipped to [-EDGE_MAX, EDGE_MAX] */
#define TL_SYNTH_PROMO_EDGE_LO	0.03	/* promoted strategies: U(LO, HI) */
#define TL_SYNTH_PROMO_EDGE_HI	0.08
#define TL_SYNTH_DECAY_SHIFT	(-0.20)	/* edge of decaying ones after
					 * their promotion */
#define TL_SYNTH_CONF_SLOPE	1.6	/* confidence = 0.5 + SLOPE*(p-0.5) */
#define TL_SYNTH_CONF_LO	0.01	/* clipped to [LO, HI] */
#define TL_SYNTH_CONF_HI	0.99
#define TL_SYNTH_COMP_TECHNICAL	0.10	/* technical = 0.5 +- 0.10 (win or
					 * loss) + N */
#define TL_SYNTH_COMP_AI	0.07	/* ai = 0.5 +- 0.07 + N */
#define TL_SYNTH_COMP_SD	0.15	/* the N of every component */
#define TL_SYNTH_VOTE_APPROVE	0.7	/* P(approve) of a vote on a trade */
#define TL_SYNTH_VOTE_HOLD	0.4	/* P(approve) on a hold */

/* Strategies and their activity. */
#define TL_SYNTH_PROMOTE_RATE	0.3	/* share of strategies promoted */
#define TL_SYNTH_PROMO_ACTIVITY	3.0	/* promoted ones trade 3x */
#define TL_SYNTH_ACTIVITY_SD	0.5	/* lognormal sd of activity */
#define TL_SYNTH_DAY_SHAPE	3.0	/* gamma shape of daily activity */
#define TL_SYNTH_EXTRA_RATE	0.05	/* hold/open decisions per trade */

/* Market regimes: a Markov chain over weekdays. */
enum { TL_SYNTH_BULL, TL_SYNTH_BEAR, TL_SYNTH_CHOP, TL_SYNTH_NREGIME };
extern const char *const tl_synth_regime_names[TL_SYNTH_NREGIME];
extern const double tl_synth_regime_trans[TL_SYNTH_NREGIME]
	    [TL_SYNTH_NREGIME];		/* row: from, column: to */
extern const double tl_synth_regime_init[TL_SYNTH_NREGIME];
extern const double tl_synth_regime_ret_mean[TL_SYNTH_NREGIME];
extern const double tl_synth_regime_ret_sd[TL_SYNTH_NREGIME];
extern const double tl_synth_regime_vol[TL_SYNTH_NREGIME];
extern const double tl_synth_regime_long[TL_SYNTH_NREGIME];	/* P(buy) */
#define TL_SYNTH_VOL_LOG_SD	0.15	/* vol = regime_vol * exp(N(0, sd^2)) */
#define TL_SYNTH_VOL_REF	0.16	/* trade moves scale with vol/VOL_REF */

/* Signals of a decision, with the share of decisions each fires on. */
enum { TL_SYNTH_SIG_MOMENTUM, TL_SYNTH_SIG_MEAN_REV,
	TL_SYNTH_SIG_VOLUME_SPIKE, TL_SYNTH_SIG_NEWS, TL_SYNTH_SIG_NOISE_A,
	TL_SYNTH_SIG_NOISE_B, TL_SYNTH_NSIGNAL };
extern const char *const tl_synth_signal_names[TL_SYNTH_NSIGNAL];
extern const double tl_synth_signal_rate[TL_SYNTH_NSIGNAL];

/* Components and votes of a decision. */
enum { TL_SYNTH_COMP_THEME, TL_SYNTH_COMP_TECH, TL_SYNTH_COMP_AIX,
	TL_SYNTH_COMP_SENT, TL_SYNTH_NCOMP };
extern const char *const tl_synth_comp_names[TL_SYNTH_NCOMP];
#define TL_SYNTH_NVOTE	4
extern const char *const tl_synth_vote_names[TL_SYNTH_NVOTE];

/* Symbols with a starting price in cents; universes are index ranges. */
#define TL_SYNTH_NSYM	24
extern const char *const tl_synth_sym_names[TL_SYNTH_NSYM];
extern const int tl_synth_sym_price[TL_SYNTH_NSYM];
#define TL_SYNTH_SYM_SD	0.012	/* daily idiosyncratic log return */

enum { TL_SYNTH_U_TECH, TL_SYNTH_U_ENERGY, TL_SYNTH_U_FINANCE,
	TL_SYNTH_U_BROAD, TL_SYNTH_NUNIVERSE };
extern const char *const tl_synth_universe_names[TL_SYNTH_NUNIVERSE];
extern const int tl_synth_universe_lo[TL_SYNTH_NUNIVERSE];
extern const int tl_synth_universe_n[TL_SYNTH_NUNIVERSE];
#define TL_SYNTH_NFILTER	3
extern const char *const tl_synth_filter_names[TL_SYNTH_NFILTER];

/* Why a trade closed. */
enum { TL_SYNTH_R_TAKE_PROFIT, TL_SYNTH_R_STOP_LOSS, TL_SYNTH_R_TIME_EXIT,
	TL_SYNTH_R_SIGNAL_EXIT, TL_SYNTH_NREASON };
extern const char *const tl_synth_reason_names[TL_SYNTH_NREASON];

#endif
