/*
 * tl-ingest: the meta-model dataset.  What a run leaves of itself (its
 * sort keys, genome and metrics as text), and at the end each run with
 * the next period's roi and sharpe of the same strategy and genome.
 */
#include <stdlib.h>
#include <string.h>

#include "tl_err.h"
#include "tl_jv.h"
#include "tl_util.h"

#include "ingest.h"

static char *
jv_text(struct state *s, const struct tl_jdoc *c, const struct tl_jv *v)
{
	tl_buf_reset(&s->tbuf);
	tl_jv_append_text(&s->tbuf, c, v);	/* c is ours */
	return tl_xstrndup(s->tbuf.data, s->tbuf.len);
}

/* Keep what the dataset needs of a canonical run (parsed in c, or its top
 * level alone, read off stage one's index). */
void
keep_run(struct state *s, const struct tl_jdoc *c)
{
	const struct tl_jv *root = &c->v[0], *m, *v;
	struct run *r;

	if (s->nruns == s->capruns) {
		s->capruns = s->capruns ? 2 * s->capruns : 256;
		s->runs = tl_xreallocarray(s->runs, s->capruns,
		    sizeof(*s->runs));
	}
	r = &s->runs[s->nruns++];
	v = tl_jv_get(c, root, "strategy");
	r->strategy = tl_xstrndup(v->s, v->len);
	v = tl_jv_get(c, root, "period");
	r->period = tl_xstrndup(v->s, v->len);
	v = tl_jv_get(c, root, "id");
	r->id = tl_xstrndup(v->s, v->len);
	r->genome = jv_text(s, c, tl_jv_get(c, root, "genome"));
	m = tl_jv_get(c, root, "metrics");
	r->metrics = jv_text(s, c, m);
	if (m->n == 0 && m->span > 2) {	/* a top level alone: parse it */
		tl_jdoc_parse_own(&s->mdoc, c->text + m->off, m->span);
		c = &s->mdoc;
		m = &c->v[0];
	}
	r->roi = jv_text(s, c, tl_jv_get(c, m, "roi"));
	v = tl_jv_get(c, m, "sharpe");
	r->sharpe = v != NULL ? jv_text(s, c, v) : NULL;	/* optional */
}

void
free_run(struct run *r)
{
	free(r->strategy);
	free(r->period);
	free(r->id);
	free(r->genome);
	free(r->metrics);
	free(r->roi);
	free(r->sharpe);
}

static int
cmp_run(const void *a, const void *b)
{
	const struct run *x = *(struct run *const *)a;
	const struct run *y = *(struct run *const *)b;
	int c;

	if ((c = strcmp(x->strategy, y->strategy)) != 0)
		return c;
	if ((c = strcmp(x->period, y->period)) != 0)
		return c;
	return strcmp(x->id, y->id);
}

static void
row_key(struct tl_buf *b, const char *key, const char *json)
{
	tl_buf_addc(b, b->len > 0 ? ',' : '{');
	tl_jv_append_string(b, key, strlen(key));
	tl_buf_addc(b, ':');
	tl_buf_adds(b, json);
}

/* dataset: each run with the next period's roi and sharpe of the same
 * strategy and genome as targets (genomes compared as canonical text).
 * Runs of the last period have no target and are not rows; they are
 * counted.  Rows are counted even when the dataset is not written. */
int
write_dataset(struct state *s, unsigned long *rows, unsigned long *last,
    struct tl_err *err)
{
	struct tl_out *o = s->out[E_DATASET];
	struct tl_buf *b = &s->tbuf;
	struct run **r;
	size_t i, j, k, n;
	int rc = 0;

	*rows = *last = 0;
	if ((n = s->nruns) == 0)
		return 0;
	r = tl_xcalloc(n, sizeof(*r));
	for (i = 0; i < n; i++)
		r[i] = &s->runs[i];
	qsort(r, n, sizeof(*r), cmp_run);
	for (i = 0; i < n && rc == 0; i++) {
		/* j: first run of the next period of the same strategy */
		for (j = i + 1; j < n && strcmp(r[i]->strategy,
		    r[j]->strategy) == 0 && strcmp(r[i]->period,
		    r[j]->period) == 0; j++)
			;
		/* the first (by id) in that period with the same genome */
		for (k = j; k < n && strcmp(r[j]->strategy,
		    r[k]->strategy) == 0 && strcmp(r[j]->period,
		    r[k]->period) == 0 && strcmp(r[i]->genome,
		    r[k]->genome) != 0; k++)
			;
		if (k == n || strcmp(r[i]->strategy, r[k]->strategy) != 0 ||
		    strcmp(r[j]->period, r[k]->period) != 0) {
			(*last)++;
			continue;
		}
		(*rows)++;
		if (o == NULL)
			continue;
		tl_buf_reset(b);
		tl_buf_adds(b, "{\"strategy\":");
		tl_jv_append_string(b, r[i]->strategy, strlen(r[i]->strategy));
		tl_buf_adds(b, ",\"period\":");
		tl_jv_append_string(b, r[i]->period, strlen(r[i]->period));
		row_key(b, "genome", r[i]->genome);
		row_key(b, "metrics", r[i]->metrics);
		row_key(b, "next_roi", r[k]->roi);
		if (r[k]->sharpe != NULL)
			row_key(b, "next_sharpe", r[k]->sharpe);
		tl_buf_addc(b, '}');
		rc = emit_text(s, E_DATASET, b->data, b->len, err);
	}
	free(r);
	return rc;
}
