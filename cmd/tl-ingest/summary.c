/*
 * tl-ingest: the counts at the end: the summary line and the sources on
 * stderr, the tl-ingest-summary object (-S), and why nothing was usable.
 */

#include <jansson.h>

#include "tl_err.h"
#include "tl_json.h"
#include "tl_kind.h"
#include "tl_map.h"
#include "tl_out.h"
#include "tl_source.h"
#include "tl_util.h"

#include "ingest.h"

/* The kinds from signals on are counted in the summaries only when some
 * were read, so that a log without them says what it always said. */
#define FIRST_SIGNAL_KIND	TL_KIND_SIGNAL

static int
any_signal_kind(const struct counts *c)
{
	int k;

	for (k = FIRST_SIGNAL_KIND; k < TL_KIND_N; k++)
		if (c->kinds[k] > 0)
			return 1;
	return 0;
}

/* What a source's records left out are, after their count: a map's, or
 * a backtest export's trades (--backtest-trades). */
static const char *
left_out_why(const struct state *s, const struct source_count *sc)
{
	if (sc->fmt != TL_SRC_FT_BACKTEST)
		return "left out by the map";
	if (s->o->merge)	/* the shards' option, not known here */
		return "trades left out by the shards' --backtest-trades";
	return s->o->bt_trades == TL_BT_NONE ? "trades left out: "
	    "--backtest-trades no" : "trades left out: their strategies "
	    "trade in a trade database read here";
}

/* A file that lost every record it had. */
static int
lost(const struct file_tally *t)
{
	return t->rejected > 0 && t->rejected == t->read;
}

void
warn_lost_files(const struct state *s)
{
	const struct file_tally *t;
	size_t i;

	for (i = 0; i < s->ntally; i++)
		if (lost(t = &s->tally[i]))
			tl_warn("%s: all %lu record%s rejected (the first: %s)",
			    t->name, t->rejected, t->rejected == 1 ? "" : "s",
			    t->reason);
}

#define LOST_NAMED	20	/* such files named in the summary */

/* The files that lost every record: how many, and the first few with
 * their count and first reason, for the report to say. */
static void
put_lost_files(const struct state *s, json_t *v)
{
	const struct file_tally *t;
	json_t *a = json_array();
	size_t i, n = 0;

	for (i = 0; i < s->ntally; i++)
		if (lost(t = &s->tally[i]) && n++ < LOST_NAMED)
			json_array_append_new(a, json_pack("{s:s,s:I,s:s}",
			    "file", t->name, "records", (json_int_t)t->read,
			    "reason", t->reason));
	json_object_set_new(v, "files_rejected", json_integer((json_int_t)n));
	json_object_set_new(v, "files_rejected_named", a);
}

/* The counts of the summary line as one JSON object (tl-ingest-summary),
 * for the nightly report. */
int
write_summary(struct tl_out *out, const struct state *s, size_t files,
    unsigned long rows, struct tl_err *err)
{
	const struct counts *c = &s->c;
	const struct source_count *sc;
	json_t *v, *kinds, *srcs, *e;
	size_t i;
	int rc, k;

	srcs = json_array();
	for (i = 0; i < s->nsrcs; i++) {
		sc = &s->srcs[i];
		e = json_pack("{s:s}", "format", tl_src_names[sc->fmt]);
		if (sc->map != NULL)
			json_object_set_new(e, "map", json_string(sc->map));
		json_object_set_new(e, "files", json_integer(
		    (json_int_t)sc->files));
		json_object_set_new(e, "records", json_integer(
		    (json_int_t)sc->records));
		json_object_set_new(e, "open", json_integer(
		    (json_int_t)sc->open));
		json_object_set_new(e, "left_out", json_integer(
		    (json_int_t)sc->left_out));
		if (sc->left_out > 0)
			json_object_set_new(e, "left_out_why", json_string(
			    left_out_why(s, sc)));
		json_array_append_new(srcs, e);
	}
	kinds = json_object();
	for (k = TL_KIND_NONE + 1; k < TL_KIND_N; k++)
		if (k < FIRST_SIGNAL_KIND || any_signal_kind(c))
			json_object_set_new(kinds, emit_names[kind_ops[k].emit],
			    json_integer((json_int_t)c->kinds[k]));
	v = json_pack("{s:s,s:i,s:I,s:I,s:I,s:o,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
	    "s:I,s:I,s:I,s:o}", "format", "tl-ingest-summary",
	    "version", 1, "files", (json_int_t)files,
	    "read", (json_int_t)c->read, "accepted", (json_int_t)c->accepted,
	    "kinds", kinds,
	    "duplicates", (json_int_t)c->dups,
	    "rejected", (json_int_t)c->rejected,
	    "conflicts", (json_int_t)c->conflicts,
	    "joined", (json_int_t)c->joined,
	    "unmatched_decisions", (json_int_t)c->unmatched,
	    "orphan_outcomes", (json_int_t)c->orphans,
	    "later", (json_int_t)c->later,
	    "strategies", (json_int_t)tl_map_count(s->strats),
	    "dataset_rows", (json_int_t)rows,
	    "renamed", (json_int_t)c->renamed,
	    "sources", srcs);
	/* the capitals of returns on more than one scale (no --capital) */
	if (s->nscales > 1) {
		json_t *caps = json_array();
		size_t j;

		for (j = 0; j < s->nscales; j++)
			json_array_append_new(caps, json_pack("{s:o,s:s,s:I,s:s}",
			    "capital", tl_json_num(s->scales[j].capital),
			    "from", s->scales[j].given ? "starting_balance" :
			    "default", "strategies", (json_int_t)s->scales[j].n,
			    "first", s->scales[j].first));
		json_object_set_new(v, "capitals", caps);
	}
	/* what was left for a later night, by kind ("runs": a search with
	 * none up to the night has some coming) */
	if (c->later > 0) {
		json_t *lk = json_object();

		for (k = TL_KIND_NONE + 1; k < TL_KIND_N; k++)
			if (c->later_kinds[k] > 0)
				json_object_set_new(lk,
				    emit_names[kind_ops[k].emit], json_integer(
				    (json_int_t)c->later_kinds[k]));
		json_object_set_new(v, "later_kinds", lk);
	}
	if (any_signal_kind(c))
		json_object_set_new(v, "unmatched_signal_records",
		    json_integer((json_int_t)c->unsignalled));
	put_lost_files(s, v);
	rc = tl_out_write(out, v, err);
	json_decref(v);
	return rc;
}

/* What was read of each format, on stderr: only when some input was not
 * our own JSON Lines or CSV, so that the usual night says one line. */
static void
print_sources(const struct state *s)
{
	const struct source_count *sc;
	struct tl_buf b;
	size_t i;
	int foreign = 0;

	for (i = 0; i < s->nsrcs; i++)
		foreign |= s->srcs[i].map != NULL || (s->srcs[i].fmt !=
		    TL_SRC_JSONL && s->srcs[i].fmt != TL_SRC_CSV);
	if (!foreign)
		return;
	tl_buf_init(&b);
	for (i = 0; i < s->nsrcs; i++) {
		sc = &s->srcs[i];
		tl_buf_printf(&b, "%s%s%s%s %lu file%s, %lu record%s",
		    i > 0 ? "; " : "", tl_src_names[sc->fmt],
		    sc->map != NULL ? " map " : "", sc->map != NULL ? sc->map :
		    "", sc->files, sc->files == 1 ? "" : "s", sc->records,
		    sc->records == 1 ? "" : "s");
		if (sc->open > 0)
			tl_buf_printf(&b, " (%lu open)", sc->open);
		if (sc->left_out > 0)
			tl_buf_printf(&b, " (%lu %s)", sc->left_out,
			    left_out_why(s, sc));
	}
	tl_msg("sources: %s", b.data);
	tl_buf_release(&b);
}

/* The summary line on stderr. */
void
print_summary(const struct state *s, unsigned long rows)
{
	const struct counts *c = &s->c;
	struct tl_buf b;
	int k;

	tl_buf_init(&b);
	tl_buf_printf(&b, "read %lu, accepted %lu (", c->read, c->accepted);
	for (k = TL_KIND_NONE + 1; k < TL_KIND_N; k++)
		if (k < FIRST_SIGNAL_KIND || any_signal_kind(c))
			tl_buf_printf(&b, "%s%s %lu", k > TL_KIND_NONE + 1 ?
			    ", " : "", emit_names[kind_ops[k].emit],
			    c->kinds[k]);
	tl_buf_printf(&b, "), duplicates %lu, rejected %lu (conflicts %lu), "
	    "joined %lu, unmatched decisions %lu, orphan outcomes %lu, "
	    "dataset rows %lu", c->dups, c->rejected, c->conflicts,
	    c->joined, c->unmatched, c->orphans, rows);
	if (any_signal_kind(c))
		tl_buf_printf(&b, ", without their signal %lu",
		    c->unsignalled);
	if (s->alias != NULL || s->aliased)
		tl_buf_printf(&b, ", renamed %lu", c->renamed);
	tl_msg("%s", b.data);
	tl_buf_release(&b);
	print_sources(s);
}

/* Nothing usable read: as every tool, exit 65, saying why even with -q
 * (the outputs, empty, are written: a reader sees what was left). */
int
nothing_usable(const struct state *s)
{
	if (s->c.read == 0)
		tl_msg("nothing usable: no records in the input");
	else if (s->c.later > 0 && s->c.later == s->c.read - s->c.rejected)
		tl_msg("nothing usable: %lu record(s) read, %lu rejected, "
		    "%lu after --until", s->c.read, s->c.rejected,
		    s->c.later);
	else
		tl_msg("nothing usable: %lu record(s) read, all rejected "
		    "(their reasons: -v or --rejects)", s->c.read);
	return TL_EX_DATAERR;
}
