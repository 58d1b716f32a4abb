/*
 * Mapping files: a table of field specs read once with jansson, applied
 * to each record with tl_jv (no allocation per record but the texts), and
 * for fills a first-in first-out book of open lots per strategy and
 * symbol.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "tl_json.h"
#include "tl_map.h"
#include "tl_mapfile.h"
#include "tl_num.h"
#include "tl_opt.h"
#include "tl_time.h"

/* A fill that leaves less than this share of a lot's quantity closes
 * it: quantities are decimals in the source, so a sum of doubles may
 * miss zero by a few ulps. */
#define QTY_EPS		1e-9

/* How a field's value is made. */
struct spec {
	char		*to;		/* our field */
	char		*from;		/* the source field, or NULL */
	char		*time;		/* a time format, epoch_s, epoch_ms */
	int		 offset;	/* minutes the source times are ahead
					 * of UTC */
	double		 scale;		/* numbers times this */
	int		 scaled;	/* scale was given */
	int		 net;		/* a P&L net of fees */
	char		**vfrom, **vto;	/* a word table */
	size_t		 nv;		/* its size */
	char		*file;		/* a name pattern with one '*' */
	char		*part;		/* what '*' stood for in this file */
	char		*konst;		/* a constant, as JSON */
};

/* A "where" test: the field holds one of the values. */
struct where {
	char		*field;		/* source field */
	char		**values;	/* as text */
	size_t		 n;		/* their number */
};

/* The fields a fills map names, in this order. */
enum { FL_ID, FL_TS, FL_SYMBOL, FL_SIDE, FL_QTY, FL_PRICE, FL_FEE,
	FL_STRATEGY, FL_N };
static const char *const fill_names[FL_N] = { "id", "ts", "symbol", "side",
	"qty", "price", "fee", "strategy" };
static const int fill_need[FL_N] = { 0, 1, 1, 1, 1, 1, 0, 1 };

/* An open lot of a position. */
struct lot {
	int64_t		 ts;		/* when it opened */
	double		 qty;		/* what is left, > 0 */
	double		 price;		/* at what price */
	double		 fee;		/* its fee not yet charged */
};

struct position {
	int		 sign;		/* +1 long, -1 short */
	struct lot	*lot;		/* oldest first, from head */
	size_t		 head, n, cap;	/* lots head..n-1 are open */
};

struct tl_mapfile {
	char		*name;		/* "name", else the file's */
	char		*files;		/* fnmatch pattern, or NULL */
	char		*input;		/* "jsonl", "csv", "json", or NULL */
	char		*path;		/* JSON document path, or NULL */
	enum tl_kind	 kind;		/* of the records made */
	int		 extras;	/* keep unmapped source fields */
	struct where	*where;		/* tests */
	size_t		 nwhere;
	struct spec	*spec;		/* fields, then constants */
	size_t		 nspec;
	int		 fills;		/* pair fills into trades */
	int		 fill[FL_N];	/* spec index of each, or -1 */
	struct tl_map	*book;		/* strategy NUL symbol -> position */
	struct position	*pos;		/* positions, by book value - 1 */
	size_t		 npos;
	struct tl_buf	 tmp;		/* a key, a value */
	char		*stem;		/* the current file's base name */
	size_t		 left_out;	/* records "where" left out */
};

/* The keys a spec object may have. */
static const char *const spec_keys[] = { "from", "time", "offset", "scale",
	"net", "values", "file", "const" };
static const char *const top_keys[] = { "format", "version", "name",
	"files", "input", "path", "kind", "extras", "where", "fields",
	"constants", "fills" };
static const char *const input_names[] = { "jsonl", "csv", "json" };

static void
spec_release(struct spec *s)
{
	size_t i;

	free(s->to);
	free(s->from);
	free(s->time);
	for (i = 0; i < s->nv; i++) {
		free(s->vfrom[i]);
		free(s->vto[i]);
	}
	free(s->vfrom);
	free(s->vto);
	free(s->file);
	free(s->part);
	free(s->konst);
}

void
tl_mapfile_free(struct tl_mapfile *m)
{
	size_t i, j;

	if (m == NULL)
		return;
	for (i = 0; i < m->nspec; i++)
		spec_release(&m->spec[i]);
	free(m->spec);
	for (i = 0; i < m->nwhere; i++) {
		free(m->where[i].field);
		for (j = 0; j < m->where[i].n; j++)
			free(m->where[i].values[j]);
		free(m->where[i].values);
	}
	free(m->where);
	for (i = 0; i < m->npos; i++)
		free(m->pos[i].lot);
	free(m->pos);
	tl_map_free(m->book);
	tl_buf_release(&m->tmp);
	free(m->name);
	free(m->files);
	free(m->input);
	free(m->path);
	free(m->stem);
	free(m);
}

/* ---- loading -------------------------------------------------------- */

/* The loader's context: where errors point. */
struct ld {
	const char	*path;		/* the map file */
	struct tl_err	*err;		/* set on failure */
};

static int
fail(struct ld *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(struct ld *l, const char *fmt, ...)
{
	char msg[sizeof(l->err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return tl_err_set(l->err, TL_EX_DATAERR, l->path, 0, "%s", msg);
}

/* A string member (or NULL when absent): 0, or -1 for another type. */
static int
get_str(struct ld *l, const json_t *o, const char *key, char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return fail(l, "'%s': expected a string, got %s", key,
		    tl_json_typename(v));
	*out = tl_xstrdup(json_string_value(v));
	return 0;
}

/* Is every key of o in the table keys[0..n)?  -1 names the first that
 * is not. */
static int
known_keys(struct ld *l, const json_t *o, const char *const *keys, size_t n,
    const char *what)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)o, k, v) {
		if (tl_table_find(keys, n, sizeof(*keys), k) == -1)
			return fail(l, "%s: unknown key '%s'", what, k);
	}
	return 0;
}

/* A time format: only %Y %m %d %H %M %S %f %% and other bytes. */
static int
check_time(struct ld *l, const char *to, const char *fmt)
{
	const char *p;

	if (strcmp(fmt, "epoch_s") == 0 || strcmp(fmt, "epoch_ms") == 0)
		return 0;
	for (p = fmt; *p != '\0'; p++)
		if (*p == '%' && (*++p == '\0' || strchr("YmdHMSf%", *p) ==
		    NULL))
			return fail(l, "field '%s': time format '%s' (known: "
			    "%%Y %%m %%d %%H %%M %%S %%f %%%%, epoch_s, "
			    "epoch_ms)", to, fmt);
	return 0;
}

/* "+HH:MM" or "-HH:MM" as minutes. */
static int
parse_offset(const char *s, int *min)
{
	if (strlen(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' ||
	    strspn(s + 1, "0123456789") != 2 || strspn(s + 4, "0123456789")
	    != 2)
		return -1;
	*min = ((s[1] - '0') * 10 + s[2] - '0') * 60 + (s[4] - '0') * 10 +
	    s[5] - '0';
	if (s[0] == '-')
		*min = -*min;
	return 0;
}

/* One field spec: a source field name or an object. */
static int
load_spec(struct ld *l, const char *to, const json_t *v, struct spec *s)
{
	const char *k, *ofs = NULL;
	json_t *x, *w;
	char what[128];
	size_t i;

	memset(s, 0, sizeof(*s));
	s->to = tl_xstrdup(to);
	s->scale = 1;
	snprintf(what, sizeof(what), "field '%s'", to);
	if (json_is_string(v)) {
		s->from = tl_xstrdup(json_string_value(v));
		return 0;
	}
	if (!json_is_object(v))
		return fail(l, "field '%s': expected a source field name or an "
		    "object, got %s", to, tl_json_typename(v));
	if (known_keys(l, v, spec_keys, TL_NELEM(spec_keys), what) == -1 ||
	    get_str(l, v, "from", &s->from) == -1 ||
	    get_str(l, v, "time", &s->time) == -1 ||
	    get_str(l, v, "file", &s->file) == -1)
		return -1;
	if ((x = json_object_get(v, "offset")) != NULL &&
	    (!json_is_string(x) || parse_offset(ofs = json_string_value(x),
	    &s->offset) == -1))
		return fail(l, "field '%s': offset '%s' is not +HH:MM or -HH:MM",
		    to, ofs != NULL ? ofs : "?");
	if ((x = json_object_get(v, "scale")) != NULL) {
		if (!json_is_number(x) || json_number_value(x) == 0)
			return fail(l, "field '%s': scale: expected a nonzero "
			    "number", to);
		s->scale = json_number_value(x);
		s->scaled = 1;
	}
	if ((x = json_object_get(v, "net")) != NULL) {
		if (!json_is_boolean(x) || strcmp(to, "pnl") != 0)
			return fail(l, "field '%s': net: true or false, for "
			    "pnl only", to);
		s->net = json_is_true(x);
	}
	if ((x = json_object_get(v, "values")) != NULL) {
		if (!json_is_object(x) || json_object_size(x) == 0)
			return fail(l, "field '%s': values: expected an object "
			    "of words", to);
		s->vfrom = tl_xcalloc(json_object_size(x), sizeof(char *));
		s->vto = tl_xcalloc(json_object_size(x), sizeof(char *));
		json_object_foreach(x, k, w) {
			if (!json_is_string(w))
				return fail(l, "field '%s': values: '%s' must "
				    "map to a string", to, k);
			i = s->nv++;
			s->vfrom[i] = tl_xstrdup(k);
			s->vto[i] = tl_xstrdup(json_string_value(w));
		}
	}
	if ((x = json_object_get(v, "const")) != NULL)
		s->konst = json_dumps(x, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s->time != NULL && check_time(l, to, s->time) == -1)
		return -1;
	if (s->file != NULL && (strchr(s->file, '*') == NULL ||
	    strchr(strchr(s->file, '*') + 1, '*') != NULL))
		return fail(l, "field '%s': file pattern '%s' must hold one "
		    "'*'", to, s->file);
	if ((s->from != NULL) + (s->file != NULL) + (s->konst != NULL) != 1)
		return fail(l, "field '%s': give one of from, file or const%s",
		    to, "");
	return 0;
}

static struct spec *
new_spec(struct tl_mapfile *m)
{
	m->spec = tl_xreallocarray(m->spec, m->nspec + 1, sizeof(*m->spec));
	return &m->spec[m->nspec++];
}

/* "fields" or "fills": an object of specs. */
static int
load_fields(struct ld *l, struct tl_mapfile *m, const json_t *o,
    const char *what)
{
	const char *k;
	json_t *v;
	long i;

	if (!json_is_object(o))
		return fail(l, "'%s': expected an object, got %s", what,
		    tl_json_typename(o));
	json_object_foreach((json_t *)o, k, v) {
		if (m->fills) {
			if ((i = tl_table_find(fill_names, FL_N,
			    sizeof(*fill_names), k)) == -1)
				return fail(l, "fills: unknown field '%s' (id, "
				    "ts, symbol, side, qty, price, fee or "
				    "strategy)", k);
			m->fill[i] = (int)m->nspec;
		}
		if (load_spec(l, k, v, new_spec(m)) == -1)
			return -1;
	}
	return 0;
}

/* "where": {field: value or [values]}. */
static int
load_where(struct ld *l, struct tl_mapfile *m, const json_t *o)
{
	const char *k;
	json_t *v, *e;
	struct where *w;
	size_t i;

	if (!json_is_object(o))
		return fail(l, "'where': expected an object, got %s",
		    tl_json_typename(o));
	m->where = tl_xcalloc(json_object_size(o), sizeof(*m->where));
	json_object_foreach((json_t *)o, k, v) {
		w = &m->where[m->nwhere++];
		w->field = tl_xstrdup(k);
		w->n = json_is_array(v) ? json_array_size(v) : 1;
		w->values = tl_xcalloc(w->n, sizeof(char *));
		for (i = 0; i < w->n; i++) {
			e = json_is_array(v) ? json_array_get(v, i) : v;
			if (!json_is_string(e) && !json_is_number(e))
				return fail(l, "where: '%s': values must be "
				    "strings or numbers", k);
			w->values[i] = json_is_string(e) ?
			    tl_xstrdup(json_string_value(e)) :
			    json_dumps(e, JSON_ENCODE_ANY);
		}
	}
	return 0;
}

static int
load(struct ld *l, struct tl_mapfile *m, const json_t *top)
{
	json_t *v, *c;
	const char *k;
	char *kind = NULL, list[256];
	long i;

	if (!json_is_object(top))
		return fail(l, "expected an object, got %s",
		    tl_json_typename(top));
	v = json_object_get(top, "format");
	if (!json_is_string(v) || strcmp(json_string_value(v), "tl-map") != 0)
		return fail(l, "not a mapping file (expected \"format\": "
		    "\"tl-map\")");
	v = json_object_get(top, "version");
	if (json_is_integer(v) && json_integer_value(v) != TL_MAPFILE_VERSION)
		return fail(l, "unsupported version %lld (tl-ingest reads "
		    "tl-map version %d)", (long long)json_integer_value(v),
		    TL_MAPFILE_VERSION);
	if (!json_is_integer(v))
		return fail(l, "no version, or not an integer (tl-ingest reads "
		    "tl-map version %d)", TL_MAPFILE_VERSION);
	if (known_keys(l, top, top_keys, TL_NELEM(top_keys), "map") == -1 ||
	    get_str(l, top, "name", &m->name) == -1 ||
	    get_str(l, top, "files", &m->files) == -1 ||
	    get_str(l, top, "input", &m->input) == -1 ||
	    get_str(l, top, "path", &m->path) == -1 ||
	    get_str(l, top, "kind", &kind) == -1)
		goto bad;
	if (m->input != NULL && tl_table_find(input_names,
	    TL_NELEM(input_names), sizeof(*input_names), m->input) == -1) {
		tl_word_list(list, sizeof(list), input_names,
		    TL_NELEM(input_names), sizeof(*input_names));
		fail(l, "input: unknown '%s' (%s)", m->input, list);
		goto bad;
	}
	m->kind = TL_KIND_NONE;
	if (kind != NULL && (i = tl_table_find(tl_kind_names + 1,
	    TL_KIND_N - 1, sizeof(*tl_kind_names), kind)) == -1) {
		tl_word_list(list, sizeof(list), tl_kind_names + 1,
		    TL_KIND_N - 1, sizeof(*tl_kind_names));
		fail(l, "kind: unknown '%s' (%s)", kind, list);
		goto bad;
	}
	if (kind != NULL)
		m->kind = (enum tl_kind)(i + 1);
	free(kind);
	kind = NULL;
	if ((v = json_object_get(top, "extras")) != NULL) {
		if (!json_is_boolean(v))
			return fail(l, "extras: true or false");
		m->extras = json_is_true(v);
	}
	for (i = 0; i < FL_N; i++)
		m->fill[i] = -1;
	v = json_object_get(top, "fills");
	if (v != NULL && (json_object_get(top, "fields") != NULL ||
	    m->kind != TL_KIND_NONE))
		return fail(l, "'fills' makes outcomes and decisions: no "
		    "'fields' or 'kind' beside it");
	if (v != NULL) {
		m->fills = 1;
		if (load_fields(l, m, v, "fills") == -1)
			return -1;
		for (i = 0; i < FL_N; i++)
			if (fill_need[i] && m->fill[i] == -1)
				return fail(l, "fills: no field '%s'",
				    fill_names[i]);
	} else if ((v = json_object_get(top, "fields")) == NULL)
		return fail(l, "no 'fields' (or 'fills')");
	else if (load_fields(l, m, v, "fields") == -1)
		return -1;
	if ((v = json_object_get(top, "where")) != NULL &&
	    load_where(l, m, v) == -1)
		return -1;
	if ((v = json_object_get(top, "constants")) != NULL) {
		if (!json_is_object(v))
			return fail(l, "'constants': expected an object, got "
			    "%s", tl_json_typename(v));
		json_object_foreach(v, k, c) {
			struct spec *s = new_spec(m);

			memset(s, 0, sizeof(*s));
			s->to = tl_xstrdup(k);
			s->scale = 1;
			s->konst = json_dumps(c, JSON_COMPACT |
			    JSON_ENCODE_ANY);
		}
	}
	return 0;
bad:
	free(kind);
	return -1;
}

struct tl_mapfile *
tl_mapfile_load(const char *path, struct tl_err *err)
{
	struct tl_mapfile *m;
	struct ld l = { path, err };
	json_error_t je;
	json_t *top;
	FILE *fp;
	const char *b;

	if ((fp = fopen(path, "rb")) == NULL) {
		tl_err_set(err, TL_EX_NOINPUT, path, 0, "%s", strerror(errno));
		return NULL;
	}
	top = json_loadf(fp, JSON_REJECT_DUPLICATES, &je);
	fclose(fp);
	if (top == NULL) {
		tl_err_set(err, TL_EX_DATAERR, path, (unsigned long)je.line,
		    "invalid JSON: %s", je.text);
		return NULL;
	}
	m = tl_xcalloc(1, sizeof(*m));
	tl_buf_init(&m->tmp);
	m->book = tl_map_alloc();
	if (load(&l, m, top) == -1) {
		json_decref(top);
		tl_mapfile_free(m);
		return NULL;
	}
	json_decref(top);
	if (m->name == NULL) {
		b = strrchr(path, '/');
		m->name = tl_xstrdup(b != NULL ? b + 1 : path);
	}
	return m;
}

const char *
tl_mapfile_name(const struct tl_mapfile *m)
{
	return m->name;
}

const char *
tl_mapfile_input(const struct tl_mapfile *m)
{
	return m->input;
}

const char *
tl_mapfile_path(const struct tl_mapfile *m)
{
	return m->path;
}

static const char *
base(const char *path)
{
	const char *b = strrchr(path, '/');

	return b != NULL ? b + 1 : path;
}

int
tl_mapfile_matches(const struct tl_mapfile *m, const char *path)
{
	return m->files == NULL || fnmatch(m->files, base(path), 0) == 0;
}

int
tl_mapfile_begin(struct tl_mapfile *m, const char *path, struct tl_err *err)
{
	const char *b = base(path), *star;
	struct spec *s;
	size_t i, pre, post, n = strlen(b);

	free(m->stem);
	m->stem = tl_xstrdup(b);
	for (i = 0; i < m->nspec; i++) {
		s = &m->spec[i];
		if (s->file == NULL)
			continue;
		star = strchr(s->file, '*');
		pre = (size_t)(star - s->file);
		post = strlen(star + 1);
		if (n < pre + post + 1 || strncmp(b, s->file, pre) != 0 ||
		    strcmp(b + n - post, star + 1) != 0)
			return tl_err_set(err, TL_EX_DATAERR, path, 0, "map "
			    "'%s': field '%s': the file name does not match "
			    "'%s'", m->name, s->to, s->file);
		free(s->part);
		s->part = tl_xstrndup(b + pre, n - pre - post);
	}
	return 0;
}

/* ---- applying ---------------------------------------------------------- */

/* The value of a field: a jv member of the record, NULL when absent,
 * null or an empty string (an empty CSV cell is absent already). */
static const struct tl_jv *
source(const struct tl_jdoc *d, const struct tl_jv *v, const char *name)
{
	const struct tl_jv *x = tl_jv_get(d, v, name);

	if (x == NULL || x->type == TL_JNULL ||
	    (x->type == TL_JSTR && x->len == 0))
		return NULL;
	return x;
}

static int
bad_value(const struct spec *s, const char *what, const struct tl_jv *x,
    struct tl_err *err)
{
	if (x->type != TL_JSTR && x->type != TL_JNUM)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "field '%s' "
		    "(%s): %s, got %s", s->from, s->to, what,
		    tl_jv_typename(x));
	return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "field '%s' (%s): "
	    "%s, got %s '%.*s'", s->from, s->to, what, tl_jv_typename(x),
	    (int)(x->len < 64 ? x->len : 64), x->s);
}

/* A number field: a JSON number, or a string that reads as one. */
static int
number(const struct spec *s, const struct tl_jv *x, double *out,
    struct tl_err *err)
{
	if (x->type == TL_JNUM)
		*out = x->num;
	else if (x->type != TL_JSTR || tl_strtod_exact(x->s, x->len, out)
	    == -1)
		return bad_value(s, "expected a number", x, err);
	*out *= s->scale;
	return 0;
}

/* Text s[0..n) read by format fmt: 0 and *ms, or -1. */
static int
strptime_ms(const char *fmt, const char *s, size_t n, int64_t *ms)
{
	int y = 1970, mo = 1, d = 1, h = 0, mi = 0, sec = 0, *f, k;
	size_t i = 0, w;
	int64_t frac = 0, scale = 100;

	for (; *fmt != '\0'; fmt++) {
		if (*fmt != '%' || *++fmt == '%') {
			if (i >= n || s[i++] != *fmt)
				return -1;
			continue;
		}
		if (*fmt == 'f') {
			for (w = 0; i < n && s[i] >= '0' && s[i] <= '9';
			    i++, w++) {
				frac += scale * (s[i] - '0');
				scale /= 10;
			}
			if (w == 0)
				return -1;
			continue;
		}
		f = *fmt == 'Y' ? &y : *fmt == 'm' ? &mo : *fmt == 'd' ? &d :
		    *fmt == 'H' ? &h : *fmt == 'M' ? &mi : &sec;
		w = *fmt == 'Y' ? 4 : 2;
		for (*f = 0, k = 0; (size_t)k < w; k++, i++) {
			if (i >= n || s[i] < '0' || s[i] > '9')
				return -1;
			*f = *f * 10 + s[i] - '0';
		}
	}
	if (i != n || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	*ms = (tl_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	    sec) * 1000 + frac;
	return 0;
}

/* A time field as ms. */
static int
when(const struct spec *s, const struct tl_jv *x, int64_t *ms,
    struct tl_err *err)
{
	char fmt[128];
	double v;

	if (s->time != NULL && (strcmp(s->time, "epoch_s") == 0 ||
	    strcmp(s->time, "epoch_ms") == 0)) {
		if (number(s, x, &v, err) == -1)
			return -1;
		if (s->time[6] == 's')
			v *= 1000;
		if (!(fabs(v) < 253402300800000.0))	/* year 9999 */
			return bad_value(s, "not a time", x, err);
		*ms = (int64_t)llround(v);
	} else if (x->type == TL_JNUM) {
		if (tl_time_from_epoch(x->num, ms) == -1)
			return bad_value(s, "not a time", x, err);
	} else if (x->type != TL_JSTR)
		return bad_value(s, "expected a time", x, err);
	else if (s->time != NULL) {
		if (strptime_ms(s->time, x->s, x->len, ms) == -1) {
			snprintf(fmt, sizeof(fmt), "not a time as '%s'",
			    s->time);
			return bad_value(s, fmt, x, err);
		}
	} else if (tl_time_parse(x->s, x->len, ms) == -1)
		return bad_value(s, "not an RFC 3339 time", x, err);
	*ms -= (int64_t)s->offset * 60000;
	return 0;
}

/* The word table's translation of x: *to, or -1. */
static int
word(const struct spec *s, const struct tl_jv *x, const char **to,
    struct tl_err *err)
{
	char num[TL_NUM_BUFSZ];
	const char *w = x->s;
	size_t i, n = x->len;

	if (x->type == TL_JNUM) {
		n = (size_t)tl_fmt_double(num, x->num);
		w = num;
	} else if (x->type != TL_JSTR)
		return bad_value(s, "expected a word", x, err);
	for (i = 0; i < s->nv; i++)
		if (strlen(s->vfrom[i]) == n && memcmp(s->vfrom[i], w, n) == 0)
			break;
	for (i = i < s->nv ? i : 0; i < s->nv; i++)
		if (strlen(s->vfrom[i]) == n &&
		    strncasecmp(s->vfrom[i], w, n) == 0)
			break;
	if (i == s->nv)
		return bad_value(s, "not a word of the map's values", x, err);
	*to = s->vto[i];
	return 0;
}

/* Put spec s's value for record v into out ("," "key":value).  Returns
 * 1 when put, 0 when the source field is absent, -1 with err.  fees is
 * the record's fees for a net P&L. */
static int
put_spec(struct tl_mapfile *m, const struct spec *s, const struct tl_jdoc *d,
    const struct tl_jv *v, double fees, struct tl_buf *out,
    struct tl_err *err)
{
	const struct tl_jv *x = NULL;
	const char *w;
	char buf[TL_TIME_BUFSZ + TL_NUM_BUFSZ];
	int64_t ms;
	double num_;
	int n;

	if (s->konst == NULL && s->part == NULL &&
	    (x = source(d, v, s->from)) == NULL)
		return 0;
	tl_jv_append_key(out, s->to, strlen(s->to));
	if (s->konst != NULL)
		tl_buf_adds(out, s->konst);
	else if (s->part != NULL)
		tl_jv_append_string(out, s->part, strlen(s->part));
	else if (s->time != NULL || s->offset != 0) {
		if (when(s, x, &ms, err) == -1)
			return -1;
		tl_jv_append_string(out, buf, (size_t)tl_time_format(buf, ms));
	} else if (s->nv > 0) {
		if (word(s, x, &w, err) == -1)
			return -1;
		tl_jv_append_string(out, w, strlen(w));
	} else if (s->scaled || s->net) {
		if (number(s, x, &num_, err) == -1)
			return -1;
		n = tl_fmt_double(buf, num_ + (s->net ? fees : 0));
		tl_buf_add(out, buf, (size_t)n);
	} else
		tl_jv_append(out, d, x);
	(void)m;
	return 1;
}

/* Does record v pass the "where" tests? */
static int
passes(const struct tl_mapfile *m, const struct tl_jdoc *d,
    const struct tl_jv *v)
{
	const struct tl_jv *x;
	char num[TL_NUM_BUFSZ];
	const char *s;
	size_t i, j, n;

	for (i = 0; i < m->nwhere; i++) {
		if ((x = tl_jv_get(d, v, m->where[i].field)) == NULL)
			return 0;
		if (x->type == TL_JNUM) {
			n = (size_t)tl_fmt_double(num, x->num);
			s = num;
		} else if (x->type == TL_JSTR) {
			s = x->s;
			n = x->len;
		} else
			return 0;
		for (j = 0; j < m->where[i].n; j++)
			if (strlen(m->where[i].values[j]) == n &&
			    memcmp(m->where[i].values[j], s, n) == 0)
				break;
		if (j == m->where[i].n)
			return 0;
	}
	return 1;
}

/* The spec of our field name, or NULL. */
static const struct spec *
spec_of(const struct tl_mapfile *m, const char *to)
{
	size_t i;

	for (i = 0; i < m->nspec; i++)
		if (strcmp(m->spec[i].to, to) == 0)
			return &m->spec[i];
	return NULL;
}

/* A field-by-field record. */
static int
apply_fields(struct tl_mapfile *m, const struct tl_jdoc *d,
    const struct tl_jv *v, struct tl_buf *out, struct tl_err *err)
{
	const struct spec *fs;
	const struct tl_jv *x, *c;
	double fees = 0;
	size_t i, mark = out->len;

	if ((fs = spec_of(m, "fees")) != NULL && fs->from != NULL &&
	    (x = source(d, v, fs->from)) != NULL && number(fs, x, &fees,
	    err) == -1)
		return -1;
	tl_buf_addc(out, '{');
	for (i = 0; i < m->nspec; i++)
		if (put_spec(m, &m->spec[i], d, v, fees, out, err) == -1) {
			out->len = mark;
			return -1;
		}
	for (c = tl_jv_child(d, v); m->extras && c != NULL;
	    c = tl_jv_next(d, v, c)) {
		for (i = 0; i < m->nspec; i++)
			if ((m->spec[i].from != NULL &&
			    strlen(m->spec[i].from) == c->keylen &&
			    memcmp(m->spec[i].from, c->key, c->keylen) == 0) ||
			    (strlen(m->spec[i].to) == c->keylen &&
			    memcmp(m->spec[i].to, c->key, c->keylen) == 0))
				break;
		if (i < m->nspec)
			continue;
		tl_jv_append_key(out, c->key, c->keylen);
		tl_jv_append(out, d, c);
	}
	tl_buf_addc(out, '}');
	tl_buf_addc(out, '\0');
	return 1;
}

/* ---- fills ---------------------------------------------------------------- */

/* A fill's fields, as read. */
struct fill {
	const char	*id;		/* its id, or NULL */
	size_t		 idlen;
	int64_t		 ts;		/* when */
	const char	*symbol;	/* what */
	size_t		 symlen;
	int		 side;		/* +1 buy, -1 sell */
	double		 qty, price, fee;	/* how much, at what, for */
	const char	*strategy;	/* whose */
	size_t		 stratlen;
};

/* A fills spec's value as text: a source string, a file part or a
 * constant string. */
static int
fill_text(const struct tl_mapfile *m, int f, const struct tl_jdoc *d,
    const struct tl_jv *v, const char **s, size_t *n, struct tl_err *err)
{
	const struct spec *sp = &m->spec[m->fill[f]];
	const struct tl_jv *x;

	if (sp->part != NULL) {
		*s = sp->part;
		*n = strlen(sp->part);
		return 1;
	}
	if (sp->konst != NULL) {
		*s = sp->konst;
		*n = strlen(sp->konst);
		if (*n >= 2 && **s == '"') {	/* a JSON string: its text */
			(*s)++;
			*n -= 2;
		}
		return 1;
	}
	if ((x = source(d, v, sp->from)) == NULL)
		return fill_need[f] ? tl_err_set(err, TL_EX_DATAERR, NULL, 0,
		    "field '%s' (%s): missing", sp->from, sp->to) : 0;
	if (x->type != TL_JSTR && x->type != TL_JNUM)
		return bad_value(sp, "expected a string or a number", x, err);
	*s = x->s;
	*n = x->len;
	return 1;
}

static int
fill_num(const struct tl_mapfile *m, int f, const struct tl_jdoc *d,
    const struct tl_jv *v, double *out, struct tl_err *err)
{
	const struct spec *sp;
	const struct tl_jv *x;

	*out = 0;
	if (m->fill[f] == -1)
		return 0;
	sp = &m->spec[m->fill[f]];
	if ((x = source(d, v, sp->from)) == NULL)
		return fill_need[f] ? tl_err_set(err, TL_EX_DATAERR, NULL, 0,
		    "field '%s' (%s): missing", sp->from, sp->to) : 0;
	return number(sp, x, out, err);
}

static int
read_fill(struct tl_mapfile *m, const struct tl_jdoc *d,
    const struct tl_jv *v, struct fill *fl, struct tl_err *err)
{
	const struct spec *sp = &m->spec[m->fill[FL_SIDE]];
	const struct tl_jv *x;
	const char *w;
	size_t n;

	memset(fl, 0, sizeof(*fl));
	if (m->fill[FL_ID] != -1 && fill_text(m, FL_ID, d, v, &fl->id,
	    &fl->idlen, err) == -1)
		return -1;
	if (fill_text(m, FL_SYMBOL, d, v, &fl->symbol, &fl->symlen,
	    err) == -1 || fill_text(m, FL_STRATEGY, d, v, &fl->strategy,
	    &fl->stratlen, err) == -1 || fill_num(m, FL_QTY, d, v, &fl->qty,
	    err) == -1 || fill_num(m, FL_PRICE, d, v, &fl->price, err) == -1 ||
	    fill_num(m, FL_FEE, d, v, &fl->fee, err) == -1)
		return -1;
	if ((x = source(d, v, sp->from)) == NULL)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "field '%s' "
		    "(side): missing", sp->from);
	if (sp->nv > 0) {
		if (word(sp, x, &w, err) == -1)
			return -1;
		n = strlen(w);
	} else if (x->type == TL_JSTR) {
		w = x->s;
		n = x->len;
	} else
		return bad_value(sp, "expected buy or sell", x, err);
	fl->side = n == 3 && strncasecmp(w, "buy", 3) == 0 ? 1 :
	    n == 4 && strncasecmp(w, "sell", 4) == 0 ? -1 : 0;
	if (fl->side == 0)
		return bad_value(sp, "expected buy or sell", x, err);
	if (!(fl->qty > 0))
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "field '%s' "
		    "(qty): a fill's quantity must be above 0",
		    m->spec[m->fill[FL_QTY]].from);
	sp = &m->spec[m->fill[FL_TS]];
	if ((x = source(d, v, sp->from)) == NULL)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "field '%s' "
		    "(ts): missing", sp->from);
	return when(sp, x, &fl->ts, err);
}

/* The position of strategy and symbol, made if new. */
static struct position *
position(struct tl_mapfile *m, const struct fill *fl)
{
	uintptr_t *slot;
	int added;

	tl_buf_reset(&m->tmp);
	tl_buf_add(&m->tmp, fl->strategy, fl->stratlen);
	tl_buf_addc(&m->tmp, '\0');
	tl_buf_add(&m->tmp, fl->symbol, fl->symlen);
	slot = tl_map_put(m->book, m->tmp.data, m->tmp.len, &added);
	if (added) {
		m->pos = tl_xreallocarray(m->pos, m->npos + 1,
		    sizeof(*m->pos));
		memset(&m->pos[m->npos], 0, sizeof(*m->pos));
		*slot = ++m->npos;
	}
	return &m->pos[*slot - 1];
}

static void
add_lot(struct position *p, int sign, int64_t ts, double qty, double price,
    double fee)
{
	if (p->n == p->head)
		p->head = p->n = 0;
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 8;
		p->lot = tl_xreallocarray(p->lot, p->cap, sizeof(*p->lot));
	}
	p->sign = sign;
	p->lot[p->n++] = (struct lot){ ts, qty, price, fee };
}

/* Write the closed trade of fill fl: an outcome and its decision. */
static void
put_trade(struct tl_mapfile *m, const struct fill *fl, int sign,
    int64_t entry_ts, double qty, double entry, double fees,
    struct tl_buf *out)
{
	char buf[TL_TIME_BUFSZ];
	struct tl_buf *id = &m->tmp;

	tl_buf_reset(id);
	if (fl->id != NULL)
		tl_buf_add(id, fl->id, fl->idlen);
	else
		tl_buf_printf(id, "%s@%lld", m->stem, (long long)fl->ts);
	tl_buf_printf(out, "{\"id\":");
	tl_jv_append_string(out, id->data, id->len);
	tl_buf_adds(out, ",\"decision_id\":");
	tl_jv_append_string(out, id->data, id->len);
	tl_buf_adds(out, ",\"strategy\":");
	tl_jv_append_string(out, fl->strategy, fl->stratlen);
	tl_buf_adds(out, ",\"symbol\":");
	tl_jv_append_string(out, fl->symbol, fl->symlen);
	tl_buf_printf(out, ",\"side\":\"%s\",\"entry_ts\":\"",
	    sign > 0 ? "long" : "short");
	tl_buf_add(out, buf, (size_t)tl_time_format(buf, entry_ts));
	tl_buf_adds(out, "\",\"exit_ts\":\"");
	tl_buf_add(out, buf, (size_t)tl_time_format(buf, fl->ts));
	tl_buf_adds(out, "\"");
	tl_buf_adds(out, ",\"entry_price\":");
	tl_buf_add(out, buf, (size_t)tl_fmt_double(buf, entry));
	tl_buf_adds(out, ",\"exit_price\":");
	tl_buf_add(out, buf, (size_t)tl_fmt_double(buf, fl->price));
	tl_buf_adds(out, ",\"qty\":");
	tl_buf_add(out, buf, (size_t)tl_fmt_double(buf, qty));
	tl_buf_adds(out, ",\"pnl\":");
	tl_buf_add(out, buf, (size_t)tl_fmt_double(buf, sign * (fl->price -
	    entry) * qty));
	tl_buf_adds(out, ",\"fees\":");
	tl_buf_add(out, buf, (size_t)tl_fmt_double(buf, fees));
	tl_buf_adds(out, "}");
	tl_buf_addc(out, '\0');
	/* the decision that opened it */
	tl_buf_adds(out, "{\"id\":");
	tl_jv_append_string(out, id->data, id->len);
	tl_buf_adds(out, ",\"ts\":\"");
	tl_buf_add(out, buf, (size_t)tl_time_format(buf, entry_ts));
	tl_buf_adds(out, "\",\"symbol\":");
	tl_jv_append_string(out, fl->symbol, fl->symlen);
	tl_buf_adds(out, ",\"strategy\":");
	tl_jv_append_string(out, fl->strategy, fl->stratlen);
	tl_buf_printf(out, ",\"action\":\"%s\"}", sign > 0 ? "buy" : "sell");
	tl_buf_addc(out, '\0');
}

/* One fill against its position, first in first out. */
static int
apply_fill(struct tl_mapfile *m, const struct tl_jdoc *d,
    const struct tl_jv *v, struct tl_buf *out, enum tl_kind *kinds,
    struct tl_err *err)
{
	struct fill fl;
	struct position *p;
	struct lot *l;
	double left, matched = 0, cost = 0, fees = 0, take, share;
	int64_t entry_ts = 0;
	int sign;

	if (read_fill(m, d, v, &fl, err) == -1)
		return -1;
	p = position(m, &fl);
	left = fl.qty;
	if (p->n == p->head || p->sign == fl.side) {
		add_lot(p, fl.side, fl.ts, fl.qty, fl.price, fl.fee);
		return 0;
	}
	sign = p->sign;
	entry_ts = p->lot[p->head].ts;
	while (left > QTY_EPS * fl.qty && p->head < p->n) {
		l = &p->lot[p->head];
		take = left < l->qty ? left : l->qty;
		share = take / l->qty;
		matched += take;
		cost += take * l->price;
		fees += l->fee * share;
		l->fee -= l->fee * share;
		l->qty -= take;
		left -= take;
		if (l->qty <= QTY_EPS * take)
			p->head++;
	}
	fees += fl.fee * (matched / fl.qty);
	put_trade(m, &fl, sign, entry_ts, matched, cost / matched, fees, out);
	kinds[0] = TL_KIND_OUTCOME;
	kinds[1] = TL_KIND_DECISION;
	if (left > QTY_EPS * fl.qty)	/* crossed zero: the rest opens */
		add_lot(p, fl.side, fl.ts, left, fl.price,
		    fl.fee * (left / fl.qty));
	return 2;
}

int
tl_mapfile_apply(struct tl_mapfile *m, const struct tl_jdoc *d,
    const struct tl_jv *v, struct tl_buf *out, enum tl_kind *kinds,
    struct tl_err *err)
{
	if (!passes(m, d, v)) {
		m->left_out++;
		return 0;
	}
	if (m->fills)
		return apply_fill(m, d, v, out, kinds, err);
	kinds[0] = m->kind;
	return apply_fields(m, d, v, out, err);
}

size_t
tl_mapfile_left_out(const struct tl_mapfile *m)
{
	return m->left_out;
}

size_t
tl_mapfile_open_positions(const struct tl_mapfile *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->npos; i++)
		n += m->pos[i].n > m->pos[i].head;
	return n;
}
