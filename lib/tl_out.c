/*
 * Output streams.  A named regular file is written to "FILE.tmp.XXXXXX"
 * in the same directory (so rename() is atomic) and renamed on
 * tl_out_close(); its mode follows the umask like a file made by open(2).
 * Anything else that exists (/dev/null, a FIFO, /dev/stderr) is written
 * in place: renaming over it would replace the device or pipe.
 *
 * CSV needs its columns before the first row.  Without tl_out_set_columns
 * the records are spooled (flattened, as JSON lines) to a temporary file
 * while the union of their keys is collected in order of appearance; the
 * header and the rows are written at close.  Memory stays bounded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tl_json.h"
#include "tl_map.h"
#include "tl_num.h"
#include "tl_out.h"
#include "tl_util.h"

struct tl_out {
	FILE		*fp;		/* stdout, the target or the temp file */
	char		*path;		/* name for messages, NULL for stdout */
	char		*tmp;		/* temporary name, NULL if in place */
	enum tl_fmt	 fmt;		/* JSONL or CSV */
	char		**cols;		/* CSV columns (dotted names) */
	size_t		 ncols;		/* number of columns */
	int		 fixed;		/* columns given by the caller */
	int		 hdr_done;	/* CSV header written */
	FILE		*spool;		/* CSV rows waiting for the header */
	struct tl_map	*colset;	/* column name -> 1, while spooling */
	struct tl_buf	 buf;		/* one formatted record */
};

static void release(struct tl_out *);

struct tl_out *
tl_out_open(const char *path, enum tl_fmt fmt, struct tl_err *err)
{
	struct tl_out *o;
	struct stat st;
	mode_t mask;
	int fd = -1;

	o = tl_xcalloc(1, sizeof(*o));
	tl_buf_init(&o->buf);
	if (path == NULL || strcmp(path, "-") == 0) {
		o->fp = stdout;
		o->fmt = fmt != TL_FMT_AUTO ? fmt : TL_FMT_JSONL;
		return o;
	}
	o->fmt = fmt != TL_FMT_AUTO ? fmt : tl_fmt_from_name(path);
	/* /dev/stdout, /dev/fd/N, /proc/self/fd/N: the caller's open file,
	 * appended to (a rename would replace the link, and "w" would
	 * truncate what the shell opened with >>) */
	if (strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0) {
		o->path = tl_xstrdup(path);
		if ((o->fp = fopen(path, "a")) == NULL)
			goto fail;
		return o;
	}
	/* a symbolic link keeps pointing at the file it names, renewed */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
	    (o->path = realpath(path, NULL)) != NULL)
		path = o->path;
	else
		o->path = tl_xstrdup(path);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if ((o->fp = fopen(path, "w")) == NULL)
			goto fail;
		return o;
	}
	o->tmp = tl_xmalloc(strlen(path) + 16);
	sprintf(o->tmp, "%s.tmp.XXXXXX", path);
	if ((fd = mkstemp(o->tmp)) == -1 ||
	    (o->fp = fdopen(fd, "w")) == NULL)
		goto fail;
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	return o;
fail:
	tl_err_set(err, TL_EX_CANTCREAT, path, 0, "cannot create: %s",
	    strerror(errno));
	if (fd != -1) {
		close(fd);
		unlink(o->tmp);
	}
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
	free(o->tmp);
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
	if (fclose(o->fp) != 0 && rc == 0)
		rc = write_error(o, err);
	if (o->tmp != NULL && rc == 0 && rename(o->tmp, o->path) != 0)
		rc = tl_err_set(err, TL_EX_CANTCREAT, o->path, 0,
		    "cannot rename into place: %s", strerror(errno));
	if (o->tmp != NULL && rc != 0)
		unlink(o->tmp);
	release(o);
	return rc;
}

void
tl_out_abort(struct tl_out *o)
{
	if (o == NULL)
		return;
	if (o->path != NULL) {
		fclose(o->fp);
		if (o->tmp != NULL)
			unlink(o->tmp);
	} else
		fflush(stdout);
	release(o);
}
