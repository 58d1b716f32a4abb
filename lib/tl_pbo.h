/*
 * Probability of backtest overfitting by combinatorially symmetric cross-
 * validation (Bailey, Borwein, Lopez de Prado & Zhu 2017): split T periods
 * of N candidates' returns into S blocks; for every choice of S/2 blocks
 * as in-sample, take the in-sample best and see where it ranks out of
 * sample.  PBO is the share of splits whose logit lambda of that rank
 * is <= 0 (the paper's eq. for PBO as the integral of f(lambda) up to 0);
 * the unit tests use the 8 x 4 example of pypbo's tests.
 */
#ifndef TL_PBO_H
#define TL_PBO_H

#include <stddef.h>

#include "tl_err.h"
#include "tl_progress.h"

enum tl_pbo_metric {
	TL_PBO_SHARPE,		/* mean / sd (n - 1) of the chosen rows */
	TL_PBO_MEAN		/* mean of the chosen rows */
};

struct tl_pbo {
	size_t	 ncomb;		/* C(S, S/2) combinations */
	size_t	 dropped;	/* first T mod S rows, not used */
	double	*logit;		/* lambda per combination, in order */
	double	*is_best;	/* in-sample metric of the winner n* */
	double	*oos_best;	/* its out-of-sample metric */
	double	 pbo;		/* share of combinations with lambda <= 0 */
	double	 slope;		/* OLS of oos_best on is_best: slope */
	double	 intercept;	/* and intercept */
	double	 r2;		/* and its coefficient of determination */
	double	 p_loss;	/* share with oos_best < 0 */
	double	 logit_mean;	/* mean and median of lambda */
	double	 logit_median;
};

/* CSCV on the t x n row-major matrix m (row = period, column = candidate;
 * finite values), s even, 2 <= s <= t, n >= 2.  The relative rank is
 * omega = rank/(n + 1) with average ranks for ties (pypbo's convention;
 * rank 1 = worst), lambda = ln(omega/(1 - omega)); the in-sample winner is
 * the first best column.  The first t mod s rows are dropped.  threads >=
 * 1; the result does not depend on it.  pr (NULL: none) counts the
 * combinations done; borrowed.  Returns 0, or -1 with err (TL_EX_DATAERR
 * for a bad shape).  Free with tl_pbo_release(). */
int	tl_pbo_cscv(const double *m, size_t t, size_t n, size_t s,
	    enum tl_pbo_metric metric, int threads, struct tl_progress *pr,
	    struct tl_pbo *out, struct tl_err *err);
void	tl_pbo_release(struct tl_pbo *p);

#endif
