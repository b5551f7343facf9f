/*
 * ctl_main.c - gaugectl, the administrator's command.
 *
 *   gaugectl -c CONFIG migrate
 *   gaugectl -c CONFIG create-account --name NAME
 *   gaugectl -c CONFIG create-user --account ID --email EMAIL
 *                                  [--role admin|user|viewer] [--password-stdin]
 *   gaugectl -c CONFIG create-device --account ID --name NAME [--group NAME]
 *   gaugectl -c CONFIG device-public --device ID --on|--off
 *   gaugectl -c CONFIG set-twilio --account ID --sid SID --from NUMBER [--if-unset]
 *                                 (auth token: one line on stdin)
 *   gaugectl -c CONFIG check-config
 *   gaugectl -c CONFIG status
 *   gaugectl -c CONFIG prune [--batch N]
 *   gaugectl [COMMAND] --help,  gaugectl --version
 *
 * Each create-* prints the created object as one line of JSON on stdout, so
 * scripts can provision fleets; diagnostics go to stderr.  Secrets printed
 * (keys, generated passwords) are shown this once and never stored.
 */
#include <getopt.h>
#include <json-c/json.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert_rule.h"
#include "auth_key.h"
#include "auth_password.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_account.h"
#include "db_admin.h"
#include "db_api.h"
#include "db_migrate.h"
#include "log.h"
#include "db_retention.h"
#include "retention.h"
#include "secretbox.h"
#include "store.h"
#include "send_twilio.h"
#include "ts.h"
#include "valid.h"
#include "version.h"

struct ctl {
	struct conf *conf;
	struct db *db;
};

struct ctl_cmd {
	const char *name;
	int (*fn)(struct ctl *ctl, int argc, char **argv);
	const char *args;           /* its options, for usage lines */
	const char *what;           /* what it does, for --help */
};

static int ctl_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int ctl_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gaugectl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static int ctl_db_fail(struct ctl *ctl, int rc, const char *what)
{
	if (rc == DB_DOWN)
		return ctl_fail("cannot reach MySQL: %s", db_error(ctl->db));
	if (rc == DB_DUPLICATE)
		return ctl_fail("%s already exists", what);
	return ctl_fail("database error: %s", db_error(ctl->db));
}

static void ctl_print(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* Parses --name value pairs for a command: names[i] receives vals[i]. */
static int ctl_opts(int argc, char **argv, const struct option *opts, const char **vals)
{
	int c, idx;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, &idx)) != -1) {
		if (c != 0)
			return -1;
		vals[idx] = optarg != NULL ? optarg : "1";
	}
	return optind == argc ? 0 : -1;
}

static int ctl_migrate(struct ctl *ctl, int argc, char **argv)
{
	char err[512];
	struct store *st;
	int applied, rc;

	(void)argc;
	(void)argv;
	if ((rc = db_migrate(ctl->db, ctl->conf->schema_dir, &applied)) != DB_OK)
		return ctl_db_fail(ctl, rc, "migration");
	if ((st = store_new(&ctl->conf->mongo, "gaugectl", err, sizeof(err))) == NULL)
		return ctl_fail("%s", err);
	rc = store_apply_indexes(st, ctl->conf->schema_dir, err, sizeof(err));
	store_free(st);
	if (rc != STORE_OK)
		return ctl_fail("MongoDB indexes: %s", err);
	fprintf(stderr, "gaugectl: schema up to date (%d migration%s applied)\n",
	    applied, applied == 1 ? "" : "s");
	return 0;
}

static void ctl_audit(struct ctl *ctl, long long account_id, const char *action,
    const char *type, const char *target)
{
	struct audit_entry e = { .account_id = account_id, .actor_label = "gaugectl",
		.action = action, .target_type = type, .target_id = target };

	if (db_audit(ctl->db, &e) != DB_OK)
		log_warn("audit record for %s %s not written: %s", action, target, db_error(ctl->db));
}

static int ctl_create_account(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = { { "name", required_argument, NULL, 0 }, { 0 } };
	const char *v[1] = { NULL };
	struct new_key key;
	long long id, key_id;
	struct json_object *o;
	char idbuf[24];
	int rc;

	if (ctl_opts(argc, argv, opts, v) != 0 || v[0] == NULL)
		return ctl_fail("%s", "usage: create-account --name NAME");
	if (!valid_name(v[0]))
		return ctl_fail("--name must be 1-%d characters of text", VALID_NAME_MAX);
	if (key_generate(KEY_ACCOUNT, &key) != 0)
		return ctl_fail("%s", "the system random generator failed");
	if ((rc = db_begin(ctl->db)) == DB_OK &&
	    (rc = db_account_create(ctl->db, v[0], &id)) == DB_OK &&
	    (rc = db_key_create(ctl->db, id, 0, &key, &key_id)) == DB_OK)
		rc = db_commit(ctl->db);
	if (rc != DB_OK) {
		db_rollback(ctl->db);
		return ctl_db_fail(ctl, rc, "account");
	}
	snprintf(idbuf, sizeof(idbuf), "%lld", id);
	ctl_audit(ctl, id, "account.create", "account", idbuf);
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "name", json_object_new_string(v[0]));
	json_object_object_add(o, "account_key", json_object_new_string(key.key));
	ctl_print(o);
	return 0;
}

/* Reads one line from stdin as the password (no echo handling: scripts). */
static int ctl_read_password(char *buf, size_t len)
{
	size_t n;

	if (fgets(buf, (int)len, stdin) == NULL)
		return -1;
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return n > 0 ? 0 : -1;
}

static int ctl_create_user(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "account", required_argument, NULL, 0 }, { "email", required_argument, NULL, 0 },
		{ "role", required_argument, NULL, 0 }, { "password-stdin", no_argument, NULL, 0 },
		{ 0 },
	};
	const char *v[4] = { NULL, NULL, "user", NULL };
	char password[256], hash[PASSWORD_HASH_MAX], idbuf[24];
	long long account, id;
	struct json_object *o;
	int role, rc, generated = v[3] == NULL;

	if (ctl_opts(argc, argv, opts, v) != 0 || v[0] == NULL || v[1] == NULL)
		return ctl_fail("%s", "usage: create-user --account ID --email EMAIL "
		    "[--role admin|user|viewer] [--password-stdin]");
	if ((account = valid_id(v[0])) == 0)
		return ctl_fail("--account must be an account id, not '%s'", v[0]);
	if (!valid_email(v[1]))
		return ctl_fail("--email '%s' is not a valid address", v[1]);
	if ((role = valid_role(v[2])) < 0)
		return ctl_fail("--role must be admin, user or viewer, not '%s'", v[2]);
	generated = v[3] == NULL;
	if (generated ? crypto_token(15, password, sizeof(password)) != 0
	    : ctl_read_password(password, sizeof(password)) != 0)
		return ctl_fail("%s", "no password given on standard input");
	if (strlen(password) > PASSWORD_MAX_BYTES)
		return ctl_fail("passwords are limited to %d bytes", PASSWORD_MAX_BYTES);
	if (password_hash(password, ctl->conf->bcrypt_cost, hash) != 0)
		return ctl_fail("%s", "password hashing failed");
	if ((rc = db_account_exists(ctl->db, account)) == DB_NOTFOUND)
		return ctl_fail("no account with id %s", v[0]);
	if (rc != DB_OK || (rc = db_user_create(ctl->db, account, v[1], hash,
	    (enum role)role, &id)) != DB_OK)
		return ctl_db_fail(ctl, rc, "a user with this email");
	snprintf(idbuf, sizeof(idbuf), "%lld", id);
	ctl_audit(ctl, account, "user.create", "user", idbuf);
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "account_id", json_object_new_int64(account));
	json_object_object_add(o, "email", json_object_new_string(v[1]));
	json_object_object_add(o, "role", json_object_new_string(v[2]));
	if (generated)
		json_object_object_add(o, "password", json_object_new_string(password));
	ctl_print(o);
	return 0;
}

static int ctl_device_tx(struct ctl *ctl, long long account, const char *group,
    const char *uid, const char *name, struct new_key *key, long long *id,
    char group_uid[PUBLIC_ID_LEN + 1])
{
	long long group_id = 0, key_id;
	int rc;

	if ((rc = db_begin(ctl->db)) != DB_OK)
		return rc;
	if (group != NULL)
		rc = db_group_ensure(ctl->db, account, group, &group_id, group_uid);
	if (rc == DB_OK)
		rc = db_device_create(ctl->db, account, group_id, uid, name, id);
	if (rc == DB_OK)
		rc = db_key_create(ctl->db, account, *id, key, &key_id);
	if (rc == DB_OK)
		rc = db_commit(ctl->db);
	if (rc != DB_OK)
		db_rollback(ctl->db);
	return rc;
}

static int ctl_create_device(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "account", required_argument, NULL, 0 }, { "name", required_argument, NULL, 0 },
		{ "group", required_argument, NULL, 0 }, { 0 },
	};
	const char *v[3] = { NULL, NULL, NULL };
	char uid[PUBLIC_ID_LEN + 1], group_uid[PUBLIC_ID_LEN + 1] = "";
	struct new_key key;
	long long account, id;
	struct json_object *o;
	int rc;

	if (ctl_opts(argc, argv, opts, v) != 0 || v[0] == NULL || v[1] == NULL)
		return ctl_fail("%s", "usage: create-device --account ID --name NAME [--group NAME]");
	if ((account = valid_id(v[0])) == 0)
		return ctl_fail("--account must be an account id, not '%s'", v[0]);
	if (!valid_name(v[1]) || (v[2] != NULL && !valid_name(v[2])))
		return ctl_fail("%s", "--name and --group must be 1-100 characters of text");
	if (public_id_generate("dev_", uid) != 0 || key_generate(KEY_DEVICE, &key) != 0)
		return ctl_fail("%s", "the system random generator failed");
	if ((rc = db_account_exists(ctl->db, account)) == DB_NOTFOUND)
		return ctl_fail("no account with id %s", v[0]);
	if (rc != DB_OK || (rc = ctl_device_tx(ctl, account, v[2], uid, v[1], &key, &id,
	    group_uid)) != DB_OK)
		return ctl_db_fail(ctl, rc, "device");
	ctl_audit(ctl, account, "device.create", "device", uid);
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(uid));
	json_object_object_add(o, "account_id", json_object_new_int64(account));
	json_object_object_add(o, "name", json_object_new_string(v[1]));
	if (v[2] != NULL) {
		json_object_object_add(o, "group", json_object_new_string(v[2]));
		json_object_object_add(o, "group_id", json_object_new_string(group_uid));
	}
	json_object_object_add(o, "key", json_object_new_string(key.key));
	ctl_print(o);
	return 0;
}

/* Turns key authentication off (public, read-only by id) or back on. */
static int ctl_device_public(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 0 }, { "on", no_argument, NULL, 0 },
		{ "off", no_argument, NULL, 0 }, { 0 },
	};
	const char *v[3] = { NULL, NULL, NULL };
	long long id = 0, account_id = 0;
	struct json_object *o;
	int rc, on;

	if (ctl_opts(argc, argv, opts, v) != 0 || v[0] == NULL || (v[1] == NULL) == (v[2] == NULL))
		return ctl_fail("%s", "usage: device-public --device ID --on|--off");
	on = v[1] != NULL;
	rc = !valid_public_id(v[0], "dev_") ? DB_NOTFOUND :
	    db_admin_device_by_uid(ctl->db, v[0], &id, &account_id);
	if (rc == DB_NOTFOUND)
		return ctl_fail("no device with id '%s'", v[0]);
	if (rc != DB_OK || (rc = db_api_device_set_public(ctl->db, id, on)) != DB_OK)
		return ctl_db_fail(ctl, rc, "device");
	ctl_audit(ctl, account_id, on ? "device.public_on" : "device.public_off", "device", v[0]);
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(v[0]));
	json_object_object_add(o, "public", json_object_new_boolean(on));
	ctl_print(o);
	return 0;
}

/* What set-twilio finds on the account, compared with what it was given. */
struct ctl_twilio {
	const struct secretbox_key *key;
	const char *aad, *sid, *token, *from;
	int set, same;
};

/* Compares what the account has (row) with what set-twilio was given. */
static void ctl_twilio_compare(struct ctl_twilio *t, const struct admin_twilio_row *row)
{
	unsigned char plain[SECRETBOX_SEALED_LEN(128)];
	size_t n = 0;

	t->set = row->sid_set || row->token_set || row->from_set;
	t->same = row->sid_set && row->token_set && row->from_set &&
	    strcmp(row->sid, t->sid) == 0 && strcmp(row->from, t->from) == 0 &&
	    row->token_len >= SECRETBOX_OVERHEAD && row->token_len <= sizeof(plain) &&
	    secretbox_open(t->key, row->token_enc, row->token_len,
	    t->aad, strlen(t->aad), plain, &n) == 0 &&
	    n == strlen(t->token) && CRYPTO_memcmp(plain, t->token, n) == 0;
	OPENSSL_cleanse(plain, sizeof(plain));
}

/* The account's Twilio settings, as the dashboard stores them (the token
 * sealed with the server key).  With --if-unset, settings the account
 * already has are kept ("kept"); the same settings again are "unchanged". */
static int ctl_set_twilio_tx(struct ctl *ctl, long long account, struct ctl_twilio *t,
    int if_unset, const char **result)
{
	unsigned char sealed[SECRETBOX_SEALED_LEN(128)];
	struct admin_twilio_row row;
	size_t n = strlen(t->token);
	int rc;

	if ((rc = db_begin(ctl->db)) != DB_OK)
		return rc;
	if ((rc = db_admin_twilio(ctl->db, account, &row)) == DB_OK)
		ctl_twilio_compare(t, &row);
	OPENSSL_cleanse(&row, sizeof(row));
	if (rc == DB_OK && t->same)
		*result = "unchanged";
	else if (rc == DB_OK && t->set && if_unset)
		*result = "kept";
	else if (rc == DB_OK) {
		*result = "set";
		rc = secretbox_seal(t->key, t->token, n, t->aad, strlen(t->aad), sealed) != 0 ? DB_ERROR
		    : db_admin_set_twilio(ctl->db, account, t->sid, sealed, SECRETBOX_SEALED_LEN(n), t->from);
	}
	if (rc == DB_OK)
		rc = db_commit(ctl->db);
	if (rc != DB_OK)
		db_rollback(ctl->db);
	return rc;
}

static int ctl_set_twilio(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "account", required_argument, NULL, 0 }, { "sid", required_argument, NULL, 0 },
		{ "from", required_argument, NULL, 0 }, { "if-unset", no_argument, NULL, 0 }, { 0 },
	};
	const char *v[4] = { NULL, NULL, NULL, NULL }, *result = NULL;
	char token[256], aad[TWILIO_AAD_LEN], idbuf[24];
	struct secretbox_key key;
	struct ctl_twilio t = { 0 };
	struct json_object *o;
	long long account;
	int rc;

	if (ctl_opts(argc, argv, opts, v) != 0 || v[0] == NULL || v[1] == NULL || v[2] == NULL)
		return ctl_fail("%s", "usage: set-twilio --account ID --sid SID --from NUMBER [--if-unset] "
		    "(the auth token on standard input)");
	if ((account = valid_id(v[0])) == 0)
		return ctl_fail("--account must be an account id, not '%s'", v[0]);
	if (!twilio_sid_ok(v[1]))
		return ctl_fail("%s", "--sid is AC followed by 32 hexadecimal characters");
	if (!phone_e164_ok(v[2]))
		return ctl_fail("--from must be in E.164 form, like +14155550123, not '%s'", v[2]);
	if (ctl_read_password(token, sizeof(token)) != 0 || strlen(token) < 16 || strlen(token) > 128)
		return ctl_fail("%s", "give the auth token (16-128 characters) as one line on standard input");
	if (secretbox_key_parse(ctl->conf->server_key_hex, 1, &key) != 0) {
		OPENSSL_cleanse(token, sizeof(token));
		return ctl_fail("%s", "Twilio settings need a usable server key (security.server_key)");
	}
	twilio_token_aad(account, aad);
	t = (struct ctl_twilio){ .key = &key, .aad = aad, .sid = v[1], .token = token, .from = v[2] };
	rc = ctl_set_twilio_tx(ctl, account, &t, v[3] != NULL, &result);
	secretbox_key_clear(&key);
	OPENSSL_cleanse(token, sizeof(token));
	if (rc == DB_NOTFOUND)
		return ctl_fail("no account with id %s", v[0]);
	if (rc != DB_OK)
		return ctl_db_fail(ctl, rc, "Twilio settings");
	snprintf(idbuf, sizeof(idbuf), "%lld", account);
	if (strcmp(result, "set") == 0)
		ctl_audit(ctl, account, "twilio.update", "account", idbuf);
	o = json_object_new_object();
	json_object_object_add(o, "account_id", json_object_new_int64(account));
	json_object_object_add(o, "result", json_object_new_string(result));
	if (strcmp(result, "kept") != 0) {
		json_object_object_add(o, "sid", json_object_new_string(v[1]));
		json_object_object_add(o, "from", json_object_new_string(v[2]));
	}
	ctl_print(o);
	return 0;
}

static int ctl_count(void *ctx, const char *status, long long n)
{
	json_object_object_add(ctx, status, json_object_new_int64(n));
	return 0;
}

static int ctl_named(void *ctx, const char *name, const char *value)
{
	json_object_object_add(ctx, name, value != NULL ? json_object_new_string(value) : NULL);
	return 0;
}

/* The alert pipeline at a glance, for the admin on call: one JSON line. */
static int ctl_status(struct ctl *ctl, int argc, char **argv)
{
	struct json_object *o = json_object_new_object(), *outbox = json_object_new_object();
	int rc;

	(void)argc;
	(void)argv;
	rc = db_admin_outbox_counts(ctl->db, ctl_count, outbox);
	if (rc == DB_OK)
		rc = db_admin_alert_times(ctl->db, ctl_named, o);
	if (rc != DB_OK) {
		json_object_put(o);
		json_object_put(outbox);
		return ctl_db_fail(ctl, rc, "status");
	}
	json_object_object_add(o, "outbox", outbox);
	ctl_print(o);
	return 0;
}

static void ctl_pruned(void *ctx, const struct retention_pruned *p)
{
	struct json_object *o = json_object_new_object();
	char from[TS_LEN], to[TS_LEN];

	ts_format(p->from_ms, from);
	ts_format(p->to_ms, to);
	json_object_object_add(o, "device", json_object_new_string(p->dev->uid));
	json_object_object_add(o, "account", json_object_new_int64(p->dev->account_id));
	json_object_object_add(o, "retention_days", json_object_new_int(p->dev->days));
	json_object_object_add(o, "from", json_object_new_string(from));
	json_object_object_add(o, "to", json_object_new_string(to));
	json_object_object_add(o, "deleted", json_object_new_int64(p->deleted));
	json_object_object_add(o, "batches", json_object_new_int64(p->batches));
	if (p->status != RETENTION_OK)
		json_object_object_add(o, "stopped", json_object_new_string(
		    p->status == RETENTION_STORE ? "MongoDB failed" : "the audit log is unavailable"));
	json_object_array_add(ctx, o);
}

/* One retention pass now (retention.h): what it did as one JSON line. */
static int ctl_prune(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = { { "batch", required_argument, NULL, 0 }, { 0 } };
	const char *v[1] = { NULL };
	struct json_object *o, *devices;
	struct retention_pass pass = { .batch = 1000 };
	char err[512];
	struct store *st;
	long long batch;
	int rc;

	if (ctl_opts(argc, argv, opts, v) != 0)
		return ctl_fail("usage: prune [--batch N]");
	if (v[0] != NULL) {
		if ((batch = valid_id(v[0])) == 0 || batch > 100000)
			return ctl_fail("--batch is a number of readings from 1 to 100000");
		pass.batch = (size_t)batch;
	}
	if ((st = store_new(&ctl->conf->mongo, "gaugectl", err, sizeof(err))) == NULL)
		return ctl_fail("%s", err);
	devices = json_object_new_array();
	pass.now_ms = (long long)time(NULL) * 1000;
	pass.report = ctl_pruned;
	pass.ctx = devices;
	rc = retention_prune(ctl->db, st, &pass);
	store_free(st);
	if (rc == RETENTION_BUSY) {
		json_object_put(devices);
		fprintf(stderr, "gaugectl: another prune is running; this one did nothing\n");
		return 0;
	}
	o = json_object_new_object();
	json_object_object_add(o, "devices_with_retention", json_object_new_int64(pass.devices));
	json_object_object_add(o, "devices_pruned", json_object_new_int64(pass.pruned));
	json_object_object_add(o, "deleted", json_object_new_int64(pass.deleted));
	json_object_object_add(o, "batch", json_object_new_int64((long long)pass.batch));
	json_object_object_add(o, "pruned", devices);
	ctl_print(o);
	if (rc == RETENTION_DB)
		return ctl_fail("MySQL failed during the prune: %s", db_error(ctl->db));
	if (rc == RETENTION_STORE)
		return ctl_fail("MongoDB failed during the prune; the next pass goes on");
	return 0;
}

/* Fails on a key the programs would ignore, as well as on a database that
 * cannot be reached: a typo is a setting left at its default. */
static int ctl_check_config(struct ctl *ctl, int argc, char **argv)
{
	char err[512];
	struct store *st;
	int failed = 0;

	(void)argc;
	(void)argv;
	if (ctl->conf->n_unknown == 0)
		printf("config %s: ok\n", ctl->conf->path);
	else
		failed = printf("config %s: FAILED (%zu unknown key%s)\n", ctl->conf->path,
		    ctl->conf->n_unknown, ctl->conf->n_unknown == 1 ? "" : "s");
	for (size_t i = 0; i < ctl->conf->n_unknown; i++)
		printf("  %s\n", ctl->conf->unknown[i]);
	if (db_ping(ctl->db) == DB_OK)
		printf("mysql: ok\n");
	else
		failed = printf("mysql: FAILED (%s)\n", db_error(ctl->db));
	if ((st = store_new(&ctl->conf->mongo, "gaugectl", err, sizeof(err))) == NULL)
		failed = printf("mongodb: FAILED (%s)\n", err);
	else if (store_ping(st) == STORE_OK)
		printf("mongodb: ok\n");
	else
		failed = printf("mongodb: FAILED (cannot reach %s)\n", ctl->conf->mongo.uri);
	store_free(st);
	return failed ? 1 : 0;
}

static const struct ctl_cmd ctl_cmds[] = {
	{ "migrate", ctl_migrate, "", "apply MySQL migrations and MongoDB indexes" },
	{ "create-account", ctl_create_account, "--name NAME",
	  "create an account; prints it with its account key" },
	{ "create-user", ctl_create_user,
	  "--account ID --email EMAIL [--role admin|user|viewer] [--password-stdin]",
	  "create a user; prints a generated password unless one comes on stdin" },
	{ "create-device", ctl_create_device, "--account ID --name NAME [--group NAME]",
	  "create a device; prints it with its device key" },
	{ "device-public", ctl_device_public, "--device ID --on|--off",
	  "key authentication off (anyone with the id may read) or back on" },
	{ "set-twilio", ctl_set_twilio, "--account ID --sid SID --from NUMBER [--if-unset]",
	  "an account's Twilio settings; the auth token is one line on stdin" },
	{ "check-config", ctl_check_config, "",
	  "load the config, report unknown keys, reach both databases" },
	{ "status", ctl_status, "", "alert queue by status, oldest undelivered, last poll, evaluator" },
	{ "prune", ctl_prune, "[--batch N]",
	  "one data-retention pass now: delete readings older than their window, in batches" },
};

/* --help asks for the whole text on stdout; a mistake gets it on stderr. */
static int ctl_usage(FILE *f, int status)
{
	fprintf(f, "usage: gaugectl [-c CONFIG] COMMAND [options]\n"
	    "       gaugectl COMMAND --help\n"
	    "       gaugectl --help | --version\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++)
		fprintf(f, "  %s%s%s\n      %s\n", ctl_cmds[i].name, ctl_cmds[i].args[0] != '\0' ? " " : "",
		    ctl_cmds[i].args, ctl_cmds[i].what);
	fprintf(f, "\n  -c, --config FILE  configuration file (default: $GAUGE_CONF)\n"
	    "  -h, --help         show this help and exit\n"
	    "  -V, --version      show the version and exit\n"
	    "\nObjects created are printed as one line of JSON on stdout; errors go to\n"
	    "stderr with a non-zero status.  See gaugectl(8) and gauge.conf(5).\n");
	return status;
}

static int ctl_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

static const struct ctl_cmd *ctl_cmd_find(const char *name)
{
	for (size_t k = 0; k < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); k++)
		if (strcmp(name, ctl_cmds[k].name) == 0)
			return &ctl_cmds[k];
	return NULL;
}

/* The options before the command; returns the command's index in argv, or
 * -1 with *rc set when there is nothing more to do. */
static int ctl_global_opts(int argc, char **argv, const char **conf_path, int *rc)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			if (++i == argc) {
				ctl_fail("%s needs a file name", a);
				*rc = ctl_usage(stderr, 2);
				return -1;
			}
			*conf_path = argv[i];
		} else if (strncmp(a, "--config=", 9) == 0) {
			*conf_path = a + 9;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			*rc = ctl_usage(stdout, 0);
			return -1;
		} else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			printf("gaugectl (Gauge) %s\n", gauge_version);
			*rc = 0;
			return -1;
		} else {
			ctl_fail("unknown option '%s'", a);
			*rc = ctl_usage(stderr, 2);
			return -1;
		}
	}
	if (i < argc && strcmp(argv[i], "help") == 0) {
		*rc = ctl_usage(stdout, 0);
		return -1;
	}
	return i;
}

int main(int argc, char **argv)
{
	const char *conf_path = getenv("GAUGE_CONF");
	const struct ctl_cmd *cmd;
	char err[CONF_ERR_LEN];
	struct ctl ctl = { 0 };
	int rc = 2, i;

	log_init("gaugectl");
	if ((i = ctl_global_opts(argc, argv, &conf_path, &rc)) < 0)
		return rc;
	if (i >= argc) {
		ctl_fail("%s", "no command given");
		return ctl_usage(stderr, 2);
	}
	if ((cmd = ctl_cmd_find(argv[i])) == NULL) {
		ctl_fail("unknown command '%s'", argv[i]);
		return ctl_usage(stderr, 2);
	}
	if (ctl_wants_help(argc - i, argv + i)) {
		printf("usage: gaugectl -c CONFIG %s%s%s\n  %s\n", cmd->name,
		    cmd->args[0] != '\0' ? " " : "", cmd->args, cmd->what);
		return 0;
	}
	if (conf_path == NULL) {
		ctl_fail("%s", "no configuration: give -c CONFIG or set GAUGE_CONF");
		return ctl_usage(stderr, 2);
	}
	if ((ctl.conf = conf_load(conf_path, err)) == NULL)
		return ctl_fail("config: %s", err);
	log_set_level(ctl.conf->log_level < LOG_WARN ? LOG_WARN : ctl.conf->log_level);
	store_global_init();
	ctl.db = db_new(&ctl.conf->mysql);
	rc = ctl.db == NULL ? 1 : cmd->fn(&ctl, argc - i, argv + i);
	db_free(ctl.db);
	store_global_cleanup();
	conf_free(ctl.conf);
	return rc;
}
