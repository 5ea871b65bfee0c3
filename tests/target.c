/* A process with known memory for the tests: it prints the addresses of
 * its regions as NAME=0x... lines, then "READY", and waits to be killed.
 *
 *   target [--big SIZE] [--sparse SIZE] [--threads N] [--seed N] [--leader-exit 1]
 *          [--map FILE]... [--unlink 1] [--big-hole OFFSET]...
 *
 * With --leader-exit 1 the main thread calls pthread_exit after READY and
 * the --threads go on: the process lives, its leader is a zombie.
 *
 * Regions (pages of PAGE bytes, in one reservation):
 *   PATTERN  2 pages, byte i is (i * 31 + 7) & 0xff, writable
 *   HOLE     1 page, unmapped
 *   AFTER    1 page after the hole, byte i is (i * 13 + 1) & 0xff, writable
 *   RO       1 page, read-only, byte i is (i ^ 0x5a) & 0xff
 *   NONE     1 page, PROT_NONE
 *   ZERO     1 page of zeros, writable
 *   TYPED    1 page of typed values (see below), writable
 *   RANDOM   RANDOM_LEN bytes of seeded random data (heap)
 *   BIG      --big SIZE bytes, writable, byte i is i & 0xff; each
 *            --big-hole OFFSET unmaps the page at BIG+OFFSET
 *   SPARSE   --sparse SIZE bytes, every other page unmapped
 *   SHARED_RO  1 page of a shared memory file, read-only (r--s), byte i is i & 0xff
 *   MAP1..   each --map FILE mapped read-only and private (r--p); with
 *            --unlink 1 each FILE is deleted once mapped
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#ifndef PR_SET_PTRACER_ANY
#define PR_SET_PTRACER_ANY ((unsigned long)-1)
#endif

static volatile uint64_t ticks;

static void *spin(void *arg)
{
	(void)arg;
	for (;;) {
		ticks++;
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
	return NULL;
}

static uint64_t size_arg(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);
	switch (*end) {
	case 'G': v <<= 30; break;
	case 'M': v <<= 20; break;
	case 'K': case 'k': v <<= 10; break;
	default: break;
	}
	return v;
}

int main(int argc, char **argv)
{
	uint64_t big = 0, sparse = 0, seed = 1;
	int threads = 0, leader_exit = 0, unlink_maps = 0, nmaps = 0;
	const char *maps[8];
	uint64_t big_holes[8];
	int nholes = 0;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--big") == 0)
			big = size_arg(argv[i + 1]);
		else if (strcmp(argv[i], "--sparse") == 0)
			sparse = size_arg(argv[i + 1]);
		else if (strcmp(argv[i], "--threads") == 0)
			threads = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--seed") == 0)
			seed = size_arg(argv[i + 1]);
		else if (strcmp(argv[i], "--leader-exit") == 0)
			leader_exit = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--map") == 0 && nmaps < 8)
			maps[nmaps++] = argv[i + 1];
		else if (strcmp(argv[i], "--unlink") == 0)
			unlink_maps = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--big-hole") == 0 && nholes < 8)
			big_holes[nholes++] = size_arg(argv[i + 1]);
	}
	/* Let any process of ours trace us where Yama's ptrace_scope is 1. */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);

	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *base = mmap(NULL, 9 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	unsigned char *pattern = base, *hole = base + 2 * page, *after = base + 3 * page, *ro = base + 4 * page,
		      *none = base + 5 * page, *zero = base + 6 * page, *typed = base + 7 * page;
	for (size_t i = 0; i < 2 * page; i++)
		pattern[i] = (unsigned char)((i * 31 + 7) & 0xff);
	for (size_t i = 0; i < page; i++) {
		after[i] = (unsigned char)((i * 13 + 1) & 0xff);
		ro[i] = (unsigned char)((i ^ 0x5a) & 0xff);
	}
	munmap(hole, page);
	munmap(base + 8 * page, page);
	mprotect(ro, page, PROT_READ);
	mprotect(none, page, PROT_NONE);

	/* Typed values at fixed offsets, native byte order unless noted. */
	uint8_t u8 = 0xfe;
	int8_t i8 = -2;
	uint16_t u16 = 0xbeef;
	int16_t i16 = -12345;
	uint32_t u32 = 0xdeadbeef;
	int32_t i32 = -123456789;
	uint64_t u64 = 0x0123456789abcdefULL;
	int64_t i64 = -1234567890123456789LL;
	float f32 = 3.14159274f;
	double f64 = 2.718281828459045;
	void *ptr = pattern;
	static const unsigned char be32[4] = { 0x01, 0x02, 0x03, 0x04 };
	memcpy(typed + 0, &u8, 1);
	memcpy(typed + 1, &i8, 1);
	memcpy(typed + 2, &u16, 2);
	memcpy(typed + 4, &i16, 2);
	memcpy(typed + 8, &u32, 4);
	memcpy(typed + 12, &i32, 4);
	memcpy(typed + 16, &u64, 8);
	memcpy(typed + 24, &i64, 8);
	memcpy(typed + 32, &f32, 4);
	memcpy(typed + 40, &f64, 8);
	memcpy(typed + 48, &ptr, sizeof ptr);
	memcpy(typed + 56, be32, 4);

	size_t random_len = 65536 + 123;
	unsigned char *random = malloc(random_len);
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
	for (size_t i = 0; i < random_len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		random[i] = (unsigned char)(x >> 24);
	}

	unsigned char *bigp = NULL;
	if (big) {
		bigp = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (bigp == MAP_FAILED) {
			perror("mmap big");
			return 1;
		}
		for (uint64_t i = 0; i < big; i++)
			bigp[i] = (unsigned char)i;
		for (int k = 0; k < nholes; k++)
			if (big_holes[k] < big)
				munmap(bigp + big_holes[k] / page * page, page);
	}
	unsigned char *sparsep = NULL;
	if (sparse) {
		sparsep = mmap(NULL, sparse, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (sparsep == MAP_FAILED) {
			perror("mmap sparse");
			return 1;
		}
		for (uint64_t off = 0; off < sparse; off += 2 * page) {
			memset(sparsep + off, 0x11, page);
			if (off + page < sparse)
				munmap(sparsep + off + page, page);
		}
	}
	int shm = memfd_create("pvmio-shared", 0);
	unsigned char *shared_ro = MAP_FAILED;
	if (shm >= 0 && ftruncate(shm, (off_t)page) == 0) {
		unsigned char *w = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, shm, 0);
		if (w != MAP_FAILED) {
			for (size_t i = 0; i < page; i++)
				w[i] = (unsigned char)i;
			munmap(w, page);
		}
		shared_ro = mmap(NULL, page, PROT_READ, MAP_SHARED, shm, 0);
	}
	if (shared_ro == MAP_FAILED) {
		perror("shared mapping");
		return 1;
	}
	void *mapped[8];
	for (int i = 0; i < nmaps; i++) {
		int fd = open(maps[i], O_RDONLY);
		mapped[i] = fd < 0 ? MAP_FAILED : mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0);
		if (mapped[i] == MAP_FAILED) {
			perror(maps[i]);
			return 1;
		}
		close(fd);
		if (unlink_maps)
			unlink(maps[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_t t;
		pthread_create(&t, NULL, spin, NULL);
	}

	printf("PAGE=%zu\n", page);
	printf("PATTERN=%p\nHOLE=%p\nAFTER=%p\nRO=%p\nNONE=%p\nZERO=%p\nTYPED=%p\n", (void *)pattern, (void *)hole,
	       (void *)after, (void *)ro, (void *)none, (void *)zero, (void *)typed);
	printf("RANDOM=%p\nRANDOM_LEN=%zu\n", (void *)random, random_len);
	if (bigp)
		printf("BIG=%p\nBIG_LEN=%llu\n", (void *)bigp, (unsigned long long)big);
	if (sparsep)
		printf("SPARSE=%p\nSPARSE_LEN=%llu\n", (void *)sparsep, (unsigned long long)sparse);
	printf("TICKS=%p\n", (const volatile void *)&ticks);
	printf("SHARED_RO=%p\n", (void *)shared_ro);
	for (int i = 0; i < nmaps; i++)
		printf("MAP%d=%p\n", i + 1, mapped[i]);
	printf("READY\n");
	fflush(stdout);
	if (leader_exit)
		pthread_exit(NULL);
	for (;;)
		pause();
}
