/* Unit tests for lib/tl_synth: the plan of a synthetic log, its facts
 * checked directly (no files): day counts, the activity floor, the
 * in-sample runs, the churn's names and runs, determinism. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_synth.h"
#include "tl_synth_runs.h"
#include "synth.h"

static void
init(void)
{
	tl_init("tl-test");
}

TestSuite(tl_synth, .init = init);

Test(tl_synth, day_counts_add_up)
{
	struct tl_synth *s = ut_synth(3, 60, 20, 12, 1000, NULL);
	uint64_t tr = 0, h = 0, o = 0;
	size_t d;

	for (d = 0; d < s->w.nd; d++) {
		tr += s->ntr[d];
		h += s->nhold[d];
		o += s->nopen[d];
	}
	cr_assert_eq(tr, 1000);
	cr_assert_eq(h, 25);		/* 5% of the trades, halved */
	cr_assert_eq(o, 25);
	cr_assert_eq(s->nholds, 25);
	cr_assert_eq(s->nopens, 25);
	cr_assert_eq(s->ndec, 1050);
	cr_assert_eq(s->nruns, 20 * 12);
	cr_assert_eq(s->npromo, 6);
	cr_assert_null(s->churn);
	tl_synth_free(s);
}

/* Expected closed trades a day of each strategy, at its full activity. */
static void
assert_floor(const struct tl_synth *s, double min_rate)
{
	double tot = 0, tpd = (double)s->par.trades / (double)s->w.nd, a;
	size_t i;

	for (i = 0; i < s->ns; i++)
		tot += s->st[i].activity * (s->st[i].promo_day >= 0 ? 3 : 1);
	for (i = 0; i < s->ns; i++) {
		a = s->st[i].activity * tpd / tot;
		cr_assert_geq(a, min_rate * (1 - 1e-12), "%s: %g a day",
		    s->st[i].id, a);
	}
}

Test(tl_synth, every_strategy_trades_at_the_floor_rate)
{
	struct tl_synth *s;
	uint64_t seed;

	for (seed = 1; seed <= 20; seed++) {
		s = ut_synth(seed, 60, 20, 12, 500, NULL);
		assert_floor(s, TL_SYNTH_MIN_RATE);
		tl_synth_free(s);
	}
	s = ut_synth(1, 120, 20, 12, 4800, "");
	assert_floor(s, TL_SYNTH_CHURN_MIN_RATE);
	tl_synth_free(s);
}

Test(tl_synth, no_trades_no_floor)
{
	struct tl_synth *s = ut_synth(2, 5, 4, 2, 0, NULL);

	cr_assert_eq(s->ndec, 0);
	cr_assert_eq(s->nruns, 8);
	tl_synth_free(s);
}

Test(tl_synth, in_sample_metrics_are_those_of_the_run)
{
	struct tl_synth *s = ut_synth(7, 120, 30, 12, 800, NULL);
	struct tl_synth_runs *g = tl_synth_runs_alloc(s);
	struct tl_synth_period per;
	const struct tl_synth_strat *st;
	size_t i, n = 0;

	while (tl_synth_runs_next(g, &per))
		for (i = 0; i < s->ns; i++) {
			st = &s->st[i];
			if (st->is_period != (long)per.p)
				continue;
			cr_assert_eq(st->is_roi, per.run[i].roi, "%s", st->id);
			cr_assert_eq(st->is_sharpe, per.run[i].sharpe);
			n++;
		}
	cr_assert_eq(n, 9, "9 promoted, each with an in-sample run");
	tl_synth_runs_free(g);
	tl_synth_free(s);
}

Test(tl_synth, same_seed_same_plan_another_seed_another)
{
	struct tl_synth *a = ut_synth(42, 60, 16, 8, 4000, NULL);
	struct tl_synth *b = ut_synth(42, 60, 16, 8, 4000, NULL);
	struct tl_synth *c = ut_synth(43, 60, 16, 8, 4000, NULL);

	cr_assert_eq(memcmp(a->st, b->st, a->ns * sizeof(*a->st)), 0);
	cr_assert_eq(memcmp(a->ntr, b->ntr, a->w.nd * sizeof(*a->ntr)), 0);
	cr_assert_neq(memcmp(a->st, c->st, a->ns * sizeof(*a->st)), 0);
	tl_synth_free(a);
	tl_synth_free(b);
	tl_synth_free(c);
}

Test(tl_synth, churn_names_and_runs)
{
	struct tl_synth *s = ut_synth(5, 40, 12, 6, 900,
	    "late=3,pause=2,retire=2,rename=2");
	const struct tl_churn_role *ro;
	size_t i, p, nrename = 0, nlate = 0;
	uint64_t runs = 0;
	int64_t first, z;
	char alias[24];

	cr_assert_not_null(s->churn);
	for (i = 0; i < s->ns; i++) {
		ro = tl_churn_role(s->churn, i);
		if (ro->kind == TL_CHURN_LATE || ro->kind == TL_CHURN_RETIRE)
			cr_assert_lt(s->st[i].promo_day, 0, "never promoted");
		if (ro->kind == TL_CHURN_RENAME) {
			snprintf(alias, sizeof(alias), "S%04zu",
			    s->ns + ro->seq + 1);
			cr_assert_str_eq(s->st[i].alias, alias);
			z = tl_synth_day(s, ro->day);
			cr_assert_str_eq(tl_synth_name(s, i, z - 1),
			    s->st[i].id);
			cr_assert_str_eq(tl_synth_name(s, i, z), alias);
			nrename++;
		} else {
			cr_assert_str_eq(s->st[i].alias, "");
			cr_assert_str_eq(tl_synth_name(s, i, tl_synth_day(s,
			    s->w.nd - 1)), s->st[i].id);
		}
		nlate += ro->kind == TL_CHURN_LATE;
		/* a run is kept unless it begins before a late start or
		 * after a retirement */
		for (p = 0; p < s->w.nperiod; p++) {
			first = tl_synth_month_first(s->w.month0 + (long)p);
			runs += !(ro->kind == TL_CHURN_LATE &&
			    first < tl_synth_day(s, ro->day)) &&
			    !(ro->kind == TL_CHURN_RETIRE &&
			    first > tl_synth_day(s, ro->day));
		}
	}
	cr_assert_eq(nrename, 2);
	cr_assert_eq(nlate, 3);
	cr_assert_eq(s->nruns, runs);
	cr_assert_lt(s->nruns, 12 * 6);
	tl_synth_free(s);
}

Test(tl_synth, churn_that_does_not_fit)
{
	struct tl_synth_params p = ut_synth_params(1, 29, 20, 12, 500, "");
	struct tl_err err = { 0 };

	cr_assert_null(tl_synth_alloc(&p, &err));
	cr_assert_eq(err.code, TL_EX_USAGE);
	cr_assert_str_eq(err.where, "--churn");
	cr_assert_str_eq(err.msg, "needs --days 30 or more (a pause of 10 "
	    "trading days lies in the middle third)");
}

Test(tl_synth, churn_check_counts_the_strategies_never_promoted)
{
	struct tl_churn_spec sp = { { 6, 0, 5, 0 } };
	struct tl_err err = { 0 };

	/* 14 strategies, 4 promoted: 10 may start late or retire */
	cr_assert_eq(tl_synth_churn_check(&sp, 14, 60, &err), -1);
	cr_assert_eq(err.code, TL_EX_USAGE);
	cr_assert_str_eq(err.msg, "late=6 and retire=5 need 11 strategies "
	    "that are never promoted; 10 of 14 are (raise --strategies)");
	sp.n[TL_CHURN_RETIRE] = 4;
	cr_assert_eq(tl_synth_churn_check(&sp, 14, 60, &err), 0);
}
