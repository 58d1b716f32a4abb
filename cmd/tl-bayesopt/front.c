/*
 * tl-bayesopt front: the non-dominated complete and feasible trials of a
 * history with several --objective values (tl_pareto_rank), in file
 * order, or with --hypervolume one record of the front's hypervolume
 * against --ref-point (tl_pareto_hv).  run_front is the same for the end
 * of a run.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "bayesopt.h"
#include "tl_err.h"
#include "tl_num.h"
#include "tl_pareto.h"
#include "tl_records.h"
#include "tl_space.h"
#include "tl_util.h"

/* the options that front takes (getopt's values; -h and -V exit) */
static const int front_opts[] = { 'H', 'i', 'o', 'q', 'v', O_PARAMS_FIELD,
    O_OBJECTIVE, O_REF_POINT, O_HYPERVOLUME };

/* The non-dominated records of recs (an array, stolen) by their losses
 * y[n * nobj], in their order; with --hypervolume, one record of the
 * front's hypervolume instead.  New; NULL when n is 0. */
static json_t *
front_of(const struct opts *o, json_t *recs, const double *y, size_t n)
{
	size_t *rank, i, k = 0;
	json_t *out, *hv;
	double *fy;

	if (n == 0) {
		json_decref(recs);
		return NULL;
	}
	rank = tl_xcalloc(n, sizeof(*rank));
	fy = tl_xcalloc(n * o->nobj, sizeof(double));
	tl_pareto_rank(y, n, o->nobj, rank);
	out = json_array();
	for (i = 0; i < n; i++)
		if (rank[i] == 0) {
			json_array_append(out, json_array_get(recs, i));
			memcpy(&fy[k++ * o->nobj], &y[i * o->nobj],
			    o->nobj * sizeof(double));
		}
	if (o->hypervolume) {
		hv = json_object();
		json_object_set_new(hv, "hypervolume", json_real(
		    tl_pareto_hv(fy, k, o->nobj, o->ref)));
		json_object_set_new(hv, "reference", values_json(o, o->ref,
		    1));
		json_object_set_new(hv, "front", json_integer((json_int_t)k));
		json_object_set_new(hv, "trials", json_integer((json_int_t)n));
		json_decref(out);
		out = hv;
	}
	free(fy);
	free(rank);
	json_decref(recs);
	return out;
}

/* Several objectives: the front of the complete trials of the history
 * and of this run.  New, or NULL if none completed. */
json_t *
run_front(struct runstate *rs)
{
	const struct opts *o = rs->o;
	size_t m = o->nobj, n = 0, i;
	json_t *recs = json_array(), *r;
	double *y;

	y = tl_xcalloc((rs->h.n + rs->nrun + 1) * m, sizeof(double));
	for (i = 0; i < rs->h.n + rs->nrun; i++) {
		int hist = i < rs->h.n;
		size_t k = i - (hist ? 0 : rs->h.n);
		const double *yi = hist ? rs->h.t[i].y : &rs->y[k * m];

		if (hist ? rs->h.t[i].st != T_COMPLETE || rs->h.t[i].viol > 0 :
		    !rs->done[k] || isnan(rs->val[k]) || rs->prn[k].pruned ||
		    rs->viol[k] > 0)
			continue;
		r = json_object();
		json_object_set_new(r, "trial", json_integer(hist ?
		    rs->h.t[i].cv.id : rs->first + (long)k));
		put_params(r, o, rs->s, hist ? rs->h.t[i].x : rs->x[k]);
		json_object_set_new(r, "values", values_json(o, yi, 1));
		json_array_append_new(recs, r);
		memcpy(&y[n++ * m], yi, m * sizeof(double));
	}
	r = front_of(o, recs, y, n);
	free(y);
	return r;
}

/* Is a trial with total violation viol infeasible?  Then why says so. */
static int
infeasible(double viol, char *why, size_t whylen)
{
	char v[TL_NUM_BUFSZ];

	if (!(viol > 0))
		return 0;
	tl_fmt_double(v, viol);
	snprintf(why, whylen, "infeasible: constraints exceeded by %s in "
	    "all", v);
	return 1;
}

/* One record of a history for front: complete ones with their values. */
struct frontread {
	json_t		*recs;		/* the trials kept */
	double		*y;		/* their losses */
	size_t		 n, cap;	/* kept, allocated */
	size_t		 read, skipped, unreadable;	/* records */
};

static void
front_record(const struct opts *o, void *ctx, const json_t *rec,
    const char *name, unsigned long line)
{
	struct frontread *fr = ctx;
	json_t *v = tl_space_get(rec, o->state_field), *r;
	const char *st = json_string_value(v);
	char why[256];
	double viol;

	if (v != NULL && !json_is_null(v) && (st == NULL ||
	    strcasecmp(st, "complete") != 0)) {
		snprintf(why, sizeof(why), "field '%s': not complete",
		    o->state_field);
		skip_msg(o, name, line, why);
		fr->skipped++;	/* not on the front */
		return;
	}
	if (fr->n == fr->cap) {
		fr->cap = fr->cap ? 2 * fr->cap : 256;
		fr->y = tl_xreallocarray(fr->y, fr->cap * o->nobj,
		    sizeof(double));
	}
	if (read_values(o, rec, &fr->y[fr->n * o->nobj], why,
	    sizeof(why)) == -1 || read_violation(rec, &viol, why,
	    sizeof(why)) == -1 || infeasible(viol, why, sizeof(why))) {
		skip_msg(o, name, line, why);
		fr->skipped++;
		return;
	}
	r = json_object();
	if ((v = json_object_get(rec, "trial")) != NULL)
		json_object_set(r, "trial", v);
	if ((v = tl_space_get(rec, o->params_field)) != NULL)
		json_object_set(r, o->params_field, v);
	json_object_set_new(r, "values", values_json(o,
	    &fr->y[fr->n * o->nobj], 1));
	json_array_append_new(fr->recs, r);
	fr->n++;
}

/* front's options: the objectives', then only these. */
void
front_check(struct opts *o, int argc, char *argv[])
{
	opts_objectives(o);
	opts_only(o, front_opts, TL_NELEM(front_opts), "front takes only -H, "
	    "-i, -o, -q, -v, --objective, --ref-point, --hypervolume and "
	    "--params-field");
	if (o->history == NULL || o->nobj == 0)
		tl_usage_error("front needs the history and its objectives: "
		    "-H FILE --objective NAME:min|max");
	if (optind + 1 < argc)
		tl_usage_error("front takes no operand, got '%s'",
		    argv[optind + 1]);
}

/* front: the non-dominated complete trials of the history. */
int
cmd_front(const struct opts *o, const struct tl_space *s,
    struct tl_err *err)
{
	struct frontread fr = { .recs = json_array() };
	struct tl_records *rs;
	json_t *out = NULL;
	int rc;

	(void)s;	/* the history alone */
	if ((rs = tl_records_open(o->history, o->ifmt, err)) == NULL) {
		json_decref(fr.recs);
		return -1;
	}
	rc = read_records(o, rs, front_record, &fr, &fr.read, &fr.unreadable,
	    err);
	if (rc == 0 && !o->quiet)
		tl_msg("front: %zu trial%s read: %zu complete, %zu skipped, "
		    "%zu unreadable%s", fr.read, fr.read == 1 ? "" : "s", fr.n,
		    fr.skipped, fr.unreadable,
		    fr.skipped > 0 && !o->verbose ? "; -v names them" : "");
	if (rc == 0) {
		out = front_of(o, fr.recs, fr.y, fr.n);
		fr.recs = NULL;
		if (out == NULL)
			rc = tl_err_set(err, TL_EX_DATAERR, tl_records_name(rs),
			    0, "no complete trial with every objective");
	}
	if (rc == 0)
		rc = write_lines(o, out, err);
	json_decref(out);
	json_decref(fr.recs);
	free(fr.y);
	tl_records_free(rs);
	return rc;
}

