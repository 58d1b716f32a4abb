/*
 * The records of one JSON document, read as a stream: a document is never
 * held whole, only the record being read, so that a 1 GB array of trades
 * takes the memory of its largest record.  The records are the elements
 * of the array that a path leads to, or the value there when it is not an
 * array; without a path, the elements of a top-level array, or a
 * top-level value that is not an array.
 *
 * A path is dotted member names, "*" standing for every member of an
 * object (and every element of an array): "strategy.*.trades".  The names
 * that "*" stood for are kept for each record (freqtrade's strategy
 * names).  With a split name, an object record whose member of that name
 * is an array comes as that array's elements first (TL_JREC_PART), then
 * as the record without the member (TL_JREC_REST): a freqtrade backtest
 * export's trades one by one, then its summary.
 *
 * Records are found by their brackets and strings and handed out as text
 * for the caller's parser (tl_jdoc_parse checks each one in full); the
 * rest of the document is checked as it goes by (structure, strings,
 * numbers, literals, nesting at most TL_JV_MAX_DEPTH; not UTF-8).  A
 * record longer than the limit is an error for that record alone, read
 * past and never held.  A broken document (a syntax error outside a
 * record, brackets that do not pair, an end inside a value, anything but
 * blanks after the top-level value) ends the input with an error: the
 * records after that point could not be told apart.  Positions are byte
 * offsets from the start of the text (0-based; inflated text when the
 * input is gzip) and 1-based lines.
 */
#ifndef TL_JSTREAM_H
#define TL_JSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "tl_err.h"

struct tl_reader;
struct tl_jstream;

/* What the last record returned is. */
enum tl_jrec {
	TL_JREC_RECORD,		/* a record */
	TL_JREC_PART,		/* an element of a record's split member */
	TL_JREC_REST		/* that record without the member, after them */
};

/* Check a path ("" or NULL: none).  Returns 0, or -1 with err =
 * TL_EX_USAGE and a message naming the fault ("empty name in 'a..b'"). */
int	tl_jstream_path_check(const char *path, struct tl_err *err);

/* A stream over rd (stolen: freed with the stream), with path (checked,
 * copied; NULL: none) and split (copied; NULL: none).  Returns new. */
struct tl_jstream *tl_jstream_alloc(struct tl_reader *rd, const char *path,
	    const char *split);
void	tl_jstream_free(struct tl_jstream *s);		/* accepts NULL */

/* Records longer than max bytes are errors (TL_EX_DATAERR, "record of N
 * bytes exceeds WHAT max", what as for tl_records_set_max); the default
 * is no limit.  The length of a TL_JREC_REST is that of its text. */
void	tl_jstream_set_max(struct tl_jstream *s, size_t max, const char *what);

/* The next record.  Returns 1 with *text and *len (borrowed until the
 * next call; the bytes of the document, a JSON text unless the record is
 * malformed), 0 at the end, or -1 with err set: TL_EX_DATAERR for a
 * record over the limit (call again to go on), or for a broken document
 * and TL_EX_IOERR for a read or gzip error, after which
 * tl_jstream_failed() is true and the input ends.  where is name:line,
 * and the message names the offset. */
int	tl_jstream_next(struct tl_jstream *s, const char **text, size_t *len,
	    struct tl_err *err);

enum tl_jrec tl_jstream_kind(const struct tl_jstream *s);

/* Where the last record (or the one rejected) is: its path in jq's
 * syntax, ".strategy.Sample.trades[3]", ".[0]", "." for the top-level
 * value (borrowed until the next call); its first byte's offset and
 * line. */
const char *tl_jstream_pointer(struct tl_jstream *s);
uint64_t tl_jstream_offset(const struct tl_jstream *s);
unsigned long tl_jstream_line(const struct tl_jstream *s);

/* The names "*" stood for on the way to the last record, in path order:
 * their number, and the i-th (borrowed until the next call; decoded
 * UTF-8; an array's element number in decimal). */
size_t	tl_jstream_nstars(const struct tl_jstream *s);
const char *tl_jstream_star(const struct tl_jstream *s, size_t i,
	    size_t *len);

/* The text of the record last returned or rejected, for reject files: at
 * most its first TL_READER_HEAD bytes when it was over the limit; and the
 * record's whole length. */
const char *tl_jstream_raw(const struct tl_jstream *s, size_t *len);
size_t	tl_jstream_raw_length(const struct tl_jstream *s);

/* Records and parts returned so far (not counting errors). */
size_t	tl_jstream_count(const struct tl_jstream *s);

int	tl_jstream_failed(const struct tl_jstream *s);
const char *tl_jstream_name(const struct tl_jstream *s);	/* borrowed */

#endif
