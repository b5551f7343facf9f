/*
 * store.c - MongoDB connection and index management (see store.h).
 *
 * Index definitions are data, not code: schema/mongo/NNN_*.json hold
 * createIndexes command documents, so an operator can read exactly which
 * indexes production needs and apply them with mongosh if they prefer.
 * createIndexes is idempotent in MongoDB, so applying them again is safe.
 */
#include "store.h"

#include <dirent.h>
#include <mongoc/mongoc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "crypto.h"
#include "log.h"
#include "metrics.h"
#include "store_internal.h"

struct store {
	mongoc_client_t *client;
	mongoc_collection_t *readings;  /* opened once per process, not per request */
	char *dbname;
};

void store_global_init(void)
{
	mongoc_init();
}

void store_global_cleanup(void)
{
	mongoc_cleanup();
}

/* Fail fast while MongoDB is down unless the operator chose otherwise. */
static void store_default_timeouts(mongoc_uri_t *uri)
{
	if (!mongoc_uri_has_option(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS))
		mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 2000);
	if (!mongoc_uri_has_option(uri, MONGOC_URI_CONNECTTIMEOUTMS))
		mongoc_uri_set_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS, 2000);
}

/* Every write to readings is acknowledged by a majority and journaled: a
 * 2xx means the reading is on disk. */
static mongoc_collection_t *store_open_readings(mongoc_client_t *client, const char *dbname)
{
	mongoc_collection_t *coll = mongoc_client_get_collection(client, dbname, "readings");
	mongoc_write_concern_t *wc = mongoc_write_concern_new();

	mongoc_write_concern_set_wmajority(wc, 0);
	mongoc_write_concern_set_journal(wc, true);
	mongoc_collection_set_write_concern(coll, wc);
	mongoc_write_concern_destroy(wc);
	return coll;
}

struct store *store_new(const struct conf_mongo *conf, const char *appname,
    char *err, size_t errlen)
{
	bson_error_t berr;
	mongoc_uri_t *uri = mongoc_uri_new_with_error(conf->uri, &berr);
	struct store *s = NULL;

	if (uri == NULL) {
		snprintf(err, errlen, "mongo.uri: %s", berr.message);
		return NULL;
	}
	store_default_timeouts(uri);
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->dbname = strdup(conf->database)) == NULL ||
	    (s->client = mongoc_client_new_from_uri_with_error(uri, &berr)) == NULL) {
		snprintf(err, errlen, "mongo client: %s", s == NULL ? "out of memory" : berr.message);
		store_free(s);
		s = NULL;
	} else {
		mongoc_client_set_error_api(s->client, MONGOC_ERROR_API_VERSION_2);
		mongoc_client_set_appname(s->client, appname);
		s->readings = store_open_readings(s->client, s->dbname);
	}
	mongoc_uri_destroy(uri);
	return s;
}

void store_free(struct store *s)
{
	if (s == NULL)
		return;
	if (s->readings != NULL)
		mongoc_collection_destroy(s->readings);
	if (s->client != NULL)
		mongoc_client_destroy(s->client);
	free(s->dbname);
	free(s);
}

/*
 * ObjectIds as the ObjectId specification makes them - 4 bytes of seconds,
 * 5 random bytes per process, a 3-byte counter from a random start - but
 * without libbson's bson_oid_init(), which asks the kernel for its pid on
 * every id to notice a fork: a thousand getpid(2) calls per batch, which
 * libmongoc makes for every document that arrives without an _id.  A fork
 * is noticed here by pthread_atfork instead: the child draws new bytes.
 */
static struct {
	int ready;
	unsigned char process[5];
	uint32_t counter;
} store_oid_state;
static pthread_once_t store_oid_once = PTHREAD_ONCE_INIT;

static void store_oid_forked(void)
{
	store_oid_state.ready = 0;
}

static void store_oid_atfork(void)
{
	pthread_atfork(NULL, NULL, store_oid_forked);
}

void store_oid_new(bson_oid_t *oid, time_t now)
{
	uint32_t t = (uint32_t)now, c;
	unsigned char b[12], seed[8];

	pthread_once(&store_oid_once, store_oid_atfork);
	if (!store_oid_state.ready) {
		/* Should the CSPRNG fail, libbson's generator stands in. */
		if (crypto_random(seed, sizeof(seed)) != 0) {
			bson_oid_init(oid, NULL);
			return;
		}
		memcpy(store_oid_state.process, seed, 5);
		store_oid_state.counter = (uint32_t)seed[5] << 16 | (uint32_t)seed[6] << 8 | seed[7];
		store_oid_state.ready = 1;
	}
	c = store_oid_state.counter++ & 0xffffff;
	b[0] = (unsigned char)(t >> 24);
	b[1] = (unsigned char)(t >> 16);
	b[2] = (unsigned char)(t >> 8);
	b[3] = (unsigned char)t;
	memcpy(b + 4, store_oid_state.process, 5);
	b[9] = (unsigned char)(c >> 16);
	b[10] = (unsigned char)(c >> 8);
	b[11] = (unsigned char)c;
	bson_oid_init_from_data(oid, b);
}

/* Server selection and socket errors mean "down"; the rest are errors. */
int store_error_status(const bson_error_t *e)
{
	if (e->domain == MONGOC_ERROR_SERVER_SELECTION || e->domain == MONGOC_ERROR_STREAM) {
		metrics_add(METRIC_DB_MONGO_DOWN, 1);
		return STORE_DOWN;
	}
	metrics_add(METRIC_DB_MONGO_ERROR, 1);
	return STORE_ERROR;
}

int store_ping(struct store *s)
{
	bson_t *cmd = BCON_NEW("ping", BCON_INT32(1));
	bson_error_t e;
	bool ok = mongoc_client_command_simple(s->client, "admin", cmd, NULL, NULL, &e);

	bson_destroy(cmd);
	if (ok)
		return STORE_OK;
	log_warn("mongodb ping: %s", e.message);
	return store_error_status(&e);
}

static int store_run_file(struct store *s, const char *path, char *err, size_t errlen)
{
	bson_error_t e;
	bson_json_reader_t *rd = bson_json_reader_new_from_file(path, &e);
	mongoc_database_t *db;
	bson_t cmd = BSON_INITIALIZER;
	bson_t reply;
	int rc = STORE_ERROR;

	if (rd == NULL || bson_json_reader_read(rd, &cmd, &e) != 1) {
		snprintf(err, errlen, "%s: %s", path, rd == NULL ? e.message : "not one JSON document");
		goto out;
	}
	db = mongoc_client_get_database(s->client, s->dbname);
	if (mongoc_database_write_command_with_opts(db, &cmd, NULL, &reply, &e)) {
		rc = STORE_OK;
	} else {
		snprintf(err, errlen, "%s: %s", path, e.message);
		rc = store_error_status(&e);
	}
	bson_destroy(&reply);
	mongoc_database_destroy(db);
out:
	bson_destroy(&cmd);
	if (rd != NULL)
		bson_json_reader_destroy(rd);
	return rc;
}

static int store_name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int store_is_json(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

int store_apply_indexes(struct store *s, const char *schema_dir, char *err, size_t errlen)
{
	char dir[4096], path[4096 + 256];
	struct dirent **names = NULL;
	int n, rc = STORE_OK;

	snprintf(dir, sizeof(dir), "%s/mongo", schema_dir);
	if ((n = scandir(dir, &names, store_is_json, store_name_cmp)) < 0) {
		snprintf(err, errlen, "%s: cannot read directory", dir);
		return STORE_ERROR;
	}
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (rc == STORE_OK && (rc = store_run_file(s, path, err, errlen)) == STORE_OK)
			log_info("mongodb indexes applied: %s", names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return rc;
}

mongoc_collection_t *store_readings_collection(struct store *s)
{
	return s->readings;
}
