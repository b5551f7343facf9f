/*
 * test_ratelimit.c - the shared per-key limiter: counts, refuses past the
 * limit, resets with the window, keeps subjects apart, and is shared by
 * processes that map the same file.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "ratelimit.h"

int main(void)
{
	char path[] = "/tmp/gauge-rl-XXXXXX", err[256];
	int fd = mkstemp(path);
	struct ratelimit *rl;
	struct rl_result r;
	time_t t = 1800000000;      /* a window boundary: 1800000000 % 60 == 0 */
	pid_t pid;
	int status;

	close(fd);
	rl = ratelimit_open(path, err, sizeof(err));
	CHECK(rl != NULL, "the table maps");
	ratelimit_hit(rl, 7, 3, 60, t, &r);
	CHECK(r.allowed && r.limit == 3 && r.remaining == 2 && r.reset_s == 60, "first request: 2 left, 60 s to reset");
	ratelimit_hit(rl, 7, 3, 60, t + 10, &r);
	ratelimit_hit(rl, 7, 3, 60, t + 20, &r);
	CHECK(r.allowed && r.remaining == 0 && r.reset_s == 40, "third request: none left, 40 s to reset");
	ratelimit_hit(rl, 7, 3, 60, t + 30, &r);
	CHECK(!r.allowed && r.remaining == 0, "fourth request in the window is refused");
	ratelimit_hit(rl, 8, 3, 60, t + 30, &r);
	CHECK(r.allowed && r.remaining == 2, "another key has its own count");
	ratelimit_hit(rl, 7, 3, 60, t + 60, &r);
	CHECK(r.allowed && r.remaining == 2, "a new window starts afresh");

	pid = fork();
	if (pid == 0) {
		struct ratelimit *child = ratelimit_open(path, err, sizeof(err));
		struct rl_result cr;

		for (int i = 0; i < 2; i++)
			ratelimit_hit(child, 9, 5, 60, t, &cr);
		ratelimit_close(child);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	ratelimit_hit(rl, 9, 5, 60, t, &r);
	CHECK(r.allowed && r.remaining == 2, "another process's requests count too");
	CHECK(ratelimit_subject_addr("192.0.2.1") != ratelimit_subject_addr("192.0.2.2"),
	    "addresses get distinct subjects");
	CHECK(ratelimit_subject_addr("192.0.2.1") >> 63 == 1, "address subjects never collide with key ids");
	CHECK(ratelimit_subject_touch(7, "192.0.2.1") >> 62 == 1,
	    "last-used subjects collide with neither key ids nor addresses");
	CHECK(ratelimit_subject_touch(7, "192.0.2.1") != ratelimit_subject_touch(8, "192.0.2.1") &&
	    ratelimit_subject_touch(7, "192.0.2.1") != ratelimit_subject_touch(7, "192.0.2.2"),
	    "last-used subjects differ by key and by address");
	ratelimit_hit(rl, ratelimit_subject_touch(7, "192.0.2.1"), 1, 60, t, &r);
	CHECK(r.allowed, "a key's first use in a minute is recorded");
	ratelimit_hit(rl, ratelimit_subject_touch(7, "192.0.2.1"), 1, 60, t + 59, &r);
	CHECK(!r.allowed, "further uses in that minute are not");
	ratelimit_hit(rl, 7, 3, 60, t + 61, &r);
	CHECK(r.allowed && r.remaining == 1, "recording last use does not count against the key's limit");
	ratelimit_close(rl);
	unlink(path);
	return check_done("test_ratelimit");
}
