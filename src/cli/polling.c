/* The polling engine (polling.h). */
#include "config.h"
#include "polling.h"
#include "lookup.h"
#include "messages.h"
#include "options.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

char *opt_interval;
struct poptOption interval_table[] = {
	{ "interval", '\0', POPT_ARG_STRING, &opt_interval, 0, "time between polls: 100ms (default), 1s, 2m", "DUR" },
	POPT_TABLEEND
};

/* A year: no poll, timeout or hold is longer, and sums stay far from 2^64. */
#define DURATION_MAX (366ull * 24 * 3600 * NS_PER_SEC)

int parse_duration(const char *s, uint64_t *ns, struct perr *e)
{
	static const struct {
		const char *unit;
		double scale;
	} units[] = { { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "", 1e9 } };
	const char *p = s;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (p == s || (p == s + 1 && *s == '.'))
		return syntax_error(e, "'%s' is not a duration (a number with ms, s or m, as 100ms, 1.5s, 2m; a "
				       "plain number is seconds)",
				    s);
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(p, units[i].unit) != 0)
			continue;
		double v = strtod(s, NULL) * units[i].scale;
		if (v > (double)DURATION_MAX)
			return perr_set(e, PERR_RANGE, "the duration '%s' is longer than a year", s);
		if (v < 1)
			return perr_set(e, PERR_RANGE, "the duration '%s' is zero", s);
		*ns = (uint64_t)llround(v);
		return 0;
	}
	return syntax_error(e, "'%s': unknown unit '%s' (use ms, s or m; a plain number is seconds)", s, p);
}

int duration_option(const char *option, const char *s, uint64_t *ns)
{
	struct perr e;
	if (parse_duration(s, ns, &e) == 0)
		return 0;
	cli_error("%s: %s", option, e.msg);
	return EXIT_USAGE;
}

int poll_interval(uint64_t *ns)
{
	*ns = POLL_INTERVAL_DEFAULT;
	return opt_interval ? duration_option("--interval", opt_interval, ns) : 0;
}

uint64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

void schedule_start(struct schedule *s, uint64_t interval, uint64_t duration)
{
	*s = (struct schedule){ .interval = interval, .start = monotonic_ns() };
	s->next = s->start;
	s->end = duration ? s->start + duration : 0;
}

/* Sleeps until the absolute time AT; 0, or 1 when interrupted. */
static int sleep_until(uint64_t at)
{
	struct timespec ts = { .tv_sec = (time_t)(at / NS_PER_SEC), .tv_nsec = (long)(at % NS_PER_SEC) };
	for (;;) {
		if (cli_interrupted)
			return 1;
		int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		if (rc == 0)
			return cli_interrupted != 0;
		if (rc != EINTR)
			return 0;
	}
}

int schedule_next(struct schedule *s)
{
	if (cli_interrupted)
		return 0;
	if (s->polls) {
		s->next += s->interval;
		uint64_t now = monotonic_ns();
		if (now > s->next) {
			/* deadlines that passed while the last poll ran */
			uint64_t late = (now - s->next) / s->interval + 1;
			s->missed += late;
			s->next += late * s->interval;
		}
	}
	if (s->end && s->next > s->end) {
		sleep_until(s->end);
		return 0;
	}
	if (sleep_until(s->next))
		return 0;
	s->polls++;
	return 1;
}

void schedule_report(const struct schedule *s, int always)
{
	if (s->missed && (always || common.verbose))
		cli_error("note: %" PRIu64 " of the polling times passed while the system was busy, and were "
			  "skipped (%" PRIu64 " polls ran, every %.3g ms)",
			  s->missed, s->polls, (double)s->interval / 1e6);
}

int poll_begin(struct target *t, const char *pidarg, struct vtype *vt, int *big, struct range_defaults *d)
{
	cli_catch_interrupts();
	int status = target_open(t, pidarg, TARGET_LIVE | (opt_force ? PVMIO_FORCE : 0));
	return status ? status : typed_defaults(t, vt, big, d);
}

/* The resolver of a watched range: the target's, noting whether a
 * pointer was followed (the range is then a chain, resolved again at
 * every poll). */
struct noting {
	struct resolver inner;
	int derefs;
	int lenient;	/* a pointer that cannot be read stands as PLACEHOLDER */
};

/* Where a chain that cannot be followed yet points, so that its length
 * can still be worked out (not 0, which the grammar calls NULL). */
#define PLACEHOLDER 0x1000

static int noting_symbol(void *ctx, const char *module, const char *name, uint64_t *addr, uint64_t *size,
			 struct perr *e)
{
	struct noting *n = ctx;
	return n->inner.symbol(n->inner.ctx, module, name, addr, size, e);
}

static int noting_deref(void *ctx, uint64_t addr, uint64_t *value, struct perr *e)
{
	struct noting *n = ctx;
	n->derefs++;
	int rc = n->inner.deref(n->inner.ctx, addr, value, e);
	if (n->lenient && (rc < 0 || !*value)) {
		*value = PLACEHOLDER;
		return 0;
	}
	return rc;
}

static int resolve_as(struct target *t, struct watched *w, const struct range_defaults *d, int lenient,
		      struct perr *e)
{
	struct noting n = { .derefs = 0, .lenient = lenient };
	target_resolver(t, &n.inner);
	struct resolver res = { .maps = t->maps, .symbol = noting_symbol, .deref = noting_deref, .ctx = &n };
	struct range r;
	if (range_from_arg(w->arg, &res, d, &r, e) < 0)
		return -1;
	w->chain = w->chain || n.derefs > 0;
	if (w->now && r.len != w->r.len)
		return perr_set(e, PERR_MEMORY, "its length changed from %" PRIu64 " to %" PRIu64, w->r.len, r.len);
	w->r = r;
	return 0;
}

static int resolve(struct target *t, struct watched *w, const struct range_defaults *d, struct perr *e)
{
	return resolve_as(t, w, d, 0, e);
}

/* Kept for the chains' later resolutions. */
static struct range_defaults watched_defaults;

int watched_parse(struct target *t, const char **args, int n, const struct range_defaults *d, struct watched **out)
{
	int status = target_maps(t);
	if (status)
		return status;
	struct watched *w = calloc((size_t)n, sizeof *w);
	if (!w) {
		cli_error("out of memory");
		return EXIT_LOCAL;
	}
	watched_defaults = *d;
	uint64_t total = 0;
	for (int i = 0; i < n; i++) {
		struct perr e;
		w[i].arg = args[i];
		if (resolve(t, &w[i], d, &e) < 0) {
			/* a chain that cannot be followed yet (a NULL pointer):
			 * unreadable until it can, its length worked out past it */
			struct perr again;
			if (e.kind != PERR_MEMORY || resolve_as(t, &w[i], d, 1, &again) < 0) {
				watched_free(w, n);
				return report_parse_error(t, &e);
			}
			w[i].unresolved = 1;
			snprintf(w[i].why, sizeof w[i].why, "%s", e.msg);
		}
		total += w[i].r.len;
		if (total > WATCH_BYTES_MAX || !w[i].r.len) {
			cli_error(w[i].r.len ? "'%s': the ranges come to more than %" PRIu64 " MiB, more than a watch keeps "
					       "(compare large regions with two reads)"
					     : "'%s': an empty range has no value to watch",
				  args[i], WATCH_BYTES_MAX >> 20);
			watched_free(w, n);
			return EXIT_USAGE;
		}
		w[i].now = malloc(w[i].r.len);
		w[i].before = malloc(w[i].r.len);
		if (!w[i].now || !w[i].before) {
			watched_free(w, n);
			cli_error("out of memory");
			return EXIT_LOCAL;
		}
	}
	*out = w;
	return 0;
}

void watched_free(struct watched *w, int n)
{
	for (int i = 0; w && i < n; i++) {
		free(w[i].now);
		free(w[i].before);
	}
	free(w);
}

/* Reads W[0..n) with vectored reads: one while all are readable; where
 * one stops short, that range is unreadable and the rest go on in the
 * next.  0, or -ESRCH / -ENOMEM. */
static int read_all(struct target *t, struct watched *w, int n)
{
	struct iovec local[64];
	struct pvmio_span remote[64];
	int i = 0;
	while (i < n) {
		int k = 0;
		for (int j = i; j < n && k < 64; j++) {
			if (!w[j].readable)
				break;
			local[k] = (struct iovec){ w[j].now, (size_t)w[j].r.len };
			remote[k] = (struct pvmio_span){ w[j].r.addr, (size_t)w[j].r.len };
			k++;
		}
		if (!k) {
			i++;
			continue;
		}
		ssize_t got = pvmio_readv(t->h, local, (size_t)k, remote, (size_t)k);
		if (got == -ESRCH || got == -ENOMEM)
			return (int)got;
		uint64_t left = got > 0 ? (uint64_t)got : 0;
		int j = i;
		while (j < i + k && left >= w[j].r.len)
			left -= w[j++].r.len;
		if (j == i + k) {
			i = j;
			continue;
		}
		/* W[j] stopped short: why, from a read at the first byte missed */
		unsigned char byte;
		ssize_t r = pvmio_pread(t->h, &byte, 1, w[j].r.addr + left);
		if (r == -ESRCH)
			return -ESRCH;
		w[j].readable = 0;
		w[j].bad = w[j].r.addr + left;
		w[j].err = r < 0 ? (int)r : got < 0 ? (int)got : -EIO;
		w[j].why[0] = '\0';
		i = j + 1;
	}
	return 0;
}

int watched_poll(struct target *t, struct watched *w, int n)
{
	static int polls;
	int status = 0, verbose = common.verbose;
	/* no pidfd poll of our own: every read ends with libpvmio's, and
	 * says -ESRCH once the process is gone */
	if (common.stop) {
		/* the target stops for this poll only; say so once */
		if (polls)
			common.verbose = 0;
		status = target_stop(t);
		common.verbose = verbose;
		if (status)
			return status;
	}
	for (int i = 0; i < n; i++) {
		if (w[i].polled) {
			unsigned char *swap = w[i].before;
			w[i].before = w[i].now;
			w[i].now = swap;
			w[i].was_readable = w[i].readable;
		}
		w[i].readable = 1;
		w[i].err = 0;
		w[i].why[0] = '\0';
		if (w[i].chain && (w[i].polled || w[i].unresolved)) {
			/* followed again: the object may have moved; its steps are
			 * told with --verbose the first time only */
			struct perr e;
			common.verbose = 0;
			int rc = resolve(t, &w[i], &watched_defaults, &e);
			common.verbose = verbose;
			if (rc < 0 && e.kind != PERR_MEMORY) {
				status = report_parse_error(t, &e);
				break;
			}
			w[i].unresolved = rc < 0;
			if (rc < 0) {
				w[i].readable = 0;
				snprintf(w[i].why, sizeof w[i].why, "%s", e.msg);
			}
		}
		w[i].polled = 1;
	}
	if (!status) {
		int rc = read_all(t, w, n);
		if (rc == -ESRCH)
			status = report_memory_error(t, -ESRCH, w[0].r.addr, cli_command);
		else if (rc < 0) {
			cli_error("out of memory");
			status = EXIT_LOCAL;
		}
	}
	if (common.stop)
		pvmio_resume(t->h);
	polls++;
	return status;
}

void watched_why(struct target *t, const struct watched *w, char *buf, size_t size)
{
	if (w->why[0]) {
		snprintf(buf, size, "%s", w->why);
		return;
	}
	if (w->err == -EFAULT || w->err == -EIO) {
		/* the maps now, for the mapping's name and permissions */
		target_refresh_maps(t);
		describe_mapping(t, w->bad, buf, size);
		return;
	}
	snprintf(buf, size, "%s", strerror(-w->err));
}
