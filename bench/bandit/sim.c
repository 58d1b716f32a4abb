/*
 * Bernoulli bandit simulator for bench/bandit.sh: cumulative regret of
 * Thompson sampling (lib/tl_bandit, the sampler tl-bandit uses) against
 * UCB1 and epsilon-greedy on the same arms and seeds, with the
 * Lai-Robbins lower bound C ln T; then a non-stationary case where the
 * best arm changes at the half, discounted Thompson sampling against the
 * undiscounted one.  Pseudo-regret: the sum over rounds of mu* - mu of
 * the arm played.  Built by bench/bandit.sh against build/libtl.a.
 *
 * usage: sim [rounds [seeds]]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_bandit.h"
#include "tl_rng.h"

#define K	10		/* arms */
#define BEST	0.5		/* mean of the best arm */
#define EPS	0.1		/* epsilon-greedy's exploration rate */
#define WINDOW	100		/* rounds over which recovery is judged */

enum pol { P_TS, P_UCB1, P_EPS, P_DTS, NPOL };

struct sim {
	double		mu[K];		/* arm means now */
	struct tl_beta	b[K];		/* TS evidence */
	double		n[K], sum[K];	/* plays and rewards, for UCB/eps */
};

/* Arm with the largest x, ties to the lowest index (the draws of TS
 * are continuous; UCB1's initial plays go in order). */
static int
argmax(const double *x)
{
	int k, best = 0;

	for (k = 1; k < K; k++)
		if (x[k] > x[best])
			best = k;
	return best;
}

static int
pick(enum pol p, struct sim *s, gsl_rng *r, long t)
{
	double x[K];
	int k;

	switch (p) {
	case P_TS:
	case P_DTS:
		for (k = 0; k < K; k++)
			x[k] = tl_beta_draw(r, 1 + s->b[k].s, 1 + s->b[k].f);
		return argmax(x);
	case P_UCB1:
		for (k = 0; k < K; k++) {
			if (s->n[k] == 0)
				return k;
			x[k] = s->sum[k] / s->n[k] + sqrt(2 * log((double)t) /
			    s->n[k]);
		}
		return argmax(x);
	default:
		if (tl_rng_uniform(r) < EPS)
			return (int)tl_rng_below(r, K);
		for (k = 0; k < K; k++)
			x[k] = s->n[k] > 0 ? s->sum[k] / s->n[k] : 1;
		return argmax(x);
	}
}

/* Regret of policy p over rounds on arms mu (swapped at round swap, 0:
 * never), one seed; regret after the swap in *after. */
static double
run(enum pol p, const double *mu, long rounds, long swap, double gamma,
    unsigned long seed, double *after, double *recover)
{
	char win[WINDOW] = { 0 };
	int inwin = 0;
	struct sim s;
	double regret = 0, best, tmp;
	gsl_rng *r = tl_rng_alloc(seed, (uint64_t)p);
	gsl_rng *env = tl_rng_alloc(seed, 100);	/* rewards: same stream
						 * for every policy */
	long t;
	int a, k;

	memset(&s, 0, sizeof(s));
	memcpy(s.mu, mu, sizeof(s.mu));
	*after = 0;
	*recover = (double)(rounds - swap);
	for (t = 1; t <= rounds; t++) {
		if (t == swap + 1 && swap > 0)
			/* the means reverse: the best arm becomes the worst,
			 * the worst the best, and so on */
			for (k = 0; k < K / 2; k++) {
				tmp = s.mu[k];
				s.mu[k] = s.mu[K - 1 - k];
				s.mu[K - 1 - k] = tmp;
			}
		a = pick(p, &s, r, t);
		double u = tl_rng_uniform(env), rew = u < s.mu[a];
		if (p == P_DTS)
			for (k = 0; k < K; k++)	/* every arm, every round */
				tl_beta_discount(&s.b[k], gamma);
		tl_beta_observe(&s.b[a], rew);
		s.n[a] += 1;
		s.sum[a] += rew;
		for (k = 0, best = 0; k < K; k++)
			best = fmax(best, s.mu[k]);
		regret += best - s.mu[a];
		if (swap > 0 && t > swap) {
			*after += best - s.mu[a];
			/* recovered: the new best arm has half of the last
			 * WINDOW plays */
			inwin -= win[t % WINDOW];
			win[t % WINDOW] = s.mu[a] == best;
			inwin += win[t % WINDOW];
			if (2 * inwin >= WINDOW && *recover == (double)(rounds -
			    swap))
				*recover = (double)(t - swap);
		}
	}
	tl_rng_free(env);
	tl_rng_free(r);
	return regret;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *x, int n)
{
	qsort(x, (size_t)n, sizeof(*x), cmp);
	return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

int
main(int argc, char *argv[])
{
	static const char *names[] = { "thompson", "ucb1", "eps-greedy(0.1)" };
	long rounds = argc > 1 ? atol(argv[1]) : 10000;
	int seeds = argc > 2 ? atoi(argv[2]) : 50, i, p, g;
	double mu[K], *reg, after, rec, recs, fin, mean[NPOL], med[NPOL], c, a2[2] = { 0, 0 },
	    r2[2] = { 0, 0 };
	static const double gammas[] = { 0.99, 0.995, 0.999 };

	if (rounds < 2 || seeds < 1) {
		fprintf(stderr, "usage: sim [rounds [seeds]]\n");
		return 64;
	}
	reg = calloc((size_t)seeds, sizeof(double));
	/* gaps 0.01 to 0.2 evenly over the nine arms below the best */
	mu[0] = BEST;
	for (i = 1; i < K; i++)
		mu[i] = BEST - (0.01 + 0.19 * (i - 1) / (K - 2));
	c = tl_lai_robbins(mu, K);
	printf("stationary: %d Bernoulli arms, best %.2f, gaps 0.01..0.20, "
	    "%ld rounds, %d seeds\n", K, BEST, rounds, seeds);
	printf("%-18s %12s %12s %12s\n", "policy", "mean regret",
	    "median", "/ C ln T");
	for (p = 0; p < 3; p++) {
		mean[p] = 0;
		for (i = 0; i < seeds; i++) {
			reg[i] = run((enum pol)p, mu, rounds, 0, 1,
			    (unsigned long)i + 1, &after, &rec);
			mean[p] += reg[i] / seeds;
		}
		med[p] = median(reg, seeds);
		printf("%-18s %12.1f %12.1f %12.2f\n", names[p], mean[p], med[p],
		    mean[p] / (c * log((double)rounds)));
	}
	printf("%-18s %12.1f %12s %12s   (C = %.2f)\n", "lai-robbins C ln T",
	    c * log((double)rounds), "", "1.00", c);
	/* C ln T is asymptotic: at this T the arm with gap 0.01 alone has
	 * C_k ln T above the 0.01 T it can cost at most */
	for (i = 1, fin = 0; i < K; i++)
		fin += fmin(tl_lai_robbins((double[]){ mu[0], mu[i] }, 2) *
		    log((double)rounds), (mu[0] - mu[i]) * (double)rounds);
	printf("%-18s %12.1f %12s %12.2f   (sum of min(C_k ln T, gap_k T))\n",
	    "capped bound", fin, "", fin / (c * log((double)rounds)));
	printf("bench bandit: thompson/ucb1 %.3f, thompson/eps-greedy %.3f, "
	    "thompson/(C ln T) %.2f, thompson/capped bound %.2f\n",
	    mean[P_TS] / mean[P_UCB1], mean[P_TS] / mean[P_EPS], mean[P_TS] /
	    (c * log((double)rounds)), mean[P_TS] / fin);

	/* non-stationary: best and worst arm swap at the half */
	printf("\nnon-stationary: the means reverse at round %ld (the best arm "
	    "becomes the worst);\nrecovery: rounds until the new best arm has "
	    "half of the last %d plays\n", rounds / 2, WINDOW);
	printf("%-18s %14s %14s %14s\n", "policy", "regret total",
	    "after switch", "recovery");
	for (g = -1; g < 3; g++) {
		r2[0] = a2[0] = recs = 0;
		for (i = 0; i < seeds; i++) {
			r2[0] += run(g < 0 ? P_TS : P_DTS, mu, rounds,
			    rounds / 2, g < 0 ? 1 : gammas[g],
			    (unsigned long)i + 1, &after, &rec) / seeds;
			a2[0] += after / seeds;
			recs += rec / seeds;
		}
		if (g < 0) {
			printf("%-18s %14.1f %14.1f %14.0f\n", "thompson", r2[0],
			    a2[0], recs);
			a2[1] = a2[0];
			r2[1] = recs;
		} else {
			char nm[32];

			snprintf(nm, sizeof(nm), "discounted %.3g", gammas[g]);
			printf("%-18s %14.1f %14.1f %14.0f\n", nm, r2[0], a2[0],
			    recs);
			printf("bench bandit: after the switch discounted "
			    "(gamma %.3g) / undiscounted: regret %.3f, recovery "
			    "%.3f\n", gammas[g], a2[0] / a2[1], recs / r2[1]);
		}
	}
	free(reg);
	return 0;
}
