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

/* log(sum exp(x[i])) over n values, without overflow; -inf for n == 0 or
 * all -inf. */
double	tl_logsumexp(const double *x, size_t n);

#endif
