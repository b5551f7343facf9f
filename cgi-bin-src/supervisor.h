/*
 * supervisor.h - pre-forking process supervisor for standalone FastCGI.
 *
 * Used when no web server spawns us (Apache mod_proxy_fcgi, or any server
 * that connects to a unix socket): the supervisor opens the socket, forks N
 * workers that all accept on it, restarts any worker that dies, on SIGHUP
 * reloads and replaces the workers one by one, and on SIGTERM/SIGINT stops
 * them all and removes the socket.
 */
#ifndef GAUGE_SUPERVISOR_H
#define GAUGE_SUPERVISOR_H

/* Runs in each forked worker with the listening socket; returns exit code.
 * A worker must finish the request it holds when sent SIGTERM, then exit. */
typedef int (*supervisor_worker_fn)(int listen_fd, void *ctx);

/* Runs in the supervisor on SIGHUP.  Returns 0 when ctx now holds a new
 * configuration (workers started from now on get it, and the running ones
 * are replaced), -1 when the old one stays (the function logged why). */
typedef int (*supervisor_reload_fn)(void *ctx);

/* Returns the process exit status once stopped.  reload may be NULL: then
 * SIGHUP only replaces the workers. */
int supervisor_run(const char *socket_path, unsigned mode, unsigned workers,
    supervisor_worker_fn fn, supervisor_reload_fn reload, void *ctx);

#endif
