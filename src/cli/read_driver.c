/* The read driver (read_driver.h). */
#include "config.h"
#include "read_driver.h"
#include "dumper.h"
#include "messages.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

struct run {
	struct read_job *j;
	uint64_t range_bytes;
};

static int on_chunk(void *ctx, const struct pvmio_chunk *c)
{
	struct run *r = ctx;
	struct read_job *j = r->j;
	j->at = c->addr;
	if (c->data) {
		j->readable += c->len;
		r->range_bytes += c->len;
	} else {
		if (!j->bad.bytes) {
			j->bad.first = c->addr;
			j->bad.first_err = c->err;
		}
		j->bad.bytes += c->len;
		j->bad.runs++;
	}
	progress_add(&j->progress, c->len);
	int rc = j->ops->piece(j->ctx, c);
	if (rc) {
		j->ended_early = 1;
		return rc;
	}
	/* Output that cannot be written ends the job. */
	return j->out && j->out->err ? 1 : 0;
}

int read_ranges(struct read_job *j)
{
	uint64_t total = 0;
	for (int i = 0; i < j->nranges; i++)
		total += j->ranges[i].len;
	progress_begin(&j->progress, total);
	struct run r = { .j = j };
	int rc = 0;
	for (int i = 0; i < j->nranges && !rc; i++) {
		const struct range *range = &j->ranges[i];
		j->at = range->addr;
		r.range_bytes = 0;
		if (j->ops->range_begin)
			j->ops->range_begin(j->ctx, range);
		rc = (j->ahead ? pvmio_read_stream_ahead : pvmio_read_stream)(j->t->h, range->addr, range->len,
									    on_chunk, &r);
		if (j->ops->range_end)
			j->ops->range_end(j->ctx, range, rc == 0, r.range_bytes);
	}
	progress_end(&j->progress);
	if (j->out) {
		out_flush(j->out);
		if (j->out->err) {
			cli_error("cannot write to stdout: %s", strerror(j->out->err));
			return EXIT_LOCAL;
		}
	}
	return rc < 0 ? report_memory_error(j->t, rc, j->at, j->doing) : -1;
}

void report_unreadable(const struct read_job *j, const char *verb)
{
	cli_error("%" PRIu64 " bytes in %" PRIu64 " run%s could not be %s, the first at 0x%" PRIx64 " (%s)", j->bad.bytes,
		  j->bad.runs, j->bad.runs == 1 ? "" : "s", verb, j->bad.first, unreadable_reason(j->bad.first_err));
}

struct pairing {
	const struct pvmio_chunk *a;
	const struct paired_ops *ops;
	void *ctx;
};

static int on_b_piece(void *ctx, const struct pvmio_chunk *c)
{
	struct pairing *p = ctx;
	if (!c->data) {
		p->ops->missing(p->ctx, c->addr, c->len, c->err);
		return 0;
	}
	return p->ops->both(p->ctx, c->addr, (const unsigned char *)p->a->data + (c->addr - p->a->addr), c->data,
			    (size_t)c->len);
}

int read_paired(struct target *b, unsigned char *buf, const struct pvmio_chunk *c, const struct paired_ops *ops,
		void *ctx)
{
	/* Mostly B holds it all: one read.  Else B's own stream says which
	 * parts it lacks, and why. */
	ssize_t got = pvmio_pread(b->h, buf, (size_t)c->len, c->addr);
	if (got == (ssize_t)c->len)
		return ops->both(ctx, c->addr, c->data, buf, (size_t)c->len);
	if (got == -ESRCH || got == -ENOMEM || got == -EPERM)
		return (int)got;
	struct pairing p = { c, ops, ctx };
	return pvmio_read_stream(b->h, c->addr, c->len, on_b_piece, &p);
}
