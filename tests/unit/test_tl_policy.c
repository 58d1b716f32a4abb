/*
 * Unit tests for lib/tl_policy's common part and the engines' mathematics:
 * durations and lists, the common rule (min_obs, max_change, the grid), the
 * gate's cells, best threshold and bootstrap (against an exact signal
 * bootstrap written here), the type 7 quantile, relative Kelly, the hold
 * EV (by hand), the fee histogram's edges, and the breaker's state machine
 * on a series whose crossing and recovery days follow from closed forms.
 * The planted-truth recovery through the whole learner is in
 * test_tl_policy_learn.c.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_err.h"
#include "tl_policy.h"
#include "tl_util.h"
#include "unit.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void
init(void)
{
	tl_init("tl-test");
}

TestSuite(tl_policy, .init = init);

Test(tl_policy, durations)
{
	static const struct { const char *s; double sec; const char *fmt; }
	    ok[] = {
		{ "90", 90, "90s" }, { "90s", 90, "90s" },
		{ "15m", 900, "15m" },
		{ "1.5h", 5400, "90m" }, { "1d", 86400, "1d" },
		{ "1w", 604800, "7d" }, { "2.5s", 2.5, "2.5s" },
		{ "0", 0, "0s" }, { "36h", 129600, "36h" },
	};
	static const char *const bad[] = { "", "m", "-1m", "+5", "15M",
	    "1x", "1.m", "01m", "nan", "1e999s" };
	char buf[TL_DUR_BUFSZ];
	double x;
	size_t i;

	for (i = 0; i < NELEM(ok); i++) {
		cr_assert_eq(tl_dur_parse(ok[i].s, strlen(ok[i].s), &x), 0,
		    "%s", ok[i].s);
		cr_assert_eq(x, ok[i].sec, "%s", ok[i].s);
		tl_dur_format(buf, x);
		cr_assert_str_eq(buf, ok[i].fmt);
	}
	for (i = 0; i < NELEM(bad); i++)
		cr_assert_eq(tl_dur_parse(bad[i], strlen(bad[i]), &x), -1,
		    "'%s' parsed", bad[i]);
}

Test(tl_policy, lists)
{
	struct tl_err err = { 0 };
	double *v;
	size_t n;

	cr_assert_eq(tl_policy_list("--grid", "5m,1h,2d", 1, 1, 1e9, &v, &n,
	    &err), 0);
	cr_assert_eq(n, 3);
	cr_assert_eq(v[0], 300);
	cr_assert_eq(v[2], 172800);
	free(v);
	cr_assert_eq(tl_policy_list("--buckets", "0.5,0.5", 0, 0, 1, &v, &n,
	    &err), -1);
	cr_assert_eq(err.code, TL_EX_USAGE);
	cr_assert_str_eq(err.where, "--buckets");
	cr_assert_str_eq(err.msg, "'0.5,0.5': values must increase");
	cr_assert_eq(tl_policy_list("--buckets", "0.5,,0.7", 0, 0, 1, &v, &n,
	    &err), -1);
	cr_assert_str_eq(err.msg, "'' is not a number in [0, 1]");
	cr_assert_eq(tl_policy_list("--buckets", "0.5,1.2", 0, 0, 1, &v, &n,
	    &err), -1);
	cr_assert_str_eq(err.msg, "'1.2' is not a number in [0, 1]");
}

Test(tl_policy, settle_rule)
{
	double v;

	/* too few: held at the value in force */
	cr_assert_eq(tl_policy_settle(0.7, 0.5, 49, 50, 1, 0.2, 0, &v),
	    TL_PS_HELD);
	cr_assert_eq(v, 0.5);
	cr_assert_eq(tl_policy_settle(NAN, 0.5, 500, 50, 1, 0.2, 0, &v),
	    TL_PS_HELD);
	cr_assert_eq(tl_policy_settle(0.5, 0.5, 50, 50, 1, 0.2, 0, &v),
	    TL_PS_KEPT);
	/* capped both ways, only against --prev */
	cr_assert_eq(tl_policy_settle(0.9, 0.5, 50, 50, 1, 0.2, 0, &v),
	    TL_PS_CAPPED);
	cr_assert_float_eq(v, 0.6, 1e-15);
	cr_assert_eq(tl_policy_settle(0.1, 0.5, 50, 50, 1, 0.2, 0, &v),
	    TL_PS_CAPPED);
	cr_assert_float_eq(v, 0.4, 1e-15);
	cr_assert_eq(tl_policy_settle(0.9, 0.5, 50, 50, 0, 0.2, 0, &v),
	    TL_PS_MOVED);
	cr_assert_eq(v, 0.9);
	cr_assert_eq(tl_policy_settle(0.9, 0.5, 50, 50, 1, 0, 0, &v),
	    TL_PS_MOVED);
	/* a value in force of 0 has no scale */
	cr_assert_eq(tl_policy_settle(0.003, 0, 50, 50, 1, 0.2, 0, &v),
	    TL_PS_MOVED);
	cr_assert_eq(v, 0.003);
	/* on a grid: rounded toward the value in force */
	cr_assert_eq(tl_policy_settle(0.9, 0.51, 50, 50, 1, 0.2, 0.01, &v),
	    TL_PS_CAPPED);
	cr_assert_eq(v, 0.61);	/* 0.612 down to 0.61 */
	cr_assert_eq(tl_policy_settle(0.1, 0.51, 50, 50, 1, 0.2, 0.01, &v),
	    TL_PS_CAPPED);
	cr_assert_eq(v, 0.41);	/* 0.408 up to 0.41 */
	/* less than one step: held */
	cr_assert_eq(tl_policy_settle(0.9, 0.03, 50, 50, 1, 0.2, 0.01, &v),
	    TL_PS_HELD);
	cr_assert_eq(v, 0.03);
}

/* No change exceeds max_change * |current|, over random cases. */
Test(tl_policy, settle_never_exceeds_max_change)
{
	unsigned long long s = 0x9e3779b97f4a7c15ULL;
	double learned, cur, mc, v;
	int k, grid;

	for (k = 0; k < 100000; k++) {
		/* 0 has no scale and is not capped: not drawn */
		cur = 0.01 + 0.99 * ut_unif(&s);
		learned = ut_unif(&s);
		mc = 0.5 * ut_unif(&s);
		grid = k % 2;
		if (grid) {	/* the gate's values are on its grid */
			cur = round(cur * 100) / 100;
			learned = round(learned * 100) / 100;
		}
		tl_policy_settle(learned, cur, 100, 50, 1, mc, grid ? 0.01 : 0,
		    &v);
		cr_assert_leq(fabs(v - cur), mc * fabs(cur) * (1 + 1e-12) +
		    1e-15, "learned %g cur %g mc %g -> %g", learned, cur, mc,
		    v);
		/* and never past the learned value */
		cr_assert((v - cur) * (learned - cur) >= 0);
		cr_assert_leq(fabs(v - cur), fabs(learned - cur) + 1e-15);
	}
}

Test(tl_policy, gate_cells_exact_at_edges)
{
	size_t k = 100, j;
	double t;

	for (j = 0; j <= k; j++) {
		t = (double)j / (double)k;	/* the threshold j/k */
		cr_assert_eq(tl_gate_cell(t, k), j, "%zu", j);
		if (j > 0)
			cr_assert_eq(tl_gate_cell(nextafter(t, 0), k), j - 1);
	}
	cr_assert_eq(tl_gate_cell(0.29, k), 29);	/* 0.29 * 100 < 29 */
	cr_assert_eq(tl_gate_cell(-0.5, k), 0);
	cr_assert_eq(tl_gate_cell(1.5, k), k);
}

Test(tl_policy, gate_best)
{
	/* cells 0..4 (k = 4): sums; S(j) = suffix sums = 2, 4, 3, 4, 1 */
	static const double sum[] = { -2, 1, -1, 3, 1 };
	size_t best;

	tl_gate_best(sum, 4, 0, &best);
	cr_assert_eq(best, 1);	/* S(1) = S(3) = 4: nearer to 0 */
	tl_gate_best(sum, 4, 4, &best);
	cr_assert_eq(best, 3);	/* nearer to 4 */
	tl_gate_best(sum, 4, 2, &best);
	cr_assert_eq(best, 1);	/* both 1 away: the lower */
}

/* tl_gate_boot's draws against an exact bootstrap of the signals: the
 * improvement of gate 0.6 over gate 0.4 on 400 signals. */
Test(tl_policy, gate_boot_matches_signal_bootstrap)
{
	enum { N = 400, K = 10, B = 4000, BE = 20000 };
	unsigned long long s = 12345;
	double c[N], y[N], n[K + 1] = { 0 }, sum[K + 1] = { 0 },
	    sq[K + 1] = { 0 }, mean[K + 1], var[K + 1], *d, *e, m1, m2,
	    s1, s2, sd;
	size_t i, j, b, cell;

	for (i = 0; i < N; i++) {
		c[i] = ut_unif(&s);
		y[i] = 3 * (c[i] - 0.45) + ut_gauss(&s);
		cell = tl_gate_cell(c[i], K);
		n[cell]++;
		sum[cell] += y[i];
		sq[cell] += y[i] * y[i];
	}
	for (j = 0; j <= K; j++) {
		mean[j] = n[j] > 0 ? sum[j] / n[j] : 0;
		var[j] = n[j] > 0 ? sq[j] / n[j] - mean[j] * mean[j] : 0;
	}
	d = calloc(B, sizeof(double));
	e = calloc(BE, sizeof(double));
	tl_gate_boot(n, mean, var, K, N, 4, 6, B, 7, 0, d);
	for (b = 1; b < B; b++)
		cr_assert_leq(d[b - 1], d[b], "sorted");
	/* exact: resample N signals, the improvement of 0.6 over 0.4 is
	 * -(sum of y with c in [0.4, 0.6)) / N */
	for (b = 0; b < BE; b++) {
		double t = 0;

		for (i = 0; i < N; i++) {
			j = (size_t)(ut_unif(&s) * N);
			if (c[j] >= 0.4 && c[j] < 0.6)
				t -= y[j];
		}
		e[b] = t / N;
	}
	qsort(e, BE, sizeof(double), tl_cmp_double);
	for (m1 = s1 = 0, b = 0; b < B; b++)
		m1 += d[b];
	m1 /= B;
	for (m2 = s2 = 0, b = 0; b < BE; b++)
		m2 += e[b];
	m2 /= BE;
	for (b = 0; b < B; b++)
		s1 += (d[b] - m1) * (d[b] - m1);
	for (b = 0; b < BE; b++)
		s2 += (e[b] - m2) * (e[b] - m2);
	s1 = sqrt(s1 / (B - 1));
	s2 = sqrt(s2 / (BE - 1));
	sd = s2;
	/* the moments agree within Monte Carlo error (about 0.02 sd for the
	 * mean and 2% for the sd at these draws: 5 of them allowed) */
	cr_assert_float_eq(m1, m2, 0.1 * sd);
	cr_assert_float_eq(s1 / s2, 1, 0.1);
	/* and the 5% and 95% bounds within 0.3 sd (4 standard errors) */
	cr_assert_float_eq(tl_quantile_sorted(d, B, 0.05),
	    tl_quantile_sorted(e, BE, 0.05), 0.3 * sd);
	cr_assert_float_eq(tl_quantile_sorted(d, B, 0.95),
	    tl_quantile_sorted(e, BE, 0.95), 0.3 * sd);
	/* same seed, same draws; another stream, others */
	tl_gate_boot(n, mean, var, K, N, 4, 6, B, 7, 0, e);
	cr_assert_eq(memcmp(d, e, B * sizeof(double)), 0);
	tl_gate_boot(n, mean, var, K, N, 4, 6, B, 7, 1, e);
	cr_assert_neq(memcmp(d, e, B * sizeof(double)), 0);
	free(d);
	free(e);
}

Test(tl_policy, quantile_type7)
{
	/* numpy.quantile([1, 2, 3, 4], q) with the default method */
	static const double x[] = { 1, 2, 3, 4 };

	cr_assert_float_eq(tl_quantile_sorted(x, 4, 0.3), 1.9, 1e-15);
	cr_assert_float_eq(tl_quantile_sorted(x, 4, 0.05), 1.15, 1e-15);
	cr_assert_eq(tl_quantile_sorted(x, 4, 1), 4);
	cr_assert_eq(tl_quantile_sorted(x, 4, 0), 1);
	cr_assert(isnan(tl_quantile_sorted(x, 0, 0.5)));
}

Test(tl_policy, size_relative_kelly)
{
	/* f_k = 0.02 / 0.0004 = 50, f_all = 0.01 / 0.0005 = 20 */
	cr_assert_float_eq(tl_size_raw(0.02, 0.0004, 0.01, 0.0005, 0.1), 2.5,
	    1e-12);
	cr_assert_eq(tl_size_raw(-0.01, 0.0004, 0.01, 0.0005, 0.1), 0.1);
	cr_assert(isnan(tl_size_raw(0.02, 0.0004, -0.01, 0.0005, 0.1)));
	cr_assert(isnan(tl_size_raw(0.02, 0, 0.01, 0.0005, 0.1)));
	/* any fraction of Kelly: scaling both edges alike cancels */
	cr_assert_float_eq(tl_size_raw(0.5 * 0.02, 0.0004, 0.5 * 0.01, 0.0005,
	    0.1), 2.5, 1e-12);
}

Test(tl_policy, hold_ev_by_hand)
{
	/* grid of 3, bins 0..3 (3: later): n and P&L sums */
	static const double n[] = { 2, 4, 3, 1 }, sum[] = { -2, 8, 3, -5 };
	double ev[3];

	tl_hold_ev(n, sum, 3, ev);
	/* H = g0: bin 0 exits (-2), 8 others cut at bin 0's mean -1 */
	cr_assert_float_eq(ev[0], (-2 + 8 * -1.0) / 10, 1e-15);
	/* H = g1: -2 + 8, 4 others at 8/4 = 2 */
	cr_assert_float_eq(ev[1], (-2 + 8 + 4 * 2.0) / 10, 1e-15);
	/* H = g2: -2 + 8 + 3, 1 other at 1 */
	cr_assert_float_eq(ev[2], (-2 + 8 + 3 + 1 * 1.0) / 10, 1e-15);
}

Test(tl_policy, fee_bins_exact)
{
	unsigned long long s = 77;
	double c;
	size_t b, k;

	cr_assert_eq(tl_fee_bin(0), 0);
	cr_assert_eq(tl_fee_bin(TL_FEE_MIN), 0);
	for (k = 0; k < 100000; k++) {
		/* 1e-7 .. 1e-2 */
		c = exp(log(1e-7) + ut_unif(&s) * log(1e5));
		b = tl_fee_bin(c);
		cr_assert(c <= tl_fee_edge(b) && c > tl_fee_edge(b - 1),
		    "%.17g in bin %zu", c, b);
		/* 1% wide */
		cr_assert_leq(tl_fee_edge(b) / c, TL_FEE_RATIO * (1 + 1e-12));
	}
	for (b = 1; b < 500; b++)	/* an edge is in its own bin */
		cr_assert_eq(tl_fee_bin(tl_fee_edge(b)), b);
}

/* S01 of gen.awk, noise-free: 40 days of +0.1%, 12 of -1.9%, 20 of +1.2%,
 * then +0.1%; drawdown rule only (window 0). */
Test(tl_policy, breaker_planted_drawdown)
{
	struct tl_policy_opts o = TL_POLICY_OPTS_DEFAULT;
	struct tl_brk b;
	long d, halt = -1, reduced = -1, normal = -1, k, cross, rec;
	double r;
	int was;

	o.window = 0;
	tl_brk_init(&b, o.window);
	for (d = 0; d < 120; d++) {
		r = d >= 40 && d < 52 ? -0.019 : d >= 52 && d < 72 ? 0.012 :
		    0.001;
		was = b.state;
		tl_brk_step(&b, &o, r, 0);
		if (b.state == TL_BRK_HALTED && was != TL_BRK_HALTED)
			halt = d;
		if (b.state == TL_BRK_REDUCED && was != TL_BRK_REDUCED)
			reduced = d;
		if (b.state == TL_BRK_NORMAL && was != TL_BRK_NORMAL)
			normal = d;
	}
	/* the crossing: the first k with 1 - 0.981^k > 0.15 */
	for (cross = 1; 1 - pow(0.981, (double)cross) <= 0.15; cross++)
		;
	cr_assert_eq(cross, 9);
	cr_assert_eq(halt, 40 + cross - 1);
	/* recovery: the first rise k with 0.981^12 1.012^k >= 1 - 0.075,
	 * then 5 days for reduced and 5 more for normal */
	for (rec = 1; pow(0.981, 12) * pow(1.012, (double)rec) < 0.925;
	    rec++)
		;
	k = 52 + rec - 1;	/* the first recovered day */
	cr_assert_eq(reduced, k + 4);
	cr_assert_eq(normal, k + 9);
	cr_assert_eq(b.state, TL_BRK_NORMAL);
	tl_brk_release(&b);
}

Test(tl_policy, breaker_loss_sharpe_crisis)
{
	struct tl_policy_opts o = TL_POLICY_OPTS_DEFAULT;
	struct tl_brk b;
	long d;

	/* one day losing 2.1%: halted that day, for that reason */
	tl_brk_init(&b, 0);
	tl_brk_step(&b, &o, 0.001, 0);
	cr_assert_eq(b.state, TL_BRK_NORMAL);
	tl_brk_step(&b, &o, -0.021, 0);
	cr_assert_eq(b.state, TL_BRK_HALTED);
	cr_assert_eq(b.reasons, TL_BRK_REASON_LOSS);
	tl_brk_release(&b);
	/* crisis */
	tl_brk_init(&b, 0);
	tl_brk_step(&b, &o, 0.001, 1);
	cr_assert_eq(b.state, TL_BRK_HALTED);
	cr_assert_eq(b.reasons, TL_BRK_REASON_CRISIS);
	tl_brk_release(&b);
	/* Sharpe over a window of 4: returns -1%, +0.5% alternating have
	 * mean -0.25%, sd sqrt(4 * 0.0075^2 / 3), annualised by 252 */
	o.window = 4;
	o.max_dd = 0.99;
	tl_brk_init(&b, 4);
	for (d = 0; d < 4; d++)
		tl_brk_step(&b, &o, d % 2 ? 0.005 : -0.01, 0);
	cr_assert_float_eq(b.sharpe, -0.0025 / sqrt(4 * 0.0075 * 0.0075 / 3) *
	    sqrt(252), 1e-9);
	cr_assert_eq(b.state, TL_BRK_HALTED);
	cr_assert_eq(b.reasons, TL_BRK_REASON_SHARPE);
	tl_brk_release(&b);
}
