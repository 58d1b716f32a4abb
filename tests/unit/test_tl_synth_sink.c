/* Unit tests for lib/tl_synth_sink: plain and gzip'd files read back
 * (through the pool, and spilled past TL_SYNTH_GZ_SPILL), the errors of
 * each (cannot create, first failure in submission order), paths and
 * directories. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <zlib.h>

#include "tl_synth_sink.h"
#include "unit.h"

UT_SCRATCH_DIR();

TestSuite(tl_synth_sink, .init = ut_setup, .fini = ut_teardown);

/* The uncompressed content of gzip file path: new, *n bytes. */
static char *
gunzip(const char *path, size_t *n)
{
	gzFile gz = gzopen(path, "rb");
	size_t cap = 1 << 16;
	char *p = malloc(cap);
	int k;

	cr_assert_not_null(gz, "%s", path);
	*n = 0;
	while ((k = gzread(gz, p + *n, (unsigned)(cap - *n))) > 0) {
		*n += (size_t)k;
		if (*n == cap)
			p = realloc(p, cap *= 2);
	}
	cr_assert_eq(k, 0);
	gzclose(gz);
	return p;
}

/* Write data to path through a new sink (gz or not) of pool. */
static void
put_file(const char *path, int gz, struct tl_synth_pool *pool,
    const char *data, size_t n, size_t chunk)
{
	struct tl_synth_sink k;
	struct tl_err err = { 0 };
	size_t i, m;

	cr_assert_eq(tl_synth_sink_open(&k, path, gz, pool, &err), 0);
	for (i = 0; i < n; i += m) {
		m = n - i < chunk ? n - i : chunk;
		cr_assert_eq(tl_synth_sink_write(&k, data + i, m, &err), 0);
	}
	cr_assert_eq(tl_synth_sink_close(&k, &err), 0, "%s", err.msg);
}

Test(tl_synth_sink, plain_and_gzip_files_read_back)
{
	struct tl_synth_pool *pool = tl_synth_pool_alloc();
	struct tl_err err = { 0 };
	char path[8][512], data[4096], *got;
	size_t i, n;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + (i * 7 + i / 13) % 26);
	for (i = 0; i < 8; i++) {
		snprintf(path[i], sizeof(path[i]), "%s/f%zu%s", dir, i,
		    i % 2 ? ".gz" : "");
		put_file(path[i], i % 2, pool, data, sizeof(data) - i * 100,
		    333);
	}
	cr_assert_eq(tl_synth_pool_finish(pool, &err), 0);
	cr_assert_not(tl_synth_pool_failed(pool));
	for (i = 0; i < 8; i++) {
		got = i % 2 ? gunzip(path[i], &n) : ut_read(path[i], &n);
		cr_assert_eq(n, sizeof(data) - i * 100);
		cr_assert_eq(memcmp(got, data, n), 0, "%s", path[i]);
		free(got);
	}
	tl_synth_pool_free(pool);
}

Test(tl_synth_sink, a_large_gzip_file_spills)
{
	size_t n = TL_SYNTH_GZ_SPILL + 300000, i, m;
	char *data = malloc(n), *got, path[512];

	for (i = 0; i < n; i++)
		data[i] = (char)(' ' + (i * 31 + i / 1000) % 90);
	snprintf(path, sizeof(path), "%s/big.gz", dir);
	put_file(path, 1, NULL, data, n, 100000);	/* no pool needed */
	got = gunzip(path, &m);
	cr_assert_eq(m, n);
	cr_assert_eq(memcmp(got, data, n), 0);
	free(got);
	free(data);
}

Test(tl_synth_sink, errors_name_the_file)
{
	struct tl_synth_pool *pool = tl_synth_pool_alloc();
	struct tl_synth_sink k;
	struct tl_err err = { 0 };
	char path[512], want[600];

	snprintf(path, sizeof(path), "%s/nodir/f.jsonl", dir);
	cr_assert_eq(tl_synth_sink_open(&k, path, 0, pool, &err), -1);
	cr_assert_eq(err.code, TL_EX_CANTCREAT);
	cr_assert_str_eq(err.where, path);
	cr_assert_str_eq(err.msg, strerror(ENOENT));
	/* a gzip'd file fails in the pool: the first one handed over is
	 * the one reported */
	put_file(path, 1, pool, "x\n", 2, 2);
	snprintf(want, sizeof(want), "%s", path);
	snprintf(path, sizeof(path), "%s/other/g.jsonl.gz", dir);
	put_file(path, 1, pool, "y\n", 2, 2);
	cr_assert_eq(tl_synth_pool_finish(pool, &err), -1);
	cr_assert_eq(err.code, TL_EX_CANTCREAT);
	cr_assert_str_eq(err.where, want);
	cr_assert(tl_synth_pool_failed(pool));
	tl_synth_pool_free(pool);
}

Test(tl_synth_sink, paths_and_directories)
{
	struct tl_err err = { 0 };
	char buf[TL_SYNTH_PATH_SZ], sub[512], *long_name;

	cr_assert_eq(tl_synth_path(buf, "out", "logs/x", &err), 0);
	cr_assert_str_eq(buf, "out/logs/x");
	long_name = malloc(TL_SYNTH_PATH_SZ);
	memset(long_name, 'a', TL_SYNTH_PATH_SZ - 1);
	long_name[TL_SYNTH_PATH_SZ - 1] = '\0';
	cr_assert_eq(tl_synth_path(buf, "out", long_name, &err), -1);
	cr_assert_eq(err.code, TL_EX_CANTCREAT);
	cr_assert_str_eq(err.msg, "path too long");
	free(long_name);

	snprintf(sub, sizeof(sub), "%s/a//b/c/", dir);
	cr_assert_eq(tl_synth_prepare_dir(sub, &err), 0, "%s", err.msg);
	snprintf(sub, sizeof(sub), "%s/a/b/c/f", dir);
	ut_write_str(sub, "x");
	cr_assert_eq(tl_synth_mkdir(sub, &err), -1, "a file is there");
	cr_assert_str_eq(err.msg, strerror(ENOTDIR));
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	cr_assert_eq(tl_synth_mkdir(sub, &err), 0, "exists: fine");
	cr_assert_eq(tl_synth_prepare_dir(sub, &err), -1);
	cr_assert_eq(err.code, TL_EX_CANTCREAT);
	cr_assert_str_eq(err.where, sub);
	cr_assert_str_eq(err.msg, "directory not empty (remove it or choose "
	    "another)");
}

/* The first m of lines through a new array sink (gz or not) into path;
 * its content read back: new, *n bytes. */
static char *
array_file(const char *path, int gz, const char *const *lines, size_t m,
    size_t *n)
{
	struct tl_synth_pool *pool = tl_synth_pool_alloc();
	struct tl_synth_sink k;
	struct tl_err err = { 0 };
	size_t i;

	cr_assert_eq(tl_synth_sink_open(&k, path, gz, pool, &err), 0);
	k.array = 1;
	for (i = 0; i < m; i++)
		cr_assert_eq(tl_synth_sink_line(&k, lines[i], strlen(lines[i]),
		    &err), 0);
	cr_assert_eq(tl_synth_sink_close(&k, &err), 0);
	cr_assert_eq(tl_synth_pool_finish(pool, &err), 0);
	tl_synth_pool_free(pool);
	return gz ? gunzip(path, n) : ut_read(path, n);
}

/* Lines into an array sink (plain and gzip'd) against the array written
 * out by hand; no line, and a line without its newline, too. */
Test(tl_synth_sink, an_array_sink_frames_its_lines)
{
	static const char *const lines[] = { "{\"a\":1}\n",
	    "{\"b\":[2,3]}\n", "{\"c\":\"x\"}" };
	static const char want[] =
	    "[\n{\"a\":1},\n{\"b\":[2,3]},\n{\"c\":\"x\"}\n]\n";
	struct tl_synth_sink k;
	struct tl_err err = { 0 };
	char path[512], *got;
	size_t i, n;
	int gz;

	for (gz = 0; gz < 2; gz++) {
		snprintf(path, sizeof(path), "%s/e%d.json", dir, gz);
		got = array_file(path, gz, lines, 0, &n);
		cr_assert(n == 3 && memcmp(got, "[]\n", 3) == 0, "%s: %.*s",
		    path, (int)n, got);
		free(got);
		snprintf(path, sizeof(path), "%s/a%d.json", dir, gz);
		got = array_file(path, gz, lines, TL_NELEM(lines), &n);
		cr_assert(n == strlen(want) && memcmp(got, want, n) == 0,
		    "%s: %.*s", path, (int)n, got);
		free(got);
	}
	/* not an array: the lines as they are */
	snprintf(path, sizeof(path), "%s/l.jsonl", dir);
	cr_assert_eq(tl_synth_sink_open(&k, path, 0, NULL, &err), 0);
	for (i = 0; i < 2; i++)
		cr_assert_eq(tl_synth_sink_line(&k, lines[i], strlen(lines[i]),
		    &err), 0);
	cr_assert_eq(tl_synth_sink_close(&k, &err), 0);
	got = ut_read(path, &n);
	cr_assert(n == 20 && memcmp(got, "{\"a\":1}\n{\"b\":[2,3]}\n", n) == 0,
	    "%.*s", (int)n, got);
	free(got);
}
