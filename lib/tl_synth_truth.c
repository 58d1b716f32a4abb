/*
 * truth.json (tl_synth_truth.h).  The formula strings say in words what
 * tl_synth_model.h's coefficients mean; keep them in step with it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tl_num.h"
#include "tl_synth_model.h"
#include "tl_synth_render.h"
#include "tl_synth_truth.h"

/* A named coefficient. */
struct coef {
	const char	*name;		/* its key */
	double		 v;		/* its value */
};

static void
t_num(struct tl_buf *b, double x)
{
	char buf[TL_NUM_BUFSZ];

	tl_fmt_double(buf, x);
	tl_buf_adds(b, buf);
}

/* "name":v,... of c[0..n), no braces. */
static void
t_coefs(struct tl_buf *b, const struct coef *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		tl_buf_printf(b, "%s\"%s\":", i > 0 ? "," : "", c[i].name);
		t_num(b, c[i].v);
	}
}

/* ["prefix<name>",...] of names[idx[i]], i < n. */
static void
t_names(struct tl_buf *b, const char *prefix, const char *const *names,
    const int *idx, size_t n)
{
	size_t i;

	tl_buf_addc(b, '[');
	for (i = 0; i < n; i++)
		tl_buf_printf(b, "%s\"%s%s\"", i > 0 ? "," : "", prefix,
		    names[idx[i]]);
	tl_buf_addc(b, ']');
}

/* "member":{"predictive":[...],"irrelevant":[...] (unclosed) of the
 * names of a decision part prefixed "member.". */
static void
t_split(struct tl_buf *b, const char *member, const char *const *names,
    const int *pred, size_t npred, const int *noise, size_t nnoise)
{
	char prefix[32];

	snprintf(prefix, sizeof(prefix), "%s.", member);
	tl_buf_printf(b, "\"%s\":{\"predictive\":", member);
	t_names(b, prefix, names, pred, npred);
	tl_buf_adds(b, ",\"irrelevant\":");
	t_names(b, prefix, names, noise, nnoise);
}

/* {"bull":v[0],"bear":v[1],"chop":v[2]} */
static void
t_by_regime(struct tl_buf *b, const double *v)
{
	int a;

	for (a = 0; a < TL_SYNTH_NREGIME; a++) {
		tl_buf_printf(b, "%s\"%s\":", a > 0 ? "," : "{",
		    tl_synth_regime_names[a]);
		t_num(b, v[a]);
	}
	tl_buf_addc(b, '}');
}

static void
t_dirt(struct tl_buf *b, const uint64_t *c)
{
	int i;

	for (i = 0; i < TL_SYNTH_NDIRT; i++)
		tl_buf_printf(b, "%s\"%s\":%llu", i > 0 ? "," : "{",
		    tl_synth_dirt_names[i], (unsigned long long)c[i]);
	tl_buf_addc(b, '}');
}

static void
t_params(struct tl_buf *b, const struct tl_synth *s, double dirt,
    long gzip_after)
{
	char date[TL_TIME_BUFSZ];

	tl_synth_fmt_date(date, tl_synth_day(s, 0));
	tl_buf_printf(b, "\"params\":{\"days\":%zu,\"start\":\"%s\",",
	    s->w.nd, date);
	tl_synth_fmt_date(date, tl_synth_day(s, s->w.nd - 1));
	tl_buf_printf(b, "\"end\":\"%s\",\"strategies\":%zu,\"periods\":%zu,"
	    "\"trades\":%zu,\"dirt\":", date, s->ns, s->w.nperiod,
	    s->par.trades);
	t_num(b, dirt);
	tl_buf_printf(b, ",\"gzip_after\":%ld},\n", gzip_after);
}

static void
t_counts(struct tl_buf *b, const struct tl_synth *s,
    const struct tl_synth_tally *t)
{
	uint64_t ntrade = s->par.trades, tot[TL_SYNTH_NDIRT];
	int k;

	tl_buf_printf(b, "\"counts\":{\"trading_days\":%zu,\"decisions\":%llu,"
	    "\"closed_trades\":%llu,\"hold\":%llu,\"open\":%llu,"
	    "\"orphans\":%llu,\"runs\":%llu,\"promotions\":%llu,"
	    "\"valid_decisions\":%llu,\"valid_outcomes\":%llu,"
	    "\"matched_trades\":%llu,\"unmatched_decisions\":%llu,"
	    "\"orphan_outcomes\":%llu},\n", s->w.nd,
	    (unsigned long long)s->ndec, (unsigned long long)ntrade,
	    (unsigned long long)s->nholds, (unsigned long long)s->nopens,
	    (unsigned long long)t->orphans, (unsigned long long)s->nruns,
	    (unsigned long long)s->npromo,
	    (unsigned long long)(s->ndec - t->bad_dec),
	    (unsigned long long)(ntrade - t->bad_out),
	    (unsigned long long)t->matched,
	    (unsigned long long)(s->ndec - t->bad_dec - t->matched),
	    (unsigned long long)(ntrade - t->bad_out + t->orphans -
	    t->matched));
	for (k = 0; k < TL_SYNTH_NDIRT; k++)
		tot[k] = t->n[TL_SYNTH_DIRT_DEC][k] +
		    t->n[TL_SYNTH_DIRT_OUT][k];
	tl_buf_adds(b, "\"dirt\":");
	t_dirt(b, tot);
	tl_buf_adds(b, ",\n\"dirt_decisions\":");
	t_dirt(b, t->n[TL_SYNTH_DIRT_DEC]);
	tl_buf_adds(b, ",\n\"dirt_outcomes\":");
	t_dirt(b, t->n[TL_SYNTH_DIRT_OUT]);
	tl_buf_adds(b, ",\n");
}

static void
t_runs(struct tl_buf *b, const struct tl_synth *s)
{
	static const int relevant[] = { 0, 1, 2, 3 };
	static const char *const rel_names[] = { "lookback", "entry_z",
		"universe", "stop_atr" };
	static const int irrelevant[] = { 0, 1, 2, 3, 4, 5 };
	static const char *const irr_names[] = { "exit_z", "take_profit_atr",
		"use_trailing", "filter", "max_positions", "risk_per_trade" };
	static const struct coef c[] = {
		{ "a", TL_SYNTH_ROI_A },
		{ "lookback_center", TL_SYNTH_ROI_LB_C },
		{ "lookback_scale", TL_SYNTH_ROI_LB_S },
		{ "b", TL_SYNTH_ROI_B },
		{ "entry_z_center", TL_SYNTH_ROI_EZ_C },
		{ "tech", TL_SYNTH_ROI_TECH },
		{ "other", TL_SYNTH_ROI_OTHER },
		{ "c", TL_SYNTH_ROI_C },
		{ "stop_atr_center", TL_SYNTH_ROI_SA_C },
		{ "stop_atr_scale", TL_SYNTH_ROI_SA_S },
		{ "regime", TL_SYNTH_ROI_REGIME },
		{ "noise_sd", TL_SYNTH_ROI_NOISE },
		{ "sharpe_noise_sd", TL_SYNTH_SHARPE_NOISE },
	};
	char month[24];
	size_t p;

	tl_buf_adds(b, "\"runs\":{\"target\":\"metrics.roi\",\"relevant\":");
	t_names(b, "genome.", rel_names, relevant, TL_NELEM(relevant));
	tl_buf_adds(b, ",\"irrelevant\":");
	t_names(b, "genome.", irr_names, irrelevant, TL_NELEM(irrelevant));
	tl_buf_adds(b, ",\"interaction\":[\"genome.entry_z\","
	    "\"genome.universe\"],\"formula\":\"roi = a*tanh((lookback - "
	    "lookback_center)/lookback_scale) + b*(entry_z - entry_z_center)*"
	    "(universe == 'tech' ? tech : other) - c*(stop_atr - "
	    "stop_atr_center)^2/stop_atr_scale + regime*(bull_days - "
	    "bear_days)/weekdays of the period + N(0, noise_sd^2); sharpe = "
	    "roi/vol + N(0, sharpe_noise_sd^2), vol ~ U(0.02, 0.06) per "
	    "strategy\",\"coefficients\":{");
	t_coefs(b, c, TL_NELEM(c));
	tl_buf_adds(b, "},\"period_regime_term\":{");
	for (p = 0; p < s->w.nperiod; p++) {
		tl_synth_fmt_month(month, sizeof(month), s->w.month0 +
		    (long)p);
		tl_buf_printf(b, "%s\"%s\":", p > 0 ? "," : "", month);
		t_num(b, s->w.pterm[p]);
	}
	tl_buf_adds(b, "}},\n");
}

/* Signals, components and votes of a decision. */
static void
t_decision_parts(struct tl_buf *b)
{
	static const int pred_sig[] = { TL_SYNTH_SIG_MOMENTUM,
		TL_SYNTH_SIG_VOLUME_SPIKE };
	static const int noise_sig[] = { TL_SYNTH_SIG_MEAN_REV,
		TL_SYNTH_SIG_NEWS, TL_SYNTH_SIG_NOISE_A, TL_SYNTH_SIG_NOISE_B };
	static const int pred_comp[] = { TL_SYNTH_COMP_TECH,
		TL_SYNTH_COMP_AIX };
	static const int noise_comp[] = { TL_SYNTH_COMP_THEME,
		TL_SYNTH_COMP_SENT };
	static const int votes[] = { 0, 1, 2, 3 };
	static const struct coef effect[] = {
		{ "signals.momentum", TL_SYNTH_P_MOMENTUM },
		{ "signals.volume_spike", TL_SYNTH_P_VOLSPIKE },
	};
	static const struct coef shift[] = {
		{ "components.technical", TL_SYNTH_COMP_TECHNICAL },
		{ "components.ai", TL_SYNTH_COMP_AI },
	};
	static const struct coef approve[] = {
		{ "p_approve", TL_SYNTH_VOTE_APPROVE },
		{ "p_approve_hold", TL_SYNTH_VOTE_HOLD },
	};
	int k;

	t_split(b, "signals", tl_synth_signal_names, pred_sig,
	    TL_NELEM(pred_sig), noise_sig, TL_NELEM(noise_sig));
	tl_buf_adds(b, ",\"effect\":{");
	t_coefs(b, effect, TL_NELEM(effect));
	tl_buf_adds(b, "},\"rate\":{");
	for (k = 0; k < TL_SYNTH_NSIGNAL; k++) {
		tl_buf_printf(b, "%s\"signals.%s\":", k > 0 ? "," : "",
		    tl_synth_signal_names[k]);
		t_num(b, tl_synth_signal_rate[k]);
	}
	tl_buf_adds(b, "}},\n");

	t_split(b, "components", tl_synth_comp_names, pred_comp,
	    TL_NELEM(pred_comp), noise_comp, TL_NELEM(noise_comp));
	tl_buf_adds(b, ",\"formula\":\"component = clip(0.5 + shift*(win ? "
	    "1 : -1) + N(0, sd^2), 0, 1), rounded to 0.01; shift 0 on hold "
	    "decisions\",\"shift\":{");
	t_coefs(b, shift, TL_NELEM(shift));
	tl_buf_adds(b, ",\"components.theme\":0,\"components.sentiment\":0},"
	    "\"sd\":");
	t_num(b, TL_SYNTH_COMP_SD);
	tl_buf_adds(b, "},\n\"votes\":{\"irrelevant\":");
	t_names(b, "votes.", tl_synth_vote_names, votes, TL_NELEM(votes));
	tl_buf_addc(b, ',');
	t_coefs(b, approve, TL_NELEM(approve));
	tl_buf_adds(b, "},\n");
}

/* The win probability and the confidence logged for it. */
static void
t_win_prob(struct tl_buf *b)
{
	static const struct coef win[] = {
		{ "base", TL_SYNTH_P_BASE },
		{ "momentum_effect", TL_SYNTH_P_MOMENTUM },
		{ "volume_spike_effect", TL_SYNTH_P_VOLSPIKE },
		{ "side_effect", TL_SYNTH_P_SIDE_REGIME },
		{ "noise_sd", TL_SYNTH_P_NOISE },
		{ "lo", TL_SYNTH_P_LO },
		{ "hi", TL_SYNTH_P_HI },
		{ "edge_sd", TL_SYNTH_EDGE_SD },
		{ "edge_max", TL_SYNTH_EDGE_MAX },
		{ "decay_shift", TL_SYNTH_DECAY_SHIFT },
	};
	static const struct coef conf[] = {
		{ "slope", TL_SYNTH_CONF_SLOPE },
		{ "lo", TL_SYNTH_CONF_LO },
		{ "hi", TL_SYNTH_CONF_HI },
	};

	tl_buf_adds(b, "\"win_prob\":{\"formula\":\"p = clip(base + edge + "
	    "momentum_effect*momentum + volume_spike_effect*volume_spike + "
	    "side_regime + N(0, noise_sd^2), lo, hi); side_regime = "
	    "+side_effect for a long in bull or a short in bear, -side_effect "
	    "against, 0 in chop; edge += decay_shift from the promotion day "
	    "of a decaying strategy; win = net pnl > 0 with probability p\",");
	t_coefs(b, win, TL_NELEM(win));
	tl_buf_adds(b, "},\n");

	tl_buf_adds(b, "\"confidence\":{\"calibrated\":false,\"mapping\":"
	    "\"confidence = clip(0.5 + slope*(p - 0.5), lo, hi), rounded to "
	    "0.0001; p = (confidence - 0.5)/slope + 0.5 inside the clip\",");
	t_coefs(b, conf, TL_NELEM(conf));
	tl_buf_adds(b, "},\n");
}

static void
t_regimes(struct tl_buf *b, const struct tl_synth *s)
{
	char date[TL_TIME_BUFSZ];
	size_t i, n[TL_SYNTH_NREGIME] = { 0 };
	int a, c, prev = -1;

	tl_buf_adds(b, "\"regimes\":{\"states\":[\"bull\",\"bear\",\"chop\"],"
	    "\"transition\":[");
	for (a = 0; a < TL_SYNTH_NREGIME; a++) {
		tl_buf_adds(b, a > 0 ? ",[" : "[");
		for (c = 0; c < TL_SYNTH_NREGIME; c++) {
			if (c > 0)
				tl_buf_addc(b, ',');
			t_num(b, tl_synth_regime_trans[a][c]);
		}
		tl_buf_addc(b, ']');
	}
	tl_buf_adds(b, "],\"initial\":[");
	for (a = 0; a < TL_SYNTH_NREGIME; a++) {
		if (a > 0)
			tl_buf_addc(b, ',');
		t_num(b, tl_synth_regime_init[a]);
	}
	tl_buf_adds(b, "],\"daily\":\"a Markov chain over weekdays; "
	    "market.csv ret ~ N(ret_mean, ret_sd^2), vol = vol_mean * "
	    "exp(N(0, 0.15^2))\",\"ret_mean\":");
	t_by_regime(b, tl_synth_regime_ret_mean);
	tl_buf_adds(b, ",\"ret_sd\":");
	t_by_regime(b, tl_synth_regime_ret_sd);
	tl_buf_adds(b, ",\"vol_mean\":");
	t_by_regime(b, tl_synth_regime_vol);
	tl_buf_adds(b, ",\"p_buy\":");
	t_by_regime(b, tl_synth_regime_long);
	tl_buf_adds(b, ",\"side_effect\":");
	t_num(b, TL_SYNTH_P_SIDE_REGIME);
	for (i = 0; i < s->w.nd; i++)
		n[tl_synth_world_regime(&s->w, i)]++;
	tl_buf_adds(b, ",\"days\":");
	for (a = 0; a < TL_SYNTH_NREGIME; a++)
		tl_buf_printf(b, "%s\"%s\":%zu", a > 0 ? "," : "{",
		    tl_synth_regime_names[a], n[a]);
	tl_buf_adds(b, "},\"changes\":[");
	for (i = 0; i < s->w.nd; i++) {
		a = tl_synth_world_regime(&s->w, i);
		if (a == prev)
			continue;
		tl_synth_fmt_date(date, tl_synth_day(s, i));
		tl_buf_printf(b, "%s{\"date\":\"%s\",\"regime\":\"%s\"}",
		    prev >= 0 ? "," : "", date, tl_synth_regime_names[a]);
		prev = a;
	}
	tl_buf_adds(b, "]},\n");
}

static void
t_promotions(struct tl_buf *b, const struct tl_synth *s)
{
	size_t i;
	int k;

	tl_buf_adds(b, "\"promotions\":{\"promoted\":[");
	for (i = 0; i < s->npromo; i++)
		tl_buf_printf(b, "%s\"%s\"", i > 0 ? "," : "",
		    s->promos[i]->id);
	tl_buf_adds(b, "],\"decaying\":[");
	for (k = 0, i = 0; i < s->ns; i++)
		if (s->st[i].decaying)
			tl_buf_printf(b, "%s\"%s\"", k++ > 0 ? "," : "",
			    s->st[i].id);
	tl_buf_adds(b, "],\"activity_multiplier\":");
	t_num(b, TL_SYNTH_PROMO_ACTIVITY);
	tl_buf_adds(b, ",\"promoted_edge\":[");
	t_num(b, TL_SYNTH_PROMO_EDGE_LO);
	tl_buf_addc(b, ',');
	t_num(b, TL_SYNTH_PROMO_EDGE_HI);
	tl_buf_adds(b, "],\"decay_shift\":");
	t_num(b, TL_SYNTH_DECAY_SHIFT);
	tl_buf_adds(b, "},\n");
}

/* One strategy of churn role k. */
static void
t_churn_role(struct tl_buf *b, const struct tl_synth *s,
    const struct tl_synth_log *g, int k, size_t i)
{
	const struct tl_churn_role *ro = tl_churn_role(s->churn, i);
	char day[TL_TIME_BUFSZ], until[TL_TIME_BUFSZ], last[TL_TIME_BUFSZ];
	const char *name = s->st[i].id;
	long le = tl_synth_log_last_exit(g, i);

	tl_synth_fmt_date(day, tl_synth_day(s, ro->day));
	tl_synth_fmt_date(until, tl_synth_day(s, ro->until));
	if (le >= 0)
		tl_synth_fmt_date(last, tl_synth_day(s, (size_t)le));
	else
		snprintf(last, sizeof(last), "none");
	switch (k) {
	case TL_CHURN_LATE:
		tl_buf_printf(b, "{\"strategy\":\"%s\",\"start\":\"%s\"}",
		    name, day);
		break;
	case TL_CHURN_PAUSE:
		tl_buf_printf(b, "{\"strategy\":\"%s\",\"from\":\"%s\","
		    "\"to\":\"%s\"}", name, day, until);
		break;
	case TL_CHURN_RETIRE:
		tl_buf_printf(b, "{\"strategy\":\"%s\",\"date\":\"%s\","
		    "\"last_trade\":\"%s\"}", name, day, last);
		break;
	case TL_CHURN_RENAME:
		tl_buf_printf(b, "{\"from\":\"%s\",\"to\":\"%s\",\"date\":"
		    "\"%s\"}", name, s->st[i].alias, day);
		break;
	}
}

/* The churn member: the spec, then each role's strategies by day. */
static void
t_churn(struct tl_buf *b, const struct tl_synth *s,
    const struct tl_synth_log *g)
{
	static const char *const member[TL_CHURN_NKIND] = { "late_start",
		"pause", "retired", "renamed" };
	size_t i, n, *v;
	int k;

	tl_buf_adds(b, "\"churn\":{\"spec\":{");
	for (k = 0; k < TL_CHURN_NKIND; k++)
		tl_buf_printf(b, "%s\"%s\":%ld", k > 0 ? "," : "",
		    tl_churn_keys[k], s->par.churn_spec.n[k]);
	tl_buf_printf(b, "},\"pause_days\":%d,\"retire_reason\":\"%s\"",
	    TL_CHURN_PAUSE_DAYS, TL_SYNTH_RETIRE_REASON);
	for (k = 0; k < TL_CHURN_NKIND; k++) {
		tl_buf_printf(b, ",\"%s\":[", member[k]);
		v = tl_churn_with_role(s->churn, k, &n);
		for (i = 0; i < n; i++) {
			if (i > 0)
				tl_buf_addc(b, ',');
			t_churn_role(b, s, g, k, v[i]);
		}
		free(v);
		tl_buf_addc(b, ']');
	}
	tl_buf_adds(b, "},\n");
}

/* x rounded to 6 decimals. */
static void
t_num6(struct tl_buf *b, double x)
{
	t_num(b, round(x * 1e6) / 1e6);
}

static void
t_strategies(struct tl_buf *b, const struct tl_synth *s)
{
	const struct tl_synth_strat *st;
	char date[TL_TIME_BUFSZ];
	size_t i;

	tl_buf_adds(b, "\"strategies\":[\n");
	for (i = 0; i < s->ns; i++) {
		st = &s->st[i];
		tl_buf_printf(b, "{\"id\":\"%s\",\"edge\":", st->id);
		t_num6(b, st->edge);
		tl_buf_adds(b, ",\"roi_mean\":");
		t_num6(b, st->roi_mean);
		tl_buf_adds(b, ",\"vol\":");
		t_num6(b, st->vol);
		tl_buf_adds(b, ",\"activity\":");
		t_num6(b, st->activity);
		if (st->promo_day >= 0) {
			tl_synth_fmt_date(date, tl_synth_day(s,
			    (size_t)st->promo_day));
			tl_buf_printf(b, ",\"promoted\":\"%s\",\"decaying\":%s",
			    date, st->decaying ? "true" : "false");
		}
		tl_buf_printf(b, "}%s\n", i + 1 < s->ns ? "," : "");
	}
	tl_buf_adds(b, "]}\n");
}

/* "name":v of each strategy (by its id) or symbol, the planted value of
 * its group. */
static void
t_cycle(struct tl_buf *b, const char *member, const struct tl_synth *s,
    int by_symbol, const double *v, size_t nv)
{
	size_t i, n = by_symbol ? TL_SYNTH_NSYM : s->ns;

	tl_buf_printf(b, "\"%s\":", member);
	for (i = 0; i < n; i++) {
		tl_buf_printf(b, "%s\"%s\":", i > 0 ? "," : "{", by_symbol ?
		    tl_synth_sym_names[i] : s->st[i].id);
		t_num(b, v[i % nv]);
	}
	tl_buf_addc(b, '}');
}

static void
t_policy(struct tl_buf *b, const struct tl_synth *s,
    const struct tl_synth_signals *sg)
{
	uint64_t n, ex, bl;
	int k, first = 1;

	tl_synth_signals_counts(sg, &n, &ex, &bl);
	tl_buf_printf(b, "\"policy\":{\"signals\":%llu,\"executed\":%llu,"
	    "\"blocked\":%llu,\"engine_gate\":", (unsigned long long)n,
	    (unsigned long long)ex, (unsigned long long)bl);
	t_num(b, TL_SYNTH_SIG_GATE);
	tl_buf_adds(b, ",\"edge_per_conviction\":");
	t_num(b, TL_SYNTH_SIG_A);
	tl_buf_adds(b, ",\"slippage_max\":");
	t_num(b, TL_SYNTH_SIG_SLIP);
	tl_buf_adds(b, ",\n");
	t_cycle(b, "gate", s, 0, tl_synth_sig_theta, TL_SYNTH_SIG_NGROUP);
	tl_buf_adds(b, ",\n");
	t_cycle(b, "hold", s, 0, tl_synth_sig_hold, TL_SYNTH_SIG_NGROUP);
	tl_buf_adds(b, ",\n");
	t_cycle(b, "fee", s, 1, tl_synth_sig_fee, TL_SYNTH_SIG_NFEE);
	tl_buf_adds(b, ",\n\"horizon\":{");
	for (k = 0; k < TL_SYNTH_SIG_NNAMED; k++)
		if (tl_synth_sig_best[k] != NULL) {
			tl_buf_printf(b, "%s\"%s\":\"%s\"", first ? "" : ",",
			    tl_synth_sig_names[k], tl_synth_sig_best[k]);
			first = 0;
		}
	tl_buf_adds(b, "}},\n");
}

void
tl_synth_truth(struct tl_buf *b, const struct tl_synth *s,
    const struct tl_synth_log *g, const struct tl_synth_tally *t,
    double dirt, long gzip_after, const struct tl_synth_signals *sg)
{
	tl_buf_printf(b, "{\"format\":\"tl-synth-truth\",\"version\":1,"
	    "\"seed\":%llu,\n", (unsigned long long)s->par.seed);
	t_params(b, s, dirt, gzip_after);
	t_counts(b, s, t);
	t_runs(b, s);
	t_decision_parts(b);
	t_win_prob(b);
	t_regimes(b, s);
	t_promotions(b, s);
	if (s->churn != NULL)
		t_churn(b, s, g);
	if (sg != NULL)
		t_policy(b, s, sg);
	t_strategies(b, s);
}
