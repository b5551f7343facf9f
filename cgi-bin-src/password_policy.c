/*
 * password_policy.c - the password rules (see password_policy.h).
 *
 * "Very common" is judged by zxcvbn (Debian's libzxcvbn, compiled-in
 * dictionaries: passwords from breach corpora, English words, first names,
 * surnames, film and TV words), not by a list of our own: it also sees
 * through the variations people use to dodge a list ("Password1234",
 * "P@ssw0rd2024", "qwerty123456", "Summer2024"), needs no data files at
 * run time, and answers in well under a millisecond.  The pieces of the
 * email address go in as a user dictionary, so "SmithAcme2024" is weak
 * for j.smith@acme.com though it is on no list.  cracklib was weighed and
 * left out: its dictionary is an English word list that lets
 * "princess2020" and "letmein12345" through while refusing ten emoji for
 * "not enough different characters", and it quietly checks against the
 * web server's own passwd entry.
 *
 * Checks run cheapest first, and the byte limit before anything that
 * costs time in the length of the input.
 */
#include "password_policy.h"

#include <string.h>
#include <zxcvbn.h>

#include "valid.h"

#define STR_(x) #x
#define STR(x)  STR_(x)

/* Email names shorter than this are left to zxcvbn: refusing every
 * password containing "al" or "bo" would refuse ordinary words. */
#define NAME_MIN_BYTES  4
#define EMAIL_WORDS_MAX 40

static const char reason_missing[] = "Please choose a password.";
static const char reason_short[] =
    "The password must be at least " STR(PASSWORD_MIN_CHARS) " characters long.";
static const char reason_long[] =
    "The password must be at most " STR(PASSWORD_MAX_BYTES) " bytes long "
    "(accented letters take 2 bytes and emoji 4).";
static const char reason_encoding[] = "The password contains characters that are not valid text.";
static const char reason_email[] = "The password must not contain the name in your email address.";
static const char reason_common[] =
    "The password is, or is made of, some of the most common passwords or words; "
    "attackers try those first.";
static const char reason_guessable[] =
    "The password is too easy to guess: common words, names, dates and keyboard "
    "patterns are tried first. A few unrelated words make a strong password.";

/* The email address cut into what a person might build a password from:
 * the name before '@' (without a "+tag") and every piece of the address
 * between separators, lower-cased for zxcvbn. */
struct email_words {
	char name[VALID_EMAIL_MAX + 1];
	char pieces[VALID_EMAIL_MAX + 1];
	const char *words[EMAIL_WORDS_MAX + 2];
};

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ASCII case-insensitive substring test, the same in every locale. */
static int contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++) {
		size_t i = 0;

		while (i < n && hay[i] != '\0' && ascii_lower(hay[i]) == ascii_lower(needle[i]))
			i++;
		if (i == n)
			return 1;
	}
	return 0;
}

static void email_words_split(const char *email, struct email_words *ew)
{
	size_t nwords = 0, len = email != NULL ? strlen(email) : 0, namelen;
	const char *at = email != NULL ? strchr(email, '@') : NULL, *tld;

	ew->name[0] = '\0';
	ew->words[0] = NULL;
	if (at == NULL || len > VALID_EMAIL_MAX)
		return;
	namelen = strcspn(email, "+@");
	for (size_t i = 0; i < namelen; i++)
		ew->name[i] = ascii_lower(email[i]);
	ew->name[namelen] = '\0';
	if ((tld = strrchr(at, '.')) != NULL)
		len = (size_t)(tld - email);    /* "com" says nothing about the user */
	for (size_t i = 0; i < len; i++)
		ew->pieces[i] = strchr(".-_+@", email[i]) != NULL ? '\0' : ascii_lower(email[i]);
	ew->pieces[len] = '\0';
	for (size_t i = 0; i < len && nwords < EMAIL_WORDS_MAX; i++)
		if (ew->pieces[i] != '\0' && (i == 0 || ew->pieces[i - 1] == '\0') &&
		    strlen(ew->pieces + i) >= 3)
			ew->words[nwords++] = ew->pieces + i;
	if (namelen > 0)
		ew->words[nwords++] = ew->name;
	ew->words[nwords] = NULL;
}

/* Runs zxcvbn and says why a weak password is weak: built on the email
 * address, made only of listed passwords and words, or otherwise
 * guessable (dates, keyboard walks, sequences, repeats). */
static const char *guessability(const char *password, struct email_words *ew)
{
	ZxcMatch_t *info = NULL;
	const char *reason = NULL;
	int words_only = 1;

	if (ZxcvbnMatch(password, ew->words, &info) >= PASSWORD_MIN_BITS)
		goto done;
	for (const ZxcMatch_t *m = info; m != NULL; m = m->Next) {
		int type = (int)m->Type & ~(int)MULTIPLE_MATCH;

		if (type == USER_MATCH || type == USER_LEET_MATCH) {
			reason = reason_email;
			goto done;
		}
		if (type != DICTIONARY_MATCH && type != DICT_LEET_MATCH)
			words_only = 0;
	}
	reason = words_only ? reason_common : reason_guessable;
done:
	ZxcvbnFreeInfo(info);
	return reason;
}

const char *password_policy_check(const char *password, const char *email)
{
	struct email_words ew;
	long chars;

	if (password == NULL || password[0] == '\0')
		return reason_missing;
	if (strlen(password) > PASSWORD_MAX_BYTES)
		return reason_long;
	if ((chars = valid_utf8_chars(password)) < 0)
		return reason_encoding;
	if (chars < PASSWORD_MIN_CHARS)
		return reason_short;
	email_words_split(email, &ew);
	if (strlen(ew.name) >= NAME_MIN_BYTES && contains_nocase(password, ew.name))
		return reason_email;
	return guessability(password, &ew);
}
