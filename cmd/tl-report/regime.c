/*
 * tl-report: the market regime (regimes.jsonl, tl-regime's filtered
 * labels): today's regime with its probability, how many days it has
 * lasted and the one before it.
 */
#include <math.h>
#include <string.h>

#include <jansson.h>

#include "tl_doc.h"

#include "report.h"

/* regimes.jsonl (tl-regime) */
static void
regime_fields(struct src *s, const json_t *in, json_t *o)
{
	const json_t *prob = get_arr(s, in, "prob", 0);
	double st = get_num(s, in, "state", 1), p = NAN;

	puts_(o, "date", get_str(s, in, "date", 1));
	putn(o, "state", st);
	puts_(o, "label", get_str(s, in, "label", 0));
	/* the probability of the state the row names */
	if (prob != NULL && st >= 0 && st == floor(st) &&
	    st < (double)json_array_size(prob)) {
		const json_t *v = json_array_get(prob, (size_t)st);

		if (json_is_number(v))
			p = json_number_value(v);
		else
			issue(s, "prob", "not an array of numbers");
	}
	putn(o, "prob", p);
}

struct regimes {
	json_t	*spans;		/* runs of a regime: from, to, regime */
	json_t	*last;		/* the last row's facts */
	json_t	*run_start;	/* first row of the last run of its state */
	json_t	*before;	/* the row before that run */
	long	 run;		/* rows in the last run */
	long	 n;		/* rows */
};

int
same_regime(const json_t *a, const json_t *b)
{
	const char *la = fstr(a, "label"), *lb = fstr(b, "label");

	if (la != NULL && lb != NULL)
		return strcmp(la, lb) == 0;
	return fnum(a, "state") == fnum(b, "state");
}

const char *
regime_name(char *buf, const json_t *row)
{
	return fstr(row, "label") != NULL ? fstr(row, "label") :
	    tl_doc_fmt_int(buf, fnum(row, "state"));
}

static void
regime_row(struct src *s, const json_t *rec, void *ctx)
{
	struct regimes *r = ctx;
	json_t *o = json_object();

	regime_fields(s, rec, o);
	r->n++;
	if (r->last != NULL && same_regime(r->last, o)) {
		r->run++;
		json_decref(r->last);
		puts_(json_array_get(r->spans, json_array_size(r->spans) - 1),
		    "to", fstr(o, "date"));
	} else {
		json_t *sp = json_object();
		char buf[TL_DOC_NUMSZ];

		puts_(sp, "from", fstr(o, "date"));
		puts_(sp, "to", fstr(o, "date"));
		puts_(sp, "regime", regime_name(buf, o));
		json_array_append_new(r->spans, sp);
		json_decref(r->before);
		r->before = r->last;
		json_decref(r->run_start);
		r->run_start = json_incref(o);
		r->run = 1;
	}
	r->last = o;
}

static void
load_regime(struct night *n, struct sec *sec)
{
	struct regimes r = { .spans = json_array() };

	if (read_jsonl(n, sec, "regimes.jsonl", regime_row, NULL, &r) > 0) {
		put(sec->obj, "spans", json_incref(r.spans));
		put(sec->obj, "today", json_incref(r.last));
		putn(sec->obj, "days_in_regime", (double)r.run);
		puts_(sec->obj, "since", fstr(r.run_start, "date"));
		put(sec->obj, "before", r.before != NULL ? json_incref(
		    r.before) : json_null());
		putn(sec->obj, "rows", (double)r.n);
	} else
		put(sec->obj, "today", json_null());
	json_decref(r.spans);
	json_decref(r.last);
	json_decref(r.run_start);
	json_decref(r.before);
}

static void
doc_regime(struct tl_doc *d, const json_t *r, const struct night *n)
{
	const json_t *t = json_object_get(r, "today"),
	    *bf = json_object_get(r, "before");
	char x[4][TL_DOC_NUMSZ];
	struct tl_buf b;

	(void)n;
	if (!json_is_object(t)) {
		tl_doc_addf(d, TL_DOC_P, "regimes.jsonl has no rows.");
		return;
	}
	tl_buf_init(&b);
	tl_doc_fmt_int(x[1], fnum(r, "days_in_regime"));
	tl_buf_adds(&b, "Today (");
	tl_doc_put_text(&b, fstr(t, "date"));
	tl_buf_adds(&b, "): ");
	tl_doc_put_code(&b, regime_name(x[0], t));
	tl_buf_printf(&b, " (state %s, probability %s), %s %s in this "
	    "regime, since ", tl_doc_fmt_int(x[2], fnum(t, "state")),
	    tl_doc_fmt_num(x[3], fnum(t, "prob"), 2), x[1],
	    plural(fnum(r, "days_in_regime"), "day", "days"));
	tl_doc_put_text(&b, fstr(r, "since"));
	if (json_is_object(bf)) {
		tl_buf_adds(&b, "; before: ");
		tl_doc_put_code(&b, regime_name(x[0], bf));
	}
	tl_buf_addc(&b, '.');
	tl_doc_add(d, TL_DOC_P, &b);
	tl_buf_release(&b);
}

const struct section regime_section = {
	.name = "regime", .title = "Regime", .files = "regimes.jsonl",
	.load = load_regime, .show = doc_regime, .step = "regime"
};
