/* libFuzzer: find's SIMD searches (search_simd, and each version this
 * CPU has) against their reference, memchr and memmem (search_plain).  The first byte gives the needle's
 * length (1 to 80), the next bytes are the needle, the rest the buffer;
 * each is a heap copy of its exact size, so that ASan sees a load past
 * either end. */
#include "config.h"
#include "search.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t m = 1 + data[0] % 80;
	if (size - 1 < m)
		m = size - 1;
	size_t n = size - 1 - m;
	unsigned char *needle = malloc(m), *hay = malloc(n ? n : 1);
	if (!needle || !hay)
		abort();
	memcpy(needle, data + 1, m);
	memcpy(hay, data + 1 + m, n);
	search_fn v[4];
	int nv = search_versions(v);
	v[nv++] = search_simd;
	/* Every match, as find asks for them: from one past the last. */
	for (size_t i = 0; i <= n;) {
		const unsigned char *want = search_plain(hay + i, n - i, needle, m);
		for (int k = 0; k < nv; k++)
			if (v[k](hay + i, n - i, needle, m) != want)
				abort();
		if (!want)
			break;
		i = (size_t)(want - hay) + 1;
	}
	free(needle);
	free(hay);
	return 0;
}
