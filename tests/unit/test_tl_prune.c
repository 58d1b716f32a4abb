/* Unit tests for lib/tl_prune: the median, successive-halving and
 * Hyperband decisions on hand-made curves, each expected value worked
 * out in the comment next to it from Optuna 3.1's rules; the curve of a
 * history record written and read back. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_prune.h"

/* Trial id with values v[0..n) at steps 0..n-1. */
static void
curve(struct tl_prune_trial *t, long id, int complete, const double *v,
    size_t n)
{
	size_t i;

	tl_prune_trial_init(t, id);
	t->complete = complete;
	for (i = 0; i < n; i++)
		cr_assert_eq(tl_prune_trial_add(t, (long)i, v[i]), 0);
}

static void
release(struct tl_prune_trial *o, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		tl_prune_trial_release(&o[i]);
}

/* Five complete trials whose values at step 2 are 1.5, 2.5, 3.5, 4.5,
 * 5.5: median 3.5. */
static void
five(struct tl_prune_trial *o)
{
	size_t i;

	for (i = 0; i < 5; i++) {
		double v[3] = { 9, 8, 1.5 + (double)i };

		curve(&o[i], (long)i, 1, v, 3);
	}
}

/* A reason is for a person: 6 significant digits, not a binary
 * fraction's 17, and more only as needed to tell the two apart. */
Test(tl_prune, median_reason_digits)
{
	struct tl_prune_params p = TL_PRUNE_PARAMS_DEFAULT;
	struct tl_prune_trial o[5], t;
	double noisy[3] = { 10, 9, 0.1 + 4.1 }, close[3] = { 10, 9,
	    3.5000001 };
	char why[200];

	p.kind = TL_PRUNE_MEDIAN;
	five(o);
	curve(&t, 5, 0, noisy, 3);	/* 4.199999999999999 */
	cr_assert_eq(tl_prune_check(&p, o, 5, &t, why, sizeof(why)), 1);
	cr_assert_str_eq(why, "median: 4.2 > 3.5, the median of 5 trials "
	    "at step 2");
	tl_prune_trial_release(&t);
	curve(&t, 5, 0, close, 3);
	cr_assert_eq(tl_prune_check(&p, o, 5, &t, why, sizeof(why)), 1);
	cr_assert_str_eq(why, "median: 3.5000001 > 3.5, the median of 5 "
	    "trials at step 2");
	tl_prune_trial_release(&t);
	release(o, 5);
}

Test(tl_prune, median_prunes_above_the_median)
{
	struct tl_prune_params p = TL_PRUNE_PARAMS_DEFAULT;
	struct tl_prune_trial o[5], t;
	double worse[3] = { 10, 4.1, 3.6 }, tie[3] = { 10, 4.1, 3.5 };
	char why[200];

	p.kind = TL_PRUNE_MEDIAN;
	five(o);
	/* best so far 3.6 > 3.5 */
	curve(&t, 5, 0, worse, 3);
	cr_assert_eq(tl_prune_check(&p, o, 5, &t, why, sizeof(why)), 1);
	cr_assert_str_eq(why, "median: 3.6 > 3.5, the median of 5 trials at "
	    "step 2");
	/* four complete trials are below the startup of 5 */
	cr_assert_eq(tl_prune_check(&p, o, 4, &t, why, sizeof(why)), 0);
	/* past warmup only */
	p.warmup = 3;
	cr_assert_eq(tl_prune_check(&p, o, 5, &t, why, sizeof(why)), 0);
	p.warmup = 0;
	tl_prune_trial_release(&t);
	/* best 3.5 is not above the median */
	curve(&t, 5, 0, tie, 3);
	cr_assert_eq(tl_prune_check(&p, o, 5, &t, why, sizeof(why)), 0);
	tl_prune_trial_release(&t);
	/* maximising: best so far is the max, 10 > 3.5: kept; a curve of
	 * 1, 2, 3 has best 3 < 3.5: pruned */
	p.maximize = 1;
	curve(&t, 5, 0, worse, 3);
	cr_assert_eq(tl_prune_check(&p, o, 5, &t, why, sizeof(why)), 0);
	tl_prune_trial_release(&t);
	{
		double low[3] = { 1, 2, 3 };

		curve(&t, 5, 0, low, 3);
		cr_assert_eq(tl_prune_check(&p, o, 5, &t, why, sizeof(why)),
		    1);
		cr_assert_str_eq(why, "median: 3 < 3.5, the median of 5 "
		    "trials at step 2");
		tl_prune_trial_release(&t);
	}
	release(o, 5);
}

Test(tl_prune, median_even_count_interpolates_and_nan)
{
	struct tl_prune_params p = TL_PRUNE_PARAMS_DEFAULT;
	struct tl_prune_trial o[5], t;
	double v[3] = { 9, 9, 3.1 }, nan3[3] = { NAN, NAN, NAN };
	char why[200];

	p.kind = TL_PRUNE_MEDIAN;
	five(o);
	/* trial 4 (5.5) has no value at step 2 any more: median of 1.5,
	 * 2.5, 3.5, 4.5 is 3.0 by linear interpolation; 3.1 > 3 */
	o[4].n = 2;
	curve(&t, 5, 0, v, 3);
	cr_assert_eq(tl_prune_check(&p, o, 5, &t, why, sizeof(why)), 1);
	cr_assert_str_eq(why, "median: 3.1 > 3, the median of 4 trials at "
	    "step 2");
	/* min_trials 5: only 4 have step 2, no decision */
	p.min_trials = 5;
	cr_assert_eq(tl_prune_check(&p, o, 5, &t, why, sizeof(why)), 0);
	tl_prune_trial_release(&t);
	/* a curve of NaN only is pruned */
	curve(&t, 5, 0, nan3, 3);
	cr_assert_eq(tl_prune_check(&p, o, 5, &t, why, sizeof(why)), 1);
	cr_assert_str_eq(why, "median: no number up to step 2");
	tl_prune_trial_release(&t);
	o[4].n = 3;
	release(o, 5);
}

Test(tl_prune, median_interval)
{
	struct tl_prune_params p = TL_PRUNE_PARAMS_DEFAULT;
	struct tl_prune_trial o[5], t;
	double v[3] = { 99, 99, 99 };
	char why[200];

	p.kind = TL_PRUNE_MEDIAN;
	p.interval = 2;
	five(o);
	/* steps 0, 1: at step 1 the nearest pruning step is 0 and step 0
	 * was reported since: no check */
	curve(&t, 5, 0, v, 2);
	cr_assert_eq(tl_prune_check(&p, o, 5, &t, why, sizeof(why)), 0);
	/* step 2 is a pruning step */
	cr_assert_eq(tl_prune_trial_add(&t, 2, 99), 0);
	cr_assert_eq(tl_prune_check(&p, o, 5, &t, why, sizeof(why)), 1);
	/* a repeated step is refused */
	cr_assert_eq(tl_prune_trial_add(&t, 2, 1), -1);
	cr_assert_eq(t.n, 3);
	tl_prune_trial_release(&t);
	release(o, 5);
}

Test(tl_prune, median_judges_at_the_largest_step)
{
	struct tl_prune_params p = TL_PRUNE_PARAMS_DEFAULT;
	struct tl_prune_trial o[5], t;
	char why[200];
	double v;

	p.kind = TL_PRUNE_MEDIAN;
	five(o);
	/* steps 0 and 2 reported (9.5, 3.6) while only 4 trials were
	 * complete, then step 1 (7): Optuna's last_step is the largest, 2,
	 * and no other step lies between it and the pruning step 2, so it
	 * judges there: best 3.6 > 3.5, pruned at step 2 (judged at step 1,
	 * the last report, step 2 would count as reported since: no
	 * check) */
	tl_prune_trial_init(&t, 5);
	cr_assert_eq(tl_prune_trial_add(&t, 0, 9.5), 0);
	cr_assert_eq(tl_prune_trial_add(&t, 2, 3.6), 0);
	cr_assert_eq(tl_prune_check(&p, o, 4, &t, why, sizeof(why)), 0);
	cr_assert_eq(tl_prune_trial_add(&t, 1, 7), 0);
	cr_assert_eq(tl_prune_trial_last(&t, &v), 2);
	cr_assert_float_eq(v, 3.6, 1e-15);
	cr_assert_eq(tl_prune_check(&p, o, 5, &t, why, sizeof(why)), 1);
	cr_assert_str_eq(why, "median: 3.6 > 3.5, the median of 5 trials at "
	    "step 2");
	tl_prune_trial_release(&t);
	/* nothing reported: step -1, NaN */
	tl_prune_trial_init(&t, 5);
	cr_assert_eq(tl_prune_trial_last(&t, &v), -1);
	cr_assert(isnan(v));
	tl_prune_trial_release(&t);
	release(o, 5);
}

Test(tl_prune, median_rounds_as_numpy)
{
	struct tl_prune_params p = TL_PRUNE_PARAMS_DEFAULT;
	struct tl_prune_trial o[4], t;
	double at2[4] = { 0.1, 0.127, 3.307, 4 }, tie[3] = { 9, 9, 1.717 };
	char why[200];
	size_t i;

	/* numpy 1.24: np.nanpercentile([0.1, 0.127, 3.307, 4], 50) is
	 * 1.717 (repr), interpolated from the top as 3.307 - (3.307 -
	 * 0.127) * 0.5; from the bottom, 0.127 + (3.307 - 0.127) * 0.5 is
	 * 1.7169999999999999, one ulp below, and a best of 1.717 would be
	 * pruned.  Equal to Optuna's median: kept. */
	p.kind = TL_PRUNE_MEDIAN;
	p.startup = 4;
	for (i = 0; i < 4; i++) {
		double v[3] = { 9, 9, at2[i] };

		curve(&o[i], (long)i, 1, v, 3);
	}
	curve(&t, 4, 0, tie, 3);
	cr_assert_eq(tl_prune_check(&p, o, 4, &t, why, sizeof(why)), 0);
	tl_prune_trial_release(&t);
	/* one ulp above it: pruned */
	tie[2] = nextafter(1.717, 2);
	curve(&t, 4, 0, tie, 3);
	cr_assert_eq(tl_prune_check(&p, o, 4, &t, why, sizeof(why)), 1);
	tl_prune_trial_release(&t);
	release(o, 4);
}

Test(tl_prune, halving_rungs)
{
	struct tl_prune_params p = TL_PRUNE_PARAMS_DEFAULT;
	struct tl_prune_trial o[3], t;
	double r0[3] = { 0.5, 0.6, 0.7 }, v[2] = { 9, 0.65 };
	char why[200];
	size_t i;

	p.kind = TL_PRUNE_HALVING;
	p.min_resource = 1;	/* rungs at steps 1, 4, 16 (rf 4) */
	for (i = 0; i < 3; i++) {
		tl_prune_trial_init(&o[i], (long)i);
		o[i].rung[0] = r0[i];
		o[i].nrung = 1;
	}
	/* step 0 is below rung 0 */
	curve(&t, 3, 0, v, 1);
	cr_assert_eq(tl_prune_check(&p, o, 3, &t, why, sizeof(why)), 0);
	cr_assert_eq(t.nrung, 0);
	tl_prune_trial_release(&t);
	/* 0.65 among 0.5, 0.6, 0.65, 0.7: the top 4/4 = 1 is 0.5 */
	curve(&t, 3, 0, v, 2);
	cr_assert_eq(tl_prune_check(&p, o, 3, &t, why, sizeof(why)), 1);
	cr_assert_str_eq(why, "halving: 0.65 at step 1 not in the top 1/4 of "
	    "rung 0 (4 trials; needs <= 0.5)");
	cr_assert_eq(t.nrung, 1);
	cr_assert_float_eq(t.rung[0], 0.65, 1e-15);
	tl_prune_trial_release(&t);
	/* 0.45 is the best: promoted; rung 1 is at step 4, not reached */
	v[1] = 0.45;
	curve(&t, 3, 0, v, 2);
	cr_assert_eq(tl_prune_check(&p, o, 3, &t, why, sizeof(why)), 0);
	cr_assert_eq(t.nrung, 1);
	tl_prune_trial_release(&t);
	/* maximising, 0.65 is not >= 0.7 */
	p.maximize = 1;
	v[1] = 0.65;
	curve(&t, 3, 0, v, 2);
	cr_assert_eq(tl_prune_check(&p, o, 3, &t, why, sizeof(why)), 1);
	cr_assert_str_eq(why, "halving: 0.65 at step 1 not in the top 1/4 of "
	    "rung 0 (4 trials; needs >= 0.7)");
	tl_prune_trial_release(&t);
	/* minimising again, step 1 (0.65) reported before step 0 (0.1):
	 * Optuna's step is the largest, 1, and its value there 0.65 goes
	 * to rung 0: pruned (by the last report, step 0, it would stand
	 * below rung 0) */
	p.maximize = 0;
	tl_prune_trial_init(&t, 3);
	cr_assert_eq(tl_prune_trial_add(&t, 1, 0.65), 0);
	cr_assert_eq(tl_prune_trial_add(&t, 0, 0.1), 0);
	cr_assert_eq(tl_prune_check(&p, o, 3, &t, why, sizeof(why)), 1);
	cr_assert_str_eq(why, "halving: 0.65 at step 1 not in the top 1/4 of "
	    "rung 0 (4 trials; needs <= 0.5)");
	tl_prune_trial_release(&t);
	release(o, 3);
}

Test(tl_prune, halving_auto_min_resource)
{
	struct tl_prune_params p = TL_PRUNE_PARAMS_DEFAULT;
	struct tl_prune_trial o, t;
	double v[3] = { 1, 1, 1 };
	char why[200];

	p.kind = TL_PRUNE_HALVING;
	/* no complete trial: auto has nothing to go by */
	curve(&t, 1, 0, v, 3);
	tl_prune_trial_init(&o, 0);
	cr_assert_eq(tl_prune_check(&p, &o, 1, &t, why, sizeof(why)), 0);
	/* a complete trial to step 250: min resource 250 // 100 = 2, so
	 * rung 0 is at step 2 (t is alone there: promoted) and rung 1 at
	 * step 8 */
	o.complete = 1;
	cr_assert_eq(tl_prune_trial_add(&o, 250, 0.1), 0);
	cr_assert_eq(tl_prune_check(&p, &o, 1, &t, why, sizeof(why)), 0);
	cr_assert_eq(t.nrung, 1);
	tl_prune_trial_release(&t);
	curve(&t, 1, 0, v, 2);	/* up to step 1: below rung 0 */
	cr_assert_eq(tl_prune_check(&p, &o, 1, &t, why, sizeof(why)), 0);
	cr_assert_eq(t.nrung, 0);
	tl_prune_trial_release(&t);
	tl_prune_trial_release(&o);
}

Test(tl_prune, hyperband_brackets)
{
	struct tl_prune_params p = TL_PRUNE_PARAMS_DEFAULT;
	size_t nb, i;
	/* Python: n = floor(log(100 / 1, 3)) + 1 = 5 brackets, budgets
	 * ceil(5 * 3^s / (s + 1)) for s = 4..0: 81, 34, 15, 8, 5 (143);
	 * zlib.crc32(str(i).encode()) % 143 walked through them gives
	 * for i = 0..5: 2, 0, 1, 0, 0, 0 */
	const size_t want[6] = { 2, 0, 1, 0, 0, 0 };

	p.kind = TL_PRUNE_HYPERBAND;
	for (i = 0; i < 6; i++)
		cr_assert_eq(tl_prune_bracket(&p, 100, (long)i, &nb), want[i],
		    "trial %zu", i);
	cr_assert_eq(nb, 5);
}

Test(tl_prune, hyperband_compares_within_the_bracket)
{
	struct tl_prune_params p = TL_PRUNE_PARAMS_DEFAULT;
	struct tl_prune_trial o[2], t;
	double full[100], v[2] = { 5, 0.8 };
	char why[200];
	size_t i;

	p.kind = TL_PRUNE_HYPERBAND;
	for (i = 0; i < 100; i++)
		full[i] = 0.1;
	/* max resource auto: 99 + 1 = 100, brackets as above; trial 3 is
	 * in bracket 0 (rungs at 1, 3, 9, ...) with trial 1, whose rung 0
	 * value 0.3 beats 0.8; trial 2 (bracket 1) does not count */
	curve(&o[0], 1, 1, full, 100);
	o[0].rung[0] = 0.3;
	o[0].nrung = 1;
	curve(&o[1], 2, 1, full, 100);
	o[1].rung[0] = 0.9;
	o[1].rung[1] = 0.9;
	o[1].nrung = 2;
	curve(&t, 3, 0, v, 2);
	cr_assert_eq(tl_prune_check(&p, o, 2, &t, why, sizeof(why)), 1);
	cr_assert_str_eq(why, "hyperband: 0.8 at step 1 not in the top 1/3 "
	    "of rung 0 (2 trials; needs <= 0.3)");
	/* against trial 2 alone (another bracket) there is no competitor */
	t.nrung = 0;
	cr_assert_eq(tl_prune_check(&p, &o[1], 1, &t, why, sizeof(why)), 0);
	tl_prune_trial_release(&t);
	release(o, 2);
}

Test(tl_prune, names)
{
	enum tl_prune_kind k;

	cr_assert_eq(tl_prune_kind("hyperband", &k), 0);
	cr_assert_eq(k, TL_PRUNE_HYPERBAND);
	cr_assert_str_eq(tl_prune_name(TL_PRUNE_MEDIAN), "median");
	cr_assert_eq(tl_prune_kind("asha", &k), -1);
}

/* A trial's curve in a history record: written as tl-bayesopt run
 * writes it and read back to the same steps, values and rungs, NaN as
 * null both ways. */
Test(tl_prune, curve_json_round_trip)
{
	struct tl_prune_trial t, back;
	json_t *rec = json_object();
	char *text, why[200];

	tl_prune_trial_init(&t, 7);
	cr_assert_eq(tl_prune_trial_add(&t, 0, 1.5), 0);
	cr_assert_eq(tl_prune_trial_add(&t, 4, NAN), 0);
	cr_assert_eq(tl_prune_trial_add(&t, 2, -3), 0);
	t.rung[t.nrung++] = 0.25;
	t.rung[t.nrung++] = NAN;
	tl_prune_trial_to_json(rec, &t);
	text = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	cr_assert_str_eq(text, "{\"intermediate\":{\"0\":1.5,\"4\":null,"
	    "\"2\":-3.0},\"rungs\":[0.25,null]}");
	free(text);
	tl_prune_trial_init(&back, 7);
	cr_assert_eq(tl_prune_trial_from_json(rec, &back, why, sizeof(why)),
	    0);
	cr_assert_eq(back.n, 3);
	cr_assert_eq(back.step[0], 0);
	cr_assert_eq(back.value[0], 1.5);
	cr_assert_eq(back.step[1], 4);
	cr_assert(isnan(back.value[1]));
	cr_assert_eq(back.step[2], 2);
	cr_assert_eq(back.value[2], -3);
	cr_assert_eq(back.nrung, 2);
	cr_assert_eq(back.rung[0], 0.25);
	cr_assert(isnan(back.rung[1]));
	tl_prune_trial_release(&back);
	tl_prune_trial_release(&t);
	json_decref(rec);
}

/* No reports: no member written, and a record without them reads as
 * an empty curve. */
Test(tl_prune, curve_json_empty)
{
	struct tl_prune_trial t;
	json_t *rec = json_object();
	char why[200];

	tl_prune_trial_init(&t, 1);
	tl_prune_trial_to_json(rec, &t);
	cr_assert_eq(json_object_size(rec), 0);
	cr_assert_eq(tl_prune_trial_from_json(rec, &t, why, sizeof(why)), 0);
	cr_assert_eq(t.n, 0);
	cr_assert_eq(t.nrung, 0);
	tl_prune_trial_release(&t);
	json_decref(rec);
}

/* Each malformed curve is refused with its reason. */
Test(tl_prune, curve_json_refused)
{
	static const struct {
		const char	*rec;
		const char	*why;
	} bad[] = {
		{ "{\"intermediate\": [1]}", "field 'intermediate': expected "
		    "an object, got array" },
		{ "{\"intermediate\": {\"x\": 1}}", "field 'intermediate': "
		    "step 'x': expected a whole number >= 0" },
		{ "{\"intermediate\": {\"-1\": 1}}", "field 'intermediate': "
		    "step '-1': expected a whole number >= 0" },
		{ "{\"intermediate\": {\"\": 1}}", "field 'intermediate': "
		    "step '': expected a whole number >= 0" },
		{ "{\"intermediate\": {\"99999999999999999999\": 1}}",
		    "field 'intermediate': step '99999999999999999999': "
		    "expected a whole number >= 0" },
		{ "{\"intermediate\": {\"3\": \"a\"}}", "field "
		    "'intermediate': step 3: expected a number, got string" },
		{ "{\"rungs\": {}}", "field 'rungs': expected an array of at "
		    "most 64 numbers" },
		{ "{\"rungs\": [1, true]}", "field 'rungs': item 1: expected "
		    "a number, got boolean" },
	};
	struct tl_prune_trial t;
	json_t *rec;
	char why[200];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rec = json_loads(bad[i].rec, 0, NULL);
		cr_assert_not_null(rec, "%s", bad[i].rec);
		tl_prune_trial_init(&t, 1);
		cr_assert_eq(tl_prune_trial_from_json(rec, &t, why,
		    sizeof(why)), -1, "%s", bad[i].rec);
		cr_assert_str_eq(why, bad[i].why, "%s", bad[i].rec);
		tl_prune_trial_release(&t);
		json_decref(rec);
	}
}

/* More rungs than a trial can hold are refused, as many are not. */
Test(tl_prune, curve_json_rungs_bound)
{
	struct tl_prune_trial t;
	json_t *rec = json_object(), *a = json_array();
	char why[200];
	size_t i;

	for (i = 0; i < TL_PRUNE_RUNGS; i++)
		json_array_append_new(a, json_real((double)i));
	json_object_set_new(rec, "rungs", a);
	tl_prune_trial_init(&t, 1);
	cr_assert_eq(tl_prune_trial_from_json(rec, &t, why, sizeof(why)), 0);
	cr_assert_eq(t.nrung, TL_PRUNE_RUNGS);
	cr_assert_eq(t.rung[TL_PRUNE_RUNGS - 1], TL_PRUNE_RUNGS - 1);
	tl_prune_trial_release(&t);
	json_array_append_new(a, json_real(1));
	tl_prune_trial_init(&t, 1);
	cr_assert_eq(tl_prune_trial_from_json(rec, &t, why, sizeof(why)), -1);
	cr_assert_str_eq(why, "field 'rungs': expected an array of at most "
	    "64 numbers");
	tl_prune_trial_release(&t);
	json_decref(rec);
}
