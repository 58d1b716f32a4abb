/*
 * tl-synth: write a seeded, realistic raw trading log directory (tl(7):
 * decisions, closed trades, backtest/sim runs, promotions, in JSONL, CSV
 * and gzip'd rotations) together with the truth planted in it: which
 * genome parameters drive a run's ROI, which signals and components raise
 * the chance of a win, how over-confident the logged confidence is, the
 * market regimes, which promoted strategies decay, and how many dirty
 * lines of each kind were written; with --churn, strategies that start
 * late, pause, retire or are renamed, with logs/retirements.jsonl and
 * aliases.csv; with --signals, a trade engine's signals, their outcomes
 * at five horizons and the counterfactual trades of the blocked ones,
 * with the truth tl-policy(1) learns.  With --backtest, no log: one
 * genome's return and drawdown over the log's days and regimes
 * (lib/tl_synth_backtest.h).  The options make a plan (lib/tl_synth.h: what is
 * planted), which is then written (lib/tl_synth_write.h: files, gzip, CSV
 * days, dirt).  The output depends only on the options: the same flags
 * and seed give the same bytes whatever TZ and the locale say.
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <jansson.h>

#include "tl_churn.h"
#include "tl_err.h"
#include "tl_json.h"
#include "tl_opt.h"
#include "tl_rng.h"
#include "tl_synth.h"
#include "tl_synth_backtest.h"
#include "tl_synth_signal.h"
#include "tl_synth_write.h"
#include "tl_time.h"
#include "tl_util.h"

#define CHURN_TRADES	2.0		/* --churn: default closed trades
					 * per strategy and day */
#define MAX_TRADES	100000000L	/* --trades */
#define MIN_START_Y	1980		/* epoch ms stay >= 1e11 (tl(7)) */
#define MAX_Y		9999		/* RFC 3339 years */

struct opts {
	const char	*backtest;	/* --backtest: the genome's file */
	const char	*log_opt;	/* an option that writes a log (for
					 * --backtest's message), or NULL */
	char		*outdir;	/* -d: directory to create */
	long		 seed;		/* -s */
	long		 days;		/* --days: trading days */
	int64_t		 start;		/* --start, days since 1970-01-01 */
	long		 strategies;	/* --strategies */
	long		 periods;	/* --periods: months of runs */
	long		 trades;	/* --trades: closed trades in all */
	int		 trades_set;	/* --trades was given */
	int		 churn;		/* --churn */
	const char	*churn_arg;	/* its spec, or NULL */
	struct tl_churn_spec churn_spec;	/* what --churn plants */
	double		 dirt;		/* --dirt: share of dirty lines */
	long		 gzip_after;	/* --gzip-after: plain last N days */
	long		 signals;	/* --signals: signals in all */
	enum tl_synth_format format;	/* -f: of the JSON Lines files */
	int		 quiet;		/* -q */
	int		 verbose;	/* -v */
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: tl-synth [-qv] [-f format] [-s seed] [--days N] [--start DATE]\n"
"                [--strategies N] [--periods N] [--trades N] [--dirt RATE]\n"
"                [--gzip-after N] [--churn[=SPEC]] [--signals N] -d dir\n"
"       tl-synth --backtest file [-s seed] [--days N] [--start DATE]\n"
"                [--periods N]\n");
	if (fp != stdout)
		return;
	fprintf(fp,
"\nWrite a seeded synthetic trading log directory with a planted truth\n"
"(see tl-synth(1), tl(7)); or backtest one genome in its world.\n\n"
"      --backtest=FILE   read one genome (JSON object, - for stdin) and print\n"
"                        its return, drawdown and trades over the log's days\n"
"                        and regimes; writes no log\n"
"      --churn[=SPEC]    strategies start late, pause, retire, are renamed:\n"
"                        SPEC late=N,pause=N,retire=N,rename=N (a tenth,\n"
"                        1, 1, 1); --trades then defaults to 2 a day per\n"
"                        strategy\n"
"  -d, --output-dir=DIR  directory to create; must be new or empty\n"
"      --days=N          trading days (weekdays) from --start (60)\n"
"      --dirt=RATE       share of dirty log lines, 0 for none (0.01)\n"
"  -f, --format=FMT      jsonl, or json-array: each JSON Lines file as one\n"
"                        JSON array, named .json (jsonl)\n"
"      --gzip-after=N    gzip the days before the last N, 0: never (7)\n"
"  -h, --help            this help\n"
"      --periods=N       monthly run periods, ending with the last day's (12)\n"
"  -q, --quiet           no messages but errors\n"
"  -s, --seed=N          random seed (1)\n"
"      --signals=N       a trade engine's signals in all, with their outcomes\n"
"                        at 5 horizons and counterfactuals (0: none)\n"
"      --start=DATE      first day, YYYY-MM-DD (2026-01-05)\n"
"      --strategies=N    strategies, one genome each (20)\n"
"      --trades=N        closed trades in all (500)\n"
"  -V, --version         print the version\n"
"  -v, --verbose         a summary on stderr\n");
}

/* Parse YYYY-MM-DD strictly; returns 0 and *day, or -1. */
static int
parse_date(const char *s, int64_t *day)
{
	int y, m, d, y2, m2, d2, i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < MIN_START_Y || y > MAX_Y || m < 1 || m > 12 || d < 1)
		return -1;
	*day = tl_days_from_civil(y, m, d);
	tl_civil_from_days(*day, &y2, &m2, &d2);
	return y2 == y && m2 == m && d2 == d ? 0 : -1;
}

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	enum { OPT_BACKTEST = 256, OPT_CHURN, OPT_DAYS, OPT_DIRT,
		OPT_GZIP_AFTER, OPT_PERIODS, OPT_SIGNALS, OPT_START,
		OPT_STRATEGIES, OPT_TRADES };
	static const struct option longopts[] = {
		{ "backtest", required_argument, NULL, OPT_BACKTEST },
		{ "churn", optional_argument, NULL, OPT_CHURN },
		{ "output-dir", required_argument, NULL, 'd' },
		{ "days", required_argument, NULL, OPT_DAYS },
		{ "dirt", required_argument, NULL, OPT_DIRT },
		{ "format", required_argument, NULL, 'f' },
		{ "gzip-after", required_argument, NULL, OPT_GZIP_AFTER },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'd' },
		{ "periods", required_argument, NULL, OPT_PERIODS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "seed", required_argument, NULL, 's' },
		{ "signals", required_argument, NULL, OPT_SIGNALS },
		{ "start", required_argument, NULL, OPT_START },
		{ "strategies", required_argument, NULL, OPT_STRATEGIES },
		{ "trades", required_argument, NULL, OPT_TRADES },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	/* tl(7), the interface: -o is a file, -d a directory */
	static const struct tl_old_opt old[] = { { "-o", "output-dir" },
	    { "--output", "output-dir" } };
	static const struct tl_getopt g = { ":d:f:ho:qs:Vv", longopts, old,
	    TL_NELEM(old) };
	/* -f: index = enum tl_synth_format */
	static const char *const formats[TL_SYNTH_NFORMAT] = { "jsonl",
	    "json-array" };
	/* the options of a log, which --backtest does not take */
	static const struct {
		int		 ch;		/* its getopt value */
		const char	*name;		/* its name in messages */
	} log_only[] = { { OPT_CHURN, "--churn" }, { 'd', "-d" },
	    { OPT_DIRT, "--dirt" }, { 'f', "-f" },
	    { OPT_GZIP_AFTER, "--gzip-after" }, { OPT_SIGNALS, "--signals" },
	    { OPT_STRATEGIES, "--strategies" }, { OPT_TRADES, "--trades" } };
	struct tl_err err = { 0 };
	int64_t last;
	size_t i, n;
	int ch, y, m, d;
	long w;

	while ((ch = tl_getopt(&g, argc, argv)) != -1) {
		for (i = 0; i < TL_NELEM(log_only); i++)
			if (ch == log_only[i].ch)
				o->log_opt = log_only[i].name;
		switch (ch) {
		case OPT_BACKTEST:
			o->backtest = optarg;
			break;
		case OPT_CHURN:
			o->churn = 1;
			o->churn_arg = optarg;
			break;
		case OPT_DAYS:
			if (tl_parse_long("--days", optarg, 1, 100000,
			    &o->days, &err) == -1)
				goto bad;
			break;
		case OPT_DIRT:
			if (tl_parse_double("--dirt", optarg, 0, 0.5,
			    &o->dirt, &err) == -1)
				goto bad;
			break;
		case 'f':
			o->format = (enum tl_synth_format)TL_PARSE_WORD(
			    "--format", optarg, formats);
			break;
		case OPT_GZIP_AFTER:
			if (tl_parse_long("--gzip-after", optarg, 0, 100000,
			    &o->gzip_after, &err) == -1)
				goto bad;
			break;
		case 'h':
			usage(stdout);
			exit(tl_exit_status(TL_EX_OK));
		case 'd':
			o->outdir = optarg;
			break;
		case OPT_PERIODS:
			if (tl_parse_long("--periods", optarg, 1, 1200,
			    &o->periods, &err) == -1)
				goto bad;
			break;
		case 'q':
			o->quiet = 1;
			o->verbose = 0;
			break;
		case 's':
			if (tl_parse_long("--seed", optarg, 0, LONG_MAX,
			    &o->seed, &err) == -1)
				goto bad;
			break;
		case OPT_START:
			if (parse_date(optarg, &o->start) == -1)
				tl_usage_error("--start: '%s' is not a date "
				    "YYYY-MM-DD in [%d, %d]", optarg,
				    MIN_START_Y, MAX_Y);
			break;
		case OPT_SIGNALS:
			if (tl_parse_long("--signals", optarg, 0,
			    TL_SYNTH_SIG_MAX, &o->signals, &err) == -1)
				goto bad;
			break;
		case OPT_STRATEGIES:
			if (tl_parse_long("--strategies", optarg, 1, 100000,
			    &o->strategies, &err) == -1)
				goto bad;
			break;
		case OPT_TRADES:
			if (tl_parse_long("--trades", optarg, 0, MAX_TRADES,
			    &o->trades, &err) == -1)
				goto bad;
			o->trades_set = 1;
			break;
		case 'V':
			tl_version_exit();
		case 'v':
			o->verbose = 1;
			o->quiet = 0;
			break;
		}
	}
	if (optind < argc && o->churn && o->churn_arg == NULL &&
	    strchr(argv[optind], '=') != NULL)
		tl_usage_error("unexpected argument '%s' (a spec goes with "
		    "--churn=SPEC)", argv[optind]);
	if (optind < argc)
		tl_usage_error("unexpected argument '%s'", argv[optind]);
	if (o->backtest != NULL && o->log_opt != NULL)
		tl_usage_error("--backtest: %s is an option of a log, not of a "
		    "backtest", o->log_opt);
	if (o->backtest == NULL && o->outdir == NULL)
		tl_usage_error("-d DIR is required: the directory to write");
	if (o->outdir != NULL && o->outdir[0] == '\0')
		tl_usage_error("-d: empty directory name");
	n = o->outdir != NULL ? strlen(o->outdir) : 0;
	while (n > 1 && o->outdir[n - 1] == '/')
		o->outdir[--n] = '\0';
	/* The last trading day must stay within year MAX_Y. */
	w = o->days / 5 * 7 + 7;
	last = o->start + w;
	tl_civil_from_days(last, &y, &m, &d);
	if (y > MAX_Y)
		tl_usage_error("--days: %ld days from --start end after "
		    "year %d", o->days, MAX_Y);
	if (!o->churn)
		return;
	tl_churn_spec_default(&o->churn_spec, (size_t)o->strategies);
	if ((o->churn_arg != NULL && tl_churn_spec_parse(&o->churn_spec,
	    o->churn_arg, &err) == -1) ||
	    tl_synth_churn_check(&o->churn_spec, (size_t)o->strategies,
	    (size_t)o->days, &err) == -1)
		goto bad;
	if (!o->trades_set)
		o->trades = (long)fmin(CHURN_TRADES * (double)o->days *
		    (double)o->strategies, (double)MAX_TRADES);
	return;
bad:
	tl_usage_error("%s: %s", err.where, err.msg);
}

/* --backtest: the genome of o->backtest in the world of the log the same
 * -s, --days, --start and --periods would write, as one JSON line. */
static int
backtest(const struct opts *o, struct tl_err *err)
{
	struct tl_synth_strat st;
	struct tl_synth_world w;
	struct tl_synth_bt bt;
	json_t *v, *out;
	gsl_rng *r;
	int rc;

	if ((v = tl_json_load(o->backtest, err)) == NULL)
		return -1;
	rc = tl_synth_genome_from_json(v, tl_input_name(o->backtest), &st,
	    err);
	json_decref(v);
	if (rc == -1)
		return -1;
	r = tl_rng_alloc((uint64_t)o->seed, TL_SYNTH_STREAM_WORLD);
	tl_synth_world_init(&w, o->start, (size_t)o->days,
	    (size_t)o->periods, r);
	tl_rng_free(r);
	tl_synth_backtest(&w, &st, (uint64_t)o->seed, &bt);
	if (o->verbose)
		tl_msg("%s: planted roi %.6f a month; %zu days: %zu bull, %zu "
		    "bear, %zu chop; %llu trades%s", tl_input_name(o->backtest),
		    st.roi_mean, w.nd, bt.regime_days[TL_SYNTH_BULL],
		    bt.regime_days[TL_SYNTH_BEAR],
		    bt.regime_days[TL_SYNTH_CHOP],
		    (unsigned long long)bt.trades, bt.ruin_day >= 0 ?
		    ", ruined" : "");
	tl_synth_world_release(&w);
	out = json_pack("{s:I,s:I,s:o,s:o,s:I}", "seed", (json_int_t)o->seed,
	    "days", (json_int_t)o->days, "ret", tl_json_num(bt.ret),
	    "drawdown", tl_json_num(bt.drawdown), "trades",
	    (json_int_t)bt.trades);
	rc = tl_json_writeln(stdout, out, err);
	json_decref(out);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct opts o = { .seed = 1, .days = 60, .strategies = 20,
		.periods = 12, .trades = 500, .dirt = 0.01, .gzip_after = 7 };
	struct tl_err err = { 0 };
	struct tl_synth_params p;
	struct tl_synth_layout lo;
	struct tl_synth *s = NULL;
	int status = TL_EX_OK;

	tl_init("tl-synth");
	o.start = tl_days_from_civil(2026, 1, 5);
	parse_args(argc, argv, &o);
	p = (struct tl_synth_params){ .seed = (uint64_t)o.seed,
		.days = (size_t)o.days, .start = o.start,
		.strategies = (size_t)o.strategies,
		.periods = (size_t)o.periods, .trades = (size_t)o.trades,
		.churn = o.churn, .churn_spec = o.churn_spec,
		.signals = (uint64_t)o.signals };
	lo = (struct tl_synth_layout){ .dir = o.outdir, .dirt = o.dirt,
		.gzip_after = o.gzip_after, .format = o.format };
	if (o.backtest != NULL) {
		if (backtest(&o, &err) == -1)
			status = tl_report(&err);
	} else if ((s = tl_synth_alloc(&p, &err)) == NULL ||
	    tl_synth_write(s, &lo, &err) == -1)
		status = tl_report(&err);
	else if (o.verbose)
		tl_msg("%s: %zu days, %llu decisions, %zu trades, %llu runs, "
		    "%zu promotions", o.outdir, s->w.nd,
		    (unsigned long long)s->ndec, s->par.trades,
		    (unsigned long long)s->nruns, s->npromo);
	tl_synth_free(s);
	return tl_exit_status(status);
}
