/*
 * libFuzzer target: tl-bandit's state loader (tl_bandit_state_load) on
 * arbitrary bytes.  A state that loads, written again, must load again to
 * the same text.  Seeds: the states of testdata/tl-bandit.
 * make fuzz-bandit (clang).
 */
#include <stdint.h>
#include <stdlib.h>

#include "tl_bandit.h"
#include "tl_err.h"
#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static json_t *
reload(const char *path)
{
	struct tl_bandit_state st;
	struct tl_err err = { 0 };
	json_t *v = NULL;

	tl_bandit_state_init(&st);
	if (tl_bandit_state_load(&st, path, &err) == 0)
		v = tl_bandit_state_json(&st);
	tl_bandit_state_release(&st);
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	json_t *v;

	if ((v = reload(fuzz_file("bandit", 0, data, n))) != NULL)
		fuzz_round_trip("bandit", v, reload);
	return 0;
}
