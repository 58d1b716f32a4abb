/*
 * Calibration: PAV isotonic regression, Platt scaling and the scores of
 * calibration.  Conventions follow scikit-learn where users compare with
 * it: ties in scores are pooled before PAV; uniform bin edges are those of
 * numpy.linspace (k * (1/m)) and a score on an edge goes to the lower bin
 * (searchsorted 'left'); quantile edges are numpy.percentile's (linear).
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tl_calib.h"
#include "tl_json.h"
#include "tl_sort.h"
#include "tl_util.h"

#define PLATT_MAX_ITER	100	/* Newton steps (Lin, Lin & Weng 2007) */
#define PLATT_MIN_STEP	1e-10	/* smallest line-search step */
#define PLATT_SIGMA	1e-12	/* added to the Hessian's diagonal */
#define PLATT_EPS	1e-5	/* gradient small enough to stop */
#define PLATT_XTOL	1e-9	/* a Newton step below this, relative to
				 * (1 + |a|, 1 + |b|), is working precision:
				 * when the line search cannot improve on it
				 * the fit has converged */
#define PLATT_DZ_EXACT	1	/* |change of a*s + b| below which a row's
				 * change of loss is computed without
				 * cancellation */

void
tl_pav(const double *y, const double *w, size_t n, double *out)
{
	double *sw, *sv;	/* block weight and weighted mean */
	size_t *len, nb = 0, i, j, k;

	if (n == 0)
		return;
	sw = tl_xcalloc(n, sizeof(*sw));
	sv = tl_xcalloc(n, sizeof(*sv));
	len = tl_xcalloc(n, sizeof(*len));
	for (i = 0; i < n; i++) {
		sw[nb] = w != NULL ? w[i] : 1;
		sv[nb] = y[i];
		len[nb++] = 1;
		/* merge backwards while the order is violated */
		while (nb > 1 && sv[nb - 2] > sv[nb - 1]) {
			sv[nb - 2] = (sw[nb - 2] * sv[nb - 2] +
			    sw[nb - 1] * sv[nb - 1]) / (sw[nb - 2] + sw[nb - 1]);
			sw[nb - 2] += sw[nb - 1];
			len[nb - 2] += len[nb - 1];
			nb--;
		}
	}
	for (i = 0, k = 0; i < nb; i++)
		for (j = 0; j < len[i]; j++)
			out[k++] = sv[i];
	free(len);
	free(sv);
	free(sw);
}

struct pair {
	double	s;		/* score */
	double	y;		/* outcome */
	size_t	i;		/* input position: a stable order */
};

static int
cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* The scores in ascending order, equal ones in input order, with their
 * outcomes, into ss and sy: a radix sort (tl_sort_order), else qsort. */
static void
sort_scores(const double *score, const double *y, size_t n, double *ss,
    double *sy)
{
	struct pair *p;
	uint32_t *order = tl_xcalloc(n, sizeof(uint32_t));
	size_t i;

	if (tl_sort_order(score, n, order) == 0) {
		for (i = 0; i < n; i++) {
			ss[i] = score[order[i]];
			sy[i] = y[order[i]];
		}
		free(order);
		return;
	}
	free(order);
	p = tl_xcalloc(n, sizeof(*p));
	for (i = 0; i < n; i++) {
		p[i].s = score[i];
		p[i].y = y[i];
		p[i].i = i;
	}
	qsort(p, n, sizeof(*p), cmp_pair);
	for (i = 0; i < n; i++) {
		ss[i] = p[i].s;
		sy[i] = p[i].y;
	}
	free(p);
}

int
tl_iso_fit(struct tl_iso *m, const double *score, const double *y, size_t n,
    struct tl_err *err)
{
	double *ss, *sy, *gx, *gy, *gw, *fit;
	size_t i, j, ng = 0;

	memset(m, 0, sizeof(*m));
	if (n == 0)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0,
		    "no rows to fit");
	ss = tl_xcalloc(n, sizeof(*ss));
	sy = tl_xcalloc(n, sizeof(*sy));
	sort_scores(score, y, n, ss, sy);
	gx = tl_xcalloc(n, sizeof(*gx));
	gy = tl_xcalloc(n, sizeof(*gy));
	gw = tl_xcalloc(n, sizeof(*gw));
	for (i = 0; i < n; i = j) {	/* pool equal scores */
		double sum = 0;

		for (j = i; j < n && ss[j] == ss[i]; j++)
			sum += sy[j];
		gx[ng] = ss[i];
		gw[ng] = (double)(j - i);
		gy[ng++] = sum / (double)(j - i);
	}
	fit = tl_xcalloc(ng, sizeof(*fit));
	tl_pav(gy, gw, ng, fit);
	/* keep the first and last knot of each flat run: interpolation
	 * between the kept knots is the same */
	m->x = tl_xcalloc(ng, sizeof(double));
	m->y = tl_xcalloc(ng, sizeof(double));
	for (i = 0; i < ng; i++) {
		if (i > 0 && i + 1 < ng && fit[i - 1] == fit[i] &&
		    fit[i + 1] == fit[i])
			continue;
		m->x[m->n] = gx[i];
		m->y[m->n++] = fit[i];
	}
	free(fit);
	free(gw);
	free(gy);
	free(gx);
	free(sy);
	free(ss);
	return 0;
}

double
tl_iso_apply(const struct tl_iso *m, double s)
{
	size_t lo = 0, hi, mid;

	if (m->n == 0)
		return NAN;
	hi = m->n - 1;
	if (s <= m->x[0])
		return m->y[0];
	if (s >= m->x[hi])
		return m->y[hi];
	while (hi - lo > 1) {	/* x[lo] < s < x[hi] */
		mid = lo + (hi - lo) / 2;
		if (m->x[mid] <= s)
			lo = mid;
		else
			hi = mid;
	}
	if (s == m->x[lo])
		return m->y[lo];
	return m->y[lo] + (m->y[hi] - m->y[lo]) * (s - m->x[lo]) /
	    (m->x[hi] - m->x[lo]);
}

void
tl_iso_release(struct tl_iso *m)
{
	free(m->x);
	free(m->y);
	memset(m, 0, sizeof(*m));
}

/* The cross-entropy of one row against target t at z = a*s + b, written
 * so that exp never overflows: t log(1 + e^z) + (1 - t) log(1 + e^-z). */
static double
platt_loss(double t, double z)
{
	return z >= 0 ? t * z + log1p(exp(-z)) : (t - 1) * z + log1p(exp(z));
}

/* How much Platt's objective changes from (a, b) to (a + da, b + db).
 *
 * Not f(new) - f(old): on tens of thousands of rows f is a sum near
 * 10^4 whose rounding (an ulp of 2e-12, and n of them) hides the
 * decrease of the last Newton steps, so that an Armijo test on it fails
 * long before the gradient is small (a line search failure on a fit that
 * had converged).  Each row's change is computed directly instead:
 * log(1 + e^z') - log(1 + e^z) = log1p(sigma(z) expm1(z' - z)), exact to
 * a few ulps of the change itself; a row whose z moves by more than
 * PLATT_DZ_EXACT takes the plain difference, which has no cancellation
 * to speak of at that size. */
static double
platt_df(const double *s, const double *t, size_t n, double a, double b,
    double da, double db)
{
	double sum = 0, z, dz, q, p;
	size_t i;

	for (i = 0; i < n; i++) {
		z = s[i] * a + b;
		dz = s[i] * da + db;
		if (fabs(dz) >= PLATT_DZ_EXACT) {
			sum += platt_loss(t[i], z + dz) - platt_loss(t[i], z);
			continue;
		}
		q = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
		p = z >= 0 ? exp(-z) / (1 + exp(-z)) : 1 / (1 + exp(z));
		sum += t[i] * log1p(q * expm1(dz)) + (1 - t[i]) *
		    log1p(p * expm1(-dz));
	}
	return sum;
}

/* Newton's method with a backtracking line search on Platt's objective,
 * as Lin, Lin & Weng (2007), "A note on Platt's probabilistic outputs for
 * support vector machines", Algorithm 1 (LIBSVM's sigmoid_train): the
 * Hessian plus PLATT_SIGMA, the gradient test |g| < PLATT_EPS, halving
 * steps down to PLATT_MIN_STEP with the sufficient decrease 1e-4 step
 * g.d.  Two changes for large data: the decrease is platt_df(), not a
 * difference of two rounded sums; and where Algorithm 1 stops when the
 * step size falls below PLATT_MIN_STEP, we stop too and call it
 * converged when the Newton step was below working precision
 * (PLATT_XTOL), an error otherwise. */
int
tl_platt_fit(const double *s, const double *y, size_t n, double *a,
    double *b, struct tl_err *err)
{
	double np = 0, nn = 0, hi, lo, *t, g1, g2, h11, h21, h22;
	double z, p, q, d, det, da, db, step, gd;
	size_t i;
	int it;

	if (n == 0)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0,
		    "no rows to fit");
	for (i = 0; i < n; i++)
		*(y[i] > 0 ? &np : &nn) += 1;
	if (np == 0 || nn == 0)
		return tl_err_set(err, TL_EX_DATAERR, NULL, 0, "platt: all %zu "
		    "rows are %s: one class only", n, np == 0 ? "losses" :
		    "wins");
	hi = (np + 1) / (np + 2);
	lo = 1 / (nn + 2);
	t = tl_xcalloc(n, sizeof(*t));
	for (i = 0; i < n; i++)
		t[i] = y[i] > 0 ? hi : lo;
	*a = 0;
	*b = log((nn + 1) / (np + 1));
	for (it = 0; it < PLATT_MAX_ITER; it++) {
		g1 = g2 = h21 = 0;
		h11 = h22 = PLATT_SIGMA;
		for (i = 0; i < n; i++) {
			z = s[i] * *a + *b;
			if (z >= 0) {
				p = exp(-z) / (1 + exp(-z));
				q = 1 / (1 + exp(-z));
			} else {
				p = 1 / (1 + exp(z));
				q = exp(z) / (1 + exp(z));
			}
			d = p * q;
			h11 += s[i] * s[i] * d;
			h22 += d;
			h21 += s[i] * d;
			g1 += s[i] * (t[i] - p);
			g2 += t[i] - p;
		}
		if (fabs(g1) < PLATT_EPS && fabs(g2) < PLATT_EPS)
			break;
		det = h11 * h22 - h21 * h21;
		da = -(h22 * g1 - h21 * g2) / det;
		db = -(-h21 * g1 + h11 * g2) / det;
		gd = g1 * da + g2 * db;
		for (step = 1; step >= PLATT_MIN_STEP; step /= 2)
			if (platt_df(s, t, n, *a, *b, step * da, step * db) <
			    1e-4 * step * gd) {
				*a += step * da;
				*b += step * db;
				break;
			}
		if (step >= PLATT_MIN_STEP)
			continue;
		if (fabs(da) <= PLATT_XTOL * (1 + fabs(*a)) && fabs(db) <=
		    PLATT_XTOL * (1 + fabs(*b)))
			break;
		free(t);
		return tl_err_set(err, TL_EX_SOFTWARE, NULL, 0,
		    "platt: line search failed at step %d", it);
	}
	free(t);
	if (it == PLATT_MAX_ITER)
		return tl_err_set(err, TL_EX_SOFTWARE, NULL, 0, "platt: no "
		    "convergence after %d Newton steps", PLATT_MAX_ITER);
	return 0;
}

double
tl_platt_apply(double a, double b, double s)
{
	double z = a * s + b;

	return z >= 0 ? exp(-z) / (1 + exp(-z)) : 1 / (1 + exp(z));
}

double
tl_brier(const double *p, const double *y, size_t n)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += (p[i] - y[i]) * (p[i] - y[i]);
	return n > 0 ? sum / (double)n : NAN;
}

double
tl_logloss(const double *p, const double *y, size_t n)
{
	double sum = 0, q;
	size_t i;

	for (i = 0; i < n; i++) {
		q = fmin(fmax(p[i], TL_LOGLOSS_EPS), 1 - TL_LOGLOSS_EPS);
		sum -= y[i] > 0 ? log(q) : log1p(-q);
	}
	return n > 0 ? sum / (double)n : NAN;
}

/* numpy.percentile, linear: sorted s[0..n), q in [0, 1]. */
static double
quantile(const double *s, size_t n, double q)
{
	double pos = q * (double)(n - 1), f;
	size_t lo = (size_t)floor(pos);

	if (lo + 1 >= n)
		return s[n - 1];
	f = pos - (double)lo;
	return s[lo] + f * (s[lo + 1] - s[lo]);
}

double
tl_reliability(const double *p, const double *y, size_t n, size_t m,
    enum tl_binning how, double z, struct tl_bin *bins)
{
	double *edge, *sorted, *sp, *sy, ece = 0, r, c, h, z2;
	size_t i, k, lo, hi, *cnt;

	edge = tl_xcalloc(m + 1, sizeof(*edge));
	if (how == TL_BINS_UNIFORM || n == 0) {
		for (k = 0; k <= m; k++)
			edge[k] = (double)k * (1.0 / (double)m);
		edge[m] = 1;
	} else {
		sorted = tl_xcalloc(n, sizeof(*sorted));
		memcpy(sorted, p, n * sizeof(*p));
		qsort(sorted, n, sizeof(*sorted), tl_cmp_double);
		for (k = 0; k <= m; k++)
			edge[k] = quantile(sorted, n, (double)k *
			    (1.0 / (double)m));
		free(sorted);
	}
	sp = tl_xcalloc(m, sizeof(*sp));
	sy = tl_xcalloc(m, sizeof(*sy));
	cnt = tl_xcalloc(m, sizeof(*cnt));
	for (i = 0; i < n; i++) {
		/* k = number of interior edges strictly below p */
		lo = 0;
		hi = m - 1;
		while (lo < hi) {
			k = lo + (hi - lo) / 2;
			if (edge[k + 1] < p[i])
				lo = k + 1;
			else
				hi = k;
		}
		sp[lo] += p[i];
		sy[lo] += y[i] > 0;
		cnt[lo]++;
	}
	z2 = z * z;
	for (k = 0; k < m; k++) {
		struct tl_bin *bk = &bins[k];

		bk->lo = edge[k];
		bk->hi = edge[k + 1];
		bk->n = cnt[k];
		if (cnt[k] == 0) {
			bk->mean_p = bk->rate = bk->ci_lo = bk->ci_hi = NAN;
			continue;
		}
		bk->mean_p = sp[k] / (double)cnt[k];
		r = bk->rate = sy[k] / (double)cnt[k];
		/* Wilson score interval */
		c = (r + z2 / (2.0 * (double)cnt[k])) / (1 + z2 / (double)cnt[k]);
		h = z * sqrt(r * (1 - r) / (double)cnt[k] + z2 / (4.0 *
		    (double)cnt[k] * (double)cnt[k])) / (1 + z2 /
		    (double)cnt[k]);
		bk->ci_lo = fmax(0, c - h);
		bk->ci_hi = fmin(1, c + h);
		ece += (double)cnt[k] / (double)n * fabs(bk->rate - bk->mean_p);
	}
	free(cnt);
	free(sy);
	free(sp);
	free(edge);
	return n > 0 ? ece : NAN;
}

/* ---- calibration maps and their file -------------------------------- */

const char *const tl_calib_method_names[] = { "isotonic", "platt" };
const size_t tl_calib_nmethods = TL_NELEM(tl_calib_method_names);

const char *
tl_calib_method_name(enum tl_calib_method m)
{
	return tl_calib_method_names[m];
}

int
tl_calib_method_parse(const char *s)
{
	return (int)tl_table_find(tl_calib_method_names, tl_calib_nmethods,
	    sizeof(tl_calib_method_names[0]), s);
}

int
tl_cmap_fit(struct tl_cmap *m, enum tl_calib_method method, const double *s,
    const double *y, size_t n, struct tl_err *err)
{
	memset(m, 0, sizeof(*m));
	m->method = method;
	m->n = n;
	if (method == TL_CALIB_PLATT)
		return tl_platt_fit(s, y, n, &m->a, &m->b, err);
	return tl_iso_fit(&m->iso, s, y, n, err);
}

double
tl_cmap_apply(const struct tl_cmap *m, double s)
{
	return m->method == TL_CALIB_PLATT ? tl_platt_apply(m->a, m->b, s) :
	    tl_iso_apply(&m->iso, s);
}

void
tl_cal_release(struct tl_cal *c)
{
	size_t i;

	tl_iso_release(&c->pooled.iso);
	for (i = 0; i < c->ng; i++) {
		tl_iso_release(&c->gmap[i].iso);
		free(c->gname[i]);
	}
	free(c->gmap);
	free(c->gname);
	free(c->score);
	free(c->outcome);
	free(c->by);
	memset(c, 0, sizeof(*c));
}

static int
cmp_str(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;

	return strcmp(x, y);
}

const struct tl_cmap *
tl_cal_find(const struct tl_cal *c, const char *g)
{
	char **hit;

	if (g == NULL || c->ng == 0)
		return &c->pooled;
	hit = bsearch(&g, c->gname, c->ng, sizeof(char *), cmp_str);
	return hit != NULL ? &c->gmap[hit - c->gname] : &c->pooled;
}

static json_t *
cmap_json(const struct tl_cmap *m)
{
	json_t *v, *x, *y;
	size_t i;

	v = json_pack("{s:I}", "n", (json_int_t)m->n);
	if (m->method == TL_CALIB_PLATT) {
		json_object_set_new(v, "a", tl_json_num(m->a));
		json_object_set_new(v, "b", tl_json_num(m->b));
		return v;
	}
	x = json_array();
	y = json_array();
	for (i = 0; i < m->iso.n; i++) {
		json_array_append_new(x, json_real(m->iso.x[i]));
		json_array_append_new(y, json_real(m->iso.y[i]));
	}
	json_object_set_new(v, "x", x);
	json_object_set_new(v, "y", y);
	return v;
}

json_t *
tl_cal_json(const struct tl_cal *c)
{
	json_t *v, *g;
	size_t i;

	v = json_pack("{s:s,s:i,s:s,s:s,s:s}", "format", TL_CALIB_MAP_FORMAT,
	    "version", TL_CALIB_MAP_VERSION, "method",
	    tl_calib_method_names[c->method], "score", c->score, "outcome",
	    c->outcome);
	json_object_set_new(v, "by", c->by != NULL ? json_string(c->by) :
	    json_null());
	json_object_set_new(v, "min_rows", json_integer(c->min_rows));
	json_object_set_new(v, "n", json_integer((json_int_t)c->n));
	json_object_set_new(v, "pooled", cmap_json(&c->pooled));
	g = json_object();
	for (i = 0; i < c->ng; i++)
		json_object_set_new(g, c->gname[i], cmap_json(&c->gmap[i]));
	json_object_set_new(v, "groups", g);
	return v;
}

/* An integer member in [lo, hi] into *out; -1 with err. */
static int
get_int(const json_t *obj, const char *key, json_int_t lo, json_int_t hi,
    json_int_t *out, const char *path, const char *what, struct tl_err *err)
{
	json_t *v = json_object_get(obj, key);

	char range[64];

	if (json_is_integer(v) && json_integer_value(v) >= lo &&
	    json_integer_value(v) <= hi) {
		*out = json_integer_value(v);
		return 0;
	}
	if (lo == hi)
		snprintf(range, sizeof(range), "%" JSON_INTEGER_FORMAT, lo);
	else if (hi == LLONG_MAX)
		snprintf(range, sizeof(range), "an integer >= %"
		    JSON_INTEGER_FORMAT, lo);
	else
		snprintf(range, sizeof(range), "an integer in [%"
		    JSON_INTEGER_FORMAT ", %" JSON_INTEGER_FORMAT "]", lo, hi);
	return tl_err_set(err, TL_EX_DATAERR, path, 0, "%s%s'%s' must be %s",
	    what != NULL ? what : "", what != NULL ? ": " : "", key, range);
}

/* The isotonic knots of v into m->iso; -1 with err. */
static int
iso_load(struct tl_cmap *m, const json_t *v, const char *path,
    const char *what, struct tl_err *err)
{
	json_t *x = json_object_get(v, "x"), *y = json_object_get(v, "y");
	size_t i, n = json_array_size(x);

	if (!json_is_array(x) || !json_is_array(y) || n == 0 ||
	    json_array_size(y) != n)
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "%s: an "
		    "isotonic map needs arrays x and y of one length", what);
	m->iso.x = tl_xcalloc(n, sizeof(double));
	m->iso.y = tl_xcalloc(n, sizeof(double));
	m->iso.n = n;
	for (i = 0; i < n; i++) {
		if (!json_is_number(json_array_get(x, i)) ||
		    !json_is_number(json_array_get(y, i)))
			return tl_err_set(err, TL_EX_DATAERR, path, 0, "%s: "
			    "knot %zu is not two numbers", what, i);
		m->iso.x[i] = json_number_value(json_array_get(x, i));
		m->iso.y[i] = json_number_value(json_array_get(y, i));
		if (!(m->iso.x[i] >= 0 && m->iso.x[i] <= 1 &&
		    m->iso.y[i] >= 0 && m->iso.y[i] <= 1))
			return tl_err_set(err, TL_EX_DATAERR, path, 0, "%s: "
			    "knot %zu is outside [0, 1]", what, i);
		if (i > 0 && !(m->iso.x[i] > m->iso.x[i - 1] &&
		    m->iso.y[i] >= m->iso.y[i - 1]))
			return tl_err_set(err, TL_EX_DATAERR, path, 0,
			    "%s: knots not increasing or values not monotone "
			    "at %zu", what, i);
	}
	return 0;
}

/* A map from its JSON, fitted on lo..hi rows; -1 with err naming what. */
static int
cmap_load(struct tl_cmap *m, enum tl_calib_method method, const json_t *v,
    json_int_t lo, json_int_t hi, const char *path, const char *what,
    struct tl_err *err)
{
	json_t *a, *b;
	json_int_t n;

	memset(m, 0, sizeof(*m));
	m->method = method;
	if (!json_is_object(v))
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "%s: expected an "
		    "object", what);
	if (get_int(v, "n", lo, hi, &n, path, what, err) == -1)
		return -1;
	m->n = (size_t)n;
	if (method == TL_CALIB_ISOTONIC)
		return iso_load(m, v, path, what, err);
	a = json_object_get(v, "a");
	b = json_object_get(v, "b");
	if (!json_is_number(a) || !json_is_number(b))
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "%s: a platt map "
		    "needs numbers a and b", what);
	m->a = json_number_value(a);
	m->b = json_number_value(b);
	return 0;
}

/* The columns and counts of a map file into c; -1 with err. */
static int
cal_head(struct tl_cal *c, const json_t *v, const char *path,
    struct tl_err *err)
{
	const char *meth, *score, *outcome;
	json_t *by = json_object_get(v, "by");
	json_int_t k;
	int m;

	meth = json_string_value(json_object_get(v, "method"));
	if (meth == NULL || (m = tl_calib_method_parse(meth)) < 0)
		return tl_err_set(err, TL_EX_DATAERR, path, 0,
		    "unknown method");
	c->method = (enum tl_calib_method)m;
	score = json_string_value(json_object_get(v, "score"));
	outcome = json_string_value(json_object_get(v, "outcome"));
	if (score == NULL || *score == '\0' || outcome == NULL ||
	    *outcome == '\0' || !(json_is_null(by) || (json_is_string(by) &&
	    *json_string_value(by) != '\0')))
		return tl_err_set(err, TL_EX_DATAERR, path, 0, "score and "
		    "outcome must be column names, by a column name or null");
	c->score = tl_xstrdup(score);
	c->outcome = tl_xstrdup(outcome);
	c->by = json_is_string(by) ? tl_xstrdup(json_string_value(by)) : NULL;
	if (get_int(v, "min_rows", 1, TL_CALIB_MIN_ROWS_MAX, &k, path, NULL,
	    err) == -1)
		return -1;
	c->min_rows = (long)k;
	if (get_int(v, "n", 1, LLONG_MAX, &k, path, NULL, err) == -1)
		return -1;
	c->n = (size_t)k;
	return 0;
}

int
tl_cal_load(struct tl_cal *c, const char *path, struct tl_err *err)
{
	static const struct tl_format fmt = { TL_CALIB_MAP_FORMAT, 1,
	    TL_CALIB_MAP_VERSION };
	const char *key;
	char what[512];
	json_t *v, *g, *m;
	size_t i, j;
	int version, rc = -1;

	memset(c, 0, sizeof(*c));
	if ((v = tl_json_load_versioned(path, NULL, 0, &fmt, &version,
	    err)) == NULL)
		return -1;
	if (cal_head(c, v, path, err) == -1 || cmap_load(&c->pooled,
	    c->method, json_object_get(v, "pooled"), (json_int_t)c->n,
	    (json_int_t)c->n, path, "pooled", err) == -1)
		goto out;
	g = json_object_get(v, "groups");
	if (!json_is_object(g)) {
		tl_err_set(err, TL_EX_DATAERR, path, 0, "groups: expected an "
		    "object");
		goto out;
	}
	c->gname = tl_xcalloc(json_object_size(g) + 1, sizeof(char *));
	c->gmap = tl_xcalloc(json_object_size(g) + 1, sizeof(struct tl_cmap));
	json_object_foreach(g, key, m) {
		c->gname[c->ng] = tl_xstrdup(key);
		snprintf(what, sizeof(what), "group '%s'", key);
		if (cmap_load(&c->gmap[c->ng++], c->method, m, c->min_rows,
		    (json_int_t)c->n, path, what, err) == -1)
			goto out;
	}
	/* the file's order may not be ours: sort names and maps together */
	for (i = 1; i < c->ng; i++)
		for (j = i; j > 0 && strcmp(c->gname[j - 1], c->gname[j]) > 0;
		    j--) {
			char *t = c->gname[j];
			struct tl_cmap tm = c->gmap[j];

			c->gname[j] = c->gname[j - 1];
			c->gname[j - 1] = t;
			c->gmap[j] = c->gmap[j - 1];
			c->gmap[j - 1] = tm;
		}
	rc = 0;
out:
	json_decref(v);
	if (rc == -1)
		tl_cal_release(c);
	return rc;
}
