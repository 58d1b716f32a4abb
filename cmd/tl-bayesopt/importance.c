/*
 * tl-bayesopt importance: each parameter's share of the objective's
 * variance over the complete, feasible trials of a history, by fANOVA
 * of a random forest fitted on them (lib/tl_fanova), with a bootstrap
 * interval.  One JSON object a parameter, by importance.  It parses its
 * own options (argv[0] is "importance"): main() hands it argv before the
 * common options are read, since it shares few of them.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "bayesopt.h"
#include "tl_err.h"
#include "tl_fanova.h"
#include "tl_json.h"
#include "tl_opt.h"
#include "tl_records.h"
#include "tl_space.h"
#include "tl_util.h"
#define IMP_MIN_TRIALS	10	/* usable trials below which we refuse */

enum { I_BOOTSTRAP = 256, I_IGNORE_UNKNOWN, I_OBJECTIVE, I_PARAMS_FIELD,
	I_SPACE, I_TREES, I_VALUE_FIELD };

static void
importance_usage(FILE *fp)
{
	fprintf(fp,
"usage: tl-bayesopt importance -H history [-qv] [-i format] [-o file]\n"
"                   [-s seed] [-T threads] [--bootstrap n]\n"
"                   [--ignore-unknown] [--objective name]\n"
"                   [--params-field field] [--space file] [--trees n]\n"
"                   [--value-field field]\n");
	if (fp != stdout)
		return;
	fprintf(fp,
"\nEach parameter's share of the objective's variance over the complete,\n"
"feasible trials of the history, by fANOVA of a random forest (see\n"
"tl-bayesopt(1)): one line a parameter, most important first.\n\n"
"      --bootstrap=N       refits on resampled trials for lo and hi (100;\n"
"                          0: none, lo and hi null)\n"
"  -H, --history=FILE      the trials (JSONL, CSV or JSON)\n"
"  -h, --help              this help\n"
"  -i, --input-format=F    jsonl, csv or json (default: from the content)\n"
"      --ignore-unknown    params not in --space are ignored, not a skip\n"
"      --objective=NAME    the value under \"values\" of a multi-objective\n"
"                          history (NAME:min or NAME:max also taken)\n"
"  -o, --output=FILE       write to FILE (atomically) instead of stdout\n"
"      --params-field=F    where a trial keeps its params (params)\n"
"  -q, --quiet             no summary or warnings on stderr\n"
"  -s, --seed=N            random seed (1)\n"
"      --space=FILE        the search space (default: inferred from the\n"
"                          params tried, as tl-bayesopt space does)\n"
"  -T, --threads=N         worker threads; 0: every core (0)\n"
"      --trees=N           trees a forest (64)\n"
"  -V, --version           print the version\n"
"  -v, --verbose           name each skipped history line\n"
"      --value-field=F     the trial's value, dotted (value)\n");
}

/* What importance reads besides the shared opts. */
struct impopts {
	const char	*space;		/* --space, or NULL: inferred */
	struct tl_fanova_params fp;	/* trees, bootstrap, seed, threads */
};

static void
importance_args(int argc, char *argv[], struct opts *o, struct impopts *io)
{
	static const struct option longopts[] = {
		{ "bootstrap", required_argument, NULL, I_BOOTSTRAP },
		{ "help", no_argument, NULL, 'h' },
		{ "history", required_argument, NULL, 'H' },
		{ "ignore-unknown", no_argument, NULL, I_IGNORE_UNKNOWN },
		{ "input-format", required_argument, NULL, 'i' },
		{ "objective", required_argument, NULL, I_OBJECTIVE },
		{ "output", required_argument, NULL, 'o' },
		{ "params-field", required_argument, NULL, I_PARAMS_FIELD },
		{ "quiet", no_argument, NULL, 'q' },
		{ "seed", required_argument, NULL, 's' },
		{ "space", required_argument, NULL, I_SPACE },
		{ "threads", required_argument, NULL, 'T' },
		{ "trees", required_argument, NULL, I_TREES },
		{ "value-field", required_argument, NULL, I_VALUE_FIELD },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct tl_getopt g = { ":H:hi:o:qs:T:Vv", longopts, NULL,
	    0 };
	struct tl_err err = { 0 };
	struct tl_opt_file f[2];
	char *colon;
	long v;
	int ch, bad = 0;

	while ((ch = tl_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case I_BOOTSTRAP:
			bad = tl_parse_long("--bootstrap", optarg, 0, 100000,
			    &v, &err);
			io->fp.bootstrap = (size_t)v;
			break;
		case 'H':
			o->history = optarg;
			break;
		case 'h':
			importance_usage(stdout);
			exit(tl_exit_status(TL_EX_OK));
		case 'i':
			o->ifmt = tl_parse_format("--input-format", optarg, 1);
			break;
		case I_IGNORE_UNKNOWN:
			o->ignore_unknown = 1;
			break;
		case I_OBJECTIVE:
			/* a direction, as the other commands take it, is
			 * of no use here: variance has none */
			colon = strrchr(optarg, ':');
			if (colon != NULL && (strcmp(colon, ":min") == 0 ||
			    strcmp(colon, ":max") == 0))
				*colon = '\0';
			if (*optarg == '\0')
				tl_usage_error("--objective: an empty name");
			o->obj_name[0] = optarg;
			o->nobj = 1;
			break;
		case 'o':
			o->output = optarg;
			break;
		case I_PARAMS_FIELD:
			o->params_field = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 's':
			bad = tl_parse_long("--seed", optarg, 0, LONG_MAX,
			    &o->seed, &err);
			break;
		case I_SPACE:
			io->space = optarg;
			break;
		case 'T':
			bad = tl_parse_long("--threads", optarg, 0, 1024, &v,
			    &err);
			io->fp.threads = (int)v;
			break;
		case I_TREES:
			bad = tl_parse_long("--trees", optarg, 1, 100000, &v,
			    &err);
			io->fp.trees = (size_t)v;
			break;
		case I_VALUE_FIELD:
			o->value_field = optarg;
			break;
		case 'V':
			tl_version_exit();
		case 'v':
			o->verbose = 1;
			break;
		}
		if (bad)
			tl_usage_error("%s: %s", err.where, err.msg);
	}
	if (optind < argc)
		tl_usage_error("importance takes no operand, got '%s'",
		    argv[optind]);
	if (o->history == NULL)
		tl_usage_error("importance needs the history to read: -H FILE");
	if (*o->params_field == '\0')
		tl_usage_error("--params-field: an empty name");
	f[0] = (struct tl_opt_file){ "--space", io->space };
	f[1] = (struct tl_opt_file){ "--history", o->history };
	tl_opt_inputs(f, TL_NELEM(f), NULL, 0, 0, importance_usage);
	io->fp.seed = (uint64_t)o->seed;
	io->fp.threads = tl_threads(io->fp.threads, 1024);
}

/* The records of a history, kept to be read twice (for the space, then
 * the trials). */
struct impread {
	json_t		**rec;		/* records, owned */
	unsigned long	*line;		/* their lines */
	size_t		 n, cap;	/* held, allocated */
	const json_t	*values;	/* the first complete record's
					 * "values" without the value field,
					 * borrowed from rec */
};

static void
imp_keep(const struct opts *o, void *ctx, const json_t *rec,
    const char *name, unsigned long line)
{
	struct impread *ir = ctx;
	json_t *st = tl_space_get(rec, o->state_field), *vs;

	(void)name;
	if (ir->n == ir->cap) {
		ir->cap = ir->cap ? 2 * ir->cap : 256;
		ir->rec = tl_xreallocarray(ir->rec, ir->cap, sizeof(json_t *));
		ir->line = tl_xreallocarray(ir->line, ir->cap,
		    sizeof(unsigned long));
	}
	ir->rec[ir->n] = json_incref((json_t *)rec);
	ir->line[ir->n++] = line;
	vs = json_object_get(rec, "values");
	if (ir->values == NULL && json_is_object(vs) && tl_space_get(rec,
	    o->value_field) == NULL && (st == NULL || json_is_null(st) ||
	    (json_is_string(st) && strcasecmp(json_string_value(st),
	    "failed") != 0)))
		ir->values = vs;
}

/* "a, b, c": the names of a values object, into b. */
static void
imp_value_names(const json_t *values, struct tl_buf *b)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)values, key, v) {
		if (b->len > 0)
			tl_buf_adds(b, ", ");
		tl_buf_adds(b, key);
	}
}

/* The space: loaded from --space, or inferred from the params of the
 * records.  New, or NULL with err. */
static struct tl_space *
imp_space(const struct opts *o, const struct impopts *io,
    const struct impread *ir, const char *name, struct tl_err *err)
{
	struct spaceread sr = { 0 };
	struct tl_space *s = NULL;
	json_t *space;
	size_t i;

	if (io->space != NULL)
		return tl_space_load(io->space, err);
	sr.in = tl_space_infer_alloc();
	for (i = 0; i < ir->n; i++)
		space_record(o, &sr, ir->rec[i], name, ir->line[i]);
	if (tl_space_infer_count(sr.in) == 0)
		tl_err_set(err, TL_EX_DATAERR, name, 0, "no trial with a '%s' "
		    "object (%zu records)%s", o->params_field, ir->n,
		    strcmp(o->params_field, "params") == 0 ? "; tl-ingest's "
		    "runs keep them in 'genome': --params-field genome" : "");
	else if ((space = tl_space_infer_result(sr.in, name, o->quiet ? NULL :
	    tl_warn, err)) != NULL) {
		s = tl_space_from_json(space, "the inferred space", err);
		json_decref(space);
	}
	tl_space_infer_free(sr.in);
	return s;
}

/* One line a parameter, by importance then name.  New array. */
static json_t *
imp_lines(const struct tl_space *s, const struct tl_fanova_result *res)
{
	json_t *out = json_array(), *rec;
	size_t *ord = tl_xcalloc(s->n + 1, sizeof(size_t)), i, j, t;

	for (i = 0; i < s->n; i++)
		ord[i] = i;
	for (i = 1; i < s->n; i++)	/* insertion: a space is small */
		for (j = i; j > 0 && (res[ord[j]].importance >
		    res[ord[j - 1]].importance || (res[ord[j]].importance ==
		    res[ord[j - 1]].importance && strcmp(s->p[ord[j]].name,
		    s->p[ord[j - 1]].name) < 0)); j--) {
			t = ord[j];
			ord[j] = ord[j - 1];
			ord[j - 1] = t;
		}
	for (i = 0; i < s->n; i++) {
		j = ord[i];
		rec = json_object();
		json_object_set_new(rec, "name", json_string(s->p[j].name));
		json_object_set_new(rec, "importance",
		    num(res[j].importance));
		json_object_set_new(rec, "lo", num(res[j].lo));
		json_object_set_new(rec, "hi", num(res[j].hi));
		json_object_set_new(rec, "fraction", num(res[j].fraction));
		json_array_append_new(out, rec);
	}
	free(ord);
	return out;
}

/* The usable trials of h (complete, feasible) into x and y.  Returns
 * their number. */
static size_t
imp_trials(const struct opts *o, const struct hist *h, double *x,
    double *y)
{
	size_t i, n = 0, d = h->s->n;

	for (i = 0; i < h->n; i++) {
		if (h->t[i].st != T_COMPLETE || h->t[i].viol > 0)
			continue;
		memcpy(x + n * d, h->t[i].x, d * sizeof(double));
		y[n++] = o->nobj > 0 ? h->t[i].y[0] : h->t[i].value;
	}
	return n;
}

int
cmd_importance(int argc, char *argv[])
{
	struct opts o = { .params_field = "params", .seed = 1,
	    .state_field = "state", .value_field = "value" };
	struct impopts io = { NULL, TL_FANOVA_PARAMS_DEFAULT };
	struct tl_err err = { 0 };
	struct impread ir = { 0 };
	struct tl_records *rs = NULL;
	struct tl_space *s = NULL;
	struct tl_fanova_result *res = NULL;
	struct hist h;
	struct tl_buf b;
	json_t *lines = NULL;
	double *x = NULL, *y = NULL;
	size_t i, n = 0, nread = 0, unreadable = 0, infeasible = 0;
	const char *name;
	int rc = -1;

	io.fp.threads = 0;
	importance_args(argc, argv, &o, &io);
	memset(&h, 0, sizeof(h));
	tl_buf_init(&b);
	if ((rs = tl_records_open(o.history, o.ifmt, &err)) == NULL ||
	    read_records(&o, rs, imp_keep, &ir, &nread, &unreadable, &err) ==
	    -1)
		goto out;
	name = tl_records_name(rs);
	if (o.nobj == 0 && ir.values != NULL) {
		imp_value_names(ir.values, &b);
		tl_err_set(&err, TL_EX_DATAERR, name, 0, "a multi-objective "
		    "history (values %s): name one with --objective NAME",
		    b.data);
		goto out;
	}
	if ((s = imp_space(&o, &io, &ir, name, &err)) == NULL)
		goto out;
	h.s = s;
	h.read = nread;
	h.unreadable = unreadable;
	for (i = 0; i < ir.n; i++)
		hist_record(&o, &h, ir.rec[i], name, ir.line[i]);
	hist_summary(&o, &h);
	x = tl_xcalloc(h.n * s->n + 1, sizeof(double));
	y = tl_xcalloc(h.n + 1, sizeof(double));
	n = imp_trials(&o, &h, x, y);
	for (i = 0; i < h.n; i++)
		infeasible += h.t[i].st == T_COMPLETE && h.t[i].viol > 0;
	if (n == 0 && o.nobj > 0 && ir.values != NULL) {
		imp_value_names(ir.values, &b);
		tl_err_set(&err, TL_EX_DATAERR, name, 0, "--objective '%s': "
		    "no complete trial has it under values (values %s)",
		    o.obj_name[0], b.data);
		goto out;
	}
	if (n < IMP_MIN_TRIALS) {
		tl_err_set(&err, TL_EX_DATAERR, name, 0, "%zu usable trials "
		    "(complete%s, with a value%s%s), need at least %d",
		    n, infeasible > 0 ? " and feasible" : "", o.nobj > 0 ?
		    " under values." : "", o.nobj > 0 ? o.obj_name[0] : "",
		    IMP_MIN_TRIALS);
		goto out;
	}
	if (!o.quiet)
		tl_msg("importance: %zu trials (complete, feasible), %zu "
		    "params, %zu trees, %zu refits", n, s->n, io.fp.trees,
		    io.fp.bootstrap);
	res = tl_xcalloc(s->n + 1, sizeof(*res));
	if (tl_fanova(s, x, y, n, &io.fp, res, &err) == -1) {
		tl_err_set(&err, err.code, name, 0, "%s", err.msg);
		goto out;
	}
	lines = imp_lines(s, res);
	rc = write_lines(&o, lines, &err);
out:
	json_decref(lines);
	free(res);
	free(x);
	free(y);
	hist_release(&h);
	tl_space_free(s);
	for (i = 0; i < ir.n; i++)
		json_decref(ir.rec[i]);
	free(ir.rec);
	free(ir.line);
	tl_buf_release(&b);
	tl_records_free(rs);
	return tl_exit_status(rc == 0 ? TL_EX_OK : tl_report(&err));
}
