/* Unit tests for lib/tl_alias: strategy renames, chains and bad files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_alias.h"
#include "tl_util.h"
#include "unit.h"

UT_SCRATCH_DIR();

TestSuite(tl_alias, .init = ut_setup, .fini = ut_teardown);

static char path[1100];

static struct tl_alias *
load(const char *text, struct tl_err *err)
{
	ut_path(path, sizeof(path), dir, "aliases.csv");
	ut_write_str(path, text);
	tl_err_clear(err);
	return tl_alias_load(path, err);
}

/* name goes by want now (NULL: not renamed). */
static void
renamed(const struct tl_alias *a, const char *name, const char *want)
{
	const char *to = "untouched";
	size_t n = 9;
	int rc;

	rc = tl_alias_get(a, name, strlen(name), &to, &n);
	if (want == NULL) {
		cr_assert_eq(rc, 0, "'%s' renamed", name);
		cr_assert_str_eq(to, "untouched");
		return;
	}
	cr_assert_eq(rc, 1, "'%s' not renamed", name);
	cr_assert_eq(n, strlen(want), "'%s': '%.*s'", name, (int)n, to);
	cr_assert_eq(memcmp(to, want, n), 0, "'%s': '%.*s'", name, (int)n,
	    to);
}

Test(tl_alias, header_comments_blanks_and_trimming)
{
	struct tl_alias *a;
	struct tl_err err;

	a = load("# renamed on 2026-02-03\n"
	    "old,new\n"
	    "\n"
	    "S0009 , S0021\r\n"
	    "   # indented comment\n"
	    "\tS0010,S0022\n", &err);
	cr_assert_not_null(a, "%s: %s", err.where, err.msg);
	cr_assert_eq(tl_alias_count(a), 2);
	renamed(a, "S0009", "S0021");
	renamed(a, "S0010", "S0022");
	renamed(a, "S0021", NULL);
	renamed(a, "S000", NULL);
	renamed(a, "old", NULL);	/* the header is not a rename */
	tl_alias_free(a);
}

/* Chains resolve to their end whatever the order of their lines; the
 * same rename twice is one. */
Test(tl_alias, chains_resolve_to_their_end)
{
	struct tl_alias *a;
	struct tl_err err;

	a = load("c,d\na,b\nb,c\nx,y\na,b\nold,new\n", &err);
	cr_assert_not_null(a, "%s: %s", err.where, err.msg);
	cr_assert_eq(tl_alias_count(a), 5);	/* "old,new" not first */
	renamed(a, "a", "d");
	renamed(a, "b", "d");
	renamed(a, "c", "d");
	renamed(a, "d", NULL);
	renamed(a, "x", "y");
	renamed(a, "old", "new");
	tl_alias_free(a);
}

/* Each rename in file order, once, with the end of its chain. */
Test(tl_alias, nth_in_file_order)
{
	static const char *const want[][2] = { { "c", "d" }, { "a", "d" },
		{ "b", "d" }, { "x", "y" }, { "old", "new" } };
	struct tl_alias *a;
	struct tl_err err;
	const char *to;
	size_t i;

	a = load("c,d\na,b\nb,c\nx,y\na,b\nold,new\n", &err);
	cr_assert_not_null(a, "%s: %s", err.where, err.msg);
	cr_assert_eq(tl_alias_count(a), 5);
	for (i = 0; i < 5; i++) {
		cr_assert_str_eq(tl_alias_nth(a, i, &to), want[i][0]);
		cr_assert_str_eq(to, want[i][1]);
	}
	tl_alias_free(a);
}

/* A chain of 100,000 renames: each lookup is the end (resolution is
 * linear, so this is fast; it would be slow if each walked its chain). */
Test(tl_alias, a_long_chain)
{
	struct tl_alias *a;
	struct tl_err err;
	struct tl_buf b;
	int i;

	tl_buf_init(&b);
	for (i = 100000; i > 0; i--)
		tl_buf_printf(&b, "s%d,s%d\n", i - 1, i);
	a = load(b.data, &err);
	tl_buf_release(&b);
	cr_assert_not_null(a, "%s: %s", err.where, err.msg);
	renamed(a, "s0", "s100000");
	renamed(a, "s99999", "s100000");
	renamed(a, "s100000", NULL);
	tl_alias_free(a);
}

/* load(text) fails with a data error at line, saying msg. */
static void
bad(const char *text, unsigned long line, const char *msg)
{
	struct tl_err err;
	char where[1200];

	cr_assert_null(load(text, &err), "'%s' loaded", text);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	snprintf(where, sizeof(where), "%s:%lu", path, line);
	cr_assert_str_eq(err.where, where);
	cr_assert_str_eq(err.msg, msg);
}

Test(tl_alias, bad_files)
{
	bad("a,b\nb\n", 2, "expected 'old,new', got 'b'");
	bad("a,b,c\n", 1, "expected 'old,new', got 'a,b,c'");
	bad("a, \n", 1, "new name is empty");
	bad(",b\n", 1, "old name is empty");
	bad("a,b\n\na,c\n", 3, "'a' is renamed twice: to 'b' (line 1) and "
	    "to 'c'");
	bad("x,\xff\n", 1, "invalid UTF-8 or a NUL byte");
}

Test(tl_alias, cycles)
{
	bad("a,a\n", 1, "rename cycle: a -> a");
	bad("a,b\nb,c\nc,a\n", 1, "rename cycle: a -> b -> c -> a");
	/* named where the walk from the first line enters the cycle */
	bad("x,a\ny,z\na,b\nb,a\n", 3, "rename cycle: a -> b -> a");
}

Test(tl_alias, missing_file)
{
	struct tl_err err;
	char p[1100];

	tl_err_clear(&err);
	ut_path(p, sizeof(p), dir, "nope.csv");
	cr_assert_null(tl_alias_load(p, &err));
	cr_assert_eq(err.code, TL_EX_NOINPUT);
	cr_assert_str_eq(err.where, p);
}

Test(tl_alias, empty_file_renames_nothing)
{
	struct tl_alias *a;
	struct tl_err err;

	a = load("# nothing yet\nold,new\n", &err);
	cr_assert_not_null(a);
	cr_assert_eq(tl_alias_count(a), 0);
	renamed(a, "old", NULL);
	tl_alias_free(a);
}
