/* Opening processes (and failing to), the mappings, and stop/resume. */
#include "config.h"
#include "pvmio.h"
#include "libtest.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static size_t page;

static void test_open_errors(void)
{
	struct pvmio *h = (struct pvmio *)&h;
	t_eq(pvmio_open(0, 0, &h), -EINVAL, "pvmio_open(0) is -EINVAL");
	t_ok(h == NULL, "and sets the handle to NULL");
	t_eq(pvmio_open(-1, 0, &h), -EINVAL, "pvmio_open(-1) is -EINVAL");

	/* Above pid_max no process can exist. */
	long pid_max = 0;
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	if (f) {
		if (fscanf(f, "%ld", &pid_max) != 1)
			pid_max = 0;
		fclose(f);
	}
	if (pid_max > 0 && pid_max < 0x7fffffff)
		t_eq(pvmio_open((pid_t)(pid_max + 1), 0, &h), -ESRCH, "a pid above pid_max is -ESRCH");
	else
		t_diag("no pid_max to go above");

	/* A zombie: exited, not reaped. */
	fflush(stdout);
	pid_t z = fork();
	if (z < 0)
		t_bail("fork: %s", strerror(errno));
	if (z == 0)
		_exit(0);
	siginfo_t info;
	while (waitid(P_PID, (id_t)z, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR)
		;
	t_eq(pvmio_open(z, 0, &h), -ESRCH, "a zombie is -ESRCH");
	errno = 0;
	t_ok(pvmio_fopen(z, "r") == NULL && errno == ESRCH, "pvmio_fopen of a zombie: ESRCH");
	waitpid(z, NULL, 0);
	t_eq(pvmio_open(z, 0, &h), -ESRCH, "once reaped, -ESRCH");
	pvmio_close(NULL);
	t_ok(1, "pvmio_close(NULL) does nothing");
}

static void test_maps(const struct t_child *c)
{
	struct pvmio *h = NULL;
	if (pvmio_open(c->pid, 0, &h) < 0)
		t_bail("pvmio_open(child) failed");
	struct pvmio_maps *m = NULL;
	t_eq(pvmio_maps_read(h, &m), 0, "pvmio_maps_read");
	if (!m) {
		pvmio_close(h);
		return;
	}
	t_ok(m->n > 5, "%zu mappings", m->n);
	int sorted = 1;
	for (size_t i = 1; i < m->n; i++)
		if (m->v[i].start < m->v[i - 1].end)
			sorted = 0;
	t_ok(sorted, "sorted, not overlapping");
	char exe[4096];
	char link[64];
	snprintf(link, sizeof link, "/proc/%d/exe", (int)c->pid);
	ssize_t n = readlink(link, exe, sizeof exe - 1);
	if (n > 0)
		exe[n] = '\0';
	t_ok(n > 0 && m->exe && strcmp(m->exe, exe) == 0, "exe is the child's program (%s)", m->exe ? m->exe : "NULL");

	const struct pvmio_mapping *v = pvmio_maps_lookup(m, t_addr(c, T_DATA0, 10));
	t_ok(v && v->start == t_addr(c, T_DATA0, 0) && v->end == t_addr(c, T_HOLE, 0),
	     "lookup finds the child's DATA mapping");
	t_ok(v && strcmp(v->perms, "rw-p") == 0 && strcmp(v->name, "") == 0 && v->inode == 0,
	     "rw-p, anonymous");
	v = pvmio_maps_lookup(m, t_addr(c, T_HOLE, 5));
	t_ok(v && v->start == t_addr(c, T_AFTER, 0), "lookup in the hole gives the next mapping");
	v = pvmio_maps_lookup(m, t_addr(c, T_NONE, 0));
	t_ok(v && strcmp(v->perms, "---p") == 0, "the PROT_NONE page is ---p");
	v = pvmio_maps_lookup(m, t_addr(c, T_RO, 0));
	t_ok(v && strcmp(v->perms, "r--p") == 0, "the read-only page is r--p");
	t_ok(pvmio_maps_lookup(m, UINT64_MAX) == NULL, "nothing at 2^64-1");
	int stack = 0;
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].name, "[stack]") == 0)
			stack = 1;
	t_ok(stack, "[stack] is listed");

	uint64_t bad = 0;
	t_eq(pvmio_maps_check(m, t_addr(c, T_DATA0, 0), 2 * page, "rw", &bad), 0, "check: DATA is rw");
	t_eq(pvmio_maps_check(m, t_addr(c, T_DATA0, 0), 3 * page, "r", &bad), -EFAULT,
	     "check across the hole: -EFAULT");
	t_eq((long long)bad, (long long)t_addr(c, T_HOLE, 0), "at the hole's start");
	t_eq(pvmio_maps_check(m, t_addr(c, T_AFTER, 0), 2 * page, NULL, &bad), 0,
	     "check with no permissions: only mapped");
	t_eq(pvmio_maps_check(m, t_addr(c, T_AFTER, 0), 2 * page, "r", &bad), -EACCES,
	     "check r over the PROT_NONE page: -EACCES");
	t_eq((long long)bad, (long long)t_addr(c, T_NONE, 0), "at its start");
	t_eq(pvmio_maps_check(m, t_addr(c, T_RO, 10), 10, "w", &bad), -EACCES, "check w of read-only: -EACCES");
	t_eq((long long)bad, (long long)t_addr(c, T_RO, 10), "at the first byte asked");
	t_eq(pvmio_maps_check(m, t_addr(c, T_RO, 0), page, "r", &bad), 0, "check r of read-only: 0");
	t_eq(pvmio_maps_check(m, 0, 1, "", &bad), -EFAULT, "check at address 0: -EFAULT");
	pvmio_maps_free(m);
	pvmio_maps_free(NULL);

	static const char text[] =
		"00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/my prog\n"
		"00651000-00652000 rw-p 00051000 fd:01 173521\n"
		"7ffd1000-7ffd3000 rw-p 00000000 00:00 0                          [stack]\n";
	t_eq(pvmio_maps_parse(text, sizeof text - 1, &m), 0, "pvmio_maps_parse");
	if (m) {
		t_eq((long long)m->n, 3, "three mappings");
		t_ok(m->v[0].start == 0x400000 && m->v[0].end == 0x452000 && strcmp(m->v[0].perms, "r-xp") == 0 &&
			     m->v[0].offset == 0 && m->v[0].dev_major == 8 && m->v[0].dev_minor == 2 &&
			     m->v[0].inode == 173521 && strcmp(m->v[0].name, "/usr/bin/my prog") == 0,
		     "every field of the first line, a name with a space");
		t_ok(m->v[1].offset == 0x51000 && m->v[1].dev_major == 0xfd && strcmp(m->v[1].name, "") == 0,
		     "hex offset and device, no name");
		t_ok(strcmp(m->v[2].name, "[stack]") == 0, "[stack]");
		t_ok(m->exe == NULL, "no exe for parsed text");
		pvmio_maps_free(m);
	}
	static const char unordered[] = "2000-3000 rw-p 0 0:0 0\n1000-2000 rw-p 0 0:0 0\n";
	t_eq(pvmio_maps_parse(unordered, sizeof unordered - 1, &m), -EINVAL, "out of order: -EINVAL");
	static const char garbage[] = "hello world\n";
	t_eq(pvmio_maps_parse(garbage, sizeof garbage - 1, &m), -EINVAL, "garbage: -EINVAL");
	t_eq(pvmio_maps_parse("", 0, &m), 0, "empty text");
	if (m) {
		t_eq((long long)m->n, 0, "no mappings");
		pvmio_maps_free(m);
	}
	pvmio_close(h);
}

static void test_stop(const struct t_child *c)
{
	struct pvmio *h = NULL;
	if (pvmio_open(c->pid, 0, &h) < 0)
		t_bail("pvmio_open(child) failed");
	t_ok(t_threads_become(c->pid, "SR"), "the child's 3 threads run (or sleep)");
	t_eq(pvmio_stop(h), PVMIO_STOPPED_PTRACE, "pvmio_stop: PVMIO_STOPPED_PTRACE");
	t_ok(t_all_threads(c->pid, "t"), "every thread is in tracing stop (t)");
	t_eq(pvmio_stop(h), PVMIO_STOPPED_PTRACE, "pvmio_stop again: no-op, same answer");
	unsigned char buf[16];
	t_eq(pvmio_pread(h, buf, sizeof buf, t_addr(c, T_DATA0, 0)), 16, "pread while stopped");
	t_eq(pvmio_resume(h), 0, "pvmio_resume");
	t_ok(t_threads_become(c->pid, "SR"), "every thread runs again");
	t_eq(pvmio_resume(h), 0, "pvmio_resume again: no-op");
	t_ok(t_threads_become(c->pid, "SR"), "still running");

	/* Closing a stopped handle resumes. */
	t_eq(pvmio_stop(h), PVMIO_STOPPED_PTRACE, "pvmio_stop");
	pvmio_close(h);
	t_ok(t_threads_become(c->pid, "SR"), "pvmio_close resumed it");

	/* Opened by a thread id: the same memory, and the whole group stops. */
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", (int)c->pid);
	DIR *d = opendir(path);
	pid_t tid = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (atoi(e->d_name) > 0 && atoi(e->d_name) != c->pid)
			tid = (pid_t)atoi(e->d_name);
	if (d)
		closedir(d);
	t_ok(tid > 0, "the child has another thread (%d)", (int)tid);
	t_eq(pvmio_open(tid, 0, &h), 0, "pvmio_open(thread id)");
	if (h) {
		t_eq(pvmio_pid(h), tid, "pvmio_pid is the thread id");
		t_eq(pvmio_pread(h, buf, sizeof buf, t_addr(c, T_DATA0, 0)), 16, "pread through it");
		t_ok(t_mem_equal(c->pid, t_addr(c, T_DATA0, 0), buf, 16), "the process's bytes");
		t_eq(pvmio_stop(h), PVMIO_STOPPED_PTRACE, "pvmio_stop through it");
		t_ok(t_all_threads(c->pid, "t"), "stops every thread of the process");
		pvmio_close(h);
		t_ok(t_threads_become(c->pid, "SR"), "pvmio_close resumed them all");
	}

	/* Already stopped (SIGSTOP): stopped while held, stays stopped after. */
	kill(c->pid, SIGSTOP);
	int st;
	while (waitpid(c->pid, &st, WUNTRACED) < 0 && errno == EINTR)
		;
	t_ok(WIFSTOPPED(st) && t_all_threads(c->pid, "T"), "the child is stopped by SIGSTOP (T)");
	if (pvmio_open(c->pid, 0, &h) < 0)
		t_bail("pvmio_open(child) failed");
	t_eq(pvmio_stop(h), PVMIO_STOPPED_PTRACE, "pvmio_stop of a stopped process");
	t_ok(t_all_threads(c->pid, "tT"), "every thread is stopped");
	t_eq(pvmio_resume(h), 0, "pvmio_resume");
	/* Detaching puts each thread back into group stop; a thread may be
	 * seen waking on its way there, so wait for it to settle (it settles
	 * at once; if it ran on instead, this gives up after 10 s). */
	t_ok(t_threads_become(c->pid, "T"), "still stopped (T) after pvmio_resume");
	pvmio_close(h);
	kill(c->pid, SIGCONT);
	while (waitpid(c->pid, &st, WCONTINUED) < 0 && errno == EINTR)
		;
	t_ok(WIFCONTINUED(st), "SIGCONT continues it");
}

/* Another tracer holds the child: pvmio_stop falls back to SIGSTOP. */
static void test_stop_signal(const struct t_child *c)
{
	int fds[2];
	if (pipe(fds))
		t_bail("pipe: %s", strerror(errno));
	fflush(stdout);
	pid_t tracer = fork();
	if (tracer < 0)
		t_bail("fork: %s", strerror(errno));
	if (tracer == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(fds[0]);
		char ok = ptrace(PTRACE_SEIZE, c->pid, 0, 0) == 0 ? 'Y' : 'N';
		if (write(fds[1], &ok, 1) != 1 || ok != 'Y')
			_exit(1);
		/* A well-behaved tracer: pass signals on, hold group stops with
		 * PTRACE_LISTEN, continue everything else. */
		for (;;) {
			int st;
			pid_t r = waitpid(c->pid, &st, __WALL);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 || WIFEXITED(st) || WIFSIGNALED(st))
				_exit(0);
			int sig = WSTOPSIG(st);
			if (st >> 16 == PTRACE_EVENT_STOP) {
				if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
					ptrace(PTRACE_LISTEN, c->pid, 0, 0);
				else
					ptrace(PTRACE_CONT, c->pid, 0, 0);
			} else {
				ptrace(PTRACE_CONT, c->pid, 0, (void *)(intptr_t)sig);
			}
		}
	}
	close(fds[1]);
	char ok = 'N';
	if (read(fds[0], &ok, 1) != 1)
		ok = 'N';
	close(fds[0]);
	if (ok != 'Y') {
		t_diag("cannot trace the child from a sibling; skipping the SIGSTOP fallback");
	} else {
		struct pvmio *h = NULL;
		if (pvmio_open(c->pid, 0, &h) < 0)
			t_bail("pvmio_open(child) failed");
		t_eq(pvmio_stop(h), PVMIO_STOPPED_SIGNAL, "held by a tracer: PVMIO_STOPPED_SIGNAL");
		t_ok(t_all_threads(c->pid, "tT"), "every thread is stopped");
		t_eq(pvmio_resume(h), 0, "pvmio_resume");
		t_ok(t_threads_become(c->pid, "SR"), "runs again after pvmio_resume (SIGCONT)");
		pvmio_close(h);
	}
	kill(tracer, SIGKILL);
	waitpid(tracer, NULL, 0);
}

int main(void)
{
	page = t_page();
	test_open_errors();
	struct t_child c;
	t_child_start(&c, 2);
	test_maps(&c);
	test_stop(&c);
	test_stop_signal(&c);
	t_child_kill(&c);
	return t_done();
}
