/*
 * db.h - the MySQL/MariaDB connection of one process, prepared statements only.
 *
 * Each process (worker, alertd, gaugectl) owns one struct db.  It connects
 * lazily and, after the server goes away, drops the connection so the next
 * call reconnects: an outage costs 503s while it lasts, never a restart.
 *
 * Queries are written as one function per question in db_*.c files, each a
 * call to db_exec()/db_query()/db_query_all() with typed arguments; no SQL
 * is ever built from request data, and no SQL is written outside db_*.c
 * (tests/tools/sql-outside-db.sh keeps it so).  A query hands back typed
 * values: its row callback, in the db file, fills a struct declared in the
 * db header, so a column's position is known in one file only.
 */
#ifndef GAUGE_DB_H
#define GAUGE_DB_H

#include <stddef.h>
#include <string.h>

struct conf_mysql;
struct db;

/* What every db_* function returns.  0 is success and every failure is
 * negative, as everywhere in Gauge; callers compare by name (rc == DB_NOTFOUND,
 * rc != DB_OK), never by sign. */
enum db_status {
	/* The statement ran; a lookup found its row. */
	DB_OK = 0,
	/* A lookup (db_query) matched no row, or a change matched nothing to
	 * change.  Lists use db_query_all, for which no row is DB_OK. */
	DB_NOTFOUND = -1,
	/* No usable connection (it could not be made, or was lost): the
	 * caller answers 503; the next call reconnects. */
	DB_DOWN = -2,
	/* The statement failed on the server: a bug or a schema out of date. */
	DB_ERROR = -3,
	/* A unique key refused the row. */
	DB_DUPLICATE = -4,
};

enum db_type { DB_T_NULL, DB_T_INT, DB_T_DOUBLE, DB_T_TEXT, DB_T_BLOB };

struct db_val {
	enum db_type type;
	long long i;
	double d;
	const void *p;
	size_t len;
};

#define DB_NULL      ((struct db_val){ .type = DB_T_NULL })
#define DB_INT(x)    ((struct db_val){ .type = DB_T_INT, .i = (x) })
#define DB_DOUBLE(x) ((struct db_val){ .type = DB_T_DOUBLE, .d = (x) })
#define DB_TEXT(s)   ((s) == NULL ? DB_NULL : \
    (struct db_val){ .type = DB_T_TEXT, .p = (s), .len = strlen(s) })
#define DB_BLOB(b, n) ((struct db_val){ .type = DB_T_BLOB, .p = (b), .len = (n) })

/* One fetched row: every column as bytes (NULL when SQL NULL). */
struct db_row {
	size_t ncols;
	const char *const *cols;
	const unsigned long *lens;
};

long long   db_row_int(const struct db_row *row, size_t i);
const char *db_row_str(const struct db_row *row, size_t i);
/* Column i as text, "" for NULL (valid until the row callback returns). */
const char *db_row_text(const struct db_row *row, size_t i);
/* Copies column i into dst (cap bytes, always terminated; "" for NULL). */
void        db_row_copy(char *dst, size_t cap, const struct db_row *row, size_t i);

typedef int (*db_row_fn)(void *ctx, const struct db_row *row);

struct db_result {
	unsigned long long insert_id;
	unsigned long long affected;
	size_t rows;
};

struct db *db_new(const struct conf_mysql *conf);
void db_free(struct db *db);
/* Frees what the client library set up for the whole process on the first
 * connection.  For a process that loads and unloads us (the Mosquitto
 * plugin): call once, after the last db_free. */
void db_global_cleanup(void);
int  db_ping(struct db *db);
/* Runs sql with args; fills res when non-NULL. */
int  db_exec(struct db *db, const char *sql, const struct db_val *args,
    size_t nargs, struct db_result *res);
/* Runs sql with args, calling fn for each row; fn returning non-zero stops
 * the fetch.  DB_NOTFOUND when no row came back: for lookups. */
int  db_query(struct db *db, const char *sql, const struct db_val *args,
    size_t nargs, db_row_fn fn, void *ctx);
/* The same for lists, where no row is an empty list: DB_OK then. */
int  db_query_all(struct db *db, const char *sql, const struct db_val *args,
    size_t nargs, db_row_fn fn, void *ctx);
int  db_begin(struct db *db);
int  db_commit(struct db *db);
void db_rollback(struct db *db);
/* Statements are cached per connection unless turned off (one-off DDL). */
void db_set_caching(struct db *db, int on);
/* The server's last message, for logs only. */
const char *db_error(struct db *db);

#define DB_ARGS(...) ((const struct db_val[]){ __VA_ARGS__ }), \
    (sizeof((const struct db_val[]){ __VA_ARGS__ }) / sizeof(struct db_val))

#endif
