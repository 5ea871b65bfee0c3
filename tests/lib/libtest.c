/* Helpers for libpvmio's C tests; see libtest.h. */
#include "config.h"
#include "libtest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int tests, failed;

static void vline(int cond, const char *fmt, va_list ap)
{
	tests++;
	if (!cond)
		failed++;
	printf("%sok %d - ", cond ? "" : "not ", tests);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

void t_ok(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(cond, fmt, ap);
	va_end(ap);
}

void t_eq(long long got, long long want, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(got == want, fmt, ap);
	va_end(ap);
	if (got != want)
		printf("#   got %lld, want %lld\n", got, want);
}

void t_diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
}

int t_done(void)
{
	printf("1..%d\n", tests);
	if (failed)
		printf("# %d of %d checks failed\n", failed, tests);
	return failed ? 1 : 0;
}

void t_bail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("Bail out! ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	exit(99);
}

size_t t_page(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

unsigned char t_byte(int page, size_t off)
{
	return (unsigned char)(off * 31 + (size_t)page * 7 + 3);
}

uint64_t t_addr(const struct t_child *c, int page, size_t off)
{
	return (uint64_t)c->base + (uint64_t)page * t_page() + off;
}

static void *idle(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static _Noreturn void child_main(uintptr_t base, int nthreads, int ready, pid_t parent)
{
	size_t page = t_page();
	/* Die with the test, even if it crashes before killing us. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	/* Allow a sibling to trace us where Yama's ptrace_scope is 1. */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY);
	for (int p = 0; p < T_PAGES; p++)
		for (size_t i = 0; i < page; i++)
			if (p != T_HOLE)
				((unsigned char *)base)[(size_t)p * page + i] = t_byte(p, i);
	if (munmap((void *)(base + T_HOLE * page), page) ||
	    mprotect((void *)(base + T_NONE * page), page, PROT_NONE) ||
	    mprotect((void *)(base + T_RO * page), page, PROT_READ))
		_exit(1);
	for (int i = 0; i < nthreads; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, idle, NULL))
			_exit(1);
	}
	if (write(ready, "R", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

void t_child_start(struct t_child *c, int nthreads)
{
	size_t page = t_page();
	/* PROT_NONE guard pages on both sides keep the region's mappings
	 * from merging with their neighbours. */
	char *m = mmap(NULL, (T_PAGES + 2) * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		t_bail("mmap: %s", strerror(errno));
	if (mprotect(m + page, T_PAGES * page, PROT_READ | PROT_WRITE))
		t_bail("mprotect: %s", strerror(errno));
	c->base = (uintptr_t)(m + page);
	int fds[2];
	if (pipe(fds))
		t_bail("pipe: %s", strerror(errno));
	pid_t parent = getpid();
	fflush(stdout);
	c->pid = fork();
	if (c->pid < 0)
		t_bail("fork: %s", strerror(errno));
	if (c->pid == 0) {
		close(fds[0]);
		child_main(c->base, nthreads, fds[1], parent);
	}
	close(fds[1]);
	char r;
	ssize_t n;
	do
		n = read(fds[0], &r, 1);
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	if (n != 1)
		t_bail("the child did not start");
}

void t_child_kill(struct t_child *c)
{
	if (c->pid <= 0)
		return;
	kill(c->pid, SIGKILL);
	while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
		;
	c->pid = 0;
}

ssize_t t_mem_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(addr + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!done)
				done = n < 0 ? (size_t)-errno : 0;
			break;
		}
		done += (size_t)n;
	}
	close(fd);
	return (ssize_t)done;
}

int t_mem_equal(pid_t pid, uint64_t addr, const void *expect, size_t len)
{
	unsigned char *got = malloc(len ? len : 1);
	if (!got)
		t_bail("out of memory");
	ssize_t n = t_mem_read(pid, addr, got, len);
	int same = n == (ssize_t)len && memcmp(got, expect, len) == 0;
	free(got);
	return same;
}

char t_state(pid_t pid, pid_t tid)
{
	char path[96], text[512];
	snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, text, sizeof text - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	char *p = strrchr(text, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

int t_all_threads(pid_t pid, const char *states)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return 0;
	int all = 1, seen = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		pid_t tid = (pid_t)atoi(e->d_name);
		if (tid <= 0)
			continue;
		seen++;
		char s = t_state(pid, tid);
		if (!s || !strchr(states, s))
			all = 0;
	}
	closedir(d);
	return all && seen;
}

int t_threads_become(pid_t pid, const char *states)
{
	for (int i = 0; i < 10000; i++) {
		if (t_all_threads(pid, states))
			return 1;
		usleep(1000);
	}
	return 0;
}
