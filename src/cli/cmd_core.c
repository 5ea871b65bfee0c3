/* pvmio core PID [-o FILE]: an ELF core file of a running process, that
 * gdb and every reading command of pvmio open. */
#include "config.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
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
	struct progress progress;
	int started;
	uint64_t reported;
};

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

static void human(char *buf, size_t size, uint64_t v)
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	double d = (double)v;
	int u = 0;
	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", d, units[u]);
}

/* The output: a temporary file beside FILE, renamed over it once the
 * core is whole, so a failed job never leaves half a core under its
 * name; or stdout. */
static int open_output(char **tmp)
{
	*tmp = NULL;
	if (!opt_output || strcmp(opt_output, "-") == 0) {
		if (isatty(1)) {
			cli_error("will not write a core file to a terminal: give -o FILE, or redirect stdout");
			return -1;
		}
		return 1;
	}
	char *copy = strdup(opt_output);
	if (!copy || asprintf(tmp, "%s/.pvmio-core-XXXXXX", dirname(copy)) < 0) {
		free(copy);
		*tmp = NULL;
		cli_error("out of memory");
		return -1;
	}
	free(copy);
	int fd = mkostemp(*tmp, O_CLOEXEC);
	if (fd < 0) {
		cli_error("cannot create a file beside %s: %s", opt_output, strerror(errno));
		free(*tmp);
		*tmp = NULL;
		return -1;
	}
	/* mkstemp's 0600; the file gets the mode a new file would. */
	mode_t mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	return fd;
}

static int run(const struct invocation *inv)
{
	struct target t = { 0 };
	struct job job = { 0 };
	char *tmp = NULL;
	int fd = -1;
	long filter = -1;
	if (opt_filter) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(opt_filter, &end, 16);
		if (errno || end == opt_filter || *end || opt_filter[0] == '-' || v > 0x1ff) {
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
	int status = target_open(&t, inv->args[0], TARGET_LIVE | (opt_force ? PVMIO_FORCE : 0));
	if (status)
		goto out;
	fd = open_output(&tmp);
	if (fd < 0) {
		status = opt_output ? EXIT_LOCAL : EXIT_USAGE;
		goto out;
	}
	cli_catch_interrupts();
	/* The registers need the threads held by ptrace; a core without the
	 * stop is memory only. */
	common.stop = !opt_no_stop;
	status = target_stop(&t);
	if (status)
		goto out;
	struct pvmio_core_options o = { .filter = filter, .all = opt_all, .progress = on_progress, .ctx = &job };
	struct pvmio_core_summary sum;
	int rc = pvmio_core_write(t.h, fd, &o, &sum);
	progress_end(&job.progress);
	pid_t pid = t.pid;
	target_close(&t);	/* resumed as soon as its memory is written */
	if (rc == 0 && fd != 1 && fsync(fd) < 0 && errno != EINVAL)
		rc = -errno;
	if (rc == 0 && fd != 1 && close(fd) < 0)
		rc = -errno;
	else if (fd != 1)
		close(fd);
	fd = -1;
	if (rc == -EINTR) {
		cli_error("interrupted: no core file written");
		status = EXIT_LOCAL;
	} else if (rc == -EOPNOTSUPP) {
		cli_error("process %d is a 32-bit program: pvmio writes cores of %d-bit processes only", (int)pid,
			  (int)sizeof(void *) * 8);
		status = EXIT_PROCESS;
	} else if (rc == -ESRCH) {
		cli_error("process %d exited while its core was being written", (int)pid);
		status = EXIT_PROCESS;
	} else if (rc < 0) {
		cli_error("cannot write the core file%s%s: %s", tmp ? " " : "", tmp ? opt_output : "", strerror(-rc));
		status = exit_status_for(rc) == EXIT_PROCESS ? EXIT_PROCESS : EXIT_LOCAL;
	}
	if (!status && tmp && rename(tmp, opt_output) < 0) {
		cli_error("cannot rename %s to %s: %s", tmp, opt_output, strerror(errno));
		status = EXIT_LOCAL;
	}
	if (status)
		goto out;
	char dumped[32], zero[32], unreadable[32];
	human(dumped, sizeof dumped, sum.dumped);
	human(zero, sizeof zero, sum.zero);
	human(unreadable, sizeof unreadable, sum.unreadable);
	cli_verbose("process %d: %" PRIu64 " mappings, %s of memory (%s of it zero pages), registers of %" PRIu64
		    " thread%s%s%s",
		    (int)pid, sum.mappings, dumped, zero, sum.threads, sum.threads == 1 ? "" : "s", tmp ? " -> " : "",
		    tmp ? opt_output : "");
	if (opt_no_stop)
		cli_error("the process ran meanwhile (--no-stop): the snapshot may tear, and it holds no registers");
	else if (!sum.threads)
		cli_error("no registers: another program traces process %d, so it was stopped with SIGSTOP, which "
			  "gives none", (int)pid);
	if (sum.unreadable) {
		cli_error("%s could not be read; the core lists those ranges as unreadable", unreadable);
		status = EXIT_MEMORY;
	}
	free(tmp);
	return status;
out:
	progress_end(&job.progress);
	if (fd > 1)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
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
