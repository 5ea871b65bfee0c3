/* The dumper: xxd's and hexdump -C's views of a byte stream with
 * absolute addresses, byte for byte what those tools print for readable
 * bytes, and unreadable bytes shown, never invented.  Table-driven,
 * writing lines straight into the output buffer (dumper.h). */
#include "config.h"
#include "dumper.h"
#include "hexsimd.h"
#include "quiet_thread.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *unreadable_reason(int err)
{
	switch (err) {
	case -EFAULT:
		return "not mapped";
	case -EACCES:
		return "mapped without read permission; --force reads it";
	case -EIO:
		return "refused by the kernel";
	case -ENODATA:
		return "not in the core file";
	default:
		return strerror(-err);
	}
}

/* The byte classes of --color: NUL, printable, white space, other. */
static const char *color_of(unsigned char c)
{
	if (c == 0)
		return "\033[90m";
	if (c == ' ' || (c >= '\t' && c <= '\r'))
		return "\033[33m";
	if (c > 32 && c < 127)
		return "\033[32m";
	return "\033[31m";
}
#define COLOR_HOLE "\033[35m"
#define COLOR_RESET "\033[0m"

/* The longest line: a 16-digit address, its separator, the blanks before
 * the text column, hexdump -C's '|'s and the line's end; then for each of
 * DUMP_COLS_MAX bytes a hex pair and its blank and a text character, each
 * between a colour code and a reset. */
#define COLOR_CODE_MAX 5
#define DUMP_LINE_MAX_BYTES \
	(16 + 8 + DUMP_COLS_MAX * (2 * (COLOR_CODE_MAX + sizeof COLOR_RESET - 1) + 4))

void dumper_init(struct dumper *d, struct out *o, const struct dump_options *opt)
{
	hex_tables_init();
	memset(d, 0, sizeof *d);
	d->o = o;
	d->style = opt->style;
	d->cols = opt->style == DUMP_CANONICAL ? 16 : opt->cols;
	/* As xxd: a group size of 0 or beyond the line means one group. */
	d->group = opt->group < 1 || opt->group > d->cols ? d->cols : opt->group;
	d->autoskip = opt->style == DUMP_XXD && opt->autoskip;
	d->squeeze = opt->style == DUMP_CANONICAL && opt->squeeze;
	d->color = opt->color;
	if (!d->autoskip && !d->color && d->cols == 16)
		d->fast = d->style == DUMP_CANONICAL ? FAST_CANONICAL : d->group == 2 ? FAST_XXD : FAST_NONE;
	d->split = d->fast && usable_cpus() >= 2;
	if (d->autoskip) {
		d->zline = malloc(DUMP_LINE_MAX_BYTES);
		d->lline = malloc(DUMP_LINE_MAX_BYTES);
		if (!d->zline || !d->lline)
			d->autoskip = 0;
	}
}

static void helper_stop(struct dump_helper *h);

void dumper_free(struct dumper *d)
{
	if (d->helper)
		helper_stop(d->helper);
	d->helper = NULL;
	free(d->zline);
	free(d->lline);
}

void dumper_start(struct dumper *d, uint64_t addr)
{
	d->line_addr = addr;
	d->end_addr = addr;
	d->end_top = 0;
	d->fill = 0;
	d->line_holes = 0;
	d->zero_seen = 0;
	d->have_prev = 0;
	d->starring = 0;
	d->any = 0;
}

/* Where a line whose address takes ADDRLEN columns (xxd's colon
 * included) puts byte I's hex digits, and where its text column starts
 * (after hexdump -C's '|'). */
static unsigned hex_column(const struct dumper *d, unsigned addrlen, unsigned i)
{
	if (d->style == DUMP_CANONICAL)
		return addrlen + 2 + 3 * i + (i >= 8);
	return addrlen + 1 + (2 * d->group + 1) * i / d->group;
}

static unsigned text_column(const struct dumper *d, unsigned addrlen)
{
	if (d->style == DUMP_CANONICAL)
		return hex_column(d, addrlen, 16) + 2;
	return addrlen + 3 + ((2 * d->group + 1) * d->cols - 1) / d->group;
}

static void build_template(struct dumper *d, unsigned addrlen)
{
	d->tmpl_addrlen = addrlen;
	for (unsigned i = 0; i < d->cols; i++)
		d->hexpos[i] = hex_column(d, addrlen, i);
	d->textpos = text_column(d, addrlen);
	d->tmpl_len = d->textpos + d->cols + (d->style == DUMP_CANONICAL) + 1;
	memset(d->tmpl, ' ', d->tmpl_len);
	if (d->style == DUMP_XXD) {
		d->tmpl[addrlen - 1] = ':';
	} else {
		d->tmpl[d->textpos - 1] = '|';
		d->tmpl[d->textpos + 16] = '|';
	}
	d->tmpl[d->tmpl_len - 1] = '\n';
}

/* A whole line of readable bytes, uncoloured: the hot path. */
static size_t compose_fast(struct dumper *d, char *b, uint64_t addr, const unsigned char *p)
{
	char digits[20];
	unsigned n = hex_addr(digits, addr, 8);
	unsigned addrlen = d->style == DUMP_XXD ? n + 1 : n;
	if (addrlen != d->tmpl_addrlen)
		build_template(d, addrlen);
	memcpy(b, d->tmpl, d->tmpl_len);
	memcpy(b, digits, n);
	char *ascii = b + d->textpos;
	if (d->cols == 16) {
		char hex[32];
		hex16(p, hex);
		if (d->style == DUMP_CANONICAL)
			spread_pairs(b + d->hexpos[0], hex);
		else
			for (unsigned i = 0; i < 16; i++)
				memcpy(b + d->hexpos[i], hex + 2 * i, 2);
		text16(p, ascii);
		return d->tmpl_len;
	}
	for (unsigned i = 0; i < d->cols; i++) {
		memcpy(b + d->hexpos[i], hex_pair[p[i]], 2);
		ascii[i] = text_char[p[i]];
	}
	return d->tmpl_len;
}

static char *put(char *b, const char *s)
{
	size_t n = strlen(s);
	memcpy(b, s, n);
	return b + n;
}

/* Any line: short, with unreadable bytes, or coloured. */
static size_t compose_slow(struct dumper *d, char *b, uint64_t addr, const unsigned char *p,
			   const unsigned char *valid, unsigned count)
{
	char *s = b;
	unsigned addrlen = hex_addr(s, addr, 8);
	s += addrlen;
	if (d->style == DUMP_XXD) {
		*s++ = ':';
		addrlen++;
	} else {
		s = put(s, "  ");
	}
	/* Columns count visible characters; colour codes take none. */
	unsigned col = (unsigned)(s - b);
	for (unsigned i = 0; i < d->cols; i++) {
		unsigned pos = hex_column(d, addrlen, i);
		for (; col < pos; col++)
			*s++ = ' ';
		if (i >= count)
			continue;
		int ok = !valid || valid[i];
		if (d->color)
			s = put(s, ok ? color_of(p[i]) : COLOR_HOLE);
		memcpy(s, ok ? hex_pair[p[i]] : "??", 2);
		s += 2;
		col += 2;
		if (d->color)
			s = put(s, COLOR_RESET);
	}
	unsigned apos = text_column(d, addrlen) - (d->style == DUMP_CANONICAL);
	for (; col < apos; col++)
		*s++ = ' ';
	if (d->style == DUMP_CANONICAL)
		*s++ = '|';
	for (unsigned i = 0; i < count; i++) {
		int ok = !valid || valid[i];
		if (d->color)
			s = put(s, ok ? color_of(p[i]) : COLOR_HOLE);
		*s++ = ok ? text_char[p[i]] : ' ';
		if (d->color)
			s = put(s, COLOR_RESET);
	}
	if (d->style == DUMP_CANONICAL)
		*s++ = '|';
	*s++ = '\n';
	return (size_t)(s - b);
}

/* "ADDR: ** N bytes unreadable (REASON) **": an address, a count and the
 * longest reason, with room to spare. */
#define SUMMARY_LINE_MAX 256

/* xxd's own xxdline(): with -a, the second of a run of zero lines is
 * kept, the rest become one "*", and the last one is always shown. */
static void xxdline(struct dumper *d, int nz)
{
	if (!nz && d->zero_seen == 1) {
		memcpy(d->zline, d->lline, d->llen);
		d->zlen = d->llen;
	}
	if (nz || !d->zero_seen++) {
		if (nz) {
			if (nz < 0)
				d->zero_seen--;
			if (d->zero_seen == 2)
				out_write(d->o, d->zline, d->zlen);
			if (d->zero_seen > 2)
				out_write(d->o, "*\n", 2);
		}
		if (nz >= 0 || d->zero_seen > 0)
			out_write(d->o, d->lline, d->llen);
		if (nz)
			d->zero_seen = 0;
	}
}

static void emit(struct dumper *d, const unsigned char *p, const unsigned char *valid, unsigned count)
{
	int holes = valid && memchr(valid, 0, count);
	int full = count == d->cols;
	d->any = 1;
	if (d->squeeze) {
		if (full && !holes && d->have_prev && memcmp(p, d->prev, 16) == 0) {
			if (!d->starring)
				out_write(d->o, "*\n", 2);
			d->starring = 1;
			return;
		}
		d->starring = 0;
		d->have_prev = full && !holes;
		if (d->have_prev)
			memcpy(d->prev, p, 16);
	}
	if (d->autoskip) {
		int nz = !full || holes;
		for (unsigned i = 0; i < count && !nz; i++)
			nz = p[i] != 0;
		d->llen = full && !holes && !d->color ? compose_fast(d, d->lline, d->line_addr, p)
						     : compose_slow(d, d->lline, d->line_addr, p, valid, count);
		xxdline(d, nz);
		return;
	}
	char *b = out_room(d->o, DUMP_LINE_MAX_BYTES);
	d->o->len += full && !holes && !d->color ? compose_fast(d, b, d->line_addr, p)
						 : compose_slow(d, b, d->line_addr, p, valid, count);
}

static void emit_line(struct dumper *d)
{
	emit(d, d->line, d->line_holes ? d->valid : NULL, d->fill);
	d->line_addr += d->fill;
	d->fill = 0;
	d->line_holes = 0;
}

/* The whole-line loop of the two layouts people use most, xxd's default
 * (16 bytes a line in groups of 2) and hexdump -C's, line after line
 * straight into the output buffer.  Each line's address comes from the
 * integer: a text incremented in place had its 16 bytes loaded right
 * after a byte of it was stored, a store-forwarding stall a line.  The
 * loop is inlined into versions with the SSSE3 kernels (the hex columns
 * and the address from registers), picked at run time, and with the plain
 * or SSE2 ones. */
struct line_kernels {
	/* the layout's hex columns of the 16 bytes at P, at H */
	void (*hexcols)(const unsigned char *p, char *h);
	/* the address A's DIGITS digits at B; up to 16 bytes are written, the
	 * line overwrites what follows the digits */
	void (*address)(char *b, uint64_t a, unsigned digits);
};

static void xxd_hex_plain(const unsigned char *p, char *h)
{
	char hex[32];
	hex16(p, hex);
	spread_groups(h, hex);
}

static void canonical_hex_plain(const unsigned char *p, char *h)
{
	char hex[32];
	hex16(p, hex);
	spread_pairs(h, hex);
}

static void address_plain(char *b, uint64_t a, unsigned digits)
{
	char all[16];
	addr16(a, all);
	memcpy(b, all + 16 - digits, digits);
}

/* Whether the line after the one at A needs more than DIGITS digits (or
 * wraps at 2^64): the loop stops there and is called anew. */
static int next_is_longer(uint64_t a, unsigned digits)
{
	return digits < 16 ? (a + 16) >> (4 * digits) != 0 : a + 16 < a;
}

static unsigned address_digits(uint64_t a)
{
	char scratch[20];
	return hex_addr(scratch, a, 8);
}

/* xxd's line: "ADDR: xxxx xxxx xxxx xxxx xxxx xxxx xxxx xxxx  TEXT". */
__attribute__((always_inline)) static inline void xxd_line(char *b, const unsigned char *p, uint64_t a,
							    unsigned digits, const struct line_kernels k)
{
	k.address(b, a, digits);
	b[digits] = ':';
	char *h = b + digits + 1;
	k.hexcols(p, h);
	h += XXD16_HEX_WIDTH;
	h[0] = ' ';
	h[1] = ' ';
	text16(p, h + 2);
	h[18] = '\n';
}

/* hexdump -C's: "ADDR  hh hh hh hh hh hh hh hh  hh hh hh hh hh hh hh hh  |TEXT|". */
__attribute__((always_inline)) static inline void canonical_line(char *b, const unsigned char *p, uint64_t a,
								  unsigned digits, const struct line_kernels k)
{
	k.address(b, a, digits);
	b[digits] = ' ';
	b[digits + 1] = ' ';
	char *h = b + digits + 2;
	k.hexcols(p, h);
	h += CANONICAL_HEX_WIDTH;
	memcpy(h, "  |", 3);
	text16(p, h + 3);
	memcpy(h + 19, "|\n", 2);
}

/* hexdump -C's squeezing, as emit() does it: a line equal to the one
 * before is a "*" line, once.  Whether the 16 bytes at P are squeezed;
 * *B moves past the "*" line written. */
static int squeezed(struct dumper *d, const unsigned char *p, char **b)
{
	if (d->squeeze && d->have_prev && memcmp(p, d->prev, 16) == 0) {
		if (!d->starring) {
			memcpy(*b, "*\n", 2);
			*b += 2;
		}
		d->starring = 1;
		return 1;
	}
	d->starring = 0;
	d->have_prev = 1;
	memcpy(d->prev, p, 16);
	return 0;
}

/* The loop of both layouts; CANONICAL is a constant where it is inlined. */
__attribute__((always_inline)) static inline size_t lines16_body(struct dumper *d, const unsigned char *p,
								  size_t lines, int canonical, const struct line_kernels k)
{
	uint64_t a = d->line_addr;
	unsigned digits = address_digits(a);
	size_t len = digits + (canonical ? 71 : 60), done = 0;
	int longer = 0;
	while (done < lines && !longer) {
		size_t batch = (d->o->cap / 2) / len;
		if (batch > lines - done)
			batch = lines - done;
		char *b = out_room(d->o, batch * len);
		size_t l = 0;
		for (; l < batch && !longer; l++, p += 16, a += 16) {
			longer = next_is_longer(a, digits);
			if (canonical && squeezed(d, p, &b))
				continue;
			if (canonical)
				canonical_line(b, p, a, digits, k);
			else
				xxd_line(b, p, a, digits, k);
			b += len;
		}
		d->o->len = (size_t)(b - d->o->buf);
		done += l;
	}
	d->line_addr = a;
	return done;
}

/* 64 MiB of random bytes, CPU time (perf stat, 15 runs): dump -C 76 ms
 * through emit(), 54 ms in its own loop with the SSSE3 hex kernel. */
#ifdef HEX_SSSE3
__attribute__((target("ssse3"))) static size_t lines16_ssse3(struct dumper *d, const unsigned char *p, size_t lines,
							       int canonical)
{
	if (canonical)
		return lines16_body(d, p, lines, 1, (struct line_kernels){ canonical_hex_ssse3, address_ssse3 });
	return lines16_body(d, p, lines, 0, (struct line_kernels){ xxd_hex_ssse3, address_ssse3 });
}
#endif

/* LINES whole lines at P in xxd's layout or (CANONICAL) hexdump -C's, up
 * to the first whose address is a digit longer; how many were done. */
static size_t lines16(struct dumper *d, const unsigned char *p, size_t lines, int canonical)
{
#ifdef HEX_SSSE3
	if (hex_ssse3)
		return lines16_ssse3(d, p, lines, canonical);
#endif
	if (canonical)
		return lines16_body(d, p, lines, 1, (struct line_kernels){ canonical_hex_plain, address_plain });
	return lines16_body(d, p, lines, 0, (struct line_kernels){ xxd_hex_plain, address_plain });
}

/* Two CPUs format a long run of whole lines at once: a helper thread
 * formats the second half of each 512 KiB into a buffer of its own while
 * the caller formats the first half into the output, which then takes
 * the helper's text after it.  A line depends only on its bytes and address,
 * and on the two lines before it for hexdump -C's squeezing, both at
 * hand.  Formatting is four fifths of a dump's work, so this pays better
 * than reading ahead, which it replaces: with both, a third thread wants
 * a CPU and the helper waited 60-100 us a wake-up.  dump of 64 MiB,
 * medians of 40 alternated runs: 49.1 ms with read-ahead alone, 43.5 ms
 * split (HELPER_LINES_MAX 16384 or 32768 alike), and 30% less CPU. */
#define SPLIT_MIN_LINES 2048		/* 32 KiB: less is not worth a wake-up */
#define HELPER_LINES_MAX 16384		/* 256 KiB: its text stays in L2 */
#define LINE16_MAX (16 + 71)		/* 16 digits and hexdump -C's line */

struct dump_helper {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum { HELPER_IDLE, HELPER_WORK, HELPER_DONE, HELPER_QUIT } state;
	struct dumper d;	/* the dumper as at its half's first line */
	struct out o;		/* its half's text, never written out by it */
	const unsigned char *p;
	size_t lines;
	int canonical;
};

static void *helper_main(void *arg)
{
	struct dump_helper *h = arg;
	pthread_mutex_lock(&h->lock);
	for (;;) {
		while (h->state == HELPER_IDLE || h->state == HELPER_DONE)
			pthread_cond_wait(&h->cond, &h->lock);
		if (h->state == HELPER_QUIT)
			break;
		pthread_mutex_unlock(&h->lock);
		h->o.len = 0;
		lines16(&h->d, h->p, h->lines, h->canonical);
		pthread_mutex_lock(&h->lock);
		h->state = HELPER_DONE;
		pthread_cond_broadcast(&h->cond);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* The helper, or NULL where there is no memory or thread for it (the
 * caller then formats alone). */
static struct dump_helper *helper_start(void)
{
	struct dump_helper *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	/* Room for its half at once: lines16() then never drains it. */
	h->o = (struct out){ .fd = -1, .cap = 2 * (size_t)HELPER_LINES_MAX * LINE16_MAX };
	h->o.buf = malloc(h->o.cap);
	if (!h->o.buf) {
		free(h);
		return NULL;
	}
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	/* Signals stay with the caller (^C, SIGPIPE). */
	if (quiet_thread_start(&h->thread, helper_main, h) == 0)
		return h;
	pthread_cond_destroy(&h->cond);
	pthread_mutex_destroy(&h->lock);
	free(h->o.buf);
	free(h);
	return NULL;
}

static void helper_stop(struct dump_helper *h)
{
	pthread_mutex_lock(&h->lock);
	h->state = HELPER_QUIT;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->thread, NULL);
	pthread_cond_destroy(&h->cond);
	pthread_mutex_destroy(&h->lock);
	free(h->o.buf);
	free(h);
}

/* How many lines from A on take DIGITS digits, as A does: after them the
 * address is a digit longer, or wraps at 2^64. */
static uint64_t same_digit_lines(uint64_t a, unsigned digits)
{
	if (digits >= 16)
		return (UINT64_MAX - a) / 16 + 1;
	return (((uint64_t)1 << (4 * digits)) - a + 15) / 16;
}

/* lines16() on two CPUs, 512 KiB at a time, while the run is long and
 * its addresses keep their length; how many lines were done (0: none). */
static size_t lines16_split(struct dumper *d, const unsigned char *p, size_t lines, int canonical)
{
	size_t done = 0;
	while (lines - done >= SPLIT_MIN_LINES) {
		uint64_t a = d->line_addr;
		size_t seg = lines - done < 2 * HELPER_LINES_MAX ? lines - done : 2 * HELPER_LINES_MAX;
		if (seg > same_digit_lines(a, address_digits(a)))
			break;
		if (!d->helper && !(d->helper = helper_start())) {
			d->split = 0;
			break;
		}
		struct dump_helper *h = d->helper;
		const unsigned char *q = p + 16 * done;
		size_t first = seg / 2;
		h->d = *d;
		h->d.o = &h->o;
		h->d.line_addr = a + 16 * first;
		/* squeezed()'s state after the line before the helper's first */
		h->d.have_prev = 1;
		memcpy(h->d.prev, q + 16 * (first - 1), 16);
		h->d.starring = memcmp(q + 16 * (first - 1), q + 16 * (first - 2), 16) == 0;
		h->p = q + 16 * first;
		h->lines = seg - first;
		h->canonical = canonical;
		pthread_mutex_lock(&h->lock);
		h->state = HELPER_WORK;
		pthread_cond_broadcast(&h->cond);
		pthread_mutex_unlock(&h->lock);

		lines16(d, q, first, canonical);

		pthread_mutex_lock(&h->lock);
		while (h->state != HELPER_DONE)
			pthread_cond_wait(&h->cond, &h->lock);
		h->state = HELPER_IDLE;
		pthread_mutex_unlock(&h->lock);
		out_write(d->o, h->o.buf, h->o.len);
		d->line_addr = h->d.line_addr;
		d->have_prev = h->d.have_prev;
		d->starring = h->d.starring;
		memcpy(d->prev, h->d.prev, 16);
		done += seg;
	}
	return done;
}

/* The end of what was dumped; a range that ends at 2^64 wraps it to 0. */
static void advance_end(struct dumper *d, uint64_t n)
{
	if (n > UINT64_MAX - d->end_addr)
		d->end_top = 1;
	d->end_addr += n;
}

void dumper_data(struct dumper *d, const unsigned char *p, size_t n)
{
	advance_end(d, n);
	int canonical = d->fast == FAST_CANONICAL;
	while (n) {
		if (d->fast && d->fill == 0 && n >= 16) {
			d->any = 1;
			size_t lines = d->split ? lines16_split(d, p, n / 16, canonical) : 0;
			if (!lines)
				lines = lines16(d, p, n / 16, canonical);
			p += 16 * lines;
			n -= 16 * lines;
			continue;
		}
		if (d->fill == 0 && n >= d->cols) {
			emit(d, p, NULL, d->cols);
			d->line_addr += d->cols;
			p += d->cols;
			n -= d->cols;
			continue;
		}
		size_t take = d->cols - d->fill < n ? d->cols - d->fill : n;
		memcpy(d->line + d->fill, p, take);
		memset(d->valid + d->fill, 1, take);
		d->fill += (unsigned)take;
		p += take;
		n -= take;
		if (d->fill == d->cols)
			emit_line(d);
	}
}

/* Unreadable bytes into the line being gathered, up to its end; returns
 * how many went in. */
static uint64_t hole_in_line(struct dumper *d, uint64_t n)
{
	uint64_t take = d->cols - d->fill < n ? d->cols - d->fill : n;
	memset(d->valid + d->fill, 0, (size_t)take);
	memset(d->line + d->fill, 0, (size_t)take);
	d->fill += (unsigned)take;
	d->line_holes |= take > 0;
	if (d->fill == d->cols)
		emit_line(d);
	return take;
}

void dumper_hole(struct dumper *d, uint64_t n, int err)
{
	advance_end(d, n);
	if (d->fill)
		n -= hole_in_line(d, n);
	if (n > d->cols) {
		/* A run longer than a line: one line that says so. */
		uint64_t whole = n - n % d->cols;
		char *b = d->autoskip ? d->lline : out_room(d->o, SUMMARY_LINE_MAX);
		char *s = b + hex_addr(b, d->line_addr, 8);
		s += sprintf(s, "%s** %" PRIu64 " bytes unreadable (%s) **\n", d->style == DUMP_XXD ? ": " : "  ",
			     whole, unreadable_reason(err));
		d->any = 1;
		d->have_prev = d->starring = 0;
		if (d->autoskip) {
			d->llen = (size_t)(s - b);
			xxdline(d, 1);
		} else {
			d->o->len += (size_t)(s - b);
		}
		d->line_addr += whole;
		n -= whole;
	}
	while (n)
		n -= hole_in_line(d, n);
}

void dumper_finish(struct dumper *d)
{
	if (d->fill)
		emit_line(d);
	else if (d->autoskip && d->any)
		xxdline(d, -1);
	if (d->style == DUMP_CANONICAL && d->any) {
		char *b = out_room(d->o, 32);
		unsigned n = d->end_top ? (unsigned)sprintf(b, "10000000000000000") : hex_addr(b, d->end_addr, 8);
		b[n] = '\n';
		d->o->len += n + 1;
	}
	d->any = 0;
}

