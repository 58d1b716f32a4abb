/*
 * Shortest round-trip formatting of doubles.  We never call setlocale(),
 * so printf's decimal point is always '.'; the test suite runs the tools
 * under LC_ALL=de_DE.UTF-8 to keep it that way.
 *
 * Fast path: most numbers in logs are short decimals (187.2, 0.6813).  If
 * m / 10^k == x for an integer m < 10^15, the decimal m*10^-k reads back
 * as x (both that division and strtod round the same exact value
 * correctly), and the smallest such k gives the same text as %.15g.
 * Everything else goes through %.15g..%.17g with a strtod check.
 */
#include <langinfo.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_num.h"
#include "tl_pow5.h"

#define FAST_MAX	1e15	/* m below this has at most 15 digits */
#define FAST_MIN	1e-4	/* below this %g switches to exponents */
#define FAST_KMAX	15	/* decimals tried by the fast path */

static const double p10[FAST_KMAX + 1] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5,
	1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };

/* Write sign, the digits of m and a point k digits from the right. */
static int
fixed(char *buf, int neg, unsigned long long m, int k)
{
	char d[24];
	int n = 0, len = 0, i;

	do {
		d[n++] = (char)('0' + m % 10);
		m /= 10;
	} while (m > 0);
	if (neg)
		buf[len++] = '-';
	if (n <= k) {
		buf[len++] = '0';
		buf[len++] = '.';
		for (i = 0; i < k - n; i++)
			buf[len++] = '0';
		k = n;
	}
	for (i = n - 1; i >= 0; i--) {
		buf[len++] = d[i];
		if (i == k && k > 0)
			buf[len++] = '.';
	}
	buf[len] = '\0';
	return len;
}

/* printf and strtod follow LC_NUMERIC if the program ever set it: the
 * caller's strtod check ran in that locale; write its point as '.'. */
static int
c_point(char *buf, int n)
{
	const char *dp = nl_langinfo(RADIXCHAR);
	size_t k = strlen(dp);
	char *p;

	if (k == 0 || (k == 1 && dp[0] == '.') || (p = strstr(buf, dp)) == NULL)
		return n;
	*p = '.';
	memmove(p + 1, p + k, strlen(p + k) + 1);
	return n - (int)(k - 1);
}

/* gcc and clang on 64-bit targets: a 64 x 64 -> 128-bit product */
__extension__ typedef unsigned __int128 u128;

int
tl_dec_to_double(uint64_t w, int q, int neg, double *out)
{
	const struct pow5 *t;
	u128 a, b;
	uint64_t hi, mid, m, half, rest, bits;
	int lz, s, e;

	if (w == 0) {
		*out = neg ? -0.0 : 0.0;
		return 0;
	}
	if (q < TL_POW5_MIN || q > TL_POW5_MAX)
		return -1;
	lz = __builtin_clzll(w);
	w <<= lz;
	t = &tl_pow5[q - TL_POW5_MIN];
	/* F = w * T, 192 bits, as hi:mid and a low word dropped; the value
	 * w * 10^q is F * 2^(p + q - lz), and F is within w < 2^64 of the
	 * exact product, so hi:mid is within 2 of its exact top 128 bits */
	a = (u128)w * t->hi;
	b = (u128)w * t->lo;
	a += (uint64_t)(b >> 64);
	hi = (uint64_t)(a >> 64);
	mid = (uint64_t)a;
	s = hi >> 63 ? 11 : 10;		/* bits of hi below the 53 kept */
	half = UINT64_C(1) << (s - 1);
	rest = hi & ((UINT64_C(1) << s) - 1);
	/* the rest too close to half a unit to tell up from down: strtod */
	if ((rest == half && mid <= 1) || (rest == half - 1 &&
	    mid >= UINT64_MAX - 1))
		return -1;
	m = (hi >> s) + (rest >= half);
	e = 128 + s + t->p + q - lz;
	if (m == UINT64_C(1) << 53) {
		m >>= 1;
		e++;
	}
	e += 52 + 1023;			/* the biased exponent */
	if (e < 1 || e > 2046)		/* subnormal or overflow: strtod */
		return -1;
	bits = (uint64_t)e << 52 | (m & ((UINT64_C(1) << 52) - 1)) |
	    (uint64_t)neg << 63;
	memcpy(out, &bits, sizeof(*out));
	return 0;
}

int
tl_fmt_double(char *buf, double x)
{
	double a, m;
	int prec, n = 0, k;

	if (!isfinite(x)) {
		snprintf(buf, TL_NUM_BUFSZ, "null");
		return -1;
	}
	if (x == 0) {
		/* "-0" would read back as the integer 0: keep the sign */
		strcpy(buf, signbit(x) ? "-0.0" : "0");
		return signbit(x) ? 4 : 1;
	}
	a = fabs(x);
	if (a >= FAST_MIN && a < FAST_MAX) {
		for (k = 0; k <= FAST_KMAX && a * p10[k] < FAST_MAX; k++) {
			m = nearbyint(a * p10[k]);
			if (m / p10[k] == a)
				return fixed(buf, x < 0, (unsigned long long)m,
				    k);
		}
	}
	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(buf, TL_NUM_BUFSZ, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	return c_point(buf, n);
}
