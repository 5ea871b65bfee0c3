/* libFuzzer: parse_type, parse_endian and parse_value.  The first byte
 * picks a type and byte order; the rest is the value (or, for the type
 * parser, the whole input is a type name). */
#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const type_names[] = { "u8",	 "u16", "u32", "u64", "i8",  "i16",
					  "i32", "i64", "f32", "f64", "ptr", "ptr" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *whole = fuzz_cstr(data, size);
	struct perr e = { .kind = PERR_NONE };
	struct vtype t;
	int big;

	fuzz_check_err(parse_type(whole, 8, &t, &e), &e);
	fuzz_check_err(parse_endian(whole, &big, &e), &e);
	if (size >= 1) {
		unsigned sel = data[0];
		const char *name = type_names[sel % (sizeof type_names / sizeof type_names[0])];
		int ptrsize = sel & 0x80 ? 4 : 8;
		if (parse_type(name, ptrsize, &t, &e) != 0)
			abort();
		big = (sel >> 4) & 1;
		unsigned char out[16];
		memset(out, 0xa5, sizeof out);
		int rc = parse_value(whole + 1, &t, big, out, &e);
		fuzz_check_err(rc, &e);
		/* Nothing past the type's size is touched. */
		for (size_t i = t.size; i < sizeof out; i++)
			if (out[i] != 0xa5)
				abort();
		if (rc == 0 && t.kind != V_FLOAT) {
			uint64_t v = load_uint(out, t.size, big);
			if (t.size < 8 && v >> (t.size * 8))
				abort();
		}
	}
	free(whole);
	return 0;
}
