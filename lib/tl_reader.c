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
	int		 fd;		/* the input, or -1: mem */
	const char	*mem;		/* tl_reader_open_mem's bytes */
	size_t		 memlen, mempos;	/* their length, read so far */
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
	size_t		 max;		/* longest line returned whole */
	size_t		 long_len;	/* length of the last long line */
	size_t		 long_quotes;	/* '"' bytes in it */
};

/* A reader of fd (-1: memory) named name. */
static struct tl_reader *
reader_new(int fd, const char *name)
{
	struct tl_reader *r;

	r = tl_xcalloc(1, sizeof(*r));
	r->fd = fd;
	r->name = tl_xstrdup(name);
	r->buf = tl_xmalloc(READ_CHUNK + 1);
	tl_buf_init(&r->line);
	r->max = SIZE_MAX - 1;
	return r;
}

struct tl_reader *
tl_reader_open(const char *path, struct tl_err *err)
{
	int fd;

	if (path == NULL || strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
		path = "<stdin>";
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		tl_err_set(err, TL_EX_NOINPUT, path, 0, "%s", strerror(errno));
		return NULL;
	}
	return reader_new(fd, path);
}

struct tl_reader *
tl_reader_open_mem(const char *name, const char *data, size_t len)
{
	struct tl_reader *r = reader_new(-1, name);

	r->mem = data;
	r->memlen = len;
	return r;
}

void
tl_reader_set_max(struct tl_reader *r, size_t max)
{
	r->max = max < SIZE_MAX - 1 ? max : SIZE_MAX - 1;
}

void
tl_reader_long_line(const struct tl_reader *r, size_t *len, size_t *quotes)
{
	*len = r->long_len;
	*quotes = r->long_quotes;
}

long long
tl_reader_offset(const struct tl_reader *r)
{
	off_t at = r->fd == -1 ? (off_t)r->mempos : lseek(r->fd, 0, SEEK_CUR);

	return at == (off_t)-1 ? -1 : (long long)at;
}

void
tl_reader_free(struct tl_reader *r)
{
	if (r == NULL)
		return;
	if (r->fd != STDIN_FILENO && r->fd != -1)
		close(r->fd);
	if (r->zbuf != NULL)
		inflateEnd(&r->z);
	free(r->zbuf);
	tl_buf_release(&r->line);
	free(r->buf);
	free(r->name);
	free(r);
}

/* read(2) up to n bytes of r's input, retrying on EINTR, or copy them
 * from its memory.  Returns bytes, 0, or -1. */
static ssize_t
xread(struct tl_reader *r, void *p, size_t n)
{
	ssize_t k;

	if (r->fd == -1) {
		k = (ssize_t)(n < r->memlen - r->mempos ? n : r->memlen -
		    r->mempos);
		memcpy(p, r->mem + r->mempos, (size_t)k);
		r->mempos += (size_t)k;
		return k;
	}
	do
		k = read(r->fd, p, n);
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

	if ((k = xread(r, r->zbuf, READ_CHUNK)) == -1)
		return tl_err_set(err, TL_EX_IOERR, r->name, r->lineno + 1,
		    "%s", strerror(errno));
	r->z.next_in = r->zbuf;
	r->z.avail_in = (uInt)k;
	return (int)k;
}

/* Inflate into buf[at..READ_CHUNK).  Returns 1 with text, 0 at the true
 * end, -1. */
static int
gz_fill(struct tl_reader *r, size_t at, struct tl_err *err)
{
	int zrc, k;

	r->z.next_out = (unsigned char *)r->buf + at;
	r->z.avail_out = (uInt)(READ_CHUNK - at);
	while (r->z.avail_out == READ_CHUNK - at) {
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
				k = (int)xread(r, r->zbuf + 1,
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
		else if (zrc == Z_MEM_ERROR)
			tl_oom();
		else if (zrc == Z_BUF_ERROR && r->z.avail_in != 0)
			return gz_error(r, "corrupt gzip data", err);
	}
	r->end = READ_CHUNK - r->z.avail_out;
	return 1;
}

/* Read more into buf[at..READ_CHUNK), keeping buf[pos..at): end becomes
 * at plus what was read.  Returns 1 with data, 0 at the true end, -1 on
 * error. */
static int
fill_at(struct tl_reader *r, size_t at, struct tl_err *err)
{
	ssize_t k;
	int rc;

	r->end = at;
	if (r->eof)
		return 0;
	if (!r->started) {
		r->started = 1;
		if ((k = xread(r, r->buf, READ_CHUNK)) == -1)
			return tl_err_set(err, TL_EX_IOERR, r->name, 1, "%s",
			    strerror(errno));
		/* a single byte may still be the start of the magic */
		if (k == 1 && (unsigned char)r->buf[0] == 0x1f) {
			ssize_t k2 = xread(r, r->buf + 1, READ_CHUNK - 1);
			k = k2 > 0 ? 1 + k2 : 1;
		}
		if (k >= 2 && (unsigned char)r->buf[0] == 0x1f &&
		    (unsigned char)r->buf[1] == 0x8b) {
			r->is_gzip = 1;
			r->zbuf = tl_xmalloc(READ_CHUNK);
			memcpy(r->zbuf, r->buf, (size_t)k);
			if (inflateInit2(&r->z, 16 + MAX_WBITS) != Z_OK)
				tl_oom();	/* its only failure here */
			r->z.next_in = r->zbuf;
			r->z.avail_in = (uInt)k;
			r->in_member = 1;
		} else if (k > 0) {
			r->end = (size_t)k;
			return 1;
		}
	}
	if (r->is_gzip)
		rc = gz_fill(r, at, err);
	else if ((k = xread(r, r->buf + at, READ_CHUNK - at)) == -1)
		rc = tl_err_set(err, TL_EX_IOERR, r->name, r->lineno + 1,
		    "%s", strerror(errno));
	else {
		r->end = at + (size_t)k;
		rc = k > 0;
	}
	if (rc == 0)
		r->eof = 1;
	return rc;
}

/* Refill buf from its start.  Returns 1 with data, 0 at the true end, -1
 * on error. */
static int
fill(struct tl_reader *r, struct tl_err *err)
{
	r->pos = 0;
	return fill_at(r, 0, err);
}

static size_t
count_quotes(const char *s, size_t n)
{
	const char *end = s + n;
	size_t k = 0;

	while ((s = memchr(s, '"', (size_t)(end - s))) != NULL) {
		k++;
		s++;
	}
	return k;
}

/* The line in r->line (and s[0..n) read after it, without its '\n') is
 * over the limit: read on to the end of the line, keeping its first
 * TL_READER_HEAD bytes in r->line and counting its bytes and quotes.
 * nl says that s ends the line.  Returns 2, or -1 with err set. */
static int
skip_long(struct tl_reader *r, const char *s, size_t n, int nl,
    struct tl_err *err)
{
	const char *p, *end;
	size_t m;
	char last;
	int rc;

	last = n > 0 ? s[n - 1] : r->line.len > 0 ?
	    r->line.data[r->line.len - 1] : '\0';
	r->long_len = r->line.len + n;
	r->long_quotes = count_quotes(r->line.data, r->line.len) +
	    count_quotes(s, n);
	if (r->line.len < TL_READER_HEAD)
		tl_buf_add(&r->line, s, n < TL_READER_HEAD - r->line.len ? n :
		    TL_READER_HEAD - r->line.len);
	r->line.len = r->line.len < TL_READER_HEAD ? r->line.len :
	    TL_READER_HEAD;
	r->line.data[r->line.len] = '\0';
	while (!nl) {
		if (r->pos == r->end) {
			if ((rc = fill(r, err)) == -1)
				return -1;
			if (rc == 0)
				break;
		}
		p = r->buf + r->pos;
		end = memchr(p, '\n', r->end - r->pos);
		m = end != NULL ? (size_t)(end - p) : r->end - r->pos;
		r->long_len += m;
		r->long_quotes += count_quotes(p, m);
		if (m > 0)
			last = p[m - 1];
		r->pos += m + (end != NULL);
		nl = end != NULL;
	}
	r->had_nl = nl;
	if (nl && last == '\r')
		r->long_len--;
	return 2;
}

int
tl_reader_getline(struct tl_reader *r, const char **line, size_t *len,
    struct tl_err *err)
{
	char *s, *nl;
	size_t n;
	int rc = 1;

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
				rc = 1;
				break;
			}
		}
		s = r->buf + r->pos;
		nl = memchr(s, '\n', r->end - r->pos);
		if (nl == NULL) {
			n = r->end - r->pos;
			r->pos = r->end;
			/* max + 1: the last byte may be the '\r' of "\r\n" */
			if (r->line.len + n > r->max + 1) {
				rc = skip_long(r, s, n, 0, err);
				break;
			}
			tl_buf_add(&r->line, s, n);
			continue;
		}
		n = (size_t)(nl - s);
		r->pos += n + 1;
		r->had_nl = 1;
		if (r->line.len + n > r->max + 1) {
			rc = skip_long(r, s, n, 1, err);
			break;
		}
		if (r->line.len == 0) {
			*nl = '\0';
		} else {
			tl_buf_add(&r->line, s, n);
			s = r->line.data;
			n = r->line.len;
		}
		break;
	}
	if (rc == -1) {		/* an error while reading past a long line */
		*line = r->line.data;
		*len = r->line.len;
		return -1;
	}
	r->lineno++;
	if (rc == 2) {
		s = r->line.data;
		n = r->line.len;
	} else {
		if (n > 0 && s[n - 1] == '\r')
			s[--n] = '\0';
		if (n > r->max) {	/* max + 1 bytes held: the head only */
			r->long_len = n;
			r->long_quotes = count_quotes(s, n);
			n = n < TL_READER_HEAD ? n : TL_READER_HEAD;
			s[n] = '\0';
			rc = 2;
		}
	}
	if (r->lineno == 1 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		n -= 3;
		if (rc == 2)
			r->long_len -= 3;
	}
	*line = s;
	*len = n;
	return rc;
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

int
tl_reader_peek(struct tl_reader *r, size_t want, const char **p, size_t *n,
    struct tl_err *err)
{
	int rc = 1;

	if (want > READ_CHUNK)
		want = READ_CHUNK;
	if (r->end - r->pos < want && r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->end -= r->pos;
		r->pos = 0;
	}
	while (r->end - r->pos < want && rc == 1)
		if ((rc = fill_at(r, r->end, err)) == -1)
			break;
	*p = r->buf + r->pos;
	*n = r->end - r->pos;
	return rc == -1 ? -1 : 0;
}

int
tl_reader_read(struct tl_reader *r, const char **p, size_t *n,
    struct tl_err *err)
{
	int rc;

	if (r->pos == r->end && (rc = fill(r, err)) != 1) {
		*p = r->buf;
		*n = 0;
		return rc;
	}
	*p = r->buf + r->pos;
	*n = r->end - r->pos;
	r->pos = r->end;
	return 1;
}
