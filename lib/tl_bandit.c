/*
 * Conjugate updates kept as (discounted) sufficient statistics, so that a
 * discount is one multiplication and the posterior is computed when asked.
 */
#include <math.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

#include "tl_bandit.h"

void
tl_beta_discount(struct tl_beta *b, double gamma)
{
	b->s *= gamma;
	b->f *= gamma;
}

void
tl_nig_discount(struct tl_nig *g, double gamma)
{
	g->n *= gamma;
	g->sx *= gamma;
	g->sxx *= gamma;
}

void
tl_beta_observe(struct tl_beta *b, double r)
{
	b->s += r;
	b->f += 1 - r;
}

void
tl_nig_observe(struct tl_nig *g, double x)
{
	g->n += 1;
	g->sx += x;
	g->sxx += x * x;
}

void
tl_nig_posterior(const struct tl_nig *g, const struct tl_nig_post *p0,
    struct tl_nig_post *p)
{
	double xbar = g->n > 0 ? g->sx / g->n : 0;
	double ss = g->n > 0 ? fmax(0, g->sxx - g->n * xbar * xbar) : 0;

	p->kappa = p0->kappa + g->n;
	p->mu = (p0->kappa * p0->mu + g->n * xbar) / p->kappa;
	p->alpha = p0->alpha + g->n / 2;
	p->beta = p0->beta + ss / 2 + p0->kappa * g->n * (xbar - p0->mu) *
	    (xbar - p0->mu) / (2 * p->kappa);
}

double
tl_beta_draw(gsl_rng *r, double a, double b)
{
	return gsl_ran_beta(r, a, b);
}

double
tl_nig_draw_mean(gsl_rng *r, const struct tl_nig_post *p)
{
	/* sigma^2 ~ InvGamma(alpha, beta), then mu ~ N(mu_n, sigma^2/kappa) */
	double var = 1 / gsl_ran_gamma(r, p->alpha, 1 / p->beta);

	return p->mu + gsl_ran_gaussian(r, sqrt(var / p->kappa));
}

double
tl_beta_prob_greater(double a1, double b1, double a2, double b2)
{
	double sum = 0;
	long i, n;

	/* Miller: P(B > A) = sum_{i < aB} B(aA+i, bA+bB) / ((bB+i)
	 * B(1+i, bB) B(aA, bA)); here B is X = (a1, b1), A is Y */
	n = (long)a1;
	if (a1 != (double)n || n < 1)
		return NAN;
	for (i = 0; i < n; i++)
		sum += exp(gsl_sf_lnbeta(a2 + (double)i, b2 + b1) -
		    log(b1 + (double)i) - gsl_sf_lnbeta(1 + (double)i, b1) -
		    gsl_sf_lnbeta(a2, b2));
	return sum;
}

static double
kl_bernoulli(double p, double q)
{
	double a = p > 0 ? p * log(p / q) : 0;
	double b = p < 1 ? (1 - p) * log((1 - p) / (1 - q)) : 0;

	return a + b;
}

double
tl_lai_robbins(const double *mu, size_t n)
{
	double best = -INFINITY, c = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (mu[i] > best)
			best = mu[i];
	for (i = 0; i < n; i++)
		if (mu[i] < best)
			c += (best - mu[i]) / kl_bernoulli(mu[i], best);
	return c;
}
