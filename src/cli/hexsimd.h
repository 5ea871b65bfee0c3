/* The byte-to-text kernels of the dumper and the value formatters, each
 * SIMD version beside its plain reference (the reference is what
 * ./configure --disable-simd builds, and what the fuzzers compare the
 * SIMD versions with).  SSE2, which every x86-64 has, is used at build
 * time; SSSE3 is chosen at run time (hexsimd.c).  Inline: the dumper calls
 * them once a line. */
#ifndef PVMIO_HEXSIMD_H
#define PVMIO_HEXSIMD_H

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__) && !defined(PVMIO_NO_SIMD)
#define HEX_SSE2 1
#include <emmintrin.h>
#endif

/* Each byte's two hex digits, and its character in a text column (xxd's
 * and hexdump -C's: printable ASCII, else '.').  hex_tables_init fills
 * them; every formatter's init calls it. */
extern char hex_pair[256][2];
extern char text_char[256];
void hex_tables_init(void);

static inline void hex16_plain(const unsigned char *p, char *out)
{
	for (int i = 0; i < 16; i++)
		memcpy(out + 2 * i, hex_pair[p[i]], 2);
}

static inline void text16_plain(const unsigned char *p, char *out)
{
	for (int i = 0; i < 16; i++)
		out[i] = text_char[p[i]];
}

/* V's 16 digits of "%016lx", most significant first. */
static inline void addr16_plain(uint64_t v, char *out)
{
	for (int i = 15; i >= 0; i--, v >>= 4)
		out[i] = hex_pair[v & 15][1];
}

#ifdef HEX_SSE2
/* Nibbles (0..15 in each byte) to their lowercase hex digits. */
static inline __m128i hex_digits_sse2(__m128i nib)
{
	const __m128i nine = _mm_set1_epi8(9), zero = _mm_set1_epi8('0'), gap = _mm_set1_epi8('a' - '0' - 10);
	return _mm_add_epi8(_mm_add_epi8(nib, zero), _mm_and_si128(_mm_cmpgt_epi8(nib, nine), gap));
}

/* The hex digits of V's 16 bytes, each byte's high nibble first: those
 * of bytes 0..7 in *A, of bytes 8..15 in *B. */
static inline void hex_pairs_sse2(__m128i v, __m128i *a, __m128i *b)
{
	const __m128i mask = _mm_set1_epi8(0x0f);
	__m128i lo = hex_digits_sse2(_mm_and_si128(v, mask));
	__m128i hi = hex_digits_sse2(_mm_and_si128(_mm_srli_epi16(v, 4), mask));
	*a = _mm_unpacklo_epi8(hi, lo);
	*b = _mm_unpackhi_epi8(hi, lo);
}

static inline void hex16_sse2(const unsigned char *p, char *out)
{
	__m128i a, b;
	hex_pairs_sse2(_mm_loadu_si128((const __m128i *)(const void *)p), &a, &b);
	_mm_storeu_si128((__m128i *)(void *)out, a);
	_mm_storeu_si128((__m128i *)(void *)(out + 16), b);
}

static inline void text16_sse2(const unsigned char *p, char *out)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i ok = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(31)), _mm_cmplt_epi8(v, _mm_set1_epi8(127)));
	__m128i r = _mm_or_si128(_mm_and_si128(ok, v), _mm_andnot_si128(ok, _mm_set1_epi8('.')));
	_mm_storeu_si128((__m128i *)(void *)out, r);
}

/* V's 16 hex digits as a vector, most significant first. */
static inline __m128i addr_digits_sse2(uint64_t v)
{
	uint64_t be = __builtin_bswap64(v);
	__m128i a, b;
	hex_pairs_sse2(_mm_loadl_epi64((const __m128i *)(const void *)&be), &a, &b);
	return a;
}

static inline void addr16_sse2(uint64_t v, char *out)
{
	_mm_storeu_si128((__m128i *)(void *)out, addr_digits_sse2(v));
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <tmmintrin.h>
#define HEX_SSSE3 1
/* The SSSE3 kernels, inlined into the versions of the callers compiled
 * for SSSE3 (hex_ssse3 says whether the CPU has it): the spacing of the
 * two layouts from the digit pairs A and B (hex_pairs_sse2) in registers.
 * xxd's " xxxx" eight times (40 bytes): output byte o is a space when
 * o % 5 == 0, else hex digit (o / 5) * 4 + o % 5 - 1; -1 selects nothing. */
__attribute__((target("ssse3"), always_inline)) static inline void spread_groups_regs(__m128i a, __m128i b, char *h)
{
	const __m128i s0a = _mm_setr_epi8(-1, 0, 1, 2, 3, -1, 4, 5, 6, 7, -1, 8, 9, 10, 11, -1);
	const __m128i s1a = _mm_setr_epi8(12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
	const __m128i s1b = _mm_setr_epi8(-1, -1, -1, -1, -1, 0, 1, 2, 3, -1, 4, 5, 6, 7, -1, 8);
	const __m128i s2b = _mm_setr_epi8(9, 10, 11, -1, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1);
	const __m128i sp0 = _mm_setr_epi8(' ', 0, 0, 0, 0, ' ', 0, 0, 0, 0, ' ', 0, 0, 0, 0, ' ');
	const __m128i sp1 = _mm_setr_epi8(0, 0, 0, 0, ' ', 0, 0, 0, 0, ' ', 0, 0, 0, 0, ' ', 0);
	const __m128i sp2 = _mm_setr_epi8(0, 0, 0, ' ', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	_mm_storeu_si128((__m128i *)(void *)h, _mm_or_si128(_mm_shuffle_epi8(a, s0a), sp0));
	_mm_storeu_si128((__m128i *)(void *)(h + 16),
			 _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(a, s1a), _mm_shuffle_epi8(b, s1b)), sp1));
	_mm_storel_epi64((__m128i *)(void *)(h + 32), _mm_or_si128(_mm_shuffle_epi8(b, s2b), sp2));
}

/* hexdump -C's "hh hh hh hh hh hh hh hh  hh ... hh" (48 bytes). */
__attribute__((target("ssse3"), always_inline)) static inline void spread_pairs_regs(__m128i a, __m128i b, char *h)
{
	const __m128i s0a = _mm_setr_epi8(0, 1, -1, 2, 3, -1, 4, 5, -1, 6, 7, -1, 8, 9, -1, 10);
	const __m128i s1a = _mm_setr_epi8(11, -1, 12, 13, -1, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1);
	const __m128i s1b = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 1, -1, 2, 3, -1, 4);
	const __m128i s2b = _mm_setr_epi8(5, -1, 6, 7, -1, 8, 9, -1, 10, 11, -1, 12, 13, -1, 14, 15);
	const __m128i sp0 = _mm_setr_epi8(0, 0, ' ', 0, 0, ' ', 0, 0, ' ', 0, 0, ' ', 0, 0, ' ', 0);
	const __m128i sp1 = _mm_setr_epi8(0, ' ', 0, 0, ' ', 0, 0, ' ', ' ', 0, 0, ' ', 0, 0, ' ', 0);
	const __m128i sp2 = _mm_setr_epi8(0, ' ', 0, 0, ' ', 0, 0, ' ', 0, 0, ' ', 0, 0, ' ', 0, 0);
	_mm_storeu_si128((__m128i *)(void *)h, _mm_or_si128(_mm_shuffle_epi8(a, s0a), sp0));
	_mm_storeu_si128((__m128i *)(void *)(h + 16),
			 _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(a, s1a), _mm_shuffle_epi8(b, s1b)), sp1));
	_mm_storeu_si128((__m128i *)(void *)(h + 32), _mm_or_si128(_mm_shuffle_epi8(b, s2b), sp2));
}

/* A layout's hex columns of the 16 bytes at P, with no 32-digit text in
 * between. */
__attribute__((target("ssse3"), always_inline)) static inline void xxd_hex_ssse3(const unsigned char *p, char *h)
{
	__m128i a, b;
	hex_pairs_sse2(_mm_loadu_si128((const __m128i *)(const void *)p), &a, &b);
	spread_groups_regs(a, b, h);
}

__attribute__((target("ssse3"), always_inline)) static inline void canonical_hex_ssse3(const unsigned char *p,
											    char *h)
{
	__m128i a, b;
	hex_pairs_sse2(_mm_loadu_si128((const __m128i *)(const void *)p), &a, &b);
	spread_pairs_regs(a, b, h);
}

/* The DIGITS (8 to 16) hex digits of A at B, in one 16-byte store: the 16
 * digits shifted so the significant ones come first. */
__attribute__((target("ssse3"), always_inline)) static inline void address_ssse3(char *b, uint64_t a,
										  unsigned digits)
{
	/* byte i takes digit i + 16 - DIGITS: indices 0..15 then beyond */
	__m128i shift = _mm_add_epi8(_mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
				     _mm_set1_epi8((char)(16 - digits)));
	_mm_storeu_si128((__m128i *)(void *)b, _mm_shuffle_epi8(addr_digits_sse2(a), shift));
}
#endif

#define hex16 hex16_sse2
#define text16 text16_sse2
#define addr16 addr16_sse2
#else
#define hex16 hex16_plain
#define text16 text16_plain
#define addr16 addr16_plain
#endif

/* "%0*lx" of V with at least MIN digits, into B; returns the digit count.
 * Every dump line starts with one: all 16 digits at once, then the
 * significant ones. */
static inline unsigned hex_addr(char *b, uint64_t v, unsigned min)
{
	unsigned digits = v ? (unsigned)(67 - __builtin_clzll(v)) / 4 : 1;
	if (digits < min)
		digits = min;
	char all[16];
	addr16(v, all);
	memcpy(b, all + 16 - digits, digits);
	return digits;
}

/* xxd's default line: 32 hex digits as " xxxx" eight times (40 bytes),
 * and hexdump -C's as "hh hh hh hh hh hh hh hh  hh ... hh" (48 bytes).
 * Function pointers to the fastest version this CPU runs. */
#define XXD16_HEX_WIDTH 40
#define CANONICAL_HEX_WIDTH 48
extern void (*spread_groups)(char *out, const char *hex32);
/* Set by hex_tables_init where the SSSE3 kernels run. */
extern int hex_ssse3;
extern void (*spread_pairs)(char *out, const char *hex32);
void spread_groups_plain(char *out, const char *hex32);
void spread_pairs_plain(char *out, const char *hex32);

#endif
