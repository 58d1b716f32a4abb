/*
 * Non-dominated sorting, crowding distance, exact hypervolume (the
 * two-objective sweep, WFG above) and greedy hypervolume subset
 * selection.  See tl_pareto.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tl_pareto.h"
#include "tl_util.h"

int
tl_pareto_dominates(const double *a, const double *b, size_t m)
{
	size_t j;
	int better = 0;

	for (j = 0; j < m; j++) {
		if (a[j] > b[j])
			return 0;
		if (a[j] < b[j])
			better = 1;
	}
	return better;
}

size_t
tl_pareto_rank(const double *y, size_t n, size_t m, size_t *rank)
{
	size_t *count, *dom, *ndom, *front, *next, i, j, k, nf, nn, r;

	if (n == 0)
		return 0;
	/* Deb et al. 2002, fig. 4: for each point the number of points that
	 * dominate it and the list of those it dominates */
	count = tl_xcalloc(n, sizeof(*count));
	ndom = tl_xcalloc(n, sizeof(*ndom));
	dom = tl_xcalloc(n * n, sizeof(*dom));
	front = tl_xcalloc(n, sizeof(*front));
	next = tl_xcalloc(n, sizeof(*next));
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			if (i == j)
				continue;
			if (tl_pareto_dominates(&y[i * m], &y[j * m], m))
				dom[i * n + ndom[i]++] = j;
			else if (tl_pareto_dominates(&y[j * m], &y[i * m], m))
				count[i]++;
		}
	for (i = nf = 0; i < n; i++)
		if (count[i] == 0) {
			rank[i] = 0;
			front[nf++] = i;
		}
	for (r = 0; nf > 0; r++) {
		for (k = nn = 0; k < nf; k++) {
			i = front[k];
			for (j = 0; j < ndom[i]; j++)
				if (--count[dom[i * n + j]] == 0) {
					rank[dom[i * n + j]] = r + 1;
					next[nn++] = dom[i * n + j];
				}
		}
		memcpy(front, next, nn * sizeof(*front));
		nf = nn;
	}
	free(next);
	free(front);
	free(dom);
	free(ndom);
	free(count);
	return r;
}

/* Order of a front along one objective, for the crowding distance. */
struct along {
	double	 v;		/* the objective */
	size_t	 k;		/* position in the front */
};

static int
cmp_along(const void *a, const void *b)
{
	const struct along *x = a, *y = b;

	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;
}

void
tl_pareto_crowding(const double *y, size_t m, const size_t *idx, size_t k,
    double *dist)
{
	struct along *a;
	size_t i, j;
	double span;

	for (i = 0; i < k; i++)
		dist[i] = 0;
	if (k == 0)
		return;
	a = tl_xcalloc(k, sizeof(*a));
	for (j = 0; j < m; j++) {
		for (i = 0; i < k; i++) {
			a[i].v = y[idx[i] * m + j];
			a[i].k = i;
		}
		qsort(a, k, sizeof(*a), cmp_along);
		dist[a[0].k] = dist[a[k - 1].k] = HUGE_VAL;
		span = a[k - 1].v - a[0].v;
		if (!(span > 0))
			continue;
		for (i = 1; i + 1 < k; i++)
			dist[a[i].k] += (a[i + 1].v - a[i - 1].v) / span;
	}
	free(a);
}

/* ---- hypervolume --------------------------------------------------------- */

static int
cmp_first_two(const void *a, const void *b)
{
	const double *x = *(const double *const *)a;
	const double *y = *(const double *const *)b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	if (x[1] != y[1])
		return x[1] < y[1] ? -1 : 1;
	return 0;
}

/* The volume of the box between p and ref. */
static double
box(const double *p, size_t m, const double *ref)
{
	double v = 1;
	size_t j;

	for (j = 0; j < m; j++)
		v *= ref[j] - p[j];
	return v;
}

/* Two objectives: sorted by the first, each point adds the strip between
 * its second objective and the lowest one seen so far. */
static double
hv2(const double **p, size_t n, const double *ref)
{
	double area = 0, cur = ref[1];
	size_t i;

	qsort(p, n, sizeof(*p), cmp_first_two);
	for (i = 0; i < n; i++)
		if (p[i][1] < cur) {
			area += (ref[0] - p[i][0]) * (cur - p[i][1]);
			cur = p[i][1];
		}
	return area;
}

/* Keep the points of p[0..n) that no other point weakly dominates (of
 * equal points, the first): returns their number, moved to the front. */
static size_t
nondominated(const double **p, size_t n, size_t m)
{
	size_t i, j, k, out = 0;
	int keep;

	for (i = 0; i < n; i++) {
		keep = 1;
		for (j = 0; j < n && keep; j++) {
			if (j == i)
				continue;
			for (k = 0; k < m && p[j][k] <= p[i][k]; k++)
				;
			/* p[j] <= p[i] everywhere: i goes, unless they are
			 * equal and i is the first of them */
			if (k == m && (tl_pareto_dominates(p[j], p[i], m) ||
			    j < i))
				keep = 0;
		}
		if (keep)
			p[out++] = p[i];
	}
	return out;
}

/* WFG: the sum of each point's exclusive volume, its box less the volume
 * of the limit set (the points after it, each made no better than it),
 * which is computed the same way.  p is reordered. */
static double
wfg(const double **p, size_t n, size_t m, const double *ref)
{
	const double **lim;
	double *buf, vol = 0;
	size_t k, j, i, nl;

	if (n == 0)
		return 0;
	if (m == 2)
		return hv2(p, n, ref);
	if (n == 1)
		return box(p[0], m, ref);
	/* sorted on the first objective, the limit sets are small */
	qsort(p, n, sizeof(*p), cmp_first_two);
	lim = tl_xcalloc(n, sizeof(*lim));
	buf = tl_xcalloc(n * m, sizeof(double));
	for (k = 0; k < n; k++) {
		for (j = k + 1, nl = 0; j < n; j++, nl++) {
			for (i = 0; i < m; i++)
				buf[nl * m + i] = fmax(p[k][i], p[j][i]);
			lim[nl] = &buf[nl * m];
		}
		nl = nondominated(lim, nl, m);
		vol += box(p[k], m, ref) - wfg(lim, nl, m, ref);
	}
	free(buf);
	free(lim);
	return vol;
}

/* The hypervolume of the points of y whose flag is set (all when flag is
 * NULL), plus extra (m values, or NULL). */
static double
hv_of(const double *y, size_t n, size_t m, const double *ref,
    const unsigned char *flag, const double *extra)
{
	const double **p;
	size_t i, j, k = 0;
	double v;

	p = tl_xcalloc(n + 1, sizeof(*p));
	for (i = 0; i <= n; i++) {
		const double *q = i < n ? &y[i * m] : extra;

		if (q == NULL || (i < n && flag != NULL && !flag[i]))
			continue;
		for (j = 0; j < m && q[j] < ref[j]; j++)
			;
		if (j == m)	/* beats ref everywhere */
			p[k++] = q;
	}
	if (m == 1) {
		for (i = 0, v = ref[0]; i < k; i++)
			v = fmin(v, p[i][0]);
		free(p);
		return ref[0] - v;
	}
	k = nondominated(p, k, m);
	v = wfg(p, k, m, ref);
	free(p);
	return v;
}

double
tl_pareto_hv(const double *y, size_t n, size_t m, const double *ref)
{
	return m == 0 ? 0 : hv_of(y, n, m, ref, NULL, NULL);
}

void
tl_pareto_contrib(const double *y, size_t n, size_t m, const double *ref,
    double *c)
{
	unsigned char *flag;
	double all;
	size_t i;

	flag = tl_xcalloc(n ? n : 1, 1);
	memset(flag, 1, n);
	all = tl_pareto_hv(y, n, m, ref);
	for (i = 0; i < n; i++) {
		flag[i] = 0;
		c[i] = all - hv_of(y, n, m, ref, flag, NULL);
		flag[i] = 1;
	}
	free(flag);
}

void
tl_pareto_hssp(const double *y, size_t n, size_t m, const double *ref,
    size_t k, size_t *sel)
{
	unsigned char *chosen;
	double have = 0, gain, best, v;
	size_t s, i, bi;

	chosen = tl_xcalloc(n ? n : 1, 1);
	for (s = 0; s < k && s < n; s++) {
		best = -HUGE_VAL;
		bi = 0;
		for (i = 0; i < n; i++) {
			if (chosen[i])
				continue;
			v = hv_of(y, n, m, ref, chosen, &y[i * m]);
			gain = v - have;
			if (gain > best) {
				best = gain;
				bi = i;
			}
		}
		chosen[bi] = 1;
		sel[s] = bi;
		have += best;
	}
	free(chosen);
}

/* A reference point's coordinate of 0 becomes this (Optuna's EPS). */
#define REF_EPS	1e-12

void
tl_pareto_ref(const double *y, size_t n, size_t m, double *ref)
{
	size_t i, j;

	for (j = 0; j < m; j++) {
		ref[j] = -HUGE_VAL;
		for (i = 0; i < n; i++)
			ref[j] = fmax(ref[j], y[i * m + j]);
		ref[j] = ref[j] == 0 ? REF_EPS : fmax(1.1 * ref[j],
		    0.9 * ref[j]);
	}
}

void
tl_pareto_weights(const double *y, size_t n, size_t m, double *w)
{
	double *ref, top = 0;
	size_t i;

	if (n == 1)
		w[0] = 1;
	if (n < 2)
		return;
	ref = tl_xcalloc(m, sizeof(*ref));
	tl_pareto_ref(y, n, m, ref);
	tl_pareto_contrib(y, n, m, ref, w);
	for (i = 0; i < n; i++) {
		w[i] += REF_EPS;	/* none weighs 0 */
		top = fmax(top, w[i]);
	}
	for (i = 0; i < n; i++)
		w[i] /= top;
	free(ref);
}

void
tl_pareto_split(const double *y, size_t n, size_t m, size_t k,
    unsigned char *good)
{
	size_t *rank, *idx, *sel, nf, r, i, j, c, taken = 0;
	double *sub, *ref;

	memset(good, 0, n);
	if (n == 0 || k == 0)
		return;
	rank = tl_xcalloc(n, sizeof(*rank));
	idx = tl_xcalloc(n, sizeof(*idx));
	sel = tl_xcalloc(n, sizeof(*sel));
	sub = tl_xcalloc(n * m, sizeof(*sub));
	ref = tl_xcalloc(m, sizeof(*ref));
	nf = tl_pareto_rank(y, n, m, rank);
	for (r = 0; r < nf && taken < k; r++) {
		for (i = c = 0; i < n; i++)
			if (rank[i] == r)
				idx[c++] = i;
		if (taken + c <= k) {
			for (i = 0; i < c; i++)
				good[idx[i]] = 1;
			taken += c;
			continue;
		}
		for (i = 0; i < c; i++)
			for (j = 0; j < m; j++)
				sub[i * m + j] = y[idx[i] * m + j];
		tl_pareto_ref(sub, c, m, ref);
		tl_pareto_hssp(sub, c, m, ref, k - taken, sel);
		for (i = 0; i < k - taken; i++)
			good[idx[sel[i]]] = 1;
		taken = k;
	}
	free(ref);
	free(sub);
	free(sel);
	free(idx);
	free(rank);
}
