/* Unit tests for lib/tl_jstream: records of a JSON document as a stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <zlib.h>

#include "tl_jstream.h"
#include "tl_reader.h"
#include "tl_util.h"
#include "unit.h"

UT_SCRATCH_DIR();
TestSuite(tl_jstream, .init = ut_setup, .fini = ut_teardown);

/* A stream over a file holding text. */
static struct tl_jstream *
open_text(const char *text, size_t n, const char *path, const char *split)
{
	struct tl_reader *rd;
	struct tl_err err;
	char file[1024];

	ut_path(file, sizeof(file), dir, "doc.json");
	ut_write(file, text, n);
	rd = tl_reader_open(file, &err);
	cr_assert_not_null(rd, "%s", err.msg);
	return tl_jstream_alloc(rd, path, split);
}

static struct tl_jstream *
open_str(const char *text, const char *path, const char *split)
{
	return open_text(text, strlen(text), path, split);
}

/* The next record is want, of kind k, at pointer ptr. */
static void
next_is(struct tl_jstream *s, const char *want, enum tl_jrec k,
    const char *ptr)
{
	struct tl_err err;
	const char *t;
	size_t n;
	int rc;

	tl_err_clear(&err);
	rc = tl_jstream_next(s, &t, &n, &err);
	cr_assert_eq(rc, 1, "rc %d (%s: %s), want '%s'", rc, err.where,
	    err.msg, want);
	cr_assert_eq(n, strlen(want), "'%.*s', want '%s'", (int)n, t, want);
	cr_assert_eq(memcmp(t, want, n), 0, "'%.*s', want '%s'", (int)n, t,
	    want);
	cr_assert_eq(tl_jstream_kind(s), k, "kind %d of '%s'",
	    tl_jstream_kind(s), want);
	if (ptr != NULL)
		cr_assert_str_eq(tl_jstream_pointer(s), ptr);
}

static void
end_is(struct tl_jstream *s)
{
	struct tl_err err;
	const char *t;
	size_t n;
	int rc;

	tl_err_clear(&err);
	rc = tl_jstream_next(s, &t, &n, &err);
	cr_assert_eq(rc, 0, "rc %d (%s: %s) '%.*s'", rc, err.where, err.msg,
	    (int)n, t ? t : "");
	cr_assert(!tl_jstream_failed(s));
}

/* The next call fails with a message holding want; fatal says whether
 * the document is broken (else reading goes on). */
static void
error_is(struct tl_jstream *s, const char *want, int fatal)
{
	struct tl_err err;
	const char *t;
	size_t n;
	int rc;

	tl_err_clear(&err);
	rc = tl_jstream_next(s, &t, &n, &err);
	cr_assert_eq(rc, -1, "rc %d", rc);
	cr_assert_eq(err.code, 65, "code %d: %s", err.code, err.msg);
	cr_assert(strstr(err.msg, want) != NULL, "'%s' lacks '%s'", err.msg,
	    want);
	cr_assert_eq(tl_jstream_failed(s), fatal, "%s", err.msg);
}

Test(tl_jstream, top_level_array_offsets_lines)
{
	const char *doc = " [\n{\"a\": 1},\n  {\"b\": [2, 3]}\n, 4]\n";
	struct tl_jstream *s = open_str(doc, NULL, NULL);

	next_is(s, "{\"a\": 1}", TL_JREC_RECORD, ".[0]");
	cr_assert_eq(tl_jstream_offset(s), 3);
	cr_assert_eq(tl_jstream_line(s), 2);
	next_is(s, "{\"b\": [2, 3]}", TL_JREC_RECORD, ".[1]");
	cr_assert_eq(tl_jstream_offset(s), 15);
	cr_assert_eq(tl_jstream_line(s), 3);
	next_is(s, "4", TL_JREC_RECORD, ".[2]");
	cr_assert_eq(tl_jstream_line(s), 4);
	end_is(s);
	end_is(s);
	cr_assert_eq(tl_jstream_count(s), 3);
	tl_jstream_free(s);
}

Test(tl_jstream, empty_inputs)
{
	static const char *const docs[] = { "", "  \n\t", "[]", " [ \n ] ",
		"{\"x\":[]}" };
	struct tl_jstream *s;
	size_t i;

	for (i = 0; i < TL_NELEM(docs); i++) {
		s = open_str(docs[i], i == 4 ? "x" : NULL, NULL);
		end_is(s);
		cr_assert_eq(tl_jstream_count(s), 0);
		tl_jstream_free(s);
	}
}

Test(tl_jstream, strings_with_brackets_and_escapes)
{
	const char *doc = "[{\"a\":\"]}\\\"[{\",\"b\":[1,{\"c\":\"}\\\\\"}]},"
	    "\"x]\\\"y\",{\"\\u005d\":\"\\u007b\"}]";
	struct tl_jstream *s = open_str(doc, NULL, NULL);

	next_is(s, "{\"a\":\"]}\\\"[{\",\"b\":[1,{\"c\":\"}\\\\\"}]}",
	    TL_JREC_RECORD, ".[0]");
	next_is(s, "\"x]\\\"y\"", TL_JREC_RECORD, ".[1]");
	next_is(s, "{\"\\u005d\":\"\\u007b\"}", TL_JREC_RECORD, ".[2]");
	end_is(s);
	tl_jstream_free(s);
}

Test(tl_jstream, top_level_object_is_one_record)
{
	struct tl_jstream *s = open_str("\xef\xbb\xbf{\"id\":\"R1\",\"g\":{}}\n",
	    NULL, NULL);

	next_is(s, "{\"id\":\"R1\",\"g\":{}}", TL_JREC_RECORD, ".");
	cr_assert_eq(tl_jstream_offset(s), 3, "the BOM counts");
	end_is(s);
	tl_jstream_free(s);
}

Test(tl_jstream, path_with_stars)
{
	const char *doc = "{\"meta\":{\"trades\":[9]},\"strategy\":{"
	    "\"S1\":{\"trades\":[{\"t\":1},{\"t\":2}],\"n\":2},"
	    "\"S 2\":{\"n\":0,\"trades\":[]},"
	    "\"S3\":{\"trades\":[{\"t\":3}]}},\"cmp\":[[{}]]}";
	struct tl_jstream *s = open_str(doc, "strategy.*.trades", NULL);
	const char *k;
	size_t n;

	next_is(s, "{\"t\":1}", TL_JREC_RECORD, ".strategy.S1.trades[0]");
	cr_assert_eq(tl_jstream_nstars(s), 1);
	k = tl_jstream_star(s, 0, &n);
	cr_assert_eq(n, 2);
	cr_assert_eq(memcmp(k, "S1", 2), 0);
	next_is(s, "{\"t\":2}", TL_JREC_RECORD, ".strategy.S1.trades[1]");
	next_is(s, "{\"t\":3}", TL_JREC_RECORD, ".strategy.S3.trades[0]");
	k = tl_jstream_star(s, 0, &n);
	cr_assert_eq(memcmp(k, "S3", 2), 0);
	cr_assert_null(tl_jstream_star(s, 1, &n));
	end_is(s);
	tl_jstream_free(s);
}

Test(tl_jstream, star_on_arrays_and_escaped_names)
{
	const char *doc = "[{\"tr\\u0061des\":[{\"a\":1}]},{\"my key\":[]},"
	    "{\"trades\":[true]}]";
	struct tl_jstream *s = open_str(doc, "*.trades", NULL);
	const char *k;
	size_t n;

	next_is(s, "{\"a\":1}", TL_JREC_RECORD, ".[0].trades[0]");
	k = tl_jstream_star(s, 0, &n);
	cr_assert_eq(n, 1);
	cr_assert_eq(*k, '0');
	next_is(s, "true", TL_JREC_RECORD, ".[2].trades[0]");
	k = tl_jstream_star(s, 0, &n);
	cr_assert_eq(*k, '2');
	end_is(s);
	tl_jstream_free(s);

	s = open_str("{\"my key\":[{}]}", "my key", NULL);
	next_is(s, "{}", TL_JREC_RECORD, ".[\"my key\"][0]");
	end_is(s);
	tl_jstream_free(s);
}

Test(tl_jstream, path_not_found_or_scalar)
{
	struct tl_jstream *s = open_str("{\"a\":{\"b\":1},\"c\":[1,2]}",
	    "a.b.c", NULL);

	end_is(s);
	cr_assert_eq(tl_jstream_count(s), 0);
	tl_jstream_free(s);
	s = open_str("[1,2]", "x", NULL);
	end_is(s);
	tl_jstream_free(s);
}

/* A parent's rest must equal the parent without its split member. */
static void
rest_equals(const char *rest, const char *whole, const char *drop)
{
	json_t *a, *b;

	a = json_loads(rest, 0, NULL);
	b = json_loads(whole, 0, NULL);
	cr_assert_not_null(a, "rest '%s' does not parse", rest);
	json_object_del(b, drop);
	cr_assert(json_equal(a, b), "rest '%s'", rest);
	json_decref(a);
	json_decref(b);
}

Test(tl_jstream, split_member_first_middle_last)
{
	static const char *const objs[] = {
		"{ \"trades\" : [ {\"p\":1} , {\"p\":[2]} ] , \"x\":1,\"y\":{}}",
		"{\"x\":1,\"trades\":[{\"p\":1},{\"p\":[2]}],\"y\":{}}",
		"{\"x\":1,\"y\":{\"trades\":[0]},\"trades\":[{\"p\":1},"
		    "{\"p\":[2]}]}",
		"{\"trades\":[{\"p\":1},{\"p\":[2]}]}"
	};
	char doc[512], ptr[64];
	struct tl_jstream *s;
	struct tl_err err;
	const char *t;
	size_t i, n;

	for (i = 0; i < TL_NELEM(objs); i++) {
		snprintf(doc, sizeof(doc), "{\"strategy\":{\"A\":%s}}",
		    objs[i]);
		s = open_str(doc, "strategy.*", "trades");
		next_is(s, "{\"p\":1}", TL_JREC_PART,
		    ".strategy.A.trades[0]");
		next_is(s, "{\"p\":[2]}", TL_JREC_PART,
		    ".strategy.A.trades[1]");
		cr_assert_eq(tl_jstream_line(s), 1);
		cr_assert_eq(tl_jstream_nstars(s), 1);
		tl_err_clear(&err);
		cr_assert_eq(tl_jstream_next(s, &t, &n, &err), 1, "%s",
		    err.msg);
		cr_assert_eq(tl_jstream_kind(s), TL_JREC_REST);
		snprintf(ptr, sizeof(ptr), "%s", tl_jstream_pointer(s));
		cr_assert_str_eq(ptr, ".strategy.A");
		cr_assert_eq(tl_jstream_offset(s), 17);
		rest_equals(t, objs[i], "trades");
		end_is(s);
		tl_jstream_free(s);
	}
}

Test(tl_jstream, split_without_member_or_empty)
{
	struct tl_jstream *s = open_str("{\"strategy\":{\"A\":{\"trades\":[]},"
	    "\"B\":{\"n\":1},\"C\":{\"trades\":5}}}", "strategy.*", "trades");

	next_is(s, "{}", TL_JREC_REST, ".strategy.A");
	next_is(s, "{\"n\":1}", TL_JREC_RECORD, ".strategy.B");
	next_is(s, "{\"trades\":5}", TL_JREC_RECORD, ".strategy.C");
	end_is(s);
	tl_jstream_free(s);
}

Test(tl_jstream, split_twice_is_broken)
{
	struct tl_jstream *s = open_str("[{\"trades\":[1],\"trades\":[2]}]",
	    NULL, "trades");

	next_is(s, "1", TL_JREC_PART, ".[0].trades[0]");
	error_is(s, "a second member 'trades' in the record at offset 1", 1);
	tl_jstream_free(s);
}

Test(tl_jstream, truncated)
{
	struct tl_err err;
	const char *t;
	size_t n;
	struct tl_jstream *s = open_str("[{\"a\":1},\n{\"b\":[1,", NULL, NULL);

	next_is(s, "{\"a\":1}", TL_JREC_RECORD, ".[0]");
	error_is(s, "the input ends inside the record at offset 10", 1);
	cr_assert_eq(tl_jstream_next(s, &t, &n, &err), 0, "ends after");
	tl_jstream_free(s);

	s = open_str("{\"strategy\":{\"A\":{\"trades\":[{}", "strategy.*",
	    "trades");
	next_is(s, "{}", TL_JREC_PART, NULL);
	error_is(s, "expected ',' or ']', got the end of the input", 1);
	tl_jstream_free(s);

	s = open_str("[\"abc", NULL, NULL);
	error_is(s, "the input ends inside the record", 1);
	tl_jstream_free(s);
}

Test(tl_jstream, trailing_garbage)
{
	struct tl_jstream *s = open_str("[{\"a\":1}]\n]", NULL, NULL);

	next_is(s, "{\"a\":1}", TL_JREC_RECORD, NULL);
	error_is(s, "offset 10: ']' after the end of the document", 1);
	tl_jstream_free(s);

	s = open_str("{\"a\":1}{\"b\":2}", NULL, NULL);
	next_is(s, "{\"a\":1}", TL_JREC_RECORD, ".");
	error_is(s, "'{' after the end of the document", 1);
	tl_jstream_free(s);
}

Test(tl_jstream, broken_frames)
{
	static const struct {
		const char *doc, *path, *msg;
	} cases[] = {
		{ "{\"strategy\" {}}", "strategy", "expected ':', got '{'" },
		{ "{\"x\":[1 2]}", "y", "expected ',' or ']', got '2'" },
		{ "{\"x\":tru}", "y", "'tru' is not a JSON value" },
		{ "{\"x\":01}", "y", "'01' is not a JSON value" },
		{ "{\"x\":\"a\tb\"}", "y", "control byte 0x09" },
		{ "{\"x\":\"\\q\"}", "y", "bad escape" },
		{ "{x:1}", "y", "expected a member name, got 'x'" },
		{ "[1,]", "y", "expected a value, got ']'" },
		{ "[{\"a\":[1}]", NULL, "'}' does not close the '['" },
		{ "{\"a\":1,}", "y", "expected a member name, got '}'" },
		{ "[1}", "y", "expected ',' or ']', got '}'" }
	};
	struct tl_jstream *s;
	size_t i;

	for (i = 0; i < TL_NELEM(cases); i++) {
		s = open_str(cases[i].doc, cases[i].path, NULL);
		error_is(s, cases[i].msg, 1);
		tl_jstream_free(s);
	}
}

Test(tl_jstream, bad_record_is_not_fatal)
{
	struct tl_jstream *s = open_str("[{\"a\":,},{\"b\":1}]", NULL, NULL);

	next_is(s, "{\"a\":,}", TL_JREC_RECORD, ".[0]");
	next_is(s, "{\"b\":1}", TL_JREC_RECORD, ".[1]");
	end_is(s);
	tl_jstream_free(s);
}

Test(tl_jstream, deep_nesting)
{
	char *doc = malloc(5000);
	struct tl_jstream *s;
	size_t i;

	strcpy(doc, "{\"skip\":");
	for (i = 0; i < 2100; i++)
		strcat(doc, "[");
	s = open_str(doc, "x", NULL);
	error_is(s, "nesting deeper than 2048", 1);
	tl_jstream_free(s);
	doc[0] = '[';
	doc[1] = '\0';
	for (i = 0; i < 2100; i++)
		strcat(doc, "[");
	s = open_str(doc, NULL, NULL);
	error_is(s, "nesting deeper than 2048", 1);
	tl_jstream_free(s);
	free(doc);
}

Test(tl_jstream, huge_record_over_the_limit)
{
	struct tl_buf b;
	struct tl_jstream *s;
	struct tl_err err;
	const char *t, *raw;
	size_t n, i;

	tl_buf_init(&b);
	tl_buf_adds(&b, "[{\"a\":1},{\"big\":\"");
	for (i = 0; i < 5000; i++)
		tl_buf_addc(&b, (char)('a' + i % 26));
	tl_buf_adds(&b, "\"},{\"c\":3}]");
	s = open_text(b.data, b.len, NULL, NULL);
	tl_jstream_set_max(s, 2048, "--max-record");
	next_is(s, "{\"a\":1}", TL_JREC_RECORD, NULL);
	tl_err_clear(&err);
	cr_assert_eq(tl_jstream_next(s, &t, &n, &err), -1);
	cr_assert_str_eq(err.msg, "record of 5010 bytes exceeds --max-record "
	    "2048");
	cr_assert_str_eq(err.where + strlen(err.where) - 2, ":1");
	cr_assert(!tl_jstream_failed(s));
	raw = tl_jstream_raw(s, &n);
	cr_assert_eq(n, TL_READER_HEAD);
	cr_assert_eq(memcmp(raw, "{\"big\":\"abc", 11), 0);
	cr_assert_eq(tl_jstream_raw_length(s), 5010);
	cr_assert_str_eq(tl_jstream_pointer(s), ".[1]");
	next_is(s, "{\"c\":3}", TL_JREC_RECORD, ".[2]");
	end_is(s);
	tl_jstream_free(s);
	tl_buf_release(&b);
}

/* Records across many chunks and through gzip: 40,000 records of varying
 * length (3.6 MB, 14 chunks) come out exactly, each at its offset. */
static void
many_records(int gzip)
{
	struct tl_buf doc, want;
	struct tl_jstream *s;
	struct tl_reader *rd;
	struct tl_err err;
	char file[1024];
	const char *t;
	size_t i, n, *off;
	gzFile gz;

	tl_buf_init(&doc);
	tl_buf_init(&want);
	off = calloc(40000, sizeof(*off));
	tl_buf_adds(&doc, "{\"x\":{\"y\":[1,[2]]},\"rows\":\n[");
	for (i = 0; i < 40000; i++) {
		if (i > 0)
			tl_buf_adds(&doc, i % 7 == 0 ? ",\n" : ",");
		off[i] = doc.len;
		tl_buf_printf(&doc, "{\"i\":%zu,\"s\":\"%.*s\\\"]\",\"v\":"
		    "[%zu,{\"w\":-2.5e-3}]}", i, (int)(i % 61),
		    "[[[[[[[[[[{{{{{{{{{{]]]]]]]]]]}}}}}}}}}}abcdefghijklmnopqrs"
		    "tuvwxyz", i * 7);
	}
	tl_buf_adds(&doc, "]}\n");
	ut_path(file, sizeof(file), dir, "many.json.gz");
	if (gzip) {
		gz = gzopen(file, "wb");
		gzwrite(gz, doc.data, (unsigned)doc.len);
		gzclose(gz);
	} else
		ut_write(file, doc.data, doc.len);
	rd = tl_reader_open(file, &err);
	cr_assert_not_null(rd);
	s = tl_jstream_alloc(rd, "rows", NULL);
	for (i = 0; i < 40000; i++) {
		tl_err_clear(&err);
		cr_assert_eq(tl_jstream_next(s, &t, &n, &err), 1, "%zu: %s",
		    i, err.msg);
		tl_buf_reset(&want);
		tl_buf_printf(&want, "{\"i\":%zu,", i);
		cr_assert_eq(memcmp(t, want.data, want.len), 0, "%zu: %.40s",
		    i, t);
		cr_assert_eq(tl_jstream_offset(s), off[i]);
		cr_assert_eq(memcmp(t, doc.data + off[i], n), 0);
		cr_assert_eq(doc.data[off[i] + n], i == 39999 ? ']' : ',');
	}
	end_is(s);
	tl_jstream_free(s);
	free(off);
	tl_buf_release(&doc);
	tl_buf_release(&want);
}

Test(tl_jstream, many_records_plain)
{
	many_records(0);
}

Test(tl_jstream, many_records_gzip)
{
	many_records(1);
}

Test(tl_jstream, path_check)
{
	struct tl_err err;

	cr_assert_eq(tl_jstream_path_check(NULL, &err), 0);
	cr_assert_eq(tl_jstream_path_check("", &err), 0);
	cr_assert_eq(tl_jstream_path_check("strategy.*.trades", &err), 0);
	cr_assert_eq(tl_jstream_path_check("a..b", &err), -1);
	cr_assert_eq(err.code, 64);
	cr_assert_str_eq(err.msg, "empty name in 'a..b' (names are separated "
	    "by single dots)");
	cr_assert_eq(tl_jstream_path_check(".a", &err), -1);
	cr_assert_eq(tl_jstream_path_check("a.", &err), -1);
}
