/*
 * libFuzzer target: tl_jv against jansson.  Whatever tl_jv accepts must
 * print the same canonical text as the jansson path and re-parse to
 * itself; jansson must not accept what tl_jv refuses.  Found -0.0
 * printing as the integer "-0".  Run with make fuzz (clang).
 */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <stdlib.h>
#include <jansson.h>
#include "tl_jv.h"
#include "tl_json.h"
/* Differential: what tl_jv accepts, jansson accepts (but for integers
 * beyond int64), and the canonical texts agree; re-parsing our output
 * gives the same output. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static struct tl_jdoc d, d2;
	static int init;
	struct tl_buf a, b, c, x, y;
	struct tl_err err;
	json_t *j;

	if (!init) { tl_jdoc_init(&d); tl_jdoc_init(&d2); init = 1; }
	int rc = tl_jdoc_parse(&d, (const char *)data, n, "f", 1, &err);
	j = json_loadb((const char *)data, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
	if (rc == 0) {
		tl_buf_init(&a);
		tl_jv_append(&a, &d, &d.v[0]);
		if (tl_jdoc_parse(&d2, a.data, a.len, "g", 1, &err) != 0) abort();
		tl_buf_init(&c);
		tl_jv_append(&c, &d2, &d2.v[0]);
		if (strcmp(a.data, c.data) != 0) abort();
		/* our text: each value's own text is its canonical text, and
		 * its top level read off the text is the parse's */
		for (size_t i = 0; i < d2.n; i++) {
			tl_buf_init(&x);
			tl_buf_init(&y);
			tl_jv_append(&x, &d2, &d2.v[i]);
			tl_jv_append_text(&y, &d2, &d2.v[i]);
			if (x.len != y.len || memcmp(x.data, y.data, x.len) != 0)
				abort();
			tl_buf_release(&x);
			tl_buf_release(&y);
		}
		tl_buf_init(&x);
		tl_buf_init(&y);
		long k1 = tl_jv_index(&d2, &x);
		long k2 = tl_jv_index_text(a.data, a.len, &y);
		if (k1 != k2 || x.len != y.len ||
		    (x.len > 0 && memcmp(x.data, y.data, x.len) != 0))
			abort();
		tl_buf_release(&x);
		tl_buf_release(&y);
		if (j != NULL) {
			tl_buf_init(&b);
			tl_json_append(&b, j);
			if (strcmp(a.data, b.data) != 0) abort();
			tl_buf_release(&b);
		}
		tl_buf_release(&a);
		tl_buf_release(&c);
	} else if (j != NULL && memchr(data, 0, n) == NULL) {
		/* jansson accepted what we refused: only allowed for things
		 * we are stricter on (none expected) */
		abort();
	}
	json_decref(j);
	return 0;
}
