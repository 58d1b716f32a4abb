/*
 * JSONL and CSV records as JSON objects.  CSV is fed to libcsv one line at
 * a time (the line reader already handles gzip, BOM and CRLF), so that a
 * record's first line is known for messages and its raw text for rejects;
 * only '\n' ends a row, so a stray '\r' stays inside its cell.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "tl_json.h"
#include "tl_jv.h"
#include "tl_map.h"
#include "tl_num.h"
#include "tl_reader.h"
#include "tl_records.h"
#include "tl_util.h"

struct tl_records {
	struct tl_reader *rd;		/* the lines */
	enum tl_fmt	 fmt;		/* JSONL or CSV, never AUTO */
	unsigned long	 line;		/* first line of the current record */
	int		 failed;	/* cannot go on */
	const char	*raw;		/* raw text of the current record */
	size_t		 rawlen;	/* its length */
	size_t		 rawfull;	/* its whole length when raw is cut */
	size_t		 max;		/* longest record read */
	const char	*max_what;	/* the limit's name in messages */
	/* CSV only */
	struct csv_parser p;		/* libcsv state */
	int		 have_hdr;	/* header read */
	int		 in_rec;	/* a record spans lines */
	char		*bad_hdr;	/* why the header is unusable, or NULL */
	char		**hdr;		/* column names */
	size_t		 nhdr;		/* number of columns */
	struct tl_buf	*cells;		/* cells of the row being parsed */
	size_t		 ncells;	/* cells used */
	size_t		 capcells;	/* cells allocated */
	int		 row_done;	/* libcsv ended a row */
	int		 ascii;		/* the row is ASCII without NUL */
	struct tl_buf	 rawbuf;	/* lines of a multi-line record */
	struct tl_buf	 text;		/* a CSV row as JSON text */
	int		 nested;	/* a column name has a '.' */
	struct tl_buf	 keys;		/* "name": of each column, ... */
	size_t		*keyoff;	/* ... from keyoff[i] to [i + 1] */
};

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

enum tl_fmt
tl_fmt_from_name(const char *path)
{
	if (path != NULL && (ends_with(path, ".csv") ||
	    ends_with(path, ".csv.gz") || ends_with(path, ".CSV")))
		return TL_FMT_CSV;
	return TL_FMT_JSONL;
}

/* Does the name end in one of the suffixes, with or without ".gz"? */
static int
named(const char *path, const char *const *suffix, size_t n)
{
	char buf[16];
	size_t i;

	if (path == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%s.gz", suffix[i]);
		if (ends_with(path, suffix[i]) || ends_with(path, buf))
			return 1;
	}
	return 0;
}

enum tl_fmt
tl_fmt_sniff(const char *p, size_t n, const char *name)
{
	static const char *const lines[] = { ".jsonl", ".ndjson" };
	static const char *const doc[] = { ".json" };
	size_t i = 0, depth = 0;
	int in_str = 0, esc = 0;

	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
	    p[i] == '\n'))
		i++;
	if (i == n)
		return tl_fmt_from_name(name);
	if (named(name, lines, TL_NELEM(lines)))
		return TL_FMT_JSONL;
	if (p[i] == '[')
		return TL_FMT_JSON;
	if (p[i] != '{')
		return named(name, doc, TL_NELEM(doc)) ? TL_FMT_JSON :
		    TL_FMT_CSV;
	for (; i < n; i++) {
		if (in_str) {
			if (esc)
				esc = 0;
			else if (p[i] == '\\')
				esc = 1;
			else if (p[i] == '"')
				in_str = 0;
			else if (p[i] == '\n')
				return TL_FMT_JSONL;	/* broken: a line */
			continue;
		}
		if (p[i] == '"')
			in_str = 1;
		else if (p[i] == '{' || p[i] == '[')
			depth++;
		else if ((p[i] == '}' || p[i] == ']') && --depth == 0)
			return TL_FMT_JSONL;
		else if (p[i] == '\n')
			return TL_FMT_JSON;
	}
	return TL_FMT_JSONL;	/* a first line longer than we look at */
}

/* The hook of JSON documents: a reader of the records of a document
 * plugs in here (tl_records_next_text and tl_records_raw take its
 * records).  Until then a document is refused with what to do. */
static int
doc_open(struct tl_records *r, struct tl_err *err)
{
	return tl_err_set(err, TL_EX_DATAERR, tl_reader_name(r->rd), 0,
	    "a JSON document, not JSON Lines or CSV (one record a line: jq "
	    "-c '.[]' turns an array into JSON Lines)");
}

static int
is_term(unsigned char c)
{
	return c == '\n';
}

/* The one libcsv setup: strict quoting, only '\n' ends a row.  Its only
 * failure is out of memory. */
static void
csv_start(struct tl_records *r)
{
	if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)
	    != 0)
		tl_oom();
	csv_set_term_func(&r->p, is_term);
}

struct tl_records *
tl_records_open(const char *path, enum tl_fmt fmt, struct tl_err *err)
{
	struct tl_reader *rd;
	const char *head;
	size_t n;

	if ((rd = tl_reader_open(path, err)) == NULL)
		return NULL;
	if (fmt == TL_FMT_AUTO) {
		/* a read error here is met again where the lines reach it,
		 * after the good ones (a .gz with data appended) */
		if (tl_reader_peek(rd, TL_SNIFF_BYTES, &head, &n, err) == -1)
			tl_err_clear(err);
		fmt = tl_fmt_sniff(head, n, path);
	}
	return tl_records_open_reader(rd, fmt, err);
}

struct tl_records *
tl_records_open_reader(struct tl_reader *rd, enum tl_fmt fmt,
    struct tl_err *err)
{
	struct tl_records *r;

	r = tl_xcalloc(1, sizeof(*r));
	r->rd = rd;
	r->max = SIZE_MAX;
	r->fmt = fmt != TL_FMT_AUTO ? fmt :
	    tl_fmt_from_name(tl_reader_name(rd));
	if (r->fmt == TL_FMT_JSON && doc_open(r, err) == -1) {
		tl_reader_free(rd);
		free(r);
		return NULL;
	}
	if (r->fmt == TL_FMT_CSV) {
		csv_start(r);
		tl_buf_init(&r->rawbuf);
	}
	tl_buf_init(&r->text);
	return r;
}

void
tl_records_set_max(struct tl_records *r, size_t max, const char *what)
{
	r->max = max;
	r->max_what = what;
	tl_reader_set_max(r->rd, max);
}

/* A fresh libcsv parser, to start over on the next line. */
static void
reset_parser(struct tl_records *r)
{
	csv_free(&r->p);
	csv_start(r);
	r->in_rec = 0;
	r->ncells = 0;
}

/* No record read yet by this call. */
static void
clear_raw(struct tl_records *r)
{
	r->raw = NULL;
	r->rawlen = 0;
	r->rawfull = 0;
}

static size_t
count_quotes(const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += s[i] == '"';
	return k;
}

/* n, or less so that s[0..n) does not end inside a UTF-8 character. */
static size_t
utf8_cut(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = n, need;

	while (i > 0 && n - i < 4 && (u[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0 || u[i - 1] < 0xc0)
		return n;	/* ASCII or no lead byte: nothing to cut */
	need = u[i - 1] >= 0xf0 ? 4 : u[i - 1] >= 0xe0 ? 3 : 2;
	return n - (i - 1) < need ? i - 1 : n;
}

/* The record is over the limit: raw gets the start of head[0..n) and the
 * error says how long it was. */
static int
too_long(struct tl_records *r, const char *head, size_t n, size_t total,
    struct tl_err *err)
{
	r->raw = head;
	r->rawlen = utf8_cut(head, n < TL_READER_HEAD ? n : TL_READER_HEAD);
	r->rawfull = total;
	if (r->max_what != NULL)
		return tl_err_set(err, TL_EX_DATAERR, tl_reader_name(r->rd),
		    r->line, "record of %zu bytes exceeds %s %zu", total,
		    r->max_what, r->max);
	return tl_err_set(err, TL_EX_DATAERR, tl_reader_name(r->rd), r->line,
	    "record of %zu bytes exceeds the limit of %zu", total, r->max);
}

void
tl_records_free(struct tl_records *r)
{
	size_t i;

	if (r == NULL)
		return;
	if (r->fmt == TL_FMT_CSV) {
		csv_free(&r->p);
		tl_buf_release(&r->rawbuf);
	}
	tl_buf_release(&r->text);
	tl_buf_release(&r->keys);
	free(r->keyoff);
	free(r->bad_hdr);
	for (i = 0; i < r->nhdr; i++)
		free(r->hdr[i]);
	free(r->hdr);
	for (i = 0; i < r->capcells; i++)
		tl_buf_release(&r->cells[i]);
	free(r->cells);
	tl_reader_free(r->rd);
	free(r);
}

static int
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

/* A line libcsv would split at its commas and nothing else: no quote,
 * no space or tab (libcsv trims those around unquoted fields), no CR or
 * NUL.  Most CSV lines (returns.csv) are; they skip libcsv's
 * byte-at-a-time parse.  Returns 0 if not, 1 if plain, 2 if plain and
 * ASCII too (its cells need no UTF-8 check).  No branch per byte. */
static int
plain(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned c, high = 0, special = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		c = u[i];
		high |= c;
		special |= (c == '"') | (c == ' ') | (c == '\t') |
		    (c == '\r') | (c == 0);
	}
	return special ? 0 : high & 0x80 ? 1 : 2;
}

static void cb_cell(void *, size_t, void *);

/* The cells of a plain line, as libcsv would give them. */
static void
split_plain(struct tl_records *r, const char *s, size_t n)
{
	const char *end = s + n, *c;

	for (;;) {
		c = memchr(s, ',', (size_t)(end - s));
		cb_cell((void *)(uintptr_t)s, (size_t)((c ? c : end) - s), r);
		if (c == NULL)
			break;
		s = c + 1;
	}
	r->row_done = 1;
}

/* A read error ends the input; the record is the partial text read. */
static void
read_failed(struct tl_records *r, const char *s, size_t n)
{
	if (!r->in_rec)
		r->line = tl_reader_lineno(r->rd) + 1;
	r->failed = 1;
	r->raw = s;
	r->rawlen = n;
}

/* The next JSONL line that is not blank: 1 with *s and *n (also raw), 0
 * at the end, -1 for a read error (the input ends) or a line over the
 * limit (a bad record). */
static int
next_line(struct tl_records *r, const char **s, size_t *n,
    struct tl_err *err)
{
	size_t total, quotes;
	int rc;

	do {
		if ((rc = tl_reader_getline(r->rd, s, n, err)) == -1)
			read_failed(r, *s, *n);
		if (rc == 0 || rc == -1)
			return rc;
		r->line = tl_reader_lineno(r->rd);
		if (rc == 2) {
			tl_reader_long_line(r->rd, &total, &quotes);
			return too_long(r, *s, *n, total, err);
		}
	} while (blank(*s, *n));
	r->raw = *s;
	r->rawlen = *n;
	return 1;
}

static int
next_jsonl(struct tl_records *r, json_t **rec, struct tl_err *err)
{
	const char *s;
	size_t n;
	json_t *v;
	int rc;

	if ((rc = next_line(r, &s, &n, err)) != 1)
		return rc;
	if ((v = tl_json_parse(s, n, tl_reader_name(r->rd), r->line,
	    err)) == NULL)
		return -1;
	if (!json_is_object(v)) {
		tl_err_set(err, TL_EX_DATAERR, tl_reader_name(r->rd), r->line,
		    "expected an object, got %s", tl_json_typename(v));
		json_decref(v);
		return -1;
	}
	*rec = v;
	return 1;
}

static void
cb_cell(void *s, size_t n, void *data)
{
	struct tl_records *r = data;

	if (r->ncells == r->capcells) {
		r->capcells = r->capcells ? r->capcells * 2 : 16;
		r->cells = tl_xreallocarray(r->cells, r->capcells,
		    sizeof(*r->cells));
		memset(r->cells + r->ncells, 0,
		    (r->capcells - r->ncells) * sizeof(*r->cells));
	}
	tl_buf_reset(&r->cells[r->ncells]);
	tl_buf_add(&r->cells[r->ncells], s == NULL ? "" : s, n);
	r->ncells++;
}

static void
cb_row(int c, void *data)
{
	struct tl_records *r = data;

	(void)c;
	r->row_done = 1;
}

enum tl_cell
tl_records_cell(const struct tl_buf *b, double *num)
{
	long long ll;
	char *end;

	if (b->len == 0)
		return TL_CELL_EMPTY;
	if (tl_strtod_exact(b->data, b->len, num) == 0) {
		if (strpbrk(b->data, ".eE") == NULL) {
			ll = strtoll(b->data, &end, 10);
			if (*end == '\0' && (double)ll == *num) {
				*num = (double)ll;	/* "-0" is 0 */
				return TL_CELL_INTEGER;
			}
		}
		return TL_CELL_REAL;
	}
	if ((b->data[0] == 't' || b->data[0] == 'T') &&
	    strcmp(b->data + 1, "rue") == 0)
		return TL_CELL_TRUE;
	if ((b->data[0] == 'f' || b->data[0] == 'F') &&
	    strcmp(b->data + 1, "alse") == 0)
		return TL_CELL_FALSE;
	if (b->len > 1 && (b->data[0] == '[' || b->data[0] == '{'))
		return TL_CELL_JSON;
	return TL_CELL_STRING;
}

/* A cell's value: number, boolean, JSON array/object, or string. */
static json_t *
cell_value(const struct tl_buf *b)
{
	json_t *v;
	double d;

	switch (tl_records_cell(b, &d)) {
	case TL_CELL_INTEGER:	/* exactly, beyond 2^53 too */
		return json_integer(strtoll(b->data, NULL, 10));
	case TL_CELL_REAL:
		return json_real(d);
	case TL_CELL_TRUE:
		return json_true();
	case TL_CELL_FALSE:
		return json_false();
	case TL_CELL_JSON:
		if ((v = json_loadb(b->data, b->len, 0, NULL)) != NULL)
			return v;
		break;
	default:
		break;
	}
	return json_stringn(b->data, b->len);
}

static int
take_header(struct tl_records *r, struct tl_err *err)
{
	const char *name = tl_reader_name(r->rd);
	struct tl_map *seen = tl_map_alloc();
	size_t i;
	int added;

	r->hdr = tl_xcalloc(r->ncells, sizeof(*r->hdr));
	r->nhdr = r->ncells;
	r->have_hdr = 1;
	r->keyoff = tl_xcalloc(r->ncells + 1, sizeof(*r->keyoff));
	for (i = 0; i < r->ncells; i++) {
		r->hdr[i] = tl_xstrdup(r->cells[i].data);
		if (r->hdr[i][0] == '\0') {
			tl_err_set(err, TL_EX_DATAERR, name, r->line,
			    "CSV header: column %zu has no name", i + 1);
			break;
		}
		if (!tl_utf8_valid(r->cells[i].data, r->cells[i].len)) {
			tl_err_set(err, TL_EX_DATAERR, name, r->line,
			    "CSV header: column %zu: invalid UTF-8", i + 1);
			break;
		}
		r->nested |= strchr(r->hdr[i], '.') != NULL;
		tl_jv_append_string(&r->keys, r->hdr[i], strlen(r->hdr[i]));
		tl_buf_addc(&r->keys, ':');
		r->keyoff[i + 1] = r->keys.len;
		/* a hash of the names seen: 100,000 columns in linear time */
		tl_map_put(seen, r->hdr[i], strlen(r->hdr[i]), &added);
		if (!added) {
			tl_err_set(err, TL_EX_DATAERR, name, r->line,
			    "CSV header: duplicate column '%s'", r->hdr[i]);
			break;
		}
	}
	tl_map_free(seen);
	if (i == r->ncells)
		return 0;
	/* Every row after a bad header is an error for the same reason:
	 * none is read, none is lost without a word. */
	r->bad_hdr = tl_xstrdup(err->msg);
	return -1;
}

/* Is the row just read usable: a good header and as many cells? */
static int
row_ok(struct tl_records *r, struct tl_err *err)
{
	const char *name = tl_reader_name(r->rd);
	size_t i;

	if (r->bad_hdr != NULL)
		return tl_err_set(err, TL_EX_DATAERR, name, r->line, "%s",
		    r->bad_hdr);
	if (r->ncells != r->nhdr)
		return tl_err_set(err, TL_EX_DATAERR, name, r->line,
		    "expected %zu CSV fields, got %zu", r->nhdr, r->ncells);
	/* a cell that is not UTF-8 has no JSON string to become, and NUL
	 * has none that our readers take */
	for (i = 0; i < r->ncells && !r->ascii; i++)
		if (!tl_utf8_valid(r->cells[i].data, r->cells[i].len))
			return tl_err_set(err, TL_EX_DATAERR, name, r->line,
			    "column '%s': invalid UTF-8 or a NUL byte",
			    r->hdr[i]);
	return 0;
}

static int
make_row(struct tl_records *r, json_t **rec, struct tl_err *err)
{
	const char *name = tl_reader_name(r->rd);
	json_t *flat, *v;
	size_t i;

	if (row_ok(r, err) == -1)
		return -1;
	flat = json_object();
	for (i = 0; i < r->ncells; i++)
		if (r->cells[i].len > 0)
			json_object_set_new(flat, r->hdr[i],
			    cell_value(&r->cells[i]));
	v = tl_json_unflatten(flat, name, r->line, err);
	json_decref(flat);
	if (v == NULL)
		return -1;
	*rec = v;
	return 1;
}

/* Add a line of a CSV record over the limit (s[0..n), or the head of a
 * long line) to its length, quotes and kept start. */
static void
add_long(struct tl_records *r, const char *s, size_t n, int is_long,
    size_t *total, size_t *quotes)
{
	size_t len, q;

	if (is_long)
		tl_reader_long_line(r->rd, &len, &q);
	else {
		len = n;
		q = count_quotes(s, n);
	}
	*total += len;
	*quotes += q;
	if (r->rawbuf.len < TL_READER_HEAD)
		tl_buf_add(&r->rawbuf, s, n < TL_READER_HEAD - r->rawbuf.len ?
		    n : TL_READER_HEAD - r->rawbuf.len);
}

/* The CSV record that s[0..n) (a line, or the head of one over the limit
 * when is_long) starts or goes on is over the limit: read on to the line
 * where its quotes pair up (RFC 4180: a line ends a record when it ends
 * outside quotes), keeping its start, and reject it.  Over the limit the
 * header is a bad header.  Returns -1 with err set. */
static int
csv_too_long(struct tl_records *r, const char *s, size_t n, int is_long,
    struct tl_err *err)
{
	size_t total = 0, quotes = 0;
	int rc;

	if (r->in_rec) {
		total = r->rawbuf.len + 1;
		quotes = count_quotes(r->rawbuf.data, r->rawbuf.len);
		tl_buf_addc(&r->rawbuf, '\n');
	} else {
		r->line = tl_reader_lineno(r->rd);
		tl_buf_reset(&r->rawbuf);
	}
	add_long(r, s, n, is_long, &total, &quotes);
	while (quotes % 2 == 1) {
		if ((rc = tl_reader_getline(r->rd, &s, &n, err)) == -1) {
			read_failed(r, r->rawbuf.data, r->rawbuf.len);
			return -1;
		}
		if (rc == 0)
			break;
		total++;
		if (r->rawbuf.len < TL_READER_HEAD)
			tl_buf_addc(&r->rawbuf, '\n');
		add_long(r, s, n, rc == 2, &total, &quotes);
	}
	reset_parser(r);
	too_long(r, r->rawbuf.data, r->rawbuf.len, total, err);
	if (!r->have_hdr) {
		r->have_hdr = 1;
		tl_err_set(err, err->code, err->where, 0, "CSV header: %s",
		    err->msg);
		r->bad_hdr = tl_xstrdup(err->msg);
	}
	return -1;
}

/* The cells of the next CSV row (after the header) in r->cells: 1, 0 at
 * the end, -1 for a bad line or header. */
static int
read_csv_row(struct tl_records *r, struct tl_err *err)
{
	const char *s, *name = tl_reader_name(r->rd);
	size_t n;
	int rc;

	for (;;) {
		if ((rc = tl_reader_getline(r->rd, &s, &n, err)) == -1) {
			if (r->in_rec) {
				tl_buf_addc(&r->rawbuf, '\n');
				tl_buf_add(&r->rawbuf, s, n);
				read_failed(r, r->rawbuf.data, r->rawbuf.len);
			} else
				read_failed(r, s, n);
			return -1;
		}
		if (rc == 0) {
			if (!r->in_rec)
				return 0;
			/* The input ends here: once said, the next call
			 * must see the end, not this error again. */
			r->failed = 1;
			r->raw = r->rawbuf.data;
			r->rawlen = r->rawbuf.len;
			reset_parser(r);
			return tl_err_set(err, TL_EX_DATAERR, name, r->line,
			    "unterminated quoted CSV field at end of input");
		}
		if (rc == 2 || (r->in_rec && r->rawbuf.len + 1 + n > r->max))
			return csv_too_long(r, s, n, rc == 2, err);
		if (!r->in_rec) {
			if (blank(s, n))
				continue;
			r->line = tl_reader_lineno(r->rd);
			tl_buf_reset(&r->rawbuf);
			r->ncells = 0;
		} else
			tl_buf_addc(&r->rawbuf, '\n');
		tl_buf_add(&r->rawbuf, s, n);
		r->row_done = 0;
		r->ascii = r->in_rec ? 0 : plain(s, n);
		if (r->ascii > 0) {
			r->ascii = r->ascii == 2;
			split_plain(r, s, n);
		} else if (csv_parse(&r->p, s, n, cb_cell, cb_row, r) != n ||
		    csv_parse(&r->p, "\n", 1, cb_cell, cb_row, r) != 1) {
			/* Start over on the next line with a clean parser. */
			reset_parser(r);
			r->raw = r->rawbuf.data;
			r->rawlen = r->rawbuf.len;
			return tl_err_set(err, TL_EX_DATAERR, name, r->line,
			    "malformed CSV: a quote inside an unquoted field "
			    "or after a closing quote");
		}
		if (!r->row_done) {
			r->in_rec = 1;
			continue;
		}
		r->in_rec = 0;
		r->raw = r->rawbuf.data;
		r->rawlen = r->rawbuf.len;
		if (!r->have_hdr) {
			if (take_header(r, err) == -1)
				return -1;
			continue;
		}
		return 1;
	}
}

/* The row's JSON text straight from the cells, without building the
 * object: the same bytes as tl_json_append(make_row()) when no column
 * name has a dot. */
static void
row_text(struct tl_records *r)
{
	const struct tl_buf *c;
	char num[TL_NUM_BUFSZ];
	json_t *v;
	double d;
	size_t i;
	int first = 1, n;

	tl_buf_reset(&r->text);
	tl_buf_addc(&r->text, '{');
	for (i = 0; i < r->ncells; i++) {
		if ((c = &r->cells[i])->len == 0)
			continue;
		if (!first)
			tl_buf_addc(&r->text, ',');
		first = 0;
		tl_buf_add(&r->text, r->keys.data + r->keyoff[i],
		    r->keyoff[i + 1] - r->keyoff[i]);
		switch (tl_records_cell(c, &d)) {
		case TL_CELL_INTEGER:
			tl_buf_printf(&r->text, "%lld",
			    strtoll(c->data, NULL, 10));
			continue;
		case TL_CELL_REAL:
			n = tl_fmt_double(num, d);
			tl_buf_add(&r->text, num, (size_t)n);
			continue;
		case TL_CELL_TRUE:
			tl_buf_adds(&r->text, "true");
			continue;
		case TL_CELL_FALSE:
			tl_buf_adds(&r->text, "false");
			continue;
		case TL_CELL_JSON:
			if ((v = json_loadb(c->data, c->len, 0, NULL)) !=
			    NULL) {
				tl_json_append(&r->text, v);
				json_decref(v);
				continue;
			}
			break;
		default:
			break;
		}
		tl_jv_append_string(&r->text, c->data, c->len);
	}
	tl_buf_addc(&r->text, '}');
}

static int
next_csv(struct tl_records *r, json_t **rec, struct tl_err *err)
{
	int rc;

	if ((rc = read_csv_row(r, err)) != 1)
		return rc;
	return make_row(r, rec, err);
}

int
tl_records_next(struct tl_records *r, json_t **rec, struct tl_err *err)
{
	*rec = NULL;
	if (r->failed)
		return 0;
	clear_raw(r);
	return r->fmt == TL_FMT_CSV ? next_csv(r, rec, err) :
	    next_jsonl(r, rec, err);
}

int
tl_records_next_text(struct tl_records *r, const char **text, size_t *len,
    struct tl_err *err)
{
	json_t *rec;
	int rc;

	if (r->failed)
		return 0;
	clear_raw(r);
	if (r->fmt == TL_FMT_JSONL)
		return next_line(r, text, len, err);
	if ((rc = read_csv_row(r, err)) != 1)
		return rc;
	if (r->nested) {	/* dotted names nest: through jansson */
		if (make_row(r, &rec, err) == -1)
			return -1;
		tl_buf_reset(&r->text);
		tl_json_append(&r->text, rec);
		json_decref(rec);
	} else if (row_ok(r, err) == -1)
		return -1;
	else
		row_text(r);
	*text = r->text.data;
	*len = r->text.len;
	return 1;
}

int
tl_records_next_cells(struct tl_records *r, const struct tl_buf **cells,
    struct tl_err *err)
{
	int rc;

	*cells = NULL;
	if (r->failed)
		return 0;
	clear_raw(r);
	if (r->fmt != TL_FMT_CSV)
		return tl_err_set(err, TL_EX_SOFTWARE, tl_reader_name(r->rd),
		    0, "not CSV: no cells");
	if ((rc = read_csv_row(r, err)) != 1)
		return rc;
	if (row_ok(r, err) == -1)
		return -1;
	*cells = r->cells;
	return 1;
}

int
tl_records_cells_record(struct tl_records *r, json_t **rec,
    struct tl_err *err)
{
	return make_row(r, rec, err);
}

char *const *
tl_records_header(const struct tl_records *r, size_t *n)
{
	*n = r->have_hdr ? r->nhdr : 0;
	return r->hdr;
}

const char *
tl_records_raw(const struct tl_records *r, size_t *len)
{
	*len = r->rawlen;
	return r->raw != NULL ? r->raw : "";
}

size_t
tl_records_raw_length(const struct tl_records *r)
{
	return r->rawfull > r->rawlen ? r->rawfull : r->rawlen;
}

int
tl_records_failed(const struct tl_records *r)
{
	return r->failed;
}

const char *
tl_records_name(const struct tl_records *r)
{
	return tl_reader_name(r->rd);
}

unsigned long
tl_records_line(const struct tl_records *r)
{
	return r->line;
}

enum tl_fmt
tl_records_fmt(const struct tl_records *r)
{
	return r->fmt;
}

long long
tl_records_offset(const struct tl_records *r)
{
	return tl_reader_offset(r->rd);
}
