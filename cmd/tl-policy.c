/*
 * tl-policy: learn the trade engine's other settings from outcomes.  One
 * subcommand per policy (gate, size, hold, fee, horizon, breaker: the
 * table tl_policy_kinds) reads tl-ingest's canonical records, lets
 * lib/tl_policy decide each value under the common rule (--min-obs,
 * --max-change against --prev) and writes the versioned policy file a
 * trade engine reads and, with --facts, one JSONL line of evidence per
 * value for the report; check tells a trade engine by its exit status
 * whether a policy file is stale.  Which option belongs to which
 * subcommand is the table opts_of below.
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "tl_err.h"
#include "tl_json.h"
#include "tl_opt.h"
#include "tl_out.h"
#include "tl_panel.h"
#include "tl_pf_file.h"
#include "tl_policy.h"
#include "tl_time.h"
#include "tl_util.h"

#define MAX_THREADS	64	/* --threads */
#define NCMD		8	/* the policies, check, and room */

/* Option codes past the ASCII of the short ones. */
enum { O_ALPHA = 256, O_ANNUALIZE, O_ASOF, O_BOUNDS, O_BUCKETS, O_BY,
	O_CONVICTION, O_CRISIS, O_DEFAULT, O_DRAWS, O_FACTS, O_GRID, O_LEVEL,
	O_MAXDD, O_MAXLOSS, O_MINSHARPE, O_N0, O_NOW, O_PROB, O_RECOVER,
	O_RECOVER_DAYS, O_REGIMES, O_RETIRED, O_STEP, O_VALID, O_WINDOW, O_MAXCHANGE,
	O_MINOBS };

/* The subcommands an option is for, by name (bits of tl_policy_kinds'
 * indices, and check after them).  A name not here is for all. */
static const struct optcmds {
	const char	*name;		/* long name */
	const char	*cmds;		/* space-separated subcommands */
} opts_of[] = {
	{ "alpha", "gate" },
	{ "annualize", "breaker" },
	{ "asof", "gate size hold fee horizon breaker" },
	{ "bounds", "size" },
	{ "buckets", "size" },
	{ "by", "horizon" },
	{ "conviction", "gate size" },
	{ "crisis", "breaker" },
	{ "default", "gate size hold fee horizon" },
	{ "draws", "gate" },
	{ "facts", "gate size hold fee horizon breaker" },
	{ "grid", "hold" },
	{ "level", "horizon" },
	{ "max-change", "gate size hold fee" },
	{ "max-daily-loss", "breaker" },
	{ "max-drawdown", "breaker" },
	{ "min-obs", "gate size hold fee horizon" },
	{ "min-sharpe", "breaker" },
	{ "n0", "size" },
	{ "now", "check" },
	{ "output", "gate size hold fee horizon breaker" },
	{ "prev", "gate size hold fee horizon" },
	{ "prob", "fee" },
	{ "recover", "breaker" },
	{ "recover-days", "breaker" },
	{ "regimes", "breaker" },
	{ "retired", "gate hold breaker" },
	{ "seed", "gate" },
	{ "step", "gate" },
	{ "threads", "gate size hold fee horizon" },
	{ "valid-for", "gate size hold fee horizon breaker" },
	{ "window", "breaker" },
};

static const struct option longopts[] = {
	{ "alpha", required_argument, NULL, O_ALPHA },
	{ "annualize", required_argument, NULL, O_ANNUALIZE },
	{ "asof", required_argument, NULL, O_ASOF },
	{ "bounds", required_argument, NULL, O_BOUNDS },
	{ "buckets", required_argument, NULL, O_BUCKETS },
	{ "by", required_argument, NULL, O_BY },
	{ "max-change", required_argument, NULL, O_MAXCHANGE },
	{ "conviction", required_argument, NULL, O_CONVICTION },
	{ "crisis", required_argument, NULL, O_CRISIS },
	{ "default", required_argument, NULL, O_DEFAULT },
	{ "draws", required_argument, NULL, O_DRAWS },
	{ "facts", required_argument, NULL, O_FACTS },
	{ "grid", required_argument, NULL, O_GRID },
	{ "help", no_argument, NULL, 'h' },
	{ "level", required_argument, NULL, O_LEVEL },
	{ "max-daily-loss", required_argument, NULL, O_MAXLOSS },
	{ "max-drawdown", required_argument, NULL, O_MAXDD },
	{ "min-sharpe", required_argument, NULL, O_MINSHARPE },
	{ "min-obs", required_argument, NULL, O_MINOBS },
	{ "n0", required_argument, NULL, O_N0 },
	{ "now", required_argument, NULL, O_NOW },
	{ "output", required_argument, NULL, 'o' },
	{ "prev", required_argument, NULL, 'p' },
	{ "prob", required_argument, NULL, O_PROB },
	{ "quiet", no_argument, NULL, 'q' },
	{ "recover", required_argument, NULL, O_RECOVER },
	{ "recover-days", required_argument, NULL, O_RECOVER_DAYS },
	{ "regimes", required_argument, NULL, O_REGIMES },
	{ "retired", required_argument, NULL, O_RETIRED },
	{ "seed", required_argument, NULL, 's' },
	{ "step", required_argument, NULL, O_STEP },
	{ "threads", required_argument, NULL, 'T' },
	{ "valid-for", required_argument, NULL, O_VALID },
	{ "version", no_argument, NULL, 'V' },
	{ "window", required_argument, NULL, O_WINDOW },
	{ NULL, 0, NULL, 0 }
};

struct opts {
	struct tl_policy_opts po;	/* what the engines read */
	size_t		 cmd;		/* kind, or tl_policy_nkinds: check */
	const char	*dflt;		/* --default, parsed per kind */
	const char	*facts;		/* --facts */
	const char	*now;		/* --now */
	const char	*output;	/* -o */
	const char	*prev;		/* -p */
	const char	*retired;	/* --retired */
	int		 quiet;		/* -q */
	double		*buckets;	/* --buckets, owned */
	double		*grid;		/* --grid, owned */
	char		**inputs;	/* files; none: stdin */
	int		 ninputs;
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: tl-policy gate [-q] [-o file] [-p prev] [-s seed] [-T threads]\n"
"                 [--alpha a] [--asof date] [--conviction field]\n"
"                 [--default theta] [--draws n] [--facts file]\n"
"                 [--max-change c] [--min-obs n] [--retired file]\n"
"                 [--step s] [--valid-for dur] [file ...]\n"
"       tl-policy size [-q] [-o file] [-p prev] [-T threads] [--asof date]\n"
"                 [--bounds min,max] [--buckets list] [--conviction field]\n"
"                 [--default m] [--facts file] [--max-change c]\n"
"                 [--min-obs n] [--n0 n] [--valid-for dur] [file ...]\n"
"       tl-policy hold [-q] [-o file] [-p prev] [-T threads] [--asof date]\n"
"                 [--default dur] [--facts file] [--grid list]\n"
"                 [--max-change c] [--min-obs n] [--retired file]\n"
"                 [--valid-for dur] [file ...]\n"
"       tl-policy fee [-q] [-o file] [-p prev] [-T threads] [--asof date]\n"
"                 [--default edge] [--facts file] [--max-change c]\n"
"                 [--min-obs n] [--prob p] [--valid-for dur] [file ...]\n"
"       tl-policy horizon [-q] [-o file] [-p prev] [-T threads]\n"
"                 [--asof date] [--by field] [--default dur]\n"
"                 [--facts file] [--level p] [--min-obs n]\n"
"                 [--valid-for dur] [file ...]\n"
"       tl-policy breaker [-q] [-o file] [--annualize n] [--asof date]\n"
"                 [--crisis label] [--facts file] [--max-daily-loss x]\n"
"                 [--max-drawdown x] [--min-sharpe x] [--recover x]\n"
"                 [--recover-days n] [--regimes file] [--retired file]\n"
"                 [--valid-for dur] [--window days] [file ...]\n"
"       tl-policy check [-q] [--now time] file ...\n");
	if (fp != stdout)
		return;
	fprintf(fp,
"\nLearn the trade engine's settings from outcomes (see tl-policy(1)).\n\n");
	for (size_t k = 0; k < tl_policy_nkinds; k++)
		fprintf(fp, "  %-9s %s\n", tl_policy_kinds[k].name,
		    tl_policy_kinds[k].about);
	fprintf(fp, "  %-9s %s\n\n", "check", "exit 1 if a policy file is "
	    "stale (its fallback applies)");
	fprintf(fp,
"      --alpha=A         gate: moves when the improvement's lower A bound\n"
"                        is above 0 (0.05)\n"
"      --annualize=N     breaker: periods per year of the Sharpe (252)\n"
"      --asof=DATE       the night's date: later rows are not used\n"
"                        (default: the date of the latest row)\n"
"      --bounds=MIN,MAX  size: bounds of a multiplier (0.1,2)\n"
"      --buckets=LIST    size: inner conviction edges (0.5,0.6,0.7,0.8,0.9)\n"
"      --by=FIELD        horizon: the signals that fired, an object or a\n"
"                        string (signals)\n"
"      --conviction=F    gate, size: the conviction field (conviction)\n"
"      --crisis=LABEL    breaker: the regime label that halts the book\n"
"                        (crisis)\n"
"      --default=V       the value in force without --prev (gate 0.5,\n"
"                        size 1, hold the last --grid time, fee 0,\n"
"                        horizon 0: none)\n"
"      --draws=N         gate: bootstrap draws (1000)\n"
"      --facts=FILE      the evidence, one JSONL line per value\n"
"      --grid=LIST       hold: candidate hold times\n"
"                        (5m,15m,30m,1h,2h,4h,8h,1d,2d,5d)\n"
"  -h, --help            this help\n"
"      --level=P         horizon: level of the EV intervals (0.95)\n"
"      --max-change=C    relative change per update against --prev (0.2;\n"
"                        0: none)\n"
"      --max-daily-loss=X  breaker: halt when a day loses more (0.02)\n"
"      --max-drawdown=X  breaker: halt above this drawdown (0.15)\n"
"      --min-sharpe=X    breaker: halt below this rolling Sharpe (-0.5)\n"
"      --min-obs=N       observations before a value moves (50)\n"
"      --n0=N            size: shrinkage weight n / (n + N) (100)\n"
"      --now=TIME        check: the time to check against (the clock)\n"
"  -o, --output=FILE     the policy file (atomically) instead of stdout\n"
"  -p, --prev=FILE       the previous policy: values in force, capped\n"
"                        changes\n"
"      --prob=P          fee: the edge covers the costs with probability P\n"
"                        (0.9)\n"
"  -q, --quiet           no summary line on stderr; check: no output\n"
"      --recover=X       breaker: re-enable at drawdown <= X * limit (0.5)\n"
"      --recover-days=N  breaker: days the recovery must hold, per step\n"
"                        (5)\n"
"      --regimes=FILE    breaker: tl-regime's regimes.jsonl\n"
"      --retired=FILE    gate, hold, breaker: retirements (strategy, ts);\n"
"                        a strategy retired by --asof gets no entry\n"
"  -s, --seed=N          gate: bootstrap seed (1)\n"
"      --step=S          gate: threshold grid step (0.01)\n"
"  -T, --threads=N       parsing threads, 0 for all CPUs (0); same result\n"
"      --valid-for=DUR   valid_until: the end of the asof day + DUR (2d)\n"
"  -V, --version         print the version\n"
"      --window=DAYS     breaker: rolling Sharpe window, 0: none (60)\n");
}

/* Is option name (long) for subcommand cmd? */
static int
option_for(const char *name, size_t cmd)
{
	const char *cname = cmd < tl_policy_nkinds ?
	    tl_policy_kinds[cmd].name : "check", *p;
	size_t i, n = strlen(cname);

	for (i = 0; i < TL_NELEM(opts_of); i++) {
		if (strcmp(opts_of[i].name, name) != 0)
			continue;
		for (p = opts_of[i].cmds; (p = strstr(p, cname)) != NULL;
		    p += n)
			if ((p == opts_of[i].cmds || p[-1] == ' ') &&
			    (p[n] == ' ' || p[n] == '\0'))
				return 1;
		return 0;
	}
	return 1;
}

/* The long name of option code ch. */
static const char *
option_name(int ch)
{
	size_t i;

	for (i = 0; longopts[i].name != NULL; i++)
		if (longopts[i].val == ch)
			return longopts[i].name;
	return "?";
}

static void
parse_default(struct opts *o)
{
	struct tl_err err = { 0 };
	const char *k = tl_policy_kinds[o->cmd].name;
	double x;
	int bad;

	if (strcmp(k, "hold") == 0 || strcmp(k, "horizon") == 0) {
		if (tl_dur_parse(o->dflt, strlen(o->dflt), &x) == -1 ||
		    (strcmp(k, "hold") == 0 && !(x > 0)))
			tl_usage_error("--default: '%s' is not a %s", o->dflt,
			    strcmp(k, "hold") == 0 ? "positive duration" :
			    "duration (0: none)");
		o->po.dflt = x;
		return;
	}
	bad = strcmp(k, "gate") == 0 ?
	    tl_parse_double("--default", o->dflt, 0, 1, &x, &err) :
	    strcmp(k, "size") == 0 ?
	    tl_parse_double("--default", o->dflt, 1e-6, 1e6, &x, &err) :
	    tl_parse_double("--default", o->dflt, 0, 1, &x, &err);
	if (bad)
		tl_usage_error("%s: %s", err.where, err.msg);
	o->po.dflt = x;
}

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	const char *names[NCMD];
	struct tl_opt_file f[3];
	struct tl_err err = { 0 };
	const char *given[128];
	int64_t days;
	double *b;
	size_t k, n, ngiven = 0;
	long l;
	int ch, bad = 0;

	/* GNU getopt moves the operands (command, files) to the end */
	while ((ch = getopt_long(argc, argv, ":ho:p:qs:T:V", longopts,
	    NULL)) != -1) {
		if (ch != 'h' && ch != 'V' && ch != ':' && ch != '?' &&
		    ngiven < TL_NELEM(given))
			given[ngiven++] = option_name(ch);
		switch (ch) {
		case O_ALPHA:
			bad = tl_parse_double("--alpha", optarg, 1e-6, 0.5,
			    &o->po.alpha, &err);
			break;
		case O_ANNUALIZE:
			bad = tl_parse_double("--annualize", optarg, 1, 1e6,
			    &o->po.annualize, &err);
			break;
		case O_ASOF:
			if (tl_panel_date_days(optarg, &days) == -1)
				tl_usage_error("--asof: '%s' is not a date "
				    "(YYYY-MM-DD)", optarg);
			o->po.asof = optarg;
			break;
		case O_BOUNDS:
			if ((bad = tl_policy_list("--bounds", optarg, 0, 1e-6,
			    1e6, &b, &n, &err) == -1))
				break;
			if (n != 2)
				tl_usage_error("--bounds: '%s' is not two "
				    "numbers min,max", optarg);
			o->po.min_mult = b[0];
			o->po.max_mult = b[1];
			free(b);
			break;
		case O_BUCKETS:
			free(o->buckets);
			bad = tl_policy_list("--buckets", optarg, 0, 1e-9,
			    1 - 1e-9, &o->buckets, &o->po.nbuckets, &err);
			o->po.buckets = o->buckets;
			break;
		case O_BY:
			o->po.by = optarg;
			break;
		case O_MAXCHANGE:
			bad = tl_parse_double("--max-change", optarg, 0, 1e6,
			    &o->po.max_change, &err);
			break;
		case O_CONVICTION:
			o->po.conviction = optarg;
			break;
		case O_CRISIS:
			o->po.crisis = optarg;
			break;
		case O_DEFAULT:
			o->dflt = optarg;
			break;
		case O_DRAWS:
			bad = tl_parse_long("--draws", optarg, 100, 1000000,
			    &o->po.draws, &err);
			break;
		case O_FACTS:
			o->facts = optarg;
			break;
		case O_GRID:
			free(o->grid);
			bad = tl_policy_list("--grid", optarg, 1, 1e-3, 1e9,
			    &o->grid, &o->po.ngrid, &err);
			o->po.grid = o->grid;
			break;
		case 'h':
			usage(stdout);
			exit(tl_exit_status(TL_EX_OK));
		case O_LEVEL:
			bad = tl_parse_double("--level", optarg, 0.5, 0.999999,
			    &o->po.level, &err);
			break;
		case O_MAXDD:
			bad = tl_parse_double("--max-drawdown", optarg, 1e-6,
			    0.999999, &o->po.max_dd, &err);
			break;
		case O_MAXLOSS:
			bad = tl_parse_double("--max-daily-loss", optarg, 1e-6,
			    1e6, &o->po.max_loss, &err);
			break;
		case O_MINSHARPE:
			bad = tl_parse_double("--min-sharpe", optarg, -1e6, 1e6,
			    &o->po.min_sharpe, &err);
			break;
		case O_MINOBS:
			bad = tl_parse_long("--min-obs", optarg, 1, 1000000000,
			    &o->po.min_obs, &err);
			break;
		case O_N0:
			bad = tl_parse_double("--n0", optarg, 0, 1e12,
			    &o->po.n0, &err);
			break;
		case O_NOW:
			o->now = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'p':
			o->prev = optarg;
			break;
		case O_PROB:
			bad = tl_parse_double("--prob", optarg, 0.5, 0.9999,
			    &o->po.prob, &err);
			break;
		case 'q':
			o->quiet = 1;
			break;
		case O_RECOVER:
			bad = tl_parse_double("--recover", optarg, 1e-6, 1,
			    &o->po.recover, &err);
			break;
		case O_RECOVER_DAYS:
			bad = tl_parse_long("--recover-days", optarg, 1, 100000,
			    &o->po.recover_days, &err);
			break;
		case O_REGIMES:
			o->po.regimes = optarg;
			break;
		case O_RETIRED:
			o->retired = optarg;
			break;
		case 's':
			bad = tl_parse_long("--seed", optarg, 0, LONG_MAX, &l,
			    &err);
			o->po.seed = (unsigned long)l;
			break;
		case O_STEP:
			bad = tl_parse_double("--step", optarg, 1e-5, 0.5,
			    &o->po.step, &err);
			break;
		case 'T':
			bad = tl_parse_long("--threads", optarg, 0, MAX_THREADS,
			    &l, &err);
			o->po.threads = (int)l;
			break;
		case O_VALID:
			if (tl_dur_parse(optarg, strlen(optarg),
			    &o->po.valid_for) == -1 || o->po.valid_for > 1e9)
				tl_usage_error("--valid-for: '%s' is not a "
				    "duration (36h, 2d)", optarg);
			break;
		case 'V':
			tl_version_exit();
		case O_WINDOW:
			bad = tl_parse_long("--window", optarg, 0, 100000,
			    &o->po.window, &err);
			if (!bad && o->po.window == 1)
				tl_usage_error("--window: 1 day has no "
				    "standard deviation (0: no Sharpe rule)");
			break;
		default:	/* ':' (no value) or an unknown option */
			tl_bad_option(ch, argv[optind - 1]);
		}
		if (bad)
			tl_usage_error("%s: %s", err.where, err.msg);
	}
	for (k = 0; k < tl_policy_nkinds; k++)
		names[k] = tl_policy_kinds[k].name;
	names[k] = "check";
	o->cmd = (size_t)tl_command(argc, argv, optind, names,
	    (int)tl_policy_nkinds + 1);
	o->po.kind = o->cmd;
	o->inputs = argv + optind + 1;
	o->ninputs = argc - optind - 1;
	for (k = 0; k < ngiven; k++)
		if (!option_for(given[k], o->cmd))
			tl_usage_error("--%s is not an option of %s", given[k],
			    names[o->cmd]);
	if (o->cmd == tl_policy_nkinds && o->ninputs == 0)
		tl_usage_error("check needs the policy files");
	/* standard input once: a second reader of it would find it empty
	 * and learn from nothing, silently */
	f[0] = (struct tl_opt_file){ "--prev", o->prev };
	f[1] = (struct tl_opt_file){ "--regimes", o->po.regimes };
	f[2] = (struct tl_opt_file){ "--retired", o->retired };
	if (o->cmd < tl_policy_nkinds)
		tl_opt_inputs(f, TL_NELEM(f), o->inputs, o->ninputs, 1, usage);
	if (o->dflt != NULL)
		parse_default(o);
}

/* ---- check -------------------------------------------------------------- */

static int
run_check(const struct opts *o, struct tl_err *err)
{
	char until[TL_TIME_BUFSZ];
	int64_t now, until_ms;
	size_t kind;
	json_t *v;
	int i, stale, any = 0;

	if (o->now != NULL) {
		if (tl_time_parse(o->now, strlen(o->now), &now) == -1)
			return tl_err_set(err, TL_EX_USAGE, "--now", 0, "'%s' "
			    "is not a timestamp", o->now);
	} else
		now = (int64_t)time(NULL) * 1000;	/* the point of check */
	for (i = 0; i < o->ninputs; i++) {
		if ((stale = tl_policy_stale(o->inputs[i], now, &kind,
		    &until_ms, err)) == -1)
			return -1;
		any |= stale;
		if (o->quiet)
			continue;
		tl_time_format(until, until_ms);
		v = json_pack("{s:s,s:s,s:s,s:b}", "file", o->inputs[i],
		    "policy", tl_policy_kinds[kind].name, "valid_until", until,
		    "stale", stale);
		if (tl_json_writeln(stdout, v, err) == -1) {
			json_decref(v);
			return -1;
		}
		json_decref(v);
	}
	return any;
}

/* ---- learning ----------------------------------------------------------- */

static int
write_out(const char *path, json_t *v, int each, struct tl_err *err)
{
	struct tl_out *out;
	size_t i;
	int rc = 0;

	if ((out = tl_out_open(path, TL_FMT_JSONL, err)) == NULL)
		return -1;
	if (!each)
		rc = tl_out_write(out, v, err);
	for (i = 0; each && rc == 0 && i < json_array_size(v); i++)
		rc = tl_out_write(out, json_array_get(v, i), err);
	if (rc == -1) {
		tl_out_abort(out);
		return -1;
	}
	return tl_out_close(out, err);
}

/* The summary line counts every value considered under its status
 * (moved, of them capped, held, kept; a breaker's series by state), so
 * that the parts add up to the whole. */
static void
summary(const struct opts *o, const struct tl_policy *p)
{
	const char *name = tl_policy_kinds[o->cmd].name;
	struct tl_policy_counts c;
	char rows[160], retired[64] = "";

	tl_policy_counts(p, &c);
	if (o->retired != NULL)
		snprintf(retired, sizeof(retired), "; %zu retired left out",
		    c.retired);
	if (strcmp(name, "breaker") == 0) {
		tl_msg("breaker: read %zu returns, %zu after --asof; %zu "
		    "series: %zu halted, %zu reduced, %zu normal%s", c.rows,
		    c.after_asof, c.groups, c.halted, c.reduced, c.normal,
		    retired);
		return;
	}
	if (c.skipped_cf == 0)
		snprintf(rows, sizeof(rows), "used %zu (%zu counterfactual)",
		    c.used, c.counterfactual);
	else
		snprintf(rows, sizeof(rows), "used %zu, %zu counterfactual "
		    "left out", c.used, c.skipped_cf);
	tl_msg("%s: read %zu rows, %s, %zu after --asof; %zu values: %zu "
	    "moved (%zu capped), %zu held, %zu kept%s", name, c.rows, rows,
	    c.after_asof, c.groups, c.moved, c.capped, c.held, c.kept,
	    retired);
	if (c.nosig > 0)
		tl_msg("%s: left out %zu trade(s) without '%s' (no signal's)",
		    name, c.nosig, o->po.conviction);
}

static int
run(struct opts *o, struct tl_err *err)
{
	struct tl_pf_inputs in = { 0 };	/* --retired */
	struct tl_policy *p;
	json_t *pol = NULL, *facts = NULL;
	int rc = -1;

	o->po.threads = tl_threads(o->po.threads, MAX_THREADS);
	if (o->retired != NULL) {
		if (tl_pf_inputs_read(&in, NULL, NULL, o->retired, NULL,
		    err) == -1) {
			tl_pf_inputs_release(&in);
			return -1;
		}
		o->po.retired = in.retired;
		o->po.nretired = in.nretired;
	}
	if ((p = tl_policy_alloc(&o->po, err)) == NULL) {
		tl_pf_inputs_release(&in);
		return -1;
	}
	if ((o->prev == NULL || tl_policy_prev(p, o->prev, err) == 0) &&
	    tl_policy_read(p, o->inputs, o->ninputs, err) == 0 &&
	    tl_policy_finish(p, &pol, &facts, err) == 0 &&
	    (o->facts == NULL || write_out(o->facts, facts, 1, err) == 0) &&
	    write_out(o->output, pol, 0, err) == 0)
		rc = 0;
	if (rc == 0 && !o->quiet)
		summary(o, p);
	json_decref(facts);
	json_decref(pol);
	tl_policy_free(p);
	tl_pf_inputs_release(&in);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct opts o = { .po = TL_POLICY_OPTS_DEFAULT };
	struct tl_err err = { 0 };
	int status = TL_EX_OK, rc;

	tl_init("tl-policy");
	o.po.threads = 0;
	parse_args(argc, argv, &o);
	rc = o.cmd == tl_policy_nkinds ? run_check(&o, &err) : run(&o, &err);
	if (rc == -1)
		status = tl_report(&err);
	else if (rc == 1)
		status = TL_EX_FALSE;
	free(o.buckets);
	free(o.grid);
	return tl_exit_status(status);
}
