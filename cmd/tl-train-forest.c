/*
 * tl-train-forest: the random-forest meta-model.  train reads rows (JSONL
 * or CSV, nested objects as dotted columns), grows a forest on one target
 * column (regression or classification) and writes a model file and a
 * summary with out-of-bag figures and importances; predict adds each
 * row's prediction and its spread across the trees (lib/tl_fpred, in
 * batches on threads); dump prints a model as JSON.
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "tl_err.h"
#include "tl_forest.h"
#include "tl_fpred.h"
#include "tl_json.h"
#include "tl_num.h"
#include "tl_opt.h"
#include "tl_out.h"
#include "tl_progress.h"
#include "tl_records.h"
#include "tl_util.h"

enum cmd { C_TRAIN, C_PREDICT, C_DUMP };

struct opts {
	enum cmd	 cmd;		/* train, predict or dump */
	struct tl_forest_params fp;	/* forest options */
	int		 allow_missing;	/* predict: rows may lack features */
	char		**inc;		/* --features patterns (new) */
	size_t		 ninc;		/* their number */
	char		**exc;		/* --exclude patterns (new) */
	size_t		 nexc;		/* their number */
	enum tl_fmt	 ifmt;		/* -i, AUTO: sniffed */
	const char	*model;		/* -M */
	const char	*output;	/* -o */
	enum tl_progress_opt progress;	/* --progress, --no-progress */
	int		 quiet;		/* -q */
	int		 strict;	/* predict: the first such row fails */
	const char	*summary;	/* -S */
	const char	*target;	/* -t */
	int		 verbose;	/* -v: timings */
	char		**inputs;	/* files; none: stdin */
	int		 ninputs;	/* their number */
};

/* Progress is drawn for tables of this many rows and more. */
#define PROGRESS_ROWS	100000

enum {
	O_ALLOW = 256, O_CLASS, O_EXCLUDE, O_MAXDEPTH, O_MINLEAF, O_MTRY,
	O_NOBOOT, O_NOPERM, O_NOPROGRESS, O_PROGRESS, O_REGR, O_SAMPLE,
	O_STRICT, O_TREES
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: tl-train-forest train [-qv] -t column [-F list] [-i format]\n"
"                       [-S file] [-s seed] [-T threads] [--exclude list]\n"
"                       [--trees N] [--mtry N] [--min-leaf N]\n"
"                       [--max-depth N] [--sample-fraction F]\n"
"                       [--no-bootstrap] [--no-permutation]\n"
"                       [--classification | --regression]\n"
"                       [--progress | --no-progress] -o model [file ...]\n"
"       tl-train-forest predict [-qv] [-i format] [-T threads]\n"
"                       [--allow-missing | --strict]\n"
"                       [--progress | --no-progress] -M model [-o file]\n"
"                       [file ...]\n"
"       tl-train-forest dump -M model [-o file]\n");
	if (fp != stdout)
		return;
	fprintf(fp,
"\nA random forest that predicts a column from the others\n"
"(see tl-train-forest(1)).\n\n"
"      --allow-missing   predict: rows that lack a feature are predicted\n"
"                        with it missing (default: an error)\n"
"      --classification  Gini trees; the default for string or boolean\n"
"                        targets\n"
"      --exclude=LIST    columns that are not features (name or prefix*)\n"
"  -F, --features=LIST   only these columns (name or prefix*, comma list)\n"
"  -h, --help            this help\n"
"  -i, --input-format=F  jsonl, csv or json (default: from the content)\n"
"  -M, --model=FILE      predict, dump: the model\n"
"      --max-depth=N     deepest node, 0 unlimited (0)\n"
"      --min-leaf=N      least rows in a leaf (5 regression, 1\n"
"                        classification)\n"
"      --mtry=N          features tried per split (sqrt of their number)\n"
"      --no-bootstrap    draw rows without replacement\n"
"      --no-permutation  skip the permutation importance\n"
"  -o, --output=FILE     train: the model (needed); predict, dump: output\n"
"      --progress        a progress line on stderr (default: on a\n"
"                        terminal, for 100000 rows or more)\n"
"      --no-progress     none\n"
"  -q, --quiet           no summary line, no warnings, no progress\n"
"      --regression      variance-reduction trees; the default for numbers\n"
"  -S, --summary=FILE    train: the summary JSON to FILE, not stdout\n"
"  -s, --seed=N          random seed (1)\n"
"      --sample-fraction=F  rows drawn per tree / rows (1, or 0.632\n"
"                        without bootstrap)\n"
"      --strict          predict: stop at the first row without a feature\n"
"  -T, --threads=N       worker threads, 0 for all cores (0)\n"
"  -t, --target=COLUMN   train: the column to predict\n"
"      --trees=N         number of trees (500)\n"
"  -V, --version         print the version\n"
"  -v, --verbose         timings on stderr\n");
}

static size_t
parse_size(const char *opt, const char *s, long lo, long hi)
{
	struct tl_err err = { 0 };
	long v;

	if (tl_parse_long(opt, s, lo, hi, &v, &err) == -1)
		tl_usage_error("%s: %s", err.where, err.msg);
	return (size_t)v;
}

/* A comma list of patterns into *v (new), or a usage error. */
static void
patterns(const char *opt, const char *arg, char ***v, size_t *n)
{
	struct tl_err err = { 0 };

	tl_free_strings(*v, *n);
	if (tl_split_list(arg, v, n, &err) == -1)
		tl_usage_error("%s: '%s': %s", opt, arg, err.msg);
}

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	static const char *const cmds[] = { "train", "predict", "dump" };
	static const struct option longopts[] = {
		{ "allow-missing", no_argument, NULL, O_ALLOW },
		{ "classification", no_argument, NULL, O_CLASS },
		{ "exclude", required_argument, NULL, O_EXCLUDE },
		{ "features", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "input-format", required_argument, NULL, 'i' },
		{ "model", required_argument, NULL, 'M' },
		{ "max-depth", required_argument, NULL, O_MAXDEPTH },
		{ "min-leaf", required_argument, NULL, O_MINLEAF },
		{ "mtry", required_argument, NULL, O_MTRY },
		{ "no-bootstrap", no_argument, NULL, O_NOBOOT },
		{ "no-permutation", no_argument, NULL, O_NOPERM },
		{ "no-progress", no_argument, NULL, O_NOPROGRESS },
		{ "output", required_argument, NULL, 'o' },
		{ "progress", no_argument, NULL, O_PROGRESS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "regression", no_argument, NULL, O_REGR },
		{ "summary", required_argument, NULL, 'S' },
		{ "seed", required_argument, NULL, 's' },
		{ "sample-fraction", required_argument, NULL, O_SAMPLE },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "threads", required_argument, NULL, 'T' },
		{ "target", required_argument, NULL, 't' },
		{ "trees", required_argument, NULL, O_TREES },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	/* tl(7), the interface: -m is -M */
	static const struct tl_old_opt old[] = { { "-m", "model" } };
	static const struct tl_getopt g = { ":F:hi:M:m:o:qS:s:T:t:Vv",
	    longopts, old, TL_NELEM(old) };
	/* the options of train alone */
	static const int train_opts[] = { O_CLASS, O_EXCLUDE, 'F', O_MAXDEPTH,
	    O_MINLEAF, O_MTRY, O_NOBOOT, O_NOPERM, O_REGR, 'S', O_SAMPLE, 't',
	    O_TREES };
	struct tl_err err = { 0 };
	struct tl_opt_file f[1];
	int ch, train_only = 0;
	size_t i;
	long seed;

	while ((ch = tl_getopt(&g, argc, argv)) != -1) {
		for (i = 0; i < TL_NELEM(train_opts); i++)
			train_only |= ch == train_opts[i];
		switch (ch) {
		case O_ALLOW:
			o->allow_missing = 1;
			break;
		case O_CLASS:
		case O_REGR:
			if (o->fp.task != TL_FOREST_AUTO)
				tl_usage_error("--classification and "
				    "--regression exclude each other");
			o->fp.task = ch == O_CLASS ? TL_FOREST_CLASSIFICATION :
			    TL_FOREST_REGRESSION;
			break;
		case O_EXCLUDE:
			patterns("--exclude", optarg, &o->exc, &o->nexc);
			break;
		case 'F':
			patterns("--features", optarg, &o->inc, &o->ninc);
			break;
		case 'h':
			usage(stdout);
			exit(tl_exit_status(TL_EX_OK));
		case 'i':
			o->ifmt = tl_parse_format("--input-format", optarg, 1);
			break;
		case 'M':
			o->model = optarg;
			break;
		case O_MAXDEPTH:
			o->fp.max_depth = parse_size("--max-depth", optarg, 0,
			    100000);
			break;
		case O_MINLEAF:
			o->fp.min_leaf = parse_size("--min-leaf", optarg, 1,
			    LONG_MAX);
			break;
		case O_MTRY:
			o->fp.mtry = parse_size("--mtry", optarg, 1,
			    TL_FOREST_MAX_FEATURES);
			break;
		case O_NOBOOT:
			o->fp.bootstrap = 0;
			break;
		case O_NOPERM:
			o->fp.permutation = 0;
			break;
		case O_NOPROGRESS:
			o->progress = TL_PROGRESS_OFF;
			break;
		case 'o':
			o->output = optarg;
			break;
		case O_PROGRESS:
			o->progress = TL_PROGRESS_ON;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'S':
			o->summary = optarg;
			break;
		case 's':
			if (tl_parse_long("--seed", optarg, 0, LONG_MAX, &seed,
			    &err) == -1)
				tl_usage_error("%s: %s", err.where, err.msg);
			o->fp.seed = (uint64_t)seed;
			break;
		case O_SAMPLE:
			if (tl_parse_double("--sample-fraction", optarg, 1e-9,
			    10, &o->fp.sample_fraction, &err) == -1)
				tl_usage_error("%s: %s", err.where, err.msg);
			break;
		case O_STRICT:
			o->strict = 1;
			break;
		case 'T':
			/* 0: all cores (the default), as in tl-nightly */
			o->fp.threads = (int)parse_size("--threads", optarg, 0,
			    1024);
			break;
		case 't':
			o->target = optarg;
			break;
		case O_TREES:
			o->fp.trees = parse_size("--trees", optarg, 1, 1000000);
			break;
		case 'V':
			tl_version_exit();
		case 'v':
			o->verbose = 1;
			break;
		}
	}
	o->cmd = (enum cmd)tl_command(argc, argv, optind, cmds,
	    (int)TL_NELEM(cmds));
	o->inputs = argv + optind + 1;
	o->ninputs = argc - optind - 1;
	if (o->strict && o->allow_missing)
		tl_usage_error("--strict and --allow-missing exclude each "
		    "other");
	if (o->cmd == C_TRAIN) {
		if (o->target == NULL)
			tl_usage_error("train needs the target column: -t "
			    "COLUMN");
		if (o->output == NULL)
			tl_usage_error("train needs the model file: -o FILE");
		if (o->model != NULL)
			tl_usage_error("-M is for predict and dump; train "
			    "writes the model to -o");
		if (o->strict || o->allow_missing)
			tl_usage_error("--strict and --allow-missing are for "
			    "predict");
	} else {
		if (train_only)
			tl_usage_error("training options are for train");
		if (o->model == NULL)
			tl_usage_error("%s needs the model: -M FILE",
			    cmds[o->cmd]);
		if (o->cmd == C_DUMP && o->ninputs > 0)
			tl_usage_error("dump reads no input files");
		if (o->cmd == C_DUMP && (o->strict || o->allow_missing))
			tl_usage_error("--strict and --allow-missing are for "
			    "predict");
	}
	f[0] = (struct tl_opt_file){ "--model", o->model };
	tl_opt_inputs(f, TL_NELEM(f), o->inputs, o->ninputs, o->cmd != C_DUMP,
	    usage);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A number rounded to 4 significant digits, for messages. */
static const char *
r4(char *buf, double x)
{
	double s;

	if (x != 0 && isfinite(x)) {
		s = pow(10, 3 - floor(log10(fabs(x))));
		x = round(x * s) / s;
	}
	tl_fmt_double(buf, x);
	return buf;
}

static void
warn_cb(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tl_warn("%s", msg);
}

static void
warn_quiet(const char *fmt, ...)
{
	(void)fmt;
}

static int
read_table(const struct opts *o, struct tl_fdata *d, struct tl_err *err)
{
	struct tl_records *rs;
	const char *text;
	size_t len;
	int i, rc = 0;

	for (i = 0; i < (o->ninputs > 0 ? o->ninputs : 1) && rc == 0; i++) {
		rs = tl_records_open(o->ninputs > 0 ? o->inputs[i] : "-",
		    o->ifmt, err);
		if (rs == NULL)
			return -1;
		while (rc == 0 && (rc = tl_records_next_text(rs, &text, &len,
		    err)) == 1)
			rc = tl_fdata_add(d, text, len, tl_records_name(rs),
			    tl_records_line(rs), err);
		tl_records_free(rs);
		rc = rc == -1 ? -1 : 0;
	}
	return rc;
}

static int
cmd_train(struct opts *o, struct tl_err *err)
{
	struct tl_fdata *d;
	struct tl_forest *f = NULL;
	struct tl_fselect sel = { (const char *const *)o->inc, o->ninc,
	    (const char *const *)o->exc, o->nexc };
	struct tl_out *out = NULL;
	json_t *sum = NULL, *oob;
	char b1[TL_NUM_BUFSZ], b2[TL_NUM_BUFSZ];
	double t0, t1, t2;
	int rc = -1;

	t0 = now();
	d = tl_fdata_alloc();
	if (read_table(o, d, err) == -1)
		goto out;
	t1 = now();
	/* big tables, or any with --progress */
	if (tl_fdata_rows(d) >= PROGRESS_ROWS || o->progress ==
	    TL_PROGRESS_ON)
		o->fp.progress = tl_progress_start("train", "trees",
		    (double)o->fp.trees, tl_progress_wanted(o->progress,
		    o->quiet));
	f = tl_forest_train(d, o->target, &sel, &o->fp, o->quiet ? warn_quiet :
	    warn_cb, err);
	tl_progress_end(o->fp.progress);
	o->fp.progress = NULL;
	tl_fdata_free(d);
	d = NULL;
	if (f == NULL)
		goto out;
	t2 = now();
	if ((out = tl_out_open(o->output, TL_FMT_JSONL, err)) == NULL)
		goto out;
	if (tl_forest_save(f, tl_out_file(out), o->output, err) == -1) {
		tl_out_abort(out);
		goto out;
	}
	if (tl_out_close(out, err) == -1)
		goto out;
	sum = tl_forest_summary(f);
	if ((out = tl_out_open(o->summary, TL_FMT_JSONL, err)) == NULL)
		goto out;
	if (tl_out_write(out, sum, err) == -1) {
		tl_out_abort(out);
		goto out;
	}
	if (tl_out_close(out, err) == -1)
		goto out;
	rc = 0;
	oob = json_object_get(sum, "oob");
	if (!o->quiet && tl_forest_task(f) == TL_FOREST_REGRESSION)
		tl_msg("%zu trees on %" JSON_INTEGER_FORMAT " rows, %zu "
		    "feature%s: OOB R2 %s, MSE %s", o->fp.trees,
		    json_integer_value(json_object_get(sum, "n_rows")),
		    tl_forest_nfeatures(f), tl_forest_nfeatures(f) == 1 ? "" :
		    "s", r4(b1, json_number_value(
		    json_object_get(oob, "r2"))), r4(b2, json_number_value(
		    json_object_get(oob, "mse"))));
	else if (!o->quiet)
		tl_msg("%zu trees on %" JSON_INTEGER_FORMAT " rows, %zu "
		    "feature%s: OOB accuracy %s, log-loss %s", o->fp.trees,
		    json_integer_value(json_object_get(sum, "n_rows")),
		    tl_forest_nfeatures(f), tl_forest_nfeatures(f) == 1 ? "" :
		    "s", r4(b1, json_number_value(
		    json_object_get(oob, "accuracy"))), r4(b2,
		    json_number_value(json_object_get(oob, "logloss"))));
	if (o->verbose)
		tl_msg("read %.3f s, train %.3f s, write %.3f s", t1 - t0,
		    t2 - t1, now() - t2);
out:
	json_decref(sum);
	tl_forest_free(f);
	tl_fdata_free(d);
	return rc;
}

/* Progress of a prediction: rows, toward an estimate of all the rows
 * from the bytes the inputs have (when they are files). */
struct meter {
	int		 on;		/* wanted */
	size_t		 from;		/* rows before the line is drawn */
	struct tl_progress *pr;		/* started at row from */
	double		 total;		/* bytes of all inputs; 0: unknown */
	double		 before;	/* bytes of the inputs done */
};

static void
meter_rows(struct meter *m, const struct tl_records *rs, size_t rows)
{
	long long off;

	if (!m->on || rows < m->from || (rows % 4096 != 0 && rows != m->from))
		return;
	if (m->pr == NULL)
		m->pr = tl_progress_start("predict", "rows", 0, 1);
	if (m->total > 0 && (off = tl_records_offset(rs)) > 0)
		tl_progress_total(m->pr, (double)rows * m->total /
		    (m->before + (double)off));
	tl_progress_set(m->pr, (double)rows);
}

/* The bytes of the named inputs, or 0 when one is not a regular file. */
static double
input_bytes(const struct opts *o)
{
	struct stat st;
	double n = 0;
	int i;

	for (i = 0; i < o->ninputs; i++) {
		if (strcmp(o->inputs[i], "-") == 0 ||
		    stat(o->inputs[i], &st) == -1 || !S_ISREG(st.st_mode))
			return 0;
		n += (double)st.st_size;
	}
	return n;
}

/* The rows of input rs, predicted and written in turns: 0, or -1 and
 * why.  The first error in row order is the one reported: a bad row
 * read before a bad line, a bad line before a row after it. */
static int
predict_input(struct tl_records *rs, struct tl_fpred *fp, size_t *rows,
    struct meter *m, struct tl_err *err)
{
	struct tl_err rerr;
	const char *text;
	size_t len;
	int rc;

	while ((rc = tl_records_next_text(rs, &text, &len, err)) == 1) {
		meter_rows(m, rs, ++*rows);
		if (tl_fpred_add(fp, text, len, tl_records_name(rs),
		    tl_records_line(rs), err) == -1)
			return -1;
	}
	rerr = *err;
	if (tl_fpred_flush(fp, err) == -1)
		return -1;
	if (rc == -1)
		*err = rerr;
	return rc;
}

static int
cmd_predict(struct opts *o, struct tl_err *err)
{
	struct tl_forest *f;
	struct tl_fpred *fp;
	struct tl_out *out;
	struct tl_records *rs;
	struct meter m = { 0 };
	struct stat st;
	size_t rows = 0, partial, first;
	double t0 = now(), t1;
	int i, rc = 0;

	if ((f = tl_forest_load(o->model, o->quiet ? NULL : warn_cb,
	    err)) == NULL)
		return -1;
	t1 = now();
	if ((out = tl_out_open(o->output, TL_FMT_JSONL, err)) == NULL) {
		tl_forest_free(f);
		return -1;
	}
	m.on = tl_progress_wanted(o->progress, o->quiet);
	m.from = o->progress == TL_PROGRESS_ON ? 1 : PROGRESS_ROWS;
	m.total = input_bytes(o);
	fp = tl_fpred_alloc(f, out, o->fp.threads, o->strict,
	    o->allow_missing);
	for (i = 0; i < (o->ninputs > 0 ? o->ninputs : 1) && rc == 0; i++) {
		if ((rs = tl_records_open(o->ninputs > 0 ? o->inputs[i] : "-",
		    o->ifmt, err)) == NULL) {
			rc = -1;
			break;
		}
		rc = predict_input(rs, fp, &rows, &m, err);
		tl_records_free(rs);
		if (rc == 0 && o->ninputs > 0 && stat(o->inputs[i], &st) == 0)
			m.before += (double)st.st_size;
	}
	tl_progress_end(m.pr);
	if (rc == 0)
		rc = tl_fpred_end(fp, err);
	if (rc == 0)
		rc = tl_out_close(out, err);
	else
		tl_out_abort(out);
	partial = tl_fpred_partial(fp, &first);
	if (rc == 0 && partial > 0 && !o->quiet)
		tl_warn("%zu of %zu rows lack some features (first '%s'): "
		    "predicted with them missing", partial, rows,
		    tl_forest_feature(f, first));
	partial = tl_fpred_unknown(fp, &first);
	if (rc == 0 && partial > 0 && !o->quiet)
		tl_warn("%zu of %zu rows have a category no training row had "
		    "(first in '%s'): predicted without that feature",
		    partial, rows, tl_forest_feature(f, first));
	if (rc == 0 && o->verbose)
		tl_msg("%zu rows: load %.3f s, predict and write %.3f s on %d "
		    "threads", rows, t1 - t0, now() - t1, o->fp.threads);
	tl_fpred_free(fp);
	tl_forest_free(f);
	return rc;
}

static int
cmd_dump(struct opts *o, struct tl_err *err)
{
	struct tl_forest *f;
	struct tl_out *out;
	int rc = -1;

	if ((f = tl_forest_load(o->model, o->quiet ? NULL : warn_cb,
	    err)) == NULL)
		return -1;
	if ((out = tl_out_open(o->output, TL_FMT_JSONL, err)) != NULL) {
		if (tl_forest_dump(f, tl_out_file(out), err) == -1)
			tl_out_abort(out);
		else
			rc = tl_out_close(out, err);
	}
	tl_forest_free(f);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct opts o = { .fp = TL_FOREST_PARAMS_DEFAULT };
	struct tl_err err = { 0 };
	int rc, status = TL_EX_OK;

	tl_init("tl-train-forest");
	o.fp.threads = 0;
	parse_args(argc, argv, &o);
	o.fp.threads = tl_threads(o.fp.threads, 1024);
	if (o.cmd == C_TRAIN)
		rc = cmd_train(&o, &err);
	else if (o.cmd == C_PREDICT)
		rc = cmd_predict(&o, &err);
	else
		rc = cmd_dump(&o, &err);
	if (rc == -1)
		status = tl_report(&err);
	tl_free_strings(o.inc, o.ninc);
	tl_free_strings(o.exc, o.nexc);
	return tl_exit_status(status);
}
