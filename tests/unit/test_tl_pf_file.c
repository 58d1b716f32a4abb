/*
 * tl_pf_file: the side inputs of an allocation read (each field, each
 * refusal with its file and line) and the lines and summary written for
 * a portfolio built here by hand, so that every figure is known.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "tl_out.h"
#include "tl_pf_file.h"
#include "tl_util.h"
#include "unit.h"

UT_SCRATCH_DIR();
TestSuite(tl_pf_file, .init = ut_setup, .fini = ut_teardown);

/* name written into dir with text s; its path in buf. */
static const char *
file(char *buf, size_t size, const char *name, const char *s)
{
	ut_path(buf, size, dir, name);
	ut_write_str(buf, s);
	return buf;
}

Test(tl_pf_file, reads_each_input)
{
	char p[512], m[512], r[512], a[512];
	struct tl_pf_inputs in = { 0 };
	struct tl_pf_opts o = { 0 };
	struct tl_err err = { 0 };

	file(p, sizeof(p), "prev.jsonl", "{\"strategy\":\"b\",\"weight\":0.25}\n"
	    "{\"strategy\":\"a\",\"weight\":0.75}\n");
	file(m, sizeof(m), "mu.csv", "strategy,expected_return\nx,0.1\n");
	/* 1767225600 s is 2026-01-01T00:00:00Z (20454 days of 86400 s) */
	file(r, sizeof(r), "ret.jsonl", "{\"strategy\":\"a\",\"ts\":1767225600}"
	    "\n{\"strategy\":\"b\",\"ts\":\"2026-02-03T23:59:59Z\"}\n");
	file(a, sizeof(a), "alerts.jsonl", "{\"strategy\":\"a\",\"action\":"
	    "\"demote\",\"acknowledged\":false,\"kind\":\"pbo\"}\n");
	cr_assert_eq(1767225600 / 86400, 20454);
	cr_assert_eq(tl_pf_inputs_read(&in, p, m, r, a, &err), 0, "%s: %s",
	    err.where, err.msg);
	cr_assert_eq(in.nprev, 2);
	cr_assert_str_eq(in.prev[0].name, "b");
	cr_assert_eq(in.prev[0].v, 0.25);
	cr_assert_str_eq(in.prev[1].name, "a");
	cr_assert_eq(in.prev[1].v, 0.75);
	cr_assert_eq(in.nmu, 1);
	cr_assert_str_eq(in.mu[0].name, "x");
	cr_assert_eq(in.mu[0].v, 0.1);
	cr_assert_eq(in.nretired, 2);
	cr_assert_str_eq(in.retired[0].date, "2026-01-01");
	cr_assert_str_eq(in.retired[1].date, "2026-02-03");
	cr_assert_eq(in.nalerts, 1);
	cr_assert_str_eq(in.alerts[0].action, "demote");
	cr_assert_eq(in.alerts[0].acknowledged, 0);
	cr_assert_str_eq(in.alerts[0].kind, "pbo");
	cr_assert_null(in.alerts[0].severity);
	tl_pf_inputs_use(&in, &o);
	cr_assert_eq(o.prev, in.prev);
	cr_assert_eq(o.nprev, 2);
	cr_assert_eq(o.nalerts, 1);
	cr_assert_eq(o.nretired, 2);
	tl_pf_inputs_release(&in);
}

/* One bad file: the message, where, and the code. */
static void
refused(const char *name, const char *text, int which, const char *where,
    const char *msg)
{
	char path[512], want[512];
	const char *f[4] = { NULL, NULL, NULL, NULL };
	struct tl_pf_inputs in = { 0 };
	struct tl_err err = { 0 };

	f[which] = file(path, sizeof(path), name, text);
	cr_assert_eq(tl_pf_inputs_read(&in, f[0], f[1], f[2], f[3], &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR, "%s", name);
	snprintf(want, sizeof(want), "%s/%s", dir, where);
	cr_assert_str_eq(err.where, want);
	cr_assert_str_eq(err.msg, msg);
	tl_pf_inputs_release(&in);
}

Test(tl_pf_file, refusals)
{
	refused("p1.jsonl", "{\"strategy\":\"a\",\"weight\":1}\n"
	    "{\"strategy\":\"a\",\"weight\":0}\n", 0, "p1.jsonl:2",
	    "strategy 'a' appears twice");
	refused("p2.jsonl", "{\"weight\":1}\n", 0, "p2.jsonl:1",
	    "field 'strategy': missing");
	refused("m1.jsonl", "{\"strategy\":\"a\"}\n", 1, "m1.jsonl:1",
	    "field 'expected_return': missing");
	refused("r1.jsonl", "{\"strategy\":\"a\",\"ts\":\"soon\"}\n", 2,
	    "r1.jsonl:1", "field 'ts': not a time (RFC 3339 or epoch "
	    "seconds)");
	refused("a1.jsonl", "{\"strategy\":\"a\",\"action\":\"sell\","
	    "\"acknowledged\":true}\n", 3, "a1.jsonl:1", "field 'action': "
	    "unknown 'sell' (demote, retrain or watch)");
	refused("a2.jsonl", "{\"strategy\":\"a\",\"action\":\"watch\"}\n", 3,
	    "a2.jsonl:1", "field 'acknowledged': expected boolean, got none");
}

/* Two strategies a and c allocated 0.25 and 0.5 (cash 0.25) with a
 * diagonal covariance, b left out (retired), and "gone" in prev only. */
struct hand {
	struct tl_pf_strategy	all[3];
	const char		*names[2];
	double			 cov[4], mu[2], prev[2], w[2], lo[2], hi[2];
	struct tl_portfolio	 pf;
};

static void
hand(struct hand *h)
{
	memset(h, 0, sizeof(*h));
	h->all[0] = (struct tl_pf_strategy){ .name = "a", .status = TL_PF_IN,
	    .idx = 0, .prev = 0.5 };
	h->all[1] = (struct tl_pf_strategy){ .name = "b", .status =
	    TL_PF_RETIRED, .reason = "retired", .idx = -1, .prev = 0.1 };
	h->all[2] = (struct tl_pf_strategy){ .name = "c", .status = TL_PF_IN,
	    .idx = 1, .prev = 0 };
	h->names[0] = "a";
	h->names[1] = "c";
	h->cov[0] = 0.04;
	h->cov[3] = 0.09;
	h->mu[0] = 0.1;
	h->mu[1] = 0.2;
	h->prev[0] = 0.5;
	h->w[0] = 0.25;
	h->w[1] = 0.5;
	h->hi[0] = h->hi[1] = 0.5;
	h->pf = (struct tl_portfolio){ .nall = 3, .all = h->all, .n = 2,
	    .names = h->names, .cov = h->cov, .mu = h->mu, .prev = h->prev,
	    .lo = h->lo, .hi = h->hi, .w = h->w, .cash = 0.25, .max_weight =
	    0.5, .shrink = NAN, .mu_shrink = NAN, .max_turnover = NAN,
	    .days = 30, .first = "2026-01-05", .last = "2026-02-13" };
	h->pf.count[TL_PF_RETIRED] = 1;
	strcpy(h->pf.asof, "2026-02-13");
}

Test(tl_pf_file, rows_in_name_order)
{
	struct tl_pf_named prev[] = { { "zz-gone", 0.2 }, { "a", 0.5 },
	    { "b", 0.1 }, { "aa-gone", 0.2 } };
	struct tl_err err = { 0 };
	struct tl_out *out;
	struct hand h;
	char path[512], *got;
	/* var = 0.25^2 0.04 + 0.5^2 0.09 = 0.025; a's risk share
	 * 0.25 * 0.25 * 0.04 / 0.025 = 0.1, c's 0.5 * 0.5 * 0.09 / 0.025
	 * = 0.9; the volatilities are 0.2 and 0.3 */
	const char *want =
	    "{\"strategy\":\"a\",\"weight\":0.25,\"prev_weight\":0.5,"
	    "\"change\":-0.25,\"expected_return\":0.1,\"volatility\":0.2,"
	    "\"risk_contribution\":0.1}\n"
	    "{\"strategy\":\"aa-gone\",\"weight\":0,\"prev_weight\":0.2,"
	    "\"change\":-0.2,\"expected_return\":null,\"volatility\":null,"
	    "\"risk_contribution\":0}\n"
	    "{\"strategy\":\"b\",\"weight\":0,\"prev_weight\":0.1,"
	    "\"change\":-0.1,\"expected_return\":null,\"volatility\":null,"
	    "\"risk_contribution\":0,\"status\":\"retired\",\"reason\":"
	    "\"retired\"}\n"
	    "{\"strategy\":\"c\",\"weight\":0.5,\"prev_weight\":0,"
	    "\"change\":0.5,\"expected_return\":0.2,\"volatility\":0.3,"
	    "\"risk_contribution\":0.9}\n"
	    "{\"strategy\":\"zz-gone\",\"weight\":0,\"prev_weight\":0.2,"
	    "\"change\":-0.2,\"expected_return\":null,\"volatility\":null,"
	    "\"risk_contribution\":0}\n";

	hand(&h);
	ut_path(path, sizeof(path), dir, "rows.jsonl");
	cr_assert_not_null(out = tl_out_open(path, TL_FMT_JSONL, &err));
	cr_assert_eq(tl_pf_write_rows(out, &h.pf, prev, TL_NELEM(prev),
	    &err), 0, "%s", err.msg);
	cr_assert_eq(tl_out_close(out, &err), 0);
	got = ut_read(path, NULL);
	cr_assert_str_eq(got, want);
	free(got);
}

Test(tl_pf_file, summary_figures)
{
	struct tl_pf_opts o = { .annualize = 252, .max_weight = 0.5, .max_vol =
	    NAN, .max_corr = NAN, .max_turnover = NAN, .rf = 0.01 };
	struct hand h;
	json_t *s, *act, *c;
	double r = 0.25 * 0.1 + 0.5 * 0.2, v = sqrt(0.025);

	hand(&h);
	/* (0.75)^2 / (0.25^2 + 0.5^2) = 0.5625 / 0.3125 */
	cr_assert_float_eq(tl_pf_effective_n(&h.pf), 1.8, 1e-15);
	s = tl_pf_summary(&o, &h.pf, 1);
	cr_assert_str_eq(json_string_value(json_object_get(s, "format")),
	    TL_PF_SUMMARY_FORMAT);
	cr_assert_eq(json_integer_value(json_object_get(s, "version")), 1);
	cr_assert_float_eq(json_real_value(json_object_get(s,
	    "expected_return")), r, 1e-15);
	cr_assert_float_eq(json_real_value(json_object_get(s, "volatility")),
	    v, 1e-15);
	cr_assert_float_eq(json_real_value(json_object_get(s, "sharpe")),
	    (r - 0.01) / v, 1e-13);
	/* turnover |0.25 - 0.5| + |0.5 - 0| */
	cr_assert_float_eq(json_real_value(json_object_get(s, "turnover")),
	    0.75, 1e-15);
	cr_assert(json_is_null(json_object_get(s, "shrinkage")));
	cr_assert_float_eq(json_real_value(json_object_get(s, "cash")), 0.25,
	    0);
	/* c sits at its cap 0.5, a does not */
	act = json_object_get(s, "constraints_active");
	cr_assert_eq(json_array_size(act), 1);
	c = json_array_get(act, 0);
	cr_assert_str_eq(json_string_value(json_object_get(c, "constraint")),
	    "max-weight");
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(c,
	    "strategies"), 0)), "c");
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(s,
	    "counts"), "retired")), 1);
	json_decref(s);
	s = tl_pf_summary(&o, &h.pf, 0);
	cr_assert(json_is_null(json_object_get(s, "turnover")));
	json_decref(s);
}
