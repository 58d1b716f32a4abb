/*
 * Strategy churn for synthetic logs: which strategies start late, pause,
 * retire or are renamed, and on which trading days.  A plan is drawn once
 * from a generator of its own, so that the rest of a log does not depend
 * on how it was drawn; days are trading-day indices 0..ndays-1, and each
 * churned strategy has exactly one role.  The queries are what a log
 * writer asks per strategy and day: may it decide, by when must a trade
 * it enters close, which name does it carry.
 */
#ifndef TL_CHURN_H
#define TL_CHURN_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "tl_err.h"

/* The roles, in the order of the spec's keys. */
enum { TL_CHURN_LATE, TL_CHURN_PAUSE, TL_CHURN_RETIRE, TL_CHURN_RENAME,
	TL_CHURN_NKIND };

#define TL_CHURN_NONE		(-1)	/* a strategy without a role */
#define TL_CHURN_PAUSE_DAYS	10	/* two calendar weeks of weekdays */
#define TL_CHURN_TAIL		5	/* days kept after the last retirement
					 * or rename, so that they are seen */
#define TL_CHURN_MIN_DAYS	(3 * TL_CHURN_PAUSE_DAYS)	/* the pause
					 * fits in the middle third */
#define TL_CHURN_MAX_COUNT	100000	/* largest count of a role */

/* The spec's key of each role: "late", "pause", "retire", "rename". */
extern const char *const tl_churn_keys[TL_CHURN_NKIND];

/* How many strategies take each role. */
struct tl_churn_spec {
	long		 n[TL_CHURN_NKIND];	/* by TL_CHURN_* */
};

/* The defaults for nstrat strategies: a tenth of them (rounded, at least
 * one) start late, one pauses, one retires, one is renamed. */
void	tl_churn_spec_default(struct tl_churn_spec *sp, size_t nstrat);

/* Parse s, "key=N,key=N" with keys of tl_churn_keys and N in [0,
 * TL_CHURN_MAX_COUNT], over sp: a key not in s keeps its value.  Returns
 * 0, or -1 with err = TL_EX_USAGE, where "--churn" (an item that is not
 * key=N, an unknown key, a key given twice, a bad count). */
int	tl_churn_spec_parse(struct tl_churn_spec *sp, const char *s,
	    struct tl_err *err);

/* Can sp be planted in ndays trading days among nstrat strategies of
 * which neligible may start late or retire (the others only pause or be
 * renamed)?  At least one strategy keeps no role, so that some strategy
 * trades on every day.  Returns 0, or -1 with err = TL_EX_USAGE, where
 * "--churn", saying what to raise. */
int	tl_churn_spec_check(const struct tl_churn_spec *sp, size_t nstrat,
	    size_t neligible, size_t ndays, struct tl_err *err);

/* The role of one strategy. */
struct tl_churn_role {
	int		 kind;		/* TL_CHURN_*, or TL_CHURN_NONE */
	size_t		 day;		/* late: first day it may decide;
					 * pause: first day without; retire:
					 * last day it decides; rename: first
					 * day under the new name */
	size_t		 until;		/* pause: last day without; else day */
	size_t		 seq;		/* rename: 0 for the first renamed
					 * (by day, then index), 1, ... */
};

/* A liveness change: from day on, strategy decides or stops. */
struct tl_churn_event {
	size_t		 day;		/* the first day of the new state */
	size_t		 strategy;	/* its index */
};

struct tl_churn;

/* New plan of sp (checked by tl_churn_spec_check) over nstrat strategies
 * and ndays days, drawn from r.  eligible[i] says whether strategy i may
 * start late or retire (borrowed for the call).  Late starts are spread
 * over the middle third of the days (the k-th of n in the k-th n-th of
 * it), pauses lie in the middle third, retirements and renames in the
 * last quarter, at least TL_CHURN_TAIL days before the end.  Returns the
 * plan, or NULL with err = TL_EX_USAGE when sp does not fit. */
struct tl_churn *tl_churn_alloc(const struct tl_churn_spec *sp,
	    size_t nstrat, size_t ndays, const unsigned char *eligible,
	    gsl_rng *r, struct tl_err *err);
void	tl_churn_free(struct tl_churn *c);	/* accepts NULL */

/* The role of strategy i; borrowed until tl_churn_free(). */
const struct tl_churn_role *tl_churn_role(const struct tl_churn *c,
	    size_t i);

/* Does strategy i decide on day d? */
int	tl_churn_live(const struct tl_churn *c, size_t i, size_t d);

/* The last day on which a trade that strategy i enters on day d may
 * close: the day before its pause, its retirement day, else the last. */
size_t	tl_churn_exit_limit(const struct tl_churn *c, size_t i, size_t d);

/* The strategies of role kind (TL_CHURN_*) by day, then index: a new
 * array of *n. */
size_t	*tl_churn_with_role(const struct tl_churn *c, int kind, size_t *n);

/* The liveness changes after day 0, by day then strategy; *n of them.
 * Borrowed until tl_churn_free(). */
const struct tl_churn_event *tl_churn_events(const struct tl_churn *c,
	    size_t *n);

#endif
