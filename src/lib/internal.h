/* libpvmio internals shared by its source files; not installed.  The
 * files, leaf first: proc.c (/proc) <- handle.c (a pinned process) <-
 * transfer.c (bytes) <- stream.c (streaming reads); maps.c (the pure
 * maps list) <- maps_read.c; stop.c (threads held still) <- handle.c;
 * file.c (a FILE *) on top.  See doc/DESIGN.md. */
#ifndef PVMIO_INTERNAL_H
#define PVMIO_INTERNAL_H

#include <errno.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

/* No system call reaches 2^63 and above: process_vm_readv rejects such
 * lengths (EINVAL) and /proc/PID/mem such offsets (negative off_t). */
#define PVMIO_ADDR_LIMIT ((uint64_t)1 << 63)
/* process_vm_readv/writev take at most this many iovecs a side. */
#define PVMIO_IOV_MAX 1024
/* Streaming reads use one reused buffer of 1 MiB: large enough that the
 * system call cost vanishes, small enough to stay in cache
 * (doc/DESIGN.md, "Kernel facts"). */
#define PVMIO_CHUNK ((size_t)1 << 20)

/* A call a signal interrupted is made again, but not for ever: after
 * PVMIO_EINTR_MAX interruptions in a row it fails with -EINTR (a storm of
 * signals, or a fault injected by strace), instead of spinning. */
#define PVMIO_EINTR_MAX 1000
static inline int lib_again(int err, unsigned *tries)
{
	return err == EINTR && ++*tries < PVMIO_EINTR_MAX;
}
/* Fill repeats one buffer of about 64 KiB, up to 64 MiB a system call. */
#define PVMIO_FILL_UNIT ((size_t)64 << 10)
#define PVMIO_FILL_BATCH ((uint64_t)64 << 20)

/* How a process is pinned: a pidfd of its thread group, or where the
 * kernel lacks pidfd_open (-1), the leader's start time. */
struct lib_pin {
	pid_t tgid;
	int pidfd;
	unsigned long long starttime;
};

struct pvmio_thread {
	pid_t tid;	/* negative: a thread left alone (a zombie leader) */
	int signal;	/* a signal caught while stopping, given back on resume */
};

struct lib_core;
struct pvmio_maps;

struct pvmio {
	struct lib_core *core;	/* a core file's handle; NULL for a process */
	pid_t pid;	/* as the caller named it: a process or a thread */
	pid_t io_pid;	/* a live thread of the group, for system calls and /proc */
	struct lib_pin pin;
	int memfd;
	unsigned flags;
	int stopped;	/* 0, PVMIO_STOPPED_PTRACE or PVMIO_STOPPED_SIGNAL */
	int was_stopped;
	struct pvmio_thread *threads;
	size_t nthreads, cap;
};

/* The thread system calls and /proc go through.  The two threads of
 * pvmio_read_stream_ahead may both find it ended and move to another
 * (lib_retarget): it is read and set atomically. */
static inline pid_t lib_io_pid(const struct pvmio *h)
{
	return __atomic_load_n(&h->io_pid, __ATOMIC_RELAXED);
}

/* proc.c */
int lib_proc_path(char *buf, size_t size, pid_t pid, const char *leaf);
/* Reads a whole /proc file into a NUL-terminated malloc'd buffer. */
int lib_slurp(const char *path, char **out, size_t *outlen);
/* PF_KTHREAD in the flags of /proc/PID/stat: a kernel thread. */
#define LIB_PF_KTHREAD 0x00200000UL
struct lib_stat {
	char state;
	long ppid, pgrp, session, nice;
	unsigned long flags;
	unsigned long long utime, stime, cutime, cstime;	/* clock ticks */
	unsigned long long starttime;
};
int lib_proc_stat(pid_t pid, struct lib_stat *st);
/* Has a thread in STATE exited (a zombie or dead)? */
int lib_gone(char state);
/* The thread group (Tgid) of PID, or -ESRCH. */
pid_t lib_thread_group(pid_t pid);
/* A thread of TGID that has not exited, or -ESRCH. */
pid_t lib_live_thread(pid_t tgid);
/* 0 while the pinned thread group lives, -ESRCH once it is gone. */
int lib_group_alive(const struct lib_pin *pin);

/* handle.c: goes through another live thread once FAILED, the one a call
 * went through, has ended (0 at once if another call moved on from it
 * meanwhile); -ESRCH if none lives. */
int lib_retarget(struct pvmio *h, pid_t failed);

/* transfer.c */
uint64_t lib_clip(uint64_t addr, uint64_t len);
/* LEN or less: what H may move from ADDR (lib_clip's limit, but for a
 * core file, which has none but 2^64). */
uint64_t lib_usable(const struct pvmio *h, uint64_t addr, uint64_t len);
ssize_t lib_xfer_once(struct pvmio *h, int write, const struct iovec *l, unsigned long nl,
		      const struct iovec *r, unsigned long nr);

/* core.c: a core file as a read-only process. */
struct lib_range {
	uint64_t start, end;
};
/* pvmio's own notes in the cores it writes (owner "PVMIO"): the maps
 * list as /proc/PID/maps gave it, the main program's path, and the
 * ranges that could not be read (start, end pairs of little-endian u64),
 * which are zeros in the file but must never read as zeros. */
#define PVMIO_NOTE_NAME "PVMIO"
#define PVMIO_NOTE_MAPS 0x504d0001
#define PVMIO_NOTE_EXE 0x504d0002
#define PVMIO_NOTE_UNREADABLE 0x504d0003
void lib_core_free(struct lib_core *c);
int lib_core_pointer_size(const struct lib_core *c);
int lib_core_maps(const struct lib_core *c, struct pvmio_maps **out);
/* How many bytes from ADDR (at most LEN) the core holds; when none, how
 * many are missing from ADDR on in *MISSING, and why in *ERR: -EFAULT
 * unmapped, -EACCES without read permission, -ENODATA not in the core. */
uint64_t lib_core_avail(const struct lib_core *c, uint64_t addr, uint64_t len, uint64_t *missing, int *err);
/* Bytes read (short at the first byte not in the core) or -EFAULT. */
ssize_t lib_core_read(struct lib_core *c, void *buf, size_t len, uint64_t addr);

#endif
