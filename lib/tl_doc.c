/*
 * The report document (tl_doc.h): blocks, marked text, figures, and the
 * Markdown and HTML renderings.  A renderer walks the blocks once and
 * switches on their kind; the only state it carries is whether a list
 * (and, in HTML, a section) is open.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tl_doc.h"
#include "tl_num.h"
#include "tl_svg.h"
#include "tl_util.h"

/* The inline code markers: control characters, which marked text gets
 * from tl_doc_put_code() only. */
#define CODE_ON		'\x01'
#define CODE_OFF	'\x02'

#define REPLACEMENT	"\xEF\xBF\xBD"	/* U+FFFD, for control characters */

/* ---- blocks ----------------------------------------------------------- */

void
tl_doc_init(struct tl_doc *d)
{
	memset(d, 0, sizeof(*d));
}

void
tl_doc_release(struct tl_doc *d)
{
	size_t i, j;

	for (i = 0; i < d->n; i++) {
		struct tl_doc_block *b = &d->b[i];

		free(b->text);
		free(b->id);
		for (j = 0; j < (b->nrow + 1) * b->ncol; j++)
			free(b->cell[j]);
		free(b->cell);
		free(b->align);
		for (j = 0; j < b->nrow; j++)
			free(b->rowcls[j]);
		free(b->rowcls);
		free(b->svg);
	}
	free(d->b);
	memset(d, 0, sizeof(*d));
}

static struct tl_doc_block *
new_block(struct tl_doc *d, enum tl_doc_kind k)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		d->b = tl_xreallocarray(d->b, d->cap, sizeof(*d->b));
	}
	memset(&d->b[d->n], 0, sizeof(d->b[0]));
	d->b[d->n].kind = k;
	return &d->b[d->n++];
}

void
tl_doc_add(struct tl_doc *d, enum tl_doc_kind k, struct tl_buf *b)
{
	new_block(d, k)->text = tl_xstrdup(b->data);
	tl_buf_reset(b);
}

void
tl_doc_addf(struct tl_doc *d, enum tl_doc_kind k, const char *fmt, ...)
{
	struct tl_buf t, b;
	va_list ap;
	int n;

	tl_buf_init(&t);
	va_start(ap, fmt);
	n = vsnprintf(t.data, t.cap, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n >= t.cap) {
		tl_buf_reserve(&t, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(t.data, t.cap, fmt, ap);
		va_end(ap);
	}
	tl_buf_init(&b);
	tl_doc_put_text(&b, t.data);
	new_block(d, k)->text = b.data;
	tl_buf_release(&t);
}

void
tl_doc_add_h2(struct tl_doc *d, const char *id, const char *title)
{
	struct tl_doc_block *bl = new_block(d, TL_DOC_H2);

	bl->id = tl_xstrdup(id);
	bl->text = tl_xstrdup(title);
}

struct tl_doc_block *
tl_doc_add_table(struct tl_doc *d, const char *caption,
    const char *const *head, const char *align)
{
	struct tl_doc_block *t = new_block(d, TL_DOC_TABLE);
	size_t i;

	t->text = tl_xstrdup(caption);
	t->ncol = strlen(align);
	t->align = tl_xstrdup(align);
	t->cell = tl_xcalloc(t->ncol, sizeof(char *));
	for (i = 0; i < t->ncol; i++)
		t->cell[i] = tl_xstrdup(head[i]);
	return t;
}

void
tl_doc_add_row(struct tl_doc_block *t, char **cells, const char *cls)
{
	size_t i;

	t->cell = tl_xreallocarray(t->cell, (t->nrow + 2) * t->ncol,
	    sizeof(char *));
	for (i = 0; i < t->ncol; i++)
		t->cell[(t->nrow + 1) * t->ncol + i] = cells[i];
	t->rowcls = tl_xreallocarray(t->rowcls, t->nrow + 1, sizeof(char *));
	t->rowcls[t->nrow] = cls != NULL ? tl_xstrdup(cls) : NULL;
	t->nrow++;
}

struct tl_doc_block *
tl_doc_add_cols(struct tl_doc *d, const char *caption,
    const struct tl_doc_col *cols, size_t ncol)
{
	struct tl_doc_block *t;
	const char **head = tl_xcalloc(ncol + 1, sizeof(*head));
	char *align = tl_xcalloc(ncol + 1, 1);
	size_t i;

	for (i = 0; i < ncol; i++) {
		head[i] = cols[i].head;
		align[i] = cols[i].align;
	}
	t = tl_doc_add_table(d, caption, head, align);
	free(head);
	free(align);
	return t;
}

void
tl_doc_add_json_row(struct tl_doc_block *t, const struct tl_doc_col *cols,
    const json_t *row, const char *cls)
{
	char **cells = tl_xcalloc(t->ncol + 1, sizeof(*cells));
	size_t i;

	for (i = 0; i < t->ncol; i++)
		cells[i] = cols[i].cell(row, cols[i].key, cols[i].digits);
	tl_doc_add_row(t, cells, cls);
	free(cells);
}

void
tl_doc_add_svg(struct tl_doc *d, struct tl_buf *svg)
{
	new_block(d, TL_DOC_SVG)->svg = svg->data;
	tl_buf_init(svg);
}

/* ---- marked text ------------------------------------------------------ */

/* s with its control characters as U+FFFD */
static void
put_clean(struct tl_buf *b, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20)
			tl_buf_adds(b, REPLACEMENT);
		else
			tl_buf_addc(b, (char)*p);
}

void
tl_doc_put_code(struct tl_buf *b, const char *s)
{
	tl_buf_addc(b, CODE_ON);
	put_clean(b, s != NULL ? s : "n/a");
	tl_buf_addc(b, CODE_OFF);
}

void
tl_doc_put_text(struct tl_buf *b, const char *s)
{
	put_clean(b, s != NULL ? s : "n/a");
}

/* the members of o after prefix (NULL at the top), as dotted keys */
static void
put_params(struct tl_buf *b, const json_t *o, const char *prefix)
{
	const char *key;
	json_t *v;
	char num[TL_DOC_NUMSZ];
	int first = 1;

	json_object_foreach((json_t *)o, key, v) {
		struct tl_buf k;

		/* the caller wrote the separator before a nested object */
		if (!first)
			tl_buf_adds(b, ", ");
		first = 0;
		tl_buf_init(&k);
		tl_buf_printf(&k, "%s%s%s", prefix != NULL ? prefix : "",
		    prefix != NULL ? "." : "", key);
		if (json_object_size(v) > 0) {
			put_params(b, v, k.data);
			tl_buf_release(&k);
			continue;
		}
		tl_doc_put_code(b, k.data);
		tl_buf_addc(b, '=');
		if (json_is_number(v))
			tl_buf_adds(b, tl_doc_fmt_short(num,
			    json_number_value(v)));
		else if (json_is_string(v))
			tl_doc_put_text(b, json_string_value(v));
		else if (json_is_true(v))
			tl_buf_adds(b, "true");
		else if (json_is_false(v))
			tl_buf_adds(b, "false");
		else
			tl_buf_adds(b, "n/a");
		tl_buf_release(&k);
	}
}

void
tl_doc_put_params(struct tl_buf *b, const json_t *o)
{
	put_params(b, o, NULL);
}

/* ---- figures ---------------------------------------------------------- */

const char *
tl_doc_fmt_num(char *buf, double x, int d)
{
	tl_svg_fmt_fixed(buf, x, d);
	return buf;
}

const char *
tl_doc_fmt_sig(char *buf, double x, int sig)
{
	tl_svg_fmt_sig(buf, x, sig);
	return buf;
}

const char *
tl_doc_fmt_int(char *buf, double x)
{
	if (tl_fmt_double(buf, x) < 0)
		strcpy(buf, "n/a");
	return buf;
}

const char *
tl_doc_fmt_pct(char *buf, double x, int d)
{
	if (tl_svg_fmt_fixed(buf, x * 100, d) >= 0)
		strcat(buf, "%");
	return buf;
}

const char *
tl_doc_fmt_signed(char *buf, double x, int d)
{
	char t[TL_DOC_NUMSZ];
	int shown = tl_svg_fmt_fixed(t, x, d) >= 0;

	snprintf(buf, TL_DOC_NUMSZ, "%s%.40s", shown && x > 0 &&
	    strspn(t, "0.") != strlen(t) ? "+" : "", t);
	return buf;
}

const char *
tl_doc_fmt_short(char *buf, double x)
{
	char *e, *p;
	size_t n;

	tl_svg_fmt_sig(buf, x, 4);
	if (strchr(buf, '.') == NULL)
		return buf;
	e = strchr(buf, 'e');
	n = e != NULL ? (size_t)(e - buf) : strlen(buf);
	p = buf + n;
	while (p[-1] == '0')
		p--;
	if (p[-1] == '.')
		p--;
	memmove(p, buf + n, strlen(buf + n) + 1);
	return buf;
}

char *
tl_doc_num(double x, int d)
{
	char buf[TL_DOC_NUMSZ];

	return tl_xstrdup(tl_doc_fmt_num(buf, x, d));
}

char *
tl_doc_sig(double x, int sig)
{
	char buf[TL_DOC_NUMSZ];

	return tl_xstrdup(tl_doc_fmt_sig(buf, x, sig));
}

char *
tl_doc_int(double x)
{
	char buf[TL_DOC_NUMSZ];

	return tl_xstrdup(tl_doc_fmt_int(buf, x));
}

char *
tl_doc_pct(double x, int d)
{
	char buf[TL_DOC_NUMSZ];

	return tl_xstrdup(tl_doc_fmt_pct(buf, x, d));
}

char *
tl_doc_pp(double x, int d)
{
	char buf[TL_DOC_NUMSZ];

	return tl_xstrdup(tl_doc_fmt_signed(buf, x * 100, d));
}

char *
tl_doc_range(double lo, double hi, int d)
{
	char a[TL_DOC_NUMSZ], z[TL_DOC_NUMSZ];
	struct tl_buf b;

	if (!isfinite(lo) && !isfinite(hi))
		return tl_xstrdup("n/a");
	tl_svg_fmt_fixed(a, lo, d);
	tl_svg_fmt_fixed(z, hi, d);
	tl_buf_init(&b);
	tl_buf_printf(&b, "%s\xE2\x80\x93%s", a, z);
	return b.data;
}

char *
tl_doc_code(const char *s)
{
	struct tl_buf b;

	tl_buf_init(&b);
	if (s == NULL)
		tl_buf_adds(&b, "n/a");
	else
		tl_doc_put_code(&b, s);
	return b.data;
}

char *
tl_doc_text(const char *s)
{
	struct tl_buf b;

	tl_buf_init(&b);
	tl_doc_put_text(&b, s);
	return b.data;
}

/* member key of row: a number, else NaN; a string, else NULL */
static double
row_num(const json_t *row, const char *key)
{
	const json_t *v = json_object_get(row, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *
row_str(const json_t *row, const char *key)
{
	return json_string_value(json_object_get(row, key));
}

char *
tl_doc_cell_num(const json_t *row, const char *key, int digits)
{
	return tl_doc_num(row_num(row, key), digits);
}

char *
tl_doc_cell_sig(const json_t *row, const char *key, int digits)
{
	return tl_doc_sig(row_num(row, key), digits);
}

char *
tl_doc_cell_int(const json_t *row, const char *key, int digits)
{
	(void)digits;
	return tl_doc_int(row_num(row, key));
}

char *
tl_doc_cell_pct(const json_t *row, const char *key, int digits)
{
	return tl_doc_pct(row_num(row, key), digits);
}

char *
tl_doc_cell_pp(const json_t *row, const char *key, int digits)
{
	return tl_doc_pp(row_num(row, key), digits);
}

char *
tl_doc_cell_code(const json_t *row, const char *key, int digits)
{
	(void)digits;
	return tl_doc_code(row_str(row, key));
}

char *
tl_doc_cell_text(const json_t *row, const char *key, int digits)
{
	(void)digits;
	return tl_doc_text(row_str(row, key));
}

char *
tl_doc_cell_params(const json_t *row, const char *key, int digits)
{
	const json_t *o = json_object_get(row, key);
	struct tl_buf b;

	(void)digits;
	if (!json_is_object(o))
		return tl_xstrdup("n/a");
	tl_buf_init(&b);
	tl_doc_put_params(&b, o);
	return b.data;
}

/* ---- Markdown --------------------------------------------------------- */

/* text with inline code; in_table: '|' must be escaped everywhere */
static void
md_inline(struct tl_buf *b, const char *s, int in_table)
{
	const char *p, *e;
	size_t ticks, run, i;

	for (p = s; *p != '\0'; p++) {
		if (*p == CODE_ON) {
			e = strchr(p, CODE_OFF);
			e = e != NULL ? e : p + strlen(p);
			/* a fence longer than any run of ` inside */
			for (ticks = 1, run = 0, i = 1; p + i < e; i++) {
				run = p[i] == '`' ? run + 1 : 0;
				ticks = run + 1 > ticks ? run + 1 : ticks;
			}
			for (i = 0; i < ticks; i++)
				tl_buf_addc(b, '`');
			if (ticks > 1)
				tl_buf_addc(b, ' ');
			for (i = 1; p + i < e; i++) {
				if (p[i] == '|' && in_table)
					tl_buf_addc(b, '\\');
				tl_buf_addc(b, p[i]);
			}
			if (ticks > 1)
				tl_buf_addc(b, ' ');
			for (i = 0; i < ticks; i++)
				tl_buf_addc(b, '`');
			p = *e != '\0' ? e : e - 1;
			continue;
		}
		/* '_' inside a word is no emphasis (CommonMark): noise_b */
		if (strchr("\\`*[]<>|", *p) != NULL || (*p == '_' &&
		    (p == s || !isalnum((unsigned char)p[-1]) ||
		    !isalnum((unsigned char)p[1]))))
			tl_buf_addc(b, '\\');
		tl_buf_addc(b, *p == '\n' ? ' ' : *p);
	}
}

/* end b with a blank line, unless it is empty */
static void
md_blank(struct tl_buf *b)
{
	if (b->len == 0)
		return;
	if (b->data[b->len - 1] != '\n')
		tl_buf_addc(b, '\n');
	if (b->len < 2 || b->data[b->len - 2] != '\n')
		tl_buf_addc(b, '\n');
}

/* a table: its caption as a line, the head, the alignment row, the rows */
static void
md_table(struct tl_buf *b, const struct tl_doc_block *t)
{
	size_t r, c;

	md_blank(b);
	md_inline(b, t->text, 0);
	tl_buf_adds(b, ":\n\n");
	for (r = 0; r <= t->nrow; r++) {
		tl_buf_addc(b, '|');
		for (c = 0; c < t->ncol; c++) {
			tl_buf_addc(b, ' ');
			md_inline(b, t->cell[r * t->ncol + c], 1);
			tl_buf_adds(b, " |");
		}
		tl_buf_addc(b, '\n');
		if (r > 0)
			continue;
		tl_buf_addc(b, '|');
		for (c = 0; c < t->ncol; c++)
			tl_buf_adds(b, t->align[c] == 'r' ? "---:|" : "---|");
		tl_buf_addc(b, '\n');
	}
}

static int
is_item(const struct tl_doc_block *bl)
{
	return bl->kind == TL_DOC_LI || bl->kind == TL_DOC_NOTE;
}

void
tl_doc_markdown(struct tl_buf *b, const struct tl_doc *d)
{
	const struct tl_doc_block *bl;
	size_t i;

	for (i = 0; i < d->n; i++) {
		bl = &d->b[i];
		switch (bl->kind) {
		case TL_DOC_H1:
			tl_buf_adds(b, "# ");
			break;
		case TL_DOC_H2:
			md_blank(b);
			tl_buf_adds(b, "## ");
			break;
		case TL_DOC_P:
			md_blank(b);
			break;
		case TL_DOC_LI:
		case TL_DOC_NOTE:
			if (i == 0 || !is_item(&d->b[i - 1]))
				md_blank(b);
			tl_buf_adds(b, bl->kind == TL_DOC_NOTE ? "- Note: " :
			    "- ");
			break;
		case TL_DOC_TABLE:
			md_table(b, bl);
			continue;
		case TL_DOC_SVG:
			continue;
		}
		md_inline(b, bl->text, 0);
		tl_buf_addc(b, '\n');
	}
}

/* ---- HTML ------------------------------------------------------------- */

/* The page's style sheet.  Contrast: text on background >= 7:1, muted
 * text >= 4.5:1 (WCAG AA) in both themes; bar colours >= 3:1 against
 * the background.  Below 420 px a chart scrolls sideways rather than
 * shrink its text under about 11 px. */
static const char page_css[] =
":root{color-scheme:light dark;--tl-bg:#ffffff;--tl-fg:#1b1f24;"
"--tl-muted:#57606a;--tl-grid:#d8dee4;--tl-line:#d0d7de;"
"--tl-bar:#0969da;--tl-neg:#cf222e;--tl-prev:#8c959f;--tl-code:#eff2f5;"
"--tl-s0:#0969da;--tl-s1:#bc4c00;--tl-s2:#1a7f37;--tl-s3:#8250df;"
"--tl-s4:#bf3989;--tl-s5:#0a7b83;--tl-s6:#9a6700;--tl-s7:#57606a;"
"--tl-high:#a40e26;--tl-high-bg:#ffebe9;--tl-med:#7d4e00;"
"--tl-med-bg:#fff8c5;--tl-low:#0a3069;--tl-low-bg:#ddf4ff}\n"
"@media (prefers-color-scheme:dark){:root{--tl-bg:#0d1117;"
"--tl-fg:#e6edf3;--tl-muted:#9198a1;--tl-grid:#30363d;--tl-line:#3d444d;"
"--tl-bar:#4493f8;--tl-neg:#f85149;--tl-prev:#6e7681;--tl-code:#1f242c;"
"--tl-s0:#4493f8;--tl-s1:#f0883e;--tl-s2:#3fb950;--tl-s3:#ab7df8;"
"--tl-s4:#f778ba;--tl-s5:#39c5cf;--tl-s6:#d29922;--tl-s7:#9198a1;"
"--tl-high:#ffa198;--tl-high-bg:#490202;--tl-med:#e3b341;"
"--tl-med-bg:#3b2300;--tl-low:#a5d6ff;--tl-low-bg:#051d4d}}\n"
"*{box-sizing:border-box}\n"
"body{margin:0 auto;max-width:56rem;padding:1rem;background:var(--tl-bg);"
"color:var(--tl-fg);font:16px/1.5 system-ui,-apple-system,'Segoe UI',"
"sans-serif}\n"
"h1{font-size:1.5rem;margin:.5rem 0 1rem}\n"
"h2{font-size:1.2rem;margin:2rem 0 .5rem;padding-top:.5rem;"
"border-top:1px solid var(--tl-line)}\n"
"code{font:.9em ui-monospace,monospace;background:var(--tl-code);"
"padding:0 .25em;border-radius:3px;overflow-wrap:anywhere}\n"
"ul{padding-left:1.25rem}\n"
".note{color:var(--tl-muted);font-size:.9rem}\n"
".scroll{overflow-x:auto;margin:.75rem 0}\n"
"table{border-collapse:collapse;font-size:.9rem;min-width:50%}\n"
"caption{text-align:left;font-weight:600;padding:.25rem 0;"
"caption-side:top}\n"
"th,td{padding:.25rem .5rem;border-bottom:1px solid var(--tl-line);"
"vertical-align:top}\n"
"th{text-align:left}\n"
".r{text-align:right;font-variant-numeric:tabular-nums;"
"white-space:nowrap}\n"
"tr.sev-high td:nth-child(2){color:var(--tl-high);"
"background:var(--tl-high-bg);font-weight:600}\n"
"tr.sev-medium td:nth-child(2){color:var(--tl-med);"
"background:var(--tl-med-bg);font-weight:600}\n"
"tr.sev-low td:nth-child(2){color:var(--tl-low);"
"background:var(--tl-low-bg)}\n"
"tr.st-new td:first-child{font-weight:600}\n"
"td code{white-space:nowrap;overflow-wrap:normal}\n"
".d{white-space:nowrap}\n"
"figure{margin:.75rem 0;overflow-x:auto}\n"
"figure .tl-chart{min-width:420px}\n"
"#attention li{font-weight:600}\n";

/* text with inline code, escaped for HTML */
static void
html_inline(struct tl_buf *b, const char *s)
{
	struct tl_buf t;
	const char *p, *e;

	tl_buf_init(&t);
	for (p = s; *p != '\0'; p = e) {
		if (*p == CODE_ON) {
			e = strchr(p, CODE_OFF);
			e = e != NULL ? e : p + strlen(p);
			tl_buf_add(&t, p + 1, (size_t)(e - p - 1));
			tl_buf_adds(b, "<code>");
			tl_svg_escape(b, t.data);
			tl_buf_adds(b, "</code>");
			tl_buf_reset(&t);
			if (*e != '\0')
				e++;
			continue;
		}
		e = strchr(p, CODE_ON);
		e = e != NULL ? e : p + strlen(p);
		tl_buf_add(&t, p, (size_t)(e - p));
		tl_svg_escape(b, t.data);
		tl_buf_reset(&t);
	}
	tl_buf_release(&t);
}

/* text between the tags open and close */
static void
html_text(struct tl_buf *b, const char *open, const char *text,
    const char *close)
{
	tl_buf_adds(b, open);
	html_inline(b, text);
	tl_buf_adds(b, close);
}

/* a table in a scroller: caption, head, body; a right-aligned column's
 * cells (numbers) have class r, a 'd' column's (dates) class d */
static void
html_table(struct tl_buf *b, const struct tl_doc_block *t)
{
	size_t r, c;

	html_text(b, "<div class=\"scroll\"><table>\n<caption>", t->text,
	    "</caption>\n<thead><tr>");
	for (c = 0; c < t->ncol; c++) {
		tl_buf_adds(b, t->align[c] == 'r' ?
		    "<th scope=\"col\" class=\"r\">" : "<th scope=\"col\">");
		html_inline(b, t->cell[c]);
		tl_buf_adds(b, "</th>");
	}
	tl_buf_adds(b, "</tr></thead>\n<tbody>\n");
	for (r = 1; r <= t->nrow; r++) {
		if (t->rowcls[r - 1] != NULL) {
			tl_buf_adds(b, "<tr class=\"");
			tl_svg_escape(b, t->rowcls[r - 1]);
			tl_buf_adds(b, "\">");
		} else
			tl_buf_adds(b, "<tr>");
		for (c = 0; c < t->ncol; c++) {
			tl_buf_adds(b, t->align[c] == 'r' ? "<td class=\"r\">" :
			    t->align[c] == 'd' ? "<td class=\"d\">" : "<td>");
			html_inline(b, t->cell[r * t->ncol + c]);
			tl_buf_adds(b, "</td>");
		}
		tl_buf_adds(b, "</tr>\n");
	}
	tl_buf_adds(b, "</tbody>\n</table></div>\n");
}

/* a section opened by its heading, labelled by it */
static void
html_h2(struct tl_buf *b, const struct tl_doc_block *h)
{
	tl_buf_adds(b, "<section id=\"");
	tl_svg_escape(b, h->id);
	tl_buf_adds(b, "\" aria-labelledby=\"h-");
	tl_svg_escape(b, h->id);
	tl_buf_adds(b, "\">\n<h2 id=\"h-");
	tl_svg_escape(b, h->id);
	html_text(b, "\">", h->text, "</h2>\n");
}

void
tl_doc_html(struct tl_buf *b, const struct tl_doc *d, const char *title)
{
	const struct tl_doc_block *bl;
	int in_list = 0, in_sec = 0;
	size_t i;

	tl_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"color-scheme\" content=\"light dark\">\n<title>");
	tl_svg_escape(b, title);
	tl_buf_adds(b, "</title>\n<style>\n");
	tl_buf_adds(b, page_css);
	tl_buf_adds(b, tl_svg_style());
	tl_buf_adds(b, "</style>\n</head>\n<body>\n<main>\n");
	for (i = 0; i < d->n; i++) {
		bl = &d->b[i];
		if (in_list && !is_item(bl)) {
			tl_buf_adds(b, "</ul>\n");
			in_list = 0;
		}
		switch (bl->kind) {
		case TL_DOC_H1:
			html_text(b, "<h1>", bl->text, "</h1>\n");
			break;
		case TL_DOC_H2:
			if (in_sec)
				tl_buf_adds(b, "</section>\n");
			in_sec = 1;
			html_h2(b, bl);
			break;
		case TL_DOC_P:
			html_text(b, "<p>", bl->text, "</p>\n");
			break;
		case TL_DOC_LI:
		case TL_DOC_NOTE:
			if (!in_list)
				tl_buf_adds(b, "<ul>\n");
			in_list = 1;
			html_text(b, bl->kind == TL_DOC_NOTE ?
			    "<li class=\"note\">Note: " : "<li>", bl->text,
			    "</li>\n");
			break;
		case TL_DOC_TABLE:
			html_table(b, bl);
			break;
		case TL_DOC_SVG:
			tl_buf_adds(b, "<figure>\n");
			tl_buf_adds(b, bl->svg);
			tl_buf_adds(b, "</figure>\n");
			break;
		}
	}
	if (in_list)
		tl_buf_adds(b, "</ul>\n");
	if (in_sec)
		tl_buf_adds(b, "</section>\n");
	tl_buf_adds(b, "</main>\n</body>\n</html>\n");
}
