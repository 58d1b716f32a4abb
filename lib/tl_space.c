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

#include "tl_json.h"
#include "tl_num.h"
#include "tl_space.h"

#define GRID_TOL	1e-6	/* a value is on the grid within this many
				 * steps (decimal text of past genomes) */
#define MAX_DECIMALS	15	/* digits kept by grid values */

static const char *const ptype_names[] = { "float", "int", "categorical" };

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
	v = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
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
		for (i = 0; i < 3; i++)
			if (strcmp(type, ptype_names[i]) == 0)
				break;
		if (i == 3) {
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
	/* the powers of ten that are exact doubles: pow()'s own values */
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
	    1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
	    1e18, 1e19, 1e20, 1e21, 1e22 };

	if (ex < 0 && ex >= -22)
		return v * p10[-ex];
	if (ex >= 0 && ex <= 22)
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
		json_object_set_new(o, p->name, v);
	}
	return o;
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

int
tl_space_encode(const struct tl_space *s, const json_t *params,
    int ignore_unknown, double *x, char *why, size_t whylen)
{
	const char *key;
	json_t *v;
	size_t i;

	if (!json_is_object(params)) {
		snprintf(why, whylen, "params: expected an object, got %s",
		    tl_json_typename(params));
		return -1;
	}
	for (i = 0; i < s->n; i++) {
		v = json_object_get(params, s->p[i].name);
		if (v == NULL) {
			snprintf(why, whylen, "param '%s': missing",
			    s->p[i].name);
			return -1;
		}
		if (encode_one(&s->p[i], v, &x[i], why, whylen) == -1)
			return -1;
	}
	if (!ignore_unknown && json_object_size(params) > s->n)
		json_object_foreach((json_t *)params, key, v) {
			for (i = 0; i < s->n; i++)
				if (strcmp(s->p[i].name, key) == 0)
					break;
			if (i == s->n) {
				snprintf(why, whylen, "param '%.200s' is not in "
				    "the space", key);
				return -1;
			}
		}
	return 0;
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
