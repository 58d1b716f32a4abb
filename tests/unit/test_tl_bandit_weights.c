/*
 * tl_bandit_weights: P(best) by Thompson draws against the exact
 * P(Beta > Beta) (Evan Miller's closed form), the projection of targets
 * on bounds and the max-change band by hand, the default of a young arm,
 * the kill verdict against the Beta CDF written here as a binomial sum,
 * and the previous weights file.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_bandit_weights.h"
#include "tl_util.h"
#include "unit.h"

UT_SCRATCH_DIR();
TestSuite(tl_bandit_weights, .init = ut_setup, .fini = ut_teardown);

/* A beta state, prior (1, 1), with arms of (successes, failures); each
 * arm's n = s + f; the baseline has their sums. */
static void
beta_state(struct tl_bandit_state *st, const double (*sf)[2], size_t n)
{
	char name[32];	/* "a" and a size_t: no truncation warning at -O1 */
	size_t k;
	long i;

	tl_bandit_state_init(st);
	st->model = TL_BANDIT_BETA;
	st->prior[0] = st->prior[1] = 1;
	for (k = 0; k < n; k++) {
		snprintf(name, sizeof(name), "a%zu", k);
		i = tl_bandit_arm_find(st, name, strlen(name), 1);
		st->arm[i].pooled.e[0] = sf[k][0];
		st->arm[i].pooled.e[1] = sf[k][1];
		st->arm[i].pooled.n = sf[k][0] + sf[k][1];
		st->base.pooled.e[0] += sf[k][0];
		st->base.pooled.e[1] += sf[k][1];
		st->base.pooled.n += sf[k][0] + sf[k][1];
	}
}

/* I_x(a, b) for integer a, b: P(Binomial(a + b - 1, x) >= a). */
static double
beta_cdf_int(double x, int a, int b)
{
	int n = a + b - 1, j;
	double s = 0, c;

	for (j = a; j <= n; j++) {
		c = exp(lgamma(n + 1) - lgamma(j + 1) - lgamma(n - j + 1));
		s += c * pow(x, j) * pow(1 - x, n - j);
	}
	return s;
}

/* Beta(7, 5) against Beta(5, 7): P(best) of 20000 draws within 0.015 of
 * the exact sum (4 standard errors); with bounds [0, 1] the weights are
 * the P(best)s themselves (they sum to 1). */
Test(tl_bandit_weights, pbest_against_closed_form)
{
	static const double sf[][2] = { { 6, 4 }, { 4, 6 } };
	struct tl_bandit_wopts o = { 1, 20000, 0, 1, 0, 1, 0 };
	struct tl_bandit_prev pv = { 0 };
	struct tl_bandit_state st;
	struct tl_bandit_weight w[2];
	struct tl_err err = { 0 };
	double exact = tl_beta_prob_greater(7, 5, 5, 7);
	int dropped;

	beta_state(&st, sf, 2);
	cr_assert_eq(tl_bandit_weights(&st, 0, &o, &pv, w, &dropped, &err), 0);
	cr_assert_float_eq(w[0].p_best, exact, 0.015);
	cr_assert_float_eq(w[0].p_best + w[1].p_best, 1, 1e-12);
	cr_assert_float_eq(w[0].weight, w[0].p_best, 1e-12);
	cr_assert_float_eq(w[1].weight, w[1].p_best, 1e-12);
	cr_assert_float_eq(w[0].mean, 7.0 / 12, 1e-15);
	cr_assert_float_eq(beta_cdf_int(w[0].ci_lo, 7, 5), 0.025, 1e-9);
	cr_assert_float_eq(beta_cdf_int(w[0].ci_hi, 7, 5), 0.975, 1e-9);
	cr_assert_str_eq(w[0].basis, "own");
	cr_assert(isnan(w[0].prev));
	cr_assert_float_eq(w[1].n, 10, 0);
	cr_assert(w[0].lift > w[1].lift);
	cr_assert_eq(dropped, 0);
	tl_bandit_state_release(&st);
}

/* Arms with fewer than min_obs outcomes stay at 1/K; a move from
 * yesterday's 0.5 is held to [0.4, 0.6] by --max-change 0.2. */
Test(tl_bandit_weights, default_and_max_change)
{
	static const double sf[][2] = { { 90, 10 }, { 10, 90 } };
	struct tl_bandit_wopts o = { 1, 2000, 200, 1, 0.01, 1, 0.2 };
	struct tl_bandit_prev pv = { 0 };
	struct tl_bandit_state st;
	struct tl_bandit_weight w[2];
	struct tl_err err = { 0 };
	char path[512];
	int dropped;

	beta_state(&st, sf, 2);
	cr_assert_eq(tl_bandit_weights(&st, 0, &o, &pv, w, &dropped, &err), 0);
	cr_assert_float_eq(w[0].weight, 0.5, 1e-15);
	cr_assert_str_eq(w[1].basis, "default");
	o.min_obs = 30;
	ut_write_str(ut_path(path, sizeof(path), dir, "prev.jsonl"),
	    "{\"arm\":\"a0\",\"context\":null,\"weight\":0.5}\n"
	    "{\"arm\":\"a1\",\"weight\":0.5}\n");
	cr_assert_eq(tl_bandit_prev_load(&pv, path, &err), 0, "%s", err.msg);
	cr_assert_eq(tl_bandit_weights(&st, 0, &o, &pv, w, &dropped, &err), 0);
	cr_assert_float_eq(w[0].weight, 0.6, 1e-12);
	cr_assert_float_eq(w[1].weight, 0.4, 1e-12);
	cr_assert_float_eq(w[0].prev, 0.5, 0);
	/* without the band: P(best) ~ 1 against the floor 0.01 */
	o.change = 0;
	cr_assert_eq(tl_bandit_weights(&st, 0, &o, &pv, w, &dropped, &err), 0);
	cr_assert_float_eq(w[0].weight, 0.99, 1e-12);
	cr_assert_float_eq(w[1].weight, 0.01, 1e-12);
	tl_bandit_prev_release(&pv);
	tl_bandit_state_release(&st);
}

Test(tl_bandit_weights, prev_file)
{
	struct tl_bandit_prev pv = { 0 };
	struct tl_err err = { 0 };
	char path[512];

	ut_write_str(ut_path(path, sizeof(path), dir, "prev.jsonl"),
	    "{\"arm\":\"a\",\"context\":\"bull\",\"weight\":0.25}\n");
	cr_assert_eq(tl_bandit_prev_load(&pv, path, &err), 0);
	cr_assert_float_eq(tl_bandit_prev_get(&pv, "bull", "a"), 0.25, 0);
	cr_assert(isnan(tl_bandit_prev_get(&pv, NULL, "a")));
	tl_bandit_prev_release(&pv);
	ut_write_str(path, "{\"arm\":\"a\",\"weight\":-1}\n");
	cr_assert_eq(tl_bandit_prev_load(&pv, path, &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.msg, "a weights row needs 'arm' (string), "
	    "'weight' (number >= 0) and 'context' (string or null)");
	tl_bandit_prev_release(&pv);
	cr_assert_eq(tl_bandit_prev_load(&pv, NULL, &err), 0);
	cr_assert(isnan(tl_bandit_prev_get(&pv, NULL, "a")));
	tl_bandit_prev_release(&pv);
}

/* Beta(3, 19) against the floor 0.4: P = I_0.4(3, 19), near 1, killed;
 * Beta(16, 6) not; ordered by P; min_obs 30 spares both (n 20). */
Test(tl_bandit_weights, kill_verdicts)
{
	static const double sf[][2] = { { 15, 5 }, { 2, 18 } };
	struct tl_bandit_state st;
	struct tl_bandit_verdict v[2];

	beta_state(&st, sf, 2);
	cr_assert_eq(tl_bandit_verdicts(&st, 0.4, 0.95, 0, v), 1);
	cr_assert_eq(v[0].k, 1);
	cr_assert_float_eq(v[0].p, beta_cdf_int(0.4, 3, 19), 1e-12);
	cr_assert_float_eq(v[1].p, beta_cdf_int(0.4, 16, 6), 1e-12);
	cr_assert(v[0].kill && !v[1].kill);
	cr_assert_float_eq(v[0].mean, 3.0 / 22, 1e-15);
	cr_assert_eq(v[0].has_pnl, 0);
	cr_assert_eq(tl_bandit_verdicts(&st, 0.4, 0.95, 30, v), 0);
	/* a winning mean P&L spares a beta arm */
	st.pnl = tl_xstrdup("pnl");
	st.arm[1].pooled.p[0] = 20;
	st.arm[1].pooled.p[1] = 40;
	st.arm[1].pooled.p[2] = 100;
	cr_assert_eq(tl_bandit_verdicts(&st, 0.4, 0.95, 0, v), 0);
	cr_assert_eq(v[0].has_pnl, 1);
	cr_assert_float_eq(v[0].mean_pnl, 40.0 / 21, 1e-12);
	tl_bandit_state_release(&st);
}
