/* The byte search of find (search.c): the first place NEEDLE (M >= 1
 * bytes) occurs in HAY[0..N), or NULL, as memmem answers.  search_simd
 * uses AVX-512BW or AVX2 where the CPU has it (chosen at run time), else
 * SSE2;
 * search_plain (memchr and memmem) is the reference that
 * ./configure --disable-simd builds and the fuzzer compares with. */
#ifndef PVMIO_SEARCH_H
#define PVMIO_SEARCH_H

#include <stddef.h>

const unsigned char *search_simd(const unsigned char *hay, size_t n, const unsigned char *needle, size_t m);
const unsigned char *search_plain(const unsigned char *hay, size_t n, const unsigned char *needle, size_t m);

/* Every SIMD version this build and this CPU have (SSE2, AVX2, AVX-512BW), for
 * the fuzzer to compare with search_plain; how many it put in OUT. */
typedef const unsigned char *(*search_fn)(const unsigned char *hay, size_t n, const unsigned char *needle, size_t m);
int search_versions(search_fn out[3]);

#endif
