/*
 * libFuzzer target: tl-regime's model loader (tl_regime_model_load) on
 * arbitrary bytes.  A model that loads must decode days (filtered
 * probabilities that sum to 1, a Viterbi path of its states) and,
 * written again, load again to the same text.  Seeds: models fitted on
 * testdata/tl-regime (diagonal, full, a selection).  make fuzz-regime
 * (clang).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "tl_err.h"
#include "tl_hmm.h"
#include "fuzz_util.h"

#define DAYS	6	/* days decoded */

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static json_t *
reload(const char *path)
{
	struct tl_regime_model m;
	struct tl_err err = { 0 };
	json_t *v = NULL;

	if (tl_regime_model_load(&m, path, &err) == 0)
		v = tl_regime_model_json(&m);
	tl_regime_model_release(&m);
	return v;
}

/* Decode DAYS days near the model's first means: the filtered
 * probabilities of a day sum to 1 (or are NaN where every state gives
 * the day no density) and the path stays among the states. */
static void
decode(const struct tl_ghmm *h)
{
	double *x, *filt, sum;
	size_t *path, t, j;

	x = calloc(DAYS * h->dim, sizeof(double));
	filt = calloc(DAYS * h->k, sizeof(double));
	path = calloc(DAYS, sizeof(size_t));
	if (x == NULL || filt == NULL || path == NULL)
		abort();
	for (t = 0; t < DAYS; t++)
		for (j = 0; j < h->dim; j++)
			x[t * h->dim + j] = h->mean[(t % h->k) * h->dim + j] +
			    0.01 * (double)t;
	tl_ghmm_decode(h, x, DAYS, filt, path);
	for (t = 0; t < DAYS; t++) {
		if (path[t] >= h->k)
			abort();
		for (sum = 0, j = 0; j < h->k; j++)
			sum += filt[t * h->k + j];
		if (!isnan(sum) && fabs(sum - 1) > 1e-6)
			abort();
	}
	free(path);
	free(filt);
	free(x);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct tl_regime_model m;
	struct tl_err err = { 0 };

	if (tl_regime_model_load(&m, fuzz_file("regime", 0, data, n),
	    &err) == 0) {
		decode(&m.h);
		fuzz_round_trip("regime", tl_regime_model_json(&m), reload);
	}
	tl_regime_model_release(&m);
	return 0;
}
