/* libFuzzer: the dumper and the dump-line reader are inverses.  The input
 * picks a style, -c, -g, -a or squeezing, a start address and where the
 * holes are; the rest is the bytes.  Dumped, then read back line by line
 * as write -f xxd reads them, every readable byte must come back at its
 * address, and no unreadable one.  The SIMD kernels must also agree with
 * their plain references on the same bytes, and the dump fed a byte at a
 * time must be the same text. */
#define _GNU_SOURCE
#include "config.h"
#include "dump_reader.h"
#include "dumper.h"
#include "fuzz.h"
#include "hexsimd.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEADER 12
#define SEGMENT 37

/* What the reader gives back: byte i of the range seen (1) and its value. */
struct seen {
	uint64_t start, n;
	unsigned char *got, *mark;
};

static void take(struct seen *s, const struct dump_line *l, uint64_t at)
{
	for (size_t i = 0; i < l->n; i++) {
		if (!l->valid[i])
			continue;
		uint64_t a = at + i;
		if (a - s->start >= s->n)
			abort();	/* a byte outside the range */
		if (s->mark[a - s->start] && s->got[a - s->start] != l->bytes[i])
			abort();	/* the same byte twice, different */
		s->got[a - s->start] = l->bytes[i];
		s->mark[a - s->start] = 1;
	}
}

static void kernels_agree(const uint8_t *p, size_t n)
{
	hex_tables_init();
	for (size_t i = 0; i + 16 <= n; i += 16) {
		char a[32], b[32], c[48], d[48];
		hex16(p + i, a);
		hex16_plain(p + i, b);
		if (memcmp(a, b, 32))
			abort();
		text16(p + i, a);
		text16_plain(p + i, b);
		if (memcmp(a, b, 16))
			abort();
		uint64_t v;
		memcpy(&v, p + i, 8);
		addr16(v, a);
		addr16_plain(v, b);
		if (memcmp(a, b, 16))
			abort();
		hex16(p + i, a);
		spread_groups(c, a);
		spread_groups_plain(d, a);
		if (memcmp(c, d, XXD16_HEX_WIDTH))
			abort();
		spread_pairs(c, a);
		spread_pairs_plain(d, a);
		if (memcmp(c, d, CANONICAL_HEX_WIDTH))
			abort();
	}
}

/* The dump of N bytes at START into a new memfd: each SEGMENT whose bit
 * is set in HOLES is unreadable (one hole), the others are handed to the
 * dumper PIECE bytes at a time. */
static int dump_to(const struct dump_options *opt, uint64_t start, const uint8_t *bytes, size_t n,
		   unsigned holes, size_t piece)
{
	int fd = memfd_create("roundtrip", 0);
	if (fd < 0)
		abort();
	struct out o;
	struct dumper d;
	if (out_init(&o, fd) < 0)
		abort();
	dumper_init(&d, &o, opt);
	dumper_start(&d, start);
	for (size_t off = 0, k = 0; off < n; off += SEGMENT, k++) {
		size_t len = n - off < SEGMENT ? n - off : SEGMENT;
		if ((holes >> (k % 8)) & 1) {
			dumper_hole(&d, len, -EFAULT);
			continue;
		}
		for (size_t at = 0; at < len; at += piece)
			dumper_data(&d, bytes + off + at, len - at < piece ? len - at : piece);
	}
	dumper_finish(&d);
	dumper_free(&d);
	if (out_flush(&o) < 0)
		abort();
	out_free(&o);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HEADER)
		return 0;
	const uint8_t *bytes = data + HEADER;
	size_t n = size - HEADER;
	kernels_agree(bytes, n);
	struct dump_options opt = {
		.style = data[0] & 1 ? DUMP_CANONICAL : DUMP_XXD,
		.cols = 1 + data[1] % DUMP_COLS_MAX,
		.group = data[2] % (DUMP_COLS_MAX + 2),
		.autoskip = (data[0] >> 1) & 1,
		.squeeze = (data[0] >> 2) & 1,
	};
	uint64_t start;
	memcpy(&start, data + 3, 8);
	if (n && start > UINT64_MAX - (n - 1))
		start = UINT64_MAX - (n - 1);
	unsigned holes = data[11];

	int fd = dump_to(&opt, start, bytes, n, holes, SEGMENT);
	/* Fed a byte at a time, every line goes through emit(), not the
	 * whole-line loop (lines16): the text must be the same. */
	int fd1 = dump_to(&opt, start, bytes, n, holes, 1);
	off_t text = lseek(fd, 0, SEEK_END), text1 = lseek(fd1, 0, SEEK_END);
	if (text != text1)
		abort();
	if (text > 0) {
		char *a = mmap(NULL, (size_t)text, PROT_READ, MAP_SHARED, fd, 0);
		char *b = mmap(NULL, (size_t)text, PROT_READ, MAP_SHARED, fd1, 0);
		if (a == MAP_FAILED || b == MAP_FAILED || memcmp(a, b, (size_t)text) != 0)
			abort();
		munmap(a, (size_t)text);
		munmap(b, (size_t)text);
	}
	close(fd1);

	FILE *f = fdopen(fd, "r");
	if (!f || fseek(f, 0, SEEK_SET) != 0)
		abort();
	struct seen s = { .start = start, .n = n, .got = calloc(n + 1, 1), .mark = calloc(n + 1, 1) };
	struct dump_reader r;
	dump_reader_init(&r);
	struct dump_line prev = { .kind = DL_BLANK };
	int repeat = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) >= 0) {
		struct dump_line l;
		struct perr e;
		if (dump_reader_line(&r, line, (size_t)len, &l, &e) < 0) {
			fprintf(stderr, "the reader refused the dumper's line '%s': %s\n", line, e.msg);
			abort();
		}
		if (l.kind == DL_REPEAT) {
			repeat = 1;
			continue;
		}
		if (l.kind == DL_BLANK)
			continue;
		if (repeat && prev.kind == DL_DATA) {
			/* "*": the line before repeats up to this line's address */
			/* up to 2^64 (l.top) is until the address wraps to 0 */
			for (uint64_t at = prev.addr + prev.n; l.top ? at != 0 : at < l.addr; at += prev.n)
				take(&s, &prev, at);
		}
		repeat = 0;
		if (l.kind == DL_DATA)
			take(&s, &l, l.addr);
		prev = l;
	}
	free(line);
	fclose(f);
	/* every readable byte, and no unreadable one */
	for (size_t i = 0; i < n; i++) {
		int hole = (holes >> ((i / SEGMENT) % 8)) & 1;
		if (hole ? s.mark[i] : !s.mark[i] || s.got[i] != bytes[i])
			abort();
	}
	free(s.got);
	free(s.mark);
	return 0;
}
