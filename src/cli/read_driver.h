/* The read driver (read_driver.c): what read, dump and find share, and
 * what watch, diff and core will stand on: the ranges streamed in order
 * through per-command callbacks, with progress, the unreadable runs
 * counted, and one outcome at the end. */
#ifndef PVMIO_READ_DRIVER_H
#define PVMIO_READ_DRIVER_H

#include <stdint.h>

#include "address.h"
#include "output.h"
#include "progress.h"
#include "target.h"

/* Unreadable runs a job met, for its closing message. */
struct unreadable {
	uint64_t bytes, runs, first;
	int first_err;
};

struct read_ops {
	/* A range begins (optional). */
	void (*range_begin)(void *ctx, const struct range *r);
	/* A piece of the stream, in address order: readable bytes (C->data)
	 * or an unreadable run (C->err, as pvmio_read_stream says).  Nonzero
	 * ends the job: the command has what it wanted (-m), or stops at a
	 * hole by its own rule. */
	int (*piece)(void *ctx, const struct pvmio_chunk *c);
	/* A range ends (optional): WHOLE when it was streamed to its end,
	 * else after BYTES readable bytes of it. */
	void (*range_end)(void *ctx, const struct range *r, int whole, uint64_t bytes);
};

struct read_job {
	/* set by the command */
	struct target *t;
	const struct range *ranges;
	int nranges;
	struct out *out;	/* what the callbacks write to: flushed at the end */
	const char *doing;	/* "read", "search": for the messages */
	const struct read_ops *ops;
	void *ctx;
	/* The callbacks leave the target's handle alone (they format, write,
	 * search), so the next batch may be read on a second thread while
	 * they run (pvmio_read_stream_ahead). */
	int ahead;
	/* filled in */
	struct unreadable bad;
	uint64_t readable;	/* readable bytes passed on */
	uint64_t at;		/* where the job ended */
	int ended_early;	/* a callback ended it */
	struct progress progress;
};

/* Runs the job.  -1 when it ran through or a callback ended it (the
 * command decides the status from bad and its own state); else the exit
 * status (reported) of a failed output or stream (the process exited, a
 * denial, no memory...). */
int read_ranges(struct read_job *j);
/* Two targets side by side (diff, find --changed...): for a chunk C of
 * A's stream, calls BOTH for each piece of it that B holds too, with A's
 * and B's bytes, and MISSING for each piece B lacks.  BUF (1 MiB, a
 * chunk's most) holds B's bytes.  0, a callback's non-zero, or -errno
 * from B (-ESRCH, -ENOMEM...). */
struct paired_ops {
	int (*both)(void *ctx, uint64_t addr, const unsigned char *a, const unsigned char *b, size_t n);
	void (*missing)(void *ctx, uint64_t addr, uint64_t len, int err);
};
int read_paired(struct target *b, unsigned char *buf, const struct pvmio_chunk *c, const struct paired_ops *ops,
		void *ctx);

/* One message for J's unreadable runs: "N bytes in M runs could not be
 * VERB, the first at 0x... (why)". */
void report_unreadable(const struct read_job *j, const char *verb);

#endif
