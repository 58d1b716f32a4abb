/*
 * Record kinds by the whole words of a file's base name: a word table
 * looked up without regard to case, so that "runs-2026-01.jsonl" is runs
 * and "truncated.jsonl" is nothing.
 */
#include <string.h>
#include <strings.h>

#include "tl_kind.h"
#include "tl_util.h"

const char *const tl_kind_names[TL_KIND_N] = { "unknown", "decision",
	"outcome", "run", "promotion", "retirement" };

const struct tl_kind_word tl_kind_words[] = {
	{ "decision", TL_KIND_DECISION },
	{ "decisions", TL_KIND_DECISION },
	{ "trade", TL_KIND_OUTCOME },
	{ "trades", TL_KIND_OUTCOME },
	{ "outcome", TL_KIND_OUTCOME },
	{ "outcomes", TL_KIND_OUTCOME },
	{ "fill", TL_KIND_OUTCOME },
	{ "fills", TL_KIND_OUTCOME },
	{ "run", TL_KIND_RUN },
	{ "runs", TL_KIND_RUN },
	{ "backtest", TL_KIND_RUN },
	{ "backtests", TL_KIND_RUN },
	{ "sim", TL_KIND_RUN },
	{ "sims", TL_KIND_RUN },
	{ "simulation", TL_KIND_RUN },
	{ "simulations", TL_KIND_RUN },
	{ "promotion", TL_KIND_PROMOTION },
	{ "promotions", TL_KIND_PROMOTION },
	{ "retirement", TL_KIND_RETIREMENT },
	{ "retirements", TL_KIND_RETIREMENT },
	{ "retired", TL_KIND_RETIREMENT },
	{ "retire", TL_KIND_RETIREMENT }
};
const size_t tl_kind_nwords = TL_NELEM(tl_kind_words);

/* The suffixes taken off a base name, in turn: ".gz", then one of the
 * format suffixes. */
static const char *const gz_suffix = ".gz";
static const char *const fmt_suffixes[] = { ".jsonl", ".ndjson", ".json",
	".csv" };

static int
is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_letter(char c)
{
	return is_lower(c) || (c >= 'A' && c <= 'Z');
}

int
tl_kind_word_next(const char *s, size_t n, size_t *pos, const char **word,
    size_t *len)
{
	size_t i = *pos, start;

	while (i < n && !is_letter(s[i]))
		i++;
	if (i == n) {
		*pos = n;
		return 0;
	}
	start = i++;
	while (i < n && is_letter(s[i]) && !(is_lower(s[i - 1]) &&
	    !is_lower(s[i])))
		i++;
	*word = s + start;
	*len = i - start;
	*pos = i;
	return 1;
}

/* n less suffix when s[0..n) ends with it (any case), else n. */
static size_t
strip(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n > m && strncasecmp(s + n - m, suffix, m) == 0 ? n - m : n;
}

enum tl_kind
tl_kind_of_name(const char *path, const char **word, size_t *len)
{
	const char *base = strrchr(path, '/'), *w;
	enum tl_kind kind = TL_KIND_NONE;
	size_t n, m, pos = 0, i, wn;

	*word = NULL;
	*len = 0;
	base = base != NULL ? base + 1 : path;
	n = strip(base, strlen(base), gz_suffix);
	for (i = 0; i < TL_NELEM(fmt_suffixes); i++)
		if ((m = strip(base, n, fmt_suffixes[i])) != n) {
			n = m;
			break;
		}
	while (tl_kind_word_next(base, n, &pos, &w, &wn)) {
		for (i = 0; i < tl_kind_nwords; i++)
			if (strlen(tl_kind_words[i].word) == wn &&
			    strncasecmp(w, tl_kind_words[i].word, wn) == 0)
				break;
		if (i == tl_kind_nwords)
			continue;
		if (kind == TL_KIND_NONE) {
			kind = tl_kind_words[i].kind;
			*word = w;
			*len = wn;
		} else if (kind != tl_kind_words[i].kind) {
			*word = NULL;
			*len = 0;
			return TL_KIND_NONE;	/* two kinds: not certain */
		}
	}
	return kind;
}
