/*
 * Lines from a file, stdin or a gzip stream.  zlib's gz* functions read
 * plain files transparently, so every input goes through them; lines that
 * fit in the read buffer are returned in place without a copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "tl_reader.h"
#include "tl_util.h"

#define READ_CHUNK	(256 * 1024)	/* bytes per gzread */

struct tl_reader {
	gzFile		 gz;		/* the stream, plain or gzip */
	char		*name;		/* for messages: path or "<stdin>" */
	unsigned long	 lineno;	/* number of the last line returned */
	char		*buf;		/* READ_CHUNK + 1 bytes read ahead */
	size_t		 pos;		/* next unread byte in buf */
	size_t		 end;		/* bytes valid in buf */
	int		 eof;		/* gzread returned 0 */
	int		 had_nl;	/* last line ended with '\n' */
	int		 is_gzip;	/* the input was gzip, not plain */
	struct tl_buf	 line;		/* a line that spans reads */
};

struct tl_reader *
tl_reader_open(const char *path, struct tl_err *err)
{
	struct tl_reader *r;
	int fd;

	if (path == NULL || strcmp(path, "-") == 0) {
		if ((fd = dup(STDIN_FILENO)) == -1) {
			tl_err_set(err, TL_EX_NOINPUT, "<stdin>", 0, "%s",
			    strerror(errno));
			return NULL;
		}
		path = "<stdin>";
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		tl_err_set(err, TL_EX_NOINPUT, path, 0, "%s", strerror(errno));
		return NULL;
	}
	r = tl_xcalloc(1, sizeof(*r));
	if ((r->gz = gzdopen(fd, "rb")) == NULL) {
		close(fd);
		free(r);
		tl_err_set(err, TL_EX_IOERR, path, 0, "cannot read");
		return NULL;
	}
	gzbuffer(r->gz, READ_CHUNK);
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
	gzclose_r(r->gz);
	tl_buf_release(&r->line);
	free(r->buf);
	free(r->name);
	free(r);
}

/* Refill buf.  Returns 1 with data, 0 at the true end, -1 on error. */
static int
fill(struct tl_reader *r, struct tl_err *err)
{
	const char *msg;
	int n, zerr;

	r->pos = r->end = 0;
	if (r->eof)
		return 0;
	n = gzread(r->gz, r->buf, READ_CHUNK);
	if (r->lineno == 0 && r->line.len == 0 && !gzdirect(r->gz))
		r->is_gzip = 1;
	if (n > 0) {
		r->end = (size_t)n;
		return 1;
	}
	msg = gzerror(r->gz, &zerr);
	if (n < 0 || (zerr != Z_OK && zerr != Z_STREAM_END)) {
		if (zerr == Z_ERRNO)
			msg = strerror(errno);
		else if (zerr == Z_BUF_ERROR)
			msg = "truncated or corrupt gzip file (unexpected end of input)";
		else if (zerr == Z_DATA_ERROR)
			msg = "corrupt gzip data";
		return tl_err_set(err, TL_EX_IOERR, r->name, r->lineno + 1,
		    "%s", msg);
	}
	r->eof = 1;
	return 0;
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
