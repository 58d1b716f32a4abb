/*
 * tl-allocate: split virtual capital across live strategies.  Reads the
 * daily returns tl-ingest writes (through tl_panel), estimates expected
 * returns and a covariance (sample, Ledoit-Wolf, EWMA), and allocates by
 * mean-variance, minimum variance, maximum Sharpe, target volatility,
 * equal risk contribution, HRP or equal weight, under weight bounds, a
 * volatility cap, a correlation (diversity) cap, a turnover limit and a
 * minimum trade.  The optimising methods solve their QPs with lib/tl_qp;
 * the volatility cap and the turnover limit are met exactly by searching
 * the parameter of a QP family (risk aversion, L1 weight) along its
 * piecewise-affine solution path (see tl-allocate(1)).
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "tl_cov.h"
#include "tl_err.h"
#include "tl_json.h"
#include "tl_num.h"
#include "tl_out.h"
#include "tl_panel.h"
#include "tl_qp.h"
#include "tl_records.h"
#include "tl_util.h"

#define SUMMARY_FORMAT	"tl-allocation-summary"
#define FORMAT_VERSION	1
#define IDENTICAL_CORR	(1 - 1e-12)	/* two strategies are one */
#define PATH_BISECT	200		/* bisection steps on a path */
#define PATH_DOUBLE	200		/* doublings to find a bracket */
#define PATH_END	1e9		/* parameter / (its rival's scale) past
					 * which the path is at its end */

enum method { M_MV, M_MINVAR, M_MAXSHARPE, M_TARGETVOL, M_ERC, M_HRP,
	M_EQUAL };
static const char *method_names[] = { "mean-variance", "min-variance",
	"max-sharpe", "target-vol", "erc", "hrp", "equal" };
enum estimator { E_SAMPLE, E_LW, E_LWCC, E_EWMA };
static const char *estimator_names[] = { "sample", "ledoit-wolf",
	"ledoit-wolf-cc", "ewma" };
enum muest { R_MEAN, R_EWMA, R_SHRUNK, R_FILE };
static const char *muest_names[] = { "mean", "ewma", "shrunk", "file" };
enum missing { X_ALIGNED, X_PAIRWISE };

struct opts {
	double		 annualize;	/* periods per year */
	enum estimator	 est;		/* covariance estimator */
	enum tl_fmt	 fmt;		/* output format */
	enum tl_fmt	 ifmt;		/* input format, AUTO: by name */
	double		 halflife;	/* EWMA half-life in days */
	double		 lambda;	/* --risk-aversion */
	double		 max_corr;	/* NAN: off */
	double		 max_turnover;	/* NAN: off */
	double		 max_vol;	/* NAN: off */
	double		 max_weight;	/* per strategy */
	enum method	 method;
	double		 min_trade;	/* 0: off */
	double		 min_weight;
	enum missing	 missing;	/* aligned or pairwise */
	const char	*mu_file;	/* --mu */
	enum muest	 muest;		/* expected returns */
	const char	*output;	/* -o */
	const char	*prev;		/* --prev */
	int		 quiet;		/* -q */
	double		 rf;		/* --risk-free, annual */
	const char	*solve_qp;	/* hidden bench mode */
	const char	*summary;	/* --summary */
	long		 window;	/* last N dates, 0: all */
	int		 set_weight;	/* --max-weight given */
	char		**inputs;	/* returns files */
	int		 ninputs;
};

/* The problem after estimation, in annual units. */
struct prob {
	size_t		 n;		/* strategies */
	char		**names;	/* borrowed from the panel */
	double		*cov;		/* n x n, annual */
	double		*corr;		/* n x n sample correlation */
	double		*mu;		/* n, annual */
	double		*prev;		/* n, previous weights (0 if new) */
	double		 gone;		/* previous weight of dropped ones */
	size_t		 days;		/* days used */
	const char	*first, *last;	/* their first and last date */
	double		 shrink;	/* LW intensity, NAN if none */
	double		 mu_shrink;	/* James-Stein intensity, NAN */
	double		*lo, *hi;	/* bounds */
	size_t		*group;		/* --max-corr group or NOGROUP */
	double		*cap;		/* group caps */
	size_t		 ngroups;
	struct tl_qp	*qp;		/* workspace */
	double		 turnover_cap;	/* on the universe, NAN: off */
	size_t		 qp_iter;	/* iterations in all */
	size_t		 qp_solves;
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: tl-allocate [-q] [-e estimator] [-F format] [-f format]\n"
"                   [-m method] [-o file] [-r returns] [-w days]\n"
"                   [--annualize N] [--halflife N]\n"
"                   [--max-corr rho] [--max-turnover T] [--max-vol sigma]\n"
"                   [--max-weight w] [--min-trade w] [--min-weight w]\n"
"                   [--missing how] [--mu file] [--prev file]\n"
"                   [--risk-aversion L] [--risk-free r] [--summary file]\n"
"                   [file ...]\n");
	if (fp != stdout)
		return;
	fprintf(fp,
"\nAllocate capital across strategies from their daily returns\n"
"(see tl-allocate(1)).\n\n"
"      --annualize=N     periods per year (252)\n"
"  -e, --estimator=E     covariance: sample, ledoit-wolf (default),\n"
"                        ledoit-wolf-cc, ewma\n"
"  -F, --input-format=F  returns: jsonl or csv (default: by name)\n"
"  -f, --format=FMT      output: jsonl or csv\n"
"      --halflife=N      EWMA half-life in days (63)\n"
"  -h, --help            this help\n"
"  -m, --method=M        mean-variance, min-variance (default),\n"
"                        max-sharpe, target-vol, erc, hrp, equal\n"
"      --max-corr=RHO    strategies correlated above RHO share one\n"
"                        --max-weight cap\n"
"      --max-turnover=T  sum |w - prev| at most T (needs --prev)\n"
"      --max-vol=SIGMA   annual volatility cap\n"
"      --max-weight=W    per strategy (1)\n"
"      --min-trade=W     changes smaller than W are not made\n"
"      --min-weight=W    per strategy (0)\n"
"      --missing=HOW     aligned (default) or pairwise\n"
"      --mu=FILE         expected returns (strategy, expected_return)\n"
"  -o, --output=FILE     write to FILE (atomically) instead of stdout\n"
"      --prev=FILE       the previous allocation\n"
"  -q, --quiet           no summary line on stderr\n"
"  -r, --returns=R       expected returns: mean (default), ewma, shrunk\n"
"      --risk-aversion=L mean-variance lambda (1)\n"
"      --risk-free=R     annual rate for the Sharpe ratio (0)\n"
"      --summary=FILE    the portfolio summary (JSON)\n"
"  -V, --version         print the version\n"
"  -w, --window=DAYS     use the last DAYS dates only\n");
}

static int
pick(const char *opt, const char *arg, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(arg, names[i]) == 0)
			return i;
	if (strcmp(opt, "--method") == 0 && strcmp(arg, "risk-parity") == 0)
		return M_ERC;
	tl_usage_error("%s: unknown '%s'", opt, arg);
}

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	enum { O_ANN = 256, O_HALF, O_MAXCORR, O_MAXTURN, O_MAXVOL, O_MAXW,
	    O_MINTRADE, O_MINW, O_MISSING, O_MU, O_PREV, O_LAMBDA, O_RF,
	    O_SOLVEQP, O_SUMMARY };
	static const struct option longopts[] = {
		{ "annualize", required_argument, NULL, O_ANN },
		{ "estimator", required_argument, NULL, 'e' },
		{ "input-format", required_argument, NULL, 'F' },
		{ "format", required_argument, NULL, 'f' },
		{ "halflife", required_argument, NULL, O_HALF },
		{ "help", no_argument, NULL, 'h' },
		{ "method", required_argument, NULL, 'm' },
		{ "max-corr", required_argument, NULL, O_MAXCORR },
		{ "max-turnover", required_argument, NULL, O_MAXTURN },
		{ "max-vol", required_argument, NULL, O_MAXVOL },
		{ "max-weight", required_argument, NULL, O_MAXW },
		{ "min-trade", required_argument, NULL, O_MINTRADE },
		{ "min-weight", required_argument, NULL, O_MINW },
		{ "missing", required_argument, NULL, O_MISSING },
		{ "mu", required_argument, NULL, O_MU },
		{ "output", required_argument, NULL, 'o' },
		{ "prev", required_argument, NULL, O_PREV },
		{ "quiet", no_argument, NULL, 'q' },
		{ "returns", required_argument, NULL, 'r' },
		{ "risk-aversion", required_argument, NULL, O_LAMBDA },
		{ "risk-free", required_argument, NULL, O_RF },
		{ "solve-qp", required_argument, NULL, O_SOLVEQP },
		{ "summary", required_argument, NULL, O_SUMMARY },
		{ "version", no_argument, NULL, 'V' },
		{ "window", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *missing_names[] = { "aligned", "pairwise" };
	struct tl_err err = { 0 };
	int ch, bad = 0;

	while ((ch = getopt_long(argc, argv, ":e:F:f:hm:o:qr:Vw:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case O_ANN:
			bad = tl_parse_double("--annualize", optarg, 1, 1e6,
			    &o->annualize, &err);
			break;
		case 'e':
			o->est = pick("--estimator", optarg, estimator_names,
			    4);
			break;
		case 'F':
			if ((o->ifmt = tl_fmt_parse(optarg)) == TL_FMT_AUTO)
				tl_usage_error("--input-format: unknown '%s' "
				    "(jsonl or csv)", optarg);
			break;
		case 'f':
			if ((o->fmt = tl_fmt_parse(optarg)) == TL_FMT_AUTO)
				tl_usage_error("--format: unknown '%s' (jsonl "
				    "or csv)", optarg);
			break;
		case O_HALF:
			bad = tl_parse_double("--halflife", optarg, 0.5, 1e9,
			    &o->halflife, &err);
			break;
		case 'h':
			usage(stdout);
			exit(tl_exit_status(TL_EX_OK));
		case 'm':
			o->method = pick("--method", optarg, method_names, 7);
			break;
		case O_MAXCORR:
			bad = tl_parse_double("--max-corr", optarg, -1, 1,
			    &o->max_corr, &err);
			break;
		case O_MAXTURN:
			bad = tl_parse_double("--max-turnover", optarg, 0, 2,
			    &o->max_turnover, &err);
			break;
		case O_MAXVOL:
			bad = tl_parse_double("--max-vol", optarg, 1e-12, 1e6,
			    &o->max_vol, &err);
			break;
		case O_MAXW:
			bad = tl_parse_double("--max-weight", optarg, 1e-12, 1,
			    &o->max_weight, &err);
			o->set_weight = 1;
			break;
		case O_MINTRADE:
			bad = tl_parse_double("--min-trade", optarg, 0, 1,
			    &o->min_trade, &err);
			break;
		case O_MINW:
			bad = tl_parse_double("--min-weight", optarg, 0, 1,
			    &o->min_weight, &err);
			break;
		case O_MISSING:
			o->missing = pick("--missing", optarg, missing_names,
			    2);
			break;
		case O_MU:
			o->mu_file = optarg;
			o->muest = R_FILE;
			break;
		case 'o':
			o->output = optarg;
			break;
		case O_PREV:
			o->prev = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'r':
			o->muest = pick("--returns", optarg, muest_names, 3);
			break;
		case O_LAMBDA:
			bad = tl_parse_double("--risk-aversion", optarg, 1e-9,
			    1e9, &o->lambda, &err);
			break;
		case O_RF:
			bad = tl_parse_double("--risk-free", optarg, -1, 1,
			    &o->rf, &err);
			break;
		case O_SOLVEQP:
			o->solve_qp = optarg;
			break;
		case O_SUMMARY:
			o->summary = optarg;
			break;
		case 'V':
			tl_version_exit();
		case 'w':
			bad = tl_parse_long("--window", optarg, 2, LONG_MAX,
			    &o->window, &err);
			break;
		default:
			tl_bad_option(ch, argv[optind - 1]);
		}
		if (bad)
			tl_usage_error("%s: %s", err.where, err.msg);
	}
	o->inputs = argv + optind;
	o->ninputs = argc - optind;
	if (o->min_weight > o->max_weight)
		tl_usage_error("--min-weight %g is above --max-weight %g",
		    o->min_weight, o->max_weight);
	if (!isnan(o->max_turnover) && o->prev == NULL)
		tl_usage_error("--max-turnover needs --prev FILE (the "
		    "allocation to measure the change from)");
	if (o->min_trade > 0 && o->prev == NULL)
		tl_usage_error("--min-trade needs --prev FILE");
	if (o->method == M_TARGETVOL && isnan(o->max_vol))
		tl_usage_error("--method target-vol needs --max-vol");
	if (o->missing == X_PAIRWISE && o->est != E_SAMPLE)
		tl_usage_error("--missing pairwise works with --estimator "
		    "sample only (shrinkage and EWMA need whole days)");
	if (o->method >= M_ERC && (!isnan(o->max_corr) ||
	    !isnan(o->max_turnover)))
		tl_usage_error("--max-corr and --max-turnover are constraints "
		    "of the optimising methods, not of %s",
		    method_names[o->method]);
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

/* ---- estimation ------------------------------------------------------- */

/* Previous weights by strategy name, from --prev. */
struct named {
	char	**names;
	double	 *v;
	size_t	  n;
};

static void
named_release(struct named *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->names[i]);
	free(m->names);
	free(m->v);
}

static long
named_find(const struct named *m, const char *s)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->names[i], s) == 0)
			return (long)i;
	return -1;
}

/* Read strategy -> number (field key) from a JSONL/CSV file. */
static int
named_read(struct named *m, const char *path, const char *key,
    struct tl_err *err)
{
	struct tl_records *r;
	json_t *rec;
	const char *s;
	double v;
	int rc;

	if ((r = tl_records_open(path, TL_FMT_AUTO, err)) == NULL)
		return -1;
	while ((rc = tl_records_next(r, &rec, err)) == 1) {
		unsigned long line = tl_records_line(r);

		if (tl_json_get_string(rec, "strategy", &s, path, line,
		    err) != 1 || tl_json_get_number(rec, key, &v, path, line,
		    err) != 1) {
			if (err->code == 0)
				tl_err_set(err, TL_EX_DATAERR, path, line,
				    "field '%s': missing",
				    json_object_get(rec, "strategy") == NULL ?
				    "strategy" : key);
			json_decref(rec);
			rc = -1;
			break;
		}
		if (named_find(m, s) >= 0) {
			tl_err_set(err, TL_EX_DATAERR, path, line, "strategy "
			    "'%s' appears twice", s);
			json_decref(rec);
			rc = -1;
			break;
		}
		m->names = tl_xreallocarray(m->names, m->n + 1,
		    sizeof(char *));
		m->v = tl_xreallocarray(m->v, m->n + 1, sizeof(double));
		m->names[m->n] = tl_xstrdup(s);
		m->v[m->n++] = v;
		json_decref(rec);
	}
	tl_records_free(r);
	return rc == 0 ? 0 : -1;
}

/* Pairwise-complete sample covariance (ddof 1) and each series' own
 * mean (as pandas' DataFrame.cov).  The matrix need not be positive
 * definite: main() checks.  Returns -1 if a pair shares fewer than 2
 * days. */
static int
pairwise(const struct tl_panel *pn, size_t t0, size_t t1, double *cov,
    double *mean, const struct opts *o, struct tl_err *err)
{
	size_t n = pn->nseries, i, j, t, k, *cnt;

	for (i = 0; i < n; i++) {
		double s = 0;

		k = 0;
		for (t = t0; t < t1; t++)
			if (!isnan(pn->x[t * n + i])) {
				s += pn->x[t * n + i];
				k++;
			}
		mean[i] = k > 0 ? s / (double)k : NAN;
	}
	cnt = tl_xcalloc(n * n, sizeof(size_t));
	tl_cov_pairwise(pn->x + t0 * n, t1 - t0, n, cov, cnt);
	for (i = 0; i < n; i++)
		for (j = i; j < n; j++)
			if ((k = cnt[i * n + j]) < 2) {
				free(cnt);
				return tl_err_set(err, TL_EX_DATAERR, NULL, 0,
				    "strategies '%s' and '%s' share %zu day%s "
				    "with returns: too short a history for a "
				    "covariance (need 2)", pn->names[i],
				    pn->names[j], k, k == 1 ? "" : "s");
			}
	free(cnt);
	(void)o;
	return 0;
}

/* Estimate mu and the covariance (annual units) for the window. */
static int
estimate(const struct opts *o, const struct tl_panel *pn, struct prob *pb,
    struct tl_err *err)
{
	size_t n = pn->nseries, t0 = 0, t1 = pn->ndates, t, j, i, k, rows = 0;
	double *x = NULL, *mean, a = o->annualize, v, m, s;

	if (n < 2)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "%zu "
		    "strateg%s in the returns: an allocation needs at least "
		    "two", n, n == 1 ? "y" : "ies");
	if (o->window > 0 && (size_t)o->window < pn->ndates)
		t0 = pn->ndates - (size_t)o->window;
	pb->n = n;
	pb->names = pn->names;
	pb->cov = tl_xcalloc(n * n, sizeof(double));
	pb->corr = tl_xcalloc(n * n, sizeof(double));
	pb->mu = tl_xcalloc(n, sizeof(double));
	mean = tl_xcalloc(n, sizeof(double));
	pb->shrink = NAN;
	pb->mu_shrink = NAN;
	if (o->missing == X_PAIRWISE) {
		if (pairwise(pn, t0, t1, pb->cov, mean, o, err) == -1) {
			free(mean);
			return -1;
		}
		pb->days = t1 - t0;
		pb->first = pn->dates[t0];
		pb->last = pn->dates[t1 - 1];
	} else {
		x = tl_xcalloc((t1 - t0) * n, sizeof(double));
		for (t = t0; t < t1; t++) {
			for (j = 0; j < n; j++)
				if (isnan(pn->x[t * n + j]))
					break;
			if (j < n)
				continue;	/* a gap: the day is not used */
			if (rows == 0)
				pb->first = pn->dates[t];
			pb->last = pn->dates[t];
			memcpy(x + rows * n, pn->x + t * n, n * sizeof(double));
			rows++;
		}
		pb->days = rows;
		if (rows < 2) {
			free(x);
			free(mean);
			return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "%zu "
			    "day%s with a return for every strategy: too "
			    "short a history (need 2; see --missing)", rows,
			    rows == 1 ? "" : "s");
		}
		for (j = 0; j < n; j++) {
			for (t = 0; t < rows; t++)
				mean[j] += x[t * n + j];
			mean[j] /= (double)rows;
		}
		/* the cross products, once: the sample and Ledoit-Wolf
		 * estimates and the correlation below are made from them */
		tl_cov_cross(x, rows, n, pb->corr);
		switch (o->est) {
		case E_SAMPLE:
			for (k = 0; k < n * n; k++)
				pb->cov[k] = pb->corr[k] / ((double)rows - 1);
			break;
		case E_LW:
			pb->shrink = tl_cov_lw_identity(x, rows, n, pb->corr,
			    pb->cov);
			break;
		case E_LWCC:
			pb->shrink = tl_cov_lw_constcorr(x, rows, n, pb->corr,
			    pb->cov);
			break;
		case E_EWMA:
			tl_cov_ewma(x, rows, n, o->halflife, NULL, pb->cov);
			break;
		}
		if (o->muest == R_EWMA) {
			double *tmp = tl_xcalloc(n * n, sizeof(double));

			tl_cov_ewma(x, rows, n, o->halflife, mean, tmp);
			free(tmp);
		}
	}
	/* degenerate data: a constant strategy, two that are one */
	for (i = 0; i < n; i++)
		if (!(pb->cov[i * n + i] > 0) && !(o->est != E_SAMPLE &&
		    o->est != E_EWMA && pb->cov[i * n + i] > 0)) {
			free(x);
			free(mean);
			return tl_err_set(err, TL_EX_DATAERR, NULL, 0,
			    "strategy '%s' has constant returns over the %zu "
			    "days used: no risk to allocate by (drop it or "
			    "widen --window)", pn->names[i], pb->days);
		}
	if (x != NULL) {
		for (i = 0; i < n; i++) {	/* constant in the window */
			for (t = 1; t < rows; t++)
				if (x[t * n + i] != x[i])
					break;
			if (t == rows) {
				free(x);
				free(mean);
				return tl_err_set(err, TL_EX_DATAERR, NULL, 0,
				    "strategy '%s' has constant returns over "
				    "the %zu days used: no risk to allocate by "
				    "(drop it or widen --window)",
				    pn->names[i], pb->days);
			}
		}
	}
	if (o->muest == R_SHRUNK) {
		/* James-Stein toward the cross-sectional mean:
		 * delta = (n - 3) (mean variance / T) / sum (mu_i - mbar)^2 */
		m = 0;
		v = 0;
		s = 0;
		for (i = 0; i < n; i++) {
			m += mean[i] / (double)n;
			v += pb->cov[i * n + i] / (double)n;
		}
		for (i = 0; i < n; i++)
			s += (mean[i] - m) * (mean[i] - m);
		pb->mu_shrink = n > 3 && s > 0 ? fmin(1, (double)(n - 3) * v /
		    (double)pb->days / s) : n > 3 ? 1 : 0;
		for (i = 0; i < n; i++)
			mean[i] = (1 - pb->mu_shrink) * mean[i] +
			    pb->mu_shrink * m;
	}
	/* --max-corr groups by the sample correlation, whatever the
	 * estimator (shrinkage pulls correlations toward its target) */
	if (x == NULL)	/* pairwise: the covariance (no cross products) */
		memcpy(pb->corr, pb->cov, n * n * sizeof(double));
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if (i != j)
				pb->corr[i * n + j] /= sqrt(pb->corr[i * n +
				    i] * pb->corr[j * n + j]);
	for (i = 0; i < n; i++)
		pb->corr[i * n + i] = 1;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (pb->corr[i * n + j] >= IDENTICAL_CORR) {
				free(x);
				free(mean);
				return tl_err_set(err, TL_EX_DATAERR, NULL, 0,
				    "strategies '%s' and '%s' have perfectly "
				    "correlated returns over the %zu days used: "
				    "the same strategy twice? (drop one)",
				    pn->names[i], pn->names[j], pb->days);
			}
	for (i = 0; i < n; i++)
		pb->mu[i] = a * mean[i];
	for (k = 0; k < n * n; k++)
		pb->cov[k] *= a;
	free(x);
	free(mean);
	return 0;
}

/* ---- portfolio figures ------------------------------------------------ */

static double
pvar(const struct prob *pb, const double *w)
{
	double v = 0, r;
	size_t i, j, n = pb->n;

	for (i = 0; i < n; i++) {
		if (w[i] == 0)
			continue;
		r = 0;
		for (j = 0; j < n; j++)
			r += pb->cov[i * n + j] * w[j];
		v += w[i] * r;
	}
	return v;
}

static double
pret(const struct prob *pb, const double *w)
{
	double r = 0;
	size_t i;

	for (i = 0; i < pb->n; i++)
		r += pb->mu[i] * w[i];
	return r;
}

static double
turnover(const struct prob *pb, const double *w)
{
	double s = 0;
	size_t i;

	for (i = 0; i < pb->n; i++)
		s += fabs(w[i] - pb->prev[i]);
	return s;
}

/* ---- solving along paths ---------------------------------------------- */

/* One QP of the family min 1/2 w'Cw - t mu'w + m sum|w - prev| under
 * the bounds and caps; states[] gets the face (for piece detection). */
static int
qp_at(struct prob *pb, double t, double m, double *w, int *states,
    int warm, struct tl_err *err)
{
	struct tl_qp_problem pr;
	struct tl_qp_info info;
	double *c = tl_xcalloc(pb->n, sizeof(double));
	size_t i;
	int rc;

	for (i = 0; i < pb->n; i++)
		c[i] = t * pb->mu[i];
	pr = (struct tl_qp_problem){ .n = pb->n, .q = pb->cov, .c = c,
	    .lo = pb->lo, .hi = pb->hi, .sum = 1, .ngroups = pb->ngroups,
	    .group = pb->group, .cap = pb->cap, .prev = m > 0 ? pb->prev :
	    NULL, .mu = m };
	rc = tl_qp_solve(pb->qp, &pr, w, warm, &info, err);
	free(c);
	if (rc == -1)
		return -1;
	pb->qp_iter += info.iter;
	pb->qp_solves++;
	for (i = 0; i < pb->n; i++)
		states[i] = (int)tl_qp_state(pb->qp, i);
	return 0;
}

/* The largest absolute row sum of the covariance: a bound on |Cw| for
 * weights in [-1, 1]. */
static double
row_bound(const struct prob *pb)
{
	double b = 0, r;
	size_t i, j, n = pb->n;

	for (i = 0; i < n; i++) {
		r = 0;
		for (j = 0; j < n; j++)
			r += fabs(pb->cov[i * n + j]);
		b = fmax(b, r);
	}
	return b;
}

static double
max_abs(const double *x, size_t n)
{
	double m = 0;
	size_t i;

	for (i = 0; i < n; i++)
		m = fmax(m, fabs(x[i]));
	return m;
}

/* A point of the path: parameter, weights, face. */
struct pt {
	double	 s;
	double	*w;
	int	*st;
};

static void
pt_init(struct pt *p, size_t n)
{
	p->s = 0;
	p->w = tl_xcalloc(n, sizeof(double));
	p->st = tl_xcalloc(n, sizeof(int));
}

static void
pt_release(struct pt *p)
{
	free(p->w);
	free(p->st);
}

static void
pt_copy(struct pt *d, const struct pt *s, size_t n)
{
	d->s = s->s;
	memcpy(d->w, s->w, n * sizeof(double));
	memcpy(d->st, s->st, n * sizeof(int));
}

/* Solution at risk parameter t with the turnover limit met: the L1
 * weight m is searched so that the turnover equals the limit when it
 * binds (turnover falls as m grows, affinely on each face). */
static int
solve_t(struct prob *pb, double t, struct pt *out, struct tl_err *err)
{
	size_t n = pb->n, k;
	double T = pb->turnover_cap, lo_to, hi_to, scale = 0, f, end;
	struct pt a, b, c;
	int rc = -1;

	out->s = t;
	if (qp_at(pb, t, 0, out->w, out->st, 0, err) == -1)
		return -1;
	if (isnan(T) || turnover(pb, out->w) <= T)
		return 0;
	pt_init(&a, n);
	pt_init(&b, n);
	pt_init(&c, n);
	pt_copy(&a, out, n);
	a.s = 0;
	for (k = 0; k < n; k++)
		scale = fmax(scale, pb->cov[k * n + k]);
	b.s = scale * 1e-3;
	end = PATH_END * (row_bound(pb) + t * max_abs(pb->mu, n));
	for (k = 0; k < PATH_DOUBLE; k++) {
		if (qp_at(pb, t, b.s, b.w, b.st, 1, err) == -1)
			goto out;
		if (turnover(pb, b.w) <= T)
			break;
		if (b.s > end) {	/* the L1 term rules: least turnover */
			k = PATH_DOUBLE;
			break;
		}
		pt_copy(&a, &b, n);
		b.s *= 2;
	}
	if (k == PATH_DOUBLE) {
		tl_err_set(err, TL_EX_DATAERR, NULL, 0, "--max-turnover %g is "
		    "below the lowest turnover reachable under these "
		    "constraints (%.3g)", T + pb->gone, turnover(pb, b.w) +
		    pb->gone);
		goto out;
	}
	for (k = 0; k < PATH_BISECT; k++) {
		if (memcmp(a.st, b.st, n * sizeof(int)) == 0) {
			/* one face: turnover affine in m between a and b */
			lo_to = turnover(pb, a.w);
			hi_to = turnover(pb, b.w);
			f = lo_to == hi_to ? 1 : (lo_to - T) / (lo_to - hi_to);
			f = fmin(1, fmax(0, f));
			for (size_t i = 0; i < n; i++)
				out->w[i] = a.w[i] + f * (b.w[i] - a.w[i]);
			memcpy(out->st, b.st, n * sizeof(int));
			rc = 0;
			goto out;
		}
		c.s = 0.5 * (a.s + b.s);
		if (c.s <= a.s || c.s >= b.s)
			break;
		if (qp_at(pb, t, c.s, c.w, c.st, 1, err) == -1)
			goto out;
		if (turnover(pb, c.w) <= T)
			pt_copy(&b, &c, n);
		else
			pt_copy(&a, &c, n);
	}
	memcpy(out->w, b.w, n * sizeof(double));	/* feasible side */
	memcpy(out->st, b.st, n * sizeof(int));
	rc = 0;
out:
	pt_release(&a);
	pt_release(&b);
	pt_release(&c);
	return rc;
}

/* Along t (vol rises with t), the point where the volatility is cap:
 * a and b bracket it (vol(a) <= cap < vol(b)).  On one face w is affine
 * in t, so the variance is a quadratic in the step: solved exactly. */
static int
vol_root(struct prob *pb, struct pt *a, struct pt *b, double cap,
    double *w, struct tl_err *err)
{
	size_t n = pb->n, k, i;
	double *dw, A, B, C, s, cap2 = cap * cap;
	struct pt c;
	int rc = -1;

	pt_init(&c, n);
	dw = tl_xcalloc(n, sizeof(double));
	for (k = 0; k < PATH_BISECT; k++) {
		if (memcmp(a->st, b->st, n * sizeof(int)) == 0) {
			double r;

			for (i = 0; i < n; i++)
				dw[i] = b->w[i] - a->w[i];
			A = pvar(pb, a->w);
			C = pvar(pb, dw);
			B = 0;
			for (i = 0; i < n; i++) {
				r = 0;
				for (size_t j = 0; j < n; j++)
					r += pb->cov[i * n + j] * dw[j];
				B += a->w[i] * r;
			}
			/* A + 2 B s + C s^2 = cap^2, root in [0, 1] */
			s = C > 0 ? (-B + sqrt(fmax(0, B * B - C * (A -
			    cap2)))) / C : 0;
			s = fmin(1, fmax(0, s));
			for (i = 0; i < n; i++)
				w[i] = a->w[i] + s * dw[i];
			rc = 0;
			goto out;
		}
		c.s = 0.5 * (a->s + b->s);
		if (c.s <= a->s || c.s >= b->s)
			break;
		if (solve_t(pb, c.s, &c, err) == -1)
			goto out;
		if (pvar(pb, c.w) <= cap2)
			pt_copy(a, &c, n);
		else
			pt_copy(b, &c, n);
	}
	memcpy(w, a->w, n * sizeof(double));
	rc = 0;
out:
	free(dw);
	pt_release(&c);
	return rc;
}

static double
sharpe_of(const struct prob *pb, const double *w, double rf)
{
	return (pret(pb, w) - rf) / sqrt(pvar(pb, w));
}

/* The QP methods: min-variance (t = 0), mean-variance (t = 1/lambda),
 * target-vol (t as large as the cap allows), max-sharpe (the t of the
 * best Sharpe ratio, found on the doubling grid, then golden section,
 * then exactly on its face), each with the cap enforced. */
static int
solve_method(const struct opts *o, struct prob *pb, double *w,
    struct tl_err *err)
{
	size_t n = pb->n, k, i;
	double cap = o->max_vol, cap2 = cap * cap, t0 = 0, best, tend;
	struct pt a, b, c;
	int rc = -1, capped = !isnan(cap);

	pt_init(&a, n);
	pt_init(&b, n);
	pt_init(&c, n);
	if (solve_t(pb, 0, &a, err) == -1)
		goto out;
	if (capped && pvar(pb, a.w) > cap2) {
		tl_err_set(err, TL_EX_DATAERR, NULL, 0, "--max-vol %g is below "
		    "the lowest volatility reachable under these constraints "
		    "(%.3g)", cap, sqrt(pvar(pb, a.w)));
		goto out;
	}
	switch (o->method) {
	case M_MINVAR:
		memcpy(w, a.w, n * sizeof(double));
		rc = 0;
		goto out;
	case M_MV:
		t0 = 1 / o->lambda;
		if (solve_t(pb, t0, &b, err) == -1)
			goto out;
		break;
	case M_TARGETVOL:
	case M_MAXSHARPE:
		/* t grows until the cap binds, the path ends (the highest
		 * return is reached) or, for max-sharpe, the ratio falls */
		best = o->method == M_MAXSHARPE ? sharpe_of(pb, a.w, o->rf) :
		    0;
		{
			double lo = INFINITY, hi = -INFINITY;

			for (i = 0; i < n; i++) {
				lo = fmin(lo, pb->mu[i]);
				hi = fmax(hi, pb->mu[i]);
			}
			if (!(hi > lo)) {	/* one return for all: risk only */
				memcpy(w, a.w, n * sizeof(double));
				rc = 0;
				goto out;
			}
			/* past this t the return term rules: the path ends */
			tend = PATH_END * row_bound(pb) / (hi - lo);
		}
		b.s = 1e-6 * row_bound(pb) / max_abs(pb->mu, n);
		for (k = 0; k < PATH_DOUBLE && b.s <= 2 * tend; k++) {
			if (solve_t(pb, b.s, &b, err) == -1)
				goto out;
			if (capped && pvar(pb, b.w) > cap2)
				break;
			if (o->method == M_MAXSHARPE) {
				double sh = sharpe_of(pb, b.w, o->rf);

				if (sh < best)
					break;
				best = sh;
			}
			if (b.s > tend)
				break;	/* the path has ended */
			pt_copy(&c, &a, n);	/* c: the one before a */
			pt_copy(&a, &b, n);
			b.s *= 2;
		}
		if (o->method == M_MAXSHARPE && !(capped &&
		    pvar(pb, b.w) > cap2 && sharpe_of(pb, b.w, o->rf) >= best)) {
			/* the maximum lies in [c, b]: golden section on t,
			 * then the exact maximiser on the face */
			double lo = k > 1 ? c.s : 0, hi = b.s;
			double g = (sqrt(5) - 1) / 2, x1, x2, f1, f2;
			struct pt p1, p2;

			pt_init(&p1, n);
			pt_init(&p2, n);
			x1 = hi - g * (hi - lo);
			x2 = lo + g * (hi - lo);
			if (solve_t(pb, x1, &p1, err) == -1 ||
			    solve_t(pb, x2, &p2, err) == -1) {
				pt_release(&p1);
				pt_release(&p2);
				goto out;
			}
			f1 = sharpe_of(pb, p1.w, o->rf);
			f2 = sharpe_of(pb, p2.w, o->rf);
			for (i = 0; i < 200 && hi - lo > 1e-14 * hi; i++) {
				if (f1 < f2) {
					lo = x1;
					pt_copy(&p1, &p2, n);
					f1 = f2;
					x1 = x2;
					x2 = lo + g * (hi - lo);
					if (solve_t(pb, x2, &p2, err) == -1)
						break;
					f2 = sharpe_of(pb, p2.w, o->rf);
				} else {
					hi = x2;
					pt_copy(&p2, &p1, n);
					f2 = f1;
					x2 = x1;
					x1 = hi - g * (hi - lo);
					if (solve_t(pb, x1, &p1, err) == -1)
						break;
					f1 = sharpe_of(pb, p1.w, o->rf);
				}
				if (memcmp(p1.st, p2.st, n * sizeof(int)) == 0 &&
				    x2 > x1)
					break;
			}
			if (err->code != 0) {
				pt_release(&p1);
				pt_release(&p2);
				goto out;
			}
			/* on one face w = p1 + s (p2 - p1): the Sharpe ratio's
			 * stationary point in s is a linear equation */
			memcpy(w, f1 >= f2 ? p1.w : p2.w, n * sizeof(double));
			if (memcmp(p1.st, p2.st, n * sizeof(int)) == 0 &&
			    x2 > x1) {
				double m0 = pret(pb, p1.w) - o->rf, m1, v0, v1 =
				    0, v2, s, *dw = tl_xcalloc(n, sizeof(double));

				for (i = 0; i < n; i++)
					dw[i] = p2.w[i] - p1.w[i];
				m1 = pret(pb, dw);
				v0 = pvar(pb, p1.w);
				v2 = pvar(pb, dw);
				v1 = 0.5 * (pvar(pb, p2.w) - v0 - v2);
				s = (m1 * v1 - m0 * v2) != 0 ? (m0 * v1 - m1 *
				    v0) / (m1 * v1 - m0 * v2) : 0;
				if (s > -1 && s < 2) {	/* near the face */
					double *ws = tl_xcalloc(n,
					    sizeof(double));

					for (i = 0; i < n; i++)
						ws[i] = p1.w[i] + s * dw[i];
					if (s >= 0 && s <= 1 &&
					    sharpe_of(pb, ws, o->rf) >=
					    sharpe_of(pb, w, o->rf))
						memcpy(w, ws, n *
						    sizeof(double));
					free(ws);
				}
				free(dw);
			}
			pt_release(&p1);
			pt_release(&p2);
			if (sharpe_of(pb, w, o->rf) <= 0) {
				tl_err_set(err, TL_EX_DATAERR, NULL, 0,
				    "max-sharpe: no allocation has an expected "
				    "return above the risk-free rate %g under "
				    "these constraints", o->rf);
				goto out;
			}
			rc = 0;
			goto out;
		}
		if (!(capped && pvar(pb, b.w) > cap2)) {
			memcpy(w, b.w, n * sizeof(double));	/* not binding */
			rc = 0;
			goto out;
		}
		rc = vol_root(pb, &a, &b, cap, w, err);
		goto out;
	default:
		break;
	}
	/* mean-variance: the cap binds on [0, t0] if vol(t0) > cap */
	if (capped && pvar(pb, b.w) > cap2)
		rc = vol_root(pb, &a, &b, cap, w, err);
	else {
		memcpy(w, b.w, n * sizeof(double));
		rc = 0;
	}
out:
	pt_release(&a);
	pt_release(&b);
	pt_release(&c);
	return rc;
}

/* --max-corr: strategies joined by a correlation above rho (and the
 * chains of them: connected components) share one --max-weight cap. */
static void
corr_groups(const struct opts *o, struct prob *pb)
{
	size_t n = pb->n, i, j, k, *lab = tl_xcalloc(n, sizeof(size_t));
	size_t *cnt, changed = 1, next = 0;
	double r;

	pb->group = tl_xcalloc(n, sizeof(size_t));
	for (i = 0; i < n; i++)
		lab[i] = i;
	while (changed) {	/* label propagation: the smallest index */
		changed = 0;
		for (i = 0; i < n; i++)
			for (j = 0; j < n; j++) {
				r = pb->corr[i * n + j];
				if (i != j && r > o->max_corr && lab[j] <
				    lab[i]) {
					lab[i] = lab[j];
					changed = 1;
				}
			}
	}
	cnt = tl_xcalloc(n, sizeof(size_t));
	for (i = 0; i < n; i++)
		cnt[lab[i]]++;
	for (k = 0; k < n; k++)		/* label -> group id, or none */
		cnt[k] = cnt[k] >= 2 ? next++ : TL_QP_NOGROUP;
	for (i = 0; i < n; i++)
		pb->group[i] = cnt[lab[i]];
	pb->ngroups = next;
	pb->cap = tl_xcalloc(next + 1, sizeof(double));
	for (k = 0; k < next; k++)
		pb->cap[k] = o->max_weight;
	free(cnt);
	free(lab);
}

/* Risk-based and fixed methods. */
static int
solve_simple(const struct opts *o, struct prob *pb, double *w,
    struct tl_err *err)
{
	size_t n = pb->n, i;

	switch (o->method) {
	case M_EQUAL:
		for (i = 0; i < n; i++)
			w[i] = 1 / (double)n;
		break;
	case M_HRP:
		tl_hrp(pb->cov, n, w, NULL);
		break;
	default:
		if (tl_erc(pb->cov, n, w) == 0)
			return tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "erc: "
			    "no convergence");
	}
	for (i = 0; i < n; i++)
		if (w[i] > pb->hi[i] + 1e-12 || w[i] < pb->lo[i] - 1e-12)
			return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "%s "
			    "gives '%s' %.4g, outside [--min-weight %g, "
			    "--max-weight %g]: use an optimising method for "
			    "bounds", method_names[o->method], pb->names[i],
			    w[i], o->min_weight, o->max_weight);
	if (!isnan(o->max_vol) && pvar(pb, w) > o->max_vol * o->max_vol *
	    (1 + 1e-12))
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "%s has "
		    "volatility %.3g, above --max-vol %g: use an optimising "
		    "method for a cap", method_names[o->method],
		    sqrt(pvar(pb, w)), o->max_vol);
	return 0;
}

/* Solve, then hold back the trades smaller than --min-trade: those
 * weights are fixed at their previous value and the rest is solved
 * again, until no small trade is left (a heuristic: the exact problem
 * is combinatorial). */
static int
allocate(const struct opts *o, struct prob *pb, double *w,
    struct tl_err *err)
{
	size_t n = pb->n, i, round, fixed;
	double *olo = tl_xcalloc(n, sizeof(double)), *ohi, d, rest, free_w;
	int rc = -1, qpm = o->method <= M_TARGETVOL;

	ohi = tl_xcalloc(n, sizeof(double));
	memcpy(olo, pb->lo, n * sizeof(double));
	memcpy(ohi, pb->hi, n * sizeof(double));
	for (round = 0; round <= n; round++) {
		if ((qpm ? solve_method(o, pb, w, err) :
		    solve_simple(o, pb, w, err)) == -1)
			goto out;
		if (!(o->min_trade > 0))
			break;
		fixed = 0;
		for (i = 0; i < n; i++) {
			d = fabs(w[i] - pb->prev[i]);
			if (d > 0 && d < o->min_trade && pb->lo[i] !=
			    pb->hi[i] && pb->prev[i] >= olo[i] &&
			    pb->prev[i] <= ohi[i]) {
				pb->lo[i] = pb->hi[i] = pb->prev[i];
				fixed++;
			}
		}
		if (fixed == 0)
			break;
		if (!qpm) {	/* rescale the traded weights to sum 1 */
			rest = 1;
			free_w = 0;
			for (i = 0; i < n; i++)
				if (pb->lo[i] == pb->hi[i])
					rest -= pb->prev[i];
				else
					free_w += w[i];
			for (i = 0; i < n; i++)
				w[i] = pb->lo[i] == pb->hi[i] ? pb->prev[i] :
				    free_w > 0 ? w[i] * rest / free_w : 0;
			break;
		}
	}
	rc = 0;
out:
	memcpy(pb->lo, olo, n * sizeof(double));
	memcpy(pb->hi, ohi, n * sizeof(double));
	free(olo);
	free(ohi);
	return rc;
}

/* ---- output ----------------------------------------------------------- */

/* Index of strategy s in pb (names sorted), or -1. */
static long
prob_find(const struct prob *pb, const char *s)
{
	size_t lo = 0, hi = pb->n, mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(pb->names[mid], s)) == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static json_t *
num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static int
write_rows(const struct opts *o, const struct prob *pb, const double *w,
    const struct named *prev, struct tl_err *err)
{
	struct tl_out *out;
	size_t n = pb->n, i, j, k, nd = 0;
	double var = pvar(pb, w), r;
	const char **dropped = NULL;
	double *dv = NULL;
	json_t *rec;

	if ((out = tl_out_open(o->output, o->fmt, err)) == NULL)
		return -1;
	if (prev != NULL) {	/* previous strategies no longer here */
		for (k = 0; k < prev->n; k++)
			if (prob_find(pb, prev->names[k]) < 0) {
				dropped = tl_xreallocarray(dropped, nd + 1,
				    sizeof(char *));
				dv = tl_xreallocarray(dv, nd + 1,
				    sizeof(double));
				dropped[nd] = prev->names[k];
				dv[nd++] = prev->v[k];
			}
	}
	for (i = 0, j = 0; i < n || j < nd;) {
		/* merge in name order; dropped names are not sorted */
		size_t bj = nd;

		for (k = 0; k < nd; k++)
			if (dv[k] == dv[k] && (bj == nd ||
			    strcmp(dropped[k], dropped[bj]) < 0))
				bj = k;
		if (bj < nd && (i == n || strcmp(dropped[bj],
		    pb->names[i]) < 0)) {
			rec = json_pack("{s:s,s:f,s:o,s:o,s:n,s:n,s:f}",
			    "strategy", dropped[bj], "weight", 0.0,
			    "prev_weight", num(dv[bj]), "change",
			    num(-dv[bj]), "expected_return", "volatility",
			    "risk_contribution", 0.0);
			dv[bj] = NAN;	/* done */
			j++;
		} else {
			r = 0;
			for (k = 0; k < n; k++)
				r += pb->cov[i * n + k] * w[k];
			rec = json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o}",
			    "strategy", pb->names[i], "weight", num(w[i]),
			    "prev_weight", num(pb->prev[i]), "change",
			    num(w[i] - pb->prev[i]), "expected_return",
			    num(pb->mu[i]), "volatility",
			    num(sqrt(pb->cov[i * n + i])),
			    "risk_contribution", num(var > 0 ? w[i] * r / var :
			    NAN));
			i++;
		}
		if (tl_out_write(out, rec, err) == -1) {
			json_decref(rec);
			tl_out_abort(out);
			free(dropped);
			free(dv);
			return -1;
		}
		json_decref(rec);
	}
	free(dropped);
	free(dv);
	return tl_out_close(out, err);
}

/* Weights at a limit, as a JSON array of names. */
static json_t *
at_limit(const struct prob *pb, const double *w, const double *lim)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < pb->n; i++)
		if (fabs(w[i] - lim[i]) <= 1e-12)
			json_array_append_new(a, json_string(pb->names[i]));
	return a;
}

static json_t *
active_constraints(const struct opts *o, const struct prob *pb,
    const double *w)
{
	json_t *act = json_array(), *a, *g;
	size_t i, k;
	double v = sqrt(pvar(pb, w)), sum;

	if (o->min_weight > 0) {
		a = at_limit(pb, w, pb->lo);
		if (json_array_size(a) > 0)
			json_array_append_new(act, json_pack("{s:s,s:o}",
			    "constraint", "min-weight", "strategies", a));
		else
			json_decref(a);
	}
	if (o->max_weight < 1) {
		a = at_limit(pb, w, pb->hi);
		if (json_array_size(a) > 0)
			json_array_append_new(act, json_pack("{s:s,s:o}",
			    "constraint", "max-weight", "strategies", a));
		else
			json_decref(a);
	}
	if (!isnan(o->max_vol) && fabs(v - o->max_vol) <= 1e-9 * o->max_vol)
		json_array_append_new(act, json_pack("{s:s,s:o}",
		    "constraint", "max-vol", "value", num(o->max_vol)));
	for (k = 0; k < pb->ngroups; k++) {
		sum = 0;
		g = json_array();
		for (i = 0; i < pb->n; i++)
			if (pb->group[i] == k) {
				sum += w[i];
				json_array_append_new(g,
				    json_string(pb->names[i]));
			}
		if (fabs(sum - pb->cap[k]) <= 1e-12)
			json_array_append_new(act, json_pack("{s:s,s:o}",
			    "constraint", "max-corr", "strategies", g));
		else
			json_decref(g);
	}
	if (!isnan(o->max_turnover) && fabs(turnover(pb, w) + pb->gone -
	    o->max_turnover) <= 1e-9)
		json_array_append_new(act, json_pack("{s:s,s:o}",
		    "constraint", "max-turnover", "value",
		    num(o->max_turnover)));
	return act;
}

static int
write_summary(const struct opts *o, const struct prob *pb, const double *w,
    int has_prev, struct tl_err *err)
{
	struct tl_out *out;
	json_t *v, *cons;
	double var = pvar(pb, w), r = pret(pb, w), h = 0;
	size_t i, ngrouped = 0;
	int rc;

	for (i = 0; i < pb->n; i++) {
		h += w[i] * w[i];
		ngrouped += pb->group != NULL && pb->group[i] != TL_QP_NOGROUP;
	}
	cons = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "min_weight",
	    num(o->min_weight), "max_weight", num(o->max_weight), "max_vol",
	    num(o->max_vol), "max_corr", num(o->max_corr), "max_turnover",
	    num(o->max_turnover), "min_trade", o->min_trade > 0 ?
	    num(o->min_trade) : json_null(), "risk_aversion",
	    o->method == M_MV ? num(o->lambda) : json_null());
	v = json_pack("{s:s,s:i,s:s,s:s,s:s,s:s,s:o,s:o,s:I,s:I,s:s,s:s,"
	    "s:o}", "format", SUMMARY_FORMAT, "version", FORMAT_VERSION,
	    "method", method_names[o->method], "estimator",
	    estimator_names[o->est], "returns", muest_names[o->muest],
	    "missing", o->missing == X_PAIRWISE ? "pairwise" : "aligned",
	    "annualize", num(o->annualize), "halflife",
	    o->est == E_EWMA || o->muest == R_EWMA ? num(o->halflife) :
	    json_null(), "strategies", (json_int_t)pb->n, "days",
	    (json_int_t)pb->days, "first_date", pb->first, "last_date",
	    pb->last, "shrinkage", num(pb->shrink));
	json_object_set_new(v, "returns_shrinkage", num(pb->mu_shrink));
	json_object_set_new(v, "expected_return", num(r));
	json_object_set_new(v, "volatility", num(sqrt(var)));
	json_object_set_new(v, "risk_free", num(o->rf));
	json_object_set_new(v, "sharpe", num(var > 0 ? (r - o->rf) /
	    sqrt(var) : NAN));
	json_object_set_new(v, "effective_n", num(1 / h));
	json_object_set_new(v, "turnover", has_prev ? num(turnover(pb, w) +
	    pb->gone) : json_null());
	json_object_set_new(v, "correlated_groups",
	    json_integer((json_int_t)pb->ngroups));
	json_object_set_new(v, "grouped_strategies",
	    json_integer((json_int_t)ngrouped));
	json_object_set_new(v, "constraints", cons);
	json_object_set_new(v, "constraints_active",
	    active_constraints(o, pb, w));
	json_object_set_new(v, "qp_solves",
	    json_integer((json_int_t)pb->qp_solves));
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

/* Checks that need the data: bounds that no allocation meets, a
 * covariance the method cannot use. */
static int
precheck(const struct opts *o, struct prob *pb, struct tl_err *err)
{
	double n = (double)pb->n;

	if (n * o->min_weight > 1 + 1e-12)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "--min-weight "
		    "%g times %zu strategies is %g, more than 1: no "
		    "allocation sums to 1", o->min_weight, pb->n,
		    n * o->min_weight);
	if (n * o->max_weight < 1 - 1e-12)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "--max-weight "
		    "%g times %zu strategies is %g, less than 1: no "
		    "allocation sums to 1", o->max_weight, pb->n,
		    n * o->max_weight);
	if (o->method == M_MAXSHARPE) {
		double best = -INFINITY;
		size_t i;

		for (i = 0; i < pb->n; i++)
			best = fmax(best, pb->mu[i]);
		if (best <= o->rf)
			return tl_err_set(err, TL_EX_DATAERR, NULL, 0,
			    "max-sharpe needs a strategy whose expected "
			    "return exceeds the risk-free rate %g (the "
			    "highest is %.4g)", o->rf, best);
	}
	if (o->method != M_EQUAL && o->method != M_HRP &&
	    !tl_cov_posdef(pb->cov, pb->n)) {
		if (o->missing == X_PAIRWISE)
			return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "the "
			    "pairwise covariance is not positive definite "
			    "(pairs measured on different days): use "
			    "--missing aligned");
		if (pb->days <= pb->n)
			return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "the "
			    "%s covariance of %zu strategies from %zu days "
			    "is singular: use --estimator ledoit-wolf or a "
			    "longer history", estimator_names[o->est], pb->n,
			    pb->days);
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "the %s "
		    "covariance is singular: some strategy is a combination "
		    "of others (use --estimator ledoit-wolf)",
		    estimator_names[o->est]);
	}
	return 0;
}

static int
run(const struct opts *o, struct tl_err *err)
{
	struct tl_panel pn = { 0 };
	struct tl_panel_opts po = { .fmt = o->ifmt };
	struct named prev = { 0 }, mu = { 0 };
	struct prob pb = { 0 };
	double *w = NULL;
	size_t i;
	long k;
	int rc = -1;

	if (tl_panel_read(&pn, o->inputs, o->ninputs, &po, err) == -1)
		return -1;
	if (estimate(o, &pn, &pb, err) == -1)
		goto out;
	pb.prev = tl_xcalloc(pb.n, sizeof(double));
	pb.turnover_cap = NAN;
	if (o->prev != NULL) {
		if (named_read(&prev, o->prev, "weight", err) == -1)
			goto out;
		for (i = 0; i < prev.n; i++)
			if ((k = prob_find(&pb, prev.names[i])) >= 0)
				pb.prev[k] = prev.v[i];
			else
				pb.gone += fabs(prev.v[i]);
		if (!isnan(o->max_turnover)) {
			pb.turnover_cap = o->max_turnover - pb.gone;
			if (pb.turnover_cap < 0) {
				tl_err_set(err, TL_EX_DATAERR, NULL, 0,
				    "--max-turnover %g is below the turnover "
				    "forced by strategies no longer in the "
				    "returns (%.3g)", o->max_turnover,
				    pb.gone);
				goto out;
			}
		}
	}
	if (o->mu_file != NULL) {
		if (named_read(&mu, o->mu_file, "expected_return", err) == -1)
			goto out;
		for (i = 0; i < pb.n; i++) {
			if ((k = named_find(&mu, pb.names[i])) < 0) {
				tl_err_set(err, TL_EX_DATAERR, o->mu_file, 0,
				    "no expected_return for strategy '%s'",
				    pb.names[i]);
				goto out;
			}
			pb.mu[i] = mu.v[k];
		}
	}
	if (precheck(o, &pb, err) == -1)
		goto out;
	pb.lo = tl_xcalloc(pb.n, sizeof(double));
	pb.hi = tl_xcalloc(pb.n, sizeof(double));
	for (i = 0; i < pb.n; i++) {
		pb.lo[i] = o->min_weight;
		pb.hi[i] = o->max_weight;
	}
	if (!isnan(o->max_corr)) {
		if (!o->set_weight && !o->quiet)
			tl_warn("--max-corr without --max-weight: each group "
			    "of correlated strategies shares the cap 1, which "
			    "binds nothing");
		corr_groups(o, &pb);
	}
	pb.qp = tl_qp_alloc(pb.n);
	w = tl_xcalloc(pb.n, sizeof(double));
	if (allocate(o, &pb, w, err) == -1) {
		if (err->code == TL_EX_DATAERR && pb.ngroups > 0 &&
		    strncmp(err->msg, "the maximum weights", 19) == 0) {
			size_t ng = 0;

			for (i = 0; i < pb.n; i++)
				ng += pb.group[i] != TL_QP_NOGROUP;
			tl_err_set(err, TL_EX_DATAERR, NULL, 0, "--max-corr "
			    "%g puts %zu strategies in %zu group%s sharing "
			    "--max-weight %g each: no allocation sums to 1 "
			    "(raise --max-corr or --max-weight)", o->max_corr,
			    ng, pb.ngroups, pb.ngroups == 1 ? "" : "s",
			    o->max_weight);
		}
		goto out;
	}
	if (write_rows(o, &pb, w, o->prev != NULL ? &prev : NULL, err) == -1)
		goto out;
	if (o->summary != NULL && write_summary(o, &pb, w, o->prev != NULL,
	    err) == -1)
		goto out;
	if (!o->quiet) {
		double var = pvar(&pb, w), h = 0;

		for (i = 0; i < pb.n; i++)
			h += w[i] * w[i];
		tl_msg("%s over %zu strategies, %zu days: expected return "
		    "%.4g, volatility %.4g, effective strategies %.3g%s",
		    method_names[o->method], pb.n, pb.days, pret(&pb, w),
		    sqrt(var), 1 / h, o->prev != NULL ? "" : "");
		if (o->prev != NULL)
			tl_msg("turnover %.4g against %s", turnover(&pb, w) +
			    pb.gone, o->prev);
	}
	rc = 0;
out:
	free(w);
	tl_qp_free(pb.qp);
	free(pb.lo);
	free(pb.hi);
	free(pb.group);
	free(pb.cap);
	free(pb.prev);
	free(pb.cov);
	free(pb.corr);
	free(pb.mu);
	named_release(&mu);
	named_release(&prev);
	tl_panel_free(&pn);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct opts o = { .annualize = 252, .est = E_LW, .halflife = 63,
	    .lambda = 1, .max_corr = NAN, .max_turnover = NAN, .max_vol = NAN,
	    .max_weight = 1, .method = M_MINVAR, .missing = X_ALIGNED,
	    .muest = R_MEAN, .fmt = TL_FMT_AUTO };
	struct tl_err err = { 0 };
	int status = TL_EX_OK, rc;

	tl_init("tl-allocate");
	parse_args(argc, argv, &o);
	if (o.solve_qp != NULL)
		rc = cmd_solve_qp(o.solve_qp, &err);
	else
		rc = run(&o, &err);
	if (rc == -1)
		status = tl_report(&err);
	return tl_exit_status(status);
}
