/*
 * libFuzzer target: tl-calibrate's map loader (tl_cal_load) on arbitrary
 * bytes.  A map that loads gives probabilities in [0, 1] for any score,
 * in every group, and written again loads again to the same text.
 * Seeds: maps fitted on testdata/calibrate (tl-calibrate fit, isotonic
 * and platt, with and without groups).  make fuzz-calib (clang).
 */
#include <stdint.h>
#include <stdlib.h>

#include "tl_calib.h"
#include "tl_err.h"
#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static json_t *
reload(const char *path)
{
	struct tl_cal c;
	struct tl_err err = { 0 };
	json_t *v = NULL;

	if (tl_cal_load(&c, path, &err) == 0)
		v = tl_cal_json(&c);
	tl_cal_release(&c);
	return v;
}

static void
check_map(const struct tl_cmap *m)
{
	static const double s[] = { -0.5, 0, 1e-300, 0.3, 0.5, 0.999, 1, 2 };
	size_t i;
	double p;

	for (i = 0; i < TL_NELEM(s); i++) {
		p = tl_cmap_apply(m, s[i]);
		if (!(p >= 0 && p <= 1))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct tl_cal c;
	struct tl_err err = { 0 };
	const char *path = fuzz_file("calib", 0, data, n);
	size_t g;

	if (tl_cal_load(&c, path, &err) == 0) {
		check_map(tl_cal_find(&c, NULL));
		for (g = 0; g < c.ng; g++)
			check_map(tl_cal_find(&c, c.gname[g]));
		fuzz_round_trip("calib", tl_cal_json(&c), reload);
	}
	tl_cal_release(&c);
	return 0;
}
