/*
 * test_store_oid.c - the ObjectIds gauge.fcgi gives readings (store.c):
 * the seconds first, big-endian, as the ObjectId specification says; never
 * the same id twice in a process; never the same process bytes in a forked
 * child as in its parent.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "store_internal.h"

static int oid_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(bson_oid_t));
}

int main(void)
{
	enum { N = 200000 };
	bson_oid_t *ids = malloc(N * sizeof(*ids)), child;
	int fds[2], dup = 0, status;
	pid_t pid;

	if (ids == NULL)
		return 1;
	store_oid_new(&ids[0], 0x01020304);
	CHECK(ids[0].bytes[0] == 1 && ids[0].bytes[1] == 2 && ids[0].bytes[2] == 3 && ids[0].bytes[3] == 4,
	    "the time comes first, big-endian");
	for (int i = 1; i < N; i++)
		store_oid_new(&ids[i], 1795000000);
	CHECK(memcmp(ids[1].bytes + 4, ids[2].bytes + 4, 5) == 0, "one process, one random middle");
	qsort(ids, N, sizeof(*ids), oid_cmp);
	for (int i = 1; i < N; i++)
		dup |= oid_cmp(&ids[i - 1], &ids[i]) == 0;
	CHECK(!dup, "200,000 ids in one second, all different");
	store_oid_new(&ids[0], 1795000000);
	if (pipe(fds) != 0)
		return 1;
	if ((pid = fork()) == 0) {
		bson_oid_t x;

		store_oid_new(&x, 1795000000);
		_exit(write(fds[1], &x, sizeof(x)) == (ssize_t)sizeof(x) ? 0 : 1);
	}
	close(fds[1]);
	CHECK(read(fds[0], &child, sizeof(child)) == (ssize_t)sizeof(child), "the child sent its id");
	waitpid(pid, &status, 0);
	CHECK(memcmp(child.bytes + 4, ids[0].bytes + 4, 5) != 0, "a forked child draws its own random middle");
	free(ids);
	return check_done("test_store_oid");
}
