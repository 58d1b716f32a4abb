/*
 * An advisory lock beside a file about to be replaced: PATH.lock, held
 * with flock(2) so that two runs writing one state file do not race (the
 * second is told to try later).  The lock file is removed on release.
 */
#ifndef TL_LOCK_H
#define TL_LOCK_H

#include "tl_err.h"
#include "tl_util.h"

struct tl_lock {
	int		 fd;		/* the locked descriptor, -1 none */
	struct tl_buf	 path;		/* PATH.lock */
};

/* Lock path (NULL or "-": stdout, nothing to lock; l is then held
 * without a file).  Returns 0, or -1 with err: TL_EX_CANTCREAT when the
 * lock file cannot be opened, TL_EX_TEMPFAIL when another holds it, where
 * = the lock file.  l is to be dropped in either case. */
int	tl_lock_take(struct tl_lock *l, const char *path, struct tl_err *err);

/* Release the lock and remove its file; l has been through
 * tl_lock_take, taken or not. */
void	tl_lock_drop(struct tl_lock *l);

#endif
