/*
 * The one number formatter every tool uses: shortest text that reads back
 * to the same double, in the C locale whatever LC_ALL says, so that a rerun
 * gives the same bytes.  NaN and infinities have no JSON spelling: JSON
 * output writes them as null and CSV output as an empty field.
 */
#ifndef TL_NUM_H
#define TL_NUM_H

#include <stddef.h>

#define TL_NUM_BUFSZ	32	/* enough for any double and the NUL */

/* Write the shortest round-trip form of x into buf (TL_NUM_BUFSZ bytes):
 * integers up to 2^53 without exponent or point ("3", "-0"), otherwise
 * %.15g..%.17g, whichever first reads back exactly ("0.1", "1e+300").
 * For NaN/Inf writes "null" and returns -1; otherwise returns the length. */
int	tl_fmt_double(char *buf, double x);

#endif
