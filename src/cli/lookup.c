/* The resolver of a command's addresses (lookup.h). */
#include "config.h"
#include "lookup.h"
#include "safe_text.h"
#include "json.h"
#include "messages.h"

#include <ctype.h>
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Candidates shown for an ambiguous symbol. */
#define CANDIDATES_MAX 8

const char *module_name(const struct pvmio_maps *m, const char *full, char *buf, size_t size)
{
	const char *slash = strrchr(full, '/');
	if (!slash)
		return full;
	snprintf(buf, size, "%s", slash + 1);
	size_t n = strlen(buf), k = strlen(" (deleted)");
	if (n > k && strcmp(buf + n - k, " (deleted)") == 0)
		buf[n - k] = '\0';
	const char *match;
	struct perr e;
	if (match_name(m, buf, &match, &e) == 0 && strcmp(match, full) == 0)
		return buf;
	return full;
}

static int open_symbols(struct target *t, struct perr *e)
{
	if (t->syms)
		return 0;
	int rc = pvmio_symbols_open(t->h, &t->syms);
	if (rc < 0)
		return perr_set(e, rc == -ENOMEM ? PERR_NOMEM : PERR_SYMBOL, "cannot read the symbols of %s: %s",
				t->label, strerror(-rc));
	return 0;
}

static const char *table_name(int table)
{
	switch (table) {
	case PVMIO_SYM_SYMTAB:
		return ".symtab";
	case PVMIO_SYM_DYNSYM:
		return ".dynsym";
	case PVMIO_SYM_DEBUGFILE:
		return "its debug file";
	default:
		return ".gnu_debugdata";
	}
}

/* Why MODULE's symbols cannot give NAME, for a message. */
static int no_symbol(struct target *t, int rc, const char *module, const char *name, struct perr *e)
{
	char buf[256];
	const char *m = module ? module_name(t->maps, module, buf, sizeof buf) : NULL;
	switch (rc) {
	case -ENOMEM:
		return nomem(e);
	case -ENODATA:
		return perr_set(e, PERR_SYMBOL,
				"%s has no symbol table (it was stripped): install its debug symbols (Debian: its "
				"-dbgsym or -dbg package) or give an address",
				m);
	case -ENOKEY:
		/* not found where only the exported symbols are left */
		return perr_set(e, PERR_SYMBOL,
				"no symbol '%s' in %s, which was stripped: it has only its exported symbols (.dynsym); "
				"install its debug symbols (Debian: its -dbgsym or -dbg package) or give an address",
				name, m);
	case -ENOEXEC:
		return perr_set(e, PERR_SYMBOL, "%s is not an ELF file with symbols: '%s' cannot be in it", m, name);
	case -ESTALE:
		return perr_set(e, PERR_SYMBOL,
				"%s was deleted or replaced on disk since it was mapped, and the mapped file, in "
				"/proc/%d/map_files, needs CAP_SYS_ADMIN: its symbols cannot be read",
				m, (int)t->pid);
	case -ENOENT:
		if (m)
			return perr_set(e, PERR_SYMBOL,
					"no symbol '%s' in %s ('pvmio where' names the symbol at an address; nm lists them)",
					name, m);
		/* PERR_NAME: the grammar adds what the target maps. */
		return perr_set(e, PERR_NAME,
				"nor is '%s' a symbol of the main program or its libraries ('pvmio where' names the "
				"symbol at an address; nm lists them)",
				name);
	default:
		return perr_set(e, PERR_SYMBOL, "cannot look '%s' up in %s: %s", name, m ? m : "process", strerror(-rc));
	}
}

static int symbol(void *ctx, const char *module, const char *name, uint64_t *addr, uint64_t *size, struct perr *e)
{
	struct target *t = ctx;
	if (open_symbols(t, e) < 0)
		return -1;
	struct pvmio_symbol found[CANDIDATES_MAX];
	int n = pvmio_symbol(t->syms, module, name, found, CANDIDATES_MAX);
	if (n == -ENOENT && module && pvmio_symbols_source(t->syms, module) == PVMIO_SYM_DYNSYM)
		n = -ENOKEY;
	if (n == -ESTALE || n == -EACCES) {
		/* a bare name: the module that could not be read */
		if (!module)
			module = found[0].module;
	}
	if (n < 0)
		return no_symbol(t, n, module, name, e);
	if (n > 1) {
		char list[400] = "";
		size_t used = 0;
		for (int i = 0; i < n && i < CANDIDATES_MAX && used < sizeof list; i++) {
			char buf[256];
			used += (size_t)snprintf(list + used, sizeof list - used, "%s%s:%s at %#" PRIx64, i ? ", " : "",
						 module_name(t->maps, found[i].module, buf, sizeof buf), found[i].name,
						 found[i].addr);
		}
		return perr_set(e, PERR_AMBIGUOUS, "'%s' is ambiguous: %d symbols have that name (%s%s); %s", name, n,
				list, n > CANDIDATES_MAX ? ", ..." : "",
				module && strcmp(found[0].module, found[1].module) == 0
					? "locals of one object share it: give the address"
					: "name the module");
	}
	if (found[0].type == STT_TLS)
		return perr_set(e, PERR_SYMBOL,
				"'%s' is thread-local (STT_TLS): each thread has its own, at no single address", name);
	*addr = found[0].addr;
	*size = found[0].size;
	char buf[256];
	cli_verbose("%s:%s is %#" PRIx64 ", %" PRIu64 " bytes (from %s)%s",
		    module_name(t->maps, found[0].module, buf, sizeof buf),
		    found[0].name, found[0].addr, found[0].size, table_name(found[0].table),
		    found[0].type == STT_GNU_IFUNC ? "; an IFUNC: the address of its resolver" : "");
	return 0;
}

static int deref(void *ctx, uint64_t addr, uint64_t *value, struct perr *e)
{
	struct target *t = ctx;
	unsigned char buf[8];
	ssize_t n = pvmio_pread(t->h, buf, (size_t)t->ptrsize, addr);
	if (n != t->ptrsize) {
		char where[512];
		if (n == -ESRCH)
			return perr_set(e, PERR_MEMORY, "process %d exited", (int)t->pid);
		target_refresh_maps(t);
		describe_unreadable(t, addr + (uint64_t)(n > 0 ? n : 0), where, sizeof where);
		return perr_set(e, PERR_MEMORY, "%s", where);
	}
	*value = load_uint(buf, (unsigned)t->ptrsize, native_big_endian());
	cli_verbose("the pointer at %#" PRIx64 " is %#" PRIx64, addr, *value);
	return 0;
}

void target_resolver(struct target *t, struct resolver *r)
{
	*r = (struct resolver){ .maps = t->maps, .symbol = symbol, .deref = deref, .ctx = t };
}

int place_of(struct target *t, uint64_t addr, struct place *p, struct perr *e)
{
	*p = (struct place){ .addr = addr };
	const struct pvmio_mapping *m = pvmio_maps_lookup(t->maps, addr);
	if (!m || m->start > addr)
		return 0;
	p->mapping = m;
	if (m->name[0]) {
		/* NAME+OFF counts from the start of NAME's lowest mapping */
		p->module = module_name(t->maps, m->name, p->module_buf, sizeof p->module_buf);
		for (size_t i = 0; i < t->maps->n; i++) {
			if (strcmp(t->maps->v[i].name, m->name) == 0) {
				p->module_off = addr - t->maps->v[i].start;
				break;
			}
		}
	}
	if (open_symbols(t, e) < 0)
		return -1;
	struct pvmio_symbol sym;
	uint64_t off;
	int rc = pvmio_where(t->syms, addr, &sym, &off);
	if (rc == 0) {
		p->symbol = sym.name;
		p->symbol_addr = sym.addr;
		p->symbol_off = off;
		p->symbol_size = sym.size;
		if (!p->module) {
			/* the .bss past a module's file: named by its module */
			p->module = module_name(t->maps, sym.module, p->module_buf, sizeof p->module_buf);
			p->module_off = addr - sym.module_base;
		}
	}
	return 0;
}

/* NAME in double quotes, as the address grammar reads it back: '"' and
 * '\\' escaped, a control byte as \xHH (so none reaches a terminal). */
static void quoted_text(const char *name, char *buf, size_t size)
{
	size_t k = 0;
	buf[k++] = '"';
	for (const unsigned char *c = (const unsigned char *)name; *c && k + 6 < size; c++) {
		if (!safe_byte(*c)) {
			k += (size_t)snprintf(buf + k, size - k, "\\x%02x", *c);
			continue;
		}
		if (*c == '"' || *c == '\\')
			buf[k++] = '\\';
		buf[k++] = (char)*c;
	}
	buf[k++] = '"';
	buf[k] = '\0';
}

/* A symbol NAME as the address grammar reads it back: as it is when it is
 * made of a symbol's characters, else quoted. */
static void symbol_text(const char *name, char *buf, size_t size)
{
	int plain = (isalpha((unsigned char)name[0]) || name[0] == '_' || name[0] == '$') && !strstr(name, "..");
	for (const char *c = name; plain && *c; c++)
		plain = isalnum((unsigned char)*c) || strchr("_$.@", *c);
	if (plain)
		snprintf(buf, size, "%s", name);
	else
		quoted_text(name, buf, size);
}

/* A module NAME as it is, or quoted when it holds a control byte. */
static void module_text(const char *name, char *buf, size_t size)
{
	if (has_control(name))
		quoted_text(name, buf, size);
	else
		snprintf(buf, size, "%s", name);
}

void place_line(const struct place *p, char *buf, size_t size)
{
	char sym[2200] = "-", rel[1100] = "-", name[1024], module[1024] = "";
	if (p->symbol)
		symbol_text(p->symbol, name, sizeof name);
	if (p->module)
		module_text(p->module, module, sizeof module);
	if (p->symbol && p->symbol_off)
		snprintf(sym, sizeof sym, "%s:%s+0x%" PRIx64, module, name, p->symbol_off);
	else if (p->symbol)
		snprintf(sym, sizeof sym, "%s:%s", module, name);
	if (p->module)
		snprintf(rel, sizeof rel, "%s+0x%" PRIx64, module, p->module_off);
	snprintf(buf, size, "%#" PRIx64 " %s %s %s", p->addr, sym, rel, p->mapping ? p->mapping->perms : "-");
}

void place_json(struct json *j, const struct place *p)
{
	json_key(j, "address");
	json_hex(j, p->addr);
	json_key(j, "mapped");
	json_bool(j, p->mapping != NULL);
	if (p->mapping) {
		json_key(j, "perms");
		json_string(j, p->mapping->perms);
		json_key(j, "mapping");
		json_string(j, p->mapping->name);
		json_key(j, "mapping_start");
		json_hex(j, p->mapping->start);
		json_key(j, "mapping_offset");
		json_hex(j, p->addr - p->mapping->start);
	}
	if (p->module) {
		json_key(j, "module");
		json_string(j, p->module);
		json_key(j, "module_offset");
		json_hex(j, p->module_off);
	}
	if (p->symbol) {
		json_key(j, "symbol");
		json_string(j, p->symbol);
		json_key(j, "symbol_address");
		json_hex(j, p->symbol_addr);
		json_key(j, "symbol_offset");
		json_hex(j, p->symbol_off);
		json_key(j, "symbol_size");
		json_uint(j, p->symbol_size);
	}
}
