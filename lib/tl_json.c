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

/* The value v of d as a new json_t, or NULL where jansson's answer could
 * differ: an integer beyond json_int_t (jansson refuses it). */
static json_t *
from_jv(const struct tl_jdoc *d, const struct tl_jv *v)
{
	const struct tl_jv *c;
	json_t *out, *e;
	long long ll;
	char buf[32], *end;

	switch (v->type) {
	case TL_JNULL:
		return json_null();
	case TL_JTRUE:
		return json_true();
	case TL_JFALSE:
		return json_false();
	case TL_JSTR:	/* tl_jv checked the UTF-8, refused \u0000 */
		return json_stringn_nocheck(v->s, v->len);
	case TL_JNUM:
		if (memchr(v->s, '.', v->len) != NULL ||
		    memchr(v->s, 'e', v->len) != NULL ||
		    memchr(v->s, 'E', v->len) != NULL)
			return json_real(v->num);
		if (v->len >= sizeof(buf))
			return NULL;
		memcpy(buf, v->s, v->len);
		buf[v->len] = '\0';
		errno = 0;
		ll = strtoll(buf, &end, 10);
		if (errno != 0 || *end != '\0')
			return NULL;
		return json_integer((json_int_t)ll);
	case TL_JARR:
		out = json_array();
		for (c = tl_jv_child(d, v); c != NULL; c = tl_jv_next(d, v, c)) {
			if ((e = from_jv(d, c)) == NULL) {
				json_decref(out);
				return NULL;
			}
			json_array_append_new(out, e);
		}
		return out;
	default:
		out = json_object();
		for (c = tl_jv_child(d, v); c != NULL; c = tl_jv_next(d, v, c)) {
			if ((e = from_jv(d, c)) == NULL) {
				json_decref(out);
				return NULL;
			}
			json_object_setn_new_nocheck(out, c->key, c->keylen, e);
		}
		return out;
	}
}

/* The value in s[0..n) through tl_jv, which reads a line several times
 * faster than jansson's lexer (a history of a thousand trials, every
 * JSONL record); NULL for any text tl_jv refuses or from_jv() leaves to
 * jansson, so that jansson's own words describe every error. */
static json_t *
fast_parse(const char *s, size_t n)
{
	struct tl_jdoc d;
	struct tl_err err;
	json_t *v = NULL;

	tl_jdoc_init(&d);
	if (tl_jdoc_parse(&d, s, n, NULL, 0, &err) == 0)
		v = from_jv(&d, &d.v[0]);
	tl_jdoc_release(&d);
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

json_t *
tl_json_num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

json_t *
tl_json_num_array(const double *x, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, tl_json_num(x[i]));
	return a;
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

json_t *
tl_json_load_file(const char *path, json_error_t *je)
{
	if (strcmp(path, "-") == 0)
		return json_loadf(stdin, JSON_REJECT_DUPLICATES, je);
	return json_load_file(path, JSON_REJECT_DUPLICATES, je);
}

json_t *
tl_json_load(const char *path, struct tl_err *err)
{
	json_error_t je;
	json_t *v;

	errno = 0;
	if ((v = tl_json_load_file(path, &je)) != NULL)
		return v;
	if (je.line == -1)	/* could not open it */
		tl_err_set(err, TL_EX_NOINPUT, tl_input_name(path), 0, "%s",
		    strerror(errno != 0 ? errno : ENOENT));
	else
		tl_err_set(err, TL_EX_DATAERR, tl_input_name(path),
		    (unsigned long)je.line, "invalid JSON: %s", je.text);
	return NULL;
}

const char *
tl_input_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

json_t *
tl_json_load_versioned(const char *path, const char *text, size_t len,
    const struct tl_format *f, int *version, struct tl_err *err)
{
	char range[64];
	const char *name;
	json_error_t je;
	json_t *v, *ver;

	if (text == NULL && (v = tl_json_load(path, err)) == NULL)
		return NULL;
	if (text != NULL)
		v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	path = tl_input_name(path);	/* for messages from here on */
	name = json_string_value(json_object_get(v, "format"));
	if (name == NULL || strcmp(name, f->name) != 0) {
		tl_err_set(err, TL_EX_DATAERR, path, 0, "not a %s file",
		    f->name);
		json_decref(v);
		return NULL;
	}
	if (f->oldest == f->newest)
		snprintf(range, sizeof(range), "%d", f->newest);
	else
		snprintf(range, sizeof(range), "%d-%d", f->oldest, f->newest);
	ver = json_object_get(v, "version");
	if (!json_is_integer(ver))
		tl_err_set(err, TL_EX_DATAERR, path, 0, "format '%s' has no "
		    "version (this %s reads %s)", f->name, tl_progname(),
		    range);
	else if (json_integer_value(ver) < f->oldest ||
	    json_integer_value(ver) > f->newest)
		tl_err_set(err, TL_EX_DATAERR, path, 0, "format '%s' version %"
		    JSON_INTEGER_FORMAT " is %s than this %s reads (%s)",
		    f->name, json_integer_value(ver), json_integer_value(ver) >
		    f->newest ? "newer" : "older", tl_progname(), range);
	else {
		*version = (int)json_integer_value(ver);
		return v;
	}
	json_decref(v);
	return NULL;
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
