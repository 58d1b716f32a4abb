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
	"outcome", "run", "promotion", "retirement", "signal",
	"signal_outcome", "counterfactual" };

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
	{ "retire", TL_KIND_RETIREMENT },
	{ "signal", TL_KIND_SIGNAL },
	{ "signals", TL_KIND_SIGNAL },
	{ "counterfactual", TL_KIND_COUNTERFACTUAL },
	{ "counterfactuals", TL_KIND_COUNTERFACTUAL }
};
const size_t tl_kind_nwords = TL_NELEM(tl_kind_words);

/* "outcome" alone is a closed trade: a signal's outcomes at horizons are
 * named by phrases. */
const struct tl_kind_phrase tl_kind_phrases[] = {
	{ { "signal", "outcome" }, TL_KIND_SIGNAL_OUTCOME },
	{ { "signal", "outcomes" }, TL_KIND_SIGNAL_OUTCOME },
	{ { "signals", "outcomes" }, TL_KIND_SIGNAL_OUTCOME },
	{ { "outcomes", "at", "horizon" }, TL_KIND_SIGNAL_OUTCOME },
	{ { "outcomes", "at", "horizons" }, TL_KIND_SIGNAL_OUTCOME },
	{ { "outcomes", "by", "horizon" }, TL_KIND_SIGNAL_OUTCOME },
	{ { "horizon", "outcomes" }, TL_KIND_SIGNAL_OUTCOME }
};
const size_t tl_kind_nphrases = TL_NELEM(tl_kind_phrases);

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

/* Is w[0..n) the word want, in any case? */
static int
word_is(const char *w, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(w, want, n) == 0;
}

/* The phrase of tl_kind_phrases that starts with the word w[0..wn) of
 * s[0..n) (the next words from *pos): its index, *pos past it and *end
 * the end of its last word; or tl_kind_nphrases. */
static size_t
phrase_at(const char *s, size_t n, size_t *pos, const char *w, size_t wn,
    const char **end)
{
	const char *x;
	size_t i, j, p, xn;

	for (i = 0; i < tl_kind_nphrases; i++) {
		if (!word_is(w, wn, tl_kind_phrases[i].words[0]))
			continue;
		p = *pos;
		*end = w + wn;
		for (j = 1; j < TL_KIND_PHRASE_MAX &&
		    tl_kind_phrases[i].words[j] != NULL; j++) {
			if (!tl_kind_word_next(s, n, &p, &x, &xn) ||
			    !word_is(x, xn, tl_kind_phrases[i].words[j]))
				break;
			*end = x + xn;
		}
		if (j == TL_KIND_PHRASE_MAX ||
		    tl_kind_phrases[i].words[j] == NULL) {
			*pos = p;
			return i;
		}
	}
	return tl_kind_nphrases;
}

enum tl_kind
tl_kind_of_name(const char *path, const char **word, size_t *len)
{
	const char *base = strrchr(path, '/'), *w, *end;
	enum tl_kind kind = TL_KIND_NONE, wk;
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
		if ((i = phrase_at(base, n, &pos, w, wn, &end)) <
		    tl_kind_nphrases) {
			wk = tl_kind_phrases[i].kind;
			wn = (size_t)(end - w);
		} else {
			for (i = 0; i < tl_kind_nwords; i++)
				if (word_is(w, wn, tl_kind_words[i].word))
					break;
			if (i == tl_kind_nwords)
				continue;
			wk = tl_kind_words[i].kind;
		}
		if (kind == TL_KIND_NONE) {
			kind = wk;
			*word = w;
			*len = wn;
		} else if (kind != wk) {
			*word = NULL;
			*len = 0;
			return TL_KIND_NONE;	/* two kinds: not certain */
		}
	}
	return kind;
}
