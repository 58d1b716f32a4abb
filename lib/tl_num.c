/*
 * Shortest round-trip formatting of doubles.  We never call setlocale(),
 * so printf's decimal point is always '.'; the test suite runs the tools
 * under LC_ALL=de_DE.UTF-8 to keep it that way.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tl_num.h"

int
tl_fmt_double(char *buf, double x)
{
	int prec, n = 0;

	if (!isfinite(x)) {
		snprintf(buf, TL_NUM_BUFSZ, "null");
		return -1;
	}
	/* Integers that a double holds exactly print as integers. */
	if (x == floor(x) && fabs(x) < 9007199254740992.0) {
		if (x == 0)
			return snprintf(buf, TL_NUM_BUFSZ, signbit(x) ? "-0" :
			    "0");
		return snprintf(buf, TL_NUM_BUFSZ, "%.0f", x);
	}
	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(buf, TL_NUM_BUFSZ, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	return n;
}
