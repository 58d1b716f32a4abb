/*
 * A panel of daily values per series: dates × series (strategies), read
 * from the long table tl-ingest writes (date,strategy,return) or from a
 * wide one (a date column, then one numeric column per series).  Dates
 * and series are sorted, so the matrix does not depend on input order.
 * A cell nobody gave is NaN ("missing"), never zero: the caller decides
 * how to treat gaps.  Every value given must be a finite number, every
 * date a calendar date (2026-02-30 is not one), and a (date, series)
 * pair may be given once: anything else is an error with file:line (the
 * second of two of a pair, naming where the first was), never a dropped
 * row.
 */
#ifndef TL_PANEL_H
#define TL_PANEL_H

#include <stddef.h>
#include <stdint.h>

#include "tl_err.h"
#include "tl_records.h"

struct tl_panel {
	size_t	  ndates;	/* rows */
	size_t	  nseries;	/* columns */
	char	**dates;	/* ndates, ascending */
	char	**names;	/* nseries, ascending (byte order) */
	double	 *x;		/* ndates*nseries, x[t*nseries+j]; NaN missing */
};

struct tl_panel_opts {
	const char	*date_col;	/* "date" if NULL */
	const char	*series_col;	/* "strategy" if NULL; absent: wide */
	const char	*value_col;	/* "return" if NULL (long table only) */
	enum tl_fmt	 fmt;		/* TL_FMT_AUTO: from the name */
	int		 empty_ok;	/* no row is an empty panel (0 dates),
					 * not an error */
};

/* Read the panel from npaths files (none: stdin).  The first record
 * decides the shape: long if it has the series or the value column,
 * else wide.
 * Returns 0, or -1 with err (65 bad or empty data, 66, 74) and p empty;
 * with o->empty_ok, input without a row is 0 and p empty. */
int	tl_panel_read(struct tl_panel *p, char *const *paths, int npaths,
	    const struct tl_panel_opts *o, struct tl_err *err);

void	tl_panel_free(struct tl_panel *p);

/* Index of the series or date named s, or -1. */
long	tl_panel_series(const struct tl_panel *p, const char *s);
long	tl_panel_date(const struct tl_panel *p, const char *s);

/* Days since 1970-01-01 of s, a calendar date "YYYY-MM-DD" (years
 * 0001-9999).  Returns 0 and *days, or -1 if s is not one. */
int	tl_panel_date_days(const char *s, int64_t *days);

/* Number of non-missing values of series j. */
size_t	tl_panel_count(const struct tl_panel *p, size_t j);

#endif
