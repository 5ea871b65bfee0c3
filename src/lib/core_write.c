/* libpvmio: writing an ELF core file of a live process, as the kernel
 * does on a crash (fs/binfmt_elf.c, elf_core_dump), so that gdb opens it.
 *
 * The layout lets the file be written front to back, to a pipe as well:
 *
 *   ELF header | memory, one segment a mapping, page-aligned | notes |
 *   program headers | (section header 0 when they are 65535 or more) |
 *   pvmio's note of unreadable ranges
 *
 * Everything before the memory is known once the maps list is read; the
 * ranges that fail to read are only known after it, which is why the
 * program headers come last (e_phoff says where). */
#include "config.h"
#include "pvmio.h"
#include "internal.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/procfs.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#if __SIZEOF_POINTER__ == 8
typedef Elf64_Ehdr Ehdr;
typedef Elf64_Phdr Phdr;
typedef Elf64_Shdr Shdr;
#define CORE_CLASS ELFCLASS64
#else
typedef Elf32_Ehdr Ehdr;
typedef Elf32_Phdr Phdr;
typedef Elf32_Shdr Shdr;
#define CORE_CLASS ELFCLASS32
#endif

#if defined(__x86_64__)
#define CORE_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define CORE_MACHINE EM_AARCH64
#elif defined(__i386__)
#define CORE_MACHINE EM_386
#elif defined(__riscv)
#define CORE_MACHINE EM_RISCV
#elif defined(__powerpc64__)
#define CORE_MACHINE EM_PPC64
#elif defined(__s390x__)
#define CORE_MACHINE EM_S390
#else
#error "pvmio core: unknown ELF machine for this architecture"
#endif

/* Register sets the kernel's cores carry besides NT_PRSTATUS, each read
 * with PTRACE_GETREGSET and left out where the kernel has none. */
static const unsigned extra_regsets[] = {
	NT_PRFPREG,
#if defined(__x86_64__) && defined(NT_X86_XSTATE)
	NT_X86_XSTATE,
#endif
#if defined(__aarch64__)
#ifdef NT_ARM_TLS
	NT_ARM_TLS,
#endif
#ifdef NT_ARM_SVE
	NT_ARM_SVE,
#endif
#ifdef NT_ARM_PAC_MASK
	NT_ARM_PAC_MASK,
#endif
#endif
};
#define REGSET_MAX ((size_t)64 << 10)

/* A growing buffer of notes. */
struct notes {
	unsigned char *buf;
	size_t len, cap;
	int err;
};

static void notes_put(struct notes *n, const void *p, size_t len)
{
	size_t padded = (len + 3) & ~(size_t)3;
	if (n->err || !padded)
		return;
	if (n->len + padded > n->cap) {
		size_t cap = (n->len + padded) * 2 + 4096;
		unsigned char *b = realloc(n->buf, cap);
		if (!b) {
			n->err = -ENOMEM;
			return;
		}
		n->buf = b;
		n->cap = cap;
	}
	if (len)
		memcpy(n->buf + n->len, p, len);
	memset(n->buf + n->len + len, 0, padded - len);
	n->len += padded;
}

static void note(struct notes *n, const char *name, unsigned type, const void *desc, size_t len)
{
	Elf64_Nhdr nh = { (Elf64_Word)strlen(name) + 1, (Elf64_Word)len, type };
	notes_put(n, &nh, sizeof nh);
	notes_put(n, name, nh.n_namesz);
	notes_put(n, desc, len);
}

static struct timeval ticks(unsigned long long t)
{
	long hz = sysconf(_SC_CLK_TCK);
	if (hz <= 0)
		hz = 100;
	return (struct timeval){ (time_t)(t / (unsigned long long)hz),
				 (suseconds_t)(t % (unsigned long long)hz * (1000000 / (unsigned long long)hz)) };
}

/* One thread's notes: NT_PRSTATUS with its registers, then the others. */
static void thread_notes(struct notes *n, pid_t tid, void *regbuf)
{
	struct elf_prstatus pr;
	memset(&pr, 0, sizeof pr);
	struct lib_stat f;
	pr.pr_pid = tid;
	if (lib_proc_stat(tid, &f) == 0) {
		pr.pr_ppid = (pid_t)f.ppid;
		pr.pr_pgrp = (pid_t)f.pgrp;
		pr.pr_sid = (pid_t)f.session;
		pr.pr_utime = ticks(f.utime);
		pr.pr_stime = ticks(f.stime);
		pr.pr_cutime = ticks(f.cutime);
		pr.pr_cstime = ticks(f.cstime);
	}
	struct iovec iov = { &pr.pr_reg, sizeof pr.pr_reg };
	ptrace(PTRACE_GETREGSET, tid, (void *)(uintptr_t)NT_PRSTATUS, &iov);
	size_t nsets = sizeof extra_regsets / sizeof extra_regsets[0];
	size_t got[sizeof extra_regsets / sizeof extra_regsets[0]];
	for (size_t i = 0; i < nsets; i++) {
		iov = (struct iovec){ (char *)regbuf + i * REGSET_MAX, REGSET_MAX };
		got[i] = ptrace(PTRACE_GETREGSET, tid, (void *)(uintptr_t)extra_regsets[i], &iov) == 0 ? iov.iov_len : 0;
	}
	pr.pr_fpvalid = got[0] > 0;
	note(n, "CORE", NT_PRSTATUS, &pr, sizeof pr);
	for (size_t i = 0; i < nsets; i++)
		if (got[i])
			note(n, extra_regsets[i] == NT_PRFPREG ? "CORE" : "LINUX", extra_regsets[i],
			     (char *)regbuf + i * REGSET_MAX, got[i]);
}

/* PID's notes; LIVE is a live thread of it, whose /proc files still
 * answer when the main thread has exited (a zombie leader has no auxv). */
static void process_notes(struct notes *n, pid_t pid, pid_t live)
{
	struct elf_prpsinfo ps;
	memset(&ps, 0, sizeof ps);
	struct lib_stat f;
	char path[64], *text;
	size_t len;
	ps.pr_pid = pid;
	if (lib_proc_stat(pid, &f) == 0) {
		static const char states[] = "RSDTZW";
		const char *at = strchr(states, f.state);
		ps.pr_sname = f.state;
		ps.pr_state = at ? (char)(at - states) : 0;
		ps.pr_zomb = f.state == 'Z';
		ps.pr_nice = (char)f.nice;
		ps.pr_flag = (unsigned long)f.flags;
		ps.pr_ppid = (pid_t)f.ppid;
		ps.pr_pgrp = (pid_t)f.pgrp;
		ps.pr_sid = (pid_t)f.session;
	}
	lib_proc_path(path, sizeof path, pid, "status");
	if (lib_slurp(path, &text, &len) == 0) {
		char *u = strstr(text, "\nUid:"), *g = strstr(text, "\nGid:");
		if (u)
			ps.pr_uid = (unsigned)strtoul(u + 5, NULL, 10);
		if (g)
			ps.pr_gid = (unsigned)strtoul(g + 5, NULL, 10);
		free(text);
	}
	lib_proc_path(path, sizeof path, pid, "comm");
	if (lib_slurp(path, &text, &len) == 0) {
		size_t l = strcspn(text, "\n");
		memcpy(ps.pr_fname, text, l < sizeof ps.pr_fname ? l : sizeof ps.pr_fname);
		free(text);
	}
	lib_proc_path(path, sizeof path, live, "cmdline");
	if (lib_slurp(path, &text, &len) == 0) {
		/* The arguments, NULs made spaces, as the kernel does. */
		size_t k = len < sizeof ps.pr_psargs - 1 ? len : sizeof ps.pr_psargs - 1;
		for (size_t i = 0; i < k; i++)
			ps.pr_psargs[i] = text[i] ? text[i] : ' ';
		while (k && ps.pr_psargs[k - 1] == ' ')
			ps.pr_psargs[--k] = '\0';
		free(text);
	}
	note(n, "CORE", NT_PRPSINFO, &ps, sizeof ps);
	lib_proc_path(path, sizeof path, live, "auxv");
	if (lib_slurp(path, &text, &len) == 0) {
		note(n, "CORE", NT_AUXV, text, len);
		free(text);
	}
}

static int file_backed(const struct pvmio_mapping *m)
{
	return m->name[0] == '/';
}

/* NT_FILE: the file-backed mappings, as the kernel lists them. */
static void file_note(struct notes *n, const struct pvmio_maps *m, uint64_t page)
{
	size_t count = 0, names = 0;
	for (size_t i = 0; i < m->n; i++)
		if (file_backed(&m->v[i])) {
			count++;
			names += strlen(m->v[i].name) + 1;
		}
	size_t len = (2 + 3 * count) * sizeof(unsigned long) + names;
	unsigned long *d = malloc(len);
	if (!d) {
		n->err = -ENOMEM;
		return;
	}
	d[0] = count;
	d[1] = (unsigned long)page;
	char *s = (char *)(d + 2 + 3 * count);
	size_t k = 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct pvmio_mapping *v = &m->v[i];
		if (!file_backed(v))
			continue;
		d[2 + 3 * k] = (unsigned long)v->start;
		d[3 + 3 * k] = (unsigned long)v->end;
		d[4 + 3 * k] = (unsigned long)(v->offset / page);
		k++;
		size_t l = strlen(v->name) + 1;
		memcpy(s, v->name, l);
		s += l;
	}
	note(n, "CORE", NT_FILE, d, len);
	free(d);
}

/* The maps list as /proc/PID/maps prints it, for pvmio's own note. */
static void maps_note(struct notes *n, const struct pvmio_maps *m)
{
	size_t cap = 0, len = 0;
	char *text = NULL;
	for (size_t i = 0; i < m->n && !n->err; i++) {
		const struct pvmio_mapping *v = &m->v[i];
		size_t need = strlen(v->name) + 128;
		if (len + need > cap) {
			cap = (len + need) * 2;
			char *t = realloc(text, cap);
			if (!t) {
				n->err = -ENOMEM;
				break;
			}
			text = t;
		}
		len += (size_t)snprintf(text + len, cap - len, "%08" PRIx64 "-%08" PRIx64 " %s %08" PRIx64
							      " %02x:%02x %" PRIu64 " %s\n",
					v->start, v->end, v->perms, v->offset, v->dev_major, v->dev_minor, v->inode,
					v->name);
	}
	if (!n->err)
		note(n, PVMIO_NOTE_NAME, PVMIO_NOTE_MAPS, text ? text : "", len);
	free(text);
	if (m->exe)
		note(n, PVMIO_NOTE_NAME, PVMIO_NOTE_EXE, m->exe, strlen(m->exe));
}

/* What /proc/PID/smaps says of a mapping that the maps list does not. */
struct smaps_info {
	uint64_t start;
	unsigned dontdump : 1, io : 1, huge : 1, anonymous : 1;
};

static int by_start(const void *a, const void *b)
{
	const struct smaps_info *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Reads smaps; on failure the list is empty and every mapping counts as
 * touched and dumpable. */
static size_t read_smaps(pid_t pid, struct smaps_info **out)
{
	char path[64], *line = NULL;
	size_t n = 0, cap = 0, linecap = 0;
	*out = NULL;
	lib_proc_path(path, sizeof path, pid, "smaps");
	/* A line at a time: the whole text is about 1 KiB a mapping. */
	FILE *in = fopen(path, "re");
	if (!in)
		return 0;
	struct smaps_info *v = NULL;
	while (getline(&line, &linecap, in) > 0) {
		line[strcspn(line, "\n")] = '\0';
		char *colon = strchr(line, ':'), *dash = strchr(line, '-'), *space = strchr(line, ' ');
		if (dash && space && dash < space && (!colon || colon > space)) {
			if (n == cap) {
				cap = cap ? 2 * cap : 256;
				struct smaps_info *t = realloc(v, cap * sizeof *v);
				if (!t)
					break;
				v = t;
			}
			v[n++] = (struct smaps_info){ .start = strtoull(line, NULL, 16) };
		} else if (n && strncmp(line, "Anonymous:", 10) == 0) {
			v[n - 1].anonymous = strtoull(line + 10, NULL, 10) > 0;
		} else if (n && strncmp(line, "VmFlags:", 8) == 0) {
			for (char *f = line + 8; *f; f++) {
				if (*f == ' ')
					continue;
				v[n - 1].dontdump |= strncmp(f, "dd", 2) == 0;
				v[n - 1].io |= strncmp(f, "io", 2) == 0;
				v[n - 1].huge |= strncmp(f, "ht", 2) == 0;
				while (f[1] && f[1] != ' ')
					f++;
			}
		}
	}
	free(line);
	fclose(in);
	qsort(v, n, sizeof *v, by_start);
	*out = v;
	return n;
}

static const struct smaps_info *smaps_of(const struct smaps_info *v, size_t n, uint64_t start)
{
	struct smaps_info key = { .start = start };
	return n ? bsearch(&key, v, n, sizeof *v, by_start) : NULL;
}

/* How many bytes of mapping M the core carries: the kernel's
 * vma_dump_size, from what /proc shows of a mapping. */
static uint64_t dump_size(struct pvmio *h, const struct pvmio_mapping *m, const struct smaps_info *si, unsigned long filter,
			  int all, uint64_t page)
{
	uint64_t whole = m->end - m->start;
	int shared = m->perms[3] == 's';
	if (m->perms[0] != 'r' && !(h->flags & PVMIO_FORCE))
		return 0;	/* cannot be read without --force */
	if (all)
		return si && si->io ? 0 : whole;
	/* The kernel always dumps its special mappings; of them only [vdso]
	 * can be read ([vvar] is I/O memory, [vsyscall] lies above 2^63). */
	if (strcmp(m->name, "[vdso]") == 0)
		return whole;
	if (si && (si->dontdump || si->io))
		return 0;
	if (m->start >= PVMIO_ADDR_LIMIT)
		return 0;
	if (si && si->huge)
		return filter & (shared ? PVMIO_CORE_HUGE_SHARED : PVMIO_CORE_HUGE_PRIVATE) ? whole : 0;
	if (shared) {
		/* A shared mapping of a file nobody can open (anonymous
		 * shared memory, memfd, SysV) counts as anonymous. */
		size_t l = strlen(m->name);
		int anon = !file_backed(m) || (l > 10 && strcmp(m->name + l - 10, " (deleted)") == 0);
		return filter & (anon ? PVMIO_CORE_ANON_SHARED : PVMIO_CORE_FILE_SHARED) ? whole : 0;
	}
	/* Private: anonymous pages (anon_vma) make it anonymous memory. */
	if ((!si || si->anonymous) && filter & PVMIO_CORE_ANON_PRIVATE)
		return whole;
	if (!file_backed(m))
		return 0;
	if (filter & PVMIO_CORE_FILE_PRIVATE)
		return whole;
	if (filter & PVMIO_CORE_ELF_HEADERS && m->offset == 0) {
		unsigned char magic[SELFMAG];
		if (pvmio_pread(h, magic, sizeof magic, m->start) == SELFMAG && memcmp(magic, ELFMAG, SELFMAG) == 0)
			return page < whole ? page : whole;
	}
	return 0;
}

/* The output: a file written front to back, with holes where it can
 * seek (a regular file not in append mode), zeros where it cannot. */
struct out {
	int fd;
	int sparse;
	uint64_t pos;
	const unsigned char *zeros;
	size_t zlen;
};

static int out_write(struct out *o, const void *p, size_t len)
{
	unsigned tries = 0;
	while (len) {
		ssize_t w = write(o->fd, p, len);
		if (w < 0 && lib_again(errno, &tries))
			continue;
		if (w < 0)
			return -errno;
		p = (const char *)p + w;
		len -= (size_t)w;
		o->pos += (uint64_t)w;
	}
	return 0;
}

static int out_zeros(struct out *o, uint64_t len)
{
	if (o->sparse && len) {
		if (lseek(o->fd, (off_t)len, SEEK_CUR) < 0)
			return -errno;
		o->pos += len;
		return 0;
	}
	while (len) {
		size_t k = len < o->zlen ? (size_t)len : o->zlen;
		int rc = out_write(o, o->zeros, k);
		if (rc < 0)
			return rc;
		len -= k;
	}
	return 0;
}

struct dump {
	struct out *out;
	const struct pvmio_core_options *opt;
	struct pvmio_core_summary *sum;
	struct lib_range *bad;
	size_t nbad, capbad;
	uint64_t page, done, total;
	int err;
};

static int is_zero(const unsigned char *p, size_t len, const unsigned char *zeros)
{
	return memcmp(p, zeros, len) == 0;
}

static int add_bad(struct dump *d, uint64_t start, uint64_t len)
{
	if (d->nbad && d->bad[d->nbad - 1].end == start) {
		d->bad[d->nbad - 1].end += len;
		return 0;
	}
	if (d->nbad == d->capbad) {
		size_t cap = d->capbad ? 2 * d->capbad : 16;
		struct lib_range *t = realloc(d->bad, cap * sizeof *t);
		if (!t)
			return -ENOMEM;
		d->bad = t;
		d->capbad = cap;
	}
	d->bad[d->nbad++] = (struct lib_range){ start, start + len };
	return 0;
}

static int on_chunk(void *ctx, const struct pvmio_chunk *c)
{
	struct dump *d = ctx;
	int rc = 0;
	if (!c->data) {
		rc = add_bad(d, c->addr, c->len);
		if (!rc)
			rc = out_zeros(d->out, c->len);
		d->sum->unreadable += c->len;
	} else {
		/* Page by page: zero pages become holes, runs of others one
		 * write. */
		const unsigned char *p = c->data;
		uint64_t off = 0;
		while (off < c->len && !rc) {
			uint64_t run = 0;
			int zero = -1;
			while (off + run < c->len) {
				uint64_t at = c->addr + off + run;
				uint64_t step = d->page - at % d->page;
				if (step > c->len - off - run)
					step = c->len - off - run;
				int z = is_zero(p + off + run, (size_t)step, d->out->zeros);
				if (zero >= 0 && z != zero)
					break;
				zero = z;
				run += step;
			}
			if (zero) {
				d->sum->zero += run;
				rc = out_zeros(d->out, run);
			} else {
				rc = out_write(d->out, p + off, (size_t)run);
			}
			off += run;
		}
	}
	d->done += c->len;
	if (!rc && d->opt && d->opt->progress)
		rc = d->opt->progress(d->opt->ctx, d->done, d->total);
	return rc;
}

static int write_header(struct out *o, uint64_t phoff, size_t phnum, uint64_t shoff)
{
	Ehdr eh;
	memset(&eh, 0, sizeof eh);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = CORE_CLASS;
	eh.e_ident[EI_DATA] = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh.e_type = ET_CORE;
	eh.e_machine = CORE_MACHINE;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = phoff;
	eh.e_ehsize = sizeof eh;
	eh.e_phentsize = sizeof(Phdr);
	/* 65535 program headers or more: the count is in section header 0. */
	eh.e_phnum = phnum >= PN_XNUM ? PN_XNUM : (uint16_t)phnum;
	if (shoff) {
		eh.e_shoff = shoff;
		eh.e_shentsize = sizeof(Shdr);
		eh.e_shnum = 1;
	}
	return out_write(o, &eh, sizeof eh);
}

int pvmio_core_write(struct pvmio *h, int fd, const struct pvmio_core_options *opt,
		     struct pvmio_core_summary *summary)
{
	struct pvmio_core_summary dummy;
	struct pvmio_core_summary *sum = summary ? summary : &dummy;
	memset(sum, 0, sizeof *sum);
	if (h->core)
		return -EINVAL;	/* a core of a core: copy the file */
	if (pvmio_pointer_size(h) != (int)sizeof(void *))
		return -EOPNOTSUPP;	/* the notes would need the other word size's layouts */
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	struct pvmio_maps *m = NULL;
	struct smaps_info *si = NULL;
	struct notes n = { 0 };
	uint64_t *sizes = NULL;
	void *regbuf = NULL;
	unsigned char *zeros = calloc(1, (size_t)page > 65536 ? (size_t)page : 65536);
	struct dump d = { .opt = opt, .sum = sum, .page = page };
	int rc = zeros ? pvmio_maps_read(h, &m) : -ENOMEM;
	if (rc < 0)
		goto out;

	unsigned long filter = PVMIO_CORE_ANON_PRIVATE | PVMIO_CORE_ANON_SHARED | PVMIO_CORE_ELF_HEADERS |
			       PVMIO_CORE_HUGE_PRIVATE;	/* the kernel's default, 0x33 */
	if (opt && opt->filter >= 0) {
		filter = (unsigned long)opt->filter;
	} else {
		char path[64], *text;
		size_t len;
		lib_proc_path(path, sizeof path, h->io_pid, "coredump_filter");
		if (lib_slurp(path, &text, &len) == 0) {
			filter = strtoul(text, NULL, 16);
			free(text);
		}
	}
	size_t nsi = read_smaps(h->io_pid, &si);
	sizes = calloc(m->n ? m->n : 1, sizeof *sizes);
	if (!sizes) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < m->n; i++) {
		if (opt && opt->select && !opt->select(opt->ctx, &m->v[i]))
			sizes[i] = 0;
		else
			sizes[i] = dump_size(h, &m->v[i], smaps_of(si, nsi, m->v[i].start), filter, opt && opt->all, page);
		d.total += sizes[i];
	}

	/* The notes: the first thread's NT_PRSTATUS comes first (gdb takes
	 * it as the current thread), the main thread where it can. */
	if (h->stopped == PVMIO_STOPPED_PTRACE) {
		regbuf = malloc(REGSET_MAX * (sizeof extra_regsets / sizeof extra_regsets[0]));
		if (!regbuf) {
			rc = -ENOMEM;
			goto out;
		}
	}
	size_t first = 0;
	for (size_t i = 0; regbuf && i < h->nthreads; i++)
		if (h->threads[i].tid == h->pin.tgid)
			first = i;
	/* In the kernel's order: its NT_PRSTATUS, the process's notes, then
	 * its other register sets. */
	struct notes t0 = { 0 };
	size_t prlen = 0;
	if (regbuf && h->nthreads && h->threads[first].tid > 0) {
		thread_notes(&t0, h->threads[first].tid, regbuf);
		prlen = sizeof(Elf64_Nhdr) + 8 + ((sizeof(struct elf_prstatus) + 3) & ~(size_t)3);
		sum->threads++;
	}
	notes_put(&n, t0.buf, prlen);
	process_notes(&n, h->pin.tgid, h->io_pid);
	file_note(&n, m, page);
	notes_put(&n, t0.buf + prlen, t0.len - prlen);
	if (t0.err)
		n.err = t0.err;
	free(t0.buf);
	for (size_t i = 0; regbuf && i < h->nthreads; i++)
		if (i != first && h->threads[i].tid > 0) {
			thread_notes(&n, h->threads[i].tid, regbuf);
			sum->threads++;
		}
	maps_note(&n, m);
	if (n.err) {
		rc = n.err;
		goto out;
	}

	struct out o = { .fd = fd, .zeros = zeros, .zlen = (size_t)page > 65536 ? (size_t)page : 65536 };
	struct stat st;
	int fl = fcntl(fd, F_GETFL);
	o.sparse = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && fl >= 0 && !(fl & O_APPEND) &&
		   lseek(fd, 0, SEEK_CUR) >= 0;
	d.out = &o;
	uint64_t data_off = (sizeof(Ehdr) + page - 1) / page * page;
	uint64_t notes_off = data_off + d.total;
	uint64_t phoff = (notes_off + n.len + 7) & ~(uint64_t)7;
	size_t phnum = m->n + 2;
	uint64_t shoff = phnum >= PN_XNUM ? phoff + phnum * sizeof(Phdr) : 0;
	uint64_t tail_off = (shoff ? shoff + sizeof(Shdr) : phoff + phnum * sizeof(Phdr));

	rc = write_header(&o, phoff, phnum, shoff);
	if (!rc)
		rc = out_zeros(&o, data_off - o.pos);
	for (size_t i = 0; i < m->n && !rc; i++) {
		if (!sizes[i])
			continue;
		uint64_t before = o.pos;
		/* The next MiB is read on a second CPU while this one is
		 * written: a 1 GiB process to a tmpfs file, 0.50-0.74 s on one
		 * thread, 0.39-0.44 s so. */
		rc = pvmio_read_stream_ahead(h, m->v[i].start, sizes[i], on_chunk, &d);
		/* A range the stream could not cover (it stops only on an
		 * error) must still take its room in the file. */
		if (!rc && o.pos - before != sizes[i])
			rc = -EIO;
	}
	if (rc)
		goto out;
	sum->mappings = m->n;
	sum->dumped = d.total;
	rc = out_write(&o, n.buf, n.len);
	if (!rc)
		rc = out_zeros(&o, phoff - o.pos);

	/* The program headers: the notes first, as the kernel orders them. */
	struct notes tail = { 0 };
	note(&tail, PVMIO_NOTE_NAME, PVMIO_NOTE_UNREADABLE, d.bad, d.nbad * sizeof *d.bad);
	if (!rc)
		rc = tail.err;
	Phdr ph;
	memset(&ph, 0, sizeof ph);
	ph.p_type = PT_NOTE;
	ph.p_offset = notes_off;
	ph.p_filesz = n.len;
	ph.p_align = 4;
	if (!rc)
		rc = out_write(&o, &ph, sizeof ph);
	ph.p_offset = tail_off;
	ph.p_filesz = tail.len;
	if (!rc)
		rc = out_write(&o, &ph, sizeof ph);
	uint64_t off = data_off;
	for (size_t i = 0; i < m->n && !rc; i++) {
		const struct pvmio_mapping *v = &m->v[i];
		memset(&ph, 0, sizeof ph);
		ph.p_type = PT_LOAD;
		ph.p_flags = (v->perms[0] == 'r' ? PF_R : 0) | (v->perms[1] == 'w' ? PF_W : 0) |
			     (v->perms[2] == 'x' ? PF_X : 0);
		ph.p_offset = off;
		ph.p_vaddr = v->start;
		ph.p_filesz = sizes[i];
		ph.p_memsz = v->end - v->start;
		ph.p_align = page;
		off += sizes[i];
		rc = out_write(&o, &ph, sizeof ph);
	}
	if (!rc && shoff) {
		Shdr sh;
		memset(&sh, 0, sizeof sh);
		sh.sh_info = (uint32_t)phnum;
		rc = out_write(&o, &sh, sizeof sh);
	}
	if (!rc)
		rc = out_write(&o, tail.buf, tail.len);
	free(tail.buf);
	sum->size = o.pos;
out:
	free(d.bad);
	free(zeros);
	free(regbuf);
	free(sizes);
	free(si);
	free(n.buf);
	pvmio_maps_free(m);
	return rc;
}
