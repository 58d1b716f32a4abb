/*
 * The signals of a synthetic log (tl-synth(1) --signals): what a trade
 * engine saw, what its conviction gate let through, what each signal's
 * direction made at five horizons, and the would-be trades of the
 * blocked ones, drawn day by day from a stream of their own
 * (TL_SYNTH_STREAM_SIGNAL), so that a log without signals keeps its
 * bytes.  The truth planted, for tl-policy(1) to recover:
 *
 *   gate     strategy i loses below conviction theta = 0.55, 0.60, 0.65,
 *            0.70 (by i mod 4) and wins above: a trade's return over its
 *            notional is A (c - theta) + fee + 1 bp, the hold effect and
 *            N(0, SD^2) noise, less its slippage and fees; the engine's
 *            own gate is TL_SYNTH_SIG_GATE, so the signals below it are
 *            blocked ("conviction") and have counterfactual trades.
 *   size     the same line: the mean edge of a conviction bucket rises
 *            with conviction, by A per unit.
 *   hold     a trade held T seconds (log-uniform in [TMIN, TMAX]) makes
 *            B (phi(T) - mean phi), phi rising in log T up to H = 1h, 4h,
 *            8h, 1d (by i mod 4) and falling after it twice as fast: the
 *            best maximum hold is H.
 *   fee      symbol k pays fees of 5, 10, 15 bp (by k mod 3) and slippage
 *            U(0, 2 bp); the logged expected edge is the return's mean
 *            before the hold effect: a trade whose expected edge is below
 *            its costs loses.
 *   horizon  momentum's EV peaks at 15m, news works only at 1h, volume
 *            has none; each fires in half the signals; EV is net of a
 *            flat 2 bp fee model.
 *
 * Signals are long, at uniform times of the session, by a strategy and a
 * symbol drawn uniformly, with the day's regime.  An executed signal
 * becomes a decision (with its conviction as confidence and its named
 * signals) and a closed trade of its own (ids GD..., GT...), kept apart
 * from the log's other decisions and trades.
 */
#ifndef TL_SYNTH_SIGNAL_H
#define TL_SYNTH_SIGNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tl_synth.h"

#define TL_SYNTH_SIG_A		0.02	/* edge per unit of conviction */
#define TL_SYNTH_SIG_B		0.004	/* hold effect */
#define TL_SYNTH_SIG_SD		0.005	/* noise of a trade's return */
#define TL_SYNTH_SIG_TMIN	120.0	/* shortest hold, s */
#define TL_SYNTH_SIG_TMAX	432000.0	/* longest hold, s (5 days) */
#define TL_SYNTH_SIG_GATE	0.5	/* the engine's logged gate */
#define TL_SYNTH_SIG_CMIN	0.375	/* convictions are U(CMIN, 1) */
#define TL_SYNTH_SIG_SLIP	0.0002	/* slippage U(0, SLIP) */
#define TL_SYNTH_SIG_FEE_MODEL	0.0002	/* the outcomes' flat fee */
#define TL_SYNTH_SIG_EV_SD	0.002	/* noise of an outcome's EV */
#define TL_SYNTH_SIG_NGROUP	4	/* strategies cycle gates and holds */
#define TL_SYNTH_SIG_NFEE	3	/* symbols cycle fees */
#define TL_SYNTH_SIG_NH		5	/* horizons */
#define TL_SYNTH_SIG_NNAMED	3	/* momentum, news, volume */
#define TL_SYNTH_SIG_MAX	100000000L	/* --signals */

extern const double tl_synth_sig_theta[TL_SYNTH_SIG_NGROUP];
extern const double tl_synth_sig_hold[TL_SYNTH_SIG_NGROUP];	/* s */
extern const double tl_synth_sig_fee[TL_SYNTH_SIG_NFEE];
extern const char *const tl_synth_sig_hname[TL_SYNTH_SIG_NH];
extern const double tl_synth_sig_hsec[TL_SYNTH_SIG_NH];
extern const char *const tl_synth_sig_names[TL_SYNTH_SIG_NNAMED];
/* gross EV at each horizon of each named signal, before the fee model */
extern const double tl_synth_sig_ev[TL_SYNTH_SIG_NNAMED][TL_SYNTH_SIG_NH];
extern const char *const tl_synth_sig_best[TL_SYNTH_SIG_NNAMED];	/* or
					 * NULL: no edge at any horizon */

/* A signal and what it made; money in cents, rates rounded as written. */
struct tl_synth_sig {
	uint64_t	 number;	/* 1, 2, ... in time order: the ids */
	int64_t		 ms;		/* signal time */
	int64_t		 exit_ms;	/* its (would-be) trade's exit */
	uint32_t	 seq;		/* draw order within the day */
	uint32_t	 strat;		/* strategy index */
	uint16_t	 sym;		/* index into tl_synth_sym_names */
	uint8_t		 regime;	/* of the day */
	uint8_t		 executed;	/* conviction >= TL_SYNTH_SIG_GATE */
	uint8_t		 fired;		/* bit k: named signal k fired */
	int64_t		 conv;		/* conviction, 1e-4 */
	int64_t		 edge;		/* expected edge, 1e-6 */
	int64_t		 qty;		/* shares */
	int64_t		 entry_c, exit_c;	/* prices, cents */
	int64_t		 pnl_c, fees_c, slip_c, mfe_c, mae_c;	/* cents */
	int64_t		 ev[TL_SYNTH_SIG_NH];	/* EV at each horizon, 1e-6 */
};

/* One day's signals, by time. */
struct tl_synth_sigday {
	size_t		 d;		/* its index */
	int64_t		 z;		/* its calendar day */
	const struct tl_synth_sig *sig;	/* borrowed until the next day */
	size_t		 n;		/* their number */
};

struct tl_synth_signals;

/* New generator of n signals over s's days (s borrowed). */
struct tl_synth_signals *tl_synth_signals_alloc(const struct tl_synth *s,
	    uint64_t n);
void	tl_synth_signals_free(struct tl_synth_signals *g);	/* NULL ok */

/* Draw the next day into *out.  Returns 1, or 0 after the last day. */
int	tl_synth_signals_next(struct tl_synth_signals *g,
	    struct tl_synth_sigday *out);

/* The counts drawn so far: signals, executed, blocked. */
void	tl_synth_signals_counts(const struct tl_synth_signals *g,
	    uint64_t *n, uint64_t *executed, uint64_t *blocked);

/* The planted hold profile: rising in log t up to h, down twice as fast
 * after it; and its mean under log-uniform holds in [TMIN, TMAX]. */
double	tl_synth_sig_phi(double t, double h);
double	tl_synth_sig_phibar(double h);

#endif
