/* Writing (writing.h): the pre-check against the maps, the account of a
 * write that stopped short or was interrupted, and --verify. */
#include "config.h"
#include "writing.h"
#include "messages.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --verify reads back in pieces of this size. */
#define VERIFY_CHUNK ((size_t)1 << 20)

/* The kernel's own pages, which no write reaches, /proc/PID/mem's
 * included: the vDSO's data and the legacy vsyscall page. */
static int kernel_page(const char *name)
{
	return strcmp(name, "[vvar]") == 0 || strcmp(name, "[vvar_vclock]") == 0 || strcmp(name, "[vsyscall]") == 0;
}

/* The first byte of [addr, addr+len) in a shared mapping without write
 * permission (/proc/PID/mem cannot write it either, since a shared page
 * has no private copy to take) or in a kernel page: 1 with *WHY, or 0. */
static int never_writable(const struct pvmio_maps *m, uint64_t addr, uint64_t len, uint64_t *bad, const char **why)
{
	for (uint64_t pos = addr, left = len; left;) {
		const struct pvmio_mapping *v = pvmio_maps_lookup(m, pos);
		if (!v || v->start > pos)
			return 0;
		if (kernel_page(v->name)) {
			*bad = pos;
			*why = "the kernel's own page, which no write reaches, not even with --force";
			return 1;
		}
		if (v->perms[3] == 's' && v->perms[1] != 'w') {
			*bad = pos;
			*why = "a shared read-only mapping, which cannot be written even with --force";
			return 1;
		}
		uint64_t span = v->end - pos;
		if (span >= left)
			return 0;
		left -= span;
		pos = v->end;
	}
	return 0;
}

int check_writable(struct target *t, uint64_t addr, uint64_t len, int force, uint64_t written)
{
	uint64_t bad;
	const char *why = NULL;
	int rc = pvmio_maps_check(t->maps, addr, len, force ? "" : "w", &bad);
	/* without --force a kernel page is refused as not writable, and the
	 * advice to try --force must not follow */
	int never = (rc == 0 && force) || rc == -EACCES ? never_writable(t->maps, addr, len, &bad, &why) : 0;
	if (rc == 0 && !never)
		return 0;
	char where[512], done[128] = "nothing was written";
	describe_mapping(t, bad, where, sizeof where);
	if (written)
		snprintf(done, sizeof done, "%" PRIu64 " bytes before it were written, nothing more", written);
	if (never)
		cli_error("cannot write 0x%" PRIx64 ": %s, %s; %s", bad, where, why, done);
	else
		cli_error("cannot write 0x%" PRIx64 ": %s%s; %s%s", bad, where,
			  rc == -EACCES ? ", which is not writable" : "", done,
			  rc == -EACCES ? " (--force writes read-only private pages, as debuggers do)" : "");
	return EXIT_MEMORY;
}

int report_write_stopped(struct target *t, int err, uint64_t written, uint64_t at)
{
	if (err == -ESRCH || pvmio_check_alive(t->h) < 0) {
		cli_error("process %d exited; %" PRIu64 " bytes were written, up to 0x%" PRIx64 ", nothing more",
			  (int)t->pid, written, at);
		return EXIT_PROCESS;
	}
	if (err == -ENOSYS) {
		cli_error("cannot write 0x%" PRIx64 ": this kernel has no cross-memory attach (process_vm_writev); "
			  "%" PRIu64 " bytes were written; --force writes through /proc/PID/mem instead",
			  at, written);
		return EXIT_MEMORY;
	}
	if ((err == -EPERM || err == -EACCES) && !written) {
		/* the denial in full, as for a read */
		return report_process_error(t->pid, err);
	}
	if (err && err != -EFAULT) {
		cli_error("cannot write 0x%" PRIx64 ": %s; %" PRIu64 " bytes were written, nothing more", at,
			  strerror(-err), written);
		return exit_status_for(err);
	}
	char where[512];
	target_refresh_maps(t);
	describe_mapping(t, at, where, sizeof where);
	cli_error("the target changed: %" PRIu64 " bytes were written; stopped at 0x%" PRIx64 ", now %s", written, at,
		  where);
	return EXIT_MEMORY;
}

int verify_written(struct target *t, uint64_t addr, uint64_t len, const unsigned char *want, size_t wantlen)
{
	size_t chunk = VERIFY_CHUNK;
	unsigned char *buf = malloc(chunk);
	if (!buf) {
		cli_error("out of memory");
		return EXIT_LOCAL;
	}
	int status = 0;
	for (uint64_t off = 0; off < len && !status;) {
		size_t n = len - off < chunk ? (size_t)(len - off) : chunk;
		ssize_t got = pvmio_pread(t->h, buf, n, addr + off);
		if (got < (ssize_t)n) {
			cli_error("--verify: cannot read back 0x%" PRIx64, addr + off + (uint64_t)(got > 0 ? got : 0));
			status = EXIT_MEMORY;
			break;
		}
		for (size_t i = 0; i < n; i++) {
			unsigned char w = want[(off + i) % wantlen];
			if (buf[i] != w) {
				cli_error("--verify: 0x%" PRIx64 " holds 0x%02x, not the 0x%02x written", addr + off + i,
					  buf[i], w);
				status = EXIT_MEMORY;
				break;
			}
		}
		off += n;
	}
	free(buf);
	return status;
}
static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	default:
		return "a signal";
	}
}

int report_interrupted(uint64_t written, uint64_t at)
{
	if (written)
		cli_error("interrupted by %s: %" PRIu64 " bytes were written, up to 0x%" PRIx64 ", nothing more",
			  signal_name(cli_interrupted), written, at);
	else
		cli_error("interrupted by %s: nothing was written", signal_name(cli_interrupted));
	return 128 + cli_interrupted;
}

