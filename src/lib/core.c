/* libpvmio: a handle on an ELF core file (pvmio core, the kernel's, gdb's
 * gcore) that serves the read API as a process would: the PT_LOAD
 * segments are the memory, the notes give the maps list.  libelf does the
 * ELF; this file only knows which notes mean what. */
#include "config.h"
#include "pvmio.h"
#include "internal.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/procfs.h>
#include <sys/stat.h>
#include <unistd.h>

/* A PT_LOAD: [vaddr, vaddr+memsz) mapped, its first filesz bytes in the
 * file at offset; the rest was not dumped. */
struct core_segment {
	uint64_t vaddr, memsz, offset, filesz;
	uint32_t flags;
};

struct lib_core {
	int fd;
	Elf *elf;
	int ptrsize;
	pid_t pid;
	struct core_segment *segs;
	size_t nsegs;
	struct lib_range *holes;	/* unreadable when written (pvmio's note) */
	size_t nholes;
	char *maps_text;	/* as /proc/PID/maps */
	size_t maps_len;
	char *exe;
};

/* Magic numbers of the compressors cores are kept in. */
static const char *compressed(const unsigned char *b, size_t n)
{
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return "gzip";
	if (n >= 4 && memcmp(b, "\x28\xb5\x2f\xfd", 4) == 0)
		return "zstd";
	if (n >= 6 && memcmp(b, "\xfd" "7zXZ\0", 6) == 0)
		return "xz";
	if (n >= 3 && memcmp(b, "BZh", 3) == 0)
		return "bzip2";
	if (n >= 4 && memcmp(b, "\x04\x22\x4d\x18", 4) == 0)
		return "lz4";
	return NULL;
}

static int is_compressed(int fd)
{
	unsigned char b[8];
	ssize_t n = pread(fd, b, sizeof b, 0);
	return n > 0 && compressed(b, (size_t)n);
}

/* Does the file begin as an ELF core (ET_CORE, in either byte order)?
 * For the message when libelf refuses the rest. */
static int says_core(int fd)
{
	unsigned char b[18];
	if (pread(fd, b, sizeof b, 0) != (ssize_t)sizeof b || memcmp(b, ELFMAG, SELFMAG) != 0)
		return 0;
	unsigned type = b[EI_DATA] == ELFDATA2MSB ? (unsigned)(b[16] << 8 | b[17]) : (unsigned)(b[17] << 8 | b[16]);
	return type == ET_CORE;
}

static int by_vaddr(const void *a, const void *b)
{
	const struct core_segment *x = a, *y = b;
	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

/* NT_FILE: count, page size, then (start, end, page offset) triples in
 * the core's word size, then the names one after another. */
struct file_note {
	const unsigned char *desc;
	size_t len, word, count;
	uint64_t page;
};

static uint64_t word_at(const unsigned char *p, size_t word)
{
	if (word == 4) {
		uint32_t v;
		memcpy(&v, p, 4);
		return v;
	}
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* The value of auxiliary vector entry TYPE, or 0. */
static uint64_t auxv_value(const struct lib_core *c, const unsigned char *auxv, size_t len, uint64_t type)
{
	size_t word = (size_t)c->ptrsize;
	for (size_t off = 0; auxv && off + 2 * word <= len; off += 2 * word)
		if (word_at(auxv + off, word) == type)
			return word_at(auxv + off + word, word);
	return 0;
}

/* The /proc/PID/maps text of a core written by someone else: one line a
 * PT_LOAD, named from NT_FILE where it lists the range; [vdso] where the
 * auxiliary vector puts it, and [stack] where it holds the program's
 * name (AT_EXECFN). */
static int synthesize_maps(struct lib_core *c, const struct file_note *f, const unsigned char *auxv,
			   size_t auxv_len)
{
	uint64_t vdso = auxv_value(c, auxv, auxv_len, AT_SYSINFO_EHDR);
	uint64_t execfn = auxv_value(c, auxv, auxv_len, AT_EXECFN);
	size_t cap = 0, len = 0;
	char *text = NULL;
	const char *names = NULL;
	if (f->desc && f->len >= 2 * f->word && f->count <= (f->len - 2 * f->word) / (3 * f->word))
		names = (const char *)f->desc + 2 * f->word + 3 * f->word * f->count;
	for (size_t i = 0; i < c->nsegs; i++) {
		const struct core_segment *s = &c->segs[i];
		const char *name = "";
		uint64_t offset = 0;
		const char *np = names, *end = names ? (const char *)f->desc + f->len : NULL;
		for (size_t k = 0; names && k < f->count && np < end; k++) {
			const unsigned char *t = f->desc + 2 * f->word + 3 * f->word * k;
			size_t nl = strnlen(np, (size_t)(end - np));
			if (nl == (size_t)(end - np))
				break;	/* a name without its NUL: the note is cut */
			if (word_at(t, f->word) == s->vaddr) {
				name = np;
				offset = word_at(t + 2 * f->word, f->word) * f->page;
				break;
			}
			np += nl + 1;
		}
		if (!name[0] && vdso && s->vaddr == vdso)
			name = "[vdso]";
		else if (!name[0] && execfn && s->vaddr <= execfn && execfn - s->vaddr < s->memsz)
			name = "[stack]";
		size_t need = strlen(name) + 128;
		if (len + need > cap) {
			cap = (len + need) * 2;
			char *t = realloc(text, cap);
			if (!t) {
				free(text);
				return -ENOMEM;
			}
			text = t;
		}
		len += (size_t)snprintf(text + len, cap - len, "%" PRIx64 "-%" PRIx64 " %c%c%cp %08" PRIx64 " 00:00 0 %s\n",
					s->vaddr, s->vaddr + s->memsz, s->flags & PF_R ? 'r' : '-',
					s->flags & PF_W ? 'w' : '-', s->flags & PF_X ? 'x' : '-', offset, name);
	}
	c->maps_text = text ? text : strdup("");
	c->maps_len = len;
	return c->maps_text ? 0 : -ENOMEM;
}

/* The main program: the mapping that holds AT_ENTRY. */
static void exe_from_auxv(struct lib_core *c, const unsigned char *auxv, size_t len)
{
	uint64_t entry = auxv_value(c, auxv, len, AT_ENTRY);
	struct pvmio_maps *m;
	if (!entry || pvmio_maps_parse(c->maps_text, c->maps_len, &m) < 0)
		return;
	const struct pvmio_mapping *v = pvmio_maps_lookup(m, entry);
	if (v && v->start <= entry && v->name[0] == '/')
		c->exe = strdup(v->name);
	pvmio_maps_free(m);
}

/* What a failed libelf call means: -ENOMEM when it could not allocate
 * (libelf leaves errno ENOMEM; errno is cleared before each call), which
 * is no fault of the file; else OTHERWISE. */
static int elf_failed(int otherwise)
{
	return errno == ENOMEM ? -ENOMEM : otherwise;
}

static int read_notes(struct lib_core *c, const GElf_Phdr *ph, struct file_note *f, const unsigned char **auxv,
		      size_t *auxv_len)
{
	errno = 0;
	Elf_Data *d = elf_getdata_rawchunk(c->elf, (int64_t)ph->p_offset, ph->p_filesz, ELF_T_NHDR);
	if (!d)
		return elf_failed(0);	/* a truncated note segment: memory may still read */
	/* The process-info notes are read with this machine's layouts, so
	 * only from a core of the same word size. */
	int native = c->ptrsize == (int)sizeof(void *);
	GElf_Nhdr nh;
	size_t off = 0, name_off, desc_off, next;
	while ((next = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		const char *name = (const char *)d->d_buf + name_off;
		const unsigned char *desc = (const unsigned char *)d->d_buf + desc_off;
		off = next;
		if (nh.n_namesz == sizeof PVMIO_NOTE_NAME && memcmp(name, PVMIO_NOTE_NAME, nh.n_namesz) == 0) {
			if (nh.n_type == PVMIO_NOTE_MAPS && !c->maps_text) {
				c->maps_text = strndup((const char *)desc, nh.n_descsz);
				if (!c->maps_text)
					return -ENOMEM;
				c->maps_len = strlen(c->maps_text);
			} else if (nh.n_type == PVMIO_NOTE_EXE && !c->exe) {
				c->exe = strndup((const char *)desc, nh.n_descsz);
				if (!c->exe)
					return -ENOMEM;
			} else if (nh.n_type == PVMIO_NOTE_UNREADABLE && nh.n_descsz >= 16) {
				size_t n = nh.n_descsz / 16;
				struct lib_range *h = realloc(c->holes, (c->nholes + n) * sizeof *h);
				if (!h)
					return -ENOMEM;
				c->holes = h;
				for (size_t i = 0; i < n; i++) {
					memcpy(&h[c->nholes].start, desc + 16 * i, 8);
					memcpy(&h[c->nholes].end, desc + 16 * i + 8, 8);
					c->nholes++;
				}
			}
			continue;
		}
		if (nh.n_namesz != 5 || memcmp(name, "CORE", 5) != 0)
			continue;
		if (nh.n_type == NT_FILE && !f->desc && nh.n_descsz >= 2 * f->word) {
			f->desc = desc;
			f->len = nh.n_descsz;
			f->count = word_at(desc, f->word);
			f->page = word_at(desc + f->word, f->word);
		} else if (nh.n_type == NT_AUXV && !*auxv) {
			*auxv = desc;
			*auxv_len = nh.n_descsz;
		} else if (nh.n_type == NT_PRPSINFO && native && nh.n_descsz >= sizeof(struct elf_prpsinfo)) {
			struct elf_prpsinfo ps;
			memcpy(&ps, desc, sizeof ps);
			c->pid = ps.pr_pid;
		} else if (nh.n_type == NT_PRSTATUS && !c->pid && native && nh.n_descsz >= sizeof(struct elf_prstatus)) {
			struct elf_prstatus pr;
			memcpy(&pr, desc, sizeof pr);
			c->pid = pr.pr_pid;
		}
	}
	return 0;
}

static int load(struct lib_core *c)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOEXEC;
	c->elf = elf_begin(c->fd, ELF_C_READ_MMAP, NULL);
	errno = 0;
	if (!c->elf)
		c->elf = elf_begin(c->fd, ELF_C_READ, NULL);
	GElf_Ehdr eh;
	if (!c->elf || elf_kind(c->elf) != ELF_K_ELF || !gelf_getehdr(c->elf, &eh) || eh.e_type != ET_CORE)
		return elf_failed(-ENOEXEC);
	c->ptrsize = gelf_getclass(c->elf) == ELFCLASS32 ? 4 : 8;
	size_t nph;
	struct stat st;
	if (elf_getphdrnum(c->elf, &nph) < 0)
		return elf_failed(-ENOEXEC);
	if (fstat(c->fd, &st) < 0)
		return -errno;
	/* A core cut short: pvmio's keep their program headers at the end. */
	if (eh.e_phoff > (uint64_t)st.st_size || nph * (uint64_t)eh.e_phentsize > (uint64_t)st.st_size - eh.e_phoff)
		return -EBADMSG;
	c->segs = calloc(nph ? nph : 1, sizeof *c->segs);
	if (!c->segs)
		return -ENOMEM;
	struct file_note f = { .word = (size_t)c->ptrsize };
	const unsigned char *auxv = NULL;
	size_t auxv_len = 0;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		errno = 0;
		if (!gelf_getphdr(c->elf, (int)i, &ph))
			return elf_failed(-EBADMSG);
		if (ph.p_type == PT_NOTE) {
			int rc = read_notes(c, &ph, &f, &auxv, &auxv_len);
			if (rc < 0)
				return rc;
		} else if (ph.p_type == PT_LOAD && ph.p_memsz) {
			/* A truncated file keeps what it has: the rest is not
			 * there, as for a segment that was not dumped. */
			uint64_t filesz = ph.p_filesz < ph.p_memsz ? ph.p_filesz : ph.p_memsz;
			if (ph.p_offset >= (uint64_t)st.st_size)
				filesz = 0;
			else if (filesz > (uint64_t)st.st_size - ph.p_offset)
				filesz = (uint64_t)st.st_size - ph.p_offset;
			c->segs[c->nsegs++] = (struct core_segment){ ph.p_vaddr, ph.p_memsz, ph.p_offset, filesz,
								     ph.p_flags };
		}
	}
	qsort(c->segs, c->nsegs, sizeof *c->segs, by_vaddr);
	if (!c->maps_text) {
		int rc = synthesize_maps(c, &f, auxv, auxv_len);
		if (rc < 0)
			return rc;
	}
	if (!c->exe && auxv)
		exe_from_auxv(c, auxv, auxv_len);
	return 0;
}

void lib_core_free(struct lib_core *c)
{
	if (!c)
		return;
	if (c->elf)
		elf_end(c->elf);
	if (c->fd >= 0)
		close(c->fd);
	free(c->segs);
	free(c->holes);
	free(c->maps_text);
	free(c->exe);
	free(c);
}

int pvmio_open_core(const char *path, struct pvmio **out)
{
	*out = NULL;
	struct pvmio *h = calloc(1, sizeof *h);
	struct lib_core *c = calloc(1, sizeof *c);
	if (!h || !c) {
		free(h);
		free(c);
		return -ENOMEM;
	}
	h->memfd = -1;
	h->pin.pidfd = -1;
	h->core = c;
	/* O_NONBLOCK: a FIFO must not hang the open; it is refused below. */
	c->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	int rc = c->fd < 0 ? -errno : 0;
	struct stat st;
	if (rc == 0 && (fstat(c->fd, &st) < 0 || !S_ISREG(st.st_mode)))
		rc = -ENOEXEC;
	if (rc == 0 && is_compressed(c->fd))
		rc = -EPROTONOSUPPORT;
	if (rc == 0)
		rc = load(c);
	if (rc == -ENOEXEC && says_core(c->fd))
		rc = -EBADMSG;	/* libelf refused what begins as a core */
	if (rc < 0) {
		pvmio_close(h);
		return rc;
	}
	h->pid = h->io_pid = h->pin.tgid = c->pid;
	*out = h;
	return 0;
}

int pvmio_is_core(const struct pvmio *h)
{
	return h->core != NULL;
}

int lib_core_pointer_size(const struct lib_core *c)
{
	return c->ptrsize;
}

int lib_core_maps(const struct lib_core *c, struct pvmio_maps **out)
{
	int rc = pvmio_maps_parse(c->maps_text, c->maps_len, out);
	if (rc == 0 && c->exe && !((*out)->exe = strdup(c->exe))) {
		pvmio_maps_free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return rc;
}

/* The first segment that ends above ADDR (it holds ADDR or lies above
 * it), or NULL. */
static const struct core_segment *segment_from(const struct lib_core *c, uint64_t addr)
{
	size_t lo = 0, hi = c->nsegs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->segs[mid].vaddr + c->segs[mid].memsz <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nsegs ? &c->segs[lo] : NULL;
}

/* The segment holding ADDR, or NULL. */
static const struct core_segment *segment_at(const struct lib_core *c, uint64_t addr)
{
	const struct core_segment *s = segment_from(c, addr);
	return s && s->vaddr <= addr ? s : NULL;
}

uint64_t lib_core_avail(const struct lib_core *c, uint64_t addr, uint64_t len, uint64_t *missing, int *err)
{
	const struct core_segment *s = segment_at(c, addr);
	uint64_t have = 0, end_of_data = 0;
	if (s) {
		end_of_data = s->vaddr + s->filesz;
		have = addr < end_of_data ? end_of_data - addr : 0;
	}
	/* Pages that could not be read when the core was written. */
	for (size_t i = 0; i < c->nholes; i++) {
		const struct lib_range *r = &c->holes[i];
		if (r->start <= addr && addr < r->end) {
			have = 0;
			end_of_data = r->end;
			break;
		}
		if (r->start > addr && r->start - addr < have)
			have = r->start - addr;
	}
	if (have > len)
		have = len;
	if (missing) {
		*missing = 0;
		if (!have) {
			/* Up to the next byte that is there: the end of the
			 * segment's dumped part is not the end of the gap. */
			const struct core_segment *next = s ? NULL : segment_from(c, addr);
			uint64_t end = s ? s->vaddr + s->memsz : next ? next->vaddr : addr + len;
			if (end_of_data > addr && end_of_data < end)
				end = end_of_data;
			*missing = end - addr < len ? end - addr : len;
			/* unmapped, mapped without read permission (and so not
			 * dumped), or left out of the core */
			*err = !s ? -EFAULT : !(s->flags & PF_R) && !s->filesz ? -EACCES : -ENODATA;
		}
	}
	return have;
}

ssize_t lib_core_read(struct lib_core *c, void *buf, size_t len, uint64_t addr)
{
	size_t done = 0;
	unsigned tries = 0;
	while (done < len) {
		uint64_t have = lib_core_avail(c, addr + done, len - done, NULL, NULL);
		if (!have)
			break;
		const struct core_segment *s = segment_at(c, addr + done);
		ssize_t r = pread(c->fd, (char *)buf + done, (size_t)have, (off_t)(s->offset + (addr + done - s->vaddr)));
		if (r < 0 && lib_again(errno, &tries))
			continue;
		if (r < 0)
			return done ? (ssize_t)done : -errno;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return done ? (ssize_t)done : -EFAULT;
}
