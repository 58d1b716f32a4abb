/*
 * tl_bandit against shared/METHODS.md section 6: the exact P(Beta > Beta)
 * values, Lai-Robbins constants, the discounted Thompson sampling example
 * (with the every-arm discount, not the played-arm bug), the NIG update;
 * and the samplers against those closed forms by Monte Carlo.
 */
#include <math.h>

#include <criterion/criterion.h>

#include "tl_bandit.h"
#include "tl_rng.h"

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
