/*
 * tl-bayesopt: the engine that proposes points.  It observes trials
 * (complete ones by value or, with several objectives, by MOTPE's
 * good group; pruned ones by how far they got; infeasible ones last;
 * running and proposed ones as liars) and proposes unseen points:
 * scrambled Sobol points for the start (--startup feasible trials), then
 * the best of --candidates TPE draws, or local moves around --around's
 * parents (tl_space_local_move); random when those run dry.  With --sampler
 * nsga2 the complete trials go to NSGA-II (lib/tl_nsga2) instead, whose
 * children follow the Sobol points of its first generation.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bayesopt.h"
#include "tl_map.h"
#include "tl_pareto.h"
#include "tl_rng.h"
#include "tl_space.h"
#include "tl_tpe.h"
#include "tl_util.h"

#define RANDOM_TRIES	10000	/* uniform draws before "exhausted" */
#define CHILD_TRIES	1000	/* NSGA-II children drawn before random */
#define STARTUP_INFEASIBLE 2	/* the start lasts at most this many times
				 * --startup trials when some are
				 * infeasible (tl-bayesopt(1), CAVEATS) */

void
engine_init(struct engine *e, const struct opts *o, const struct tl_space *s)
{
	struct tl_tpe_params tp = o->tp;

	memset(e, 0, sizeof(*e));
	e->o = o;
	e->s = s;
	if (o->nobj > 0)
		tp.clip_exp = TL_TPE_CLIP_EXP_MO;	/* a front, not a point */
	e->tpe = tl_tpe_alloc(s, &tp);
	if (o->nsga2) {
		struct tl_nsga2_params gp = TL_NSGA2_PARAMS_DEFAULT;

		if (o->population > 0)
			gp.population = (size_t)o->population;
		e->ga = tl_nsga2_alloc(s, o->nobj, &gp);
	}
	e->seen = tl_map_alloc();
	tl_buf_init(&e->key);
	e->X = tl_xcalloc(o->tp.n_ei * (s->n ? s->n : 1), sizeof(double));
	e->sc = tl_xcalloc(o->tp.n_ei, sizeof(double));
}

/* Free what e holds. */
void
engine_release(struct engine *e)
{
	tl_tpe_free(e->tpe);
	tl_nsga2_free(e->ga);
	tl_map_free(e->seen);
	tl_buf_release(&e->key);
	tl_rng_free(e->r);
	free(e->par);
	free(e->parline);
	free(e->X);
	free(e->sc);
	free(e->mox);
	free(e->moy);
	memset(e, 0, sizeof(*e));
}

/* Forget every trial, observed and seen. */
void
engine_reset(struct engine *e)
{
	tl_tpe_reset(e->tpe);
	if (e->ga != NULL)
		tl_nsga2_reset(e->ga);
	tl_map_free(e->seen);
	e->seen = tl_map_alloc();
	e->ninfeasible = 0;
}

/* Is x tried or proposed?  With add, remember it. */
int
engine_seen(struct engine *e, const double *x, int add)
{
	int added = 0;

	tl_buf_reset(&e->key);
	tl_space_key(e->s, x, &e->key);
	if (!add)
		return tl_map_get(e->seen, e->key.data, e->key.len) != NULL;
	tl_map_put(e->seen, e->key.data, e->key.len, &added);
	return !added;
}

/* x has been proposed: a liar for the rest of the batch. */
void
engine_take(struct engine *e, const double *x)
{
	engine_seen(e, x, 1);
	tl_tpe_pending(e->tpe, x);
	e->fitted = 0;
	e->ntried++;
}

/* Fit the TPE to what it observed, once per change; 0 if it cannot yet
 * be. */
int
engine_fit(struct engine *e)
{
	if (!e->fitted && tl_tpe_fit(e->tpe) == 0)
		e->fitted = 1;
	return e->fitted;
}

/* Is the batch still in its quasi-random start: fewer than --startup
 * trials, not counting infeasible ones (they say where the objective
 * may not be looked at, not how it varies, and a start without enough
 * feasible trials leaves TPE's good group on the first feasible basin it
 * meets), nor longer than STARTUP_INFEASIBLE times --startup trials in
 * all (a small feasible region is found by TPE's ranking by violation
 * sooner than by Sobol points)?  NSGA-II: until a first generation is
 * complete. */
int
engine_startup(const struct engine *e)
{
	size_t n = (size_t)e->o->startup;

	if (e->ga != NULL)
		return tl_nsga2_generations(e->ga) == 0;
	return tl_tpe_count(e->tpe) == 0 || (e->ntried - e->ninfeasible < n &&
	    e->ntried < STARTUP_INFEASIBLE * n);
}

static void
uniform_point(const struct engine *e, double *x)
{
	double *q;
	size_t j;

	q = tl_xcalloc(e->s->n, sizeof(double));
	for (j = 0; j < e->s->n; j++)
		q[j] = tl_rng_uniform(e->r);
	tl_space_from_unit(e->s, q, x);
	free(q);
}

/* The next Sobol point not seen yet, into x; -1 if none in a while. */
int
next_sobol(struct engine *e, double *x)
{
	double *q;
	size_t tries;
	int rc = -1;

	q = tl_xcalloc(e->s->n, sizeof(double));
	for (tries = 0; tries < RANDOM_TRIES; tries++) {
		if (tl_qmc_points(e->s->n, e->qnext++, 1,
		    (unsigned long)e->o->seed, q) == -1) {
			size_t j;

			for (j = 0; j < e->s->n; j++)
				q[j] = tl_rng_uniform(e->r);
		}
		tl_space_from_unit(e->s, q, x);
		if (!engine_seen(e, x, 0)) {
			rc = 0;
			break;
		}
	}
	free(q);
	return rc;
}

/* A uniform point not seen yet; -1 if the space looks exhausted. */
static int
random_unseen(struct engine *e, double *x)
{
	size_t i;

	for (i = 0; i < RANDOM_TRIES; i++) {
		uniform_point(e, x);
		if (!engine_seen(e, x, 0))
			return 0;
	}
	return -1;
}

/* Propose candidate i of the batch into c (x preallocated).  Returns 0,
 * or -1 when no unseen point can be found. */
int
propose(struct engine *e, size_t i, struct cand *c)
{
	const struct opts *o = e->o;
	size_t d = e->s->n, k, round, best;
	double bs;

	c->score = NAN;
	c->parent = 0;
	if (e->npar > 0) {
		const double *p = &e->par[(i % e->npar) * d];
		int tpe = engine_fit(e);

		c->source = "around";
		c->parent = e->parline[i % e->npar];
		best = (size_t)-1;
		bs = -HUGE_VAL;
		for (k = 0; k < o->tp.n_ei * DUP_ROUNDS; k++) {
			tl_space_local_move(e->s, e->r, p, o->radius,
			    &e->X[0]);
			if (engine_seen(e, &e->X[0], 0))
				continue;
			if (!tpe) {
				memcpy(c->x, &e->X[0], d * sizeof(double));
				best = 0;
				break;
			}
			if (tl_tpe_score(e->tpe, &e->X[0]) > bs) {
				bs = tl_tpe_score(e->tpe, &e->X[0]);
				memcpy(c->x, &e->X[0], d * sizeof(double));
				best = k;
			}
			if (k + 1 >= o->tp.n_ei && best != (size_t)-1)
				break;
		}
		if (best == (size_t)-1)
			goto random;
		if (tpe)
			c->score = bs;
		return 0;
	}
	if (engine_startup(e)) {
		c->source = "sobol";
		if (next_sobol(e, c->x) == 0)
			return 0;
		goto random;
	}
	if (e->ga != NULL) {
		/* a child that repeats a trial is drawn again */
		c->source = "nsga2";
		for (k = 0; k < CHILD_TRIES; k++)
			if (tl_nsga2_child(e->ga, e->r, c->x) == 0 &&
			    !engine_seen(e, c->x, 0))
				return 0;
		goto random;
	}
	engine_fit(e);
	c->source = "tpe";
	for (round = 0; round < DUP_ROUNDS; round++) {
		tl_tpe_suggest(e->tpe, e->r, o->tp.n_ei, e->X, e->sc);
		for (k = 0; k < o->tp.n_ei; k++)
			if (!engine_seen(e, &e->X[k * d], 0)) {
				memcpy(c->x, &e->X[k * d], d * sizeof(double));
				c->score = e->sc[k];
				return 0;
			}
	}
random:
	c->source = "random";
	c->score = NAN;
	return random_unseen(e, c->x);
}

/* A complete trial at x with losses y: observed at once with one
 * objective; with several, held for mo_flush, which needs them all. */
void
observe(struct engine *e, const double *x, double value, const double *y,
    double viol)
{
	size_t m = e->o->nobj;

	e->ninfeasible += viol > 0;
	if (e->ga != NULL) {
		tl_nsga2_observe(e->ga, x, y, viol);
		return;
	}
	if (viol > 0) {
		/* infeasible: after every feasible and pruned trial, by
		 * total violation (Optuna 3.x's constrained TPE) */
		tl_tpe_observe_tier(e->tpe, x, 2, viol);
		return;
	}
	if (m == 0) {
		tl_tpe_observe(e->tpe, x, loss_of(e->o, value));
		return;
	}
	if (e->mon == e->mocap) {
		e->mocap = e->mocap ? 2 * e->mocap : 64;
		e->mox = tl_xreallocarray(e->mox, e->mocap, sizeof(*e->mox));
		e->moy = tl_xreallocarray(e->moy, e->mocap * m,
		    sizeof(*e->moy));
	}
	e->mox[e->mon] = x;
	memcpy(&e->moy[e->mon * m], y, m * sizeof(double));
	e->mon++;
}

/* Several objectives: MOTPE's good group (Ozaki et al. 2020, section
 * 3.2: the best non-domination ranks, the last one cut by hypervolume
 * subset selection) is tier 0, the rest tier 1, in trial order; a good
 * trial weighs its hypervolume contribution within the group
 * (tl_pareto_weights, as Optuna 3.1's MOTPE).  On 200 tuning seeds
 * (101-300) of bench/bayesopt-genome.sh those weights raised the median
 * hypervolume from 1.804 (equal weights) to 1.841, mean 1.833 to 1.867
 * (Optuna 3.1's MOTPE 1.848, mean 1.863), and on 100 of
 * bench/bayesopt-mo.sh left it where it was (ZDT1 11.196 and 11.205,
 * ZDT2 10.742 and 10.747); 20 seeds (101-120) had said the opposite for
 * the genome (1.896 equal, 1.800), within their spread.  The proposal
 * then maximises l/g as for one objective: under this split that is the
 * expected hypervolume improvement of the good set (Ozaki et al. 2020,
 * MOTPE's acquisition), as p(good | x) = gamma l / (gamma l + (1 -
 * gamma) g) and only a good point improves it. */
void
mo_flush(struct engine *e)
{
	unsigned char *good;
	size_t i, k, m = e->o->nobj, ng = 0;
	double *gy, *w;

	if (m == 0 || e->mon == 0 || e->ga != NULL)
		return;
	good = tl_xcalloc(e->mon, 1);
	gy = tl_xcalloc(e->mon * m, sizeof(double));
	w = tl_xcalloc(e->mon, sizeof(double));
	/* gamma of every complete trial, infeasible ones too (Optuna 3.1's
	 * _split_observation_pairs): when fewer are feasible, the good
	 * group is all of them and the least violations */
	k = tl_tpe_n_below(&e->o->tp, e->mon + e->ninfeasible);
	if (k > e->mon)
		k = e->mon;
	tl_pareto_split(e->moy, e->mon, m, k, good);
	for (i = 0; i < e->mon; i++)
		if (good[i])
			memcpy(&gy[ng++ * m], &e->moy[i * m],
			    m * sizeof(double));
	tl_pareto_weights(gy, ng, m, w);
	for (i = ng = 0; i < e->mon; i++)
		tl_tpe_observe_weighted(e->tpe, e->mox[i], good[i] ? 0 : 1, 0,
		    good[i] ? w[ng++] : NAN);
	free(w);
	free(gy);
	free(good);
	e->mon = 0;
}

/* A pruned trial with curve cv informs the sampler as in Optuna 3.1's
 * TPE (_get_observation_pairs): after every complete trial, ranked by
 * its largest step, the deeper the better, then by its value there (NaN
 * worst). */
void
observe_pruned(struct engine *e, const double *x,
    const struct tl_prune_trial *cv)
{
	double v;
	long step = tl_prune_trial_last(cv, &v);

	tl_tpe_observe_tier(e->tpe, x, 1 + 1 / (2 + (double)step),
	    isnan(v) ? HUGE_VAL : loss_of(e->o, v));
}

/* Observe the usable trials of h: complete and pruned ones as data,
 * running ones as liars; every one as tried. */
void
engine_history(struct engine *e, const struct hist *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		engine_seen(e, h->t[i].x, 1);
		if (h->t[i].st == T_COMPLETE)
			observe(e, h->t[i].x, h->t[i].value, h->t[i].y,
			    h->t[i].viol);
		else if (h->t[i].st == T_PRUNED)
			observe_pruned(e, h->t[i].x, &h->t[i].cv);
		else if (h->t[i].st == T_RUNNING)
			tl_tpe_pending(e->tpe, h->t[i].x);
	}
	e->ntried = h->n;
	e->qnext = h->n;
	e->fitted = 0;
}
