/* The floor for filling another process's memory: the least a program
 * can do to repeat a pattern over LEN bytes at ADDR in process PID. One
 * 64 KiB buffer holds the pattern repeated; each process_vm_writev call
 * names it CHUNK/64 KiB times as its local iovecs (1 MiB a call by
 * default), against one remote iovec. No checks against the maps.
 *
 *   floor_fill [--chunk BYTES] PID ADDR LEN [HEXPATTERN]
 *
 * HEXPATTERN (default deadbeef) is cut at the end of the range, as
 * `pvmio fill` cuts it. Its length should divide 64 KiB so the copies
 * line up across iovecs, as they do for 1, 2, 4, 8, ... bytes.
 */
/* config.h under automake; bench/run compiles it alone with -D_GNU_SOURCE. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define PATTERN_BUF (64 * 1024)
#define MAX_IOV 1024

static uint64_t number(const char *s)
{
	char *end;
	errno = 0;
	uint64_t v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-') {
		fprintf(stderr, "floor_fill: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int main(int argc, char **argv)
{
	size_t chunk = 1 << 20;
	int i = 1;
	if (i + 1 < argc && strcmp(argv[i], "--chunk") == 0) {
		chunk = (size_t)number(argv[i + 1]);
		i += 2;
	}
	if (argc - i < 3 || argc - i > 4 || chunk < PATTERN_BUF || chunk % PATTERN_BUF ||
	    chunk / PATTERN_BUF > MAX_IOV) {
		fprintf(stderr, "usage: floor_fill [--chunk BYTES] PID ADDR LEN [HEXPATTERN]\n"
				"  (CHUNK a multiple of 64 KiB, at most 64 MiB)\n");
		return 2;
	}
	pid_t pid = (pid_t)number(argv[i]);
	uint64_t addr = number(argv[i + 1]), len = number(argv[i + 2]);
	const char *hex = argc - i == 4 ? argv[i + 3] : "deadbeef";

	unsigned char pat[256];
	size_t plen = strlen(hex) / 2;
	if (plen == 0 || plen > sizeof pat || strlen(hex) % 2) {
		fprintf(stderr, "floor_fill: bad pattern '%s'\n", hex);
		return 2;
	}
	for (size_t k = 0; k < plen; k++) {
		int hi = nibble(hex[2 * k]), lo = nibble(hex[2 * k + 1]);
		if (hi < 0 || lo < 0) {
			fprintf(stderr, "floor_fill: bad pattern '%s'\n", hex);
			return 2;
		}
		pat[k] = (unsigned char)(hi << 4 | lo);
	}
	static unsigned char buf[PATTERN_BUF];
	for (size_t k = 0; k < PATTERN_BUF; k++)
		buf[k] = pat[k % plen];

	static struct iovec local[MAX_IOV];
	while (len) {
		size_t n = len < chunk ? (size_t)len : chunk;
		int cnt = 0;
		for (size_t left = n; left; cnt++) {
			size_t piece = left < PATTERN_BUF ? left : PATTERN_BUF;
			local[cnt] = (struct iovec){ buf, piece };
			left -= piece;
		}
		struct iovec remote = { (void *)(uintptr_t)addr, n };
		ssize_t w = process_vm_writev(pid, local, (unsigned long)cnt, &remote, 1, 0);
		if (w <= 0) {
			fprintf(stderr, "floor_fill: process_vm_writev at %#llx: %s\n", (unsigned long long)addr,
				w < 0 ? strerror(errno) : "nothing written");
			return 1;
		}
		addr += (uint64_t)w;
		len -= (uint64_t)w;
	}
	return 0;
}
