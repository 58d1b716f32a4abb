/*
 * tl-calibrate: make logged confidence scores mean what they say.  fit
 * learns a monotone map from score to win probability (isotonic by PAV,
 * or Platt scaling), optionally one per group with a pooled fallback;
 * apply adds the calibrated score to each row; report measures
 * calibration (Brier, log-loss, ECE, reliability table) before and after,
 * out of fold with --cv.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <jansson.h>

#include "tl_calib.h"
#include "tl_err.h"
#include "tl_json.h"
#include "tl_jv.h"
#include "tl_num.h"
#include "tl_opt.h"
#include "tl_out.h"
#include "tl_records.h"
#include "tl_rng.h"
#include "tl_util.h"

#define REPORT_FORMAT	"tl-calibration-report"
#define REPORT_VERSION	1
#define ISO_FEW_ROWS	1000	/* below, isotonic maps overfit (Niculescu-
				 * Mizil & Caruana 2005): a warning */

enum cmd { C_FIT, C_APPLY, C_REPORT };

struct opts {
	enum cmd	 cmd;		/* fit, apply or report */
	const char	*by;		/* group column or NULL */
	long		 bins;		/* reliability bins */
	enum tl_binning	 binning;	/* uniform or quantile */
	const char	*map;		/* --map: map file */
	long		 folds;		/* --cv K, 0 off */
	enum tl_fmt	 fmt;		/* apply output format */
	enum tl_fmt	 ifmt;		/* -i, AUTO: sniffed */
	double		 level;		/* Wilson interval level */
	enum tl_calib_method	 method;	/* isotonic or platt */
	long		 min_rows;	/* rows for a group of its own */
	const char	*outcome;	/* outcome column */
	const char	*output;	/* -o */
	const char	*report;	/* fit --report: the report too */
	int		 quiet;		/* -q */
	const char	*score;		/* score column */
	long		 seed;		/* fold assignment */
	int		 drop_unscored;	/* --unscored drop */
	char		**inputs;	/* files; none: stdin */
	int		 ninputs;	/* their number */
};

/* The rows read: score, outcome (0/1) and group (NULL: none). */
struct rows {
	double		*s;		/* scores in [0, 1] */
	double		*y;		/* 1 win, 0 loss */
	char		**g;		/* group values or NULL */
	size_t		 n, cap;	/* used, allocated */
	size_t		 unscored;	/* left out by --unscored drop */
};

/* --unscored: what a row without a score is */
static const char *const unscored_names[] = { "fail", "drop" };

/* --binning */
static const struct binning_name {
	const char	*name;		/* the word */
	enum tl_binning	 how;		/* the bins */
} binnings[] = {
	{ "uniform", TL_BINS_UNIFORM }, { "quantile", TL_BINS_QUANTILE }
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: tl-calibrate fit [-q] [-B bins] [-b column] [-i format] [-k folds]\n"
"                    [-l level] [-m method] [-o map] [-s seed] [-y column]\n"
"                    [--binning how] [--min-rows N] [--report file]\n"
"                    [--score column] [--unscored what] [file ...]\n"
"       tl-calibrate apply --map file [-f format] [-i format] [-o file]\n"
"                    [file ...]\n"
"       tl-calibrate report [-q] [-B bins] [-b column] [-i format] [-k folds]\n"
"                    [-l level] [-m method] [-o file] [-s seed] [-y column]\n"
"                    [--binning how] [--map file] [--min-rows N]\n"
"                    [--score column] [--unscored what] [file ...]\n");
	if (fp != stdout)
		return;
	fprintf(fp,
"\nMake confidence scores mean what they say (see tl-calibrate(1)).\n\n"
"  -B, --bins=N          reliability bins (10)\n"
"  -b, --by=COLUMN       one map per value of COLUMN (strategy, regime)\n"
"      --binning=HOW     uniform (default) or quantile bins\n"
"  -f, --format=FMT      apply's output: jsonl or csv\n"
"  -h, --help            this help\n"
"  -i, --input-format=F  jsonl, csv or json (default: from the content)\n"
"  -k, --cv=K            report: calibrated figures out of K folds\n"
"  -l, --level=P         level of the Wilson intervals (0.95)\n"
"      --map=FILE        the map to apply or to report on\n"
"      --min-rows=N      a group with fewer rows uses the pooled map (50)\n"
"  -m, --method=M        isotonic (default) or platt\n"
"  -o, --output=FILE     write to FILE (atomically) instead of stdout\n"
"  -q, --quiet           no summary line\n"
"      --report=FILE     fit: also write report's figures (with -k, out of\n"
"                        fold) of the same rows to FILE, in one reading\n"
"      --score=COLUMN    the score, in [0, 1] (confidence)\n"
"  -s, --seed=N          fold assignment for --cv (1)\n"
"      --unscored=WHAT   fit, report: a row without a score is an error\n"
"                        (fail, the default) or left out with a warning\n"
"                        (drop: trades of a system that logs none)\n"
"  -V, --version         print the version\n"
"  -y, --outcome=COLUMN  the outcome: boolean, or a number, a win when\n"
"                        > 0 (win)\n");
}

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	enum { O_BINNING = 256, O_MAP, O_MINROWS, O_REPORT, O_SCORE,
	    O_UNSCORED };
	static const char *const cmds[] = { "fit", "apply", "report" };
	static const struct option longopts[] = {
		{ "bins", required_argument, NULL, 'B' },
		{ "by", required_argument, NULL, 'b' },
		{ "binning", required_argument, NULL, O_BINNING },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "input-format", required_argument, NULL, 'i' },
		{ "cv", required_argument, NULL, 'k' },
		{ "level", required_argument, NULL, 'l' },
		{ "map", required_argument, NULL, O_MAP },
		{ "min-rows", required_argument, NULL, O_MINROWS },
		{ "method", required_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "report", required_argument, NULL, O_REPORT },
		{ "score", required_argument, NULL, O_SCORE },
		{ "unscored", required_argument, NULL, O_UNSCORED },
		{ "seed", required_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ "outcome", required_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 }
	};
	/* tl(7), the interface: these letters became long-only, -z is -l */
	static const struct tl_old_opt old[] = { { "-c", "map" },
	    { "-M", "min-rows" }, { "-p", "score" }, { "-S", "binning" },
	    { "-z", "level" } };
	static const struct tl_getopt g = {
	    ":B:b:c:f:hi:k:l:M:m:o:p:qS:s:Vy:z:", longopts, old,
	    TL_NELEM(old) };
	struct tl_err err = { 0 };
	struct tl_opt_file f[1];
	int ch, bad = 0, unscored_given = 0;

	/* GNU getopt moves the operands (command, files) to the end, so
	 * options may stand before or after the command */
	while ((ch = tl_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case 'B':
			bad = tl_parse_long("--bins", optarg, 1, 1000,
			    &o->bins, &err);
			break;
		case 'b':
			o->by = optarg;
			break;
		case O_BINNING:
			o->binning = binnings[TL_PARSE_WORD("--binning",
			    optarg, binnings)].how;
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
		case 'k':
			bad = tl_parse_long("--cv", optarg, 2, 1000, &o->folds,
			    &err);
			break;
		case 'l':
			bad = tl_parse_double("--level", optarg, 0.5, 0.999999,
			    &o->level, &err);
			break;
		case O_MAP:
			o->map = optarg;
			break;
		case O_MINROWS:
			bad = tl_parse_long("--min-rows", optarg, 1,
			    TL_CALIB_MIN_ROWS_MAX, &o->min_rows, &err);
			break;
		case 'm':
			/* -m map.json: the map is -c (--map) */
			o->method = (enum tl_calib_method)tl_parse_word(
			    "--method", optarg, tl_calib_method_names,
			    tl_calib_nmethods, sizeof(tl_calib_method_names[0]),
			    "--map");
			break;
		case 'o':
			o->output = optarg;
			break;
		case O_SCORE:
			o->score = optarg;
			break;
		case O_UNSCORED:
			o->drop_unscored = TL_PARSE_WORD("--unscored", optarg,
			    unscored_names) == 1;
			unscored_given = 1;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case O_REPORT:
			o->report = optarg;
			break;
		case 's':
			bad = tl_parse_long("--seed", optarg, 0, LONG_MAX,
			    &o->seed, &err);
			break;
		case 'V':
			tl_version_exit();
		case 'y':
			o->outcome = optarg;
			break;
		}
		if (bad)
			tl_usage_error("%s: %s", err.where, err.msg);
	}
	o->cmd = (enum cmd)tl_command(argc, argv, optind, cmds, 3);
	o->inputs = argv + optind + 1;
	o->ninputs = argc - optind - 1;
	if (o->cmd == C_APPLY && o->map == NULL)
		tl_usage_error("apply needs the map: --map FILE");
	if (o->cmd == C_APPLY && unscored_given)
		tl_usage_error("--unscored is for fit and report (apply keeps "
		    "every row)");
	if (o->report != NULL && o->cmd != C_FIT)
		tl_usage_error("--report is for fit (report writes -o)");
	if (o->cmd != C_REPORT && o->report == NULL && o->folds > 0)
		tl_usage_error("--cv is for report (or fit --report)");
	if (o->map != NULL && o->folds > 0)
		tl_usage_error("--map and --cv exclude each other: a map, or "
		    "maps fitted out of fold");
	f[0] = (struct tl_opt_file){ "--map", o->map };
	tl_opt_inputs(f, TL_NELEM(f), o->inputs, o->ninputs, 1, usage);
}

/* ---- reading rows ----------------------------------------------------- */

static void
rows_release(struct rows *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->g[i]);
	free(r->s);
	free(r->y);
	free(r->g);
	memset(r, 0, sizeof(*r));
}

/* Score, outcome and group of one row (parsed into d); 1 for a row
 * without a score under --unscored drop; -1 with err on a bad one.
 * tl_jv, not jansson: the nightly run reads a million trades. */
static int
row_values(const struct opts *o, const struct tl_jdoc *d, const char *name,
    unsigned long line, double *s, double *y, char **g, struct tl_err *err)
{
	const struct tl_jv *root = &d->v[0], *v;
	char num[TL_NUM_BUFSZ];

	*g = NULL;
	if (root->type != TL_JOBJ)
		return tl_err_set(err, TL_EX_DATAERR, name, line,
		    "expected an object, got %s", tl_jv_typename(root));
	v = tl_jv_get(d, root, o->score);
	if ((v == NULL || v->type == TL_JNULL) && o->drop_unscored)
		return 1;
	if (v == NULL || v->type == TL_JNULL)
		return tl_err_set(err, TL_EX_DATAERR, name, line,
		    "field '%s': missing", o->score);
	if (v->type != TL_JNUM)
		return tl_err_set(err, TL_EX_DATAERR, name, line,
		    "field '%s': expected number, got %s", o->score,
		    tl_jv_typename(v));
	*s = v->num;
	if (!(*s >= 0 && *s <= 1)) {
		tl_fmt_double(num, *s);
		return tl_err_set(err, TL_EX_DATAERR, name, line,
		    "field '%s': %s is outside [0, 1]", o->score, num);
	}
	if (y != NULL) {
		v = tl_jv_get(d, root, o->outcome);
		if (v == NULL || v->type == TL_JNULL)
			return tl_err_set(err, TL_EX_DATAERR, name, line,
			    "field '%s': missing", o->outcome);
		if (v->type == TL_JTRUE || v->type == TL_JFALSE)
			*y = v->type == TL_JTRUE;
		else if (v->type == TL_JNUM)
			*y = v->num > 0;
		else
			return tl_err_set(err, TL_EX_DATAERR, name, line,
			    "field '%s': expected boolean or number, got %s",
			    o->outcome, tl_jv_typename(v));
	}
	if (o->by != NULL && (v = tl_jv_get(d, root, o->by)) != NULL &&
	    v->type != TL_JNULL) {
		if (v->type == TL_JSTR) {
			*g = tl_xmalloc(v->len + 1);
			memcpy(*g, v->s, v->len);
			(*g)[v->len] = '\0';
		} else if (v->type == TL_JNUM) {
			tl_fmt_double(num, v->num);
			*g = tl_xstrdup(num);
		} else
			return tl_err_set(err, TL_EX_DATAERR, name, line,
			    "field '%s': expected string or number, got %s",
			    o->by, tl_jv_typename(v));
	}
	return 0;
}

/* Read every row of the inputs.  A tool that fits stops at the first bad
 * row. */
static int
read_rows(const struct opts *o, struct rows *r, struct tl_err *err)
{
	struct tl_records *rs;
	struct tl_jdoc d;
	const char *path, *text;
	size_t len;
	int i, rc = 0;

	tl_jdoc_init(&d);
	for (i = 0; i < (o->ninputs > 0 ? o->ninputs : 1) && rc == 0; i++) {
		path = o->ninputs > 0 ? o->inputs[i] : "-";
		if ((rs = tl_records_open(path, o->ifmt, err)) == NULL) {
			rc = -1;
			break;
		}
		while (rc == 0 && (rc = tl_records_next_text(rs, &text, &len,
		    err)) == 1) {
			if (r->n == r->cap) {
				r->cap = r->cap ? 2 * r->cap : 1024;
				r->s = tl_xreallocarray(r->s, r->cap,
				    sizeof(double));
				r->y = tl_xreallocarray(r->y, r->cap,
				    sizeof(double));
				r->g = tl_xreallocarray(r->g, r->cap,
				    sizeof(char *));
			}
			rc = tl_jdoc_parse(&d, text, len, tl_records_name(rs),
			    tl_records_line(rs), err);
			if (rc == 0)
				rc = row_values(o, &d, tl_records_name(rs),
				    tl_records_line(rs), &r->s[r->n],
				    &r->y[r->n], &r->g[r->n], err);
			if (rc == 1)
				r->unscored++;
			else if (rc == 0)
				r->n++;
			rc = rc == 1 ? 0 : rc;
		}
		tl_records_free(rs);
		rc = rc == -1 ? -1 : 0;
	}
	tl_jdoc_release(&d);
	if (rc == 0 && r->unscored > 0)
		tl_warn("%zu of %zu rows have no '%s': left out (--unscored "
		    "drop)", r->unscored, r->unscored + r->n, o->score);
	if (rc == 0 && r->n == 0)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "no rows in the "
		    "input");
	return rc;
}

/* ---- maps ------------------------------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;

	return strcmp(x, y);
}

/* Fit the pooled map on the rows sel[0..n) of r (all when sel is NULL)
 * and one map per group with at least min_rows of them. */
static int
cal_fit(struct tl_cal *c, const struct opts *o, const struct rows *r,
    const size_t *sel, size_t n, struct tl_err *err)
{
	double *s, *y;
	char **names;
	size_t i, j, k, m, nn = 0;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->method = o->method;
	s = tl_xcalloc(n, sizeof(*s));
	y = tl_xcalloc(n, sizeof(*y));
	names = tl_xcalloc(n, sizeof(*names));
	for (i = 0; i < n; i++) {
		k = sel != NULL ? sel[i] : i;
		s[i] = r->s[k];
		y[i] = r->y[k];
		if (r->g[k] != NULL)
			names[nn++] = r->g[k];
	}
	if ((rc = tl_cmap_fit(&c->pooled, o->method, s, y, n, err)) == -1)
		goto out;
	if (nn > 0)
		qsort(names, nn, sizeof(*names), cmp_str);
	c->gname = tl_xcalloc(nn + 1, sizeof(char *));
	c->gmap = tl_xcalloc(nn + 1, sizeof(struct tl_cmap));
	for (i = 0; i < nn && rc == 0; i = j) {
		for (j = i; j < nn && strcmp(names[i], names[j]) == 0; j++)
			;
		if ((long)(j - i) < o->min_rows)
			continue;
		for (k = m = 0; k < n; k++) {
			size_t q = sel != NULL ? sel[k] : k;

			if (r->g[q] != NULL && strcmp(r->g[q], names[i]) == 0) {
				s[m] = r->s[q];
				y[m++] = r->y[q];
			}
		}
		if ((rc = tl_cmap_fit(&c->gmap[c->ng], o->method, s, y, m,
		    err)) == 0)
			c->gname[c->ng++] = tl_xstrdup(names[i]);
		else
			tl_err_set(err, err->code, NULL, 0, "group '%s': %s",
			    names[i], err->msg);
	}
out:
	free(names);
	free(y);
	free(s);
	return rc;
}

/* Load the map of -c: its columns become the options' (the map says
 * which columns it was fitted on). */
static int
cal_load(struct tl_cal *c, struct opts *o, struct tl_err *err)
{
	if (tl_cal_load(c, o->map, err) == -1)
		return -1;
	o->score = c->score;
	if (c->by != NULL)
		o->by = c->by;
	return 0;
}

/* ---- the three commands ---------------------------------------------- */

static void
few_rows_warning(const struct opts *o, size_t n)
{
	if (!o->quiet && o->method == TL_CALIB_ISOTONIC && n > 0 &&
	    n < ISO_FEW_ROWS)
		tl_warn("isotonic maps on %zu rows overfit; -m platt is safer "
		    "below %d", n, ISO_FEW_ROWS);
}

/* Rows through, each with "<score>_calibrated" added. */
static int
cmd_apply(struct opts *o, struct tl_err *err)
{
	struct tl_records *rs;
	struct tl_out *out = NULL;
	struct tl_cal c = { 0 };
	struct tl_jdoc d;
	const char *text;
	char key[512], *g;
	size_t len;
	double s;
	json_t *rec;
	int i, rc;

	if ((rc = cal_load(&c, o, err)) == -1)
		return -1;
	snprintf(key, sizeof(key), "%s_calibrated", o->score);
	if ((out = tl_out_open(o->output, o->fmt, err)) == NULL) {
		tl_cal_release(&c);
		return -1;
	}
	tl_jdoc_init(&d);
	for (i = 0; i < (o->ninputs > 0 ? o->ninputs : 1) && rc == 0; i++) {
		if ((rs = tl_records_open(o->ninputs > 0 ? o->inputs[i] : "-",
		    o->ifmt, err)) == NULL) {
			rc = -1;
			break;
		}
		while (rc == 0 && (rc = tl_records_next_text(rs, &text, &len,
		    err)) == 1) {
			g = NULL;
			rc = tl_jdoc_parse(&d, text, len, tl_records_name(rs),
			    tl_records_line(rs), err);
			if (rc == 0)
				rc = row_values(o, &d, tl_records_name(rs),
				    tl_records_line(rs), &s, NULL, &g, err);
			/* the row as it was, plus the calibrated score */
			if (rc == 0 && (rec = tl_json_parse(text, len,
			    tl_records_name(rs), tl_records_line(rs), err))
			    == NULL)
				rc = -1;
			if (rc == 0) {
				json_object_set_new(rec, key, json_real(
				    tl_cmap_apply(tl_cal_find(&c, g), s)));
				rc = tl_out_write(out, rec, err);
				json_decref(rec);
			}
			free(g);
		}
		tl_records_free(rs);
		rc = rc == -1 ? -1 : 0;
	}
	tl_jdoc_release(&d);
	if (rc == 0)
		rc = tl_out_close(out, err);
	else
		tl_out_abort(out);
	tl_cal_release(&c);
	return rc;
}

/* Brier, log-loss, ECE and the reliability table of p against r->y. */
static json_t *
figures(const struct opts *o, const double *p, const struct rows *r)
{
	struct tl_bin *b;
	json_t *v, *t;
	double ece, z;
	long k;

	z = gsl_cdf_ugaussian_Pinv(0.5 + o->level / 2);
	b = tl_xcalloc((size_t)o->bins, sizeof(*b));
	ece = tl_reliability(p, r->y, r->n, (size_t)o->bins, o->binning, z, b);
	v = json_object();
	json_object_set_new(v, "brier", tl_json_num(tl_brier(p, r->y, r->n)));
	json_object_set_new(v, "logloss", tl_json_num(tl_logloss(p, r->y,
	    r->n)));
	json_object_set_new(v, "ece", tl_json_num(ece));
	t = json_array();
	for (k = 0; k < o->bins; k++) {
		json_t *row = json_object();

		json_object_set_new(row, "lo", tl_json_num(b[k].lo));
		json_object_set_new(row, "hi", tl_json_num(b[k].hi));
		json_object_set_new(row, "n", json_integer((json_int_t)b[k].n));
		json_object_set_new(row, "mean_score", tl_json_num(b[k].mean_p));
		json_object_set_new(row, "win_rate", tl_json_num(b[k].rate));
		json_object_set_new(row, "ci_lo", tl_json_num(b[k].ci_lo));
		json_object_set_new(row, "ci_hi", tl_json_num(b[k].ci_hi));
		json_array_append_new(t, row);
	}
	json_object_set_new(v, "table", t);
	free(b);
	return v;
}

/* Out-of-fold calibrated scores: rows shuffled by the seed into K folds;
 * each fold's scores come from maps fitted on the others. */
static int
oof(const struct opts *o, const struct rows *r, double *p,
    struct tl_err *err)
{
	size_t *perm, *train, *fold, i, j, t, nt, nf, tmp;
	struct tl_cal c;
	gsl_rng *g;
	long f;
	int rc = 0;

	if ((size_t)o->folds > r->n)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "--cv %ld: "
		    "more folds than the %zu rows", o->folds, r->n);
	perm = tl_xcalloc(r->n, sizeof(*perm));
	train = tl_xcalloc(r->n, sizeof(*train));
	fold = tl_xcalloc(r->n, sizeof(*fold));
	for (i = 0; i < r->n; i++)
		perm[i] = i;
	g = tl_rng_alloc((uint64_t)o->seed, 0);
	for (i = r->n - 1; i > 0; i--) {	/* Fisher-Yates */
		j = tl_rng_below(g, i + 1);
		tmp = perm[i];
		perm[i] = perm[j];
		perm[j] = tmp;
	}
	tl_rng_free(g);
	for (f = 0; f < o->folds && rc == 0; f++) {
		for (i = nt = nf = 0; i < r->n; i++) {
			t = perm[i];
			if ((long)(i % (size_t)o->folds) == f)
				fold[nf++] = t;
			else
				train[nt++] = t;
		}
		if ((rc = cal_fit(&c, o, r, train, nt, err)) == -1) {
			tl_err_set(err, err->code, NULL, 0, "fold %ld: %s",
			    f + 1, err->msg);
			break;
		}
		for (i = 0; i < nf; i++)
			p[fold[i]] = tl_cmap_apply(tl_cal_find(&c,
			    r->g[fold[i]]), r->s[fold[i]]);
		tl_cal_release(&c);
	}
	free(fold);
	free(train);
	free(perm);
	return rc;
}

/* The report of rows r: raw figures, and calibrated ones through the
 * map c (--map) or out of fold (--cv).  Returns new, or NULL with err
 * set. */
static json_t *
report_of(const struct opts *o, const struct rows *r, const struct tl_cal *c,
    struct tl_err *err)
{
	json_t *v;
	double *p = NULL, wins = 0;
	size_t i;

	if (o->folds > 0)
		few_rows_warning(o, r->n);
	if (o->map != NULL || o->folds > 0) {
		p = tl_xcalloc(r->n, sizeof(*p));
		if (o->map != NULL)
			for (i = 0; i < r->n; i++)
				p[i] = tl_cmap_apply(tl_cal_find(c, r->g[i]),
				    r->s[i]);
		else if (oof(o, r, p, err) == -1) {
			free(p);
			return NULL;
		}
	}
	for (i = 0; i < r->n; i++)
		wins += r->y[i];
	v = json_pack("{s:s,s:i,s:s,s:s,s:I,s:I,s:I,s:s}",
	    "format", REPORT_FORMAT, "version", REPORT_VERSION,
	    "score", o->score, "outcome", o->outcome,
	    "n", (json_int_t)r->n, "wins", (json_int_t)wins,
	    "bins", (json_int_t)o->bins, "binning",
	    o->binning == TL_BINS_UNIFORM ? "uniform" : "quantile");
	if (r->unscored > 0)
		json_object_set_new(v, "unscored",
		    json_integer((json_int_t)r->unscored));
	json_object_set_new(v, "level", json_real(o->level));
	json_object_set_new(v, "raw", figures(o, r->s, r));
	if (p != NULL)
		json_object_set_new(v, "calibrated", figures(o, p, r));
	if (o->folds > 0)
		json_object_set_new(v, "cv", json_pack("{s:I,s:I,s:s}",
		    "folds", (json_int_t)o->folds, "seed",
		    (json_int_t)o->seed, "method",
		    tl_calib_method_name(o->method)));
	free(p);
	return v;
}

/* Write v to path (NULL: stdout) as one line, atomically.  Returns 0, or
 * -1 with err set. */
static int
write_one(const char *path, const json_t *v, struct tl_err *err)
{
	struct tl_out *out;

	if ((out = tl_out_open(path, TL_FMT_JSONL, err)) == NULL)
		return -1;
	if (tl_out_write(out, v, err) == -1) {
		tl_out_abort(out);
		return -1;
	}
	return tl_out_close(out, err);
}

static int
cmd_fit(const struct opts *o, struct tl_err *err)
{
	struct rows r = { 0 };
	struct tl_cal c = { 0 };
	struct tl_out *out = NULL, *rout = NULL;
	json_t *v = NULL, *rep = NULL;
	int rc;

	rc = read_rows(o, &r, err);
	if (rc == 0)
		rc = cal_fit(&c, o, &r, NULL, r.n, err);
	few_rows_warning(o, r.n);
	/* both outputs opened first: a bad path leaves neither */
	if (rc == 0 && o->report != NULL &&
	    (rep = report_of(o, &r, NULL, err)) == NULL)
		rc = -1;
	if (rc == 0 && (out = tl_out_open(o->output, TL_FMT_JSONL,
	    err)) == NULL)
		rc = -1;
	if (rc == 0 && rep != NULL && (rout = tl_out_open(o->report,
	    TL_FMT_JSONL, err)) == NULL)
		rc = -1;
	if (rc == 0) {
		c.score = tl_xstrdup(o->score);
		c.outcome = tl_xstrdup(o->outcome);
		c.by = o->by != NULL ? tl_xstrdup(o->by) : NULL;
		c.min_rows = o->min_rows;
		c.n = r.n;
		v = tl_cal_json(&c);
		rc = tl_out_write(out, v, err);
	}
	if (rc == 0 && rout != NULL)
		rc = tl_out_write(rout, rep, err);
	if (rc == 0)
		rc = tl_out_close(out, err);
	else
		tl_out_abort(out);
	if (rc == 0 && rout != NULL)
		rc = tl_out_close(rout, err);
	else
		tl_out_abort(rout);
	if (rc == 0 && !o->quiet)
		tl_msg("fit %s on %zu rows, %zu group map%s",
		    tl_calib_method_name(o->method), r.n, c.ng, c.ng == 1 ? "" :
		    "s");
	json_decref(rep);
	json_decref(v);
	tl_cal_release(&c);
	rows_release(&r);
	return rc;
}

static int
cmd_report(struct opts *o, struct tl_err *err)
{
	struct rows r = { 0 };
	struct tl_cal c = { 0 };
	json_t *v = NULL;
	int rc = 0;

	if (o->map != NULL)
		rc = cal_load(&c, o, err);
	if (rc == 0)
		rc = read_rows(o, &r, err);
	if (rc == 0 && (v = report_of(o, &r, &c, err)) == NULL)
		rc = -1;
	if (rc == 0)
		rc = write_one(o->output, v, err);
	json_decref(v);
	tl_cal_release(&c);
	rows_release(&r);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct opts o = { .bins = 10, .binning = TL_BINS_UNIFORM,
	    .level = 0.95, .method = TL_CALIB_ISOTONIC, .min_rows = 50,
	    .outcome = "win", .score = "confidence", .seed = 1 };
	struct tl_err err = { 0 };
	int rc, status = TL_EX_OK;

	tl_init("tl-calibrate");
	parse_args(argc, argv, &o);
	if (o.cmd == C_FIT)
		rc = cmd_fit(&o, &err);
	else if (o.cmd == C_APPLY)
		rc = cmd_apply(&o, &err);
	else
		rc = cmd_report(&o, &err);
	if (rc == -1)
		status = tl_report(&err);
	return tl_exit_status(status);
}
