/*
 * The one number formatter every tool uses: shortest text that reads back
 * to the same double, in the C locale whatever LC_ALL says, so that a rerun
 * gives the same bytes.  NaN and infinities have no JSON spelling: JSON
 * output writes them as null and CSV output as an empty field.
 */
#ifndef TL_NUM_H
#define TL_NUM_H

#include <stddef.h>
#include <stdint.h>

#define TL_NUM_BUFSZ	32	/* enough for any double and the NUL */

/* Write the shortest round-trip form of x into buf (TL_NUM_BUFSZ bytes):
 * the same text as the first of %.15g, %.16g, %.17g that reads back
 * exactly ("3", "0.1", "187.2", "1e+15", "0.30000000000000004"); -0.0 is
 * "-0.0", since "-0" is an integer and would read back as 0.
 * For NaN/Inf writes "null" and returns -1; otherwise returns the length. */
int	tl_fmt_double(char *buf, double x);

/* Nonzero when s[0..n), a JSON number whose value is x (correctly
 * rounded), is the text tl_fmt_double(x) writes, told from the text: a
 * decimal with a point, no exponent, no trailing zero, at most 15
 * significant digits, |x| in the range of the short decimals.  Zero says
 * nothing (tl_fmt_double decides). */
int	tl_fmt_is_short(const char *s, size_t n, double x);

/* tl_fmt_is_short of such a decimal (a point, no exponent, no trailing
 * zero) told by its value x and its sig significant digits, for a parser
 * that counted them. */
int	tl_fmt_is_short_form(double x, int sig);

/* Write the exact decimal m * 10^-k, negative if neg: a '-' when neg,
 * the digits of m with a point k (0..20) digits from the right, and a
 * "0." before them when m has no more than k digits ("0.05" for m = 5,
 * k = 2; "120" for m = 120, k = 0).  The one writer of fixed decimals:
 * tl_fmt_double's short decimals and tl_svg's display rounding.  buf
 * holds TL_NUM_BUFSZ; returns the length. */
int	tl_fmt_decimal(char *buf, int neg, unsigned long long m, int k);

/* The double nearest w * 10^q (-x when neg), as strtod gives it, by Eisel
 * and Lemire's method ("Number parsing at a gigabyte per second", 2021):
 * w times a 128-bit approximation of 5^q, the result's 53 bits and
 * rounding read off the top of the product unless it lies too close to a
 * halfway point to tell.  Returns 0, or -1 when the caller must ask
 * strtod: that case, a result that would be subnormal, infinite or
 * beyond the table (|q| > ~300).  Any w < 2^64 is exact: a decimal of at
 * most 19 significant digits. */
int	tl_dec_to_double(uint64_t w, int q, int neg, double *out);

/* The digits s[i..] up to the first non-digit (or n), gathered into a
 * significand for tl_dec_to_double: *m takes up to 19 significant ones
 * (*sig counts them, leading zeros are none), and *lost is set if more
 * follow (then strtod must decide).  Returns the index after them. */
size_t	tl_dec_digits(const char *s, size_t i, size_t n, uint64_t *m,
	    int *sig, int *lost);

/*
 * Money arithmetic that gives what a person computing by hand gets.  A
 * P&L of -139.32 less fees of 1.29 is -140.61, but the double subtraction
 * gives the double next to it, printed -140.60999999999999: no printer
 * can hide that, since it is another number.  A struct tl_exact carries a
 * double that stands for an exact decimal (a price, a quantity or a fee
 * read from a log, or sums, differences and products of such), a bound
 * on the decimal places that exact result has, and a bound on how far
 * the double has drifted from it.  tl_exact_value() rounds the double to those places
 * when the bound proves the rounding lands on the exact result (the drift
 * is below a quarter of the last place), which gives the double nearest
 * the exact decimal, the one strtod reads from its text; otherwise it
 * returns the computed double unchanged.  A quotient has finite places
 * only when the divisor's digits are 2^x 5^y (1000, 0.05, 250): a return
 * on a capital of 1000; tl_exact_div says so for any other divisor.
 */
struct tl_exact {
	double	v;		/* the value, computed in doubles */
	double	err;		/* bound on |v - the exact decimal| */
	int	places;		/* at most this many decimal places in
				 * the exact decimal; -1 not known */
};

/* x as the decimal of its shortest text (tl_fmt_double): 2 places for
 * 187.25, 0 for 3 or 1e+15, 5 for 1e-05; the drift is x's rounding. */
struct tl_exact	tl_exact_of(double x);
/* a + b, a - b and a * b, with their places and drift bounds. */
struct tl_exact	tl_exact_add(struct tl_exact a, struct tl_exact b);
struct tl_exact	tl_exact_sub(struct tl_exact a, struct tl_exact b);
struct tl_exact	tl_exact_mul(struct tl_exact a, struct tl_exact b);
/* a / b: with places when b's digits (b times 10^b.places, an integer) are
 * 2^x 5^y, a.places + max(x, y) - b.places of them; else none (-1). */
struct tl_exact	tl_exact_div(struct tl_exact a, struct tl_exact b);
/* The double nearest a's exact decimal when the bound allows telling it
 * (places <= 22, |v| * 10^places < 2^52, drift < a quarter of the last
 * place); else a.v.  An exact zero is +0.  Non-finite v is returned as
 * it is. */
double	tl_exact_value(struct tl_exact a);

#endif
