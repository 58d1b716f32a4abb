/*
 * Strict JSON parsing into a flat array of values.  Recursive descent over
 * the bytes with indexes (the value array may move while it grows); the
 * string arena is reserved at the input's size before the parse, so that
 * pointers into it stay valid (a decoded string is never longer than its
 * literal).  Number text is converted by a fast path when the digits fit
 * in 2^53 and the power of ten is exact (one correctly rounded operation,
 * as strtod would give), else by strtod.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tl_jv.h"
#include "tl_num.h"

#define SMALL_OBJECT	24	/* up to: duplicate keys sought by a bitmap
				 * (at most 24 * 23 / 2 compares on clashes);
				 * above: hashed */
#define STACK_SLOTS	256	/* hash slots kept on the stack */

struct parser {
	const char	*s;		/* the text */
	size_t		 n;		/* its length */
	size_t		 i;		/* next byte */
	struct tl_jdoc	*d;		/* where values go */
	const char	*name;		/* for messages */
	unsigned long	 line;		/* for messages */
	struct tl_err	*err;		/* set on failure */
	int		 own;		/* text of ours: no duplicate keys */
};

static const double pow10tab[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
	1e20, 1e21, 1e22 };

void
tl_jdoc_init(struct tl_jdoc *d)
{
	memset(d, 0, sizeof(*d));
	tl_buf_init(&d->arena);
}

void
tl_jdoc_release(struct tl_jdoc *d)
{
	free(d->v);
	tl_buf_release(&d->arena);
	memset(d, 0, sizeof(*d));
}

static int
fail(struct parser *p, const char *why)
{
	return tl_err_set(p->err, TL_EX_DATAERR, p->name, p->line,
	    "invalid JSON: %s (column %zu)", why, p->i + 1);
}

static int
failc(struct parser *p, const char *what)
{
	char why[96];
	unsigned char c = (unsigned char)p->s[p->i];

	if (c == 0)
		return fail(p, "NUL byte");
	if (strncasecmp(p->s + p->i, "nan", 3 <= p->n - p->i ? 3 :
	    p->n - p->i) == 0 || strncasecmp(p->s + p->i, "inf", 3 <=
	    p->n - p->i ? 3 : p->n - p->i) == 0)
		return fail(p, "NaN and Infinity are not JSON numbers");
	if (c >= 0x20 && c < 0x7f)
		snprintf(why, sizeof(why), "%s '%c'", what, c);
	else
		snprintf(why, sizeof(why), "%s byte 0x%02x", what, c);
	return fail(p, why);
}

/* Eight bytes at a time (a word's bytes in any order): does x hold a
 * byte below 0x20, a '"' or a '\\' (what a string literal escapes)?
 * Anderson, "Bit Twiddling Hacks", "Determine if a word has a byte less
 * than n" and "... a zero byte": exact as a yes or no. */
#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL
#define HAS_ZERO(v)	(((v) - ONES) & ~(v) & HIGHS)
#define HAS_LESS(v, n)	(((v) - ONES * (n)) & ~(v) & HIGHS)

static inline uint64_t
word_at(const unsigned char *s)
{
	uint64_t x;

	memcpy(&x, s, sizeof(x));
	return x;
}

static inline int
word_escapes(uint64_t x)
{
	return (HAS_LESS(x, 0x20) | HAS_ZERO(x ^ (ONES * '"')) |
	    HAS_ZERO(x ^ (ONES * '\\'))) != 0;
}

/* Bytes that stand for themselves inside a string literal. */
/* (0x20..0x7f but '"' and '\\') */
static const unsigned char plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* How many of the n bytes at s come before the first that ends a run of
 * plain ASCII (not plain[]: the parser must look at it) or, with
 * quotes_only, the first '"' or '\\', a word at a time.  On a
 * little-endian machine the first such byte of a word is its least
 * significant flag: a borrow in the tests above runs only toward the
 * more significant bytes, so that flag is a true one whatever the flags
 * above it; elsewhere words only skip and the bytes are looked at one by
 * one. */
static inline size_t
run_before(const unsigned char *s, size_t n, int quotes_only)
{
	size_t i = 0;
	uint64_t x, m;

	for (; n - i >= 8; i += 8) {
		x = word_at(s + i);
		m = HAS_ZERO(x ^ (ONES * '"')) | HAS_ZERO(x ^ (ONES * '\\'));
		if (!quotes_only)
			m |= HAS_LESS(x, 0x20) | (x & HIGHS);
		if (m == 0)
			continue;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		return i + ((size_t)__builtin_ctzll(m) >> 3);
#else
		break;
#endif
	}
	while (i < n && (quotes_only ? s[i] != '"' && s[i] != '\\' :
	    plain[s[i]]))
		i++;
	return i;
}

static size_t
newval(struct tl_jdoc *d)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		d->v = tl_xreallocarray(d->v, d->cap, sizeof(*d->v));
	}
	memset(&d->v[d->n], 0, sizeof(d->v[0]));
	return d->n++;
}

static void
skip_ws(struct parser *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
	    p->s[p->i] == '\n' || p->s[p->i] == '\r'))
		p->i++;
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];

	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f))
			return 0;	/* overlong, surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
			return 0;	/* overlong, beyond U+10FFFF */
		return 4;
	}
	return 0;
}

int
tl_utf8_valid(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, k;

	while (i < n) {
		if (s[i] == 0)
			return 0;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_len(s + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

static int
hex4(struct parser *p, unsigned *out)
{
	unsigned v = 0, k;
	int j;

	if (p->n - p->i < 4)
		return fail(p, "incomplete \\u escape");
	for (j = 0; j < 4; j++) {
		char c = p->s[p->i + j];

		if (c >= '0' && c <= '9')
			k = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			k = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			k = (unsigned)(c - 'A' + 10);
		else
			return fail(p, "invalid \\u escape");
		v = v * 16 + k;
	}
	p->i += 4;
	*out = v;
	return 0;
}

static void
put_utf8(struct tl_buf *b, unsigned cp)
{
	char u[4];
	size_t k;

	if (cp < 0x80) {
		u[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		k = 4;
	}
	tl_buf_add(b, u, k);
}

/* The string literal at p->i (a '"').  Sets *out and *len to its bytes: in
 * the text when it has no escapes, else decoded into the arena. */
static int
parse_string(struct parser *p, const char **out, size_t *len)
{
	const unsigned char *s = (const unsigned char *)p->s;
	struct tl_buf *a = &p->d->arena;
	size_t start, k, mark = 0;
	unsigned cp, lo;
	int esc = 0;

	start = ++p->i;
	for (;;) {
		if (!esc)	/* the common run of plain ASCII */
			p->i += run_before(s + p->i, p->n - p->i, 0);
		if (p->i >= p->n)
			return fail(p, "unterminated string");
		if (s[p->i] == '"')
			break;
		if (s[p->i] < 0x20)
			return failc(p, "control character");
		if (s[p->i] < 0x80 && s[p->i] != '\\') {
			if (esc)
				tl_buf_addc(a, (char)s[p->i]);
			p->i++;
			continue;
		}
		if (s[p->i] >= 0x80) {
			if ((k = utf8_len(s + p->i, p->n - p->i)) == 0)
				return failc(p, "invalid UTF-8");
			if (esc)
				tl_buf_add(a, s + p->i, k);
			p->i += k;
			continue;
		}
		if (!esc) {	/* first escape: copy what came before */
			esc = 1;
			mark = a->len;
			tl_buf_add(a, s + start, p->i - start);
		}
		if (++p->i >= p->n)
			return fail(p, "unterminated string");
		switch (s[p->i++]) {
		case '"': tl_buf_addc(a, '"'); break;
		case '\\': tl_buf_addc(a, '\\'); break;
		case '/': tl_buf_addc(a, '/'); break;
		case 'b': tl_buf_addc(a, '\b'); break;
		case 'f': tl_buf_addc(a, '\f'); break;
		case 'n': tl_buf_addc(a, '\n'); break;
		case 'r': tl_buf_addc(a, '\r'); break;
		case 't': tl_buf_addc(a, '\t'); break;
		case 'u':
			if (hex4(p, &cp) == -1)
				return -1;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return fail(p, "invalid \\u escape (lone "
				    "surrogate)");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (p->n - p->i < 6 || p->s[p->i] != '\\' ||
				    p->s[p->i + 1] != 'u')
					return fail(p, "invalid \\u escape "
					    "(lone surrogate)");
				p->i += 2;
				if (hex4(p, &lo) == -1)
					return -1;
				if (lo < 0xdc00 || lo > 0xdfff)
					return fail(p, "invalid \\u escape "
					    "(lone surrogate)");
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			if (cp == 0)
				return fail(p, "\\u0000 in a string");
			put_utf8(a, cp);
			break;
		default:
			p->i--;
			return failc(p, "invalid escape");
		}
	}
	if (esc) {
		*out = a->data + mark;
		*len = a->len - mark;
	} else {
		*out = p->s + start;
		*len = p->i - start;
	}
	p->i++;
	return 0;
}

/* Whether the number literal v (frac digits after its point, has_exp,
 * sig significant digits, lost past 19) is the text tl_jv_append writes
 * of it (append_number), told where its digits were counted: an integer
 * of at most 18 characters but -0, or a decimal that tl_fmt_is_short
 * takes. */
static uint8_t
literal_is_canonical(const struct tl_jv *v, size_t frac, int has_exp,
    int sig, int lost)
{
	if (has_exp)
		return 0;
	if (frac == 0)
		return v->len <= 18 && !(v->len == 2 && v->s[1] == '0');
	return !lost && v->s[v->len - 1] != '0' &&
	    tl_fmt_is_short_form(v->num, sig);
}

static int
parse_number(struct parser *p, struct tl_jv *v)
{
	const char *s = p->s;
	size_t start = p->i, i = p->i, frac = 0;
	uint64_t m = 0;
	int exp = 0, eneg = 0, neg = 0, e10, sig = 0, lost = 0, has_exp = 0;
	char tmp[64], *t, *end;
	double x;

	if (s[i] == '-') {
		neg = 1;
		i++;
	}
	if (i >= p->n || s[i] < '0' || s[i] > '9') {
		p->i = i < p->n ? i : p->n - 1;
		return i < p->n && (s[i] == 'I' || s[i] == 'i' ||
		    s[i] == 'N' || s[i] == 'n') ? failc(p, "") :
		    fail(p, "invalid number");
	}
	if (s[i] == '0' && i + 1 < p->n && s[i + 1] >= '0' && s[i + 1] <= '9') {
		p->i = i;
		return fail(p, "invalid number (leading zero)");
	}
	/* m: the significant digits (leading zeros are none), while they
	 * fit in 19; lost: some did not (then strtod decides) */
	i = tl_dec_digits(s, i, p->n, &m, &sig, &lost);
	if (i < p->n && s[i] == '.') {
		if (++i >= p->n || s[i] < '0' || s[i] > '9') {
			p->i = i < p->n ? i : p->n - 1;
			return fail(p, "invalid number");
		}
		frac = tl_dec_digits(s, i, p->n, &m, &sig, &lost) - i;
		i += frac;
	}
	if (i < p->n && (s[i] == 'e' || s[i] == 'E')) {
		has_exp = 1;
		i++;
		if (i < p->n && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		if (i >= p->n || s[i] < '0' || s[i] > '9') {
			p->i = i < p->n ? i : p->n - 1;
			return fail(p, "invalid number");
		}
		for (; i < p->n && s[i] >= '0' && s[i] <= '9'; i++)
			if (exp < 100000)
				exp = exp * 10 + (s[i] - '0');
	}
	v->type = TL_JNUM;
	v->s = s + start;
	v->len = i - start;
	p->i = i;
	e10 = (eneg ? -exp : exp) - (int)frac;
	/* m and 10^|e10| exact doubles: one correctly rounded operation,
	 * the value strtod gives (Clinger's fast path) */
	if (!lost && m <= (UINT64_C(1) << 53) && e10 >= -22 && e10 <= 22) {
		x = (double)m;
		x = e10 < 0 ? x / pow10tab[-e10] : x * pow10tab[e10];
		v->num = neg ? -x : x;
		v->lit = literal_is_canonical(v, frac, has_exp, sig, lost);
		return 0;
	}
	if (lost || tl_dec_to_double(m, e10, neg, &v->num) == -1) {
		t = v->len < sizeof(tmp) ? tmp : tl_xmalloc(v->len + 1);
		memcpy(t, v->s, v->len);
		t[v->len] = '\0';
		x = strtod(t, &end);
		if (t != tmp)
			free(t);
		if (!isfinite(x)) {
			p->i = start;
			return fail(p, "number out of range");
		}
		v->num = x;
	}
	v->lit = literal_is_canonical(v, frac, has_exp, sig, lost);
	return 0;
}

static int parse_value(struct parser *, const char *, size_t);

static int
dup_fail(struct parser *p, const struct tl_jv *a)
{
	char why[96];

	snprintf(why, sizeof(why), "duplicate key '%.*s'",
	    (int)(a->keylen < 40 ? a->keylen : 40), a->key);
	return fail(p, why);
}

/* Whether keys a and b, both n bytes, are equal: most keys are short,
 * where a loop beats a call to memcmp. */
static inline int
key_eq(const char *a, const char *b, size_t n)
{
	size_t i;

	if (n > 16)
		return memcmp(a, b, n) == 0;
	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* One of 64 bits for a key, from its length and first, middle and last
 * bytes: the keys of one object seldom share all four. */
static inline unsigned
key_bit(const struct tl_jv *a)
{
	const unsigned char *k = (const unsigned char *)a->key;
	uint32_t h = (uint32_t)a->keylen;

	if (a->keylen > 0)
		h = h * 0x9e3779b1u ^ (uint32_t)k[0] << 16 ^
		    (uint32_t)k[a->keylen / 2] << 8 ^ k[a->keylen - 1];
	return (h * 0x9e3779b1u) >> 26;
}

/* FNV-1a of a key */
static uint32_t
key_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	while (n-- > 0)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* A member whose key is that of an earlier member of object obj (count
 * members).  Small objects, all of a log's: a bitmap of the keys seen so
 * far, where a member whose bit is new cannot repeat a key, so only a
 * clash compares keys, with those before it.  Larger ones (a joined
 * trade, a wide CSV row): an open-addressing table at most half full, so
 * linear in the members however they clash. */
static int
dup_keys(struct parser *p, size_t obj, uint32_t count)
{
	const struct tl_jdoc *d = p->d;
	const struct tl_jv *o = &d->v[obj], *a, *b;
	const struct tl_jv *stack[STACK_SLOTS], **slot = stack;
	uint64_t seen = 0, bit;
	size_t mask, i;
	int rc = 0;

	if (count <= SMALL_OBJECT) {
		for (a = tl_jv_child(d, o); a != NULL;
		    a = tl_jv_next(d, o, a)) {
			bit = (uint64_t)1 << key_bit(a);
			if (seen & bit)
				for (b = tl_jv_child(d, o); b != a;
				    b = tl_jv_next(d, o, b))
					if (b->keylen == a->keylen &&
					    key_eq(b->key, a->key, a->keylen))
						return dup_fail(p, a);
			seen |= bit;
		}
		return 0;
	}
	for (mask = 16; mask < 2 * (size_t)count; mask *= 2)
		;
	if (mask > STACK_SLOTS)
		slot = tl_xcalloc(mask, sizeof(*slot));
	else
		memset(stack, 0, mask * sizeof(*slot));
	mask--;
	for (a = tl_jv_child(d, o); a != NULL && rc == 0;
	    a = tl_jv_next(d, o, a)) {
		for (i = key_hash(a->key, a->keylen) & mask; slot[i] != NULL;
		    i = (i + 1) & mask)
			if (slot[i]->keylen == a->keylen &&
			    key_eq(slot[i]->key, a->key, a->keylen)) {
				rc = dup_fail(p, a);
				break;
			}
		slot[i] = a;
	}
	if (slot != stack)
		free(slot);
	return rc;
}

static int
parse_container(struct parser *p, size_t idx, int obj)
{
	const char *key = NULL;
	size_t keylen = 0, child, len = 2;
	uint32_t count = 0;
	char close = obj ? '}' : ']';
	int lit = 1;

	if (++p->d->depth > TL_JV_MAX_DEPTH)
		return fail(p, "nesting too deep");
	p->d->v[idx].type = obj ? TL_JOBJ : TL_JARR;
	p->i++;
	skip_ws(p);
	if (p->i < p->n && p->s[p->i] == close)
		p->i++;
	else
		for (;;) {
			skip_ws(p);
			if (obj) {
				if (p->i >= p->n)
					return fail(p, "unexpected end of "
					    "input");
				if (p->s[p->i] != '"')
					return failc(p, "expected a string "
					    "key, got");
				if (parse_string(p, &key, &keylen) == -1)
					return -1;
				skip_ws(p);
				if (p->i >= p->n || p->s[p->i] != ':')
					return p->i >= p->n ? fail(p,
					    "unexpected end of input") :
					    failc(p, "expected ':', got");
				p->i++;
			}
			child = p->d->n;
			if (parse_value(p, key, keylen) == -1)
				return -1;
			/* the length of the text tl_jv_append writes */
			lit &= p->d->v[child].lit;
			len += p->d->v[child].span + (count > 0) +
			    (obj ? keylen + 3 : 0);
			count++;
			skip_ws(p);
			if (p->i >= p->n)
				return fail(p, "unexpected end of input");
			if (p->s[p->i] == close) {
				p->i++;
				break;
			}
			if (p->s[p->i] != ',')
				return failc(p, obj ? "expected ',' or '}', "
				    "got" : "expected ',' or ']', got");
			p->i++;
		}
	p->d->depth--;
	p->d->v[idx].n = count;
	p->d->v[idx].end = (uint32_t)p->d->n;
	if (obj && count > 1 && !p->own && dup_keys(p, idx, count) == -1)
		return -1;
	/* written as tl_jv_append writes it: every member is, and no
	 * whitespace or escape in a key made the text longer */
	p->d->v[idx].span = (uint32_t)p->i - p->d->v[idx].off;
	p->d->v[idx].lit = lit && len == p->d->v[idx].span;
	return 0;
}

static int
literal(struct parser *p, const char *word, enum tl_jt t, size_t idx)
{
	size_t k = strlen(word);

	if (p->n - p->i < k || memcmp(p->s + p->i, word, k) != 0)
		return failc(p, "unexpected");
	p->i += k;
	p->d->v[idx].type = t;
	p->d->v[idx].lit = 1;
	return 0;
}

static int
parse_value(struct parser *p, const char *key, size_t keylen)
{
	struct tl_jv *v;
	size_t idx;
	char c;
	int rc;

	skip_ws(p);
	if (p->i >= p->n)
		return fail(p, "unexpected end of input");
	idx = newval(p->d);
	p->d->v[idx].key = key;
	p->d->v[idx].keylen = keylen;
	p->d->v[idx].off = (uint32_t)p->i;
	c = p->s[p->i];
	switch (c) {
	case '{':
	case '[':
		return parse_container(p, idx, c == '{');	/* sets span */
	case '"':
		v = &p->d->v[idx];
		v->type = TL_JSTR;
		rc = parse_string(p, &v->s, &v->len);
		/* no escape: its bytes are the text's, as tl_jv_append
		 * writes them */
		v->lit = rc == 0 && v->s == p->s + v->off + 1;
		break;
	case 't':
		rc = literal(p, "true", TL_JTRUE, idx);
		break;
	case 'f':
		rc = literal(p, "false", TL_JFALSE, idx);
		break;
	case 'n':
		rc = literal(p, "null", TL_JNULL, idx);
		break;
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			rc = parse_number(p, &p->d->v[idx]);
		else
			rc = failc(p, "unexpected");
	}
	p->d->v[idx].end = (uint32_t)p->d->n;
	p->d->v[idx].span = (uint32_t)p->i - p->d->v[idx].off;
	return rc;
}

static int
parse_text(struct parser *p)
{
	struct tl_jdoc *d = p->d;

	d->text = p->s;
	d->n = 0;
	d->depth = 0;
	tl_buf_reset(&d->arena);
	tl_buf_reserve(&d->arena, p->n);	/* no move while parsing */
	if (p->n > UINT32_MAX / 2)
		return fail(p, "text too long");
	if (parse_value(p, NULL, 0) == -1)
		return -1;
	skip_ws(p);
	if (p->i < p->n)
		return failc(p, "unexpected data after the value:");
	return 0;
}

int
tl_jdoc_parse(struct tl_jdoc *d, const char *s, size_t n, const char *name,
    unsigned long line, struct tl_err *err)
{
	struct parser p = { s, n, 0, d, name, line, err, 0 };

	return parse_text(&p);
}

int
tl_jdoc_parse_own(struct tl_jdoc *d, const char *s, size_t n)
{
	struct parser p = { s, n, 0, d, NULL, 0, NULL, 1 };

	return parse_text(&p);
}

long
tl_jv_index(const struct tl_jdoc *d, struct tl_buf *b)
{
	const struct tl_jv *root = &d->v[0], *c;
	struct tl_jv_member m;
	size_t mark = b->len;
	long n = 0;

	if (root->type != TL_JOBJ)
		return -1;
	for (c = tl_jv_child(d, root); c != NULL; c = tl_jv_next(d, root, c)) {
		/* a key or string decoded into the arena had escapes */
		if ((uintptr_t)c->key < (uintptr_t)d->text ||
		    (uintptr_t)c->key >= (uintptr_t)(d->text + root->span) ||
		    (c->type == TL_JSTR && c->s != d->text + c->off + 1)) {
			b->len = mark;
			return -1;
		}
		memset(&m, 0, sizeof(m));
		m.key = (uint32_t)(c->key - d->text);
		m.keylen = (uint32_t)c->keylen;
		m.off = c->off;
		m.span = c->span;
		m.num = c->num;
		m.type = c->type;
		tl_buf_add(b, &m, sizeof(m));
		n++;
	}
	return n;
}

/* Past the plain string at p->i (a '"'): 0, or -1 at an escape or the
 * end of the text. */
static int
skip_plain_string(struct parser *p)
{
	const unsigned char *s = (const unsigned char *)p->s;

	p->i++;
	p->i += run_before(s + p->i, p->n - p->i, 1);
	if (p->i >= p->n || s[p->i] != '"')
		return -1;
	p->i++;
	return 0;
}

/* Past the array or object at p->i, of text known to be JSON: 0, or -1
 * when it does not end. */
static int
skip_nested(struct parser *p)
{
	size_t depth = 0;
	int str = 0;

	for (; p->i < p->n; p->i++) {
		char c = p->s[p->i];

		if (str) {
			if (c == '\\')
				p->i++;
			else if (c == '"')
				str = 0;
		} else if (c == '"')
			str = 1;
		else if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && --depth == 0) {
			p->i++;
			return 0;
		}
	}
	return -1;
}

long
tl_jv_index_text(const char *text, size_t n, struct tl_buf *b)
{
	static const struct {
		char		 c;
		const char	*word;
		enum tl_jt	 type;
	} lits[] = { { 't', "true", TL_JTRUE }, { 'f', "false", TL_JFALSE },
		{ 'n', "null", TL_JNULL } };
	struct parser p = { text, n, 1, NULL, NULL, 0, NULL, 1 };
	struct tl_jv_member m;
	struct tl_jv v;
	size_t mark = b->len, k, j;
	long count = 0;

	if (n < 2 || n > UINT32_MAX / 2 || text[0] != '{' ||
	    text[n - 1] != '}')
		return -1;
	if (n == 2)
		return 0;
	for (;;) {
		memset(&m, 0, sizeof(m));
		k = p.i + 1;
		if (text[p.i] != '"' || skip_plain_string(&p) == -1 ||
		    p.i >= n || text[p.i++] != ':' || p.i >= n)
			break;
		m.key = (uint32_t)k;
		m.keylen = (uint32_t)(p.i - 2 - k);
		m.off = (uint32_t)p.i;
		for (j = 0; j < TL_NELEM(lits) && lits[j].c != text[p.i]; j++)
			;
		if (text[p.i] == '"') {
			m.type = TL_JSTR;
			if (skip_plain_string(&p) == -1)
				break;
		} else if (text[p.i] == '{' || text[p.i] == '[') {
			m.type = text[p.i] == '{' ? TL_JOBJ : TL_JARR;
			if (skip_nested(&p) == -1)
				break;
		} else if (j < TL_NELEM(lits)) {
			k = strlen(lits[j].word);
			if (n - p.i < k || memcmp(text + p.i, lits[j].word, k))
				break;
			m.type = lits[j].type;
			p.i += k;
		} else {
			if (parse_number(&p, &v) == -1)
				break;
			m.type = TL_JNUM;
			m.num = v.num;
		}
		m.span = (uint32_t)(p.i - m.off);
		tl_buf_add(b, &m, sizeof(m));
		count++;
		if (p.i == n - 1)	/* the closing '}' */
			return count;
		if (p.i >= n || text[p.i++] != ',')
			break;
	}
	b->len = mark;
	return -1;
}

void
tl_jdoc_from_index(struct tl_jdoc *d, const char *text, size_t len,
    const void *mv, size_t n)
{
	const char *p = mv;
	struct tl_jv_member m;
	struct tl_jv *v;
	size_t i;

	d->n = 0;
	d->text = text;
	tl_buf_reset(&d->arena);
	for (i = 0; i <= n; i++)
		newval(d);
	v = d->v;
	v[0].type = TL_JOBJ;
	v[0].n = (uint32_t)n;
	v[0].end = (uint32_t)n + 1;
	v[0].span = (uint32_t)len;
	for (i = 1; i <= n; i++, p += sizeof(m)) {
		memcpy(&m, p, sizeof(m));
		v[i].type = m.type;
		v[i].end = (uint32_t)i + 1;
		v[i].key = text + m.key;
		v[i].keylen = m.keylen;
		v[i].off = m.off;
		v[i].span = m.span;
		v[i].num = m.num;
		if (m.type == TL_JSTR) {
			v[i].s = text + m.off + 1;
			v[i].len = m.span - 2;
		} else if (m.type == TL_JNUM) {
			v[i].s = text + m.off;
			v[i].len = m.span;
		}
	}
}

const struct tl_jv *
tl_jv_get(const struct tl_jdoc *d, const struct tl_jv *v, const char *key)
{
	const struct tl_jv *c;
	size_t k;

	if (v->type != TL_JOBJ)
		return NULL;
	k = strlen(key);
	for (c = tl_jv_child(d, v); c != NULL; c = tl_jv_next(d, v, c))
		if (c->keylen == k && key_eq(c->key, key, k))
			return c;
	return NULL;
}

const struct tl_jv *
tl_jv_get_scan(const struct tl_jdoc *d, const struct tl_jv *v,
    const char *key, size_t k, const struct tl_jv **at)
{
	const struct tl_jv *c, *stop = NULL;

	if (v->type != TL_JOBJ)
		return NULL;
	if (*at != NULL)	/* after *at to the end, then up to *at */
		for (stop = c = tl_jv_next(d, v, *at); c != NULL;
		    c = tl_jv_next(d, v, c))
			if (c->keylen == k && key_eq(c->key, key, k))
				return *at = c;
	for (c = tl_jv_child(d, v); c != NULL && c != stop;
	    c = tl_jv_next(d, v, c))
		if (c->keylen == k && key_eq(c->key, key, k))
			return *at = c;
	return NULL;
}

const char *
tl_jv_typename(const struct tl_jv *v)
{
	switch (v->type) {
	case TL_JOBJ: return "object";
	case TL_JARR: return "array";
	case TL_JSTR: return "string";
	case TL_JNUM: return "number";
	case TL_JTRUE:
	case TL_JFALSE: return "boolean";
	case TL_JNULL: return "null";
	}
	return "unknown";
}

/* Does s[0..n) hold a byte that a string literal escapes?  A word at a
 * time; the last word, and a string shorter than one, read as loads that
 * overlap (bytes seen twice are seen alike), so that no byte outside s is
 * read and no string goes a byte at a time.  Most strings written are
 * keys and values of a few bytes. */
static int
has_escapes(const unsigned char *s, size_t n)
{
	uint32_t lo, hi;
	uint64_t x;
	size_t i;

	if (n >= 8) {
		for (i = 0; n - i > 8; i += 8)
			if (word_escapes(word_at(s + i)))
				return 1;
		return word_escapes(word_at(s + n - 8));
	}
	if (n >= 4) {
		memcpy(&lo, s, sizeof(lo));
		memcpy(&hi, s + n - 4, sizeof(hi));
		x = (uint64_t)hi << 32 | lo;
	} else if (n > 0)	/* first, middle and last: every byte of 1-3;
				 * the rest spaces, which need no escape */
		x = ONES * ' ' << 24 | (uint64_t)s[n - 1] << 16 |
		    (uint64_t)s[n / 2] << 8 | s[0];
	else
		return 0;
	return word_escapes(x);
}

/* The literal of s[0..n), which has bytes to escape, after b.  Not
 * inlined: its registers would make every plain string's call dearer. */
static __attribute__((noinline)) void
append_escaped(struct tl_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;
	unsigned char c;

	tl_buf_reserve(b, n + 2);
	tl_buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		while (n - i >= 8 && !word_escapes(word_at(
		    (const unsigned char *)s + i)))
			i += 8;		/* nothing to escape in these */
		if (i == n)
			break;
		c = (unsigned char)s[i];
		if (plain[c] || c >= 0x80)
			continue;
		tl_buf_add(b, s + run, i - run);
		run = i + 1;
		tl_buf_addc(b, '\\');
		switch (c) {
		case '"': tl_buf_addc(b, '"'); break;
		case '\\': tl_buf_addc(b, '\\'); break;
		case '\n': tl_buf_addc(b, 'n'); break;
		case '\r': tl_buf_addc(b, 'r'); break;
		case '\t': tl_buf_addc(b, 't'); break;
		case '\b': tl_buf_addc(b, 'b'); break;
		case '\f': tl_buf_addc(b, 'f'); break;
		default:
			tl_buf_adds(b, "u00");
			tl_buf_addc(b, hex[c >> 4]);
			tl_buf_addc(b, hex[c & 15]);
		}
	}
	tl_buf_add(b, s + run, n - run);
	tl_buf_addc(b, '"');
}

void
tl_jv_append_string(struct tl_buf *b, const char *s, size_t n)
{
	if (has_escapes((const unsigned char *)s, n)) {
		append_escaped(b, s, n);
		return;
	}
	tl_buf_reserve(b, n + 2);
	b->data[b->len] = '"';
	memcpy(b->data + b->len + 1, s, n);
	b->data[b->len + 1 + n] = '"';
	b->len += n + 2;
	b->data[b->len] = '\0';
}

/* A number as tl_json_append() writes what jansson would hold: integer
 * literals that fit int64 as integers, others through tl_fmt_double;
 * integer literals beyond int64 as written (jansson refuses them). */
static void
append_number(struct tl_buf *b, const struct tl_jv *v)
{
	char num[TL_NUM_BUFSZ], tmp[32], *end;
	long long ll;
	int n;

	if (v->lit) {	/* the parse found it written as we write it */
		tl_buf_add(b, v->s, v->len);
		return;
	}
	if (memchr(v->s, '.', v->len) == NULL &&
	    memchr(v->s, 'e', v->len) == NULL &&
	    memchr(v->s, 'E', v->len) == NULL) {
		/* the parser refused leading zeros: up to 18 digits the
		 * literal is already what %lld would print, but for -0 */
		if (v->len <= 18 && !(v->len == 2 && v->s[1] == '0')) {
			tl_buf_add(b, v->s, v->len);
			return;
		}
		if (v->len < sizeof(tmp)) {
			memcpy(tmp, v->s, v->len);
			tmp[v->len] = '\0';
			errno = 0;
			ll = strtoll(tmp, &end, 10);
			if (errno == 0 && *end == '\0') {
				tl_buf_printf(b, "%lld", ll);
				return;
			}
		}
		tl_buf_add(b, v->s, v->len);
		return;
	}
	if (tl_fmt_is_short(v->s, v->len, v->num)) {	/* most money */
		tl_buf_add(b, v->s, v->len);
		return;
	}
	n = tl_fmt_double(num, v->num);
	tl_buf_add(b, num, (size_t)n);
}

void
tl_jv_append(struct tl_buf *b, const struct tl_jdoc *d, const struct tl_jv *v)
{
	const struct tl_jv *c;
	int first = 1;

	if (v->lit && v->type != TL_JNUM) {	/* the parse's text is it */
		tl_buf_add(b, d->text + v->off, v->span);
		return;
	}
	switch (v->type) {
	case TL_JOBJ:
	case TL_JARR:
		tl_buf_addc(b, v->type == TL_JOBJ ? '{' : '[');
		for (c = tl_jv_child(d, v); c != NULL; c = tl_jv_next(d, v, c)) {
			if (!first)
				tl_buf_addc(b, ',');
			first = 0;
			if (v->type == TL_JOBJ) {
				tl_jv_append_string(b, c->key, c->keylen);
				tl_buf_addc(b, ':');
			}
			tl_jv_append(b, d, c);
		}
		tl_buf_addc(b, v->type == TL_JOBJ ? '}' : ']');
		break;
	case TL_JSTR:
		tl_jv_append_string(b, v->s, v->len);
		break;
	case TL_JNUM:
		append_number(b, v);
		break;
	case TL_JTRUE:
		tl_buf_adds(b, "true");
		break;
	case TL_JFALSE:
		tl_buf_adds(b, "false");
		break;
	case TL_JNULL:
		tl_buf_adds(b, "null");
		break;
	}
}

void
tl_jv_append_text(struct tl_buf *b, const struct tl_jdoc *d,
    const struct tl_jv *v)
{
	tl_buf_add(b, d->text + v->off, v->span);
}

void
tl_jv_append_key(struct tl_buf *b, const char *key, size_t n)
{
	if (b->len > 0 && b->data[b->len - 1] != '{')
		tl_buf_addc(b, ',');
	tl_jv_append_string(b, key, n);
	tl_buf_addc(b, ':');
}

void
tl_jv_append_member(struct tl_buf *b, const char *key, const char *s,
    size_t n)
{
	tl_jv_append_key(b, key, strlen(key));
	tl_jv_append_string(b, s, n);
}
