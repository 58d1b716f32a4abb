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
		return tl_err_set(err, TL_EX_USAGE, opt, 0, "unknown '%s' (%s); "
		    "did you mean %s?", s, list, hint);
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
	{ "jsonl", TL_FMT_JSONL }, { "csv", TL_FMT_CSV }
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
