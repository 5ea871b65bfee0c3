/* libFuzzer: parse_addr and parse_range (and the name lookups under them)
 * against a fixed, synthetic maps list. */
#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct pvmio_maps *m = fuzz_maps();
	char *s = fuzz_cstr(data, size);
	struct perr e = { { 0 } };
	uint64_t addr, lo, hi;
	struct range r;
	const char *full;

	fuzz_check_err(parse_addr(s, m, &addr, &e), &e);
	int rc = parse_range(s, m, &r, &e);
	fuzz_check_err(rc, &e);
	/* A range never passes the top of the address space. */
	if (rc == 0 && r.has_len && r.len && r.addr > UINT64_MAX - (r.len - 1))
		abort();
	rc = resolve_name(m, s, &lo, &hi, &e);
	fuzz_check_err(rc, &e);
	if (rc == 0 && lo >= hi)
		abort();
	fuzz_check_err(match_name(m, s, &full, &e), &e);
	free(s);
	return 0;
}
