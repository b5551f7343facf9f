/*
 * auth_password.h - password hashing with bcrypt ($2b$) through libxcrypt.
 *
 * bcrypt reads at most 72 bytes of a password.  Rather than silently
 * ignoring the rest, longer passwords are refused (PASSWORD_MAX_BYTES), so
 * what the user typed is exactly what protects the account.
 */
#ifndef GAUGE_AUTH_PASSWORD_H
#define GAUGE_AUTH_PASSWORD_H

#define PASSWORD_MAX_BYTES 72
#define PASSWORD_HASH_MAX  128

/* 0 on success; -1 if the password is too long or hashing failed. */
int password_hash(const char *password, unsigned cost, char out[PASSWORD_HASH_MAX]);
/* 1 when password matches hash, 0 otherwise (including malformed hashes). */
int password_verify(const char *password, const char *hash);

#endif
