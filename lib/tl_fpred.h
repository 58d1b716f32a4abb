/*
 * Predicting rows of JSON text with a forest on threads, each row written
 * to an output with its prediction (tl-train-forest predict).  The same
 * bytes with any number of threads.
 */
#ifndef TL_FPRED_H
#define TL_FPRED_H

#include <stddef.h>

#include "tl_err.h"
#include "tl_forest.h"
#include "tl_out.h"

struct tl_fpred;

/* New predictor of forest f writing to out (both borrowed, to outlive
 * it) with threads workers (< 1: one).  strict: a row without one of the
 * model's features, or with a category no training row had, is an error;
 * else it is predicted with it missing, and counted (tl_fpred_partial,
 * tl_fpred_unknown).  allow_missing: a feature that no row
 * of the first batch has is not an error (tl_fpred_end). */
struct tl_fpred *tl_fpred_alloc(const struct tl_forest *f,
	    struct tl_out *out, int threads, int strict, int allow_missing);

/* Add the row text[0..len) of input name (borrowed until the next
 * tl_fpred_flush), line line.  A full batch starts being predicted.
 * Returns 0, or -1 with err: the first error of an earlier batch in row
 * order (a row that is not a JSON object, a value of the wrong type,
 * under strict "field 'x': missing (the model needs it)"; out's write
 * error). */
int	tl_fpred_add(struct tl_fpred *fp, const char *text, size_t len,
	    const char *name, unsigned long line, struct tl_err *err);

/* The end of an input: predict and write every row added.  0, or -1
 * with err as tl_fpred_add. */
int	tl_fpred_flush(struct tl_fpred *fp, struct tl_err *err);

/* After the last flush: 0, or -1 with err (TL_EX_DATAERR, where the
 * input of the first batch) when a feature of the model is absent from
 * every row of the first batch and allow_missing is off; the output
 * stopped after that batch, so out is to be aborted. */
int	tl_fpred_end(struct tl_fpred *fp, struct tl_err *err);

size_t	tl_fpred_rows(const struct tl_fpred *fp);	/* rows added */

/* Rows predicted without some feature; *first (may be NULL) gets the
 * first such row's first missing feature (tl_forest_feature). */
size_t	tl_fpred_partial(const struct tl_fpred *fp, size_t *first);

/* Rows with a category that no training row had (predicted with that
 * feature missing, but not counted by tl_fpred_partial: the feature is
 * there); *first as for tl_fpred_partial. */
size_t	tl_fpred_unknown(const struct tl_fpred *fp, size_t *first);

void	tl_fpred_free(struct tl_fpred *fp);	/* NULL ok */

#endif
