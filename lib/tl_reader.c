/*
 * Lines from a file, stdin or a gzip stream.  Input is read with read(2)
 * and, when it starts with the gzip magic bytes, inflated here with zlib's
 * inflate(): gz* would silently ignore trailing bytes after the last
 * member (plain lines appended to a rotated .gz), and we want every byte
 * accounted for.  Concatenated members (cat a.gz b.gz) are read in turn.
 * Lines that fit in the buffer are returned in place without a copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "tl_reader.h"
#include "tl_util.h"

#define READ_CHUNK	(256 * 1024)	/* bytes per read(2) or inflate */

struct tl_reader {
	int		 fd;		/* the input */
	char		*name;		/* for messages: path or "<stdin>" */
	unsigned long	 lineno;	/* number of the last line returned */
	char		*buf;		/* READ_CHUNK + 1 bytes of text */
	size_t		 pos;		/* next unread byte in buf */
	size_t		 end;		/* bytes valid in buf */
	int		 eof;		/* no more text */
	int		 had_nl;	/* last line ended with '\n' */
	int		 started;	/* first bytes looked at */
	int		 is_gzip;	/* the input is gzip, not plain */
	int		 in_member;	/* inside a gzip member */
	z_stream	 z;		/* inflate state when is_gzip */
	unsigned char	*zbuf;		/* READ_CHUNK bytes of gzip input */
	struct tl_buf	 line;		/* a line that spans reads */
};

struct tl_reader *
tl_reader_open(const char *path, struct tl_err *err)
{
	struct tl_reader *r;
	int fd;

	if (path == NULL || strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
		path = "<stdin>";
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		tl_err_set(err, TL_EX_NOINPUT, path, 0, "%s", strerror(errno));
		return NULL;
	}
	r = tl_xcalloc(1, sizeof(*r));
	r->fd = fd;
	r->name = tl_xstrdup(path);
	r->buf = tl_xmalloc(READ_CHUNK + 1);
	tl_buf_init(&r->line);
	return r;
}

void
tl_reader_free(struct tl_reader *r)
{
	if (r == NULL)
		return;
	if (r->fd != STDIN_FILENO)
		close(r->fd);
	if (r->zbuf != NULL)
		inflateEnd(&r->z);
	free(r->zbuf);
	tl_buf_release(&r->line);
	free(r->buf);
	free(r->name);
	free(r);
}

/* read(2) up to n bytes, retrying on EINTR.  Returns bytes, 0, or -1. */
static ssize_t
xread(int fd, void *p, size_t n)
{
	ssize_t k;

	do
		k = read(fd, p, n);
	while (k == -1 && errno == EINTR);
	return k;
}

static int
gz_error(struct tl_reader *r, const char *msg, struct tl_err *err)
{
	return tl_err_set(err, TL_EX_IOERR, r->name, r->lineno + 1, "%s", msg);
}

/* Refill zbuf from the file.  Returns bytes read, 0 at end, -1. */
static int
gz_more(struct tl_reader *r, struct tl_err *err)
{
	ssize_t k;

	if ((k = xread(r->fd, r->zbuf, READ_CHUNK)) == -1)
		return tl_err_set(err, TL_EX_IOERR, r->name, r->lineno + 1,
		    "%s", strerror(errno));
	r->z.next_in = r->zbuf;
	r->z.avail_in = (uInt)k;
	return (int)k;
}

/* Inflate into buf.  Returns 1 with text, 0 at the true end, -1. */
static int
gz_fill(struct tl_reader *r, struct tl_err *err)
{
	int zrc, k;

	r->z.next_out = (unsigned char *)r->buf;
	r->z.avail_out = READ_CHUNK;
	while (r->z.avail_out == READ_CHUNK) {
		if (r->z.avail_in == 0) {
			if ((k = gz_more(r, err)) == -1)
				return -1;
			if (k == 0) {
				if (r->in_member)
					return gz_error(r, "truncated gzip "
					    "file (unexpected end of input)",
					    err);
				return 0;
			}
		}
		if (!r->in_member) {
			/* another member must start with the magic bytes;
			 * anything else after a member is not ours to drop */
			if (r->z.avail_in < 2 && r->z.next_in[0] == 0x1f) {
				memmove(r->zbuf, r->z.next_in, r->z.avail_in);
				k = (int)xread(r->fd, r->zbuf + 1,
				    READ_CHUNK - 1);
				r->z.next_in = r->zbuf;
				r->z.avail_in = k > 0 ? 1 + (uInt)k : 1;
			}
			if (r->z.avail_in < 2 || r->z.next_in[0] != 0x1f ||
			    r->z.next_in[1] != 0x8b)
				return gz_error(r, "data after the end of the "
				    "gzip stream (not gzip; appended to a .gz "
				    "file?)", err);
			inflateReset(&r->z);
			r->in_member = 1;
		}
		zrc = inflate(&r->z, Z_NO_FLUSH);
		if (zrc == Z_STREAM_END)
			r->in_member = 0;
		else if (zrc == Z_DATA_ERROR || zrc == Z_NEED_DICT)
			return gz_error(r, "corrupt gzip data", err);
		else if (zrc == Z_MEM_ERROR) {
			return tl_err_set(err, TL_EX_SOFTWARE, r->name, 0,
			    "out of memory");
		} else if (zrc == Z_BUF_ERROR && r->z.avail_in != 0)
			return gz_error(r, "corrupt gzip data", err);
	}
	r->end = READ_CHUNK - r->z.avail_out;
	return 1;
}

/* Refill buf.  Returns 1 with data, 0 at the true end, -1 on error. */
static int
fill(struct tl_reader *r, struct tl_err *err)
{
	ssize_t k;
	int rc;

	r->pos = r->end = 0;
	if (r->eof)
		return 0;
	if (!r->started) {
		r->started = 1;
		if ((k = xread(r->fd, r->buf, READ_CHUNK)) == -1)
			return tl_err_set(err, TL_EX_IOERR, r->name, 1, "%s",
			    strerror(errno));
		/* a single byte may still be the start of the magic */
		if (k == 1 && (unsigned char)r->buf[0] == 0x1f) {
			ssize_t k2 = xread(r->fd, r->buf + 1, READ_CHUNK - 1);
			k = k2 > 0 ? 1 + k2 : 1;
		}
		if (k >= 2 && (unsigned char)r->buf[0] == 0x1f &&
		    (unsigned char)r->buf[1] == 0x8b) {
			r->is_gzip = 1;
			r->zbuf = tl_xmalloc(READ_CHUNK);
			memcpy(r->zbuf, r->buf, (size_t)k);
			if (inflateInit2(&r->z, 16 + MAX_WBITS) != Z_OK) {
				free(r->zbuf);
				r->zbuf = NULL;
				return tl_err_set(err, TL_EX_SOFTWARE, r->name,
				    0, "out of memory");
			}
			r->z.next_in = r->zbuf;
			r->z.avail_in = (uInt)k;
			r->in_member = 1;
		} else if (k > 0) {
			r->end = (size_t)k;
			return 1;
		}
	}
	if (r->is_gzip)
		rc = gz_fill(r, err);
	else if ((k = xread(r->fd, r->buf, READ_CHUNK)) == -1)
		rc = tl_err_set(err, TL_EX_IOERR, r->name, r->lineno + 1,
		    "%s", strerror(errno));
	else {
		r->end = (size_t)k;
		rc = k > 0;
	}
	if (rc == 0)
		r->eof = 1;
	return rc;
}

int
tl_reader_getline(struct tl_reader *r, const char **line, size_t *len,
    struct tl_err *err)
{
	char *s, *nl;
	size_t n;
	int rc;

	tl_buf_reset(&r->line);
	for (;;) {
		if (r->pos == r->end) {
			if ((rc = fill(r, err)) == -1) {
				/* hand back what was read of the line */
				*line = r->line.data;
				*len = r->line.len;
				return -1;
			}
			if (rc == 0) {
				if (r->line.len == 0)
					return 0;
				r->had_nl = 0;
				s = r->line.data;
				n = r->line.len;
				break;
			}
		}
		s = r->buf + r->pos;
		nl = memchr(s, '\n', r->end - r->pos);
		if (nl == NULL) {
			tl_buf_add(&r->line, s, r->end - r->pos);
			r->pos = r->end;
			continue;
		}
		n = (size_t)(nl - s);
		r->pos += n + 1;
		r->had_nl = 1;
		if (r->line.len == 0) {
			*nl = '\0';
		} else {
			tl_buf_add(&r->line, s, n);
			s = r->line.data;
			n = r->line.len;
		}
		break;
	}
	r->lineno++;
	if (n > 0 && s[n - 1] == '\r')
		s[--n] = '\0';
	if (r->lineno == 1 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		n -= 3;
	}
	*line = s;
	*len = n;
	return 1;
}

const char *
tl_reader_name(const struct tl_reader *r)
{
	return r->name;
}

unsigned long
tl_reader_lineno(const struct tl_reader *r)
{
	return r->lineno;
}

int
tl_reader_had_newline(const struct tl_reader *r)
{
	return r->had_nl;
}

int
tl_reader_is_gzip(const struct tl_reader *r)
{
	return r->is_gzip;
}
