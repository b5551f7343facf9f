/*
 * supervisor.c - fork, watch, restart, stop (see supervisor.h).
 *
 * Signals are blocked and collected with sigsuspend() so that the child
 * bookkeeping runs in normal context, never inside a handler.  A worker that
 * dies within a second of starting is restarted after a pause, so a worker
 * that cannot start (bad config, missing file) does not fork-bomb the host.
 * Workers ask the kernel to send them SIGTERM if the supervisor itself dies,
 * so no orphan keeps serving after a SIGKILL.
 */
#include "supervisor.h"

#include <errno.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define SUP_STOP_GRACE_S 10

struct sup_slot {
	pid_t pid;
	long long started_ms;
};

static volatile sig_atomic_t sup_stop;

/* SIGCHLD and SIGALRM only wake sigsuspend(); the loop does the work. */
static void sup_on_signal(int sig)
{
	if (sig == SIGTERM || sig == SIGINT)
		sup_stop = 1;
}

static long long sup_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pid_t sup_spawn(int fd, supervisor_worker_fn fn, void *ctx, const sigset_t *orig)
{
	pid_t pid = fork();

	if (pid != 0) {
		if (pid < 0)
			log_error("fork: %s", strerror(errno));
		return pid;
	}
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	sigprocmask(SIG_SETMASK, orig, NULL);
	if (getppid() == 1)
		_exit(0);
	_exit(fn(fd, ctx));
}

static void sup_reap(struct sup_slot *slots, unsigned n)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (unsigned i = 0; i < n; i++) {
			if (slots[i].pid != pid)
				continue;
			slots[i].pid = 0;
			if (!sup_stop) {
				if (WIFSIGNALED(st))
					log_warn("worker %ld killed by signal %d; restarting", (long)pid, WTERMSIG(st));
				else
					log_warn("worker %ld exited with %d; restarting", (long)pid, WEXITSTATUS(st));
			}
		}
	}
}

static void sup_fill(struct sup_slot *slots, unsigned n, int fd,
    supervisor_worker_fn fn, void *ctx, const sigset_t *orig)
{
	long long now = sup_now_ms();

	for (unsigned i = 0; i < n && !sup_stop; i++) {
		if (slots[i].pid != 0)
			continue;
		/* Crash loop guard: a worker that died young waits a second. */
		if (slots[i].started_ms != 0 && now - slots[i].started_ms < 1000) {
			alarm(1);
			continue;
		}
		slots[i].pid = sup_spawn(fd, fn, ctx, orig);
		slots[i].started_ms = now;
		if (slots[i].pid < 0)
			slots[i].pid = 0;
	}
}

static void sup_stop_all(struct sup_slot *slots, unsigned n)
{
	time_t deadline = time(NULL) + SUP_STOP_GRACE_S;
	unsigned alive;

	for (unsigned i = 0; i < n; i++)
		if (slots[i].pid > 0)
			kill(slots[i].pid, SIGTERM);
	do {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		sup_reap(slots, n);
		alive = 0;
		for (unsigned i = 0; i < n; i++)
			alive += slots[i].pid > 0;
		if (alive > 0)
			nanosleep(&ts, NULL);
	} while (alive > 0 && time(NULL) < deadline);
	for (unsigned i = 0; i < n; i++)
		if (slots[i].pid > 0) {
			log_warn("worker %ld did not stop in time; killing it", (long)slots[i].pid);
			kill(slots[i].pid, SIGKILL);
			waitpid(slots[i].pid, NULL, 0);
		}
}

static int sup_open(const char *path, unsigned mode)
{
	int fd;

	unlink(path);
	if ((fd = FCGX_OpenSocket(path, 128)) < 0) {
		log_error("cannot listen on %s: %s", path, strerror(errno));
		return -1;
	}
	if (chmod(path, mode) != 0)
		log_warn("chmod %s: %s", path, strerror(errno));
	return fd;
}

int supervisor_run(const char *socket_path, unsigned mode, unsigned workers,
    supervisor_worker_fn fn, void *ctx)
{
	struct sup_slot *slots = calloc(workers, sizeof(*slots));
	struct sigaction sa;
	sigset_t block, orig;
	int fd;

	if (slots == NULL || FCGX_Init() != 0 || (fd = sup_open(socket_path, mode)) < 0) {
		free(slots);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sup_on_signal;
	sigemptyset(&block);
	for (int s = 0, sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGALRM }; s < 4; s++) {
		sigaddset(&block, sigs[s]);
		sigaction(sigs[s], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &block, &orig);
	log_info("listening on %s with %u workers", socket_path, workers);
	while (!sup_stop) {
		sup_reap(slots, workers);
		sup_fill(slots, workers, fd, fn, ctx, &orig);
		if (!sup_stop)
			sigsuspend(&orig);
	}
	log_info("stopping %u workers", workers);
	sup_stop_all(slots, workers);
	close(fd);
	unlink(socket_path);
	free(slots);
	log_info("stopped");
	return 0;
}
