/* libpvmio core: opening a target, pinning it, and moving bytes. */
#include "config.h"
#include "pvmio.h"
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int lib_proc_path(char *buf, size_t size, pid_t pid, const char *leaf)
{
	int n = snprintf(buf, size, "/proc/%d/%s", (int)pid, leaf);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Reads a whole small /proc file into a NUL-terminated malloc'd buffer. */
int lib_slurp(const char *path, char **out, size_t *outlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (cap - len < 4096) {
			char *bigger = realloc(buf, cap * 2);
			if (!bigger) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = bigger;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + len, cap - len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int err = -errno;
			free(buf);
			close(fd);
			return err;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	if (outlen)
		*outlen = len;
	return 0;
}

/* Reads the state letter, the flags and the start time from
 * /proc/PID/stat.  The command name may hold spaces and parentheses, so
 * parse after the last ')'. */
int lib_proc_stat(pid_t pid, struct lib_stat *st)
{
	char path[64], *text;
	lib_proc_path(path, sizeof path, pid, "stat");
	int rc = lib_slurp(path, &text, NULL);
	if (rc < 0)
		return rc == -ENOENT ? -ESRCH : rc;
	char *p = strrchr(text, ')');
	if (!p || p[1] != ' ' || !p[2]) {
		free(text);
		return -EIO;
	}
	*st = (struct lib_stat){ .state = p[2] };
	/* The state is field 3, the flags field 9, the start time field 22. */
	char *q = p + 2;
	for (int field = 3; field < 22 && q; field++) {
		q = strchr(q, ' ');
		if (q)
			q++;
		if (q && field + 1 == 9)
			st->flags = strtoul(q, NULL, 10);
	}
	st->starttime = q ? strtoull(q, NULL, 10) : 0;
	free(text);
	return 0;
}

int lib_gone(char state)
{
	return state == 'Z' || state == 'X';
}

static pid_t thread_group_of(pid_t pid)
{
	char path[64], *text;
	lib_proc_path(path, sizeof path, pid, "status");
	if (lib_slurp(path, &text, NULL) < 0)
		return -ESRCH;
	char *p = strstr(text, "\nTgid:");
	pid_t tgid = p ? (pid_t)strtol(p + 6, NULL, 10) : 0;
	free(text);
	return tgid > 0 ? tgid : -ESRCH;
}

/* A thread of the group that has not exited: the leader, if it lives.
 * A leader that called pthread_exit stays a zombie while its threads run,
 * and its /proc entries then show no memory. */
pid_t lib_live_thread(pid_t tgid)
{
	struct lib_stat st;
	if (lib_proc_stat(tgid, &st) == 0 && !lib_gone(st.state))
		return tgid;
	char path[64];
	lib_proc_path(path, sizeof path, tgid, "task");
	DIR *d = opendir(path);
	if (!d)
		return -ESRCH;
	pid_t live = -ESRCH;
	struct dirent *e;
	while (live < 0 && (e = readdir(d))) {
		pid_t tid = (pid_t)strtol(e->d_name, NULL, 10);
		if (tid > 0 && tid != tgid && lib_proc_stat(tid, &st) == 0 && !lib_gone(st.state))
			live = tid;
	}
	closedir(d);
	return live;
}

int lib_retarget(struct pvmio *h)
{
	if (pvmio_check_alive(h) < 0)
		return -ESRCH;
	pid_t live = lib_live_thread(h->tgid);
	if (live < 0 || live == h->io_pid)
		return -ESRCH;
	h->io_pid = live;
	return 0;
}

int pvmio_open(pid_t pid, unsigned flags, struct pvmio **out)
{
	*out = NULL;
	if (pid <= 0)
		return -EINVAL;
	pid_t tgid = thread_group_of(pid);
	if (tgid < 0)
		return tgid;

	struct pvmio *h = calloc(1, sizeof *h);
	if (!h)
		return -ENOMEM;
	h->pid = pid;
	h->tgid = tgid;
	h->io_pid = pid;
	h->flags = flags;
	h->memfd = -1;
	h->pidfd = (int)syscall(SYS_pidfd_open, tgid, 0);
	int rc;
	if (h->pidfd < 0) {
		rc = -errno;
		if (rc != -ENOSYS)
			goto fail;
		h->pidfd = -1;
	}
	struct lib_stat st;
	rc = lib_proc_stat(tgid, &st);
	if (rc < 0)
		goto fail;
	h->starttime = st.starttime;
	if (st.flags & LIB_PF_KTHREAD) {
		rc = -ENXIO;
		goto fail;
	}
	if (pid == tgid) {
		h->io_pid = lib_live_thread(tgid);
		if (h->io_pid < 0) {
			rc = -ESRCH;
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
	if (h->pidfd >= 0)
		close(h->pidfd);
	if (h->memfd >= 0)
		close(h->memfd);
	free(h->threads);
	free(h);
}

pid_t pvmio_pid(const struct pvmio *h)
{
	return h->pid;
}

int pvmio_pinned(const struct pvmio *h)
{
	return h->pidfd >= 0;
}

int pvmio_check_alive(struct pvmio *h)
{
	if (h->pidfd >= 0) {
		struct pollfd p = { .fd = h->pidfd, .events = POLLIN };
		int n;
		do
			n = poll(&p, 1, 0);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -errno;
		return n > 0 ? -ESRCH : 0;
	}
	/* Without a pidfd: the leader's start time, and a live thread. */
	struct lib_stat st;
	int rc = lib_proc_stat(h->tgid, &st);
	if (rc < 0)
		return rc;
	if (st.starttime != h->starttime)
		return -ESRCH;
	return lib_gone(st.state) && lib_live_thread(h->tgid) < 0 ? -ESRCH : 0;
}

int pvmio_pointer_size(struct pvmio *h)
{
	char path[64];
	unsigned char ident[5];
	lib_proc_path(path, sizeof path, h->io_pid, "exe");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return (int)sizeof(void *);
	ssize_t n = pread(fd, ident, sizeof ident, 0);
	close(fd);
	if (n == 5 && memcmp(ident, "\177ELF", 4) == 0)
		return ident[4] == 1 ? 4 : 8;
	return (int)sizeof(void *);
}

/* Addresses at or above 2^63 are never user memory; the kernel rejects
 * such lengths with EINVAL and /proc/PID/mem such offsets.  Treating them
 * as inaccessible keeps every span below 2^64. */
uint64_t lib_clip(uint64_t addr, uint64_t len)
{
	if (addr >= PVMIO_ADDR_LIMIT)
		return 0;
	return len > PVMIO_ADDR_LIMIT - addr ? PVMIO_ADDR_LIMIT - addr : len;
}

/* One pass through /proc/PID/mem for a single contiguous remote span. */
static ssize_t mem_xfer(struct pvmio *h, int write, void *buf, size_t len, uint64_t addr)
{
	size_t done = 0;
	while (done < len) {
		ssize_t r = write ? pwrite(h->memfd, (char *)buf + done, len - done, (off_t)(addr + done))
				  : pread(h->memfd, (char *)buf + done, len - done, (off_t)(addr + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (done)
				break;
			/* /proc/PID/mem gives 0 only once the address space it
			 * was opened on is gone (the process exited or ran
			 * another program), before the pidfd may say so. */
			if (r == 0)
				return -ESRCH;
			if (errno == EIO)
				return pvmio_check_alive(h) < 0 ? -ESRCH : -EFAULT;
			return -errno;
		}
		done += (size_t)r;
	}
	return (ssize_t)done;
}

/* One system call's worth of transfer; iovec counts at most IOV_MAX. */
ssize_t lib_xfer_once(struct pvmio *h, int write, const struct iovec *l, unsigned long nl,
			const struct iovec *r, unsigned long nr)
{
	if (h->flags & PVMIO_FORCE) {
		/* The file offset is the address: walk both lists together. */
		size_t li = 0, ri = 0, loff = 0, roff = 0, total = 0;
		while (li < nl && ri < nr) {
			size_t lrem = l[li].iov_len - loff, rrem = r[ri].iov_len - roff;
			size_t n = lrem < rrem ? lrem : rrem;
			if (n) {
				ssize_t got = mem_xfer(h, write, (char *)l[li].iov_base + loff, n,
						       (uint64_t)(uintptr_t)r[ri].iov_base + roff);
				if (got < 0)
					return total ? (ssize_t)total : got;
				total += (size_t)got;
				if ((size_t)got < n)
					return (ssize_t)total;
			}
			loff += n;
			roff += n;
			if (loff == l[li].iov_len) {
				li++;
				loff = 0;
			}
			if (roff == r[ri].iov_len) {
				ri++;
				roff = 0;
			}
		}
		return (ssize_t)total;
	}
	for (;;) {
		ssize_t n = write ? process_vm_writev(h->io_pid, l, nl, r, nr, 0)
				  : process_vm_readv(h->io_pid, l, nl, r, nr, 0);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		/* The thread we go through ended; another may live on. */
		if (errno == ESRCH && lib_retarget(h) == 0)
			continue;
		return -errno;
	}
}

/* A cursor over an iovec list, for cutting batches of at most IOV_MAX. */
struct cursor {
	const struct iovec *v;
	size_t n, i, off;
};

static size_t cut(struct cursor *c, struct iovec *out, size_t max_bytes, size_t *nout)
{
	size_t bytes = 0, k = 0, i = c->i, off = c->off;
	while (i < c->n && k < PVMIO_IOV_MAX && bytes < max_bytes) {
		size_t take = c->v[i].iov_len - off;
		if (take > max_bytes - bytes)
			take = max_bytes - bytes;
		if (take) {
			out[k].iov_base = (char *)c->v[i].iov_base + off;
			out[k].iov_len = take;
			k++;
			bytes += take;
		}
		off += take;
		if (off == c->v[i].iov_len) {
			i++;
			off = 0;
		}
	}
	*nout = k;
	return bytes;
}

static void advance(struct cursor *c, size_t bytes)
{
	while (bytes && c->i < c->n) {
		size_t rem = c->v[c->i].iov_len - c->off;
		if (bytes < rem) {
			c->off += bytes;
			return;
		}
		bytes -= rem;
		c->i++;
		c->off = 0;
	}
	while (c->i < c->n && c->v[c->i].iov_len == c->off) {
		c->i++;
		c->off = 0;
	}
}

static ssize_t vectored(struct pvmio *h, int write, const struct iovec *local, size_t nlocal,
			const struct pvmio_span *remote, size_t nremote)
{
	/* Remote spans become iovecs only once checked: a span that reaches
	 * 2^63 is cut there, and the transfer ends at the cut. */
	struct iovec *riov = malloc((nremote ? nremote : 1) * sizeof *riov);
	if (!riov)
		return -ENOMEM;
	size_t nr = 0;
	int clipped = 0;
	for (size_t i = 0; i < nremote && !clipped; i++) {
		uint64_t ok = lib_clip(remote[i].addr, remote[i].len);
		if (ok) {
			riov[nr].iov_base = (void *)(uintptr_t)remote[i].addr;
			riov[nr].iov_len = (size_t)ok;
			nr++;
		}
		clipped = ok < remote[i].len;
	}
	struct cursor lc = { local, nlocal, 0, 0 }, rc = { riov, nr, 0, 0 };
	struct iovec lb[PVMIO_IOV_MAX], rb[PVMIO_IOV_MAX];
	size_t total = 0;
	ssize_t result = 0;
	for (;;) {
		size_t nl, nrb;
		size_t lbytes = cut(&lc, lb, SIZE_MAX / 2, &nl);
		size_t rbytes = cut(&rc, rb, lbytes, &nrb);
		if (rbytes < lbytes)
			lbytes = cut(&lc, lb, rbytes, &nl);
		if (!rbytes)
			break;
		if (write) {
			int alive = pvmio_check_alive(h);
			if (alive < 0) {
				result = alive;
				break;
			}
		}
		ssize_t n = lib_xfer_once(h, write, lb, nl, rb, nrb);
		if (!write && n >= 0) {
			int alive = pvmio_check_alive(h);
			if (alive < 0) {
				result = alive;
				break;
			}
		}
		if (n < 0) {
			result = n;
			break;
		}
		if (n == 0) {
			result = -EFAULT;
			break;
		}
		total += (size_t)n;
		advance(&lc, (size_t)n);
		advance(&rc, (size_t)n);
		/* A short count means the next byte is inaccessible; the next
		 * call confirms it (EFAULT) or resumes if it was transient. */
	}
	free(riov);
	if (total)
		return (ssize_t)total;
	/* Nothing moved because the first byte lies at or above 2^63. */
	return !result && clipped ? -EFAULT : result;
}

ssize_t pvmio_readv(struct pvmio *h, const struct iovec *local, size_t nlocal,
		    const struct pvmio_span *remote, size_t nremote)
{
	return vectored(h, 0, local, nlocal, remote, nremote);
}

ssize_t pvmio_writev(struct pvmio *h, const struct iovec *local, size_t nlocal,
		     const struct pvmio_span *remote, size_t nremote)
{
	return vectored(h, 1, local, nlocal, remote, nremote);
}

ssize_t pvmio_pread(struct pvmio *h, void *buf, size_t len, uint64_t addr)
{
	struct iovec l = { buf, len };
	struct pvmio_span r = { addr, len };
	return len ? vectored(h, 0, &l, 1, &r, 1) : 0;
}

ssize_t pvmio_pwrite(struct pvmio *h, const void *buf, size_t len, uint64_t addr)
{
	struct iovec l = { (void *)(uintptr_t)buf, len };
	struct pvmio_span r = { addr, len };
	return len ? vectored(h, 1, &l, 1, &r, 1) : 0;
}

ssize_t pvmio_fill(struct pvmio *h, uint64_t addr, uint64_t len, const void *pattern, size_t patlen)
{
	if (!patlen)
		return -EINVAL;
	uint64_t ok = lib_clip(addr, len);
	if (ok > SSIZE_MAX)
		ok = SSIZE_MAX;
	/* One buffer of whole pattern copies, about 64 KiB; each call points
	 * up to IOV_MAX local iovecs at it. */
	size_t copies = patlen >= PVMIO_FILL_UNIT ? 1 : PVMIO_FILL_UNIT / patlen;
	size_t unit = copies * patlen;
	char *buf = malloc(unit);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < copies; i++)
		memcpy(buf + i * patlen, pattern, patlen);

	struct iovec lv[PVMIO_IOV_MAX];
	uint64_t done = 0;
	ssize_t result = 0;
	while (done < ok) {
		size_t phase = (size_t)(done % patlen);
		uint64_t want = ok - done;
		if (want > PVMIO_FILL_BATCH)
			want = PVMIO_FILL_BATCH;
		size_t nl = 0;
		uint64_t built = 0;
		while (built < want && nl < PVMIO_IOV_MAX) {
			size_t start = nl == 0 ? phase : 0;
			size_t take = unit - start;
			if (take > want - built)
				take = (size_t)(want - built);
			lv[nl].iov_base = buf + start;
			lv[nl].iov_len = take;
			nl++;
			built += take;
		}
		struct iovec rv = { (void *)(uintptr_t)(addr + done), (size_t)built };
		int alive = pvmio_check_alive(h);
		if (alive < 0) {
			result = alive;
			break;
		}
		ssize_t n = lib_xfer_once(h, 1, lv, nl, &rv, 1);
		if (n <= 0) {
			result = n < 0 ? n : -EFAULT;
			break;
		}
		done += (uint64_t)n;
	}
	if (done < len && !result && done == ok)
		result = -EFAULT;
	free(buf);
	return done ? (ssize_t)done : result;
}
