/*
 * Records from JSONL or CSV, one JSON object at a time, whatever the input
 * format: the common reader of every tool.  The format comes from the
 * caller (-i), else from the content (tl_fmt_sniff), so that a pipe needs
 * no flag: tl-ingest -e returns | tl-allocate.  Blank lines are skipped.
 * One bad line is an error for that line only: tl_records_next() returns
 * -1 for it and the next call goes on after it.
 * CSV needs a header; dotted column names become nested objects, empty
 * cells are absent keys, cells that are numbers become numbers.
 */
#ifndef TL_RECORDS_H
#define TL_RECORDS_H

#include <stddef.h>

#include <jansson.h>

#include "tl_err.h"
#include "tl_util.h"

enum tl_fmt {
	TL_FMT_AUTO = 0,	/* from the content (tl_fmt_sniff) */
	TL_FMT_JSONL,		/* one JSON object per line */
	TL_FMT_CSV,		/* RFC 4180 with a header line */
	TL_FMT_JSON		/* one JSON document holding the records */
};

struct tl_records;

/* The format the name implies: TL_FMT_CSV for *.csv and *.csv.gz,
 * TL_FMT_JSONL otherwise. */
enum tl_fmt tl_fmt_from_name(const char *path);

/* The format of an input whose text starts with p[0..n) (a byte order
 * mark and blank lines skipped) and whose name is name (NULL or "-":
 * standard input).  The content decides where it can:
 *   '{' with a first line that closes it     JSON Lines
 *   '[', or a '{' that the first line leaves open (a pretty-printed
 *   document)                                a JSON document
 *   anything else                            CSV
 * except that a name ending in .jsonl or .ndjson (or .gz after it) keeps
 * JSON Lines for a broken first line, whatever it looks like, and a name
 * ending in .json keeps JSON for a first line that is no JSON at all, so
 * that a damaged line is reported as one.  Nothing to look at (an empty
 * input): by the name (tl_fmt_from_name). */
enum tl_fmt tl_fmt_sniff(const char *p, size_t n, const char *name);

/* The bytes tl_records_open() looks at to sniff a format. */
#define TL_SNIFF_BYTES	65536

/* Open path ("-" or NULL: stdin) as fmt, TL_FMT_AUTO: sniffed from its
 * first bytes.  Returns new reader or NULL with err (TL_EX_NOINPUT,
 * TL_EX_IOERR; TL_EX_DATAERR for a JSON document, which this reader does
 * not take yet: the one place a document reader plugs in is doc_open()
 * in tl_records.c). */
struct tl_records *tl_records_open(const char *path, enum tl_fmt fmt,
	    struct tl_err *err);
void	tl_records_free(struct tl_records *r);

struct tl_reader;

/* The same over a reader already open (stolen: freed with the records),
 * for a caller that looked at its first bytes (tl_reader_peek); fmt
 * TL_FMT_AUTO takes it from the reader's name.  Returns new, or NULL
 * with err (TL_EX_SOFTWARE: out of memory). */
struct tl_records *tl_records_open_reader(struct tl_reader *rd,
	    enum tl_fmt fmt, struct tl_err *err);

/* Next record.  Returns 1 with *rec (new, caller decrefs), 0 at end of
 * input, -1 with err set: TL_EX_DATAERR for a bad record (where =
 * file:line; call again to go on: after a bad CSV header every row is an
 * error with the header's reason), or TL_EX_IOERR for a read or gzip
 * error, after which tl_records_failed() is true and the input ends.
 * A JSON line that is not an object is an error ("expected an object,
 * got array"). */
int	tl_records_next(struct tl_records *r, json_t **rec, struct tl_err *err);

/* Next record as JSON text, for callers with their own parser (tl_jv):
 * a JSONL line as read (not yet parsed: it may be invalid or not an
 * object), or a CSV row as a compact JSON object.  Returns 1 with *text
 * and *len (borrowed until the next call), 0 or -1 as tl_records_next(). */
int	tl_records_next_text(struct tl_records *r, const char **text,
	    size_t *len, struct tl_err *err);

/* CSV only, for callers that read a few columns of many rows: the next
 * row's cells, without JSON.  Returns 1 with *cells, one per header
 * column (tl_records_header), NUL-terminated, empty for an empty cell,
 * borrowed until the next call; 0 or -1 as tl_records_next() (a row of
 * the wrong width, a bad header).  TL_EX_SOFTWARE on JSONL input. */
int	tl_records_next_cells(struct tl_records *r,
	    const struct tl_buf **cells, struct tl_err *err);

/* What a CSV cell becomes in its record: nothing (empty), an integer or
 * a real (*num its value), a boolean, JSON when it parses as an array or
 * object (else a string), or a string. */
enum tl_cell {
	TL_CELL_EMPTY, TL_CELL_INTEGER, TL_CELL_REAL, TL_CELL_TRUE,
	TL_CELL_FALSE, TL_CELL_JSON, TL_CELL_STRING
};
enum tl_cell tl_records_cell(const struct tl_buf *c, double *num);

/* The row last returned by tl_records_next_cells() as the record that
 * tl_records_next() would have returned (1 with *rec, new, or -1). */
int	tl_records_cells_record(struct tl_records *r, json_t **rec,
	    struct tl_err *err);

/* The CSV header's column names (borrowed) and *n their number; *n is 0
 * before the header is read and for JSONL. */
char *const *tl_records_header(const struct tl_records *r, size_t *n);

/* The raw text of the record last returned or rejected (borrowed until
 * the next call), for reject files; *len gets its length.  For a record
 * over the limit, its first TL_READER_HEAD bytes at most (cut before a
 * UTF-8 character that would not fit whole). */
const char *tl_records_raw(const struct tl_records *r, size_t *len);

/* The length of that record, more than tl_records_raw()'s *len when
 * raw holds only the start of a record over the limit. */
size_t	tl_records_raw_length(const struct tl_records *r);

/* Records longer than max bytes (as raw would hold them: a JSONL line
 * without its end; a CSV record with the "\n" between its lines) are
 * errors (TL_EX_DATAERR, "record of N bytes exceeds WHAT max"; what
 * names the limit, e.g. an option, or NULL: "the limit of"), read past
 * but never held, and reading goes on after them: a JSONL line at the
 * next line, a CSV record after the line where its quotes pair up.  A
 * CSV header over the limit is a bad header.  The default is no limit. */
void	tl_records_set_max(struct tl_records *r, size_t max, const char *what);

/* Nonzero after an error that ends the input (see tl_records_next). */
int	tl_records_failed(const struct tl_records *r);

const char *tl_records_name(const struct tl_records *r);	/* borrowed */
unsigned long tl_records_line(const struct tl_records *r);	/* 1-based */
enum tl_fmt tl_records_fmt(const struct tl_records *r);

/* Bytes of the file read so far, or -1 (tl_reader_offset). */
long long tl_records_offset(const struct tl_records *r);

#endif
