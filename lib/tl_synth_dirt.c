/*
 * Dirt of a synthetic log (tl_synth_dirt.h).  Whether a trade's decision
 * line was damaged is kept for the decisions of the last NDAY days: a
 * trade closes at most TL_SYNTH_MAX_HOLD_DAYS after its decision.
 */
#include <stdlib.h>
#include <string.h>

#include "tl_rng.h"
#include "tl_synth.h"
#include "tl_synth_dirt.h"
#include "tl_synth_draw.h"
#include "tl_util.h"

#define NDAY		(TL_SYNTH_MAX_HOLD_DAYS + 1)	/* days kept */
#define CONFLICT_CENTS	5000	/* a conflicting pnl is off by 0.01..50 */

const char *const tl_synth_dirt_names[TL_SYNTH_NDIRT] = { "missing_field",
	"duplicate", "conflict", "wrong_type", "variant_ts", "variant_case",
	"orphan", "truncated" };

/* What a line of each kind is: rejected by a reader (damaging), and
 * what follows it (TL_SYNTH_AGAIN_*). */
static const struct {
	unsigned char	 damaging;	/* a reader rejects the line */
	unsigned char	 again;		/* what tl_synth_dirt_again says */
} kinds[TL_SYNTH_NDIRT] = {
	[TL_SYNTH_D_MISSING] = { 1, TL_SYNTH_AGAIN_NONE },
	[TL_SYNTH_D_DUPLICATE] = { 0, TL_SYNTH_AGAIN_SAME },
	[TL_SYNTH_D_CONFLICT] = { 0, TL_SYNTH_AGAIN_OTHER },
	[TL_SYNTH_D_WRONG_TYPE] = { 1, TL_SYNTH_AGAIN_NONE },
	[TL_SYNTH_D_VARIANT_TS] = { 0, TL_SYNTH_AGAIN_NONE },
	[TL_SYNTH_D_VARIANT_CASE] = { 0, TL_SYNTH_AGAIN_NONE },
	[TL_SYNTH_D_ORPHAN] = { 0, TL_SYNTH_AGAIN_OTHER },
	[TL_SYNTH_D_TRUNCATED] = { 1, TL_SYNTH_AGAIN_NONE },
};

/* The kinds each line may be drawn from, in the order of the draw. */
static const int dec_draw[] = { TL_SYNTH_D_MISSING, TL_SYNTH_D_DUPLICATE,
	TL_SYNTH_D_VARIANT_TS, TL_SYNTH_D_VARIANT_CASE };
static const int trade_draw[] = { TL_SYNTH_D_MISSING, TL_SYNTH_D_DUPLICATE,
	TL_SYNTH_D_CONFLICT, TL_SYNTH_D_WRONG_TYPE, TL_SYNTH_D_VARIANT_TS,
	TL_SYNTH_D_VARIANT_CASE, TL_SYNTH_D_ORPHAN };

/* The fields a missing_field trade line may lack. */
static const int trade_req[] = { TL_SYNTH_TF_ID, TL_SYNTH_TF_STRATEGY,
	TL_SYNTH_TF_SYMBOL, TL_SYNTH_TF_EXIT_TS, TL_SYNTH_TF_PNL };

/* Other spellings of an action (buy, sell, hold) and a side (long,
 * short) that a reader must take. */
static const char *const dec_verbs[3][4] = {
	{ "BUY", "Buy", "long", "Long" },
	{ "SELL", "Sell", "short", "Short" },
	{ "HOLD", "Hold", "HOLD", "Hold" },
};
static const char *const side_verbs[2][4] = {
	{ "Long", "LONG", "buy", "Buy" },
	{ "Short", "SHORT", "sell", "Sell" },
};

/* Whether each decision of a day was damaged. */
struct dayflags {
	size_t		 day;		/* the day, if n > 0 */
	uint64_t	 first;		/* the number of its first decision */
	unsigned char	*bad;		/* one per decision */
	size_t		 n;		/* used */
	size_t		 cap;		/* allocated */
};

struct tl_synth_dirt {
	gsl_rng		*r;		/* the dirt stream */
	double		 rate;		/* share of dirty lines */
	struct tl_synth_tally t;	/* what was written */
	struct dayflags	 days[NDAY];	/* by day % NDAY */
};

struct tl_synth_dirt *
tl_synth_dirt_alloc(uint64_t seed, double rate)
{
	struct tl_synth_dirt *dt;

	dt = tl_xcalloc(1, sizeof(*dt));
	dt->r = tl_rng_alloc(seed, TL_SYNTH_STREAM_DIRT);
	dt->rate = rate;
	return dt;
}

void
tl_synth_dirt_free(struct tl_synth_dirt *dt)
{
	size_t i;

	if (dt == NULL)
		return;
	tl_rng_free(dt->r);
	for (i = 0; i < NDAY; i++)
		free(dt->days[i].bad);
	free(dt);
}

const struct tl_synth_tally *
tl_synth_dirt_tally(const struct tl_synth_dirt *dt)
{
	return &dt->t;
}

double
tl_synth_dirt_rate(const struct tl_synth_dirt *dt)
{
	return dt->rate;
}

/* A kind for the next line from draw[0..n), or -1 for a clean one. */
static int
pick(struct tl_synth_dirt *dt, const int *draw, size_t n)
{
	if (dt->rate <= 0 || tl_rng_uniform(dt->r) >= dt->rate)
		return -1;
	return draw[tl_rng_below(dt->r, n)];
}

/* A valid other spelling (variant_ts, variant_case) of kind dk into v;
 * verbs are the 4 spellings of the line's action or side. */
static void
variant(struct tl_synth_dirt *dt, int dk, struct tl_synth_view *v,
    const char *const *verbs)
{
	if (dk == TL_SYNTH_D_VARIANT_TS)
		v->ts = tl_synth_coin(dt->r, 0.5) ? TL_SYNTH_TS_EPOCH_MS :
		    TL_SYNTH_TS_OFFSET;
	else if (tl_synth_coin(dt->r, 0.5))
		v->lower = 1;
	else
		v->verb = verbs[tl_rng_below(dt->r, 4)];
}

/* Remember whether decision number of day d was damaged. */
static void
flag_decision(struct tl_synth_dirt *dt, size_t d, uint64_t number, int bad)
{
	struct dayflags *f = &dt->days[d % NDAY];

	if (f->n == 0 || f->day != d) {
		f->day = d;
		f->first = number;
		f->n = 0;
	}
	if (f->n == f->cap) {
		f->cap = f->cap < 64 ? 64 : f->cap * 2;
		f->bad = tl_xrealloc(f->bad, f->cap);
	}
	f->bad[f->n++] = (unsigned char)bad;
}

/* Was the decision of trade t damaged? */
static int
decision_bad(const struct tl_synth_dirt *dt, const struct tl_synth_trade *t)
{
	const struct dayflags *f = &dt->days[t->entry_day % NDAY];

	return f->n > 0 && f->day == t->entry_day && t->did >= f->first &&
	    t->did - f->first < f->n && f->bad[t->did - f->first];
}

int
tl_synth_dirt_decision(struct tl_synth_dirt *dt, const struct tl_synth_dec *x,
    size_t d, struct tl_synth_view *v)
{
	int dk;

	dk = pick(dt, dec_draw, TL_NELEM(dec_draw));
	if (dk == TL_SYNTH_D_MISSING)
		v->omit = (int)tl_rng_below(dt->r, TL_SYNTH_NDEC_REQ);
	else if (dk == TL_SYNTH_D_VARIANT_TS || dk == TL_SYNTH_D_VARIANT_CASE)
		variant(dt, dk, v, dec_verbs[x->kind == TL_SYNTH_HOLD ? 2 :
		    x->side]);
	if (dk >= 0)
		dt->t.n[TL_SYNTH_DIRT_DEC][dk]++;
	flag_decision(dt, d, x->number, dk >= 0 && kinds[dk].damaging);
	dt->t.bad_dec += dk >= 0 && kinds[dk].damaging;
	return dk;
}

int
tl_synth_dirt_trade(struct tl_synth_dirt *dt, const struct tl_synth_trade *t,
    int last, struct tl_synth_view *v)
{
	int dk;

	dk = last && dt->rate > 0 ? TL_SYNTH_D_TRUNCATED : pick(dt,
	    trade_draw, TL_NELEM(trade_draw));
	if (dk == TL_SYNTH_D_MISSING)
		v->omit = trade_req[tl_rng_below(dt->r, TL_NELEM(trade_req))];
	else if (dk == TL_SYNTH_D_WRONG_TYPE)
		v->pnl_str = 1;
	else if (dk == TL_SYNTH_D_VARIANT_TS || dk == TL_SYNTH_D_VARIANT_CASE)
		variant(dt, dk, v, side_verbs[t->side]);
	if (dk >= 0)
		dt->t.n[TL_SYNTH_DIRT_OUT][dk]++;
	if (dk >= 0 && kinds[dk].damaging)
		dt->t.bad_out++;
	else if (!decision_bad(dt, t))
		dt->t.matched++;
	return dk;
}

size_t
tl_synth_dirt_cut(struct tl_synth_dirt *dt, int dk, size_t n)
{
	if (dk != TL_SYNTH_D_TRUNCATED)
		return n;
	return n / 3 + tl_rng_below(dt->r, n / 3);
}

int
tl_synth_dirt_again(struct tl_synth_dirt *dt, int dk, struct tl_synth_view *v)
{
	int64_t dp;

	if (dk < 0)
		return TL_SYNTH_AGAIN_NONE;
	if (dk == TL_SYNTH_D_CONFLICT) {
		dp = 1 + (int64_t)tl_rng_below(dt->r, CONFLICT_CENTS);
		v->pnl_c += tl_synth_coin(dt->r, 0.5) ? dp : -dp;
	} else if (dk == TL_SYNTH_D_ORPHAN) {
		dt->t.orphans++;
		tl_synth_fmt_id(v->id, sizeof(v->id), "T9", dt->t.orphans, 8);
		tl_synth_fmt_id(v->did, sizeof(v->did), "D9", dt->t.orphans,
		    8);
	}
	return kinds[dk].again;
}
