/*
 * A fast, strict JSON parser into a flat, read-only document: the values
 * of one JSON text in document order, in arrays the document owns and
 * reuses from one parse to the next, with no allocation per value.  It is
 * the hot path of tools that read millions of log lines; jansson stays for
 * building and editing values.
 *
 * Strict RFC 8259: no NaN/Infinity, no leading zeros, no control bytes or
 * invalid UTF-8 in strings, no duplicate keys in an object, depth at most
 * TL_JV_MAX_DEPTH, numbers within double range.
 */
#ifndef TL_JV_H
#define TL_JV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tl_err.h"
#include "tl_util.h"

#define TL_JV_MAX_DEPTH	2048	/* nesting limit, as jansson's */

enum tl_jt {
	TL_JNULL, TL_JFALSE, TL_JTRUE, TL_JNUM, TL_JSTR, TL_JARR, TL_JOBJ
};

struct tl_jv {
	enum tl_jt	 type;		/* what this value is */
	uint32_t	 end;		/* index after its last descendant */
	uint32_t	 n;		/* members or elements (arrays, objects) */
	uint32_t	 off;		/* its first byte in the text */
	uint32_t	 span;		/* its bytes in the text, from off */
	uint8_t		 lit;		/* its text is what tl_jv_append
					 * writes (set by the parse; 0: not
					 * known) */
	const char	*key;		/* member name, NULL outside objects */
	size_t		 keylen;	/* its length */
	const char	*s;		/* string bytes, or number text */
	size_t		 len;		/* their length */
	double		 num;		/* number value */
};

struct tl_jdoc {
	struct tl_jv	*v;		/* values, v[0] the root */
	const char	*text;		/* the text parsed (borrowed) */
	size_t		 n;		/* values used */
	size_t		 cap;		/* values allocated */
	struct tl_buf	 arena;		/* decoded strings with escapes */
	int		 depth;		/* while parsing */
};

void	tl_jdoc_init(struct tl_jdoc *d);
void	tl_jdoc_release(struct tl_jdoc *d);

/* Parse the JSON text s[0..n).  Returns 0, or -1 with err = TL_EX_DATAERR
 * at name:line, msg "invalid JSON: <why> (column N)" (N 1-based, the byte
 * where the problem was found).  Strings without escapes point into s:
 * s must outlive the use of d; everything is borrowed until the next
 * parse or tl_jdoc_release(). */
int	tl_jdoc_parse(struct tl_jdoc *d, const char *s, size_t n,
	    const char *name, unsigned long line, struct tl_err *err);

/* tl_jdoc_parse() of text that tl_jv_append() and tl_jv_append_string()
 * wrote (a canonical record of ours): the same values, without the check
 * for duplicate keys, which such text never has.  Returns 0, or -1 if the
 * text is not JSON after all (err is not set). */
int	tl_jdoc_parse_own(struct tl_jdoc *d, const char *s, size_t n);

/* The top level of an object, kept beside its text so that a document
 * can be made of them again without a parse (tl_jdoc_from_index): each
 * member's key, type, number and place in the text. */
struct tl_jv_member {
	uint32_t	 key, keylen;	/* the key's bytes in the text */
	uint32_t	 off, span;	/* the value's, as tl_jv's */
	double		 num;		/* a number's value */
	enum tl_jt	 type;
};

/* Append the members of d's root (an object) to b as an array of struct
 * tl_jv_member (unaligned: read them with memcpy).  Returns their number,
 * or -1 with b as it was when the root is no object or a key or a
 * string member has escapes (parse that text instead). */
long	tl_jv_index(const struct tl_jdoc *d, struct tl_buf *b);

/* tl_jv_index of the object text[0..n) that tl_jv_append wrote (compact,
 * ours), read off the text without a parse: nested values are skipped,
 * top-level numbers converted.  Returns the members' number, or -1 with
 * b as it was for a key or string member with escapes or a text of
 * another shape (parse it). */
long	tl_jv_index_text(const char *text, size_t n, struct tl_buf *b);

/* Make d the object of text[0..n) from the n members at m that
 * tl_jv_index wrote of its parse.  Only the top level is there: values
 * nested in a member are its text alone (tl_jv_append_text), with no
 * children; keys, strings and numbers are as a parse gives them. */
void	tl_jdoc_from_index(struct tl_jdoc *d, const char *text, size_t len,
	    const void *m, size_t n);

/* Member key of object v, or NULL.  Linear in the members. */
const struct tl_jv *tl_jv_get(const struct tl_jdoc *d, const struct tl_jv *v,
	    const char *key);

/* tl_jv_get of the same member, key[0..n), looked for first after *at
 * (a member of v found before, or NULL: from the start) and then from
 * the start, so that members asked for in their order are found at once;
 * sets *at to the member found.  Keys are unique (the parse checks). */
static inline const struct tl_jv *tl_jv_get_near(const struct tl_jdoc *d,
	    const struct tl_jv *v, const char *key, size_t n,
	    const struct tl_jv **at);
/* tl_jv_get_near's look at every member, when the next one is not it. */
const struct tl_jv *tl_jv_get_scan(const struct tl_jdoc *d,
	    const struct tl_jv *v, const char *key, size_t n,
	    const struct tl_jv **at);

/* First child of v and the next sibling of a child (NULL at the end).
 * Inline: every walk over an object's members calls them once a member. */
static inline const struct tl_jv *
tl_jv_child(const struct tl_jdoc *d, const struct tl_jv *v)
{
	(void)d;	/* children follow their parent in d->v */
	return v->n > 0 ? v + 1 : NULL;
}

static inline const struct tl_jv *
tl_jv_next(const struct tl_jdoc *d, const struct tl_jv *parent,
    const struct tl_jv *child)
{
	return child->end < parent->end ? &d->v[child->end] : NULL;
}

/* The common case of tl_jv_get_near inline: the member after *at (the
 * first with *at NULL), told by its length and first byte before its
 * bytes are compared; else the scan. */
static inline const struct tl_jv *
tl_jv_get_near(const struct tl_jdoc *d, const struct tl_jv *v,
    const char *key, size_t n, const struct tl_jv **at)
{
	const struct tl_jv *c = *at != NULL ? tl_jv_next(d, v, *at) :
	    v->type == TL_JOBJ ? tl_jv_child(d, v) : NULL;

	if (c != NULL && c->keylen == n && n > 0 && c->key[0] == key[0] &&
	    memcmp(c->key, key, n) == 0)
		return *at = c;
	return tl_jv_get_scan(d, v, key, n, at);
}

/* Append v as compact canonical JSON, as tl_json_append() would write the
 * same value (numbers by tl_fmt_double; integers beyond 2^53 as written). */
void	tl_jv_append(struct tl_buf *b, const struct tl_jdoc *d,
	    const struct tl_jv *v);

/* Append the text of v as it is in the text parsed into d: for text that
 * tl_jv_append() wrote, the bytes that tl_jv_append() would write again
 * (its numbers, strings and literals are fixed points of a parse and an
 * append), at the cost of a copy. */
void	tl_jv_append_text(struct tl_buf *b, const struct tl_jdoc *d,
	    const struct tl_jv *v);

/* Append s[0..n) as a JSON string literal. */
void	tl_jv_append_string(struct tl_buf *b, const char *s, size_t n);

/* Append a member name key[0..n) and ':' to an object being written in
 * b, after a ',' unless b ends with the object's '{'. */
void	tl_jv_append_key(struct tl_buf *b, const char *key, size_t n);

/* Append the byte sep (',' or '{'), the member name key[0..n) and ':'.
 * plain says the name has no byte to escape (one of ours, or read off a
 * text that tl_jv_append wrote without escapes): it is then copied
 * without a look at its bytes. */
static inline void
tl_jv_append_sep_key(struct tl_buf *b, char sep, const char *key, size_t n,
    int plain)
{
	char *p;

	if (!plain) {
		tl_buf_addc(b, sep);
		tl_jv_append_string(b, key, n);
		tl_buf_addc(b, ':');
		return;
	}
	tl_buf_reserve(b, n + 4);
	p = b->data + b->len;
	p[0] = sep;
	p[1] = '"';
	memcpy(p + 2, key, n);
	p[n + 2] = '"';
	p[n + 3] = ':';
	p[n + 4] = '\0';
	b->len += n + 4;
}

/* Append member key (a string) with the string value s[0..n), as
 * tl_jv_append_key() and tl_jv_append_string() would. */
void	tl_jv_append_member(struct tl_buf *b, const char *key, const char *s,
	    size_t n);

/* Nonzero if s[0..n) is valid UTF-8 (no overlongs, surrogates or code
 * points beyond U+10FFFF) without NUL bytes: text a JSON string can hold
 * as it is. */
int	tl_utf8_valid(const char *s, size_t n);

/* "object", "array", "string", "number", "boolean", "null". */
const char *tl_jv_typename(const struct tl_jv *v);

#endif
