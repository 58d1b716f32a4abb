/*
 * JSON on top of jansson: parsing one line with a message in our style,
 * writing compact JSON with tl_fmt_double numbers, typed field getters
 * whose errors name the field, and flattening nested objects to dotted
 * keys ("genome.lookback") and back.
 */
#ifndef TL_JSON_H
#define TL_JSON_H

#include <stdio.h>

#include <jansson.h>

#include "tl_err.h"
#include "tl_util.h"

/* Parse one JSON text of n bytes.  Returns new value, or NULL with err =
 * TL_EX_DATAERR at name:line and a message such as "invalid JSON: ...
 * (column 17)".  NaN, Infinity and numbers beyond double range are
 * errors (jansson's grammar). */
json_t	*tl_json_parse(const char *s, size_t n, const char *name,
	    unsigned long line, struct tl_err *err);

/* Append v as compact JSON (no spaces, keys in insertion order, numbers
 * by tl_fmt_double, non-ASCII UTF-8 kept as is) to b. */
void	tl_json_append(struct tl_buf *b, const json_t *v);

/* Write v and "\n" to fp.  Returns 0, or -1 with err = TL_EX_IOERR. */
int	tl_json_writeln(FILE *fp, const json_t *v, struct tl_err *err);

/* x as a new JSON number, or null when it is NaN or infinite (JSON has
 * no spelling for them); and n of them as a new array. */
json_t	*tl_json_num(double x);
json_t	*tl_json_num_array(const double *x, size_t n);

/* Name of v's type for messages: "number", "string", "object", ... */
const char *tl_json_typename(const json_t *v);

/* Typed getters: *out is set when the field is present with the right
 * type.  Return 1 found, 0 absent or null, -1 wrong type with err =
 * TL_EX_DATAERR, where = name:line, msg "field 'pnl': expected number,
 * got string".  Strings are borrowed from obj. */
int	tl_json_get_number(const json_t *obj, const char *key, double *out,
	    const char *name, unsigned long line, struct tl_err *err);
int	tl_json_get_string(const json_t *obj, const char *key,
	    const char **out, const char *name, unsigned long line,
	    struct tl_err *err);

/* The JSON text of the file at path, "-" for standard input (no
 * duplicate keys): the one reader of whole JSON files.  Returns new
 * value, or NULL with *je (je->line -1 and errno set when the file
 * cannot be opened). */
json_t	*tl_json_load_file(const char *path, json_error_t *je);

/* tl_json_load_file with its failure as err, where = the name of path:
 * TL_EX_NOINPUT with strerror when it cannot be opened, else
 * TL_EX_DATAERR at name:line "invalid JSON: ...".  Returns new value. */
json_t	*tl_json_load(const char *path, struct tl_err *err);

/* The name of path in messages: "<stdin>" for "-", else path. */
const char *tl_input_name(const char *path);

/* A model or state file's kind: the "format" member it names itself by
 * and the "version"s this build reads; the newest is the one written. */
struct tl_format {
	const char	*name;		/* "tl-bandit-state" */
	int		 oldest;	/* the oldest version read */
	int		 newest;	/* the newest, the one written */
};

/* The one way every model and state file is opened: read the JSON object
 * (the file at path, or, when text is not NULL, the len bytes at text,
 * such as a binary model's header line, named path in messages; no
 * duplicate keys) and check its "format" and "version" members against
 * f.  Returns the new object with *version set, or NULL with err (where
 * = path):
 *   TL_EX_NOINPUT  "No such file or directory" (cannot open path)
 *   TL_EX_DATAERR  "invalid JSON: ..." (where = path:line; text: "not a
 *                  tl-forest-model file"), "not a tl-bandit-state file"
 *                  (no object naming that format), "format
 *                  'tl-bandit-state' has no version (this tl-bandit reads
 *                  1-2)", "format 'tl-bandit-state' version 3 is newer
 *                  than this tl-bandit reads (1-2)", "... version 0 is
 *                  older than this tl-bandit reads (1-2)"; a single
 *                  version reads "(1)".  The tool is tl_progname(). */
json_t	*tl_json_load_versioned(const char *path, const char *text,
	    size_t len, const struct tl_format *f, int *version,
	    struct tl_err *err);

/* New object with nested objects flattened to dotted keys, in order:
 * {"a":{"b":1}} -> {"a.b":1}.  Arrays and scalars are kept as values. */
json_t	*tl_json_flatten(const json_t *obj);

/* New object with dotted keys nested again: {"a.b":1} -> {"a":{"b":1}}.
 * Returns NULL with err (TL_EX_DATAERR) when keys clash ("a" and "a.b"). */
json_t	*tl_json_unflatten(const json_t *flat, const char *name,
	    unsigned long line, struct tl_err *err);

#endif
