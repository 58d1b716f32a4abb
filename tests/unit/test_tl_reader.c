/* Unit tests for lib/tl_reader: lines from plain and gzip files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <zlib.h>

#include "tl_reader.h"
#include "tl_util.h"
#include "unit.h"

static char *dir;
static char path[1024];

static void
setup(void)
{
	dir = ut_mkdtemp();
	ut_path(path, sizeof(path), dir, "in.txt");
}

static void
teardown(void)
{
	ut_rmtree(dir);
	free(dir);
}

TestSuite(tl_reader, .init = setup, .fini = teardown);

static struct tl_reader *
open_ok(const char *p)
{
	struct tl_reader *r;
	struct tl_err err;

	tl_err_clear(&err);
	r = tl_reader_open(p, &err);
	cr_assert_not_null(r, "%s: %s", err.where, err.msg);
	return r;
}

/* The next line is want (n bytes) numbered lineno, ended by '\n' or not. */
static void
next_is(struct tl_reader *r, const char *want, size_t n,
    unsigned long lineno, int nl)
{
	struct tl_err err;
	const char *line = NULL;
	size_t len = 0;
	int rc;

	rc = tl_reader_getline(r, &line, &len, &err);
	cr_assert_eq(rc, 1, "line %lu: rc %d (%s: %s)", lineno, rc, err.where,
	    err.msg);
	cr_assert_eq(len, n, "line %lu: len %zu, want %zu", lineno, len, n);
	cr_assert_eq(memcmp(line, want, n), 0, "line %lu: '%s'", lineno, line);
	cr_assert_eq(line[len], '\0', "line %lu not NUL-terminated", lineno);
	cr_assert_eq(tl_reader_lineno(r), lineno);
	cr_assert_eq(tl_reader_had_newline(r), nl, "line %lu", lineno);
}

static void
next_str(struct tl_reader *r, const char *want, unsigned long lineno, int nl)
{
	next_is(r, want, strlen(want), lineno, nl);
}

static void
at_end(struct tl_reader *r)
{
	struct tl_err err;
	const char *line;
	size_t len;

	cr_assert_eq(tl_reader_getline(r, &line, &len, &err), 0);
	cr_assert_eq(tl_reader_getline(r, &line, &len, &err), 0);
}

static void
write_gz(const char *p, const void *data, size_t n)
{
	gzFile gz;

	gz = gzopen(p, "wb6");
	cr_assert_not_null(gz);
	cr_assert_eq(gzwrite(gz, data, (unsigned)n), (int)n);
	cr_assert_eq(gzclose(gz), Z_OK);
}

/* Line i of the big test files: varied so that gzip does not shrink it
 * to nothing. */
static void
make_line(struct tl_buf *b, unsigned long i)
{
	unsigned long long s = i * 2654435761ULL + 1;

	tl_buf_printf(b, "{\"i\":%lu,\"px\":%.4f,\"q\":%llu,\"sym\":\"S%llu\"}",
	    i, 2.385 * (double)i, ut_xorshift(&s) % 100000,
	    ut_xorshift(&s) % 977);
}

Test(tl_reader, plain_lines)
{
	struct tl_reader *r;

	ut_write_str(path, "alpha\nbeta 2.385\n\n  \ngamma -1.27\n");
	r = open_ok(path);
	cr_assert_str_eq(tl_reader_name(r), path);
	cr_assert_eq(tl_reader_lineno(r), 0);
	next_str(r, "alpha", 1, 1);
	next_str(r, "beta 2.385", 2, 1);
	next_str(r, "", 3, 1);
	next_str(r, "  ", 4, 1);
	next_str(r, "gamma -1.27", 5, 1);
	at_end(r);
	cr_assert_eq(tl_reader_lineno(r), 5);
	cr_assert_eq(tl_reader_is_gzip(r), 0);
	tl_reader_free(r);
}

Test(tl_reader, empty_file)
{
	struct tl_reader *r;

	ut_write_str(path, "");
	r = open_ok(path);
	at_end(r);
	cr_assert_eq(tl_reader_lineno(r), 0);
	tl_reader_free(r);
}

Test(tl_reader, crlf_is_stripped_lone_cr_kept)
{
	struct tl_reader *r;

	ut_write_str(path, "a,1\r\nb,2\r\n\r\nx\ry\r\nlast\r");
	r = open_ok(path);
	next_str(r, "a,1", 1, 1);
	next_str(r, "b,2", 2, 1);
	next_str(r, "", 3, 1);
	next_str(r, "x\ry", 4, 1);
	next_str(r, "last", 5, 0);
	at_end(r);
	tl_reader_free(r);
}

Test(tl_reader, bom_only_on_first_line)
{
	struct tl_reader *r;

	ut_write_str(path, "\xef\xbb\xbfsym,px\r\n\xef\xbb\xbf" "ES,2.385\n");
	r = open_ok(path);
	next_str(r, "sym,px", 1, 1);
	next_str(r, "\xef\xbb\xbf" "ES,2.385", 2, 1);
	at_end(r);
	tl_reader_free(r);
}

Test(tl_reader, bom_alone)
{
	struct tl_reader *r;

	ut_write_str(path, "\xef\xbb\xbf\nx\n");
	r = open_ok(path);
	next_str(r, "", 1, 1);
	next_str(r, "x", 2, 1);
	at_end(r);
	tl_reader_free(r);
}

Test(tl_reader, last_line_without_newline)
{
	struct tl_reader *r;

	ut_write_str(path, "one\ntwo");
	r = open_ok(path);
	next_str(r, "one", 1, 1);
	next_str(r, "two", 2, 0);
	at_end(r);
	tl_reader_free(r);
}

Test(tl_reader, five_megabyte_line)
{
	size_t big = 5 * 1024 * 1024, i;
	struct tl_reader *r;
	char *data;

	data = malloc(big + 16);
	cr_assert_not_null(data);
	memcpy(data, "head\n", 5);
	for (i = 0; i < big; i++)
		data[5 + i] = (char)('a' + (i * 7 + i / 26) % 26);
	memcpy(data + 5 + big, "\ntail\n", 6);
	ut_write(path, data, 5 + big + 6);
	r = open_ok(path);
	next_str(r, "head", 1, 1);
	next_is(r, data + 5, big, 2, 1);
	next_str(r, "tail", 3, 1);
	at_end(r);
	tl_reader_free(r);
	free(data);
}

Test(tl_reader, nul_bytes_inside_a_line)
{
	static const char text[] = "a\0b\0c\nnext\n\0\n";
	struct tl_reader *r;

	ut_write(path, text, sizeof(text) - 1);
	r = open_ok(path);
	next_is(r, "a\0b\0c", 5, 1, 1);
	next_str(r, "next", 2, 1);
	next_is(r, "\0", 1, 3, 1);
	at_end(r);
	tl_reader_free(r);
}

/* Lines across many read chunks, plain and gzip, give the same lines. */
Test(tl_reader, gzip_gives_identical_lines)
{
	struct tl_buf text, line;
	struct tl_reader *rp, *rz;
	char gzpath[1100];
	struct tl_err err;
	const char *lp, *lz;
	size_t np, nz;
	unsigned long i, n = 100000;
	int a, b;

	tl_buf_init(&text);
	tl_buf_init(&line);
	tl_buf_adds(&text, "\xef\xbb\xbfheader\r\n");
	for (i = 0; i < n; i++) {
		make_line(&text, i);
		tl_buf_adds(&text, i % 5 == 0 ? "\r\n" : "\n");
		if (i % 1000 == 0)
			tl_buf_addc(&text, '\n');
	}
	tl_buf_adds(&text, "no newline");
	ut_write(path, text.data, text.len);
	snprintf(gzpath, sizeof(gzpath), "%s/in.txt.gz", dir);
	write_gz(gzpath, text.data, text.len);
	rp = open_ok(path);
	rz = open_ok(gzpath);
	for (i = 0;; i++) {
		a = tl_reader_getline(rp, &lp, &np, &err);
		b = tl_reader_getline(rz, &lz, &nz, &err);
		cr_assert_eq(a, b, "line %lu", i + 1);
		if (a != 1)
			break;
		cr_assert_eq(np, nz, "line %lu", i + 1);
		cr_assert_eq(memcmp(lp, lz, np), 0, "line %lu", i + 1);
		cr_assert_eq(tl_reader_had_newline(rp),
		    tl_reader_had_newline(rz));
		cr_assert_eq(tl_reader_lineno(rz), i + 1);
	}
	cr_assert_eq(a, 0);
	cr_assert_eq(i, 1 + n + n / 1000 + 1);
	cr_assert_eq(tl_reader_had_newline(rz), 0);
	cr_assert_eq(tl_reader_is_gzip(rz), 1);
	cr_assert_eq(tl_reader_is_gzip(rp), 0);
	/* the first lines, checked by value */
	tl_reader_free(rz);
	rz = open_ok(gzpath);
	next_str(rz, "header", 1, 1);
	make_line(&line, 0);
	next_str(rz, line.data, 2, 1);
	next_str(rz, "", 3, 1);
	tl_reader_free(rz);
	tl_reader_free(rp);
	tl_buf_release(&line);
	tl_buf_release(&text);
}

Test(tl_reader, gzip_detected_by_magic_not_name)
{
	struct tl_reader *r;

	write_gz(path, "x,1\ny,2\n", 8);
	r = open_ok(path);
	next_str(r, "x,1", 1, 1);
	cr_assert_eq(tl_reader_is_gzip(r), 1);
	next_str(r, "y,2", 2, 1);
	at_end(r);
	tl_reader_free(r);
}

Test(tl_reader, truncated_gzip_is_an_error)
{
	struct tl_buf text, want;
	struct tl_reader *r;
	struct tl_err err;
	const char *line = NULL;
	size_t len = 0, size;
	unsigned long i, n = 200000, got = 0;
	char where[1100];
	int rc;

	tl_buf_init(&text);
	tl_buf_init(&want);
	for (i = 0; i < n; i++) {
		make_line(&text, i);
		tl_buf_addc(&text, '\n');
	}
	write_gz(path, text.data, text.len);
	free(ut_read(path, &size));
	cr_assert_eq(truncate(path, (off_t)(size / 2)), 0);
	r = open_ok(path);
	tl_err_clear(&err);
	while ((rc = tl_reader_getline(r, &line, &len, &err)) == 1) {
		tl_buf_reset(&want);
		make_line(&want, got);
		got++;
		cr_assert_eq(len, want.len, "line %lu", got);
		cr_assert_eq(memcmp(line, want.data, len), 0, "line %lu", got);
	}
	cr_assert_eq(rc, -1, "truncated gzip read to a quiet end after %lu "
	    "lines", got);
	cr_assert_gt(got, 0);
	cr_assert_lt(got, n);
	cr_assert_eq(err.code, TL_EX_IOERR);
	snprintf(where, sizeof(where), "%s:%lu", path, got + 1);
	cr_assert_str_eq(err.where, where);
	cr_assert_not_null(strstr(err.msg, "truncated"), "msg '%s'", err.msg);
	/* *line holds the start of the line being read */
	tl_buf_reset(&want);
	make_line(&want, got);
	cr_assert_not_null(line);
	cr_assert_lt(len, want.len);
	cr_assert_eq(memcmp(line, want.data, len), 0, "partial '%.*s'",
	    (int)len, line);
	tl_reader_free(r);
	tl_buf_release(&want);
	tl_buf_release(&text);
}

Test(tl_reader, gzip_magic_then_garbage)
{
	static const char junk[] = "\x1f\x8bnot gzip at all\nreally not\n";
	struct tl_reader *r;
	struct tl_err err;
	const char *line;
	size_t len;
	char where[1100];

	ut_write(path, junk, sizeof(junk) - 1);
	r = open_ok(path);
	tl_err_clear(&err);
	cr_assert_eq(tl_reader_getline(r, &line, &len, &err), -1);
	cr_assert_eq(err.code, TL_EX_IOERR);
	snprintf(where, sizeof(where), "%s:1", path);
	cr_assert_str_eq(err.where, where);
	cr_assert_neq(err.msg[0], '\0');
	tl_reader_free(r);
}

Test(tl_reader, corrupt_gzip_body)
{
	struct tl_buf text;
	struct tl_reader *r;
	struct tl_err err;
	const char *line;
	size_t len, size, i;
	char *gz;
	int rc;

	tl_buf_init(&text);
	for (i = 0; i < 20000; i++) {
		make_line(&text, i);
		tl_buf_addc(&text, '\n');
	}
	write_gz(path, text.data, text.len);
	gz = ut_read(path, &size);
	for (i = size / 3; i < size / 3 + 64; i++)
		gz[i] = (char)(gz[i] ^ 0x5a);
	ut_write(path, gz, size);
	r = open_ok(path);
	tl_err_clear(&err);
	while ((rc = tl_reader_getline(r, &line, &len, &err)) == 1)
		;
	cr_assert_eq(rc, -1);
	cr_assert_eq(err.code, TL_EX_IOERR);
	cr_assert_neq(err.msg[0], '\0');
	tl_reader_free(r);
	free(gz);
	tl_buf_release(&text);
}

Test(tl_reader, missing_file)
{
	struct tl_err err;
	char p[1100];

	snprintf(p, sizeof(p), "%s/no-such-file.jsonl", dir);
	tl_err_clear(&err);
	cr_assert_null(tl_reader_open(p, &err));
	cr_assert_eq(err.code, TL_EX_NOINPUT);
	cr_assert_str_eq(err.where, p);
	cr_assert_str_eq(err.msg, strerror(ENOENT));
}

Test(tl_reader, directory_is_a_read_error)
{
	struct tl_reader *r;
	struct tl_err err;
	const char *line;
	size_t len;
	char where[1100];

	tl_err_clear(&err);
	r = tl_reader_open(dir, &err);
	if (r == NULL) {
		/* refusing at open is fine too */
		cr_assert_neq(err.code, 0);
		cr_assert_str_eq(err.where, dir);
		return;
	}
	cr_assert_eq(tl_reader_getline(r, &line, &len, &err), -1);
	cr_assert_eq(err.code, TL_EX_IOERR);
	snprintf(where, sizeof(where), "%s:1", dir);
	cr_assert_str_eq(err.where, where);
	cr_assert_str_eq(err.msg, strerror(EISDIR));
	tl_reader_free(r);
}

Test(tl_reader, stdin_by_dash_and_null)
{
	struct tl_reader *r;

	ut_write_str(path, "from stdin\n2.385\n");
	cr_assert_not_null(freopen(path, "r", stdin));
	r = open_ok("-");
	cr_assert_str_eq(tl_reader_name(r), "<stdin>");
	next_str(r, "from stdin", 1, 1);
	next_str(r, "2.385", 2, 1);
	at_end(r);
	tl_reader_free(r);
	cr_assert_not_null(freopen(path, "r", stdin));
	r = open_ok(NULL);
	cr_assert_str_eq(tl_reader_name(r), "<stdin>");
	next_str(r, "from stdin", 1, 1);
	tl_reader_free(r);
}

Test(tl_reader, free_null)
{
	tl_reader_free(NULL);
}

/* ---- the limit --------------------------------------------------------- */

/* The next line is over the limit: its head is the first
 * min(len, TL_READER_HEAD) bytes of want, it had len bytes and quotes
 * '"'. */
static void
next_long(struct tl_reader *r, const char *want, size_t len, size_t quotes,
    unsigned long lineno)
{
	struct tl_err err;
	const char *line = NULL;
	size_t n = 0, got_len, got_q, head;
	int rc;

	tl_err_clear(&err);
	rc = tl_reader_getline(r, &line, &n, &err);
	cr_assert_eq(rc, 2, "line %lu: rc %d (%s)", lineno, rc, err.msg);
	head = len < TL_READER_HEAD ? len : TL_READER_HEAD;
	cr_assert_eq(n, head, "line %lu: head %zu, want %zu", lineno, n,
	    head);
	cr_assert_eq(memcmp(line, want, head), 0, "line %lu", lineno);
	cr_assert_eq(line[n], '\0');
	tl_reader_long_line(r, &got_len, &got_q);
	cr_assert_eq(got_len, len, "line %lu: %zu bytes, want %zu", lineno,
	    got_len, len);
	cr_assert_eq(got_q, quotes, "line %lu: %zu quotes", lineno, got_q);
	cr_assert_eq(tl_reader_lineno(r), lineno);
	cr_assert_eq(err.code, 0, "no error is set");
}

/* Lines of max bytes pass, max + 1 do not, with "\n" or "\r\n", the
 * long line in the buffer (one read) or across many reads; the lines
 * after each are read whole. */
Test(tl_reader, limit_at_the_boundary)
{
	static const size_t max = 2000;
	struct tl_buf b, x;
	struct tl_reader *r;
	unsigned long ln = 0;
	size_t i;

	tl_buf_init(&b);
	tl_buf_init(&x);
	for (i = 0; i < 3 * 256 * 1024; i++)	/* three read chunks */
		tl_buf_addc(&x, (char)('a' + i % 26));
	tl_buf_add(&b, x.data, max);
	tl_buf_adds(&b, "\n");
	tl_buf_add(&b, x.data, max + 1);
	tl_buf_adds(&b, "\n");
	tl_buf_add(&b, x.data, max);
	tl_buf_adds(&b, "\r\n");
	tl_buf_add(&b, x.data, max + 1);
	tl_buf_adds(&b, "\r\nshort\n");
	tl_buf_add(&b, x.data, x.len);		/* many reads, with "\r\n" */
	tl_buf_adds(&b, "\r\nafter\n");
	tl_buf_add(&b, x.data, x.len);		/* to the end, no "\n" */
	ut_write(path, b.data, b.len);
	r = open_ok(path);
	tl_reader_set_max(r, max);
	next_is(r, x.data, max, ++ln, 1);
	next_long(r, x.data, max + 1, 0, ++ln);
	next_is(r, x.data, max, ++ln, 1);
	next_long(r, x.data, max + 1, 0, ++ln);
	next_str(r, "short", ++ln, 1);
	next_long(r, x.data, x.len, 0, ++ln);
	next_str(r, "after", ++ln, 1);
	next_long(r, x.data, x.len, 0, ++ln);
	cr_assert_eq(tl_reader_had_newline(r), 0);
	at_end(r);
	tl_reader_free(r);
	tl_buf_release(&x);
	tl_buf_release(&b);
}

/* A line of 20 MB under a 1 KiB limit, gzip'd: read past across many
 * reads and inflates, its bytes and quotes counted, and the next line is
 * whole. */
Test(tl_reader, long_gzip_line_is_read_past)
{
	static const char chunk[] = "\"ab\"cd\"";	/* 3 quotes, 7 bytes */
	struct tl_buf b;
	struct tl_reader *r;
	size_t i, n = 20 * 1000 * 1000 / 7;

	tl_buf_init(&b);
	tl_buf_adds(&b, "first\n");
	for (i = 0; i < n; i++)
		tl_buf_add(&b, chunk, 7);
	tl_buf_adds(&b, "\nlast\n");
	write_gz(path, b.data, b.len);
	r = open_ok(path);
	tl_reader_set_max(r, 1024);
	next_str(r, "first", 1, 1);
	next_long(r, b.data + 6, 7 * n, 3 * n, 2);
	next_str(r, "last", 3, 1);
	at_end(r);
	tl_reader_free(r);
	tl_buf_release(&b);
}

/* A long first line loses its BOM as a short one does: from its head
 * (the first TL_READER_HEAD bytes read) and from its length. */
Test(tl_reader, long_line_with_bom)
{
	struct tl_buf b;
	struct tl_reader *r;
	struct tl_err err;
	const char *line;
	size_t i, n, len, q;

	tl_buf_init(&b);
	tl_buf_adds(&b, "\xef\xbb\xbf");
	for (i = 0; i < 5000; i++)
		tl_buf_addc(&b, 'q');
	tl_buf_adds(&b, "\nx\n");
	ut_write(path, b.data, b.len);
	r = open_ok(path);
	tl_reader_set_max(r, 4096);
	cr_assert_eq(tl_reader_getline(r, &line, &n, &err), 2);
	cr_assert_eq(n, TL_READER_HEAD - 3);
	cr_assert_eq(memcmp(line, b.data + 3, n), 0);
	tl_reader_long_line(r, &len, &q);
	cr_assert_eq(len, 5000);
	next_str(r, "x", 2, 1);
	tl_reader_free(r);
	tl_buf_release(&b);
}

/* A truncated gzip while reading past a long line is the I/O error, with
 * the head of the line. */
Test(tl_reader, error_inside_a_long_line)
{
	struct tl_buf b;
	struct tl_reader *r;
	struct tl_err err;
	const char *line;
	char *gz;
	size_t i, n, len;
	unsigned long long s = 7;

	tl_buf_init(&b);
	for (i = 0; i < 4 * 1024 * 1024; i++) {	/* does not compress away */
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		tl_buf_addc(&b, (char)('a' + (s >> 33) % 26));
	}
	tl_buf_adds(&b, "\n");
	write_gz(path, b.data, b.len);
	gz = ut_read(path, &n);
	ut_write(path, gz, n / 2);
	free(gz);
	r = open_ok(path);
	tl_reader_set_max(r, 1024);
	tl_err_clear(&err);
	cr_assert_eq(tl_reader_getline(r, &line, &len, &err), -1);
	cr_assert_eq(err.code, TL_EX_IOERR);
	cr_assert_eq(len, TL_READER_HEAD);
	cr_assert_eq(memcmp(line, b.data, len), 0);
	tl_reader_free(r);
	tl_buf_release(&b);
}
