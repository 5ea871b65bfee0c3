/* Shared by the libFuzzer harnesses: the input as a C string, and a
 * synthetic maps list that address and range expressions resolve against. */
#ifndef PVMIO_FUZZ_H
#define PVMIO_FUZZ_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "grammar.h"
#include "pvmio.h"

/* The parsers take C strings: a heap copy ends exactly at the NUL, so
 * ASan sees any read past it. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Names a user types: brackets, paths with '-' and '+' in them, two
 * files sharing a base name (ambiguous as a base name), names holding the
 * grammar's own characters, a quote and a backslash, a name that is a
 * number, and a deleted file. */
static const char fuzz_maps_text[] =
	"555555554000-555555556000 r--p 00000000 08:01 1234 /usr/bin/target\n"
	"555555556000-555555558000 r-xp 00002000 08:01 1234 /usr/bin/target\n"
	"555555558000-555555559000 rw-p 00004000 08:01 1234 /usr/bin/target\n"
	"555555559000-55555557a000 rw-p 00000000 00:00 0 [heap]\n"
	"7ffff7d80000-7ffff7da8000 r--p 00000000 08:01 2001 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"7ffff7da8000-7ffff7f3d000 r-xp 00028000 08:01 2001 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"7ffff7f3d000-7ffff7f95000 r--p 001bd000 08:01 2001 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"7ffff7f95000-7ffff7f99000 rw-p 00214000 08:01 2001 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"7ffff7f99000-7ffff7fa6000 rw-p 00000000 00:00 0 \n"
	"7ffff7fa6000-7ffff7fa7000 r--p 00000000 08:01 3001 /opt/a/libdup.so\n"
	"7ffff7fa7000-7ffff7fa8000 r--p 00000000 08:01 3002 /opt/b/libdup.so\n"
	"7ffff7fa8000-7ffff7fa9000 ---p 00000000 00:00 0 \n"
	"7ffff7fc3000-7ffff7fc5000 r--p 00000000 08:01 2002 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n"
	"7ffff7fc5000-7ffff7fef000 r-xp 00002000 08:01 2002 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n"
	"7ffff7ff6000-7ffff7ff7000 r--p 00000000 08:01 4001 /tmp/we ird:na+me..x\n"
	"7ffff7ff7000-7ffff7ff8000 r--p 00000000 08:01 4002 /tmp/x..y\n"
	"7ffff7ff8000-7ffff7ff9000 r--p 00000000 08:01 4003 /tmp/16\n"
	"7ffff7ff9000-7ffff7ffa000 r--p 00000000 08:01 4004 /srv/app (deleted)\n"
	"7ffff7ffa000-7ffff7ffb000 rw-p 00000000 00:00 0 [anon:cache]\n"
	"7ffff7ffb000-7ffff7ffc000 r--p 00000000 08:01 4005 /tmp/q\"uote\\d\n"
	"7ffff7ffd000-7ffff7fff000 rw-p 00037000 08:01 2002 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n"
	"7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0 [stack]\n"
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]\n";

static inline struct pvmio_maps *fuzz_maps(void)
{
	static struct pvmio_maps *m;
	if (!m) {
		if (pvmio_maps_parse(fuzz_maps_text, sizeof fuzz_maps_text - 1, &m) < 0)
			abort();
		m->exe = strdup("/usr/bin/target");
		if (!m->exe)
			abort();
	}
	return m;
}

/* Made-up symbols and memory for the address grammar: "counter" and
 * "table" in the main program, "dup" in libc and ld.so (ambiguous when
 * bare); a pointer read anywhere in [heap] points 0x100 further, but the
 * one at its start is NULL; other memory is unreadable. */
static inline int fuzz_symbol(void *ctx, const char *module, const char *name, uint64_t *addr, uint64_t *size,
			      struct perr *e)
{
	(void)ctx;
	static const struct {
		const char *module, *name;
		uint64_t addr, size;
	} syms[] = {
		{ "/usr/bin/target", "counter", 0x555555558010, 4 },
		{ "/usr/bin/target", "table", 0x555555558100, 64 },
		{ "/usr/lib/x86_64-linux-gnu/libc.so.6", "dup", 0x7ffff7f95010, 8 },
		{ "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "dup", 0x7ffff7ffd010, 8 },
	};
	int found = -1, n = 0;
	for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++) {
		if (strcmp(syms[i].name, name) != 0 || (module && strcmp(syms[i].module, module) != 0))
			continue;
		found = (int)i;
		n++;
	}
	if (n > 1)
		return perr_set(e, PERR_AMBIGUOUS, "'%s' is ambiguous", name);
	if (found < 0)
		return perr_set(e, PERR_SYMBOL, "no symbol '%s'", name);
	*addr = syms[found].addr;
	*size = syms[found].size;
	return 0;
}

static inline int fuzz_deref(void *ctx, uint64_t addr, uint64_t *value, struct perr *e)
{
	(void)ctx;
	if (addr < 0x555555559000 || addr >= 0x55555557a000)
		return perr_set(e, PERR_MEMORY, "not mapped");
	*value = addr == 0x555555559000 ? 0 : addr + 0x100;
	return 0;
}

static inline struct resolver fuzz_resolver(void)
{
	return (struct resolver){ .maps = fuzz_maps(), .symbol = fuzz_symbol, .deref = fuzz_deref };
}

/* A parser that fails must say why. */
static inline void fuzz_check_err(int rc, const struct perr *e)
{
	if (rc < 0 && (!memchr(e->msg, '\0', sizeof e->msg) || !e->msg[0]))
		abort();
}

#endif
