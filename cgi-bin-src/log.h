/*
 * log.h - the one way Gauge programs write diagnostics.
 *
 * One line per event on stderr (the web server, systemd or the dev stack
 * decides where stderr goes), prefixed with a UTC timestamp, the program
 * name, the pid and a level, so lines from many workers interleave readably.
 */
#ifndef GAUGE_LOG_H
#define GAUGE_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_init(const char *progname);
void log_set_level(enum log_level level);
/* Parses "debug", "info", "warn", "error"; returns -1 on anything else. */
int  log_level_parse(const char *s);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
