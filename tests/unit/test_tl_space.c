/*
 * Unit tests for lib/tl_space: the declaration (every kind of param and
 * every error the man page names, duplicate keys included), encoding and
 * decoding (grid values written as their decimals, log scales, booleans
 * and strings as choices), the reasons a past trial does not fit, the
 * unit-cube map and the duplicate keys.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "tl_err.h"
#include "tl_json.h"
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
