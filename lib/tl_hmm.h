/*
 * Hidden Markov model passes in log space, for any emission model: the
 * caller gives log b_j(x_t), the log-likelihood of observation t under
 * state j.  Forward (filtered state probabilities P(s_t | x_1..t): what a
 * trading decision may use, no look-ahead), backward, smoothed
 * posteriors and Viterbi (both use the future: for analysis only).
 * Then the Gaussian HMM of tl-regime: diagonal or full covariances,
 * Baum-Welch with seeded restarts and canonical state order, decoding.
 * Rabiner (1989, Proc. IEEE 77(2), the scaled recursions of eqs. 91-95);
 * test vectors: Wikipedia's healthy/fever example and an independent
 * numpy implementation (tests/unit/test_tl_hmm.c).
 */
#ifndef TL_HMM_H
#define TL_HMM_H

#include <stddef.h>

#include <jansson.h>

#include "tl_err.h"

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

/* Covariance of a state's features. */
enum tl_ghmm_cov {
	TL_GHMM_DIAG = 0,	/* one variance per feature */
	TL_GHMM_FULL		/* a full covariance matrix per state */
};

/* A Gaussian HMM: k states, dim features. */
struct tl_ghmm {
	size_t	 k;		/* states */
	size_t	 dim;		/* features per observation */
	enum tl_ghmm_cov cov_type; /* diagonal or full */
	double	*pi;		/* k start probabilities */
	double	*A;		/* k x k transitions, row = from */
	double	*mean;		/* k x dim means */
	double	*var;		/* k x dim variances (full: the diagonals) */
	double	*cov;		/* k x dim x dim covariances; full only */
	double	 loglik;	/* log P(x) of the fitted model */
	int	 iters;		/* EM iterations of the best restart */
	int	 converged;	/* the best restart stopped on tol */
};

/* How to fit: see tl_ghmm_train(). */
struct tl_ghmm_opts {
	size_t		 k;		/* states */
	enum tl_ghmm_cov cov_type;	/* diagonal or full */
	int		 restarts;	/* seeded starts, the best kept */
	unsigned long	 seed;		/* restart r draws from (seed, r+1) */
	int		 max_iter;	/* EM iterations per restart */
	double		 tol;		/* stop when log P gains less */
	double		 min_var;	/* variance floor: this fraction of
					 * each feature's variance */
	size_t		 order;		/* states sorted by this feature's
					 * mean ... */
	int		 order_desc;	/* ... descending when nonzero */
};

/* Zeroed parameters for k states and dim features (cov allocated only
 * for TL_GHMM_FULL).  Free with tl_ghmm_release(). */
void	tl_ghmm_init(struct tl_ghmm *m, size_t k, size_t dim,
	    enum tl_ghmm_cov cov_type);
void	tl_ghmm_release(struct tl_ghmm *m);

/* log b_j(x_t) of every observation under m, to logb[t*k].  A full
 * covariance that is not positive definite gives -inf (tl_ghmm_check()
 * first). */
void	tl_ghmm_loglik(const struct tl_ghmm *m, const double *x, size_t t,
	    double *logb);

/* Are m's parameters usable: pi and the rows of A probabilities summing
 * to 1 (within 1e-6), finite means, positive variances, positive
 * definite symmetric covariances?  Returns 0, or -1 with err =
 * TL_EX_DATAERR naming the first bad parameter. */
int	tl_ghmm_check(const struct tl_ghmm *m, struct tl_err *err);

/* Filtered probabilities P(s_t | x_1..t) to filt[t*k] (no look-ahead)
 * and, if path is not NULL, the Viterbi path (uses all of x).  Returns
 * log P(x). */
double	tl_ghmm_decode(const struct tl_ghmm *m, const double *x, size_t t,
	    double *filt, size_t *path);

/* Free parameters of a model: k - 1 start, k(k - 1) transition, k dim
 * means and k dim (diagonal) or k dim (dim + 1) / 2 (full) covariance
 * entries: the p of AIC = 2p - 2 log L and BIC = p ln T - 2 log L. */
size_t	tl_ghmm_nparams(size_t k, size_t dim, enum tl_ghmm_cov cov_type);

/* Fit by Baum-Welch on x (t rows of dim features).  The features are
 * standardised first (so one min_var and the seeding suit any units);
 * each restart seeds the means by k-means++ and a few Lloyd steps, starts
 * from unit (standardised) covariances, uniform pi and a sticky A, then
 * iterates until log P gains less than tol, or max_iter.  The E-step is
 * scaled forward-backward, with the log-space pass as the fallback when a
 * scaling constant underflows.  The restart with the highest log P is
 * kept (ties: the earlier), put back into the data's units, its states
 * ordered by the mean of feature o->order (canonical labels, no label
 * switching between runs; ties by the next features), and its log P
 * recomputed on x.  Returns 0, or -1 with err: TL_EX_USAGE for bad
 * options, TL_EX_DATAERR for t < 2k, a non-finite value or a constant
 * feature (err->where "feature N", 1-based), TL_EX_SOFTWARE if no
 * restart reached a finite likelihood.  m is new on success. */
int	tl_ghmm_train(struct tl_ghmm *m, const double *x, size_t t,
	    size_t dim, const struct tl_ghmm_opts *o, struct tl_err *err);

/* tl_ghmm_train() with diagonal covariances, states ordered by the first
 * feature, no message: returns 0, or -1 if t < 2k or the data are bad. */
int	tl_ghmm_fit(struct tl_ghmm *m, const double *x, size_t t, size_t dim,
	    size_t k, int restarts, unsigned long seed, int max_iter,
	    double tol, double min_var);

/* AIC = 2p - 2 log L and BIC = p ln n - 2 log L of m fitted on n rows
 * (p = tl_ghmm_nparams). */
double	tl_ghmm_aic(const struct tl_ghmm *m);
double	tl_ghmm_bic(const struct tl_ghmm *m, size_t n);

/* ---- tl-regime's model file ------------------------------------------ */

#define TL_REGIME_FORMAT	"tl-regime-model"
#define TL_REGIME_VERSION	1
#define TL_REGIME_MAX_STATES	50	/* --states at most */
#define TL_REGIME_MAX_FEATURES	64	/* features at most */

/* A Gaussian HMM with what the file says about it. */
struct tl_regime_model {
	struct tl_ghmm	 h;		/* the parameters */
	char		**feat;		/* h.dim feature names */
	char		**labels;	/* h.k state names */
	char		*date;		/* date column */
	size_t		 rows;		/* rows fitted on */
	char		*first, *last;	/* their first and last dates, or
					 * NULL */
	json_t		*options;	/* how it was fitted (an object) */
	json_t		*selection;	/* the table over numbers of states,
					 * or NULL */
};

/* Free what m owns (every pointer may be NULL) and zero it. */
void	tl_regime_model_release(struct tl_regime_model *m);

/* m as the model file's one JSON object ("tl-regime-model"), with the
 * expected durations 1 / (1 - A_ii), AIC and BIC.  New. */
json_t	*tl_regime_model_json(const struct tl_regime_model *m);

/* Load the model file path into m (zeroed first).  Checked: k states in
 * 1..TL_REGIME_MAX_STATES with k labels and 1..TL_REGIME_MAX_FEATURES
 * features, each list of distinct non-empty names (as --labels and
 * --features take them), a date column name, the shapes of every array,
 * tl_ghmm_check() (probabilities, positive variances, symmetric positive
 * definite covariances; zero off the diagonal of a diagonal model), rows
 * >= 1, iterations >= 0.  Returns 0, or -1 with err: TL_EX_NOINPUT,
 * TL_EX_DATAERR (where = path) and m released (zeroed). */
int	tl_regime_model_load(struct tl_regime_model *m, const char *path,
	    struct tl_err *err);

/* log(sum exp(x[i])) over n values, without overflow; -inf for n == 0 or
 * all -inf. */
double	tl_logsumexp(const double *x, size_t n);

#endif
