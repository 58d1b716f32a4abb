/* Unit tests for lib/tl_churn: the --churn spec and the plans drawn. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tl_churn.h"
#include "tl_err.h"
#include "tl_rng.h"

static void
init(void)
{
	tl_init("tl-test");
}

TestSuite(tl_churn, .init = init);

static void
spec_set(struct tl_churn_spec *sp, long late, long pause, long retire,
    long rename)
{
	sp->n[TL_CHURN_LATE] = late;
	sp->n[TL_CHURN_PAUSE] = pause;
	sp->n[TL_CHURN_RETIRE] = retire;
	sp->n[TL_CHURN_RENAME] = rename;
}

Test(tl_churn, spec_defaults_scale_late_starters)
{
	static const struct {
		size_t	ns;
		long	late;	/* a tenth, rounded half up, at least 1 */
	} c[] = { { 1, 1 }, { 4, 1 }, { 14, 1 }, { 15, 2 }, { 20, 2 },
		{ 25, 3 }, { 200, 20 } };
	struct tl_churn_spec sp;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		tl_churn_spec_default(&sp, c[i].ns);
		cr_assert_eq(sp.n[TL_CHURN_LATE], c[i].late, "ns %zu",
		    c[i].ns);
		cr_assert_eq(sp.n[TL_CHURN_PAUSE], 1);
		cr_assert_eq(sp.n[TL_CHURN_RETIRE], 1);
		cr_assert_eq(sp.n[TL_CHURN_RENAME], 1);
	}
	cr_assert_str_eq(tl_churn_keys[TL_CHURN_LATE], "late");
	cr_assert_str_eq(tl_churn_keys[TL_CHURN_RENAME], "rename");
}

Test(tl_churn, spec_parse_overrides_given_keys_only)
{
	struct tl_err err = { 0 };
	struct tl_churn_spec sp;

	spec_set(&sp, 2, 1, 1, 1);
	cr_assert_eq(tl_churn_spec_parse(&sp, "rename=0,late=7", &err), 0);
	cr_assert_eq(sp.n[TL_CHURN_LATE], 7);
	cr_assert_eq(sp.n[TL_CHURN_PAUSE], 1);
	cr_assert_eq(sp.n[TL_CHURN_RETIRE], 1);
	cr_assert_eq(sp.n[TL_CHURN_RENAME], 0);
	cr_assert_eq(tl_churn_spec_parse(&sp, "pause=3,retire=100000", &err),
	    0);
	cr_assert_eq(sp.n[TL_CHURN_PAUSE], 3);
	cr_assert_eq(sp.n[TL_CHURN_RETIRE], 100000);
}

Test(tl_churn, spec_parse_errors)
{
	static const struct {
		const char	*spec;
		const char	*msg;
	} c[] = {
		{ "", "'' is not key=N (keys: late, pause, retire, rename)" },
		{ "late", "'late' is not key=N (keys: late, pause, retire, "
		    "rename)" },
		{ "late=1,", "'' is not key=N (keys: late, pause, retire, "
		    "rename)" },
		{ "Late=1", "unknown key 'Late' (keys: late, pause, retire, "
		    "rename)" },
		{ "pause=1,pause=2", "'pause' given twice" },
		{ "retire=x", "retire: 'x' is not an integer in [0, 100000]" },
		{ "late=-1", "late: '-1' is not an integer in [0, 100000]" },
		{ "rename=100001", "rename: '100001' is not an integer in "
		    "[0, 100000]" },
		{ "late=2=3", "late: '2=3' is not an integer in [0, 100000]" },
	};
	struct tl_err err;
	struct tl_churn_spec sp;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(&err, 0, sizeof(err));
		spec_set(&sp, 2, 1, 1, 1);
		cr_assert_eq(tl_churn_spec_parse(&sp, c[i].spec, &err), -1,
		    "%s", c[i].spec);
		cr_assert_eq(err.code, TL_EX_USAGE);
		cr_assert_str_eq(err.where, "--churn");
		cr_assert_str_eq(err.msg, c[i].msg, "%s: %s", c[i].spec,
		    err.msg);
	}
}

Test(tl_churn, spec_check)
{
	struct tl_err err = { 0 };
	struct tl_churn_spec sp;

	spec_set(&sp, 2, 1, 1, 1);
	cr_assert_eq(tl_churn_spec_check(&sp, 20, 14, 120, &err), 0);
	cr_assert_eq(tl_churn_spec_check(&sp, 6, 3, 30, &err), 0);
	cr_assert_eq(tl_churn_spec_check(&sp, 20, 14, 29, &err), -1);
	cr_assert_eq(err.code, TL_EX_USAGE);
	cr_assert_str_eq(err.where, "--churn");
	cr_assert_str_eq(err.msg, "needs --days 30 or more (a pause of 10 "
	    "trading days lies in the middle third)");
	cr_assert_eq(tl_churn_spec_check(&sp, 5, 5, 60, &err), -1);
	cr_assert_str_eq(err.msg, "5 churned strategies need --strategies 6 "
	    "or more (one keeps trading throughout)");
	cr_assert_eq(tl_churn_spec_check(&sp, 20, 2, 60, &err), -1);
	cr_assert_str_eq(err.msg, "late=2 and retire=1 need 3 strategies "
	    "that are never promoted; 2 of 20 are (raise --strategies)");
	spec_set(&sp, 0, 0, 0, 0);	/* nothing to plant: any size */
	cr_assert_eq(tl_churn_spec_check(&sp, 1, 0, 1, &err), 0);
	spec_set(&sp, 0, 0, 0, 1);
	cr_assert_eq(tl_churn_spec_check(&sp, 1, 1, 60, &err), -1);
	cr_assert_str_eq(err.msg, "1 churned strategy need --strategies 2 "
	    "or more (one keeps trading throughout)");
}

/* Every property of a plan that tl_churn.h promises, for one case. */
static void
check_plan(const struct tl_churn_spec *sp, size_t ns, size_t nd,
    unsigned long seed)
{
	struct tl_err err = { 0 };
	const struct tl_churn_role *ro;
	const struct tl_churn_event *ev;
	struct tl_churn *c;
	unsigned char *elig;
	size_t i, d, k, n, nev, *v, cnt[TL_CHURN_NKIND] = { 0 };
	size_t mid_lo = nd / 3, mid_hi = 2 * nd / 3;
	size_t end_lo = (3 * nd + 3) / 4, end_hi = nd - 1 - TL_CHURN_TAIL;
	gsl_rng *r;
	int changed;

	elig = calloc(ns, 1);
	cr_assert_not_null(elig);
	for (i = 0; i < ns; i++)
		elig[i] = i % 3 != 1;	/* a third are "promoted" */
	r = tl_rng_alloc(seed, 0);
	c = tl_churn_alloc(sp, ns, nd, elig, r, &err);
	cr_assert_not_null(c, "%s", err.msg);
	for (i = 0; i < ns; i++) {
		ro = tl_churn_role(c, i);
		if (ro->kind == TL_CHURN_NONE) {
			for (d = 0; d < nd; d++)
				cr_assert(tl_churn_live(c, i, d));
			cr_assert_eq(tl_churn_exit_limit(c, i, 0), nd - 1);
			continue;
		}
		cnt[ro->kind]++;
		if (ro->kind == TL_CHURN_LATE || ro->kind == TL_CHURN_RETIRE)
			cr_assert(elig[i], "strategy %zu not eligible", i);
		if (ro->kind == TL_CHURN_LATE) {
			cr_assert(ro->day >= mid_lo && ro->day < mid_hi);
			cr_assert(!tl_churn_live(c, i, ro->day - 1));
			cr_assert(tl_churn_live(c, i, ro->day));
			cr_assert(tl_churn_live(c, i, nd - 1));
		} else if (ro->kind == TL_CHURN_PAUSE) {
			cr_assert_eq(ro->until, ro->day + TL_CHURN_PAUSE_DAYS -
			    1);
			cr_assert(ro->day >= mid_lo && ro->until < mid_hi);
			cr_assert(tl_churn_live(c, i, ro->day - 1));
			for (d = ro->day; d <= ro->until; d++)
				cr_assert(!tl_churn_live(c, i, d));
			cr_assert(tl_churn_live(c, i, ro->until + 1));
			cr_assert_eq(tl_churn_exit_limit(c, i, ro->day - 3),
			    ro->day - 1);
			cr_assert_eq(tl_churn_exit_limit(c, i, ro->until + 1),
			    nd - 1);
		} else {
			cr_assert(ro->day >= end_lo && ro->day <= end_hi,
			    "day %zu not in [%zu, %zu]", ro->day, end_lo,
			    end_hi);
			cr_assert_eq(ro->until, ro->day);
		}
		if (ro->kind == TL_CHURN_RETIRE) {
			cr_assert(tl_churn_live(c, i, ro->day));
			cr_assert(!tl_churn_live(c, i, ro->day + 1));
			cr_assert_eq(tl_churn_exit_limit(c, i, ro->day - 2),
			    ro->day);
		}
		if (ro->kind == TL_CHURN_RENAME) {
			cr_assert(tl_churn_live(c, i, 0));
			cr_assert(tl_churn_live(c, i, nd - 1));
		}
	}
	for (k = 0; k < TL_CHURN_NKIND; k++)
		cr_assert_eq(cnt[k], (size_t)sp->n[k], "kind %zu", k);
	/* late starters: the k-th by day lies in the k-th slice */
	v = tl_churn_with_role(c, TL_CHURN_LATE, &n);
	cr_assert_eq(n, (size_t)sp->n[TL_CHURN_LATE]);
	for (k = 0; k < n; k++) {
		d = tl_churn_role(c, v[k])->day;
		cr_assert(d >= mid_lo + k * (mid_hi - mid_lo) / n, "late %zu",
		    k);
		if ((k + 1) * (mid_hi - mid_lo) / n > k * (mid_hi - mid_lo) /
		    n)
			cr_assert(d < mid_lo + (k + 1) * (mid_hi - mid_lo) /
			    n);
		if (k > 0)
			cr_assert_geq(d, tl_churn_role(c, v[k - 1])->day);
	}
	free(v);
	/* renames: seq in the order of day, then index */
	v = tl_churn_with_role(c, TL_CHURN_RENAME, &n);
	for (k = 0; k < n; k++) {
		cr_assert_eq(tl_churn_role(c, v[k])->seq, k);
		if (k > 0)
			cr_assert(tl_churn_role(c, v[k - 1])->day <
			    tl_churn_role(c, v[k])->day || (tl_churn_role(c,
			    v[k - 1])->day == tl_churn_role(c, v[k])->day &&
			    v[k - 1] < v[k]));
	}
	free(v);
	/* the events are exactly the liveness changes, in order */
	ev = tl_churn_events(c, &nev);
	for (k = 0, d = 1; d < nd; d++)
		for (i = 0; i < ns; i++) {
			changed = tl_churn_live(c, i, d) !=
			    tl_churn_live(c, i, d - 1);
			if (!changed)
				continue;
			cr_assert_lt(k, nev);
			cr_assert_eq(ev[k].day, d);
			cr_assert_eq(ev[k].strategy, i);
			k++;
		}
	cr_assert_eq(k, nev);
	tl_churn_free(c);
	tl_rng_free(r);
	free(elig);
}

Test(tl_churn, plans_keep_their_promises)
{
	static const size_t nds[] = { 30, 31, 47, 60, 120, 251 };
	static const size_t nss[] = { 6, 20, 61 };
	struct tl_churn_spec sp;
	size_t a, b;
	unsigned long seed;

	for (a = 0; a < sizeof(nds) / sizeof(nds[0]); a++)
		for (b = 0; b < sizeof(nss) / sizeof(nss[0]); b++)
			for (seed = 1; seed <= 20; seed++) {
				tl_churn_spec_default(&sp, nss[b]);
				if (nss[b] > 6)
					spec_set(&sp, (long)(seed % 5), 2, 3,
					    (long)(seed % 4));
				check_plan(&sp, nss[b], nds[a], seed);
			}
	tl_churn_free(NULL);
}

/* The plan as text, to compare two draws. */
static void
plan_text(char *buf, size_t sz, unsigned long seed, size_t ns)
{
	struct tl_err err = { 0 };
	struct tl_churn_spec sp;
	const struct tl_churn_role *ro;
	struct tl_churn *c;
	unsigned char elig[40];
	size_t i, n = 0;
	gsl_rng *r;

	memset(elig, 1, sizeof(elig));
	tl_churn_spec_default(&sp, ns);
	r = tl_rng_alloc(seed, 0);
	c = tl_churn_alloc(&sp, ns, 120, elig, r, &err);
	cr_assert_not_null(c);
	buf[0] = '\0';
	for (i = 0; i < ns && n < sz; i++) {
		ro = tl_churn_role(c, i);
		n += (size_t)snprintf(buf + n, sz - n, "%d:%zu:%zu ", ro->kind,
		    ro->day, ro->until);
	}
	tl_churn_free(c);
	tl_rng_free(r);
}

Test(tl_churn, same_seed_same_plan)
{
	char a[2048], b[2048], x[2048];

	plan_text(a, sizeof(a), 2385, 40);
	plan_text(b, sizeof(b), 2385, 40);
	plan_text(x, sizeof(x), 2386, 40);
	cr_assert_str_eq(a, b);
	cr_assert_str_neq(a, x);
}

Test(tl_churn, alloc_refuses_a_spec_that_does_not_fit)
{
	struct tl_err err = { 0 };
	struct tl_churn_spec sp;
	unsigned char elig[10] = { 1, 1, 0, 0, 0, 0, 0, 0, 0, 0 };
	gsl_rng *r;

	spec_set(&sp, 2, 1, 1, 1);
	r = tl_rng_alloc(7, 0);
	cr_assert_null(tl_churn_alloc(&sp, 10, 60, elig, r, &err));
	cr_assert_eq(err.code, TL_EX_USAGE);
	cr_assert_str_eq(err.msg, "late=2 and retire=1 need 3 strategies "
	    "that are never promoted; 2 of 10 are (raise --strategies)");
	tl_rng_free(r);
}
