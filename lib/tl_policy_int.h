/*
 * Inside tl_policy: what lib/tl_policy*.c share and nothing else includes.
 * The learner, its groups and accumulators, the rows the readers hand to
 * the engines, and the table of engines (one per tl_policy_kinds entry,
 * in the same order).
 */
#ifndef TL_POLICY_INT_H
#define TL_POLICY_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "tl_err.h"
#include "tl_map.h"
#include "tl_policy.h"
#include "tl_util.h"

/* One row as the engines see it, whatever kind it came from.  Strings
 * point into the reader's arenas (borrowed until the next block). */
struct tl_prow {
	int		 cf;		/* counterfactual: an estimate */
	int		 nosig;		/* a trade without conviction: no
					 * signal's, left out by gate and size */
	const char	*key;		/* strategy, symbol or the by-string */
	size_t		 klen;
	const char	*sub;		/* regime or venue, NULL: none */
	size_t		 slen;
	const char	*names;		/* horizon: fired names, NUL-ended */
	size_t		 nnames;	/* their number */
	double		 conv;		/* conviction in [0, 1] */
	double		 net;		/* net P&L (currency) */
	double		 risk;		/* the amount risked (currency) */
	double		 hold;		/* seconds held */
	double		 mfe, mae;	/* NaN: not logged */
	double		 cost;		/* fees + slippage over notional */
	double		 edge;		/* expected edge; NaN: not logged */
	double		 netret;	/* net P&L over notional */
	double		 ev;		/* horizon: EV net of fees */
	double		 hs;		/* horizon: seconds */
	int		 hit;		/* horizon: 1, 0, -1 not logged */
	int64_t		 t;		/* ms when the outcome was known */
	size_t		 koff, soff, noff; /* while parsing: arena offsets */
};

/* A group at one of three levels: 0 the default (all rows), 1 a group,
 * 2 a sub-group of a group. */
struct tl_pgroup {
	char		*key;		/* NULL at level 0 */
	char		*sub;		/* level 2 only */
	size_t		 parent;	/* index of the level above */
	int		 level;		/* 0, 1, 2 */
};

/* Groups by (key, sub), each with an accumulator of stride bytes (zeroed
 * when the group is added).  Index 0 is the default level. */
struct tl_pgroups {
	struct tl_map	*map;		/* "key\0sub" -> index */
	struct tl_pgroup *g;		/* groups in order of appearance */
	size_t		 n, cap;	/* used, allocated */
	unsigned char	*acc;		/* n * stride bytes */
	size_t		 stride;	/* bytes per group */
};

void	tl_pgroups_init(struct tl_pgroups *gs, size_t stride);
void	tl_pgroups_release(struct tl_pgroups *gs);

/* The group (key, sub) (sub NULL: the group key; key NULL: level 0),
 * added with its parents when new.  Returns its index; its accumulator
 * is tl_pgroups_acc(gs, i), valid until the next addition. */
size_t	tl_pgroups_get(struct tl_pgroups *gs, const char *key, size_t klen,
	    const char *sub, size_t slen);
void	*tl_pgroups_acc(const struct tl_pgroups *gs, size_t i);

/* Indices of the groups sorted for output: level 0, then each group in
 * byte order of its key followed by its sub-groups in byte order.
 * New array of gs->n. */
size_t	*tl_pgroups_sorted(const struct tl_pgroups *gs);

/* The previous policy's values by (key, sub) and its default. */
struct tl_pprev {
	int		 have;		/* a --prev file was read */
	double		 dflt;		/* its default value */
	struct tl_map	*map;		/* "key\0sub" -> index in val */
	double		*val;
	size_t		 n, cap;
};

/* Count of the running moments of one value (Welford 1962). */
struct tl_pstat {
	double	n;			/* observations */
	double	sum;			/* their sum */
	double	mean;			/* running mean */
	double	m2;			/* sum of squared deviations */
};
void	tl_pstat_add(struct tl_pstat *s, double x);
double	tl_pstat_var(const struct tl_pstat *s);	/* n - 1; NaN n < 2 */
double	tl_pstat_pvar(const struct tl_pstat *s);	/* n; NaN n < 1 */

/* One engine: its accumulator per group and the three steps.  finish
 * decides the p->norder groups of p->order (tl_policy_decide), may set
 * p->extra[i], and the common part then writes "default" and "groups"
 * (unless emits is 0: the engine writes its own): a group is written
 * when it was learned or --prev had it, or when one of its sub-groups
 * is; the default always. */
struct tl_pengine {
	int	(*init)(struct tl_policy *p, struct tl_err *err);
	void	(*observe)(struct tl_policy *p, const struct tl_prow *r);
	int	(*finish)(struct tl_policy *p, json_t *policy, json_t *facts,
		    struct tl_err *err);
	void	(*release)(struct tl_policy *p);
	int	 rows;		/* which reader: TL_PROWS_* */
	int	 emits;		/* the common part writes the groups */
	int	 cf;		/* learns from counterfactual rows */
	unsigned need;		/* trade rows: the TL_PN_* fields it reads */
};
enum { TL_PROWS_TRADE, TL_PROWS_OUTCOME, TL_PROWS_RETURNS };

#define TL_PN_STRATEGY	0x01	/* strategy, and regime when logged */
#define TL_PN_SYMBOL	0x02	/* symbol, and venue when logged */
#define TL_PN_CONV	0x04	/* conviction (opts.conviction) */
#define TL_PN_NET	0x08	/* net_pnl */
#define TL_PN_RISK	0x10	/* risk, else notional */
#define TL_PN_HOLD	0x20	/* hold_s, mfe, mae */
#define TL_PN_COST	0x40	/* fees, slippage, notional, expected_edge */

extern const struct tl_pengine tl_pengines[];

/* The learner. */
struct tl_policy {
	const struct tl_policy_opts *o;	/* borrowed */
	const struct tl_policy_kind *k;	/* tl_policy_kinds[o->kind] */
	const struct tl_pengine *e;	/* tl_pengines[o->kind] */
	struct tl_pgroups gs;		/* groups and accumulators */
	struct tl_pprev	 prev;		/* --prev */
	struct tl_policy_counts cnt;	/* what was read and decided */
	double		 dflt;		/* the default value */
	int64_t		 asof_end;	/* ms, end of the --asof day; or max */
	int64_t		 tmax;		/* latest row time seen */
	int		 seen;		/* any row observed */
	char		 asof[16];	/* the night's date, set by finish */
	size_t		*order;		/* groups sorted, set by finish, but
					 * those of a retired strategy */
	size_t		 norder;	/* their number */
	json_t		**extra;	/* per group: entry members to add */
	double		*val;		/* per group: the value decided */
	int		*emit;		/* per group: written to the file */
	void		*eng;		/* the engine's own state */
	struct tl_buf	 arena;		/* observe_text's strings */
	struct tl_jdoc	*doc;		/* observe_text's parser */
};

/* Parse one row (doc holds it) of the reader kind into r, strings copied
 * to arena at offsets (tl_prow_fix turns them into pointers).  Returns 0
 * or -1 with err at name:line. */
struct tl_jdoc;
int	tl_prow_parse(const struct tl_policy *p, const struct tl_jdoc *d,
	    struct tl_buf *arena, struct tl_prow *r, const char *name,
	    unsigned long line, struct tl_err *err);
void	tl_prow_fix(struct tl_prow *r, const char *base);

/* Observe a parsed row: the --asof filter, the counts, then the engine. */
void	tl_policy_observe(struct tl_policy *p, const struct tl_prow *r);

/* The date strategy name retired on or before the night's date
 * (p->asof) by opts.retired, or NULL.  Only for the kinds whose groups
 * are strategies; the others' always NULL. */
const char *tl_policy_retired(const struct tl_policy *p, const char *name);

/* The value in force for group i: prev's own entry, else its parent's,
 * else the default (prev's, else --default).  *own says whether prev had
 * an entry of its own. */
double	tl_policy_current(const struct tl_policy *p, size_t i, int *own);

/* The facts object of group i: {"policy","scope",key,sub} to be filled. */
json_t	*tl_policy_fact(const struct tl_policy *p, size_t i);

/* Settle group i's value from learned (NaN with a reason; step as
 * tl_policy_settle) and add it to the facts object f (n, value, current,
 * learned, change, status, reason); counts it and sets p->val[i] and
 * p->emit[i].  Groups must be decided in tl_pgroups_sorted order.
 * Returns the status; *value the value. */
enum tl_psettle_status tl_policy_decide(struct tl_policy *p, size_t i,
	    double learned, size_t n, double step, const char *why,
	    json_t *f, double *value);

/* The groups a row adds to: the default, its group and, when it has
 * one, its sub-group (added when new).  Returns their number, 2 or 3. */
size_t	tl_policy_levels(struct tl_policy *p, const struct tl_prow *r,
	    size_t ix[3]);

/* Add the members of the object add (stolen) to the policy's settings. */
void	tl_policy_settings(json_t *policy, json_t *add);

/* The engines, one file each. */
int	tl_gate_init(struct tl_policy *p, struct tl_err *err);
void	tl_gate_observe(struct tl_policy *p, const struct tl_prow *r);
int	tl_gate_finish(struct tl_policy *p, json_t *pol, json_t *facts,
	    struct tl_err *err);
void	tl_gate_release(struct tl_policy *p);
int	tl_size_init(struct tl_policy *p, struct tl_err *err);
void	tl_size_observe(struct tl_policy *p, const struct tl_prow *r);
int	tl_size_finish(struct tl_policy *p, json_t *pol, json_t *facts,
	    struct tl_err *err);
void	tl_size_release(struct tl_policy *p);
int	tl_hold_init(struct tl_policy *p, struct tl_err *err);
void	tl_hold_observe(struct tl_policy *p, const struct tl_prow *r);
int	tl_hold_finish(struct tl_policy *p, json_t *pol, json_t *facts,
	    struct tl_err *err);
void	tl_hold_release(struct tl_policy *p);
int	tl_fee_init(struct tl_policy *p, struct tl_err *err);
void	tl_fee_observe(struct tl_policy *p, const struct tl_prow *r);
int	tl_fee_finish(struct tl_policy *p, json_t *pol, json_t *facts,
	    struct tl_err *err);
void	tl_fee_release(struct tl_policy *p);
int	tl_horizon_init(struct tl_policy *p, struct tl_err *err);
void	tl_horizon_observe(struct tl_policy *p, const struct tl_prow *r);
int	tl_horizon_finish(struct tl_policy *p, json_t *pol, json_t *facts,
	    struct tl_err *err);
void	tl_horizon_release(struct tl_policy *p);
int	tl_breaker_init(struct tl_policy *p, struct tl_err *err);
int	tl_breaker_read(struct tl_policy *p, char *const *paths, int npaths,
	    struct tl_err *err);
int	tl_breaker_finish(struct tl_policy *p, json_t *pol, json_t *facts,
	    struct tl_err *err);
void	tl_breaker_release(struct tl_policy *p);

/* Parallel block reader of trade and outcome rows. */
int	tl_prows_read(struct tl_policy *p, char *const *paths, int npaths,
	    struct tl_err *err);

/* A number as JSON, null when not finite. */
json_t	*tl_pnum(double x);

#endif
