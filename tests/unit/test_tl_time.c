/* Unit tests for lib/tl_time: RFC 3339 parsing, epochs, formatting and
 * the civil calendar. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "tl_time.h"
#include "unit.h"

#define T0	1767623400000LL	/* 2026-01-05T14:30:00Z */
#define DAY_MIN	(-719162LL)	/* 0001-01-01 */
#define DAY_MAX	2932896LL	/* 9999-12-31 */
#define MS_MIN	(-62135596800000LL)	/* 0001-01-01T00:00:00Z */
#define MS_MAX	253402300799999LL	/* 9999-12-31T23:59:59.999Z */

static void
parses(const char *s, int64_t want)
{
	int64_t ms = -12345;

	cr_assert_eq(tl_time_parse(s, strlen(s), &ms), 0, "'%s' rejected", s);
	cr_assert_eq(ms, want, "'%s' gave %lld, want %lld", s, (long long)ms,
	    (long long)want);
}

static void
rejects(const char *s)
{
	int64_t ms = -12345;

	cr_assert_eq(tl_time_parse(s, strlen(s), &ms), -1, "'%s' accepted",
	    s);
	cr_assert_eq(ms, -12345, "'%s' set *ms", s);
}

static void
formats(int64_t ms, const char *want)
{
	char buf[TL_TIME_BUFSZ];

	cr_assert_eq(tl_time_format(buf, ms), (int)strlen(want));
	cr_assert_str_eq(buf, want);
}

Test(tl_time_parse, utc)
{
	parses("2026-01-05T14:30:00Z", T0);
	parses("2026-01-05t14:30:00z", T0);
	parses("2026-03-01T14:30:00Z", 1772375400000LL);
	parses("1970-01-01T00:00:00Z", 0);
	parses("1969-07-20T20:17:40Z", -14182940000LL);
}

Test(tl_time_parse, offsets)
{
	parses("2026-01-05T20:00:00+05:30", T0);
	parses("2026-01-05T20:00:00+0530", T0);
	parses("2026-01-05T06:30:00-08:00", T0);
	parses("2026-01-05T06:30:00-0800", T0);
	parses("2026-01-05T14:30:00+00:00", T0);
	parses("2026-01-05T14:30:00-00:00", T0);
	/* across a date line */
	parses("2026-01-06T01:15:00+10:45", T0);
	parses("2026-01-04T23:30:00-15:00", T0);
}

Test(tl_time_parse, fractions)
{
	parses("2026-01-05T14:30:00.5Z", T0 + 500);
	parses("2026-01-05T14:30:00.12Z", T0 + 120);
	parses("2026-01-05T14:30:00.123Z", T0 + 123);
	/* more digits are truncated, not rounded */
	parses("2026-01-05T14:30:00.123987Z", T0 + 123);
	parses("2026-01-05T14:30:00.999999999Z", T0 + 999);
	parses("2026-01-05T14:30:00,25Z", T0 + 250);
	parses("2026-01-05T06:30:00.750-08:00", T0 + 750);
	parses("2026-01-05T14:30:00.001", T0 + 1);
}

Test(tl_time_parse, no_zone_space_and_bare_date)
{
	parses("2026-01-05 14:30:00", T0);
	parses("2026-01-05T14:30:00", T0);
	parses("2026-01-05 14:30:00.042Z", T0 + 42);
	parses("2026-01-05", T0 - (14 * 3600 + 30 * 60) * 1000LL);
}

Test(tl_time_parse, leap_days)
{
	parses("2024-02-29", 1709164800000LL);
	parses("2000-02-29T12:00:00Z", 951825600000LL);
	rejects("2023-02-29");
	rejects("1900-02-29");
	rejects("2024-02-30");
	parses("2023-02-28", 1709164800000LL - 366 * 86400000LL);
}

Test(tl_time_parse, calendar_limits)
{
	parses("0001-01-01T00:00:00Z", MS_MIN);
	parses("9999-12-31T23:59:59.999Z", MS_MAX);
	rejects("0000-12-31");
	rejects("2026-13-01");
	rejects("2026-00-10");
	rejects("2026-01-00");
	rejects("2026-01-32");
	rejects("2026-04-31");
}

Test(tl_time_parse, bad_strings)
{
	static const char *const bad[] = { "", "2026", "2026-01",
	    "2026-1-05", "26-01-05", "2026/01/05", "2026-01-05x",
	    "2026-01-05T", "2026-01-01Tx", "2026-01-01T25:00:00Z",
	    "2026-01-05T24:00:00Z", "2026-01-05T14:60:00Z",
	    "2026-01-05T14:30:61Z", "2026-01-05T14:3", "2026-01-05T14:30:0Z",
	    "2026-01-05T14:30:00.Z", "2026-01-05T14:30:00Zjunk",
	    "2026-01-05T14:30:00Z ", " 2026-01-05", "2026-01-05 ",
	    "2026-01-05T14:30:00+05", "2026-01-05T14:30:00+5:30",
	    "2026-01-05T14:30:00+24:00", "2026-01-05T14:30:00+05:60",
	    "2026-01-05T14:30:00 +05:30", "2026-01-05_14:30:00",
	    "x026-01-05", "2026-01-05T14:30:00Z\n" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		rejects(bad[i]);
}

Test(tl_time_parse, uses_only_n_bytes)
{
	const char *s = "2026-01-05T14:30:00Zgarbage";
	int64_t ms = 0;

	cr_assert_eq(tl_time_parse(s, 20, &ms), 0);
	cr_assert_eq(ms, T0);
	cr_assert_eq(tl_time_parse(s, 10, &ms), 0);
	cr_assert_eq(ms, T0 - (14 * 3600 + 30 * 60) * 1000LL);
	cr_assert_eq(tl_time_parse(s, 9, &ms), -1);
	cr_assert_eq(tl_time_parse(s, 0, &ms), -1);
}

Test(tl_time_parse, tz_changes_nothing)
{
	setenv("TZ", "America/Los_Angeles", 1);
	tzset();
	parses("2026-01-05T14:30:00Z", T0);
	parses("2026-01-05 14:30:00", T0);
	formats(T0, "2026-01-05T14:30:00Z");
}

Test(tl_time_from_epoch, seconds_and_millis)
{
	int64_t a = 0, b = 0;

	cr_assert_eq(tl_time_from_epoch(1767623400, &a), 0);
	cr_assert_eq(tl_time_from_epoch(1767623400000.0, &b), 0);
	cr_assert_eq(a, T0);
	cr_assert_eq(b, T0);
	cr_assert_eq(tl_time_from_epoch(1767623400.25, &a), 0);
	cr_assert_eq(a, T0 + 250);
	cr_assert_eq(tl_time_from_epoch(-1.5, &a), 0);
	cr_assert_eq(a, -1500);
	cr_assert_eq(tl_time_from_epoch(0, &a), 0);
	cr_assert_eq(a, 0);
	/* just below 1e11 is seconds (year 5138), 1e11 is milliseconds */
	cr_assert_eq(tl_time_from_epoch(99999999999.0, &a), 0);
	cr_assert_eq(a, 99999999999000LL);
	cr_assert_eq(tl_time_from_epoch(1e11, &a), 0);
	cr_assert_eq(a, 100000000000LL);
	cr_assert_eq(tl_time_from_epoch(-1e11, &a), 0);
	cr_assert_eq(a, -100000000000LL);
}

Test(tl_time_from_epoch, range_and_non_finite)
{
	int64_t a = 7;

	cr_assert_eq(tl_time_from_epoch((double)MS_MAX, &a), 0);
	cr_assert_eq(a, MS_MAX);
	cr_assert_eq(tl_time_from_epoch((double)MS_MIN, &a), 0);
	cr_assert_eq(a, MS_MIN);
	a = 7;
	cr_assert_eq(tl_time_from_epoch((double)MS_MAX + 1, &a), -1);
	cr_assert_eq(tl_time_from_epoch((double)MS_MIN - 1, &a), -1);
	cr_assert_eq(tl_time_from_epoch(1e300, &a), -1);
	cr_assert_eq(tl_time_from_epoch(-1e300, &a), -1);
	cr_assert_eq(tl_time_from_epoch(NAN, &a), -1);
	cr_assert_eq(tl_time_from_epoch(INFINITY, &a), -1);
	cr_assert_eq(tl_time_from_epoch(-INFINITY, &a), -1);
	cr_assert_eq(a, 7);
}

Test(tl_time_format, with_and_without_ms)
{
	formats(T0, "2026-01-05T14:30:00Z");
	formats(T0 + 123, "2026-01-05T14:30:00.123Z");
	formats(T0 + 5, "2026-01-05T14:30:00.005Z");
	formats(T0 + 1000, "2026-01-05T14:30:01Z");
	formats(0, "1970-01-01T00:00:00Z");
	formats(MS_MIN, "0001-01-01T00:00:00Z");
	formats(MS_MAX, "9999-12-31T23:59:59.999Z");
	formats(951825600000LL, "2000-02-29T12:00:00Z");
}

Test(tl_time_format, before_1970)
{
	int64_t ms = 0;

	formats(-1, "1969-12-31T23:59:59.999Z");
	formats(-1000, "1969-12-31T23:59:59Z");
	formats(-86400000LL, "1969-12-31T00:00:00Z");
	formats(-86400001LL, "1969-12-30T23:59:59.999Z");
	formats(-14182940000LL, "1969-07-20T20:17:40Z");
	cr_assert_eq(tl_time_parse("1969-12-31T23:59:59.999Z", 24, &ms), 0);
	cr_assert_eq(ms, -1);
}

Test(tl_time_format, date)
{
	char buf[TL_TIME_BUFSZ];

	cr_assert_eq(tl_time_format_date(buf, T0 + 123), 10);
	cr_assert_str_eq(buf, "2026-01-05");
	cr_assert_eq(tl_time_format_date(buf, -1), 10);
	cr_assert_str_eq(buf, "1969-12-31");
	tl_time_format_date(buf, -86400000LL);
	cr_assert_str_eq(buf, "1969-12-31");
	tl_time_format_date(buf, MS_MIN);
	cr_assert_str_eq(buf, "0001-01-01");
	tl_time_format_date(buf, MS_MAX);
	cr_assert_str_eq(buf, "9999-12-31");
}

Test(tl_time_format, random_round_trip)
{
	unsigned long long s = 0x1271385ULL;
	char buf[TL_TIME_BUFSZ];
	int64_t ms, back;
	int i;

	for (i = 0; i < 100000; i++) {
		ms = MS_MIN + (int64_t)(ut_xorshift(&s) %
		    (unsigned long long)(MS_MAX - MS_MIN + 1));
		if (i % 3 == 0)
			ms -= ms % 1000;	/* whole seconds too */
		tl_time_format(buf, ms);
		cr_assert_eq(tl_time_parse(buf, strlen(buf), &back), 0, "%s",
		    buf);
		cr_assert_eq(back, ms, "%lld -> %s -> %lld", (long long)ms,
		    buf, (long long)back);
	}
}

Test(tl_civil, known_days)
{
	int y, m, d;

	cr_assert_eq(tl_days_from_civil(1970, 1, 1), 0);
	cr_assert_eq(tl_days_from_civil(2000, 3, 1), 11017);
	cr_assert_eq(tl_days_from_civil(1969, 12, 31), -1);
	cr_assert_eq(tl_days_from_civil(1, 1, 1), DAY_MIN);
	cr_assert_eq(tl_days_from_civil(9999, 12, 31), DAY_MAX);
	tl_civil_from_days(DAY_MIN, &y, &m, &d);
	cr_assert(y == 1 && m == 1 && d == 1, "%d-%d-%d", y, m, d);
	tl_civil_from_days(DAY_MAX, &y, &m, &d);
	cr_assert(y == 9999 && m == 12 && d == 31, "%d-%d-%d", y, m, d);
	tl_civil_from_days(20458, &y, &m, &d);
	cr_assert(y == 2026 && m == 1 && d == 5, "%d-%d-%d", y, m, d);
}

/* Every day from 0001-01-01 to 9999-12-31: civil -> days -> civil is the
 * identity and consecutive days are consecutive dates. */
Test(tl_civil, round_trip_every_day)
{
	int y, m, d, py = 0, pm = 12, pd = 31, leap, mdays;
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };
	int64_t z;

	for (z = DAY_MIN; z <= DAY_MAX; z++) {
		tl_civil_from_days(z, &y, &m, &d);
		cr_assert_eq(tl_days_from_civil(y, m, d), z, "%d-%d-%d", y, m,
		    d);
		leap = (py % 4 == 0 && py % 100 != 0) || py % 400 == 0;
		mdays = dm[pm - 1] + (pm == 2 && leap);
		if (pd < mdays)
			cr_assert(y == py && m == pm && d == pd + 1,
			    "after %d-%d-%d came %d-%d-%d", py, pm, pd, y, m,
			    d);
		else if (pm < 12)
			cr_assert(y == py && m == pm + 1 && d == 1,
			    "after %d-%d-%d came %d-%d-%d", py, pm, pd, y, m,
			    d);
		else
			cr_assert(y == py + 1 && m == 1 && d == 1,
			    "after %d-%d-%d came %d-%d-%d", py, pm, pd, y, m,
			    d);
		py = y;
		pm = m;
		pd = d;
	}
	cr_assert(y == 9999 && m == 12 && d == 31);
}
