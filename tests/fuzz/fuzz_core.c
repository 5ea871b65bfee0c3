/* libFuzzer: pvmio_open_core on a file of any bytes, then what every
 * reading command asks of a core: its maps list, positional and
 * scatter reads, and a stream over each mapping. */
#define _GNU_SOURCE
#include "config.h"
#include "fuzz.h"

#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A stream callback that checks what it is given. */
static int check_chunk(void *ctx, const struct pvmio_chunk *c)
{
	uint64_t *next = ctx;
	if (c->addr != *next || !c->len || (!c->data && c->err >= 0))
		abort();
	*next = c->addr + c->len;
	if (c->data) {
		volatile unsigned char sum = 0;
		for (uint64_t i = 0; i < c->len; i += 64)
			sum ^= ((const unsigned char *)c->data)[i];
		(void)sum;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("core", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct pvmio *h;
	int rc = pvmio_open_core(path, &h);
	if (rc < 0) {
		if (rc != -ENOEXEC && rc != -EBADMSG && rc != -EPROTONOSUPPORT && rc != -ENOMEM)
			abort();
		close(fd);
		return 0;
	}
	if (!pvmio_is_core(h) || pvmio_check_alive(h) != 0 || pvmio_stop(h) != 0)
		abort();
	unsigned char buf[256];
	if (pvmio_pwrite(h, buf, 1, 0x1000) != -EROFS)
		abort();
	struct pvmio_maps *m;
	if (pvmio_maps_read(h, &m) == 0) {
		for (size_t i = 0; i < m->n; i++) {
			const struct pvmio_mapping *v = &m->v[i];
			ssize_t n = pvmio_pread(h, buf, sizeof buf, v->start);
			if (n > (ssize_t)sizeof buf || (n < 0 && n != -EFAULT))
				abort();
			/* A stream over the mapping's first 64 KiB covers it in
			 * order, data or holes. */
			uint64_t len = v->end - v->start < 65536 ? v->end - v->start : 65536;
			uint64_t next = v->start;
			if (len && pvmio_read_stream(h, v->start, len, check_chunk, &next) == 0 &&
			    next != v->start + len)
				abort();
		}
		struct iovec l[2] = { { buf, 8 }, { buf + 8, 8 } };
		struct pvmio_span r[2] = { { m->n ? m->v[0].start : 0, 8 }, { m->n ? m->v[m->n - 1].end - 8 : 8, 8 } };
		pvmio_readv(h, l, 2, r, 2);
		pvmio_maps_free(m);
	}
	pvmio_close(h);
	close(fd);
	return 0;
}
