/*
 * The files of an allocation: the side inputs of tl_portfolio's engine
 * (--prev, --mu, --retired, --alerts of tl-allocate) and the lines and
 * summary it writes.  Formats in tl-allocate(1).
 */
#ifndef TL_PF_FILE_H
#define TL_PF_FILE_H

#include <stddef.h>

#include <jansson.h>

#include "tl_err.h"
#include "tl_out.h"
#include "tl_portfolio.h"

#define TL_PF_SUMMARY_FORMAT	"tl-allocation-summary"
#define TL_PF_SUMMARY_VERSION	1

/* What was read from the side inputs; owns the strings the engine's
 * arrays point to.  Zero it before tl_pf_inputs_read. */
struct tl_pf_inputs {
	struct tl_pf_named	*prev, *mu;
	size_t			 nprev, nmu;
	struct tl_pf_retired	*retired;
	size_t			 nretired;
	struct tl_pf_alert	*alerts;
	size_t			 nalerts;
	char			**strings;
	size_t			 nstrings;
};

/* Read the files that are not NULL, each JSONL or CSV (sniffed):
 *   prev     strategy, weight (a strategy once)
 *   mu       strategy, expected_return (a strategy once)
 *   retired  strategy, ts (RFC 3339 text or epoch seconds)
 *   alerts   strategy, action (demote, retrain or watch), acknowledged
 *            (boolean); kind, severity, since (strings) when there
 * Returns 0, or -1 with err at the first bad record ("file:line: field
 * 'x': missing", TL_EX_DATAERR; the file's own open or read error).  On
 * -1 what was read so far is in in: free it with tl_pf_inputs_release. */
int	tl_pf_inputs_read(struct tl_pf_inputs *in, const char *prev,
	    const char *mu, const char *retired, const char *alerts,
	    struct tl_err *err);

/* Point p's prev, mu, retired and alerts at in's arrays (borrowed: in
 * must outlive p's use). */
void	tl_pf_inputs_use(const struct tl_pf_inputs *in, struct tl_pf_opts *p);
void	tl_pf_inputs_release(struct tl_pf_inputs *in);	/* in reusable */

/* A line per strategy to out, in name order: each of pf's (weight,
 * prev_weight, change, expected_return, volatility, risk_contribution;
 * status and reason if not in), and a zero line for each strategy of
 * prev the returns no longer have.  Returns 0, or -1 with err from out
 * (the caller aborts or closes out). */
int	tl_pf_write_rows(struct tl_out *out, const struct tl_portfolio *pf,
	    const struct tl_pf_named *prev, size_t nprev, struct tl_err *err);

/* The effective number of strategies, (sum w)^2 / sum w^2 (1 / sum w^2
 * fully invested); NaN when all is in cash. */
double	tl_pf_effective_n(const struct tl_portfolio *pf);

/* The summary object of solved pf under options p (new): settings,
 * figures, active constraints, fallback, exclusions.  has_prev: a
 * previous allocation was given (turnover is a number, else null). */
json_t	*tl_pf_summary(const struct tl_pf_opts *p,
	    const struct tl_portfolio *pf, int has_prev);

#endif
