/*
 * tl_policy end to end on planted truth, without tl-synth: a seeded
 * generator here writes trades, counterfactuals and signal outcomes whose
 * best gate per strategy, edge per conviction bucket, hold time beyond
 * which the edge decays, cost per symbol and best horizon per signal are
 * known, and the tests assert that the learner finds them (gate within
 * 0.05, multipliers ordered as the edges, hold within one grid step, the
 * fee gate above the losing band, horizons exact); that with fewer than
 * min_obs rows nothing moves, that no change exceeds max_change, that
 * the bytes do not depend on the threads, and the errors.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "tl_err.h"
#include "tl_policy.h"
#include "unit.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define TMIN		120.0		/* shortest hold, s */
#define TMAX		432000.0	/* longest, 5 days */

UT_SCRATCH_DIR();

static void
init(void)
{
	tl_init("tl-test");
	ut_setup();
}

TestSuite(tl_policy_learn, .init = init, .fini = ut_teardown);

/* The planted hold profile: up in log time to h, down twice as fast. */
static double
phi(double t, double h)
{
	return t <= h ? log(t / TMIN) / log(h / TMIN) :
	    1 - 2 * log(t / h) / log(h / TMIN);
}

static const struct strat {
	const char	*name;
	double		 theta;		/* planted best gate */
	double		 hold;		/* planted best max hold */
} strats[] = {
	{ "A", 0.55, 3600 }, { "B", 0.62, 28800 }, { "C", 0.71, 14400 },
};

static const struct sym {
	const char	*name;
	double		 fee;		/* fees over notional */
} syms[] = { { "X", 0.0005 }, { "Y", 0.0012 } };

#define SLIP	0.0003	/* slippage U(0, SLIP) over notional */
#define NOTION	1000.0	/* every trade's notional: qty 10 at 100 */

/* Write n signals per strategy as trades and counterfactuals to path
 * (the engine's gate was 0.5): net return per unit notional 0.03 (c -
 * theta) + 0.004 (phi(T) - its mean) + 0.004 N(0, 1).  A strategy's
 * regime is r1 or r2, and "rare" for its first 10 signals. */
static void
gen_trades(const char *path, unsigned long long seed, int n)
{
	unsigned long long s = seed;
	double c, t, x, e, slip, mean[NELEM(strats)];
	size_t k, q, m;
	FILE *fp;
	int i;

	/* the mean of phi under log-uniform holds, by quadrature */
	for (k = 0; k < NELEM(strats); k++) {
		mean[k] = 0;
		for (q = 0; q < 4000; q++)
			mean[k] += phi(TMIN * exp((q + 0.5) / 4000 *
			    log(TMAX / TMIN)), strats[k].hold) / 4000;
	}
	fp = fopen(path, "w");
	cr_assert_not_null(fp);
	for (k = 0; k < NELEM(strats); k++)
		for (i = 0; i < n; i++) {
			m = ut_xorshift(&s) % NELEM(syms);
			c = 0.35 + 0.65 * ut_unif(&s);
			t = floor(TMIN * exp(ut_unif(&s) * log(TMAX / TMIN)));
			slip = SLIP * ut_unif(&s);
			x = 0.03 * (c - strats[k].theta) + 0.004 * (phi(t,
			    strats[k].hold) - mean[k]) + 0.004 * ut_gauss(&s);
			e = x + syms[m].fee + slip;	/* what costs eat */
			fprintf(fp, "{\"strategy\":\"%s\",\"regime\":\"%s\","
			    "\"symbol\":\"%s\",\"exit_ts\":%d,"
			    "\"counterfactual\":%s,\"conviction\":%.6f,"
			    "\"net_pnl\":%.6f,\"qty\":10,\"entry_price\":100,"
			    "\"hold_s\":%.0f,\"mfe\":%.6f,\"fees\":%.6f,"
			    "\"slippage\":%.6f,\"expected_edge\":%.6f}\n",
			    strats[k].name, i < 10 ? "rare" : i % 2 ? "r1" :
			    "r2", syms[m].name, 1767225600 + i * 60, c < 0.5 ?
			    "true" : "false", c, x * NOTION, t, (x + 0.004) *
			    NOTION, syms[m].fee * NOTION, slip * NOTION,
			    e - syms[m].fee - SLIP / 2 + 0.003 * ut_gauss(&s));
		}
	fclose(fp);
}

/* Learn kind k from path (with prev, may be NULL); *facts (may be NULL)
 * gets the facts.  Fails the test on an error. */
static json_t *
learn(struct tl_policy_opts *o, const char *kind, const char *path,
    const char *prev, json_t **facts)
{
	struct tl_err err = { 0 };
	struct tl_policy *p;
	char *paths[1] = { (char *)path };
	json_t *pol, *f;
	size_t k;

	for (k = 0; k < tl_policy_nkinds; k++)
		if (strcmp(tl_policy_kinds[k].name, kind) == 0)
			o->kind = k;
	p = tl_policy_alloc(o, &err);
	cr_assert_not_null(p, "%s", err.msg);
	cr_assert(prev == NULL || tl_policy_prev(p, prev, &err) == 0, "%s: %s",
	    err.where, err.msg);
	cr_assert_eq(tl_policy_read(p, paths, 1, &err), 0, "%s: %s",
	    err.where, err.msg);
	cr_assert_eq(tl_policy_finish(p, &pol, &f, &err), 0, "%s", err.msg);
	tl_policy_free(p);
	if (facts != NULL)
		*facts = f;
	else
		json_decref(f);
	return pol;
}

static double
num(const json_t *v, const char *path)
{
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok != NULL;
	    tok = strtok_r(NULL, ".", &save))
		v = json_object_get(v, tok);
	cr_assert(json_is_number(v), "%s: not a number", path);
	return json_number_value(v);
}

static void
save(const json_t *v, const char *path)
{
	cr_assert_eq(json_dump_file(v, path, JSON_COMPACT), 0);
}

Test(tl_policy_learn, gate_recovers_planted_thresholds)
{
	struct tl_policy_opts o = TL_POLICY_OPTS_DEFAULT;
	char path[512], key[64];
	json_t *pol, *facts, *f;
	size_t k, i;

	gen_trades(ut_path(path, sizeof(path), dir, "t.jsonl"), 11, 30000);
	pol = learn(&o, "gate", path, NULL, &facts);
	for (k = 0; k < NELEM(strats); k++) {
		snprintf(key, sizeof(key), "groups.%s.threshold",
		    strats[k].name);
		cr_assert_float_eq(num(pol, key), strats[k].theta, 0.05 + 1e-9,
		    "%s: %g for %g", strats[k].name, num(pol, key),
		    strats[k].theta);
		/* regimes r1, r2 learned; "rare" (10 rows) falls back */
		snprintf(key, sizeof(key), "groups.%s.regimes.r1.threshold",
		    strats[k].name);
		cr_assert_float_eq(num(pol, key), strats[k].theta, 0.06);
		cr_assert_null(json_object_get(json_object_get(json_object_get(
		    json_object_get(pol, "groups"), strats[k].name), "regimes"),
		    "rare"));
	}
	json_array_foreach(facts, i, f)
		if (json_object_get(f, "regime") != NULL && strcmp(
		    json_string_value(json_object_get(f, "regime")), "rare") ==
		    0) {
			cr_assert_str_eq(json_string_value(json_object_get(f,
			    "status")), "held");
			cr_assert_str_eq(json_string_value(json_object_get(f,
			    "reason")), "10 observations < 50 required");
		}
	/* the counterfactual signals counted */
	f = json_array_get(facts, 0);
	cr_assert_gt(json_integer_value(json_object_get(f,
	    "n_counterfactual")), 10000);
	json_decref(facts);
	json_decref(pol);
}

Test(tl_policy_learn, size_ordered_as_edges)
{
	struct tl_policy_opts o = TL_POLICY_OPTS_DEFAULT;
	static const char *const b[] = { "0-0.5", "0.5-0.6", "0.6-0.7",
	    "0.7-0.8", "0.8-0.9", "0.9-1" };
	char path[512];
	double m[NELEM(b)];
	json_t *pol;
	size_t k;

	gen_trades(ut_path(path, sizeof(path), dir, "t.jsonl"), 12, 30000);
	pol = learn(&o, "size", path, NULL, NULL);
	cr_assert_eq(num(pol, "default.multiplier"), 1);
	/* no executed trade below 0.5: that bucket is held at 1 */
	cr_assert_null(json_object_get(json_object_get(pol, "groups"), b[0]));
	for (k = 1; k < NELEM(b); k++) {
		m[k] = num(json_object_get(json_object_get(pol, "groups"),
		    b[k]), "multiplier");
		cr_assert(m[k] >= 0.1 && m[k] <= 2);
	}
	/* the planted edge 0.03 (c - theta) rises with the bucket; the
	 * lower buckets lose (at the bound, shrunk a little toward 1) */
	for (k = 2; k < NELEM(b); k++)
		cr_assert_geq(m[k], m[k - 1], "%s < %s", b[k], b[k - 1]);
	cr_assert_lt(m[1], 0.2);
	cr_assert_lt(m[2], m[3]);
	cr_assert_lt(m[3], m[4]);	/* the top ones may meet the bound 2 */
	json_decref(pol);
}

/* The index of t in the default grid. */
static long
grid_index(double t)
{
	static const double g[] = { 300, 900, 1800, 3600, 7200, 14400, 28800,
	    86400, 172800, 432000 };
	size_t i;

	for (i = 0; i < NELEM(g); i++)
		if (g[i] == t)
			return (long)i;
	return -100;
}

Test(tl_policy_learn, hold_within_one_grid_step)
{
	struct tl_policy_opts o = TL_POLICY_OPTS_DEFAULT;
	char path[512], key[64];
	json_t *pol;
	size_t k;

	gen_trades(ut_path(path, sizeof(path), dir, "t.jsonl"), 13, 30000);
	pol = learn(&o, "hold", path, NULL, NULL);
	for (k = 0; k < NELEM(strats); k++) {
		snprintf(key, sizeof(key), "groups.%s.max_hold_s",
		    strats[k].name);
		cr_assert_leq(labs(grid_index(num(pol, key)) -
		    grid_index(strats[k].hold)), 1, "%s: %g for %g",
		    strats[k].name, num(pol, key), strats[k].hold);
	}
	json_decref(pol);
}

Test(tl_policy_learn, fee_gate_rejects_losing_band)
{
	struct tl_policy_opts o = TL_POLICY_OPTS_DEFAULT;
	char path[512], key[64];
	json_t *pol, *facts, *f;
	double tau, q;
	size_t k, i;

	gen_trades(ut_path(path, sizeof(path), dir, "t.jsonl"), 14, 20000);
	pol = learn(&o, "fee", path, NULL, &facts);
	for (k = 0; k < NELEM(syms); k++) {
		snprintf(key, sizeof(key), "groups.%s.min_edge", syms[k].name);
		tau = num(pol, key);
		/* costs are fee + U(0, SLIP): the 0.9 quantile exactly */
		q = syms[k].fee + 0.9 * SLIP;
		cr_assert_geq(tau, q * (1 - 0.002), "%s: %g", syms[k].name,
		    tau);	/* sampling error of the quantile: 0.2% */
		cr_assert_leq(tau, q * 1.01 * 1.002);
		/* the losing band: an expected edge below the mean cost */
		cr_assert_gt(tau, syms[k].fee + SLIP / 2);
	}
	json_array_foreach(facts, i, f) {
		if (json_object_get(f, "symbol") == NULL)
			continue;
		cr_assert_lt(num(f, "below_mean_net"), 0);
		cr_assert_gt(num(f, "above_mean_net"), 0);
	}
	json_decref(facts);
	json_decref(pol);
}

/* Outcomes: peak15 peaks at 15m, only1h works at 1h only, flat has no
 * edge; each fires alone, and peak15 with only1h in a fifth of them. */
Test(tl_policy_learn, horizon_best_exact)
{
	static const char *const hn[] = { "1m", "5m", "15m", "30m", "1h" };
	static const double peak[] = { 1e-4, 5e-4, 1e-3, 6e-4, 2e-4 },
	    only[] = { 0, 0, 0, 0, 8e-4 };
	struct tl_policy_opts o = TL_POLICY_OPTS_DEFAULT;
	unsigned long long s = 99;
	char path[512];
	json_t *pol, *facts, *f;
	size_t h, i;
	int k, a, b, z, both = 0;
	FILE *fp;

	fp = fopen(ut_path(path, sizeof(path), dir, "o.jsonl"), "w");
	cr_assert_not_null(fp);
	for (k = 0; k < 6000; k++) {
		z = (int)(ut_xorshift(&s) % 5);
		a = z == 0 || z == 1 || z == 3;	/* peak15 */
		b = z == 2 || z == 3;		/* only1h */
		both += a && b;
		for (h = 0; h < NELEM(hn); h++)
			fprintf(fp, "{\"ts\":\"2026-02-01T10:00:00Z\","
			    "\"horizon\":\"%s\",\"ev\":%.7f,\"hit\":true,"
			    "\"signals\":{\"peak15\":%d,\"only1h\":%s,"
			    "\"flat\":%d}}\n", hn[h], a * peak[h] +
			    b * only[h] + 1e-3 * ut_gauss(&s), a, b ? "true" :
			    "false", !a && !b);
	}
	fclose(fp);
	pol = learn(&o, "horizon", path, NULL, &facts);
	cr_assert_eq(num(pol, "groups.peak15.horizon_s"), 900);
	cr_assert_eq(num(pol, "groups.only1h.horizon_s"), 3600);
	cr_assert_eq(num(pol, "groups.flat.horizon_s"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_object_get(pol, "groups"), "flat"), "horizon")), "none");
	/* the pair's line: both against each alone */
	json_array_foreach(facts, i, f)
		if (strcmp(json_string_value(json_object_get(f, "scope")),
		    "pair") == 0 && json_integer_value(json_object_get(
		    json_array_get(json_object_get(f, "horizons"), 0),
		    "n_both")) > 0)
			cr_assert_eq(json_integer_value(json_object_get(
			    json_array_get(json_object_get(f, "horizons"), 0),
			    "n_both")), both);
	json_decref(facts);
	json_decref(pol);
}

Test(tl_policy_learn, nothing_moves_below_min_obs)
{
	struct tl_policy_opts o = TL_POLICY_OPTS_DEFAULT;
	static const char *const kinds[] = { "gate", "size", "hold", "fee" };
	char path[512];
	json_t *pol, *facts, *f;
	size_t k, i;

	/* 15 signals per strategy, 45 in all: fewer than 50 anywhere */
	gen_trades(ut_path(path, sizeof(path), dir, "t.jsonl"), 15, 15);
	for (k = 0; k < NELEM(kinds); k++) {
		pol = learn(&o, kinds[k], path, NULL, &facts);
		json_array_foreach(facts, i, f) {
			cr_assert_str_eq(json_string_value(json_object_get(f,
			    "status")), "held", "%s", kinds[k]);
			cr_assert_eq(num(f, "change"), 0);
		}
		cr_assert_eq(json_object_size(json_object_get(pol, "groups")),
		    0);
		json_decref(facts);
		json_decref(pol);
	}
	/* and the same rows move with a lower bar: the rule is what held */
	o.min_obs = 5;
	pol = learn(&o, "fee", path, NULL, NULL);
	cr_assert_gt(json_object_size(json_object_get(pol, "groups")), 0);
	json_decref(pol);
}

Test(tl_policy_learn, no_change_exceeds_max_change)
{
	struct tl_policy_opts o = TL_POLICY_OPTS_DEFAULT;
	static const char *const kinds[] = { "gate", "size", "hold", "fee" };
	static const char *const vkey[] = { "threshold", "multiplier",
	    "max_hold_s", "min_edge" };
	/* yesterday's defaults, far from tonight's evidence */
	static const double yesterday[] = { 0.5, 1, 900, 0.0002 };
	char path[512], prev[512], text[256];
	json_t *pol, *facts, *f, *again;
	size_t k, i, capped;
	double cur;

	gen_trades(ut_path(path, sizeof(path), dir, "t.jsonl"), 16, 20000);
	ut_path(prev, sizeof(prev), dir, "prev.json");
	for (k = 0; k < NELEM(kinds); k++) {
		snprintf(text, sizeof(text), "{\"format\":\"tl-policy-%s\","
		    "\"version\":1,\"default\":{\"%s\":%g},\"groups\":{}}",
		    kinds[k], vkey[k], yesterday[k]);
		ut_write_str(prev, text);
		pol = learn(&o, kinds[k], path, prev, &facts);
		capped = 0;
		json_array_foreach(facts, i, f) {
			cur = num(f, "current");
			cr_assert_leq(fabs(num(f, vkey[k]) - cur), 0.2 *
			    fabs(cur) * (1 + 1e-12), "%s: %g from %g",
			    kinds[k], num(f, vkey[k]), cur);
			capped += strcmp(json_string_value(json_object_get(f,
			    "status")), "capped") == 0;
		}
		cr_assert_gt(capped, 0, "%s: nothing capped", kinds[k]);
		cr_assert(json_is_true(json_object_get(json_object_get(pol,
		    "settings"), "capped")));
		/* without --prev, the same night moves freely */
		again = learn(&o, kinds[k], path, NULL, NULL);
		cr_assert(!json_equal(again, pol));
		json_decref(again);
		json_decref(facts);
		json_decref(pol);
	}
}

Test(tl_policy_learn, same_bytes_any_threads)
{
	struct tl_policy_opts o = TL_POLICY_OPTS_DEFAULT;
	static const char *const kinds[] = { "gate", "size", "hold", "fee" };
	char path[512], *a, *b;
	json_t *p1, *p2, *f1, *f2;
	size_t k;

	/* more rows than one block, so that blocks are parsed apart */
	gen_trades(ut_path(path, sizeof(path), dir, "t.jsonl"), 17, 12000);
	for (k = 0; k < NELEM(kinds); k++) {
		o.threads = 1;
		p1 = learn(&o, kinds[k], path, NULL, &f1);
		o.threads = 5;
		p2 = learn(&o, kinds[k], path, NULL, &f2);
		a = json_dumps(p1, JSON_COMPACT);
		b = json_dumps(p2, JSON_COMPACT);
		cr_assert_str_eq(a, b);
		free(a);
		free(b);
		a = json_dumps(f1, JSON_COMPACT);
		b = json_dumps(f2, JSON_COMPACT);
		cr_assert_str_eq(a, b);
		free(a);
		free(b);
		json_decref(p1);
		json_decref(p2);
		json_decref(f1);
		json_decref(f2);
	}
}

Test(tl_policy_learn, asof_and_valid_until)
{
	struct tl_policy_opts o = TL_POLICY_OPTS_DEFAULT;
	char path[512], out[512];
	struct tl_err err = { 0 };
	int64_t until;
	json_t *pol;
	size_t kind;

	/* rows at 2026-01-01 + i minutes: 1440 a day */
	gen_trades(ut_path(path, sizeof(path), dir, "t.jsonl"), 18, 3000);
	pol = learn(&o, "gate", path, NULL, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(pol, "asof")),
	    "2026-01-03");
	cr_assert_str_eq(json_string_value(json_object_get(pol,
	    "valid_until")), "2026-01-06T00:00:00Z");
	save(pol, ut_path(out, sizeof(out), dir, "gate.json"));
	json_decref(pol);
	/* stale from valid_until on */
	cr_assert_eq(tl_policy_stale(out, 1767657599000LL, &kind, &until,
	    &err), 0);
	cr_assert_str_eq(tl_policy_kinds[kind].name, "gate");
	cr_assert_eq(tl_policy_stale(out, 1767657600000LL, &kind, &until,
	    &err), 1);
	o.asof = "2026-01-01";
	o.valid_for = 36 * 3600;
	pol = learn(&o, "gate", path, NULL, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(pol,
	    "valid_until")), "2026-01-03T12:00:00Z");
	json_decref(pol);
}

Test(tl_policy_learn, errors)
{
	struct tl_policy_opts o = TL_POLICY_OPTS_DEFAULT;
	struct tl_err err = { 0 };
	struct tl_policy *p;
	char path[512], prev[512];
	json_t *pol, *facts;

	/* a row out of range: its file and line */
	ut_write_str(ut_path(path, sizeof(path), dir, "bad.jsonl"),
	    "{\"strategy\":\"A\",\"exit_ts\":1,\"conviction\":0.5,"
	    "\"net_pnl\":1}\n"
	    "{\"strategy\":\"A\",\"exit_ts\":1,\"conviction\":1.5,"
	    "\"net_pnl\":1}\n");
	o.kind = 0;	/* gate */
	p = tl_policy_alloc(&o, &err);
	cr_assert_eq(tl_policy_read(p, (char *[]){ path }, 1, &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert(strstr(err.where, "bad.jsonl:2") != NULL, "%s", err.where);
	cr_assert_str_eq(err.msg, "field 'conviction': 1.5 is outside [0, 1]");
	tl_policy_free(p);
	/* no rows and no --asof */
	ut_write_str(path, "");
	p = tl_policy_alloc(&o, &err);
	cr_assert_eq(tl_policy_read(p, (char *[]){ path }, 1, &err), 0);
	cr_assert_eq(tl_policy_finish(p, &pol, &facts, &err), -1);
	cr_assert_str_eq(err.msg, "no rows in the input (give --asof to write "
	    "the values in force)");
	tl_policy_free(p);
	/* a previous file of another kind, or of a newer version */
	ut_write_str(ut_path(prev, sizeof(prev), dir, "p.json"),
	    "{\"format\":\"tl-policy-size\",\"version\":1}");
	p = tl_policy_alloc(&o, &err);
	cr_assert_eq(tl_policy_prev(p, prev, &err), -1);
	cr_assert_str_eq(err.msg, "not a tl-policy-gate file");
	ut_write_str(prev, "{\"format\":\"tl-policy-gate\",\"version\":2}");
	cr_assert_eq(tl_policy_prev(p, prev, &err), -1);
	cr_assert_str_eq(err.msg, "format 'tl-policy-gate' version 2 is newer "
	    "than this tl-test reads (1)");
	ut_write_str(prev, "{\"format\":\"tl-policy-gate\",\"version\":1,"
	    "\"default\":{\"threshold\":0.5},\"groups\":{\"A\":{\"x\":1}}}");
	cr_assert_eq(tl_policy_prev(p, prev, &err), -1);
	cr_assert_str_eq(err.msg, "groups: 'A': expected an object with a "
	    "number 'threshold'");
	tl_policy_free(p);
	/* settings that contradict each other */
	o.step = 0.03;
	cr_assert_null(tl_policy_alloc(&o, &err));
	cr_assert_eq(err.code, TL_EX_USAGE);
	cr_assert_str_eq(err.msg, "0.03 does not divide 1 into at most 100000 "
	    "cells");
}
