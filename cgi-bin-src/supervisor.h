/*
 * supervisor.h - pre-forking process supervisor for standalone FastCGI.
 *
 * Used when no web server spawns us (Apache mod_proxy_fcgi, or any server
 * that connects to a unix socket): the supervisor opens the socket, forks N
 * workers that all accept on it, restarts any worker that dies, and on
 * SIGTERM/SIGINT stops them all and removes the socket.
 */
#ifndef GAUGE_SUPERVISOR_H
#define GAUGE_SUPERVISOR_H

/* Runs in each forked worker with the listening socket; returns exit code. */
typedef int (*supervisor_worker_fn)(int listen_fd, void *ctx);

/* Returns the process exit status once stopped. */
int supervisor_run(const char *socket_path, unsigned mode, unsigned workers,
    supervisor_worker_fn fn, void *ctx);

#endif
