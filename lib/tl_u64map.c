/*
 * A compact u64 -> u64 table (tl_u64map.h): linear probing over a
 * power-of-two array of slots, grown by doubling at load 3/4.
 */
#include <stdlib.h>

#include "tl_u64map.h"
#include "tl_util.h"

void
tl_u64map_init(struct tl_u64map *t)
{
	t->slot = NULL;
	t->mask = 0;
	t->n = 0;
}

void
tl_u64map_release(struct tl_u64map *t)
{
	free(t->slot);
	tl_u64map_init(t);
}

static void
grow(struct tl_u64map *t)
{
	struct tl_u64slot *old = t->slot;
	size_t i, j, n = t->slot == NULL ? 0 : t->mask + 1;

	t->mask = n == 0 ? 4095 : 2 * n - 1;
	t->slot = tl_xcalloc(t->mask + 1, sizeof(*t->slot));
	for (i = 0; i < n; i++) {
		if (old[i].key == 0)
			continue;
		for (j = tl_u64map_home(t, old[i].key); t->slot[j].key != 0;
		    j = (j + 1) & t->mask)
			;
		t->slot[j] = old[i];
	}
	free(old);
}

uint64_t *
tl_u64map_put(struct tl_u64map *t, uint64_t key, int *added)
{
	size_t i;

	*added = 0;
	if (key == 0)
		return NULL;
	/* load at most 3/4: linear probing stays short (about 8 probes to
	 * miss at the worst), and the table is a third smaller than at 1/2 */
	if (4 * (t->n + 1) > 3 * (t->slot == NULL ? 0 : t->mask + 1))
		grow(t);
	for (i = tl_u64map_home(t, key); t->slot[i].key != 0;
	    i = (i + 1) & t->mask)
		if (t->slot[i].key == key)
			return &t->slot[i].val;
	t->slot[i].key = key;
	t->slot[i].val = 0;
	t->n++;
	*added = 1;
	return &t->slot[i].val;
}

uint64_t *
tl_u64map_get(const struct tl_u64map *t, uint64_t key)
{
	size_t i;

	if (key == 0 || t->slot == NULL)
		return NULL;
	for (i = tl_u64map_home(t, key); t->slot[i].key != 0;
	    i = (i + 1) & t->mask)
		if (t->slot[i].key == key)
			return &t->slot[i].val;
	return NULL;
}

size_t
tl_u64map_count(const struct tl_u64map *t)
{
	return t->n;
}

struct tl_u64slot *
tl_u64map_take(struct tl_u64map *t, size_t *n, size_t *cap)
{
	struct tl_u64slot *v = t->slot;
	size_t i;

	*n = 0;
	*cap = v == NULL ? 0 : t->mask + 1;
	for (i = 0; i < *cap; i++)
		if (v[i].key != 0)
			v[(*n)++] = v[i];
	tl_u64map_init(t);
	return v;
}
