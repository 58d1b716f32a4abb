/*
 * Functional ANOVA of a regression forest (tl_fanova.h has the maths):
 * the rows a forest is fitted on, the weight of each feature's bins under
 * the uniform measure on the space, each tree's exact variance and main
 * effects from its leaves' boxes, and the bootstrap refits.
 *
 * A tree is walked once from the root, keeping the interval of bins each
 * feature still has on the way (a split on feature k at bin b leaves
 * [lo, min(hi, b)] to the left and [max(lo, b + 1), hi] to the right);
 * each leaf keeps its box.  The marginal of a feature is then a sum over
 * the leaves of constants on bin intervals: a difference array over the
 * feature's bins gives it for every bin in one pass.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "tl_fanova.h"
#include "tl_num.h"
#include "tl_par.h"
#include "tl_rng.h"
#include "tl_util.h"

struct tl_fanova {
	const struct tl_forest	*f;	/* borrowed */
	const struct tl_space	*s;	/* borrowed */
	size_t		 nf;		/* the forest's features */
	size_t		*param;		/* feature -> parameter */
	size_t		*nbin;		/* feature -> its value bins */
	double		**cw;		/* feature -> cw[b]: weight of bins
					 * 0 .. b-1 (nbin + 1 values) */
	size_t		 maxbin;	/* the largest nbin */
	/* the walk */
	size_t		*lo, *hi;	/* the current box, per feature */
	struct frame	*stack;		/* nodes to visit, boxes to restore */
	size_t		 nstack, stackcap;
	/* the leaves of the tree walked */
	double		*val;		/* their values */
	size_t		*blo, *bhi;	/* their boxes, nf each */
	double		*m;		/* their measure per feature, nf each */
	size_t		 nleaf, leafcap;
	int		*split;		/* feature split on in this tree */
	double		*diff;		/* maxbin + 1: the difference array */
	double		*vf;		/* V_j per feature */
};

/* A step of the walk: enter node with feature feat's interval set to
 * [lo, hi], or (restore) set it back to [lo, hi]. */
struct frame {
	size_t		 node;		/* to enter */
	size_t		 feat;		/* whose interval changes */
	size_t		 lo, hi;	/* its interval */
	int		 restore;	/* 1: only restore the interval */
};

struct tl_forest_params
tl_fanova_forest_params(size_t trees, uint64_t seed, int threads)
{
	struct tl_forest_params fp = TL_FOREST_PARAMS_DEFAULT;

	fp.task = TL_FOREST_REGRESSION;
	fp.trees = trees;
	fp.mtry = 0;		/* tl_fanova_forest: every feature */
	fp.min_leaf = 1;
	fp.max_depth = TL_FANOVA_MAX_DEPTH;
	fp.sample_fraction = 1;
	fp.bootstrap = 1;
	fp.seed = seed;
	fp.threads = threads;
	fp.permutation = 0;
	return fp;
}

static void
add_num(struct tl_buf *b, double x)
{
	char num[TL_NUM_BUFSZ];

	tl_buf_add(b, num, (size_t)tl_fmt_double(num, x));
}

struct tl_forest *
tl_fanova_forest(const struct tl_space *s, const double *x, const double *y,
    const size_t *rows, size_t n, const struct tl_forest_params *fp,
    struct tl_err *err)
{
	struct tl_fselect sel = { NULL, 0, NULL, 0 };
	struct tl_forest_params q = *fp;
	struct tl_forest *f = NULL;
	struct tl_fdata *d;
	struct tl_buf b;
	size_t i, k, r;
	char key[32];

	if (s->n == 0) {
		tl_err_set(err, TL_EX_DATAERR, NULL, 0, "the space has no "
		    "parameter");
		return NULL;
	}
	if (n < 2) {
		tl_err_set(err, TL_EX_DATAERR, NULL, 0, "need at least 2 "
		    "trials, got %zu", n);
		return NULL;
	}
	for (i = 1; i < n && y[rows != NULL ? rows[i] : i] ==
	    y[rows != NULL ? rows[0] : 0]; i++)
		;
	if (i == n) {
		char num[TL_NUM_BUFSZ];

		tl_fmt_double(num, y[rows != NULL ? rows[0] : 0]);
		tl_err_set(err, TL_EX_DATAERR, NULL, 0, "the value is %s in "
		    "every trial: no variance to attribute", num);
		return NULL;
	}
	if (q.mtry == 0)
		q.mtry = s->n;
	d = tl_fdata_alloc();
	tl_buf_init(&b);
	for (i = 0; i < n; i++) {
		r = rows != NULL ? rows[i] : i;
		b.len = 0;
		tl_buf_adds(&b, "{\"" TL_FANOVA_TARGET "\":");
		add_num(&b, y[r]);
		for (k = 0; k < s->n; k++) {
			snprintf(key, sizeof(key), ",\"%zu\":", k);
			tl_buf_adds(&b, key);
			if (s->p[k].kind == TL_D_CAT) {
				snprintf(key, sizeof(key), "\"%.0f\"",
				    x[r * s->n + k]);
				tl_buf_adds(&b, key);
			} else
				add_num(&b, x[r * s->n + k]);
		}
		tl_buf_addc(&b, '}');
		if (tl_fdata_add(d, b.data, b.len, "fanova", i + 1, err) ==
		    -1)
			goto out;
	}
	f = tl_forest_train(d, TL_FANOVA_TARGET, &sel, &q, NULL, err);
out:
	tl_buf_release(&b);
	tl_fdata_free(d);
	return f;
}

/* ---- the measure ------------------------------------------------------- */

/* The weight of the values <= bound (in u) of numeric parameter p: for a
 * discrete one, the width of the bins of the values whose centre is
 * <= bound. */
static double
weight_below(const struct tl_param *p, double bound)
{
	double lo, hi;
	size_t l;

	if (p->kind == TL_D_DISC) {
		l = tl_param_level(p, bound);
		tl_param_bin(p, l, &lo, &hi);
		return tl_param_centre(p, l) <= bound ? hi : lo;
	}
	return bound < 0 ? 0 : bound > 1 ? 1 : bound;
}

struct tl_fanova *
tl_fanova_alloc(const struct tl_forest *f, const struct tl_space *s)
{
	struct tl_fanova *a;
	const double *bound;
	size_t k, b, nb, ncat;
	double c;

	a = tl_xcalloc(1, sizeof(*a));
	a->f = f;
	a->s = s;
	a->nf = tl_forest_nfeatures(f);
	a->param = tl_xcalloc(a->nf + 1, sizeof(size_t));
	a->nbin = tl_xcalloc(a->nf + 1, sizeof(size_t));
	a->cw = tl_xcalloc(a->nf + 1, sizeof(double *));
	for (k = 0; k < a->nf; k++) {
		a->param[k] = strtoul(tl_forest_feature(f, k), NULL, 10);
		bound = tl_forest_bounds(f, k, &nb);
		ncat = tl_forest_ncategories(f, k);
		a->nbin[k] = nb + 1;
		if (a->nbin[k] > a->maxbin)
			a->maxbin = a->nbin[k];
		a->cw[k] = tl_xcalloc(nb + 2, sizeof(double));
		for (b = 0; b < nb; b++) {
			if (ncat > 0) {	/* ranks 0 .. ncat-1, one weight */
				c = floor(bound[b]) + 1;
				c = c < 0 ? 0 : c > (double)ncat ?
				    (double)ncat : c;
				a->cw[k][b + 1] = c / (double)ncat;
			} else
				a->cw[k][b + 1] = weight_below(
				    &s->p[a->param[k]], bound[b]);
		}
		a->cw[k][nb + 1] = 1;
	}
	a->lo = tl_xcalloc(a->nf + 1, sizeof(size_t));
	a->hi = tl_xcalloc(a->nf + 1, sizeof(size_t));
	a->split = tl_xcalloc(a->nf + 1, sizeof(int));
	a->diff = tl_xcalloc(a->maxbin + 2, sizeof(double));
	a->vf = tl_xcalloc(a->nf + 1, sizeof(double));
	return a;
}

void
tl_fanova_free(struct tl_fanova *a)
{
	size_t k;

	if (a == NULL)
		return;
	for (k = 0; k < a->nf; k++)
		free(a->cw[k]);
	free(a->cw);
	free(a->param);
	free(a->nbin);
	free(a->lo);
	free(a->hi);
	free(a->stack);
	free(a->val);
	free(a->blo);
	free(a->bhi);
	free(a->m);
	free(a->split);
	free(a->diff);
	free(a->vf);
	free(a);
}

/* ---- one tree ---------------------------------------------------------- */

static void
push(struct tl_fanova *a, size_t node, size_t feat, size_t lo, size_t hi,
    int restore)
{
	if (a->nstack == a->stackcap) {
		a->stackcap = a->stackcap ? 2 * a->stackcap : 64;
		a->stack = tl_xreallocarray(a->stack, a->stackcap,
		    sizeof(*a->stack));
	}
	a->stack[a->nstack++] = (struct frame){ node, feat, lo, hi, restore };
}

/* Keep the leaf of value v with the current box. */
static void
keep_leaf(struct tl_fanova *a, double v)
{
	size_t k, at;

	if (a->nleaf == a->leafcap) {
		a->leafcap = a->leafcap ? 2 * a->leafcap : 256;
		a->val = tl_xreallocarray(a->val, a->leafcap, sizeof(double));
		a->blo = tl_xreallocarray(a->blo, a->leafcap * (a->nf + 1),
		    sizeof(size_t));
		a->bhi = tl_xreallocarray(a->bhi, a->leafcap * (a->nf + 1),
		    sizeof(size_t));
		a->m = tl_xreallocarray(a->m, a->leafcap * (a->nf + 1),
		    sizeof(double));
	}
	at = a->nleaf * a->nf;
	a->val[a->nleaf] = v;
	for (k = 0; k < a->nf; k++) {
		a->blo[at + k] = a->lo[k];
		a->bhi[at + k] = a->hi[k];
		/* an empty interval (lo > hi) has no weight */
		a->m[at + k] = a->lo[k] > a->hi[k] ? 0 :
		    a->cw[k][a->hi[k] + 1] - a->cw[k][a->lo[k]];
	}
	a->nleaf++;
}

/* The leaves of tree t with their boxes. */
static void
walk(struct tl_fanova *a, size_t t)
{
	struct tl_forest_node nd;
	struct frame fr;
	size_t k, lo, hi;

	a->nleaf = 0;
	a->nstack = 0;
	for (k = 0; k < a->nf; k++) {
		a->lo[k] = 0;
		a->hi[k] = a->nbin[k] - 1;
		a->split[k] = 0;
	}
	push(a, 0, 0, 0, a->nf > 0 ? a->nbin[0] - 1 : 0, 0);
	while (a->nstack > 0) {
		fr = a->stack[--a->nstack];
		a->lo[fr.feat] = fr.lo;
		a->hi[fr.feat] = fr.hi;
		if (fr.restore)
			continue;
		tl_forest_tree_node(a->f, t, fr.node, &nd);
		if (nd.leaf) {
			keep_leaf(a, nd.value[0]);
			continue;
		}
		k = nd.feat;
		lo = a->lo[k];
		hi = a->hi[k];
		a->split[k] = 1;
		/* popped in reverse: left, restore, right, restore */
		push(a, 0, k, lo, hi, 1);
		push(a, nd.right, k, (size_t)nd.bin + 1 > lo ?
		    (size_t)nd.bin + 1 : lo, hi, 0);
		push(a, 0, k, lo, hi, 1);
		push(a, nd.left, k, lo, (size_t)nd.bin < hi ? nd.bin : hi, 0);
	}
}

void
tl_fanova_tree(struct tl_fanova *a, size_t t, double *V, double *Vj)
{
	const size_t nf = a->nf;
	size_t l, k, b;
	double f0 = 0, var = 0, vol, run, w, dv;

	walk(a, t);
	/* f0 and V over the leaves' volumes */
	for (l = 0; l < a->nleaf; l++) {
		for (k = 0, vol = 1; k < nf; k++)
			vol *= a->m[l * nf + k];
		f0 += vol * a->val[l];
	}
	for (l = 0; l < a->nleaf; l++) {
		for (k = 0, vol = 1; k < nf; k++)
			vol *= a->m[l * nf + k];
		var += vol * (a->val[l] - f0) * (a->val[l] - f0);
	}
	*V = var;
	for (k = 0; k < a->s->n; k++)
		Vj[k] = 0;
	for (k = 0; k < nf; k++) {
		/* a feature the tree does not split on has the marginal f0
		 * everywhere: V_j is 0, not rounding noise */
		if (!a->split[k])
			continue;
		memset(a->diff, 0, (a->nbin[k] + 1) * sizeof(double));
		for (l = 0; l < a->nleaf; l++) {
			size_t j, lo = a->blo[l * nf + k], hi = a->bhi[l * nf +
			    k];

			if (lo > hi || a->m[l * nf + k] == 0)
				continue;	/* only bins of no weight */
			for (j = 0, vol = a->val[l]; j < nf; j++)
				if (j != k)
					vol *= a->m[l * nf + j];
			a->diff[lo] += vol;
			a->diff[hi + 1] -= vol;
		}
		for (b = 0, run = 0, dv = 0; b < a->nbin[k]; b++) {
			run += a->diff[b];
			w = a->cw[k][b + 1] - a->cw[k][b];
			dv += w * (run - f0) * (run - f0);
		}
		Vj[a->param[k]] += dv;
	}
}

size_t
tl_fanova_fractions(struct tl_fanova *a, double *fraction)
{
	size_t t, j, used = 0, d = a->s->n;
	double V, *Vj;

	Vj = tl_xcalloc(d + 1, sizeof(double));
	for (j = 0; j < d; j++)
		fraction[j] = 0;
	for (t = 0; t < tl_forest_ntrees(a->f); t++) {
		tl_fanova_tree(a, t, &V, Vj);
		if (!(V > 0))
			continue;	/* one leaf: no variance to share */
		used++;
		for (j = 0; j < d; j++)
			fraction[j] += Vj[j] / V;
	}
	for (j = 0; used > 0 && j < d; j++)
		fraction[j] /= (double)used;
	free(Vj);
	return used;
}

/* ---- importances and refits ------------------------------------------ */

/* imp = frac over its sum (0 when the sum is 0). */
static void
normalise(const double *frac, size_t d, double *imp)
{
	double sum = 0;
	size_t j;

	for (j = 0; j < d; j++)
		sum += frac[j];
	for (j = 0; j < d; j++)
		imp[j] = sum > 0 ? frac[j] / sum : 0;
}

/* The importances (d values into imp) of a forest fitted on rows (NULL:
 * all n).  Returns 0, or -1 with err. */
static int
importances(const struct tl_space *s, const double *x, const double *y,
    const size_t *rows, size_t n, const struct tl_forest_params *fp,
    double *frac, double *imp, struct tl_err *err)
{
	struct tl_forest *f;
	struct tl_fanova *a;

	if ((f = tl_fanova_forest(s, x, y, rows, n, fp, err)) == NULL)
		return -1;
	a = tl_fanova_alloc(f, s);
	tl_fanova_fractions(a, frac);
	normalise(frac, s->n, imp);
	tl_fanova_free(a);
	tl_forest_free(f);
	return 0;
}

struct refits {
	const struct tl_space	*s;
	const double		*x, *y;
	size_t			 n;
	const struct tl_fanova_params *p;
	double			*imp;	/* B rows of s->n importances */
	int			*ok;	/* refit r done (0: constant y) */
	struct tl_err		*err;	/* refit r's error */
	int			*failed;	/* refit r failed */
};

static void
refit_task(void *ctx, size_t r, int worker)
{
	struct refits *R = ctx;
	struct tl_forest_params fp;
	size_t i, *rows;
	double *frac;
	gsl_rng *rng;

	(void)worker;
	rows = tl_xcalloc(R->n, sizeof(size_t));
	frac = tl_xcalloc(R->s->n + 1, sizeof(double));
	rng = tl_rng_alloc(R->p->seed, (uint64_t)r + 1);
	for (i = 0; i < R->n; i++)
		rows[i] = tl_rng_below(rng, R->n);
	for (i = 1; i < R->n && R->y[rows[i]] == R->y[rows[0]]; i++)
		;
	if (i < R->n) {	/* a sample of one value has nothing to share */
		fp = tl_fanova_forest_params(R->p->trees, R->p->seed +
		    (uint64_t)r + 1, 1);
		if (importances(R->s, R->x, R->y, rows, R->n, &fp, frac,
		    R->imp + r * R->s->n, &R->err[r]) == -1)
			R->failed[r] = 1;
		else
			R->ok[r] = 1;
	}
	tl_rng_free(rng);
	free(frac);
	free(rows);
}

int
tl_fanova(const struct tl_space *s, const double *x, const double *y,
    size_t n, const struct tl_fanova_params *p,
    struct tl_fanova_result *res, struct tl_err *err)
{
	struct tl_forest_params fp;
	struct refits R;
	double *frac, *imp, *v;
	size_t j, r, m, d = s->n, B = p->bootstrap;
	int rc = 0;

	frac = tl_xcalloc(d + 1, sizeof(double));
	imp = tl_xcalloc(d + 1, sizeof(double));
	fp = tl_fanova_forest_params(p->trees, p->seed, p->threads);
	if (importances(s, x, y, NULL, n, &fp, frac, imp, err) == -1) {
		free(frac);
		free(imp);
		return -1;
	}
	for (j = 0; j < d; j++) {
		res[j].importance = imp[j];
		res[j].fraction = frac[j];
		res[j].lo = res[j].hi = NAN;
	}
	memset(&R, 0, sizeof(R));
	R.s = s;
	R.x = x;
	R.y = y;
	R.n = n;
	R.p = p;
	R.imp = tl_xcalloc(B * d + 1, sizeof(double));
	R.ok = tl_xcalloc(B + 1, sizeof(int));
	R.failed = tl_xcalloc(B + 1, sizeof(int));
	R.err = tl_xcalloc(B + 1, sizeof(struct tl_err));
	tl_par_for(p->threads, B, refit_task, &R);
	for (r = 0; r < B; r++)
		if (R.failed[r]) {	/* the checks above make it a bug */
			rc = tl_err_set(err, TL_EX_SOFTWARE, NULL, 0,
			    "bootstrap refit %zu: %s", r + 1, R.err[r].msg);
			break;
		}
	v = tl_xcalloc(B + 1, sizeof(double));
	for (j = 0; rc == 0 && j < d; j++) {
		for (r = m = 0; r < B; r++)
			if (R.ok[r])
				v[m++] = R.imp[r * d + j];
		if (m == 0)
			continue;
		gsl_sort(v, 1, m);
		res[j].lo = gsl_stats_quantile_from_sorted_data(v, 1, m,
		    (1 - TL_FANOVA_LEVEL) / 2);
		res[j].hi = gsl_stats_quantile_from_sorted_data(v, 1, m,
		    (1 + TL_FANOVA_LEVEL) / 2);
	}
	free(v);
	free(R.imp);
	free(R.ok);
	free(R.failed);
	free(R.err);
	free(frac);
	free(imp);
	return rc;
}
