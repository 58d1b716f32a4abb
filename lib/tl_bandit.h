/*
 * Posteriors for Thompson sampling: Beta-Bernoulli for wins and losses,
 * Normal-Inverse-Gamma for returns of unknown mean and variance (Murphy
 * 2007), both with discounting of old evidence (Raj & Kalyani 2017); the
 * exact probability that one Beta arm beats another; the Lai-Robbins
 * regret constant (Lai & Robbins 1985, Adv. Appl. Math. 6, theorem 2).
 * The unit tests check those closed forms and the samplers against them
 * by Monte Carlo.
 */
#ifndef TL_BANDIT_H
#define TL_BANDIT_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>
#include <jansson.h>

#include "tl_err.h"

struct tl_map;

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

/* ---- the state file of tl-bandit ------------------------------------- */

#define TL_BANDIT_STATE_FORMAT	"tl-bandit-state"
#define TL_BANDIT_STATE_VERSION	1
#define TL_BANDIT_MAX_FIELDS	8	/* fields of a combo spec */

/* How an outcome credits arms (CREDIT ASSIGNMENT in tl-bandit(1)). */
enum tl_bandit_kind {
	TL_BANDIT_AUTO,		/* from the first record: one of the next */
	TL_BANDIT_FLAGS,	/* a map of 0/1 flags */
	TL_BANDIT_SHARE,	/* a map of scores, credit by share */
	TL_BANDIT_CREDIT,	/* a map of credits in [0, 1] */
	TL_BANDIT_VOTES,	/* a map of approve/reject/abstain */
	TL_BANDIT_VALUE,	/* the field's value is the arm */
	TL_BANDIT_COMBO		/* several fields' values make the arm */
};

enum tl_bandit_model {
	TL_BANDIT_BETA,		/* Beta-Bernoulli, rewards in [0, 1] */
	TL_BANDIT_NORMAL	/* Normal-Inverse-Gamma, real rewards */
};

/* Evidence of one arm (or the baseline) in one scope: the raw number of
 * outcomes credited, the main model's discounted statistics (beta: s, f;
 * normal: w, sx, sxx) and those of the P&L (w, sx, sxx). */
struct tl_bandit_ev {
	double	n;		/* outcomes credited, not discounted */
	double	e[3];		/* main evidence */
	double	p[3];		/* P&L evidence */
};

struct tl_bandit_arm {
	char		*name;		/* arm name */
	struct tl_bandit_ev pooled;	/* every context */
	struct tl_bandit_ev *ctx;	/* per context index, grown on use */
	size_t		 nctx;		/* allocated entries of ctx */
};

/* The posteriors of tl-bandit and the settings they were learned with. */
struct tl_bandit_state {
	enum tl_bandit_kind kind;	/* resolved credit rule */
	char		*spec;		/* arms spec as given */
	char		*fields[TL_BANDIT_MAX_FIELDS];	/* fields it reads */
	size_t		 nfields;	/* their number */
	char		*reward;	/* reward field */
	enum tl_bandit_model model;	/* beta or normal */
	double		 prior[4];	/* beta: a, b; normal: mu, kappa,
					 * alpha, beta */
	double		 discount;	/* per day, in (0, 1] */
	char		*time;		/* time field */
	char		*context;	/* context field, or NULL */
	int		 ctxfile;	/* contexts from a file */
	char		*pnl;		/* P&L field, or NULL */
	long		 updates;	/* update runs folded in */
	double		 outcomes;	/* outcomes read, all runs */
	int		 has_day;	/* day is set */
	int64_t		 day;		/* evidence is as of this day (days
					 * since 1970-01-01) */
	struct tl_bandit_arm base;	/* baseline: every outcome */
	struct tl_bandit_arm *arm;	/* the arms */
	size_t		 narm, armcap;	/* used, allocated */
	struct tl_map	*armidx;	/* name -> index + 1 */
	char		**ctxname;	/* context names */
	size_t		 nctx, ctxcap;	/* used, allocated */
	struct tl_map	*ctxidx;	/* name -> index + 1 */
};

/* The names of kinds and models as the state file and the options spell
 * them ("flags", "beta"); borrowed.  The parsers return the value, or -1
 * for an unknown name. */
const char *tl_bandit_kind_name(enum tl_bandit_kind k);
int	tl_bandit_kind_parse(const char *s);
const char *tl_bandit_model_name(enum tl_bandit_model m);
int	tl_bandit_model_parse(const char *s);
/* the models by name, indexed by enum tl_bandit_model (--family) */
extern const char *const tl_bandit_model_names[];
extern const size_t tl_bandit_nmodels;

/* An empty state (no settings, discount 1); release frees what it owns
 * and leaves st zeroed. */
void	tl_bandit_state_init(struct tl_bandit_state *st);
void	tl_bandit_state_release(struct tl_bandit_state *st);

/* Index of arm name[0..n), added when absent and add is nonzero;
 * -1 when absent and not to be added. */
long	tl_bandit_arm_find(struct tl_bandit_state *st, const char *name,
	    size_t n, int add);

/* Index of context name[0..n), added when absent. */
size_t	tl_bandit_ctx_find(struct tl_bandit_state *st, const char *name,
	    size_t n);

/* The evidence of arm a in context c: zero-filled when new (grown), or
 * (get) NULL when a has none there.  Borrowed until a grows. */
struct tl_bandit_ev *tl_bandit_arm_ctx(struct tl_bandit_arm *a, size_t c);
const struct tl_bandit_ev *tl_bandit_arm_ctx_get(
	    const struct tl_bandit_arm *a, size_t c);

/* Move the evidence to day d: everything older fades by discount^(d -
 * day).  An earlier d changes nothing. */
void	tl_bandit_state_advance(struct tl_bandit_state *st, int64_t d);

/* The arms spec of -a ("signals", "share:components", "combo:symbol,
 * side") into st's spec, kind and fields.  Returns 0, or -1 with err =
 * TL_EX_USAGE, where "--arms". */
int	tl_bandit_spec_parse(struct tl_bandit_state *st, const char *spec,
	    struct tl_err *err);

/* Are the n numbers prior[] the parameters of model m: beta alpha, beta
 * > 0; normal mu, kappa, alpha, beta with kappa, alpha, beta > 0; all
 * finite?  Returns 0, or -1 with err = TL_EX_USAGE, where "--prior",
 * "'text' is not alpha,beta (both > 0)" (text: the numbers as written). */
int	tl_bandit_prior_check(enum tl_bandit_model m, const double *prior,
	    size_t n, const char *text, struct tl_err *err);

/* The state as its file's one JSON object.  New. */
json_t	*tl_bandit_state_json(const struct tl_bandit_state *st);

/* Load the state file path into st (initialised): its settings become
 * st's, checked with the ranges of the options that set them (the arms
 * spec re-parsed, the prior, a discount in (0, 1]) and every evidence
 * number finite (counts >= 0).  Returns 0, or -1 with err: TL_EX_NOINPUT,
 * TL_EX_DATAERR (tl_json_load_versioned's, or "settings: ...", "arm 'x'
 * context 'y': 'n' must be a number >= 0" ...), where = path; st then
 * holds part of the file and is released as always. */
int	tl_bandit_state_load(struct tl_bandit_state *st, const char *path,
	    struct tl_err *err);

/* ---- posteriors of a state's evidence --------------------------------- */

/* The posterior of one arm in one scope: Beta(a, b) or NIG g. */
struct tl_bandit_post {
	enum tl_bandit_model m;		/* which of the two */
	double		 a, b;		/* beta */
	struct tl_nig_post g;		/* normal */
};

/* Add one outcome with credit w to e: the raw count n by 1; reward r
 * (beta: r in [0, 1], w r to successes and w (1 - r) to failures;
 * normal: w, w r, w r^2) and, when has_pnl, the P&L x (w, w x, w x^2). */
void	tl_bandit_ev_add(struct tl_bandit_ev *e, enum tl_bandit_model m,
	    double r, int has_pnl, double x, double w);

/* The posterior of evidence e (NULL: none) under st's model and prior. */
void	tl_bandit_post_of(const struct tl_bandit_state *st,
	    const struct tl_bandit_ev *e, struct tl_bandit_post *p);

/* Its mean, q quantile (of the mean, for normal) and one Thompson draw. */
double	tl_bandit_post_mean(const struct tl_bandit_post *p);
double	tl_bandit_post_quantile(const struct tl_bandit_post *p, double q);
double	tl_bandit_post_draw(gsl_rng *r, const struct tl_bandit_post *p);

/* The NIG posterior of e's P&L under the P&L's own weak prior NIG(0, 1,
 * 1, 1) (a P&L is in the trade's currency, not the reward's). */
void	tl_bandit_pnl_post(const struct tl_bandit_ev *e,
	    struct tl_nig_post *p);

/* The prior "a,b" or "mu,kappa,alpha,beta" of --prior into st->prior,
 * checked for st->model by tl_bandit_prior_check (its errors). */
int	tl_bandit_prior_parse(struct tl_bandit_state *st, const char *s,
	    struct tl_err *err);

#endif
