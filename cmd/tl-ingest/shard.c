/*
 * tl-ingest: shards.  Stage two is a function of the sequence of what
 * stage one made of each record, in the order of the input; so a book too
 * big for one host is ingested in parts: --shard runs stage one over some
 * of the files and writes what it made, each item with its file and line,
 * and --merge reads every shard, puts their files back into the order
 * the whole ingest would read them (walk_cmp()), and runs stage two on
 * that sequence: the outputs are those of one run over all the files,
 * byte for byte, whatever the order of the shards.
 *
 * A shard is one JSON Lines file, DIR/shard.jsonl (tl-ingest(1),
 * SHARDS): a header {"format":"tl-ingest-shard","version":1,
 * "stage_one":{...}} with the options that acted in stage one; then per
 * file a start line {"file":PATH,"kind":K,"rule":R}, its items, and an end
 * line {"end":"file","format":F,...counts}; then {"end":"shard",...}.
 * An item is a record stage one accepted, {"l":LINE,"k":KIND,...,"n":N,
 * "c":CANONICAL}, with its canonical text as the N bytes before the
 * line's last '}' (so they are taken as they are, not re-encoded), or
 * one it set aside ("st":"reject") or found after --until ("st":"later").
 * A shard's files are in merge order, so the merge holds one file of
 * each shard at a time: a k-way merge of lines.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "tl_err.h"
#include "tl_json.h"
#include "tl_jv.h"
#include "tl_kind.h"
#include "tl_map.h"
#include "tl_mapfile.h"
#include "tl_num.h"
#include "tl_out.h"
#include "tl_progress.h"
#include "tl_reader.h"
#include "tl_source.h"
#include "tl_time.h"
#include "tl_util.h"

#include "ingest.h"

#define SHARD_FILE	"shard.jsonl"	/* in the shard directory */

static const struct tl_format shard_format = { "tl-ingest-shard", 1, 1 };

/* What a shard being written holds besides its file. */
struct shard {
	struct tl_out	*out;		/* DIR/shard.jsonl */
	struct tl_buf	 b;		/* the line being written */
	const char	*path;		/* the shard file (new) */
	const char	*file;		/* the input being written, or NULL */
	const char	*rule;		/* its file's rule (borrowed) */
	uint64_t	 hash;		/* of its item lines, so far */
	unsigned long	 files, items, rejects, later;	/* written */
};

#define FNV_PRIME	0x100000001b3ULL	/* 64-bit FNV (Fowler, Noll,
						 * Vo): mixes a step in */

/* The hash of a file's item lines (without their newline), one after
 * the other: what its end line says, checked by the merge. */
static uint64_t
chain(uint64_t h, const char *line, size_t n)
{
	return (h ^ tl_hash64(line, n)) * FNV_PRIME;
}

/* --- the order ------------------------------------------------------ */

/* The order in which the whole ingest reads files: those whose name says
 * they hold signals first (main.c, signals_first()), then as the walk
 * (tl_walk) visits them: path component by component, each in byte
 * order, so that a directory's files come before a sibling whose name
 * sorts after the directory's ("a/z" before "a.b", where strcmp() of the
 * whole paths says otherwise). */
int
walk_cmp(const char *a, const char *b)
{
	const char *word;
	size_t n, la, lb;
	int sa, sb, c;

	sa = tl_kind_of_name(a, &word, &n) == TL_KIND_SIGNAL;
	sb = tl_kind_of_name(b, &word, &n) == TL_KIND_SIGNAL;
	if (sa != sb)
		return sb - sa;
	for (;;) {
		la = strcspn(a, "/");
		lb = strcspn(b, "/");
		if ((c = memcmp(a, b, la < lb ? la : lb)) != 0)
			return c;
		if (la != lb)
			return la < lb ? -1 : 1;
		if (a[la] == '\0' || b[lb] == '\0')
			return (a[la] != '\0') - (b[lb] != '\0');
		a += la + 1;
		b += lb + 1;
	}
}

/* --- writing -------------------------------------------------------- */

static void
add_key(struct tl_buf *b, const char *key)
{
	tl_jv_append_key(b, key, strlen(key));
}

static void
add_num(struct tl_buf *b, const char *key, unsigned long long x)
{
	add_key(b, key);
	tl_buf_printf(b, "%llu", x);
}

/* The line in b, ended, to the shard. */
static int
put_line(struct shard *sh, struct tl_err *err)
{
	tl_buf_addc(&sh->b, '\n');
	return tl_out_raw(sh->out, sh->b.data, sh->b.len, err);
}

/* An item line in b, ended, to the shard. */
static int
put_item(struct shard *sh, struct tl_err *err)
{
	sh->hash = chain(sh->hash, sh->b.data, sh->b.len);
	tl_buf_addc(&sh->b, '\n');
	return tl_out_raw(sh->out, sh->b.data, sh->b.len, err);
}

/* A string option: its value, or null when not given. */
static void
add_opt(struct tl_buf *b, const char *key, const char *s)
{
	add_key(b, key);
	if (s == NULL)
		tl_buf_adds(b, "null");
	else
		tl_jv_append_string(b, s, strlen(s));
}

/* Options given as a list, as a JSON array. */
static void
add_list(struct tl_buf *b, const char *key, const char *const *a,
    const char *const *pair, size_t n)
{
	size_t i;

	add_key(b, key);
	tl_buf_addc(b, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			tl_buf_addc(b, ',');
		tl_jv_append_string(b, a[i], strlen(a[i]));
		if (pair == NULL)
			continue;
		tl_buf_addc(b, ',');
		tl_jv_append_string(b, pair[i], strlen(pair[i]));
	}
	tl_buf_addc(b, ']');
}

/* The options that acted in stage one, as the header's "stage_one": the
 * merge refuses shards written with others. */
static void
add_stage_one(struct tl_buf *b, const struct opts *o)
{
	tl_buf_adds(b, "{\"until\":");
	if (o->until == INT64_MAX)
		tl_buf_adds(b, "null");
	else
		tl_buf_printf(b, "%lld", (long long)o->until);
	add_opt(b, "aliases", o->aliases);
	add_opt(b, "kind", o->kind != TL_KIND_NONE ? tl_kind_names[o->kind] :
	    NULL);
	add_opt(b, "input_format", o->ifmt >= 0 ? tl_src_names[o->ifmt] :
	    NULL);
	add_opt(b, "from", tl_from_names[o->from]);
	add_list(b, "map", o->map_to, o->map_from, o->nmaps);
	add_list(b, "map_file", o->map_files, NULL, o->nmap_files);
	add_num(b, "max_record", o->max_record);
	add_opt(b, "path", o->path);
	add_opt(b, "path_as", o->path_as);
	tl_buf_addc(b, '}');
}

int
shard_open(struct state *s, const char *dir, struct tl_err *err)
{
	struct shard *sh;
	char *path;

	if (mkdir(dir, 0777) == -1 && errno != EEXIST)
		return tl_err_set(err, TL_EX_CANTCREAT, dir, 0,
		    "cannot create directory: %s", strerror(errno));
	path = tl_xmalloc(strlen(dir) + sizeof(SHARD_FILE) + 1);
	sprintf(path, "%s/%s", dir, SHARD_FILE);
	sh = s->shard = tl_xcalloc(1, sizeof(*sh));
	sh->path = path;
	tl_buf_init(&sh->b);
	if ((sh->out = tl_out_open(path, TL_FMT_JSONL, err)) == NULL)
		return -1;
	tl_buf_printf(&sh->b, "{\"format\":\"%s\",\"version\":%d,"
	    "\"stage_one\":", shard_format.name, shard_format.newest);
	add_stage_one(&sh->b, s->o);
	tl_buf_addc(&sh->b, '}');
	return put_line(sh, err);
}

const char *
shard_tmp_path(const struct state *s)
{
	return s->shard != NULL ? tl_out_tmp_path(s->shard->out) : NULL;
}

int
shard_file(struct state *s, const char *path, const struct file_kind *fk,
    struct tl_err *err)
{
	struct shard *sh = s->shard;

	if (sh->file == path)	/* its records go on in another batch */
		return 0;
	sh->file = path;
	sh->rule = fk->kind != TL_KIND_NONE ? fk->why : "";
	sh->hash = 0;
	sh->files++;
	tl_buf_reset(&sh->b);
	tl_buf_addc(&sh->b, '{');
	tl_jv_append_member(&sh->b, "file", path, strlen(path));
	tl_jv_append_member(&sh->b, "kind", tl_kind_names[fk->kind],
	    strlen(tl_kind_names[fk->kind]));
	tl_jv_append_member(&sh->b, "rule", sh->rule, strlen(sh->rule));
	tl_buf_addc(&sh->b, '}');
	return put_line(sh, err);
}

/* A file skipped: what the warning said, for the merge to say it where
 * the whole ingest does. */
int
shard_warning(struct state *s, const char *path, const char *skip,
    struct tl_err *err)
{
	struct shard *sh = s->shard;

	tl_buf_reset(&sh->b);
	tl_buf_adds(&sh->b, "{\"skipped\":");
	tl_jv_append_string(&sh->b, skip, strlen(skip));
	tl_buf_addc(&sh->b, '}');
	(void)path;
	return put_item(sh, err);
}

int
shard_file_end(struct state *s, const struct file_count *fc,
    struct tl_err *err)
{
	struct shard *sh = s->shard;

	sh->file = NULL;
	tl_buf_reset(&sh->b);
	tl_buf_adds(&sh->b, "{\"end\":\"file\"");
	tl_jv_append_member(&sh->b, "format", tl_src_names[fc->fmt],
	    strlen(tl_src_names[fc->fmt]));
	if (fc->map != NULL)
		tl_jv_append_member(&sh->b, "map", fc->map, strlen(fc->map));
	add_num(&sh->b, "records", fc->records);
	add_num(&sh->b, "open", fc->open);
	add_num(&sh->b, "left_out", fc->left_out);
	tl_buf_printf(&sh->b, ",\"hash\":\"%016llx\"}",
	    (unsigned long long)sh->hash);
	return put_line(sh, err);
}

/* A raw text as a reject keeps it (outputs.c, reject()). */
static void
add_raw(struct tl_buf *b, const char *raw, size_t n, size_t full)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	if (tl_utf8_valid(raw, n))
		tl_jv_append_member(b, "raw", raw, n);
	else {
		add_key(b, "raw_hex");
		tl_buf_addc(b, '"');
		for (i = 0; i < n; i++) {
			tl_buf_addc(b, hex[(unsigned char)raw[i] >> 4]);
			tl_buf_addc(b, hex[(unsigned char)raw[i] & 15]);
		}
		tl_buf_addc(b, '"');
	}
	if (full > n)
		add_num(b, "raw_length", full);
}

/* --memory: an item of our own shard, collected as the merge's first
 * pass would collect it when reading it back (take_item()), in the same
 * order: its facts from stage one, else from its text. */
static void
collect_item(struct state *s, const struct sitem *it)
{
	struct facts fx;

	if (it->fx == NULL) {
		tl_jdoc_parse_own(&s->fdoc, it->canon, it->clen);
		facts_of(&s->tbuf, it->k, &s->fdoc, it->canon, it->clen, &fx);
	}
	oracle_collect(s->collect, it->k, it->fx != NULL ? it->fx : &fx,
	    it->canon, it->clen, it->group);
}

int
shard_item(struct state *s, const struct sitem *it, struct tl_err *err)
{
	struct shard *sh = s->shard;
	struct tl_buf *b = &sh->b;
	char num[TL_NUM_BUFSZ];

	sh->items++;
	tl_buf_reset(b);
	tl_buf_addc(b, '{');
	add_num(b, "l", it->line);
	tl_jv_append_member(b, "k", tl_kind_names[it->k], strlen(tl_kind_names[it->k]));
	/* a rule is read only with a kind (outputs.c, reject()) */
	if (it->k != TL_KIND_NONE && it->rule != NULL &&
	    strcmp(it->rule, sh->rule) != 0)
		tl_jv_append_member(b, "rule", it->rule, strlen(it->rule));
	if (it->renamed)
		add_num(b, "renamed", 1);
	if (it->pos != NULL && *it->pos != '\0')
		tl_jv_append_member(b, "p", it->pos, strlen(it->pos));
	if (it->group)
		add_num(b, "g", 1);
	if (it->cstrat != NULL) {
		add_key(b, "cap");
		tl_buf_addc(b, '[');
		tl_jv_append_string(b, it->cstrat, it->cslen);
		tl_fmt_double(num, it->capital);
		tl_buf_printf(b, ",%s]", num);
	}
	if (it->st == SH_REJECT) {
		sh->rejects++;
		tl_jv_append_member(b, "st", "reject", 6);
		add_num(b, "code", (unsigned long long)it->why->code);
		tl_jv_append_member(b, "where", it->why->where, strlen(it->why->where));
		tl_jv_append_member(b, "why", it->why->msg, strlen(it->why->msg));
		add_raw(b, it->raw, it->rawlen, it->rawfull);
		tl_buf_addc(b, '}');
		return put_item(sh, err);
	}
	if (it->st == SH_LATER) {
		sh->later++;
		tl_jv_append_member(b, "st", "later", 5);
	} else if (it->rawlen != it->clen || it->rawfull > it->rawlen ||
	    memcmp(it->raw, it->canon, it->clen) != 0)
		add_raw(b, it->raw, it->rawlen, it->rawfull);
	add_num(b, "n", it->clen);
	add_key(b, "c");
	tl_buf_add(b, it->canon, it->clen);
	tl_buf_addc(b, '}');
	if (s->collect != NULL && it->st == SH_OK)
		collect_item(s, it);
	return put_item(sh, err);
}

/* The trailer, with the positions of fills maps still open. */
static int
shard_trailer(struct state *s, struct tl_err *err)
{
	struct shard *sh = s->shard;
	const char *name;
	size_t i;

	tl_buf_reset(&sh->b);
	tl_buf_adds(&sh->b, "{\"end\":\"shard\"");
	add_num(&sh->b, "files", sh->files);
	add_num(&sh->b, "items", sh->items);
	add_key(&sh->b, "open");
	tl_buf_addc(&sh->b, '{');
	for (i = 0; i < s->srcopts.nmaps; i++) {
		name = tl_mapfile_name(s->maps[i]);
		add_num(&sh->b, name, tl_mapfile_open_positions(s->maps[i]));
	}
	tl_buf_adds(&sh->b, "}}");
	return put_line(sh, err);
}

int
shard_close(struct state *s, int rc, struct tl_err *err)
{
	struct shard *sh = s->shard;

	if (sh == NULL)
		return rc;
	if (rc == 0 && sh->out != NULL)
		rc = shard_trailer(s, err);
	if (rc == 0 && sh->out != NULL)
		rc = tl_out_close(sh->out, err);
	else
		tl_out_abort(sh->out);
	if (rc == 0 && !s->o->quiet && !s->spill)
		tl_msg("shard %s: %lu file%s, %lu record%s (%lu set aside, "
		    "%lu after --until)", sh->path, sh->files, sh->files == 1 ?
		    "" : "s", sh->items, sh->items == 1 ? "" : "s",
		    sh->rejects, sh->later);
	tl_buf_release(&sh->b);
	free((char *)sh->path);
	free(sh);
	s->shard = NULL;
	return rc;
}

/* --- merging -------------------------------------------------------- */

/* A shard being read. */
struct shin {
	char		*path;		/* its file (new) */
	struct tl_reader *rd;
	const char	*line;		/* the line last read (borrowed) */
	size_t		 len;
	unsigned long	 lineno;
	char		*file;		/* its next input's path (new), or
					 * NULL once its end line is read */
	char		*rule;		/* that file's rule (new) */
	uint64_t	 hash;		/* of that file's item lines so far */
	unsigned long	 files, items;	/* read */
	json_t		*stage_one;	/* its header's */
};

/* The merge. */
struct merge {
	struct state	*s;
	struct shin	*in;
	size_t		 n;
	struct tl_jdoc	 d;		/* a shard line, parsed */
	struct tl_buf	 raw;		/* an item's raw text */
	struct tl_buf	 canon;		/* its canonical text */
	struct tl_buf	 head;		/* an item line without its record */
	struct tl_buf	 idx;		/* the top level of a decision or an
					 * outcome (tl_jv_index), for join.c */
	long		 nidx;		/* its members, or -1: none */
	const char	*rawat;		/* the line's "raw" string, quoted,
					 * left out of d; or NULL */
	size_t		 rawn;
	struct tl_jdoc	 rd;		/* it parsed, for a reject */
	int		 dropping;	/* the rest of a group is dropped */
	struct tl_map	*open;		/* map name -> open positions */
	struct oracle	*collect;	/* the first pass of oracle.c: what
					 * it needs of each record, no more */
	uint64_t	 nitem;		/* records of stage two so far */
};

/* What stage two reads of a canonical record of each kind without
 * checking (stage_two.c, join.c, dataset.c): the merge checks it is
 * there, so that a damaged shard is an error, not a crash. */
static const struct need {
	enum tl_kind	 k;
	const char	*field;		/* "metrics.roi": in metrics */
	enum tl_jt	 type;		/* TL_JNULL: any */
	int		 time;		/* an RFC 3339 time (facts_of()) */
} needs[] = {
	{ TL_KIND_DECISION, "id", TL_JSTR, 0 },
	{ TL_KIND_OUTCOME, "id", TL_JSTR, 0 },
	{ TL_KIND_OUTCOME, "strategy", TL_JSTR, 0 },
	{ TL_KIND_OUTCOME, "exit_ts", TL_JSTR, 1 },
	{ TL_KIND_OUTCOME, "pnl", TL_JNUM, 0 },
	{ TL_KIND_RUN, "id", TL_JSTR, 0 },
	{ TL_KIND_RUN, "strategy", TL_JSTR, 0 },
	{ TL_KIND_RUN, "period", TL_JSTR, 0 },
	{ TL_KIND_RUN, "genome", TL_JOBJ, 0 },
	{ TL_KIND_RUN, "metrics", TL_JOBJ, 0 },
	{ TL_KIND_RUN, "metrics.roi", TL_JNULL, 0 },
	{ TL_KIND_PROMOTION, "strategy", TL_JSTR, 0 },
	{ TL_KIND_PROMOTION, "ts", TL_JSTR, 0 },
	{ TL_KIND_RETIREMENT, "strategy", TL_JSTR, 0 },
	{ TL_KIND_RETIREMENT, "ts", TL_JSTR, 0 },
	{ TL_KIND_SIGNAL, "id", TL_JSTR, 0 },
	{ TL_KIND_SIGNAL_OUTCOME, "signal_id", TL_JSTR, 0 },
	{ TL_KIND_SIGNAL_OUTCOME, "horizon", TL_JNULL, 0 },
	{ TL_KIND_COUNTERFACTUAL, "id", TL_JSTR, 0 },
	{ TL_KIND_COUNTERFACTUAL, "signal_id", TL_JSTR, 0 }
};

/* The field of needs[i] missing from c (a canonical record of kind k),
 * or NULL. */
static const char *
missing(const struct tl_jdoc *c, enum tl_kind k)
{
	const struct tl_jv *v;
	const char *dot;
	char head[32];
	size_t i;
	int64_t ms;

	if (k <= TL_KIND_NONE || k >= TL_KIND_N || c->v[0].type != TL_JOBJ)
		return "an object of a kind";
	for (i = 0; i < TL_NELEM(needs); i++) {
		if (needs[i].k != k)
			continue;
		v = &c->v[0];
		if ((dot = strchr(needs[i].field, '.')) != NULL) {
			snprintf(head, sizeof(head), "%.*s",
			    (int)(dot - needs[i].field), needs[i].field);
			v = tl_jv_get(c, v, head);
		}
		if (v != NULL)
			v = tl_jv_get(c, v, dot != NULL ? dot + 1 :
			    needs[i].field);
		if (v == NULL || (needs[i].type != TL_JNULL &&
		    v->type != needs[i].type))
			return needs[i].field;
		if (needs[i].time && tl_time_parse(v->s, v->len, &ms) == -1)
			return needs[i].field;
	}
	return NULL;
}

/* A shard line that is not what the format says. */
static int
bad_line(const struct shin *in, const char *what, struct tl_err *err)
{
	return tl_err_set(err, TL_EX_DATAERR, in->path, in->lineno,
	    "damaged shard: %s", what);
}

/* The first k[0..kn) in p[0..n), or NULL (memmem() is not POSIX). */
static const char *
find(const char *p, size_t n, const char *k, size_t kn)
{
	const char *e = p + n;

	while ((size_t)(e - p) >= kn &&
	    (p = memchr(p, k[0], (size_t)(e - p) - kn + 1)) != NULL) {
		if (memcmp(p, k, kn) == 0)
			return p;
		p++;
	}
	return NULL;
}

/* The closing quote of the JSON string whose text starts at p, before
 * end, or NULL. */
static const char *
string_end(const char *p, const char *end)
{
	const char *q;
	size_t bs;

	while ((q = memchr(p, '"', (size_t)(end - p))) != NULL) {
		for (bs = 0; q - bs > p && q[-1 - (ptrdiff_t)bs] == '\\'; bs++)
			;
		if (bs % 2 == 0)	/* not escaped */
			return q;
		p = q + 1;
	}
	return NULL;
}

/* A shard line into m->d.  An item's canonical record is its last
 * member, "c" (item_canon() takes it from the line and parses it): its
 * other members are parsed alone, the line up to ,"c":{ closed by a
 * brace.  The first ,"c":{ is the item's own: no string holds an
 * unescaped quote, and no member before it an object.  Its raw text,
 * wanted only by a reject, is left out too (m->rawat, parsed by
 * item_raw()): an outcome's is longer than its other members and full
 * of escapes.  A damaged one in an item not rejected is found by the
 * file's hash.  Other lines are parsed whole. */
static int
parse_line(struct merge *m, const struct shin *in, struct tl_err *err)
{
	static const char key[] = ",\"c\":{", rawkey[] = ",\"raw\":\"";
	const char *c, *r, *e = NULL;

	m->rawat = NULL;
	c = in->len > 0 && in->line[in->len - 1] == '}' ? find(in->line,
	    in->len, key, sizeof(key) - 1) : NULL;
	if (c == NULL)
		return tl_jdoc_parse(&m->d, in->line, in->len, in->path,
		    in->lineno, err);
	r = find(in->line, (size_t)(c - in->line), rawkey, sizeof(rawkey) - 1);
	if (r != NULL)
		e = string_end(r + sizeof(rawkey) - 1, c);
	tl_buf_reset(&m->head);
	if (e != NULL) {
		m->rawat = r + sizeof(rawkey) - 2;
		m->rawn = (size_t)(e + 1 - m->rawat);
		tl_buf_add(&m->head, in->line, (size_t)(r - in->line));
		tl_buf_add(&m->head, e + 1, (size_t)(c - (e + 1)));
	} else
		tl_buf_add(&m->head, in->line, (size_t)(c - in->line));
	tl_buf_addc(&m->head, '}');
	return tl_jdoc_parse(&m->d, m->head.data, m->head.len, in->path,
	    in->lineno, err);
}

/* The next line of in, parsed into m->d.  Returns 1, 0 at the end, or
 * -1 with err set. */
static int
next_line(struct merge *m, struct shin *in, struct tl_err *err)
{
	int rc;

	if ((rc = tl_reader_getline(in->rd, &in->line, &in->len, err)) <= 0)
		return rc;
	in->lineno++;
	if (!tl_reader_had_newline(in->rd))	/* every line has one */
		return tl_err_set(err, TL_EX_DATAERR, in->path, in->lineno,
		    "truncated shard: its last line is cut short");
	if (parse_line(m, in, err) == -1)
		return -1;
	if (m->d.v[0].type != TL_JOBJ)
		return bad_line(in, "a line that is not an object", err);
	return 1;
}

static const struct tl_jv *
member(const struct merge *m, const char *key, enum tl_jt t)
{
	const struct tl_jv *v = tl_jv_get(&m->d, &m->d.v[0], key);

	return v != NULL && v->type == t ? v : NULL;
}

/* Is string member key s? */
static int
member_is(const struct merge *m, const char *key, const char *s)
{
	const struct tl_jv *v = member(m, key, TL_JSTR);

	return v != NULL && v->len == strlen(s) && memcmp(v->s, s, v->len)
	    == 0;
}

/* A string member as a new string, or NULL. */
static char *
member_str(const struct merge *m, const char *key)
{
	const struct tl_jv *v = member(m, key, TL_JSTR);

	if (v == NULL || memchr(v->s, '\0', v->len) != NULL)
		return NULL;
	return tl_xstrndup(v->s, v->len);
}

/* A count member: a whole number >= 0, or -1. */
static double
member_count(const struct merge *m, const char *key)
{
	const struct tl_jv *v = member(m, key, TL_JNUM);

	return v != NULL && v->num >= 0 && v->num <= 9e15 &&
	    v->num == (double)(unsigned long long)v->num ? v->num : -1;
}

/* The index of string member key in names[0..n), or -1. */
static int
member_word(const struct merge *m, const char *key,
    const char *const *names, int n)
{
	const struct tl_jv *v = member(m, key, TL_JSTR);
	int i;

	for (i = 0; v != NULL && i < n; i++)
		if (strlen(names[i]) == v->len &&
		    memcmp(names[i], v->s, v->len) == 0)
			return i;
	return -1;
}

/* A file's path as messages name it: standard input is "<stdin>" (only
 * in --memory's own shard: --shard refuses it).  Takes path (new). */
static char *
file_name(char *path)
{
	char *name;

	if (path == NULL || strcmp(path, "-") != 0)
		return path;
	name = tl_xstrdup(tl_input_name(path));
	free(path);
	return name;
}

/* Read in's next file start, or its end line (in->file NULL then).
 * Returns 0, or -1 with err set. */
static int
next_file(struct merge *m, struct shin *in, struct tl_err *err)
{
	const struct tl_jv *o, *v;
	uintptr_t *slot;
	char *prev = in->file;
	int rc, added;

	in->file = NULL;
	free(in->rule);
	in->rule = NULL;
	in->hash = 0;
	if ((rc = next_line(m, in, err)) == 0)
		rc = tl_err_set(err, TL_EX_DATAERR, in->path, 0, "truncated "
		    "shard: no end line after %lu file%s", in->files,
		    in->files == 1 ? "" : "s");
	if (rc == -1)
		goto out;
	rc = 0;
	if (member_is(m, "end", "shard")) {
		if (member_count(m, "files") != (double)in->files ||
		    member_count(m, "items") != (double)in->items ||
		    (o = member(m, "open", TL_JOBJ)) == NULL) {
			rc = bad_line(in, "its end line says other counts "
			    "than those read", err);
			goto out;
		}
		for (v = tl_jv_child(&m->d, o); v != NULL;
		    v = tl_jv_next(&m->d, o, v)) {
			slot = tl_map_put(m->open, v->key, v->keylen, &added);
			*slot += (uintptr_t)v->num;
		}
		if (next_line(m, in, err) != 0)
			rc = bad_line(in, "a line after its end line", err);
		goto out;
	}
	if ((in->file = file_name(member_str(m, "file"))) == NULL ||
	    (in->rule = member_str(m, "rule")) == NULL ||
	    member_word(m, "kind", tl_kind_names, TL_KIND_N) == -1) {
		rc = bad_line(in, "expected a file's start", err);
		goto out;
	}
	if (prev != NULL && !m->s->spill && walk_cmp(prev, in->file) >= 0)
		rc = tl_err_set(err, TL_EX_DATAERR, in->path, in->lineno,
		    "damaged shard: '%s' is not after '%s' in the order of "
		    "the walk", in->file, prev);
	in->files++;
out:
	free(prev);
	return rc;
}

/* A file's end: counted as count_file() did when it was read, once its
 * items are checked against their hash.  Map names are kept in
 * s->map_names, as the counts borrow them. */
static int
take_file_end(struct merge *m, struct shin *in, struct tl_err *err)
{
	struct state *s = m->s;
	struct file_count fc = { 0 };
	const struct tl_jv *v;
	double r, o, l;
	char hash[17];
	size_t i;
	int f;

	f = member_word(m, "format", tl_src_names, TL_SRC_N);
	r = member_count(m, "records");
	o = member_count(m, "open");
	l = member_count(m, "left_out");
	if (!member_is(m, "end", "file") || f == -1 || r < 0 || o < 0 ||
	    l < 0 || (v = member(m, "hash", TL_JSTR)) == NULL)
		return bad_line(in, "expected a file's end", err);
	snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)in->hash);
	if (v->len != 16 || memcmp(v->s, hash, 16) != 0)
		return bad_line(in, "the items of the file above are not "
		    "those written (hash)", err);
	if (m->collect != NULL)
		return 0;
	fc.fmt = (enum tl_src_fmt)f;
	fc.records = (size_t)r;
	fc.open = (size_t)o;
	fc.left_out = (size_t)l;
	if ((v = member(m, "map", TL_JSTR)) != NULL) {
		for (i = 0; i < s->nmap_names; i++)
			if (strlen(s->map_names[i]) == v->len &&
			    memcmp(s->map_names[i], v->s, v->len) == 0)
				break;
		if (i == s->nmap_names) {
			s->map_names = tl_xreallocarray(s->map_names,
			    ++s->nmap_names, sizeof(*s->map_names));
			s->map_names[i] = tl_xstrndup(v->s, v->len);
		}
		fc.map = s->map_names[i];
	}
	count_file(s, &fc);
	return 0;
}

/* The reason of a reject item into why. */
static int
item_why(const struct merge *m, const struct shin *in, struct tl_err *why,
    struct tl_err *err)
{
	const struct tl_jv *w = member(m, "where", TL_JSTR);
	const struct tl_jv *y = member(m, "why", TL_JSTR);
	double code = member_count(m, "code");

	if (w == NULL || y == NULL || code < 1 || code > 125)
		return bad_line(in, "a reject without its reason", err);
	why->code = (int)code;
	snprintf(why->where, sizeof(why->where), "%.*s", (int)w->len, w->s);
	snprintf(why->msg, sizeof(why->msg), "%.*s", (int)y->len, y->s);
	return 0;
}

static int
hexval(char c)
{
	static const char hex[] = "0123456789abcdef";
	const char *p = c != '\0' ? strchr(hex, c) : NULL;

	return p != NULL ? (int)(p - hex) : -1;
}

/* The raw text of an item into m->raw, from "raw" or "raw_hex", else
 * (not given: the same) its canonical text; *full its whole length. */
static int
item_raw(struct merge *m, const struct shin *in, const char *canon,
    size_t clen, size_t *full, struct tl_err *err)
{
	const struct tl_jv *v;
	double fl;
	size_t i;
	int hi, lo;

	tl_buf_reset(&m->raw);
	if (m->rawat != NULL) {
		if (tl_jdoc_parse(&m->rd, m->rawat, m->rawn, in->path,
		    in->lineno, err) == -1)
			return -1;
		if (m->rd.v[0].type != TL_JSTR)
			return bad_line(in, "raw is not a string", err);
		tl_buf_add(&m->raw, m->rd.v[0].s, m->rd.v[0].len);
	} else if ((v = member(m, "raw", TL_JSTR)) != NULL)
		tl_buf_add(&m->raw, v->s, v->len);
	else if ((v = member(m, "raw_hex", TL_JSTR)) != NULL) {
		for (i = 0; i < v->len; i += 2) {
			hi = hexval(v->s[i]);
			lo = i + 1 < v->len ? hexval(v->s[i + 1]) : -1;
			if (hi < 0 || lo < 0)
				return bad_line(in, "raw_hex is not hex", err);
			tl_buf_addc(&m->raw, (char)(hi << 4 | lo));
		}
	} else if (canon != NULL)
		tl_buf_add(&m->raw, canon, clen);
	else
		return bad_line(in, "a reject without its raw text", err);
	*full = m->raw.len;
	if ((fl = member_count(m, "raw_length")) > (double)m->raw.len)
		*full = (size_t)fl;
	return 0;
}

/* The canonical text of an item: the "n" bytes before its line's last
 * '}', after "c":, copied into m->canon (stage two wants a string: it
 * keeps some with strdup()), parsed into s->fdoc and checked for what
 * stage two reads.  Returns 0, or -1 with err set. */
static int
item_canon(struct merge *m, struct shin *in, enum tl_kind k,
    const char **canon, size_t *clen, struct tl_err *err)
{
	struct state *s = m->s;
	double n = member_count(m, "n");
	const char *what;

	if (n < 2 || n + 6 > (double)in->len || in->line[in->len - 1] != '}')
		return bad_line(in, "an item without its record", err);
	*clen = (size_t)n;
	*canon = in->line + in->len - 1 - *clen;
	if (memcmp(*canon - 4, "\"c\":", 4) != 0 || **canon != '{')
		return bad_line(in, "an item without its record", err);
	tl_buf_reset(&m->canon);
	tl_buf_add(&m->canon, *canon, *clen);
	*canon = m->canon.data;
	/* the decisions and outcomes of our own shard (--memory), most of
	 * it: their top level read off the text, as stage one has them
	 * (read.c, canon_doc()); another's shard's, and the rest, parsed
	 * and checked.  Either way a decision or an outcome keeps its top
	 * level for the join, which then need not parse it again. */
	tl_buf_reset(&m->idx);
	m->nidx = -1;
	if (k != TL_KIND_DECISION && k != TL_KIND_OUTCOME) {
		if (tl_jdoc_parse(&s->fdoc, *canon, *clen, in->path,
		    in->lineno, err) == -1)
			return -1;
	} else if (s->spill && (m->nidx = tl_jv_index_text(*canon, *clen,
	    &m->idx)) >= 0)
		tl_jdoc_from_index(&s->fdoc, *canon, *clen, m->idx.data,
		    (size_t)m->nidx);
	else if (tl_jdoc_parse(&s->fdoc, *canon, *clen, in->path,
	    in->lineno, err) == -1)
		return -1;
	else
		m->nidx = tl_jv_index(&s->fdoc, &m->idx);
	if ((what = missing(&s->fdoc, k)) != NULL)
		return tl_err_set(err, TL_EX_DATAERR, in->path, in->lineno,
		    "damaged shard: an item of kind %s without '%s'", tl_kind_names[k],
		    what);
	return 0;
}

/* Stage two of one item of in's file, as read.c's batch_take() and
 * ingest() do it.  Returns 0, or -1 with err set. */
static int
take_item(struct merge *m, struct shin *in, struct tl_err *err)
{
	struct state *s = m->s;
	const struct tl_jv *cap, *c1, *c2, *p;
	struct tl_err why = { 0 };
	struct facts fx;
	const char *canon = NULL, *rule;
	char *rulebuf = NULL;
	double line = member_count(m, "l");
	size_t full = 0, clen = 0;
	int k, st, h, rc = -1;
	int group = member(m, "g", TL_JNUM) != NULL;
	static const char *const sts[] = { "ok", "reject", "later" };

	in->hash = chain(in->hash, in->line, in->len);
	if ((p = member(m, "skipped", TL_JSTR)) != NULL) {
		if (m->collect == NULL)
			tl_warn("%s: %.*s: skipped", in->file, (int)p->len, p->s);
		return 0;
	}
	k = member_word(m, "k", tl_kind_names, TL_KIND_N);
	st = member(m, "st", TL_JSTR) == NULL ? SH_OK :
	    member_word(m, "st", sts, (int)TL_NELEM(sts));
	if (line < 0 || k == -1 || st == -1)
		return bad_line(in, "expected an item", err);
	in->items++;
	if (st == SH_OK)	/* its number, dropped or not (oracle.c) */
		s->item = m->nitem++;
	if (m->dropping) {	/* the rest of a group rejected */
		m->dropping = group;
		return 0;
	}
	rule = in->rule;
	if (member(m, "rule", TL_JSTR) != NULL &&
	    (rule = rulebuf = member_str(m, "rule")) == NULL)
		return bad_line(in, "a rule with a NUL", err);
	if (st != SH_REJECT && item_canon(m, in, (enum tl_kind)k, &canon,
	    &clen, err) == -1)
		goto out;
	if (m->collect != NULL) {
		if (st == SH_OK) {
			facts_of(&s->tbuf, (enum tl_kind)k, &s->fdoc, canon,
			    clen, &fx);
			oracle_collect(m->collect, (enum tl_kind)k, &fx, canon,
			    clen, group);
		}
		rc = 0;
		goto out;
	}
	if ((cap = member(m, "cap", TL_JARR)) != NULL) {
		if ((c1 = tl_jv_child(&m->d, cap)) == NULL ||
		    c1->type != TL_JSTR ||
		    (c2 = tl_jv_next(&m->d, cap, c1)) == NULL ||
		    c2->type != TL_JNUM) {
			rc = bad_line(in, "'cap' is not [strategy, capital]",
			    err);
			goto out;
		}
		keep_capital(s, c1->s, c1->len, c2->num);
	}
	count_read(s, in->file);
	if (st == SH_LATER) {
		take_later(s, (enum tl_kind)k, canon, clen);
		rc = 0;
		goto out;
	}
	if (st == SH_OK) {
		facts_of(&s->tbuf, (enum tl_kind)k, &s->fdoc, canon, clen, &fx);
		if (m->nidx >= 0) {
			fx.mem = m->idx.data;
			fx.nmem = (size_t)m->nidx;
		}
		h = stage_two(s, (enum tl_kind)k, canon, clen,
		    member(m, "renamed", TL_JNUM) != NULL, &fx, in->file,
		    (unsigned long)line, &why, err);
		if (h != 1) {
			rc = h;
			goto out;
		}
		if ((p = member(m, "p", TL_JSTR)) != NULL)
			tl_err_set(&why, why.code, why.where, 0, "%.*s%s",
			    (int)p->len, p->s, why.msg);
		m->dropping = group;
	} else if (item_why(m, in, &why, err) == -1)
		goto out;
	if (item_raw(m, in, canon, clen, &full, err) == -1)
		goto out;
	rc = reject(s, in->file, (unsigned long)line, (enum tl_kind)k, rule,
	    &why, m->raw.data, m->raw.len, full, err);
out:
	free(rulebuf);
	return rc;
}

/* The shard file of path: DIR/shard.jsonl for a directory, else path.
 * New. */
char *
shard_path(const char *path)
{
	struct stat st;
	size_t n = strlen(path);
	char *p;

	if (stat(path, &st) == -1 || !S_ISDIR(st.st_mode))
		return tl_xstrdup(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	p = tl_xmalloc(n + sizeof(SHARD_FILE) + 1);
	sprintf(p, "%.*s/%s", (int)n, path, SHARD_FILE);
	return p;
}

/* Open the shard at path (a directory holding shard.jsonl, or the file)
 * into in, and read its header and first file's start.  Returns 0, or -1
 * with err set. */
static int
open_shard(struct merge *m, struct shin *in, const char *path,
    struct tl_err *err)
{
	json_t *h;
	int version, rc;

	in->path = shard_path(path);
	if ((in->rd = tl_reader_open(in->path, err)) == NULL)
		return -1;
	if ((rc = tl_reader_getline(in->rd, &in->line, &in->len, err)) == -1)
		return -1;
	in->lineno = 1;
	if ((h = tl_json_load_versioned(in->path, rc == 0 ? "" : in->line,
	    rc == 0 ? 0 : in->len, &shard_format, &version, err)) == NULL)
		return -1;
	in->stage_one = json_incref(json_object_get(h, "stage_one"));
	json_decref(h);
	if (!json_is_object(in->stage_one))
		return tl_err_set(err, TL_EX_DATAERR, in->path, 1,
		    "damaged shard: no stage_one object in its header");
	return next_file(m, in, err);
}

/* Shard b written with other stage-one options than shard a: their
 * merge would be no one ingest. */
static int
same_stage_one(const struct shin *a, const struct shin *b,
    struct tl_err *err)
{
	const char *key;
	json_t *v;

	if (json_equal(a->stage_one, b->stage_one))
		return 0;
	json_object_foreach(a->stage_one, key, v)
		if (!json_equal(v, json_object_get(b->stage_one, key)))
			break;
	return tl_err_set(err, TL_EX_DATAERR, b->path, 0, "written with "
	    "other stage-one options than %s (%s): the shards of one "
	    "ingest are written with the same", a->path, key != NULL ? key :
	    "other names");
}

/* With -u, the shards must have been written with it. */
static int
same_until(const struct state *s, const struct shin *in,
    struct tl_err *err)
{
	json_t *u = json_object_get(in->stage_one, "until");

	if (s->o->until == INT64_MAX || (json_is_integer(u) &&
	    json_integer_value(u) == (json_int_t)s->o->until))
		return 0;
	if (!json_is_integer(u))
		return tl_err_set(err, TL_EX_DATAERR, in->path, 0, "written "
		    "without --until, but --merge was given one: the shards of "
		    "one ingest are written with the --until it checks");
	return tl_err_set(err, TL_EX_DATAERR, in->path, 0, "written with "
	    "another --until than the one given to --merge: the shards of "
	    "one ingest are written with the --until it checks");
}

/* Bytes of the shards read, for the progress. */
static double
shards_mb(const struct merge *m)
{
	long long at, sum = 0;
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->in[i].rd != NULL &&
		    (at = tl_reader_offset(m->in[i].rd)) > 0)
			sum += at;
	return (double)sum / 1e6;
}

/* The first file to take: the shard whose next file comes first in the
 * order of the walk, or n when all are read.  Returns 0, or -1 with err
 * set when two shards hold the same file. */
static int
first_file(const struct merge *m, size_t *best, struct tl_err *err)
{
	size_t i;
	int c;

	*best = m->n;
	for (i = 0; i < m->n; i++) {
		if (m->in[i].file == NULL)
			continue;
		if (*best == m->n || (c = walk_cmp(m->in[i].file,
		    m->in[*best].file)) < 0)
			*best = i;
		else if (c == 0)
			return tl_err_set(err, TL_EX_DATAERR, m->in[i].path, 0,
			    "'%s' is in shard %s too: a file is merged once",
			    m->in[i].file, m->in[*best].path);
	}
	return 0;
}

int
merge_all(struct state *s, char *const *paths, size_t n, size_t *files,
    struct tl_progress *pr, struct oracle *collect, struct tl_err *err)
{
	struct merge m;
	struct shin *in;
	const char *key;
	uintptr_t v;
	size_t i, it, best, kn;
	int rc = 0;

	memset(&m, 0, sizeof(m));
	m.s = s;
	m.collect = collect;
	m.in = tl_xcalloc(n, sizeof(*m.in));
	m.n = n;
	m.open = tl_map_alloc();
	tl_jdoc_init(&m.d);
	tl_buf_init(&m.raw);
	tl_buf_init(&m.canon);
	tl_buf_init(&m.head);
	tl_buf_init(&m.idx);
	tl_jdoc_init(&m.rd);
	for (i = 0; i < n && rc == 0; i++)
		if ((rc = open_shard(&m, &m.in[i], paths[i], err)) == 0 &&
		    (rc = same_until(s, &m.in[i], err)) == 0 && i > 0)
			rc = same_stage_one(&m.in[0], &m.in[i], err);
	if (rc == 0 && json_is_string(json_object_get(m.in[0].stage_one,
	    "aliases")))
		s->aliased = 1;
	/* the k-way merge, a file at a time */
	while (rc == 0 && (rc = first_file(&m, &best, err)) == 0 &&
	    best < n) {
		in = &m.in[best];
		m.dropping = 0;
		while ((rc = next_line(&m, in, err)) == 1 &&
		    member(&m, "end", TL_JSTR) == NULL)
			if ((rc = take_item(&m, in, err)) == -1)
				break;
		if (rc == 0)
			rc = tl_err_set(err, TL_EX_DATAERR, in->path, 0,
			    "truncated shard: '%s' has no end line",
			    in->file);
		if (rc == 1)
			rc = take_file_end(&m, in, err);
		if (rc == 0)
			rc = next_file(&m, in, err);
		tl_progress_set(pr, shards_mb(&m));
	}
	/* the positions fills maps left open, under each map's first
	 * source (read.c, count_open_positions()) */
	for (it = 0; rc == 0 && collect == NULL &&
	    tl_map_next(m.open, &it, &key, &kn, &v);)
		for (i = 0; i < s->nsrcs; i++)
			if (s->srcs[i].map != NULL && strlen(s->srcs[i].map)
			    == kn && memcmp(s->srcs[i].map, key, kn) == 0) {
				s->srcs[i].open += v;
				break;
			}
	*files = 0;
	for (i = 0; i < n; i++) {
		*files += m.in[i].files;
		tl_reader_free(m.in[i].rd);
		free(m.in[i].path);
		free(m.in[i].file);
		free(m.in[i].rule);
		json_decref(m.in[i].stage_one);
	}
	free(m.in);
	tl_map_free(m.open);
	tl_jdoc_release(&m.d);
	tl_buf_release(&m.raw);
	tl_buf_release(&m.canon);
	tl_buf_release(&m.head);
	tl_buf_release(&m.idx);
	tl_jdoc_release(&m.rd);
	return rc == -1 ? -1 : 0;
}
