/*
 * tl_zip: the backtest export inside freqtrade's zip archive (see
 * tl_zip.h).  Little-endian fields of APPNOTE.TXT 6.3: 4.3.16 the end of
 * central directory record, 4.3.12 a central directory header, 4.3.7 a
 * local file header.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>

#include "tl_zip.h"

#define EOCD_SIG	0x06054b50u
#define CDH_SIG		0x02014b50u
#define LFH_SIG		0x04034b50u
#define EOCD_LEN	22
#define CDH_LEN		46
#define LFH_LEN		30
#define TAIL_MAX	(EOCD_LEN + 65535)	/* the record and a comment */

static uint32_t
le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t
le32(const unsigned char *p)
{
	return le16(p) | le16(p + 2) << 16;
}

/* len bytes at offset off of fp into p.  0, or -1 with err. */
static int
read_at(FILE *fp, const char *path, long off, void *p, size_t len,
    struct tl_err *err)
{
	if (fseek(fp, off, SEEK_SET) == 0 && fread(p, 1, len, fp) == len)
		return 0;
	if (ferror(fp))
		return tl_err_set(err, TL_EX_IOERR, path, 0, "%s",
		    strerror(errno));
	return tl_err_set(err, TL_EX_DATAERR, path, 0, "zip archive: "
	    "truncated");
}

static int
bad(const char *path, const char *what, struct tl_err *err)
{
	return tl_err_set(err, TL_EX_DATAERR, path, 0, "zip archive: %s",
	    what);
}

/* Is name[0..n) the export of the archive whose base name is stem[0..k)
 * (without .zip), or (exact 0) any .json entry that is no config or
 * metadata? */
static int
is_export(const char *name, size_t n, const char *stem, size_t k, int exact)
{
	const char *base = name;
	size_t i;

	for (i = 0; i < n; i++)
		if (name[i] == '/')
			base = name + i + 1;
	n -= (size_t)(base - name);
	if (n < 5 || memcmp(base + n - 5, ".json", 5) != 0)
		return 0;
	if (exact)
		return n == k + 5 && memcmp(base, stem, k) == 0;
	return !(n >= 12 && memcmp(base + n - 12, "_config.json", 12) == 0) &&
	    !(n >= 10 && memcmp(base + n - 10, ".meta.json", 10) == 0);
}

/* The entry's data (local header at off, csize bytes stored or deflated
 * to usize with CRC crc) into out.  Returns 0, or -1 with err. */
static int
extract(FILE *fp, const char *path, long size, long off, unsigned method,
    size_t csize, size_t usize, uint32_t crc, struct tl_buf *out,
    struct tl_err *err)
{
	unsigned char h[LFH_LEN], *in;
	z_stream z;
	long data;
	int zrc;

	if (off < 0 || off > size - LFH_LEN)
		return bad(path, "a local header out of the file", err);
	if (read_at(fp, path, off, h, LFH_LEN, err) == -1)
		return -1;
	if (le32(h) != LFH_SIG)
		return bad(path, "no local header where the directory says",
		    err);
	data = off + LFH_LEN + (long)le16(h + 26) + (long)le16(h + 28);
	if (data > size || (long)csize > size - data)
		return bad(path, "an entry runs past the end of the file",
		    err);
	in = tl_xmalloc(csize + 1);
	if (read_at(fp, path, data, in, csize, err) == -1) {
		free(in);
		return -1;
	}
	tl_buf_reset(out);
	tl_buf_reserve(out, usize + 1);
	if (method == 0) {
		if (csize != usize) {
			free(in);
			return bad(path, "a stored entry's sizes differ",
			    err);
		}
		memcpy(out->data, in, usize);
	} else {
		memset(&z, 0, sizeof(z));
		if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
			tl_oom();
		z.next_in = in;
		z.avail_in = (uInt)csize;
		z.next_out = (unsigned char *)out->data;
		z.avail_out = (uInt)usize + 1;	/* one more: too long */
		zrc = inflate(&z, Z_FINISH);
		inflateEnd(&z);
		if (zrc != Z_STREAM_END || z.total_out != usize) {
			free(in);
			return bad(path, "corrupt deflated data", err);
		}
	}
	free(in);
	out->len = usize;
	out->data[usize] = '\0';
	if ((uint32_t)crc32(0L, (const unsigned char *)out->data,
	    (uInt)usize) != crc)
		return bad(path, "CRC-32 mismatch (corrupt entry)", err);
	return 0;
}

int
tl_zip_export(const char *path, size_t max, struct tl_buf *out,
    struct tl_err *err)
{
	unsigned char *tail = NULL, *cd = NULL, *e;
	const char *stem = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 :
	    path;
	size_t k = strlen(stem), ntail, i, n, cdlen, pos = 0, nlen, at;
	long size, cdoff;
	struct stat st;
	int rc = -1, exact;
	FILE *fp;

	if (k > 4 && strcmp(stem + k - 4, ".zip") == 0)
		k -= 4;
	if ((fp = fopen(path, "rb")) == NULL)
		return tl_err_set(err, TL_EX_NOINPUT, path, 0, "%s",
		    strerror(errno));
	if (fstat(fileno(fp), &st) != 0 || st.st_size > LONG_MAX / 2) {
		fclose(fp);
		return tl_err_set(err, TL_EX_IOERR, path, 0, "cannot size it");
	}
	size = (long)st.st_size;
	if (size < EOCD_LEN) {
		fclose(fp);
		return bad(path, "too short", err);
	}
	ntail = (size_t)(size < TAIL_MAX ? size : TAIL_MAX);
	tail = tl_xmalloc(ntail);
	if (read_at(fp, path, size - (long)ntail, tail, ntail, err) == -1)
		goto out;
	for (i = ntail - EOCD_LEN + 1; i-- > 0;)
		if (le32(tail + i) == EOCD_SIG)
			break;
	if (i == (size_t)-1) {
		bad(path, "no end of central directory (not a whole zip "
		    "archive)", err);
		goto out;
	}
	e = tail + i;
	n = le16(e + 10);
	cdlen = le32(e + 12);
	cdoff = (long)le32(e + 16);
	if (n == 0xffff || cdlen == 0xffffffffu || le32(e + 16) ==
	    0xffffffffu) {
		bad(path, "zip64 (not supported)", err);
		goto out;
	}
	if (cdoff > size || (long)cdlen > size - cdoff) {
		bad(path, "a central directory out of the file", err);
		goto out;
	}
	cd = tl_xmalloc(cdlen + 1);
	if (read_at(fp, path, cdoff, cd, cdlen, err) == -1)
		goto out;
	/* the entry named as the archive, else the first export-like one */
	for (exact = 1; exact >= 0; exact--) {
		for (i = 0, pos = 0; i < n; i++, pos += CDH_LEN + nlen +
		    le16(cd + pos + 30) + le16(cd + pos + 32)) {
			if (pos > cdlen || cdlen - pos < CDH_LEN ||
			    le32(cd + pos) != CDH_SIG) {
				bad(path, "a corrupt central directory", err);
				goto out;
			}
			nlen = le16(cd + pos + 28);
			if (cdlen - pos - CDH_LEN < nlen + le16(cd + pos + 30) +
			    le16(cd + pos + 32)) {
				bad(path, "a corrupt central directory", err);
				goto out;
			}
			if (is_export((const char *)cd + pos + CDH_LEN, nlen,
			    stem, k, exact))
				break;
		}
		if (i < n)
			break;
	}
	if (exact < 0) {
		rc = 0;		/* no export in it */
		goto out;
	}
	at = pos;	/* the entry chosen */
	if (le16(cd + at + 8) & 1) {
		bad(path, "an encrypted entry", err);
		goto out;
	}
	if (le16(cd + at + 10) != 0 && le16(cd + at + 10) != 8) {
		bad(path, "an entry neither stored nor deflated", err);
		goto out;
	}
	if (le32(cd + at + 20) == 0xffffffffu ||
	    le32(cd + at + 24) == 0xffffffffu ||
	    le32(cd + at + 42) == 0xffffffffu) {
		bad(path, "zip64 (not supported)", err);
		goto out;
	}
	if ((size_t)le32(cd + at + 24) > max) {
		tl_err_set(err, TL_EX_DATAERR, path, 0, "zip archive: its "
		    "export is over %zu bytes (unzip it)", max);
		goto out;
	}
	if (extract(fp, path, size, (long)le32(cd + at + 42),
	    le16(cd + at + 10), le32(cd + at + 20), le32(cd + at + 24),
	    le32(cd + at + 16), out, err) == 0)
		rc = 1;
out:
	free(tail);
	free(cd);
	fclose(fp);
	return rc;
}
