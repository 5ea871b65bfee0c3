/* pvmio write PID ADDR DATA...: patch memory, checked before the first
 * byte is written. */
#include "config.h"
#include "cli.h"
#include "dump_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *opt_format, *opt_input;
static const char *opt_hold;
static int opt_verify, hold_given;

/* --hold with no DUR is --hold until interrupted: a callback tells the
 * option given alone from the option not given. */
static void hold_seen(poptContext ctx, enum poptCallbackReason reason, const struct poptOption *opt, const char *arg,
		      const void *data)
{
	(void)ctx, (void)reason, (void)data;
	/* popt may call it for the options that follow its table too */
	if (!opt || !opt->longName || strcmp(opt->longName, "hold") != 0)
		return;
	/* ARG may be popt's own buffer, used again for the next option */
	static char copy[64];
	hold_given = 1;
	opt_hold = arg && strlen(arg) < sizeof copy ? strcpy(copy, arg) : arg;
}

static struct poptOption hold_table[] = {
	{ NULL, '\0', POPT_ARG_CALLBACK, (void *)(uintptr_t)hold_seen, 0, NULL, NULL },
	{ "hold", '\0', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, 0,
	  "rewrite the value whenever it differs, for DUR (alone: until interrupted)", "DUR" },
	POPT_TABLEEND
};

static struct poptOption options[] = {
	TYPED_OPTIONS,
	STRING_OPTIONS,
	{ "input", 'i', POPT_ARG_STRING, &opt_input, 0, "write the bytes of FILE (- for stdin)", "FILE" },
	{ "format", 'f', POPT_ARG_STRING, &opt_format, 0, "xxd: read dump lines (xxd, hexdump -C, pvmio dump)", "FORMAT" },
	FORCE_OPTION,
	{ "verify", '\0', POPT_ARG_NONE, &opt_verify, 0, "read back and compare", NULL },
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, hold_table, 0, NULL, NULL },
	INTERVAL_OPTION,
	COMMON_OPTIONS,
	POPT_TABLEEND
};

static const char *const examples[] = {
	"pvmio write 1234 0x7ffd1000 deadbeef",
	"pvmio write -f xxd 1234 < edited-dump.txt",
	"pvmio write -t u32 --hold=60s 1234 exe:debug_level 3",
	NULL,
};

#define CHUNK ((size_t)1 << 20)

struct writer {
	struct target *t;
	int dry;	/* check only: the first pass over dump lines */
	struct progress progress;
	uint64_t written;
	uint64_t planned;	/* bytes the dry pass found to write */
	int holding;	/* --hold's rewrites: an interrupt is their normal end */
};

/* Checks, writes and verifies one contiguous run; 0 or an exit status. */
static int put(struct writer *w, uint64_t addr, const unsigned char *p, size_t n)
{
	if (!n)
		return 0;
	if (addr > UINT64_MAX - (n - 1)) {
		cli_error("writing %zu bytes at 0x%" PRIx64 " passes the top of the address space (2^64)", n, addr);
		return EXIT_USAGE;
	}
	if (cli_interrupted && !w->holding)
		return report_interrupted(w->written, addr);
	int status = check_writable(w->t, addr, n, opt_force, w->written);
	if (status)
		return status;
	if (w->dry) {
		w->planned += n;
		return 0;
	}
	ssize_t r = pvmio_pwrite(w->t->h, p, n, addr);
	if (r < 0 || (size_t)r < n) {
		uint64_t moved = (uint64_t)(r > 0 ? r : 0);
		return report_write_stopped(w->t, (int)(r < 0 ? r : 0), w->written + moved, addr + moved);
	}
	w->written += n;
	progress_add(&w->progress, n);
	return opt_verify ? verify_written(w->t, addr, n, p, n) : 0;
}

/* Fills BUF from FD; a signal that interrupts pvmio ends it (-EINTR). */
static ssize_t read_full(int fd, unsigned char *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR && !cli_interrupted)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* -i FILE: streamed in CHUNK pieces, each checked before it is written. */
static int write_stream(struct writer *w, int fd, const char *name, uint64_t addr)
{
	unsigned char *buf = malloc(CHUNK);
	if (!buf) {
		cli_error("out of memory");
		return EXIT_LOCAL;
	}
	struct stat st;
	int status = 0;
	/* A regular file's size is known: check the whole destination first. */
	uint64_t total = PROGRESS_UNKNOWN;
	/* (/proc files say 0 bytes whatever they hold: no size then) */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		total = (uint64_t)st.st_size;
		if (total)
			status = check_writable(w->t, addr, total, opt_force, 0);
	}
	progress_begin(&w->progress, total);
	uint64_t off = 0;
	while (!status) {
		ssize_t n = read_full(fd, buf, CHUNK);
		if (n == -EINTR) {
			status = report_interrupted(w->written, addr + off);
			break;
		}
		if (n < 0) {
			cli_error("cannot read %s: %s", name, strerror((int)-n));
			status = EXIT_LOCAL;
			break;
		}
		if (n == 0)
			break;
		if (off > UINT64_MAX - addr) {
			cli_error("the input runs past the top of the address space (2^64)");
			status = EXIT_USAGE;
			break;
		}
		status = put(w, addr + off, buf, (size_t)n);
		off += (uint64_t)n;
	}
	progress_end(&w->progress);
	free(buf);
	return status;
}

/* -f xxd: a run of contiguous bytes gathered from dump lines. */
struct xxd_input {
	struct writer *w;
	unsigned char *run;
	uint64_t run_addr;
	size_t run_len;
	struct dump_line prev;
	int have_prev, repeat;
};

static int flush_run(struct xxd_input *x)
{
	int status = put(x->w, x->run_addr, x->run, x->run_len);
	x->run_addr += x->run_len;
	x->run_len = 0;
	return status;
}

static int add_byte(struct xxd_input *x, uint64_t addr, unsigned char b)
{
	int status = 0;
	if (x->run_len && (x->run_addr + x->run_len != addr || x->run_len == CHUNK))
		status = flush_run(x);
	if (!x->run_len)
		x->run_addr = addr;
	x->run[x->run_len++] = b;
	return status;
}

static int add_line(struct xxd_input *x, const struct dump_line *l, uint64_t addr)
{
	for (size_t i = 0; i < l->n; i++) {
		if (!l->valid[i])
			continue;
		if (i && addr + i < addr) {
			cli_error("a dump line at 0x%" PRIx64 " passes the top of the address space (2^64)", addr);
			return EXIT_USAGE;
		}
		int status = add_byte(x, addr + i, l->bytes[i]);
		if (status)
			return status;
	}
	return 0;
}

/* After "*", the previous line repeats up to the next line's address
 * (UNTIL_TOP: up to 2^64). */
static int repeat_until(struct xxd_input *x, uint64_t until, int until_top)
{
	uint64_t n = x->prev.n, at = x->prev.addr + n;
	while (x->have_prev && n && (until_top || at < until)) {
		int status = add_line(x, &x->prev, at);
		if (status)
			return status;
		if (at > UINT64_MAX - n)
			break;
		at += n;
	}
	return 0;
}

/* One pass over the dump lines of IN, every byte at its line's address
 * plus OFFSET. */
static int write_dump(struct writer *w, FILE *in, const char *name, uint64_t offset)
{
	struct xxd_input x = { .w = w };
	struct dump_reader reader;
	dump_reader_init(&reader);
	x.run = malloc(CHUNK);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long lineno = 0;
	/* the span of the last data line, for lines that overlap it */
	uint64_t span_lo = 0, span_hi = 0;
	int status = x.run ? 0 : EXIT_LOCAL;
	if (!x.run)
		cli_error("out of memory");
	while (!status && (len = getline(&line, &cap, in)) >= 0) {
		struct dump_line l;
		struct perr e;
		lineno++;
		if (dump_reader_line(&reader, line, (size_t)len, &l, &e) < 0) {
			cli_error("%s, line %lu: %s", name, lineno, e.msg);
			status = EXIT_USAGE;
			break;
		}
		if (l.kind != DL_BLANK && l.kind != DL_REPEAT && !l.top && l.addr > UINT64_MAX - offset) {
			cli_error("%s, line %lu: the address plus ADDR passes 2^64", name, lineno);
			status = EXIT_USAGE;
			break;
		}
		l.addr += offset;
		switch (l.kind) {
		case DL_REPEAT:
			x.repeat = 1;
			break;
		case DL_DATA:
		case DL_END:
			if (l.kind == DL_DATA && l.n && !l.top && span_hi > span_lo && l.addr >= span_lo &&
			    l.addr < span_hi) {
				/* no dump's lines overlap: this is something else, read
				 * as hex (xxd -b's binary digits without its text) */
				cli_error("%s, line %lu: at 0x%" PRIx64 ", it overlaps the line before (0x%" PRIx64
					  "..0x%" PRIx64 "): not a dump whose lines follow each other (xxd -b "
					  "without its text column?); nothing was written",
					  name, lineno, l.addr - offset, span_lo - offset, span_hi - offset);
				status = EXIT_USAGE;
				break;
			}
			if (l.kind == DL_DATA && !l.top) {
				span_lo = l.addr;
				span_hi = l.addr + l.n > l.addr ? l.addr + l.n : UINT64_MAX;
			}
			if (x.repeat)
				status = repeat_until(&x, l.addr, l.top);
			x.repeat = 0;
			if (!status && l.kind == DL_DATA)
				status = add_line(&x, &l, l.addr);
			x.prev = l;
			x.have_prev = l.kind == DL_DATA;
			break;
		case DL_SUMMARY:
			/* a "*" before it repeats up to the hole it tells of */
			if (x.repeat)
				status = repeat_until(&x, l.addr, 0);
			x.repeat = 0;
			x.have_prev = 0;
			break;
		case DL_BLANK:
			break;
		}
	}
	if (!status && ferror(in)) {
		cli_error("cannot read %s: %s", name, strerror(errno));
		status = EXIT_LOCAL;
	}
	if (!status)
		status = flush_run(&x);
	free(line);
	free(x.run);
	return status;
}

/* A pipe cannot be read twice: its lines are first kept in a temporary
 * file (in TMPDIR), so that they are all checked before any is written. */
static FILE *spool(FILE *in, const char *name, int *status)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		char path[PATH_MAX];
		snprintf(path, sizeof path, "%s/pvmio-XXXXXX", dir);
		fd = mkostemp(path, O_CLOEXEC);
		if (fd >= 0)
			unlink(path);
	}
	FILE *copy = fd >= 0 ? fdopen(fd, "w+") : NULL;
	if (!copy) {
		cli_error("cannot keep a copy of %s in %s: %s", name, dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		*status = EXIT_LOCAL;
		return NULL;
	}
	char buf[1 << 16];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0 && !cli_interrupted) {
		if (fwrite(buf, 1, n, copy) != n) {
			cli_error("cannot keep a copy of %s in %s: %s", name, dir, strerror(errno));
			fclose(copy);
			*status = EXIT_LOCAL;
			return NULL;
		}
	}
	if (cli_interrupted) {
		fclose(copy);
		*status = report_interrupted(0, 0);
		return NULL;
	}
	if (ferror(in) || fflush(copy) != 0 || fseeko(copy, 0, SEEK_SET) != 0) {
		cli_error("cannot read %s: %s", name, strerror(errno));
		fclose(copy);
		*status = EXIT_LOCAL;
		return NULL;
	}
	return copy;
}

/* -f xxd: every line parsed and every run checked against the maps in a
 * first pass, so that a bad line or destination leaves memory untouched;
 * then the second pass writes. */
static int write_dump_lines(struct writer *w, FILE *in, const char *name, uint64_t offset)
{
	int status = 0;
	FILE *copy = NULL;
	if (fseeko(in, 0, SEEK_CUR) != 0) {
		copy = spool(in, name, &status);
		if (!copy)
			return status;
		in = copy;
	}
	w->dry = 1;
	status = write_dump(w, in, name, offset);
	w->dry = 0;
	if (!status && fseeko(in, 0, SEEK_SET) != 0) {
		cli_error("cannot rewind %s: %s", name, strerror(errno));
		status = EXIT_LOCAL;
	}
	if (!status) {
		progress_begin(&w->progress, w->planned);
		status = write_dump(w, in, name, offset);
		progress_end(&w->progress);
	}
	if (copy)
		fclose(copy);
	return status;
}

/* --hold: the bytes at ARG (its pointer chain followed again at every
 * poll) are read every --interval and written again, through the same
 * pre-check, whenever they differ; until DURATION (0: until interrupted,
 * which is then the normal end).  0, or an exit status (reported). */
static int hold(struct writer *w, const char *arg, const struct bytes *data, uint64_t interval, uint64_t duration)
{
	struct watched *held = NULL;
	struct range_defaults def = { .have_len = 1, .explicit_len = 1, .len = data->len };
	/* the first write was made with the target stopped; from now on it
	 * stops for each poll only */
	pvmio_resume(w->t->h);
	int status = watched_parse(w->t, &arg, 1, &def, &held);
	struct schedule s;
	uint64_t rewrites = 0;
	schedule_start(&s, interval, duration);
	w->holding = 1;
	while (!status && schedule_next(&s)) {
		status = watched_poll(w->t, held, 1);
		if (status || (held->readable && memcmp(held->now, data->p, data->len) == 0))
			continue;
		/* a signal during the poll ends the hold here, as between polls */
		if (cli_interrupted)
			break;
		/* changed, or gone: written again, or refused with the reason */
		int rc = target_refresh_maps(w->t);
		if (rc < 0)
			status = report_process_error(w->t->pid, rc);
		if (!status && common.stop)
			status = target_stop(w->t);
		w->written = 0;
		if (!status)
			status = put(w, held->r.addr, data->p, data->len);
		if (common.stop)
			pvmio_resume(w->t->h);
		rewrites++;
	}
	if (!status)
		schedule_report(&s, 0);
	cli_verbose("held for %.3f s: %" PRIu64 " polls, %" PRIu64 " rewrites", (double)(monotonic_ns() - s.start) / 1e9,
		    s.polls, rewrites);
	watched_free(held, 1);
	return status;
}

/* --hold's duration and --interval; 0 or EXIT_USAGE (reported). */
static int hold_options(int dump, uint64_t *interval, uint64_t *duration)
{
	*duration = 0;
	if (!hold_given) {
		if (opt_interval) {
			cli_error("--interval goes with --hold");
			return EXIT_USAGE;
		}
		return 0;
	}
	if (dump || opt_input) {
		cli_error("--hold holds DATA given on the command line, not %s", dump ? "-f xxd" : "-i");
		return EXIT_USAGE;
	}
	if (opt_hold && strspn(opt_hold, "0123456789.") == strlen(opt_hold)) {
		/* popt takes the word after --hold as its DUR: a PID there
		 * must never become a duration */
		cli_error("--hold %s: give the duration its unit (--hold=%ss), or put a --hold without one after "
			  "the DATA",
			  opt_hold, opt_hold);
		return EXIT_USAGE;
	}
	if (opt_hold && duration_option("--hold", opt_hold, duration))
		return EXIT_USAGE;
	return poll_interval(interval);
}

static int run(const struct invocation *inv)
{
	struct target t = { 0 };
	struct bytes data = { 0 };
	struct writer w = { .t = &t };
	FILE *in = NULL;
	int fd = -1;
	int status = EXIT_USAGE;
	int dump = opt_format != NULL;
	if (dump && strcmp(opt_format, "xxd") != 0) {
		cli_error("unknown input format '%s' (write reads -f xxd: dump lines)", opt_format);
		goto out;
	}
	if ((dump || opt_input) && (typed.type || typed.endian || str.string || str.nul || inv->nargs > 2)) {
		cli_error("%s takes its data from input; give no DATA, -t, -e or -s", dump ? "-f xxd" : "-i");
		goto out;
	}
	uint64_t interval, duration;
	status = hold_options(dump, &interval, &duration);
	if (status)
		goto out;
	cli_catch_interrupts();
	if (opt_input) {
		if (strcmp(opt_input, "-") == 0) {
			fd = 0;
		} else if ((fd = open(opt_input, O_RDONLY | O_CLOEXEC)) < 0) {
			cli_error("cannot open %s: %s", opt_input, strerror(errno));
			status = EXIT_LOCAL;
			goto out;
		}
	}
	status = target_begin_live(&t, inv->args[0]);
	if (status)
		goto out;
	/* The destination is checked against the maps before any write. */
	status = target_maps(&t);
	if (status)
		goto out;
	struct perr e;
	uint64_t addr = 0;
	struct resolver res;
	target_resolver(&t, &res);
	if (inv->nargs >= 2 && parse_addr(inv->args[1], &res, &addr, &e) < 0) {
		status = report_parse_error(&t, &e);
		goto out;
	}
	if (!dump && !opt_input && data_from_args(&t, inv->args + 2, inv->nargs - 2, &data, &e) < 0) {
		status = report_perr(&e);
		goto out;
	}
	if (dump) {
		const char *name = opt_input && fd != 0 ? opt_input : "stdin";
		in = fdopen(fd >= 0 ? fd : 0, "r");
		if (!in) {
			cli_error("cannot read %s: %s", name, strerror(errno));
			status = EXIT_LOCAL;
			goto out;
		}
		fd = -1;
		status = write_dump_lines(&w, in, name, addr);
	} else if (opt_input) {
		status = write_stream(&w, fd, strcmp(opt_input, "-") ? opt_input : "stdin", addr);
	} else {
		progress_begin(&w.progress, data.len);
		status = put(&w, addr, data.p, data.len);
		progress_end(&w.progress);
		if (!status && hold_given && data.len)
			status = hold(&w, inv->args[1], &data, interval, duration);
	}
out:
	if (in)
		fclose(in);
	if (fd > 0)
		close(fd);
	bytes_free(&data);
	target_close(&t);
	return status;
}

/* -f xxd takes its lines' addresses: then ADDR is optional. */
static int needed(void)
{
	return opt_format ? 1 : 2;
}

const struct command cmd_write = {
	.name = "write",
	.run = run,
	.options = options,
	.synopsis = "PID ADDR [DATA...]",
	.needed = needed,
	.examples = examples,
	.summary = "write hex, typed values, a string or a file at ADDR",
};
