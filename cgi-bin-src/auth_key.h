/*
 * auth_key.h - API key format: creation and hashing.
 *
 * A key is a readable kind prefix plus 256 bits from the OS CSPRNG in
 * base64url: "gdk_..." for a device key, "gak_..." for an account key.  Only
 * the SHA-256 of the whole key is stored, with a short display prefix, so a
 * database leak reveals no usable key and checking one is one indexed
 * lookup of its hash (never a bcrypt).
 */
#ifndef GAUGE_AUTH_KEY_H
#define GAUGE_AUTH_KEY_H

#include "crypto.h"

enum key_kind { KEY_DEVICE, KEY_ACCOUNT };

#define KEY_RANDOM_BYTES 32
#define KEY_LEN          (4 + 43)       /* prefix + base64url(32 bytes) */
#define KEY_DISPLAY_LEN  12             /* "gdk_" + 8 characters */

struct new_key {
	char key[KEY_LEN + 1];              /* shown once, never stored */
	unsigned char hash[SHA256_LEN];
	char display[KEY_DISPLAY_LEN + 1];
};

int  key_generate(enum key_kind kind, struct new_key *out);
/* Hashes a presented key; -1 when it cannot be a Gauge key at all. */
int  key_hash(const char *presented, enum key_kind *kind, unsigned char hash[SHA256_LEN]);
const char *key_kind_name(enum key_kind kind);

struct api_key_row;
/* The expiry rule: whether a looked-up key (db_api_lookup) works at now_ms:
 * found, not revoked, and not past the end of a rotation's grace period. */
int  key_live(const struct api_key_row *key, long long now_ms);
/* Records the key's last use from addr, at most once a minute per key and
 * address on this host: the shared rate-limit table remembers who was
 * recorded (none when rl is NULL).  A failed write is logged, not fatal. */
struct ratelimit;
struct db;
void key_touch(struct ratelimit *rl, struct db *db, long long key_id, const char *addr);

/* Public ids for devices and groups: prefix + 96 random bits. */
#define PUBLIC_ID_LEN (4 + 16)
int  public_id_generate(const char *prefix, char out[PUBLIC_ID_LEN + 1]);

#endif
