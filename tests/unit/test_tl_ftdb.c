/* Unit tests for lib/tl_ftdb: freqtrade's trades table, read-only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <sqlite3.h>

#include "tl_ftdb.h"
#include "tl_util.h"
#include "unit.h"

UT_SCRATCH_DIR();
TestSuite(tl_ftdb, .init = ut_setup, .fini = ut_teardown);

/* A schema as freqtrade 2024.x creates it, cut to the columns read and a
 * few more. */
static const char schema[] =
    "CREATE TABLE trades (id INTEGER PRIMARY KEY, exchange VARCHAR(25) "
    "NOT NULL, pair VARCHAR(25) NOT NULL, base_currency VARCHAR(25), "
    "stake_currency VARCHAR(25), is_open BOOLEAN NOT NULL, fee_open FLOAT "
    "NOT NULL, fee_close FLOAT NOT NULL, open_rate FLOAT NOT NULL, "
    "close_rate FLOAT, realized_profit FLOAT, close_profit FLOAT, "
    "close_profit_abs FLOAT, stake_amount FLOAT NOT NULL, amount FLOAT, "
    "open_date DATETIME NOT NULL, close_date DATETIME, exit_reason "
    "VARCHAR(255), strategy VARCHAR(100), enter_tag VARCHAR(255), "
    "timeframe INTEGER, trading_mode VARCHAR(7), leverage FLOAT, "
    "is_short BOOLEAN NOT NULL);"
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, ft_trade_id INTEGER);";

static void
exec(const char *path, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK,
	    "%s", msg ? msg : "?");
	sqlite3_close(db);
}

static const char *
db_path(const char *name)
{
	static char buf[1024];

	return ut_path(buf, sizeof(buf), dir, name);
}

static void
fill(const char *path)
{
	exec(path, schema);
	exec(path, "INSERT INTO trades VALUES"
	    "(1,'binance','BTC/USDT','BTC','USDT',0,0.001,0.001,42000.5,"
	    "42890.25,8.61,0.0207,8.61,420.005,0.01,"
	    "'2024-01-05 10:00:02.345678','2024-01-06 14:30:00','roi',"
	    "'Live1','rsi_dip',5,'spot',1.0,0),"
	    "(2,'binance','ETH/USDT:USDT','ETH','USDT',1,0.0005,0.0005,2300,"
	    "NULL,0,NULL,NULL,230,0.1,'2024-01-07 08:00:00',NULL,NULL,"
	    "'Live1',NULL,5,'futures',2.0,1),"
	    "(3,'binance','ETH/USDT:USDT','ETH','USDT',0,0.0005,0.0005,2300,"
	    "2250,-2.385,-0.0104,-2.385,115,0.1,'2024-01-08 08:00:00',"
	    "'2024-01-08 20:00:00','stop_loss','Live1',NULL,5,'futures',2.0,"
	    "1);");
}

static struct tl_ftdb *
open_ok(const char *path)
{
	struct tl_ftdb *f;
	struct tl_err err;

	tl_err_clear(&err);
	f = tl_ftdb_open(path, &err);
	cr_assert_not_null(f, "%s: %s", err.where, err.msg);
	return f;
}

static json_t *
next_row(struct tl_ftdb *f, long long want_id)
{
	struct tl_err err;
	const char *t;
	size_t n;
	long long id;
	json_t *v;

	tl_err_clear(&err);
	cr_assert_eq(tl_ftdb_next(f, &t, &n, &id, &err), 1, "%s", err.msg);
	cr_assert_eq(id, want_id);
	v = json_loadb(t, n, JSON_REJECT_DUPLICATES, NULL);
	cr_assert_not_null(v, "'%.*s'", (int)n, t);
	return v;
}

static char *
slurp(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	char *p;

	cr_assert_not_null(fp);
	fseek(fp, 0, SEEK_END);
	*n = (size_t)ftell(fp);
	rewind(fp);
	p = malloc(*n + 1);
	cr_assert_eq(fread(p, 1, *n, fp), *n);
	fclose(fp);
	return p;
}

Test(tl_ftdb, closed_trades_in_id_order)
{
	const char *path = db_path("tradesv3.sqlite");
	struct tl_ftdb *f;
	struct tl_err err;
	const char *t;
	size_t n;
	long long id;
	json_t *v;

	fill(path);
	f = open_ok(path);
	v = next_row(f, 1);
	cr_assert_str_eq(json_string_value(json_object_get(v, "pair")),
	    "BTC/USDT");
	cr_assert_str_eq(json_string_value(json_object_get(v, "open_date")),
	    "2024-01-05 10:00:02.345678");
	cr_assert_eq(json_number_value(json_object_get(v, "profit_abs")),
	    8.61);
	cr_assert_eq(json_number_value(json_object_get(v, "profit_ratio")),
	    0.0207);
	cr_assert_str_eq(json_string_value(json_object_get(v, "enter_tag")),
	    "rsi_dip");
	cr_assert_eq(json_integer_value(json_object_get(v, "is_short")), 0);
	json_decref(v);
	v = next_row(f, 3);	/* 2 is open */
	cr_assert_str_eq(json_string_value(json_object_get(v, "exit_reason")),
	    "stop_loss");
	cr_assert_null(json_object_get(v, "enter_tag"), "NULL is absent");
	cr_assert_eq(json_integer_value(json_object_get(v, "is_short")), 1);
	json_decref(v);
	cr_assert_eq(tl_ftdb_next(f, &t, &n, &id, &err), 0);
	cr_assert_eq(tl_ftdb_open_trades(f), 1);
	tl_ftdb_free(f);
}

Test(tl_ftdb, old_column_names)
{
	const char *path = db_path("old.sqlite");
	struct tl_ftdb *f;
	json_t *v;

	exec(path, "CREATE TABLE trades (id INTEGER PRIMARY KEY, exchange "
	    "TEXT, pair TEXT, is_open BOOLEAN, fee_open FLOAT, fee_close FLOAT,"
	    " open_rate FLOAT, close_rate FLOAT, close_profit_abs FLOAT, "
	    "stake_amount FLOAT, amount FLOAT, open_date DATETIME, close_date "
	    "DATETIME, sell_reason TEXT, strategy TEXT, buy_tag TEXT);"
	    "INSERT INTO trades VALUES (7,'kraken','XBT/EUR',0,0.0026,0.0026,"
	    "30000,30500,4.7,300,0.01,'2021-11-02 12:00:00',"
	    "'2021-11-03 12:00:00','sell_signal','Old',NULL);");
	f = open_ok(path);
	v = next_row(f, 7);
	cr_assert_str_eq(json_string_value(json_object_get(v, "sell_reason")),
	    "sell_signal");
	json_decref(v);
	tl_ftdb_free(f);
}

/* A second connection in the middle of a write transaction (BEGIN
 * IMMEDIATE, a row inserted, not committed) neither blocks the read nor
 * shows its row, and the file's bytes do not change. */
Test(tl_ftdb, read_while_a_writer_holds_the_database)
{
	const char *path = db_path("busy.sqlite");
	struct tl_ftdb *f;
	struct tl_err err;
	const char *t;
	size_t n, n2;
	long long id;
	char *before, *after;
	sqlite3 *w;
	int rows = 0;

	fill(path);
	before = slurp(path, &n);
	cr_assert_eq(sqlite3_open(path, &w), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(w, "BEGIN IMMEDIATE; INSERT INTO trades "
	    "(id,exchange,pair,is_open,fee_open,fee_close,open_rate,"
	    "stake_amount,open_date,is_short,close_date,close_rate,amount,"
	    "close_profit_abs,strategy) VALUES (9,'x','Z/Z',0,0,0,1,1,"
	    "'2024-02-01',0,'2024-02-02',1,1,0,'W')", NULL, NULL, NULL),
	    SQLITE_OK);
	f = open_ok(path);
	while (tl_ftdb_next(f, &t, &n2, &id, &err) == 1) {
		cr_assert_neq(id, 9, "an uncommitted row was read");
		rows++;
	}
	cr_assert_eq(rows, 2);
	tl_ftdb_free(f);
	after = slurp(path, &n2);
	cr_assert_eq(n, n2);
	cr_assert_eq(memcmp(before, after, n), 0, "the file changed");
	sqlite3_exec(w, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(w);
	free(before);
	free(after);
}

Test(tl_ftdb, not_a_trade_database)
{
	static const struct {
		const char *name, *sql, *content;
		int code;
		const char *msg;
	} cases[] = {
		{ "empty.sqlite", "CREATE TABLE pairlocks (id INTEGER);", NULL,
		    65, "no table 'trades' (not a freqtrade trade database?)" },
		{ "nocol.sqlite", "CREATE TABLE trades (id INTEGER, pair TEXT);",
		    NULL, 65, "table 'trades' has no column 'strategy'" },
		{ "text.sqlite", NULL, "{\"a\":1}\n", 65,
		    "not a readable SQLite database: file is not a database" },
		{ "corrupt.sqlite", NULL, NULL, 65,
		    "not a readable SQLite database: database disk image is "
		    "malformed" },
		{ "missing.sqlite", NULL, "", 66, "No such file or directory" }
	};
	struct tl_ftdb *f;
	struct tl_err err;
	const char *path;
	char *bytes;
	size_t i, n;

	for (i = 0; i < TL_NELEM(cases); i++) {
		path = db_path(cases[i].name);
		if (cases[i].sql != NULL)
			exec(path, cases[i].sql);
		else if (cases[i].content != NULL && *cases[i].content)
			ut_write_str(path, cases[i].content);
		else if (cases[i].code == 65) {
			/* a real database whose pages past the header are
			 * garbage */
			fill(path);
			bytes = slurp(path, &n);
			memset(bytes + 100, 0x5a, n - 100);
			ut_write(path, bytes, n);
			free(bytes);
		}
		tl_err_clear(&err);
		f = tl_ftdb_open(path, &err);
		cr_assert_null(f, "%s", cases[i].name);
		cr_assert_eq(err.code, cases[i].code, "%s: %d %s",
		    cases[i].name, err.code, err.msg);
		cr_assert(strstr(err.msg, cases[i].msg) != NULL,
		    "%s: '%s' lacks '%s'", cases[i].name, err.msg,
		    cases[i].msg);
	}
}

Test(tl_ftdb, path_with_uri_characters)
{
	const char *path = db_path("a?b#c%20d.sqlite");
	struct tl_ftdb *f;
	json_t *v;

	fill(path);
	f = open_ok(path);
	v = next_row(f, 1);
	json_decref(v);
	tl_ftdb_free(f);
}

Test(tl_ftdb, blob_row_is_an_error_for_that_row)
{
	const char *path = db_path("blob.sqlite");
	struct tl_ftdb *f;
	struct tl_err err;
	const char *t;
	size_t n;
	long long id;
	json_t *v;

	fill(path);
	exec(path, "UPDATE trades SET exit_reason = x'00ff' WHERE id = 1");
	f = open_ok(path);
	tl_err_clear(&err);
	cr_assert_eq(tl_ftdb_next(f, &t, &n, &id, &err), -1);
	cr_assert_eq(err.code, 65);
	cr_assert_str_eq(err.msg, "trade id 1: column 'exit_reason': a blob");
	cr_assert(!tl_ftdb_failed(f));
	v = next_row(f, 3);
	json_decref(v);
	tl_ftdb_free(f);
}

/* A closed trade with a NULL where it needs a value is an error for that
 * row, in the database's words (close_profit_abs, not the trade object's
 * profit_abs; a NULL close_date of a closed trade, not an open trade); a
 * NULL where none is needed (enter_tag) is no member. */
Test(tl_ftdb, null_a_closed_trade_needs)
{
	const char *path = db_path("null.sqlite");
	struct tl_ftdb *f;
	struct tl_err err;
	const char *t;
	size_t n;
	long long id;
	json_t *v;

	fill(path);
	exec(path, "UPDATE trades SET close_profit_abs = NULL WHERE id = 1;"
	    "UPDATE trades SET close_date = NULL WHERE id = 3");
	f = open_ok(path);
	tl_err_clear(&err);
	cr_assert_eq(tl_ftdb_next(f, &t, &n, &id, &err), -1);
	cr_assert_eq(err.code, 65);
	cr_assert_str_eq(err.msg, "trade id 1: column 'close_profit_abs' is "
	    "NULL in a closed trade");
	cr_assert_eq(tl_ftdb_next(f, &t, &n, &id, &err), -1);
	cr_assert_str_eq(err.msg, "trade id 3: column 'close_date' is NULL in "
	    "a closed trade");
	cr_assert_eq(tl_ftdb_next(f, &t, &n, &id, &err), 0);
	tl_ftdb_free(f);
	fill(db_path("null2.sqlite"));
	f = open_ok(db_path("null2.sqlite"));
	json_decref(next_row(f, 1));
	v = next_row(f, 3);	/* its enter_tag is NULL */
	cr_assert_null(json_object_get(v, "enter_tag"));
	json_decref(v);
	tl_ftdb_free(f);
}
