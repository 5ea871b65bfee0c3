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

int hex_ssse3;

#ifdef HEX_SSSE3
__attribute__((target("ssse3"))) static void spread_groups_ssse3(char *h, const char *hex)
{
	spread_groups_regs(_mm_loadu_si128((const __m128i *)(const void *)hex),
			   _mm_loadu_si128((const __m128i *)(const void *)(hex + 16)), h);
}

__attribute__((target("ssse3"))) static void spread_pairs_ssse3(char *h, const char *hex)
{
	spread_pairs_regs(_mm_loadu_si128((const __m128i *)(const void *)hex),
			  _mm_loadu_si128((const __m128i *)(const void *)(hex + 16)), h);
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
		hex_ssse3 = 1;
		spread_groups = spread_groups_ssse3;
		spread_pairs = spread_pairs_ssse3;
	}
#endif
}
