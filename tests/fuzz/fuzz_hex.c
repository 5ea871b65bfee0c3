/* libFuzzer: parse_hex_data and parse_hex_pattern. */
#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct perr e = { .kind = PERR_NONE };
	struct bytes d = { 0 }, pat = { 0 }, mask = { 0 };

	int rd = parse_hex_data(s, &d, &e);
	fuzz_check_err(rd, &e);
	int rp = parse_hex_pattern(s, &pat, &mask, &e);
	fuzz_check_err(rp, &e);
	if (rp == 0 && pat.len != mask.len)
		abort();
	/* Data is a pattern without wildcards: the same bytes, all literal. */
	if (rd == 0) {
		if (rp != 0 || pat.len != d.len || (d.len && memcmp(pat.p, d.p, d.len) != 0))
			abort();
		for (size_t i = 0; i < mask.len; i++)
			if (mask.p[i] != 0xff)
				abort();
	}
	/* Every byte is at least two characters of input. */
	if (rp == 0 && pat.len > size / 2)
		abort();
	bytes_free(&d);
	bytes_free(&pat);
	bytes_free(&mask);
	free(s);
	return 0;
}
