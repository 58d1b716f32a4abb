/*
 * tl-bandit: learn signal, component, agent or strategy weights from
 * outcomes by Thompson sampling.  update folds a night's outcomes into a
 * state file of discounted sufficient statistics (Beta-Bernoulli for wins,
 * Normal-Inverse-Gamma for returns), per arm and per arm and context;
 * weights turns the posteriors into bounded weights that move at most so
 * much a night; choose draws arms for the next decisions; kill lists the
 * arms whose win rate is below a floor with a losing mean P&L.
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <jansson.h>

#include "tl_bandit.h"
#include "tl_bandit_credit.h"
#include "tl_bandit_weights.h"
#include "tl_err.h"
#include "tl_json.h"
#include "tl_lock.h"
#include "tl_opt.h"
#include "tl_out.h"
#include "tl_records.h"
#include "tl_rng.h"
#include "tl_time.h"
#include "tl_util.h"

#define MS_PER_DAY	86400000

enum cmd { C_UPDATE, C_WEIGHTS, C_CHOOSE, C_KILL };

/* weights --target */
static const struct target_name {
	const char	*name;		/* the word */
	int		 pbest;		/* P(best) rather than lift */
} targets[] = { { "lift", 0 }, { "pbest", 1 } };

struct opts {
	enum cmd	 cmd;		/* the subcommand */
	int		 all;		/* kill: every arm with its verdict */
	const char	*arms;		/* -a: arms spec, NULL from the state */
	int		 add_arms;	/* -A: new arms in a map are welcome */
	int		 new_days;	/* --new-days: only days after the
					 * state's */
	double		 change;	/* --max-change, relative; 0 off */
	const char	*context;	/* --context: context field */
	const char	*ctxfile;	/* -C: context file (date, label) */
	long		 count;		/* choose -n: decisions */
	double		 discount;	/* --discount; NAN: the state's or 1 */
	long		 draws;		/* -D: Monte Carlo draws */
	double		 floor;		/* kill: win-rate floor */
	const char	*in;		/* choose/weights: one context value */
	double		 level;		/* kill: confidence level */
	double		 wmax, wmin;	/* weight bounds */
	enum tl_fmt	 ifmt;		/* -i: update's inputs, AUTO */
	int		 model;		/* --family; -1: the state's or beta */
	long		 min_obs;	/* --min-obs: observations before a
					 * weight moves, before a context
					 * counts */
	char		**names;	/* -N: declared arms (new), or NULL */
	size_t		 nnames;	/* their number */
	const char	*output;	/* -o */
	const char	*pnl;		/* -P: P&L field, "none" off */
	const char	*prev;		/* -p: previous weights file */
	const char	*prior;		/* --prior: prior parameters, list */
	int		 quiet;		/* -q */
	const char	*reward;	/* --reward: reward field */
	const char	*state;		/* --state: state file */
	long		 seed;		/* -s */
	int		 pbest;		/* weights --target pbest */
	const char	*time;		/* --time: time field */
	char		**inputs;	/* files; none: stdin */
	int		 ninputs;	/* their number */
};

static const double prior_beta[] = { 1, 1, 0, 0 };
static const double prior_normal[] = { 0, 1, 1, 1 };

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: tl-bandit update [-Aq] [-a arms] [-C file] [-i format] [-N names]\n"
"                 [-o state] [-P field] [--context field] [--discount g]\n"
"                 [--family beta|normal] [--new-days] [--prior list]\n"
"                 [--reward field] [--state file] [--time field]\n"
"                 [file ...]\n"
"       tl-bandit weights --state file [-D draws] [-I context] [-o file]\n"
"                 [-p file] [-s seed] [--max w] [--max-change c]\n"
"                 [--min w] [--min-obs N] [--target lift|pbest]\n"
"       tl-bandit choose --state file [-D draws] [-I context] [-n count]\n"
"                 [-o file] [-s seed] [--min-obs N]\n"
"       tl-bandit kill --state file [-l level] [-o file] [--all]\n"
"                 [--floor p] [--min-obs N]\n");
	if (fp != stdout)
		return;
	fprintf(fp,
"\nLearn weights from outcomes by Thompson sampling (see tl-bandit(1)).\n\n"
"  -A, --add-arms        update: arms new to the state's map are added\n"
"  -a, --arms=SPEC       update: what the arms are: FIELD, flags:FIELD,\n"
"                        share:FIELD, credit:FIELD, votes:FIELD,\n"
"                        value:FIELD or combo:FIELD,FIELD...\n"
"      --all             kill: every arm, with its verdict\n"
"  -C, --context-file=F  update: context per date from rows {date, label}\n"
"                        (tl-regime decode's output)\n"
"      --context=FIELD   update: a posterior per arm and value of FIELD\n"
"  -D, --draws=N         Monte Carlo draws for weights (10000)\n"
"      --discount=G      update: evidence fades by G per day, (0, 1] (1)\n"
"      --family=F        update: beta (rewards in [0, 1]) or normal\n"
"      --floor=P         kill: the win-rate floor (0.4)\n"
"  -h, --help            this help\n"
"  -I, --in=VALUE        weights, choose: only the context VALUE\n"
"  -i, --input-format=F  update: jsonl, csv or json (default: from the\n"
"                        content)\n"
"  -l, --level=P         kill: the confidence level (0.95)\n"
"      --max=W           weights: upper bound of a weight (1)\n"
"      --max-change=C    weights: relative change against --prev (0.2)\n"
"      --min=W           weights: lower bound of a weight (0.01)\n"
"      --min-obs=N       outcomes before a weight moves from its default\n"
"                        or a context has its own posterior (30)\n"
"  -N, --arm-names=LIST  update: the arms, comma-separated; no others\n"
"  -n, --count=N         choose: decisions to draw (1)\n"
"      --new-days        update: only outcomes of days after the state's\n"
"  -o, --output=FILE     write to FILE (atomically) instead of stdout\n"
"  -P, --pnl=FIELD       update: the P&L for kill, or none (net_pnl)\n"
"  -p, --prev=FILE       weights: yesterday's weights, for --max-change\n"
"      --prior=LIST      update: a,b (beta) or mu,kappa,alpha,beta\n"
"  -q, --quiet           no summary line\n"
"      --reward=FIELD    update: the reward (win)\n"
"  -s, --seed=N          seed of the draws (1)\n"
"      --state=FILE      the state to read (update: to add to; none on a\n"
"                        first night)\n"
"      --target=T        weights: lift (default) or pbest\n"
"      --time=FIELD      update: the date of an outcome (date)\n"
"  -V, --version         print the version\n");
}

enum {
	O_ALL = 256, O_CONTEXT, O_COUNT, O_DISCOUNT, O_FAMILY, O_FLOOR, O_MAX,
	O_MAXCHANGE, O_MIN, O_MINOBS, O_NEWDAYS, O_PREV, O_PRIOR, O_REWARD,
	O_STATE, O_TARGET, O_TIME
};

/* -n and -p mean what tl(7) says where the idea applies (choose's count,
 * weights' previous weights) and, for one release, what they meant
 * before elsewhere (--min-obs, update's --prior): known once the command
 * is. */
static void
command_letters(struct opts *o, const char *n_arg, const char *p_arg)
{
	struct tl_err err = { 0 };
	int bad = 0;

	if (n_arg != NULL && o->cmd == C_CHOOSE)
		bad = tl_parse_long("--count", n_arg, 1, 100000000, &o->count,
		    &err);
	else if (n_arg != NULL) {
		tl_opt_deprecated("-n", "min-obs");
		bad = tl_parse_long("--min-obs", n_arg, 0, LONG_MAX,
		    &o->min_obs, &err);
	}
	if (bad)
		tl_usage_error("%s: %s", err.where, err.msg);
	if (p_arg != NULL && o->cmd == C_UPDATE) {
		tl_opt_deprecated("-p", "prior");
		o->prior = p_arg;
	} else if (p_arg != NULL)
		o->prev = p_arg;
}

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	static const struct option longopts[] = {
		{ "add-arms", no_argument, NULL, 'A' },
		{ "arms", required_argument, NULL, 'a' },
		{ "all", no_argument, NULL, O_ALL },
		{ "context-file", required_argument, NULL, 'C' },
		{ "context", required_argument, NULL, O_CONTEXT },
		{ "draws", required_argument, NULL, 'D' },
		{ "discount", required_argument, NULL, O_DISCOUNT },
		{ "family", required_argument, NULL, O_FAMILY },
		{ "floor", required_argument, NULL, O_FLOOR },
		{ "help", no_argument, NULL, 'h' },
		{ "in", required_argument, NULL, 'I' },
		{ "input-format", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, O_COUNT },
		{ "level", required_argument, NULL, 'l' },
		{ "model", required_argument, NULL, O_FAMILY },
		{ "max", required_argument, NULL, O_MAX },
		{ "max-change", required_argument, NULL, O_MAXCHANGE },
		{ "min", required_argument, NULL, O_MIN },
		{ "arm-names", required_argument, NULL, 'N' },
		{ "min-obs", required_argument, NULL, O_MINOBS },
		{ "new-days", no_argument, NULL, O_NEWDAYS },
		{ "output", required_argument, NULL, 'o' },
		{ "pnl", required_argument, NULL, 'P' },
		{ "prior", required_argument, NULL, O_PRIOR },
		{ "prev", required_argument, NULL, O_PREV },
		{ "quiet", no_argument, NULL, 'q' },
		{ "reward", required_argument, NULL, O_REWARD },
		{ "state", required_argument, NULL, O_STATE },
		{ "seed", required_argument, NULL, 's' },
		{ "target", required_argument, NULL, O_TARGET },
		{ "time", required_argument, NULL, O_TIME },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	/* tl(7), the interface: these letters became long-only (-k is -n,
	 * --model is --family); -n and -p: command_letters() */
	static const struct tl_old_opt old[] = { { "-c", "context" },
	    { "-d", "discount" }, { "-k", "count" }, { "-m", "family" },
	    { "--model", "family" }, { "-r", "reward" }, { "-S", "state" },
	    { "-t", "time" }, { "-w", "new-days" } };
	static const struct tl_getopt g = {
	    ":Aa:C:c:D:d:hI:i:k:l:m:N:n:o:P:p:qr:S:s:t:Vw", longopts, old,
	    TL_NELEM(old) };
	static const char *const cmds[] = { "update", "weights", "choose",
	    "kill" };
	struct tl_err err = { 0 };
	struct tl_opt_file f[3];
	const char *n_arg = NULL, *p_arg = NULL;
	int ch, bad = 0;

	while ((ch = tl_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case 'A':
			o->add_arms = 1;
			break;
		case O_NEWDAYS:
			o->new_days = 1;
			break;
		case 'a':
			o->arms = optarg;
			break;
		case O_ALL:
			o->all = 1;
			break;
		case 'C':
			o->ctxfile = optarg;
			break;
		case O_CONTEXT:
			o->context = optarg;
			break;
		case 'D':
			bad = tl_parse_long("--draws", optarg, 1, 100000000,
			    &o->draws, &err);
			break;
		case O_DISCOUNT:
			bad = tl_parse_double("--discount", optarg, 0, 1,
			    &o->discount, &err);
			if (!bad && o->discount == 0)
				tl_usage_error("--discount: 0 forgets everything: "
				    "a number in (0, 1]");
			break;
		case O_FAMILY:
			o->model = (int)tl_parse_word("--family", optarg,
			    tl_bandit_model_names, tl_bandit_nmodels,
			    sizeof(tl_bandit_model_names[0]), NULL);
			break;
		case O_FLOOR:
			bad = tl_parse_double("--floor", optarg, 0, 1,
			    &o->floor, &err);
			break;
		case 'h':
			usage(stdout);
			exit(tl_exit_status(TL_EX_OK));
		case 'I':
			o->in = optarg;
			break;
		case 'i':
			o->ifmt = tl_parse_format("--input-format", optarg, 1);
			break;
		case O_COUNT:
			bad = tl_parse_long("--count", optarg, 1, 100000000,
			    &o->count, &err);
			break;
		case 'l':
			bad = tl_parse_double("--level", optarg, 0.5, 0.999999,
			    &o->level, &err);
			break;
		case O_MAX:
			bad = tl_parse_double("--max", optarg, 0, 1,
			    &o->wmax, &err);
			break;
		case O_MAXCHANGE:
			bad = tl_parse_double("--max-change", optarg, 0, 1e9,
			    &o->change, &err);
			break;
		case O_MIN:
			bad = tl_parse_double("--min", optarg, 0, 1, &o->wmin,
			    &err);
			break;
		case 'N':
			tl_free_strings(o->names, o->nnames);
			if (tl_split_list(optarg, &o->names, &o->nnames,
			    &err) == -1)
				tl_usage_error("--arm-names: '%s': %s", optarg,
				    err.msg);
			break;
		case 'n':
			n_arg = optarg;
			break;
		case O_MINOBS:
			bad = tl_parse_long("--min-obs", optarg, 0, LONG_MAX,
			    &o->min_obs, &err);
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'P':
			o->pnl = optarg;
			break;
		case 'p':
			p_arg = optarg;
			break;
		case O_PRIOR:
			o->prior = optarg;
			break;
		case O_PREV:
			o->prev = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case O_REWARD:
			o->reward = optarg;
			break;
		case O_STATE:
			o->state = optarg;
			break;
		case 's':
			bad = tl_parse_long("--seed", optarg, 0, LONG_MAX,
			    &o->seed, &err);
			break;
		case O_TARGET:
			o->pbest = targets[TL_PARSE_WORD("--target", optarg,
			    targets)].pbest;
			break;
		case O_TIME:
			o->time = optarg;
			break;
		case 'V':
			tl_version_exit();
		}
		if (bad)
			tl_usage_error("%s: %s", err.where, err.msg);
	}
	o->cmd = (enum cmd)tl_command(argc, argv, optind, cmds,
	    (int)TL_NELEM(cmds));
	command_letters(o, n_arg, p_arg);
	o->inputs = argv + optind + 1;
	o->ninputs = argc - optind - 1;
	if (o->cmd != C_UPDATE && o->state == NULL)
		tl_usage_error("%s needs the state: --state FILE",
		    cmds[o->cmd]);
	if (o->cmd != C_UPDATE && o->ninputs > 0)
		tl_usage_error("%s reads no input files, only the state",
		    cmds[o->cmd]);
	if (o->cmd == C_UPDATE && o->state == NULL && o->arms == NULL)
		tl_usage_error("update needs the arms: -a SPEC (or a state "
		    "that names them: --state FILE)");
	if (o->context != NULL && o->ctxfile != NULL)
		tl_usage_error("--context and -C exclude each other: contexts "
		    "from a field or from a file");
	if (o->wmin > o->wmax)
		tl_usage_error("--min exceeds --max");
	f[0] = (struct tl_opt_file){ "--state", o->state };
	f[1] = (struct tl_opt_file){ "--context-file", o->ctxfile };
	f[2] = (struct tl_opt_file){ "--prev", o->prev };
	tl_opt_inputs(f, TL_NELEM(f), o->inputs, o->ninputs,
	    o->cmd == C_UPDATE, usage);
}

/* ---- settings --------------------------------------------------------- */

static int
differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0);
}

/* Settings from the options, checked against a loaded state (stated
 * non-zero) or filled in for a fresh one. */
static int
settings(struct tl_bandit_state *st, const struct opts *o, int loaded,
    struct tl_err *err)
{
	const char *pnl = o->pnl != NULL && strcmp(o->pnl, "none") == 0 ?
	    NULL : o->pnl;

	if (loaded) {
		if (o->arms != NULL && strcmp(o->arms, st->spec) != 0)
			return tl_err_set(err, TL_EX_USAGE, "--arms", 0, "'%s' "
			    "differs from the state's '%s'", o->arms, st->spec);
		if (o->reward != NULL && strcmp(o->reward, st->reward) != 0)
			return tl_err_set(err, TL_EX_USAGE, "--reward", 0, "'%s' "
			    "differs from the state's '%s'", o->reward,
			    st->reward);
		if (o->model != -1 && o->model != (int)st->model)
			return tl_err_set(err, TL_EX_USAGE, "--family", 0,
			    "'%s' differs from the state's '%s'",
			    tl_bandit_model_name(o->model),
			    tl_bandit_model_name(st->model));
		if (o->pnl != NULL && differs(pnl, st->pnl))
			return tl_err_set(err, TL_EX_USAGE, "--pnl", 0, "'%s' "
			    "differs from the state's '%s'", o->pnl,
			    st->pnl != NULL ? st->pnl : "none");
		if (o->context != NULL && differs(o->context, st->context))
			return tl_err_set(err, TL_EX_USAGE, "--context", 0,
			    "'%s': the state has %s%s%s", o->context,
			    st->context != NULL ? "contexts from field '" :
			    st->ctxfile ? "contexts from a file (-C)" :
			    "no contexts", st->context != NULL ? st->context :
			    "", st->context != NULL ? "'" : "");
		if (o->ctxfile != NULL && !st->ctxfile)
			return tl_err_set(err, TL_EX_USAGE, "--context-file", 0,
			    "the state has %s%s%s", st->context != NULL ?
			    "contexts from field '" : "no contexts",
			    st->context != NULL ? st->context : "",
			    st->context != NULL ? "'" : "");
		if (st->ctxfile && o->ctxfile == NULL)
			return tl_err_set(err, TL_EX_USAGE, "--context-file", 0,
			    "the state's contexts come from a file: give -C "
			    "FILE");
	} else {
		if (tl_bandit_spec_parse(st, o->arms, err) == -1)
			return -1;
		st->reward = tl_xstrdup(o->reward != NULL ? o->reward : "win");
		st->model = o->model == -1 ? TL_BANDIT_BETA :
		    (enum tl_bandit_model)o->model;
		memcpy(st->prior, st->model == TL_BANDIT_BETA ? prior_beta :
		    prior_normal, sizeof(st->prior));
		st->pnl = o->pnl == NULL ? tl_xstrdup("net_pnl") :
		    pnl != NULL ? tl_xstrdup(pnl) : NULL;
		st->context = o->context != NULL ? tl_xstrdup(o->context) :
		    NULL;
		st->ctxfile = o->ctxfile != NULL;
	}
	if (o->prior != NULL && tl_bandit_prior_parse(st, o->prior,
	    err) == -1)
		return -1;
	if (!isnan(o->discount))
		st->discount = o->discount;
	if (o->time != NULL || st->time == NULL) {
		free(st->time);
		st->time = tl_xstrdup(o->time != NULL ? o->time : "date");
	}
	return 0;
}

/* ---- update ----------------------------------------------------------- */

/* Arms of -N, in order. */
static void
declare_arms(struct tl_bandit_state *st, const struct opts *o)
{
	size_t i;

	for (i = 0; i < o->nnames; i++)
		tl_bandit_arm_find(st, o->names[i], strlen(o->names[i]), 1);
}

/* Fold every record of the inputs into u. */
static int
read_outcomes(const struct opts *o, struct tl_bandit_upd *u,
    struct tl_err *err)
{
	struct tl_records *rs;
	const char *text;
	size_t len;
	int i, rc = 0;

	for (i = 0; i < (o->ninputs > 0 ? o->ninputs : 1) && rc == 0; i++) {
		if ((rs = tl_records_open(o->ninputs > 0 ? o->inputs[i] : "-",
		    o->ifmt, err)) == NULL)
			return -1;
		u->name = tl_records_name(rs);
		while (rc == 0 && (rc = tl_records_next_text(rs, &text, &len,
		    err)) == 1) {
			u->line = tl_records_line(rs);
			rc = tl_jdoc_parse(&u->doc, text, len, u->name, u->line,
			    err);
			if (rc == 0)
				rc = tl_bandit_upd_record(u, err);
		}
		tl_records_free(rs);
		rc = rc == -1 ? -1 : 0;
	}
	if (rc == 0 && u->n + u->old == 0)	/* as every tool: 65 */
		rc = tl_err_set(err, TL_EX_DATAERR, NULL, 0, "no outcomes in "
		    "the input");
	return rc;
}

static int
cmd_update(const struct opts *o, struct tl_err *err)
{
	struct tl_bandit_state st;
	struct tl_bandit_upd u;
	struct tl_out *out = NULL;
	struct tl_lock lock;
	char date[TL_TIME_BUFSZ];
	json_t *v = NULL;
	int rc = 0, loaded = 0;

	tl_bandit_state_init(&st);
	tl_bandit_upd_init(&u, &st);
	if ((rc = tl_lock_take(&lock, o->output, err)) == -1)
		goto out;
	if (o->state != NULL) {
		if ((rc = tl_bandit_state_load(&st, o->state, err)) == -1)
			goto out;
		loaded = 1;
	}
	if ((rc = settings(&st, o, loaded, err)) == -1)
		goto out;
	/* --new-days: a nightly run over the whole log adds each day once */
	u.new_days = o->new_days && st.has_day;
	u.since = st.day;
	if (o->names != NULL)
		declare_arms(&st, o);
	/* a map's arms are those known, unless -A: a typo in a signal name
	 * must not become an arm; new strategies or symbols are welcome */
	u.closed = !o->add_arms && (o->names != NULL || (loaded &&
	    st.narm > 0 && st.kind != TL_BANDIT_VALUE &&
	    st.kind != TL_BANDIT_COMBO));
	if ((o->ctxfile != NULL && (rc = tl_bandit_upd_ctxfile(&u, o->ctxfile,
	    err)) == -1) || (rc = read_outcomes(o, &u, err)) == -1)
		goto out;
	st.updates++;
	st.outcomes += u.n;
	v = tl_bandit_state_json(&st);
	if ((out = tl_out_open(o->output, TL_FMT_JSONL, err)) == NULL ||
	    tl_out_write(out, v, err) == -1) {
		tl_out_abort(out);
		rc = -1;
		goto out;
	}
	if ((rc = tl_out_close(out, err)) == -1)
		goto out;
	if (!o->quiet) {
		if (st.has_day)
			tl_time_format_date(date, st.day * MS_PER_DAY);
		tl_msg("%.0f outcomes, %zu arms (%s), %zu contexts%s%s", u.n,
		    st.narm, tl_bandit_kind_name(st.kind), st.nctx, st.has_day ?
		    ", evidence as of " : "", st.has_day ? date : "");
		if (u.noctx > 0)
			tl_warn("%.0f outcomes without a context: pooled only",
			    u.noctx);
		if (u.old > 0)
			tl_msg("%.0f outcomes of days the state had: skipped "
			    "(--new-days)", u.old);
	}
out:
	tl_lock_drop(&lock);
	json_decref(v);
	tl_bandit_upd_release(&u);
	tl_bandit_state_release(&st);
	return rc;
}

/* ---- weights, choose, kill -------------------------------------------- */

/* Weights of every arm in scope s, written as rows. */
static int
weights_scope(const struct opts *o, const struct tl_bandit_state *st, size_t s,
    const struct tl_bandit_prev *pv, struct tl_out *out, struct tl_err *err)
{
	const struct tl_bandit_wopts wo = { o->seed, o->draws, o->min_obs,
	    o->pbest, o->wmin, o->wmax, o->change };
	const char *ctx = s > 0 ? st->ctxname[s - 1] : NULL;
	struct tl_bandit_weight *w;
	size_t k;
	json_t *row;
	int rc, dropped;

	w = tl_xcalloc(st->narm, sizeof(*w));
	rc = tl_bandit_weights(st, s, &wo, pv, w, &dropped, err);
	if (rc == 0 && dropped && !o->quiet)
		tl_warn("%s%s: --max-change %g cannot hold within --min/--max: "
		    "not applied", ctx != NULL ? "context " : "pooled",
		    ctx != NULL ? ctx : "", o->change);
	for (k = 0; k < st->narm && rc == 0; k++) {
		row = json_pack("{s:s}", "arm", st->arm[k].name);
		json_object_set_new(row, "context", ctx != NULL ?
		    json_string(ctx) : json_null());
		json_object_set_new(row, "weight", tl_json_num(w[k].weight));
		json_object_set_new(row, "prev", tl_json_num(w[k].prev));
		json_object_set_new(row, "default", tl_json_num(1 /
		    (double)st->narm));
		json_object_set_new(row, "basis", json_string(w[k].basis));
		json_object_set_new(row, "n", json_real(w[k].n));
		json_object_set_new(row, "mean", tl_json_num(w[k].mean));
		json_object_set_new(row, "ci_lo", tl_json_num(w[k].ci_lo));
		json_object_set_new(row, "ci_hi", tl_json_num(w[k].ci_hi));
		json_object_set_new(row, "p_best", tl_json_num(w[k].p_best));
		json_object_set_new(row, "lift", tl_json_num(w[k].lift));
		rc = tl_out_write(out, row, err);
		json_decref(row);
	}
	free(w);
	return rc;
}

/* The state of --state with at least one arm, and the scope of -I. */
static int
load_arms(const struct opts *o, struct tl_bandit_state *st, long *s,
    struct tl_err *err)
{
	if (tl_bandit_state_load(st, o->state, err) == -1 ||
	    tl_bandit_scope_of(st, o->in, s, err) == -1)
		return -1;
	if (st->narm == 0)
		return tl_err_set(err, TL_EX_DATAERR, o->state, 0, "no arms in "
		    "the state");
	return 0;
}

static int
cmd_weights(const struct opts *o, struct tl_err *err)
{
	struct tl_bandit_state st;
	struct tl_bandit_prev pv = { 0 };
	struct tl_out *out = NULL;
	long only;
	size_t s;
	int rc;

	tl_bandit_state_init(&st);
	rc = load_arms(o, &st, &only, err);
	if (rc == 0 && ((double)st.narm * o->wmin > 1 ||
	    (double)st.narm * o->wmax < 1))
		rc = tl_err_set(err, TL_EX_DATAERR, NULL, 0, "--min %g and "
		    "--max %g: the weights of %zu arms cannot sum to 1",
		    o->wmin, o->wmax, st.narm);
	if (rc == 0)
		rc = tl_bandit_prev_load(&pv, o->prev, err);
	if (rc == 0 && (out = tl_out_open(o->output, TL_FMT_JSONL,
	    err)) == NULL)
		rc = -1;
	for (s = only >= 0 ? (size_t)only : 0; rc == 0 && s <= st.nctx; s++) {
		rc = weights_scope(o, &st, s, &pv, out, err);
		if (only >= 0)
			break;
	}
	if (out != NULL)
		rc = rc == 0 ? tl_out_close(out, err) : (tl_out_abort(out), -1);
	tl_bandit_prev_release(&pv);
	tl_bandit_state_release(&st);
	return rc;
}

static int
cmd_choose(const struct opts *o, struct tl_err *err)
{
	struct tl_bandit_state st;
	struct tl_out *out = NULL;
	struct tl_bandit_post *p = NULL;
	double th, top;
	size_t k, best;
	long i, s;
	gsl_rng *r = NULL;
	json_t *row;
	int rc;

	tl_bandit_state_init(&st);
	rc = load_arms(o, &st, &s, err);
	if (rc == 0 && (out = tl_out_open(o->output, TL_FMT_JSONL,
	    err)) == NULL)
		rc = -1;
	if (rc == 0) {
		p = tl_xcalloc(st.narm, sizeof(*p));
		for (k = 0; k < st.narm; k++)
			tl_bandit_scope_post(&st, &st.arm[k], s < 0 ? 0 :
			    (size_t)s, o->min_obs, &p[k]);
		r = tl_rng_alloc((uint64_t)o->seed, 0);
	}
	for (i = 0; rc == 0 && i < o->count; i++) {
		for (k = 0, best = 0, top = -INFINITY; k < st.narm; k++)
			if ((th = tl_bandit_post_draw(r, &p[k])) > top) {
				top = th;
				best = k;
			}
		row = json_pack("{s:I,s:s}", "decision", (json_int_t)i + 1,
		    "arm", st.arm[best].name);
		json_object_set_new(row, "context", s > 0 ?
		    json_string(st.ctxname[s - 1]) : json_null());
		json_object_set_new(row, "draw", tl_json_num(top));
		rc = tl_out_write(out, row, err);
		json_decref(row);
	}
	if (out != NULL)
		rc = rc == 0 ? tl_out_close(out, err) : (tl_out_abort(out), -1);
	tl_rng_free(r);
	free(p);
	tl_bandit_state_release(&st);
	return rc;
}

/* A kill row: the arm (a combo's parts too), its verdict and figures. */
static json_t *
kill_row(const struct tl_bandit_state *st, const struct tl_bandit_verdict *v)
{
	const struct tl_bandit_arm *a = &st->arm[v->k];
	const char *q, *s;
	json_t *row, *parts;
	size_t i;

	row = json_pack("{s:s}", "arm", a->name);
	if (st->kind == TL_BANDIT_COMBO) {
		parts = json_object();
		for (i = 0, s = a->name; i < st->nfields; i++, s = q + 1) {
			q = i + 1 < st->nfields ? strstr(s,
			    TL_BANDIT_COMBO_SEP) : NULL;
			if (q == NULL)
				q = s + strlen(s);
			json_object_set_new(parts, st->fields[i],
			    json_stringn(s, (size_t)(q - s)));
			if (*q == '\0')
				break;
		}
		json_object_set_new(row, "parts", parts);
	}
	json_object_set_new(row, "kill", json_boolean(v->kill));
	json_object_set_new(row, "n", json_real(a->pooled.n));
	json_object_set_new(row, st->model == TL_BANDIT_BETA ? "win_rate" :
	    "mean", tl_json_num(v->mean));
	json_object_set_new(row, st->model == TL_BANDIT_BETA ? "p_below_floor" :
	    "p_negative", tl_json_num(v->p));
	json_object_set_new(row, "mean_pnl", v->has_pnl ?
	    tl_json_num(v->mean_pnl) : json_null());
	json_object_set_new(row, "p_pnl_negative", v->has_pnl ?
	    tl_json_num(v->p_pnl_negative) : json_null());
	return row;
}

static int
cmd_kill(const struct opts *o, struct tl_err *err)
{
	struct tl_bandit_state st;
	struct tl_out *out = NULL;
	struct tl_bandit_verdict *v = NULL;
	size_t k, nk = 0;
	json_t *row;
	int rc;

	tl_bandit_state_init(&st);
	if ((rc = tl_bandit_state_load(&st, o->state, err)) == 0 &&
	    (out = tl_out_open(o->output, TL_FMT_JSONL, err)) == NULL)
		rc = -1;
	if (rc == 0) {
		v = tl_xcalloc(st.narm + 1, sizeof(*v));
		nk = tl_bandit_verdicts(&st, o->floor, o->level, o->min_obs, v);
	}
	for (k = 0; rc == 0 && k < st.narm; k++) {
		if (!v[k].kill && !o->all)
			continue;
		row = kill_row(&st, &v[k]);
		rc = tl_out_write(out, row, err);
		json_decref(row);
	}
	if (out != NULL)
		rc = rc == 0 ? tl_out_close(out, err) : (tl_out_abort(out), -1);
	if (rc == 0 && !o->quiet)
		tl_msg("%zu of %zu arms to kill", nk, st.narm);
	free(v);
	tl_bandit_state_release(&st);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct opts o = { .change = 0.2, .count = 1, .discount = NAN,
	    .draws = 10000, .floor = 0.4, .level = 0.95, .wmax = 1,
	    .wmin = 0.01, .model = -1, .min_obs = 30, .seed = 1,
	    .pbest = 0 };
	struct tl_err err = { 0 };
	int rc, status = TL_EX_OK;

	tl_init("tl-bandit");
	parse_args(argc, argv, &o);
	if (o.cmd == C_UPDATE)
		rc = cmd_update(&o, &err);
	else if (o.cmd == C_WEIGHTS)
		rc = cmd_weights(&o, &err);
	else if (o.cmd == C_CHOOSE)
		rc = cmd_choose(&o, &err);
	else
		rc = cmd_kill(&o, &err);
	if (rc == -1)
		status = tl_report(&err);
	tl_free_strings(o.names, o.nnames);
	return tl_exit_status(status);
}
