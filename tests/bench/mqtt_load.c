/*
 * mqtt_load.c - `make bench`'s MQTT load generator, the counterpart of wrk
 * for the HTTPS figures: CONNS TLS connections (MQTT 3.1.1, one device key),
 * each keeping INFLIGHT QoS 1 publishes of one payload outstanding, for
 * SECONDS; prints the PUBACKs counted as JSON.  Written in C on libmosquitto
 * so that the generator's own CPU stays small beside the broker's, as wrk's
 * does beside lighttpd's.
 *
 *   mqtt_load HOST PORT CAFILE USERNAME KEY TOPIC PAYLOAD_FILE CONNS INFLIGHT SECONDS
 */
#include <mosquitto.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct load {
	char *payload;
	long len;
	const char *topic;
	int inflight;
	double end;
	long acked, connected, failed;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void send_one(struct mosquitto *m, struct load *l)
{
	if (mosquitto_publish(m, NULL, l->topic, (int)l->len, l->payload, 1, false) != MOSQ_ERR_SUCCESS)
		l->failed++;
}

static void on_connect(struct mosquitto *m, void *ud, int rc)
{
	struct load *l = ud;

	if (rc != 0) {
		l->failed++;
		return;
	}
	l->connected++;
	for (int i = 0; i < l->inflight; i++)
		send_one(m, l);
}

static void on_publish(struct mosquitto *m, void *ud, int mid)
{
	struct load *l = ud;

	(void)mid;
	l->acked++;
	if (now_s() < l->end)
		send_one(m, l);
}

int main(int argc, char **argv)
{
	struct load l = { 0 };
	struct mosquitto **ms;
	struct pollfd *pfd;
	FILE *f;
	int conns, seconds;
	double t0;

	if (argc != 11) {
		fprintf(stderr, "usage: mqtt_load HOST PORT CAFILE USER KEY TOPIC PAYLOAD_FILE CONNS INFLIGHT SECONDS\n");
		return 2;
	}
	if ((f = fopen(argv[7], "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 || (l.len = ftell(f)) < 0 ||
	    (l.payload = malloc((size_t)l.len + 1)) == NULL || fseek(f, 0, SEEK_SET) != 0 ||
	    fread(l.payload, 1, (size_t)l.len, f) != (size_t)l.len) {
		perror(argv[7]);
		return 1;
	}
	fclose(f);
	l.topic = argv[6];
	conns = atoi(argv[8]);
	l.inflight = atoi(argv[9]);
	seconds = atoi(argv[10]);
	mosquitto_lib_init();
	ms = calloc((size_t)conns, sizeof(*ms));
	pfd = calloc((size_t)conns, sizeof(*pfd));
	if (ms == NULL || pfd == NULL)
		return 1;
	l.end = now_s() + 3600;     /* until every connection is up */
	for (int i = 0; i < conns; i++) {
		if ((ms[i] = mosquitto_new(NULL, true, &l)) == NULL ||
		    mosquitto_username_pw_set(ms[i], argv[4], argv[5]) != MOSQ_ERR_SUCCESS ||
		    mosquitto_tls_set(ms[i], argv[3], NULL, NULL, NULL, NULL) != MOSQ_ERR_SUCCESS ||
		    mosquitto_max_inflight_messages_set(ms[i], (unsigned)l.inflight) != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "client setup failed\n");
			return 1;
		}
		mosquitto_connect_callback_set(ms[i], on_connect);
		mosquitto_publish_callback_set(ms[i], on_publish);
		if (mosquitto_connect(ms[i], argv[1], atoi(argv[2]), 60) != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "connect failed\n");
			return 1;
		}
	}
	t0 = now_s();
	l.end = t0 + seconds;
	while (now_s() < l.end + 2) {
		for (int i = 0; i < conns; i++) {
			pfd[i].fd = mosquitto_socket(ms[i]);
			pfd[i].events = POLLIN | (mosquitto_want_write(ms[i]) ? POLLOUT : 0);
			pfd[i].revents = 0;
		}
		if (poll(pfd, (nfds_t)conns, 100) < 0)
			break;
		for (int i = 0; i < conns; i++) {
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				mosquitto_loop_read(ms[i], 1);
			if (mosquitto_want_write(ms[i]))
				mosquitto_loop_write(ms[i], 1);
			mosquitto_loop_misc(ms[i]);
		}
		if (now_s() > l.end && mosquitto_want_write(ms[0]) == 0) {
			/* drain: stop once nothing is outstanding for a moment */
			static double quiet;
			static long last = -1;

			if (l.acked != last) {
				last = l.acked;
				quiet = now_s();
			} else if (now_s() - quiet > 0.5) {
				break;
			}
		}
	}
	printf("{\"acked\":%ld,\"seconds\":%.3f,\"connected\":%ld,\"failed\":%ld}\n", l.acked, now_s() - t0,
	    l.connected, l.failed);
	for (int i = 0; i < conns; i++) {
		mosquitto_disconnect(ms[i]);
		mosquitto_destroy(ms[i]);
	}
	free(ms);
	free(pfd);
	free(l.payload);
	mosquitto_lib_cleanup();
	return 0;
}
