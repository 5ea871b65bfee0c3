/* libFuzzer: pvmio_maps_parse, then lookups and the address grammar over
 * whatever list it accepted. */
#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const exprs[] = {
	"heap", "stack", "exe", "libc.so.6", "ld-linux-x86-64.so.2+0x10", "libdup.so",
	"heap+0x10:16", "0x1000..heap", "[vdso]", "a-b+1", "x:0",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The text is parsed with its length: a copy of exactly that size. */
	char *text = malloc(size ? size : 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	struct pvmio_maps *m;
	int rc = pvmio_maps_parse(text, size, &m);
	if (rc == 0) {
		uint64_t prev = 0;
		for (size_t i = 0; i < m->n; i++) {
			const struct pvmio_mapping *v = &m->v[i];
			if (v->end < v->start || v->start < prev || !v->name)
				abort();
			prev = v->end;
			if (pvmio_maps_lookup(m, v->start) != v && v->end > v->start)
				abort();
			uint64_t bad;
			pvmio_maps_check(m, v->start, v->end - v->start + 1, "rw", &bad);
		}
		for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
			struct perr e = { .kind = PERR_NONE };
			uint64_t a;
			struct range r;
			struct resolver res = { .maps = m };
			fuzz_check_err(parse_addr(exprs[i], &res, &a, &e), &e);
			fuzz_check_err(parse_range(exprs[i], &res, &r, &e), &e);
		}
		pvmio_maps_free(m);
	} else if (rc != -EINVAL && rc != -ENOMEM) {
		abort();
	}
	free(text);
	return 0;
}
