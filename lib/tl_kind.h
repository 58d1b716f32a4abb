/*
 * The kinds of record that tl-ingest reads, and what a file's name says
 * of them.  The base name, without ".gz" and then a format suffix
 * (".jsonl", ".ndjson", ".json", ".csv"), is cut into words at every
 * byte that is not an ASCII letter and between a lower-case letter and
 * an upper-case one ("sim_runs-2026", "simRuns": sim, runs).  A kind is
 * named by a whole word of tl_kind_words (any case), never by a part of
 * one: "truncated" holds "run" and names nothing.  A name whose words
 * name two different kinds names none, so that the records' fields
 * decide.  A phrase of tl_kind_phrases (consecutive words) names its
 * kind before its words do: "signal_outcomes" is one signal outcome
 * file, not signals and outcomes.  The directories above the file never
 * count.
 */
#ifndef TL_KIND_H
#define TL_KIND_H

#include <stddef.h>

enum tl_kind {
	TL_KIND_NONE,		/* not known: "unknown" */
	TL_KIND_DECISION,	/* a decision to trade */
	TL_KIND_OUTCOME,	/* a closed trade */
	TL_KIND_RUN,		/* a backtest or simulation run */
	TL_KIND_PROMOTION,	/* a strategy promoted to live */
	TL_KIND_RETIREMENT,	/* a strategy retired */
	TL_KIND_SIGNAL,		/* a signal, traded or blocked */
	TL_KIND_SIGNAL_OUTCOME,	/* what a signal made at a horizon */
	TL_KIND_COUNTERFACTUAL,	/* a blocked signal's would-be trade */
	TL_KIND_N
};

/* "unknown", "decision", "outcome", "run", "promotion", "retirement",
 * "signal", "signal_outcome", "counterfactual". */
extern const char *const tl_kind_names[TL_KIND_N];

/* The words of file names and the kind each names. */
struct tl_kind_word {
	const char	*word;		/* lower case */
	enum tl_kind	 kind;		/* what it names */
};
extern const struct tl_kind_word tl_kind_words[];
extern const size_t tl_kind_nwords;

/* Phrases of up to three consecutive words and the kind each names. */
#define TL_KIND_PHRASE_MAX	3
struct tl_kind_phrase {
	const char	*words[TL_KIND_PHRASE_MAX];	/* lower case; NULL
							 * ends a shorter one */
	enum tl_kind	 kind;		/* what it names */
};
extern const struct tl_kind_phrase tl_kind_phrases[];
extern const size_t tl_kind_nphrases;

/* The next word of s[0..n) at or after *pos.  Returns 1 with *word (a
 * part of s, borrowed) and *len, and *pos past the word; 0 when no word
 * is left. */
int	tl_kind_word_next(const char *s, size_t n, size_t *pos,
	    const char **word, size_t *len);

/* The kind that the base name of path names, with *word (a part of
 * path, borrowed) and *len the first word or phrase that names it; TL_KIND_NONE,
 * *word NULL and *len 0 when no word names a kind or words name two
 * different kinds. */
enum tl_kind tl_kind_of_name(const char *path, const char **word,
	    size_t *len);

#endif
