/*
 * hello_fcgi.c - the benchmark's ceiling: a FastCGI responder that does
 * nothing but answer, pre-forked like gauge.fcgi, behind the same lighttpd.
 * gauge.fcgi's throughput is reported as a fraction of this one's.
 *
 *   hello-fcgi SOCKET WORKERS
 *
 * WORKERS 0 serves in the process itself, unforked: valgrind's gdbserver
 * (callgrind_control, tests/bench/callgrind.mjs) only reaches the process
 * it started.
 */
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void serve(int fd)
{
	FCGX_Request r;
	char buf[4096];

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	FCGX_InitRequest(&r, fd, 0);
	while (FCGX_Accept_r(&r) >= 0) {
		while (FCGX_GetStr(buf, sizeof(buf), r.in) > 0)
			;   /* consume the body, as a real handler would */
		FCGX_FPrintF(r.out, "Status: 201 Created\r\nContent-Type: application/json\r\n\r\n"
		    "{\"stored\":1,\"duplicates\":0}\n");
		FCGX_Finish_r(&r);
	}
}

int main(int argc, char **argv)
{
	int fd, n;

	if (argc != 3 || (n = atoi(argv[2])) < 0) {
		fprintf(stderr, "usage: hello-fcgi SOCKET WORKERS\n");
		return 2;
	}
	FCGX_Init();
	unlink(argv[1]);
	if ((fd = FCGX_OpenSocket(argv[1], 128)) < 0)
		return 1;
	if (n == 0) {
		serve(fd);
		return 0;
	}
	for (int i = 0; i < n; i++)
		if (fork() == 0) {
			serve(fd);
			_exit(0);
		}
	while (wait(NULL) > 0)
		;
	return 0;
}
