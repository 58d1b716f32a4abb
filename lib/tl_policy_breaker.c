/*
 * Circuit breakers: per strategy and for the book (the sum of the
 * strategies' daily returns: tl-ingest divides every strategy's P&L by
 * one capital), a state normal, reduced or halted for every day, replayed
 * from the first day of the returns so that the state is a function of
 * the history alone.  A day halts a series when its drawdown from the
 * running peak of compounded equity is above max_dd, its rolling Sharpe
 * ratio over the last window days (annualised) is below min_sharpe, the
 * day lost more than max_loss, or, for the book, tl-regime labelled the
 * day with the crisis label (cash only).  Re-enabling has hysteresis,
 * so that a series does not flap at a limit: once no limit is crossed and the
 * drawdown is back to recover * max_dd (and the Sharpe ratio, once
 * defined, at or above min_sharpe) for recover_days days in a row, a
 * halted series is reduced; after as many more such days, normal.  Any
 * limit crossed halts it again at once.  A day without a return is a day
 * without P&L (0) from the series' first return on.  Breakers are rules,
 * not estimates: --min-obs and --max-change do not apply.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tl_json.h"
#include "tl_panel.h"
#include "tl_policy.h"
#include "tl_policy_int.h"
#include "tl_records.h"
#include "tl_util.h"

const char *const tl_brk_names[TL_BRK_NSTATE] = {
	"normal", "reduced", "halted"
};

struct breaker {
	struct tl_panel	 panel;		/* dates x strategies */
	int		*crisis;	/* per date: crisis label */
	size_t		 nused;		/* dates up to --asof */
};

void
tl_brk_init(struct tl_brk *b, long window)
{
	memset(b, 0, sizeof(*b));
	b->equity = b->peak = 1;
	b->sharpe = NAN;
	b->window = window;
	b->ring = tl_xcalloc(window > 0 ? (size_t)window : 1, sizeof(double));
}

void
tl_brk_release(struct tl_brk *b)
{
	free(b->ring);
	b->ring = NULL;
}

/* The annualised Sharpe ratio of the ring once it is full, in a fixed
 * order (oldest first), so that a rerun gives the same bits. */
static double
ring_sharpe(const struct tl_brk *b, double annualize)
{
	double m = 0, v = 0, d;
	long i, k, n = b->window;

	if (n < 2 || b->nring < n)
		return NAN;
	for (i = 0; i < n; i++)
		m += b->ring[(b->nring + i) % n];
	m /= (double)n;
	for (i = 0; i < n; i++) {
		k = (b->nring + i) % n;
		d = b->ring[k] - m;
		v += d * d;
	}
	v /= (double)(n - 1);
	return v > 0 ? m / sqrt(v) * sqrt(annualize) : NAN;
}

void
tl_brk_step(struct tl_brk *b, const struct tl_policy_opts *o, double r,
    int crisis)
{
	unsigned reasons = 0;
	int recovered;

	b->equity *= 1 + r;
	if (b->equity > b->peak)
		b->peak = b->equity;
	b->dd = b->peak > 0 ? 1 - b->equity / b->peak : 1;
	if (b->window > 0) {
		b->ring[b->nring % b->window] = r;
		b->nring++;
		if (b->nring > 2 * b->window)	/* keep the phase, bound it */
			b->nring -= b->window;
		b->sharpe = ring_sharpe(b, o->annualize);
	}
	if (b->dd > o->max_dd)
		reasons |= TL_BRK_REASON_DD;
	if (!isnan(b->sharpe) && b->sharpe < o->min_sharpe)
		reasons |= TL_BRK_REASON_SHARPE;
	if (r < -o->max_loss)
		reasons |= TL_BRK_REASON_LOSS;
	if (crisis)
		reasons |= TL_BRK_REASON_CRISIS;
	if (reasons != 0) {
		b->state = TL_BRK_HALTED;
		b->reasons = reasons;
		b->calm = 0;
		b->hdd = b->dd;
		b->hsharpe = b->sharpe;
		b->hloss = -r;
		return;
	}
	if (b->state == TL_BRK_NORMAL)
		return;
	recovered = b->dd <= o->recover * o->max_dd;
	b->calm = recovered ? b->calm + 1 : 0;
	if (b->calm >= o->recover_days) {
		b->state = b->state == TL_BRK_HALTED ? TL_BRK_REDUCED :
		    TL_BRK_NORMAL;
		b->calm = 0;
	}
}

int
tl_breaker_init(struct tl_policy *p, struct tl_err *err)
{
	const struct tl_policy_opts *o = p->o;

	if (!(o->max_dd > 0 && o->max_dd < 1) || !(o->max_loss > 0) ||
	    !(o->recover > 0 && o->recover <= 1) || o->recover_days < 1 ||
	    o->window < 0 || o->window == 1)
		return tl_err_set(err, TL_EX_USAGE, NULL, 0, "breaker limits: "
		    "need 0 < --max-drawdown < 1, --max-daily-loss > 0, 0 < "
		    "--recover <= 1, --recover-days >= 1, --window 0 or >= 2");
	p->eng = tl_xcalloc(1, sizeof(struct breaker));
	tl_pgroups_init(&p->gs, 1);
	return 0;
}

/* Read opts.regimes: the dates labelled crisis. */
static int
read_regimes(struct tl_policy *p, struct breaker *b, struct tl_err *err)
{
	struct tl_records *rs;
	const char *date, *label;
	json_t *rec = NULL;
	long t;
	int rc;

	b->crisis = tl_xcalloc(b->panel.ndates + 1, sizeof(int));
	if (p->o->regimes == NULL)
		return 0;
	if ((rs = tl_records_open(p->o->regimes, TL_FMT_AUTO, err)) == NULL)
		return -1;
	while ((rc = tl_records_next(rs, &rec, err)) == 1) {
		if ((rc = tl_json_get_string(rec, "date", &date,
		    tl_records_name(rs), tl_records_line(rs), err)) == 1)
			rc = tl_json_get_string(rec, "label", &label,
			    tl_records_name(rs), tl_records_line(rs), err);
		if (rc == 0)
			tl_err_set(err, TL_EX_DATAERR, tl_records_name(rs),
			    tl_records_line(rs), "field '%s': missing",
			    json_object_get(rec, "date") == NULL ? "date" :
			    "label");
		if (rc != 1) {
			rc = -1;
			break;
		}
		if ((t = tl_panel_date(&b->panel, date)) >= 0 &&
		    strcmp(label, p->o->crisis) == 0)
			b->crisis[t] = 1;
		json_decref(rec);
		rec = NULL;
	}
	json_decref(rec);
	tl_records_free(rs);
	return rc == -1 ? -1 : 0;
}

int
tl_breaker_read(struct tl_policy *p, char *const *paths, int npaths,
    struct tl_err *err)
{
	struct breaker *b = p->eng;
	struct tl_panel_opts po = { 0 };
	int64_t days;
	size_t t;

	if (tl_panel_read(&b->panel, paths, npaths, &po, err) == -1)
		return -1;
	for (t = 0; t < b->panel.ndates; t++) {
		tl_panel_date_days(b->panel.dates[t], &days);
		if (days * 86400000LL >= p->asof_end)
			continue;
		b->nused = t + 1;
		p->tmax = days * 86400000LL;
		p->seen = 1;
	}
	for (t = 0; t < b->panel.ndates * b->panel.nseries; t++)
		if (!isnan(b->panel.x[t])) {
			p->cnt.rows++;
			if (t / b->panel.nseries < b->nused)
				p->cnt.used++;
			else
				p->cnt.after_asof++;
		}
	return read_regimes(p, b, err);
}

static json_t *
reasons_json(const struct tl_brk *b, const struct tl_policy_opts *o)
{
	char buf[160];
	json_t *a = json_array();

	if (b->state == TL_BRK_NORMAL)
		json_array_append_new(a, json_string("no limit crossed"));
	if (b->state == TL_BRK_REDUCED) {
		snprintf(buf, sizeof(buf), "recovering: drawdown %.4g <= %.4g "
		    "for %ld days", b->dd, o->recover * o->max_dd,
		    o->recover_days);
		json_array_append_new(a, json_string(buf));
	}
	if (b->state != TL_BRK_HALTED)
		return a;
	if (b->reasons & TL_BRK_REASON_DD) {
		snprintf(buf, sizeof(buf), "drawdown %.4g > %.4g", b->hdd,
		    o->max_dd);
		json_array_append_new(a, json_string(buf));
	}
	if (b->reasons & TL_BRK_REASON_SHARPE) {
		snprintf(buf, sizeof(buf), "rolling Sharpe %.4g < %.4g over "
		    "%ld days", b->hsharpe, o->min_sharpe, o->window);
		json_array_append_new(a, json_string(buf));
	}
	if (b->reasons & TL_BRK_REASON_LOSS) {
		snprintf(buf, sizeof(buf), "daily loss %.4g > %.4g", b->hloss,
		    o->max_loss);
		json_array_append_new(a, json_string(buf));
	}
	if (b->reasons & TL_BRK_REASON_CRISIS) {
		snprintf(buf, sizeof(buf), "regime '%s': cash only",
		    o->crisis);
		json_array_append_new(a, json_string(buf));
	}
	if (b->calm > 0) {
		snprintf(buf, sizeof(buf), "recovering for %ld of %ld days",
		    b->calm, o->recover_days);
		json_array_append_new(a, json_string(buf));
	}
	return a;
}

/* Replay series j (the book when j == nseries) and write its entry into
 * groups (or "book" of pol) and its facts. */
static void
replay(struct tl_policy *p, size_t j, json_t *pol, json_t *facts)
{
	const struct tl_policy_opts *o = p->o;
	struct breaker *bk = p->eng;
	const struct tl_panel *pn = &bk->panel;
	int book = j == pn->nseries;
	enum tl_brk_state was;
	const char *since = NULL;
	struct tl_brk b;
	json_t *f, *e, *rs = NULL;
	size_t t, k, first = 0, days = 0;
	double r = 0, x;

	if (!book)
		while (first < bk->nused && isnan(pn->x[first * pn->nseries +
		    j]))
			first++;
	tl_brk_init(&b, o->window);
	for (t = first; t < bk->nused; t++) {
		if (book)
			for (r = 0, k = 0; k < pn->nseries; k++) {
				x = pn->x[t * pn->nseries + k];
				r += isnan(x) ? 0 : x;
			}
		else
			r = isnan(x = pn->x[t * pn->nseries + j]) ? 0 : x;
		was = b.state;
		tl_brk_step(&b, o, r, book && bk->crisis[t]);
		days++;
		if (t == first || b.state != was)
			since = pn->dates[t];
		if (b.state != was) {
			f = json_pack("{s:s,s:s}", "policy", "breaker", "scope",
			    "transition");
			if (book)
				json_object_set_new(f, "book", json_true());
			else
				json_object_set_new(f, "strategy",
				    json_string(pn->names[j]));
			json_object_set_new(f, "date", json_string(
			    pn->dates[t]));
			json_object_set_new(f, "from", json_string(
			    tl_brk_names[was]));
			json_object_set_new(f, "to", json_string(
			    tl_brk_names[b.state]));
			json_object_set_new(f, "reasons", reasons_json(&b,
			    o));
			json_array_append_new(facts, f);
		}
	}
	rs = reasons_json(&b, o);
	e = json_pack("{s:s,s:s}", "state", tl_brk_names[b.state],
	    "fallback", tl_brk_names[b.state == TL_BRK_NORMAL ?
	    TL_BRK_REDUCED : b.state]);
	f = json_pack("{s:s,s:s}", "policy", "breaker", "scope", book ?
	    "book" : "strategy");
	if (!book)
		json_object_set_new(f, "strategy", json_string(pn->names[j]));
	json_object_set_new(f, "state", json_string(tl_brk_names[b.state]));
	if (since != NULL) {
		json_object_set_new(e, "since", json_string(since));
		json_object_set_new(f, "since", json_string(since));
	}
	json_object_set(e, "reasons", rs);
	json_object_set_new(f, "reasons", rs);
	json_object_set_new(f, "days", json_integer((json_int_t)days));
	json_object_set_new(f, "drawdown", tl_pnum(b.dd));
	json_object_set_new(f, "sharpe", tl_pnum(b.sharpe));
	json_object_set_new(f, "last_return", tl_pnum(days > 0 ? r : NAN));
	json_array_append_new(facts, f);
	if (book)
		json_object_set_new(pol, "book", e);
	else
		json_object_set_new(json_object_get(pol, "groups"),
		    pn->names[j], e);
	p->cnt.groups++;
	if (b.state == TL_BRK_HALTED)
		p->cnt.halted++;
	if (b.state == TL_BRK_REDUCED)
		p->cnt.reduced++;
	if (b.state == TL_BRK_NORMAL)
		p->cnt.normal++;
	tl_brk_release(&b);
}

int
tl_breaker_finish(struct tl_policy *p, json_t *pol, json_t *facts,
    struct tl_err *err)
{
	const struct tl_policy_opts *o = p->o;
	struct breaker *b = p->eng;
	size_t j;

	(void)err;
	json_object_clear(json_object_get(pol, "settings"));
	tl_policy_settings(pol, json_pack("{s:f,s:f,s:I,s:f,s:f,s:s,s:f,s:I}",
	    "max_drawdown", o->max_dd, "min_sharpe", o->min_sharpe, "window",
	    (json_int_t)o->window, "annualize", o->annualize,
	    "max_daily_loss", o->max_loss, "crisis", o->crisis, "recover",
	    o->recover, "recover_days", (json_int_t)o->recover_days));
	json_object_set_new(pol, "book", json_null());	/* its place */
	json_object_set_new(pol, "groups", json_object());
	replay(p, b->panel.nseries, pol, facts);
	for (j = 0; j < b->panel.nseries; j++)
		if (tl_policy_retired(p, b->panel.names[j]) == NULL)
			replay(p, j, pol, facts);
		else	/* in the book above, the history it is */
			p->cnt.retired++;
	return 0;
}

void
tl_breaker_release(struct tl_policy *p)
{
	struct breaker *b = p->eng;

	tl_panel_free(&b->panel);
	free(b->crisis);
	free(b);
	p->eng = NULL;
}
