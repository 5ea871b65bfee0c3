/* libFuzzer: parse_dump_line, the reader for pvmio's own dumps and xxd's
 * and hexdump -C's.  It takes a length, so the input is passed both as is
 * (not NUL-terminated: it must stay within len) and as a C string. */
#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *line, size_t len)
{
	struct dump_line dl;
	struct perr e = { { 0 } };
	int rc = parse_dump_line(line, len, &dl, &e);
	fuzz_check_err(rc, &e);
	if (rc == 0) {
		if (dl.n > DUMP_LINE_MAX || (dl.kind != DL_DATA && dl.n != 0))
			abort();
		for (size_t i = 0; i < dl.n; i++)
			if (dl.valid[i] > 1 || (!dl.valid[i] && dl.bytes[i]))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *exact = malloc(size ? size : 1);
	if (!exact)
		abort();
	memcpy(exact, data, size);
	check(exact, size);
	free(exact);
	char *s = fuzz_cstr(data, size);
	check(s, strlen(s));
	free(s);
	return 0;
}
