/*
 * Sorting large arrays of doubles by value, stably: the order qsort gives
 * with a comparator on (value, input position), in linear time.
 */
#ifndef TL_SORT_H
#define TL_SORT_H

#include <stddef.h>
#include <stdint.h>

/* Put into order[0..n) the positions 0..n-1 of key[] by ascending value,
 * equal values (0.0 and -0.0 are equal) in input order: the order of
 * qsort with (key[i], i) as the comparison.  Returns 0, or -1 without
 * touching order when it cannot: a NaN in key (no order), or n >= 2^32. */
int	tl_sort_order(const double *key, size_t n, uint32_t *order);

#endif
