/* The byte search of find (search.h).
 *
 * The SIMD versions (SSE2, AVX2, AVX-512BW, the widest the CPU has
 * chosen at run time) are the first-and-last-byte filter of W. Muła's
 * "SIMD-friendly algorithms for substring searching": compare the
 * needle's first byte at 32 (16) positions and its last byte at the
 * same positions plus len-1, and check only the positions where both
 * match.  On memory that is not the needle's own pattern almost no
 * position passes, so the search runs at load speed; glibc's memmem
 * (a two-way search) ran at 4 GB/s here, below process_vm_readv's 8.
 * On memory where most positions pass (zeros searched for zeros), the
 * checks would make it quadratic: after a budget of checked bytes the
 * rest of the buffer goes to memmem, which is linear. */
#include "config.h"
#include "search.h"

#include <stdint.h>
#include <string.h>

#if (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__) && !defined(PVMIO_NO_SIMD)
#define SEARCH_X86 1
#include <immintrin.h>
#endif

/* Checked bytes allowed per buffer byte before memmem takes over. */
#define CHECK_BUDGET(n) ((n) / 4 + 4096)

const unsigned char *search_plain(const unsigned char *hay, size_t n, const unsigned char *needle, size_t m)
{
	if (m == 1)
		return memchr(hay, needle[0], n);
	return memmem(hay, n, needle, m);
}

#ifdef SEARCH_X86
/* Checks the candidate positions in BITS (bit k: position i+k); NULL
 * when none is the needle.  *budget pays for the checks. */
static inline const unsigned char *check_bits(uint64_t bits, const unsigned char *at, const unsigned char *needle,
					      size_t m, size_t *budget)
{
	while (bits) {
		unsigned k = (unsigned)__builtin_ctzll(bits);
		if (memcmp(at + k + 1, needle + 1, m - 2) == 0)
			return at + k;
		*budget = *budget > m ? *budget - m : 0;
		bits &= bits - 1;
	}
	return NULL;
}

__attribute__((target("avx2"))) static const unsigned char *search_avx2(const unsigned char *hay, size_t n,
									   const unsigned char *needle, size_t m)
{
	const __m256i first = _mm256_set1_epi8((char)needle[0]), last = _mm256_set1_epi8((char)needle[m - 1]);
	size_t i = 0, budget = CHECK_BUDGET(n);
	for (; i + m - 1 + 64 <= n && budget; i += 64) {
		const unsigned char *p = hay + i;
		__m256i f0 = _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(const void *)p), first);
		__m256i f1 = _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(const void *)(p + 32)), first);
		__m256i l0 = _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(const void *)(p + m - 1)), last);
		__m256i l1 = _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(const void *)(p + m + 31)), last);
		__m256i b0 = _mm256_and_si256(f0, l0), b1 = _mm256_and_si256(f1, l1);
		if (_mm256_testz_si256(_mm256_or_si256(b0, b1), _mm256_or_si256(b0, b1)))
			continue;
		uint64_t bits = (uint32_t)_mm256_movemask_epi8(b0) | (uint64_t)(uint32_t)_mm256_movemask_epi8(b1) << 32;
		const unsigned char *hit = check_bits(bits, p, needle, m, &budget);
		if (hit)
			return hit;
	}
	return search_plain(hay + i, n - i, needle, m);
}

/* AVX-512BW compares 64 positions into a mask register at once: two
 * loads and two compares per 64, against AVX2's four and four plus the
 * mask moves.  On an EPYC a 1 MiB buffer in cache was searched at 18 ms
 * a GiB against AVX2's 25-29.
 *
 * The buffer has just been filled by process_vm_readv and is in L2, not
 * L1; fetching 512 bytes ahead took the search of a 1 MiB buffer from
 * 14.5 to 12 ms a GiB on a Xeon (Sapphire Rapids).  A prefetch never
 * faults, so it may look past the end. */
#define SEARCH_PREFETCH 512
__attribute__((target("avx512f,avx512bw"))) static const unsigned char *search_avx512(const unsigned char *hay, size_t n,
										       const unsigned char *needle,
										       size_t m)
{
	const __m512i first = _mm512_set1_epi8((char)needle[0]), last = _mm512_set1_epi8((char)needle[m - 1]);
	size_t i = 0, budget = CHECK_BUDGET(n);
	for (; i + m - 1 + 128 <= n && budget; i += 128) {
		const unsigned char *p = hay + i;
		_mm_prefetch((const char *)p + SEARCH_PREFETCH, _MM_HINT_T0);
		_mm_prefetch((const char *)p + SEARCH_PREFETCH + 64, _MM_HINT_T0);
		__mmask64 b0 = _mm512_mask_cmpeq_epi8_mask(_mm512_cmpeq_epi8_mask(_mm512_loadu_si512(p), first),
							   _mm512_loadu_si512(p + m - 1), last);
		__mmask64 b1 = _mm512_mask_cmpeq_epi8_mask(_mm512_cmpeq_epi8_mask(_mm512_loadu_si512(p + 64), first),
							   _mm512_loadu_si512(p + m + 63), last);
		if (!(b0 | b1))
			continue;
		const unsigned char *hit = check_bits(b0, p, needle, m, &budget);
		if (!hit)
			hit = check_bits(b1, p + 64, needle, m, &budget);
		if (hit)
			return hit;
	}
	return search_plain(hay + i, n - i, needle, m);
}

static const unsigned char *search_sse2(const unsigned char *hay, size_t n, const unsigned char *needle, size_t m)
{
	const __m128i first = _mm_set1_epi8((char)needle[0]), last = _mm_set1_epi8((char)needle[m - 1]);
	size_t i = 0, budget = CHECK_BUDGET(n);
	for (; i + m - 1 + 32 <= n && budget; i += 32) {
		const unsigned char *p = hay + i;
		__m128i b0 = _mm_and_si128(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), first),
					   _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + m - 1)), last));
		__m128i b1 = _mm_and_si128(
			_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16)), first),
			_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + m + 15)), last));
		uint64_t bits = (uint32_t)_mm_movemask_epi8(b0) | (uint32_t)_mm_movemask_epi8(b1) << 16;
		if (!bits)
			continue;
		const unsigned char *hit = check_bits(bits, p, needle, m, &budget);
		if (hit)
			return hit;
	}
	return search_plain(hay + i, n - i, needle, m);
}

/* The widest version this CPU has: 2 AVX-512BW, 1 AVX2, 0 SSE2. */
static int widest(void)
{
	static int width = -1;
	if (width < 0) {
		__builtin_cpu_init();
		width = __builtin_cpu_supports("avx512bw") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
	}
	return width;
}

const unsigned char *search_simd(const unsigned char *hay, size_t n, const unsigned char *needle, size_t m)
{
	if (m < 2)
		return search_plain(hay, n, needle, m);
	switch (widest()) {
	case 2:
		return search_avx512(hay, n, needle, m);
	case 1:
		return search_avx2(hay, n, needle, m);
	default:
		return search_sse2(hay, n, needle, m);
	}
}

/* Wrappers that take any length, as search_simd does. */
static const unsigned char *sse2_any(const unsigned char *hay, size_t n, const unsigned char *needle, size_t m)
{
	return m < 2 ? search_plain(hay, n, needle, m) : search_sse2(hay, n, needle, m);
}

__attribute__((target("avx2"))) static const unsigned char *avx2_any(const unsigned char *hay, size_t n,
									const unsigned char *needle, size_t m)
{
	return m < 2 ? search_plain(hay, n, needle, m) : search_avx2(hay, n, needle, m);
}

__attribute__((target("avx512f,avx512bw"))) static const unsigned char *avx512_any(const unsigned char *hay, size_t n,
										    const unsigned char *needle,
										    size_t m)
{
	return m < 2 ? search_plain(hay, n, needle, m) : search_avx512(hay, n, needle, m);
}

int search_versions(search_fn out[3])
{
	int k = 0;
	out[k++] = sse2_any;
	if (widest() >= 1)
		out[k++] = avx2_any;
	if (widest() >= 2)
		out[k++] = avx512_any;
	return k;
}
#else
const unsigned char *search_simd(const unsigned char *hay, size_t n, const unsigned char *needle, size_t m)
{
	return search_plain(hay, n, needle, m);
}

int search_versions(search_fn out[3])
{
	(void)out;
	return 0;
}
#endif
