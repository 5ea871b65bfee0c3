/* The target of a command (target.h): opening it, stopping it and
 * resuming it on every way out, closing it, and the messages about the
 * process and its memory. */
#include "config.h"
#include "target.h"
#include "grammar.h"
#include "access.h"
#include "messages.h"
#include "options.h"

#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The name of process PID from /proc/PID/comm, for messages. */
static void process_name(pid_t pid, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
	buf[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

int report_process_error(pid_t pid, int err)
{
	char path[64];
	if (err == -ESRCH) {
		char state = 0;
		snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
		FILE *f = fopen(path, "r");
		if (f) {
			char line[1024];
			if (fgets(line, sizeof line, f)) {
				char *p = strrchr(line, ')');
				if (p && p[1])
					state = p[2];
			}
			fclose(f);
		}
		if (state == 'Z' || state == 'X')
			cli_error("process %d is a zombie: it has exited and its memory is gone", (int)pid);
		else
			cli_error("no such process: %d", (int)pid);
		return EXIT_PROCESS;
	}
	if (err == -ENXIO) {
		char name[64];
		process_name(pid, name, sizeof name);
		cli_error("process %d%s%s%s is a kernel thread: it has no user memory to read or write", (int)pid,
			  name[0] ? " (" : "", name, name[0] ? ")" : "");
		return EXIT_PROCESS;
	}
	if (err == -EPERM || err == -EACCES) {
		/* the reasons pvmio doctor gives, on one line */
		struct access_facts f;
		char line[1200];
		access_gather(pid, &f);
		access_denial(&f, line, sizeof line);
		cli_error("%s", line);
		return EXIT_PROCESS;
	}
	if (err == -EAGAIN) {
		cli_error("the mappings of process %d changed every time they were read: --stop holds them still",
			  (int)pid);
		return EXIT_PROCESS;
	}
	if (err == -EMFILE || err == -ENFILE) {
		cli_error("cannot open process %d: %s (pvmio's own limit: see ulimit -n)", (int)pid, strerror(-err));
		return EXIT_LOCAL;
	}
	cli_error("process %d: %s", (int)pid, strerror(-err));
	return exit_status_for(err);
}

int report_parse_error(const struct target *t, const struct perr *e)
{
	if (e->kind == PERR_NAME) {
		cli_error("%s; run 'pvmio maps %s' to see them all", e->msg, t->arg);
		return EXIT_USAGE;
	}
	return report_perr(e);
}

static struct pvmio *stopped_target;
_Atomic int cli_interrupted;
static int graceful;

static void note_signal(int sig)
{
	cli_interrupted = sig;
}

void cli_catch_interrupts(void)
{
	/* No SA_RESTART: a read from a terminal or a pipe returns EINTR. */
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	graceful = 1;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction sa = { .sa_handler = note_signal };
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
}

static void resume_and_die(int sig)
{
	if (stopped_target)
		pvmio_resume(stopped_target);
	signal(sig, SIG_DFL);
	raise(sig);
}

int target_is_core(const char *arg)
{
	return arg[0] && strspn(arg, "0123456789") != strlen(arg);
}

static int open_core(struct target *t, const char *path, unsigned flags)
{
	if (flags & TARGET_LIVE) {
		cli_error("'%s' is a core file: this command works on a running process (a PID)", path);
		return EXIT_USAGE;
	}
	t->core = path;
	snprintf(t->label, sizeof t->label, "core file %.80s", path);
	int rc = pvmio_open_core(path, &t->h);
	if (rc == -EPROTONOSUPPORT) {
		cli_error("%s is compressed: decompress it first (zstd -d, gunzip, xz -d); pvmio reads "
			  "uncompressed core files only", path);
		return EXIT_USAGE;
	}
	if (rc == -ENOEXEC) {
		cli_error("%s is not an ELF core file (a PID is a decimal number; anything else names a core file)",
			  path);
		return EXIT_USAGE;
	}
	if (rc == -EBADMSG) {
		cli_error("%s is cut short: its program headers (at its end, in a core pvmio wrote) are missing", path);
		return EXIT_USAGE;
	}
	if (rc < 0) {
		cli_error("cannot open core file %s: %s", path, strerror(-rc));
		/* a wrong path is a usage error; a file that cannot be read, local */
		return rc == -ENOENT ? EXIT_USAGE : EXIT_LOCAL;
	}
	t->pid = pvmio_pid(t->h);
	t->ptrsize = pvmio_pointer_size(t->h);
	return 0;
}

int target_open(struct target *t, const char *pidarg, unsigned flags)
{
	struct perr e;
	memset(t, 0, sizeof *t);
	t->arg = pidarg;
	if (target_is_core(pidarg))
		return open_core(t, pidarg, flags);
	flags &= ~TARGET_LIVE;
	if (parse_pid(pidarg, &t->pid, &e) < 0)
		return report_perr(&e);
	snprintf(t->label, sizeof t->label, "process %d", (int)t->pid);
	int rc = pvmio_open(t->pid, flags, &t->h);
	if (rc < 0)
		return report_process_error(t->pid, rc);
	if (!pvmio_pinned(t->h))
		cli_verbose("this kernel has no pidfd_open; the process is checked by its start time instead");
	t->ptrsize = pvmio_pointer_size(t->h);
	return 0;
}

static int begin(struct target *t, const char *pidarg, unsigned flags)
{
	int status = target_open(t, pidarg, flags | (opt_force ? PVMIO_FORCE : 0));
	/* Stopped first, so names and pointer chains resolve in memory
	 * that cannot change before the job. */
	return status ? status : target_stop(t);
}

int target_begin(struct target *t, const char *pidarg)
{
	return begin(t, pidarg, 0);
}

int target_begin_live(struct target *t, const char *pidarg)
{
	return begin(t, pidarg, TARGET_LIVE);
}

int target_maps(struct target *t)
{
	if (t->maps)
		return 0;
	int rc = pvmio_maps_read(t->h, &t->maps);
	return rc < 0 ? report_process_error(t->pid, rc) : 0;
}

int target_refresh_maps(struct target *t)
{
	struct pvmio_maps *m;
	int rc = pvmio_maps_read(t->h, &m);
	if (rc < 0)
		return rc;
	pvmio_maps_free(t->maps);
	t->maps = m;
	return 0;
}

int target_stop(struct target *t)
{
	if (!common.stop || t->core)
		return 0;	/* nothing runs in a core file */
	/* Resume on every way out: these signals run the handler, a closed
	 * pipe included; the kernel detaches us if we are killed. */
	stopped_target = t->h;
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		/* A command that catches interrupts ends its own way, and the
		 * target is resumed by target_close. */
		if (graceful && (sigs[i] == SIGINT || sigs[i] == SIGTERM || sigs[i] == SIGHUP))
			continue;
		struct sigaction sa = { .sa_handler = resume_and_die };
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
	int rc = pvmio_stop(t->h);
	if (rc == PVMIO_STOPPED_PTRACE) {
		cli_verbose("stopped process %d with ptrace", (int)t->pid);
		return 0;
	}
	if (rc == PVMIO_STOPPED_SIGNAL) {
		/* ptrace refused to attach: say whom the process is traced by,
		 * or that it is not, as the facts are */
		struct access_facts f;
		if (common.verbose)
			access_gather(t->pid, &f);
		if (common.verbose && f.it.tracer > 0)
			cli_verbose("process %d is traced by %ld (%s); stopped it with SIGSTOP instead", (int)t->pid,
				    f.it.tracer, f.tracer_name[0] ? f.tracer_name : "?");
		else
			cli_verbose("ptrace could not attach to process %d; stopped it with SIGSTOP instead", (int)t->pid);
		return 0;
	}
	if (rc == -ESRCH || rc == -EPERM || rc == -EACCES)
		return report_process_error(t->pid, rc);
	cli_error("cannot stop process %d: %s", (int)t->pid, strerror(-rc));
	return exit_status_for(rc);
}

void target_close(struct target *t)
{
	pvmio_symbols_close(t->syms);
	if (t->h) {
		pvmio_resume(t->h);
		stopped_target = NULL;
		pvmio_close(t->h);
	}
	pvmio_maps_free(t->maps);
	memset(t, 0, sizeof *t);
}

void describe_mapping(struct target *t, uint64_t addr, char *buf, size_t size)
{
	if (!t->maps)
		pvmio_maps_read(t->h, &t->maps);
	const struct pvmio_mapping *m = t->maps ? pvmio_maps_lookup(t->maps, addr) : NULL;
	if (m && m->start <= addr) {
		snprintf(buf, size, "in 0x%" PRIx64 "..0x%" PRIx64 " %s%s%s", m->start, m->end, m->perms,
			 m->name[0] ? " " : "", m->name);
		return;
	}
	const struct pvmio_mapping *below = NULL;
	for (size_t i = 0; t->maps && i < t->maps->n && t->maps->v[i].end <= addr; i++)
		below = &t->maps->v[i];
	if (m)
		snprintf(buf, size, "not mapped (nothing between 0x%" PRIx64 " and 0x%" PRIx64 ")",
			 below ? below->end : 0, m->start);
	else
		snprintf(buf, size, "not mapped (nothing is mapped at or above it)");
}

void describe_unreadable(struct target *t, uint64_t addr, char *buf, size_t size)
{
	describe_mapping(t, addr, buf, size);
	/* A core lacks the bytes of the mappings it did not dump. */
	size_t n = strlen(buf);
	if (t->core && strncmp(buf, "in ", 3) == 0 && n < size)
		snprintf(buf + n, size - n, ", not in the core file");
}

/* Does T still run, though the kernel said ESRCH?  A killed process
 * loses its memory before its pidfd says it exited, and freeing a big
 * address space on a loaded machine can take a good part of a second:
 * give it 2 s (the wait ends as soon as the pidfd says so). */
static int still_running(struct target *t)
{
	for (int i = 0; i < 200; i++) {
		if (pvmio_check_alive(t->h) < 0)
			return 0;
		usleep(10000);
	}
	return 1;
}

int report_memory_error(struct target *t, int err, uint64_t addr, const char *what)
{
	if (err == -ESRCH) {
		/* The pidfd, not the errno, says whether it exited. */
		if (t->h && !t->core && still_running(t))
			cli_error("the kernel said process %d does not exist (ESRCH) during the %s, though it still "
				  "runs; stopped at 0x%" PRIx64,
				  (int)t->pid, what, addr);
		else
			cli_error("process %d exited during the %s; stopped at 0x%" PRIx64, (int)t->pid, what, addr);
		return EXIT_PROCESS;
	}
	if (err == -EPERM || err == -EACCES)
		return report_process_error(t->pid, err);
	if (err == -ENOSYS) {
		cli_error("cannot %s 0x%" PRIx64 ": this kernel has no cross-memory attach (process_vm_readv and "
			  "process_vm_writev); --force goes through /proc/PID/mem instead",
			  what, addr);
		return EXIT_MEMORY;
	}
	if (err != -EFAULT && err != -EIO) {
		cli_error("cannot %s 0x%" PRIx64 ": %s", what, addr, strerror(-err));
		return exit_status_for(err);
	}
	char where[512];
	target_refresh_maps(t);
	describe_unreadable(t, addr, where, sizeof where);
	cli_error("cannot %s 0x%" PRIx64 ": %s", what, addr, where);
	return EXIT_MEMORY;
}

