/* Unit tests for lib/tl_json: parsing with our messages, compact output,
 * typed getters, flatten and unflatten. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_json.h"
#include "unit.h"

static json_t *
parse_ok(const char *s)
{
	struct tl_err err;
	json_t *v;

	v = tl_json_parse(s, strlen(s), "t.jsonl", 1, &err);
	cr_assert_not_null(v, "'%s': %s", s, err.msg);
	return v;
}

/* tl_json_append of v is want. */
static void
appends_as(const json_t *v, const char *want)
{
	struct tl_buf b;

	tl_buf_init(&b);
	tl_json_append(&b, v);
	cr_assert_eq(b.len, strlen(b.data), "NUL inside output");
	cr_assert_str_eq(b.data, want);
	tl_buf_release(&b);
}

/* Parse s, write it compact: the text is want. */
static void
rewrites_as(const char *s, const char *want)
{
	json_t *v;

	v = parse_ok(s);
	appends_as(v, want);
	json_decref(v);
}

static void
parse_fails(const char *s, const char *want_in_msg)
{
	struct tl_err err;
	json_t *v;

	tl_err_clear(&err);
	v = tl_json_parse(s, strlen(s), "f", 3, &err);
	cr_assert_null(v, "'%s' parsed", s);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.where, "f:3");
	cr_assert_eq(strncmp(err.msg, "invalid JSON: ", 14), 0, "msg '%s'",
	    err.msg);
	cr_assert_not_null(strstr(err.msg, want_in_msg), "'%s': msg '%s'", s,
	    err.msg);
}

Test(tl_json_parse, values)
{
	json_t *v;

	v = parse_ok("{\"sym\":\"ES\",\"pnl\":2.385,\"qty\":-3}");
	cr_assert(json_is_object(v));
	cr_assert_str_eq(json_string_value(json_object_get(v, "sym")), "ES");
	cr_assert_float_eq(json_real_value(json_object_get(v, "pnl")), 2.385,
	    1e-15);
	cr_assert_eq(json_integer_value(json_object_get(v, "qty")), -3);
	json_decref(v);
	/* any value, not only objects */
	v = parse_ok("[1,-1.27]");
	cr_assert(json_is_array(v));
	json_decref(v);
	v = parse_ok("\"x\"");
	cr_assert(json_is_string(v));
	json_decref(v);
	v = parse_ok(" 7 ");
	cr_assert_eq(json_integer_value(v), 7);
	json_decref(v);
}

Test(tl_json_parse, uses_only_n_bytes)
{
	struct tl_err err;
	const char *s = "{\"a\":1}{\"b\":2}";
	json_t *v;

	v = tl_json_parse(s, 7, "t", 1, &err);
	cr_assert_not_null(v);
	cr_assert_eq(json_integer_value(json_object_get(v, "a")), 1);
	json_decref(v);
}

Test(tl_json_parse, errors_name_line_and_column)
{
	parse_fails("{\"a\":1,}", "(column 8)");
	parse_fails("{\"a\":1,\"b\":tru}", "(column ");
	parse_fails("", "(column ");
	parse_fails("{\"a\":", "(column ");
	parse_fails("{\"a\":1} x", "(column ");
	parse_fails("{'a':1}", "(column 2)");
}

Test(tl_json_parse, no_nan_inf_or_overflow)
{
	parse_fails("{\"x\":NaN}", "(column ");
	parse_fails("{\"x\":Infinity}", "(column ");
	parse_fails("{\"x\":-Infinity}", "(column ");
	parse_fails("{\"x\":1e400}", "(column ");
}

Test(tl_json_parse, duplicate_keys_rejected)
{
	parse_fails("{\"pnl\":1,\"pnl\":2}", "duplicate");
	parse_fails("{\"o\":{\"k\":1,\"k\":1}}", "duplicate");
}

/* the fast path and jansson agree: same types, same doubles bit for bit,
 * same key order */
static void
same_as_jansson(const char *s)
{
	struct tl_err err;
	json_t *a, *b;
	char *da, *db;

	a = tl_json_parse(s, strlen(s), "t.jsonl", 1, &err);
	b = json_loadb(s, strlen(s), JSON_DECODE_ANY |
	    JSON_REJECT_DUPLICATES, NULL);
	cr_assert((a == NULL) == (b == NULL), "'%s'", s);
	if (a == NULL)
		return;
	da = json_dumps(a, JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
	db = json_dumps(b, JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
	cr_assert_str_eq(da, db, "'%s'", s);
	free(da);
	free(db);
	json_decref(a);
	json_decref(b);
}

Test(tl_json_parse, fast_path_agrees_with_jansson)
{
	static const char *const cases[] = {
		"{\"params\": {\"x0\": 0.6252710263612498, \"x1\": 1e-300, "
		    "\"n\": 7, \"c\": \"b\"}, \"value\": -3.3223, "
		    "\"state\": \"complete\"}",
		"[1, -0, -0.0, 0.0, 1.5E+3, 2e-5, 12345678901234567890, "
		    "123456789012345678, 9007199254740993.0, "
		    "0.1000000000000000055511151231257827, 1e400, -1e-400]",
		"  {\"a\": [true, false, null, {}, []], \"b\": \"\"}  ",
		"{\"a\": 1, \"a\": 2}", "{\"a\": \"\\u00e9\"}", "01", "1.",
		"-", "1e", "[1,]", "{\"a\" 1}", "\"x", "tru", "[", "3 4",
		"\"caf\xc3\xa9\"", "17", "-12.5e-3",
	};
	char buf[64];
	size_t i;
	unsigned long long u = 88172645463325252ULL;
	double v;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		same_as_jansson(cases[i]);
	for (i = 0; i < 20000; i++) {
		u ^= u << 13;
		u ^= u >> 7;
		u ^= u << 17;
		v = (double)(u >> 11) / 9007199254740992.0;
		v = (i % 3 == 0 ? -1 : 1) * v * pow(10, (double)(i % 41) - 20);
		snprintf(buf, sizeof(buf), i % 2 ? "%.17g" : "%.15g", v);
		same_as_jansson(buf);
	}
}

Test(tl_json_append, strings_are_escaped)
{
	json_t *v;

	v = json_string("he said \"hi\" \\ \n\t\r\b\f\x01\x1f end");
	appends_as(v, "\"he said \\\"hi\\\" \\\\ \\n\\t\\r\\b\\f\\u0001"
	    "\\u001f end\"");
	json_decref(v);
	v = json_stringn("a\0b", 3);
	appends_as(v, "\"a\\u0000b\"");
	json_decref(v);
	v = json_string("");
	appends_as(v, "\"\"");
	json_decref(v);
}

Test(tl_json_append, utf8_kept_as_is)
{
	json_t *v;

	v = json_string("Zürich 東京 € \xf0\x9f\x93\x88 \x7f");
	appends_as(v, "\"Zürich 東京 € \xf0\x9f\x93\x88 \x7f\"");
	json_decref(v);
	rewrites_as("{\"k\\u00e9y\":\"\\u20ac\"}", "{\"k\xc3\xa9y\":\"\xe2\x82\xac\"}");
}

Test(tl_json_append, reals_use_tl_fmt_double)
{
	json_t *v;

	v = json_real(0.1);
	appends_as(v, "0.1");
	json_decref(v);
	v = json_real(2.385);
	appends_as(v, "2.385");
	json_decref(v);
	v = json_real(-1.27);
	appends_as(v, "-1.27");
	json_decref(v);
	v = json_real(0.1 + 0.2);
	appends_as(v, "0.30000000000000004");
	json_decref(v);
	v = json_real(1e300);
	appends_as(v, "1e+300");
	json_decref(v);
	v = json_real(3.0);
	appends_as(v, "3");
	json_decref(v);
	v = json_real(-0.0);
	appends_as(v, "-0.0");
	json_decref(v);
	rewrites_as("[0.10000000000000001,1.0,2.5e-3]", "[0.1,1,0.0025]");
}

Test(tl_json_append, integers_and_literals)
{
	rewrites_as("[0,-42,9223372036854775807,-9223372036854775808]",
	    "[0,-42,9223372036854775807,-9223372036854775808]");
	rewrites_as("[true,false,null]", "[true,false,null]");
}

Test(tl_json_append, nested_in_insertion_order)
{
	rewrites_as("{ \"z\" : 1, \"a\" : { \"y\" : [ 1 , 2.5 , \"x\" , null , "
	    "true , false , [ ] , { } ] , \"b\" : {} }, \"m\": \"q\\\"\" }",
	    "{\"z\":1,\"a\":{\"y\":[1,2.5,\"x\",null,true,false,[],{}],"
	    "\"b\":{}},\"m\":\"q\\\"\"}");
	rewrites_as("{\"k\\\"1\":{\"\\n\":-1.27}}", "{\"k\\\"1\":{\"\\n\":-1.27}}");
}

/* Output parses back to an equal value. */
Test(tl_json_append, round_trip)
{
	const char *s = "{\"s\":\"a\\\"b\\\\c\\u0001\\u00ff\",\"r\":[0.1,"
	    "-1.27,1e-300,2.385e+200],\"i\":-5,\"o\":{\"p\":{\"q\":[]}}}";
	struct tl_buf b;
	json_t *v, *w;

	v = parse_ok(s);
	tl_buf_init(&b);
	tl_json_append(&b, v);
	w = parse_ok(b.data);
	cr_assert(json_equal(v, w), "%s", b.data);
	json_decref(w);
	json_decref(v);
	tl_buf_release(&b);
}

Test(tl_json_writeln, writes_a_line)
{
	struct tl_err err;
	char *dir, path[512], *text;
	json_t *v;
	FILE *fp;

	dir = ut_mkdtemp();
	ut_path(path, sizeof(path), dir, "o.jsonl");
	fp = fopen(path, "w");
	cr_assert_not_null(fp);
	v = parse_ok("{\"a\":0.1,\"b\":[1,\"x\"]}");
	cr_assert_eq(tl_json_writeln(fp, v, &err), 0);
	cr_assert_eq(tl_json_writeln(fp, v, &err), 0);
	fclose(fp);
	text = ut_read(path, NULL);
	cr_assert_str_eq(text, "{\"a\":0.1,\"b\":[1,\"x\"]}\n"
	    "{\"a\":0.1,\"b\":[1,\"x\"]}\n");
	free(text);
	json_decref(v);
	ut_rmtree(dir);
	free(dir);
}

Test(tl_json_writeln, write_error)
{
	struct tl_err err;
	char msg[256];
	json_t *v;
	FILE *fp;

	if ((fp = fopen("/dev/full", "w")) == NULL)
		cr_skip_test("no /dev/full");
	setvbuf(fp, NULL, _IONBF, 0);
	v = json_pack("{s:f}", "pnl", 2.385);
	tl_err_clear(&err);
	cr_assert_eq(tl_json_writeln(fp, v, &err), -1);
	cr_assert_eq(err.code, TL_EX_IOERR);
	cr_assert_str_eq(err.where, "");
	snprintf(msg, sizeof(msg), "write error: %s", strerror(ENOSPC));
	cr_assert_str_eq(err.msg, msg);
	json_decref(v);
	fclose(fp);
}

Test(tl_json_typename, all_types)
{
	json_t *v;

	v = parse_ok("[{},[],\"s\",1,1.5,true,false,null]");
	cr_assert_str_eq(tl_json_typename(json_array_get(v, 0)), "object");
	cr_assert_str_eq(tl_json_typename(json_array_get(v, 1)), "array");
	cr_assert_str_eq(tl_json_typename(json_array_get(v, 2)), "string");
	cr_assert_str_eq(tl_json_typename(json_array_get(v, 3)), "number");
	cr_assert_str_eq(tl_json_typename(json_array_get(v, 4)), "number");
	cr_assert_str_eq(tl_json_typename(json_array_get(v, 5)), "boolean");
	cr_assert_str_eq(tl_json_typename(json_array_get(v, 6)), "boolean");
	cr_assert_str_eq(tl_json_typename(json_array_get(v, 7)), "null");
	json_decref(v);
}

Test(tl_json_get, number)
{
	struct tl_err err;
	double d = -99;
	json_t *v;

	v = parse_ok("{\"pnl\":\"12.5\",\"qty\":3,\"px\":2.385,\"n\":null,"
	    "\"a\":[1],\"t\":true}");
	tl_err_clear(&err);
	cr_assert_eq(tl_json_get_number(v, "px", &d, "f.jsonl", 7, &err), 1);
	cr_assert_float_eq(d, 2.385, 1e-15);
	cr_assert_eq(tl_json_get_number(v, "qty", &d, "f.jsonl", 7, &err), 1);
	cr_assert_eq(d, 3.0);
	d = -99;
	cr_assert_eq(tl_json_get_number(v, "zz", &d, "f.jsonl", 7, &err), 0);
	cr_assert_eq(tl_json_get_number(v, "n", &d, "f.jsonl", 7, &err), 0);
	cr_assert_eq(d, -99, "absent field set *out");
	cr_assert_eq(err.code, 0);
	cr_assert_eq(tl_json_get_number(v, "pnl", &d, "f.jsonl", 7, &err), -1);
	cr_assert_eq(d, -99);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.where, "f.jsonl:7");
	cr_assert_str_eq(err.msg, "field 'pnl': expected number, got string");
	cr_assert_eq(tl_json_get_number(v, "a", &d, "<stdin>", 2, &err), -1);
	cr_assert_str_eq(err.where, "<stdin>:2");
	cr_assert_str_eq(err.msg, "field 'a': expected number, got array");
	cr_assert_eq(tl_json_get_number(v, "t", &d, "g", 0, &err), -1);
	cr_assert_str_eq(err.where, "g");
	cr_assert_str_eq(err.msg, "field 't': expected number, got boolean");
	json_decref(v);
}

Test(tl_json_get, string)
{
	struct tl_err err;
	const char *s = "unset";
	json_t *v;

	v = parse_ok("{\"sym\":\"ES\",\"qty\":3,\"n\":null,\"o\":{}}");
	tl_err_clear(&err);
	cr_assert_eq(tl_json_get_string(v, "sym", &s, "f.jsonl", 4, &err), 1);
	cr_assert_str_eq(s, "ES");
	s = "unset";
	cr_assert_eq(tl_json_get_string(v, "zz", &s, "f.jsonl", 4, &err), 0);
	cr_assert_eq(tl_json_get_string(v, "n", &s, "f.jsonl", 4, &err), 0);
	cr_assert_str_eq(s, "unset");
	cr_assert_eq(err.code, 0);
	cr_assert_eq(tl_json_get_string(v, "qty", &s, "f.jsonl", 4, &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.where, "f.jsonl:4");
	cr_assert_str_eq(err.msg, "field 'qty': expected string, got number");
	cr_assert_eq(tl_json_get_string(v, "o", &s, "f.jsonl", 5, &err), -1);
	cr_assert_str_eq(err.msg, "field 'o': expected string, got object");
	cr_assert_str_eq(s, "unset");
	json_decref(v);
}

Test(tl_json_flatten, round_trip)
{
	struct tl_err err;
	json_t *v, *flat, *back;

	v = parse_ok("{\"a\":{\"b\":1,\"c\":{\"d\":\"x\"}},\"e\":[1,2]}");
	flat = tl_json_flatten(v);
	appends_as(flat, "{\"a.b\":1,\"a.c.d\":\"x\",\"e\":[1,2]}");
	back = tl_json_unflatten(flat, "f.csv", 1, &err);
	cr_assert_not_null(back, "%s", err.msg);
	cr_assert(json_equal(back, v));
	appends_as(back, "{\"a\":{\"b\":1,\"c\":{\"d\":\"x\"}},\"e\":[1,2]}");
	json_decref(back);
	json_decref(flat);
	json_decref(v);
}

Test(tl_json_flatten, keeps_arrays_scalars_and_empty_objects)
{
	json_t *v, *flat;

	v = parse_ok("{\"g\":{\"lb\":20,\"thr\":-1.27,\"w\":[{\"k\":1}]},"
	    "\"x\":{},\"n\":null,\"s\":\"t\"}");
	flat = tl_json_flatten(v);
	appends_as(flat, "{\"g.lb\":20,\"g.thr\":-1.27,\"g.w\":[{\"k\":1}],"
	    "\"x\":{},\"n\":null,\"s\":\"t\"}");
	json_decref(flat);
	json_decref(v);
	v = parse_ok("{}");
	flat = tl_json_flatten(v);
	appends_as(flat, "{}");
	json_decref(flat);
	json_decref(v);
}

Test(tl_json_unflatten, nests_dotted_keys)
{
	struct tl_err err;
	json_t *flat, *v;

	flat = parse_ok("{\"run\":\"r1\",\"genome.lookback\":20,"
	    "\"genome.thr\":0.75,\"score\":2.385,\"genome.sub.k\":[1]}");
	v = tl_json_unflatten(flat, "f.csv", 1, &err);
	cr_assert_not_null(v);
	appends_as(v, "{\"run\":\"r1\",\"genome\":{\"lookback\":20,\"thr\":0.75,"
	    "\"sub\":{\"k\":[1]}},\"score\":2.385}");
	json_decref(v);
	json_decref(flat);
}

static void
unflatten_fails(const char *s, const char *want_msg)
{
	struct tl_err err;
	json_t *flat, *v;

	flat = parse_ok(s);
	tl_err_clear(&err);
	v = tl_json_unflatten(flat, "f.csv", 12, &err);
	cr_assert_null(v, "'%s' unflattened", s);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.where, "f.csv:12");
	cr_assert_str_eq(err.msg, want_msg);
	json_decref(flat);
}

Test(tl_json_unflatten, clashes)
{
	unflatten_fails("{\"a\":1,\"a.b\":2}",
	    "column 'a.b': clashes with another column's nesting");
	unflatten_fails("{\"a.b\":2,\"a\":1}",
	    "column 'a': clashes with another column's nesting");
	unflatten_fails("{\"a.b\":2,\"a.b.c\":1}",
	    "column 'a.b.c': clashes with another column's nesting");
	unflatten_fails("{\"x\":1,\"a..b\":2}",
	    "column 'a..b': clashes with another column's nesting");
	unflatten_fails("{\"a.\":2}",
	    "column 'a.': clashes with another column's nesting");
	unflatten_fails("{\".a\":2}",
	    "column '.a': clashes with another column's nesting");
}

/* An empty object leaf that later gets a dotted child: the caller's
 * value stays as it was. */
Test(tl_json_unflatten, does_not_change_the_input)
{
	struct tl_err err;
	json_t *flat, *back, *empty;

	flat = json_loads("{\"a\":{},\"a.b\":2.385}", 0, NULL);
	empty = json_object_get(flat, "a");
	back = tl_json_unflatten(flat, "f.csv", 1, &err);
	cr_assert_not_null(back, "%s", err.msg);
	cr_assert_eq(json_object_size(empty), 0, "input changed");
	cr_assert_float_eq(json_real_value(json_object_get(json_object_get(
	    back, "a"), "b")), 2.385, 1e-15);
	json_decref(back);
	json_decref(flat);
}

/* ---- tl_json_load_versioned ------------------------------------------ */

UT_SCRATCH_DIR();

TestSuite(tl_json_load_versioned, .init = ut_setup, .fini = ut_teardown);

static const struct tl_format fmt12 = { "tl-test-state", 1, 2 };

/* Load text (written to dir/s.json, or given as text) against fmt12:
 * NULL with err, or the object. */
static json_t *
load(const char *text, int as_text, int *version, struct tl_err *err)
{
	char path[1100];

	ut_path(path, sizeof(path), dir, "s.json");
	ut_write_str(path, text);
	tl_err_clear(err);
	*version = -1;
	return tl_json_load_versioned(as_text ? "s.json" : path, as_text ?
	    text : NULL, strlen(text), &fmt12, version, err);
}

Test(tl_json_load_versioned, reads_each_supported_version)
{
	struct tl_err err;
	json_t *v;
	int ver, as_text;

	tl_init("tl-test");
	for (as_text = 0; as_text < 2; as_text++) {
		v = load("{\"format\":\"tl-test-state\",\"version\":2,"
		    "\"x\":2.385}", as_text, &ver, &err);
		cr_assert_not_null(v, "%s", err.msg);
		cr_assert_eq(ver, 2);
		cr_assert_float_eq(json_real_value(json_object_get(v, "x")),
		    2.385, 0);
		json_decref(v);
		v = load("{\"version\":1,\"format\":\"tl-test-state\"}",
		    as_text, &ver, &err);
		cr_assert_not_null(v, "%s", err.msg);
		cr_assert_eq(ver, 1);
		json_decref(v);
	}
}

/* One wording for every refusal, whichever the file. */
Test(tl_json_load_versioned, refusals)
{
	static const struct {
		const char *text;
		int as_text;
		const char *msg;
	} c[] = {
		{ "{\"format\":\"tl-test-state\",\"version\":3}", 0,
		  "format 'tl-test-state' version 3 is newer than this "
		  "tl-test reads (1-2)" },
		{ "{\"format\":\"tl-test-state\",\"version\":0}", 1,
		  "format 'tl-test-state' version 0 is older than this "
		  "tl-test reads (1-2)" },
		{ "{\"format\":\"tl-test-state\",\"version\":1.0}", 0,
		  "format 'tl-test-state' has no version (this tl-test reads "
		  "1-2)" },
		{ "{\"format\":\"tl-test-state\"}", 1,
		  "format 'tl-test-state' has no version (this tl-test reads "
		  "1-2)" },
		{ "{\"format\":\"tl-forest-model\",\"version\":1}", 0,
		  "not a tl-test-state file" },
		{ "[\"tl-test-state\",1]", 0, "not a tl-test-state file" },
		{ "\x89PNG\r\n", 1, "not a tl-test-state file" },
		{ "{\"format\":\"tl-test-state\",\"format\":\"tl-test-state\","
		  "\"version\":1}", 1, "not a tl-test-state file" },
	};
	struct tl_err err;
	size_t i;
	int ver;

	tl_init("tl-test");
	for (i = 0; i < TL_NELEM(c); i++) {
		cr_assert_null(load(c[i].text, c[i].as_text, &ver, &err),
		    "case %zu", i);
		cr_assert_eq(err.code, TL_EX_DATAERR, "case %zu", i);
		cr_assert_str_eq(err.msg, c[i].msg, "case %zu", i);
		cr_assert_eq(ver, -1);
	}
}

Test(tl_json_load_versioned, file_errors)
{
	static const struct tl_format one = { "tl-test-state", 1, 1 };
	struct tl_err err;
	char path[1100], msg[256];
	int ver;

	tl_init("tl-test");
	ut_path(path, sizeof(path), dir, "none.json");
	tl_err_clear(&err);
	cr_assert_null(tl_json_load_versioned(path, NULL, 0, &one, &ver,
	    &err));
	cr_assert_eq(err.code, TL_EX_NOINPUT);
	cr_assert_str_eq(err.where, path);
	snprintf(msg, sizeof(msg), "%s", strerror(ENOENT));
	cr_assert_str_eq(err.msg, msg);
	cr_assert_null(load("{\"format\":\"tl-test-state\",\n\"version\":1,}",
	    0, &ver, &err));
	cr_assert_eq(err.code, TL_EX_DATAERR);
	ut_path(path, sizeof(path), dir, "s.json:2");
	cr_assert_str_eq(err.where, path);
	cr_assert_eq(strncmp(err.msg, "invalid JSON: ", 14), 0, "%s", err.msg);
	/* a single version reads "(1)" */
	ut_path(path, sizeof(path), dir, "s.json");
	ut_write_str(path, "{\"format\":\"tl-test-state\",\"version\":2}");
	tl_err_clear(&err);
	cr_assert_null(tl_json_load_versioned(path, NULL, 0, &one, &ver,
	    &err));
	cr_assert_str_eq(err.msg, "format 'tl-test-state' version 2 is newer "
	    "than this tl-test reads (1)");
}
