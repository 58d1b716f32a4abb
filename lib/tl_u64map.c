/*
 * A compact u64 -> u64 table (tl_u64map.h): linear probing over a
 * power-of-two array of slots, grown by doubling at load 3/4 (or made
 * large enough at once, tl_u64map_reserve).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "tl_u64map.h"
#include "tl_util.h"

#define HUGE_PAGE	((size_t)2 << 20)	/* x86-64's and arm64's */

/* n zeroed slots.  A table of megabytes is probed at random, a page per
 * probe: on 2 MiB pages (where the kernel gives them for the asking,
 * transparent huge pages in "madvise" mode) a probe misses the TLB and
 * faults far less often than on 4 KiB ones.  Such a table is mapped
 * whole, aligned to the page, and zeroed by the kernel as it is first
 * touched; a smaller one comes from calloc. */
static struct tl_u64slot *
slots_alloc(size_t n)
{
	size_t bytes = n * sizeof(struct tl_u64slot), lead;
	char *p;

	if (bytes < HUGE_PAGE)
		return tl_xcalloc(n, sizeof(struct tl_u64slot));
	/* bytes is a power of two, so a multiple of the page: map a page
	 * more and give back what lies outside the aligned part */
	if ((p = mmap(NULL, bytes + HUGE_PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
		tl_oom();
	lead = (HUGE_PAGE - (uintptr_t)p % HUGE_PAGE) % HUGE_PAGE;
	if (lead > 0)
		munmap(p, lead);
	munmap(p + lead + bytes, HUGE_PAGE - lead);
	p += lead;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, bytes, MADV_HUGEPAGE);	/* a hint */
#endif
	return (struct tl_u64slot *)(void *)p;
}

/* Free what slots_alloc(n) gave. */
static void
slots_free(struct tl_u64slot *v, size_t n)
{
	if (v == NULL)
		return;
	if (n * sizeof(*v) < HUGE_PAGE)
		free(v);
	else
		munmap(v, n * sizeof(*v));
}

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
	slots_free(t->slot, t->slot == NULL ? 0 : t->mask + 1);
	tl_u64map_init(t);
}

/* Move the keys into a table of size slots (a power of two, at least
 * 4096 and larger than the old). */
static void
grow_to(struct tl_u64map *t, size_t size)
{
	struct tl_u64slot *old = t->slot;
	size_t i, j, n = t->slot == NULL ? 0 : t->mask + 1;

	t->mask = size - 1;
	t->slot = slots_alloc(size);
	for (i = 0; i < n; i++) {
		if (old[i].key == 0)
			continue;
		for (j = tl_u64map_home(t, old[i].key); t->slot[j].key != 0;
		    j = (j + 1) & t->mask)
			;
		t->slot[j] = old[i];
	}
	slots_free(old, n);
}

static void
grow(struct tl_u64map *t)
{
	grow_to(t, t->slot == NULL ? 4096 : 2 * (t->mask + 1));
}

void
tl_u64map_reserve(struct tl_u64map *t, size_t n)
{
	size_t size = t->slot == NULL ? 4096 : t->mask + 1;

	if (n > SIZE_MAX / 8)	/* no table that large: grow as keys come */
		return;
	while (4 * n > 3 * size)
		size *= 2;
	if (t->slot == NULL || size > t->mask + 1)
		grow_to(t, size);
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

/* The slot of key, or NOWHERE when key is absent or 0. */
#define NOWHERE	SIZE_MAX

static size_t
slot_of(const struct tl_u64map *t, uint64_t key)
{
	size_t i;

	if (key == 0 || t->slot == NULL)
		return NOWHERE;
	for (i = tl_u64map_home(t, key); t->slot[i].key != 0;
	    i = (i + 1) & t->mask)
		if (t->slot[i].key == key)
			return i;
	return NOWHERE;
}

uint64_t *
tl_u64map_get(const struct tl_u64map *t, uint64_t key)
{
	size_t i = slot_of(t, key);

	return i == NOWHERE ? NULL : &t->slot[i].val;
}

int
tl_u64map_del(struct tl_u64map *t, uint64_t key, uint64_t *val)
{
	size_t i = slot_of(t, key), j;

	if (i == NOWHERE)
		return 0;
	*val = t->slot[i].val;
	/* i is a hole: a key further on moves into it unless its home lies
	 * after the hole, up to where it is (cyclically), since then a
	 * probe for it never passes the hole */
	for (j = (i + 1) & t->mask; t->slot[j].key != 0;
	    j = (j + 1) & t->mask) {
		if (((j - tl_u64map_home(t, t->slot[j].key)) & t->mask) >=
		    ((j - i) & t->mask)) {
			t->slot[i] = t->slot[j];
			i = j;
		}
	}
	t->slot[i].key = 0;
	t->slot[i].val = 0;
	t->n--;
	return 1;
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
	size_t i, size = v == NULL ? 0 : t->mask + 1;

	*n = 0;
	for (i = 0; i < size; i++)
		if (v[i].key != 0)
			v[(*n)++] = v[i];
	*cap = size;
	if (size * sizeof(*v) >= HUGE_PAGE) {	/* mapped: into the heap */
		*cap = *n > 0 ? *n : 1;
		v = tl_xreallocarray(NULL, *cap, sizeof(*v));
		memcpy(v, t->slot, *n * sizeof(*v));
		slots_free(t->slot, size);
	}
	tl_u64map_init(t);
	return v;
}
