/*
 * PATH.lock with a non-blocking exclusive flock(2): a lock held by an
 * open file description, so it goes when the process does, and a second
 * taker (another process, or another open in this one) fails at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "tl_lock.h"

int
tl_lock_take(struct tl_lock *l, const char *path, struct tl_err *err)
{
	l->fd = -1;
	tl_buf_init(&l->path);
	if (path == NULL || strcmp(path, "-") == 0)
		return 0;
	tl_buf_adds(&l->path, path);
	tl_buf_adds(&l->path, ".lock");
	if ((l->fd = open(l->path.data, O_RDWR | O_CREAT | O_CLOEXEC,
	    0666)) == -1)
		return tl_err_set(err, TL_EX_CANTCREAT, l->path.data, 0, "%s",
		    strerror(errno));
	if (flock(l->fd, LOCK_EX | LOCK_NB) == -1) {
		close(l->fd);
		l->fd = -1;
		return tl_err_set(err, TL_EX_TEMPFAIL, l->path.data, 0,
		    "locked by another update of this state (try later)");
	}
	return 0;
}

void
tl_lock_drop(struct tl_lock *l)
{
	if (l->fd >= 0) {
		unlink(l->path.data);
		close(l->fd);
	}
	l->fd = -1;
	tl_buf_release(&l->path);
}
