/*
 * Inputs of every format as one stream of records: the format is sniffed
 * from the first bytes (tl_reader_peek), then the file is read by the
 * reader of that format (tl_records, tl_jstream, tl_ftdb) and its records
 * turned into ours (tl_freqtrade, tl_mapfile) one or two at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_freqtrade.h"
#include "tl_ftdb.h"
#include "tl_jstream.h"
#include "tl_jv.h"
#include "tl_mapfile.h"
#include "tl_reader.h"
#include "tl_records.h"
#include "tl_source.h"
#include "tl_util.h"
#include "tl_zip.h"

#define SNIFF_BYTES	((size_t)256 << 10)	/* looked at to tell */
#define MAX_PENDING	2	/* records made of one */

const char *const tl_src_names[TL_SRC_N] = { "jsonl", "csv", "json",
	"freqtrade-backtest", "freqtrade-hyperopt", "freqtrade-db",
	"freqtrade-meta", "sqlite-aux", "zip", "pickle", "arrow" };

const char *const tl_from_names[TL_FROM_N] = { "auto", "tradelearn",
	"freqtrade", "freqtrade-db" };

/* Formats recognised and not read, and why. */
static const char *const skip_reasons[TL_SRC_N] = {
	[TL_SRC_FT_META] = "freqtrade's run metadata beside an export, not "
	    "a log",
	[TL_SRC_SQLITE_AUX] = "a SQLite write-ahead log, shared-memory or "
	    "journal file, not a log",
	[TL_SRC_ZIP] = "a zip archive without a freqtrade backtest export "
	    "(unzip it if it holds logs)",
	[TL_SRC_PICKLE] = "a Python pickle, not a log",
	[TL_SRC_ARROW] = "an Arrow, Feather or Parquet file, not a log"
};

/* The binary formats told by their first bytes. */
static const struct magic {
	const char	*bytes;		/* the magic */
	size_t		 len;		/* its length */
	enum tl_src_fmt	 fmt;		/* what it is */
} magics[] = {
	{ TL_FTDB_MAGIC, TL_FTDB_MAGIC_LEN, TL_SRC_FT_DB },
	/* sqlite.org/fileformat2.html: the WAL header's magic (big-endian),
	 * the -shm's version 3007000 (little-endian hosts), the rollback
	 * journal's header */
	{ "\x37\x7f\x06\x82", 4, TL_SRC_SQLITE_AUX },
	{ "\x37\x7f\x06\x83", 4, TL_SRC_SQLITE_AUX },
	{ "\x18\xe2\x2d\x00", 4, TL_SRC_SQLITE_AUX },
	{ "\xd9\xd5\x05\xf9\x20\xa1\x63\xd7", 8, TL_SRC_SQLITE_AUX },
	{ "PK\3\4", 4, TL_SRC_ZIP },
	{ "ARROW1", 6, TL_SRC_ARROW },
	{ "PAR1", 4, TL_SRC_ARROW }
};

/* Why a record is what it is, in a reject's reason. */
static const char *const why_trade = "freqtrade trade";
static const char *const why_summary = "freqtrade backtest summary";
static const char *const why_epoch = "freqtrade hyperopt epoch";

struct pending {
	struct tl_buf	 text;		/* the record, when made here */
	const char	*ptr;		/* the record: text's, or the reader's
					 * (valid until the next fill) */
	size_t		 len;		/* its length */
	enum tl_kind	 kind;		/* its kind */
	const char	*why;		/* the rule */
	double		 capital;	/* a run's starting balance */
	struct tl_buf	 strategy;	/* whose, with a capital */
};

struct tl_source {
	const struct tl_source_opts *o;	/* the caller's options */
	enum tl_src_fmt	 fmt;		/* what the file is */
	char		*name;		/* for messages */
	char		*stem;		/* base name without suffixes */
	struct tl_mapfile *map;		/* the map that reads it, or NULL */
	struct tl_records *rs;		/* line formats */
	struct tl_jstream *js;		/* documents */
	struct tl_ftdb	*db;		/* databases */
	struct tl_jdoc	 doc;		/* a source record, parsed */
	struct tl_buf	 mapped;	/* what a map made of it */
	struct tl_buf	 pos;		/* position text, made when asked */
	int		 pos_doc;	/* a document's record: path, offset */
	long long	 row_id;	/* a database's row, or -1 */
	struct tl_buf	 inj;		/* a record with --path-as names */
	struct tl_buf	 zip;		/* a zip archive's export, read */
	char		 skip[1024 + 32];	/* why a zip is skipped (an
					 * error's message and more), or "" */
	struct pending	 pend[MAX_PENDING];	/* records made of one */
	size_t		 npend, ipend;	/* made, handed out */
	unsigned long	 line;		/* of the source record */
	const char	*raw;		/* its text */
	size_t		 rawlen, rawfull;	/* held, whole */
	size_t		 records;	/* source records read */
	size_t		 open;		/* open trades skipped */
	size_t		 left_out;	/* left out by a map */
	int		 failed;	/* the input ends */
	int		 fatal;		/* and the run must stop */
	char		**as;		/* --path-as names */
	size_t		 nas;		/* their number */
	enum tl_kind	 ekind;		/* the kind of a record that fails */
	const char	*ewhy;		/* and why */
};

const char *
tl_source_skip(const struct tl_source *src)
{
	return src->skip[0] != '\0' ? src->skip : skip_reasons[src->fmt];
}

/* ---- sniffing --------------------------------------------------------- */

static size_t
blanks(const char *p, size_t i, size_t n)
{
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
	    p[i] == '\n'))
		i++;
	return i;
}

/* The string at p[i] ('"'): *s and *len its bytes (escapes not
 * decoded); returns the index after it, or n when it does not end. */
static size_t
string_at(const char *p, size_t i, size_t n, const char **s, size_t *len)
{
	size_t j;

	for (j = i + 1; j < n && p[j] != '"'; j++)
		if (p[j] == '\\')
			j++;
	*s = p + i + 1;
	*len = j < n ? j - i - 1 : 0;
	return j < n ? j + 1 : n;
}

static int
is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(s, word, n) == 0;
}

/* The first member of the object at p[i] ('{'): *key, *klen its name and
 * the index of its value's first byte (n when the prefix ends first). */
static size_t
first_member(const char *p, size_t i, size_t n, const char **key,
    size_t *klen)
{
	*key = NULL;
	*klen = 0;
	i = blanks(p, i + 1, n);
	if (i >= n || p[i] != '"')
		return n;
	i = blanks(p, string_at(p, i, n, key, klen), n);
	if (i >= n || p[i] != ':')
		return n;
	return blanks(p, i + 1, n);
}

/* The first object at p[i]: does it end on its first line, and does it
 * have both hyperopt members at depth 1?  Returns the index after it, or
 * n when it does not end in p. */
static size_t
first_object(const char *p, size_t i, size_t n, int *one_line, int *hypt)
{
	const char *k;
	size_t depth = 0, klen, j;
	int expect_key = 0, params = 0, results = 0;

	*one_line = 1;
	for (j = i; j < n; j++) {
		switch (p[j]) {
		case '"':
			if (depth == 1 && expect_key) {
				j = string_at(p, j, n, &k, &klen) - 1;
				params |= is(k, klen, "params_dict");
				results |= is(k, klen, "results_metrics");
				expect_key = 0;
			} else
				j = string_at(p, j, n, &k, &klen) - 1;
			break;
		case '{':
		case '[':
			depth++;
			expect_key = p[j] == '{' && depth == 1;
			break;
		case '}':
		case ']':
			if (--depth == 0) {
				j++;
				goto done;
			}
			break;
		case ',':
			expect_key = depth == 1;
			break;
		case '\n':
			*one_line = 0;
			goto done;
		default:
			break;
		}
	}
done:
	*hypt = params && results && *one_line;
	return j < n ? j : n;
}

enum tl_src_fmt
tl_source_sniff(const char *p, size_t n, int whole, int gzip, int doc,
    const char *path)
{
	const char *k1, *k2;
	size_t i = 0, k1len, k2len, j, m, end;
	int one_line, hypt;

	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	for (m = 0; m < TL_NELEM(magics) && !gzip; m++)
		if (n - i >= magics[m].len &&
		    memcmp(p + i, magics[m].bytes, magics[m].len) == 0)
			return magics[m].fmt;
	if (n - i >= 2 && (unsigned char)p[i] == 0x80 && p[i + 1] >= 2 &&
	    p[i + 1] <= 5)
		return TL_SRC_PICKLE;
	i = blanks(p, i, n);
	if (i < n && p[i] == '[')
		return TL_SRC_JSON;
	/* not an object: CSV, unless the name says JSON Lines (a damaged
	 * first line is then rejected as one), as every tool tells them */
	if (i >= n || p[i] != '{')
		return tl_fmt_sniff(p, n, path) == TL_FMT_CSV ? TL_SRC_CSV :
		    TL_SRC_JSONL;
	/* {"strategy": {NAME: {...  or  {NAME: {"run_id": ... */
	j = first_member(p, i, n, &k1, &k1len);
	if (j < n && p[j] == '{') {
		m = first_member(p, j, n, &k2, &k2len);
		if (is(k1, k1len, "strategy") && m < n && p[m] == '{')
			return TL_SRC_FT_BACKTEST;
		if (is(k2, k2len, "run_id"))
			return TL_SRC_FT_META;
	}
	end = first_object(p, i, n, &one_line, &hypt);
	if (hypt)
		return TL_SRC_FT_HYPEROPT;
	if (!one_line)
		return TL_SRC_JSON;
	/* one line: JSON Lines, unless a document is wanted and the line is
	 * all the file holds, or more than we looked at */
	if (doc && (end == n || (whole && blanks(p, end, n) == n)))
		return TL_SRC_JSON;
	return TL_SRC_JSONL;
}

/* ---- opening ----------------------------------------------------------- */

int
tl_source_check_opts(const struct tl_source_opts *o, struct tl_err *err)
{
	if (tl_jstream_path_check(o->path, err) == -1)
		return tl_err_set(err, TL_EX_USAGE, "--path", 0, "%s",
		    err->msg);
	if (o->path_as != NULL && (o->path == NULL ||
	    strchr(o->path, '*') == NULL))
		return tl_err_set(err, TL_EX_USAGE, "--path-as", 0, "needs a "
		    "--path with '*'");
	return 0;
}

/* The base name of path without ".gz" and one more suffix. */
static char *
stem_of(const char *path)
{
	const char *b = strrchr(path, '/');
	char *s, *dot;
	size_t n;

	s = tl_xstrdup(b != NULL ? b + 1 : path);
	n = strlen(s);
	if (n > 3 && strcmp(s + n - 3, ".gz") == 0)
		s[n - 3] = '\0';
	if ((dot = strrchr(s, '.')) != NULL && dot != s)
		*dot = '\0';
	return s;
}

/* The format to read path as, from what the caller and the map say, or
 * else what its first bytes say.  -1 with err when they disagree. */
static int
choose(struct tl_source *src, struct tl_reader *rd, const char *path,
    struct tl_err *err)
{
	const struct tl_source_opts *o = src->o;
	struct tl_err ignored;
	const char *p, *in;
	size_t n;
	enum tl_src_fmt f;

	/* a read error here meets the reader again where it reads */
	(void)tl_reader_peek(rd, SNIFF_BYTES, &p, &n, &ignored);
	f = tl_source_sniff(p, n, n < SNIFF_BYTES, tl_reader_is_gzip(rd),
	    o->path != NULL || (src->map != NULL &&
	    tl_mapfile_path(src->map) != NULL), path);
	if (o->from == TL_FROM_FREQTRADE_DB)
		f = TL_SRC_FT_DB;
	else if (src->map != NULL && (in = tl_mapfile_input(src->map)) !=
	    NULL)
		f = strcmp(in, "csv") == 0 ? TL_SRC_CSV : strcmp(in, "json")
		    == 0 ? TL_SRC_JSON : TL_SRC_JSONL;
	else if (o->fmt >= 0)
		f = (enum tl_src_fmt)o->fmt;
	else if (o->from == TL_FROM_FREQTRADE && f != TL_SRC_FT_BACKTEST &&
	    f != TL_SRC_FT_HYPEROPT && f != TL_SRC_FT_META && f != TL_SRC_ZIP)
		return tl_err_set(err, TL_EX_DATAERR, src->name, 0, "not a "
		    "freqtrade backtest export or hyperopt results (it reads "
		    "as %s)", tl_src_names[f]);
	else if (o->from == TL_FROM_TRADELEARN && f == TL_SRC_FT_DB)
		return tl_err_set(err, TL_EX_DATAERR, src->name, 0, "a SQLite "
		    "database, not our records (--from freqtrade-db reads a "
		    "freqtrade trade database)");
	else if ((o->from == TL_FROM_TRADELEARN || src->map != NULL) &&
	    (f == TL_SRC_FT_BACKTEST || f == TL_SRC_FT_META))
		f = TL_SRC_JSON;
	else if ((o->from == TL_FROM_TRADELEARN || src->map != NULL) &&
	    f == TL_SRC_FT_HYPEROPT)
		f = TL_SRC_JSONL;
	if (f == TL_SRC_FT_DB && strcmp(path, "-") == 0)
		return tl_err_set(err, TL_EX_DATAERR, src->name, 0, "a SQLite "
		    "database cannot be read from standard input (name the "
		    "file)");
	if (f == TL_SRC_FT_DB && tl_reader_is_gzip(rd))
		return tl_err_set(err, TL_EX_DATAERR, src->name, 0, "a gzip'd "
		    "file cannot be a SQLite database (gunzip it)");
	src->fmt = f;
	return 0;
}

/* A zip archive (src->fmt TL_SRC_ZIP, read by *rd): freqtrade's backtest
 * export in it is read from memory by a new *rd, as the export itself
 * would be; an archive without one stays skipped, and so does one that
 * cannot be read as a zip (cut short, corrupt, encrypted, ...), with
 * what is wrong: a stray archive must not stop every night.  Returns 0,
 * or -1 with err when the file cannot be read at all. */
static int
unzip(struct tl_source *src, struct tl_reader **rd, const char *path,
    struct tl_err *err)
{
	int rc;

	if (strcmp(path, "-") == 0 || src->map != NULL ||
	    (src->o->from != TL_FROM_AUTO && src->o->from !=
	    TL_FROM_FREQTRADE))
		return 0;
	rc = tl_zip_export(path, TL_ZIP_MAX, &src->zip, err);
	if (rc == -1 && err->code == TL_EX_DATAERR) {
		snprintf(src->skip, sizeof(src->skip), "%.1000s, not read "
		    "(unzip it)", err->msg);
		tl_err_clear(err);
		return 0;
	}
	if (rc <= 0)
		return rc;
	tl_reader_free(*rd);
	*rd = tl_reader_open_mem(src->name, src->zip.data, src->zip.len);
	if (choose(src, *rd, path, err) == -1)
		return -1;
	if (src->fmt != TL_SRC_FT_BACKTEST)
		src->fmt = TL_SRC_ZIP;	/* some other JSON: as before */
	return 0;
}

struct tl_source *
tl_source_open(const char *path, const struct tl_source_opts *o,
    struct tl_err *err)
{
	struct tl_source *src;
	struct tl_reader *rd;
	const char *p, *c;
	size_t i;

	if ((rd = tl_reader_open(path, err)) == NULL)
		return NULL;
	src = tl_xcalloc(1, sizeof(*src));
	src->o = o;
	src->name = tl_xstrdup(tl_reader_name(rd));
	src->stem = stem_of(src->name);
	tl_jdoc_init(&src->doc);
	tl_buf_init(&src->mapped);
	tl_buf_init(&src->pos);
	tl_buf_init(&src->inj);
	tl_buf_init(&src->zip);
	for (i = 0; i < MAX_PENDING; i++) {
		tl_buf_init(&src->pend[i].text);
		tl_buf_init(&src->pend[i].strategy);
	}
	for (i = 0; i < o->nmaps && src->map == NULL; i++)
		if (strcmp(path, "-") != 0 &&
		    tl_mapfile_matches(o->maps[i], path))
			src->map = o->maps[i];
	if (o->path_as != NULL)
		for (p = o->path_as;; p = c + 1) {
			c = strchr(p, ',');
			src->as = tl_xreallocarray(src->as, src->nas + 1,
			    sizeof(*src->as));
			src->as[src->nas++] = c != NULL ? tl_xstrndup(p,
			    (size_t)(c - p)) : tl_xstrdup(p);
			if (c == NULL)
				break;
		}
	if (choose(src, rd, path, err) == -1 ||
	    (src->fmt == TL_SRC_ZIP && unzip(src, &rd, path, err) == -1) ||
	    (src->map != NULL && tl_mapfile_begin(src->map, path, err) == -1)) {
		tl_reader_free(rd);
		tl_source_free(src);
		return NULL;
	}
	switch (src->fmt) {
	case TL_SRC_JSONL:
	case TL_SRC_CSV:
	case TL_SRC_FT_HYPEROPT:
		src->rs = tl_records_open_reader(rd, src->fmt == TL_SRC_CSV ?
		    TL_FMT_CSV : TL_FMT_JSONL, err);
		if (src->rs == NULL)
			goto fail;
		tl_records_set_max(src->rs, o->max, o->max_what);
		break;
	case TL_SRC_JSON:
		src->js = tl_jstream_alloc(rd, src->map != NULL &&
		    tl_mapfile_path(src->map) != NULL ?
		    tl_mapfile_path(src->map) : o->path, NULL);
		tl_jstream_set_max(src->js, o->max, o->max_what);
		break;
	case TL_SRC_FT_BACKTEST:
		src->js = tl_jstream_alloc(rd, "strategy.*", "trades");
		tl_jstream_set_max(src->js, o->max, o->max_what);
		break;
	case TL_SRC_FT_DB:
		tl_reader_free(rd);
		if ((src->db = tl_ftdb_open(path, err)) == NULL)
			goto fail;
		break;
	default:	/* skipped */
		tl_reader_free(rd);
		break;
	}
	return src;
fail:
	tl_source_free(src);
	return NULL;
}

void
tl_source_free(struct tl_source *src)
{
	size_t i;

	if (src == NULL)
		return;
	tl_records_free(src->rs);
	tl_jstream_free(src->js);
	tl_ftdb_free(src->db);
	tl_jdoc_release(&src->doc);
	tl_buf_release(&src->mapped);
	tl_buf_release(&src->pos);
	tl_buf_release(&src->inj);
	tl_buf_release(&src->zip);	/* after the reader over it */
	for (i = 0; i < MAX_PENDING; i++) {
		tl_buf_release(&src->pend[i].text);
		tl_buf_release(&src->pend[i].strategy);
	}
	for (i = 0; i < src->nas; i++)
		free(src->as[i]);
	free(src->as);
	free(src->name);
	free(src->stem);
	free(src);
}

/* ---- records ------------------------------------------------------------ */

/* Queue a record made of the current source record. */
static void
pend(struct tl_source *src, const char *text, size_t len, enum tl_kind k,
    const char *why, double capital)
{
	struct pending *p = &src->pend[src->npend++];

	tl_buf_reset(&p->text);
	tl_buf_add(&p->text, text, len);
	p->ptr = p->text.data;
	p->len = p->text.len;
	p->kind = k;
	p->why = why;
	p->capital = capital;
}

/* Hand out the reader's own text of a record, as it is: no copy. */
static void
borrow(struct tl_source *src, const char *text, size_t len)
{
	struct pending *p = &src->pend[src->npend++];

	p->ptr = text;
	p->len = len;
	p->kind = TL_KIND_NONE;
	p->why = NULL;
	p->capital = 0;
}

/* A bad source record: err's position is the file and the line (when
 * the reader did not say where), and pos. */
static int
bad(struct tl_source *src, struct tl_item *it, struct tl_err *err)
{
	const char *pos = tl_source_pos(src);

	it->name = src->name;
	it->line = src->line;
	it->kind = src->ekind;
	it->why = src->ewhy;
	if (err->where[0] == '\0')
		return tl_err_set(err, err->code ? err->code : TL_EX_DATAERR,
		    src->name, src->line, "%s%s", pos, err->msg);
	return tl_err_set(err, err->code, err->where, 0, "%s%s", pos,
	    err->msg);
}

/* Parse the source record text (for a conversion or a map). */
static int
parse(struct tl_source *src, const char *text, size_t len,
    struct tl_err *err)
{
	return tl_jdoc_parse(&src->doc, text, len, src->name, src->line, err);
}

/* The source record text made into our records by the map: queued.
 * Returns 0, or -1 with err. */
static int
map_record(struct tl_source *src, const char *text, size_t len,
    struct tl_err *err)
{
	enum tl_kind kinds[MAX_PENDING];
	const char *p;
	size_t left;
	int k, i;

	if (parse(src, text, len, err) == -1)
		return -1;
	if (src->doc.v[0].type != TL_JOBJ)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "expected an "
		    "object, got %s", tl_jv_typename(&src->doc.v[0]));
	tl_buf_reset(&src->mapped);
	left = tl_mapfile_left_out(src->map);
	if ((k = tl_mapfile_apply(src->map, &src->doc, &src->doc.v[0],
	    &src->mapped, kinds, err)) == -1)
		return -1;
	src->left_out += tl_mapfile_left_out(src->map) - left;
	for (i = 0, p = src->mapped.data; i < k; i++, p += strlen(p) + 1)
		pend(src, p, strlen(p), kinds[i], tl_mapfile_name(src->map),
		    0);
	return 0;
}

/* A document's record with the --path-as names its '*' stood for, when
 * it lacks them: *text and *len point to the new text. */
static int
inject(struct tl_source *src, const char **text, size_t *len,
    struct tl_err *err)
{
	const char *star;
	size_t i, n;

	if (src->nas == 0 || parse(src, *text, *len, err) == -1)
		return 0;	/* bad JSON is rejected where it is handled */
	if (src->doc.v[0].type != TL_JOBJ)
		return 0;
	tl_buf_reset(&src->inj);
	tl_buf_addc(&src->inj, '{');
	for (i = 0; i < src->nas && i < tl_jstream_nstars(src->js); i++) {
		if (tl_jv_get(&src->doc, &src->doc.v[0], src->as[i]) != NULL)
			continue;
		star = tl_jstream_star(src->js, i, &n);
		tl_jv_append_string(&src->inj, src->as[i], strlen(src->as[i]));
		tl_buf_addc(&src->inj, ':');
		tl_jv_append_string(&src->inj, star, n);
		tl_buf_addc(&src->inj, ',');
	}
	if (src->inj.len == 1)
		return 0;
	if (src->doc.v[0].n == 0)
		src->inj.data[--src->inj.len] = '\0';	/* "{}": no comma */
	tl_buf_add(&src->inj, *text + 1, *len - 1);
	*text = src->inj.data;
	*len = src->inj.len;
	return 0;
}

/* The next source record of a line format into *text: 1, 0, -1. */
static int
next_line(struct tl_source *src, const char **text, size_t *len,
    struct tl_err *err)
{
	int rc = tl_records_next_text(src->rs, text, len, err);

	src->line = tl_records_line(src->rs);
	src->raw = tl_records_raw(src->rs, &src->rawlen);
	src->rawfull = tl_records_raw_length(src->rs);
	if (rc != 0)
		src->records++;
	if (rc == -1 && tl_records_failed(src->rs))
		src->failed = 1;
	if (src->line == 0)
		src->line = 1;
	return rc;
}

/* The next record of a document: 1, 0, -1 (pos set). */
static int
next_doc(struct tl_source *src, const char **text, size_t *len,
    struct tl_err *err)
{
	int rc = tl_jstream_next(src->js, text, len, err);

	if (rc == 0)
		return 0;
	src->line = tl_jstream_line(src->js);
	src->raw = tl_jstream_raw(src->js, &src->rawlen);
	src->rawfull = tl_jstream_raw_length(src->js);
	if (tl_jstream_failed(src->js)) {
		src->failed = src->fatal = 1;
		return -1;
	}
	src->records++;
	src->pos_doc = 1;
	return rc;
}

/* The trade parsed in src->doc of strategy name[0..n) (NULL: its own
 * field) as an outcome and then its decision, or an open trade counted.
 * Returns 0, or -1 with err. */
static int
trade(struct tl_source *src, const char *name, size_t n, struct tl_err *err)
{
	int rc;

	tl_buf_reset(&src->pend[0].text);
	tl_buf_reset(&src->pend[1].text);
	if ((rc = tl_ft_trade(&src->doc, &src->doc.v[0], name, n,
	    &src->pend[1].text, &src->pend[0].text, err)) == -1)
		return -1;
	if (rc == 0) {
		src->open++;
		return 0;
	}
	/* a backtest's trade of a strategy that trades live (or any, as
	 * asked): its simulated trades would join the live ones */
	if (name != NULL && (src->o->bt_trades == TL_BT_NONE ||
	    (src->o->bt_trades == TL_BT_LIVE && src->o->live != NULL &&
	    tl_map_get(src->o->live, name, n) != NULL))) {
		src->left_out++;
		return 0;
	}
	for (rc = 0; rc < 2; rc++) {
		src->pend[rc].ptr = src->pend[rc].text.data;
		src->pend[rc].len = src->pend[rc].text.len;
		src->pend[rc].capital = 0;
		src->pend[rc].why = why_trade;
	}
	src->pend[0].kind = TL_KIND_OUTCOME;
	src->pend[1].kind = TL_KIND_DECISION;
	src->npend = 2;
	return 0;
}

/* One record of a backtest export: a trade (a part) or a summary. */
static int
backtest(struct tl_source *src, const char *text, size_t len,
    struct tl_err *err)
{
	const char *name;
	double capital;
	size_t n;

	name = tl_jstream_star(src->js, 0, &n);
	src->ekind = tl_jstream_kind(src->js) == TL_JREC_PART ?
	    TL_KIND_OUTCOME : TL_KIND_RUN;
	src->ewhy = src->ekind == TL_KIND_OUTCOME ? why_trade : why_summary;
	if (parse(src, text, len, err) == -1)
		return -1;
	switch (tl_jstream_kind(src->js)) {
	case TL_JREC_PART:
		return trade(src, name, n, err);
	case TL_JREC_REST:
		tl_buf_reset(&src->mapped);
		if (tl_ft_summary(&src->doc, &src->doc.v[0], name, n,
		    &src->mapped, &capital, err) == -1)
			return -1;
		pend(src, src->mapped.data, src->mapped.len, TL_KIND_RUN,
		    why_summary, capital);
		tl_buf_reset(&src->pend[src->npend - 1].strategy);
		tl_buf_add(&src->pend[src->npend - 1].strategy, name, n);
		return 0;
	default:
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "strategy "
		    "'%.*s' has no array 'trades' (not a freqtrade backtest "
		    "export?)", (int)(n < 64 ? n : 64), name);
	}
}

/* One hyperopt epoch (a line). */
static int
epoch(struct tl_source *src, const char *text, size_t len,
    struct tl_err *err)
{
	src->ekind = TL_KIND_RUN;
	src->ewhy = why_epoch;
	if (parse(src, text, len, err) == -1)
		return -1;
	if (tl_ft_epoch_version(&src->doc, &src->doc.v[0], err) == -1) {
		src->failed = src->fatal = 1;
		return -1;
	}
	tl_buf_reset(&src->mapped);
	if (tl_ft_epoch(&src->doc, &src->doc.v[0], src->stem, src->line,
	    &src->mapped, err) == -1)
		return -1;
	pend(src, src->mapped.data, src->mapped.len, TL_KIND_RUN, why_epoch,
	    0);
	return 0;
}

/* One row of a trade database. */
static int
db_row(struct tl_source *src, const char **text, size_t *len,
    struct tl_err *err)
{
	long long id;
	int rc;

	src->line = 0;
	src->ekind = TL_KIND_OUTCOME;
	src->ewhy = why_trade;
	if ((rc = tl_ftdb_next(src->db, text, len, &id, err)) == 0)
		return 0;
	src->records++;
	src->raw = *text;
	src->rawlen = src->rawfull = *len;
	if (rc == -1) {
		src->raw = "";
		src->rawlen = src->rawfull = 0;
		if (tl_ftdb_failed(src->db))
			src->failed = src->fatal = 1;
		return -1;
	}
	src->row_id = id;
	return 1;
}

/* Read the next source record and make ours of it (queued in pend):
 * 1, 0 at the end, -1 with err (a bad record, or a failure). */
static int
fill(struct tl_source *src, struct tl_err *err)
{
	const char *text;
	size_t len;
	int rc;

	src->npend = src->ipend = 0;
	src->ekind = TL_KIND_NONE;
	src->ewhy = NULL;
	if (src->map != NULL)
		src->ewhy = tl_mapfile_name(src->map);
	switch (src->fmt) {
	case TL_SRC_JSONL:
	case TL_SRC_CSV:
		if ((rc = next_line(src, &text, &len, err)) != 1)
			return rc;
		if (src->map != NULL)
			return map_record(src, text, len, err) == -1 ? -1 : 1;
		borrow(src, text, len);
		return 1;
	case TL_SRC_JSON:
		if ((rc = next_doc(src, &text, &len, err)) != 1)
			return rc;
		if (inject(src, &text, &len, err) == -1)
			return -1;
		if (src->map != NULL)
			return map_record(src, text, len, err) == -1 ? -1 : 1;
		borrow(src, text, len);
		return 1;
	case TL_SRC_FT_BACKTEST:
		if ((rc = next_doc(src, &text, &len, err)) != 1)
			return rc;
		return backtest(src, text, len, err) == -1 ? -1 : 1;
	case TL_SRC_FT_HYPEROPT:
		if ((rc = next_line(src, &text, &len, err)) != 1)
			return rc;
		return epoch(src, text, len, err) == -1 ? -1 : 1;
	case TL_SRC_FT_DB:
		if ((rc = db_row(src, &text, &len, err)) != 1)
			return rc;
		if (parse(src, text, len, err) == -1)
			return -1;
		return trade(src, NULL, 0, err) == -1 ? -1 : 1;
	default:
		return 0;
	}
}

int
tl_source_next(struct tl_source *src, struct tl_item *it,
    struct tl_err *err)
{
	struct pending *p;
	int rc;

	memset(it, 0, sizeof(*it));
	tl_err_clear(err);
	while (src->ipend == src->npend) {
		if (src->failed)
			return 0;
		src->pos_doc = 0;
		src->row_id = -1;
		if ((rc = fill(src, err)) == 0) {
			if (src->db != NULL) {
				src->open += tl_ftdb_open_trades(src->db);
				src->records += tl_ftdb_open_trades(src->db);
				tl_ftdb_free(src->db);	/* read: let go */
				src->db = NULL;
			}
			return 0;
		}
		if (rc == -1)
			return bad(src, it, err);
	}
	p = &src->pend[src->ipend++];
	it->text = p->ptr;
	it->len = p->len;
	it->kind = p->kind;
	it->why = p->why;
	it->capital = p->capital;
	it->strategy = p->strategy.data;
	it->slen = p->capital > 0 ? p->strategy.len : 0;
	it->name = src->name;
	it->line = src->line;
	it->group = src->ipend < src->npend;
	return 1;
}

const char *
tl_source_pos(struct tl_source *src)
{
	tl_buf_reset(&src->pos);
	tl_buf_addc(&src->pos, '\0');
	src->pos.len = 0;
	if (src->pos_doc)
		tl_buf_printf(&src->pos, "%s (offset %llu): ",
		    tl_jstream_pointer(src->js),
		    (unsigned long long)tl_jstream_offset(src->js));
	else if (src->row_id != -1)
		tl_buf_printf(&src->pos, "trade id %lld: ", src->row_id);
	return src->pos.data;
}

void
tl_source_drop_group(struct tl_source *src)
{
	src->ipend = src->npend;
}

const char *
tl_source_raw(const struct tl_source *src, size_t *len, size_t *full)
{
	*len = src->rawlen;
	*full = src->rawfull > src->rawlen ? src->rawfull : src->rawlen;
	return src->raw != NULL ? src->raw : "";
}

int
tl_source_failed(const struct tl_source *src)
{
	return src->failed;
}

int
tl_source_fatal(const struct tl_source *src)
{
	return src->fatal;
}

enum tl_src_fmt
tl_source_fmt(const struct tl_source *src)
{
	return src->fmt;
}

const char *
tl_source_map(const struct tl_source *src)
{
	return src->map != NULL ? tl_mapfile_name(src->map) : NULL;
}

size_t
tl_source_records(const struct tl_source *src)
{
	return src->records;
}

size_t
tl_source_open_trades(const struct tl_source *src)
{
	return src->open;
}

size_t
tl_source_left_out(const struct tl_source *src)
{
	return src->left_out;
}
