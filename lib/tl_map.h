/*
 * A hash map from byte strings to a caller's value (a pointer-sized
 * integer or pointer), open addressing, insertion order kept for
 * iteration so that output built from it is deterministic.
 */
#ifndef TL_MAP_H
#define TL_MAP_H

#include <stddef.h>
#include <stdint.h>

struct tl_map;

struct tl_map *tl_map_alloc(void);	/* new; exits 70 on out of memory */
void	tl_map_free(struct tl_map *m);	/* keys freed, values not */

/* Find key; returns a pointer to its value slot (borrowed until the next
 * insertion) or NULL. */
uintptr_t *tl_map_get(const struct tl_map *m, const void *key, size_t n);

/* Find or add key (copied; new slots hold 0).  *added (may be NULL) says
 * which.  Returns the value slot, borrowed until the next insertion. */
uintptr_t *tl_map_put(struct tl_map *m, const void *key, size_t n,
	    int *added);

/* Remove key; returns 1 if it was there.  Iteration order of the others
 * is kept. */
int	tl_map_del(struct tl_map *m, const void *key, size_t n);

/* Remove key and set *val to its value; returns 1 if it was there, as
 * tl_map_get and tl_map_del with one lookup. */
int	tl_map_take(struct tl_map *m, const void *key, size_t n,
	    uintptr_t *val);

size_t	tl_map_count(const struct tl_map *m);

/* Iterate in insertion order: start with *it = 0; returns 1 and the entry
 * (key borrowed) or 0 at the end.  Deleted entries are skipped. */
int	tl_map_next(const struct tl_map *m, size_t *it, const char **key,
	    size_t *n, uintptr_t *val);

#endif
