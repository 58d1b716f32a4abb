/* Unit tests for lib/tl_num: the one number formatter. */
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_num.h"
#include "unit.h"

#define NRANDOM	100000	/* random doubles per round-trip test */

/* The contract, spelled out: the first of %.15g, %.16g, %.17g that reads
 * back exactly (C locale). */
static int
reference(char *buf, double x)
{
	int prec, n = 0;

	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(buf, TL_NUM_BUFSZ, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	return n;
}

static void
check(double x, const char *want)
{
	char buf[TL_NUM_BUFSZ];
	int n;

	n = tl_fmt_double(buf, x);
	cr_assert_str_eq(buf, want, "%.17g printed as '%s', want '%s'", x,
	    buf, want);
	cr_assert_eq(n, (int)strlen(want));
}

/* x formats like the reference and reads back to the same bits. */
static void
check_roundtrip(double x)
{
	char buf[TL_NUM_BUFSZ], ref[TL_NUM_BUFSZ];
	double y;
	int n;

	n = tl_fmt_double(buf, x);
	reference(ref, x);
	if (x == 0 && signbit(x))	/* the one planned difference */
		strcpy(ref, "-0.0");
	cr_assert_str_eq(buf, ref, "%a: '%s' but %%.Ng gives '%s'", x, buf,
	    ref);
	cr_assert_eq(n, (int)strlen(buf));
	y = strtod(buf, NULL);
	cr_assert_eq(memcmp(&x, &y, sizeof(x)), 0, "%a -> '%s' -> %a", x, buf,
	    y);
}

static double
from_bits(uint64_t u)
{
	double x;

	memcpy(&x, &u, sizeof(x));
	return x;
}

Test(tl_fmt_double, short_decimals)
{
	check(0.1, "0.1");
	check(2.385, "2.385");
	check(-1.27, "-1.27");
	check(187.2, "187.2");
	check(0.6813, "0.6813");
	check(0.30000000000000004, "0.30000000000000004");
	check(0.1 + 0.2, "0.30000000000000004");
	check(0.0001, "0.0001");
	check(0.00012, "0.00012");
	check(0.00001, "1e-05");
	check(-0.000123, "-0.000123");
}

Test(tl_fmt_double, integers)
{
	check(3, "3");
	check(-42, "-42");
	check(100, "100");
	check(1e14, "100000000000000");
	check(123456789012345.0, "123456789012345");
	check(1e15, "1e+15");
	check(1e16, "1e+16");
	check(-7e20, "-7e+20");
}

Test(tl_fmt_double, zeros)
{
	check(0.0, "0");
	check(-0.0, "-0.0");
}

Test(tl_fmt_double, two_to_the_53)
{
	double p = 9007199254740992.0;	/* 2^53 */

	check(p, "9007199254740992");
	check(p - 1, "9007199254740991");
	check(p + 2, "9007199254740994");
	check(-p, "-9007199254740992");
	check_roundtrip(p);
	check_roundtrip(p - 1);
	check_roundtrip(p + 2);
	check_roundtrip(nextafter(p, 0));
	check_roundtrip(nextafter(p, INFINITY));
}

Test(tl_fmt_double, extremes)
{
	char buf[TL_NUM_BUFSZ];

	check(1e300, "1e+300");
	check(-1e-300, "-1e-300");
	/* 5e-324 is the smallest denormal; %.15g already reads back. */
	check(5e-324, "4.94065645841247e-324");
	check(-5e-324, "-4.94065645841247e-324");
	check(1.7976931348623157e308, "1.7976931348623157e+308");
	check(2.2250738585072014e-308, "2.2250738585072014e-308");
	cr_assert_eq(strtod("4.94065645841247e-324", NULL), 5e-324);
	/* The longest outputs fit in the buffer. */
	cr_assert_lt(tl_fmt_double(buf, -2.2250738585072009e-308),
	    TL_NUM_BUFSZ);
	check_roundtrip(-2.2250738585072009e-308);
}

Test(tl_fmt_double, third_reads_back)
{
	char buf[TL_NUM_BUFSZ];
	double x = 1.0 / 3;

	cr_assert_eq(tl_fmt_double(buf, x), 18);
	cr_assert_str_eq(buf, "0.3333333333333333");
	cr_assert_eq(strtod(buf, NULL), x);
	x = -2.0 / 3;
	tl_fmt_double(buf, x);
	cr_assert_str_eq(buf, "-0.6666666666666666");
	cr_assert_eq(strtod(buf, NULL), x);
}

Test(tl_fmt_double, nan_and_inf_are_null)
{
	char buf[TL_NUM_BUFSZ];

	cr_assert_eq(tl_fmt_double(buf, NAN), -1);
	cr_assert_str_eq(buf, "null");
	cr_assert_eq(tl_fmt_double(buf, -NAN), -1);
	cr_assert_str_eq(buf, "null");
	cr_assert_eq(tl_fmt_double(buf, INFINITY), -1);
	cr_assert_str_eq(buf, "null");
	cr_assert_eq(tl_fmt_double(buf, -INFINITY), -1);
	cr_assert_str_eq(buf, "null");
}

Test(tl_fmt_double, random_bit_patterns_round_trip)
{
	unsigned long long s = 0x9e3779b97f4a7c15ULL;
	double x;
	int i, done = 0;

	for (i = 0; i < NRANDOM; i++) {
		x = from_bits(ut_xorshift(&s));
		if (!isfinite(x))
			continue;
		check_roundtrip(x);
		done++;
	}
	cr_assert_gt(done, NRANDOM * 99 / 100);
}

/* Where the fast path works: magnitudes 1e-4 .. 1e15, both short
 * decimals m / 10^k and full-precision doubles. */
Test(tl_fmt_double, random_in_fast_range_round_trip)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18 };
	unsigned long long s = 0x2385127ULL, r, m;
	double x;
	int i, k, digits;

	for (i = 0; i < NRANDOM; i++) {
		r = ut_xorshift(&s);
		digits = 1 + (int)(r % 17);		/* 1 .. 17 digits */
		k = (int)((r >> 8) % 19);		/* 0 .. 18 decimals */
		m = ut_xorshift(&s) % (unsigned long long)p10[digits];
		x = (double)m / p10[k];
		if (r >> 63)
			x = -x;
		check_roundtrip(x);
		/* and a full-precision neighbour */
		check_roundtrip(nextafter(x, r & 1 ? INFINITY : -INFINITY));
		/* and a uniform double in [1e-4, 1e15) by exponent */
		x = ldexp(1.0 + (double)(ut_xorshift(&s) >> 11) / 9007199254740992.0,
		    -14 + (int)(r >> 40) % 64);
		check_roundtrip(x);
	}
}

/* Ties for the 17-digit rounding: N + 1/4 and N + 3/4 with N of 16
 * digits are exact 18-digit decimals ending in 5 (printf rounds them
 * half to even), and their neighbours sit just beside the tie. */
Test(tl_fmt_double, ties_at_the_seventeenth_digit)
{
	unsigned long long s = 0x51afd7ed558ccdULL;
	double n, x;
	int i, k;

	for (i = 0; i < 2000; i++) {
		n = 1e15 + (double)(ut_xorshift(&s) % 1200000000000000ULL);
		for (k = 0; k < 2; k++) {
			x = n + (k ? 0.75 : 0.25);
			check_roundtrip(x);
			check_roundtrip(-x);
			check_roundtrip(nextafter(x, INFINITY));
			check_roundtrip(nextafter(x, -INFINITY));
		}
	}
}

Test(tl_fmt_double, same_text_in_a_german_locale)
{
	static const double xs[] = { 0.1, 2.385, -1.27, 1.0 / 3, 1e300,
	    5e-324, 1e-5, 123456789012345.6, 0.30000000000000004, -0.0,
	    9007199254740993.0 };
	char c[TL_NUM_BUFSZ], de[TL_NUM_BUFSZ];
	unsigned long long s = 77;
	size_t i;
	double x;
	int nc, nde;

	if (setlocale(LC_NUMERIC, "de_DE.UTF-8") == NULL)
		cr_skip_test("locale de_DE.UTF-8 not installed");
	for (i = 0; i < sizeof(xs) / sizeof(xs[0]) + 20000; i++) {
		if (i < sizeof(xs) / sizeof(xs[0]))
			x = xs[i];
		else if (!isfinite(x = from_bits(ut_xorshift(&s))))
			continue;
		setlocale(LC_NUMERIC, "de_DE.UTF-8");
		nde = tl_fmt_double(de, x);
		setlocale(LC_NUMERIC, "C");
		nc = tl_fmt_double(c, x);
		cr_assert_str_eq(de, c, "%a: '%s' under de_DE, '%s' in C", x,
		    de, c);
		cr_assert_eq(nde, nc);
	}
	setlocale(LC_NUMERIC, "C");
}

/* tl_dec_to_double: whenever it answers, strtod's bits; and it answers
 * for nearly every normal result. */
static int
dec_check(uint64_t w, int q, int neg)
{
	char s[64];
	double got = 0, want;
	int rc;

	snprintf(s, sizeof(s), "%s%llue%d", neg ? "-" : "",
	    (unsigned long long)w, q);
	want = strtod(s, NULL);
	rc = tl_dec_to_double(w, q, neg, &got);
	if (rc == 0)
		cr_assert_eq(memcmp(&got, &want, sizeof(got)), 0,
		    "%s: %a, strtod %a", s, got, want);
	return rc;
}

Test(tl_dec_to_double, random_decimals_match_strtod)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
	    1e19 };
	unsigned long long s = 0x5eed1234ULL, r;
	uint64_t w;
	int i, q, answered = 0, normal = 0;

	for (i = 0; i < 4 * NRANDOM; i++) {
		r = ut_xorshift(&s);
		w = ut_xorshift(&s);
		if (r % 20 < 19)	/* 1 .. 19 digits, else any 64-bit w */
			w %= (uint64_t)p10[1 + r % 19];
		q = -345 + (int)((r >> 8) % 656);
		/* results well inside the normal range must be answered */
		if (w != 0 && q + log10((double)w) > -300 &&
		    q + log10((double)w) < 300) {
			normal++;
			answered += dec_check(w, q, (int)(r >> 63)) == 0;
		} else
			dec_check(w, q, (int)(r >> 63));
	}
	cr_assert_gt(answered, normal - normal / 1000, "%d of %d", answered,
	    normal);
}

/* Exact halfway points and their neighbours, the edges of the range. */
Test(tl_dec_to_double, hard_cases)
{
	static const struct { uint64_t w; int q; } c[] = {
		{ 9007199254740993u, 0 },	/* 2^53 + 1: tie to even */
		{ 9007199254740995u, 0 },	/* tie, rounds up */
		{ 9007199254740994u, 0 },
		{ 18014398509481987u, 0 },
		{ 90071992547409925u, -1 },
		{ 90071992547409935u, -1 },
		{ 22250738585072011u, -324 },	/* near DBL_MIN */
		{ 22250738585072014u, -324 },
		{ 17976931348623157u, 292 },	/* DBL_MAX */
		{ 17976931348623158u, 292 },
		{ 17976931348623159u, 292 },	/* overflows */
		{ 49406564584124654u, -340 },	/* subnormal */
		{ 7038531u, -32 },
		{ 1u, 23 }, { 1u, 22 }, { 1u, -1 }, { 3u, -1 },
		{ 18446744073709551615u, 0 },
		{ 18446744073709551615u, -10 },
		{ 0u, 100 },
	};
	double v = 1;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		dec_check(c[i].w, c[i].q, 0);
		dec_check(c[i].w, c[i].q, 1);
	}
	/* ties cannot be told from the top bits: strtod decides */
	cr_assert_eq(tl_dec_to_double(9007199254740993u, 0, 0, &v), -1);
	/* subnormal, overflow, beyond the table: strtod */
	cr_assert_eq(tl_dec_to_double(49406564584124654u, -340, 0, &v), -1);
	cr_assert_eq(tl_dec_to_double(17976931348623159u, 292, 0, &v), -1);
	cr_assert_eq(tl_dec_to_double(1, 400, 0, &v), -1);
	cr_assert_eq(tl_dec_to_double(1, -400, 0, &v), -1);
	cr_assert_eq(tl_dec_to_double(0, 0, 1, &v), 0);
	cr_assert(v == 0 && signbit(v));
}

static void
decimal_is(int neg, unsigned long long m, int k, const char *want)
{
	char buf[TL_NUM_BUFSZ];
	int n;

	n = tl_fmt_decimal(buf, neg, m, k);
	cr_assert_str_eq(buf, want, "%s%llu e-%d: '%s', want '%s'",
	    neg ? "-" : "", m, k, buf, want);
	cr_assert_eq(n, (int)strlen(want));
}

/* tl_fmt_is_short says yes only for the text tl_fmt_double writes: random
 * decimal texts of 1 to 18 digits with 0 to 18 decimals (trailing zeros,
 * leading zeros, exponents, values out of range among them), judged
 * against tl_fmt_double of strtod's value; and it says yes for most
 * money. */
Test(tl_fmt_double, is_short_only_when_the_same_text)
{
	unsigned long long s = 0x5eed1e55ULL, r, m;
	char text[64], buf[TL_NUM_BUFSZ], digs[32];
	int i, j, k, n, nd, yes = 0;
	double x;

	cr_assert(tl_fmt_is_short("-139.32", 7, -139.32));
	cr_assert(tl_fmt_is_short("0.0001", 6, 1e-4));
	cr_assert(tl_fmt_is_short("123456789.123456", 16, 123456789.123456));
	cr_assert_not(tl_fmt_is_short("1234567890.123456", 17,
	    1234567890.123456));			/* 16 digits */
	cr_assert_not(tl_fmt_is_short("1.50", 4, 1.5));	/* trailing 0 */
	cr_assert_not(tl_fmt_is_short("15", 2, 15));	/* an integer */
	cr_assert_not(tl_fmt_is_short("1.5e2", 5, 150));
	cr_assert_not(tl_fmt_is_short("0.00005", 7, 5e-5));	/* %g: 5e-05 */
	cr_assert_not(tl_fmt_is_short("-0.0", 4, -0.0));
	for (i = 0; i < NRANDOM; i++) {
		r = ut_xorshift(&s);
		nd = 1 + (int)(r % 18);		/* digits */
		k = (int)((r >> 8) % 19);	/* of them, or more, decimals */
		m = ut_xorshift(&s) % 1000000000000000000ULL;
		snprintf(digs, sizeof(digs), "%018llu", m);
		n = 0;
		if (r >> 63)
			text[n++] = '-';
		if (k >= nd) {			/* "0." and zeros first */
			text[n++] = '0';
			text[n++] = '.';
			for (j = 0; j < k - nd; j++)
				text[n++] = '0';
		} else if (digs[18 - nd] == '0' && nd - k > 1)
			digs[18 - nd] = '1';	/* no leading zero */
		for (j = 0; j < nd; j++) {
			if (k < nd && j == nd - k && k > 0)
				text[n++] = '.';
			text[n++] = digs[18 - nd + j];
		}
		if ((r >> 40) % 5 == 0)
			n += snprintf(text + n, sizeof(text) - (size_t)n, "e%d",
			    (int)((r >> 44) % 9) - 4);
		text[n] = '\0';
		x = strtod(text, NULL);
		tl_fmt_double(buf, x);
		if (tl_fmt_is_short(text, (size_t)n, x)) {
			yes++;
			cr_assert_str_eq(text, buf, "is_short said yes to '%s', "
			    "tl_fmt_double writes '%s'", text, buf);
		}
	}
	cr_assert_gt(yes, NRANDOM / 10, "only %d of %d", yes, NRANDOM);
}

Test(tl_fmt_decimal, point_and_leading_zeros)
{
	decimal_is(0, 5, 2, "0.05");
	decimal_is(1, 2385, 3, "-2.385");
	decimal_is(0, 127, 3, "0.127");
	decimal_is(0, 120, 0, "120");
	decimal_is(0, 0, 0, "0");
	decimal_is(0, 0, 2, "0.00");
	decimal_is(1, 0, 1, "-0.0");		/* the caller decides the sign */
	decimal_is(0, 18446744073709551615ULL, 20,
	    "0.18446744073709551615");
	decimal_is(1, 18446744073709551615ULL, 0, "-18446744073709551615");
}

/* ---- tl_exact ------------------------------------------------------------ */

static double
exact_sub(double a, double b)
{
	return tl_exact_value(tl_exact_sub(tl_exact_of(a), tl_exact_of(b)));
}

/* The examples people saw: a P&L less its fees, and 0.1 + 0.2. */
Test(tl_exact, hand_results)
{
	cr_assert_eq(-139.32 - 1.29, -140.60999999999999);	/* the noise */
	cr_assert_eq(exact_sub(-139.32, 1.29), strtod("-140.61", NULL));
	cr_assert_eq(tl_exact_value(tl_exact_add(tl_exact_of(0.1),
	    tl_exact_of(0.2))), 0.3);
	/* 0.001 * 10996 = 10.996, as a fee over a stake */
	cr_assert_eq(tl_exact_value(tl_exact_mul(tl_exact_of(0.001),
	    tl_exact_of(10996))), strtod("10.996", NULL));
	/* short inputs pass unchanged */
	cr_assert_eq(tl_exact_value(tl_exact_of(2.385)), 2.385);
	cr_assert_eq(tl_exact_value(tl_exact_of(-1.27e-5)), -1.27e-5);
}

/* An exact zero is +0, whatever the drift's sign. */
Test(tl_exact, zero_is_positive)
{
	double z;

	z = tl_exact_value(tl_exact_sub(tl_exact_add(tl_exact_of(0.1),
	    tl_exact_of(0.2)), tl_exact_of(0.3)));
	cr_assert(0.1 + 0.2 - 0.3 != 0);
	cr_assert(z == 0 && !signbit(z), "%a", z);
	z = exact_sub(-1.27, -1.27);
	cr_assert(z == 0 && !signbit(z), "%a", z);
	cr_assert(!signbit(tl_exact_value(tl_exact_of(-0.0))));
}

/* Where the bound cannot tell, the computed double is kept. */
Test(tl_exact, unknown_places_keep_the_double)
{
	double x = 0.1 + 0.2, y;

	/* 17 places: 0.30000000000000004 * 10^17 is beyond 2^52 */
	cr_assert_eq(tl_exact_value(tl_exact_of(x)), x);
	/* 1e-20 * 1e-10: 30 places, beyond 10^22 */
	y = tl_exact_value(tl_exact_mul(tl_exact_of(1e-20),
	    tl_exact_of(1.5e-10)));
	cr_assert_eq(y, 1e-20 * 1.5e-10);
	cr_assert_eq(tl_exact_of(NAN).places, -1);
	cr_assert(isnan(tl_exact_value(tl_exact_of(NAN))));
	cr_assert_eq(tl_exact_value(tl_exact_add(tl_exact_of(INFINITY),
	    tl_exact_of(1.5))), INFINITY);
	/* 2^60 + 2.385: 18 significant digits, no double holds it */
	y = ldexp(1, 60);
	cr_assert_eq(tl_exact_value(tl_exact_add(tl_exact_of(y),
	    tl_exact_of(2.385))), y + 2.385);
}

/* gcc and clang on 64-bit targets: exact 128-bit integers */
__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

/* The decimal n * 10^-k as text, for strtod: the independent answer. */
static void
i128_text(char *buf, size_t size, i128 n, int k)
{
	char d[64];
	u128 u = n < 0 ? -(u128)n :
	    (u128)n;
	int nd = 0, i, len = 0;

	do {
		d[nd++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u > 0);
	while (nd <= k)
		d[nd++] = '0';
	if (n < 0)
		buf[len++] = '-';
	for (i = nd - 1; i >= 0 && (size_t)len < size - 2; i--) {
		buf[len++] = d[i];
		if (i == k && k > 0)
			buf[len++] = '.';
	}
	buf[len] = '\0';
}

/* (a - b) * q - f for random decimals like a trade's prices, quantity and
 * fees, against the same in 128-bit integers read by strtod: every result
 * rounded is the exact one, every result the bound must allow is
 * rounded, and the rest are the plain double computation. */
Test(tl_exact, random_pnl_matches_integer_arithmetic)
{
	static const long long p10[] = { 1, 10, 100, 1000, 10000, 100000,
	    1000000, 10000000, 100000000, 1000000000, 10000000000LL };
	unsigned long long s = 0x7e57ab1eULL;
	long long ma, mb, mq, mf;
	int i, ka, kb, kq, kf, k1, kp, snapped = 0, shortn = 0;
	double a, b, q, f, got, plain, want, scaled;
	char text[80];
	i128 n;

	for (i = 0; i < NRANDOM; i++) {
		ka = (int)(ut_xorshift(&s) % 5);
		kb = (int)(ut_xorshift(&s) % 5);
		kq = (int)(ut_xorshift(&s) % 7);
		kf = (int)(ut_xorshift(&s) % 9);
		ma = (long long)(ut_xorshift(&s) % 100000000);
		mb = ma + (long long)(ut_xorshift(&s) % 2000000) - 1000000;
		mq = (long long)(ut_xorshift(&s) % 1000000);
		mf = (long long)(ut_xorshift(&s) % 1000000);
		a = (double)ma / (double)p10[ka];
		b = (double)mb / (double)p10[kb];
		q = (double)mq / (double)p10[kq];
		f = (double)mf / (double)p10[kf];
		k1 = (ka > kb ? ka : kb) + kq;
		kp = k1 > kf ? k1 : kf;
		n = ((i128)ma * p10[k1 - kq - ka] -
		    (i128)mb * p10[k1 - kq - kb]) * mq;
		for (; k1 < kp; k1++)
			n *= 10;
		n -= (i128)mf * p10[kp - kf];
		i128_text(text, sizeof(text), n, kp);
		want = strtod(text, NULL);
		plain = (a - b) * q - f;
		got = tl_exact_value(tl_exact_sub(tl_exact_mul(tl_exact_sub(
		    tl_exact_of(a), tl_exact_of(b)), tl_exact_of(q)),
		    tl_exact_of(f)));
		if (got != plain || (n != 0 && got == want))
			cr_assert_eq(got, want, "%s: %a, want %a", text, got,
			    want);
		snapped += got == want;
		/* a sufficient condition for the bound, in units of the last
		 * place: the inputs' magnitudes below 2^45 of them */
		scaled = ((fabs(a) + fabs(b)) * q + f) * pow(10, kp);
		if (scaled < 35184372088832.0) {	/* 2^45 */
			shortn++;
			cr_assert_eq(got, want, "%s not rounded: %a", text,
			    got);
		} else if (got != want)
			cr_assert_eq(got, plain);
	}
	cr_assert_gt(shortn, NRANDOM / 20, "%d", shortn);
	cr_log_info("rounded %d of %d, %d by the sufficient condition",
	    snapped, NRANDOM, shortn);
	cr_assert_gt(snapped, shortn);
}

static double
exact_div(double a, double b)
{
	return tl_exact_value(tl_exact_div(tl_exact_of(a), tl_exact_of(b)));
}

/* Returns on a capital: divisors of digits 2^x 5^y give exact decimals;
 * others, and zero, keep the double. */
Test(tl_exact, division_by_two_and_five)
{
	cr_assert_eq(19.00401937 / 1000, 0.019004019370000003);
	cr_assert_eq(exact_div(19.00401937, 1000), strtod("0.01900401937",
	    NULL));
	cr_assert_eq(0.35 / 0.05, 6.999999999999999);
	cr_assert_eq(exact_div(0.35, 0.05), 7);
	cr_assert_eq(exact_div(0.00031306, 0.05), strtod("0.0062612", NULL));
	cr_assert_eq(exact_div(-140.61, 250), strtod("-0.56244", NULL));
	cr_assert_eq(exact_div(1200, 0.5), 2400);
	cr_assert_eq(tl_exact_div(tl_exact_of(1), tl_exact_of(3)).places, -1);
	cr_assert_eq(exact_div(1, 3), 1.0 / 3);
	cr_assert_eq(tl_exact_div(tl_exact_of(2.385), tl_exact_of(0)).places,
	    -1);
	/* places are a bound: 50 / 10 has at most 1, and is 5 */
	cr_assert_eq(tl_exact_div(tl_exact_of(50), tl_exact_of(10)).places,
	    1);
	cr_assert_eq(exact_div(50, 10), 5);
}

/* m / 10^k divided by 2^x 5^y / 10^j, against the quotient written out:
 * m * (10^e / (2^x 5^y)) with e = max(x, y), an integer, at k + e - j
 * places. */
Test(tl_exact, random_division_matches_integer_arithmetic)
{
	unsigned long long s = 0x2385127ULL;
	long long m, d, num;
	int i, k, j, x, y, e, p, rounded = 0;
	double a, b, got, want;
	char text[80];
	i128 q;

	for (i = 0; i < NRANDOM; i++) {
		m = (long long)(ut_xorshift(&s) % 10000000000LL) - 5000000000LL;
		k = (int)(ut_xorshift(&s) % 9);
		x = (int)(ut_xorshift(&s) % 8);
		y = (int)(ut_xorshift(&s) % 8);
		j = (int)(ut_xorshift(&s) % 4);
		d = 1;
		for (p = 0; p < x; p++)
			d *= 2;
		for (p = 0; p < y; p++)
			d *= 5;
		e = x > y ? x : y;
		num = 1;
		for (p = 0; p < e; p++)
			num *= 10;
		a = (double)m / pow(10, k);
		b = (double)d / pow(10, j);
		q = (i128)m * (num / d);
		p = k + e - j;
		for (; p < 0; p++)
			q *= 10;
		i128_text(text, sizeof(text), q, p);
		want = strtod(text, NULL);
		got = exact_div(a, b);
		if (got != a / b || got == want)
			cr_assert_eq(got, want, "%s: %a / %a = %a, want %a",
			    text, a, b, got, want);
		rounded += got == want;
	}
	/* the quotients have at most 10 + 7 digits: 15 or fewer in most */
	cr_assert_gt(rounded, NRANDOM / 2, "%d", rounded);
}
