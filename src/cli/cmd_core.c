/* pvmio core PID [-o FILE]: an ELF core file of a running process, that
 * gdb and every reading command of pvmio open. */
#include "config.h"
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *opt_output;
static char *opt_filter;
static int opt_all, opt_no_stop;

static struct poptOption options[] = {
	{ "output", 'o', POPT_ARG_STRING, &opt_output, 0, "write to FILE ('-': stdout, the default when not a terminal)",
	  "FILE" },
	{ "all", 'a', POPT_ARG_NONE, &opt_all, 0, "every readable mapping, whatever the filter says", NULL },
	{ "filter", '\0', POPT_ARG_STRING, &opt_filter, 0,
	  "which mappings carry their bytes, as coredump_filter bits (default: the process's own)", "HEX" },
	{ "no-stop", '\0', POPT_ARG_NONE, &opt_no_stop, 0,
	  "do not stop the process: memory only, no registers, and it may tear", NULL },
	SELECT_OPTIONS,
	FORCE_OPTION,
	COMMON_OPTIONS,
	POPT_TABLEEND
};

static const char *const examples[] = {
	"pvmio core 1234 -o app.core && gdb /usr/bin/app app.core",
	"pvmio core --all 1234 | zstd > app.core.zst",
	NULL,
};

struct job {
	struct selection sel;	/* --perms and --name */
	const struct pvmio_maps *maps;	/* the target's, for the name exe */
	struct progress progress;
	int started;
	uint64_t reported;
};

static int selected(void *ctx, const struct pvmio_mapping *m)
{
	struct job *j = ctx;
	return selection_keeps(&j->sel, j->maps, m);
}

static int on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct job *j = ctx;
	if (!j->started) {
		progress_begin(&j->progress, total);
		j->started = 1;
	}
	progress_add(&j->progress, done - j->reported);
	j->reported = done;
	return cli_interrupted ? -EINTR : 0;
}

/* Where the core goes.  A regular file (or none yet) is written as an
 * unnamed file in its directory (O_TMPFILE; else a hidden temporary one)
 * that takes the name once the core is whole, so a failed, interrupted or
 * killed job never leaves half a core under it; a device or a FIFO is
 * written in place; stdout as it is. */
struct output {
	int fd;
	char *final;	/* the regular file's path (a symlink's target) */
	char *tmp;	/* the hidden temporary file, without O_TMPFILE */
	int unnamed;	/* fd is an O_TMPFILE, linked in at the end */
};

/* PATH, or where it points when it is a symlink to nothing yet. */
static char *link_target(const char *path)
{
	char to[PATH_MAX];
	ssize_t n = readlink(path, to, sizeof to - 1);
	if (n <= 0)
		return strdup(path);
	to[n] = '\0';
	if (to[0] == '/')
		return strdup(to);
	char *copy = strdup(path), *joined = NULL;
	if (copy && asprintf(&joined, "%s/%s", dirname(copy), to) < 0)
		joined = NULL;
	free(copy);
	return joined;
}

static int open_output(struct output *o)
{
	memset(o, 0, sizeof *o);
	o->fd = -1;
	if (!opt_output || strcmp(opt_output, "-") == 0) {
		if (isatty(1)) {
			cli_error("will not write a core file to a terminal: give -o FILE, or redirect stdout");
			return EXIT_USAGE;
		}
		o->fd = 1;
		return 0;
	}
	struct stat st;
	if (stat(opt_output, &st) == 0 && !S_ISREG(st.st_mode)) {
		o->fd = open(opt_output, O_WRONLY | O_CLOEXEC);
		if (o->fd < 0) {
			cli_error("cannot open %s: %s", opt_output, strerror(errno));
			return EXIT_LOCAL;
		}
		return 0;
	}
	/* Through a symlink, its target is replaced, not the link. */
	o->final = realpath(opt_output, NULL);
	if (!o->final)
		o->final = link_target(opt_output);
	char *copy = o->final ? strdup(o->final) : NULL;
	const char *dir = copy ? dirname(copy) : NULL;
	if (dir) {
		/* 0600, as the kernel writes cores: they hold the process's
		 * secrets. */
		o->fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
		o->unnamed = o->fd >= 0;
		if (o->fd < 0 && asprintf(&o->tmp, "%s/.pvmio-core-XXXXXX", dir) >= 0)
			o->fd = mkostemp(o->tmp, O_CLOEXEC);
	}
	int err = errno;
	free(copy);
	if (o->fd < 0) {
		cli_error("cannot create a file beside %s: %s", opt_output, dir ? strerror(err) : "out of memory");
		free(o->tmp);
		o->tmp = NULL;
		return EXIT_LOCAL;
	}
	return 0;
}

/* Gives the whole core its name; 0 or -errno. */
static int name_output(struct output *o)
{
	if (o->tmp)
		return rename(o->tmp, o->final) < 0 ? -errno : 0;
	if (!o->unnamed)
		return 0;
	/* An unnamed file is linked under a fresh name, then renamed over
	 * FILE (linkat cannot replace one). */
	char self[64], *copy = strdup(o->final), *name = NULL;
	snprintf(self, sizeof self, "/proc/self/fd/%d", o->fd);
	int rc = -ENOMEM;
	for (int i = 0; copy && i < 100 && rc != 0; i++) {
		free(name);
		if (asprintf(&name, "%s/.pvmio-core-%d-%d", dirname(copy), (int)getpid(), i) < 0) {
			name = NULL;
			break;
		}
		strcpy(copy, o->final);
		rc = linkat(AT_FDCWD, self, AT_FDCWD, name, AT_SYMLINK_FOLLOW) < 0 ? -errno : 0;
		if (rc != -EEXIST && rc != 0)
			break;
	}
	if (rc == 0 && rename(name, o->final) < 0) {
		rc = -errno;
		unlink(name);
	}
	free(name);
	free(copy);
	return rc;
}

static void close_output(struct output *o, int ok)
{
	if (o->fd > 1)
		close(o->fd);
	o->fd = -1;
	if (o->tmp && !ok)
		unlink(o->tmp);
	free(o->tmp);
	free(o->final);
	memset(o, 0, sizeof *o);
}

static int run(const struct invocation *inv)
{
	struct target t = { 0 };
	struct job job = { 0 };
	struct output out = { .fd = -1 };
	long filter = -1;
	if (opt_filter) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(opt_filter, &end, 16);
		if (errno || !isxdigit((unsigned char)opt_filter[0]) || *end || v > 0x1ff) {
			cli_error("--filter takes a hex mask of coredump_filter bits (0 to 1ff), such as 33; got '%s'",
				  opt_filter);
			return EXIT_USAGE;
		}
		filter = (long)v;
	}
	if (opt_no_stop && common.stop) {
		cli_error("--stop and --no-stop contradict each other");
		return EXIT_USAGE;
	}
	int status = selection_from_options(&job.sel);
	if (!status)
		status = target_open(&t, inv->args[0], TARGET_LIVE | (opt_force ? PVMIO_FORCE : 0));
	if (!status && job.sel.active && !(status = target_maps(&t)))
		job.maps = t.maps;
	if (!status)
		status = open_output(&out);
	if (status)
		goto out;
	cli_catch_interrupts();
	/* The registers need the threads held by ptrace; a core without the
	 * stop is memory only. */
	common.stop = !opt_no_stop;
	status = target_stop(&t);
	if (status)
		goto out;
	struct pvmio_core_options o = {
		.filter = filter, .all = opt_all, .progress = on_progress, .ctx = &job, .select = job.sel.active ? selected : NULL
	};
	struct pvmio_core_summary sum;
	int rc = pvmio_core_write(t.h, out.fd, &o, &sum);
	progress_end(&job.progress);
	/* A reader that went away: end by SIGPIPE as cat does (resuming a
	 * stopped target first), though the write that met it may have been
	 * on the library's second thread, which takes no SIGPIPE.  Not for a
	 * regular file (a FUSE one may say EPIPE): its temporary file must
	 * be removed below. */
	if (rc == -EPIPE && !out.final)
		kill(getpid(), SIGPIPE);
	pid_t pid = t.pid;
	target_close(&t);	/* resumed as soon as its memory is written */
	if (rc == 0 && out.final && fsync(out.fd) < 0)
		rc = -errno;
	if (rc == 0)
		rc = name_output(&out);
	const char *where = out.final ? opt_output : opt_output && strcmp(opt_output, "-") ? opt_output : "stdout";
	if (rc == -EINTR || cli_interrupted) {
		if (out.final)
			cli_error("interrupted: no core file written");
		else
			cli_error("interrupted: the core written to %s is cut short", where);
		status = 128 + (cli_interrupted ? cli_interrupted : SIGINT);
	} else if (rc == -EOPNOTSUPP) {
		cli_error("process %d is a 32-bit program: pvmio writes cores of %d-bit processes only", (int)pid,
			  (int)sizeof(void *) * 8);
		status = EXIT_PROCESS;
	} else if (rc == -ESRCH) {
		cli_error("process %d exited while its core was being written", (int)pid);
		status = EXIT_PROCESS;
	} else if (rc < 0) {
		cli_error("cannot write the core file to %s: %s", where, strerror(-rc));
		status = exit_status_for(rc) == EXIT_PROCESS ? EXIT_PROCESS : EXIT_LOCAL;
	}
	if (status)
		goto out;
	char dumped[32], zero[32], unreadable[32];
	human_size(dumped, sizeof dumped, (double)sum.dumped);
	human_size(zero, sizeof zero, (double)sum.zero);
	human_size(unreadable, sizeof unreadable, (double)sum.unreadable);
	cli_verbose("process %d: %" PRIu64 " mappings, %s of memory (%s of it zero pages), registers of %" PRIu64
		    " thread%s -> %s",
		    (int)pid, sum.mappings, dumped, zero, sum.threads, sum.threads == 1 ? "" : "s", where);
	if (opt_no_stop)
		cli_error("the process ran meanwhile (--no-stop): the snapshot may tear, and it holds no registers");
	else if (!sum.threads)
		cli_error("no registers: another program traces process %d, so it was stopped with SIGSTOP, which "
			  "gives none", (int)pid);
	if (sum.unreadable) {
		cli_error("%s could not be read; the core lists those ranges as unreadable", unreadable);
		status = EXIT_MEMORY;
	}
	close_output(&out, 1);
	return status;
out:
	progress_end(&job.progress);
	close_output(&out, 0);
	target_close(&t);
	return status;
}

const struct command cmd_core = {
	.name = "core",
	.run = run,
	.options = options,
	.synopsis = "PID",
	.examples = examples,
	.summary = "write an ELF core file that gdb opens",
};
