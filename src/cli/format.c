/* Formatters: table-driven, writing into one large output buffer, and
 * byte-identical to xxd and hexdump -C on readable bytes. */
#include "config.h"
#include "format.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define OUT_CAP ((size_t)256 << 10)

int out_init(struct out *o, int fd)
{
	*o = (struct out){ .fd = fd, .cap = OUT_CAP };
	o->buf = malloc(o->cap);
	/* A pipe of the default 64 KiB costs a context switch per 64 KiB;
	 * at 1 MiB (the unprivileged limit) a 1 GiB read into cat runs 2.7
	 * times faster.  Refused or not a pipe: nothing changes. */
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) && fcntl(fd, F_GETPIPE_SZ) < (1 << 20))
		fcntl(fd, F_SETPIPE_SZ, 1 << 20);
	return o->buf ? 0 : -ENOMEM;
}

void out_free(struct out *o)
{
	free(o->buf);
	o->buf = NULL;
}

static void out_drain(struct out *o, const char *p, size_t n)
{
	while (n && !o->err) {
		ssize_t w = write(o->fd, p, n);
		if (w < 0) {
			if (errno != EINTR)
				o->err = errno;
			continue;
		}
		p += w;
		n -= (size_t)w;
	}
}

int out_flush(struct out *o)
{
	out_drain(o, o->buf, o->len);
	o->len = 0;
	return o->err ? -o->err : 0;
}

char *out_room(struct out *o, size_t n)
{
	if (o->cap - o->len < n)
		out_flush(o);
	return o->buf + o->len;
}

void out_write(struct out *o, const void *p, size_t n)
{
	if (n >= o->cap / 2) {
		/* Large blocks go straight out, without a copy. */
		out_flush(o);
		out_drain(o, p, n);
		return;
	}
	memcpy(out_room(o, n), p, n);
	o->len += n;
}

void out_str(struct out *o, const char *s)
{
	out_write(o, s, strlen(s));
}

const char *unreadable_reason(int err)
{
	switch (err) {
	case -EFAULT:
		return "not mapped";
	case -EACCES:
		return "mapped without read permission; --force reads it";
	case -EIO:
		return "refused by the kernel";
	default:
		return strerror(-err);
	}
}

static const char hexdigits[] = "0123456789abcdef";
/* Each byte's two hex digits, and its character in the text column. */
static char hexpair[256][2];
static char printable[256];

static void tables_init(void)
{
	if (hexpair[1][1])
		return;
	for (int i = 0; i < 256; i++) {
		hexpair[i][0] = hexdigits[i >> 4];
		hexpair[i][1] = hexdigits[i & 15];
		printable[i] = (char)(i > 31 && i < 127 ? i : '.');
	}
}

/* Sixteen bytes to 32 hex digits, and to 16 characters of the text
 * column: with SSE2 (every x86-64) without a table lookup per byte. */
static inline void hex16(const unsigned char *p, char *out)
{
#ifdef __SSE2__
	const __m128i mask = _mm_set1_epi8(0x0f), nine = _mm_set1_epi8(9);
	const __m128i zero = _mm_set1_epi8('0'), gap = _mm_set1_epi8('a' - '0' - 10);
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i lo = _mm_and_si128(v, mask), hi = _mm_and_si128(_mm_srli_epi16(v, 4), mask);
	lo = _mm_add_epi8(_mm_add_epi8(lo, zero), _mm_and_si128(_mm_cmpgt_epi8(lo, nine), gap));
	hi = _mm_add_epi8(_mm_add_epi8(hi, zero), _mm_and_si128(_mm_cmpgt_epi8(hi, nine), gap));
	_mm_storeu_si128((__m128i *)(void *)out, _mm_unpacklo_epi8(hi, lo));
	_mm_storeu_si128((__m128i *)(void *)(out + 16), _mm_unpackhi_epi8(hi, lo));
#else
	for (int i = 0; i < 16; i++)
		memcpy(out + 2 * i, hexpair[p[i]], 2);
#endif
}

static inline void text16(const unsigned char *p, char *out)
{
#ifdef __SSE2__
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i ok = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(31)), _mm_cmplt_epi8(v, _mm_set1_epi8(127)));
	__m128i r = _mm_or_si128(_mm_and_si128(ok, v), _mm_andnot_si128(ok, _mm_set1_epi8('.')));
	_mm_storeu_si128((__m128i *)(void *)out, r);
#else
	for (int i = 0; i < 16; i++)
		out[i] = printable[p[i]];
#endif
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

/* "%0*lx" of v with at least min digits; returns the digit count.  Every
 * dump line starts with one, so it is branch-light: all 16 digits at once,
 * then the significant ones. */
static unsigned put_addr(char *b, uint64_t v, unsigned min)
{
	unsigned digits = v ? (unsigned)(67 - __builtin_clzll(v)) / 4 : 1;
	if (digits < min)
		digits = min;
	char all[16];
#ifdef __SSE2__
	const __m128i mask = _mm_set1_epi8(0x0f), nine = _mm_set1_epi8(9);
	const __m128i zero = _mm_set1_epi8('0'), gap = _mm_set1_epi8('a' - '0' - 10);
	uint64_t be = __builtin_bswap64(v);
	__m128i x = _mm_loadl_epi64((const __m128i *)(const void *)&be);
	__m128i lo = _mm_and_si128(x, mask), hi = _mm_and_si128(_mm_srli_epi16(x, 4), mask);
	lo = _mm_add_epi8(_mm_add_epi8(lo, zero), _mm_and_si128(_mm_cmpgt_epi8(lo, nine), gap));
	hi = _mm_add_epi8(_mm_add_epi8(hi, zero), _mm_and_si128(_mm_cmpgt_epi8(hi, nine), gap));
	_mm_storeu_si128((__m128i *)(void *)all, _mm_unpacklo_epi8(hi, lo));
#else
	for (int i = 15; i >= 0; i--, v >>= 4)
		all[i] = hexdigits[v & 15];
#endif
	memcpy(b, all + 16 - digits, digits);
	return digits;
}

/* " xxxx" eight times: 32 hex digits spread into groups of four, each
 * after a space.  With SSSE3 (checked at run time) three byte shuffles do
 * it; elsewhere a loop. */
static void spread_groups_plain(char *h, const char *hex)
{
	for (unsigned k = 0; k < 8; k++) {
		h[5 * k] = ' ';
		memcpy(h + 5 * k + 1, hex + 4 * k, 4);
	}
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <tmmintrin.h>
/* Output byte o is a space when o % 5 == 0, else hex digit
 * (o / 5) * 4 + o % 5 - 1; -1 selects nothing. */
__attribute__((target("ssse3"))) static void spread_groups_ssse3(char *h, const char *hex)
{
	__m128i a = _mm_loadu_si128((const __m128i *)(const void *)hex);
	__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(hex + 16));
	const __m128i s0a = _mm_setr_epi8(-1, 0, 1, 2, 3, -1, 4, 5, 6, 7, -1, 8, 9, 10, 11, -1);
	const __m128i s1a = _mm_setr_epi8(12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
	const __m128i s1b = _mm_setr_epi8(-1, -1, -1, -1, -1, 0, 1, 2, 3, -1, 4, 5, 6, 7, -1, 8);
	const __m128i s2b = _mm_setr_epi8(9, 10, 11, -1, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1);
	const __m128i sp0 = _mm_setr_epi8(' ', 0, 0, 0, 0, ' ', 0, 0, 0, 0, ' ', 0, 0, 0, 0, ' ');
	const __m128i sp1 = _mm_setr_epi8(0, 0, 0, 0, ' ', 0, 0, 0, 0, ' ', 0, 0, 0, 0, ' ', 0);
	const __m128i sp2 = _mm_setr_epi8(0, 0, 0, ' ', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	__m128i o0 = _mm_or_si128(_mm_shuffle_epi8(a, s0a), sp0);
	__m128i o1 = _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(a, s1a), _mm_shuffle_epi8(b, s1b)), sp1);
	__m128i o2 = _mm_or_si128(_mm_shuffle_epi8(b, s2b), sp2);
	_mm_storeu_si128((__m128i *)(void *)h, o0);
	_mm_storeu_si128((__m128i *)(void *)(h + 16), o1);
	_mm_storel_epi64((__m128i *)(void *)(h + 32), o2);
}

/* hexdump -C's "hh hh hh hh hh hh hh hh  hh ... hh" (48 bytes), the same way. */
__attribute__((target("ssse3"))) static void spread_pairs_ssse3(char *h, const char *hex)
{
	__m128i a = _mm_loadu_si128((const __m128i *)(const void *)hex);
	__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(hex + 16));
	const __m128i s0a = _mm_setr_epi8(0, 1, -1, 2, 3, -1, 4, 5, -1, 6, 7, -1, 8, 9, -1, 10);
	const __m128i s1a = _mm_setr_epi8(11, -1, 12, 13, -1, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1);
	const __m128i s1b = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 1, -1, 2, 3, -1, 4);
	const __m128i s2b = _mm_setr_epi8(5, -1, 6, 7, -1, 8, 9, -1, 10, 11, -1, 12, 13, -1, 14, 15);
	const __m128i sp0 = _mm_setr_epi8(0, 0, ' ', 0, 0, ' ', 0, 0, ' ', 0, 0, ' ', 0, 0, ' ', 0);
	const __m128i sp1 = _mm_setr_epi8(0, ' ', 0, 0, ' ', 0, 0, ' ', ' ', 0, 0, ' ', 0, 0, ' ', 0);
	const __m128i sp2 = _mm_setr_epi8(0, ' ', 0, 0, ' ', 0, 0, ' ', 0, 0, ' ', 0, 0, ' ', 0, 0);
	__m128i o0 = _mm_or_si128(_mm_shuffle_epi8(a, s0a), sp0);
	__m128i o1 = _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(a, s1a), _mm_shuffle_epi8(b, s1b)), sp1);
	__m128i o2 = _mm_or_si128(_mm_shuffle_epi8(b, s2b), sp2);
	_mm_storeu_si128((__m128i *)(void *)h, o0);
	_mm_storeu_si128((__m128i *)(void *)(h + 16), o1);
	_mm_storeu_si128((__m128i *)(void *)(h + 32), o2);
}

static int have_ssse3(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("ssse3");
}
#define HAVE_SPREAD_SSSE3 1
#endif

static void (*resolve_spread(void))(char *, const char *)
{
#ifdef HAVE_SPREAD_SSSE3
	if (have_ssse3())
		return spread_groups_ssse3;
#endif
	return spread_groups_plain;
}

/* hexdump -C's pairs by shuffles, or NULL for the per-pair copy. */
static void (*resolve_pairs(void))(char *, const char *)
{
#ifdef HAVE_SPREAD_SSSE3
	if (have_ssse3())
		return spread_pairs_ssse3;
#endif
	return NULL;
}

void dumper_init(struct dumper *d, struct out *o, enum dump_style style, unsigned cols, unsigned group,
		 int autoskip, int squeeze, int color)
{
	tables_init();
	memset(d, 0, sizeof *d);
	d->o = o;
	d->style = style;
	d->cols = style == DUMP_CANONICAL ? 16 : cols;
	/* As xxd: a group size of 0 or beyond the line means one group. */
	d->group = group < 1 || group > d->cols ? d->cols : group;
	d->autoskip = style == DUMP_XXD && autoskip;
	d->squeeze = style == DUMP_CANONICAL && squeeze;
	d->color = color;
	d->spread_pairs = style == DUMP_CANONICAL ? resolve_pairs() : NULL;
	if (d->autoskip) {
		d->zline = malloc(16384);
		d->lline = malloc(16384);
		if (!d->zline || !d->lline)
			d->autoskip = 0;
	}
}

void dumper_free(struct dumper *d)
{
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

/* Where xxd puts the hex digits of byte p and the text column. */
static unsigned xxd_hexpos(const struct dumper *d, unsigned addrlen, unsigned p)
{
	unsigned grplen = 2 * d->group + 1;
	return addrlen + 1 + (grplen * p) / d->group;
}

static unsigned xxd_asciipos(const struct dumper *d, unsigned addrlen)
{
	unsigned grplen = 2 * d->group + 1;
	return addrlen + 3 + (grplen * d->cols - 1) / d->group;
}

static void build_template(struct dumper *d, unsigned addrlen)
{
	d->tmpl_addrlen = addrlen;
	if (d->style == DUMP_XXD) {
		for (unsigned p = 0; p < d->cols; p++)
			d->hexpos[p] = xxd_hexpos(d, addrlen, p);
		d->asciipos = xxd_asciipos(d, addrlen);
		d->tmpl_len = d->asciipos + d->cols + 1;
		memset(d->tmpl, ' ', d->tmpl_len);
		d->tmpl[addrlen - 1] = ':';
	} else {
		for (unsigned p = 0; p < 16; p++)
			d->hexpos[p] = addrlen + 2 + 3 * p + (p >= 8);
		d->asciipos = addrlen + 2 + 3 * 16 + 1 + 2;
		d->tmpl_len = d->asciipos + 16 + 2;
		memset(d->tmpl, ' ', d->tmpl_len);
		d->tmpl[d->asciipos - 1] = '|';
		d->tmpl[d->asciipos + 16] = '|';
	}
	d->tmpl[d->tmpl_len - 1] = '\n';
}

/* A whole line of readable bytes, uncoloured: the hot path. */
static size_t compose_fast(struct dumper *d, char *b, uint64_t addr, const unsigned char *p)
{
	char digits[20];
	unsigned n = put_addr(digits, addr, 8);
	unsigned addrlen = d->style == DUMP_XXD ? n + 1 : n;
	if (addrlen != d->tmpl_addrlen)
		build_template(d, addrlen);
	memcpy(b, d->tmpl, d->tmpl_len);
	memcpy(b, digits, n);
	char *ascii = b + d->asciipos;
	if (d->cols == 16) {
		char hex[32];
		hex16(p, hex);
		if (d->spread_pairs)
			d->spread_pairs(b + d->hexpos[0], hex);
		else
			for (unsigned i = 0; i < 16; i++)
				memcpy(b + d->hexpos[i], hex + 2 * i, 2);
		text16(p, ascii);
		return d->tmpl_len;
	}
	for (unsigned i = 0; i < d->cols; i++) {
		memcpy(b + d->hexpos[i], hexpair[p[i]], 2);
		ascii[i] = printable[p[i]];
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
	unsigned addrlen = put_addr(s, addr, 8);
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
		unsigned pos = d->style == DUMP_XXD ? xxd_hexpos(d, addrlen, i) : addrlen + 2 + 3 * i + (i >= 8);
		for (; col < pos; col++)
			*s++ = ' ';
		if (i >= count)
			continue;
		int ok = !valid || valid[i];
		if (d->color)
			s = put(s, ok ? color_of(p[i]) : COLOR_HOLE);
		memcpy(s, ok ? hexpair[p[i]] : "??", 2);
		s += 2;
		col += 2;
		if (d->color)
			s = put(s, COLOR_RESET);
	}
	unsigned apos = d->style == DUMP_XXD ? xxd_asciipos(d, addrlen) : addrlen + 2 + 3 * 16 + 1 + 2;
	if (d->style == DUMP_CANONICAL)
		apos--;
	for (; col < apos; col++)
		*s++ = ' ';
	if (d->style == DUMP_CANONICAL)
		*s++ = '|';
	for (unsigned i = 0; i < count; i++) {
		int ok = !valid || valid[i];
		if (d->color)
			s = put(s, ok ? color_of(p[i]) : COLOR_HOLE);
		*s++ = ok ? printable[p[i]] : ' ';
		if (d->color)
			s = put(s, COLOR_RESET);
	}
	if (d->style == DUMP_CANONICAL)
		*s++ = '|';
	*s++ = '\n';
	return (size_t)(s - b);
}

/* The longest line: address, 256 coloured hex pairs and text characters. */
#define LINE_MAX_BYTES 16384

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
	char *b = out_room(d->o, LINE_MAX_BYTES);
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

/* xxd's default layout (16 bytes a line in groups of 2), the view people
 * use most, line after line straight into the output buffer: the address
 * text is incremented in place rather than formatted anew. */
static size_t xxd16_lines(struct dumper *d, const unsigned char *p, size_t lines)
{
	static void (*spread_groups)(char *, const char *);
	if (!spread_groups)
		spread_groups = resolve_spread();
	char addr[20] = { 0 };
	unsigned digits = put_addr(addr, d->line_addr, 8);
	size_t len = digits + 60, done = 0;
	while (done < lines) {
		size_t batch = (d->o->cap / 2) / len;
		if (batch > lines - done)
			batch = lines - done;
		char *b = out_room(d->o, batch * len);
		for (size_t l = 0; l < batch; l++, b += len, p += 16) {
			char hex[32];
			hex16(p, hex);
			/* A fixed-size copy; the rest of the line overwrites the tail. */
			memcpy(b, addr, 16);
			b[digits] = ':';
			char *h = b + digits + 1;
			spread_groups(h, hex);
			h += 40;
			h[0] = ' ';
			h[1] = ' ';
			text16(p, h + 2);
			h[18] = '\n';
			/* The next address: +16 is +1 in the second-last digit. */
			int i = (int)digits - 2;
			for (; i >= 0; i--) {
				if (addr[i] == 'f') {
					addr[i] = '0';
					continue;
				}
				addr[i] = addr[i] == '9' ? 'a' : (char)(addr[i] + 1);
				break;
			}
			if (i < 0) {
				d->o->len += (size_t)(b + len - (d->o->buf + d->o->len));
				d->line_addr += 16 * (done + l + 1);
				return done + l + 1;
			}
		}
		d->o->len += batch * len;
		done += batch;
	}
	d->line_addr += 16 * lines;
	return lines;
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
	int plain = d->style == DUMP_XXD && d->cols == 16 && d->group == 2 && !d->autoskip && !d->color;
	while (n) {
		if (plain && d->fill == 0 && n >= 16) {
			d->any = 1;
			size_t lines = xxd16_lines(d, p, n / 16);
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

void dumper_hole(struct dumper *d, uint64_t n, int err)
{
	advance_end(d, n);
	while (n && d->fill) {
		d->valid[d->fill] = 0;
		d->line[d->fill++] = 0;
		d->line_holes = 1;
		n--;
		if (d->fill == d->cols)
			emit_line(d);
	}
	if (n > d->cols) {
		/* A run longer than a line: one line that says so. */
		uint64_t whole = n - n % d->cols;
		char *b = d->autoskip ? d->lline : out_room(d->o, 256);
		char *s = b + put_addr(b, d->line_addr, 8);
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
	while (n) {
		d->valid[d->fill] = 0;
		d->line[d->fill++] = 0;
		d->line_holes = 1;
		n--;
		if (d->fill == d->cols)
			emit_line(d);
	}
}

void dumper_finish(struct dumper *d)
{
	if (d->fill)
		emit_line(d);
	else if (d->autoskip && d->any)
		xxdline(d, -1);
	if (d->style == DUMP_CANONICAL && d->any) {
		char *b = out_room(d->o, 32);
		unsigned n = d->end_top ? (unsigned)sprintf(b, "10000000000000000") : put_addr(b, d->end_addr, 8);
		b[n] = '\n';
		d->o->len += n + 1;
	}
	d->any = 0;
}

void hex_data(struct out *o, const unsigned char *p, size_t n)
{
	tables_init();
	while (n) {
		size_t take = n < o->cap / 4 ? n : o->cap / 4;
		char *b = out_room(o, 2 * take);
		size_t i = 0;
		for (; i + 16 <= take; i += 16)
			hex16(p + i, b + 2 * i);
		for (; i < take; i++)
			memcpy(b + 2 * i, hexpair[p[i]], 2);
		o->len += 2 * take;
		p += take;
		n -= take;
	}
}

void carray_start(struct carray *c, struct out *o, uint64_t addr)
{
	tables_init();
	*c = (struct carray){ .o = o, .addr = addr };
}

/* The declaration goes out with the first byte, so that a range that
 * cannot be read at all prints nothing. */
static void carray_open(struct carray *c)
{
	if (c->opened)
		return;
	char line[64];
	snprintf(line, sizeof line, "unsigned char pvmio_%" PRIx64 "[] = {\n", c->addr);
	out_str(c->o, line);
	c->opened = 1;
}

void carray_data(struct carray *c, const unsigned char *p, size_t n)
{
	carray_open(c);
	for (size_t i = 0; i < n; i++) {
		char *b = out_room(c->o, 8);
		size_t k = 0;
		if (c->count) {
			b[k++] = ',';
			b[k++] = c->col == 12 ? '\n' : ' ';
			if (c->col == 12)
				c->col = 0;
		}
		if (c->col == 0) {
			b[k++] = ' ';
			b[k++] = ' ';
		}
		b[k++] = '0';
		b[k++] = 'x';
		memcpy(b + k, hexpair[p[i]], 2);
		c->o->len += k + 2;
		c->col++;
		c->count++;
	}
}

void carray_finish(struct carray *c)
{
	char line[96];
	carray_open(c);
	if (c->count)
		out_write(c->o, "\n", 1);
	snprintf(line, sizeof line, "};\nunsigned int pvmio_%" PRIx64 "_len = %" PRIu64 ";\n", c->addr, c->count);
	out_str(c->o, line);
}

void typed_start(struct typed *ty, struct out *o, const struct vtype *t, int big, int hex, int addresses,
		 uint64_t addr)
{
	*ty = (struct typed){ .o = o, .t = *t, .big = big, .hex = hex, .addresses = addresses, .addr = addr, .base = addr };
}

void typed_value(struct out *o, const struct vtype *t, int big, int hex, const unsigned char *p)
{
	char buf[64];
	uint64_t u = load_uint(p, t->size, big);
	unsigned bits = t->size * 8;
	if (hex)
		snprintf(buf, sizeof buf, "0x%0*" PRIx64 "\n", (int)t->size * 2, u);
	else if (t->kind == V_POINTER)
		snprintf(buf, sizeof buf, "0x%" PRIx64 "\n", u);
	else if (t->kind == V_UNSIGNED)
		snprintf(buf, sizeof buf, "%" PRIu64 "\n", u);
	else if (t->kind == V_SIGNED) {
		int64_t v = bits < 64 && (u >> (bits - 1)) ? (int64_t)(u | ~(((uint64_t)1 << bits) - 1)) : (int64_t)u;
		snprintf(buf, sizeof buf, "%" PRId64 "\n", v);
	} else if (((u >> (bits == 32 ? 23 : 52)) & (bits == 32 ? 0xff : 0x7ff)) == (bits == 32 ? 0xff : 0x7ff) &&
		   (u & (((uint64_t)1 << (bits == 32 ? 23 : 52)) - 1))) {
		/* A NaN keeps its bits through write -t: nan and -nan for the
		 * default quiet NaN, else its mantissa. */
		unsigned mbits = bits == 32 ? 23 : 52;
		uint64_t mant = u & (((uint64_t)1 << mbits) - 1);
		const char *sign = u >> (bits - 1) ? "-" : "";
		if (mant == (uint64_t)1 << (mbits - 1))
			snprintf(buf, sizeof buf, "%snan\n", sign);
		else
			snprintf(buf, sizeof buf, "%snan(%#" PRIx64 ")\n", sign, mant);
	} else if (t->size == 4) {
		uint32_t w = (uint32_t)u;
		float f;
		memcpy(&f, &w, 4);
		snprintf(buf, sizeof buf, "%.9g\n", (double)f);
	} else {
		double f;
		memcpy(&f, &u, 8);
		snprintf(buf, sizeof buf, "%.17g\n", f);
	}
	out_str(o, buf);
}

void typed_data(struct typed *ty, const unsigned char *p, size_t n)
{
	while (n) {
		if (ty->discard) {
			size_t drop = ty->discard < n ? (size_t)ty->discard : n;
			ty->discard -= drop;
			ty->addr += drop;
			p += drop;
			n -= drop;
			continue;
		}
		size_t take = ty->t.size - ty->fill < n ? ty->t.size - ty->fill : n;
		memcpy(ty->elem + ty->fill, p, take);
		ty->fill += (unsigned)take;
		p += take;
		n -= take;
		if (ty->fill == ty->t.size) {
			if (ty->addresses) {
				char buf[32];
				snprintf(buf, sizeof buf, "0x%" PRIx64 ": ", ty->addr);
				out_str(ty->o, buf);
			}
			typed_value(ty->o, &ty->t, ty->big, ty->hex, ty->elem);
			ty->addr += ty->t.size;
			ty->fill = 0;
		}
	}
}

void typed_skip(struct typed *ty, uint64_t n)
{
	/* The element the run cuts is lost; gathering resumes at the next
	 * element boundary counted from the range's start.  While discarding,
	 * fill is 0 and addr is the next byte's address. */
	uint64_t next = ty->addr + ty->fill + n;
	uint64_t off = next - ty->base;
	ty->addr = next;
	ty->fill = 0;
	ty->discard = (ty->t.size - off % ty->t.size) % ty->t.size;
}
