/* Shared by libpvmio's C tests: TAP output, a child process whose memory
 * the tests know, and independent reads through /proc/PID/mem (never
 * libpvmio itself) to check what the library read or wrote. */
#ifndef TESTS_LIB_LIBTEST_H
#define TESTS_LIB_LIBTEST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define T_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* One TAP line per check; t_done prints the plan and gives the exit
 * status (0 when every check passed, 1 otherwise). */
void t_ok(int cond, const char *fmt, ...) T_PRINTF(2, 3);
void t_eq(long long got, long long want, const char *fmt, ...) T_PRINTF(3, 4);
void t_diag(const char *fmt, ...) T_PRINTF(1, 2);
int t_done(void);
/* Gives up: a broken setup (exit 99, a hard error for automake). */
_Noreturn void t_bail(const char *fmt, ...) T_PRINTF(1, 2);

size_t t_page(void);

/* The child's pages, in order.  HOLE is unmapped, NONE is PROT_NONE, RO is
 * read-only; every other page is read-write.  Pages that exist hold
 * t_byte(page, offset); the parent's copy of the region stays zero, so a
 * transfer that reached the wrong process shows. */
enum {
	T_DATA0,
	T_DATA1,
	T_HOLE,
	T_AFTER,
	T_NONE,
	T_RO,
	T_SCRATCH0,
	T_SCRATCH1,
	T_PAGES
};

struct t_child {
	pid_t pid;
	uintptr_t base;	/* address of page 0, the same in both processes */
};

unsigned char t_byte(int page, size_t off);
uint64_t t_addr(const struct t_child *c, int page, size_t off);
/* Forks a child with the pages above and NTHREADS extra threads, all
 * paused; returns once it is ready.  The child dies with its parent. */
void t_child_start(struct t_child *c, int nthreads);
/* Kills the child by its pid and reaps it. */
void t_child_kill(struct t_child *c);

/* pread on /proc/PID/mem: bytes read or -errno. */
ssize_t t_mem_read(pid_t pid, uint64_t addr, void *buf, size_t len);
/* 1 when LEN bytes at ADDR in PID read back as EXPECT. */
int t_mem_equal(pid_t pid, uint64_t addr, const void *expect, size_t len);
/* The state letter of a process or thread, from /proc/PID/stat, or 0. */
char t_state(pid_t pid, pid_t tid);
/* 1 when every thread of PID is in a state in STATES ("tT"). */
int t_all_threads(pid_t pid, const char *states);
/* The same, waited for up to 10 s: a woken thread's state changes when
 * the scheduler gets to it, not when the call that woke it returns. */
int t_threads_become(pid_t pid, const char *states);

#endif
