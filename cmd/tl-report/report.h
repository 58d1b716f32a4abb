/*
 * tl-report's parts: what they share.  A night is read into one JSON
 * object of facts, one member per section (load.c and the section
 * files); the facts of two nights are compared and what needs a human is
 * listed (facts.c); the facts become a document (page.c, lib/tl_doc)
 * that main.c writes as Markdown and HTML beside the facts as JSON.
 *
 * A section is one file: the fields of its input files (the one place
 * that knows them, in its *_fields() functions), how they become facts
 * (load), and how the facts are shown (show), with its struct section;
 * main.c lists the sections in the order of the facts and the page.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stddef.h>

#include <jansson.h>

#include "tl_doc.h"
#include "tl_err.h"
#include "tl_jv.h"
#include "tl_panel.h"
#include "tl_svg.h"

#define MAX_ISSUES	16	/* distinct field problems noted per file */

/* One input file being read: where we are and the field problems seen,
 * counted per field so that a bad column is one note, not a thousand. */
struct issue {
	char		 field[64];	/* dotted field name */
	const char	*what;		/* "missing", "not a number", ... */
	unsigned long	 first;		/* first line (0: a JSON file) */
	size_t		 n;		/* lines with the problem */
};

struct src {
	const char	*file;		/* name in the night directory */
	unsigned long	 line;		/* current line, 0 for a JSON file */
	struct issue	 iss[MAX_ISSUES];	/* problems seen */
	size_t		 niss;		/* their number */
};

/* A section of the facts being built. */
struct sec {
	json_t		*obj;		/* the section's facts (borrowed) */
	json_t		*files;		/* file name -> state */
	json_t		*notes;		/* notes, strings */
	size_t		 nfiles;	/* files looked for */
	size_t		 nmissing;	/* of which absent */
	size_t		 nbad;		/* of which malformed */
};

/* A night: its facts and the returns panel (curves stay out of facts). */
struct night {
	const char	*dir;		/* directory */
	int		 is_prev;	/* the night before: no warnings */
	int		 quiet;		/* -q */
	long		 top;		/* --top */
	long		 stale_days;	/* --stale-days */
	long		 stale_logs;	/* --stale-logs */
	double		 turnover_warn;	/* --turnover-warn */
	const char	*history;	/* --history: the history page's URL */
	json_t		*facts;		/* the facts, new */
	struct tl_panel	 ret;		/* returns.csv when have_ret */
	int		 have_ret;	/* ret was read */
	json_t		*last_trade;	/* strategy -> its last trade's date,
					 * from trades.jsonl (new), or NULL */
	size_t		 ninputs;	/* input files there, read or not */
};

/* A section of the report: a member of the facts and, if it has a show
 * function, a section of the page under its title. */
struct section {
	const char	*name;		/* member of the facts, page anchor */
	const char	*title;		/* heading */
	const char	*files;		/* what "Not run tonight: no ..."
					 * names; NULL: always shown */
	void		(*load)(struct night *n, struct sec *sec);
					/* its files into sec->obj */
	void		(*show)(struct tl_doc *d, const json_t *s,
			    const struct night *n);
					/* its facts s into d, below the
					 * heading, before the notes; NULL:
					 * facts only */
	void		(*finish)(struct night *n, json_t *s);
					/* after every section is loaded and
					 * the night dated: what needs the
					 * others' facts; NULL: nothing */
	const char	*step;		/* the pipeline step that writes its
					 * files (a skipped step explains a
					 * missing section); NULL: none */
	int		 optional;	/* its files are missing unless its
					 * step ran ok: a log without what
					 * it reads needs no attention */
};

/* main.c: the sections in the order of the facts and the page */
extern const struct section *const sections[];
extern const size_t nsections;

/* the sections, each in the file of its name (the pipeline's in
 * health.c) */
extern const struct section pipeline_section, book_section, health_section,
    model_section, candidates_section, allocation_section,
    overfit_section, bandit_section, policy_section, regime_section,
    calibration_section;

/* ---- load.c: facts ---------------------------------------------------- */

json_t	*jnum(double x);	/* a number, or null for NaN */
void	 put(json_t *o, const char *key, json_t *v);	/* v stolen */
void	 putn(json_t *o, const char *key, double x);
void	 puts_(json_t *o, const char *key, const char *s);
double	 fnum(const json_t *o, const char *key);	/* NaN if none */
const char *fstr(const json_t *o, const char *key);	/* NULL if none */
/* the noun for n things: one when n is 1, else many ("1 strategy", "0
 * strategies", "2 strategies"); every count of the page says its noun so */
const char *plural(double n, const char *one, const char *many);

#define COUNTSZ	(TL_DOC_NUMSZ + 40)	/* a count and its noun, with NUL */

/* "1 strategy", "12 strategies" (n as a whole number, "n/a" if NaN) into
 * buf of COUNTSZ bytes; returns buf */
char	*count_of(char *buf, double n, const char *one, const char *many);
void	 addf(json_t *arr, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* arr sorted by key(row) descending (NaN last, stable), a new array;
 * ranked(): and each row given its "rank", from 1 */
json_t	*sorted(const json_t *arr, double (*key)(const json_t *));
json_t	*ranked(const json_t *arr, double (*key)(const json_t *));

/* model.c: a row's "importance", the key of sorted() */
double	 key_importance(const json_t *o);

/* the element of arr whose key is s (and, if key2, key2 is s2), or NULL */
json_t	*find_by(const json_t *arr, const char *key, const char *s,
	    const char *key2, const char *s2);

/* the number of rows of arr a table shows: at most --top */
size_t	 top_rows(const json_t *arr, const struct night *n);

/* ---- load.c: reading the inputs defensively --------------------------- */

const json_t *jpath(const json_t *o, const char *path);

/* A field problem of the current line of s. */
void	 issue(struct src *s, const char *field, const char *what);

/* Field getters.  A required field that is absent, or any field of the
 * wrong type, is an issue; the value is then NaN, NULL or -1. */
double	 num_named(struct src *s, const json_t *v, const char *field,
	    int required);
double	 get_num(struct src *s, const json_t *o, const char *key,
	    int required);
const char *get_str(struct src *s, const json_t *o, const char *key,
	    int required);
int	 get_bool(struct src *s, const json_t *o, const char *key,
	    int required);
const json_t *get_arr(struct src *s, const json_t *o, const char *key,
	    int required);
const struct tl_jv *jv_get(struct src *s, const struct tl_jdoc *d,
	    const char *key, unsigned ok, const char *what, int required);

/* A note in the section, and a warning on stderr for tonight's inputs;
 * the issues of s as notes. */
void	 sec_note(struct night *n, struct sec *sec, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	 src_flush(struct night *n, struct sec *sec, struct src *s);
void	 sec_file(struct sec *sec, const char *name, const char *state);

char	*path_of(const char *dir, const char *name);	/* new */
int	 exists(const char *path);

/* Read dir/name as one JSON object of the given format.  Returns it
 * (new), or NULL: absent (state "missing") or malformed (state
 * "malformed" and a note). */
json_t	*read_json(struct night *n, struct sec *sec, const char *name,
	    const char *format);

/* Read dir/name as JSON Lines, fn (jansson) or jfn (tl_jv, for the inputs
 * with a line per trade, where jansson's allocations dominate) for each
 * object.  Bad lines are skipped with a note.  Returns the number of good
 * lines, or -1 if the file is absent or unreadable. */
typedef void (*row_fn)(struct src *s, const json_t *rec, void *ctx);
typedef void (*jv_row_fn)(struct src *s, const struct tl_jdoc *d,
    void *ctx);
long	 read_jsonl(struct night *n, struct sec *sec, const char *name,
	    row_fn fn, jv_row_fn jfn, void *ctx);

/* Read dir/name as JSON Lines into a new array of rows, one per good
 * line, each made by fields(s, line, row); NULL when the file is absent
 * or unreadable (as read_jsonl). */
typedef void (*fields_fn)(struct src *s, const json_t *in, json_t *row);
json_t	*read_rows(struct night *n, struct sec *sec, const char *name,
	    fields_fn fields);

/* Read the night in n->dir (n->dir, quiet, top, stale_days set) into
 * n->facts and n->ret; night_release() frees them. */
void	 load_night(struct night *n);
void	 night_release(struct night *n);

/* ---- facts.c: the night before, and what needs a human ---------------- */

/* Relate tonight's facts t to the previous night's p (NULL without
 * --prev): yesterday's figures beside today's, the list of changes, and
 * each alert new, ongoing or acknowledged, in the page's order. */
void	 compare(json_t *t, const json_t *p);

/* The list of what needs attention, from the facts t. */
void	 conclude(json_t *t);

/* The step of pipeline.json named name in the facts t, or NULL. */
const json_t *pipeline_step(const json_t *t, const char *name);
/* did the step run, and succeed; ": see its warnings under data health"
 * when it warned, else "" */
int	 step_ok(const json_t *t, const char *name);
const char *step_warned(const json_t *t, const char *name);

void	 doc_attention(struct tl_doc *d, const json_t *f);
void	 doc_changes(struct tl_doc *d, const json_t *f, int have_prev);

/* overfit.c: the alerts of the overfit facts of sorted into the page's
 * order (new first, then by severity), and counted by status */
void	 sort_alerts(json_t *of);

/* ---- book.c --------------------------------------------------------- */

/* The book of the night t: its record extended from the night before p
 * (NULL: none), the backtest of tonight's weights before it, and their
 * figures, into t's facts "book". */
void	 book_compute(struct night *t, const struct night *p);

/* main.c: b into path, through a temporary file renamed into place.
 * Returns 0, or -1 with err set. */
int	 write_file(const char *path, const struct tl_buf *b,
	    struct tl_err *err);

/* ---- history.c ------------------------------------------------------ */

/* tl-report history: its own options from argv[0] == "history"; returns
 * the exit status. */
int	 history_main(int argc, char *argv[]);

/* ---- page.c ----------------------------------------------------------- */

/* The document of the night n: title (and date), what needs attention,
 * each section, what changed. */
void	 build_doc(struct tl_doc *d, const struct night *n,
	    const char *title, int have_prev);

/* The notes of section facts s as notes of the page. */
void	 add_notes(struct tl_doc *d, const json_t *s);

/* The bar chart c of the first k weight rows of w (weight and
 * prev_weight, in %), labels[i] naming row i. */
void	 doc_weight_chart(struct tl_doc *d, const struct tl_svg_chart *c,
	    const json_t *w, const char *const *labels, size_t k);

/* Charts at both widths: n bars (tl_svg_bars), or lines with extras
 * (tl_svg_lines_x), folded under fold (NULL: shown). */
void	 doc_bars(struct tl_doc *d, const struct tl_svg_chart *c,
	    const struct tl_svg_bar *bars, size_t n);
void	 doc_lines(struct tl_doc *d, const struct tl_svg_chart *c,
	    const struct tl_svg_linex *x, const char *const *xl, size_t nx,
	    const struct tl_svg_series *s, size_t ns, const char *fold);

/* ---- regime.c --------------------------------------------------------- */

/* Two regime rows: the same regime (label if both have one, else
 * state)?  A row's name: its label, else its state in buf
 * (TL_DOC_NUMSZ). */
int	 same_regime(const json_t *a, const json_t *b);
const char *regime_name(char *buf, const json_t *row);

#endif
