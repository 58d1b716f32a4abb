/*
 * Unit tests for lib/tl_sort: tl_sort_order against qsort with a
 * comparator on (value, position) written here, on random keys with many
 * ties, both zeros, negatives, infinities and the extremes of the
 * doubles; what it refuses (NaN) and the edge sizes.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include <criterion/criterion.h>

#include "tl_rng.h"
#include "tl_sort.h"
#include "tl_util.h"

#define NTRIAL	200	/* random arrays against the reference */

struct ref {
	double	v;
	size_t	i;
};

/* The reference order: value, then position; 0.0 == -0.0 as C says. */
static int
cmp_ref(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;

	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static void
check(const double *key, size_t n)
{
	uint32_t *order = tl_xcalloc(n + 1, sizeof(uint32_t));
	struct ref *r = tl_xcalloc(n + 1, sizeof(struct ref));
	size_t i;

	for (i = 0; i < n; i++) {
		r[i].v = key[i];
		r[i].i = i;
	}
	qsort(r, n, sizeof(*r), cmp_ref);
	cr_assert_eq(tl_sort_order(key, n, order), 0);
	for (i = 0; i < n; i++)
		cr_assert_eq(order[i], r[i].i, "n %zu, at %zu: %u, want %zu",
		    n, i, order[i], r[i].i);
	free(r);
	free(order);
}

Test(tl_sort, random_keys_with_ties)
{
	static const double special[] = { 0.0, -0.0, 1.0, -1.0, INFINITY,
	    -INFINITY, 0x1p-1074, -0x1p-1074, 1.7976931348623157e308,
	    -1.7976931348623157e308, 0.5, 0.25 };
	gsl_rng *r = tl_rng_alloc(20261206, 0);
	size_t t, i, n;

	for (t = 0; t < NTRIAL; t++) {
		n = 1 + tl_rng_below(r, 3000);
		double *k = tl_xcalloc(n, sizeof(double));

		for (i = 0; i < n; i++)
			switch (tl_rng_below(r, 4)) {
			case 0:	/* a confidence with 4 decimals: ties */
				k[i] = (double)tl_rng_below(r, 10001) / 10000;
				break;
			case 1:	/* any finite double of either sign */
				k[i] = ldexp(tl_rng_uniform(r),
				    (int)tl_rng_below(r, 200) - 97) *
				    (tl_rng_below(r, 2) ? -1 : 1);
				break;
			case 2:
				k[i] = special[tl_rng_below(r,
				    TL_NELEM(special))];
				break;
			case 3:	/* a few values only */
				k[i] = (double)tl_rng_below(r, 3) - 1;
				break;
			}
		check(k, n);
		free(k);
	}
	tl_rng_free(r);
}

/* Both zeros are one value: their input order stays. */
Test(tl_sort, zeros_are_equal)
{
	static const double k[] = { -0.0, 0.0, -0.0, -1, 0.0 };

	check(k, TL_NELEM(k));
}

/* Keys whose top 16 bits all agree skip that pass; all equal skip all. */
Test(tl_sort, one_digit_for_all)
{
	static const double same[] = { 0.75, 0.75, 0.75 };
	static const double close[] = { 0.5000001, 0.5, 0.50000005, 0.5 };

	check(same, 3);
	check(close, 4);
}

Test(tl_sort, sizes_and_refusals)
{
	const double nan_in[] = { 1, NAN, 0 };
	uint32_t order[3] = { 7, 7, 7 };

	cr_assert_eq(tl_sort_order(NULL, 0, order), 0);
	cr_assert_eq(order[0], 7);
	check(nan_in, 1);
	cr_assert_eq(tl_sort_order(nan_in, 3, order), -1);
	cr_assert_eq(order[0], 7, "order untouched on refusal");
}
