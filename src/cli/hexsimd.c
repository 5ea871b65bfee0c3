/* The kernels' tables and the run-time choice of the SSSE3 versions
 * (hexsimd.h). */
#include "config.h"
#include "hexsimd.h"

char hex_pair[256][2];
char text_char[256];

void spread_groups_plain(char *h, const char *hex)
{
	for (unsigned k = 0; k < 8; k++) {
		h[5 * k] = ' ';
		memcpy(h + 5 * k + 1, hex + 4 * k, 4);
	}
}

void spread_pairs_plain(char *h, const char *hex)
{
	for (unsigned i = 0; i < 16; i++) {
		char *at = h + 3 * i + (i >= 8);
		memcpy(at, hex + 2 * i, 2);
		if (i < 15)
			at[2] = ' ';
	}
	h[3 * 8] = ' ';	/* hexdump -C's second blank after the eighth pair */
}

void (*spread_groups)(char *, const char *) = spread_groups_plain;
void (*spread_pairs)(char *, const char *) = spread_pairs_plain;

#if defined(HEX_SSE2) && defined(__x86_64__) && defined(__GNUC__)
#include <tmmintrin.h>
#define HEX_SSSE3 1
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

#endif

void hex_tables_init(void)
{
	static const char digits[] = "0123456789abcdef";
	if (hex_pair[1][1])
		return;
	for (int i = 0; i < 256; i++) {
		hex_pair[i][0] = digits[i >> 4];
		hex_pair[i][1] = digits[i & 15];
		text_char[i] = (char)(i > 31 && i < 127 ? i : '.');
	}
#ifdef HEX_SSSE3
	__builtin_cpu_init();
	if (__builtin_cpu_supports("ssse3")) {
		spread_groups = spread_groups_ssse3;
		spread_pairs = spread_pairs_ssse3;
	}
#endif
}
