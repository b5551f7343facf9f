/*
 * test_retention.c - the retention window's rule, as a form field and as a
 * JSON member: one edge case after another (retention.h).
 */
#include <json-c/json.h>

#include "check.h"
#include "retention.h"

int main(void)
{
	/* A form field: "" unsets, digits only, 1..36500; a missing field is no answer. */
	static const struct { int line; const char *s; int ok, days; } forms[] = {
		{ __LINE__, "30", 1, 30 }, { __LINE__, "1", 1, 1 }, { __LINE__, "36500", 1, 36500 },
		{ __LINE__, "007", 1, 7 }, { __LINE__, "", 1, 0 },
		{ __LINE__, NULL, 0, 0 }, { __LINE__, "0", 0, 0 }, { __LINE__, "36501", 0, 0 },
		{ __LINE__, "-1", 0, 0 }, { __LINE__, "+30", 0, 0 }, { __LINE__, " 30", 0, 0 },
		{ __LINE__, "30 ", 0, 0 }, { __LINE__, "30.0", 0, 0 }, { __LINE__, "1e3", 0, 0 },
		{ __LINE__, "0x10", 0, 0 }, { __LINE__, "abc", 0, 0 }, { __LINE__, "999999999999999999999", 0, 0 },
		{ __LINE__, "000000000030", 0, 0 },
	};
	/* A JSON member: null unsets, an integer 1..36500; no strings, no 30.0. */
	static const struct { int line; const char *json; int ok, days; } members[] = {
		{ __LINE__, "30", 1, 30 }, { __LINE__, "36500", 1, 36500 }, { __LINE__, "null", 1, 0 },
		{ __LINE__, "0", 0, 0 }, { __LINE__, "-5", 0, 0 }, { __LINE__, "36501", 0, 0 },
		{ __LINE__, "30.0", 0, 0 }, { __LINE__, "30.5", 0, 0 }, { __LINE__, "\"30\"", 0, 0 },
		{ __LINE__, "true", 0, 0 }, { __LINE__, "[30]", 0, 0 }, { __LINE__, "{}", 0, 0 },
		{ __LINE__, "9223372036854775807", 0, 0 }, { __LINE__, "4294967326", 0, 0 },
	};
	char what[96], detail[RETENTION_DETAIL_LEN];
	int days;

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		snprintf(what, sizeof(what), "line %d: form '%s'", forms[i].line, forms[i].s ? forms[i].s : "(none)");
		days = -1;
		CHECK(retention_days_parse(forms[i].s, &days) == forms[i].ok, what);
		CHECK(!forms[i].ok || days == forms[i].days, what);
	}
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		struct json_object *v = json_tokener_parse(members[i].json);

		snprintf(what, sizeof(what), "line %d: JSON %s", members[i].line, members[i].json);
		days = -1;
		CHECK(retention_days_json(v, &days) == members[i].ok, what);
		CHECK(!members[i].ok || days == members[i].days, what);
		json_object_put(v);
	}
	CHECK_STR(retention_detail(30, detail), "{\"retention_days\":30}", "detail of a window");
	CHECK_STR(retention_detail(0, detail), "{\"retention_days\":null}", "detail of none");
	return check_done("test_retention");
}
