/*
 * tl-ingest: the daily return series.  Each closed trade's net P&L is
 * summed by strategy and exit day; at the end the days are filled (every
 * weekday between a strategy's first and last), divided by its capital
 * and sorted by date, then strategy.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tl_alias.h"
#include "tl_err.h"
#include "tl_map.h"
#include "tl_num.h"
#include "tl_out.h"
#include "tl_time.h"
#include "tl_u64map.h"
#include "tl_util.h"

#include "ingest.h"

/* The key of the days map: strategy number (1-based, order of first
 * appearance) and day, which day_of() and strategy_of() give back; the
 * map holds, exactly, the bits of the day's net P&L. */
static uint64_t
day_key(uint64_t strategy, int64_t day)
{
	return strategy << 32 | (uint32_t)(day + ((int64_t)1 << 31));
}

static int64_t
day_of(uint64_t key)
{
	return (int64_t)(key & 0xffffffffULL) - ((int64_t)1 << 31);
}

static size_t
strategy_of(uint64_t key)
{
	return (size_t)(key >> 32);
}

/* An outcome's net P&L added to its strategy's exit day; the strategy is
 * counted (the summary's) even when the returns are not written, and
 * then nothing is summed. */
void
add_return(struct state *s, const struct facts *fx)
{
	int64_t ms = fx->tf.exit_ms;
	uintptr_t *num;
	uint64_t *slot;
	double sum;
	int added;

	num = tl_map_put(s->strats, fx->strat, fx->slen, &added);
	if (added)
		*num = tl_map_count(s->strats);
	if (s->out[E_RETURNS] == NULL)	/* counted, not summed */
		return;
	slot = tl_u64map_put(&s->days, day_key(*num, ms / MS_PER_DAY -
	    (ms % MS_PER_DAY < 0)), &added);	/* its exit day */
	memcpy(&sum, slot, sizeof(sum));	/* new slots hold 0 = +0.0 */
	sum = tl_exact_value(tl_exact_add(tl_exact_of(sum),
	    tl_exact_of(fx->tf.net)));
	memcpy(slot, &sum, sizeof(sum));
}

/* The capital of the strategy name[0..n) (renamed by --aliases): the
 * starting balance of its backtest, the first one read (a later different
 * one is said, not used), whether its run is accepted or not. */
void
keep_capital(struct state *s, const char *name, size_t n, double capital)
{
	char a[TL_NUM_BUFSZ], b[TL_NUM_BUFSZ];
	uintptr_t *slot;
	int added;

	if (s->alias != NULL)
		tl_alias_get(s->alias, name, n, &name, &n);
	slot = tl_map_put(s->capitals, name, n, &added);
	if (added) {
		s->capv = tl_xreallocarray(s->capv, tl_map_count(s->capitals),
		    sizeof(*s->capv));
		*slot = tl_map_count(s->capitals);
		s->capv[*slot - 1] = capital;
	} else if (s->capv[*slot - 1] != capital && !s->o->capital_set) {
		tl_fmt_double(a, capital);
		tl_fmt_double(b, s->capv[*slot - 1]);
		tl_warn("strategy '%.*s': starting balance %s differs from %s "
		    "read first; its returns use %s", (int)n, name, a, b, b);
	}
}

/* The capitals of the strategies' returns (capital[num], given[num]: a
 * starting balance, not the default), when they are more than one, into
 * s->scales by capital, each with its count and first name; a warning
 * says them once. */
static void
note_scales(struct state *s, const double *capital, const char *given,
    const char **names)
{
	char num[TL_NUM_BUFSZ];
	struct tl_buf b;
	size_t i, k, nstrat = tl_map_count(s->strats);

	for (i = 1; i <= nstrat; i++) {
		for (k = 0; k < s->nscales && s->scales[k].capital !=
		    capital[i]; k++)
			;
		if (k == s->nscales) {
			s->scales = tl_xreallocarray(s->scales, k + 1,
			    sizeof(*s->scales));
			/* sorted by capital: insert in place */
			for (; k > 0 && s->scales[k - 1].capital > capital[i];
			    k--)
				s->scales[k] = s->scales[k - 1];
			s->scales[k] = (struct scale){ capital[i], given[i], 0,
			    names[i] };
			s->nscales++;
		}
		s->scales[k].n++;
		if (strcmp(names[i], s->scales[k].first) < 0)
			s->scales[k].first = names[i];
	}
	if (s->nscales < 2) {
		free(s->scales);
		s->scales = NULL;
		s->nscales = 0;
		return;
	}
	tl_buf_init(&b);
	for (k = 0; k < s->nscales; k++) {
		tl_fmt_double(num, s->scales[k].capital);
		tl_buf_printf(&b, "%s%s (%s, %zu strateg%s: '%s'%s)", k > 0 ?
		    ", " : "", num, s->scales[k].given ? "starting balance" :
		    "the default", s->scales[k].n, s->scales[k].n == 1 ? "y" :
		    "ies", s->scales[k].first, s->scales[k].n > 1 ? ", ..." :
		    "");
	}
	tl_warn("the strategies' returns are on %zu scales, divided by "
	    "capitals %s: set --capital (tl-nightly: CAPITAL) to the wallet "
	    "the bots trade", s->nscales, b.data);
	tl_buf_release(&b);
}

/* Strategy names by number, for sorting the returns. */
static const char **sort_names;

static int
cmp_by_strategy(const void *a, const void *b)
{
	uint64_t x = ((const struct tl_u64slot *)a)->key;
	uint64_t y = ((const struct tl_u64slot *)b)->key;

	return x < y ? -1 : x > y;	/* number, then day */
}

static int
cmp_by_date(const void *a, const void *b)
{
	uint64_t x = ((const struct tl_u64slot *)a)->key;
	uint64_t y = ((const struct tl_u64slot *)b)->key;

	if (day_of(x) != day_of(y))
		return day_of(x) < day_of(y) ? -1 : 1;
	return strcmp(sort_names[strategy_of(x)], sort_names[strategy_of(y)]);
}

/* Weekday of a day number: 0 Monday .. 6 Sunday (1970-01-01 was a
 * Thursday). */
static int
weekday(int64_t day)
{
	return (int)(((day % 7) + 7 + 3) % 7);
}

/* returns: per strategy, every weekday between its first and last day
 * with a closed trade (0 when none closed), unless --no-fill; sorted by
 * date, then strategy.  The days map is taken apart for it: its pairs
 * are taken out (tl_u64map_take), gaps appended, and sorted in place. */
int
write_returns(struct state *s, struct tl_err *err)
{
	static const char *cols[] = { "date", "strategy", "return" };
	struct tl_out *o = s->out[E_RETURNS];
	struct tl_u64slot *v;
	char date[TL_TIME_BUFSZ];
	size_t i, n, cap, it, len;
	const char *name;
	uintptr_t num, *slot;
	double sum, *capital;
	char *given;
	int64_t d;
	json_t *rec;
	int rc = 0;

	if (o == NULL)
		return 0;
	tl_out_set_columns(o, cols, 3);
	if (tl_u64map_count(&s->days) == 0)
		return 0;
	capital = tl_xcalloc(tl_map_count(s->strats) + 1, sizeof(*capital));
	given = tl_xcalloc(tl_map_count(s->strats) + 1, 1);
	v = tl_u64map_take(&s->days, &n, &cap);
	sort_names = tl_xcalloc(tl_map_count(s->strats) + 1, sizeof(char *));
	for (it = 0; tl_map_next(s->strats, &it, &name, &len, &num);) {
		sort_names[num] = name;
		capital[num] = s->o->capital;
		if (!s->o->capital_set && (slot = tl_map_get(s->capitals,
		    name, len)) != NULL) {
			capital[num] = s->capv[*slot - 1];
			given[num] = 1;
		}
	}
	note_scales(s, capital, given, sort_names);
	if (s->o->fill) {
		qsort(v, n, sizeof(*v), cmp_by_strategy);
		for (i = 0, len = n; i + 1 < len; i++) {
			if (strategy_of(v[i].key) != strategy_of(v[i + 1].key))
				continue;
			for (d = day_of(v[i].key) + 1;
			    d < day_of(v[i + 1].key); d++) {
				if (weekday(d) >= 5)
					continue;
				if (n == cap) {
					cap *= 2;
					v = tl_xreallocarray(v, cap,
					    sizeof(*v));
				}
				v[n].key = day_key(strategy_of(v[i].key), d);
				v[n++].val = 0;
			}
		}
	}
	qsort(v, n, sizeof(*v), cmp_by_date);
	for (i = 0; i < n && rc == 0; i++) {
		tl_time_format_date(date, day_of(v[i].key) * MS_PER_DAY);
		memcpy(&sum, &v[i].val, sizeof(sum));
		rec = json_pack("{s:s,s:s,s:f}", "date", date, "strategy",
		    sort_names[strategy_of(v[i].key)], "return",
		    tl_exact_value(tl_exact_div(tl_exact_of(sum),
		    tl_exact_of(capital[strategy_of(v[i].key)]))));
		rc = tl_out_write(o, rec, err);
		json_decref(rec);
	}
	free(v);
	free(sort_names);
	free(given);
	free(capital);
	sort_names = NULL;
	return rc;
}
