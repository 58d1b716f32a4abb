/*
 * tl-report: the nightly knowledge summary.  It reads the files a night's
 * run left in its directory (and, with --prev, those of the night before),
 * turns them into one object of facts, and writes that object three ways:
 * report.json (the facts, full precision), report.md (short text for a
 * person or an assistant) and report.html (one self-contained page with
 * charts).  Every input is optional and read defensively: a missing file
 * makes its section say "not run tonight", a malformed one a warning and
 * a degraded section, a missing or mistyped field "n/a" and a note; no
 * input can make it crash or invent a figure.
 *
 * The field names of the inputs live in the *_fields() functions only,
 * one per input file: when a tool changes its output, that function is
 * the one place to adjust.  Everything after them reads our facts.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "tl_doc.h"
#include "tl_err.h"
#include "tl_json.h"
#include "tl_jv.h"
#include "tl_num.h"
#include "tl_out.h"
#include "tl_panel.h"
#include "tl_records.h"
#include "tl_svg.h"
#include "tl_time.h"
#include "tl_util.h"

#define FACTS_FORMAT	"tl-report-facts"
#define FACTS_VERSION	1
#define MAX_ISSUES	16	/* distinct field problems noted per file */
#define MAX_REASONS	5	/* reject reasons listed */
#define MAX_CHANGES	3	/* largest changes listed per kind */
#define EQUITY_MAX	8	/* equity curves drawn (line colours) */
#define REJECT_WARN	0.05	/* share of rejected records worth a warning */
#define JOIN_WARN	0.5	/* share of decisions joined below: warning */
#define ECE_WARN	0.05	/* raw calibration error worth a warning */
#define PBO_WARN	0.5	/* probability of backtest overfitting */
#define BIN_MIN_N	30	/* reliability bins this full are compared */
#define WEIGHT_TOL	1e-6	/* weights should sum to 1 within this */

struct opts {
	const char	*json;		/* --json: facts also to this file */
	long		 top;		/* --top: rows per table */
	const char	*outdir;	/* -o, default the night directory */
	const char	*prev;		/* --prev: the night before */
	int		 quiet;		/* -q: no warnings on stderr */
	long		 stale_days;	/* --stale-days */
	const char	*title;		/* --title */
	const char	*night;		/* the night directory */
};

/* One input file being read: where we are and the field problems seen,
 * counted per field so that a bad column is one note, not a thousand. */
struct issue {
	char		 field[64];	/* dotted field name */
	const char	*what;		/* "missing", "not a number", ... */
	unsigned long	 first;		/* first line (0: a JSON file) */
	size_t		 n;		/* lines with the problem */
};

struct src {
	const char	*file;		/* name in the night directory */
	unsigned long	 line;		/* current line, 0 for a JSON file */
	struct issue	 iss[MAX_ISSUES];	/* problems seen */
	size_t		 niss;		/* their number */
};

/* A section of the facts being built. */
struct sec {
	json_t		*obj;		/* the section's facts (borrowed) */
	json_t		*files;		/* file name -> state */
	json_t		*notes;		/* notes, strings */
	size_t		 nfiles;	/* files looked for */
	size_t		 nmissing;	/* of which absent */
	size_t		 nbad;		/* of which malformed */
};

/* A night: its facts and the returns panel (curves stay out of facts). */
struct night {
	const char	*dir;		/* directory */
	int		 is_prev;	/* the night before: no warnings */
	int		 quiet;		/* -q */
	long		 top;		/* --top */
	long		 stale_days;	/* --stale-days */
	json_t		*facts;		/* the facts, new */
	struct tl_panel	 ret;		/* returns.csv when have_ret */
	int		 have_ret;	/* ret was read */
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: tl-report [-q] [-j file] [-n top] [-o outdir] [-p prevdir]\n"
"                 [-S days] [-t title] nightdir\n");
	if (fp != stdout)
		return;
	fprintf(fp,
"\nWrite the nightly report of a night directory (see tl-report(1)):\n"
"report.md, report.html and report.json in OUTDIR.\n\n"
"  -h, --help            this help\n"
"  -j, --json=FILE       also write the facts (report.json) to FILE, - for\n"
"                        stdout\n"
"  -n, --top=N           rows per table and chart (10)\n"
"  -o, --output=DIR      where to write the report (the night directory)\n"
"  -p, --prev=DIR        the previous night, for what changed\n"
"  -q, --quiet           no warnings about missing or malformed inputs\n"
"  -S, --stale-days=N    a strategy without a trade for more than N days\n"
"                        before the last trade is stale (5)\n"
"  -t, --title=TEXT      the report's title\n"
"  -V, --version         print the version\n");
}

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", required_argument, NULL, 'j' },
		{ "top", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "prev", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "stale-days", required_argument, NULL, 'S' },
		{ "title", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct tl_err err = { 0 };
	int ch, bad = 0;

	while ((ch = getopt_long(argc, argv, ":hj:n:o:p:qS:t:V", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			exit(tl_exit_status(TL_EX_OK));
		case 'j':
			o->json = optarg;
			break;
		case 'n':
			bad = tl_parse_long("--top", optarg, 1, 1000, &o->top,
			    &err);
			break;
		case 'o':
			o->outdir = optarg;
			break;
		case 'p':
			o->prev = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'S':
			bad = tl_parse_long("--stale-days", optarg, 0, 100000,
			    &o->stale_days, &err);
			break;
		case 't':
			o->title = optarg;
			break;
		case 'V':
			tl_version_exit();
		default:
			tl_bad_option(ch, argv[optind - 1]);
		}
		if (bad)
			tl_usage_error("%s: %s", err.where, err.msg);
	}
	if (optind >= argc)
		tl_usage_error("the night directory is needed");
	if (optind + 1 < argc)
		tl_usage_error("one night directory, not %d", argc - optind);
	o->night = argv[optind];
	if (o->outdir == NULL)
		o->outdir = o->night;
}

/* ---- facts helpers ---------------------------------------------------- */

/* a number, or null for NaN (never an invented zero) */
static json_t *
jnum(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static void
put(json_t *o, const char *key, json_t *v)
{
	json_object_set_new(o, key, v);
}

static void
putn(json_t *o, const char *key, double x)
{
	put(o, key, jnum(x));
}

static void
puts_(json_t *o, const char *key, const char *s)
{
	put(o, key, s != NULL ? json_string(s) : json_null());
}

/* a number of facts object o, NaN if absent or null */
static double
fnum(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *
fstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void
addf(json_t *arr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* append a formatted string to a facts array */
static void
addf(json_t *arr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(arr, json_string(buf));
}

/* ---- reading inputs defensively --------------------------------------- */

/* The value at a dotted path ("oob.r2"), or NULL. */
static const json_t *
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

static void
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

/* Field getters.  A required field that is absent, or any field of the
 * wrong type, is an issue; the value is then NaN, NULL or -1. */
/* The number v, its problems named field. */
static double
num_named(struct src *s, const json_t *v, const char *field, int required)
{
	if (v == NULL || json_is_null(v)) {
		if (required)
			issue(s, field, "missing");
		return NAN;
	}
	if (!json_is_number(v)) {
		issue(s, field, "not a number");
		return NAN;
	}
	return json_number_value(v);
}

static double
get_num(struct src *s, const json_t *o, const char *key, int required)
{
	return num_named(s, jpath(o, key), key, required);
}

static const char *
get_str(struct src *s, const json_t *o, const char *key, int required)
{
	const json_t *v = jpath(o, key);

	if (v == NULL || json_is_null(v)) {
		if (required)
			issue(s, key, "missing");
		return NULL;
	}
	if (!json_is_string(v)) {
		issue(s, key, "not a string");
		return NULL;
	}
	return json_string_value(v);
}

static int
get_bool(struct src *s, const json_t *o, const char *key, int required)
{
	const json_t *v = jpath(o, key);

	if (v == NULL || json_is_null(v)) {
		if (required)
			issue(s, key, "missing");
		return -1;
	}
	if (!json_is_boolean(v)) {
		issue(s, key, "not a boolean");
		return -1;
	}
	return json_is_true(v);
}

/* an array field, or NULL with an issue if present and not an array */
static const json_t *
get_arr(struct src *s, const json_t *o, const char *key, int required)
{
	const json_t *v = jpath(o, key);

	if (v == NULL || json_is_null(v)) {
		if (required)
			issue(s, key, "missing");
		return NULL;
	}
	if (!json_is_array(v)) {
		issue(s, key, "not an array");
		return NULL;
	}
	return v;
}

static void
sec_note(struct night *n, struct sec *sec, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* a note in the section, and a warning on stderr for tonight's inputs */
static void
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
static void
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
			sec_note(n, sec, "%s: field '%s' %s on %zu line%s "
			    "(first %lu): shown as n/a", s->file, is->field,
			    is->what, is->n, is->n == 1 ? "" : "s", is->first);
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

static void
sec_file(struct sec *sec, const char *name, const char *state)
{
	put(sec->files, name, json_string(state));
	sec->nfiles++;
	if (strcmp(state, "missing") == 0)
		sec->nmissing++;
	else if (strcmp(state, "malformed") == 0)
		sec->nbad++;
}

static char *
path_of(const char *dir, const char *name)
{
	struct tl_buf b;

	tl_buf_init(&b);
	tl_buf_printf(&b, "%s/%s", dir, name);
	return b.data;
}

static int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Read dir/name as one JSON object of the given format.  Returns it (new),
 * or NULL: absent (state "missing") or malformed (state "malformed" and a
 * note). */
static json_t *
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

typedef void (*row_fn)(struct src *s, const json_t *rec, void *ctx);
typedef void (*jv_row_fn)(struct src *s, const struct tl_jdoc *d,
    void *ctx);

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
static long
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

		sec_note(n, sec, "%s%s: %s (%ld bad line%s skipped)", name,
		    colon != NULL ? colon : "", first.msg, bad,
		    bad == 1 ? "" : "s");
	}
	src_flush(n, sec, &s);
	sec_file(sec, name, bad > 0 && good == 0 ? "malformed" :
	    bad > 0 ? "bad lines" : good == 0 ? "empty" : "ok");
	return bad > 0 && good == 0 ? -1 : good;
}

/* ---- the fields of each input (the one place that knows them) -------- */

/* pipeline.json (written by the nightly script) */
static void
pipeline_fields(struct src *s, const json_t *in, json_t *f)
{
	const json_t *steps, *st;
	json_t *out = json_array(), *o;
	size_t i;

	puts_(f, "date", get_str(s, in, "date", 0));
	puts_(f, "previous", get_str(s, in, "previous", 0));
	putn(f, "new_trades", get_num(s, in, "new_trades", 0));
	if ((steps = get_arr(s, in, "steps", 1)) != NULL)
		json_array_foreach(steps, i, st) {
			o = json_object();
			puts_(o, "name", get_str(s, st, "name", 1));
			puts_(o, "status", get_str(s, st, "status", 1));
			if (json_is_string(json_object_get(st, "reason")))
				puts_(o, "reason", get_str(s, st, "reason",
				    0));
			putn(o, "seconds", get_num(s, st, "seconds", 0));
			json_array_append_new(out, o);
		}
	put(f, "steps", out);
}

/* ingest.json (tl-ingest --summary) */
static void
ingest_fields(struct src *s, const json_t *in, json_t *f)
{
	static const char *const keys[] = { "files", "read", "accepted",
		"kinds.decisions", "kinds.outcomes", "kinds.runs",
		"kinds.promotions", "duplicates", "rejected", "conflicts",
		"joined", "unmatched_decisions", "orphan_outcomes",
		"dataset_rows" };
	char name[64], *p;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(name, sizeof(name), "%s", keys[i]);
		if ((p = strchr(name, '.')) != NULL)	/* kinds.x -> x */
			memmove(name, p + 1, strlen(p + 1) + 1);
		putn(f, name, get_num(s, in, keys[i], 1));
	}
}

/* rejects.jsonl: one line per rejected record */
static void
reject_fields(struct src *s, const json_t *in, const char **reason,
    const char **kind)
{
	*reason = get_str(s, in, "reason", 1);
	*kind = get_str(s, in, "kind", 0);
}

/* A top-level member of a tl_jv row of one of the types ok (a bit per
 * enum tl_jt), or NULL with an issue (what: "not a string" ...) as the
 * getters above. */
static const struct tl_jv *
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

/* trades.jsonl: decision joined with outcome (read with tl_jv: a line per
 * trade); strategy and date are borrowed from d, not NUL-terminated */
static void
trade_fields(struct src *s, const struct tl_jdoc *d,
    const struct tl_jv **strategy, const struct tl_jv **date,
    double *net_pnl, int *win)
{
	const struct tl_jv *v;

	*strategy = jv_get(s, d, "strategy", 1u << TL_JSTR, "not a string",
	    1);
	*date = jv_get(s, d, "date", 1u << TL_JSTR, "not a string", 1);
	v = jv_get(s, d, "net_pnl", 1u << TL_JNUM, "not a number", 1);
	*net_pnl = v != NULL ? v->num : NAN;
	v = jv_get(s, d, "win", 1u << TL_JTRUE | 1u << TL_JFALSE,
	    "not a boolean", 1);
	*win = v != NULL ? v->type == TL_JTRUE : -1;
}

/* forest.json (tl-train-forest summary) */
static void
forest_fields(struct src *s, const json_t *in, json_t *f)
{
	static const char *const kinds[] = { "permutation", "impurity" };
	const json_t *arr, *e;
	json_t *imp = json_object(), *list;
	char key[64];
	size_t i, k;

	puts_(f, "task", get_str(s, in, "task", 0));
	puts_(f, "target", get_str(s, in, "target", 1));
	putn(f, "n_rows", get_num(s, in, "n_rows", 1));
	putn(f, "n_features", get_num(s, in, "n_features", 0));
	putn(f, "oob_r2", get_num(s, in, "oob.r2", 0));
	putn(f, "oob_mse", get_num(s, in, "oob.mse", 0));
	putn(f, "baseline_mse", get_num(s, in, "baseline.mse", 0));
	putn(f, "oob_accuracy", get_num(s, in, "oob.accuracy", 0));
	putn(f, "baseline_accuracy", get_num(s, in, "baseline.accuracy", 0));
	for (k = 0; k < 2; k++) {
		snprintf(key, sizeof(key), "importance.%s", kinds[k]);
		if ((arr = get_arr(s, in, key, 0)) == NULL)
			continue;
		list = json_array();
		json_array_foreach(arr, i, e) {
			json_t *o = json_object();

			puts_(o, "feature", get_str(s, e, "feature", 1));
			putn(o, "importance", get_num(s, e, "importance", 1));
			json_array_append_new(list, o);
		}
		put(imp, kinds[k], list);
	}
	put(f, "importance", imp);
}

/* candidates.jsonl (tl-bayesopt) */
static void
candidate_fields(struct src *s, const json_t *in, json_t *o)
{
	const json_t *p = jpath(in, "params");

	puts_(o, "source", get_str(s, in, "source", 0));
	putn(o, "score", get_num(s, in, "score", 0));
	putn(o, "prediction", get_num(s, in, "prediction", 0));
	putn(o, "prediction_sd", get_num(s, in, "prediction_sd", 0));
	if (json_is_object(p))
		put(o, "params", json_deep_copy(p));
	else {
		issue(s, "params", p == NULL ? "missing" : "not an object");
		put(o, "params", json_null());
	}
}

/* allocation.jsonl (tl-allocate) */
static void
allocation_fields(struct src *s, const json_t *in, json_t *o)
{
	puts_(o, "strategy", get_str(s, in, "strategy", 1));
	putn(o, "weight", get_num(s, in, "weight", 1));
	putn(o, "prev_weight", get_num(s, in, "prev_weight", 0));
	putn(o, "change", get_num(s, in, "change", 0));
	putn(o, "expected_return", get_num(s, in, "expected_return", 0));
	putn(o, "volatility", get_num(s, in, "volatility", 0));
	putn(o, "risk_contribution", get_num(s, in, "risk_contribution", 0));
	/* a strategy left out of tonight's allocation, and why */
	if (json_object_get(in, "status") != NULL) {
		puts_(o, "status", get_str(s, in, "status", 0));
		puts_(o, "reason", get_str(s, in, "reason", 0));
	}
}

/* allocation-summary.json (tl-allocate) */
static void
allocation_summary_fields(struct src *s, const json_t *in, json_t *f)
{
	puts_(f, "method", get_str(s, in, "method", 0));
	putn(f, "expected_return", get_num(s, in, "expected_return", 0));
	putn(f, "volatility", get_num(s, in, "volatility", 0));
	putn(f, "sharpe", get_num(s, in, "sharpe", 0));
	putn(f, "effective_n", get_num(s, in, "effective_n", 0));
	putn(f, "turnover", get_num(s, in, "turnover", 0));
	/* strategies that come and go: what was estimated and who is out */
	puts_(f, "covariance", get_str(s, in, "covariance", 0));
	puts_(f, "covariance_reason", get_str(s, in, "covariance_reason",
	    0));
	putn(f, "days", get_num(s, in, "days", 0));
	putn(f, "cash", get_num(s, in, "cash", 0));
	if (json_is_object(jpath(in, "fallback"))) {
		json_t *fb = json_object();

		puts_(fb, "from", get_str(s, in, "fallback.from", 1));
		puts_(fb, "to", get_str(s, in, "fallback.to", 1));
		puts_(fb, "reason", get_str(s, in, "fallback.reason", 0));
		put(f, "fallback", fb);
	} else
		put(f, "fallback", json_null());
	if (get_arr(s, in, "excluded", 0) != NULL) {
		static const char *const keys[] = { "strategy", "status",
			"reason", "kind", "severity", "since" };
		const json_t *e;
		json_t *out = json_array(), *o;
		size_t i, k;

		json_array_foreach(jpath(in, "excluded"), i, e) {
			o = json_object();
			for (k = 0; k < TL_NELEM(keys); k++)
				puts_(o, keys[k], get_str(s, e, keys[k],
				    k < 2));
			json_array_append_new(out, o);
		}
		put(f, "excluded", out);
	}
}

/* alerts.jsonl (tl-overfit) */
static void
alert_fields(struct src *s, const json_t *in, json_t *o)
{
	const json_t *fig = jpath(in, "figures");

	puts_(o, "strategy", get_str(s, in, "strategy", 1));
	puts_(o, "kind", get_str(s, in, "kind", 1));
	puts_(o, "severity", get_str(s, in, "severity", 0));
	puts_(o, "since", get_str(s, in, "since", 0));
	puts_(o, "action", get_str(s, in, "action", 0));
	switch (get_bool(s, in, "acknowledged", 0)) {
	case 1:
		put(o, "acknowledged", json_true());
		break;
	case 0:
		put(o, "acknowledged", json_false());
		break;
	default:
		put(o, "acknowledged", json_null());
	}
	if (json_is_object(fig))
		put(o, "figures", json_deep_copy(fig));
	else if (fig != NULL && !json_is_null(fig))
		issue(s, "figures", "not an object");
}

/* overfit-stats.jsonl (tl-overfit) */
static void
overfit_stat_fields(struct src *s, const json_t *in, json_t *o)
{
	puts_(o, "strategy", get_str(s, in, "strategy", 1));
	putn(o, "n", get_num(s, in, "n", 0));
	putn(o, "sharpe", get_num(s, in, "sharpe", 0));
	putn(o, "psr", get_num(s, in, "psr", 0));
	putn(o, "dsr", get_num(s, in, "dsr", 0));
	putn(o, "mintrl", get_num(s, in, "mintrl", 0));
}

/* pbo.json (tl-overfit) */
static void
pbo_fields(struct src *s, const json_t *in, json_t *f)
{
	putn(f, "pbo", get_num(s, in, "pbo", 1));
}

/* weights.jsonl (tl-bandit) */
static void
weight_fields(struct src *s, const json_t *in, json_t *o)
{
	puts_(o, "arm", get_str(s, in, "arm", 1));
	puts_(o, "context", get_str(s, in, "context", 0));
	putn(o, "weight", get_num(s, in, "weight", 1));
	putn(o, "prev_weight", get_num(s, in, "prev_weight", 0));
	putn(o, "p_best", get_num(s, in, "p_best", 0));
	putn(o, "mean", get_num(s, in, "mean", 0));
	putn(o, "n", get_num(s, in, "n", 0));
}

/* kill.jsonl (tl-bandit) */
static void
kill_fields(struct src *s, const json_t *in, json_t *o)
{
	puts_(o, "arm", get_str(s, in, "arm", 1));
	putn(o, "p_bad", get_num(s, in, "p_bad", 0));
	putn(o, "win_rate", get_num(s, in, "win_rate", 0));
	putn(o, "mean_pnl", get_num(s, in, "mean_pnl", 0));
	putn(o, "n", get_num(s, in, "n", 0));
}

/* regimes.jsonl (tl-regime) */
static void
regime_fields(struct src *s, const json_t *in, json_t *o)
{
	const json_t *prob = get_arr(s, in, "prob", 0);
	double st = get_num(s, in, "state", 1), p = NAN;

	puts_(o, "date", get_str(s, in, "date", 1));
	putn(o, "state", st);
	puts_(o, "label", get_str(s, in, "label", 0));
	/* the probability of the state the row names */
	if (prob != NULL && st >= 0 && st == floor(st) &&
	    st < (double)json_array_size(prob)) {
		const json_t *v = json_array_get(prob, (size_t)st);

		if (json_is_number(v))
			p = json_number_value(v);
		else
			issue(s, "prob", "not an array of numbers");
	}
	putn(o, "prob", p);
}

/* A number of a row of the table at path where, its problems named
 * "where[].key": NaN if absent, null or not a number. */
static double
bin_num(struct src *s, const json_t *row, const char *where,
    const char *key, int required)
{
	char field[64];

	/* a longer name is cut, as issue() would cut it */
	if (snprintf(field, sizeof(field), "%s[].%s", where, key) < 0)
		field[0] = '\0';
	return num_named(s, json_object_get(row, key), field, required);
}

/* The reliability table of calibration-report.json (an array at path
 * where, or NULL) as facts: every bin, those without trades too (their
 * mean score, win rate and interval null).  Returns a new array, or null
 * when there is no table. */
static json_t *
bin_fields(struct src *s, const json_t *tab, const char *where)
{
	const json_t *row;
	json_t *out, *o;
	size_t i;
	double n;
	int full;

	if (tab == NULL)
		return json_null();
	out = json_array();
	json_array_foreach(tab, i, row) {
		if (!json_is_object(row)) {
			issue(s, where, "not an array of objects");
			continue;
		}
		o = json_object();
		n = bin_num(s, row, where, "n", 1);
		full = n > 0;
		putn(o, "lo", bin_num(s, row, where, "lo", 0));
		putn(o, "hi", bin_num(s, row, where, "hi", 0));
		putn(o, "n", n);
		putn(o, "mean_score", bin_num(s, row, where, "mean_score",
		    full));
		putn(o, "win_rate", bin_num(s, row, where, "win_rate", full));
		putn(o, "ci_lo", bin_num(s, row, where, "ci_lo", 0));
		putn(o, "ci_hi", bin_num(s, row, where, "ci_hi", 0));
		json_array_append_new(out, o);
	}
	return out;
}

/* calibration-report.json (tl-calibrate report) */
static void
calibration_fields(struct src *s, const json_t *in, json_t *f)
{
	static const char *const parts[] = { "raw", "calibrated" };
	const json_t *row;
	char key[64];
	size_t k, i;
	double worst = -1, d;

	putn(f, "n", get_num(s, in, "n", 1));
	putn(f, "wins", get_num(s, in, "wins", 0));
	puts_(f, "score", get_str(s, in, "score", 0));
	putn(f, "cv_folds", get_num(s, in, "cv.folds", 0));
	puts_(f, "cv_method", get_str(s, in, "cv.method", 0));
	puts_(f, "binning", get_str(s, in, "binning", 0));
	putn(f, "level", get_num(s, in, "level", 0));
	for (k = 0; k < 2; k++) {
		json_t *o;

		if (jpath(in, parts[k]) == NULL) {
			if (k == 0)
				issue(s, "raw", "missing");
			put(f, parts[k], json_null());
			continue;
		}
		o = json_object();
		snprintf(key, sizeof(key), "%s.brier", parts[k]);
		putn(o, "brier", get_num(s, in, key, 0));
		snprintf(key, sizeof(key), "%s.logloss", parts[k]);
		putn(o, "logloss", get_num(s, in, key, 0));
		snprintf(key, sizeof(key), "%s.ece", parts[k]);
		putn(o, "ece", get_num(s, in, key, 1));
		snprintf(key, sizeof(key), "%s.table", parts[k]);
		put(o, "bins", bin_fields(s, get_arr(s, in, key, 0), key));
		put(f, parts[k], o);
	}
	/* the raw reliability bin furthest from the diagonal */
	json_array_foreach(jpath(f, "raw.bins"), i, row) {
		double n = fnum(row, "n"), ms = fnum(row, "mean_score"),
		    wr = fnum(row, "win_rate");

		if (!(n >= BIN_MIN_N) || !isfinite(ms) || !isfinite(wr) ||
		    (d = fabs(ms - wr)) <= worst)
			continue;
		worst = d;
		put(f, "worst_bin", json_pack("{s:o,s:o,s:o,s:o,s:o}",
		    "lo", jnum(fnum(row, "lo")), "hi", jnum(fnum(row, "hi")),
		    "n", jnum(n), "mean_score", jnum(ms), "win_rate",
		    jnum(wr)));
	}
}

/* ---- sections: inputs to facts ---------------------------------------- */

static void
load_pipeline(struct night *n, json_t *facts)
{
	struct src s = { .file = "pipeline.json" };
	struct sec sec;
	json_t *in;

	sec_init(&sec, facts, "pipeline");
	if ((in = read_json(n, &sec, "pipeline.json", "tl-nightly-run")) !=
	    NULL) {
		pipeline_fields(&s, in, sec.obj);
		src_flush(n, &sec, &s);
	}
	json_decref(in);
	sec_done(&sec);
}

/* rejects grouped by reason: ids and numbers in quotes become '…' so that
 * "conflicting duplicate of outcome 'T00000503'" is one reason */
struct reasons {
	json_t	*count;		/* reason -> count */
	long	 n;		/* rejects */
};

static void
reject_row(struct src *s, const json_t *rec, void *ctx)
{
	struct reasons *r = ctx;
	const char *reason, *kind, *p, *q;
	struct tl_buf b;
	json_t *c;

	reject_fields(s, rec, &reason, &kind);
	r->n++;
	tl_buf_init(&b);
	if (kind != NULL)
		tl_buf_printf(&b, "%s: ", kind);
	for (p = reason != NULL ? reason : "(no reason given)"; *p != '\0';
	    p++) {
		if (*p == '\'' && (q = strchr(p + 1, '\'')) != NULL &&
		    strpbrk(p + 1, "0123456789") != NULL &&
		    strpbrk(p + 1, "0123456789") < q) {
			tl_buf_adds(&b, "'\xE2\x80\xA6'");
			p = q;
			continue;
		}
		tl_buf_addc(&b, *p);
	}
	c = json_object_get(r->count, b.data);
	json_object_set_new(r->count, b.data, json_integer(
	    json_integer_value(c) + 1));
	tl_buf_release(&b);
}

/* trades: per strategy, the last trade date */
struct trades {
	json_t	*last;		/* strategy -> last date */
	long	 n;		/* trades */
	long	 wins;		/* with win true */
	long	 known;	/* with win known */
	double	 pnl;		/* sum of net_pnl */
	long	 pnl_n;		/* trades with a net_pnl */
	char	 maxdate[16];	/* the latest date */
};

static void
trade_row(struct src *s, const struct tl_jdoc *d, void *ctx)
{
	struct trades *t = ctx;
	const struct tl_jv *st, *date;
	const char *old;
	char day[11];
	double pnl;
	int win;

	trade_fields(s, d, &st, &date, &pnl, &win);
	t->n++;
	if (win >= 0) {
		t->known++;
		t->wins += win;
	}
	if (isfinite(pnl)) {
		t->pnl += pnl;
		t->pnl_n++;
	}
	if (st == NULL || date == NULL || date->len != 10 ||
	    memchr(date->s, '\0', 10) != NULL)
		return;
	memcpy(day, date->s, 10);
	day[10] = '\0';
	old = json_string_value(json_object_getn(t->last, st->s, st->len));
	if (old == NULL || strcmp(day, old) > 0)
		json_object_setn_new(t->last, st->s, st->len,
		    json_string(day));
	if (strcmp(day, t->maxdate) > 0)
		memcpy(t->maxdate, day, sizeof(day));
}

/* days from a to b, both "YYYY-MM-DD"; LONG_MIN if either is not a date */
static long
days_between(const char *a, const char *b)
{
	int y1, m1, d1, y2, m2, d2;

	if (a == NULL || b == NULL || sscanf(a, "%4d-%2d-%2d", &y1, &m1,
	    &d1) != 3 || sscanf(b, "%4d-%2d-%2d", &y2, &m2, &d2) != 3)
		return LONG_MIN;
	return (long)(tl_days_from_civil(y2, m2, d2) -
	    tl_days_from_civil(y1, m1, d1));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
load_health(struct night *n, json_t *facts)
{
	struct src s = { .file = "ingest.json" };
	struct reasons r = { .count = json_object(), .n = 0 };
	struct trades t = { .last = json_object() };
	struct tl_panel_opts popts = { 0 };
	struct tl_err err = { 0 };
	struct sec sec;
	json_t *in, *ing, *arr, *o, *v;
	const char *key, **keys = NULL;
	char *path;
	size_t i, nk;
	long got;

	sec_init(&sec, facts, "health");
	if ((in = read_json(n, &sec, "ingest.json", "tl-ingest-summary")) !=
	    NULL) {
		ing = json_object();
		ingest_fields(&s, in, ing);
		src_flush(n, &sec, &s);
		put(sec.obj, "ingest", ing);
		json_decref(in);
	} else
		put(sec.obj, "ingest", json_null());

	/* rejects, by reason, most frequent first */
	got = read_jsonl(n, &sec, "rejects.jsonl", reject_row, NULL, &r);
	if (got >= 0) {
		v = json_object();
		putn(v, "n", (double)r.n);
		nk = json_object_size(r.count);
		keys = tl_xcalloc(nk + 1, sizeof(*keys));
		i = 0;
		json_object_foreach(r.count, key, o)
			keys[i++] = key;
		/* count descending, then reason: insertion sort, few keys */
		for (i = 1; i < nk; i++) {
			size_t j;

			for (j = i; j > 0; j--) {
				json_int_t a = json_integer_value(
				    json_object_get(r.count, keys[j - 1])),
				    b = json_integer_value(json_object_get(
				    r.count, keys[j]));
				const char *tmp;

				if (a > b || (a == b && strcmp(keys[j - 1],
				    keys[j]) <= 0))
					break;
				tmp = keys[j];
				keys[j] = keys[j - 1];
				keys[j - 1] = tmp;
			}
		}
		arr = json_array();
		for (i = 0; i < nk && i < MAX_REASONS; i++)
			json_array_append_new(arr, json_pack("{s:s,s:O}",
			    "reason", keys[i], "count",
			    json_object_get(r.count, keys[i])));
		put(v, "reasons", arr);
		putn(v, "other_reasons", nk > MAX_REASONS ?
		    (double)(nk - MAX_REASONS) : 0);
		put(sec.obj, "rejects", v);
		free(keys);
	} else
		put(sec.obj, "rejects", json_null());

	/* trades: counts and stale strategies */
	got = read_jsonl(n, &sec, "trades.jsonl", NULL, trade_row, &t);
	if (got >= 0) {
		v = json_object();
		putn(v, "n", (double)t.n);
		putn(v, "strategies", (double)json_object_size(t.last));
		putn(v, "win_rate", t.known > 0 ? (double)t.wins /
		    (double)t.known : NAN);
		putn(v, "net_pnl", t.pnl_n > 0 ? t.pnl : NAN);
		puts_(v, "last_date", t.maxdate[0] != '\0' ? t.maxdate : NULL);
		/* stale strategies, by name */
		arr = json_array();
		nk = json_object_size(t.last);
		keys = tl_xcalloc(nk + 1, sizeof(*keys));
		i = 0;
		json_object_foreach(t.last, key, o)
			keys[i++] = key;
		qsort(keys, nk, sizeof(*keys), cmp_str);
		for (i = 0; i < nk; i++) {
			const char *ld = fstr(t.last, keys[i]);
			long d = days_between(ld, t.maxdate);

			if (d != LONG_MIN && d > n->stale_days)
				json_array_append_new(arr, json_pack(
				    "{s:s,s:s,s:I}", "strategy", keys[i],
				    "last_date", ld, "days", (json_int_t)d));
		}
		free(keys);
		put(v, "stale", arr);
		putn(v, "stale_days", (double)n->stale_days);
		put(sec.obj, "trades", v);
	} else
		put(sec.obj, "trades", json_null());

	/* returns.csv: the panel, kept for the equity curves */
	path = path_of(n->dir, "returns.csv");
	if (!exists(path)) {
		sec_file(&sec, "returns.csv", "missing");
		put(sec.obj, "returns", json_null());
	} else if (tl_panel_read(&n->ret, &path, 1, &popts, &err) == -1) {
		const char *colon = strrchr(err.where, '/');

		sec_file(&sec, "returns.csv", "malformed");
		sec_note(n, &sec, "%s: %s", colon != NULL ? colon + 1 :
		    "returns.csv", err.msg);
		put(sec.obj, "returns", json_null());
	} else {
		n->have_ret = 1;
		sec_file(&sec, "returns.csv", "ok");
		put(sec.obj, "returns", json_pack("{s:I,s:I,s:s,s:s}",
		    "days", (json_int_t)n->ret.ndates,
		    "strategies", (json_int_t)n->ret.nseries,
		    "first_date", n->ret.dates[0],
		    "last_date", n->ret.dates[n->ret.ndates - 1]));
	}
	free(path);
	json_decref(r.count);
	json_decref(t.last);
	sec_done(&sec);
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
static json_t *
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

static double
key_importance(const json_t *o)
{
	return fnum(o, "importance");
}

static void
load_model(struct night *n, json_t *facts)
{
	struct src s = { .file = "forest.json" };
	struct sec sec;
	json_t *in, *imp, *list, *v;
	const char *kind;
	double mse, base;

	sec_init(&sec, facts, "model");
	if ((in = read_json(n, &sec, "forest.json", "tl-forest-summary")) ==
	    NULL) {
		sec_done(&sec);
		return;
	}
	forest_fields(&s, in, sec.obj);
	src_flush(n, &sec, &s);
	json_decref(in);
	mse = fnum(sec.obj, "oob_mse");
	base = fnum(sec.obj, "baseline_mse");
	/* the share of the mean predictor's error the forest removes */
	putn(sec.obj, "skill", base > 0 ? 1 - mse / base : NAN);
	/* the files say "sorted descending": we sort anyway, and rank */
	imp = json_object_get(sec.obj, "importance");
	json_object_foreach(imp, kind, list) {
		json_t *s2 = sorted(list, key_importance);
		size_t i;

		json_array_foreach(s2, i, v)
			put(v, "rank", json_integer((json_int_t)i + 1));
		json_object_set_new(imp, kind, s2);
	}
	kind = json_array_size(json_object_get(imp, "permutation")) > 0 ?
	    "permutation" : json_array_size(json_object_get(imp,
	    "impurity")) > 0 ? "impurity" : NULL;
	puts_(sec.obj, "importance_kind", kind);
	sec_done(&sec);
}

static void
candidate_row(struct src *s, const json_t *rec, void *ctx)
{
	json_t *o = json_object();

	candidate_fields(s, rec, o);
	json_array_append_new(ctx, o);
}

/* predicted fitness when there is one, else the score */
static double
key_candidate(const json_t *o)
{
	double p = fnum(o, "prediction");

	return isfinite(p) ? p : fnum(o, "score");
}

static void
load_candidates(struct night *n, json_t *facts)
{
	struct sec sec;
	json_t *all = json_array(), *top, *src, *v;
	const char *name;
	size_t i;

	sec_init(&sec, facts, "candidates");
	if (read_jsonl(n, &sec, "candidates.jsonl", candidate_row, NULL,
	    all) < 0) {
		json_decref(all);
		sec_done(&sec);
		return;
	}
	putn(sec.obj, "n", (double)json_array_size(all));
	src = json_object();
	json_array_foreach(all, i, v) {
		name = fstr(v, "source");
		name = name != NULL ? name : "unknown";
		json_object_set_new(src, name, json_integer(json_integer_value(
		    json_object_get(src, name)) + 1));
	}
	put(sec.obj, "by_source", src);
	top = sorted(all, key_candidate);
	while (json_array_size(top) > (size_t)n->top)
		json_array_remove(top, json_array_size(top) - 1);
	json_array_foreach(top, i, v)
		put(v, "rank", json_integer((json_int_t)i + 1));
	put(sec.obj, "top", top);
	json_decref(all);
	sec_done(&sec);
}

static void
allocation_row(struct src *s, const json_t *rec, void *ctx)
{
	json_t *o = json_object();

	allocation_fields(s, rec, o);
	json_array_append_new(ctx, o);
}

static double
key_weight(const json_t *o)
{
	return fnum(o, "weight");
}

/* cumulative growth of 1 per strategy in the panel (NaN days are flat) */
static double
total_return(const struct tl_panel *p, size_t j)
{
	double g = 1;
	size_t t;

	for (t = 0; t < p->ndates; t++)
		if (isfinite(p->x[t * p->nseries + j]))
			g *= 1 + p->x[t * p->nseries + j];
	return g - 1;
}

static void
load_allocation(struct night *n, json_t *facts)
{
	struct src s = { .file = "allocation-summary.json" };
	struct sec sec;
	json_t *rows = json_array(), *w, *v, *eq;
	double sum = 0;
	size_t i, k = 0;
	long got, j;

	sec_init(&sec, facts, "allocation");
	got = read_jsonl(n, &sec, "allocation.jsonl", allocation_row, NULL,
	    rows);
	if ((v = read_json(n, &sec, "allocation-summary.json",
	    "tl-allocation-summary")) != NULL) {
		json_t *sum_o = json_object();

		allocation_summary_fields(&s, v, sum_o);
		src_flush(n, &sec, &s);
		put(sec.obj, "summary", sum_o);
		json_decref(v);
	} else
		put(sec.obj, "summary", json_null());
	if (got < 0) {
		put(sec.obj, "weights", json_null());
		json_decref(rows);
		sec_done(&sec);
		return;
	}
	w = sorted(rows, key_weight);
	json_decref(rows);
	json_array_foreach(w, i, v) {
		double x = fnum(v, "weight");

		if (isfinite(x))
			sum += x;
	}
	put(sec.obj, "weights", w);
	putn(sec.obj, "weight_sum", sum);
	if (json_array_size(w) > 0 && fabs(sum - 1) > WEIGHT_TOL) {
		char num[TL_NUM_BUFSZ];

		tl_fmt_double(num, sum);
		sec_note(n, &sec, "allocation.jsonl: weights sum to %s, not 1",
		    num);
	}
	/* equity curves of the largest weights, from returns.csv */
	if (n->have_ret) {
		eq = json_array();
		json_array_foreach(w, i, v) {
			const char *st = fstr(v, "strategy");

			if (k == EQUITY_MAX || (size_t)k == (size_t)n->top)
				break;
			if (st == NULL || (j = tl_panel_series(&n->ret, st)) <
			    0)
				continue;
			json_array_append_new(eq, json_pack("{s:s,s:o,s:I}",
			    "strategy", st, "total_return", jnum(total_return(
			    &n->ret, (size_t)j)), "days", (json_int_t)
			    tl_panel_count(&n->ret, (size_t)j)));
			k++;
		}
		put(sec.obj, "equity", eq);
	} else
		put(sec.obj, "equity", json_null());
	sec_done(&sec);
}

static void
alert_row(struct src *s, const json_t *rec, void *ctx)
{
	json_t *o = json_object();

	alert_fields(s, rec, o);
	json_array_append_new(ctx, o);
}

static void
stat_row(struct src *s, const json_t *rec, void *ctx)
{
	json_t *o = json_object();

	overfit_stat_fields(s, rec, o);
	json_array_append_new(ctx, o);
}

/* ascending deflated Sharpe: the weakest first */
static double
key_neg_dsr(const json_t *o)
{
	return -fnum(o, "dsr");
}

static void
load_overfit(struct night *n, json_t *facts)
{
	struct src s = { .file = "pbo.json" };
	struct sec sec;
	json_t *alerts = json_array(), *stats = json_array(), *v, *p;

	sec_init(&sec, facts, "overfit");
	if (read_jsonl(n, &sec, "alerts.jsonl", alert_row, NULL, alerts) >= 0)
		put(sec.obj, "alerts", alerts);
	else {
		put(sec.obj, "alerts", json_null());
		json_decref(alerts);
	}
	if (read_jsonl(n, &sec, "overfit-stats.jsonl", stat_row, NULL,
	    stats) >=
	    0) {
		v = sorted(stats, key_neg_dsr);
		put(sec.obj, "stats", v);
	} else
		put(sec.obj, "stats", json_null());
	json_decref(stats);
	if ((v = read_json(n, &sec, "pbo.json", "tl-pbo")) != NULL) {
		p = json_object();
		pbo_fields(&s, v, p);
		src_flush(n, &sec, &s);
		putn(sec.obj, "pbo", fnum(p, "pbo"));
		json_decref(p);
		json_decref(v);
	} else
		put(sec.obj, "pbo", json_null());
	sec_done(&sec);
}

static void
weight_row(struct src *s, const json_t *rec, void *ctx)
{
	json_t *o = json_object();

	weight_fields(s, rec, o);
	json_array_append_new(ctx, o);
}

static void
kill_row(struct src *s, const json_t *rec, void *ctx)
{
	json_t *o = json_object();

	kill_fields(s, rec, o);
	json_array_append_new(ctx, o);
}

static double
key_p_bad(const json_t *o)
{
	return fnum(o, "p_bad");
}

/* context (none first), then weight descending, then arm */
static int
cmp_weight_rows(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	const char *cx = fstr(x, "context"), *cy = fstr(y, "context");
	double wx = fnum(x, "weight"), wy = fnum(y, "weight");
	int c;

	if ((cx == NULL) != (cy == NULL))
		return cx == NULL ? -1 : 1;
	if (cx != NULL && (c = strcmp(cx, cy)) != 0)
		return c;
	if (isfinite(wx) != isfinite(wy))
		return isfinite(wx) ? -1 : 1;
	if (isfinite(wx) && wx != wy)
		return wx > wy ? -1 : 1;
	cx = fstr(x, "arm");
	cy = fstr(y, "arm");
	return strcmp(cx != NULL ? cx : "", cy != NULL ? cy : "");
}

static void
load_bandit(struct night *n, json_t *facts)
{
	struct sec sec;
	json_t *w = json_array(), *k = json_array(), **v, *out;
	size_t i, m;

	sec_init(&sec, facts, "bandit");
	if (read_jsonl(n, &sec, "weights.jsonl", weight_row, NULL, w) >= 0) {
		m = json_array_size(w);
		v = tl_xcalloc(m + 1, sizeof(*v));
		for (i = 0; i < m; i++)
			v[i] = json_array_get(w, i);
		qsort(v, m, sizeof(*v), cmp_weight_rows);
		out = json_array();
		for (i = 0; i < m; i++) {
			double c = fnum(v[i], "weight") - fnum(v[i],
			    "prev_weight");

			putn(v[i], "change", c);
			json_array_append(out, v[i]);
		}
		free(v);
		put(sec.obj, "weights", out);
	} else
		put(sec.obj, "weights", json_null());
	json_decref(w);
	if (read_jsonl(n, &sec, "kill.jsonl", kill_row, NULL, k) >= 0)
		put(sec.obj, "kill", sorted(k, key_p_bad));
	else
		put(sec.obj, "kill", json_null());
	json_decref(k);
	sec_done(&sec);
}

struct regimes {
	json_t	*last;		/* the last row's facts */
	json_t	*run_start;	/* first row of the last run of its state */
	json_t	*before;	/* the row before that run */
	long	 run;		/* rows in the last run */
	long	 n;		/* rows */
};

/* same regime: same label if both have one, else same state */
static int
same_regime(const json_t *a, const json_t *b)
{
	const char *la = fstr(a, "label"), *lb = fstr(b, "label");

	if (la != NULL && lb != NULL)
		return strcmp(la, lb) == 0;
	return fnum(a, "state") == fnum(b, "state");
}

static void
regime_row(struct src *s, const json_t *rec, void *ctx)
{
	struct regimes *r = ctx;
	json_t *o = json_object();

	regime_fields(s, rec, o);
	r->n++;
	if (r->last != NULL && same_regime(r->last, o)) {
		r->run++;
		json_decref(r->last);
	} else {
		json_decref(r->before);
		r->before = r->last;
		json_decref(r->run_start);
		r->run_start = json_incref(o);
		r->run = 1;
	}
	r->last = o;
}

static void
load_regime(struct night *n, json_t *facts)
{
	struct regimes r = { 0 };
	struct sec sec;

	sec_init(&sec, facts, "regime");
	if (read_jsonl(n, &sec, "regimes.jsonl", regime_row, NULL, &r) > 0) {
		put(sec.obj, "today", json_incref(r.last));
		putn(sec.obj, "days_in_regime", (double)r.run);
		puts_(sec.obj, "since", fstr(r.run_start, "date"));
		put(sec.obj, "before", r.before != NULL ? json_incref(
		    r.before) : json_null());
		putn(sec.obj, "rows", (double)r.n);
	} else
		put(sec.obj, "today", json_null());
	json_decref(r.last);
	json_decref(r.run_start);
	json_decref(r.before);
	sec_done(&sec);
}

static void
load_calibration(struct night *n, json_t *facts)
{
	struct src s = { .file = "calibration-report.json" };
	struct sec sec;
	json_t *in;

	sec_init(&sec, facts, "calibration");
	if ((in = read_json(n, &sec, "calibration-report.json",
	    "tl-calibration-report")) != NULL) {
		calibration_fields(&s, in, sec.obj);
		src_flush(n, &sec, &s);
		putn(sec.obj, "win_rate", fnum(sec.obj, "wins") /
		    fnum(sec.obj, "n"));
	}
	json_decref(in);
	sec_done(&sec);
}

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

static int
load_night(struct night *n)
{
	json_t *f;

	n->facts = f = json_pack("{s:s,s:i}", "format", FACTS_FORMAT,
	    "version", FACTS_VERSION);
	put(f, "night", json_object());
	put(f, "attention", json_array());
	put(f, "changes", json_array());
	load_pipeline(n, f);
	load_health(n, f);
	load_model(n, f);
	load_candidates(n, f);
	load_allocation(n, f);
	load_overfit(n, f);
	load_bandit(n, f);
	load_regime(n, f);
	load_calibration(n, f);
	night_date(n);
	return 0;
}

static void
night_release(struct night *n)
{
	json_decref(n->facts);
	if (n->have_ret)
		tl_panel_free(&n->ret);
	memset(n, 0, sizeof(*n));
}

/* ---- relating two nights, and what needs attention -------------------- */

/* the element of arr whose key field equals s (and, if key2, key2 = s2) */
static json_t *
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

static const char *
sec_status(const json_t *facts, const char *name)
{
	return fstr(json_object_get(facts, name), "status");
}

static int
has(const json_t *facts, const char *name)
{
	const char *st = sec_status(facts, name);

	return st != NULL && strcmp(st, "missing") != 0 &&
	    strcmp(st, "malformed") != 0;
}

static double
key_abs_change(const json_t *o)
{
	return fabs(fnum(o, "change"));
}

/* Alerts: new, ongoing or acknowledged.  Without the night before, an
 * alert is new when it started tonight. */
static void
classify_alerts(json_t *today, const json_t *prev, const char *date)
{
	json_t *alerts = json_object_get(json_object_get(today, "overfit"),
	    "alerts"), *pa = NULL, *v;
	size_t i;
	const char *st;

	if (prev != NULL && has(prev, "overfit"))
		pa = json_object_get(json_object_get(prev, "overfit"),
		    "alerts");
	json_array_foreach(alerts, i, v) {
		const char *since = fstr(v, "since");

		if (json_is_true(json_object_get(v, "acknowledged")))
			st = "acknowledged";
		else if (pa != NULL)
			st = find_by(pa, "strategy", fstr(v, "strategy"),
			    "kind", fstr(v, "kind")) != NULL ? "ongoing" :
			    "new";
		else if (since != NULL && date != NULL)
			st = strcmp(since, date) >= 0 ? "new" : "ongoing";
		else
			st = "open";
		puts_(v, "status", st);
	}
}

static int
status_rank(const char *s)
{
	static const char *const order[] = { "new", "open", "ongoing",
		"acknowledged" };
	int i;

	for (i = 0; i < 4; i++)
		if (s != NULL && strcmp(s, order[i]) == 0)
			return i;
	return 4;
}

static int
severity_rank(const char *s)
{
	static const char *const order[] = { "high", "medium", "low" };
	int i;

	for (i = 0; i < 3; i++)
		if (s != NULL && strcmp(s, order[i]) == 0)
			return i;
	return 3;
}

static int
cmp_alerts(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	const char *sx, *sy;
	int c;

	if ((c = status_rank(fstr(x, "status")) - status_rank(fstr(y,
	    "status"))) != 0)
		return c;
	if ((c = severity_rank(fstr(x, "severity")) - severity_rank(fstr(y,
	    "severity"))) != 0)
		return c;
	sx = fstr(x, "strategy");
	sy = fstr(y, "strategy");
	if ((c = strcmp(sx != NULL ? sx : "", sy != NULL ? sy : "")) != 0)
		return c;
	sx = fstr(x, "kind");
	sy = fstr(y, "kind");
	return strcmp(sx != NULL ? sx : "", sy != NULL ? sy : "");
}

static void
sort_alerts(json_t *of)
{
	json_t *alerts = json_object_get(of, "alerts"), **v, *out, *cnt;
	size_t i, n = json_array_size(alerts);

	if (alerts == NULL || json_is_null(alerts))
		return;
	v = tl_xcalloc(n + 1, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = json_array_get(alerts, i);
	qsort(v, n, sizeof(*v), cmp_alerts);
	out = json_array();
	cnt = json_pack("{s:i,s:i,s:i,s:i}", "new", 0, "ongoing", 0,
	    "acknowledged", 0, "open", 0);
	for (i = 0; i < n; i++) {
		const char *st = fstr(v[i], "status");

		json_array_append(out, v[i]);
		if (st != NULL)
			json_object_set_new(cnt, st, json_integer(
			    json_integer_value(json_object_get(cnt, st)) + 1));
	}
	free(v);
	put(of, "alerts", out);
	put(of, "counts", cnt);
}

/* a regime's state number for text, "n/a" when there is none */
static void
state_name(char *buf, const json_t *row)
{
	if (tl_fmt_double(buf, fnum(row, "state")) < 0)
		strcpy(buf, "n/a");
}

/* the largest changes of rows (by |change|) as change lines */
static void
largest_changes(json_t *ch, const json_t *rows, const char *what,
    const char *namekey, const char *ctxkey)
{
	json_t *s;
	json_t *v;
	char a[TL_DOC_NUMSZ], b[TL_DOC_NUMSZ], c[TL_DOC_NUMSZ];
	size_t i, k = 0;

	if (!json_is_array(rows))
		return;
	s = sorted(rows, key_abs_change);
	json_array_foreach(s, i, v) {
		double d = fnum(v, "change");
		const char *cx = ctxkey != NULL ? fstr(v, ctxkey) : NULL;

		if (!isfinite(d) || fabs(d) < 0.0005 || k == MAX_CHANGES)
			break;	/* below what one decimal of % shows */
		addf(ch, "%s: %s%s%s weight %s (yesterday %s, %s pp)", what,
		    cx != NULL ? cx : "", cx != NULL ? "/" : "",
		    fstr(v, namekey) != NULL ? fstr(v, namekey) : "n/a",
		    tl_doc_fmt_pct(a, fnum(v, "weight"), 1),
		    tl_doc_fmt_pct(b, fnum(v, "prev_weight"), 1),
		    tl_doc_fmt_signed(c, d * 100, 1));
		k++;
	}
	json_decref(s);
}

/* Yesterday's figures beside today's, and the list of changes.  p is
 * NULL without --prev: then only the files' own prev_weight count. */
static void
relate(json_t *t, const json_t *p)
{
	json_t *ch = json_object_get(t, "changes"), *v, *pv, *arr, *parr;
	char a[TL_DOC_NUMSZ], b[TL_DOC_NUMSZ], c[TL_DOC_NUMSZ];
	const json_t *ti, *pi;
	const char *kind, *s1, *s2;
	size_t i;

	/* data */
	ti = json_object_get(json_object_get(t, "health"), "ingest");
	pi = json_object_get(json_object_get(p, "health"), "ingest");
	if (json_is_object(ti) && json_is_object(pi)) {
		static const char *const keys[] = { "read", "accepted",
			"rejected", "joined" };

		for (i = 0; i < 4; i++) {
			double x = fnum(ti, keys[i]), y = fnum(pi, keys[i]);

			tl_fmt_double(a, x);
			tl_fmt_double(b, y);
			if (isfinite(x) && isfinite(y) && x != y)
				addf(ch, "data: %s %s (yesterday %s)", keys[i],
				    a, b);
		}
	}

	/* model */
	ti = json_object_get(t, "model");
	pi = json_object_get(p, "model");
	if (has(t, "model") && has(p, "model")) {
		double x = fnum(ti, "oob_r2"), y = fnum(pi, "oob_r2");

		putn((json_t *)ti, "prev_oob_r2", y);
		putn((json_t *)ti, "prev_skill", fnum(pi, "skill"));
		if (isfinite(x) && isfinite(y))
			addf(ch, "model: OOB R\xC2\xB2 %s (yesterday %s, %s)",
			    (tl_svg_fmt_fixed(a, x, 3), a),
			    (tl_svg_fmt_fixed(b, y, 3), b),
			    tl_doc_fmt_signed(c, x - y, 3));
		kind = fstr(ti, "importance_kind");
		arr = kind != NULL ? json_object_get(json_object_get(ti,
		    "importance"), kind) : NULL;
		parr = kind != NULL ? json_object_get(json_object_get(pi,
		    "importance"), kind) : NULL;
		json_array_foreach(arr, i, v) {
			pv = find_by(parr, "feature", fstr(v, "feature"), NULL,
			    NULL);
			putn(v, "prev_importance", pv != NULL ? fnum(pv,
			    "importance") : NAN);
			putn(v, "prev_rank", pv != NULL ? fnum(pv, "rank") :
			    NAN);
		}
		s1 = fstr(json_array_get(arr, 0), "feature");
		s2 = fstr(json_array_get(parr, 0), "feature");
		if (s1 != NULL && s2 != NULL && strcmp(s1, s2) != 0)
			addf(ch, "model: top feature is now %s (yesterday %s)",
			    s1, s2);
	}

	/* candidates */
	if (has(t, "candidates") && has(p, "candidates")) {
		double x = fnum(json_object_get(t, "candidates"), "n"),
		    y = fnum(json_object_get(p, "candidates"), "n");

		if (x != y)
			addf(ch, "candidates: %s (yesterday %s)",
			    (tl_fmt_double(a, x), a), (tl_fmt_double(b, y),
			    b));
	}

	/* allocation: yesterday's weight where the file has none */
	arr = json_object_get(json_object_get(t, "allocation"), "weights");
	parr = json_object_get(json_object_get(p, "allocation"), "weights");
	json_array_foreach(arr, i, v) {
		if (!isfinite(fnum(v, "prev_weight")) && json_is_array(parr)) {
			pv = find_by(parr, "strategy", fstr(v, "strategy"),
			    NULL, NULL);
			/* absent yesterday: it had no weight */
			putn(v, "prev_weight", pv != NULL ? fnum(pv, "weight")
			    : 0);
		}
	}
	json_array_foreach(arr, i, v) {
		if (!isfinite(fnum(v, "change")))
			putn(v, "change", fnum(v, "weight") - fnum(v,
			    "prev_weight"));
	}
	largest_changes(ch, arr, "allocation", "strategy", NULL);
	if (json_is_array(arr) && json_is_array(parr))
		json_array_foreach(parr, i, pv) {
			s1 = fstr(pv, "strategy");
			if (s1 != NULL && fnum(pv, "weight") > 0 &&
			    find_by(arr, "strategy", s1, NULL, NULL) == NULL)
				addf(ch, "allocation: %s dropped (yesterday "
				    "%s)", s1, tl_doc_fmt_pct(a, fnum(pv,
				    "weight"), 1));
		}

	/* alerts resolved since yesterday */
	arr = json_object_get(json_object_get(t, "overfit"), "alerts");
	parr = json_object_get(json_object_get(p, "overfit"), "alerts");
	if (json_is_array(arr) && json_is_array(parr)) {
		json_array_foreach(parr, i, pv)
			if (find_by(arr, "strategy", fstr(pv, "strategy"),
			    "kind", fstr(pv, "kind")) == NULL)
				addf(ch, "overfit: alert %s %s resolved",
				    fstr(pv, "strategy") != NULL ? fstr(pv,
				    "strategy") : "n/a", fstr(pv, "kind") !=
				    NULL ? fstr(pv, "kind") : "n/a");
	}

	/* bandit: yesterday's weight where the file has none; kill list */
	arr = json_object_get(json_object_get(t, "bandit"), "weights");
	parr = json_object_get(json_object_get(p, "bandit"), "weights");
	json_array_foreach(arr, i, v) {
		if (!isfinite(fnum(v, "prev_weight")) && json_is_array(parr)) {
			pv = find_by(parr, "arm", fstr(v, "arm"), "context",
			    fstr(v, "context"));
			if (pv != NULL) {
				putn(v, "prev_weight", fnum(pv, "weight"));
				putn(v, "change", fnum(v, "weight") -
				    fnum(pv, "weight"));
			}
		}
	}
	largest_changes(ch, arr, "bandit", "arm", "context");
	arr = json_object_get(json_object_get(t, "bandit"), "kill");
	parr = json_object_get(json_object_get(p, "bandit"), "kill");
	if (json_is_array(arr) && json_is_array(parr)) {
		json_array_foreach(arr, i, v)
			put(v, "new", json_boolean(find_by(parr, "arm",
			    fstr(v, "arm"), NULL, NULL) == NULL));
		json_array_foreach(parr, i, pv)
			if (fstr(pv, "arm") != NULL && find_by(arr, "arm",
			    fstr(pv, "arm"), NULL, NULL) == NULL)
				addf(ch, "bandit: %s left the kill list",
				    fstr(pv, "arm"));
	}

	/* regime */
	ti = json_object_get(json_object_get(t, "regime"), "today");
	pi = json_object_get(json_object_get(p, "regime"), "today");
	if (json_is_object(ti) && json_is_object(pi) && !same_regime(ti,
	    pi)) {
		s1 = fstr(ti, "label");
		s2 = fstr(pi, "label");
		state_name(a, ti);
		state_name(b, pi);
		addf(ch, "regime: %s (yesterday %s)", s1 != NULL ? s1 : a,
		    s2 != NULL ? s2 : b);
	}
}

/* Fill in changes that need only tonight (weights' own prev_weight),
 * then what needs a human. */
static void
conclude(json_t *t)
{
	json_t *att = json_object_get(t, "attention"), *s, *v, *arr;
	char a[TL_DOC_NUMSZ], b[TL_DOC_NUMSZ], c[TL_DOC_NUMSZ];
	const char *name;
	size_t i;
	static const char *const secs[] = { "pipeline", "health", "model",
		"candidates", "allocation", "overfit", "bandit", "regime",
		"calibration" };

	/* pipeline steps that failed */
	arr = json_object_get(json_object_get(t, "pipeline"), "steps");
	json_array_foreach(arr, i, v)
		if (fstr(v, "status") != NULL && strcmp(fstr(v, "status"),
		    "failed") == 0)
			addf(att, "pipeline step '%s' failed", fstr(v, "name")
			    != NULL ? fstr(v, "name") : "n/a");

	/* data health */
	s = json_object_get(json_object_get(t, "health"), "ingest");
	if (json_is_object(s)) {
		double read = fnum(s, "read"), rej = fnum(s, "rejected"),
		    joined = fnum(s, "joined"), dec = fnum(s, "decisions");

		if (read == 0)
			addf(att, "no records read: the log directory was "
			    "empty");
		else if (joined == 0)
			addf(att, "no outcomes joined: the learning loop has "
			    "nothing to learn from");
		else if (dec > 0 && joined / dec < JOIN_WARN)
			addf(att, "only %s of decisions joined to an outcome",
			    tl_doc_fmt_pct(a, joined / dec, 1));
		if (read > 0 && rej / read > REJECT_WARN)
			addf(att, "%s of records rejected (%s of %s): see "
			    "rejects.jsonl", tl_doc_fmt_pct(a, rej / read, 1),
			    (tl_fmt_double(b, rej), b), (tl_fmt_double(c,
			    read), c));
		if (fnum(s, "dataset_rows") == 0)
			addf(att, "no meta-model rows: the forest has nothing "
			    "to train on");
	}
	s = json_object_get(json_object_get(t, "health"), "trades");
	arr = json_object_get(s, "stale");
	if (json_array_size(arr) > 0) {
		struct tl_buf bb;

		tl_buf_init(&bb);
		json_array_foreach(arr, i, v) {
			tl_buf_printf(&bb, "%s%s", i > 0 ? ", " : "",
			    fstr(v, "strategy"));
			if (i == 4 && json_array_size(arr) > 5) {
				tl_buf_printf(&bb, " and %zu more",
				    json_array_size(arr) - 5);
				break;
			}
		}
		addf(att, "%zu strateg%s without a trade for more than %s "
		    "days: %s", json_array_size(arr), json_array_size(arr) ==
		    1 ? "y" : "ies", (tl_fmt_double(a, fnum(s, "stale_days")),
		    a), bb.data);
		tl_buf_release(&bb);
	}

	/* model */
	s = json_object_get(t, "model");
	if (fnum(s, "skill") <= 0)
		addf(att, "the meta-model does not beat the mean predictor "
		    "(OOB MSE %s vs %s): its importances mean little",
		    (tl_svg_fmt_sig(a, fnum(s, "oob_mse"), 3), a),
		    (tl_svg_fmt_sig(b, fnum(s, "baseline_mse"), 3), b));

	/* overfit */
	s = json_object_get(t, "overfit");
	arr = json_object_get(s, "alerts");
	json_array_foreach(arr, i, v) {
		const char *st = fstr(v, "status"), *sev = fstr(v, "severity");

		if (st == NULL || (strcmp(st, "new") != 0 && strcmp(st,
		    "open") != 0) || sev == NULL || strcmp(sev, "high") != 0)
			continue;
		addf(att, "%s high alert: %s %s since %s, action %s",
		    st, fstr(v, "strategy") != NULL ? fstr(v, "strategy") :
		    "n/a", fstr(v, "kind") != NULL ? fstr(v, "kind") : "n/a",
		    fstr(v, "since") != NULL ? fstr(v, "since") : "n/a",
		    fstr(v, "action") != NULL ? fstr(v, "action") : "n/a");
	}
	if (fnum(s, "pbo") > PBO_WARN)
		addf(att, "probability of backtest overfitting %s: the "
		    "selection of strategies is likely overfit",
		    (tl_svg_fmt_fixed(a, fnum(s, "pbo"), 2), a));

	/* an allocation method with no answer tonight */
	s = json_object_get(json_object_get(t, "allocation"), "summary");
	v = json_object_get(s, "fallback");
	if (json_is_object(v))
		addf(att, "allocation: %s had no answer tonight, fell back to "
		    "%s", fstr(v, "from") != NULL ? fstr(v, "from") : "n/a",
		    fstr(v, "to") != NULL ? fstr(v, "to") : "n/a");

	/* bandit kill list */
	arr = json_object_get(json_object_get(t, "bandit"), "kill");
	json_array_foreach(arr, i, v) {
		if (json_is_false(json_object_get(v, "new")))
			continue;
		addf(att, "kill list: %s%s (P(bad) %s)", fstr(v, "arm") != NULL
		    ? fstr(v, "arm") : "n/a", json_is_true(json_object_get(v,
		    "new")) ? " is new" : "", (tl_svg_fmt_fixed(a, fnum(v,
		    "p_bad"), 2), a));
	}

	/* regime change */
	s = json_object_get(t, "regime");
	if (json_is_object(json_object_get(s, "today")) &&
	    fnum(s, "days_in_regime") == 1 && fnum(s, "rows") > 1) {
		v = json_object_get(s, "today");
		name = fstr(v, "label");
		state_name(a, v);
		addf(att, "the market regime changed today to %s (p %s)",
		    name != NULL ? name : a, (tl_svg_fmt_fixed(b, fnum(v,
		    "prob"), 2), b));
	}

	/* calibration */
	s = json_object_get(json_object_get(t, "calibration"), "raw");
	if (fnum(s, "ece") > ECE_WARN)
		addf(att, "confidence scores are miscalibrated (ECE %s): "
		    "use the tl-calibrate map", (tl_svg_fmt_fixed(a,
		    fnum(s, "ece"), 3), a));

	/* sections that did not run */
	{
		struct tl_buf bb;
		size_t nmiss = 0;

		tl_buf_init(&bb);
		for (i = 1; i < sizeof(secs) / sizeof(secs[0]); i++)
			if (strcmp(sec_status(t, secs[i]), "missing") == 0) {
				tl_buf_printf(&bb, "%s%s", nmiss > 0 ? ", " :
				    "", secs[i]);
				nmiss++;
			}
		if (nmiss == sizeof(secs) / sizeof(secs[0]) - 1)
			addf(att, "nothing to report: none of the files "
			    "tl-report reads is in the night directory");
		else if (nmiss > 0)
			addf(att, "not run tonight: %s", bb.data);
		tl_buf_release(&bb);
	}

	/* malformed inputs */
	for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		json_t *files = json_object_get(json_object_get(t, secs[i]),
		    "files"), *st;

		json_object_foreach(files, name, st)
			if (strcmp(json_string_value(st), "malformed") == 0)
				addf(att, "%s is malformed: its section is "
				    "incomplete (see the notes)", name);
	}
}

/* ---- the document ---------------------------------------------------- */

static void
add_notes(struct tl_doc *d, const json_t *sec)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(sec, "notes"), i, v)
		tl_doc_addf(d, TL_DOC_NOTE, "%s", json_string_value(v));
}

/* The section's heading, and "not run tonight" when nothing was there.
 * Returns 1 when the section has something to show. */
static int
section(struct tl_doc *d, const json_t *f, const char *name, const char *id,
    const char *title, const char *files)
{
	const json_t *sec = json_object_get(f, name);
	const char *st = fstr(sec, "status");

	tl_doc_add_h2(d, id, title);
	if (st != NULL && strcmp(st, "missing") == 0) {
		tl_doc_addf(d, TL_DOC_P, "Not run tonight: no %s.", files);
		return 0;
	}
	if (st != NULL && strcmp(st, "malformed") == 0) {
		tl_doc_addf(d, TL_DOC_P, "Not shown: %s could not be read.",
		    files);
		add_notes(d, sec);
		return 0;
	}
	return 1;
}

/* ---- the sections of the document ------------------------------------ */

static void
doc_attention(struct tl_doc *d, const json_t *f)
{
	const json_t *v;
	size_t i;

	tl_doc_add_h2(d, "attention", "Needs attention");
	if (json_array_size(json_object_get(f, "attention")) == 0)
		tl_doc_addf(d, TL_DOC_P, "Nothing needs attention tonight.");
	json_array_foreach(json_object_get(f, "attention"), i, v)
		tl_doc_addf(d, TL_DOC_LI, "%s", json_string_value(v));
}

static void
doc_health(struct tl_doc *d, const json_t *f)
{
	const json_t *h = json_object_get(f, "health"), *pl, *in, *v, *r;
	struct tl_buf b;
	char *s1, *s2, *s3;
	size_t i, nok = 0, nfail = 0;

	tl_buf_init(&b);
	tl_doc_add_h2(d, "health", "Data health");
	pl = json_object_get(f, "pipeline");
	if (strcmp(fstr(pl, "status"), "missing") == 0)
		tl_doc_addf(d, TL_DOC_LI, "Pipeline: no pipeline.json (steps "
		    "unknown).");
	else if (json_array_size(json_object_get(pl, "steps")) > 0) {
		tl_buf_adds(&b, "Pipeline: ");
		json_array_foreach(json_object_get(pl, "steps"), i, v) {
			const char *st = fstr(v, "status");

			nok += st != NULL && strcmp(st, "ok") == 0;
			nfail += st != NULL && strcmp(st, "failed") == 0;
		}
		tl_buf_printf(&b, "%zu steps, %zu ok", json_array_size(
		    json_object_get(pl, "steps")), nok);
		if (nfail > 0)
			tl_buf_printf(&b, ", %zu failed", nfail);
		tl_buf_adds(&b, "; ");
		json_array_foreach(json_object_get(pl, "steps"), i, v) {
			if (i > 0)
				tl_buf_adds(&b, ", ");
			tl_doc_put_code(&b, fstr(v, "name"));
			tl_buf_addc(&b, ' ');
			tl_doc_put_text(&b, fstr(v, "status"));
			if (fstr(v, "reason") != NULL) {
				tl_buf_adds(&b, " (");
				tl_doc_put_text(&b, fstr(v, "reason"));
				tl_buf_addc(&b, ')');
			}
			if (isfinite(fnum(v, "seconds"))) {
				s1 = tl_doc_num(fnum(v, "seconds"), 1);
				tl_buf_printf(&b, " %s s", s1);
				free(s1);
			}
		}
		tl_buf_addc(&b, '.');
		tl_doc_add(d, TL_DOC_LI, &b);
	}
	add_notes(d, pl);

	in = json_object_get(h, "ingest");
	if (json_is_object(in)) {
		char *n[14];
		static const char *const k[] = { "files", "read", "accepted",
			"decisions", "outcomes", "runs", "promotions",
			"duplicates", "rejected", "conflicts", "joined",
			"unmatched_decisions", "orphan_outcomes",
			"dataset_rows" };

		for (i = 0; i < 14; i++)
			n[i] = tl_doc_int(fnum(in, k[i]));
		s1 = tl_doc_pct(fnum(in, "rejected") / fnum(in, "read"), 1);
		s2 = tl_doc_pct(fnum(in, "joined") / fnum(in, "decisions"), 1);
		tl_doc_addf(d, TL_DOC_LI,
		    "Records: %s files, %s read, %s accepted "
		    "(decisions %s, outcomes %s, runs %s, promotions %s); "
		    "%s duplicates; %s rejected (%s), %s of them conflicts.",
		    n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8], s1,
		    n[9]);
		tl_doc_addf(d, TL_DOC_LI,
		    "Joins: %s of %s decisions joined to an "
		    "outcome (%s); %s unmatched decisions, %s orphan "
		    "outcomes; %s meta-model rows.", n[10], n[3], s2, n[11],
		    n[12], n[13]);
		for (i = 0; i < 14; i++)
			free(n[i]);
		free(s1);
		free(s2);
	} else
		tl_doc_addf(d, TL_DOC_LI, "Records: no ingest.json (counts "
		    "unknown).");

	r = json_object_get(h, "rejects");
	if (json_is_object(r) && fnum(r, "n") > 0) {
		s1 = tl_doc_int(fnum(r, "n"));
		tl_buf_printf(&b, "Rejects: %s in rejects.jsonl; ", s1);
		free(s1);
		json_array_foreach(json_object_get(r, "reasons"), i, v) {
			s1 = tl_doc_int(fnum(v, "count"));
			tl_buf_printf(&b, "%s%s \xC3\x97 ", i > 0 ? "; " : "",
			    s1);
			tl_doc_put_text(&b, fstr(v, "reason"));
			free(s1);
		}
		if (fnum(r, "other_reasons") > 0) {
			s1 = tl_doc_int(fnum(r, "other_reasons"));
			tl_buf_printf(&b, "; and %s other reasons", s1);
			free(s1);
		}
		tl_buf_addc(&b, '.');
		tl_doc_add(d, TL_DOC_LI, &b);
	}

	v = json_object_get(h, "trades");
	if (json_is_object(v)) {
		s1 = tl_doc_int(fnum(v, "n"));
		s2 = tl_doc_pct(fnum(v, "win_rate"), 1);
		s3 = tl_doc_num(fnum(v, "net_pnl"), 2);
		tl_buf_printf(&b, "Trades: %s closed over ", s1);
		free(s1);
		s1 = tl_doc_int(fnum(v, "strategies"));
		tl_buf_printf(&b, "%s strategies, win rate %s, net P&L %s; "
		    "last trade ", s1, s2, s3);
		tl_doc_put_text(&b, fstr(v, "last_date"));
		tl_buf_addc(&b, '.');
		tl_doc_add(d, TL_DOC_LI, &b);
		free(s1);
		free(s2);
		free(s3);
		if (json_array_size(json_object_get(v, "stale")) > 0) {
			tl_buf_adds(&b, "Stale: ");
			json_array_foreach(json_object_get(v, "stale"), i, r) {
				if (i > 0)
					tl_buf_adds(&b, ", ");
				tl_doc_put_code(&b, fstr(r, "strategy"));
				s1 = tl_doc_int(fnum(r, "days"));
				tl_buf_printf(&b, " (last trade %s, %s days "
				    "before)", fstr(r, "last_date"), s1);
				free(s1);
			}
			tl_buf_addc(&b, '.');
			tl_doc_add(d, TL_DOC_LI, &b);
		}
	}
	v = json_object_get(h, "returns");
	if (json_is_object(v)) {
		s1 = tl_doc_int(fnum(v, "days"));
		s2 = tl_doc_int(fnum(v, "strategies"));
		tl_doc_addf(d, TL_DOC_LI,
		    "Returns: %s days \xC3\x97 %s strategies, "
		    "%s to %s.", s1, s2, fstr(v, "first_date"),
		    fstr(v, "last_date"));
		free(s1);
		free(s2);
	}
	add_notes(d, h);
	tl_buf_release(&b);
}

static void
doc_model(struct tl_doc *d, const json_t *f, long top)
{
	static const char *const head[] = { "Rank", "Feature", "Importance",
		"Yesterday", "Rank yesterday" };
	const json_t *m = json_object_get(f, "model"), *v, *list;
	struct tl_svg_bar *bars;
	struct tl_svg_chart c = { .id = "chart-importance", .sig = 3,
	    .series = { "tonight", "yesterday" } };
	struct tl_doc_block *t;
	struct tl_buf b, title;
	const char *kind;
	char *cells[5], *s1, *s2, *s3, *s4;
	size_t i, n;

	if (!section(d, f, "model", "model", "Meta-model", "forest.json"))
		return;
	tl_buf_init(&b);
	tl_buf_init(&title);
	s1 = tl_doc_int(fnum(m, "n_rows"));
	s2 = tl_doc_int(fnum(m, "n_features"));
	tl_buf_adds(&b, "Target ");
	tl_doc_put_code(&b, fstr(m, "target"));
	tl_buf_printf(&b, " (%s), %s rows, %s features.", fstr(m, "task") !=
	    NULL ? fstr(m, "task") : "task n/a", s1, s2);
	tl_doc_add(d, TL_DOC_LI, &b);
	free(s1);
	free(s2);
	s1 = tl_doc_num(fnum(m, "oob_r2"), 3);
	s2 = tl_doc_sig(fnum(m, "oob_mse"), 3);
	s3 = tl_doc_sig(fnum(m, "baseline_mse"), 3);
	s4 = tl_doc_num(fnum(m, "skill"), 3);
	tl_buf_printf(&b, "Out of bag: R\xC2\xB2 %s, MSE %s against %s for "
	    "the mean predictor (skill %s, the share of its error removed)",
	    s1, s2, s3, s4);
	free(s1);
	free(s2);
	free(s3);
	free(s4);
	if (json_object_get(m, "prev_oob_r2") != NULL) {
		s1 = tl_doc_num(fnum(m, "prev_oob_r2"), 3);
		tl_buf_printf(&b, "; yesterday R\xC2\xB2 %s", s1);
		free(s1);
	}
	tl_buf_addc(&b, '.');
	tl_doc_add(d, TL_DOC_LI, &b);
	if (isfinite(fnum(m, "oob_accuracy"))) {
		s1 = tl_doc_num(fnum(m, "oob_accuracy"), 3);
		s2 = tl_doc_num(fnum(m, "baseline_accuracy"), 3);
		tl_doc_addf(d, TL_DOC_LI,
		    "Out-of-bag accuracy %s against %s for the "
		    "majority class.", s1, s2);
		free(s1);
		free(s2);
	}
	kind = fstr(m, "importance_kind");
	list = kind != NULL ? json_object_get(json_object_get(m,
	    "importance"), kind) : NULL;
	if (kind == NULL)
		tl_doc_addf(d, TL_DOC_P,
		    "No feature importances in forest.json.");
	else {
		tl_buf_printf(&title, "Top features by %s importance", kind);
		t = tl_doc_add_table(d, title.data, head, "rlrrr");
		n = json_array_size(list) < (size_t)top ? json_array_size(
		    list) : (size_t)top;
		bars = tl_xcalloc(n + 1, sizeof(*bars));
		json_array_foreach(list, i, v) {
			if (i == n)
				break;
			cells[0] = tl_doc_int(fnum(v, "rank"));
			cells[1] = tl_doc_code(fstr(v, "feature"));
			cells[2] = tl_doc_sig(fnum(v, "importance"), 3);
			cells[3] = tl_doc_sig(fnum(v, "prev_importance"), 3);
			cells[4] = tl_doc_int(fnum(v, "prev_rank"));
			tl_doc_add_row(t, cells, NULL);
			bars[i].label = fstr(v, "feature") != NULL ? fstr(v,
			    "feature") : "n/a";
			bars[i].value = fnum(v, "importance");
			bars[i].prev = fnum(v, "prev_importance");
		}
		c.title = title.data;
		c.unit = kind;
		tl_svg_bars(&b, &c, bars, n);
		tl_doc_add_svg(d, &b);
		free(bars);
	}
	add_notes(d, m);
	tl_buf_release(&b);
	tl_buf_release(&title);
}

static void
doc_candidates(struct tl_doc *d, const json_t *f)
{
	static const char *const head[] = { "#", "Source", "Predicted", "SD",
		"Score", "Parameters" };
	const json_t *cs = json_object_get(f, "candidates"), *v;
	json_t *val;
	const char *key;
	struct tl_doc_block *t;
	struct tl_buf b;
	char *cells[6], *s1;
	size_t i;

	if (!section(d, f, "candidates", "candidates", "Candidates",
	    "candidates.jsonl"))
		return;
	tl_buf_init(&b);
	s1 = tl_doc_int(fnum(cs, "n"));
	tl_buf_printf(&b, "%s new candidate genomes", s1);
	free(s1);
	i = 0;
	json_object_foreach(json_object_get(cs, "by_source"), key, val) {
		s1 = tl_doc_int(json_number_value(val));
		tl_buf_adds(&b, i++ == 0 ? " (" : ", ");
		tl_doc_put_text(&b, key);
		tl_buf_printf(&b, " %s", s1);
		free(s1);
	}
	tl_buf_adds(&b, i > 0 ? ")." : ".");
	tl_doc_add(d, TL_DOC_P, &b);
	if (json_array_size(json_object_get(cs, "top")) > 0) {
		t = tl_doc_add_table(d,
		    "Top candidates by predicted fitness (else "
		    "score)", head, "rlrrrl");
		json_array_foreach(json_object_get(cs, "top"), i, v) {
			cells[0] = tl_doc_int(fnum(v, "rank"));
			cells[1] = tl_doc_text(fstr(v, "source"));
			cells[2] = tl_doc_sig(fnum(v, "prediction"), 3);
			cells[3] = tl_doc_sig(fnum(v, "prediction_sd"), 3);
			cells[4] = tl_doc_sig(fnum(v, "score"), 3);
			if (json_is_object(json_object_get(v, "params")))
				tl_doc_put_params(&b, json_object_get(v,
				    "params"));
			else
				tl_buf_adds(&b, "n/a");
			cells[5] = tl_xstrdup(b.data != NULL ? b.data : "");
			tl_buf_reset(&b);
			tl_doc_add_row(t, cells, NULL);
		}
	}
	add_notes(d, cs);
	tl_buf_release(&b);
}

/* What tonight's allocation could not do as configured: a method with no
 * answer and its fallback, a covariance over fewer days than asked, and
 * the strategies left out (retired, not live, too new, demoted). */
static void
doc_allocation_how(struct tl_doc *d, const json_t *s)
{
	static const char *const head[] = { "Strategy", "Status", "Why",
		"Alert" };
	const json_t *fb = json_object_get(s, "fallback"), *ex, *v;
	struct tl_doc_block *t;
	struct tl_buf b;
	char *cells[4];
	size_t i;

	tl_buf_init(&b);
	if (json_is_object(fb)) {
		tl_buf_adds(&b, "Method ");
		tl_doc_put_code(&b, fstr(fb, "from"));
		tl_buf_adds(&b, " had no answer tonight");
		if (fstr(fb, "reason") != NULL) {
			tl_buf_adds(&b, " (");
			tl_doc_put_text(&b, fstr(fb, "reason"));
			tl_buf_addc(&b, ')');
		}
		tl_buf_adds(&b, ": fell back to ");
		tl_doc_put_code(&b, fstr(fb, "to"));
		tl_buf_addc(&b, '.');
		tl_doc_add(d, TL_DOC_LI, &b);
	}
	if (fnum(s, "cash") == 1)
		tl_doc_addf(d, TL_DOC_LI,
		    "All in cash tonight: every weight is 0.");
	if (fstr(s, "covariance") != NULL &&
	    strcmp(fstr(s, "covariance"), "aligned") != 0) {
		tl_buf_adds(&b, "Covariance: ");
		tl_doc_put_code(&b, fstr(s, "covariance"));
		if (fstr(s, "covariance_reason") != NULL) {
			tl_buf_adds(&b, " (");
			tl_doc_put_text(&b, fstr(s, "covariance_reason"));
			tl_buf_addc(&b, ')');
		}
		tl_buf_addc(&b, '.');
		tl_doc_add(d, TL_DOC_LI, &b);
	}
	ex = json_object_get(s, "excluded");
	if (json_array_size(ex) > 0) {
		t = tl_doc_add_table(d, "Left out of tonight's allocation",
		    head, "llll");
		json_array_foreach(ex, i, v) {
			cells[0] = tl_doc_code(fstr(v, "strategy"));
			cells[1] = tl_doc_text(fstr(v, "status"));
			cells[2] = tl_doc_text(fstr(v, "reason"));
			tl_buf_reset(&b);
			if (fstr(v, "kind") != NULL)
				tl_buf_printf(&b, "%s, %s since %s",
				    fstr(v, "kind"), fstr(v, "severity") !=
				    NULL ? fstr(v, "severity") : "n/a",
				    fstr(v, "since") != NULL ? fstr(v,
				    "since") : "n/a");
			cells[3] = tl_doc_text(b.len > 0 ? b.data : "");
			tl_doc_add_row(t, cells, NULL);
		}
	}
	tl_buf_release(&b);
}

static void
doc_allocation(struct tl_doc *d, const json_t *f, const struct night *n,
    long top)
{
	static const char *const head[] = { "Strategy", "Weight", "Yesterday",
		"Change (pp)", "Exp. return", "Volatility", "Risk contrib." };
	const json_t *a = json_object_get(f, "allocation"), *s, *v, *w;
	struct tl_svg_chart c = { .id = "chart-allocation", .decimals = 1,
	    .series = { "tonight", "yesterday" }, .unit = "weight, %",
	    .title = "Allocation weights (%), tonight and yesterday" };
	struct tl_svg_chart lc = { .id = "chart-equity",
	    .unit = "growth of 1",
	    .title = "Equity curves of the largest allocations" };
	struct tl_svg_series *ser;
	struct tl_svg_bar *bars;
	struct tl_doc_block *t;
	struct tl_buf b;
	char *cells[7], *x[5];
	double **curves;
	size_t i, j, k, nb, ns;

	if (!section(d, f, "allocation", "allocation", "Allocation",
	    "allocation.jsonl or allocation-summary.json"))
		return;
	tl_buf_init(&b);
	s = json_object_get(a, "summary");
	if (json_is_object(s)) {
		x[0] = tl_doc_pct(fnum(s, "expected_return"), 2);
		x[1] = tl_doc_pct(fnum(s, "volatility"), 2);
		x[2] = tl_doc_num(fnum(s, "sharpe"), 2);
		x[3] = tl_doc_num(fnum(s, "effective_n"), 1);
		x[4] = tl_doc_pct(fnum(s, "turnover"), 1);
		tl_buf_adds(&b, "Method ");
		tl_doc_put_code(&b, fstr(s, "method"));
		tl_buf_printf(&b, ": expected return %s, volatility %s, "
		    "Sharpe %s, effective number of strategies %s, turnover "
		    "%s.", x[0], x[1], x[2], x[3], x[4]);
		tl_doc_add(d, TL_DOC_LI, &b);
		for (i = 0; i < 5; i++)
			free(x[i]);
		doc_allocation_how(d, s);
	}
	w = json_object_get(a, "weights");
	if (json_is_array(w) && json_array_size(w) == 0)
		tl_doc_addf(d, TL_DOC_P,
		    "allocation.jsonl is empty: no strategy has "
		    "a weight.");
	if (json_array_size(w) > 0) {
		nb = json_array_size(w) < (size_t)top ? json_array_size(w) :
		    (size_t)top;
		t = tl_doc_add_table(d, "Weights, largest first", head,
		    "lrrrrrr");
		bars = tl_xcalloc(nb + 1, sizeof(*bars));
		json_array_foreach(w, i, v) {
			if (i == nb)
				break;
			cells[0] = tl_doc_code(fstr(v, "strategy"));
			cells[1] = tl_doc_pct(fnum(v, "weight"), 1);
			cells[2] = tl_doc_pct(fnum(v, "prev_weight"), 1);
			cells[3] = tl_doc_pp(fnum(v, "change"), 1);
			cells[4] = tl_doc_pct(fnum(v, "expected_return"), 2);
			cells[5] = tl_doc_pct(fnum(v, "volatility"), 2);
			cells[6] = tl_doc_pct(fnum(v, "risk_contribution"), 1);
			tl_doc_add_row(t, cells, NULL);
			bars[i].label = fstr(v, "strategy") != NULL ? fstr(v,
			    "strategy") : "n/a";
			bars[i].value = fnum(v, "weight") * 100;
			bars[i].prev = fnum(v, "prev_weight") * 100;
		}
		if (json_array_size(w) > nb)
			tl_doc_addf(d, TL_DOC_P,
			    "%zu more strategies with smaller "
			    "weights in allocation.jsonl.", json_array_size(w)
			    - nb);
		tl_svg_bars(&b, &c, bars, nb);
		tl_doc_add_svg(d, &b);
		free(bars);
	}
	/* equity curves: growth of 1 from returns.csv */
	ns = json_array_size(json_object_get(a, "equity"));
	if (ns > 0 && n->have_ret) {
		const struct tl_panel *p = &n->ret;

		ser = tl_xcalloc(ns, sizeof(*ser));
		curves = tl_xcalloc(ns, sizeof(*curves));
		tl_buf_adds(&b, "Growth since ");
		tl_doc_put_text(&b, p->dates[0]);
		tl_buf_adds(&b, " (returns.csv): ");
		json_array_foreach(json_object_get(a, "equity"), i, v) {
			long col = tl_panel_series(p, fstr(v, "strategy"));
			double g = 1;

			curves[i] = tl_xcalloc(p->ndates, sizeof(double));
			for (j = 0; j < p->ndates; j++) {
				double r = p->x[j * p->nseries + (size_t)col];

				if (isfinite(r))
					g *= 1 + r;
				curves[i][j] = g;
			}
			ser[i].name = fstr(v, "strategy");
			ser[i].y = curves[i];
			x[0] = tl_doc_pct(fnum(v, "total_return"), 2);
			if (i > 0)
				tl_buf_adds(&b, ", ");
			tl_doc_put_code(&b, ser[i].name);
			tl_buf_printf(&b, " %s", x[0]);
			free(x[0]);
		}
		tl_buf_addc(&b, '.');
		tl_doc_add(d, TL_DOC_LI, &b);
		tl_svg_lines(&b, &lc, (const char *const *)p->dates,
		    p->ndates, ser, ns);
		tl_doc_add_svg(d, &b);
		for (k = 0; k < ns; k++)
			free(curves[k]);
		free(curves);
		free(ser);
	} else if (json_object_get(a, "equity") == NULL ||
	    json_is_null(json_object_get(a, "equity")))
		tl_doc_addf(d, TL_DOC_P,
		    "No equity curves: returns.csv is missing "
		    "or unreadable.");
	add_notes(d, a);
	tl_buf_release(&b);
}

/* "key value, key value" of an alert's figures */
static char *
c_figures(const json_t *fig)
{
	struct tl_buf b;

	tl_buf_init(&b);
	if (!json_is_object(fig) || json_object_size(fig) == 0)
		tl_buf_adds(&b, "n/a");
	else
		tl_doc_put_params(&b, fig);
	return b.data;
}

static void
doc_overfit(struct tl_doc *d, const json_t *f, long top)
{
	static const char *const ahead[] = { "Status", "Severity", "Strategy",
		"Kind", "Since", "Action", "Figures" };
	static const char *const shead[] = { "Strategy", "Days", "Sharpe",
		"PSR", "DSR", "MinTRL" };
	const json_t *o = json_object_get(f, "overfit"), *al, *v, *cnt;
	struct tl_doc_block *t;
	struct tl_buf b;
	char *cells[7], cls[64], *s1;
	size_t i;

	if (!section(d, f, "overfit", "overfit", "Overfit alerts",
	    "alerts.jsonl, overfit-stats.jsonl or pbo.json"))
		return;
	tl_buf_init(&b);
	al = json_object_get(o, "alerts");
	cnt = json_object_get(o, "counts");
	if (json_is_array(al)) {
		tl_buf_printf(&b, "%zu alert%s: %" JSON_INTEGER_FORMAT " new, %"
		    JSON_INTEGER_FORMAT " ongoing, %" JSON_INTEGER_FORMAT
		    " acknowledged", json_array_size(al), json_array_size(al)
		    == 1 ? "" : "s", json_integer_value(json_object_get(cnt,
		    "new")), json_integer_value(json_object_get(cnt,
		    "ongoing")), json_integer_value(json_object_get(cnt,
		    "acknowledged")));
		if (json_integer_value(json_object_get(cnt, "open")) > 0)
			tl_buf_printf(&b, ", %" JSON_INTEGER_FORMAT " not "
			    "dated (no night before, no date)",
			    json_integer_value(json_object_get(cnt, "open")));
		tl_buf_addc(&b, '.');
	} else
		tl_buf_adds(&b, "No alerts.jsonl.");
	if (json_object_get(o, "pbo") != NULL && !json_is_null(
	    json_object_get(o, "pbo"))) {
		s1 = tl_doc_num(fnum(o, "pbo"), 2);
		tl_buf_printf(&b, " Probability of backtest overfitting: %s.",
		    s1);
		free(s1);
	}
	tl_doc_add(d, TL_DOC_P, &b);
	if (json_array_size(al) > 0) {
		t = tl_doc_add_table(d, "Alerts: new first, then by severity",
		    ahead, "lllldll");
		json_array_foreach(al, i, v) {
			cells[0] = tl_doc_text(fstr(v, "status"));
			cells[1] = tl_doc_text(fstr(v, "severity"));
			cells[2] = tl_doc_code(fstr(v, "strategy"));
			cells[3] = tl_doc_text(fstr(v, "kind"));
			cells[4] = tl_doc_text(fstr(v, "since"));
			cells[5] = tl_doc_text(fstr(v, "action"));
			cells[6] = c_figures(json_object_get(v, "figures"));
			snprintf(cls, sizeof(cls), "sev-%s st-%s",
			    severity_rank(fstr(v, "severity")) < 3 ?
			    fstr(v, "severity") : "unknown",
			    status_rank(fstr(v, "status")) < 4 ?
			    fstr(v, "status") : "unknown");
			tl_doc_add_row(t, cells, cls);
		}
	}
	v = json_object_get(o, "stats");
	if (json_array_size(v) > 0) {
		const json_t *r;

		t = tl_doc_add_table(d, "Weakest deflated Sharpe ratios", shead,
		    "lrrrrr");
		json_array_foreach(v, i, r) {
			if (i == (size_t)top)
				break;
			cells[0] = tl_doc_code(fstr(r, "strategy"));
			cells[1] = tl_doc_int(fnum(r, "n"));
			cells[2] = tl_doc_num(fnum(r, "sharpe"), 2);
			cells[3] = tl_doc_num(fnum(r, "psr"), 3);
			cells[4] = tl_doc_num(fnum(r, "dsr"), 3);
			cells[5] = tl_doc_num(fnum(r, "mintrl"), 0);
			tl_doc_add_row(t, cells, NULL);
		}
	}
	add_notes(d, o);
	tl_buf_release(&b);
}

static void
doc_bandit(struct tl_doc *d, const json_t *f, long top)
{
	static const char *const whead[] = { "Context", "Arm", "Weight",
		"Yesterday", "Change (pp)", "P(best)", "Mean", "n" };
	static const char *const khead[] = { "Arm", "P(bad)", "Win rate",
		"Mean P&L", "n", "New" };
	const json_t *bd = json_object_get(f, "bandit"), *w, *k, *v;
	struct tl_svg_chart c = { .id = "chart-bandit", .decimals = 1,
	    .series = { "tonight", "yesterday" }, .unit = "weight, %",
	    .title = "Learned weights (%), tonight and yesterday" };
	struct tl_svg_bar *bars;
	struct tl_doc_block *t;
	struct tl_buf b, *lab;
	char *cells[8];
	size_t i, n;

	if (!section(d, f, "bandit", "bandit", "Learned weights and kill list",
	    "weights.jsonl or kill.jsonl"))
		return;
	tl_buf_init(&b);
	w = json_object_get(bd, "weights");
	if (json_array_size(w) > 0) {
		n = json_array_size(w) < (size_t)top ? json_array_size(w) :
		    (size_t)top;
		t = tl_doc_add_table(d,
		    "Learned weights, by context, largest first",
		    whead, "llrrrrrr");
		bars = tl_xcalloc(n + 1, sizeof(*bars));
		lab = tl_xcalloc(n + 1, sizeof(*lab));
		json_array_foreach(w, i, v) {
			if (i == n)
				break;
			cells[0] = fstr(v, "context") != NULL ?
			    tl_doc_code(fstr(v, "context")) :
			    tl_xstrdup("all");
			cells[1] = tl_doc_code(fstr(v, "arm"));
			cells[2] = tl_doc_pct(fnum(v, "weight"), 1);
			cells[3] = tl_doc_pct(fnum(v, "prev_weight"), 1);
			cells[4] = tl_doc_pp(fnum(v, "change"), 1);
			cells[5] = tl_doc_num(fnum(v, "p_best"), 2);
			cells[6] = tl_doc_sig(fnum(v, "mean"), 3);
			cells[7] = tl_doc_int(fnum(v, "n"));
			tl_doc_add_row(t, cells, NULL);
			tl_buf_init(&lab[i]);
			if (fstr(v, "context") != NULL)
				tl_buf_printf(&lab[i], "%s/", fstr(v,
				    "context"));
			tl_buf_adds(&lab[i], fstr(v, "arm") != NULL ? fstr(v,
			    "arm") : "n/a");
			bars[i].label = lab[i].data;
			bars[i].value = fnum(v, "weight") * 100;
			bars[i].prev = fnum(v, "prev_weight") * 100;
		}
		if (json_array_size(w) > n)
			tl_doc_addf(d, TL_DOC_P,
			    "%zu more weights in weights.jsonl.",
			    json_array_size(w) - n);
		tl_svg_bars(&b, &c, bars, n);
		tl_doc_add_svg(d, &b);
		for (i = 0; i < n; i++)
			tl_buf_release(&lab[i]);
		free(lab);
		free(bars);
	} else if (json_is_array(w))
		tl_doc_addf(d, TL_DOC_P, "weights.jsonl is empty.");
	k = json_object_get(bd, "kill");
	if (json_is_array(k) && json_array_size(k) == 0)
		tl_doc_addf(d, TL_DOC_P, "Kill list: empty.");
	else if (json_array_size(k) > 0) {
		t = tl_doc_add_table(d, "Kill list: arms most likely bad",
		    khead, "lrrrrl");
		json_array_foreach(k, i, v) {
			cells[0] = tl_doc_code(fstr(v, "arm"));
			cells[1] = tl_doc_num(fnum(v, "p_bad"), 2);
			cells[2] = tl_doc_pct(fnum(v, "win_rate"), 1);
			cells[3] = tl_doc_num(fnum(v, "mean_pnl"), 2);
			cells[4] = tl_doc_int(fnum(v, "n"));
			cells[5] = tl_xstrdup(json_is_true(json_object_get(v,
			    "new")) ? "new" : json_is_false(json_object_get(v,
			    "new")) ? "" : "n/a");
			tl_doc_add_row(t, cells, NULL);
		}
	}
	add_notes(d, bd);
	tl_buf_release(&b);
}

static void
doc_regime(struct tl_doc *d, const json_t *f)
{
	const json_t *r = json_object_get(f, "regime"), *t, *bf;
	struct tl_buf b;
	char *s1, *s2, *s3;

	if (!section(d, f, "regime", "regime", "Regime", "regimes.jsonl"))
		return;
	t = json_object_get(r, "today");
	tl_buf_init(&b);
	if (!json_is_object(t))
		tl_doc_addf(d, TL_DOC_P, "regimes.jsonl has no rows.");
	else {
		s1 = tl_doc_int(fnum(t, "state"));
		s2 = tl_doc_num(fnum(t, "prob"), 2);
		s3 = tl_doc_int(fnum(r, "days_in_regime"));
		tl_buf_adds(&b, "Today (");
		tl_doc_put_text(&b, fstr(t, "date"));
		tl_buf_adds(&b, "): ");
		tl_doc_put_code(&b, fstr(t, "label") != NULL ? fstr(t,
		    "label") : s1);
		tl_buf_printf(&b, " (state %s, probability %s), %s day%s in "
		    "this regime, since ", s1, s2, s3, strcmp(s3, "1") == 0 ?
		    "" : "s");
		tl_doc_put_text(&b, fstr(r, "since"));
		free(s1);
		free(s2);
		free(s3);
		bf = json_object_get(r, "before");
		if (json_is_object(bf)) {
			s1 = tl_doc_int(fnum(bf, "state"));
			tl_buf_adds(&b, "; before: ");
			tl_doc_put_code(&b, fstr(bf, "label") != NULL ? fstr(bf,
			    "label") : s1);
			free(s1);
		}
		tl_buf_addc(&b, '.');
		tl_doc_add(d, TL_DOC_P, &b);
	}
	add_notes(d, r);
	tl_buf_release(&b);
}

/* a reliability bin with trades, and so a point of the diagram */
static int
bin_has_trades(const json_t *bin)
{
	return fnum(bin, "n") > 0 && isfinite(fnum(bin, "mean_score")) &&
	    isfinite(fnum(bin, "win_rate"));
}

/* The points of the bins with trades of one part of the calibration
 * facts (mean score, win rate, its interval, the count as weight) and
 * their tooltips in lab[] (one tl_buf per bin, initialised here).
 * Returns the number of points. */
static size_t
reliability_points(const json_t *part, const char *level,
    struct tl_svg_point *pt, struct tl_buf *lab)
{
	const json_t *v;
	char *x[4];
	size_t i, k, n = 0;

	json_array_foreach(json_object_get(part, "bins"), i, v) {
		if (!bin_has_trades(v))
			continue;
		pt[n].x = fnum(v, "mean_score");
		pt[n].y = fnum(v, "win_rate");
		pt[n].lo = fnum(v, "ci_lo");
		pt[n].hi = fnum(v, "ci_hi");
		pt[n].weight = fnum(v, "n");
		x[0] = tl_doc_range(fnum(v, "lo"), fnum(v, "hi"), 2);
		x[1] = tl_doc_num(pt[n].x, 3);
		x[2] = tl_doc_num(pt[n].y, 3);
		x[3] = tl_doc_range(pt[n].lo, pt[n].hi, 3);
		tl_buf_init(&lab[n]);
		tl_buf_printf(&lab[n], "scores %s, mean score %s, win rate %s "
		    "(%s interval %s), ", x[0], x[1], x[2], level, x[3]);
		for (k = 0; k < 4; k++)
			free(x[k]);
		x[0] = tl_doc_int(pt[n].weight);
		tl_buf_printf(&lab[n], "%s trade%s", x[0], pt[n].weight == 1 ?
		    "" : "s");
		free(x[0]);
		pt[n].label = lab[n].data;
		n++;
	}
	return n;
}

/* The reliability diagram and table of the calibration facts c, or a
 * sentence that says why there are none. */
static void
doc_reliability(struct tl_doc *d, const json_t *c)
{
	static const char *const parts[] = { "raw", "calibrated" };
	const char *head[] = { "Scores", "Bin", "Mean score", "Win rate",
		NULL, "n" };
	struct tl_svg_chart ch = { .id = "chart-calibration",
	    .unit = "observed win rate",
	    .title = "Reliability diagram: observed win rate against mean "
	    "score, per bin of scores" };
	struct tl_svg_xy ax = { .xunit = "mean score (logged confidence)",
	    .xlo = 0, .xhi = 1, .ylo = 0, .yhi = 1,
	    .ref = "perfect calibration" };
	struct tl_svg_xyseries ser[2];
	struct tl_svg_point *pt[2] = { NULL, NULL };
	struct tl_buf *lab[2] = { NULL, NULL }, b, lev;
	size_t npt[2] = { 0, 0 }, k, i, nb, ns = 0;
	const json_t *bins, *v;
	struct tl_doc_block *t;
	char num[TL_DOC_NUMSZ], *cells[6];

	tl_buf_init(&b);
	tl_buf_init(&lev);
	if (isfinite(fnum(c, "level"))) {
		tl_doc_fmt_short(num, fnum(c, "level") * 100);
		tl_buf_printf(&lev, "%s%%", num);
	} else
		tl_buf_adds(&lev, "confidence");
	for (k = 0; k < 2; k++) {
		nb = json_array_size(jpath(c, k == 0 ? "raw.bins" :
		    "calibrated.bins"));
		pt[k] = tl_xcalloc(nb + 1, sizeof(*pt[k]));
		lab[k] = tl_xcalloc(nb + 1, sizeof(*lab[k]));
		npt[k] = reliability_points(json_object_get(c, parts[k]),
		    lev.data, pt[k], lab[k]);
		if (npt[k] == 0)
			continue;
		ser[ns].name = parts[k];
		ser[ns].p = pt[k];
		ser[ns].n = npt[k];
		ns++;
	}
	if (ns == 0 && !json_is_array(jpath(c, "raw.bins")) &&
	    !json_is_array(jpath(c, "calibrated.bins")))
		tl_doc_addf(d, TL_DOC_P, "No reliability diagram: "
		    "calibration-report.json has no reliability table.");
	else if (ns == 0)
		tl_doc_addf(d, TL_DOC_P,
		    "No reliability diagram: no reliability bin "
		    "in calibration-report.json has trades.");
	else {
		struct tl_buf desc, whisk;

		tl_buf_init(&desc);
		tl_buf_init(&whisk);
		tl_buf_printf(&whisk, "%s interval", lev.data);
		ax.whisker = whisk.data;
		tl_buf_printf(&desc, "Each point is a bin of trades by score: "
		    "across, the bin's mean score; up, the share of its trades "
		    "that won; the whisker, the %s binomial (Wilson) interval "
		    "of that share; the marker's area, the number of trades. "
		    "Points on the dashed diagonal are calibrated; below it, "
		    "the scores promised more than the trades won.", lev.data);
		ch.desc = desc.data;
		tl_svg_xy(&b, &ch, &ax, ser, ns);
		tl_doc_add_svg(d, &b);
		tl_buf_release(&desc);
		tl_buf_release(&whisk);
	}
	if (json_is_object(json_object_get(c, "raw")) &&
	    !json_is_object(json_object_get(c, "calibrated")))
		tl_doc_addf(d, TL_DOC_P,
		    "No calibrated scores: calibration-report."
		    "json was written without a map or cross-validation "
		    "(tl-calibrate report -c or -k).");
	if (ns > 0) {
		tl_buf_printf(&b, "%s CI", lev.data);
		head[4] = b.data;
		t = tl_doc_add_table(d, "Reliability table (bins with trades)",
		    head, "llrrrr");
		for (k = 0; k < 2; k++) {
			bins = jpath(c, k == 0 ? "raw.bins" :
			    "calibrated.bins");
			json_array_foreach(bins, i, v) {
				if (!bin_has_trades(v))
					continue;
				cells[0] = tl_xstrdup(parts[k]);
				cells[1] = tl_doc_range(fnum(v, "lo"), fnum(v,
				    "hi"), 2);
				cells[2] = tl_doc_num(fnum(v, "mean_score"), 3);
				cells[3] = tl_doc_num(fnum(v, "win_rate"), 3);
				cells[4] = tl_doc_range(fnum(v, "ci_lo"),
				    fnum(v, "ci_hi"), 3);
				cells[5] = tl_doc_int(fnum(v, "n"));
				tl_doc_add_row(t, cells, NULL);
			}
		}
	}
	for (k = 0; k < 2; k++) {
		for (i = 0; i < npt[k]; i++)
			tl_buf_release(&lab[k][i]);
		free(lab[k]);
		free(pt[k]);
	}
	tl_buf_release(&b);
	tl_buf_release(&lev);
}

static void
doc_calibration(struct tl_doc *d, const json_t *f)
{
	static const char *const head[] = { "Scores", "Brier", "Log-loss",
		"ECE" };
	static const char *const parts[] = { "raw", "calibrated" };
	const json_t *c = json_object_get(f, "calibration"), *p, *wb;
	struct tl_doc_block *t = NULL;
	struct tl_buf b;
	char *cells[4], *s1, *s2, *s3;
	size_t k;

	if (!section(d, f, "calibration", "calibration", "Calibration",
	    "calibration-report.json"))
		return;
	tl_buf_init(&b);
	s1 = tl_doc_int(fnum(c, "n"));
	s2 = tl_doc_pct(fnum(c, "win_rate"), 1);
	tl_buf_printf(&b, "%s trades with a score, win rate %s; score ", s1,
	    s2);
	tl_doc_put_code(&b, fstr(c, "score"));
	free(s1);
	free(s2);
	if (isfinite(fnum(c, "cv_folds"))) {
		s1 = tl_doc_int(fnum(c, "cv_folds"));
		tl_buf_printf(&b, "; calibrated figures out of %s folds (",
		    s1);
		tl_doc_put_text(&b, fstr(c, "cv_method"));
		tl_buf_adds(&b, ")");
		free(s1);
	}
	tl_buf_addc(&b, '.');
	tl_doc_add(d, TL_DOC_P, &b);
	for (k = 0; k < 2; k++) {
		p = json_object_get(c, parts[k]);
		if (!json_is_object(p))
			continue;
		if (t == NULL)
			t = tl_doc_add_table(d, "Calibration of the confidence "
			    "scores (lower is better)", head, "lrrr");
		cells[0] = tl_xstrdup(parts[k]);
		cells[1] = tl_doc_num(fnum(p, "brier"), 4);
		cells[2] = tl_doc_num(fnum(p, "logloss"), 4);
		cells[3] = tl_doc_num(fnum(p, "ece"), 4);
		tl_doc_add_row(t, cells, NULL);
	}
	wb = json_object_get(c, "worst_bin");
	if (json_is_object(wb)) {
		s1 = tl_doc_num(fnum(wb, "lo"), 2);
		s2 = tl_doc_num(fnum(wb, "hi"), 2);
		s3 = tl_doc_int(fnum(wb, "n"));
		tl_buf_printf(&b, "Furthest raw bin from the diagonal (of "
		    "those with at least %d trades): scores %s to %s, %s "
		    "trades, ", BIN_MIN_N, s1, s2, s3);
		free(s1);
		free(s2);
		free(s3);
		s1 = tl_doc_num(fnum(wb, "mean_score"), 3);
		s2 = tl_doc_num(fnum(wb, "win_rate"), 3);
		tl_buf_printf(&b, "mean score %s, win rate %s.", s1, s2);
		free(s1);
		free(s2);
		tl_doc_add(d, TL_DOC_P, &b);
	}
	doc_reliability(d, c);
	add_notes(d, c);
	tl_buf_release(&b);
}

static void
doc_changes(struct tl_doc *d, const json_t *f, int have_prev)
{
	const json_t *v;
	size_t i;
	const char *pd = fstr(json_object_get(f, "night"), "prev_date");

	tl_doc_add_h2(d, "changes", "What changed since the previous night");
	if (!have_prev && json_array_size(json_object_get(f, "changes")) ==
	    0) {
		tl_doc_addf(d, TL_DOC_P,
		    "No previous night given (--prev): nothing "
		    "to compare.");
		return;
	}
	if (have_prev)
		tl_doc_addf(d, TL_DOC_P, "Compared with %s.", pd != NULL ? pd :
		    "the previous night (date n/a)");
	/* a weekend, a holiday or a quiet day: the night still publishes */
	if (have_prev && fnum(json_object_get(f, "pipeline"), "new_trades")
	    == 0)
		tl_doc_addf(d, TL_DOC_P,
		    "Nothing new: no trade closed since %s.",
		    pd != NULL ? pd : "the previous night");
	if (json_array_size(json_object_get(f, "changes")) == 0)
		tl_doc_addf(d, TL_DOC_P, "No change in the figures compared.");
	json_array_foreach(json_object_get(f, "changes"), i, v)
		tl_doc_addf(d, TL_DOC_LI, "%s", json_string_value(v));
}

static void
build_doc(struct tl_doc *d, const json_t *f, const struct night *n,
    const char *title, int have_prev, long top)
{
	const json_t *ni = json_object_get(f, "night");
	struct tl_buf b;

	tl_buf_init(&b);
	tl_doc_put_text(&b, title);
	if (fstr(ni, "date") != NULL) {
		tl_buf_adds(&b, " \xE2\x80\x94 ");
		tl_doc_put_text(&b, fstr(ni, "date"));
	}
	tl_doc_add(d, TL_DOC_H1, &b);
	tl_buf_release(&b);
	doc_attention(d, f);
	doc_health(d, f);
	doc_model(d, f, top);
	doc_candidates(d, f);
	doc_allocation(d, f, n, top);
	doc_overfit(d, f, top);
	doc_bandit(d, f, top);
	doc_regime(d, f);
	doc_calibration(d, f);
	doc_changes(d, f, have_prev);
}

/* ---- main ------------------------------------------------------------- */

static int
write_file(const char *path, const struct tl_buf *b, struct tl_err *err)
{
	struct tl_out *o;

	if ((o = tl_out_open(path, TL_FMT_JSONL, err)) == NULL)
		return -1;
	if (tl_out_raw(o, b->data != NULL ? b->data : "", b->len, err) ==
	    -1) {
		tl_out_abort(o);
		return -1;
	}
	return tl_out_close(o, err);
}

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
main(int argc, char *argv[])
{
	struct opts o = { .top = 10, .stale_days = 5,
	    .title = "tradelearn nightly report" };
	struct night today = { 0 }, prev = { 0 };
	struct tl_err err = { 0 };
	struct tl_buf md, html, js;
	struct tl_doc d;
	char *path = NULL;
	int status = TL_EX_OK, have_prev = 0;

	tl_init("tl-report");
	parse_args(argc, argv, &o);
	tl_doc_init(&d);
	tl_buf_init(&md);
	tl_buf_init(&html);
	tl_buf_init(&js);
	if (!is_dir(o.night)) {
		tl_err_set(&err, TL_EX_NOINPUT, o.night, 0, "%s",
		    errno == ENOTDIR || exists(o.night) ? "not a directory" :
		    strerror(errno));
		status = tl_report(&err);
		goto out;
	}
	today = (struct night){ .dir = o.night, .quiet = o.quiet,
	    .top = o.top, .stale_days = o.stale_days };
	load_night(&today);
	if (o.prev != NULL && !is_dir(o.prev)) {
		if (!o.quiet)
			tl_warn("%s: the previous night is not a directory: "
			    "nothing to compare", o.prev);
	} else if (o.prev != NULL) {
		prev = (struct night){ .dir = o.prev, .is_prev = 1,
		    .top = 1000000, .stale_days = o.stale_days };
		load_night(&prev);
		have_prev = 1;
	}
	puts_(json_object_get(today.facts, "night"), "title", o.title);
	puts_(json_object_get(today.facts, "night"), "prev_date", have_prev ?
	    fstr(json_object_get(prev.facts, "night"), "date") : NULL);
	relate(today.facts, have_prev ? prev.facts : NULL);
	classify_alerts(today.facts, have_prev ? prev.facts : NULL,
	    fstr(json_object_get(today.facts, "night"), "date"));
	sort_alerts(json_object_get(today.facts, "overfit"));
	conclude(today.facts);

	build_doc(&d, today.facts, &today, o.title, have_prev, o.top);
	tl_doc_markdown(&md, &d);
	tl_doc_html(&html, &d, o.title);
	tl_json_append(&js, today.facts);
	tl_buf_addc(&js, '\n');

	if (!is_dir(o.outdir) && mkdir(o.outdir, 0777) == -1) {
		tl_err_set(&err, TL_EX_CANTCREAT, o.outdir, 0, "cannot create "
		    "the directory: %s", strerror(errno));
		status = tl_report(&err);
		goto out;
	}
	path = path_of(o.outdir, "report.json");
	if (write_file(path, &js, &err) == -1)
		goto fail;
	free(path);
	path = path_of(o.outdir, "report.md");
	if (write_file(path, &md, &err) == -1)
		goto fail;
	free(path);
	path = path_of(o.outdir, "report.html");
	if (write_file(path, &html, &err) == -1)
		goto fail;
	if (o.json != NULL && write_file(o.json, &js, &err) == -1)
		goto fail;
	goto out;
fail:
	status = tl_report(&err);
out:
	free(path);
	tl_doc_release(&d);
	tl_buf_release(&md);
	tl_buf_release(&html);
	tl_buf_release(&js);
	night_release(&today);
	night_release(&prev);
	return tl_exit_status(status);
}
