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
 * line per strategy and the portfolio summary; lib/tl_pf_file reads the
 * side inputs and makes those lines and the summary.
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
#include "tl_num.h"
#include "tl_opt.h"
#include "tl_out.h"
#include "tl_panel.h"
#include "tl_pf_file.h"
#include "tl_portfolio.h"
#include "tl_qp.h"
#include "tl_util.h"

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
	char *line = NULL, *p, *end;
	size_t linecap = 0;
	int rc = -1;

	if ((fp = fopen(path, "r")) == NULL)
		return tl_err_set(err, TL_EX_NOINPUT, path, 0, "cannot open");
	/* a row of Q is one line: 110 kB at n = 5,000 */
	while (getline(&line, &linecap, fp) != -1) {
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
	free(line);
	return rc;
}

/* The lines on standard error (without -q). */
static void
tell(const struct opts *o, const struct tl_portfolio *pf)
{
	double h = tl_pf_effective_n(pf), v = tl_portfolio_var(pf, pf->w);
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

/* v to path (NULL: stdout) as one JSON line; v is stolen. */
static int
write_object(const char *path, json_t *v, struct tl_err *err)
{
	struct tl_out *out;
	int rc = -1;

	if ((out = tl_out_open(path, TL_FMT_JSONL, err)) != NULL) {
		if (tl_out_write(out, v, err) == -1)
			tl_out_abort(out);
		else
			rc = tl_out_close(out, err);
	}
	json_decref(v);
	return rc;
}

static int
write_rows(const struct opts *o, const struct tl_portfolio *pf,
    const struct tl_pf_inputs *in, struct tl_err *err)
{
	struct tl_out *out;

	if ((out = tl_out_open(o->output, o->fmt, err)) == NULL)
		return -1;
	if (tl_pf_write_rows(out, pf, in->prev, in->nprev, err) == -1) {
		tl_out_abort(out);
		return -1;
	}
	return tl_out_close(out, err);
}

static int
run(struct opts *o, struct tl_err *err)
{
	struct tl_panel pn = { 0 };
	struct tl_panel_opts po = { .fmt = o->ifmt };
	struct tl_portfolio pf = { 0 };
	struct tl_pf_inputs in = { 0 };
	struct tl_pf_opts *p = &o->pf;
	int rc = -1;

	if (tl_panel_read(&pn, o->inputs, o->ninputs, &po, err) == -1)
		return -1;
	if (tl_pf_inputs_read(&in, o->prev, o->mu_file, o->retired,
	    o->alerts, err) == -1)
		goto out;
	tl_pf_inputs_use(&in, p);
	p->mu_file = o->mu_file;
	if (tl_portfolio_init(&pf, &pn, p, err) == -1)
		goto out;
	if (!isnan(p->max_corr) && !o->set_weight && !o->quiet)
		tl_warn("--max-corr without --max-weight: each group of "
		    "correlated strategies shares the cap 1, which binds "
		    "nothing");
	if (tl_portfolio_solve(&pf, p, err) == -1 ||
	    write_rows(o, &pf, &in, err) == -1 ||
	    (o->summary != NULL && write_object(o->summary, tl_pf_summary(p,
	    &pf, o->prev != NULL), err) == -1))
		goto out;
	if (!o->quiet)
		tell(o, &pf);
	rc = 0;
out:
	tl_portfolio_release(&pf);
	tl_pf_inputs_release(&in);
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
