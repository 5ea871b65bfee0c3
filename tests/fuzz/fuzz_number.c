/* libFuzzer: parse_number, parse_length, parse_pid and parse_perms. */
#include "config.h"
#include "fuzz.h"

#include <inttypes.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct perr e = { .kind = PERR_NONE };
	uint64_t n, len;
	pid_t pid;

	int rn = parse_number(s, &n, &e);
	fuzz_check_err(rn, &e);
	int rl = parse_length(s, &len, &e);
	fuzz_check_err(rl, &e);
	/* A plain number is a length with no suffix. */
	if (rn == 0 && (rl != 0 || len != n))
		abort();
	int rp = parse_pid(s, &pid, &e);
	fuzz_check_err(rp, &e);
	if (rp == 0 && pid <= 0)
		abort();
	unsigned want, refuse;
	int rs = parse_perms(s, &want, &refuse, &e);
	fuzz_check_err(rs, &e);
	if (rs == 0 && ((want & refuse) || !(want | refuse) || (want | refuse) > 31))
		abort();
	/* A number printed back parses to itself. */
	if (rn == 0) {
		char buf[32];
		uint64_t back;
		snprintf(buf, sizeof buf, "%#" PRIx64, n);
		if (n && (parse_number(buf, &back, &e) != 0 || back != n))
			abort();
		snprintf(buf, sizeof buf, "%" PRIu64, n);
		if (parse_number(buf, &back, &e) != 0 || back != n)
			abort();
	}
	free(s);
	return 0;
}
