/* libFuzzer: parse_addr and parse_range (and the name, symbol and
 * pointer look-ups under them) against a fixed, synthetic maps list and
 * made-up symbols and memory. */
#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct pvmio_maps *m = fuzz_maps();
	struct resolver res = fuzz_resolver();
	char *s = fuzz_cstr(data, size);
	struct perr e = { .kind = PERR_NONE };
	uint64_t addr, lo, hi;
	struct range r;
	const char *full;

	fuzz_check_err(parse_addr(s, &res, &addr, &e), &e);
	int rc = parse_range(s, &res, &r, &e);
	fuzz_check_err(rc, &e);
	/* A range never passes the top of the address space. */
	if (rc == 0 && r.has_len && r.len && r.addr > UINT64_MAX - (r.len - 1))
		abort();
	rc = resolve_name(m, s, &lo, &hi, &e);
	fuzz_check_err(rc, &e);
	if (rc == 0 && lo >= hi)
		abort();
	rc = match_name(m, s, &full, &e);
	fuzz_check_err(rc, &e);
	/* --name: a name that resolves selects the mappings it names */
	for (size_t i = 0; i < m->n; i++) {
		int sel = name_selects(m, &m->v[i], s);
		if (rc == 0 && strcmp(m->v[i].name, full) == 0 && !sel)
			abort();
	}
	free(s);
	return 0;
}

/* Every name maps prints pastes back: alone, with :LEN, +OFF and ..END,
 * and quoted.  Checked once, before the first input. */
static void quoted(char *out, size_t size, const char *name)
{
	size_t k = 0;
	out[k++] = '"';
	for (const char *p = name; *p && k + 3 < size; p++) {
		if (*p == '"' || *p == '\\')
			out[k++] = '\\';
		out[k++] = *p;
	}
	out[k++] = '"';
	out[k] = '\0';
}

static void expect_range(const struct pvmio_maps *m, const char *text, uint64_t addr, uint64_t len)
{
	struct resolver res = { .maps = m };
	struct range r;
	struct perr e;
	if (parse_range(text, &res, &r, &e) != 0 || r.addr != addr || r.len != len || !r.has_len)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const struct pvmio_maps *m = fuzz_maps();
	for (size_t i = 0; i < m->n; i++) {
		const char *name = m->v[i].name;
		const char *full;
		struct perr e;
		/* the exact name, unless two mappings share it */
		if (!name[0] || match_name(m, name, &full, &e) != 0)
			continue;
		uint64_t lo, hi;
		if (resolve_name(m, name, &lo, &hi, &e) != 0)
			abort();
		char text[600], q[300];
		quoted(q, sizeof q, name);
		snprintf(text, sizeof text, "%s:16", name);
		expect_range(m, text, lo, 16);
		snprintf(text, sizeof text, "%s+8:4", name);
		expect_range(m, text, lo + 8, 4);
		snprintf(text, sizeof text, "%s+4..%s+12", name, name);
		expect_range(m, text, lo + 4, 8);
		snprintf(text, sizeof text, "%s+1:2", q);
		expect_range(m, text, lo + 1, 2);
		expect_range(m, q, lo, hi - lo);
	}
	/* Symbols and chains, as the manual writes them. */
	struct resolver res = fuzz_resolver();
	struct range r;
	struct perr e;
	uint64_t a;
	if (parse_range("exe:counter", &res, &r, &e) || r.addr != 0x555555558010 || r.len != 4)
		abort();
	if (parse_range("exe:table..exe:table+8", &res, &r, &e) || r.addr != 0x555555558100 || r.len != 8)
		abort();
	if (parse_range("libc.so.6:dup:8", &res, &r, &e) || r.addr != 0x7ffff7f95010 || r.len != 8)
		abort();
	if (parse_addr("dup", &res, &a, &e) == 0 || e.kind != PERR_AMBIGUOUS)
		abort();
	if (parse_addr("[[heap]+8]+4", &res, &a, &e) || a != 0x555555559000 + 8 + 0x100 + 4)
		abort();
	if (parse_addr("[[[heap]+8]]", &res, &a, &e) || a != 0x555555559000 + 8 + 0x200)
		abort();
	if (parse_addr("[heap+0]", &res, &a, &e) == 0 || e.kind != PERR_MEMORY)
		abort();
	if (parse_addr("[stack]", &res, &a, &e) || a != 0x7ffffffde000)
		abort();
	return 0;
}
