/*
 * auth_mfa.h - the second factor as the pages use it: check a TOTP code or
 * a recovery code for a user (each usable once), start enrolment, and
 * issue recovery codes.  TOTP secrets are stored sealed with the server
 * key, bound to their user so a sealed secret cannot be moved to another.
 */
#ifndef GAUGE_AUTH_MFA_H
#define GAUGE_AUTH_MFA_H

#include <stddef.h>

struct db;
struct secretbox_key;
struct user_row;

#define MFA_RECOVERY_CODES 10
#define MFA_RECOVERY_LEN   11      /* "xxxxx-xxxxx" */

enum mfa_result { MFA_OK, MFA_WRONG, MFA_DOWN, MFA_NO_KEY };

/* Checks code (6 digits, or a recovery code) and consumes it. */
enum mfa_result mfa_check(struct db *db, const struct secretbox_key *box,
    const struct user_row *u, const char *code);
/* Starts enrolment: a new secret, stored sealed and not yet enabled; its
 * base32 text goes to secret_b32 (at least 40 bytes) and the otpauth://
 * URI for authenticator apps to uri (TOTP_URI_MAX bytes). */
enum mfa_result mfa_begin(struct db *db, const struct secretbox_key *box,
    long long user_id, const char *email, char *secret_b32, size_t len, char *uri);
/* Unseals the user's stored secret; len receives its size. */
enum mfa_result mfa_secret(const struct secretbox_key *box, const struct user_row *u,
    unsigned char *secret, size_t *len);
/* Confirms enrolment with a first code, enabling 2FA. */
enum mfa_result mfa_confirm(struct db *db, const struct secretbox_key *box,
    const struct user_row *u, const char *code);
/* New recovery codes replace the old; codes[i] receive the text, shown once. */
enum mfa_result mfa_new_recovery(struct db *db, long long user_id,
    char codes[MFA_RECOVERY_CODES][MFA_RECOVERY_LEN + 1]);

#endif
