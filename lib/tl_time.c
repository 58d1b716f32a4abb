/*
 * Calendar arithmetic on the proleptic Gregorian calendar (Howard
 * Hinnant's days_from_civil), so that no result depends on TZ or on the
 * C library's mktime/timegm.
 */
#include <math.h>
#include <stdio.h>

#include "tl_time.h"

#define MS_PER_DAY	86400000LL
/* 0001-01-01 and 9999-12-31 in days since the epoch */
#define DAY_MIN		(-719162LL)
#define DAY_MAX		2932896LL

int64_t
tl_days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
tl_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
digits(const char *s, size_t n, size_t *i, int k, int *out)
{
	int v = 0;

	while (k-- > 0) {
		if (*i >= n || s[*i] < '0' || s[*i] > '9')
			return -1;
		v = v * 10 + (s[(*i)++] - '0');
	}
	*out = v;
	return 0;
}

static int
days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

int
tl_time_parse(const char *s, size_t n, int64_t *ms)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, oh = 0, om = 0;
	int sign = 0, scale;
	size_t i = 0;

	if (digits(s, n, &i, 4, &y) == -1 || i >= n || s[i++] != '-' ||
	    digits(s, n, &i, 2, &mo) == -1 || i >= n || s[i++] != '-' ||
	    digits(s, n, &i, 2, &d) == -1)
		return -1;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return -1;
	if (i < n) {
		if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
			return -1;
		i++;
		if (digits(s, n, &i, 2, &h) == -1 || i >= n ||
		    s[i++] != ':' || digits(s, n, &i, 2, &mi) == -1)
			return -1;
		if (i < n && s[i] == ':') {
			i++;
			if (digits(s, n, &i, 2, &sec) == -1)
				return -1;
			if (i < n && (s[i] == '.' || s[i] == ',')) {
				i++;
				if (i >= n || s[i] < '0' || s[i] > '9')
					return -1;
				/* keep milliseconds, truncate the rest */
				for (scale = 100; i < n && s[i] >= '0' &&
				    s[i] <= '9'; i++, scale /= 10)
					frac += scale * (s[i] - '0');
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
		if (i < n && (s[i] == 'Z' || s[i] == 'z'))
			i++;
		else if (i < n && (s[i] == '+' || s[i] == '-')) {
			sign = s[i++] == '-' ? -1 : 1;
			if (digits(s, n, &i, 2, &oh) == -1)
				return -1;
			if (i < n && s[i] == ':')
				i++;
			if (digits(s, n, &i, 2, &om) == -1 || oh > 23 ||
			    om > 59)
				return -1;
		}
		if (i != n)
			return -1;
	}
	*ms = tl_days_from_civil(y, mo, d) * MS_PER_DAY +
	    ((int64_t)h * 3600 + mi * 60 + sec) * 1000 + frac -
	    (int64_t)sign * (oh * 3600 + om * 60) * 1000;
	return 0;
}

int
tl_time_from_epoch(double x, int64_t *ms)
{
	double v;

	if (!isfinite(x))
		return -1;
	v = fabs(x) >= 1e11 ? x : x * 1000.0;
	if (v < (double)DAY_MIN * MS_PER_DAY ||
	    v >= (double)(DAY_MAX + 1) * MS_PER_DAY)
		return -1;
	*ms = (int64_t)floor(v + 0.5);
	return 0;
}

/* Two digits of v at p (no printf: this runs once a field a record). */
static char *
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

/* "YYYY-MM-DD" of day z at buf; returns the end. */
static char *
put_date(char *buf, int64_t z)
{
	int y, m, d;

	tl_civil_from_days(z, &y, &m, &d);
	buf = put2(buf, y / 100);
	buf = put2(buf, y % 100);
	*buf++ = '-';
	buf = put2(buf, m);
	*buf++ = '-';
	return put2(buf, d);
}

int
tl_time_format(char *buf, int64_t ms)
{
	int64_t days, rem;
	int msec;
	char *p;

	days = ms / MS_PER_DAY;
	rem = ms % MS_PER_DAY;
	if (rem < 0) {
		rem += MS_PER_DAY;
		days--;
	}
	msec = (int)(rem % 1000);
	rem /= 1000;
	p = put_date(buf, days);
	*p++ = 'T';
	p = put2(p, (int)(rem / 3600));
	*p++ = ':';
	p = put2(p, (int)(rem / 60 % 60));
	*p++ = ':';
	p = put2(p, (int)(rem % 60));
	if (msec != 0) {
		*p++ = '.';
		*p++ = (char)('0' + msec / 100);
		p = put2(p, msec % 100);
	}
	*p++ = 'Z';
	*p = '\0';
	return (int)(p - buf);
}

int
tl_time_format_date(char *buf, int64_t ms)
{
	int64_t days;

	days = ms / MS_PER_DAY;
	if (ms % MS_PER_DAY < 0)
		days--;
	*put_date(buf, days) = '\0';
	return 10;
}
