/*
 * Panels of daily values per series.  Records are read once into
 * (date, series, value) triples with provisional indices in order of
 * first appearance; then dates and series are sorted and the triples
 * land in a dense NaN-filled matrix, where a second value for a cell is
 * caught.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tl_json.h"
#include "tl_map.h"
#include "tl_num.h"
#include "tl_panel.h"
#include "tl_time.h"
#include "tl_util.h"

struct triple {
	uint32_t	d, s;	/* provisional date and series index */
	double		v;
	unsigned long	line;	/* where it was given, for "given twice" */
	uint32_t	file;	/* index in acc.files */
};

/* A long file is mostly rows of one date in a row, with the series in
 * the same order each day: the last date and each series' successor are
 * tried before the maps. */
struct hint {
	char		 date[16];	/* the last date (valid), or "" */
	uint32_t	 d;		/* its index */
	uint32_t	 s;		/* the last series, or UINT32_MAX */
	uint32_t	*next;		/* series after series i last time */
	char		**name;		/* series i's name, or NULL */
	size_t		 n, cap;	/* series with a slot; slots */
};

struct acc {
	struct tl_map	*dates, *series;
	struct triple	*t;
	size_t		 n, cap;
	int		 wide;	/* -1 undecided, 0 long, 1 wide */
	struct hint	 h;
	char		**files;	/* names of the files read so far */
	uint32_t	 nfiles;
	unsigned long	 line;		/* the line of the record being read */
};

int
tl_panel_date_days(const char *s, int64_t *days)
{
	static const char pat[] = "dddd-dd-dd";
	int y, m, d, y2, m2, d2;
	size_t i;

	for (i = 0; pat[i] != '\0'; i++) {
		if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != '-')
			return -1;
	}
	if (s[i] != '\0')
		return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return -1;
	/* a day past the month's end comes back as another date */
	*days = tl_days_from_civil(y, m, d);
	tl_civil_from_days(*days, &y2, &m2, &d2);
	return y2 == y && m2 == m && d2 == d ? 0 : -1;
}

static int
valid_date(const char *s)
{
	int64_t days;

	return tl_panel_date_days(s, &days) == 0;
}

static uint32_t
intern(struct tl_map *m, const char *s)
{
	uintptr_t *slot;
	int added;

	slot = tl_map_put(m, s, strlen(s), &added);
	if (added)
		*slot = tl_map_count(m) - 1;
	return (uint32_t)*slot;
}

static void
push(struct acc *a, uint32_t d, uint32_t s, double v)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 1024;
		a->t = tl_xreallocarray(a->t, a->cap, sizeof(*a->t));
	}
	a->t[a->n].d = d;
	a->t[a->n].s = s;
	a->t[a->n].v = v;
	a->t[a->n].line = a->line;
	a->t[a->n].file = a->nfiles - 1;
	a->n++;
}

/* A series name from a string, or an integer id that CSV made a number. */
static int
series_name(const json_t *v, char *buf, const char **out)
{
	if (json_is_string(v)) {
		*out = json_string_value(v);
		return **out != '\0';
	}
	if (json_is_integer(v)) {
		tl_fmt_double(buf, (double)json_integer_value(v));
		*out = buf;
		return 1;
	}
	return 0;
}

/* Does the record's source have the column (an empty CSV cell, a JSON
 * null) rather than lack it? */
static int
has_column(const json_t *rec, struct tl_records *r, const char *col)
{
	char *const *hdr;
	size_t nh, i;

	if (tl_records_fmt(r) != TL_FMT_CSV)
		return json_object_get(rec, col) != NULL;
	hdr = tl_records_header(r, &nh);
	for (i = 0; i < nh; i++)
		if (strcmp(hdr[i], col) == 0)
			return 1;
	return 0;
}

static int
take_record(struct acc *a, const json_t *rec, const struct tl_panel_opts *o,
    struct tl_records *rs, struct tl_err *err)
{
	const char *name = tl_records_name(rs);
	unsigned long line = tl_records_line(rs);
	const char *date, *key, *sname;
	const json_t *val, *sv;
	char nbuf[TL_NUM_BUFSZ];
	double v;
	uint32_t d;
	int r;

	r = tl_json_get_string(rec, o->date_col, &date, name, line, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return tl_err_set(err, TL_EX_DATAERR, name, line,
		    has_column(rec, rs, o->date_col) ? "empty '%s' (every "
		    "row needs its date)" : "no '%s' column", o->date_col);
	if (!valid_date(date))
		return tl_err_set(err, TL_EX_DATAERR, name, line,
		    "'%s' is not a date (YYYY-MM-DD)", date);
	if (a->wide < 0)
		a->wide = json_object_get(rec, o->series_col) == NULL &&
		    json_object_get(rec, o->value_col) == NULL;
	d = intern(a->dates, date);

	if (!a->wide) {
		sv = json_object_get(rec, o->series_col);
		if (sv == NULL || !series_name(sv, nbuf, &sname))
			return tl_err_set(err, TL_EX_DATAERR, name, line,
			    "field '%s': expected a series name, got %s",
			    o->series_col, sv ? tl_json_typename(sv) : "none");
		r = tl_json_get_number(rec, o->value_col, &v, name, line, err);
		if (r < 0)
			return -1;
		if (r == 0 && !has_column(rec, rs, o->value_col))
			return tl_err_set(err, TL_EX_DATAERR, name, line,
			    "no '%s' column: not a panel of %s, %s and %s "
			    "rows", o->value_col, o->date_col, o->series_col,
			    o->value_col);
		if (r == 0)
			return tl_err_set(err, TL_EX_DATAERR, name, line,
			    "no value in '%s' (a missing day is a missing "
			    "row, not an empty value)", o->value_col);
		if (!isfinite(v))
			return tl_err_set(err, TL_EX_DATAERR, name, line,
			    "field '%s': not a finite number", o->value_col);
		push(a, d, intern(a->series, sname), v);
		return 0;
	}
	json_object_foreach((json_t *)rec, key, val) {
		if (strcmp(key, o->date_col) == 0 || json_is_null(val))
			continue;
		if (!json_is_number(val))
			return tl_err_set(err, TL_EX_DATAERR, name, line,
			    "column '%s': expected number, got %s", key,
			    tl_json_typename(val));
		v = json_number_value(val);
		if (!isfinite(v))
			return tl_err_set(err, TL_EX_DATAERR, name, line,
			    "column '%s': not a finite number", key);
		push(a, d, intern(a->series, key), v);
	}
	return 0;
}

/* Column i of name in a CSV header, or -1. */
static long
column(char *const *hdr, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(hdr[i], name) == 0)
			return (long)i;
	return -1;
}

/* The finite number a CSV cell holds, as its JSON record would hold it
 * (tl_records_cell: "-0" is the integer 0).  0, or -1. */
static int
cell_number(const struct tl_buf *c, double *v)
{
	enum tl_cell k = tl_records_cell(c, v);

	return k == TL_CELL_INTEGER || k == TL_CELL_REAL ? 0 : -1;
}

/* How the cells of a CSV file are read (see read_one). */
struct csvcols {
	int		 looked;	/* header examined */
	int		 fast;		/* rows may be read from cells */
	long		 date, series, value;	/* long: columns */
	size_t		 nh;		/* wide: columns */
	char *const	*hdr;		/* their names */
	uint32_t	*sidx;		/* their series index, or UINT32_MAX */
	double		*v;		/* a row's values */
};

/* The date index of date cell c (a valid date: 0), or -1. */
static int
hinted_date(struct acc *a, const struct tl_buf *c, uint32_t *d)
{
	struct hint *h = &a->h;

	if (h->date[0] != '\0' && c->len < sizeof(h->date) &&
	    memcmp(h->date, c->data, c->len + 1) == 0) {
		*d = h->d;
		return 0;
	}
	if (!valid_date(c->data))
		return -1;
	*d = h->d = intern(a->dates, c->data);
	memcpy(h->date, c->data, c->len + 1);	/* a date: 10 bytes */
	return 0;
}

/* The series index of name c: its predecessor's successor last time if
 * that is the name, else from the map. */
static uint32_t
hinted_series(struct acc *a, const struct tl_buf *c)
{
	struct hint *h = &a->h;
	uint32_t s, before = h->s;

	if (before != UINT32_MAX && (s = h->next[before]) != UINT32_MAX &&
	    strcmp(h->name[s], c->data) == 0)
		return h->s = s;
	s = intern(a->series, c->data);
	if (s >= h->n) {	/* (series of JSON records have no name here) */
		if (s >= h->cap) {
			h->cap = 2 * (size_t)s + 64;
			h->next = tl_xreallocarray(h->next, h->cap,
			    sizeof(*h->next));
			h->name = tl_xreallocarray(h->name, h->cap,
			    sizeof(*h->name));
		}
		for (; h->n <= s; h->n++) {
			h->next[h->n] = UINT32_MAX;
			h->name[h->n] = NULL;
		}
	}
	if (h->name[s] == NULL)
		h->name[s] = tl_xstrdup(c->data);
	if (before != UINT32_MAX)
		h->next[before] = s;
	return h->s = s;
}

/* A long CSV row whose record would be plain: a date, a series name that
 * is a string (not a number, a boolean or JSON), a finite number. */
static int
take_long_cells(struct acc *a, const struct tl_buf *c,
    const struct csvcols *k)
{
	const struct tl_buf *ser = &c[k->series];
	double v, dummy;
	uint32_t d;

	if (hinted_date(a, &c[k->date], &d) == -1 ||
	    tl_records_cell(ser, &dummy) != TL_CELL_STRING ||
	    cell_number(&c[k->value], &v) == -1)
		return 0;
	push(a, d, hinted_series(a, ser), v);
	return 1;
}

/* A wide CSV row whose cells are a date and finite numbers or empty. */
static int
take_wide_cells(struct acc *a, const struct tl_buf *c, struct csvcols *k)
{
	size_t i;
	uint32_t d;

	if (!valid_date(c[k->date].data))
		return 0;
	for (i = 0; i < k->nh; i++)
		if ((long)i != k->date && c[i].len > 0 &&
		    cell_number(&c[i], &k->v[i]) == -1)
			return 0;
	d = intern(a->dates, c[k->date].data);
	for (i = 0; i < k->nh; i++) {
		if ((long)i == k->date || c[i].len == 0)
			continue;
		if (k->sidx[i] == UINT32_MAX)	/* first value: a series */
			k->sidx[i] = intern(a->series, k->hdr[i]);
		push(a, d, k->sidx[i], k->v[i]);
	}
	return 1;
}

/* Once the shape is known: can rows be read from their cells?  Not with
 * dotted column names (nested records) or a missing column. */
static void
look(struct csvcols *k, struct tl_records *r, const struct acc *a,
    const struct tl_panel_opts *o)
{
	size_t i;

	k->looked = 1;
	k->hdr = tl_records_header(r, &k->nh);
	for (i = 0; i < k->nh; i++)
		if (strchr(k->hdr[i], '.') != NULL)
			return;
	k->date = column(k->hdr, k->nh, o->date_col);
	k->series = column(k->hdr, k->nh, o->series_col);
	k->value = column(k->hdr, k->nh, o->value_col);
	if (k->date < 0 || (!a->wide && (k->series < 0 || k->value < 0)))
		return;
	k->fast = 1;
	if (a->wide) {
		k->sidx = tl_xreallocarray(NULL, k->nh, sizeof(*k->sidx));
		for (i = 0; i < k->nh; i++)
			k->sidx[i] = UINT32_MAX;
		k->v = tl_xcalloc(k->nh, sizeof(*k->v));
	}
}

static int
read_one(struct acc *a, const char *path, const struct tl_panel_opts *o,
    struct tl_err *err)
{
	struct tl_records *r;
	struct csvcols k = { 0 };
	const struct tl_buf *cells;
	json_t *rec;
	int rc, status = 0, csv;

	if ((r = tl_records_open(path, o->fmt, err)) == NULL)
		return -1;
	a->files = tl_xreallocarray(a->files, a->nfiles + 1,
	    sizeof(*a->files));
	a->files[a->nfiles++] = tl_xstrdup(tl_records_name(r));
	/* CSV (returns.csv: a row per strategy and day; a wide panel of
	 * thousands of columns) is read from its cells: a JSON object per
	 * row costs more than the rest.  The first record, and any row that
	 * is not plain, goes through its JSON record, so that every message
	 * is the one take_record() gives. */
	csv = tl_records_fmt(r) == TL_FMT_CSV;
	for (;;) {
		if (!csv)
			rc = tl_records_next(r, &rec, err);
		else if ((rc = tl_records_next_cells(r, &cells, err)) == 1) {
			a->line = tl_records_line(r);
			if (!k.looked && a->wide >= 0)
				look(&k, r, a, o);
			if (k.fast && (a->wide ? take_wide_cells(a, cells, &k) :
			    take_long_cells(a, cells, &k)))
				continue;
			rc = tl_records_cells_record(r, &rec, err);
		}
		if (rc != 1)
			break;
		a->line = tl_records_line(r);
		status = take_record(a, rec, o, r, err);
		json_decref(rec);
		if (status < 0)
			break;
	}
	free(k.sidx);
	free(k.v);
	tl_records_free(r);
	return rc < 0 ? -1 : status;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted copies of the keys of m in names; rank[i] = sorted position of
 * the key first seen i-th. */
static char **
sorted_keys(const struct tl_map *m, uint32_t **rank)
{
	size_t n = tl_map_count(m), it = 0, len, i;
	char **names = tl_xcalloc(n ? n : 1, sizeof(*names));
	const char *key;
	uintptr_t val;

	while (tl_map_next(m, &it, &key, &len, &val))
		names[val] = tl_xstrdup(key);
	qsort(names, n, sizeof(*names), cmpstr);
	*rank = tl_xcalloc(n ? n : 1, sizeof(**rank));
	for (i = 0; i < n; i++)
		(*rank)[*tl_map_get(m, names[i], strlen(names[i]))] =
		    (uint32_t)i;
	return names;
}

/* The error for triple i, whose cell an earlier triple filled: where the
 * second was given, and the first. */
static int
twice(const struct acc *a, size_t i, const char *series, const char *date,
    struct tl_err *err)
{
	const struct triple *t = a->t, *f = a->t;

	while (f->d != t[i].d || f->s != t[i].s)
		f++;	/* the first one, before i */
	if (f->file == t[i].file)
		return tl_err_set(err, TL_EX_DATAERR, a->files[t[i].file],
		    t[i].line, "%s on %s: given twice (first on line %lu)",
		    series, date, f->line);
	return tl_err_set(err, TL_EX_DATAERR, a->files[t[i].file], t[i].line,
	    "%s on %s: given twice (first in %s:%lu)", series, date,
	    a->files[f->file], f->line);
}

int
tl_panel_read(struct tl_panel *p, char *const *paths, int npaths,
    const struct tl_panel_opts *o, struct tl_err *err)
{
	struct tl_panel_opts op = *o;
	struct acc a = { tl_map_alloc(), tl_map_alloc(), NULL, 0, 0, -1,
	    { "", 0, UINT32_MAX, NULL, NULL, 0, 0 }, NULL, 0, 0 };
	uint32_t *drank = NULL, *srank = NULL;
	size_t i, cell;
	int k, status = 0;

	memset(p, 0, sizeof(*p));
	op.date_col = o->date_col ? o->date_col : "date";
	op.series_col = o->series_col ? o->series_col : "strategy";
	op.value_col = o->value_col ? o->value_col : "return";
	for (k = 0; status == 0 && k < (npaths > 0 ? npaths : 1); k++)
		status = read_one(&a, npaths > 0 ? paths[k] : "-", &op, err);
	if (status == 0 && a.n == 0 && !o->empty_ok)
		status = tl_err_set(err, TL_EX_DATAERR,
		    npaths > 0 ? paths[0] : "<stdin>", 0, "no values");
	if (status < 0 || a.n == 0)
		goto out;

	p->dates = sorted_keys(a.dates, &drank);
	p->names = sorted_keys(a.series, &srank);
	p->ndates = tl_map_count(a.dates);
	p->nseries = tl_map_count(a.series);
	p->x = tl_xreallocarray(NULL, p->ndates * p->nseries, sizeof(*p->x));
	for (i = 0; i < p->ndates * p->nseries; i++)
		p->x[i] = NAN;
	for (i = 0; i < a.n; i++) {
		cell = (size_t)drank[a.t[i].d] * p->nseries + srank[a.t[i].s];
		if (!isnan(p->x[cell])) {
			status = twice(&a, i, p->names[srank[a.t[i].s]],
			    p->dates[drank[a.t[i].d]], err);
			tl_panel_free(p);
			break;
		}
		p->x[cell] = a.t[i].v;
	}
out:
	for (i = 0; i < a.h.n; i++)
		free(a.h.name[i]);
	free(a.h.name);
	free(a.h.next);
	free(drank);
	free(srank);
	for (i = 0; i < a.nfiles; i++)
		free(a.files[i]);
	free(a.files);
	free(a.t);
	tl_map_free(a.dates);
	tl_map_free(a.series);
	return status;
}

void
tl_panel_free(struct tl_panel *p)
{
	size_t i;

	for (i = 0; p->dates != NULL && i < p->ndates; i++)
		free(p->dates[i]);
	for (i = 0; p->names != NULL && i < p->nseries; i++)
		free(p->names[i]);
	free(p->dates);
	free(p->names);
	free(p->x);
	memset(p, 0, sizeof(*p));
}

static long
find(char *const *v, size_t n, const char *s)
{
	char *const *hit = bsearch(&s, v, n, sizeof(*v), cmpstr);

	return hit ? (long)(hit - v) : -1;
}

long
tl_panel_series(const struct tl_panel *p, const char *s)
{
	return find(p->names, p->nseries, s);
}

long
tl_panel_date(const struct tl_panel *p, const char *s)
{
	return find(p->dates, p->ndates, s);
}

size_t
tl_panel_count(const struct tl_panel *p, size_t j)
{
	size_t t, n = 0;

	for (t = 0; t < p->ndates; t++)
		n += !isnan(p->x[t * p->nseries + j]);
	return n;
}
