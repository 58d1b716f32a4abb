/*
 * Line reader over a file or stdin, with transparent gzip (detected by its
 * magic bytes, not its name) and lines of any length.  It strips a UTF-8
 * BOM at the start of the input and the "\n" or "\r\n" that ends a line;
 * line numbers are 1-based.  A truncated or corrupt gzip stream is an I/O
 * error naming the file, never a silent end of input.
 */
#ifndef TL_READER_H
#define TL_READER_H

#include <stddef.h>

#include "tl_err.h"

struct tl_reader;

/* Open path ("-" or NULL is stdin, shown as "<stdin>").  Returns new
 * reader, or NULL with err = TL_EX_NOINPUT (cannot open) or TL_EX_IOERR. */
struct tl_reader *tl_reader_open(const char *path, struct tl_err *err);
void	tl_reader_free(struct tl_reader *r);	/* accepts NULL */

/* Read the next line.  Returns 1 and sets *line (borrowed until the next
 * call; NUL-terminated, may contain NUL bytes) and *len; 0 at end of
 * input; -1 with err set (TL_EX_IOERR, where = name:line) on a read or
 * gzip error, with *line and *len set to the part of the line read.  A last line without "\n" is returned as a line;
 * tl_reader_had_newline() says whether it was terminated. */
int	tl_reader_getline(struct tl_reader *r, const char **line, size_t *len,
	    struct tl_err *err);

const char *tl_reader_name(const struct tl_reader *r);	/* borrowed */
unsigned long tl_reader_lineno(const struct tl_reader *r); /* of last line */
int	tl_reader_had_newline(const struct tl_reader *r);
int	tl_reader_is_gzip(const struct tl_reader *r);

#endif
