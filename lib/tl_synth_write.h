/*
 * How a synthetic log's plan (tl_synth.h) is written: the layout of its
 * directory (tl-synth(1), FILES), in this order:
 *
 *   market.csv                      date,ret,vol of each trading day
 *   logs/runs/runs-YYYY-MM.jsonl    the runs of each period
 *   logs/promotions.jsonl           one line per promotion
 *   logs/YYYY-MM-DD/decisions.jsonl[.gz]
 *   logs/YYYY-MM-DD/trades.{jsonl,csv}[.gz]   CSV every
 *                                   TL_SYNTH_CSV_EVERY-th day; gzip'd but
 *                                   for the last gzip_after days
 *   logs/retirements.jsonl, aliases.csv        with churn only
 *   truth.json                      tl_synth_truth.h
 *
 * with the dirt of tl_synth_dirt.h in the decision and trade lines.  The
 * directory is created, or must be empty.  A part of the layout is an
 * entry of a table in tl_synth_write.c, a file of the day an entry of
 * another: a new record kind is a generator next to tl_synth_log.h or
 * tl_synth_runs.h, a renderer in tl_synth_render.h and one entry here.
 */
#ifndef TL_SYNTH_WRITE_H
#define TL_SYNTH_WRITE_H

#include "tl_err.h"
#include "tl_synth.h"

#define TL_SYNTH_CSV_EVERY	10	/* every 10th day's trades are CSV */

/* How the records of the JSON Lines files are written. */
enum tl_synth_format {
	TL_SYNTH_JSONL,		/* one per line, files *.jsonl */
	TL_SYNTH_JSON_ARRAY,	/* each file one JSON array, *.json; no
				 * line is cut short (it would break the
				 * document) */
	TL_SYNTH_NFORMAT
};

/* How to write. */
struct tl_synth_layout {
	const char	*dir;		/* the directory, without a final '/' */
	double		 dirt;		/* share of dirty lines, in [0, 1) */
	long		 gzip_after;	/* gzip the days before the last N;
					 * 0: none */
	enum tl_synth_format format;	/* of the JSON Lines files */
};

/* Write the log of plan s as lo says.  Returns 0, or -1 with err: 73 when
 * a directory or file cannot be created (or the directory is not empty),
 * 74 on a write error; the first failure in the order of the files. */
int	tl_synth_write(const struct tl_synth *s,
	    const struct tl_synth_layout *lo, struct tl_err *err);

#endif
