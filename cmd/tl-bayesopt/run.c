/*
 * tl-bayesopt run: drive an objective command per trial (params on its
 * stdin, a number or {"values": ...} on its stdout), --jobs at a time on
 * a --dispatch engine of lib/tl_trial, each proposed from the history
 * and the trials before it (run_propose: the same points at any --jobs
 * timing), its {"step": k, "value": v} lines shown to the --pruner, each
 * finished trial appended to the history at once so that a killed run
 * resumes where it stopped; at the end the best trial (or the front of
 * several objectives) on -o.  attach.c takes up a slurm run's trials.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "bayesopt.h"
#include "tl_err.h"
#include "tl_json.h"
#include "tl_progress.h"
#include "tl_prune.h"
#include "tl_rng.h"
#include "tl_space.h"
#include "tl_tpe.h"
#include "tl_trial.h"
#include "tl_util.h"

/* run: the dispatch engines (lib/tl_trial.c), and which of the engine
 * options each takes */
static const struct {
	const char	*name;
	int		 opts[6];	/* O_* it takes; 0 ends */
} dispatch_engines[] = {
	{ "local", { 0 } },
	{ "slurm", { O_BATCH_DIR, O_PARTITION, O_TIME_LIMIT, O_MEM,
	    O_RETRIES, 0 } },
	{ "parallel", { O_BATCH_DIR, O_SSHLOGIN, O_RETRIES, 0 } },
};

/* the engine options, for the check above */
static const int engine_opts[] = { O_PARTITION, O_TIME_LIMIT, O_MEM,
    O_SSHLOGIN, O_RETRIES, O_BATCH_DIR };

/* run: the --dispatch engine known, given only the options it takes,
 * and what it needs. */
static void
check_dispatch(struct opts *o)
{
	size_t i, j, k;
	char name[64];
	int given;

	if (o->dispatch == NULL)
		o->dispatch = "local";
	for (k = 0; k < TL_NELEM(dispatch_engines) &&
	    strcmp(o->dispatch, dispatch_engines[k].name) != 0; k++)
		;
	if (k == TL_NELEM(dispatch_engines))
		tl_usage_error("--dispatch: '%s': not local, slurm or parallel",
		    o->dispatch);
	for (i = 0; i < TL_NELEM(engine_opts); i++) {
		given = opts_given(o, engine_opts[i]);
		for (j = 0; given && dispatch_engines[k].opts[j] != 0 &&
		    dispatch_engines[k].opts[j] != engine_opts[i]; j++)
			;
		if (given && dispatch_engines[k].opts[j] == 0)
			tl_usage_error("%s is not for --dispatch %s",
			    opts_name(engine_opts[i], name, sizeof(name)),
			    o->dispatch);
	}
	o->tc.sshlogin = o->sshlogin;
	if (k == 0)
		return;
	if (o->tc.batch_dir == NULL)
		tl_usage_error("--dispatch %s needs --batch-dir DIR (on a file "
		    "system the nodes share)", o->dispatch);
	if (o->timeout > 0)
		tl_usage_error("--timeout is for --dispatch local%s",
		    k == 1 ? " (slurm: --time-limit)" : "");
	if (o->pp.kind != TL_PRUNE_NONE)
		tl_usage_error("--pruner needs --dispatch local");
}

/* Was --dispatch or one of the engine options given? */
int
dispatch_given(const struct opts *o)
{
	size_t i;

	for (i = 0; i < TL_NELEM(engine_opts); i++)
		if (opts_given(o, engine_opts[i]))
			return 1;
	return o->dispatch != NULL;
}

/* run's options: the common ones, then these. */
void
run_check(struct opts *o, int argc, char *argv[])
{
	char name[64];

	opts_objectives(o);
	opts_search(o);
	if (optind + 1 >= argc)
		tl_usage_error("run needs the objective command after "
		    "'--'");
	if (o->history == NULL)
		tl_usage_error("run needs the history it appends to: "
		    "-H FILE");
	if (strcmp(o->history, "-") == 0)
		tl_usage_error("run appends to the history: -H names "
		    "a file, not standard input");
	if (o->model != NULL || o->around != NULL)
		tl_usage_error("--model and --around are for suggest");
	if (!o->count_set)
		o->count = 20;
	if (o->pp.kind == TL_PRUNE_NONE && o->prune_opt != 0)
		tl_usage_error("%s needs --pruner", opts_name(
		    o->prune_opt, name, sizeof(name)));
	o->pp.maximize = o->maximize;
	o->objective = argv + optind + 1;
	check_dispatch(o);
}

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

/* The index into rs of trial id: this run's, or one taken up. */
static size_t
run_index(const struct runstate *rs, long id)
{
	size_t a;

	for (a = 0; a < rs->natt; a++)
		if (rs->att[a].id == id)
			return rs->cap - rs->natt + 1 + a;
	return (size_t)(id - rs->first);
}

/* Propose this run's trial k (index into rs) into c.  Deterministic: it
 * sees the history, this run's trials k - jobs and before as finished
 * and the others as running, whatever their real state. */
static int
run_propose(struct runstate *rs, struct engine *e, size_t k, struct cand *c)
{
	const struct opts *o = rs->o;
	size_t i, vis;

	engine_reset(e);
	engine_history(e, &rs->h);
	vis = k >= (size_t)o->jobs ? k - (size_t)o->jobs + 1 : 0;
	for (i = 0; i < k; i++) {
		engine_seen(e, rs->x[i], 1);
		if (i < vis && rs->prn[i].pruned)
			observe_pruned(e, rs->x[i], &rs->cv[i]);
		else if (i < vis && !isnan(rs->val[i]))
			observe(e, rs->x[i], rs->val[i], &rs->y[i * o->nobj],
			    rs->viol[i]);
		else if (i >= vis)
			tl_tpe_pending(e->tpe, rs->x[i]);
	}
	mo_flush(e);
	e->ntried = rs->h.n + k;
	e->qnext = e->ntried;
	e->fitted = 0;
	tl_rng_free(e->r);
	e->r = tl_rng_alloc((uint64_t)o->seed, (uint64_t)rs->first +
	    (uint64_t)k + 1);
	return propose(e, 0, c);
}

/* Propose this run's next trial and start it on tr.  The trial goes on
 * with the point its params read back as (tl_space_settle), which is
 * what a run resumed from the history gets from its record: so the two
 * propose the same trials after it.  Writing more digits instead would
 * not do: no number of them makes encoding invert decoding (u = (log v -
 * a) / (b - a) rounds), and 15 keep a person's 0.0015 from reading
 * 0.0015000000000000007.  Returns 0, 1 when no unseen point is left,
 * or -1 with err. */
static int
run_launch(struct runstate *rs, struct engine *e, struct tl_trial_run *tr,
    struct tl_buf *pb, struct tl_err *err)
{
	size_t k = rs->nrun;
	struct cand c;

	rs->x[k] = tl_xcalloc(rs->s->n ? rs->s->n : 1, sizeof(double));
	c.x = rs->x[k];
	if (run_propose(rs, e, k, &c) == -1)
		return 1;
	if ((rs->par[k] = tl_space_settle(rs->s, c.x, err)) == NULL)
		return -1;
	rs->src[k] = c.source;
	rs->score[k] = c.score;
	tl_buf_reset(pb);
	tl_json_append(pb, rs->par[k]);
	tl_buf_addc(pb, '\n');
	rs->nrun++;
	return tl_trial_start(tr, rs->first + (long)k, pb->data, pb->len,
	    err);
}

/* The total violation of constraints c[n] (feasible when all <= 0,
 * Optuna's convention): the sum of the positive ones. */
static double
violation(const double *c, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i] > 0)
			s += c[i];
	return s;
}

/* Values as given into losses, in place. */
static void
losses(const struct opts *o, double *y)
{
	size_t j;

	for (j = 0; j < o->nobj; j++)
		if (o->obj_max[j])
			y[j] = -y[j];
}

/* The trials the pruner of this run's trial k sees, into rs->others:
 * those its sampler sees (the history, this run's trials up to k - jobs)
 * that completed or were pruned.  Returns their number. */
static size_t
prune_view(struct runstate *rs, size_t k)
{
	size_t i, n = 0, vis;

	for (i = 0; i < rs->h.n; i++)
		if (rs->h.t[i].st == T_COMPLETE || rs->h.t[i].st == T_PRUNED)
			rs->others[n++] = rs->h.t[i].cv;
	vis = k >= (size_t)rs->o->jobs ? k - (size_t)rs->o->jobs + 1 : 0;
	for (i = 0; i < vis; i++)
		if (rs->cv[i].complete || rs->prn[i].pruned)
			rs->others[n++] = rs->cv[i];
	return n;
}

/* A line trial ev printed: an intermediate report {"step": k, "value":
 * v} is recorded and shown to the pruner, which may stop the trial;
 * other lines are the objective's business. */
static void
intermediate(struct runstate *rs, struct tl_trial_run *tr,
    const struct tl_trial_event *ev)
{
	const struct opts *o = rs->o;
	size_t k = run_index(rs, ev->id), off = 0;
	struct runprune *rp = &rs->prn[k];
	json_t *rec, *sv, *vv;
	double v;
	long step;

	rp->line++;
	while (off < ev->len && (ev->text[off] == ' ' ||
	    ev->text[off] == '\t'))
		off++;
	if (rp->pruned || off == ev->len || ev->text[off] != '{' ||
	    (rec = json_loadb(ev->text + off, ev->len - off, 0, NULL)) ==
	    NULL)
		return;
	if ((sv = json_object_get(rec, "step")) == NULL) {
		json_decref(rec);
		return;
	}
	vv = json_object_get(rec, "value");
	if (!json_is_integer(sv) || json_integer_value(sv) < 0) {
		if (!o->quiet)
			tl_warn("trial %ld: line %zu: field 'step': expected a "
			    "whole number >= 0; the line is ignored", ev->id,
			    rp->line);
	} else if (vv == NULL || !json_is_number(vv)) {
		if (!o->quiet)
			tl_warn("trial %ld: line %zu: field 'value': expected "
			    "a number, got %s; the line is ignored", ev->id,
			    rp->line, vv == NULL ? "nothing" :
			    tl_json_typename(vv));
	} else if (tl_prune_trial_add(&rs->cv[k], step = (long)
	    json_integer_value(sv), json_number_value(vv)) == -1) {
		if (!o->quiet)
			tl_warn("trial %ld: line %zu: step %ld reported again; "
			    "the first value is kept", ev->id, rp->line, step);
	} else if (tl_prune_check(&o->pp, rs->others, prune_view(rs, k),
	    &rs->cv[k], rp->why, sizeof(rp->why)) == 1) {
		rp->pruned = 1;
		rp->step = tl_prune_trial_last(&rs->cv[k], &v);
		tl_trial_kill(tr, ev->id);
	}
	json_decref(rec);
}

/* Trial ev ended: read its value, append its record. */
static int
finish(struct runstate *rs, const struct tl_trial_event *ev, int hfd,
    struct tl_err *err)
{
	const struct opts *o = rs->o;
	char why[256];
	size_t k = run_index(rs, ev->id), nc = 0, i;
	double v, c[TL_TRIAL_CONSTRAINTS];
	json_t *rec;
	int rc;

	rec = json_object();
	json_object_set_new(rec, "trial", json_integer(ev->id));
	set_params(rec, o, json_incref(rs->par[k]));
	if (rs->prn[k].pruned) {
		json_object_set_new(rec, "value", json_null());
		json_object_set_new(rec, "state", json_string("pruned"));
		json_object_set_new(rec, "step", json_integer(
		    rs->prn[k].step));
		json_object_set_new(rec, "reason", json_string(
		    rs->prn[k].why));
		rs->val[k] = NAN;
		rs->npruned++;
		if (o->verbose)
			tl_msg("trial %ld pruned: %s", ev->id, rs->prn[k].why);
	} else if (tl_trial_result(ev, o->timeout, o->obj_name, o->nobj,
	    o->nobj > 0 ? &rs->y[k * o->nobj] : &v, c, &nc, why,
	    sizeof(why)) == 0) {
		if (o->nobj > 0) {
			json_object_set_new(rec, "values", values_json(o,
			    &rs->y[k * o->nobj], 0));
			losses(o, &rs->y[k * o->nobj]);
			v = 0;	/* complete */
		} else
			json_object_set_new(rec, "value", json_real(v));
		json_object_set_new(rec, "state", json_string("complete"));
		if (nc > 0) {
			json_t *a = json_array();

			for (i = 0; i < nc; i++)
				json_array_append_new(a, json_real(c[i]));
			json_object_set_new(rec, "constraints", a);
		}
		rs->viol[k] = violation(c, nc);
		rs->ninfeasible += rs->viol[k] > 0;
		rs->val[k] = v;
		rs->cv[k].complete = 1;
		rs->ncomplete++;
	} else {
		json_object_set_new(rec, "value", json_null());
		json_object_set_new(rec, "state", json_string("failed"));
		json_object_set_new(rec, "reason", json_string(why));
		rs->val[k] = NAN;
		rs->nfailed++;
		if (!o->quiet)
			tl_warn("trial %ld failed: %s", ev->id, why);
	}
	rs->nlost = ev->how == TL_TRIAL_DISPATCH ? rs->nlost + 1 : 0;
	if (ev->how == TL_TRIAL_DISPATCH)
		snprintf(rs->lost, sizeof(rs->lost), "%s", why);
	tl_prune_trial_to_json(rec, &rs->cv[k]);
	json_object_set_new(rec, "source", json_string(rs->src[k]));
	json_object_set_new(rec, "score", num(rs->score[k]));
	json_object_set_new(rec, "seconds", json_real(round(ev->seconds *
	    1000) / 1000));
	if (ev->where != NULL)	/* a batch engine's job or host */
		json_object_set_new(rec, "where", json_string(ev->where));
	if (ev->retried != NULL)	/* its tries that the scheduler ended */
		json_object_set_new(rec, "retried", json_string(ev->retried));
	rc = tl_trial_log_append(hfd, o->history, rec, err);
	json_decref(rec);
	if (k + rs->natt > rs->cap) {	/* taken up: seen as the history's */
		struct trial *t = &rs->h.t[rs->att[k + rs->natt - rs->cap -
		    1].h];

		t->st = isnan(rs->val[k]) ? T_FAILED : T_COMPLETE;
		t->value = rs->val[k];
		t->viol = rs->viol[k];
		if (o->nobj > 0 && !isnan(rs->val[k]))
			t->y = tl_xreallocarray(t->y, o->nobj, sizeof(double));
		if (o->nobj > 0 && !isnan(rs->val[k]))
			memcpy(t->y, &rs->y[k * o->nobj], o->nobj *
			    sizeof(double));
	}
	rs->done[k] = 1;
	rs->nfin++;
	tl_progress_set(rs->pr, (double)rs->nfin);
	return rc;
}

/* Best complete trial of the history and of this run: its record. */
static json_t *
best_record(struct runstate *rs)
{
	const struct opts *o = rs->o;
	double bv = HUGE_VAL, l;
	const double *bx = NULL;
	long bt = -1;
	size_t i;
	json_t *v;

	for (i = 0; i < rs->h.n; i++)
		if (rs->h.t[i].st == T_COMPLETE && !(rs->h.t[i].viol > 0) &&
		    (l = loss_of(o, rs->h.t[i].value)) < bv) {
			bv = l;
			bx = rs->h.t[i].x;
			bt = -1;
		}
	for (i = 0; i < rs->nrun; i++)
		if (rs->done[i] && !isnan(rs->val[i]) && !(rs->viol[i] > 0) &&
		    (l = loss_of(o, rs->val[i])) < bv) {
			bv = l;
			bx = rs->x[i];
			bt = rs->first + (long)i;
		}
	if (bx == NULL)
		return NULL;
	v = json_object();
	if (bt >= 0)
		json_object_set_new(v, "trial", json_integer(bt));
	put_params(v, o, rs->s, bx);
	json_object_set_new(v, "value", json_real(loss_of(o, bv)));
	return v;
}

/* Trials in a row that the engine could not run (a host ssh cannot
 * reach, a job the scheduler ended each try) after which a run stops
 * launching: a wrong --sshlogin or a cluster that is down would
 * otherwise spend the whole budget in seconds on failures. */
static size_t
lost_limit(const struct opts *o)
{
	return o->jobs > 3 ? (size_t)o->jobs : 3;
}

/* Run the trials: launch while a slot is free and the next trial's view
 * is fixed (every trial up to k - jobs has finished), collect what
 * ends; stop launching after lost_limit() trials in a row that could
 * not be run.  Returns 0, or -1 with err; stops at a signal. */
static int
run_loop(struct runstate *rs, struct engine *e, struct tl_trial_run *tr,
    size_t want, int hfd, struct tl_err *err)
{
	size_t nj = (size_t)rs->o->jobs;
	struct tl_trial_event ev;
	struct tl_buf pb;
	int rc = 0, got;

	tl_buf_init(&pb);
	while (rc == 0 && !got_signal && (rs->nrun < want ||
	    tl_trial_running(tr) > 0)) {
		while (rc == 0 && tl_trial_running(tr) < nj &&
		    rs->nrun < want && rs->nlost < lost_limit(rs->o) &&
		    (rs->nrun < nj || rs->done[rs->nrun - nj]))
			if ((rc = run_launch(rs, e, tr, &pb, err)) == 1) {
				tl_warn("every point of the space was tried");
				want = rs->nrun;
				rc = 0;
				break;
			}
		if (rc != 0 || tl_trial_running(tr) == 0)
			break;
		if ((got = tl_trial_poll(tr, &ev, err)) == -1)
			rc = -1;
		else if (got == 1 && ev.kind == TL_TRIAL_END)
			rc = finish(rs, &ev, hfd, err);
		else if (got == 1)
			intermediate(rs, tr, &ev);
	}
	tl_buf_release(&pb);
	return rc;
}

/* run: the trials, then the best on -o. */
int
cmd_run(const struct opts *o, const struct tl_space *s, struct tl_err *err)
{
	struct runstate rs;
	struct engine e;
	struct sigaction sa;
	struct tl_trial_run *tr;
	size_t want, i;
	json_t *best;
	int hfd = -1, rc = 0;

	memset(&rs, 0, sizeof(rs));
	rs.o = o;
	rs.s = s;
	if ((tr = tl_trial_alloc(o->dispatch, o->objective, (size_t)o->jobs,
	    o->timeout, &o->tc, err)) == NULL)
		return -1;
	if (hist_read(o, s, &rs.h, 1, err) == -1) {
		hist_release(&rs.h);
		tl_trial_free(tr);
		return -1;
	}
	hist_summary(o, &rs.h);
	if (strcmp(o->dispatch, "slurm") == 0 && attach_scan(&rs, err) ==
	    -1) {
		attach_release(&rs);
		hist_release(&rs.h);
		tl_trial_free(tr);
		return -1;
	}
	rs.first = rs.h.next_trial;
	i = rs.h.complete + rs.h.failed + rs.h.pruned + rs.natt;
	want = (size_t)o->count > i ? (size_t)o->count - i : 0;
	if ((hfd = tl_trial_log_open(o->history, err)) == -1) {
		attach_release(&rs);
		hist_release(&rs.h);
		tl_trial_free(tr);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* a child that exits without reading its stdin must not kill us */
	signal(SIGPIPE, SIG_IGN);

	engine_init(&e, o, s);
	rs.pr = tl_progress_start("run", "trials", (double)want,
	    tl_progress_wanted(o->progress, o->quiet));
	rs.cap = want + rs.natt;	/* this run's, one spare, taken up */
	rs.x = tl_xcalloc(rs.cap + 1, sizeof(double *));
	rs.par = tl_xcalloc(rs.cap + 1, sizeof(json_t *));
	rs.src = tl_xcalloc(rs.cap + 1, sizeof(char *));
	rs.score = tl_xcalloc(rs.cap + 1, sizeof(double));
	rs.val = tl_xcalloc(rs.cap + 1, sizeof(double));
	rs.done = tl_xcalloc(rs.cap + 1, sizeof(int));
	rs.viol = tl_xcalloc(rs.cap + 1, sizeof(double));
	rs.y = tl_xcalloc((rs.cap + 1) * (o->nobj ? o->nobj : 1),
	    sizeof(double));
	rs.cv = tl_xcalloc(rs.cap + 1, sizeof(*rs.cv));
	rs.prn = tl_xcalloc(rs.cap + 1, sizeof(*rs.prn));
	rs.others = tl_xcalloc(rs.h.n + rs.cap + 1, sizeof(*rs.others));
	for (i = 0; i <= want; i++)
		tl_prune_trial_init(&rs.cv[i], rs.first + (long)i);
	rc = attach_start(&rs, tr, err);
	if (rc == 0)
		rc = run_loop(&rs, &e, tr, want, hfd, err);
	/* stop what runs: the history has every finished trial */
	tl_trial_stop(tr);
	tl_progress_end(rs.pr);
	if (close(hfd) == -1 && rc == 0)
		rc = tl_err_set(err, TL_EX_IOERR, o->history, 0, "close: %s",
		    strerror(errno));
	if (got_signal) {
		int sig = got_signal;

		if (!o->quiet)
			tl_msg("run: stopped by signal %d after %zu trial%s; "
			    "the same command resumes", sig, rs.nfin,
			    rs.nfin == 1 ? "" : "s");
		signal(sig, SIG_DFL);
		raise(sig);
	}
	if (rc == 0 && !o->quiet && rs.ninfeasible > 0)
		tl_msg("run: %zu trial%s (%zu complete, %zu of them "
		    "infeasible, %zu failed)", rs.nfin, rs.nfin == 1 ? "" : "s",
		    rs.ncomplete, rs.ninfeasible, rs.nfailed);
	else if (rc == 0 && !o->quiet && o->pp.kind == TL_PRUNE_NONE)
		tl_msg("run: %zu trial%s (%zu complete, %zu failed)", rs.nfin,
		    rs.nfin == 1 ? "" : "s", rs.ncomplete, rs.nfailed);
	else if (rc == 0 && !o->quiet)
		tl_msg("run: %zu trial%s (%zu complete, %zu failed, %zu "
		    "pruned)", rs.nfin, rs.nfin == 1 ? "" : "s", rs.ncomplete,
		    rs.nfailed, rs.npruned);
	if (rc == 0 && rs.nlost >= lost_limit(o))
		rc = tl_err_set(err, TL_EX_TEMPFAIL, NULL, 0, "run: stopped: "
		    "the last %zu trials could not be run by --dispatch %s "
		    "(%s); when it works again, the same command resumes",
		    rs.nlost, o->dispatch, rs.lost);
	best = rc == 0 ? (o->nobj > 0 ? run_front(&rs) : best_record(&rs)) :
	    NULL;
	if (rc == 0 && best == NULL)
		rc = tl_err_set(err, TL_EX_DATAERR, o->history, 0, "no trial "
		    "completed%s: see the reasons in the history",
		    rs.ninfeasible > 0 ? " feasible" : "");
	if (rc == 0)
		rc = write_lines(o, best, err);
	json_decref(best);
	tl_trial_free(tr);
	for (i = 0; i <= rs.cap; i++) {
		free(rs.x[i]);
		json_decref(rs.par[i]);
		tl_prune_trial_release(&rs.cv[i]);
	}
	free(rs.cv);
	free(rs.y);
	free(rs.viol);
	free(rs.prn);
	free(rs.others);
	free(rs.x);
	free(rs.par);
	free(rs.src);
	free(rs.score);
	free(rs.val);
	free(rs.done);
	attach_release(&rs);
	engine_release(&e);
	hist_release(&rs.h);
	return rc;
}
