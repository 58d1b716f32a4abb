/*
 * Conjugate updates kept as (discounted) sufficient statistics, so that a
 * discount is one multiplication and the posterior is computed when asked.
 */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

#include "tl_bandit.h"
#include "tl_util.h"

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

void
tl_beta_observe_w(struct tl_beta *b, double r, double w)
{
	b->s += w * r;
	b->f += w * (1 - r);
}

void
tl_nig_observe_w(struct tl_nig *g, double x, double w)
{
	g->n += w;
	g->sx += w * x;
	g->sxx += w * x * x;
}

double
tl_beta_prob_below(double a, double b, double x)
{
	return gsl_cdf_beta_P(x, a, b);
}

/* The mean's marginal: t_{2 alpha}(mu, beta / (alpha kappa)). */
static double
nig_scale(const struct tl_nig_post *p)
{
	return sqrt(p->beta / (p->alpha * p->kappa));
}

double
tl_nig_prob_below(const struct tl_nig_post *p, double x)
{
	return gsl_cdf_tdist_P((x - p->mu) / nig_scale(p), 2 * p->alpha);
}

double
tl_nig_mean_quantile(const struct tl_nig_post *p, double q)
{
	return p->mu + nig_scale(p) * gsl_cdf_tdist_Pinv(q, 2 * p->alpha);
}

static double
clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* Sum of clamp(lambda t[k]) over the arms with use[k] (the others at
 * their fixed w[k]). */
static double
project_sum(const double *t, const double *lo, const double *hi,
    const double *w, const char *use, size_t n, double lambda)
{
	double s = 0;
	size_t k;

	for (k = 0; k < n; k++)
		s += use[k] ? clamp(lambda * t[k], lo[k], hi[k]) : w[k];
	return s;
}

/* Solve for lambda by bisection (the sum is continuous and monotone in
 * lambda, flat beyond the last breakpoint) and write the weights of the
 * arms with use[k]. */
static void
project_solve(const double *t, const double *lo, const double *hi,
    double *w, const char *use, size_t n, double total)
{
	double a = 0, b = 0;
	size_t k;
	int i;

	for (k = 0; k < n; k++)
		if (use[k] && t[k] > 0 && hi[k] / t[k] > b)
			b = hi[k] / t[k];
	for (i = 0; i < 200 && a < b; i++) {
		double m = a + (b - a) / 2;

		if (m <= a || m >= b)
			break;
		if (project_sum(t, lo, hi, w, use, n, m) < total)
			a = m;
		else
			b = m;
	}
	for (k = 0; k < n; k++)
		if (use[k])
			w[k] = clamp(b * t[k], lo[k], hi[k]);
}

int
tl_bandit_project(const double *t, const double *lo, const double *hi,
    size_t n, double total, double *w)
{
	double slo = 0, shi = 0, tsum = 0, top;
	double *one, *ww;
	char *use;
	size_t k;

	for (k = 0; k < n; k++) {
		slo += lo[k];
		shi += hi[k];
		tsum += t[k];
	}
	/* a relative slack for the rounding of sums of bounds */
	if (slo > total * (1 + 1e-12) || shi < total * (1 - 1e-12))
		return -1;
	one = tl_xcalloc(n + 1, sizeof(double));
	ww = tl_xcalloc(n + 1, sizeof(double));
	use = tl_xcalloc(n + 1, 1);
	for (k = 0; k < n; k++) {
		one[k] = 1;
		use[k] = tsum > 0 ? t[k] > 0 : 1;
		ww[k] = lo[k];
	}
	/* the positive targets at their upper bounds: is it enough? */
	top = 0;
	for (k = 0; k < n; k++)
		top += use[k] ? hi[k] : lo[k];
	if (top >= total)
		project_solve(tsum > 0 ? t : one, lo, hi, ww, use, n, total);
	else {
		for (k = 0; k < n; k++) {
			if (use[k])
				ww[k] = hi[k];
			use[k] = !use[k];
		}
		project_solve(one, lo, hi, ww, use, n, total);
	}
	for (k = 0; k < n; k++)
		w[k] = ww[k];
	free(use);
	free(ww);
	free(one);
	return 0;
}
