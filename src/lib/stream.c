/* libpvmio: streaming reads that step over holes with the help of
 * /proc/PID/maps instead of a failing system call per page. */
#include "config.h"
#include "pvmio.h"
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A batch: up to IOV_MAX readable spans packed into one buffer, and the
 * holes between them, in address order. */
struct piece {
	uint64_t addr, len;
	size_t bufoff;
	int err;	/* 0 for data */
};

struct stream {
	struct pvmio *h;
	struct pvmio_maps *maps;
	pvmio_chunk_fn fn;
	void *ctx;
	char *buf;
	struct piece pieces[2 * PVMIO_IOV_MAX + 1];
	struct iovec riov[PVMIO_IOV_MAX];
	size_t npieces, nriov, bytes;
	uint64_t page;
};

static int readable(const struct stream *s, const struct pvmio_mapping *m)
{
	/* In a core file, what it holds can be read, whatever the mapping's
	 * permissions were ([vsyscall] is --xp, but the kernel dumps it). */
	return m->perms[0] == 'r' || (s->h->flags & PVMIO_FORCE) || s->h->core;
}

static void add_hole(struct stream *s, uint64_t addr, uint64_t len, int err)
{
	struct piece *last = s->npieces ? &s->pieces[s->npieces - 1] : NULL;
	if (last && last->err == err && last->addr + last->len == addr) {
		last->len += len;
		return;
	}
	s->pieces[s->npieces++] = (struct piece){ addr, len, 0, err };
}

static void add_data(struct stream *s, uint64_t addr, size_t len)
{
	struct piece *last = s->npieces ? &s->pieces[s->npieces - 1] : NULL;
	if (last && !last->err && last->addr + last->len == addr) {
		last->len += len;
		s->riov[s->nriov - 1].iov_len += len;
	} else {
		s->pieces[s->npieces++] = (struct piece){ addr, len, s->bytes, 0 };
		s->riov[s->nriov++] = (struct iovec){ (void *)(uintptr_t)addr, len };
	}
	s->bytes += len;
}

/* Plans the batch starting at *pos, consuming *left; returns when the
 * buffer or the iovec list is full, or the range ends. */
static void plan(struct stream *s, uint64_t *pos, uint64_t *left)
{
	s->npieces = s->nriov = s->bytes = 0;
	while (*left && s->bytes < PVMIO_CHUNK && s->nriov < PVMIO_IOV_MAX &&
	       s->npieces < 2 * PVMIO_IOV_MAX - 1) {
		uint64_t p = *pos, take;
		uint64_t usable = lib_usable(s->h, p, *left);
		const struct pvmio_mapping *m = s->maps ? pvmio_maps_lookup(s->maps, p) : NULL;
		if (!usable) {
			/* No system call reaches 2^63 and above, but the kernel
			 * may map a page there ([vsyscall]): say it is mapped. */
			if (m && m->start <= p) {
				take = m->end - p < *left ? m->end - p : *left;
				add_hole(s, p, take, -EIO);
			} else {
				take = m && m->start - p < *left ? m->start - p : *left;
				add_hole(s, p, take, -EFAULT);
			}
		} else if (s->maps && (!m || m->start > p)) {
			take = m && m->start - p < *left ? m->start - p : *left;
			add_hole(s, p, take, -EFAULT);
		} else if (s->maps && !readable(s, m)) {
			take = m->end - p < *left ? m->end - p : *left;
			add_hole(s, p, take, -EACCES);
		} else {
			take = s->maps && m->end - p < usable ? m->end - p : usable;
			if (take > PVMIO_CHUNK - s->bytes)
				take = PVMIO_CHUNK - s->bytes;
			uint64_t missing = 0;
			int why = 0;
			/* A core file knows which bytes it lacks, and why: no
			 * maps list and no failed read a page are needed. */
			if (s->h->core)
				take = lib_core_avail(s->h->core, p, take, &missing, &why);
			if (missing)
				add_hole(s, p, take = missing, why);
			else
				add_data(s, p, (size_t)take);
		}
		*pos += take;
		*left -= take;
	}
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* (Re)reads the maps list.  Without one (unreadable) holes are found
 * page by page; only the process's exit ends the stream. */
static int load_maps(struct stream *s)
{
	pvmio_maps_free(s->maps);
	s->maps = NULL;
	int rc = pvmio_maps_read(s->h, &s->maps);
	return rc == -ESRCH || rc == -ENOMEM ? rc : 0;
}

int pvmio_read_stream(struct pvmio *h, uint64_t addr, uint64_t len, pvmio_chunk_fn fn, void *ctx)
{
	struct stream *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->h = h;
	s->fn = fn;
	s->ctx = ctx;
	s->page = (uint64_t)sysconf(_SC_PAGESIZE);
	s->buf = malloc(PVMIO_CHUNK);
	int rc = s->buf ? 0 : -ENOMEM;
	/* The maps list is read at the first byte the kernel refuses, not
	 * before: a range that reads whole costs no list at all.  Without a
	 * list (unreadable) holes are found page by page. */

	uint64_t pos = addr, left = len, last_fail = UINT64_MAX;
	while (!rc && left) {
		uint64_t next = pos, next_left = left;
		if (!s->maps && pos + left - 1 >= PVMIO_ADDR_LIMIT)
			rc = load_maps(s);
		if (rc)
			break;
		plan(s, &next, &next_left);
		ssize_t got = 0;
		if (s->nriov) {
			struct iovec local = { s->buf, s->bytes };
			got = lib_xfer_once(h, 0, &local, 1, s->riov, s->nriov);
			int alive = pvmio_check_alive(h);
			/* Only a refused byte is a hole; any other error (a
			 * denial, no memory, a kernel without the system call)
			 * ends the stream. */
			if (alive < 0 || (got < 0 && got != -EFAULT && got != -EIO)) {
				rc = alive < 0 ? alive : (int)got;
				break;
			}
			if (got < 0)
				got = 0;
		}
		for (size_t i = 0; i < s->npieces && !rc; i++) {
			struct piece *pc = &s->pieces[i];
			if (pc->err) {
				/* A process that exited shows nothing but holes. */
				rc = pvmio_check_alive(h);
				if (!rc)
					rc = fn(ctx, &(struct pvmio_chunk){ pc->addr, pc->len, NULL, pc->err });
				continue;
			}
			uint64_t have = (uint64_t)got > pc->bufoff ? (uint64_t)got - pc->bufoff : 0;
			have = min_u64(have, pc->len);
			if (have)
				rc = fn(ctx, &(struct pvmio_chunk){ pc->addr, have, s->buf + pc->bufoff, 0 });
			if (have == pc->len || rc)
				continue;
			/* The kernel refused a byte the maps list called readable.
			 * The first time, the list may be stale: read it again.  If
			 * the same byte fails again, report its page and go on. */
			uint64_t fail = pc->addr + have;
			next = fail;
			next_left = left - (fail - pos);
			if (fail != last_fail) {
				last_fail = fail;
				rc = load_maps(s);
			} else {
				uint64_t stop = min_u64((fail / s->page + 1) * s->page - fail, next_left);
				rc = pvmio_check_alive(h);
				if (!rc)
					rc = fn(ctx, &(struct pvmio_chunk){ fail, stop, NULL, s->maps ? -EIO : -EFAULT });
				next += stop;
				next_left -= stop;
			}
			break;
		}
		pos = next;
		left = next_left;
	}
	pvmio_maps_free(s->maps);
	free(s->buf);
	free(s);
	return rc;
}
