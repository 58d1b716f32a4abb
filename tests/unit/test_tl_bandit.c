/*
 * tl_bandit against the exact P(Beta > Beta) values (Evan Miller's closed
 * form), Lai-Robbins constants (Lai & Robbins 1985), the discounted
 * Thompson sampling example (Raj & Kalyani 2017, with the every-arm
 * discount, not the played-arm bug), the NIG update (Murphy 2007);
 * and the samplers against those closed forms by Monte Carlo.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_bandit.h"
#include "tl_json.h"
#include "tl_rng.h"
#include "tl_util.h"
#include "unit.h"

Test(tl_bandit, beta_prob_greater_vectors)
{
	cr_assert_float_eq(tl_beta_prob_greater(8, 4, 4, 8), 0.9569455312,
	    1e-10);
	cr_assert_float_eq(tl_beta_prob_greater(3, 2, 2, 3), 0.7571428571,
	    1e-10);
	cr_assert_float_eq(tl_beta_prob_greater(11, 91, 6, 96), 0.9042682119,
	    1e-10);
	/* symmetry: the two orders add to 1 */
	cr_assert_float_eq(tl_beta_prob_greater(4, 8, 8, 4) +
	    tl_beta_prob_greater(8, 4, 4, 8), 1, 1e-12);
	cr_assert(isnan(tl_beta_prob_greater(2.5, 1, 1, 1)));
}

Test(tl_bandit, lai_robbins_vectors)
{
	static const double a[] = { 0.9, 0.8 }, b[] = { 0.5, 0.45, 0.4 },
	    c[] = { 0.1, 0.05 };

	cr_assert_float_eq(tl_lai_robbins(a, 2), 2.2520997, 5e-8);
	cr_assert_float_eq(tl_lai_robbins(b, 3), 14.9496439, 5e-8);
	cr_assert_float_eq(tl_lai_robbins(c, 2), 2.9928469, 5e-8);
}

/* gamma 0.9, two arms, (arm, reward) = (0,1),(0,1),(1,0),(0,0),(1,1),(1,1)
 * from S = F = 0: S = (1.24659, 1.9), F = (0.81, 0.729). */
Test(tl_bandit, discounted_thompson_example)
{
	static const int arm[] = { 0, 0, 1, 0, 1, 1 };
	static const double r[] = { 1, 1, 0, 0, 1, 1 };
	struct tl_beta b[2] = { { 0, 0 }, { 0, 0 } };
	int t;

	for (t = 0; t < 6; t++) {
		tl_beta_discount(&b[0], 0.9);	/* every arm, every round */
		tl_beta_discount(&b[1], 0.9);
		tl_beta_observe(&b[arm[t]], r[t]);
	}
	cr_assert_float_eq(b[0].s, 1.24659, 1e-12);
	cr_assert_float_eq(b[1].s, 1.9, 1e-12);
	cr_assert_float_eq(b[0].f, 0.81, 1e-12);
	cr_assert_float_eq(b[1].f, 0.729, 1e-12);
}

Test(tl_bandit, nig_update_vector)
{
	static const double x[] = { 0.5, 1.5, 1.0, 2.0 };
	struct tl_nig g = { 0, 0, 0 };
	struct tl_nig_post p0 = { 0, 1, 1, 1 }, p;
	int i;

	for (i = 0; i < 4; i++)
		tl_nig_observe(&g, x[i]);
	tl_nig_posterior(&g, &p0, &p);
	cr_assert_float_eq(p.mu, 1.0, 1e-12);
	cr_assert_float_eq(p.kappa, 5, 1e-12);
	cr_assert_float_eq(p.alpha, 3, 1e-12);
	cr_assert_float_eq(p.beta, 2.25, 1e-12);
	cr_assert_float_eq(p.beta / (p.alpha - 1), 1.125, 1e-12);
	/* no evidence: the prior back */
	g = (struct tl_nig){ 0, 0, 0 };
	tl_nig_posterior(&g, &p0, &p);
	cr_assert_float_eq(p.mu, 0, 0);
	cr_assert_float_eq(p.beta, 1, 0);
}

/* 200000 seeded draws: the share of Beta(8,4) > Beta(4,8) within 4
 * standard errors (0.0018) of the exact 0.9569455312; the NIG mean draws
 * average mu_n. */
Test(tl_bandit, samplers_agree_with_closed_forms)
{
	struct tl_nig_post p = { 1.0, 5, 3, 2.25 };
	gsl_rng *r = tl_rng_alloc(2385, 0);
	double wins = 0, sum = 0;
	int i, n = 200000;

	for (i = 0; i < n; i++) {
		wins += tl_beta_draw(r, 8, 4) > tl_beta_draw(r, 4, 8);
		sum += tl_nig_draw_mean(r, &p);
	}
	cr_assert_float_eq(wins / n, 0.9569455312, 4 * sqrt(0.957 * 0.043 /
	    n));
	/* the mean's marginal is t_6 with scale^2 beta/(alpha kappa) = 0.15,
	 * variance 0.15 * 6/4 = 0.225: 4 standard errors 0.0043 */
	cr_assert_float_eq(sum / n, 1.0, 4 * sqrt(0.225 / n));
	tl_rng_free(r);
}

/* scipy 1.10.1: stats.beta.cdf(0.4, 8, 14) = 0.6504599686903496,
 * stats.beta.cdf(0.4, 3.5, 2.25) = 0.15211248758927814; the NIG(1, 5, 3,
 * 2.25) mean is t_6(1, sqrt(2.25/15)): stats.t.cdf(-0.5/sqrt(0.15), 6) =
 * 0.12210639269089366, stats.t.cdf(-1/sqrt(0.15), 6) =
 * 0.020828965690842357.  Tolerance 1e-12. */
Test(tl_bandit, prob_below_vectors)
{
	struct tl_nig_post p = { 1.0, 5, 3, 2.25 };

	cr_assert_float_eq(tl_beta_prob_below(8, 14, 0.4), 0.6504599686903496,
	    1e-12);
	cr_assert_float_eq(tl_beta_prob_below(3.5, 2.25, 0.4),
	    0.15211248758927814, 1e-12);
	cr_assert_float_eq(tl_nig_prob_below(&p, 0.5), 0.12210639269089366,
	    1e-12);
	cr_assert_float_eq(tl_nig_prob_below(&p, 0), 0.020828965690842357,
	    1e-12);
	cr_assert_float_eq(tl_nig_mean_quantile(&p, 0.12210639269089366), 0.5,
	    1e-9);
	cr_assert_float_eq(tl_nig_mean_quantile(&p, 0.5), 1.0, 1e-12);
}

/* Weighted observations: credit 0.25 four times is one observation. */
Test(tl_bandit, weighted_observe)
{
	struct tl_beta b = { 0, 0 }, b1 = { 0, 0 };
	struct tl_nig g = { 0, 0, 0 }, g1 = { 0, 0, 0 };
	int i;

	for (i = 0; i < 4; i++) {
		tl_beta_observe_w(&b, 0.7, 0.25);
		tl_nig_observe_w(&g, -1.27, 0.25);
	}
	tl_beta_observe(&b1, 0.7);
	tl_nig_observe(&g1, -1.27);
	cr_assert_float_eq(b.s, b1.s, 1e-15);
	cr_assert_float_eq(b.f, b1.f, 1e-15);
	cr_assert_float_eq(g.n, g1.n, 1e-15);
	cr_assert_float_eq(g.sx, g1.sx, 1e-15);
	cr_assert_float_eq(g.sxx, g1.sxx, 1e-15);
}

static double
sum(const double *w, size_t n)
{
	double s = 0;

	while (n-- > 0)
		s += w[n];
	return s;
}

/* Hand-worked projections: bounds that do not bind leave the targets'
 * proportions; a binding upper bound moves the excess to the others in
 * proportion; zero targets sit at their lower bound; infeasible bounds
 * fail. */
Test(tl_bandit, project)
{
	double t1[] = { 0.5, 0.3, 0.2 }, lo[] = { 0, 0, 0 },
	    hi[] = { 1, 1, 1 }, w[3];
	double t2[] = { 0.9, 0.1, 0 }, lo2[] = { 0.05, 0.05, 0.05 },
	    hi2[] = { 0.6, 0.6, 0.6 };
	double t3[] = { 1, 0, 0 }, hi3[] = { 0.5, 0.5, 0.5 };
	double t4[] = { 0, 0, 0 }, lo4[] = { 0.1, 0.2, 0.4 };

	cr_assert_eq(tl_bandit_project(t1, lo, hi, 3, 1, w), 0);
	cr_assert_float_eq(w[0], 0.5, 1e-12);
	cr_assert_float_eq(w[1], 0.3, 1e-12);
	cr_assert_float_eq(w[2], 0.2, 1e-12);
	/* first arm capped at 0.6, the third at its floor 0.05: the second
	 * takes the rest, 0.35 */
	cr_assert_eq(tl_bandit_project(t2, lo2, hi2, 3, 1, w), 0);
	cr_assert_float_eq(w[0], 0.6, 1e-12);
	cr_assert_float_eq(w[1], 0.35, 1e-12);
	cr_assert_float_eq(w[2], 0.05, 1e-12);
	/* one positive target capped at 0.5: the zero-target arms share the
	 * other half equally */
	cr_assert_eq(tl_bandit_project(t3, lo, hi3, 3, 1, w), 0);
	cr_assert_float_eq(w[0], 0.5, 1e-12);
	cr_assert_float_eq(w[1], 0.25, 1e-12);
	cr_assert_float_eq(w[2], 0.25, 1e-12);
	/* all-zero targets are equal targets: 1/3 each is above the floors
	 * 0.1 and 0.2 but not 0.4, so 0.3 each for the first two */
	cr_assert_eq(tl_bandit_project(t4, lo4, hi, 3, 1, w), 0);
	cr_assert_float_eq(w[0], 0.3, 1e-12);
	cr_assert_float_eq(w[1], 0.3, 1e-12);
	cr_assert_float_eq(w[2], 0.4, 1e-12);
	cr_assert_float_eq(sum(w, 3), 1, 1e-12);
	/* floors that add up to more than the total */
	cr_assert_eq(tl_bandit_project(t1, hi3, hi, 3, 1, w), -1);
	cr_assert_eq(tl_bandit_project(t1, lo, lo2, 3, 1, w), -1);
}

/* ---- the state file ---------------------------------------------------- */

UT_SCRATCH_DIR();

TestSuite(tl_bandit_state, .init = ut_setup, .fini = ut_teardown);

/* A state with every kind of member: normal model, contexts, P&L. */
static void
sample_state(struct tl_bandit_state *st)
{
	struct tl_err err;
	struct tl_bandit_ev *e;
	long k;

	tl_bandit_state_init(st);
	cr_assert_eq(tl_bandit_spec_parse(st, "combo:symbol,side", &err), 0,
	    "%s", err.msg);
	st->reward = strdup("ret");
	st->time = strdup("date");
	st->context = strdup("regime");
	st->pnl = strdup("net_pnl");
	st->model = TL_BANDIT_NORMAL;
	st->prior[0] = -0.25;
	st->prior[1] = 2.385;
	st->prior[2] = 1.5;
	st->prior[3] = 0.75;
	st->discount = 0.97;
	st->updates = 3;
	st->outcomes = 12;
	st->has_day = 1;
	st->day = 20494;		/* 2026-02-10 */
	k = tl_bandit_arm_find(st, "ES+long", 7, 1);
	cr_assert_eq(k, 0);
	st->arm[k].pooled = (struct tl_bandit_ev){ 7, { 6.5, -1.27, 3.1 },
	    { 6.5, 120.25, 9000.5 } };
	e = tl_bandit_arm_ctx(&st->arm[k], tl_bandit_ctx_find(st, "bull", 4));
	*e = (struct tl_bandit_ev){ 2, { 1.9, 0.4, 0.3 }, { 1.9, 8, 40 } };
	st->base.pooled = (struct tl_bandit_ev){ 12, { 11, -2, 5 },
	    { 11, 100, 20000 } };
	cr_assert_eq(tl_bandit_arm_find(st, "NQ+short", 8, 0), -1);
}

/* What is written reads back to the same text (the nightly run carries a
 * state from night to night). */
Test(tl_bandit_state, round_trip)
{
	struct tl_bandit_state st, st2;
	struct tl_err err;
	char path[1100];
	json_t *v, *v2;

	tl_init("tl-test");
	sample_state(&st);
	v = tl_bandit_state_json(&st);
	ut_path(path, sizeof(path), dir, "state.json");
	ut_write_json(path, v);
	tl_bandit_state_init(&st2);
	tl_err_clear(&err);
	cr_assert_eq(tl_bandit_state_load(&st2, path, &err), 0, "%s", err.msg);
	cr_assert_eq(st2.kind, TL_BANDIT_COMBO);
	cr_assert_eq(st2.nfields, 2);
	cr_assert_str_eq(st2.fields[1], "side");
	cr_assert_eq(st2.narm, 1);
	cr_assert_eq(st2.nctx, 1);
	cr_assert_eq(st2.day, 20494);
	cr_assert_float_eq(st2.discount, 0.97, 0);
	v2 = tl_bandit_state_json(&st2);
	ut_assert_json_same(v, v2);
	json_decref(v);
	json_decref(v2);
	tl_bandit_state_release(&st);
	tl_bandit_state_release(&st2);
}

/* Edit one member of a good state: refused with 65 and this message. */
static void
refused(const char *member, json_t *value, const char *msg)
{
	struct tl_bandit_state st;
	struct tl_err err;
	char path[1100];

	tl_init("tl-test");
	sample_state(&st);
	ut_path(path, sizeof(path), dir, "s.json");
	ut_write_edited(tl_bandit_state_json(&st), member, value, path);
	tl_bandit_state_release(&st);
	tl_bandit_state_init(&st);
	tl_err_clear(&err);
	cr_assert_eq(tl_bandit_state_load(&st, path, &err), -1, "%s loaded",
	    member);
	ut_assert_dataerr(&err, path, msg, member);
	tl_bandit_state_release(&st);
}

Test(tl_bandit_state, values_held_to_the_options_ranges)
{
	refused("settings.discount", json_real(2), "settings: 'discount' must "
	    "be a number in (0, 1] (as --discount)");
	refused("settings.discount", json_real(1e308), "settings: 'discount' "
	    "must be a number in (0, 1] (as --discount)");
	refused("settings.prior.kappa", json_real(-2.385), "settings: prior "
	    "'-0.25,-2.385,1.5,0.75' is not mu,kappa,alpha,beta (kappa, alpha, "
	    "beta > 0)");
	refused("settings.arms.spec", json_string("value:symbol"), "settings: "
	    "arms spec 'value:symbol' does not give kind 'combo' and 2 fields");
	refused("settings.arms.spec", json_string("combo:symbol,,side"),
	    "settings: arms spec 'combo:symbol,,side': an empty field name");
	refused("baseline.n", json_integer(-5), "arm 'baseline': 'n' must be a "
	    "number >= 0");
	refused("baseline.w", json_null(), "arm 'baseline': 'w' must be a "
	    "number >= 0");
	refused("baseline.pnl.sxx", json_real(-1.27), "arm 'baseline' pnl: "
	    "'sxx' must be a number >= 0");
	refused("arms.ES+long.contexts", json_array(), "arm 'ES+long': "
	    "'contexts' must be an object");
	refused("updates", json_integer(-1), "'updates' must be an integer "
	    ">= 0");
	refused("version", json_integer(2), "format 'tl-bandit-state' version "
	    "2 is newer than this tl-test reads (1)");
}

Test(tl_bandit_state, advance_discounts_every_arm)
{
	struct tl_bandit_state st;

	sample_state(&st);
	tl_bandit_state_advance(&st, st.day - 3);	/* earlier: nothing */
	cr_assert_float_eq(st.arm[0].pooled.e[0], 6.5, 0);
	tl_bandit_state_advance(&st, st.day + 2);
	cr_assert_float_eq(st.arm[0].pooled.e[0], 6.5 * 0.97 * 0.97, 1e-15);
	cr_assert_float_eq(st.arm[0].ctx[0].p[2], 40 * 0.97 * 0.97, 1e-12);
	cr_assert_float_eq(st.base.pooled.e[1], -2 * 0.97 * 0.97, 1e-15);
	cr_assert_float_eq(st.arm[0].pooled.n, 7, 0);	/* raw count kept */
	cr_assert_eq(st.day, 20496);
	tl_bandit_state_release(&st);
}

Test(tl_bandit_state, names_and_prior_check)
{
	static const double good[] = { 2.385, 1.27 }, bad[] = { 2.385, 0 };
	struct tl_err err;

	cr_assert_eq(tl_bandit_kind_parse("votes"), TL_BANDIT_VOTES);
	cr_assert_eq(tl_bandit_kind_parse("vote"), -1);
	cr_assert_str_eq(tl_bandit_kind_name(TL_BANDIT_COMBO), "combo");
	cr_assert_eq(tl_bandit_model_parse("normal"), TL_BANDIT_NORMAL);
	cr_assert_str_eq(tl_bandit_model_name(TL_BANDIT_BETA), "beta");
	cr_assert_eq(tl_bandit_prior_check(TL_BANDIT_BETA, good, 2, "x",
	    &err), 0);
	cr_assert_eq(tl_bandit_prior_check(TL_BANDIT_BETA, bad, 2, "2.385,0",
	    &err), -1);
	cr_assert_eq(err.code, TL_EX_USAGE);
	cr_assert_str_eq(err.where, "--prior");
	cr_assert_str_eq(err.msg, "'2.385,0' is not alpha,beta (both > 0)");
	cr_assert_eq(tl_bandit_prior_check(TL_BANDIT_NORMAL, good, 2, "y",
	    &err), -1);
}

/* ---- posteriors of a state's evidence --------------------------------- */

/* w r and w (1 - r) to a beta arm's s and f; w, w x, w x^2 to the P&L. */
Test(tl_bandit_post, ev_add_by_hand)
{
	struct tl_bandit_ev e = { 0 };

	tl_bandit_ev_add(&e, TL_BANDIT_BETA, 0.75, 1, 3, 2);
	cr_assert_float_eq(e.n, 1, 0);
	cr_assert_float_eq(e.e[0], 1.5, 1e-15);
	cr_assert_float_eq(e.e[1], 0.5, 1e-15);
	cr_assert_float_eq(e.p[0], 2, 0);
	cr_assert_float_eq(e.p[1], 6, 0);
	cr_assert_float_eq(e.p[2], 18, 0);
	memset(&e, 0, sizeof(e));
	tl_bandit_ev_add(&e, TL_BANDIT_NORMAL, -0.5, 0, 3, 0.5);
	cr_assert_float_eq(e.e[0], 0.5, 0);
	cr_assert_float_eq(e.e[1], -0.25, 1e-15);
	cr_assert_float_eq(e.e[2], 0.125, 1e-15);
	cr_assert_float_eq(e.p[0], 0, 0);	/* no P&L: none added */
}

/* Beta(1 + 2, 1 + 1) = Beta(3, 2): mean 3/5, CDF I_x(3, 2) = 4x^3 - 3x^4
 * (the binomial sum for integer parameters); the quantile inverts it to
 * 1e-9.  Thompson draws: mean 0.6 with sd 0.2, so 20000 draws hold it to
 * 0.01 (7 standard errors). */
Test(tl_bandit_post, beta_posterior_closed_form)
{
	struct tl_bandit_state st;
	struct tl_bandit_ev e = { 3, { 2, 1, 0 }, { 0, 0, 0 } };
	struct tl_bandit_post p;
	double x, sum = 0;
	gsl_rng *r;
	int i;

	tl_bandit_state_init(&st);
	st.model = TL_BANDIT_BETA;
	st.prior[0] = st.prior[1] = 1;
	tl_bandit_post_of(&st, &e, &p);
	cr_assert_float_eq(p.a, 3, 0);
	cr_assert_float_eq(p.b, 2, 0);
	cr_assert_float_eq(tl_bandit_post_mean(&p), 0.6, 1e-15);
	x = tl_bandit_post_quantile(&p, 0.3);
	cr_assert_float_eq(4 * pow(x, 3) - 3 * pow(x, 4), 0.3, 1e-9);
	tl_bandit_post_of(&st, NULL, &p);	/* no evidence: the prior */
	cr_assert_float_eq(tl_bandit_post_mean(&p), 0.5, 0);
	tl_bandit_post_of(&st, &e, &p);
	r = tl_rng_alloc(7, 0);
	for (i = 0; i < 20000; i++)
		sum += tl_bandit_post_draw(r, &p);
	tl_rng_free(r);
	cr_assert_float_eq(sum / 20000, 0.6, 0.01);
	tl_bandit_state_release(&st);
}

/* NIG(0, 1, 1, 1) and x = 0.5, 1.5 (n 2, sum 2, sum of squares 2.5):
 * kappa 3, mu 2/3, alpha 2, beta 1 + 0.5/2 + 1 * 2 * 1^2 / (2 * 3) =
 * 19/12 (Murphy 2007, the NIG update).  The P&L uses that prior too. */
Test(tl_bandit_post, normal_and_pnl_posterior_by_hand)
{
	struct tl_bandit_state st;
	struct tl_bandit_ev e = { 2, { 2, 2, 2.5 }, { 2, 2, 2.5 } };
	struct tl_bandit_post p;
	struct tl_nig_post pp;

	tl_bandit_state_init(&st);
	st.model = TL_BANDIT_NORMAL;
	st.prior[0] = 0;
	st.prior[1] = st.prior[2] = st.prior[3] = 1;
	tl_bandit_post_of(&st, &e, &p);
	cr_assert_float_eq(p.g.kappa, 3, 1e-15);
	cr_assert_float_eq(p.g.mu, 2.0 / 3, 1e-15);
	cr_assert_float_eq(p.g.alpha, 2, 1e-15);
	cr_assert_float_eq(p.g.beta, 19.0 / 12, 1e-14);
	cr_assert_float_eq(tl_bandit_post_mean(&p), 2.0 / 3, 1e-15);
	/* the median of a Student t is its location */
	cr_assert_float_eq(tl_bandit_post_quantile(&p, 0.5), 2.0 / 3, 1e-12);
	tl_bandit_pnl_post(&e, &pp);
	cr_assert_float_eq(pp.mu, 2.0 / 3, 1e-15);
	cr_assert_float_eq(pp.beta, 19.0 / 12, 1e-14);
	tl_bandit_state_release(&st);
}

Test(tl_bandit_post, prior_parse)
{
	struct tl_bandit_state st;
	struct tl_err err = { 0 };

	tl_bandit_state_init(&st);
	st.model = TL_BANDIT_BETA;
	cr_assert_eq(tl_bandit_prior_parse(&st, "2,3.5", &err), 0);
	cr_assert_float_eq(st.prior[0], 2, 0);
	cr_assert_float_eq(st.prior[1], 3.5, 0);
	cr_assert_eq(tl_bandit_prior_parse(&st, "2,x", &err), -1);
	cr_assert_eq(err.code, TL_EX_USAGE);
	cr_assert_str_eq(err.msg, "'2,x' is not alpha,beta (both > 0)");
	cr_assert_eq(tl_bandit_prior_parse(&st, "1,2,3", &err), -1);
	cr_assert_float_eq(st.prior[1], 3.5, 0);	/* untouched */
	st.model = TL_BANDIT_NORMAL;
	cr_assert_eq(tl_bandit_prior_parse(&st, "-1,2,3,4", &err), 0);
	cr_assert_float_eq(st.prior[0], -1, 0);
	cr_assert_float_eq(st.prior[3], 4, 0);
	tl_bandit_state_release(&st);
}
