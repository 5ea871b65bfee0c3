/* A thread that takes no asynchronous signals, and whether a second CPU
 * is there for it: the library's read-ahead thread (stream.c) and the
 * dumper's helper (src/cli/dumper.c).  Inline in a header, so that both
 * share it without an export. */
#ifndef PVMIO_QUIET_THREAD_H
#define PVMIO_QUIET_THREAD_H

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>

/* The CPUs this process may run on (sched_getaffinity), or 1. */
static inline int usable_cpus(void)
{
	cpu_set_t set;
	return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
}

/* Starts FN(ARG) with every signal blocked but those its own work
 * raises: ^C, SIGPIPE and the rest stay with the threads that had them
 * (SIGPIPE: a --stop handler must resume the target from the thread that
 * stopped it, so writers pass EPIPE on themselves), while a fault
 * (SIGSEGV...) still goes to the thread that made it, to its handler
 * (ASan's, say), a write past RLIMIT_FSIZE still ends the process by
 * SIGXFSZ, and a background job's write to a terminal with tostop still
 * stops it by SIGTTOU.  0, or pthread_create's error. */
static inline int quiet_thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t blocked, old;
	sigfillset(&blocked);
	static const int faults[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGXFSZ, SIGTTOU };
	for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
		sigdelset(&blocked, faults[i]);
	pthread_sigmask(SIG_SETMASK, &blocked, &old);
	int rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

#endif
