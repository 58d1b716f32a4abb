/*
 * The engine of tl_portfolio.h: selection, the covariance stages, the
 * methods (the QP ones along the path of min 1/2 w'Cw - t mu'w, the
 * volatility cap and the turnover limit met exactly by searching the
 * path parameter), the minimum-trade heuristic and the fallbacks.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_cov.h"
#include "tl_portfolio.h"
#include "tl_qp.h"
#include "tl_util.h"

#define IDENTICAL_CORR	(1 - 1e-12)	/* two strategies are one */
#define PATH_BISECT	200		/* bisection steps on a path */
#define PATH_DOUBLE	200		/* doublings to find a bracket */
#define PATH_END	1e9		/* parameter / (its rival's scale) past
					 * which the path is at its end */
#define BOUND_TOL	1e-12		/* a sum of bounds within this of 1 */
#define IDENT_DAYS	3		/* fewer shared days always correlate
					 * perfectly (two points on a line) */
#define REPAIR_FLOOR	1e-8		/* least eigenvalue of a repaired
					 * correlation matrix */
#define REPAIR_TOL	1e-10		/* Higham's relative change to stop */
#define POSDEF_MARGIN	1e-6		/* a stage's estimate positive
					 * definite by this margin stays so
					 * annualised (see posdef_check) */
#define TURNOVER_TOL	1e-15		/* per weight: the solver's least
					 * turnover may exceed the closed form
					 * by the rounding of its sum */

/* ---- the tables ------------------------------------------------------- */

static int	check_mv(const struct tl_portfolio *, const struct tl_pf_opts *,
		    struct tl_err *);
static int	check_maxsharpe(const struct tl_portfolio *,
		    const struct tl_pf_opts *, struct tl_err *);
static int	solve_minvar(struct tl_portfolio *, const struct tl_pf_opts *,
		    double *, struct tl_err *);
static int	solve_mv(struct tl_portfolio *, const struct tl_pf_opts *,
		    double *, struct tl_err *);
static int	solve_maxsharpe(struct tl_portfolio *,
		    const struct tl_pf_opts *, double *, struct tl_err *);
static int	solve_targetvol(struct tl_portfolio *,
		    const struct tl_pf_opts *, double *, struct tl_err *);
static int	solve_erc(struct tl_portfolio *, const struct tl_pf_opts *,
		    double *, struct tl_err *);
static int	solve_hrp(struct tl_portfolio *, const struct tl_pf_opts *,
		    double *, struct tl_err *);
static int	solve_equal(struct tl_portfolio *, const struct tl_pf_opts *,
		    double *, struct tl_err *);

const struct tl_pf_method tl_pf_methods[] = {
	{ "mean-variance", NULL, "the most expected return less "
	    "--risk-aversion/2 times the variance", TL_PF_QP, 1, 0, 1,
	    check_mv, solve_mv },
	{ "min-variance", NULL, "the least variance", TL_PF_QP, 1, 0, 0,
	    NULL, solve_minvar },
	{ "max-sharpe", NULL, "the highest Sharpe ratio", TL_PF_QP, 1, 0, 0,
	    check_maxsharpe, solve_maxsharpe },
	{ "target-vol", NULL, "the most expected return at --max-vol",
	    TL_PF_QP, 1, 1, 0, NULL, solve_targetvol },
	{ "erc", "risk-parity", "equal risk contributions", TL_PF_RISK, 1, 0,
	    0, NULL, solve_erc },
	{ "hrp", NULL, "hierarchical risk parity", TL_PF_RISK, 0, 0, 0, NULL,
	    solve_hrp },
	{ "equal", NULL, "1/n each", TL_PF_FIXED, 0, 0, 0, NULL,
	    solve_equal },
};
const size_t tl_pf_nmethods = TL_NELEM(tl_pf_methods);

static double
est_sample(const double *x, size_t t, size_t p, const double *cross,
    double halflife, double *out)
{
	size_t k;

	(void)x;
	(void)halflife;
	for (k = 0; k < p * p; k++)
		out[k] = cross[k] / ((double)t - 1);
	return NAN;
}

static double
est_lw(const double *x, size_t t, size_t p, const double *cross,
    double halflife, double *out)
{
	(void)halflife;
	return tl_cov_lw_identity(x, t, p, cross, out);
}

static double
est_lwcc(const double *x, size_t t, size_t p, const double *cross,
    double halflife, double *out)
{
	(void)halflife;
	return tl_cov_lw_constcorr(x, t, p, cross, out);
}

static double
est_ewma(const double *x, size_t t, size_t p, const double *cross,
    double halflife, double *out)
{
	(void)cross;
	tl_cov_ewma(x, t, p, halflife, NULL, out);
	return NAN;
}

const struct tl_pf_estimator tl_pf_estimators[] = {
	{ "sample", 0, est_sample, NULL },
	{ "ledoit-wolf", 0, est_lw, tl_cov_lw_identity_floor },
	{ "ledoit-wolf-cc", 0, est_lwcc, NULL },
	{ "ewma", 1, est_ewma, NULL },
};
const size_t tl_pf_nestimators = TL_NELEM(tl_pf_estimators);

const struct tl_pf_mu_est tl_pf_mu_ests[] = {
	{ "mean", 1, 0, 0 },
	{ "ewma", 1, 1, 0 },
	{ "shrunk", 1, 0, 1 },
	{ "file", 0, 0, 0 },
};
const size_t tl_pf_nmu_ests = TL_NELEM(tl_pf_mu_ests);

/* The covariance stages, in the order auto tries them. */
enum stage { C_ALIGNED, C_PAIRWISE, C_SHRUNK, C_SHORT, C_EQUAL };

struct win;
typedef int stage_fn(struct tl_portfolio *, const struct tl_pf_opts *,
    struct win *, double *, struct tl_err *);
static stage_fn st_aligned, st_pairwise, st_shrunk, st_short, st_equal;

static const struct {
	const char	*name;
	stage_fn	*fn;
} stages[] = {
	[C_ALIGNED] = { "aligned", st_aligned },
	[C_PAIRWISE] = { "pairwise", st_pairwise },
	[C_SHRUNK] = { "pairwise-shrunk", st_shrunk },
	[C_SHORT] = { "short-window", st_short },
	[C_EQUAL] = { "equal-weight", st_equal },
};

const struct tl_pf_gap_mode tl_pf_gap_modes[] = {
	{ "auto", 0, C_ALIGNED, 0 },
	{ "aligned", 1, C_ALIGNED, 0 },
	{ "pairwise", 1, C_PAIRWISE, 1 },
};
const size_t tl_pf_ngap_modes = TL_NELEM(tl_pf_gap_modes);

const struct tl_pf_fallback tl_pf_fallbacks[] = {
	{ "min-variance", 1, 0 },
	{ "equal", 1, 0 },
	{ "cash", 0, 0 },
	{ "none", 0, 1 },
};
const size_t tl_pf_nfallbacks = TL_NELEM(tl_pf_fallbacks);

const struct tl_pf_unfilled tl_pf_unfilleds[] = {
	{ "cash", 0 },
	{ "relax", 1 },
};
const size_t tl_pf_nunfilleds = TL_NELEM(tl_pf_unfilleds);

static const char *const status_names[TL_PF_NSTATUS] = {
	[TL_PF_IN] = "",
	[TL_PF_RETIRED] = "retired",
	[TL_PF_NOT_LIVE] = "not-live",
	[TL_PF_TOO_FEW_DAYS] = "too-few-days",
	[TL_PF_DEMOTED] = "demoted",
	[TL_PF_CAPPED] = "capped",
};

const struct tl_pf_action tl_pf_actions[] = {
	{ "demote", 1 },
	{ "retrain", 0 },
	{ "watch", 0 },
};
const size_t tl_pf_nactions = TL_NELEM(tl_pf_actions);

long
tl_pf_method_find(const char *s)
{
	size_t i;

	for (i = 0; i < tl_pf_nmethods; i++)
		if (strcmp(s, tl_pf_methods[i].name) == 0 ||
		    (tl_pf_methods[i].alias != NULL &&
		    strcmp(s, tl_pf_methods[i].alias) == 0))
			return (long)i;
	return -1;
}

const char *
tl_pf_covariance_name(size_t stage)
{
	return stage < TL_NELEM(stages) ? stages[stage].name : "";
}

const char *
tl_pf_status_name(enum tl_pf_status s)
{
	return status_names[s];
}

int
tl_pf_action_demotes(const char *s)
{
	long k = tl_table_find(tl_pf_actions, tl_pf_nactions,
	    sizeof(tl_pf_actions[0]), s);

	return k < 0 ? -1 : tl_pf_actions[k].demotes;
}

const char *
tl_pf_retired_on(const struct tl_pf_retired *r, size_t n,
    const char *strategy, const char *asof)
{
	const char *on = NULL;
	size_t k;

	for (k = 0; k < n; k++)
		if (strcmp(r[k].strategy, strategy) == 0 &&
		    strcmp(r[k].date, asof) <= 0 &&
		    (on == NULL || strcmp(r[k].date, on) < 0))
			on = r[k].date;
	return on;
}

/* A new string, printf-style. */
static char *
fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *
fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	s = tl_xmalloc((size_t)(n > 0 ? n : 0) + 1);
	va_start(ap, f);
	vsnprintf(s, (size_t)(n > 0 ? n : 0) + 1, f, ap);
	va_end(ap);
	return s;
}

/* No answer: err set (TL_EX_DATAERR, no position), returns 1. */
static int
noanswer(struct tl_err *err, const char *f, ...)
    __attribute__((format(printf, 2, 3)));

static int
noanswer(struct tl_err *err, const char *f, ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	va_start(ap, f);
	vsnprintf(msg, sizeof(msg), f, ap);
	va_end(ap);
	tl_err_set(err, TL_EX_DATAERR, NULL, 0, "%s", msg);
	return 1;
}

/* ---- portfolio figures ------------------------------------------------ */

double
tl_portfolio_var(const struct tl_portfolio *pf, const double *w)
{
	double v = 0, r;
	size_t i, j, n = pf->n;

	for (i = 0; i < n; i++) {
		if (w[i] == 0)
			continue;
		r = 0;
		for (j = 0; j < n; j++)
			r += pf->cov[i * n + j] * w[j];
		v += w[i] * r;
	}
	return v;
}

double
tl_portfolio_ret(const struct tl_portfolio *pf, const double *w)
{
	double r = 0;
	size_t i;

	for (i = 0; i < pf->n; i++)
		r += pf->mu[i] * w[i];
	return r;
}

/* sum |w - prev| over the problem only. */
static double
turnover(const struct tl_portfolio *pf, const double *w)
{
	double s = 0;
	size_t i;

	for (i = 0; i < pf->n; i++)
		s += fabs(w[i] - pf->prev[i]);
	return s;
}

double
tl_portfolio_turnover(const struct tl_portfolio *pf, const double *w)
{
	return turnover(pf, w) + pf->out + pf->gone;
}

static double
pvar(const struct tl_portfolio *pf, const double *w)
{
	return tl_portfolio_var(pf, w);
}

static double
pret(const struct tl_portfolio *pf, const double *w)
{
	return tl_portfolio_ret(pf, w);
}

/* ---- who takes part --------------------------------------------------- */

/* The panel rows on or before --asof and the window inside them. */
static int
window(struct tl_portfolio *pf, const struct tl_panel *pn,
    const struct tl_pf_opts *o, struct tl_err *err)
{
	size_t t = pn->ndates;

	if (o->asof != NULL)
		snprintf(pf->asof, sizeof(pf->asof), "%s", o->asof);
	else
		snprintf(pf->asof, sizeof(pf->asof), "%s",
		    pn->dates[pn->ndates - 1]);
	while (t > 0 && strcmp(pn->dates[t - 1], pf->asof) > 0)
		t--;	/* after the night: not used */
	if (t == 0)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "no returns on "
		    "or before --asof %s (the first date is %s)", pf->asof,
		    pn->dates[0]);
	pf->t1 = t;
	pf->t0 = o->window > 0 && (size_t)o->window < t ? t -
	    (size_t)o->window : 0;
	return 0;
}

/* The status of strategy j (see tl_portfolio.h). */
static void
classify(struct tl_portfolio *pf, const struct tl_panel *pn,
    const struct tl_pf_opts *o, size_t j, long need)
{
	struct tl_pf_strategy *s = &pf->all[j];
	const char *retired;
	int64_t now, then;
	size_t t, k, n = pn->nseries;
	long last = -1;

	for (t = pf->t0; t < pf->t1; t++)
		s->days += !isnan(pn->x[t * n + j]);
	for (t = pf->t1; t-- > 0;)
		if (!isnan(pn->x[t * n + j])) {
			last = (long)t;
			break;
		}
	retired = tl_pf_retired_on(o->retired, o->nretired, s->name,
	    pf->asof);
	tl_panel_date_days(pf->asof, &now);
	if (retired != NULL) {
		s->status = TL_PF_RETIRED;
		s->reason = fmt("retired on %s", retired);
		return;
	}
	if (o->live_days > 0 && last < 0) {
		s->status = TL_PF_NOT_LIVE;
		s->reason = fmt("no return on or before %s", pf->asof);
		return;
	}
	if (o->live_days > 0) {
		tl_panel_date_days(pn->dates[last], &then);
		if (now - then > o->live_days) {
			s->status = TL_PF_NOT_LIVE;
			s->reason = fmt("last return on %s, %lld days before "
			    "%s; live means within %ld", pn->dates[last],
			    (long long)(now - then), pf->asof, o->live_days);
			return;
		}
	}
	if (s->days == 0 || (long)s->days < need) {
		s->status = TL_PF_TOO_FEW_DAYS;
		s->reason = s->days == 0 ? fmt("no return in the window") :
		    fmt("%zu day%s with a return in the window, fewer than "
		    "%ld", s->days, s->days == 1 ? "" : "s", need);
		return;
	}
	for (k = 0; k < o->nalerts; k++)
		if (strcmp(o->alerts[k].strategy, s->name) == 0 &&
		    !o->alerts[k].acknowledged &&
		    tl_pf_action_demotes(o->alerts[k].action) == 1)
			break;
	if (k == o->nalerts)
		return;
	s->alert = &o->alerts[k];
	if (o->demoted_max_weight > 0) {
		s->status = TL_PF_CAPPED;
		s->reason = fmt("unacknowledged demote alert: weight at most "
		    "%g", o->demoted_max_weight);
	} else {
		s->status = TL_PF_DEMOTED;
		s->reason = fmt("unacknowledged demote alert");
	}
}

/* The bounds of the problem's strategies and the --max-corr group caps
 * when --max-weight is c: a capped (demoted) strategy keeps at most
 * --demoted-max-weight. */
static void
set_caps(struct tl_portfolio *pf, const struct tl_pf_opts *o, double c)
{
	size_t j, k;
	long i;

	for (j = 0; j < pf->nall; j++) {
		if ((i = pf->all[j].idx) < 0)
			continue;
		pf->hi[i] = pf->all[j].status == TL_PF_CAPPED ? fmin(c,
		    o->demoted_max_weight) : c;
		pf->lo[i] = fmin(o->min_weight, pf->hi[i]);
	}
	for (k = 0; k < pf->ngroups; k++)
		pf->cap[k] = c;
}

/* Statuses, the problem's strategies and their previous weights. */
static void
select_strategies(struct tl_portfolio *pf, const struct tl_panel *pn,
    const struct tl_pf_opts *o)
{
	size_t j, k, n = 0;
	long need = o->min_days;
	long idx;

	if (o->window > 0 && o->window < need)
		need = o->window;	/* a window shorter than --min-days */
	pf->nall = pn->nseries;
	pf->all = tl_xcalloc(pf->nall, sizeof(*pf->all));
	for (j = 0; j < pf->nall; j++) {
		pf->all[j].name = pn->names[j];
		pf->all[j].idx = -1;
		classify(pf, pn, o, j, need);
		pf->count[pf->all[j].status]++;
		if (pf->all[j].status == TL_PF_IN ||
		    pf->all[j].status == TL_PF_CAPPED)
			pf->all[j].idx = (long)n++;
	}
	pf->n = n;
	pf->names = tl_xcalloc(n, sizeof(*pf->names));
	pf->prev = tl_xcalloc(n, sizeof(double));
	pf->lo = tl_xcalloc(n, sizeof(double));
	pf->hi = tl_xcalloc(n, sizeof(double));
	for (j = 0; j < pf->nall; j++)
		if ((idx = pf->all[j].idx) >= 0)
			pf->names[idx] = pf->all[j].name;
	set_caps(pf, o, o->max_weight);
	for (k = 0; k < o->nprev; k++) {
		long c = tl_panel_series(pn, o->prev[k].name);

		if (c < 0) {
			pf->gone += fabs(o->prev[k].v);
			continue;
		}
		pf->all[c].prev = o->prev[k].v;
		if (pf->all[c].idx >= 0)
			pf->prev[pf->all[c].idx] = o->prev[k].v;
		else
			pf->out += fabs(o->prev[k].v);
	}
}

/* A --min-weight that no book of this many strategies meets: the
 * options, not tonight's data, are wrong.  (Caps that sum to less than
 * 1 leave the rest in cash: see the top of tl_portfolio.h.) */
static int
book_bounds(const struct tl_portfolio *pf, const struct tl_pf_opts *o,
    struct tl_err *err)
{
	double n = (double)pf->nall;

	if (n * o->min_weight > 1 + BOUND_TOL)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "--min-weight "
		    "%g times %zu strategies is %g, more than 1: no "
		    "allocation sums to 1", o->min_weight, pf->nall,
		    n * o->min_weight);
	return 0;
}

/* ---- estimation ------------------------------------------------------- */

/* The window over the problem's strategies. */
struct win {
	const struct tl_panel *pn;
	double		*x;		/* t x n, NaN gaps */
	size_t		 t, n;
	char *const	*dates;		/* t */
	size_t		 need;		/* aligned days wanted */
	double		*pcov;		/* pairwise covariance, or NULL */
	double		*pcorr;		/* pairwise correlation */
	size_t		*pdays;		/* days each pair shares */
	int		 strict;	/* --missing aligned or pairwise */
};

/* Each strategy's mean over its own days, by -r (mean or ewma). */
static void
own_means(const struct tl_pf_opts *o, const struct win *wv, double *mean)
{
	double *col = tl_xcalloc(wv->t, sizeof(double)), s, m;
	size_t i, t, k;

	for (i = 0; i < wv->n; i++) {
		s = 0;
		k = 0;
		for (t = 0; t < wv->t; t++)
			if (!isnan(wv->x[t * wv->n + i])) {
				s += wv->x[t * wv->n + i];
				col[k++] = wv->x[t * wv->n + i];
			}
		mean[i] = k > 0 ? s / (double)k : NAN;
		if (k > 0 && tl_pf_mu_ests[o->returns].ewma) {
			tl_cov_ewma(col, k, 1, o->halflife, &m, &s);
			mean[i] = m;
		}
	}
	free(col);
}

/* From rows (a list of window rows, no gap among the problem's
 * strategies): the estimator's covariance into pf->cov, the cross
 * products into pf->corr, the means.  Returns the rows' matrix (new). */
static double *
from_rows(struct tl_portfolio *pf, const struct tl_pf_opts *o,
    const struct win *wv, const size_t *rows, size_t nr, double *mean)
{
	size_t n = wv->n, i, j, t;
	double *x = tl_xcalloc(nr * n, sizeof(double));

	for (t = 0; t < nr; t++)
		memcpy(x + t * n, wv->x + rows[t] * n, n * sizeof(double));
	pf->days = nr;
	pf->first = wv->dates[rows[0]];
	pf->last = wv->dates[rows[nr - 1]];
	for (j = 0; j < n; j++)
		mean[j] = 0;
	for (t = 0; t < nr; t++)	/* by rows: each sum in day order */
		for (j = 0; j < n; j++)
			mean[j] += x[t * n + j];
	for (j = 0; j < n; j++)
		mean[j] /= (double)nr;
	/* the cross products, once: the sample and Ledoit-Wolf estimates
	 * and the correlation are made from them */
	tl_cov_cross(x, nr, n, pf->corr);
	pf->shrink = tl_pf_estimators[o->estimator].estimate(x, nr, n,
	    pf->corr, o->halflife, pf->cov);
	/* the sample correlation, from the cross products (symmetric to
	 * the bit: one division for both halves) */
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			pf->corr[i * n + j] = pf->corr[j * n + i] =
			    pf->corr[i * n + j] / sqrt(pf->corr[i * n + i] *
			    pf->corr[j * n + j]);
	for (i = 0; i < n; i++)
		pf->corr[i * n + i] = 1;
	if (tl_pf_mu_ests[o->returns].ewma) {
		double *tmp = tl_xcalloc(n * n, sizeof(double));

		tl_cov_ewma(x, nr, n, o->halflife, mean, tmp);
		free(tmp);
	}
	return x;
}

/* Some strategy constant over the rows used (or its variance not
 * positive)?  Its index, or -1. */
static long
constant_in(const struct tl_portfolio *pf, const double *x, size_t nr)
{
	size_t i, t, n = pf->n;

	for (i = 0; i < n; i++)
		if (!(pf->cov[i * n + i] > 0))
			return (long)i;
	for (i = 0; i < n; i++) {
		for (t = 1; t < nr; t++)
			if (x[t * n + i] != x[i])
				break;
		if (t == nr)
			return (long)i;
	}
	return -1;
}

static int
constant_error(const struct tl_portfolio *pf, long i, size_t days,
    struct tl_err *err)
{
	return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "strategy '%s' has "
	    "constant returns over the %zu days used: no risk to allocate by "
	    "(drop it or widen --window)", pf->names[i], days);
}

/* The days of the window with a return for every strategy: their number,
 * and their rows into rows[] unless it is NULL. */
static size_t
common_rows(const struct win *wv, size_t *rows)
{
	size_t n = wv->n, t, j, nr = 0;

	for (t = 0; t < wv->t; t++) {
		for (j = 0; j < n; j++)
			if (isnan(wv->x[t * n + j]))
				break;
		if (j == n && rows != NULL)
			rows[nr] = t;	/* a gap: the day is not used */
		nr += j == n;
	}
	return nr;
}

/* Is the stage's estimate pf->cov (n x n) positive definite?  The
 * margin is kept for posdef_check. */
static int
stage_posdef(struct tl_portfolio *pf, size_t n)
{
	return tl_cov_posdef_margin(pf->cov, n, &pf->pd_margin);
}

/* stage_posdef of an estimate from whole days (from_rows): an estimator
 * whose intensity bounds the pivots by more than POSDEF_MARGIN (the
 * rounding of the factorisation, of order n 2^-53, cannot bring one
 * near TL_COV_PIVOT) needs no O(n^3) factorisation. */
static int
rows_posdef(struct tl_portfolio *pf, const struct tl_pf_opts *o, size_t n)
{
	const struct tl_pf_estimator *e = &tl_pf_estimators[o->estimator];
	double lb;

	if (e->floor != NULL && (lb = e->floor(pf->cov, n, pf->shrink)) >
	    POSDEF_MARGIN) {
		pf->pd_margin = lb;
		return 1;
	}
	return stage_posdef(pf, n);
}

static int
st_aligned(struct tl_portfolio *pf, const struct tl_pf_opts *o,
    struct win *wv, double *mean, struct tl_err *err)
{
	size_t nr, *rows;
	double *x;
	long c;

	rows = tl_xcalloc(wv->t, sizeof(size_t));
	nr = common_rows(wv, rows);
	if (nr < (wv->strict ? 2 : wv->need)) {
		free(rows);
		if (wv->strict)
			return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "%zu "
			    "day%s with a return for every strategy: too "
			    "short a history (need 2; see --missing)", nr,
			    nr == 1 ? "" : "s");
		return noanswer(err, "%zu day%s with a return for every "
		    "strategy, fewer than %zu", nr, nr == 1 ? "" : "s",
		    wv->need);
	}
	x = from_rows(pf, o, wv, rows, nr, mean);
	free(rows);
	c = constant_in(pf, x, nr);
	free(x);
	if (c >= 0 && wv->strict)
		return constant_error(pf, c, pf->days, err);
	if (c >= 0)
		return noanswer(err, "'%s' is constant on those %zu days",
		    pf->names[c], pf->days);
	if (!wv->strict && !rows_posdef(pf, o, wv->n))
		return noanswer(err, "the %s estimate of %zu days is not "
		    "positive definite", tl_pf_estimators[o->estimator].name,
		    pf->days);
	return 0;
}

/* The pairwise covariance, correlation and the days each pair shares,
 * once. */
static void
pairwise_once(struct win *wv)
{
	if (wv->pcov != NULL)
		return;
	wv->pcov = tl_xcalloc(wv->n * wv->n, sizeof(double));
	wv->pcorr = tl_xcalloc(wv->n * wv->n, sizeof(double));
	wv->pdays = tl_xcalloc(wv->n * wv->n, sizeof(size_t));
	tl_cov_pairwise(wv->x, wv->t, wv->n, wv->pcov, wv->pdays);
	tl_cov_pairwise_corr(wv->x, wv->t, wv->n, wv->pcorr);
}

/* The window's dates as the days used, the fewest days a pair shares. */
static void
window_days(struct tl_portfolio *pf, const struct win *wv)
{
	size_t i, j;

	pf->days = wv->t;
	pf->first = wv->dates[0];
	pf->last = wv->dates[wv->t - 1];
	pf->pairwise = 1;
	pf->min_pair_days = SIZE_MAX;
	for (i = 0; i < wv->n; i++)
		for (j = i; j < wv->n; j++)
			if (wv->pdays[i * wv->n + j] < pf->min_pair_days)
				pf->min_pair_days = wv->pdays[i * wv->n + j];
}

static int
st_pairwise(struct tl_portfolio *pf, const struct tl_pf_opts *o,
    struct win *wv, double *mean, struct tl_err *err)
{
	size_t n = wv->n, i, j, k;

	pairwise_once(wv);
	own_means(o, wv, mean);
	for (i = 0; i < n; i++)
		for (j = i; j < n; j++)
			if ((k = wv->pdays[i * n + j]) < 2) {
				if (wv->strict)
					return tl_err_set(err, TL_EX_DATAERR,
					    NULL, 0, "strategies '%s' and '%s' "
					    "share %zu day%s with returns: too "
					    "short a history for a covariance "
					    "(need 2)", pf->names[i],
					    pf->names[j], k, k == 1 ? "" : "s");
				if (i == j)
					return noanswer(err, "'%s' has %zu "
					    "day%s", pf->names[i], k, k == 1 ?
					    "" : "s");
				return noanswer(err, "'%s' and '%s' share %zu "
				    "day%s", pf->names[i], pf->names[j], k,
				    k == 1 ? "" : "s");
			}
	memcpy(pf->cov, wv->pcov, n * n * sizeof(double));
	memcpy(pf->corr, wv->pcorr, n * n * sizeof(double));
	window_days(pf, wv);
	for (i = 0; i < n; i++)
		if (!(pf->cov[i * n + i] > 0))
			return constant_error(pf, (long)i, pf->days, err);
	if (!wv->strict && !stage_posdef(pf, n))
		return noanswer(err, "the pairwise estimate is not positive "
		    "definite");
	return 0;
}

static int
st_shrunk(struct tl_portfolio *pf, const struct tl_pf_opts *o,
    struct win *wv, double *mean, struct tl_err *err)
{
	size_t n = wv->n, i, j;
	double *r, d;
	long it;

	pairwise_once(wv);
	own_means(o, wv, mean);
	pf->shrink = tl_cov_pairwise_shrunk(wv->x, wv->t, n, pf->cov,
	    &pf->unmeasured);
	for (i = 0; i < n; i++)
		if (!(pf->cov[i * n + i] > 0))
			return noanswer(err, "'%s' has no variance (fewer than "
			    "2 days)", pf->names[i]);
	/* the sample correlation for --max-corr: unmeasured pairs NaN
	 * (linked to none) */
	memcpy(pf->corr, wv->pcorr, n * n * sizeof(double));
	window_days(pf, wv);
	if (stage_posdef(pf, n))
		return 0;
	r = tl_xcalloc(n * n, sizeof(double));
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			r[i * n + j] = pf->cov[i * n + j] / sqrt(pf->cov[i * n +
			    i] * pf->cov[j * n + j]);
	it = tl_cov_nearest_corr(r, n, REPAIR_FLOOR, o->repair_iter > 0 ?
	    o->repair_iter : TL_PF_REPAIR_ITER, REPAIR_TOL);
	if (it <= 0) {
		free(r);
		return noanswer(err, "the nearest correlation matrix %s",
		    it == 0 ? "did not converge" : "failed (eigensolver)");
	}
	pf->repair = it;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			d = sqrt(pf->cov[i * n + i] * pf->cov[j * n + j]);
			if (i != j)
				pf->cov[i * n + j] = r[i * n + j] * d;
		}
	free(r);
	if (!stage_posdef(pf, n))
		return noanswer(err, "the repaired estimate is not positive "
		    "definite");
	return 0;
}

static int
st_short(struct tl_portfolio *pf, const struct tl_pf_opts *o,
    struct win *wv, double *mean, struct tl_err *err)
{
	size_t n = wv->n, t, j, nr = 0, *rows, end = wv->t;
	double *x;
	long c;

	for (; end > 0; end--) {	/* the last day all have */
		for (j = 0; j < n; j++)
			if (isnan(wv->x[(end - 1) * n + j]))
				break;
		if (j == n)
			break;
	}
	for (t = end; t > 0; t--) {
		for (j = 0; j < n; j++)
			if (isnan(wv->x[(t - 1) * n + j]))
				break;
		if (j < n)
			break;
	}
	if (end - t < 2)
		return noanswer(err, "no 2 consecutive days on which all have "
		    "a return");
	rows = tl_xcalloc(end - t, sizeof(size_t));
	for (j = t; j < end; j++)
		rows[nr++] = j;
	x = from_rows(pf, o, wv, rows, nr, mean);
	free(rows);
	c = constant_in(pf, x, nr);
	free(x);
	if (c >= 0)
		return noanswer(err, "'%s' is constant on the last %zu days",
		    pf->names[c], nr);
	if (!rows_posdef(pf, o, n))
		return noanswer(err, "the %s estimate of the last %zu days is "
		    "not positive definite",
		    tl_pf_estimators[o->estimator].name, nr);
	return 0;
}

/* No covariance: the own variances on the diagonal (for the figures
 * per strategy), nothing off it. */
static int
st_equal(struct tl_portfolio *pf, const struct tl_pf_opts *o,
    struct win *wv, double *mean, struct tl_err *err)
{
	size_t n = wv->n, i, j;

	(void)err;
	pairwise_once(wv);
	own_means(o, wv, mean);
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			pf->cov[i * n + j] = i == j ? wv->pcov[i * n + i] :
			    NAN;
			pf->corr[i * n + j] = wv->pcorr[i * n + j];
		}
	window_days(pf, wv);
	return 0;
}

/* Under auto, a strategy constant over its own days is bad data, in any
 * stage. */
static int
own_constant(const struct tl_portfolio *pf, const struct win *wv,
    struct tl_err *err)
{
	size_t i, t, k;
	double first;

	for (i = 0; i < wv->n; i++) {
		k = 0;
		first = NAN;
		for (t = 0; t < wv->t; t++) {
			double v = wv->x[t * wv->n + i];

			if (isnan(v))
				continue;
			if (k++ == 0)
				first = v;
			else if (v != first)
				break;
		}
		if (t == wv->t && k >= 2)
			return constant_error(pf, (long)i, k, err);
	}
	return 0;
}

/* The first stage that works (one, under a strict --missing). */
static int
covariance(struct tl_portfolio *pf, const struct tl_pf_opts *o,
    struct win *wv, double *mean, struct tl_err *err)
{
	const struct tl_pf_gap_mode *m = &tl_pf_gap_modes[o->missing];
	struct tl_buf why;
	size_t s;
	int rc = 1;

	wv->strict = m->strict;
	pf->common_days = common_rows(wv, NULL);
	if (!m->strict && own_constant(pf, wv, err) == -1)
		return -1;
	tl_buf_init(&why);
	for (s = m->stage; s < TL_NELEM(stages); s++) {
		pf->shrink = NAN;
		pf->pairwise = 0;
		pf->min_pair_days = 0;
		pf->unmeasured = 0;
		pf->repair = 0;
		pf->pd_margin = 0;
		if ((rc = stages[s].fn(pf, o, wv, mean, err)) != 1)
			break;
		tl_buf_printf(&why, "%s%s: %s", why.len > 0 ? "; " : "",
		    stages[s].name, err->msg);
		tl_err_clear(err);
		if (m->strict)
			break;
	}
	pf->covariance = s;
	if (why.len > 0)
		pf->cov_reason = why.data;
	else
		tl_buf_release(&why);
	return rc == 0 ? 0 : -1;
}

/* James-Stein toward the cross-sectional mean:
 * delta = (n - 3) (mean variance / T) / sum (mu_i - mbar)^2 */
static void
james_stein(struct tl_portfolio *pf, double *mean)
{
	size_t n = pf->n, i;
	double m = 0, v = 0, s = 0;

	for (i = 0; i < n; i++) {
		m += mean[i] / (double)n;
		v += pf->cov[i * n + i] / (double)n;
	}
	for (i = 0; i < n; i++)
		s += (mean[i] - m) * (mean[i] - m);
	pf->mu_shrink = n > 3 && s > 0 ? fmin(1, (double)(n - 3) * v /
	    (double)pf->days / s) : n > 3 ? 1 : 0;
	for (i = 0; i < n; i++)
		mean[i] = (1 - pf->mu_shrink) * mean[i] + pf->mu_shrink * m;
}

/* Two strategies that are one: a correlation of 1 over the days they
 * share (fewer than IDENT_DAYS always correlate perfectly; a strict
 * --missing checks them as before). */
static int
identical(const struct tl_portfolio *pf, const struct win *wv,
    struct tl_err *err)
{
	size_t n = pf->n, i, j, k;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			k = !wv->strict && wv->pdays != NULL &&
			    pf->covariance != C_ALIGNED && pf->covariance !=
			    C_SHORT ? wv->pdays[i * n + j] : pf->days;
			if (!wv->strict && k < IDENT_DAYS)
				continue;
			if (pf->corr[i * n + j] >= IDENTICAL_CORR)
				return tl_err_set(err, TL_EX_DATAERR, NULL, 0,
				    "strategies '%s' and '%s' have perfectly "
				    "correlated returns over the %zu days "
				    "used: the same strategy twice? (drop "
				    "one)", pf->names[i], pf->names[j], k);
		}
	return 0;
}

/* mu and the covariance (annual) of the problem over the window. */
static int
estimate(struct tl_portfolio *pf, const struct tl_panel *pn,
    const struct tl_pf_opts *o, struct tl_err *err)
{
	struct win wv = { pn, NULL, pf->t1 - pf->t0, pf->n, pn->dates +
	    pf->t0, 0, NULL, NULL, NULL, 0 };
	size_t n = pf->n, j, t, k;
	double *mean = NULL;
	int rc = -1;

	pf->shrink = NAN;
	pf->mu_shrink = NAN;
	pf->cov = tl_xcalloc(n * n, sizeof(double));
	pf->corr = tl_xcalloc(n * n, sizeof(double));
	pf->mu = tl_xcalloc(n, sizeof(double));
	if (n == 0) {
		pf->covariance = C_EQUAL;
		return 0;
	}
	wv.need = o->min_days > 2 ? (size_t)o->min_days : 2;
	if (o->window > 0 && (size_t)o->window < wv.need)
		wv.need = (size_t)o->window > 2 ? (size_t)o->window : 2;
	wv.x = tl_xcalloc(wv.t * n, sizeof(double));
	for (j = 0; j < pf->nall; j++)
		if (pf->all[j].idx >= 0)
			for (t = 0; t < wv.t; t++)
				wv.x[t * n + (size_t)pf->all[j].idx] =
				    pn->x[(pf->t0 + t) * pn->nseries + j];
	mean = tl_xcalloc(n, sizeof(double));
	if (covariance(pf, o, &wv, mean, err) == -1)
		goto out;
	if (tl_pf_mu_ests[o->returns].james_stein)
		james_stein(pf, mean);
	/* --max-corr groups by the sample correlation, whatever the
	 * estimator (shrinkage pulls correlations toward its target) */
	if (pf->covariance != C_EQUAL && identical(pf, &wv, err) == -1)
		goto out;
	for (j = 0; j < n; j++)
		pf->mu[j] = o->annualize * mean[j];
	for (k = 0; k < n * n; k++)
		pf->cov[k] *= o->annualize;
	rc = 0;
out:
	free(mean);
	free(wv.x);
	free(wv.pcov);
	free(wv.pcorr);
	free(wv.pdays);
	return rc;
}

/* --mu: an expected return for every allocated strategy. */
static int
mu_file(struct tl_portfolio *pf, const struct tl_pf_opts *o,
    struct tl_err *err)
{
	size_t i, k;

	if (o->mu == NULL)
		return 0;
	for (i = 0; i < pf->n; i++) {
		for (k = 0; k < o->nmu; k++)
			if (strcmp(o->mu[k].name, pf->names[i]) == 0)
				break;
		if (k == o->nmu)
			return tl_err_set(err, TL_EX_DATAERR, o->mu_file, 0,
			    "no expected_return for strategy '%s'",
			    pf->names[i]);
		pf->mu[i] = o->mu[k].v;
	}
	return 0;
}

/* --max-corr: strategies joined by a correlation above rho (and the
 * chains of them: connected components) share one --max-weight cap. */
static void
corr_groups(const struct tl_pf_opts *o, struct tl_portfolio *pf)
{
	size_t n = pf->n, i, j, k, *lab = tl_xcalloc(n, sizeof(size_t));
	size_t *cnt, changed = 1, next = 0;
	double r;

	pf->group = tl_xcalloc(n, sizeof(size_t));
	for (i = 0; i < n; i++)
		lab[i] = i;
	while (changed) {	/* label propagation: the smallest index */
		changed = 0;
		for (i = 0; i < n; i++)
			for (j = 0; j < n; j++) {
				r = pf->corr[i * n + j];
				if (i != j && r > o->max_corr && lab[j] <
				    lab[i]) {
					lab[i] = lab[j];
					changed = 1;
				}
			}
	}
	cnt = tl_xcalloc(n, sizeof(size_t));
	for (i = 0; i < n; i++)
		cnt[lab[i]]++;
	for (k = 0; k < n; k++)		/* label -> group id, or none */
		cnt[k] = cnt[k] >= 2 ? next++ : TL_QP_NOGROUP;
	for (i = 0; i < n; i++)
		pf->group[i] = cnt[lab[i]];
	pf->ngroups = next;
	pf->cap = tl_xcalloc(next + 1, sizeof(double));
	for (k = 0; k < next; k++)
		pf->cap[k] = o->max_weight;
	free(cnt);
	free(lab);
}

/* ---- the budget and the turnover cap ---------------------------------- */

/* The --max-corr group of problem strategy i, or TL_QP_NOGROUP. */
static size_t
group_of(const struct tl_portfolio *pf, size_t i)
{
	return pf->group != NULL ? pf->group[i] : TL_QP_NOGROUP;
}

/* Per group, its members' caps summed (new, ngroups + 1; the last entry
 * the strategies outside any group). */
static double *
group_caps(const struct tl_portfolio *pf)
{
	double *g = tl_xcalloc(pf->ngroups + 1, sizeof(double));
	size_t i, k;

	for (i = 0; i < pf->n; i++) {
		k = group_of(pf, i);
		g[k == TL_QP_NOGROUP ? pf->ngroups : k] += pf->hi[i];
	}
	return g;
}

/* What the caps let the weights sum to: each strategy outside a group
 * its cap, a group the least of its members' caps and its own. */
static double
reach(const struct tl_portfolio *pf)
{
	double *g = group_caps(pf), s = g[pf->ngroups];
	size_t k;

	for (k = 0; k < pf->ngroups; k++)
		s += fmin(g[k], pf->cap[k]);
	free(g);
	return s;
}

/* The budget: min(1, reach), a reach within BOUND_TOL of 1 counting as
 * 1 (ten caps of 0.1).  --unfilled relax first raises --max-weight to
 * the least value c at which the caps reach 1: reach(c) is continuous
 * and nondecreasing, so bisection on [--max-weight, 1] to the last bit
 * (c the upper end, where reach(c) >= 1); if even 1 does not reach,
 * the rest stays in cash. */
static void
set_budget(struct tl_portfolio *pf, const struct tl_pf_opts *o)
{
	double lo = o->max_weight, hi = 1, mid;
	size_t k;

	pf->max_weight = o->max_weight;
	pf->budget = reach(pf);
	if (pf->budget >= 1 - BOUND_TOL) {
		pf->budget = 1;
		return;
	}
	if (!tl_pf_unfilleds[o->unfilled].relax || pf->n == 0)
		return;
	set_caps(pf, o, hi);
	if (reach(pf) >= 1)
		for (k = 0; k < PATH_BISECT; k++) {
			mid = 0.5 * (lo + hi);
			if (mid <= lo || mid >= hi)
				break;
			set_caps(pf, o, mid);
			if (reach(pf) >= 1)
				hi = mid;
			else
				lo = mid;
		}
	set_caps(pf, o, hi);
	pf->max_weight = hi;
	pf->budget = fmin(1, reach(pf));
}

/* Under a budget below 1 (= reach), every weight outside a --max-corr
 * group at its cap must be at its own cap; they are pinned there, which
 * leaves the solver only the groups at their caps (with them free it
 * would see the sum row and those caps as one, a degenerate working
 * set). */
static void
set_pinned(struct tl_portfolio *pf)
{
	double *g;
	size_t i, k;

	if (pf->budget >= 1)
		return;
	g = group_caps(pf);
	pf->pinned = tl_xcalloc(pf->n, 1);
	for (i = 0; i < pf->n; i++) {
		k = group_of(pf, i);
		pf->pinned[i] = k == TL_QP_NOGROUP || g[k] <= pf->cap[k];
	}
	free(g);
}

/* The least turnover over the problem's strategies, sum |w - p| for w
 * within the bounds, the group caps and sum w = budget.  With c_i = p_i
 * clipped into [lo_i, hi_i], D = sum |p_i - c_i|, e_g the excess of
 * group g's sum of c over its cap (0 if none) and E = sum e_g:
 *
 *	D + E + |budget - sum c + E|.
 *
 * A lower bound: |w_i - p_i| = |w_i - c_i| + |c_i - p_i| (c_i lies
 * between them), and by the triangle inequality on the groups' sums
 * and the rest, sum |w - c| >= -A + |budget - sum c - A| with A (<= -E)
 * what the groups over their caps lose, least at A = -E.  It is
 * reached: bring those groups down to their caps, then move the rest
 * one way, up to the caps (reach >= budget) or down to the lower bounds
 * (sum lo <= budget). */
static double
least_turnover(const struct tl_portfolio *pf)
{
	double d = 0, sc = 0, e = 0, c, *g;
	size_t i, k;

	g = tl_xcalloc(pf->ngroups + 1, sizeof(double));
	for (i = 0; i < pf->n; i++) {
		c = fmin(pf->hi[i], fmax(pf->lo[i], pf->prev[i]));
		d += fabs(pf->prev[i] - c);
		sc += c;
		if (group_of(pf, i) != TL_QP_NOGROUP)
			g[group_of(pf, i)] += c;
	}
	for (k = 0; k < pf->ngroups; k++)
		e += fmax(0, g[k] - pf->cap[k]);
	free(g);
	return d + e + fabs(pf->budget - sc + e);
}

/* The turnover forced tonight and the cap applied (see tl_portfolio.h):
 * max(--max-turnover, forced). */
static void
set_turnover(struct tl_portfolio *pf, const struct tl_pf_opts *o)
{
	double least = least_turnover(pf);

	pf->turnover_forced = least + pf->gone + pf->out;
	pf->max_turnover = pf->turnover_cap = NAN;
	if (isnan(o->max_turnover))
		return;
	if (o->max_turnover >= pf->turnover_forced) {
		pf->max_turnover = o->max_turnover;
		pf->turnover_cap = fmax(least, o->max_turnover - pf->gone -
		    pf->out);
	} else {
		pf->max_turnover = pf->turnover_forced;
		pf->turnover_cap = least;
	}
}

int
tl_portfolio_init(struct tl_portfolio *pf, const struct tl_panel *pn,
    const struct tl_pf_opts *o, struct tl_err *err)
{
	memset(pf, 0, sizeof(*pf));
	pf->used = TL_PF_CASH;
	/* one strategy is a book too (a bot with one strategy): it is
	 * selected like any other and, live, held up to its cap */
	if (pn->nseries < 1)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "no strategy "
		    "in the returns");
	if (window(pf, pn, o, err) == -1)
		goto fail;
	select_strategies(pf, pn, o);
	if (book_bounds(pf, o, err) == -1 ||
	    estimate(pf, pn, o, err) == -1 ||
	    mu_file(pf, o, err) == -1)
		goto fail;
	if (!isnan(o->max_corr) && pf->covariance != C_EQUAL && pf->n > 0)
		corr_groups(o, pf);
	set_budget(pf, o);
	set_pinned(pf);
	set_turnover(pf, o);
	pf->qp = tl_qp_alloc(pf->n ? pf->n : 1);
	pf->w = tl_xcalloc(pf->n, sizeof(double));
	return 0;
fail:
	tl_portfolio_release(pf);
	return -1;
}

void
tl_portfolio_release(struct tl_portfolio *pf)
{
	size_t j;

	for (j = 0; pf->all != NULL && j < pf->nall; j++)
		free(pf->all[j].reason);
	free(pf->all);
	free(pf->names);
	free(pf->cov);
	free(pf->corr);
	free(pf->mu);
	free(pf->prev);
	free(pf->lo);
	free(pf->hi);
	free(pf->cov_reason);
	free(pf->group);
	free(pf->cap);
	free(pf->pinned);
	tl_qp_free(pf->qp);
	free(pf->w);
	free(pf->fb_reason);
	memset(pf, 0, sizeof(*pf));
}

/* ---- solving along paths ---------------------------------------------- */

/* One QP of the family min 1/2 w'Cw - t mu'w + m sum|w - prev| under
 * the bounds and caps; states[] gets the face (for piece detection). */
static int
qp_at(struct tl_portfolio *pf, double t, double m, double *w, int *states,
    int warm, struct tl_err *err)
{
	struct tl_qp_problem pr;
	struct tl_qp_info info;
	double *c = tl_xcalloc(pf->n, sizeof(double));
	double *lo = tl_xcalloc(pf->n, sizeof(double));
	size_t i;
	int rc;

	for (i = 0; i < pf->n; i++) {
		c[i] = t * pf->mu[i];
		lo[i] = pf->pinned != NULL && pf->pinned[i] ? pf->hi[i] :
		    pf->lo[i];
	}
	pr = (struct tl_qp_problem){ .n = pf->n, .q = pf->cov, .c = c,
	    .lo = lo, .hi = pf->hi, .sum = pf->budget,
	    .ngroups = pf->ngroups,
	    .group = pf->group, .cap = pf->cap, .prev = m > 0 ? pf->prev :
	    NULL, .mu = m };
	rc = tl_qp_solve(pf->qp, &pr, w, warm, &info, err);
	free(c);
	free(lo);
	if (rc == -1)
		return -1;
	pf->qp_iter += info.iter;
	pf->qp_solves++;
	for (i = 0; i < pf->n; i++)
		states[i] = (int)tl_qp_state(pf->qp, i);
	return 0;
}

/* The largest absolute row sum of the covariance: a bound on |Cw| for
 * weights in [-1, 1]. */
static double
row_bound(const struct tl_portfolio *pf)
{
	double b = 0, r;
	size_t i, j, n = pf->n;

	for (i = 0; i < n; i++) {
		r = 0;
		for (j = 0; j < n; j++)
			r += fabs(pf->cov[i * n + j]);
		b = fmax(b, r);
	}
	return b;
}

static double
max_abs(const double *x, size_t n)
{
	double m = 0;
	size_t i;

	for (i = 0; i < n; i++)
		m = fmax(m, fabs(x[i]));
	return m;
}

/* A point of the path: parameter, weights, face. */
struct pt {
	double	 s;
	double	*w;
	int	*st;
};

static void
pt_init(struct pt *p, size_t n)
{
	p->s = 0;
	p->w = tl_xcalloc(n, sizeof(double));
	p->st = tl_xcalloc(n, sizeof(int));
}

static void
pt_release(struct pt *p)
{
	free(p->w);
	free(p->st);
}

static void
pt_copy(struct pt *d, const struct pt *s, size_t n)
{
	d->s = s->s;
	memcpy(d->w, s->w, n * sizeof(double));
	memcpy(d->st, s->st, n * sizeof(int));
}

/* Solution at risk parameter t with the turnover limit met: the L1
 * weight m is searched so that the turnover equals the limit when it
 * binds (turnover falls as m grows, affinely on each face). */
static int
solve_t(struct tl_portfolio *pf, double t, struct pt *out,
    struct tl_err *err)
{
	size_t n = pf->n, k;
	double T = pf->turnover_cap, lo_to, hi_to, scale = 0, f, end;
	double tol = TURNOVER_TOL * (double)(n + 1);	/* a cap at the
					 * least turnover is met up to it */
	struct pt a, b, c;
	int rc = -1;

	out->s = t;
	if (qp_at(pf, t, 0, out->w, out->st, 0, err) == -1)
		return -1;
	if (isnan(T) || turnover(pf, out->w) <= T)
		return 0;
	pt_init(&a, n);
	pt_init(&b, n);
	pt_init(&c, n);
	pt_copy(&a, out, n);
	a.s = 0;
	for (k = 0; k < n; k++)
		scale = fmax(scale, pf->cov[k * n + k]);
	b.s = scale * 1e-3;
	end = PATH_END * (row_bound(pf) + t * max_abs(pf->mu, n));
	for (k = 0; k < PATH_DOUBLE; k++) {
		if (qp_at(pf, t, b.s, b.w, b.st, 1, err) == -1)
			goto out;
		if (turnover(pf, b.w) <= T + tol)
			break;
		if (b.s > end) {	/* the L1 term rules: least turnover */
			k = PATH_DOUBLE;
			break;
		}
		pt_copy(&a, &b, n);
		b.s *= 2;
	}
	if (k == PATH_DOUBLE) {	/* T is at least least_turnover() */
		tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "--max-turnover: the "
		    "solver's least turnover %.17g is above the least the "
		    "bounds allow, %.17g (a bug)", turnover(pf, b.w) +
		    pf->gone + pf->out, T + pf->gone + pf->out);
		goto out;
	}
	for (k = 0; k < PATH_BISECT; k++) {
		if (memcmp(a.st, b.st, n * sizeof(int)) == 0) {
			/* one face: turnover affine in m between a and b */
			lo_to = turnover(pf, a.w);
			hi_to = turnover(pf, b.w);
			f = lo_to == hi_to ? 1 : (lo_to - T) / (lo_to - hi_to);
			f = fmin(1, fmax(0, f));
			for (size_t i = 0; i < n; i++)
				out->w[i] = a.w[i] + f * (b.w[i] - a.w[i]);
			memcpy(out->st, b.st, n * sizeof(int));
			rc = 0;
			goto out;
		}
		c.s = 0.5 * (a.s + b.s);
		if (c.s <= a.s || c.s >= b.s)
			break;
		if (qp_at(pf, t, c.s, c.w, c.st, 1, err) == -1)
			goto out;
		if (turnover(pf, c.w) <= T)
			pt_copy(&b, &c, n);
		else
			pt_copy(&a, &c, n);
	}
	memcpy(out->w, b.w, n * sizeof(double));	/* feasible side */
	memcpy(out->st, b.st, n * sizeof(int));
	rc = 0;
out:
	pt_release(&a);
	pt_release(&b);
	pt_release(&c);
	return rc;
}

/* Along t (vol rises with t), the point where the volatility is cap:
 * a and b bracket it (vol(a) <= cap < vol(b)).  On one face w is affine
 * in t, so the variance is a quadratic in the step: solved exactly. */
static int
vol_root(struct tl_portfolio *pf, struct pt *a, struct pt *b, double cap,
    double *w, struct tl_err *err)
{
	size_t n = pf->n, k, i;
	double *dw, A, B, C, s, cap2 = cap * cap;
	struct pt c;
	int rc = -1;

	pt_init(&c, n);
	dw = tl_xcalloc(n, sizeof(double));
	for (k = 0; k < PATH_BISECT; k++) {
		if (memcmp(a->st, b->st, n * sizeof(int)) == 0) {
			double r;

			for (i = 0; i < n; i++)
				dw[i] = b->w[i] - a->w[i];
			A = pvar(pf, a->w);
			C = pvar(pf, dw);
			B = 0;
			for (i = 0; i < n; i++) {
				r = 0;
				for (size_t j = 0; j < n; j++)
					r += pf->cov[i * n + j] * dw[j];
				B += a->w[i] * r;
			}
			/* A + 2 B s + C s^2 = cap^2, root in [0, 1] */
			s = C > 0 ? (-B + sqrt(fmax(0, B * B - C * (A -
			    cap2)))) / C : 0;
			s = fmin(1, fmax(0, s));
			for (i = 0; i < n; i++)
				w[i] = a->w[i] + s * dw[i];
			rc = 0;
			goto out;
		}
		c.s = 0.5 * (a->s + b->s);
		if (c.s <= a->s || c.s >= b->s)
			break;
		if (solve_t(pf, c.s, &c, err) == -1)
			goto out;
		if (pvar(pf, c.w) <= cap2)
			pt_copy(a, &c, n);
		else
			pt_copy(b, &c, n);
	}
	memcpy(w, a->w, n * sizeof(double));
	rc = 0;
out:
	free(dw);
	pt_release(&c);
	return rc;
}

static double
sharpe_of(const struct tl_portfolio *pf, const double *w, double rf)
{
	return (pret(pf, w) - rf) / sqrt(pvar(pf, w));
}

/* The start of every QP method: the least-variance point of the path
 * (t = 0) into a; no answer if it is above the volatility cap. */
static int
path_start(struct tl_portfolio *pf, const struct tl_pf_opts *o, struct pt *a,
    struct tl_err *err)
{
	double cap = o->max_vol;

	if (solve_t(pf, 0, a, err) == -1)
		return -1;
	if (!isnan(cap) && pvar(pf, a->w) > cap * cap)
		return noanswer(err, "--max-vol %g is below the lowest "
		    "volatility reachable under these constraints (%.3g)",
		    cap, sqrt(pvar(pf, a->w)));
	return 0;
}

static int
solve_minvar(struct tl_portfolio *pf, const struct tl_pf_opts *o, double *w,
    struct tl_err *err)
{
	struct pt a;
	int rc;

	pt_init(&a, pf->n);
	if ((rc = path_start(pf, o, &a, err)) == 0)
		memcpy(w, a.w, pf->n * sizeof(double));
	pt_release(&a);
	return rc;
}

/* mean-variance: t = 1/lambda; the cap binds on [0, t] if vol(t) > cap */
static int
solve_mv(struct tl_portfolio *pf, const struct tl_pf_opts *o, double *w,
    struct tl_err *err)
{
	double cap = o->max_vol;
	struct pt a, b;
	int rc;

	pt_init(&a, pf->n);
	pt_init(&b, pf->n);
	if ((rc = path_start(pf, o, &a, err)) != 0 ||
	    (rc = solve_t(pf, 1 / o->lambda, &b, err)) != 0)
		goto out;
	if (!isnan(cap) && pvar(pf, b.w) > cap * cap)
		rc = vol_root(pf, &a, &b, cap, w, err);
	else
		memcpy(w, b.w, pf->n * sizeof(double));
out:
	pt_release(&a);
	pt_release(&b);
	return rc;
}

/* The Sharpe ratio's maximum between c and b (k doublings so far):
 * golden section on t, then the exact maximiser on the face. */
static int
sharpe_max(struct tl_portfolio *pf, const struct tl_pf_opts *o,
    const struct pt *c, const struct pt *b, size_t k, double *w,
    struct tl_err *err)
{
	size_t n = pf->n, i;
	double lo = k > 1 ? c->s : 0, hi = b->s;
	double g = (sqrt(5) - 1) / 2, x1, x2, f1, f2;
	struct pt p1, p2;
	int rc = -1;

	pt_init(&p1, n);
	pt_init(&p2, n);
	x1 = hi - g * (hi - lo);
	x2 = lo + g * (hi - lo);
	if (solve_t(pf, x1, &p1, err) == -1 ||
	    solve_t(pf, x2, &p2, err) == -1)
		goto out;
	f1 = sharpe_of(pf, p1.w, o->rf);
	f2 = sharpe_of(pf, p2.w, o->rf);
	for (i = 0; i < 200 && hi - lo > 1e-14 * hi; i++) {
		if (f1 < f2) {
			lo = x1;
			pt_copy(&p1, &p2, n);
			f1 = f2;
			x1 = x2;
			x2 = lo + g * (hi - lo);
			if (solve_t(pf, x2, &p2, err) == -1)
				break;
			f2 = sharpe_of(pf, p2.w, o->rf);
		} else {
			hi = x2;
			pt_copy(&p2, &p1, n);
			f2 = f1;
			x2 = x1;
			x1 = hi - g * (hi - lo);
			if (solve_t(pf, x1, &p1, err) == -1)
				break;
			f1 = sharpe_of(pf, p1.w, o->rf);
		}
		if (memcmp(p1.st, p2.st, n * sizeof(int)) == 0 && x2 > x1)
			break;
	}
	if (err->code != 0)
		goto out;
	/* on one face w = p1 + s (p2 - p1): the Sharpe ratio's stationary
	 * point in s is a linear equation */
	memcpy(w, f1 >= f2 ? p1.w : p2.w, n * sizeof(double));
	if (memcmp(p1.st, p2.st, n * sizeof(int)) == 0 && x2 > x1) {
		double m0 = pret(pf, p1.w) - o->rf, m1, v0, v1 = 0, v2, s,
		    *dw = tl_xcalloc(n, sizeof(double));

		for (i = 0; i < n; i++)
			dw[i] = p2.w[i] - p1.w[i];
		m1 = pret(pf, dw);
		v0 = pvar(pf, p1.w);
		v2 = pvar(pf, dw);
		v1 = 0.5 * (pvar(pf, p2.w) - v0 - v2);
		s = (m1 * v1 - m0 * v2) != 0 ? (m0 * v1 - m1 * v0) / (m1 *
		    v1 - m0 * v2) : 0;
		if (s > -1 && s < 2) {	/* near the face */
			double *ws = tl_xcalloc(n, sizeof(double));

			for (i = 0; i < n; i++)
				ws[i] = p1.w[i] + s * dw[i];
			if (s >= 0 && s <= 1 && sharpe_of(pf, ws, o->rf) >=
			    sharpe_of(pf, w, o->rf))
				memcpy(w, ws, n * sizeof(double));
			free(ws);
		}
		free(dw);
	}
	rc = 0;
	if (sharpe_of(pf, w, o->rf) <= 0)
		rc = noanswer(err, "max-sharpe: no allocation has an expected "
		    "return above the risk-free rate %g under these "
		    "constraints", o->rf);
out:
	pt_release(&p1);
	pt_release(&p2);
	return rc;
}

/* target-vol and max-sharpe: t grows until the cap binds, the path ends
 * (the highest return is reached) or, for max-sharpe, the ratio falls;
 * max-sharpe's maximum is then found in the last bracket. */
static int
climb(struct tl_portfolio *pf, const struct tl_pf_opts *o, int sharpe,
    double *w, struct tl_err *err)
{
	size_t n = pf->n, k, i;
	double cap = o->max_vol, cap2 = cap * cap, best, tend, lo = INFINITY,
	    hi = -INFINITY;
	struct pt a, b, c;
	int rc, capped = !isnan(cap);

	pt_init(&a, n);
	pt_init(&b, n);
	pt_init(&c, n);
	if ((rc = path_start(pf, o, &a, err)) != 0)
		goto out;
	best = sharpe ? sharpe_of(pf, a.w, o->rf) : 0;
	for (i = 0; i < n; i++) {
		lo = fmin(lo, pf->mu[i]);
		hi = fmax(hi, pf->mu[i]);
	}
	if (!(hi > lo)) {	/* one return for all: risk only */
		memcpy(w, a.w, n * sizeof(double));
		goto out;
	}
	/* past this t the return term rules: the path ends */
	tend = PATH_END * row_bound(pf) / (hi - lo);
	b.s = 1e-6 * row_bound(pf) / max_abs(pf->mu, n);
	for (k = 0; k < PATH_DOUBLE && b.s <= 2 * tend; k++) {
		if ((rc = solve_t(pf, b.s, &b, err)) != 0)
			goto out;
		if (capped && pvar(pf, b.w) > cap2)
			break;
		if (sharpe) {
			double sh = sharpe_of(pf, b.w, o->rf);

			if (sh < best)
				break;
			best = sh;
		}
		if (b.s > tend)
			break;	/* the path has ended */
		pt_copy(&c, &a, n);	/* c: the one before a */
		pt_copy(&a, &b, n);
		b.s *= 2;
	}
	if (sharpe && !(capped && pvar(pf, b.w) > cap2 &&
	    sharpe_of(pf, b.w, o->rf) >= best))
		rc = sharpe_max(pf, o, &c, &b, k, w, err);
	else if (!(capped && pvar(pf, b.w) > cap2))
		memcpy(w, b.w, n * sizeof(double));	/* not binding */
	else
		rc = vol_root(pf, &a, &b, cap, w, err);
out:
	pt_release(&a);
	pt_release(&b);
	pt_release(&c);
	return rc;
}

static int
solve_targetvol(struct tl_portfolio *pf, const struct tl_pf_opts *o,
    double *w, struct tl_err *err)
{
	return climb(pf, o, 0, w, err);
}

static int
solve_maxsharpe(struct tl_portfolio *pf, const struct tl_pf_opts *o,
    double *w, struct tl_err *err)
{
	return climb(pf, o, 1, w, err);
}

static int
check_maxsharpe(const struct tl_portfolio *pf, const struct tl_pf_opts *o,
    struct tl_err *err)
{
	double best = -INFINITY;
	size_t i;

	for (i = 0; i < pf->n; i++)
		best = fmax(best, pf->mu[i]);
	if (best <= o->rf)
		return noanswer(err, "max-sharpe needs a strategy whose "
		    "expected return exceeds the risk-free rate %g (the "
		    "highest is %.4g)", o->rf, best);
	return 0;
}

static int
check_mv(const struct tl_portfolio *pf, const struct tl_pf_opts *o,
    struct tl_err *err)
{
	double best = -INFINITY;
	size_t i;

	(void)o;
	for (i = 0; i < pf->n; i++)
		best = fmax(best, pf->mu[i]);
	if (best < 0)
		return noanswer(err, "mean-variance: every expected return is "
		    "negative (the highest is %.4g): no allocation is "
		    "expected to gain", best);
	return 0;
}

/* ---- risk-based and fixed methods ------------------------------------- */

static int
solve_erc(struct tl_portfolio *pf, const struct tl_pf_opts *o, double *w,
    struct tl_err *err)
{
	(void)o;
	if (tl_erc(pf->cov, pf->n, w) == 0)
		return tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "erc: no "
		    "convergence");
	return 0;
}

static int
solve_hrp(struct tl_portfolio *pf, const struct tl_pf_opts *o, double *w,
    struct tl_err *err)
{
	(void)o;
	(void)err;
	tl_hrp(pf->cov, pf->n, w, NULL);
	return 0;
}

static int
solve_equal(struct tl_portfolio *pf, const struct tl_pf_opts *o, double *w,
    struct tl_err *err)
{
	size_t i;

	(void)o;
	(void)err;
	for (i = 0; i < pf->n; i++)
		w[i] = 1 / (double)pf->n;
	return 0;
}

/* --max-vol at weights w that who (a method, or the caps) chose: 0, or
 * 1 (no answer; hint ends the message). */
static int
vol_limit(const struct tl_portfolio *pf, const struct tl_pf_opts *o,
    const char *who, const double *w, const char *hint, struct tl_err *err)
{
	double v = pvar(pf, w);

	if (isnan(o->max_vol))
		return 0;
	if (isnan(v))
		return noanswer(err, "%s: --max-vol cannot be checked without "
		    "a covariance", who);
	if (v > o->max_vol * o->max_vol * (1 + 1e-12))
		return noanswer(err, "%s has volatility %.3g, above --max-vol "
		    "%g%s", who, sqrt(v), o->max_vol, hint);
	return 0;
}

/* The limits a risk-based or fixed method's weights must meet: no
 * answer if they do not (these methods have no freedom left). */
static int
check_limits(const struct tl_portfolio *pf, const struct tl_pf_opts *o,
    size_t m, const double *w, struct tl_err *err)
{
	const char *name = tl_pf_methods[m].name;
	double sum;
	size_t i, k;

	for (i = 0; i < pf->n; i++)
		if (w[i] > pf->hi[i] + 1e-12 || w[i] < pf->lo[i] - 1e-12)
			return noanswer(err, "%s gives '%s' %.4g, outside "
			    "[--min-weight %g, --max-weight %g]: use an "
			    "optimising method for bounds", name, pf->names[i],
			    w[i], pf->lo[i], pf->hi[i]);
	if (vol_limit(pf, o, name, w, ": use an optimising method for a cap",
	    err) != 0)
		return 1;
	if (!isnan(o->max_corr) && pf->covariance == C_EQUAL)
		return noanswer(err, "%s: --max-corr cannot be checked without "
		    "a covariance", name);
	for (k = 0; k < pf->ngroups; k++) {
		for (sum = 0, i = 0; i < pf->n; i++)
			sum += pf->group[i] == k ? w[i] : 0;
		if (sum > pf->cap[k] + 1e-12)
			return noanswer(err, "%s gives a --max-corr group "
			    "%.4g, above its cap %g", name, sum, pf->cap[k]);
	}
	if (!isnan(pf->turnover_cap) && turnover(pf, w) > pf->turnover_cap +
	    1e-12)
		return noanswer(err, "%s has turnover %.3g, above the cap "
		    "%.3g", name, turnover(pf, w) + pf->gone + pf->out,
		    pf->max_turnover);
	return 0;
}

/* ---- allocating ------------------------------------------------------- */

/* A budget below 1 with no --max-corr group at its cap leaves one
 * allocation: every strategy pinned at its own cap. */
static int
at_caps(const struct tl_portfolio *pf)
{
	size_t i;

	if (pf->pinned == NULL)
		return 0;
	for (i = 0; i < pf->n && pf->pinned[i]; i++)
		;
	return i == pf->n;
}

/* Can the bounds (with the weights --min-trade fixed) still meet the
 * budget and the turnover cap? */
static int
feasible(const struct tl_portfolio *pf)
{
	double lo = 0;
	size_t i;

	for (i = 0; i < pf->n; i++)
		lo += pf->lo[i];
	return lo <= pf->budget + BOUND_TOL && reach(pf) >= pf->budget -
	    BOUND_TOL && (isnan(pf->turnover_cap) || least_turnover(pf) <=
	    pf->turnover_cap + TURNOVER_TOL * (double)(pf->n + 1));
}

/* Solve method m, then hold back the trades smaller than --min-trade:
 * those weights are fixed at their previous value and the rest is solved
 * again, until no small trade is left or fixing them would leave the
 * budget or the turnover cap out of reach (a heuristic: the exact
 * problem is combinatorial).  A risk-based or fixed method's weights
 * are scaled to the budget.  0, 1 (no answer) or -1. */
static int
allocate(struct tl_portfolio *pf, const struct tl_pf_opts *o, size_t m,
    double *w, struct tl_err *err)
{
	const struct tl_pf_method *me = &tl_pf_methods[m];
	size_t n = pf->n, i, round, fixed;
	double *olo = tl_xcalloc(n, sizeof(double)), *ohi, *rlo, *rhi, d,
	    rest, free_w;
	int rc = -1, qpm = me->kind == TL_PF_QP;

	ohi = tl_xcalloc(n, sizeof(double));
	rlo = tl_xcalloc(n, sizeof(double));
	rhi = tl_xcalloc(n, sizeof(double));
	memcpy(olo, pf->lo, n * sizeof(double));
	memcpy(ohi, pf->hi, n * sizeof(double));
	if (at_caps(pf)) {
		memcpy(w, pf->hi, n * sizeof(double));
		rc = vol_limit(pf, o, "every strategy at its cap", w, "", err);
		goto out;
	}
	for (round = 0; round <= n; round++) {
		if ((rc = me->solve(pf, o, w, err)) != 0)
			goto out;
		for (i = 0; !qpm && i < n; i++)
			w[i] *= pf->budget;
		if (!qpm && (rc = check_limits(pf, o, m, w, err)) != 0)
			goto out;
		if (!(o->min_trade > 0))
			break;
		fixed = 0;
		memcpy(rlo, pf->lo, n * sizeof(double));
		memcpy(rhi, pf->hi, n * sizeof(double));
		for (i = 0; i < n; i++) {
			d = fabs(w[i] - pf->prev[i]);
			if (d > 0 && d < o->min_trade && pf->lo[i] !=
			    pf->hi[i] && pf->prev[i] >= olo[i] &&
			    pf->prev[i] <= ohi[i]) {
				pf->lo[i] = pf->hi[i] = pf->prev[i];
				fixed++;
			}
		}
		if (fixed > 0 && !feasible(pf)) {
			memcpy(pf->lo, rlo, n * sizeof(double));
			memcpy(pf->hi, rhi, n * sizeof(double));
			break;	/* keep this round's weights */
		}
		if (fixed == 0)
			break;
		if (!qpm) {	/* rescale the traded weights to the budget */
			rest = pf->budget;
			free_w = 0;
			for (i = 0; i < n; i++)
				if (pf->lo[i] == pf->hi[i])
					rest -= pf->prev[i];
				else
					free_w += w[i];
			for (i = 0; i < n; i++)
				w[i] = pf->lo[i] == pf->hi[i] ? pf->prev[i] :
				    free_w > 0 ? w[i] * rest / free_w : 0;
			break;
		}
	}
	rc = 0;
out:
	memcpy(pf->lo, olo, n * sizeof(double));
	memcpy(pf->hi, ohi, n * sizeof(double));
	free(olo);
	free(ohi);
	free(rlo);
	free(rhi);
	return rc;
}

/* Is the covariance one method m can use?  The messages of a strict
 * --missing (under auto the stages have seen to it).  A stage that found
 * its estimate positive definite by POSDEF_MARGIN is not tested again
 * (an O(n^3) factorisation): annualising multiplies every entry by the
 * same number, which leaves the pivots over their diagonal entries as
 * they were but for one rounding of each entry (a relative 2^-53) and
 * the rounding of the factorisation (of order n 2^-53, 1e-12 at n =
 * 5,000), both far below a margin of 1e-6. */
static int
posdef_check(const struct tl_portfolio *pf, const struct tl_pf_opts *o,
    size_t m, struct tl_err *err)
{
	const char *est = tl_pf_estimators[o->estimator].name;

	if (!tl_pf_methods[m].posdef || pf->pd_margin > POSDEF_MARGIN ||
	    tl_cov_posdef(pf->cov, pf->n))
		return 0;
	if (pf->covariance == C_PAIRWISE)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "the pairwise "
		    "covariance is not positive definite (pairs measured on "
		    "different days): use --missing aligned");
	if (pf->days <= pf->n)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "the %s "
		    "covariance of %zu strategies from %zu days is singular: "
		    "use --estimator ledoit-wolf or a longer history", est,
		    pf->n, pf->days);
	return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "the %s covariance is "
	    "singular: some strategy is a combination of others (use "
	    "--estimator ledoit-wolf)", est);
}

/* Method m with every check: 0, 1 (no answer) or -1. */
static int
run(struct tl_portfolio *pf, const struct tl_pf_opts *o, size_t m,
    struct tl_err *err)
{
	const struct tl_pf_method *me = &tl_pf_methods[m];
	int rc;

	if (me->check != NULL && (rc = me->check(pf, o, err)) != 0)
		return rc;
	if (me->kind != TL_PF_FIXED && pf->covariance == C_EQUAL)
		return noanswer(err, "%s needs a covariance", me->name);
	if (posdef_check(pf, o, m, err) == -1)
		return -1;
	return allocate(pf, o, m, pf->w, err);
}

/* In cash (every weight 0), the last resort, for why (stolen). */
static void
in_cash(struct tl_portfolio *pf, char *why)
{
	size_t i;

	for (i = 0; i < pf->n; i++)
		pf->w[i] = 0;
	pf->cash = 1;
	pf->used = TL_PF_CASH;
	pf->fell_back = 1;
	pf->fb_reason = why;
}

int
tl_portfolio_solve(struct tl_portfolio *pf, const struct tl_pf_opts *o,
    struct tl_err *err)
{
	const struct tl_pf_fallback *fb = &tl_pf_fallbacks[o->fallback];
	size_t m = o->method;
	long f = fb->method ? tl_pf_method_find(fb->name) : -1;
	char *why;
	int rc;

	pf->cash = 1 - pf->budget;	/* in_cash() makes it 1 */
	if (pf->n == 0) {
		why = fmt("no strategy to allocate tonight (%zu retired, %zu "
		    "not live, %zu with too few days, %zu demoted)",
		    pf->count[TL_PF_RETIRED], pf->count[TL_PF_NOT_LIVE],
		    pf->count[TL_PF_TOO_FEW_DAYS], pf->count[TL_PF_DEMOTED]);
		if (fb->none) {
			tl_err_set(err, TL_EX_DATAERR, NULL, 0, "%s", why);
			free(why);
			return -1;
		}
		in_cash(pf, why);
		return 0;
	}
	if (pf->covariance == C_EQUAL && tl_pf_methods[m].kind !=
	    TL_PF_FIXED) {
		/* no covariance: equal weight among tonight's strategies */
		if (fb->none)
			return tl_err_set(err, TL_EX_DATAERR, NULL, 0,
			    "%s needs a covariance, and no estimate works (%s)",
			    tl_pf_methods[m].name, pf->cov_reason);
		why = fmt("no covariance (%s)", pf->cov_reason);
		f = tl_pf_method_find("equal");
	} else {
		if ((rc = run(pf, o, m, err)) != 1) {
			pf->used = m;
			return rc;
		}
		if (fb->none)
			return -1;	/* err: why there is no answer */
		why = fmt("%s", err->msg);
		tl_err_clear(err);
	}
	if (f < 0 || (size_t)f == m) {
		in_cash(pf, why);
		return 0;
	}
	if ((rc = run(pf, o, (size_t)f, err)) == -1) {
		free(why);
		return -1;
	}
	if (rc == 0) {
		pf->used = (size_t)f;
		pf->fell_back = 1;
		pf->fb_reason = why;
		return 0;
	}
	in_cash(pf, fmt("%s; %s: %s", why, tl_pf_methods[f].name, err->msg));
	free(why);
	tl_err_clear(err);
	return 0;
}
