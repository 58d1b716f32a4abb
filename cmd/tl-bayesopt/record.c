/*
 * tl-bayesopt: the fields of a trial record written, as history.c reads
 * them (params under --params-field, --objective "values",
 * "intermediate" and "rungs"), and the JSON lines of -o.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "bayesopt.h"
#include "tl_err.h"
#include "tl_out.h"
#include "tl_prune.h"
#include "tl_space.h"

/* x as JSON: a number, null when not finite. */
json_t *
num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

/* Set rec's --params-field (dotted: nested objects) to params (stolen):
 * the field a trial's params are read from is the one they are written
 * to, so that candidates look like the runs they came from. */
void
set_params(json_t *rec, const struct opts *o, json_t *params)
{
	const char *p = o->params_field, *dot;
	json_t *obj = rec, *sub;
	char key[256];

	while ((dot = strchr(p, '.')) != NULL) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - p), p);
		if (!json_is_object(sub = json_object_get(obj, key))) {
			sub = json_object();
			json_object_set_new(obj, key, sub);
		}
		obj = sub;
		p = dot + 1;
	}
	json_object_set_new(obj, p, params);
}

/* Set rec's --params-field to the params of the point x. */
void
put_params(json_t *rec, const struct opts *o, const struct tl_space *s,
    const double *x)
{
	set_params(rec, o, tl_space_decode(s, x));
}

/* The values y[nobj] as an object by --objective name; y holds losses
 * (maximised negated) when as_loss, else the values as given.  New. */
json_t *
values_json(const struct opts *o, const double *y, int as_loss)
{
	json_t *v = json_object();
	size_t j;

	for (j = 0; j < o->nobj; j++)
		json_object_set_new(v, o->obj_name[j], num(as_loss &&
		    o->obj_max[j] ? -y[j] : y[j]));
	return v;
}

/* Write rec (an object: one line; an array: a line each) to -o.  rec is
 * borrowed. */
int
write_lines(const struct opts *o, const json_t *rec, struct tl_err *err)
{
	struct tl_out *out;
	size_t i;
	int rc = 0;

	if ((out = tl_out_open(o->output, TL_FMT_JSONL, err)) == NULL)
		return -1;
	if (json_is_array(rec)) {
		for (i = 0; rc == 0 && i < json_array_size(rec); i++)
			rc = tl_out_write(out, json_array_get(rec, i), err);
	} else
		rc = tl_out_write(out, rec, err);
	if (rc == 0)
		return tl_out_close(out, err);
	tl_out_abort(out);
	return -1;
}

