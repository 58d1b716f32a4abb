/* Unit tests for lib/tl_synth_truth: truth.json parses and says what the
 * plan planted and what was written: params, counts, coefficients, each
 * period's regime term, regime days, promotions, churn, strategies. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "tl_synth_render.h"
#include "tl_synth_truth.h"
#include "synth.h"

static void
init(void)
{
	tl_init("tl-test");
}

TestSuite(tl_synth_truth, .init = init);

/* truth.json of s with its whole log drawn and dirt at rate; *g and *dt
 * are left for the caller to free. */
static json_t *
truth(const struct tl_synth *s, double rate, struct tl_synth_log **g,
    struct tl_synth_dirt **dt, size_t *nlines)
{
	struct tl_synth_day day;
	struct tl_synth_view v;
	struct tl_buf b;
	json_error_t je;
	json_t *t;
	size_t i;
	int dk;

	*g = tl_synth_log_alloc(s);
	*dt = tl_synth_dirt_alloc(s->par.seed, rate);
	while (tl_synth_log_next(*g, &day)) {
		for (i = 0; i < day.ndec; i++) {
			tl_synth_view_decision(&v, s, &day.dec[i], day.z);
			tl_synth_dirt_decision(*dt, &day.dec[i], day.d, &v);
		}
		for (i = 0; i < day.ntrade; i++) {
			tl_synth_view_trade(&v, s, &day.trade[i], day.z);
			dk = tl_synth_dirt_trade(*dt, &day.trade[i], 0, &v);
			tl_synth_dirt_again(*dt, dk, &v);
		}
	}
	tl_buf_init(&b);
	tl_synth_truth(&b, s, *g, tl_synth_dirt_tally(*dt), rate, 7, NULL);
	for (*nlines = 0, i = 0; i < b.len; i++)
		*nlines += b.data[i] == '\n';
	cr_assert_eq(b.data[b.len - 1], '\n');
	t = json_loadb(b.data, b.len, 0, &je);
	cr_assert_not_null(t, "line %d: %s", je.line, je.text);
	tl_buf_release(&b);
	return t;
}

static double
num(const json_t *t, const char *a, const char *b)
{
	const json_t *v = json_object_get(json_object_get(t, a), b);

	cr_assert(json_is_number(v), "%s.%s", a, b);
	return json_number_value(v);
}

static const char *
str(const json_t *t, const char *a, const char *b)
{
	const json_t *v = json_object_get(json_object_get(t, a), b);

	cr_assert(json_is_string(v), "%s.%s", a, b);
	return json_string_value(v);
}

Test(tl_synth_truth, says_what_was_planted_and_written)
{
	struct tl_synth *s = ut_synth(42, 60, 16, 8, 4000, NULL);
	const struct tl_synth_tally *ta;
	struct tl_synth_log *g;
	struct tl_synth_dirt *dt;
	const json_t *a, *x;
	char date[TL_TIME_BUFSZ], month[24];
	size_t i, k, nlines, days[TL_SYNTH_NREGIME] = { 0 };
	json_t *t;

	t = truth(s, 0.01, &g, &dt, &nlines);
	ta = tl_synth_dirt_tally(dt);
	cr_assert_str_eq(json_string_value(json_object_get(t, "format")),
	    "tl-synth-truth");
	cr_assert_eq(json_integer_value(json_object_get(t, "version")), 1);
	cr_assert_eq(json_integer_value(json_object_get(t, "seed")), 42);
	cr_assert_eq(nlines, 16 + 16, "a member a line, a strategy a line");
	cr_assert_null(json_object_get(t, "churn"));

	cr_assert_str_eq(str(t, "params", "start"), "2026-01-05");
	tl_synth_fmt_date(date, tl_synth_day(s, 59));
	cr_assert_str_eq(str(t, "params", "end"), date);
	cr_assert_eq(num(t, "params", "strategies"), 16);
	cr_assert_eq(num(t, "params", "periods"), 8);
	cr_assert_eq(num(t, "params", "trades"), 4000);
	cr_assert_eq(num(t, "params", "dirt"), 0.01);
	cr_assert_eq(num(t, "params", "gzip_after"), 7);

	cr_assert_eq(num(t, "counts", "trading_days"), 60);
	cr_assert_eq(num(t, "counts", "decisions"), (double)s->ndec);
	cr_assert_eq(num(t, "counts", "closed_trades"), 4000);
	cr_assert_eq(num(t, "counts", "hold") + num(t, "counts", "open"),
	    200);
	cr_assert_eq(num(t, "counts", "runs"), 16 * 8);
	cr_assert_eq(num(t, "counts", "promotions"), 5);
	cr_assert_eq(num(t, "counts", "valid_decisions"),
	    (double)(s->ndec - ta->bad_dec));
	cr_assert_eq(num(t, "counts", "matched_trades"), (double)ta->matched);
	cr_assert_eq(num(t, "counts", "orphans"), (double)ta->orphans);
	for (k = 0; k < TL_SYNTH_NDIRT; k++)
		cr_assert_eq(num(t, "dirt", tl_synth_dirt_names[k]),
		    (double)(ta->n[0][k] + ta->n[1][k]));
	cr_assert_eq(num(t, "dirt", "truncated"), 0, "no last line here");

	a = json_object_get(json_object_get(t, "runs"), "coefficients");
	cr_assert_eq(json_number_value(json_object_get(a, "a")), 0.02);
	cr_assert_eq(json_number_value(json_object_get(a, "other")), -0.5);
	cr_assert_eq(json_number_value(json_object_get(a, "noise_sd")), 0.01);
	a = json_object_get(json_object_get(t, "runs"), "period_regime_term");
	cr_assert_eq(json_object_size(a), 8);
	for (k = 0; k < 8; k++) {
		tl_synth_fmt_month(month, sizeof(month), s->w.month0 +
		    (long)k);
		cr_assert_eq(json_number_value(json_object_get(a, month)),
		    s->w.pterm[k], "round trip of %s", month);
	}
	cr_assert_eq(num(t, "win_prob", "momentum_effect"), 0.12);
	cr_assert_eq(num(t, "win_prob", "decay_shift"), -0.2);
	cr_assert_eq(num(t, "confidence", "slope"), 1.6);

	for (i = 0; i < s->w.nd; i++)
		days[tl_synth_world_regime(&s->w, i)]++;
	for (k = 0; k < TL_SYNTH_NREGIME; k++)
		cr_assert_eq(json_integer_value(json_object_get(
		    json_object_get(json_object_get(t, "regimes"), "days"),
		    tl_synth_regime_names[k])), (json_int_t)days[k]);
	a = json_object_get(json_object_get(t, "regimes"), "changes");
	x = json_array_get(a, 0);
	cr_assert_str_eq(json_string_value(json_object_get(x, "date")),
	    "2026-01-05");

	a = json_object_get(json_object_get(t, "promotions"), "promoted");
	cr_assert_eq(json_array_size(a), s->npromo);
	for (k = 0; k < s->npromo; k++)
		cr_assert_str_eq(json_string_value(json_array_get(a, k)),
		    s->promos[k]->id);
	a = json_object_get(t, "strategies");
	cr_assert_eq(json_array_size(a), 16);
	for (k = 0; k < 16; k++) {
		x = json_array_get(a, k);
		cr_assert_str_eq(json_string_value(json_object_get(x, "id")),
		    s->st[k].id);
		cr_assert_float_eq(json_number_value(json_object_get(x,
		    "edge")), s->st[k].edge, 0.5e-6);
		cr_assert_float_eq(json_number_value(json_object_get(x,
		    "roi_mean")), s->st[k].roi_mean, 0.5e-6);
		cr_assert_eq(json_object_get(x, "promoted") != NULL,
		    s->st[k].promo_day >= 0);
	}
	json_decref(t);
	tl_synth_dirt_free(dt);
	tl_synth_log_free(g);
	tl_synth_free(s);
}

Test(tl_synth_truth, churn_member)
{
	struct tl_synth *s = ut_synth(1, 120, 20, 12, 4800, "");
	struct tl_synth_log *g;
	struct tl_synth_dirt *dt;
	const struct tl_churn_role *ro;
	const json_t *c, *x;
	char date[TL_TIME_BUFSZ];
	size_t n, nlines, *v;
	json_t *t;
	long le;

	t = truth(s, 0, &g, &dt, &nlines);
	c = json_object_get(t, "churn");
	cr_assert_not_null(c);
	cr_assert_eq(nlines, 17 + 20, "and the churn");
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(c,
	    "spec"), "late")), 2);
	cr_assert_eq(json_integer_value(json_object_get(c, "pause_days")), 10);
	cr_assert_eq(json_array_size(json_object_get(c, "late_start")), 2);
	v = tl_churn_with_role(s->churn, TL_CHURN_RETIRE, &n);
	cr_assert_eq(n, 1);
	x = json_array_get(json_object_get(c, "retired"), 0);
	ro = tl_churn_role(s->churn, v[0]);
	le = tl_synth_log_last_exit(g, v[0]);
	cr_assert(le >= 0 && (size_t)le <= ro->day);
	tl_synth_fmt_date(date, tl_synth_day(s, (size_t)le));
	cr_assert_str_eq(json_string_value(json_object_get(x, "last_trade")),
	    date);
	tl_synth_fmt_date(date, tl_synth_day(s, ro->day));
	cr_assert_str_eq(json_string_value(json_object_get(x, "date")), date);
	free(v);
	v = tl_churn_with_role(s->churn, TL_CHURN_RENAME, &n);
	x = json_array_get(json_object_get(c, "renamed"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(x, "from")),
	    s->st[v[0]].id);
	cr_assert_str_eq(json_string_value(json_object_get(x, "to")), "S0021");
	free(v);
	json_decref(t);
	tl_synth_dirt_free(dt);
	tl_synth_log_free(g);
	tl_synth_free(s);
}
