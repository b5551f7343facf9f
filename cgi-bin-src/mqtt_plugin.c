/*
 * mqtt_plugin.c - gauge_mosquitto.so: Mosquitto 2.0 takes readings with
 * Gauge's keys, validation and guarantee.
 *
 * The MQTT edge, as api_*.c is the HTTPS one.  Mosquitto does TLS and the
 * protocol; this plugin answers its three questions:
 *
 *   MOSQ_EVT_BASIC_AUTH  username = device id, password = that device's key
 *                        (or an account key, any username): the API's key
 *                        check (key_cache_lookup: one indexed lookup of the
 *                        SHA-256, remembered for KEY_CACHE_MS).
 *   MOSQ_EVT_ACL_CHECK   publish only to gauge/v1/devices/{id}/readings,
 *                        subscribe only to .../{id}/errors, for a device the
 *                        key reaches (mqtt_topic.h: no wildcards, nothing
 *                        else).  The key is checked again on every publish
 *                        and subscribe through the same 1 s cache, so a
 *                        revoked or expired key stops within the API's
 *                        settle time; each publish counts against the key's
 *                        rate limit, in the table the API workers share.
 *   MOSQ_EVT_MESSAGE     the payload goes through ingest.c, as an HTTPS body
 *                        does, and is stored before this callback returns.
 *
 * What the return value of the message callback does to the PUBACK, in
 * Mosquitto 2.0.11 (src/handle_publish.c, handle__publish after
 * plugin__handle_message):
 *   MOSQ_ERR_SUCCESS     the broker goes on and sends PUBACK (QoS 1): so a
 *                        PUBACK is only ever sent after the readings are in
 *                        MongoDB with the journaled write concern.
 *   MOSQ_ERR_ACL_DENIED  "process_bad_message": PUBACK with reason 0x87 (Not
 *                        authorized) for MQTT 5; MQTT 3.1.1 has no negative
 *                        PUBACK, so a 3.1.1 client sees a plain PUBACK.  Used
 *                        only for final refusals, what HTTPS answers with a
 *                        4xx that resending cannot change (bad payload, too
 *                        large, a topic the key may not use); the error body
 *                        is also published to the device's errors topic.
 *   anything else        handle__publish returns it, and the broker sends no
 *                        PUBACK and drops the connection (MQTT 5: DISCONNECT
 *                        0x80 first).  Used for what HTTPS answers 503 or 429
 *                        (MongoDB did not confirm the write; over the key's
 *                        rate limit): the client still holds the message and
 *                        sends it again (DUP) after reconnecting, and ids make
 *                        that resend store nothing twice.
 * So for QoS 1, with either protocol version, a PUBACK means the readings
 * are stored or finally refused, never "try again later".
 * The broker is single-threaded: each message costs one blocking store call
 * (and, once a second per key, one MariaDB lookup), which bounds one
 * broker's rate; more brokers scale it out (README, "MQTT ingest").
 *
 * The per-client state is the key hash presented at CONNECT (and the key's
 * expiry, so that MOSQ_EVT_TICK can end a listening session on time), kept
 * in a small table keyed by the client's handle, replaced at each
 * authentication and dropped at MOSQ_EVT_DISCONNECT.
 */
#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_api.h"
#include "ingest.h"
#include "key_cache.h"
#include "log.h"
#include "mqtt_topic.h"
#include "ratelimit.h"
#include "store.h"
#include "ts.h"
#include "valid.h"

#define MQTT_CLIENT_BUCKETS 1024

struct mqtt_client {
	struct mqtt_client *next;
	const struct mosquitto *client;
	unsigned char hash[SHA256_LEN];
	long long expires_ms;           /* the key's end as last looked up; 0: none */
	/* the device of the publish being handled: set by the ACL check, read
	 * by the message callback that Mosquitto calls right after it */
	long long device_id;
	char uid[PUBLIC_ID_LEN + 1];
};

struct mqtt_gauge {
	mosquitto_plugin_id_t *id;
	struct conf *conf;
	struct db *db;
	struct store *store;
	struct key_cache *keys;
	struct ratelimit *ratelimit;    /* NULL: not enforced (logged) */
	struct mqtt_client *clients[MQTT_CLIENT_BUCKETS];
	long long next_sweep_ms;
};

/* How often sessions are swept for keys that reached their expiry. */
#define MQTT_SWEEP_MS 200

static struct mqtt_client **mqtt_client_slot(struct mqtt_gauge *g, const struct mosquitto *client)
{
	uintptr_t h = (uintptr_t)client;

	h ^= h >> 17;
	return &g->clients[(h * 2654435761u) % MQTT_CLIENT_BUCKETS];
}

static struct mqtt_client *mqtt_client_find(struct mqtt_gauge *g, const struct mosquitto *client)
{
	for (struct mqtt_client *c = *mqtt_client_slot(g, client); c != NULL; c = c->next)
		if (c->client == client)
			return c;
	return NULL;
}

static void mqtt_client_forget(struct mqtt_gauge *g, const struct mosquitto *client)
{
	for (struct mqtt_client **p = mqtt_client_slot(g, client); *p != NULL; p = &(*p)->next)
		if ((*p)->client == client) {
			struct mqtt_client *dead = *p;

			*p = dead->next;
			explicit_bzero(dead, sizeof(*dead));
			free(dead);
			return;
		}
}

static int mqtt_client_remember(struct mqtt_gauge *g, const struct mosquitto *client,
    const unsigned char hash[SHA256_LEN], long long expires_ms)
{
	struct mqtt_client *c = mqtt_client_find(g, client), **slot;

	if (c == NULL) {
		if ((c = calloc(1, sizeof(*c))) == NULL)
			return -1;
		slot = mqtt_client_slot(g, client);
		c->client = client;
		c->next = *slot;
		*slot = c;
	}
	memcpy(c->hash, hash, SHA256_LEN);
	c->expires_ms = expires_ms;
	c->device_id = 0;
	c->uid[0] = '\0';
	return 0;
}

static const char *mqtt_address(const struct mosquitto *client)
{
	const char *a = mosquitto_client_address(client);

	return a != NULL ? a : "";
}

/* Publishes e, the API's error body, to the device's errors topic. */
static void mqtt_publish_error(const char *uid, const struct ingest_error *e)
{
	char topic[MQTT_TOPIC_MAX];
	struct json_object *o;
	const char *s;
	size_t len;

	if (mqtt_topic_make(MQTT_TOPIC_ERRORS, uid, topic) != 0)
		return;
	o = ingest_error_json(e);
	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
	    &len);
	if (mosquitto_broker_publish_copy(NULL, topic, (int)len, s, 1, false, NULL) != MOSQ_ERR_SUCCESS)
		log_warn("mqtt: %s: error not published", uid);
	json_object_put(o);
}

/* A failed log-in counts against the address's anonymous budget, as a
 * request without a valid key does on the API (the same table). */
static void mqtt_count_failure(struct mqtt_gauge *g, const char *addr)
{
	struct rl_result rl;

	if (g->ratelimit != NULL)
		ratelimit_hit(g->ratelimit, ratelimit_subject_addr(addr), g->conf->ratelimit_anon_per_minute,
		    60, time(NULL), &rl);
}

static int mqtt_on_basic_auth(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_basic_auth *ev = event_data;
	struct mqtt_gauge *g = userdata;
	const char *addr = mqtt_address(ev->client), *uid = NULL;
	unsigned char hash[SHA256_LEN];
	struct api_key_row key;
	struct api_device_row dev;
	enum key_kind kind;

	(void)event;
	if (ev->password == NULL || ev->username == NULL || key_hash(ev->password, &kind, hash) != 0) {
		mqtt_count_failure(g, addr);
		return MOSQ_ERR_AUTH;
	}
	/* a device key names its device; an account key may name any */
	if (kind == KEY_DEVICE) {
		if (!valid_public_id(ev->username, "dev_")) {
			mqtt_count_failure(g, addr);
			return MOSQ_ERR_AUTH;
		}
		uid = ev->username;
	}
	if (key_cache_lookup(g->keys, g->db, hash, uid, &key, &dev) != DB_OK) {
		log_warn("mqtt: %s: MariaDB unavailable, connection refused", addr);
		return MOSQ_ERR_UNKNOWN;    /* dropped, not "bad credentials": try again */
	}
	if (!key_live(&key, ts_now_ms()) || key.kind != kind ||
	    (kind == KEY_DEVICE && (dev.id == 0 || key.device_id != dev.id))) {
		mqtt_count_failure(g, addr);
		return MOSQ_ERR_AUTH;
	}
	if (mqtt_client_remember(g, ev->client, hash, key.expires_ms) != 0)
		return MOSQ_ERR_NOMEM;
	key_touch(g->ratelimit, g->db, key.id, addr);
	return MOSQ_ERR_SUCCESS;
}

/* May c's key reach the device uid now?  0 yes (key, dev filled),
 * MOSQ_ERR_AUTH when the key no longer works (revoked, rotated out,
 * expired), MOSQ_ERR_ACL_DENIED when the device is not the key's, another
 * error when MariaDB could not be asked. */
static int mqtt_reach(struct mqtt_gauge *g, struct mqtt_client *c, const char *uid,
    struct api_key_row *key, struct api_device_row *dev)
{
	if (key_cache_lookup(g->keys, g->db, c->hash, uid, key, dev) != DB_OK)
		return MOSQ_ERR_UNKNOWN;
	if (key->id != 0)
		c->expires_ms = key->expires_ms;    /* a rotation may have set it since */
	if (!key_live(key, ts_now_ms()))
		return MOSQ_ERR_AUTH;
	if (dev->id == 0)
		return MOSQ_ERR_ACL_DENIED;
	if (key->kind == KEY_DEVICE && key->device_id != dev->id)
		return MOSQ_ERR_ACL_DENIED;
	if (key->kind == KEY_ACCOUNT && key->account_id != dev->account_id)
		return MOSQ_ERR_ACL_DENIED;
	return MOSQ_ERR_SUCCESS;
}

/* A publish counts as one request against the key's per-minute limit.
 * Over it, the error is published and the publish is not acknowledged
 * (the connection closes): like a 429, the device sends it again later. */
static int mqtt_limit(struct mqtt_gauge *g, const struct api_key_row *key, const char *uid)
{
	struct ingest_error e = { .status = 429, .code = "rate_limited", .pointer = NULL };
	struct rl_result rl;

	if (g->ratelimit == NULL)
		return MOSQ_ERR_SUCCESS;
	ratelimit_hit(g->ratelimit, (uint64_t)key->id, g->conf->ratelimit_per_minute, 60, time(NULL),
	    &rl);
	if (rl.allowed)
		return MOSQ_ERR_SUCCESS;
	snprintf(e.message, sizeof(e.message), "Too many requests; try again in %u seconds.",
	    rl.reset_s);
	mqtt_publish_error(uid, &e);
	return MOSQ_ERR_UNKNOWN;
}

static int mqtt_on_acl_check(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_acl_check *ev = event_data;
	struct mqtt_gauge *g = userdata;
	struct mqtt_client *c = mqtt_client_find(g, ev->client);
	char uid[PUBLIC_ID_LEN + 1];
	enum mqtt_topic_kind kind = mqtt_topic_parse(ev->topic, uid);
	struct api_key_row key;
	struct api_device_row dev;
	int rc;

	(void)event;
	if (ev->access == MOSQ_ACL_UNSUBSCRIBE)
		return MOSQ_ERR_SUCCESS;
	if (c == NULL)
		return MOSQ_ERR_ACL_DENIED;
	if (ev->access == MOSQ_ACL_WRITE) {
		c->device_id = 0;
		c->uid[0] = '\0';
	}
	if (kind != (ev->access == MOSQ_ACL_WRITE ? MQTT_TOPIC_READINGS : MQTT_TOPIC_ERRORS))
		return MOSQ_ERR_ACL_DENIED;
	rc = mqtt_reach(g, c, uid, &key, &dev);
	/* Delivering an error to a subscriber only ever says no: an error
	 * there would disconnect the subscriber, not the publisher. */
	if (ev->access == MOSQ_ACL_READ)
		return rc == MOSQ_ERR_SUCCESS ? rc : MOSQ_ERR_ACL_DENIED;
	if (rc == MOSQ_ERR_AUTH)
		log_info("mqtt: key %s of %s no longer works: disconnected", key.display,
		    mqtt_address(ev->client));
	if (rc != MOSQ_ERR_SUCCESS || ev->access != MOSQ_ACL_WRITE)
		return rc;
	if ((rc = mqtt_limit(g, &key, uid)) != MOSQ_ERR_SUCCESS)
		return rc;
	key_touch(g->ratelimit, g->db, key.id, mqtt_address(ev->client));
	c->device_id = dev.id;
	memcpy(c->uid, uid, sizeof(c->uid));
	return MOSQ_ERR_SUCCESS;
}

static int mqtt_on_message(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_message *ev = event_data;
	struct mqtt_gauge *g = userdata;
	struct mqtt_client *c = mqtt_client_find(g, ev->client);
	char uid[PUBLIC_ID_LEN + 1];
	struct ingest_result res;
	struct ingest_error e;
	struct arena a;
	struct batch b;
	long long now = ts_now_ms(), device_id;
	int rc = MOSQ_ERR_SUCCESS;

	(void)event;
	/* the ACL check just before named this device for this topic */
	if (c == NULL || c->device_id == 0 || mqtt_topic_parse(ev->topic, uid) != MQTT_TOPIC_READINGS ||
	    strcmp(uid, c->uid) != 0)
		return MOSQ_ERR_ACL_DENIED;
	device_id = c->device_id;
	c->device_id = 0;
	/* Readings live in MongoDB, never as the broker's retained message. */
	ev->retain = false;
	if (ev->payloadlen > g->conf->max_body) {
		ingest_too_large(&e);
		mqtt_publish_error(uid, &e);
		return MOSQ_ERR_ACL_DENIED;
	}
	arena_init(&a);
	if (ingest_parse_json(&a, ev->payload != NULL ? ev->payload : "", ev->payloadlen, now,
	    TS_UNIT_MS, &b, &e) != 0) {
		mqtt_publish_error(uid, &e);
		rc = MOSQ_ERR_ACL_DENIED;
	} else if (ingest_store(g->store, device_id, &b, now, &res, &e) != 0) {
		log_warn("mqtt: %s: readings not stored (MongoDB unavailable): no PUBACK, disconnected",
		    uid);
		rc = MOSQ_ERR_UNKNOWN;
	}
	arena_free(&a);
	return rc;
}

/* A key whose rotation grace period ends stops at its end, even on a
 * session that is only listening: its client is disconnected.  (A revoked
 * key is refused at the session's next publish, subscribe or delivery,
 * within the key cache's second.)  Kicking runs the disconnect callback,
 * which edits the table: the ids are collected first. */
static int mqtt_on_tick(int event, void *event_data, void *userdata)
{
	struct mqtt_gauge *g = userdata;
	long long now = ts_now_ms();
	char *ids[64];
	size_t n = 0;

	(void)event;
	(void)event_data;
	if (now < g->next_sweep_ms)
		return MOSQ_ERR_SUCCESS;
	g->next_sweep_ms = now + MQTT_SWEEP_MS;
	for (size_t i = 0; i < MQTT_CLIENT_BUCKETS && n < sizeof(ids) / sizeof(ids[0]); i++)
		for (struct mqtt_client *c = g->clients[i]; c != NULL && n < sizeof(ids) / sizeof(ids[0]);
		    c = c->next) {
			const char *id = mosquitto_client_id(c->client);

			if (c->expires_ms != 0 && c->expires_ms <= now && id != NULL &&
			    (ids[n] = strdup(id)) != NULL)
				n++;
		}
	for (size_t i = 0; i < n; i++) {
		log_info("mqtt: client %s: its key has expired: disconnected", ids[i]);
		mosquitto_kick_client_by_clientid(ids[i], false);
		free(ids[i]);
	}
	return MOSQ_ERR_SUCCESS;
}

static int mqtt_on_disconnect(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_disconnect *ev = event_data;

	(void)event;
	mqtt_client_forget(userdata, ev->client);
	return MOSQ_ERR_SUCCESS;
}

static const struct {
	int event;
	MOSQ_FUNC_generic_callback fn;
} mqtt_events[] = {
	{ MOSQ_EVT_BASIC_AUTH, mqtt_on_basic_auth },
	{ MOSQ_EVT_ACL_CHECK, mqtt_on_acl_check },
	{ MOSQ_EVT_MESSAGE, mqtt_on_message },
	{ MOSQ_EVT_DISCONNECT, mqtt_on_disconnect },
	{ MOSQ_EVT_TICK, mqtt_on_tick },
};
#define MQTT_NEVENTS (sizeof(mqtt_events) / sizeof(mqtt_events[0]))

static void mqtt_gauge_free(struct mqtt_gauge *g)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < MQTT_CLIENT_BUCKETS; i++)
		while (g->clients[i] != NULL)
			mqtt_client_forget(g, g->clients[i]->client);
	db_free(g->db);
	store_free(g->store);
	ratelimit_close(g->ratelimit);
	key_cache_free(g->keys);
	conf_free(g->conf);
	free(g);
	store_global_cleanup();
	db_global_cleanup();
}

int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
	for (int i = 0; i < supported_version_count; i++)
		if (supported_versions[i] == 5)
			return 5;
	return -1;
}

int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata,
    struct mosquitto_opt *options, int option_count)
{
	const char *path = NULL;
	char err[CONF_ERR_LEN];
	struct mqtt_gauge *g;

	log_init("gauge-mqtt");
	for (int i = 0; i < option_count; i++)
		if (strcmp(options[i].key, "config") == 0)
			path = options[i].value;
	if (path == NULL) {
		log_error("mqtt: plugin_opt_config (the gauge.conf path) is not set");
		return MOSQ_ERR_INVAL;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return MOSQ_ERR_NOMEM;
	store_global_init();
	g->id = identifier;
	if ((g->conf = conf_load(path, err)) == NULL) {
		log_error("mqtt: %s", err);
		mqtt_gauge_free(g);
		return MOSQ_ERR_INVAL;
	}
	log_set_level((enum log_level)g->conf->log_level);
	g->db = db_new(&g->conf->mysql);
	g->store = store_new(&g->conf->mongo, "gauge-mqtt", err, sizeof(err));
	g->keys = key_cache_new();
	if (g->db == NULL || g->store == NULL || g->keys == NULL) {
		log_error("mqtt: cannot set up database clients: %s", g->store == NULL ? err : "out of memory");
		mqtt_gauge_free(g);
		return MOSQ_ERR_UNKNOWN;
	}
	if ((g->ratelimit = ratelimit_open(g->conf->ratelimit_file, err, sizeof(err))) == NULL)
		log_error("mqtt: rate limits NOT enforced: %s", err);
	for (size_t i = 0; i < MQTT_NEVENTS; i++)
		if (mosquitto_callback_register(identifier, mqtt_events[i].event, mqtt_events[i].fn, NULL, g)
		    != MOSQ_ERR_SUCCESS) {
			log_error("mqtt: cannot register for event %d", mqtt_events[i].event);
			for (size_t j = 0; j < i; j++)
				mosquitto_callback_unregister(identifier, mqtt_events[j].event, mqtt_events[j].fn,
				    NULL);
			mqtt_gauge_free(g);
			return MOSQ_ERR_UNKNOWN;
		}
	*userdata = g;
	log_info("mqtt: Gauge plugin ready (config %s)", path);
	return MOSQ_ERR_SUCCESS;
}

int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options, int option_count)
{
	struct mqtt_gauge *g = userdata;

	(void)options;
	(void)option_count;
	if (g == NULL)
		return MOSQ_ERR_SUCCESS;
	for (size_t i = 0; i < MQTT_NEVENTS; i++)
		mosquitto_callback_unregister(g->id, mqtt_events[i].event, mqtt_events[i].fn, NULL);
	mqtt_gauge_free(g);
	return MOSQ_ERR_SUCCESS;
}
