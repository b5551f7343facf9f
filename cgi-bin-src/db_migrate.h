/*
 * db_migrate.h - apply schema/mysql/NNN_*.sql migrations in order, once.
 */
#ifndef GAUGE_DB_MIGRATE_H
#define GAUGE_DB_MIGRATE_H

struct db;

/* Applies every migration not yet recorded; *applied counts them. */
int db_migrate(struct db *db, const char *schema_dir, int *applied);

#endif
