/*
 * The check engine of tl-overfit: every promoted strategy followed out
 * of sample.  A rolling Sharpe ratio after the promotion against the
 * in-sample one (decay held for N days), the probabilistic Sharpe ratio
 * of the live record day by day (Bailey & Lopez de Prado 2012), the
 * deflated Sharpe ratio of the in-sample record given the trials behind
 * it (Bailey & Lopez de Prado 2014) and the minimum track record length;
 * each turned into a debounced alert that an acknowledgement covers for
 * its episode.  Also the files check reads: runs.jsonl (the trials),
 * promotions and acknowledgements.  Sharpe ratios are per period (per
 * day for a returns panel).
 */
#ifndef TL_OVERFIT_H
#define TL_OVERFIT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "tl_err.h"
#include "tl_panel.h"
#include "tl_sharpe.h"

/* Severities in increasing order. */
enum tl_overfit_sev { TL_SEV_NONE = -1, TL_SEV_LOW, TL_SEV_MEDIUM,
	TL_SEV_HIGH };
extern const char *const tl_overfit_sev_names[];	/* "low" ... */
extern const size_t tl_overfit_nsev;

/* The severity named s, or TL_SEV_NONE. */
enum tl_overfit_sev tl_overfit_sev_parse(const char *s);

/* Where the in-sample Sharpe ratio comes from (--baseline). */
enum tl_overfit_baseline {
	TL_BASELINE_AUTO,	/* returns before the promotion, else given */
	TL_BASELINE_RETURNS,	/* returns only */
	TL_BASELINE_GIVEN	/* the promotion's in_sample.sharpe only */
};

/* The settings of check (tl-overfit(1) names the options). */
struct tl_overfit_opts {
	enum tl_overfit_baseline baseline;	/* --baseline */
	long		 days;		/* --days: consecutive days */
	long		 is_min;	/* fewest in-sample days from returns */
	long		 is_window;	/* in-sample days before promotion */
	double		 level;		/* PSR/DSR/MinTRL confidence */
	long		 ppy;		/* periods per year, display only */
	double		 threshold;	/* decay threshold */
	long		 window;	/* rolling window, days */
};

/* ---- runs: the trials behind the promotions -------------------------- */

struct tl_overfit_runs {
	struct tl_map	*days;		/* run id -> trading days + 1 */
	double		*sr;		/* per-day Sharpe ratio of each trial */
	size_t		 n, cap;	/* trials, allocated */
};

/* Read runs.jsonl at path: each run with a finite metrics.sharpe is a
 * trial; its Sharpe ratio goes per day by the trading days it covers
 * (weekdays from start to end, or run_days when > 0).  Returns 0, or -1
 * with err (TL_EX_NOINPUT; TL_EX_DATAERR "run without start and end
 * dates: give --run-days ..."); r is to be released either way. */
int	tl_overfit_runs_read(const char *path, long run_days,
	    struct tl_overfit_runs *r, struct tl_err *err);
void	tl_overfit_runs_release(struct tl_overfit_runs *r);

/* ---- promotions and acks ---------------------------------------------- */

struct tl_overfit_promo {
	char	*strategy;	/* id */
	char	 date[16];	/* UTC date of the promotion */
	int64_t	 ms;		/* its time */
	double	 given;		/* in_sample.sharpe, NaN if absent */
	long	 given_days;	/* trading days behind it, 0 unknown */
	char	 where[64];	/* file:line for messages */
};

struct tl_overfit_promos {
	struct tl_overfit_promo *v;	/* by strategy */
	size_t		 n, cap;	/* used, allocated */
};

/* Read the promotions {strategy, ts, in_sample.sharpe, run_id} at path,
 * sorted by strategy; a strategy promoted twice keeps its latest, which
 * restarts its out-of-sample clock.  The days behind a given Sharpe
 * ratio: run_days when > 0, else its run's in runs.  Returns 0, or -1
 * with err (TL_EX_NOINPUT, TL_EX_DATAERR "field 'ts': 'x' is not a
 * time" ...); p is to be released either way. */
int	tl_overfit_promos_read(const char *path, long run_days,
	    const struct tl_overfit_runs *runs, struct tl_overfit_promos *p,
	    struct tl_err *err);
void	tl_overfit_promos_release(struct tl_overfit_promos *p);

struct tl_overfit_ack {
	char	*strategy;	/* the alert's strategy */
	char	*kind;		/* and kind */
	int64_t	 ms;		/* acknowledged_at */
	enum tl_overfit_sev sev;	/* the severity acknowledged */
};

struct tl_overfit_acks {
	struct tl_overfit_ack *v;	/* in the file's order */
	size_t		 n, cap;	/* used, allocated */
};

/* Read the acknowledgements {strategy, kind, acknowledged_at, severity}
 * at path.  Returns 0, or -1 with err (TL_EX_NOINPUT, TL_EX_DATAERR
 * "field 'severity': unknown 'x' (low, medium or high)" ...); a is to be
 * released either way. */
int	tl_overfit_acks_read(const char *path, struct tl_overfit_acks *a,
	    struct tl_err *err);
void	tl_overfit_acks_release(struct tl_overfit_acks *a);

/* ---- check ------------------------------------------------------------ */

/* Debounced alert state over daily conditions cond[0..m) (1 true, 0
 * not): it fires once the condition has held need consecutive days and
 * clears once it has failed need consecutive days.  Returns 1 if active
 * after the last day, with *since the first day of the run that fired
 * it; 0 otherwise (*since untouched). */
int	tl_overfit_episode(const signed char *cond, size_t m, size_t need,
	    size_t *since);

/* Running moments for an expanding window, one pass (Pebay 2008, Sandia
 * report SAND2008-6212, the update of M2, M3, M4 by one observation);
 * zero-initialised.  get gives tl_moments' definitions (sd with n - 1,
 * non-excess kurtosis; NaN below 2 points or with zero variance). */
struct tl_run_mom {
	double	n, mean, m2, m3, m4;
};
void	tl_run_mom_add(struct tl_run_mom *r, double x);
void	tl_run_mom_get(const struct tl_run_mom *r, struct tl_moments *m);

/* Everything check finds about one strategy. */
struct tl_overfit_eval {
	long		 col;		/* panel column or -1 */
	const struct tl_overfit_promo *pr;	/* its promotion or NULL */
	struct tl_moments all;		/* whole record */
	double		 psr, dsr, sr0, mintrl;	/* whole record */
	/* promoted only */
	double		 is_sr;		/* in-sample Sharpe per day */
	const char	*is_src;	/* "returns", "given" or NULL */
	struct tl_moments is;		/* in-sample moments (returns) */
	size_t		 oos_n;		/* live days */
	const char	*oos_first;	/* first live date */
	double		 roll_sr;	/* last rolling Sharpe */
	double		 decay;		/* last decay */
	int		 decay_on;	/* decay alert active */
	const char	*decay_since;	/* first date of its episode */
	size_t		 decay_days;	/* evaluated days in the episode */
	struct tl_moments live;		/* whole live record */
	double		 live_psr;	/* PSR(0) of it */
	int		 psr_on;	/* PSR alert active */
	const char	*psr_since;	/* first date of its episode */
	double		 live_mintrl;	/* MinTRL of the live record */
	double		 is_dsr, is_sr0;	/* DSR of the in-sample one */
};

/* One check: its inputs (filled by the caller: o, the panel, runs,
 * promotions, acks) and what prepare makes of them. */
struct tl_overfit_check {
	const struct tl_overfit_opts *o;	/* the settings, borrowed */
	struct tl_panel	 pn;		/* returns: dates x strategies */
	struct tl_overfit_runs runs;	/* the trials, maybe none */
	struct tl_overfit_promos pr;	/* the promotions */
	struct tl_overfit_acks acks;	/* the acknowledgements */
	double		 trials, trials_var;	/* NaN when unknown */
	struct tl_overfit_eval *ev;	/* per panel column, then per
					 * promotion without one */
	double		*buf;		/* ndates scratch */
	size_t		*idx;		/* ndates scratch */
	signed char	*cond;		/* ndates scratch */
};

/* The trials (trials when > 0, else the runs' count from 2 on) and their
 * variance (trials_var unless NaN, else the runs' Sharpe ratios'); then
 * the whole-record figures of every strategy (c->ev[j] for column j). */
void	tl_overfit_check_prepare(struct tl_overfit_check *c, long trials,
	    double trials_var);

/* Whole-record figures of column e->col: moments, PSR(0), MinTRL, DSR
 * given the trials. */
void	tl_overfit_eval_whole(struct tl_overfit_check *c,
	    struct tl_overfit_eval *e);

/* The evaluation of promotion i (borrowed from c->ev): e->col -1 when
 * the strategy has no returns, else everything since the promotion. */
struct tl_overfit_eval *tl_overfit_check_promotion(
	    struct tl_overfit_check *c, size_t i);
void	tl_overfit_eval_promoted(struct tl_overfit_check *c,
	    struct tl_overfit_eval *e);

/* The alerts of a promoted strategy, appended to arr (new records):
 * decay (medium, high when the rolling Sharpe is below 0), psr (high),
 * dsr and mintrl (low), each with its figures and whether an ack covers
 * it (same strategy and kind, made during the alert's episode, at its
 * severity or above). */
void	tl_overfit_alerts(const struct tl_overfit_check *c,
	    const struct tl_overfit_eval *e, json_t *arr);

/* The --stats row of a strategy.  New. */
json_t	*tl_overfit_stats_row(const struct tl_overfit_check *c,
	    const struct tl_overfit_eval *e, const char *name);

void	tl_overfit_check_release(struct tl_overfit_check *c);

/* ---- pbo -------------------------------------------------------------- */

/* Summary of a distribution (PBO's logits). */
struct tl_overfit_dist {
	double	mean, sd, min, q25, q75, max;
};

/* Mean, sd (n - 1), extremes and quartiles (linear between order
 * statistics) of x[0..n). */
void	tl_overfit_logit_summary(const double *x, size_t n,
	    struct tl_overfit_dist *d);

#endif
