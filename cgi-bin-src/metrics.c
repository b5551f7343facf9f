/*
 * metrics.c - shared request counters (see metrics.h).
 *
 * The file starts with a magic number and the layout id; a process that
 * finds anything else (a new file, an older build's routes) zeroes the
 * counters and writes its own header, under flock() so that workers
 * starting together agree.  The lock is held only while opening: counting
 * never takes it.  The file only ever grows (never truncated while mapped:
 * a worker of the old build still running would take SIGBUS).
 */
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define METRICS_MAGIC   0x31544d4755414755ULL     /* "UGAUGMT1" in memory */
#define METRICS_NSTATUS (METRICS_STATUS_MAX - METRICS_STATUS_MIN + 1)

const uint64_t metrics_bucket_us[METRICS_BUCKETS] = {
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000,
};

struct metrics_route {
	uint64_t status[METRICS_NSTATUS];
	uint64_t bucket[METRICS_BUCKETS + 1];
	uint64_t sum_us;
};

struct metrics_table {
	uint64_t magic;
	uint64_t layout;
	uint64_t counter[METRIC__MAX];
	struct metrics_route route[METRICS_ROUTES_MAX];
};

static struct metrics_table *metrics_map;
static size_t metrics_size;

uint64_t metrics_layout_id(uint64_t h, const char *s)
{
	if (h == 0)
		h = 0xcbf29ce484222325ULL;
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL;   /* a separator: "ab","c" != "a","bc" */
}

int metrics_open(const char *path, uint64_t layout_id, char *err, size_t errlen)
{
	size_t size = sizeof(struct metrics_table);
	/* The layout of the file itself is part of its identity. */
	uint64_t layout = layout_id ^ ((uint64_t)size << 1) ^ METRICS_NSTATUS;
	struct metrics_table *t = MAP_FAILED;
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	metrics_close();
	if (fd < 0 || flock(fd, LOCK_EX) != 0 || fstat(fd, &st) != 0 ||
	    ((size_t)st.st_size < size && ftruncate(fd, (off_t)size) != 0)) {
		snprintf(err, errlen, "metrics table %s: %s", path, strerror(errno));
		goto out;
	}
	t = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (t == MAP_FAILED) {
		snprintf(err, errlen, "metrics table %s: mmap: %s", path, strerror(errno));
		goto out;
	}
	if (t->magic != METRICS_MAGIC || t->layout != layout) {
		memset(t, 0, size);
		t->layout = layout;
		__atomic_store_n(&t->magic, METRICS_MAGIC, __ATOMIC_RELEASE);
	}
	metrics_map = t;
	metrics_size = size;
out:
	/* Unlocked by hand: the mapping keeps the open file (and so a flock)
	 * alive after close(), and the next worker would wait for ever. */
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
	return metrics_map != NULL ? 0 : -1;
}

void metrics_close(void)
{
	if (metrics_map != NULL)
		munmap(metrics_map, metrics_size);
	metrics_map = NULL;
}

static void metrics_inc(uint64_t *p, uint64_t n)
{
	__atomic_fetch_add(p, n, __ATOMIC_RELAXED);
}

static uint64_t metrics_load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

void metrics_add(enum metric m, uint64_t n)
{
	if (metrics_map != NULL && (unsigned)m < METRIC__MAX)
		metrics_inc(&metrics_map->counter[m], n);
}

void metrics_request(size_t route, int status, uint64_t us)
{
	struct metrics_route *r;
	size_t b = 0;

	if (metrics_map == NULL || route >= METRICS_ROUTES_MAX)
		return;
	if (status < METRICS_STATUS_MIN || status > METRICS_STATUS_MAX)
		status = 500;
	while (b < METRICS_BUCKETS && us > metrics_bucket_us[b])
		b++;
	r = &metrics_map->route[route];
	metrics_inc(&r->status[status - METRICS_STATUS_MIN], 1);
	metrics_inc(&r->bucket[b], 1);
	metrics_inc(&r->sum_us, us);
}

int metrics_ready(void)
{
	return metrics_map != NULL;
}

uint64_t metrics_value(enum metric m)
{
	return metrics_map != NULL && (unsigned)m < METRIC__MAX ? metrics_load(&metrics_map->counter[m]) : 0;
}

uint64_t metrics_requests(size_t route, int status)
{
	if (metrics_map == NULL || route >= METRICS_ROUTES_MAX ||
	    status < METRICS_STATUS_MIN || status > METRICS_STATUS_MAX)
		return 0;
	return metrics_load(&metrics_map->route[route].status[status - METRICS_STATUS_MIN]);
}

uint64_t metrics_bucket(size_t route, size_t b)
{
	if (metrics_map == NULL || route >= METRICS_ROUTES_MAX || b > METRICS_BUCKETS)
		return 0;
	return metrics_load(&metrics_map->route[route].bucket[b]);
}

uint64_t metrics_duration_sum_us(size_t route)
{
	if (metrics_map == NULL || route >= METRICS_ROUTES_MAX)
		return 0;
	return metrics_load(&metrics_map->route[route].sum_us);
}
