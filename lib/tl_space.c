/*
 * Search spaces: parsing and checking the JSON declaration, and the
 * encoding of parameter sets to points of the unit cube and back.  See
 * tl_space.h for the coordinates.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "tl_json.h"
#include "tl_map.h"
#include "tl_num.h"
#include "tl_rng.h"
#include "tl_space.h"

#define GRID_TOL	1e-6	/* a value is on the grid within this many
				 * steps (decimal text of past genomes) */
#define MAX_DECIMALS	15	/* digits kept by grid values */

/* the powers of ten that are exact doubles: pow()'s own values */
static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
    1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22 };
#define P10_MAX	((int)TL_NELEM(p10) - 1)	/* largest exact exponent */

static const char *const ptype_names[] = {
	[TL_P_FLOAT] = "float", [TL_P_INT] = "int", [TL_P_CAT] = "categorical"
};

void
tl_space_free(struct tl_space *s)
{
	size_t i, j;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->p[i].name);
		for (j = 0; j < s->p[i].nlev && s->p[i].choices != NULL; j++)
			json_decref(s->p[i].choices[j]);
		free(s->p[i].choices);
	}
	free(s->p);
	free(s);
}

struct tl_space *
tl_space_load(const char *path, struct tl_err *err)
{
	struct tl_space *s;
	json_error_t je;
	json_t *v;

	errno = 0;
	v = tl_json_load_file(path, &je);
	path = tl_input_name(path);
	if (v == NULL) {
		if (je.line == -1) {	/* could not open it */
			tl_err_set(err, TL_EX_NOINPUT, path, 0, "%s",
			    strerror(errno != 0 ? errno : ENOENT));
			return NULL;
		}
		if (strncmp(je.text, "duplicate object key", 20) == 0)
			tl_err_set(err, TL_EX_DATAERR, path,
			    (unsigned long)je.line, "a param name is used "
			    "twice: %s", je.text);
		else
			tl_err_set(err, TL_EX_DATAERR, path,
			    (unsigned long)je.line, "invalid JSON: %s",
			    je.text);
		return NULL;
	}
	s = tl_space_from_json(v, path, err);
	json_decref(v);
	return s;
}

/* Number of decimals that x needs (0.01 -> 2, 2.5 -> 1), at most
 * MAX_DECIMALS. */
static int
decimals(double x)
{
	char buf[64];
	int k;

	for (k = 0; k < MAX_DECIMALS; k++) {
		snprintf(buf, sizeof(buf), "%.*f", k, x);
		if (strtod(buf, NULL) == x)
			return k;
	}
	return MAX_DECIMALS;
}

/* A number member of spec; 1 found, 0 absent, -1 wrong type. */
static int
get_num(const json_t *spec, const char *key, double *out)
{
	json_t *v = json_object_get(spec, key);

	if (v == NULL)
		return 0;
	if (!json_is_number(v))
		return -1;
	*out = json_number_value(v);
	return 1;
}

static int
is_integral(double x)
{
	return isfinite(x) && x == floor(x) && fabs(x) <= 9007199254740992.0;
}

static int
parse_numeric(struct tl_param *p, const json_t *spec, const char *name,
    struct tl_err *err)
{
	char lo[TL_NUM_BUFSZ], hi[TL_NUM_BUFSZ];
	json_t *lg;
	double span;
	int rc;

	if (get_num(spec, "low", &p->low) != 1 ||
	    get_num(spec, "high", &p->high) != 1)
		return tl_err_set(err, TL_EX_DATAERR, name, 0, "param '%s': "
		    "needs numbers 'low' and 'high'", p->name);
	tl_fmt_double(lo, p->low);
	tl_fmt_double(hi, p->high);
	if (p->low > p->high)
		return tl_err_set(err, TL_EX_DATAERR, name, 0, "param '%s': "
		    "empty range: low %s > high %s", p->name, lo, hi);
	lg = json_object_get(spec, "log");
	if (lg != NULL && !json_is_boolean(lg))
		return tl_err_set(err, TL_EX_DATAERR, name, 0, "param '%s': "
		    "'log' must be true or false", p->name);
	p->log = json_is_true(lg);
	if ((rc = get_num(spec, "step", &p->step)) == -1 ||
	    (rc == 1 && !(p->step > 0 && isfinite(p->step))))
		return tl_err_set(err, TL_EX_DATAERR, name, 0, "param '%s': "
		    "'step' must be a number > 0", p->name);
	if (rc == 1 && p->log)
		return tl_err_set(err, TL_EX_DATAERR, name, 0, "param '%s': "
		    "'step' and 'log' exclude each other", p->name);
	if (p->type == TL_P_INT) {
		if (!is_integral(p->low) || !is_integral(p->high))
			return tl_err_set(err, TL_EX_DATAERR, name, 0,
			    "param '%s': an int needs integer bounds, got "
			    "[%s, %s]", p->name, lo, hi);
		if (rc == 1 && !is_integral(p->step))
			return tl_err_set(err, TL_EX_DATAERR, name, 0,
			    "param '%s': an int needs an integer step",
			    p->name);
		if (rc == 0)
			p->step = 1;
	}
	if (p->log && p->low <= (p->type == TL_P_INT ? 0.5 : 0))
		return tl_err_set(err, TL_EX_DATAERR, name, 0, "param '%s': "
		    "a log scale needs low %s", p->name,
		    p->type == TL_P_INT ? ">= 1" : "> 0");
	if (p->type == TL_P_FLOAT && p->low == p->high && p->step == 0)
		p->step = 1;		/* one value: a grid of one */
	if (p->log && p->type == TL_P_INT) {
		p->kind = TL_D_DISC;
		p->nlev = (size_t)(p->high - p->low) + 1;
		p->step = 1;
		p->a = log(p->low - 0.5);
		p->b = log(p->high + 0.5);
	} else if (p->log) {
		p->kind = TL_D_CONT;
		p->a = log(p->low);
		p->b = log(p->high);
		if (p->a == p->b)
			return tl_err_set(err, TL_EX_DATAERR, name, 0,
			    "param '%s': empty range on a log scale", p->name);
	} else if (p->step > 0) {
		span = floor((p->high - p->low) / p->step * (1 + 1e-12) +
		    GRID_TOL);
		if (!(span < (double)TL_SPACE_MAX_LEVELS))
			return tl_err_set(err, TL_EX_DATAERR, name, 0,
			    "param '%s': more than 2^40 grid values", p->name);
		p->kind = TL_D_DISC;
		p->nlev = (size_t)span + 1;
		p->a = p->low - p->step / 2;
		p->b = p->low + ((double)p->nlev - 0.5) * p->step;
	} else {
		p->kind = TL_D_CONT;
		p->a = p->low;
		p->b = p->high;
	}
	if (p->kind == TL_D_DISC && p->nlev > TL_SPACE_MAX_LEVELS)
		return tl_err_set(err, TL_EX_DATAERR, name, 0, "param '%s': "
		    "more than 2^40 values", p->name);
	return 0;
}

static int
parse_cat(struct tl_param *p, const json_t *spec, const char *name,
    struct tl_err *err)
{
	json_t *c, *v;
	size_t i, j;

	c = json_object_get(spec, "choices");
	if (!json_is_array(c) || json_array_size(c) == 0)
		return tl_err_set(err, TL_EX_DATAERR, name, 0, "param '%s': "
		    "a categorical needs a non-empty array 'choices'",
		    p->name);
	p->kind = TL_D_CAT;
	p->choices = tl_xcalloc(json_array_size(c), sizeof(json_t *));
	for (i = 0; i < json_array_size(c); i++) {
		v = json_array_get(c, i);
		if (!json_is_string(v) && !json_is_boolean(v) &&
		    !json_is_number(v))
			return tl_err_set(err, TL_EX_DATAERR, name, 0,
			    "param '%s': choice %zu: expected a string, "
			    "boolean or number, got %s", p->name, i + 1,
			    tl_json_typename(v));
		for (j = 0; j < i; j++)
			if (json_equal(v, p->choices[j]))
				return tl_err_set(err, TL_EX_DATAERR, name, 0,
				    "param '%s': choice %zu repeats choice %zu",
				    p->name, i + 1, j + 1);
		p->choices[p->nlev++] = json_incref(v);
	}
	return 0;
}

/* The param named by the first n bytes of name, or NULL. */
static const struct tl_param *
find_param(const struct tl_space *s, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strncmp(s->p[i].name, name, n) == 0 &&
		    s->p[i].name[n] == '\0')
			return &s->p[i];
	return NULL;
}

/* No param may be named by a dotted prefix of another: decoding nests
 * 'a.b' in an object 'a'. */
static int
check_paths(const struct tl_space *s, const char *name, struct tl_err *err)
{
	const char *dot;
	size_t i;

	for (i = 0; i < s->n; i++)
		for (dot = strchr(s->p[i].name, '.'); dot != NULL;
		    dot = strchr(dot + 1, '.'))
			if (find_param(s, s->p[i].name,
			    (size_t)(dot - s->p[i].name)) != NULL)
				return tl_err_set(err, TL_EX_DATAERR, name, 0,
				    "param '%s': '%.*s' is a param too (a "
				    "dotted name is a path into nested params)",
				    s->p[i].name, (int)(dot - s->p[i].name),
				    s->p[i].name);
	return 0;
}

struct tl_space *
tl_space_from_json(const json_t *obj, const char *name, struct tl_err *err)
{
	static const char *const keys[] = { "type", "low", "high", "log",
		"step", "choices", NULL };
	struct tl_space *s;
	struct tl_param *p;
	const char *key, *k2, *type;
	json_t *spec, *v;
	size_t i;

	if (!json_is_object(obj)) {
		tl_err_set(err, TL_EX_DATAERR, name, 0, "a space is an object "
		    "of params, got %s", tl_json_typename(obj));
		return NULL;
	}
	if (json_object_size(obj) == 0) {
		tl_err_set(err, TL_EX_DATAERR, name, 0, "the space has no "
		    "params");
		return NULL;
	}
	s = tl_xcalloc(1, sizeof(*s));
	s->p = tl_xcalloc(json_object_size(obj), sizeof(*s->p));
	json_object_foreach((json_t *)obj, key, spec) {
		p = &s->p[s->n++];
		p->name = tl_xstrdup(key);
		if (*key == '\0') {
			tl_err_set(err, TL_EX_DATAERR, name, 0, "a param needs "
			    "a name, got \"\"");
			goto fail;
		}
		if (!json_is_object(spec)) {
			tl_err_set(err, TL_EX_DATAERR, name, 0, "param '%s': "
			    "expected an object, got %s", key,
			    tl_json_typename(spec));
			goto fail;
		}
		json_object_foreach(spec, k2, v) {
			for (i = 0; keys[i] != NULL; i++)
				if (strcmp(keys[i], k2) == 0)
					break;
			if (keys[i] == NULL) {
				tl_err_set(err, TL_EX_DATAERR, name, 0,
				    "param '%s': unknown key '%s'", key, k2);
				goto fail;
			}
		}
		type = json_string_value(json_object_get(spec, "type"));
		if (type == NULL) {
			tl_err_set(err, TL_EX_DATAERR, name, 0, "param '%s': "
			    "needs a string 'type' (float, int or "
			    "categorical)", key);
			goto fail;
		}
		for (i = 0; i < TL_NELEM(ptype_names); i++)
			if (strcmp(type, ptype_names[i]) == 0)
				break;
		if (i == TL_NELEM(ptype_names)) {
			tl_err_set(err, TL_EX_DATAERR, name, 0, "param '%s': "
			    "unknown type '%s' (float, int or categorical)",
			    key, type);
			goto fail;
		}
		p->type = (enum tl_ptype)i;
		if (p->type == TL_P_CAT) {
			if (json_object_get(spec, "low") != NULL ||
			    json_object_get(spec, "high") != NULL ||
			    json_object_get(spec, "log") != NULL ||
			    json_object_get(spec, "step") != NULL) {
				tl_err_set(err, TL_EX_DATAERR, name, 0,
				    "param '%s': a categorical takes only "
				    "'choices'", key);
				goto fail;
			}
			if (parse_cat(p, spec, name, err) == -1)
				goto fail;
		} else {
			if (json_object_get(spec, "choices") != NULL) {
				tl_err_set(err, TL_EX_DATAERR, name, 0,
				    "param '%s': 'choices' is for "
				    "categoricals", key);
				goto fail;
			}
			if (parse_numeric(p, spec, name, err) == -1)
				goto fail;
		}
	}
	if (check_paths(s, name, err) == -1)
		goto fail;
	return s;
fail:
	tl_space_free(s);
	return NULL;
}

void
tl_param_bin(const struct tl_param *p, size_t j, double *lo, double *hi)
{
	double v;

	if (p->log) {
		v = p->low + (double)j;
		*lo = (log(v - 0.5) - p->a) / (p->b - p->a);
		*hi = (log(v + 0.5) - p->a) / (p->b - p->a);
	} else {
		*lo = (double)j / (double)p->nlev;
		*hi = (double)(j + 1) / (double)p->nlev;
	}
	if (j == 0)
		*lo = 0;
	if (j + 1 == p->nlev)
		*hi = 1;
}

/* The u of bin j's value. */
static double
bin_centre(const struct tl_param *p, size_t j)
{
	if (p->log)
		return (log(p->low + (double)j) - p->a) / (p->b - p->a);
	return ((double)j + 0.5) / (double)p->nlev;
}

double
tl_param_centre(const struct tl_param *p, size_t j)
{
	return bin_centre(p, j);
}

size_t
tl_param_level(const struct tl_param *p, double u)
{
	double t, v;

	if (!(u > 0))
		return 0;
	if (u >= 1)
		return p->nlev - 1;
	if (p->kind == TL_D_CAT || !p->log)
		t = floor(u * (double)p->nlev);
	else {
		v = exp(p->a + u * (p->b - p->a));
		t = floor(v + 0.5) - p->low;	/* bins end at v +- 0.5 */
	}
	if (t < 0)
		return 0;
	if (t >= (double)p->nlev)
		return p->nlev - 1;
	return (size_t)t;
}

/* Value of grid level j. */
static double
grid_value(const struct tl_param *p, size_t j)
{
	char buf[64];
	double v;
	int d;

	if (p->type == TL_P_INT || p->log)
		return p->low + (double)j * p->step;
	v = p->low + (double)j * p->step;
	/* 0.5 + 218 * 0.01 is 2.6800000000000002: write 2.68 */
	d = decimals(p->step);
	if (decimals(p->low) > d)
		d = decimals(p->low);
	snprintf(buf, sizeof(buf), "%.*f", d, v);
	return strtod(buf, NULL);
}

static double
cont_value(const struct tl_param *p, double u)
{
	char buf[64];
	double t, v;

	u = u < 0 ? 0 : u > 1 ? 1 : u;
	t = p->a + u * (p->b - p->a);
	v = p->log ? exp(t) : t;
	/* 15 digits: a past trial's 0.0015 comes back as 0.0015, not
	 * 0.0015000000000000007 from exp(log(x)) */
	snprintf(buf, sizeof(buf), "%.15g", v);
	v = strtod(buf, NULL);
	return v < p->low ? p->low : v > p->high ? p->high : v;
}

/* The value of u for dedup keys: its 15 significant digits as an
 * integer and a power of ten, as cont_value rounds it for output, but
 * without a printf and strtod per coordinate (a 1,000-trial history
 * spent a quarter of a suggestion there).  A value within an ulp of a
 * rounding boundary may land in the neighbouring key, which at worst
 * lets a near-twin through. */
/* v / 10^ex without overflow in 10^-ex for subnormal v. */
static double
scale10(double v, int ex)
{
	if (ex < 0 && ex >= -P10_MAX)
		return v * p10[-ex];
	if (ex >= 0 && ex <= P10_MAX)
		return v / p10[ex];
	if (ex < -300)
		return v * 1e300 * pow(10, -ex - 300);
	return ex < 0 ? v * pow(10, -ex) : v / pow(10, ex);
}

static void
key_cont(const struct tl_param *p, double u, uint64_t *k, int32_t *e)
{
	double t, v, r;
	int ex;

	u = u < 0 ? 0 : u > 1 ? 1 : u;
	t = p->a + u * (p->b - p->a);
	v = p->log ? exp(t) : t;
	v = v < p->low ? p->low : v > p->high ? p->high : v;
	if (v == 0 || !isfinite(v)) {
		*k = 0;
		*e = 0;
		return;
	}
	ex = (int)floor(log10(fabs(v))) - 14;
	r = nearbyint(scale10(v, ex));
	if (fabs(r) >= 1e15) {	/* log10 was one short */
		ex++;
		r = nearbyint(scale10(v, ex));
	}
	*k = (uint64_t)(int64_t)r;
	*e = (int32_t)ex;
}

double *
tl_space_snap(const struct tl_space *s, double *x)
{
	const struct tl_param *p;
	size_t i;

	for (i = 0; i < s->n; i++) {
		p = &s->p[i];
		if (p->kind == TL_D_CAT)
			x[i] = (double)tl_param_level(p, ((x[i] + 0.5) /
			    (double)p->nlev));
		else if (p->kind == TL_D_DISC)
			x[i] = bin_centre(p, tl_param_level(p, x[i]));
		else
			x[i] = x[i] < 0 ? 0 : x[i] > 1 ? 1 : x[i];
	}
	return x;
}

/* Set the member path of o to v (stolen), making the objects of a dotted
 * path as needed.  check_paths() made sure that none is a param. */
static void
set_path(json_t *o, const char *path, json_t *v)
{
	const char *dot;
	json_t *sub;
	char *k;

	while ((dot = strchr(path, '.')) != NULL) {
		k = tl_xstrndup(path, (size_t)(dot - path));
		if ((sub = json_object_get(o, k)) == NULL) {
			sub = json_object();
			json_object_set_new(o, k, sub);
		}
		free(k);
		o = sub;
		path = dot + 1;
	}
	json_object_set_new(o, path, v);
}

json_t *
tl_space_decode(const struct tl_space *s, const double *x)
{
	const struct tl_param *p;
	json_t *o, *v;
	size_t i, j;

	o = json_object();
	for (i = 0; i < s->n; i++) {
		p = &s->p[i];
		if (p->kind == TL_D_CAT) {
			j = tl_param_level(p, (x[i] + 0.5) / (double)p->nlev);
			v = json_incref(p->choices[j]);
		} else if (p->kind == TL_D_DISC) {
			j = tl_param_level(p, x[i]);
			v = p->type == TL_P_INT ?
			    json_integer((json_int_t)grid_value(p, j)) :
			    json_real(grid_value(p, j));
		} else
			v = json_real(cont_value(p, x[i]));
		set_path(o, p->name, v);
	}
	return o;
}

json_t *
tl_space_settle(const struct tl_space *s, double *x, struct tl_err *err)
{
	struct tl_buf text;
	struct tl_err perr = { 0 };
	json_t *params;
	double *u;
	char why[512];

	params = tl_space_decode(s, x);
	tl_buf_init(&text);
	tl_json_append(&text, params);
	json_decref(params);
	u = tl_xcalloc(s->n ? s->n : 1, sizeof(double));
	if ((params = tl_json_parse(text.data, text.len, "params", 0,
	    &perr)) == NULL)
		tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "params %s do not "
		    "read back: %s", text.data, perr.msg);
	else if (tl_space_encode(s, params, 0, u, why, sizeof(why)) == -1) {
		tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "params %s do not "
		    "read back: %s", text.data, why);
		json_decref(params);
		params = NULL;
	} else
		memcpy(x, u, s->n * sizeof(double));
	free(u);
	tl_buf_release(&text);
	return params;
}

/* Encode one value of p into *u; -1 with why. */
static int
encode_one(const struct tl_param *p, const json_t *v, double *u, char *why,
    size_t whylen)
{
	char num[TL_NUM_BUFSZ], lo[TL_NUM_BUFSZ], hi[TL_NUM_BUFSZ];
	double x, k;
	size_t j;

	if (p->kind == TL_D_CAT) {
		for (j = 0; j < p->nlev; j++)
			if (json_equal(v, p->choices[j]) ||
			    (json_is_number(v) &&
			    json_is_number(p->choices[j]) &&
			    json_number_value(v) ==
			    json_number_value(p->choices[j])))
				break;
		if (j == p->nlev) {
			struct tl_buf b;

			tl_buf_init(&b);
			tl_json_append(&b, v);
			snprintf(why, whylen, "param '%s': %.64s is not one "
			    "of the choices", p->name, b.data);
			tl_buf_release(&b);
			return -1;
		}
		*u = (double)j;
		return 0;
	}
	if (!json_is_number(v)) {
		snprintf(why, whylen, "param '%s': expected a number, got %s",
		    p->name, tl_json_typename(v));
		return -1;
	}
	x = json_number_value(v);
	if (p->type == TL_P_INT && !is_integral(x)) {
		tl_fmt_double(num, x);
		snprintf(why, whylen, "param '%s': %s is not an integer",
		    p->name, num);
		return -1;
	}
	if (!(x >= p->low - GRID_TOL * p->step &&
	    x <= p->high + GRID_TOL * p->step)) {
		tl_fmt_double(num, x);
		tl_fmt_double(lo, p->low);
		tl_fmt_double(hi, p->high);
		snprintf(why, whylen, "param '%s': %s is outside [%s, %s]",
		    p->name, num, lo, hi);
		return -1;
	}
	if (p->kind == TL_D_CONT) {
		*u = ((p->log ? log(x) : x) - p->a) / (p->b - p->a);
		*u = *u < 0 ? 0 : *u > 1 ? 1 : *u;
		return 0;
	}
	k = floor((x - p->low) / p->step + 0.5);
	if (fabs(x - (p->low + k * p->step)) > GRID_TOL * p->step ||
	    k < 0 || k >= (double)p->nlev) {
		tl_fmt_double(num, x);
		tl_fmt_double(lo, p->low);
		tl_fmt_double(hi, p->step);
		snprintf(why, whylen, "param '%s': %s is not on the grid "
		    "%s + k*%s", p->name, num, lo, hi);
		return -1;
	}
	*u = bin_centre(p, (size_t)k);
	return 0;
}

json_t *
tl_space_get(const json_t *obj, const char *path)
{
	const char *p, *dot;
	json_t *v;
	char *k;

	if ((v = json_object_get(obj, path)) != NULL)
		return v;
	v = (json_t *)obj;
	for (p = path; v != NULL && *p != '\0'; p = *dot ? dot + 1 : dot) {
		if ((dot = strchr(p, '.')) == NULL)
			dot = p + strlen(p);
		k = tl_xstrndup(p, (size_t)(dot - p));
		v = json_is_object(v) ? json_object_get(v, k) : NULL;
		free(k);
	}
	return v;
}

/* The first member of obj (nested objects walked, names prefixed by
 * path) that is not a param: -1 with why, or 0 if none. */
static int
unknown_member(const struct tl_space *s, const json_t *obj,
    struct tl_buf *path, char *why, size_t whylen)
{
	size_t len = path->len;
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		path->len = len;
		tl_buf_adds(path, key);
		if (find_param(s, path->data, path->len) != NULL)
			continue;
		if (!json_is_object(v)) {
			snprintf(why, whylen, "param '%.200s' is not in the "
			    "space", path->data);
			return -1;
		}
		tl_buf_addc(path, '.');
		if (unknown_member(s, v, path, why, whylen) == -1)
			return -1;
	}
	return 0;
}

int
tl_space_encode(const struct tl_space *s, const json_t *params,
    int ignore_unknown, double *x, char *why, size_t whylen)
{
	struct tl_buf path;
	int nested = 0, rc;
	json_t *v;
	size_t i;

	if (!json_is_object(params)) {
		snprintf(why, whylen, "params: expected an object, got %s",
		    tl_json_typename(params));
		return -1;
	}
	for (i = 0; i < s->n; i++) {
		if ((v = json_object_get(params, s->p[i].name)) == NULL &&
		    strchr(s->p[i].name, '.') != NULL) {
			v = tl_space_get(params, s->p[i].name);
			nested = 1;
		}
		if (v == NULL) {
			snprintf(why, whylen, "param '%s': missing",
			    s->p[i].name);
			return -1;
		}
		if (encode_one(&s->p[i], v, &x[i], why, whylen) == -1)
			return -1;
	}
	/* every param found by its own key, as many keys: none other */
	if (ignore_unknown || (!nested && json_object_size(params) == s->n))
		return 0;
	tl_buf_init(&path);
	rc = unknown_member(s, params, &path, why, whylen);
	tl_buf_release(&path);
	return rc;
}

void
tl_space_from_unit(const struct tl_space *s, const double *q, double *x)
{
	const struct tl_param *p;
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		p = &s->p[i];
		if (p->kind == TL_D_CONT) {
			x[i] = q[i];
			continue;
		}
		/* equal shares per value, also for log-scaled ints, so
		 * that a start covers every value alike */
		j = (size_t)floor(q[i] * (double)p->nlev);
		if (j >= p->nlev)
			j = p->nlev - 1;
		x[i] = p->kind == TL_D_CAT ? (double)j : bin_centre(p, j);
	}
}

void
tl_space_local_move(const struct tl_space *s, gsl_rng *r, const double *p,
    double radius, double *x)
{
	size_t j, forced, lev, plev;
	double pm, u;

	forced = tl_rng_below(r, s->n);
	pm = s->n > 2 ? 2.0 / (double)s->n : 1;
	for (j = 0; j < s->n; j++) {
		const struct tl_param *q = &s->p[j];

		x[j] = p[j];
		if (j != forced && tl_rng_uniform(r) >= pm)
			continue;
		if (q->kind == TL_D_CAT) {
			if (q->nlev > 1) {
				lev = tl_rng_below(r, q->nlev - 1);
				x[j] = (double)(lev >= (size_t)p[j] ? lev + 1 :
				    lev);
			}
			continue;
		}
		u = p[j] + radius * gsl_ran_gaussian_ziggurat(r, 1.0);
		while (u < 0 || u > 1)	/* reflect at the bounds */
			u = u < 0 ? -u : 2 - u;
		x[j] = u;
		if (q->kind == TL_D_DISC && q->nlev > 1) {
			plev = tl_param_level(q, p[j]);
			lev = tl_param_level(q, u);
			if (lev == plev)	/* at least one grid step */
				lev = plev == 0 ? 1 : plev + 1 >= q->nlev ?
				    plev - 1 : tl_rng_below(r, 2) ?
				    plev + 1 : plev - 1;
			{
				double lo, hi;

				tl_param_bin(q, lev, &lo, &hi);
				x[j] = (lo + hi) / 2;
			}
		}
	}
	tl_space_snap(s, x);
}

size_t
tl_space_size(const struct tl_space *s)
{
	size_t i, n = 1;

	for (i = 0; i < s->n; i++) {
		if (s->p[i].kind == TL_D_CONT)
			return 0;
		if (n > SIZE_MAX / s->p[i].nlev)
			n = SIZE_MAX;
		else
			n *= s->p[i].nlev;
	}
	return n;
}

void
tl_space_key(const struct tl_space *s, const double *x, struct tl_buf *b)
{
	const struct tl_param *p;
	uint64_t k;
	int32_t e;
	size_t i;

	for (i = 0; i < s->n; i++) {
		p = &s->p[i];
		if (p->kind == TL_D_CAT)
			k = tl_param_level(p, (x[i] + 0.5) / (double)p->nlev);
		else if (p->kind == TL_D_DISC)
			k = tl_param_level(p, x[i]);
		else {
			key_cont(p, x[i], &k, &e);
			tl_buf_add(b, &e, sizeof(e));
		}
		tl_buf_add(b, &k, sizeof(k));
	}
}

/* ---- inferring a space from the params tried -------------------------- */

#define INT_MAX_EXACT	9007199254740992.0	/* 2^53 */

/* What one param held over the trials. */
struct pstat {
	char		*name;		/* dotted path */
	size_t		 ntrials;	/* trials with a value (not null) */
	size_t		 last;		/* the last of them, 1-based */
	size_t		 nnum, nstr, nbool, narr;	/* values by type */
	double		 min, max;	/* of the numbers */
	int		 integral;	/* every number an integer */
	int		 dec;		/* most decimals, at most MAX + 1 */
	struct tl_map	*seen;		/* canonical texts of the values */
	json_t		**vals;		/* distinct values, canonical, at
					 * most MAX_CHOICES + 1 */
	size_t		 nvals;		/* their number */
};

struct tl_space_infer {
	struct tl_map	*names;		/* name -> index + 1 into p */
	struct pstat	*p;		/* params in order of appearance */
	size_t		 n, cap;	/* used, allocated */
	size_t		 ntrials;	/* trials added */
	struct tl_buf	 path, key;	/* scratch */
};

struct tl_space_infer *
tl_space_infer_alloc(void)
{
	struct tl_space_infer *in;

	in = tl_xcalloc(1, sizeof(*in));
	in->names = tl_map_alloc();
	tl_buf_init(&in->path);
	tl_buf_init(&in->key);
	return in;
}

void
tl_space_infer_free(struct tl_space_infer *in)
{
	size_t i, j;

	if (in == NULL)
		return;
	for (i = 0; i < in->n; i++) {
		free(in->p[i].name);
		tl_map_free(in->p[i].seen);
		for (j = 0; j < in->p[i].nvals; j++)
			json_decref(in->p[i].vals[j]);
		free(in->p[i].vals);
	}
	free(in->p);
	tl_map_free(in->names);
	tl_buf_release(&in->path);
	tl_buf_release(&in->key);
	free(in);
}

size_t
tl_space_infer_count(const struct tl_space_infer *in)
{
	return in->ntrials;
}

/* Does x read back from its text with d decimals? */
static int
has_decimals(double x, int d)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.*f", d, x);
	return strtod(buf, NULL) == x;
}

/* The stats of param path (in->path), made on first sight.  Borrowed
 * until the next call. */
static struct pstat *
pstat_of(struct tl_space_infer *in)
{
	struct pstat *ps;
	uintptr_t *slot;
	int added;

	slot = tl_map_put(in->names, in->path.data, in->path.len, &added);
	if (!added)
		return &in->p[*slot - 1];
	if (in->n == in->cap) {
		in->cap = in->cap ? 2 * in->cap : 16;
		in->p = tl_xreallocarray(in->p, in->cap, sizeof(*in->p));
	}
	*slot = ++in->n;
	ps = &in->p[in->n - 1];
	memset(ps, 0, sizeof(*ps));
	ps->name = tl_xstrndup(in->path.data, in->path.len);
	ps->min = HUGE_VAL;
	ps->max = -HUGE_VAL;
	ps->integral = 1;
	ps->seen = tl_map_alloc();
	return ps;
}

/* Record value v of the param at in->path. */
static void
observe(struct tl_space_infer *in, const json_t *v)
{
	struct pstat *ps;
	json_t *c;
	double x;
	int added;

	if (json_is_null(v))
		return;		/* no value */
	ps = pstat_of(in);
	if (ps->last != in->ntrials) {
		ps->ntrials++;
		ps->last = in->ntrials;
	}
	tl_buf_reset(&in->key);
	if (json_is_number(v)) {
		char num[TL_NUM_BUFSZ];

		x = json_number_value(v);
		x = x == 0 ? 0 : x;	/* -0.0 is 0 */
		ps->nnum++;
		ps->min = x < ps->min ? x : ps->min;
		ps->max = x > ps->max ? x : ps->max;
		if (!is_integral(x))
			ps->integral = 0;
		if (ps->dec <= TL_SPACE_INFER_MAX_DECIMALS &&
		    !has_decimals(x, ps->dec))
			while (++ps->dec <= TL_SPACE_INFER_MAX_DECIMALS &&
			    !has_decimals(x, ps->dec))
				;
		tl_fmt_double(num, x);
		tl_buf_addc(&in->key, 'n');
		tl_buf_adds(&in->key, num);
		c = is_integral(x) ? json_integer((json_int_t)x) :
		    json_real(x);
	} else if (json_is_string(v)) {
		ps->nstr++;
		tl_buf_addc(&in->key, 's');
		tl_buf_add(&in->key, json_string_value(v),
		    json_string_length(v));
		c = json_incref((json_t *)v);
	} else if (json_is_boolean(v)) {
		ps->nbool++;
		tl_buf_addc(&in->key, json_is_true(v) ? 't' : 'f');
		c = json_incref((json_t *)v);
	} else {
		ps->narr++;
		return;
	}
	if (ps->nvals <= TL_SPACE_INFER_MAX_CHOICES) {
		tl_map_put(ps->seen, in->key.data, in->key.len, &added);
		if (added) {
			ps->vals = tl_xreallocarray(ps->vals, ps->nvals + 1,
			    sizeof(*ps->vals));
			ps->vals[ps->nvals++] = c;
			return;
		}
	}
	json_decref(c);
}

/* Observe the members of obj, nested ones under their dotted path. */
static void
walk(struct tl_space_infer *in, const json_t *obj)
{
	size_t len = in->path.len;
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		tl_buf_adds(&in->path, key);
		if (json_is_object(v)) {
			tl_buf_addc(&in->path, '.');
			walk(in, v);
		} else
			observe(in, v);
		in->path.len = len;
		in->path.data[len] = '\0';
	}
}

void
tl_space_infer_add(struct tl_space_infer *in, const json_t *params)
{
	in->ntrials++;
	tl_buf_reset(&in->path);
	if (json_is_object(params))
		walk(in, params);
}

/* x rounded down to a multiple of 10^k (as the double nearest that
 * decimal); x itself when 10^k is not an exact double. */
static double
round_down(double x, int k)
{
	if (k > P10_MAX || k < -P10_MAX)
		return x;
	if (k >= 0)
		return floor(x / p10[k]) * p10[k];
	return floor(x * p10[-k]) / p10[-k];
}

/* The lower bound for the smallest value lo widened by m >= 0: lo - m
 * rounded down to a multiple of the largest power of ten 10^k <= m (on
 * a grid of step 10^kg, k >= kg).  A positive lo keeps a positive bound:
 * off a grid k is at most the exponent of the bound itself, on one the
 * bound is at least the step.  A margin that is not finite widens
 * nothing. */
static double
lower_bound(double lo, double m, int grid, int kg)
{
	double x = lo - m, y;
	int k;

	if (!(m > 0) || !isfinite(x))
		return lo;
	k = (int)floor(log10(m));
	if (grid && k < kg)
		k = kg;
	y = round_down(x, k);
	while (lo > 0 && y <= 0) {
		if (grid) {
			y = kg >= 0 ? p10[kg] : 1 / p10[-kg];
			break;
		}
		y = round_down(x, --k);	/* ends: x > 0 here */
	}
	return y;
}

/* The bounds of a numeric param (see tl_space.h) into spec. */
static void
numeric_spec(const struct pstat *ps, json_t *spec)
{
	double lo = ps->min, hi = ps->max, mlo, mhi, f, low, high, step = 0;
	int lg = 0, kg = 0, grid = ps->integral;

	if (lo < hi && lo > 0 && hi / lo >= TL_SPACE_INFER_LOG_RATIO &&
	    isfinite(hi / lo)) {
		lg = 1;
		f = pow(hi / lo, TL_SPACE_INFER_WIDEN);
		mlo = lo - lo / f;
		mhi = hi * f - hi;
	} else {
		mlo = mhi = (hi - lo) * TL_SPACE_INFER_WIDEN;
		if (lo >= 0 && mlo > lo / 2)
			mlo = lo / 2;
		if (hi <= 0 && mhi > -hi / 2)
			mhi = -hi / 2;
		if (!ps->integral && lo < hi && ps->dec > 0 &&
		    ps->dec <= TL_SPACE_INFER_MAX_DECIMALS) {
			grid = 1;
			kg = -ps->dec;
			step = 1 / p10[ps->dec];
		}
	}
	for (;;) {
		low = lower_bound(lo, mlo, grid, kg);
		high = -lower_bound(-hi, mhi, grid, kg);
		if (step == 0 || (fabs(low) / step <
		    TL_SPACE_INFER_MAX_STEPS && fabs(high) / step <
		    TL_SPACE_INFER_MAX_STEPS))
			break;
		grid = 0;	/* too fine a grid: continuous */
		step = 0;
	}
	low = low == 0 ? 0 : low;	/* not -0.0 */
	high = high == 0 ? 0 : high;
	if (ps->integral) {
		low = low < -INT_MAX_EXACT ? -INT_MAX_EXACT : low;
		high = high > INT_MAX_EXACT ? INT_MAX_EXACT : high;
	}
	json_object_set_new(spec, "type", json_string(ps->integral ? "int" :
	    "float"));
	json_object_set_new(spec, "low", ps->integral ?
	    json_integer((json_int_t)low) : json_real(low));
	json_object_set_new(spec, "high", ps->integral ?
	    json_integer((json_int_t)high) : json_real(high));
	if (step > 0)
		json_object_set_new(spec, "step", json_real(step));
	if (lg)
		json_object_set_new(spec, "log", json_true());
}

/* Order of choices: booleans (false first), numbers, strings (bytes). */
static int
choice_rank(const json_t *v)
{
	return json_is_boolean(v) ? 0 : json_is_number(v) ? 1 : 2;
}

static int
cmp_choice(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	size_t nx, ny;
	double dx, dy;
	int c;

	if ((c = choice_rank(x) - choice_rank(y)) != 0)
		return c;
	if (json_is_boolean(x))
		return json_is_true(x) - json_is_true(y);
	if (json_is_number(x)) {
		dx = json_number_value(x);
		dy = json_number_value(y);
		return (dx > dy) - (dx < dy);
	}
	nx = json_string_length(x);
	ny = json_string_length(y);
	if ((c = memcmp(json_string_value(x), json_string_value(y),
	    nx < ny ? nx : ny)) != 0)
		return c;
	return (nx > ny) - (nx < ny);
}

static void
categorical_spec(const struct pstat *ps, json_t *spec)
{
	json_t **v, *a;
	size_t i;

	v = tl_xcalloc(ps->nvals, sizeof(*v));
	memcpy(v, ps->vals, ps->nvals * sizeof(*v));
	qsort(v, ps->nvals, sizeof(*v), cmp_choice);
	a = json_array();
	for (i = 0; i < ps->nvals; i++)
		json_array_append(a, v[i]);
	free(v);
	json_object_set_new(spec, "type", json_string("categorical"));
	json_object_set_new(spec, "choices", a);
}

static int
cmp_pstat_name(const void *a, const void *b)
{
	const struct pstat *x = *(const struct pstat *const *)a;
	const struct pstat *y = *(const struct pstat *const *)b;

	return strcmp(x->name, y->name);
}

/* Why ps cannot be a param (NULL if it can): into why. */
static const char *
left_out(const struct tl_space_infer *in, const struct pstat *ps,
    char *why, size_t whylen)
{
	if (ps->ntrials < in->ntrials)
		snprintf(why, whylen, "in %zu of %zu trials: left out (suggest "
		    "--ignore-unknown reads the trials that have it)",
		    ps->ntrials, in->ntrials);
	else if (ps->narr > 0)
		snprintf(why, whylen, "an array in %zu trials: left out (a "
		    "param is a number, string or boolean)", ps->narr);
	else if (ps->nvals > TL_SPACE_INFER_MAX_CHOICES &&
	    (ps->nstr > 0 || ps->nbool > 0))
		snprintf(why, whylen, "more than %d values for a categorical: "
		    "left out", TL_SPACE_INFER_MAX_CHOICES);
	else
		return NULL;
	return why;
}

/* The types of ps's values, "numbers and strings", into buf. */
static const char *
type_list(const struct pstat *ps, char *buf, size_t len)
{
	const char *names[3];
	size_t n = 0;

	if (ps->nbool > 0)
		names[n++] = "booleans";
	if (ps->nnum > 0)
		names[n++] = "numbers";
	if (ps->nstr > 0)
		names[n++] = "strings";
	if (n == 3)
		snprintf(buf, len, "%s, %s and %s", names[0], names[1],
		    names[2]);
	else
		snprintf(buf, len, "%s and %s", names[0], names[1]);
	return buf;
}

json_t *
tl_space_infer_result(const struct tl_space_infer *in, const char *name,
    void (*warn)(const char *fmt, ...), struct tl_err *err)
{
	const struct pstat **ps;
	const char *dot;
	char why[256], types[64];
	uintptr_t *slot;
	size_t i, nleft = 0;
	json_t *space, *spec;
	int *out;

	ps = tl_xcalloc(in->n ? in->n : 1, sizeof(*ps));
	out = tl_xcalloc(in->n ? in->n : 1, sizeof(*out));
	for (i = 0; i < in->n; i++)
		ps[i] = &in->p[i];
	qsort(ps, in->n, sizeof(*ps), cmp_pstat_name);
	for (i = 0; i < in->n; i++)
		if (left_out(in, ps[i], why, sizeof(why)) != NULL) {
			out[i] = 1;
			if (warn != NULL)
				warn("param '%s': %s", ps[i]->name, why);
		}
	/* 'a.b' beside 'a': out, once 'a' is known to stay */
	for (i = 0; i < in->n; i++)
		for (dot = strchr(ps[i]->name, '.'); !out[i] && dot != NULL;
		    dot = strchr(dot + 1, '.'))
			if ((slot = tl_map_get(in->names, ps[i]->name,
			    (size_t)(dot - ps[i]->name))) != NULL &&
			    left_out(in, &in->p[*slot - 1], why,
			    sizeof(why)) == NULL) {
				out[i] = 1;
				if (warn != NULL)
					warn("param '%s': '%.*s' is a param "
					    "too: left out", ps[i]->name,
					    (int)(dot - ps[i]->name),
					    ps[i]->name);
			}
	space = json_object();
	for (i = 0; i < in->n; i++) {
		if (out[i]) {
			nleft++;
			continue;
		}
		spec = json_object();
		if (ps[i]->nstr == 0 && ps[i]->nbool == 0)
			numeric_spec(ps[i], spec);
		else
			categorical_spec(ps[i], spec);
		json_object_set_new(space, ps[i]->name, spec);
		if (warn == NULL)
			continue;
		if ((ps[i]->nnum > 0) + (ps[i]->nstr > 0) +
		    (ps[i]->nbool > 0) > 1)
			warn("param '%s': %s tried: a categorical of its %zu "
			    "values", ps[i]->name, type_list(ps[i], types,
			    sizeof(types)), ps[i]->nvals);
		else if (ps[i]->nvals == 1)
			warn("param '%s': one value tried: kept constant",
			    ps[i]->name);
	}
	free(out);
	free(ps);
	if (json_object_size(space) == 0) {
		json_decref(space);
		tl_err_set(err, TL_EX_DATAERR, name, 0, "no param to search "
		    "in %zu trials%s", in->ntrials, nleft > 0 ? " (each was "
		    "left out: see the warnings)" : "");
		return NULL;
	}
	return space;
}

/* Append the JSON string of s to b. */
static void
text_string(struct tl_buf *b, const char *s)
{
	json_t *v = json_string(s);

	tl_json_append(b, v);
	json_decref(v);
}

/* Append v as JSON with a space after each ',' and ':' of its own. */
static void
text_value(struct tl_buf *b, const json_t *v)
{
	const char *key;
	json_t *m;
	size_t i;

	if (json_is_array(v)) {
		tl_buf_addc(b, '[');
		json_array_foreach(v, i, m) {
			if (i > 0)
				tl_buf_adds(b, ", ");
			text_value(b, m);
		}
		tl_buf_addc(b, ']');
	} else if (json_is_object(v)) {
		tl_buf_addc(b, '{');
		i = 0;
		json_object_foreach((json_t *)v, key, m) {
			if (i++ > 0)
				tl_buf_adds(b, ", ");
			text_string(b, key);
			tl_buf_adds(b, ": ");
			text_value(b, m);
		}
		tl_buf_addc(b, '}');
	} else
		tl_json_append(b, v);
}

void
tl_space_text(const json_t *space, struct tl_buf *b)
{
	const char *key;
	json_t *spec;
	size_t i = 0;

	tl_buf_addc(b, '{');
	json_object_foreach((json_t *)space, key, spec) {
		tl_buf_adds(b, i++ > 0 ? ",\n  " : "\n  ");
		text_string(b, key);
		tl_buf_adds(b, ": ");
		text_value(b, spec);
	}
	tl_buf_adds(b, i > 0 ? "\n}\n" : "}\n");
}
