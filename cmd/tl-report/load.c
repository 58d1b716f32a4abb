/*
 * tl-report: reading a night.  Every input is optional and read
 * defensively: a missing file makes its section "missing" (the page says
 * "not run tonight"), a malformed one "malformed" with a note and a
 * warning, a missing or mistyped field n/a and a note that counts the
 * lines with the problem; no input can make it crash or invent a figure.
 * The facts of each section are built by its load function (the
 * section's file) with the getters here; this file holds the reading,
 * the facts helpers and the night as a whole.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "tl_err.h"
#include "tl_json.h"
#include "tl_jv.h"
#include "tl_records.h"
#include "tl_util.h"

#include "report.h"

#define FACTS_FORMAT	"tl-report-facts"
#define FACTS_VERSION	1

/* ---- facts helpers ---------------------------------------------------- */

/* a number, or null for NaN (never an invented zero) */
json_t *
jnum(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

void
put(json_t *o, const char *key, json_t *v)
{
	json_object_set_new(o, key, v);
}

void
putn(json_t *o, const char *key, double x)
{
	put(o, key, jnum(x));
}

void
puts_(json_t *o, const char *key, const char *s)
{
	put(o, key, s != NULL ? json_string(s) : json_null());
}

/* a number of facts object o, NaN if absent or null */
double
fnum(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

const char *
fstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* append a formatted string to a facts array */
const char *
plural(double n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

char *
count_of(char *buf, double n, const char *one, const char *many)
{
	char num[TL_DOC_NUMSZ];

	snprintf(buf, COUNTSZ, "%s %s", tl_doc_fmt_int(num, n), plural(n,
	    one, many));
	return buf;
}

void
addf(json_t *arr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(arr, json_string(buf));
}

/* descending by the number at key (NaN last), stable by index */
struct keyed {
	json_t	*o;		/* the row */
	double	 k;		/* sort key */
	size_t	 i;		/* input order */
};

static int
cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (isfinite(x->k) != isfinite(y->k))
		return isfinite(x->k) ? -1 : 1;
	if (isfinite(x->k) && x->k != y->k)
		return x->k > y->k ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* arr sorted by key(row) descending, as a new array */
json_t *
sorted(const json_t *arr, double (*key)(const json_t *))
{
	struct keyed *k;
	json_t *out = json_array(), *v;
	size_t i, n = json_array_size(arr);

	k = tl_xcalloc(n + 1, sizeof(*k));
	json_array_foreach(arr, i, v) {
		k[i].o = v;
		k[i].k = key(v);
		k[i].i = i;
	}
	qsort(k, n, sizeof(*k), cmp_keyed);
	for (i = 0; i < n; i++)
		json_array_append(out, k[i].o);
	free(k);
	return out;
}

/* sorted(), each row given its rank (the rows are arr's, shared) */
json_t *
ranked(const json_t *arr, double (*key)(const json_t *))
{
	json_t *out = sorted(arr, key), *v;
	size_t i;

	json_array_foreach(out, i, v)
		put(v, "rank", json_integer((json_int_t)i + 1));
	return out;
}

/* the element of arr whose key field equals s (and, if key2, key2 = s2) */
json_t *
find_by(const json_t *arr, const char *key, const char *s, const char *key2,
    const char *s2)
{
	json_t *v;
	size_t i;

	if (s == NULL)
		return NULL;
	json_array_foreach(arr, i, v) {
		const char *a = fstr(v, key), *b;

		if (a == NULL || strcmp(a, s) != 0)
			continue;
		if (key2 == NULL)
			return v;
		b = fstr(v, key2);
		if ((b == NULL && s2 == NULL) || (b != NULL && s2 != NULL &&
		    strcmp(b, s2) == 0))
			return v;
	}
	return NULL;
}

size_t
top_rows(const json_t *arr, const struct night *n)
{
	size_t k = json_array_size(arr);

	return k < (size_t)n->top ? k : (size_t)n->top;
}

/* ---- reading inputs defensively --------------------------------------- */

/* The value at a dotted path ("oob.r2"), or NULL. */
const json_t *
jpath(const json_t *o, const char *path)
{
	const char *dot;
	char key[128];
	size_t n;

	while (o != NULL && (dot = strchr(path, '.')) != NULL) {
		n = (size_t)(dot - path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = json_object_get(o, key);
		path = dot + 1;
	}
	return json_is_object(o) ? json_object_get(o, path) : NULL;
}

void
issue(struct src *s, const char *field, const char *what)
{
	size_t i;

	for (i = 0; i < s->niss; i++)
		if (strcmp(s->iss[i].field, field) == 0 &&
		    strcmp(s->iss[i].what, what) == 0) {
			s->iss[i].n++;
			return;
		}
	if (s->niss == MAX_ISSUES)
		return;
	snprintf(s->iss[i].field, sizeof(s->iss[i].field), "%s", field);
	s->iss[i].what = what;
	s->iss[i].first = s->line;
	s->iss[i].n = 1;
	s->niss++;
}

/* v when its type is one of ok (a bit per json_type), else NULL with an
 * issue: "missing" when it is required and absent or null, what ("not a
 * string" ...) when it has another type. */
static const json_t *
typed(struct src *s, const json_t *v, const char *field, int required,
    unsigned ok, const char *what)
{
	if (v == NULL || json_is_null(v)) {
		if (required)
			issue(s, field, "missing");
		return NULL;
	}
	if (!(ok & 1u << json_typeof(v))) {
		issue(s, field, what);
		return NULL;
	}
	return v;
}

/* The number v, its problems named field. */
double
num_named(struct src *s, const json_t *v, const char *field, int required)
{
	v = typed(s, v, field, required, 1u << JSON_INTEGER | 1u << JSON_REAL,
	    "not a number");
	return v != NULL ? json_number_value(v) : NAN;
}

double
get_num(struct src *s, const json_t *o, const char *key, int required)
{
	return num_named(s, jpath(o, key), key, required);
}

const char *
get_str(struct src *s, const json_t *o, const char *key, int required)
{
	return json_string_value(typed(s, jpath(o, key), key, required,
	    1u << JSON_STRING, "not a string"));
}

int
get_bool(struct src *s, const json_t *o, const char *key, int required)
{
	const json_t *v = typed(s, jpath(o, key), key, required,
	    1u << JSON_TRUE | 1u << JSON_FALSE, "not a boolean");

	return v != NULL ? json_is_true(v) : -1;
}

/* an array field, or NULL with an issue if present and not an array */
const json_t *
get_arr(struct src *s, const json_t *o, const char *key, int required)
{
	return typed(s, jpath(o, key), key, required, 1u << JSON_ARRAY,
	    "not an array");
}

/* A top-level member of a tl_jv row of one of the types ok (a bit per
 * enum tl_jt), or NULL with an issue (what: "not a string" ...) as the
 * getters above. */
const struct tl_jv *
jv_get(struct src *s, const struct tl_jdoc *d, const char *key,
    unsigned ok, const char *what, int required)
{
	const struct tl_jv *v = tl_jv_get(d, d->v, key);

	if (v == NULL || v->type == TL_JNULL) {
		if (required)
			issue(s, key, "missing");
		return NULL;
	}
	if (!(ok & 1u << v->type)) {
		issue(s, key, what);
		return NULL;
	}
	return v;
}

/* a note in the section, and a warning on stderr for tonight's inputs */
void
sec_note(struct night *n, struct sec *sec, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(sec->notes, json_string(buf));
	if (!n->is_prev && !n->quiet)
		tl_warn("%s", buf);
}

/* the issues of s as notes */
void
src_flush(struct night *n, struct sec *sec, struct src *s)
{
	const struct issue *is;
	size_t i;

	for (i = 0; i < s->niss; i++) {
		is = &s->iss[i];
		if (is->first == 0)
			sec_note(n, sec, "%s: field '%s' %s: shown as n/a",
			    s->file, is->field, is->what);
		else
			sec_note(n, sec, "%s: field '%s' %s on %zu %s "
			    "(first %lu): shown as n/a", s->file, is->field,
			    is->what, is->n, plural((double)is->n, "line",
			    "lines"), is->first);
	}
	s->niss = 0;
}

static void
sec_init(struct sec *sec, json_t *facts, const char *name)
{
	memset(sec, 0, sizeof(*sec));
	sec->obj = json_object();
	put(facts, name, sec->obj);
	put(sec->obj, "status", json_string("ok"));
	sec->files = json_object();
	put(sec->obj, "files", sec->files);
	sec->notes = json_array();
	put(sec->obj, "notes", sec->notes);
}

/* "missing" when no file was there, "partial" when some were missing or
 * malformed, else "ok" */
static void
sec_done(struct sec *sec)
{
	const char *st = "ok";

	if (sec->nmissing + sec->nbad == sec->nfiles)
		st = sec->nmissing == sec->nfiles ? "missing" : "malformed";
	else if (sec->nmissing + sec->nbad > 0)
		st = "partial";
	put(sec->obj, "status", json_string(st));
}

void
sec_file(struct sec *sec, const char *name, const char *state)
{
	put(sec->files, name, json_string(state));
	sec->nfiles++;
	if (strcmp(state, "missing") == 0)
		sec->nmissing++;
	else if (strcmp(state, "malformed") == 0)
		sec->nbad++;
}

char *
path_of(const char *dir, const char *name)
{
	struct tl_buf b;

	tl_buf_init(&b);
	tl_buf_printf(&b, "%s/%s", dir, name);
	return b.data;
}

int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Read dir/name as one JSON object of the given format.  Returns it (new),
 * or NULL: absent (state "missing") or malformed (state "malformed" and a
 * note). */
json_t *
read_json(struct night *n, struct sec *sec, const char *name,
    const char *format)
{
	struct tl_err err = { 0 };
	struct tl_buf b;
	char *path, chunk[8192];
	const char *fmt;
	json_t *v = NULL;
	json_int_t ver;
	size_t k;
	FILE *fp;

	path = path_of(n->dir, name);
	if ((fp = fopen(path, "rb")) == NULL) {
		if (errno == ENOENT)
			sec_file(sec, name, "missing");
		else {
			sec_file(sec, name, "malformed");
			sec_note(n, sec, "%s: cannot open: %s", name,
			    strerror(errno));
		}
		free(path);
		return NULL;
	}
	free(path);
	tl_buf_init(&b);
	while ((k = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		tl_buf_add(&b, chunk, k);
	if (ferror(fp)) {
		sec_note(n, sec, "%s: read error", name);
		goto bad;
	}
	if (b.len == 0) {
		sec_note(n, sec, "%s: empty file", name);
		goto bad;
	}
	if ((v = tl_json_parse(b.data, b.len, name, 0, &err)) == NULL) {
		sec_note(n, sec, "%s: %s", name, err.msg);
		goto bad;
	}
	if (!json_is_object(v)) {
		sec_note(n, sec, "%s: expected an object, got %s", name,
		    tl_json_typename(v));
		goto bad;
	}
	fmt = json_string_value(json_object_get(v, "format"));
	if (fmt != NULL && strcmp(fmt, format) != 0) {
		sec_note(n, sec, "%s: format '%s', expected '%s'", name, fmt,
		    format);
		goto bad;
	}
	ver = json_integer_value(json_object_get(v, "version"));
	if (json_object_get(v, "version") != NULL && ver != 1) {
		sec_note(n, sec, "%s: version %" JSON_INTEGER_FORMAT " is not "
		    "supported (this tl-report reads version 1)", name, ver);
		goto bad;
	}
	fclose(fp);
	tl_buf_release(&b);
	sec_file(sec, name, "ok");
	return v;
bad:
	fclose(fp);
	tl_buf_release(&b);
	json_decref(v);
	sec_file(sec, name, "malformed");
	return NULL;
}

/* The next line of r parsed by tl_jv into d: 1, 0 at the end, -1 for a bad
 * line (as tl_records_next()). */
static int
next_jv(struct tl_records *r, struct tl_jdoc *d, struct tl_err *err)
{
	const char *text;
	size_t len;
	int rc;

	if ((rc = tl_records_next_text(r, &text, &len, err)) != 1)
		return rc;
	if (tl_jdoc_parse(d, text, len, tl_records_name(r),
	    tl_records_line(r), err) == -1)
		return -1;
	if (d->v[0].type != TL_JOBJ)
		return tl_err_set(err, TL_EX_DATAERR, tl_records_name(r),
		    tl_records_line(r), "expected an object, got %s",
		    tl_jv_typename(&d->v[0]));
	return 1;
}

/* Read dir/name as JSON Lines, fn (jansson) or jfn (tl_jv, for the inputs
 * with a line per trade, where jansson's allocations dominate) for each
 * object.  Bad lines are skipped with a note.  Returns the number of good
 * lines, or -1 if the file is absent or unreadable. */
long
read_jsonl(struct night *n, struct sec *sec, const char *name, row_fn fn,
    jv_row_fn jfn, void *ctx)
{
	struct tl_err err = { 0 }, first = { 0 };
	struct tl_records *r;
	struct src s = { .file = name };
	struct tl_jdoc doc;
	json_t *rec = NULL;
	long good = 0, bad = 0;
	char *path;
	int rc;

	path = path_of(n->dir, name);
	if (!exists(path)) {
		free(path);
		sec_file(sec, name, "missing");
		return -1;
	}
	r = tl_records_open(path, TL_FMT_JSONL, &err);
	free(path);
	if (r == NULL) {
		sec_file(sec, name, "malformed");
		sec_note(n, sec, "%s: %s", name, err.msg);
		return -1;
	}
	tl_jdoc_init(&doc);
	while ((rc = jfn != NULL ? next_jv(r, &doc, &err) :
	    tl_records_next(r, &rec, &err)) != 0) {
		if (rc == -1) {
			if (bad++ == 0)
				first = err;
			if (tl_records_failed(r))
				break;
			continue;
		}
		s.line = tl_records_line(r);
		if (jfn != NULL)
			jfn(&s, &doc, ctx);
		else {
			fn(&s, rec, ctx);
			json_decref(rec);
		}
		good++;
	}
	tl_jdoc_release(&doc);
	tl_records_free(r);
	if (bad > 0) {
		/* where is the full path: keep the name and line only */
		const char *colon = strrchr(first.where, ':');

		sec_note(n, sec, "%s%s: %s (%ld bad %s skipped)", name,
		    colon != NULL ? colon : "", first.msg, bad,
		    plural((double)bad, "line", "lines"));
	}
	src_flush(n, sec, &s);
	sec_file(sec, name, bad > 0 && good == 0 ? "malformed" :
	    bad > 0 ? "bad lines" : good == 0 ? "empty" : "ok");
	return bad > 0 && good == 0 ? -1 : good;
}

struct rows {
	fields_fn	 fields;	/* a line to a row */
	json_t		*rows;		/* the rows */
};

static void
add_row(struct src *s, const json_t *rec, void *ctx)
{
	struct rows *r = ctx;
	json_t *o = json_object();

	r->fields(s, rec, o);
	json_array_append_new(r->rows, o);
}

json_t *
read_rows(struct night *n, struct sec *sec, const char *name,
    fields_fn fields)
{
	struct rows r = { fields, json_array() };

	if (read_jsonl(n, sec, name, add_row, NULL, &r) < 0) {
		json_decref(r.rows);
		return NULL;
	}
	return r.rows;
}

/* ---- the night -------------------------------------------------------- */

/* The night's date: pipeline.json's, else a YYYY-MM-DD directory name,
 * else the last date of returns.csv, else none. */
static void
night_date(struct night *n)
{
	const json_t *pl = json_object_get(n->facts, "pipeline");
	const char *d = fstr(pl, "date"), *base;
	json_t *night = json_object_get(n->facts, "night");
	int y, m, dd;
	char c;

	base = strrchr(n->dir, '/');
	base = base != NULL && base[1] != '\0' ? base + 1 : n->dir;
	if (d == NULL && strlen(base) == 10 && sscanf(base, "%4d-%2d-%2d%c",
	    &y, &m, &dd, &c) == 3)
		d = base;
	if (d == NULL && n->have_ret)
		d = n->ret.dates[n->ret.ndates - 1];
	puts_(night, "date", d);
}

void
load_night(struct night *n)
{
	struct sec sec;
	json_t *f;
	size_t i;

	n->facts = f = json_pack("{s:s,s:i}", "format", FACTS_FORMAT,
	    "version", FACTS_VERSION);
	put(f, "night", json_object());
	put(f, "attention", json_array());
	put(f, "changes", json_array());
	for (i = 0; i < nsections; i++) {
		sec_init(&sec, f, sections[i]->name);
		sections[i]->load(n, &sec);
		sec_done(&sec);
		n->ninputs += sec.nfiles - sec.nmissing;
	}
	night_date(n);
	for (i = 0; i < nsections; i++)
		if (sections[i]->finish != NULL)
			sections[i]->finish(n, json_object_get(f,
			    sections[i]->name));
}

void
night_release(struct night *n)
{
	json_decref(n->facts);
	json_decref(n->last_trade);
	if (n->have_ret)
		tl_panel_free(&n->ret);
	memset(n, 0, sizeof(*n));
}
