/*
 * tl-report: the page of a night.  Its title, what needs attention, each
 * section of the page under its heading, and what changed since the
 * night before; the same document becomes report.md and report.html.
 * Every section has the same frame: "Not run tonight" when none of its
 * files was there, "Not shown" with the notes when they could not be
 * read, else what it shows and then its notes.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tl_doc.h"
#include "tl_panel.h"
#include "tl_svg.h"
#include "tl_util.h"

#include "report.h"

void
add_notes(struct tl_doc *d, const json_t *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(s, "notes"), i, v)
		tl_doc_addf(d, TL_DOC_NOTE, "%s", json_string_value(v));
}

/* ---- charts at both widths (tl_doc_add_chart) ------------------------ */

struct bars_ctx {
	const struct tl_svg_bar	*bars;		/* the rows */
	size_t			 n;		/* their number */
};

static void
draw_bars(struct tl_buf *b, const struct tl_svg_chart *c, const void *ctx)
{
	const struct bars_ctx *x = ctx;

	tl_svg_bars(b, c, x->bars, x->n);
}

void
doc_bars(struct tl_doc *d, const struct tl_svg_chart *c,
    const struct tl_svg_bar *bars, size_t n)
{
	struct bars_ctx x = { bars, n };

	tl_doc_add_chart(d, c, draw_bars, &x, NULL);
}

struct lines_ctx {
	const struct tl_svg_linex	*x;	/* the extras */
	const char *const		*xl;	/* x labels */
	size_t				 nx;	/* their number */
	const struct tl_svg_series	*s;	/* the series */
	size_t				 ns;	/* their number */
};

static void
draw_lines(struct tl_buf *b, const struct tl_svg_chart *c, const void *ctx)
{
	const struct lines_ctx *l = ctx;

	tl_svg_lines_x(b, c, l->x, l->xl, l->nx, l->s, l->ns);
}

void
doc_lines(struct tl_doc *d, const struct tl_svg_chart *c,
    const struct tl_svg_linex *x, const char *const *xl, size_t nx,
    const struct tl_svg_series *s, size_t ns, const char *fold)
{
	struct lines_ctx l = { x, xl, nx, s, ns };

	tl_doc_add_chart(d, c, draw_lines, &l, fold);
}

void
doc_weight_chart(struct tl_doc *d, const struct tl_svg_chart *c,
    const json_t *w, const char *const *labels, size_t k)
{
	struct tl_svg_bar *bars = tl_xcalloc(k + 1, sizeof(*bars));
	const json_t *v;
	size_t i;

	for (i = 0; i < k; i++) {
		v = json_array_get(w, i);
		bars[i].label = labels[i];
		bars[i].value = fnum(v, "weight") * 100;
		bars[i].prev = fnum(v, "prev_weight") * 100;
	}
	doc_bars(d, c, bars, k);
	free(bars);
}

/* section s of the night n under its heading, in its frame */
static void
doc_section(struct tl_doc *d, const struct section *s,
    const struct night *n)
{
	const json_t *f = json_object_get(n->facts, s->name);
	const char *st = s->files != NULL ? fstr(f, "status") : NULL, *why;
	struct tl_buf b;

	if (s->show == NULL)
		return;
	tl_doc_add_h2(d, s->name, s->title);
	why = fstr(pipeline_step(n->facts, s->step), "reason");
	if (st != NULL && strcmp(st, "missing") == 0 && why != NULL) {
		/* the settings said so: not a problem, said once here */
		tl_doc_addf(d, TL_DOC_P, "Skipped tonight by the pipeline: %s.",
		    why);
		return;
	}
	if (st != NULL && strcmp(st, "missing") == 0) {
		if (step_ok(n->facts, s->step)) {
			/* it ran: "not run" would contradict the pipeline */
			tl_buf_init(&b);
			tl_buf_adds(&b, "The pipeline's step ");
			tl_doc_put_code(&b, s->step);
			tl_buf_printf(&b, " ran but wrote no %s%s.", s->files,
			    step_warned(n->facts, s->step));
			tl_doc_add(d, TL_DOC_P, &b);
			tl_buf_release(&b);
		} else
			tl_doc_addf(d, TL_DOC_P, "Not run tonight: no %s.",
			    s->files);
		return;
	}
	if (st != NULL && strcmp(st, "malformed") == 0)
		tl_doc_addf(d, TL_DOC_P, "Not shown: %s could not be read.",
		    s->files);
	else
		s->show(d, f, n);
	add_notes(d, f);
}

/* When the night compared with is not the day before (a weekend, a
 * stopped cron, a night rebuilt later), say which it is: the page calls
 * its figures "yesterday". */
static void
doc_prev(struct tl_doc *d, const char *date, const char *prev)
{
	int64_t a, b;

	if (date == NULL || prev == NULL || tl_panel_date_days(date, &a) ==
	    -1 || tl_panel_date_days(prev, &b) == -1 || a - b <= 1)
		return;
	tl_doc_addf(d, TL_DOC_P, "\xE2\x80\x9CYesterday\xE2\x80\x9D in this "
	    "report is the night of %s, %lld days before.", prev,
	    (long long)(a - b));
}

void
build_doc(struct tl_doc *d, const struct night *n, const char *title,
    int have_prev)
{
	const char *date = fstr(json_object_get(n->facts, "night"), "date");
	struct tl_buf b;
	size_t i;

	tl_buf_init(&b);
	tl_doc_put_text(&b, title);
	if (date != NULL) {
		tl_buf_adds(&b, " \xE2\x80\x94 ");
		tl_doc_put_text(&b, date);
	}
	tl_doc_add(d, TL_DOC_H1, &b);
	if (n->history != NULL) {
		tl_buf_adds(&b, "Every night so far: ");
		tl_doc_put_link(&b, n->history, "the history page");
		tl_buf_addc(&b, '.');
		tl_doc_add(d, TL_DOC_P, &b);
	}
	tl_buf_release(&b);
	if (have_prev)
		doc_prev(d, date, fstr(json_object_get(n->facts, "night"),
		    "prev_date"));
	doc_attention(d, n->facts);
	for (i = 0; i < nsections; i++)
		doc_section(d, sections[i], n);
	doc_changes(d, n->facts, have_prev);
}
