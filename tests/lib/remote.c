/* libpvmio on another process: positional and scatter/gather transfers,
 * fill, holes, protections, PVMIO_FORCE and the end of the target.  Every
 * byte is checked by an independent read of /proc/CHILD/mem. */
#include "config.h"
#include "pvmio.h"
#include "libtest.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static size_t page;
static struct t_child child;

static unsigned char *expected(int first, size_t off, size_t len)
{
	unsigned char *e = malloc(len ? len : 1);
	if (!e)
		t_bail("out of memory");
	for (size_t i = 0; i < len; i++) {
		size_t at = off + i;
		e[i] = t_byte(first + (int)(at / page), at % page);
	}
	return e;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		t_bail("out of memory");
	return p;
}

static void test_handle(struct pvmio *h)
{
	t_eq(pvmio_pid(h), child.pid, "pvmio_pid");
	/* Pinned where the kernel has pidfd_open (not under valgrind). */
	int fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	t_eq(pvmio_pinned(h), fd >= 0, "pinned by a pidfd when the kernel can");
	if (fd >= 0)
		close(fd);
	t_eq(pvmio_check_alive(h), 0, "pvmio_check_alive while it lives");
	t_eq(pvmio_pointer_size(h), (long long)sizeof(void *), "pvmio_pointer_size");
}

static void test_pread(struct pvmio *h)
{
	size_t len = 2 * page;
	unsigned char *buf = xmalloc(len), *want = expected(T_DATA0, 0, len);
	memset(buf, 0, len);
	t_eq(pvmio_pread(h, buf, len, t_addr(&child, T_DATA0, 0)), (long long)len, "pread two pages");
	t_ok(memcmp(buf, want, len) == 0, "they hold the child's bytes");

	unsigned char odd[77];
	t_eq(pvmio_pread(h, odd, sizeof odd, t_addr(&child, T_DATA0, page - 30)), (long long)sizeof odd,
	     "pread across a page boundary");
	t_ok(t_mem_equal(child.pid, t_addr(&child, T_DATA0, page - 30), odd, sizeof odd),
	     "same bytes as /proc/PID/mem");
	t_eq(pvmio_pread(h, odd, 0, 0), 0, "pread of 0 bytes is 0, even at address 0");

	/* A hole: short at its first byte, -EFAULT when nothing moved. */
	memset(buf, 0, len);
	t_eq(pvmio_pread(h, buf, len, t_addr(&child, T_DATA1, 0)), (long long)page,
	     "pread across the hole stops at it: one page");
	t_ok(memcmp(buf, want + page, page) == 0, "the page before the hole is right");
	t_eq(pvmio_pread(h, buf, 100, t_addr(&child, T_DATA1, page - 10)), 10,
	     "pread ending 90 bytes into the hole: 10");
	t_eq(pvmio_pread(h, buf, len, t_addr(&child, T_HOLE, 0)), -EFAULT, "pread starting in the hole");
	t_eq(pvmio_pread(h, buf, 16, t_addr(&child, T_HOLE, page - 8)), -EFAULT,
	     "pread starting in the hole, ending after it");
	t_eq(pvmio_pread(h, buf, 16, 0), -EFAULT, "pread at address 0");
	t_eq(pvmio_pread(h, buf, 1, 0), -EFAULT, "one byte at address 0");
	t_eq(pvmio_pread(h, buf, 16, t_addr(&child, T_NONE, 0)), -EFAULT, "pread of a PROT_NONE page");
	t_eq(pvmio_pread(h, buf, page + 16, t_addr(&child, T_AFTER, 0)), (long long)page,
	     "pread from a page into a PROT_NONE page: short");
	t_eq(pvmio_pread(h, buf, 16, t_addr(&child, T_RO, 0)), 16, "pread of a read-only page");
	free(buf);
	free(want);
}

static void test_pwrite(struct pvmio *h)
{
	unsigned char data[300];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(i * 5 + 11);
	uint64_t at = t_addr(&child, T_SCRATCH0, page - 100);
	t_eq(pvmio_pwrite(h, data, sizeof data, at), (long long)sizeof data, "pwrite across a page boundary");
	t_ok(t_mem_equal(child.pid, at, data, sizeof data), "/proc/PID/mem reads it back");
	unsigned char *around = expected(T_SCRATCH0, page - 101, 1);
	t_ok(t_mem_equal(child.pid, at - 1, around, 1), "the byte before is untouched");
	free(around);
	around = expected(T_SCRATCH0, page - 100 + sizeof data, 1);
	t_ok(t_mem_equal(child.pid, at + sizeof data, around, 1), "the byte after is untouched");
	free(around);

	/* Into the hole: the page before it is written, then it stops. */
	unsigned char *big = xmalloc(2 * page);
	memset(big, 0x3c, 2 * page);
	t_eq(pvmio_pwrite(h, big, 2 * page, t_addr(&child, T_DATA1, 0)), (long long)page,
	     "pwrite across the hole: one page");
	t_ok(t_mem_equal(child.pid, t_addr(&child, T_DATA1, 0), big, page), "that page was written");
	t_eq(pvmio_pwrite(h, big, 10, t_addr(&child, T_HOLE, 0)), -EFAULT, "pwrite into the hole");
	t_eq(pvmio_pwrite(h, big, 10, 0), -EFAULT, "pwrite at address 0");
	t_eq(pvmio_pwrite(h, big, 10, t_addr(&child, T_RO, 0)), -EFAULT, "pwrite to a read-only page");
	unsigned char *ro = expected(T_RO, 0, page);
	t_ok(t_mem_equal(child.pid, t_addr(&child, T_RO, 0), ro, page), "the read-only page is unchanged");
	free(ro);
	free(big);
}

/* More iovecs than IOV_MAX on both sides, remote spans out of order. */
static void test_vectors(struct pvmio *h)
{
	enum { NR = 1500, SPAN = 5, NL = 3000 };
	size_t total = (size_t)NR * SPAN;	/* 7500: fits in DATA0..DATA1 */
	struct pvmio_span *r = xmalloc(NR * sizeof *r);
	for (size_t i = 0; i < NR; i++) {
		size_t slot = (i * 7) % NR;	/* 7 and 1500 are coprime */
		r[i].addr = t_addr(&child, T_DATA0, slot * SPAN);
		r[i].len = SPAN;
	}
	unsigned char *buf = xmalloc(total), *want = xmalloc(total), *src = xmalloc(total);
	memset(buf, 0, total);
	/* DATA1 was written above: take the bytes as they are now. */
	if (t_mem_read(child.pid, t_addr(&child, T_DATA0, 0), src, total) != (ssize_t)total)
		t_bail("cannot read the child's DATA pages");
	for (size_t i = 0; i < NR; i++)
		memcpy(want + i * SPAN, src + (r[i].addr - t_addr(&child, T_DATA0, 0)), SPAN);
	/* Local iovecs of 3 bytes, a zero-length one now and then. */
	struct iovec *l = xmalloc(NL * sizeof *l);
	size_t off = 0, nl = 0;
	while (off < total && nl < NL) {
		size_t n = nl % 10 == 9 ? 0 : 3;
		if (n > total - off)
			n = total - off;
		l[nl].iov_base = buf + off;
		l[nl].iov_len = n;
		off += n;
		nl++;
	}
	t_ok(nl > 1024, "%zu local iovecs, %d remote spans", nl, (int)NR);
	t_eq(pvmio_readv(h, l, nl, r, NR), (long long)total, "readv of them all");
	size_t bad = 0;
	while (bad < total && buf[bad] == want[bad])
		bad++;
	t_ok(bad == total, "every span landed in its place");
	if (bad < total)
		t_diag("first difference at byte %zu: %#x, want %#x", bad, buf[bad], want[bad]);

	/* writev the reverse: scratch pages, spans in reverse order. */
	for (size_t i = 0; i < total; i++)
		buf[i] = (unsigned char)(i % 251);
	for (size_t i = 0; i < NR; i++) {
		r[i].addr = t_addr(&child, T_SCRATCH0, (NR - 1 - i) * SPAN);
		r[i].len = SPAN;
	}
	t_eq(pvmio_writev(h, l, nl, r, NR), (long long)total, "writev of them all");
	unsigned char *mem = xmalloc(total);
	t_eq(t_mem_read(child.pid, t_addr(&child, T_SCRATCH0, 0), mem, total), (long long)total,
	     "read the scratch pages back");
	int right = 1;
	for (size_t i = 0; i < NR; i++)
		if (memcmp(mem + (NR - 1 - i) * SPAN, buf + i * SPAN, SPAN))
			right = 0;
	t_ok(right, "every span was written in its place");

	/* Stops at the first inaccessible byte, across spans. */
	struct pvmio_span holey[3] = {
		{ t_addr(&child, T_DATA1, page - 96), 96 },
		{ t_addr(&child, T_HOLE, 0), 10 },
		{ t_addr(&child, T_AFTER, 0), 10 },
	};
	struct iovec one = { buf, 116 };
	t_eq(pvmio_readv(h, &one, 1, holey, 3), 96, "readv stops at the span in the hole");
	t_eq(pvmio_readv(h, &one, 1, holey + 1, 2), -EFAULT, "readv starting in the hole");
	struct pvmio_span skip0[2] = { { 0, 0 }, { t_addr(&child, T_AFTER, 0), 10 } };
	t_eq(pvmio_readv(h, &one, 1, skip0, 2), 10, "a zero-length span at address 0 is skipped");
	struct iovec small = { buf, 4 };
	t_eq(pvmio_readv(h, &small, 1, holey + 2, 1), 4, "the local side shorter: its length");
	t_eq(pvmio_writev(h, &one, 1, holey + 1, 2), -EFAULT, "writev starting in the hole");
	t_eq(pvmio_readv(h, l, 0, r, NR), 0, "no local iovecs: 0");
	free(mem);
	free(l);
	free(r);
	free(buf);
	free(want);
	free(src);
}

static void test_fill(struct pvmio *h)
{
	static const unsigned char pat[7] = { 1, 2, 3, 4, 5, 6, 7 };
	size_t len = 2 * page - 3;	/* not a multiple of 7 */
	uint64_t at = t_addr(&child, T_SCRATCH0, 1);
	unsigned char before, after;
	if (t_mem_read(child.pid, at - 1, &before, 1) != 1 || t_mem_read(child.pid, at + len, &after, 1) != 1)
		t_bail("cannot read the child's scratch pages");
	t_eq(pvmio_fill(h, at, len, pat, sizeof pat), (long long)len, "fill with a 7-byte pattern");
	unsigned char *want = xmalloc(len);
	for (size_t i = 0; i < len; i++)
		want[i] = pat[i % sizeof pat];
	t_ok(t_mem_equal(child.pid, at, want, len), "the pattern repeats, the last copy cut");
	t_ok(t_mem_equal(child.pid, at - 1, &before, 1), "the byte before is untouched");
	t_ok(t_mem_equal(child.pid, at + len, &after, 1), "the byte after is untouched");
	free(want);

	/* A pattern longer than the fill's internal unit (64 KiB). */
	size_t biglen = ((size_t)64 << 10) + 13;
	unsigned char *bigpat = xmalloc(biglen);
	for (size_t i = 0; i < biglen; i++)
		bigpat[i] = (unsigned char)(i * 3);
	t_eq(pvmio_fill(h, at, page, bigpat, biglen), (long long)page, "fill with a pattern longer than the range");
	t_ok(t_mem_equal(child.pid, at, bigpat, page), "its start was written");
	free(bigpat);

	t_eq(pvmio_fill(h, t_addr(&child, T_AFTER, 100), page, pat, sizeof pat), (long long)(page - 100),
	     "fill into a PROT_NONE page stops there");
	t_eq(pvmio_fill(h, t_addr(&child, T_HOLE, 0), 10, pat, sizeof pat), -EFAULT, "fill in the hole");
	t_eq(pvmio_fill(h, 0, 10, pat, sizeof pat), -EFAULT, "fill at address 0");
	t_eq(pvmio_fill(h, at, 10, pat, 0), -EINVAL, "fill with an empty pattern");
	t_eq(pvmio_fill(h, at, 0, pat, sizeof pat), 0, "fill of 0 bytes");
}

/* PVMIO_FORCE goes through /proc/PID/mem: PROT_NONE and read-only pages. */
static void test_force(void)
{
	struct pvmio *h = NULL;
	t_eq(pvmio_open(child.pid, PVMIO_FORCE, &h), 0, "pvmio_open with PVMIO_FORCE");
	if (!h)
		return;
	unsigned char buf[64], *big = xmalloc(2 * page);
	unsigned char *want = expected(T_NONE, 0, sizeof buf);
	t_eq(pvmio_pread(h, buf, sizeof buf, t_addr(&child, T_NONE, 0)), (long long)sizeof buf,
	     "forced pread of a PROT_NONE page");
	t_ok(memcmp(buf, want, sizeof buf) == 0, "it holds the child's bytes");
	free(want);
	memset(buf, 0x77, sizeof buf);
	t_eq(pvmio_pwrite(h, buf, sizeof buf, t_addr(&child, T_RO, 8)), (long long)sizeof buf,
	     "forced pwrite to a read-only page");
	t_ok(t_mem_equal(child.pid, t_addr(&child, T_RO, 8), buf, sizeof buf), "it was written");
	t_eq(pvmio_pread(h, big, 2 * page, t_addr(&child, T_DATA1, 0)), (long long)page,
	     "forced pread across the hole: one page");
	t_ok(t_mem_equal(child.pid, t_addr(&child, T_DATA1, 0), big, page), "it holds the child's bytes");
	free(big);
	t_eq(pvmio_pread(h, buf, 10, t_addr(&child, T_HOLE, 0)), -EFAULT, "forced pread in the hole");
	t_eq(pvmio_pread(h, buf, 10, 0), -EFAULT, "forced pread at address 0");
	struct pvmio_span spans[2] = { { t_addr(&child, T_RO, 8), 4 }, { t_addr(&child, T_NONE, 0), 4 } };
	struct iovec l = { buf, 8 };
	t_eq(pvmio_readv(h, &l, 1, spans, 2), 8, "forced readv over read-only and PROT_NONE pages");
	t_eq(pvmio_fill(h, t_addr(&child, T_RO, 0), 16, "ab", 2), 16, "forced fill of a read-only page");
	t_ok(t_mem_equal(child.pid, t_addr(&child, T_RO, 0), "abababababababab", 16), "it was filled");
	pvmio_close(h);
}

/* Once the child is gone, everything says -ESRCH. */
static void test_gone(struct pvmio *h)
{
	kill(child.pid, SIGKILL);
	siginfo_t info;
	while (waitid(P_PID, (id_t)child.pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR)
		;
	unsigned char buf[8] = { 0 };
	t_eq(pvmio_check_alive(h), -ESRCH, "pvmio_check_alive on a zombie");
	t_eq(pvmio_pread(h, buf, sizeof buf, t_addr(&child, T_DATA0, 0)), -ESRCH, "pread from a zombie");
	t_eq(pvmio_pwrite(h, buf, sizeof buf, t_addr(&child, T_DATA0, 0)), -ESRCH, "pwrite to a zombie");
	t_eq(pvmio_fill(h, t_addr(&child, T_DATA0, 0), 8, "x", 1), -ESRCH, "fill of a zombie");
	t_child_kill(&child);
	t_eq(pvmio_check_alive(h), -ESRCH, "pvmio_check_alive once reaped");
	t_eq(pvmio_pread(h, buf, sizeof buf, t_addr(&child, T_DATA0, 0)), -ESRCH, "pread once reaped");
}

int main(void)
{
	page = t_page();
	t_child_start(&child, 0);
	struct pvmio *h = NULL;
	int rc = pvmio_open(child.pid, 0, &h);
	t_eq(rc, 0, "pvmio_open(child)");
	if (!h) {
		t_child_kill(&child);
		return t_done();
	}
	test_handle(h);
	test_pread(h);
	test_pwrite(h);
	test_vectors(h);
	test_fill(h);
	test_force();
	test_gone(h);
	pvmio_close(h);
	return t_done();
}
