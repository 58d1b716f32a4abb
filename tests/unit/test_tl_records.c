/* Unit tests for lib/tl_records: JSONL and CSV records as objects. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <zlib.h>

#include "tl_json.h"
#include "tl_records.h"
#include "unit.h"

UT_SCRATCH_DIR();

TestSuite(tl_records, .init = ut_setup, .fini = ut_teardown);

/* Write text to dir/name and open it with fmt. */
static struct tl_records *
open_text(const char *name, const char *text, size_t n, enum tl_fmt fmt,
    char *path, size_t size)
{
	struct tl_records *r;
	struct tl_err err;

	ut_path(path, size, dir, name);
	ut_write(path, text, n);
	tl_err_clear(&err);
	r = tl_records_open(path, fmt, &err);
	cr_assert_not_null(r, "%s: %s", err.where, err.msg);
	return r;
}

/* The next record equals the JSON text want and starts on line. */
static void
next_is(struct tl_records *r, const char *want, unsigned long line)
{
	struct tl_err err;
	struct tl_buf b;
	json_t *rec = NULL, *w;
	int rc;

	tl_err_clear(&err);
	rc = tl_records_next(r, &rec, &err);
	cr_assert_eq(rc, 1, "want %s at line %lu: rc %d, %s: %s", want, line,
	    rc, err.where, err.msg);
	w = json_loads(want, JSON_REJECT_DUPLICATES, NULL);
	cr_assert_not_null(w, "bad test JSON %s", want);
	tl_buf_init(&b);
	tl_json_append(&b, rec);
	cr_assert(json_equal(rec, w), "got %s, want %s", b.data, want);
	tl_buf_release(&b);
	cr_assert_eq(tl_records_line(r), line, "%s: line %lu, want %lu", want,
	    tl_records_line(r), line);
	json_decref(w);
	json_decref(rec);
}

/* The next call fails for a bad record at line with msg. */
static void
next_fails(struct tl_records *r, const char *path, unsigned long line,
    const char *msg)
{
	struct tl_err err;
	char where[1100];
	json_t *rec = (json_t *)1;

	tl_err_clear(&err);
	cr_assert_eq(tl_records_next(r, &rec, &err), -1);
	cr_assert_null(rec);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	snprintf(where, sizeof(where), "%s:%lu", path, line);
	cr_assert_str_eq(err.where, where);
	if (strchr(msg, '*') != NULL)	/* a prefix */
		cr_assert_eq(strncmp(err.msg, msg, strcspn(msg, "*")), 0,
		    "msg '%s', want '%s'", err.msg, msg);
	else
		cr_assert_str_eq(err.msg, msg);
	cr_assert_eq(tl_records_line(r), line);
}

static void
raw_is(struct tl_records *r, const char *want)
{
	const char *raw;
	size_t len;

	raw = tl_records_raw(r, &len);
	cr_assert_eq(len, strlen(want), "raw '%.*s', want '%s'", (int)len, raw,
	    want);
	cr_assert_eq(memcmp(raw, want, len), 0, "raw '%.*s', want '%s'",
	    (int)len, raw, want);
}

static void
at_end(struct tl_records *r)
{
	struct tl_err err;
	json_t *rec = (json_t *)1;

	cr_assert_eq(tl_records_next(r, &rec, &err), 0);
	cr_assert_null(rec);
	cr_assert_eq(tl_records_next(r, &rec, &err), 0);
}

#define OPEN(name, text, fmt) \
	open_text(name, text, sizeof(text) - 1, fmt, path, sizeof(path))

/* Formats */

Test(tl_records, fmt_from_name)
{
	cr_assert_eq(tl_fmt_from_name("a.csv"), TL_FMT_CSV);
	cr_assert_eq(tl_fmt_from_name(".csv"), TL_FMT_CSV);
	cr_assert_eq(tl_fmt_from_name("dir/t.csv.gz"), TL_FMT_CSV);
	cr_assert_eq(tl_fmt_from_name(".csv.gz"), TL_FMT_CSV);
	cr_assert_eq(tl_fmt_from_name("T.CSV"), TL_FMT_CSV);
	cr_assert_eq(tl_fmt_from_name("a.jsonl"), TL_FMT_JSONL);
	cr_assert_eq(tl_fmt_from_name(".jsonl"), TL_FMT_JSONL);
	cr_assert_eq(tl_fmt_from_name("a.jsonl.gz"), TL_FMT_JSONL);
	cr_assert_eq(tl_fmt_from_name("a.csv.bak"), TL_FMT_JSONL);
	cr_assert_eq(tl_fmt_from_name("csv"), TL_FMT_JSONL);
	cr_assert_eq(tl_fmt_from_name("-"), TL_FMT_JSONL);
	cr_assert_eq(tl_fmt_from_name(NULL), TL_FMT_JSONL);
}

/* Sniffing: the content decides, the name keeps a damaged first line
 * what it says it is. */
Test(tl_records, sniff)
{
	static const struct {
		const char	*text;
		const char	*name;
		enum tl_fmt	 want;
	} c[] = {
		{ "{\"a\":1}\n{\"a\":2}\n", NULL, TL_FMT_JSONL },
		{ "{\"a\":1}\n", "x.csv", TL_FMT_JSONL },
		{ "date,strategy,return\n2026-01-05,S1,0.1\n", NULL,
		    TL_FMT_CSV },
		{ "date,strategy,return\n", "returns.txt", TL_FMT_CSV },
		{ "\xef\xbb\xbf\n\n  \r\ndate,x\n", "-", TL_FMT_CSV },
		{ "\n\n{\"genome\":{\"a\":[1,{\"b\":\"}\"}]}}\n", NULL,
		    TL_FMT_JSONL },
		{ "[{\"a\":1},{\"a\":2}]", NULL, TL_FMT_JSON },
		{ "{\n  \"strategy\": {}\n}\n", NULL, TL_FMT_JSON },
		{ "{\n  \"strategy\": {}\n}\n", "bt.json", TL_FMT_JSON },
		/* a string with a newline inside: a broken line, not a
		 * document */
		{ "{\"a\":\"x\n\"}\n", NULL, TL_FMT_JSONL },
		/* damaged first lines keep the name's format */
		{ "{\"a\":\n{\"a\":2}\n", "d.jsonl", TL_FMT_JSONL },
		{ "{\"a\":\n{\"a\":2}\n", "d.ndjson.gz", TL_FMT_JSONL },
		{ "garbage\n{\"a\":2}\n", "d.jsonl", TL_FMT_JSONL },
		{ "[1,\n", "d.jsonl", TL_FMT_JSONL },
		{ "garbage\n", "d.json", TL_FMT_JSON },
		{ "garbage\n", "d.json.gz", TL_FMT_JSON },
		/* a first line longer than the bytes looked at */
		{ "{\"a\":\"xxxxxxxx", NULL, TL_FMT_JSONL },
		/* nothing to look at: the name */
		{ "", "r.csv", TL_FMT_CSV },
		{ " \n\n", NULL, TL_FMT_JSONL },
		{ "", "r.jsonl", TL_FMT_JSONL },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		cr_assert_eq(tl_fmt_sniff(c[i].text, strlen(c[i].text),
		    c[i].name), c[i].want, "case %zu: %s", i, c[i].text);
}

/* An input without a telling name (a pipe) is read as what it holds. */
Test(tl_records, open_sniffs)
{
	static const char csv[] = "date,strategy,return\n2026-01-05,S1,0.1\n";
	static const char jsonl[] = "\n{\"a\":1}\n";
	static const char doc[] = "[\n{\"a\":1}\n]\n";
	struct tl_records *r;
	struct tl_err err;
	char path[1100];

	r = OPEN("returns", csv, TL_FMT_AUTO);
	cr_assert_eq(tl_records_fmt(r), TL_FMT_CSV);
	next_is(r, "{\"date\":\"2026-01-05\",\"strategy\":\"S1\","
	    "\"return\":0.1}", 2);
	at_end(r);
	tl_records_free(r);
	r = OPEN("x.csv", jsonl, TL_FMT_AUTO);
	cr_assert_eq(tl_records_fmt(r), TL_FMT_JSONL);
	next_is(r, "{\"a\":1}", 2);
	at_end(r);
	tl_records_free(r);
	/* -i csv is obeyed: the JSON line is a one-column header */
	r = OPEN("y", jsonl, TL_FMT_CSV);
	cr_assert_eq(tl_records_fmt(r), TL_FMT_CSV);
	tl_records_free(r);
	/* a document: refused, with what to do */
	ut_path(path, sizeof(path), dir, "doc");
	ut_write(path, doc, sizeof(doc) - 1);
	tl_err_clear(&err);
	cr_assert_null(tl_records_open(path, TL_FMT_AUTO, &err));
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.where, path);
	cr_assert_str_eq(err.msg, "a JSON document, not JSON Lines or CSV "
	    "(one record a line: jq -c '.[]' turns an array into JSON "
	    "Lines)");
}

Test(tl_records, open_missing)
{
	struct tl_err err;
	char p[1100];

	snprintf(p, sizeof(p), "%s/none.csv", dir);
	tl_err_clear(&err);
	cr_assert_null(tl_records_open(p, TL_FMT_AUTO, &err));
	cr_assert_eq(err.code, TL_EX_NOINPUT);
	cr_assert_str_eq(err.where, p);
	cr_assert_str_eq(err.msg, strerror(ENOENT));
}

/* JSONL */

Test(tl_records, jsonl_good_bad_and_blank_lines)
{
	static const char text[] =
	    "{\"ts\":\"2026-01-05T14:30:00Z\",\"sym\":\"ES\",\"pnl\":2.385}\n"
	    "\n"
	    "  \t \n"
	    "{\"sym\":\"NQ\",\"pnl\":-1.27}\r\n"
	    "{\"sym\": bad}\n"
	    "{\"sym\":\"CL\",\"pnl\":0.5}\n"
	    "[1,2]\n"
	    "\"str\"\n"
	    "{\"a\":1,\"a\":2}\n"
	    "{\"last\":true}";
	char path[1100];
	struct tl_records *r;

	r = OPEN("t.jsonl", text, TL_FMT_AUTO);
	cr_assert_eq(tl_records_fmt(r), TL_FMT_JSONL);
	cr_assert_str_eq(tl_records_name(r), path);
	next_is(r, "{\"ts\":\"2026-01-05T14:30:00Z\",\"sym\":\"ES\","
	    "\"pnl\":2.385}", 1);
	raw_is(r, "{\"ts\":\"2026-01-05T14:30:00Z\",\"sym\":\"ES\","
	    "\"pnl\":2.385}");
	next_is(r, "{\"sym\":\"NQ\",\"pnl\":-1.27}", 4);
	raw_is(r, "{\"sym\":\"NQ\",\"pnl\":-1.27}");
	next_fails(r, path, 5, "invalid JSON: *");
	raw_is(r, "{\"sym\": bad}");
	cr_assert_eq(tl_records_failed(r), 0);
	next_is(r, "{\"sym\":\"CL\",\"pnl\":0.5}", 6);
	next_fails(r, path, 7, "expected an object, got array");
	raw_is(r, "[1,2]");
	next_fails(r, path, 8, "expected an object, got string");
	next_fails(r, path, 9, "invalid JSON: *");
	next_is(r, "{\"last\":true}", 10);
	at_end(r);
	cr_assert_eq(tl_records_failed(r), 0);
	tl_records_free(r);
}

Test(tl_records, jsonl_forced_on_a_csv_name)
{
	static const char text[] = "{\"a\":1}\n";
	char path[1100];
	struct tl_records *r;

	r = OPEN("t.csv", text, TL_FMT_JSONL);
	cr_assert_eq(tl_records_fmt(r), TL_FMT_JSONL);
	next_is(r, "{\"a\":1}", 1);
	at_end(r);
	tl_records_free(r);
}

Test(tl_records, jsonl_empty_and_blank_only)
{
	char path[1100];
	struct tl_records *r;

	r = OPEN("e.jsonl", "", TL_FMT_AUTO);
	at_end(r);
	tl_records_free(r);
	r = OPEN("b.jsonl", "\n \n\r\n", TL_FMT_AUTO);
	at_end(r);
	tl_records_free(r);
}

Test(tl_records, jsonl_truncated_gzip_stops)
{
	struct tl_records *r;
	struct tl_err err;
	json_t *rec;
	char path[1100];
	size_t size;
	unsigned long i, got = 0;
	gzFile gz;
	int rc;

	ut_path(path, sizeof(path), dir, "big.jsonl.gz");
	gz = gzopen(path, "wb");
	cr_assert_not_null(gz);
	for (i = 0; i < 100000; i++)
		gzprintf(gz, "{\"i\":%lu,\"px\":%.3f,\"h\":\"%lx\"}\n", i,
		    2.385 * (double)i, i * 2654435761UL);
	gzclose(gz);
	free(ut_read(path, &size));
	cr_assert_eq(truncate(path, (off_t)(size / 2)), 0);
	r = tl_records_open(path, TL_FMT_AUTO, &err);
	cr_assert_not_null(r);
	while ((rc = tl_records_next(r, &rec, &err)) == 1) {
		cr_assert_eq(json_integer_value(json_object_get(rec, "i")),
		    (json_int_t)got);
		got++;
		json_decref(rec);
	}
	cr_assert_eq(rc, -1);
	cr_assert_eq(err.code, TL_EX_IOERR);
	cr_assert_eq(tl_records_failed(r), 1);
	cr_assert_eq(tl_records_line(r), got + 1);
	at_end(r);
	tl_records_free(r);
}

/* CSV */

Test(tl_records, csv_types_quotes_bom_crlf)
{
	static const char text[] =
	    "\xef\xbb\xbfsym,qty,px,note\r\n"
	    "ES,3,2.385,\"hello, world\"\r\n"
	    "NQ,-2,-1.27,\"say \"\"hi\"\"\"\r\n"
	    "CL,007,1e3,abc\r\n"
	    "GC,,true,\r\n"
	    "\"SI\",\"12\",\"False\",\"\"\r\n"
	    "HG,+4,-0.5e-2, spaced \r\n"
	    "\" AU \", 1 ,,\r\n";
	char path[1100];
	struct tl_records *r;
	json_t *rec;
	struct tl_err err;

	r = OPEN("t.csv", text, TL_FMT_AUTO);
	cr_assert_eq(tl_records_fmt(r), TL_FMT_CSV);
	next_is(r, "{\"sym\":\"ES\",\"qty\":3,\"px\":2.385,"
	    "\"note\":\"hello, world\"}", 2);
	raw_is(r, "ES,3,2.385,\"hello, world\"");
	next_is(r, "{\"sym\":\"NQ\",\"qty\":-2,\"px\":-1.27,"
	    "\"note\":\"say \\\"hi\\\"\"}", 3);
	/* "007" is not a JSON number: an id keeps its leading zeros;
	 * "1e3" is a real. */
	cr_assert_eq(tl_records_next(r, &rec, &err), 1);
	cr_assert_str_eq(json_string_value(json_object_get(rec, "qty")),
	    "007");
	cr_assert(json_is_real(json_object_get(rec, "px")));
	cr_assert_eq(json_real_value(json_object_get(rec, "px")), 1000.0);
	cr_assert_str_eq(json_string_value(json_object_get(rec, "note")),
	    "abc");
	cr_assert_eq(tl_records_line(r), 4);
	json_decref(rec);
	/* empty cells are absent keys; "true" is a boolean */
	next_is(r, "{\"sym\":\"GC\",\"px\":true}", 5);
	/* quoting does not make a string: "12" is still a number */
	next_is(r, "{\"sym\":\"SI\",\"qty\":12,\"px\":false}", 6);
	/* blanks around an unquoted cell are trimmed (libcsv's default),
	 * inside quotes they are kept */
	next_is(r, "{\"sym\":\"HG\",\"qty\":4,\"px\":-0.005,"
	    "\"note\":\"spaced\"}", 7);
	next_is(r, "{\"sym\":\" AU \",\"qty\":1}", 8);
	at_end(r);
	cr_assert_eq(tl_records_failed(r), 0);
	tl_records_free(r);
}

/* Lines without quotes, blanks, CR or NUL are split at their commas
 * without libcsv: the same records as the same cells quoted (which
 * libcsv parses), empty cells and edge commas included. */
Test(tl_records, csv_plain_lines_as_libcsv)
{
	static const char plain[] =
	    "a,b.c,d\n"
	    "1,x,\n"
	    ",,\n"
	    ",2.5,S1\n"
	    "true,[1],-0\n"
	    "a,b\n"
	    "1,2,3,4\n"
	    "7,8,9\n";
	static const char quoted[] =
	    "\"a\",\"b.c\",\"d\"\n"
	    "\"1\",\"x\",\"\"\n"
	    "\"\",\"\",\"\"\n"
	    "\"\",\"2.5\",\"S1\"\n"
	    "\"true\",\"[1]\",\"-0\"\n"
	    "\"a\",\"b\"\n"
	    "\"1\",\"2\",\"3\",\"4\"\n"
	    "\"7\",\"8\",\"9\"\n";
	char path[1100];
	struct tl_records *r, *q;
	json_t *ra, *rb;
	struct tl_err ea, eb;
	int ca, cb, rows = 0;

	r = OPEN("p.csv", plain, TL_FMT_AUTO);
	q = OPEN("q.csv", quoted, TL_FMT_AUTO);
	do {
		ca = tl_records_next(r, &ra, &ea);
		cb = tl_records_next(q, &rb, &eb);
		cr_assert_eq(ca, cb, "row %d", rows);
		if (ca == 1)
			cr_assert(json_equal(ra, rb), "row %d", rows);
		if (ca == -1)
			cr_assert_str_eq(ea.msg, eb.msg);
		json_decref(ra);
		json_decref(rb);
		rows++;
	} while (ca != 0);
	cr_assert_eq(rows, 8);
	tl_records_free(r);
	tl_records_free(q);
	r = OPEN("p.csv", plain, TL_FMT_AUTO);
	next_is(r, "{\"a\":1,\"b\":{\"c\":\"x\"}}", 2);
	next_is(r, "{}", 3);
	next_is(r, "{\"b\":{\"c\":2.5},\"d\":\"S1\"}", 4);
	next_is(r, "{\"a\":true,\"b\":{\"c\":[1]},\"d\":0}", 5);
	tl_records_free(r);
}

Test(tl_records, csv_integers_reals_and_json_cells)
{
	static const char text[] =
	    "a,b,c,d\n"
	    "9007199254740993,12345678901234567890,2.0,\"[1,\"\"x\"\"]\"\n"
	    "-0,1.5e300,\"{\"\"k\"\":-1.27}\",[\n"
	    "0x10,inf,1e400,{bad}\n";
	char path[1100];
	struct tl_records *r;
	json_t *rec;
	struct tl_err err;

	r = OPEN("n.csv", text, TL_FMT_AUTO);
	cr_assert_eq(tl_records_next(r, &rec, &err), 1);
	cr_assert(json_is_integer(json_object_get(rec, "a")));
	cr_assert_eq(json_integer_value(json_object_get(rec, "a")),
	    9007199254740993LL);
	cr_assert(json_is_real(json_object_get(rec, "b")));
	cr_assert(json_is_real(json_object_get(rec, "c")));
	cr_assert_eq(json_real_value(json_object_get(rec, "c")), 2.0);
	cr_assert(json_is_array(json_object_get(rec, "d")));
	json_decref(rec);
	next_is(r, "{\"a\":0,\"b\":1.5e300,\"c\":{\"k\":-1.27},\"d\":\"[\"}", 3);
	next_is(r, "{\"a\":\"0x10\",\"b\":\"inf\",\"c\":\"1e400\","
	    "\"d\":\"{bad}\"}", 4);
	at_end(r);
	tl_records_free(r);
}

Test(tl_records, csv_embedded_newline)
{
	static const char text[] =
	    "id,text,v\n"
	    "1,\"line one\n"
	    "line two\",2.5\n"
	    "2,plain,-3\n"
	    "3,\"a\n"
	    "\n"
	    "b\",x\n"
	    "4,end,0.25\n";
	char path[1100];
	struct tl_records *r;

	r = OPEN("m.csv", text, TL_FMT_CSV);
	next_is(r, "{\"id\":1,\"text\":\"line one\\nline two\",\"v\":2.5}", 2);
	raw_is(r, "1,\"line one\nline two\",2.5");
	next_is(r, "{\"id\":2,\"text\":\"plain\",\"v\":-3}", 4);
	raw_is(r, "2,plain,-3");
	next_is(r, "{\"id\":3,\"text\":\"a\\n\\nb\",\"v\":\"x\"}", 5);
	next_is(r, "{\"id\":4,\"text\":\"end\",\"v\":0.25}", 8);
	at_end(r);
	tl_records_free(r);
}

Test(tl_records, csv_blank_lines_skipped)
{
	static const char text[] = "\n\na,b\n\n1,2\n \t \n\n3,4";
	char path[1100];
	struct tl_records *r;

	r = OPEN("b.csv", text, TL_FMT_CSV);
	next_is(r, "{\"a\":1,\"b\":2}", 5);
	/* a line of blanks is blank too: the next record is on line 8 */
	next_is(r, "{\"a\":3,\"b\":4}", 8);
	raw_is(r, "3,4");
	at_end(r);
	tl_records_free(r);
}

Test(tl_records, csv_dotted_headers_nest)
{
	static const char text[] =
	    "run,genome.lookback,genome.thr,genome.sub.k,score\n"
	    "r1,20,0.75,x,2.385\n"
	    "r2,,,,-1.27\n";
	char path[1100];
	struct tl_records *r;

	r = OPEN("d.csv", text, TL_FMT_CSV);
	next_is(r, "{\"run\":\"r1\",\"genome\":{\"lookback\":20,\"thr\":0.75,"
	    "\"sub\":{\"k\":\"x\"}},\"score\":2.385}", 2);
	next_is(r, "{\"run\":\"r2\",\"score\":-1.27}", 3);
	at_end(r);
	tl_records_free(r);
}

Test(tl_records, csv_ragged_rows)
{
	static const char text[] =
	    "a,b,c\n"
	    "1,2,3\n"
	    "4,5\n"
	    "6,7,8\n"
	    "9,10,11,12\n"
	    "13,14,15\n";
	char path[1100];
	struct tl_records *r;

	r = OPEN("r.csv", text, TL_FMT_CSV);
	next_is(r, "{\"a\":1,\"b\":2,\"c\":3}", 2);
	next_fails(r, path, 3, "expected 3 CSV fields, got 2");
	raw_is(r, "4,5");
	cr_assert_eq(tl_records_failed(r), 0);
	next_is(r, "{\"a\":6,\"b\":7,\"c\":8}", 4);
	next_fails(r, path, 5, "expected 3 CSV fields, got 4");
	next_is(r, "{\"a\":13,\"b\":14,\"c\":15}", 6);
	at_end(r);
	tl_records_free(r);
}

/* A bad header makes every row of the file an error with its reason, so
 * that none is lost without a word; the reader goes on to the end. */
Test(tl_records, csv_duplicate_header_rejects_every_row)
{
	static const char text[] = "a,b,a\n1,2,3\n\n4,5,6\n";
	char path[1100];
	struct tl_records *r;

	r = OPEN("h.csv", text, TL_FMT_CSV);
	next_fails(r, path, 1, "CSV header: duplicate column 'a'");
	cr_assert_eq(tl_records_failed(r), 0);
	next_fails(r, path, 2, "CSV header: duplicate column 'a'");
	raw_is(r, "1,2,3");
	next_fails(r, path, 4, "CSV header: duplicate column 'a'");
	at_end(r);
	tl_records_free(r);
}

Test(tl_records, csv_unnamed_header_column_rejects_every_row)
{
	static const char text[] = "a,,c\n1,2,3\n";
	char path[1100];
	struct tl_records *r;

	r = OPEN("h.csv", text, TL_FMT_CSV);
	next_fails(r, path, 1, "CSV header: column 2 has no name");
	next_fails(r, path, 2, "CSV header: column 2 has no name");
	at_end(r);
	tl_records_free(r);
}

Test(tl_records, csv_header_only_and_empty)
{
	char path[1100];
	struct tl_records *r;

	r = OPEN("h.csv", "a,b\n", TL_FMT_CSV);
	at_end(r);
	cr_assert_eq(tl_records_failed(r), 0);
	tl_records_free(r);
	r = OPEN("e.csv", "", TL_FMT_CSV);
	at_end(r);
	tl_records_free(r);
}

Test(tl_records, csv_malformed_quote_then_goes_on)
{
	static const char text[] =
	    "a,b\n"
	    "\"x\"y,1\n"
	    "ok,2\n"
	    "p\"q,3\n"
	    "fine,4\n";
	char path[1100];
	struct tl_records *r;

	r = OPEN("q.csv", text, TL_FMT_CSV);
	next_fails(r, path, 2, "malformed CSV: a quote inside an unquoted "
	    "field or after a closing quote");
	raw_is(r, "\"x\"y,1");
	cr_assert_eq(tl_records_failed(r), 0);
	next_is(r, "{\"a\":\"ok\",\"b\":2}", 3);
	next_fails(r, path, 4, "malformed CSV: *");
	raw_is(r, "p\"q,3");
	next_is(r, "{\"a\":\"fine\",\"b\":4}", 5);
	at_end(r);
	tl_records_free(r);
}

Test(tl_records, csv_malformed_inside_multiline_record)
{
	static const char text[] =
	    "a,b\n"
	    "\"x\n"
	    "y\"z,1\n"
	    "ok,2\n";
	char path[1100];
	struct tl_records *r;

	r = OPEN("q.csv", text, TL_FMT_CSV);
	next_fails(r, path, 2, "malformed CSV: *");
	raw_is(r, "\"x\ny\"z,1");
	next_is(r, "{\"a\":\"ok\",\"b\":2}", 4);
	at_end(r);
	tl_records_free(r);
}

Test(tl_records, csv_unterminated_quote_at_eof)
{
	static const char text[] =
	    "a,b\n"
	    "1,2\n"
	    "3,\"abc\n"
	    "4,5\n";
	char path[1100];
	struct tl_records *r;

	r = OPEN("u.csv", text, TL_FMT_CSV);
	next_is(r, "{\"a\":1,\"b\":2}", 2);
	next_fails(r, path, 3,
	    "unterminated quoted CSV field at end of input");
	raw_is(r, "3,\"abc\n4,5");
	at_end(r);
	tl_records_free(r);
}

Test(tl_records, csv_gzip_by_name)
{
	static const char text[] = "sym,px\nES,2.385\nNQ,-1.27\n";
	struct tl_records *r;
	struct tl_err err;
	char path[1100];
	gzFile gz;

	ut_path(path, sizeof(path), dir, "t.csv.gz");
	gz = gzopen(path, "wb");
	cr_assert_not_null(gz);
	gzwrite(gz, text, sizeof(text) - 1);
	gzclose(gz);
	r = tl_records_open(path, TL_FMT_AUTO, &err);
	cr_assert_not_null(r);
	cr_assert_eq(tl_records_fmt(r), TL_FMT_CSV);
	next_is(r, "{\"sym\":\"ES\",\"px\":2.385}", 2);
	next_is(r, "{\"sym\":\"NQ\",\"px\":-1.27}", 3);
	at_end(r);
	tl_records_free(r);
}

Test(tl_records, csv_dotted_clash_is_a_row_error)
{
	static const char text[] =
	    "a,a.b\n"
	    "1,2\n"
	    ",3\n";
	char path[1100];
	struct tl_records *r;

	r = OPEN("c.csv", text, TL_FMT_CSV);
	next_fails(r, path, 2,
	    "column 'a.b': clashes with another column's nesting");
	next_is(r, "{\"a\":{\"b\":3}}", 3);
	at_end(r);
	tl_records_free(r);
}

Test(tl_records, raw_before_any_record)
{
	static const char text[] = "{\"a\":1}\n";
	char path[1100];
	struct tl_records *r;
	const char *raw;
	size_t len = 99;

	r = OPEN("t.jsonl", text, TL_FMT_AUTO);
	raw = tl_records_raw(r, &len);
	cr_assert_not_null(raw);
	cr_assert_eq(len, 0);
	tl_records_free(r);
	tl_records_free(NULL);
}

/* A CSV row's text (built from the cells) is the object's text, byte for
 * byte, on every kind of cell; and dotted names still nest. */
Test(tl_records, csv_text_is_the_object_text)
{
	static const char text[] =
	    "id,x,y,flag,j,s,e\n"
	    "9007199254740993,2.0,-0,True,\"[1,\"\"x\"\"]\",\"a\"\"b\\c\",\n"
	    "9223372036854775808,1e5,+3,false,{bad},\"line\nbreak\tx\",1\n"
	    "-12,0.30000000000000004,1.5e300,FALSE,\"{\"\"k\"\":-1.27}\","
	    "caf\xc3\xa9,\n"
	    ",,,,,,\n";
	static const char dotted[] = "a.b,a.c,d\n1,x,2.5\n";
	char path[1100];
	struct tl_records *r1, *r2;
	struct tl_err err;
	struct tl_buf b;
	const char *t;
	json_t *rec;
	size_t len;
	int rows = 0, i;

	tl_buf_init(&b);
	for (i = 0; i < 2; i++) {
		r1 = i == 0 ? OPEN("t.csv", text, TL_FMT_AUTO) :
		    OPEN("d.csv", dotted, TL_FMT_AUTO);
		r2 = i == 0 ? OPEN("t2.csv", text, TL_FMT_AUTO) :
		    OPEN("d2.csv", dotted, TL_FMT_AUTO);
		while (tl_records_next_text(r1, &t, &len, &err) == 1) {
			cr_assert_eq(tl_records_next(r2, &rec, &err), 1);
			tl_buf_reset(&b);
			tl_json_append(&b, rec);
			json_decref(rec);
			cr_assert_eq(len, b.len, "'%.*s' vs '%s'", (int)len, t,
			    b.data);
			cr_assert_eq(memcmp(t, b.data, len), 0, "'%.*s' vs '%s'",
			    (int)len, t, b.data);
			cr_assert_eq(tl_records_line(r1), tl_records_line(r2));
			rows++;
		}
		tl_records_free(r1);
		tl_records_free(r2);
	}
	cr_assert_eq(rows, 5);
	cr_assert_str_eq(b.data, "{\"a\":{\"b\":1,\"c\":\"x\"},\"d\":2.5}");
	tl_buf_release(&b);
}

/* A cell that is not UTF-8 is an error naming its column (it used to
 * vanish from the record); the next row goes on. */
Test(tl_records, csv_invalid_utf8_cell)
{
	static const char text[] = "a,b\n1,x\xffy\n2,ok\n";
	static const char hdr[] = "a,\xc3\n1,2\n";
	char path[1100];
	struct tl_records *r;
	const char *t;
	size_t len;
	struct tl_err err;

	r = OPEN("u.csv", text, TL_FMT_AUTO);
	next_fails(r, path, 2, "column 'b': invalid UTF-8 or a NUL byte");
	next_is(r, "{\"a\":2,\"b\":\"ok\"}", 3);
	at_end(r);
	tl_records_free(r);
	r = OPEN("u2.csv", text, TL_FMT_AUTO);
	cr_assert_eq(tl_records_next_text(r, &t, &len, &err), -1);
	cr_assert_str_eq(err.msg, "column 'b': invalid UTF-8 or a NUL byte");
	cr_assert_eq(tl_records_next_text(r, &t, &len, &err), 1);
	tl_records_free(r);
	r = OPEN("h.csv", hdr, TL_FMT_AUTO);
	next_fails(r, path, 1, "CSV header: column 2: invalid UTF-8");
	next_fails(r, path, 2, "CSV header: column 2: invalid UTF-8");
	at_end(r);
	tl_records_free(r);
}

/* ---- the record limit and wide headers ---------------------------------- */

/* The last record's raw is the first head bytes of want, of len bytes in
 * all. */
static void
raw_cut(struct tl_records *r, const char *want, size_t head, size_t len)
{
	const char *raw;
	size_t n;

	raw = tl_records_raw(r, &n);
	cr_assert_eq(n, head, "raw of %zu bytes, want %zu", n, head);
	cr_assert_eq(memcmp(raw, want, n), 0);
	cr_assert_eq(tl_records_raw_length(r), len, "length %zu, want %zu",
	    tl_records_raw_length(r), len);
}

/* A CSV line of n cells, prefix and 0 .. n-1, and "\n". */
static void
csv_line(struct tl_buf *b, const char *prefix, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			tl_buf_addc(b, ',');
		tl_buf_printf(b, "%s%zu", prefix, i);
	}
	tl_buf_addc(b, '\n');
}

/* {"k":"xxx..."} of n bytes in b. */
static void
padded(struct tl_buf *b, size_t n)
{
	tl_buf_adds(b, "{\"k\":\"");
	while (n-- > 8)
		tl_buf_addc(b, 'x');
	tl_buf_adds(b, "\"}");
}

Test(tl_records, jsonl_over_the_limit_is_one_bad_record)
{
	struct tl_buf b, want;
	struct tl_records *r;
	char path[1100];

	tl_buf_init(&b);
	tl_buf_init(&want);
	padded(&b, 1024);		/* at the limit: read */
	tl_buf_adds(&b, "\n");
	padded(&want, 1024);
	padded(&b, 1025);		/* over it: rejected */
	tl_buf_adds(&b, "\n{\"a\":1}\n");
	r = open_text("l.jsonl", b.data, b.len, TL_FMT_AUTO, path,
	    sizeof(path));
	tl_records_set_max(r, 1024, "--max-record");
	next_is(r, want.data, 1);
	cr_assert_eq(tl_records_raw_length(r), 1024);
	next_fails(r, path, 2, "record of 1025 bytes exceeds --max-record "
	    "1024");
	raw_cut(r, b.data + 1025, 1024, 1025);
	cr_assert_eq(tl_records_failed(r), 0);
	next_is(r, "{\"a\":1}", 3);
	at_end(r);
	tl_records_free(r);
	tl_buf_release(&want);
	tl_buf_release(&b);
}

/* The kept start of a record is cut before a UTF-8 character that does
 * not fit whole, and the limit has a plain name without what. */
Test(tl_records, the_start_kept_is_whole_characters)
{
	struct tl_buf b;
	struct tl_records *r;
	char path[1100];
	size_t i;

	tl_buf_init(&b);
	tl_buf_adds(&b, "{\"k\":\"");	/* 6 bytes, then 3-byte euros */
	for (i = 0; i < 1000; i++)
		tl_buf_adds(&b, "\xe2\x82\xac");
	tl_buf_adds(&b, "\"}\n");
	r = open_text("u.jsonl", b.data, b.len, TL_FMT_AUTO, path,
	    sizeof(path));
	tl_records_set_max(r, 2000, NULL);
	next_fails(r, path, 1, "record of 3008 bytes exceeds the limit of "
	    "2000");
	/* 6 + 339 * 3 = 1023 bytes: the 340th euro would end at 1026 */
	raw_cut(r, b.data, 1023, 3008);
	at_end(r);
	tl_records_free(r);
	tl_buf_release(&b);
}

/* A CSV record over the limit on one line, and one spread over many
 * lines inside quotes (with "" and a line over the limit of its own):
 * each is one bad record, read to the line where its quotes pair up, and
 * the next rows are read as before. */
Test(tl_records, csv_records_over_the_limit)
{
	struct tl_buf b, big, rec;
	struct tl_records *r;
	char path[1100];
	size_t i;

	tl_buf_init(&b);
	tl_buf_init(&big);
	tl_buf_init(&rec);
	for (i = 0; i < 3000; i++)
		tl_buf_addc(&big, (char)('a' + i % 26));
	tl_buf_adds(&b, "id,note\n1,ok\n2,");
	tl_buf_add(&b, big.data, 1100);			/* line 3 */
	tl_buf_adds(&rec, "3,\"starts");			/* line 4 */
	for (i = 0; i < 30; i++)
		tl_buf_adds(&rec, "\nsay \"\"hi\"\", then a, b, c; and on");
	tl_buf_adds(&rec, "\n");
	tl_buf_add(&rec, big.data, big.len);		/* a long line */
	tl_buf_adds(&rec, "\nends\"");
	tl_buf_adds(&b, "\n");
	tl_buf_add(&b, rec.data, rec.len);
	tl_buf_adds(&b, "\n4,\"two\nlines\"\n");		/* line 37 */
	r = open_text("n.csv", b.data, b.len, TL_FMT_AUTO, path,
	    sizeof(path));
	tl_records_set_max(r, 1024, "--max-record");
	next_is(r, "{\"id\":1,\"note\":\"ok\"}", 2);
	next_fails(r, path, 3, "record of 1102 bytes exceeds --max-record "
	    "1024");
	next_fails(r, path, 4, "*record of ");
	raw_cut(r, rec.data, 1024, rec.len);
	next_is(r, "{\"id\":4,\"note\":\"two\\nlines\"}", 37);
	at_end(r);
	tl_records_free(r);
	tl_buf_release(&rec);
	tl_buf_release(&big);
	tl_buf_release(&b);
}

/* A record that crosses the limit only with its later lines. */
Test(tl_records, csv_multiline_record_crossing_the_limit)
{
	struct tl_buf b;
	struct tl_records *r;
	char path[1100];
	size_t i;

	tl_buf_init(&b);
	tl_buf_adds(&b, "id,note\n1,\"a");
	for (i = 0; i < 200; i++)
		tl_buf_adds(&b, "\nline");		/* 200 * 5 bytes */
	tl_buf_adds(&b, "\"\n2,b\n");
	r = open_text("m.csv", b.data, b.len, TL_FMT_AUTO, path,
	    sizeof(path));
	tl_records_set_max(r, 1000, "--max-record");
	next_fails(r, path, 2, "record of 1005 bytes exceeds --max-record "
	    "1000");
	cr_assert_eq(tl_records_raw_length(r), 1005);
	next_is(r, "{\"id\":2,\"note\":\"b\"}", 203);
	at_end(r);
	tl_records_free(r);
	tl_buf_release(&b);
}

/* A header over the limit is a bad header: every row after it is
 * rejected with its reason. */
Test(tl_records, csv_header_over_the_limit)
{
	struct tl_buf b;
	struct tl_records *r;
	char path[1100];

	tl_buf_init(&b);
	csv_line(&b, "col", 300);
	tl_buf_adds(&b, "1,2\n");
	r = open_text("h.csv", b.data, b.len, TL_FMT_AUTO, path,
	    sizeof(path));
	tl_records_set_max(r, 1024, "--max-record");
	next_fails(r, path, 1, "CSV header: record of 1989 bytes exceeds "
	    "--max-record 1024");
	next_fails(r, path, 2, "CSV header: record of 1989 bytes exceeds "
	    "--max-record 1024");
	at_end(r);
	tl_records_free(r);
	tl_buf_release(&b);
}

/* 100,000 columns: a duplicate is found by a hash (the pairwise check
 * took 27 s), the last one named. */
Test(tl_records, csv_wide_header_duplicate)
{
	struct tl_buf b;
	struct tl_records *r;
	char path[1100];

	tl_buf_init(&b);
	csv_line(&b, "c", 100000);
	b.data[--b.len] = '\0';
	tl_buf_adds(&b, ",c77777\n");
	csv_line(&b, "", 100001);
	r = open_text("w.csv", b.data, b.len, TL_FMT_AUTO, path,
	    sizeof(path));
	next_fails(r, path, 1, "CSV header: duplicate column 'c77777'");
	next_fails(r, path, 2, "CSV header: duplicate column 'c77777'");
	at_end(r);
	tl_records_free(r);
	tl_buf_release(&b);
}
