/*
 * freqtrade's trades table through libsqlite3, read-only.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "tl_ftdb.h"
#include "tl_jv.h"
#include "tl_num.h"
#include "tl_util.h"

/* The columns read, under the names they get in a trade object; a column
 * is read when the table has it (sell_reason and buy_tag are the names
 * before freqtrade 2022.4; tl_ft_trade reads either).  need: the trade
 * cannot be told without it, so a closed trade's NULL there is said here,
 * in the database's words. */
static const struct column {
	const char	*name;		/* in the table */
	const char	*as;		/* in the trade object */
	int		 need;		/* 1: the table must have it, and a
					 * closed trade a value in it */
} columns[] = {
	{ "id", "id", 1 },
	{ "strategy", "strategy", 1 },
	{ "pair", "pair", 1 },
	{ "is_open", "is_open", 1 },
	{ "open_date", "open_date", 1 },
	{ "close_date", "close_date", 1 },
	{ "open_rate", "open_rate", 1 },
	{ "close_rate", "close_rate", 1 },
	{ "amount", "amount", 1 },
	{ "close_profit_abs", "profit_abs", 1 },
	{ "close_profit", "profit_ratio", 0 },
	{ "stake_amount", "stake_amount", 0 },
	{ "fee_open", "fee_open", 0 },
	{ "fee_close", "fee_close", 0 },
	{ "exit_reason", "exit_reason", 0 },
	{ "sell_reason", "sell_reason", 0 },
	{ "enter_tag", "enter_tag", 0 },
	{ "buy_tag", "buy_tag", 0 },
	{ "is_short", "is_short", 0 },
	{ "leverage", "leverage", 0 },
	{ "exchange", "exchange", 0 },
	{ "timeframe", "timeframe", 0 },
	{ "trading_mode", "trading_mode", 0 }
};

struct tl_ftdb {
	sqlite3		*db;		/* read-only connection */
	sqlite3_stmt	*st;		/* the rows */
	char		*name;		/* the path, for messages */
	int		 col[TL_NELEM(columns)];	/* result column, or -1 */
	int		 is_open;	/* result column of is_open */
	unsigned long	 open;		/* open trades skipped */
	int		 failed;	/* the input ends */
	struct tl_buf	 text;		/* the row as JSON */
};

/* path as a SQLite URI: file:PATH?mode=ro with the bytes an URI would
 * read otherwise percent-encoded; with immutable, &immutable=1. */
static char *
uri(const char *path, int immutable)
{
	static const char hex[] = "0123456789ABCDEF";
	struct tl_buf b;
	const unsigned char *p;

	tl_buf_init(&b);
	tl_buf_adds(&b, "file:");
	while (path[0] == '/' && path[1] == '/')
		path++;		/* "file://" would name a host */
	for (p = (const unsigned char *)path; *p != '\0'; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || *p <= ' ' ||
		    *p >= 0x7f) {
			tl_buf_addc(&b, '%');
			tl_buf_addc(&b, hex[*p >> 4]);
			tl_buf_addc(&b, hex[*p & 15]);
		} else
			tl_buf_addc(&b, (char)*p);
	}
	tl_buf_adds(&b, immutable ? "?mode=ro&immutable=1" : "?mode=ro");
	return b.data;
}

/* Is path a database in WAL mode that no connection has open: its header
 * says WAL (bytes 18 and 19 are 2) and there is no PATH-wal beside it?
 * A reader of such a file through mode=ro would create PATH-wal and
 * PATH-shm and leave them behind (owned by whoever read, which may lock a
 * bot of another user out of its own database); read as immutable it
 * creates nothing.  Nobody writes it while it has no -wal: a writer opens
 * one first, and writes reach the database itself only when a checkpoint
 * copies them there. */
static int
idle_wal(const char *path)
{
	unsigned char hdr[20];
	struct stat st;
	char *wal;
	FILE *fp;
	int idle = 0;

	if ((fp = fopen(path, "rb")) == NULL)
		return 0;
	if (fread(hdr, 1, sizeof(hdr), fp) == sizeof(hdr) && hdr[18] == 2 &&
	    hdr[19] == 2) {
		wal = tl_xmalloc(strlen(path) + 5);
		sprintf(wal, "%s-wal", path);
		idle = stat(wal, &st) == -1 && errno == ENOENT;
		free(wal);
	}
	fclose(fp);
	return idle;
}

/* An error of SQLite as ours: busy or locked is "try later", a file that
 * is not a database or is damaged is bad data, the rest cannot be read. */
static int
db_error(struct tl_ftdb *f, int rc, struct tl_err *err)
{
	const char *msg = sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return tl_err_set(err, TL_EX_TEMPFAIL, f->name, 0,
		    "locked by another process for over %d s: try later",
		    TL_FTDB_WAIT_MS / 1000);
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
	case SQLITE_FORMAT:
	case SQLITE_EMPTY:
		f->failed = 1;
		return tl_err_set(err, TL_EX_DATAERR, f->name, 0,
		    "not a readable SQLite database: %s", msg);
	default:
		f->failed = 1;
		return tl_err_set(err, TL_EX_NOINPUT, f->name, 0,
		    "cannot read the database: %s",
		    f->db != NULL ? sqlite3_errmsg(f->db) : msg);
	}
}

/* Which columns the table has: f->col[i] set to 1 or -1.  Returns 0, or
 * -1 with err. */
static int
find_columns(struct tl_ftdb *f, struct tl_err *err)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *name;
	size_t i;
	int rc, any = 0;

	for (i = 0; i < TL_NELEM(columns); i++)
		f->col[i] = -1;
	if ((rc = sqlite3_prepare_v2(f->db, "PRAGMA table_info(trades)", -1,
	    &st, NULL)) != SQLITE_OK)
		return db_error(f, rc, err);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		any = 1;
		name = sqlite3_column_text(st, 1);
		for (i = 0; name != NULL && i < TL_NELEM(columns); i++)
			if (strcmp((const char *)name, columns[i].name) == 0)
				f->col[i] = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(f, rc, err);
	if (!any)
		return tl_err_set(err, TL_EX_DATAERR, f->name, 0,
		    "no table 'trades' (not a freqtrade trade database?)");
	for (i = 0; i < TL_NELEM(columns); i++)
		if (columns[i].need && f->col[i] == -1)
			return tl_err_set(err, TL_EX_DATAERR, f->name, 0,
			    "table 'trades' has no column '%s' (not a "
			    "freqtrade trade database, or one before 2020)",
			    columns[i].name);
	return 0;
}

struct tl_ftdb *
tl_ftdb_open(const char *path, struct tl_err *err)
{
	struct tl_ftdb *f;
	struct tl_buf sql;
	char *u;
	size_t i;
	int rc, k = 0;
	FILE *fp;

	/* say "cannot open" as for any input, before SQLite says less */
	if ((fp = fopen(path, "rb")) == NULL) {
		tl_err_set(err, TL_EX_NOINPUT, path, 0, "%s", strerror(errno));
		return NULL;
	}
	fclose(fp);
	f = tl_xcalloc(1, sizeof(*f));
	f->name = tl_xstrdup(path);
	tl_buf_init(&f->text);
	u = uri(path, idle_wal(path));
	rc = sqlite3_open_v2(u, &f->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
	    NULL);
	free(u);
	if (rc != SQLITE_OK) {
		db_error(f, rc, err);
		tl_ftdb_free(f);
		return NULL;
	}
	/* a commit of the bot holds its exclusive lock for milliseconds:
	 * wait that out, but a lock held longer is "try later" */
	sqlite3_busy_timeout(f->db, TL_FTDB_WAIT_MS);
	if (find_columns(f, err) == -1) {
		tl_ftdb_free(f);
		return NULL;
	}
	tl_buf_init(&sql);
	tl_buf_adds(&sql, "SELECT ");
	for (i = 0; i < TL_NELEM(columns); i++) {
		if (f->col[i] == -1)
			continue;
		tl_buf_printf(&sql, "%s\"%s\"", k > 0 ? ", " : "",
		    columns[i].name);
		if (strcmp(columns[i].name, "is_open") == 0)
			f->is_open = k;
		f->col[i] = k++;
	}
	tl_buf_adds(&sql, " FROM trades ORDER BY id");
	rc = sqlite3_prepare_v2(f->db, sql.data, -1, &f->st, NULL);
	tl_buf_release(&sql);
	if (rc != SQLITE_OK) {
		db_error(f, rc, err);
		tl_ftdb_free(f);
		return NULL;
	}
	return f;
}

int
tl_ftdb_strategies(struct tl_ftdb *f, struct tl_map *set, struct tl_err *err)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *name;
	int rc, added;

	if ((rc = sqlite3_prepare_v2(f->db, "SELECT DISTINCT strategy FROM "
	    "trades WHERE is_open = 0 AND strategy IS NOT NULL", -1, &st,
	    NULL)) != SQLITE_OK)
		return db_error(f, rc, err);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((name = sqlite3_column_text(st, 0)) != NULL)
			tl_map_put(set, name, (size_t)sqlite3_column_bytes(st,
			    0), &added);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(f, rc, err);
}

void
tl_ftdb_free(struct tl_ftdb *f)
{
	if (f == NULL)
		return;
	sqlite3_finalize(f->st);
	sqlite3_close(f->db);
	tl_buf_release(&f->text);
	free(f->name);
	free(f);
}

/* Column k of the current row as a member of f->text.  Returns 0, or -1
 * with err for text that is not UTF-8, a blob, or a NULL it needs. */
static int
add_column(struct tl_ftdb *f, const struct column *c, int k, long long id,
    struct tl_err *err)
{
	char num[TL_NUM_BUFSZ];
	const char *s;
	int n, type = sqlite3_column_type(f->st, k);

	if (type == SQLITE_NULL)
		return c->need ? tl_err_set(err, TL_EX_DATAERR, f->name, 0,
		    "trade id %lld: column '%s' is NULL in a closed trade", id,
		    c->name) : 0;
	tl_buf_addc(&f->text, f->text.len == 0 ? '{' : ',');
	tl_jv_append_string(&f->text, c->as, strlen(c->as));
	tl_buf_addc(&f->text, ':');
	switch (type) {
	case SQLITE_INTEGER:
		tl_buf_printf(&f->text, "%lld", sqlite3_column_int64(f->st, k));
		return 0;
	case SQLITE_FLOAT:
		n = tl_fmt_double(num, sqlite3_column_double(f->st, k));
		tl_buf_add(&f->text, num, (size_t)(n < 0 ? 4 : n));
		return 0;
	case SQLITE_TEXT:
		s = (const char *)sqlite3_column_text(f->st, k);
		n = sqlite3_column_bytes(f->st, k);
		if (!tl_utf8_valid(s, (size_t)n))
			return tl_err_set(err, TL_EX_DATAERR, f->name, 0,
			    "trade id %lld: column '%s': invalid UTF-8 or a "
			    "NUL byte", id, c->name);
		tl_jv_append_string(&f->text, s, (size_t)n);
		return 0;
	default:
		return tl_err_set(err, TL_EX_DATAERR, f->name, 0, "trade id "
		    "%lld: column '%s': a blob", id, c->name);
	}
}

int
tl_ftdb_next(struct tl_ftdb *f, const char **text, size_t *len,
    long long *id, struct tl_err *err)
{
	size_t i;
	int rc;

	if (f->failed)
		return 0;
	for (;;) {
		if ((rc = sqlite3_step(f->st)) == SQLITE_DONE)
			return 0;
		if (rc != SQLITE_ROW)
			return db_error(f, rc, err);
		if (sqlite3_column_int64(f->st, f->is_open) != 0) {
			f->open++;
			continue;
		}
		*id = sqlite3_column_int64(f->st, 0);
		tl_buf_reset(&f->text);
		for (i = 0; i < TL_NELEM(columns); i++)
			if (f->col[i] != -1 && add_column(f, &columns[i],
			    f->col[i], *id, err) == -1)
				return -1;
		tl_buf_addc(&f->text, f->text.len == 0 ? '{' : '}');
		if (f->text.len == 1)
			tl_buf_addc(&f->text, '}');
		*text = f->text.data;
		*len = f->text.len;
		return 1;
	}
}

unsigned long
tl_ftdb_open_trades(const struct tl_ftdb *f)
{
	return f->open;
}

int
tl_ftdb_failed(const struct tl_ftdb *f)
{
	return f->failed;
}
