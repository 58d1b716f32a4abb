/*
 * Unit tests for lib/tl_space: the declaration (every kind of param and
 * every error the man page names, duplicate keys included), encoding and
 * decoding (grid values written as their decimals, log scales, booleans
 * and strings as choices), the reasons a past trial does not fit, the
 * unit-cube map and the duplicate keys; the local moves of --around
 * against their probabilities; a point settled to what its params read
 * back as, against the history reader.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "tl_err.h"
#include "tl_json.h"
#include "tl_records.h"
#include "tl_rng.h"
#include "tl_space.h"
#include "tl_util.h"
#include "unit.h"

UT_SCRATCH_DIR();

TestSuite(tl_space, .init = ut_setup, .fini = ut_teardown);

#define EXAMPLE "{\"lookback\":{\"type\":\"int\",\"low\":20,\"high\":250}," \
	"\"entry_z\":{\"type\":\"float\",\"low\":0.5,\"high\":3.5," \
	"\"step\":0.01},\"risk\":{\"type\":\"float\",\"low\":0.001," \
	"\"high\":0.01,\"log\":true},\"universe\":{\"type\":" \
	"\"categorical\",\"choices\":[\"tech\",\"energy\",\"finance\"]}," \
	"\"trail\":{\"type\":\"categorical\",\"choices\":[true,false]}}"

static struct tl_space *
parse(const char *text, struct tl_err *err)
{
	struct tl_space *s;
	json_t *v;

	v = json_loads(text, 0, NULL);
	cr_assert_not_null(v, "bad test JSON: %s", text);
	s = tl_space_from_json(v, "space.json", err);
	json_decref(v);
	return s;
}

Test(tl_space, example)
{
	struct tl_err err = { 0 };
	struct tl_space *s = parse(EXAMPLE, &err);

	cr_assert_not_null(s, "%s", err.msg);
	cr_assert_eq(s->n, 5);
	cr_assert_str_eq(s->p[0].name, "lookback");
	cr_assert_eq(s->p[0].kind, TL_D_DISC);
	cr_assert_eq(s->p[0].nlev, 231);
	cr_assert_eq(s->p[1].kind, TL_D_DISC);
	cr_assert_eq(s->p[1].nlev, 301);
	cr_assert_eq(s->p[2].kind, TL_D_CONT);
	cr_assert_eq(s->p[3].kind, TL_D_CAT);
	cr_assert_eq(s->p[4].nlev, 2);
	cr_assert_eq(tl_space_size(s), 0);	/* a continuous param */
	tl_space_free(s);
}

static void
bad(const char *text, const char *want)
{
	struct tl_err err = { 0 };
	struct tl_space *s = parse(text, &err);

	cr_assert_null(s, "accepted %s", text);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.where, "space.json");
	cr_assert_str_eq(err.msg, want);
}

Test(tl_space, errors)
{
	bad("{\"a\":{\"type\":\"int\",\"low\":5,\"high\":3}}",
	    "param 'a': empty range: low 5 > high 3");
	bad("{\"a\":{\"type\":\"float\",\"low\":2.5,\"high\":-1.27}}",
	    "param 'a': empty range: low 2.5 > high -1.27");
	bad("{\"a\":{\"type\":\"double\",\"low\":0,\"high\":1}}",
	    "param 'a': unknown type 'double' (float, int or categorical)");
	bad("{\"a\":{\"low\":0,\"high\":1}}",
	    "param 'a': needs a string 'type' (float, int or categorical)");
	bad("{\"a\":{\"type\":\"float\",\"low\":0,\"hgih\":1}}",
	    "param 'a': unknown key 'hgih'");
	bad("{\"a\":{\"type\":\"float\",\"low\":0,\"high\":1,\"log\":true}}",
	    "param 'a': a log scale needs low > 0");
	bad("{\"a\":{\"type\":\"int\",\"low\":0,\"high\":9,\"log\":true}}",
	    "param 'a': a log scale needs low >= 1");
	bad("{\"a\":{\"type\":\"int\",\"low\":0.5,\"high\":3}}",
	    "param 'a': an int needs integer bounds, got [0.5, 3]");
	bad("{\"a\":{\"type\":\"float\",\"low\":0,\"high\":1,\"step\":0}}",
	    "param 'a': 'step' must be a number > 0");
	bad("{\"a\":{\"type\":\"categorical\",\"choices\":[]}}",
	    "param 'a': a categorical needs a non-empty array 'choices'");
	bad("{\"a\":{\"type\":\"categorical\",\"choices\":[\"x\",\"x\"]}}",
	    "param 'a': choice 2 repeats choice 1");
	bad("{\"a\":{\"type\":\"categorical\",\"choices\":[null]}}",
	    "param 'a': choice 1: expected a string, boolean or number, "
	    "got null");
	bad("{\"a\":{\"type\":\"float\",\"high\":1}}",
	    "param 'a': needs numbers 'low' and 'high'");
	bad("{}", "the space has no params");
	bad("[]", "a space is an object of params, got array");
	bad("{\"a\":3}", "param 'a': expected an object, got number");
}

Test(tl_space, duplicate_name_in_file)
{
	struct tl_err err = { 0 };
	char path[512];

	ut_path(path, sizeof(path), dir, "dup.json");
	ut_write_str(path, "{\"a\":{\"type\":\"int\",\"low\":0,\"high\":3},\n"
	    "\"a\":{\"type\":\"int\",\"low\":0,\"high\":4}}\n");
	cr_assert_null(tl_space_load(path, &err));
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert(strstr(err.msg, "duplicate object key") != NULL, "%s",
	    err.msg);
	ut_path(path, sizeof(path), dir, "missing.json");
	cr_assert_null(tl_space_load(path, &err));
	cr_assert_eq(err.code, TL_EX_NOINPUT);
}

/* encode then decode params text; returns the compact JSON (new). */
static char *
roundtrip(const struct tl_space *s, const char *params)
{
	struct tl_buf b;
	char why[256];
	double x[8];
	json_t *v, *d;

	v = json_loads(params, 0, NULL);
	cr_assert_not_null(v);
	cr_assert_eq(tl_space_encode(s, v, 0, x, why, sizeof(why)), 0, "%s",
	    why);
	d = tl_space_decode(s, x);
	tl_buf_init(&b);
	tl_json_append(&b, d);
	json_decref(d);
	json_decref(v);
	return b.data;
}

Test(tl_space, encode_decode)
{
	struct tl_err err = { 0 };
	struct tl_space *s = parse(EXAMPLE, &err);
	char *t;

	/* 2.68 = 0.5 + 218 * 0.01 comes back as 2.68, 20.0 as 20 */
	t = roundtrip(s, "{\"lookback\":20.0,\"entry_z\":2.68,\"risk\":0.0015,"
	    "\"universe\":\"energy\",\"trail\":false}");
	cr_assert_str_eq(t, "{\"lookback\":20,\"entry_z\":2.68,\"risk\":0.0015,"
	    "\"universe\":\"energy\",\"trail\":false}");
	free(t);
	t = roundtrip(s, "{\"trail\":true,\"universe\":\"tech\",\"risk\":0.01,"
	    "\"entry_z\":3.5,\"lookback\":250}");
	cr_assert_str_eq(t, "{\"lookback\":250,\"entry_z\":3.5,\"risk\":0.01,"
	    "\"universe\":\"tech\",\"trail\":true}");
	free(t);
	tl_space_free(s);
}

static void
misfit(const struct tl_space *s, const char *params, int ignore,
    const char *want)
{
	char why[256];
	double x[8];
	json_t *v;

	v = json_loads(params, 0, NULL);
	cr_assert_not_null(v);
	cr_assert_eq(tl_space_encode(s, v, ignore, x, why, sizeof(why)), -1,
	    "accepted %s", params);
	cr_assert_str_eq(why, want);
	json_decref(v);
}

Test(tl_space, misfits)
{
	struct tl_err err = { 0 };
	struct tl_space *s = parse(EXAMPLE, &err);
	const char *ok = "\"entry_z\":2.68,\"risk\":0.0015,\"universe\":"
	    "\"energy\",\"trail\":false";
	char buf[512];

	snprintf(buf, sizeof(buf), "{\"lookback\":300,%s}", ok);
	misfit(s, buf, 0, "param 'lookback': 300 is outside [20, 250]");
	snprintf(buf, sizeof(buf), "{\"lookback\":20.5,%s}", ok);
	misfit(s, buf, 0, "param 'lookback': 20.5 is not an integer");
	snprintf(buf, sizeof(buf), "{\"lookback\":\"20\",%s}", ok);
	misfit(s, buf, 0, "param 'lookback': expected a number, got string");
	snprintf(buf, sizeof(buf), "{%s}", ok);
	misfit(s, buf, 0, "param 'lookback': missing");
	snprintf(buf, sizeof(buf), "{\"lookback\":30,\"foo\":1,%s}", ok);
	misfit(s, buf, 0, "param 'foo' is not in the space");
	misfit(s, "{\"lookback\":30,\"entry_z\":2.685,\"risk\":0.0015,"
	    "\"universe\":\"energy\",\"trail\":false}", 0,
	    "param 'entry_z': 2.685 is not on the grid 0.5 + k*0.01");
	misfit(s, "{\"lookback\":30,\"entry_z\":2.68,\"risk\":0.0015,"
	    "\"universe\":\"metals\",\"trail\":false}", 0,
	    "param 'universe': \"metals\" is not one of the choices");
	misfit(s, "{\"lookback\":30,\"entry_z\":2.68,\"risk\":0.0015,"
	    "\"universe\":\"tech\",\"trail\":\"false\"}", 0,
	    "param 'trail': \"false\" is not one of the choices");
	misfit(s, "[1]", 0, "params: expected an object, got array");
	{	/* with ignore_unknown, extra keys are fine */
		double x[8];
		json_t *v;
		char why[256];

		snprintf(buf, sizeof(buf), "{\"lookback\":30,\"foo\":1,%s}",
		    ok);
		v = json_loads(buf, 0, NULL);
		cr_assert_eq(tl_space_encode(s, v, 1, x, why, sizeof(why)),
		    0);
		json_decref(v);
	}
	tl_space_free(s);
}

Test(tl_space, unit_cube_shares)
{
	struct tl_err err = { 0 };
	struct tl_space *s = parse("{\"n\":{\"type\":\"int\",\"low\":1,"
	    "\"high\":3,\"log\":true},\"c\":{\"type\":\"categorical\","
	    "\"choices\":[\"a\",\"b\"]}}", &err);
	size_t count[3] = { 0 }, i;
	double q[2], x[2];
	json_t *d;

	cr_assert_not_null(s, "%s", err.msg);
	cr_assert_eq(tl_space_size(s), 6);
	for (i = 0; i < 300; i++) {
		q[0] = ((double)i + 0.5) / 300;
		q[1] = 0.75;
		tl_space_from_unit(s, q, x);
		d = tl_space_decode(s, x);
		count[json_integer_value(json_object_get(d, "n")) - 1]++;
		cr_assert_str_eq(json_string_value(json_object_get(d, "c")),
		    "b");
		json_decref(d);
	}
	/* equal shares per value even on a log scale */
	cr_assert_eq(count[0], 100);
	cr_assert_eq(count[1], 100);
	cr_assert_eq(count[2], 100);
	tl_space_free(s);
}

Test(tl_space, keys_and_snap)
{
	struct tl_err err = { 0 };
	struct tl_space *s = parse(EXAMPLE, &err);
	struct tl_buf a, b;
	double x[5] = { 0.5, 0.5, 0.5, 1.2, 0 }, y[5];
	size_t i;

	tl_buf_init(&a);
	tl_buf_init(&b);
	memcpy(y, x, sizeof(x));
	y[0] += 0.001;		/* the same lookback bin */
	tl_space_key(s, x, &a);
	tl_space_key(s, y, &b);
	cr_assert_eq(a.len, b.len);
	cr_assert_eq(memcmp(a.data, b.data, a.len), 0);
	tl_buf_reset(&b);
	y[2] += 0.01;		/* a continuous param differs */
	tl_space_key(s, y, &b);
	cr_assert_neq(memcmp(a.data, b.data, a.len), 0);
	tl_space_snap(s, x);
	cr_assert_eq(x[3], 1);	/* the nearest index */
	for (i = 0; i < 5; i++)
		cr_assert(x[i] >= 0 && x[i] <= 2);
	tl_buf_release(&a);
	tl_buf_release(&b);
	tl_space_free(s);
}

/* ---- dotted names: paths into nested params --------------------------- */

#define NESTED "{\"c\":{\"type\":\"float\",\"low\":0,\"high\":1}," \
	"\"n.a\":{\"type\":\"int\",\"low\":1,\"high\":9}," \
	"\"n.b\":{\"type\":\"categorical\",\"choices\":[\"x\",\"y\"]}}"

Test(tl_space, nested_params)
{
	struct tl_err err = { 0 };
	struct tl_space *s = parse(NESTED, &err);
	char *t;

	cr_assert_not_null(s, "%s", err.msg);
	/* nested or flat dotted keys read alike; decoding nests */
	t = roundtrip(s, "{\"n\":{\"b\":\"y\",\"a\":3},\"c\":0.25}");
	cr_assert_str_eq(t, "{\"c\":0.25,\"n\":{\"a\":3,\"b\":\"y\"}}");
	free(t);
	t = roundtrip(s, "{\"n.a\":3,\"n.b\":\"y\",\"c\":0.25}");
	cr_assert_str_eq(t, "{\"c\":0.25,\"n\":{\"a\":3,\"b\":\"y\"}}");
	free(t);
	misfit(s, "{\"n\":{\"a\":3,\"b\":\"y\",\"z\":1},\"c\":0.25}", 0,
	    "param 'n.z' is not in the space");
	misfit(s, "{\"n\":{\"a\":3},\"c\":0.25}", 0, "param 'n.b': missing");
	misfit(s, "{\"n\":{\"a\":3,\"b\":\"y\"},\"c\":0.25,\"d\":{\"e\":1}}",
	    0, "param 'd.e' is not in the space");
	tl_space_free(s);
	bad("{\"a\":{\"type\":\"int\",\"low\":0,\"high\":3},\"a.b\":{\"type\":"
	    "\"int\",\"low\":0,\"high\":3}}", "param 'a.b': 'a' is a param "
	    "too (a dotted name is a path into nested params)");
}

/* every kind of param, a wide linear range (where decoding's 15 digits
 * lose most to encoding) and a nested name */
#define SETTLE "{\"w\":{\"type\":\"float\",\"low\":-1000,\"high\":1000}," \
	"\"r\":{\"type\":\"float\",\"low\":1e-05,\"high\":10,\"log\":true}," \
	"\"u\":{\"type\":\"float\",\"low\":0.25,\"high\":0.75}," \
	"\"z\":{\"type\":\"float\",\"low\":0.5,\"high\":3.5,\"step\":0.01}," \
	"\"k\":{\"type\":\"int\",\"low\":1,\"high\":100,\"log\":true}," \
	"\"n\":{\"type\":\"int\",\"low\":20,\"high\":250}," \
	"\"c\":{\"type\":\"categorical\",\"choices\":[0.1,\"b\",true]}," \
	"\"g.h\":{\"type\":\"float\",\"low\":0,\"high\":1}}"
#define SETTLE_N	300	/* points */
#define SETTLE_D	8	/* their params */

/* A settled point is, bit for bit, what the history reader gets from
 * its params' text: written as a record line, read by tl_records (the
 * reader of tl-bayesopt's history) and encoded.  The raw points are not:
 * some coordinate moves in most of them. */
Test(tl_space, settle_reads_back)
{
	struct tl_err err = { 0 };
	struct tl_space *s = parse(SETTLE, &err);
	struct tl_records *rs;
	struct tl_buf lines, want, got;
	double x[SETTLE_N][SETTLE_D], q[SETTLE_D], xr[SETTLE_D];
	size_t i, j, moved = 0;
	gsl_rng *r = tl_rng_alloc(25, 1);
	char path[512], why[256];
	json_t *p, *d, *rec;

	cr_assert_not_null(s, "%s", err.msg);
	cr_assert_eq(s->n, SETTLE_D);
	tl_buf_init(&lines);
	tl_buf_init(&want);
	tl_buf_init(&got);
	for (i = 0; i < SETTLE_N; i++) {
		for (j = 0; j < SETTLE_D; j++)
			q[j] = tl_rng_uniform(r);
		tl_space_from_unit(s, q, x[i]);	/* continuous: u = q */
		d = tl_space_decode(s, x[i]);
		tl_buf_adds(&lines, "{\"params\":");
		tl_json_append(&lines, d);
		tl_buf_adds(&lines, "}\n");
		tl_buf_reset(&want);
		tl_json_append(&want, d);
		json_decref(d);
		memcpy(xr, x[i], sizeof(xr));
		p = tl_space_settle(s, x[i], &err);
		cr_assert_not_null(p, "%s", err.msg);
		tl_buf_reset(&got);
		tl_json_append(&got, p);
		/* the params settled are the ones the raw point gave */
		cr_assert_str_eq(got.data, want.data);
		json_decref(p);
		for (j = 0; j < SETTLE_D; j++)
			if (memcmp(&xr[j], &x[i][j], sizeof(double)) != 0) {
				moved++;
				break;
			}
	}
	cr_assert_gt(moved, SETTLE_N / 2, "%zu of %d raw points read back "
	    "as they were", SETTLE_N - moved, SETTLE_N);
	ut_write(ut_path(path, sizeof(path), dir, "h.jsonl"), lines.data,
	    lines.len);
	rs = tl_records_open(path, TL_FMT_AUTO, &err);
	cr_assert_not_null(rs, "%s", err.msg);
	for (i = 0; i < SETTLE_N; i++) {
		cr_assert_eq(tl_records_next(rs, &rec, &err), 1, "%s",
		    err.msg);
		cr_assert_eq(tl_space_encode(s, json_object_get(rec, "params"),
		    0, xr, why, sizeof(why)), 0, "%s", why);
		cr_assert(memcmp(xr, x[i], sizeof(xr)) == 0, "point %zu: the "
		    "history reads another point than the one settled", i);
		json_decref(rec);
	}
	cr_assert_eq(tl_records_next(rs, &rec, &err), 0);
	tl_records_free(rs);
	tl_buf_release(&got);
	tl_buf_release(&want);
	tl_buf_release(&lines);
	tl_rng_free(r);
	tl_space_free(s);
}

/* A point whose params cannot be written (a NaN coordinate has no JSON
 * number, so its param goes missing) is an error, the point left as it
 * was. */
Test(tl_space, settle_error)
{
	struct tl_err err = { 0 };
	struct tl_space *s = parse(NESTED, &err);
	double x[3] = { NAN, 0, 1 };

	cr_assert_not_null(s, "%s", err.msg);
	x[1] = tl_param_centre(&s->p[1], 2);	/* n.a = 3 */
	cr_assert_null(tl_space_settle(s, x, &err));
	cr_assert_eq(err.code, TL_EX_SOFTWARE);
	cr_assert_str_eq(err.where, "");
	cr_assert_str_eq(err.msg, "params {\"n\":{\"a\":3,\"b\":\"y\"}} do "
	    "not read back: param 'c': missing");
	cr_assert(isnan(x[0]));
	cr_assert_eq(x[1], tl_param_centre(&s->p[1], 2));
	cr_assert_eq(x[2], 1);
	tl_space_free(s);
}

Test(tl_space, get_path)
{
	json_t *o = json_loads("{\"a\":{\"b\":{\"c\":2.385}},\"a.b\":-1.27,"
	    "\"x\":3}", 0, NULL);

	/* the key itself first, else the path */
	cr_assert_float_eq(json_number_value(tl_space_get(o, "a.b")), -1.27,
	    0);
	cr_assert_float_eq(json_number_value(tl_space_get(o, "a.b.c")),
	    2.385, 0);
	cr_assert_null(tl_space_get(o, "x.y"));
	cr_assert_null(tl_space_get(o, "a.z"));
	json_decref(o);
}

/* ---- inference -------------------------------------------------------- */

static char warned[8192];	/* the warnings of the last inference */

static void __attribute__((format(printf, 1, 2)))
capture(const char *fmt, ...)
{
	size_t n = strlen(warned);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(warned + n, sizeof(warned) - n, fmt, ap);
	va_end(ap);
	n = strlen(warned);
	snprintf(warned + n, sizeof(warned) - n, "\n");
}

/* The space inferred from the params objects of the JSON array trials
 * (new), or NULL with err; warnings into warned. */
static json_t *
infer(const char *trials, struct tl_err *err)
{
	struct tl_space_infer *in = tl_space_infer_alloc();
	json_t *a = json_loads(trials, 0, NULL), *v, *sp;
	size_t i;

	cr_assert(json_is_array(a), "bad test JSON: %s", trials);
	json_array_foreach(a, i, v)
		tl_space_infer_add(in, v);
	cr_assert_eq(tl_space_infer_count(in), json_array_size(a));
	warned[0] = '\0';
	sp = tl_space_infer_result(in, "runs.jsonl", capture, err);
	tl_space_infer_free(in);
	json_decref(a);
	return sp;
}

/* The spec of param name in the space inferred from trials, as compact
 * JSON (new); the space must load and every trial must fit it. */
static char *
inferred(const char *trials, const char *name)
{
	struct tl_err err = { 0 };
	struct tl_space *s;
	struct tl_buf b;
	char why[256];
	double x[16];
	json_t *sp, *a, *v;
	size_t i;

	sp = infer(trials, &err);
	cr_assert_not_null(sp, "%s", err.msg);
	s = tl_space_from_json(sp, "inferred", &err);
	cr_assert_not_null(s, "%s", err.msg);
	a = json_loads(trials, 0, NULL);
	json_array_foreach(a, i, v)
		cr_assert_eq(tl_space_encode(s, v, 0, x, why, sizeof(why)), 0,
		    "trial %zu: %s", i, why);
	tl_buf_init(&b);
	tl_json_append(&b, json_object_get(sp, name));
	tl_space_free(s);
	json_decref(a);
	json_decref(sp);
	return b.data;
}

static void
want_spec(const char *trials, const char *name, const char *want)
{
	char *t = inferred(trials, name);

	cr_assert_str_eq(t, want, "from %s", trials);
	free(t);
}

/* Each closed form below: the range r = max - min, the margin m = r/10
 * (at most min/2 on the low side when min >= 0, at most -max/2 on the
 * high side when max <= 0), each bound moved out by its margin and then
 * to a multiple of the largest power of ten <= that margin (>= the
 * grid's step). */
Test(tl_space, infer_numeric_bounds)
{
	/* m = 17.4; low: 20 - min(17.4, 10) = 10, unit 10 -> 10; high:
	 * 211.4, unit 10 -> 220 */
	want_spec("[{\"a\":20},{\"a\":194},{\"a\":87}]", "a",
	    "{\"type\":\"int\",\"low\":10,\"high\":220}");
	/* m = 1.9; low 1 - 0.5 = 0.5, unit 1 -> 0: zero is never reached
	 * by a positive param -> 1; high 21.9 -> 22 */
	want_spec("[{\"a\":1},{\"a\":20}]", "a",
	    "{\"type\":\"int\",\"low\":1,\"high\":22}");
	/* 2 decimals -> step 0.01; m = 0.245: 0.275 -> 0.2, 3.215 -> 3.3 */
	want_spec("[{\"a\":0.52},{\"a\":2.97},{\"a\":1.5}]", "a",
	    "{\"type\":\"float\",\"low\":0.2,\"high\":3.3,\"step\":0.01}");
	/* negative: m = 0.3: -3.8; high -0.5 + min(0.3, 0.25) = -0.25 ->
	 * -0.2 (unit 0.1), still negative */
	want_spec("[{\"a\":-3.5},{\"a\":-0.5}]", "a",
	    "{\"type\":\"float\",\"low\":-3.8,\"high\":-0.2,\"step\":0.1}");
	/* both signs: m = 0.5 each side, unit 1 (an int) */
	want_spec("[{\"a\":-2},{\"a\":3}]", "a",
	    "{\"type\":\"int\",\"low\":-3,\"high\":4}");
	/* 0 tried: the low side stays at 0; 4.95 -> 5 */
	want_spec("[{\"a\":0},{\"a\":4.5}]", "a",
	    "{\"type\":\"float\",\"low\":0,\"high\":5,\"step\":0.1}");
	/* m = 0.004 -> 0.006, on the 0.01 grid 0: the grid's first
	 * positive value 0.01; 0.054 -> 0.06 */
	want_spec("[{\"a\":0.01},{\"a\":0.05}]", "a",
	    "{\"type\":\"float\",\"low\":0.01,\"high\":0.06,\"step\":0.01}");
	/* 7 decimals: no grid; m = 0.0376543: 0.0858 -> 0.08, 0.5377 ->
	 * 0.54 */
	want_spec("[{\"a\":0.1234567},{\"a\":0.5}]", "a",
	    "{\"type\":\"float\",\"low\":0.08,\"high\":0.54}");
}

Test(tl_space, infer_log_scale)
{
	/* 500 >= 100: log, f = 500^0.1 = 1.8616; 0.001 / f = 0.000537
	 * (margin 0.000463, unit 1e-4) -> 0.0005; 0.5 f = 0.9308 (margin
	 * 0.43, unit 0.1) -> 1 */
	want_spec("[{\"a\":0.001},{\"a\":0.02},{\"a\":0.5}]", "a",
	    "{\"type\":\"float\",\"low\":0.0005,\"high\":1,\"log\":true}");
	/* 300: f = 1.7689; 3 / f = 1.696 (unit 1) -> 1; 900 f = 1592
	 * (unit 100) -> 1600 */
	want_spec("[{\"a\":3},{\"a\":900},{\"a\":40}]", "a",
	    "{\"type\":\"int\",\"low\":1,\"high\":1600,\"log\":true}");
	/* 99: linear */
	want_spec("[{\"a\":1},{\"a\":99}]", "a",
	    "{\"type\":\"int\",\"low\":1,\"high\":109}");
	/* 1e9 (f = 7.94): 1e-6 / f = 1.26e-7 (margin 8.7e-7, unit 1e-7)
	 * -> 1e-7; 1000 f = 7943 (unit 1000) -> 8000 */
	want_spec("[{\"a\":0.000001},{\"a\":1000}]", "a",
	    "{\"type\":\"float\",\"low\":1e-07,\"high\":8000,\"log\":true}");
}

Test(tl_space, infer_constant)
{
	want_spec("[{\"a\":5,\"b\":2.5,\"c\":true,\"d\":\"x\"},{\"a\":5.0,"
	    "\"b\":2.5,\"c\":true,\"d\":\"x\"}]", "a",
	    "{\"type\":\"int\",\"low\":5,\"high\":5}");
	cr_assert_str_eq(warned, "param 'a': one value tried: kept constant\n"
	    "param 'b': one value tried: kept constant\n"
	    "param 'c': one value tried: kept constant\n"
	    "param 'd': one value tried: kept constant\n");
	want_spec("[{\"b\":-2.5}]", "b",
	    "{\"type\":\"float\",\"low\":-2.5,\"high\":-2.5}");
	want_spec("[{\"c\":true}]", "c",
	    "{\"type\":\"categorical\",\"choices\":[true]}");
}

Test(tl_space, infer_categorical)
{
	want_spec("[{\"u\":\"tech\"},{\"u\":\"energy\"},{\"u\":\"Broad\"},"
	    "{\"u\":\"energy\"},{\"u\":\"broad\"}]", "u",
	    "{\"type\":\"categorical\",\"choices\":[\"Broad\",\"broad\","
	    "\"energy\",\"tech\"]}");
	want_spec("[{\"t\":true},{\"t\":false},{\"t\":true}]", "t",
	    "{\"type\":\"categorical\",\"choices\":[false,true]}");
	cr_assert_str_eq(warned, "");
	/* mixed: every value tried, 14 and 14.0 one */
	want_spec("[{\"m\":14},{\"m\":\"auto\"},{\"m\":14.0},{\"m\":true},"
	    "{\"m\":2.5},{\"m\":\"Auto\"}]", "m",
	    "{\"type\":\"categorical\",\"choices\":[true,2.5,14,\"Auto\","
	    "\"auto\"]}");
	cr_assert_str_eq(warned, "param 'm': booleans, numbers and strings "
	    "tried: a categorical of its 5 values\n");
	want_spec("[{\"m\":1},{\"m\":\"1\"}]", "m",
	    "{\"type\":\"categorical\",\"choices\":[1,\"1\"]}");
	cr_assert_str_eq(warned, "param 'm': numbers and strings tried: a "
	    "categorical of its 2 values\n");
}

Test(tl_space, infer_left_out)
{
	struct tl_err err = { 0 };
	struct tl_buf b;
	json_t *sp;
	size_t i;

	/* in some trials only (null is no value), an array, 'a.b' beside
	 * 'a'; nested objects are dotted names */
	sp = infer("[{\"k\":1,\"p\":2,\"r\":[1],\"a\":1,\"a.b\":2,\"n\":{\"x\":"
	    "\"u\"}},{\"k\":2,\"p\":null,\"r\":[2],\"a\":2,\"a.b\":3,\"n\":{"
	    "\"x\":\"v\"}},{\"k\":3,\"r\":[],\"a\":3,\"n\":{\"x\":"
	    "\"v\"},\"a.b\":4}]", &err);
	cr_assert_not_null(sp, "%s", err.msg);
	tl_buf_init(&b);
	tl_json_append(&b, sp);
	/* 1..3: m = 0.2: 0.8 and 3.2 out to ints: 0, never reached by a
	 * positive param, so 1; and 4 */
	cr_assert_str_eq(b.data, "{\"a\":{\"type\":\"int\",\"low\":1,"
	    "\"high\":4},\"k\":{\"type\":\"int\",\"low\":1,\"high\":4},"
	    "\"n.x\":{\"type\":\"categorical\",\"choices\":[\"u\",\"v\"]}}");
	cr_assert_str_eq(warned, "param 'p': in 1 of 3 trials: left out "
	    "(suggest --ignore-unknown reads the trials that have it)\n"
	    "param 'r': an array in 3 trials: left out (a param is a number, "
	    "string or boolean)\n"
	    "param 'a.b': 'a' is a param too: left out\n");
	tl_buf_release(&b);
	json_decref(sp);
	/* more distinct strings than a categorical takes */
	tl_buf_init(&b);
	tl_buf_adds(&b, "[");
	for (i = 0; i <= TL_SPACE_INFER_MAX_CHOICES; i++)
		tl_buf_printf(&b, "%s{\"id\":\"s%zu\",\"k\":1}", i ? "," : "",
		    i);
	tl_buf_adds(&b, "]");
	sp = infer(b.data, &err);
	cr_assert_not_null(sp, "%s", err.msg);
	cr_assert_eq(json_object_size(sp), 1);
	cr_assert(strstr(warned, "param 'id': more than 1000 values for a "
	    "categorical: left out\n") != NULL, "%s", warned);
	json_decref(sp);
	tl_buf_release(&b);
}

Test(tl_space, infer_nothing)
{
	struct tl_err err = { 0 };

	cr_assert_null(infer("[{},{\"a\":null},[1]]", &err));
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.where, "runs.jsonl");
	cr_assert_str_eq(err.msg, "no param to search in 3 trials");
	cr_assert_null(infer("[{\"a\":1},{\"b\":2}]", &err));
	cr_assert_str_eq(err.msg, "no param to search in 2 trials (each was "
	    "left out: see the warnings)");
	cr_assert_null(infer("[]", &err));
	cr_assert_str_eq(err.msg, "no param to search in 0 trials");
}

/* The text of the space inferred from trials (new). */
static char *
infer_text(const char *trials)
{
	struct tl_err err = { 0 };
	struct tl_buf b;
	json_t *sp = infer(trials, &err);

	cr_assert_not_null(sp, "%s", err.msg);
	tl_buf_init(&b);
	tl_space_text(sp, &b);
	json_decref(sp);
	return b.data;
}

Test(tl_space, infer_text_and_order)
{
	const char *fwd = "[{\"z\":\"b\",\"x\":{\"y\":1.5},\"w\":true},"
	    "{\"z\":\"a\",\"x\":{\"y\":2.25},\"w\":false},"
	    "{\"z\":\"c\",\"x\":{\"y\":-1.27},\"w\":true}]";
	const char *rev = "[{\"w\":true,\"x\":{\"y\":-1.27},\"z\":\"c\"},"
	    "{\"x\":{\"y\":2.25},\"w\":false,\"z\":\"a\"},"
	    "{\"w\":true,\"z\":\"b\",\"x\":{\"y\":1.5}}]";
	struct tl_err err = { 0 };
	char *a = infer_text(fwd), *b = infer_text(rev);
	json_t *v, *sp;

	/* the same space whatever the order of trials and keys */
	cr_assert_str_eq(a, b);
	/* m = 0.352: -1.622 -> -1.7, 2.602 -> 2.7 (unit 0.1) */
	cr_assert_str_eq(a, "{\n"
	    "  \"w\": {\"type\": \"categorical\", \"choices\": [false, "
	    "true]},\n"
	    "  \"x.y\": {\"type\": \"float\", \"low\": -1.7, \"high\": 2.7, "
	    "\"step\": 0.01},\n"
	    "  \"z\": {\"type\": \"categorical\", \"choices\": [\"a\", \"b\", "
	    "\"c\"]}\n"
	    "}\n");
	/* the text is the object */
	v = json_loads(a, 0, NULL);
	sp = infer(fwd, &err);
	cr_assert(json_equal(v, sp));
	json_decref(v);
	json_decref(sp);
	free(a);
	free(b);
}

/* Property check over random histories: every space loads, every trial
 * fits it, each bound is widened by at least its margin and at most
 * twice it (or a step), the sign of a one-signed param is kept, ints
 * are ints, grids are 10^-d for values of d <= 6 decimals, and the scale
 * is log exactly when min > 0 and max/min >= 100.  The figures are the
 * test's own (decimals from the integers the values were made of). */
Test(tl_space, infer_properties)
{
	static const double p10t[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7,
	    1e8 };
	uint64_t r = 0x2385127ull;	/* an LCG: the test's own stream */
	size_t round, i, n;
	int dmax, d, sign, integral;
	double v[40], lo, hi, mlo, mhi, f, low, high, step, tol;
	struct tl_buf b;
	char *t;
	json_t *spec;

#define NEXT()	(r = r * 6364136223846793005ull + 1442695040888963407ull, \
	    (double)(r >> 11) / 9007199254740992.0)
	for (round = 0; round < 1000; round++) {
		n = 1 + (size_t)(NEXT() * 30);
		d = (int)(NEXT() * 9);		/* decimals, 0 to 8 */
		sign = (int)(NEXT() * 3);	/* +, - or both */
		f = p10t[(int)(NEXT() * 7)];	/* magnitude */
		dmax = 0;
		integral = 1;
		tl_buf_init(&b);
		tl_buf_adds(&b, "[");
		for (i = 0; i < n; i++) {
			int64_t m = (int64_t)(NEXT() * f * p10t[d]);
			int k = d;
			char num[64];

			if (sign == 1 || (sign == 2 && NEXT() < 0.5))
				m = -m;
			while (k > 0 && m % 10 == 0) {	/* trailing zeros */
				m /= 10;
				k--;
			}
			dmax = k > dmax ? k : dmax;
			integral &= k == 0;
			snprintf(num, sizeof(num), "%.*f", k, (double)m /
			    p10t[k]);
			v[i] = strtod(num, NULL);
			tl_buf_printf(&b, "%s{\"a\":%s}", i ? "," : "", num);
		}
		tl_buf_adds(&b, "]");
		t = inferred(b.data, "a");	/* loads; every trial fits */
		spec = json_loads(t, 0, NULL);
		lo = hi = v[0];
		for (i = 1; i < n; i++) {
			lo = v[i] < lo ? v[i] : lo;
			hi = v[i] > hi ? v[i] : hi;
		}
		low = json_number_value(json_object_get(spec, "low"));
		high = json_number_value(json_object_get(spec, "high"));
		step = json_number_value(json_object_get(spec, "step"));
		tol = 1e-12 * (fabs(lo) + fabs(hi) + 1);
		cr_assert_str_eq(json_string_value(json_object_get(spec,
		    "type")), integral ? "int" : "float", "%s", b.data);
		if (lo > 0 && hi / lo >= 100) {
			cr_assert(json_is_true(json_object_get(spec, "log")),
			    "%s -> %s", b.data, t);
			f = pow(hi / lo, 0.1);
			mlo = lo - lo / f;
			mhi = hi * f - hi;
		} else {
			cr_assert_null(json_object_get(spec, "log"), "%s", t);
			mlo = mhi = (hi - lo) / 10;
			mlo = lo >= 0 && mlo > lo / 2 ? lo / 2 : mlo;
			mhi = hi <= 0 && mhi > -hi / 2 ? -hi / 2 : mhi;
			/* a grid of 10^-d, unless a bound is 10^9 steps
			 * from 0 (then the grid's bounds would be too) */
			if (!integral && lo < hi && dmax <= 6 && step > 0)
				cr_assert(step == 1 / p10t[dmax] &&
				    fmax(fabs(low), fabs(high)) / step < 1e9,
				    "%s -> %s", b.data, t);
			else if (!integral && lo < hi && dmax <= 6)
				cr_assert((fmax(fabs(low), fabs(high)) + 2 *
				    fmax(mlo, mhi)) * p10t[dmax] >= 1e9,
				    "%s -> %s", b.data, t);
			else
				cr_assert_eq(step, 0, "%s -> %s", b.data, t);
		}
		if (integral || step > 0)	/* the grid's unit */
			f = integral ? 1 : step;
		else
			f = 0;
		/* widened by at least the margin (or a positive low at
		 * the grid's first value, a negative high at its last),
		 * at most twice it or a unit */
		cr_assert(low <= lo - mlo + tol || (lo > 0 && low == f),
		    "%s -> %s", b.data, t);
		cr_assert(high >= hi + mhi - tol || (hi < 0 && high == -f),
		    "%s -> %s", b.data, t);
		cr_assert(low >= lo - 2 * mlo - f - tol, "%s -> %s", b.data,
		    t);
		cr_assert(high <= hi + 2 * mhi + f + tol, "%s -> %s", b.data,
		    t);
		cr_assert(lo <= 0 || low > 0, "%s -> %s", b.data, t);
		cr_assert(lo < 0 || low >= 0, "%s -> %s", b.data, t);
		cr_assert(hi >= 0 || high < 0, "%s -> %s", b.data, t);
		cr_assert(hi > 0 || high <= 0, "%s -> %s", b.data, t);
		json_decref(spec);
		free(t);
		tl_buf_release(&b);
	}
#undef NEXT
}

/* ---- local moves (tl-bayesopt suggest --around) ---- */

#define MOVES	4000	/* draws per check */

/* Point of EXAMPLE at lookback level lb, entry_z level ez, risk u,
 * universe choice un, trail choice tr. */
static void
example_point(const struct tl_space *s, size_t lb, size_t ez, double risk,
    size_t un, size_t tr, double *p)
{
	double lo, hi;

	tl_param_bin(&s->p[0], lb, &lo, &hi);
	p[0] = (lo + hi) / 2;
	tl_param_bin(&s->p[1], ez, &lo, &hi);
	p[1] = (lo + hi) / 2;
	p[2] = risk;
	p[3] = (double)un;
	p[4] = (double)tr;
}

/* One coordinate always moves, each of the other four with probability
 * 2/5: 1 + Binomial(4, 0.4) coordinates differ, mean 2.6, each one
 * moving with probability 1/5 + 4/5 * 2/5 = 0.52.  Over 4000 draws the
 * mean's standard error is sqrt(4 * 0.4 * 0.6 / 4000) = 0.0155 and a
 * share's sqrt(0.52 * 0.48 / 4000) = 0.0079: tolerances of about five
 * of them.  Every move stays in the space (u in [0, 1], a choice an
 * index) and a discrete coordinate that moves changes its level. */
Test(tl_space, local_move_counts)
{
	struct tl_err err = { 0 };
	struct tl_space *s = parse(EXAMPLE, &err);
	gsl_rng *r = tl_rng_alloc(7, 0);
	double p[5], x[5], moved[5] = { 0 }, total = 0;
	size_t i, j, d;

	cr_assert_not_null(s, "%s", err.msg);
	example_point(s, 100, 150, 0.5, 1, 0, p);
	for (i = 0; i < MOVES; i++) {
		tl_space_local_move(s, r, p, 0.1, x);
		for (d = 0, j = 0; j < 5; j++) {
			cr_assert(j >= 3 || (x[j] >= 0 && x[j] <= 1));
			if (x[j] == p[j])
				continue;
			d++;
			moved[j]++;
			if (j < 2)
				cr_assert_neq(tl_param_level(&s->p[j], x[j]),
				    tl_param_level(&s->p[j], p[j]));
		}
		cr_assert(x[3] == 0 || x[3] == 1 || x[3] == 2);
		cr_assert(x[4] == 0 || x[4] == 1);
		cr_assert_geq(d, 1);
		total += (double)d;
	}
	cr_assert_float_eq(total / MOVES, 2.6, 0.08);
	for (j = 0; j < 5; j++)
		cr_assert_float_eq(moved[j] / MOVES, 0.52, 0.04, "coordinate "
		    "%zu moved %g times", j, moved[j]);
	tl_rng_free(r);
	tl_space_free(s);
}

/* A numeric coordinate steps by N(0, radius^2) in u: from 0.5 with
 * radius 0.05 the bounds are 10 sd away, so the moved draws' mean is 0
 * (standard error 0.05 / sqrt(~2000) = 0.0011; tolerance 0.006) and
 * their sd 0.05 (relative standard error 1 / sqrt(2 * 2000) = 1.6%;
 * tolerance 8%).  A categorical coordinate moves to each other choice
 * alike: from choice 0 of three, 1 and 2 each half the time (standard
 * error 0.011; tolerance 0.05). */
Test(tl_space, local_move_steps)
{
	struct tl_err err = { 0 };
	struct tl_space *s = parse(EXAMPLE, &err);
	gsl_rng *r = tl_rng_alloc(11, 0);
	double p[5], x[5], sum = 0, sum2 = 0, n = 0, n1 = 0, nc = 0;
	size_t i;

	cr_assert_not_null(s, "%s", err.msg);
	example_point(s, 100, 150, 0.5, 0, 1, p);
	for (i = 0; i < MOVES; i++) {
		tl_space_local_move(s, r, p, 0.05, x);
		if (x[2] != p[2]) {
			sum += x[2] - p[2];
			sum2 += (x[2] - p[2]) * (x[2] - p[2]);
			n++;
		}
		if (x[3] != p[3]) {
			cr_assert(x[3] == 1 || x[3] == 2);
			n1 += x[3] == 1;
			nc++;
		}
	}
	cr_assert_gt(n, 1500);
	cr_assert_float_eq(sum / n, 0, 0.006);
	cr_assert_float_eq(sqrt(sum2 / n - (sum / n) * (sum / n)), 0.05,
	    0.004);
	cr_assert_float_eq(n1 / nc, 0.5, 0.05);
	tl_rng_free(r);
	tl_space_free(s);
}

/* A discrete coordinate whose step stays in its bin still moves one
 * level: up from the first, down from the last, either way (half the
 * time each, tolerance 0.05 as above) in between. */
Test(tl_space, local_move_grid_step)
{
	struct tl_err err = { 0 };
	struct tl_space *s = parse(EXAMPLE, &err);
	gsl_rng *r = tl_rng_alloc(3, 0);
	size_t last = s->p[0].nlev - 1, i, lev;
	double p[5], x[5], up = 0, n = 0;

	cr_assert_eq(last, 230);	/* lookback 20..250 */
	for (i = 0; i < MOVES; i++) {
		example_point(s, i % 3 == 0 ? 0 : i % 3 == 1 ? last : 100, 0,
		    0.5, 0, 0, p);
		tl_space_local_move(s, r, p, 1e-9, x);
		if (x[0] == p[0])
			continue;
		lev = tl_param_level(&s->p[0], x[0]);
		if (i % 3 == 0)
			cr_assert_eq(lev, 1);
		else if (i % 3 == 1)
			cr_assert_eq(lev, last - 1);
		else {
			cr_assert(lev == 99 || lev == 101, "level %zu", lev);
			up += lev == 101;
			n++;
		}
	}
	cr_assert_float_eq(up / n, 0.5, 0.05);
	tl_rng_free(r);
	tl_space_free(s);
}

/* Two parameters or fewer: every coordinate moves; and the same stream
 * gives the same moves. */
Test(tl_space, local_move_small_and_repeatable)
{
	struct tl_err err = { 0 };
	struct tl_space *s = parse("{\"a\":{\"type\":\"float\",\"low\":0,"
	    "\"high\":1},\"b\":{\"type\":\"categorical\",\"choices\":"
	    "[1,2]}}", &err);
	gsl_rng *r = tl_rng_alloc(5, 0), *r2 = tl_rng_alloc(5, 0);
	double p[2] = { 0.3, 1 }, x[2], y[2];
	size_t i;

	cr_assert_not_null(s, "%s", err.msg);
	for (i = 0; i < 100; i++) {
		tl_space_local_move(s, r, p, 0.2, x);
		tl_space_local_move(s, r2, p, 0.2, y);
		cr_assert_neq(x[0], p[0]);
		cr_assert_eq(x[1], 0);
		cr_assert_eq(x[0], y[0]);
		cr_assert_eq(x[1], y[1]);
	}
	tl_rng_free(r);
	tl_rng_free(r2);
	tl_space_free(s);
}
