/* The FILE stream over another process (pvmio_fopen) and the streaming
 * read (pvmio_read_stream), checked against /proc/CHILD/mem. */
#include "config.h"
#include "pvmio.h"
#include "libtest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t page;
static struct t_child child;

static void test_seek_tell(FILE *f)
{
	uint64_t a = t_addr(&child, T_DATA0, 100);
	t_eq(fseeko(f, (off_t)a, SEEK_SET), 0, "fseeko SEEK_SET to an address");
	t_eq(ftello(f), (long long)a, "ftello is that address");
	unsigned char buf[200];
	t_eq((long long)fread(buf, 1, sizeof buf, f), (long long)sizeof buf, "fread 200 bytes");
	t_ok(t_mem_equal(child.pid, a, buf, sizeof buf), "they are the child's bytes there");
	t_eq(ftello(f), (long long)(a + sizeof buf), "ftello moved by 200");
	t_eq(fseeko(f, 10, SEEK_CUR), 0, "fseeko SEEK_CUR +10");
	t_eq(ftello(f), (long long)(a + sizeof buf + 10), "ftello moved by 10");
	t_eq(fseeko(f, -50, SEEK_CUR), 0, "fseeko SEEK_CUR -50");
	t_eq(ftello(f), (long long)(a + sizeof buf - 40), "ftello moved back by 50");
	int c = fgetc(f);
	unsigned char one;
	t_eq(t_mem_read(child.pid, a + sizeof buf - 40, &one, 1), 1, "read that byte from /proc");
	t_eq(c, one, "fgetc there gives the child's byte");

	errno = 0;
	t_eq(fseeko(f, 0, SEEK_END), -1, "fseeko SEEK_END fails");
	t_eq(errno, EINVAL, "with EINVAL");
	errno = 0;
	t_eq(fseeko(f, -1, SEEK_SET), -1, "fseeko to -1 fails");
	t_eq(errno, EINVAL, "with EINVAL");
	t_eq(fseeko(f, INT64_MAX, SEEK_SET), 0, "fseeko to 2^63-1, the last position");
	t_eq(ftello(f), INT64_MAX, "ftello there");
	errno = 0;
	t_eq(fseeko(f, 1, SEEK_CUR), -1, "fseeko past 2^63-1 fails");
	t_eq(errno, EINVAL, "with EINVAL");
	t_eq(fseeko(f, 0, SEEK_SET), 0, "fseeko to 0");
	errno = 0;
	t_eq((long long)fread(buf, 1, 16, f), 0, "fread at address 0 reads nothing");
	t_ok(ferror(f) && errno == EFAULT, "an error, EFAULT (errno %d)", errno);
	clearerr(f);

	/* Across the hole: the bytes before it, then an error. */
	a = t_addr(&child, T_HOLE, 0) - 10;
	t_eq(fseeko(f, (off_t)a, SEEK_SET), 0, "fseeko to 10 bytes before the hole");
	errno = 0;
	t_eq((long long)fread(buf, 1, 100, f), 10, "fread across the hole gives those 10");
	t_ok(ferror(f) && errno == EFAULT, "then an error, EFAULT (errno %d)", errno);
	t_ok(t_mem_equal(child.pid, a, buf, 10), "the 10 bytes are right");
	clearerr(f);
}

static void test_modes(void)
{
	errno = 0;
	t_ok(pvmio_fopen(child.pid, "w") == NULL && errno == EINVAL, "mode \"w\" is EINVAL");
	errno = 0;
	t_ok(pvmio_fopen(child.pid, "a+") == NULL && errno == EINVAL, "mode \"a+\" is EINVAL");
	errno = 0;
	t_ok(pvmio_fopen(0, "r") == NULL && errno == EINVAL, "pid 0 is EINVAL");

	uint64_t a = t_addr(&child, T_SCRATCH0, 50);
	unsigned char before[8];
	if (t_mem_read(child.pid, a, before, sizeof before) != (ssize_t)sizeof before)
		t_bail("cannot read the child's scratch page");
	FILE *f = pvmio_fopen(child.pid, "r");
	t_ok(f != NULL, "pvmio_fopen(child, \"r\")");
	if (f) {
		t_eq(fseeko(f, (off_t)a, SEEK_SET), 0, "fseeko");
		size_t n = fwrite("ABCDEFGH", 1, 8, f);
		int flushed = fflush(f);
		t_ok(n == 0 || flushed != 0, "fwrite on a read-only stream fails");
		fclose(f);
		t_ok(t_mem_equal(child.pid, a, before, sizeof before), "and wrote nothing");
	}

	f = pvmio_fopen(child.pid, "r+");
	t_ok(f != NULL, "pvmio_fopen(child, \"r+\")");
	if (!f)
		return;
	t_eq(fseeko(f, (off_t)a, SEEK_SET), 0, "fseeko");
	t_eq((long long)fwrite("ABCDEFGH", 1, 8, f), 8, "fwrite 8 bytes");
	t_eq(fflush(f), 0, "fflush");
	t_ok(t_mem_equal(child.pid, a, "ABCDEFGH", 8), "the child's memory holds them");
	t_eq(ftello(f), (long long)(a + 8), "ftello after the write");
	char back[8];
	t_eq(fseeko(f, (off_t)a + 2, SEEK_SET), 0, "fseeko back");
	t_eq((long long)fread(back, 1, 4, f), 4, "fread");
	t_ok(memcmp(back, "CDEF", 4) == 0, "reads what was written");
	t_eq(fseeko(f, (off_t)t_addr(&child, T_RO, 0), SEEK_SET), 0, "fseeko to the read-only page");
	fwrite("zz", 1, 2, f);
	t_ok(fflush(f) != 0, "a write to a read-only page fails at fflush");
	unsigned char ro[2] = { t_byte(T_RO, 0), t_byte(T_RO, 1) };
	t_ok(t_mem_equal(child.pid, t_addr(&child, T_RO, 0), ro, 2), "the read-only page is unchanged");
	fclose(f);
}

/* Pieces seen by the chunk callback. */
struct seen {
	uint64_t next;	/* where the next piece must start */
	int contiguous, data_ok, nholes, naccess, other;
	size_t ndata;
	uint64_t hole_at, hole_len, access_at, access_len, data_bytes;
	int stop_after;	/* return 42 after this many pieces, if > 0 */
	int pieces;
};

static int on_chunk(void *ctx, const struct pvmio_chunk *c)
{
	struct seen *s = ctx;
	s->pieces++;
	if (c->addr != s->next || !c->len)
		s->contiguous = 0;
	s->next = c->addr + c->len;
	if (c->data) {
		/* Only the child's own region is compared: the rest of its
		 * address space was seen to change now and then while the
		 * child sat in pause() (a counter in ld.so's data, the stack),
		 * which is no concern of this test. */
		uint64_t lo = t_addr(&child, 0, 0), hi = t_addr(&child, T_PAGES, 0);
		uint64_t a = c->addr > lo ? c->addr : lo, b = c->addr + c->len < hi ? c->addr + c->len : hi;
		if (c->err || (a < b && !t_mem_equal(child.pid, a, (const char *)c->data + (a - c->addr), (size_t)(b - a))))
			s->data_ok = 0;
		s->ndata++;
		s->data_bytes += c->len;
	} else if (c->err == -EFAULT) {
		if (!s->nholes++)
			s->hole_at = c->addr;
		s->hole_len += c->len;
	} else if (c->err == -EACCES) {
		if (!s->naccess++)
			s->access_at = c->addr;
		s->access_len += c->len;
	} else {
		s->other++;
	}
	return s->stop_after && s->pieces == s->stop_after ? 42 : 0;
}

static void test_read_stream(struct pvmio *h)
{
	/* DATA0 DATA1 HOLE AFTER NONE RO, from 5 bytes into DATA0 to 7 into RO. */
	uint64_t from = t_addr(&child, T_DATA0, 5), to = t_addr(&child, T_RO, 7);
	struct seen s = { .next = from, .contiguous = 1, .data_ok = 1 };
	t_eq(pvmio_read_stream(h, from, to - from, on_chunk, &s), 0, "read_stream over the region");
	t_ok(s.contiguous, "pieces are consecutive and non-empty");
	t_eq((long long)s.next, (long long)to, "they end at the end of the range");
	t_ok(s.data_ok, "every data piece holds the child's bytes");
	t_eq((long long)s.data_bytes, (long long)(to - from - 2 * page), "all but two pages are data");
	t_eq((long long)s.hole_at, (long long)t_addr(&child, T_HOLE, 0), "the hole starts at HOLE");
	t_eq((long long)s.hole_len, (long long)page, "it is -EFAULT, one page");
	t_eq((long long)s.access_at, (long long)t_addr(&child, T_NONE, 0), "the PROT_NONE page");
	t_eq((long long)s.access_len, (long long)page, "is -EACCES, one page");
	t_eq(s.other, 0, "no other kind of piece");

	/* Starting inside the hole, ending inside it. */
	from = t_addr(&child, T_HOLE, 100);
	s = (struct seen){ .next = from, .contiguous = 1, .data_ok = 1 };
	t_eq(pvmio_read_stream(h, from, 200, on_chunk, &s), 0, "read_stream inside the hole");
	t_ok(s.contiguous && s.next == from + 200, "covers exactly the range");
	t_ok(s.nholes >= 1 && s.hole_len == 200 && s.ndata == 0, "all of it -EFAULT");

	/* Above 2^63 nothing is user memory. */
	from = UINT64_C(1) << 63;
	s = (struct seen){ .next = from, .contiguous = 1, .data_ok = 1 };
	t_eq(pvmio_read_stream(h, from, 4096, on_chunk, &s), 0, "read_stream at 2^63");
	t_ok(s.contiguous && s.next == from + 4096 && s.hole_len == 4096, "one -EFAULT run");

	/* A larger range than one batch: 3 MiB of the child's address space
	 * starting at DATA0 (mostly unmapped after the region, which is fine). */
	from = t_addr(&child, T_DATA0, 0);
	s = (struct seen){ .next = from, .contiguous = 1, .data_ok = 1 };
	t_eq(pvmio_read_stream(h, from, 3u << 20, on_chunk, &s), 0, "read_stream over 3 MiB");
	t_ok(s.contiguous && s.next == from + (3u << 20), "covers exactly the range");
	t_ok(s.data_ok, "every data piece holds the child's bytes");

	/* The callback's non-zero return stops the stream and is returned. */
	from = t_addr(&child, T_DATA0, 0);
	s = (struct seen){ .next = from, .contiguous = 1, .data_ok = 1, .stop_after = 2 };
	t_eq(pvmio_read_stream(h, from, 6 * page, on_chunk, &s), 42, "the callback's 42 comes back");
	t_eq(s.pieces, 2, "after two pieces");
	t_eq(pvmio_read_stream(h, from, 0, on_chunk, &s), 0, "an empty range");
	t_eq(s.pieces, 2, "calls nothing");
}

/* The whole address space, 0 to 2^64-1: exact cover, every data piece
 * right, [vvar] (which the kernel refuses although it is r--p) as -EIO. */
static uint64_t vvar_start, vvar_end, vvar_eio;

static int on_whole(void *ctx, const struct pvmio_chunk *c)
{
	on_chunk(ctx, c);
	if (c->err == -EIO && c->addr >= vvar_start && c->addr + c->len <= vvar_end)
		vvar_eio += c->len;
	return 0;
}

static void test_whole_space(struct pvmio *h)
{
	struct pvmio_maps *m = NULL;
	if (pvmio_maps_read(h, &m) < 0)
		t_bail("pvmio_maps_read failed");
	/* Under AddressSanitizer terabytes are mapped (the shadow): then
	 * start where at most 512 MiB of readable mappings lie above. */
	uint64_t from = 0, readable = 0;
	for (size_t i = m->n; i-- > 0;) {
		if (strcmp(m->v[i].name, "[vvar]") == 0) {
			vvar_start = m->v[i].start;
			vvar_end = m->v[i].end;
		}
		if (m->v[i].perms[0] == 'r')
			readable += m->v[i].end - m->v[i].start;
		if (readable > (UINT64_C(512) << 20) && !from)
			from = m->v[i].end;
	}
	pvmio_maps_free(m);
	if (from)
		t_diag("%#llx bytes readable: from %#llx only", (unsigned long long)readable, (unsigned long long)from);
	struct seen s = { .next = from, .contiguous = 1, .data_ok = 1 };
	t_eq(pvmio_read_stream(h, from, UINT64_MAX - from, on_whole, &s), 0,
	     "read_stream of the address space up to 2^64-1");
	t_ok(s.contiguous && s.next == UINT64_MAX, "covers it exactly");
	t_ok(s.data_ok && s.data_bytes > 0, "the child's region reads right");
	if (vvar_end)
		t_eq((long long)vvar_eio, (long long)(vvar_end - vvar_start), "[vvar] comes as -EIO");
}

static void test_read_stream_force(void)
{
	struct pvmio *h = NULL;
	t_eq(pvmio_open(child.pid, PVMIO_FORCE, &h), 0, "pvmio_open with PVMIO_FORCE");
	if (!h)
		return;
	uint64_t from = t_addr(&child, T_AFTER, 0), to = t_addr(&child, T_RO, page);
	struct seen s = { .next = from, .contiguous = 1, .data_ok = 1 };
	t_eq(pvmio_read_stream(h, from, to - from, on_chunk, &s), 0, "forced read_stream");
	t_ok(s.contiguous && s.next == to, "covers exactly the range");
	t_ok(s.data_ok && s.data_bytes == 3 * page && s.naccess == 0,
	     "the PROT_NONE page is data when forced");
	pvmio_close(h);
}

int main(void)
{
	page = t_page();
	t_child_start(&child, 0);
	FILE *f = pvmio_fopen(child.pid, "r");
	t_ok(f != NULL, "pvmio_fopen(child, \"r\")");
	if (f) {
		test_seek_tell(f);
		t_eq(fclose(f), 0, "fclose");
	}
	test_modes();
	struct pvmio *h = NULL;
	t_eq(pvmio_open(child.pid, 0, &h), 0, "pvmio_open(child)");
	if (h) {
		test_read_stream(h);
		test_whole_space(h);
		pvmio_close(h);
	}
	test_read_stream_force();
	t_child_kill(&child);
	return t_done();
}
