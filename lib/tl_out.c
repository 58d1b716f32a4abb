/*
 * Output streams.  A named regular file is written to "FILE.tmp.XXXXXX"
 * in the same directory (so rename() is atomic) and renamed on
 * tl_out_close().  A new file's mode follows the umask like a file made
 * by open(2); a file replaced keeps its mode (and, when we are root, its
 * owner and group).  Only a character device, a FIFO or a socket is
 * written in place (renaming over it would replace the device or pipe),
 * and the caller's own open files, /dev/stdout, /dev/fd/N and
 * /proc/PID/fd/N, which are appended to: a rename would leave the
 * caller's descriptor on a file that no longer has a name, and "w" would
 * truncate what the shell opened with >>.
 *
 * A symbolic link keeps pointing at the file it names, which is the file
 * replaced (followed link by link, as the kernel would).  A link in a
 * sticky world-writable directory (/tmp) is followed only when it is ours
 * or the directory owner's, the rule of the kernel's
 * fs.protected_symlinks: otherwise another user's link there could make
 * us replace any file we may write.
 *
 * The temporary file is flock()ed while it is written and renamed before
 * the lock goes: a temporary file of FILE that nobody holds locked was
 * left by a run that died (kill -9, a crash, a power cut) and is removed
 * by the next run that writes FILE.  Only regular files of ours whose
 * names have the pattern are candidates; where flock() is not supported
 * (some network file systems) nothing is removed.
 *
 * CSV needs its columns before the first row.  Without tl_out_set_columns
 * the records are spooled (flattened, as JSON lines) to a temporary file
 * while the union of their keys is collected in order of appearance; the
 * header and the rows are written at close.  Memory stays bounded.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tl_json.h"
#include "tl_map.h"
#include "tl_num.h"
#include "tl_out.h"
#include "tl_util.h"

#define TMP_INFIX	".tmp."		/* FILE.tmp.XXXXXX */
#define TMP_RANDOM	6		/* the X's of mkstemp */
/* A file's stdio buffer: glibc's own is st_blksize (4 KiB), a write(2)
 * every 4 KiB: 170,000 of them for a 700 MB trades file (setvbuf's size
 * counts only with a buffer of our own). */
#define OUT_BUFSZ	((size_t)256 << 10)
#define MAX_LINKS	40		/* links followed, as Linux's
					 * MAXSYMLINKS */

struct tl_out {
	FILE		*fp;		/* stdout, the target or the temp file */
	char		*path;		/* name for messages, NULL for stdout */
	char		*target;	/* the file renamed over, or NULL */
	char		*tmp;		/* temporary name, NULL if in place */
	enum tl_fmt	 fmt;		/* JSONL or CSV */
	char		**cols;		/* CSV columns (dotted names) */
	size_t		 ncols;		/* number of columns */
	int		 fixed;		/* columns given by the caller */
	int		 hdr_done;	/* CSV header written */
	FILE		*spool;		/* CSV rows waiting for the header */
	struct tl_map	*colset;	/* column name -> 1, while spooling */
	struct tl_buf	 buf;		/* one formatted record */
	char		*iobuf;		/* fp's buffer (a file's), or NULL */
};

static void release(struct tl_out *);

/* Is path one of the caller's open files: /dev/stdout, /dev/stderr,
 * /dev/fd/N, /proc/self/fd/N, /proc/thread-self/fd/N, /proc/PID/fd/N? */
static int
fd_path(const char *path)
{
	static const char *const fixed[] = { "/dev/stdout", "/dev/stderr" };
	static const char *const dirs[] = { "/dev/fd/", "/proc/self/fd/",
	    "/proc/thread-self/fd/" };
	const char *p;
	size_t i;

	for (i = 0; i < TL_NELEM(fixed); i++)
		if (strcmp(path, fixed[i]) == 0)
			return 1;
	p = NULL;
	for (i = 0; i < TL_NELEM(dirs); i++)
		if (strncmp(path, dirs[i], strlen(dirs[i])) == 0)
			p = path + strlen(dirs[i]);
	if (p == NULL && strncmp(path, "/proc/", 6) == 0 &&
	    isdigit((unsigned char)path[6])) {
		for (p = path + 6; isdigit((unsigned char)*p); p++)
			;
		p = strncmp(p, "/fd/", 4) == 0 ? p + 4 : NULL;
	}
	if (p == NULL || *p == '\0')
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	return *p == '\0';
}

/* The directory part of path, new ("." for a bare name). */
static char *
dir_of(const char *path)
{
	char *copy = tl_xstrdup(path), *d;

	d = tl_xstrdup(dirname(copy));
	free(copy);
	return d;
}

/* May we follow the link at path (lstat'ed into lst)?  Not when its
 * directory is sticky and world-writable and the link is neither ours nor
 * the directory owner's (fs.protected_symlinks).  -1 with err. */
static int
link_allowed(const char *path, const struct stat *lst, struct tl_err *err)
{
	struct stat dst;
	char *d = dir_of(path);
	int rc = 0;

	if (stat(d, &dst) == 0 && (dst.st_mode & S_ISVTX) &&
	    (dst.st_mode & S_IWOTH) && lst->st_uid != geteuid() &&
	    lst->st_uid != dst.st_uid)
		rc = tl_err_set(err, TL_EX_CANTCREAT, path, 0, "not following "
		    "a symbolic link owned by uid %lu in sticky world-writable "
		    "directory '%s' (neither ours nor the directory owner's)",
		    (unsigned long)lst->st_uid, d);
	free(d);
	return rc;
}

/* The file that writing path replaces: path itself, or the end of the
 * chain of symbolic links it starts (which need not exist yet).  New, or
 * NULL with err. */
static char *
resolve(const char *path, struct tl_err *err)
{
	char *cur = tl_xstrdup(path), *next, *d, buf[PATH_MAX];
	struct stat lst;
	ssize_t n;
	int hops;

	for (hops = 0; lstat(cur, &lst) == 0 && S_ISLNK(lst.st_mode); hops++) {
		if (hops == MAX_LINKS) {
			tl_err_set(err, TL_EX_CANTCREAT, path, 0, "cannot "
			    "create: %s", strerror(ELOOP));
			free(cur);
			return NULL;
		}
		if (link_allowed(cur, &lst, err) == -1 ||
		    (n = readlink(cur, buf, sizeof(buf) - 1)) == -1) {
			if (err->code == 0)
				tl_err_set(err, TL_EX_CANTCREAT, path, 0,
				    "cannot create: %s", strerror(errno));
			free(cur);
			return NULL;
		}
		buf[n] = '\0';
		if (buf[0] == '/') {
			next = tl_xstrdup(buf);
		} else {
			d = dir_of(cur);
			next = tl_xmalloc(strlen(d) + strlen(buf) + 2);
			sprintf(next, "%s/%s", d, buf);
			free(d);
		}
		free(cur);
		cur = next;
	}
	return cur;
}

/* Is name (in directory dirfd) a temporary file of base that no process
 * holds: ours, regular, unlocked?  Then remove it. */
static void
remove_if_stale(int dirfd, const char *name)
{
	struct stat st, now;
	int fd;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid ==
	    geteuid() && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
	    fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	    now.st_dev == st.st_dev && now.st_ino == st.st_ino)
		unlinkat(dirfd, name, 0);
	close(fd);
}

/* Remove the stale temporary files of target (see the top). */
static void
remove_stale(const char *target)
{
	struct dirent *de;
	const char *base, *r;
	char *d, *copy;
	size_t blen, i;
	DIR *dp;

	d = dir_of(target);
	copy = tl_xstrdup(target);
	base = basename(copy);
	blen = strlen(base);
	if ((dp = opendir(d)) != NULL) {
		while ((de = readdir(dp)) != NULL) {
			if (strncmp(de->d_name, base, blen) != 0 ||
			    strncmp(de->d_name + blen, TMP_INFIX,
			    strlen(TMP_INFIX)) != 0)
				continue;
			r = de->d_name + blen + strlen(TMP_INFIX);
			for (i = 0; isalnum((unsigned char)r[i]); i++)
				;
			if (i == TMP_RANDOM && r[i] == '\0')
				remove_if_stale(dirfd(dp), de->d_name);
		}
		closedir(dp);
	}
	free(copy);
	free(d);
}

/* A new temporary file for o->target, locked, with the mode (and owner)
 * of the file it will replace, or the umask's.  -1 with errno. */
static int
create_tmp(struct tl_out *o)
{
	struct stat st, now;
	mode_t mask;
	int fd, old;

	old = stat(o->target, &st) == 0;
	o->tmp = tl_xmalloc(strlen(o->target) + sizeof(TMP_INFIX) +
	    TMP_RANDOM);
	for (;;) {
		sprintf(o->tmp, "%s" TMP_INFIX "XXXXXX", o->target);
		if ((fd = mkstemp(o->tmp)) == -1)
			return -1;
		/* another run may have taken it for stale between mkstemp and
		 * flock: then it has no name any more, and we try again */
		if (flock(fd, LOCK_EX) == 0 && fstat(fd, &now) == 0 &&
		    now.st_nlink > 0)
			break;
		close(fd);
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (old) {
		if (geteuid() == 0)
			(void)!fchown(fd, st.st_uid, st.st_gid);
		fchmod(fd, st.st_mode & 0777);
	} else {
		mask = umask(0);
		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	if ((o->fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(o->tmp);
		return -1;
	}
	o->iobuf = tl_xmalloc(OUT_BUFSZ);
	setvbuf(o->fp, o->iobuf, _IOFBF, OUT_BUFSZ);
	return 0;
}

struct tl_out *
tl_out_open(const char *path, enum tl_fmt fmt, struct tl_err *err)
{
	struct tl_out *o;
	struct stat st;

	o = tl_xcalloc(1, sizeof(*o));
	tl_buf_init(&o->buf);
	if (path == NULL || strcmp(path, "-") == 0) {
		o->fp = stdout;
		o->fmt = fmt != TL_FMT_AUTO ? fmt : TL_FMT_JSONL;
		return o;
	}
	o->fmt = fmt != TL_FMT_AUTO ? fmt : tl_fmt_from_name(path);
	o->path = tl_xstrdup(path);
	if (fd_path(path) || (stat(path, &st) == 0 && (S_ISCHR(st.st_mode) ||
	    S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))) {
		if ((o->fp = fopen(path, "a")) == NULL)
			goto fail;
		return o;
	}
	if ((o->target = resolve(path, err)) == NULL) {
		release(o);
		return NULL;
	}
	if (stat(o->target, &st) == 0 && !S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		goto fail;
	}
	remove_stale(o->target);
	if (create_tmp(o) == -1) {
		free(o->tmp);
		o->tmp = NULL;
		goto fail;
	}
	return o;
fail:
	tl_err_set(err, TL_EX_CANTCREAT, path, 0, "cannot create: %s",
	    strerror(errno));
	release(o);
	return NULL;
}

void
tl_out_set_columns(struct tl_out *o, const char *const *cols, size_t ncols)
{
	size_t i;

	o->cols = tl_xcalloc(ncols, sizeof(*o->cols));
	for (i = 0; i < ncols; i++)
		o->cols[i] = tl_xstrdup(cols[i]);
	o->ncols = ncols;
	o->fixed = 1;
}

enum tl_fmt
tl_out_fmt(const struct tl_out *o)
{
	return o->fmt;
}

FILE *
tl_out_file(struct tl_out *o)
{
	return o->fp;
}

static int
write_error(const struct tl_out *o, struct tl_err *err)
{
	return tl_err_set(err, TL_EX_IOERR, o->path, 0, "write error: %s",
	    strerror(errno != 0 ? errno : EIO));
}

static int
flush_buf(struct tl_out *o, struct tl_err *err)
{
	errno = 0;
	if (fwrite(o->buf.data, 1, o->buf.len, o->fp) != o->buf.len)
		return write_error(o, err);
	return 0;
}

static void
csv_cell(struct tl_buf *b, const char *s, size_t n)
{
	size_t i;

	/* Readers (libcsv too) trim blanks around unquoted cells. */
	if (n == 0 || (strcspn(s, ",\"\r\n") == n && s[0] != ' ' &&
	    s[0] != '\t' && s[n - 1] != ' ' && s[n - 1] != '\t')) {
		tl_buf_add(b, s, n);
		return;
	}
	tl_buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			tl_buf_addc(b, '"');
		tl_buf_addc(b, s[i]);
	}
	tl_buf_addc(b, '"');
}

static void
csv_value(struct tl_buf *b, struct tl_buf *tmp, const json_t *v)
{
	char num[TL_NUM_BUFSZ];
	int n;

	if (v == NULL || json_is_null(v))
		return;
	if (json_is_string(v)) {
		csv_cell(b, json_string_value(v), json_string_length(v));
	} else if (json_is_real(v)) {
		if ((n = tl_fmt_double(num, json_real_value(v))) > 0)
			tl_buf_add(b, num, (size_t)n);
	} else {
		tl_buf_reset(tmp);
		tl_json_append(tmp, v);
		csv_cell(b, tmp->data, tmp->len);
	}
}

static void
csv_header(struct tl_out *o)
{
	size_t i;

	for (i = 0; i < o->ncols; i++) {
		if (i > 0)
			tl_buf_addc(&o->buf, ',');
		csv_cell(&o->buf, o->cols[i], strlen(o->cols[i]));
	}
	tl_buf_addc(&o->buf, '\n');
	o->hdr_done = 1;
}

/* One flattened record as a CSV row (with the header first) to o->fp. */
static int
csv_row(struct tl_out *o, const json_t *flat, struct tl_err *err)
{
	struct tl_buf tmp;
	size_t i;

	tl_buf_reset(&o->buf);
	if (!o->hdr_done)
		csv_header(o);
	tl_buf_init(&tmp);
	for (i = 0; i < o->ncols; i++) {
		if (i > 0)
			tl_buf_addc(&o->buf, ',');
		csv_value(&o->buf, &tmp, json_object_get(flat, o->cols[i]));
	}
	tl_buf_addc(&o->buf, '\n');
	tl_buf_release(&tmp);
	return flush_buf(o, err);
}

static int
write_csv(struct tl_out *o, const json_t *rec, struct tl_err *err)
{
	const char *key;
	json_t *flat, *val;
	size_t i;
	int added, rc;

	flat = tl_json_flatten(rec);
	if (o->fixed) {
		json_object_foreach(flat, key, val) {
			for (i = 0; i < o->ncols; i++)
				if (strcmp(o->cols[i], key) == 0)
					break;
			if (i == o->ncols) {
				tl_err_set(err, TL_EX_SOFTWARE, o->path, 0,
				    "CSV output: field '%s' is not a column",
				    key);
				json_decref(flat);
				return -1;
			}
		}
		rc = csv_row(o, flat, err);
		json_decref(flat);
		return rc;
	}
	if (o->spool == NULL) {
		if ((o->spool = tmpfile()) == NULL) {
			json_decref(flat);
			return tl_err_set(err, TL_EX_IOERR, NULL, 0, "cannot "
			    "create a temporary file: %s", strerror(errno));
		}
		o->colset = tl_map_alloc();
	}
	json_object_foreach(flat, key, val) {
		tl_map_put(o->colset, key, strlen(key), &added);
		if (added) {
			o->cols = tl_xreallocarray(o->cols, o->ncols + 1,
			    sizeof(char *));
			o->cols[o->ncols++] = tl_xstrdup(key);
		}
	}
	rc = tl_json_writeln(o->spool, flat, err);
	json_decref(flat);
	return rc;
}

/* Header and rows of the spooled records, at close. */
static int
unspool(struct tl_out *o, struct tl_err *err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	json_t *flat;
	int rc = 0;

	if (o->spool == NULL)
		return 0;
	if (fflush(o->spool) != 0 || fseek(o->spool, 0, SEEK_SET) != 0)
		return tl_err_set(err, TL_EX_IOERR, NULL, 0, "temporary file: "
		    "%s", strerror(errno));
	while (rc == 0 && (n = getline(&line, &cap, o->spool)) > 0) {
		if ((flat = json_loadb(line, (size_t)n, 0, NULL)) == NULL) {
			rc = tl_err_set(err, TL_EX_IOERR, NULL, 0,
			    "temporary file: cannot read back a record");
			break;
		}
		rc = csv_row(o, flat, err);
		json_decref(flat);
	}
	if (rc == 0 && ferror(o->spool))
		rc = tl_err_set(err, TL_EX_IOERR, NULL, 0, "temporary file: "
		    "%s", strerror(errno));
	free(line);
	return rc;
}

int
tl_out_write(struct tl_out *o, const json_t *rec, struct tl_err *err)
{
	if (o->fmt == TL_FMT_CSV)
		return write_csv(o, rec, err);
	tl_buf_reset(&o->buf);
	tl_json_append(&o->buf, rec);
	tl_buf_addc(&o->buf, '\n');
	return flush_buf(o, err);
}

int
tl_out_raw(struct tl_out *o, const void *p, size_t n, struct tl_err *err)
{
	errno = 0;
	if (n > 0 && fwrite(p, 1, n, o->fp) != n)
		return write_error(o, err);
	return 0;
}

static void
release(struct tl_out *o)
{
	size_t i;

	for (i = 0; i < o->ncols; i++)
		free(o->cols[i]);
	free(o->cols);
	if (o->spool != NULL)
		fclose(o->spool);
	tl_map_free(o->colset);
	tl_buf_release(&o->buf);
	free(o->iobuf);		/* its FILE closed */
	free(o->tmp);
	free(o->target);
	free(o->path);
	free(o);
}

int
tl_out_close(struct tl_out *o, struct tl_err *err)
{
	int rc = 0;

	if (o->fmt == TL_FMT_CSV) {
		rc = unspool(o, err);
		/* no rows: still a header when the columns are known */
		if (rc == 0 && !o->hdr_done && o->ncols > 0) {
			tl_buf_reset(&o->buf);
			csv_header(o);
			rc = flush_buf(o, err);
		}
	}
	errno = 0;
	if (o->path == NULL) {
		if ((fflush(stdout) != 0 || ferror(stdout)) && rc == 0)
			rc = write_error(o, err);
		release(o);
		return rc;
	}
	if ((fflush(o->fp) != 0 || ferror(o->fp)) && rc == 0)
		rc = write_error(o, err);
	if (o->tmp != NULL && rc == 0 && fsync(fileno(o->fp)) != 0)
		rc = write_error(o, err);
	/* renamed while still locked: unlocked, the name would be stale */
	if (o->tmp != NULL && rc == 0 && rename(o->tmp, o->target) != 0)
		rc = tl_err_set(err, TL_EX_CANTCREAT, o->path, 0,
		    "cannot rename into place: %s", strerror(errno));
	if (o->tmp != NULL && rc != 0)
		unlink(o->tmp);
	if (fclose(o->fp) != 0 && rc == 0)
		rc = write_error(o, err);
	release(o);
	return rc;
}

void
tl_out_abort(struct tl_out *o)
{
	if (o == NULL)
		return;
	if (o->path != NULL) {
		if (o->tmp != NULL)
			unlink(o->tmp);
		fclose(o->fp);
	} else
		fflush(stdout);
	release(o);
}

const char *
tl_out_tmp_path(const struct tl_out *o)
{
	return o != NULL ? o->tmp : NULL;
}
