/*
 * test_metrics.c - the shared counters (metrics.c) and the text writer
 * (prom.c): what a request adds and where, that workers adding at once lose
 * nothing, that another route table starts from zero, and that label values
 * are escaped as the exposition format requires.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "metrics.h"
#include "prom.h"

static char dir[] = "/tmp/gauge-test-metrics-XXXXXX";

static const struct {
	int line;
	uint64_t us;
	size_t bucket;              /* the first bound the duration is within */
} bucket_cases[] = {
	{ __LINE__, 0, 0 },
	{ __LINE__, 1000, 0 },                  /* bounds are inclusive (le) */
	{ __LINE__, 1001, 1 },
	{ __LINE__, 2500, 1 },
	{ __LINE__, 99999, 6 },
	{ __LINE__, 5000000, 11 },
	{ __LINE__, 5000001, METRICS_BUCKETS }, /* +Inf */
	{ __LINE__, UINT64_MAX / 2, METRICS_BUCKETS },
};

static void test_buckets(void)
{
	for (size_t i = 0; i < sizeof(bucket_cases) / sizeof(bucket_cases[0]); i++) {
		char what[64];
		uint64_t before = metrics_bucket(3, bucket_cases[i].bucket);

		snprintf(what, sizeof(what), "line %d: %llu us", bucket_cases[i].line,
		    (unsigned long long)bucket_cases[i].us);
		metrics_request(3, 200, bucket_cases[i].us);
		CHECK(metrics_bucket(3, bucket_cases[i].bucket) == before + 1, what);
	}
}

static void test_prom(void)
{
	struct prom p = { 0 };
	const char *lab[] = { "instance", "a\"b\\c\nd", "k", "v", NULL };

	prom_family(&p, "x_total", "counter", "Things.");
	prom_uint(&p, "x_total", lab, 7);
	prom_uint(&p, "x_total", NULL, 0);
	prom_double(&p, "y", NULL, 1.5);
	CHECK(!prom_failed(&p), "writes");
	CHECK_STR(p.buf, "# HELP x_total Things.\n# TYPE x_total counter\n"
	    "x_total{instance=\"a\\\"b\\\\c\\nd\",k=\"v\"} 7\nx_total 0\ny 1.500000\n",
	    "HELP, TYPE, samples; \\ \" and newline escaped in label values");
	prom_free(&p);
}

int main(void)
{
	char path[128], err[256];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/metrics", dir);
	metrics_add(METRIC_READINGS_STORED, 5);
	CHECK(!metrics_ready() && metrics_value(METRIC_READINGS_STORED) == 0,
	    "before the table is open, adds are no-ops (alertd, gaugectl)");

	CHECK(metrics_open(path, 42, err, sizeof(err)) == 0, err);
	metrics_add(METRIC_READINGS_STORED, 5);
	metrics_add(METRIC_READINGS_DUPLICATE, 2);
	CHECK(metrics_value(METRIC_READINGS_STORED) == 5 && metrics_value(METRIC_READINGS_DUPLICATE) == 2,
	    "plain counters add");
	metrics_request(0, 201, 1500);
	metrics_request(0, 201, 1500);
	metrics_request(0, 429, 10);
	CHECK(metrics_requests(0, 201) == 2 && metrics_requests(0, 429) == 1 && metrics_requests(1, 201) == 0,
	    "requests count by route slot and status");
	CHECK(metrics_duration_sum_us(0) == 3010, "durations add up in microseconds");
	metrics_request(0, 42, 0);
	CHECK(metrics_requests(0, 500) == 1, "a status out of range counts as 500");
	metrics_request(METRICS_ROUTES_MAX, 200, 0);
	CHECK(metrics_requests(METRICS_ROUTES_MAX, 200) == 0, "a slot out of range is ignored");
	test_buckets();

	/* Two workers at once, each with its own mapping of the same file. */
	for (int w = 0; w < 2; w++) {
		pid_t pid = fork();

		if (pid == 0) {
			if (metrics_open(path, 42, err, sizeof(err)) != 0)
				_exit(1);
			for (int i = 0; i < 100000; i++)
				metrics_request(5, 200, 10);
			_exit(0);
		}
	}
	for (int w = 0, st; w < 2; w++)
		wait(&st);
	CHECK(metrics_requests(5, 200) == 200000, "workers adding at once lose nothing");
	CHECK(metrics_value(METRIC_READINGS_STORED) == 5, "and reopening the same layout keeps counts");

	CHECK(metrics_open(path, 43, err, sizeof(err)) == 0, err);
	CHECK(metrics_value(METRIC_READINGS_STORED) == 0 && metrics_requests(5, 200) == 0,
	    "another route table starts from zero");
	metrics_close();
	CHECK(metrics_open("/nonexistent-dir/metrics", 1, err, sizeof(err)) == -1 &&
	    strstr(err, "/nonexistent-dir/metrics") != NULL, "an unusable path is named");

	test_prom();
	unlink(path);
	rmdir(dir);
	return check_done("test_metrics");
}
