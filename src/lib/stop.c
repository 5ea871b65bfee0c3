/* libpvmio: holding every thread of a target still, and letting it go. */
#include "config.h"
#include "pvmio.h"
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long a SIGSTOP may take to reach every thread, in 1 ms polls. */
#define SIGSTOP_WAIT_MS 2000
/* How many 1 ms polls in a row must find every thread stopped. */
#define STOP_SETTLED 5

static int known(const struct pvmio *h, pid_t tid)
{
	for (size_t i = 0; i < h->nthreads; i++)
		if (h->threads[i].tid == tid || h->threads[i].tid == -tid)
			return 1;
	return 0;
}

/* TID seized (positive), or a thread left alone (negative): a leader that
 * exited while its threads run is a zombie, which ptrace cannot attach. */
static int remember(struct pvmio *h, pid_t tid)
{
	if (h->nthreads == h->cap) {
		size_t ncap = h->cap ? h->cap * 2 : 16;
		struct pvmio_thread *t = realloc(h->threads, ncap * sizeof *t);
		if (!t)
			return -ENOMEM;
		h->threads = t;
		h->cap = ncap;
	}
	h->threads[h->nthreads++] = (struct pvmio_thread){ tid, 0 };
	return 0;
}

/* Seizes and interrupts each thread not seen before; returns how many
 * were new, or -errno. */
static int seize_new(struct pvmio *h, size_t *first_new)
{
	char path[64];
	lib_proc_path(path, sizeof path, h->pin.tgid, "task");
	DIR *d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	*first_new = h->nthreads;
	int added = 0, rc = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		pid_t tid = (pid_t)strtol(e->d_name, NULL, 10);
		if (tid <= 0 || known(h, tid))
			continue;
		if (ptrace(PTRACE_SEIZE, tid, 0, 0) < 0) {
			int err = errno;
			if (err == ESRCH)
				continue;	/* the thread ended meanwhile */
			if (err == EPERM) {
				/* An exited thread (ptrace refuses it): gone by now,
				 * or a zombie, a leader whose threads run on.  Its
				 * errno is kept: the stat's own once made a thread
				 * that ended meanwhile "No such file or directory",
				 * and --stop failed (churn.bats under make stress: 3
				 * runs of 5). */
				struct lib_stat st;
				int gone = lib_proc_stat(tid, &st);
				if (gone == -ESRCH)
					continue;
				if (gone == 0 && lib_gone(st.state)) {
					rc = remember(h, -tid);
					if (rc < 0)
						break;
					continue;
				}
			}
			rc = -err;
			break;
		}
		rc = remember(h, tid);
		if (rc < 0) {
			ptrace(PTRACE_DETACH, tid, 0, 0);
			break;
		}
		ptrace(PTRACE_INTERRUPT, tid, 0, 0);
		added++;
	}
	closedir(d);
	return rc < 0 ? rc : added;
}

/* Waits until each newly seized thread reports its stop.  A signal that
 * arrives meanwhile is kept and given back on detach. */
static void wait_stopped(struct pvmio *h, size_t from)
{
	for (size_t i = from; i < h->nthreads; i++) {
		if (h->threads[i].tid <= 0)
			continue;
		int status;
		pid_t r;
		do
			r = waitpid(h->threads[i].tid, &status, __WALL);
		while (r < 0 && errno == EINTR);
		if (r < 0 || WIFEXITED(status) || WIFSIGNALED(status)) {
			h->threads[i].tid = 0;	/* gone */
			continue;
		}
		if (WIFSTOPPED(status) && status >> 16 == 0 && WSTOPSIG(status) != SIGTRAP)
			h->threads[i].signal = WSTOPSIG(status);
	}
}

static int detach_all(struct pvmio *h)
{
	for (size_t i = 0; i < h->nthreads; i++)
		if (h->threads[i].tid > 0)
			ptrace(PTRACE_DETACH, h->threads[i].tid, 0, (void *)(intptr_t)h->threads[i].signal);
	h->nthreads = 0;
	return 0;
}

static int all_threads_stopped(pid_t tgid)
{
	char path[64];
	lib_proc_path(path, sizeof path, tgid, "task");
	DIR *d = opendir(path);
	if (!d)
		return -ESRCH;
	int all = 1;
	struct dirent *e;
	while ((e = readdir(d))) {
		pid_t tid = (pid_t)strtol(e->d_name, NULL, 10);
		struct lib_stat st;
		if (tid > 0 && lib_proc_stat(tid, &st) == 0 && st.state != 'T' && st.state != 't' &&
		    !lib_gone(st.state))
			all = 0;
	}
	closedir(d);
	return all;
}

/* SIGSTOP, for targets another tracer already holds. */
static int stop_by_signal(struct pvmio *h)
{
	struct lib_stat st;
	int rc = lib_proc_stat(h->io_pid, &st);
	if (rc < 0)
		return rc;
	h->was_stopped = st.state == 'T' || st.state == 't';
	if (!h->was_stopped && kill(h->pin.tgid, SIGSTOP) < 0)
		return -errno;
	h->stopped = PVMIO_STOPPED_SIGNAL;
	/* A traced thread shows 't' in its signal-delivery stop too, and
	 * runs again for a moment when its tracer passes SIGSTOP on: only
	 * a stop seen in STOP_SETTLED polls in a row counts. */
	int seen = 0;
	for (int tries = 0; tries < SIGSTOP_WAIT_MS; tries++) {
		rc = all_threads_stopped(h->pin.tgid);
		if (rc < 0)
			return rc;
		seen = rc ? seen + 1 : 0;
		if (seen == STOP_SETTLED)
			return PVMIO_STOPPED_SIGNAL;
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
	return -ETIMEDOUT;
}

int pvmio_stop(struct pvmio *h)
{
	if (h->stopped)
		return h->stopped;
	if (h->core)
		return 0;	/* nothing runs in a core file */
	/* A process cannot trace itself, and SIGSTOP would stop the caller. */
	if (h->pin.tgid == getpid())
		return -EDEADLK;
	size_t from = 0;
	int n;
	h->stopped = PVMIO_STOPPED_PTRACE;
	/* Rescan until a scan finds no thread that was not already stopped:
	 * stopped threads cannot start new ones. */
	while ((n = seize_new(h, &from)) > 0)
		wait_stopped(h, from);
	if (n == 0)
		return PVMIO_STOPPED_PTRACE;
	/* A seized thread can only be detached once it has stopped. */
	wait_stopped(h, from);
	detach_all(h);
	h->stopped = 0;
	if (n == -EPERM && lib_group_alive(&h->pin) == 0) {
		/* Already traced (a debugger holds it), or ptrace denied
		 * where signals are allowed. */
		int rc = stop_by_signal(h);
		if (rc < 0 && h->stopped)
			pvmio_resume(h);
		return rc;
	}
	return n;
}

int pvmio_resume(struct pvmio *h)
{
	if (h->stopped == PVMIO_STOPPED_PTRACE)
		detach_all(h);
	else if (h->stopped == PVMIO_STOPPED_SIGNAL && !h->was_stopped)
		kill(h->pin.tgid, SIGCONT);
	h->stopped = 0;
	return 0;
}
