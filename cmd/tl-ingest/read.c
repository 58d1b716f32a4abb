/*
 * tl-ingest: reading the inputs.  One file at a time through both stages
 * (ingest(), for documents, databases and mapped files), or our line
 * formats read ahead in batches on a thread of their own and normalised
 * by workers (ingest_all()); what each format read is counted.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tl_err.h"
#include "tl_jv.h"
#include "tl_kind.h"
#include "tl_mapfile.h"
#include "tl_par.h"
#include "tl_progress.h"
#include "tl_source.h"
#include "tl_u64map.h"
#include "tl_util.h"
#include "tl_walk.h"

#include "ingest.h"

/* Check, normalise and route one record (JSON text): both stages.
 * Returns 0 (taken, an identical duplicate, or after --until), 1 to
 * reject (why set) or -1 on a fatal output error (err set). */
static int
handle(struct state *s, const struct file_kind *fk, enum tl_kind *kp,
    const char **rule, const char *text, size_t len, const char *name,
    unsigned long line, struct tl_err *why, struct tl_err *err)
{
	struct facts fx;
	int renamed = 0;

	tl_buf_reset(&s->buf);
	switch (normalise(s, &s->doc, &s->buf, NULL, fk, kp, rule, &renamed,
	    text, len, name, line, why)) {
	case 1:
		return 1;
	case 2:
		take_later(s, *kp, s->buf.data, s->buf.len);
		return 0;
	}
	tl_jdoc_parse_own(&s->fdoc, s->buf.data, s->buf.len);
	facts_of(&s->tbuf, *kp, &s->fdoc, s->buf.data, s->buf.len, &fx);
	return stage_two(s, *kp, s->buf.data, s->buf.len, renamed, &fx, name,
	    line, why, err);
}

/* A run's starting balance: kept (returns.c), or with --shard into si
 * under its name after --aliases, for the merge to keep. */
static void
shard_capital(struct state *s, struct sitem *si, const char *name,
    size_t n, double capital)
{
	if (s->shard == NULL) {
		keep_capital(s, name, n, capital);
		return;
	}
	if (s->alias != NULL)
		tl_alias_get(s->alias, name, n, &name, &n);
	si->cstrat = name;
	si->cslen = n;
	si->capital = capital;
}

/* --shard: stage one of one record (JSON text) of src, into the shard
 * with what si holds.  Returns 0, 1 to reject (why set) or -1 on a fatal
 * output error (err set), as handle(). */
static int
shard_handle(struct state *s, struct tl_source *src, const struct tl_item *it,
    const struct file_kind *fk, enum tl_kind *kp, const char **rule,
    struct sitem *si, struct tl_err *why, struct tl_err *err)
{
	size_t n, full;
	int st;

	tl_buf_reset(&s->buf);
	st = normalise(s, &s->doc, &s->buf, NULL, fk, kp, rule, &si->renamed,
	    it->text, it->len, it->name, it->line, why);
	if (st == 1)
		return 1;
	si->st = st == 2 ? SH_LATER : SH_OK;
	si->line = it->line;
	si->k = *kp;
	si->rule = *rule;
	si->canon = s->buf.data;
	si->clen = s->buf.len;
	si->raw = tl_source_raw(src, &n, &full);
	si->rawlen = n;
	si->rawfull = full;
	si->pos = tl_source_pos(src);
	si->group = it->group;
	return shard_item(s, si, err) == -1 ? -1 : 0;
}

/* Set a record aside: with --shard, into the shard with what si holds
 * (reject() does it in the merge). */
static int
put_reject(struct state *s, struct sitem *si, const char *file,
    unsigned long line, enum tl_kind k, const char *rule, struct tl_err *why,
    const char *raw, size_t n, size_t full, struct tl_err *err)
{
	if (s->shard == NULL)
		return reject(s, file, line, k, rule, why, raw, n, full, err);
	si->st = SH_REJECT;
	si->line = line;
	si->k = k;
	si->rule = rule;
	si->why = why;
	si->raw = raw;
	si->rawlen = n;
	si->rawfull = full;
	si->pos = NULL;
	si->group = 0;
	return shard_item(s, si, err);
}

/* Count what a file read under its format and map. */
void
count_file(struct state *s, const struct file_count *fc)
{
	struct source_count *c;
	size_t i;

	for (i = 0; i < s->nsrcs; i++)
		if (s->srcs[i].fmt == fc->fmt &&
		    (s->srcs[i].map == NULL) == (fc->map == NULL) &&
		    (fc->map == NULL || strcmp(s->srcs[i].map, fc->map) == 0))
			break;
	if (i == s->nsrcs) {
		s->srcs = tl_xreallocarray(s->srcs, ++s->nsrcs,
		    sizeof(*s->srcs));
		memset(&s->srcs[i], 0, sizeof(s->srcs[i]));
		s->srcs[i].fmt = fc->fmt;
		s->srcs[i].map = fc->map;
	}
	c = &s->srcs[i];
	c->files++;
	c->records += fc->records;
	c->open += fc->open;
	c->left_out += fc->left_out;
}

/* What src read, at its end. */
static void
file_count_of(struct file_count *fc, const struct tl_source *src)
{
	fc->fmt = tl_source_fmt(src);
	fc->map = tl_source_map(src);
	fc->records = tl_source_records(src);
	fc->open = tl_source_open_trades(src);
	fc->left_out = tl_source_left_out(src);
}

/* Count what src read, and with --shard say it in the shard.  Returns 0,
 * or -1 with err set. */
static int
count_source(struct state *s, const struct tl_source *src,
    struct file_count *fc, struct tl_err *err)
{
	file_count_of(fc, src);
	if (s->shard != NULL)
		return shard_file_end(s, fc, err);
	count_file(s, fc);
	return 0;
}

/* The positions of fills maps still open once every file is read, under
 * the map's first source. */
void
count_open_positions(struct state *s)
{
	size_t i, j;

	for (i = 0; i < s->srcopts.nmaps; i++)
		for (j = 0; j < s->nsrcs; j++)
			if (s->srcs[j].map == tl_mapfile_name(s->maps[i])) {
				s->srcs[j].open += tl_mapfile_open_positions(
				    s->maps[i]);
				break;
			}
}

/* Read one input, opened as src (freed here).  Returns 0, or -1 with err
 * set for a fatal error (an output that cannot be written, a broken
 * document or database).  Bad records and unreadable compressed data are
 * rejects, counted, not fatal. */
static int
ingest(struct state *s, struct tl_source *src, const char *path,
    struct tl_err *err)
{
	struct tl_item it;
	struct tl_err why = { 0 };
	struct file_kind fk, ik;
	struct file_count fc;
	struct sitem si;
	const struct file_kind *use;
	enum tl_kind k;
	const char *raw, *rule, *skip, *pos;
	size_t n, full;
	int rc, h = 0;

	file_kind(&fk, s->o, path);
	if (s->shard != NULL)
		h = shard_file(s, path, &fk, err);
	if ((skip = tl_source_skip(src)) != NULL) {
		if (!s->spill)	/* the merge says it */
			tl_warn("%s: %s: skipped", path, skip);
		if (s->shard != NULL && h == 0)	/* for the merge to say */
			h = shard_warning(s, path, skip, err);
	}
	ik.forced = 1;
	while (h != -1 && (rc = tl_source_next(src, &it, &why)) != 0) {
		if (rc == -1 && tl_source_fatal(src)) {
			*err = why;
			h = -1;
			break;
		}
		count_read(s, it.name);
		use = &fk;
		if (it.kind != TL_KIND_NONE) {	/* the format says */
			ik.kind = it.kind;
			snprintf(ik.why, sizeof(ik.why), "%s", it.why);
			use = &ik;
		}
		k = use->kind;
		rule = use->why;
		memset(&si, 0, sizeof(si));
		if (rc == 1 && it.slen > 0)
			shard_capital(s, &si, it.strategy, it.slen,
			    it.capital);
		if (rc == 1) {
			h = s->shard != NULL ? shard_handle(s, src, &it, use,
			    &k, &rule, &si, &why, err) : handle(s, use, &k,
			    &rule, it.text, it.len, it.name, it.line, &why,
			    err);
			if (h != 1)
				continue;
			if (*(pos = tl_source_pos(src)) != '\0')
				tl_err_set(&why, why.code, why.where, 0, "%s%s",
				    pos, why.msg);
			if (it.group)
				tl_source_drop_group(src);
		}
		raw = tl_source_raw(src, &n, &full);
		h = put_reject(s, &si, it.name, it.line, k, rule, &why, raw, n,
		    full, err);
		if (tl_source_failed(src))
			break;
	}
	if (h != -1 && count_source(s, src, &fc, err) == -1)
		h = -1;
	tl_source_free(src);
	return h == -1 ? -1 : 0;
}

/* The size of the file at path in MB, 0 for standard input or what is
 * not a regular file: what the progress counts. */
double
path_mb(const char *path)
{
	struct stat st;

	if (strcmp(path, "-") == 0 || stat(path, &st) == -1 ||
	    !S_ISREG(st.st_mode))
		return 0;
	return (double)st.st_size / 1e6;
}

/*
 * The inputs are read in batches on a thread of their own, and each
 * batch's records checked and normalised (stage one, normalise()) by up
 * to -T - 1 workers, while the main thread takes the batch before (stage
 * two, stage_two(): de-duplication, joins, outputs) in the order of the
 * input: the outputs are those of one thread, byte for byte.  With -T 1
 * the same is done one batch after the other.  Only our own line formats
 * (JSON Lines, CSV, read without a map) are read ahead; another file ends
 * the batch and is read by ingest() when its turn comes, so that the
 * groups of a document and the positions of a map are handled as they
 * come.  A large file is read ahead in batches as any other.
 */
#define BATCH_BYTES	((size_t)4 << 20)	/* input text of a batch */
#define BATCH_RECS	16384			/* its records at most */
#define BATCH_CHUNKS	8			/* parts normalised apart */
#define PREFETCH_AHEAD	8	/* records whose table slots are fetched
				 * before they are probed: a hint only */

/* What stage one made of a record. */
enum { B_SOURCE = -1, B_OK, B_REJECT, B_LATER };

/* One record of a batch. */
struct brec {
	size_t		 file;		/* index in the batch's files */
	unsigned long	 line;		/* its first line */
	size_t		 text, len;	/* its JSON text in the batch's in */
	size_t		 raw, rawlen, rawfull;	/* its raw text in in */
	int		 st;		/* B_: B_SOURCE: set aside by the
					 * source; why holds the reason */
	enum tl_kind	 k;		/* its kind, when known */
	const char	*rule;		/* the rule that gave it */
	int		 renamed;	/* a strategy was renamed */
	size_t		 chunk;		/* its part (BATCH_CHUNKS: none) */
	size_t		 canon, clen;	/* canonical text in its part's out */
	size_t		 why;		/* its reason in its part's whys */
	struct facts	 fx;		/* its facts, but for the strings: */
	size_t		 joff, soff;	/* jid and strat in its part's out,
					 * or NO_BYTES */
	size_t		 moff;		/* fx.mem in its part's out, or
					 * NO_BYTES */
};

/* A part of a batch, normalised by one worker. */
struct bchunk {
	struct tl_buf	 out;		/* canonical texts */
	struct tl_err	*whys;		/* reasons of rejects */
	size_t		 nwhy, capwhy;
};

/* A file of a batch. */
struct bfile {
	size_t		 path;		/* index in the walk */
	char		*name;		/* for messages (new), or NULL */
	struct file_kind fk;		/* what its name says */
	int		 ends;		/* its last record is in the batch */
	struct file_count fc;		/* what it read, when it ends */
};

/* A worker's scratch. */
struct scratch {
	struct tl_jdoc	 doc;		/* the input record */
	struct tl_buf	 buf;		/* its canonical text */
	struct tl_jdoc	 cdoc;		/* that text, parsed */
	struct tl_buf	 key;		/* its dedup key */
	struct topidx	 ix;		/* its top level, as written */
};

struct reader;

struct batch {
	struct reader	*rd;		/* where reading is */
	struct tl_buf	 in;		/* texts as read */
	struct brec	*r;		/* records */
	size_t		 n, cap;
	struct bfile	*f;		/* their files, in order */
	size_t		 nf, capf;
	struct bchunk	 ch[BATCH_CHUNKS + 1];	/* the last: the source's
					 * reasons */
	struct tl_source *serial;	/* a file for ingest() after the
					 * records, or NULL */
	size_t		 serial_path;	/* its index in the walk */
	int		 fatal;		/* err stops the run after them */
	struct tl_err	 err;
	struct tl_bg	 bg;		/* reading it */
	int		 busy;		/* bg started, not waited for */
	struct tl_par_tasks norm;	/* its parts to normalise */
	pthread_mutex_t	 mu;		/* guards read */
	pthread_cond_t	 cv;		/* read was set */
	int		 read;		/* all read: norm can be joined */
};

/* Where reading is. */
struct reader {
	struct state	*s;		/* options; count_source() */
	const struct tl_walk *w;	/* the inputs */
	size_t		 next;		/* next path to open */
	struct tl_source *src;		/* the file being read, or NULL */
	size_t		 cur;		/* its index */
	int		 done;		/* nothing more to read */
	int		 workers;	/* stage one's threads */
	struct scratch	*sc;		/* one per worker, and the main
					 * thread's (the last) */
};

static size_t
add_why(struct bchunk *c, const struct tl_err *why)
{
	if (c->nwhy == c->capwhy) {
		c->capwhy = c->capwhy ? 2 * c->capwhy : 16;
		c->whys = tl_xreallocarray(c->whys, c->capwhy,
		    sizeof(*c->whys));
	}
	c->whys[c->nwhy] = *why;
	return c->nwhy++;
}

/* Read ahead: our line formats, as they are, without a map. */
static int
line_format(const struct tl_source *src)
{
	return (tl_source_fmt(src) == TL_SRC_JSONL ||
	    tl_source_fmt(src) == TL_SRC_CSV) && tl_source_map(src) == NULL;
}

/* The file being read, as the batch's last. */
static void
batch_file(struct batch *b, const struct reader *rd)
{
	struct bfile *f;

	if (b->nf > 0 && b->f[b->nf - 1].path == rd->cur)
		return;
	if (b->nf == b->capf) {
		b->capf = b->capf ? 2 * b->capf : 16;
		b->f = tl_xreallocarray(b->f, b->capf, sizeof(*b->f));
	}
	f = &b->f[b->nf++];
	f->path = rd->cur;
	f->name = NULL;
	file_kind(&f->fk, rd->s->o, rd->w->paths[rd->cur]);
	f->ends = 0;
}

/* The file being read has ended. */
static void
end_file(struct batch *b, struct reader *rd)
{
	file_count_of(&b->f[b->nf - 1].fc, rd->src);
	tl_source_free(rd->src);
	rd->src = NULL;
	b->f[b->nf - 1].ends = 1;
}

/* The next record of the file being read into b: 1, or 0 at its end.
 * A fatal error sets b->fatal. */
static int
read_record(struct batch *b, struct reader *rd)
{
	struct tl_item it;
	struct tl_err why = { 0 };
	struct brec *r;
	struct bfile *f = &b->f[b->nf - 1];
	const char *raw;
	size_t n, full;
	int rc;

	if ((rc = tl_source_next(rd->src, &it, &why)) == 0 ||
	    (rc == -1 && tl_source_fatal(rd->src))) {
		if (rc == -1) {
			b->err = why;
			b->fatal = 1;
			rd->done = 1;
		}
		end_file(b, rd);
		return 0;
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 1024;
		b->r = tl_xreallocarray(b->r, b->cap, sizeof(*b->r));
	}
	r = &b->r[b->n++];
	memset(r, 0, sizeof(*r));
	r->file = b->nf - 1;
	r->line = it.line;
	if (f->name == NULL)
		f->name = tl_xstrdup(it.name);
	raw = tl_source_raw(rd->src, &n, &full);
	r->st = rc == 1 ? B_OK : B_SOURCE;
	r->chunk = BATCH_CHUNKS;
	if (rc == 1) {
		r->text = b->in.len;
		r->len = it.len;
		tl_buf_add(&b->in, it.text, it.len);
	}
	if (rc == 1 && raw == it.text && n == it.len)
		r->raw = r->text;
	else {
		r->raw = b->in.len;
		tl_buf_add(&b->in, raw, n);
	}
	r->rawlen = n;
	r->rawfull = full;
	if (rc == -1) {
		r->why = add_why(&b->ch[BATCH_CHUNKS], &why);
		if (tl_source_failed(rd->src))
			end_file(b, rd);
	}
	return 1;
}

/* Empty b for the next batch. */
static void
batch_reset(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->nf; i++)
		free(b->f[i].name);
	for (i = 0; i <= BATCH_CHUNKS; i++) {
		tl_buf_reset(&b->ch[i].out);
		b->ch[i].nwhy = 0;
	}
	tl_buf_reset(&b->in);
	b->n = b->nf = 0;
	b->serial = NULL;
	b->fatal = 0;
}

#define NO_BYTES	SIZE_MAX	/* keep_bytes() of NULL */

/* Append p[0..n) to b: its offset, or NO_BYTES for p NULL. */
static size_t
keep_bytes(struct tl_buf *b, const char *p, size_t n)
{
	size_t at = b->len;

	if (p == NULL)
		return NO_BYTES;
	tl_buf_add(b, p, n);
	return at;
}

/* The bytes at offset off of base, or NULL. */
static const char *
kept(const char *base, size_t off)
{
	return off == NO_BYTES ? NULL : base + off;
}

/* r's facts into fx, its strings and top level from base, its part's out
 * (they are kept there as offsets until stage two). */
static void
rec_facts(const struct brec *r, const char *base, struct facts *fx)
{
	*fx = r->fx;
	fx->jid = kept(base, r->joff);
	fx->strat = kept(base, r->soff);
	fx->mem = kept(base, r->moff);
}

/* The canonical text sc->buf of a record of kind k, in sc->cdoc: made of
 * its top level (sc->ix, as normalise() wrote it), written into c's out,
 * else parsed.  Returns the offset of the top level kept for stage two
 * (kind_ops' indexed), else NO_BYTES (and out as it was); *n its
 * members. */
static size_t
canon_doc(struct bchunk *c, struct scratch *sc, enum tl_kind k, size_t *n)
{
	size_t at = c->out.len;

	if (sc->ix.n < 0) {
		tl_jdoc_parse_own(&sc->cdoc, sc->buf.data, sc->buf.len);
		return NO_BYTES;
	}
	tl_buf_add(&c->out, sc->ix.b.data, sc->ix.b.len);
	tl_jdoc_from_index(&sc->cdoc, sc->buf.data, sc->buf.len,
	    c->out.data + at, (size_t)sc->ix.n);
	*n = (size_t)sc->ix.n;
	if (kind_ops[k].indexed)
		return at;
	c->out.len = at;
	return NO_BYTES;
}

/* Stage one of part task of the batch ctx, on worker's scratch. */
static void
norm_chunk(void *ctx, size_t task, int worker)
{
	struct batch *b = ctx;
	struct bchunk *c = &b->ch[task];
	struct scratch *sc = &b->rd->sc[worker];
	struct tl_err why = { 0 };
	struct brec *r;
	struct bfile *f;
	size_t i, nmem = 0, lo = b->n * task / BATCH_CHUNKS;
	size_t hi = b->n * (task + 1) / BATCH_CHUNKS;

	for (i = lo; i < hi; i++) {
		if ((r = &b->r[i])->st == B_SOURCE)
			continue;
		f = &b->f[r->file];
		r->chunk = task;
		r->k = f->fk.kind;
		r->rule = f->fk.why;
		tl_buf_reset(&sc->buf);
		r->st = normalise(b->rd->s, &sc->doc, &sc->buf, &sc->ix,
		    &f->fk, &r->k, &r->rule, &r->renamed, b->in.data + r->text,
		    r->len, f->name, r->line, &why);
		if (r->st == B_REJECT)
			r->why = add_why(c, &why);
		r->canon = c->out.len;
		r->clen = sc->buf.len;
		/* with its NUL, as stage two wants a string */
		tl_buf_add(&c->out, sc->buf.data, sc->buf.len + 1);
		if (r->st != B_OK)
			continue;
		r->moff = canon_doc(c, sc, r->k, &nmem);
		facts_of(&sc->key, r->k, &sc->cdoc, sc->buf.data, sc->buf.len,
		    &r->fx);
		r->fx.nmem = nmem;
		/* the strings move into out: offsets until stage two */
		r->joff = keep_bytes(&c->out, r->fx.jid, r->fx.jlen);
		r->soff = keep_bytes(&c->out, r->fx.strat, r->fx.slen);
	}
}

/* Read the next batch into ctx and normalise it (on the reading
 * thread). */
static void
batch_fill(void *ctx)
{
	struct batch *b = ctx;
	struct reader *rd = b->rd;

	batch_reset(b);
	while (!rd->done && b->n < BATCH_RECS && b->in.len < BATCH_BYTES) {
		if (rd->src == NULL) {
			if (rd->next == rd->w->n) {
				rd->done = 1;
				break;
			}
			rd->cur = rd->next++;
			if ((rd->src = tl_source_open(rd->w->paths[rd->cur],
			    &rd->s->srcopts, &b->err)) == NULL) {
				b->fatal = rd->done = 1;
				break;
			}
			if (!line_format(rd->src)) {
				b->serial = rd->src;
				b->serial_path = rd->cur;
				rd->src = NULL;
				break;
			}
		}
		batch_file(b, rd);
		read_record(b, rd);
	}
	tl_par_tasks_init(&b->norm, BATCH_CHUNKS, norm_chunk, b);
	pthread_mutex_lock(&b->mu);
	b->read = 1;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	tl_par_tasks_for(rd->workers, &b->norm);
}

/* Wait for the batch b being filled, normalising its parts that no
 * worker has taken yet on the main thread (its scratch: the last) rather
 * than wait idle. */
static void
batch_wait(struct batch *b)
{
	if (b->bg.started) {
		pthread_mutex_lock(&b->mu);
		while (!b->read)
			pthread_cond_wait(&b->cv, &b->mu);
		pthread_mutex_unlock(&b->mu);
		tl_par_tasks_run(&b->norm, b->rd->workers);
	}
	tl_bg_wait(&b->bg);
	b->busy = 0;
}

/* Ask for the slots that the joins of a record of facts fx will probe
 * (a hint: fx may be of a record stage one rejected). */
static void
prefetch(const struct state *s, const struct facts *fx)
{
	if (fx->jh != 0) {
		tl_u64map_prefetch(&s->pend_dec, fx->jh);
		tl_u64map_prefetch(&s->pend_out, fx->jh);
	}
}

/* Stage two of b's records, in order.  Returns 0, or -1 with err set. */
static int
batch_take(struct state *s, struct batch *b, struct tl_err *err)
{
	const struct brec *r;
	const struct bfile *f;
	struct tl_err why;
	struct facts fx;
	enum tl_kind k;
	const char *rule, *base;
	size_t i;
	int h = 0;

	/* De-duplicate the batch's records first, in their order (no
	 * other record comes between them): the dedup table is larger
	 * than the caches, and a loop of nothing else keeps several of its
	 * misses in flight, where one came at a time between two records'
	 * whole stage two.  (Merging shards, the oracle's files answer,
	 * record by record.) */
	for (i = 0; i < b->n && s->orc == NULL; i++) {
		if (i + PREFETCH_AHEAD < b->n)
			tl_u64map_prefetch(&s->seen,
			    b->r[i + PREFETCH_AHEAD].fx.kh);
		if (b->r[i].st == B_OK)
			dedup(s, &b->r[i].fx);
	}
	for (i = 0; i < b->n && h != -1; i++) {
		/* what a record's stage two touches pushes the join's
		 * tables out of the caches: a later record's slots are on
		 * their way while this one is taken */
		if (i + PREFETCH_AHEAD < b->n)
			prefetch(s, &b->r[i + PREFETCH_AHEAD].fx);
		r = &b->r[i];
		f = &b->f[r->file];
		count_read(s, f->name);
		k = r->k;
		rule = r->rule;
		if (r->st == B_LATER) {
			take_later(s, r->k, b->ch[r->chunk].out.data +
			    r->canon, r->clen);
			continue;
		}
		if (r->st == B_OK) {
			base = b->ch[r->chunk].out.data;
			rec_facts(r, base, &fx);
			h = stage_two(s, r->k, base + r->canon, r->clen,
			    r->renamed, &fx, f->name, r->line, &why, err);
			if (h != 1)
				continue;
		} else
			why = b->ch[r->chunk].whys[r->why];
		if (r->st == B_SOURCE) {
			k = f->fk.kind;
			rule = f->fk.why;
		}
		h = reject(s, f->name, r->line, k, rule, &why,
		    b->in.data + r->raw, r->rawlen, r->rawfull, err);
	}
	return h == -1 ? -1 : 0;
}

/* --shard: b's files and records as stage one left them, into the
 * shard.  Returns 0, or -1 with err set. */
static int
batch_shard(struct state *s, const struct batch *b, struct tl_err *err)
{
	const struct brec *r;
	const struct bfile *f;
	const struct bchunk *c;
	struct sitem it;
	struct facts fx;
	size_t i = 0, j;

	for (j = 0; j < b->nf; j++) {
		f = &b->f[j];
		if (shard_file(s, b->rd->w->paths[f->path], &f->fk, err) == -1)
			return -1;
		for (; i < b->n && b->r[i].file == j; i++) {
			r = &b->r[i];
			c = &b->ch[r->chunk];
			memset(&it, 0, sizeof(it));
			it.st = r->st == B_OK ? SH_OK : r->st == B_LATER ?
			    SH_LATER : SH_REJECT;
			it.line = r->line;
			it.k = r->st == B_SOURCE ? f->fk.kind : r->k;
			it.rule = r->st == B_SOURCE ? f->fk.why : r->rule;
			it.renamed = r->renamed;
			if (r->st != B_SOURCE) {
				it.canon = c->out.data + r->canon;
				it.clen = r->clen;
			}
			if (r->st == B_OK) {
				rec_facts(r, c->out.data, &fx);
				it.fx = &fx;
			}
			it.raw = b->in.data + r->raw;
			it.rawlen = r->rawlen;
			it.rawfull = r->rawfull;
			if (it.st == SH_REJECT)
				it.why = &c->whys[r->why];
			if (shard_item(s, &it, err) == -1)
				return -1;
		}
		if (f->ends && shard_file_end(s, &f->fc, err) == -1)
			return -1;
	}
	return 0;
}

/* Start reading the next batch into b, unless all is read. */
static void
batch_start(struct batch *b, int async)
{
	if (b->rd->done)
		return;
	b->busy = 1;
	b->read = 0;
	tl_bg_start(&b->bg, batch_fill, b, async);
}

/* Read every input of w with threads threads, drawing the progress on
 * pr.  Returns 0, or -1 with err set. */
int
ingest_all(struct state *s, const struct tl_walk *w, int threads,
    struct tl_progress *pr, struct tl_err *err)
{
	struct reader rd;
	struct batch b[2], *x;
	double mb = 0;
	size_t i, j;
	int rc = 0, cur = 0, async = threads > 1;

	memset(&rd, 0, sizeof(rd));
	memset(b, 0, sizeof(b));
	rd.s = s;
	rd.w = w;
	rd.workers = threads > 2 ? threads - 1 : 1;
	rd.sc = tl_xcalloc((size_t)rd.workers + 1, sizeof(*rd.sc));
	for (i = 0; i <= (size_t)rd.workers; i++) {
		tl_jdoc_init(&rd.sc[i].doc);
		tl_buf_init(&rd.sc[i].buf);
		tl_jdoc_init(&rd.sc[i].cdoc);
		tl_buf_init(&rd.sc[i].key);
		tl_buf_init(&rd.sc[i].ix.b);
	}
	for (i = 0; i < 2; i++) {
		b[i].rd = &rd;
		pthread_mutex_init(&b[i].mu, NULL);
		pthread_cond_init(&b[i].cv, NULL);
		tl_buf_init(&b[i].in);
		for (j = 0; j <= BATCH_CHUNKS; j++)
			tl_buf_init(&b[i].ch[j].out);
	}
	batch_start(&b[0], async);
	while (rc == 0 && b[cur].busy) {
		x = &b[cur];
		batch_wait(x);
		if (x->serial == NULL && !x->fatal)
			batch_start(&b[1 - cur], async);
		rc = s->shard != NULL ? batch_shard(s, x, err) :
		    batch_take(s, x, err);
		for (i = 0; i < x->nf; i++) {
			if (!x->f[i].ends)
				continue;
			if (s->shard == NULL)
				count_file(s, &x->f[i].fc);
			tl_progress_set(pr, mb += path_mb(
			    w->paths[x->f[i].path]));
		}
		if (rc == 0 && x->fatal) {
			*err = x->err;
			rc = -1;
		}
		if (rc == 0 && x->serial != NULL) {
			rc = ingest(s, x->serial, w->paths[x->serial_path],
			    err);
			x->serial = NULL;
			tl_progress_set(pr, mb += path_mb(
			    w->paths[x->serial_path]));
			batch_start(&b[1 - cur], async);
		}
		tl_source_free(x->serial);	/* not read: an error */
		x->serial = NULL;
		cur = 1 - cur;
	}
	for (i = 0; i < 2; i++) {
		if (b[i].busy)
			batch_wait(&b[i]);
		pthread_mutex_destroy(&b[i].mu);
		pthread_cond_destroy(&b[i].cv);
		tl_source_free(b[i].serial);
		batch_reset(&b[i]);
		tl_buf_release(&b[i].in);
		for (j = 0; j <= BATCH_CHUNKS; j++) {
			tl_buf_release(&b[i].ch[j].out);
			free(b[i].ch[j].whys);
		}
		free(b[i].r);
		free(b[i].f);
	}
	if (rd.src != NULL)
		tl_source_free(rd.src);
	for (i = 0; i <= (size_t)rd.workers; i++) {
		tl_jdoc_release(&rd.sc[i].doc);
		tl_buf_release(&rd.sc[i].buf);
		tl_jdoc_release(&rd.sc[i].cdoc);
		tl_buf_release(&rd.sc[i].key);
		tl_buf_release(&rd.sc[i].ix.b);
	}
	free(rd.sc);
	return rc;
}
