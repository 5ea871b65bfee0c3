/* The floor for reading another process's memory: the least a program
 * can do to copy LEN bytes at ADDR out of process PID. One reused 1 MiB
 * buffer, one remote iovec of up to 1 MiB a call (the fastest shape in
 * doc/DESIGN.md, "Kernel facts"), no hole handling, no formatting.
 *
 *   floor_read [--write | --vmsplice] [--pipe-size BYTES] [--chunk BYTES] PID ADDR LEN
 *
 * Without --write the bytes are dropped (the floor for `> /dev/null`);
 * with it each chunk goes to stdout (the floor for a pipe or a file).
 * --pipe-size grows a stdout pipe with F_SETPIPE_SZ first.
 *
 * --vmsplice (stdout a pipe) hands the pages to the pipe instead of
 * copying them: chunks as large as the pipe, from two buffers in turn.
 * Once a whole chunk is in the pipe, the one before it has been read
 * out (the pipe holds no more than one chunk), so its buffer is free.
 */
/* config.h under automake; bench/run compiles it alone with -D_GNU_SOURCE. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static uint64_t number(const char *s)
{
	char *end;
	errno = 0;
	uint64_t v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-') {
		fprintf(stderr, "floor_read: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static void write_all(const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(STDOUT_FILENO, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			perror("floor_read: write");
			exit(4);
		}
		p += w;
		n -= (size_t)w;
	}
}

static void splice_all(unsigned char *p, size_t n)
{
	while (n) {
		struct iovec v = { p, n };
		ssize_t w = vmsplice(STDOUT_FILENO, &v, 1, 0);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			perror("floor_read: vmsplice");
			exit(4);
		}
		p += w;
		n -= (size_t)w;
	}
}

int main(int argc, char **argv)
{
	int out = 0, splice = 0;
	size_t chunk = 1 << 20;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--write") == 0) {
			out = 1;
		} else if (strcmp(argv[i], "--vmsplice") == 0) {
			splice = 1;
		} else if (strcmp(argv[i], "--pipe-size") == 0 && i + 1 < argc) {
			if (fcntl(STDOUT_FILENO, F_SETPIPE_SZ, (int)number(argv[++i])) < 0)
				perror("floor_read: F_SETPIPE_SZ");
		} else if (strcmp(argv[i], "--chunk") == 0 && i + 1 < argc) {
			chunk = (size_t)number(argv[++i]);
		} else {
			break;
		}
	}
	if (argc - i != 3 || chunk == 0) {
		fprintf(stderr, "usage: floor_read [--write | --vmsplice] [--pipe-size BYTES] [--chunk BYTES] PID ADDR LEN\n");
		return 2;
	}
	if (splice) {
		int size = fcntl(STDOUT_FILENO, F_GETPIPE_SZ);
		if (size <= 0) {
			fprintf(stderr, "floor_read: --vmsplice needs a pipe on stdout\n");
			return 2;
		}
		chunk = (size_t)size;
	}
	pid_t pid = (pid_t)number(argv[i]);
	uint64_t addr = number(argv[i + 1]), len = number(argv[i + 2]);

	unsigned char *bufs = malloc(2 * chunk), *buf = bufs;
	if (!bufs) {
		perror("floor_read: malloc");
		return 1;
	}
	memset(bufs, 0, 2 * chunk);
	for (int turn = 0; len; turn ^= splice) {
		buf = bufs + (size_t)turn * chunk;
		size_t n = len < chunk ? (size_t)len : chunk;
		struct iovec local = { buf, n };
		struct iovec remote = { (void *)(uintptr_t)addr, n };
		ssize_t r = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (r <= 0) {
			fprintf(stderr, "floor_read: process_vm_readv at %#llx: %s\n", (unsigned long long)addr,
				r < 0 ? strerror(errno) : "nothing read");
			return 1;
		}
		if (out)
			write_all(buf, (size_t)r);
		else if (splice)
			splice_all(buf, (size_t)r);
		addr += (uint64_t)r;
		len -= (uint64_t)r;
	}
	free(bufs);
	return 0;
}
