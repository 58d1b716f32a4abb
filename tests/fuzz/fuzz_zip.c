/*
 * libFuzzer target: the zip archive reader (tl_zip_export) on arbitrary
 * bytes.  What it returns is never over the limit it was given and is
 * NUL-terminated.
 * Seeds: tests/fuzz/seeds/zip.  make fuzz-zip (clang).
 */
#include <stdint.h>
#include <stdlib.h>

#include "tl_err.h"
#include "tl_zip.h"
#include "fuzz_util.h"

#define LIMIT	(1 << 20)

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct tl_err err = { 0 };
	struct tl_buf b;

	tl_buf_init(&b);
	if (tl_zip_export(fuzz_file("zip", 0, data, n), LIMIT, &b, &err) ==
	    1 && (b.len > LIMIT || b.data[b.len] != '\0'))
		abort();
	tl_buf_release(&b);
	return 0;
}
