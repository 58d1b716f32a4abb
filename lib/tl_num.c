/*
 * Shortest round-trip formatting of doubles.  We never call setlocale(),
 * so printf's decimal point is always '.'; the test suite runs the tools
 * under LC_ALL=de_DE.UTF-8 to keep it that way.
 *
 * Fast path: most numbers in logs are short decimals (187.2, 0.6813).  If
 * m / 10^k == x for an integer m < 10^15, the decimal m*10^-k reads back
 * as x (both that division and strtod round the same exact value
 * correctly), and the smallest such k gives the same text as %.15g.
 * Everything else: one %.16e for 17 exact digits, rounded to 15 and 16
 * here, the first that reads back (tl_dec_to_double) written as %g
 * would; where the rounding is a tie the digits cannot settle, or the
 * number is subnormal, %.15g..%.17g with a strtod check.
 */
#include <float.h>
#include <langinfo.h>
#include <limits.h>
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

int
tl_fmt_decimal(char *buf, int neg, unsigned long long m, int k)
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

size_t
tl_dec_digits(const char *s, size_t i, size_t n, uint64_t *m, int *sig,
    int *lost)
{
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		if (*sig < 19) {
			*m = *m * 10 + (uint64_t)(s[i] - '0');
			*sig += *m != 0;
		} else
			*lost = 1;
	return i;
}

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

/* d[0..p-1] rounded from 17 digits to p (15 or 16), into w; the
 * exponent grows by one when the rounding carries (999.. to 100..).
 * Returns -1 when the dropped digits are exactly half a unit ("5",
 * "50"): the exact value may lie either side, only printf can tell. */
static int
round_digits(const char *d, int p, uint64_t *w, int *carry)
{
	int i, up;

	if (d[p] == '5' && (p == 16 || d[p + 1] == '0'))
		return -1;
	up = d[p] > '5' || (d[p] == '5' && d[p + 1] > '0');
	*w = 0;
	for (i = 0; i < p; i++)
		*w = *w * 10 + (uint64_t)(d[i] - '0');
	*w += (uint64_t)up;
	*carry = *w == (p == 15 ? UINT64_C(1000000000000000) :
	    UINT64_C(10000000000000000));
	if (*carry)
		*w /= 10;
	return 0;
}

/* What %.<p>g prints for the decimal w * 10^(x - p + 1), w of p digits:
 * fixed when -4 <= x < p, else d.ddde+XX; trailing zeros (and a bare
 * point) dropped. */
static int
g_style(char *buf, int neg, uint64_t w, int p, int x)
{
	char d[20];
	int n = 0, i, q = p, ax;

	for (i = p - 1; i >= 0; i--, w /= 10)
		d[i] = (char)('0' + w % 10);
	while (q > 1 && d[q - 1] == '0')
		q--;
	if (neg)
		buf[n++] = '-';
	if (x >= -4 && x < p) {
		if (x < 0) {
			buf[n++] = '0';
			buf[n++] = '.';
			for (i = 0; i < -x - 1; i++)
				buf[n++] = '0';
			for (i = 0; i < q; i++)
				buf[n++] = d[i];
		} else {
			for (i = 0; i <= x; i++)
				buf[n++] = d[i];
			if (q > x + 1)
				buf[n++] = '.';
			for (; i < q; i++)
				buf[n++] = d[i];
		}
	} else {
		buf[n++] = d[0];
		if (q > 1)
			buf[n++] = '.';
		for (i = 1; i < q; i++)
			buf[n++] = d[i];
		buf[n++] = 'e';
		buf[n++] = x < 0 ? '-' : '+';
		ax = x < 0 ? -x : x;
		if (ax >= 100)
			buf[n++] = (char)('0' + ax / 100);
		buf[n++] = (char)('0' + ax / 10 % 10);
		buf[n++] = (char)('0' + ax % 10);
	}
	buf[n] = '\0';
	return n;
}

#define E16	UINT64_C(10000000000000000)	/* 10^16 */

/* The 17 significant digits of a > 0, correctly rounded (what %.16e
 * prints), as D, 10^16 <= D < 10^17, and a's decimal exponent ex:
 * a ~ D * 10^(ex - 16).  With a = m 2^q and 5^s = (T + eps) 2^p from
 * the table (0 <= eps < 1), a 10^s = m (T + eps) 2^(p + q + s): the
 * 192-bit m T is below the exact value by less than m < 2^53, so D is
 * its integer part rounded by its fraction, unless that fraction is
 * within 2^53 of a half (a tie, or too close to tell).  Returns -1 for
 * those and for subnormals: printf decides. */
static int
digits17(double a, uint64_t *D, int *ex)
{
	const struct pow5 *t;
	uint64_t bits, m, hi, lo;
	u128 x, y, top, frac, half, mask;
	int q, e, sh, tries;

	memcpy(&bits, &a, sizeof(bits));
	if ((bits >> 52) == 0)		/* subnormal */
		return -1;
	m = (bits & ((UINT64_C(1) << 52) - 1)) | UINT64_C(1) << 52;
	q = (int)(bits >> 52) - 1075;
	/* floor(log10 a) within one: log10(2) ~ 78913 / 2^18 */
	e = (int)(((int64_t)(q + 52) * 78913) >> 18);
	for (tries = 0; tries < 3; tries++) {
		if (16 - e < TL_POW5_MIN || 16 - e > TL_POW5_MAX)
			return -1;
		t = &tl_pow5[16 - e - TL_POW5_MIN];
		x = (u128)m * t->hi;
		y = (u128)m * t->lo;
		lo = (uint64_t)y;
		x += (uint64_t)(y >> 64);	/* m T = x 2^64 + lo */
		sh = -(t->p + q + 16 - e);	/* a 10^s = m T / 2^sh */
		if (sh <= 64 || sh > 128)
			return -1;
		top = x >> (sh - 64);
		if (top >= 10 * E16) {		/* e was one low */
			e++;
			continue;
		}
		if (top < E16) {		/* one high */
			e--;
			continue;
		}
		mask = ((u128)1 << (sh - 64)) - 1;
		hi = (uint64_t)(x & mask);	/* the fraction's top bits */
		frac = (u128)hi << 64 | lo;
		half = (u128)1 << (sh - 1);
		if ((frac >= half ? frac - half : half - frac) <
		    (u128)1 << 53)
			return -1;
		*D = (uint64_t)top + (frac > half);
		*ex = e;
		if (*D == 10 * E16) {		/* 99..9.5 and up */
			*D = E16;
			(*ex)++;
		}
		return 0;
	}
	return -1;
}

/* The generic path: 17 significant digits (digits17, or %.16e, which
 * glibc rounds exactly), their roundings to 15 and 16 digits, and the
 * first of the three that reads back, checked by tl_dec_to_double: the
 * text %.15g, %.16g or %.17g would give.  Returns 0 when it cannot
 * tell (a tie in the dropped digits, a subnormal). */
static int
from_17_digits(char *buf, double x)
{
	char s[40], d[18];
	const char *e;
	uint64_t w;
	double y;
	int nd = 0, ex, p, carry;

	if (digits17(fabs(x), &w, &ex) == 0) {
		for (p = 16; p >= 0; p--, w /= 10)
			d[p] = (char)('0' + w % 10);
	} else {
		snprintf(s, sizeof(s), "%.16e", fabs(x));
		for (e = s; *e != 'e' && *e != '\0'; e++)
			if (*e >= '0' && *e <= '9' && nd < 17)
				d[nd++] = *e;
		if (nd != 17 || *e != 'e')
			return 0;
		ex = atoi(e + 1);
	}
	d[17] = '\0';
	for (p = 15; p <= 17; p++) {
		carry = 0;
		if (p == 17) {
			w = strtoull(d, NULL, 10);
		} else if (round_digits(d, p, &w, &carry) == -1)
			return 0;
		if (tl_dec_to_double(w, ex + carry - p + 1, 0, &y) == -1)
			return 0;
		if (y == fabs(x))
			return g_style(buf, x < 0, w, p, ex + carry);
	}
	return 0;
}

/* The fast path: a = m / 10^k with m < 10^15 and the fewest decimals k,
 * for a in [FAST_MIN, FAST_MAX).  Returns 0, or -1 when a is not such a
 * short decimal. */
static int
short_decimal(double a, unsigned long long *mi, int *kp)
{
	double m;
	int k;

	if (!(a >= FAST_MIN && a < FAST_MAX))
		return -1;
	/* one test, at the most decimals k that keep m < 10^15: a shorter
	 * decimal m'/10^k' == a scales to m' * 10^(k - k'), which a * 10^k
	 * rounds to (its error is < 0.25); so m without its trailing zeros
	 * is the shortest */
	for (k = 0; k < FAST_KMAX && a * p10[k + 1] < FAST_MAX; k++)
		;
	/* a * 10^k + 0.5 < 2^50 is exact, and the cast floors it: the
	 * nearest integer, ties up (a tie is no short decimal either way),
	 * without nearbyint's rounding-mode work */
	*mi = (unsigned long long)(a * p10[k] + 0.5);
	m = (double)*mi;
	if (m / p10[k] != a)
		return -1;
	for (; k > 0 && *mi % 10 == 0; k--)
		*mi /= 10;
	*kp = k;
	return 0;
}

/*
 * Such a text T of f decimals and at most 15 significant digits is what
 * short_decimal() makes of x = T (rounded): T * 10^f < 10^15, so its k
 * is at least f; x * 10^k rounds to the integer T * 10^k; that integer
 * divided by 10^k (both exact doubles) rounds to the double nearest T,
 * x; stripping its trailing zeros stops at f decimals, as T's last digit
 * is not 0; and tl_fmt_decimal() writes those digits back as T.
 */
int
tl_fmt_is_short(const char *s, size_t n, double x)
{
	size_t i = 0, point = n, sig = 0;
	int lead = 1;

	if (!(fabs(x) >= FAST_MIN && fabs(x) < FAST_MAX))
		return 0;
	if (i < n && s[i] == '-')
		i++;
	for (; i < n; i++) {
		if (s[i] == '.' && point == n) {
			point = i;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return 0;	/* an exponent, or not a number */
		if (s[i] != '0')
			lead = 0;
		sig += !lead;
	}
	return point < n - 1 && s[n - 1] != '0' && sig <= 15;
}

int
tl_fmt_is_short_form(double x, int sig)
{
	return fabs(x) >= FAST_MIN && fabs(x) < FAST_MAX && sig <= 15;
}

int
tl_fmt_double(char *buf, double x)
{
	unsigned long long mi;
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
	if (short_decimal(fabs(x), &mi, &k) == 0)
		return tl_fmt_decimal(buf, x < 0, mi, k);
	if ((n = from_17_digits(buf, x)) > 0)
		return n;
	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(buf, TL_NUM_BUFSZ, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	return c_point(buf, n);
}

/* ---- exact decimal arithmetic ---------------------------------------- */

#define EXACT_MAXPLACES	22	/* 10^22 is the largest exact power of ten */
#define EXACT_ULP	DBL_EPSILON /* 2^-52: bounds one rounding, |fl(r) -
				 * r| <= 2^-53 |fl(r)|, with a factor 2 spare */
#define EXACT_MAXSCALED	4503599627370496.0 /* 2^52: v * 10^places is
				 * below it, so its own rounding is < 1/2 */
#define EXACT_SLACK	0.25	/* drift allowed, in units of the last place:
				 * half of the 1/2 nearbyint could absorb */

static const double exact_p10[EXACT_MAXPLACES + 1] = { 1e0, 1e1, 1e2, 1e3,
	1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
	1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };

struct tl_exact
tl_exact_of(double x)
{
	struct tl_exact a = { x, 0, 0 };
	char buf[TL_NUM_BUFSZ], *p, *e;
	unsigned long long mi;
	long places = 0;
	int k;

	if (!isfinite(x)) {
		a.places = -1;
		return a;
	}
	if (x == 0)
		return a;
	/* x reads back from its shortest text: the double nearest it */
	a.err = fabs(x) * EXACT_ULP;
	if (short_decimal(fabs(x), &mi, &k) == 0) {	/* most money */
		a.places = k;
		return a;
	}
	tl_fmt_double(buf, x);
	e = strchr(buf, 'e');
	if ((p = strchr(buf, '.')) != NULL)
		places = (e != NULL ? e : buf + strlen(buf)) - p - 1;
	if (e != NULL)
		places -= strtol(e + 1, NULL, 10);
	a.places = places < 0 ? 0 : places > INT_MAX ? INT_MAX : (int)places;
	return a;
}

static int
exact_places(int p, int q)
{
	if (p < 0 || q < 0)
		return -1;
	return p > INT_MAX - q ? INT_MAX : p + q;
}

struct tl_exact
tl_exact_add(struct tl_exact a, struct tl_exact b)
{
	struct tl_exact r;

	r.v = a.v + b.v;
	r.err = a.err + b.err + fabs(r.v) * EXACT_ULP;
	r.places = a.places < 0 || b.places < 0 ? -1 :
	    a.places > b.places ? a.places : b.places;
	return r;
}

struct tl_exact
tl_exact_sub(struct tl_exact a, struct tl_exact b)
{
	b.v = -b.v;
	return tl_exact_add(a, b);
}

struct tl_exact
tl_exact_mul(struct tl_exact a, struct tl_exact b)
{
	struct tl_exact r;

	r.v = a.v * b.v;
	/* |a.v b.v - A B| <= |a.v| eb + |b.v| ea + ea eb, then the rounding */
	r.err = fabs(a.v) * b.err + fabs(b.v) * a.err + a.err * b.err +
	    fabs(r.v) * EXACT_ULP;
	r.places = exact_places(a.places, b.places);
	return r;
}

struct tl_exact
tl_exact_div(struct tl_exact a, struct tl_exact b)
{
	struct tl_exact r;
	double m, d = fabs(b.v) - b.err;
	int x = 0, y = 0;


	r.v = a.v / b.v;
	r.places = -1;
	r.err = 0;
	if (!isfinite(r.v) || !(d > 0) || a.places < 0 || b.places < 0 ||
	    b.places > EXACT_MAXPLACES ||
	    (m = fabs(b.v) * exact_p10[b.places]) >= EXACT_MAXSCALED)
		return r;
	/* |A/B - a/b| <= (ea + |a/b| eb) / (|b| - eb), then the rounding */
	r.err = (a.err + fabs(r.v) * b.err) / d + fabs(r.v) * EXACT_ULP;
	for (m = nearbyint(m); m > 1 && fmod(m, 2) == 0; m /= 2)
		x++;
	for (; m > 1 && fmod(m, 5) == 0; m /= 5)
		y++;
	if (m == 1) {
		r.places = exact_places(a.places, x > y ? x : y) - b.places;
		if (r.places < 0)	/* a multiple of 10: an integer */
			r.places = 0;
	}
	return r;
}

double
tl_exact_value(struct tl_exact a)
{
	double s, m;

	if (!isfinite(a.v) || a.places < 0 || a.places > EXACT_MAXPLACES)
		return a.v;
	s = exact_p10[a.places];
	/* v * s is within |v| s 2^-53 of its double; with the drift, the
	 * exact decimal times s, an integer, is within 1/2 of it: nearbyint
	 * finds it, and m / s is the correctly rounded exact decimal */
	if (fabs(a.v) * s >= EXACT_MAXSCALED ||
	    (a.err + fabs(a.v) * EXACT_ULP) * s >= EXACT_SLACK)
		return a.v;
	m = nearbyint(a.v * s);
	return m == 0 ? 0.0 : m / s;
}
