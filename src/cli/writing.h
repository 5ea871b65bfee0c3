/* Writing (writing.c), for write and fill. */
#ifndef PVMIO_WRITING_H
#define PVMIO_WRITING_H

#include <stddef.h>
#include <stdint.h>

#include "target.h"

/* Checks [addr, addr+len) against the maps before any byte goes out:
 * unmapped or read-only memory (any mapped memory with FORCE, but a
 * shared read-only mapping, which not even /proc/PID/mem writes); 0, or
 * EXIT_MEMORY with one message that names the first bad address and says
 * how many of the command's bytes (WRITTEN) went out before. */
int check_writable(struct target *t, uint64_t addr, uint64_t len, int force, uint64_t written);
/* A write that stopped short at AT (ERR its result: 0 or -errno) after
 * WRITTEN bytes: says why and how much, returns the exit status. */
int report_write_stopped(struct target *t, int err, uint64_t written, uint64_t at);
/* A write ended by cli_interrupted after WRITTEN bytes, up to AT; returns
 * 128 + the signal. */
int report_interrupted(uint64_t written, uint64_t at);
/* --verify: reads [addr, addr+len) back, where byte i should be
 * want[i % wantlen]; 0 or an exit status (reported). */
int verify_written(struct target *t, uint64_t addr, uint64_t len, const unsigned char *want, size_t wantlen);

#endif
