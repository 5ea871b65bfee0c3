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
int lib_proc_stat(pid_t pid, char *state, unsigned long long *starttime);
uint64_t lib_clip(uint64_t addr, uint64_t len);
ssize_t lib_xfer_once(struct pvmio *h, int write, const struct iovec *l, unsigned long nl,
			const struct iovec *r, unsigned long nr);

#endif
