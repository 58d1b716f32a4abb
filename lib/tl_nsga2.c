/*
 * NSGA-II as a sampler (tl_nsga2.h says what and why): the trials kept
 * in trial order, the parent population rebuilt from them generation by
 * generation when a full one has been added, a child drawn from it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tl_nsga2.h"
#include "tl_pareto.h"
#include "tl_rng.h"
#include "tl_util.h"

struct tl_nsga2 {
	const struct tl_space	*s;	/* borrowed */
	size_t			 m;	/* objectives */
	struct tl_nsga2_params	 p;	/* knobs */
	double			*x, *y, *viol;	/* trials: points, losses,
						 * violations */
	size_t			 n, cap;	/* trials held, allocated */
	size_t			 gens;	/* generations the parents are of */
	size_t			*par;	/* parents: indices of trials */
	size_t			*prank;	/* their fronts */
	double			*pcrowd;	/* their crowding distances */
	size_t			 npar;	/* their number */
	/* scratch of one selection: the union R of a generation and the
	 * parents, 2 * population at most */
	size_t			*ridx, *rrank, *sel;
	double			*ry, *rviol, *rcrowd;
	double			*q, *fresh;	/* a fresh draw: unit, point */
};

struct tl_nsga2 *
tl_nsga2_alloc(const struct tl_space *s, size_t m,
    const struct tl_nsga2_params *p)
{
	struct tl_nsga2 *g = tl_xcalloc(1, sizeof(*g));
	size_t r = 2 * p->population, d = s->n ? s->n : 1;

	g->s = s;
	g->m = m;
	g->p = *p;
	g->par = tl_xcalloc(p->population, sizeof(size_t));
	g->prank = tl_xcalloc(p->population, sizeof(size_t));
	g->pcrowd = tl_xcalloc(p->population, sizeof(double));
	g->ridx = tl_xcalloc(r, sizeof(size_t));
	g->rrank = tl_xcalloc(r, sizeof(size_t));
	g->sel = tl_xcalloc(p->population, sizeof(size_t));
	g->ry = tl_xcalloc(r * m, sizeof(double));
	g->rviol = tl_xcalloc(r, sizeof(double));
	g->rcrowd = tl_xcalloc(r, sizeof(double));
	g->q = tl_xcalloc(d, sizeof(double));
	g->fresh = tl_xcalloc(d, sizeof(double));
	return g;
}

void
tl_nsga2_free(struct tl_nsga2 *g)
{
	if (g == NULL)
		return;
	free(g->x);
	free(g->y);
	free(g->viol);
	free(g->par);
	free(g->prank);
	free(g->pcrowd);
	free(g->ridx);
	free(g->rrank);
	free(g->sel);
	free(g->ry);
	free(g->rviol);
	free(g->rcrowd);
	free(g->q);
	free(g->fresh);
	free(g);
}

void
tl_nsga2_reset(struct tl_nsga2 *g)
{
	g->n = 0;
	g->gens = 0;
	g->npar = 0;
}

void
tl_nsga2_observe(struct tl_nsga2 *g, const double *x, const double *y,
    double viol)
{
	size_t d = g->s->n;

	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 128;
		g->x = tl_xreallocarray(g->x, g->cap * (d ? d : 1),
		    sizeof(double));
		g->y = tl_xreallocarray(g->y, g->cap * g->m, sizeof(double));
		g->viol = tl_xreallocarray(g->viol, g->cap, sizeof(double));
	}
	memcpy(&g->x[g->n * d], x, d * sizeof(double));
	memcpy(&g->y[g->n * g->m], y, g->m * sizeof(double));
	g->viol[g->n++] = viol;
}

size_t
tl_nsga2_generations(const struct tl_nsga2 *g)
{
	return g->n / g->p.population;
}

/* infeasible points by violation, then index */
struct byviol {
	double	 v;	/* total violation */
	size_t	 i;	/* index */
};

static int
cmp_byviol(const void *a, const void *b)
{
	const struct byviol *x = a, *y = b;

	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

size_t
tl_nsga2_rank(const double *y, const double *viol, size_t n, size_t m,
    size_t *rank)
{
	double *fy;
	size_t *fi, *fr, nf = 0, ni = 0, i, fronts;
	struct byviol *bv;

	fy = tl_xcalloc(n * m + 1, sizeof(double));
	fi = tl_xcalloc(n + 1, sizeof(size_t));
	fr = tl_xcalloc(n + 1, sizeof(size_t));
	bv = tl_xcalloc(n + 1, sizeof(*bv));
	for (i = 0; i < n; i++)
		if (viol[i] > 0)
			bv[ni++] = (struct byviol){ viol[i], i };
		else {
			memcpy(&fy[nf * m], &y[i * m], m * sizeof(double));
			fi[nf++] = i;
		}
	fronts = tl_pareto_rank(fy, nf, m, fr);
	for (i = 0; i < nf; i++)
		rank[fi[i]] = fr[i];
	/* constrained domination: the lower violation dominates, an equal
	 * one neither */
	qsort(bv, ni, sizeof(*bv), cmp_byviol);
	for (i = 0; i < ni; i++) {
		if (i == 0 || bv[i].v != bv[i - 1].v)
			fronts++;
		rank[bv[i].i] = fronts - 1;
	}
	free(bv);
	free(fr);
	free(fi);
	free(fy);
	return fronts;
}

/* points of the cut front by crowding distance, larger first */
struct bycrowd {
	double	 d;	/* crowding distance */
	size_t	 i;	/* index */
};

static int
cmp_bycrowd(const void *a, const void *b)
{
	const struct bycrowd *x = a, *y = b;

	if (x->d != y->d)
		return x->d > y->d ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

void
tl_nsga2_select(const double *y, const double *viol, size_t n, size_t m,
    size_t k, size_t *sel, size_t *rank, double *crowd)
{
	size_t *idx, fronts, f, i, nf, got = 0;
	double *dist;
	struct bycrowd *bc;

	idx = tl_xcalloc(n + 1, sizeof(size_t));
	dist = tl_xcalloc(n + 1, sizeof(double));
	bc = tl_xcalloc(n + 1, sizeof(*bc));
	fronts = tl_nsga2_rank(y, viol, n, m, rank);
	for (f = 0; f < fronts; f++) {
		for (i = nf = 0; i < n; i++)
			if (rank[i] == f)
				idx[nf++] = i;
		/* Deb et al. 2002, fig. 6: the distance within the front */
		tl_pareto_crowding(y, m, idx, nf, dist);
		for (i = 0; i < nf; i++)
			crowd[idx[i]] = dist[i];
		if (got + nf <= k) {
			memcpy(&sel[got], idx, nf * sizeof(size_t));
			got += nf;
			continue;
		}
		if (got < k) {
			for (i = 0; i < nf; i++)
				bc[i] = (struct bycrowd){ dist[i], idx[i] };
			qsort(bc, nf, sizeof(*bc), cmp_bycrowd);
			for (i = 0; got < k; i++)
				sel[got++] = bc[i].i;
		}
	}
	free(bc);
	free(dist);
	free(idx);
}

size_t
tl_nsga2_tournament(const size_t *rank, const double *crowd, size_t a,
    size_t b)
{
	if (rank[b] < rank[a] || (rank[b] == rank[a] && crowd[b] > crowd[a]))
		return b;
	return a;
}

/* Select the elite of R (the trials ridx[0..nr)) into the parents. */
static void
elite(struct tl_nsga2 *g, size_t nr)
{
	size_t i, k = g->p.population, m = g->m;

	for (i = 0; i < nr; i++) {
		memcpy(&g->ry[i * m], &g->y[g->ridx[i] * m],
		    m * sizeof(double));
		g->rviol[i] = g->viol[g->ridx[i]];
	}
	tl_nsga2_select(g->ry, g->rviol, nr, m, k, g->sel, g->rrank,
	    g->rcrowd);
	for (i = 0; i < k; i++) {
		g->par[i] = g->ridx[g->sel[i]];
		g->prank[i] = g->rrank[g->sel[i]];
		g->pcrowd[i] = g->rcrowd[g->sel[i]];
	}
	g->npar = k;
}

/* The parents of the next generation, from every full generation: P_0
 * the elite of generation 0, P_g the elite of generation g joined with
 * P_(g-1) (Deb et al. 2002, section III-C; the generation first, as
 * Optuna 3.1 joins them). */
static void
build(struct tl_nsga2 *g)
{
	size_t gens = tl_nsga2_generations(g), P = g->p.population, t, i;

	if (gens == g->gens)
		return;
	g->npar = 0;
	for (t = 0; t < gens; t++) {
		for (i = 0; i < P; i++)
			g->ridx[i] = t * P + i;
		memcpy(&g->ridx[P], g->par, g->npar * sizeof(size_t));
		elite(g, P + g->npar);
	}
	g->gens = gens;
}

/* A binary tournament of two parents drawn uniformly from the parents
 * but skip (skip = npar: none): the winner's position. */
static size_t
tournament(const struct tl_nsga2 *g, gsl_rng *r, size_t skip)
{
	size_t n = g->npar - (skip < g->npar), a, b;

	a = tl_rng_below(r, n);
	b = tl_rng_below(r, n);
	a += skip < g->npar && a >= skip;
	b += skip < g->npar && b >= skip;
	return tl_nsga2_tournament(g->prank, g->pcrowd, a, b);
}

int
tl_nsga2_child(struct tl_nsga2 *g, gsl_rng *r, double *x)
{
	size_t d = g->s->n, j, a, b;
	double mp;

	build(g);
	if (g->npar == 0)
		return -1;
	if (tl_rng_uniform(r) < g->p.crossover_prob) {
		/* two parents, the second other than the first; uniform
		 * crossover (Syswerda 1989): each parameter from the
		 * second with swap_prob */
		a = tournament(g, r, g->npar);
		b = tournament(g, r, a);
		for (j = 0; j < d; j++)
			x[j] = g->x[g->par[tl_rng_uniform(r) <
			    g->p.swap_prob ? b : a] * d + j];
	} else {
		a = tl_rng_below(r, g->npar);
		memcpy(x, &g->x[g->par[a] * d], d * sizeof(double));
	}
	/* mutation: a parameter drawn afresh from its distribution */
	mp = g->p.mutation_prob > 0 ? g->p.mutation_prob :
	    1.0 / (double)(d ? d : 1);
	for (j = 0; j < d; j++)
		g->q[j] = tl_rng_uniform(r);
	tl_space_from_unit(g->s, g->q, g->fresh);
	for (j = 0; j < d; j++)
		if (tl_rng_uniform(r) < mp)
			x[j] = g->fresh[j];
	return 0;
}
