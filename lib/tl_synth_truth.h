/*
 * truth.json of a synthetic log (tl-synth(1)): the planted relations and
 * facts that a tool is tested against.  One JSON object, a member a line
 * for the short ones ({"format":"tl-synth-truth","version":1,...}):
 * params, counts, dirt by kind (all lines, decisions, outcomes), the run
 * ROI formula and its coefficients with each period's regime term, the
 * predictive and irrelevant signals, components and votes, the win
 * probability and confidence mappings, the regime chain and each regime
 * change, the promotions and decay, with --churn the churn (the spec,
 * then each role's strategies by day), with --signals what the signals
 * plant (tl_synth_signal.h: "policy"), and each strategy's planted edge,
 * ROI, volatility and activity.  Numbers by tl_fmt_double().
 */
#ifndef TL_SYNTH_TRUTH_H
#define TL_SYNTH_TRUTH_H

#include "tl_synth.h"
#include "tl_synth_dirt.h"
#include "tl_synth_log.h"
#include "tl_synth_signal.h"
#include "tl_util.h"

/* Append truth.json's text to b: the plan s, the facts of its trades
 * drawn by g (every day drawn: the last trade of a retired strategy),
 * what was written (t: dirt counts, damaged and matched lines) with dirt
 * rate and gzip_after (--gzip-after) as they were given, and the signals
 * drawn by sg (every day drawn), or NULL without. */
void	tl_synth_truth(struct tl_buf *b, const struct tl_synth *s,
	    const struct tl_synth_log *g, const struct tl_synth_tally *t,
	    double dirt, long gzip_after, const struct tl_synth_signals *sg);

#endif
