/*
 * Memory, growable buffers and number parsing for options.  Out of memory
 * is the one failure lib/ handles by exiting (70, tl_oom() in tl_err).
 */
#ifndef TL_UTIL_H
#define TL_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tl_err.h"

/* The number of elements of array a (an array, not a pointer). */
#define TL_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The index of the entry named s in tab, n entries of size bytes each
 * whose first member is its name (const char *), or -1.  For the tables
 * that choices are made from. */
long	tl_table_find(const void *tab, size_t n, size_t size, const char *s);

/* qsort(3) comparator of doubles, ascending.  A NaN sorts after every
 * number and equal to another NaN, so the order is total (qsort is
 * undefined on a comparator that is not); -0.0 and 0.0 are equal. */
int	tl_cmp_double(const void *a, const void *b);

void	*tl_xmalloc(size_t n);			/* new; exits 70 on ENOMEM */
void	*tl_xcalloc(size_t n, size_t size);	/* new, zeroed; checks overflow */
void	*tl_xrealloc(void *p, size_t n);
void	*tl_xreallocarray(void *p, size_t n, size_t size);
char	*tl_xstrdup(const char *s);
char	*tl_xstrndup(const char *s, size_t n);
void	tl_free_strings(char **v, size_t n);	/* n strings and v; NULL ok */

/* A growable byte buffer, always NUL-terminated after tl_buf_init(). */
struct tl_buf {
	char	*data;		/* bytes, NUL after len */
	size_t	 len;		/* bytes used, not counting the NUL */
	size_t	 cap;		/* bytes allocated */
};

void	tl_buf_init(struct tl_buf *b);
void	tl_buf_release(struct tl_buf *b);	/* frees data; b reusable */
void	tl_buf_reset(struct tl_buf *b);		/* len = 0, keeps memory */
void	tl_buf_grow(struct tl_buf *b, size_t extra);	/* the slow path */
void	tl_buf_adds(struct tl_buf *b, const char *s);

/* Room for extra more bytes and the NUL.  Inline: the JSON writers call
 * these once a byte. */
static inline void
tl_buf_reserve(struct tl_buf *b, size_t extra)
{
	if (b->data == NULL || extra >= b->cap - b->len)
		tl_buf_grow(b, extra);
}

static inline void
tl_buf_add(struct tl_buf *b, const void *p, size_t n)
{
	tl_buf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static inline void
tl_buf_addc(struct tl_buf *b, char c)
{
	tl_buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}
void	tl_buf_printf(struct tl_buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Parse an option value.  The whole string must be a number in [lo, hi];
 * otherwise -1 with err = TL_EX_USAGE, where = opt, and a message such as
 * "'1.5' is not a number in [0, 1]".  Returns 0 and sets *out. */
int	tl_parse_long(const char *opt, const char *s, long lo, long hi,
	    long *out, struct tl_err *err);
int	tl_parse_double(const char *opt, const char *s, double lo, double hi,
	    double *out, struct tl_err *err);

/* Strict number from text: the whole of s[0..n) is a decimal number
 * (JSON syntax plus a leading '+', no hex, no inf/nan) that is finite
 * as a double.  Returns 0 and sets *out, or -1. */
int	tl_strtod_exact(const char *s, size_t n, double *out);

/* 64-bit hash of n bytes (8 at a time, a multiply and a rotation each,
 * and splitmix64's finaliser); stable across runs. */
uint64_t tl_hash64(const void *p, size_t n);

/* Another 64-bit hash of n bytes, faster on long texts (a record's); not
 * tl_hash64's values from 32 bytes on. */
uint64_t tl_hash64_text(const void *p, size_t n);

#endif
