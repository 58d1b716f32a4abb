/*
 * tl-bayesopt: propose the next strategy genomes to try.  suggest reads a
 * search space and the history of past trials and writes N candidates:
 * scrambled Sobol points until enough trials exist, then TPE proposals
 * made diverse by a constant liar; optionally screened by the
 * tl-train-forest meta-model (run as a subprocess) or drawn as local
 * moves around given champions.  run drives an objective command per
 * trial (params on its stdin, a number on its stdout), K at a time,
 * appending each finished trial to the history so that a killed run
 * resumes where it stopped.  space infers a search space from the params
 * of a history (tl_space_infer_*), for a night that has no space file.
 * Everything random comes from --seed.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <jansson.h>

#include "tl_err.h"
#include "tl_json.h"
#include "tl_map.h"
#include "tl_num.h"
#include "tl_opt.h"
#include "tl_pareto.h"
#include "tl_out.h"
#include "tl_progress.h"
#include "tl_prune.h"
#include "tl_records.h"
#include "tl_rng.h"
#include "tl_space.h"
#include "tl_tpe.h"
#include "tl_trial.h"
#include "tl_util.h"

#define FOREST		"tl-train-forest"
#define DUP_ROUNDS	8	/* rounds of n_ei draws before random */
#define OBJ_MAX		8	/* --objective at most this many times */
#define RANDOM_TRIES	10000	/* uniform draws before "exhausted" */

enum cmd { C_SUGGEST, C_RUN, C_SPACE, C_FRONT };

/* the subcommands by name */
static const char *const cmd_names[] = {
	[C_SUGGEST] = "suggest", [C_RUN] = "run", [C_SPACE] = "space",
	[C_FRONT] = "front"
};

/* long-only options */
enum {
	O_AROUND = 256, O_CANDIDATES, O_IGNORE_UNKNOWN, O_KAPPA, O_MINIMIZE,
	O_MODEL_PREFIX, O_NOPROGRESS, O_PARAMS_FIELD, O_PROGRESS, O_RADIUS,
	O_SCREEN, O_SPACE, O_STARTUP, O_STATE_FIELD, O_MULTIVARIATE,
	O_TIMEOUT, O_UNIVARIATE, O_VALUE_FIELD, O_GAMMA, O_PRUNER,
	O_PRUNE_STARTUP, O_WARMUP_STEPS, O_MIN_RESOURCE, O_MAX_RESOURCE,
	O_REDUCTION_FACTOR, O_OBJECTIVE, O_REF_POINT, O_HYPERVOLUME,
	O_DISPATCH, O_PARTITION, O_TIME_LIMIT, O_MEM, O_SSHLOGIN, O_BATCH_DIR,
	O_RETRIES
};

/* run: the dispatch engines (lib/tl_trial.c), and which of the engine
 * options each takes */
static const struct {
	const char	*name;
	int		 opts[6];	/* O_* it takes; 0 ends */
} dispatch_engines[] = {
	{ "local", { 0 } },
	{ "slurm", { O_BATCH_DIR, O_PARTITION, O_TIME_LIMIT, O_MEM,
	    O_RETRIES, 0 } },
	{ "parallel", { O_BATCH_DIR, O_SSHLOGIN, O_RETRIES, 0 } },
};

/* the engine options, for the check above */
static const int engine_opts[] = { O_PARTITION, O_TIME_LIMIT, O_MEM,
    O_SSHLOGIN, O_RETRIES, O_BATCH_DIR };

#define SSHLOGIN_MAX	64	/* --sshlogin at most this many times */

/* the options that space and front take (getopt's values; -h and -V
 * exit) */
static const int space_opts[] = { 'H', 'i', 'o', 'q', 'v', O_PARAMS_FIELD };
static const int front_opts[] = { 'H', 'i', 'o', 'q', 'v', O_PARAMS_FIELD,
    O_OBJECTIVE, O_REF_POINT, O_HYPERVOLUME };

struct opts {
	enum cmd	 cmd;		/* suggest, run or space */
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
	int		 not_space;	/* first option space does not take */
	int		 not_front;	/* first option front does not take */
	const char	*obj_name[OBJ_MAX];	/* --objective NAME:DIR */
	int		 obj_max[OBJ_MAX];	/* maximised */
	size_t		 nobj;		/* --objective given: several values */
	const char	*ref_point;	/* --ref-point, as given */
	double		 ref[OBJ_MAX];	/* its values, as losses */
	int		 hypervolume;	/* front --hypervolume */
	struct tl_tpe_params tp;	/* TPE knobs */
	struct tl_prune_params pp;	/* run: --pruner and its knobs */
	int		 prune_opt;	/* a pruner knob given: its option */
	char		**objective;	/* run: command and arguments */
	const char	*dispatch;	/* run: --dispatch engine */
	struct tl_trial_conf tc;	/* its settings */
	const char	*sshlogin[SSHLOGIN_MAX];	/* --sshlogin */
	int		 engine_opt[TL_NELEM(engine_opts)];	/* given */
};

enum tstate { T_COMPLETE, T_FAILED, T_RUNNING, T_PRUNED };

/* The states of a history record by name (the first of each is the one
 * written). */
static const struct {
	const char	*name;
	enum tstate	 st;
} state_names[] = {
	{ "complete", T_COMPLETE }, { "completed", T_COMPLETE },
	{ "ok", T_COMPLETE }, { "failed", T_FAILED }, { "fail", T_FAILED },
	{ "running", T_RUNNING }, { "pruned", T_PRUNED },
};

/* One trial of the history that fits the space. */
struct trial {
	double		*x;		/* point */
	double		 value;		/* as given (complete); pruned: the
					 * value at its last step */
	enum tstate	 st;		/* state */
	long		 step;		/* pruned: the step it stopped at */
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
	int			 fitted;	/* tpe fitted since last change */
	struct tl_map		*seen;	/* keys of tried/proposed points */
	struct tl_buf		 key;	/* scratch */
	size_t			 qnext;	/* next Sobol index */
	size_t			 ntried;	/* trials known, for the start */
	gsl_rng			*r;	/* this batch's stream */
	double			*par;	/* around: parent points */
	long			*parline;	/* their lines */
	size_t			 npar;	/* their number */
	double			*X, *sc;	/* n_ei draws and scores */
	const double		**mox;	/* --objective: complete trials */
	double			*moy;	/* their losses, nobj each */
	size_t			 mon, mocap;	/* held, allocated */
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: tl-bayesopt suggest --space file [-qvx] [-H history] [-i format]\n"
"                   [-M model] [-n count] [-o file] [-s seed]\n"
"                   [--around file] [options]\n"
"       tl-bayesopt run --space file -H history [-qvx] [-i format]\n"
"                   [-j jobs] [-n trials] [-o file] [-s seed]\n"
"                   [--pruner name] [--timeout seconds]\n"
"                   [--dispatch engine] [--batch-dir dir]\n"
"                   [--partition name] [--time-limit time] [--mem size]\n"
"                   [--sshlogin login ...] [--retries n]\n"
"                   [--progress | --no-progress] [options]\n"
"                   -- command [arg ...]\n"
"       tl-bayesopt space -H history [-qv] [-i format] [-o file]\n"
"                   [--params-field field]\n"
"       tl-bayesopt front -H history --objective name:dir ... [-qv]\n"
"                   [-i format] [-o file] [--hypervolume]\n"
"                   [--params-field field] [--ref-point values]\n");
	if (fp != stdout)
		return;
	fprintf(fp,
"\nPropose strategy genomes by TPE; space infers a search space from the\n"
"params of a history (see tl-bayesopt(1)).\n\n"
"      --around=FILE       local moves around the genomes in FILE\n"
"      --batch-dir=DIR     run, slurm and parallel: a directory a batch\n"
"                          (slurm: on a file system the nodes share)\n"
"      --candidates=N      TPE draws per proposal (24)\n"
"      --dispatch=ENGINE   run: local, slurm (sbatch --array a batch) or\n"
"                          parallel (GNU parallel over --sshlogin) (local)\n"
"      --gamma=G           share of trials in TPE's good group (0.1)\n"
"  -H, --history=FILE      past trials (JSONL or CSV); run appends to it;\n"
"                          space reads the params tried there\n"
"  -h, --help              this help\n"
"      --hypervolume       front: the hypervolume of the front, not its\n"
"                          trials (needs --ref-point)\n"
"  -i, --input-format=F    history, --around: jsonl, csv or json\n"
"                          (default: from the content)\n"
"      --ignore-unknown    params not in the space are ignored, not a skip\n"
"  -j, --jobs=K            run: trials at a time (1)\n"
"      --kappa=K           screening score: mean + K * sd (1)\n"
"      --mem=SIZE          run, slurm: sbatch --mem (the partition's)\n"
"      --max-resource=N    run, hyperband: last step (0: auto)\n"
"      --min-resource=N    run, halving: first rung's step (0: auto);\n"
"                          hyperband (1)\n"
"  -M, --model=FILE        screen by tl-train-forest's predictions\n"
"      --minimize          lower values are better (the default)\n");
	fprintf(fp,
"      --model-prefix=KEY  params under KEY in model rows (genome); \"\":\n"
"                          flat\n"
"      --multivariate      joint TPE kernels over the numeric parameters\n"
"                          (the default)\n"
"  -n, --count=N           suggest: candidates (1); run: finished trials\n"
"                          wanted in the history (20)\n"
"      --objective=NAME:DIR  one of several objectives, DIR min or max;\n"
"                          repeated: multi-objective TPE, values under\n"
"                          \"values\"\n"
"  -o, --output=FILE       write to FILE (atomically) instead of stdout\n"
"      --params-field=F    where a trial keeps its params, read and\n"
"                          written (params; genome for runs.jsonl)\n"
"      --partition=NAME    run, slurm: sbatch --partition (the default)\n"
"      --progress          run: a progress line on stderr (default: on a\n"
"                          terminal)\n"
"      --no-progress       none\n"
"      --prune-startup=N   run, median: complete trials before pruning (5)\n"
"      --pruner=NAME       run: stop trials by the {\"step\": k, \"value\": v}\n"
"                          lines they print: none, median, halving or\n"
"                          hyperband (none)\n"
"  -q, --quiet             no summary, warnings or progress on stderr\n"
"      --reduction-factor=N run, halving (4), hyperband (3): rungs keep\n"
"                          the top 1/N\n"
"      --ref-point=V,...   front: the hypervolume's reference, one value\n"
"                          per --objective, in its own units\n"
"      --retries=N         run, slurm: a trial the scheduler ends is run\n"
"                          again as a new job up to N times; parallel:\n"
"                          its --retries N+1 (0)\n"
"      --radius=R          --around step, share of each range (0.1)\n"
"      --screen=M          candidates drawn for the model (1000)\n"
"  -s, --seed=N            random seed (1)\n"
"      --sshlogin=LOGIN    run, parallel: [N/]user@host[:port], repeated\n"
"                          (none: this host)\n"
"      --space=FILE        the search space (JSON)\n"
"      --startup=N         Sobol trials before TPE (10)\n"
"      --state-field=F     trial state: complete, failed, running (state)\n"
"      --time-limit=TIME   run, slurm: sbatch --time (the partition's)\n"
"      --timeout=SEC       run: an objective still running is failed\n"
"      --univariate        one TPE per parameter (Optuna 3.1's)\n"
"  -V, --version           print the version\n"
"  -v, --verbose           name each skipped history line\n"
"      --value-field=F     the trial's value, dotted (value)\n"
"      --warmup-steps=N    run, median: steps never pruned (0)\n"
"  -x, --maximize          higher values are better\n");
}

/* The multivariate default, or Optuna 3.1's univariate TPE
 * (TL_TPE_PARAMS_UNIVARIATE), keeping the knobs of other options. */
static void
tpe_mode(struct tl_tpe_params *tp, int multivariate)
{
	struct tl_tpe_params m = TL_TPE_PARAMS_UNIVARIATE;

	if (multivariate)
		m = (struct tl_tpe_params)TL_TPE_PARAMS_DEFAULT;
	tp->multivariate = m.multivariate;
	tp->flat_height = m.flat_height;
	tp->ei_weights = m.ei_weights;
}

/* --objective NAME:min|max (optarg is cut at its last colon). */
static void
parse_objective(struct opts *o, char *arg)
{
	char *colon = strrchr(arg, ':');
	size_t i;

	if (colon == NULL || colon == arg || (strcmp(colon, ":min") != 0 &&
	    strcmp(colon, ":max") != 0))
		tl_usage_error("--objective: '%s': expected NAME:min or "
		    "NAME:max", arg);
	if (o->nobj == OBJ_MAX)
		tl_usage_error("--objective: at most %d", OBJ_MAX);
	*colon = '\0';
	for (i = 0; i < o->nobj; i++)
		if (strcmp(o->obj_name[i], arg) == 0)
			tl_usage_error("--objective: '%s' given twice", arg);
	o->obj_name[o->nobj] = arg;
	o->obj_max[o->nobj++] = strcmp(colon + 1, "max") == 0;
}

/* --ref-point: one number per objective, stored as losses. */
static void
parse_ref_point(struct opts *o)
{
	struct tl_err err = { 0 };
	char *list = tl_xstrdup(o->ref_point), *p = list, *f;
	size_t n = 0;

	while ((f = strsep(&p, ",")) != NULL) {
		if (n == o->nobj || tl_parse_double("--ref-point", f,
		    -HUGE_VAL, HUGE_VAL, &o->ref[n], &err) == -1) {
			free(list);
			tl_usage_error("--ref-point: '%s': expected one number "
			    "per --objective (%zu)", o->ref_point, o->nobj);
		}
		if (o->obj_max[n])
			o->ref[n] = -o->ref[n];
		n++;
	}
	free(list);
	if (n != o->nobj)
		tl_usage_error("--ref-point: '%s': expected one number per "
		    "--objective (%zu)", o->ref_point, o->nobj);
}

/* run: the --dispatch engine known, given only the options it takes,
 * and what it needs. */
static void
check_dispatch(struct opts *o, const struct option *longopts)
{
	size_t i, j, k;
	char name[64];

	if (o->dispatch == NULL)
		o->dispatch = "local";
	for (k = 0; k < TL_NELEM(dispatch_engines) &&
	    strcmp(o->dispatch, dispatch_engines[k].name) != 0; k++)
		;
	if (k == TL_NELEM(dispatch_engines))
		tl_usage_error("--dispatch: '%s': not local, slurm or parallel",
		    o->dispatch);
	for (i = 0; i < TL_NELEM(engine_opts); i++) {
		for (j = 0; o->engine_opt[i] && dispatch_engines[k].opts[j] !=
		    0 && dispatch_engines[k].opts[j] != engine_opts[i]; j++)
			;
		if (o->engine_opt[i] && dispatch_engines[k].opts[j] == 0)
			tl_usage_error("%s is not for --dispatch %s",
			    tl_opt_name(longopts, engine_opts[i], name,
			    sizeof(name)), o->dispatch);
	}
	o->tc.sshlogin = o->sshlogin;
	if (k == 0)
		return;
	if (o->tc.batch_dir == NULL)
		tl_usage_error("--dispatch %s needs --batch-dir DIR (on a file "
		    "system the nodes share)", o->dispatch);
	if (o->timeout > 0)
		tl_usage_error("--timeout is for --dispatch local%s",
		    k == 1 ? " (slurm: --time-limit)" : "");
	if (o->pp.kind != TL_PRUNE_NONE)
		tl_usage_error("--pruner needs --dispatch local");
}

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	static const struct option longopts[] = {
		{ "around", required_argument, NULL, O_AROUND },
		{ "batch-dir", required_argument, NULL, O_BATCH_DIR },
		{ "candidates", required_argument, NULL, O_CANDIDATES },
		{ "dispatch", required_argument, NULL, O_DISPATCH },
		{ "history", required_argument, NULL, 'H' },
		{ "gamma", required_argument, NULL, O_GAMMA },
		{ "help", no_argument, NULL, 'h' },
		{ "hypervolume", no_argument, NULL, O_HYPERVOLUME },
		{ "input-format", required_argument, NULL, 'i' },
		{ "ignore-unknown", no_argument, NULL, O_IGNORE_UNKNOWN },
		{ "jobs", required_argument, NULL, 'j' },
		{ "kappa", required_argument, NULL, O_KAPPA },
		{ "mem", required_argument, NULL, O_MEM },
		{ "max-resource", required_argument, NULL, O_MAX_RESOURCE },
		{ "min-resource", required_argument, NULL, O_MIN_RESOURCE },
		{ "model", required_argument, NULL, 'M' },
		{ "minimize", no_argument, NULL, O_MINIMIZE },
		{ "model-prefix", required_argument, NULL, O_MODEL_PREFIX },
		{ "multivariate", no_argument, NULL, O_MULTIVARIATE },
		{ "count", required_argument, NULL, 'n' },
		{ "no-progress", no_argument, NULL, O_NOPROGRESS },
		{ "objective", required_argument, NULL, O_OBJECTIVE },
		{ "output", required_argument, NULL, 'o' },
		{ "params-field", required_argument, NULL, O_PARAMS_FIELD },
		{ "partition", required_argument, NULL, O_PARTITION },
		{ "progress", no_argument, NULL, O_PROGRESS },
		{ "prune-startup", required_argument, NULL, O_PRUNE_STARTUP },
		{ "pruner", required_argument, NULL, O_PRUNER },
		{ "quiet", no_argument, NULL, 'q' },
		{ "radius", required_argument, NULL, O_RADIUS },
		{ "reduction-factor", required_argument, NULL,
		    O_REDUCTION_FACTOR },
		{ "ref-point", required_argument, NULL, O_REF_POINT },
		{ "retries", required_argument, NULL, O_RETRIES },
		{ "space", required_argument, NULL, O_SPACE },
		{ "screen", required_argument, NULL, O_SCREEN },
		{ "seed", required_argument, NULL, 's' },
		{ "sshlogin", required_argument, NULL, O_SSHLOGIN },
		{ "startup", required_argument, NULL, O_STARTUP },
		{ "state-field", required_argument, NULL, O_STATE_FIELD },
		{ "time-limit", required_argument, NULL, O_TIME_LIMIT },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "univariate", no_argument, NULL, O_UNIVARIATE },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "value-field", required_argument, NULL, O_VALUE_FIELD },
		{ "warmup-steps", required_argument, NULL, O_WARMUP_STEPS },
		{ "maximize", no_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 }
	};
	/* tl(7), the interface: these letters became long-only */
	static const struct tl_old_opt old[] = { { "-a", "around" },
	    { "-S", "space" }, { "-t", "timeout" } };
	static const struct tl_getopt g = { ":a:H:hi:j:M:n:o:qS:s:t:Vvx",
	    longopts, old, TL_NELEM(old) };
	struct tl_err err = { 0 };
	struct tl_opt_file f[4];
	char name[64];
	long v;
	int ch, bad = 0;
	size_t i;

	while ((ch = tl_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case O_AROUND:
			o->around = optarg;
			break;
		case O_BATCH_DIR:
			o->tc.batch_dir = optarg;
			break;
		case O_DISPATCH:
			o->dispatch = optarg;
			break;
		case O_MEM:
			o->tc.mem = optarg;
			break;
		case O_PARTITION:
			o->tc.partition = optarg;
			break;
		case O_RETRIES:
			bad = tl_parse_long("--retries", optarg, 0, 100,
			    &o->tc.retries, &err);
			break;
		case O_SSHLOGIN:
			if (o->tc.nsshlogin == SSHLOGIN_MAX)
				tl_usage_error("--sshlogin: at most %d",
				    SSHLOGIN_MAX);
			o->sshlogin[o->tc.nsshlogin++] = optarg;
			break;
		case O_TIME_LIMIT:
			o->tc.time_limit = optarg;
			break;
		case O_CANDIDATES:
			bad = tl_parse_long("--candidates", optarg, 1, 100000,
			    &v, &err);
			o->tp.n_ei = (size_t)v;
			break;
		case O_GAMMA:
			bad = tl_parse_double("--gamma", optarg, 1e-6, 1,
			    &o->tp.gamma, &err);
			break;
		case 'H':
			o->history = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(tl_exit_status(TL_EX_OK));
		case O_HYPERVOLUME:
			o->hypervolume = 1;
			break;
		case 'i':
			o->ifmt = tl_parse_format("--input-format", optarg, 1);
			break;
		case O_IGNORE_UNKNOWN:
			o->ignore_unknown = 1;
			break;
		case 'j':
			bad = tl_parse_long("--jobs", optarg, 1, 1024, &o->jobs,
			    &err);
			break;
		case O_KAPPA:
			bad = tl_parse_double("--kappa", optarg, -100, 100,
			    &o->kappa, &err);
			break;
		case O_MAX_RESOURCE:
			bad = tl_parse_long("--max-resource", optarg, 0,
			    LONG_MAX / 2, &o->pp.max_resource, &err);
			o->prune_opt = ch;
			break;
		case O_MIN_RESOURCE:
			bad = tl_parse_long("--min-resource", optarg, 0,
			    LONG_MAX / 2, &o->pp.min_resource, &err);
			o->prune_opt = ch;
			break;
		case 'M':
			o->model = optarg;
			break;
		case O_MINIMIZE:
			o->maximize = 0;
			break;
		case O_MODEL_PREFIX:
			o->model_prefix = optarg;
			break;
		case 'n':
			bad = tl_parse_long("--count", optarg, 1, 1000000,
			    &o->count, &err);
			o->count_set = 1;
			break;
		case O_NOPROGRESS:
			o->progress = TL_PROGRESS_OFF;
			break;
		case O_OBJECTIVE:
			parse_objective(o, optarg);
			break;
		case 'o':
			o->output = optarg;
			break;
		case O_PARAMS_FIELD:
			o->params_field = optarg;
			break;
		case O_PROGRESS:
			o->progress = TL_PROGRESS_ON;
			break;
		case O_PRUNE_STARTUP:
			bad = tl_parse_long("--prune-startup", optarg, 0,
			    1000000, &o->pp.startup, &err);
			o->prune_opt = ch;
			break;
		case O_PRUNER:
			if (tl_prune_kind(optarg, &o->pp.kind) == -1)
				tl_usage_error("--pruner: '%s': expected none, "
				    "median, halving or hyperband", optarg);
			break;
		case 'q':
			o->quiet = 1;
			break;
		case O_RADIUS:
			bad = tl_parse_double("--radius", optarg, 1e-9, 1,
			    &o->radius, &err);
			break;
		case O_REF_POINT:
			o->ref_point = optarg;
			break;
		case O_REDUCTION_FACTOR:
			bad = tl_parse_long("--reduction-factor", optarg, 2,
			    1000, &o->pp.reduction, &err);
			o->prune_opt = ch;
			break;
		case O_SPACE:
			o->space = optarg;
			break;
		case O_SCREEN:
			bad = tl_parse_long("--screen", optarg, 1, 10000000,
			    &o->screen, &err);
			break;
		case 's':
			bad = tl_parse_long("--seed", optarg, 0, LONG_MAX,
			    &o->seed, &err);
			break;
		case O_STARTUP:
			bad = tl_parse_long("--startup", optarg, 0, 1000000,
			    &o->startup, &err);
			break;
		case O_STATE_FIELD:
			o->state_field = optarg;
			break;
		case O_TIMEOUT:
			bad = tl_parse_double("--timeout", optarg, 0, 1e7,
			    &o->timeout, &err);
			break;
		case O_MULTIVARIATE:
		case O_UNIVARIATE:	/* the model, not --candidates etc. */
			tpe_mode(&o->tp, ch == O_MULTIVARIATE);
			break;
		case 'V':
			tl_version_exit();
		case 'v':
			o->verbose = 1;
			break;
		case O_VALUE_FIELD:
			o->value_field = optarg;
			break;
		case O_WARMUP_STEPS:
			bad = tl_parse_long("--warmup-steps", optarg, 0,
			    LONG_MAX / 2, &o->pp.warmup, &err);
			o->prune_opt = ch;
			break;
		case 'x':
			o->maximize = 1;
			break;
		}
		if (bad)
			tl_usage_error("%s: %s", err.where, err.msg);
		for (i = 0; i < TL_NELEM(engine_opts); i++)
			o->engine_opt[i] |= engine_opts[i] == ch;
		for (i = 0; i < TL_NELEM(space_opts) && space_opts[i] != ch;
		    i++)
			;
		if (i == TL_NELEM(space_opts) && o->not_space == 0)
			o->not_space = ch;
		for (i = 0; i < TL_NELEM(front_opts) && front_opts[i] != ch;
		    i++)
			;
		if (i == TL_NELEM(front_opts) && o->not_front == 0)
			o->not_front = ch;
	}
	if (*o->params_field == '\0')
		tl_usage_error("--params-field: an empty name");
	/* cmd_names is indexed by enum cmd */
	o->cmd = (enum cmd)tl_command(argc, argv, optind, cmd_names,
	    (int)TL_NELEM(cmd_names));
	f[0] = (struct tl_opt_file){ "--space", o->space };
	f[1] = (struct tl_opt_file){ "--history", o->history };
	f[2] = (struct tl_opt_file){ "--around", o->around };
	f[3] = (struct tl_opt_file){ "--model", o->model };
	tl_opt_inputs(f, TL_NELEM(f), NULL, 0, 0, usage);
	if (o->cmd == C_SPACE) {
		if (o->not_space != 0)
			tl_usage_error("space takes only -H, -i, -o, -q, -v "
			    "and --params-field, not %s", tl_opt_name(
			    longopts, o->not_space, name, sizeof(name)));
		if (o->history == NULL)
			tl_usage_error("space needs the history to read: "
			    "-H FILE");
		if (optind + 1 < argc)
			tl_usage_error("space takes no operand, got '%s'",
			    argv[optind + 1]);
		return;
	}
	if (o->nobj > 0 && o->maximize)
		tl_usage_error("-x and --objective: give each objective's "
		    "direction, NAME:max");
	if (o->nobj > 0 && o->pp.kind != TL_PRUNE_NONE)
		tl_usage_error("--pruner is for one objective (as in Optuna)");
	if (o->ref_point != NULL)
		parse_ref_point(o);
	if (o->hypervolume && o->ref_point == NULL)
		tl_usage_error("--hypervolume needs --ref-point");
	if (o->cmd == C_FRONT) {
		if (o->not_front != 0)
			tl_usage_error("front takes only -H, -i, -o, -q, -v, "
			    "--objective, --ref-point, --hypervolume and "
			    "--params-field, not %s", tl_opt_name(longopts,
			    o->not_front, name, sizeof(name)));
		if (o->history == NULL || o->nobj == 0)
			tl_usage_error("front needs the history and its "
			    "objectives: -H FILE --objective NAME:min|max");
		if (optind + 1 < argc)
			tl_usage_error("front takes no operand, got '%s'",
			    argv[optind + 1]);
		return;
	}
	if (o->hypervolume)
		tl_usage_error("--hypervolume is for front");
	if (o->space == NULL)
		tl_usage_error("the search space is needed: --space FILE");
	if (o->cmd == C_SUGGEST) {
		if (optind + 1 < argc)
			tl_usage_error("suggest takes no operand, got '%s'",
			    argv[optind + 1]);
		if (o->timeout > 0 || o->jobs != 1)
			tl_usage_error("--jobs and --timeout are for run");
		for (i = 0; i < TL_NELEM(engine_opts); i++)
			if (o->engine_opt[i] || o->dispatch != NULL)
				tl_usage_error("--dispatch and its options are "
				    "for run");
		if (o->pp.kind != TL_PRUNE_NONE || o->prune_opt != 0)
			tl_usage_error("--pruner and its options are for run");
		if (!o->count_set)
			o->count = 1;
	} else {
		if (optind + 1 >= argc)
			tl_usage_error("run needs the objective command after "
			    "'--'");
		if (o->history == NULL)
			tl_usage_error("run needs the history it appends to: "
			    "-H FILE");
		if (strcmp(o->history, "-") == 0)
			tl_usage_error("run appends to the history: -H names "
			    "a file, not standard input");
		if (o->model != NULL || o->around != NULL)
			tl_usage_error("--model and --around are for suggest");
		if (!o->count_set)
			o->count = 20;
		if (o->pp.kind == TL_PRUNE_NONE && o->prune_opt != 0)
			tl_usage_error("%s needs --pruner", tl_opt_name(
			    longopts, o->prune_opt, name, sizeof(name)));
		o->pp.maximize = o->maximize;
		o->objective = argv + optind + 1;
		check_dispatch(o, longopts);
	}
	if (o->around != NULL && o->model != NULL)
		tl_usage_error("--around and --model exclude each other");
}

/* ---- history ---------------------------------------------------------- */

static void
skip_msg(const struct opts *o, const char *name, unsigned long line,
    const char *why)
{
	if (o->verbose)
		tl_msg("%s:%lu: skipped: %s", name, line, why);
}

/* The intermediate values of a history record into cv: its
 * "intermediate" object of step: value (null: not a number) and its
 * "rungs" array (successive halving), both optional.  Returns 0, or -1
 * with why. */
static int
read_curve(const json_t *rec, struct tl_prune_trial *cv, char *why,
    size_t whylen)
{
	const char *key;
	json_t *iv, *v;
	size_t i;
	long step;
	char *end;

	iv = json_object_get(rec, "intermediate");
	if (iv != NULL && !json_is_object(iv))
		return snprintf(why, whylen, "field 'intermediate': expected "
		    "an object, got %s", tl_json_typename(iv)), -1;
	json_object_foreach(iv, key, v) {
		errno = 0;
		step = strtol(key, &end, 10);
		if (*key == '\0' || *end != '\0' || step < 0 || errno != 0)
			return snprintf(why, whylen, "field 'intermediate': "
			    "step '%s': expected a whole number >= 0", key), -1;
		if (!json_is_number(v) && !json_is_null(v))
			return snprintf(why, whylen, "field 'intermediate': "
			    "step %ld: expected a number, got %s", step,
			    tl_json_typename(v)), -1;
		tl_prune_trial_add(cv, step, json_is_null(v) ? NAN :
		    json_number_value(v));
	}
	iv = json_object_get(rec, "rungs");
	if (iv != NULL && (!json_is_array(iv) || json_array_size(iv) >
	    TL_PRUNE_RUNGS))
		return snprintf(why, whylen, "field 'rungs': expected an "
		    "array of at most %d numbers", TL_PRUNE_RUNGS), -1;
	json_array_foreach(iv, i, v) {
		if (!json_is_number(v) && !json_is_null(v))
			return snprintf(why, whylen, "field 'rungs': item %zu: "
			    "expected a number, got %s", i,
			    tl_json_typename(v)), -1;
		cv->rung[cv->nrung++] = json_is_null(v) ? NAN :
		    json_number_value(v);
	}
	return 0;
}

/* A pruned record's step (its "step", which must have an intermediate
 * value) and the value there into *step and *value.  Returns 0, or -1
 * with why. */
static int
pruned_at(const json_t *rec, const struct tl_prune_trial *cv, long *step,
    double *value, char *why, size_t whylen)
{
	json_t *v = json_object_get(rec, "step");
	size_t i;

	if (v == NULL || !json_is_integer(v) || json_integer_value(v) < 0)
		return snprintf(why, whylen, "pruned: field 'step': expected "
		    "a whole number >= 0"), -1;
	*step = (long)json_integer_value(v);
	for (i = 0; i < cv->n; i++)
		if (cv->step[i] == *step) {
			*value = cv->value[i];
			return 0;
		}
	return snprintf(why, whylen, "pruned at step %ld: no intermediate "
	    "value there", *step), -1;
}

/* The total violation of a record's "constraints" (an array of numbers;
 * absent: 0) into *viol.  Returns 0, or -1 with why. */
static int
read_violation(const json_t *rec, double *viol, char *why, size_t whylen)
{
	json_t *a = json_object_get(rec, "constraints"), *x;
	size_t i;

	*viol = 0;
	if (a != NULL && !json_is_array(a))
		return snprintf(why, whylen, "field 'constraints': expected an "
		    "array, got %s", tl_json_typename(a)), -1;
	json_array_foreach(a, i, x) {
		if (!json_is_number(x))
			return snprintf(why, whylen, "field 'constraints': item "
			    "%zu: expected a number, got %s", i + 1,
			    tl_json_typename(x)), -1;
		if (json_number_value(x) > 0)
			*viol += json_number_value(x);
	}
	return 0;
}

/* The --objective values of a complete record, under "values", into
 * y[nobj] as losses.  Returns 0, or -1 with why. */
static int
read_values(const struct opts *o, const json_t *rec, double *y, char *why,
    size_t whylen)
{
	json_t *vs = json_object_get(rec, "values"), *v;
	size_t j;

	for (j = 0; j < o->nobj; j++) {
		v = json_is_object(vs) ? json_object_get(vs, o->obj_name[j]) :
		    NULL;
		if (v == NULL || !json_is_number(v))
			return snprintf(why, whylen, "field 'values.%s': %s",
			    o->obj_name[j], v == NULL ? "missing" :
			    "expected a number"), -1;
		y[j] = o->obj_max[j] ? -json_number_value(v) :
		    json_number_value(v);
	}
	return 0;
}

/* One record into hist h, or counted as skipped. */
static void
hist_record(const struct opts *o, void *ctx, const json_t *rec,
    const char *name, unsigned long line)
{
	struct hist *h = ctx;
	const struct tl_space *s = h->s;
	char why[512];
	const char *st;
	json_t *v, *params;
	enum tstate state;
	struct trial *t;
	struct tl_prune_trial cv;
	double value = 0, *y = NULL, viol = 0;
	long step = -1;
	double *x;

	if ((v = json_object_get(rec, "trial")) != NULL &&
	    json_is_integer(v) && json_integer_value(v) >= h->next_trial)
		h->next_trial = (long)json_integer_value(v) + 1;
	state = T_COMPLETE;
	v = tl_space_get(rec, o->state_field);
	if (v != NULL && !json_is_null(v)) {
		size_t i;

		st = json_string_value(v);
		for (i = 0; st != NULL && i < TL_NELEM(state_names) &&
		    strcasecmp(st, state_names[i].name) != 0; i++)
			;
		if (st == NULL || i == TL_NELEM(state_names)) {
			snprintf(why, sizeof(why), "field '%s': expected "
			    "complete, failed, running or pruned",
			    o->state_field);
			skip_msg(o, name, line, why);
			h->novalue++;
			return;
		}
		state = state_names[i].st;
	}
	v = json_object_get(rec, "trial");
	tl_prune_trial_init(&cv, json_is_integer(v) ?
	    (long)json_integer_value(v) : (long)h->read - 1);
	if (read_violation(rec, &viol, why, sizeof(why)) == -1 ||
	    read_curve(rec, &cv, why, sizeof(why)) == -1 || (state ==
	    T_PRUNED && pruned_at(rec, &cv, &step, &value, why,
	    sizeof(why)) == -1)) {
		tl_prune_trial_release(&cv);
		skip_msg(o, name, line, why);
		h->novalue++;
		return;
	}
	if (state == T_COMPLETE && o->nobj > 0) {
		y = tl_xcalloc(o->nobj, sizeof(double));
		if (read_values(o, rec, y, why, sizeof(why)) == -1) {
			free(y);
			tl_prune_trial_release(&cv);
			skip_msg(o, name, line, why);
			h->novalue++;
			return;
		}
		cv.complete = 1;
	} else if (state == T_COMPLETE) {
		v = tl_space_get(rec, o->value_field);
		if (v == NULL || json_is_null(v) || !json_is_number(v)) {
			if (v == NULL || json_is_null(v))
				snprintf(why, sizeof(why), "field '%s': "
				    "missing", o->value_field);
			else
				snprintf(why, sizeof(why), "field '%s': "
				    "expected a number, got %s",
				    o->value_field, tl_json_typename(v));
			tl_prune_trial_release(&cv);
			skip_msg(o, name, line, why);
			h->novalue++;
			return;
		}
		value = json_number_value(v);
		cv.complete = 1;
	}
	params = tl_space_get(rec, o->params_field);
	x = tl_xcalloc(s->n, sizeof(double));
	if (params == NULL) {
		snprintf(why, sizeof(why), "field '%s': missing",
		    o->params_field);
		goto outside;
	}
	if (tl_space_encode(s, params, o->ignore_unknown, x, why,
	    sizeof(why)) == -1)
		goto outside;
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 256;
		h->t = tl_xreallocarray(h->t, h->cap, sizeof(*h->t));
	}
	t = &h->t[h->n++];
	t->x = x;
	t->value = value;
	t->st = state;
	t->step = step;
	t->cv = cv;
	t->y = y;
	t->viol = viol;
	if (state == T_COMPLETE)
		h->complete++;
	else if (state == T_FAILED)
		h->failed++;
	else if (state == T_PRUNED)
		h->pruned++;
	else
		h->running++;
	return;
outside:
	tl_prune_trial_release(&cv);
	free(y);
	free(x);
	skip_msg(o, name, line, why);
	h->outside++;
}

/* Hand each readable record of rs to fn with ctx; count each record in
 * *nread and each unreadable one in *unreadable (named with -v).
 * Returns 0, or -1 with err after a read error. */
static int
read_records(const struct opts *o, struct tl_records *rs,
    void (*fn)(const struct opts *, void *, const json_t *, const char *,
    unsigned long), void *ctx, size_t *nread, size_t *unreadable,
    struct tl_err *err)
{
	json_t *rec;
	int rc;

	while ((rc = tl_records_next(rs, &rec, err)) != 0) {
		(*nread)++;
		if (rc == -1) {
			if (tl_records_failed(rs))
				return -1;
			if (o->verbose)
				tl_msg("%s: skipped: %s", err->where,
				    err->msg);
			(*unreadable)++;
			continue;
		}
		fn(o, ctx, rec, tl_records_name(rs), tl_records_line(rs));
		json_decref(rec);
	}
	return 0;
}

/* Read the history into h.  A history whose every record is skipped is
 * an error (TL_EX_DATAERR): nothing usable; an empty one is a start. */
static int
hist_read(const struct opts *o, const struct tl_space *s, struct hist *h,
    struct tl_err *err)
{
	struct tl_records *rs;
	int rc;

	memset(h, 0, sizeof(*h));
	h->s = s;
	if (o->history == NULL)
		return 0;
	if (o->cmd == C_RUN && access(o->history, F_OK) == -1 &&
	    errno == ENOENT)
		return 0;	/* a new run */
	if ((rs = tl_records_open(o->history, o->ifmt, err)) == NULL)
		return -1;
	rc = read_records(o, rs, hist_record, h, &h->read, &h->unreadable,
	    err);
	if ((long)h->read > h->next_trial)
		h->next_trial = (long)h->read;
	if (rc == 0 && h->n == 0 && h->read > 0)
		rc = tl_err_set(err, TL_EX_DATAERR, tl_records_name(rs), 0,
		    "nothing usable: %zu records read, all skipped (%zu "
		    "outside the space, %zu without a value, %zu "
		    "unreadable)%s", h->read, h->outside, h->novalue,
		    h->unreadable, o->verbose ? "" : "; -v names them");
	tl_records_free(rs);
	return rc;
}

static void
hist_release(struct hist *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->t[i].x);
		free(h->t[i].y);
		tl_prune_trial_release(&h->t[i].cv);
	}
	free(h->t);
	memset(h, 0, sizeof(*h));
}

static void
hist_summary(const struct opts *o, const struct hist *h)
{
	size_t skipped = h->outside + h->novalue + h->unreadable;
	char pn[64] = "";

	if (o->quiet || o->history == NULL)
		return;
	if (h->pruned > 0)	/* only where pruning is used */
		snprintf(pn, sizeof(pn), "%zu pruned, ", h->pruned);
	tl_msg("history: %zu trials: %zu complete, %zu failed, %zu running, "
	    "%s%zu skipped (%zu outside the space, %zu without a value, %zu "
	    "unreadable)%s", h->read, h->complete, h->failed, h->running,
	    pn, skipped, h->outside,
	    h->novalue, h->unreadable,
	    skipped > 0 && !o->verbose ? "; -v names them" : "");
}

static double
loss_of(const struct opts *o, double value)
{
	return o->maximize ? -value : value;
}

/* ---- the engine ------------------------------------------------------- */

static void
engine_init(struct engine *e, const struct opts *o, const struct tl_space *s)
{
	memset(e, 0, sizeof(*e));
	e->o = o;
	e->s = s;
	e->tpe = tl_tpe_alloc(s, &o->tp);
	e->seen = tl_map_alloc();
	tl_buf_init(&e->key);
	e->X = tl_xcalloc(o->tp.n_ei * (s->n ? s->n : 1), sizeof(double));
	e->sc = tl_xcalloc(o->tp.n_ei, sizeof(double));
}

static void
engine_release(struct engine *e)
{
	tl_tpe_free(e->tpe);
	tl_map_free(e->seen);
	tl_buf_release(&e->key);
	tl_rng_free(e->r);
	free(e->par);
	free(e->parline);
	free(e->X);
	free(e->sc);
	free(e->mox);
	free(e->moy);
	memset(e, 0, sizeof(*e));
}

/* Is x tried or proposed?  With add, remember it. */
static int
engine_seen(struct engine *e, const double *x, int add)
{
	int added = 0;

	tl_buf_reset(&e->key);
	tl_space_key(e->s, x, &e->key);
	if (!add)
		return tl_map_get(e->seen, e->key.data, e->key.len) != NULL;
	tl_map_put(e->seen, e->key.data, e->key.len, &added);
	return !added;
}

/* x has been proposed: a liar for the rest of the batch. */
static void
engine_take(struct engine *e, const double *x)
{
	engine_seen(e, x, 1);
	tl_tpe_pending(e->tpe, x);
	e->fitted = 0;
	e->ntried++;
}

static int
engine_fit(struct engine *e)
{
	if (!e->fitted && tl_tpe_fit(e->tpe) == 0)
		e->fitted = 1;
	return e->fitted;
}

/* Is the batch still in its quasi-random start? */
static int
engine_startup(const struct engine *e)
{
	return tl_tpe_count(e->tpe) == 0 ||
	    e->ntried < (size_t)e->o->startup;
}

static void
uniform_point(const struct engine *e, double *x)
{
	double *q;
	size_t j;

	q = tl_xcalloc(e->s->n, sizeof(double));
	for (j = 0; j < e->s->n; j++)
		q[j] = tl_rng_uniform(e->r);
	tl_space_from_unit(e->s, q, x);
	free(q);
}

/* The next Sobol point not seen yet, into x; -1 if none in a while. */
static int
next_sobol(struct engine *e, double *x)
{
	double *q;
	size_t tries;
	int rc = -1;

	q = tl_xcalloc(e->s->n, sizeof(double));
	for (tries = 0; tries < RANDOM_TRIES; tries++) {
		if (tl_qmc_points(e->s->n, e->qnext++, 1,
		    (unsigned long)e->o->seed, q) == -1) {
			size_t j;

			for (j = 0; j < e->s->n; j++)
				q[j] = tl_rng_uniform(e->r);
		}
		tl_space_from_unit(e->s, q, x);
		if (!engine_seen(e, x, 0)) {
			rc = 0;
			break;
		}
	}
	free(q);
	return rc;
}

/* A uniform point not seen yet; -1 if the space looks exhausted. */
static int
random_unseen(struct engine *e, double *x)
{
	size_t i;

	for (i = 0; i < RANDOM_TRIES; i++) {
		uniform_point(e, x);
		if (!engine_seen(e, x, 0))
			return 0;
	}
	return -1;
}

/* A local move of parent p into x. */
static void
local_move(struct engine *e, const double *p, double *x)
{
	const struct tl_space *s = e->s;
	size_t j, forced, lev, plev;
	double pm, u;

	forced = tl_rng_below(e->r, s->n);
	pm = s->n > 2 ? 2.0 / (double)s->n : 1;
	for (j = 0; j < s->n; j++) {
		const struct tl_param *q = &s->p[j];

		x[j] = p[j];
		if (j != forced && tl_rng_uniform(e->r) >= pm)
			continue;
		if (q->kind == TL_D_CAT) {
			if (q->nlev > 1) {
				lev = tl_rng_below(e->r, q->nlev - 1);
				x[j] = (double)(lev >= (size_t)p[j] ? lev + 1 :
				    lev);
			}
			continue;
		}
		u = p[j] + e->o->radius * gsl_ran_gaussian_ziggurat(e->r, 1.0);
		while (u < 0 || u > 1)	/* reflect at the bounds */
			u = u < 0 ? -u : 2 - u;
		x[j] = u;
		if (q->kind == TL_D_DISC && q->nlev > 1) {
			plev = tl_param_level(q, p[j]);
			lev = tl_param_level(q, u);
			if (lev == plev)	/* at least one grid step */
				lev = plev == 0 ? 1 : plev + 1 >= q->nlev ?
				    plev - 1 : tl_rng_below(e->r, 2) ?
				    plev + 1 : plev - 1;
			{
				double lo, hi;

				tl_param_bin(q, lev, &lo, &hi);
				x[j] = (lo + hi) / 2;
			}
		}
	}
	tl_space_snap(s, x);
}

/* Propose candidate i of the batch into c (x preallocated).  Returns 0,
 * or -1 when no unseen point can be found. */
static int
propose(struct engine *e, size_t i, struct cand *c)
{
	const struct opts *o = e->o;
	size_t d = e->s->n, k, round, best;
	double bs;

	c->score = NAN;
	c->parent = 0;
	if (e->npar > 0) {
		const double *p = &e->par[(i % e->npar) * d];
		int tpe = engine_fit(e);

		c->source = "around";
		c->parent = e->parline[i % e->npar];
		best = (size_t)-1;
		bs = -HUGE_VAL;
		for (k = 0; k < o->tp.n_ei * DUP_ROUNDS; k++) {
			local_move(e, p, &e->X[0]);
			if (engine_seen(e, &e->X[0], 0))
				continue;
			if (!tpe) {
				memcpy(c->x, &e->X[0], d * sizeof(double));
				best = 0;
				break;
			}
			if (tl_tpe_score(e->tpe, &e->X[0]) > bs) {
				bs = tl_tpe_score(e->tpe, &e->X[0]);
				memcpy(c->x, &e->X[0], d * sizeof(double));
				best = k;
			}
			if (k + 1 >= o->tp.n_ei && best != (size_t)-1)
				break;
		}
		if (best == (size_t)-1)
			goto random;
		if (tpe)
			c->score = bs;
		return 0;
	}
	if (engine_startup(e)) {
		c->source = "sobol";
		if (next_sobol(e, c->x) == 0)
			return 0;
		goto random;
	}
	engine_fit(e);
	c->source = "tpe";
	for (round = 0; round < DUP_ROUNDS; round++) {
		tl_tpe_suggest(e->tpe, e->r, o->tp.n_ei, e->X, e->sc);
		for (k = 0; k < o->tp.n_ei; k++)
			if (!engine_seen(e, &e->X[k * d], 0)) {
				memcpy(c->x, &e->X[k * d], d * sizeof(double));
				c->score = e->sc[k];
				return 0;
			}
	}
random:
	c->source = "random";
	c->score = NAN;
	return random_unseen(e, c->x);
}

/* A complete trial at x with losses y: observed at once with one
 * objective; with several, held for mo_flush, which needs them all. */
static void
observe(struct engine *e, const double *x, double value, const double *y,
    double viol)
{
	size_t m = e->o->nobj;

	if (viol > 0) {
		/* infeasible: after every feasible and pruned trial, by
		 * total violation (Optuna 3.x's constrained TPE) */
		tl_tpe_observe_tier(e->tpe, x, 2, viol);
		return;
	}
	if (m == 0) {
		tl_tpe_observe(e->tpe, x, loss_of(e->o, value));
		return;
	}
	if (e->mon == e->mocap) {
		e->mocap = e->mocap ? 2 * e->mocap : 64;
		e->mox = tl_xreallocarray(e->mox, e->mocap, sizeof(*e->mox));
		e->moy = tl_xreallocarray(e->moy, e->mocap * m,
		    sizeof(*e->moy));
	}
	e->mox[e->mon] = x;
	memcpy(&e->moy[e->mon * m], y, m * sizeof(double));
	e->mon++;
}

/* Several objectives: MOTPE's good group (Ozaki et al. 2020, section
 * 3.2: the best non-domination ranks, the last one cut by hypervolume
 * subset selection) is tier 0, the rest tier 1, in trial order. */
static void
mo_flush(struct engine *e)
{
	unsigned char *good;
	size_t i, k;

	if (e->o->nobj == 0 || e->mon == 0)
		return;
	good = tl_xcalloc(e->mon, 1);
	k = tl_tpe_n_below(&e->o->tp, e->mon);
	tl_pareto_split(e->moy, e->mon, e->o->nobj, k, good);
	for (i = 0; i < e->mon; i++)
		tl_tpe_observe_tier(e->tpe, e->mox[i], good[i] ? 0 : 1, 0);
	free(good);
	e->mon = 0;
}

/* A trial pruned at step with value v there informs the sampler as in
 * Optuna 3.1's TPE: after every complete trial, the deeper the step the
 * better, then by v (NaN worst). */
static void
observe_pruned(struct engine *e, const double *x, long step, double v)
{
	tl_tpe_observe_tier(e->tpe, x, 1 + 1 / (2 + (double)step),
	    isnan(v) ? HUGE_VAL : loss_of(e->o, v));
}

/* Observe the usable trials of h: complete and pruned ones as data,
 * running ones as liars; every one as tried. */
static void
engine_history(struct engine *e, const struct hist *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		engine_seen(e, h->t[i].x, 1);
		if (h->t[i].st == T_COMPLETE)
			observe(e, h->t[i].x, h->t[i].value, h->t[i].y,
			    h->t[i].viol);
		else if (h->t[i].st == T_PRUNED)
			observe_pruned(e, h->t[i].x, h->t[i].step,
			    h->t[i].value);
		else if (h->t[i].st == T_RUNNING)
			tl_tpe_pending(e->tpe, h->t[i].x);
	}
	e->ntried = h->n;
	e->qnext = h->n;
	e->fitted = 0;
}

/* ---- parents (--around) ----------------------------------------------- */

static int
read_parents(struct engine *e, struct tl_err *err)
{
	const struct opts *o = e->o;
	struct tl_records *rs;
	char why[512];
	json_t *rec, *p;
	size_t cap = 0, skipped = 0;
	int rc;

	if ((rs = tl_records_open(o->around, o->ifmt, err)) == NULL)
		return -1;
	while ((rc = tl_records_next(rs, &rec, err)) != 0) {
		if (rc == -1) {
			if (tl_records_failed(rs))
				break;
			tl_records_free(rs);
			return -1;	/* the user's own champions: stop */
		}
		if ((p = tl_space_get(rec, o->params_field)) == NULL &&
		    (p = json_object_get(rec, "params")) == NULL)
			p = json_object_get(rec, "genome");
		if (e->npar == cap) {
			cap = cap ? 2 * cap : 16;
			e->par = tl_xreallocarray(e->par, cap * e->s->n,
			    sizeof(double));
			e->parline = tl_xreallocarray(e->parline, cap,
			    sizeof(long));
		}
		if (p == NULL) {
			snprintf(why, sizeof(why), "no '%s', 'params' or "
			    "'genome' object", o->params_field);
			rc = -1;
		} else
			rc = tl_space_encode(e->s, p, o->ignore_unknown,
			    &e->par[e->npar * e->s->n], why, sizeof(why));
		if (rc == -1) {
			skipped++;
			if (!o->quiet)
				tl_warn("%s:%lu: not a parent: %s",
				    tl_records_name(rs), tl_records_line(rs),
				    why);
		} else
			e->parline[e->npar++] = (long)tl_records_line(rs);
		json_decref(rec);
	}
	rc = tl_records_failed(rs) ? -1 : 0;
	if (rc == 0 && e->npar == 0)
		rc = tl_err_set(err, TL_EX_DATAERR, o->around, 0, "no genome "
		    "in the space to move around%s", skipped ? " (see the "
		    "warnings)" : "");
	tl_records_free(rs);
	return rc;
}

/* ---- the meta-model --------------------------------------------------- */

/* Path of tl-train-forest: next to our binary, else in PATH.  New. */
static char *
find_forest(void)
{
	char self[PATH_MAX], *slash, *path, *dir, *p;
	struct tl_buf b;
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			tl_buf_init(&b);
			tl_buf_printf(&b, "%s/%s", self, FOREST);
			if (access(b.data, X_OK) == 0)
				return b.data;
			tl_buf_release(&b);
		}
	}
	if ((p = getenv("PATH")) == NULL)
		return NULL;
	path = tl_xstrdup(p);
	for (p = path; (dir = strsep(&p, ":")) != NULL;) {
		tl_buf_init(&b);
		tl_buf_printf(&b, "%s/%s", *dir ? dir : ".", FOREST);
		if (access(b.data, X_OK) == 0) {
			free(path);
			return b.data;
		}
		tl_buf_release(&b);
	}
	free(path);
	return NULL;
}

/* Exit status of another tool as ours: sysexits pass through. */
static int
child_code(int st)
{
	return st >= TL_EX_USAGE && st <= TL_EX_TEMPFAIL ? st :
	    TL_EX_SOFTWARE;
}

/* --model -: the model read from standard input into a temporary file,
 * whose name /dev/fd/N the child opens (the child's standard input is
 * the candidates).  Returns the descriptor, or -1 with err. */
static int
model_from_stdin(struct tl_err *err)
{
	const char *dir = getenv("TMPDIR");
	char buf[65536];
	struct tl_buf path;
	ssize_t n, w, off;
	int fd;

	tl_buf_init(&path);
	tl_buf_printf(&path, "%s/tl-bayesopt-model.XXXXXX", dir != NULL &&
	    *dir != '\0' ? dir : "/tmp");
	fd = mkstemp(path.data);
	if (fd != -1)
		unlink(path.data);	/* gone when we are */
	tl_buf_release(&path);
	if (fd == -1)
		return tl_err_set(err, TL_EX_CANTCREAT, "--model", 0,
		    "temporary file: %s", strerror(errno));
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		for (off = 0; n > 0 && off < n; off += w)
			if ((w = write(fd, buf + off, (size_t)(n - off))) == -1)
				break;
		if (n == -1 || off < n) {
			tl_err_set(err, TL_EX_IOERR, "--model", 0, "<stdin>: "
			    "%s", strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* Predictions of the model for c[0..n): tl-train-forest predict -M
 * MODEL reads the rows on stdin and writes them back with prediction and
 * prediction_sd. */
static int
predict(const struct engine *e, struct cand *c, size_t n,
    struct tl_err *err)
{
	const struct opts *o = e->o;
	const char *where = FOREST " predict", *model = o->model;
	static int stdin_model = -1;
	char *exe, buf[65536], fdpath[32];
	struct tl_buf out;
	json_t *row, *pr, *v, *sd;
	FILE *in;
	pid_t pid;
	ssize_t r;
	size_t i, len;
	int fd[2], st, rc = -1;
	char *line, *nl;

	if ((exe = find_forest()) == NULL)
		return tl_err_set(err, TL_EX_NOINPUT, "--model", 0, "%s is "
		    "neither next to tl-bayesopt nor in PATH", FOREST);
	if (strcmp(model, "-") == 0) {
		if (stdin_model == -1 &&
		    (stdin_model = model_from_stdin(err)) == -1) {
			free(exe);
			return -1;
		}
		snprintf(fdpath, sizeof(fdpath), "/dev/fd/%d", stdin_model);
		model = fdpath;
	}
	if ((in = tmpfile()) == NULL) {
		free(exe);
		return tl_err_set(err, TL_EX_CANTCREAT, "--model", 0,
		    "temporary file: %s", strerror(errno));
	}
	for (i = 0; i < n && rc == -1; i++) {
		pr = tl_space_decode(e->s, c[i].x);
		row = *o->model_prefix ? json_pack("{s:o}", o->model_prefix,
		    pr) : pr;
		if (tl_json_writeln(in, row, err) == -1)
			rc = -2;
		json_decref(row);
	}
	if (rc == -2 || fflush(in) == EOF || fseek(in, 0, SEEK_SET) == -1) {
		fclose(in);
		free(exe);
		return tl_err_set(err, TL_EX_IOERR, "--model", 0, "temporary "
		    "file: %s", strerror(errno));
	}
	if (pipe(fd) == -1 || (pid = fork()) == -1) {
		fclose(in);
		free(exe);
		return tl_err_set(err, TL_EX_SOFTWARE, where, 0, "%s",
		    strerror(errno));
	}
	if (pid == 0) {
		dup2(fileno(in), 0);
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execl(exe, FOREST, "predict", "-M", model, (char *)NULL);
		fprintf(stderr, "%s: %s: %s\n", tl_progname(), exe,
		    strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	fclose(in);
	tl_buf_init(&out);
	while ((r = read(fd[0], buf, sizeof(buf))) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			break;
		tl_buf_add(&out, buf, (size_t)r);
	}
	close(fd[0]);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	rc = 0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		rc = tl_err_set(err, WIFEXITED(st) ?
		    child_code(WEXITSTATUS(st)) : TL_EX_SOFTWARE, where, 0,
		    "--model %s: %s %d", o->model, WIFEXITED(st) ?
		    "exited with status" : "killed by signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		goto out;
	}
	line = out.data != NULL ? out.data : "";
	for (i = 0; i < n; i++, line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL) {
			rc = tl_err_set(err, TL_EX_DATAERR, where, i + 1,
			    "expected %zu rows back, got %zu", n, i);
			goto out;
		}
		len = (size_t)(nl - line);
		if ((v = tl_json_parse(line, len, where, i + 1, err)) ==
		    NULL) {
			rc = -1;
			goto out;
		}
		pr = json_object_get(v, "prediction");
		sd = json_object_get(v, "prediction_sd");
		if (!json_is_number(pr) || !json_is_number(sd)) {
			json_decref(v);
			rc = tl_err_set(err, TL_EX_DATAERR, where, i + 1,
			    "expected numbers 'prediction' and "
			    "'prediction_sd'");
			goto out;
		}
		c[i].pred = json_number_value(pr);
		c[i].sd = json_number_value(sd);
		json_decref(v);
	}
out:
	tl_buf_release(&out);
	free(exe);
	return rc;
}

/* ---- suggest ---------------------------------------------------------- */

static json_t *
num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

/* Set rec's --params-field (dotted: nested objects) to the point x: the
 * field a trial's params are read from is the one they are written to,
 * so that candidates look like the runs they came from. */
static void
put_params(json_t *rec, const struct opts *o, const struct tl_space *s,
    const double *x)
{
	const char *p = o->params_field, *dot;
	json_t *obj = rec, *sub;
	char key[256];

	while ((dot = strchr(p, '.')) != NULL) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - p), p);
		if (!json_is_object(sub = json_object_get(obj, key))) {
			sub = json_object();
			json_object_set_new(obj, key, sub);
		}
		obj = sub;
		p = dot + 1;
	}
	json_object_set_new(obj, p, tl_space_decode(s, x));
}

static json_t *
cand_json(const struct engine *e, const struct cand *c)
{
	json_t *v;

	v = json_object();
	put_params(v, e->o, e->s, c->x);
	json_object_set_new(v, "source", json_string(c->source));
	json_object_set_new(v, "score", num(c->score));
	if (c->drawn != NULL) {
		json_object_set_new(v, "drawn", json_string(c->drawn));
		json_object_set_new(v, "prediction", num(c->pred));
		json_object_set_new(v, "prediction_sd", num(c->sd));
	}
	if (c->parent > 0)
		json_object_set_new(v, "parent", json_integer(c->parent));
	return v;
}

static int
cmp_score_desc(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->score > y->score)
		return -1;
	if (x->score < y->score)
		return 1;
	return x->x < y->x ? -1 : x->x > y->x;	/* draw order */
}

/* Draw o->screen candidates, let the model score them, keep the best n
 * into c.  Returns the number kept, or -1 with err. */
static long
screen(struct engine *e, struct cand *c, size_t n, struct tl_err *err)
{
	const struct opts *o = e->o;
	struct cand *all;
	double *xs, mean;
	size_t m = (size_t)o->screen, i, k, got = 0;
	const char *drawn;
	long rc = -1;

	all = tl_xcalloc(m, sizeof(*all));
	xs = tl_xcalloc(m * (e->s->n ? e->s->n : 1), sizeof(double));
	drawn = engine_startup(e) ? "sobol" : "tpe";
	if (!engine_startup(e))
		engine_fit(e);
	/* draws are remembered as they come, so that none repeats */
	for (i = 0; i < m * DUP_ROUNDS && got < m; i++) {
		double *x = &xs[got * e->s->n];

		if (strcmp(drawn, "sobol") == 0) {
			if (next_sobol(e, x) == -1)
				break;
		} else
			tl_tpe_sample(e->tpe, e->r, x);
		if (engine_seen(e, x, 1))
			continue;
		all[got].x = x;
		all[got].source = "screened";
		all[got].drawn = drawn;
		got++;
	}
	if (got == 0) {
		rc = tl_err_set(err, TL_EX_DATAERR, o->space, 0, "every point "
		    "of the space was tried");
		goto out;
	}
	if (predict(e, all, got, err) == -1)
		goto out;
	for (i = 0; i < got; i++) {
		mean = all[i].pred;
		all[i].score = o->maximize ? mean + o->kappa * all[i].sd :
		    -(mean - o->kappa * all[i].sd);
	}
	qsort(all, got, sizeof(*all), cmp_score_desc);
	for (k = 0; k < n && k < got; k++) {
		double *dst = c[k].x;	/* the caller's */

		c[k] = all[k];
		c[k].x = dst;
		c[k].score = o->maximize ? all[k].score : -all[k].score;
		memcpy(dst, all[k].x, e->s->n * sizeof(double));
	}
	rc = (long)k;
out:
	free(xs);
	free(all);
	return rc;
}

static int
cmd_suggest(const struct opts *o, const struct tl_space *s,
    struct tl_err *err)
{
	struct engine e;
	struct hist h;
	struct cand *c = NULL;
	struct tl_out *out = NULL;
	double **keep = NULL;
	size_t i, n = (size_t)o->count, made = 0, space;
	long k;
	json_t *v;
	int rc;

	engine_init(&e, o, s);
	if ((rc = hist_read(o, s, &h, err)) == -1)
		goto done;
	hist_summary(o, &h);
	engine_history(&e, &h);
	mo_flush(&e);
	e.r = tl_rng_alloc((uint64_t)o->seed, 0);
	if (o->around != NULL && (rc = read_parents(&e, err)) == -1)
		goto done;
	c = tl_xcalloc(n, sizeof(*c));
	keep = tl_xcalloc(n, sizeof(*keep));
	for (i = 0; i < n; i++)
		c[i].x = keep[i] = tl_xcalloc(s->n ? s->n : 1, sizeof(double));
	if (o->model != NULL) {
		if ((k = screen(&e, c, n, err)) == -1) {
			rc = -1;
			goto done;
		}
		made = (size_t)k;
	} else
		for (made = 0; made < n; made++) {
			if (propose(&e, made, &c[made]) == -1)
				break;
			engine_take(&e, c[made].x);
		}
	if (made < n) {
		space = tl_space_size(s);
		if (made == 0) {
			rc = tl_err_set(err, TL_EX_DATAERR, o->space, 0,
			    "every point of the space was tried");
			goto done;
		}
		if (!o->quiet)
			tl_warn("only %zu new points%s", made, space > 0 ?
			    " are left in the space" : " found");
	}
	if ((out = tl_out_open(o->output, TL_FMT_JSONL, err)) == NULL) {
		rc = -1;
		goto done;
	}
	for (i = 0; i < made && rc == 0; i++) {
		v = cand_json(&e, &c[i]);
		rc = tl_out_write(out, v, err);
		json_decref(v);
	}
	if (rc == 0)
		rc = tl_out_close(out, err);
	else
		tl_out_abort(out);
done:
	for (i = 0; keep != NULL && i < n; i++)
		free(keep[i]);
	free(keep);
	free(c);
	hist_release(&h);
	engine_release(&e);
	return rc;
}

/* ---- space ------------------------------------------------------------ */

/* What space reads. */
struct spaceread {
	struct tl_space_infer	*in;	/* the params tried */
	size_t			 read, unreadable;	/* records */
	size_t			 noparams;	/* without a params object */
};

/* One record's params into the inference, or counted as skipped. */
static void
space_record(const struct opts *o, void *ctx, const json_t *rec,
    const char *name, unsigned long line)
{
	struct spaceread *sr = ctx;
	json_t *p = tl_space_get(rec, o->params_field);
	char why[512];

	if (json_is_object(p)) {
		tl_space_infer_add(sr->in, p);
		return;
	}
	sr->noparams++;
	if (p == NULL)
		snprintf(why, sizeof(why), "field '%s': missing",
		    o->params_field);
	else
		snprintf(why, sizeof(why), "field '%s': expected an object, "
		    "got %s", o->params_field, tl_json_typename(p));
	skip_msg(o, name, line, why);
}

/* The space's params by type, for the summary. */
static void
space_summary(const json_t *space)
{
	static const char *const types[] = { "int", "float", "categorical" };
	size_t n[TL_NELEM(types)] = { 0 };
	const char *key, *t;
	json_t *spec;
	size_t i;

	json_object_foreach((json_t *)space, key, spec) {
		t = json_string_value(json_object_get(spec, "type"));
		for (i = 0; i < TL_NELEM(types); i++)
			if (t != NULL && strcmp(t, types[i]) == 0)
				n[i]++;
	}
	tl_msg("space: %zu params: %zu int, %zu float, %zu categorical",
	    json_object_size(space), n[0], n[1], n[2]);
}

static int
cmd_space(const struct opts *o, struct tl_err *err)
{
	struct spaceread sr = { 0 };
	struct tl_records *rs;
	struct tl_space *check = NULL;
	struct tl_out *out;
	struct tl_buf b;
	json_t *space = NULL;
	int rc;

	if ((rs = tl_records_open(o->history, o->ifmt, err)) == NULL)
		return -1;
	sr.in = tl_space_infer_alloc();
	tl_buf_init(&b);
	if ((rc = read_records(o, rs, space_record, &sr, &sr.read,
	    &sr.unreadable, err)) == -1)
		goto out;
	if (tl_space_infer_count(sr.in) == 0 && sr.read == 0) {
		rc = tl_err_set(err, TL_EX_DATAERR, tl_records_name(rs), 0,
		    "no run with a '%s' object (no record at all)",
		    o->params_field);
		goto out;
	}
	if (tl_space_infer_count(sr.in) == 0) {
		/* runs.jsonl, piped from tl-ingest, keeps them in genome */
		rc = tl_err_set(err, TL_EX_DATAERR, tl_records_name(rs), 0,
		    "no run with a '%s' object (%zu records read: %zu without "
		    "one, %zu unreadable%s)%s", o->params_field, sr.read,
		    sr.noparams, sr.unreadable, o->verbose ? "" :
		    "; -v names them", strcmp(o->params_field, "params") == 0 ?
		    "; tl-ingest's runs keep them in 'genome': --params-field "
		    "genome" : "");
		goto out;
	}
	if (!o->quiet)
		tl_msg("history: %zu records: %zu with a '%s' object, %zu "
		    "skipped (%zu without one, %zu unreadable)%s", sr.read,
		    tl_space_infer_count(sr.in), o->params_field,
		    sr.noparams + sr.unreadable, sr.noparams, sr.unreadable,
		    sr.noparams + sr.unreadable > 0 && !o->verbose ?
		    "; -v names them" : "");
	if ((space = tl_space_infer_result(sr.in, tl_records_name(rs),
	    o->quiet ? NULL : tl_warn, err)) == NULL) {
		rc = -1;
		goto out;
	}
	/* what we write must be what -S reads */
	if ((check = tl_space_from_json(space, "the inferred space",
	    err)) == NULL) {
		rc = tl_err_set(err, TL_EX_SOFTWARE, err->where, 0, "%s",
		    err->msg);
		goto out;
	}
	if (!o->quiet)
		space_summary(space);
	tl_space_text(space, &b);
	if ((out = tl_out_open(o->output, TL_FMT_JSONL, err)) == NULL)
		rc = -1;
	else if ((rc = tl_out_raw(out, b.data, b.len, err)) == 0)
		rc = tl_out_close(out, err);
	else
		tl_out_abort(out);
out:
	tl_space_free(check);
	json_decref(space);
	tl_buf_release(&b);
	tl_space_infer_free(sr.in);
	tl_records_free(rs);
	return rc;
}

/* ---- run -------------------------------------------------------------- */

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

/* A trial's reports and whether it was pruned. */
struct runprune {
	size_t		 line;		/* lines read */
	int		 pruned;	/* stopped by the pruner */
	long		 step;		/* then: at this step */
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
	double			**x;	/* their points, by index */
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
	struct tl_progress	*pr;	/* trials finished, or NULL */
	struct attached		*att;	/* trials of a run before, taken
					 * up: at indices cap - natt + 1 on */
	size_t			 natt;	/* their number */
};

/* The index into rs of trial id: this run's, or one taken up. */
static size_t
run_index(const struct runstate *rs, long id)
{
	size_t a;

	for (a = 0; a < rs->natt; a++)
		if (rs->att[a].id == id)
			return rs->cap - rs->natt + 1 + a;
	return (size_t)(id - rs->first);
}

/* Propose this run's trial k (index into rs) into c.  Deterministic: it
 * sees the history, this run's trials k - jobs and before as finished
 * and the others as running, whatever their real state. */
static int
run_propose(struct runstate *rs, struct engine *e, size_t k, struct cand *c)
{
	const struct opts *o = rs->o;
	size_t i, vis;

	tl_tpe_reset(e->tpe);
	tl_map_free(e->seen);
	e->seen = tl_map_alloc();
	engine_history(e, &rs->h);
	vis = k >= (size_t)o->jobs ? k - (size_t)o->jobs + 1 : 0;
	for (i = 0; i < k; i++) {
		engine_seen(e, rs->x[i], 1);
		if (i < vis && rs->prn[i].pruned)
			observe_pruned(e, rs->x[i], rs->prn[i].step,
			    rs->cv[i].value[rs->cv[i].n - 1]);
		else if (i < vis && !isnan(rs->val[i]))
			observe(e, rs->x[i], rs->val[i], &rs->y[i * o->nobj],
			    rs->viol[i]);
		else if (i >= vis)
			tl_tpe_pending(e->tpe, rs->x[i]);
	}
	mo_flush(e);
	e->ntried = rs->h.n + k;
	e->qnext = e->ntried;
	e->fitted = 0;
	tl_rng_free(e->r);
	e->r = tl_rng_alloc((uint64_t)o->seed, (uint64_t)rs->first +
	    (uint64_t)k + 1);
	return propose(e, 0, c);
}

/* Propose this run's next trial and start it on tr. */
static int
run_launch(struct runstate *rs, struct engine *e, struct tl_trial_run *tr,
    struct tl_buf *pb, struct tl_err *err)
{
	size_t k = rs->nrun;
	struct cand c;
	json_t *pr;

	rs->x[k] = tl_xcalloc(rs->s->n ? rs->s->n : 1, sizeof(double));
	c.x = rs->x[k];
	if (run_propose(rs, e, k, &c) == -1)
		return 1;
	rs->src[k] = c.source;
	rs->score[k] = c.score;
	pr = tl_space_decode(rs->s, c.x);
	tl_buf_reset(pb);
	tl_json_append(pb, pr);
	tl_buf_addc(pb, '\n');
	json_decref(pr);
	rs->nrun++;
	return tl_trial_start(tr, rs->first + (long)k, pb->data, pb->len,
	    err);
}

/* The values y[nobj] as an object by --objective name; y holds losses
 * (maximised negated) when as_loss, else the values as given.  New. */
static json_t *
values_json(const struct opts *o, const double *y, int as_loss)
{
	json_t *v = json_object();
	size_t j;

	for (j = 0; j < o->nobj; j++)
		json_object_set_new(v, o->obj_name[j], num(as_loss &&
		    o->obj_max[j] ? -y[j] : y[j]));
	return v;
}

/* The total violation of constraints c[n] (feasible when all <= 0,
 * Optuna's convention): the sum of the positive ones. */
static double
violation(const double *c, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i] > 0)
			s += c[i];
	return s;
}

/* Values as given into losses, in place. */
static void
losses(const struct opts *o, double *y)
{
	size_t j;

	for (j = 0; j < o->nobj; j++)
		if (o->obj_max[j])
			y[j] = -y[j];
}

/* A trial's intermediate values and rung values, if any, into rec. */
static void
put_curve(json_t *rec, const struct tl_prune_trial *cv)
{
	char key[32];
	json_t *v;
	size_t i;

	if (cv->n > 0) {
		v = json_object();
		for (i = 0; i < cv->n; i++) {
			snprintf(key, sizeof(key), "%ld", cv->step[i]);
			json_object_set_new(v, key, num(cv->value[i]));
		}
		json_object_set_new(rec, "intermediate", v);
	}
	if (cv->nrung > 0) {
		v = json_array();
		for (i = 0; i < cv->nrung; i++)
			json_array_append_new(v, num(cv->rung[i]));
		json_object_set_new(rec, "rungs", v);
	}
}

/* The trials the pruner of this run's trial k sees, into rs->others:
 * those its sampler sees (the history, this run's trials up to k - jobs)
 * that completed or were pruned.  Returns their number. */
static size_t
prune_view(struct runstate *rs, size_t k)
{
	size_t i, n = 0, vis;

	for (i = 0; i < rs->h.n; i++)
		if (rs->h.t[i].st == T_COMPLETE || rs->h.t[i].st == T_PRUNED)
			rs->others[n++] = rs->h.t[i].cv;
	vis = k >= (size_t)rs->o->jobs ? k - (size_t)rs->o->jobs + 1 : 0;
	for (i = 0; i < vis; i++)
		if (rs->cv[i].complete || rs->prn[i].pruned)
			rs->others[n++] = rs->cv[i];
	return n;
}

/* A line trial ev printed: an intermediate report {"step": k, "value":
 * v} is recorded and shown to the pruner, which may stop the trial;
 * other lines are the objective's business. */
static void
intermediate(struct runstate *rs, struct tl_trial_run *tr,
    const struct tl_trial_event *ev)
{
	const struct opts *o = rs->o;
	size_t k = run_index(rs, ev->id), off = 0;
	struct runprune *rp = &rs->prn[k];
	json_t *rec, *sv, *vv;
	long step;

	rp->line++;
	while (off < ev->len && (ev->text[off] == ' ' ||
	    ev->text[off] == '\t'))
		off++;
	if (rp->pruned || off == ev->len || ev->text[off] != '{' ||
	    (rec = json_loadb(ev->text + off, ev->len - off, 0, NULL)) ==
	    NULL)
		return;
	if ((sv = json_object_get(rec, "step")) == NULL) {
		json_decref(rec);
		return;
	}
	vv = json_object_get(rec, "value");
	if (!json_is_integer(sv) || json_integer_value(sv) < 0) {
		if (!o->quiet)
			tl_warn("trial %ld: line %zu: field 'step': expected a "
			    "whole number >= 0; the line is ignored", ev->id,
			    rp->line);
	} else if (vv == NULL || !json_is_number(vv)) {
		if (!o->quiet)
			tl_warn("trial %ld: line %zu: field 'value': expected "
			    "a number, got %s; the line is ignored", ev->id,
			    rp->line, vv == NULL ? "nothing" :
			    tl_json_typename(vv));
	} else if (tl_prune_trial_add(&rs->cv[k], step = (long)
	    json_integer_value(sv), json_number_value(vv)) == -1) {
		if (!o->quiet)
			tl_warn("trial %ld: line %zu: step %ld reported again; "
			    "the first value is kept", ev->id, rp->line, step);
	} else if (tl_prune_check(&o->pp, rs->others, prune_view(rs, k),
	    &rs->cv[k], rp->why, sizeof(rp->why)) == 1) {
		rp->pruned = 1;
		rp->step = step;
		tl_trial_kill(tr, ev->id);
	}
	json_decref(rec);
}

/* Trial ev ended: read its value, append its record. */
static int
finish(struct runstate *rs, const struct tl_trial_event *ev, int hfd,
    struct tl_err *err)
{
	const struct opts *o = rs->o;
	char why[256];
	size_t k = run_index(rs, ev->id), nc = 0, i;
	double v, c[TL_TRIAL_CONSTRAINTS];
	json_t *rec;
	int rc;

	rec = json_object();
	json_object_set_new(rec, "trial", json_integer(ev->id));
	put_params(rec, o, rs->s, rs->x[k]);
	if (rs->prn[k].pruned) {
		json_object_set_new(rec, "value", json_null());
		json_object_set_new(rec, "state", json_string("pruned"));
		json_object_set_new(rec, "step", json_integer(
		    rs->prn[k].step));
		json_object_set_new(rec, "reason", json_string(
		    rs->prn[k].why));
		rs->val[k] = NAN;
		rs->npruned++;
		if (o->verbose)
			tl_msg("trial %ld pruned: %s", ev->id, rs->prn[k].why);
	} else if (tl_trial_result(ev, o->timeout, o->obj_name, o->nobj,
	    o->nobj > 0 ? &rs->y[k * o->nobj] : &v, c, &nc, why,
	    sizeof(why)) == 0) {
		if (o->nobj > 0) {
			json_object_set_new(rec, "values", values_json(o,
			    &rs->y[k * o->nobj], 0));
			losses(o, &rs->y[k * o->nobj]);
			v = 0;	/* complete */
		} else
			json_object_set_new(rec, "value", json_real(v));
		json_object_set_new(rec, "state", json_string("complete"));
		if (nc > 0) {
			json_t *a = json_array();

			for (i = 0; i < nc; i++)
				json_array_append_new(a, json_real(c[i]));
			json_object_set_new(rec, "constraints", a);
		}
		rs->viol[k] = violation(c, nc);
		rs->ninfeasible += rs->viol[k] > 0;
		rs->val[k] = v;
		rs->cv[k].complete = 1;
		rs->ncomplete++;
	} else {
		json_object_set_new(rec, "value", json_null());
		json_object_set_new(rec, "state", json_string("failed"));
		json_object_set_new(rec, "reason", json_string(why));
		rs->val[k] = NAN;
		rs->nfailed++;
		if (!o->quiet)
			tl_warn("trial %ld failed: %s", ev->id, why);
	}
	put_curve(rec, &rs->cv[k]);
	json_object_set_new(rec, "source", json_string(rs->src[k]));
	json_object_set_new(rec, "score", num(rs->score[k]));
	json_object_set_new(rec, "seconds", json_real(round(ev->seconds *
	    1000) / 1000));
	if (ev->where != NULL)	/* a batch engine's job or host */
		json_object_set_new(rec, "where", json_string(ev->where));
	if (ev->retried != NULL)	/* its tries that the scheduler ended */
		json_object_set_new(rec, "retried", json_string(ev->retried));
	rc = tl_trial_log_append(hfd, o->history, rec, err);
	json_decref(rec);
	if (k + rs->natt > rs->cap) {	/* taken up: seen as the history's */
		struct trial *t = &rs->h.t[rs->att[k + rs->natt - rs->cap -
		    1].h];

		t->st = isnan(rs->val[k]) ? T_FAILED : T_COMPLETE;
		t->value = rs->val[k];
		t->viol = rs->viol[k];
		if (o->nobj > 0 && !isnan(rs->val[k]))
			t->y = tl_xreallocarray(t->y, o->nobj, sizeof(double));
		if (o->nobj > 0 && !isnan(rs->val[k]))
			memcpy(t->y, &rs->y[k * o->nobj], o->nobj *
			    sizeof(double));
	}
	rs->done[k] = 1;
	rs->nfin++;
	tl_progress_set(rs->pr, (double)rs->nfin);
	return rc;
}

/* Write rec (an object: one line; an array: a line each) to -o.  rec is
 * borrowed. */
static int
write_lines(const struct opts *o, const json_t *rec, struct tl_err *err)
{
	struct tl_out *out;
	size_t i;
	int rc = 0;

	if ((out = tl_out_open(o->output, TL_FMT_JSONL, err)) == NULL)
		return -1;
	if (json_is_array(rec)) {
		for (i = 0; rc == 0 && i < json_array_size(rec); i++)
			rc = tl_out_write(out, json_array_get(rec, i), err);
	} else
		rc = tl_out_write(out, rec, err);
	if (rc == 0)
		return tl_out_close(out, err);
	tl_out_abort(out);
	return -1;
}

/* The non-dominated records of recs (an array, stolen) by their losses
 * y[n * nobj], in their order; with --hypervolume, one record of the
 * front's hypervolume instead.  New; NULL when n is 0. */
static json_t *
front_of(const struct opts *o, json_t *recs, const double *y, size_t n)
{
	size_t *rank, i, k = 0;
	json_t *out, *hv;
	double *fy;

	if (n == 0) {
		json_decref(recs);
		return NULL;
	}
	rank = tl_xcalloc(n, sizeof(*rank));
	fy = tl_xcalloc(n * o->nobj, sizeof(double));
	tl_pareto_rank(y, n, o->nobj, rank);
	out = json_array();
	for (i = 0; i < n; i++)
		if (rank[i] == 0) {
			json_array_append(out, json_array_get(recs, i));
			memcpy(&fy[k++ * o->nobj], &y[i * o->nobj],
			    o->nobj * sizeof(double));
		}
	if (o->hypervolume) {
		hv = json_object();
		json_object_set_new(hv, "hypervolume", json_real(
		    tl_pareto_hv(fy, k, o->nobj, o->ref)));
		json_object_set_new(hv, "reference", values_json(o, o->ref,
		    1));
		json_object_set_new(hv, "front", json_integer((json_int_t)k));
		json_object_set_new(hv, "trials", json_integer((json_int_t)n));
		json_decref(out);
		out = hv;
	}
	free(fy);
	free(rank);
	json_decref(recs);
	return out;
}

/* Several objectives: the front of the complete trials of the history
 * and of this run.  New, or NULL if none completed. */
static json_t *
run_front(struct runstate *rs)
{
	const struct opts *o = rs->o;
	size_t m = o->nobj, n = 0, i;
	json_t *recs = json_array(), *r;
	double *y;

	y = tl_xcalloc((rs->h.n + rs->nrun + 1) * m, sizeof(double));
	for (i = 0; i < rs->h.n + rs->nrun; i++) {
		int hist = i < rs->h.n;
		size_t k = i - (hist ? 0 : rs->h.n);
		const double *yi = hist ? rs->h.t[i].y : &rs->y[k * m];

		if (hist ? rs->h.t[i].st != T_COMPLETE || rs->h.t[i].viol > 0 :
		    !rs->done[k] || isnan(rs->val[k]) || rs->prn[k].pruned ||
		    rs->viol[k] > 0)
			continue;
		r = json_object();
		json_object_set_new(r, "trial", json_integer(hist ?
		    rs->h.t[i].cv.id : rs->first + (long)k));
		put_params(r, o, rs->s, hist ? rs->h.t[i].x : rs->x[k]);
		json_object_set_new(r, "values", values_json(o, yi, 1));
		json_array_append_new(recs, r);
		memcpy(&y[n++ * m], yi, m * sizeof(double));
	}
	r = front_of(o, recs, y, n);
	free(y);
	return r;
}

/* Is a trial with total violation viol infeasible?  Then why says so. */
static int
infeasible(double viol, char *why, size_t whylen)
{
	char v[TL_NUM_BUFSZ];

	if (!(viol > 0))
		return 0;
	tl_fmt_double(v, viol);
	snprintf(why, whylen, "infeasible: constraints exceeded by %s in "
	    "all", v);
	return 1;
}

/* One record of a history for front: complete ones with their values. */
struct frontread {
	json_t		*recs;		/* the trials kept */
	double		*y;		/* their losses */
	size_t		 n, cap;	/* kept, allocated */
	size_t		 read, skipped, unreadable;	/* records */
};

static void
front_record(const struct opts *o, void *ctx, const json_t *rec,
    const char *name, unsigned long line)
{
	struct frontread *fr = ctx;
	json_t *v = tl_space_get(rec, o->state_field), *r;
	const char *st = json_string_value(v);
	char why[256];
	double viol;

	if (v != NULL && !json_is_null(v) && (st == NULL ||
	    strcasecmp(st, "complete") != 0)) {
		snprintf(why, sizeof(why), "field '%s': not complete",
		    o->state_field);
		skip_msg(o, name, line, why);
		fr->skipped++;	/* not on the front */
		return;
	}
	if (fr->n == fr->cap) {
		fr->cap = fr->cap ? 2 * fr->cap : 256;
		fr->y = tl_xreallocarray(fr->y, fr->cap * o->nobj,
		    sizeof(double));
	}
	if (read_values(o, rec, &fr->y[fr->n * o->nobj], why,
	    sizeof(why)) == -1 || read_violation(rec, &viol, why,
	    sizeof(why)) == -1 || infeasible(viol, why, sizeof(why))) {
		skip_msg(o, name, line, why);
		fr->skipped++;
		return;
	}
	r = json_object();
	if ((v = json_object_get(rec, "trial")) != NULL)
		json_object_set(r, "trial", v);
	if ((v = tl_space_get(rec, o->params_field)) != NULL)
		json_object_set(r, o->params_field, v);
	json_object_set_new(r, "values", values_json(o,
	    &fr->y[fr->n * o->nobj], 1));
	json_array_append_new(fr->recs, r);
	fr->n++;
}

/* front: the non-dominated complete trials of the history. */
static int
cmd_front(const struct opts *o, struct tl_err *err)
{
	struct frontread fr = { .recs = json_array() };
	struct tl_records *rs;
	json_t *out = NULL;
	int rc;

	if ((rs = tl_records_open(o->history, o->ifmt, err)) == NULL) {
		json_decref(fr.recs);
		return -1;
	}
	rc = read_records(o, rs, front_record, &fr, &fr.read, &fr.unreadable,
	    err);
	if (rc == 0 && !o->quiet)
		tl_msg("front: %zu trials read: %zu complete, %zu skipped, %zu "
		    "unreadable%s", fr.read, fr.n, fr.skipped, fr.unreadable,
		    fr.skipped > 0 && !o->verbose ? "; -v names them" : "");
	if (rc == 0) {
		out = front_of(o, fr.recs, fr.y, fr.n);
		fr.recs = NULL;
		if (out == NULL)
			rc = tl_err_set(err, TL_EX_DATAERR, tl_records_name(rs),
			    0, "no complete trial with every objective");
	}
	if (rc == 0)
		rc = write_lines(o, out, err);
	json_decref(out);
	json_decref(fr.recs);
	free(fr.y);
	tl_records_free(rs);
	return rc;
}

/* Best complete trial of the history and of this run: its record. */
static json_t *
best_record(struct runstate *rs)
{
	const struct opts *o = rs->o;
	double bv = HUGE_VAL, l;
	const double *bx = NULL;
	long bt = -1;
	size_t i;
	json_t *v;

	for (i = 0; i < rs->h.n; i++)
		if (rs->h.t[i].st == T_COMPLETE && !(rs->h.t[i].viol > 0) &&
		    (l = loss_of(o, rs->h.t[i].value)) < bv) {
			bv = l;
			bx = rs->h.t[i].x;
			bt = -1;
		}
	for (i = 0; i < rs->nrun; i++)
		if (rs->done[i] && !isnan(rs->val[i]) && !(rs->viol[i] > 0) &&
		    (l = loss_of(o, rs->val[i])) < bv) {
			bv = l;
			bx = rs->x[i];
			bt = rs->first + (long)i;
		}
	if (bx == NULL)
		return NULL;
	v = json_object();
	if (bt >= 0)
		json_object_set_new(v, "trial", json_integer(bt));
	put_params(v, o, rs->s, bx);
	json_object_set_new(v, "value", json_real(loss_of(o, bv)));
	return v;
}

/* Run the trials: launch while a slot is free and the next trial's view
 * is fixed (every trial up to k - jobs has finished), collect what
 * ends.  Returns 0, or -1 with err; stops at a signal. */
static int
run_loop(struct runstate *rs, struct engine *e, struct tl_trial_run *tr,
    size_t want, int hfd, struct tl_err *err)
{
	size_t nj = (size_t)rs->o->jobs;
	struct tl_trial_event ev;
	struct tl_buf pb;
	int rc = 0, got;

	tl_buf_init(&pb);
	while (rc == 0 && !got_signal && (rs->nrun < want ||
	    tl_trial_running(tr) > 0)) {
		while (rc == 0 && tl_trial_running(tr) < nj &&
		    rs->nrun < want && (rs->nrun < nj ||
		    rs->done[rs->nrun - nj]))
			if ((rc = run_launch(rs, e, tr, &pb, err)) == 1) {
				tl_warn("every point of the space was tried");
				want = rs->nrun;
				rc = 0;
				break;
			}
		if (rc != 0 || tl_trial_running(tr) == 0)
			break;
		if ((got = tl_trial_poll(tr, &ev, err)) == -1)
			rc = -1;
		else if (got == 1 && ev.kind == TL_TRIAL_END)
			rc = finish(rs, &ev, hfd, err);
		else if (got == 1)
			intermediate(rs, tr, &ev);
	}
	tl_buf_release(&pb);
	return rc;
}

static void
attach_release(struct runstate *rs)
{
	size_t a;

	for (a = 0; a < rs->natt; a++)
		free(rs->att[a].dir);
	free(rs->att);
}

/* The line seq+1 of path as JSON into *v (new).  0, or -1 with err. */
static int
read_line_json(const char *path, long seq, json_t **v, struct tl_err *err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = -1;
	FILE *fp;
	long i;

	*v = NULL;
	if ((fp = fopen(path, "r")) != NULL) {
		for (i = 0; i <= seq && (n = getline(&line, &cap, fp)) != -1;
		    i++)
			;
		if (n > 0)
			*v = json_loadb(line, (size_t)n, 0, NULL);
		fclose(fp);
	}
	free(line);
	if (*v == NULL)
		return tl_err_set(err, TL_EX_DATAERR, path, (unsigned long)seq +
		    1, "no params line of a trial to take up");
	return 0;
}

/* slurm: the trials that a run before this one submitted (the batch
 * directories of --batch-dir with a job id; a trial's last batch) and
 * that the history does not hold finished, into rs->att, each also a
 * running trial of rs->h.  0, or -1 with err. */
static int
attach_scan(struct runstate *rs, struct tl_err *err)
{
	const struct opts *o = rs->o;
	struct tl_buf dir, path;
	size_t a, j, cap = 0;
	long n, seq, id;
	json_t *rec, *params;
	FILE *fp;
	int rc = 0;

	tl_buf_init(&dir);
	tl_buf_init(&path);
	for (n = 1;; n++) {
		tl_buf_reset(&dir);
		tl_buf_printf(&dir, "%s/batch-%ld", o->tc.batch_dir, n);
		if (access(dir.data, F_OK) == -1)
			break;
		tl_buf_reset(&path);
		tl_buf_printf(&path, "%s/job", dir.data);
		if (access(path.data, R_OK) == -1)
			continue;	/* never submitted */
		tl_buf_reset(&path);
		tl_buf_printf(&path, "%s/trials", dir.data);
		if ((fp = fopen(path.data, "r")) == NULL)
			continue;
		for (seq = 0; fscanf(fp, "%ld", &id) == 1; seq++) {
			for (a = 0; a < rs->natt && rs->att[a].id != id; a++)
				;
			if (a == rs->natt && rs->natt == cap) {
				cap = cap ? 2 * cap : 16;
				rs->att = tl_xreallocarray(rs->att, cap,
				    sizeof(*rs->att));
			}
			if (a == rs->natt)
				rs->att[rs->natt++].id = id;
			else
				free(rs->att[a].dir);
			rs->att[a].dir = tl_xstrdup(dir.data);
			rs->att[a].seq = seq;
		}
		fclose(fp);
	}
	for (a = 0; a < rs->natt;) {	/* those finished are done */
		for (j = 0; j < rs->h.n && (rs->h.t[j].cv.id != rs->att[a].id ||
		    rs->h.t[j].st == T_RUNNING); j++)
			;
		if (j < rs->h.n) {
			free(rs->att[a].dir);
			rs->att[a] = rs->att[--rs->natt];
		} else
			a++;
	}
	for (a = 0; rc == 0 && a < rs->natt; a++) {
		tl_buf_reset(&path);
		tl_buf_printf(&path, "%s/params.jsonl", rs->att[a].dir);
		if ((rc = read_line_json(path.data, rs->att[a].seq, &params,
		    err)) == -1)
			break;
		rec = json_object();
		json_object_set_new(rec, "trial", json_integer(rs->att[a].id));
		json_object_set_new(rec, o->params_field, params);
		json_object_set_new(rec, o->state_field, json_string(
		    "running"));
		j = rs->h.n;
		hist_record(o, &rs->h, rec, path.data, (unsigned long)
		    rs->att[a].seq + 1);
		json_decref(rec);
		if (rs->h.n == j)
			rc = tl_err_set(err, TL_EX_DATAERR, path.data,
			    (unsigned long)rs->att[a].seq + 1, "the params of "
			    "trial %ld do not fit the space", rs->att[a].id);
		rs->att[a].h = j;
	}
	tl_buf_release(&dir);
	tl_buf_release(&path);
	return rc;
}

/* Take up the trials of attach_scan on tr, at rs's indices after this
 * run's.  0, or -1 with err. */
static int
attach_start(struct runstate *rs, struct tl_trial_run *tr,
    struct tl_err *err)
{
	size_t a, k, d = rs->s->n ? rs->s->n : 1;

	for (a = 0; a < rs->natt; a++) {
		k = rs->cap - rs->natt + 1 + a;
		rs->x[k] = tl_xcalloc(d, sizeof(double));
		memcpy(rs->x[k], rs->h.t[rs->att[a].h].x, rs->s->n *
		    sizeof(double));
		rs->src[k] = "taken up";
		rs->score[k] = NAN;
		tl_prune_trial_init(&rs->cv[k], rs->att[a].id);
		if (tl_trial_attach(tr, rs->att[a].id, rs->att[a].dir,
		    rs->att[a].seq, err) == -1)
			return -1;
	}
	if (rs->natt > 0 && !rs->o->quiet)
		tl_msg("run: %zu trials of a run before taken up (queued or "
		    "running in Slurm, or ended unseen)", rs->natt);
	return 0;
}

static int
cmd_run(const struct opts *o, const struct tl_space *s, struct tl_err *err)
{
	struct runstate rs;
	struct engine e;
	struct sigaction sa;
	struct tl_trial_run *tr;
	size_t want, i;
	json_t *best;
	int hfd = -1, rc = 0;

	memset(&rs, 0, sizeof(rs));
	rs.o = o;
	rs.s = s;
	if ((tr = tl_trial_alloc(o->dispatch, o->objective, (size_t)o->jobs,
	    o->timeout, &o->tc, err)) == NULL)
		return -1;
	if (hist_read(o, s, &rs.h, err) == -1) {
		hist_release(&rs.h);
		tl_trial_free(tr);
		return -1;
	}
	hist_summary(o, &rs.h);
	if (strcmp(o->dispatch, "slurm") == 0 && attach_scan(&rs, err) ==
	    -1) {
		attach_release(&rs);
		hist_release(&rs.h);
		tl_trial_free(tr);
		return -1;
	}
	rs.first = rs.h.next_trial;
	i = rs.h.complete + rs.h.failed + rs.h.pruned + rs.natt;
	want = (size_t)o->count > i ? (size_t)o->count - i : 0;
	if ((hfd = tl_trial_log_open(o->history, err)) == -1) {
		attach_release(&rs);
		hist_release(&rs.h);
		tl_trial_free(tr);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* a child that exits without reading its stdin must not kill us */
	signal(SIGPIPE, SIG_IGN);

	engine_init(&e, o, s);
	rs.pr = tl_progress_start("run", "trials", (double)want,
	    tl_progress_wanted(o->progress, o->quiet));
	rs.cap = want + rs.natt;	/* this run's, one spare, taken up */
	rs.x = tl_xcalloc(rs.cap + 1, sizeof(double *));
	rs.src = tl_xcalloc(rs.cap + 1, sizeof(char *));
	rs.score = tl_xcalloc(rs.cap + 1, sizeof(double));
	rs.val = tl_xcalloc(rs.cap + 1, sizeof(double));
	rs.done = tl_xcalloc(rs.cap + 1, sizeof(int));
	rs.viol = tl_xcalloc(rs.cap + 1, sizeof(double));
	rs.y = tl_xcalloc((rs.cap + 1) * (o->nobj ? o->nobj : 1),
	    sizeof(double));
	rs.cv = tl_xcalloc(rs.cap + 1, sizeof(*rs.cv));
	rs.prn = tl_xcalloc(rs.cap + 1, sizeof(*rs.prn));
	rs.others = tl_xcalloc(rs.h.n + rs.cap + 1, sizeof(*rs.others));
	for (i = 0; i <= want; i++)
		tl_prune_trial_init(&rs.cv[i], rs.first + (long)i);
	rc = attach_start(&rs, tr, err);
	if (rc == 0)
		rc = run_loop(&rs, &e, tr, want, hfd, err);
	/* stop what runs: the history has every finished trial */
	tl_trial_stop(tr);
	tl_progress_end(rs.pr);
	if (close(hfd) == -1 && rc == 0)
		rc = tl_err_set(err, TL_EX_IOERR, o->history, 0, "close: %s",
		    strerror(errno));
	if (got_signal) {
		int sig = got_signal;

		if (!o->quiet)
			tl_msg("run: stopped by signal %d after %zu trials; "
			    "the same command resumes", sig, rs.nfin);
		signal(sig, SIG_DFL);
		raise(sig);
	}
	if (rc == 0 && !o->quiet && rs.ninfeasible > 0)
		tl_msg("run: %zu trials (%zu complete, %zu of them infeasible, "
		    "%zu failed)", rs.nfin, rs.ncomplete, rs.ninfeasible,
		    rs.nfailed);
	else if (rc == 0 && !o->quiet && o->pp.kind == TL_PRUNE_NONE)
		tl_msg("run: %zu trials (%zu complete, %zu failed)", rs.nfin,
		    rs.ncomplete, rs.nfailed);
	else if (rc == 0 && !o->quiet)
		tl_msg("run: %zu trials (%zu complete, %zu failed, %zu pruned)",
		    rs.nfin, rs.ncomplete, rs.nfailed, rs.npruned);
	best = rc == 0 ? (o->nobj > 0 ? run_front(&rs) : best_record(&rs)) :
	    NULL;
	if (rc == 0 && best == NULL)
		rc = tl_err_set(err, TL_EX_DATAERR, o->history, 0, "no trial "
		    "completed%s: see the reasons in the history",
		    rs.ninfeasible > 0 ? " feasible" : "");
	if (rc == 0)
		rc = write_lines(o, best, err);
	json_decref(best);
	tl_trial_free(tr);
	for (i = 0; i <= rs.cap; i++) {
		free(rs.x[i]);
		tl_prune_trial_release(&rs.cv[i]);
	}
	free(rs.cv);
	free(rs.y);
	free(rs.viol);
	free(rs.prn);
	free(rs.others);
	free(rs.x);
	free(rs.src);
	free(rs.score);
	free(rs.val);
	free(rs.done);
	attach_release(&rs);
	engine_release(&e);
	hist_release(&rs.h);
	return rc;
}

static int	cmd_importance(int argc, char *argv[]);

int
main(int argc, char *argv[])
{
	struct opts o = { .jobs = 1, .kappa = 1, .model_prefix = "genome",
	    .params_field = "params", .radius = 0.1, .screen = 1000,
	    .seed = 1, .startup = 10, .state_field = "state",
	    .value_field = "value", .tp = TL_TPE_PARAMS_DEFAULT,
	    .pp = TL_PRUNE_PARAMS_DEFAULT };
	struct tl_err err = { 0 };
	struct tl_space *s;
	int rc, status = TL_EX_OK;

	tl_init("tl-bayesopt");
	if (argc > 1 && strcmp(argv[1], "importance") == 0)
		return cmd_importance(argc - 1, argv + 1);
	parse_args(argc, argv, &o);
	s = NULL;
	if (o.cmd == C_SPACE)
		rc = cmd_space(&o, &err);
	else if (o.cmd == C_FRONT)
		rc = cmd_front(&o, &err);
	else if ((s = tl_space_load(o.space, &err)) == NULL)
		rc = -1;
	else if (o.cmd == C_SUGGEST)
		rc = cmd_suggest(&o, s, &err);
	else
		rc = cmd_run(&o, s, &err);
	if (rc == -1)
		status = tl_report(&err);
	tl_space_free(s);
	return tl_exit_status(status);
}

/* ---- importance --------------------------------------------------------- */

/*
 * tl-bayesopt importance: each parameter's share of the objective's
 * variance over the complete, feasible trials of a history, by fANOVA
 * of a random forest fitted on them (lib/tl_fanova), with a bootstrap
 * interval.  One JSON object a parameter, by importance.  Kept in one
 * block: it parses its own options (argv[0] is "importance").
 */

#include "tl_fanova.h"	/* here, so that the block moves as one */

#define IMP_MIN_TRIALS	10	/* usable trials below which we refuse */

enum { I_BOOTSTRAP = 256, I_IGNORE_UNKNOWN, I_OBJECTIVE, I_PARAMS_FIELD,
	I_SPACE, I_TREES, I_VALUE_FIELD };

static void
importance_usage(FILE *fp)
{
	fprintf(fp,
"usage: tl-bayesopt importance -H history [-qv] [-i format] [-o file]\n"
"                   [-s seed] [-T threads] [--bootstrap n]\n"
"                   [--ignore-unknown] [--objective name]\n"
"                   [--params-field field] [--space file] [--trees n]\n"
"                   [--value-field field]\n");
	if (fp != stdout)
		return;
	fprintf(fp,
"\nEach parameter's share of the objective's variance over the complete,\n"
"feasible trials of the history, by fANOVA of a random forest (see\n"
"tl-bayesopt(1)): one line a parameter, most important first.\n\n"
"      --bootstrap=N       refits on resampled trials for lo and hi (100;\n"
"                          0: none, lo and hi null)\n"
"  -H, --history=FILE      the trials (JSONL, CSV or JSON)\n"
"  -h, --help              this help\n"
"  -i, --input-format=F    jsonl, csv or json (default: from the content)\n"
"      --ignore-unknown    params not in --space are ignored, not a skip\n"
"      --objective=NAME    the value under \"values\" of a multi-objective\n"
"                          history (NAME:min or NAME:max also taken)\n"
"  -o, --output=FILE       write to FILE (atomically) instead of stdout\n"
"      --params-field=F    where a trial keeps its params (params)\n"
"  -q, --quiet             no summary or warnings on stderr\n"
"  -s, --seed=N            random seed (1)\n"
"      --space=FILE        the search space (default: inferred from the\n"
"                          params tried, as tl-bayesopt space does)\n"
"  -T, --threads=N         worker threads; 0: every core (0)\n"
"      --trees=N           trees a forest (64)\n"
"  -V, --version           print the version\n"
"  -v, --verbose           name each skipped history line\n"
"      --value-field=F     the trial's value, dotted (value)\n");
}

/* What importance reads besides the shared opts. */
struct impopts {
	const char	*space;		/* --space, or NULL: inferred */
	struct tl_fanova_params fp;	/* trees, bootstrap, seed, threads */
};

static void
importance_args(int argc, char *argv[], struct opts *o, struct impopts *io)
{
	static const struct option longopts[] = {
		{ "bootstrap", required_argument, NULL, I_BOOTSTRAP },
		{ "help", no_argument, NULL, 'h' },
		{ "history", required_argument, NULL, 'H' },
		{ "ignore-unknown", no_argument, NULL, I_IGNORE_UNKNOWN },
		{ "input-format", required_argument, NULL, 'i' },
		{ "objective", required_argument, NULL, I_OBJECTIVE },
		{ "output", required_argument, NULL, 'o' },
		{ "params-field", required_argument, NULL, I_PARAMS_FIELD },
		{ "quiet", no_argument, NULL, 'q' },
		{ "seed", required_argument, NULL, 's' },
		{ "space", required_argument, NULL, I_SPACE },
		{ "threads", required_argument, NULL, 'T' },
		{ "trees", required_argument, NULL, I_TREES },
		{ "value-field", required_argument, NULL, I_VALUE_FIELD },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct tl_getopt g = { ":H:hi:o:qs:T:Vv", longopts, NULL,
	    0 };
	struct tl_err err = { 0 };
	struct tl_opt_file f[2];
	char *colon;
	long v;
	int ch, bad = 0;

	while ((ch = tl_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case I_BOOTSTRAP:
			bad = tl_parse_long("--bootstrap", optarg, 0, 100000,
			    &v, &err);
			io->fp.bootstrap = (size_t)v;
			break;
		case 'H':
			o->history = optarg;
			break;
		case 'h':
			importance_usage(stdout);
			exit(tl_exit_status(TL_EX_OK));
		case 'i':
			o->ifmt = tl_parse_format("--input-format", optarg, 1);
			break;
		case I_IGNORE_UNKNOWN:
			o->ignore_unknown = 1;
			break;
		case I_OBJECTIVE:
			/* a direction, as the other commands take it, is
			 * of no use here: variance has none */
			colon = strrchr(optarg, ':');
			if (colon != NULL && (strcmp(colon, ":min") == 0 ||
			    strcmp(colon, ":max") == 0))
				*colon = '\0';
			if (*optarg == '\0')
				tl_usage_error("--objective: an empty name");
			o->obj_name[0] = optarg;
			o->nobj = 1;
			break;
		case 'o':
			o->output = optarg;
			break;
		case I_PARAMS_FIELD:
			o->params_field = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 's':
			bad = tl_parse_long("--seed", optarg, 0, LONG_MAX,
			    &o->seed, &err);
			break;
		case I_SPACE:
			io->space = optarg;
			break;
		case 'T':
			bad = tl_parse_long("--threads", optarg, 0, 1024, &v,
			    &err);
			io->fp.threads = (int)v;
			break;
		case I_TREES:
			bad = tl_parse_long("--trees", optarg, 1, 100000, &v,
			    &err);
			io->fp.trees = (size_t)v;
			break;
		case I_VALUE_FIELD:
			o->value_field = optarg;
			break;
		case 'V':
			tl_version_exit();
		case 'v':
			o->verbose = 1;
			break;
		}
		if (bad)
			tl_usage_error("%s: %s", err.where, err.msg);
	}
	if (optind < argc)
		tl_usage_error("importance takes no operand, got '%s'",
		    argv[optind]);
	if (o->history == NULL)
		tl_usage_error("importance needs the history to read: -H FILE");
	if (*o->params_field == '\0')
		tl_usage_error("--params-field: an empty name");
	f[0] = (struct tl_opt_file){ "--space", io->space };
	f[1] = (struct tl_opt_file){ "--history", o->history };
	tl_opt_inputs(f, TL_NELEM(f), NULL, 0, 0, importance_usage);
	io->fp.seed = (uint64_t)o->seed;
	if (io->fp.threads == 0) {
		v = sysconf(_SC_NPROCESSORS_ONLN);
		io->fp.threads = v > 0 ? (int)v : 1;
	}
}

/* The records of a history, kept to be read twice (for the space, then
 * the trials). */
struct impread {
	json_t		**rec;		/* records, owned */
	unsigned long	*line;		/* their lines */
	size_t		 n, cap;	/* held, allocated */
	const json_t	*values;	/* the first complete record's
					 * "values" without the value field,
					 * borrowed from rec */
};

static void
imp_keep(const struct opts *o, void *ctx, const json_t *rec,
    const char *name, unsigned long line)
{
	struct impread *ir = ctx;
	json_t *st = tl_space_get(rec, o->state_field), *vs;

	(void)name;
	if (ir->n == ir->cap) {
		ir->cap = ir->cap ? 2 * ir->cap : 256;
		ir->rec = tl_xreallocarray(ir->rec, ir->cap, sizeof(json_t *));
		ir->line = tl_xreallocarray(ir->line, ir->cap,
		    sizeof(unsigned long));
	}
	ir->rec[ir->n] = json_incref((json_t *)rec);
	ir->line[ir->n++] = line;
	vs = json_object_get(rec, "values");
	if (ir->values == NULL && json_is_object(vs) && tl_space_get(rec,
	    o->value_field) == NULL && (st == NULL || json_is_null(st) ||
	    (json_is_string(st) && strcasecmp(json_string_value(st),
	    "failed") != 0)))
		ir->values = vs;
}

/* "a, b, c": the names of a values object, into b. */
static void
imp_value_names(const json_t *values, struct tl_buf *b)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)values, key, v) {
		if (b->len > 0)
			tl_buf_adds(b, ", ");
		tl_buf_adds(b, key);
	}
}

/* The space: loaded from --space, or inferred from the params of the
 * records.  New, or NULL with err. */
static struct tl_space *
imp_space(const struct opts *o, const struct impopts *io,
    const struct impread *ir, const char *name, struct tl_err *err)
{
	struct spaceread sr = { 0 };
	struct tl_space *s = NULL;
	json_t *space;
	size_t i;

	if (io->space != NULL)
		return tl_space_load(io->space, err);
	sr.in = tl_space_infer_alloc();
	for (i = 0; i < ir->n; i++)
		space_record(o, &sr, ir->rec[i], name, ir->line[i]);
	if (tl_space_infer_count(sr.in) == 0)
		tl_err_set(err, TL_EX_DATAERR, name, 0, "no trial with a '%s' "
		    "object (%zu records)%s", o->params_field, ir->n,
		    strcmp(o->params_field, "params") == 0 ? "; tl-ingest's "
		    "runs keep them in 'genome': --params-field genome" : "");
	else if ((space = tl_space_infer_result(sr.in, name, o->quiet ? NULL :
	    tl_warn, err)) != NULL) {
		s = tl_space_from_json(space, "the inferred space", err);
		json_decref(space);
	}
	tl_space_infer_free(sr.in);
	return s;
}

/* One line a parameter, by importance then name.  New array. */
static json_t *
imp_lines(const struct tl_space *s, const struct tl_fanova_result *res)
{
	json_t *out = json_array(), *rec;
	size_t *ord = tl_xcalloc(s->n + 1, sizeof(size_t)), i, j, t;

	for (i = 0; i < s->n; i++)
		ord[i] = i;
	for (i = 1; i < s->n; i++)	/* insertion: a space is small */
		for (j = i; j > 0 && (res[ord[j]].importance >
		    res[ord[j - 1]].importance || (res[ord[j]].importance ==
		    res[ord[j - 1]].importance && strcmp(s->p[ord[j]].name,
		    s->p[ord[j - 1]].name) < 0)); j--) {
			t = ord[j];
			ord[j] = ord[j - 1];
			ord[j - 1] = t;
		}
	for (i = 0; i < s->n; i++) {
		j = ord[i];
		rec = json_object();
		json_object_set_new(rec, "name", json_string(s->p[j].name));
		json_object_set_new(rec, "importance",
		    num(res[j].importance));
		json_object_set_new(rec, "lo", num(res[j].lo));
		json_object_set_new(rec, "hi", num(res[j].hi));
		json_object_set_new(rec, "fraction", num(res[j].fraction));
		json_array_append_new(out, rec);
	}
	free(ord);
	return out;
}

/* The usable trials of h (complete, feasible) into x and y.  Returns
 * their number. */
static size_t
imp_trials(const struct opts *o, const struct hist *h, double *x,
    double *y)
{
	size_t i, n = 0, d = h->s->n;

	for (i = 0; i < h->n; i++) {
		if (h->t[i].st != T_COMPLETE || h->t[i].viol > 0)
			continue;
		memcpy(x + n * d, h->t[i].x, d * sizeof(double));
		y[n++] = o->nobj > 0 ? h->t[i].y[0] : h->t[i].value;
	}
	return n;
}

static int
cmd_importance(int argc, char *argv[])
{
	struct opts o = { .params_field = "params", .seed = 1,
	    .state_field = "state", .value_field = "value" };
	struct impopts io = { NULL, TL_FANOVA_PARAMS_DEFAULT };
	struct tl_err err = { 0 };
	struct impread ir = { 0 };
	struct tl_records *rs = NULL;
	struct tl_space *s = NULL;
	struct tl_fanova_result *res = NULL;
	struct hist h;
	struct tl_buf b;
	json_t *lines = NULL;
	double *x = NULL, *y = NULL;
	size_t i, n = 0, nread = 0, unreadable = 0, infeasible = 0;
	const char *name;
	int rc = -1;

	io.fp.threads = 0;
	importance_args(argc, argv, &o, &io);
	memset(&h, 0, sizeof(h));
	tl_buf_init(&b);
	if ((rs = tl_records_open(o.history, o.ifmt, &err)) == NULL ||
	    read_records(&o, rs, imp_keep, &ir, &nread, &unreadable, &err) ==
	    -1)
		goto out;
	name = tl_records_name(rs);
	if (o.nobj == 0 && ir.values != NULL) {
		imp_value_names(ir.values, &b);
		tl_err_set(&err, TL_EX_DATAERR, name, 0, "a multi-objective "
		    "history (values %s): name one with --objective NAME",
		    b.data);
		goto out;
	}
	if ((s = imp_space(&o, &io, &ir, name, &err)) == NULL)
		goto out;
	h.s = s;
	h.read = nread;
	h.unreadable = unreadable;
	for (i = 0; i < ir.n; i++)
		hist_record(&o, &h, ir.rec[i], name, ir.line[i]);
	hist_summary(&o, &h);
	x = tl_xcalloc(h.n * s->n + 1, sizeof(double));
	y = tl_xcalloc(h.n + 1, sizeof(double));
	n = imp_trials(&o, &h, x, y);
	for (i = 0; i < h.n; i++)
		infeasible += h.t[i].st == T_COMPLETE && h.t[i].viol > 0;
	if (n == 0 && o.nobj > 0 && ir.values != NULL) {
		imp_value_names(ir.values, &b);
		tl_err_set(&err, TL_EX_DATAERR, name, 0, "--objective '%s': "
		    "no complete trial has it under values (values %s)",
		    o.obj_name[0], b.data);
		goto out;
	}
	if (n < IMP_MIN_TRIALS) {
		tl_err_set(&err, TL_EX_DATAERR, name, 0, "%zu usable trials "
		    "(complete%s, with a value%s%s), need at least %d",
		    n, infeasible > 0 ? " and feasible" : "", o.nobj > 0 ?
		    " under values." : "", o.nobj > 0 ? o.obj_name[0] : "",
		    IMP_MIN_TRIALS);
		goto out;
	}
	if (!o.quiet)
		tl_msg("importance: %zu trials (complete, feasible), %zu "
		    "params, %zu trees, %zu refits", n, s->n, io.fp.trees,
		    io.fp.bootstrap);
	res = tl_xcalloc(s->n + 1, sizeof(*res));
	if (tl_fanova(s, x, y, n, &io.fp, res, &err) == -1) {
		tl_err_set(&err, err.code, name, 0, "%s", err.msg);
		goto out;
	}
	lines = imp_lines(s, res);
	rc = write_lines(&o, lines, &err);
out:
	json_decref(lines);
	free(res);
	free(x);
	free(y);
	hist_release(&h);
	tl_space_free(s);
	for (i = 0; i < ir.n; i++)
		json_decref(ir.rec[i]);
	free(ir.rec);
	free(ir.line);
	tl_buf_release(&b);
	tl_records_free(rs);
	return tl_exit_status(rc == 0 ? TL_EX_OK : tl_report(&err));
}
