/*
 * The trade engine's other settings, learned from outcomes: a conviction
 * gate, sizing multipliers per conviction bucket, a maximum hold time, a
 * fee gate, the best horizon per signal and circuit breakers.  Each is a
 * "policy": one entry of tl_policy_kinds, one versioned JSON file that a
 * trade engine reads, and JSONL facts that say why.
 *
 * Every learned value obeys one rule (tl_policy_settle): it leaves the
 * value in force (the --prev file's, else the default) only with at least
 * min_obs observations behind it, and, when a --prev file is given, by at
 * most max_change times that value per update.  Values live at three
 * levels: the default (all rows), a group (a strategy, a symbol, a
 * conviction bucket, a signal) and a sub-group (a strategy's regime, a
 * symbol's venue); a level without an entry of its own uses the one above,
 * so that a regime with too few trades falls back to its strategy's
 * value (pooled fallback).
 *
 * Inputs are streamed once in bounded memory: each policy keeps
 * accumulators per group (sums, cells of a grid, histograms), never the
 * rows, which is why tl-ingest joins the fields a policy needs into each
 * outcome record (tl(7)).  Rows are parsed in blocks of a fixed size by
 * up to opts.threads workers and observed in input order, so that the
 * result does not depend on the number of threads; randomness comes from
 * (seed, group) streams only.
 *
 * Ownership: a struct tl_policy owns everything it reads; tl_policy_finish
 * returns new JSON values.  Errors: TL_EX_DATAERR for a bad row (where =
 * file:line, the first in input order) or a bad --prev file, TL_EX_NOINPUT
 * and TL_EX_IOERR from the readers.  lib/ never prints.
 */
#ifndef TL_POLICY_H
#define TL_POLICY_H

#include <math.h>		/* NAN in TL_POLICY_OPTS_DEFAULT */
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "tl_err.h"

#define TL_POLICY_VERSION	1	/* of every tl-policy-* file */

/* One policy: what it is called and what its file holds.  The order of
 * tl_policy_kinds is that of the subcommands in --help. */
struct tl_policy_kind {
	const char	*name;		/* subcommand: "gate" */
	const char	*format;	/* its file's: "tl-policy-gate" */
	const char	*value;		/* an entry's value: "threshold" */
	const char	*key;		/* a group is a: "strategy" */
	const char	*sub;		/* a sub-group: "regime", NULL */
	const char	*subs;		/* their member: "regimes" */
	int		 fallback;	/* stale file: +1 the larger of
					 * value and default, -1 the
					 * smaller, 0 none */
	int		 learned_default; /* the default level is learned, and
					  * groups come from the rows (not a
					  * fixed list, as size's buckets) */
	const char	*about;		/* one line for --help */
};
extern const struct tl_policy_kind tl_policy_kinds[];
extern const size_t tl_policy_nkinds;

struct tl_pf_retired;	/* a retirement, tl_portfolio.h */

/* What tl-policy was asked to do.  Members a kind does not read are
 * ignored; zero is never a valid setting where a default exists, so use
 * TL_POLICY_OPTS_DEFAULT and change what the command line gives. */
struct tl_policy_opts {
	size_t		 kind;		/* index in tl_policy_kinds */
	long		 min_obs;	/* observations before a value moves */
	double		 max_change;	/* relative cap per update; 0 off */
	const char	*asof;		/* "YYYY-MM-DD": later rows unused */
	double		 valid_for;	/* seconds past the asof day's end */
	unsigned long	 seed;		/* bootstrap streams */
	int		 threads;	/* parsing workers, >= 1 */
	const char	*conviction;	/* conviction field of trade rows */
	double		 dflt;		/* --default; NaN: the kind's own */
	/* gate */
	double		 step;		/* threshold grid step */
	long		 draws;		/* bootstrap draws */
	double		 alpha;		/* the lower bound's level */
	/* size */
	const double	*buckets;	/* inner bucket edges, increasing */
	size_t		 nbuckets;	/* their number */
	double		 n0;		/* shrinkage: weight n / (n + n0) */
	double		 min_mult;	/* bounds of a multiplier */
	double		 max_mult;
	/* hold */
	const double	*grid;		/* candidate max holds, seconds */
	size_t		 ngrid;
	/* fee */
	double		 prob;		/* edge covers the cost with this
					 * probability */
	/* horizon */
	const char	*by;		/* signal names: object or string */
	double		 level;		/* confidence intervals */
	/* breaker */
	double		 max_dd;	/* halt above this drawdown */
	double		 min_sharpe;	/* halt below this rolling Sharpe */
	double		 max_loss;	/* halt when a day loses more */
	long		 window;	/* rolling Sharpe days */
	double		 annualize;	/* periods per year */
	const char	*crisis;	/* regime label that halts the book */
	double		 recover;	/* re-enable: dd <= recover * max_dd */
	long		 recover_days;	/* days the recovery must hold */
	const char	*regimes;	/* tl-regime's regimes.jsonl or NULL */
	/* gate, hold, breaker: the strategies retired on or before the
	 * asof date get no entry; their rows still count at the default
	 * level and in the book, the history they are */
	const struct tl_pf_retired *retired;
	size_t		 nretired;
};

/* The default conviction buckets' inner edges (0.5 .. 0.9) and hold
 * grid (5m .. 5d). */
#define TL_POLICY_NBUCKETS	5
#define TL_POLICY_NGRID		10
extern const double tl_policy_buckets[TL_POLICY_NBUCKETS];
extern const double tl_policy_grid[TL_POLICY_NGRID];

#define TL_POLICY_OPTS_DEFAULT {					\
	.min_obs = 50, .max_change = 0.2, .valid_for = 2 * 86400.0,	\
	.seed = 1, .threads = 1, .conviction = "conviction",		\
	.dflt = NAN, .step = 0.01, .draws = 1000, .alpha = 0.05,	\
	.buckets = tl_policy_buckets, .nbuckets = TL_POLICY_NBUCKETS,	\
	.grid = tl_policy_grid, .ngrid = TL_POLICY_NGRID,		\
	.n0 = 100, .min_mult = 0.1, .max_mult = 2, .prob = 0.9,	\
	.by = "signals", .level = 0.95, .max_dd = 0.15,			\
	.min_sharpe = -0.5, .max_loss = 0.02, .window = 60,		\
	.annualize = 252, .crisis = "crisis", .recover = 0.5,		\
	.recover_days = 5 }

struct tl_policy;

/* New learner of kind o->kind.  o and the arrays it points to are
 * borrowed for the learner's life.  Returns NULL with err = TL_EX_USAGE
 * for settings that contradict each other (a step that does not divide
 * 1, buckets or a grid out of order). */
struct tl_policy *tl_policy_alloc(const struct tl_policy_opts *o,
	    struct tl_err *err);
void	tl_policy_free(struct tl_policy *p);	/* accepts NULL */

/* Load the previous policy (a file of the same kind) whose values are
 * the current ones and cap tonight's changes.  Returns 0, or -1 with err:
 * TL_EX_NOINPUT, TL_EX_DATAERR "not a tl-policy-gate file", "format
 * 'tl-policy-gate' version 2 is newer than this tl-policy reads (1)",
 * "groups: ..." for a malformed entry. */
int	tl_policy_prev(struct tl_policy *p, const char *path,
	    struct tl_err *err);

/* Read and observe every row of the npaths files (none: stdin), JSONL or
 * CSV by name.  The breaker reads daily returns (date, strategy, return)
 * and opts.regimes.  Returns 0, or -1 with err at the first bad row. */
int	tl_policy_read(struct tl_policy *p, char *const *paths, int npaths,
	    struct tl_err *err);

/* Observe one row given as JSON text (the unit tests' way in). */
int	tl_policy_observe_text(struct tl_policy *p, const char *text,
	    size_t len, const char *name, unsigned long line,
	    struct tl_err *err);

/* Counts of what was read, for the summary line. */
struct tl_policy_counts {
	size_t	rows;		/* rows read */
	size_t	used;		/* rows observed */
	size_t	counterfactual;	/* of them counterfactual */
	size_t	skipped_cf;	/* counterfactual rows this kind ignores */
	size_t	nosig;		/* trades without conviction (no signal's),
				 * left out by gate and size */
	size_t	after_asof;	/* rows after --asof, unused */
	size_t	groups;		/* entries considered: moved + held + kept;
				 * breaker: halted + reduced + normal */
	size_t	moved;		/* values that moved */
	size_t	capped;		/* of them limited by max_change */
	size_t	held;		/* values held (evidence short) */
	size_t	kept;		/* the learned value is the value in force */
	size_t	halted;		/* breaker: series halted */
	size_t	reduced;	/* breaker: series reduced */
	size_t	normal;		/* breaker: series normal */
	size_t	retired;	/* strategies left out, retired (--retired) */
};
void	tl_policy_counts(const struct tl_policy *p,
	    struct tl_policy_counts *c);

/* Decide and build the outputs: *policy the file (new object) and *facts
 * (new array of objects, one per group, then per transition for the
 * breaker).  Returns 0, or -1 with err: TL_EX_DATAERR "no rows in the
 * input (give --asof to write the values in force)" when nothing was
 * read and no --asof was given. */
int	tl_policy_finish(struct tl_policy *p, json_t **policy, json_t **facts,
	    struct tl_err *err);

/* ---- the common rule ------------------------------------------------- */

/* What happened to one value. */
enum tl_psettle_status {
	TL_PS_MOVED,		/* to the learned value */
	TL_PS_CAPPED,		/* toward it, by max_change */
	TL_PS_HELD,		/* evidence short: the value in force */
	TL_PS_KEPT,		/* the learned value is the value in force */
	TL_PS_NSTATUS
};
extern const char *const tl_psettle_names[TL_PS_NSTATUS];

/* Settle one value: learned is the estimate (NaN when there is none, the
 * reason then says why); current the value in force; n the observations;
 * with has_prev and max_change > 0 the change is limited to max_change *
 * |current| (a current of 0 has no scale: not limited), and a limited
 * value on a grid of step > 0 (1/step cells) is rounded toward current
 * onto it: TL_PS_HELD when that leaves it where it was.  Returns the
 * status and sets *value. */
enum tl_psettle_status tl_policy_settle(double learned, double current,
	    size_t n, long min_obs, int has_prev, double max_change,
	    double step, double *value);

/* ---- durations and lists --------------------------------------------- */

#define TL_DUR_BUFSZ	40	/* room for any tl_dur_format() text */

/* A duration: a number of seconds, or a number with one unit s, m, h, d
 * or w ("15m", "1.5h", "90").  Returns 0 and *sec (finite, >= 0), or -1. */
int	tl_dur_parse(const char *s, size_t n, double *sec);

/* sec in the largest unit that divides it (86400 "1d", 900 "15m", 90
 * "90s", 1.5 "1.5s").  Returns the length. */
int	tl_dur_format(char *buf, double sec);

/* A comma-separated list of numbers (durations when dur) into a new
 * array, strictly increasing and each in [lo, hi].  Returns 0, or -1 with
 * err = TL_EX_USAGE, where = opt. */
int	tl_policy_list(const char *opt, const char *s, int dur, double lo,
	    double hi, double **out, size_t *n, struct tl_err *err);

/* ---- files ----------------------------------------------------------- */

/* Open any tl-policy file: the JSON object at path whose format is one of
 * tl_policy_kinds' (want, when want < tl_policy_nkinds) and whose version
 * this build reads; *kind gets its index.  Returns new object, or NULL
 * with err (TL_EX_NOINPUT; TL_EX_DATAERR "invalid JSON: ...", "not a
 * tl-policy-gate file" or "not a tl-policy file", "format '...' version
 * 2 is newer than this tl-policy reads (1)", "... has no version"). */
json_t	*tl_policy_load(const char *path, size_t want, size_t *kind,
	    struct tl_err *err);

/* Is the policy file at path stale at now_ms?  Returns 1 stale, 0 fresh,
 * -1 with err (as tl_policy_load, and TL_EX_DATAERR "valid_until: ..."),
 * and sets *kind and *until_ms. */
int	tl_policy_stale(const char *path, int64_t now_ms, size_t *kind,
	    int64_t *until_ms, struct tl_err *err);

/* ---- the engines' mathematics, for the unit tests -------------------- */

/* Gate: the thresholds j/K, j = 0..K, of a grid of K cells; cell j holds
 * the signals with conviction in [j/K, (j+1)/K) (the last also 1).  The
 * cell of conviction c in [0, 1], exact at the edges. */
size_t	tl_gate_cell(double c, size_t k);

/* The net P&L per signal of gate j: the sum of cells j..k-1 over n (all
 * signals: a blocked signal makes 0).  sum[k] cells.  *best gets the j
 * maximising it (ties: the nearest to cur, then the lower). */
void	tl_gate_best(const double *sum, size_t k, size_t cur, size_t *best);

/* Bootstrap of the improvement of gate to over gate from, (S(to) -
 * S(from)) / N with S the sums over the cells admitted, by resampling the
 * N signals: per draw, the number of signals of each cell between the two
 * gates (multinomial) and their sum from the cell's mean and variance
 * (normal: a sum of many signals; the first two moments are those of the
 * signal bootstrap, Efron & Tibshirani 1993 ch. 6).  cells n, mean and
 * population variance var.  Writes the draws sorted into out[draws]. */
void	tl_gate_boot(const double *n, const double *mean, const double *var,
	    size_t k, double total, size_t from, size_t to, size_t draws,
	    uint64_t seed, uint64_t stream, double *out);

/* The p-quantile of sorted x[0..n) (linear between order statistics,
 * Hyndman & Fan 1996 type 7). */
double	tl_quantile_sorted(const double *x, size_t n, double p);

/* Size: the multiplier that a bucket's Kelly fraction (Kelly 1956; Thorp
 * 2006, f* = mu / sigma^2 per unit risked) gives relative to the whole
 * book's: f*_k / f*_all, which is the same for any fractional Kelly.
 * NaN when f*_all is not positive or a variance is 0; min when f*_k <= 0. */
double	tl_size_raw(double mu_k, double var_k, double mu_all, double var_all,
	    double min);

/* Hold: the EV per trade of a maximum hold at each grid point g[j] from
 * the trades' bins: bin j holds the trades exiting in (g[j-1], g[j]]
 * (bin ngrid: later), with n[j] trades and sum[j] of P&L.  A trade still
 * open at g[j] is closed there at the mean P&L of bin j (the P&L of
 * trades of that age).  ev[j] NaN when bin j is empty. */
void	tl_hold_ev(const double *n, const double *sum, size_t ngrid,
	    double *ev);

/* Fee: histogram bins of costs (fractions of notional) at a relative
 * width of TL_FEE_RATIO.  The bin of c and the upper edge of bin b. */
#define TL_FEE_MIN	1e-8	/* costs at or below: bin 0 */
#define TL_FEE_RATIO	1.01	/* one bin spans 1% */
#define TL_FEE_NBINS	1900	/* up to 1e-8 * 1.01^1899 > 1.5 */
size_t	tl_fee_bin(double c);
double	tl_fee_edge(size_t b);

/* Breaker: one series of daily returns walked day by day.  The state of
 * day t from the day's return, the regime label's crisis flag and the
 * state carried (tl_brk_init first). */
enum tl_brk_state { TL_BRK_NORMAL, TL_BRK_REDUCED, TL_BRK_HALTED,
	TL_BRK_NSTATE };
extern const char *const tl_brk_names[TL_BRK_NSTATE];

#define TL_BRK_REASON_DD	1	/* drawdown above max_dd */
#define TL_BRK_REASON_SHARPE	2	/* rolling Sharpe below min_sharpe */
#define TL_BRK_REASON_LOSS	4	/* the day lost more than max_loss */
#define TL_BRK_REASON_CRISIS	8	/* crisis regime (the book) */

struct tl_brk {
	enum tl_brk_state state;	/* today's */
	unsigned	 reasons;	/* TL_BRK_REASON_* of a halt */
	long		 calm;		/* days the recovery has held */
	double		 equity;	/* compounded, 1 at the start */
	double		 peak;		/* its running maximum */
	double		 dd;		/* 1 - equity / peak */
	double		 sharpe;	/* annualised, NaN before the window */
	double		 hdd, hsharpe, hloss; /* the last halt's figures */
	double		*ring;		/* the last window returns */
	long		 nring;		/* returns in it */
	long		 window;	/* its size */
};
void	tl_brk_init(struct tl_brk *b, long window);
void	tl_brk_release(struct tl_brk *b);
void	tl_brk_step(struct tl_brk *b, const struct tl_policy_opts *o,
	    double r, int crisis);

#endif
