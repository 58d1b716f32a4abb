/*
 * The primal active-set method of tl_qp.h.  The working set holds every
 * weight that is not free (at a bound or at its kink), the sum row, and
 * the group caps that block a step.  Each iteration solves the
 * equality-constrained problem on the free weights,
 *
 *	[Q_FF A_F'] [d]   [-g_F]
 *	[A_F  0   ] [nu] = [ 0  ],
 *
 * through the Cholesky factor L of Q_FF and the m x m Schur complement
 * A_F Q_FF^-1 A_F' (m = 1 + active caps, small), then steps along d to
 * the nearest limit.  A full step ends at the minimiser on the working
 * set: if every multiplier has the right sign it is optimal (the problem
 * is convex), else the cap with the worst multiplier, or a block of the
 * weights with the worst ones (release()), is released; a step of 0
 * against several limits adds them all to the working set at once.
 * Invariants: at least one weight is free (the sum row then always has
 * a free member), and the rows of A_F are independent (a cap
 * whose free members are all that is free, with the sum row, is dropped:
 * it then holds by itself).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tl_cov.h"
#include "tl_qp.h"
#include "tl_util.h"

#define NONE		((size_t)-1)
#define SINGULAR_TOL	1e-12	/* pivot^2 / Q_kk below this: singular */
#define KKT_TOL		1e-12	/* multiplier sign tolerance, relative */
#define REFRESH_EVERY	64	/* recompute g = Qw - c from scratch */
#define DIR_NOISE	1e-13	/* |d_j| below this times max |d|: zero */
#define FWD_BLOCK	64	/* columns of L per block of chol_add_block
				 * (as tl_cov's blocked Cholesky) */

/* A weight and its sort key (cold start, releases). */
struct key {
	double	k;
	size_t	i;
};

struct tl_qp {
	size_t	 cap;		/* capacity in weights */
	size_t	 n;		/* weights of the last problem */
	int	 valid;		/* last solve succeeded (warm start ok) */
	double	*w;		/* iterate */
	double	*g;		/* Qw - c, L1 term not included */
	double	*d;		/* direction, by free position */
	double	*r;		/* right-hand sides, by free position */
	double	*u;		/* Q_FF^-1 r */
	double	*vs;		/* Q_FF^-1 a_k, (1 + ngroups) x cap */
	size_t	 vcap;		/* rows allocated in vs */
	double	*L;		/* Cholesky factor of Q_FF, stride cap */
	double	*x;		/* scratch: the rank-one update, moves */
	double	*zs;		/* scratch: the zero vector of solve2 */
	double	*pa, *pb;	/* scratch: packed panels, chol_add_block */
	int	*ist;		/* scratch: states */
	size_t	*zb;		/* scratch: weights a step of 0 blocks */
	size_t	*rel;		/* the weights of the last release */
	size_t	 nrel;		/* how many */
	size_t	 blk;		/* weights to release at the next check */
	struct key *cand;	/* scratch: the weights that may be released */
	signed char *cside;	/* the side each would take */
	size_t	*mi;		/* scratch: the weights that move */
	int	*st;		/* enum tl_qp_state per weight */
	int	*side;		/* free: +1 above the kink, -1 below */
	size_t	*f;		/* free weights in factor order */
	size_t	*pos;		/* position in f, or NONE */
	size_t	 nf;		/* free weights */
	unsigned char *gw;	/* cap in the working set */
	double	*gsum;		/* current sum per group */
	double	*gd;		/* d summed per group */
	double	*ga;		/* |d| summed per group */
	size_t	*gn;		/* free weights per group, outside the
				 * working caps */
	double	*nu;		/* multipliers: sum row, then working caps */
	size_t	*rows;		/* group of working row k >= 1 */
	size_t	 gcap;		/* groups allocated */
};

struct tl_qp *
tl_qp_alloc(size_t n)
{
	struct tl_qp *qp = tl_xcalloc(1, sizeof(*qp));

	if (n == 0)
		n = 1;
	qp->cap = n;
	qp->w = tl_xcalloc(n, sizeof(double));
	qp->g = tl_xcalloc(n, sizeof(double));
	qp->d = tl_xcalloc(n, sizeof(double));
	qp->r = tl_xcalloc(n, sizeof(double));
	qp->u = tl_xcalloc(n, sizeof(double));
	qp->x = tl_xcalloc(n, sizeof(double));
	qp->zs = tl_xcalloc(n, sizeof(double));
	qp->ist = tl_xcalloc(n, sizeof(int));
	qp->pa = tl_xcalloc((n + TL_COV_TILE) * FWD_BLOCK, sizeof(double));
	qp->pb = tl_xcalloc((n + TL_COV_TILE) * FWD_BLOCK, sizeof(double));
	qp->zb = tl_xcalloc(n, sizeof(size_t));
	qp->rel = tl_xcalloc(n, sizeof(size_t));
	qp->cand = tl_xcalloc(n, sizeof(*qp->cand));
	qp->cside = tl_xcalloc(n, 1);
	qp->mi = tl_xcalloc(n, sizeof(size_t));
	qp->L = tl_xcalloc(n * n, sizeof(double));
	qp->st = tl_xcalloc(n, sizeof(int));
	qp->side = tl_xcalloc(n, sizeof(int));
	qp->f = tl_xcalloc(n, sizeof(size_t));
	qp->pos = tl_xcalloc(n, sizeof(size_t));
	return qp;
}

void
tl_qp_free(struct tl_qp *qp)
{
	if (qp == NULL)
		return;
	free(qp->w);
	free(qp->g);
	free(qp->d);
	free(qp->r);
	free(qp->u);
	free(qp->x);
	free(qp->zs);
	free(qp->ist);
	free(qp->pa);
	free(qp->pb);
	free(qp->zb);
	free(qp->rel);
	free(qp->cand);
	free(qp->cside);
	free(qp->mi);
	free(qp->vs);
	free(qp->L);
	free(qp->st);
	free(qp->side);
	free(qp->f);
	free(qp->pos);
	free(qp->gw);
	free(qp->gsum);
	free(qp->gd);
	free(qp->ga);
	free(qp->gn);
	free(qp->nu);
	free(qp->rows);
	free(qp);
}

enum tl_qp_state
tl_qp_state(const struct tl_qp *qp, size_t i)
{
	return (enum tl_qp_state)qp->st[i];
}

/* The kink of weight i: p_i, or -inf when there is no L1 term. */
static double
kink(const struct tl_qp_problem *pr, size_t i)
{
	return pr->prev != NULL && pr->mu > 0 ? pr->prev[i] : -INFINITY;
}

static size_t
group_of(const struct tl_qp_problem *pr, size_t i)
{
	return pr->group != NULL ? pr->group[i] : TL_QP_NOGROUP;
}

double
tl_qp_objective(const struct tl_qp_problem *pr, const double *w)
{
	double obj = 0, qw;
	size_t i, j, n = pr->n;

	for (i = 0; i < n; i++) {
		qw = 0;
		for (j = 0; j < n; j++)
			qw += pr->q[i * n + j] * w[j];
		obj += w[i] * (0.5 * qw - pr->c[i]);
		if (pr->prev != NULL)
			obj += pr->mu * fabs(w[i] - pr->prev[i]);
	}
	return obj;
}

double
tl_qp_violation(const struct tl_qp_problem *pr, const double *w)
{
	double v = 0, s = 0, *gs;
	size_t i, g;

	gs = tl_xcalloc(pr->ngroups + 1, sizeof(double));
	for (i = 0; i < pr->n; i++) {
		s += w[i];
		v = fmax(v, fmax(pr->lo[i] - w[i], w[i] - pr->hi[i]));
		if ((g = group_of(pr, i)) != TL_QP_NOGROUP)
			gs[g] += w[i];
	}
	v = fmax(v, fabs(s - pr->sum));
	for (g = 0; g < pr->ngroups; g++)
		v = fmax(v, gs[g] - pr->cap[g]);
	free(gs);
	return v;
}

/* ---- the Cholesky factor of Q_FF -------------------------------------- */

/* Solve L y = b and L z = c in place (forward), y and z together so
 * that L, which at a few thousand weights does not fit in cache, is read
 * once for both.  Four rows at a time: each row's sum still runs over j
 * in order from y[i] (the same bits as a row at a time, and as one
 * vector alone), but the chains overlap and y[j], z[j] are loaded once
 * for them. */
static void
fwd(const struct tl_qp *qp, double *y, double *z)
{
	size_t i, j, m = qp->nf, s = qp->cap;
	const double *r0, *r1, *r2, *r3;
	double t0, t1, t2, t3, u0, u1, u2, u3, v, w;

	for (i = 0; i + 4 <= m; i += 4) {
		r0 = qp->L + i * s;
		r1 = r0 + s;
		r2 = r1 + s;
		r3 = r2 + s;
		t0 = y[i], t1 = y[i + 1], t2 = y[i + 2], t3 = y[i + 3];
		u0 = z[i], u1 = z[i + 1], u2 = z[i + 2], u3 = z[i + 3];
		for (j = 0; j < i; j++) {
			v = y[j];
			w = z[j];
			t0 -= r0[j] * v;
			t1 -= r1[j] * v;
			t2 -= r2[j] * v;
			t3 -= r3[j] * v;
			u0 -= r0[j] * w;
			u1 -= r1[j] * w;
			u2 -= r2[j] * w;
			u3 -= r3[j] * w;
		}
		y[i] = t0 / r0[i];
		z[i] = u0 / r0[i];
		t1 -= r1[i] * y[i];
		u1 -= r1[i] * z[i];
		y[i + 1] = t1 / r1[i + 1];
		z[i + 1] = u1 / r1[i + 1];
		t2 -= r2[i] * y[i];
		u2 -= r2[i] * z[i];
		t2 -= r2[i + 1] * y[i + 1];
		u2 -= r2[i + 1] * z[i + 1];
		y[i + 2] = t2 / r2[i + 2];
		z[i + 2] = u2 / r2[i + 2];
		t3 -= r3[i] * y[i];
		u3 -= r3[i] * z[i];
		t3 -= r3[i + 1] * y[i + 1];
		u3 -= r3[i + 1] * z[i + 1];
		t3 -= r3[i + 2] * y[i + 2];
		u3 -= r3[i + 2] * z[i + 2];
		y[i + 3] = t3 / r3[i + 3];
		z[i + 3] = u3 / r3[i + 3];
	}
	for (; i < m; i++) {
		r0 = qp->L + i * s;
		t0 = y[i];
		u0 = z[i];
		for (j = 0; j < i; j++) {
			t0 -= r0[j] * y[j];
			u0 -= r0[j] * z[j];
		}
		y[i] = t0 / r0[i];
		z[i] = u0 / r0[i];
	}
}

/* Solve L' x = y and L' z' = z in place (backward, by rows of L), four
 * rows at a time as fwd(): each y[j] takes its updates in the same
 * order, from the last row down. */
static void
bwd(const struct tl_qp *qp, double *y, double *z)
{
	size_t i, j, hi = qp->nf, s = qp->cap;
	const double *r0, *r1, *r2, *r3;
	double t0, t1, t2, t3, u0, u1, u2, u3, v, w;

	for (; hi >= 4; hi -= 4) {
		i = hi - 4;
		r0 = qp->L + i * s;
		r1 = r0 + s;
		r2 = r1 + s;
		r3 = r2 + s;
		t3 = y[i + 3] /= r3[i + 3];
		u3 = z[i + 3] /= r3[i + 3];
		y[i + 2] -= r3[i + 2] * t3;
		z[i + 2] -= r3[i + 2] * u3;
		t2 = y[i + 2] /= r2[i + 2];
		u2 = z[i + 2] /= r2[i + 2];
		y[i + 1] -= r3[i + 1] * t3;
		z[i + 1] -= r3[i + 1] * u3;
		y[i + 1] -= r2[i + 1] * t2;
		z[i + 1] -= r2[i + 1] * u2;
		t1 = y[i + 1] /= r1[i + 1];
		u1 = z[i + 1] /= r1[i + 1];
		y[i] -= r3[i] * t3;
		z[i] -= r3[i] * u3;
		y[i] -= r2[i] * t2;
		z[i] -= r2[i] * u2;
		y[i] -= r1[i] * t1;
		z[i] -= r1[i] * u1;
		t0 = y[i] /= r0[i];
		u0 = z[i] /= r0[i];
		for (j = 0; j < i; j++) {
			v = y[j];
			w = z[j];
			v -= r3[j] * t3;
			w -= r3[j] * u3;
			v -= r2[j] * t2;
			w -= r2[j] * u2;
			v -= r1[j] * t1;
			w -= r1[j] * u1;
			v -= r0[j] * t0;
			w -= r0[j] * u0;
			y[j] = v;
			z[j] = w;
		}
	}
	for (i = hi; i-- > 0;) {
		r0 = qp->L + i * s;
		t0 = y[i] /= r0[i];
		u0 = z[i] /= r0[i];
		for (j = 0; j < i; j++) {
			y[j] -= r0[j] * t0;
			z[j] -= r0[j] * u0;
		}
	}
}

/* Q_FF^-1 y and Q_FF^-1 z in place; z may be NULL (then a zero vector
 * rides along: L is read once either way). */
static void
solve2(struct tl_qp *qp, double *y, double *z)
{
	if (z == NULL) {
		z = qp->zs;
		memset(z, 0, qp->nf * sizeof(double));
	}
	fwd(qp, y, z);
	bwd(qp, y, z);
}

/* Append the b weights idx[] to the free set, in order.  Each new row
 * of L is the forward solve of its column of Q against the rows above
 * it, as when the weights are appended one at a time (the same bits),
 * but the solves against the old rows run by blocks of FWD_BLOCK
 * columns for all b rows together, so that L is read from memory once
 * for the block rather than once per weight.  Returns the number
 * appended: fewer than b when the next pivot says Q_FF turns singular
 * (the weights from there on are not appended). */
static void
add_block_terms(struct tl_qp *qp, size_t m, size_t b, size_t j0, size_t j1)
{
	size_t r, k, qa, qb, i, nr, nc, mb = m + b, s = qp->cap;
	size_t kc = j1 - j0, T = TL_COV_TILE;

	tl_cov_pack(qp->L + m * s, s, 1, 0, b, j0, kc, -1, qp->pa);
	for (r = 0; r < b && m + r < j1; r++)
		for (k = m + r > j0 ? m + r - j0 : 0; k < kc; k++)
			qp->pa[r / T * kc * T + k * T + r % T] = 0;
	tl_cov_pack(qp->L, s, 1, j1, mb, j0, kc, 1, qp->pb);
	for (qa = 0; qa * T < b; qa++) {
		r = qa * T;
		nr = b - r < T ? b - r : T;
		for (qb = 0; j1 + qb * T < mb; qb++) {
			i = j1 + qb * T;
			if (i >= m + r + nr - 1)	/* past every diagonal */
				break;
			nc = mb - i < T ? mb - i : T;
			tl_cov_tile_add(qp->L + (m + r) * s + i, s, nr, nc,
			    qp->pa + qa * kc * T, qp->pb + qb * kc * T, kc);
		}
	}
}

static size_t
chol_add_block(struct tl_qp *qp, const struct tl_qp_problem *pr,
    const size_t *idx, size_t b)
{
	size_t i, j, j0, j1, e, r, m = qp->nf, mb = qp->nf + b, s = qp->cap;
	size_t n = pr->n;
	double *row, dd, qkk, t;
	const double *li, *qk;

	for (r = 0; r < b; r++) {
		row = qp->L + (m + r) * s;
		qk = pr->q + idx[r] * n;	/* Q symmetric: row for column */
		for (j = 0; j < m; j++)
			row[j] = qk[qp->f[j]];
		for (j = 0; j < r; j++)
			row[m + j] = qk[idx[j]];
	}
	for (j0 = 0; j0 < mb; j0 = j1) {
		j1 = mb - j0 < FWD_BLOCK ? mb : j0 + FWD_BLOCK;
		/* the block's columns of each new row, then its pivot if
		 * it lies in the block (the sum over the whole row) */
		for (r = 0; r < b; r++) {
			row = qp->L + (m + r) * s;
			e = m + r < j1 ? m + r : j1;
			for (i = j0; i < e; i++) {
				li = qp->L + i * s;
				t = row[i];
				for (j = j0; j < i; j++)
					t -= li[j] * row[j];
				row[i] = t / li[i];
			}
			if (m + r < j0 || m + r >= j1)
				continue;
			qkk = pr->q[idx[r] * n + idx[r]];
			dd = qkk;
			for (j = 0; j < m + r; j++)
				dd -= row[j] * row[j];
			if (!(dd > SINGULAR_TOL * qkk))
				return r;
			row[m + r] = sqrt(dd);
			qp->f[m + r] = idx[r];
			qp->pos[idx[r]] = m + r;
			qp->nf++;
		}
		/* the block's terms in the later columns i of the new
		 * rows below row i, by tiles of new rows times rows of L
		 * (tl_cov's kernel on packed panels; the new rows negated,
		 * and zero past their diagonal, where the entries are not
		 * part of the factor and get nothing) */
		if (j1 < mb)
			add_block_terms(qp, m, b, j0, j1);
	}
	return b;
}

/* Remove the free weight at position p: delete row and column p of L
 * and restore the trailing block by a rank-one update with the column
 * that was removed (Givens rotations, Golub & Van Loan 2013, 6.5.4).
 * By rows: each row is moved up and left (the old memmove) and takes
 * the rotations made by the diagonals above it in order, the last one
 * made at its own diagonal; four rows at a time, so that their chains
 * (each rotation needs the last one's x) overlap, and every row is read
 * and written once, in order, rather than a column at a time; the
 * division by the rotation's c is a product with 1/c (ic), off the
 * chains' critical path. */
static void
chol_del(struct tl_qp *qp, size_t p)
{
	size_t a, b, i, j, k, k0, m = qp->nf, s = qp->cap;
	double *L = qp->L, *c = qp->x, *sn = qp->zs, *ic = qp->u;
	double *src[4], *dst[4];
	double x[4], e, rr, lkk;

	for (i = p + 1; i < m; i += b) {
		b = m - i < 4 ? m - i : 4;
		k0 = i - 1 - p;	/* rotations made above these rows */
		for (a = 0; a < b; a++) {
			src[a] = L + (i + a) * s;
			dst[a] = src[a] - s;
			x[a] = src[a][p];
			memmove(dst[a], src[a], p * sizeof(double));
		}
		for (k = 0; k < k0; k++)
			for (a = 0; a < b; a++) {
				e = (src[a][p + 1 + k] + sn[k] * x[a]) * ic[k];
				x[a] = c[k] * x[a] - sn[k] * e;
				dst[a][p + k] = e;
			}
		for (a = 0; a < b; a++) {
			for (k = k0; k < k0 + a; k++) {
				e = (src[a][p + 1 + k] + sn[k] * x[a]) * ic[k];
				x[a] = c[k] * x[a] - sn[k] * e;
				dst[a][p + k] = e;
			}
			lkk = src[a][i + a];
			rr = hypot(lkk, x[a]);
			c[k0 + a] = rr / lkk;
			ic[k0 + a] = lkk / rr;
			sn[k0 + a] = x[a] / lkk;
			dst[a][p + k0 + a] = rr;
		}
	}
	qp->pos[qp->f[p]] = NONE;
	for (j = p + 1; j < m; j++) {
		qp->f[j - 1] = qp->f[j];
		qp->pos[qp->f[j - 1]] = j - 1;
	}
	qp->nf--;
}

/* ---- iterations ------------------------------------------------------- */

/* g += sum_b t[b] Q[idx[b]] (Q symmetric: rows for columns), the rows
 * added in order; four rows at a time, so that g is read and written
 * once for four of them with each g[k] summed in the same order. */
static void
add_rows(const struct tl_qp_problem *pr, const size_t *idx, const double *t,
    size_t cnt, double *g)
{
	size_t b, k, n = pr->n;
	const double *r0, *r1, *r2, *r3;
	double t0, t1, t2, t3, v;

	for (b = 0; b + 4 <= cnt; b += 4) {
		r0 = pr->q + idx[b] * n;
		r1 = pr->q + idx[b + 1] * n;
		r2 = pr->q + idx[b + 2] * n;
		r3 = pr->q + idx[b + 3] * n;
		t0 = t[b];
		t1 = t[b + 1];
		t2 = t[b + 2];
		t3 = t[b + 3];
		for (k = 0; k < n; k++) {
			v = g[k];
			v += r0[k] * t0;
			v += r1[k] * t1;
			v += r2[k] * t2;
			v += r3[k] * t3;
			g[k] = v;
		}
	}
	for (; b < cnt; b++) {
		r0 = pr->q + idx[b] * n;
		for (k = 0; k < n; k++)
			g[k] += r0[k] * t[b];
	}
}

static void
gradient(struct tl_qp *qp, const struct tl_qp_problem *pr)
{
	size_t i, cnt = 0, n = pr->n;

	for (i = 0; i < n; i++) {
		qp->g[i] = -pr->c[i];
		if (qp->w[i] != 0) {
			qp->mi[cnt] = i;
			qp->x[cnt++] = qp->w[i];
		}
	}
	add_rows(pr, qp->mi, qp->x, cnt, qp->g);
}

static void
group_sums(struct tl_qp *qp, const struct tl_qp_problem *pr)
{
	size_t i, g;

	for (g = 0; g < pr->ngroups; g++)
		qp->gsum[g] = 0;
	for (i = 0; i < pr->n; i++)
		if ((g = group_of(pr, i)) != TL_QP_NOGROUP)
			qp->gsum[g] += qp->w[i];
}

/* Keep the rows independent: a working cap without a free member is a
 * zero row (dropped: its weights are all fixed, so it holds), and when
 * every free weight lies in a working cap, the sum row is the sum of
 * those caps' rows, and the last such cap is dropped (it holds as long
 * as the others and the sum do).  cnt: scratch, ngroups. */
static void
fix_dependency(struct tl_qp *qp, const struct tl_qp_problem *pr)
{
	size_t k, g, last = NONE;
	int all = 1;

	if (pr->ngroups == 0)
		return;
	for (g = 0; g < pr->ngroups; g++)
		qp->gd[g] = 0;
	for (k = 0; k < qp->nf; k++) {
		g = group_of(pr, qp->f[k]);
		if (g == TL_QP_NOGROUP || !qp->gw[g]) {
			all = 0;
			continue;
		}
		qp->gd[g] = 1;
		if (last == NONE || g > last)
			last = g;
	}
	for (g = 0; g < pr->ngroups; g++)
		if (qp->gw[g] && qp->gd[g] == 0)
			qp->gw[g] = 0;
	if (all && last != NONE)
		qp->gw[last] = 0;
}

/* Does working row k (0: the sum) contain free weight at position j? */
static int
in_row(const struct tl_qp *qp, const struct tl_qp_problem *pr, size_t k,
    size_t j)
{
	return k == 0 || group_of(pr, qp->f[j]) == qp->rows[k];
}

/* Direction d (by free position) and multipliers nu of the working
 * rows.  Returns the number of rows m. */
static size_t
direction(struct tl_qp *qp, const struct tl_qp_problem *pr, double mu)
{
	size_t m = 1, k, l, j, g, nf = qp->nf, piv;
	double s[64 * 64], *S = s, b[64], *bb = b, t, *v;

	for (g = 0; g < pr->ngroups; g++)
		if (qp->gw[g])
			qp->rows[m++] = g;
	if (m > 64) {
		S = tl_xcalloc(m * m, sizeof(double));
		bb = tl_xcalloc(m, sizeof(double));
	}
	for (j = 0; j < nf; j++)
		qp->u[j] = qp->g[qp->f[j]] + mu * qp->side[qp->f[j]];
	memcpy(qp->r, qp->u, nf * sizeof(double));
	for (k = 0; k < m; k++) {
		v = qp->vs + k * qp->cap;
		for (j = 0; j < nf; j++)
			v[j] = in_row(qp, pr, k, j) ? 1 : 0;
	}
	/* u with the sum row's, then the caps' two by two */
	solve2(qp, qp->u, qp->vs);
	for (k = 1; k < m; k += 2)
		solve2(qp, qp->vs + k * qp->cap, k + 1 < m ? qp->vs + (k + 1) *
		    qp->cap : NULL);
	for (k = 0; k < m; k++) {
		t = 0;
		for (j = 0; j < nf; j++)
			if (in_row(qp, pr, k, j))
				t -= qp->u[j];
		bb[k] = t;
		for (l = 0; l < m; l++) {
			v = qp->vs + l * qp->cap;
			t = 0;
			for (j = 0; j < nf; j++)
				if (in_row(qp, pr, k, j))
					t += v[j];
			S[k * m + l] = t;
		}
	}
	/* S nu = b by Gaussian elimination, partial pivoting (S is SPD,
	 * but pivoting costs nothing at this size) */
	for (k = 0; k < m; k++) {
		piv = k;
		for (l = k + 1; l < m; l++)
			if (fabs(S[l * m + k]) > fabs(S[piv * m + k]))
				piv = l;
		if (piv != k) {
			for (j = 0; j < m; j++) {
				t = S[k * m + j];
				S[k * m + j] = S[piv * m + j];
				S[piv * m + j] = t;
			}
			t = bb[k];
			bb[k] = bb[piv];
			bb[piv] = t;
		}
		for (l = k + 1; l < m; l++) {
			t = S[l * m + k] / S[k * m + k];
			for (j = k; j < m; j++)
				S[l * m + j] -= t * S[k * m + j];
			bb[l] -= t * bb[k];
		}
	}
	for (k = m; k-- > 0;) {
		t = bb[k];
		for (j = k + 1; j < m; j++)
			t -= S[k * m + j] * qp->nu[j];
		qp->nu[k] = t / S[k * m + k];
	}
	if (nf <= m) {	/* no freedom left: the point is the minimiser */
		memset(qp->d, 0, nf * sizeof(double));
	} else {
		double dmax = 0;

		for (j = 0; j < nf; j++) {
			t = qp->u[j];
			for (k = 0; k < m; k++)
				t += qp->nu[k] * qp->vs[k * qp->cap + j];
			qp->d[j] = -t;
			dmax = fmax(dmax, fabs(t));
		}
		/* rounding noise (a weight pinned by its rows) is no move:
		 * it would block a step at a bound for nothing */
		for (j = 0; j < nf; j++)
			if (fabs(qp->d[j]) <= DIR_NOISE * dmax)
				qp->d[j] = 0;
		/* the only free member of a working cap cannot move: its
		 * row says so exactly, whatever the rounding */
		for (k = 1; k < m; k++) {
			size_t cnt = 0, at = 0;

			for (j = 0; j < nf; j++)
				if (in_row(qp, pr, k, j)) {
					cnt++;
					at = j;
				}
			if (cnt == 1)
				qp->d[at] = 0;
		}
	}
	if (S != s) {
		free(S);
		free(bb);
	}
	return m;
}

/* Cold start: every weight at its lower bound, then the cheapest ones
 * (by 1/2 Q_ii - c_i, the objective of holding i alone) filled to
 * their upper bounds or caps until the sum is met. */

static int
key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int
cold_start(struct tl_qp *qp, const struct tl_qp_problem *pr,
    struct tl_err *err)
{
	size_t i, j, g, n = pr->n, last = NONE;
	double rest = pr->sum, room, tol;
	struct key *keys;

	tol = 1e-12 * fmax(1, fabs(pr->sum));
	for (i = 0; i < n; i++) {
		qp->w[i] = pr->lo[i];
		rest -= pr->lo[i];
		qp->st[i] = TL_QP_LOWER;
		qp->side[i] = 1;
		qp->pos[i] = NONE;
	}
	if (rest < -tol)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "the minimum "
		    "weights sum to %.6g, more than %.6g", pr->sum - rest,
		    pr->sum);
	group_sums(qp, pr);
	for (g = 0; g < pr->ngroups; g++) {
		qp->gw[g] = 0;
		if (qp->gsum[g] > pr->cap[g] + tol)
			return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "group "
			    "%zu: its minimum weights sum to %.6g, more than "
			    "its cap %.6g", g + 1, qp->gsum[g], pr->cap[g]);
	}
	keys = tl_xcalloc(n, sizeof(*keys));
	for (i = 0; i < n; i++) {
		keys[i].k = 0.5 * pr->q[i * n + i] - pr->c[i];
		keys[i].i = i;
	}
	qsort(keys, n, sizeof(*keys), key_cmp);
	qp->nf = 0;
	for (j = 0; j < n && rest > 0; j++) {
		i = keys[j].i;
		g = group_of(pr, i);
		room = fmin(pr->hi[i] - pr->lo[i], rest);
		if (g != TL_QP_NOGROUP)
			room = fmin(room, pr->cap[g] - qp->gsum[g]);
		if (room <= 0)
			continue;
		last = i;
		qp->w[i] += room;
		rest -= room;
		if (g != TL_QP_NOGROUP)
			qp->gsum[g] += room;
		if (room == pr->hi[i] - pr->lo[i])
			qp->w[i] = pr->hi[i], qp->st[i] = TL_QP_UPPER;
		else if (rest > 0) {	/* stopped by its cap */
			qp->st[i] = TL_QP_FREE;
			qp->gw[g] = 1;
		}
	}
	free(keys);
	if (rest > tol)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "the maximum "
		    "weights%s allow at most %.6g, less than %.6g",
		    pr->ngroups > 0 ? " and group caps" : "", pr->sum - rest,
		    pr->sum);
	if (last == NONE)
		last = 0;
	qp->st[last] = TL_QP_FREE;
	for (i = 0; i < n; i++) {
		double p = kink(pr, i);

		if (qp->st[i] == TL_QP_FREE)
			qp->side[i] = qp->w[i] >= p ? 1 : -1;	/* segment */
	}
	return 0;
}

/* Segment limits of free weight i on its side. */
static double
seg_lo(const struct tl_qp_problem *pr, const struct tl_qp *qp, size_t i)
{
	return qp->side[i] > 0 ? fmax(pr->lo[i], kink(pr, i)) : pr->lo[i];
}

static double
seg_hi(const struct tl_qp_problem *pr, const struct tl_qp *qp, size_t i)
{
	return qp->side[i] > 0 ? pr->hi[i] : fmin(pr->hi[i], kink(pr, i));
}

static void
reserve(struct tl_qp *qp, const struct tl_qp_problem *pr)
{
	if (qp->gcap < pr->ngroups || qp->gw == NULL) {
		free(qp->gw);
		free(qp->gsum);
		free(qp->gd);
		free(qp->ga);
		free(qp->gn);
		free(qp->nu);
		free(qp->rows);
		qp->gcap = pr->ngroups;
		qp->gw = tl_xcalloc(pr->ngroups + 1, 1);
		qp->gsum = tl_xcalloc(pr->ngroups + 1, sizeof(double));
		qp->gd = tl_xcalloc(pr->ngroups + 1, sizeof(double));
		qp->ga = tl_xcalloc(pr->ngroups + 1, sizeof(double));
		qp->gn = tl_xcalloc(pr->ngroups + 1, sizeof(size_t));
		qp->nu = tl_xcalloc(pr->ngroups + 1, sizeof(double));
		qp->rows = tl_xcalloc(pr->ngroups + 1, sizeof(size_t));
	}
	if (qp->vcap < pr->ngroups + 1) {
		free(qp->vs);
		qp->vcap = pr->ngroups + 1;
		qp->vs = tl_xcalloc(qp->vcap * qp->cap, sizeof(double));
	}
}

/* The state of free weight i at the limit of its segment that a move of
 * sign dir reaches. */
static int
limit_state(const struct tl_qp_problem *pr, const struct tl_qp *qp, size_t i,
    double dir)
{
	if (dir < 0)
		return seg_lo(pr, qp, i) == pr->lo[i] ? TL_QP_LOWER :
		    TL_QP_KINK;
	return seg_hi(pr, qp, i) == pr->hi[i] ? TL_QP_UPPER : TL_QP_KINK;
}

/* Fix free weight i at the limit of state st: out of the factor. */
static void
fix_at(struct tl_qp *qp, const struct tl_qp_problem *pr, size_t i, int st)
{
	double p, t;
	size_t g;

	p = st == TL_QP_LOWER ? pr->lo[i] : st == TL_QP_UPPER ? pr->hi[i] :
	    kink(pr, i);
	t = p - qp->w[i];
	qp->w[i] = p;
	if ((g = group_of(pr, i)) != TL_QP_NOGROUP)
		qp->gsum[g] += t;
	qp->st[i] = st;
	chol_del(qp, qp->pos[i]);
}

/* Fix the nz free weights zb[] that a step of 0 blocks (each at the
 * limit it stands on, d pointing out), the last in the factor first:
 * they are at their limits already, so that adding them all to the
 * working set at once is what nz steps of 0 could do, for one new
 * direction instead of nz.  A release of many weights (below) puts
 * back this way those that the next direction would push out at once;
 * they are the last rows of L, where a deletion is cheap. */
static void
fix_zero_blockers(struct tl_qp *qp, const struct tl_qp_problem *pr,
    size_t nz)
{
	size_t k, i;
	int *stz = qp->ist;	/* states, while the positions move */

	for (k = 0; k < nz; k++) {
		qp->cand[k].k = (double)qp->pos[qp->zb[k]];
		qp->cand[k].i = qp->zb[k];
	}
	qsort(qp->cand, nz, sizeof(*qp->cand), key_cmp);
	for (k = 0; k < nz; k++) {
		i = qp->cand[k].i;
		stz[k] = limit_state(pr, qp, i, qp->d[qp->pos[i]]);
	}
	for (k = nz; k-- > 0;)
		fix_at(qp, pr, qp->cand[k].i, stz[k]);
}

/* g += Q (the step), the step t = x[k] on weights mi[k], k < cnt.  The
 * rows of the moving weights (add_rows), or, when fewer weights are not
 * free than move, only theirs: along d the free part changes by alpha
 * Q_FF d = -alpha (r + sum_k nu_k a_k) (the direction's equations), O(1)
 * per free weight, and each other weight's by its row of Q over the
 * moving weights. */
static void
step_gradient(struct tl_qp *qp, const struct tl_qp_problem *pr, double alpha,
    size_t m, size_t cnt)
{
	size_t i, j, k, n = pr->n;
	double t;

	if (n - qp->nf >= cnt) {
		add_rows(pr, qp->mi, qp->x, cnt, qp->g);
		return;
	}
	for (j = 0; j < qp->nf; j++) {
		t = qp->r[j];
		for (k = 0; k < m; k++)
			if (in_row(qp, pr, k, j))
				t += qp->nu[k];
		qp->g[qp->f[j]] -= alpha * t;
	}
	for (i = 0; i < n; i++) {
		const double *qi = pr->q + i * n;

		if (qp->pos[i] != NONE)
			continue;
		t = qp->g[i];
		for (k = 0; k < cnt; k++)
			t += qi[qp->mi[k]] * qp->x[k];
		qp->g[i] = t;
	}
}

/* Release up to qp->blk of the ncand weights in cand[] (the most
 * violated multiplier first, cside[] their sides): appended to the
 * factor in that order, the most likely to stay free first.  The block
 * grows (doubles) while at least half of each release is still free at
 * the next check and shrinks (halves) otherwise, to one when none was:
 * a release of one weight moves it into its segment (Nocedal & Wright
 * 2006, Theorem 16.5), so that the iterations cannot cycle.  With many
 * weights free at the solution this builds L by blocks (chol_add_block,
 * L read once a block) and the iterations are about log2 of the free
 * weights rather than their number; with few, it stays at one or two.
 * Returns 0, or -1 when the first weight makes Q_FF singular. */
static int
release(struct tl_qp *qp, const struct tl_qp_problem *pr, size_t ncand)
{
	size_t k, cnt, added, surv = 0;
	int *old = qp->ist;

	if (qp->nrel > 0) {
		for (k = 0; k < qp->nrel; k++)
			surv += qp->st[qp->rel[k]] == TL_QP_FREE;
		if (surv == 0)
			qp->blk = 1;
		else if (2 * surv >= qp->nrel) {
			if (qp->nrel == qp->blk && qp->blk < pr->n / 2)
				qp->blk *= 2;
		} else if (qp->blk > 1)
			qp->blk /= 2;
	}
	qsort(qp->cand, ncand, sizeof(*qp->cand), key_cmp);
	cnt = ncand < qp->blk ? ncand : qp->blk;
	for (k = 0; k < cnt; k++) {
		size_t i = qp->cand[k].i;

		qp->rel[k] = i;
		old[k] = qp->st[i];
		qp->st[i] = TL_QP_FREE;
		qp->side[i] = qp->cside[i];
	}
	qp->nrel = cnt;
	added = chol_add_block(qp, pr, qp->rel, cnt);
	if (added == 0)
		return -1;
	for (k = added; k < cnt; k++)	/* singular from there: stay */
		qp->st[qp->rel[k]] = old[k];
	qp->nrel = added;
	return 0;
}

int
tl_qp_solve(struct tl_qp *qp, const struct tl_qp_problem *pr, double *w,
    int warm, struct tl_qp_info *info, struct tl_err *err)
{
	size_t n = pr->n, i, j, k, m, g, iter, maxit, blk, bgrp, worst, loose;
	size_t since = 0, nz, ncand;
	double mu, tol, scale = 0, alpha, a, t, p, viol, nuk, vi;
	int confirm = 0, si, bstate = TL_QP_LOWER;

	if (n > qp->cap)
		return tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "qp: %zu "
		    "weights in a workspace for %zu", n, qp->cap);
	reserve(qp, pr);
	mu = pr->prev != NULL ? pr->mu : 0;
	for (i = 0; i < n; i++)
		scale = fmax(scale, fmax(pr->q[i * n + i], fabs(pr->c[i])));
	scale = fmax(scale, mu);
	tol = KKT_TOL * (scale > 0 ? scale : 1);
	if (!(warm && qp->valid && qp->n == n)) {
		qp->valid = 0;
		qp->n = n;
		if (cold_start(qp, pr, err) == -1)
			return -1;
	} else {
		/* the kinks may be new (mu was 0): each free weight's
		 * segment follows from where it is */
		qp->nf = 0;
		for (i = 0; i < n; i++) {
			qp->pos[i] = NONE;
			if (qp->st[i] == TL_QP_FREE)
				qp->side[i] = qp->w[i] >= kink(pr, i) ? 1 : -1;
		}
	}
	qp->valid = 0;
	qp->blk = 1;
	qp->nrel = 0;
	for (i = k = 0; i < n; i++)
		if (qp->st[i] == TL_QP_FREE)
			qp->mi[k++] = i;
	if (chol_add_block(qp, pr, qp->mi, k) < k)
		goto singular;
	gradient(qp, pr);
	group_sums(qp, pr);
	maxit = 50 * n + 1000;
	for (iter = 0; iter < maxit; iter++) {
		if (since >= REFRESH_EVERY) {
			gradient(qp, pr);
			group_sums(qp, pr);
			since = 0;
		}
		since++;
		fix_dependency(qp, pr);
		m = direction(qp, pr, mu);
		/* ratio test: the nearest limit along d */
		alpha = 1;
		blk = NONE;
		bgrp = NONE;
		nz = 0;
		for (j = 0; j < qp->nf; j++) {
			i = qp->f[j];
			if (qp->d[j] < 0) {
				p = seg_lo(pr, qp, i);
				a = fmax(0, qp->w[i] - p) / -qp->d[j];
				if (a == 0)
					qp->zb[nz++] = i;
				if (a < alpha || (a == alpha && blk != NONE &&
				    i < blk)) {
					alpha = a;
					blk = i;
					bstate = p == pr->lo[i] ? TL_QP_LOWER :
					    TL_QP_KINK;
				}
			} else if (qp->d[j] > 0) {
				p = seg_hi(pr, qp, i);
				a = fmax(0, p - qp->w[i]) / qp->d[j];
				if (a == 0)
					qp->zb[nz++] = i;
				if (a < alpha || (a == alpha && blk != NONE &&
				    i < blk)) {
					alpha = a;
					blk = i;
					bstate = p == pr->hi[i] ? TL_QP_UPPER :
					    TL_QP_KINK;
				}
			}
		}
		if (pr->ngroups > 0) {
			loose = 0;
			for (g = 0; g < pr->ngroups; g++) {
				qp->gd[g] = qp->ga[g] = 0;
				qp->gn[g] = 0;
			}
			for (j = 0; j < qp->nf; j++) {
				g = group_of(pr, qp->f[j]);
				if (g != TL_QP_NOGROUP && qp->gw[g])
					continue;
				loose++;
				if (g != TL_QP_NOGROUP) {
					qp->gd[g] += qp->d[j];
					qp->ga[g] += fabs(qp->d[j]);
					qp->gn[g]++;
				}
			}
			for (g = 0; g < pr->ngroups; g++) {
				/* a sum that cancels (moves within the cap)
				 * up to rounding does not approach it, nor
				 * does one that the sum row and the working
				 * caps fix (every loose free weight is in g:
				 * fix_dependency would drop g at once) */
				if (qp->gw[g] || !(qp->gd[g] > DIR_NOISE *
				    qp->ga[g]) || qp->gn[g] == loose)
					continue;
				a = fmax(0, pr->cap[g] - qp->gsum[g]) /
				    qp->gd[g];
				if (a < alpha) {
					alpha = a;
					bgrp = g;
					blk = NONE;
				}
			}
		}
		/* step */
		if (alpha > 0) {
			for (k = j = 0; j < qp->nf; j++) {
				i = qp->f[j];
				t = alpha * qp->d[j];
				if (t == 0)
					continue;
				qp->w[i] += t;
				if ((g = group_of(pr, i)) != TL_QP_NOGROUP)
					qp->gsum[g] += t;
				qp->mi[k] = i;
				qp->x[k++] = t;
			}
			step_gradient(qp, pr, alpha, m, k);
		}
		if (blk != NONE && alpha == 0 && nz > 1) {
			fix_zero_blockers(qp, pr, nz);
			confirm = 0;
			continue;
		}
		if (blk != NONE) {
			fix_at(qp, pr, blk, bstate);
			confirm = 0;
			continue;
		}
		if (bgrp != NONE) {
			qp->gw[bgrp] = 1;
			confirm = 0;
			continue;
		}
		/* at the minimiser on the working set: check multipliers */
		worst = NONE;
		viol = tol;
		for (k = 1; k < m; k++)
			if (-qp->nu[k] > viol) {
				viol = -qp->nu[k];
				worst = n + qp->rows[k];
			}
		ncand = 0;
		for (i = 0; i < n; i++) {
			if (qp->st[i] == TL_QP_FREE || pr->lo[i] == pr->hi[i])
				continue;
			t = qp->g[i] + qp->nu[0];
			g = group_of(pr, i);
			if (g != TL_QP_NOGROUP && qp->gw[g])
				for (k = 1; k < m; k++)
					if (qp->rows[k] == g)
						t += qp->nu[k];
			p = kink(pr, i);
			/* vi: how far the multiplier of i is on the wrong
			 * side (for a kink, the worse of its two sides) */
			switch (qp->st[i]) {
			case TL_QP_LOWER:
				nuk = pr->lo[i] >= p ? 1 : -1;
				vi = -(t + mu * nuk);
				si = (int)nuk;
				break;
			case TL_QP_UPPER:
				nuk = pr->hi[i] > p ? 1 : -1;
				vi = t + mu * nuk;
				si = (int)nuk;
				break;
			default:	/* kink */
				vi = -(t + mu);
				si = 1;
				if (t - mu > vi) {
					vi = t - mu;
					si = -1;
				}
			}
			if (!(vi > tol))
				continue;
			qp->cand[ncand].k = -vi;
			qp->cand[ncand++].i = i;
			qp->cside[i] = (signed char)si;
			if (vi > viol) {
				viol = vi;
				worst = i;
			}
		}
		if (worst == NONE) {
			if (confirm)
				break;
			confirm = 1;	/* once more with an exact g */
			since = REFRESH_EVERY;
			continue;
		}
		confirm = 0;
		if (worst >= n) {
			qp->gw[worst - n] = 0;
			continue;
		}
		if (release(qp, pr, ncand) == -1)
			goto singular;
	}
	if (iter == maxit)
		return tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "qp: no "
		    "convergence after %zu iterations", maxit);
	qp->valid = 1;
	memcpy(w, qp->w, n * sizeof(double));
	if (info != NULL) {
		memset(info, 0, sizeof(*info));
		info->obj = tl_qp_objective(pr, w);
		info->iter = iter;
		for (i = 0; i < n; i++)
			switch (qp->st[i]) {
			case TL_QP_FREE:
				info->nfree++;
				break;
			case TL_QP_LOWER:
				info->nlower++;
				break;
			case TL_QP_UPPER:
				info->nupper++;
				break;
			default:
				info->nkink++;
			}
		for (g = 0; g < pr->ngroups; g++)
			info->ngroups_active += qp->gw[g];
	}
	return 0;
singular:
	return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "the covariance "
	    "matrix is singular on the free weights");
}
