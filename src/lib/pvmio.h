/* libpvmio: read and write the memory of another process.
 *
 * Every function returns 0, a byte count, or -errno; none prints, exits or
 * touches global state other than errno.  Remote addresses are uint64_t and
 * are checked before they reach the kernel, so no transfer wraps past 2^64.
 * A handle is not safe to use from two threads at once; distinct handles are
 * independent.  See pvmio(3). */
#ifndef PVMIO_H
#define PVMIO_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The release this header comes with (semantic versioning); the tool
 * and the library share it.  The ABI is the soname, libpvmio.so.1, and
 * the symbol version pvmio_1.0.  make check fails when these and
 * configure.ac's version disagree. */
#define PVMIO_VERSION_MAJOR 0
#define PVMIO_VERSION_MINOR 2
#define PVMIO_VERSION_PATCH 0
#define PVMIO_VERSION "0.2.0"
/* The library's own release, which may be newer than the header a
 * program was built with: "0.2.0". */
const char *pvmio_version(void);

struct pvmio;

/* Flags for pvmio_open(). */
enum {
	/* Do all I/O through /proc/PID/mem, which reaches PROT_NONE pages and
	 * writes read-only private pages the way debuggers do. */
	PVMIO_FORCE = 1u << 0,
};

/* Opens PID (a process or one of its threads) and pins it with a pidfd.
 * Fails with -EINVAL (pid <= 0), -ESRCH (no such process, or a zombie),
 * -EPERM/-EACCES (ptrace access denied). */
int pvmio_open(pid_t pid, unsigned flags, struct pvmio **out);
void pvmio_close(struct pvmio *h);
pid_t pvmio_pid(const struct pvmio *h);
/* 1 when the process is pinned by a pidfd, 0 where the kernel lacks
 * pidfd_open and the start time from /proc/PID/stat is checked instead. */
int pvmio_pinned(const struct pvmio *h);
/* 0 while the opened process lives; -ESRCH once it has exited (a pid reused
 * since is never mistaken for it). */
int pvmio_check_alive(struct pvmio *h);
/* The target's pointer size in bytes (4 or 8). */
int pvmio_pointer_size(struct pvmio *h);

/* Positional transfer: bytes moved, short at the first inaccessible byte;
 * -errno when none moved (-EFAULT for unmapped or protected memory, -ESRCH
 * once the process exited). */
ssize_t pvmio_pread(struct pvmio *h, void *buf, size_t len, uint64_t addr);
ssize_t pvmio_pwrite(struct pvmio *h, const void *buf, size_t len, uint64_t addr);

/* A remote span for scatter/gather. */
struct pvmio_span {
	uint64_t addr;
	size_t len;
};

/* Scatter/gather: like process_vm_readv/writev without their limits (any
 * number of iovecs, short transfers resumed), stopping at the first
 * inaccessible byte.  Returns bytes moved or -errno when none moved. */
ssize_t pvmio_readv(struct pvmio *h, const struct iovec *local, size_t nlocal,
		    const struct pvmio_span *remote, size_t nremote);
ssize_t pvmio_writev(struct pvmio *h, const struct iovec *local, size_t nlocal,
		     const struct pvmio_span *remote, size_t nremote);

/* Repeats PATTERN over [addr, addr+len), the last copy cut at the end.
 * Memory stays small: every local iovec points into one pattern buffer.
 * Returns bytes written (short at the first inaccessible byte) or -errno. */
ssize_t pvmio_fill(struct pvmio *h, uint64_t addr, uint64_t len,
		   const void *pattern, size_t patlen);

/* Streaming read.  Calls FN for consecutive pieces of [addr, addr+len) in
 * address order: readable data (DATA non-NULL), or an unreadable run (DATA
 * NULL, ERR -EFAULT for unmapped, -EACCES for a mapping without read
 * permission, -EIO for a page the kernel refused, -ENODATA for bytes a
 * core file does not hold).  Holes are stepped over
 * with the help of /proc/PID/maps, not a system call per page.  A non-zero
 * return from FN stops the stream and is returned. */
struct pvmio_chunk {
	uint64_t addr;
	uint64_t len;
	const void *data;
	int err;
};
typedef int (*pvmio_chunk_fn)(void *ctx, const struct pvmio_chunk *chunk);
int pvmio_read_stream(struct pvmio *h, uint64_t addr, uint64_t len,
		      pvmio_chunk_fn fn, void *ctx);
/* The same stream, with the next batch read on a second thread while FN
 * handles this one: for an FN that takes time of its own (a search, a
 * format), on a machine with two CPUs or more.  FN gets what it would get
 * above, one chunk at a time, in order, but on the caller's thread and on
 * the second one in turn; a chunk's data stays valid until FN returns.
 * While the stream runs, FN must not use H, nor leave it by longjmp.  The
 * second thread takes no asynchronous signals; a write to a closed pipe
 * from it fails with EPIPE (see pvmio_pread(3)). */
int pvmio_read_stream_ahead(struct pvmio *h, uint64_t addr, uint64_t len,
			    pvmio_chunk_fn fn, void *ctx);

/* Mappings, as /proc/PID/maps lists them. */
struct pvmio_mapping {
	uint64_t start, end, offset, inode;
	unsigned dev_major, dev_minor;
	char perms[5];	/* "r-xp" */
	char *name;	/* "" for anonymous mappings */
};
struct pvmio_maps {
	struct pvmio_mapping *v;
	size_t n;
	char *exe;	/* path of the main program, or NULL if unknown */
};
int pvmio_maps_read(struct pvmio *h, struct pvmio_maps **out);
/* Parses the text of a maps file (for tools and tests). */
int pvmio_maps_parse(const char *text, size_t len, struct pvmio_maps **out);
void pvmio_maps_free(struct pvmio_maps *m);
/* The mapping containing ADDR, else the first one above it, else NULL. */
const struct pvmio_mapping *pvmio_maps_lookup(const struct pvmio_maps *m, uint64_t addr);

/* Checks that [addr, addr+len) is mapped with every permission in PERMS
 * ("r", "w", "rw"; NULL or "" only checks that it is mapped).  Returns 0,
 * or -EFAULT (unmapped) / -EACCES (a permission is missing) with the first
 * bad address in *bad. */
int pvmio_maps_check(const struct pvmio_maps *m, uint64_t addr, uint64_t len,
		     const char *perms, uint64_t *bad);

/* Stops every thread of the process for the duration of a job (ptrace
 * seize and interrupt; SIGSTOP where ptrace cannot attach) and puts them
 * back as they were.  The kernel resumes a ptrace-stopped target if the
 * caller dies.  pvmio_resume is async-signal-safe. */
enum {
	PVMIO_STOPPED_PTRACE = 1,
	PVMIO_STOPPED_SIGNAL = 2,
};
/* Returns how the process was stopped (PVMIO_STOPPED_*), or -errno:
 * -EDEADLK for the caller's own process. */
int pvmio_stop(struct pvmio *h);
int pvmio_resume(struct pvmio *h);

/* Symbols, from the ELF symbol tables of the target's modules (its main
 * program and libraries, [vdso]): .symtab, .dynsym, MiniDebugInfo and
 * separate debug files found by build ID under /usr/lib/debug.  A
 * module's file is opened only when one of its symbols is needed, through
 * /proc/PID/map_files or /proc/PID/root, so a deleted, replaced or
 * containerised file resolves against what the process runs.  See
 * pvmio_symbols_open(3). */
struct pvmio_symbols;
enum {
	PVMIO_SYM_SYMTAB = 1,	/* the module file's .symtab */
	PVMIO_SYM_DYNSYM,	/* its .dynsym (exported symbols only) */
	PVMIO_SYM_DEBUGFILE,	/* a separate debug file's .symtab */
	PVMIO_SYM_MINIDEBUG,	/* .gnu_debugdata (MiniDebugInfo) */
};
struct pvmio_symbol {
	uint64_t addr;		/* runtime: the value plus the module's load bias */
	uint64_t size;		/* 0 when the table gives none */
	const char *name;	/* as the table spells it */
	const char *module;	/* the module's mapping name, as the maps list has it */
	uint64_t module_base;	/* the start of its lowest mapping */
	unsigned char type;	/* STT_OBJECT, STT_FUNC...; STT_TLS has no address (0) */
	unsigned char bind;	/* STB_LOCAL, STB_GLOBAL, STB_WEAK */
	unsigned char table;	/* PVMIO_SYM_* */
	unsigned char exported;	/* in the module's .dynsym */
};
/* The symbols of H's process as it is mapped now; pointers in results
 * stay valid until pvmio_symbols_close.  0 or -errno. */
int pvmio_symbols_open(struct pvmio *h, struct pvmio_symbols **out);
void pvmio_symbols_close(struct pvmio_symbols *s);
/* The definitions of NAME ("name", "name@VERSION", "name@@VERSION", or a
 * demangled C++ name with "::") in MODULE (a mapping name exactly as the
 * maps list has it), or with MODULE NULL in the main program, else in
 * every module (a global hiding locals).  Returns how many (the first MAX
 * in OUT: more than one is an ambiguity), or -ENOENT (none), -ENODATA
 * (the module has no symbol table), -ENOEXEC (MODULE is not a mapped ELF
 * object), -ESTALE (its file was replaced and the mapped one cannot be
 * opened), -ENOMEM.  A bare NAME found in no module that could be read,
 * with one that could not: that one's error, and OUT[0].module names it. */
int pvmio_symbol(struct pvmio_symbols *s, const char *module, const char *name, struct pvmio_symbol *out,
		 size_t max);
/* Where MODULE's symbols come from (PVMIO_SYM_*: PVMIO_SYM_DYNSYM means
 * it was stripped to its exported symbols), or -ENODATA, -ENOEXEC,
 * -ESTALE, as pvmio_symbol. */
int pvmio_symbols_source(struct pvmio_symbols *s, const char *module);
/* The symbol that covers ADDR, or else the closest one below it in the
 * same module: 0 with *OUT and *OFFSET from it; 1 in a module with no
 * symbol there (OUT's module only, *OFFSET from module_base); -EFAULT in
 * no module. */
int pvmio_where(struct pvmio_symbols *s, uint64_t addr, struct pvmio_symbol *out, uint64_t *offset);

/* Core files.  pvmio_open_core opens an ELF core file (written by
 * pvmio_core_write, by the kernel or by gdb's gcore) as a handle that
 * serves the read API as a stopped process would: pvmio_pread,
 * pvmio_readv, pvmio_read_stream, pvmio_maps_read and pvmio_symbols_open
 * (modules are opened by the paths the core names).  Bytes a core lacks
 * (a mapping that was not dumped, a page that could not be read when it
 * was written) are unreadable (-EFAULT; -ENODATA in a stream), never zeros.
 * Writes give -EROFS; pvmio_stop does nothing (0); pvmio_pid is the pid
 * the core records (0 if none).  Fails with -ENOEXEC (not an ELF core,
 * or not a regular file), -EBADMSG (cut short: its program headers are
 * missing), -EPROTONOSUPPORT (compressed: gzip, zstd, xz, bzip2, lz4),
 * -errno. */
int pvmio_open_core(const char *path, struct pvmio **out);
/* 1 for a handle on a core file, 0 for a process. */
int pvmio_is_core(const struct pvmio *h);

/* Writes an ELF core file of H's process to FD, as the kernel would on a
 * crash: a PT_LOAD for every mapping (its bytes where the dump filter
 * takes them), notes for the process, its threads' registers (when H has
 * them stopped by ptrace: pvmio_stop gave PVMIO_STOPPED_PTRACE), NT_AUXV
 * and NT_FILE, so gdb opens it.  Zero pages become holes when FD can
 * seek (a sparse file); a pipe gets them written.  Unreadable pages are
 * zeros in the file and listed in a note of pvmio's, so that
 * pvmio_open_core reports them as unreadable. */
enum {
	/* The filter: bits of /proc/PID/coredump_filter (core(5)). */
	PVMIO_CORE_ANON_PRIVATE = 1u << 0,
	PVMIO_CORE_ANON_SHARED = 1u << 1,
	PVMIO_CORE_FILE_PRIVATE = 1u << 2,
	PVMIO_CORE_FILE_SHARED = 1u << 3,
	PVMIO_CORE_ELF_HEADERS = 1u << 4,
	PVMIO_CORE_HUGE_PRIVATE = 1u << 5,
	PVMIO_CORE_HUGE_SHARED = 1u << 6,
};
struct pvmio_core_options {
	/* -1: the process's own /proc/PID/coredump_filter; else a mask of
	 * PVMIO_CORE_* bits. */
	long filter;
	/* Every readable mapping, whatever the filter and madvise
	 * MADV_DONTDUMP say. */
	int all;
	/* Called after each piece of memory written (DONE of TOTAL bytes);
	 * non-zero stops the job, and is returned.  May be NULL.  Like the
	 * writes to FD, it may run on a second thread the library starts
	 * (one call at a time, in order: pvmio_read_stream_ahead). */
	int (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *ctx;
	/* Which mappings carry their bytes at all, before the filter: zero
	 * leaves M's bytes out (its segment stays, empty).  May be NULL. */
	int (*select)(void *ctx, const struct pvmio_mapping *m);
};
struct pvmio_core_summary {
	uint64_t mappings;	/* PT_LOAD segments */
	uint64_t dumped;	/* bytes of memory in the file */
	uint64_t zero;		/* of them, zero pages left as holes or written as zeros */
	uint64_t unreadable;	/* bytes that could not be read */
	uint64_t threads;	/* threads whose registers are in the file */
	uint64_t size;		/* the file's length */
};
/* 0, or -errno: -EIO/-ENOSPC... writing FD, -ESRCH the process exited,
 * -EPIPE FD is a pipe with no reader (SIGPIPE may not have been raised: a
 * write on the second thread does not raise it).  SUMMARY (may be NULL)
 * is filled either way. */
int pvmio_core_write(struct pvmio *h, int fd, const struct pvmio_core_options *opt,
		     struct pvmio_core_summary *summary);

/* A stdio stream over the process's memory: the file position is the
 * address.  MODE is "r" or "r+".  NULL with errno set on failure. */
FILE *pvmio_fopen(pid_t pid, const char *mode);

#ifdef __cplusplus
}
#endif

#endif
