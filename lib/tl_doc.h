/*
 * A report as a document: a list of blocks (headings, paragraphs, list
 * items, notes, tables and SVG charts) built once and rendered two ways,
 * as Markdown (CommonMark, with GitHub's tables) for a person or an
 * assistant, and as one self-contained HTML page with its style sheet,
 * light and dark, readable at phone width.
 *
 * Text in blocks is plain UTF-8 with one inline markup: a span appended
 * by tl_doc_put_code() is a name from the inputs (a strategy, a feature),
 * written `code` in Markdown and <code> in HTML.  The span is delimited
 * by two control characters that inputs never bring in, since
 * tl_doc_put_text() and tl_doc_put_code() replace every control character
 * of what they append by U+FFFD.  Escaping is the renderers' job, not the
 * builder's: Markdown's specials get a backslash ('|' in a table cell
 * even inside code, whose fence grows past any run of backticks in it),
 * HTML's get entities (tl_svg_escape).
 *
 * Figures are rounded for people in one way, the display rounding of
 * tl_svg (fixed decimals or significant digits, half away from zero, on
 * tl_num's tl_fmt_decimal); counts print as tl_fmt_double prints them.
 * The tl_doc_fmt_*() forms write into a buffer of TL_DOC_NUMSZ bytes and
 * return it; tl_doc_num() and its kin return the same text as a new
 * string, for a table cell.  NaN is "n/a" in every one.
 *
 * Ownership: the document owns its blocks; text given to a block is
 * copied unless the function says "stolen".  No function fails: out of
 * memory exits (tl_xmalloc).
 */
#ifndef TL_DOC_H
#define TL_DOC_H

#include <stddef.h>

#include <jansson.h>

#include "tl_svg.h"
#include "tl_util.h"

#define TL_DOC_NUMSZ	48	/* a formatted figure, with the NUL */
#define TL_DOC_WIDE	640	/* a chart's width on a wide screen: its
				 * 12-unit text is 12 px at 640 px */
#define TL_DOC_NARROW	360	/* and on a phone: 390 px less the margins
				 * keep its text at 11 px or more */

enum tl_doc_kind {
	TL_DOC_H1,		/* the title */
	TL_DOC_H2,		/* a section's heading, with an anchor */
	TL_DOC_P,		/* a paragraph */
	TL_DOC_LI,		/* a list item: adjacent items form a list */
	TL_DOC_NOTE,		/* a list item "Note: ...", muted */
	TL_DOC_TABLE,		/* a table with a caption */
	TL_DOC_SVG		/* a chart, wide and narrow: HTML only */
};

struct tl_doc_block {
	enum tl_doc_kind kind;		/* what it is */
	char		*text;		/* marked text; a table's caption */
	char		*id;		/* H2: the section's anchor */
	size_t		 ncol;		/* table columns */
	size_t		 nrow;		/* table rows, the head not counted */
	char		**cell;		/* head (ncol), then the rows */
	char		*align;		/* per column: 'l' left, 'r' right
					 * (numbers), 'd' left, no wrap (a
					 * date), 'w' left, wide text that
					 * does not wrap on a phone: the table
					 * then says it scrolls sideways */
	char		**rowcls;	/* per row: its HTML class or NULL */
	char		*svg;		/* SVG: the chart's markup, wide */
	char		*svg_narrow;	/* and narrow */
	char		*caption;	/* SVG: the chart's title, shown */
	int		 scrolls;	/* table: may be wider than a phone
					 * (it says that it scrolls) */
	int		 md_only;	/* table: Markdown only (the page has
					 * a chart of it) */
	int		 stacks;	/* table: on a phone each row is a
					 * block of labelled cells, three a
					 * line (no sideways scroll) */
};

/* A document: caller-owned, tl_doc_init() then tl_doc_release(). */
struct tl_doc {
	struct tl_doc_block *b;		/* blocks in order */
	size_t		 n;		/* used */
	size_t		 cap;		/* allocated */
};

void	tl_doc_init(struct tl_doc *d);
void	tl_doc_release(struct tl_doc *d);	/* frees every block */

/* ---- building --------------------------------------------------------- */

/* Add a block of kind k (H1, P, LI or NOTE) whose text is the marked text
 * in b (built by the tl_doc_put_*() functions); b is emptied for reuse. */
void	tl_doc_add(struct tl_doc *d, enum tl_doc_kind k, struct tl_buf *b);

/* Add a block of kind k whose text is fmt formatted, as plain text: its
 * control characters become U+FFFD. */
void	tl_doc_addf(struct tl_doc *d, enum tl_doc_kind k, const char *fmt,
	    ...) __attribute__((format(printf, 3, 4)));

/* Add a section heading: title (marked text) with the anchor id. */
void	tl_doc_add_h2(struct tl_doc *d, const char *id, const char *title);

/* Add a table with a caption (marked text), one column per character of
 * align ('l', 'r', 'd' or 'w', see struct tl_doc_block) headed head[i].
 * Returns the table (borrowed: valid until the next block is added) for
 * tl_doc_add_row(). */
struct tl_doc_block *tl_doc_add_table(struct tl_doc *d, const char *caption,
	    const char *const *head, const char *align);

/* Mark table t: it may be wider than a phone and scroll sideways (the
 * page says so), or it is for Markdown only (the page shows a chart of
 * the same figures instead). */
void	tl_doc_table_scrolls(struct tl_doc_block *t);
void	tl_doc_table_md_only(struct tl_doc_block *t);

/* Mark table t: on a screen of 660 px or less, each row is shown as a
 * block of its cells, three a line, each under its column's name (a
 * table of short cells too many to fit side by side: no scrolling). */
void	tl_doc_table_stacks(struct tl_doc_block *t);

/* Add a row to table t: its ncol cells (new marked strings, stolen) and
 * an HTML class for the row, or NULL. */
void	tl_doc_add_row(struct tl_doc_block *t, char **cells, const char *cls);

/* A column of a table whose rows are JSON objects: its head, alignment,
 * the member of a row it shows and how.  cell returns the cell's marked
 * text (new) for that member, given digits (decimals or significant
 * digits, as the function says); tl_doc_cell_*() are the usual ones, a
 * section may bring its own. */
struct tl_doc_col {
	const char	*head;		/* column head */
	char		 align;		/* 'l', 'r', 'd' or 'w' (tl_doc_block) */
	char		*(*cell)(const json_t *row, const char *key,
			    int digits);	/* the cell's text, new */
	const char	*key;		/* the member it shows */
	int		 digits;	/* passed to cell */
};

/* Add a table of the ncol columns cols (borrowed: they must outlive the
 * table's rows) with a caption.  Returns it as tl_doc_add_table(). */
struct tl_doc_block *tl_doc_add_cols(struct tl_doc *d, const char *caption,
	    const struct tl_doc_col *cols, size_t ncol);

/* Add the row of JSON object row (borrowed) to table t, made by
 * tl_doc_add_cols() with the same cols, and an HTML class or NULL. */
void	tl_doc_add_json_row(struct tl_doc_block *t,
	    const struct tl_doc_col *cols, const json_t *row, const char *cls);

/* The cells of member key of row: a number (NaN when it is absent, null
 * or not a number) as tl_doc_num, _sig, _int, _pct, _pp with digits; a
 * string (NULL when not one) as tl_doc_code, _text. */
char	*tl_doc_cell_num(const json_t *row, const char *key, int digits);
char	*tl_doc_cell_sig(const json_t *row, const char *key, int digits);
char	*tl_doc_cell_int(const json_t *row, const char *key, int digits);
char	*tl_doc_cell_pct(const json_t *row, const char *key, int digits);
char	*tl_doc_cell_pp(const json_t *row, const char *key, int digits);
char	*tl_doc_cell_code(const json_t *row, const char *key, int digits);
char	*tl_doc_cell_text(const json_t *row, const char *key, int digits);

/* The cell of an object member key of row as tl_doc_put_params() writes
 * it ("" for an empty object), n/a when it is not an object. */
char	*tl_doc_cell_params(const json_t *row, const char *key, int digits);

/* How a chart is drawn: c (with its width and id set for the rendering)
 * into b, from the caller's ctx. */
typedef void (*tl_doc_draw_fn)(struct tl_buf *b,
	    const struct tl_svg_chart *c, const void *ctx);

/* Add a chart drawn twice by draw: TL_DOC_WIDE units wide with c's id
 * and TL_DOC_NARROW wide with the id and "-n"; the page shows the one
 * that fits the screen, so that its text stays legible on a phone,
 * under c's title as a caption.  fold: NULL, or the text of a <details>
 * summary the chart is folded under (a second view of a chart above). */
void	tl_doc_add_chart(struct tl_doc *d, const struct tl_svg_chart *c,
	    tl_doc_draw_fn draw, const void *ctx, const char *fold);

/* ---- marked text ------------------------------------------------------ */

/* Append s as a code span (a name from the inputs); NULL is "n/a". */
void	tl_doc_put_code(struct tl_buf *b, const char *s);

/* Append s as plain text; NULL is "n/a". */
void	tl_doc_put_text(struct tl_buf *b, const char *s);

/* Append a link to href (a relative URL of our own making) reading text:
 * [text](href) in Markdown, <a href> in HTML. */
void	tl_doc_put_link(struct tl_buf *b, const char *href, const char *text);

/* Append "k=v, k=v" for the members of object o, nested objects as
 * dotted keys ("risk.max=0.2"): keys as code, numbers by tl_doc_fmt_short,
 * strings as text, true, false, and "n/a" for the rest (an empty object
 * too). */
void	tl_doc_put_params(struct tl_buf *b, const json_t *o);

/* ---- figures ---------------------------------------------------------- */

/* x to d decimals (tl_svg_fmt_fixed): "2.39". */
const char *tl_doc_fmt_num(char *buf, double x, int d);

/* x to sig significant digits (tl_svg_fmt_sig): "0.0123". */
const char *tl_doc_fmt_sig(char *buf, double x, int sig);

/* A count as it is (tl_fmt_double): "1269", "2.5". */
const char *tl_doc_fmt_int(char *buf, double x);

/* x * 100 to d decimals and "%": "12.5%". */
const char *tl_doc_fmt_pct(char *buf, double x, int d);

/* x to d decimals with a '+' when it is above zero as shown: "+1.5",
 * "-0.3", "0.0". */
const char *tl_doc_fmt_signed(char *buf, double x, int d);

/* At most 4 significant digits without trailing zeros ("155", "0.9",
 * "0.01235"): parameters and figures that are inputs, not our results. */
const char *tl_doc_fmt_short(char *buf, double x);

/* The same as new strings, and: */
char	*tl_doc_num(double x, int d);		/* tl_doc_fmt_num */
char	*tl_doc_sig(double x, int sig);		/* tl_doc_fmt_sig */
char	*tl_doc_int(double x);			/* tl_doc_fmt_int */
char	*tl_doc_pct(double x, int d);		/* tl_doc_fmt_pct */
char	*tl_doc_pp(double x, int d);		/* x * 100, signed: points */
char	*tl_doc_range(double lo, double hi, int d);	/* "lo–hi"; n/a
						 * when both are */
char	*tl_doc_code(const char *s);		/* a code span; NULL: n/a */
char	*tl_doc_text(const char *s);		/* plain text; NULL: n/a */

/* ---- rendering -------------------------------------------------------- */

/* Append d as Markdown to b.  SVG blocks are HTML only: Markdown has
 * the tables and sentences beside them. */
void	tl_doc_markdown(struct tl_buf *b, const struct tl_doc *d);

/* Append d as one HTML page to b: title in <title>, the style sheet
 * (this module's and tl_svg_style()) inline, each H2 opening a <section>
 * labelled by it, nothing fetched from anywhere. */
void	tl_doc_html(struct tl_buf *b, const struct tl_doc *d,
	    const char *title);

#endif
