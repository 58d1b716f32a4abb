/*
 * A compact table from nonzero 64-bit keys to 64-bit values: open
 * addressing with linear probing, key and value side by side in one
 * 16-byte slot (one cache miss a probe), load at most 3/4.  Key 0 marks
 * an empty slot, so it is never a key: tl_u64map_put() and
 * tl_u64map_get() of 0 return NULL, tl_u64map_del() of 0 finds nothing.  Keys need not be hashes: they are
 * mixed before probing.  The struct is open so that a caller may take
 * the slots apart once it is done looking keys up (tl_u64map_take()).
 */
#ifndef TL_U64MAP_H
#define TL_U64MAP_H

#include <stddef.h>
#include <stdint.h>

struct tl_u64slot {
	uint64_t	 key;		/* 0 marks an empty slot */
	uint64_t	 val;		/* the value */
};

struct tl_u64map {
	struct tl_u64slot *slot;	/* mask + 1 slots, or NULL when empty */
	size_t		 mask;		/* slots - 1 (a power of two - 1) */
	size_t		 n;		/* slots used */
};

/* An empty table (no allocation until the first key). */
void	tl_u64map_init(struct tl_u64map *t);

/* Free t's slots; t is empty again.  Accepts an initialised, empty t. */
void	tl_u64map_release(struct tl_u64map *t);

/* Make room for n keys in all (slots for them at load 3/4), so that the
 * table need not grow (and move every key) until there are more. */
void	tl_u64map_reserve(struct tl_u64map *t, size_t n);

/* The value slot of key, added with value 0 if new (*added says which).
 * Borrowed until the next tl_u64map_put().  NULL for key 0, which is not
 * added. */
uint64_t *tl_u64map_put(struct tl_u64map *t, uint64_t key, int *added);

/* The value slot of key (borrowed until the next tl_u64map_put()), or
 * NULL when key is absent or 0. */
uint64_t *tl_u64map_get(const struct tl_u64map *t, uint64_t key);

/* Take key out of t: its value into *val and 1, or 0 when key is absent
 * or 0.  The keys after it in its run are shifted back (Knuth 1998,
 * TAOCP vol. 3, 6.4, Algorithm R), so no slot is left marked deleted: a
 * table whose keys come and go stays as small as the most it held at
 * once. */
int	tl_u64map_del(struct tl_u64map *t, uint64_t key, uint64_t *val);

size_t	tl_u64map_count(const struct tl_u64map *t);

/* Take the pairs out of t: *n of them, packed to the front of an array of
 * *cap slots (new, of the heap: the caller may realloc and frees it; NULL
 * when t is empty).  t is left
 * empty.  Their order is that of the slots, not of insertion. */
struct tl_u64slot *tl_u64map_take(struct tl_u64map *t, size_t *n,
	    size_t *cap);

/* The slot where the probe for key starts: the top log2(slots) bits of
 * key times 2^64 over the golden ratio (Knuth 1998, TAOCP vol. 3, 6.4,
 * multiplicative hashing), which every bit of key moves (bits taken
 * lower down ignore the key's high bits: keys that differ only there,
 * a strategy above its day, all started at one slot); t must have
 * slots. */
static inline size_t
tl_u64map_home(const struct tl_u64map *t, uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >>
	    (64 - __builtin_ctzll((unsigned long long)t->mask + 1)));
}

/* Ask for the cache line of key's first probe before it is probed: a
 * hint, for a table larger than the caches. */
static inline void
tl_u64map_prefetch(const struct tl_u64map *t, uint64_t key)
{
	if (t->slot != NULL)
		__builtin_prefetch(&t->slot[tl_u64map_home(t, key)]);
}

#endif
