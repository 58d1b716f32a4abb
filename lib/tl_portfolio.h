/*
 * The allocation engine of tl-allocate: which strategies take part
 * tonight, their expected returns and covariance, the methods, and what
 * happens when a method has no answer.
 *
 * Who takes part.  Every strategy of the returns panel gets one status:
 * in (allocated), or out for the first reason that holds, in this order:
 * retired (a retirement dated on or before --asof), not-live (its last
 * return is more than --live-days calendar days before --asof), too few
 * days (fewer than --min-days returns in the window: a new strategy
 * waits, it is not guessed), demoted (an unacknowledged demote alert
 * with --demoted-max-weight 0).  A demoted strategy with a positive
 * --demoted-max-weight stays in, capped at it (status capped).  Returns
 * dated after --asof are not used: no look-ahead.
 *
 * The covariance over strategies that come and go.  Under --missing
 * auto the first estimate of this list that works is used, and the
 * summary names it: aligned (the days on which every allocated strategy
 * has a return, if at least max(2, --min-days) of them; the estimator
 * asked for), pairwise (every pair over the days it shares, if each pair
 * shares 2 or more and the matrix is positive definite), pairwise-shrunk
 * (Schafer-Strimmer shrinkage toward the diagonal, a pair that shares
 * fewer than 2 days at the target 0, then Higham's nearest correlation
 * matrix if still not positive definite; needs 2 days per strategy and
 * the repair to converge), short-window (the last run of consecutive
 * days on which all have a return, 2 or more, with the estimator), and
 * equal-weight (no covariance: the method becomes equal weight).  A gap
 * is never read as a zero return.  --missing aligned and pairwise use
 * that one estimate and fail as before when it does not work.
 *
 * Caps that cannot sum to 1.  When the weight caps of tonight's
 * strategies (--max-weight, a demoted strategy's cap, a --max-corr
 * group's shared cap) sum to less than 1, the book invests what they
 * allow, budget = min(1, sum of the caps, a group counting at most its
 * cap), and holds the rest in cash: a zero-variance, zero-return asset
 * that the method does not choose (with a slack budget min-variance
 * would choose all cash).  Every method then optimises over weights
 * summing to the budget; without a group cap that binds, the only such
 * allocation holds every strategy at its cap, and every method gives
 * it.  --unfilled relax raises --max-weight (and the group caps) for
 * the night to the least cap at which the weights sum to 1 instead.
 *
 * Turnover.  Tonight's exclusions (a strategy left out or gone goes to
 * 0), the re-spreading of the weight they free and tonight's bounds
 * force a least turnover, sum |w - prev| at the allocation nearest to
 * prev; it has a closed form (tl_portfolio_init).  The turnover cap
 * applied is max(--max-turnover, that least): the cap binds as given
 * when it can, and a night that forces more makes only the forced moves,
 * the method choosing how to re-spread the freed weight.
 *
 * No answer.  A method has no answer when the data leave it none:
 * max-sharpe with no expected return above the risk-free rate,
 * mean-variance with every expected return negative, a volatility cap
 * below the least volatility reachable, erc or hrp outside the bounds
 * or the cap, no strategy to allocate.  Then the --fallback method is
 * solved under the same limits, and if it has no answer either the
 * night is in cash (every weight 0): cash meets every risk limit.
 * --fallback none fails instead (TL_EX_DATAERR), as tl-allocate did
 * before.  Only a problem with the inputs (bad data, a --min-weight that
 * no book of this many strategies can meet) is an error.
 *
 * All figures are annual (daily figures times --annualize).  lib never
 * prints: the result is in struct tl_portfolio for the caller to write.
 */
#ifndef TL_PORTFOLIO_H
#define TL_PORTFOLIO_H

#include <stddef.h>

#include "tl_err.h"
#include "tl_panel.h"

struct tl_portfolio;
struct tl_pf_opts;
struct tl_qp;

#define TL_PF_CASH	((size_t)-1)	/* tl_portfolio.used: in cash */
#define TL_PF_REPAIR_ITER 1000		/* Higham iterations at most: it
					 * converges linearly, a few dozen
					 * on real books */

/* What a method needs. */
enum tl_pf_kind {
	TL_PF_QP,	/* a QP along the risk path: every limit applies */
	TL_PF_RISK,	/* from the covariance alone, then checked */
	TL_PF_FIXED	/* no estimate: equal weight, then checked */
};

/* A method: its name (and another it answers to), what it needs, and
 * whether the covariance must be positive definite.  check (may be NULL)
 * says before solving whether the data leave an answer; solve writes the
 * weights.  Both return 0, 1 (no answer: err says why, code
 * TL_EX_DATAERR) or -1 (an error). */
struct tl_pf_method {
	const char	*name;
	const char	*alias;		/* or NULL */
	const char	*about;		/* what it does, one line (--method
					 * help lists the methods) */
	enum tl_pf_kind	 kind;
	int		 posdef;	/* needs a positive definite cov */
	int		 needs_max_vol;	/* aims at --max-vol: needs it */
	int		 risk_aversion;	/* uses --risk-aversion */
	int		(*check)(const struct tl_portfolio *,
			    const struct tl_pf_opts *, struct tl_err *);
	int		(*solve)(struct tl_portfolio *,
			    const struct tl_pf_opts *, double *,
			    struct tl_err *);
};

extern const struct tl_pf_method tl_pf_methods[];
extern const size_t tl_pf_nmethods;

/* Index of the method named (or aliased) s, or -1. */
long	tl_pf_method_find(const char *s);

/* Covariance estimators (-e): the name, and the estimate of x (t x p,
 * no gap) from its cross products, into out; returns the shrinkage
 * intensity or NAN. */
struct tl_pf_estimator {
	const char	*name;
	int		 halflife;	/* uses --halflife */
	double		(*estimate)(const double *x, size_t t, size_t p,
			    const double *cross, double halflife, double *out);
	double		(*floor)(const double *out, size_t p, double shrink);
					/* a lower bound on the estimate's
					 * Cholesky pivots over its diagonal,
					 * from its intensity, or NULL */
};

extern const struct tl_pf_estimator tl_pf_estimators[];
extern const size_t tl_pf_nestimators;

/* Expected returns (-r; "file" is --mu's, not a -r choice). */
struct tl_pf_mu_est {
	const char	*name;
	int		 option;	/* -r may name it */
	int		 ewma;		/* exponentially weighted mean */
	int		 james_stein;	/* shrunk toward the mean of all */
};

extern const struct tl_pf_mu_est tl_pf_mu_ests[];
extern const size_t tl_pf_nmu_ests;

/* --missing: auto tries every covariance stage in order; aligned and
 * pairwise use theirs alone and fail as before when it does not work. */
struct tl_pf_gap_mode {
	const char	*name;
	int		 strict;	/* one stage, its failure an error */
	size_t		 stage;		/* the stage, or the first tried */
	int		 sample_only;	/* -e sample only (gaps in days) */
};

extern const struct tl_pf_gap_mode tl_pf_gap_modes[];
extern const size_t tl_pf_ngap_modes;

/* --fallback: a method, or cash (every weight 0), or none (fail). */
struct tl_pf_fallback {
	const char	*name;
	int		 method;	/* the name is a method's */
	int		 none;		/* fail instead */
};

extern const struct tl_pf_fallback tl_pf_fallbacks[];
extern const size_t tl_pf_nfallbacks;

/* --unfilled: when tonight's caps sum to less than 1, the rest in cash
 * or the caps raised. */
struct tl_pf_unfilled {
	const char	*name;
	int		 relax;		/* raise --max-weight for the night */
};

extern const struct tl_pf_unfilled tl_pf_unfilleds[];
extern const size_t tl_pf_nunfilleds;

/* The covariance stages, in the order auto tries them: "aligned",
 * "pairwise", "pairwise-shrunk", "short-window", "equal-weight". */
const char *tl_pf_covariance_name(size_t stage);

/* Why a strategy is out (or capped); TL_PF_IN when it is allocated. */
enum tl_pf_status {
	TL_PF_IN,
	TL_PF_RETIRED,
	TL_PF_NOT_LIVE,
	TL_PF_TOO_FEW_DAYS,
	TL_PF_DEMOTED,
	TL_PF_CAPPED,
	TL_PF_NSTATUS
};

/* "retired", "not-live", ... ("" for TL_PF_IN). */
const char *tl_pf_status_name(enum tl_pf_status s);

/* An alert of tl-overfit (alerts.jsonl): only an unacknowledged one
 * whose action demotes acts. */
struct tl_pf_alert {
	const char	*strategy;
	const char	*action;	/* "demote", "retrain", "watch" */
	int		 acknowledged;
	const char	*kind, *severity, *since;	/* or NULL */
};

/* The actions an alert may name, and whether each demotes. */
struct tl_pf_action {
	const char	*name;
	int		 demotes;
};
extern const struct tl_pf_action tl_pf_actions[];
extern const size_t tl_pf_nactions;

/* Does alert action s demote?  1 yes, 0 no, -1 unknown action. */
int	tl_pf_action_demotes(const char *s);

/* A retirement (retirements.jsonl): strategy and the date of its ts. */
struct tl_pf_retired {
	const char	*strategy;
	char		 date[11];	/* "YYYY-MM-DD" */
};

/* The date strategy retired on or before asof ("YYYY-MM-DD"), the
 * earliest of its n retirements r, or NULL: it has not retired by then.
 * tl-policy's --retired uses it too. */
const char *tl_pf_retired_on(const struct tl_pf_retired *r, size_t n,
	    const char *strategy, const char *asof);

/* Weights or expected returns by strategy name. */
struct tl_pf_named {
	const char	*name;
	double		 v;
};

struct tl_pf_opts {
	size_t		 method;	/* tl_pf_methods */
	size_t		 fallback;	/* tl_pf_fallbacks */
	size_t		 estimator;	/* tl_pf_estimators */
	size_t		 returns;	/* tl_pf_mu_ests */
	size_t		 missing;	/* tl_pf_gap_modes */
	size_t		 unfilled;	/* tl_pf_unfilleds */
	double		 annualize;	/* periods per year */
	double		 halflife;	/* EWMA half-life in days */
	double		 lambda;	/* mean-variance risk aversion */
	double		 rf;		/* annual risk-free rate */
	double		 max_corr;	/* NAN: off */
	double		 max_turnover;	/* NAN: off */
	double		 max_vol;	/* NAN: off */
	double		 max_weight;
	double		 min_trade;	/* 0: off */
	double		 min_weight;
	double		 demoted_max_weight;	/* 0: demoted are out */
	long		 window;	/* last N dates, 0: all */
	long		 live_days;	/* 0: no test */
	long		 min_days;	/* 0: no test */
	const char	*asof;		/* NULL: the last date */
	size_t		 repair_iter;	/* Higham iterations at most, 0:
					 * TL_PF_REPAIR_ITER */
	const struct tl_pf_named *prev;	/* --prev, or NULL */
	size_t		 nprev;
	const struct tl_pf_named *mu;	/* --mu, or NULL */
	size_t		 nmu;
	const char	*mu_file;	/* its name, for messages */
	const struct tl_pf_retired *retired;
	size_t		 nretired;
	const struct tl_pf_alert *alerts;
	size_t		 nalerts;
};

/* One strategy of the panel. */
struct tl_pf_strategy {
	const char	*name;		/* borrowed from the panel */
	enum tl_pf_status status;
	char		*reason;	/* new; NULL when in and not capped */
	const struct tl_pf_alert *alert;	/* the demote alert acted on,
					 * borrowed from opts, or NULL */
	size_t		 days;		/* returns in the window */
	long		 idx;		/* index in the problem, or -1 */
	double		 prev;		/* previous weight, 0 if none */
};

struct tl_portfolio {
	/* the universe: every series of the panel, in its (name) order */
	size_t		 nall;
	struct tl_pf_strategy *all;
	size_t		 count[TL_PF_NSTATUS];	/* strategies per status */
	char		 asof[11];	/* the night's date */
	size_t		 t0, t1;	/* window rows of the panel */

	/* the problem, over the allocated strategies (in and capped) */
	size_t		 n;
	const char	**names;	/* n, borrowed from the panel */
	double		*cov;		/* n x n, annual */
	double		*corr;		/* n x n sample correlation */
	double		*mu;		/* n, annual */
	double		*prev;		/* n, previous weights */
	double		*lo, *hi;	/* n, bounds */
	double		 gone;		/* previous weight of strategies no
					 * longer in the returns */
	double		 out;		/* previous weight of those left out
					 * tonight */
	size_t		 covariance;	/* the stage used (its name:
					 * tl_pf_covariance_name) */
	char		*cov_reason;	/* new: why earlier stages were not
					 * used, or NULL */
	size_t		 days;		/* days used */
	const char	*first, *last;	/* their first and last date */
	double		 shrink;	/* estimator intensity, NAN if none */
	double		 mu_shrink;	/* James-Stein intensity, NAN */
	int		 pairwise;	/* a pairwise stage: the next two
					 * apply */
	size_t		 min_pair_days;	/* the fewest days a pair shares */
	size_t		 common_days;	/* days of the window with a return
					 * for every strategy */
	size_t		 unmeasured;	/* pairs sharing < 2 days */
	long		 repair;	/* Higham iterations, 0: none */
	double		 pd_margin;	/* the stage's Cholesky test said yes
					 * by this margin (tl_cov_posdef_
					 * margin), 0: not tested or no */
	size_t		*group;		/* n, --max-corr group or NOGROUP */
	double		*cap;		/* group caps */
	size_t		 ngroups;
	struct tl_qp	*qp;		/* workspace */
	double		 budget;	/* the weights' sum: min(1, what the
					 * caps allow) */
	unsigned char	*pinned;	/* n: held at its cap by a budget
					 * below 1 (outside any group at
					 * its cap), or NULL */
	double		 max_weight;	/* --max-weight applied (raised by
					 * --unfilled relax) */
	double		 turnover_forced;	/* the least turnover of
					 * tonight (prev all 0 without
					 * --prev) */
	double		 max_turnover;	/* the cap applied: max(--max-turnover,
					 * turnover_forced), NAN: off */
	double		 turnover_cap;	/* its part on the problem, NAN: off */
	size_t		 qp_iter;	/* iterations in all */
	size_t		 qp_solves;

	/* the result */
	double		*w;		/* n weights */
	double		 cash;		/* 1 - sum w: 1 - budget, or 1 in
					 * cash */
	size_t		 used;		/* the method of the weights, or
					 * TL_PF_CASH */
	int		 fell_back;	/* the method asked had no answer */
	char		*fb_reason;	/* new: why, or NULL */
};

/* Choose tonight's strategies from the panel, read the inputs in o
 * (borrowed for the call), estimate, and set the budget and the
 * turnover cap (see the top).  pn must outlive pf (names are borrowed).
 * Returns 0, or -1 with err: TL_EX_DATAERR for bad data (fewer than 2
 * strategies in the returns, constant or duplicate strategies, a
 * --min-weight that no book of this many strategies meets, a strategy
 * without --mu value, no returns on or before --asof, and under
 * --missing aligned or pairwise an estimate that does not work).  pf is
 * then released. */
int	tl_portfolio_init(struct tl_portfolio *pf, const struct tl_panel *pn,
	    const struct tl_pf_opts *o, struct tl_err *err);

/* Solve: the method, else the fallback, else cash (see the top).  Sets
 * pf->w, cash, used, fell_back and fb_reason.  Returns 0, or -1 with err
 * (TL_EX_DATAERR: no answer under --fallback none; TL_EX_SOFTWARE: a
 * solver that did not converge or missed the least turnover). */
int	tl_portfolio_solve(struct tl_portfolio *pf, const struct tl_pf_opts *o,
	    struct tl_err *err);

void	tl_portfolio_release(struct tl_portfolio *pf);

/* Figures of weights w (n, the problem's order). */
double	tl_portfolio_var(const struct tl_portfolio *pf, const double *w);
double	tl_portfolio_ret(const struct tl_portfolio *pf, const double *w);

/* The turnover sum |w - prev| of w, counting the strategies left out
 * and those no longer in the returns (their weight goes to 0). */
double	tl_portfolio_turnover(const struct tl_portfolio *pf, const double *w);

#endif
