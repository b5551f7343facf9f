/*
 * test_password_policy.c - which new passwords are accepted, and that each
 * refusal says why: length in characters, bcrypt's 72-byte ceiling, the
 * email name, and the passwords attackers try first.
 */
#include "password_policy.h"
#include "check.h"

#define EMAIL "alice.smith@example.com"

/* 1 when the password is refused with a reason containing why. */
static int refused_for(const char *password, const char *email, const char *why)
{
	const char *r = password_policy_check(password, email);

	if (r == NULL || strstr(r, why) == NULL) {
		fprintf(stderr, "     \"%s\": %s\n", password ? password : "(null)", r ? r : "accepted");
		return 0;
	}
	return 1;
}

static int accepted(const char *password, const char *email)
{
	const char *r = password_policy_check(password, email);

	if (r != NULL)
		fprintf(stderr, "     \"%s\" refused: %s\n", password, r);
	return r == NULL;
}

static void test_length_in_characters(void)
{
	CHECK(refused_for("password", EMAIL, "at least 10 characters"), "\"password\" is refused: too short");
	CHECK(refused_for("Password1", EMAIL, "at least 10 characters"), "\"Password1\" is refused: too short");
	CHECK(refused_for("", EMAIL, "choose a password") && refused_for(NULL, EMAIL, "choose a password"),
	    "no password at all is refused");
	CHECK(refused_for("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
	    EMAIL, "at least 10 characters"), "nine \"e-acute\" are nine characters, not eighteen bytes");
	CHECK(refused_for("\xf0\x9f\x94\xa5\xf0\x9f\x8c\x8a\xf0\x9f\x8c\xb2\xf0\x9f\xa6\x8a"
	    "\xf0\x9f\x90\x9d\xf0\x9f\x8d\x84\xf0\x9f\x8c\x99\xf0\x9f\x8e\x88\xf0\x9f\xa7\xad",
	    EMAIL, "at least 10 characters"), "nine emoji (36 bytes) are nine characters: too short");
	CHECK(accepted("\xf0\x9f\x94\xa5\xf0\x9f\x8c\x8a\xf0\x9f\x8c\xb2\xf0\x9f\xa6\x8a"
	    "\xf0\x9f\x90\x9d\xf0\x9f\x8d\x84\xf0\x9f\x8c\x99\xf0\x9f\x8e\x88\xf0\x9f\xa7\xad"
	    "\xf0\x9f\x9a\xb2", EMAIL), "ten emoji are ten characters: long enough");
	CHECK(accepted("K\xc3\xa4rntner \xc3\x96lm\xc3\xbchle", EMAIL),
	    "accented letters count once each and are welcome");
}

static void test_bcrypt_ceiling(void)
{
	const char *p72 = "Gauge sensors measure the river flow; this sentence is exactly 72 bytes.";
	char p73[80], emoji[4 * 19 + 1];

	CHECK(strlen(p72) == 72, "the 72-byte example is 72 bytes");
	CHECK(accepted(p72, EMAIL), "a 72-byte password is accepted");
	snprintf(p73, sizeof(p73), "%s?", p72);
	CHECK(refused_for(p73, EMAIL, "at most 72 bytes"), "a 73-byte password is refused, not truncated");
	for (int i = 0; i < 18; i++)
		memcpy(emoji + 4 * i, i % 2 ? "\xf0\x9f\x8c\xb2" : "\xf0\x9f\xa6\x8a", 4);
	emoji[72] = '\0';
	CHECK(accepted(emoji, EMAIL), "18 emoji fill exactly 72 bytes and are accepted");
	memcpy(emoji + 72, "\xf0\x9f\x90\x9d", 5);
	CHECK(refused_for(emoji, EMAIL, "at most 72 bytes"),
	    "19 emoji are only 19 characters but 76 bytes: refused with a reason that says bytes");
}

static void test_encoding(void)
{
	CHECK(refused_for("abcdefghij\xff", EMAIL, "not valid text"), "a byte that is never UTF-8 is refused");
	CHECK(refused_for("\xc0\xaf" "abcdefghijk", EMAIL, "not valid text"), "an overlong encoding is refused");
	CHECK(refused_for("abcdefghijk\xe2\x82", EMAIL, "not valid text"), "a cut-off sequence is refused");
	CHECK(refused_for("\xed\xa0\x80" "abcdefghijk", EMAIL, "not valid text"), "a UTF-16 surrogate is refused");
}

static void test_common(void)
{
	static const char *const common[] = {
		"123456789012", "password1234", "Password1234", "P@ssw0rd2024", "qwerty123456",
		"iloveyou12", "1q2w3e4r5t", "qwertyuiop", "administrator", "abcdefghij",
		"aaaaaaaaaaaa", "0123456789", "Summer2024", "letmein12345", "princess2020",
		"trustno1trustno1", "passwordpassword",
	};
	char what[96];

	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
		const char *r = password_policy_check(common[i], EMAIL);

		snprintf(what, sizeof(what), "\"%s\" is refused as too common", common[i]);
		CHECK(r != NULL && (strstr(r, "most common") != NULL || strstr(r, "easy to guess") != NULL), what);
		if (r != NULL && strstr(r, "most common") == NULL && strstr(r, "easy to guess") == NULL)
			fprintf(stderr, "     reason: %s\n", r);
	}
	CHECK(refused_for("password1234", EMAIL, "most common"), "a password off the breach lists says so");
	CHECK(refused_for("administrator", EMAIL, "most common"), "so does a single dictionary word");
	CHECK(refused_for("Summer2024", EMAIL, "too easy to guess"),
	    "a word plus a year is called guessable, with advice");
}

static void test_strong(void)
{
	static const char *const fine[] = {
		"correct horse battery staple", "purple monkey dishwasher", "BlueHeron#Lake7",
		"kitchen-window-7", "windmill-7-oak", "Gq7#pLx9vR2!", "Sensorflow2024",
	};
	char what[96];

	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
		snprintf(what, sizeof(what), "\"%s\" is accepted", fine[i]);
		CHECK(accepted(fine[i], EMAIL), what);
	}
	CHECK(accepted("correct horse battery staple", NULL), "a user without an email yet can set one");
}

static void test_email_name(void)
{
	CHECK(refused_for("alice.smith", "alice.smith@example.com", "email"),
	    "the email name itself is refused (even at 11 characters)");
	CHECK(refused_for("xyz-ALICE.SMITH-xyz", EMAIL, "email"), "containing the email name is refused, in any case");
	CHECK(refused_for("bob.jones rules the farm", "bob.jones+gauge@farm.io", "email"),
	    "the name is read without its +tag");
	CHECK(refused_for("harrington2024", "harrington@example.com", "email"),
	    "name plus a year is refused");
	CHECK(refused_for("SmithAcme2024", "j.smith@acme.com", "email"),
	    "pieces of the address (surname, company) make a password weak");
	CHECK(accepted("totally natural light", "al@example.com"),
	    "a two-letter name is not searched for inside ordinary words");
	CHECK(refused_for("Sensorflow2024", "sensor@example.com", "email"),
	    "a password built on a four-letter-plus email name is refused");
	CHECK(accepted("welcome to the windmill", "x@example.com"),
	    "the top-level domain (.com) does not count as part of the name");
}

int main(void)
{
	test_length_in_characters();
	test_bcrypt_ceiling();
	test_encoding();
	test_common();
	test_strong();
	test_email_name();
	return check_done("test_password_policy");
}
