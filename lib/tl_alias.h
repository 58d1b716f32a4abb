/*
 * Strategy renames: a file of "old,new" lines read once, every chain
 * (a -> b, b -> c) resolved to its end at load, so that a lookup is one
 * hash probe.  The file is text: blank lines and lines whose first
 * non-blank character is '#' are skipped, a first line "old,new" is a
 * header, blanks around a name are not part of it, and a name cannot hold
 * a comma (no CSV quoting).  A malformed line, an empty name, a name
 * renamed twice to different names, and a cycle (a -> b -> a, a -> a) are
 * data errors naming file:line: a rename table is all right or not used.
 */
#ifndef TL_ALIAS_H
#define TL_ALIAS_H

#include <stddef.h>

#include "tl_err.h"

struct tl_alias;

/* Read the renames of path ("-" is stdin; gzip is read too).  Returns
 * new table, or NULL with err: TL_EX_NOINPUT (cannot open), TL_EX_IOERR
 * (read error), TL_EX_DATAERR (where = file:line: a bad line, a name
 * renamed twice, a cycle). */
struct tl_alias *tl_alias_load(const char *path, struct tl_err *err);
void	tl_alias_free(struct tl_alias *a);	/* accepts NULL */

/* The name that s[0..n) goes by now.  Returns 1 with *to and *tolen (the
 * end of its chain, borrowed until tl_alias_free) when s is renamed, 0
 * (*to, *tolen untouched) when it is not. */
int	tl_alias_get(const struct tl_alias *a, const char *s, size_t n,
	    const char **to, size_t *tolen);

/* The number of names renamed. */
size_t	tl_alias_count(const struct tl_alias *a);

/* Rename i (i < tl_alias_count(a)) in the order of the file, a rename
 * given twice once: its old name, and in *to the name it goes by now
 * (the end of its chain); both borrowed until tl_alias_free. */
const char *tl_alias_nth(const struct tl_alias *a, size_t i,
	    const char **to);

#endif
