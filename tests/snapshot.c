/* A multi-threaded process to take snapshots of, for core, diff and
 * find --changed (tests/snapshot.bats).  It prints NAME=0x... lines with
 * the true addresses, then "READY", and runs until killed.
 *
 *   snapshot [--big 1]
 *
 * Threads: the main thread, which waits for signals, and 3 more that
 * sleep in a loop (signals blocked), all started before READY.
 * Globals (in the main program, found by symbol too):
 *   counter   uint64_t, 4242; 1 more on each SIGUSR2 (COUNTER=)
 *   values    int32_t[4096], all 100; SIGUSR1 sets values[1000] and
 *             values[3000] to 99 (VALUES=)
 * Mappings:
 *   SHARED=   one page, MAP_SHARED | MAP_ANONYMOUS, every byte 0xab
 *   BIG=      with --big 1 only: 1 GiB, MAP_PRIVATE | MAP_ANONYMOUS |
 *             MAP_NORESERVE, of which only the first page is written:
 *             byte k of it is (k * 7 + 1) & 0xff; the rest is never
 *             touched (zero)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define NVALUES 4096
#define NTHREADS 3
#define BIG_SIZE ((size_t)1 << 30)

volatile uint64_t counter = 4242;
int32_t values[NVALUES];

static pthread_barrier_t started;

static void on_signal(int sig)
{
	if (sig == SIGUSR2) {
		counter++;
	} else {
		values[1000] = 99;
		values[3000] = 99;
	}
}

static void *sleeper(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&started);
	for (;;) {
		struct timespec ts = { 0, 100000000 };
		nanosleep(&ts, NULL);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	/* Let any process of ours trace us where Yama's ptrace_scope is 1. */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	int big = argc > 2 && strcmp(argv[1], "--big") == 0 && atoi(argv[2]) != 0;
	for (int k = 0; k < NVALUES; k++)
		values[k] = 100;
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *shared = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return 1;
	memset(shared, 0xab, (size_t)page);
	unsigned char *bigmap = NULL;
	if (big) {
		bigmap = mmap(NULL, BIG_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
			      0);
		if (bigmap == MAP_FAILED)
			return 1;
		for (long k = 0; k < page; k++)
			bigmap[k] = (unsigned char)((k * 7 + 1) & 0xff);
	}

	/* The sleepers inherit a mask that blocks the signals: only the main
	 * thread handles them. */
	sigset_t sigs, old;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &sigs, &old);
	pthread_barrier_init(&started, NULL, NTHREADS + 1);
	for (int k = 0; k < NTHREADS; k++) {
		pthread_t t;
		if (pthread_create(&t, NULL, sleeper, NULL) != 0)
			return 1;
	}
	pthread_barrier_wait(&started);
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	/* addresses as numbers: %p takes no pointer to volatile */
	printf("COUNTER=%#lx\nVALUES=%#lx\nSHARED=%#lx\n", (unsigned long)(uintptr_t)&counter,
	       (unsigned long)(uintptr_t)values, (unsigned long)(uintptr_t)shared);
	if (big)
		printf("BIG=%#lx\n", (unsigned long)(uintptr_t)bigmap);
	printf("READY\n");
	fflush(stdout);
	for (;;)
		pause();
}
