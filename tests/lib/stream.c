/* The FILE stream over another process (pvmio_fopen) and the streaming
 * reads (pvmio_read_stream, pvmio_read_stream_ahead), checked against
 * /proc/CHILD/mem. */
#include "config.h"
#include "pvmio.h"
#include "libtest.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
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

/* Where a read of "the whole address space" starts: 0, but under a
 * sanitizer terabytes are mapped (the shadow): then where at most 512 MiB
 * of readable mappings lie above. */
static uint64_t whole_space_from(struct pvmio *h)
{
	struct pvmio_maps *m = NULL;
	if (pvmio_maps_read(h, &m) < 0)
		t_bail("pvmio_maps_read failed");
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
	return from;
}

static void test_whole_space(struct pvmio *h)
{
	uint64_t from = whole_space_from(h);
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

/* Read-ahead (pvmio_read_stream_ahead) against the plain stream: the same
 * pieces in the same order, the same bytes, FN never running twice at
 * once, and both threads handing pieces on.  BIG is a 24 MiB region the
 * parent fills and shapes before the child is forked, so the child has it
 * at the same address: holes and PROT_NONE pages inside it, and a pattern
 * whose every byte depends on its address. */
#define BIG_LEN ((size_t)24 << 20)
static unsigned char *big;

static unsigned char big_byte(uint64_t addr)
{
	uint64_t x = addr * 0x9e3779b97f4a7c15u;
	return (unsigned char)(x >> 56);
}

static void big_setup(void)
{
	big = mmap(NULL, BIG_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (big == MAP_FAILED)
		t_bail("mmap: %s", strerror(errno));
	for (size_t i = 0; i < BIG_LEN; i++)
		big[i] = big_byte((uint64_t)(uintptr_t)(big + i));
	/* A hole at 3 MiB, one at 7 MiB + 5 pages (not batch-aligned), a
	 * PROT_NONE run at 11 MiB, 40 alternating pages from 16 MiB (more
	 * pieces than one batch's iovecs would take at one a page). */
	munmap(big + (3 << 20), 2 * page);
	munmap(big + (7 << 20) + 5 * page, page);
	mprotect(big + (11 << 20), 3 * page, PROT_NONE);
	for (size_t k = 0; k < 40; k += 2)
		mprotect(big + (16 << 20) + k * page, page, PROT_NONE);
}

struct piece_seen {
	uint64_t addr, len;
	int err;
	unsigned sum;	/* of the bytes, for data */
};

struct record {
	struct piece_seen v[4096];
	size_t n, overflow;
	int inside, overlapped;	/* FN entered while it ran */
	pthread_t threads[2];
	int nthreads, wrong_bytes, stop_after;
};

static int on_record(void *ctx, const struct pvmio_chunk *c)
{
	struct record *r = ctx;
	if (__atomic_fetch_add(&r->inside, 1, __ATOMIC_SEQ_CST))
		r->overlapped = 1;
	pthread_t self = pthread_self();
	int known = 0;
	for (int i = 0; i < r->nthreads; i++)
		known |= pthread_equal(r->threads[i], self);
	if (!known && r->nthreads < 2)
		r->threads[r->nthreads++] = self;
	unsigned sum = 0;
	for (uint64_t i = 0; c->data && i < c->len; i++) {
		unsigned char b = ((const unsigned char *)c->data)[i];
		sum = sum * 31 + b;
		if (b != big_byte(c->addr + i))
			r->wrong_bytes++;
	}
	if (r->n < sizeof r->v / sizeof r->v[0])
		r->v[r->n++] = (struct piece_seen){ c->addr, c->len, c->data ? 0 : c->err, sum };
	else
		r->overflow++;
	__atomic_fetch_sub(&r->inside, 1, __ATOMIC_SEQ_CST);
	return r->stop_after && r->n == (size_t)r->stop_after ? 42 : 0;
}

static int same_pieces(const struct record *a, const struct record *b)
{
	if (a->n != b->n || a->overflow || b->overflow)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (memcmp(&a->v[i], &b->v[i], sizeof a->v[i]))
			return 0;
	return 1;
}

static void test_ahead(struct pvmio *h)
{
	static struct record plain, ahead;
	uint64_t from = (uint64_t)(uintptr_t)big + 12345, len = BIG_LEN - 12345 - 999;
	plain = (struct record){ 0 };
	ahead = (struct record){ 0 };
	t_eq(pvmio_read_stream(h, from, len, on_record, &plain), 0, "read_stream over BIG (24 MiB, holes)");
	t_eq(pvmio_read_stream_ahead(h, from, len, on_record, &ahead), 0, "read_stream_ahead over it");
	t_ok(plain.wrong_bytes == 0 && ahead.wrong_bytes == 0, "every byte is the child's (%d, %d wrong)",
	     plain.wrong_bytes, ahead.wrong_bytes);
	t_ok(same_pieces(&plain, &ahead), "the same %zu pieces, in the same order, same bytes", plain.n);
	t_ok(!ahead.overlapped, "FN never ran twice at once");
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus >= 2)
		t_eq(ahead.nthreads, 2, "two threads handed pieces on");
	else
		t_diag("one CPU: read-ahead reads on one thread");
	uint64_t holes = 0;
	for (size_t i = 0; i < ahead.n; i++)
		holes += ahead.v[i].err ? ahead.v[i].len : 0;
	t_eq((long long)holes, (long long)(3 + 20 + 3) * (long long)page, "holes: 2+1 unmapped, 3+20 PROT_NONE pages");

	/* A stop from FN, mid-stream: its value, and not one call more. */
	for (int stop = 1; stop < 40; stop += 7) {
		ahead = (struct record){ .stop_after = stop };
		int rc = pvmio_read_stream_ahead(h, from, len, on_record, &ahead);
		if (rc != 42 || ahead.n != (size_t)stop) {
			t_ok(0, "FN's 42 after %d pieces: got %d after %zu", stop, rc, ahead.n);
			return;
		}
	}
	t_ok(1, "FN's 42 after 1, 8, ... 36 pieces comes back, with no call after it");

	/* The whole address space, as test_whole_space reads it: [vvar] is
	 * refused although the maps list says r--p, so each thread's passes
	 * are dropped and made again from the refused byte. */
	plain = (struct record){ 0 };
	ahead = (struct record){ 0 };
	from = whole_space_from(h);
	t_eq(pvmio_read_stream(h, from, UINT64_MAX - from, on_record, &plain), 0, "read_stream of the whole space");
	t_eq(pvmio_read_stream_ahead(h, from, UINT64_MAX - from, on_record, &ahead), 0, "read_stream_ahead of it");
	/* Only BIG's bytes are checked: the rest may change (see on_chunk). */
	size_t differ = 0;
	for (size_t i = 0; i < plain.n && i < ahead.n; i++)
		if (memcmp(&plain.v[i], &ahead.v[i], offsetof(struct piece_seen, sum)))
			differ++;
	t_ok(plain.n == ahead.n && differ == 0 && !plain.overflow, "the same %zu pieces (%zu differ)", plain.n,
	     differ);
}

/* The process exits mid-stream: -ESRCH, as without read-ahead. */
static struct t_child doomed;

static int kill_at_third(void *ctx, const struct pvmio_chunk *c)
{
	(void)c;
	if (++*(int *)ctx == 3)
		kill(doomed.pid, SIGKILL);
	return 0;
}

static void test_ahead_exit(void)
{
	t_child_start(&doomed, 2);
	struct pvmio *h = NULL;
	t_eq(pvmio_open(doomed.pid, 0, &h), 0, "pvmio_open(a second child)");
	if (!h)
		return;
	int calls = 0;
	int rc = pvmio_read_stream_ahead(h, (uint64_t)(uintptr_t)big, BIG_LEN, kill_at_third, &calls);
	t_eq(rc, -ESRCH, "killed mid-stream: -ESRCH (after %d pieces)", calls);
	pvmio_close(h);
	waitpid(doomed.pid, NULL, 0);
}

int main(void)
{
	page = t_page();
	big_setup();
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
		test_ahead(h);
		pvmio_close(h);
	}
	test_read_stream_force();
	test_ahead_exit();
	t_child_kill(&child);
	return t_done();
}
