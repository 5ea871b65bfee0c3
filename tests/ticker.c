/* A process whose memory changes over time, for watch, wait and write
 * --hold (tests/watch.bats).  It prints NAME=0x... lines with the true
 * addresses, then "READY", and runs until killed.
 *
 *   ticker [PERIOD_MS]
 *
 * Globals (in the main program, found by symbol too):
 *   counter   uint32_t, 1 more every PERIOD_MS (default 50)
 *   state     int32_t, 1 more on each SIGUSR1
 *   pinned    uint32_t, set back to 0 every 20 ms; before that, seen3
 *             counts the times it was 3, and reset the times it was not
 *   seen3, reset  uint32_t, as above
 *   current   struct obj *, moved to the next of objs[8] on each SIGUSR2;
 *             objs[k].value is 100 * k (current starts at objs[0])
 *   gone      a page that SIGHUP unmaps (GONE=) and a second SIGHUP
 *             maps again, holding 0x2a2a2a2a
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

struct obj {
	uint32_t magic;
	uint32_t value;
};

volatile uint32_t counter;
volatile int32_t state;
volatile uint32_t pinned, seen3, reset;
struct obj objs[8];
struct obj *volatile current = &objs[0];

static volatile sig_atomic_t usr1, usr2, hup;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		usr1++;
	else if (sig == SIGUSR2)
		usr2++;
	else
		hup++;
}

int main(int argc, char **argv)
{
	/* Let any process of ours trace us where Yama's ptrace_scope is 1. */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	long period = argc > 1 ? atol(argv[1]) : 50;
	if (period < 1)
		period = 50;
	for (int k = 0; k < 8; k++)
		objs[k] = (struct obj){ 0x0b1ec7, 100u * (unsigned)k };
	long page = sysconf(_SC_PAGESIZE);
	char *gone = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (gone == MAP_FAILED)
		return 1;
	memset(gone, 0x2a, (size_t)page);
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* addresses as numbers: %p takes no pointer to volatile */
	printf("COUNTER=%#lx\nSTATE=%#lx\nPINNED=%#lx\nSEEN3=%#lx\nRESET=%#lx\nCURRENT=%#lx\nOBJS=%#lx\nGONE=%#lx\n"
	       "READY\n",
	       (unsigned long)(uintptr_t)&counter, (unsigned long)(uintptr_t)&state, (unsigned long)(uintptr_t)&pinned,
	       (unsigned long)(uintptr_t)&seen3, (unsigned long)(uintptr_t)&reset, (unsigned long)(uintptr_t)&current,
	       (unsigned long)(uintptr_t)objs, (unsigned long)(uintptr_t)gone);
	fflush(stdout);

	int moved = 0, usr1_seen = 0, hup_seen = 0;
	for (long ms = 1;; ms++) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
		if (ms % period == 0)
			counter++;
		if (ms % 20 == 0) {
			if (pinned == 3)
				seen3++;
			else
				reset++;
			pinned = 0;
		}
		while (usr1_seen < usr1) {
			usr1_seen++;
			state++;
		}
		while (moved < usr2) {
			moved++;
			current = &objs[moved % 8];
		}
		while (hup_seen < hup) {
			hup_seen++;
			if (hup_seen % 2) {
				munmap(gone, (size_t)page);
			} else {
				/* filled first, then moved into place: a poll never
				 * sees the page there and still zero */
				char *fresh = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
						   -1, 0);
				memset(fresh, 0x2a, (size_t)page);
				mremap(fresh, (size_t)page, (size_t)page, MREMAP_MAYMOVE | MREMAP_FIXED, gone);
			}
		}
	}
}
