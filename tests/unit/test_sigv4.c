/*
 * test_sigv4.c - SigV4 against AWS's published examples, so the signer is
 * right by AWS's definition and not merely consistent with our own verifier.
 *
 * Sources, every expected string copied from them, none computed here:
 *  - aws-sig-v4-test-suite (AKIDEXAMPLE, 20150830T123600Z, us-east-1,
 *    service "service"): the .creq, .sts and .authz files of each case;
 *  - AWS General Reference, "Create a signed AWS API request": IAM
 *    ListUsers, with its canonical request, string to sign, signing key
 *    and signature;
 *  - Amazon S3 API reference, "Signature Calculations for the Authorization
 *    Header: Transferring Payload in a Single Chunk": GET and PUT Object.
 */
#include <stdlib.h>

#include "arena.h"
#include "check.h"
#include "sigv4.h"

#define SUITE_KEY    "AKIDEXAMPLE"
#define SUITE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SUITE_DATE   "20150830T123600Z"
#define SUITE_STS    "AWS4-HMAC-SHA256\n20150830T123600Z\n" \
                     "20150830/us-east-1/service/aws4_request\n"
#define EMPTY_HASH   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define HOST         { "Host", "example.amazonaws.com" }
#define XDATE        { "X-Amz-Date", SUITE_DATE }
#define STS_TOKEN    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="

/* One test-suite case: the request as its .req file sends it, and the
 * published outputs (creq and sts only where pinned; NULL otherwise). */
struct vector {
	const char *name;
	const char *method, *path, *query, *body;
	struct sigv4_header headers[6];     /* ends at a NULL name */
	const char *creq, *sts, *signature;
};

static const struct vector suite[] = {
	{ "get-vanilla", "GET", "/", "", "", { HOST, XDATE },
	  "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
	  "host;x-amz-date\n" EMPTY_HASH,
	  SUITE_STS "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
	  "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
	{ "get-vanilla-query-order-key-case", "GET", "/",
	  "Param2=value2&Param1=value1", "", { HOST, XDATE },
	  "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\n"
	  "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" EMPTY_HASH,
	  SUITE_STS "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
	  "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500" },
	{ "get-vanilla-query-order-key", "GET", "/",
	  "Param1=value2&Param1=Value1", "", { HOST, XDATE },
	  "GET\n/\nParam1=Value1&Param1=value2\nhost:example.amazonaws.com\n"
	  "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" EMPTY_HASH,
	  SUITE_STS "704b4cef673542d84cdff252633f065e8daeba5f168b77116f8b1bcaf3d38f89",
	  "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1" },
	{ "get-vanilla-query-order-value", "GET", "/",
	  "Param1=value2&Param1=value1", "", { HOST, XDATE }, NULL, NULL,
	  "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694" },
	{ "get-vanilla-empty-query-key", "GET", "/", "Param1=value1", "",
	  { HOST, XDATE }, NULL,
	  SUITE_STS "1e24db194ed7d0eec2de28d7369675a243488e08526e8c1c73571282f7c517ab",
	  "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb" },
	{ "get-vanilla-utf8-query", "GET", "/", "\xe1\x88\xb4=bar", "",
	  { HOST, XDATE }, NULL, NULL,
	  "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04" },
	{ "get-utf8", "GET", "/\xe1\x88\xb4", "", "", { HOST, XDATE },
	  "GET\n/%E1%88%B4\n\nhost:example.amazonaws.com\n"
	  "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" EMPTY_HASH,
	  SUITE_STS "2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102",
	  "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85" },
	{ "get-unreserved", "GET",
	  "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
	  "", "", { HOST, XDATE }, NULL, NULL,
	  "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f" },
	{ "normalize-path/get-slashes", "GET", "//example//", "", "",
	  { HOST, XDATE },
	  "GET\n/example/\n\nhost:example.amazonaws.com\n"
	  "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" EMPTY_HASH,
	  SUITE_STS "cb96b4ac96d501f7c5c15bc6d67b3035061cfced4af6585ad927f7e6c985c015",
	  "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84" },
	{ "normalize-path/get-slash-pointless-dot", "GET", "/./example", "", "",
	  { HOST, XDATE }, NULL,
	  SUITE_STS "214d50c111a8edc4819da6a636336472c916b5240f51e9a51b5c3305180cf702",
	  "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5" },
	{ "normalize-path/get-relative-relative", "GET",
	  "/example1/example2/../..", "", "", { HOST, XDATE },
	  "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
	  "host;x-amz-date\n" EMPTY_HASH,
	  SUITE_STS "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
	  "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
	{ "get-header-value-trim", "GET", "/", "", "",
	  { HOST, { "My-Header1", " value1" }, { "My-Header2", " \"a   b   c\"" },
	    XDATE },
	  "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\n"
	  "my-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\n"
	  "host;my-header1;my-header2;x-amz-date\n" EMPTY_HASH, NULL,
	  "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736" },
	{ "get-header-key-duplicate", "GET", "/", "", "",
	  { HOST, { "My-Header1", "value2" }, { "My-Header1", "value2" },
	    { "My-Header1", "value1" }, XDATE },
	  "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value2,value2,value1\n"
	  "x-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n" EMPTY_HASH,
	  SUITE_STS "dc7f04a3abfde8d472b0ab1a418b741b7c67174dad1551b4117b15527fbe966c",
	  "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea" },
	{ "get-header-value-order", "GET", "/", "", "",
	  { HOST, { "My-Header1", "value4" }, { "My-Header1", "value1" },
	    { "My-Header1", "value3" }, { "My-Header1", "value2" }, XDATE },
	  "GET\n/\n\nhost:example.amazonaws.com\n"
	  "my-header1:value4,value1,value3,value2\n"
	  "x-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n" EMPTY_HASH,
	  SUITE_STS "31ce73cd3f3d9f66977ad3dd957dc47af14df92fcd8509f59b349e9137c58b86",
	  "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01" },
	{ "post-vanilla", "POST", "/", "", "", { HOST, XDATE },
	  "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
	  "host;x-amz-date\n" EMPTY_HASH,
	  SUITE_STS "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
	  "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b" },
	{ "post-vanilla-query", "POST", "/", "Param1=value1", "", { HOST, XDATE },
	  "POST\n/\nParam1=value1\nhost:example.amazonaws.com\n"
	  "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" EMPTY_HASH,
	  SUITE_STS "9d659678c1756bb3113e2ce898845a0a79dbbc57b740555917687f1b3340fbbd",
	  "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11" },
	{ "post-x-www-form-urlencoded", "POST", "/", "", "Param1=value1",
	  { { "Content-Type", "application/x-www-form-urlencoded" }, HOST, XDATE },
	  "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\n"
	  "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
	  "content-type;host;x-amz-date\n"
	  "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
	  SUITE_STS "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281",
	  "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a" },
	{ "post-sts-token/post-sts-header-before", "POST", "/", "", "",
	  { HOST, XDATE, { "X-Amz-Security-Token", STS_TOKEN } },
	  "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n"
	  "x-amz-security-token:" STS_TOKEN "\n\n"
	  "host;x-amz-date;x-amz-security-token\n" EMPTY_HASH,
	  SUITE_STS "c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6",
	  "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead" },
};

static size_t count_headers(const struct sigv4_header *h)
{
	size_t n = 0;

	while (n < 6 && h[n].name != NULL)
		n++;
	return n;
}

static int sign_suite(struct arena *a, const struct vector *v,
    struct sigv4_signed *out)
{
	struct sigv4_request r = {
		.method = v->method, .path = v->path, .query = v->query,
		.headers = v->headers, .nheaders = count_headers(v->headers),
		.payload = v->body, .payload_len = strlen(v->body),
		.access_key_id = SUITE_KEY, .secret_access_key = SUITE_SECRET,
		.region = "us-east-1", .service = "service",
		.amz_date = SUITE_DATE,
	};

	return sigv4_sign(a, &r, out);
}

static void test_suite_vectors(void)
{
	char what[160];

	for (size_t i = 0; i < sizeof(suite) / sizeof(suite[0]); i++) {
		const struct vector *v = &suite[i];
		struct arena a;
		struct sigv4_signed s;

		arena_init(&a);
		snprintf(what, sizeof(what), "%s: signs", v->name);
		CHECK(sign_suite(&a, v, &s) == 0, what);
		if (v->creq != NULL) {
			snprintf(what, sizeof(what), "%s: canonical request is the suite's .creq", v->name);
			CHECK_STR(s.canonical_request, v->creq, what);
		}
		if (v->sts != NULL) {
			snprintf(what, sizeof(what), "%s: string to sign is the suite's .sts", v->name);
			CHECK_STR(s.string_to_sign, v->sts, what);
		}
		snprintf(what, sizeof(what), "%s: signature is the suite's", v->name);
		CHECK_STR(s.signature, v->signature, what);
		sigv4_forget(&s);
		arena_free(&a);
	}
}

static void test_get_vanilla_authorization_header(void)
{
	struct arena a;
	struct sigv4_signed s;

	arena_init(&a);
	CHECK(sign_suite(&a, &suite[0], &s) == 0, "get-vanilla signs");
	CHECK_STR(s.authorization,
	    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
	    "SignedHeaders=host;x-amz-date, "
	    "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
	    "get-vanilla Authorization header is the suite's .authz");
	CHECK_STR(s.credential_scope, "20150830/us-east-1/service/aws4_request",
	    "credential scope is date/region/service/aws4_request");
	CHECK_STR(s.payload_hash, EMPTY_HASH, "an empty payload hashes as \"\"");
	sigv4_forget(&s);
	arena_free(&a);
}

/* AWS General Reference, "Create a signed AWS API request". */
static void test_iam_list_users_example(void)
{
	static const struct sigv4_header h[] = {
		{ "Content-Type", "application/x-www-form-urlencoded; charset=utf-8" },
		{ "Host", "iam.amazonaws.com" },
		{ "X-Amz-Date", "20150830T123600Z" },
	};
	struct sigv4_request r = {
		.method = "GET", .path = "/",
		.query = "Action=ListUsers&Version=2010-05-08",
		.headers = h, .nheaders = 3,
		.access_key_id = SUITE_KEY, .secret_access_key = SUITE_SECRET,
		.region = "us-east-1", .service = "iam", .amz_date = SUITE_DATE,
	};
	struct arena a;
	struct sigv4_signed s;
	char key[SIGV4_HEX_SIZE];

	arena_init(&a);
	CHECK(sigv4_sign(&a, &r, &s) == 0, "IAM ListUsers signs");
	CHECK_STR(s.canonical_request,
	    "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
	    "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
	    "host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
	    "content-type;host;x-amz-date\n" EMPTY_HASH,
	    "IAM ListUsers canonical request is the documented one");
	CHECK_STR(s.string_to_sign,
	    "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
	    "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59",
	    "IAM ListUsers string to sign is the documented one");
	crypto_hex(s.signing_key, SHA256_LEN, key);
	CHECK_STR(key, "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9",
	    "IAM ListUsers signing key is the documented one");
	CHECK_STR(s.signature,
	    "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
	    "IAM ListUsers signature is the documented one");
	CHECK_STR(s.authorization,
	    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
	    "SignedHeaders=content-type;host;x-amz-date, "
	    "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
	    "IAM ListUsers Authorization header is the documented one");
	sigv4_forget(&s);
	CHECK(s.signing_key[0] == 0 && s.signing_key[31] == 0 && s.signature[0] == 0,
	    "sigv4_forget wipes the signing key and signature");
	arena_free(&a);
}

#define S3_KEY    "AKIAIOSFODNN7EXAMPLE"
#define S3_SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define S3_HOST   "examplebucket.s3.amazonaws.com"

/* S3's rules differ: the path is encoded once, never normalised. */
static void test_s3_examples(void)
{
	static const char put_body[] = "Welcome to Amazon S3.";
	static const struct sigv4_header get_h[] = {
		{ "Host", S3_HOST }, { "Range", "bytes=0-9" },
		{ "x-amz-content-sha256", EMPTY_HASH },
		{ "x-amz-date", "20130524T000000Z" },
	};
	static const struct sigv4_header put_h[] = {
		{ "Date", "Fri, 24 May 2013 00:00:00 GMT" }, { "Host", S3_HOST },
		{ "x-amz-date", "20130524T000000Z" },
		{ "x-amz-storage-class", "REDUCED_REDUNDANCY" },
		{ "x-amz-content-sha256",
		  "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072" },
	};
	struct sigv4_request r = {
		.method = "GET", .path = "/test.txt", .headers = get_h, .nheaders = 4,
		.access_key_id = S3_KEY, .secret_access_key = S3_SECRET,
		.region = "us-east-1", .service = "s3",
		.amz_date = "20130524T000000Z", .s3 = 1,
	};
	struct arena a;
	struct sigv4_signed s;

	arena_init(&a);
	CHECK(sigv4_sign(&a, &r, &s) == 0, "S3 GET Object signs");
	CHECK_STR(s.canonical_request,
	    "GET\n/test.txt\n\nhost:" S3_HOST "\nrange:bytes=0-9\n"
	    "x-amz-content-sha256:" EMPTY_HASH "\nx-amz-date:20130524T000000Z\n\n"
	    "host;range;x-amz-content-sha256;x-amz-date\n" EMPTY_HASH,
	    "S3 GET Object canonical request is the documented one");
	CHECK_STR(s.signature,
	    "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
	    "S3 GET Object signature is the documented one");
	sigv4_forget(&s);

	r.method = "PUT";
	r.path = "/test%24file.text";
	r.headers = put_h;
	r.nheaders = 5;
	r.payload = put_body;
	r.payload_len = strlen(put_body);
	CHECK(sigv4_sign(&a, &r, &s) == 0, "S3 PUT Object signs");
	CHECK(strstr(s.canonical_request, "\n/test%24file.text\n") != NULL,
	    "S3 encodes the key once: %24 stays %24");
	CHECK_STR(s.signature,
	    "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
	    "S3 PUT Object signature is the documented one");
	sigv4_forget(&s);

	r.s3 = 0;
	CHECK(sigv4_sign(&a, &r, &s) == 0 &&
	    strstr(s.canonical_request, "\n/test%2524file.text\n") != NULL,
	    "other services encode the wire path again: %24 becomes %2524");
	sigv4_forget(&s);
	arena_free(&a);
}

static void test_bad_input_is_refused(void)
{
	struct sigv4_header h[] = { HOST, XDATE };
	struct sigv4_request r = {
		.method = "GET", .path = "/", .headers = h, .nheaders = 2,
		.access_key_id = SUITE_KEY, .secret_access_key = SUITE_SECRET,
		.region = "us-east-1", .service = "service", .amz_date = SUITE_DATE,
	};
	struct arena a;
	struct sigv4_signed s;

	arena_init(&a);
	r.amz_date = "2015-08-30T12:36:00Z";
	CHECK(sigv4_sign(&a, &r, &s) == -1, "an extended ISO date is refused");
	r.amz_date = SUITE_DATE;
	h[1].value = "20150830T123600Z\r\nX-Evil: 1";
	CHECK(sigv4_sign(&a, &r, &s) == -1, "a header value with CR LF is refused");
	h[1].value = SUITE_DATE;
	h[1].name = "X Amz Date";
	CHECK(sigv4_sign(&a, &r, &s) == -1, "a header name with spaces is refused");
	h[1].name = "X-Amz-Date";
	r.region = "us-east-1/x";
	CHECK(sigv4_sign(&a, &r, &s) == -1, "a region with a slash is refused");
	r.region = "us-east-1";
	r.nheaders = 0;
	CHECK(sigv4_sign(&a, &r, &s) == -1, "a request with no signed header is refused");
	r.nheaders = 2;
	CHECK(sigv4_sign(&a, &r, &s) == 0, "the same request, repaired, signs");
	sigv4_forget(&s);
	arena_free(&a);
}

static void test_amz_date(void)
{
	char d[SIGV4_AMZ_DATE_SIZE];

	CHECK(sigv4_amz_date(1440938160, d) == 0, "formats a time_t");
	CHECK_STR(d, "20150830T123600Z", "1440938160 is the suite's 20150830T123600Z");
	CHECK(sigv4_amz_date(0, d) == 0, "formats the epoch");
	CHECK_STR(d, "19700101T000000Z", "the epoch is 19700101T000000Z");
}

int main(void)
{
	test_suite_vectors();
	test_get_vanilla_authorization_header();
	test_iam_list_users_example();
	test_s3_examples();
	test_bad_input_is_refused();
	test_amz_date();
	return check_done("test_sigv4");
}
