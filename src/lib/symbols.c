/* libpvmio: symbols, with elfutils' libdwfl: a symbol's runtime address
 * and size, and the symbol at an address.  Modules are the target's file
 * mappings, reported to dwfl without opening anything; a module's file is
 * opened only when one of its symbols is needed, through
 * /proc/PID/map_files (the very file that is mapped, deleted or replaced
 * or in a container) or else /proc/PID/root, checked against the inode in
 * the maps list.  Separate debug files are found by build ID, locally:
 * never debuginfod.  See doc/DESIGN.md, "Symbols". */
#define _GNU_SOURCE
#include "config.h"
#include "pvmio.h"
#include "internal.h"

#include <dlfcn.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The kernel's mark on a mapping whose file is gone. */
#define DELETED_SUFFIX " (deleted)"

/* A module's symbols by address, for pvmio_where: built at its first
 * reverse look-up. */
struct by_addr {
	uint64_t addr, size;
	int index;	/* in dwfl_module_getsym_info */
};

struct module {
	const struct pvmio_mapping *first;	/* its lowest mapping */
	uint64_t low, high;	/* its mappings and the anonymous .bss after them */
	Dwfl_Module *dm;
	int open_err;		/* why its file could not be opened, 0 if it could */
	struct by_addr *sorted;
	int nsorted;		/* -1 before it is built */
};

struct pvmio_symbols {
	struct pvmio *h;
	struct pvmio_maps *maps;
	struct module *mods;
	size_t nmods;
	Dwfl *dwfl;
	Dwfl_Callbacks cb;
	char *debug_path;	/* dwfl keeps a pointer to this pointer */
	void *vdso;		/* a core's vDSO image, which libelf reads in place */
	/* the candidates of the last look-up, and names made for them */
	struct cand *cands;
	size_t ncands, cap;
};

/* A file's mapping: a path, and an inode except in a core file that
 * does not record them (the kernel's, gcore's). */
static int is_file(const struct pvmio_mapping *m)
{
	return m->name[0] == '/' && (m->inode != 0 || (m->dev_major == 0 && m->dev_minor == 0));
}

static size_t path_len(const char *name)
{
	size_t n = strlen(name), k = sizeof DELETED_SUFFIX - 1;
	return n > k && strcmp(name + n - k, DELETED_SUFFIX) == 0 ? n - k : n;
}

/* Does PATH start as an ELF file does? */
static int elf_file(const char *path)
{
	unsigned char magic[SELFMAG];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = pread(fd, magic, sizeof magic, 0);
	close(fd);
	return n == SELFMAG && memcmp(magic, ELFMAG, SELFMAG) == 0;
}

/* Modules: consecutive mappings of one file (same name, device and
 * inode, anonymous mappings between them allowed), the anonymous mapping
 * right after them (the .bss past the file's end) included; only those
 * with an executable mapping, which leaves out data files (locales,
 * caches, fonts); and [vdso]. */
static int find_modules(struct pvmio_symbols *s)
{
	const struct pvmio_maps *m = s->maps;
	s->mods = calloc(m->n ? m->n : 1, sizeof *s->mods);
	if (!s->mods)
		return -ENOMEM;
	for (size_t i = 0; i < m->n; i++) {
		const struct pvmio_mapping *v = &m->v[i];
		if (!is_file(v) && strcmp(v->name, "[vdso]") != 0)
			continue;
		struct module *last = s->nmods ? &s->mods[s->nmods - 1] : NULL;
		/* the same file again, past its start: the same object (a file
		 * mapped at offset 0 once more is another copy, as dlmopen makes) */
		if (is_file(v) && last && v->offset && strcmp(last->first->name, v->name) == 0 && last->first->inode == v->inode &&
		    last->first->dev_major == v->dev_major && last->first->dev_minor == v->dev_minor) {
			int anon_between = 1;
			for (const struct pvmio_mapping *w = v - 1; w->start >= last->high && w > m->v; w--)
				anon_between &= !w->name[0] || strcmp(w->name, v->name) == 0;
			if (anon_between) {
				last->high = v->end;
				continue;
			}
		}
		s->mods[s->nmods++] = (struct module){ .first = v, .low = v->start, .high = v->end, .nsorted = -1 };
	}
	size_t kept = 0;
	for (size_t k = 0; k < s->nmods; k++) {
		struct module *mod = &s->mods[k];
		int exec = 0;
		const struct pvmio_mapping *end = NULL;
		for (const struct pvmio_mapping *v = mod->first; v < m->v + m->n && v->start < mod->high; v++) {
			if (strcmp(v->name, mod->first->name) == 0) {
				exec |= v->perms[2] == 'x';
				end = v;
			}
		}
		/* gcore leaves a library's code out of its core, segments and
		 * all: there, an ELF file is a module without one. */
		if (!exec && s->h->core)
			exec = elf_file(mod->first->name);
		if (!exec)
			continue;
		if (end && end + 1 < m->v + m->n && !end[1].name[0] && end[1].inode == 0 && end[1].start == mod->high)
			mod->high = end[1].end;
		s->mods[kept++] = *mod;
	}
	s->nmods = kept;
	return 0;
}

static struct module *module_of(struct pvmio_symbols *s, Dwfl_Module *dm)
{
	for (size_t k = 0; k < s->nmods; k++)
		if (s->mods[k].dm == dm)
			return &s->mods[k];
	return NULL;
}

/* The file a module runs. */
static int open_module(struct pvmio_symbols *s, struct module *mod)
{
	const struct pvmio_mapping *v = mod->first;
	char path[PATH_MAX + 64];
	int fd;
	if (s->h->core) {
		/* The file the core names, if it is still the one mapped. */
		fd = open(v->name, O_RDONLY | O_CLOEXEC);
		struct stat st;
		if (fd >= 0 && v->inode && fstat(fd, &st) == 0 &&
		    (st.st_ino != v->inode || major(st.st_dev) != v->dev_major || minor(st.st_dev) != v->dev_minor)) {
			close(fd);
			errno = ESTALE;
			return -1;
		}
		return fd;
	}
	snprintf(path, sizeof path, "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)s->h->io_pid, v->start, v->end);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	/* map_files needs CAP_SYS_ADMIN (or CAP_CHECKPOINT_RESTORE) in the
	 * initial user namespace; else the path, as the target sees it. */
	if (path_len(v->name) != strlen(v->name)) {
		errno = ESTALE;
		return -1;
	}
	snprintf(path, sizeof path, "/proc/%d/root%s", (int)s->h->io_pid, v->name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 &&
	    (st.st_ino != v->inode || major(st.st_dev) != v->dev_major || minor(st.st_dev) != v->dev_minor)) {
		/* replaced on disk since it was mapped: its symbols would lie */
		close(fd);
		errno = ESTALE;
		return -1;
	}
	return fd;
}

static int find_elf(Dwfl_Module *dm, void **userdata, const char *name, Dwarf_Addr base, char **file_name,
		    Elf **elfp)
{
	struct pvmio_symbols *s = *userdata;
	struct module *mod = module_of(s, dm);
	if (strncmp(name, "[vdso", 5) == 0 && s->h->core && mod) {
		/* The vDSO's image, from the core's copy of it. */
		uint64_t size = mod->first->end - mod->first->start;
		free(s->vdso);
		s->vdso = malloc((size_t)size);
		if (s->vdso && pvmio_pread(s->h, s->vdso, (size_t)size, mod->first->start) == (ssize_t)size)
			*elfp = elf_memory(s->vdso, (size_t)size);
		return -1;
	}
	if (strncmp(name, "[vdso", 5) == 0)	/* "[vdso: PID]": read from /proc/PID/mem */
		return dwfl_linux_proc_find_elf(dm, userdata, name, base, file_name, elfp);
	if (!mod)
		return -1;
	int fd = open_module(s, mod);
	if (fd < 0) {
		mod->open_err = errno;
		return -1;
	}
	*file_name = strdup(mod->first->name);
	return fd;	/* dwfl reads the ELF from it, and closes it */
}

int pvmio_symbols_open(struct pvmio *h, struct pvmio_symbols **out)
{
	*out = NULL;
	struct pvmio_symbols *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->h = h;
	int rc = pvmio_maps_read(h, &s->maps);
	if (rc == 0)
		rc = find_modules(s);
	char root_debug[64];
	snprintf(root_debug, sizeof root_debug, "/proc/%d/root/usr/lib/debug", (int)h->io_pid);
	if (h->core)
		snprintf(root_debug, sizeof root_debug, "/usr/lib/debug");
	/* The target's own debug files first (a container's), then ours. */
	if (rc == 0 && asprintf(&s->debug_path, "%s:/usr/lib/debug", root_debug) < 0) {
		s->debug_path = NULL;
		rc = -ENOMEM;
	}
	if (rc < 0) {
		pvmio_symbols_close(s);
		return rc;
	}
	s->cb = (Dwfl_Callbacks){
		.find_elf = find_elf,
		/* by build ID only: no debuginfod, which may take 90 s a module */
		.find_debuginfo = dwfl_build_id_find_debuginfo,
		.debuginfo_path = &s->debug_path,
	};
	s->dwfl = dwfl_begin(&s->cb);
	if (!s->dwfl) {
		pvmio_symbols_close(s);
		return -ENOMEM;
	}
	/* Reporting opens nothing: find_elf runs at a module's first use. */
	dwfl_report_begin(s->dwfl);
	for (size_t k = 0; k < s->nmods; k++) {
		struct module *mod = &s->mods[k];
		char vdso[32];
		const char *name = mod->first->name;
		if (name[0] == '[') {
			snprintf(vdso, sizeof vdso, "[vdso: %d]", (int)h->io_pid);
			name = vdso;
		}
		mod->dm = dwfl_report_module(s->dwfl, name, mod->low, mod->high);
		void **ud;
		if (mod->dm && dwfl_module_info(mod->dm, &ud, NULL, NULL, NULL, NULL, NULL, NULL))
			*ud = s;
	}
	dwfl_report_end(s->dwfl, NULL, NULL);
	*out = s;
	return 0;
}

void pvmio_symbols_close(struct pvmio_symbols *s)
{
	if (!s)
		return;
	if (s->dwfl)
		dwfl_end(s->dwfl);
	free(s->vdso);
	free(s->cands);
	free(s->debug_path);
	for (size_t k = 0; k < s->nmods; k++)
		free(s->mods[k].sorted);
	free(s->mods);
	pvmio_maps_free(s->maps);
	free(s);
}

/* C++: libstdc++'s demangler, loaded when a name asks for it (no link
 * dependency; libstdc++ is wherever apt is). */
typedef char *(*demangler)(const char *, char *, size_t *, int *);

static demangler cxa_demangle(void)
{
	static int tried;
	static demangler fn;
	if (!tried) {
		tried = 1;
		void *lib = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
		if (lib)
			*(void **)&fn = dlsym(lib, "__cxa_demangle");
	}
	return fn;
}

/* Does the demangled NAME equal WANT, with or without its parameters? */
static int demangled_is(const char *name, const char *want)
{
	demangler fn = name[0] == '_' && name[1] == 'Z' ? cxa_demangle() : NULL;
	if (!fn)
		return 0;
	int status, r = 0;
	char *d = fn(name, NULL, NULL, &status);
	if (d) {
		size_t w = strlen(want);
		char *paren = strchr(d, '(');
		r = strcmp(d, want) == 0 || (paren && (size_t)(paren - d) == w && strncmp(d, want, w) == 0);
		free(d);
	}
	return r;
}

/* Is NAME, at link-time VALUE, in the module file's .dynsym (exported)?
 * With its version ("@@GLIBC_2.2.5", "@GLIBC_2.2.5") in VER: dwfl gives
 * .dynsym's names without versions. */
static int exported(Elf *e, const char *name, size_t len, GElf_Addr value, char *ver, size_t vsize)
{
	Elf_Scn *scn = NULL, *dyn = NULL, *vsym = NULL, *vdef = NULL, *vneed = NULL;
	GElf_Shdr sh, dsh = { 0 }, vdsh = { 0 }, vnsh = { 0 };
	ver[0] = '\0';
	while (e && (scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_DYNSYM)
			dyn = scn, dsh = sh;
		else if (sh.sh_type == SHT_GNU_versym)
			vsym = scn;
		else if (sh.sh_type == SHT_GNU_verdef)
			vdef = scn, vdsh = sh;
		else if (sh.sh_type == SHT_GNU_verneed)
			vneed = scn, vnsh = sh;
	}
	if (!dyn || !dsh.sh_entsize)
		return 0;
	Elf_Data *dd = elf_getdata(dyn, NULL);
	for (size_t i = 1; dd && i < dsh.sh_size / dsh.sh_entsize; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(dd, (int)i, &sym) || sym.st_shndx == SHN_UNDEF || sym.st_value != value)
			continue;
		const char *n = elf_strptr(e, dsh.sh_link, sym.st_name);
		if (!n || strlen(n) != len || memcmp(n, name, len) != 0)
			continue;
		GElf_Versym vs;
		Elf_Data *vd = vsym ? elf_getdata(vsym, NULL) : NULL;
		if (!vd || !gelf_getversym(vd, (int)i, &vs) || (vs & 0x7fff) < 2)
			return 1;
		const char *hidden = vs & 0x8000 ? "@" : "@@";
		Elf_Data *fd = vdef ? elf_getdata(vdef, NULL) : NULL;
		for (size_t off = 0; fd;) {
			GElf_Verdef def;
			if (!gelf_getverdef(fd, (int)off, &def))
				break;
			if (def.vd_ndx == (vs & 0x7fff)) {
				GElf_Verdaux aux;
				if (gelf_getverdaux(fd, (int)(off + def.vd_aux), &aux))
					snprintf(ver, vsize, "%s%s", hidden, elf_strptr(e, vdsh.sh_link, aux.vda_name));
				return 1;
			}
			if (!def.vd_next)
				break;
			off += def.vd_next;
		}
		/* a copy relocation's version: needed from a library */
		Elf_Data *nd = vneed ? elf_getdata(vneed, NULL) : NULL;
		for (size_t off = 0; nd;) {
			GElf_Verneed need;
			if (!gelf_getverneed(nd, (int)off, &need))
				break;
			size_t a = off + need.vn_aux;
			for (unsigned k = 0; k < need.vn_cnt; k++) {
				GElf_Vernaux aux;
				if (!gelf_getvernaux(nd, (int)a, &aux))
					break;
				if (aux.vna_other == (vs & 0x7fff)) {
					snprintf(ver, vsize, "@%s", elf_strptr(e, vnsh.sh_link, aux.vna_name));
					return 1;
				}
				a += aux.vna_next;
			}
			if (!need.vn_next)
				break;
			off += need.vn_next;
		}
		return 1;
	}
	return 0;
}

static int has_section(Elf *e, GElf_Word type)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (gelf_getshdr(scn, &sh) && sh.sh_type == type)
			return 1;
	}
	return 0;
}

/* Which table a symbol came from. */
static int table_of(Dwfl_Module *dm, Elf *from)
{
	GElf_Addr bias;
	Elf *main_elf = dwfl_module_getelf(dm, &bias);
	const char *debugfile = NULL;
	dwfl_module_info(dm, NULL, NULL, NULL, NULL, NULL, NULL, &debugfile);
	if (from == main_elf)
		return has_section(from, SHT_SYMTAB) ? PVMIO_SYM_SYMTAB : PVMIO_SYM_DYNSYM;
	return debugfile ? PVMIO_SYM_DEBUGFILE : PVMIO_SYM_MINIDEBUG;
}

struct cand {
	struct pvmio_symbol sym;
	int rank;	/* 0: plain or @@default; 1: @another version */
};

static int add_cand(struct pvmio_symbols *s, const struct cand *c)
{
	if (s->ncands == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		struct cand *v = realloc(s->cands, cap * sizeof *v);
		if (!v)
			return -ENOMEM;
		s->cands = v;
		s->cap = cap;
	}
	s->cands[s->ncands++] = *c;
	return 0;
}

static int local(const struct cand *c)
{
	return c->sym.bind == STB_LOCAL;
}

/* Why MOD's symbol table could not be had, once dwfl_module_getsymtab
 * failed: -ENOMEM (libdwfl and libelf leave errno ENOMEM when an
 * allocation failed: running out of memory is not a stripped file),
 * the error opening its file, -ENOEXEC (not ELF) or -ENODATA (no
 * symbol table). */
static int no_symtab(struct module *mod)
{
	if (errno == ENOMEM)
		return -ENOMEM;
	GElf_Addr bias;
	if (!dwfl_module_getelf(mod->dm, &bias))
		return errno == ENOMEM ? -ENOMEM : mod->open_err ? -mod->open_err : -ENOEXEC;
	return -ENODATA;
}

/* The definitions of WANT ("name", "name@VER", "name@@VER", or a C++
 * name with "::") in one module, added to s->cands, the best kept:
 * plain or default versions before others, one a address, a global
 * before locals.  0, or -errno: -ENODATA (no symbol table), -ESTALE,
 * -EACCES, -ENOENT (its file cannot be opened). */
static int search_module(struct pvmio_symbols *s, struct module *mod, const char *want)
{
	errno = 0;
	int n = dwfl_module_getsymtab(mod->dm);
	if (n < 0)
		return no_symtab(mod);
	GElf_Addr bias;
	Elf *main_elf = dwfl_module_getelf(mod->dm, &bias);
	const char *wat = strchr(want, '@');
	int cxx = strstr(want, "::") != NULL;
	size_t wlen = wat ? (size_t)(wat - want) : strlen(want);
	size_t first = s->ncands;
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		Elf *from;
		const char *name = dwfl_module_getsym_info(mod->dm, i, &sym, &addr, NULL, &from, NULL);
		/* an absolute symbol (a version name such as GLIBC_2.2.5) is
		 * a number, not a place in memory */
		if (!name || sym.st_shndx == SHN_UNDEF || sym.st_shndx == SHN_ABS)
			continue;
		int type = GELF_ST_TYPE(sym.st_info);
		if (type == STT_SECTION || type == STT_FILE)
			continue;
		const char *at = strchr(name, '@');
		size_t len = at ? (size_t)(at - name) : strlen(name);
		if (!(len == wlen && memcmp(name, want, wlen) == 0) && !(cxx && demangled_is(name, want)))
			continue;
		char ver[128];
		int exp = exported(main_elf, name, len, sym.st_value, ver, sizeof ver);
		if (at)
			snprintf(ver, sizeof ver, "%s", at);
		if (wat) {
			/* "name@@V" wants the default version V, "name@V" any V */
			const char *wv = wat + (wat[1] == '@' ? 2 : 1);
			const char *hv = ver + (ver[0] == '@') + (ver[0] == '@' && ver[1] == '@');
			if (!ver[0] || strcmp(hv, wv) != 0 || (wat[1] == '@' && ver[1] != '@'))
				continue;
		}
		struct cand c = {
			.sym = { .addr = addr,
				 .size = sym.st_size,
				 .name = name,
				 .module = mod->first->name,
				 .module_base = mod->low,
				 .type = (unsigned char)type,
				 .bind = (unsigned char)GELF_ST_BIND(sym.st_info),
				 .table = (unsigned char)table_of(mod->dm, from),
				 .exported = (unsigned char)exp },
			.rank = at && at[1] != '@',
		};
		if (type == STT_TLS)
			c.sym.addr = 0;	/* an offset in each thread's block, no address */
		int rc = add_cand(s, &c);
		if (rc < 0)
			return rc;
	}
	int best = 1;
	for (size_t i = first; i < s->ncands; i++)
		if (s->cands[i].rank < best)
			best = s->cands[i].rank;
	size_t kept = first, globals = 0;
	for (size_t i = first; i < s->ncands; i++) {
		struct cand *c = &s->cands[i];
		if (c->rank != best)
			continue;
		size_t j = first;
		while (j < kept && (s->cands[j].sym.addr != c->sym.addr || s->cands[j].sym.type != c->sym.type))
			j++;
		if (j < kept) {
			/* one address, two spellings: keep the global one */
			if (local(&s->cands[j]) && !local(c))
				s->cands[j] = *c;
			continue;
		}
		s->cands[kept++] = *c;
	}
	for (size_t i = first; i < kept; i++)
		globals += !local(&s->cands[i]);
	if (kept - first > 1 && globals == 1) {
		for (size_t i = first; i < kept; i++)
			if (!local(&s->cands[i]))
				s->cands[first] = s->cands[i];
		kept = first + 1;
	}
	s->ncands = kept;
	return 0;
}

static int copy_out(struct pvmio_symbols *s, struct pvmio_symbol *out, size_t max)
{
	for (size_t i = 0; i < s->ncands && i < max; i++)
		out[i] = s->cands[i].sym;
	return s->ncands ? (int)s->ncands : -ENOENT;
}

int pvmio_symbol(struct pvmio_symbols *s, const char *module, const char *name, struct pvmio_symbol *out,
		 size_t max)
{
	s->ncands = 0;
	if (module) {
		for (size_t k = 0; k < s->nmods; k++) {
			if (strcmp(s->mods[k].first->name, module) != 0)
				continue;
			int rc = search_module(s, &s->mods[k], name);
			return rc < 0 ? rc : copy_out(s, out, max);
		}
		return -ENOEXEC;
	}
	/* A bare name: the main program's definition first, as the dynamic
	 * linker binds it (a copy relocation makes the program's copy of
	 * environ the live one). */
	const char *exe = s->maps->exe;
	/* A module whose file cannot be read (replaced, denied) may be the
	 * one that defines NAME: found nowhere else, that is the answer. */
	int unread = 0;
	const char *unread_module = NULL;
	for (size_t k = 0; exe && k < s->nmods; k++) {
		if (strcmp(s->mods[k].first->name, exe) != 0)
			continue;
		int rc = search_module(s, &s->mods[k], name);
		if (rc == -ENOMEM)
			return rc;
		if (s->ncands)
			return copy_out(s, out, max);
		if ((rc == -ESTALE || rc == -EACCES) && !unread) {
			unread = rc;
			unread_module = s->mods[k].first->name;
		}
	}
	for (size_t k = 0; k < s->nmods; k++) {
		if (exe && strcmp(s->mods[k].first->name, exe) == 0)
			continue;
		int rc = search_module(s, &s->mods[k], name);
		if (rc == -ENOMEM)
			return -ENOMEM;
		if ((rc == -ESTALE || rc == -EACCES) && !unread) {
			unread = rc;
			unread_module = s->mods[k].first->name;
		}
	}
	if (!s->ncands && unread) {
		if (max)
			out[0] = (struct pvmio_symbol){ .module = unread_module };
		return unread;
	}
	/* Across modules: a global hides locals of the same name. */
	size_t globals = 0;
	for (size_t i = 0; i < s->ncands; i++)
		globals += !local(&s->cands[i]);
	if (globals && globals < s->ncands) {
		size_t kept = 0;
		for (size_t i = 0; i < s->ncands; i++)
			if (!local(&s->cands[i]))
				s->cands[kept++] = s->cands[i];
		s->ncands = kept;
	}
	return copy_out(s, out, max);
}

int pvmio_symbols_source(struct pvmio_symbols *s, const char *module)
{
	for (size_t k = 0; k < s->nmods; k++) {
		struct module *mod = &s->mods[k];
		if (strcmp(mod->first->name, module) != 0)
			continue;
		GElf_Addr bias;
		errno = 0;
		if (dwfl_module_getsymtab(mod->dm) < 0)
			return no_symtab(mod);
		const char *debugfile = NULL;
		dwfl_module_info(mod->dm, NULL, NULL, NULL, NULL, NULL, NULL, &debugfile);
		if (debugfile)
			return PVMIO_SYM_DEBUGFILE;
		Elf *e = dwfl_module_getelf(mod->dm, &bias);
		if (e && has_section(e, SHT_SYMTAB))
			return PVMIO_SYM_SYMTAB;
		/* MiniDebugInfo: a .symtab of the local symbols, compressed */
		Elf_Scn *scn = NULL;
		size_t shstrndx;
		while (e && elf_getshdrstrndx(e, &shstrndx) == 0 && (scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;
			const char *n = gelf_getshdr(scn, &sh) ? elf_strptr(e, shstrndx, sh.sh_name) : NULL;
			if (n && strcmp(n, ".gnu_debugdata") == 0)
				return PVMIO_SYM_MINIDEBUG;
		}
		return PVMIO_SYM_DYNSYM;
	}
	return -ENOEXEC;
}

static struct module *module_at(struct pvmio_symbols *s, uint64_t addr)
{
	for (size_t k = 0; k < s->nmods; k++)
		if (addr >= s->mods[k].low && addr < s->mods[k].high)
			return &s->mods[k];
	return NULL;
}

/* Symbols that can stand for an address: defined, not a section, file or
 * thread-local one, named. */
static int placeable(const char *name, const GElf_Sym *sym)
{
	int type = GELF_ST_TYPE(sym->st_info);
	return name && name[0] && sym->st_shndx != SHN_UNDEF && sym->st_shndx != SHN_ABS && type != STT_TLS &&
	       type != STT_SECTION && type != STT_FILE;
}

static int by_addr_cmp(const void *a, const void *b)
{
	const struct by_addr *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int sort_module(struct module *mod)
{
	if (mod->nsorted >= 0)
		return 0;
	errno = 0;
	int n = dwfl_module_getsymtab(mod->dm);
	if (n < 0 && errno == ENOMEM)
		return -ENOMEM; /* not sorted: tried again next time */
	mod->nsorted = 0;
	if (n <= 0)
		return 0;
	mod->sorted = malloc((size_t)n * sizeof *mod->sorted);
	if (!mod->sorted)
		return -ENOMEM;
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr v;
		const char *name = dwfl_module_getsym_info(mod->dm, i, &sym, &v, NULL, NULL, NULL);
		if (placeable(name, &sym) && v >= mod->low && v < mod->high)
			mod->sorted[mod->nsorted++] = (struct by_addr){ v, sym.st_size, i };
	}
	qsort(mod->sorted, (size_t)mod->nsorted, sizeof *mod->sorted, by_addr_cmp);
	return 0;
}

int pvmio_where(struct pvmio_symbols *s, uint64_t addr, struct pvmio_symbol *out, uint64_t *offset)
{
	struct module *mod = module_at(s, addr);
	if (!mod)
		return -EFAULT;
	*out = (struct pvmio_symbol){ .module = mod->first->name, .module_base = mod->low };
	*offset = addr - mod->low;
	if (sort_module(mod) < 0)
		return -ENOMEM;
	/* The closest symbol at or below ADDR; of several there, the one gdb
	 * names: an exported one (gdb looks in the module's own file before
	 * its debug file), then one whose size covers ADDR, then the last
	 * name in strcmp order (environ over __environ), as gdb sorts its
	 * minimal symbols. */
	int lo = 0, hi = mod->nsorted;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (mod->sorted[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 1;
	uint64_t at = mod->sorted[lo - 1].addr;
	const char *best = NULL;
	GElf_Sym best_sym = { 0 };
	Elf *best_from = NULL;
	int best_rank = -1;
	GElf_Addr bias;
	Elf *main_elf = dwfl_module_getelf(mod->dm, &bias);
	for (int i = lo - 1; i >= 0 && mod->sorted[i].addr == at; i--) {
		GElf_Sym sym;
		GElf_Addr v;
		Elf *from;
		const char *name = dwfl_module_getsym_info(mod->dm, mod->sorted[i].index, &sym, &v, NULL, &from, NULL);
		const char *ver = strchr(name, '@');
		char vbuf[128];
		int exp = exported(main_elf, name, ver ? (size_t)(ver - name) : strlen(name), sym.st_value, vbuf,
				   sizeof vbuf);
		int rank = 2 * exp + (addr - at < sym.st_size);
		if (rank > best_rank || (rank == best_rank && strcmp(name, best) > 0)) {
			best = name;
			best_sym = sym;
			best_from = from;
			best_rank = rank;
		}
	}
	out->name = best;
	out->addr = at;
	out->size = best_sym.st_size;
	out->type = (unsigned char)GELF_ST_TYPE(best_sym.st_info);
	out->bind = (unsigned char)GELF_ST_BIND(best_sym.st_info);
	out->table = (unsigned char)table_of(mod->dm, best_from);
	*offset = addr - at;
	return 0;
}
