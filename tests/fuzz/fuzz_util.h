/*
 * Helpers of the libFuzzer targets: the input written to a file of this
 * process (the loaders take paths), and a JSON value's text.
 */
#ifndef TL_FUZZ_UTIL_H
#define TL_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "tl_json.h"
#include "tl_util.h"

/* Write n bytes to /tmp/tl-fuzz-<what>-<pid>-<k> (k tells two files of
 * one target apart) and return its name (static, per k). */
static inline const char *
fuzz_file(const char *what, int k, const void *p, size_t n)
{
	static char path[2][128];
	FILE *fp;

	snprintf(path[k], sizeof(path[k]), "/tmp/tl-fuzz-%s-%d-%d", what,
	    (int)getpid(), k);
	if ((fp = fopen(path[k], "wb")) == NULL)
		abort();
	if (n > 0 && fwrite(p, 1, n, fp) != n)
		abort();
	if (fclose(fp) != 0)
		abort();
	return path[k];
}

/* v as tl_json_append writes it: new, free(). */
static inline char *
fuzz_text(const json_t *v)
{
	struct tl_buf b;

	tl_buf_init(&b);
	tl_json_append(&b, v);
	return b.data;
}

/* What was loaded and written again must load again to the same text:
 * the nightly run carries states and maps from night to night.  json is
 * the loaded value's JSON (stolen); reload(path) loads a file and
 * returns its JSON, or NULL. */
static inline void
fuzz_round_trip(const char *what, json_t *json, json_t *(*reload)(const
    char *))
{
	char *a = fuzz_text(json), *b;
	json_t *again;

	json_decref(json);
	if ((again = reload(fuzz_file(what, 1, a, strlen(a)))) == NULL)
		abort();	/* we wrote what we cannot read */
	b = fuzz_text(again);
	if (strcmp(a, b) != 0)
		abort();	/* not the same after a round trip */
	json_decref(again);
	free(a);
	free(b);
}

#endif
