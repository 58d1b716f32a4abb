/* Unit tests for lib/tl_doc: escaping in both renderings (Markdown's
 * specials, '_' inside and at the edge of words, '|' in table cells even
 * inside code, backticks in code, HTML entities, control characters), a
 * small document rendered both ways against text written out here, the
 * figures against their definitions, and parameters as "k=v" lists. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_doc.h"
#include "tl_svg.h"
#include "tl_util.h"
#include "unit.h"

/* A document holding one block of kind k with the marked text of b,
 * rendered as Markdown. */
static char *
md_of(enum tl_doc_kind k, struct tl_buf *b)
{
	struct tl_doc d;
	struct tl_buf out;

	tl_doc_init(&d);
	tl_doc_add(&d, k, b);
	tl_buf_init(&out);
	tl_doc_markdown(&out, &d);
	tl_doc_release(&d);
	return out.data;
}

/* The HTML of a page holding one paragraph of b, from <main> to </main>. */
static char *
html_of(struct tl_buf *b)
{
	struct tl_doc d;
	struct tl_buf out;
	char *s, *e, *r;

	tl_doc_init(&d);
	tl_doc_add(&d, TL_DOC_P, b);
	tl_buf_init(&out);
	tl_doc_html(&out, &d, "t");
	tl_doc_release(&d);
	s = strstr(out.data, "<main>\n");
	e = strstr(out.data, "</main>");
	cr_assert(s != NULL && e != NULL);
	r = tl_xstrndup(s + 7, (size_t)(e - s - 7));
	tl_buf_release(&out);
	return r;
}

/* text (code: as a code span after "x ") in a list item, as Markdown */
static void
md_is(const char *text, int code, const char *want)
{
	struct tl_buf b;
	char *md;

	tl_buf_init(&b);
	if (code) {
		tl_buf_adds(&b, "x ");
		tl_doc_put_code(&b, text);
	} else
		tl_doc_put_text(&b, text);
	md = md_of(TL_DOC_LI, &b);
	cr_assert_str_eq(md, want, "'%s': '%s', want '%s'", text, md, want);
	free(md);
	tl_buf_release(&b);
}

Test(doc, markdown_escapes)
{
	md_is("a*b [c](d) <e> `f` \\g | h", 0, "- a\\*b \\[c\\](d) \\<e\\> "
	    "\\`f\\` \\\\g \\| h\n");
	/* '_' inside a word is no emphasis: left alone; at an edge, escaped */
	md_is("noise_b _x y_ a__b", 0, "- noise_b \\_x y\\_ a\\_\\_b\n");
	md_is("tab\there\x01", 0, "- tab\xEF\xBF\xBDhere\xEF\xBF\xBD\n");
	md_is(NULL, 0, "- n/a\n");
}

Test(doc, markdown_newline)
{
	struct tl_buf b;
	char *md;

	/* text from the inputs has none (U+FFFD), but ours may: a space */
	tl_buf_init(&b);
	tl_buf_adds(&b, "two\nlines");
	md = md_of(TL_DOC_LI, &b);
	cr_assert_str_eq(md, "- two lines\n");
	free(md);
	tl_buf_release(&b);
}

Test(doc, markdown_code)
{
	/* in code, nothing is escaped: its fence is longer than any run of
	 * backticks inside, with a space when it is more than one */
	md_is("a*b_c", 1, "- x `a*b_c`\n");
	md_is("a`b", 1, "- x `` a`b ``\n");
	md_is("``x`", 1, "- x ``` ``x` ```\n");
	md_is(NULL, 1, "- x `n/a`\n");
	md_is("S\x02" "1", 1, "- x `S\xEF\xBF\xBD" "1`\n");
}

Test(doc, markdown_table_pipes)
{
	static const char *const head[] = { "Name|x", "Value" };
	struct tl_doc_block *t;
	struct tl_doc d;
	struct tl_buf out;
	char *cells[2];

	tl_doc_init(&d);
	t = tl_doc_add_table(&d, "Pipes", head, "lr");
	cells[0] = tl_doc_code("a|b");
	cells[1] = tl_doc_text("c|d");
	tl_doc_add_row(t, cells, NULL);
	tl_buf_init(&out);
	tl_doc_markdown(&out, &d);
	/* in a cell, '|' is escaped inside code too (GitHub's tables) */
	cr_assert_str_eq(out.data, "Pipes:\n\n| Name\\|x | Value |\n"
	    "|---|---:|\n| `a\\|b` | c\\|d |\n");
	tl_buf_release(&out);
	tl_doc_release(&d);
}

/* a section's own kind of cell: the member's length */
static char *
cell_len(const json_t *row, const char *key, int digits)
{
	const char *s = json_string_value(json_object_get(row, key));
	char buf[32];

	snprintf(buf, sizeof(buf), "%*zu", digits, s != NULL ? strlen(s) : 0);
	return tl_xstrdup(buf);
}

Test(doc, json_rows)
{
	static const struct tl_doc_col cols[] = {
		{ "Name", 'l', tl_doc_cell_code, "s", 0 },
		{ "Kind", 'l', tl_doc_cell_text, "k", 0 },
		{ "Weight", 'r', tl_doc_cell_pct, "w", 1 },
		{ "Change", 'r', tl_doc_cell_pp, "c", 2 },
		{ "n", 'r', tl_doc_cell_int, "n", 0 },
		{ "Mean", 'r', tl_doc_cell_sig, "m", 2 },
		{ "Sharpe", 'r', tl_doc_cell_num, "m", 3 },
		{ "Len", 'r', cell_len, "k", 3 },
	};
	json_t *r1 = json_loads("{\"s\":\"S|1\",\"k\":\"a<b\",\"w\":0.2386,"
	    "\"c\":-0.012345,\"n\":1269,\"m\":2.386}", 0, NULL);
	json_t *r2 = json_loads("{\"s\":7,\"w\":\"x\",\"c\":null,"
	    "\"m\":-1.27}", 0, NULL);
	struct tl_doc_block *t;
	struct tl_doc d;
	struct tl_buf out;

	tl_doc_init(&d);
	t = tl_doc_add_cols(&d, "Rows", cols, TL_NELEM(cols));
	tl_doc_add_json_row(t, cols, r1, "x");
	tl_doc_add_json_row(t, cols, r2, NULL);
	cr_assert_str_eq(t->rowcls[0], "x");
	cr_assert_null(t->rowcls[1]);
	tl_buf_init(&out);
	tl_doc_markdown(&out, &d);
	/* absent, null or mistyped members are n/a, never 0 */
	cr_assert_str_eq(out.data, "Rows:\n\n"
	    "| Name | Kind | Weight | Change | n | Mean | Sharpe | Len |\n"
	    "|---|---|---:|---:|---:|---:|---:|---:|\n"
	    "| `S\\|1` | a\\<b | 23.9% | -1.23 | 1269 | 2.4 | 2.386 |   3 |\n"
	    "| n/a | n/a | n/a | n/a | n/a | -1.3 | -1.270 |   0 |\n");
	tl_buf_release(&out);
	tl_doc_release(&d);
	json_decref(r1);
	json_decref(r2);
}

Test(doc, html_escapes)
{
	struct tl_buf b;
	char *html;

	tl_buf_init(&b);
	tl_doc_put_text(&b, "P&L <b> \"q\" 'x' a_b *c*\x1f ");
	tl_doc_put_code(&b, "<S&1>");
	html = html_of(&b);
	cr_assert_str_eq(html, "<p>P&amp;L &lt;b&gt; &quot;q&quot; &#39;x&#39; "
	    "a_b *c*\xEF\xBF\xBD <code>&lt;S&amp;1&gt;</code></p>\n");
	free(html);
	tl_buf_release(&b);
}

/* a chart that says its id and width */
static void
draw_stub(struct tl_buf *b, const struct tl_svg_chart *c, const void *ctx)
{
	tl_buf_printf(b, "<svg id=\"%s\" width=\"%d\">%s</svg>\n", c->id,
	    c->width, (const char *)ctx);
}

/* The document both renderings are checked on: a heading, a section with
 * a paragraph, items and a note, a table with a row class, a table for
 * Markdown only, a chart at both widths, a link. */
static void
small_doc(struct tl_doc *d)
{
	static const char *const head[] = { "Strategy", "Weight", "Since" };
	static const struct tl_svg_chart c = { .id = "c1", .title =
	    "Chart <1>" };
	struct tl_doc_block *t;
	struct tl_buf b;
	char *cells[3];

	tl_buf_init(&b);
	tl_doc_put_text(&b, "Night <1>");
	tl_doc_add(d, TL_DOC_H1, &b);
	tl_doc_add_h2(d, "alloc", "Allocation");
	tl_doc_addf(d, TL_DOC_P, "%d strategies, %s.", 2, "min_var");
	tl_buf_adds(&b, "Method ");
	tl_doc_put_code(&b, "hrp");
	tl_doc_add(d, TL_DOC_LI, &b);
	tl_doc_addf(d, TL_DOC_NOTE, "weights sum to %s", "0.98");
	t = tl_doc_add_table(d, "Weights", head, "lrd");
	cells[0] = tl_doc_code("S0001");
	cells[1] = tl_doc_pct(0.2386, 1);
	cells[2] = tl_doc_text("2026-02-13");
	tl_doc_add_row(t, cells, "sev-high");
	cells[0] = tl_doc_code(NULL);
	cells[1] = tl_doc_pct(NAN, 1);
	cells[2] = tl_doc_text(NULL);
	tl_doc_add_row(t, cells, NULL);
	t = tl_doc_add_table(d, "Same (md)", head, "lrw");
	tl_doc_table_md_only(t);
	tl_doc_add_chart(d, &c, draw_stub, "x", NULL);
	tl_doc_add_h2(d, "end", "End");
	tl_buf_adds(&b, "last: ");
	tl_doc_put_link(&b, "../a b(1).html", "all <nights>");
	tl_doc_add(d, TL_DOC_LI, &b);
	tl_buf_release(&b);
}

Test(doc, markdown_document)
{
	struct tl_doc d;
	struct tl_buf out;

	tl_doc_init(&d);
	small_doc(&d);
	tl_buf_init(&out);
	tl_doc_markdown(&out, &d);
	cr_assert_str_eq(out.data,
	    "# Night \\<1\\>\n"
	    "\n"
	    "## Allocation\n"
	    "\n"
	    "2 strategies, min_var.\n"
	    "\n"
	    "- Method `hrp`\n"
	    "- Note: weights sum to 0.98\n"
	    "\n"
	    "Weights:\n"
	    "\n"
	    "| Strategy | Weight | Since |\n"
	    "|---|---:|---|\n"
	    "| `S0001` | 23.9% | 2026-02-13 |\n"
	    "| n/a | n/a | n/a |\n"
	    "\n"
	    "Same (md):\n"
	    "\n"
	    "| Strategy | Weight | Since |\n"
	    "|---|---:|---|\n"
	    "\n"
	    "Chart, in the HTML page: Chart \\<1\\>.\n"
	    "\n"
	    "## End\n"
	    "\n"
	    "- last: [all \\<nights\\>](../a%20b%281%29.html)\n");
	tl_buf_release(&out);
	tl_doc_release(&d);
}

/* A chart is named in Markdown, unless a Markdown-only table that
 * holds its figures follows it. */
Test(doc, markdown_names_a_chart_without_its_table)
{
	static const char *const head[] = { "Month" };
	static const struct tl_svg_chart c = { .id = "c", .title = "Months" };
	struct tl_doc d;
	struct tl_buf out;

	tl_doc_init(&d);
	tl_doc_add_chart(&d, &c, draw_stub, "x", NULL);
	tl_doc_table_md_only(tl_doc_add_table(&d, "Months", head, "l"));
	tl_doc_add_chart(&d, &c, draw_stub, "x", NULL);
	tl_buf_init(&out);
	tl_doc_markdown(&out, &d);
	cr_assert_str_eq(out.data, "Months:\n\n| Month |\n|---|\n\n"
	    "Chart, in the HTML page: Months.\n");
	tl_buf_release(&out);
	tl_doc_release(&d);
}

Test(doc, html_document)
{
	struct tl_doc d;
	struct tl_buf out;
	const char *main;

	tl_doc_init(&d);
	small_doc(&d);
	tl_buf_init(&out);
	tl_doc_html(&out, &d, "Night <1> & \"2\"");
	cr_assert_not_null(strstr(out.data, "<title>Night &lt;1&gt; &amp; "
	    "&quot;2&quot;</title>\n<style>\n:root{"));
	cr_assert_not_null(strstr(out.data, ".tl-bar{"), "no chart style");
	cr_assert_eq(strncmp(out.data, "<!DOCTYPE html>\n", 16), 0);
	main = strstr(out.data, "</style>\n");
	cr_assert_not_null(main);
	cr_assert_str_eq(main,
	    "</style>\n</head>\n<body>\n<main>\n"
	    "<h1>Night &lt;1&gt;</h1>\n"
	    "<section id=\"alloc\" aria-labelledby=\"h-alloc\">\n"
	    "<h2 id=\"h-alloc\">Allocation</h2>\n"
	    "<p>2 strategies, min_var.</p>\n"
	    "<ul>\n"
	    "<li>Method <code>hrp</code></li>\n"
	    "<li class=\"note\">Note: weights sum to 0.98</li>\n"
	    "</ul>\n"
	    "<div class=\"tbl\"><p class=\"cap\" id=\"tbl-1\">Weights</p>\n"
	    "<div class=\"scroll\"><table aria-labelledby=\"tbl-1\">\n"
	    "<thead><tr><th scope=\"col\">Strategy</th>"
	    "<th scope=\"col\" class=\"r\">Weight</th>"
	    "<th scope=\"col\">Since</th></tr></thead>\n"
	    "<tbody>\n"
	    "<tr class=\"sev-high\"><td><code>S0001</code></td>"
	    "<td class=\"r\">23.9%</td><td class=\"d\">2026-02-13</td></tr>\n"
	    "<tr><td>n/a</td><td class=\"r\">n/a</td>"
	    "<td class=\"d\">n/a</td></tr>\n"
	    "</tbody>\n</table></div></div>\n"
	    "<figure>\n<figcaption>Chart &lt;1&gt;</figcaption>\n"
	    "<div class=\"w-chart\">\n<svg id=\"c1\" width=\"640\">x</svg>\n"
	    "</div>\n<div class=\"n-chart\">\n"
	    "<svg id=\"c1-n\" width=\"360\">x</svg>\n</div>\n</figure>\n"
	    "</section>\n"
	    "<section id=\"end\" aria-labelledby=\"h-end\">\n"
	    "<h2 id=\"h-end\">End</h2>\n"
	    "<ul>\n<li>last: <a href=\"../a b(1).html\">all &lt;nights&gt;</a>"
	    "</li>\n</ul>\n"
	    "</section>\n"
	    "</main>\n</body>\n</html>\n");
	tl_buf_release(&out);
	tl_doc_release(&d);
}

/* A stacked table: class "stack" on the table (the style sheet lays its
 * rows out as blocks on a phone) and each cell labelled with its
 * column's name as plain text (a code mark left out, HTML escaped). */
Test(doc, html_stacked_table)
{
	static const char *const head[] = { "Kind", "R&D <x>", "Since" };
	struct tl_doc d;
	struct tl_doc_block *t;
	struct tl_buf out, h;
	char *cells[3];

	tl_doc_init(&d);
	tl_buf_init(&h);
	tl_doc_put_code(&h, "Code");
	t = tl_doc_add_table(&d, "Alerts", head, "lrd");
	tl_doc_table_stacks(t);
	free(t->cell[0]);
	t->cell[0] = tl_xstrdup(h.data);	/* a head with a code span */
	cells[0] = tl_doc_text("decay");
	cells[1] = tl_doc_pct(0.2386, 1);
	cells[2] = tl_doc_text("2026-02-13");
	tl_doc_add_row(t, cells, NULL);
	tl_buf_init(&out);
	tl_doc_html(&out, &d, "t");
	cr_assert_not_null(strstr(out.data, "table.stack thead{display:none}"));
	cr_assert_not_null(strstr(out.data, "<table aria-labelledby=\"tbl-1\" "
	    "class=\"stack\">"));
	cr_assert_not_null(strstr(out.data, "<tr><td data-label=\"Code\">"
	    "decay</td><td class=\"r\" data-label=\"R&amp;D &lt;x&gt;\">"
	    "23.9%</td><td class=\"d\" data-label=\"Since\">2026-02-13"
	    "</td></tr>"), "%s", strstr(out.data, "<tbody>"));
	tl_buf_release(&out);
	tl_buf_release(&h);
	tl_doc_release(&d);
}

Test(doc, addf_long_text)
{
	struct tl_doc d;
	char *long_s = tl_xcalloc(5001, 1);

	/* a formatted text longer than any fixed buffer is kept whole */
	memset(long_s, 'x', 5000);
	tl_doc_init(&d);
	tl_doc_addf(&d, TL_DOC_P, "<%s>", long_s);
	cr_assert_eq(strlen(d.b[0].text), 5002);
	cr_assert_eq(d.b[0].text[5001], '>');
	tl_doc_release(&d);
	free(long_s);
}

/* ---- figures ---------------------------------------------------------- */

static void
str_is(char *got, const char *want)
{
	cr_assert_str_eq(got, want, "'%s', want '%s'", got, want);
	free(got);
}

Test(doc, figures)
{
	char buf[TL_DOC_NUMSZ];

	cr_assert_str_eq(tl_doc_fmt_num(buf, -1.27, 3), "-1.270");
	cr_assert_str_eq(tl_doc_fmt_sig(buf, 2385.4, 2), "2385");
	cr_assert_str_eq(tl_doc_fmt_int(buf, 1269), "1269");
	cr_assert_str_eq(tl_doc_fmt_int(buf, -INFINITY), "n/a");
	cr_assert_str_eq(tl_doc_fmt_pct(buf, 0.12345, 1), "12.3%");
	cr_assert_str_eq(tl_doc_fmt_pct(buf, -0.0000, 2), "0.00%");
	cr_assert_str_eq(tl_doc_fmt_pct(buf, NAN, 1), "n/a");
	/* '+' only when above zero as shown */
	cr_assert_str_eq(tl_doc_fmt_signed(buf, 2.386, 2), "+2.39");
	cr_assert_str_eq(tl_doc_fmt_signed(buf, 0.04, 1), "0.0");
	cr_assert_str_eq(tl_doc_fmt_signed(buf, -0.04, 1), "0.0");
	cr_assert_str_eq(tl_doc_fmt_signed(buf, -1.27, 1), "-1.3");
	cr_assert_str_eq(tl_doc_fmt_signed(buf, NAN, 1), "n/a");
	cr_assert_str_eq(tl_doc_fmt_signed(buf, INFINITY, 1), "n/a");
	str_is(tl_doc_pp(0.01234, 2), "+1.23");
	str_is(tl_doc_pp(-0.5, 1), "-50.0");
	str_is(tl_doc_pp(INFINITY, 1), "n/a");
	str_is(tl_doc_num(2.385, 1), "2.4");
	str_is(tl_doc_num(NAN, 1), "n/a");
	str_is(tl_doc_sig(0.0123456, 3), "0.0123");
	str_is(tl_doc_int(1269), "1269");
	str_is(tl_doc_int(2.5), "2.5");
	str_is(tl_doc_int(NAN), "n/a");
	str_is(tl_doc_range(0.1, 0.25, 2), "0.10\xE2\x80\x93" "0.25");
	str_is(tl_doc_range(NAN, 0.3, 1), "n/a\xE2\x80\x93" "0.3");
	str_is(tl_doc_range(NAN, NAN, 1), "n/a");
}

Test(doc, figures_short)
{
	static const struct {
		double		 x;
		const char	*want;
	} cases[] = {
		{ 155, "155" }, { 0.9, "0.9" }, { 0.0123456, "0.01235" },
		{ 100, "100" }, { -0.5, "-0.5" }, { 2.385, "2.385" },
		{ 1234567, "1234567" }, { 1.5e-5, "1.5e-5" },
		{ 1.23456e-5, "1.235e-5" }, { 0, "0" }, { NAN, "n/a" },
	};
	char buf[TL_DOC_NUMSZ];
	size_t i;

	for (i = 0; i < TL_NELEM(cases); i++)
		cr_assert_str_eq(tl_doc_fmt_short(buf, cases[i].x),
		    cases[i].want, "%g: '%s', want '%s'", cases[i].x, buf,
		    cases[i].want);
}

/* Against the definition: d decimals exactly, within half a unit of the
 * last decimal of x (plus the error of reading the text back, 1e-12
 * relative), for values spread over eight decades of both signs. */
Test(doc, figures_round_to_d_decimals)
{
	unsigned long long s = 0x2545f4914f6cdd1dULL;
	char buf[TL_DOC_NUMSZ], *p, *num;
	double x, y, half;
	size_t i;
	int d;

	for (i = 0; i < 20000; i++) {
		x = ((double)(ut_xorshift(&s) % 2000001) - 1e6) /
		    pow(10, (double)(ut_xorshift(&s) % 8));
		d = (int)(ut_xorshift(&s) % 5);
		half = 0.5 * pow(10, -d);
		num = tl_doc_num(x, d);
		p = strchr(num, '.');
		cr_assert_eq(p == NULL ? 0 : (int)strlen(p + 1), d, "%.17g to "
		    "%d: '%s'", x, d, num);
		y = strtod(num, NULL);
		cr_assert_leq(fabs(y - x), half * (1 + 1e-9) + fabs(x) * 1e-12,
		    "%.17g to %d: '%s'", x, d, num);
		free(num);
		tl_doc_fmt_pct(buf, x, d);
		cr_assert_eq(buf[strlen(buf) - 1], '%');
		y = strtod(buf, NULL);
		cr_assert_leq(fabs(y - x * 100), half * (1 + 1e-9) +
		    fabs(x) * 1e-10, "%.17g as %%, %d: '%s'", x, d, buf);
	}
}

/* ---- parameters ------------------------------------------------------- */

static void
params_are(const char *json, const char *want)
{
	json_t *o = json_loads(json, 0, NULL);
	struct tl_buf b;
	char *md;

	cr_assert_not_null(o);
	tl_buf_init(&b);
	tl_doc_put_params(&b, o);
	md = md_of(TL_DOC_P, &b);
	cr_assert_str_eq(md, want, "%s: '%s', want '%s'", json, md, want);
	free(md);
	tl_buf_release(&b);
	json_decref(o);
}

Test(doc, params)
{
	params_are("{\"lookback\":20,\"z\":1.23456,\"kind\":\"a_b <c>\","
	    "\"on\":true,\"off\":false,\"none\":null}",
	    "`lookback`=20, `z`=1.235, `kind`=a_b \\<c\\>, `on`=true, "
	    "`off`=false, `none`=n/a\n");
	params_are("{\"risk\":{\"max\":0.2},\"n\":3}",
	    "`risk.max`=0.2, `n`=3\n");
	/* a nested object after another member: one separator, not two */
	params_are("{\"n\":3,\"risk\":{\"max\":0.2,\"stop\":{\"atr\":2.5}},"
	    "\"m\":1}", "`n`=3, `risk.max`=0.2, `risk.stop.atr`=2.5, `m`=1\n");
	/* an empty one is a value with nothing to show */
	params_are("{\"n\":3,\"e\":{},\"m\":1}", "`n`=3, `e`=n/a, `m`=1\n");
	params_are("{}", "\n");
}
