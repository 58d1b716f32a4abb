/*
 * Timestamps without the C library's time zone: RFC 3339 with any offset,
 * "YYYY-MM-DD HH:MM:SS", a bare date, and epoch seconds or milliseconds are
 * all read into milliseconds since 1970-01-01T00:00:00Z and written back
 * as UTC RFC 3339.  TZ never changes a result.
 */
#ifndef TL_TIME_H
#define TL_TIME_H

#include <stdint.h>
#include <stddef.h>

#define TL_TIME_BUFSZ	32	/* "2026-03-01T14:30:00.123Z" and NUL */

/* Parse text.  Accepts "2026-03-01T14:30:00Z", "...T14:30:00.5+05:30",
 * lower-case t/z, a space for T, no zone (taken as UTC), and
 * "2026-03-01" (midnight UTC).  Returns 0 and *ms, or -1. */
int	tl_time_parse(const char *s, size_t n, int64_t *ms);

/* Epoch number: values of magnitude >= 1e11 are milliseconds, smaller
 * ones seconds (1e11 s is the year 5138).  Returns 0, or -1 if not finite
 * or out of the years 0001-9999. */
int	tl_time_from_epoch(double x, int64_t *ms);

/* Write ms as "YYYY-MM-DDTHH:MM:SSZ", with ".mmm" when ms % 1000 != 0.
 * Returns the length. */
int	tl_time_format(char *buf, int64_t ms);

/* Write the UTC date "YYYY-MM-DD" of ms.  Returns 10. */
int	tl_time_format_date(char *buf, int64_t ms);

/* Days since 1970-01-01 of the civil date; and back. */
int64_t	tl_days_from_civil(int y, int m, int d);
void	tl_civil_from_days(int64_t z, int *y, int *m, int *d);

#endif
