/*
 * tl-bayesopt suggest: the next --count points to try, as JSON lines of
 * their params, how each was proposed and its score.  The engine sees
 * the history (running trials as liars) and takes each candidate as a
 * liar for the next; with --around, local moves around the parents;
 * with --model, the best of --screen draws by the meta-model's
 * mean + kappa * sd (model.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "bayesopt.h"
#include "tl_err.h"
#include "tl_out.h"
#include "tl_records.h"
#include "tl_rng.h"
#include "tl_space.h"
#include "tl_tpe.h"
#include "tl_util.h"

/* --around: the parents, each a genome in the space. */
static int
read_parents(struct engine *e, struct tl_err *err)
{
	const struct opts *o = e->o;
	struct tl_records *rs;
	char why[512];
	json_t *rec, *p;
	size_t cap = 0, skipped = 0;
	int rc;

	if ((rs = tl_records_open(o->around, o->ifmt, err)) == NULL)
		return -1;
	while ((rc = tl_records_next(rs, &rec, err)) != 0) {
		if (rc == -1) {
			if (tl_records_failed(rs))
				break;
			tl_records_free(rs);
			return -1;	/* the user's own champions: stop */
		}
		if ((p = tl_space_get(rec, o->params_field)) == NULL &&
		    (p = json_object_get(rec, "params")) == NULL)
			p = json_object_get(rec, "genome");
		if (e->npar == cap) {
			cap = cap ? 2 * cap : 16;
			e->par = tl_xreallocarray(e->par, cap * e->s->n,
			    sizeof(double));
			e->parline = tl_xreallocarray(e->parline, cap,
			    sizeof(long));
		}
		if (p == NULL) {
			snprintf(why, sizeof(why), "no '%s', 'params' or "
			    "'genome' object", o->params_field);
			rc = -1;
		} else
			rc = tl_space_encode(e->s, p, o->ignore_unknown,
			    &e->par[e->npar * e->s->n], why, sizeof(why));
		if (rc == -1) {
			skipped++;
			if (!o->quiet)
				tl_warn("%s:%lu: not a parent: %s",
				    tl_records_name(rs), tl_records_line(rs),
				    why);
		} else
			e->parline[e->npar++] = (long)tl_records_line(rs);
		json_decref(rec);
	}
	rc = tl_records_failed(rs) ? -1 : 0;
	if (rc == 0 && e->npar == 0)
		rc = tl_err_set(err, TL_EX_DATAERR, o->around, 0, "no genome "
		    "in the space to move around%s", skipped ? " (see the "
		    "warnings)" : "");
	tl_records_free(rs);
	return rc;
}

/* Candidate c as its output record. */
static json_t *
cand_json(const struct engine *e, const struct cand *c)
{
	json_t *v;

	v = json_object();
	put_params(v, e->o, e->s, c->x);
	json_object_set_new(v, "source", json_string(c->source));
	json_object_set_new(v, "score", num(c->score));
	if (c->drawn != NULL) {
		json_object_set_new(v, "drawn", json_string(c->drawn));
		json_object_set_new(v, "prediction", num(c->pred));
		json_object_set_new(v, "prediction_sd", num(c->sd));
	}
	if (c->parent > 0)
		json_object_set_new(v, "parent", json_integer(c->parent));
	return v;
}

static int
cmp_score_desc(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->score > y->score)
		return -1;
	if (x->score < y->score)
		return 1;
	return x->x < y->x ? -1 : x->x > y->x;	/* draw order */
}

/* Draw o->screen candidates, let the model score them, keep the best n
 * into c.  Returns the number kept, or -1 with err. */
static long
screen(struct engine *e, struct cand *c, size_t n, struct tl_err *err)
{
	const struct opts *o = e->o;
	struct cand *all;
	double *xs, mean;
	size_t m = (size_t)o->screen, i, k, got = 0;
	const char *drawn;
	long rc = -1;

	all = tl_xcalloc(m, sizeof(*all));
	xs = tl_xcalloc(m * (e->s->n ? e->s->n : 1), sizeof(double));
	drawn = engine_startup(e) ? "sobol" : "tpe";
	if (!engine_startup(e))
		engine_fit(e);
	/* draws are remembered as they come, so that none repeats */
	for (i = 0; i < m * DUP_ROUNDS && got < m; i++) {
		double *x = &xs[got * e->s->n];

		if (strcmp(drawn, "sobol") == 0) {
			if (next_sobol(e, x) == -1)
				break;
		} else
			tl_tpe_sample(e->tpe, e->r, x);
		if (engine_seen(e, x, 1))
			continue;
		all[got].x = x;
		all[got].source = "screened";
		all[got].drawn = drawn;
		got++;
	}
	if (got == 0) {
		rc = tl_err_set(err, TL_EX_DATAERR, o->space, 0, "every point "
		    "of the space was tried");
		goto out;
	}
	if (predict(e, all, got, err) == -1)
		goto out;
	for (i = 0; i < got; i++) {
		mean = all[i].pred;
		all[i].score = o->maximize ? mean + o->kappa * all[i].sd :
		    -(mean - o->kappa * all[i].sd);
	}
	qsort(all, got, sizeof(*all), cmp_score_desc);
	for (k = 0; k < n && k < got; k++) {
		double *dst = c[k].x;	/* the caller's */

		c[k] = all[k];
		c[k].x = dst;
		c[k].score = o->maximize ? all[k].score : -all[k].score;
		memcpy(dst, all[k].x, e->s->n * sizeof(double));
	}
	rc = (long)k;
out:
	free(xs);
	free(all);
	return rc;
}

/* suggest's options: the common ones, then these. */
void
suggest_check(struct opts *o, int argc, char *argv[])
{
	opts_objectives(o);
	opts_search(o);
	if (optind + 1 < argc)
		tl_usage_error("suggest takes no operand, got '%s'",
		    argv[optind + 1]);
	if (o->timeout > 0 || o->jobs != 1)
		tl_usage_error("--jobs and --timeout are for run");
	if (dispatch_given(o))
		tl_usage_error("--dispatch and its options are for run");
	if (o->pp.kind != TL_PRUNE_NONE || o->prune_opt != 0)
		tl_usage_error("--pruner and its options are for run");
	if (!o->count_set)
		o->count = 1;
	if (o->around != NULL && o->model != NULL)
		tl_usage_error("--around and --model exclude each other");
}

/* suggest: the history, then --count candidates on -o. */
int
cmd_suggest(const struct opts *o, const struct tl_space *s,
    struct tl_err *err)
{
	struct engine e;
	struct hist h;
	struct cand *c = NULL;
	struct tl_out *out = NULL;
	double **keep = NULL;
	size_t i, n = (size_t)o->count, made = 0, space;
	long k;
	json_t *v;
	int rc;

	engine_init(&e, o, s);
	if ((rc = hist_read(o, s, &h, 0, err)) == -1)
		goto done;
	hist_summary(o, &h);
	engine_history(&e, &h);
	mo_flush(&e);
	e.r = tl_rng_alloc((uint64_t)o->seed, 0);
	if (o->around != NULL && (rc = read_parents(&e, err)) == -1)
		goto done;
	c = tl_xcalloc(n, sizeof(*c));
	keep = tl_xcalloc(n, sizeof(*keep));
	for (i = 0; i < n; i++)
		c[i].x = keep[i] = tl_xcalloc(s->n ? s->n : 1, sizeof(double));
	if (o->model != NULL) {
		if ((k = screen(&e, c, n, err)) == -1) {
			rc = -1;
			goto done;
		}
		made = (size_t)k;
	} else
		for (made = 0; made < n; made++) {
			if (propose(&e, made, &c[made]) == -1)
				break;
			engine_take(&e, c[made].x);
		}
	if (made < n) {
		space = tl_space_size(s);
		if (made == 0) {	/* nothing new: "no", not an error */
			rc = tl_err_set(err, TL_EX_FALSE, o->space, 0,
			    "every point of the space was tried");
			goto done;
		}
		if (!o->quiet)
			tl_warn("only %zu new points%s", made, space > 0 ?
			    " are left in the space" : " found");
	}
	if ((out = tl_out_open(o->output, TL_FMT_JSONL, err)) == NULL) {
		rc = -1;
		goto done;
	}
	for (i = 0; i < made && rc == 0; i++) {
		v = cand_json(&e, &c[i]);
		rc = tl_out_write(out, v, err);
		json_decref(v);
	}
	if (rc == 0)
		rc = tl_out_close(out, err);
	else
		tl_out_abort(out);
done:
	for (i = 0; keep != NULL && i < n; i++)
		free(keep[i]);
	free(keep);
	free(c);
	hist_release(&h);
	engine_release(&e);
	return rc;
}
