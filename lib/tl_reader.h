/*
 * Line reader over a file or stdin, with transparent gzip (detected by its
 * magic bytes, not its name) and lines of any length, or up to a limit
 * that the caller sets.  It strips a UTF-8 BOM at the start of the input
 * and the "\n" or "\r\n" that ends a line; line numbers are 1-based.  A
 * truncated or corrupt gzip stream is an I/O error naming the file, never
 * a silent end of input.  A line over the limit is read to its end but
 * never held: only its first TL_READER_HEAD bytes are kept, so memory
 * stays bounded by the limit whatever the input.
 */
#ifndef TL_READER_H
#define TL_READER_H

#include <stddef.h>

#include "tl_err.h"

struct tl_reader;

/* Open path ("-" or NULL is stdin, shown as "<stdin>").  Returns new
 * reader, or NULL with err = TL_EX_NOINPUT (cannot open) or TL_EX_IOERR. */
struct tl_reader *tl_reader_open(const char *path, struct tl_err *err);
/* The same over len bytes at data (borrowed while the reader lives),
 * named name in messages. */
struct tl_reader *tl_reader_open_mem(const char *name, const char *data,
	    size_t len);
void	tl_reader_free(struct tl_reader *r);	/* accepts NULL */

#define TL_READER_HEAD	1024	/* bytes kept of a line over the limit */

/* Lines longer than max bytes (without their end) are not returned
 * whole, see tl_reader_getline().  The default is no limit. */
void	tl_reader_set_max(struct tl_reader *r, size_t max);

/* Read the next line.  Returns 1 and sets *line (borrowed until the next
 * call; NUL-terminated, may contain NUL bytes) and *len; 0 at end of
 * input; 2 for a line longer than the limit, read to its end, with *line
 * and *len its first TL_READER_HEAD bytes (tl_reader_long_line() has its
 * length); -1 with err set (TL_EX_IOERR, where = name:line) on a read or
 * gzip error, with *line and *len set to the part of the line read (the
 * head of a long one).  A last line without "\n" is returned as a line;
 * tl_reader_had_newline() says whether it was terminated. */
int	tl_reader_getline(struct tl_reader *r, const char **line, size_t *len,
	    struct tl_err *err);

/* After tl_reader_getline() returned 2: *len gets the line's length and
 * *quotes the number of '"' bytes in it (a CSV reader needs their parity
 * to find where a record ends). */
void	tl_reader_long_line(const struct tl_reader *r, size_t *len,
	    size_t *quotes);

/* The next bytes, without taking them: *p and *n (borrowed until the
 * next call) get at least want bytes (at most 256 KiB) unless the input
 * ends first, for a caller that must look at the start of an input before
 * it knows how to read it (tl_source).  The bytes are those of the text:
 * inflated when the input is gzip, with a byte order mark if there is
 * one.  Returns 0, or -1 with err set (TL_EX_IOERR) on a read or gzip
 * error, with *p and *n the bytes read before it; the reader stays where
 * it failed, so that the next read meets the same error. */
int	tl_reader_peek(struct tl_reader *r, size_t want, const char **p,
	    size_t *n, struct tl_err *err);

/* The next bytes of text, as many as are at hand, for readers of their
 * own syntax (tl_jstream): returns 1 with *p and *n (borrowed until the
 * next call), 0 at the end, -1 with err set (TL_EX_IOERR) on a read or
 * gzip error.  Lines are not counted, and a byte order mark is not
 * stripped: a caller reads either lines or bytes, never both. */
int	tl_reader_read(struct tl_reader *r, const char **p, size_t *n,
	    struct tl_err *err);

const char *tl_reader_name(const struct tl_reader *r);	/* borrowed */
unsigned long tl_reader_lineno(const struct tl_reader *r); /* of last line */
int	tl_reader_had_newline(const struct tl_reader *r);
int	tl_reader_is_gzip(const struct tl_reader *r);

/* Bytes of the file read so far (compressed bytes for gzip), for
 * progress against its size; -1 for a pipe or a terminal. */
long long tl_reader_offset(const struct tl_reader *r);

#endif
