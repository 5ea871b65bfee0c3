/* libpvmio: a handle on a process: opening it, pinning it with a pidfd,
 * knowing whether it lives, and closing it. */
#include "config.h"
#include "pvmio.h"
#include "internal.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#if !HAVE_DECL_SYS_PIDFD_OPEN
/* The same number on every architecture (since Linux 5.3). */
#define SYS_pidfd_open 434
#endif

int pvmio_open(pid_t pid, unsigned flags, struct pvmio **out)
{
	*out = NULL;
	if (pid <= 0)
		return -EINVAL;
	pid_t tgid = lib_thread_group(pid);
	if (tgid < 0)
		return tgid;

	struct pvmio *h = calloc(1, sizeof *h);
	if (!h)
		return -ENOMEM;
	h->pid = pid;
	h->pin.tgid = tgid;
	h->io_pid = pid;
	h->flags = flags;
	h->memfd = -1;
	h->pin.tgid = tgid;
	h->pin.pidfd = (int)syscall(SYS_pidfd_open, tgid, 0);
	int rc;
	if (h->pin.pidfd < 0) {
		rc = -errno;
		if (rc != -ENOSYS)
			goto fail;
		h->pin.pidfd = -1;
	}
	struct lib_stat st;
	rc = lib_proc_stat(tgid, &st);
	if (rc < 0)
		goto fail;
	h->pin.starttime = st.starttime;
	if (st.flags & LIB_PF_KTHREAD) {
		rc = -ENXIO;
		goto fail;
	}
	if (pid == tgid) {
		h->io_pid = lib_live_thread(tgid);
		if (h->io_pid < 0) {
			rc = h->io_pid;
			goto fail;
		}
	}

	/* Opening /proc/PID/mem runs the kernel's ptrace access check, so a
	 * denial shows here rather than at the first transfer.  The open file
	 * holds the address space, whichever thread it was opened through. */
	char path[64];
	lib_proc_path(path, sizeof path, h->io_pid, "mem");
	h->memfd = open(path, O_RDWR | O_CLOEXEC);
	if (h->memfd < 0)
		h->memfd = open(path, O_RDONLY | O_CLOEXEC);
	if (h->memfd < 0) {
		rc = errno == ENOENT ? -ESRCH : -errno;
		goto fail;
	}
	/* Still alive after the open: the pid was not reused in between. */
	rc = pvmio_check_alive(h);
	if (rc < 0)
		goto fail;
	*out = h;
	return 0;
fail:
	pvmio_close(h);
	return rc;
}

void pvmio_close(struct pvmio *h)
{
	if (!h)
		return;
	if (h->stopped)
		pvmio_resume(h);
	if (h->pin.pidfd >= 0)
		close(h->pin.pidfd);
	if (h->memfd >= 0)
		close(h->memfd);
	lib_core_free(h->core);
	free(h->threads);
	free(h);
}

const char *pvmio_version(void)
{
	return PVMIO_VERSION;
}

pid_t pvmio_pid(const struct pvmio *h)
{
	return h->pid;
}

int pvmio_pinned(const struct pvmio *h)
{
	return h->pin.pidfd >= 0;
}

int pvmio_check_alive(struct pvmio *h)
{
	if (h->core)
		return 0;	/* a core file never exits */
	return lib_group_alive(&h->pin);
}

int pvmio_pointer_size(struct pvmio *h)
{
	char path[64];
	unsigned char ident[EI_NIDENT];
	if (h->core)
		return lib_core_pointer_size(h->core);
	lib_proc_path(path, sizeof path, h->io_pid, "exe");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return (int)sizeof(void *);
	ssize_t n = pread(fd, ident, sizeof ident, 0);
	close(fd);
	if (n == (ssize_t)sizeof ident && memcmp(ident, ELFMAG, SELFMAG) == 0)
		return ident[EI_CLASS] == ELFCLASS32 ? 4 : 8;
	return (int)sizeof(void *);
}

int lib_retarget(struct pvmio *h, pid_t failed)
{
	if (h->core)
		return -ESRCH;
	/* The other thread of a read-ahead moved on already: use its pick. */
	if (lib_io_pid(h) != failed)
		return 0;
	if (pvmio_check_alive(h) < 0)
		return -ESRCH;
	pid_t live = lib_live_thread(h->pin.tgid);
	if (live < 0 || live == failed)
		return -ESRCH;
	__atomic_compare_exchange_n(&h->io_pid, &failed, live, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	return 0;
}

