/*
 * db.c - connection handling and the prepared-statement helpers (see db.h).
 *
 * Reconnection: any client error that means the connection is gone closes
 * it and reports DB_DOWN; the next call connects afresh.  A statement whose
 * *prepare* failed that way never reached the server, so it is retried once
 * on a fresh connection; this is what lets the first request after a MariaDB
 * restart succeed instead of failing.  Once executed, a statement is never
 * retried: its effect on the server is unknown.
 */
#include "db.h"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>

#include "conf.h"
#include "log.h"
#include "metrics.h"

#define DB_STMT_CACHE 48

/* Prepared statements kept per connection, keyed by their SQL text: a
 * cached statement costs one round trip (execute) instead of three
 * (prepare, execute, close), which halves the database's work per API call. */
struct db_cached {
	char *sql;
	MYSQL_STMT *st;
};

struct db {
	const struct conf_mysql *conf;
	MYSQL *conn;
	int in_tx;
	int no_cache;               /* one-off statements (migrations) */
	struct db_cached cache[DB_STMT_CACHE];
	size_t ncache;
	char err[256];
};

/* Client and server errors after which the connection cannot be reused. */
static int db_is_gone(unsigned e)
{
	return e == CR_CONNECTION_ERROR || e == CR_CONN_HOST_ERROR ||
	    e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST ||
	    e == CR_SERVER_LOST_EXTENDED || e == ER_CONNECTION_KILLED ||
	    e == ER_SERVER_SHUTDOWN || e == ER_NORMAL_SHUTDOWN ||
	    e == CR_COMMANDS_OUT_OF_SYNC;
}

struct db *db_new(const struct conf_mysql *conf)
{
	struct db *db = calloc(1, sizeof(*db));

	if (db != NULL)
		db->conf = conf;
	return db;
}

static void db_cache_clear(struct db *db)
{
	for (size_t i = 0; i < db->ncache; i++) {
		mysql_stmt_close(db->cache[i].st);
		free(db->cache[i].sql);
	}
	db->ncache = 0;
}

static void db_disconnect(struct db *db)
{
	db_cache_clear(db);
	if (db->conn != NULL)
		mysql_close(db->conn);
	db->conn = NULL;
	db->in_tx = 0;
}

void db_set_caching(struct db *db, int on)
{
	db->no_cache = !on;
}

static MYSQL_STMT *db_cache_find(struct db *db, const char *sql)
{
	for (size_t i = 0; i < db->ncache; i++)
		if (strcmp(db->cache[i].sql, sql) == 0)
			return db->cache[i].st;
	return NULL;
}

/* Keeps st for reuse; 0 when cached (the cache owns it now). */
static int db_cache_add(struct db *db, const char *sql, MYSQL_STMT *st)
{
	char *copy;

	if (db->no_cache || db->ncache == DB_STMT_CACHE || (copy = strdup(sql)) == NULL)
		return -1;
	db->cache[db->ncache].sql = copy;
	db->cache[db->ncache].st = st;
	db->ncache++;
	return 0;
}

/* Gives a statement back: cached ones stay open, others are closed. */
static void db_release(struct db *db, MYSQL_STMT *st)
{
	for (size_t i = 0; i < db->ncache; i++)
		if (db->cache[i].st == st) {
			mysql_stmt_free_result(st);
			return;
		}
	mysql_stmt_close(st);
}

void db_free(struct db *db)
{
	if (db == NULL)
		return;
	db_disconnect(db);
	free(db);
}

void db_global_cleanup(void)
{
	mysql_library_end();
}

const char *db_error(struct db *db)
{
	return db->err;
}

static void db_note(struct db *db, const char *what, unsigned code, const char *msg)
{
	snprintf(db->err, sizeof(db->err), "%s: %u %s", what, code, msg);
}

static int db_connect(struct db *db)
{
	const struct conf_mysql *c = db->conf;
	unsigned ct = c->connect_timeout_s, rw = c->rw_timeout_s;
	MYSQL *m;

	if (db->conn != NULL)
		return DB_OK;
	if ((m = mysql_init(NULL)) == NULL)
		return DB_DOWN;
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &rw);
	mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &rw);
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/* All times in the database are UTC; the server's zone must not matter.
	 * A rule's recipients are listed with GROUP_CONCAT: room for ten
	 * webhook URLs of 2048 bytes, where the default stops at 1024. */
	mysql_options(m, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00', group_concat_max_len = 65536");
	if (mysql_real_connect(m, c->host, c->user, c->password, c->database,
	    c->host != NULL ? c->port : 0, c->host != NULL ? NULL : c->socket,
	    CLIENT_FOUND_ROWS) == NULL) {
		db_note(db, "connect", mysql_errno(m), mysql_error(m));
		log_warn("mysql %s", db->err);
		mysql_close(m);
		return DB_DOWN;
	}
	db->conn = m;
	return DB_OK;
}

/* Failures handed to a caller are counted for /metrics (metrics.h). */
static int db_counted(int rc)
{
	if (rc == DB_DOWN)
		metrics_add(METRIC_DB_MYSQL_DOWN, 1);
	else if (rc == DB_ERROR)
		metrics_add(METRIC_DB_MYSQL_ERROR, 1);
	return rc;
}

int db_ping(struct db *db)
{
	if (db_connect(db) != DB_OK)
		return db_counted(DB_DOWN);
	if (mysql_ping(db->conn) == 0)
		return DB_OK;
	db_note(db, "ping", mysql_errno(db->conn), mysql_error(db->conn));
	db_disconnect(db);
	/* The old connection may simply have timed out: one fresh try. */
	if (db_connect(db) != DB_OK || mysql_ping(db->conn) != 0) {
		db_disconnect(db);
		return db_counted(DB_DOWN);
	}
	return DB_OK;
}

static int db_stmt_fail(struct db *db, MYSQL_STMT *st, const char *what)
{
	unsigned e = mysql_stmt_errno(st);

	db_note(db, what, e, mysql_stmt_error(st));
	if (db_is_gone(e)) {
		log_warn("mysql connection lost: %s", db->err);
		db_disconnect(db);
		return DB_DOWN;
	}
	if (e == ER_DUP_ENTRY || e == ER_DUP_KEY)
		return DB_DUPLICATE;
	log_error("mysql %s", db->err);
	return DB_ERROR;
}

static void db_bind_args(MYSQL_BIND *b, const struct db_val *args, size_t n)
{
	memset(b, 0, n * sizeof(*b));
	for (size_t i = 0; i < n; i++) {
		switch (args[i].type) {
		case DB_T_NULL:
			b[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		case DB_T_INT:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)&args[i].i;
			break;
		case DB_T_DOUBLE:
			b[i].buffer_type = MYSQL_TYPE_DOUBLE;
			b[i].buffer = (void *)&args[i].d;
			break;
		case DB_T_TEXT:
		case DB_T_BLOB:
			b[i].buffer_type = args[i].type == DB_T_TEXT ?
			    MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
			b[i].buffer = (void *)args[i].p;
			b[i].buffer_length = args[i].len;
			break;
		}
	}
}

/* A prepared statement for sql: from the cache, or prepared now (and
 * cached).  Retries once on a fresh connection when the prepare found the
 * old one gone: nothing can have run yet. */
static int db_prepare(struct db *db, const char *sql, MYSQL_STMT **out)
{
	MYSQL_STMT *st;
	int rc;

	for (int attempt = 0; attempt < 2; attempt++) {
		if (db_connect(db) != DB_OK)
			return DB_DOWN;
		if ((*out = db_cache_find(db, sql)) != NULL)
			return DB_OK;
		if ((st = mysql_stmt_init(db->conn)) == NULL)
			return DB_ERROR;
		if (mysql_stmt_prepare(st, sql, strlen(sql)) == 0) {
			(void)db_cache_add(db, sql, st);
			*out = st;
			return DB_OK;
		}
		rc = db_stmt_fail(db, st, "prepare");
		mysql_stmt_close(st);
		if (rc != DB_DOWN || db->in_tx)
			return rc;
	}
	return DB_DOWN;
}

/* Prepares (or reuses) and executes.  A cached statement whose connection
 * turns out to be gone before the server saw it (CR_SERVER_GONE_ERROR at
 * send) is retried once on a fresh connection; any other failure after
 * sending is not, as its effect on the server is unknown. */
static int db_run(struct db *db, const char *sql, const struct db_val *args,
    size_t nargs, MYSQL_STMT **out)
{
	MYSQL_BIND bind[nargs > 0 ? nargs : 1];
	MYSQL_STMT *st;
	int rc;

	db_bind_args(bind, args, nargs);
	for (int attempt = 0; attempt < 2; attempt++) {
		unsigned e;

		if ((rc = db_prepare(db, sql, &st)) != DB_OK)
			return rc;
		if ((nargs == 0 || mysql_stmt_bind_param(st, bind) == 0) && mysql_stmt_execute(st) == 0) {
			*out = st;
			return DB_OK;
		}
		e = mysql_stmt_errno(st);
		if (db_cache_find(db, sql) != st) {
			rc = db_stmt_fail(db, st, "execute");
			mysql_stmt_close(st);
			return rc;
		}
		rc = db_stmt_fail(db, st, "execute");   /* disconnects (and uncaches) when gone */
		if (rc != DB_DOWN || e != CR_SERVER_GONE_ERROR || db->in_tx)
			return rc;
	}
	return rc;
}

int db_exec(struct db *db, const char *sql, const struct db_val *args,
    size_t nargs, struct db_result *res)
{
	MYSQL_STMT *st;
	int rc = db_run(db, sql, args, nargs, &st);

	if (rc != DB_OK)
		return db_counted(rc);
	if (res != NULL) {
		res->insert_id = mysql_stmt_insert_id(st);
		res->affected = mysql_stmt_affected_rows(st);
		res->rows = 0;
	}
	db_release(db, st);
	return DB_OK;
}

static int db_fetch_rows(struct db *db, MYSQL_STMT *st, db_row_fn fn, void *ctx)
{
	MYSQL_RES *meta = mysql_stmt_result_metadata(st);
	unsigned ncols = meta != NULL ? mysql_num_fields(meta) : 0;
	MYSQL_FIELD *fields = meta != NULL ? mysql_fetch_fields(meta) : NULL;
	MYSQL_BIND bind[ncols > 0 ? ncols : 1];
	unsigned long lens[ncols > 0 ? ncols : 1];
	my_bool nulls[ncols > 0 ? ncols : 1];
	char *bufs[ncols > 0 ? ncols : 1];
	const char *cols[ncols > 0 ? ncols : 1];
	struct db_row row = { ncols, cols, lens };
	int rc = DB_NOTFOUND, fr;

	memset(bind, 0, sizeof(bind));
	memset(bufs, 0, sizeof(bufs));
	for (unsigned i = 0; i < ncols; i++) {
		size_t cap = fields[i].max_length + 1;

		if ((bufs[i] = malloc(cap)) == NULL) {
			rc = DB_ERROR;
			goto out;
		}
		bind[i].buffer_type = MYSQL_TYPE_STRING;
		bind[i].buffer = bufs[i];
		bind[i].buffer_length = cap;
		bind[i].length = &lens[i];
		bind[i].is_null = &nulls[i];
	}
	if (ncols > 0 && mysql_stmt_bind_result(st, bind) != 0) {
		rc = db_stmt_fail(db, st, "bind");
		goto out;
	}
	while ((fr = mysql_stmt_fetch(st)) == 0 || fr == MYSQL_DATA_TRUNCATED) {
		for (unsigned i = 0; i < ncols; i++) {
			cols[i] = nulls[i] ? NULL : bufs[i];
			if (!nulls[i])
				bufs[i][lens[i]] = '\0';
		}
		rc = DB_OK;
		if (fn != NULL && fn(ctx, &row) != 0)
			break;
	}
	if (fr == 1)
		rc = db_stmt_fail(db, st, "fetch");
out:
	for (unsigned i = 0; i < ncols; i++)
		free(bufs[i]);
	if (meta != NULL)
		mysql_free_result(meta);
	return rc;
}

int db_query(struct db *db, const char *sql, const struct db_val *args,
    size_t nargs, db_row_fn fn, void *ctx)
{
	my_bool update_max = 1;
	MYSQL_STMT *st;
	int rc = db_run(db, sql, args, nargs, &st);

	if (rc != DB_OK)
		return db_counted(rc);
	/* Buffer the result so every column's max_length is known up front. */
	mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &update_max);
	if (mysql_stmt_store_result(st) != 0)
		rc = db_stmt_fail(db, st, "store");
	else
		rc = db_fetch_rows(db, st, fn, ctx);
	/* After a lost connection the cache was cleared and st closed with it. */
	if (db->conn != NULL)
		db_release(db, st);
	return db_counted(rc);
}

int db_query_all(struct db *db, const char *sql, const struct db_val *args,
    size_t nargs, db_row_fn fn, void *ctx)
{
	int rc = db_query(db, sql, args, nargs, fn, ctx);

	return rc == DB_NOTFOUND ? DB_OK : rc;
}

long long db_row_int(const struct db_row *row, size_t i)
{
	return i < row->ncols && row->cols[i] != NULL ? strtoll(row->cols[i], NULL, 10) : 0;
}

const char *db_row_str(const struct db_row *row, size_t i)
{
	return i < row->ncols ? row->cols[i] : NULL;
}

const char *db_row_text(const struct db_row *row, size_t i)
{
	const char *s = db_row_str(row, i);

	return s != NULL ? s : "";
}

void db_row_copy(char *dst, size_t cap, const struct db_row *row, size_t i)
{
	snprintf(dst, cap, "%s", db_row_text(row, i));
}

int db_begin(struct db *db)
{
	int rc = db_exec(db, "START TRANSACTION", NULL, 0, NULL);

	if (rc == DB_OK)
		db->in_tx = 1;
	return rc;
}

int db_commit(struct db *db)
{
	int rc = db_exec(db, "COMMIT", NULL, 0, NULL);

	db->in_tx = 0;
	return rc;
}

void db_rollback(struct db *db)
{
	if (db->conn != NULL && db->in_tx)
		(void)db_exec(db, "ROLLBACK", NULL, 0, NULL);
	db->in_tx = 0;
}
