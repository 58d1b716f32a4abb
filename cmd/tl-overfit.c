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
#define MS_DAY		86400000LL

enum cmd { C_CHECK, C_PBO, C_SHARPE };
enum baseline { B_AUTO, B_RETURNS, B_GIVEN };

/* --baseline */
static const struct baseline_name {
	const char	*name;		/* the word */
	enum baseline	 b;		/* the in-sample figure's source */
} baselines[] = {
	{ "auto", B_AUTO }, { "returns", B_RETURNS }, { "given", B_GIVEN }
};

/* pbo --metric */
static const struct metric_name {
	const char	*name;		/* the word */
	enum tl_pbo_metric m;		/* the performance of a block */
} metrics[] = { { "sharpe", TL_PBO_SHARPE }, { "mean", TL_PBO_MEAN } };

/* Severities in increasing order; actions by alert. */
enum sev { SEV_NONE = -1, SEV_LOW, SEV_MEDIUM, SEV_HIGH };
static const char *const sev_names[] = { "low", "medium", "high" };

/* Long-only options. */
enum {
	O_ACK = 256, O_BASELINE, O_DAYS, O_FAIL_ON, O_FILL_ZERO, O_IS_MIN,
	O_IS_WINDOW, O_KURT, O_MAX_PBO, O_METRIC, O_NOPROGRESS, O_PARTITIONS,
	O_PPY, O_PROGRESS, O_PROMOTIONS, O_RUN_DAYS, O_RUNS, O_SHARPE, O_SKEW,
	O_SR_STAR, O_STATS, O_THRESHOLD, O_TRIALS, O_TRIALS_VAR, O_ANNUAL, O_N
};

/* pbo draws progress for this many combinations and more */
#define PROGRESS_COMBS	100000

struct opts {
	enum cmd	 cmd;		/* check, pbo or sharpe */
	const char	*ack;		/* --ack FILE */
	long		 annual;	/* sharpe: inputs annualised by K */
	enum baseline	 baseline;	/* in-sample figure's source */
	long		 days;		/* --days: consecutive days */
	enum sev	 fail_on;	/* exit 1 at this severity or worse */
	int		 fill_zero;	/* pbo: missing cells are 0 */
	long		 is_min;	/* fewest in-sample days from returns */
	long		 is_window;	/* in-sample days before promotion */
	enum tl_fmt	 ifmt;		/* -i: returns, pbo inputs; AUTO */
	double		 kurt;		/* sharpe: gamma4 */
	double		 level;		/* PSR/DSR/MinTRL confidence */
	double		 max_pbo;	/* pbo: exit 1 above; NaN off */
	enum tl_pbo_metric metric;	/* pbo: sharpe or mean */
	double		 n_obs;		/* sharpe: T */
	const char	*output;	/* -o */
	long		 partitions;	/* --partitions */
	enum tl_progress_opt progress;	/* --progress, --no-progress */
	long		 ppy;		/* periods per year, display only */
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
	double		 threshold;	/* decay threshold */
	long		 trials;	/* --trials N, 0: from runs */
	double		 trials_var;	/* --trials-var, NaN: from runs */
	long		 window;	/* rolling window, days */
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
"                  [--fill-zero] [--max-pbo P] [--metric M]\n"
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

/* The severity named s, or SEV_NONE. */
static enum sev
sev_parse(const char *s)
{
	return (enum sev)tl_table_find(sev_names, TL_NELEM(sev_names),
	    sizeof(sev_names[0]), s);
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
			o->baseline = baselines[TL_PARSE_WORD("--baseline",
			    optarg, baselines)].b;
			break;
		case O_DAYS:
			bad = tl_parse_long("--days", optarg, 1, 100000,
			    &o->days, &err);
			break;
		case O_FAIL_ON:
			o->fail_on = (enum sev)TL_PARSE_WORD("--fail-on",
			    optarg, sev_names);
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
			    &o->is_min, &err);
			break;
		case O_IS_WINDOW:
			bad = tl_parse_long("--is-window", optarg, 2, 1000000,
			    &o->is_window, &err);
			break;
		case O_KURT:
			bad = tl_parse_double("--kurt", optarg, 1, 1e6,
			    &o->kurt, &err);
			break;
		case 'l':
			bad = tl_parse_double("--level", optarg, 0.5, 0.999999,
			    &o->level, &err);
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
			    100000, &o->ppy, &err);
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
			    &o->threshold, &err);
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
			    &o->window, &err);
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

/* ---- small helpers ---------------------------------------------------- */

static json_t *
num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static double
sharpe_of(const double *x, size_t n)
{
	struct tl_moments m;

	tl_moments(x, n, &m);
	return m.sharpe;
}

/* Weekdays in [a, b] (days since 1970-01-01, a Thursday). */
static long
weekdays(int64_t a, int64_t b)
{
	long n = 0;
	int64_t d;

	for (d = a; d <= b; d++)
		n += ((d + 3) % 7 + 7) % 7 < 5;	/* 0 = Monday */
	return n;
}

/* Days since 1970 of a date/time text; -1 if not one. */
static int
text_day(const char *s, int64_t *day, int64_t *ms)
{
	int64_t t;

	if (s == NULL || tl_time_parse(s, strlen(s), &t) == -1)
		return -1;
	if (ms != NULL)
		*ms = t;
	*day = t >= 0 ? t / MS_DAY : -((-t + MS_DAY - 1) / MS_DAY);
	return 0;
}

/* ---- runs: the trials behind the promotions -------------------------- */

struct runs {
	struct tl_map	*days;		/* run id -> trading days + 1 */
	double		*sr;		/* per-day Sharpe ratio of each trial */
	size_t		 n, cap;
};

static void
runs_release(struct runs *r)
{
	tl_map_free(r->days);
	free(r->sr);
	memset(r, 0, sizeof(*r));
}

/* Read runs.jsonl: each run with a finite metrics.sharpe is a trial; its
 * Sharpe ratio goes per day by the trading days it covers (weekdays from
 * start to end, or --run-days). */
static int
runs_read(const struct opts *o, struct runs *r, struct tl_err *err)
{
	struct tl_records *rs;
	json_t *rec, *m;
	const char *id, *s0, *s1;
	int64_t d0, d1;
	double sr;
	long days;
	int rc = 0;

	r->days = tl_map_alloc();
	if ((rs = tl_records_open(o->runs, TL_FMT_AUTO, err)) == NULL)
		return -1;
	while (rc == 0 && (rc = tl_records_next(rs, &rec, err)) == 1) {
		const char *name = tl_records_name(rs);
		unsigned long line = tl_records_line(rs);

		rc = 0;
		id = json_string_value(json_object_get(rec, "id"));
		s0 = json_string_value(json_object_get(rec, "start"));
		s1 = json_string_value(json_object_get(rec, "end"));
		days = o->run_days;
		if (days == 0 && s0 != NULL && s1 != NULL &&
		    text_day(s0, &d0, NULL) == 0 &&
		    text_day(s1, &d1, NULL) == 0 && d1 >= d0)
			days = weekdays(d0, d1);
		m = json_object_get(rec, "metrics");
		if (json_is_object(m) && tl_json_get_number(m, "sharpe", &sr,
		    name, line, err) == 1) {
			if (days <= 0)
				rc = tl_err_set(err, TL_EX_DATAERR, name, line,
				    "run without start and end dates: give "
				    "--run-days (the trading days behind its "
				    "sharpe)");
			else {
				if (r->n == r->cap) {
					r->cap = r->cap ? 2 * r->cap : 256;
					r->sr = tl_xreallocarray(r->sr, r->cap,
					    sizeof(double));
				}
				r->sr[r->n++] = sr / sqrt((double)days);
			}
		} else if (err->code != 0)
			rc = -1;
		if (rc == 0 && id != NULL && days > 0)
			*tl_map_put(r->days, id, strlen(id), NULL) =
			    (uintptr_t)days + 1;
		json_decref(rec);
	}
	tl_records_free(rs);
	return rc == -1 ? -1 : 0;
}

/* ---- promotions and acks ---------------------------------------------- */

struct promo {
	char	*strategy;	/* id */
	char	 date[16];	/* UTC date of the promotion */
	int64_t	 ms;		/* its time */
	double	 given;		/* in_sample.sharpe, NaN if absent */
	long	 given_days;	/* trading days behind it, 0 unknown */
	char	 where[64];	/* file:line for messages */
};

struct promos {
	struct promo	*v;
	size_t		 n, cap;
};

static void
promos_release(struct promos *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i].strategy);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static int
cmp_promo(const void *a, const void *b)
{
	const struct promo *x = a, *y = b;
	int c = strcmp(x->strategy, y->strategy);

	if (c != 0)
		return c;
	return x->ms < y->ms ? -1 : x->ms > y->ms;
}

/* Read the promotions; a strategy promoted twice keeps its latest, which
 * restarts its out-of-sample clock. */
static int
promos_read(const struct opts *o, const struct runs *runs, struct promos *p,
    struct tl_err *err)
{
	struct tl_records *rs;
	struct promo *q;
	json_t *rec, *is;
	const char *s, *ts, *run;
	uintptr_t *slot;
	int64_t day;
	size_t i, k;
	int rc = 0;

	if ((rs = tl_records_open(o->promotions, TL_FMT_AUTO, err)) == NULL)
		return -1;
	while (rc == 0 && (rc = tl_records_next(rs, &rec, err)) == 1) {
		const char *name = tl_records_name(rs);
		unsigned long line = tl_records_line(rs);

		rc = 0;
		s = ts = NULL;
		if (tl_json_get_string(rec, "strategy", &s, name, line,
		    err) != 1 || tl_json_get_string(rec, "ts", &ts, name, line,
		    err) != 1) {
			if (err->code == 0)
				tl_err_set(err, TL_EX_DATAERR, name, line,
				    "field '%s': missing", s == NULL ?
				    "strategy" : "ts");
			rc = -1;
			json_decref(rec);
			break;
		}
		if (p->n == p->cap) {
			p->cap = p->cap ? 2 * p->cap : 64;
			p->v = tl_xreallocarray(p->v, p->cap, sizeof(*p->v));
		}
		q = &p->v[p->n];
		memset(q, 0, sizeof(*q));
		if (text_day(ts, &day, &q->ms) == -1) {
			rc = tl_err_set(err, TL_EX_DATAERR, name, line,
			    "field 'ts': '%s' is not a time", ts);
			json_decref(rec);
			break;
		}
		tl_time_format_date(q->date, q->ms);
		q->strategy = tl_xstrdup(s);
		snprintf(q->where, sizeof(q->where), "%s:%lu", name, line);
		q->given = NAN;
		is = json_object_get(rec, "in_sample");
		if (json_is_object(is) && tl_json_get_number(is, "sharpe",
		    &q->given, name, line, err) == -1) {
			free(q->strategy);
			rc = -1;
			json_decref(rec);
			break;
		}
		q->given_days = o->run_days;
		run = json_string_value(json_object_get(rec, "run_id"));
		if (q->given_days == 0 && run != NULL && runs->days != NULL &&
		    (slot = tl_map_get(runs->days, run, strlen(run))) != NULL)
			q->given_days = (long)*slot - 1;
		p->n++;
		json_decref(rec);
	}
	tl_records_free(rs);
	if (rc == -1)
		return -1;
	if (p->n > 0)	/* qsort(NULL, 0, ...) is undefined */
		qsort(p->v, p->n, sizeof(*p->v), cmp_promo);
	/* keep the last promotion of each strategy */
	for (i = k = 0; i < p->n; i++) {
		if (i + 1 < p->n && strcmp(p->v[i].strategy,
		    p->v[i + 1].strategy) == 0) {
			free(p->v[i].strategy);
			continue;
		}
		p->v[k++] = p->v[i];
	}
	p->n = k;
	return 0;
}

struct ack {
	char	*strategy;
	char	*kind;
	int64_t	 ms;		/* acknowledged_at */
	enum sev sev;		/* the severity acknowledged */
};

struct acks {
	struct ack	*v;
	size_t		 n, cap;
};

static void
acks_release(struct acks *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->v[i].strategy);
		free(a->v[i].kind);
	}
	free(a->v);
	memset(a, 0, sizeof(*a));
}

static int
acks_read(const char *path, struct acks *a, struct tl_err *err)
{
	struct tl_records *rs;
	json_t *rec;
	const char *f[4];
	static const char *keys[4] = { "strategy", "kind", "acknowledged_at",
	    "severity" };
	int64_t day, ms;
	enum sev sev;
	int i, rc = 0;

	if ((rs = tl_records_open(path, TL_FMT_AUTO, err)) == NULL)
		return -1;
	while (rc == 0 && (rc = tl_records_next(rs, &rec, err)) == 1) {
		const char *name = tl_records_name(rs);
		unsigned long line = tl_records_line(rs);

		rc = 0;
		for (i = 0; i < 4 && rc == 0; i++) {
			f[i] = NULL;
			if (tl_json_get_string(rec, keys[i], &f[i], name, line,
			    err) != 1)
				rc = err->code != 0 ? -1 : tl_err_set(err,
				    TL_EX_DATAERR, name, line,
				    "field '%s': missing", keys[i]);
		}
		if (rc == 0 && text_day(f[2], &day, &ms) == -1)
			rc = tl_err_set(err, TL_EX_DATAERR, name, line,
			    "field 'acknowledged_at': '%s' is not a time", f[2]);
		if (rc == 0 && (sev = sev_parse(f[3])) == SEV_NONE)
			rc = tl_err_set(err, TL_EX_DATAERR, name, line,
			    "field 'severity': unknown '%s' (low, medium or "
			    "high)", f[3]);
		if (rc == 0) {
			if (a->n == a->cap) {
				a->cap = a->cap ? 2 * a->cap : 64;
				a->v = tl_xreallocarray(a->v, a->cap,
				    sizeof(*a->v));
			}
			a->v[a->n++] = (struct ack){ tl_xstrdup(f[0]),
			    tl_xstrdup(f[1]), ms, sev };
		}
		json_decref(rec);
	}
	tl_records_free(rs);
	return rc == -1 ? -1 : 0;
}

/* The ack that covers an alert: same strategy and kind, made during the
 * alert's current episode (at or after the day it started), at the
 * alert's severity or above.  So an alert that gets worse, or clears
 * and fires again, is news. */
static const struct ack *
acked(const struct acks *a, const char *strategy, const char *kind,
    enum sev sev, const char *since)
{
	int64_t day, ms;
	size_t i;

	if (text_day(since, &day, &ms) == -1)
		return NULL;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].strategy, strategy) == 0 &&
		    strcmp(a->v[i].kind, kind) == 0 && a->v[i].sev >= sev &&
		    a->v[i].ms >= ms)
			return &a->v[i];
	return NULL;
}

/* ---- check ------------------------------------------------------------ */

/* Debounced alert state over a run of daily conditions (1 true, 0 not):
 * it fires once the condition has held `need` consecutive days and
 * clears once it has failed `need` consecutive days.  Returns 1 if
 * active after the last day, with *since the first day of the run that
 * fired it. */
static int
episode(const signed char *cond, size_t m, size_t need, size_t *since)
{
	size_t i, run = 0, below = 0, start = 0;
	int active = 0;

	for (i = 0; i < m; i++) {
		if (cond[i] > 0) {
			if (run++ == 0)
				start = i;
			below = 0;
			if (!active && run >= need) {
				active = 1;
				*since = start;
			}
		} else {
			run = 0;
			if (active && ++below >= need)
				active = 0;
		}
	}
	return active;
}

/* Running moments (Terriberry's update) for an expanding window. */
struct run_mom {
	double	n, mean, m2, m3, m4;
};

static void
run_mom_add(struct run_mom *r, double x)
{
	double n1 = r->n, d, dn, dn2, t1;

	r->n += 1;
	d = x - r->mean;
	dn = d / r->n;
	dn2 = dn * dn;
	t1 = d * dn * n1;
	r->mean += dn;
	r->m4 += t1 * dn2 * (r->n * r->n - 3 * r->n + 3) + 6 * dn2 * r->m2 -
	    4 * dn * r->m3;
	r->m3 += t1 * dn * (r->n - 2) - 3 * dn * r->m2;
	r->m2 += t1;
}

static void
run_mom_get(const struct run_mom *r, struct tl_moments *m)
{
	m->n = (size_t)r->n;
	m->mean = r->mean;
	m->sd = m->skew = m->kurt = m->sharpe = NAN;
	if (r->n < 2 || !(r->m2 > 0))
		return;
	m->sd = sqrt(r->m2 / (r->n - 1));
	m->skew = sqrt(r->n) * r->m3 / pow(r->m2, 1.5);
	m->kurt = r->n * r->m4 / (r->m2 * r->m2);
	m->sharpe = m->mean / m->sd;
}

/* Everything check finds about one strategy. */
struct eval {
	long		 col;		/* panel column or -1 */
	const struct promo *pr;		/* its promotion or NULL */
	struct tl_moments all;		/* whole record */
	double		 psr, dsr, sr0, mintrl;	/* whole record */
	/* promoted only */
	double		 is_sr;		/* in-sample Sharpe per day */
	const char	*is_src;	/* "returns", "given" or NULL */
	struct tl_moments is;		/* in-sample moments (returns) */
	size_t		 oos_n;		/* live days */
	const char	*oos_first;	/* first live date */
	double		 roll_sr;	/* last rolling Sharpe */
	double		 decay;		/* last decay */
	int		 decay_on;	/* decay alert active */
	const char	*decay_since;
	size_t		 decay_days;	/* evaluated days in the episode */
	struct tl_moments live;		/* whole live record */
	double		 live_psr;
	int		 psr_on;
	const char	*psr_since;
	double		 live_mintrl;
	double		 is_dsr, is_sr0;
};

struct check {
	const struct opts *o;
	struct tl_panel	 pn;
	struct runs	 runs;
	struct promos	 pr;
	struct acks	 acks;
	double		 trials, trials_var;	/* NaN when unknown */
	struct eval	*ev;		/* per panel column */
	double		*buf;		/* ndates scratch */
	size_t		*idx;		/* ndates scratch */
	signed char	*cond;		/* ndates scratch */
};

/* Values of column j in dates [d0, d1): into c->buf, their date indices
 * into c->idx; returns their number. */
static size_t
column(struct check *c, size_t j, size_t d0, size_t d1)
{
	size_t t, n = 0;
	double x;

	for (t = d0; t < d1; t++)
		if (!isnan(x = c->pn.x[t * c->pn.nseries + j])) {
			c->buf[n] = x;
			c->idx[n++] = t;
		}
	return n;
}

/* The first date index >= date. */
static size_t
date_lower(const struct tl_panel *p, const char *date)
{
	size_t lo = 0, hi = p->ndates, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (strcmp(p->dates[mid], date) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
eval_whole(struct check *c, struct eval *e)
{
	const struct opts *o = c->o;
	size_t n = column(c, (size_t)e->col, 0, c->pn.ndates);

	tl_moments(c->buf, n, &e->all);
	e->psr = tl_psr(e->all.sharpe, 0, (double)n, e->all.skew,
	    e->all.kurt);
	e->mintrl = e->all.sharpe > 0 ? tl_min_trl(e->all.sharpe, 0,
	    o->level, e->all.skew, e->all.kurt) : NAN;
	e->dsr = e->sr0 = NAN;
	if (!isnan(c->trials))
		e->dsr = tl_dsr(e->all.sharpe, (double)n, e->all.skew,
		    e->all.kurt, c->trials, 0, c->trials_var, &e->sr0);
}

/* The in-sample Sharpe ratio of a promoted strategy, per day. */
static void
eval_baseline(struct check *c, struct eval *e, size_t pday)
{
	const struct opts *o = c->o;
	const struct promo *p = e->pr;
	size_t n = 0;

	e->is_sr = NAN;
	e->is_src = NULL;
	memset(&e->is, 0, sizeof(e->is));
	e->is_dsr = e->is_sr0 = NAN;
	if (o->baseline != B_GIVEN && e->col >= 0) {
		/* the last is_window days with a value before the promotion */
		n = column(c, (size_t)e->col, 0, pday);
		if (n > (size_t)o->is_window) {
			memmove(c->buf, c->buf + n - (size_t)o->is_window,
			    (size_t)o->is_window * sizeof(double));
			n = (size_t)o->is_window;
		}
		if (n >= (size_t)o->is_min) {
			tl_moments(c->buf, n, &e->is);
			if (!isnan(e->is.sharpe)) {
				e->is_sr = e->is.sharpe;
				e->is_src = "returns";
				if (!isnan(c->trials))
					e->is_dsr = tl_dsr(e->is.sharpe,
					    (double)n, e->is.skew, e->is.kurt,
					    c->trials, 0, c->trials_var,
					    &e->is_sr0);
				return;
			}
		}
	}
	if (o->baseline != B_RETURNS && !isnan(p->given) &&
	    p->given_days > 0) {
		e->is_sr = p->given / sqrt((double)p->given_days);
		e->is_src = "given";
	}
}

static void
eval_promoted(struct check *c, struct eval *e)
{
	const struct opts *o = c->o;
	const struct promo *p = e->pr;
	struct run_mom rm = { 0 };
	struct tl_moments m;
	size_t pday, n, i, w = (size_t)o->window, since;
	double sr, d;

	pday = date_lower(&c->pn, p->date);
	eval_baseline(c, e, pday);
	e->roll_sr = e->decay = e->live_psr = e->live_mintrl = NAN;
	e->oos_n = 0;
	if (e->col < 0)
		return;
	n = column(c, (size_t)e->col, pday, c->pn.ndates);
	e->oos_n = n;
	if (n == 0)
		return;
	e->oos_first = c->pn.dates[c->idx[0]];
	/* decay of the rolling Sharpe ratio against the in-sample one */
	if (n >= w && !isnan(e->is_sr) && e->is_sr != 0) {
		for (i = w - 1; i < n; i++) {
			sr = sharpe_of(c->buf + i + 1 - w, w);
			d = (e->is_sr - sr) / fabs(e->is_sr);
			c->cond[i + 1 - w] = !isnan(sr) && d > o->threshold;
			e->roll_sr = sr;
			e->decay = isnan(sr) ? NAN : d;
		}
		e->decay_on = episode(c->cond, n - w + 1, (size_t)o->days,
		    &since);
		if (e->decay_on) {
			e->decay_since = c->pn.dates[c->idx[since + w - 1]];
			e->decay_days = n - w + 1 - since;
		}
	} else if (n >= w)
		e->roll_sr = sharpe_of(c->buf + n - w, w);
	/* the live record: PSR(0) day by day from the window's length on */
	for (i = 0; i < n; i++) {
		run_mom_add(&rm, c->buf[i]);
		if (i + 1 < w)
			continue;
		run_mom_get(&rm, &m);
		sr = tl_psr(m.sharpe, 0, m.n, m.skew, m.kurt);
		c->cond[i + 1 - w] = !isnan(sr) && sr < 1 - o->level;
	}
	if (n >= w) {
		e->psr_on = episode(c->cond, n - w + 1, (size_t)o->days,
		    &since);
		if (e->psr_on)
			e->psr_since = c->pn.dates[c->idx[since + w - 1]];
	}
	tl_moments(c->buf, n, &e->live);
	e->live_psr = tl_psr(e->live.sharpe, 0, (double)n, e->live.skew,
	    e->live.kurt);
	if (e->live.sharpe > 0)
		e->live_mintrl = tl_min_trl(e->live.sharpe, 0, o->level,
		    e->live.skew, e->live.kurt);
}

/* One alert record. */
static json_t *
alert(struct check *c, const struct eval *e, const char *kind, enum sev sev,
    const char *action, const char *since, json_t *fig)
{
	const struct ack *a;
	json_t *v;

	v = json_pack("{s:s,s:s,s:s,s:s,s:s}", "strategy", e->pr->strategy,
	    "kind", kind, "severity", sev_names[sev], "since", since,
	    "action", action);
	json_object_set_new(v, "promoted", json_string(e->pr->date));
	json_object_set_new(v, "as_of", json_string(
	    c->pn.dates[c->pn.ndates - 1]));
	json_object_set_new(v, "figures", fig);
	a = acked(&c->acks, e->pr->strategy, kind, sev, since);
	json_object_set_new(v, "acknowledged", json_boolean(a != NULL));
	if (a != NULL) {
		char ts[TL_TIME_BUFSZ];

		tl_time_format(ts, a->ms);
		json_object_set_new(v, "acknowledged_at", json_string(ts));
	}
	return v;
}

/* The alerts of a promoted strategy, appended to arr. */
static void
alerts_of(struct check *c, const struct eval *e, json_t *arr)
{
	const struct opts *o = c->o;
	json_t *f;
	enum sev sev;

	if (e->decay_on) {
		/* a live Sharpe below zero loses money: demote; a smaller
		 * drop may be a stale fit: retrain */
		sev = e->roll_sr < 0 ? SEV_HIGH : SEV_MEDIUM;
		f = json_object();
		json_object_set_new(f, "in_sample_sharpe", num(e->is_sr));
		json_object_set_new(f, "in_sample_source",
		    json_string(e->is_src));
		json_object_set_new(f, "oos_sharpe", num(e->roll_sr));
		json_object_set_new(f, "decay", num(e->decay));
		json_object_set_new(f, "threshold", num(o->threshold));
		json_object_set_new(f, "window", json_integer(o->window));
		json_object_set_new(f, "days", json_integer(
		    (json_int_t)e->decay_days));
		json_array_append_new(arr, alert(c, e, "decay", sev,
		    sev == SEV_HIGH ? "demote" : "retrain", e->decay_since,
		    f));
	}
	if (e->psr_on) {
		f = json_object();
		json_object_set_new(f, "psr", num(e->live_psr));
		json_object_set_new(f, "sharpe", num(e->live.sharpe));
		json_object_set_new(f, "n", json_integer((json_int_t)e->oos_n));
		json_object_set_new(f, "skew", num(e->live.skew));
		json_object_set_new(f, "kurt", num(e->live.kurt));
		json_object_set_new(f, "level", num(o->level));
		json_array_append_new(arr, alert(c, e, "psr", SEV_HIGH,
		    "demote", e->psr_since, f));
	}
	if (!isnan(e->is_dsr) && e->is_dsr < o->level) {
		f = json_object();
		json_object_set_new(f, "dsr", num(e->is_dsr));
		json_object_set_new(f, "in_sample_sharpe", num(e->is_sr));
		json_object_set_new(f, "sr0", num(e->is_sr0));
		json_object_set_new(f, "n", json_integer((json_int_t)e->is.n));
		json_object_set_new(f, "trials", num(c->trials));
		json_object_set_new(f, "trials_var", num(c->trials_var));
		json_object_set_new(f, "level", num(o->level));
		json_array_append_new(arr, alert(c, e, "dsr", SEV_LOW, "watch",
		    e->pr->date, f));
	}
	if (e->oos_n >= 2 && e->live.sharpe > 0 &&
	    (double)e->oos_n < e->live_mintrl) {
		f = json_object();
		json_object_set_new(f, "mintrl", num(e->live_mintrl));
		json_object_set_new(f, "n", json_integer((json_int_t)e->oos_n));
		json_object_set_new(f, "sharpe", num(e->live.sharpe));
		json_object_set_new(f, "level", num(o->level));
		json_array_append_new(arr, alert(c, e, "mintrl", SEV_LOW,
		    "watch", e->oos_first, f));
	}
}

static json_t *
stats_row(const struct check *c, const struct eval *e, const char *name)
{
	const struct opts *o = c->o;
	double k = sqrt((double)o->ppy);
	json_t *v;

	v = json_pack("{s:s,s:I}", "strategy", name, "n",
	    (json_int_t)e->all.n);
	json_object_set_new(v, "mean", num(e->all.mean));
	json_object_set_new(v, "sd", num(e->all.sd));
	json_object_set_new(v, "skew", num(e->all.skew));
	json_object_set_new(v, "kurt", num(e->all.kurt));
	json_object_set_new(v, "sharpe", num(e->all.sharpe));
	json_object_set_new(v, "sharpe_ann", num(e->all.sharpe * k));
	json_object_set_new(v, "psr", num(e->psr));
	json_object_set_new(v, "dsr", num(e->dsr));
	json_object_set_new(v, "sr0", num(e->sr0));
	json_object_set_new(v, "trials", num(c->trials));
	json_object_set_new(v, "trials_var", num(c->trials_var));
	json_object_set_new(v, "mintrl", num(e->mintrl));
	json_object_set_new(v, "promoted", e->pr != NULL ?
	    json_string(e->pr->date) : json_null());
	json_object_set_new(v, "in_sample_sharpe", num(e->pr ? e->is_sr :
	    NAN));
	json_object_set_new(v, "in_sample_source", e->pr && e->is_src ?
	    json_string(e->is_src) : json_null());
	json_object_set_new(v, "oos_n", e->pr ? json_integer((json_int_t)
	    e->oos_n) : json_null());
	json_object_set_new(v, "oos_sharpe", num(e->pr ? e->live.sharpe :
	    NAN));
	json_object_set_new(v, "rolling_sharpe", num(e->pr ? e->roll_sr :
	    NAN));
	json_object_set_new(v, "decay", num(e->pr ? e->decay : NAN));
	return v;
}

static void
check_release(struct check *c)
{
	tl_panel_free(&c->pn);
	runs_release(&c->runs);
	promos_release(&c->pr);
	acks_release(&c->acks);
	free(c->ev);
	free(c->buf);
	free(c->idx);
	free(c->cond);
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

static int
cmd_check(const struct opts *o, int *fail, struct tl_err *err)
{
	struct check c = { .o = o };
	struct tl_panel_opts po = { .fmt = o->ifmt };
	struct eval *e;
	json_t *alerts = NULL, *stats = NULL, *a;
	size_t i, j, nun = 0, nack = 0, nsev[3] = { 0 };
	char *paths[1] = { (char *)o->returns };
	long col;
	int rc = -1;

	if (tl_panel_read(&c.pn, paths, 1, &po, err) == -1)
		goto out;
	if (o->runs != NULL && runs_read(o, &c.runs, err) == -1)
		goto out;
	if (promos_read(o, &c.runs, &c.pr, err) == -1)
		goto out;
	if (o->ack != NULL && acks_read(o->ack, &c.acks, err) == -1)
		goto out;
	c.trials = o->trials > 0 ? (double)o->trials : c.runs.n >= 2 ?
	    (double)c.runs.n : NAN;
	c.trials_var = o->trials_var;
	if (isnan(c.trials_var) && c.runs.n >= 2) {
		struct tl_moments m;

		tl_moments(c.runs.sr, c.runs.n, &m);
		c.trials_var = m.sd * m.sd;
	}
	if (isnan(c.trials_var))
		c.trials = NAN;
	if (o->runs != NULL && c.runs.n < 2 && o->trials == 0 && !o->quiet)
		tl_warn("%s: fewer than 2 runs with metrics.sharpe: no DSR",
		    o->runs);
	c.ev = tl_xcalloc(c.pn.nseries + c.pr.n, sizeof(*c.ev));
	c.buf = tl_xcalloc(c.pn.ndates + 1, sizeof(double));
	c.idx = tl_xcalloc(c.pn.ndates + 1, sizeof(size_t));
	c.cond = tl_xcalloc(c.pn.ndates + 1, 1);
	for (j = 0; j < c.pn.nseries; j++) {
		e = &c.ev[j];
		e->col = (long)j;
		eval_whole(&c, e);
		if (!o->quiet && e->all.n >= 2 && e->all.sd == 0)
			tl_warn("strategy '%s': zero variance over its %zu "
			    "days: no Sharpe ratio", c.pn.names[j], e->all.n);
	}
	alerts = json_array();
	for (i = 0; i < c.pr.n; i++) {
		const struct promo *p = &c.pr.v[i];

		col = tl_panel_series(&c.pn, p->strategy);
		if (col >= 0)
			e = &c.ev[col];
		else {
			e = &c.ev[c.pn.nseries + i];
			e->col = -1;
		}
		e->pr = p;
		if (col < 0) {
			if (!o->quiet)
				tl_warn("%s: strategy '%s' has no returns",
				    p->where, p->strategy);
			continue;
		}
		eval_promoted(&c, e);
		if (!o->quiet && e->oos_n == 0)
			tl_warn("%s: strategy '%s' promoted %s, after its "
			    "last return (%s): nothing out of sample yet",
			    p->where, p->strategy, p->date,
			    c.pn.dates[c.pn.ndates - 1] != NULL ?
			    c.pn.dates[c.pn.ndates - 1] : "");
		else if (!o->quiet && e->is_src == NULL)
			tl_warn("%s: strategy '%s': no in-sample Sharpe ratio "
			    "(fewer than %ld days of returns before %s%s): no "
			    "decay check", p->where, p->strategy, o->is_min,
			    p->date, isnan(p->given) ? "" : p->given_days > 0 ?
			    ", and the given one is not usable" : ", and the "
			    "period of the given one is unknown: --runs or "
			    "--run-days");
		else if (!o->quiet && e->oos_n >= 2 && isnan(e->live.sharpe))
			tl_warn("strategy '%s': zero variance since its "
			    "promotion: no Sharpe ratio", p->strategy);
		alerts_of(&c, e, alerts);
	}
	if (o->stats != NULL) {
		stats = json_array();
		for (j = 0; j < c.pn.nseries; j++)
			json_array_append_new(stats, stats_row(&c, &c.ev[j],
			    c.pn.names[j]));
		if (write_records(o->stats, stats, err) == -1)
			goto out;
	}
	if (write_records(o->output, alerts, err) == -1)
		goto out;
	for (i = 0; i < json_array_size(alerts); i++) {
		a = json_array_get(alerts, i);
		if (json_is_true(json_object_get(a, "acknowledged"))) {
			nack++;
			continue;
		}
		j = (size_t)sev_parse(json_string_value(json_object_get(a,
		    "severity")));
		nsev[j]++;
		nun++;
		if (o->fail_on != SEV_NONE && (int)j >= (int)o->fail_on)
			*fail = 1;
	}
	if (!o->quiet)
		tl_msg("%zu promoted, %zu alert%s (high %zu, medium %zu, low "
		    "%zu), %zu acknowledged", c.pr.n, nun, nun == 1 ? "" : "s",
		    nsev[SEV_HIGH], nsev[SEV_MEDIUM], nsev[SEV_LOW], nack);
	rc = 0;
out:
	json_decref(stats);
	json_decref(alerts);
	check_release(&c);
	return rc;
}

/* ---- pbo -------------------------------------------------------------- */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Quantile q of sorted x[0..n) (linear between order statistics, as
 * numpy's default). */
static double
quantile(const double *x, size_t n, double q)
{
	double h = q * (double)(n - 1);
	size_t lo = (size_t)floor(h);

	if (lo + 1 >= n)
		return x[n - 1];
	return x[lo] + (h - (double)lo) * (x[lo + 1] - x[lo]);
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
	double *m = NULL, *sorted = NULL, x;
	size_t t, j, rows = 0, n;
	json_t *v = NULL, *lg;
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
		size_t first = rows % (size_t)o->partitions;

		for (j = 0; j < n; j++) {
			for (t = first; t < rows; t++)
				col[t - first] = m[t * n + j];
			tl_moments(col, rows - first, &mom);
			if (mom.sd == 0) {
				free(col);
				tl_err_set(err, TL_EX_DATAERR, NULL, 0,
				    "candidate '%s' has zero variance: no "
				    "Sharpe ratio (drop it, or --metric mean)",
				    pn.names[j]);
				goto out;
			}
		}
		free(col);
	}
	if (threads == 0) {
		threads = sysconf(_SC_NPROCESSORS_ONLN);
		if (threads < 1)
			threads = 1;
		if (threads > MAX_THREADS)
			threads = MAX_THREADS;
	}
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
	sorted = tl_xcalloc(r.ncomb, sizeof(double));
	memcpy(sorted, r.logit, r.ncomb * sizeof(double));
	qsort(sorted, r.ncomb, sizeof(double), cmp_double);
	tl_moments(r.logit, r.ncomb, &mom);
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
	json_object_set_new(v, "pbo", num(r.pbo));
	lg = json_object();
	json_object_set_new(lg, "mean", num(mom.mean));
	json_object_set_new(lg, "sd", num(mom.sd));
	json_object_set_new(lg, "min", num(sorted[0]));
	json_object_set_new(lg, "q25", num(quantile(sorted, r.ncomb, 0.25)));
	json_object_set_new(lg, "median", num(r.logit_median));
	json_object_set_new(lg, "q75", num(quantile(sorted, r.ncomb, 0.75)));
	json_object_set_new(lg, "max", num(sorted[r.ncomb - 1]));
	json_object_set_new(v, "logit", lg);
	json_object_set_new(v, "degradation", json_pack("{s:o,s:o,s:o}",
	    "slope", num(r.slope), "intercept", num(r.intercept), "r2",
	    num(r.r2)));
	json_object_set_new(v, "p_loss", num(r.p_loss));
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
	free(sorted);
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

	mintrl = tl_min_trl(sr, star, o->level, o->skew, o->kurt);
	v = json_object();
	json_object_set_new(v, "sharpe", num(sr));
	json_object_set_new(v, "n", num(o->n_obs));
	json_object_set_new(v, "skew", num(o->skew));
	json_object_set_new(v, "kurt", num(o->kurt));
	json_object_set_new(v, "sr_star", num(star));
	json_object_set_new(v, "psr", num(tl_psr(sr, star, o->n_obs, o->skew,
	    o->kurt)));
	json_object_set_new(v, "level", num(o->level));
	json_object_set_new(v, "mintrl", num(mintrl));
	if (o->annual > 0)
		json_object_set_new(v, "mintrl_years", num(mintrl / k));
	if (o->trials > 0) {
		dsr = tl_dsr(sr, o->n_obs, o->skew, o->kurt,
		    (double)o->trials, 0, var, &sr0);
		json_object_set_new(v, "trials", json_integer(o->trials));
		json_object_set_new(v, "trials_var", num(var));
		json_object_set_new(v, "expected_max",
		    num(tl_expected_max((double)o->trials)));
		json_object_set_new(v, "sr0", num(sr0));
		json_object_set_new(v, "dsr", num(dsr));
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
	struct opts o = { .baseline = B_AUTO, .days = 5, .fail_on = SEV_NONE,
	    .is_min = 5, .is_window = 60, .kurt = 3, .level = 0.95,
	    .max_pbo = NAN, .metric = TL_PBO_SHARPE, .partitions = 16,
	    .ppy = 252, .threshold = 0.5, .trials_var = NAN, .window = 20 };
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
