/*
 * The text of each record of a synthetic log (tl-synth(1), tl(7)): one
 * line of JSON Lines or CSV from a planted record, in its field order,
 * numbers written from their integer units by tl_fmt_double().  A view
 * says how a decision or trade line deviates from the canonical one (a
 * field left out, another timestamp spelling, a lower-case symbol, a verb
 * of other case, pnl as a string): tl_synth_dirt.h chooses it, the text
 * is made here, so that a clean line and a dirty one differ only where
 * the view says.  Lines are built in a fixed buffer; none comes near it.
 */
#ifndef TL_SYNTH_RENDER_H
#define TL_SYNTH_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "tl_synth.h"
#include "tl_synth_log.h"
#include "tl_synth_runs.h"
#include "tl_synth_signal.h"
#include "tl_time.h"

#define TL_SYNTH_LINE_SZ	2048	/* the longest line is ~450 bytes */
#define TL_SYNTH_OFFSET_MS	19800000LL	/* +05:30 of the offset
						 * spelling */
#define TL_SYNTH_RETIRE_REASON	"manual"	/* of a retirement */

/* One line, newline included, not NUL-terminated. */
struct tl_synth_line {
	char		 b[TL_SYNTH_LINE_SZ];	/* text */
	size_t		 n;		/* bytes used */
};

/* Timestamp spellings. */
enum { TL_SYNTH_TS_CANON, TL_SYNTH_TS_EPOCH_MS, TL_SYNTH_TS_OFFSET };

/* Decision fields in line order; the first TL_SYNTH_NDEC_REQ are the
 * required ones (the others always follow). */
enum { TL_SYNTH_DF_ID, TL_SYNTH_DF_TS, TL_SYNTH_DF_SYMBOL,
	TL_SYNTH_DF_STRATEGY, TL_SYNTH_DF_ACTION, TL_SYNTH_NDEC_REQ };

/* Trade fields in line order, also the CSV columns. */
enum { TL_SYNTH_TF_ID, TL_SYNTH_TF_DID, TL_SYNTH_TF_SYMBOL,
	TL_SYNTH_TF_STRATEGY, TL_SYNTH_TF_SIDE, TL_SYNTH_TF_ENTRY_TS,
	TL_SYNTH_TF_EXIT_TS, TL_SYNTH_TF_ENTRY_PRICE, TL_SYNTH_TF_EXIT_PRICE,
	TL_SYNTH_TF_QTY, TL_SYNTH_TF_PNL, TL_SYNTH_TF_FEES, TL_SYNTH_TF_MFE,
	TL_SYNTH_TF_MAE, TL_SYNTH_TF_REASON, TL_SYNTH_NTF };
extern const char *const tl_synth_tf_names[TL_SYNTH_NTF];

/* How a decision or trade line is written. */
struct tl_synth_view {
	int		 omit;		/* field left out (DF_*, TF_*), or -1 */
	int		 ts;		/* TL_SYNTH_TS_* */
	int		 lower;		/* lower-case symbol */
	const char	*verb;		/* action/side text; NULL: canonical */
	int		 pnl_str;	/* pnl written as a string */
	int64_t		 pnl_c;		/* pnl to write, cents */
	char		 id[TL_SYNTH_ID_SZ];	/* the record's id */
	char		 did[TL_SYNTH_ID_SZ];	/* a trade's decision id */
	const char	*strat;		/* strategy name; borrowed */
};

/* The canonical view of decision x of day z of s: its id, its strategy's
 * name that day. */
void	tl_synth_view_decision(struct tl_synth_view *v,
	    const struct tl_synth *s, const struct tl_synth_dec *x,
	    int64_t z);

/* The canonical view of trade t that closes on day z of s. */
void	tl_synth_view_trade(struct tl_synth_view *v, const struct tl_synth *s,
	    const struct tl_synth_trade *t, int64_t z);

/* An id: prefix and v in at least width digits ("D00000001"). */
void	tl_synth_fmt_id(char *buf, size_t sz, const char *prefix, uint64_t v,
	    int width);

/* Timestamp ms in spelling ts (TL_SYNTH_TS_*), no quotes, into buf of
 * TL_TIME_BUFSZ bytes. */
void	tl_synth_fmt_ts(char *buf, int64_t ms, int ts);

/* "YYYY-MM-DD" of calendar day z (TL_TIME_BUFSZ bytes). */
void	tl_synth_fmt_date(char *buf, int64_t z);

/* "YYYY-MM" of a month (y*12 + m - 1) into buf of sz bytes. */
void	tl_synth_fmt_month(char *buf, size_t sz, long month);

/* The lines.  Each replaces l's content. */
void	tl_synth_render_decision(struct tl_synth_line *l,
	    const struct tl_synth_dec *x, const struct tl_synth_view *v);
void	tl_synth_render_trade(struct tl_synth_line *l,
	    const struct tl_synth_trade *t, const struct tl_synth_view *v,
	    int csv);
void	tl_synth_render_trade_header(struct tl_synth_line *l);
void	tl_synth_render_market_header(struct tl_synth_line *l);
void	tl_synth_render_market(struct tl_synth_line *l,
	    const struct tl_synth *s, size_t d);
void	tl_synth_render_run(struct tl_synth_line *l, const struct tl_synth *s,
	    const struct tl_synth_period *per, const struct tl_synth_run *u);
void	tl_synth_render_promotion(struct tl_synth_line *l,
	    const struct tl_synth *s, const struct tl_synth_strat *st);
void	tl_synth_render_retirement(struct tl_synth_line *l,
	    const struct tl_synth *s, size_t i);
void	tl_synth_render_alias_header(struct tl_synth_line *l);
void	tl_synth_render_alias(struct tl_synth_line *l,
	    const struct tl_synth *s, size_t i);

/* The lines of signal x of calendar day z (tl_synth_signal.h): the
 * signal, its outcome at horizon k, the decision and closed trade of an
 * executed one, the counterfactual of a blocked one. */
void	tl_synth_render_signal(struct tl_synth_line *l,
	    const struct tl_synth *s, const struct tl_synth_sig *x, int64_t z);
void	tl_synth_render_sig_outcome(struct tl_synth_line *l,
	    const struct tl_synth_sig *x, int k);
void	tl_synth_render_sig_decision(struct tl_synth_line *l,
	    const struct tl_synth *s, const struct tl_synth_sig *x, int64_t z);
void	tl_synth_render_sig_trade(struct tl_synth_line *l,
	    const struct tl_synth *s, const struct tl_synth_sig *x, int64_t z);
void	tl_synth_render_counterfactual(struct tl_synth_line *l,
	    const struct tl_synth *s, const struct tl_synth_sig *x, int64_t z);

#endif
