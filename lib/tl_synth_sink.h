/*
 * The files of a synthetic log directory (tl_synth_write.h): plain ones
 * written through a large stdio buffer, and gzip'd ones whose whole
 * content is held in memory and compressed by a pool of threads while
 * the next day is generated (one thread per processor, at most
 * TL_SYNTH_MAX_WORKERS).  Each file is compressed on its own, so that the
 * bytes do not depend on the number of threads; a content larger than
 * TL_SYNTH_GZ_SPILL is compressed in the caller instead, as it comes.
 * Errors of the pool are reported in the order the files were handed
 * over, so that a message never depends on the threads' timing.
 */
#ifndef TL_SYNTH_SINK_H
#define TL_SYNTH_SINK_H

#include <stddef.h>
#include <stdio.h>

#include <zlib.h>

#include "tl_err.h"
#include "tl_util.h"

#define TL_SYNTH_PATH_SZ	4096	/* longest output path */
#define TL_SYNTH_MAX_WORKERS	8	/* gzip threads */
#define TL_SYNTH_GZ_SPILL	(16 * 1024 * 1024)	/* larger gzip files
					 * are compressed as they come */

struct tl_synth_pool;

/* New pool with one thread per processor (at most TL_SYNTH_MAX_WORKERS),
 * or none when threads cannot be started: then files are compressed in
 * the caller. */
struct tl_synth_pool *tl_synth_pool_alloc(void);

/* Has a file of the pool failed yet? */
int	tl_synth_pool_failed(struct tl_synth_pool *p);

/* Compress the files still waiting and stop the threads.  Returns 0, or
 * -1 with err set to the first failure in the order the files were handed
 * over (73: cannot create, 74: write error).  Accepts NULL. */
int	tl_synth_pool_finish(struct tl_synth_pool *p, struct tl_err *err);

/* Finish (errors ignored) and free.  Accepts NULL. */
void	tl_synth_pool_free(struct tl_synth_pool *p);

/* One output file. */
struct tl_synth_sink {
	FILE		*fp;		/* plain file, or NULL */
	char		*iobuf;		/* its stdio buffer */
	gzFile		 gz;		/* gzip file written here, or NULL */
	struct tl_buf	 mem;		/* gzip content held for the pool */
	int		 held;		/* content is in mem, no file yet */
	struct tl_synth_pool *pool;	/* where held content goes */
	int		 array;		/* one JSON array: see
					 * tl_synth_sink_line() */
	size_t		 nrec;		/* lines written so far */
	char		 path[TL_SYNTH_PATH_SZ];	/* for messages */
};

/* Open path for writing, gzip'd (level 6) through pool if gz.  Returns 0,
 * or -1 with err = 73. */
int	tl_synth_sink_open(struct tl_synth_sink *k, const char *path, int gz,
	    struct tl_synth_pool *pool, struct tl_err *err);

/* Write n bytes.  Returns 0, or -1 with err = 74 (73 if a spilled gzip
 * file cannot be created), where = the path. */
int	tl_synth_sink_write(struct tl_synth_sink *k, const void *p, size_t n,
	    struct tl_err *err);

/* Write one line p[0..n), ending with '\n'.  In a sink whose array
 * member was set (after open), the lines are the elements of one JSON
 * array: "[\n" before the first, ",\n" between two, each without its
 * newline, and tl_synth_sink_close() ends it ("\n]\n", or "[]\n" when
 * empty).  Returns as tl_synth_sink_write(). */
int	tl_synth_sink_line(struct tl_synth_sink *k, const char *p, size_t n,
	    struct tl_err *err);

/* Flush and close, or hand the content to the pool.  Returns 0, or -1
 * with err = 74. */
int	tl_synth_sink_close(struct tl_synth_sink *k, struct tl_err *err);

/* Close without caring about errors (another one is being reported). */
void	tl_synth_sink_abort(struct tl_synth_sink *k);

/* "dir/rel" into buf of TL_SYNTH_PATH_SZ bytes.  Returns 0, or -1 with
 * err = 73 ("path too long"). */
int	tl_synth_path(char *buf, const char *dir, const char *rel,
	    struct tl_err *err);

/* mkdir path unless it is a directory already.  Returns 0, or -1 with
 * err = 73. */
int	tl_synth_mkdir(const char *path, struct tl_err *err);

/* mkdir -p dir, then make sure it is empty.  Returns 0, or -1 with
 * err = 73 ("directory not empty (remove it or choose another)"). */
int	tl_synth_prepare_dir(const char *dir, struct tl_err *err);

#endif
