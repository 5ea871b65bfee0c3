/* libpvmio: moving bytes: positional, scatter/gather and fill, through
 * process_vm_readv/writev or, with PVMIO_FORCE, /proc/PID/mem. */
#include "config.h"
#include "pvmio.h"
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Addresses at or above 2^63 are never user memory; the kernel rejects
 * such lengths with EINVAL and /proc/PID/mem such offsets.  Treating them
 * as inaccessible keeps every span below 2^64. */
uint64_t lib_usable(const struct pvmio *h, uint64_t addr, uint64_t len)
{
	/* A core file is read with pread at file offsets: its segments may
	 * lie above 2^63 ([vsyscall] in the kernel's cores). */
	if (h->core)
		return len > UINT64_MAX - addr ? UINT64_MAX - addr : len;
	return lib_clip(addr, len);
}

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
	unsigned tries = 0;
	while (done < len) {
		ssize_t r = write ? pwrite(h->memfd, (char *)buf + done, len - done, (off_t)(addr + done))
				  : pread(h->memfd, (char *)buf + done, len - done, (off_t)(addr + done));
		if (r < 0 && lib_again(errno, &tries))
			continue;
		if (r < 0 && errno == EINTR && !done)
			return -EINTR;
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
	if (h->core && write)
		return -EROFS;
	if (h->flags & PVMIO_FORCE || h->core) {
		/* The file offset is the address: walk both lists together. */
		size_t li = 0, ri = 0, loff = 0, roff = 0, total = 0;
		while (li < nl && ri < nr) {
			size_t lrem = l[li].iov_len - loff, rrem = r[ri].iov_len - roff;
			size_t n = lrem < rrem ? lrem : rrem;
			if (n) {
				uint64_t at = (uint64_t)(uintptr_t)r[ri].iov_base + roff;
				ssize_t got = h->core ? lib_core_read(h->core, (char *)l[li].iov_base + loff, n, at)
						      : mem_xfer(h, write, (char *)l[li].iov_base + loff, n, at);
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
	for (unsigned tries = 0;;) {
		pid_t pid = lib_io_pid(h);
		ssize_t n = write ? process_vm_writev(pid, l, nl, r, nr, 0) : process_vm_readv(pid, l, nl, r, nr, 0);
		if (n >= 0)
			return n;
		int err = errno;
		if (lib_again(err, &tries))
			continue;
		/* The thread we go through ended; another may live on.  (Kept
		 * in err: looking for it reads /proc, which sets errno.) */
		if (err == ESRCH && lib_retarget(h, pid) == 0)
			continue;
		return -err;
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
			/* integer arithmetic: a remote base may be address 0 */
			out[k].iov_base = (void *)((uintptr_t)c->v[i].iov_base + off);
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
		uint64_t ok = lib_usable(h, remote[i].addr, remote[i].len);
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
