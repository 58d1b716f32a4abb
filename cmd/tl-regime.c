/*
 * tl-regime: market regimes from daily features with a Gaussian hidden
 * Markov model.  fit learns the model by Baum-Welch with seeded restarts
 * and canonical state order (state 0 means the same thing every night);
 * decode gives each day its filtered state probabilities (only the days
 * up to it: what a trading decision may use) and the Viterbi state (the
 * whole series: for analysis); select compares numbers of states by BIC
 * and AIC.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tl_err.h"
#include "tl_hmm.h"
#include "tl_json.h"
#include "tl_num.h"
#include "tl_opt.h"
#include "tl_out.h"
#include "tl_records.h"
#include "tl_util.h"

#define MIN_VAR		1e-4	/* variance floor, a fraction of each
				 * feature's variance: no state collapses
				 * onto a few identical days */
#define VOL_COLUMN	"vol"	/* default order: calm markets last */

enum cmd { C_FIT, C_DECODE, C_SELECT };
enum crit { CRIT_BIC, CRIT_AIC };
/* the names, indexed by enum tl_ghmm_cov and enum crit */
static const char *const cov_names[] = { "diag", "full" };
static const char *const crit_names[] = { "bic", "aic" };

struct opts {
	enum cmd	 cmd;		/* fit, decode or select */
	enum tl_ghmm_cov cov;		/* --cov */
	enum crit	 crit;		/* --criterion */
	const char	*date;		/* --date-column */
	char		**feat;		/* --features, NULL: numeric columns */
	size_t		 nfeat;		/* their number */
	enum tl_fmt	 fmt;		/* decode's output format */
	enum tl_fmt	 ifmt;		/* -i, AUTO: sniffed */
	long		 kmin, kmax;	/* --states N or N-M */
	char		**labels;	/* --labels, NULL: s0, s1, ... */
	size_t		 nlabels;	/* their number */
	const char	*model;		/* -M: decode's model */
	long		 max_iter;	/* --max-iter */
	const char	*order;		/* --order [-]feature, NULL: default */
	const char	*output;	/* -o */
	int		 quiet;		/* -q */
	long		 restarts;	/* --restarts */
	long		 seed;		/* --seed */
	double		 tol;		/* --tol */
	char		**inputs;	/* files; none: stdin */
	int		 ninputs;	/* their number */
};

/* The rows read: features and dates in input order. */
struct data {
	char		**feat;		/* feature names (new) */
	size_t		 dim;		/* their number */
	double		*x;		/* n x dim values */
	char		**date;		/* n dates or NULL entries */
	size_t		 n, cap;	/* rows, allocated */
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: tl-regime fit [-q] [-F features] [-i format] [-o model] [-s seed]\n"
"                 [--cov diag|full] [--criterion aic|bic]\n"
"                 [--date-column column] [--labels list] [--max-iter N]\n"
"                 [--order [-]feature] [--restarts N] [--states N|N-M]\n"
"                 [--tol X] [file ...]\n"
"       tl-regime decode -M model [-f format] [-i format] [-o file]\n"
"                 [file ...]\n"
"       tl-regime select [-q] [-F features] [-i format] [-o file] [-s seed]\n"
"                 [--cov diag|full] [--date-column column] [--max-iter N]\n"
"                 [--restarts N] [--states range] [--tol X] [file ...]\n");
	if (fp != stdout)
		return;
	fprintf(fp,
"\nMarket regimes with a Gaussian hidden Markov model (see tl-regime(1)).\n\n"
"      --cov=TYPE        diag (default) or full covariance per state\n"
"      --criterion=C     fit with a range of states: pick by bic (default)\n"
"                        or aic\n"
"      --date-column=COLUMN  the date column, not a feature (date)\n"
"  -F, --features=LIST   feature columns, comma separated (default: every\n"
"                        numeric column of the first row but the date)\n"
"  -f, --format=FMT      decode's output: jsonl or csv\n"
"  -h, --help            this help\n"
"  -i, --input-format=F  jsonl, csv or json (default: from the content)\n"
"      --labels=LIST     names of the states in canonical order\n"
"                        (bear,choppy,bull); default s0,s1,...\n"
"  -M, --model=FILE      decode: the model written by fit\n"
"      --max-iter=N      EM iterations per restart (500)\n"
"  -o, --output=FILE     write to FILE (atomically) instead of stdout\n"
"      --order=[-]FEAT   canonical order: states by the mean of FEAT,\n"
"                        descending with '-' (default: -vol if there is a\n"
"                        feature vol, else the first feature)\n"
"  -q, --quiet           no summary line\n"
"      --restarts=N      seeded restarts, the most likely kept (10)\n"
"  -s, --seed=N          random seed of the restarts (1)\n"
"      --states=N|N-M    states (3); a range: fit picks by --criterion,\n"
"                        select reports each (select's default 1-5)\n"
"      --tol=X           stop a restart when log L gains less (1e-4)\n"
"  -V, --version         print the version\n");
}

static void
parse_states(const char *s, struct opts *o)
{
	struct tl_err err = { 0 };
	const char *dash = strchr(s, '-');
	char *lo;
	int bad;

	if (dash == NULL) {
		if (tl_parse_long("--states", s, 1, TL_REGIME_MAX_STATES,
		    &o->kmin, &err) == -1)
			tl_usage_error("%s: %s", err.where, err.msg);
		o->kmax = o->kmin;
		return;
	}
	lo = tl_xstrndup(s, (size_t)(dash - s));
	bad = tl_parse_long("--states", lo, 1, TL_REGIME_MAX_STATES,
	    &o->kmin, &err) == -1 || tl_parse_long("--states", dash + 1, 1,
	    TL_REGIME_MAX_STATES, &o->kmax, &err) == -1 || o->kmin > o->kmax;
	free(lo);
	if (bad)
		tl_usage_error("--states: '%s' is not N or N-M with 1 <= N <= "
		    "M <= %d", s, TL_REGIME_MAX_STATES);
}

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	static const char *const cmds[] = { "fit", "decode", "select" };
	enum { O_COV = 256, O_CRIT, O_DATE, O_LABELS, O_MAXITER, O_ORDER,
	    O_RESTARTS, O_STATES, O_TOL };
	static const struct option longopts[] = {
		{ "cov", required_argument, NULL, O_COV },
		{ "criterion", required_argument, NULL, O_CRIT },
		{ "date-column", required_argument, NULL, O_DATE },
		{ "date", required_argument, NULL, O_DATE },
		{ "features", required_argument, NULL, 'F' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "input-format", required_argument, NULL, 'i' },
		{ "states", required_argument, NULL, O_STATES },
		{ "labels", required_argument, NULL, O_LABELS },
		{ "model", required_argument, NULL, 'M' },
		{ "max-iter", required_argument, NULL, O_MAXITER },
		{ "output", required_argument, NULL, 'o' },
		{ "order", required_argument, NULL, O_ORDER },
		{ "quiet", no_argument, NULL, 'q' },
		{ "restarts", required_argument, NULL, O_RESTARTS },
		{ "seed", required_argument, NULL, 's' },
		{ "tol", required_argument, NULL, O_TOL },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	/* tl(7), the interface: these letters became long-only, -m is -M */
	static const struct tl_old_opt old[] = { { "-c", "cov" },
	    { "-d", "date-column" }, { "--date", "date-column" },
	    { "-k", "states" }, { "-l", "labels" }, { "-m", "model" },
	    { "-r", "restarts" } };
	static const struct tl_getopt g = { ":c:d:F:f:hi:k:l:M:m:o:qr:s:V",
	    longopts, old, TL_NELEM(old) };
	struct tl_err err = { 0 };
	struct tl_opt_file f[1];
	const char *states = NULL;
	int ch, bad = 0;

	/* GNU getopt moves the operands (command, files) to the end */
	while ((ch = tl_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case O_COV:
			o->cov = (enum tl_ghmm_cov)TL_PARSE_WORD("--cov",
			    optarg, cov_names);
			break;
		case O_CRIT:
			o->crit = (enum crit)TL_PARSE_WORD("--criterion",
			    optarg, crit_names);
			break;
		case O_DATE:
			o->date = optarg;
			break;
		case 'F':
			tl_free_strings(o->feat, o->nfeat);
			if (tl_split_list(optarg, &o->feat, &o->nfeat,
			    &err) == -1 ||
			    o->nfeat > TL_REGIME_MAX_FEATURES)
				tl_usage_error("--features: '%s' is not a list "
				    "of up to %d distinct column names",
				    optarg, TL_REGIME_MAX_FEATURES);
			break;
		case 'f':
			o->fmt = tl_parse_format("--format", optarg, 0);
			break;
		case 'h':
			usage(stdout);
			exit(tl_exit_status(TL_EX_OK));
		case 'i':
			o->ifmt = tl_parse_format("--input-format", optarg, 1);
			break;
		case O_STATES:
			states = optarg;
			break;
		case O_LABELS:
			tl_free_strings(o->labels, o->nlabels);
			if (tl_split_list(optarg, &o->labels, &o->nlabels,
			    &err) == -1)
				tl_usage_error("--labels: '%s' is not a list "
				    "of distinct names", optarg);
			break;
		case 'M':
			o->model = optarg;
			break;
		case O_MAXITER:
			bad = tl_parse_long("--max-iter", optarg, 1, 1000000,
			    &o->max_iter, &err);
			break;
		case 'o':
			o->output = optarg;
			break;
		case O_ORDER:
			o->order = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case O_RESTARTS:
			bad = tl_parse_long("--restarts", optarg, 1, 100000,
			    &o->restarts, &err);
			break;
		case 's':
			bad = tl_parse_long("--seed", optarg, 0, LONG_MAX,
			    &o->seed, &err);
			break;
		case O_TOL:
			bad = tl_parse_double("--tol", optarg, 0, 1e9, &o->tol,
			    &err);
			break;
		case 'V':
			tl_version_exit();
		}
		if (bad)
			tl_usage_error("%s: %s", err.where, err.msg);
	}
	o->cmd = (enum cmd)tl_command(argc, argv, optind, cmds, 3);
	o->inputs = argv + optind + 1;
	o->ninputs = argc - optind - 1;
	if (states != NULL)
		parse_states(states, o);
	else if (o->cmd == C_SELECT) {
		o->kmin = 1;
		o->kmax = 5;
	}
	if (o->cmd == C_DECODE && o->model == NULL)
		tl_usage_error("decode needs the model: -M FILE");
	if (o->cmd != C_DECODE && o->model != NULL)
		tl_usage_error("-M is for decode");
	if (o->nlabels > 0 && o->cmd != C_FIT)
		tl_usage_error("--labels is for fit");
	if (o->nlabels > 0 && o->kmin != o->kmax)
		tl_usage_error("--labels needs one number of states, not a "
		    "range");
	if (o->nlabels > 0 && (long)o->nlabels != o->kmin)
		tl_usage_error("--labels: %zu names for %ld states",
		    o->nlabels, o->kmin);
	if (o->order != NULL && (o->order[0] == '\0' ||
	    strcmp(o->order, "-") == 0))
		tl_usage_error("--order: a feature name is needed");
	f[0] = (struct tl_opt_file){ "--model", o->model };
	tl_opt_inputs(f, TL_NELEM(f), o->inputs, o->ninputs, 1, usage);
}

/* ---- reading rows ----------------------------------------------------- */

static void
data_release(struct data *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->date[i]);
	free(d->date);
	free(d->x);
	tl_free_strings(d->feat, d->dim);
	memset(d, 0, sizeof(*d));
}

/* The default features: the numeric fields of the first row, in order,
 * but the date. */
static int
default_features(struct data *d, const json_t *rec, const char *date,
    const char *name, unsigned long line, struct tl_err *err)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)rec, key, v) {
		if (!json_is_number(v) || strcmp(key, date) == 0)
			continue;
		if (d->dim == TL_REGIME_MAX_FEATURES)
			return tl_err_set(err, TL_EX_DATAERR, name, line,
			    "more than %d numeric columns: name the features "
			    "with --features", TL_REGIME_MAX_FEATURES);
		d->feat = tl_xreallocarray(d->feat, d->dim + 1,
		    sizeof(char *));
		d->feat[d->dim++] = tl_xstrdup(key);
	}
	if (d->dim == 0)
		return tl_err_set(err, TL_EX_DATAERR, name, line, "no numeric "
		    "column to use as a feature");
	return 0;
}

/* Features and date of one row into row n of d. */
static int
row_values(struct data *d, const json_t *rec, const char *date,
    int need_date, const char *name, unsigned long line, struct tl_err *err)
{
	char num[TL_NUM_BUFSZ];
	size_t i;
	json_t *v;

	d->date[d->n] = NULL;
	for (i = 0; i < d->dim; i++) {
		v = json_object_get(rec, d->feat[i]);
		if (v == NULL || json_is_null(v))
			return tl_err_set(err, TL_EX_DATAERR, name, line,
			    "field '%s': missing (a regime model needs every "
			    "feature on every day)", d->feat[i]);
		if (json_is_string(v))
			return tl_err_set(err, TL_EX_DATAERR, name, line,
			    "field '%s': '%s' is not a number", d->feat[i],
			    json_string_value(v));
		if (!json_is_number(v))
			return tl_err_set(err, TL_EX_DATAERR, name, line,
			    "field '%s': expected number, got %s", d->feat[i],
			    tl_json_typename(v));
		d->x[d->n * d->dim + i] = json_number_value(v);
	}
	v = json_object_get(rec, date);
	if (json_is_string(v))
		d->date[d->n] = tl_xstrdup(json_string_value(v));
	else if (json_is_number(v)) {
		tl_fmt_double(num, json_number_value(v));
		d->date[d->n] = tl_xstrdup(num);
	} else if (v != NULL && !json_is_null(v))
		return tl_err_set(err, TL_EX_DATAERR, name, line,
		    "field '%s': expected string, got %s", date,
		    tl_json_typename(v));
	else if (need_date)
		return tl_err_set(err, TL_EX_DATAERR, name, line,
		    "field '%s': missing (--date names the date column)",
		    date);
	/* the model reads the days in order: a shuffled file is a bug */
	if (json_is_string(v) && d->n > 0 && d->date[d->n - 1] != NULL &&
	    strcmp(d->date[d->n - 1], d->date[d->n]) >= 0)
		return tl_err_set(err, TL_EX_DATAERR, name, line,
		    "field '%s': '%s' does not follow '%s' (days must be in "
		    "increasing order)", date, d->date[d->n],
		    d->date[d->n - 1]);
	return 0;
}

/* Read every row of the inputs; the features are feat (copied) or, if
 * NULL, those of the first row.  Stops at the first bad row. */
static int
read_data(const struct opts *o, char *const *feat, size_t nfeat,
    const char *date, int need_date, struct data *d, struct tl_err *err)
{
	struct tl_records *rs;
	const char *path;
	json_t *rec;
	size_t i;
	int f, rc = 0;

	memset(d, 0, sizeof(*d));
	if (feat != NULL) {
		d->feat = tl_xcalloc(nfeat, sizeof(char *));
		for (i = 0; i < nfeat; i++)
			d->feat[i] = tl_xstrdup(feat[i]);
		d->dim = nfeat;
	}
	for (f = 0; f < (o->ninputs > 0 ? o->ninputs : 1) && rc == 0; f++) {
		path = o->ninputs > 0 ? o->inputs[f] : "-";
		if ((rs = tl_records_open(path, o->ifmt, err)) == NULL)
			return -1;
		while (rc == 0 && (rc = tl_records_next(rs, &rec, err)) == 1) {
			rc = 0;
			if (d->dim == 0)
				rc = default_features(d, rec, date,
				    tl_records_name(rs), tl_records_line(rs),
				    err);
			if (rc == 0 && d->n == d->cap) {
				d->cap = d->cap ? 2 * d->cap : 1024;
				d->x = tl_xreallocarray(d->x, d->cap * d->dim,
				    sizeof(double));
				d->date = tl_xreallocarray(d->date, d->cap,
				    sizeof(char *));
			}
			if (rc == 0 && (rc = row_values(d, rec, date,
			    need_date, tl_records_name(rs),
			    tl_records_line(rs), err)) == 0)
				d->n++;
			else if (rc == -1 && d->n < d->cap)
				free(d->date[d->n]);
			json_decref(rec);
		}
		tl_records_free(rs);
		rc = rc == -1 ? -1 : 0;
	}
	if (rc == 0 && d->n == 0)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "no rows in the "
		    "input");
	return rc;
}

/* A constant feature has no regimes to tell apart: say which. */
static int
check_constant(const struct data *d, struct tl_err *err)
{
	char num[TL_NUM_BUFSZ];
	size_t i, j;

	for (j = 0; j < d->dim; j++) {
		for (i = 1; i < d->n; i++)
			if (d->x[i * d->dim + j] != d->x[j])
				break;
		if (d->n > 1 && i == d->n) {
			tl_fmt_double(num, d->x[j]);
			return tl_err_set(err, TL_EX_DATAERR, NULL, 0,
			    "feature '%s' is constant (%s on all %zu rows): "
			    "leave it out with --features", d->feat[j], num,
			    d->n);
		}
	}
	return 0;
}

/* ---- fitting ---------------------------------------------------------- */

/* The canonical order: --order, else -vol, else the first feature. */
static int
resolve_order(const struct opts *o, const struct data *d, size_t *feat,
    int *desc, struct tl_err *err)
{
	const char *name = o->order;
	size_t i;

	*desc = 0;
	*feat = 0;
	if (name == NULL) {
		for (i = 0; i < d->dim; i++)
			if (strcmp(d->feat[i], VOL_COLUMN) == 0) {
				*feat = i;
				*desc = 1;
			}
		return 0;
	}
	if (name[0] == '-') {
		*desc = 1;
		name++;
	} else if (name[0] == '+')
		name++;
	for (i = 0; i < d->dim; i++)
		if (strcmp(d->feat[i], name) == 0) {
			*feat = i;
			return 0;
		}
	return tl_err_set(err, TL_EX_USAGE, "--order", 0, "'%s' is not a "
	    "feature", name);
}

static double
criterion(const struct tl_ghmm *h, size_t n, enum crit c)
{
	return c == CRIT_BIC ? tl_ghmm_bic(h, n) : tl_ghmm_aic(h);
}

/* Fit k states to d into h. */
static int
fit_one(const struct opts *o, const struct data *d, long k,
    struct tl_ghmm *h, struct tl_err *err)
{
	struct tl_ghmm_opts ho = { .k = (size_t)k, .cov_type = o->cov,
	    .restarts = (int)o->restarts, .seed = (unsigned long)o->seed,
	    .max_iter = (int)o->max_iter, .tol = o->tol, .min_var = MIN_VAR };
	int desc;

	if (resolve_order(o, d, &ho.order, &desc, err) == -1)
		return -1;
	ho.order_desc = desc;
	return tl_ghmm_train(h, d->x, d->n, d->dim, &ho, err);
}

/* One row of the selection table. */
static json_t *
selection_row(const struct tl_ghmm *h, size_t n)
{
	return json_pack("{s:I,s:o,s:I,s:o,s:o,s:i,s:b}", "k",
	    (json_int_t)h->k, "loglik", tl_json_num(h->loglik), "parameters",
	    (json_int_t)tl_ghmm_nparams(h->k, h->dim, h->cov_type), "aic",
	    tl_json_num(criterion(h, n, CRIT_AIC)), "bic",
	    tl_json_num(criterion(h, n, CRIT_BIC)), "iterations", h->iters,
	    "converged", h->converged);
}

/* How the model was fitted, for its file. */
static json_t *
fit_options(const struct opts *o, const struct data *d,
    const struct tl_ghmm *h, int selected)
{
	json_t *opt;
	size_t ord;
	int desc;

	resolve_order(o, d, &ord, &desc, NULL);
	opt = json_pack("{s:s,s:I,s:I,s:I,s:o,s:o,s:s+}", "cov",
	    cov_names[h->cov_type], "restarts", (json_int_t)o->restarts,
	    "seed", (json_int_t)o->seed, "max_iter", (json_int_t)o->max_iter,
	    "tol", tl_json_num(o->tol), "min_var", tl_json_num(MIN_VAR),
	    "order", desc ? "-" : "", d->feat[ord]);
	if (selected)
		json_object_set_new(opt, "criterion",
		    json_string(crit_names[o->crit]));
	return opt;
}

static void
fit_summary(const struct opts *o, const struct tl_ghmm *h, size_t n)
{
	char ll[TL_NUM_BUFSZ], bic[TL_NUM_BUFSZ];

	if (!h->converged)
		tl_warn("%zu states: the best restart did not converge in %d "
		    "iterations (raise --max-iter)", h->k, h->iters);
	if (o->quiet)
		return;
	tl_fmt_double(ll, round(h->loglik * 1000) / 1000);
	tl_fmt_double(bic, round(criterion(h, n, CRIT_BIC) * 1000) / 1000);
	tl_msg("%zu states (%s) on %zu rows x %zu features: log L %s, BIC %s, "
	    "%d iterations", h->k, cov_names[h->cov_type], n, h->dim, ll, bic,
	    h->iters);
}

static int
cmd_fit(const struct opts *o, struct tl_err *err)
{
	struct data d = { 0 };
	struct tl_regime_model m = { 0 };
	struct tl_ghmm h;
	struct tl_out *out = NULL;
	json_t *v = NULL, *sel = NULL;
	double best = INFINITY, c;
	long k;
	size_t i;
	int rc;

	rc = read_data(o, o->feat, o->nfeat, o->date, 0, &d, err);
	if (rc == 0)
		rc = check_constant(&d, err);
	if (rc == 0 && o->kmin != o->kmax)
		sel = json_array();
	for (k = o->kmin; rc == 0 && k <= o->kmax; k++) {
		if ((rc = fit_one(o, &d, k, &h, err)) == -1)
			break;
		if (o->kmin != o->kmax)
			json_array_append_new(sel, selection_row(&h, d.n));
		c = criterion(&h, d.n, o->crit);
		if (c < best) {	/* ties: fewer states */
			best = c;
			tl_ghmm_release(&m.h);
			m.h = h;
		} else
			tl_ghmm_release(&h);
	}
	if (rc == 0) {
		fit_summary(o, &m.h, d.n);
		if (sel != NULL && !o->quiet)
			tl_msg("%s picks %zu states out of %ld-%ld",
			    crit_names[o->crit], m.h.k, o->kmin, o->kmax);
		m.feat = d.feat;
		m.labels = tl_xcalloc(m.h.k, sizeof(char *));
		for (i = 0; i < m.h.k; i++) {
			char name[32];

			snprintf(name, sizeof(name), "s%zu", i);
			m.labels[i] = tl_xstrdup(o->nlabels > 0 ?
			    o->labels[i] : name);
		}
		m.date = tl_xstrdup(o->date);
		m.rows = d.n;
		if (d.date[0] != NULL)
			m.first = tl_xstrdup(d.date[0]);
		if (d.date[d.n - 1] != NULL)
			m.last = tl_xstrdup(d.date[d.n - 1]);
		m.options = fit_options(o, &d, &m.h, sel != NULL);
		m.selection = sel;
		sel = NULL;
		v = tl_regime_model_json(&m);
		m.feat = NULL;	/* d's */
		if ((out = tl_out_open(o->output, TL_FMT_JSONL, err)) == NULL)
			rc = -1;
	}
	if (rc == 0) {
		rc = tl_out_write(out, v, err);
		rc = rc == 0 ? tl_out_close(out, err) : (tl_out_abort(out), -1);
	}
	json_decref(sel);
	json_decref(v);
	tl_regime_model_release(&m);
	data_release(&d);
	return rc;
}

static int
cmd_select(const struct opts *o, struct tl_err *err)
{
	struct data d = { 0 };
	struct tl_ghmm *h;
	struct tl_out *out = NULL;
	size_t n, i, bb = 0, ba = 0;
	json_t *row;
	int rc;

	n = (size_t)(o->kmax - o->kmin + 1);
	h = tl_xcalloc(n, sizeof(*h));
	rc = read_data(o, o->feat, o->nfeat, o->date, 0, &d, err);
	if (rc == 0)
		rc = check_constant(&d, err);
	for (i = 0; rc == 0 && i < n; i++)
		if ((rc = fit_one(o, &d, o->kmin + (long)i, &h[i], err)) == 0) {
			if (criterion(&h[i], d.n, CRIT_BIC) < criterion(&h[bb],
			    d.n, CRIT_BIC))
				bb = i;
			if (criterion(&h[i], d.n, CRIT_AIC) < criterion(&h[ba],
			    d.n, CRIT_AIC))
				ba = i;
			if (!h[i].converged)
				tl_warn("%zu states: the best restart did not "
				    "converge in %d iterations (raise "
				    "--max-iter)", h[i].k, h[i].iters);
		}
	if (rc == 0 && (out = tl_out_open(o->output, TL_FMT_JSONL,
	    err)) == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < n; i++) {
		row = selection_row(&h[i], d.n);
		json_object_set_new(row, "min_bic", json_boolean(i == bb));
		json_object_set_new(row, "min_aic", json_boolean(i == ba));
		rc = tl_out_write(out, row, err);
		json_decref(row);
	}
	if (out != NULL)
		rc = rc == 0 ? tl_out_close(out, err) : (tl_out_abort(out), -1);
	if (rc == 0 && !o->quiet)
		tl_msg("%zu rows x %zu features: BIC picks %zu states, AIC %zu",
		    d.n, d.dim, h[bb].k, h[ba].k);
	for (i = 0; i < n; i++)
		tl_ghmm_release(&h[i]);
	free(h);
	data_release(&d);
	return rc;
}

/* ---- decoding --------------------------------------------------------- */

static int
cmd_decode(const struct opts *o, struct tl_err *err)
{
	static const char *const cols[] = { "date", "state", "label", "prob",
	    "viterbi" };
	struct tl_regime_model m = { 0 };
	struct data d = { 0 };
	struct tl_out *out = NULL;
	double *filt = NULL;
	size_t *path = NULL, i, j, k, best;
	json_t *row;
	int rc;

	if ((rc = tl_regime_model_load(&m, o->model, err)) == 0)
		rc = read_data(o, m.feat, m.h.dim, m.date, 1, &d, err);
	if (rc == 0 && (out = tl_out_open(o->output, o->fmt, err)) == NULL)
		rc = -1;
	if (rc == 0) {
		k = m.h.k;
		if (tl_out_fmt(out) == TL_FMT_CSV)
			tl_out_set_columns(out, cols, 5);
		filt = tl_xcalloc(d.n * k, sizeof(double));
		path = tl_xcalloc(d.n, sizeof(size_t));
		tl_ghmm_decode(&m.h, d.x, d.n, filt, path);
		for (i = 0; rc == 0 && i < d.n; i++) {
			for (best = 0, j = 1; j < k; j++)
				if (filt[i * k + j] > filt[i * k + best])
					best = j;
			row = json_pack("{s:s,s:I,s:s,s:o,s:I}", "date",
			    d.date[i], "state", (json_int_t)best, "label",
			    m.labels[best], "prob", tl_json_num_array(filt +
			    i * k, k), "viterbi", (json_int_t)path[i]);
			rc = tl_out_write(out, row, err);
			json_decref(row);
		}
		rc = rc == 0 ? tl_out_close(out, err) : (tl_out_abort(out), -1);
	}
	free(path);
	free(filt);
	data_release(&d);
	tl_regime_model_release(&m);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct opts o = { .cov = TL_GHMM_DIAG, .crit = CRIT_BIC,
	    .date = "date", .kmin = 3, .kmax = 3, .max_iter = 500,
	    .restarts = 10, .seed = 1, .tol = 1e-4 };
	struct tl_err err = { 0 };
	int rc, status = TL_EX_OK;

	tl_init("tl-regime");
	parse_args(argc, argv, &o);
	if (o.cmd == C_FIT)
		rc = cmd_fit(&o, &err);
	else if (o.cmd == C_DECODE)
		rc = cmd_decode(&o, &err);
	else
		rc = cmd_select(&o, &err);
	if (rc == -1)
		status = tl_report(&err);
	tl_free_strings(o.feat, o.nfeat);
	tl_free_strings(o.labels, o.nlabels);
	return tl_exit_status(status);
}
