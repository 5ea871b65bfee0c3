/* libpvmio internals shared by its source files; not installed. */
#ifndef PVMIO_INTERNAL_H
#define PVMIO_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#define PVMIO_ADDR_LIMIT ((uint64_t)1 << 63)
#define PVMIO_IOV_MAX 1024
/* Streaming reads use one reused buffer of 1 MiB: large enough that the
 * system call cost vanishes, small enough to stay in cache (NOTES.md). */
#define PVMIO_CHUNK ((size_t)1 << 20)
#define PVMIO_FILL_UNIT ((size_t)64 << 10)
#define PVMIO_FILL_BATCH ((uint64_t)64 << 20)

struct pvmio_thread {
	pid_t tid;
	int signal;	/* a signal caught while stopping, given back on resume */
};

struct pvmio {
	pid_t pid, tgid;
	pid_t io_pid;	/* a live thread of the group, for system calls and /proc */
	int pidfd, memfd;
	unsigned flags;
	unsigned long long starttime;
	int stopped;	/* 0, PVMIO_STOPPED_PTRACE or PVMIO_STOPPED_SIGNAL */
	int was_stopped;
	struct pvmio_thread *threads;
	size_t nthreads, cap;
};

int lib_proc_path(char *buf, size_t size, pid_t pid, const char *leaf);
int lib_slurp(const char *path, char **out, size_t *outlen);
/* PF_KTHREAD in the flags of /proc/PID/stat: a kernel thread. */
#define LIB_PF_KTHREAD 0x00200000UL
struct lib_stat {
	char state;
	unsigned long flags;
	unsigned long long starttime;
};
int lib_proc_stat(pid_t pid, struct lib_stat *st);
/* Has a thread in STATE exited (a zombie or dead)? */
int lib_gone(char state);
pid_t lib_live_thread(pid_t tgid);
/* Goes through another live thread once ours has ended; -ESRCH if none. */
int lib_retarget(struct pvmio *h);
uint64_t lib_clip(uint64_t addr, uint64_t len);
ssize_t lib_xfer_once(struct pvmio *h, int write, const struct iovec *l, unsigned long nl,
			const struct iovec *r, unsigned long nr);

#endif
