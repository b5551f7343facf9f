/*
 * test_csrf.c - CSRF tokens: a session's token verifies, anything else
 * (another session's token, a truncated or altered one, none) does not,
 * and the pre-sign-in double-submit check needs cookie and field to agree.
 */
#include <stdlib.h>

#include "check.h"
#include "req.h"
#include "session.h"

static void parse_cookie(struct req *r, const char *cookie)
{
	const char *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/login", cookie, NULL };
	struct req_error err;

	if (req_parse(r, (char *const *)env, NULL, NULL, 0, NULL, &err) != 0)
		abort();
}

int main(void)
{
	struct session a = { .id = 1 }, b = { .id = 2 };
	char ta[CSRF_TOKEN_LEN + 1], tb[CSRF_TOKEN_LEN + 1], bad[CSRF_TOKEN_LEN + 1];
	struct req r;

	memset(a.csrf_secret, 0x11, sizeof(a.csrf_secret));
	memset(b.csrf_secret, 0x22, sizeof(b.csrf_secret));
	session_csrf_token(&a, ta);
	session_csrf_token(&b, tb);
	CHECK(strlen(ta) == CSRF_TOKEN_LEN, "a token is 43 base64url characters");
	CHECK(session_csrf_ok(&a, ta), "a session's own token is accepted");
	CHECK(!session_csrf_ok(&a, tb), "another session's token is refused");
	CHECK(!session_csrf_ok(&a, NULL) && !session_csrf_ok(&a, ""), "a missing token is refused");
	memcpy(bad, ta, sizeof(bad));
	bad[10] = bad[10] == 'A' ? 'B' : 'A';
	CHECK(!session_csrf_ok(&a, bad), "an altered token is refused");
	bad[CSRF_TOKEN_LEN - 1] = '\0';
	CHECK(!session_csrf_ok(&a, bad), "a truncated token is refused");
	a.id = 0;
	CHECK(!session_csrf_ok(&a, ta), "without a session no token is accepted");

	parse_cookie(&r, "HTTP_COOKIE=__Host-gauge_pre=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");
	CHECK(prelogin_ok(&r, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"), "before sign-in, cookie and field agreeing pass");
	CHECK(!prelogin_ok(&r, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFH"), "a field that differs from the cookie fails");
	CHECK(!prelogin_ok(&r, NULL), "a missing field fails");
	req_free(&r);
	parse_cookie(&r, "HTTP_X=1");
	CHECK(!prelogin_ok(&r, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"), "a field without the cookie fails");
	req_free(&r);
	return check_done("test_csrf");
}
