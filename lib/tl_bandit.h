/*
 * Posteriors for Thompson sampling: Beta-Bernoulli for wins and losses,
 * Normal-Inverse-Gamma for returns of unknown mean and variance (Murphy
 * 2007), both with discounting of old evidence (Raj & Kalyani 2017); the
 * exact probability that one Beta arm beats another; the Lai-Robbins
 * regret constant.  Test vectors: shared/METHODS.md section 6.
 */
#ifndef TL_BANDIT_H
#define TL_BANDIT_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

/* Beta-Bernoulli evidence: successes and failures (real: discounting makes
 * them fractional); the posterior is Beta(a0 + s, b0 + f). */
struct tl_beta {
	double	s;		/* discounted successes */
	double	f;		/* discounted failures */
};

/* Normal-Inverse-Gamma evidence as discounted sufficient statistics. */
struct tl_nig {
	double	n;		/* discounted count */
	double	sx;		/* discounted sum of x */
	double	sxx;		/* discounted sum of x^2 */
};

/* NIG(mu, kappa, alpha, beta) posterior parameters. */
struct tl_nig_post {
	double	mu, kappa, alpha, beta;
};

/* Multiply the evidence by gamma in (0, 1] (every arm, every round:
 * discounting the played arm alone is a known bug). */
void	tl_beta_discount(struct tl_beta *b, double gamma);
void	tl_nig_discount(struct tl_nig *g, double gamma);

/* Add one observation: a reward r in [0, 1] (r to s, 1 - r to f), or a
 * real-valued x. */
void	tl_beta_observe(struct tl_beta *b, double r);
void	tl_nig_observe(struct tl_nig *g, double x);

/* The same with a credit w >= 0: a share of one observation (w r to s,
 * w (1 - r) to f; w, w x, w x^2 to n, sx, sxx), for an outcome that
 * several arms contributed to, or an old outcome already discounted. */
void	tl_beta_observe_w(struct tl_beta *b, double r, double w);
void	tl_nig_observe_w(struct tl_nig *g, double x, double w);

/* Posterior of prior NIG(mu0, kappa0, alpha0, beta0) and evidence g:
 * kappa_n = kappa0 + n, mu_n = (kappa0 mu0 + n xbar)/kappa_n, alpha_n =
 * alpha0 + n/2, beta_n = beta0 + SS/2 + kappa0 n (xbar - mu0)^2 /
 * (2 kappa_n), SS the sum of squared deviations. */
void	tl_nig_posterior(const struct tl_nig *g, const struct tl_nig_post
	    *prior, struct tl_nig_post *post);

/* One Thompson draw: theta ~ Beta(a, b); (mu, sigma^2) ~ NIG. */
double	tl_beta_draw(gsl_rng *r, double a, double b);
double	tl_nig_draw_mean(gsl_rng *r, const struct tl_nig_post *p);

/* P(X > Y) for X ~ Beta(a1, b1), Y ~ Beta(a2, b2), a1 a positive
 * integer: the exact sum (Evan Miller's closed form); NaN otherwise. */
double	tl_beta_prob_greater(double a1, double b1, double a2, double b2);

/* Posterior probabilities below x: P(theta < x) for theta ~ Beta(a, b);
 * P(mu < x) for the NIG posterior's mean, whose marginal is Student t
 * with 2 alpha degrees of freedom, location mu, scale^2 beta / (alpha
 * kappa). */
double	tl_beta_prob_below(double a, double b, double x);
double	tl_nig_prob_below(const struct tl_nig_post *p, double x);

/* Mean and the q quantile of the NIG posterior's mean (Student t). */
double	tl_nig_mean_quantile(const struct tl_nig_post *p, double q);

/* Weights w[0..n) summing to total, each in [lo[k], hi[k]], proportional
 * to the targets t[k] >= 0 where the bounds allow: w[k] = clamp(lambda
 * t[k], lo[k], hi[k]) for the one lambda that makes the sum right.  When
 * the arms with a positive target are all at their upper bound and the
 * sum still falls short, the zero-target arms share the rest equally
 * (clamped the same way); all-zero targets count as equal targets.
 * Returns 0, or -1 (w untouched) if sum lo > total or sum hi < total. */
int	tl_bandit_project(const double *t, const double *lo, const double *hi,
	    size_t n, double total, double *w);

/* Lai-Robbins constant sum_k (mu* - mu_k) / KL(mu_k, mu*) over the arms
 * below the best, Bernoulli KL; regret grows at least as C ln T. */
double	tl_lai_robbins(const double *mu, size_t n);

#endif
