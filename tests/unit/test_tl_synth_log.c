/* Unit tests for lib/tl_synth_log: the decisions and trades of a
 * synthetic log checked against the plan (no files): each day's counts,
 * times and order, each trade against its decision, the keep-days rule,
 * churn's liveness, and the planted win probability, confidence,
 * components, votes and signals against their definitions
 * (tl_synth_model.h), with closed forms computed here. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "tl_synth_log.h"
#include "synth.h"

#define NSE	5.0	/* statistical checks allow 5 standard errors */
#define CONF_Q	(0.5e-4 / 1.6)	/* confidence rounded to 1e-4: the
				 * probability read back is off by this */

static void
init(void)
{
	tl_init("tl-test");
}

TestSuite(tl_synth_log, .init = init);

/* Every decision of s's log, by number (index 0 unused). */
static struct tl_synth_dec *
all_decisions(const struct tl_synth *s)
{
	struct tl_synth_log *g = tl_synth_log_alloc(s);
	struct tl_synth_dec *v;
	struct tl_synth_day day;

	v = calloc(s->ndec + 1, sizeof(*v));
	cr_assert_not_null(v);
	while (tl_synth_log_next(g, &day))
		if (day.ndec > 0)
			memcpy(v + day.dec[0].number, day.dec,
			    day.ndec * sizeof(*v));
	tl_synth_log_free(g);
	return v;
}

Test(tl_synth_log, days_hold_the_planned_decisions_in_time_order)
{
	struct tl_synth *s = ut_synth(4, 60, 20, 12, 3000, NULL);
	struct tl_synth_log *g = tl_synth_log_alloc(s);
	const struct tl_synth_strat *st;
	const struct tl_synth_dec *x;
	struct tl_synth_day day;
	size_t d = 0, i, n[3];
	uint64_t number = 0;
	int64_t open;

	while (tl_synth_log_next(g, &day)) {
		cr_assert_eq(day.d, d);
		cr_assert_eq(day.z, tl_synth_day(s, d));
		open = day.z * TL_SYNTH_MS_DAY + TL_SYNTH_OPEN_MS;
		memset(n, 0, sizeof(n));
		for (i = 0; i < day.ndec; i++) {
			x = &day.dec[i];
			st = &s->st[x->strat];
			cr_assert_eq(x->number, ++number);
			cr_assert(x->ms >= open && x->ms < open +
			    TL_SYNTH_LAST_DEC_MS - TL_SYNTH_OPEN_MS);
			cr_assert(i == 0 || x[-1].ms < x->ms ||
			    (x[-1].ms == x->ms && x[-1].seq < x->seq));
			n[x->kind]++;
			cr_assert(x->sym >= tl_synth_universe_lo[st->universe]
			    && x->sym < tl_synth_universe_lo[st->universe] +
			    tl_synth_universe_n[st->universe]);
			cr_assert_eq(x->regime, tl_synth_world_regime(&s->w, d));
			cr_assert(x->kind != TL_SYNTH_HOLD || x->side == 0);
			cr_assert(x->conf >= 100 && x->conf <= 9900);
		}
		cr_assert_eq(n[TL_SYNTH_TRADE], s->ntr[d]);
		cr_assert_eq(n[TL_SYNTH_HOLD], s->nhold[d]);
		cr_assert_eq(n[TL_SYNTH_OPEN], s->nopen[d]);
		d++;
	}
	cr_assert_eq(d, 60);
	cr_assert_eq(number, s->ndec);
	cr_assert_eq(tl_synth_log_next(g, &day), 0);
	tl_synth_log_free(g);
	tl_synth_free(s);
}

/* Trade t, which closes on day d, against its decision x. */
static void
assert_trade(const struct tl_synth *s, const struct tl_synth_trade *t,
    const struct tl_synth_dec *x, size_t d)
{
	int64_t z = tl_synth_day(s, d), net, move;

	cr_assert_eq(x->kind, TL_SYNTH_TRADE, "trade of a trade decision");
	cr_assert_eq(t->strat, x->strat);
	cr_assert_eq(t->sym, x->sym);
	cr_assert_eq(t->side, x->side);
	cr_assert_eq((int64_t)(x->ms / TL_SYNTH_MS_DAY),
	    tl_synth_day(s, t->entry_day));
	cr_assert(d >= t->entry_day && d <= t->entry_day +
	    TL_SYNTH_MAX_HOLD_DAYS);
	cr_assert(t->entry_ms >= x->ms / 1000 * 1000 + 1000 &&
	    t->entry_ms <= x->ms / 1000 * 1000 + 4000);
	cr_assert_eq(t->exit_ms % 1000, 0);
	cr_assert_eq(t->exit_ms / TL_SYNTH_MS_DAY, z, "exits on day d");
	cr_assert_leq(t->exit_ms, z * TL_SYNTH_MS_DAY + TL_SYNTH_CLOSE_MS);
	if (d == t->entry_day)
		cr_assert_geq(t->exit_ms, t->entry_ms + TL_SYNTH_MIN_HOLD_MS);
	cr_assert_geq(t->qty, 1);
	cr_assert_geq(t->fees_c, 100);
	move = t->side == 0 ? t->exit_c - t->entry_c : t->entry_c - t->exit_c;
	cr_assert_eq(t->pnl_c, t->qty * move);
	net = t->pnl_c - t->fees_c;
	if (t->exit_c > 1)	/* not clamped at a cent */
		cr_assert_eq(net > 0, x->win != 0, "win is a net profit");
	cr_assert_geq(t->mfe_c, t->pnl_c > 0 ? t->pnl_c : 0);
	cr_assert_leq(t->mae_c, t->pnl_c < 0 ? t->pnl_c : 0);
	cr_assert_neq(t->reason, x->win ? TL_SYNTH_R_STOP_LOSS :
	    TL_SYNTH_R_TAKE_PROFIT);
}

Test(tl_synth_log, each_trade_closes_its_decision)
{
	struct tl_synth *s = ut_synth(6, 40, 15, 6, 2500, NULL);
	struct tl_synth_dec *dec = all_decisions(s);
	struct tl_synth_log *g = tl_synth_log_alloc(s);
	struct tl_synth_day day;
	const struct tl_synth_trade *t;
	unsigned char *closed = calloc(s->ndec + 1, 1);
	long *last = calloc(s->ns, sizeof(*last));
	uint64_t number = 0;
	size_t i;

	for (i = 0; i < s->ns; i++)
		last[i] = -1;
	while (tl_synth_log_next(g, &day))
		for (i = 0; i < day.ntrade; i++) {
			t = &day.trade[i];
			cr_assert_eq(t->number, ++number);
			cr_assert(i == 0 || t[-1].exit_ms < t->exit_ms ||
			    (t[-1].exit_ms == t->exit_ms && t[-1].did <
			    t->did));
			cr_assert(t->did >= 1 && t->did <= s->ndec);
			cr_assert_eq(closed[t->did], 0, "one trade a decision");
			closed[t->did] = 1;
			assert_trade(s, t, &dec[t->did], day.d);
			last[t->strat] = (long)day.d;
		}
	cr_assert_eq(number, 2500);
	for (i = 1; i <= s->ndec; i++)
		cr_assert_eq(closed[i], dec[i].kind == TL_SYNTH_TRADE);
	for (i = 0; i < s->ns; i++)
		cr_assert_eq(tl_synth_log_last_exit(g, i), last[i]);
	tl_synth_log_free(g);
	free(closed);
	free(last);
	free(dec);
	tl_synth_free(s);
}

/* The keep rule: a strategy without a trade decision on the keep - 1
 * days before gets one of the day's first trades, when the day has as
 * many trades as strategies due one. */
static void
assert_keep(const struct tl_synth *s, long keep)
{
	struct tl_synth_log *g = tl_synth_log_alloc(s);
	struct tl_synth_day day;
	long *last = calloc(s->ns, sizeof(*last));
	unsigned char *got = calloc(s->ns, 1);
	size_t i, ndue, checked = 0;

	for (i = 0; i < s->ns; i++)
		last[i] = -1;
	while (tl_synth_log_next(g, &day)) {
		memset(got, 0, s->ns);
		for (i = 0; i < day.ndec; i++)
			if (day.dec[i].kind == TL_SYNTH_TRADE)
				got[day.dec[i].strat] = 1;
		for (ndue = 0, i = 0; i < s->ns; i++)
			ndue += (long)day.d - last[i] >= keep;
		for (i = 0; i < s->ns && ndue <= s->ntr[day.d]; i++)
			if ((long)day.d - last[i] >= keep) {
				cr_assert(got[i], "day %zu: %s is due", day.d,
				    s->st[i].id);
				checked++;
			}
		for (i = 0; i < s->ns; i++)
			if (got[i])
				last[i] = (long)day.d;
	}
	cr_assert_gt(checked, 0);
	tl_synth_log_free(g);
	free(last);
	free(got);
}

Test(tl_synth_log, a_strategy_trades_at_least_every_keep_days)
{
	struct tl_synth *s;
	uint64_t seed;

	for (seed = 1; seed <= 5; seed++) {
		s = ut_synth(seed, 120, 20, 12, 400, NULL);
		assert_keep(s, TL_SYNTH_KEEP_DAYS);
		tl_synth_free(s);
	}
}

Test(tl_synth_log, churn_keeps_strategies_to_their_days)
{
	struct tl_synth *s = ut_synth(1, 120, 20, 12, 4800, "");
	struct tl_synth_log *g = tl_synth_log_alloc(s);
	struct tl_synth_day day;
	const struct tl_synth_dec *x;
	const struct tl_synth_trade *t;
	size_t i;

	while (tl_synth_log_next(g, &day)) {
		for (i = 0; i < day.ndec; i++) {
			x = &day.dec[i];
			cr_assert(tl_churn_live(s->churn, x->strat, day.d),
			    "day %zu: %s does not decide", day.d,
			    s->st[x->strat].id);
		}
		for (i = 0; i < day.ntrade; i++) {
			t = &day.trade[i];
			cr_assert_leq(day.d, tl_churn_exit_limit(s->churn,
			    t->strat, t->entry_day));
		}
	}
	tl_synth_log_free(g);
	tl_synth_free(s);
}

/* The win probability planted for x of strategy st on day d, without
 * its noise (tl_synth_model.h). */
static double
planted_p(const struct tl_synth_dec *x, const struct tl_synth_strat *st,
    size_t d)
{
	double p = 0.47 + st->edge;

	if (st->decaying && (size_t)st->promo_day <= d)
		p -= 0.20;
	p += 0.12 * ((x->signals >> TL_SYNTH_SIG_MOMENTUM) & 1);
	p += 0.08 * ((x->signals >> TL_SYNTH_SIG_VOLUME_SPIKE) & 1);
	if (x->kind != TL_SYNTH_HOLD && x->regime != TL_SYNTH_CHOP)
		p += (x->regime == TL_SYNTH_BULL) == (x->side == 0) ? 0.04 :
		    -0.04;
	return p;
}

Test(tl_synth_log, confidence_maps_the_planted_win_probability)
{
	struct tl_synth *s = ut_synth(8, 60, 20, 12, 60000, NULL);
	struct tl_synth_log *g = tl_synth_log_alloc(s);
	struct tl_synth_day day;
	const struct tl_synth_dec *x;
	struct ut_stat r = { 0 }, w = { 0 };
	double p0, p;
	size_t i;

	while (tl_synth_log_next(g, &day))
		for (i = 0; i < day.ndec; i++) {
			x = &day.dec[i];
			p0 = planted_p(x, &s->st[x->strat], day.d);
			/* 5 noise sd inside the clip of the confidence */
			if (p0 < 0.19375 + 0.15 || p0 > 0.80625 - 0.15)
				continue;
			p = (x->conf / 1e4 - 0.5) / 1.6 + 0.5;
			ut_stat_add(&r, p - p0);
			ut_stat_add(&w, x->win - p);
		}
	cr_assert_gt(r.n, 40000);
	/* the noise is N(0, 0.03^2) */
	cr_assert_leq(fabs(ut_stat_mean(&r)), NSE * 0.03 / sqrt(r.n) +
	    CONF_Q);
	cr_assert_leq(fabs(ut_stat_sd(&r) - 0.03), NSE * 0.03 /
	    sqrt(2 * r.n) + CONF_Q);
	/* and a decision wins with the probability its confidence says */
	cr_assert_leq(fabs(ut_stat_mean(&w)), NSE * 0.5 / sqrt(w.n) + CONF_Q);
	tl_synth_log_free(g);
	tl_synth_free(s);
}

/* E[clip(X, 0, 1)] for X ~ N(mu, sd^2). */
static double
clip_mean(double mu, double sd)
{
	double a = mu / sd, b = (mu - 1) / sd;

	/* mu + E[(-X)+] - E[(X-1)+] */
	return mu + (-mu * gsl_cdf_ugaussian_P(-a) + sd *
	    gsl_ran_ugaussian_pdf(a)) - ((mu - 1) * gsl_cdf_ugaussian_P(b) +
	    sd * gsl_ran_ugaussian_pdf(b));
}

Test(tl_synth_log, components_votes_and_signals)
{
	struct tl_synth *s = ut_synth(10, 60, 20, 12, 200000, NULL);
	struct tl_synth_log *g = tl_synth_log_alloc(s);
	struct tl_synth_day day;
	const struct tl_synth_dec *x;
	struct ut_stat c[TL_SYNTH_NCOMP][2] = { { { 0 } } }, hold = { 0 };
	struct ut_stat vote[2] = { { 0 } }, sig[TL_SYNTH_NSIGNAL] = { { 0 } };
	double want, n1, n0, p, tech = 2 * (clip_mean(0.6, 0.15) - 0.5);
	size_t i;
	int k;

	while (tl_synth_log_next(g, &day))
		for (i = 0; i < day.ndec; i++) {
			x = &day.dec[i];
			for (k = 0; k < TL_SYNTH_NSIGNAL; k++)
				ut_stat_add(&sig[k], (x->signals >> k) & 1);
			for (k = 0; k < TL_SYNTH_NVOTE; k++)
				ut_stat_add(&vote[x->kind == TL_SYNTH_HOLD],
				    (x->votes >> k) & 1);
			if (x->kind == TL_SYNTH_HOLD) {
				ut_stat_add(&hold, x->comp[TL_SYNTH_COMP_TECH] /
				    100.0);
				continue;
			}
			for (k = 0; k < TL_SYNTH_NCOMP; k++)
				ut_stat_add(&c[k][x->win != 0], x->comp[k] /
				    100.0);
		}
	/* technical and ai shift by +-0.10 and +-0.07 with the outcome,
	 * clipped to [0, 1]; theme and sentiment do not; 0.001 for the
	 * rounding to 0.01 */
	for (k = 0; k < TL_SYNTH_NCOMP; k++) {
		n1 = c[k][1].n;
		n0 = c[k][0].n;
		want = k == TL_SYNTH_COMP_TECH ? tech :
		    k == TL_SYNTH_COMP_AIX ? 2 * (clip_mean(0.57, 0.15) -
		    0.5) : 0;
		cr_assert_leq(fabs(ut_stat_mean(&c[k][1]) -
		    ut_stat_mean(&c[k][0]) - want), NSE * 0.15 *
		    sqrt(1 / n1 + 1 / n0) + 0.001, "%s",
		    tl_synth_comp_names[k]);
	}
	/* the clip takes 0.0003 off the technical shift of 0.2 */
	cr_assert(tech > 0.1995 && tech < 0.1999, "%g", tech);
	cr_assert_leq(fabs(ut_stat_mean(&hold) - 0.5), NSE * 0.15 /
	    sqrt(hold.n) + 0.001);
	for (k = 0; k < 2; k++) {
		p = k ? 0.4 : 0.7;
		cr_assert_leq(fabs(ut_stat_mean(&vote[k]) - p), NSE *
		    sqrt(p * (1 - p) / vote[k].n), "hold %d", k);
	}
	for (k = 0; k < TL_SYNTH_NSIGNAL; k++) {
		p = tl_synth_signal_rate[k];
		cr_assert_leq(fabs(ut_stat_mean(&sig[k]) - p), NSE *
		    sqrt(p * (1 - p) / sig[k].n), "%s",
		    tl_synth_signal_names[k]);
	}
	tl_synth_log_free(g);
	tl_synth_free(s);
}

Test(tl_synth_log, two_generators_of_a_plan_agree)
{
	struct tl_synth *s = ut_synth(12, 30, 8, 3, 700, "");
	struct tl_synth_log *a = tl_synth_log_alloc(s);
	struct tl_synth_log *b = tl_synth_log_alloc(s);
	struct tl_synth_day da, db;

	while (tl_synth_log_next(a, &da)) {
		cr_assert_eq(tl_synth_log_next(b, &db), 1);
		cr_assert_eq(da.ndec, db.ndec);
		cr_assert_eq(da.ntrade, db.ntrade);
		cr_assert_eq(memcmp(da.dec, db.dec, da.ndec * sizeof(*da.dec)),
		    0);
		cr_assert_eq(memcmp(da.trade, db.trade, da.ntrade *
		    sizeof(*da.trade)), 0);
	}
	tl_synth_log_free(a);
	tl_synth_log_free(b);
	tl_synth_free(s);
}
