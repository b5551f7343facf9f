/*
 * password_policy.h - whether a new password may be set, and if not, a
 * reason a person can act on.
 *
 * The rules follow NIST SP 800-63B rather than composition rules: length,
 * not character classes, and a refusal of passwords an attacker tries
 * first.  A password must be at least PASSWORD_MIN_CHARS characters
 * (Unicode code points, so "ä" or an emoji counts once), at most
 * PASSWORD_MAX_BYTES bytes (bcrypt's limit; see auth_password.h), valid
 * UTF-8, must not contain the name part of the user's email address, and
 * must not be guessable within about a million tries as estimated by
 * zxcvbn (libzxcvbn): common passwords from breach lists, single words,
 * names, dates, keyboard walks, sequences and repeats, and the user's own
 * address.
 */
#ifndef GAUGE_PASSWORD_POLICY_H
#define GAUGE_PASSWORD_POLICY_H

#include "auth_password.h"

#define PASSWORD_MIN_CHARS 10
/* zxcvbn's estimate in bits (log2 of guesses); 20 bits is about 10^6
 * guesses, zxcvbn's own line between "very guessable" and "somewhat
 * guessable", and beyond what login throttling lets an online attacker
 * try. */
#define PASSWORD_MIN_BITS  20.0

/* NULL when password may be set for the user with this email (which may
 * be NULL when there is none yet); otherwise a static sentence saying
 * why not, fit to show on the form as it is. */
const char *password_policy_check(const char *password, const char *email);

#endif
