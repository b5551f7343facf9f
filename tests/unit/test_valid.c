/*
 * test_valid.c - field validators, one edge case after another.
 */
#include "check.h"
#include "valid.h"

int main(void)
{
	static const struct { const char *s; int ok; } names[] = {
		{ "Boiler room", 1 }, { "Kühlhaus 3", 1 }, { "x", 1 },
		{ "", 0 }, { " leading", 0 }, { "trailing ", 0 }, { "tab\there", 0 },
		{ "new\nline", 0 }, { "bad \xff utf8", 0 }, { "overlong \xc0\xaf", 0 },
		{ "surrogate \xed\xa0\x80", 0 },
	};
	static const struct { const char *s; int ok; } emails[] = {
		{ "ops@example.com", 1 }, { "a.b+tag@sub.example.co.uk", 1 },
		{ "noat.example.com", 0 }, { "@example.com", 0 }, { "a@b", 0 }, { "a@b.", 0 },
		{ "a@.com", 0 }, { "a@@example.com", 0 }, { "a b@example.com", 0 },
		{ "a@example..com", 0 }, { "<a>@example.com", 0 }, { "a@example.com\r\n", 0 },
	};
	char long_name[VALID_NAME_MAX + 2];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(valid_name(names[i].s) == names[i].ok, names[i].s);
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	CHECK(!valid_name(long_name), "a name over 100 bytes is refused");
	long_name[VALID_NAME_MAX] = '\0';
	CHECK(valid_name(long_name), "a name of exactly 100 bytes is accepted");
	for (size_t i = 0; i < sizeof(emails) / sizeof(emails[0]); i++)
		CHECK(valid_email(emails[i].s) == emails[i].ok, emails[i].s);
	CHECK(valid_role("admin") == ROLE_ADMIN && valid_role("viewer") == ROLE_VIEWER, "roles parse");
	CHECK(valid_role("Admin") == -1 && valid_role("root") == -1 && valid_role(NULL) == -1,
	    "unknown roles are refused");
	CHECK(valid_id("42") == 42, "an id parses");
	CHECK(valid_id("0") == 0 && valid_id("-1") == 0 && valid_id("4x") == 0 && valid_id("") == 0 &&
	    valid_id(" 4") == 0 && valid_id("99999999999999999999") == 0, "bad ids are refused");
	return check_done("test_valid");
}
