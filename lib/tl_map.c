/*
 * Open-addressing hash map (linear probing, power-of-two table) over an
 * entries array kept in insertion order; the table holds indexes into it,
 * each beside the high half of its key's hash, so that a probe passes a
 * slot of another key without reading its entry (a cache miss in a large
 * map) in all but one case in 2^32.
 */
#include <stdlib.h>
#include <string.h>

#include "tl_map.h"
#include "tl_util.h"

struct entry {
	char		*key;		/* copied key, NULL once deleted */
	size_t		 n;		/* key length */
	uint64_t	 h;		/* tl_hash64 of key */
	uintptr_t	 val;		/* caller's value */
};

struct tl_map {
	struct entry	*e;		/* entries in insertion order */
	size_t		 ne;		/* entries used (with deleted) */
	size_t		 cape;		/* entries allocated */
	size_t		 live;		/* entries not deleted */
	uint64_t	*tab;		/* hash >> 32 << 32 | index+1 into e;
					 * 0 empty */
	size_t		 mask;		/* table size - 1 */
};

#define SLOT(h, k)	((h) >> 32 << 32 | ((uint64_t)(k) + 1))	/* e[k] */
#define SLOT_ENTRY(x)	((size_t)((x) & UINT32_MAX) - 1)		/* k */
#define MAX_ENTRIES	((size_t)UINT32_MAX - 1)	/* what a slot holds */

struct tl_map *
tl_map_alloc(void)
{
	struct tl_map *m;

	m = tl_xcalloc(1, sizeof(*m));
	m->mask = 63;
	m->tab = tl_xcalloc(m->mask + 1, sizeof(*m->tab));
	return m;
}

void
tl_map_free(struct tl_map *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->ne; i++)
		free(m->e[i].key);
	free(m->e);
	free(m->tab);
	free(m);
}

/* Slot of key in tab (holding it, or the empty one where it would go). */
static size_t
find(const struct tl_map *m, const void *key, size_t n, uint64_t h)
{
	const struct entry *e;
	size_t i;
	uint64_t x;

	for (i = (size_t)h & m->mask;; i = (i + 1) & m->mask) {
		if ((x = m->tab[i]) == 0)
			return i;
		if (x >> 32 != h >> 32)
			continue;
		e = &m->e[SLOT_ENTRY(x)];
		if (e->h == h && e->n == n && e->key != NULL &&
		    memcmp(e->key, key, n) == 0)
			return i;
	}
}

/* Rebuild the table (dropping deleted entries) at a size for live. */
static void
rehash(struct tl_map *m)
{
	size_t i, j, size;

	for (i = j = 0; i < m->ne; i++)
		if (m->e[i].key != NULL)
			m->e[j++] = m->e[i];
	m->ne = j;
	for (size = 64; size < 2 * (m->live + 1); size *= 2)
		;
	free(m->tab);
	m->tab = tl_xcalloc(size, sizeof(*m->tab));
	m->mask = size - 1;
	for (i = 0; i < m->ne; i++) {
		for (j = (size_t)m->e[i].h & m->mask; m->tab[j] != 0;
		    j = (j + 1) & m->mask)
			;
		m->tab[j] = SLOT(m->e[i].h, i);
	}
}

uintptr_t *
tl_map_get(const struct tl_map *m, const void *key, size_t n)
{
	size_t i;

	i = find(m, key, n, tl_hash64(key, n));
	return m->tab[i] == 0 ? NULL : &m->e[SLOT_ENTRY(m->tab[i])].val;
}

uintptr_t *
tl_map_put(struct tl_map *m, const void *key, size_t n, int *added)
{
	uint64_t h;
	size_t i;

	h = tl_hash64(key, n);
	i = find(m, key, n, h);
	if (m->tab[i] != 0) {
		if (added != NULL)
			*added = 0;
		return &m->e[SLOT_ENTRY(m->tab[i])].val;
	}
	if (2 * (m->ne + 1) > m->mask + 1) {
		rehash(m);
		i = find(m, key, n, h);
	}
	if (m->ne == MAX_ENTRIES)	/* 4 billion keys: 100 GiB and more */
		tl_oom();
	if (m->ne == m->cape) {
		m->cape = m->cape ? m->cape * 2 : 64;
		m->e = tl_xreallocarray(m->e, m->cape, sizeof(*m->e));
	}
	m->e[m->ne].key = tl_xstrndup(key, n);
	m->e[m->ne].n = n;
	m->e[m->ne].h = h;
	m->e[m->ne].val = 0;
	m->tab[i] = SLOT(h, m->ne);
	m->ne++;
	m->live++;
	if (added != NULL)
		*added = 1;
	return &m->e[m->ne - 1].val;
}

int
tl_map_del(struct tl_map *m, const void *key, size_t n)
{
	uintptr_t val;

	return tl_map_take(m, key, n, &val);
}

int
tl_map_take(struct tl_map *m, const void *key, size_t n, uintptr_t *val)
{
	size_t i, k;

	i = find(m, key, n, tl_hash64(key, n));
	if (m->tab[i] == 0)
		return 0;
	k = SLOT_ENTRY(m->tab[i]);
	*val = m->e[k].val;
	free(m->e[k].key);
	m->e[k].key = NULL;
	m->live--;
	/* Deleted entries stay in the table as tombstones (key NULL never
	 * matches); tl_map_put() compacts them when the table fills. */
	return 1;
}

size_t
tl_map_count(const struct tl_map *m)
{
	return m->live;
}

int
tl_map_next(const struct tl_map *m, size_t *it, const char **key, size_t *n,
    uintptr_t *val)
{
	while (*it < m->ne) {
		const struct entry *e = &m->e[(*it)++];

		if (e->key == NULL)
			continue;
		*key = e->key;
		*n = e->n;
		*val = e->val;
		return 1;
	}
	return 0;
}
