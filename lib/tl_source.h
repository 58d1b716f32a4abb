/*
 * One input file as a stream of records for tl-ingest, whatever wrote
 * it: our own logs (JSON Lines, CSV, JSON documents), freqtrade's backtest
 * exports, hyperopt results and trade databases, or any export that a
 * mapping file (tl_mapfile) describes.  What a file is comes from its
 * content (tl_source_sniff), unless the caller says; the file's name
 * only tells CSV from JSON Lines when the content does not.
 *
 * Each record comes as JSON text with, when the format knows it, the
 * kind it is (a freqtrade trade is an outcome and a decision: two items
 * of one group; if the first is rejected the second is dropped).  A bad
 * record is an error for that record only; a broken document, an
 * unsupported version or an unreadable database is fatal (the night must
 * not be published from half an export), a read error of a line format
 * ends that file only, as before.
 */
#ifndef TL_SOURCE_H
#define TL_SOURCE_H

#include <stddef.h>

#include "tl_err.h"
#include "tl_kind.h"
#include "tl_map.h"

struct tl_mapfile;
struct tl_source;

/* What a file is. */
enum tl_src_fmt {
	TL_SRC_JSONL,		/* one JSON object per line */
	TL_SRC_CSV,		/* RFC 4180 with a header */
	TL_SRC_JSON,		/* one JSON document */
	TL_SRC_FT_BACKTEST,	/* a freqtrade backtest export */
	TL_SRC_FT_HYPEROPT,	/* freqtrade hyperopt results (.fthypt) */
	TL_SRC_FT_DB,		/* a freqtrade trade database (SQLite) */
	TL_SRC_FT_META,		/* the .meta.json beside an export: skipped */
	TL_SRC_SQLITE_AUX,	/* a SQLite -wal, -shm or -journal: skipped */
	TL_SRC_ZIP,		/* a zip archive: skipped */
	TL_SRC_PICKLE,		/* a Python pickle: skipped */
	TL_SRC_ARROW,		/* Arrow/Feather or Parquet: skipped */
	TL_SRC_N
};

/* "jsonl", "csv", "json", "freqtrade-backtest", "freqtrade-hyperopt",
 * "freqtrade-db", "freqtrade-meta", "sqlite-aux", "zip", "pickle",
 * "arrow". */
extern const char *const tl_src_names[TL_SRC_N];

/* What the bytes p[0..n) at the start of a file say it is (whole: they
 * are the whole file; gzip: they were inflated).  Blank and a byte order
 * mark first are skipped.  '[' starts a JSON document; '{' starts one too
 * unless the first object ends on its first line (JSON Lines; with doc,
 * a document is wanted, a --path: still a document when that line is the
 * whole file or longer than n), except freqtrade's: {"strategy": {NAME:
 * {...  is a backtest export, {NAME: {"run_id": ... its .meta.json, and a
 * first line holding "params_dict" and "results_metrics" hyperopt
 * results.  Other text is CSV or JSON Lines by path's name
 * (tl_fmt_from_name). */
enum tl_src_fmt tl_source_sniff(const char *p, size_t n, int whole,
	    int gzip, int doc, const char *path);

/* What the caller says of every input. */
enum tl_src_from {
	TL_FROM_AUTO,		/* by content */
	TL_FROM_TRADELEARN,	/* our records only */
	TL_FROM_FREQTRADE,	/* a backtest export or hyperopt results */
	TL_FROM_FREQTRADE_DB,	/* a trade database */
	TL_FROM_N
};

/* "auto", "tradelearn", "freqtrade", "freqtrade-db". */
extern const char *const tl_from_names[TL_FROM_N];

/* What becomes of a backtest export's trades (tl-ingest's
 * --backtest-trades); its runs are read whatever this says. */
enum tl_bt_trades {
	TL_BT_KEEP,		/* read, as every trade */
	TL_BT_LIVE,		/* left out for the strategies in live: those
				 * with closed trades in a trade database */
	TL_BT_NONE		/* left out, every one */
};

struct tl_source_opts {
	enum tl_src_from from;		/* --from */
	int		 fmt;		/* -i: TL_SRC_JSONL, _CSV, _JSON, or
					 * -1 (by content) */
	const char	*path;		/* --path for JSON documents, or NULL */
	const char	*path_as;	/* --path-as: comma-separated names */
	size_t		 max;		/* --max-record */
	const char	*max_what;	/* its name in messages */
	struct tl_mapfile *const *maps;	/* --map-file, first match wins */
	size_t		 nmaps;		/* their number */
	enum tl_bt_trades bt_trades;	/* a backtest's trades */
	const struct tl_map *live;	/* TL_BT_LIVE: strategy names */
};

/* One record. */
struct tl_item {
	const char	*text;		/* JSON text (borrowed until next) */
	size_t		 len;		/* its length */
	enum tl_kind	 kind;		/* known kind, or TL_KIND_NONE */
	const char	*why;		/* the rule that gave it, or NULL */
	const char	*name;		/* file name for messages */
	unsigned long	 line;		/* first line (1-based), or 0 */
	double		 capital;	/* starting balance of a run, or 0 */
	const char	*strategy;	/* the strategy it is of (borrowed) */
	size_t		 slen;		/* its length */
	int		 group;		/* more items of this record follow */
};

/* Open path ("-": stdin).  Returns new, or NULL with err: TL_EX_NOINPUT,
 * TL_EX_IOERR, TL_EX_DATAERR (a database that cannot be read, a SQLite
 * file on stdin), TL_EX_TEMPFAIL (a database locked). */
struct tl_source *tl_source_open(const char *path,
	    const struct tl_source_opts *o, struct tl_err *err);
void	tl_source_free(struct tl_source *src);	/* accepts NULL */

/* The next record.  Returns 1 with *it, 0 at the end, -1 with err set
 * for a record set aside (it->name, line, pos set; tl_source_raw() its
 * text), after which tl_source_failed() says whether the input ends and
 * tl_source_fatal() whether the whole run must stop. */
int	tl_source_next(struct tl_source *src, struct tl_item *it,
	    struct tl_err *err);

/* Where the record last returned or rejected is, beyond its line: for a
 * document its path and offset, ".[3] (offset 1234): ", for a database
 * row "trade id 42: ", else "" (borrowed until the next call; made when
 * asked: a message prefix). */
const char *tl_source_pos(struct tl_source *src);

/* The item last returned was rejected: drop the rest of its group. */
void	tl_source_drop_group(struct tl_source *src);

/* The raw text of the record last returned or rejected, its length held
 * and its whole length. */
const char *tl_source_raw(const struct tl_source *src, size_t *len,
	    size_t *full);

int	tl_source_failed(const struct tl_source *src);
/* Why src is skipped (its format's reason, or what is wrong with a zip
 * archive), or NULL when it is read. */
const char *tl_source_skip(const struct tl_source *src);
int	tl_source_fatal(const struct tl_source *src);

/* What the file turned out to be, the name of the map read it (or
 * NULL), and its counts: records as the source has them (a trade, a
 * summary, an epoch, a row, a line), open trades or positions skipped,
 * records a map left out or, of a backtest export, trades that
 * bt_trades leaves out. */
enum tl_src_fmt tl_source_fmt(const struct tl_source *src);
const char *tl_source_map(const struct tl_source *src);
size_t	tl_source_records(const struct tl_source *src);
size_t	tl_source_open_trades(const struct tl_source *src);
size_t	tl_source_left_out(const struct tl_source *src);

/* The --path names "*" stood for are not in a record with --path-as:
 * checked by the caller.  Returns 0, or -1 with err = TL_EX_USAGE. */
int	tl_source_check_opts(const struct tl_source_opts *o,
	    struct tl_err *err);

#endif
