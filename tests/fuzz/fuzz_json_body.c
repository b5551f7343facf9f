/*
 * fuzz_json_body.c - json_body_parse(): every JSON body a client sends.
 *
 * A document it accepts is one json-c's strict mode accepts too, holds no
 * string with a NUL, and survives being written out and parsed again
 * unchanged (so no key was merged away and no number changed).  A document
 * it refuses gets a client status (400, 422) and a reason.
 */
#include <json-c/json.h>

#include "fuzz.h"
#include "json_body.h"

/* Every string value is a C string: json-c's length equals strlen. */
static void check_strings(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_string:
		INVARIANT(strlen(json_object_get_string(v)) == (size_t)json_object_get_string_len(v),
		    "a string holds a NUL");
		break;
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(v); i++)
			check_strings(json_object_array_get_idx(v, i));
		break;
	case json_type_object: {
		json_object_object_foreach(v, key, val) {
			(void)key;
			check_strings(val);
		}
		break;
	}
	default:
		break;
	}
}

static void check_accepted(const char *body, size_t size, struct json_object *doc)
{
	struct json_tokener *tok = json_tokener_new_ex(JSON_BODY_DEPTH);
	struct json_object *plain, *again = NULL;
	struct json_body_error err;
	const char *text;
	size_t len;

	INVARIANT(tok != NULL, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	plain = json_tokener_parse_ex(tok, body, (int)size);
	if (plain == NULL && json_tokener_get_error(tok) == json_tokener_continue)
		plain = json_tokener_parse_ex(tok, "", 1);      /* the end of the body */
	INVARIANT(plain != NULL, "json-c's strict mode refuses what json_body accepted");
	json_object_put(plain);
	json_tokener_free(tok);
	check_strings(doc);
	text = json_object_to_json_string_length(doc, JSON_C_TO_STRING_PLAIN, &len);
	INVARIANT(json_body_parse(text, len, &again, &err) == 0, "written back, refused: %s (%s)",
	    err.message, text);
	INVARIANT(json_object_equal(doc, again), "written back, parsed differently: %s", text);
	json_object_put(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = fuzz_cstr(data, size);
	struct json_object *doc = NULL;
	struct json_body_error err;

	if (json_body_parse(body, size, &doc, &err) == 0) {
		check_accepted(body, size, doc);
		json_object_put(doc);
	} else {
		INVARIANT(doc == NULL, "a refusal left a document");
		INVARIANT(err.status == 400 || err.status == 422 || err.status == 413,
		    "status %d for a client's body", err.status);
		INVARIANT(err.message[0] != '\0', "a refusal without a reason");
		INVARIANT(err.pointer[0] == '\0' || err.pointer[0] == '/', "pointer '%s' is not RFC 6901", err.pointer);
	}
	free(body);
	return 0;
}
