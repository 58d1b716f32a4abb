/*
 * libFuzzer target: tl-bandit's previous-weights reader
 * (tl_bandit_prev_load) on arbitrary bytes.  Every weight it accepts is a
 * finite number >= 0.
 * Seeds: tests/fuzz/seeds/prevw.  make fuzz-prevw (clang).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "tl_bandit_weights.h"
#include "tl_err.h"
#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct tl_bandit_prev p = { 0 };
	struct tl_err err = { 0 };
	size_t i;

	if (tl_bandit_prev_load(&p, fuzz_file("prevw", 0, data, n),
	    &err) == 0) {
		for (i = 0; i < p.n; i++)
			if (!(p.w[i] >= 0) || isinf(p.w[i]))
				abort();
	}
	tl_bandit_prev_release(&p);
	return 0;
}
