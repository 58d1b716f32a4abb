/*
 * The backtest of one genome (tl_synth_backtest.h): its genome read from
 * JSON by the gene table of tl_synth_strat.h, then one pass over the
 * world's trading days.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "tl_json.h"
#include "tl_num.h"
#include "tl_opt.h"
#include "tl_rng.h"
#include "tl_synth.h"
#include "tl_synth_backtest.h"
#include "tl_synth_draw.h"
#include "tl_util.h"

#define POISSON_KMAX	1000	/* k_d stops here: with lambda <= 95/21
				 * its tail beyond is below 1e-300 */

/* Gene g of v (present) into *s, in g's units. */
static int
gene_from_json(const struct tl_synth_gene *g, const json_t *v,
    const char *name, struct tl_synth_strat *s, struct tl_err *err)
{
	char num[TL_NUM_BUFSZ];
	double x;
	long k;

	switch (g->kind) {
	case TL_SYNTH_GENE_BOOL:
		if (!json_is_boolean(v))
			return tl_err_set(err, TL_EX_DATAERR, name, 0, "field "
			    "'%s': expected boolean, got %s", g->name,
			    tl_json_typename(v));
		*tl_synth_gene_ptr(s, g) = json_is_true(v);
		return 0;
	case TL_SYNTH_GENE_WORD:
		if (!json_is_string(v))
			return tl_err_set(err, TL_EX_DATAERR, name, 0, "field "
			    "'%s': expected string, got %s", g->name,
			    tl_json_typename(v));
		if ((k = tl_word_find(g->name, json_string_value(v), g->names,
		    (size_t)g->n, sizeof(*g->names), NULL, err)) < 0)
			return tl_err_set(err, TL_EX_DATAERR, name, 0, "field "
			    "'%s': %s", g->name, err->msg);
		*tl_synth_gene_ptr(s, g) = (int)k;
		return 0;
	case TL_SYNTH_GENE_INT:
	case TL_SYNTH_GENE_FLOAT:
	case TL_SYNTH_GENE_LOG:
		break;
	}
	if (!json_is_number(v))
		return tl_err_set(err, TL_EX_DATAERR, name, 0, "field '%s': "
		    "expected number, got %s", g->name, tl_json_typename(v));
	x = json_number_value(v);
	tl_fmt_double(num, x);
	if (g->kind == TL_SYNTH_GENE_INT && (x != floor(x) || x < g->lo ||
	    x > g->hi))
		return tl_err_set(err, TL_EX_DATAERR, name, 0, "field '%s': "
		    "%s is not an integer in [%g, %g]", g->name, num, g->lo,
		    g->hi);
	if (!(x >= g->lo && x <= g->hi))
		return tl_err_set(err, TL_EX_DATAERR, name, 0, "field '%s': "
		    "%s is not in [%g, %g]", g->name, num, g->lo, g->hi);
	*tl_synth_gene_ptr(s, g) = (int)tl_synth_units(x, g->scale);
	return 0;
}

int
tl_synth_genome_from_json(const json_t *v, const char *name,
    struct tl_synth_strat *s, struct tl_err *err)
{
	char list[512];
	const char *key;
	const json_t *x;
	size_t k;

	if (!json_is_object(v))
		return tl_err_set(err, TL_EX_DATAERR, name, 0, "expected a "
		    "genome object, got %s", tl_json_typename(v));
	memset(s, 0, sizeof(*s));
	json_object_foreach((json_t *)v, key, x)
		if (tl_table_find(tl_synth_genes, TL_NELEM(tl_synth_genes),
		    sizeof(tl_synth_genes[0]), key) < 0) {
			tl_word_list(list, sizeof(list), tl_synth_genes,
			    TL_NELEM(tl_synth_genes),
			    sizeof(tl_synth_genes[0]));
			return tl_err_set(err, TL_EX_DATAERR, name, 0, "field "
			    "'%s': not a genome field (%s)", key, list);
		}
	for (k = 0; k < TL_NELEM(tl_synth_genes); k++) {
		if ((x = json_object_get(v, tl_synth_genes[k].name)) == NULL)
			return tl_err_set(err, TL_EX_DATAERR, name, 0, "field "
			    "'%s': missing", tl_synth_genes[k].name);
		if (gene_from_json(&tl_synth_genes[k], x, name, s, err) == -1)
			return -1;
	}
	s->roi_mean = tl_synth_roi_mean(s);
	return 0;
}

/* The smallest k with P(K <= k) >= u, K ~ Poisson(lambda). */
static unsigned int
poisson_inv(double u, double lambda)
{
	double p = exp(-lambda), f = p;
	unsigned int k = 0;

	while (u > f && k < POISSON_KMAX) {
		k++;
		p *= lambda / k;
		f += p;
	}
	return k;
}

/* r_d of the regime: bull 1, bear -1, chop 0. */
static const double regime_sign[TL_SYNTH_NREGIME] = { 1, -1, 0 };

void
tl_synth_backtest(const struct tl_synth_world *w,
    const struct tl_synth_strat *s, uint64_t seed, struct tl_synth_bt *out)
{
	double q = s->risk / 1e5 / TL_SYNTH_BT_RISK_REF;
	double lambda = (15.0 + 4.0 * s->max_pos) / TL_SYNTH_BT_MONTH;
	double nref = 15.0 + 4.0 * TL_SYNTH_BT_POS_REF;
	double stop = sqrt(s->stop_atr / 100.0 / TL_SYNTH_ROI_SA_C);
	double e = 1, high = 1, mu, sigma, u, z, y;
	unsigned int k;
	gsl_rng *r;
	size_t d;

	memset(out, 0, sizeof(*out));
	out->ruin_day = -1;
	for (d = 0; d < w->nd; d++)
		out->regime_days[tl_synth_world_regime(w, d)]++;
	r = tl_rng_alloc(seed, TL_SYNTH_STREAM_BACKTEST);
	for (d = 0; d < w->nd; d++) {
		u = tl_rng_uniform(r);
		z = gsl_ran_gaussian(r, 1.0);
		k = poisson_inv(u, lambda);
		mu = (s->roi_mean + TL_SYNTH_ROI_REGIME *
		    regime_sign[tl_synth_world_regime(w, d)]) / nref;
		sigma = TL_SYNTH_BT_TRADE_SD * (w->vol_u[d] / 1e4 /
		    TL_SYNTH_VOL_REF) * stop;
		y = q * (k * mu + sqrt((double)k) * sigma * z);
		out->trades += k;
		e = 1 + y > 0 ? e * (1 + y) : 0;
		if (e > high)
			high = e;
		if (1 - e / high > out->drawdown)
			out->drawdown = 1 - e / high;
		if (e == 0) {
			out->ruin_day = (long)d;
			break;
		}
	}
	tl_rng_free(r);
	out->ret = e - 1;
}
