/*
 * The files under a set of paths: directories are walked recursively,
 * entries in byte order of their names (strcmp), so that the listing order
 * of the file system never changes a result.  Dot files are skipped.
 */
#ifndef TL_WALK_H
#define TL_WALK_H

#include <stddef.h>

#include "tl_err.h"

struct tl_walk {
	char	**paths;	/* new strings, in walk order */
	size_t	  n;		/* number of paths */
};

/* Add path (a file, "-", or a directory to walk) to w.  Returns 0, or -1
 * with err = TL_EX_NOINPUT naming the path. */
int	tl_walk_add(struct tl_walk *w, const char *path, struct tl_err *err);
void	tl_walk_init(struct tl_walk *w);
void	tl_walk_release(struct tl_walk *w);

#endif
