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
/* A link: LINK_ON href LINK_SEP text LINK_OFF, from tl_doc_put_link()
 * only. */
#define LINK_ON		'\x03'
#define LINK_SEP	'\x1f'
#define LINK_OFF	'\x04'

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
		free(b->svg_narrow);
		free(b->caption);
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
tl_doc_add_chart(struct tl_doc *d, const struct tl_svg_chart *c,
    tl_doc_draw_fn draw, const void *ctx, const char *fold)
{
	struct tl_doc_block *bl = new_block(d, TL_DOC_SVG);
	struct tl_svg_chart cc = *c;
	struct tl_buf b, id;

	tl_buf_init(&b);
	cc.width = TL_DOC_WIDE;
	draw(&b, &cc, ctx);
	bl->svg = b.data;
	tl_buf_init(&b);
	tl_buf_init(&id);
	tl_buf_printf(&id, "%s-n", c->id);
	cc.width = TL_DOC_NARROW;
	cc.id = id.data;
	draw(&b, &cc, ctx);
	bl->svg_narrow = b.data;
	bl->text = fold != NULL ? tl_xstrdup(fold) : NULL;
	bl->caption = tl_xstrdup(c->title != NULL ? c->title : "");
	tl_buf_release(&id);
}

void
tl_doc_table_scrolls(struct tl_doc_block *t)
{
	t->scrolls = 1;
}

void
tl_doc_table_md_only(struct tl_doc_block *t)
{
	t->md_only = 1;
}

void
tl_doc_table_stacks(struct tl_doc_block *t)
{
	t->stacks = 1;
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

void
tl_doc_put_link(struct tl_buf *b, const char *href, const char *text)
{
	tl_buf_addc(b, LINK_ON);
	put_clean(b, href);
	tl_buf_addc(b, LINK_SEP);
	put_clean(b, text);
	tl_buf_addc(b, LINK_OFF);
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

static void md_inline(struct tl_buf *b, const char *s, int in_table);

/* the link at p (LINK_ON href LINK_SEP text LINK_OFF) as [text](href),
 * the characters that would end or break the destination %-encoded;
 * returns the position of its LINK_OFF (or of the last byte) */
static const char *
md_link(struct tl_buf *b, const char *p, int in_table)
{
	const char *sep = strchr(p, LINK_SEP), *e = strchr(p, LINK_OFF), *q;
	char *text;

	if (e == NULL)
		e = p + strlen(p);
	if (sep == NULL || sep > e)
		sep = e;
	text = tl_xstrndup(sep < e ? sep + 1 : e, (size_t)(e - (sep < e ?
	    sep + 1 : e)));
	tl_buf_addc(b, '[');
	md_inline(b, text, in_table);
	tl_buf_adds(b, "](");
	for (q = p + 1; q < sep; q++)
		if (strchr(" ()<>|\\", *q) != NULL)
			tl_buf_printf(b, "%%%02X", (unsigned char)*q);
		else
			tl_buf_addc(b, *q);
	tl_buf_addc(b, ')');
	free(text);
	return *e != '\0' ? e : e - 1;
}

/* text with inline code and links; in_table: '|' must be escaped
 * everywhere */
static void
md_inline(struct tl_buf *b, const char *s, int in_table)
{
	const char *p, *e;
	size_t ticks, run, i;

	for (p = s; *p != '\0'; p++) {
		if (*p == LINK_ON) {
			p = md_link(b, p, in_table);
			continue;
		}
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
			/* said, so that a section of charts is not an
			 * empty heading; the table Markdown has in its
			 * place says it all */
			if (i + 1 < d->n && d->b[i + 1].kind == TL_DOC_TABLE &&
			    d->b[i + 1].md_only)
				continue;
			md_blank(b);
			tl_buf_adds(b, "Chart, in the HTML page: ");
			md_inline(b, bl->caption, 0);
			tl_buf_adds(b, bl->caption[0] != '\0' &&
			    strchr(".!?", bl->caption[strlen(bl->caption) - 1])
			    == NULL ? ".\n" : "\n");
			continue;
		}
		md_inline(b, bl->text, 0);
		tl_buf_addc(b, '\n');
	}
}

/* ---- HTML ------------------------------------------------------------- */

/* The page's style sheet.  Contrast: text on background >= 7:1, muted
 * text >= 4.5:1 (WCAG AA) in both themes; bar colours >= 3:1 against
 * the background.  Every chart comes twice: 640 units wide, shown at
 * 640 px or less on a wide screen (its 12-unit text at 12 px), and 360
 * units wide for a screen of 660 px or less, where the other would
 * shrink its text under 11 px; nothing but a table scrolls sideways, and
 * only one that says so. */
static const char page_css[] =
":root{color-scheme:light dark;--tl-bg:#ffffff;--tl-fg:#1b1f24;"
"--tl-muted:#57606a;--tl-grid:#d8dee4;--tl-line:#d0d7de;"
"--tl-bar:#0969da;--tl-neg:#cf222e;--tl-prev:#8c959f;--tl-code:#eff2f5;"
"--tl-s0:#0969da;--tl-s1:#bc4c00;--tl-s2:#1a7f37;--tl-s3:#8250df;"
"--tl-s4:#bf3989;--tl-s5:#0a7b83;--tl-s6:#9a6700;--tl-s7:#57606a;"
"--tl-high:#a40e26;--tl-high-bg:#ffebe9;--tl-med:#7d4e00;"
"--tl-med-bg:#fff8c5;--tl-low:#0a3069;--tl-low-bg:#ddf4ff;"
"--tl-shade:#eef1f4;--tl-b0:#8250df;--tl-b1:#bf8700;--tl-b2:#1a7f37;"
"--tl-b3:#0969da;--tl-b4:#bf3989;--tl-b5:#57606a;--tl-cell0:#f6f8fa;"
"--tl-dp1:#dafbe1;--tl-dp2:#8ddb9f;--tl-dp3:#1a7f37;--tl-dp4:#0b4a21;"
"--tl-dn1:#ffebe9;--tl-dn2:#ffaba8;--tl-dn3:#cf222e;--tl-dn4:#82071e;"
"--tl-q1:#ddf4ff;--tl-q2:#80ccff;--tl-q3:#0969da;--tl-q4:#0a3069;"
"--tl-dt1:#1b1f24;--tl-dt2:#1b1f24;--tl-dt3:#ffffff;--tl-dt4:#ffffff}\n"
"@media (prefers-color-scheme:dark){:root{--tl-bg:#0d1117;"
"--tl-fg:#e6edf3;--tl-muted:#9198a1;--tl-grid:#30363d;--tl-line:#3d444d;"
"--tl-bar:#4493f8;--tl-neg:#f85149;--tl-prev:#6e7681;--tl-code:#1f242c;"
"--tl-s0:#4493f8;--tl-s1:#f0883e;--tl-s2:#3fb950;--tl-s3:#ab7df8;"
"--tl-s4:#f778ba;--tl-s5:#39c5cf;--tl-s6:#d29922;--tl-s7:#9198a1;"
"--tl-high:#ffa198;--tl-high-bg:#490202;--tl-med:#e3b341;"
"--tl-med-bg:#3b2300;--tl-low:#a5d6ff;--tl-low-bg:#051d4d;"
"--tl-shade:#161b22;--tl-b0:#ab7df8;--tl-b1:#d29922;--tl-b2:#3fb950;"
"--tl-b3:#4493f8;--tl-b4:#f778ba;--tl-b5:#9198a1;--tl-cell0:#161b22;"
"--tl-dp1:#0f3d1f;--tl-dp2:#196c2e;--tl-dp3:#2ea043;--tl-dp4:#7ee2a8;"
"--tl-dn1:#490202;--tl-dn2:#8e1519;--tl-dn3:#f85149;--tl-dn4:#ffa198;"
"--tl-q1:#0c2d6b;--tl-q2:#1158c7;--tl-q3:#4493f8;--tl-q4:#a5d6ff;"
"--tl-dt1:#e6edf3;--tl-dt2:#e6edf3;--tl-dt3:#0d1117;--tl-dt4:#0d1117}}\n"
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
".tbl{margin:.75rem 0}\n"
".cap{font-weight:600;margin:.25rem 0}\n"
".hint{display:none;font-weight:400;color:var(--tl-muted)}\n"
".scroll{overflow-x:auto}\n"
"table{border-collapse:collapse;font-size:.9rem;min-width:50%}\n"
"th,td{padding:.25rem .5rem;border-bottom:1px solid var(--tl-line);"
"vertical-align:top}\n"
"th{text-align:left}\n"
".r{text-align:right;font-variant-numeric:tabular-nums;"
"white-space:nowrap}\n"
"th.r{white-space:normal}\n"
"tr.sev-high td:nth-child(2){color:var(--tl-high);"
"background:var(--tl-high-bg);font-weight:600}\n"
"tr.sev-medium td:nth-child(2){color:var(--tl-med);"
"background:var(--tl-med-bg);font-weight:600}\n"
"tr.sev-low td:nth-child(2){color:var(--tl-low);"
"background:var(--tl-low-bg)}\n"
"tr.st-new td:first-child{font-weight:600}\n"
"td code{white-space:nowrap;overflow-wrap:normal}\n"
".d{white-space:nowrap}\n"
"a{color:var(--tl-bar)}\n"
"figure{margin:1.25rem 0 .75rem}\n"
"figcaption{font-weight:600;margin-bottom:.25rem}\n"
".n-chart{display:none}\n"
".n-chart .tl-chart{max-width:480px}\n"
"details{margin:.5rem 0}\n"
"summary{cursor:pointer;color:var(--tl-muted)}\n"
"#attention li{font-weight:600}\n"
"@media (max-width:660px){.w-chart{display:none}"
".n-chart{display:block}.hint{display:inline}td.w{white-space:nowrap}"
"table{font-size:.85rem}th,td{padding:.2rem .3rem}"
"table.stack{width:100%}table.stack thead{display:none}"
"table.stack tr{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));"
"border-bottom:1px solid var(--tl-line);padding:.2rem 0}"
"table.stack td{border:0}"
"table.stack td::before{content:attr(data-label);display:block;"
"font-size:.75rem;font-weight:400;color:var(--tl-muted)}}\n";

/* open, s[0..e) escaped (through the scratch t), close */
static void
html_span(struct tl_buf *b, struct tl_buf *t, const char *open,
    const char *s, const char *e, const char *close)
{
	tl_buf_reset(t);
	tl_buf_add(t, s, (size_t)(e - s));
	tl_buf_adds(b, open);
	tl_svg_escape(b, t->data);
	tl_buf_adds(b, close);
}

/* text with inline code and links, escaped for HTML */
static void
html_inline(struct tl_buf *b, const char *s)
{
	struct tl_buf t;
	const char *p, *e;

	tl_buf_init(&t);
	for (p = s; *p != '\0'; p = e) {
		if (*p == LINK_ON) {
			const char *sep = strchr(p, LINK_SEP);

			e = strchr(p, LINK_OFF);
			e = e != NULL ? e : p + strlen(p);
			if (sep == NULL || sep > e)
				sep = e;
			html_span(b, &t, "<a href=\"", p + 1, sep, "\">");
			html_span(b, &t, "", sep < e ? sep + 1 : e, e, "</a>");
			e += *e != '\0';
			continue;
		}
		if (*p == CODE_ON) {
			e = strchr(p, CODE_OFF);
			e = e != NULL ? e : p + strlen(p);
			html_span(b, &t, "<code>", p + 1, e, "</code>");
			e += *e != '\0';
			continue;
		}
		for (e = p; *e != '\0' && *e != CODE_ON && *e != LINK_ON; e++)
			;
		html_span(b, &t, "", p, e, "");
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

/* td, an opening tag ("<td>" or "<td class=...>"), with the attribute
 * data-label: the column's name head (marked text) as plain text, for a
 * stacked table's cells on a phone */
static void
html_label(struct tl_buf *b, const char *td, const char *head)
{
	struct tl_buf t;
	const char *p;

	tl_buf_init(&t);
	for (p = head; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x20)	/* not the code marks */
			tl_buf_addc(&t, *p);
	tl_buf_add(b, td, strlen(td) - 1);
	tl_buf_adds(b, " data-label=\"");
	tl_svg_escape(b, t.data != NULL ? t.data : "");
	tl_buf_adds(b, "\">");
	tl_buf_release(&t);
}

/* Table n of the page: its caption as a paragraph that labels it (out of
 * the scroller, so that a phone shows it whole), then the table in a
 * scroller: head and body; a right-aligned column's cells (numbers) have
 * class r, a 'd' column's (dates) class d, a 'w' column's (wide text)
 * class w, and a table with one says that it scrolls sideways where a
 * phone keeps that text on one line. */
static void
html_table(struct tl_buf *b, const struct tl_doc_block *t, size_t n)
{
	static const struct {
		char		 align;		/* column kind */
		const char	*th, *td;	/* its cells' tags */
	} kinds[] = {
		{ 'r', "<th scope=\"col\" class=\"r\">", "<td class=\"r\">" },
		{ 'd', "<th scope=\"col\">", "<td class=\"d\">" },
		{ 'w', "<th scope=\"col\">", "<td class=\"w\">" },
		{ 'l', "<th scope=\"col\">", "<td>" },
	};
	size_t r, c, k, *kind;
	int wide = t->scrolls;

	if (t->md_only)
		return;
	kind = tl_xcalloc(t->ncol + 1, sizeof(*kind));
	for (c = 0; c < t->ncol; c++) {
		for (k = 0; k < TL_NELEM(kinds) - 1 && kinds[k].align !=
		    t->align[c]; k++)
			;
		kind[c] = k;
		wide |= t->align[c] == 'w';
	}
	tl_buf_printf(b, "<div class=\"tbl\"><p class=\"cap\" "
	    "id=\"tbl-%zu\">", n);
	html_inline(b, t->text);
	if (wide)
		tl_buf_adds(b, "<span class=\"hint\"> (scrolls sideways)"
		    "</span>");
	tl_buf_printf(b, "</p>\n<div class=\"scroll\"><table "
	    "aria-labelledby=\"tbl-%zu\"%s>\n<thead><tr>", n, t->stacks ?
	    " class=\"stack\"" : "");
	for (c = 0; c < t->ncol; c++) {
		tl_buf_adds(b, kinds[kind[c]].th);
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
			if (t->stacks)
				html_label(b, kinds[kind[c]].td, t->cell[c]);
			else
				tl_buf_adds(b, kinds[kind[c]].td);
			html_inline(b, t->cell[r * t->ncol + c]);
			tl_buf_adds(b, "</td>");
		}
		tl_buf_adds(b, "</tr>\n");
	}
	tl_buf_adds(b, "</tbody>\n</table></div></div>\n");
	free(kind);
}

/* a chart, wide and narrow, folded under a summary if it has one */
static void
html_chart(struct tl_buf *b, const struct tl_doc_block *bl)
{
	if (bl->text != NULL)
		html_text(b, "<details><summary>", bl->text, "</summary>\n");
	tl_buf_adds(b, "<figure>\n<figcaption>");
	tl_svg_escape(b, bl->caption);
	tl_buf_adds(b, "</figcaption>\n<div class=\"w-chart\">\n");
	tl_buf_adds(b, bl->svg);
	tl_buf_adds(b, "</div>\n<div class=\"n-chart\">\n");
	tl_buf_adds(b, bl->svg_narrow);
	tl_buf_adds(b, "</div>\n</figure>\n");
	if (bl->text != NULL)
		tl_buf_adds(b, "</details>\n");
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
	size_t i, ntables = 0;

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
			html_table(b, bl, ++ntables);
			break;
		case TL_DOC_SVG:
			html_chart(b, bl);
			break;
		}
	}
	if (in_list)
		tl_buf_adds(b, "</ul>\n");
	if (in_sec)
		tl_buf_adds(b, "</section>\n");
	tl_buf_adds(b, "</main>\n</body>\n</html>\n");
}
