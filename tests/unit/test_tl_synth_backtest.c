/* Unit tests for lib/tl_synth_backtest: a genome read from JSON into the
 * log's units with each kind of bad value refused by name, the backtest
 * against the same path computed here from its definition (the Poisson
 * count by GSL's own CDF), its mean and trade count against their
 * expectations, the trade-off of return and drawdown in the risk, and a
 * ruin. */
#include <math.h>
#include <string.h>

#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "tl_rng.h"
#include "tl_synth.h"
#include "tl_synth_backtest.h"
#include "tl_time.h"

#define GENOME "{\"lookback\":150,\"entry_z\":2.38,\"exit_z\":0.4," \
	"\"stop_atr\":1.27,\"take_profit_atr\":3.5,\"use_trailing\":true," \
	"\"universe\":\"tech\",\"filter\":\"adx\"," \
	"\"risk_per_trade\":0.012345,\"max_positions\":7}"

static json_t *
parse(const char *s)
{
	json_t *v = json_loads(s, JSON_DECODE_ANY, NULL);

	cr_assert_not_null(v, "%s", s);
	return v;
}

/* The genome of GENOME with field key set to the JSON text val (NULL:
 * removed). */
static json_t *
genome_with(const char *key, const char *val)
{
	json_t *v = parse(GENOME);

	if (val == NULL)
		json_object_del(v, key);
	else
		json_object_set_new(v, key, parse(val));
	return v;
}

static void
world(struct tl_synth_world *w, uint64_t seed, size_t days)
{
	gsl_rng *r = tl_rng_alloc(seed, TL_SYNTH_STREAM_WORLD);

	tl_synth_world_init(w, tl_days_from_civil(2026, 1, 5), days, 12, r);
	tl_rng_free(r);
}

static struct tl_synth_strat
genome(void)
{
	struct tl_synth_strat s;
	struct tl_err err = { 0 };
	json_t *v = parse(GENOME);

	cr_assert_eq(tl_synth_genome_from_json(v, "g.json", &s, &err), 0,
	    "%s", err.msg);
	json_decref(v);
	return s;
}

Test(tl_synth_backtest, genome_in_the_log_units)
{
	struct tl_synth_strat s = genome();

	cr_assert_eq(s.lookback, 150);
	cr_assert_eq(s.entry_z, 238);
	cr_assert_eq(s.exit_z, 40);
	cr_assert_eq(s.stop_atr, 127);
	cr_assert_eq(s.tp_atr, 350);
	cr_assert_eq(s.trailing, 1);
	cr_assert_eq(s.universe, TL_SYNTH_U_TECH);
	cr_assert_eq(s.filter, 2);
	cr_assert_eq(s.risk, 1235);	/* 1e-5 units */
	cr_assert_eq(s.max_pos, 7);
	/* 0.02 tanh(90/40) + 0.015 (2.38 - 1.5) - 0.01 (1.27 - 2.5)^2 / 4 */
	cr_assert_float_eq(s.roi_mean, 0.02 * tanh(2.25) + 0.015 * 0.88 -
	    0.01 * 1.23 * 1.23 / 4, 1e-15);
}

Test(tl_synth_backtest, bad_genomes_are_refused_by_name)
{
	static const struct {
		const char	*key;	/* field to change */
		const char	*val;	/* its JSON, NULL: removed */
		const char	*msg;	/* the message */
	} c[] = {
		{ "lookback", NULL, "field 'lookback': missing" },
		{ "lookback", "\"50\"",
		    "field 'lookback': expected number, got string" },
		{ "lookback", "2.5",
		    "field 'lookback': 2.5 is not an integer in [5, 200]" },
		{ "max_positions", "21",
		    "field 'max_positions': 21 is not an integer in [1, 20]" },
		{ "entry_z", "3.01", "field 'entry_z': 3.01 is not in "
		    "[0.5, 3]" },
		{ "risk_per_trade", "0.0009", "field 'risk_per_trade': 0.0009 "
		    "is not in [0.001, 0.05]" },
		{ "use_trailing", "1",
		    "field 'use_trailing': expected boolean, got number" },
		{ "universe", "\"crypto\"", "field 'universe': unknown "
		    "'crypto' (tech, energy, finance or broad)" },
		{ "filter", "null",
		    "field 'filter': expected string, got null" },
		{ "lookbak", "60", "field 'lookbak': not a genome field "
		    "(lookback, entry_z, exit_z, stop_atr, take_profit_atr, "
		    "risk_per_trade, max_positions, use_trailing, universe or "
		    "filter)" },
	};
	struct tl_synth_strat s;
	struct tl_err err;
	json_t *v;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(&err, 0, sizeof(err));
		v = genome_with(c[i].key, c[i].val);
		cr_assert_eq(tl_synth_genome_from_json(v, "g.json", &s, &err),
		    -1, "%s", c[i].msg);
		cr_assert_eq(err.code, TL_EX_DATAERR);
		cr_assert_str_eq(err.where, "g.json");
		cr_assert_str_eq(err.msg, c[i].msg);
		json_decref(v);
	}
	memset(&err, 0, sizeof(err));
	v = parse("[1]");
	cr_assert_eq(tl_synth_genome_from_json(v, "g.json", &s, &err), -1);
	cr_assert_str_eq(err.msg, "expected a genome object, got array");
	json_decref(v);
}

/* The backtest of s over w, computed here from the definition in
 * tl_synth_backtest.h. */
static void
by_hand(const struct tl_synth_world *w, const struct tl_synth_strat *s,
    uint64_t seed, double *ret, double *dd, double *trades)
{
	gsl_rng *r = tl_rng_alloc(seed, TL_SYNTH_STREAM_BACKTEST);
	double lambda = (15 + 4.0 * s->max_pos) / 21, e = 1, high = 1;
	double u, z, mu, sigma, y, rs;
	unsigned int k;
	size_t d;

	*dd = 0;
	*trades = 0;
	for (d = 0; d < w->nd; d++) {
		u = tl_rng_uniform(r);
		z = gsl_ran_gaussian(r, 1.0);
		for (k = 0; gsl_cdf_poisson_P(k, lambda) < u; k++)
			;
		switch (tl_synth_world_regime(w, d)) {
		case TL_SYNTH_BULL:
			rs = 1;
			break;
		case TL_SYNTH_BEAR:
			rs = -1;
			break;
		default:
			rs = 0;
		}
		mu = (s->roi_mean + 0.03 * rs) / 95;
		sigma = 0.01 * (w->vol_u[d] / 1e4 / 0.16) *
		    sqrt(s->stop_atr / 250.0);
		y = s->risk / 1e5 / 0.05 * (k * mu + sqrt(k) * sigma * z);
		e *= 1 + y;
		high = fmax(high, e);
		*dd = fmax(*dd, 1 - e / high);
		*trades += k;
	}
	tl_rng_free(r);
	*ret = e - 1;
}

Test(tl_synth_backtest, the_path_of_its_definition)
{
	struct tl_synth_world w;
	struct tl_synth_strat s = genome();
	struct tl_synth_bt bt;
	double ret, dd, trades;
	uint64_t seed;

	for (seed = 1; seed <= 5; seed++) {
		world(&w, seed, 250);
		tl_synth_backtest(&w, &s, seed, &bt);
		by_hand(&w, &s, seed, &ret, &dd, &trades);
		cr_assert_float_eq(bt.ret, ret, 1e-12, "seed %llu",
		    (unsigned long long)seed);
		cr_assert_float_eq(bt.drawdown, dd, 1e-12);
		cr_assert_eq((double)bt.trades, trades);
		cr_assert_eq(bt.ruin_day, -1);
		cr_assert_gt(bt.drawdown, 0);
		cr_assert_eq(bt.regime_days[TL_SYNTH_BULL] +
		    bt.regime_days[TL_SYNTH_BEAR] +
		    bt.regime_days[TL_SYNTH_CHOP], 250);
		tl_synth_world_release(&w);
	}
}

/* At a small risk equity barely compounds: the return is about the sum
 * of the days' returns, whose mean is q lambda sum mu_d and whose sd is
 * q sqrt(lambda sum (mu_d^2 + sigma_d^2)) (a compound Poisson sum).  Over
 * 5,000 days the return must lie within 4 sd of it (and the trades within
 * 4 sd of lambda days), which a wrong scale of the mean or of the count
 * would leave by far. */
Test(tl_synth_backtest, mean_and_count_as_expected)
{
	struct tl_synth_world w;
	struct tl_synth_strat s = genome();
	struct tl_synth_bt bt;
	double q, lambda, m = 0, v = 0, mu, sigma, rs;
	size_t d, nd = 5000;
	int g;

	s.risk = 100;	/* 0.001: q = 0.02 */
	q = 0.02;
	lambda = (15 + 4.0 * s.max_pos) / 21;
	world(&w, 7, nd);
	for (d = 0; d < nd; d++) {
		g = tl_synth_world_regime(&w, d);
		rs = g == TL_SYNTH_BULL ? 1 : g == TL_SYNTH_BEAR ? -1 : 0;
		mu = (s.roi_mean + 0.03 * rs) / 95;
		sigma = 0.01 * (w.vol_u[d] / 1e4 / 0.16) *
		    sqrt(s.stop_atr / 250.0);
		m += q * lambda * mu;
		v += q * q * lambda * (mu * mu + sigma * sigma);
	}
	tl_synth_backtest(&w, &s, 7, &bt);
	cr_assert_leq(fabs(bt.ret - m), 4 * sqrt(v) + 0.1 * fabs(m),
	    "ret %g, expected %g +- %g", bt.ret, m, sqrt(v));
	cr_assert_leq(fabs((double)bt.trades - lambda * nd),
	    4 * sqrt(lambda * nd), "trades %llu, expected %g",
	    (unsigned long long)bt.trades, lambda * nd);
	tl_synth_world_release(&w);
}

Test(tl_synth_backtest, more_risk_more_return_and_more_drawdown)
{
	struct tl_synth_world w;
	struct tl_synth_strat s = genome();
	struct tl_synth_bt lo, hi;

	world(&w, 3, 250);
	s.lookback = 200;	/* the best planted ROI: a sure gain */
	s.entry_z = 300;
	s.stop_atr = 250;
	s.roi_mean = tl_synth_roi_mean(&s);
	s.risk = 500;
	tl_synth_backtest(&w, &s, 3, &lo);
	s.risk = 5000;
	tl_synth_backtest(&w, &s, 3, &hi);
	cr_assert_gt(lo.ret, 0);
	cr_assert_gt(hi.ret, lo.ret);
	cr_assert_gt(hi.drawdown, lo.drawdown);
	cr_assert_eq(hi.trades, lo.trades);	/* the same days */
	s.stop_atr = 100;	/* a tight stop: less noise, a lower mean */
	s.roi_mean = tl_synth_roi_mean(&s);
	tl_synth_backtest(&w, &s, 3, &lo);
	cr_assert_lt(lo.drawdown, hi.drawdown);
	cr_assert_lt(s.roi_mean, 0.02 * tanh(3.5) + 0.0225);
	tl_synth_world_release(&w);
}

Test(tl_synth_backtest, a_day_that_loses_everything_ruins)
{
	struct tl_synth_world w;
	struct tl_synth_strat s = genome();
	struct tl_synth_bt bt;

	world(&w, 2, 60);
	s.risk = 100000000;	/* 1000 times equity: no genome's */
	tl_synth_backtest(&w, &s, 2, &bt);
	cr_assert_geq(bt.ruin_day, 0);
	cr_assert_eq(bt.ret, -1);
	cr_assert_eq(bt.drawdown, 1);
	tl_synth_world_release(&w);
}
