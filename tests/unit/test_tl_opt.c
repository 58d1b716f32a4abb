/*
 * Unit tests for lib/tl_opt: the one message of a word option, the list
 * splitter, the format words and the "looks like a file" test behind a
 * misused option's hint.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "tl_opt.h"
#include "tl_util.h"
#include "unit.h"

/* A table whose entries start with their name, one without a name. */
static const struct shape {
	const char	*name;
	int		 sides;
} shapes[] = { { "triangle", 3 }, { NULL, 0 }, { "square", 4 },
    { "hexagon", 6 } };

Test(tl_opt, word_found)
{
	struct tl_err err = { 0 };

	cr_assert_eq(tl_word_find("--shape", "square", shapes,
	    TL_NELEM(shapes), sizeof(shapes[0]), NULL, &err), 2);
	cr_assert_eq(tl_word_find("--shape", "triangle", shapes,
	    TL_NELEM(shapes), sizeof(shapes[0]), NULL, &err), 0);
	cr_assert_eq(err.code, 0);
}

Test(tl_opt, word_unknown_lists_the_names)
{
	struct tl_err err = { 0 };

	cr_assert_eq(tl_word_find("--shape", "circle", shapes,
	    TL_NELEM(shapes), sizeof(shapes[0]), NULL, &err), -1);
	cr_assert_eq(err.code, TL_EX_USAGE);
	cr_assert_str_eq(err.where, "--shape");
	cr_assert_str_eq(err.msg, "unknown 'circle' (triangle, square or "
	    "hexagon)");
	/* two names: "a or b"; one: "a" */
	cr_assert_eq(tl_word_find("--shape", "", shapes, 3,
	    sizeof(shapes[0]), NULL, &err), -1);
	cr_assert_str_eq(err.msg, "unknown '' (triangle or square)");
	cr_assert_eq(tl_word_find("-x", "Square", shapes, 1,
	    sizeof(shapes[0]), NULL, &err), -1);
	cr_assert_str_eq(err.msg, "unknown 'Square' (triangle)");
}

Test(tl_opt, word_table_of_strings)
{
	static const char *const names[] = { "beta", "normal" };
	struct tl_err err = { 0 };

	cr_assert_eq(tl_word_find("--family", "normal", names, 2,
	    sizeof(names[0]), NULL, &err), 1);
	cr_assert_eq(tl_word_find("--family", "gamma", names, 2,
	    sizeof(names[0]), NULL, &err), -1);
	cr_assert_str_eq(err.msg, "unknown 'gamma' (beta or normal)");
}

/* The hint is given only for a value that looks like a file. */
Test(tl_opt, word_hint_for_a_file)
{
	static const char *const methods[] = { "isotonic", "platt" };
	struct tl_err err = { 0 };

	cr_assert_eq(tl_word_find("--method", "map.json", methods, 2,
	    sizeof(methods[0]), "--map", &err), -1);
	cr_assert_str_eq(err.msg, "unknown 'map.json' (isotonic or platt); "
	    "did you mean --map?");
	cr_assert_eq(tl_word_find("--method", "sigmoid", methods, 2,
	    sizeof(methods[0]), "--map", &err), -1);
	cr_assert_str_eq(err.msg, "unknown 'sigmoid' (isotonic or platt)");
}

Test(tl_opt, is_path)
{
	char *dir = ut_mkdtemp(), path[256];

	cr_assert(tl_opt_is_path("map.json"));
	cr_assert(tl_opt_is_path("night/cal"));
	cr_assert(tl_opt_is_path("a.csv"));
	cr_assert_not(tl_opt_is_path("platt"));
	cr_assert_not(tl_opt_is_path("0.95"));		/* digits after '.' */
	cr_assert_not(tl_opt_is_path("x.toolong"));	/* not a suffix */
	cr_assert_not(tl_opt_is_path(".hidden"));
	cr_assert_not(tl_opt_is_path("trailing."));
	/* an existing file whatever its name */
	snprintf(path, sizeof(path), "%s/mapfile", dir);
	ut_write_str(path, "{}");
	cr_assert_eq(chdir(dir), 0);
	cr_assert(tl_opt_is_path("mapfile"));
	cr_assert_eq(chdir("/"), 0);
	ut_rmtree(dir);
	free(dir);
}

Test(tl_opt, split_list)
{
	struct tl_err err = { 0 };
	char **v;
	size_t n;

	cr_assert_eq(tl_split_list("bear,choppy,bull", &v, &n, &err), 0);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(v[0], "bear");
	cr_assert_str_eq(v[1], "choppy");
	cr_assert_str_eq(v[2], "bull");
	tl_free_strings(v, n);
	cr_assert_eq(tl_split_list("genome.*", &v, &n, &err), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(v[0], "genome.*");
	tl_free_strings(v, n);
}

Test(tl_opt, split_list_refuses)
{
	static const char *const bad[][2] = {
		{ "", "an empty name" }, { "a,,b", "an empty name" },
		{ "a,b,", "an empty name" }, { ",a", "an empty name" },
		{ "vol,ret,vol", "'vol' twice" }, { "ab,a,ab", "'ab' twice" }
	};
	struct tl_err err = { 0 };
	char **v = (char **)1;
	size_t i, n = 7;

	for (i = 0; i < TL_NELEM(bad); i++) {
		cr_assert_eq(tl_split_list(bad[i][0], &v, &n, &err), -1,
		    "%s", bad[i][0]);
		cr_assert_null(v);
		cr_assert_eq(n, 0);
		cr_assert_eq(err.code, TL_EX_USAGE);
		cr_assert_str_eq(err.msg, bad[i][1], "%s: %s", bad[i][0],
		    err.msg);
	}
	/* a prefix of another name is not the same name */
	cr_assert_eq(tl_split_list("ab,a,abc", &v, &n, &err), 0);
	cr_assert_eq(n, 3);
	tl_free_strings(v, n);
}

Test(tl_opt, formats)
{
	cr_assert_eq(tl_parse_format("-f", "jsonl", 0), TL_FMT_JSONL);
	cr_assert_eq(tl_parse_format("-f", "csv", 0), TL_FMT_CSV);
	cr_assert_eq(tl_parse_format("-i", "csv", 1), TL_FMT_CSV);
	cr_assert_eq(tl_parse_format("-i", "jsonl", 1), TL_FMT_JSONL);
}

/* ---- tl_getopt -------------------------------------------------------- */

enum { O_KIND = 256, O_OUTDIR, O_QUIET };

static const struct option longopts[] = {
	{ "kind", required_argument, NULL, O_KIND },
	{ "output-dir", required_argument, NULL, 'd' },
	{ "outdir", required_argument, NULL, 'd' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "threshold", required_argument, NULL, 't' },
	{ "threads", required_argument, NULL, 'T' },
	{ NULL, 0, NULL, 0 }
};
static const struct tl_old_opt olds[] = {
	{ "-k", "kind" }, { "--outdir", "output-dir" }
};
static const struct tl_getopt g = { ":d:k:qT:t:", longopts, olds,
    TL_NELEM(olds) };

/* The values tl_getopt returns for argv, and the optargs, as text. */
static void
parse(char *argv[], int argc, char *out, size_t size)
{
	size_t len = 0;
	int ch;

	optind = 0;
	out[0] = '\0';
	while ((ch = tl_getopt(&g, argc, argv)) != -1)
		len += (size_t)snprintf(out + len, size - len, "%d=%s ", ch,
		    optarg != NULL ? optarg : "");
}

/* Old spellings come back as the options that replaced them. */
Test(tl_opt, getopt_old_spellings)
{
	char a0[] = "tl-x", a1[] = "-k", a2[] = "outcome", a3[] = "--outdir",
	    a4[] = "night", a5[] = "--kind=run", a6[] = "-d", a7[] = "n2",
	    a8[] = "-q";
	char *argv[] = { a0, a1, a2, a3, a4, a5, a6, a7, a8, NULL };
	char got[256], want[256];

	tl_init("tl-x");
	parse(argv, 9, got, sizeof(got));
	snprintf(want, sizeof(want), "%d=outcome %d=night %d=run %d=n2 %d= ",
	    O_KIND, 'd', O_KIND, 'd', 'q');
	cr_assert_str_eq(got, want);
}

Test(tl_opt, getopt_suggests, .exit_code = 64)
{
	char a0[] = "tl-x", a1[] = "--treshold", a2[] = "5";
	char *argv[] = { a0, a1, a2, NULL };
	char got[64];

	tl_init("tl-x");
	cr_redirect_stderr();
	parse(argv, 3, got, sizeof(got));
}

Test(tl_opt, getopt_ambiguous, .exit_code = 64)
{
	char a0[] = "tl-x", a1[] = "--thr";
	char *argv[] = { a0, a1, NULL };
	char got[64];

	tl_init("tl-x");
	cr_redirect_stderr();
	parse(argv, 2, got, sizeof(got));
}

Test(tl_opt, opt_name)
{
	char buf[32];

	cr_assert_str_eq(tl_opt_name(longopts, O_KIND, buf, sizeof(buf)),
	    "--kind");
	cr_assert_str_eq(tl_opt_name(longopts, 'd', buf, sizeof(buf)),
	    "--output-dir");
	cr_assert_str_eq(tl_opt_name(longopts, 'x', buf, sizeof(buf)), "-x");
}

/* ---- tl_opt_inputs ---------------------------------------------------- */

static void
no_usage(FILE *fp)
{
	(void)fp;
}

/* stdin of the tests is not a terminal here: one reader is fine */
Test(tl_opt, inputs_once)
{
	struct tl_opt_file f[] = { { "--state", "-" }, { "--prev", NULL },
	    { "--map", "m.json" } };
	char o0[] = "a.jsonl";
	char *ops[] = { o0 };

	tl_opt_inputs(f, TL_NELEM(f), ops, 1, 1, no_usage);
	f[0].path = "s.json";
	tl_opt_inputs(f, TL_NELEM(f), ops, 0, 1, no_usage);
	tl_opt_inputs(f, TL_NELEM(f), NULL, 0, 0, no_usage);
}

Test(tl_opt, inputs_twice_option_and_default, .exit_code = 64)
{
	struct tl_opt_file f[] = { { "--state", "-" } };

	cr_redirect_stderr();
	tl_init("tl-x");
	tl_opt_inputs(f, 1, NULL, 0, 1, no_usage);
}

Test(tl_opt, inputs_twice_options, .exit_code = 64)
{
	struct tl_opt_file f[] = { { "--state", "-" }, { "--prev", "-" } };

	cr_redirect_stderr();
	tl_opt_inputs(f, 2, NULL, 0, 0, no_usage);
}

Test(tl_opt, inputs_twice_operands, .exit_code = 64)
{
	char o0[] = "-", o1[] = "b", o2[] = "-";
	char *ops[] = { o0, o1, o2 };

	cr_redirect_stderr();
	tl_opt_inputs(NULL, 0, ops, 3, 1, no_usage);
}

/* -T n: n as given; 0 is the cores online, at least 1, at most max */
Test(tl_opt, threads)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	cores = cores < 1 ? 1 : cores;
	cr_assert_eq(tl_threads(3, 1024), 3);
	cr_assert_eq(tl_threads(1, 1024), 1);
	cr_assert_eq(tl_threads(9, 4), 4);
	cr_assert_eq(tl_threads(0, 1024), cores > 1024 ? 1024 : (int)cores);
	cr_assert_eq(tl_threads(0, 1), 1);
}
