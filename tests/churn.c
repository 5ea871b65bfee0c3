/* A process whose memory changes under pvmio, for tests/churn.bats: it
 * prints NAME=value lines, then "READY", and runs until killed.
 *
 *   churn [THREADS]        (default 4)
 *   churn spawn [THREADS]  no churn of the slots; THREADS threads that
 *                          each create and join a short-lived thread in a
 *                          loop, counting them at SPAWNED (a uint64_t)
 *   churn idle [THREADS]   no churn; THREADS threads (64 KiB stacks) that
 *                          wake every 50 ms to add 1 to SPAWNED: many
 *                          threads without a loaded machine
 *
 * AREA=0x... is a reservation of SLOTS slots of SLOT_PAGES pages each:
 *
 *   page 0                 a canary: readable and writable, every byte
 *                          0xc5 ^ slot, never touched after the start
 *   pages 1..REGION_PAGES  the region: churned by its thread
 *   the last page          another canary, the same bytes
 *
 * Each thread owns the slots k with k % THREADS == its number and, in a
 * tight loop, on one of them: unmaps the region and maps it again at
 * another size (1 to REGION_PAGES pages, the rest left unmapped), grows
 * or shrinks it with mremap, flips a page between readable and
 * PROT_NONE, or rewrites it (every byte of a page the slot's generation).
 * Thread 0 also forks a child that exits at once, every 20 loops.  The
 * threads call no malloc and map nothing outside their own slots, so no
 * other mapping lands in a region's holes: whatever pvmio is asked to
 * write inside the regions stays there, and a canary that changes is a
 * write outside the asked range.  PAGE is the page size.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define SLOTS 64
#define REGION_PAGES 16
#define SLOT_PAGES (REGION_PAGES + 2)

static unsigned char *area;
static size_t page;
static int nthreads;

static unsigned char *region(int slot)
{
	return area + ((size_t)slot * SLOT_PAGES + 1) * page;
}

/* xorshift: no libc state shared between threads */
static uint32_t next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Maps N pages of SLOT's region (MAP_FIXED, over whatever is there) and
 * leaves the rest unmapped, each page filled with GEN. */
static void remap(int slot, unsigned n, unsigned char gen)
{
	unsigned char *r = region(slot);
	munmap(r, (size_t)REGION_PAGES * page);
	if (mmap(r, n * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		_exit(90);
	memset(r, gen, n * page);
}

/* How many pages of SLOT's region are mapped now (the thread's own count). */
static unsigned mapped[SLOTS];

static void *churn(void *arg)
{
	int me = (int)(intptr_t)arg;
	uint32_t seed = 0x9e3779b9u * (uint32_t)(me + 1);
	unsigned char gen = 0;
	for (unsigned long loop = 0;; loop++) {
		int slot = me + nthreads * (int)(next(&seed) % (SLOTS / nthreads));
		unsigned char *r = region(slot);
		unsigned n = mapped[slot];
		gen++;
		switch (next(&seed) % 4) {
		case 0:
			mapped[slot] = 1 + next(&seed) % REGION_PAGES;
			remap(slot, mapped[slot], gen);
			break;
		case 1: {
			/* grow or shrink in place; a failed grow leaves it */
			unsigned want = 1 + next(&seed) % REGION_PAGES;
			if (mremap(r, n * page, want * page, 0) != MAP_FAILED) {
				/* the grown part has the protection of the part
				 * it grew from, which may be PROT_NONE */
				if (want > n && mprotect(r + n * page, (want - n) * page, PROT_READ | PROT_WRITE) == 0)
					memset(r + n * page, gen, (want - n) * page);
				mapped[slot] = want;
			}
			break;
		}
		case 2: {
			unsigned k = next(&seed) % n;
			int prot = next(&seed) & 1 ? PROT_NONE : PROT_READ | PROT_WRITE;
			mprotect(r + k * page, page, prot);
			break;
		}
		default: {
			unsigned k = next(&seed) % n;
			/* a page flipped to PROT_NONE is made writable first */
			mprotect(r + k * page, page, PROT_READ | PROT_WRITE);
			memset(r + k * page, gen, page);
		}
		}
		if (me == 0 && loop % 20 == 0) {
			pid_t c = fork();
			if (c == 0)
				_exit(0);
			if (c > 0)
				waitpid(c, NULL, 0);
		}
	}
	return NULL;
}

static volatile uint64_t spawned;

static void *short_lived(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&spawned, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void *idler(void *arg)
{
	(void)arg;
	for (;;) {
		nanosleep(&(struct timespec){ 0, 50000000 }, NULL);
		__atomic_add_fetch(&spawned, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *spawner(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_t t;
		if (pthread_create(&t, NULL, short_lived, NULL) == 0)
			pthread_join(t, NULL);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int spawn = argc > 1 && strcmp(argv[1], "spawn") == 0;
	int idle = argc > 1 && strcmp(argv[1], "idle") == 0;
	if (spawn || idle) {
		argc--;
		argv++;
	}
	nthreads = argc > 1 ? atoi(argv[1]) : 4;
	if (nthreads < 1 || (nthreads > SLOTS && !idle))
		nthreads = 4;
	/* Under Yama's ptrace_scope 1, let the tests' pvmio attach. */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = (size_t)SLOTS * SLOT_PAGES * page;
	area = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return 1;
	for (int s = 0; s < SLOTS; s++) {
		unsigned char c = (unsigned char)(0xc5 ^ s);
		memset(area + (size_t)s * SLOT_PAGES * page, c, page);
		memset(area + ((size_t)s * SLOT_PAGES + SLOT_PAGES - 1) * page, c, page);
		mapped[s] = REGION_PAGES;
		memset(region(s), 0, (size_t)REGION_PAGES * page);
	}
	printf("AREA=%p\nAREA_LEN=%zu\nSLOTS=%d\nSLOT_PAGES=%d\nREGION_PAGES=%d\nPAGE=%zu\nTHREADS=%d\n"
	       "SPAWNED=%p\n",
	       (void *)area, len, SLOTS, SLOT_PAGES, REGION_PAGES, page, nthreads, (const volatile void *)&spawned);
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 << 10);
	for (int i = 0; i < nthreads; i++)
		if (pthread_create(&t, &attr, idle ? idler : spawn ? spawner : churn, (void *)(intptr_t)i) != 0)
			return 1;
	printf("READY\n");
	fflush(stdout);
	for (;;)
		pause();
}
