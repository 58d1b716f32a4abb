/*
 * Random forests: the table read from JSON rows, binning, tree growing,
 * out-of-bag figures, importances, model files and prediction.
 *
 * Why it is fast: every feature is binned once into at most 255 quantile
 * bins (one byte per value, column-major, bin 255 = missing), so a node's
 * split search is one pass over its rows into a 256-entry histogram per
 * tried feature and a scan of the bins it touched (a 256-bit map, so a
 * small node does not pay for 256 bins).  A tree keeps one array of its
 * distinct in-bag rows with their bootstrap counts, partitioned in place
 * (stably) node by node, as ranger does; nodes are 8 bytes.  Each tree
 * sends its out-of-bag rows through itself while it is still in cache and
 * adds their predictions to per-row sums kept in 64-bit fixed point:
 * integer addition is associative, so the sums do not depend on which
 * thread grew which tree, or when.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>
#include <jansson.h>

#include "tl_forest.h"
#include "tl_json.h"
#include "tl_jv.h"
#include "tl_map.h"
#include "tl_num.h"
#include "tl_par.h"
#include "tl_rng.h"
#include "tl_util.h"

#define MISSING_BIN	255	/* the bin of a missing value */
#define ALL_LEFT_BIN	254	/* threshold sending every value left */
#define BIN_SAMPLE	262144	/* values sorted to find the bin bounds */
#define LOGLOSS_EPS	1e-15	/* probabilities clipped for the log-loss */
#define CHECKSUM_PREFIX	"mix64x4:"	/* the model header's checksum */
/* A loaded leaf's class shares must sum to 1 within this: they are counts
 * over a total, summed in a different order (K <= 1024 terms). */
#define CLASS_SUM_TOL	1e-9
/* A split must remove this share of its node's impurity: rounding in the
 * sums makes useless splits look a hair better than none. */
#define MIN_GAIN_SHARE	1e-10

enum ctype { CT_NONE = 0, CT_NUM, CT_BOOL, CT_STR, CT_ARRAY };
static const char *ctype_name[] = { "null", "number", "boolean", "string",
	"array" };

/* ---- the table --------------------------------------------------------- */

struct fcol {
	char		*name;		/* dotted column name */
	size_t		 namelen;	/* its length */
	enum ctype	 type;		/* of its non-null values */
	double		*v;		/* one per row; NaN missing; strings:
					 * category id */
	size_t		 setrow;	/* 1 + the row that last set it */
	size_t		 nset;		/* values present */
	struct tl_map	*cats;		/* category -> id + 1 */
	char		**cat;		/* categories by id */
	size_t		 ncat, catcap;	/* used, allocated */
};

struct tl_fdata {
	struct fcol	*col;		/* columns in order of appearance */
	size_t		 ncol, colcap;	/* used, allocated */
	struct tl_map	*index;		/* name -> column + 1 */
	size_t		 nrow, cap;	/* rows, rows allocated per column */
	struct tl_jdoc	 doc;		/* the parse of the current row */
	struct tl_buf	 key;		/* dotted name being built */
	size_t		*guess;		/* column of the k-th leaf last row */
	size_t		 nguess, guesscap; /* used, allocated */
	size_t		 leaf;		/* leaves seen in this row */
};

struct tl_fdata *
tl_fdata_alloc(void)
{
	struct tl_fdata *d;

	d = tl_xcalloc(1, sizeof(*d));
	d->index = tl_map_alloc();
	tl_jdoc_init(&d->doc);
	tl_buf_init(&d->key);
	return d;
}

void
tl_fdata_free(struct tl_fdata *d)
{
	size_t i, j;

	if (d == NULL)
		return;
	for (i = 0; i < d->ncol; i++) {
		for (j = 0; j < d->col[i].ncat; j++)
			free(d->col[i].cat[j]);
		free(d->col[i].cat);
		if (d->col[i].cats != NULL)
			tl_map_free(d->col[i].cats);
		free(d->col[i].v);
		free(d->col[i].name);
	}
	free(d->col);
	free(d->guess);
	tl_map_free(d->index);
	tl_jdoc_release(&d->doc);
	tl_buf_release(&d->key);
	free(d);
}

size_t
tl_fdata_rows(const struct tl_fdata *d)
{
	return d->nrow;
}

static void
fill_nan(double *v, size_t from, size_t to)
{
	for (; from < to; from++)
		v[from] = NAN;
}

/* The column named key[0..len), new if need be (guessing first that the
 * row has the previous row's layout). */
static size_t
col_find(struct tl_fdata *d, const char *key, size_t len)
{
	struct fcol *c;
	uintptr_t *slot;
	size_t i;
	int added;

	if (d->leaf < d->nguess) {
		c = &d->col[d->guess[d->leaf]];
		if (c->namelen == len && memcmp(c->name, key, len) == 0)
			return d->guess[d->leaf++];
	}
	slot = tl_map_put(d->index, key, len, &added);
	if (added) {
		*slot = d->ncol + 1;
		if (d->ncol == d->colcap) {
			d->colcap = d->colcap ? 2 * d->colcap : 64;
			d->col = tl_xreallocarray(d->col, d->colcap,
			    sizeof(*d->col));
		}
		c = &d->col[d->ncol];
		memset(c, 0, sizeof(*c));
		c->name = tl_xstrndup(key, len);
		c->namelen = len;
		c->v = tl_xreallocarray(NULL, d->cap ? d->cap : 1,
		    sizeof(double));
		fill_nan(c->v, 0, d->cap ? d->cap : 1);
		d->ncol++;
	}
	i = *slot - 1;
	if (d->leaf == d->guesscap) {
		d->guesscap = d->guesscap ? 2 * d->guesscap : 64;
		d->guess = tl_xreallocarray(d->guess, d->guesscap,
		    sizeof(*d->guess));
	}
	d->guess[d->leaf++] = i;
	if (d->leaf > d->nguess)
		d->nguess = d->leaf;
	return i;
}

static int
col_set(struct tl_fdata *d, size_t ci, const struct tl_jv *v,
    const char *name, unsigned long line, struct tl_err *err)
{
	struct fcol *c = &d->col[ci];
	enum ctype t;
	uintptr_t *slot;
	int added;

	switch (v->type) {
	case TL_JNULL:
		return 0;
	case TL_JNUM:
		t = CT_NUM;
		break;
	case TL_JTRUE:
	case TL_JFALSE:
		t = CT_BOOL;
		break;
	case TL_JSTR:
		t = CT_STR;
		break;
	default:
		t = CT_ARRAY;
		break;
	}
	if (c->type == CT_NONE)
		c->type = t;
	else if (c->type != t)
		return tl_err_set(err, TL_EX_DATAERR, name, line,
		    "field '%s': expected %s, got %s", c->name,
		    ctype_name[c->type], ctype_name[t]);
	if (c->setrow == d->nrow + 1)
		return tl_err_set(err, TL_EX_DATAERR, name, line,
		    "field '%s' given twice (a dotted key and a nested object)",
		    c->name);
	c->setrow = d->nrow + 1;
	c->nset++;
	switch (t) {
	case CT_NUM:
		c->v[d->nrow] = v->num;
		break;
	case CT_BOOL:
		c->v[d->nrow] = v->type == TL_JTRUE;
		break;
	case CT_STR:
		if (c->cats == NULL)
			c->cats = tl_map_alloc();
		slot = tl_map_put(c->cats, v->s, v->len, &added);
		if (added) {
			if (c->ncat == c->catcap) {
				c->catcap = c->catcap ? 2 * c->catcap : 16;
				c->cat = tl_xreallocarray(c->cat, c->catcap,
				    sizeof(char *));
			}
			c->cat[c->ncat] = tl_xstrndup(v->s, v->len);
			*slot = ++c->ncat;
		}
		c->v[d->nrow] = (double)(*slot - 1);
		break;
	default:
		break;
	}
	return 0;
}

static int
walk(struct tl_fdata *d, const struct tl_jv *obj, size_t prefix,
    const char *name, unsigned long line, struct tl_err *err)
{
	const struct tl_jv *c;
	size_t len;

	for (c = tl_jv_child(&d->doc, obj); c != NULL;
	    c = tl_jv_next(&d->doc, obj, c)) {
		d->key.len = prefix;
		if (prefix > 0)
			tl_buf_addc(&d->key, '.');
		tl_buf_add(&d->key, c->key, c->keylen);
		len = d->key.len;
		if (c->type == TL_JOBJ) {
			if (walk(d, c, len, name, line, err) == -1)
				return -1;
		} else if (col_set(d, col_find(d, d->key.data, len), c, name,
		    line, err) == -1)
			return -1;
	}
	return 0;
}

int
tl_fdata_add(struct tl_fdata *d, const char *s, size_t n, const char *name,
    unsigned long line, struct tl_err *err)
{
	size_t i, ncap;

	if (tl_jdoc_parse(&d->doc, s, n, name, line, err) == -1)
		return -1;
	if (d->doc.v[0].type != TL_JOBJ)
		return tl_err_set(err, TL_EX_DATAERR, name, line,
		    "expected an object, got %s", tl_jv_typename(&d->doc.v[0]));
	if (d->nrow == d->cap) {
		ncap = d->cap ? 2 * d->cap : 64;
		for (i = 0; i < d->ncol; i++) {
			d->col[i].v = tl_xreallocarray(d->col[i].v, ncap,
			    sizeof(double));
			fill_nan(d->col[i].v, d->cap ? d->cap : 1, ncap);
			if (d->cap == 0)	/* new columns got one slot */
				d->col[i].v[0] = NAN;
		}
		d->cap = ncap;
	}
	d->leaf = 0;
	d->key.len = 0;
	if (walk(d, &d->doc.v[0], 0, name, line, err) == -1)
		return -1;
	d->nrow++;
	return 0;
}

/* ---- the forest ---------------------------------------------------------- */

struct feat {
	char		*name;		/* dotted column name */
	enum ctype	 type;		/* CT_NUM, CT_BOOL or CT_STR */
	double		*bound;		/* bin b holds values <= bound[b] */
	size_t		 nbound;	/* bins - 1 */
	char		**cat;		/* categories in rank order */
	size_t		 ncat;		/* their number */
	struct tl_map	*catidx;	/* category -> rank + 1 */
};

#define N_LEAF	1	/* child is a leaf index */
#define N_MLEFT	2	/* missing values go left */

struct fnode {
	uint32_t	 child;		/* left child (right = child + 1), or
					 * the leaf index */
	uint16_t	 feat;		/* feature split on */
	uint8_t		 bin;		/* bins <= bin go left */
	uint8_t		 flags;		/* N_LEAF, N_MLEFT */
};

struct ftree {
	struct fnode	*node;		/* node 0 is the root */
	uint32_t	 nnode;		/* nodes */
	double		*val;		/* leaf means, or K class shares each */
	uint32_t	 nleaf;		/* leaves */
};

struct tl_forest {
	enum tl_forest_task task;	/* regression or classification */
	char		*target;	/* target column */
	struct feat	*feat;		/* features */
	size_t		 nf;		/* their number */
	struct tl_map	*fidx;		/* feature name -> index + 1 */
	size_t		 K;		/* classes, 0 for regression */
	char		**class_json;	/* labels as JSON text */
	char		**class_name;	/* labels as strings */
	struct tl_forest_params p;	/* resolved options */
	struct ftree	*tree;		/* the trees */
	size_t		 ntree;		/* their number */
	json_t		*info;		/* n_rows, oob, baseline, importance */
	void		*map;		/* a loaded model's file, mapped */
	size_t		 maplen;	/* its length */
	char		*bytes;		/* or read or copied: the trees point
					 * into one of the two */
};

void
tl_forest_free(struct tl_forest *f)
{
	size_t i, j;

	if (f == NULL)
		return;
	for (i = 0; i < f->nf; i++) {
		for (j = 0; j < f->feat[i].ncat; j++)
			free(f->feat[i].cat[j]);
		free(f->feat[i].cat);
		if (f->feat[i].catidx != NULL)
			tl_map_free(f->feat[i].catidx);
		free(f->feat[i].bound);
		free(f->feat[i].name);
	}
	for (i = 0; i < f->K; i++) {
		free(f->class_json[i]);
		free(f->class_name[i]);
	}
	/* a loaded forest's trees point into map or bytes (and a load that
	 * failed early has no trees yet) */
	for (i = 0; f->tree != NULL && i < f->ntree && f->map == NULL &&
	    f->bytes == NULL; i++) {
		free(f->tree[i].node);
		free(f->tree[i].val);
	}
	if (f->map != NULL)
		munmap(f->map, f->maplen);
	free(f->bytes);
	free(f->tree);
	free(f->class_json);
	free(f->class_name);
	free(f->feat);
	if (f->fidx != NULL)
		tl_map_free(f->fidx);
	free(f->target);
	json_decref(f->info);
	free(f);
}

/* The maps from names to features and from categories to ranks. */
static void
build_index(struct tl_forest *f)
{
	size_t i, j;

	f->fidx = tl_map_alloc();
	for (i = 0; i < f->nf; i++) {
		*tl_map_put(f->fidx, f->feat[i].name, strlen(f->feat[i].name),
		    NULL) = i + 1;
		if (f->feat[i].type != CT_STR)
			continue;
		f->feat[i].catidx = tl_map_alloc();
		for (j = 0; j < f->feat[i].ncat; j++)
			*tl_map_put(f->feat[i].catidx, f->feat[i].cat[j],
			    strlen(f->feat[i].cat[j]), NULL) = j + 1;
	}
}

/* The bin of value x: the first b with x <= bound[b], else the last. */
static uint8_t
bin_of(const double *bound, size_t nb, double x)
{
	const double *b = bound;
	size_t n = nb, half;

	if (isnan(x))
		return MISSING_BIN;
	if (n == 0)
		return 0;
	/* the first bound >= x, without branches (a selected pointer): the
	 * halvings of a search with branches are coin flips, each costing a
	 * mispredicted jump */
	while (n > 1) {
		half = n / 2;
		b = b[half - 1] < x ? b + half : b;
		n -= half;
	}
	return (uint8_t)(b - bound + (*b < x));
}

/* The leaf reached by the row whose feature j has bin x[j * stride],
 * starting at node i. */
static inline uint32_t
leaf_of(const struct fnode *nd, uint32_t i, const uint8_t *x, size_t stride)
{
	const struct fnode *q;
	unsigned b;

	for (;;) {
		q = &nd[i];
		if (q->flags & N_LEAF)
			return q->child;
		b = x[q->feat * stride];
		/* 255 (missing) is above every threshold: right unless
		 * N_MLEFT */
		i = q->child + (b > q->bin) - ((b == MISSING_BIN) &
		    (q->flags & N_MLEFT ? 1u : 0u));
	}
}

#define LANES	8	/* rows walked down a tree together */

/* The leaves of m <= LANES rows (row r's bins at x + r * nf) in one tree:
 * the rows take their steps in turn, so that the misses of their node
 * loads overlap instead of each waiting for the last (a tree of a big
 * forest is not in cache). */
static void
leaves_of(const struct fnode *nd, const uint8_t *x, size_t nf, size_t m,
    uint32_t *leaf)
{
	const struct fnode *q;
	uint32_t at[LANES];
	size_t r;
	unsigned b;
	int live;

	for (r = 0; r < m; r++)
		at[r] = 0;
	do {
		live = 0;
		for (r = 0; r < m; r++) {
			q = &nd[at[r]];
			if (q->flags & N_LEAF)
				continue;
			b = x[r * nf + q->feat];
			at[r] = q->child + (b > q->bin) - ((b == MISSING_BIN) &
			    (q->flags & N_MLEFT ? 1u : 0u));
			live = 1;
		}
	} while (live);
	for (r = 0; r < m; r++)
		leaf[r] = nd[at[r]].child;
}

/* ---- preparing the features ----------------------------------------- */

/* Sort v[0..n) (no NaN): quicksort, median of three, Hoare partition
 * (balanced on equal keys), insertion sort below 16; qsort's calls
 * through a pointer made binning a tenth of the training time. */
static void
sort_doubles(double *v, size_t n)
{
	size_t i, j, lo, hi;
	double p, t;

	while (n > 16) {
		lo = 0;
		hi = n - 1;
		i = n / 2;
		if (v[i] < v[lo]) { t = v[i]; v[i] = v[lo]; v[lo] = t; }
		if (v[hi] < v[lo]) { t = v[hi]; v[hi] = v[lo]; v[lo] = t; }
		if (v[hi] < v[i]) { t = v[hi]; v[hi] = v[i]; v[i] = t; }
		p = v[i];
		i = lo;
		j = hi;
		for (;;) {
			while (v[i] < p)
				i++;
			while (p < v[j])
				j--;
			if (i >= j)
				break;
			t = v[i];
			v[i++] = v[j];
			v[j--] = t;
		}
		/* recurse on the smaller side, loop on the larger */
		if (j + 1 < n - j - 1) {
			sort_doubles(v, j + 1);
			v += j + 1;
			n -= j + 1;
		} else {
			sort_doubles(v + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	for (i = 1; i < n; i++) {
		t = v[i];
		for (j = i; j > 0 && v[j - 1] > t; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
}

/* Bin bounds of the sorted values v[0..n): one bin per distinct value
 * when there are at most TL_FOREST_MAX_BINS, else bins of about equal
 * counts; a bound is the midpoint of the values either side (the lower
 * one when the midpoint rounds up to the upper, as ranger does). */
static void
make_bounds(const double *v, size_t n, double **bound, size_t *nbound)
{
	size_t i, j, nd = 0, cum = 0, nb = 0;
	double mid, *b;

	for (i = 0; i < n; i++)
		if (i == 0 || v[i] != v[i - 1])
			nd++;
	b = tl_xcalloc(nd > 0 ? nd : 1, sizeof(double));
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && v[j] == v[i]; j++)
			;
		cum += j - i;
		if (j == n)
			break;
		if (nd > TL_FOREST_MAX_BINS && (double)cum < (double)(nb + 1) *
		    (double)n / TL_FOREST_MAX_BINS)
			continue;
		if (nb == TL_FOREST_MAX_BINS - 1)
			break;
		mid = v[i] / 2 + v[j] / 2;
		if (mid >= v[j] || mid < v[i])
			mid = v[i];
		b[nb++] = mid;
	}
	*bound = b;
	*nbound = nb;
}

struct prep {
	const struct tl_fdata *d;	/* the table */
	struct tl_forest *f;		/* features to bin */
	const size_t	*col;		/* feature -> column */
	const size_t	*rows;		/* rows used */
	size_t		 n;		/* their number */
	const double	*y;		/* their targets (class index) */
	uint8_t		*X;		/* n bins per feature */
};

static int
cmp_rank(const void *a, const void *b)
{
	const double *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

static void
prep_feature(void *ctx, size_t j, int worker)
{
	struct prep *P = ctx;
	struct feat *ft = &P->f->feat[j];
	const struct fcol *c = &P->d->col[P->col[j]];
	double *key = NULL, *rank = NULL, *v, x;
	size_t i, m, nv, step;
	uint8_t *out = P->X + j * P->n;

	(void)worker;
	/* categories in the order of their mean target (ranger's "order":
	 * regression mean, share of class 1 for classification), then
	 * treated as ordered values */
	if (c->type == CT_STR) {
		double *sum = tl_xcalloc(c->ncat, sizeof(double));
		double *cnt = tl_xcalloc(c->ncat, sizeof(double));

		for (i = 0; i < P->n; i++) {
			x = c->v[P->rows[i]];
			if (isnan(x))
				continue;
			sum[(size_t)x] += P->f->K > 0 ? P->y[i] == 1 : P->y[i];
			cnt[(size_t)x]++;
		}
		key = tl_xcalloc(2 * c->ncat, sizeof(double));
		for (i = 0; i < c->ncat; i++) {
			key[2 * i] = cnt[i] > 0 ? sum[i] / cnt[i] : INFINITY;
			key[2 * i + 1] = (double)i;
		}
		qsort(key, c->ncat, 2 * sizeof(double), cmp_rank);
		rank = tl_xcalloc(c->ncat, sizeof(double));
		ft->cat = tl_xcalloc(c->ncat, sizeof(char *));
		ft->ncat = c->ncat;
		for (i = 0; i < c->ncat; i++) {
			rank[(size_t)key[2 * i + 1]] = (double)i;
			ft->cat[i] = tl_xstrdup(c->cat[(size_t)key[2 * i + 1]]);
		}
		free(sum);
		free(cnt);
	}
	/* the bounds from (a sample of) the present values */
	for (i = nv = 0; i < P->n; i++)
		nv += !isnan(c->v[P->rows[i]]);
	step = nv > BIN_SAMPLE ? nv / BIN_SAMPLE + (nv % BIN_SAMPLE != 0) : 1;
	v = tl_xcalloc(nv / step + 2, sizeof(double));
	for (i = m = nv = 0; i < P->n; i++) {
		x = c->v[P->rows[i]];
		if (isnan(x))
			continue;
		if (nv++ % step == 0)
			v[m++] = rank != NULL ? rank[(size_t)x] : x;
	}
	sort_doubles(v, m);
	make_bounds(v, m, &ft->bound, &ft->nbound);
	for (i = 0; i < P->n; i++) {
		x = c->v[P->rows[i]];
		if (rank != NULL && !isnan(x))
			x = rank[(size_t)x];
		out[i] = bin_of(ft->bound, ft->nbound, x);
	}
	free(v);
	free(rank);
	free(key);
}

static int
pattern_match(const char *pat, const char *name)
{
	size_t n = strlen(pat);

	if (n > 0 && pat[n - 1] == '*')
		return strncmp(pat, name, n - 1) == 0;
	return strcmp(pat, name) == 0;
}

static int
cmp_class(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- growing trees ------------------------------------------------------ */

struct smp {
	uint32_t	 row;		/* row index */
	uint32_t	 w;		/* times drawn */
	double		 y;		/* target (centred) or class index */
};

struct hbin {
	double		 w;		/* weight in the bin */
	double		 s;		/* sum of w * y */
};

struct split {
	double		 gain;		/* criterion of the best split */
	size_t		 feat;		/* its feature */
	unsigned	 bin;		/* bins <= bin go left */
	int		 mleft;		/* missing values go left */
};

struct span {
	uint32_t	 node;		/* node to fill */
	uint32_t	 lo, hi;	/* its samples */
	uint32_t	 depth;		/* root 0 */
};

struct train {
	const struct tl_forest_params *p; /* resolved */
	size_t		 n, nf, K;	/* rows, features, classes */
	const uint8_t	*X;		/* n bins per feature */
	const uint8_t	*XR;		/* the same, nf bins per row */
	const double	*y;		/* centred target or class index */
	double		 ymean;		/* added back to leaf means */
	size_t		 ndraw;		/* rows drawn per tree */
	struct tl_forest *f;		/* trees go here */
	int64_t		*oob_sum;	/* n (regression) or n * K, fixed point */
	uint32_t	*oob_cnt;	/* n: trees the row was out of */
	double		 scale;		/* fixed point = round(x * scale) */
	double		*imp_gain;	/* nf per tree */
	double		*imp_perm;	/* nf per tree */
	size_t		*noob;		/* OOB rows per tree */
	struct work	*work;		/* one per worker */
};

struct work {
	uint32_t	*cnt;		/* n: bootstrap counts */
	struct smp	*s, *tmp;	/* n: in-bag samples, partition room */
	uint32_t	*oob;		/* n: out-of-bag rows */
	uint32_t	*donor;		/* n: their permutation */
	size_t		*fperm;		/* nf: feature order */
	struct hbin	*h;		/* 256 bins */
	double		*hc;		/* 256 * K class weights */
	double		*cl, *cr, *cm, *ct; /* K each */
	struct span	*stack;		/* nodes to grow */
	size_t		 nstack, stackcap;
	uint32_t	*path;		/* a row's nodes, root first */
	size_t		 pathcap;
	uint64_t	*stamp;		/* nf: row that saw the feature */
	uint32_t	*first;		/* nf: depth it was first seen */
	size_t		*seen;		/* nf: features on the path */
	uint64_t	 curstamp;
	size_t		 nodecap, leafcap; /* of the tree being grown */
};

static void
work_init(struct work *w, const struct train *T)
{
	size_t K = T->K > 0 ? T->K : 1;

	memset(w, 0, sizeof(*w));
	w->cnt = tl_xcalloc(T->n, sizeof(uint32_t));
	w->s = tl_xcalloc(T->n, sizeof(struct smp));
	w->tmp = tl_xcalloc(T->n, sizeof(struct smp));
	w->oob = tl_xcalloc(T->n, sizeof(uint32_t));
	w->donor = tl_xcalloc(T->n, sizeof(uint32_t));
	w->fperm = tl_xcalloc(T->nf, sizeof(size_t));
	w->h = tl_xcalloc(256, sizeof(struct hbin));
	w->hc = tl_xcalloc(256 * K, sizeof(double));
	w->cl = tl_xcalloc(K, sizeof(double));
	w->cr = tl_xcalloc(K, sizeof(double));
	w->cm = tl_xcalloc(K, sizeof(double));
	w->ct = tl_xcalloc(K, sizeof(double));
	w->stamp = tl_xcalloc(T->nf, sizeof(uint64_t));
	w->first = tl_xcalloc(T->nf, sizeof(uint32_t));
	w->seen = tl_xcalloc(T->nf, sizeof(size_t));
}

static void
work_release(struct work *w)
{
	free(w->cnt);
	free(w->s);
	free(w->tmp);
	free(w->oob);
	free(w->donor);
	free(w->fperm);
	free(w->h);
	free(w->hc);
	free(w->cl);
	free(w->cr);
	free(w->cm);
	free(w->ct);
	free(w->stack);
	free(w->path);
	free(w->stamp);
	free(w->first);
	free(w->seen);
}

/* Consider a split with left (wl, gl) and right (wr, gr) criterion
 * parts. */
static inline void
consider(struct split *b, size_t minleaf, double wl, double wr, double g,
    size_t feat, unsigned bin, int mleft)
{
	if (wl >= (double)minleaf && wr >= (double)minleaf && g > b->gain) {
		b->gain = g;
		b->feat = feat;
		b->bin = bin;
		b->mleft = mleft;
	}
}

/* Best regression split on feature j for samples s[lo..hi) of weight W
 * and sum S.  Returns 0 when the feature is constant there. */
static int
eval_reg(struct work *w, const struct train *T, size_t j, size_t lo,
    size_t hi, double W, double S, struct split *best)
{
	const uint8_t *col = T->X + j * T->n;
	const struct smp *s = w->s;
	struct hbin *h = w->h;
	uint64_t bm[4] = { 0, 0, 0, 0 }, word;
	double wm = 0, sm = 0, wn, sn, wl = 0, sl = 0, wr, sr;
	size_t k, nb;
	unsigned b, q;

	for (k = lo; k < hi; k++) {
		b = col[s[k].row];
		h[b].w += s[k].w;
		h[b].s += s[k].w * s[k].y;
		bm[b >> 6] |= 1ULL << (b & 63);
	}
	if (bm[3] >> 63) {
		wm = h[MISSING_BIN].w;
		sm = h[MISSING_BIN].s;
		h[MISSING_BIN].w = h[MISSING_BIN].s = 0;
		bm[3] &= ~(1ULL << 63);
	}
	nb = (size_t)(__builtin_popcountll(bm[0]) + __builtin_popcountll(bm[1])
	    + __builtin_popcountll(bm[2]) + __builtin_popcountll(bm[3]));
	wn = W - wm;
	sn = S - sm;
	for (q = 0; q < 4; q++)
		for (word = bm[q]; word != 0; word &= word - 1) {
			b = q * 64 + (unsigned)__builtin_ctzll(word);
			wl += h[b].w;
			sl += h[b].s;
			h[b].w = h[b].s = 0;
			if (wl >= wn) {	/* the last bin */
				if (wm > 0 && wn > 0)
					consider(best, T->p->min_leaf, wn, wm,
					    sn * sn / wn + sm * sm / wm, j,
					    ALL_LEFT_BIN, 0);
				continue;
			}
			wr = wn - wl;
			sr = sn - sl;
			if (wm == 0) {
				consider(best, T->p->min_leaf, wl, wr,
				    sl * sl / wl + sr * sr / wr, j, b,
				    wl >= wr);
				continue;
			}
			consider(best, T->p->min_leaf, wl, wr + wm, sl * sl /
			    wl + (sr + sm) * (sr + sm) / (wr + wm), j, b, 0);
			consider(best, T->p->min_leaf, wl + wm, wr, (sl + sm) *
			    (sl + sm) / (wl + wm) + sr * sr / wr, j, b, 1);
		}
	return nb > 1 || (nb == 1 && wm > 0);
}

/* The same for classification: Gini, as sum_k c_k^2 / w per side. */
static int
eval_cls(struct work *w, const struct train *T, size_t j, size_t lo,
    size_t hi, double W, struct split *best)
{
	const uint8_t *col = T->X + j * T->n;
	const struct smp *s = w->s;
	const size_t K = T->K;
	struct hbin *h = w->h;
	double *hc = w->hc, *cl = w->cl, *cr = w->cr, *cm = w->cm;
	uint64_t bm[4] = { 0, 0, 0, 0 }, word;
	double wm = 0, wn, wl = 0, wr, sql = 0, sqr = 0, dl = 0, dr = 0,
	    mm = 0, d, *hb;
	size_t k, nb;
	unsigned b, q;

	for (k = lo; k < hi; k++) {
		b = col[s[k].row];
		h[b].w += s[k].w;
		hc[b * K + (size_t)s[k].y] += s[k].w;
		bm[b >> 6] |= 1ULL << (b & 63);
	}
	memset(cm, 0, K * sizeof(double));
	if (bm[3] >> 63) {
		wm = h[MISSING_BIN].w;
		h[MISSING_BIN].w = 0;
		hb = hc + MISSING_BIN * K;
		for (k = 0; k < K; k++) {
			cm[k] = hb[k];
			mm += hb[k] * hb[k];
			hb[k] = 0;
		}
		bm[3] &= ~(1ULL << 63);
	}
	nb = (size_t)(__builtin_popcountll(bm[0]) + __builtin_popcountll(bm[1])
	    + __builtin_popcountll(bm[2]) + __builtin_popcountll(bm[3]));
	wn = W - wm;
	/* cr starts as every non-missing row */
	memset(cl, 0, K * sizeof(double));
	for (k = 0; k < K; k++)
		cr[k] = w->ct[k] - cm[k];
	for (k = 0; k < K; k++) {
		sqr += cr[k] * cr[k];
		dr += cr[k] * cm[k];
	}
	for (q = 0; q < 4; q++)
		for (word = bm[q]; word != 0; word &= word - 1) {
			b = q * 64 + (unsigned)__builtin_ctzll(word);
			hb = hc + b * K;
			wl += h[b].w;
			h[b].w = 0;
			for (k = 0; k < K; k++) {
				if (hb[k] == 0)
					continue;
				d = hb[k];
				sql += d * (2 * cl[k] + d);
				sqr -= d * (2 * cr[k] - d);
				dl += d * cm[k];
				dr -= d * cm[k];
				cl[k] += d;
				cr[k] -= d;
				hb[k] = 0;
			}
			if (wl >= wn) {
				if (wm > 0 && wn > 0)
					consider(best, T->p->min_leaf, wn, wm,
					    sql / wn + mm / wm, j, ALL_LEFT_BIN,
					    0);
				continue;
			}
			wr = wn - wl;
			if (wm == 0) {
				consider(best, T->p->min_leaf, wl, wr,
				    sql / wl + sqr / wr, j, b, wl >= wr);
				continue;
			}
			consider(best, T->p->min_leaf, wl, wr + wm, sql / wl +
			    (sqr + 2 * dr + mm) / (wr + wm), j, b, 0);
			consider(best, T->p->min_leaf, wl + wm, wr, (sql + 2 *
			    dl + mm) / (wl + wm) + sqr / wr, j, b, 1);
		}
	return nb > 1 || (nb == 1 && wm > 0);
}

static uint32_t
new_leaf(struct ftree *tr, struct work *w, size_t K)
{
	size_t per = K > 0 ? K : 1;

	if (tr->nleaf == w->leafcap) {
		w->leafcap = w->leafcap ? 2 * w->leafcap : 256;
		tr->val = tl_xreallocarray(tr->val, w->leafcap * per,
		    sizeof(double));
	}
	return tr->nleaf++;
}

static void
push(struct work *w, uint32_t node, size_t lo, size_t hi, size_t depth)
{
	if (w->nstack == w->stackcap) {
		w->stackcap = w->stackcap ? 2 * w->stackcap : 64;
		w->stack = tl_xreallocarray(w->stack, w->stackcap,
		    sizeof(*w->stack));
	}
	w->stack[w->nstack].node = node;
	w->stack[w->nstack].lo = (uint32_t)lo;
	w->stack[w->nstack].hi = (uint32_t)hi;
	w->stack[w->nstack].depth = (uint32_t)depth;
	w->nstack++;
}

/* Grow tree tr on samples s[0..m) (depth first). */
static void
grow(struct train *T, struct work *w, struct ftree *tr, size_t m,
    gsl_rng *rng, double *imp)
{
	const struct tl_forest_params *p = T->p;
	const size_t K = T->K, nf = T->nf;
	struct smp *s = w->s;
	struct split best;
	struct span sp;
	double W, S, SS, ymin, ymax, parent, imp0, tmpd;
	size_t k, j, r, tried, nl, nr, t;
	uint32_t leaf;
	int pure;

	tr->nnode = 1;
	w->nodecap = 1024;
	tr->node = tl_xcalloc(w->nodecap, sizeof(struct fnode));
	tr->nleaf = 0;
	w->leafcap = 0;
	tr->val = NULL;
	w->nstack = 0;
	for (j = 0; j < nf; j++)
		w->fperm[j] = j;
	push(w, 0, 0, m, 0);
	while (w->nstack > 0) {
		sp = w->stack[--w->nstack];
		W = S = SS = 0;
		ymin = INFINITY;
		ymax = -INFINITY;
		if (K > 0)
			memset(w->ct, 0, K * sizeof(double));
		for (k = sp.lo; k < sp.hi; k++) {
			if (K > 0)
				w->ct[(size_t)s[k].y] += s[k].w;
			else {
				S += s[k].w * s[k].y;
				SS += s[k].w * s[k].y * s[k].y;
			}
			W += s[k].w;
			if (s[k].y < ymin)
				ymin = s[k].y;
			if (s[k].y > ymax)
				ymax = s[k].y;
		}
		pure = ymin == ymax;
		if (K > 0) {
			parent = 0;
			for (k = 0; k < K; k++)
				parent += w->ct[k] * w->ct[k];
			parent /= W;
			imp0 = W - parent;
		} else {
			parent = S * S / W;
			imp0 = SS - parent;
		}
		best.gain = parent + MIN_GAIN_SHARE * imp0;
		best.feat = nf;
		best.bin = 0;
		best.mleft = 0;
		if (!pure && W >= 2.0 * (double)p->min_leaf &&
		    (p->max_depth == 0 || sp.depth < p->max_depth)) {
			/* mtry features that are not constant here, drawn
			 * without replacement (scikit-learn's rule) */
			for (j = tried = 0; j < nf && tried < p->mtry; j++) {
				r = j + tl_rng_below(rng, nf - j);
				t = w->fperm[j];
				w->fperm[j] = w->fperm[r];
				w->fperm[r] = t;
				if (K > 0)
					tried += (size_t)eval_cls(w, T,
					    w->fperm[j], sp.lo, sp.hi, W,
					    &best);
				else
					tried += (size_t)eval_reg(w, T,
					    w->fperm[j], sp.lo, sp.hi, W, S,
					    &best);
			}
		}
		if (best.feat == nf) {
			leaf = new_leaf(tr, w, K);
			tr->node[sp.node].child = leaf;
			tr->node[sp.node].feat = 0;	/* unused, but saved */
			tr->node[sp.node].bin = 0;
			tr->node[sp.node].flags = N_LEAF;
			if (K > 0)
				for (k = 0; k < K; k++)
					tr->val[leaf * K + k] = w->ct[k] / W;
			else
				tr->val[leaf] = S / W + T->ymean;
			continue;
		}
		imp[best.feat] += best.gain - parent;
		/* stable partition: left in place, right through tmp */
		{
			const uint8_t *col = T->X + best.feat * T->n;
			unsigned b;
			int left;

			nl = nr = 0;
			for (k = sp.lo; k < sp.hi; k++) {
				b = col[s[k].row];
				left = b == MISSING_BIN ? best.mleft :
				    b <= best.bin;
				if (left)
					s[sp.lo + nl++] = s[k];
				else
					w->tmp[nr++] = s[k];
			}
			memcpy(s + sp.lo + nl, w->tmp, nr * sizeof(*s));
		}
		if (tr->nnode + 2 > w->nodecap) {
			w->nodecap *= 2;
			tr->node = tl_xreallocarray(tr->node, w->nodecap,
			    sizeof(struct fnode));
		}
		tr->node[sp.node].child = tr->nnode;
		tr->node[sp.node].feat = (uint16_t)best.feat;
		tr->node[sp.node].bin = (uint8_t)best.bin;
		tr->node[sp.node].flags = best.mleft ? N_MLEFT : 0;
		tr->nnode += 2;
		tmpd = (double)sp.depth + 1;
		push(w, tr->nnode - 1, sp.lo + nl, sp.hi, (size_t)tmpd);
		push(w, tr->nnode - 2, sp.lo, sp.lo + nl, (size_t)tmpd);
	}
	tr->node = tl_xreallocarray(tr->node, tr->nnode, sizeof(struct fnode));
	tr->val = tl_xreallocarray(tr->val, tr->nleaf * (K > 0 ? K : 1),
	    sizeof(double));
}

/* Loss of a leaf for the row with target y: squared error, or 0/1 for
 * the leaf's most frequent class. */
static inline double
leaf_loss(const struct ftree *tr, size_t K, uint32_t leaf, double y)
{
	const double *v;
	size_t k, arg = 0;
	double d;

	if (K == 0) {
		d = y - tr->val[leaf];
		return d * d;
	}
	v = tr->val + leaf * K;
	for (k = 1; k < K; k++)
		if (v[k] > v[arg])
			arg = k;
	return arg != (size_t)y;
}

/* Add the tree's predictions of its OOB rows to the forest's sums; with
 * rng, also their loss with each feature permuted among them (one
 * permutation per tree) into delta: only the path below the first node
 * on the feature can change, so a row is walked once, then again from
 * there for each feature on its path. */
static void
tree_oob(struct train *T, struct work *w, const struct ftree *tr,
    size_t noob, gsl_rng *rng, double *delta)
{
	const size_t nf = T->nf;
	const uint8_t *XR = T->XR, *xr, *xd;
	double y, l0, yc;
	size_t k, r, d, depth, q, nseen, j;
	uint32_t i, t, leaf;
	unsigned b;

	for (k = 0; k < noob; k++) {
		r = w->oob[k];
		leaf = leaf_of(tr->node, 0, XR + r * nf, 1);
		__atomic_fetch_add(&T->oob_cnt[r], 1, __ATOMIC_RELAXED);
		if (T->K == 0)
			__atomic_fetch_add(&T->oob_sum[r], (int64_t)llround(
			    (tr->val[leaf] - T->ymean) * T->scale),
			    __ATOMIC_RELAXED);
		else
			for (q = 0; q < T->K; q++)
				__atomic_fetch_add(&T->oob_sum[r * T->K + q],
				    (int64_t)llround(tr->val[leaf * T->K + q] *
				    T->scale), __ATOMIC_RELAXED);
	}
	if (rng == NULL)
		return;
	for (k = 0; k < noob; k++)
		w->donor[k] = w->oob[k];
	for (k = noob; k > 1; k--) {
		r = tl_rng_below(rng, k);
		t = w->donor[k - 1];
		w->donor[k - 1] = w->donor[r];
		w->donor[r] = t;
	}
	for (k = 0; k < noob; k++) {
		r = w->oob[k];
		d = w->donor[k];
		xr = XR + r * nf;
		xd = XR + d * nf;
		y = T->K > 0 ? T->y[r] : T->y[r] + T->ymean;
		w->curstamp++;
		nseen = depth = 0;
		i = 0;
		while (!(tr->node[i].flags & N_LEAF)) {
			if (depth == w->pathcap) {
				w->pathcap = w->pathcap ? 2 * w->pathcap : 64;
				w->path = tl_xreallocarray(w->path,
				    w->pathcap, sizeof(uint32_t));
			}
			w->path[depth] = i;
			j = tr->node[i].feat;
			if (w->stamp[j] != w->curstamp) {
				w->stamp[j] = w->curstamp;
				w->first[j] = (uint32_t)depth;
				w->seen[nseen++] = j;
			}
			depth++;
			b = xr[j];
			i = tr->node[i].child + (b > tr->node[i].bin) -
			    ((b == MISSING_BIN) & (tr->node[i].flags & N_MLEFT ?
			    1u : 0u));
		}
		l0 = leaf_loss(tr, T->K, tr->node[i].child, y);
		for (q = 0; q < nseen; q++) {
			j = w->seen[q];
			b = xd[j];
			if (b == xr[j])
				continue;
			i = w->path[w->first[j]];
			while (!(tr->node[i].flags & N_LEAF)) {
				unsigned bb = tr->node[i].feat == j ? b :
				    xr[tr->node[i].feat];

				i = tr->node[i].child + (bb > tr->node[i].bin) -
				    ((bb == MISSING_BIN) & (tr->node[i].flags &
				    N_MLEFT ? 1u : 0u));
			}
			leaf = tr->node[i].child;
			yc = leaf_loss(tr, T->K, leaf, y);
			delta[j] += yc - l0;
		}
	}
	for (j = 0; j < nf; j++)
		delta[j] /= (double)noob;
}

static void
grow_task(void *ctx, size_t t, int worker)
{
	struct train *T = ctx;
	struct work *w = &T->work[worker];
	struct ftree *tr = &T->f->tree[t];
	gsl_rng *rng;
	size_t i, m, noob, r;
	uint32_t tmp;

	rng = tl_rng_alloc(T->p->seed, 2 * t + 1);
	memset(w->cnt, 0, T->n * sizeof(uint32_t));
	if (T->p->bootstrap)
		for (i = 0; i < T->ndraw; i++)
			w->cnt[tl_rng_below(rng, T->n)]++;
	else {	/* the first ndraw of a shuffle, in oob as scratch */
		for (i = 0; i < T->n; i++)
			w->oob[i] = (uint32_t)i;
		for (i = 0; i < T->ndraw; i++) {
			r = i + tl_rng_below(rng, T->n - i);
			tmp = w->oob[i];
			w->oob[i] = w->oob[r];
			w->oob[r] = tmp;
			w->cnt[w->oob[i]] = 1;
		}
	}
	for (i = m = noob = 0; i < T->n; i++)
		if (w->cnt[i] > 0) {
			w->s[m].row = (uint32_t)i;
			w->s[m].w = w->cnt[i];
			w->s[m].y = T->y[i];
			m++;
		} else
			w->oob[noob++] = (uint32_t)i;
	grow(T, w, tr, m, rng, T->imp_gain + t * T->nf);
	tl_rng_free(rng);
	T->noob[t] = noob;
	rng = NULL;
	if (T->p->permutation && noob > 0)
		rng = tl_rng_alloc(T->p->seed, 2 * t + 2);
	tree_oob(T, w, tr, noob, rng, T->imp_perm + t * T->nf);
	tl_rng_free(rng);
	tl_progress_add(T->p->progress, 1);
}

/* ---- out-of-bag figures ------------------------------------------------ */

struct ranked {
	const char	*name;		/* feature */
	double		 v;		/* importance */
	size_t		 i;		/* index, for ties */
};

static int
cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->v != y->v)
		return x->v > y->v ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static json_t *
jnum(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

/* Importances as [{feature, importance}], decreasing. */
static json_t *
ranking(const struct tl_forest *f, const double *v)
{
	struct ranked *r;
	json_t *a;
	size_t i;

	r = tl_xcalloc(f->nf, sizeof(*r));
	for (i = 0; i < f->nf; i++) {
		r[i].name = f->feat[i].name;
		r[i].v = v[i];
		r[i].i = i;
	}
	qsort(r, f->nf, sizeof(*r), cmp_ranked);
	a = json_array();
	for (i = 0; i < f->nf; i++)
		json_array_append_new(a, json_pack("{s:s,s:o}", "feature",
		    r[i].name, "importance", jnum(r[i].v)));
	free(r);
	return a;
}

/* OOB figures, the baseline and the importances into f->info. */
static void
figures(struct train *T, size_t nrow, size_t nskip)
{
	struct tl_forest *f = T->f;
	const int64_t *osum = T->oob_sum;
	const uint32_t *ocnt = T->oob_cnt;
	double *gain, *perm, se = 0, st = 0, ymean = 0, ll = 0, bll = 0, pk,
	    *prior = NULL, y, pred, best;
	size_t i, t, k, arg, n = T->n, no = 0, right = 0, nperm = 0,
	    K = T->K;
	json_t *oob, *base, *imp;

	oob = json_object();
	base = json_object();
	if (K == 0) {
		for (i = 0; i < n; i++)
			if (ocnt[i] > 0) {
				ymean += T->y[i];
				no++;
			}
		ymean = no > 0 ? ymean / (double)no : 0;
		for (i = 0; i < n; i++) {
			if (ocnt[i] == 0)
				continue;
			pred = (double)osum[i] / T->scale / ocnt[i];
			se += (T->y[i] - pred) * (T->y[i] - pred);
			st += (T->y[i] - ymean) * (T->y[i] - ymean);
		}
		json_object_set_new(oob, "n", json_integer((json_int_t)no));
		json_object_set_new(oob, "mse", jnum(no > 0 ? se / no : NAN));
		json_object_set_new(oob, "r2", jnum(no > 0 && st > 0 ? 1 -
		    se / st : NAN));
		st = 0;
		for (i = 0; i < n; i++)
			st += T->y[i] * T->y[i];	/* centred */
		json_object_set_new(base, "prediction", json_real(T->ymean));
		json_object_set_new(base, "mse", json_real(st / (double)n));
	} else {
		prior = tl_xcalloc(K, sizeof(double));
		for (i = 0; i < n; i++)
			prior[(size_t)T->y[i]]++;
		for (k = arg = 0; k < K; k++) {
			if (prior[k] > prior[arg])
				arg = k;
			prior[k] /= (double)n;
		}
		for (i = 0; i < n; i++) {
			y = T->y[i];
			bll -= log(prior[(size_t)y]);
			if (ocnt[i] == 0)
				continue;
			no++;
			for (k = 0, best = -1, t = 0; k < K; k++)
				if ((double)osum[i * K + k] > best) {
					best = (double)osum[i * K + k];
					t = k;
				}
			right += t == (size_t)y;
			pk = (double)osum[i * K + (size_t)y] / T->scale /
			    ocnt[i];
			ll -= log(pk < LOGLOSS_EPS ? LOGLOSS_EPS : pk);
		}
		json_object_set_new(oob, "n", json_integer((json_int_t)no));
		json_object_set_new(oob, "accuracy", jnum(no > 0 ?
		    (double)right / no : NAN));
		json_object_set_new(oob, "logloss", jnum(no > 0 ? ll / no :
		    NAN));
		json_object_set_new(base, "prediction", json_loads(
		    f->class_json[arg], JSON_DECODE_ANY, NULL));
		json_object_set_new(base, "accuracy", json_real(prior[arg]));
		json_object_set_new(base, "logloss", json_real(bll / n));
	}
	/* importances summed in tree order */
	gain = tl_xcalloc(T->nf, sizeof(double));
	perm = tl_xcalloc(T->nf, sizeof(double));
	for (t = 0; t < f->ntree; t++) {
		for (i = 0; i < T->nf; i++)
			gain[i] += T->imp_gain[t * T->nf + i];
		if (T->p->permutation && T->noob[t] > 0) {
			nperm++;
			for (i = 0; i < T->nf; i++)
				perm[i] += T->imp_perm[t * T->nf + i];
		}
	}
	for (i = 0; i < T->nf; i++) {
		gain[i] /= (double)f->ntree * (double)T->ndraw;
		perm[i] = nperm > 0 ? perm[i] / (double)nperm : NAN;
	}
	imp = json_object();
	json_object_set_new(imp, "impurity", ranking(f, gain));
	if (T->p->permutation)
		json_object_set_new(imp, "permutation", ranking(f, perm));
	f->info = json_object();
	json_object_set_new(f->info, "n_rows", json_integer((json_int_t)nrow));
	json_object_set_new(f->info, "n_skipped", json_integer(
	    (json_int_t)nskip));
	json_object_set_new(f->info, "oob", oob);
	json_object_set_new(f->info, "baseline", base);
	json_object_set_new(f->info, "importance", imp);
	free(prior);
	free(gain);
	free(perm);
}

/* ---- training ------------------------------------------------------------ */

/* The classes of target column c over rows[0..n): labels sorted (false
 * before true, numbers by value, strings bytewise), y = class index. */
static int
make_classes(struct tl_forest *f, const struct fcol *c, const size_t *rows,
    size_t n, double *y, struct tl_err *err)
{
	double *vals = NULL;
	char num[TL_NUM_BUFSZ], **names = NULL;
	size_t i, k, nv = 0, *map = NULL;
	struct tl_buf b;

	tl_buf_init(&b);
	if (c->type == CT_STR) {
		names = tl_xcalloc(c->ncat, sizeof(char *));
		for (i = 0; i < c->ncat; i++)
			names[i] = c->cat[i];
		qsort(names, c->ncat, sizeof(char *), cmp_class);
		nv = c->ncat;
	} else {
		vals = tl_xcalloc(n, sizeof(double));
		for (i = 0; i < n; i++)
			vals[i] = c->v[rows[i]];
		qsort(vals, n, sizeof(double), tl_cmp_double);
		for (i = 0; i < n; i++)
			if (i == 0 || vals[i] != vals[i - 1])
				vals[nv++] = vals[i];
	}
	if (nv > TL_FOREST_MAX_CLASSES) {
		free(vals);
		free(names);
		tl_buf_release(&b);
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "target '%s' "
		    "has %zu classes, more than %d (use --regression?)",
		    f->target, nv, TL_FOREST_MAX_CLASSES);
	}
	f->K = nv;
	f->class_json = tl_xcalloc(nv, sizeof(char *));
	f->class_name = tl_xcalloc(nv, sizeof(char *));
	map = tl_xcalloc(c->type == CT_STR ? c->ncat : 1, sizeof(size_t));
	for (k = 0; k < nv; k++) {
		tl_buf_reset(&b);
		if (c->type == CT_STR) {
			tl_jv_append_string(&b, names[k], strlen(names[k]));
			f->class_name[k] = tl_xstrdup(names[k]);
			for (i = 0; i < c->ncat; i++)
				if (c->cat[i] == names[k])
					map[i] = k;
		} else if (c->type == CT_BOOL) {
			tl_buf_adds(&b, vals[k] != 0 ? "true" : "false");
			f->class_name[k] = tl_xstrdup(b.data);
		} else {
			tl_fmt_double(num, vals[k]);
			tl_buf_adds(&b, num);
			f->class_name[k] = tl_xstrdup(num);
		}
		f->class_json[k] = tl_xstrdup(b.data);
	}
	for (i = 0; i < n; i++) {
		double x = c->v[rows[i]];

		if (c->type == CT_STR)
			y[i] = (double)map[(size_t)x];
		else {
			double *hit = bsearch(&x, vals, nv, sizeof(double),
			    tl_cmp_double);

			y[i] = (double)(hit - vals);
		}
	}
	free(map);
	free(vals);
	free(names);
	tl_buf_release(&b);
	return 0;
}

static const char *
task_name(enum tl_forest_task t)
{
	return t == TL_FOREST_CLASSIFICATION ? "classification" :
	    "regression";
}

struct tl_forest *
tl_forest_train(const struct tl_fdata *d, const char *target,
    const struct tl_fselect *sel, const struct tl_forest_params *p0,
    void (*warn)(const char *fmt, ...), struct tl_err *err)
{
	struct tl_forest *f = NULL;
	struct train T;
	struct prep P;
	const struct fcol *tc;
	uintptr_t *slot;
	size_t *col = NULL, *rows = NULL, *hits = NULL, i, j, n, nf = 0, tci;
	double *y = NULL, sum = 0;
	uint8_t *X = NULL, *XR = NULL;
	int keep, ok = 0;

	memset(&T, 0, sizeof(T));
	if (d->nrow == 0) {
		tl_err_set(err, TL_EX_DATAERR, NULL, 0, "no rows in the input");
		return NULL;
	}
	if ((slot = tl_map_get(d->index, target, strlen(target))) == NULL) {
		tl_err_set(err, TL_EX_DATAERR, NULL, 0, "target '%s': no such "
		    "column in the input", target);
		return NULL;
	}
	tci = *slot - 1;
	tc = &d->col[tci];
	if (tc->type == CT_NONE || tc->type == CT_ARRAY) {
		tl_err_set(err, TL_EX_DATAERR, NULL, 0, "target '%s': %s",
		    target, tc->type == CT_NONE ? "no row has a value" :
		    "arrays cannot be a target");
		return NULL;
	}
	f = tl_xcalloc(1, sizeof(*f));
	f->target = tl_xstrdup(target);
	f->p = *p0;
	f->task = p0->task;
	if (f->task == TL_FOREST_AUTO)
		f->task = tc->type == CT_NUM ? TL_FOREST_REGRESSION :
		    TL_FOREST_CLASSIFICATION;
	if (f->task == TL_FOREST_REGRESSION && tc->type == CT_STR) {
		tl_err_set(err, TL_EX_DATAERR, NULL, 0, "target '%s' holds "
		    "strings: regression needs numbers (or booleans)", target);
		goto out;
	}
	/* the features */
	col = tl_xcalloc(d->ncol, sizeof(size_t));
	hits = tl_xcalloc(sel->n_include + sel->n_exclude + 1, sizeof(size_t));
	for (i = 0; i < d->ncol; i++) {
		if (i == tci)
			continue;
		keep = sel->n_include == 0;
		for (j = 0; j < sel->n_include; j++)
			if (pattern_match(sel->include[j], d->col[i].name)) {
				keep = 1;
				hits[j]++;
			}
		for (j = 0; j < sel->n_exclude; j++)
			if (pattern_match(sel->exclude[j], d->col[i].name)) {
				keep = 0;
				hits[sel->n_include + j]++;
			}
		if (!keep)
			continue;
		if (d->col[i].type == CT_ARRAY || d->col[i].type == CT_NONE) {
			if (warn != NULL)
				warn("column '%s' %s: not a feature",
				    d->col[i].name, d->col[i].type == CT_NONE ?
				    "has no values" : "holds arrays");
			continue;
		}
		col[nf++] = i;
	}
	for (j = 0; j < sel->n_include; j++)
		if (hits[j] == 0) {
			tl_err_set(err, TL_EX_DATAERR, NULL, 0, "feature '%s': "
			    "no such column in the input", sel->include[j]);
			goto out;
		}
	for (j = 0; j < sel->n_exclude; j++)
		if (hits[sel->n_include + j] == 0 && warn != NULL)
			warn("--exclude '%s' matches no column",
			    sel->exclude[j]);
	if (nf == 0) {
		tl_err_set(err, TL_EX_DATAERR, NULL, 0, "no feature columns "
		    "besides the target '%s'", target);
		goto out;
	}
	if (nf > TL_FOREST_MAX_FEATURES) {
		tl_err_set(err, TL_EX_DATAERR, NULL, 0, "%zu features: at most "
		    "%d are supported", nf, TL_FOREST_MAX_FEATURES);
		goto out;
	}
	/* the rows with a target */
	rows = tl_xcalloc(d->nrow, sizeof(size_t));
	for (i = n = 0; i < d->nrow; i++)
		if (!isnan(tc->v[i]))
			rows[n++] = i;
	if (n < 2) {
		tl_err_set(err, TL_EX_DATAERR, NULL, 0, "need at least 2 rows "
		    "with a value for target '%s', got %zu", target, n);
		goto out;
	}
	if (n > UINT32_MAX) {
		tl_err_set(err, TL_EX_DATAERR, NULL, 0, "%zu rows: at most %lu "
		    "are supported", n, (unsigned long)UINT32_MAX);
		goto out;
	}
	y = tl_xcalloc(n, sizeof(double));
	if (f->task == TL_FOREST_CLASSIFICATION) {
		if (make_classes(f, tc, rows, n, y, err) == -1)
			goto out;
		if (f->K < 2) {
			tl_err_set(err, TL_EX_DATAERR, NULL, 0, "target '%s' is "
			    "constant (%s in every row): nothing to learn",
			    target, f->class_name[0]);
			goto out;
		}
	} else {
		for (i = 0; i < n; i++)
			sum += tc->v[rows[i]];
		T.ymean = sum / (double)n;
		for (i = 0, keep = 1; i < n; i++) {
			y[i] = tc->v[rows[i]] - T.ymean;
			keep &= tc->v[rows[i]] == tc->v[rows[0]];
		}
		if (keep) {
			char num[TL_NUM_BUFSZ];

			tl_fmt_double(num, tc->v[rows[0]]);
			tl_err_set(err, TL_EX_DATAERR, NULL, 0, "target '%s' is "
			    "constant (%s in every row): nothing to learn",
			    target, num);
			goto out;
		}
	}
	/* options */
	if (f->p.mtry == 0) {
		f->p.mtry = (size_t)floor(sqrt((double)nf));
		if (f->p.mtry < 1)
			f->p.mtry = 1;
	}
	if (f->p.mtry > nf) {
		tl_err_set(err, TL_EX_USAGE, "--mtry", 0, "%zu is more than "
		    "the %zu features", f->p.mtry, nf);
		goto out;
	}
	if (f->p.min_leaf == 0)
		f->p.min_leaf = f->task == TL_FOREST_REGRESSION ? 5 : 1;
	if (f->p.sample_fraction == 0)
		f->p.sample_fraction = f->p.bootstrap ? 1 : 0.632;
	if (f->p.trees == 0)
		f->p.trees = 1;
	T.ndraw = (size_t)llround(f->p.sample_fraction * (double)n);
	if (T.ndraw < 1)
		T.ndraw = 1;
	if (!f->p.bootstrap && T.ndraw > n) {
		tl_err_set(err, TL_EX_USAGE, "--sample-fraction", 0, "above 1 "
		    "needs bootstrap (drawing with replacement)");
		goto out;
	}
	/* binning */
	f->nf = nf;
	f->feat = tl_xcalloc(nf, sizeof(struct feat));
	for (j = 0; j < nf; j++) {
		f->feat[j].name = tl_xstrdup(d->col[col[j]].name);
		f->feat[j].type = d->col[col[j]].type;
	}
	X = tl_xcalloc(nf, n);
	P.d = d;
	P.f = f;
	P.col = col;
	P.rows = rows;
	P.n = n;
	P.y = y;
	P.X = X;
	tl_par_for(f->p.threads, nf, prep_feature, &P);
	build_index(f);
	/* trees */
	f->ntree = f->p.trees;
	f->tree = tl_xcalloc(f->ntree, sizeof(struct ftree));
	T.p = &f->p;
	T.n = n;
	T.nf = nf;
	T.K = f->K;
	T.X = X;
	/* the out-of-bag walks read a row's bins at a time, and a row's
	 * donor's: one cache line each, where the columns are nf apart */
	XR = tl_xcalloc(n, nf);
	for (j = 0; j < nf; j++)
		for (i = 0; i < n; i++)
			XR[i * nf + j] = X[j * n + i];
	T.XR = XR;
	T.y = y;
	T.f = f;
	T.oob_sum = tl_xcalloc(n * (f->K > 0 ? f->K : 1), sizeof(int64_t));
	T.oob_cnt = tl_xcalloc(n, sizeof(uint32_t));
	/* fixed point with room for the sum of every tree's largest
	 * value: leaf means lie within the targets' range */
	{
		double big = 1;
		int e;

		if (f->K == 0)
			for (i = 0, big = 0; i < n; i++)
				big = fmax(big, fabs(y[i]));
		frexp(big * (double)f->ntree, &e);
		T.scale = ldexp(1, 61 - e);
	}
	T.imp_gain = tl_xcalloc(nf * f->ntree, sizeof(double));
	T.imp_perm = tl_xcalloc(f->p.permutation ? nf * f->ntree : 1,
	    sizeof(double));
	T.noob = tl_xcalloc(f->ntree, sizeof(size_t));
	T.work = tl_xcalloc((size_t)(f->p.threads > 0 ? f->p.threads : 1),
	    sizeof(struct work));
	for (i = 0; i < (size_t)(f->p.threads > 0 ? f->p.threads : 1); i++)
		work_init(&T.work[i], &T);
	tl_par_for(f->p.threads, f->ntree, grow_task, &T);
	f->p.progress = NULL;	/* the caller's, only while growing */
	for (i = 0; i < (size_t)(f->p.threads > 0 ? f->p.threads : 1); i++)
		work_release(&T.work[i]);
	free(T.work);
	figures(&T, n, d->nrow - n);
	ok = 1;
out:
	free(T.oob_sum);
	free(T.oob_cnt);
	free(T.imp_gain);
	free(T.imp_perm);
	free(T.noob);
	free(X);
	free(XR);
	free(y);
	free(rows);
	free(hits);
	free(col);
	if (!ok) {
		tl_forest_free(f);
		return NULL;
	}
	return f;
}

/* ---- summary and model header ----------------------------------------- */

static json_t *
options_json(const struct tl_forest *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "trees", json_integer((json_int_t)f->p.trees));
	json_object_set_new(o, "mtry", json_integer((json_int_t)f->p.mtry));
	json_object_set_new(o, "min_leaf", json_integer(
	    (json_int_t)f->p.min_leaf));
	json_object_set_new(o, "max_depth", json_integer(
	    (json_int_t)f->p.max_depth));
	json_object_set_new(o, "sample_fraction", json_real(
	    f->p.sample_fraction));
	json_object_set_new(o, "bootstrap", json_boolean(f->p.bootstrap));
	json_object_set_new(o, "seed", json_integer((json_int_t)f->p.seed));
	json_object_set_new(o, "permutation", json_boolean(f->p.permutation));
	return o;
}

static void
copy_info(json_t *dst, const json_t *info)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)info, k, v)
		json_object_set(dst, k, v);
}

json_t *
tl_forest_summary(const struct tl_forest *f)
{
	json_t *s;

	s = json_pack("{s:s,s:i,s:s,s:s}", "format", TL_FOREST_SUMMARY,
	    "version", TL_FOREST_SUMMARY_VERSION, "task", task_name(f->task),
	    "target", f->target);
	json_object_set_new(s, "n_features", json_integer((json_int_t)f->nf));
	json_object_set_new(s, "options", options_json(f));
	copy_info(s, f->info);
	return s;
}

static const char *
ftype_name(enum ctype t)
{
	return t == CT_STR ? "category" : t == CT_BOOL ? "boolean" : "number";
}

static json_t *
header_json(const struct tl_forest *f)
{
	json_t *h, *fa, *fe, *a, *c;
	size_t i, j;

	h = json_pack("{s:s,s:i,s:s,s:s}", "format", TL_FOREST_FORMAT,
	    "version", TL_FOREST_VERSION, "task", task_name(f->task),
	    "target", f->target);
	fa = json_array();
	for (i = 0; i < f->nf; i++) {
		fe = json_pack("{s:s,s:s}", "name", f->feat[i].name, "type",
		    ftype_name(f->feat[i].type));
		if (f->feat[i].type == CT_STR) {
			a = json_array();
			for (j = 0; j < f->feat[i].ncat; j++)
				json_array_append_new(a, json_string(
				    f->feat[i].cat[j]));
			json_object_set_new(fe, "categories", a);
		}
		a = json_array();
		for (j = 0; j < f->feat[i].nbound; j++)
			json_array_append_new(a, json_real(f->feat[i].bound[j]));
		json_object_set_new(fe, "bounds", a);
		json_array_append_new(fa, fe);
	}
	json_object_set_new(h, "features", fa);
	if (f->K > 0) {
		c = json_array();
		for (i = 0; i < f->K; i++)
			json_array_append_new(c, json_loads(f->class_json[i],
			    JSON_DECODE_ANY, NULL));
		json_object_set_new(h, "classes", c);
	}
	json_object_set_new(h, "options", options_json(f));
	copy_info(h, f->info);
	json_object_set_new(h, "trees", json_integer((json_int_t)f->ntree));
	return h;
}

/* ---- model files -------------------------------------------------------- */

static int
host_little(void)
{
	const uint16_t one = 1;

	return *(const uint8_t *)&one == 1;
}

/*
 * The checksum of a model's tree block, "mix64x4": the block is a whole
 * number of little-endian 64-bit words w_i (counts, nodes and leaf values
 * are all 8 bytes or pairs of 4); four lanes start at the first 256 bits
 * of pi's fraction, word i goes to lane i mod 4 as
 *     h = rotl64((h ^ w_i) * K, 29),   K = 0x9e3779b97f4a7c15,
 * and the lanes are folded, from the byte count r = n, as
 *     r = (r ^ h_j) * K; r ^= r >> 29   for j = 0..3.
 * Each step is a bijection of the lane for a given word, so any change
 * inside one word always changes the sum; the four lanes keep four
 * multiplications in flight: 0.4 ms for a 7.6 MB forest, where zlib's
 * CRC-32 took 4.6 ms (half again of loading it).
 */
#define MIX_K		0x9e3779b97f4a7c15ULL

struct mix64x4 {
	uint64_t	h[4];		/* the lanes */
	uint64_t	n;		/* bytes summed */
};

static void
mix_init(struct mix64x4 *m)
{
	static const uint64_t pi[4] = { 0x243f6a8885a308d3ULL,
	    0x13198a2e03707344ULL, 0xa4093822299f31d0ULL,
	    0x082efa98ec4e6c89ULL };

	memcpy(m->h, pi, sizeof(pi));
	m->n = 0;
}

static inline uint64_t
mix_step(uint64_t h, uint64_t w)
{
	h = (h ^ w) * MIX_K;
	return h << 29 | h >> 35;
}

/* Add n bytes at p (n a multiple of 8, m->n too, p any alignment). */
static void
mix_add(struct mix64x4 *m, const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t w[4];
	size_t i, lane = (size_t)(m->n / 8) % 4;

	for (i = 0; i + 32 <= n && lane == 0; i += 32) {
		memcpy(w, b + i, 32);
		m->h[0] = mix_step(m->h[0], w[0]);
		m->h[1] = mix_step(m->h[1], w[1]);
		m->h[2] = mix_step(m->h[2], w[2]);
		m->h[3] = mix_step(m->h[3], w[3]);
	}
	for (; i + 8 <= n; i += 8) {
		memcpy(w, b + i, 8);
		m->h[lane] = mix_step(m->h[lane], w[0]);
		lane = (lane + 1) % 4;
	}
	m->n += n;
}

static uint64_t
mix_end(const struct mix64x4 *m)
{
	uint64_t r = m->n;
	int j;

	for (j = 0; j < 4; j++) {
		r = (r ^ m->h[j]) * MIX_K;
		r ^= r >> 29;
	}
	return r;
}

/* The bytes and checksum of the tree block that tl_forest_save writes:
 * for each tree its two counts, nodes and leaf values. */
static void
tree_block_sum(const struct tl_forest *f, size_t *bytes, uint64_t *sum)
{
	size_t t, per = f->K > 0 ? f->K : 1;
	struct mix64x4 m;
	uint32_t cnt[2];

	mix_init(&m);
	for (t = 0; t < f->ntree; t++) {
		const struct ftree *tr = &f->tree[t];

		cnt[0] = tr->nnode;
		cnt[1] = tr->nleaf;
		mix_add(&m, cnt, sizeof(cnt));
		mix_add(&m, tr->node, tr->nnode * sizeof(struct fnode));
		mix_add(&m, tr->val, tr->nleaf * per * sizeof(double));
	}
	*bytes = (size_t)m.n;
	*sum = mix_end(&m);
}

int
tl_forest_save(const struct tl_forest *f, FILE *fp, const char *name,
    struct tl_err *err)
{
	struct tl_buf b;
	json_t *h;
	size_t t, per = f->K > 0 ? f->K : 1, bytes;
	uint32_t cnt[2];
	uint64_t crc;
	char sum[32];
	int rc = 0;

	if (!host_little())
		return tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "model files "
		    "are little-endian; this machine is not");
	h = header_json(f);
	tree_block_sum(f, &bytes, &crc);
	snprintf(sum, sizeof(sum), CHECKSUM_PREFIX "%016llx",
	    (unsigned long long)crc);
	json_object_set_new(h, "tree_bytes", json_integer((json_int_t)bytes));
	json_object_set_new(h, "checksum", json_string(sum));
	json_object_set_new(h, "binary", json_pack("{s:s,s:s,s:s}",
	    "byte_order", "little", "tree", "u32 nodes, u32 leaves, nodes, "
	    "leaf values", "node", "u32 child or leaf, u16 feature, u8 bin, "
	    "u8 flags (1 leaf, 2 missing left)"));
	tl_buf_init(&b);
	tl_json_append(&b, h);
	while ((b.len + 1) % 8 != 0)	/* the trees start 8-aligned */
		tl_buf_addc(&b, ' ');
	tl_buf_addc(&b, '\n');
	json_decref(h);
	if (fwrite(b.data, 1, b.len, fp) != b.len)
		rc = -1;
	tl_buf_release(&b);
	for (t = 0; t < f->ntree && rc == 0; t++) {
		const struct ftree *tr = &f->tree[t];

		cnt[0] = tr->nnode;
		cnt[1] = tr->nleaf;
		if (fwrite(cnt, sizeof(cnt), 1, fp) != 1 ||
		    fwrite(tr->node, sizeof(struct fnode), tr->nnode, fp) !=
		    tr->nnode || fwrite(tr->val, sizeof(double) * per,
		    tr->nleaf, fp) != tr->nleaf)
			rc = -1;
	}
	if (rc == -1)
		return tl_err_set(err, TL_EX_IOERR, name, 0, "write error: %s",
		    strerror(errno));
	return 0;
}

static int
damaged(struct tl_err *err, const char *path, const char *why)
{
	return tl_err_set(err, TL_EX_DATAERR, path, 0, "damaged model: %s",
	    why);
}

static int
damaged_at(struct tl_err *err, const char *path, size_t t, uint32_t i,
    const char *why)
{
	return tl_err_set(err, TL_EX_DATAERR, path, 0, "damaged model: tree "
	    "%zu node %u: %s", t, (unsigned)i, why);
}

/* Feature i of the header: its name (not empty, not seen before), type,
 * bin bounds (finite, increasing, fewer than TL_FOREST_MAX_BINS) and, for
 * a category, its distinct categories; indexed in f->fidx and its
 * catidx as build_index() does. */
static int
load_feature(struct tl_forest *f, size_t i, const json_t *fe,
    const char *path, struct tl_err *err)
{
	static const char *const types[] = { "number", "boolean", "category" };
	static const enum ctype ctypes[] = { CT_NUM, CT_BOOL, CT_STR };
	struct feat *ft = &f->feat[i];
	const json_t *a, *x;
	const char *s;
	size_t j, t;
	int added;

	s = json_string_value(json_object_get(fe, "name"));
	if (s == NULL || *s == '\0')
		return damaged(err, path, "a feature without a name");
	ft->name = tl_xstrdup(s);
	*tl_map_put(f->fidx, s, strlen(s), &added) = i + 1;
	if (!added)
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "damaged model: "
		    "feature '%s' twice", s);
	s = json_string_value(json_object_get(fe, "type"));
	for (t = 0; s != NULL && t < TL_NELEM(types); t++)
		if (strcmp(s, types[t]) == 0)
			break;
	if (s == NULL || t == TL_NELEM(types))
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "damaged model: "
		    "feature '%s': no known type", ft->name);
	ft->type = ctypes[t];
	a = json_object_get(fe, "bounds");
	if (!json_is_array(a) || json_array_size(a) >= TL_FOREST_MAX_BINS)
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "damaged model: "
		    "feature '%s': bounds: expected an array of fewer than %d "
		    "numbers", ft->name, TL_FOREST_MAX_BINS);
	ft->nbound = json_array_size(a);
	ft->bound = tl_xcalloc(ft->nbound + 1, sizeof(double));
	for (j = 0; j < ft->nbound; j++) {
		x = json_array_get(a, j);
		ft->bound[j] = json_number_value(x);
		if (!json_is_number(x) || !isfinite(ft->bound[j]) || (j > 0 &&
		    !(ft->bound[j] > ft->bound[j - 1])))
			return tl_err_set(err, TL_EX_DATAERR, path, 0,
			    "damaged model: feature '%s': bound %zu is not a "
			    "number above the one before", ft->name, j);
	}
	if (ft->type != CT_STR)
		return 0;
	a = json_object_get(fe, "categories");
	if (!json_is_array(a))
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "damaged model: "
		    "feature '%s': no categories", ft->name);
	ft->ncat = json_array_size(a);
	ft->cat = tl_xcalloc(ft->ncat + 1, sizeof(char *));
	ft->catidx = tl_map_alloc();
	for (j = 0; j < ft->ncat; j++) {
		if ((s = json_string_value(json_array_get(a, j))) == NULL)
			s = "";		/* refused below: ft->cat[j] is set */
		ft->cat[j] = tl_xstrdup(s);
		*tl_map_put(ft->catidx, s, strlen(s), &added) = j + 1;
		if (!added || !json_is_string(json_array_get(a, j)))
			return tl_err_set(err, TL_EX_DATAERR, path, 0,
			    "damaged model: feature '%s': category %zu is not "
			    "a string seen once", ft->name, j);
	}
	return 0;
}

/* The header's fields into f; -1 with err. */
static int
load_header(struct tl_forest *f, json_t *h, const char *path,
    struct tl_err *err)
{
	json_t *fa, *a, *o, *v;
	const char *s;
	size_t i;

	s = json_string_value(json_object_get(h, "task"));
	if (s == NULL || (strcmp(s, "regression") != 0 &&
	    strcmp(s, "classification") != 0))
		return damaged(err, path, "no task");
	f->task = strcmp(s, "regression") == 0 ? TL_FOREST_REGRESSION :
	    TL_FOREST_CLASSIFICATION;
	if ((s = json_string_value(json_object_get(h, "target"))) == NULL)
		return damaged(err, path, "no target");
	f->target = tl_xstrdup(s);
	fa = json_object_get(h, "features");
	if (!json_is_array(fa) || json_array_size(fa) == 0 ||
	    json_array_size(fa) > TL_FOREST_MAX_FEATURES)
		return damaged(err, path, "no features");
	f->nf = json_array_size(fa);
	f->feat = tl_xcalloc(f->nf, sizeof(struct feat));
	f->fidx = tl_map_alloc();
	for (i = 0; i < f->nf; i++)
		if (load_feature(f, i, json_array_get(fa, i), path, err) == -1)
			return -1;
	if (f->task == TL_FOREST_CLASSIFICATION) {
		struct tl_map *seen = tl_map_alloc();
		int added = 1;

		a = json_object_get(h, "classes");
		if (!json_is_array(a) || json_array_size(a) < 2 ||
		    json_array_size(a) > TL_FOREST_MAX_CLASSES) {
			tl_map_free(seen);
			return damaged(err, path, "no classes");
		}
		f->K = json_array_size(a);
		f->class_json = tl_xcalloc(f->K, sizeof(char *));
		f->class_name = tl_xcalloc(f->K, sizeof(char *));
		for (i = 0; i < f->K && added; i++) {
			struct tl_buf b;

			v = json_array_get(a, i);
			tl_buf_init(&b);
			tl_json_append(&b, v);
			f->class_json[i] = tl_xstrdup(b.data);
			tl_buf_release(&b);
			f->class_name[i] = tl_xstrdup(json_is_string(v) ?
			    json_string_value(v) : f->class_json[i]);
			tl_map_put(seen, f->class_json[i],
			    strlen(f->class_json[i]), &added);
		}
		tl_map_free(seen);
		if (!added)
			return tl_err_set(err, TL_EX_DATAERR, path, 0, "damaged "
			    "model: class %s twice", f->class_json[i - 1]);
	}
	o = json_object_get(h, "options");
	if (!json_is_object(o))
		return damaged(err, path, "no options");
	f->p.trees = (size_t)json_integer_value(json_object_get(o, "trees"));
	f->p.mtry = (size_t)json_integer_value(json_object_get(o, "mtry"));
	f->p.min_leaf = (size_t)json_integer_value(json_object_get(o,
	    "min_leaf"));
	f->p.max_depth = (size_t)json_integer_value(json_object_get(o,
	    "max_depth"));
	f->p.sample_fraction = json_number_value(json_object_get(o,
	    "sample_fraction"));
	f->p.bootstrap = json_is_true(json_object_get(o, "bootstrap"));
	f->p.seed = (uint64_t)json_integer_value(json_object_get(o, "seed"));
	f->p.permutation = json_is_true(json_object_get(o, "permutation"));
	f->p.task = f->task;
	f->info = json_object();
	for (i = 0; i < 5; i++) {
		static const char *keys[] = { "n_rows", "n_skipped", "oob",
			"baseline", "importance" };

		if ((v = json_object_get(h, keys[i])) != NULL)
			json_object_set(f->info, keys[i], v);
	}
	v = json_object_get(h, "trees");
	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return damaged(err, path, "no trees");
	f->ntree = (size_t)json_integer_value(v);
	return 0;
}

/* Can tree tr send a row out of its arrays, in a loop or by a split of
 * no meaning?  Checked without branches, as every node of a model is at
 * each load: a leaf has flags N_LEAF alone and a leaf index below nleaf;
 * a split has no flag but N_MLEFT, children after itself and inside the
 * tree, a feature of the model and a bin within that feature's bins
 * (maxbin[feature]) or ALL_LEFT_BIN.  Returns 0 if the tree is good,
 * else the index of the first bad node + 1 (found again, with
 * branches: it is the rare case). */
static uint32_t
tree_bad(const struct ftree *tr, const uint8_t *maxbin, size_t nf)
{
	const struct fnode *q = tr->node;
	uint32_t i, leaf, inner, fe, bad = 0;

	if (tr->nnode == 0)
		return 1;
	for (i = 0; i < tr->nnode; i++) {
		leaf = q[i].flags & N_LEAF;
		inner = leaf ^ 1;
		fe = q[i].feat < nf ? q[i].feat : 0;
		bad |= (leaf & ((q[i].child >= tr->nleaf) |
		    (q[i].flags != N_LEAF))) | (inner &
		    ((q[i].child <= i) | (q[i].child >= tr->nnode - 1) |
		    (q[i].feat >= nf) | ((q[i].flags & ~N_MLEFT) != 0) |
		    ((q[i].bin > maxbin[fe]) & (q[i].bin != ALL_LEFT_BIN))));
	}
	if (!bad)
		return 0;
	for (i = 0; i < tr->nnode; i++) {
		bad = 0;
		leaf = q[i].flags & N_LEAF;
		fe = q[i].feat < nf ? q[i].feat : 0;
		if (leaf)
			bad = q[i].child >= tr->nleaf || q[i].flags != N_LEAF;
		else
			bad = q[i].child <= i || q[i].child >= tr->nnode - 1 ||
			    q[i].feat >= nf || (q[i].flags & ~N_MLEFT) != 0 ||
			    (q[i].bin > maxbin[fe] && q[i].bin !=
			    ALL_LEFT_BIN);
		if (bad)
			return i + 1;
	}
	return 0;	/* not reached */
}

/* What is wrong with node i of tr (tree_bad found it), in words. */
static void
node_fault(const struct ftree *tr, uint32_t i, const uint8_t *maxbin,
    const char *const *names, size_t nf, char *why, size_t size)
{
	const struct fnode *q = &tr->node[i];

	if (q->flags & ~(N_LEAF | N_MLEFT))
		snprintf(why, size, "unknown flags 0x%02x", q->flags);
	else if (q->flags & N_LEAF)
		snprintf(why, size, q->child >= tr->nleaf ? "leaf %u of %u" :
		    "a leaf with flags 0x%02x", q->child >= tr->nleaf ?
		    q->child : q->flags, tr->nleaf);
	else if (q->feat >= nf)
		snprintf(why, size, "feature %u of %zu", q->feat, nf);
	else if (q->child <= i || q->child >= tr->nnode - 1)
		snprintf(why, size, "children %u and %u of %u nodes",
		    q->child, q->child + 1, tr->nnode);
	else
		snprintf(why, size, "split at bin %u of feature '%.40s' (%u "
		    "bins)", q->bin, names[q->feat], maxbin[q->feat] + 1U);
}

/* Are the leaf values of tr usable: finite; for classification, class
 * shares in [0, 1] that sum to 1 (within CLASS_SUM_TOL)?  0 if so, else
 * the first bad leaf + 1. */
static uint32_t
leaves_bad(const struct ftree *tr, size_t K)
{
	size_t per = K > 0 ? K : 1, k;
	const double *v = tr->val;
	uint32_t l;
	double sum;
	int bad = 0;

	for (l = 0; l < (size_t)tr->nleaf * per; l++)
		bad |= !isfinite(v[l]);
	for (l = 0; K > 0 && !bad && l < tr->nleaf; l++) {
		for (sum = 0, k = 0; k < K; k++) {
			sum += v[l * K + k];
			bad |= !(v[l * K + k] >= 0 && v[l * K + k] <= 1);
		}
		bad |= fabs(sum - 1) > CLASS_SUM_TOL;
	}
	if (!bad)
		return 0;
	for (l = 0; l < tr->nleaf; l++) {
		for (sum = 0, k = 0; k < per; k++) {
			sum += v[l * per + k];
			bad = !isfinite(v[l * per + k]) || (K > 0 &&
			    !(v[l * per + k] >= 0 && v[l * per + k] <= 1));
			if (bad)
				return l + 1;
		}
		if (K > 0 && fabs(sum - 1) > CLASS_SUM_TOL)
			return l + 1;
	}
	return 0;	/* not reached */
}

/* All of fd's bytes, read (a pipe, a terminal). */
static int
read_all(int fd, char **buf, size_t *len)
{
	size_t cap = 1 << 16;
	ssize_t n;

	*buf = tl_xmalloc(cap);
	*len = 0;
	for (;;) {
		if (*len == cap)
			*buf = tl_xrealloc(*buf, cap *= 2);
		if ((n = read(fd, *buf + *len, cap - *len)) == 0)
			return 0;
		if (n == -1 && errno != EINTR)
			return -1;
		if (n > 0)
			*len += (size_t)n;
	}
}

/* The trees of a model whose header is loaded: n bytes at p, 8-aligned;
 * the trees point into them.  Every count is checked against the bytes
 * left before anything is allocated or read. */
static int
load_trees(struct tl_forest *f, const char *p, size_t n, const char *path,
    struct tl_err *err)
{
	size_t t, at = 0, need, per = f->K > 0 ? f->K : 1, j;
	uint8_t maxbin[TL_FOREST_MAX_FEATURES];
	const char **names;
	uint32_t cnt[2], bad;
	char why[128];

	/* a tree is at least its counts, one node and one leaf's values */
	if (f->ntree > n / (sizeof(cnt) + sizeof(struct fnode) + per *
	    sizeof(double)))
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "damaged model: "
		    "%zu trees cannot fit in %zu bytes", f->ntree, n);
	for (j = 0; j < f->nf; j++)
		maxbin[j] = (uint8_t)f->feat[j].nbound;
	f->tree = tl_xcalloc(f->ntree, sizeof(struct ftree));
	for (t = 0; t < f->ntree; t++) {
		struct ftree *tr = &f->tree[t];

		if (n - at < sizeof(cnt))
			return damaged(err, path, "truncated");
		memcpy(cnt, p + at, sizeof(cnt));
		at += sizeof(cnt);
		if (cnt[0] == 0 || cnt[1] == 0 || cnt[1] > cnt[0])
			return damaged(err, path, "truncated");
		tr->nnode = cnt[0];
		tr->nleaf = cnt[1];
		need = tr->nnode * sizeof(struct fnode) + tr->nleaf * per *
		    sizeof(double);
		if (n - at < need)
			return damaged(err, path, "truncated");
		/* read-only when mapped: nothing writes a loaded tree */
		tr->node = (struct fnode *)(uintptr_t)(p + at);
		tr->val = (double *)(uintptr_t)(p + at + tr->nnode *
		    sizeof(struct fnode));
		at += need;
		if ((bad = tree_bad(tr, maxbin, f->nf)) != 0) {
			names = tl_xcalloc(f->nf, sizeof(char *));
			for (j = 0; j < f->nf; j++)
				names[j] = f->feat[j].name;
			node_fault(tr, bad - 1, maxbin, names, f->nf, why,
			    sizeof(why));
			free(names);
			return damaged_at(err, path, t, bad - 1, why);
		}
		if ((bad = leaves_bad(tr, f->K)) != 0) {
			snprintf(why, sizeof(why), "leaf %u: %s", bad - 1,
			    f->K > 0 ? "class shares not in [0, 1] summing "
			    "to 1" : "a value that is not finite");
			return tl_err_set(err, TL_EX_DATAERR, path, 0,
			    "damaged model: tree %zu %s", t, why);
		}
	}
	if (at != n)
		return damaged(err, path, "bytes after the last tree");
	return 0;
}

/* The size and checksum of the tree block (n bytes at p) against the
 * header's: a version 2 model must have both and they must agree. */
static int
check_sum(const json_t *h, const char *p, size_t n, const char *path,
    struct tl_err *err)
{
	const json_t *b = json_object_get(h, "tree_bytes");
	const char *want = json_string_value(json_object_get(h, "checksum"));
	struct mix64x4 m;
	char got[32];

	if (!json_is_integer(b) || want == NULL)
		return damaged(err, path, "no tree_bytes or checksum in the "
		    "header");
	if (json_integer_value(b) < 0 || (uint64_t)json_integer_value(b) !=
	    (uint64_t)n)
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "damaged model: "
		    "%zu bytes of trees, the header says %" JSON_INTEGER_FORMAT,
		    n, json_integer_value(b));
	mix_init(&m);
	mix_add(&m, p, n);
	snprintf(got, sizeof(got), CHECKSUM_PREFIX "%016llx",
	    (unsigned long long)mix_end(&m));
	if (strcmp(got, want) != 0)
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "damaged model: "
		    "the trees' checksum is %s, the header says '%.48s'", got,
		    want);
	return 0;
}

/* The model file is mapped when it is a regular file: its trees are used
 * where they lie in the page cache, neither copied nor zeroed first,
 * which is most of the cost of loading a big forest. tl_forest_save pads
 * the header line so that the trees start 8-aligned; a file without the
 * padding has its trees copied to aligned memory. */
struct tl_forest *
tl_forest_load(const char *path, void (*warn)(const char *fmt, ...),
    struct tl_err *err)
{
	static const struct tl_format fmt = { TL_FOREST_FORMAT, 1,
	    TL_FOREST_VERSION };
	struct tl_forest *f = NULL;
	struct stat st;
	json_t *h = NULL;
	const char *nl, *data;
	char *buf = NULL;
	void *map = NULL;
	size_t len = 0, off;
	int fd, ok = 0, version;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY)) == -1) {
		tl_err_set(err, TL_EX_NOINPUT, path, 0, "%s", strerror(errno));
		return NULL;
	}
	path = tl_input_name(path);	/* for messages */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE |
	    MAP_POPULATE, fd, 0)) != MAP_FAILED)
		len = (size_t)st.st_size;
	else if ((map = NULL, read_all(fd, &buf, &len)) == -1) {
		tl_err_set(err, TL_EX_IOERR, path, 0, "%s", strerror(errno));
		goto out;
	}
	data = map != NULL ? map : buf;
	if (len == 0) {
		tl_err_set(err, TL_EX_DATAERR, path, 0, "empty file, not a %s",
		    TL_FOREST_FORMAT);
		goto out;
	}
	nl = memchr(data, '\n', len);
	if ((h = tl_json_load_versioned(path, data, nl != NULL ?
	    (size_t)(nl - data) : 0, &fmt, &version, err)) == NULL)
		goto out;
	f = tl_xcalloc(1, sizeof(*f));
	if (load_header(f, h, path, err) == -1)
		goto out;
	if (!host_little()) {
		tl_err_set(err, TL_EX_DATAERR, path, 0, "little-endian model on "
		    "a big-endian machine");
		goto out;
	}
	off = (size_t)(nl - data) + 1;
	if (version >= 2 && check_sum(h, data + off, len - off, path,
	    err) == -1)
		goto out;
	if (off % 8 != 0) {
		f->bytes = tl_xmalloc(len - off + 1);
		memcpy(f->bytes, data + off, len - off);
		data = f->bytes;
	} else {
		f->map = map;
		f->maplen = len;
		f->bytes = buf;
		map = NULL;
		buf = NULL;
		data += off;
	}
	if (load_trees(f, data, len - off, path, err) == -1)
		goto out;
	if (version < 2 && warn != NULL)
		warn("%s: format '%s' version %d has no checksum of its trees "
		    "(train the model again to add one)", path,
		    TL_FOREST_FORMAT, version);
	ok = 1;
out:
	json_decref(h);
	if (map != NULL)
		munmap(map, len);
	free(buf);
	if (fd != STDIN_FILENO)
		close(fd);
	if (!ok) {
		tl_forest_free(f);
		return NULL;
	}
	return f;
}

static void
add_num(struct tl_buf *b, double x)
{
	char num[TL_NUM_BUFSZ];

	tl_fmt_double(num, x);
	tl_buf_adds(b, num);
}

int
tl_forest_dump(const struct tl_forest *f, FILE *fp, struct tl_err *err)
{
	struct tl_buf b;
	json_t *h;
	size_t t, k, c;
	uint32_t i;
	int rc = 0;

	h = header_json(f);
	tl_buf_init(&b);
	tl_json_append(&b, h);
	json_decref(h);
	b.len--;	/* the closing brace: the trees follow */
	tl_buf_adds(&b, ",\"forest\":[");
	for (t = 0; t < f->ntree && rc == 0; t++) {
		const struct ftree *tr = &f->tree[t];

		tl_buf_adds(&b, t > 0 ? ",{\"nodes\":[" : "{\"nodes\":[");
		for (i = 0; i < tr->nnode; i++) {
			const struct fnode *q = &tr->node[i];
			const struct feat *ft;

			if (i > 0)
				tl_buf_addc(&b, ',');
			if (q->flags & N_LEAF) {
				if (f->K == 0) {
					tl_buf_adds(&b, "{\"value\":");
					add_num(&b, tr->val[q->child]);
				} else {
					tl_buf_adds(&b, "{\"prob\":[");
					for (k = 0; k < f->K; k++) {
						if (k > 0)
							tl_buf_addc(&b, ',');
						add_num(&b, tr->val[q->child *
						    f->K + k]);
					}
					tl_buf_addc(&b, ']');
				}
				tl_buf_addc(&b, '}');
				continue;
			}
			ft = &f->feat[q->feat];
			tl_buf_adds(&b, "{\"feature\":");
			tl_jv_append_string(&b, ft->name, strlen(ft->name));
			tl_buf_printf(&b, ",\"bin\":%u,\"threshold\":",
			    q->bin);
			add_num(&b, q->bin < ft->nbound ? ft->bound[q->bin] :
			    DBL_MAX);
			if (ft->type == CT_STR) {
				/* the categories whose bin goes left */
				tl_buf_adds(&b, ",\"left_categories\":[");
				for (c = k = 0; c < ft->ncat; c++)
					if (bin_of(ft->bound, ft->nbound,
					    (double)c) <= q->bin) {
						if (k++ > 0)
							tl_buf_addc(&b, ',');
						tl_jv_append_string(&b,
						    ft->cat[c],
						    strlen(ft->cat[c]));
					}
				tl_buf_addc(&b, ']');
			}
			tl_buf_printf(&b, ",\"missing\":\"%s\",\"left\":%u,"
			    "\"right\":%u}", q->flags & N_MLEFT ? "left" :
			    "right", q->child, q->child + 1);
		}
		tl_buf_adds(&b, "]}");
		if (b.len > 1 << 20) {
			if (fwrite(b.data, 1, b.len, fp) != b.len)
				rc = -1;
			tl_buf_reset(&b);
		}
	}
	tl_buf_adds(&b, "]}\n");
	if (rc == 0 && fwrite(b.data, 1, b.len, fp) != b.len)
		rc = -1;
	tl_buf_release(&b);
	if (rc == -1)
		return tl_err_set(err, TL_EX_IOERR, NULL, 0, "write error: %s",
		    strerror(errno));
	return 0;
}

/* ---- prediction ---------------------------------------------------------- */

enum tl_forest_task
tl_forest_task(const struct tl_forest *f)
{
	return f->task;
}

size_t
tl_forest_nfeatures(const struct tl_forest *f)
{
	return f->nf;
}

const char *
tl_forest_feature(const struct tl_forest *f, size_t i)
{
	return f->feat[i].name;
}

size_t
tl_forest_nclasses(const struct tl_forest *f)
{
	return f->K;
}

const char *
tl_forest_class_json(const struct tl_forest *f, size_t k)
{
	return f->class_json[k];
}

const char *
tl_forest_class_name(const struct tl_forest *f, size_t k)
{
	return f->class_name[k];
}

/* The bins of the members of obj (keys under key[0..prefix)); an unknown
 * category gets unknown_bin and is counted in g. */
static int
row_walk(const struct tl_forest *f, const struct tl_jdoc *doc,
    const struct tl_jv *obj, struct tl_buf *key, size_t prefix,
    uint8_t *bins, uint8_t unknown_bin, struct tl_forest_gaps *g,
    const char *name, unsigned long line, struct tl_err *err)
{
	const struct tl_jv *c;
	const struct feat *ft;
	uintptr_t *slot;
	enum ctype t;
	size_t len;
	double x;

	for (c = tl_jv_child(doc, obj); c != NULL; c = tl_jv_next(doc, obj,
	    c)) {
		key->len = prefix;
		if (prefix > 0)
			tl_buf_addc(key, '.');
		tl_buf_add(key, c->key, c->keylen);
		len = key->len;
		if (c->type == TL_JOBJ) {
			if (row_walk(f, doc, c, key, len, bins, unknown_bin, g,
			    name, line, err) == -1)
				return -1;
			continue;
		}
		if (c->type == TL_JNULL ||
		    (slot = tl_map_get(f->fidx, key->data, len)) == NULL)
			continue;
		ft = &f->feat[*slot - 1];
		t = c->type == TL_JNUM ? CT_NUM : c->type == TL_JSTR ? CT_STR :
		    c->type == TL_JTRUE || c->type == TL_JFALSE ? CT_BOOL :
		    CT_ARRAY;
		if (t != ft->type)
			return tl_err_set(err, TL_EX_DATAERR, name, line,
			    "field '%s': expected %s, got %s", ft->name,
			    ctype_name[ft->type], ctype_name[t]);
		if (t == CT_STR) {
			slot = tl_map_get(ft->catidx, c->s, c->len);
			if (slot == NULL) {	/* unknown: predicted missing */
				if (g->nunknown++ == 0 || g->first_unknown >
				    (size_t)(ft - f->feat))
					g->first_unknown = (size_t)(ft -
					    f->feat);
				bins[ft - f->feat] = unknown_bin;
				continue;
			}
			x = (double)(*slot - 1);
		} else if (t == CT_BOOL)
			x = c->type == TL_JTRUE;
		else
			x = c->num;
		bins[ft - f->feat] = bin_of(ft->bound, ft->nbound, x);
	}
	return 0;
}

int
tl_forest_row(const struct tl_forest *f, struct tl_jdoc *doc, const char *s,
    size_t n, const char *name, unsigned long line, uint8_t *bins,
    struct tl_forest_gaps *g, struct tl_err *err)
{
	struct tl_forest_gaps again;
	struct tl_buf key;
	size_t i;
	int rc;

	memset(g, 0, sizeof(*g));
	if (tl_jdoc_parse(doc, s, n, name, line, err) == -1)
		return -1;
	if (doc->v[0].type != TL_JOBJ)
		return tl_err_set(err, TL_EX_DATAERR, name, line,
		    "expected an object, got %s", tl_jv_typename(&doc->v[0]));
	/* unknown categories first in bin 0, so that what is left missing
	 * is what the row lacks; then, in the rare row that has one, again
	 * with them missing, as the trees must see them */
	memset(bins, MISSING_BIN, f->nf);
	tl_buf_init(&key);
	rc = row_walk(f, doc, &doc->v[0], &key, 0, bins, 0, g, name, line,
	    err);
	for (i = 0; rc == 0 && i < f->nf; i++)
		if (bins[i] == MISSING_BIN && g->nmissing++ == 0)
			g->first_missing = i;
	if (rc == 0 && g->nunknown > 0) {
		memset(bins, MISSING_BIN, f->nf);
		memset(&again, 0, sizeof(again));
		rc = row_walk(f, doc, &doc->v[0], &key, 0, bins, MISSING_BIN,
		    &again, name, line, err);
	}
	tl_buf_release(&key);
	return rc;
}

void
tl_forest_predict(const struct tl_forest *f, const uint8_t *bins,
    double *mean, double *sd, double *prob)
{
	size_t t, k, arg;
	double m = 0, m2 = 0, v, d;
	uint32_t leaf;

	if (f->K > 0)
		memset(prob, 0, f->K * sizeof(double));
	for (t = 0; t < f->ntree; t++) {
		leaf = leaf_of(f->tree[t].node, 0, bins, 1);
		if (f->K == 0) {	/* Welford */
			v = f->tree[t].val[leaf];
			d = v - m;
			m += d / (double)(t + 1);
			m2 += d * (v - m);
		} else
			for (k = 0; k < f->K; k++)
				prob[k] += f->tree[t].val[leaf * f->K + k];
	}
	if (f->K == 0) {
		*mean = m;
		*sd = sqrt(m2 / (double)f->ntree);
		return;
	}
	for (k = arg = 0; k < f->K; k++) {
		prob[k] /= (double)f->ntree;
		if (prob[k] > prob[arg])
			arg = k;
	}
	*mean = (double)arg;
}

void
tl_forest_set_threads(struct tl_forest *f, int threads)
{
	f->p.threads = threads > 0 ? threads : 1;
}

#define PRED_CHUNK	8192	/* rows per task of a batch */

struct predjob {
	const struct tl_forest *f;	/* the model */
	const uint8_t	*bins;		/* rows */
	size_t		 m;		/* their number */
	double		*mean, *sd, *prob; /* results */
};

/* Bring part k of nparts of tree tr's nodes and leaf values into the
 * cache ahead of its walk: a big forest is far from the cache, and its
 * lines fetched in order come faster than the random misses of the
 * walk (which would fetch most of them anyway).  Always inlined: gcc
 * takes a function of nothing but prefetches for one without effect and
 * drops its calls. */
static inline __attribute__((always_inline)) void
prefetch_part(const struct ftree *tr, size_t per, size_t k, size_t nparts)
{
	const char *a = (const char *)tr->node, *v = (const char *)tr->val;
	size_t na = tr->nnode * sizeof(struct fnode),
	    nv = tr->nleaf * per * sizeof(double), i, lo, hi;

	lo = na * k / nparts;
	hi = na * (k + 1) / nparts;
	for (i = lo; i < hi; i += 64)
		__builtin_prefetch(a + i);
	lo = nv * k / nparts;
	hi = nv * (k + 1) / nparts;
	for (i = lo; i < hi; i += 64)
		__builtin_prefetch(v + i);
}

/* Rows [c * PRED_CHUNK, ...) tree by tree; each row's sums run in tree
 * order whichever thread does it. */
static void
pred_task(void *ctx, size_t c, int worker)
{
	const struct predjob *J = ctx;
	const struct tl_forest *f = J->f;
	const size_t K = f->K, nf = f->nf;
	size_t t, r, k, arg, lo = c * PRED_CHUNK, hi = lo + PRED_CHUNK, ng;
	double *mean = J->mean, *m2 = J->sd, v, d, *p;
	const double *lv;
	uint32_t leaves[PRED_CHUNK], leaf;

	(void)worker;
	if (hi > J->m)
		hi = J->m;
	ng = (hi - lo + LANES - 1) / LANES;
	for (t = 0; t < f->ntree; t++) {
		for (r = lo; r < hi; r += LANES) {
			if (t + 1 < f->ntree)
				prefetch_part(&f->tree[t + 1], K > 0 ? K : 1,
				    (r - lo) / LANES, ng);
			leaves_of(f->tree[t].node, J->bins + r * nf, nf,
			    hi - r < LANES ? hi - r : LANES, leaves + (r - lo));
		}
		for (r = lo; r < hi; r++) {
			leaf = leaves[r - lo];
			if (K == 0) {	/* Welford */
				v = f->tree[t].val[leaf];
				d = v - mean[r];
				mean[r] += d / (double)(t + 1);
				m2[r] += d * (v - mean[r]);
			} else {
				lv = f->tree[t].val + leaf * K;
				p = J->prob + r * K;
				for (k = 0; k < K; k++)
					p[k] += lv[k];
			}
		}
	}
	for (r = lo; r < hi; r++) {
		if (K == 0) {
			m2[r] = sqrt(m2[r] / (double)f->ntree);
			continue;
		}
		p = J->prob + r * K;
		for (k = arg = 0; k < K; k++) {
			p[k] /= (double)f->ntree;
			if (p[k] > p[arg])
				arg = k;
		}
		mean[r] = (double)arg;
	}
}

static void
predict(const struct tl_forest *f, const uint8_t *bins, size_t m,
    double *mean, double *sd, double *prob, int threads)
{
	struct predjob J = { f, bins, m, mean, sd, prob };
	size_t c;

	memset(mean, 0, m * sizeof(double));
	if (f->K == 0)
		memset(sd, 0, m * sizeof(double));
	else
		memset(prob, 0, m * f->K * sizeof(double));
	if (threads <= 1)
		for (c = 0; c * PRED_CHUNK < m; c++)
			pred_task(&J, c, 0);
	else
		tl_par_for(threads, (m + PRED_CHUNK - 1) / PRED_CHUNK,
		    pred_task, &J);
}

void
tl_forest_predict_batch(const struct tl_forest *f, const uint8_t *bins,
    size_t m, double *mean, double *sd, double *prob)
{
	predict(f, bins, m, mean, sd, prob, f->p.threads);
}

void
tl_forest_predict_rows(const struct tl_forest *f, const uint8_t *bins,
    size_t m, double *mean, double *sd, double *prob)
{
	predict(f, bins, m, mean, sd, prob, 1);
}

/* ---- reading the trees ------------------------------------------------- */

size_t
tl_forest_ntrees(const struct tl_forest *f)
{
	return f->ntree;
}

size_t
tl_forest_tree_nodes(const struct tl_forest *f, size_t t)
{
	return f->tree[t].nnode;
}

void
tl_forest_tree_node(const struct tl_forest *f, size_t t, size_t i,
    struct tl_forest_node *nd)
{
	const struct fnode *q = &f->tree[t].node[i];

	memset(nd, 0, sizeof(*nd));
	if (q->flags & N_LEAF) {
		nd->leaf = 1;
		nd->value = &f->tree[t].val[(size_t)q->child *
		    (f->K > 0 ? f->K : 1)];
		return;
	}
	nd->feat = q->feat;
	nd->bin = q->bin;
	nd->missing_left = (q->flags & N_MLEFT) != 0;
	nd->left = q->child;
	nd->right = (size_t)q->child + 1;
}

const double *
tl_forest_bounds(const struct tl_forest *f, size_t j, size_t *nbound)
{
	*nbound = f->feat[j].nbound;
	return f->feat[j].bound;
}

size_t
tl_forest_ncategories(const struct tl_forest *f, size_t j)
{
	return f->feat[j].ncat;
}

const char *
tl_forest_category(const struct tl_forest *f, size_t j, size_t k)
{
	return f->feat[j].cat[k];
}
