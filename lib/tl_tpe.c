/*
 * TPE: the split of the trials, the two Parzen mixtures, sampling from
 * l(x) and the log l - log g ranking; and the quasi-random start.  See
 * tl_tpe.h.  Coordinates are those of tl_space: u in [0, 1] for numeric
 * parameters (kernels truncated to [0, 1]), the choice index for
 * categorical ones.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>

#include "tl_rng.h"
#include "tl_tpe.h"
#include "tl_util.h"

#define LOG_SQRT_2PI	0.91893853320467274178	/* log(sqrt(2 pi)) */
#define WEIGHTS_FLAT	25	/* the newest 25 trials weigh 1 (Optuna) */
#define MAGIC_CLIP_MAX	100.0	/* bandwidth floor 1/min(100, 1 + k) */
#define SOBOL_MAX_DIM	40	/* GSL's Sobol tables */
#define HALTON_MAX_DIM	1229	/* GSL's Halton primes */
#define LSE_CUTOFF	(-60.0)	/* log-sum-exp: smaller terms are 0 */

/* One Parzen mixture: k components, the last the prior. */
struct mix {
	size_t	 k;		/* components */
	double	*logw;		/* log weights, normalised */
	double	*cum;		/* cumulative weights, for sampling */
	double	*mu;		/* k * d: centre (numeric) or choice index */
	double	*sig;		/* k * d: bandwidth (numeric) */
	double	*isg;		/* k * d: 1 / sig */
	double	*lz;		/* k * d: log normaliser of the kernel */
	double	*chit;		/* d: log P(own choice) of a trial kernel */
	double	*cmiss;		/* d: log P(another choice) */
};

struct obs {
	double	*x;		/* point, d coordinates */
	double	 loss;		/* lower is better; unused when pending */
	double	 tier;		/* ranked before loss: 0 complete, more
				 * for pruned and infeasible trials */
	size_t	 order;		/* arrival, for the weights */
	double	 weight;	/* in the good group, given; NAN: none */
	int	 pending;	/* running or an earlier batch member */
};

struct tl_tpe {
	const struct tl_space	*s;	/* borrowed */
	struct tl_tpe_params	 p;	/* copied */
	size_t			 d;	/* coordinates */
	struct obs		*o;	/* observations and pending points */
	size_t			 n, cap;	/* used, allocated */
	size_t			 ndone;	/* finished ones */
	struct mix		 l, g;	/* good and bad mixtures */
	int			 fitted;	/* l and g are current */
	/* scratch for tl_tpe_suggest */
	double			*sc;	/* per-draw scores */
	size_t			*idx;	/* sort order */
	double			*tmp;	/* draws */
	size_t			 scratch;	/* rows the scratch holds */
};

static void
mix_release(struct mix *m)
{
	free(m->logw);
	free(m->cum);
	free(m->mu);
	free(m->sig);
	free(m->isg);
	free(m->lz);
	free(m->chit);
	free(m->cmiss);
	memset(m, 0, sizeof(*m));
}

struct tl_tpe *
tl_tpe_alloc(const struct tl_space *s, const struct tl_tpe_params *p)
{
	struct tl_tpe *t;

	t = tl_xcalloc(1, sizeof(*t));
	t->s = s;
	t->p = *p;
	t->d = s->n;
	return t;
}

void
tl_tpe_reset(struct tl_tpe *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->o[i].x);
	t->n = t->ndone = 0;
	t->fitted = 0;
}

void
tl_tpe_free(struct tl_tpe *t)
{
	if (t == NULL)
		return;
	tl_tpe_reset(t);
	free(t->o);
	mix_release(&t->l);
	mix_release(&t->g);
	free(t->sc);
	free(t->idx);
	free(t->tmp);
	free(t);
}

static void
add(struct tl_tpe *t, const double *x, double tier, double loss,
    double weight, int pending)
{
	struct obs *o;

	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->o = tl_xreallocarray(t->o, t->cap, sizeof(*t->o));
	}
	o = &t->o[t->n];
	o->x = tl_xcalloc(t->d ? t->d : 1, sizeof(double));
	memcpy(o->x, x, t->d * sizeof(double));
	o->loss = loss;
	o->tier = tier;
	o->weight = weight;
	o->order = t->n++;
	o->pending = pending;
	if (!pending)
		t->ndone++;
	t->fitted = 0;
}

void
tl_tpe_observe(struct tl_tpe *t, const double *x, double loss)
{
	add(t, x, 0, loss, NAN, 0);
}

void
tl_tpe_observe_tier(struct tl_tpe *t, const double *x, double tier,
    double loss)
{
	add(t, x, tier, loss, NAN, 0);
}

void
tl_tpe_observe_weighted(struct tl_tpe *t, const double *x, double tier,
    double loss, double weight)
{
	add(t, x, tier, loss, weight, 0);
}

void
tl_tpe_pending(struct tl_tpe *t, const double *x)
{
	add(t, x, 0, 0, NAN, 1);
}

size_t
tl_tpe_count(const struct tl_tpe *t)
{
	return t->ndone;
}

size_t
tl_tpe_n_below(const struct tl_tpe_params *p, size_t n)
{
	size_t k;

	if (n == 0)
		return 0;
	k = (size_t)ceil(p->gamma * (double)n);
	if (k > p->gamma_max)
		k = p->gamma_max;
	return k < 1 ? 1 : k > n ? n : k;
}

void
tl_tpe_weights(size_t n, double *w)
{
	size_t i, ramp;

	if (n < WEIGHTS_FLAT) {
		for (i = 0; i < n; i++)
			w[i] = 1;
		return;
	}
	/* numpy.linspace(1/n, 1, n - 25) */
	ramp = n - WEIGHTS_FLAT;
	for (i = 0; i < ramp; i++)
		w[i] = ramp == 1 ? 1.0 / (double)n : 1.0 / (double)n +
		    (1 - 1.0 / (double)n) * (double)i / (double)(ramp - 1);
	for (; i < n; i++)
		w[i] = 1;
}

/* The floor of a numeric bandwidth with k kernels. */
static double
clip_floor(const struct tl_tpe_params *p, size_t k)
{
	double f = 1.0 / pow(fmin(MAGIC_CLIP_MAX, 1.0 + (double)k),
	    p->clip_exp > 0 ? p->clip_exp : 1.0);

	return f > p->min_bw ? f : p->min_bw;
}

static int
cmp_dbl_idx(const void *a, const void *b, void *ctx)
{
	const double *v = ctx;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;

	if (v[i] < v[j])
		return -1;
	if (v[i] > v[j])
		return 1;
	return i < j ? -1 : i > j;
}

/* qsort_r is a GNU extension with a different BSD signature: a small
 * insertion/merge sort of indices by v keeps us portable. */
static void
sort_idx(size_t *idx, size_t n, const double *v)
{
	size_t *tmp, w, i, j, lo, mid, hi, a, b;

	if (n < 2)
		return;
	tmp = tl_xcalloc(n, sizeof(*tmp));
	for (w = 1; w < n; w *= 2) {
		for (lo = 0; lo < n; lo += 2 * w) {
			mid = lo + w < n ? lo + w : n;
			hi = lo + 2 * w < n ? lo + 2 * w : n;
			a = lo;
			b = mid;
			for (i = lo; i < hi; i++) {
				if (a < mid && (b >= hi ||
				    cmp_dbl_idx(&idx[a], &idx[b],
				    (void *)v) <= 0))
					tmp[i] = idx[a++];
				else
					tmp[i] = idx[b++];
			}
		}
		for (j = 0; j < n; j++)
			idx[j] = tmp[j];
	}
	free(tmp);
}

/* Univariate bandwidths; with prior, the prior's centre 0.5 counts as
 * a neighbour (Optuna up to 4.8). */
static void
sigmas(const double *mu, size_t n, int prior, double floor_, double *sigma)
{
	size_t *idx, i, j, m = n + (prior != 0);
	double *e, *v, *sg, lo, hi;

	if (n == 0)
		return;
	idx = tl_xcalloc(m, sizeof(*idx));
	e = tl_xcalloc(m + 2, sizeof(*e));
	v = tl_xcalloc(m, sizeof(*v));
	sg = tl_xcalloc(m, sizeof(*sg));
	for (i = 0; i < m; i++) {
		idx[i] = i;
		v[i] = i < n ? mu[i] : 0.5;
	}
	sort_idx(idx, m, v);
	e[0] = 0;
	e[m + 1] = 1;
	for (i = 0; i < m; i++)
		e[i + 1] = v[idx[i]];
	for (i = 0; i < m; i++) {
		j = i + 1;
		lo = e[j] - e[j - 1];
		hi = e[j + 1] - e[j];
		/* consider_endpoints false: the outer ones see only their
		 * inner neighbour */
		if (m >= 2 && i == 0)
			lo = hi;
		if (m >= 2 && i == m - 1)
			hi = lo;
		sg[idx[i]] = fmin(fmax(fmax(lo, hi), floor_), 1.0);
	}
	for (i = 0; i < n; i++)
		sigma[i] = sg[i];
	free(sg);
	free(v);
	free(e);
	free(idx);
}

void
tl_tpe_sigmas(const double *mu, size_t n, double *sigma)
{
	struct tl_tpe_params p = TL_TPE_PARAMS_DEFAULT;

	p.clip_exp = 1;
	sigmas(mu, n, 0, clip_floor(&p, n + 1), sigma);
}

/* log of the mass of N(0, 1) on [a, b], a < b. */
static double
log_mass(double a, double b)
{
	double m;

	if (a >= 0)
		m = gsl_cdf_ugaussian_Q(a) - gsl_cdf_ugaussian_Q(b);
	else
		m = gsl_cdf_ugaussian_P(b) - gsl_cdf_ugaussian_P(a);
	if (m > 0)
		return log(m);
	/* far in a tail: the density at the middle times the width */
	m = (a + b) / 2;
	return -0.5 * m * m - LOG_SQRT_2PI + log(b - a);
}

/* Scott's rule for n >= 2 values v of one coordinate in d dimensions:
 * 1.059 * min(sd, IQR / 1.34) * n^(-1/(d+4)); it narrows as the good
 * group gathers, where a share of the range (Optuna) stays wide. */
static double
scott(const double *v, size_t n, size_t d)
{
	double *w, m = 0, ss = 0, sd, iqr, spread;
	size_t i;

	w = tl_xcalloc(n, sizeof(double));
	for (i = 0; i < n; i++) {
		w[i] = v[i];
		m += v[i];
	}
	m /= (double)n;
	for (i = 0; i < n; i++)
		ss += (v[i] - m) * (v[i] - m);
	sd = sqrt(ss / (double)(n - 1));
	qsort(w, n, sizeof(double), tl_cmp_double);
	/* quartiles by linear interpolation (numpy's default) */
	{
		double a = 0.25 * (double)(n - 1), b = 0.75 * (double)(n - 1);
		size_t ia = (size_t)a, ib = (size_t)b;
		double qa = w[ia] + (a - (double)ia) * (ia + 1 < n ?
		    w[ia + 1] - w[ia] : 0);
		double qb = w[ib] + (b - (double)ib) * (ib + 1 < n ?
		    w[ib + 1] - w[ib] : 0);

		iqr = qb - qa;
	}
	free(w);
	spread = iqr > 0 && iqr / 1.34 < sd ? iqr / 1.34 : sd;
	return 1.059 * spread * pow((double)n, -1.0 / ((double)d + 4));
}

/* Is coordinate j drawn and scored on its own, outside the joint
 * kernels of a multivariate TPE?  Categorical ones are: tied to the
 * numeric values of its trial, a choice tried only in poor company
 * would seldom be drawn next to the good values, and the search could
 * settle on a worse choice for good (bench/bayesopt's mixed space). */
static int
alone(const struct tl_tpe *t, size_t j)
{
	return t->p.multivariate && t->s->p[j].kind == TL_D_CAT;
}

/* Build mixture m from observations sel[0..n) (indices into t->o, in
 * trial order) with weights w, and the prior with weight pw. */
static void
mix_build(struct tl_tpe *t, struct mix *m, const size_t *sel, size_t n,
    const double *w, double pw)
{
	const struct tl_space *s = t->s;
	size_t k = n + 1, i, j, c;
	double sum, sig, *mu, *sg, lw;

	mix_release(m);
	m->k = k;
	m->logw = tl_xcalloc(k, sizeof(double));
	m->cum = tl_xcalloc(k, sizeof(double));
	m->mu = tl_xcalloc(k * (t->d ? t->d : 1), sizeof(double));
	m->sig = tl_xcalloc(k * (t->d ? t->d : 1), sizeof(double));
	m->isg = tl_xcalloc(k * (t->d ? t->d : 1), sizeof(double));
	m->lz = tl_xcalloc(k * (t->d ? t->d : 1), sizeof(double));
	m->chit = tl_xcalloc(t->d ? t->d : 1, sizeof(double));
	m->cmiss = tl_xcalloc(t->d ? t->d : 1, sizeof(double));
	for (i = 0, sum = 0; i < n; i++)
		sum += w[i];
	sum += pw;
	for (i = 0, lw = 0; i < k; i++) {
		double wi = i < n ? w[i] : pw;

		m->logw[i] = log(wi / sum);
		lw += wi / sum;
		m->cum[i] = lw;
	}
	m->cum[k - 1] = 1;
	mu = tl_xcalloc(k, sizeof(double));
	sg = tl_xcalloc(k, sizeof(double));
	for (j = 0; j < t->d; j++) {
		const struct tl_param *p = &s->p[j];

		if (p->kind == TL_D_CAT) {
			double base = t->p.prior_weight / (double)k;
			double tot = 1 + base * (double)p->nlev;

			m->chit[j] = log((1 + base) / tot);
			m->cmiss[j] = log(base / tot);
			for (i = 0; i < n; i++)
				m->mu[i * t->d + j] = t->o[sel[i]].x[j];
			m->mu[n * t->d + j] = -1;	/* prior: uniform */
			continue;
		}
		for (i = 0; i < n; i++)
			mu[i] = t->o[sel[i]].x[j];
		if (t->p.multivariate && t->p.bw == TL_TPE_BW_SCOTT &&
		    n >= 2) {
			sig = scott(mu, n, t->d);
			sig = fmin(fmax(sig, t->p.min_bw), 1.0);
			for (i = 0; i < n; i++)
				sg[i] = sig;
		} else if (t->p.multivariate && t->p.bw == TL_TPE_BW_OPTUNA) {
			sig = t->p.bw_factor * pow((double)(n > 0 ? n : 1),
			    -1.0 / ((double)t->d + 4));
			sig = fmin(fmax(sig, clip_floor(&t->p, k)), 1.0);
			for (i = 0; i < n; i++)
				sg[i] = sig;
		} else {
			sigmas(mu, n, t->p.prior_neighbour,
			    clip_floor(&t->p, k), sg);
		}
		mu[n] = 0.5;
		sg[n] = 1;
		for (i = 0; i < k; i++) {
			double z = log_mass(-mu[i] / sg[i],
			    (1 - mu[i]) / sg[i]);

			c = i * t->d + j;
			m->mu[c] = mu[i];
			m->sig[c] = sg[i];
			m->isg[c] = 1 / sg[i];
			/* continuous: log(sigma sqrt(2 pi) Z); discrete:
			 * log Z (the bin mass is divided by it) */
			m->lz[c] = p->kind == TL_D_CONT ?
			    (t->p.flat_height ? 0 : log(sg[i])) +
			    LOG_SQRT_2PI + z : z;
		}
	}
	free(sg);
	free(mu);
}

/* EI weighting of the good group below[0..nb) (Watanabe 2023, after
 * Bergstra et al. 2011's derivation of EI from l and g): a trial weighs
 * its improvement thr - loss over the best bad trial, so that l(x)
 * follows (y* - y) p(x | y < y*), the integrand of expected improvement,
 * and the best trials hold most of the mass.  The prior weighs
 * prior_weight times an average trial.  Returns the prior's weight; if
 * the improvements are all zero or not finite, w is left as it is. */
static double
weigh_improvement(const struct tl_tpe *t, const size_t *below, size_t nb,
    const double *loss, double thr, double *w)
{
	double sum = 0, *v;
	size_t i;

	v = tl_xcalloc(nb ? nb : 1, sizeof(double));
	for (i = 0; i < nb; i++) {
		v[i] = thr - loss[below[i]];
		if (!(v[i] > 0))	/* tied with the split, or NaN */
			v[i] = 0;
		sum += v[i];
	}
	if (sum > 0 && isfinite(sum)) {
		for (i = 0; i < nb; i++)
			w[i] = v[i];
		free(v);
		return t->p.prior_weight * sum / (double)nb;
	}
	free(v);
	return t->p.prior_weight;
}

int
tl_tpe_fit(struct tl_tpe *t)
{
	size_t *done, *below, *above, nb, na, nd, i, c, nbelow;
	double *loss, *tier, *w, pw;
	int tiered = 0;

	if (t->ndone == 0)
		return -1;
	done = tl_xcalloc(t->ndone, sizeof(*done));
	below = tl_xcalloc(t->n, sizeof(*below));
	above = tl_xcalloc(t->n, sizeof(*above));
	loss = tl_xcalloc(t->n, sizeof(*loss));
	tier = tl_xcalloc(t->n, sizeof(*tier));
	w = tl_xcalloc(t->n, sizeof(*w));
	for (i = nd = 0; i < t->n; i++) {
		loss[i] = t->o[i].loss;
		tier[i] = t->o[i].tier;
		if (!t->o[i].pending)
			done[nd++] = i;
	}
	/* the best nbelow finished trials by (tier, loss), ties by arrival:
	 * by loss, then a stable insertion by tier (tiers are few) */
	sort_idx(done, nd, loss);
	for (i = 1; i < nd; i++) {
		size_t j = i, k = done[i];

		for (; j > 0 && tier[done[j - 1]] > tier[k]; j--)
			done[j] = done[j - 1];
		done[j] = k;
	}
	nbelow = tl_tpe_n_below(&t->p, nd);
	/* improvements mean something only between complete trials */
	for (i = 0; i <= nbelow && i < nd; i++)
		tiered |= tier[done[i]] != 0;
	/* both groups back in trial order: mark, then sweep */
	for (i = 0; i < t->n; i++)
		w[i] = 0;
	for (i = 0; i < nbelow; i++)
		w[done[i]] = 1;
	for (i = nb = na = 0; i < t->n; i++) {
		if (w[i] == 1)
			below[nb++] = i;
		else
			above[na++] = i;
	}
	tl_tpe_weights(nb, w);
	pw = t->p.prior_weight;
	if (t->p.ei_weights && nbelow < nd && !tiered)
		pw = weigh_improvement(t, below, nb, loss, loss[done[nbelow]], w);
	/* weights given to every good trial replace the others */
	for (i = 0; i < nb && t->o[below[i]].weight > 0; i++)
		;
	for (c = 0; i == nb && c < nb; c++)
		w[c] = t->o[below[c]].weight;
	mix_build(t, &t->l, below, nb, w, pw);
	tl_tpe_weights(na, w);
	mix_build(t, &t->g, above, na, w, t->p.prior_weight);
	free(w);
	free(tier);
	free(loss);
	free(above);
	free(below);
	free(done);
	t->fitted = 1;
	return 0;
}

/* Per-coordinate log kernel of component i of m at coordinate j, given
 * the bin [blo, bhi] of a discrete x (unused otherwise).  The hot loop
 * of a suggestion: n_ei draws times all trials times d. */
static inline double
log_kernel(const struct tl_tpe *t, const struct mix *m, size_t i, size_t j,
    double x, double blo, double bhi)
{
	size_t c = i * t->d + j;
	double z, mu;

	switch (t->s->p[j].kind) {
	case TL_D_CONT:
		z = (x - m->mu[c]) * m->isg[c];
		return -0.5 * z * z - m->lz[c];
	case TL_D_CAT:
		mu = m->mu[c];
		if (mu < 0)
			return -log((double)t->s->p[j].nlev);
		return mu == x ? m->chit[j] : m->cmiss[j];
	default:
		return log_mass((blo - m->mu[c]) * m->isg[c],
		    (bhi - m->mu[c]) * m->isg[c]) - m->lz[c];
	}
}

/* The bins of the discrete coordinates of x into blo, bhi. */
static void
bins_of(const struct tl_tpe *t, const double *x, double *blo, double *bhi)
{
	size_t j;

	for (j = 0; j < t->d; j++)
		if (t->s->p[j].kind == TL_D_DISC)
			tl_param_bin(&t->s->p[j], tl_param_level(&t->s->p[j],
			    x[j]), &blo[j], &bhi[j]);
		else
			blo[j] = bhi[j] = 0;
}

/* log of the mixture density at x; coordinate only j, or if j is
 * (size_t)-1 all coordinates but those scored alone. */
static double
mix_logpdf(const struct tl_tpe *t, const struct mix *m, const double *x,
    const double *blo, const double *bhi, size_t only, double *buf)
{
	size_t i, j;
	double mx = -HUGE_VAL, s, v;

	if (only != (size_t)-1 && t->s->p[only].kind == TL_D_CONT) {
		/* one continuous coordinate: the univariate hot loop, no
		 * switch per kernel */
		const double *mu = m->mu + only, *isg = m->isg + only;
		const double *lz = m->lz + only;
		size_t d = t->d;
		double z;

		for (i = 0; i < m->k; i++) {
			z = (x[only] - mu[i * d]) * isg[i * d];
			v = m->logw[i] + (-0.5 * z * z - lz[i * d]);
			buf[i] = v;
			if (v > mx)
				mx = v;
		}
		goto sum;
	}
	for (i = 0; i < m->k; i++) {
		v = m->logw[i];
		if (only != (size_t)-1)
			v += log_kernel(t, m, i, only, x[only], blo[only],
			    bhi[only]);
		else
			for (j = 0; j < t->d; j++)
				if (!alone(t, j))
					v += log_kernel(t, m, i, j, x[j],
					    blo[j], bhi[j]);
		buf[i] = v;
		if (v > mx)
			mx = v;
	}
sum:
	if (mx == -HUGE_VAL)
		return mx;
	/* terms below e^-60 of the largest cannot move the sum (1 <= s,
	 * s's ulp is 2^-52): skipping them saves exp() its slow underflow
	 * path, most of the cost with a long history, bit for bit */
	for (i = 0, s = 0; i < m->k; i++)
		if (buf[i] - mx > LSE_CUTOFF)
			s += exp(buf[i] - mx);
	return mx + log(s);
}

/* log of the model density at x: the joint mixture times, for each
 * coordinate scored alone, its own mixture. */
static double
model_logpdf(const struct tl_tpe *t, const struct mix *m, const double *x,
    const double *blo, const double *bhi, double *buf)
{
	double v = mix_logpdf(t, m, x, blo, bhi, (size_t)-1, buf);
	size_t j;

	for (j = 0; j < t->d; j++)
		if (alone(t, j))
			v += mix_logpdf(t, m, x, blo, bhi, j, buf);
	return v;
}

static double
logpdf_at(const struct tl_tpe *t, const struct mix *m, const double *x,
    size_t only)
{
	double *blo, *bhi, *buf, v;
	size_t d = t->d ? t->d : 1;

	blo = tl_xcalloc(d, sizeof(double));
	bhi = tl_xcalloc(d, sizeof(double));
	buf = tl_xcalloc(m->k, sizeof(double));
	bins_of(t, x, blo, bhi);
	v = only == (size_t)-1 ? model_logpdf(t, m, x, blo, bhi, buf) :
	    mix_logpdf(t, m, x, blo, bhi, only, buf);
	free(buf);
	free(bhi);
	free(blo);
	return v;
}

double
tl_tpe_logpdf(const struct tl_tpe *t, int which, const double *x)
{
	return logpdf_at(t, which == 0 ? &t->l : &t->g, x, (size_t)-1);
}

double
tl_tpe_score(const struct tl_tpe *t, const double *x)
{
	double s = 0;
	size_t j;

	if (t->p.multivariate)
		return logpdf_at(t, &t->l, x, (size_t)-1) -
		    logpdf_at(t, &t->g, x, (size_t)-1);
	for (j = 0; j < t->d; j++)
		s += logpdf_at(t, &t->l, x, j) - logpdf_at(t, &t->g, x, j);
	return s;
}

/* Component of m drawn by weight. */
static size_t
pick(const struct mix *m, gsl_rng *r)
{
	double u = tl_rng_uniform(r);
	size_t lo = 0, hi = m->k - 1, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (m->cum[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Coordinate j of a draw from component i of l. */
static double
draw_coord(const struct tl_tpe *t, size_t i, size_t j, gsl_rng *r)
{
	const struct tl_param *p = &t->s->p[j];
	const struct mix *m = &t->l;
	size_t c = i * t->d + j, lev;
	double pa, pb, u, x, mu = m->mu[c], sg = m->sig[c];

	if (p->kind == TL_D_CAT) {
		/* P(own) = hit = (hit - miss) + K * miss / K: the own
		 * choice with hit - miss, else uniform over all */
		if (mu >= 0 && tl_rng_uniform(r) < exp(m->chit[j]) -
		    exp(m->cmiss[j]))
			lev = (size_t)mu;
		else
			lev = tl_rng_below(r, p->nlev);
		return (double)lev;
	}
	pa = gsl_cdf_ugaussian_P(-mu / sg);
	pb = gsl_cdf_ugaussian_P((1 - mu) / sg);
	u = pa + tl_rng_uniform(r) * (pb - pa);
	x = mu + sg * gsl_cdf_ugaussian_Pinv(u);
	if (!(x >= 0))
		x = 0;
	if (x > 1)
		x = 1;
	return x;
}

void
tl_tpe_sample(const struct tl_tpe *t, gsl_rng *r, double *x)
{
	size_t i, j;

	i = pick(&t->l, r);
	for (j = 0; j < t->d; j++) {
		if (!t->p.multivariate || alone(t, j))
			i = pick(&t->l, r);
		x[j] = draw_coord(t, i, j, r);
	}
	tl_space_snap(t->s, x);
}

static void
scratch(struct tl_tpe *t, size_t m)
{
	size_t k = t->l.k > t->g.k ? t->l.k : t->g.k;

	if (t->scratch >= m && t->scratch >= k)
		return;
	t->scratch = m > k ? m : k;
	t->sc = tl_xreallocarray(t->sc, t->scratch, sizeof(double));
	t->idx = tl_xreallocarray(t->idx, t->scratch, sizeof(size_t));
	t->tmp = tl_xreallocarray(t->tmp, t->scratch * (t->d ? t->d : 1),
	    sizeof(double));
}

void
tl_tpe_suggest(struct tl_tpe *t, gsl_rng *r, size_t m, double *X,
    double *score)
{
	size_t d = t->d, i, j, dd = d ? d : 1;
	double *blo, *bhi, *buf, *neg;

	if (m == 0)
		return;
	scratch(t, m);
	blo = tl_xcalloc(dd, sizeof(double));
	bhi = tl_xcalloc(dd, sizeof(double));
	buf = tl_xcalloc(t->scratch, sizeof(double));
	neg = tl_xcalloc(m, sizeof(double));
	for (i = 0; i < m; i++)
		tl_tpe_sample(t, r, &t->tmp[i * d]);
	if (t->p.multivariate) {
		for (i = 0; i < m; i++) {
			bins_of(t, &t->tmp[i * d], blo, bhi);
			t->sc[i] = model_logpdf(t, &t->l, &t->tmp[i * d], blo,
			    bhi, buf) - model_logpdf(t, &t->g, &t->tmp[i * d],
			    blo, bhi, buf);
			neg[i] = -t->sc[i];
			t->idx[i] = i;
		}
		sort_idx(t->idx, m, neg);
		for (i = 0; i < m; i++) {
			memcpy(&X[i * d], &t->tmp[t->idx[i] * d],
			    d * sizeof(double));
			score[i] = t->sc[t->idx[i]];
		}
	} else {
		for (i = 0; i < m; i++)
			score[i] = 0;
		for (j = 0; j < d; j++) {
			for (i = 0; i < m; i++) {
				bins_of(t, &t->tmp[i * d], blo, bhi);
				t->sc[i] = mix_logpdf(t, &t->l, &t->tmp[i * d],
				    blo, bhi, j, buf) - mix_logpdf(t, &t->g,
				    &t->tmp[i * d], blo, bhi, j, buf);
				neg[i] = -t->sc[i];
				t->idx[i] = i;
			}
			sort_idx(t->idx, m, neg);
			for (i = 0; i < m; i++) {
				X[i * d + j] = t->tmp[t->idx[i] * d + j];
				score[i] += t->sc[t->idx[i]];
			}
		}
	}
	free(neg);
	free(buf);
	free(bhi);
	free(blo);
}

int
tl_qmc_points(size_t d, size_t start, size_t n, unsigned long seed,
    double *q)
{
	gsl_qrng *g;
	gsl_rng *r;
	double *shift, *pt;
	size_t i, j;

	if (d == 0)
		return 0;
	if (d > HALTON_MAX_DIM)
		return -1;
	g = gsl_qrng_alloc(d <= SOBOL_MAX_DIM ? gsl_qrng_sobol :
	    gsl_qrng_halton, (unsigned int)d);
	if (g == NULL)
		tl_oom();
	shift = tl_xcalloc(d, sizeof(double));
	pt = tl_xcalloc(d, sizeof(double));
	/* stream 0x5eed: the shift is the seed's, apart from other draws */
	r = tl_rng_alloc(seed, 0x5eed);
	for (j = 0; j < d; j++)
		shift[j] = tl_rng_uniform(r);
	tl_rng_free(r);
	/* GSL starts after the origin, point 0 of the sequence: without it
	 * the first 2^k points are not a net */
	for (i = 0; i < start + n; i++) {
		if (i > 0)
			gsl_qrng_get(g, pt);
		if (i < start)
			continue;
		for (j = 0; j < d; j++) {
			double v = pt[j] + shift[j];

			q[(i - start) * d + j] = v >= 1 ? v - 1 : v;
		}
	}
	free(pt);
	free(shift);
	gsl_qrng_free(g);
	return 0;
}
