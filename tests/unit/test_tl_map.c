/* Unit tests for lib/tl_map: insertion-ordered hash map. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_map.h"
#include "unit.h"

#define NKEYS	100000	/* keys in the big tests */

static size_t
key_of(char *buf, size_t size, size_t i)
{
	return (size_t)snprintf(buf, size, "sym-%zu-%zx", i, i * 2654435761u);
}

Test(tl_map, put_get_del)
{
	struct tl_map *m;
	uintptr_t *v, val;
	int added = -1;

	m = tl_map_alloc();
	cr_assert_eq(tl_map_count(m), 0);
	cr_assert_null(tl_map_get(m, "ES", 2));
	v = tl_map_put(m, "ES", 2, &added);
	cr_assert_not_null(v);
	cr_assert_eq(added, 1);
	cr_assert_eq(*v, 0, "new slot not 0");
	*v = 2385;
	v = tl_map_put(m, "ES", 2, &added);
	cr_assert_eq(added, 0);
	cr_assert_eq(*v, 2385);
	cr_assert_eq(*tl_map_get(m, "ES", 2), 2385);
	*tl_map_put(m, "NQ", 2, NULL) = 127;
	cr_assert_eq(tl_map_count(m), 2);
	/* a prefix or a longer key is another key */
	cr_assert_null(tl_map_get(m, "E", 1));
	cr_assert_null(tl_map_get(m, "ESX", 3));
	cr_assert_eq(tl_map_del(m, "ES", 2), 1);
	cr_assert_eq(tl_map_del(m, "ES", 2), 0);
	cr_assert_eq(tl_map_del(m, "zz", 2), 0);
	cr_assert_null(tl_map_get(m, "ES", 2));
	cr_assert_eq(*tl_map_get(m, "NQ", 2), 127);
	cr_assert_eq(tl_map_count(m), 1);
	/* re-adding a deleted key gives a fresh slot */
	v = tl_map_put(m, "ES", 2, &added);
	cr_assert_eq(added, 1);
	cr_assert_eq(*v, 0);
	/* take: the value, and the key gone */
	val = 99;
	cr_assert_eq(tl_map_take(m, "zz", 2, &val), 0);
	cr_assert_eq(val, 99, "a miss leaves val");
	cr_assert_eq(tl_map_take(m, "NQ", 2, &val), 1);
	cr_assert_eq(val, 127);
	cr_assert_null(tl_map_get(m, "NQ", 2));
	cr_assert_eq(tl_map_take(m, "NQ", 2, &val), 0);
	cr_assert_eq(tl_map_count(m), 1);
	tl_map_free(m);
	tl_map_free(NULL);
}

Test(tl_map, pointer_values)
{
	static double px = 2.385;
	struct tl_map *m;

	m = tl_map_alloc();
	*tl_map_put(m, "px", 2, NULL) = (uintptr_t)&px;
	cr_assert_eq(*(double *)*tl_map_get(m, "px", 2), 2.385);
	tl_map_free(m);
}

Test(tl_map, many_keys_with_deletions_keep_order)
{
	struct tl_map *m;
	const char *key;
	char buf[64];
	uintptr_t val, *v;
	size_t i, n, it, want, seen;
	int added;

	m = tl_map_alloc();
	for (i = 0; i < NKEYS; i++) {
		n = key_of(buf, sizeof(buf), i);
		v = tl_map_put(m, buf, n, &added);
		cr_assert_eq(added, 1, "key %zu", i);
		*v = i * 7 + 1;
	}
	cr_assert_eq(tl_map_count(m), NKEYS);
	for (i = 0; i < NKEYS; i += 3) {
		n = key_of(buf, sizeof(buf), i);
		cr_assert_eq(tl_map_del(m, buf, n), 1, "key %zu", i);
	}
	cr_assert_eq(tl_map_count(m), NKEYS - (NKEYS + 2) / 3);
	for (i = 0; i < NKEYS; i++) {
		n = key_of(buf, sizeof(buf), i);
		v = tl_map_get(m, buf, n);
		if (i % 3 == 0)
			cr_assert_null(v, "deleted key %zu found", i);
		else {
			cr_assert_not_null(v, "key %zu lost", i);
			cr_assert_eq(*v, i * 7 + 1);
		}
	}
	/* iteration = insertion order minus the deleted */
	it = 0;
	want = 1;
	seen = 0;
	while (tl_map_next(m, &it, &key, &n, &val)) {
		cr_assert_eq(val, want * 7 + 1, "entry %zu: %zu", seen,
		    (size_t)val);
		cr_assert_eq(n, key_of(buf, sizeof(buf), want));
		cr_assert_eq(memcmp(key, buf, n), 0);
		seen++;
		want += want % 3 == 1 ? 1 : 2;
	}
	cr_assert_eq(seen, tl_map_count(m));
	cr_assert_eq(tl_map_next(m, &it, &key, &n, &val), 0);
	/* re-added keys go to the end */
	for (i = 0; i < 30; i += 3) {
		n = key_of(buf, sizeof(buf), i);
		*tl_map_put(m, buf, n, NULL) = 1000000 + i;
	}
	it = 0;
	seen = 0;
	while (tl_map_next(m, &it, &key, &n, &val))
		if (++seen > NKEYS - (NKEYS + 2) / 3)
			cr_assert_eq(val, 1000000 +
			    (seen - 1 - (NKEYS - (NKEYS + 2) / 3)) * 3);
	cr_assert_eq(seen, NKEYS - (NKEYS + 2) / 3 + 10);
	tl_map_free(m);
}

/* A sliding window: the table keeps filling with tombstones that put()
 * must compact without losing or reordering live keys. */
Test(tl_map, churn)
{
	struct tl_map *m;
	const char *key;
	char buf[64];
	uintptr_t val;
	size_t i, n, it, window = 50, seen;

	m = tl_map_alloc();
	for (i = 0; i < NKEYS; i++) {
		n = key_of(buf, sizeof(buf), i);
		*tl_map_put(m, buf, n, NULL) = i;
		if (i >= window) {
			n = key_of(buf, sizeof(buf), i - window);
			cr_assert_eq(tl_map_del(m, buf, n), 1, "key %zu",
			    i - window);
		}
		cr_assert_leq(tl_map_count(m), window);
	}
	cr_assert_eq(tl_map_count(m), window);
	it = 0;
	seen = 0;
	while (tl_map_next(m, &it, &key, &n, &val)) {
		cr_assert_eq(val, NKEYS - window + seen);
		seen++;
	}
	cr_assert_eq(seen, window);
	for (i = 0; i < NKEYS - window; i++) {
		n = key_of(buf, sizeof(buf), i);
		cr_assert_null(tl_map_get(m, buf, n));
	}
	tl_map_free(m);
}

Test(tl_map, binary_keys)
{
	static const struct { const char *k; size_t n; } keys[] = {
		{ "a\0b", 3 }, { "a\0c", 3 }, { "a", 1 }, { "", 0 },
		{ "\0", 1 }, { "\0\0", 2 }, { "a\0", 2 }, { "\xff\xfe", 2 },
	};
	size_t nk = sizeof(keys) / sizeof(keys[0]), i, it, n;
	struct tl_map *m;
	const char *key;
	uintptr_t val;
	int added;

	m = tl_map_alloc();
	for (i = 0; i < nk; i++) {
		*tl_map_put(m, keys[i].k, keys[i].n, &added) = 100 + i;
		cr_assert_eq(added, 1, "key %zu collided", i);
	}
	cr_assert_eq(tl_map_count(m), nk);
	for (i = 0; i < nk; i++)
		cr_assert_eq(*tl_map_get(m, keys[i].k, keys[i].n), 100 + i);
	it = 0;
	for (i = 0; tl_map_next(m, &it, &key, &n, &val); i++) {
		cr_assert_eq(n, keys[i].n);
		cr_assert_eq(memcmp(key, keys[i].k, n), 0);
		cr_assert_eq(val, 100 + i);
	}
	cr_assert_eq(i, nk);
	cr_assert_eq(tl_map_del(m, "a\0b", 3), 1);
	cr_assert_null(tl_map_get(m, "a\0b", 3));
	cr_assert_eq(*tl_map_get(m, "a\0c", 3), 101);
	cr_assert_eq(*tl_map_get(m, "a", 1), 102);
	tl_map_free(m);
}

Test(tl_map, empty_iteration)
{
	struct tl_map *m;
	const char *key;
	size_t it = 0, n;
	uintptr_t val;

	m = tl_map_alloc();
	cr_assert_eq(tl_map_next(m, &it, &key, &n, &val), 0);
	*tl_map_put(m, "x", 1, NULL) = 1;
	tl_map_del(m, "x", 1);
	it = 0;
	cr_assert_eq(tl_map_next(m, &it, &key, &n, &val), 0);
	tl_map_free(m);
}
