/*
 * Dirt: how the lines of a synthetic log are damaged, and the tally that
 * truth.json reports (tl-synth(1)).  Each decision and trade line is
 * dirty with probability rate, of a kind drawn from those its record can
 * have; the last line of the last trades file is cut short whenever rate
 * is above 0.  The draws come from a stream of their own
 * (TL_SYNTH_STREAM_DIRT), so that the clean lines never depend on the
 * rate.  Lines are written in log order, and the calls follow it: a
 * day's decisions, then the trades that close that day.
 */
#ifndef TL_SYNTH_DIRT_H
#define TL_SYNTH_DIRT_H

#include <stddef.h>
#include <stdint.h>

#include "tl_synth_log.h"
#include "tl_synth_render.h"

/* Dirt kinds, in truth.json's order. */
enum { TL_SYNTH_D_MISSING, TL_SYNTH_D_DUPLICATE, TL_SYNTH_D_CONFLICT,
	TL_SYNTH_D_WRONG_TYPE, TL_SYNTH_D_VARIANT_TS, TL_SYNTH_D_VARIANT_CASE,
	TL_SYNTH_D_ORPHAN, TL_SYNTH_D_TRUNCATED, TL_SYNTH_NDIRT };
extern const char *const tl_synth_dirt_names[TL_SYNTH_NDIRT];

/* The lines counted apart: decisions, outcomes (trades). */
enum { TL_SYNTH_DIRT_DEC, TL_SYNTH_DIRT_OUT, TL_SYNTH_NDIRT_LINE };

/* What follows a line of a dirt kind (tl_synth_dirt_again). */
enum { TL_SYNTH_AGAIN_NONE, TL_SYNTH_AGAIN_SAME, TL_SYNTH_AGAIN_OTHER };

/* What was written. */
struct tl_synth_tally {
	uint64_t	 n[TL_SYNTH_NDIRT_LINE][TL_SYNTH_NDIRT];	/* lines
					 * of each kind */
	uint64_t	 bad_dec;	/* decision lines a reader rejects */
	uint64_t	 bad_out;	/* trade lines a reader rejects */
	uint64_t	 matched;	/* trades whose two lines are intact */
	uint64_t	 orphans;	/* trade lines without a decision */
};

struct tl_synth_dirt;

/* New dirt of rate in [0, 1) drawn from seed's dirt stream. */
struct tl_synth_dirt *tl_synth_dirt_alloc(uint64_t seed, double rate);
void	tl_synth_dirt_free(struct tl_synth_dirt *dt);	/* accepts NULL */

/* Choose the dirt of decision x of day d, whose canonical view is *v:
 * changes v and returns the kind, or -1 for a clean line. */
int	tl_synth_dirt_decision(struct tl_synth_dirt *dt,
	    const struct tl_synth_dec *x, size_t d, struct tl_synth_view *v);

/* Choose the dirt of trade t (last: its line ends the last trades file),
 * whose canonical view is *v: changes v and returns the kind, or -1.
 * Its decision's line must have been chosen (within
 * TL_SYNTH_MAX_HOLD_DAYS days). */
int	tl_synth_dirt_trade(struct tl_synth_dirt *dt,
	    const struct tl_synth_trade *t, int last, struct tl_synth_view *v);

/* The length of a line of n bytes of dirt kind dk once written: a
 * truncated one keeps its first third to two thirds. */
size_t	tl_synth_dirt_cut(struct tl_synth_dirt *dt, int dk, size_t n);

/* What a line of kind dk writes after it: TL_SYNTH_AGAIN_NONE, _SAME
 * (itself again: a duplicate) or _OTHER (the line of *v, changed here: a
 * conflicting pnl, an orphan's ids). */
int	tl_synth_dirt_again(struct tl_synth_dirt *dt, int dk,
	    struct tl_synth_view *v);

/* The tally so far; borrowed until tl_synth_dirt_free(). */
const struct tl_synth_tally *tl_synth_dirt_tally(
	    const struct tl_synth_dirt *dt);

/* The rate given to tl_synth_dirt_alloc(). */
double	tl_synth_dirt_rate(const struct tl_synth_dirt *dt);

#endif
