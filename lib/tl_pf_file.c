/*
 * The files of an allocation around tl_portfolio's engine: the side
 * inputs tl-allocate reads (the previous allocation, expected returns,
 * retirements and tl-overfit's alerts, each a JSONL or CSV record file)
 * and what it writes (a line per strategy, and the summary object
 * "tl-allocation-summary" version 1).  The byte layout of each is in
 * tl-allocate(1).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tl_json.h"
#include "tl_opt.h"
#include "tl_out.h"
#include "tl_pf_file.h"
#include "tl_qp.h"
#include "tl_records.h"
#include "tl_time.h"
#include "tl_util.h"

/* ---- the side inputs -------------------------------------------------- */

/* A copy of s that in owns. */
static const char *
keep(struct tl_pf_inputs *in, const char *s)
{
	if (s == NULL)
		return NULL;
	in->strings = tl_xreallocarray(in->strings, in->nstrings + 1,
	    sizeof(char *));
	return in->strings[in->nstrings++] = tl_xstrdup(s);
}

void
tl_pf_inputs_release(struct tl_pf_inputs *in)
{
	size_t i;

	for (i = 0; i < in->nstrings; i++)
		free(in->strings[i]);
	free(in->strings);
	free(in->prev);
	free(in->mu);
	free(in->retired);
	free(in->alerts);
}

/* Field key of rec as a string that must be there (0), or -1 with err
 * "field 'x': missing" or the type error. */
static int
need_string(const json_t *rec, const char *key, const char **out,
    const char *name, unsigned long line, struct tl_err *err)
{
	int r = tl_json_get_string(rec, key, out, name, line, err);

	if (r == 0)
		tl_err_set(err, TL_EX_DATAERR, name, line, "field '%s': "
		    "missing", key);
	return r == 1 ? 0 : -1;
}

/* Every record of path to take(); the first error stops. */
static int
each_record(const char *path, struct tl_pf_inputs *in, void *dst,
    int (*take)(struct tl_pf_inputs *, void *, const json_t *, const char *,
    unsigned long, struct tl_err *), struct tl_err *err)
{
	struct tl_records *r;
	json_t *rec;
	int rc;

	if ((r = tl_records_open(path, TL_FMT_AUTO, err)) == NULL)
		return -1;
	while ((rc = tl_records_next(r, &rec, err)) == 1) {
		rc = take(in, dst, rec, tl_records_name(r),
		    tl_records_line(r), err);
		json_decref(rec);
		if (rc == -1)
			break;
	}
	tl_records_free(r);
	return rc == 0 ? 0 : -1;
}

/* strategy -> number: --prev (weight) or --mu (expected_return). */
struct named_dst {
	const char		 *key;
	struct tl_pf_named	**v;
	size_t			 *n;
};

static int
take_named(struct tl_pf_inputs *in, void *dst, const json_t *rec,
    const char *name, unsigned long line, struct tl_err *err)
{
	struct named_dst *d = dst;
	const char *s;
	double v;
	size_t i;
	int r;

	if (need_string(rec, "strategy", &s, name, line, err) == -1)
		return -1;
	if ((r = tl_json_get_number(rec, d->key, &v, name, line, err)) != 1)
		return r == 0 ? tl_err_set(err, TL_EX_DATAERR, name, line,
		    "field '%s': missing", d->key) : -1;
	for (i = 0; i < *d->n; i++)
		if (strcmp((*d->v)[i].name, s) == 0)
			return tl_err_set(err, TL_EX_DATAERR, name, line,
			    "strategy '%s' appears twice", s);
	*d->v = tl_xreallocarray(*d->v, *d->n + 1, sizeof(**d->v));
	(*d->v)[*d->n].name = keep(in, s);
	(*d->v)[(*d->n)++].v = v;
	return 0;
}

/* A retirement: strategy, and ts as a time (text or epoch number). */
static int
take_retired(struct tl_pf_inputs *in, void *dst, const json_t *rec,
    const char *name, unsigned long line, struct tl_err *err)
{
	const json_t *ts = json_object_get(rec, "ts");
	const char *s;
	int64_t ms;
	int ok;

	(void)dst;
	if (need_string(rec, "strategy", &s, name, line, err) == -1)
		return -1;
	if (ts == NULL || json_is_null(ts))
		return tl_err_set(err, TL_EX_DATAERR, name, line, "field "
		    "'ts': missing");
	ok = json_is_string(ts) ? tl_time_parse(json_string_value(ts),
	    json_string_length(ts), &ms) == 0 : json_is_number(ts) &&
	    tl_time_from_epoch(json_number_value(ts), &ms) == 0;
	if (!ok)
		return tl_err_set(err, TL_EX_DATAERR, name, line, "field "
		    "'ts': not a time (RFC 3339 or epoch seconds)");
	in->retired = tl_xreallocarray(in->retired, in->nretired + 1,
	    sizeof(*in->retired));
	in->retired[in->nretired].strategy = keep(in, s);
	tl_time_format_date(in->retired[in->nretired++].date, ms);
	return 0;
}

/* An alert of tl-overfit: strategy, a known action, acknowledged. */
static int
take_alert(struct tl_pf_inputs *in, void *dst, const json_t *rec,
    const char *name, unsigned long line, struct tl_err *err)
{
	static const char *opt[] = { "kind", "severity", "since" };
	const char *s, *act, *v[3] = { NULL, NULL, NULL };
	char list[128];
	const json_t *ack = json_object_get(rec, "acknowledged");
	struct tl_pf_alert *a;
	size_t i;

	(void)dst;
	if (need_string(rec, "strategy", &s, name, line, err) == -1 ||
	    need_string(rec, "action", &act, name, line, err) == -1)
		return -1;
	if (tl_pf_action_demotes(act) == -1) {
		tl_word_list(list, sizeof(list), tl_pf_actions, tl_pf_nactions,
		    sizeof(tl_pf_actions[0]));
		return tl_err_set(err, TL_EX_DATAERR, name, line, "field "
		    "'action': unknown '%s' (%s)", act, list);
	}
	if (ack == NULL || !json_is_boolean(ack))
		return tl_err_set(err, TL_EX_DATAERR, name, line, "field "
		    "'acknowledged': expected boolean, got %s", ack == NULL ?
		    "none" : tl_json_typename(ack));
	for (i = 0; i < TL_NELEM(opt); i++)
		if (tl_json_get_string(rec, opt[i], &v[i], name, line,
		    err) == -1)
			return -1;
	in->alerts = tl_xreallocarray(in->alerts, in->nalerts + 1,
	    sizeof(*in->alerts));
	a = &in->alerts[in->nalerts++];
	a->strategy = keep(in, s);
	a->action = keep(in, act);
	a->acknowledged = json_is_true(ack);
	a->kind = keep(in, v[0]);
	a->severity = keep(in, v[1]);
	a->since = keep(in, v[2]);
	return 0;
}

int
tl_pf_inputs_read(struct tl_pf_inputs *in, const char *prev,
    const char *mu, const char *retired, const char *alerts,
    struct tl_err *err)
{
	struct named_dst dprev = { "weight", &in->prev, &in->nprev };
	struct named_dst dmu = { "expected_return", &in->mu, &in->nmu };

	return (prev != NULL && each_record(prev, in, &dprev, take_named,
	    err) == -1) || (mu != NULL && each_record(mu, in, &dmu,
	    take_named, err) == -1) || (retired != NULL &&
	    each_record(retired, in, NULL, take_retired, err) == -1) ||
	    (alerts != NULL && each_record(alerts, in, NULL, take_alert,
	    err) == -1) ? -1 : 0;
}

void
tl_pf_inputs_use(const struct tl_pf_inputs *in, struct tl_pf_opts *p)
{
	p->prev = in->prev;
	p->nprev = in->nprev;
	p->mu = in->mu;
	p->nmu = in->nmu;
	p->retired = in->retired;
	p->nretired = in->nretired;
	p->alerts = in->alerts;
	p->nalerts = in->nalerts;
}

/* ---- the allocation's lines and its summary --------------------------- */

static json_t *
str(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* The line of a strategy without weight tonight. */
static json_t *
zero_row(const char *name, double prev)
{
	return json_pack("{s:s,s:f,s:o,s:o,s:n,s:n,s:f}", "strategy", name,
	    "weight", 0.0, "prev_weight", tl_json_num(prev), "change", tl_json_num(0 - prev),
	    "expected_return", "volatility", "risk_contribution", 0.0);
}

/* The line of panel strategy j. */
static json_t *
row(const struct tl_portfolio *pf, size_t j, double var)
{
	const struct tl_pf_strategy *s = &pf->all[j];
	size_t n = pf->n, i = (size_t)s->idx, k;
	double r = 0, w;
	json_t *rec;

	if (s->idx < 0)
		rec = zero_row(s->name, s->prev);
	else {
		w = pf->w[i];
		for (k = 0; k < n; k++)
			r += pf->cov[i * n + k] * pf->w[k];
		rec = json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "strategy",
		    s->name, "weight", tl_json_num(w), "prev_weight",
		    tl_json_num(pf->prev[i]), "change", tl_json_num(w - pf->prev[i]),
		    "expected_return", tl_json_num(pf->mu[i]), "volatility",
		    tl_json_num(sqrt(pf->cov[i * n + i])), "risk_contribution",
		    tl_json_num(var > 0 ? w * r / var : NAN));
	}
	if (s->status != TL_PF_IN) {
		json_object_set_new(rec, "status",
		    json_string(tl_pf_status_name(s->status)));
		json_object_set_new(rec, "reason", json_string(s->reason));
	}
	return rec;
}

int
tl_pf_write_rows(struct tl_out *out, const struct tl_portfolio *pf,
    const struct tl_pf_named *prev, size_t nprev, struct tl_err *err)
{
	size_t i, j, k, nd = 0;
	double var = tl_portfolio_var(pf, pf->w);
	const struct tl_pf_named **dropped = NULL;
	json_t *rec;
	int rc = 0;

	for (k = 0; k < nprev; k++) {	/* no longer in the returns */
		for (j = 0; j < pf->nall; j++)
			if (strcmp(pf->all[j].name, prev[k].name) == 0)
				break;
		if (j == pf->nall) {
			dropped = tl_xreallocarray(dropped, nd + 1,
			    sizeof(*dropped));
			dropped[nd++] = &prev[k];
		}
	}
	for (i = 0, j = 0; rc == 0 && (i < pf->nall || j < nd);) {
		/* merge in name order; dropped names are not sorted */
		size_t bj = nd;

		for (k = 0; k < nd; k++)
			if (dropped[k] != NULL && (bj == nd ||
			    strcmp(dropped[k]->name, dropped[bj]->name) < 0))
				bj = k;
		if (bj < nd && (i == pf->nall || strcmp(dropped[bj]->name,
		    pf->all[i].name) < 0)) {
			rec = zero_row(dropped[bj]->name, dropped[bj]->v);
			dropped[bj] = NULL;	/* done */
			j++;
		} else
			rec = row(pf, i++, var);
		rc = tl_out_write(out, rec, err);
		json_decref(rec);
	}
	free(dropped);
	return rc;
}

/* Weights at a limit, as a JSON array of names. */
static json_t *
at_limit(const struct tl_portfolio *pf, const double *lim)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < pf->n; i++)
		if (fabs(pf->w[i] - lim[i]) <= 1e-12)
			json_array_append_new(a, json_string(pf->names[i]));
	return a;
}

/* {"constraint": name, "strategies": a} appended to act if a is not
 * empty. */
static void
add_active(json_t *act, const char *name, json_t *a)
{
	if (json_array_size(a) > 0)
		json_array_append_new(act, json_pack("{s:s,s:o}",
		    "constraint", name, "strategies", a));
	else
		json_decref(a);
}

static json_t *
active_constraints(const struct tl_pf_opts *p, const struct tl_portfolio *pf)
{
	json_t *act = json_array(), *g;
	size_t i, k;
	double v = sqrt(tl_portfolio_var(pf, pf->w)), sum;

	if (pf->used == TL_PF_CASH)
		return act;	/* no weight at a limit holds anything */
	if (p->min_weight > 0)
		add_active(act, "min-weight", at_limit(pf, pf->lo));
	if (pf->max_weight < 1)
		add_active(act, "max-weight", at_limit(pf, pf->hi));
	if (!isnan(p->max_vol) && fabs(v - p->max_vol) <= 1e-9 * p->max_vol)
		json_array_append_new(act, json_pack("{s:s,s:o}",
		    "constraint", "max-vol", "value", tl_json_num(p->max_vol)));
	for (k = 0; k < pf->ngroups; k++) {
		sum = 0;
		g = json_array();
		for (i = 0; i < pf->n; i++)
			if (pf->group[i] == k) {
				sum += pf->w[i];
				json_array_append_new(g,
				    json_string(pf->names[i]));
			}
		if (fabs(sum - pf->cap[k]) <= 1e-12)
			add_active(act, "max-corr", g);
		else
			json_decref(g);
	}
	if (!isnan(pf->max_turnover) && fabs(tl_portfolio_turnover(pf,
	    pf->w) - pf->max_turnover) <= 1e-9)
		json_array_append_new(act, json_pack("{s:s,s:o}",
		    "constraint", "max-turnover", "value",
		    tl_json_num(pf->max_turnover)));
	return act;
}

/* Tonight's strategies by status, and each one left out or capped. */
static void
add_excluded(json_t *v, const struct tl_portfolio *pf)
{
	json_t *counts = json_object(), *ex = json_array(), *e;
	const struct tl_pf_strategy *s;
	enum tl_pf_status st;
	size_t j;

	json_object_set_new(counts, "returns",
	    json_integer((json_int_t)pf->nall));
	json_object_set_new(counts, "allocated",
	    json_integer((json_int_t)pf->n));
	for (st = TL_PF_RETIRED; st < TL_PF_NSTATUS; st++)
		json_object_set_new(counts, tl_pf_status_name(st),
		    json_integer((json_int_t)pf->count[st]));
	for (j = 0; j < pf->nall; j++) {
		if ((s = &pf->all[j])->status == TL_PF_IN)
			continue;
		e = json_pack("{s:s,s:s,s:s}", "strategy", s->name, "status",
		    tl_pf_status_name(s->status), "reason", s->reason);
		if (s->alert != NULL) {
			json_object_set_new(e, "kind", str(s->alert->kind));
			json_object_set_new(e, "severity",
			    str(s->alert->severity));
			json_object_set_new(e, "since", str(s->alert->since));
		}
		json_array_append_new(ex, e);
	}
	json_object_set_new(v, "counts", counts);
	json_object_set_new(v, "excluded", ex);
}

/* What tonight's allocation is: asof, the covariance used and why, the
 * fallback, cash, the strategies left out. */
static void
add_tonight(json_t *v, const struct tl_pf_opts *p,
    const struct tl_portfolio *pf)
{
	int pw = pf->pairwise;

	json_object_set_new(v, "asof", json_string(pf->asof));
	json_object_set_new(v, "covariance",
	    json_string(tl_pf_covariance_name(pf->covariance)));
	json_object_set_new(v, "covariance_reason", str(pf->cov_reason));
	json_object_set_new(v, "common_days",
	    json_integer((json_int_t)pf->common_days));
	json_object_set_new(v, "min_pair_days", pw ?
	    json_integer((json_int_t)pf->min_pair_days) : json_null());
	json_object_set_new(v, "unmeasured_pairs", pw ?
	    json_integer((json_int_t)pf->unmeasured) : json_null());
	json_object_set_new(v, "repair_iterations", pf->repair > 0 ?
	    json_integer(pf->repair) : json_null());
	json_object_set_new(v, "fallback", pf->fell_back ?
	    json_pack("{s:s,s:s,s:s}", "from", tl_pf_methods[p->method].name,
	    "to", pf->used == TL_PF_CASH ? "cash" :
	    tl_pf_methods[pf->used].name, "reason", pf->fb_reason) :
	    json_null());
	json_object_set_new(v, "cash", tl_json_num(pf->cash));
	json_object_set_new(v, "max_weight_applied", tl_json_num(pf->max_weight));
	add_excluded(v, pf);
}

/* The effective number of strategies, (sum w)^2 / sum w^2 (1 / sum w^2
 * when fully invested); NaN in cash. */
double
tl_pf_effective_n(const struct tl_portfolio *pf)
{
	double h = 0, s = 1 - pf->cash;
	size_t i;

	for (i = 0; i < pf->n; i++)
		h += pf->w[i] * pf->w[i];
	return s * s / h;
}

json_t *
tl_pf_summary(const struct tl_pf_opts *p, const struct tl_portfolio *pf,
    int has_prev)
{
	json_t *v, *cons;
	double var = tl_portfolio_var(pf, pf->w), r;
	size_t i, ngrouped = 0;

	r = tl_portfolio_ret(pf, pf->w);
	for (i = 0; i < pf->n; i++)
		ngrouped += pf->group != NULL && pf->group[i] != TL_QP_NOGROUP;
	cons = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "min_weight",
	    tl_json_num(p->min_weight), "max_weight", tl_json_num(p->max_weight), "max_vol",
	    tl_json_num(p->max_vol), "max_corr", tl_json_num(p->max_corr), "max_turnover",
	    tl_json_num(p->max_turnover), "min_trade", p->min_trade > 0 ?
	    tl_json_num(p->min_trade) : json_null(), "risk_aversion",
	    tl_pf_methods[p->method].risk_aversion ? tl_json_num(p->lambda) :
	    json_null());
	v = json_pack("{s:s,s:i,s:s,s:s,s:s,s:s,s:o,s:o,s:I,s:I,s:o,s:o,"
	    "s:o}", "format", TL_PF_SUMMARY_FORMAT, "version",
	    TL_PF_SUMMARY_VERSION,
	    "method", tl_pf_methods[p->method].name, "estimator",
	    tl_pf_estimators[p->estimator].name, "returns",
	    tl_pf_mu_ests[p->returns].name, "missing",
	    tl_pf_gap_modes[p->missing].name, "annualize", tl_json_num(p->annualize),
	    "halflife", tl_pf_estimators[p->estimator].halflife ||
	    tl_pf_mu_ests[p->returns].ewma ? tl_json_num(p->halflife) : json_null(),
	    "strategies", (json_int_t)pf->n, "days", (json_int_t)pf->days,
	    "first_date", str(pf->first), "last_date", str(pf->last),
	    "shrinkage", tl_json_num(pf->shrink));
	json_object_set_new(v, "returns_shrinkage", tl_json_num(pf->mu_shrink));
	json_object_set_new(v, "expected_return", tl_json_num(r));
	json_object_set_new(v, "volatility", tl_json_num(sqrt(var)));
	json_object_set_new(v, "risk_free", tl_json_num(p->rf));
	json_object_set_new(v, "sharpe", tl_json_num(var > 0 ? (r - p->rf) /
	    sqrt(var) : NAN));
	json_object_set_new(v, "effective_n", tl_json_num(tl_pf_effective_n(pf)));
	json_object_set_new(v, "turnover", has_prev ?
	    tl_json_num(tl_portfolio_turnover(pf, pf->w)) : json_null());
	json_object_set_new(v, "turnover_forced", has_prev ?
	    tl_json_num(pf->turnover_forced) : json_null());
	json_object_set_new(v, "max_turnover_applied", tl_json_num(pf->max_turnover));
	json_object_set_new(v, "correlated_groups",
	    json_integer((json_int_t)pf->ngroups));
	json_object_set_new(v, "grouped_strategies",
	    json_integer((json_int_t)ngrouped));
	json_object_set_new(v, "constraints", cons);
	json_object_set_new(v, "constraints_active",
	    active_constraints(p, pf));
	json_object_set_new(v, "qp_solves",
	    json_integer((json_int_t)pf->qp_solves));
	add_tonight(v, p, pf);
	return v;
}

