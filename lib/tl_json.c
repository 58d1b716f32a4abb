/*
 * JSON helpers over jansson.  Output does not use json_dumps(): jansson
 * prints reals with %.17g ("0.10000000000000001"), and we want every tool
 * to print numbers through tl_fmt_double.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_json.h"
#include "tl_jv.h"
#include "tl_num.h"

/*
 * A fast path for the common record: ASCII strings without escapes,
 * plain numbers, modest nesting.  jansson spends most of a history
 * read in its byte-at-a-time lexer and in strtod; this parser builds
 * the same json_t (same types, same key order, the same doubles: exact
 * Clinger conversion when the digits fit, strtod otherwise) and gives
 * up on anything else (escapes, non-ASCII, errors, duplicate keys,
 * huge integers), which jansson then parses, with its own messages.
 */
#define FAST_DEPTH	64
#define FAST_KEY	256
#define FAST_NUM	128

struct fast {
	const char	*p, *end;
	int		 depth;
};

static void
fast_ws(struct fast *f)
{
	while (f->p < f->end && (*f->p == ' ' || *f->p == '\t' ||
	    *f->p == '\n' || *f->p == '\r'))
		f->p++;
}

/* A string without escapes into [*s, *s + *n); -1 to give up. */
static int
fast_str(struct fast *f, const char **s, size_t *n)
{
	const char *q;

	if (f->p >= f->end || *f->p != '"')
		return -1;
	for (q = ++f->p; q < f->end && *q != '"'; q++)
		if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x80 ||
		    *q == '\\')
			return -1;
	if (q >= f->end)
		return -1;
	*s = f->p;
	*n = (size_t)(q - f->p);
	f->p = q + 1;
	return 0;
}

static json_t *
fast_num(struct fast *f)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
	    1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
	    1e18, 1e19, 1e20, 1e21, 1e22 };
	const char *q = f->p, *start = f->p;
	unsigned long long m = 0;
	int neg = 0, ndig = 0, e10 = 0, ex = 0, eneg = 0, real = 0, edig;
	char buf[FAST_NUM];
	double v;

	if (q < f->end && *q == '-') {
		neg = 1;
		q++;
	}
	if (q >= f->end || *q < '0' || *q > '9')
		return NULL;
	if (*q == '0') {
		q++;
		if (q < f->end && *q >= '0' && *q <= '9')
			return NULL;
	} else
		for (; q < f->end && *q >= '0' && *q <= '9'; q++) {
			if (ndig < 19)
				m = m * 10 + (unsigned)(*q - '0');
			else
				e10++;
			ndig += m != 0;
		}
	if (q < f->end && *q == '.') {
		real = 1;
		if (++q >= f->end || *q < '0' || *q > '9')
			return NULL;
		for (; q < f->end && *q >= '0' && *q <= '9'; q++)
			if (ndig < 19) {
				m = m * 10 + (unsigned)(*q - '0');
				e10--;
				ndig += m != 0;
			}
	}
	if (q < f->end && (*q == 'e' || *q == 'E')) {
		real = 1;
		q++;
		if (q < f->end && (*q == '+' || *q == '-'))
			eneg = *q++ == '-';
		if (q >= f->end || *q < '0' || *q > '9')
			return NULL;
		for (edig = 0; q < f->end && *q >= '0' && *q <= '9'; q++)
			if (++edig < 8)
				ex = ex * 10 + (*q - '0');
		if (edig >= 8)
			return NULL;
		e10 += eneg ? -ex : ex;
	}
	f->p = q;
	if (!real) {
		/* jansson: an integer; at most 18 digits fit for sure */
		if (ndig > 18 || e10 != 0)
			return NULL;
		return json_integer(neg ? -(json_int_t)m : (json_int_t)m);
	}
	if (ndig < 19 && m <= (1ULL << 53) && e10 >= -22 && e10 <= 22) {
		v = (double)m;
		v = e10 < 0 ? v / p10[-e10] : v * p10[e10];
	} else {
		if ((size_t)(q - start) >= sizeof(buf))
			return NULL;
		memcpy(buf, start, (size_t)(q - start));
		buf[q - start] = '\0';
		errno = 0;
		v = strtod(buf, NULL);
		if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL))
			return NULL;
		return json_real(v);
	}
	return json_real(neg ? -v : v);
}

static json_t *fast_value(struct fast *);

static json_t *
fast_object(struct fast *f)
{
	char key[FAST_KEY];
	const char *s;
	json_t *o, *v;
	size_t n;

	o = json_object();
	f->p++;
	fast_ws(f);
	if (f->p < f->end && *f->p == '}') {
		f->p++;
		return o;
	}
	for (;;) {
		fast_ws(f);
		if (fast_str(f, &s, &n) == -1 || n >= sizeof(key))
			goto fail;
		memcpy(key, s, n);
		key[n] = '\0';
		fast_ws(f);
		if (f->p >= f->end || *f->p != ':')
			goto fail;
		f->p++;
		if ((v = fast_value(f)) == NULL)
			goto fail;
		/* a repeated key replaces, not grows: jansson words it */
		n = json_object_size(o);
		if (json_object_set_new_nocheck(o, key, v) == -1 ||
		    json_object_size(o) == n)
			goto fail;
		fast_ws(f);
		if (f->p < f->end && *f->p == ',') {
			f->p++;
			continue;
		}
		if (f->p < f->end && *f->p == '}') {
			f->p++;
			return o;
		}
		goto fail;
	}
fail:
	json_decref(o);
	return NULL;
}

static json_t *
fast_array(struct fast *f)
{
	json_t *a, *v;

	a = json_array();
	f->p++;
	fast_ws(f);
	if (f->p < f->end && *f->p == ']') {
		f->p++;
		return a;
	}
	for (;;) {
		if ((v = fast_value(f)) == NULL)
			goto fail;
		json_array_append_new(a, v);
		fast_ws(f);
		if (f->p < f->end && *f->p == ',') {
			f->p++;
			continue;
		}
		if (f->p < f->end && *f->p == ']') {
			f->p++;
			return a;
		}
		goto fail;
	}
fail:
	json_decref(a);
	return NULL;
}

static int
fast_word(struct fast *f, const char *w, size_t n)
{
	if ((size_t)(f->end - f->p) < n || memcmp(f->p, w, n) != 0)
		return -1;
	f->p += n;
	return 0;
}

static json_t *
fast_value(struct fast *f)
{
	const char *s;
	json_t *v = NULL;
	size_t n;

	fast_ws(f);
	if (f->p >= f->end)
		return NULL;
	switch (*f->p) {
	case '{':
	case '[':
		if (++f->depth > FAST_DEPTH)
			return NULL;
		v = *f->p == '{' ? fast_object(f) : fast_array(f);
		f->depth--;
		return v;
	case '"':
		if (fast_str(f, &s, &n) == -1)
			return NULL;
		return json_stringn_nocheck(s, n);
	case 't':
		return fast_word(f, "true", 4) == 0 ? json_true() : NULL;
	case 'f':
		return fast_word(f, "false", 5) == 0 ? json_false() : NULL;
	case 'n':
		return fast_word(f, "null", 4) == 0 ? json_null() : NULL;
	default:
		return fast_num(f);
	}
}

/* The value in s[0..n), or NULL: not for the fast path. */
static json_t *
fast_parse(const char *s, size_t n)
{
	struct fast f = { s, s + n, 0 };
	json_t *v;

	if ((v = fast_value(&f)) == NULL)
		return NULL;
	fast_ws(&f);
	if (f.p != f.end) {
		json_decref(v);
		return NULL;
	}
	return v;
}

json_t *
tl_json_parse(const char *s, size_t n, const char *name, unsigned long line,
    struct tl_err *err)
{
	const char *nul;
	json_error_t je;
	json_t *v;

	/* jansson's own words for a raw NUL byte name the wrong place */
	if ((nul = memchr(s, '\0', n)) != NULL) {
		tl_err_set(err, TL_EX_DATAERR, name, line,
		    "invalid JSON: NUL byte (column %zu)", (size_t)(nul - s) + 1);
		return NULL;
	}
	if ((v = fast_parse(s, n)) != NULL)
		return v;
	v = json_loadb(s, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
	if (v == NULL && strstr(je.text, "JSON_ALLOW_NUL") != NULL)
		tl_err_set(err, TL_EX_DATAERR, name, line,
		    "invalid JSON: \\u0000 in a string (column %d)", je.column);
	else if (v == NULL)
		tl_err_set(err, TL_EX_DATAERR, name, line,
		    "invalid JSON: %s (column %d)", je.text, je.column);
	return v;
}

void
tl_json_append(struct tl_buf *b, const json_t *v)
{
	char num[TL_NUM_BUFSZ];
	const char *key;
	json_t *val;
	size_t i;
	int first = 1, n;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		tl_buf_addc(b, '{');
		json_object_foreach((json_t *)v, key, val) {
			if (!first)
				tl_buf_addc(b, ',');
			first = 0;
			tl_jv_append_string(b, key, strlen(key));
			tl_buf_addc(b, ':');
			tl_json_append(b, val);
		}
		tl_buf_addc(b, '}');
		break;
	case JSON_ARRAY:
		tl_buf_addc(b, '[');
		for (i = 0; i < json_array_size(v); i++) {
			if (i > 0)
				tl_buf_addc(b, ',');
			tl_json_append(b, json_array_get(v, i));
		}
		tl_buf_addc(b, ']');
		break;
	case JSON_STRING:
		tl_jv_append_string(b, json_string_value(v),
		    json_string_length(v));
		break;
	case JSON_INTEGER:
		tl_buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		n = tl_fmt_double(num, json_real_value(v));
		tl_buf_add(b, num, n < 0 ? 4 : (size_t)n);
		break;
	case JSON_TRUE:
		tl_buf_adds(b, "true");
		break;
	case JSON_FALSE:
		tl_buf_adds(b, "false");
		break;
	case JSON_NULL:
		tl_buf_adds(b, "null");
		break;
	}
}

int
tl_json_writeln(FILE *fp, const json_t *v, struct tl_err *err)
{
	struct tl_buf b;
	int rc = 0;

	tl_buf_init(&b);
	tl_json_append(&b, v);
	tl_buf_addc(&b, '\n');
	if (fwrite(b.data, 1, b.len, fp) != b.len)
		rc = tl_err_set(err, TL_EX_IOERR, NULL, 0, "write error: %s",
		    strerror(ferror(fp) ? errno : EIO));
	tl_buf_release(&b);
	return rc;
}

const char *
tl_json_typename(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER:
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	case JSON_NULL: return "null";
	}
	return "unknown";
}

int
tl_json_get_number(const json_t *obj, const char *key, double *out,
    const char *name, unsigned long line, struct tl_err *err)
{
	json_t *v;

	if ((v = json_object_get(obj, key)) == NULL || json_is_null(v))
		return 0;
	if (!json_is_number(v))
		return tl_err_set(err, TL_EX_DATAERR, name, line,
		    "field '%s': expected number, got %s", key,
		    tl_json_typename(v));
	*out = json_number_value(v);
	return 1;
}

int
tl_json_get_string(const json_t *obj, const char *key, const char **out,
    const char *name, unsigned long line, struct tl_err *err)
{
	json_t *v;

	if ((v = json_object_get(obj, key)) == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return tl_err_set(err, TL_EX_DATAERR, name, line,
		    "field '%s': expected string, got %s", key,
		    tl_json_typename(v));
	*out = json_string_value(v);
	return 1;
}

static void
flatten(json_t *out, struct tl_buf *prefix, const json_t *obj)
{
	const char *key;
	json_t *val;
	size_t mark;

	json_object_foreach((json_t *)obj, key, val) {
		mark = prefix->len;
		if (mark > 0)
			tl_buf_addc(prefix, '.');
		tl_buf_adds(prefix, key);
		if (json_is_object(val) && json_object_size(val) > 0)
			flatten(out, prefix, val);
		else
			json_object_set(out, prefix->data, val);
		prefix->len = mark;
		prefix->data[mark] = '\0';
	}
}

json_t *
tl_json_flatten(const json_t *obj)
{
	struct tl_buf prefix;
	json_t *out;

	out = json_object();
	tl_buf_init(&prefix);
	flatten(out, &prefix, obj);
	tl_buf_release(&prefix);
	return out;
}

json_t *
tl_json_unflatten(const json_t *flat, const char *name, unsigned long line,
    struct tl_err *err)
{
	const char *key, *p, *dot;
	json_t *out, *val, *node, *child;
	char part[1024];
	size_t n;

	out = json_object();
	json_object_foreach((json_t *)flat, key, val) {
		node = out;
		for (p = key; (dot = strchr(p, '.')) != NULL; p = dot + 1) {
			n = (size_t)(dot - p);
			if (n == 0 || n >= sizeof(part))
				goto bad;
			memcpy(part, p, n);
			part[n] = '\0';
			if ((child = json_object_get(node, part)) == NULL) {
				child = json_object();
				json_object_set_new(node, part, child);
			} else if (!json_is_object(child))
				goto bad;
			node = child;
		}
		if (*p == '\0' || json_object_get(node, p) != NULL)
			goto bad;
		/* an object leaf may get dotted children later: copy it, the
		 * caller's value is not ours to change */
		if (json_is_object(val))
			json_object_set_new(node, p, json_deep_copy(val));
		else
			json_object_set(node, p, val);
	}
	return out;
bad:
	json_decref(out);
	tl_err_set(err, TL_EX_DATAERR, name, line,
	    "column '%s': clashes with another column's nesting", key);
	return NULL;
}
