/*
 * db_migrate.c - forward-only migrations (see db_migrate.h).
 *
 * Each file runs statement by statement (split at a ';' ending a line) and
 * is then recorded in schema_migrations.  A named lock serialises
 * concurrent runs (two hosts deploying at once).  MySQL commits DDL
 * implicitly, so a migration that fails half-way is reported with the
 * statement that failed and must be repaired by hand; that is why each
 * migration should be small.
 */
#include "db_migrate.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"

static char *migrate_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
		}
	}
	fclose(f);
	return buf;
}

/* Runs the statements of one file; comment lines ("-- ...") are dropped. */
static int migrate_run_sql(struct db *db, const char *name, char *sql)
{
	char *stmt = sql, *line = sql, *out = sql;
	int rc = DB_OK;

	while (*line != '\0' && rc == DB_OK) {
		char *eol = strchr(line, '\n'), *end;
		const char *p = line;

		if (eol == NULL)
			eol = line + strlen(line);
		while (*p == ' ' || *p == '\t')
			p++;
		end = eol;
		while (end > line && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			end--;
		if (strncmp(p, "--", 2) != 0 && end > p) {
			memmove(out, line, (size_t)(end - line));
			out += end - line;
			*out++ = '\n';
			if (end[-1] == ';') {
				out[-2] = '\0';
				if ((rc = db_exec(db, stmt, NULL, 0, NULL)) != DB_OK)
					log_error("migration %s failed at: %.200s: %s", name, stmt, db_error(db));
				stmt = out;
			}
		}
		line = *eol == '\n' ? eol + 1 : eol;
	}
	return rc;
}

static int migrate_applied(struct db *db, const char *version)
{
	return db_query(db, "SELECT version FROM schema_migrations WHERE version = ?",
	    DB_ARGS(DB_TEXT(version)), NULL, NULL);
}

static int migrate_file(struct db *db, const char *dir, const char *name, int *applied)
{
	char path[4096 + 512];
	char *sql;
	int rc = migrate_applied(db, name);

	if (rc != DB_NOTFOUND)
		return rc;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((sql = migrate_slurp(path)) == NULL) {
		log_error("cannot read %s", path);
		return DB_ERROR;
	}
	rc = migrate_run_sql(db, name, sql);
	free(sql);
	if (rc == DB_OK)
		rc = db_exec(db, "INSERT INTO schema_migrations (version) VALUES (?)",
		    DB_ARGS(DB_TEXT(name)), NULL);
	if (rc == DB_OK) {
		log_info("migration applied: %s", name);
		(*applied)++;
	}
	return rc;
}

static int migrate_lock_fn(void *ctx, const struct db_row *row)
{
	*(int *)ctx = db_row_int(row, 0) == 1;
	return 1;
}

static int migrate_is_sql(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && strcmp(d->d_name + n - 4, ".sql") == 0;
}

static int migrate_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int db_migrate(struct db *db, const char *schema_dir, int *applied)
{
	char dir[4096];
	struct dirent **names = NULL;
	int n, rc, locked = 0;

	*applied = 0;
	db_set_caching(db, 0);
	snprintf(dir, sizeof(dir), "%s/mysql", schema_dir);
	rc = db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version VARCHAR(191) NOT NULL PRIMARY KEY, "
	    "applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)) ENGINE=InnoDB",
	    NULL, 0, NULL);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_query(db, "SELECT GET_LOCK('gauge.migrate', 60)", NULL, 0,
	    migrate_lock_fn, &locked)) != DB_OK)
		return rc;
	if (!locked) {
		log_error("another migration has held the lock for 60 s; try again");
		return DB_ERROR;
	}
	if ((n = scandir(dir, &names, migrate_is_sql, migrate_cmp)) < 0) {
		log_error("cannot read %s", dir);
		rc = DB_ERROR;
		n = 0;
	} else {
		rc = DB_OK;
	}
	for (int i = 0; i < n; i++) {
		if (rc == DB_OK)
			rc = migrate_file(db, dir, names[i]->d_name, applied);
		free(names[i]);
	}
	free(names);
	(void)db_query(db, "SELECT RELEASE_LOCK('gauge.migrate')", NULL, 0, NULL, NULL);
	return rc;
}
