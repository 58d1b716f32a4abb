/* Unit tests for lib/tl_walk: sorted recursive listing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <criterion/criterion.h>

#include "tl_walk.h"
#include "unit.h"

UT_SCRATCH_DIR();

TestSuite(tl_walk, .init = ut_setup, .fini = ut_teardown);

static void
make(const char *rel)
{
	char p[1100];

	ut_path(p, sizeof(p), dir, rel);
	if (rel[strlen(rel) - 1] == '/')
		cr_assert_eq(mkdir(p, 0755), 0, "mkdir %s", p);
	else
		ut_write_str(p, rel);
}

/* w lists exactly the names in want (relative to prefix). */
static void
lists(const struct tl_walk *w, const char *prefix,
    const char *const *want, size_t n)
{
	char p[1100];
	size_t i;

	for (i = 0; i < n && i < w->n; i++) {
		snprintf(p, sizeof(p), "%s%s", prefix, want[i]);
		cr_assert_str_eq(w->paths[i], p, "entry %zu", i);
	}
	cr_assert_eq(w->n, n, "%zu paths, want %zu", w->n, n);
}

static void
make_tree(void)
{
	/* made in a shuffled order so that creation order is not sorted */
	make("z");
	make("m/");
	make("m/b");
	make(".hidden");
	make("a");
	make("m/a");
	make("m/.dot");
	make(".hdir/");
	make(".hdir/x");
	make("B");
	make("m/sub/");
	make("m/sub/c");
	make("a.b");
	make("a-b");
	make("empty/");
}

Test(tl_walk, sorted_byte_order_without_dot_files)
{
	static const char *const want[] = { "B", "a", "a-b", "a.b", "m/a",
	    "m/b", "m/sub/c", "z" };
	struct tl_walk w;
	struct tl_err err;
	char prefix[1100];

	make_tree();
	tl_walk_init(&w);
	cr_assert_eq(tl_walk_add(&w, dir, &err), 0, "%s", err.msg);
	snprintf(prefix, sizeof(prefix), "%s/", dir);
	lists(&w, prefix, want, sizeof(want) / sizeof(want[0]));
	tl_walk_release(&w);
	cr_assert_eq(w.n, 0);
	cr_assert_null(w.paths);
}

Test(tl_walk, trailing_slash_gives_one_slash)
{
	static const char *const want[] = { "a", "m/b" };
	struct tl_walk w;
	struct tl_err err;
	char top[1100], prefix[1100];

	make("m/");
	make("m/b");
	make("a");
	snprintf(top, sizeof(top), "%s/", dir);
	tl_walk_init(&w);
	cr_assert_eq(tl_walk_add(&w, top, &err), 0);
	snprintf(prefix, sizeof(prefix), "%s/", dir);
	lists(&w, prefix, want, 2);
	tl_walk_release(&w);
}

Test(tl_walk, files_and_dash_are_kept_in_order_given)
{
	static const char *const want[] = { "z", ".hidden", "-", "m/a",
	    "m/b", "m/sub/c", "a" };
	struct tl_walk w;
	struct tl_err err;
	char p[1100];
	size_t i;

	make_tree();
	tl_walk_init(&w);
	ut_path(p, sizeof(p), dir, "z");
	cr_assert_eq(tl_walk_add(&w, p, &err), 0);
	/* a dot file named by the user is not skipped */
	ut_path(p, sizeof(p), dir, ".hidden");
	cr_assert_eq(tl_walk_add(&w, p, &err), 0);
	cr_assert_eq(tl_walk_add(&w, "-", &err), 0);
	ut_path(p, sizeof(p), dir, "m");
	cr_assert_eq(tl_walk_add(&w, p, &err), 0);
	ut_path(p, sizeof(p), dir, "a");
	cr_assert_eq(tl_walk_add(&w, p, &err), 0);
	cr_assert_eq(w.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < w.n; i++) {
		if (strcmp(want[i], "-") == 0)
			snprintf(p, sizeof(p), "-");
		else
			ut_path(p, sizeof(p), dir, want[i]);
		cr_assert_str_eq(w.paths[i], p);
	}
	tl_walk_release(&w);
}

Test(tl_walk, empty_directory)
{
	struct tl_walk w;
	struct tl_err err;

	tl_walk_init(&w);
	cr_assert_eq(tl_walk_add(&w, dir, &err), 0);
	cr_assert_eq(w.n, 0);
	tl_walk_release(&w);
}

Test(tl_walk, missing_path)
{
	struct tl_walk w;
	struct tl_err err;
	char p[1100];

	ut_path(p, sizeof(p), dir, "nope");
	tl_walk_init(&w);
	tl_err_clear(&err);
	cr_assert_eq(tl_walk_add(&w, p, &err), -1);
	cr_assert_eq(err.code, TL_EX_NOINPUT);
	cr_assert_str_eq(err.where, p);
	cr_assert_str_eq(err.msg, strerror(ENOENT));
	cr_assert_eq(w.n, 0);
	tl_walk_release(&w);
}

Test(tl_walk, unreadable_subdirectory)
{
	struct tl_walk w;
	struct tl_err err;
	char p[1100];

	if (geteuid() == 0) {
		ut_teardown();	/* .fini does not run after a skip */
		dir = NULL;
		cr_skip_test("root reads any directory");
	}
	make("locked/");
	make("locked/f");
	ut_path(p, sizeof(p), dir, "locked");
	chmod(p, 0);
	tl_walk_init(&w);
	cr_assert_eq(tl_walk_add(&w, dir, &err), -1);
	cr_assert_eq(err.code, TL_EX_NOINPUT);
	cr_assert_str_eq(err.where, p);
	cr_assert_str_eq(err.msg, strerror(EACCES));
	chmod(p, 0755);
	tl_walk_release(&w);
}
