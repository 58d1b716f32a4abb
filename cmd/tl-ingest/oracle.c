/*
 * tl-ingest: stage two in bounded memory (--memory).  In memory, stage
 * two holds a hash of every record's key (de-duplication) and the text
 * of every decision waiting for its outcome: for a log that writes its
 * decisions before its outcomes, more than the log's size.  Over a
 * bound, stage one writes its items to a temporary shard (shard.c), and
 * this file answers, for the k-th record stage two takes, what those
 * structures would have answered, from temporary files:
 *
 * 1. collect: each record's key and content hashes, and each
 *    decision's and outcome's join id and text, into P partition files
 *    by hash, in the order of the records: as stage one writes its own
 *    shard (shard.c, shard_item()), else in a pass over the shards of
 *    --merge;
 * 2. de-duplicate: partition by partition (the same key is always in
 *    the same one), first of a key new, the same content a duplicate,
 *    another a conflict; a record of a group after a conflict is dropped
 *    by the merge (shard.c), so de-duplication is redone without the
 *    dropped ones until none is added (once, unless a group conflicts);
 * 3. join: partition by partition, the joins of join.c over the new
 *    records, each answer (a trade written with the other side's text,
 *    an outcome unmatched at once) written as an event with the number of
 *    the record that receives it, then what is left waiting, by number;
 * 4. the merge runs stage two over the shard, taking each record's events
 *    in order from the P event files (a k-way merge by record number, a
 *    binary heap of the files' next entries: log P a record, not P).
 *
 * Memory: a byte a record, plus one partition's keys and waiting texts
 * at a time (about the shard's size / P).  The outputs are those of the
 * in-memory stage two, byte for byte (tests/cli/tl-ingest, "memory").
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tl_err.h"
#include "tl_jv.h"
#include "tl_kind.h"
#include "tl_map.h"
#include "tl_u64map.h"
#include "tl_util.h"

#include "ingest.h"

/* A record's flags: its status, and what the merge does with it. */
enum {
	F_STATUS = 3,		/* one of: */
	F_NEW = 1, F_DUP = 2, F_CONFLICT = 3,
	F_GROUP = 4,		/* more items of its record follow */
	F_DROPPED = 8		/* after a conflict in its group */
};

/* Tags of the temporary files' entries. */
enum { T_KEY = 'K', T_JOIN = 'J', T_EVENT = 'E', T_END = 'M',
	T_LEFT = 'L' };

#define PART_BYTES_MIN	((size_t)1 << 20)
#define PART_BYTES_MAX	((size_t)16 << 20)
#define PARTS_MAX	256
/* a temporary file's stdio buffer, at most an eighth of --memory for
 * all of them (glibc's own is 4 KiB: a read(2) or write(2) each) */
#define FILE_BUF_MIN	((size_t)4 << 10)
#define FILE_BUF_MAX	((size_t)64 << 10)

/* An event file being read. */
struct cursor {
	FILE		*f;
	size_t		 i;		/* its partition: ties go to the lower */
	int		 have;		/* an entry is in p, type, text */
	int		 stop;		/* at an end mark: oracle_section() */
	int		 tag;		/* its tag */
	uint64_t	 p;		/* its record */
	int		 type;		/* EV_, or the kind of a left one */
	struct tl_buf	 text;
};

struct oracle {
	const char	*dir;		/* where the files are made */
	size_t		 nparts;
	FILE		**part;		/* collect: partitions */
	FILE		**ev;		/* events, by partition */
	char		**pbuf, **ebuf;	/* their stdio buffers */
	size_t		 bufsz;
	unsigned char	*flags;		/* by record */
	size_t		 n, cap;	/* records, flags allocated */
	struct cursor	*cur;		/* the merge: one per event file */
	struct cursor	**heap;		/* those holding an entry, lowest
					 * record first */
	size_t		 nheap;
	int		 built;		/* heap holds every cursor's entry */
	struct cursor	*taken;		/* its entry taken, not advanced */
	struct cursor	*low;		/* the one of the lowest record */
	int		 ended;		/* every cursor is at a mark */
	struct tl_buf	 b;		/* scratch */
	int		 failed;	/* a write failed (errno kept) */
	int		 eno;
};

/* --- temporary files ---------------------------------------------- */

/* A new temporary file in dir, unlinked at once: nothing is left behind
 * whatever happens. */
static FILE *
temp_file(const struct oracle *o, char **buf, struct tl_err *err)
{
	const char *dir = o->dir;
	char *path;
	FILE *f = NULL;
	int fd;

	path = tl_xmalloc(strlen(dir) + 32);
	sprintf(path, "%s/tl-ingest.XXXXXX", dir);
	if ((fd = mkstemp(path)) == -1 || unlink(path) == -1 ||
	    (f = fdopen(fd, "w+")) == NULL) {
		tl_err_set(err, TL_EX_CANTCREAT, dir, 0, "cannot make a "
		    "temporary file: %s", strerror(errno));
		if (fd != -1)
			close(fd);
		free(path);
		return NULL;
	}
	free(path);
	*buf = tl_xmalloc(o->bufsz);
	setvbuf(f, *buf, _IOFBF, o->bufsz);
	return f;
}

static void
put(struct oracle *o, FILE *f, const void *p, size_t n)
{
	if (!o->failed && n > 0 && fwrite(p, 1, n, f) != n) {
		o->failed = 1;
		o->eno = errno;
	}
}

static void
put_u64(struct oracle *o, FILE *f, uint64_t x)
{
	put(o, f, &x, sizeof(x));
}

/* A length and its bytes. */
static void
put_text(struct oracle *o, FILE *f, const char *s, size_t n)
{
	uint32_t len = (uint32_t)n;

	put(o, f, &len, sizeof(len));
	put(o, f, s, n);
}

/* Read n bytes: 1, 0 at the end of the file before any, -1 when cut. */
static int
get(FILE *f, void *p, size_t n)
{
	size_t got = fread(p, 1, n, f);

	return got == n ? 1 : got == 0 && feof(f) ? 0 : -1;
}

static int
get_text(FILE *f, struct tl_buf *b)
{
	uint32_t len;

	if (get(f, &len, sizeof(len)) != 1)
		return -1;
	tl_buf_reset(b);
	tl_buf_reserve(b, (size_t)len + 1);
	if (len > 0 && get(f, b->data, len) != 1)
		return -1;
	b->len = len;
	b->data[len] = '\0';
	return 0;
}

/* Flushed and rewound for reading; a write error seen so far is err. */
static int
rewind_file(struct oracle *o, FILE *f, struct tl_err *err)
{
	if (!o->failed && (fflush(f) == EOF || fseek(f, 0, SEEK_SET) == -1)) {
		o->failed = 1;
		o->eno = errno;
	}
	if (o->failed)
		return tl_err_set(err, TL_EX_IOERR, o->dir, 0, "temporary "
		    "file: %s", strerror(o->eno));
	return 0;
}

static int
cut_short(const struct oracle *o, struct tl_err *err)
{
	return tl_err_set(err, TL_EX_IOERR, o->dir, 0, "a temporary file "
	    "is cut short");
}

/* --- 1. collect ---------------------------------------------------- */

struct oracle *
oracle_new(const char *dir, double bytes, size_t memory, struct tl_err *err)
{
	struct oracle *o = tl_xcalloc(1, sizeof(*o));
	size_t i, part = memory / 8;
	double n;

	/* a partition's share of the shard an eighth of --memory, 1 to 16
	 * MiB (more while there would be over PARTS_MAX): its waiting texts
	 * and keys, held while it is joined */
	if (part < PART_BYTES_MIN)
		part = PART_BYTES_MIN;
	if (part > PART_BYTES_MAX)
		part = PART_BYTES_MAX;
	n = bytes / (double)part + 1;
	o->nparts = n > PARTS_MAX ? PARTS_MAX : (size_t)n;
	o->dir = dir;
	o->part = tl_xcalloc(o->nparts, sizeof(*o->part));
	o->ev = tl_xcalloc(o->nparts, sizeof(*o->ev));
	o->pbuf = tl_xcalloc(o->nparts, sizeof(*o->pbuf));
	o->ebuf = tl_xcalloc(o->nparts, sizeof(*o->ebuf));
	o->bufsz = memory / 16 / o->nparts;
	if (o->bufsz < FILE_BUF_MIN)
		o->bufsz = FILE_BUF_MIN;
	if (o->bufsz > FILE_BUF_MAX)
		o->bufsz = FILE_BUF_MAX;
	tl_buf_init(&o->b);
	for (i = 0; i < o->nparts; i++)
		if ((o->part[i] = temp_file(o, &o->pbuf[i], err)) == NULL) {
			oracle_free(o);
			return NULL;
		}
	return o;
}

/* The partition of a record whose key or join id hashes (tl_hash64) to
 * h: by the hash's high half, scaled to nparts (Lemire 2019, "Fast
 * random integer generation in an interval", the multiply-shift range
 * reduction).  Not h % nparts: join_part()'s tl_map finds its slots by
 * the low bits of the same hash, and those would be one value in a
 * partition (nparts a power of two: 256 for a big log), every id of it
 * probing from one slot in 256: chains that grow with the partition. */
static size_t
part_of(const struct oracle *o, uint64_t h)
{
	return (size_t)(((h >> 32) * (uint64_t)o->nparts) >> 32);
}

void
oracle_collect(struct oracle *o, enum tl_kind k, const struct facts *fx,
    const char *text, size_t len, int group)
{
	uint64_t p = o->n;
	FILE *f;

	if (o->n == o->cap) {
		o->cap = o->cap == 0 ? 1 << 16 : o->cap * 2;
		o->flags = tl_xrealloc(o->flags, o->cap);
	}
	o->flags[o->n++] = (unsigned char)(group ? F_GROUP : 0);
	f = o->part[part_of(o, fx->kh)];
	put(o, f, &(char){ T_KEY }, 1);
	put_u64(o, f, p);
	put_u64(o, f, fx->kh);
	put_u64(o, f, fx->ch);
	if (fx->jid == NULL || (k != TL_KIND_DECISION && k != TL_KIND_OUTCOME))
		return;
	f = o->part[part_of(o, tl_hash64(fx->jid, fx->jlen))];
	put(o, f, &(char){ T_JOIN }, 1);
	put_u64(o, f, p);
	put(o, f, &(char){ (char)k }, 1);
	put_text(o, f, fx->jid, fx->jlen);
	put_text(o, f, text, len);
}

/* --- 2. de-duplicate ----------------------------------------------- */

/* Skip a join entry's body. */
static int
skip_join(FILE *f, struct tl_buf *b)
{
	char k;
	uint64_t p;

	return get(f, &p, sizeof(p)) == 1 && get(f, &k, 1) == 1 &&
	    get_text(f, b) == 0 && get_text(f, b) == 0 ? 0 : -1;
}

/* The status of each record of partition i not dropped. */
static int
dedup_part(struct oracle *o, size_t i, struct tl_err *err)
{
	struct tl_u64map seen;
	uint64_t x[3], *slot;
	FILE *f = o->part[i];
	char tag;
	int rc, added;

	if (rewind_file(o, f, err) == -1)
		return -1;
	tl_u64map_init(&seen);
	while ((rc = get(f, &tag, 1)) == 1) {
		if (tag == T_JOIN) {
			if (skip_join(f, &o->b) == -1)
				break;
			continue;
		}
		if (tag != T_KEY || get(f, x, sizeof(x)) != 1 || x[0] >= o->n)
			break;
		if (o->flags[x[0]] & F_DROPPED)
			continue;
		o->flags[x[0]] &= (unsigned char)~F_STATUS;
		slot = tl_u64map_put(&seen, x[1], &added);
		if (added)
			*slot = x[2];
		o->flags[x[0]] |= added ? F_NEW : *slot == x[2] ? F_DUP :
		    F_CONFLICT;
	}
	tl_u64map_release(&seen);
	return rc == 0 ? 0 : cut_short(o, err);
}

/* Drop what the merge drops: the rest of a group after a conflict (the
 * merge's 'dropping').  Returns 1 when a record that counted as new is
 * dropped: its key is then another's to take. */
static int
drop_groups(struct oracle *o)
{
	size_t p;
	int dropping = 0, again = 0;

	for (p = 0; p < o->n; p++) {
		if (dropping) {
			if (!(o->flags[p] & F_DROPPED) &&
			    (o->flags[p] & F_STATUS) == F_NEW)
				again = 1;
			o->flags[p] |= F_DROPPED;
			dropping = (o->flags[p] & F_GROUP) != 0;
		} else if ((o->flags[p] & F_STATUS) == F_CONFLICT)
			dropping = (o->flags[p] & F_GROUP) != 0;
	}
	return again;
}

/* --- 3. join ------------------------------------------------------- */

/* A record waiting in a partition's join. */
struct wait {
	uint64_t	 p;
	char		*text;
	size_t		 len;
};

static struct wait *
take_wait(struct tl_map *m, const char *id, size_t n)
{
	uintptr_t *slot = tl_map_get(m, id, n);
	struct wait *w;

	if (slot == NULL)
		return NULL;
	w = (struct wait *)*slot;
	tl_map_del(m, id, n);
	return w;
}

static void
event(struct oracle *o, FILE *f, uint64_t p, int type, const char *text,
    size_t len)
{
	put(o, f, &(char){ T_EVENT }, 1);
	put_u64(o, f, p);
	put(o, f, &(char){ (char)type }, 1);
	put_text(o, f, text, len);
}

static int
cmp_wait(const void *a, const void *b)
{
	const struct wait *x = *(struct wait *const *)a;
	const struct wait *y = *(struct wait *const *)b;

	return x->p < y->p ? -1 : x->p > y->p;
}

/* What is left waiting in m, in record order, after an end mark; freed. */
static void
put_left(struct oracle *o, FILE *f, struct tl_map *m, enum tl_kind k)
{
	struct wait **v;
	const char *key;
	uintptr_t val;
	size_t it, kn, n = 0, i;

	v = tl_xcalloc(tl_map_count(m) + 1, sizeof(*v));
	for (it = 0; tl_map_next(m, &it, &key, &kn, &val);)
		v[n++] = (struct wait *)val;
	qsort(v, n, sizeof(*v), cmp_wait);
	put(o, f, &(char){ T_END }, 1);
	for (i = 0; i < n; i++) {
		put(o, f, &(char){ T_LEFT }, 1);
		put_u64(o, f, v[i]->p);
		put(o, f, &(char){ (char)k }, 1);
		put_text(o, f, v[i]->text, v[i]->len);
		free(v[i]->text);
		free(v[i]);
	}
	free(v);
}

/* join.c's join() over partition i's new records: its events, then the
 * decisions and the outcomes left waiting. */
static int
join_part(struct oracle *o, size_t i, struct tl_err *err)
{
	struct tl_map *dec = tl_map_alloc(), *out = tl_map_alloc();
	struct tl_buf jid;
	struct wait *w;
	uintptr_t *slot;
	FILE *f = o->part[i], *ev;
	uint64_t p, x[3];
	char tag, k;
	int rc, added;

	tl_buf_init(&jid);
	if (rewind_file(o, f, err) == -1 ||
	    (ev = o->ev[i] = temp_file(o, &o->ebuf[i], err)) == NULL) {
		rc = -1;
		goto out;
	}
	while ((rc = get(f, &tag, 1)) == 1) {
		if (tag == T_KEY) {
			if (get(f, x, sizeof(x)) != 1)
				break;
			continue;
		}
		if (tag != T_JOIN || get(f, &p, sizeof(p)) != 1 ||
		    get(f, &k, 1) != 1 || get_text(f, &jid) == -1 ||
		    get_text(f, &o->b) == -1 || p >= o->n)
			break;
		if ((o->flags[p] & (F_STATUS | F_DROPPED)) != F_NEW)
			continue;
		if (k == TL_KIND_DECISION) {
			if ((w = take_wait(out, jid.data, jid.len)) != NULL) {
				event(o, ev, p, EV_TRADE_OUT, w->text, w->len);
				free(w->text);
				free(w);
				continue;
			}
			slot = tl_map_put(dec, jid.data, jid.len, &added);
			if (!added)	/* as join.c: the first waits */
				continue;
		} else if ((w = take_wait(dec, jid.data, jid.len)) != NULL) {
			event(o, ev, p, EV_TRADE_DEC, w->text, w->len);
			free(w->text);
			free(w);
			continue;
		} else {
			slot = tl_map_put(out, jid.data, jid.len, &added);
			if (!added) {	/* a second outcome of an unseen one */
				event(o, ev, p, EV_ORPHAN, "", 0);
				continue;
			}
		}
		w = tl_xmalloc(sizeof(*w));
		w->p = p;
		w->len = o->b.len;
		w->text = tl_xstrndup(o->b.data, o->b.len);
		*slot = (uintptr_t)w;
	}
	rc = rc == 0 ? 0 : cut_short(o, err);
	put_left(o, ev, dec, TL_KIND_DECISION);
	put_left(o, ev, out, TL_KIND_OUTCOME);
	if (rc == 0)
		rc = rewind_file(o, ev, err);
out:
	fclose(f);
	o->part[i] = NULL;
	tl_map_free(dec);
	tl_map_free(out);
	tl_buf_release(&jid);
	return rc;
}

int
oracle_prepare(struct oracle *o, struct tl_err *err)
{
	size_t i;

	do
		for (i = 0; i < o->nparts; i++)
			if (dedup_part(o, i, err) == -1)
				return -1;
	while (drop_groups(o));
	for (i = 0; i < o->nparts; i++)
		if (join_part(o, i, err) == -1)
			return -1;
	o->cur = tl_xcalloc(o->nparts, sizeof(*o->cur));
	o->heap = tl_xcalloc(o->nparts, sizeof(*o->heap));
	for (i = 0; i < o->nparts; i++) {
		o->cur[i].f = o->ev[i];
		o->cur[i].i = i;
		tl_buf_init(&o->cur[i].text);
	}
	return 0;
}

/* --- 4. the merge -------------------------------------------------- */

int
oracle_status(const struct oracle *o, uint64_t p)
{
	static const int d[] = { 1, 1, 0, -1 };	/* by F_ status */

	return p < o->n ? d[o->flags[p] & F_STATUS] : 1;
}

/* The next entry of c, if none is held: 1, 0 at an end mark or the end,
 * -1 when cut short. */
static int
advance(struct cursor *c)
{
	char tag, t;

	if (c->have)
		return 1;
	if (c->stop || get(c->f, &tag, 1) != 1)
		return 0;
	if (tag == T_END) {
		c->stop = 1;
		return 0;
	}
	if ((tag != T_EVENT && tag != T_LEFT) || get(c->f, &c->p,
	    sizeof(c->p)) != 1 || get(c->f, &t, 1) != 1 ||
	    get_text(c->f, &c->text) == -1)
		return -1;
	c->tag = tag;
	c->type = t;
	c->have = 1;
	return 1;
}

/* Does a's entry come before b's: by record, then by partition. */
static int
before(const struct cursor *a, const struct cursor *b)
{
	return a->p < b->p || (a->p == b->p && a->i < b->i);
}

static void
heap_push(struct oracle *o, struct cursor *c)
{
	size_t j = o->nheap++, up;

	for (; j > 0 && before(c, o->heap[up = (j - 1) / 2]); j = up)
		o->heap[j] = o->heap[up];
	o->heap[j] = c;
}

/* The heap without its first cursor. */
static void
heap_pop(struct oracle *o)
{
	struct cursor *c = o->heap[--o->nheap];
	size_t j = 0, k;

	while ((k = 2 * j + 1) < o->nheap) {
		if (k + 1 < o->nheap && before(o->heap[k + 1], o->heap[k]))
			k++;
		if (!before(o->heap[k], c))
			break;
		o->heap[j] = o->heap[k];
		j = k;
	}
	o->heap[j] = c;
}

/* The lowest cursor's entry taken: it leaves the heap, to be advanced by
 * the next lowest(). */
static void
take(struct oracle *o, struct cursor *c)
{
	c->have = 0;
	heap_pop(o);
	o->taken = c;
	o->low = NULL;
}

/* Advance c into the heap; -1 when cut short. */
static int
refill(struct oracle *o, struct cursor *c, struct tl_err *err)
{
	int rc;

	if ((rc = advance(c)) == -1)
		return cut_short(o, err);
	if (rc == 1)
		heap_push(o, c);
	return 0;
}

/* The cursor holding the entry of the lowest record, or NULL when every
 * one is at an end mark (or cut short: err set).  The heap is built after
 * each oracle_section(), then kept: only the cursor taken advances. */
static struct cursor *
lowest(struct oracle *o, struct tl_err *err)
{
	struct cursor *c;
	size_t i;

	if (!o->built) {
		o->nheap = 0;
		o->taken = NULL;
		for (i = 0; i < o->nparts; i++)
			if (refill(o, &o->cur[i], err) == -1)
				return NULL;
		o->built = 1;
	} else if ((c = o->taken) != NULL) {
		o->taken = NULL;
		if (refill(o, c, err) == -1)
			return NULL;
	}
	return o->nheap > 0 ? o->heap[0] : NULL;
}

int
oracle_event(struct oracle *o, uint64_t p, const char **text, size_t *len,
    struct tl_err *err)
{
	struct cursor *c;

	err->code = 0;
	if (o->low == NULL && !o->ended &&
	    (o->low = lowest(o, err)) == NULL) {
		if (err->code != 0)
			return -1;
		o->ended = 1;
	}
	if ((c = o->low) == NULL || c->p > p)
		return 0;
	if (c->tag != T_EVENT || c->p < p)	/* passed by: a bug */
		return tl_err_set(err, TL_EX_SOFTWARE, o->dir, 0, "the "
		    "event of record %llu not taken", (unsigned long long)c->p);
	take(o, c);
	*text = c->text.data;
	*len = c->text.len;
	return c->type;
}

int
oracle_section(struct oracle *o, struct tl_err *err)
{
	struct cursor *c;
	size_t i;
	int rc;

	for (i = 0; i < o->nparts; i++) {	/* each at its mark */
		c = &o->cur[i];
		if ((rc = advance(c)) == -1)
			return cut_short(o, err);
		if (rc == 1)	/* one before it, not taken: a bug */
			return tl_err_set(err, TL_EX_SOFTWARE, o->dir, 0, "the "
			    "entry of record %llu not taken",
			    (unsigned long long)c->p);
	}
	for (i = 0; i < o->nparts; i++)
		o->cur[i].stop = 0;
	o->low = NULL;
	o->ended = 0;
	o->built = 0;
	return 0;
}

int
oracle_left(struct oracle *o, enum tl_kind *k, const char **text,
    size_t *len, struct tl_err *err)
{
	struct cursor *c;

	err->code = 0;
	if ((c = lowest(o, err)) == NULL)
		return err->code != 0 ? -1 : 0;
	if (c->tag != T_LEFT)
		return tl_err_set(err, TL_EX_SOFTWARE, o->dir, 0, "an event "
		    "of record %llu not taken", (unsigned long long)c->p);
	take(o, c);
	*k = (enum tl_kind)c->type;
	*text = c->text.data;
	*len = c->text.len;
	return 1;
}

void
oracle_free(struct oracle *o)
{
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < o->nparts; i++) {
		if (o->part[i] != NULL)
			fclose(o->part[i]);
		if (o->ev[i] != NULL)
			fclose(o->ev[i]);
		free(o->pbuf[i]);	/* their files closed */
		free(o->ebuf[i]);
		if (o->cur != NULL)
			tl_buf_release(&o->cur[i].text);
	}
	free(o->part);
	free(o->ev);
	free(o->pbuf);
	free(o->ebuf);
	free(o->cur);
	free(o->heap);
	free(o->flags);
	tl_buf_release(&o->b);
	free(o);
}
