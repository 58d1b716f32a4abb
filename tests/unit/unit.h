/*
 * Helpers shared by the unit tests: a scratch directory under /tmp made
 * with mkdtemp and removed afterwards, and whole-file reads and writes.
 * Everything is static inline so that a test file using only part of it
 * builds without warnings.
 */
#ifndef TL_UNIT_H
#define TL_UNIT_H

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "tl_json.h"
#include "tl_space.h"

/* New scratch directory "/tmp/tl-unit-XXXXXX"; the test fails without. */
static inline char *
ut_mkdtemp(void)
{
	char tmpl[] = "/tmp/tl-unit-XXXXXX", *d;

	d = mkdtemp(tmpl);
	cr_assert_not_null(d, "mkdtemp failed");
	return strdup(d);
}

/* Remove path and, if it is a directory, everything under it. */
static inline void
ut_rmtree(const char *path)
{
	struct dirent *de;
	struct stat st;
	char *sub;
	DIR *d;

	if (path == NULL || lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			sub = malloc(strlen(path) + strlen(de->d_name) + 2);
			if (sub == NULL)
				break;
			sprintf(sub, "%s/%s", path, de->d_name);
			ut_rmtree(sub);
			free(sub);
		}
		closedir(d);
		rmdir(path);
	} else
		unlink(path);
}

/* A scratch directory per test: UT_SCRATCH_DIR() at file scope, then
 * TestSuite(x, .init = ut_setup, .fini = ut_teardown); the test uses dir. */
#define UT_SCRATCH_DIR()						\
	static char *dir;						\
	static void ut_setup(void) { dir = ut_mkdtemp(); }		\
	static void ut_teardown(void) { ut_rmtree(dir); free(dir); }	\
	static void ut_setup(void)

/* "dir/name" in a static buffer per call site's buf. */
static inline const char *
ut_path(char *buf, size_t size, const char *dir, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
	return buf;
}

static inline void
ut_write(const char *path, const void *p, size_t n)
{
	FILE *fp;

	fp = fopen(path, "wb");
	cr_assert_not_null(fp, "cannot create %s", path);
	cr_assert_eq(fwrite(p, 1, n, fp), n);
	cr_assert_eq(fclose(fp), 0);
}

static inline void
ut_write_str(const char *path, const char *s)
{
	ut_write(path, s, strlen(s));
}

/* New NUL-terminated contents of path; *n (may be NULL) gets the size. */
static inline char *
ut_read(const char *path, size_t *n)
{
	FILE *fp;
	char *p;
	long size;

	fp = fopen(path, "rb");
	cr_assert_not_null(fp, "cannot open %s", path);
	cr_assert_eq(fseek(fp, 0, SEEK_END), 0);
	size = ftell(fp);
	cr_assert_geq(size, 0);
	rewind(fp);
	p = malloc((size_t)size + 1);
	cr_assert_not_null(p);
	cr_assert_eq(fread(p, 1, (size_t)size, fp), (size_t)size);
	fclose(fp);
	p[size] = '\0';
	if (n != NULL)
		*n = (size_t)size;
	return p;
}

static inline int
ut_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Number of entries in dir (without "." and ".."); *first gets a copy of
 * the name of one of them when first is not NULL and there is one. */
static inline size_t
ut_count_entries(const char *dir, char *first, size_t size)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	d = opendir(dir);
	cr_assert_not_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (n++ == 0 && first != NULL)
			snprintf(first, size, "%s", de->d_name);
	}
	closedir(d);
	return n;
}

/* A fixed-seed xorshift64 for test data; never 0 with a nonzero seed. */
static inline unsigned long long
ut_xorshift(unsigned long long *s)
{
	unsigned long long x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* A uniform double in [0, 1) from 53 bits of ut_xorshift, and a standard
 * normal from two of them (Box-Muller). */
static inline double
ut_unif(unsigned long long *s)
{
	return (double)(ut_xorshift(s) >> 11) / 9007199254740992.0;
}

static inline double
ut_gauss(unsigned long long *s)
{
	double u = ut_unif(s), v = ut_unif(s);

	return sqrt(-2 * log(u > 1e-300 ? u : 1e-300)) *
	    cos(6.283185307179586 * v);
}

#define UT_NUMTEXT	64	/* room for any ut_number_text() */

/* A random JSON number text into buf (UT_NUMTEXT bytes): a sign, up to 11
 * integer digits, up to 5 zeros then up to 14 digits after the point
 * (0.000123), an exponent in [-350, 349] a third of the time; so both
 * short and over-19-digit significands, overflow and underflow.
 * Returns the length. */
static inline int
ut_number_text(char *buf, unsigned long long *s)
{
	unsigned long long r = ut_xorshift(s);
	int k, n = 0, nint = (int)((r >> 1) % 12), nfrac = (int)((r >> 8) % 14);

	if (r & 1)
		buf[n++] = '-';
	if (nint == 0)
		buf[n++] = '0';
	for (k = 0; k < nint; k++)
		buf[n++] = (char)('0' + (k == 0 ? 1 + ut_xorshift(s) % 9 :
		    ut_xorshift(s) % 10));
	if (nfrac > 0 || nint == 0) {
		buf[n++] = '.';
		for (k = 0; k < (int)((r >> 16) % 6); k++)
			buf[n++] = '0';
		for (k = 0; k <= nfrac; k++)
			buf[n++] = (char)('0' + ut_xorshift(s) % 10);
	}
	if ((r >> 24) % 3 == 0)
		n += snprintf(buf + n, UT_NUMTEXT - (size_t)n, "e%d",
		    (int)((r >> 32) % 700) - 350);
	buf[n] = '\0';
	return n;
}

/* Write v to path as tl_json_append writes it. */
static inline void
ut_write_json(const char *path, const json_t *v)
{
	struct tl_buf b;

	tl_buf_init(&b);
	tl_json_append(&b, v);
	ut_write_str(path, b.data);
	tl_buf_release(&b);
}

/* Do a and b print as the same text? */
static inline void
ut_assert_json_same(const json_t *a, const json_t *b)
{
	struct tl_buf x, y;

	tl_buf_init(&x);
	tl_buf_init(&y);
	tl_json_append(&x, a);
	tl_json_append(&y, b);
	cr_assert_str_eq(x.data, y.data);
	tl_buf_release(&x);
	tl_buf_release(&y);
}

/* Set the member at the dotted path of v to value (stolen); a number
 * after a dot indexes an array.  The path must exist but for its last
 * part. */
static inline void
ut_json_set(json_t *v, const char *path, json_t *value)
{
	char *key = strdup(path), *p, *dot;
	json_t *obj = v;

	for (p = key; (dot = strchr(p, '.')) != NULL; p = dot + 1) {
		*dot = '\0';
		obj = json_is_array(obj) ? json_array_get(obj, strtoul(p, NULL,
		    10)) : json_object_get(obj, p);
		cr_assert_not_null(obj, "%s: no '%s'", path, p);
	}
	if (json_is_array(obj))
		json_array_set_new(obj, strtoul(p, NULL, 10), value);
	else
		json_object_set_new(obj, p, value);
	free(key);
}

/* Write v, its member at the dotted path set to value (stolen), to path;
 * v is freed. */
static inline void
ut_write_edited(json_t *v, const char *member, json_t *value,
    const char *path)
{
	ut_json_set(v, member, value);
	ut_write_json(path, v);
	json_decref(v);
}

/* err is TL_EX_DATAERR at where saying msg (what: for the failure). */
static inline void
ut_assert_dataerr(const struct tl_err *err, const char *where,
    const char *msg, const char *what)
{
	cr_assert_eq(err->code, TL_EX_DATAERR, "%s: code %d", what, err->code);
	cr_assert_str_eq(err->where, where, "%s", what);
	cr_assert_str_eq(err->msg, msg, "%s", what);
}

/* The space of the JSON text (named "t"); the test fails if it is
 * not one.  New: tl_space_free it. */
static inline struct tl_space *
ut_space(const char *text)
{
	struct tl_err err = { 0 };
	struct tl_space *s;
	json_t *v;

	v = json_loads(text, 0, NULL);
	cr_assert_not_null(v);
	s = tl_space_from_json(v, "t", &err);
	cr_assert_not_null(s, "%s", err.msg);
	json_decref(v);
	return s;
}

#endif
