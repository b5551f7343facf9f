/*
 * supervisor.c - fork, watch, restart, stop (see supervisor.h).
 *
 * Signals are blocked and collected with sigsuspend() so that the child
 * bookkeeping runs in normal context, never inside a handler.  A worker that
 * dies within a second of starting is restarted after a pause, so a worker
 * that cannot start (bad config, missing file) does not fork-bomb the host.
 * Workers ask the kernel to send them SIGTERM if the supervisor itself dies,
 * so no orphan keeps serving after a SIGKILL.
 *
 * SIGHUP reloads: the caller's reload function reads the configuration
 * again, and each worker belongs to a generation.  Workers of an older
 * generation are replaced one at a time: the replacement is forked first,
 * then the old one gets SIGTERM, finishes the request it holds and exits;
 * only then is the next one retired.  The socket stays open throughout, so
 * no connection is refused and no request in flight is cut; the pool never
 * has fewer than N workers accepting, except while a replacement starts.
 * Workers ignore SIGHUP themselves: a HUP sent to the whole process group
 * must not kill them mid-request.
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
	unsigned gen;           /* the configuration generation it started with */
};

static volatile sig_atomic_t sup_stop, sup_hup;
static unsigned sup_gen;        /* bumped by each successful reload */
static pid_t sup_retiring;      /* the old worker finishing its last request */

/* SIGCHLD and SIGALRM only wake sigsuspend(); the loop does the work. */
static void sup_on_signal(int sig)
{
	if (sig == SIGTERM || sig == SIGINT)
		sup_stop = 1;
	else if (sig == SIGHUP)
		sup_hup = 1;
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
	signal(SIGHUP, SIG_IGN);
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
		if (pid == sup_retiring) {
			sup_retiring = 0;
			log_debug("worker %ld retired", (long)pid);
			continue;
		}
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
		slots[i].gen = sup_gen;
		if (slots[i].pid < 0)
			slots[i].pid = 0;
	}
}

/* SIGHUP: a new configuration, or the old one kept (logged either way). */
static void sup_reload(supervisor_reload_fn reload, void *ctx, unsigned n)
{
	sup_hup = 0;
	log_info("SIGHUP: reloading the configuration");
	if (reload != NULL && reload(ctx) != 0) {
		log_error("reload failed: the running configuration and workers stay");
		return;
	}
	sup_gen++;
	log_info("reloaded; replacing %u workers one by one", n);
}

/*
 * Retires one worker of an older generation, if none is retiring already:
 * its slot is freed so that sup_fill() forks the replacement at once, then
 * the old worker is asked to finish its request and exit.  Returns the
 * number of workers still to replace.
 */
static unsigned sup_roll(struct sup_slot *slots, unsigned n)
{
	unsigned stale = 0;

	for (unsigned i = 0; i < n; i++) {
		if (slots[i].pid <= 0 || slots[i].gen == sup_gen)
			continue;
		stale++;
		if (sup_retiring == 0) {
			sup_retiring = slots[i].pid;
			slots[i].pid = 0;
			slots[i].started_ms = 0;    /* a replacement, not a crash */
			kill(sup_retiring, SIGTERM);
		}
	}
	return stale + (sup_retiring != 0);
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
		alive = sup_retiring != 0;
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
	if (sup_retiring != 0) {
		log_warn("worker %ld did not stop in time; killing it", (long)sup_retiring);
		kill(sup_retiring, SIGKILL);
		waitpid(sup_retiring, NULL, 0);
		sup_retiring = 0;
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
    supervisor_worker_fn fn, supervisor_reload_fn reload, void *ctx)
{
	static const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGALRM, SIGHUP };
	struct sup_slot *slots = calloc(workers, sizeof(*slots));
	struct sigaction sa;
	sigset_t block, orig;
	unsigned rolling = 0;
	int fd;

	if (slots == NULL || FCGX_Init() != 0 || (fd = sup_open(socket_path, mode)) < 0) {
		free(slots);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sup_on_signal;
	sigemptyset(&block);
	for (size_t s = 0; s < sizeof(sigs) / sizeof(sigs[0]); s++) {
		sigaddset(&block, sigs[s]);
		sigaction(sigs[s], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &block, &orig);
	log_info("listening on %s with %u workers", socket_path, workers);
	while (!sup_stop) {
		sup_reap(slots, workers);
		if (sup_hup)
			sup_reload(reload, ctx, workers);
		if (sup_roll(slots, workers) > 0)
			rolling = 1;
		else if (rolling) {
			rolling = 0;
			log_info("reload complete: all %u workers run the new configuration", workers);
		}
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
