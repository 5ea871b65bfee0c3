/* The top of the address space.  Addresses at or above 2^63 are never
 * user memory: a transfer stops there, and one that starts there moves
 * nothing, which like any transfer that moves nothing is -EFAULT. */
#include "config.h"
#include "pvmio.h"
#include "libtest.h"

#include <errno.h>
#include <string.h>

#define TOP (UINT64_C(1) << 63)

int main(void)
{
	struct t_child c;
	t_child_start(&c, 0);
	struct pvmio *h = NULL;
	if (pvmio_open(c.pid, 0, &h) < 0)
		t_bail("pvmio_open(child) failed");
	unsigned char buf[64];
	memset(buf, 0, sizeof buf);

	/* Spans that reach 2^63 are cut there; later spans are not reached. */
	struct pvmio_span spans[3] = {
		{ t_addr(&c, T_DATA0, 0), 16 },
		{ TOP - 8, 16 },
		{ t_addr(&c, T_DATA1, 0), 16 },
	};
	struct iovec l = { buf, 48 };
	t_eq(pvmio_readv(h, &l, 1, spans, 3), 16, "readv stops before a span reaching 2^63");
	spans[1].addr = TOP;
	t_eq(pvmio_readv(h, &l, 1, spans, 3), 16, "readv stops at a span at 2^63");
	t_eq(pvmio_writev(h, &l, 1, spans, 3), 16, "writev stops at a span at 2^63");
	t_ok(t_mem_equal(c.pid, t_addr(&c, T_DATA0, 0), buf, 16), "the first span was written");
	unsigned char d1 = t_byte(T_DATA1, 0);
	t_ok(t_mem_equal(c.pid, t_addr(&c, T_DATA1, 0), &d1, 1), "the span after the cut was not");

	t_eq(pvmio_pread(h, buf, 16, TOP - 16), -EFAULT, "pread just below 2^63: -EFAULT");
	t_eq(pvmio_pread(h, buf, 32, TOP - 16), -EFAULT, "pread across 2^63: -EFAULT");
	t_eq(pvmio_fill(h, TOP, 16, "x", 1), -EFAULT, "fill at 2^63: -EFAULT");
	t_eq(pvmio_fill(h, UINT64_MAX - 7, 16, "x", 1), -EFAULT, "fill wrapping past 2^64: -EFAULT");

	/* Nothing moved: -EFAULT, as everywhere else (these return 0 today). */
	t_eq(pvmio_pread(h, buf, 16, TOP), -EFAULT, "pread at 2^63: -EFAULT");
	t_eq(pvmio_pread(h, buf, 16, UINT64_MAX - 7), -EFAULT, "pread wrapping past 2^64: -EFAULT");
	t_eq(pvmio_pwrite(h, buf, 16, TOP), -EFAULT, "pwrite at 2^63: -EFAULT");
	struct iovec one = { buf, 16 };
	t_eq(pvmio_readv(h, &one, 1, spans + 1, 1), -EFAULT, "readv of one span at 2^63: -EFAULT");
	t_eq(pvmio_writev(h, &one, 1, spans + 1, 1), -EFAULT, "writev of one span at 2^63: -EFAULT");

	/* The same through PVMIO_FORCE (/proc/PID/mem). */
	struct pvmio *f = NULL;
	if (pvmio_open(c.pid, PVMIO_FORCE, &f) < 0)
		t_bail("pvmio_open(child, PVMIO_FORCE) failed");
	t_eq(pvmio_pread(f, buf, 32, TOP - 16), -EFAULT, "forced pread across 2^63: -EFAULT");
	t_eq(pvmio_pread(f, buf, 16, TOP), -EFAULT, "forced pread at 2^63: -EFAULT");
	pvmio_close(f);

	pvmio_close(h);
	t_child_kill(&c);
	return t_done();
}
