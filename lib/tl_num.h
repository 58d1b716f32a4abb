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

#endif
