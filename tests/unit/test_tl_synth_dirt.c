/* Unit tests for lib/tl_synth_dirt: which kinds each line can get and
 * how often, what each kind does to a view, the truncated last line, the
 * second lines of duplicates, conflicts and orphans, and the tally (a
 * trade is matched only when neither of its two lines is damaged). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_synth_dirt.h"
#include "synth.h"

#define NSE	5.0	/* statistical checks allow 5 standard errors */

static void
view_clean(struct tl_synth_view *v)
{
	memset(v, 0, sizeof(*v));
	v->omit = -1;
	v->ts = TL_SYNTH_TS_CANON;
	v->pnl_c = 1234;
}

Test(tl_synth_dirt, no_rate_no_dirt)
{
	struct tl_synth_dirt *dt = tl_synth_dirt_alloc(1, 0);
	struct tl_synth_dec x = { .kind = TL_SYNTH_TRADE };
	struct tl_synth_trade t = { 0 };
	struct tl_synth_view v;
	const struct tl_synth_tally *ta;
	uint64_t i;

	for (i = 1; i <= 1000; i++) {
		x.number = t.did = i;
		view_clean(&v);
		cr_assert_eq(tl_synth_dirt_decision(dt, &x, 0, &v), -1);
		cr_assert_eq(tl_synth_dirt_trade(dt, &t, i == 1000, &v), -1,
		    "not even the last line");
		cr_assert_eq(v.omit, -1);
		cr_assert_eq(tl_synth_dirt_cut(dt, -1, 300), 300);
		cr_assert_eq(tl_synth_dirt_again(dt, -1, &v),
		    TL_SYNTH_AGAIN_NONE);
	}
	ta = tl_synth_dirt_tally(dt);
	cr_assert_eq(ta->matched, 1000);
	cr_assert_eq(ta->bad_dec + ta->bad_out + ta->orphans, 0);
	cr_assert_eq(tl_synth_dirt_rate(dt), 0);
	tl_synth_dirt_free(dt);
}

Test(tl_synth_dirt, decision_kinds_and_what_they_do)
{
	static const char *const verbs[] = { "SELL", "Sell", "short",
		"Short" };
	struct tl_synth_dirt *dt = tl_synth_dirt_alloc(2, 0.5);
	struct tl_synth_dec x = { .kind = TL_SYNTH_OPEN, .side = 1 };
	struct tl_synth_view v;
	double n = 20000, cnt[TL_SYNTH_NDIRT] = { 0 }, p;
	uint64_t i;
	size_t k;
	int dk, ok;

	for (i = 1; i <= (uint64_t)n; i++) {
		x.number = i;
		view_clean(&v);
		dk = tl_synth_dirt_decision(dt, &x, 0, &v);
		if (dk < 0)
			continue;
		cnt[dk]++;
		switch (dk) {
		case TL_SYNTH_D_MISSING:
			cr_assert(v.omit >= 0 && v.omit < TL_SYNTH_NDEC_REQ);
			break;
		case TL_SYNTH_D_VARIANT_TS:
			cr_assert(v.ts == TL_SYNTH_TS_EPOCH_MS ||
			    v.ts == TL_SYNTH_TS_OFFSET);
			break;
		case TL_SYNTH_D_VARIANT_CASE:
			for (ok = v.lower, k = 0; k < 4 && v.verb != NULL; k++)
				ok |= strcmp(v.verb, verbs[k]) == 0;
			cr_assert(ok && (v.lower != 0) != (v.verb != NULL));
			break;
		case TL_SYNTH_D_DUPLICATE:
			cr_assert_eq(tl_synth_dirt_again(dt, dk, &v),
			    TL_SYNTH_AGAIN_SAME);
			break;
		default:
			cr_assert_fail("%s on a decision",
			    tl_synth_dirt_names[dk]);
		}
	}
	/* half the lines, a quarter of them of each of the four kinds */
	p = 0.5 / 4;
	for (k = 0; k < TL_SYNTH_NDIRT; k++)
		if (cnt[k] > 0)
			cr_assert_leq(fabs(cnt[k] / n - p), NSE * sqrt(p *
			    (1 - p) / n), "%s", tl_synth_dirt_names[k]);
	cr_assert_eq(tl_synth_dirt_tally(dt)->bad_dec,
	    (uint64_t)cnt[TL_SYNTH_D_MISSING]);
	cr_assert_eq(tl_synth_dirt_tally(dt)->n[TL_SYNTH_DIRT_DEC]
	    [TL_SYNTH_D_DUPLICATE], (uint64_t)cnt[TL_SYNTH_D_DUPLICATE]);
	tl_synth_dirt_free(dt);
}

Test(tl_synth_dirt, trade_kinds_and_second_lines)
{
	static const int req[] = { TL_SYNTH_TF_ID, TL_SYNTH_TF_STRATEGY,
		TL_SYNTH_TF_SYMBOL, TL_SYNTH_TF_EXIT_TS, TL_SYNTH_TF_PNL };
	struct tl_synth_dirt *dt = tl_synth_dirt_alloc(3, 0.7);
	struct tl_synth_trade t = { .side = 0 };
	struct tl_synth_view v;
	double n = 21000, cnt[TL_SYNTH_NDIRT] = { 0 }, p = 0.7 / 7;
	uint64_t i, orphans = 0;
	size_t k, cut;
	int dk, again, ok;

	for (i = 1; i <= (uint64_t)n; i++) {
		t.did = i;
		view_clean(&v);
		dk = tl_synth_dirt_trade(dt, &t, 0, &v);
		if (dk < 0)
			continue;
		cnt[dk]++;
		cr_assert_neq(dk, TL_SYNTH_D_TRUNCATED, "only the last line");
		if (dk == TL_SYNTH_D_MISSING) {
			for (ok = 0, k = 0; k < 5; k++)
				ok |= v.omit == req[k];
			cr_assert(ok, "a required field");
		}
		cr_assert_eq(v.pnl_str, dk == TL_SYNTH_D_WRONG_TYPE);
		again = tl_synth_dirt_again(dt, dk, &v);
		cr_assert_eq(again, dk == TL_SYNTH_D_DUPLICATE ?
		    TL_SYNTH_AGAIN_SAME : dk == TL_SYNTH_D_CONFLICT ||
		    dk == TL_SYNTH_D_ORPHAN ? TL_SYNTH_AGAIN_OTHER :
		    TL_SYNTH_AGAIN_NONE);
		if (dk == TL_SYNTH_D_CONFLICT)
			cr_assert(v.pnl_c != 1234 && llabs(v.pnl_c - 1234) <=
			    5000);
		if (dk == TL_SYNTH_D_ORPHAN) {
			orphans++;
			cr_assert_eq(strncmp(v.id, "T9", 2), 0);
			cr_assert_eq(strtoull(v.did + 2, NULL, 10), orphans);
		}
	}
	for (k = 0; k < TL_SYNTH_D_TRUNCATED; k++)
		cr_assert_leq(fabs(cnt[k] / n - p), NSE * sqrt(p * (1 - p) / n),
		    "%s", tl_synth_dirt_names[k]);
	cr_assert_eq(tl_synth_dirt_tally(dt)->orphans, orphans);
	/* the last line of the last file is cut to a third to two thirds */
	view_clean(&v);
	dk = tl_synth_dirt_trade(dt, &t, 1, &v);
	cr_assert_eq(dk, TL_SYNTH_D_TRUNCATED);
	for (i = 0; i < 100; i++) {
		cut = tl_synth_dirt_cut(dt, dk, 301);
		cr_assert(cut >= 100 && cut < 200, "%zu", cut);
	}
	tl_synth_dirt_free(dt);
}

Test(tl_synth_dirt, matched_needs_both_lines_intact)
{
	struct tl_synth *s = ut_synth(5, 20, 6, 2, 3000, NULL);
	struct tl_synth_log *g = tl_synth_log_alloc(s);
	struct tl_synth_dirt *dt = tl_synth_dirt_alloc(5, 0.3);
	unsigned char *bad = calloc(s->ndec + 1, 1);
	struct tl_synth_day day;
	struct tl_synth_view v;
	uint64_t matched = 0, bad_out = 0;
	size_t i;
	int dk;

	while (tl_synth_log_next(g, &day)) {
		for (i = 0; i < day.ndec; i++) {
			view_clean(&v);
			dk = tl_synth_dirt_decision(dt, &day.dec[i], day.d, &v);
			bad[day.dec[i].number] = dk == TL_SYNTH_D_MISSING;
		}
		for (i = 0; i < day.ntrade; i++) {
			view_clean(&v);
			dk = tl_synth_dirt_trade(dt, &day.trade[i], 0, &v);
			if (dk == TL_SYNTH_D_MISSING ||
			    dk == TL_SYNTH_D_WRONG_TYPE)
				bad_out++;
			else if (!bad[day.trade[i].did])
				matched++;
			tl_synth_dirt_again(dt, dk, &v);
		}
	}
	cr_assert_gt(matched, 1000);
	cr_assert_lt(matched, 3000 - bad_out);
	cr_assert_eq(tl_synth_dirt_tally(dt)->matched, matched);
	cr_assert_eq(tl_synth_dirt_tally(dt)->bad_out, bad_out);
	free(bad);
	tl_synth_dirt_free(dt);
	tl_synth_log_free(g);
	tl_synth_free(s);
}

Test(tl_synth_dirt, the_same_seed_damages_the_same_lines)
{
	struct tl_synth_dirt *a = tl_synth_dirt_alloc(9, 0.2);
	struct tl_synth_dirt *b = tl_synth_dirt_alloc(9, 0.2);
	struct tl_synth_dirt *c = tl_synth_dirt_alloc(10, 0.2);
	struct tl_synth_dec x = { .kind = TL_SYNTH_HOLD };
	struct tl_synth_view v;
	int i, ka, kb, same = 1;

	for (i = 1; i <= 500; i++) {
		x.number = (uint64_t)i;
		view_clean(&v);
		ka = tl_synth_dirt_decision(a, &x, 0, &v);
		view_clean(&v);
		kb = tl_synth_dirt_decision(b, &x, 0, &v);
		cr_assert_eq(ka, kb);
		view_clean(&v);
		same &= ka == tl_synth_dirt_decision(c, &x, 0, &v);
	}
	cr_assert_not(same, "another seed, other lines");
	tl_synth_dirt_free(a);
	tl_synth_dirt_free(b);
	tl_synth_dirt_free(c);
}
