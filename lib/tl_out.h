/*
 * Output streams: stdout, or a file written under a temporary name in the
 * same directory and renamed over FILE only on success, so that a reader
 * never sees half a file.  A replaced file keeps its mode (and owner, for
 * root); a character device, FIFO or socket is written in place, and the
 * caller's open files (/dev/stdout, /dev/fd/N) are appended to.  Links
 * are followed, but not another user's in a sticky world-writable
 * directory.  The temporary file is locked while written; the stale ones
 * of FILE, left by a run that died, are removed when FILE is next
 * written.  Records go out as JSONL or CSV (flattened to dotted columns,
 * RFC 4180 quoting, CRLF never written).
 */
#ifndef TL_OUT_H
#define TL_OUT_H

#include <stdio.h>

#include <jansson.h>

#include "tl_err.h"
#include "tl_records.h"

struct tl_out;

/* Open path for writing ("-" or NULL: stdout).  fmt TL_FMT_AUTO takes the
 * format from the name (".csv" -> CSV), else JSONL.  Returns new stream,
 * or NULL with err = TL_EX_CANTCREAT (cannot create the temporary file,
 * a directory, a link loop, a link refused in a sticky directory). */
struct tl_out *tl_out_open(const char *path, enum tl_fmt fmt,
	    struct tl_err *err);

/* Fix the CSV columns (dotted names, copied); the header is written even
 * when no record is.  Without it the columns are the union of the
 * records' keys in order of appearance, and the rows are spooled to a
 * temporary file until tl_out_close().  Must precede the first write. */
void	tl_out_set_columns(struct tl_out *o, const char *const *cols,
	    size_t ncols);

/* Write one record (an object).  CSV: with fixed columns a key that is
 * not a column is an error (TL_EX_SOFTWARE: the tool's schema is wrong);
 * a missing key or null is an empty cell; arrays are written as JSON
 * text.  Returns 0, or -1 with err (TL_EX_IOERR on a write error, where =
 * the file name, or none for stdout: "write error: ..."). */
int	tl_out_write(struct tl_out *o, const json_t *rec, struct tl_err *err);

/* Write raw bytes (already formatted). */
int	tl_out_raw(struct tl_out *o, const void *p, size_t n,
	    struct tl_err *err);

/* The format o writes: TL_FMT_JSONL or TL_FMT_CSV. */
enum tl_fmt tl_out_fmt(const struct tl_out *o);

/* The FILE behind o, for tools that format their own text. */
FILE	*tl_out_file(struct tl_out *o);

/* Flush, close and rename into place.  Returns 0, or -1 with err
 * (TL_EX_IOERR) after removing the temporary file.  Frees o. */
int	tl_out_close(struct tl_out *o, struct tl_err *err);

/* Give up: remove the temporary file (stdout is left alone).  Frees o;
 * accepts NULL. */
void	tl_out_abort(struct tl_out *o);

/* The temporary file o writes before tl_out_close() renames it, or NULL
 * (standard output, a file written in place): for a caller that removes
 * it when killed. */
const char *tl_out_tmp_path(const struct tl_out *o);

#endif
