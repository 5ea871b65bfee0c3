/* libFuzzer: the dump-line reader (dump_reader.h) over the input's lines,
 * as write -f xxd feeds it: each line is passed with its exact length
 * (not NUL-terminated: the reader must stay within it). */
#include "config.h"
#include "dump_reader.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dump_reader r;
	dump_reader_init(&r);
	size_t pos = 0;
	while (pos < size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - (data + pos)) + 1 : size - pos;
		char *line = malloc(len ? len : 1);
		if (!line)
			abort();
		memcpy(line, data + pos, len);
		struct dump_line dl;
		struct perr e = { .kind = PERR_NONE };
		int rc = dump_reader_line(&r, line, len, &dl, &e);
		fuzz_check_err(rc, &e);
		if (rc == 0) {
			if (dl.n > DUMP_LINE_MAX || (dl.kind != DL_DATA && dl.n != 0) || (dl.kind == DL_DATA && !dl.n))
				abort();
			if (dl.top && dl.kind != DL_END)
				abort();
			for (size_t i = 0; i < dl.n; i++)
				if (dl.valid[i] > 1 || (!dl.valid[i] && dl.bytes[i]))
					abort();
		}
		free(line);
		pos += len;
	}
	return 0;
}
