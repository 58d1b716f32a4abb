/*
 * The files under a set of paths: directories are walked recursively,
 * entries in byte order of their names (strcmp), so that the listing order
 * of the file system never changes a result.  Dot files are skipped.
 * Each directory is walked once, known by its device and inode: a
 * symbolic link back to a directory being walked (a loop), one to a
 * directory already walked, a dangling link and anything that is neither
 * a directory nor a regular file are skipped with a warning naming them,
 * and the walk goes on.  A path named by the caller must exist.
 */
#ifndef TL_WALK_H
#define TL_WALK_H

#include <stddef.h>

#include "tl_err.h"

struct tl_map;

struct tl_walk {
	char		**paths;	/* new strings, in walk order */
	size_t		  n;		/* number of paths */
	struct tl_map	 *dirs;		/* device and inode -> index + 1 */
	char		**dirpaths;	/* directories walked, by index */
	unsigned char	 *open;		/* 1 while a directory is walked */
	size_t		  ndirs;	/* directories walked */
};

/* Add path (a file, "-", or a directory to walk) to w.  Returns 0, or -1
 * with err = TL_EX_NOINPUT naming path, or a directory under it that
 * cannot be read.  What is skipped goes to warn() ("L/a: symbolic link
 * loop, skipped") when it is not NULL. */
int	tl_walk_add(struct tl_walk *w, const char *path,
	    void (*warn)(const char *fmt, ...), struct tl_err *err);
void	tl_walk_init(struct tl_walk *w);
void	tl_walk_release(struct tl_walk *w);

#endif
