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
	/* Ids are checked before any query: a non-ASCII id must never reach
	 * MariaDB (collation errors answered 503). */
	static const struct { const char *s, *prefix; int ok; } public_ids[] = {
		{ "dev_AAAAAAAAAAAAAAAA", "dev_", 1 }, { "dev_aZ09-_aZ09-_aZ09", "dev_", 1 },
		{ "grp_0123456789abcdef", "grp_", 1 }, { "grp_0123456789abcdef", "dev_", 0 },
		{ "d\xc3\xa9v", "dev_", 0 }, { "dev_\xc3\xa9" "AAAAAAAAAAAAAA", "dev_", 0 },
		{ "dev_AAAAAAAAAAAAAAA", "dev_", 0 }, { "dev_AAAAAAAAAAAAAAAAA", "dev_", 0 },
		{ "dev_AAAAAAAA.AAAAAAA", "dev_", 0 }, { "", "dev_", 0 }, { NULL, "dev_", 0 },
	};
	/* Form numbers are decimal as people write them: no hex, inf or nan. */
	static const struct { const char *s; int ok; double v; } decimals[] = {
		{ "21.5", 1, 21.5 }, { "-3", 1, -3 }, { "+4", 1, 4 }, { "1e3", 1, 1000 }, { "2.5E-1", 1, 0.25 },
		{ "007", 1, 7 }, { "0x10", 0, 0 }, { "inf", 0, 0 }, { "nan", 0, 0 }, { "infinity", 0, 0 },
		{ "1e400", 0, 0 }, { "", 0, 0 }, { " 1", 0, 0 }, { "1 ", 0, 0 }, { "1.", 0, 0 }, { ".5", 0, 0 },
		{ "1e", 0, 0 }, { "--1", 0, 0 }, { "1,5", 0, 0 }, { "0x1p3", 0, 0 },
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
	for (size_t i = 0; i < sizeof(public_ids) / sizeof(public_ids[0]); i++)
		CHECK(valid_public_id(public_ids[i].s, public_ids[i].prefix) == public_ids[i].ok, public_ids[i].s);
	for (size_t i = 0; i < sizeof(decimals) / sizeof(decimals[0]); i++) {
		double d = 0;
		int ok = valid_decimal(decimals[i].s, &d);

		CHECK(ok == decimals[i].ok && (!ok || d == decimals[i].v), decimals[i].s);
	}
	return check_done("test_valid");
}
