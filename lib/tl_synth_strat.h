/*
 * The strategies of a synthetic log (tl_synth.h): each one's genome, the
 * ROI its genome plants (tl_synth_model.h), its win-probability edge, how
 * often it decides, and whether it is promoted and then decays.  A
 * genome's numbers are kept in the integer units they are written in
 * (hundredths, 1e-5), so that the log says exactly what was planted.
 */
#ifndef TL_SYNTH_STRAT_H
#define TL_SYNTH_STRAT_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "tl_synth_world.h"

#define TL_SYNTH_ID_SZ	24	/* room for "S0007" and any index */

struct tl_synth_strat {
	char		 id[TL_SYNTH_ID_SZ];	/* "S0007": S and index + 1 */
	char		 alias[TL_SYNTH_ID_SZ];	/* its new name once renamed
					 * (--churn), else "" */
	int		 lookback;	/* genome: 5..200 */
	int		 entry_z;	/* hundredths, 0.5..3 */
	int		 exit_z;	/* hundredths, 0..1.5 */
	int		 stop_atr;	/* hundredths, 0.5..5 */
	int		 tp_atr;	/* hundredths, 1..8 */
	int		 risk;		/* 1e-5 units, 0.001..0.05 log-scale */
	int		 max_pos;	/* 1..20 */
	int		 trailing;	/* bool */
	int		 universe;	/* TL_SYNTH_U_* */
	int		 filter;	/* index into tl_synth_filter_names */
	double		 vol;		/* per-period ROI volatility (sharpe) */
	double		 roi_mean;	/* planted ROI without regime, noise */
	double		 edge;		/* win probability shift */
	double		 activity;	/* relative decision rate */
	long		 promo_day;	/* trading day of its promotion, or -1 */
	int		 decaying;	/* edge + DECAY_SHIFT from promo_day */
	long		 is_period;	/* its in-sample run's period (the
					 * month before the promotion), or -1 */
	int64_t		 is_roi;	/* that run's metrics.roi, 1e-4 units */
	int64_t		 is_sharpe;	/* its metrics.sharpe, 1e-2 units */
};

/* The genes of a genome, in the order a strategy draws them (part of the
 * bytes of every log), with etc/space.json's names and ranges.  A
 * number is kept as an int in units of 1/scale (lookback 1, entry_z 100:
 * hundredths, risk_per_trade 1e5); it is drawn uniformly in [lo, hi], an
 * integer one as lo + a draw below hi - lo + 1, a log one as exp of a
 * uniform in [log lo, log hi].  A word is an index into names (n of
 * them), a bool 0 or 1 from a fair coin. */
enum { TL_SYNTH_GENE_INT, TL_SYNTH_GENE_FLOAT, TL_SYNTH_GENE_LOG,
	TL_SYNTH_GENE_BOOL, TL_SYNTH_GENE_WORD };
struct tl_synth_gene {
	const char	*name;		/* "lookback": its JSON field */
	int		 kind;		/* TL_SYNTH_GENE_* */
	double		 lo, hi;	/* its range (numbers) */
	double		 scale;		/* kept in units of 1/scale */
	const char *const *names;	/* a word's names, else NULL */
	int		 n;		/* their number */
	size_t		 off;		/* its int in struct tl_synth_strat */
};
#define TL_SYNTH_NGENE	10
extern const struct tl_synth_gene tl_synth_genes[TL_SYNTH_NGENE];

/* The value of gene g of s, an int in g's units; and a pointer to it. */
static inline int *
tl_synth_gene_ptr(struct tl_synth_strat *s, const struct tl_synth_gene *g)
{
	return (int *)(void *)((char *)s + g->off);
}

/* How many of ns strategies are promoted: TL_SYNTH_PROMOTE_RATE of them,
 * rounded half up. */
size_t	tl_synth_npromoted(size_t ns);

/* The planted mean ROI of s's genome (tl_synth_model.h: TL_SYNTH_ROI_*
 * without the regime term and the noise). */
double	tl_synth_roi_mean(const struct tl_synth_strat *s);

/* New array of ns strategies drawn from r over world w: genomes, edges,
 * activities, then tl_synth_npromoted(ns) promotions on days of the first
 * half, a third of them (at least one when ns >= 3) decaying, each with
 * an edge from U(PROMO_EDGE_LO, PROMO_EDGE_HI).  Their in-sample metrics
 * are left 0: they come from the runs (tl_synth_runs.h). */
struct tl_synth_strat *tl_synth_strats_draw(const struct tl_synth_world *w,
	    size_t ns, gsl_rng *r);

/* Raise the least active of st[0..ns) so that each closes c*trades/days
 * trades a day or more on average, counting a promoted strategy's
 * activity TL_SYNTH_PROMO_ACTIVITY times; c is min_rate * days / trades.
 * The floor f solves f = c * sum_j max(a_j, f) m_j; when none does
 * (c sum m_j >= 1: too few trades), every strategy gets the highest
 * activity. */
void	tl_synth_activity_floor(struct tl_synth_strat *st, size_t ns,
	    double c);

/* The promoted strategies of st[0..ns) by promotion day, then id: a new
 * array of *n pointers into st. */
struct tl_synth_strat **tl_synth_promoted(struct tl_synth_strat *st,
	    size_t ns, size_t *n);

#endif
