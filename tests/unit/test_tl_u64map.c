/*
 * Unit tests for lib/tl_u64map: the compact u64 -> u64 table, checked
 * against a naive table (a linear list, or keys that are distinct by
 * construction), through its growth; key 0 is no key.
 */
#include <stdint.h>
#include <stdlib.h>

#include <criterion/criterion.h>

#include "tl_u64map.h"

/* A bijection of 64-bit words (an odd multiplier, then an xorshift:
 * each step inverts), so keys mix(1..n) are distinct and none is 0. */
static uint64_t
mix(uint64_t i)
{
	uint64_t x = i * 0xd1342543de82ef95ULL;

	return x ^ (x >> 29);
}

/* The naive table: n pairs in a list, searched one by one. */
struct naive {
	uint64_t	 key[2048];
	uint64_t	 val[2048];
	size_t		 n;
};

static uint64_t *
naive_find(struct naive *t, uint64_t key)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->key[i] == key)
			return &t->val[i];
	return NULL;
}

/* xorshift64 (Marsaglia 2003, "Xorshift RNGs", J. Stat. Softw. 8(14)) */
static uint64_t
next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

Test(tl_u64map, empty)
{
	struct tl_u64map t;
	size_t n = 7, cap = 7;

	tl_u64map_init(&t);
	cr_assert_eq(tl_u64map_count(&t), 0);
	cr_assert_null(tl_u64map_get(&t, 1));
	cr_assert_null(tl_u64map_get(&t, UINT64_MAX));
	tl_u64map_prefetch(&t, 5);	/* no slots yet: nothing to ask */
	cr_assert_null(tl_u64map_take(&t, &n, &cap));
	cr_assert_eq(n, 0);
	cr_assert_eq(cap, 0);
	tl_u64map_release(&t);
	tl_u64map_release(&t);	/* released twice: still empty */
	cr_assert_null(t.slot);
}

Test(tl_u64map, zero_is_no_key)
{
	struct tl_u64map t;
	int added = -1;
	uint64_t *v;

	tl_u64map_init(&t);
	cr_assert_null(tl_u64map_put(&t, 0, &added), "key 0 added");
	cr_assert_eq(added, 0);
	cr_assert_eq(tl_u64map_count(&t), 0);
	/* with keys in the table, 0 is still absent and never found at an
	 * empty slot */
	*tl_u64map_put(&t, 1, &added) = 11;
	*tl_u64map_put(&t, UINT64_MAX, &added) = 22;
	cr_assert_null(tl_u64map_put(&t, 0, &added));
	cr_assert_eq(added, 0);
	cr_assert_null(tl_u64map_get(&t, 0));
	cr_assert_eq(tl_u64map_count(&t), 2);
	v = tl_u64map_get(&t, 1);
	cr_assert_not_null(v);
	cr_assert_eq(*v, 11);
	v = tl_u64map_get(&t, UINT64_MAX);
	cr_assert_not_null(v);
	cr_assert_eq(*v, 22);
	tl_u64map_release(&t);
}

/* Random keys from a small set, so that most puts find their key: each
 * put's added, each value and each lookup as the naive list says. */
Test(tl_u64map, put_find_as_naive)
{
	static struct naive nv;
	struct tl_u64map t;
	uint64_t seed = 88172645463325252ULL, pool[1500], key, *v, *w;
	size_t i;
	int added;

	for (i = 0; i < 1500; i++)
		pool[i] = next(&seed) >> (i % 64);	/* small and large */
	pool[0] = 1;
	nv.n = 0;
	tl_u64map_init(&t);
	for (i = 0; i < 20000; i++) {
		key = pool[next(&seed) % 1500];
		if (key == 0)
			continue;
		v = tl_u64map_put(&t, key, &added);
		cr_assert_not_null(v);
		w = naive_find(&nv, key);
		cr_assert_eq(added, w == NULL, "key %llx: added %d",
		    (unsigned long long)key, added);
		if (w == NULL) {
			cr_assert_eq(*v, 0, "a new slot holds 0");
			nv.key[nv.n] = key;
			w = &nv.val[nv.n++];
			*w = 0;
		}
		cr_assert_eq(*v, *w);
		*v += i;
		*w += i;
	}
	cr_assert_eq(tl_u64map_count(&t), nv.n);
	for (i = 0; i < nv.n; i++) {
		v = tl_u64map_get(&t, nv.key[i]);
		cr_assert_not_null(v);
		cr_assert_eq(*v, nv.val[i]);
	}
	for (i = 0; i < 1000; i++) {	/* keys never put */
		key = next(&seed) | 1ULL << 63;
		if (naive_find(&nv, key) == NULL)
			cr_assert_null(tl_u64map_get(&t, key));
	}
	tl_u64map_release(&t);
}

/* Through several doublings (4096 slots, then 8192, ...): the load stays
 * at most 3/4, and every key keeps its value. */
Test(tl_u64map, grow)
{
	enum { N = 100000 };
	struct tl_u64map t;
	size_t i, slots = 0, grew = 0;
	uint64_t *v;
	int added;

	tl_u64map_init(&t);
	for (i = 1; i <= N; i++) {
		v = tl_u64map_put(&t, mix(i), &added);
		cr_assert_eq(added, 1);
		*v = i;
		cr_assert_eq(t.mask & (t.mask + 1), 0, "not a power of 2");
		cr_assert_leq(4 * t.n, 3 * (t.mask + 1), "load > 3/4 at %zu",
		    i);
		if (t.mask + 1 != slots) {
			cr_assert(slots == 0 || t.mask + 1 == 2 * slots);
			slots = t.mask + 1;
			grew++;
		}
		if (i == 3072)	/* 3/4 of the first 4096 slots */
			cr_assert_eq(t.mask + 1, 4096);
		if (i == 3073)
			cr_assert_eq(t.mask + 1, 8192);
	}
	cr_assert_geq(grew, 6);	/* 4096 .. 262144 */
	cr_assert_eq(tl_u64map_count(&t), N);
	for (i = 1; i <= N; i++) {
		v = tl_u64map_put(&t, mix(i), &added);
		cr_assert_eq(added, 0);
		cr_assert_eq(*v, i);
		tl_u64map_prefetch(&t, mix(i));
	}
	for (i = N + 1; i <= 2 * N; i++)	/* distinct: mix is 1-1 */
		cr_assert_null(tl_u64map_get(&t, mix(i)));
	cr_assert_eq(tl_u64map_count(&t), N);
	tl_u64map_release(&t);
}

/* reserve: room for n keys at load 3/4 at once, so that n puts never
 * grow the table; a smaller reserve keeps it; the keys stay. */
Test(tl_u64map, reserve)
{
	enum { N = 100000 };
	struct tl_u64map t;
	size_t i, slots;
	int added;

	tl_u64map_init(&t);
	*tl_u64map_put(&t, mix(1), &added) = 1;
	tl_u64map_reserve(&t, N);
	slots = t.mask + 1;
	cr_assert_eq(slots, 262144);	/* 3/4 of 131072 is below N */
	cr_assert_eq(*tl_u64map_get(&t, mix(1)), 1);
	for (i = 2; i <= N; i++)
		*tl_u64map_put(&t, mix(i), &added) = i;
	cr_assert_eq(t.mask + 1, slots, "grew though reserved");
	tl_u64map_reserve(&t, 10);
	cr_assert_eq(t.mask + 1, slots);
	for (i = 1; i <= N; i++)
		cr_assert_eq(*tl_u64map_get(&t, mix(i)), i);
	tl_u64map_reserve(&t, 200000);	/* 3/4 of 262144 is below */
	cr_assert_eq(t.mask + 1, 2 * slots);
	for (i = 1; i <= N; i++)
		cr_assert_eq(*tl_u64map_get(&t, mix(i)), i);
	tl_u64map_release(&t);
	tl_u64map_init(&t);
	tl_u64map_reserve(&t, 0);
	cr_assert_eq(t.mask + 1, 4096);
	tl_u64map_release(&t);
}

/* Consecutive small keys, as (strategy << 32 | day) are, probe as well
 * as mixed ones: all found. */
Test(tl_u64map, consecutive_keys)
{
	struct tl_u64map t;
	uint64_t s, d, *v;
	int added;

	tl_u64map_init(&t);
	for (s = 1; s <= 20; s++)
		for (d = 0; d < 500; d++)
			*tl_u64map_put(&t, s << 32 | d, &added) = s * 1000 + d;
	cr_assert_eq(tl_u64map_count(&t), 10000);
	for (s = 1; s <= 20; s++)
		for (d = 0; d < 500; d++) {
			v = tl_u64map_get(&t, s << 32 | d);
			cr_assert_not_null(v);
			cr_assert_eq(*v, s * 1000 + d);
		}
	cr_assert_null(tl_u64map_get(&t, 21ULL << 32));
	tl_u64map_release(&t);
}

/* take of n keys: every pair once, packed to the front of an array of
 * the heap (which returns.c grows with realloc); the table left empty and
 * usable again. */
static void
check_take(size_t N)
{
	struct tl_u64map t;
	struct tl_u64slot *v;
	size_t i, n, cap, k;
	char *seen;
	int added;

	tl_u64map_init(&t);
	for (i = 1; i <= N; i++)
		*tl_u64map_put(&t, mix(i), &added) = i;
	v = tl_u64map_take(&t, &n, &cap);
	cr_assert_not_null(v);
	cr_assert_eq(n, N);
	cr_assert_geq(cap, n);
	cr_assert_eq(tl_u64map_count(&t), 0);
	cr_assert_null(t.slot);
	seen = calloc(N + 1, 1);
	cr_assert_not_null(seen);
	for (k = 0; k < n; k++) {
		i = (size_t)v[k].val;
		cr_assert(i >= 1 && i <= N);
		cr_assert_eq(v[k].key, mix(i), "pair %zu: key and value apart",
		    k);
		cr_assert_eq(seen[i], 0, "value %zu twice", i);
		seen[i] = 1;
	}
	free(seen);
	v = realloc(v, 2 * cap * sizeof(*v));
	cr_assert_not_null(v);
	v[2 * cap - 1].key = 1;	/* the new end is ours */
	cr_assert_eq(v[n - 1].key, mix((size_t)v[n - 1].val));
	free(v);
	*tl_u64map_put(&t, 42, &added) = 7;
	cr_assert_eq(added, 1);
	cr_assert_eq(*tl_u64map_get(&t, 42), 7);
	cr_assert_null(tl_u64map_get(&t, mix(1)));
	tl_u64map_release(&t);
}

/* A table of the heap (8192 slots) and one mapped on its own (262144
 * slots, 4 MiB: tl_u64map.c maps tables of 2 MiB and more). */
Test(tl_u64map, take)
{
	check_take(5000);
	check_take(150000);
}

/* Keys that differ only in their high 32 bits (a strategy number above a
 * day, as tl-ingest's returns key them) spread over the table: the mean
 * distance of a key from the slot its probe starts at stays that of
 * linear probing at load 3/4 (Knuth 1998, TAOCP vol. 3, 6.4: about
 * (1 + 1/(1 - a)) / 2 = 2.5 probes to find a key; we allow 4).  Homes
 * taken from bits 20.. of the product sent each day's 2,000 keys to one
 * slot: a mean in the hundreds. */
Test(tl_u64map, high_bits_spread)
{
	struct tl_u64map t;
	uint64_t s, d, key;
	size_t i, home, dist = 0, n = 0;
	int added;

	tl_u64map_init(&t);
	for (s = 1; s <= 2000; s++)
		for (d = 0; d < 15; d++)
			tl_u64map_put(&t, s << 32 | (20000 + d), &added);
	for (s = 1; s <= 2000; s++)
		for (d = 0; d < 15; d++) {
			key = s << 32 | (20000 + d);
			home = tl_u64map_home(&t, key);
			for (i = home; t.slot[i].key != key;
			    i = (i + 1) & t.mask)
				;
			dist += ((i - home) & t.mask) + 1;
			n++;
		}
	cr_assert_lt((double)dist / (double)n, 4.0, "mean probes %.1f",
	    (double)dist / (double)n);
	tl_u64map_release(&t);
}

/* Keys put and taken out at random, against the naive list: what is
 * left is found with its value, what was taken is not, and the count
 * is the list's.  A table of 4096 slots whose keys all start in one
 * quarter of it (keys chosen by their home) has long runs that wrap
 * around its end, the case where a shift back must not cross the hole
 * wrongly. */
Test(tl_u64map, del_as_naive)
{
	static struct naive nv;
	struct tl_u64map t;
	uint64_t seed = 1234567ULL, pool[1500], key, val, *v;
	size_t i, j, k, home;
	int added;

	tl_u64map_init(&t);
	tl_u64map_reserve(&t, 1);	/* 4096 slots, to choose keys by home */
	for (i = 0; i < 1500;) {
		key = next(&seed);
		home = tl_u64map_home(&t, key);
		if (home >= 3800 || home < 300)	/* the wrap at the end */
			pool[i++] = key;
	}
	nv.n = 0;
	for (i = 0; i < 60000; i++) {
		key = pool[next(&seed) % 1500];
		if (next(&seed) % 3 != 0 && nv.n < 1400) {
			v = tl_u64map_put(&t, key, &added);
			if (added) {
				nv.key[nv.n] = key;
				nv.val[nv.n++] = i;
				*v = i;
			}
			continue;
		}
		for (j = 0; j < nv.n && nv.key[j] != key; j++)
			;
		k = (size_t)tl_u64map_del(&t, key, &val);
		cr_assert_eq(k, j < nv.n, "del of %llx: %zu",
		    (unsigned long long)key, k);
		if (j < nv.n) {
			cr_assert_eq(val, nv.val[j]);
			nv.key[j] = nv.key[nv.n - 1];
			nv.val[j] = nv.val[--nv.n];
		}
		cr_assert_null(tl_u64map_get(&t, key));
		cr_assert_eq(tl_u64map_count(&t), nv.n);
		if (i % 997 == 0)
			for (j = 0; j < nv.n; j++) {
				v = tl_u64map_get(&t, nv.key[j]);
				cr_assert_not_null(v, "key %zu lost", j);
				cr_assert_eq(*v, nv.val[j]);
			}
	}
	cr_assert_eq(t.mask + 1, 4096, "keys came and went: no growth");
	cr_assert_eq(tl_u64map_del(&t, 0, &val), 0, "0 is no key");
	tl_u64map_release(&t);
}
