/*
 * tl_policy's rows: the fields each policy reads from tl-ingest's
 * canonical trade, counterfactual and signal outcome records (tl(7)),
 * checked with messages that name the field, and the reader that parses
 * them in fixed blocks on several threads and hands them to the engine in
 * input order.  The blocks' size does not depend on the thread count, and
 * every row is observed by the one calling thread in input order, so that
 * the sums, and therefore the bytes written, are the same for any
 * --threads.  The first bad row in input order stops the reading.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_jv.h"
#include "tl_num.h"
#include "tl_par.h"
#include "tl_policy.h"
#include "tl_policy_int.h"
#include "tl_records.h"
#include "tl_time.h"
#include "tl_util.h"

#define BLOCK_ROWS	16384	/* rows read, then parsed together */
#define TASK_ROWS	1024	/* rows per parsing task */
#define NTASKS		(BLOCK_ROWS / TASK_ROWS)

/* ---- fields ------------------------------------------------------------- */

/* Where a row is, for messages. */
struct at {
	const char	*name;
	unsigned long	 line;
	struct tl_err	*err;
};

static int
missing(const struct at *a, const char *key)
{
	return tl_err_set(a->err, TL_EX_DATAERR, a->name, a->line, "field "
	    "'%s': missing", key);
}

static int
wrong(const struct at *a, const char *key, const char *want,
    const struct tl_jv *v)
{
	return tl_err_set(a->err, TL_EX_DATAERR, a->name, a->line, "field "
	    "'%s': expected %s, got %s", key, want, tl_jv_typename(v));
}

static int
outside(const struct at *a, const char *key, double x, const char *what)
{
	char num[TL_NUM_BUFSZ];

	tl_fmt_double(num, x);
	return tl_err_set(a->err, TL_EX_DATAERR, a->name, a->line, "field "
	    "'%s': %s %s", key, num, what);
}

/* The value of key, NULL when absent or null. */
static const struct tl_jv *
field(const struct tl_jdoc *d, const char *key)
{
	const struct tl_jv *v = tl_jv_get(d, &d->v[0], key);

	return v != NULL && v->type != TL_JNULL ? v : NULL;
}

/* A number: 1 found, 0 absent (-1 with err when req), -1 wrong type. */
static int
num(const struct tl_jdoc *d, const char *key, int req, double *x,
    const struct at *a)
{
	const struct tl_jv *v = field(d, key);

	if (v == NULL)
		return req ? missing(a, key) : 0;
	if (v->type != TL_JNUM)
		return wrong(a, key, "number", v);
	*x = v->num;
	return 1;
}

/* A string copied to arena at *off: 1, 0 absent, -1 (an empty one too). */
static int
str(const struct tl_jdoc *d, const char *key, int req, struct tl_buf *arena,
    size_t *off, size_t *len, const struct at *a)
{
	const struct tl_jv *v = field(d, key);

	if (v == NULL)
		return req ? missing(a, key) : 0;
	if (v->type != TL_JSTR)
		return wrong(a, key, "string", v);
	if (v->len == 0)
		return tl_err_set(a->err, TL_EX_DATAERR, a->name, a->line,
		    "field '%s': empty", key);
	*off = arena->len;
	*len = v->len;
	tl_buf_add(arena, v->s, v->len);
	tl_buf_addc(arena, '\0');
	return 1;
}

/* A timestamp (text or epoch number) into *ms. */
static int
stamp(const struct tl_jdoc *d, const char *key, int64_t *ms,
    const struct at *a)
{
	const struct tl_jv *v = field(d, key);

	if (v == NULL)
		return missing(a, key);
	if (v->type == TL_JSTR && tl_time_parse(v->s, v->len, ms) == 0)
		return 0;
	if (v->type == TL_JNUM && tl_time_from_epoch(v->num, ms) == 0)
		return 0;
	if (v->type != TL_JSTR && v->type != TL_JNUM)
		return wrong(a, key, "timestamp", v);
	return tl_err_set(a->err, TL_EX_DATAERR, a->name, a->line, "field "
	    "'%s': '%.*s' is not a timestamp", key, (int)(v->len > 64 ? 64 :
	    v->len), v->s);
}

/* notional, else |qty| * entry_price; positive. */
static int
notional(const struct tl_jdoc *d, double *x, const struct at *a)
{
	double q, pr;
	int rc;

	if ((rc = num(d, "notional", 0, x, a)) == -1)
		return -1;
	if (rc == 1)
		return *x > 0 ? 0 : outside(a, "notional", *x, "is not "
		    "positive");
	if ((rc = num(d, "qty", 0, &q, a)) == -1 ||
	    (rc == 1 && num(d, "entry_price", 0, &pr, a) == -1))
		return -1;
	if (rc == 0 || field(d, "entry_price") == NULL)
		return tl_err_set(a->err, TL_EX_DATAERR, a->name, a->line,
		    "field 'notional': missing (or 'qty' and 'entry_price')");
	*x = fabs(q) * pr;
	if (!(*x > 0) || !isfinite(*x))
		return tl_err_set(a->err, TL_EX_DATAERR, a->name, a->line,
		    "fields 'qty' and 'entry_price': no positive notional");
	return 0;
}

static int
trade_row(const struct tl_policy *p, const struct tl_jdoc *d,
    struct tl_buf *arena, struct tl_prow *r, const struct at *a)
{
	unsigned need = p->e->need;
	const struct tl_jv *v;
	const char *conv = p->o->conviction;
	double fees, slip = 0, nt;
	int rc;

	if ((v = field(d, "counterfactual")) != NULL) {
		if (v->type != TL_JTRUE && v->type != TL_JFALSE)
			return wrong(a, "counterfactual", "boolean", v);
		r->cf = v->type == TL_JTRUE;
	}
	if (stamp(d, "exit_ts", &r->t, a) == -1)
		return -1;
	if ((need & TL_PN_STRATEGY) && (str(d, "strategy", 1, arena,
	    &r->koff, &r->klen, a) == -1 || str(d, "regime", 0, arena,
	    &r->soff, &r->slen, a) == -1))
		return -1;
	if ((need & TL_PN_SYMBOL) && (str(d, "symbol", 1, arena, &r->koff,
	    &r->klen, a) == -1 || str(d, "venue", 0, arena, &r->soff,
	    &r->slen, a) == -1))
		return -1;
	if (need & TL_PN_CONV) {
		/* a trade no signal opened has no conviction: not the gate's
		 * nor the sizing's, and counted */
		if ((rc = num(d, conv, r->cf, &r->conv, a)) == 0) {
			r->nosig = 1;
			return 0;
		}
		if (rc == -1)
			return -1;
		if (!(r->conv >= 0 && r->conv <= 1))
			return outside(a, conv, r->conv, "is outside [0, 1]");
	}
	if ((need & TL_PN_NET) && num(d, "net_pnl", 1, &r->net, a) == -1)
		return -1;
	if (need & TL_PN_RISK) {
		if ((rc = num(d, "risk", 0, &r->risk, a)) == -1)
			return -1;
		if (rc == 1 && !(r->risk > 0))
			return outside(a, "risk", r->risk, "is not positive");
		if (rc == 0 && notional(d, &r->risk, a) == -1)
			return -1;
	}
	if (need & TL_PN_HOLD) {
		if (num(d, "hold_s", 1, &r->hold, a) == -1)
			return -1;
		if (r->hold < 0)
			return outside(a, "hold_s", r->hold, "is negative");
		r->mfe = r->mae = NAN;
		if (num(d, "mfe", 0, &r->mfe, a) == -1 ||
		    num(d, "mae", 0, &r->mae, a) == -1)
			return -1;
	}
	if (need & TL_PN_COST) {
		if (num(d, "fees", 1, &fees, a) == -1 ||
		    num(d, "slippage", 0, &slip, a) == -1)
			return -1;
		if (fees < 0)
			return outside(a, "fees", fees, "is negative");
		if (slip < 0)
			return outside(a, "slippage", slip, "is negative");
		if (notional(d, &nt, a) == -1)
			return -1;
		r->cost = (fees + slip) / nt;
		r->edge = r->netret = NAN;
		if (num(d, "expected_edge", 0, &r->edge, a) == -1 ||
		    (rc = num(d, "net_pnl", 0, &r->netret, a)) == -1)
			return -1;
		if (rc == 1)
			r->netret /= nt;
	}
	return 0;
}

static int
outcome_row(const struct tl_policy *p, const struct tl_jdoc *d,
    struct tl_buf *arena, struct tl_prow *r, const struct at *a)
{
	const char *by = p->o->by;
	const struct tl_jv *v, *c;
	int64_t ts;

	if (stamp(d, "ts", &ts, a) == -1)
		return -1;
	if ((v = field(d, "horizon")) == NULL)
		return missing(a, "horizon");
	if (v->type == TL_JNUM)
		r->hs = v->num;
	else if (v->type != TL_JSTR)
		return wrong(a, "horizon", "duration", v);
	else if (tl_dur_parse(v->s, v->len, &r->hs) == -1)
		return tl_err_set(a->err, TL_EX_DATAERR, a->name, a->line,
		    "field 'horizon': '%.*s' is not a duration (1m, 15m, 1h, "
		    "1d or seconds)", (int)(v->len > 64 ? 64 : v->len), v->s);
	if (!(r->hs > 0) || r->hs > 1e9)
		return outside(a, "horizon", r->hs, "is not a number of "
		    "seconds in (0, 1e9]");
	r->t = ts + llround(r->hs * 1000);	/* known then */
	if (num(d, "ev", 1, &r->ev, a) == -1)
		return -1;
	r->hit = -1;
	if ((v = field(d, "hit")) != NULL) {
		if (v->type != TL_JTRUE && v->type != TL_JFALSE)
			return wrong(a, "hit", "boolean", v);
		r->hit = v->type == TL_JTRUE;
	}
	if ((v = field(d, by)) == NULL)
		return missing(a, by);
	r->noff = arena->len;
	if (v->type == TL_JSTR) {
		if (v->len == 0)
			return tl_err_set(a->err, TL_EX_DATAERR, a->name,
			    a->line, "field '%s': empty", by);
		tl_buf_add(arena, v->s, v->len);
		tl_buf_addc(arena, '\0');
		r->nnames = 1;
		return 0;
	}
	if (v->type != TL_JOBJ)
		return wrong(a, by, "object or string", v);
	/* a signal fired when its value is true or a number other than 0 */
	for (c = tl_jv_child(d, v); c != NULL; c = tl_jv_next(d, v, c)) {
		if (c->type == TL_JFALSE || c->type == TL_JNULL ||
		    (c->type == TL_JNUM && c->num == 0))
			continue;
		if (c->type != TL_JTRUE && c->type != TL_JNUM)
			return tl_err_set(a->err, TL_EX_DATAERR, a->name,
			    a->line, "field '%s': '%.*s': expected boolean or "
			    "number, got %s", by, (int)c->keylen, c->key,
			    tl_jv_typename(c));
		if (c->keylen == 0 || memchr(c->key, '\0', c->keylen) != NULL)
			return tl_err_set(a->err, TL_EX_DATAERR, a->name,
			    a->line, "field '%s': a signal name is empty or "
			    "holds a NUL", by);
		tl_buf_add(arena, c->key, c->keylen);
		tl_buf_addc(arena, '\0');
		r->nnames++;
	}
	return 0;
}

int
tl_prow_parse(const struct tl_policy *p, const struct tl_jdoc *d,
    struct tl_buf *arena, struct tl_prow *r, const char *name,
    unsigned long line, struct tl_err *err)
{
	struct at a = { name, line, err };

	memset(r, 0, sizeof(*r));
	r->koff = r->soff = r->noff = SIZE_MAX;
	if (d->v[0].type != TL_JOBJ)
		return tl_err_set(err, TL_EX_DATAERR, name, line, "expected an "
		    "object, got %s", tl_jv_typename(&d->v[0]));
	if (p->e->rows == TL_PROWS_OUTCOME)
		return outcome_row(p, d, arena, r, &a);
	return trade_row(p, d, arena, r, &a);
}

void
tl_prow_fix(struct tl_prow *r, const char *base)
{
	r->key = r->koff != SIZE_MAX ? base + r->koff : NULL;
	r->sub = r->soff != SIZE_MAX ? base + r->soff : NULL;
	r->names = r->noff != SIZE_MAX ? base + r->noff : NULL;
}

/* ---- the block reader ------------------------------------------------- */

struct block {
	const struct tl_policy *p;	/* the learner (read only here) */
	const char	*name;		/* the file */
	struct tl_buf	 text;		/* the rows' text, back to back */
	size_t		*off, *len;	/* of each row in text */
	unsigned long	*line;		/* its line */
	size_t		 n;		/* rows in the block */
	struct tl_prow	*rows;		/* parsed */
	struct tl_jdoc	*docs;		/* one parser per worker */
	struct tl_buf	 arena[NTASKS];	/* strings, per task */
	struct tl_err	 err[NTASKS];	/* first error of each task */
	size_t		 bad[NTASKS];	/* its row, or SIZE_MAX */
};

static void
parse_task(void *ctx, size_t t, int w)
{
	struct block *b = ctx;
	struct tl_jdoc *d = &b->docs[w];
	size_t i, end;

	b->bad[t] = SIZE_MAX;
	tl_buf_reset(&b->arena[t]);
	end = (t + 1) * TASK_ROWS < b->n ? (t + 1) * TASK_ROWS : b->n;
	for (i = t * TASK_ROWS; i < end; i++)
		if (tl_jdoc_parse(d, b->text.data + b->off[i], b->len[i],
		    b->name, b->line[i], &b->err[t]) == -1 ||
		    tl_prow_parse(b->p, d, &b->arena[t], &b->rows[i], b->name,
		    b->line[i], &b->err[t]) == -1) {
			b->bad[t] = i;
			return;
		}
}

/* Parse the block; observe its rows up to the first bad one (its error
 * into err, -1). */
static int
block_run(struct tl_policy *p, struct block *b, struct tl_err *err)
{
	size_t t, i, ntask = (b->n + TASK_ROWS - 1) / TASK_ROWS;

	tl_par_for(p->o->threads, ntask, parse_task, b);
	for (t = 0; t < ntask; t++) {
		for (i = t * TASK_ROWS; i < b->n && i < (t + 1) * TASK_ROWS &&
		    i < b->bad[t]; i++) {
			tl_prow_fix(&b->rows[i], b->arena[t].data);
			p->cnt.rows++;
			tl_policy_observe(p, &b->rows[i]);
		}
		if (b->bad[t] != SIZE_MAX) {
			*err = b->err[t];
			return -1;
		}
	}
	b->n = 0;
	tl_buf_reset(&b->text);
	return 0;
}

int
tl_prows_read(struct tl_policy *p, char *const *paths, int npaths,
    struct tl_err *err)
{
	struct tl_records *rs = NULL;
	struct tl_err rerr = { 0 };
	struct block b;
	const char *text;
	size_t len, t;
	int i, rc = 0, nt = p->o->threads > 0 ? p->o->threads : 1;

	memset(&b, 0, sizeof(b));
	b.p = p;
	tl_buf_init(&b.text);
	b.off = tl_xcalloc(BLOCK_ROWS, sizeof(*b.off));
	b.len = tl_xcalloc(BLOCK_ROWS, sizeof(*b.len));
	b.line = tl_xcalloc(BLOCK_ROWS, sizeof(*b.line));
	b.rows = tl_xcalloc(BLOCK_ROWS, sizeof(*b.rows));
	b.docs = tl_xcalloc((size_t)nt, sizeof(*b.docs));
	for (i = 0; i < nt; i++)
		tl_jdoc_init(&b.docs[i]);
	for (t = 0; t < NTASKS; t++)
		tl_buf_init(&b.arena[t]);
	for (i = 0; i < (npaths > 0 ? npaths : 1) && rc == 0; i++) {
		if ((rs = tl_records_open(npaths > 0 ? paths[i] : "-",
		    TL_FMT_AUTO, err)) == NULL) {
			rc = -1;
			break;
		}
		b.name = tl_records_name(rs);
		while (rc == 0) {
			rc = tl_records_next_text(rs, &text, &len, &rerr);
			if (rc == 1) {
				b.off[b.n] = b.text.len;
				b.len[b.n] = len;
				b.line[b.n] = tl_records_line(rs);
				tl_buf_add(&b.text, text, len);
				rc = ++b.n < BLOCK_ROWS ? 0 :
				    block_run(p, &b, err);
				continue;
			}
			/* the end, or a bad record after the rows read */
			if (block_run(p, &b, err) == -1)
				rc = -1;
			else if (rc == -1)
				*err = rerr;
			break;
		}
		tl_records_free(rs);
	}
	for (t = 0; t < NTASKS; t++)
		tl_buf_release(&b.arena[t]);
	for (i = 0; i < nt; i++)
		tl_jdoc_release(&b.docs[i]);
	free(b.docs);
	free(b.rows);
	free(b.line);
	free(b.len);
	free(b.off);
	tl_buf_release(&b.text);
	return rc == -1 ? -1 : 0;
}
