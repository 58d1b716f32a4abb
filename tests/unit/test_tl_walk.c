/* Unit tests for lib/tl_walk: sorted recursive listing, each directory
 * once, links that loop or dangle skipped with a warning. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	cr_assert_eq(tl_walk_add(&w, dir, NULL, &err), 0, "%s", err.msg);
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
	cr_assert_eq(tl_walk_add(&w, top, NULL, &err), 0);
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
	cr_assert_eq(tl_walk_add(&w, p, NULL, &err), 0);
	/* a dot file named by the user is not skipped */
	ut_path(p, sizeof(p), dir, ".hidden");
	cr_assert_eq(tl_walk_add(&w, p, NULL, &err), 0);
	cr_assert_eq(tl_walk_add(&w, "-", NULL, &err), 0);
	ut_path(p, sizeof(p), dir, "m");
	cr_assert_eq(tl_walk_add(&w, p, NULL, &err), 0);
	ut_path(p, sizeof(p), dir, "a");
	cr_assert_eq(tl_walk_add(&w, p, NULL, &err), 0);
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
	cr_assert_eq(tl_walk_add(&w, dir, NULL, &err), 0);
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
	cr_assert_eq(tl_walk_add(&w, p, NULL, &err), -1);
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
	cr_assert_eq(tl_walk_add(&w, dir, NULL, &err), -1);
	cr_assert_eq(err.code, TL_EX_NOINPUT);
	cr_assert_str_eq(err.where, p);
	cr_assert_str_eq(err.msg, strerror(EACCES));
	chmod(p, 0755);
	tl_walk_release(&w);
}

/* The warnings of a walk, one per line, relative to dir. */
static char warned[4096];

static void
warn(const char *fmt, ...)
{
	char line[1200], *p;
	size_t n = strlen(warned), d = strlen(dir);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* dir/ out of every path in the line */
	while ((p = strstr(line, dir)) != NULL && p[d] == '/')
		memmove(p, p + d + 1, strlen(p + d + 1) + 1);
	snprintf(warned + n, sizeof(warned) - n, "%s\n", line);
}

static void
link_to(const char *target, const char *rel)
{
	char p[1100];

	ut_path(p, sizeof(p), dir, rel);
	cr_assert_eq(symlink(target, p), 0, "symlink %s: %s", p,
	    strerror(errno));
}

/* Walk dir: the paths listed (relative to it) and the warnings. */
static void
walk_is(const char *const *want, size_t n, const char *want_warned)
{
	struct tl_walk w;
	struct tl_err err;
	char prefix[1100];

	warned[0] = '\0';
	tl_walk_init(&w);
	tl_err_clear(&err);
	cr_assert_eq(tl_walk_add(&w, dir, warn, &err), 0, "%s: %s",
	    err.where, err.msg);
	snprintf(prefix, sizeof(prefix), "%s/", dir);
	lists(&w, prefix, want, n);
	cr_assert_str_eq(warned, want_warned);
	tl_walk_release(&w);
}

/* The case of the issue: two links to "." made the walk 2^depth long,
 * until the path was too long (exit 66 after minutes).  Each is one
 * warning now, and the files are listed once. */
Test(tl_walk, links_to_self_are_loops_skipped)
{
	static const char *const want[] = { "trades.jsonl" };

	make("trades.jsonl");
	link_to(".", "a");
	link_to(".", "b");
	walk_is(want, 1, "a: symbolic link loop, skipped\n"
	    "b: symbolic link loop, skipped\n");
}

Test(tl_walk, link_to_an_ancestor_is_a_loop)
{
	static const char *const want[] = { "d/e/f", "d/g" };

	make("d/");
	make("d/e/");
	make("d/e/f");
	make("d/g");
	link_to("../..", "d/e/up");
	walk_is(want, 2, "d/e/up: symbolic link loop, skipped\n");
}

Test(tl_walk, dangling_and_self_looping_links_are_skipped)
{
	static const char *const want[] = { "a", "z" };

	make("a");
	make("z");
	link_to("nowhere", "gone");
	link_to("me", "me");	/* stat: ELOOP */
	walk_is(want, 2, "gone: dangling symbolic link, skipped\n"
	    "me: symbolic link loop, skipped\n");
}

/* A directory reached by a link and by its own name is walked once,
 * under the name met first in byte order. */
Test(tl_walk, a_directory_is_walked_once)
{
	static const char *const want[] = { "a/f", "z" };

	make("real/");
	make("real/f");
	make("z");
	link_to("real", "a");
	walk_is(want, 2, "real: directory already read as a, skipped\n");
}

Test(tl_walk, links_to_files_are_followed)
{
	static const char *const want[] = { "f", "g" };

	make("f");
	link_to("f", "g");
	walk_is(want, 2, "");
}

Test(tl_walk, special_files_are_skipped)
{
	static const char *const want[] = { "a" };
	char p[1100];

	make("a");
	ut_path(p, sizeof(p), dir, "fifo");
	cr_assert_eq(mkfifo(p, 0644), 0);
	walk_is(want, 1, "fifo: not a regular file, skipped\n");
}

/* The same directory named twice is walked once; a file named twice is
 * listed twice (the caller asked). */
Test(tl_walk, the_same_directory_named_twice)
{
	struct tl_walk w;
	struct tl_err err;
	char p[1100];

	make("f");
	warned[0] = '\0';
	tl_walk_init(&w);
	cr_assert_eq(tl_walk_add(&w, dir, warn, &err), 0);
	cr_assert_eq(tl_walk_add(&w, dir, warn, &err), 0);
	ut_path(p, sizeof(p), dir, "f");
	cr_assert_eq(tl_walk_add(&w, p, warn, &err), 0);
	cr_assert_eq(w.n, 2);
	cr_assert_str_eq(w.paths[0], p);
	cr_assert_str_eq(w.paths[1], p);
	cr_assert_not_null(strstr(warned, "directory already read as"));
	tl_walk_release(&w);
}

/* A named path that is a dangling link is an error, as any path that
 * does not exist. */
Test(tl_walk, a_named_dangling_link_is_an_error)
{
	struct tl_walk w;
	struct tl_err err;
	char p[1100];

	link_to("nowhere", "gone");
	ut_path(p, sizeof(p), dir, "gone");
	tl_walk_init(&w);
	tl_err_clear(&err);
	cr_assert_eq(tl_walk_add(&w, p, warn, &err), -1);
	cr_assert_eq(err.code, TL_EX_NOINPUT);
	cr_assert_str_eq(err.msg, strerror(ENOENT));
	tl_walk_release(&w);
}

/* Ten directories each holding links to every one of them: 10^depth paths
 * without the inode set; 10 directories and 100 warnings with it. */
Test(tl_walk, a_web_of_links_is_linear)
{
	char rel[64], target[64];
	struct tl_walk w;
	struct tl_err err;
	int i, j;

	for (i = 0; i < 10; i++) {
		snprintf(rel, sizeof(rel), "d%d/", i);
		make(rel);
		snprintf(rel, sizeof(rel), "d%d/f", i);
		make(rel);
	}
	for (i = 0; i < 10; i++)
		for (j = 0; j < 10; j++) {
			snprintf(rel, sizeof(rel), "d%d/l%d", i, j);
			snprintf(target, sizeof(target), "../d%d", j);
			link_to(target, rel);
		}
	warned[0] = '\0';
	tl_walk_init(&w);
	cr_assert_eq(tl_walk_add(&w, dir, NULL, &err), 0);
	cr_assert_eq(w.n, 10, "%zu files", w.n);
	cr_assert_eq(w.ndirs, 11);	/* dir and d0..d9 */
	tl_walk_release(&w);
}

/* A freqtrade user directory (backtest_results beside strategies): its
 * candles, code, own text log, notebooks, plots and config are skipped
 * with one warning; the bot's records and anything else are walked.  A
 * directory with only one of the two, or one level down, is walked as
 * any other. */
Test(tl_walk, freqtrade_user_directory)
{
	static const char *const want[] = { "u/backtest_results/r.json",
		"u/configs.txt", "u/hyperopt_results/h.fthypt",
		"u/mine.jsonl", "u/tradesv3.sqlite", "v/config.json",
		"v/data/c.json", "v/strategies/s.py" };

	make("u/");
	make("u/backtest_results/");
	make("u/backtest_results/r.json");
	make("u/hyperopt_results/");
	make("u/hyperopt_results/h.fthypt");
	make("u/strategies/");
	make("u/strategies/s.py");
	make("u/data/");
	make("u/data/BTC_USDT-1h.json");
	make("u/logs/");
	make("u/logs/freqtrade.log");
	make("u/notebooks/");
	make("u/plot/");
	make("u/config.json");
	make("u/config-private.json");
	make("u/configs.txt");
	make("u/mine.jsonl");
	make("u/tradesv3.sqlite");
	make("v/");		/* strategies, no backtest_results */
	make("v/strategies/");
	make("v/strategies/s.py");
	make("v/data/");
	make("v/data/c.json");
	make("v/config.json");
	walk_is(want, TL_NELEM(want), "u: a freqtrade user directory: "
	    "config-private.json, config.json, data, logs, notebooks, plot, "
	    "strategies skipped (candles, code, freqtrade's own log, config: "
	    "not trade records)\n");
}
