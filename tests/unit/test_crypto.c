/*
 * test_crypto.c - the per-process shortcuts in crypto.c keep their promises:
 * SHA-256 with the cached context still gives FIPS 180-2's answers, time
 * after time, and request-id bytes are never the same in two processes
 * forked from one parent.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "crypto.h"

static void test_sha256(void)
{
	static const struct { const char *in, *hex; } vectors[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	unsigned char h[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];

	for (int round = 0; round < 3; round++)     /* the reused context starts clean each time */
		for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
			crypto_sha256(vectors[i].in, strlen(vectors[i].in), h);
			crypto_hex(h, sizeof(h), hex);
			CHECK_STR(hex, vectors[i].hex, "SHA-256 of a FIPS 180-2 example");
		}
}

static void test_random_id(void)
{
	unsigned char a[8], b[8], c[8];
	int fds[2], status = 0, differ = 1;
	pid_t pid;

	CHECK(crypto_random_id(a, sizeof(a)) == 0 && crypto_random_id(b, sizeof(b)) == 0 &&
	    memcmp(a, b, sizeof(a)) != 0, "two request ids in a row differ");
	/* The parent's block is full now; a child must not serve from it. */
	if (pipe(fds) != 0)
		return;
	if ((pid = fork()) == 0) {
		unsigned char x[8];

		close(fds[0]);
		(void)crypto_random_id(x, sizeof(x));
		_exit(write(fds[1], x, sizeof(x)) == (ssize_t)sizeof(x) ? 0 : 1);
	}
	close(fds[1]);
	CHECK(read(fds[0], c, sizeof(c)) == (ssize_t)sizeof(c), "the child sent its id");
	close(fds[0]);
	waitpid(pid, &status, 0);
	CHECK(crypto_random_id(a, sizeof(a)) == 0, "the parent still makes ids");
	differ = memcmp(a, c, sizeof(a)) != 0;
	CHECK(differ, "a forked child's id is not the parent's next one");
	for (int i = 0; i < 2000 && differ; i++)
		differ = crypto_random_id(a, sizeof(a)) == 0;
	CHECK(differ, "ids keep coming across refills of the block");
}

int main(void)
{
	test_sha256();
	test_random_id();
	return check_done("test_crypto");
}
