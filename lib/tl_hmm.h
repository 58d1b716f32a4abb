/*
 * Hidden Markov model passes in log space, for any emission model: the
 * caller gives log b_j(x_t), the log-likelihood of observation t under
 * state j.  Forward (filtered state probabilities P(s_t | x_1..t): what a
 * trading decision may use, no look-ahead), backward, smoothed
 * posteriors and Viterbi (both use the future: for analysis only).
 * Rabiner (1989); test vectors: shared/METHODS.md section 7.
 */
#ifndef TL_HMM_H
#define TL_HMM_H

#include <stddef.h>

/* Forward pass.  logpi[k], logA[k*k] (row i: from state i), logb[t*k].
 * Writes log alpha_t(j) to la[t*k] and the filtered probabilities
 * P(s_t = j | x_1..t) to filt[t*k] (either may be NULL).  Returns
 * log P(x_1..T). */
double	tl_hmm_forward(const double *logpi, const double *logA,
	    const double *logb, size_t t, size_t k, double *la, double *filt);

/* Backward pass: log beta_t(i) to lb[t*k], log beta_T = 0. */
void	tl_hmm_backward(const double *logA, const double *logb, size_t t,
	    size_t k, double *lb);

/* Smoothed posteriors gamma_t(j) = P(s_t = j | x_1..T) to post[t*k].
 * Returns log P(x_1..T). */
double	tl_hmm_posterior(const double *logpi, const double *logA,
	    const double *logb, size_t t, size_t k, double *post);

/* Most likely state path to path[t] (ties: the lower state).  Returns its
 * log probability. */
double	tl_hmm_viterbi(const double *logpi, const double *logA,
	    const double *logb, size_t t, size_t k, size_t *path);

/* A Gaussian HMM with diagonal covariances: k states, dim features. */
struct tl_ghmm {
	size_t	 k;		/* states */
	size_t	 dim;		/* features per observation */
	double	*pi;		/* k start probabilities */
	double	*A;		/* k x k transitions, row = from */
	double	*mean;		/* k x dim means */
	double	*var;		/* k x dim variances */
	double	 loglik;	/* log P(x) of the fitted model */
	int	 iters;		/* EM iterations of the best restart */
};

/* log b_j(x_t) of every observation under m, to logb[t*k]. */
void	tl_ghmm_loglik(const struct tl_ghmm *m, const double *x, size_t t,
	    double *logb);

/* Fit by Baum-Welch: `restarts` seeded starts (means at distinct random
 * observations, variances the data's, sticky A), each until the gain in
 * log-likelihood is below tol or max_iter; the best is kept, its states
 * ordered by the mean of the first feature (no label switching between
 * runs).  min_var is added to every variance (no collapse on a point).
 * Returns 0, or -1 if t < 2k.  Free with tl_ghmm_release(). */
int	tl_ghmm_fit(struct tl_ghmm *m, const double *x, size_t t, size_t dim,
	    size_t k, int restarts, unsigned long seed, int max_iter,
	    double tol, double min_var);
void	tl_ghmm_release(struct tl_ghmm *m);

/* log(sum exp(x[i])) over n values, without overflow; -inf for n == 0 or
 * all -inf. */
double	tl_logsumexp(const double *x, size_t n);

#endif
