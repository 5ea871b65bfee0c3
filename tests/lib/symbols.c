/* libpvmio's symbols on another process: pvmio_symbol and pvmio_where
 * against a forked child, whose globals and libc are at the same
 * addresses as ours, so the compiler's &name is the answer to check. */
#include "config.h"
#include "pvmio.h"
#include "libtest.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Globals of this program, in .data and .bss, with known sizes.  Not
 * static: a global's name is in the dynamic symbol table only with
 * -rdynamic, so the .symtab is what finds them. */
int lib_symbols_table[16] = { 1, 2, 3 };
char lib_symbols_buffer[100];
/* A local (static) symbol: in .symtab only. */
static long lib_symbols_local = 7;

extern char **environ;

static struct t_child child;

static const char *exe_path(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	if (n < 0)
		t_bail("readlink /proc/self/exe: %s", strerror(errno));
	buf[n] = '\0';
	return buf;
}

/* Under valgrind, which preloads its vgpreload libraries. */
static int under_valgrind(void)
{
	const char *pre = getenv("LD_PRELOAD");
	return pre && strstr(pre, "vgpreload") != NULL;
}

static void test_lookup(struct pvmio_symbols *s, const char *exe)
{
	struct pvmio_symbol out[4];
	int n = pvmio_symbol(s, NULL, "lib_symbols_table", out, 4);
	t_eq(n, 1, "a bare name of the main program: one definition");
	if (n == 1) {
		t_eq((long long)out[0].addr, (long long)(uintptr_t)lib_symbols_table, "at the address the compiler gave");
		t_eq((long long)out[0].size, (long long)sizeof lib_symbols_table, "with its size");
		t_eq(out[0].type, STT_OBJECT, "an object");
		t_ok(strcmp(out[0].module, exe) == 0, "in the main program (%s)", out[0].module);
	}
	n = pvmio_symbol(s, exe, "lib_symbols_buffer", out, 4);
	t_eq(n, 1, "by module: the full path as maps lists it");
	if (n == 1)
		t_eq((long long)out[0].addr, (long long)(uintptr_t)lib_symbols_buffer, "a .bss object's address");
	n = pvmio_symbol(s, exe, "lib_symbols_local", out, 4);
	t_eq(n, 1, "a local (static) symbol by module");
	if (n == 1) {
		t_eq((long long)out[0].addr, (long long)(uintptr_t)&lib_symbols_local, "at its address");
		t_eq(out[0].bind, STB_LOCAL, "bound locally");
	}
	/* environ is copied into the program by a copy relocation, so &environ
	 * is the program's own; a libc function is only referenced (an
	 * undefined symbol in the program, which must not count).  The libc
	 * function is one no sanitizer runtime intercepts: ASan defines qsort
	 * too, which would make two definitions. */
	n = pvmio_symbol(s, NULL, "environ", out, 4);
	if (under_valgrind()) {
		/* the target's /proc/PID/exe is valgrind's tool there, not this
		 * program: no main program to look in first, so libc's counts */
		t_ok(n >= 1, "environ: found (under valgrind)");
	} else {
		t_eq(n, 1, "environ: one definition, where the program's &environ is");
		if (n == 1)
			t_eq((long long)out[0].addr, (long long)(uintptr_t)&environ, "at &environ");
	}
	n = pvmio_symbol(s, NULL, "strverscmp", out, 4);
	t_eq(n, 1, "strverscmp, in libc: found");
	if (n == 1) {
		t_eq((long long)out[0].addr, (long long)(uintptr_t)strverscmp, "at the address the dynamic linker gave");
		t_ok(strstr(out[0].module, "libc") != NULL, "in libc (%s)", out[0].module);
		t_eq(out[0].type, STT_FUNC, "a function");
	}
	t_eq(pvmio_symbol(s, NULL, "no_such_symbol_anywhere_xyz", out, 4), -ENOENT, "an unknown name: -ENOENT");
	t_eq(pvmio_symbol(s, exe, "strverscmp", out, 4), -ENOENT,
	     "a libc function the program only calls is not in the program: -ENOENT");
	t_eq(pvmio_symbols_source(s, exe), PVMIO_SYM_SYMTAB, "the program's symbols come from its .symtab");
	t_eq(pvmio_symbols_source(s, "/no/such/module"), -ENOEXEC, "pvmio_symbols_source of no module: -ENOEXEC");
	t_eq(pvmio_symbol(s, "[heap]", "x", out, 4) < 0, 1, "a module that is no ELF file: an error");
	t_eq(pvmio_symbol(s, "/no/such/module", "x", out, 4) < 0, 1, "a module that is not mapped: an error");
}

static void test_where(struct pvmio_symbols *s, const char *exe)
{
	struct pvmio_symbol sym;
	uint64_t off = 99;
	uint64_t at = (uint64_t)(uintptr_t)lib_symbols_table + 5;
	t_eq(pvmio_where(s, at, &sym, &off), 0, "where: inside a symbol");
	t_ok(strcmp(sym.name, "lib_symbols_table") == 0, "it is lib_symbols_table (%s)", sym.name);
	t_eq((long long)off, 5, "5 bytes into it");
	t_ok(strcmp(sym.module, exe) == 0, "in the main program");
	t_eq(pvmio_where(s, (uint64_t)(uintptr_t)lib_symbols_buffer, &sym, &off), 0, "where: at a symbol's start");
	t_ok(strcmp(sym.name, "lib_symbols_buffer") == 0 && off == 0, "is that symbol, offset 0 (%s+%llu)", sym.name,
	     (unsigned long long)off);
	t_eq(pvmio_where(s, (uint64_t)(uintptr_t)&environ, &sym, &off), 0, "where: &environ");
	t_ok(off == 0 && strstr(sym.name, "environ") != NULL, "is environ (%s+%llu)", sym.name, (unsigned long long)off);
	t_eq(pvmio_where(s, 16, &sym, &off), -EFAULT, "where: an address in no module is -EFAULT");
	/* A round trip over every symbol at a few addresses of the program's
	 * own functions. */
	uint64_t fn = (uint64_t)(uintptr_t)test_lookup;
	t_eq(pvmio_where(s, fn, &sym, &off), 0, "where: a static function's address");
	t_ok(strcmp(sym.name, "test_lookup") == 0 && off == 0, "is test_lookup (%s+%llu)", sym.name,
	     (unsigned long long)off);
	struct pvmio_symbol back[2];
	t_eq(pvmio_symbol(s, sym.module, sym.name, back, 2), 1, "and its name finds it again");
	t_eq((long long)back[0].addr, (long long)fn, "at the same address");
}

int main(void)
{
	char exe[4096];
	exe_path(exe, sizeof exe);
	t_child_start(&child, 0);
	struct pvmio *h;
	if (pvmio_open(child.pid, 0, &h) < 0)
		t_bail("pvmio_open %d", (int)child.pid);
	struct pvmio_symbols *s = NULL;
	int rc = pvmio_symbols_open(h, &s);
	t_eq(rc, 0, "pvmio_symbols_open");
	if (rc == 0) {
		test_lookup(s, exe);
		test_where(s, exe);
		pvmio_symbols_close(s);
	}
	pvmio_symbols_close(NULL);
	t_ok(1, "pvmio_symbols_close(NULL) is harmless");
	pvmio_close(h);
	t_child_kill(&child);
	return t_done();
}
