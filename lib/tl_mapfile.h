/*
 * Mapping files: how the records of another system's export become ours,
 * so that a broker's or a bot's files are read without a script.  A map
 * is one JSON object (tl(7), "MAPPING FILES"):
 *
 *   {"format": "tl-map", "version": 1, "name": "ibkr-flex-trades",
 *    "files": "*.csv", "input": "csv", "kind": "outcome",
 *    "where": {"Open/CloseIndicator": ["C", "C;O"]},
 *    "fields": {"id": "TradeID",
 *               "exit_ts": {"from": "DateTime", "time": "%Y%m%d;%H%M%S"},
 *               "side": {"from": "Buy/Sell",
 *                        "values": {"SELL": "long", "BUY": "short"}},
 *               "fees": {"from": "IBCommission", "scale": -1},
 *               "pnl": {"from": "FifoPnlRealized", "net": true},
 *               "strategy": {"file": "flex-*.csv"}},
 *    "constants": {"exchange": "ibkr"}}
 *
 * A field is another field's value, a time converted (a strftime-like
 * format, "epoch_s" or "epoch_ms"), a number scaled (a sign convention),
 * a word translated by a table, the part of the file's name a pattern's
 * '*' stands for, or a constant; "net": true says a P&L is net of fees
 * (pnl = it + fees).  "where" keeps only the records whose fields hold one
 * of the values given; the others are left out and counted.
 *
 * With "fills" instead of "kind" and "fields", each record is one fill
 * (a buy or a sell) and fills are paired first in, first out per
 * strategy and symbol into closed trades: each fill that reduces a
 * position closes the quantity it matches, and gives an outcome (entry
 * the matched lots' quantity-weighted price and first time, fees its own
 * and the matched part of theirs, pnl gross) and a decision that joins
 * it; the rest of a fill that crosses zero opens a position the other
 * way.  Fills must come in time order; positions still open at the end
 * are counted.
 */
#ifndef TL_MAPFILE_H
#define TL_MAPFILE_H

#include <stddef.h>

#include "tl_err.h"
#include "tl_jv.h"
#include "tl_kind.h"
#include "tl_util.h"

#define TL_MAPFILE_VERSION	1	/* the version read */

struct tl_mapfile;

/* Load path.  Returns new, or NULL with err: TL_EX_NOINPUT (cannot
 * open), TL_EX_DATAERR at path (invalid JSON, not a tl-map, an
 * unsupported version, an unknown key or field spec, a bad time format or
 * pattern: the message names it). */
struct tl_mapfile *tl_mapfile_load(const char *path, struct tl_err *err);
void	tl_mapfile_free(struct tl_mapfile *m);		/* accepts NULL */

const char *tl_mapfile_name(const struct tl_mapfile *m);	/* borrowed */

/* Does m apply to the file path (its base name matches "files"; a map
 * without "files" applies to every file)? */
int	tl_mapfile_matches(const struct tl_mapfile *m, const char *path);

/* The input format the map names ("jsonl", "csv", "json"; NULL: by
 * content) and its JSON document path (NULL: none). */
const char *tl_mapfile_input(const struct tl_mapfile *m);
const char *tl_mapfile_path(const struct tl_mapfile *m);

/* A new file: path gives "file" patterns their part.  Returns 0, or -1
 * with err = TL_EX_DATAERR when a field's pattern does not match the
 * name. */
int	tl_mapfile_begin(struct tl_mapfile *m, const char *path,
	    struct tl_err *err);

/* Map the record v (an object of d).  Appends the records it makes to
 * out, each followed by a NUL byte, and their kinds to kinds (room for
 * 2).  Returns how many (0: left out by "where", or a fill that opened or
 * added to a position), or -1 with err = TL_EX_DATAERR naming the source
 * field. */
int	tl_mapfile_apply(struct tl_mapfile *m, const struct tl_jdoc *d,
	    const struct tl_jv *v, struct tl_buf *out, enum tl_kind *kinds,
	    struct tl_err *err);

/* Records "where" left out so far. */
size_t	tl_mapfile_left_out(const struct tl_mapfile *m);

/* Positions of fills still open (fills maps), counted once read. */
size_t	tl_mapfile_open_positions(const struct tl_mapfile *m);

#endif
