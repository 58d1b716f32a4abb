/*
 * tl_portfolio: who takes part tonight (each status and its order), the
 * covariance stages in their order, the fallbacks, and figures checked
 * against computations written here (closed forms, the estimators
 * called directly on the rows the stage should use).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_cov.h"
#include "tl_portfolio.h"
#include "tl_qp.h"
#include "tl_util.h"

#define ANN	252

/* A panel of t weekdays from 2026-01-05 and the named series; x is
 * copied (NaN: no return). */
static void
panel(struct tl_panel *p, size_t t, const char *const *names, size_t n,
    const double *x)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31 };
	int m = 1, d = 5, wd = 0;	/* 2026-01-05 is a Monday */
	size_t i;
	char buf[32];

	p->ndates = t;
	p->nseries = n;
	p->dates = calloc(t, sizeof(char *));
	p->names = calloc(n, sizeof(char *));
	p->x = calloc(t * n, sizeof(double));
	for (i = 0; i < t; i++) {
		snprintf(buf, sizeof(buf), "2026-%02d-%02d", m, d);
		p->dates[i] = strdup(buf);
		do {
			if (++d > mdays[m - 1]) {
				d = 1;
				m++;
			}
			wd = (wd + 1) % 7;
		} while (wd >= 5);
	}
	for (i = 0; i < n; i++)
		p->names[i] = strdup(names[i]);
	memcpy(p->x, x, t * n * sizeof(double));
}

/* Returns with some life: a factor f plus a per-series wiggle. */
static double
ret(size_t t, size_t j)
{
	double f = 0.006 * sin(1.7 * (double)t + 0.3);

	return 0.0004 * (double)(j + 1) + (0.4 + 0.2 * (double)j) * f +
	    0.003 * sin(2.9 * (double)(t * (j + 3)) + (double)j);
}

/* The panel of ret(t, j) + shift on t weekdays, without the cells
 * gap() (may be NULL) names. */
static void
filled(struct tl_panel *p, size_t t, const char *const *names, size_t n,
    int (*gap)(size_t, size_t), double shift)
{
	double *x = calloc(t * n, sizeof(double));
	size_t k, j;

	for (k = 0; k < t; k++)
		for (j = 0; j < n; j++)
			x[k * n + j] = gap != NULL && gap(k, j) ? NAN :
			    ret(k, j) + shift;
	panel(p, t, names, n, x);
	free(x);
}

static struct tl_pf_opts
defaults(void)
{
	struct tl_pf_opts o = { .annualize = ANN, .halflife = 63,
	    .lambda = 1, .max_corr = NAN, .max_turnover = NAN,
	    .max_vol = NAN, .max_weight = 1, .live_days = 10,
	    .min_days = 20 };

	o.method = (size_t)tl_pf_method_find("min-variance");
	o.estimator = (size_t)tl_table_find(tl_pf_estimators,
	    tl_pf_nestimators, sizeof(tl_pf_estimators[0]), "ledoit-wolf");
	o.returns = (size_t)tl_table_find(tl_pf_mu_ests, tl_pf_nmu_ests,
	    sizeof(tl_pf_mu_ests[0]), "mean");
	o.missing = (size_t)tl_table_find(tl_pf_gap_modes, tl_pf_ngap_modes,
	    sizeof(tl_pf_gap_modes[0]), "auto");
	o.fallback = (size_t)tl_table_find(tl_pf_fallbacks, tl_pf_nfallbacks,
	    sizeof(tl_pf_fallbacks[0]), "min-variance");
	return o;
}

static size_t
pick(const char *what, const char *name)
{
	long k = strcmp(what, "fallback") == 0 ? tl_table_find(tl_pf_fallbacks,
	    tl_pf_nfallbacks, sizeof(tl_pf_fallbacks[0]), name) :
	    strcmp(what, "estimator") == 0 ? tl_table_find(tl_pf_estimators,
	    tl_pf_nestimators, sizeof(tl_pf_estimators[0]), name) :
	    tl_pf_method_find(name);

	cr_assert_geq(k, 0, "%s %s", what, name);
	return (size_t)k;
}

static const struct tl_pf_strategy *
find(const struct tl_portfolio *pf, const char *name)
{
	size_t j;

	for (j = 0; j < pf->nall; j++)
		if (strcmp(pf->all[j].name, name) == 0)
			return &pf->all[j];
	cr_assert_fail("no strategy %s", name);
	return NULL;
}

/* stop has no return after day 18, new none before day 25 */
static int
gap_stop_new(size_t t, size_t j)
{
	return (j == 1 && t >= 19) || (j == 2 && t < 25);
}

/* Each status, the first that holds, and what each alert does. */
Test(tl_portfolio, statuses)
{
	static const char *const names[] = { "full", "stop", "new", "ret",
	    "later", "dem", "watch", "acked", "retrain" };
	static const struct tl_pf_retired retired[] = {
		{ "ret", "2026-02-10" }, { "later", "2026-02-20" },
		{ "stop", "2026-02-01" },
	};
	static const struct tl_pf_alert alerts[] = {
		{ "dem", "demote", 0, "decay", "high", "2026-02-01" },
		{ "watch", "watch", 0, "dsr", "low", NULL },
		{ "acked", "demote", 1, "psr", "high", NULL },
		{ "retrain", "retrain", 0, "decay", "medium", NULL },
		{ "ret", "demote", 0, "psr", "high", NULL },
	};
	struct tl_panel p;
	struct tl_portfolio pf;
	struct tl_pf_opts o = defaults();
	struct tl_err err = { 0 };

	filled(&p, 30, names, TL_NELEM(names), gap_stop_new, 0);
	/* 30 weekdays: ends 2026-02-13 */
	o.retired = retired;
	o.nretired = TL_NELEM(retired);
	o.alerts = alerts;
	o.nalerts = TL_NELEM(alerts);
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_str_eq(pf.asof, "2026-02-13");
	cr_assert_eq(find(&pf, "full")->status, TL_PF_IN);
	cr_assert_null(find(&pf, "full")->reason);
	/* retired on 2026-02-01 and not live: retired comes first */
	cr_assert_eq(find(&pf, "stop")->status, TL_PF_RETIRED);
	cr_assert_eq(find(&pf, "new")->status, TL_PF_TOO_FEW_DAYS);
	cr_assert_str_eq(find(&pf, "new")->reason, "5 days with a return "
	    "in the window, fewer than 20");
	cr_assert_eq(find(&pf, "ret")->status, TL_PF_RETIRED);
	cr_assert_str_eq(find(&pf, "ret")->reason, "retired on 2026-02-10");
	cr_assert_eq(find(&pf, "later")->status, TL_PF_IN);
	cr_assert_eq(find(&pf, "dem")->status, TL_PF_DEMOTED);
	cr_assert_eq(find(&pf, "dem")->alert, &alerts[0]);
	cr_assert_eq(find(&pf, "watch")->status, TL_PF_IN);
	cr_assert_eq(find(&pf, "acked")->status, TL_PF_IN);
	cr_assert_eq(find(&pf, "retrain")->status, TL_PF_IN);
	cr_assert_eq(pf.count[TL_PF_IN], 5);
	cr_assert_eq(pf.count[TL_PF_RETIRED], 2);
	cr_assert_eq(pf.n, 5);
	cr_assert_eq(find(&pf, "dem")->idx, -1);
	tl_portfolio_release(&pf);

	/* a demoted strategy kept under a cap; "stop" judged live by
	 * --live-days alone once its retirement is gone */
	o.demoted_max_weight = 0.07;
	o.nretired = 0;
	o.max_weight = 0.5;
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(find(&pf, "dem")->status, TL_PF_CAPPED);
	cr_assert_eq(pf.hi[find(&pf, "dem")->idx], 0.07);
	cr_assert_eq(pf.hi[find(&pf, "full")->idx], 0.5);
	cr_assert_eq(find(&pf, "stop")->status, TL_PF_NOT_LIVE);
	cr_assert_str_eq(find(&pf, "stop")->reason, "last return on "
	    "2026-01-29, 15 days before 2026-02-13; live means within 10");
	cr_assert_eq(tl_portfolio_solve(&pf, &o, &err), 0, "%s", err.msg);
	cr_assert_leq(pf.w[find(&pf, "dem")->idx], 0.07 + 1e-12);
	tl_portfolio_release(&pf);

	/* --live-days 0: no test; --asof before the first return of new */
	o.live_days = 0;
	o.min_days = 15;	/* stop has 19 days */
	o.asof = "2026-02-06";
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(find(&pf, "stop")->status, TL_PF_IN);
	cr_assert_eq(find(&pf, "new")->status, TL_PF_TOO_FEW_DAYS);
	cr_assert_str_eq(find(&pf, "new")->reason, "no return in the window");
	cr_assert_eq(pf.t1, 25, "rows after --asof are not used");
	tl_portfolio_release(&pf);
	o.asof = "2025-12-31";
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.msg, "no returns on or before --asof 2025-12-31 "
	    "(the first date is 2026-01-05)");
	tl_panel_free(&p);
}

/* No gap: the aligned estimate is Ledoit-Wolf on every row (called here
 * directly), annualised; the minimum-variance weights of two strategies
 * are the closed form (s2 - s12) / (s1 + s2 - 2 s12). */
Test(tl_portfolio, aligned_and_closed_form)
{
	static const char *const names[] = { "a", "b" };
	double lw[4], w0;
	struct tl_panel p;
	struct tl_portfolio pf;
	struct tl_pf_opts o = defaults();
	struct tl_err err = { 0 };
	size_t k;

	filled(&p, 40, names, 2, NULL, 0);
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_str_eq(tl_pf_covariance_name(pf.covariance), "aligned");
	cr_assert_null(pf.cov_reason);
	cr_assert_eq(pf.days, 40);
	tl_cov_lw_identity(p.x, 40, 2, NULL, lw);
	for (k = 0; k < 4; k++)
		cr_assert_float_eq(pf.cov[k], ANN * lw[k], 1e-15, "[%zu]", k);
	cr_assert_eq(tl_portfolio_solve(&pf, &o, &err), 0, "%s", err.msg);
	w0 = (lw[3] - lw[1]) / (lw[0] + lw[3] - 2 * lw[1]);
	cr_assert_float_eq(pf.w[0], w0, 1e-12, "%.17g vs %.17g", pf.w[0], w0);
	cr_assert_float_eq(pf.w[1], 1 - w0, 1e-12);
	cr_assert_eq(pf.fell_back, 0);
	cr_assert_eq(pf.cash, 0);
	tl_portfolio_release(&pf);
	tl_panel_free(&p);
}

/* x-y positive on days 0-19, y-z positive on 20-39, x-z negative on
 * 40-59, all three on the last 5 days: no covariance has these
 * correlations. */
static void
crossed(struct tl_panel *p)
{
	static const char *const names[] = { "x", "y", "z" };
	enum { T = 60, N = 3 };
	double x[T * N], g, e;
	size_t t;

	for (t = 0; t < T; t++) {
		g = 0.01 * sin(1.3 * (double)t + 0.5);
		e = 0.001 * sin(3.7 * (double)t);
		x[t * N + 0] = t < 20 || t >= 40 ? g + e : NAN;
		x[t * N + 1] = t < 20 ? g - e : t < 40 || t >= 55 ? -g + e :
		    NAN;
		x[t * N + 2] = t >= 20 ? -g + 0.001 * cos(2.3 * (double)t) :
		    NAN;
	}
	panel(p, T, names, N, x);
}

/* The stages in order: aligned (5 days < 10), pairwise (not positive
 * definite), pairwise-shrunk (repaired); with one repair iteration it
 * does not converge and the last 5 days (short-window) are used. */
Test(tl_portfolio, covariance_stages_in_order)
{
	struct tl_panel p;
	struct tl_portfolio pf;
	struct tl_pf_opts o = defaults();
	struct tl_err err = { 0 };
	double own[3] = { 0 }, m, s;
	size_t i, t, k;

	crossed(&p);
	o.min_days = 10;
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_str_eq(tl_pf_covariance_name(pf.covariance),
	    "pairwise-shrunk");
	cr_assert_str_eq(pf.cov_reason, "aligned: 5 days with a return for "
	    "every strategy, fewer than 10; pairwise: the pairwise estimate "
	    "is not positive definite");
	cr_assert_gt(pf.repair, 1);
	cr_assert(tl_cov_posdef(pf.cov, 3));
	cr_assert_eq(pf.min_pair_days, 20);	/* x-z: days 40-59 */
	/* the variances are each strategy's own over its days (two-pass
	 * here), annualised; the repair keeps them */
	for (i = 0; i < 3; i++) {
		for (m = 0, k = 0, t = 0; t < p.ndates; t++)
			if (!isnan(p.x[t * 3 + i])) {
				m += p.x[t * 3 + i];
				k++;
			}
		m /= (double)k;
		for (s = 0, t = 0; t < p.ndates; t++)
			if (!isnan(p.x[t * 3 + i]))
				s += (p.x[t * 3 + i] - m) * (p.x[t * 3 + i] -
				    m);
		own[i] = ANN * s / (double)(k - 1);
		cr_assert_float_eq(pf.cov[i * 4], own[i], 1e-15 * ANN,
		    "var %zu", i);
	}
	tl_portfolio_release(&pf);

	o.repair_iter = 1;
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_str_eq(tl_pf_covariance_name(pf.covariance),
	    "short-window", "%s", pf.cov_reason);
	cr_assert(strstr(pf.cov_reason, "pairwise-shrunk: the nearest "
	    "correlation matrix did not converge") != NULL, "%s",
	    pf.cov_reason);
	cr_assert_eq(pf.days, 5);
	cr_assert_str_eq(pf.first, p.dates[55]);
	tl_portfolio_release(&pf);

	/* a strict --missing stops where auto goes on */
	o.repair_iter = 0;
	o.missing = (size_t)tl_table_find(tl_pf_gap_modes, tl_pf_ngap_modes,
	    sizeof(tl_pf_gap_modes[0]), "pairwise");
	o.estimator = pick("estimator", "sample");
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_str_eq(tl_pf_covariance_name(pf.covariance), "pairwise");
	cr_assert_null(pf.cov_reason);
	cr_assert_eq(tl_portfolio_solve(&pf, &o, &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.msg, "the pairwise covariance is not positive "
	    "definite (pairs measured on different days): use --missing "
	    "aligned");
	tl_portfolio_release(&pf);
	tl_panel_free(&p);
}

/* One day each: no estimate works; the method becomes equal weight
 * (none: an error). */
Test(tl_portfolio, equal_weight_stage)
{
	static const char *const names[] = { "a", "b", "c" };
	static const double x[3] = { 0.01, -0.02, 0.005 };
	struct tl_panel p;
	struct tl_portfolio pf;
	struct tl_pf_opts o = defaults();
	struct tl_err err = { 0 };
	size_t i;

	panel(&p, 1, names, 3, x);
	o.min_days = 0;
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_str_eq(tl_pf_covariance_name(pf.covariance),
	    "equal-weight");
	cr_assert_eq(tl_portfolio_solve(&pf, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(pf.used, (size_t)tl_pf_method_find("equal"));
	cr_assert_eq(pf.fell_back, 1);
	for (i = 0; i < 3; i++)
		cr_assert_float_eq(pf.w[i], 1.0 / 3, 1e-16);
	tl_portfolio_release(&pf);
	o.fallback = pick("fallback", "none");
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(tl_portfolio_solve(&pf, &o, &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert(strncmp(err.msg, "min-variance needs a covariance", 31) ==
	    0, "%s", err.msg);
	tl_portfolio_release(&pf);
	tl_panel_free(&p);
}

/* Every mean negative: max-sharpe and mean-variance fall back; none
 * fails, cash is cash, a volatility cap nobody meets ends in cash with
 * both reasons. */
Test(tl_portfolio, fallbacks)
{
	static const char *const names[] = { "a", "b", "c" };
	struct tl_panel p;
	struct tl_portfolio pf;
	struct tl_pf_opts o = defaults();
	struct tl_err err = { 0 };
	size_t j, minvar = pick("method", "min-variance");

	filled(&p, 30, names, 3, NULL, -0.01);
	o.method = pick("method", "max-sharpe");
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(tl_portfolio_solve(&pf, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(pf.used, minvar);
	cr_assert_eq(pf.fell_back, 1);
	cr_assert(strncmp(pf.fb_reason, "max-sharpe needs a strategy", 27) ==
	    0, "%s", pf.fb_reason);
	cr_assert_float_eq(pf.w[0] + pf.w[1] + pf.w[2], 1, 1e-12);
	tl_portfolio_release(&pf);

	o.method = pick("method", "mean-variance");
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(tl_portfolio_solve(&pf, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(pf.used, minvar);
	cr_assert(strncmp(pf.fb_reason, "mean-variance: every expected "
	    "return is negative", 46) == 0, "%s", pf.fb_reason);
	tl_portfolio_release(&pf);

	o.fallback = pick("fallback", "none");
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(tl_portfolio_solve(&pf, &o, &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	tl_portfolio_release(&pf);
	tl_err_clear(&err);

	o.fallback = pick("fallback", "cash");
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(tl_portfolio_solve(&pf, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(pf.used, TL_PF_CASH);
	cr_assert_eq(pf.cash, 1);
	for (j = 0; j < 3; j++)
		cr_assert_eq(pf.w[j], 0);
	tl_portfolio_release(&pf);

	/* min-variance itself above a cap: its own fallback is cash */
	o.method = minvar;
	o.fallback = pick("fallback", "equal");
	o.max_vol = 1e-6;
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(tl_portfolio_solve(&pf, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(pf.used, TL_PF_CASH);
	cr_assert(strstr(pf.fb_reason, "; equal: equal has volatility") !=
	    NULL, "%s", pf.fb_reason);
	cr_assert_eq(tl_portfolio_var(&pf, pf.w), 0);
	tl_portfolio_release(&pf);
	tl_panel_free(&p);
}

/* old has no return after day 10 */
static int
gap_old(size_t t, size_t j)
{
	return j == 3 && t > 10;
}

/* The turnover counts the moves to 0 of strategies left out and gone;
 * when they force more than --max-turnover, the cap applied is what
 * they force: 0.25 (old) + 0.1 (gone) to 0 and their 0.35 re-spread,
 * 0.7 in all, a and b only rising. */
Test(tl_portfolio, turnover_counts_moves_to_zero)
{
	static const char *const names[] = { "a", "b", "c", "old" };
	static const struct tl_pf_named prev[] = {
		{ "a", 0.4 }, { "old", 0.25 }, { "gone", 0.1 }, { "b", 0.25 },
	};
	double want;
	struct tl_panel p;
	struct tl_portfolio pf;
	struct tl_pf_opts o = defaults();
	struct tl_err err = { 0 };

	filled(&p, 30, names, 4, gap_old, 0);
	o.prev = prev;
	o.nprev = TL_NELEM(prev);
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(find(&pf, "old")->status, TL_PF_NOT_LIVE);
	cr_assert_eq(tl_portfolio_solve(&pf, &o, &err), 0, "%s", err.msg);
	want = fabs(pf.w[0] - 0.4) + fabs(pf.w[1] - 0.25) + fabs(pf.w[2]) +
	    0.25 + 0.1;
	cr_assert_float_eq(tl_portfolio_turnover(&pf, pf.w), want, 1e-15);
	tl_portfolio_release(&pf);
	o.max_turnover = 0.3;
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_float_eq(pf.turnover_forced, 0.7, 1e-15);
	cr_assert_eq(pf.max_turnover, pf.turnover_forced);
	cr_assert_eq(tl_portfolio_solve(&pf, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(pf.fell_back, 0);
	cr_assert_float_eq(tl_portfolio_turnover(&pf, pf.w), 0.7, 1e-12);
	cr_assert_geq(pf.w[0], 0.4 - 1e-12, "a only rises: %.17g", pf.w[0]);
	cr_assert_geq(pf.w[1], 0.25 - 1e-12, "b only rises: %.17g", pf.w[1]);
	tl_portfolio_release(&pf);
	/* a cap above the forced turnover binds as given */
	o.max_turnover = 0.9;
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(pf.max_turnover, 0.9);
	cr_assert_eq(tl_portfolio_solve(&pf, &o, &err), 0, "%s", err.msg);
	cr_assert_leq(tl_portfolio_turnover(&pf, pf.w), 0.9 + 1e-12);
	tl_portfolio_release(&pf);
	tl_panel_free(&p);
}

/* a and b move together (a factor), c, d and e do not */
static void
grouped(struct tl_panel *p, size_t n)
{
	static const char *const names[] = { "a", "b", "c", "d", "e" };
	double *x = calloc(40 * n, sizeof(double)), f;
	size_t t, j;

	for (t = 0; t < 40; t++) {
		f = 0.01 * sin(1.3 * (double)t + 0.5);
		for (j = 0; j < n; j++)
			x[t * n + j] = 0.0004 * (double)(j + 1) + (j < 2 ? f :
			    j == 4 ? -0.3 * f : 0) + 0.003 * sin((2.1 + 0.7 *
			    (double)j) * (double)t + (double)j);
	}
	panel(p, 40, names, n, x);
	free(x);
}

/* The least turnover tonight forces, against the least the solver
 * finds for min sum |w - prev| (a quadratic |w|^2 / 2 only picks one of
 * the least; the L1 weight 10 is above its gradients, at most 1, so the
 * penalty is exact).  By hand: a and b (0.25 + 0.2) over their group's
 * cap 0.3 lose 0.15, c (0.4) is clipped to 0.3, d (0) raised to
 * --min-weight 0.02, then the sum 0.82 - 0.15 moves to 1: 0.33; with
 * gone's 0.1, 0.7. */
Test(tl_portfolio, least_turnover_against_the_solver)
{
	static const struct tl_pf_named prev[] = {
		{ "a", 0.25 }, { "b", 0.2 }, { "c", 0.4 }, { "e", 0.05 },
		{ "gone", 0.1 },
	};
	double q[25] = { 0 }, c[5] = { 0 }, w[5], least = 0;
	struct tl_qp_problem pr;
	struct tl_qp *qp = tl_qp_alloc(5);
	struct tl_panel p;
	struct tl_portfolio pf;
	struct tl_pf_opts o = defaults();
	struct tl_err err = { 0 };
	size_t i;

	grouped(&p, 5);
	o.prev = prev;
	o.nprev = TL_NELEM(prev);
	o.max_corr = 0.8;
	o.max_weight = 0.3;
	o.min_weight = 0.02;
	o.max_turnover = 0.1;
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(pf.ngroups, 1);
	cr_assert(pf.group[0] == 0 && pf.group[1] == 0, "a, b grouped");
	for (i = 2; i < 5; i++)
		cr_assert_eq(pf.group[i], TL_QP_NOGROUP, "%zu alone", i);
	cr_assert_eq(pf.budget, 1);
	cr_assert_float_eq(pf.turnover_forced, 0.7, 1e-15);
	for (i = 0; i < 5; i++)
		q[i * 6] = 1;
	pr = (struct tl_qp_problem){ .n = 5, .q = q, .c = c, .lo = pf.lo,
	    .hi = pf.hi, .sum = 1, .ngroups = pf.ngroups, .group = pf.group,
	    .cap = pf.cap, .prev = pf.prev, .mu = 10 };
	cr_assert_eq(tl_qp_solve(qp, &pr, w, 0, NULL, &err), 0, "%s",
	    err.msg);
	for (i = 0; i < 5; i++)
		least += fabs(w[i] - pf.prev[i]);
	cr_assert_float_eq(pf.turnover_forced - pf.gone, least, 1e-14,
	    "%.17g vs %.17g", pf.turnover_forced - pf.gone, least);
	/* tonight's allocation makes only the forced moves */
	cr_assert_eq(tl_portfolio_solve(&pf, &o, &err), 0, "%s", err.msg);
	cr_assert_float_eq(tl_portfolio_turnover(&pf, pf.w), 0.7, 1e-12);
	cr_assert_float_eq(pf.w[0] + pf.w[1], 0.3, 1e-12);
	tl_portfolio_release(&pf);
	tl_qp_free(qp);
	tl_panel_free(&p);
}

/* 3 strategies under --max-weight 0.25: every method holds each at
 * 0.25, the rest in cash; --unfilled relax raises the cap to 1/3. */
Test(tl_portfolio, caps_below_one)
{
	static const char *const names[] = { "a", "b", "c" };
	struct tl_panel p;
	struct tl_portfolio pf;
	struct tl_pf_opts o = defaults();
	struct tl_err err = { 0 };
	size_t m, i;

	filled(&p, 30, names, 3, NULL, 0);
	o.max_weight = 0.25;
	o.max_vol = 10;		/* target-vol needs it; binds none */
	for (m = 0; m < tl_pf_nmethods; m++) {
		o.method = m;
		cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s",
		    err.msg);
		cr_assert_eq(pf.budget, 0.75);
		cr_assert_eq(tl_portfolio_solve(&pf, &o, &err), 0, "%s: %s",
		    tl_pf_methods[m].name, err.msg);
		cr_assert_eq(pf.used, m, "%s", tl_pf_methods[m].name);
		cr_assert_eq(pf.fell_back, 0);
		cr_assert_eq(pf.cash, 0.25);
		for (i = 0; i < 3; i++)
			cr_assert_eq(pf.w[i], 0.25, "%s",
			    tl_pf_methods[m].name);
		tl_portfolio_release(&pf);
	}
	o.method = pick("method", "min-variance");
	o.unfilled = (size_t)tl_table_find(tl_pf_unfilleds, tl_pf_nunfilleds,
	    sizeof(tl_pf_unfilleds[0]), "relax");
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_float_eq(pf.max_weight, 1.0 / 3, 1e-16);
	cr_assert_eq(pf.budget, 1);
	cr_assert_eq(tl_portfolio_solve(&pf, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(pf.cash, 0);
	cr_assert_float_eq(pf.w[0] + pf.w[1] + pf.w[2], 1, 1e-15);
	tl_portfolio_release(&pf);
	tl_panel_free(&p);
}

/* a and b share a 0.3 cap, c has its own: 0.6 invested, c at 0.3, and
 * within the group the minimum of var(t, 0.3 - t, 0.3) over t, a
 * quadratic: t = (0.3 (S22 - S12) + 0.3 (S23 - S13)) / (S11 + S22 -
 * 2 S12).  --min-trade does not hold a weight back where that would
 * leave the group short.  --unfilled relax: 0.5 each (group and c). */
Test(tl_portfolio, group_cap_with_cash)
{
	struct tl_panel p;
	struct tl_portfolio pf;
	struct tl_pf_named prev[] = { { "a", 0 }, { "b", 0 } };
	struct tl_pf_opts o = defaults();
	struct tl_err err = { 0 };
	const double *S;
	double t;

	grouped(&p, 3);
	o.max_corr = 0.8;
	o.max_weight = 0.3;
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(pf.ngroups, 1);
	cr_assert_float_eq(pf.budget, 0.6, 1e-16);
	cr_assert_eq(tl_portfolio_solve(&pf, &o, &err), 0, "%s", err.msg);
	S = pf.cov;
	t = (0.3 * (S[4] - S[1]) + 0.3 * (S[5] - S[2])) / (S[0] + S[4] -
	    2 * S[1]);
	cr_assert(t > 0 && t < 0.3, "t %.17g inside the cap", t);
	cr_assert_float_eq(pf.w[0], t, 1e-12, "%.17g vs %.17g", pf.w[0], t);
	cr_assert_float_eq(pf.w[1], 0.3 - t, 1e-12);
	cr_assert_eq(pf.w[2], 0.3);
	cr_assert_float_eq(pf.cash, 0.4, 1e-16);
	tl_portfolio_release(&pf);

	/* --min-trade would hold a and b back at 0.02 below t and 0.3 - t,
	 * leaving the group 0.04 short of the 0.6 invested: it does not */
	prev[0].v = t - 0.02;
	prev[1].v = 0.3 - t - 0.02;
	o.prev = prev;
	o.nprev = TL_NELEM(prev);
	o.min_trade = 0.05;
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(tl_portfolio_solve(&pf, &o, &err), 0, "%s", err.msg);
	cr_assert_float_eq(pf.w[0], t, 1e-12);
	cr_assert_float_eq(pf.w[0] + pf.w[1] + pf.w[2], 0.6, 1e-15);
	tl_portfolio_release(&pf);
	o.nprev = 0;
	o.prev = NULL;
	o.min_trade = 0;

	o.unfilled = (size_t)tl_table_find(tl_pf_unfilleds, tl_pf_nunfilleds,
	    sizeof(tl_pf_unfilleds[0]), "relax");
	cr_assert_eq(tl_portfolio_init(&pf, &p, &o, &err), 0, "%s", err.msg);
	cr_assert_float_eq(pf.max_weight, 0.5, 1e-16);
	cr_assert_eq(pf.cap[0], pf.max_weight);
	cr_assert_eq(pf.budget, 1);
	tl_portfolio_release(&pf);
	tl_panel_free(&p);
}

/* The tables: names found, aliases, actions; every method says what
 * it does (--method help), and no name is given twice. */
Test(tl_portfolio, tables)
{
	size_t i;

	for (i = 0; i < tl_pf_nmethods; i++) {
		cr_assert_not_null(tl_pf_methods[i].about);
		cr_assert_eq(tl_pf_method_find(tl_pf_methods[i].name),
		    (long)i);
	}
	cr_assert_eq(tl_pf_method_find("risk-parity"),
	    tl_pf_method_find("erc"));
	cr_assert_eq(tl_pf_method_find("magic"), -1);
	cr_assert_eq(tl_pf_action_demotes("demote"), 1);
	cr_assert_eq(tl_pf_action_demotes("watch"), 0);
	cr_assert_eq(tl_pf_action_demotes("retrain"), 0);
	cr_assert_eq(tl_pf_action_demotes("drop"), -1);
	cr_assert_str_eq(tl_pf_status_name(TL_PF_NOT_LIVE), "not-live");
	cr_assert_str_eq(tl_pf_covariance_name(4), "equal-weight");
}
