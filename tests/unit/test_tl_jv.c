/*
 * tl_jv: the fast strict parser.  Values and navigation, every error with
 * its column, canonical output equal to tl_json_append() of jansson's
 * parse of the same text, and agreement with jansson on what is valid
 * JSON for the inputs both are meant to judge alike.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "tl_json.h"
#include "tl_jv.h"
#include "unit.h"

static struct tl_jdoc d;

static void
setup(void)
{
	tl_jdoc_init(&d);
}

static void
teardown(void)
{
	tl_jdoc_release(&d);
}

TestSuite(tl_jv, .init = setup, .fini = teardown);

static int
parse(const char *s, struct tl_err *err)
{
	tl_err_clear(err);
	return tl_jdoc_parse(&d, s, strlen(s), "f.jsonl", 7, err);
}

/* The parse fails with msg, at f.jsonl:7, code 65. */
static void
fails(const char *s, const char *msg)
{
	struct tl_err err;

	cr_assert_eq(parse(s, &err), -1, "accepted: %s", s);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.where, "f.jsonl:7");
	cr_assert_str_eq(err.msg, msg, "for %s", s);
}

/* Canonical text of s: ours, and jansson's via tl_json_append. */
static void
canon_is(const char *s, const char *want)
{
	struct tl_buf a, b;
	struct tl_err err;
	json_t *j;

	cr_assert_eq(parse(s, &err), 0, "%s: %s", s, err.msg);
	tl_buf_init(&a);
	tl_jv_append(&a, &d, &d.v[0]);
	cr_assert_str_eq(a.data, want);
	j = json_loads(s, JSON_DECODE_ANY, NULL);
	if (j != NULL) {
		tl_buf_init(&b);
		tl_json_append(&b, j);
		cr_assert_str_eq(a.data, b.data, "differs from jansson");
		tl_buf_release(&b);
		json_decref(j);
	}
	tl_buf_release(&a);
}

Test(tl_jv, values_and_navigation)
{
	const struct tl_jv *root, *v, *c;
	struct tl_err err;

	cr_assert_eq(parse(" {\"pnl\":-1.27,\"sym\":\"ES\",\"ok\":true,"
	    "\"n\":null,\"g\":{\"lb\":20,\"z\":[1,2.385,\"x\"]},\"f\":false} ",
	    &err), 0, "%s", err.msg);
	root = &d.v[0];
	cr_assert_eq(root->type, TL_JOBJ);
	cr_assert_eq(root->n, 6);
	v = tl_jv_get(&d, root, "pnl");
	cr_assert_eq(v->type, TL_JNUM);
	cr_assert_float_eq(v->num, -1.27, 1e-15);
	v = tl_jv_get(&d, root, "sym");
	cr_assert_eq(v->type, TL_JSTR);
	cr_assert_eq(v->len, 2);
	cr_assert_eq(memcmp(v->s, "ES", 2), 0);
	cr_assert_eq(tl_jv_get(&d, root, "ok")->type, TL_JTRUE);
	cr_assert_eq(tl_jv_get(&d, root, "n")->type, TL_JNULL);
	cr_assert_eq(tl_jv_get(&d, root, "f")->type, TL_JFALSE);
	cr_assert_null(tl_jv_get(&d, root, "missing"));
	v = tl_jv_get(&d, tl_jv_get(&d, root, "g"), "z");
	cr_assert_eq(v->type, TL_JARR);
	cr_assert_eq(v->n, 3);
	c = tl_jv_child(&d, v);
	cr_assert_float_eq(c->num, 1, 0);
	c = tl_jv_next(&d, v, c);
	cr_assert_float_eq(c->num, 2.385, 1e-15);
	c = tl_jv_next(&d, v, c);
	cr_assert_eq(c->type, TL_JSTR);
	cr_assert_null(tl_jv_next(&d, v, c));
	/* "f" comes after the nested object: skipping works */
	c = tl_jv_next(&d, root, tl_jv_get(&d, root, "g"));
	cr_assert_eq(c->keylen, 1);
	cr_assert_eq(c->key[0], 'f');
	cr_assert_str_eq(tl_jv_typename(root), "object");
}

Test(tl_jv, scalars_at_top_and_empty_containers)
{
	struct tl_err err;

	cr_assert_eq(parse("42", &err), 0);
	cr_assert_eq(d.v[0].type, TL_JNUM);
	cr_assert_eq(parse("[]", &err), 0);
	cr_assert_eq(d.v[0].n, 0);
	cr_assert_null(tl_jv_child(&d, &d.v[0]));
	cr_assert_eq(parse("{ }", &err), 0);
	cr_assert_eq(d.v[0].type, TL_JOBJ);
}

Test(tl_jv, numbers_match_strtod)
{
	static const char *nums[] = { "0", "-0", "187.2", "0.6813",
		"-1.27", "2.385e2", "1E-7", "123456789012345",
		"1234567890123456789", "0.30000000000000004", "1e300",
		"4.9e-324", "9007199254740993", "1.7976931348623157e308",
		"-2.2250738585072014e-308", "100000000000000000000000",
		NULL };
	struct tl_err err;
	int i;

	for (i = 0; nums[i] != NULL; i++) {
		cr_assert_eq(parse(nums[i], &err), 0, "%s", nums[i]);
		cr_assert_eq(d.v[0].num, strtod(nums[i], NULL), "%s",
		    nums[i]);
	}
}

/* Random number texts: strtod's bits, or "out of range" where strtod
 * overflows. */
Test(tl_jv, random_numbers_match_strtod)
{
	unsigned long long s = 0xabcdefULL;
	char buf[UT_NUMTEXT];
	struct tl_err err;
	double want;
	int i;

	for (i = 0; i < 200000; i++) {
		ut_number_text(buf, &s);
		want = strtod(buf, NULL);
		if (!isfinite(want)) {
			cr_assert_neq(parse(buf, &err), 0, "%s", buf);
			continue;
		}
		cr_assert_eq(parse(buf, &err), 0, "%s: %s", buf, err.msg);
		cr_assert_eq(memcmp(&d.v[0].num, &want, sizeof(want)), 0,
		    "%s: %a, strtod %a", buf, d.v[0].num, want);
	}
}

/* The parse marks a number whose literal is what tl_jv_append writes
 * (lit): appended with the mark, its bytes are those written without it
 * (the literal judged from its text and value), for edge cases and
 * random texts; and most money-like decimals and short integers are
 * marked. */
static void
lit_agrees(const char *text)
{
	struct tl_buf with, without;
	struct tl_jv v;
	struct tl_err err;

	tl_buf_init(&with);
	tl_buf_init(&without);
	cr_assert_eq(parse(text, &err), 0, "%s: %s", text, err.msg);
	v = d.v[0];
	tl_jv_append(&with, &d, &d.v[0]);
	d.v[0].lit = 0;
	tl_jv_append(&without, &d, &d.v[0]);
	cr_assert_str_eq(with.data, without.data, "%s (lit %d)", text,
	    v.lit);
	tl_buf_release(&with);
	tl_buf_release(&without);
}

Test(tl_jv, number_literal_mark_writes_the_same)
{
	static const char *const edge[] = { "0", "-0", "7", "-7",
		"123456789012345678", "-12345678901234567",
		"1234567890123456789", "99999999999999999999", "0.1", "0.10",
		"-0.0", "2.50", "1e5", "1E-7", "0.5e1", "0.0001", "0.00001",
		"-0.00009999", "999999999999999.9", "99999999999999.9",
		"123456789012345.5", "12345678901234.5", "0.123456789012345",
		"0.1234567890123456", "1000000000000000.5", "187.2", "-139.32",
		"0.30000000000000004", "1.0", "100", "-0e15" };
	unsigned long long s = 0x5eedULL;
	char buf[UT_NUMTEXT];
	struct tl_err err;
	size_t i;

	for (i = 0; i < sizeof(edge) / sizeof(edge[0]); i++)
		lit_agrees(edge[i]);
	for (i = 0; i < 100000; i++) {
		ut_number_text(buf, &s);
		if (isfinite(strtod(buf, NULL)))
			lit_agrees(buf);
	}
	cr_assert_eq(parse("[-139.32, 0.653, 42, 1.5e3, 0.10]", &err), 0);
	cr_assert(d.v[1].lit && d.v[2].lit && d.v[3].lit);
	cr_assert(!d.v[4].lit && !d.v[5].lit);
}

Test(tl_jv, strings_escapes_and_utf8)
{
	const struct tl_jv *v;
	struct tl_err err;

	cr_assert_eq(parse("[\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\ud83d\\ude00\","
	    "\"caf\xc3\xa9\",\"plain\"]", &err), 0, "%s", err.msg);
	v = tl_jv_child(&d, &d.v[0]);
	cr_assert_eq(v->len, strlen("a\"b\\c/d\n\t\xc3\xa9\xf0\x9f\x98\x80"));
	cr_assert_eq(memcmp(v->s, "a\"b\\c/d\n\t\xc3\xa9\xf0\x9f\x98\x80",
	    v->len), 0);
	v = tl_jv_next(&d, &d.v[0], v);
	cr_assert_eq(memcmp(v->s, "caf\xc3\xa9", 5), 0);
	v = tl_jv_next(&d, &d.v[0], v);
	cr_assert_eq(v->len, 5);
}

Test(tl_jv, errors_name_the_column)
{
	fails("", "invalid JSON: unexpected end of input (column 1)");
	fails("{\"a\":1", "invalid JSON: unexpected end of input (column 7)");
	fails("{\"a\" 1}", "invalid JSON: expected ':', got '1' (column 6)");
	fails("{\"a\":1,}",
	    "invalid JSON: expected a string key, got '}' (column 8)");
	fails("{'a':1}",
	    "invalid JSON: expected a string key, got ''' (column 2)");
	fails("[1 2]", "invalid JSON: expected ',' or ']', got '2' (column 4)");
	fails("{\"a\":1}}",
	    "invalid JSON: unexpected data after the value: '}' (column 8)");
	fails("{\"a\":1,\"a\":2}", "invalid JSON: duplicate key 'a' "
	    "(column 14)");
	/* above 8 members the keys are hashed: a joined trade */
	fails("{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,"
	    "\"k6\":6,\"k7\":7,\"k8\":8,\"k9\":9,\"ka\":10,\"kb\":11,"
	    "\"kc\":12,\"kd\":13,\"ke\":14,\"kf\":15,\"kg\":16,\"k\":17,"
	    "\"k5\":18}", "invalid JSON: duplicate key 'k5' (column 143)");
	fails("\"abc", "invalid JSON: unterminated string (column 5)");
	fails("\"a\\qb\"", "invalid JSON: invalid escape 'q' (column 4)");
	fails("\"\\u12g4\"", "invalid JSON: invalid \\u escape (column 4)");
	fails("\"\\ud800x\"", "invalid JSON: invalid \\u escape (lone "
	    "surrogate) (column 8)");
	fails("\"a\\u0000b\"", "invalid JSON: \\u0000 in a string "
	    "(column 9)");
	fails("\"a\tb\"", "invalid JSON: control character byte 0x09 "
	    "(column 3)");
	fails("tru", "invalid JSON: unexpected 't' (column 1)");
	fails("// x", "invalid JSON: unexpected '/' (column 1)");
}

/* Above 128 members the hash table leaves the stack: a wide CSV row.
 * Keys that differ only in their last byte, or are prefixes of others,
 * are not duplicates; a repeat anywhere is. */
Test(tl_jv, duplicate_keys_wide_object)
{
	struct tl_buf b;
	struct tl_err err;
	size_t k, n;

	for (n = 9; n <= 2000; n = n * 3 + 1) {
		tl_buf_init(&b);
		tl_buf_addc(&b, '{');
		for (k = 0; k < n; k++)
			tl_buf_printf(&b, "%s\"c%zu\":%zu", k > 0 ? "," : "",
			    k, k);
		tl_buf_adds(&b, ",\"c\":0}");
		tl_err_clear(&err);
		cr_assert_eq(tl_jdoc_parse(&d, b.data, b.len, "f", 1, &err), 0,
		    "%zu members: %s", n, err.msg);
		cr_assert_eq(d.v[0].n, n + 1);
		b.len -= 6;	/* drop "\"c\":0}" for a repeat of c<n/2> */
		tl_buf_printf(&b, "\"c%zu\":1}", n / 2);
		cr_assert_eq(tl_jdoc_parse(&d, b.data, b.len, "f", 1, &err),
		    -1);
		cr_assert(strstr(err.msg, "duplicate key") != NULL, "%s",
		    err.msg);
		tl_buf_release(&b);
	}
}

/* Keys alike in length and in their first and last 8 bytes, where a
 * hash of a key's ends alone would put them all in one slot, are still
 * different keys; one of them again is a duplicate. */
Test(tl_jv, duplicate_keys_alike_in_hash)
{
	struct tl_buf b;
	struct tl_err err;
	size_t k;

	tl_buf_init(&b);
	tl_buf_addc(&b, '{');
	for (k = 0; k < 20; k++)
		tl_buf_printf(&b, "%s\"abcdefgh%02zuijklmnop\":%zu",
		    k > 0 ? "," : "", k, k);
	tl_buf_addc(&b, '}');
	tl_err_clear(&err);
	cr_assert_eq(tl_jdoc_parse(&d, b.data, b.len, "f", 1, &err), 0, "%s",
	    err.msg);
	cr_assert_eq(d.v[0].n, 20);
	b.len--;
	tl_buf_adds(&b, ",\"abcdefgh07ijklmnop\":0}");
	cr_assert_eq(tl_jdoc_parse(&d, b.data, b.len, "f", 1, &err), -1);
	cr_assert(strstr(err.msg, "duplicate key 'abcdefgh07ijklmnop'") !=
	    NULL, "%s", err.msg);
	tl_buf_release(&b);
}

Test(tl_jv, nul_bytes_and_bad_utf8)
{
	struct tl_err err;

	tl_err_clear(&err);
	cr_assert_eq(tl_jdoc_parse(&d, "{\"a\":1}\0", 8, "f", 1, &err), -1);
	cr_assert_str_eq(err.msg, "invalid JSON: NUL byte (column 8)");
	cr_assert_eq(tl_jdoc_parse(&d, "\"a\0\"", 4, "f", 1, &err), -1);
	cr_assert_str_eq(err.msg, "invalid JSON: NUL byte (column 3)");
	fails("\"\xff\"", "invalid JSON: invalid UTF-8 byte 0xff (column 2)");
	fails("\"\xc0\xaf\"",	/* overlong '/' */
	    "invalid JSON: invalid UTF-8 byte 0xc0 (column 2)");
	fails("\"\xed\xa0\x80\"",	/* a surrogate in UTF-8 */
	    "invalid JSON: invalid UTF-8 byte 0xed (column 2)");
	fails("\"\xf4\x90\x80\x80\"",	/* beyond U+10FFFF */
	    "invalid JSON: invalid UTF-8 byte 0xf4 (column 2)");
	fails("\"caf\xc3\"", "invalid JSON: invalid UTF-8 byte 0xc3 "
	    "(column 5)");
}

Test(tl_jv, numbers_strict)
{
	fails("NaN", "invalid JSON: NaN and Infinity are not JSON numbers "
	    "(column 1)");
	fails("[-Infinity]", "invalid JSON: NaN and Infinity are not JSON "
	    "numbers (column 3)");
	fails("1e400", "invalid JSON: number out of range (column 1)");
	fails("-1e400", "invalid JSON: number out of range (column 1)");
	fails("007", "invalid JSON: invalid number (leading zero) "
	    "(column 1)");
	fails("1.", "invalid JSON: invalid number (column 2)");
	fails("1.e5", "invalid JSON: invalid number (column 3)");
	fails("1e", "invalid JSON: invalid number (column 2)");
	fails("-", "invalid JSON: invalid number (column 1)");
	fails("+1", "invalid JSON: unexpected '+' (column 1)");
	fails(".5", "invalid JSON: unexpected '.' (column 1)");
	fails("0x10", "invalid JSON: unexpected data after the value: 'x' "
	    "(column 2)");
}

Test(tl_jv, depth_limit)
{
	char *s;
	size_t i, n = TL_JV_MAX_DEPTH + 1;
	struct tl_err err;

	s = malloc(2 * n + 1);
	for (i = 0; i < n; i++) {
		s[i] = '[';
		s[2 * n - 1 - i] = ']';
	}
	s[2 * n] = '\0';
	cr_assert_eq(parse(s, &err), -1);
	cr_assert_str_eq(err.msg, "invalid JSON: nesting too deep "
	    "(column 2049)");
	/* exactly the limit is fine */
	s[2 * n - 1] = '\0';
	cr_assert_eq(parse(s + 1, &err), 0, "%s", err.msg);
	free(s);
}

Test(tl_jv, canonical_output_equals_the_jansson_path)
{
	canon_is("{\"b\": 0.10, \"a\" : [1, -0, 2.50, 1e2, 1E-7, true]}",
	    "{\"b\":0.1,\"a\":[1,0,2.5,100,1e-07,true]}");
	canon_is("{\"s\":\"tab\\there \\\"q\\\" \\u00e9 \\u0001 \\/\"}",
	    "{\"s\":\"tab\\there \\\"q\\\" \xc3\xa9 \\u0001 /\"}");
	canon_is("[123456789012345678, -9223372036854775808, 0.5e1]",
	    "[123456789012345678,-9223372036854775808,5]");
	canon_is("{}", "{}");
	/* a real -0 keeps its sign and reads back the same (found by
	 * fuzzing: "-0" would become the integer 0 on a second pass) */
	canon_is("[-0e15,-0.0,-0]", "[-0.0,-0.0,0]");
	canon_is("[-0.0]", "[-0.0]");
	canon_is("[[],{},null,false]", "[[],{},null,false]");
	/* beyond int64: jansson refuses; we keep the digits */
	canon_is("[99999999999999999999]", "[99999999999999999999]");
}

/* A random JSON value of depth at most depth into b, in random forms:
 * whitespace, escapes in keys and strings, numbers in any form. */
static void
random_value(struct tl_buf *b, unsigned long long *s, int depth)
{
	static const char *const strs[] = { "\"a\"", "\"\"", "\"x\\u00e9\"",
		"\"\\\"q\"", "\"\xc3\xa9t\xc3\xa9\"", "\"a\\/b\"",
		"\"tab\\t\"", "\"plain text\"" };
	static const char *const keys[] = { "\"k\"", "\"id\"", "\"\\u0069d2\"",
		"\"a b\"", "\"\xc3\xbc\"", "\"k\\\"\"" };
	static const char *const ws[] = { "", "", "", " ", "\n\t" };
	char num[UT_NUMTEXT];
	unsigned long long r = ut_xorshift(s);
	size_t i, n, used = 0;
	int k;

	tl_buf_adds(b, ws[ut_xorshift(s) % 5]);
	switch (depth > 0 ? r % 6 : 2 + r % 4) {
	case 0:
	case 1:
		tl_buf_addc(b, r % 6 == 0 ? '{' : '[');
		n = ut_xorshift(s) % 5;
		for (i = 0; i < n; i++) {
			if (i > 0)
				tl_buf_addc(b, ',');
			if (r % 6 == 0) {	/* unique keys */
				do
					k = (int)(ut_xorshift(s) % 6);
				while (used >> k & 1);
				used |= (size_t)1 << k;
				tl_buf_adds(b, ws[ut_xorshift(s) % 5]);
				tl_buf_adds(b, keys[k]);
				tl_buf_adds(b, ws[ut_xorshift(s) % 5]);
				tl_buf_addc(b, ':');
			}
			random_value(b, s, depth - 1);
		}
		tl_buf_adds(b, ws[ut_xorshift(s) % 5]);
		tl_buf_addc(b, r % 6 == 0 ? '}' : ']');
		break;
	case 2:
		tl_buf_adds(b, strs[ut_xorshift(s) % 8]);
		break;
	case 3:
		k = ut_number_text(num, s);
		if (isfinite(strtod(num, NULL)))
			tl_buf_add(b, num, (size_t)k);
		else
			tl_buf_adds(b, "12.5");
		break;
	default:
		tl_buf_adds(b, r % 3 == 0 ? "true" : r % 3 == 1 ? "false" :
		    "null");
	}
	tl_buf_adds(b, ws[ut_xorshift(s) % 5]);
}

/* The parse marks a container (and a string, a literal) whose text is
 * what tl_jv_append writes, and tl_jv_append then copies that text: on
 * random values in random forms, what it writes is what the jansson path
 * writes; every value marked is, by the writer's own way (no mark
 * anywhere), written as its text; and whatever has no escape, space or
 * long number in it is marked. */
Test(tl_jv, canonical_mark_of_containers)
{
	unsigned long long s = 0x11c0ffeeULL;
	struct tl_buf in, a, want;
	struct tl_err err;
	size_t i, k, marked = 0, same = 0;
	uint8_t lit[512];
	json_t *j;

	tl_buf_init(&in);
	tl_buf_init(&a);
	tl_buf_init(&want);
	for (i = 0; i < 20000; i++) {
		tl_buf_reset(&in);
		random_value(&in, &s, 3);
		cr_assert_eq(parse(in.data, &err), 0, "%s: %s", in.data,
		    err.msg);
		j = json_loads(in.data, JSON_DECODE_ANY, NULL);
		cr_assert_not_null(j, "%s", in.data);
		tl_buf_reset(&want);
		tl_json_append(&want, j);
		json_decref(j);
		tl_buf_reset(&a);
		tl_jv_append(&a, &d, &d.v[0]);
		cr_assert_str_eq(a.data, want.data, "for %s", in.data);
		cr_assert_lt(d.n, sizeof(lit));
		for (k = 0; k < d.n; k++) {
			lit[k] = d.v[k].lit;
			d.v[k].lit = 0;
		}
		for (k = 0; k < d.n; k++) {
			tl_buf_reset(&a);
			tl_jv_append(&a, &d, &d.v[k]);
			if (a.len != d.v[k].span ||
			    memcmp(a.data, in.data + d.v[k].off, a.len) != 0) {
				cr_assert(!lit[k], "value %zu of %s marked",
				    k, in.data);
				continue;
			}
			same += d.v[k].type >= TL_JARR;
			marked += lit[k] && d.v[k].type >= TL_JARR;
		}
	}
	/* unmarked but written as is: containers of a string with an
	 * escape the writer keeps ("\"q") or of a number not known */
	cr_assert_gt(marked, same * 9 / 10, "%zu of %zu", marked, same);
	tl_buf_release(&in);
	tl_buf_release(&a);
	tl_buf_release(&want);
}

/* tl_jv_append_text copies each value's own text; on text that
 * tl_jv_append wrote it is what tl_jv_append writes again, value by value
 * (strings with escapes, -0.0, big integers, nested containers); and
 * tl_jdoc_parse_own reads the same values as tl_jdoc_parse. */
Test(tl_jv, append_text_of_canonical_text)
{
	static const char *const in[] = {
		"{\"b\": 0.10, \"a\" : [1, -0, 2.50, 1e2, 1E-7, true]}",
		"{\"s\":\"tab\\there \\\"q\\\" \\u00e9 \\u0001 \\/\"}",
		"[123456789012345678, -9223372036854775808, 0.5e1, -0.0]",
		"{\"x\":{\"y\":[{},[],null,false,\"\"]},\"z\":99999999999999999999}",
		"{\"pnl\":-139.32,\"fees\":1.29,\"p\":0.30000000000000004}",
	};
	struct tl_buf canon, again, text;
	struct tl_jdoc own;
	struct tl_err err;
	size_t i, j;

	tl_buf_init(&canon);
	tl_buf_init(&again);
	tl_buf_init(&text);
	tl_jdoc_init(&own);
	for (i = 0; i < TL_NELEM(in); i++) {
		cr_assert_eq(parse(in[i], &err), 0, "%s", err.msg);
		/* the input's own text, as it is */
		tl_buf_reset(&text);
		tl_jv_append_text(&text, &d, &d.v[0]);
		cr_assert_str_eq(text.data, in[i]);
		tl_buf_reset(&canon);
		tl_jv_append(&canon, &d, &d.v[0]);
		cr_assert_eq(tl_jdoc_parse_own(&own, canon.data, canon.len), 0);
		cr_assert_eq(own.n, d.n);
		for (j = 0; j < own.n; j++) {
			tl_buf_reset(&again);
			tl_jv_append(&again, &own, &own.v[j]);
			tl_buf_reset(&text);
			tl_jv_append_text(&text, &own, &own.v[j]);
			cr_assert_str_eq(text.data, again.data, "value %zu of "
			    "%s", j, canon.data);
			cr_assert_eq(own.v[j].type, d.v[j].type);
		}
	}
	/* own text skips only the duplicate check */
	cr_assert_eq(tl_jdoc_parse_own(&own, "{\"a\":1,\"a\":2}", 13), 0);
	cr_assert_eq(tl_jdoc_parse_own(&own, "{\"a\":1,}", 8), -1);
	tl_jdoc_release(&own);
	tl_buf_release(&text);
	tl_buf_release(&again);
	tl_buf_release(&canon);
}

static int
ours(const char *s)
{
	return tl_jdoc_parse_own(&d, s, strlen(s));
}

/* A document made of tl_jv_index's members has the top level of the
 * parse: each member's key, type, number, string and text; a text with
 * an escape in a key or a string member, or a root that is no object,
 * gives no index and leaves the buffer as it was. */
Test(tl_jv, index_gives_the_top_level_back)
{
	static const char text[] = "{\"id\":\"T1\",\"pnl\":-139.32,"
	    "\"qty\":311,\"ok\":true,\"no\":null,\"c\":{\"a\":[1,2]},"
	    "\"e\":[],\"f\":false,\"s\":\"\"}";
	static const char nested[] = "{\"a\":[\"}\\\"]\"],\"b\":-0.0}";
	struct tl_jdoc back;
	struct tl_buf b, x, y;
	const struct tl_jv *p, *q;
	long n;

	tl_jdoc_init(&back);
	tl_buf_init(&b);
	tl_buf_init(&x);
	tl_buf_init(&y);
	cr_assert_eq(tl_jdoc_parse_own(&d, text, strlen(text)), 0);
	tl_buf_adds(&b, "xy");	/* appended after what is there */
	n = tl_jv_index(&d, &b);
	cr_assert_eq(n, 9);
	cr_assert_eq(b.len, 2 + 9 * sizeof(struct tl_jv_member));
	tl_jdoc_from_index(&back, text, strlen(text), b.data + 2, 9);
	cr_assert_eq(back.v[0].n, 9);
	for (p = tl_jv_child(&d, &d.v[0]); p != NULL;
	    p = tl_jv_next(&d, &d.v[0], p)) {
		char key[16];

		snprintf(key, sizeof(key), "%.*s", (int)p->keylen, p->key);
		q = tl_jv_get(&back, &back.v[0], key);
		cr_assert_not_null(q, "%s", key);
		cr_assert_eq(q->type, p->type, "%s", key);
		if (p->type == TL_JNUM)
			cr_assert_eq(q->num, p->num, "%s", key);
		if (p->type == TL_JSTR || p->type == TL_JNUM) {
			cr_assert_eq(q->len, p->len, "%s", key);
			cr_assert_eq(memcmp(q->s, p->s, p->len), 0, "%s", key);
		}
		tl_buf_reset(&x);
		tl_buf_reset(&y);
		tl_jv_append_text(&x, &d, p);
		tl_jv_append_text(&y, &back, q);
		cr_assert_str_eq(y.data, x.data);
	}
	tl_buf_reset(&x);
	tl_jv_append_text(&x, &back, &back.v[0]);
	cr_assert_str_eq(x.data, text);
	/* read off the text: the same members, byte for byte */
	tl_buf_reset(&x);
	cr_assert_eq(tl_jv_index_text(text, strlen(text), &x), 9);
	cr_assert_eq(x.len, b.len - 2);
	cr_assert_eq(memcmp(x.data, b.data + 2, x.len), 0);
	cr_assert_eq(tl_jv_index_text("{}", 2, &x), 0);
	tl_buf_reset(&x);
	cr_assert_eq(tl_jv_index_text("{\"a\":{}", 7, &x), -1);
	cr_assert_eq(tl_jv_index_text("{\"a\":1,}", 8, &x), -1);
	cr_assert_eq(tl_jv_index_text("{\"a\":\"\\t\"}", 10, &x), -1);
	cr_assert_eq(tl_jv_index_text("{\"a\\n\":1}", 9, &x), -1);
	cr_assert_eq(tl_jv_index_text("{\"a\":tru}", 9, &x), -1);
	cr_assert_eq(tl_jv_index_text("[1]", 3, &x), -1);
	cr_assert_eq(x.len, 0);
	cr_assert_eq(tl_jv_index_text(nested, strlen(nested), &x), 2);
	/* escapes, and roots that are no object: none */
	tl_buf_reset(&b);
	cr_assert_eq(ours("{\"a\":1,\"b\\n\":2}"), 0);
	cr_assert_eq(tl_jv_index(&d, &b), -1);
	cr_assert_eq(ours("{\"a\":1,\"b\":\"\\t\"}"), 0);
	cr_assert_eq(tl_jv_index(&d, &b), -1);
	cr_assert_eq(ours("{\"a\":\"\\t\"}"), 0);
	cr_assert_eq(tl_jv_index(&d, &b), -1);
	cr_assert_eq(ours("[1]"), 0);
	cr_assert_eq(tl_jv_index(&d, &b), -1);
	cr_assert_eq(b.len, 0);
	/* nested escapes are the nested value's text: indexed */
	cr_assert_eq(ours("{\"a\":[\"\\t\"]}"), 0);
	cr_assert_eq(tl_jv_index(&d, &b), 1);
	tl_buf_release(&y);
	tl_buf_release(&x);
	tl_buf_release(&b);
	tl_jdoc_release(&back);
}

/* tl_jv_get_near finds what tl_jv_get finds, from any member found
 * before, for keys there and not there, and leaves *at on it. */
Test(tl_jv, get_near_finds_what_get_finds)
{
	static const char *const keys[] = { "id", "ts", "pnl", "x", "fees",
		"", "idx", "p", "t" };
	const struct tl_jv *at = NULL, *want, *got;
	unsigned long long r = 0x9e3779b9ULL;
	struct tl_err err;
	size_t i;

	cr_assert_eq(parse("{\"ts\":1,\"id\":\"a\",\"pnl\":2,\"fees\":[],"
	    "\"\":0,\"p\":{\"x\":1}}", &err), 0);
	for (i = 0; i < 1000; i++) {
		const char *key = keys[ut_xorshift(&r) % TL_NELEM(keys)];

		want = tl_jv_get(&d, &d.v[0], key);
		got = tl_jv_get_near(&d, &d.v[0], key, strlen(key), &at);
		cr_assert_eq(got, want, "key '%s'", key);
		if (want != NULL)
			cr_assert_eq(at, want);
	}
	cr_assert_null(tl_jv_get_near(&d, &d.v[1], "ts", 2, &at),
	    "no object");
}

/* The document is reused: a second parse does not see the first. */
Test(tl_jv, reuse)
{
	struct tl_err err;

	cr_assert_eq(parse("{\"a\":[1,2,3],\"b\":\"x\\ny\"}", &err), 0);
	cr_assert_eq(parse("{\"c\":1}", &err), 0);
	cr_assert_eq(d.n, 2);
	cr_assert_null(tl_jv_get(&d, &d.v[0], "a"));
	cr_assert_not_null(tl_jv_get(&d, &d.v[0], "c"));
}

Test(tl_jv, utf8_valid)
{
	cr_assert(tl_utf8_valid("", 0));
	cr_assert(tl_utf8_valid("caf\xc3\xa9 \xf0\x9f\x98\x80", 10));
	cr_assert_not(tl_utf8_valid("a\0b", 3));
	cr_assert_not(tl_utf8_valid("\xff", 1));
	cr_assert_not(tl_utf8_valid("\xc3", 1));		/* cut short */
	cr_assert_not(tl_utf8_valid("\xc0\xaf", 2));		/* overlong */
	cr_assert_not(tl_utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	cr_assert_not(tl_utf8_valid("\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
}

/* Members written one after another make one object, the first without
 * a comma, a value with a quote and a NUL kept (escaped). */
Test(tl_jv, append_member)
{
	struct tl_buf b;

	tl_buf_init(&b);
	tl_buf_addc(&b, '{');
	tl_jv_append_member(&b, "file", "a\"b", 3);
	tl_jv_append_member(&b, "raw", "x\0y", 3);
	tl_buf_addc(&b, '}');
	cr_assert_str_eq(b.data,
	    "{\"file\":\"a\\\"b\",\"raw\":\"x\\u0000y\"}");
	tl_buf_release(&b);
}

/* tl_jv_append_sep_key writes the bytes tl_jv_append_key writes after
 * the separator: a plain key copied as it is, for keys of every length
 * from 0 to 40 (the buffer grown on the way); another escaped; and the
 * text stays a string. */
Test(tl_jv, append_sep_key)
{
	static const char name[] = "abcdefghijklmnopqrstuvwxyz_0123456789ABCD";
	struct tl_buf got, ref;
	size_t n;

	tl_buf_init(&got);
	tl_buf_init(&ref);
	for (n = 0; n <= 40; n++) {
		tl_jv_append_sep_key(&got, n == 0 ? '{' : ',', name, n, 1);
		if (n == 0)
			tl_buf_addc(&ref, '{');
		tl_jv_append_key(&ref, name, n);
		cr_assert_eq(got.len, ref.len, "key of %zu", n);
		cr_assert_str_eq(got.data, ref.data, "key of %zu", n);
		cr_assert_eq(strlen(got.data), got.len);
	}
	tl_jv_append_sep_key(&got, ',', "a\"b\n", 4, 0);
	tl_jv_append_key(&ref, "a\"b\n", 4);
	cr_assert_str_eq(got.data, ref.data);
	cr_assert(strstr(got.data, ",\"a\\\"b\\n\":") != NULL, "%s",
	    got.data);
	tl_buf_release(&got);
	tl_buf_release(&ref);
}

/* The escaping a string literal needs, a byte at a time, as RFC 8259
 * section 7 asks (written here, independent of tl_jv.c's word-at-a-time
 * scan): '"', '\\' and the bytes below 0x20; the rest as they are. */
static void
ref_append_string(struct tl_buf *b, const unsigned char *s, size_t n)
{
	static const char *const named[] = { ['"'] = "\\\"", ['\\'] = "\\\\",
	    ['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t", ['\b'] = "\\b",
	    ['\f'] = "\\f" };
	size_t i;

	tl_buf_addc(b, '"');
	for (i = 0; i < n; i++)
		if (s[i] < TL_NELEM(named) && named[s[i]] != NULL)
			tl_buf_adds(b, named[s[i]]);
		else if (s[i] < 0x20)
			tl_buf_printf(b, "\\u%04x", s[i]);
		else
			tl_buf_addc(b, (char)s[i]);
	tl_buf_addc(b, '"');
}

/* Every byte value at every place of strings of 1 to 20 bytes (the scan
 * goes 8 bytes at a time, then byte by byte): written as the reference
 * escapes it, and that literal parsed back to the same bytes (a byte of
 * 0x80 or more alone is invalid UTF-8 and refused; so is \u0000, which
 * no field of ours may hold); unescaped, a byte below 0x20 refused. */
/* tl_jv_index_text finds a string's end a word at a time: at every
 * place of a 1..20-byte key or value, an escape refuses the text and a
 * plain string spans exactly its bytes (the member after it is read
 * where it is). */
Test(tl_jv, index_text_strings_every_place)
{
	struct tl_jv_member m[2];
	struct tl_buf text, x;
	char s[24];
	size_t n, at;
	int key;

	tl_buf_init(&text);
	tl_buf_init(&x);
	for (key = 0; key < 2; key++)
		for (n = 1; n <= 20; n++)
			for (at = 0; at <= n; at++) {
				memset(s, 'a' + (int)(n % 7), n);
				if (at < n) {	/* an escape there */
					s[at] = '\\';
					s[at + 1 < n ? at + 1 : at] = '"';
				}
				if (at < n && at + 1 == n)
					continue;	/* '\\' then the end quote */
				tl_buf_reset(&text);
				tl_buf_reset(&x);
				if (key)
					tl_buf_printf(&text, "{\"%.*s\":1,\"z\":2}",
					    (int)n, s);
				else
					tl_buf_printf(&text, "{\"k\":\"%.*s\","
					    "\"z\":2}", (int)n, s);
				if (at < n) {
					cr_assert_eq(tl_jv_index_text(text.data,
					    text.len, &x), -1, "%s", text.data);
					continue;
				}
				cr_assert_eq(tl_jv_index_text(text.data,
				    text.len, &x), 2, "%s", text.data);
				memcpy(m, x.data, sizeof(m));
				cr_assert_eq(key ? m[0].keylen : m[0].span,
				    key ? n : n + 2, "%s", text.data);
				cr_assert_eq(m[1].keylen, 1);
				cr_assert_eq(text.data[m[1].key], 'z');
				cr_assert_eq(m[1].num, 2);
			}
	tl_buf_release(&text);
	tl_buf_release(&x);
}

Test(tl_jv, string_scan_every_byte_at_every_place)
{
	unsigned char s[20], lit[24];
	struct tl_buf got, want;
	struct tl_err err;
	size_t n, at;
	int c, want_rc;

	tl_buf_init(&got);
	tl_buf_init(&want);
	for (n = 1; n <= sizeof(s); n++)
		for (at = 0; at < n; at++)
			for (c = 0; c < 256; c++) {
				memset(s, 'a' + (int)(n % 7), n);
				s[at] = (unsigned char)c;
				tl_buf_reset(&got);
				tl_buf_reset(&want);
				tl_jv_append_string(&got, (const char *)s, n);
				ref_append_string(&want, s, n);
				cr_assert_eq(got.len, want.len, "n %zu at %zu "
				    "byte %d", n, at, c);
				cr_assert_eq(memcmp(got.data, want.data,
				    got.len), 0, "n %zu at %zu byte %d", n, at,
				    c);
				want_rc = c >= 0x80 || c == 0 ? -1 : 0;
				cr_assert_eq(tl_jdoc_parse(&d, got.data, got.len,
				    "f", 1, &err), want_rc, "n %zu at %zu byte %d",
				    n, at, c);
				if (c < 0x80 && c != 0) {
					cr_assert_eq(d.v[0].len, n);
					cr_assert_eq(memcmp(d.v[0].s, s, n), 0);
				}
				/* the byte unescaped in a literal: refused
				 * below 0x20, at '"' cut short, else itself */
				lit[0] = '"';
				memcpy(lit + 1, s, n);
				lit[n + 1] = '"';
				if (c == '"' || c == '\\')
					continue;
				want_rc = c < 0x20 || c >= 0x80 ? -1 : 0;
				cr_assert_eq(tl_jdoc_parse(&d, (char *)lit,
				    n + 2, "f", 1, &err), want_rc, "literal n %zu "
				    "at %zu byte %d", n, at, c);
			}
	tl_buf_release(&got);
	tl_buf_release(&want);
}
