/* The polling engine (polling.c) of watch, wait and write --hold: durations,
 * a schedule on an absolute clock that does not drift, and watched
 * ranges, all read with one vectored read a poll, their pointer chains
 * followed again each time. */
#ifndef PVMIO_POLLING_H
#define PVMIO_POLLING_H

#include <popt.h>
#include <stdint.h>

#include "address.h"
#include "arguments.h"
#include "perr.h"
#include "target.h"

#define NS_PER_SEC 1000000000ull
/* --interval's default. */
#define POLL_INTERVAL_DEFAULT (100 * 1000000ull)
/* What one watch may keep of the target's bytes (twice: now and before). */
#define WATCH_BYTES_MAX ((uint64_t)16 << 20)

/* --interval DUR, in every command that polls. */
extern char *opt_interval;
extern struct poptOption interval_table[];
#define INTERVAL_OPTION { NULL, '\0', POPT_ARG_INCLUDE_TABLE, interval_table, 0, NULL, NULL }

/* A duration: "250ms", "1.5s", "2m", "10" (seconds); into nanoseconds,
 * at least 1 ns and at most a year.  0, or -1 with E. */
int parse_duration(const char *s, uint64_t *ns, struct perr *e);
/* parse_duration of OPTION's value; 0, or EXIT_USAGE (reported). */
int duration_option(const char *option, const char *s, uint64_t *ns);
/* --interval's value, or the default; 0 or EXIT_USAGE (reported). */
int poll_interval(uint64_t *ns);

uint64_t monotonic_ns(void);

/* Polls at START + k * INTERVAL, k = 0, 1, 2...: a slow poll does not
 * push the later ones back, and deadlines that passed during it are
 * counted as missed and skipped, never run back to back. */
struct schedule {
	uint64_t interval, start, next, end;	/* end 0: no end */
	uint64_t polls, missed;
};
/* Starts now; DURATION 0: until interrupted. */
void schedule_start(struct schedule *s, uint64_t interval, uint64_t duration);
/* Sleeps until the next poll is due and returns 1; 0 once the duration
 * has run out or an interrupt came (cli_interrupted, cli_catch_interrupts
 * having been called). */
int schedule_next(struct schedule *s);
/* A note on stderr when polls were missed, how many of how many: ALWAYS,
 * or with --verbose only. */
void schedule_report(const struct schedule *s, int always);

/* What watch and wait do first: interrupts end the polling (not
 * pvmio), the target is opened (not stopped: --stop stops it for each
 * poll), and -t's type sets D (typed_defaults).  0 or an exit status
 * (reported). */
int poll_begin(struct target *t, const char *pidarg, struct vtype *vt, int *big, struct range_defaults *d);

/* A RANGE watched over time. */
struct watched {
	const char *arg;	/* as given: the name it is printed by */
	int chain;		/* it follows pointers: resolved again each poll */
	struct range r;
	unsigned char *now, *before;	/* r.len bytes each */
	int readable, was_readable;	/* at this poll and at the one before */
	int polled;		/* 0 before the first poll */
	int unresolved;		/* a chain that could not be followed (yet) */
	int err;		/* why not readable: -errno, or 0 with why[] */
	uint64_t bad;		/* the first byte that could not be read */
	char why[512];		/* a chain's step that failed, in words */
};
/* Parses N RANGE arguments once (as ranges_from_args); 0, or an exit
 * status (reported). */
int watched_parse(struct target *t, const char **args, int n, const struct range_defaults *d, struct watched **out);
void watched_free(struct watched *w, int n);
/* One poll: chains resolved again, every range read (one vectored read
 * while all are readable; with --stop, the target stopped just for it).
 * Each range's readable, now and err tell what it found; before keeps
 * the previous poll's bytes.  0, or an exit status (reported): the
 * process exited, cannot be stopped, out of memory. */
int watched_poll(struct target *t, struct watched *w, int n);
/* Why W is unreadable, in words. */
void watched_why(struct target *t, const struct watched *w, char *buf, size_t size);

#endif
