/*
 * The closed trades of a freqtrade trade database (SQLite, default
 * tradesv3.sqlite), one row of table "trades" at a time, as JSON objects
 * with the field names of freqtrade's backtest export (close_profit_abs
 * read as profit_abs) for tl_ft_trade().
 *
 * The database is opened read-only through an URI (file:PATH?mode=ro):
 * nothing is ever written to it, nothing is checkpointed, and a lock is
 * waited for TL_FTDB_WAIT_MS at most (a database that cannot be read by
 * then is TL_EX_TEMPFAIL).  freqtrade keeps its database in WAL mode, where a
 * reader does not block the bot; a WAL database that no connection has
 * open (no PATH-wal beside it: a stopped bot, a copy) is read with
 * immutable=1 too, so that no -wal or -shm file is left beside it.  In
 * rollback-journal mode the read holds a shared lock while the rows are
 * read, as any reader does.  Columns are
 * found by name (PRAGMA table_info), so the schemas of freqtrade's
 * migrations all read: the old names sell_reason and buy_tag too.  Open
 * trades (is_open = 1) are counted and skipped.
 */
#ifndef TL_FTDB_H
#define TL_FTDB_H

#include <stddef.h>

#include "tl_err.h"
#include "tl_map.h"

struct tl_ftdb;

/* How long a lock is waited for: a commit of the bot (rollback-journal
 * mode: its exclusive lock keeps readers out) takes milliseconds, and a
 * nightly run that meets one should not fail for it; a lock held longer
 * is a transaction left open, and the night says "try later". */
#define TL_FTDB_WAIT_MS		5000

/* The 16 bytes a SQLite database file starts with. */
#define TL_FTDB_MAGIC		"SQLite format 3"	/* and a NUL */
#define TL_FTDB_MAGIC_LEN	16

/* Open path and check its trades table.  Returns new, or NULL with err:
 * TL_EX_NOINPUT (cannot open), TL_EX_DATAERR (not a database, corrupt,
 * no table "trades", a column it needs missing), TL_EX_TEMPFAIL (locked
 * by a writer for longer than TL_FTDB_WAIT_MS). */
struct tl_ftdb *tl_ftdb_open(const char *path, struct tl_err *err);
void	tl_ftdb_free(struct tl_ftdb *db);	/* accepts NULL */

/* The next closed trade, by id.  Returns 1 with *text and *len (a JSON
 * object, borrowed until the next call) and *id the row's id, 0 at the
 * end, or -1 with err: TL_EX_DATAERR for a row whose text is not UTF-8,
 * holds a blob or a NULL where a trade needs a value (call again to go
 * on), or for a database that turns out
 * corrupt (tl_ftdb_failed() is then true: the input ends), TL_EX_TEMPFAIL
 * when it is locked. */
int	tl_ftdb_next(struct tl_ftdb *db, const char **text, size_t *len,
	    long long *id, struct tl_err *err);

/* Add to set the strategies of db's closed trades (those a backtest
 * export's trades would double: tl_source_opts.live).  Returns 0, or -1
 * with err (TL_EX_DATAERR, TL_EX_TEMPFAIL).  Call it before
 * tl_ftdb_next. */
int	tl_ftdb_strategies(struct tl_ftdb *db, struct tl_map *set,
	    struct tl_err *err);

/* Open trades skipped so far. */
unsigned long tl_ftdb_open_trades(const struct tl_ftdb *db);

int	tl_ftdb_failed(const struct tl_ftdb *db);

#endif
