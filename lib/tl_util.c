/*
 * Memory that never returns NULL, growable buffers, strict number parsing
 * for options and cells, and a stable hash.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tl_num.h"
#include "tl_util.h"

int
tl_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	if (isnan(x) || isnan(y))
		return isnan(x) - isnan(y);
	return (x > y) - (x < y);
}

long
tl_table_find(const void *tab, size_t n, size_t size, const char *s)
{
	const char *name;
	size_t i;

	for (i = 0; i < n; i++) {
		memcpy(&name, (const char *)tab + i * size, sizeof(name));
		if (name != NULL && strcmp(name, s) == 0)
			return (long)i;
	}
	return -1;
}

void *
tl_xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		tl_oom();
	return p;
}

void *
tl_xcalloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		tl_oom();
	return p;
}

void *
tl_xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n == 0 ? 1 : n)) == NULL)
		tl_oom();
	return p;
}

void *
tl_xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		tl_oom();
	return tl_xrealloc(p, n * size);
}

char *
tl_xstrdup(const char *s)
{
	return tl_xstrndup(s, strlen(s));
}

char *
tl_xstrndup(const char *s, size_t n)
{
	char *p;

	p = tl_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
tl_free_strings(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
tl_buf_init(struct tl_buf *b)
{
	b->cap = 64;
	b->len = 0;
	b->data = tl_xmalloc(b->cap);
	b->data[0] = '\0';
}

void
tl_buf_release(struct tl_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
tl_buf_reset(struct tl_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
tl_buf_grow(struct tl_buf *b, size_t extra)
{
	size_t need;

	if (b->data == NULL)
		tl_buf_init(b);
	if (extra > SIZE_MAX - b->len - 1)
		tl_oom();
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	while (b->cap < need)
		b->cap = b->cap > SIZE_MAX / 2 ? need : b->cap * 2;
	b->data = tl_xrealloc(b->data, b->cap);
}

void
tl_buf_adds(struct tl_buf *b, const char *s)
{
	tl_buf_add(b, s, strlen(s));
}

void
tl_buf_printf(struct tl_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	tl_buf_reserve(b, 64);
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		tl_buf_reserve(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

int
tl_parse_long(const char *opt, const char *s, long lo, long hi, long *out,
    struct tl_err *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	/* strtol skips any isspace(), not only " \t" */
	if (*s == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi ||
	    isspace((unsigned char)s[0]))
		return tl_err_set(err, TL_EX_USAGE, opt, 0,
		    "'%s' is not an integer in [%ld, %ld]", s, lo, hi);
	*out = v;
	return 0;
}

int
tl_parse_double(const char *opt, const char *s, double lo, double hi,
    double *out, struct tl_err *err)
{
	double v;

	if (tl_strtod_exact(s, strlen(s), &v) == -1 || v < lo || v > hi)
		return tl_err_set(err, TL_EX_USAGE, opt, 0,
		    "'%s' is not a number in [%g, %g]", s, lo, hi);
	*out = v;
	return 0;
}

/* Check the JSON number grammar (with an optional '+'), so that "0x1p3",
 * "inf", "nan", " 1", "1." and "007" are refused, gathering the digits:
 * up to 19 significant ones convert without strtod (tl_dec_to_double). */
int
tl_strtod_exact(const char *s, size_t n, double *out)
{
	char tmp[64], *t = tmp, *end;
	size_t i = 0, j;
	uint64_t m = 0;
	int neg = 0, sig = 0, lost = 0, frac = 0, exp = 0, eneg = 0, ok;
	double v;

	if (n == 0)
		return -1;
	if (s[i] == '-' || s[i] == '+')
		neg = s[i++] == '-';
	if (i == n || !(s[i] >= '0' && s[i] <= '9'))
		return -1;
	/* JSON has no leading zeros: "007" is an id, not 7 */
	if (s[i] == '0' && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9')
		return -1;
	i = tl_dec_digits(s, i, n, &m, &sig, &lost);
	if (i < n && s[i] == '.') {
		if (++i == n || !(s[i] >= '0' && s[i] <= '9'))
			return -1;
		j = tl_dec_digits(s, i, n, &m, &sig, &lost);
		frac = (int)(j - i);
		i = j;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			eneg = s[i++] == '-';
		if (i == n || !(s[i] >= '0' && s[i] <= '9'))
			return -1;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			if (exp < 100000)
				exp = exp * 10 + (s[i] - '0');
	}
	if (i != n)
		return -1;
	if (!lost && tl_dec_to_double(m, (eneg ? -exp : exp) - frac, neg,
	    out) == 0)
		return 0;
	/* long digit strings are numbers too */
	if (n >= sizeof(tmp))
		t = tl_xmalloc(n + 1);
	memcpy(t, s, n);
	t[n] = '\0';
	errno = 0;
	v = strtod(t, &end);
	ok = *end == '\0' && isfinite(v);
	if (t != tmp)
		free(t);
	if (!ok)
		return -1;
	*out = v;
	return 0;
}

/* 8 bytes at a time, each word mixed by a multiply and a rotation (in the
 * spirit of wyhash/xxhash), then splitmix64's finaliser; little-endian
 * loads, so the value is the same on every machine we build for. */
static uint64_t
load64(const unsigned char *s, size_t n)
{
	uint64_t w = 0;
	size_t i;

	for (i = 0; i < n; i++)
		w |= (uint64_t)s[i] << (8 * i);
	return w;
}

uint64_t
tl_hash64(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL);
	uint64_t w;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w = __builtin_bswap64(w);
#endif
		h ^= w * 0x87c37b91114253d5ULL;
		h = (h << 31 | h >> 33) * 0x4cf5ad432745937fULL;
	}
	if (i < n) {
		h ^= load64(s + i, n - i) * 0x87c37b91114253d5ULL;
		h = (h << 31 | h >> 33) * 0x4cf5ad432745937fULL;
	}
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

static inline uint64_t
lane(uint64_t acc, const unsigned char *s)
{
	uint64_t w;

	memcpy(&w, s, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	acc += w * 0xc2b2ae3d27d4eb4fULL;
	return (acc << 31 | acc >> 33) * 0x9e3779b185ebca87ULL;
}

/* Four independent lanes of 8 bytes (as in xxHash64's rounds): a record's
 * text hashes in about a quarter of tl_hash64's time, whose one lane
 * waits on each multiply; the lanes, then the tail by tl_hash64. */
uint64_t
tl_hash64_text(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t a = 0x60ea27eeadc0b5d6ULL, b = 0xc2b2ae3d27d4eb4fULL;
	uint64_t c = 0, d = 0x61c8864e7a143579ULL, h;
	size_t i;

	if (n < 32)
		return tl_hash64(p, n);
	for (i = 0; i + 32 <= n; i += 32) {
		a = lane(a, s + i);
		b = lane(b, s + i + 8);
		c = lane(c, s + i + 16);
		d = lane(d, s + i + 24);
	}
	h = (a << 1 | a >> 63) + (b << 7 | b >> 57) + (c << 12 | c >> 52) +
	    (d << 18 | d >> 46);
	return tl_hash64(s + i, n - i) ^ (h + n) * 0x87c37b91114253d5ULL;
}
