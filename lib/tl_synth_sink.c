/*
 * Files of a synthetic log directory (tl_synth_sink.h).  A pool thread
 * takes a whole file's content from a short queue and gzips it into its
 * file; the first failure in submission order is kept.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "tl_opt.h"
#include "tl_synth_sink.h"
#include "tl_util.h"

#define GZ_MODE		"wb6"		/* gzip level 6 */
#define GZ_BUFSZ	(128 * 1024)	/* zlib input buffer */
/* stdio buffer of plain files, ours: glibc ignores setvbuf's size
 * without one (a write(2) every 4 KiB) */
#define IO_BUFSZ	(64 * 1024)
#define QUEUE_LEN	4		/* files waiting for a gzip thread */

/* A file to gzip in the background: its whole content. */
struct job {
	char		*path;		/* new */
	char		*data;		/* new */
	size_t		 len;		/* bytes of data */
	uint64_t	 seq;		/* submission order */
};

/* The gzip threads.  With none, jobs run in the caller. */
struct tl_synth_pool {
	pthread_t	 th[TL_SYNTH_MAX_WORKERS];	/* workers */
	size_t		 nth;		/* started */
	pthread_mutex_t	 mu;		/* guards what follows */
	pthread_cond_t	 cv_job;	/* a job was queued, or stop */
	pthread_cond_t	 cv_space;	/* a queue slot came free */
	struct job	 q[QUEUE_LEN];	/* ring of waiting jobs */
	size_t		 head;		/* first waiting job */
	size_t		 n;		/* waiting jobs */
	int		 stop;		/* no more jobs will come */
	uint64_t	 seq;		/* next job number */
	uint64_t	 err_seq;	/* job of err, UINT64_MAX: none */
	struct tl_err	 err;		/* first failure in job order */
};


static int
sys_err(struct tl_err *err, int code, const char *path)
{
	return tl_err_set(err, code, path, 0, "%s", strerror(errno));
}

/* gzip len bytes of data into path.  Returns 0, or -1 with err (73 when
 * path cannot be created, 74 on a write error).  Thread-safe. */
static int
gz_file(const char *path, const char *data, size_t len, struct tl_err *err)
{
	char ebuf[256];
	const char *msg;
	gzFile gz;
	unsigned int chunk;
	int zerr, rc = 0;

	errno = 0;
	if ((gz = gzopen(path, GZ_MODE)) == NULL) {
		if (strerror_r(errno != 0 ? errno : ENOMEM, ebuf,
		    sizeof(ebuf)) != 0)
			snprintf(ebuf, sizeof(ebuf), "cannot create");
		return tl_err_set(err, TL_EX_CANTCREAT, path, 0, "%s", ebuf);
	}
	gzbuffer(gz, GZ_BUFSZ);
	while (len > 0 && rc == 0) {
		chunk = len > GZ_BUFSZ ? GZ_BUFSZ : (unsigned int)len;
		if (gzwrite(gz, data, chunk) == 0) {
			msg = gzerror(gz, &zerr);
			if (zerr == Z_ERRNO && strerror_r(errno, ebuf,
			    sizeof(ebuf)) == 0)
				msg = ebuf;
			rc = tl_err_set(err, TL_EX_IOERR, path, 0, "%s", msg);
		}
		data += chunk;
		len -= chunk;
	}
	errno = 0;
	zerr = gzclose(gz);
	if (zerr != Z_OK && rc == 0) {
		if (zerr != Z_ERRNO || errno == 0 ||
		    strerror_r(errno, ebuf, sizeof(ebuf)) != 0)
			snprintf(ebuf, sizeof(ebuf), "gzip error %d on close",
			    zerr);
		rc = tl_err_set(err, TL_EX_IOERR, path, 0, "%s", ebuf);
	}
	return rc;
}

/* Run job j and keep its error if it is the first in job order. */
static void
run_job(struct tl_synth_pool *p, struct job *j, int locked)
{
	struct tl_err e = { 0 };

	if (gz_file(j->path, j->data, j->len, &e) == -1) {
		if (!locked)
			pthread_mutex_lock(&p->mu);
		if (j->seq < p->err_seq) {
			p->err = e;
			p->err_seq = j->seq;
		}
		if (!locked)
			pthread_mutex_unlock(&p->mu);
	}
	free(j->path);
	free(j->data);
}

static void *
worker(void *arg)
{
	struct tl_synth_pool *p = arg;
	struct job j;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->n == 0 && !p->stop)
			pthread_cond_wait(&p->cv_job, &p->mu);
		if (p->n == 0) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		j = p->q[p->head];
		p->head = (p->head + 1) % QUEUE_LEN;
		p->n--;
		pthread_cond_signal(&p->cv_space);
		pthread_mutex_unlock(&p->mu);
		run_job(p, &j, 0);
	}
}

struct tl_synth_pool *
tl_synth_pool_alloc(void)
{
	struct tl_synth_pool *p;
	long ncpu;

	p = tl_xcalloc(1, sizeof(*p));
	p->err_seq = UINT64_MAX;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv_job, NULL);
	pthread_cond_init(&p->cv_space, NULL);
	ncpu = tl_threads(0, TL_SYNTH_MAX_WORKERS);
	while (p->nth < (size_t)ncpu &&
	    pthread_create(&p->th[p->nth], NULL, worker, p) == 0)
		p->nth++;
	return p;
}

/* Queue the gzip of data (stolen, like path) into path. */
static void
pool_submit(struct tl_synth_pool *p, char *path, char *data, size_t len)
{
	struct job j = { path, data, len, 0 };

	pthread_mutex_lock(&p->mu);
	j.seq = p->seq++;
	if (p->nth == 0) {
		run_job(p, &j, 1);
		pthread_mutex_unlock(&p->mu);
		return;
	}
	while (p->n == QUEUE_LEN)
		pthread_cond_wait(&p->cv_space, &p->mu);
	p->q[(p->head + p->n) % QUEUE_LEN] = j;
	p->n++;
	pthread_cond_signal(&p->cv_job);
	pthread_mutex_unlock(&p->mu);
}

int
tl_synth_pool_failed(struct tl_synth_pool *p)
{
	int failed;

	pthread_mutex_lock(&p->mu);
	failed = p->err_seq != UINT64_MAX;
	pthread_mutex_unlock(&p->mu);
	return failed;
}

int
tl_synth_pool_finish(struct tl_synth_pool *p, struct tl_err *err)
{
	size_t i;

	if (p == NULL)
		return 0;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv_job);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nth; i++)
		pthread_join(p->th[i], NULL);
	p->nth = 0;
	if (p->err_seq == UINT64_MAX)
		return 0;
	*err = p->err;
	return -1;
}

void
tl_synth_pool_free(struct tl_synth_pool *p)
{
	struct tl_err err;

	if (p == NULL)
		return;
	tl_synth_pool_finish(p, &err);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv_job);
	pthread_cond_destroy(&p->cv_space);
	free(p);
}

int
tl_synth_sink_open(struct tl_synth_sink *k, const char *path, int gz,
    struct tl_synth_pool *pool, struct tl_err *err)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->path, sizeof(k->path), "%s", path);
	if (gz) {
		k->pool = pool;
		k->held = 1;
		return 0;
	}
	if ((k->fp = fopen(path, "w")) == NULL)
		return sys_err(err, TL_EX_CANTCREAT, path);
	k->iobuf = tl_xmalloc(IO_BUFSZ);
	setvbuf(k->fp, k->iobuf, _IOFBF, IO_BUFSZ);
	return 0;
}

static int
gz_fail(struct tl_synth_sink *k, struct tl_err *err)
{
	int zerr;
	const char *msg;

	msg = gzerror(k->gz, &zerr);
	if (zerr == Z_ERRNO)
		return sys_err(err, TL_EX_IOERR, k->path);
	return tl_err_set(err, TL_EX_IOERR, k->path, 0, "gzip: %s", msg);
}

/* Write n bytes.  Returns 0, or -1 with err = 74 (73 if a spilled gzip
 * file cannot be created). */
int
tl_synth_sink_write(struct tl_synth_sink *k, const void *p, size_t n,
    struct tl_err *err)
{
	if (n == 0)
		return 0;
	if (k->held && k->mem.len + n <= TL_SYNTH_GZ_SPILL) {
		tl_buf_add(&k->mem, p, n);
		return 0;
	}
	if (k->held) {
		/* Too big to hold: gzip it here, from now on. */
		k->held = 0;
		errno = 0;
		if ((k->gz = gzopen(k->path, GZ_MODE)) == NULL) {
			if (errno == 0)
				errno = ENOMEM;
			return sys_err(err, TL_EX_CANTCREAT, k->path);
		}
		gzbuffer(k->gz, GZ_BUFSZ);
		if (tl_synth_sink_write(k, k->mem.data, k->mem.len, err) == -1)
			return -1;
		tl_buf_release(&k->mem);
	}
	if (k->gz != NULL) {
		if (gzwrite(k->gz, p, (unsigned)n) == 0)
			return gz_fail(k, err);
		return 0;
	}
	if (fwrite(p, 1, n, k->fp) != n)
		return sys_err(err, TL_EX_IOERR, k->path);
	return 0;
}

int
tl_synth_sink_line(struct tl_synth_sink *k, const char *p, size_t n,
    struct tl_err *err)
{
	if (!k->array) {
		k->nrec++;
		return tl_synth_sink_write(k, p, n, err);
	}
	if (tl_synth_sink_write(k, k->nrec++ == 0 ? "[\n" : ",\n", 2,
	    err) == -1)
		return -1;
	return tl_synth_sink_write(k, p, n > 0 && p[n - 1] == '\n' ? n - 1 :
	    n, err);
}

/* Flush and close (or hand over to the pool).  Returns 0, or -1 with
 * err = 74. */
int
tl_synth_sink_close(struct tl_synth_sink *k, struct tl_err *err)
{
	int rc = 0, zrc;

	if (k->array && (k->nrec == 0 ? tl_synth_sink_write(k, "[]\n", 3,
	    err) : tl_synth_sink_write(k, "\n]\n", 3, err)) == -1) {
		tl_synth_sink_abort(k);
		return -1;
	}
	k->array = 0;
	if (k->held) {
		k->held = 0;
		if (k->mem.data == NULL)
			tl_buf_init(&k->mem);
		pool_submit(k->pool, tl_xstrdup(k->path), k->mem.data,
		    k->mem.len);
		k->mem.data = NULL;
		k->mem.len = k->mem.cap = 0;
	}
	if (k->gz != NULL) {
		errno = 0;
		zrc = gzclose(k->gz);
		k->gz = NULL;
		if (zrc != Z_OK) {
			if (zrc == Z_ERRNO && errno != 0)
				rc = sys_err(err, TL_EX_IOERR, k->path);
			else
				rc = tl_err_set(err, TL_EX_IOERR, k->path, 0,
				    "gzip: error %d on close", zrc);
		}
	}
	if (k->fp != NULL) {
		if (ferror(k->fp)) {
			fclose(k->fp);
			errno = EIO;
			rc = sys_err(err, TL_EX_IOERR, k->path);
		} else if (fclose(k->fp) == EOF)
			rc = sys_err(err, TL_EX_IOERR, k->path);
		k->fp = NULL;
	}
	free(k->iobuf);		/* its file closed */
	k->iobuf = NULL;
	return rc;
}

/* Close without caring about errors (an error is being reported). */
void
tl_synth_sink_abort(struct tl_synth_sink *k)
{
	if (k->gz != NULL)
		gzclose(k->gz);
	if (k->fp != NULL)
		fclose(k->fp);
	free(k->iobuf);
	k->iobuf = NULL;
	tl_buf_release(&k->mem);
	k->held = 0;
	k->gz = NULL;
	k->fp = NULL;
}

int
tl_synth_path(char *buf, const char *dir, const char *rel,
    struct tl_err *err)
{
	int n;

	n = snprintf(buf, TL_SYNTH_PATH_SZ, "%s/%s", dir, rel);
	if (n < 0 || n >= TL_SYNTH_PATH_SZ)
		return tl_err_set(err, TL_EX_CANTCREAT, dir, 0,
		    "path too long");
	return 0;
}

int
tl_synth_mkdir(const char *path, struct tl_err *err)
{
	struct stat sb;

	if (mkdir(path, 0777) == 0)
		return 0;
	if (errno != EEXIST)
		return sys_err(err, TL_EX_CANTCREAT, path);
	if (stat(path, &sb) == -1)
		return sys_err(err, TL_EX_CANTCREAT, path);
	if (!S_ISDIR(sb.st_mode)) {
		errno = ENOTDIR;
		return sys_err(err, TL_EX_CANTCREAT, path);
	}
	return 0;
}

/* mkdir -p dir, then make sure it is empty.  Returns 0, or -1 with
 * err = 73. */
int
tl_synth_prepare_dir(const char *dir, struct tl_err *err)
{
	struct dirent *de;
	DIR *dp;
	char *p, *s;
	int rc = 0;

	p = tl_xstrdup(dir);
	for (s = p + 1; *s != '\0' && rc == 0; s++) {
		if (*s != '/' || s[-1] == '/')
			continue;
		*s = '\0';
		rc = tl_synth_mkdir(p, err);
		*s = '/';
	}
	free(p);
	if (rc == -1 || tl_synth_mkdir(dir, err) == -1)
		return -1;
	if ((dp = opendir(dir)) == NULL)
		return sys_err(err, TL_EX_CANTCREAT, dir);
	while ((de = readdir(dp)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			rc = tl_err_set(err, TL_EX_CANTCREAT, dir, 0,
			    "directory not empty (remove it or choose "
			    "another)");
			break;
		}
	closedir(dp);
	return rc;
}

