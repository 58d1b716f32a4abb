/*
 * tl-bayesopt's parts: what they share.  main.c reads the options and
 * runs one subcommand of its table; each subcommand is a file with two
 * functions, X_check (its options, after the common ones) and cmd_X (the
 * story: read, compute, write):
 *
 *	void	X_check(struct opts *o, int argc, char *argv[]);
 *	int	cmd_X(const struct opts *o, const struct tl_space *s,
 *		    struct tl_err *err);
 *
 * cmd_X returns 0, or -1 with err; s is the --space, loaded by main.c
 * when the row asks for it, else NULL.
 *
 * history.c reads the history file into trials; record.c writes the
 * fields of a trial record; engine.c proposes points (Sobol, TPE, local
 * moves) from what it observed; model.c asks tl-train-forest for
 * predictions.  suggest.c, run.c (with attach.c), space.c and front.c
 * are the subcommands.
 */
#ifndef BAYESOPT_H
#define BAYESOPT_H

#include <stddef.h>

#include <gsl/gsl_rng.h>
#include <jansson.h>

#include "tl_err.h"
#include "tl_map.h"
#include "tl_nsga2.h"
#include "tl_opt.h"
#include "tl_progress.h"
#include "tl_prune.h"
#include "tl_records.h"
#include "tl_space.h"
#include "tl_tpe.h"
#include "tl_trial.h"
#include "tl_util.h"

#define DUP_ROUNDS	8	/* rounds of n_ei draws before random */
#define OBJ_MAX		8	/* --objective at most this many times */
#define SSHLOGIN_MAX	64	/* --sshlogin at most this many times */

/* long-only options */
enum {
	O_AROUND = 256, O_CANDIDATES, O_IGNORE_UNKNOWN, O_KAPPA, O_MINIMIZE,
	O_MODEL_PREFIX, O_NOPROGRESS, O_PARAMS_FIELD, O_PROGRESS, O_RADIUS,
	O_SCREEN, O_SPACE, O_STARTUP, O_STATE_FIELD, O_MULTIVARIATE,
	O_TIMEOUT, O_UNIVARIATE, O_VALUE_FIELD, O_GAMMA, O_PRUNER,
	O_PRUNE_STARTUP, O_WARMUP_STEPS, O_MIN_RESOURCE, O_MAX_RESOURCE,
	O_REDUCTION_FACTOR, O_OBJECTIVE, O_REF_POINT, O_HYPERVOLUME,
	O_DISPATCH, O_PARTITION, O_TIME_LIMIT, O_MEM, O_SSHLOGIN, O_BATCH_DIR,
	O_RETRIES, O_SAMPLER, O_POPULATION
};

struct opts {
	const char	*around;	/* --around: parents */
	const char	*history;	/* -H */
	enum tl_fmt	 ifmt;		/* -i: history, --around; AUTO */
	int		 ignore_unknown;	/* params not in the space */
	long		 jobs;		/* -j: run's parallel trials */
	double		 kappa;		/* screening: mean + kappa * sd */
	int		 maximize;	/* -x */
	const char	*model;		/* -M: tl-train-forest model */
	const char	*model_prefix;	/* key of the params in model rows */
	long		 count;		/* -n */
	int		 count_set;	/* -n given */
	const char	*output;	/* -o */
	const char	*params_field;	/* where a trial keeps its params, read
					 * and written */
	enum tl_progress_opt progress;	/* run: --progress, --no-progress */
	int		 quiet;		/* -q */
	double		 radius;	/* --around step in u */
	long		 screen;	/* candidates drawn for the model */
	long		 seed;		/* -s */
	const char	*space;		/* --space */
	long		 startup;	/* Sobol trials before TPE */
	const char	*state_field;	/* trial state */
	double		 timeout;	/* --timeout: seconds, 0 none */
	int		 verbose;	/* -v */
	const char	*value_field;	/* trial value */
	int		*given;		/* the options given, in order (getopt's
					 * values) */
	size_t		 ngiven;	/* their number */
	const char	*obj_name[OBJ_MAX];	/* --objective NAME:DIR */
	int		 obj_max[OBJ_MAX];	/* maximised */
	size_t		 nobj;		/* --objective given: several values */
	const char	*ref_point;	/* --ref-point, as given */
	double		 ref[OBJ_MAX];	/* its values, as losses */
	int		 hypervolume;	/* front --hypervolume */
	int		 nsga2;		/* --sampler nsga2, not TPE */
	long		 population;	/* --population: NSGA-II's, or 0 */
	struct tl_tpe_params tp;	/* TPE knobs */
	struct tl_prune_params pp;	/* run: --pruner and its knobs */
	int		 prune_opt;	/* a pruner knob given: its option */
	char		**objective;	/* run: command and arguments */
	const char	*dispatch;	/* run: --dispatch engine */
	struct tl_trial_conf tc;	/* its settings */
	const char	*sshlogin[SSHLOGIN_MAX];	/* --sshlogin */
};

enum tstate { T_COMPLETE, T_FAILED, T_RUNNING, T_PRUNED };

/* One trial of the history that fits the space. */
struct trial {
	double		*x;		/* point */
	double		 value;		/* as given (complete) */
	enum tstate	 st;		/* state */
	struct tl_prune_trial cv;	/* its intermediate values */
	double		*y;		/* --objective: complete: the values
					 * as losses (maximised negated) */
	double		 viol;		/* total constraint violation: > 0
					 * infeasible */
};

struct hist {
	const struct tl_space *s;	/* the space of the trials, borrowed */
	struct trial	*t;		/* usable trials, in file order */
	size_t		 n, cap;	/* used, allocated */
	size_t		 read;		/* records read */
	size_t		 complete, failed, running, pruned;	/* of the
							 * usable */
	size_t		 outside;	/* skipped: not in the space */
	size_t		 novalue;	/* skipped: bad or missing value */
	size_t		 unreadable;	/* skipped: bad JSON */
	long		 next_trial;	/* run: number of the next trial */
};

/* A proposal. */
struct cand {
	double		*x;		/* point */
	const char	*source;	/* sobol, tpe, around, random, screened */
	const char	*drawn;		/* screened: how it was drawn */
	double		 score;		/* acquisition; NAN: none */
	double		 pred, sd;	/* screened: the model's */
	long		 parent;	/* around: line of the parent, or 0 */
};

/* What proposes points: the space, the TPE over the visible trials, the
 * set of points already tried or proposed. */
struct engine {
	const struct opts	*o;
	const struct tl_space	*s;
	struct tl_tpe		*tpe;	/* observations and liars */
	struct tl_nsga2		*ga;	/* --sampler nsga2, or NULL */
	int			 fitted;	/* tpe fitted since last change */
	struct tl_map		*seen;	/* keys of tried/proposed points */
	struct tl_buf		 key;	/* scratch */
	size_t			 qnext;	/* next Sobol index */
	size_t			 ntried;	/* trials known, for the start */
	size_t			 ninfeasible;	/* of them, observed
					 * infeasible: not in the start */
	gsl_rng			*r;	/* this batch's stream */
	double			*par;	/* around: parent points */
	long			*parline;	/* their lines */
	size_t			 npar;	/* their number */
	double			*X, *sc;	/* n_ei draws and scores */
	const double		**mox;	/* --objective: complete trials */
	double			*moy;	/* their losses, nobj each */
	size_t			 mon, mocap;	/* held, allocated */
};

/* A trial's reports and whether it was pruned. */
struct runprune {
	size_t		 line;		/* lines read */
	int		 pruned;	/* stopped by the pruner */
	long		 step;		/* then: at its largest step */
	char		 why[200];	/* and why */
};

/* A trial that a run before this one submitted and did not see end
 * (slurm): taken up again (tl_trial_attach). */
struct attached {
	long		 id;		/* its number */
	char		*dir;		/* its batch directory */
	long		 seq;		/* its line there, from 0 */
	size_t		 h;		/* its record in rs->h, running */
};

/* Run state: the history at the start plus this run's trials. */
struct runstate {
	const struct opts	*o;
	const struct tl_space	*s;
	struct hist		 h;	/* the history as read */
	long			 first;	/* number of this run's first trial */
	size_t			 nrun;	/* trials launched */
	double			**x;	/* their points, by index: as a
					 * reader of their params gets them
					 * (tl_space_settle) */
	json_t			**par;	/* those params, as written */
	const char		**src;	/* how each was proposed */
	double			*score;	/* and its score */
	double			*val;	/* values (NAN: failed or pruned) */
	double			*y;	/* --objective: nobj losses each */
	double			*viol;	/* total constraint violation */
	int			*done;	/* finished */
	struct tl_prune_trial	*cv;	/* intermediate values */
	struct runprune		*prn;	/* pruning */
	struct tl_prune_trial	*others;	/* scratch: a pruner's view */
	size_t			 cap;	/* allocated */
	size_t			 nfin;	/* finished in this run */
	size_t			 ncomplete, nfailed, npruned;	/* of those */
	size_t			 ninfeasible;	/* of the complete */
	size_t			 nlost;	/* the last trials in a row that
					 * the engine could not run */
	char			 lost[256];	/* the last one's reason */
	struct tl_progress	*pr;	/* trials finished, or NULL */
	struct attached		*att;	/* trials of a run before, taken
					 * up: at indices cap - natt + 1 on */
	size_t			 natt;	/* their number */
};

/* main.c: the options every subcommand's check uses */
const char *opts_name(int ch, char *buf, size_t size);
int	opts_given(const struct opts *o, int ch);
void	opts_only(const struct opts *o, const int *only, size_t n,
	    const char *what);
void	opts_objectives(struct opts *o);
void	opts_search(const struct opts *o);

/* history.c: the history file read */
void	skip_msg(const struct opts *o, const char *name, unsigned long line,
	    const char *why);
int	read_records(const struct opts *o, struct tl_records *rs,
	    void (*fn)(const struct opts *, void *, const json_t *,
	    const char *, unsigned long), void *ctx, size_t *nread,
	    size_t *unreadable, struct tl_err *err);
int	read_violation(const json_t *rec, double *viol, char *why,
	    size_t whylen);
int	read_values(const struct opts *o, const json_t *rec, double *y,
	    char *why, size_t whylen);
void	hist_record(const struct opts *o, void *ctx, const json_t *rec,
	    const char *name, unsigned long line);
int	hist_read(const struct opts *o, const struct tl_space *s,
	    struct hist *h, int may_be_new, struct tl_err *err);
void	hist_release(struct hist *h);
void	hist_summary(const struct opts *o, const struct hist *h);
double	loss_of(const struct opts *o, double value);

/* space.c: what space reads, a record at a time (importance too) */
struct spaceread {
	struct tl_space_infer	*in;	/* the params tried */
	size_t			 read, unreadable;	/* records */
	size_t			 noparams;	/* without a params object */
};
void	space_record(const struct opts *o, void *ctx, const json_t *rec,
	    const char *name, unsigned long line);

/* importance.c: its own options, read, compute, write; an exit status */
int	cmd_importance(int argc, char *argv[]);

/* record.c: the fields of a trial record written, and -o */
json_t *num(double x);
void	set_params(json_t *rec, const struct opts *o, json_t *params);
void	put_params(json_t *rec, const struct opts *o,
	    const struct tl_space *s, const double *x);
json_t *values_json(const struct opts *o, const double *y, int as_loss);
int	write_lines(const struct opts *o, const json_t *rec,
	    struct tl_err *err);

/* engine.c: proposals */
void	engine_init(struct engine *e, const struct opts *o,
	    const struct tl_space *s);
void	engine_release(struct engine *e);
void	engine_reset(struct engine *e);
int	engine_seen(struct engine *e, const double *x, int add);
void	engine_take(struct engine *e, const double *x);
int	engine_fit(struct engine *e);
int	engine_startup(const struct engine *e);
int	next_sobol(struct engine *e, double *x);
int	propose(struct engine *e, size_t i, struct cand *c);
void	observe(struct engine *e, const double *x, double value,
	    const double *y, double viol);
void	mo_flush(struct engine *e);
void	observe_pruned(struct engine *e, const double *x,
	    const struct tl_prune_trial *cv);
void	engine_history(struct engine *e, const struct hist *h);

/* model.c: the meta-model's predictions */
int	predict(const struct engine *e, struct cand *c, size_t n,
	    struct tl_err *err);

/* front.c: the front of a run */
json_t *run_front(struct runstate *rs);

/* attach.c: a run's slurm trials of a run before, taken up */
int	attach_scan(struct runstate *rs, struct tl_err *err);
int	attach_start(struct runstate *rs, struct tl_trial_run *tr,
	    struct tl_err *err);
void	attach_release(struct runstate *rs);

/* run.c: whether --dispatch or one of its options was given */
int	dispatch_given(const struct opts *o);

/* the subcommands */
void	suggest_check(struct opts *o, int argc, char *argv[]);
int	cmd_suggest(const struct opts *o, const struct tl_space *s,
	    struct tl_err *err);
void	run_check(struct opts *o, int argc, char *argv[]);
int	cmd_run(const struct opts *o, const struct tl_space *s,
	    struct tl_err *err);
void	space_check(struct opts *o, int argc, char *argv[]);
int	cmd_space(const struct opts *o, const struct tl_space *s,
	    struct tl_err *err);
void	front_check(struct opts *o, int argc, char *argv[]);
int	cmd_front(const struct opts *o, const struct tl_space *s,
	    struct tl_err *err);

#endif
