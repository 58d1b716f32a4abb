/*
 * libFuzzer target: the forest model loader (tl_forest_load) on arbitrary
 * bytes.  A model that loads must predict any row of bins and dump
 * without a sanitizer report: every node and leaf was checked.  Seeds:
 * the good and damaged models of testdata/tl-train-forest.
 * make fuzz-forest (clang).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_err.h"
#include "tl_forest.h"
#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct tl_err err = { 0 };
	struct tl_forest *f;
	double mean[2], sd[2], *prob;
	uint8_t *bins;
	size_t nf, k, i;
	FILE *fp;

	if ((f = tl_forest_load(fuzz_file("forest", 0, data, n), NULL,
	    &err)) == NULL) {
		if (err.code != TL_EX_DATAERR && err.code != TL_EX_IOERR)
			abort();
		return 0;
	}
	nf = tl_forest_nfeatures(f);
	k = tl_forest_nclasses(f);
	bins = calloc(2 * nf, 1);
	prob = calloc(2 * (k > 0 ? k : 1), sizeof(double));
	if (bins == NULL || prob == NULL)
		abort();
	/* one row of the input's bytes, one all missing */
	for (i = 0; i < nf; i++) {
		bins[i] = n > 0 ? data[i % n] : 0;
		bins[nf + i] = 255;
	}
	tl_forest_predict_batch(f, bins, 2, mean, sd, prob);
	if ((fp = fopen("/dev/null", "w")) == NULL)
		abort();
	tl_forest_dump(f, fp, &err);
	fclose(fp);
	free(prob);
	free(bins);
	tl_forest_free(f);
	return 0;
}
