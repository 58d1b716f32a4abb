/* Unit tests for lib/tl_zip: freqtrade's zipped backtest export (the
 * seeds of the zip fuzz target, written by Python's zipfile: one entry
 * deflated, one stored), a limit below the entry, an archive cut short
 * anywhere, a missing file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_zip.h"
#include "unit.h"

UT_SCRATCH_DIR();

TestSuite(tl_zip, .init = ut_setup, .fini = ut_teardown);

#define SEEDS	"../fuzz/seeds/zip/"

/* The bytes of file path, whole: new, *n set. */
static char *
slurp(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	char *p;

	cr_assert_not_null(fp, "%s", path);
	p = malloc(1 << 16);
	*n = fread(p, 1, 1 << 16, fp);
	fclose(fp);
	return p;
}

Test(tl_zip, deflated_and_stored_give_the_export)
{
	struct tl_buf a, b;
	struct tl_err err = { 0 };

	tl_buf_init(&a);
	tl_buf_init(&b);
	cr_assert_eq(tl_zip_export(SEEDS "deflated.zip", 1 << 20, &a, &err),
	    1, "%s", err.msg);
	cr_assert_eq(tl_zip_export(SEEDS "stored.zip", 1 << 20, &b, &err), 1,
	    "%s", err.msg);
	cr_assert_eq(a.len, b.len);
	cr_assert_eq(memcmp(a.data, b.data, a.len), 0);
	cr_assert_eq(strncmp(a.data, "{\"strategy\":{\"S\":", 17), 0);
	cr_assert_eq(a.data[a.len], '\0');
	/* not the _config.json beside it, which is shorter */
	cr_assert_gt(a.len, 100);
	cr_assert_eq(tl_zip_export(SEEDS "deflated.zip", a.len - 1, &b, &err),
	    -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert(strstr(err.msg, "over") != NULL, "%s", err.msg);
	tl_buf_release(&a);
	tl_buf_release(&b);
}

Test(tl_zip, cut_short_and_missing)
{
	char path[1100], *p;
	struct tl_buf b;
	struct tl_err err = { 0 };
	size_t n, k;
	FILE *fp;

	tl_buf_init(&b);
	p = slurp(SEEDS "stored.zip", &n);
	ut_path(path, sizeof(path), dir, "cut.zip");
	for (k = 0; k < n; k += 37) {	/* every cut: refused, never read */
		fp = fopen(path, "wb");
		fwrite(p, 1, k, fp);
		fclose(fp);
		cr_assert_eq(tl_zip_export(path, 1 << 20, &b, &err), -1,
		    "cut at %zu", k);
		cr_assert_eq(err.code, TL_EX_DATAERR, "cut at %zu", k);
	}
	free(p);
	ut_path(path, sizeof(path), dir, "none.zip");
	cr_assert_eq(tl_zip_export(path, 1 << 20, &b, &err), -1);
	cr_assert_eq(err.code, TL_EX_NOINPUT);
	tl_buf_release(&b);
}
