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
 * front writes the non-dominated trials of a multi-objective history.
 * Everything random comes from --seed.
 *
 * This file is the story: the options (common to every subcommand, then
 * the subcommand's own check), the --space when the subcommand needs
 * one, the subcommand.  To add a subcommand: a row in subcmds[] below and
 * a file with its X_check and cmd_X (bayesopt.h says what they do).
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bayesopt.h"
#include "tl_err.h"
#include "tl_opt.h"
#include "tl_util.h"

/* A subcommand: its name, its options checked after the common ones, and
 * what it does; with space, main loads --space first and passes it. */
struct subcmd {
	const char	*name;
	void		(*check)(struct opts *o, int argc, char *argv[]);
	int		(*run)(const struct opts *o, const struct tl_space *s,
			    struct tl_err *err);
	int		 space;		/* --space loaded for run */
};

/* the subcommands, in the order "unknown command" lists them */
static const struct subcmd subcmds[] = {
	{ "suggest", suggest_check, cmd_suggest, 1 },
	{ "run", run_check, cmd_run, 1 },
	{ "space", space_check, cmd_space, 0 },
	{ "front", front_check, cmd_front, 0 },
};

/* --sampler: the samplers of suggest and run */
static const struct {
	const char	*name;
	int		 nsga2;		/* NSGA-II (lib/tl_nsga2), else TPE */
} samplers[] = {
	{ "tpe", 0 },
	{ "nsga2", 1 },
};

/* the options of TPE or its proposals, none for NSGA-II */
static const int tpe_opts[] = { O_AROUND, 'M', O_CANDIDATES, O_GAMMA,
    O_STARTUP, O_MULTIVARIATE, O_UNIVARIATE };

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
	{ "population", required_argument, NULL, O_POPULATION },
	{ "pruner", required_argument, NULL, O_PRUNER },
	{ "quiet", no_argument, NULL, 'q' },
	{ "radius", required_argument, NULL, O_RADIUS },
	{ "sampler", required_argument, NULL, O_SAMPLER },
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

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: tl-bayesopt suggest --space file [-qvx] [-H history] [-i format]\n"
"                   [-M model] [-n count] [-o file] [-s seed]\n"
"                   [--around file] [--sampler name] [options]\n"
"       tl-bayesopt run --space file -H history [-qvx] [-i format]\n"
"                   [-j jobs] [-n trials] [-o file] [-s seed]\n"
"                   [--pruner name] [--sampler name] [--timeout seconds]\n"
"                   [--dispatch engine] [--batch-dir dir]\n"
"                   [--partition name] [--time-limit time] [--mem size]\n"
"                   [--sshlogin login ...] [--retries n]\n"
"                   [--progress | --no-progress] [options]\n"
"                   -- command [arg ...]\n"
"       tl-bayesopt space -H history [-qv] [-i format] [-o file]\n"
"                   [--params-field field]\n"
"       tl-bayesopt front -H history --objective name:dir ... [-qv]\n"
"                   [-i format] [-o file] [--hypervolume]\n"
"                   [--params-field field] [--ref-point values]\n"
"       tl-bayesopt importance -H history [options]\n");
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
"      --population=N      nsga2: trials of a generation (50)\n"
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
"      --sampler=NAME      suggest, run with several --objective: tpe\n"
"                          (multi-objective TPE) or nsga2 (NSGA-II) (tpe)\n"
"      --screen=M          candidates drawn for the model (1000)\n"
"  -s, --seed=N            random seed (1)\n"
"      --sshlogin=LOGIN    run, parallel: [N/]user@host[:port], repeated\n"
"                          (none: this host)\n"
"      --space=FILE        the search space (JSON)\n"
"      --startup=N         feasible Sobol trials before TPE (10)\n"
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


/* The name of option ch (getopt's value) as the user may write it. */
const char *
opts_name(int ch, char *buf, size_t size)
{
	return tl_opt_name(longopts, ch, buf, size);
}

/* Was option ch given? */
int
opts_given(const struct opts *o, int ch)
{
	size_t i;

	for (i = 0; i < o->ngiven && o->given[i] != ch; i++)
		;
	return i < o->ngiven;
}

/* A subcommand that takes only the options only[n]: the first other one
 * given is a usage error, "what, not OPTION". */
void
opts_only(const struct opts *o, const int *only, size_t n, const char *what)
{
	char name[64];
	size_t i, j;

	for (i = 0; i < o->ngiven; i++) {
		for (j = 0; j < n && only[j] != o->given[i]; j++)
			;
		if (j == n)
			tl_usage_error("%s, not %s", what, opts_name(
			    o->given[i], name, sizeof(name)));
	}
}

/* The objectives' options, for the subcommands that take them. */
void
opts_objectives(struct opts *o)
{
	if (o->nobj > 0 && o->maximize)
		tl_usage_error("-x and --objective: give each objective's "
		    "direction, NAME:max");
	if (o->nobj > 0 && o->pp.kind != TL_PRUNE_NONE)
		tl_usage_error("--pruner is for one objective (as in Optuna)");
	if (o->ref_point != NULL)
		parse_ref_point(o);
	if (o->hypervolume && o->ref_point == NULL)
		tl_usage_error("--hypervolume needs --ref-point");
}

/* suggest and run: the search space, no --hypervolume, and NSGA-II
 * only with several objectives and none of TPE's options. */
void
opts_search(const struct opts *o)
{
	char name[64];
	size_t i;

	if (o->hypervolume)
		tl_usage_error("--hypervolume is for front");
	if (o->space == NULL)
		tl_usage_error("the search space is needed: --space FILE");
	if (o->nsga2 && o->nobj < 2)
		tl_usage_error("--sampler nsga2 is for several objectives: "
		    "--objective NAME:DIR twice or more");
	if (!o->nsga2 && opts_given(o, O_POPULATION))
		tl_usage_error("--population is for --sampler nsga2");
	for (i = 0; o->nsga2 && i < TL_NELEM(tpe_opts); i++)
		if (opts_given(o, tpe_opts[i]))
			tl_usage_error("%s is for --sampler tpe", opts_name(
			    tpe_opts[i], name, sizeof(name)));
}

/* The options into o; the subcommand they are for. */
static const struct subcmd *
parse_args(int argc, char *argv[], struct opts *o)
{
	/* tl(7), the interface: these letters became long-only */
	static const struct tl_old_opt old[] = { { "-a", "around" },
	    { "-S", "space" }, { "-t", "timeout" } };
	static const struct tl_getopt g = { ":a:H:hi:j:M:n:o:qS:s:t:Vvx",
	    longopts, old, TL_NELEM(old) };
	struct tl_err err = { 0 };
	const char *names[TL_NELEM(subcmds)];
	struct tl_opt_file f[4];
	long v;
	int ch, bad = 0;
	size_t i;

	o->given = tl_xcalloc((size_t)argc, sizeof(int));
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
		case O_POPULATION:
			bad = tl_parse_long("--population", optarg, 2, 100000,
			    &o->population, &err);
			break;
		case O_SAMPLER:
			o->nsga2 = samplers[TL_PARSE_WORD("--sampler", optarg,
			    samplers)].nsga2;
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
		o->given[o->ngiven++] = ch;
	}
	if (*o->params_field == '\0')
		tl_usage_error("--params-field: an empty name");
	for (i = 0; i < TL_NELEM(subcmds); i++)
		names[i] = subcmds[i].name;
	i = (size_t)tl_command(argc, argv, optind, names,
	    (int)TL_NELEM(names));
	f[0] = (struct tl_opt_file){ "--space", o->space };
	f[1] = (struct tl_opt_file){ "--history", o->history };
	f[2] = (struct tl_opt_file){ "--around", o->around };
	f[3] = (struct tl_opt_file){ "--model", o->model };
	tl_opt_inputs(f, TL_NELEM(f), NULL, 0, 0, usage);
	subcmds[i].check(o, argc, argv);
	return &subcmds[i];
}

int
main(int argc, char *argv[])
{
	struct opts o = { .jobs = 1, .kappa = 1, .model_prefix = "genome",
	    .params_field = "params", .radius = 0.1, .screen = 1000,
	    .seed = 1, .startup = 10, .state_field = "state",
	    .value_field = "value", .tp = TL_TPE_PARAMS_DEFAULT,
	    .pp = TL_PRUNE_PARAMS_DEFAULT };
	const struct subcmd *cmd;
	struct tl_err err = { 0 };
	struct tl_space *s = NULL;
	int rc, status = TL_EX_OK;

	tl_init("tl-bayesopt");
	if (argc > 1 && strcmp(argv[1], "importance") == 0)
		return cmd_importance(argc - 1, argv + 1);
	cmd = parse_args(argc, argv, &o);
	if (cmd->space && (s = tl_space_load(o.space, &err)) == NULL)
		rc = -1;
	else
		rc = cmd->run(&o, s, &err);
	if (rc == -1)
		status = tl_report(&err);
	tl_space_free(s);
	free(o.given);
	return tl_exit_status(status);
}
