/* Unit tests for lib/tl_kind: the words of a file name and the kind they
 * name. */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_kind.h"
#include "tl_util.h"

/* The words of s, joined by '|'. */
static void
words_are(const char *s, const char *want)
{
	char got[256] = "";
	const char *w;
	size_t pos = 0, n, len = 0;

	while (tl_kind_word_next(s, strlen(s), &pos, &w, &n))
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%.*s",
		    len > 0 ? "|" : "", (int)n, w);
	cr_assert_str_eq(got, want, "words of '%s'", s);
	cr_assert_eq(pos, strlen(s));
}

Test(tl_kind, words_split_at_non_letters_and_lower_upper)
{
	words_are("sim_runs-2026-01", "sim|runs");
	words_are("simRuns", "sim|Runs");
	words_are("TradesLog", "Trades|Log");
	words_are("BACKTEST", "BACKTEST");	/* upper -> upper: one word */
	words_are("RUNSummary", "RUNSummary");	/* upper -> lower: no cut */
	words_are("runs2026fills", "runs|fills");
	/* bytes beyond ASCII are not letters */
	words_are("a.b c\t\xc3\xa9t\xc3\xa9", "a|b|c|t");
	words_are("2026-01-05", "");
	words_are("", "");
	words_are("x", "x");
}

/* kind_of_name(path) is want, decided by word (NULL: none). */
static void
name_is(const char *path, enum tl_kind want, const char *word)
{
	const char *w = (const char *)1;
	size_t n = 99;
	enum tl_kind k;

	k = tl_kind_of_name(path, &w, &n);
	cr_assert_eq(k, want, "'%s': %s, want %s", path, tl_kind_names[k],
	    tl_kind_names[want]);
	if (word == NULL) {
		cr_assert_null(w, "'%s'", path);
		cr_assert_eq(n, 0);
	} else {
		cr_assert_not_null(w);
		cr_assert_eq(n, strlen(word), "'%s'", path);
		cr_assert_eq(memcmp(w, word, n), 0, "'%s': '%.*s'", path,
		    (int)n, w);
	}
}

Test(tl_kind, whole_words_name_kinds)
{
	name_is("runs.jsonl", TL_KIND_RUN, "runs");
	name_is("sim_runs.jsonl.gz", TL_KIND_RUN, "sim");
	name_is("backtest-2026.csv", TL_KIND_RUN, "backtest");
	name_is("logs/runs/runs-2026-01.jsonl.gz", TL_KIND_RUN, "runs");
	name_is("Simulations.CSV", TL_KIND_RUN, "Simulations");
	name_is("decisions.jsonl", TL_KIND_DECISION, "decisions");
	name_is("2026-01-05/trades.csv", TL_KIND_OUTCOME, "trades");
	name_is("broker_fills.csv", TL_KIND_OUTCOME, "fills");
	name_is("outcome.ndjson", TL_KIND_OUTCOME, "outcome");
	name_is("promotions.jsonl", TL_KIND_PROMOTION, "promotions");
	name_is("retired.jsonl", TL_KIND_RETIREMENT, "retired");
	name_is("strategyRetirements.json", TL_KIND_RETIREMENT,
	    "Retirements");
	name_is("retire-log.jsonl", TL_KIND_RETIREMENT, "retire");
}

/* The names that substrings used to misread. */
Test(tl_kind, parts_of_words_name_nothing)
{
	name_is("truncated.jsonl", TL_KIND_NONE, NULL);	/* "run" */
	name_is("overrun.jsonl", TL_KIND_NONE, NULL);
	name_is("brunch.csv", TL_KIND_NONE, NULL);
	name_is("simple.jsonl", TL_KIND_NONE, NULL);	/* "sim" */
	name_is("promoted.jsonl", TL_KIND_NONE, NULL);	/* "promot" */
	name_is("tradesman.jsonl", TL_KIND_NONE, NULL);
	name_is("refill.jsonl", TL_KIND_NONE, NULL);
	name_is("market.csv", TL_KIND_NONE, NULL);
	name_is("-", TL_KIND_NONE, NULL);
}

/* Only the base name counts, and two kinds in it are no certain kind. */
Test(tl_kind, directories_do_not_count_and_two_kinds_are_none)
{
	name_is("runs/data.jsonl", TL_KIND_NONE, NULL);
	name_is("trades/", TL_KIND_NONE, NULL);
	name_is("decisions-and-trades.jsonl", TL_KIND_NONE, NULL);
	name_is("sim_retired.jsonl", TL_KIND_NONE, NULL);
	name_is("runs_backtests_sims.jsonl", TL_KIND_RUN, "runs");
}

/* The suffixes taken off are ".gz" and then one format suffix: the rest
 * of the name is words like any other. */
Test(tl_kind, suffixes)
{
	name_is("x.runs", TL_KIND_RUN, "runs");
	name_is("runs.gz", TL_KIND_RUN, "runs");
	name_is("trades.csv.gz", TL_KIND_OUTCOME, "trades");
	name_is("trades.jsonl.1", TL_KIND_OUTCOME, "trades");
}

/* Every word of the table names its kind alone, in lower and upper
 * case. */
Test(tl_kind, the_table)
{
	char name[64], upper[32];
	size_t i, j;

	cr_assert_eq(tl_kind_nwords, 26);
	for (i = 0; i < tl_kind_nwords; i++) {
		cr_assert_neq(tl_kind_words[i].kind, TL_KIND_NONE);
		snprintf(name, sizeof(name), "x_%s.jsonl",
		    tl_kind_words[i].word);
		name_is(name, tl_kind_words[i].kind, tl_kind_words[i].word);
		for (j = 0; tl_kind_words[i].word[j] != '\0'; j++)
			upper[j] = (char)(tl_kind_words[i].word[j] - 'a' + 'A');
		upper[j] = '\0';
		snprintf(name, sizeof(name), "%s-1.csv", upper);
		name_is(name, tl_kind_words[i].kind, upper);
	}
	cr_assert_str_eq(tl_kind_names[TL_KIND_RETIREMENT], "retirement");
	cr_assert_str_eq(tl_kind_names[TL_KIND_NONE], "unknown");
}

/* A phrase names its kind before its words: "signal outcomes" is one
 * kind, not signals and outcomes (two kinds: none); a word that only
 * starts a phrase is a word; "outcome" alone stays a closed trade. */
Test(tl_kind, phrases_name_signal_outcomes)
{
	name_is("signal_outcomes.jsonl", TL_KIND_SIGNAL_OUTCOME,
	    "signal_outcomes");
	name_is("2026-01-05/signalOutcomes.csv", TL_KIND_SIGNAL_OUTCOME,
	    "signalOutcomes");
	name_is("SIGNAL-OUTCOME.jsonl.gz", TL_KIND_SIGNAL_OUTCOME,
	    "SIGNAL-OUTCOME");
	name_is("outcomes-at-horizon.jsonl", TL_KIND_SIGNAL_OUTCOME,
	    "outcomes-at-horizon");
	name_is("bot_signal_outcomes_signal_outcome.jsonl",
	    TL_KIND_SIGNAL_OUTCOME, "signal_outcomes");
	name_is("signals.jsonl", TL_KIND_SIGNAL, "signals");
	name_is("signal-log.jsonl", TL_KIND_SIGNAL, "signal");
	name_is("counterfactuals.jsonl", TL_KIND_COUNTERFACTUAL,
	    "counterfactuals");
	name_is("outcomes.jsonl", TL_KIND_OUTCOME, "outcomes");
	name_is("outcomes-at.jsonl", TL_KIND_OUTCOME, "outcomes");
	/* a phrase and another kind's word: two kinds */
	name_is("signal_outcomes_and_trades.jsonl", TL_KIND_NONE, NULL);
	name_is("signals_trades.jsonl", TL_KIND_NONE, NULL);
	name_is("signalling.jsonl", TL_KIND_NONE, NULL);
	cr_assert_str_eq(tl_kind_names[TL_KIND_SIGNAL_OUTCOME],
	    "signal_outcome");
	cr_assert_str_eq(tl_kind_names[TL_KIND_COUNTERFACTUAL],
	    "counterfactual");
}

/* Every phrase names its kind, its words joined by '_'. */
Test(tl_kind, the_phrases)
{
	char phrase[64], name[96];
	size_t i, j, len;

	for (i = 0; i < tl_kind_nphrases; i++) {
		len = 0;
		for (j = 0; j < TL_KIND_PHRASE_MAX &&
		    tl_kind_phrases[i].words[j] != NULL; j++)
			len += (size_t)snprintf(phrase + len,
			    sizeof(phrase) - len, "%s%s", j > 0 ? "_" : "",
			    tl_kind_phrases[i].words[j]);
		snprintf(name, sizeof(name), "x-%s.jsonl", phrase);
		name_is(name, tl_kind_phrases[i].kind, phrase);
	}
}
