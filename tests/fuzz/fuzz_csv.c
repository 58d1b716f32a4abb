/*
 * libFuzzer target: the CSV record reader on arbitrary bytes (a file per
 * input, since the reader takes paths).  Found a header left in an open
 * quote looping forever.  Run with make fuzz (clang).
 */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>
#include <jansson.h>
#include "tl_records.h"
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static char path[64];
	if (path[0] == 0)
		snprintf(path, sizeof(path), "/tmp/tl-fuzz-csv.%d", (int)getpid());
	FILE *f = fopen(path, "wb"); fwrite(data, 1, n, f); fclose(f);
	struct tl_err err; struct tl_records *r = tl_records_open(path, TL_FMT_CSV, &err);
	json_t *rec; int rc; size_t len;
	while ((rc = tl_records_next(r, &rec, &err)) != 0) {
		tl_records_raw(r, &len);
		if (rc == 1) json_decref(rec);
		else if (tl_records_failed(r)) break;
	}
	tl_records_free(r);
	return 0;
}
