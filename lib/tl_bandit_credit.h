/*
 * Credit assignment of tl-bandit update: one outcome record (parsed into
 * a tl_jdoc) folded into the state's evidence.  The reward, P&L, date
 * and context are read from the record's fields (a name, else a dotted
 * path into nested objects); the arms from the spec's kind (CREDIT
 * ASSIGNMENT in tl-bandit(1)): a 0/1 flag map credits each flagged arm
 * in full, a score map by share, a credit map by each credit, a vote map
 * an approve with the reward and a reject with its opposite, a value or
 * a combination of values names the one arm.  Evidence older than the
 * state's day fades by discount^days (Raj & Kalyani 2017).  A context
 * file maps dates to contexts (tl-regime decode's rows).
 */
#ifndef TL_BANDIT_CREDIT_H
#define TL_BANDIT_CREDIT_H

#include <stddef.h>
#include <stdint.h>

#include "tl_bandit.h"
#include "tl_err.h"
#include "tl_jv.h"
#include "tl_util.h"

#define TL_BANDIT_COMBO_SEP	"+"	/* joins the values of a combo arm */

/* One update run: the state it folds into, the record being read and
 * what is kept between records. */
struct tl_bandit_upd {
	struct tl_bandit_state *st;	/* the state being updated, borrowed */
	int		 closed;	/* no new arms */
	int		 new_days;	/* skip days up to since */
	int64_t		 since;		/* the loaded state's day */
	struct tl_jdoc	 doc;		/* the record, parsed by the caller */
	const char	*name;		/* its input name, for messages */
	unsigned long	 line;		/* its line */
	double		 n;		/* outcomes folded in */
	double		 noctx;		/* outcomes without a context */
	double		 old;		/* outcomes skipped by new_days */
	/* private */
	struct tl_buf	 key;		/* arm name being built */
	struct tl_buf	 lastday;	/* time text of the last record */
	int64_t		 day;		/* its day */
	int		 has_day;	/* a day was found */
	double		 wday;		/* its discount weight */
	struct tl_map	*dayctx;	/* day -> context + 1 (context file) */
};

/* u for st (borrowed, kept until release); release frees what u owns. */
void	tl_bandit_upd_init(struct tl_bandit_upd *u,
	    struct tl_bandit_state *st);
void	tl_bandit_upd_release(struct tl_bandit_upd *u);

/* Fold the record in u->doc (at u->name:u->line) into the state: the
 * baseline always, the arms it credits, the context's evidence as well
 * when it has one.  Returns 0, or -1 with err = TL_EX_DATAERR at the
 * record ("field 'win': missing", "field 'signals': unknown arm 'x' (not
 * in the state or -N; -A adds new arms)" ...). */
int	tl_bandit_upd_record(struct tl_bandit_upd *u, struct tl_err *err);

/* Read the context file path, rows {"date": ..., "label": ...}: each
 * label becomes a context of the state, in the file's order, and each
 * date's outcomes are credited to it.  Returns 0, or -1 with err
 * (TL_EX_NOINPUT, TL_EX_DATAERR: "field 'date': missing or not a date",
 * "date 'd' has two labels"). */
int	tl_bandit_upd_ctxfile(struct tl_bandit_upd *u, const char *path,
	    struct tl_err *err);

/* Field path of the record d: the member of that name, else the dotted
 * path through nested objects; NULL when absent or null.  Borrowed. */
const struct tl_jv *tl_bandit_field(const struct tl_jdoc *d,
	    const char *path);

#endif
