/* What every command shares: options, messages, the target, exit codes. */
#include "config.h"
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *cli_command = NULL;
struct common_options common;

struct poptOption common_table[] = {
	{ "stop", '\0', POPT_ARG_NONE, &common.stop, 0, "stop every thread of the target while working", NULL },
	{ "progress", '\0', POPT_ARG_NONE, &common.progress, 0, "show progress on stderr", NULL },
	{ "no-progress", '\0', POPT_ARG_NONE, &common.no_progress, 0, "never show progress", NULL },
	{ "verbose", '\0', POPT_ARG_NONE, &common.verbose, 0, "say what is being done", NULL },
	{ "help", 'h', POPT_ARG_NONE, &common.help, 0, "show this help", NULL },
	{ "usage", '\0', POPT_ARG_NONE, &common.usage, 0, "show a short usage message", NULL },
	POPT_TABLEEND
};

/* Messages quote what they name (paths, process names, input lines):
 * a control byte in them is shown as \xHH, so a message stays one line
 * and no terminal escape reaches the user's terminal. */
__attribute__((format(printf, 2, 0))) static void message(const char *prefix, const char *fmt, va_list ap)
{
	char buf[2048], safe[4 * sizeof buf];
	vsnprintf(buf, sizeof buf, fmt, ap);
	size_t k = 0;
	for (const unsigned char *p = (const unsigned char *)buf; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			k += (size_t)sprintf(safe + k, "\\x%02x", *p);
		else
			safe[k++] = (char)*p;
	}
	safe[k] = '\0';
	fprintf(stderr, "pvmio: %s%s%s%s\n", cli_command ? cli_command : "", cli_command ? ": " : "", prefix, safe);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	message("", fmt, ap);
	va_end(ap);
}

void cli_verbose(const char *fmt, ...)
{
	if (!common.verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	message("", fmt, ap);
	va_end(ap);
}

int usage_error(const struct perr *e)
{
	cli_error("%s", e->msg);
	return e->kind == PERR_NOMEM ? EXIT_LOCAL : EXIT_USAGE;
}

int cli_parse(const char *name, int argc, const char **argv, const struct poptOption *table,
	      const char *synopsis, const char *const *examples, poptContext *ctxp, const char ***args,
	      int *nargs)
{
	char progname[32];
	snprintf(progname, sizeof progname, "pvmio %s", name);
	argv[0] = progname;
	memset(&common, 0, sizeof common);
	/* No popt alias or exec files are read: a tool that writes into
	 * other processes takes no options from the environment. */
	poptContext ctx = poptGetContext(progname, argc, argv, table, 0);
	poptSetOtherOptionHelp(ctx, synopsis);
	*ctxp = ctx;
	int rc;
	while ((rc = poptGetNextOpt(ctx)) > 0)
		;
	if (rc < -1) {
		cli_error("%s: %s (see 'pvmio %s --help')", poptBadOption(ctx, POPT_BADOPTION_NOALIAS),
			  poptStrerror(rc), name);
		return EXIT_USAGE;
	}
	if (common.help) {
		poptPrintHelp(ctx, stdout, 0);
		printf("\nExamples:\n");
		for (const char *const *e = examples; *e; e++)
			printf("  %s\n", *e);
		return fflush(stdout) == 0 ? EXIT_DONE : EXIT_LOCAL;
	}
	if (common.usage) {
		poptPrintUsage(ctx, stdout, 0);
		return EXIT_DONE;
	}
	*args = poptGetArgs(ctx);
	*nargs = 0;
	if (*args)
		while ((*args)[*nargs])
			(*nargs)++;
	return -1;
}

static int yama_scope(void)
{
	FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "r");
	int v = -1;
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* The uid map of the user namespace pvmio runs in, when it is not the
 * initial one ("0 0 4294967295"): there, capabilities stop at the
 * namespace's edge. */
static int in_user_namespace(char *map, size_t size)
{
	FILE *f = fopen("/proc/self/uid_map", "r");
	unsigned long inner, outer, count;
	int nested = 0;
	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu %lu", &inner, &outer, &count) == 3) {
		nested = !(inner == 0 && outer == 0 && count == 4294967295UL);
		snprintf(map, size, "%lu %lu %lu", inner, outer, count);
	}
	fclose(f);
	return nested;
}

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
	struct stat st;
	snprintf(path, sizeof path, "/proc/%d", (int)pid);
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
		char owner[128] = "unknown";
		if (stat(path, &st) == 0) {
			struct passwd *pw = getpwuid(st.st_uid);
			snprintf(owner, sizeof owner, "%s (uid %u)", pw ? pw->pw_name : "?", (unsigned)st.st_uid);
		}
		char map[96];
		if (in_user_namespace(map, sizeof map)) {
			cli_error("permission denied for process %d, owned by %s as this user namespace sees it: pvmio "
				  "runs in a user namespace (uid_map '%s'), and capabilities in a user namespace, root's "
				  "included, do not reach processes outside it; run pvmio outside the namespace, as the "
				  "target's user or with CAP_SYS_PTRACE there",
				  (int)pid, owner, map);
			return EXIT_PROCESS;
		}
		char yama[200] = "";
		int scope = yama_scope();
		if (scope == 1)
			snprintf(yama, sizeof yama, "; Yama's ptrace_scope is 1, so only a parent process may, unless the "
						    "target allows it (prctl PR_SET_PTRACER)");
		else if (scope == 2)
			snprintf(yama, sizeof yama, "; Yama's ptrace_scope is 2: only CAP_SYS_PTRACE may");
		else if (scope == 3)
			snprintf(yama, sizeof yama, "; Yama's ptrace_scope is 3: no process may");
		else if (scope == 0)
			snprintf(yama, sizeof yama, "; Yama's ptrace_scope is 0");
		cli_error("permission denied for process %d, owned by %s: run as the same user (with ptrace "
			  "permission) or with CAP_SYS_PTRACE%s",
			  (int)pid, owner, yama);
		return EXIT_PROCESS;
	}
	cli_error("process %d: %s", (int)pid, strerror(-err));
	return EXIT_PROCESS;
}

int report_parse_error(const struct target *t, const struct perr *e)
{
	if (e->kind == PERR_NAME) {
		cli_error("%s; run 'pvmio maps %d' to see them all", e->msg, (int)t->pid);
		return EXIT_USAGE;
	}
	return usage_error(e);
}

static struct pvmio *stopped_target;
volatile sig_atomic_t cli_interrupted;
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

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	default:
		return "a signal";
	}
}

int report_interrupted(uint64_t written, uint64_t at)
{
	if (written)
		cli_error("interrupted by %s: %" PRIu64 " bytes were written, up to 0x%" PRIx64 ", nothing more",
			  signal_name(cli_interrupted), written, at);
	else
		cli_error("interrupted by %s: nothing was written", signal_name(cli_interrupted));
	return 128 + cli_interrupted;
}

static void resume_and_die(int sig)
{
	if (stopped_target)
		pvmio_resume(stopped_target);
	signal(sig, SIG_DFL);
	raise(sig);
}

int target_open(struct target *t, const char *pidarg, unsigned flags)
{
	struct perr e;
	memset(t, 0, sizeof *t);
	if (parse_pid(pidarg, &t->pid, &e) < 0)
		return usage_error(&e);
	int rc = pvmio_open(t->pid, flags, &t->h);
	if (rc < 0)
		return report_process_error(t->pid, rc);
	if (!pvmio_pinned(t->h))
		cli_verbose("this kernel has no pidfd_open; the process is checked by its start time instead");
	t->ptrsize = pvmio_pointer_size(t->h);
	return 0;
}

int target_maps(struct target *t)
{
	if (t->maps)
		return 0;
	int rc = pvmio_maps_read(t->h, &t->maps);
	return rc < 0 ? report_process_error(t->pid, rc) : 0;
}

int mentions_name(const char *s)
{
	/* A term that starts with other than a digit is a NAME. */
	for (const char *p = s; *p; p++) {
		int term_start = p == s || strchr("+-:.", p[-1]);
		if (term_start && !strchr("+-:.", *p) && !(*p >= '0' && *p <= '9'))
			return 1;
	}
	return 0;
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
	if (!common.stop)
		return 0;
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
		cli_verbose("process %d is traced by another program; stopped it with SIGSTOP instead", (int)t->pid);
		return 0;
	}
	if (rc == -ESRCH || rc == -EPERM || rc == -EACCES)
		return report_process_error(t->pid, rc);
	cli_error("cannot stop process %d: %s", (int)t->pid, strerror(-rc));
	return EXIT_PROCESS;
}

void target_close(struct target *t)
{
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

int report_memory_error(struct target *t, int err, uint64_t addr, const char *what)
{
	if (err == -ESRCH) {
		cli_error("process %d exited during the %s; stopped at 0x%" PRIx64, (int)t->pid, what, addr);
		return EXIT_PROCESS;
	}
	if (err == -EPERM || err == -EACCES)
		return report_process_error(t->pid, err);
	char where[512];
	target_refresh_maps(t);
	describe_mapping(t, addr, where, sizeof where);
	cli_error("cannot %s 0x%" PRIx64 ": %s", what, addr, where);
	return EXIT_MEMORY;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_begin(struct progress *p, uint64_t total)
{
	memset(p, 0, sizeof *p);
	p->total = total;
	if (common.no_progress)
		p->on = 0;
	else if (common.progress)
		p->on = 1;
	else
		p->on = total != PROGRESS_UNKNOWN && total > ((uint64_t)256 << 20) && isatty(2) && !isatty(1);
	p->start = now();
	p->last = 0;	/* the first piece of work draws at once */
}

static void human(char *buf, size_t size, double v)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

void progress_add(struct progress *p, uint64_t n)
{
	p->done += n;
	if (!p->on)
		return;
	double t = now();
	/* At most ten redraws a second. */
	if (t - p->last < 0.1)
		return;
	p->last = t;
	double rate = (double)p->done / (t - p->start > 1e-6 ? t - p->start : 1e-6);
	char done[32], total[32], speed[32];
	human(done, sizeof done, (double)p->done);
	human(total, sizeof total, (double)p->total);
	human(speed, sizeof speed, rate);
	if (p->total == PROGRESS_UNKNOWN) {
		fprintf(stderr, "\r\033[Kpvmio: %s: %s, %s/s", cli_command, done, speed);
		return;
	}
	double left = rate > 0 && p->total > p->done ? (double)(p->total - p->done) / rate : 0;
	fprintf(stderr, "\r\033[Kpvmio: %s: %s of %s, %s/s, %d:%02d left", cli_command, done, total, speed,
		(int)left / 60, (int)left % 60);
}

void progress_end(struct progress *p)
{
	if (p->on)
		fputs("\r\033[K", stderr);
}

int typed_options(struct target *t, const char *type, const char *endian, struct vtype *vt, int *big,
		  struct perr *e)
{
	*big = native_big_endian();
	if (endian && parse_endian(endian, big, e) < 0)
		return -1;
	if (type && parse_type(type, t ? t->ptrsize : (int)sizeof(void *), vt, e) < 0)
		return -1;
	return 0;
}

int data_from_args(struct target *t, const struct data_options *o, const char **args, int nargs,
		   struct bytes *out, struct perr *e)
{
	e->kind = PERR_SYNTAX;
	if (o->string) {
		if (o->type || o->endian) {
			snprintf(e->msg, sizeof e->msg, "%s", o->type ? "give the data one way: -t TYPE VALUE... or -s STRING, not both"
								 : "-e goes with -t TYPE");
			return -1;
		}
		if (nargs) {
			snprintf(e->msg, sizeof e->msg, "'%s': -s takes the string as its argument; nothing may follow",
				 args[0]);
			return -1;
		}
		if (bytes_push(out, o->string, strlen(o->string) + (o->nul ? 1 : 0)) < 0)
			return nomem(e);
		return 0;
	}
	if (o->nul) {
		snprintf(e->msg, sizeof e->msg, "-z goes with -s STRING");
		return -1;
	}
	if (!nargs) {
		snprintf(e->msg, sizeof e->msg, "missing data: give hex bytes, -t TYPE VALUE..., or -s STRING");
		return -1;
	}
	if (o->type) {
		struct vtype vt;
		int big;
		if (typed_options(t, o->type, o->endian, &vt, &big, e) < 0)
			return -1;
		for (int i = 0; i < nargs; i++) {
			unsigned char v[8];
			if (parse_value(args[i], &vt, big, v, e) < 0)
				return -1;
			if (bytes_push(out, v, vt.size) < 0)
				return nomem(e);
		}
		return 0;
	}
	if (o->endian) {
		snprintf(e->msg, sizeof e->msg, "-e goes with -t TYPE");
		return -1;
	}
	for (int i = 0; i < nargs; i++)
		if (parse_hex_data(args[i], out, e) < 0)
			return -1;
	return 0;
}

int parse_ranges(struct target *t, const char **args, int n, const struct range_defaults *d, struct range **out)
{
	struct range *r = calloc(n ? (size_t)n : 1, sizeof *r);
	struct perr e;
	if (!r) {
		cli_error("out of memory");
		return EXIT_LOCAL;
	}
	for (int i = 0; i < n; i++) {
		int status = mentions_name(args[i]) ? target_maps(t) : 0;
		if (status) {
			free(r);
			return status;
		}
		if (parse_range(args[i], t->maps, &r[i], &e) < 0) {
			free(r);
			return report_parse_error(t, &e);
		}
		if (!r[i].has_len || (r[i].is_name && d->explicit_len)) {
			if (!d->have_len) {
				cli_error("'%s': how many bytes? Give ADDR:LEN or ADDR..END%s", args[i],
					  d->hint ? d->hint : "");
				free(r);
				return EXIT_USAGE;
			}
			r[i].len = d->len;
			if (r[i].len && r[i].addr > UINT64_MAX - (r[i].len - 1)) {
				cli_error("'%s' with length %" PRIu64 " passes the top of the address space (2^64)",
					  args[i], d->len);
				free(r);
				return EXIT_USAGE;
			}
		}
		if (d->multiple > 1 && r[i].len % d->multiple) {
			cli_error("'%s': the length %" PRIu64 " is not a whole number of %u-byte values", args[i],
				  r[i].len, d->multiple);
			free(r);
			return EXIT_USAGE;
		}
	}
	*out = r;
	return 0;
}

static int special(const char *name)
{
	return strcmp(name, "[vvar]") == 0 || strcmp(name, "[vvar_vclock]") == 0 || strcmp(name, "[vsyscall]") == 0;
}

struct range *all_readable(const struct pvmio_maps *m, int force, int *n)
{
	struct range *r = calloc(m->n ? m->n : 1, sizeof *r);
	*n = 0;
	for (size_t i = 0; r && i < m->n; i++) {
		const struct pvmio_mapping *v = &m->v[i];
		if ((v->perms[0] != 'r' && !force) || special(v->name) || v->start >= ((uint64_t)1 << 63))
			continue;
		if (*n && r[*n - 1].addr + r[*n - 1].len == v->start)
			r[*n - 1].len += v->end - v->start;
		else
			r[(*n)++] = (struct range){ v->start, v->end - v->start, 1, 0 };
	}
	if (!r)
		cli_error("out of memory");
	return r;
}

void unreadable_add(struct unreadable *u, const struct pvmio_chunk *c)
{
	if (!u->bytes) {
		u->first = c->addr;
		u->first_err = c->err;
	}
	u->bytes += c->len;
	u->runs++;
}

int stream_outcome(struct target *t, struct out *o, int rc, uint64_t at)
{
	out_flush(o);
	if (o->err) {
		cli_error("cannot write to stdout: %s", strerror(o->err));
		return EXIT_LOCAL;
	}
	return rc < 0 ? report_memory_error(t, rc, at, "read") : -1;
}

/* The first byte of [addr, addr+len) in a shared mapping without write
 * permission: /proc/PID/mem cannot write it either, since a shared page
 * has no private copy to take.  0 if none. */
static int shared_read_only(const struct pvmio_maps *m, uint64_t addr, uint64_t len, uint64_t *bad)
{
	for (uint64_t pos = addr, left = len; left;) {
		const struct pvmio_mapping *v = pvmio_maps_lookup(m, pos);
		if (!v || v->start > pos)
			return 0;
		if (v->perms[3] == 's' && v->perms[1] != 'w') {
			*bad = pos;
			return 1;
		}
		uint64_t span = v->end - pos;
		if (span >= left)
			return 0;
		left -= span;
		pos = v->end;
	}
	return 0;
}

int check_writable(struct target *t, uint64_t addr, uint64_t len, int force, uint64_t written)
{
	uint64_t bad;
	int rc = pvmio_maps_check(t->maps, addr, len, force ? "" : "w", &bad);
	int shared = rc == 0 && force && shared_read_only(t->maps, addr, len, &bad);
	if (rc == 0 && !shared)
		return 0;
	char where[512], done[128] = "nothing was written";
	describe_mapping(t, bad, where, sizeof where);
	if (written)
		snprintf(done, sizeof done, "%" PRIu64 " bytes before it were written, nothing more", written);
	if (shared)
		cli_error("cannot write 0x%" PRIx64 ": %s, a shared read-only mapping, which cannot be written even "
			  "with --force; %s",
			  bad, where, done);
	else
		cli_error("cannot write 0x%" PRIx64 ": %s%s; %s%s", bad, where,
			  rc == -EACCES ? ", which is not writable" : "", done,
			  rc == -EACCES ? " (--force writes read-only private pages, as debuggers do)" : "");
	return EXIT_MEMORY;
}

int report_write_stopped(struct target *t, int err, uint64_t written, uint64_t at)
{
	if (err == -ESRCH || pvmio_check_alive(t->h) < 0) {
		cli_error("process %d exited; %" PRIu64 " bytes were written, up to 0x%" PRIx64 ", nothing more",
			  (int)t->pid, written, at);
		return EXIT_PROCESS;
	}
	char where[512];
	target_refresh_maps(t);
	describe_mapping(t, at, where, sizeof where);
	cli_error("the target changed: %" PRIu64 " bytes were written; stopped at 0x%" PRIx64 ", now %s", written, at,
		  where);
	return EXIT_MEMORY;
}

int verify_written(struct target *t, uint64_t addr, uint64_t len, const unsigned char *want, size_t wantlen)
{
	size_t chunk = (size_t)1 << 20;
	unsigned char *buf = malloc(chunk);
	if (!buf) {
		cli_error("out of memory");
		return EXIT_LOCAL;
	}
	int status = 0;
	for (uint64_t off = 0; off < len && !status;) {
		size_t n = len - off < chunk ? (size_t)(len - off) : chunk;
		ssize_t got = pvmio_pread(t->h, buf, n, addr + off);
		if (got < (ssize_t)n) {
			cli_error("--verify: cannot read back 0x%" PRIx64, addr + off + (uint64_t)(got > 0 ? got : 0));
			status = EXIT_MEMORY;
			break;
		}
		for (size_t i = 0; i < n; i++) {
			unsigned char w = want[(off + i) % wantlen];
			if (buf[i] != w) {
				cli_error("--verify: 0x%" PRIx64 " holds 0x%02x, not the 0x%02x written", addr + off + i,
					  buf[i], w);
				status = EXIT_MEMORY;
				break;
			}
		}
		off += n;
	}
	free(buf);
	return status;
}
