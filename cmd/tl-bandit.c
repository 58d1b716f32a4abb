/*
 * tl-bandit: learn signal, component, agent or strategy weights from
 * outcomes by Thompson sampling.  update folds a night's outcomes into a
 * state file of discounted sufficient statistics (Beta-Bernoulli for wins,
 * Normal-Inverse-Gamma for returns), per arm and per arm and context;
 * weights turns the posteriors into bounded weights that move at most so
 * much a night; choose draws arms for the next decisions; kill lists the
 * arms whose win rate is below a floor with a losing mean P&L.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <jansson.h>

#include "tl_bandit.h"
#include "tl_err.h"
#include "tl_json.h"
#include "tl_jv.h"
#include "tl_map.h"
#include "tl_num.h"
#include "tl_opt.h"
#include "tl_out.h"
#include "tl_records.h"
#include "tl_rng.h"
#include "tl_time.h"
#include "tl_util.h"

#define COMBO_SEP	"+"	/* joins the values of a combo arm */
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
/* The P&L's own weak prior (a P&L is in the trade's currency) */
static const struct tl_nig_post pnl_prior = { 0, 1, 1, 1 };

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

/* Add one outcome with credit w: reward r (beta: in [0, 1]) and, when
 * has_pnl, the P&L x. */
static void
ev_add(struct tl_bandit_ev *e, enum tl_bandit_model m, double r, int has_pnl,
    double x, double w)
{
	e->n += 1;
	if (m == TL_BANDIT_BETA) {
		e->e[0] += w * r;
		e->e[1] += w * (1 - r);
	} else {
		e->e[0] += w;
		e->e[1] += w * r;
		e->e[2] += w * r * r;
	}
	if (has_pnl) {
		e->p[0] += w;
		e->p[1] += w * x;
		e->p[2] += w * x * x;
	}
}

/* ---- posteriors ------------------------------------------------------- */

/* A posterior: beta (a, b) or NIG. */
struct post {
	enum tl_bandit_model		m;	/* which */
	double			a, b;	/* beta */
	struct tl_nig_post	g;	/* normal */
};

static void
post_of(const struct tl_bandit_state *st, const struct tl_bandit_ev *e,
    struct post *p)
{
	static const struct tl_bandit_ev none;
	struct tl_nig nig;
	struct tl_nig_post p0;

	if (e == NULL)
		e = &none;
	p->m = st->model;
	if (st->model == TL_BANDIT_BETA) {
		p->a = st->prior[0] + e->e[0];
		p->b = st->prior[1] + e->e[1];
		return;
	}
	nig.n = e->e[0];
	nig.sx = e->e[1];
	nig.sxx = e->e[2];
	p0.mu = st->prior[0];
	p0.kappa = st->prior[1];
	p0.alpha = st->prior[2];
	p0.beta = st->prior[3];
	tl_nig_posterior(&nig, &p0, &p->g);
}

static double
post_mean(const struct post *p)
{
	return p->m == TL_BANDIT_BETA ? p->a / (p->a + p->b) : p->g.mu;
}

static double
post_quantile(const struct post *p, double q)
{
	return p->m == TL_BANDIT_BETA ? gsl_cdf_beta_Pinv(q, p->a, p->b) :
	    tl_nig_mean_quantile(&p->g, q);
}

static double
post_draw(gsl_rng *r, const struct post *p)
{
	return p->m == TL_BANDIT_BETA ? tl_beta_draw(r, p->a, p->b) :
	    tl_nig_draw_mean(r, &p->g);
}

static void
pnl_post(const struct tl_bandit_ev *e, struct tl_nig_post *p)
{
	struct tl_nig nig = { e->p[0], e->p[1], e->p[2] };

	tl_nig_posterior(&nig, &pnl_prior, p);
}

/* ---- update ----------------------------------------------------------- */

static int
prior_parse(struct tl_bandit_state *st, const char *s, struct tl_err *err)
{
	const char *p = s;
	double x[4];
	size_t n = 0;
	char *end;

	while (n < TL_NELEM(x)) {
		errno = 0;
		x[n] = strtod(p, &end);
		if (end == p || errno != 0)
			break;
		n++;
		if (*end != ',')
			break;
		p = end + 1;
	}
	if (*end != '\0')
		n = 0;
	if (tl_bandit_prior_check(st->model, x, n, s, err) == -1)
		return -1;
	memcpy(st->prior, x, n * sizeof(double));
	return 0;
}

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
	if (o->prior != NULL && prior_parse(st, o->prior, err) == -1)
		return -1;
	if (!isnan(o->discount))
		st->discount = o->discount;
	if (o->time != NULL || st->time == NULL) {
		free(st->time);
		st->time = tl_xstrdup(o->time != NULL ? o->time : "date");
	}
	return 0;
}

/* Member key[0..n) of object v, or NULL. */
static const struct tl_jv *
jv_getn(const struct tl_jdoc *d, const struct tl_jv *v, const char *key,
    size_t n)
{
	const struct tl_jv *c;

	for (c = tl_jv_child(d, v); c != NULL; c = tl_jv_next(d, v, c))
		if (c->keylen == n && memcmp(c->key, key, n) == 0)
			return c;
	return NULL;
}

/* Field path of the record: the member of that name, else the dotted
 * path through nested objects; NULL when absent or null. */
static const struct tl_jv *
field(const struct tl_jdoc *d, const char *path)
{
	const struct tl_jv *v = &d->v[0], *c;
	const char *p, *dot;

	if ((c = jv_getn(d, v, path, strlen(path))) == NULL &&
	    strchr(path, '.') != NULL)
		for (c = v, p = path; c != NULL; p = dot + 1) {
			if (c->type != TL_JOBJ)
				return NULL;
			dot = strchr(p, '.');
			c = jv_getn(d, c, p, dot != NULL ? (size_t)(dot - p) :
			    strlen(p));
			if (dot == NULL)
				break;
		}
	return c != NULL && c->type != TL_JNULL ? c : NULL;
}

/* The reading of one update: where we are and what we keep between
 * records. */
struct upd {
	struct tl_bandit_state	*st;		/* the state being updated */
	int		 closed;	/* no new arms */
	struct tl_jdoc	 doc;		/* the record */
	const char	*name;		/* input name */
	unsigned long	 line;		/* record line */
	struct tl_buf	 key;		/* arm name being built */
	struct tl_buf	 lastday;	/* time text of the last record */
	int64_t		 day;		/* its day */
	int		 has_day;	/* a day was found */
	double		 wday;		/* its discount weight */
	struct tl_map	*dayctx;	/* day -> context + 1 (-C) */
	double		 n;		/* outcomes read */
	double		 noctx;		/* outcomes without a context */
	int		 new_days;	/* --new-days: skip days up to since */
	int64_t		 since;		/* the loaded state's day */
	double		 old;		/* outcomes skipped by --new-days */
};

/* A bad record: TL_EX_DATAERR at its file and line. */
static int	rec_err(struct upd *u, struct tl_err *err, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));

static int
rec_err(struct upd *u, struct tl_err *err, const char *fmt, ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return tl_err_set(err, TL_EX_DATAERR, u->name, u->line, "%s", msg);
}

static void
append_scalar(struct tl_buf *b, const struct tl_jv *v)
{
	if (v->type == TL_JSTR || v->type == TL_JNUM)
		tl_buf_add(b, v->s, v->len);
	else
		tl_buf_adds(b, v->type == TL_JTRUE ? "true" : "false");
}

/* Credit arm name[0..n) of the record with w (already discounted). */
static int
credit(struct upd *u, const char *name, size_t n, long ctx, double w,
    double r, int has_pnl, double x, struct tl_err *err)
{
	struct tl_bandit_state *st = u->st;
	long k;

	if ((k = tl_bandit_arm_find(st, name, n, !u->closed)) == -1) {
		char s[256];

		snprintf(s, sizeof(s), "%.*s", (int)(n > 200 ? 200 : n), name);
		return tl_err_set(err, TL_EX_DATAERR, u->name, u->line,
		    "field '%s': unknown arm '%s' (not in the state or -N; -A "
		    "adds new arms)", st->fields[0], s);
	}
	ev_add(&st->arm[k].pooled, st->model, r, has_pnl, x, w);
	if (ctx >= 0)
		ev_add(tl_bandit_arm_ctx(&st->arm[k], (size_t)ctx), st->model,
		    r, has_pnl, x, w);
	return 0;
}

/* The kind of a plain FIELD spec, from the first record that has it. */
static int
resolve_kind(struct upd *u, const struct tl_jv *v, struct tl_err *err)
{
	const struct tl_jv *c;
	int flags = 1, nums = 1, strs = 1;

	if (v->type != TL_JOBJ && v->type != TL_JARR) {
		u->st->kind = TL_BANDIT_VALUE;
		return 0;
	}
	if (v->type == TL_JARR)
		return rec_err(u, err, "field '%s': an array is not an arms "
		    "field", u->st->fields[0]);
	for (c = tl_jv_child(&u->doc, v); c != NULL;
	    c = tl_jv_next(&u->doc, v, c)) {
		if (c->type == TL_JNULL)
			continue;
		flags &= c->type == TL_JTRUE || c->type == TL_JFALSE ||
		    (c->type == TL_JNUM && (c->num == 0 || c->num == 1));
		nums &= c->type == TL_JNUM;
		strs &= c->type == TL_JSTR || c->type == TL_JTRUE ||
		    c->type == TL_JFALSE;
	}
	u->st->kind = flags ? TL_BANDIT_FLAGS : nums ? TL_BANDIT_SHARE : strs ?
	    TL_BANDIT_VOTES : TL_BANDIT_AUTO;
	if (u->st->kind == TL_BANDIT_AUTO)
		return rec_err(u, err, "field '%s': a map of mixed values; say "
		    "how to credit it (--arms share:%s and so on)",
		    u->st->fields[0], u->st->fields[0]);
	return 0;
}

/* Credit the arms of a map kind. */
static int
credit_map(struct upd *u, const struct tl_jv *v, long ctx, double w, double r,
    int has_pnl, double x, struct tl_err *err)
{
	struct tl_bandit_state *st = u->st;
	const struct tl_jv *c;
	const char *f = st->fields[0];
	double sum = 0, cr, rr, xx;
	char num[TL_NUM_BUFSZ];

	if (v->type != TL_JOBJ)
		return rec_err(u, err, "field '%s': expected an object of arms, "
		    "got %s", f, tl_jv_typename(v));
	if (st->kind == TL_BANDIT_SHARE) {
		for (c = tl_jv_child(&u->doc, v); c != NULL;
		    c = tl_jv_next(&u->doc, v, c)) {
			if (c->type == TL_JNULL)
				continue;
			if (c->type != TL_JNUM || c->num < 0) {
				tl_err_set(err, TL_EX_DATAERR, u->name, u->line,
				    "field '%s.%.*s': a score must be a number "
				    ">= 0", f, (int)c->keylen, c->key);
				return -1;
			}
			sum += c->num;
		}
		if (sum == 0)
			return 0;	/* no score: no credit */
	}
	for (c = tl_jv_child(&u->doc, v); c != NULL;
	    c = tl_jv_next(&u->doc, v, c)) {
		rr = r;
		xx = x;
		if (c->type == TL_JNULL)
			continue;
		switch (st->kind) {
		case TL_BANDIT_FLAGS:
			if (c->type == TL_JTRUE || (c->type == TL_JNUM &&
			    c->num == 1))
				cr = 1;
			else if (c->type == TL_JFALSE || (c->type == TL_JNUM &&
			    c->num == 0))
				continue;
			else {
				tl_err_set(err, TL_EX_DATAERR, u->name, u->line,
				    "field '%s.%.*s': %s is not a 0/1 flag "
				    "(--arms share:%s credits scores)", f,
				    (int)c->keylen, c->key, c->type == TL_JNUM ?
				    (tl_fmt_double(num, c->num), num) :
				    tl_jv_typename(c), f);
				return -1;
			}
			break;
		case TL_BANDIT_SHARE:
			cr = c->num / sum;
			break;
		case TL_BANDIT_CREDIT:
			if (c->type != TL_JNUM || !(c->num >= 0 &&
			    c->num <= 1)) {
				tl_err_set(err, TL_EX_DATAERR, u->name, u->line,
				    "field '%s.%.*s': a credit must be a number "
				    "in [0, 1]", f, (int)c->keylen, c->key);
				return -1;
			}
			cr = c->num;
			break;
		default:	/* TL_BANDIT_VOTES */
			cr = 1;
			if (c->type == TL_JTRUE || (c->type == TL_JSTR &&
			    ((c->len == 7 && memcmp(c->s, "approve", 7) == 0) ||
			    (c->len == 3 && memcmp(c->s, "yes", 3) == 0))))
				break;
			if (c->type == TL_JFALSE || (c->type == TL_JSTR &&
			    ((c->len == 6 && memcmp(c->s, "reject", 6) == 0) ||
			    (c->len == 2 && memcmp(c->s, "no", 2) == 0)))) {
				/* a reject is right when the trade lost */
				rr = st->model == TL_BANDIT_BETA ? 1 - r : -r;
				xx = -x;
				break;
			}
			if (c->type == TL_JSTR && c->len == 7 &&
			    memcmp(c->s, "abstain", 7) == 0)
				continue;
			tl_err_set(err, TL_EX_DATAERR, u->name, u->line,
			    "field '%s.%.*s': a vote must be approve, reject "
			    "or abstain", f, (int)c->keylen, c->key);
			return -1;
		}
		if (cr > 0 && credit(u, c->key, c->keylen, ctx, w * cr, rr,
		    has_pnl, xx, err) == -1)
			return -1;
	}
	return 0;
}

/* Day of a time value; -1 if it is not a time. */
static int
time_day(struct upd *u, const struct tl_jv *v, int64_t *day)
{
	int64_t ms;

	if (v->type == TL_JSTR) {
		if (u->has_day && v->len == u->lastday.len &&
		    memcmp(v->s, u->lastday.data, v->len) == 0) {
			*day = u->day;
			return 0;
		}
		if (tl_time_parse(v->s, v->len, &ms) == -1)
			return -1;
		tl_buf_reset(&u->lastday);
		tl_buf_add(&u->lastday, v->s, v->len);
	} else if (v->type != TL_JNUM || tl_time_from_epoch(v->num, &ms) == -1)
		return -1;
	else
		tl_buf_reset(&u->lastday);
	*day = ms >= 0 ? ms / MS_PER_DAY : -((-ms + MS_PER_DAY - 1) /
	    MS_PER_DAY);
	return 0;
}

/* Fold one record (parsed into u->doc) into the state. */
static int
update_one(struct upd *u, struct tl_err *err)
{
	struct tl_bandit_state *st = u->st;
	const struct tl_jv *v, *rv, *pv, *tv;
	char num[TL_NUM_BUFSZ];
	double r, x = 0, w = 1;
	int has_pnl = 0;
	long ctx = -1;
	int64_t day;
	size_t i;
	uintptr_t *slot;

	if (u->doc.v[0].type != TL_JOBJ)
		return rec_err(u, err, "expected an object, got %s",
		    tl_jv_typename(&u->doc.v[0]));
	/* the reward */
	if ((rv = field(&u->doc, st->reward)) == NULL)
		return rec_err(u, err, "field '%s': missing", st->reward);
	if (rv->type == TL_JTRUE || rv->type == TL_JFALSE)
		r = rv->type == TL_JTRUE;
	else if (rv->type == TL_JNUM)
		r = rv->num;
	else
		return rec_err(u, err, "field '%s': expected a number or "
		    "boolean, got %s", st->reward, tl_jv_typename(rv));
	if (st->model == TL_BANDIT_BETA && !(r >= 0 && r <= 1)) {
		tl_fmt_double(num, r);
		return tl_err_set(err, TL_EX_DATAERR, u->name, u->line,
		    "field '%s': reward %s is outside [0, 1] for --family beta "
		    "(--family normal for returns)", st->reward, num);
	}
	/* the P&L, for kill */
	if (st->pnl != NULL && (pv = field(&u->doc, st->pnl)) != NULL) {
		if (pv->type != TL_JNUM)
			return rec_err(u, err, "field '%s': expected a number, "
			    "got %s", st->pnl, tl_jv_typename(pv));
		x = pv->num;
		has_pnl = 1;
	}
	/* the day: evidence older than the state's fades */
	if ((tv = field(&u->doc, st->time)) != NULL) {
		if (time_day(u, tv, &day) == -1)
			return rec_err(u, err, "field '%s': not a date or "
			    "time", st->time);
		if (u->new_days && day <= u->since) {
			u->old++;
			return 0;
		}
		if (!u->has_day || day != u->day) {
			tl_bandit_state_advance(st, day);
			u->wday = st->discount < 1 ? pow(st->discount,
			    (double)(st->day - day)) : 1;
			u->day = day;
			u->has_day = 1;
		}
		w = u->wday;
	} else if (st->discount < 1 || st->ctxfile || u->new_days)
		return rec_err(u, err, "field '%s': missing (%s needs the "
		    "date)", st->time, st->ctxfile ? "-C" : u->new_days ?
		    "--new-days" : "--discount");
	/* the context */
	if (st->context != NULL) {
		if ((v = field(&u->doc, st->context)) == NULL)
			u->noctx++;
		else if (v->type == TL_JSTR || v->type == TL_JNUM ||
		    v->type == TL_JTRUE || v->type == TL_JFALSE) {
			tl_buf_reset(&u->key);
			append_scalar(&u->key, v);
			ctx = (long)tl_bandit_ctx_find(st, u->key.data,
			    u->key.len);
		} else
			return rec_err(u, err, "field '%s': expected a string "
			    "or number, got %s", st->context,
			    tl_jv_typename(v));
	} else if (st->ctxfile) {
		if ((slot = tl_map_get(u->dayctx, &day, sizeof(day))) != NULL)
			ctx = (long)*slot - 1;
		else
			u->noctx++;
	}
	/* the arms */
	v = NULL;
	if (st->kind != TL_BANDIT_COMBO) {
		v = field(&u->doc, st->fields[0]);
		if (v == NULL)
			return rec_err(u, err, "field '%s': missing",
			    st->fields[0]);
		if (st->kind == TL_BANDIT_AUTO && resolve_kind(u, v, err) == -1)
			return -1;
	}
	ev_add(&st->base.pooled, st->model, r, has_pnl, x, w);
	if (ctx >= 0)
		ev_add(tl_bandit_arm_ctx(&st->base, (size_t)ctx), st->model,
		    r, has_pnl, x, w);
	u->n++;
	if (st->kind == TL_BANDIT_VALUE || st->kind == TL_BANDIT_COMBO) {
		tl_buf_reset(&u->key);
		for (i = 0; i < st->nfields; i++) {
			if ((v = field(&u->doc, st->fields[i])) == NULL)
				return rec_err(u, err, "field '%s': missing",
				    st->fields[i]);
			if (v->type == TL_JOBJ || v->type == TL_JARR)
				return rec_err(u, err, "field '%s': expected a "
				    "string or number, got %s", st->fields[i],
				    tl_jv_typename(v));
			if (i > 0)
				tl_buf_adds(&u->key, COMBO_SEP);
			append_scalar(&u->key, v);
		}
		return credit(u, u->key.data, u->key.len, ctx, w, r, has_pnl, x,
		    err);
	}
	return credit_map(u, v, ctx, w, r, has_pnl, x, err);
}

/* Rows {"date": ..., "label": ...} of a context file into day -> context
 * (every label becomes a context, in the file's order). */
static int
load_ctxfile(struct tl_bandit_state *st, struct tl_map *m, const char *path,
    struct tl_err *err)
{
	struct tl_records *rs;
	const char *date;
	char num[TL_NUM_BUFSZ];
	uintptr_t *slot;
	json_t *rec, *lab;
	int64_t ms, day;
	size_t c;
	int rc, added;

	if ((rs = tl_records_open(path, TL_FMT_AUTO, err)) == NULL)
		return -1;
	while ((rc = tl_records_next(rs, &rec, err)) == 1) {
		date = json_string_value(json_object_get(rec, "date"));
		lab = json_object_get(rec, "label");
		if (date == NULL || tl_time_parse(date, strlen(date), &ms) ==
		    -1)
			rc = tl_err_set(err, TL_EX_DATAERR, tl_records_name(rs),
			    tl_records_line(rs), "field 'date': missing or not "
			    "a date");
		else if (!json_is_string(lab) && !json_is_number(lab))
			rc = tl_err_set(err, TL_EX_DATAERR, tl_records_name(rs),
			    tl_records_line(rs), "field 'label': expected a "
			    "string or number");
		if (rc == -1) {
			json_decref(rec);
			break;
		}
		if (json_is_string(lab))
			c = tl_bandit_ctx_find(st, json_string_value(lab),
			    json_string_length(lab));
		else
			c = tl_bandit_ctx_find(st, num, (size_t)tl_fmt_double(
			    num, json_number_value(lab)));
		day = ms / MS_PER_DAY;
		slot = tl_map_put(m, &day, sizeof(day), &added);
		if (!added && *slot != c + 1) {
			json_decref(rec);
			rc = tl_err_set(err, TL_EX_DATAERR, tl_records_name(rs),
			    tl_records_line(rs), "date '%s' has two labels",
			    date);
			break;
		}
		*slot = c + 1;
		json_decref(rec);
	}
	tl_records_free(rs);
	return rc == -1 ? -1 : 0;
}

/* Take the lock of the state about to be written: path.lock, flock'ed
 * so that two updates of one state do not race.  Returns the descriptor
 * (-2 for stdout), or -1 with err (TL_EX_TEMPFAIL when held). */
static int
lock_take(const char *path, struct tl_buf *lockpath, struct tl_err *err)
{
	int fd;

	if (path == NULL || strcmp(path, "-") == 0)
		return -2;
	tl_buf_adds(lockpath, path);
	tl_buf_adds(lockpath, ".lock");
	if ((fd = open(lockpath->data, O_RDWR | O_CREAT | O_CLOEXEC, 0666)) ==
	    -1)
		return tl_err_set(err, TL_EX_CANTCREAT, lockpath->data, 0, "%s",
		    strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		return tl_err_set(err, TL_EX_TEMPFAIL, lockpath->data, 0,
		    "locked by another update of this state (try later)");
	}
	return fd;
}

static void
lock_drop(int fd, const struct tl_buf *lockpath)
{
	if (fd < 0)
		return;
	unlink(lockpath->data);
	close(fd);
}

/* Arms of -N, in order. */
static void
declare_arms(struct tl_bandit_state *st, const struct opts *o)
{
	size_t i;

	for (i = 0; i < o->nnames; i++)
		tl_bandit_arm_find(st, o->names[i], strlen(o->names[i]), 1);
}

static int
cmd_update(const struct opts *o, struct tl_err *err)
{
	struct tl_bandit_state st;
	struct upd u;
	struct tl_records *rs;
	struct tl_out *out = NULL;
	struct tl_buf lockpath;
	char date[TL_TIME_BUFSZ];
	const char *text;
	size_t len;
	json_t *v = NULL;
	int i, rc = 0, lock = -2, loaded = 0;

	tl_bandit_state_init(&st);
	memset(&u, 0, sizeof(u));
	tl_jdoc_init(&u.doc);
	tl_buf_init(&u.key);
	tl_buf_init(&u.lastday);
	tl_buf_init(&lockpath);
	u.st = &st;
	u.dayctx = tl_map_alloc();
	if ((lock = lock_take(o->output, &lockpath, err)) == -1) {
		rc = -1;
		goto out;
	}
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
	if (o->ctxfile != NULL && (rc = load_ctxfile(&st, u.dayctx, o->ctxfile,
	    err)) == -1)
		goto out;
	for (i = 0; i < (o->ninputs > 0 ? o->ninputs : 1) && rc == 0; i++) {
		if ((rs = tl_records_open(o->ninputs > 0 ? o->inputs[i] : "-",
		    o->ifmt, err)) == NULL) {
			rc = -1;
			break;
		}
		u.name = tl_records_name(rs);
		while (rc == 0 && (rc = tl_records_next_text(rs, &text, &len,
		    err)) == 1) {
			u.line = tl_records_line(rs);
			rc = tl_jdoc_parse(&u.doc, text, len, u.name, u.line,
			    err);
			if (rc == 0)
				rc = update_one(&u, err);
		}
		tl_records_free(rs);
		rc = rc == -1 ? -1 : 0;
	}
	if (rc == 0 && u.n + u.old == 0)	/* as every tool: 65 */
		rc = tl_err_set(err, TL_EX_DATAERR, NULL, 0, "no outcomes in "
		    "the input");
	if (rc == -1)
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
	lock_drop(lock, &lockpath);
	json_decref(v);
	tl_map_free(u.dayctx);
	tl_buf_release(&lockpath);
	tl_buf_release(&u.lastday);
	tl_buf_release(&u.key);
	tl_jdoc_release(&u.doc);
	tl_bandit_state_release(&st);
	return rc;
}

/* ---- weights, choose, kill -------------------------------------------- */

/* The posterior of arm a in scope s (0 pooled, c + 1 context c): its own
 * with at least min_obs outcomes, else the pooled one.  Returns the
 * basis: "own" or "pooled". */
static const char *
scope_post(const struct tl_bandit_state *st, const struct tl_bandit_arm *a,
    size_t s, long min_obs, struct post *p)
{
	const struct tl_bandit_ev *e = s > 0 ? tl_bandit_arm_ctx_get(a, s - 1) :
	    NULL;

	if (s > 0 && e != NULL && e->n >= (double)min_obs) {
		post_of(st, e, p);
		return "own";
	}
	post_of(st, &a->pooled, p);
	return s > 0 ? "pooled" : "own";
}

/* Scope of -I, or all (-1). */
static int
scope_of(const struct tl_bandit_state *st, const char *in, long *s,
    struct tl_err *err)
{
	uintptr_t *slot;

	*s = -1;
	if (in == NULL)
		return 0;
	if ((slot = tl_map_get(st->ctxidx, in, strlen(in))) == NULL)
		return tl_err_set(err, TL_EX_DATAERR, "--in", 0, "no context "
		    "'%s' in the state", in);
	*s = (long)*slot;
	return 0;
}

/* Previous weights: "context\037arm" -> index + 1 into w. */
struct prev {
	struct tl_map	*m;		/* key -> index + 1 */
	double		*w;		/* the weights */
	size_t		 n, cap;	/* used, allocated */
};

static void
prev_key(struct tl_buf *b, const char *ctx, const char *arm)
{
	tl_buf_reset(b);
	if (ctx != NULL)
		tl_buf_adds(b, ctx);
	tl_buf_addc(b, '\037');
	tl_buf_adds(b, arm);
}

static int
prev_load(struct prev *p, const char *path, struct tl_err *err)
{
	struct tl_records *rs;
	struct tl_buf key;
	const char *arm, *ctx;
	json_t *rec, *w, *c;
	uintptr_t *slot;
	int rc;

	p->m = tl_map_alloc();
	if (path == NULL)
		return 0;
	if ((rs = tl_records_open(path, TL_FMT_AUTO, err)) == NULL)
		return -1;
	tl_buf_init(&key);
	while ((rc = tl_records_next(rs, &rec, err)) == 1) {
		arm = json_string_value(json_object_get(rec, "arm"));
		w = json_object_get(rec, "weight");
		c = json_object_get(rec, "context");
		ctx = json_string_value(c);
		if (arm == NULL || !json_is_number(w) ||
		    !(json_number_value(w) >= 0) || (c != NULL &&
		    !json_is_null(c) && ctx == NULL)) {
			rc = tl_err_set(err, TL_EX_DATAERR, tl_records_name(rs),
			    tl_records_line(rs), "a weights row needs 'arm' "
			    "(string), 'weight' (number >= 0) and 'context' "
			    "(string or null)");
			json_decref(rec);
			break;
		}
		prev_key(&key, ctx, arm);
		slot = tl_map_put(p->m, key.data, key.len, NULL);
		if (p->n == p->cap) {
			p->cap = p->cap ? 2 * p->cap : 64;
			p->w = tl_xreallocarray(p->w, p->cap, sizeof(double));
		}
		p->w[p->n] = json_number_value(w);
		*slot = ++p->n;
		json_decref(rec);
	}
	tl_buf_release(&key);
	tl_records_free(rs);
	return rc == -1 ? -1 : 0;
}

static double
clampd(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* Weights of every arm in scope s, written as rows. */
static int
weights_scope(const struct opts *o, const struct tl_bandit_state *st, size_t s,
    const struct prev *pv, struct tl_out *out, struct tl_err *err)
{
	size_t k, K = st->narm, best;
	struct post *p, base;
	const char **basis, *ctx = s > 0 ? st->ctxname[s - 1] : NULL;
	double *pbest, *lift, *t, *lo, *hi, *w, *prev, *th, d, b, wmin, wmax;
	struct tl_buf key;
	uintptr_t *slot;
	gsl_rng *r;
	json_t *row;
	long i;
	int rc = 0, fixed;

	p = tl_xcalloc(K, sizeof(*p));
	basis = tl_xcalloc(K, sizeof(*basis));
	pbest = tl_xcalloc(K, sizeof(double));
	lift = tl_xcalloc(K, sizeof(double));
	t = tl_xcalloc(K, sizeof(double));
	lo = tl_xcalloc(K, sizeof(double));
	hi = tl_xcalloc(K, sizeof(double));
	w = tl_xcalloc(K, sizeof(double));
	prev = tl_xcalloc(K, sizeof(double));
	th = tl_xcalloc(K, sizeof(double));
	tl_buf_init(&key);
	for (k = 0; k < K; k++)
		basis[k] = scope_post(st, &st->arm[k], s, o->min_obs, &p[k]);
	scope_post(st, &st->base, s, o->min_obs, &base);
	/* Thompson draws: the share of draws each arm wins, and its mean
	 * lift over the baseline's draw (expected improvement) */
	r = tl_rng_alloc((uint64_t)o->seed, s);
	for (i = 0; i < o->draws; i++) {
		b = post_draw(r, &base);
		for (k = 0, best = 0; k < K; k++) {
			th[k] = post_draw(r, &p[k]);
			if (th[k] > th[best])
				best = k;
			if (th[k] > b)
				lift[k] += th[k] - b;
		}
		pbest[best] += 1;
	}
	tl_rng_free(r);
	d = 1 / (double)K;
	wmin = o->wmin;
	wmax = o->wmax;
	for (k = 0; k < K; k++) {
		pbest[k] /= (double)o->draws;
		lift[k] /= (double)o->draws;
		t[k] = o->pbest ? pbest[k] : lift[k];
		prev_key(&key, ctx, st->arm[k].name);
		slot = tl_map_get(pv->m, key.data, key.len);
		prev[k] = slot != NULL ? pv->w[*slot - 1] : NAN;
		if (st->arm[k].pooled.n < (double)o->min_obs) {
			/* too few outcomes: the default, whatever the draws */
			lo[k] = hi[k] = clampd(d, wmin, wmax);
			basis[k] = "default";
			continue;
		}
		lo[k] = wmin;
		hi[k] = wmax;
		if (o->change > 0 && !isnan(prev[k])) {
			lo[k] = fmax(wmin, prev[k] * (1 - o->change));
			hi[k] = fmin(wmax, prev[k] * (1 + o->change));
			if (lo[k] > hi[k]) {	/* bounds moved: they win */
				lo[k] = wmin;
				hi[k] = wmax;
			}
		}
	}
	if (tl_bandit_project(t, lo, hi, K, 1, w) == -1) {
		/* the change limit and the bounds cannot both hold */
		for (k = 0; k < K; k++) {
			fixed = lo[k] == hi[k] && st->arm[k].pooled.n <
			    (double)o->min_obs;
			if (!fixed) {
				lo[k] = wmin;
				hi[k] = wmax;
			}
		}
		if (tl_bandit_project(t, lo, hi, K, 1, w) == -1) {
			rc = tl_err_set(err, TL_EX_DATAERR, NULL, 0, "--min and "
			    "--max: the weights of %zu arms cannot sum to 1",
			    K);
			goto out;
		}
		if (!o->quiet)
			tl_warn("%s%s: --max-change %g cannot hold within "
			    "--min/--max: not applied", ctx != NULL ?
			    "context " : "pooled", ctx != NULL ? ctx : "",
			    o->change);
	}
	for (k = 0; k < K && rc == 0; k++) {
		row = json_pack("{s:s}", "arm", st->arm[k].name);
		json_object_set_new(row, "context", ctx != NULL ?
		    json_string(ctx) : json_null());
		json_object_set_new(row, "weight", tl_json_num(w[k]));
		json_object_set_new(row, "prev", tl_json_num(prev[k]));
		json_object_set_new(row, "default", tl_json_num(d));
		json_object_set_new(row, "basis", json_string(basis[k]));
		json_object_set_new(row, "n", json_real(s > 0 &&
		    tl_bandit_arm_ctx_get(&st->arm[k], s - 1) != NULL ?
		    tl_bandit_arm_ctx_get(&st->arm[k], s - 1)->n : s > 0 ? 0 :
		    st->arm[k].pooled.n));
		json_object_set_new(row, "mean", tl_json_num(post_mean(&p[k])));
		json_object_set_new(row, "ci_lo", tl_json_num(post_quantile(
		    &p[k], 0.025)));
		json_object_set_new(row, "ci_hi", tl_json_num(post_quantile(
		    &p[k], 0.975)));
		json_object_set_new(row, "p_best", tl_json_num(pbest[k]));
		json_object_set_new(row, "lift", tl_json_num(lift[k]));
		rc = tl_out_write(out, row, err);
		json_decref(row);
	}
out:
	tl_buf_release(&key);
	free(th);
	free(prev);
	free(w);
	free(hi);
	free(lo);
	free(t);
	free(lift);
	free(pbest);
	free(basis);
	free(p);
	return rc;
}

static int
cmd_weights(const struct opts *o, struct tl_err *err)
{
	struct tl_bandit_state st;
	struct prev pv = { 0 };
	struct tl_out *out = NULL;
	long only;
	size_t s;
	int rc;

	tl_bandit_state_init(&st);
	if ((rc = tl_bandit_state_load(&st, o->state, err)) == 0)
		rc = scope_of(&st, o->in, &only, err);
	if (rc == 0 && st.narm == 0)
		rc = tl_err_set(err, TL_EX_DATAERR, o->state, 0, "no arms in "
		    "the state");
	if (rc == 0 && ((double)st.narm * o->wmin > 1 ||
	    (double)st.narm * o->wmax < 1))
		rc = tl_err_set(err, TL_EX_DATAERR, NULL, 0, "--min %g and "
		    "--max %g: the weights of %zu arms cannot sum to 1",
		    o->wmin, o->wmax, st.narm);
	if (rc == 0)
		rc = prev_load(&pv, o->prev, err);
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
	tl_map_free(pv.m);
	free(pv.w);
	tl_bandit_state_release(&st);
	return rc;
}

static int
cmd_choose(const struct opts *o, struct tl_err *err)
{
	struct tl_bandit_state st;
	struct tl_out *out = NULL;
	struct post *p = NULL;
	double th, top;
	size_t k, best;
	long i, s;
	gsl_rng *r = NULL;
	json_t *row;
	int rc;

	tl_bandit_state_init(&st);
	if ((rc = tl_bandit_state_load(&st, o->state, err)) == 0)
		rc = scope_of(&st, o->in, &s, err);
	if (rc == 0 && st.narm == 0)
		rc = tl_err_set(err, TL_EX_DATAERR, o->state, 0, "no arms in "
		    "the state");
	if (rc == 0 && (out = tl_out_open(o->output, TL_FMT_JSONL,
	    err)) == NULL)
		rc = -1;
	if (rc == 0) {
		p = tl_xcalloc(st.narm, sizeof(*p));
		for (k = 0; k < st.narm; k++)
			scope_post(&st, &st.arm[k], s < 0 ? 0 : (size_t)s,
			    o->min_obs, &p[k]);
		r = tl_rng_alloc((uint64_t)o->seed, 0);
	}
	for (i = 0; rc == 0 && i < o->count; i++) {
		for (k = 0, best = 0, top = -INFINITY; k < st.narm; k++)
			if ((th = post_draw(r, &p[k])) > top) {
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

/* A kill row: figures and verdict of arm k. */
struct verdict {
	size_t	k;		/* arm */
	double	p;		/* the probability the rule tests */
	int	kill;		/* the verdict */
};

static int
cmp_verdict(const void *a, const void *b)
{
	const struct verdict *x = a, *y = b;

	if (x->p != y->p)
		return x->p < y->p ? 1 : -1;
	return x->k < y->k ? -1 : x->k > y->k;
}

static json_t *
kill_row(const struct opts *o, const struct tl_bandit_state *st,
    const struct tl_bandit_arm *a, const struct verdict *v)
{
	struct tl_nig_post pp;
	struct post p;
	const char *q, *s;
	json_t *row, *parts;
	size_t i;

	row = json_pack("{s:s}", "arm", a->name);
	if (st->kind == TL_BANDIT_COMBO) {
		parts = json_object();
		for (i = 0, s = a->name; i < st->nfields; i++, s = q + 1) {
			q = i + 1 < st->nfields ? strstr(s, COMBO_SEP) : NULL;
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
	post_of(st, &a->pooled, &p);
	if (st->model == TL_BANDIT_BETA) {
		json_object_set_new(row, "win_rate", tl_json_num(post_mean(&p)));
		json_object_set_new(row, "p_below_floor", tl_json_num(v->p));
	} else {
		json_object_set_new(row, "mean", tl_json_num(post_mean(&p)));
		json_object_set_new(row, "p_negative", tl_json_num(v->p));
	}
	if (st->pnl != NULL && a->pooled.p[0] > 0) {
		pnl_post(&a->pooled, &pp);
		json_object_set_new(row, "mean_pnl", tl_json_num(pp.mu));
		json_object_set_new(row, "p_pnl_negative",
		    tl_json_num(tl_nig_prob_below(&pp, 0)));
	} else {
		json_object_set_new(row, "mean_pnl", json_null());
		json_object_set_new(row, "p_pnl_negative", json_null());
	}
	(void)o;
	return row;
}

static int
cmd_kill(const struct opts *o, struct tl_err *err)
{
	struct tl_bandit_state st;
	struct tl_out *out = NULL;
	struct verdict *v = NULL;
	struct tl_nig_post pp;
	struct post p;
	const struct tl_bandit_arm *a;
	size_t k, nk = 0;
	json_t *row;
	int rc;

	tl_bandit_state_init(&st);
	if ((rc = tl_bandit_state_load(&st, o->state, err)) == 0 &&
	    (out = tl_out_open(o->output, TL_FMT_JSONL, err)) == NULL)
		rc = -1;
	if (rc == 0)
		v = tl_xcalloc(st.narm + 1, sizeof(*v));
	for (k = 0; rc == 0 && k < st.narm; k++) {
		a = &st.arm[k];
		post_of(&st, &a->pooled, &p);
		v[k].k = k;
		if (st.model == TL_BANDIT_BETA) {
			/* a win rate below the floor, and a losing mean P&L
			 * when the state has one */
			v[k].p = tl_beta_prob_below(p.a, p.b, o->floor);
			v[k].kill = v[k].p >= o->level;
			if (st.pnl != NULL && a->pooled.p[0] > 0) {
				pnl_post(&a->pooled, &pp);
				v[k].kill &= pp.mu < 0;
			}
		} else {
			v[k].p = tl_nig_prob_below(&p.g, 0);
			v[k].kill = v[k].p >= o->level;
		}
		v[k].kill &= a->pooled.n >= (double)o->min_obs;
		nk += v[k].kill;
	}
	if (rc == 0)
		qsort(v, st.narm, sizeof(*v), cmp_verdict);
	for (k = 0; rc == 0 && k < st.narm; k++) {
		if (!v[k].kill && !o->all)
			continue;
		row = kill_row(o, &st, &st.arm[v[k].k], &v[k]);
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
