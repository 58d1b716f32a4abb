/*
 * Output streams.  A named output is written to "FILE.tmp.XXXXXX" in the
 * same directory (so rename() is atomic) and renamed on tl_out_close();
 * its mode follows the umask like a file made by open(2).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#include "tl_json.h"
#include "tl_num.h"
#include "tl_out.h"
#include "tl_util.h"

struct tl_out {
	FILE		*fp;		/* stdout or the temporary file */
	char		*path;		/* final name, NULL for stdout */
	char		*tmp;		/* temporary name */
	enum tl_fmt	 fmt;		/* JSONL or CSV */
	char		**cols;		/* CSV columns (dotted names) */
	size_t		 ncols;		/* number of columns */
	int		 hdr_done;	/* CSV header written */
	struct tl_buf	 buf;		/* one formatted record */
};

struct tl_out *
tl_out_open(const char *path, enum tl_fmt fmt, struct tl_err *err)
{
	struct tl_out *o;
	mode_t mask;
	int fd;

	o = tl_xcalloc(1, sizeof(*o));
	tl_buf_init(&o->buf);
	if (path == NULL || strcmp(path, "-") == 0) {
		o->fp = stdout;
		o->fmt = fmt != TL_FMT_AUTO ? fmt : TL_FMT_JSONL;
		return o;
	}
	o->fmt = fmt != TL_FMT_AUTO ? fmt : tl_fmt_from_name(path);
	o->path = tl_xstrdup(path);
	o->tmp = tl_xmalloc(strlen(path) + 16);
	sprintf(o->tmp, "%s.tmp.XXXXXX", path);
	if ((fd = mkstemp(o->tmp)) == -1 ||
	    (o->fp = fdopen(fd, "w")) == NULL) {
		tl_err_set(err, TL_EX_CANTCREAT, path, 0, "cannot create: %s",
		    strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(o->tmp);
		}
		free(o->tmp);
		free(o->path);
		tl_buf_release(&o->buf);
		free(o);
		return NULL;
	}
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	return o;
}

void
tl_out_set_columns(struct tl_out *o, const char *const *cols, size_t ncols)
{
	size_t i;

	o->cols = tl_xcalloc(ncols, sizeof(*o->cols));
	for (i = 0; i < ncols; i++)
		o->cols[i] = tl_xstrdup(cols[i]);
	o->ncols = ncols;
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
flush_buf(struct tl_out *o, struct tl_err *err)
{
	if (fwrite(o->buf.data, 1, o->buf.len, o->fp) != o->buf.len)
		return tl_err_set(err, TL_EX_IOERR, o->path ? o->path :
		    "<stdout>", 0, "write error: %s", strerror(errno));
	return 0;
}

static void
csv_cell(struct tl_buf *b, const char *s, size_t n)
{
	size_t i;

	if (n == 0 || strcspn(s, ",\"\r\n") == n) {
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

static int
write_csv(struct tl_out *o, const json_t *rec, struct tl_err *err)
{
	struct tl_buf tmp;
	const char *key;
	json_t *flat, *val;
	size_t i;
	int rc = 0;

	flat = tl_json_flatten(rec);
	tl_buf_reset(&o->buf);
	if (o->cols == NULL) {
		o->cols = tl_xcalloc(json_object_size(flat), sizeof(char *));
		json_object_foreach(flat, key, val)
			o->cols[o->ncols++] = tl_xstrdup(key);
	}
	if (!o->hdr_done) {
		for (i = 0; i < o->ncols; i++) {
			if (i > 0)
				tl_buf_addc(&o->buf, ',');
			csv_cell(&o->buf, o->cols[i], strlen(o->cols[i]));
		}
		tl_buf_addc(&o->buf, '\n');
		o->hdr_done = 1;
	}
	json_object_foreach(flat, key, val) {
		for (i = 0; i < o->ncols; i++)
			if (strcmp(o->cols[i], key) == 0)
				break;
		if (i == o->ncols) {
			json_decref(flat);
			return tl_err_set(err, TL_EX_SOFTWARE, o->path ?
			    o->path : "<stdout>", 0, "CSV output: field '%s' "
			    "is not a column (write JSONL instead)", key);
		}
	}
	tl_buf_init(&tmp);
	for (i = 0; i < o->ncols; i++) {
		if (i > 0)
			tl_buf_addc(&o->buf, ',');
		csv_value(&o->buf, &tmp, json_object_get(flat, o->cols[i]));
	}
	tl_buf_addc(&o->buf, '\n');
	tl_buf_release(&tmp);
	json_decref(flat);
	rc = flush_buf(o, err);
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
	if (n > 0 && fwrite(p, 1, n, o->fp) != n)
		return tl_err_set(err, TL_EX_IOERR, o->path ? o->path :
		    "<stdout>", 0, "write error: %s", strerror(errno));
	return 0;
}

static void
release(struct tl_out *o)
{
	size_t i;

	for (i = 0; i < o->ncols; i++)
		free(o->cols[i]);
	free(o->cols);
	tl_buf_release(&o->buf);
	free(o->tmp);
	free(o->path);
	free(o);
}

int
tl_out_close(struct tl_out *o, struct tl_err *err)
{
	int rc = 0;

	if (o->path == NULL) {
		if (fflush(stdout) != 0 || ferror(stdout))
			rc = tl_err_set(err, TL_EX_IOERR, NULL, 0,
			    "write error: %s", strerror(errno));
		release(o);
		return rc;
	}
	if (fflush(o->fp) != 0 || ferror(o->fp) || fsync(fileno(o->fp)) != 0)
		rc = tl_err_set(err, TL_EX_IOERR, o->path, 0,
		    "write error: %s", strerror(errno));
	if (fclose(o->fp) != 0 && rc == 0)
		rc = tl_err_set(err, TL_EX_IOERR, o->path, 0,
		    "write error: %s", strerror(errno));
	if (rc == 0 && rename(o->tmp, o->path) != 0)
		rc = tl_err_set(err, TL_EX_CANTCREAT, o->path, 0,
		    "cannot rename into place: %s", strerror(errno));
	if (rc != 0)
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
		unlink(o->tmp);
	} else
		fflush(stdout);
	release(o);
}
