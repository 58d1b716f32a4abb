/*
 * tl_bandit_credit: records folded into a state by hand-computed credit
 * (shares, votes, flags), the day's discount (gamma^days), a context
 * file, dotted fields and the refusals.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_bandit_credit.h"
#include "tl_util.h"
#include "unit.h"

UT_SCRATCH_DIR();
TestSuite(tl_bandit_credit, .init = ut_setup, .fini = ut_teardown);

/* A fresh beta state of spec, prior (1, 1), reward "win", time "date",
 * no P&L field unless pnl. */
static void
fresh(struct tl_bandit_state *st, const char *spec, const char *pnl)
{
	struct tl_err err = { 0 };

	tl_bandit_state_init(st);
	cr_assert_eq(tl_bandit_spec_parse(st, spec, &err), 0, "%s", err.msg);
	st->reward = tl_xstrdup("win");
	st->time = tl_xstrdup("date");
	st->pnl = pnl != NULL ? tl_xstrdup(pnl) : NULL;
	st->model = TL_BANDIT_BETA;
	st->prior[0] = st->prior[1] = 1;
}

static int
feed(struct tl_bandit_upd *u, const char *json, struct tl_err *err)
{
	u->name = "t.jsonl";
	u->line++;
	cr_assert_eq(tl_jdoc_parse(&u->doc, json, strlen(json), u->name,
	    u->line, err), 0);
	return tl_bandit_upd_record(u, err);
}

/* Scores 3 and 1 of a winning trade: credit 3/4 and 1/4; the P&L too. */
Test(tl_bandit_credit, share_by_score)
{
	struct tl_bandit_state st;
	struct tl_bandit_upd u;
	struct tl_err err = { 0 };

	fresh(&st, "share:comp", "pnl");
	tl_bandit_upd_init(&u, &st);
	cr_assert_eq(feed(&u, "{\"win\":1,\"comp\":{\"a\":3,\"b\":1},"
	    "\"pnl\":-2}", &err), 0, "%s", err.msg);
	cr_assert_eq(st.narm, 2);
	cr_assert_str_eq(st.arm[0].name, "a");
	cr_assert_float_eq(st.arm[0].pooled.e[0], 0.75, 1e-15);
	cr_assert_float_eq(st.arm[0].pooled.e[1], 0, 0);
	cr_assert_float_eq(st.arm[1].pooled.e[0], 0.25, 1e-15);
	cr_assert_float_eq(st.arm[1].pooled.p[1], -0.5, 1e-15);
	cr_assert_float_eq(st.base.pooled.e[0], 1, 0);
	cr_assert_float_eq(st.base.pooled.p[2], 4, 0);
	cr_assert_float_eq(u.n, 1, 0);
	/* a negative score is refused at its record */
	cr_assert_eq(feed(&u, "{\"win\":1,\"comp\":{\"a\":-1}}", &err), -1);
	cr_assert_eq(err.code, TL_EX_DATAERR);
	cr_assert_str_eq(err.where, "t.jsonl:2");
	cr_assert_str_eq(err.msg, "field 'comp.a': a score must be a number "
	    ">= 0");
	tl_bandit_upd_release(&u);
	tl_bandit_state_release(&st);
}

/* A plain field of votes resolves to votes; a losing trade credits the
 * reject (1 - r = 1) and blames the approve; an abstain makes no arm. */
Test(tl_bandit_credit, votes_resolved_from_the_first_record)
{
	struct tl_bandit_state st;
	struct tl_bandit_upd u;
	struct tl_err err = { 0 };

	fresh(&st, "v", NULL);
	tl_bandit_upd_init(&u, &st);
	cr_assert_eq(feed(&u, "{\"win\":false,\"v\":{\"x\":\"approve\","
	    "\"y\":\"reject\",\"z\":\"abstain\"}}", &err), 0, "%s", err.msg);
	cr_assert_eq(st.kind, TL_BANDIT_VOTES);
	cr_assert_eq(st.narm, 2);
	cr_assert_float_eq(st.arm[0].pooled.e[0], 0, 0);
	cr_assert_float_eq(st.arm[0].pooled.e[1], 1, 0);
	cr_assert_float_eq(st.arm[1].pooled.e[0], 1, 0);
	cr_assert_float_eq(st.arm[1].pooled.e[1], 0, 0);
	cr_assert_eq(feed(&u, "{\"win\":1,\"v\":{\"x\":\"maybe\"}}", &err),
	    -1);
	cr_assert_str_eq(err.msg, "field 'v.x': a vote must be approve, "
	    "reject or abstain");
	tl_bandit_upd_release(&u);
	tl_bandit_state_release(&st);
}

/* Flags: 1 and true credit in full, 0 and false not; a closed state
 * refuses a new arm. */
Test(tl_bandit_credit, flags_and_closed_arms)
{
	struct tl_bandit_state st;
	struct tl_bandit_upd u;
	struct tl_err err = { 0 };

	fresh(&st, "flags:sig", NULL);
	tl_bandit_upd_init(&u, &st);
	cr_assert_eq(feed(&u, "{\"win\":0.5,\"sig\":{\"a\":1,\"b\":0,"
	    "\"c\":true}}", &err), 0, "%s", err.msg);
	cr_assert_eq(st.narm, 2);	/* a and c */
	cr_assert_str_eq(st.arm[1].name, "c");
	cr_assert_float_eq(st.arm[1].pooled.e[0], 0.5, 0);
	cr_assert_float_eq(st.arm[1].pooled.e[1], 0.5, 0);
	u.closed = 1;
	cr_assert_eq(feed(&u, "{\"win\":1,\"sig\":{\"d\":1}}", &err), -1);
	cr_assert_str_eq(err.msg, "field 'sig': unknown arm 'd' (not in the "
	    "state or -N; -A adds new arms)");
	cr_assert_eq(feed(&u, "{\"win\":2,\"sig\":{\"a\":1}}", &err), -1);
	cr_assert_str_eq(err.msg, "field 'win': reward 2 is outside [0, 1] "
	    "for --family beta (--family normal for returns)");
	tl_bandit_upd_release(&u);
	tl_bandit_state_release(&st);
}

/* Discount 0.5 a day: a win on day 1 weighs 0.25 by day 3, where a
 * second win adds 1 (Raj & Kalyani 2017): s = 1.25.  An older record
 * after a newer one counts 0.5^2 at once. */
Test(tl_bandit_credit, discount_by_day)
{
	struct tl_bandit_state st;
	struct tl_bandit_upd u;
	struct tl_err err = { 0 };

	fresh(&st, "value:arm", NULL);
	st.discount = 0.5;
	tl_bandit_upd_init(&u, &st);
	cr_assert_eq(feed(&u, "{\"date\":\"2024-01-01\",\"arm\":\"a\","
	    "\"win\":1}", &err), 0, "%s", err.msg);
	cr_assert_eq(feed(&u, "{\"date\":\"2024-01-03\",\"arm\":\"a\","
	    "\"win\":1}", &err), 0, "%s", err.msg);
	cr_assert_float_eq(st.arm[0].pooled.e[0], 1.25, 1e-15);
	cr_assert_float_eq(st.arm[0].pooled.n, 2, 0);
	cr_assert_eq(feed(&u, "{\"date\":\"2024-01-01\",\"arm\":\"a\","
	    "\"win\":0}", &err), 0, "%s", err.msg);
	cr_assert_float_eq(st.arm[0].pooled.e[1], 0.25, 1e-15);
	cr_assert_eq(feed(&u, "{\"arm\":\"a\",\"win\":0}", &err), -1);
	cr_assert_str_eq(err.msg, "field 'date': missing (--discount needs "
	    "the date)");
	tl_bandit_upd_release(&u);
	tl_bandit_state_release(&st);
}

/* A combo arm joins its fields' values with '+'; a context file maps the
 * record's date to its label. */
Test(tl_bandit_credit, combo_and_context_file)
{
	struct tl_bandit_state st;
	struct tl_bandit_upd u;
	struct tl_err err = { 0 };
	const struct tl_bandit_ev *e;
	char path[512];

	fresh(&st, "combo:symbol,side", NULL);
	st.ctxfile = 1;
	tl_bandit_upd_init(&u, &st);
	ut_write_str(ut_path(path, sizeof(path), dir, "ctx.jsonl"),
	    "{\"date\":\"2024-01-01\",\"label\":\"bull\"}\n"
	    "{\"date\":\"2024-01-02\",\"label\":2}\n");
	cr_assert_eq(tl_bandit_upd_ctxfile(&u, path, &err), 0, "%s", err.msg);
	cr_assert_eq(st.nctx, 2);
	cr_assert_str_eq(st.ctxname[1], "2");
	cr_assert_eq(feed(&u, "{\"date\":\"2024-01-02T10:00:00Z\",\"symbol\":"
	    "\"BTC\",\"side\":\"long\",\"win\":1}", &err), 0, "%s", err.msg);
	cr_assert_str_eq(st.arm[0].name, "BTC+long");
	e = tl_bandit_arm_ctx_get(&st.arm[0], 1);
	cr_assert_not_null(e);
	cr_assert_float_eq(e->e[0], 1, 0);
	e = tl_bandit_arm_ctx_get(&st.arm[0], 0);	/* "bull": nothing */
	cr_assert(e == NULL || e->n == 0);
	cr_assert_eq(feed(&u, "{\"date\":\"2024-01-05\",\"symbol\":\"BTC\","
	    "\"side\":\"long\",\"win\":1}", &err), 0, "%s", err.msg);
	cr_assert_float_eq(u.noctx, 1, 0);	/* no label that day */
	ut_write_str(path, "{\"date\":\"2024-01-01\",\"label\":\"a\"}\n"
	    "{\"date\":\"2024-01-01\",\"label\":\"b\"}\n");
	cr_assert_eq(tl_bandit_upd_ctxfile(&u, path, &err), -1);
	cr_assert_str_eq(err.msg, "date '2024-01-01' has two labels");
	tl_bandit_upd_release(&u);
	tl_bandit_state_release(&st);
}

/* The member named "a.b" before the path a -> b; null is absent. */
Test(tl_bandit_credit, dotted_fields)
{
	struct tl_jdoc d;
	struct tl_err err = { 0 };
	const char *j1 = "{\"a\":{\"b\":5},\"n\":null}",
	    *j2 = "{\"a.b\":1,\"a\":{\"b\":5}}";

	tl_jdoc_init(&d);
	cr_assert_eq(tl_jdoc_parse(&d, j1, strlen(j1), "x", 1, &err), 0);
	cr_assert_float_eq(tl_bandit_field(&d, "a.b")->num, 5, 0);
	cr_assert_null(tl_bandit_field(&d, "a.c"));
	cr_assert_null(tl_bandit_field(&d, "n"));
	cr_assert_null(tl_bandit_field(&d, "n.x"));
	cr_assert_eq(tl_jdoc_parse(&d, j2, strlen(j2), "x", 1, &err), 0);
	cr_assert_float_eq(tl_bandit_field(&d, "a.b")->num, 1, 0);
	tl_jdoc_release(&d);
}
