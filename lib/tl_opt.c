/*
 * The command line of every tool: word options, comma lists (see
 * tl_opt.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tl_opt.h"
#include "tl_util.h"

/* The name of entry i of a table (its first member). */
static const char *
entry_name(const void *tab, size_t i, size_t size)
{
	const char *name;

	memcpy(&name, (const char *)tab + i * size, sizeof(name));
	return name;
}

void
tl_word_list(char *buf, size_t size, const void *tab, size_t n,
    size_t esize)
{
	size_t i, k = 0, len = 0, named = 0;
	const char *name;

	for (i = 0; i < n; i++)
		named += entry_name(tab, i, esize) != NULL;
	buf[0] = '\0';
	for (i = 0; i < n && len < size; i++) {
		if ((name = entry_name(tab, i, esize)) == NULL)
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s", k == 0 ?
		    "" : k + 1 == named ? " or " : ", ", name);
		k++;
	}
}

int
tl_opt_is_path(const char *s)
{
	const char *dot = strrchr(s, '.');
	size_t i, n;

	if (access(s, F_OK) == 0 || strchr(s, '/') != NULL)
		return 1;
	if (dot == NULL || dot == s || (n = strlen(dot + 1)) == 0 || n > 5)
		return 0;
	for (i = 1; i <= n; i++)
		if (!isalpha((unsigned char)dot[i]))
			return 0;
	return 1;
}

long
tl_word_find(const char *opt, const char *s, const void *tab, size_t n,
    size_t size, const char *hint, struct tl_err *err)
{
	char list[512];
	long k;

	if ((k = tl_table_find(tab, n, size, s)) >= 0)
		return k;
	tl_word_list(list, sizeof(list), tab, n, size);
	if (hint != NULL && tl_opt_is_path(s))
		return tl_err_set(err, TL_EX_USAGE, opt, 0, "unknown '%s' "
		    "(%s); did you mean %s?", s, list, hint);
	return tl_err_set(err, TL_EX_USAGE, opt, 0, "unknown '%s' (%s)", s,
	    list);
}

size_t
tl_parse_word(const char *opt, const char *s, const void *tab, size_t n,
    size_t size, const char *hint)
{
	struct tl_err err = { 0 };
	long k;

	if ((k = tl_word_find(opt, s, tab, n, size, hint, &err)) < 0)
		tl_usage_error("%s: %s", err.where, err.msg);
	return (size_t)k;
}

/* The format words: what -f writes, what -i reads. */
struct fmt_word {
	const char	*name;		/* the word */
	enum tl_fmt	 fmt;		/* the format */
};

static const struct fmt_word out_formats[] = {
	{ "jsonl", TL_FMT_JSONL }, { "csv", TL_FMT_CSV }
};
static const struct fmt_word in_formats[] = {
	{ "jsonl", TL_FMT_JSONL }, { "csv", TL_FMT_CSV },
	{ "json", TL_FMT_JSON }
};

enum tl_fmt
tl_parse_format(const char *opt, const char *s, int input)
{
	if (input)
		return in_formats[TL_PARSE_WORD(opt, s, in_formats)].fmt;
	return out_formats[TL_PARSE_WORD(opt, s, out_formats)].fmt;
}

int
tl_split_list(const char *s, char ***out, size_t *n, struct tl_err *err)
{
	const char *p = s, *q;
	char **v = NULL;
	size_t i, k = 0;

	for (;; p = q + 1) {
		if ((q = strchr(p, ',')) == NULL)
			q = p + strlen(p);
		if (q == p) {
			tl_err_set(err, TL_EX_USAGE, NULL, 0, "an empty name");
			goto bad;
		}
		for (i = 0; i < k; i++)
			if (strlen(v[i]) == (size_t)(q - p) &&
			    memcmp(v[i], p, (size_t)(q - p)) == 0) {
				tl_err_set(err, TL_EX_USAGE, NULL, 0,
				    "'%s' twice", v[i]);
				goto bad;
			}
		v = tl_xreallocarray(v, k + 1, sizeof(char *));
		v[k++] = tl_xstrndup(p, (size_t)(q - p));
		if (*q == '\0')
			break;
	}
	*out = v;
	*n = k;
	return 0;
bad:
	tl_free_strings(v, k);
	*out = NULL;
	*n = 0;
	return -1;
}

/* ---- getopt_long with deprecated spellings ---------------------------- */

void
tl_opt_deprecated(const char *old, const char *now)
{
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "%s: note: %s is deprecated: use --%s (see "
		    "%s(1), DEPRECATED)\n", tl_progname(), old, now,
		    tl_progname());
}

/* The val of long option name, or -1. */
static int
long_val(const struct option *longopts, const char *name)
{
	size_t i;

	for (i = 0; longopts[i].name != NULL; i++)
		if (strcmp(longopts[i].name, name) == 0)
			return longopts[i].val;
	return -1;
}

/* The entry of the old spellings for "-c" or "--name", or NULL. */
static const struct tl_old_opt *
old_find(const struct tl_getopt *g, const char *spelling)
{
	size_t i;

	for (i = 0; i < g->nold; i++)
		if (strcmp(g->old[i].old, spelling) == 0)
			return &g->old[i];
	return NULL;
}

/* Edit distance (Levenshtein) of a and b, at most 64 bytes each; more
 * when longer. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[65], prev, cur;

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		prev = d[0];
		d[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = d[j];
			d[j] = a[i - 1] == b[j - 1] ? prev : 1 + (prev < d[j] ?
			    (prev < d[j - 1] ? prev : d[j - 1]) : (d[j] <
			    d[j - 1] ? d[j] : d[j - 1]));
			prev = cur;
		}
	}
	return d[lb];
}

/* An unknown long option arg ("--name" or "--name=value"): exits with
 * the names a prefix stands for, else the nearest name within two edits
 * (old spellings are not suggested). */
static void
bad_long(const struct tl_getopt *g, const char *arg)
{
	char name[128], dashed[136], list[512];
	const char *best = NULL, *eq, *lo;
	size_t i, n, d, bestd = 3, len = 0, nprefix = 0;

	eq = strchr(arg + 2, '=');
	n = eq != NULL ? (size_t)(eq - arg - 2) : strlen(arg + 2);
	snprintf(name, sizeof(name), "%.*s", (int)n, arg + 2);
	for (i = 0; (lo = g->longopts[i].name) != NULL; i++) {
		snprintf(dashed, sizeof(dashed), "--%s", lo);
		if (old_find(g, dashed) != NULL)
			continue;
		if (n > 0 && strncmp(lo, name, n) == 0 && len < sizeof(list)) {
			len += (size_t)snprintf(list + len, sizeof(list) - len,
			    "%s%s", nprefix > 0 ? ", " : "", dashed);
			nprefix++;
		}
		if ((d = distance(name, lo)) < bestd) {
			bestd = d;
			best = lo;
		}
	}
	if (nprefix > 1)
		tl_usage_error("option '%s' is ambiguous (%s)", arg, list);
	if (nprefix == 1 && eq != NULL)
		tl_usage_error("option '%s' takes no value", arg);
	if (best != NULL)
		tl_usage_error("unknown option '%s' (did you mean --%s?)", arg,
		    best);
	tl_usage_error("unknown option '%s'", arg);
}

int
tl_getopt(const struct tl_getopt *g, int argc, char *argv[])
{
	const struct tl_old_opt *old;
	char spelling[128];
	int ch, idx = -1;

	ch = getopt_long(argc, argv, g->optstring, g->longopts, &idx);
	if (ch == -1)
		return -1;
	if (ch == ':' || ch == '?') {
		if (ch == '?' && optopt == 0 &&
		    strncmp(argv[optind - 1], "--", 2) == 0)
			bad_long(g, argv[optind - 1]);
		tl_bad_option(ch, argv[optind - 1]);
	}
	if (idx >= 0)
		snprintf(spelling, sizeof(spelling), "--%s",
		    g->longopts[idx].name);
	else
		snprintf(spelling, sizeof(spelling), "-%c", ch);
	if ((old = old_find(g, spelling)) == NULL)
		return ch;
	tl_opt_deprecated(old->old, old->now);
	return long_val(g->longopts, old->now);
}

const char *
tl_opt_name(const struct option *longopts, int ch, char *buf, size_t size)
{
	size_t i;

	for (i = 0; longopts[i].name != NULL; i++)
		if (longopts[i].val == ch) {
			snprintf(buf, size, "--%s", longopts[i].name);
			return buf;
		}
	snprintf(buf, size, "-%c", ch);
	return buf;
}

/* ---- the files a command reads ----------------------------------------- */

void
tl_opt_inputs(const struct tl_opt_file *f, size_t nf, char *const *ops,
    int nops, int stdin_default, void (*usage)(FILE *))
{
	const char *first = NULL, *by;
	size_t i, n = nf + (size_t)nops + 1;
	int k;

	/* every reader of standard input in turn: options, operands, and
	 * the default when no operand is named */
	for (i = 0; i < n; i++) {
		k = (int)(i - nf);
		if (i < nf)
			by = f[i].path != NULL && strcmp(f[i].path, "-") == 0 ?
			    f[i].opt : NULL;
		else if (k < nops)
			by = strcmp(ops[k], "-") == 0 ? "the operand '-'" :
			    NULL;
		else
			by = nops == 0 && stdin_default ? "the input (no file "
			    "named)" : NULL;
		if (by == NULL)
			continue;
		if (first != NULL)
			tl_usage_error("standard input ('-') is read twice: by "
			    "%s and by %s", first, by);
		first = by;
	}
	if (first != NULL && isatty(STDIN_FILENO)) {
		usage(stderr);
		tl_usage_error("%s: standard input is a terminal: name a file "
		    "or pipe the input in", first);
	}
}

int
tl_threads(long n, int max)
{
	if (n == 0 && (n = sysconf(_SC_NPROCESSORS_ONLN)) < 1)
		n = 1;
	return n > max ? max : (int)n;
}
