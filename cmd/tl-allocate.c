/*
 * tl-allocate: split virtual capital across live strategies.  Reads the
 * daily returns tl-ingest writes (through tl_panel), the previous
 * allocation, retirements and overfit alerts, and lets lib/tl_portfolio
 * choose tonight's strategies (live, old enough, not demoted), estimate
 * their expected returns and covariance (with a stated fallback order
 * when they share few days) and allocate by one of its methods (the
 * table tl_pf_methods: --method help lists it, so a new method needs no
 * change here) under weight bounds (the rest in cash when they cannot
 * sum to 1), a volatility cap, a correlation (diversity) cap, a
 * turnover limit (raised to what tonight forces) and a minimum trade; a
 * method with no answer falls back (see tl-allocate(1)).  Writes one
 * line per strategy and the portfolio summary.
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "tl_err.h"
#include "tl_json.h"
#include "tl_num.h"
#include "tl_opt.h"
#include "tl_out.h"
#include "tl_panel.h"
#include "tl_portfolio.h"
#include "tl_qp.h"
#include "tl_records.h"
#include "tl_time.h"
#include "tl_util.h"

#define SUMMARY_FORMAT	"tl-allocation-summary"
#define FORMAT_VERSION	1

struct opts {
	struct tl_pf_opts pf;		/* what the engine reads */
	const char	*alerts;	/* --alerts */
	enum tl_fmt	 fmt;		/* output format */
	enum tl_fmt	 ifmt;		/* input format, AUTO: sniffed */
	const char	*mu_file;	/* --mu */
	const char	*output;	/* -o */
	const char	*prev;		/* -p */
	int		 quiet;		/* -q */
	const char	*retired;	/* --retired */
	const char	*solve_qp;	/* hidden bench mode */
	const char	*summary;	/* -S */
	const char	*method;	/* the default method's name */
	int		 set_weight;	/* --max-weight given */
	char		**inputs;	/* returns files */
	int		 ninputs;
};

/* What was read from --prev, --mu, --retired and --alerts (owns the
 * strings the engine's arrays point to). */
struct inputs {
	struct tl_pf_named	*prev, *mu;
	size_t			 nprev, nmu;
	struct tl_pf_retired	*retired;
	size_t			 nretired;
	struct tl_pf_alert	*alerts;
	size_t			 nalerts;
	char			**strings;
	size_t			 nstrings;
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: tl-allocate [-q] [-f format] [-i format] [-m method] [-o file]\n"
"                   [-p file] [-S file] [-w days] [--alerts file]\n"
"                   [--annualize N] [--asof date] [--demoted-max-weight w]\n"
"                   [--estimator E] [--expected R] [--fallback method]\n"
"                   [--halflife N] [--live-days N] [--max-corr rho]\n"
"                   [--max-turnover T] [--max-vol sigma] [--max-weight w]\n"
"                   [--min-days N] [--min-trade w] [--min-weight w]\n"
"                   [--missing how] [--mu file] [--retired file]\n"
"                   [--risk-aversion L] [--risk-free r] [--unfilled how]\n"
"                   [file ...]\n");
	if (fp != stdout)
		return;
	fprintf(fp,
"\nAllocate capital across tonight's strategies from their daily returns\n"
"(see tl-allocate(1)).\n\n"
"      --alerts=FILE     tl-overfit alerts: unacknowledged demote alerts\n"
"                        act on the weights\n"
"      --annualize=N     periods per year (252)\n"
"      --asof=DATE       the night's date (the last date of the returns);\n"
"                        later returns are not used\n"
"      --demoted-max-weight=W  weight cap of a demoted strategy (0: out)\n"
"      --estimator=E     covariance: sample, ledoit-wolf (default),\n"
"                        ledoit-wolf-cc, ewma\n"
"      --expected=R      expected returns: mean (default), ewma, shrunk\n"
"  -f, --format=FMT      output: jsonl or csv\n"
"      --fallback=M      when the method has no answer: min-variance\n"
"                        (default), equal, cash or none (fail)\n"
"      --halflife=N      EWMA half-life in days (63)\n"
"  -h, --help            this help\n"
"  -i, --input-format=F  returns: jsonl, csv or json (default: from the\n"
"                        content)\n"
"      --live-days=N     live: a return within N days before --asof\n"
"                        (10; 0: no test)\n"
"  -m, --method=M        allocation method (min-variance); --method=help\n"
"                        lists them\n"
"      --max-corr=RHO    strategies correlated above RHO share one\n"
"                        --max-weight cap\n"
"      --max-turnover=T  sum |w - prev| at most T, or the least tonight\n"
"                        forces if more (needs --prev)\n"
"      --max-vol=SIGMA   annual volatility cap\n"
"      --max-weight=W    per strategy (1)\n"
"      --min-days=N      fewer returns in the window: left out (20)\n"
"      --min-trade=W     changes smaller than W are not made\n"
"      --min-weight=W    per strategy (0)\n"
"      --missing=HOW     gaps: auto (default), aligned or pairwise\n"
"      --mu=FILE         expected returns (strategy, expected_return)\n"
"  -o, --output=FILE     write to FILE (atomically) instead of stdout\n"
"  -p, --prev=FILE       the previous allocation\n"
"  -q, --quiet           no summary lines on stderr\n"
"      --retired=FILE    retirements (strategy, ts): retired ones are out\n"
"      --risk-aversion=L mean-variance lambda (1)\n"
"      --risk-free=R     annual rate for the Sharpe ratio (0)\n"
"  -S, --summary=FILE    the portfolio summary (JSON)\n"
"      --unfilled=HOW    caps that sum below 1: cash (default: the rest\n"
"                        in cash) or relax (raise --max-weight)\n"
"  -V, --version         print the version\n"
"  -w, --window=DAYS     use the last DAYS dates only\n");
}

/* --method help: the methods of the table, one a line, to stdout. */
static void
list_methods(const char *dflt)
{
	const struct tl_pf_method *me;
	size_t i;

	for (i = 0; i < tl_pf_nmethods; i++) {
		me = &tl_pf_methods[i];
		printf("%-14s %s%s%s%s\n", me->name, me->about,
		    me->alias != NULL ? "; also " : "", me->alias != NULL ?
		    me->alias : "", strcmp(me->name, dflt) == 0 ?
		    " (default)" : "");
	}
}

#define PICK(opt, arg, tab, n) \
	tl_parse_word(opt, arg, tab, n, sizeof((tab)[0]), NULL)

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	enum { O_ALERTS = 256, O_ANN, O_ASOF, O_DEMOTED, O_ESTIMATOR,
	    O_EXPECTED, O_FALLBACK, O_HALF, O_LIVE, O_MAXCORR, O_MAXTURN,
	    O_MAXVOL, O_MAXW, O_MINDAYS, O_MINTRADE, O_MINW, O_MISSING, O_MU,
	    O_RETIRED, O_LAMBDA, O_RF, O_SOLVEQP, O_UNFILLED };
	static const struct option longopts[] = {
		{ "alerts", required_argument, NULL, O_ALERTS },
		{ "annualize", required_argument, NULL, O_ANN },
		{ "asof", required_argument, NULL, O_ASOF },
		{ "demoted-max-weight", required_argument, NULL, O_DEMOTED },
		{ "estimator", required_argument, NULL, O_ESTIMATOR },
		{ "expected", required_argument, NULL, O_EXPECTED },
		{ "format", required_argument, NULL, 'f' },
		{ "fallback", required_argument, NULL, O_FALLBACK },
		{ "halflife", required_argument, NULL, O_HALF },
		{ "help", no_argument, NULL, 'h' },
		{ "input-format", required_argument, NULL, 'i' },
		{ "live-days", required_argument, NULL, O_LIVE },
		{ "method", required_argument, NULL, 'm' },
		{ "max-corr", required_argument, NULL, O_MAXCORR },
		{ "max-turnover", required_argument, NULL, O_MAXTURN },
		{ "max-vol", required_argument, NULL, O_MAXVOL },
		{ "max-weight", required_argument, NULL, O_MAXW },
		{ "min-days", required_argument, NULL, O_MINDAYS },
		{ "min-trade", required_argument, NULL, O_MINTRADE },
		{ "min-weight", required_argument, NULL, O_MINW },
		{ "missing", required_argument, NULL, O_MISSING },
		{ "mu", required_argument, NULL, O_MU },
		{ "output", required_argument, NULL, 'o' },
		{ "prev", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "retired", required_argument, NULL, O_RETIRED },
		{ "returns", required_argument, NULL, O_EXPECTED },
		{ "risk-aversion", required_argument, NULL, O_LAMBDA },
		{ "risk-free", required_argument, NULL, O_RF },
		{ "solve-qp", required_argument, NULL, O_SOLVEQP },
		{ "summary", required_argument, NULL, 'S' },
		{ "unfilled", required_argument, NULL, O_UNFILLED },
		{ "version", no_argument, NULL, 'V' },
		{ "window", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	/* tl(7), the interface: -F is -i; -e and -r became long-only, and
	 * --returns --expected, since -r names a returns file elsewhere */
	static const struct tl_old_opt old[] = { { "-e", "estimator" },
	    { "-F", "input-format" }, { "-r", "expected" },
	    { "--returns", "expected" } };
	static const struct tl_getopt g = { ":e:F:f:hi:m:o:p:qr:S:Vw:",
	    longopts, old, TL_NELEM(old) };
	struct tl_pf_opts *p = &o->pf;
	const struct tl_pf_method *me;
	struct tl_err err = { 0 };
	struct tl_opt_file f[4];
	int64_t days;
	long m;
	int ch, bad = 0;

	while ((ch = tl_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case O_ALERTS:
			o->alerts = optarg;
			break;
		case O_ANN:
			bad = tl_parse_double("--annualize", optarg, 1, 1e6,
			    &p->annualize, &err);
			break;
		case O_ASOF:
			if (tl_panel_date_days(optarg, &days) == -1)
				tl_usage_error("--asof: '%s' is not a date "
				    "(YYYY-MM-DD)", optarg);
			p->asof = optarg;
			break;
		case O_DEMOTED:
			bad = tl_parse_double("--demoted-max-weight", optarg,
			    0, 1, &p->demoted_max_weight, &err);
			break;
		case O_ESTIMATOR:
			p->estimator = PICK("--estimator", optarg,
			    tl_pf_estimators, tl_pf_nestimators);
			break;
		case O_EXPECTED:
			p->returns = PICK("--expected", optarg, tl_pf_mu_ests,
			    tl_pf_nmu_ests);
			if (!tl_pf_mu_ests[p->returns].option)
				tl_usage_error("--expected: '%s' is not a "
				    "choice (--mu FILE reads expected returns)",
				    optarg);
			break;
		case 'f':
			o->fmt = tl_parse_format("--format", optarg, 0);
			break;
		case O_FALLBACK:
			p->fallback = PICK("--fallback", optarg,
			    tl_pf_fallbacks, tl_pf_nfallbacks);
			break;
		case O_HALF:
			bad = tl_parse_double("--halflife", optarg, 0.5, 1e9,
			    &p->halflife, &err);
			break;
		case 'h':
			usage(stdout);
			exit(tl_exit_status(TL_EX_OK));
		case 'i':
			o->ifmt = tl_parse_format("--input-format", optarg, 1);
			break;
		case O_LIVE:
			bad = tl_parse_long("--live-days", optarg, 0, 1000000,
			    &p->live_days, &err);
			break;
		case 'm':
			if (strcmp(optarg, "help") == 0) {
				list_methods(o->method);
				exit(tl_exit_status(TL_EX_OK));
			}
			/* a name or an alias; else the list */
			if ((m = tl_pf_method_find(optarg)) < 0)
				m = (long)PICK("--method", optarg,
				    tl_pf_methods, tl_pf_nmethods);
			p->method = (size_t)m;
			break;
		case O_MAXCORR:
			bad = tl_parse_double("--max-corr", optarg, -1, 1,
			    &p->max_corr, &err);
			break;
		case O_MAXTURN:
			bad = tl_parse_double("--max-turnover", optarg, 0, 2,
			    &p->max_turnover, &err);
			break;
		case O_MAXVOL:
			bad = tl_parse_double("--max-vol", optarg, 1e-12, 1e6,
			    &p->max_vol, &err);
			break;
		case O_MAXW:
			bad = tl_parse_double("--max-weight", optarg, 1e-12, 1,
			    &p->max_weight, &err);
			o->set_weight = 1;
			break;
		case O_MINDAYS:
			bad = tl_parse_long("--min-days", optarg, 0, 1000000,
			    &p->min_days, &err);
			break;
		case O_MINTRADE:
			bad = tl_parse_double("--min-trade", optarg, 0, 1,
			    &p->min_trade, &err);
			break;
		case O_MINW:
			bad = tl_parse_double("--min-weight", optarg, 0, 1,
			    &p->min_weight, &err);
			break;
		case O_MISSING:
			p->missing = PICK("--missing", optarg,
			    tl_pf_gap_modes, tl_pf_ngap_modes);
			break;
		case O_MU:
			o->mu_file = optarg;
			p->returns = PICK("--mu", "file", tl_pf_mu_ests,
			    tl_pf_nmu_ests);
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'p':
			o->prev = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case O_RETIRED:
			o->retired = optarg;
			break;
		case O_LAMBDA:
			bad = tl_parse_double("--risk-aversion", optarg, 1e-9,
			    1e9, &p->lambda, &err);
			break;
		case O_RF:
			bad = tl_parse_double("--risk-free", optarg, -1, 1,
			    &p->rf, &err);
			break;
		case O_SOLVEQP:
			o->solve_qp = optarg;
			break;
		case 'S':
			o->summary = optarg;
			break;
		case O_UNFILLED:
			p->unfilled = PICK("--unfilled", optarg,
			    tl_pf_unfilleds, tl_pf_nunfilleds);
			break;
		case 'V':
			tl_version_exit();
		case 'w':
			bad = tl_parse_long("--window", optarg, 2, LONG_MAX,
			    &p->window, &err);
			break;
		}
		if (bad)
			tl_usage_error("%s: %s", err.where, err.msg);
	}
	o->inputs = argv + optind;
	o->ninputs = argc - optind;
	f[0] = (struct tl_opt_file){ "--prev", o->prev };
	f[1] = (struct tl_opt_file){ "--mu", o->mu_file };
	f[2] = (struct tl_opt_file){ "--retired", o->retired };
	f[3] = (struct tl_opt_file){ "--alerts", o->alerts };
	if (o->solve_qp == NULL)
		tl_opt_inputs(f, TL_NELEM(f), o->inputs, o->ninputs, 1, usage);
	me = &tl_pf_methods[p->method];
	if (p->min_weight > p->max_weight)
		tl_usage_error("--min-weight %g is above --max-weight %g",
		    p->min_weight, p->max_weight);
	if (!isnan(p->max_turnover) && o->prev == NULL)
		tl_usage_error("--max-turnover needs --prev FILE (the "
		    "allocation to measure the change from)");
	if (p->min_trade > 0 && o->prev == NULL)
		tl_usage_error("--min-trade needs --prev FILE");
	if (me->needs_max_vol && isnan(p->max_vol))
		tl_usage_error("--method %s needs --max-vol", me->name);
	if (tl_pf_gap_modes[p->missing].sample_only &&
	    strcmp(tl_pf_estimators[p->estimator].name, "sample") != 0)
		tl_usage_error("--missing pairwise works with --estimator "
		    "sample only (shrinkage and EWMA need whole days)");
	if (me->kind != TL_PF_QP && (!isnan(p->max_corr) ||
	    !isnan(p->max_turnover)))
		tl_usage_error("--max-corr and --max-turnover are constraints "
		    "of the optimising methods, not of %s", me->name);
}


/* ---- the hidden --solve-qp mode (bench/allocate.sh) ------------------ */

/* Read "# comment", n, Q (n x n), c, lo, hi as whitespace-separated
 * numbers, solve with sum w = 1 and print objective, violation, seconds
 * and iterations as one JSON line. */
static int
cmd_solve_qp(const char *path, struct tl_err *err)
{
	FILE *fp;
	double *x = NULL, *w = NULL, secs;
	size_t n = 0, need, cap = 0, len = 0;
	struct tl_qp_problem pr;
	struct tl_qp_info info;
	struct tl_qp *qp = NULL;
	struct timespec t0, t1;
	char line[65536], *p, *end;
	int rc = -1;

	if ((fp = fopen(path, "r")) == NULL)
		return tl_err_set(err, TL_EX_NOINPUT, path, 0, "cannot open");
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] == '#')
			continue;
		for (p = line;; p = end) {
			double v = strtod(p, &end);

			if (end == p)
				break;
			if (len == cap)
				x = tl_xreallocarray(x, cap = cap ? 2 * cap :
				    1024, sizeof(double));
			x[len++] = v;
		}
		if (strlen(line) == sizeof(line) - 1)
			goto bad;	/* a number may be cut: lines too long */
	}
	fclose(fp);
	fp = NULL;
	if (len < 1 || (n = (size_t)x[0]) < 1)
		goto bad;
	need = 1 + n * n + 3 * n;
	if (len != need)
		goto bad;
	pr = (struct tl_qp_problem){ .n = n, .q = x + 1, .c = x + 1 + n * n,
	    .lo = x + 1 + n * n + n, .hi = x + 1 + n * n + 2 * n, .sum = 1 };
	w = tl_xcalloc(n, sizeof(double));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	qp = tl_qp_alloc(n);
	if (tl_qp_solve(qp, &pr, w, 0, &info, err) == -1)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec -
	    t0.tv_nsec);
	{
		char a[TL_NUM_BUFSZ], b[TL_NUM_BUFSZ], c[TL_NUM_BUFSZ];

		tl_fmt_double(a, info.obj);
		tl_fmt_double(b, tl_qp_violation(&pr, w));
		tl_fmt_double(c, secs);
		printf("{\"n\":%zu,\"objective\":%s,\"violation\":%s,"
		    "\"seconds\":%s,\"iterations\":%zu,\"free\":%zu}\n", n, a,
		    b, c, info.iter, info.nfree);
	}
	rc = 0;
	goto out;
bad:
	tl_err_set(err, TL_EX_DATAERR, path, 0, "not a QP file: n, then n*n "
	    "+ 3n numbers (Q, c, lo, hi)");
out:
	if (fp != NULL)
		fclose(fp);
	tl_qp_free(qp);
	free(w);
	free(x);
	return rc;
}

/* ---- reading the side inputs ----------------------------------------- */

/* A copy of s that in owns. */
static const char *
keep(struct inputs *in, const char *s)
{
	if (s == NULL)
		return NULL;
	in->strings = tl_xreallocarray(in->strings, in->nstrings + 1,
	    sizeof(char *));
	return in->strings[in->nstrings++] = tl_xstrdup(s);
}

static void
inputs_release(struct inputs *in)
{
	size_t i;

	for (i = 0; i < in->nstrings; i++)
		free(in->strings[i]);
	free(in->strings);
	free(in->prev);
	free(in->mu);
	free(in->retired);
	free(in->alerts);
}

/* Field key of rec as a string that must be there (0), or -1 with err
 * "field 'x': missing" or the type error. */
static int
need_string(const json_t *rec, const char *key, const char **out,
    const char *name, unsigned long line, struct tl_err *err)
{
	int r = tl_json_get_string(rec, key, out, name, line, err);

	if (r == 0)
		tl_err_set(err, TL_EX_DATAERR, name, line, "field '%s': "
		    "missing", key);
	return r == 1 ? 0 : -1;
}

/* Every record of path to take(); the first error stops. */
static int
each_record(const char *path, struct inputs *in, void *dst,
    int (*take)(struct inputs *, void *, const json_t *, const char *,
    unsigned long, struct tl_err *), struct tl_err *err)
{
	struct tl_records *r;
	json_t *rec;
	int rc;

	if ((r = tl_records_open(path, TL_FMT_AUTO, err)) == NULL)
		return -1;
	while ((rc = tl_records_next(r, &rec, err)) == 1) {
		rc = take(in, dst, rec, tl_records_name(r),
		    tl_records_line(r), err);
		json_decref(rec);
		if (rc == -1)
			break;
	}
	tl_records_free(r);
	return rc == 0 ? 0 : -1;
}

/* strategy -> number: --prev (weight) or --mu (expected_return). */
struct named_dst {
	const char		 *key;
	struct tl_pf_named	**v;
	size_t			 *n;
};

static int
take_named(struct inputs *in, void *dst, const json_t *rec,
    const char *name, unsigned long line, struct tl_err *err)
{
	struct named_dst *d = dst;
	const char *s;
	double v;
	size_t i;
	int r;

	if (need_string(rec, "strategy", &s, name, line, err) == -1)
		return -1;
	if ((r = tl_json_get_number(rec, d->key, &v, name, line, err)) != 1)
		return r == 0 ? tl_err_set(err, TL_EX_DATAERR, name, line,
		    "field '%s': missing", d->key) : -1;
	for (i = 0; i < *d->n; i++)
		if (strcmp((*d->v)[i].name, s) == 0)
			return tl_err_set(err, TL_EX_DATAERR, name, line,
			    "strategy '%s' appears twice", s);
	*d->v = tl_xreallocarray(*d->v, *d->n + 1, sizeof(**d->v));
	(*d->v)[*d->n].name = keep(in, s);
	(*d->v)[(*d->n)++].v = v;
	return 0;
}

/* A retirement: strategy, and ts as a time (text or epoch number). */
static int
take_retired(struct inputs *in, void *dst, const json_t *rec,
    const char *name, unsigned long line, struct tl_err *err)
{
	const json_t *ts = json_object_get(rec, "ts");
	const char *s;
	int64_t ms;
	int ok;

	(void)dst;
	if (need_string(rec, "strategy", &s, name, line, err) == -1)
		return -1;
	if (ts == NULL || json_is_null(ts))
		return tl_err_set(err, TL_EX_DATAERR, name, line, "field "
		    "'ts': missing");
	ok = json_is_string(ts) ? tl_time_parse(json_string_value(ts),
	    json_string_length(ts), &ms) == 0 : json_is_number(ts) &&
	    tl_time_from_epoch(json_number_value(ts), &ms) == 0;
	if (!ok)
		return tl_err_set(err, TL_EX_DATAERR, name, line, "field "
		    "'ts': not a time (RFC 3339 or epoch seconds)");
	in->retired = tl_xreallocarray(in->retired, in->nretired + 1,
	    sizeof(*in->retired));
	in->retired[in->nretired].strategy = keep(in, s);
	tl_time_format_date(in->retired[in->nretired++].date, ms);
	return 0;
}

/* An alert of tl-overfit: strategy, a known action, acknowledged. */
static int
take_alert(struct inputs *in, void *dst, const json_t *rec,
    const char *name, unsigned long line, struct tl_err *err)
{
	static const char *opt[] = { "kind", "severity", "since" };
	const char *s, *act, *v[3] = { NULL, NULL, NULL };
	const json_t *ack = json_object_get(rec, "acknowledged");
	struct tl_pf_alert *a;
	size_t i;

	(void)dst;
	if (need_string(rec, "strategy", &s, name, line, err) == -1 ||
	    need_string(rec, "action", &act, name, line, err) == -1)
		return -1;
	if (tl_pf_action_demotes(act) == -1)
		return tl_err_set(err, TL_EX_DATAERR, name, line, "field "
		    "'action': unknown '%s' (demote, retrain or watch)", act);
	if (ack == NULL || !json_is_boolean(ack))
		return tl_err_set(err, TL_EX_DATAERR, name, line, "field "
		    "'acknowledged': expected boolean, got %s", ack == NULL ?
		    "none" : tl_json_typename(ack));
	for (i = 0; i < TL_NELEM(opt); i++)
		if (tl_json_get_string(rec, opt[i], &v[i], name, line,
		    err) == -1)
			return -1;
	in->alerts = tl_xreallocarray(in->alerts, in->nalerts + 1,
	    sizeof(*in->alerts));
	a = &in->alerts[in->nalerts++];
	a->strategy = keep(in, s);
	a->action = keep(in, act);
	a->acknowledged = json_is_true(ack);
	a->kind = keep(in, v[0]);
	a->severity = keep(in, v[1]);
	a->since = keep(in, v[2]);
	return 0;
}

static int
read_inputs(const struct opts *o, struct inputs *in, struct tl_err *err)
{
	struct named_dst prev = { "weight", &in->prev, &in->nprev };
	struct named_dst mu = { "expected_return", &in->mu, &in->nmu };

	return (o->prev != NULL && each_record(o->prev, in, &prev, take_named,
	    err) == -1) || (o->mu_file != NULL && each_record(o->mu_file, in,
	    &mu, take_named, err) == -1) || (o->retired != NULL &&
	    each_record(o->retired, in, NULL, take_retired, err) == -1) ||
	    (o->alerts != NULL && each_record(o->alerts, in, NULL, take_alert,
	    err) == -1) ? -1 : 0;
}

/* ---- output ----------------------------------------------------------- */

static json_t *
num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *
str(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* The line of a strategy without weight tonight. */
static json_t *
zero_row(const char *name, double prev)
{
	return json_pack("{s:s,s:f,s:o,s:o,s:n,s:n,s:f}", "strategy", name,
	    "weight", 0.0, "prev_weight", num(prev), "change", num(0 - prev),
	    "expected_return", "volatility", "risk_contribution", 0.0);
}

/* The line of panel strategy j. */
static json_t *
row(const struct tl_portfolio *pf, size_t j, double var)
{
	const struct tl_pf_strategy *s = &pf->all[j];
	size_t n = pf->n, i = (size_t)s->idx, k;
	double r = 0, w;
	json_t *rec;

	if (s->idx < 0)
		rec = zero_row(s->name, s->prev);
	else {
		w = pf->w[i];
		for (k = 0; k < n; k++)
			r += pf->cov[i * n + k] * pf->w[k];
		rec = json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "strategy",
		    s->name, "weight", num(w), "prev_weight",
		    num(pf->prev[i]), "change", num(w - pf->prev[i]),
		    "expected_return", num(pf->mu[i]), "volatility",
		    num(sqrt(pf->cov[i * n + i])), "risk_contribution",
		    num(var > 0 ? w * r / var : NAN));
	}
	if (s->status != TL_PF_IN) {
		json_object_set_new(rec, "status",
		    json_string(tl_pf_status_name(s->status)));
		json_object_set_new(rec, "reason", json_string(s->reason));
	}
	return rec;
}

static int
write_rows(const struct opts *o, const struct tl_portfolio *pf,
    const struct inputs *in, struct tl_err *err)
{
	struct tl_out *out;
	size_t i, j, k, nd = 0;
	double var = tl_portfolio_var(pf, pf->w);
	const struct tl_pf_named **dropped = NULL;
	json_t *rec;
	int rc = 0;

	if ((out = tl_out_open(o->output, o->fmt, err)) == NULL)
		return -1;
	for (k = 0; k < in->nprev; k++) {	/* no longer in the returns */
		for (j = 0; j < pf->nall; j++)
			if (strcmp(pf->all[j].name, in->prev[k].name) == 0)
				break;
		if (j == pf->nall) {
			dropped = tl_xreallocarray(dropped, nd + 1,
			    sizeof(*dropped));
			dropped[nd++] = &in->prev[k];
		}
	}
	for (i = 0, j = 0; rc == 0 && (i < pf->nall || j < nd);) {
		/* merge in name order; dropped names are not sorted */
		size_t bj = nd;

		for (k = 0; k < nd; k++)
			if (dropped[k] != NULL && (bj == nd ||
			    strcmp(dropped[k]->name, dropped[bj]->name) < 0))
				bj = k;
		if (bj < nd && (i == pf->nall || strcmp(dropped[bj]->name,
		    pf->all[i].name) < 0)) {
			rec = zero_row(dropped[bj]->name, dropped[bj]->v);
			dropped[bj] = NULL;	/* done */
			j++;
		} else
			rec = row(pf, i++, var);
		rc = tl_out_write(out, rec, err);
		json_decref(rec);
	}
	free(dropped);
	if (rc == -1) {
		tl_out_abort(out);
		return -1;
	}
	return tl_out_close(out, err);
}

/* Weights at a limit, as a JSON array of names. */
static json_t *
at_limit(const struct tl_portfolio *pf, const double *lim)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < pf->n; i++)
		if (fabs(pf->w[i] - lim[i]) <= 1e-12)
			json_array_append_new(a, json_string(pf->names[i]));
	return a;
}

/* {"constraint": name, "strategies": a} appended to act if a is not
 * empty. */
static void
add_active(json_t *act, const char *name, json_t *a)
{
	if (json_array_size(a) > 0)
		json_array_append_new(act, json_pack("{s:s,s:o}",
		    "constraint", name, "strategies", a));
	else
		json_decref(a);
}

static json_t *
active_constraints(const struct tl_pf_opts *p, const struct tl_portfolio *pf)
{
	json_t *act = json_array(), *g;
	size_t i, k;
	double v = sqrt(tl_portfolio_var(pf, pf->w)), sum;

	if (pf->used == TL_PF_CASH)
		return act;	/* no weight at a limit holds anything */
	if (p->min_weight > 0)
		add_active(act, "min-weight", at_limit(pf, pf->lo));
	if (pf->max_weight < 1)
		add_active(act, "max-weight", at_limit(pf, pf->hi));
	if (!isnan(p->max_vol) && fabs(v - p->max_vol) <= 1e-9 * p->max_vol)
		json_array_append_new(act, json_pack("{s:s,s:o}",
		    "constraint", "max-vol", "value", num(p->max_vol)));
	for (k = 0; k < pf->ngroups; k++) {
		sum = 0;
		g = json_array();
		for (i = 0; i < pf->n; i++)
			if (pf->group[i] == k) {
				sum += pf->w[i];
				json_array_append_new(g,
				    json_string(pf->names[i]));
			}
		if (fabs(sum - pf->cap[k]) <= 1e-12)
			add_active(act, "max-corr", g);
		else
			json_decref(g);
	}
	if (!isnan(pf->max_turnover) && fabs(tl_portfolio_turnover(pf,
	    pf->w) - pf->max_turnover) <= 1e-9)
		json_array_append_new(act, json_pack("{s:s,s:o}",
		    "constraint", "max-turnover", "value",
		    num(pf->max_turnover)));
	return act;
}

/* Tonight's strategies by status, and each one left out or capped. */
static void
add_excluded(json_t *v, const struct tl_portfolio *pf)
{
	json_t *counts = json_object(), *ex = json_array(), *e;
	const struct tl_pf_strategy *s;
	enum tl_pf_status st;
	size_t j;

	json_object_set_new(counts, "returns",
	    json_integer((json_int_t)pf->nall));
	json_object_set_new(counts, "allocated",
	    json_integer((json_int_t)pf->n));
	for (st = TL_PF_RETIRED; st < TL_PF_NSTATUS; st++)
		json_object_set_new(counts, tl_pf_status_name(st),
		    json_integer((json_int_t)pf->count[st]));
	for (j = 0; j < pf->nall; j++) {
		if ((s = &pf->all[j])->status == TL_PF_IN)
			continue;
		e = json_pack("{s:s,s:s,s:s}", "strategy", s->name, "status",
		    tl_pf_status_name(s->status), "reason", s->reason);
		if (s->alert != NULL) {
			json_object_set_new(e, "kind", str(s->alert->kind));
			json_object_set_new(e, "severity",
			    str(s->alert->severity));
			json_object_set_new(e, "since", str(s->alert->since));
		}
		json_array_append_new(ex, e);
	}
	json_object_set_new(v, "counts", counts);
	json_object_set_new(v, "excluded", ex);
}

/* What tonight's allocation is: asof, the covariance used and why, the
 * fallback, cash, the strategies left out. */
static void
add_tonight(json_t *v, const struct tl_pf_opts *p,
    const struct tl_portfolio *pf)
{
	int pw = pf->pairwise;

	json_object_set_new(v, "asof", json_string(pf->asof));
	json_object_set_new(v, "covariance",
	    json_string(tl_pf_covariance_name(pf->covariance)));
	json_object_set_new(v, "covariance_reason", str(pf->cov_reason));
	json_object_set_new(v, "min_pair_days", pw ?
	    json_integer((json_int_t)pf->min_pair_days) : json_null());
	json_object_set_new(v, "unmeasured_pairs", pw ?
	    json_integer((json_int_t)pf->unmeasured) : json_null());
	json_object_set_new(v, "repair_iterations", pf->repair > 0 ?
	    json_integer(pf->repair) : json_null());
	json_object_set_new(v, "fallback", pf->fell_back ?
	    json_pack("{s:s,s:s,s:s}", "from", tl_pf_methods[p->method].name,
	    "to", pf->used == TL_PF_CASH ? "cash" :
	    tl_pf_methods[pf->used].name, "reason", pf->fb_reason) :
	    json_null());
	json_object_set_new(v, "cash", num(pf->cash));
	json_object_set_new(v, "max_weight_applied", num(pf->max_weight));
	add_excluded(v, pf);
}

/* The effective number of strategies, (sum w)^2 / sum w^2 (1 / sum w^2
 * when fully invested); NaN in cash. */
static double
effective_n(const struct tl_portfolio *pf)
{
	double h = 0, s = 1 - pf->cash;
	size_t i;

	for (i = 0; i < pf->n; i++)
		h += pf->w[i] * pf->w[i];
	return s * s / h;
}

static int
write_summary(const struct opts *o, const struct tl_portfolio *pf,
    struct tl_err *err)
{
	const struct tl_pf_opts *p = &o->pf;
	struct tl_out *out;
	json_t *v, *cons;
	double var = tl_portfolio_var(pf, pf->w), r;
	size_t i, ngrouped = 0;
	int rc;

	r = tl_portfolio_ret(pf, pf->w);
	for (i = 0; i < pf->n; i++)
		ngrouped += pf->group != NULL && pf->group[i] != TL_QP_NOGROUP;
	cons = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "min_weight",
	    num(p->min_weight), "max_weight", num(p->max_weight), "max_vol",
	    num(p->max_vol), "max_corr", num(p->max_corr), "max_turnover",
	    num(p->max_turnover), "min_trade", p->min_trade > 0 ?
	    num(p->min_trade) : json_null(), "risk_aversion",
	    tl_pf_methods[p->method].risk_aversion ? num(p->lambda) :
	    json_null());
	v = json_pack("{s:s,s:i,s:s,s:s,s:s,s:s,s:o,s:o,s:I,s:I,s:o,s:o,"
	    "s:o}", "format", SUMMARY_FORMAT, "version", FORMAT_VERSION,
	    "method", tl_pf_methods[p->method].name, "estimator",
	    tl_pf_estimators[p->estimator].name, "returns",
	    tl_pf_mu_ests[p->returns].name, "missing",
	    tl_pf_gap_modes[p->missing].name, "annualize", num(p->annualize),
	    "halflife", tl_pf_estimators[p->estimator].halflife ||
	    tl_pf_mu_ests[p->returns].ewma ? num(p->halflife) : json_null(),
	    "strategies", (json_int_t)pf->n, "days", (json_int_t)pf->days,
	    "first_date", str(pf->first), "last_date", str(pf->last),
	    "shrinkage", num(pf->shrink));
	json_object_set_new(v, "returns_shrinkage", num(pf->mu_shrink));
	json_object_set_new(v, "expected_return", num(r));
	json_object_set_new(v, "volatility", num(sqrt(var)));
	json_object_set_new(v, "risk_free", num(p->rf));
	json_object_set_new(v, "sharpe", num(var > 0 ? (r - p->rf) /
	    sqrt(var) : NAN));
	json_object_set_new(v, "effective_n", num(effective_n(pf)));
	json_object_set_new(v, "turnover", o->prev != NULL ?
	    num(tl_portfolio_turnover(pf, pf->w)) : json_null());
	json_object_set_new(v, "turnover_forced", o->prev != NULL ?
	    num(pf->turnover_forced) : json_null());
	json_object_set_new(v, "max_turnover_applied", num(pf->max_turnover));
	json_object_set_new(v, "correlated_groups",
	    json_integer((json_int_t)pf->ngroups));
	json_object_set_new(v, "grouped_strategies",
	    json_integer((json_int_t)ngrouped));
	json_object_set_new(v, "constraints", cons);
	json_object_set_new(v, "constraints_active",
	    active_constraints(p, pf));
	json_object_set_new(v, "qp_solves",
	    json_integer((json_int_t)pf->qp_solves));
	add_tonight(v, p, pf);
	if ((out = tl_out_open(o->summary, TL_FMT_JSONL, err)) == NULL) {
		json_decref(v);
		return -1;
	}
	if (tl_out_write(out, v, err) == -1) {
		tl_out_abort(out);
		json_decref(v);
		return -1;
	}
	json_decref(v);
	rc = tl_out_close(out, err);
	return rc;
}

/* The lines on standard error (without -q). */
static void
tell(const struct opts *o, const struct tl_portfolio *pf)
{
	double h = effective_n(pf), v = tl_portfolio_var(pf, pf->w);
	size_t left = pf->nall - pf->n + pf->count[TL_PF_CAPPED];

	if (left > 0)
		tl_msg("%zu of %zu strategies left out or capped (retired %zu, "
		    "not-live %zu, too-few-days %zu, demoted %zu, capped %zu)",
		    left, pf->nall, pf->count[TL_PF_RETIRED],
		    pf->count[TL_PF_NOT_LIVE], pf->count[TL_PF_TOO_FEW_DAYS],
		    pf->count[TL_PF_DEMOTED], pf->count[TL_PF_CAPPED]);
	if (pf->cov_reason != NULL)
		tl_msg("covariance %s (%s)",
		    tl_pf_covariance_name(pf->covariance), pf->cov_reason);
	if (pf->fell_back)
		tl_warn("%s has no answer, %s instead: %s",
		    tl_pf_methods[o->pf.method].name, pf->used == TL_PF_CASH ?
		    "cash" : tl_pf_methods[pf->used].name, pf->fb_reason);
	if (pf->max_weight > o->pf.max_weight)
		tl_msg("--max-weight %g raised to %.4g tonight (--unfilled "
		    "relax): the caps of %zu strategies reach 1",
		    o->pf.max_weight, pf->max_weight, pf->n);
	if (pf->used != TL_PF_CASH && pf->cash > 0)
		tl_msg("cash %.4g: the caps of the %zu strategies allocated "
		    "tonight sum to %.4g", pf->cash, pf->n, 1 - pf->cash);
	if (pf->used == TL_PF_CASH)
		tl_msg("cash: no strategy holds a weight tonight");
	else if (isnan(v))
		tl_msg("%s over %zu strategies without a covariance: "
		    "expected return %.4g, effective strategies %.3g",
		    tl_pf_methods[pf->used].name, pf->n,
		    tl_portfolio_ret(pf, pf->w), h);
	else
		tl_msg("%s over %zu strategies, %zu day%s: expected return "
		    "%.4g, volatility %.4g, effective strategies %.3g",
		    tl_pf_methods[pf->used].name, pf->n, pf->days,
		    pf->days == 1 ? "" : "s", tl_portfolio_ret(pf, pf->w),
		    sqrt(v), h);
	if (o->prev != NULL)
		tl_msg("turnover %.4g against %s",
		    tl_portfolio_turnover(pf, pf->w), o->prev);
	if (pf->max_turnover > o->pf.max_turnover)
		tl_msg("--max-turnover %g raised to %.4g, the turnover tonight "
		    "forces (%.4g of it from strategies left out or gone)",
		    o->pf.max_turnover, pf->max_turnover, pf->out + pf->gone);
}

static int
run(struct opts *o, struct tl_err *err)
{
	struct tl_panel pn = { 0 };
	struct tl_panel_opts po = { .fmt = o->ifmt };
	struct tl_portfolio pf = { 0 };
	struct inputs in = { 0 };
	struct tl_pf_opts *p = &o->pf;
	int rc = -1;

	if (tl_panel_read(&pn, o->inputs, o->ninputs, &po, err) == -1)
		return -1;
	if (read_inputs(o, &in, err) == -1)
		goto out;
	p->prev = in.prev;
	p->nprev = in.nprev;
	p->mu = o->mu_file != NULL ? in.mu : NULL;
	p->nmu = in.nmu;
	p->mu_file = o->mu_file;
	p->retired = in.retired;
	p->nretired = in.nretired;
	p->alerts = in.alerts;
	p->nalerts = in.nalerts;
	if (tl_portfolio_init(&pf, &pn, p, err) == -1)
		goto out;
	if (!isnan(p->max_corr) && !o->set_weight && !o->quiet)
		tl_warn("--max-corr without --max-weight: each group of "
		    "correlated strategies shares the cap 1, which binds "
		    "nothing");
	if (tl_portfolio_solve(&pf, p, err) == -1 ||
	    write_rows(o, &pf, &in, err) == -1 ||
	    (o->summary != NULL && write_summary(o, &pf, err) == -1))
		goto out;
	if (!o->quiet)
		tell(o, &pf);
	rc = 0;
out:
	tl_portfolio_release(&pf);
	inputs_release(&in);
	tl_panel_free(&pn);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct opts o = { .pf = { .annualize = 252, .halflife = 63,
	    .lambda = 1, .max_corr = NAN, .max_turnover = NAN, .max_vol = NAN,
	    .max_weight = 1, .live_days = 10, .min_days = 20 },
	    .fmt = TL_FMT_AUTO };
	struct tl_err err = { 0 };
	int status = TL_EX_OK, rc;

	tl_init("tl-allocate");
	/* the defaults by name: min-variance, ledoit-wolf, mean, auto */
	o.method = "min-variance";
	o.pf.method = (size_t)tl_pf_method_find(o.method);
	o.pf.estimator = (size_t)tl_table_find(tl_pf_estimators,
	    tl_pf_nestimators, sizeof(tl_pf_estimators[0]), "ledoit-wolf");
	o.pf.returns = (size_t)tl_table_find(tl_pf_mu_ests, tl_pf_nmu_ests,
	    sizeof(tl_pf_mu_ests[0]), "mean");
	o.pf.missing = (size_t)tl_table_find(tl_pf_gap_modes,
	    tl_pf_ngap_modes, sizeof(tl_pf_gap_modes[0]), "auto");
	o.pf.fallback = (size_t)tl_table_find(tl_pf_fallbacks,
	    tl_pf_nfallbacks, sizeof(tl_pf_fallbacks[0]), "min-variance");
	o.pf.unfilled = (size_t)tl_table_find(tl_pf_unfilleds,
	    tl_pf_nunfilleds, sizeof(tl_pf_unfilleds[0]), "cash");
	parse_args(argc, argv, &o);
	if (o.solve_qp != NULL)
		rc = cmd_solve_qp(o.solve_qp, &err);
	else
		rc = run(&o, &err);
	if (rc == -1)
		status = tl_report(&err);
	return tl_exit_status(status);
}
