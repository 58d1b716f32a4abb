/*
 * tl_sort_order: a least-significant-digit radix sort (Knuth, TAOCP
 * vol. 3, 5.2.5) on the doubles' bits mapped to unsigned integers whose
 * order is the doubles' (the sign bit flipped for positives, every bit
 * for negatives), 16 bits a pass.  Each pass is a stable counting sort,
 * so equal keys keep their input order; a pass whose digit is the same
 * for every key moves nothing and is skipped (scores in [0, 1] share
 * their top bits).  Four passes over n keys against qsort's n log n
 * comparisons through a function pointer.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tl_sort.h"
#include "tl_util.h"

#define DIGIT	16
#define NDIGIT	(64 / DIGIT)
#define RADIX	((size_t)1 << DIGIT)

/* The unsigned integer whose order is x's; -0.0 as 0.0. */
static uint64_t
ordered_bits(double x)
{
	uint64_t u;

	if (x == 0)
		x = 0;
	memcpy(&u, &x, sizeof(u));
	return u >> 63 ? ~u : u | (uint64_t)1 << 63;
}

int
tl_sort_order(const double *key, size_t n, uint32_t *order)
{
	uint64_t *k, *k2, *tk;
	uint32_t *o2, *src, *dst, *to;
	size_t *cnt, i, d, sum, c;
	unsigned shift;

	if (n >= (size_t)UINT32_MAX)
		return -1;
	for (i = 0; i < n; i++)
		if (isnan(key[i]))
			return -1;
	if (n == 0)
		return 0;
	k = tl_xcalloc(n, sizeof(uint64_t));
	k2 = tl_xcalloc(n, sizeof(uint64_t));
	o2 = tl_xcalloc(n, sizeof(uint32_t));
	cnt = tl_xcalloc(NDIGIT * RADIX, sizeof(size_t));
	for (i = 0; i < n; i++) {
		k[i] = ordered_bits(key[i]);
		order[i] = (uint32_t)i;
		for (d = 0; d < NDIGIT; d++)
			cnt[d * RADIX + (k[i] >> (d * DIGIT) & (RADIX - 1))]++;
	}
	src = order;
	dst = o2;
	for (d = 0; d < NDIGIT; d++) {
		size_t *h = cnt + d * RADIX;

		shift = (unsigned)(d * DIGIT);
		if (h[k[0] >> shift & (RADIX - 1)] == n)
			continue;	/* one digit for all: order stays */
		for (i = sum = 0; i < RADIX; i++) {
			c = h[i];
			h[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++) {
			size_t at = h[k[i] >> shift & (RADIX - 1)]++;

			k2[at] = k[i];
			dst[at] = src[i];
		}
		tk = k, k = k2, k2 = tk;
		to = src, src = dst, dst = to;
	}
	if (src != order)
		memcpy(order, src, n * sizeof(uint32_t));
	free(cnt);
	free(o2);
	free(k2);
	free(k);
	return 0;
}
