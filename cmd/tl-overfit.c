/*
 * tl-overfit: flag strategies that were overfit.  check follows every
 * promoted strategy out of sample (a rolling Sharpe ratio after the
 * promotion against its in-sample figure: decay held for N days; the
 * probabilistic Sharpe ratio of the live record; the deflated Sharpe
 * ratio of the in-sample record given the trials behind it; the minimum
 * track record length) and writes alerts, acknowledged or not; pbo runs
 * combinatorially symmetric cross-validation over a set of candidates;
 * sharpe evaluates the formulas on figures given on the command line.
 * Every Sharpe ratio inside is per period (per day for returns.csv).
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <getopt.h>
#include <jansson.h>

#include "tl_err.h"
#include "tl_json.h"
#include "tl_map.h"
#include "tl_num.h"
#include "tl_opt.h"
#include "tl_out.h"
#include "tl_overfit.h"
#include "tl_progress.h"
#include "tl_panel.h"
#include "tl_pbo.h"
#include "tl_records.h"
#include "tl_sharpe.h"
#include "tl_time.h"
#include "tl_util.h"

#define PBO_FORMAT	"tl-pbo"
#define FORMAT_VERSION	1
#define MAX_THREADS	64

enum cmd { C_CHECK, C_PBO, C_SHARPE };

/* --baseline */
static const struct baseline_name {
	const char	*name;		/* the word */
	enum tl_overfit_baseline b;	/* the in-sample figure's source */
} baselines[] = {
	{ "auto", TL_BASELINE_AUTO }, { "returns", TL_BASELINE_RETURNS },
	{ "given", TL_BASELINE_GIVEN }
};

/* pbo --metric */
static const struct metric_name {
	const char	*name;		/* the word */
	enum tl_pbo_metric m;		/* the performance of a block */
} metrics[] = { { "sharpe", TL_PBO_SHARPE }, { "mean", TL_PBO_MEAN } };

/* pbo --constant: what a candidate without variance (no Sharpe ratio)
 * does to the run */
static const struct constant_name {
	const char	*name;		/* the word */
	int		 drop;		/* left out (1) or an error (0) */
} constants[] = { { "fail", 0 }, { "drop", 1 } };

/* Long-only options. */
enum {
	O_ACK = 256, O_BASELINE, O_CONSTANT, O_DAYS, O_FAIL_ON, O_FILL_ZERO, O_IS_MIN,
	O_IS_WINDOW, O_KURT, O_MAX_PBO, O_METRIC, O_NOPROGRESS, O_PARTITIONS,
	O_PPY, O_PROGRESS, O_PROMOTIONS, O_RUN_DAYS, O_RUNS, O_SHARPE, O_SKEW,
	O_SR_STAR, O_STATS, O_THRESHOLD, O_TRIALS, O_TRIALS_VAR, O_ANNUAL, O_N
};

/* pbo draws progress for this many combinations and more */
#define PROGRESS_COMBS	100000

struct opts {
	enum cmd	 cmd;		/* check, pbo or sharpe */
	struct tl_overfit_opts chk;	/* check's settings; level: all */
	const char	*ack;		/* --ack FILE */
	long		 annual;	/* sharpe: inputs annualised by K */
	enum tl_overfit_sev fail_on;	/* exit 1 at this severity or worse */
	int		 fill_zero;	/* pbo: missing cells are 0 */
	int		 drop_constant;	/* pbo: --constant drop */
	enum tl_fmt	 ifmt;		/* -i: returns, pbo inputs; AUTO */
	double		 kurt;		/* sharpe: gamma4 */
	double		 max_pbo;	/* pbo: exit 1 above; NaN off */
	enum tl_pbo_metric metric;	/* pbo: sharpe or mean */
	double		 n_obs;		/* sharpe: T */
	const char	*output;	/* -o */
	long		 partitions;	/* --partitions */
	enum tl_progress_opt progress;	/* --progress, --no-progress */
	const char	*promotions;	/* --promotions */
	int		 quiet;		/* -q */
	const char	*returns;	/* --returns */
	long		 run_days;	/* days behind a run's sharpe; 0: span */
	const char	*runs;		/* --runs FILE */
	double		 sharpe;	/* sharpe: SR */
	double		 skew;		/* sharpe: gamma3 */
	double		 sr_star;	/* sharpe: benchmark SR */
	const char	*stats;		/* --stats FILE */
	long		 threads;	/* -T */
	long		 trials;	/* --trials N, 0: from runs */
	double		 trials_var;	/* --trials-var, NaN: from runs */
	char		**inputs;	/* pbo files */
	int		 ninputs;
	int		 have_sharpe, have_n;	/* sharpe: given */
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: tl-overfit check [-q] [-i format] [-l P] [-o alerts] [-w N]\n"
"                  -r file --promotions file [--ack file] [--baseline B]\n"
"                  [--days N] [--fail-on severity] [--is-min N]\n"
"                  [--is-window N] [--run-days N] [--runs file]\n"
"                  [--stats file] [--threshold X] [--trials N]\n"
"                  [--trials-var V]\n"
"       tl-overfit pbo [-q] [-i format] [-o summary] [-T threads]\n"
"                  [--constant C] [--fill-zero] [--max-pbo P] [--metric M]\n"
"                  [--partitions S] [--progress | --no-progress] [file ...]\n"
"       tl-overfit sharpe --sharpe SR --n T [-l P] [-o file] [--annual K]\n"
"                  [--kurt G4] [--skew G3] [--sr-star SR]\n"
"                  [--trials N --trials-var V]\n");
	if (fp != stdout)
		return;
	fprintf(fp,
"\nFlag overfit strategies (see tl-overfit(1)).  Sharpe ratios are per\n"
"period (per day for returns.csv), never annualised inside a formula;\n"
"kurtosis is non-excess (3 for a normal); PSR and MinTRL use the paper\n"
"form (variance term at the observed SR, T - 1), not jsharpe's.\n\n"
"      --ack=FILE        acknowledged alerts (JSONL) from earlier nights\n"
"      --annual=K        sharpe: --sharpe, --sr-star and --trials-var are\n"
"                        annualised with K periods a year\n"
"      --baseline=B      in-sample Sharpe: auto (returns before the\n"
"                        promotion, else the promotion's figure), returns\n"
"                        or given\n"
"      --constant=C      pbo: a candidate without variance (no Sharpe\n"
"                        ratio): fail (default) or drop (left out, named)\n"
"      --days=N          decay must hold N consecutive days to alert, and\n"
"                        be gone N days to clear (5)\n"
"      --fail-on=SEV     exit 1 if an unacknowledged alert of SEV (low,\n"
"                        medium, high) or worse exists\n"
"      --fill-zero       pbo: a missing day is a 0 return (default: such\n"
"                        days are dropped)\n"
"  -h, --help            this help\n"
"  -i, --input-format=F  returns: jsonl, csv or json (default: from the\n"
"                        content)\n"
"      --is-min=N        fewest days of returns for an in-sample figure (5)\n"
"      --is-window=N     in-sample days before the promotion (60)\n"
"      --kurt=G4         sharpe: kurtosis, non-excess (3)\n"
"  -l, --level=P         confidence of PSR, DSR and MinTRL (0.95)\n"
"      --max-pbo=P       pbo: exit 1 if PBO > P\n"
"      --metric=M        pbo: sharpe (default) or mean\n"
"      --n=T             sharpe: number of observations\n"
"  -o, --output=FILE     write to FILE (atomically) instead of stdout\n"
"      --partitions=S    pbo: blocks, even (16)\n"
"      --periods-per-year=K  for the annualised column of --stats (252)\n"
"      --progress        pbo: a progress line on stderr (default: on a\n"
"                        terminal, for 100000 combinations or more)\n"
"      --no-progress     none\n"
"      --promotions=FILE promotions (JSONL from tl-ingest)\n"
"  -q, --quiet           no summary, warnings or progress\n"
"  -r, --returns=FILE    daily returns (date,strategy,return or wide)\n"
"      --run-days=N      trading days behind every run's metrics.sharpe\n"
"                        (252 if annualised; default: the run's span)\n"
"      --runs=FILE       backtest runs (runs.jsonl): the trials for DSR\n"
"      --sharpe=SR       sharpe: the observed Sharpe ratio\n"
"      --skew=G3         sharpe: skewness (0)\n"
"      --sr-star=SR      sharpe: benchmark Sharpe ratio of PSR (0)\n"
"      --stats=FILE      per-strategy statistics (JSONL, or CSV by name)\n"
"  -T, --threads=N       pbo: threads, 0 for all CPUs (0); same result\n"
"      --threshold=X     decay alert above X: drop / |in-sample| (0.5)\n"
"      --trials=N        number of trials behind a selection (DSR)\n"
"      --trials-var=V    variance of the trials' Sharpe ratios, per day\n"
"  -V, --version         print the version\n"
"  -w, --window=N        rolling out-of-sample window, days (20)\n");
}

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	static const char *const cmds[] = { "check", "pbo", "sharpe" };
	static const struct option longopts[] = {
		{ "ack", required_argument, NULL, O_ACK },
		{ "annual", required_argument, NULL, O_ANNUAL },
		{ "baseline", required_argument, NULL, O_BASELINE },
		{ "days", required_argument, NULL, O_DAYS },
		{ "fail-on", required_argument, NULL, O_FAIL_ON },
		{ "constant", required_argument, NULL, O_CONSTANT },
		{ "fill-zero", no_argument, NULL, O_FILL_ZERO },
		{ "help", no_argument, NULL, 'h' },
		{ "input-format", required_argument, NULL, 'i' },
		{ "is-min", required_argument, NULL, O_IS_MIN },
		{ "is-window", required_argument, NULL, O_IS_WINDOW },
		{ "kurt", required_argument, NULL, O_KURT },
		{ "level", required_argument, NULL, 'l' },
		{ "max-pbo", required_argument, NULL, O_MAX_PBO },
		{ "metric", required_argument, NULL, O_METRIC },
		{ "n", required_argument, NULL, O_N },
		{ "no-progress", no_argument, NULL, O_NOPROGRESS },
		{ "output", required_argument, NULL, 'o' },
		{ "periods-per-year", required_argument, NULL, O_PPY },
		{ "progress", no_argument, NULL, O_PROGRESS },
		{ "promotions", required_argument, NULL, O_PROMOTIONS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "returns", required_argument, NULL, 'r' },
		{ "run-days", required_argument, NULL, O_RUN_DAYS },
		{ "runs", required_argument, NULL, O_RUNS },
		{ "partitions", required_argument, NULL, O_PARTITIONS },
		{ "sharpe", required_argument, NULL, O_SHARPE },
		{ "skew", required_argument, NULL, O_SKEW },
		{ "sr-star", required_argument, NULL, O_SR_STAR },
		{ "stats", required_argument, NULL, O_STATS },
		{ "threads", required_argument, NULL, 'T' },
		{ "threshold", required_argument, NULL, O_THRESHOLD },
		{ "trials", required_argument, NULL, O_TRIALS },
		{ "trials-var", required_argument, NULL, O_TRIALS_VAR },
		{ "version", no_argument, NULL, 'V' },
		{ "window", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	/* tl(7), the interface: these letters became long-only */
	static const struct tl_old_opt old[] = { { "-a", "ack" },
	    { "-d", "days" }, { "-F", "fail-on" }, { "-n", "n" },
	    { "-p", "promotions" }, { "-S", "partitions" },
	    { "-t", "threshold" } };
	static const struct tl_getopt g = { ":a:d:F:hi:l:n:o:p:qr:S:T:t:Vw:",
	    longopts, old, TL_NELEM(old) };
	struct tl_err err = { 0 };
	struct tl_opt_file f[4];
	int ch, bad = 0;

	while ((ch = tl_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case O_ACK:
			o->ack = optarg;
			break;
		case O_ANNUAL:
			bad = tl_parse_long("--annual", optarg, 1, 100000,
			    &o->annual, &err);
			break;
		case O_BASELINE:
			o->chk.baseline = baselines[TL_PARSE_WORD("--baseline",
			    optarg, baselines)].b;
			break;
		case O_DAYS:
			bad = tl_parse_long("--days", optarg, 1, 100000,
			    &o->chk.days, &err);
			break;
		case O_FAIL_ON:
			o->fail_on = (enum tl_overfit_sev)tl_parse_word(
			    "--fail-on", optarg, tl_overfit_sev_names,
			    tl_overfit_nsev, sizeof(tl_overfit_sev_names[0]),
			    NULL);
			break;
		case O_CONSTANT:
			o->drop_constant = constants[TL_PARSE_WORD(
			    "--constant", optarg, constants)].drop;
			break;
		case O_FILL_ZERO:
			o->fill_zero = 1;
			break;
		case 'h':
			usage(stdout);
			exit(tl_exit_status(TL_EX_OK));
		case 'i':
			o->ifmt = tl_parse_format("--input-format", optarg, 1);
			break;
		case O_IS_MIN:
			bad = tl_parse_long("--is-min", optarg, 2, 100000,
			    &o->chk.is_min, &err);
			break;
		case O_IS_WINDOW:
			bad = tl_parse_long("--is-window", optarg, 2, 1000000,
			    &o->chk.is_window, &err);
			break;
		case O_KURT:
			bad = tl_parse_double("--kurt", optarg, 1, 1e6,
			    &o->kurt, &err);
			break;
		case 'l':
			bad = tl_parse_double("--level", optarg, 0.5, 0.999999,
			    &o->chk.level, &err);
			break;
		case O_MAX_PBO:
			bad = tl_parse_double("--max-pbo", optarg, 0, 1,
			    &o->max_pbo, &err);
			break;
		case O_METRIC:
			o->metric = metrics[TL_PARSE_WORD("--metric", optarg,
			    metrics)].m;
			break;
		case O_N:
			bad = tl_parse_double("--n", optarg, 2, 1e12, &o->n_obs,
			    &err);
			o->have_n = 1;
			break;
		case O_NOPROGRESS:
			o->progress = TL_PROGRESS_OFF;
			break;
		case 'o':
			o->output = optarg;
			break;
		case O_PPY:
			bad = tl_parse_long("--periods-per-year", optarg, 1,
			    100000, &o->chk.ppy, &err);
			break;
		case O_PROGRESS:
			o->progress = TL_PROGRESS_ON;
			break;
		case O_PROMOTIONS:
			o->promotions = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'r':
			o->returns = optarg;
			break;
		case O_RUN_DAYS:
			bad = tl_parse_long("--run-days", optarg, 1, 100000,
			    &o->run_days, &err);
			break;
		case O_RUNS:
			o->runs = optarg;
			break;
		case O_PARTITIONS:
			/* the range here; evenness below, with its reason */
			bad = tl_parse_long("--partitions", optarg, 2, 64,
			    &o->partitions, &err);
			if (!bad && o->partitions % 2 != 0)
				tl_usage_error("--partitions: %ld is odd: CSCV "
				    "splits the blocks in two halves",
				    o->partitions);
			break;
		case O_SHARPE:
			bad = tl_parse_double("--sharpe", optarg, -1e6, 1e6,
			    &o->sharpe, &err);
			o->have_sharpe = 1;
			break;
		case O_SKEW:
			bad = tl_parse_double("--skew", optarg, -1e6, 1e6,
			    &o->skew, &err);
			break;
		case O_SR_STAR:
			bad = tl_parse_double("--sr-star", optarg, -1e6, 1e6,
			    &o->sr_star, &err);
			break;
		case O_STATS:
			o->stats = optarg;
			break;
		case 'T':
			bad = tl_parse_long("--threads", optarg, 0, MAX_THREADS,
			    &o->threads, &err);
			break;
		case O_THRESHOLD:
			bad = tl_parse_double("--threshold", optarg, 0, 1e6,
			    &o->chk.threshold, &err);
			break;
		case O_TRIALS:
			bad = tl_parse_long("--trials", optarg, 2, LONG_MAX,
			    &o->trials, &err);
			break;
		case O_TRIALS_VAR:
			bad = tl_parse_double("--trials-var", optarg, 0, 1e6,
			    &o->trials_var, &err);
			break;
		case 'V':
			tl_version_exit();
		case 'w':
			bad = tl_parse_long("--window", optarg, 3, 100000,
			    &o->chk.window, &err);
			break;
		}
		if (bad)
			tl_usage_error("%s: %s", err.where, err.msg);
	}
	o->cmd = (enum cmd)tl_command(argc, argv, optind, cmds, 3);
	o->inputs = argv + optind + 1;
	o->ninputs = argc - optind - 1;
	if (o->cmd != C_PBO && o->ninputs > 0)
		tl_usage_error("%s takes no file operands (got '%s')", cmds[o->cmd],
		    o->inputs[0]);
	f[0] = (struct tl_opt_file){ "--returns", o->returns };
	f[1] = (struct tl_opt_file){ "--promotions", o->promotions };
	f[2] = (struct tl_opt_file){ "--ack", o->ack };
	f[3] = (struct tl_opt_file){ "--runs", o->runs };
	tl_opt_inputs(f, TL_NELEM(f), o->inputs, o->ninputs, o->cmd == C_PBO,
	    usage);
	if (o->cmd == C_CHECK) {
		if (o->returns == NULL || o->promotions == NULL)
			tl_usage_error("check needs --returns FILE and "
			    "--promotions FILE");
		if (o->trials > 0 && o->runs == NULL && isnan(o->trials_var))
			tl_usage_error("--trials needs --trials-var (or "
			    "--runs for the variance)");
		if (!isnan(o->trials_var) && o->runs == NULL && o->trials == 0)
			tl_usage_error("--trials-var needs --trials (or "
			    "--runs for the count)");
	}
	if (o->cmd == C_SHARPE) {
		if (!o->have_sharpe || !o->have_n)
			tl_usage_error("sharpe needs --sharpe SR and --n T");
		if ((o->trials > 0) != !isnan(o->trials_var))
			tl_usage_error("--trials and --trials-var go together");
	}
}


static int
write_records(const char *path, json_t *arr, struct tl_err *err)
{
	struct tl_out *out;
	size_t i;
	int rc = 0;

	if ((out = tl_out_open(path, TL_FMT_AUTO, err)) == NULL)
		return -1;
	for (i = 0; i < json_array_size(arr) && rc == 0; i++)
		rc = tl_out_write(out, json_array_get(arr, i), err);
	if (rc == 0)
		return tl_out_close(out, err);
	tl_out_abort(out);
	return -1;
}

/* ---- check ------------------------------------------------------------ */

/* The warnings of a promotion evaluated, in the order check finds them;
 * 0 when it has no returns (nothing more to say). */
static int
promotion_warnings(const struct opts *o, const struct tl_overfit_check *c,
    const struct tl_overfit_eval *e)
{
	const struct tl_overfit_promo *p = e->pr;
	const char *last = c->pn.dates[c->pn.ndates - 1];

	if (e->col < 0) {
		if (!o->quiet)
			tl_warn("%s: strategy '%s' has no returns", p->where,
			    p->strategy);
		return 0;
	}
	if (o->quiet)
		return 1;
	if (e->oos_n == 0)
		tl_warn("%s: strategy '%s' promoted %s, after its last return "
		    "(%s): nothing out of sample yet", p->where, p->strategy,
		    p->date, last != NULL ? last : "");
	else if (e->is_src == NULL)
		tl_warn("%s: strategy '%s': no in-sample Sharpe ratio (fewer "
		    "than %ld days of returns before %s%s): no decay check",
		    p->where, p->strategy, o->chk.is_min, p->date,
		    isnan(p->given) ? "" : p->given_days > 0 ? ", and the "
		    "given one is not usable" : ", and the period of the given "
		    "one is unknown: --runs or --run-days");
	else if (e->oos_n >= 2 && isnan(e->live.sharpe))
		tl_warn("strategy '%s': zero variance since its promotion: no "
		    "Sharpe ratio", p->strategy);
	return 1;
}

/* Count the alerts by severity, unacknowledged; *fail at --fail-on. */
static void
tally(const struct opts *o, const struct tl_overfit_check *c,
    json_t *alerts, int *fail)
{
	size_t i, j, nun = 0, nack = 0, nsev[3] = { 0 };
	json_t *a;

	for (i = 0; i < json_array_size(alerts); i++) {
		a = json_array_get(alerts, i);
		if (json_is_true(json_object_get(a, "acknowledged"))) {
			nack++;
			continue;
		}
		j = (size_t)tl_overfit_sev_parse(json_string_value(
		    json_object_get(a, "severity")));
		nsev[j]++;
		nun++;
		if (o->fail_on != TL_SEV_NONE && (int)j >= (int)o->fail_on)
			*fail = 1;
	}
	if (!o->quiet)
		tl_msg("%zu promoted, %zu alert%s (high %zu, medium %zu, low "
		    "%zu), %zu acknowledged", c->pr.n, nun, nun == 1 ? "" : "s",
		    nsev[TL_SEV_HIGH], nsev[TL_SEV_MEDIUM], nsev[TL_SEV_LOW],
		    nack);
}

static int
cmd_check(const struct opts *o, int *fail, struct tl_err *err)
{
	struct tl_overfit_check c = { .o = &o->chk };
	struct tl_panel_opts po = { .fmt = o->ifmt };
	struct tl_overfit_eval *e;
	json_t *alerts = NULL, *stats = NULL;
	size_t i, j;
	char *paths[1] = { (char *)o->returns };
	int rc = -1;

	if (tl_panel_read(&c.pn, paths, 1, &po, err) == -1 ||
	    (o->runs != NULL && tl_overfit_runs_read(o->runs, o->run_days,
	    &c.runs, err) == -1) || tl_overfit_promos_read(o->promotions,
	    o->run_days, &c.runs, &c.pr, err) == -1 || (o->ack != NULL &&
	    tl_overfit_acks_read(o->ack, &c.acks, err) == -1))
		goto out;
	tl_overfit_check_prepare(&c, o->trials, o->trials_var);
	if (o->runs != NULL && c.runs.n < 2 && o->trials == 0 && !o->quiet)
		tl_warn("%s: fewer than 2 runs with metrics.sharpe: no DSR",
		    o->runs);
	for (j = 0; j < c.pn.nseries && !o->quiet; j++)
		if (c.ev[j].all.n >= 2 && c.ev[j].all.sd == 0)
			tl_warn("strategy '%s': zero variance over its %zu "
			    "days: no Sharpe ratio", c.pn.names[j],
			    c.ev[j].all.n);
	alerts = json_array();
	for (i = 0; i < c.pr.n; i++) {
		e = tl_overfit_check_promotion(&c, i);
		if (promotion_warnings(o, &c, e))
			tl_overfit_alerts(&c, e, alerts);
	}
	if (o->stats != NULL) {
		stats = json_array();
		for (j = 0; j < c.pn.nseries; j++)
			json_array_append_new(stats, tl_overfit_stats_row(&c,
			    &c.ev[j], c.pn.names[j]));
		if (write_records(o->stats, stats, err) == -1)
			goto out;
	}
	if (write_records(o->output, alerts, err) == -1)
		goto out;
	tally(o, &c, alerts, fail);
	rc = 0;
out:
	json_decref(stats);
	json_decref(alerts);
	tl_overfit_check_release(&c);
	return rc;
}

/* ---- pbo -------------------------------------------------------------- */


/* One warning for the candidates pbo --constant drop left out: their
 * names, the first ten. */
static void
warn_constant(const json_t *names)
{
	struct tl_buf b;
	size_t i, n = json_array_size(names);

	tl_buf_init(&b);
	for (i = 0; i < n && i < 10; i++)
		tl_buf_printf(&b, "%s'%s'", i > 0 ? ", " : "",
		    json_string_value(json_array_get(names, i)));
	if (n > 10)
		tl_buf_printf(&b, " and %zu more", n - 10);
	tl_warn("%zu candidate%s without variance left out (no Sharpe "
	    "ratio): %s", n, n == 1 ? "" : "s", b.data);
	tl_buf_release(&b);
}

static int
cmd_pbo(const struct opts *o, int *fail, struct tl_err *err)
{
	struct tl_panel pn = { 0 };
	struct tl_panel_opts po = { .fmt = o->ifmt };
	struct tl_pbo r = { 0 };
	struct tl_progress *pr = NULL;
	double ncomb = 1;
	struct tl_out *out = NULL;
	struct tl_moments mom;
	struct tl_overfit_dist lgd;
	double *m = NULL, x;
	size_t t, j, rows = 0, n;
	json_t *v = NULL, *lg, *constant = json_array();
	long threads = o->threads;
	int rc = -1, any;

	if (tl_panel_read(&pn, o->inputs, o->ninputs, &po, err) == -1)
		goto out;
	n = pn.nseries;
	if (n < 2) {
		tl_err_set(err, TL_EX_DATAERR, NULL, 0, "%zu candidate%s: "
		    "CSCV ranks candidates against each other and needs at "
		    "least 2", n, n == 1 ? "" : "s");
		goto out;
	}
	m = tl_xcalloc(pn.ndates * n + 1, sizeof(double));
	for (t = 0; t < pn.ndates; t++) {
		for (j = 0, any = 0; j < n; j++)
			any |= isnan(pn.x[t * n + j]);
		if (any && !o->fill_zero)
			continue;
		for (j = 0; j < n; j++) {
			x = pn.x[t * n + j];
			m[rows * n + j] = isnan(x) ? 0 : x;
		}
		rows++;
	}
	if (!o->quiet && rows < pn.ndates)
		tl_warn("%zu of %zu days dropped: a candidate has no return "
		    "on them (--fill-zero counts them as 0)",
		    pn.ndates - rows, pn.ndates);
	if (rows < (size_t)o->partitions) {
		tl_err_set(err, TL_EX_DATAERR, NULL, 0, "%ld partitions need "
		    "at least %ld days with every candidate, have %zu", 
		    o->partitions, o->partitions, rows);
		goto out;
	}
	if (o->metric == TL_PBO_SHARPE) {
		double *col = tl_xcalloc(rows, sizeof(double));
		size_t first = rows % (size_t)o->partitions, k = 0;

		/* over the days CSCV uses; with --constant drop such a
		 * candidate's column is left out of m (kept in order) */
		for (j = 0; j < n; j++) {
			for (t = first; t < rows; t++)
				col[t - first] = m[t * n + j];
			tl_moments(col, rows - first, &mom);
			if (mom.sd == 0 && !o->drop_constant) {
				free(col);
				tl_err_set(err, TL_EX_DATAERR, NULL, 0,
				    "candidate '%s' has zero variance: no "
				    "Sharpe ratio (--constant drop leaves it "
				    "out, or --metric mean)", pn.names[j]);
				goto out;
			}
			if (mom.sd == 0) {
				json_array_append_new(constant,
				    json_string(pn.names[j]));
				continue;
			}
			for (t = 0; t < rows; t++)
				m[t * n + k] = m[t * n + j];
			k++;
		}
		free(col);
		if (k < n && !o->quiet)
			warn_constant(constant);
		if (k < n) {	/* rows of k columns, packed */
			for (t = 0; t < rows; t++)
				memmove(m + t * k, m + t * n, k * sizeof(double));
			n = k;
		}
		if (n < 2) {
			tl_err_set(err, TL_EX_DATAERR, NULL, 0, "%zu candidate%s "
			    "with variance: CSCV needs at least 2", n,
			    n == 1 ? "" : "s");
			goto out;
		}
	}
	threads = tl_threads(threads, MAX_THREADS);
	for (j = 0; j < (size_t)o->partitions / 2; j++)	/* C(S, S/2) */
		ncomb = ncomb * (double)((size_t)o->partitions - j) /
		    (double)(j + 1);
	pr = tl_progress_start("pbo", "splits", round(ncomb),
	    (round(ncomb) >= PROGRESS_COMBS || o->progress ==
	    TL_PROGRESS_ON) && tl_progress_wanted(o->progress, o->quiet));
	rc = tl_pbo_cscv(m, rows, n, (size_t)o->partitions, o->metric,
	    (int)threads, pr, &r, err);
	tl_progress_end(pr);
	if (rc == -1)
		goto out;
	rc = -1;
	tl_overfit_logit_summary(r.logit, r.ncomb, &lgd);
	v = json_pack("{s:s,s:i,s:s,s:I,s:I,s:I,s:I,s:I}", "format",
	    PBO_FORMAT, "version", FORMAT_VERSION, "metric",
	    o->metric == TL_PBO_SHARPE ? "sharpe" : "mean", "partitions",
	    (json_int_t)o->partitions, "combinations", (json_int_t)r.ncomb,
	    "candidates", (json_int_t)n, "periods", (json_int_t)rows,
	    "periods_dropped", (json_int_t)r.dropped);
	json_object_set_new(v, "first", json_string(rows > 0 ?
	    pn.dates[0] : ""));
	json_object_set_new(v, "last", json_string(pn.dates[pn.ndates - 1]));
	json_object_set_new(v, "gaps", json_string(o->fill_zero ? "zero" :
	    "drop"));
	if (o->drop_constant)	/* the candidates left out */
		json_object_set(v, "constant", constant);
	json_object_set_new(v, "pbo", tl_json_num(r.pbo));
	lg = json_object();
	json_object_set_new(lg, "mean", tl_json_num(lgd.mean));
	json_object_set_new(lg, "sd", tl_json_num(lgd.sd));
	json_object_set_new(lg, "min", tl_json_num(lgd.min));
	json_object_set_new(lg, "q25", tl_json_num(lgd.q25));
	json_object_set_new(lg, "median", tl_json_num(r.logit_median));
	json_object_set_new(lg, "q75", tl_json_num(lgd.q75));
	json_object_set_new(lg, "max", tl_json_num(lgd.max));
	json_object_set_new(v, "logit", lg);
	json_object_set_new(v, "degradation", json_pack("{s:o,s:o,s:o}",
	    "slope", tl_json_num(r.slope), "intercept",
	    tl_json_num(r.intercept), "r2", tl_json_num(r.r2)));
	json_object_set_new(v, "p_loss", tl_json_num(r.p_loss));
	if ((out = tl_out_open(o->output, TL_FMT_JSONL, err)) == NULL)
		goto out;
	if (tl_out_write(out, v, err) == -1) {
		tl_out_abort(out);
		goto out;
	}
	if (tl_out_close(out, err) == -1)
		goto out;
	if (!isnan(o->max_pbo) && r.pbo > o->max_pbo)
		*fail = 1;
	if (!o->quiet) {
		char b[TL_NUM_BUFSZ];

		tl_fmt_double(b, r.pbo);
		tl_msg("PBO %s over %zu candidates, %zu days, %zu "
		    "combinations", b, n, rows, r.ncomb);
	}
	rc = 0;
out:
	json_decref(v);
	json_decref(constant);
	free(m);
	tl_pbo_release(&r);
	tl_panel_free(&pn);
	return rc;
}

/* ---- sharpe: the formulas on given figures ---------------------------- */

static int
cmd_sharpe(const struct opts *o, struct tl_err *err)
{
	struct tl_out *out;
	double k = o->annual > 0 ? (double)o->annual : 1;
	double sr = o->sharpe / sqrt(k), star = o->sr_star / sqrt(k);
	double var = o->trials_var / k, mintrl, sr0 = NAN, dsr = NAN;
	json_t *v;
	int rc;

	mintrl = tl_min_trl(sr, star, o->chk.level, o->skew, o->kurt);
	v = json_object();
	json_object_set_new(v, "sharpe", tl_json_num(sr));
	json_object_set_new(v, "n", tl_json_num(o->n_obs));
	json_object_set_new(v, "skew", tl_json_num(o->skew));
	json_object_set_new(v, "kurt", tl_json_num(o->kurt));
	json_object_set_new(v, "sr_star", tl_json_num(star));
	json_object_set_new(v, "psr", tl_json_num(tl_psr(sr, star, o->n_obs,
	    o->skew, o->kurt)));
	json_object_set_new(v, "level", tl_json_num(o->chk.level));
	json_object_set_new(v, "mintrl", tl_json_num(mintrl));
	if (o->annual > 0)
		json_object_set_new(v, "mintrl_years", tl_json_num(mintrl / k));
	if (o->trials > 0) {
		dsr = tl_dsr(sr, o->n_obs, o->skew, o->kurt,
		    (double)o->trials, 0, var, &sr0);
		json_object_set_new(v, "trials", json_integer(o->trials));
		json_object_set_new(v, "trials_var", tl_json_num(var));
		json_object_set_new(v, "expected_max",
		    tl_json_num(tl_expected_max((double)o->trials)));
		json_object_set_new(v, "sr0", tl_json_num(sr0));
		json_object_set_new(v, "dsr", tl_json_num(dsr));
	}
	if (o->annual > 0)
		json_object_set_new(v, "periods_per_year",
		    json_integer(o->annual));
	if ((out = tl_out_open(o->output, TL_FMT_JSONL, err)) == NULL) {
		json_decref(v);
		return -1;
	}
	rc = tl_out_write(out, v, err);
	rc = rc == 0 ? tl_out_close(out, err) : (tl_out_abort(out), -1);
	json_decref(v);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct opts o = { .chk = { .baseline = TL_BASELINE_AUTO, .days = 5,
	    .is_min = 5, .is_window = 60, .level = 0.95, .ppy = 252,
	    .threshold = 0.5, .window = 20 }, .fail_on = TL_SEV_NONE,
	    .kurt = 3, .max_pbo = NAN, .metric = TL_PBO_SHARPE,
	    .partitions = 16, .trials_var = NAN };
	struct tl_err err = { 0 };
	int rc, fail = 0, status = TL_EX_OK;

	tl_init("tl-overfit");
	parse_args(argc, argv, &o);
	if (o.cmd == C_CHECK)
		rc = cmd_check(&o, &fail, &err);
	else if (o.cmd == C_PBO)
		rc = cmd_pbo(&o, &fail, &err);
	else
		rc = cmd_sharpe(&o, &err);
	if (rc == -1)
		status = tl_report(&err);
	else if (fail)
		status = TL_EX_FALSE;
	return tl_exit_status(status);
}
