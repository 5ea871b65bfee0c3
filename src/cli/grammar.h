/* The command line's grammar: numbers, lengths, pids, typed values and
 * hex data (addresses and ranges are in address.h).  Pure functions over
 * strings, so the fuzzers can drive them; errors come back as a perr. */
#ifndef PVMIO_GRAMMAR_H
#define PVMIO_GRAMMAR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bytes.h"
#include "perr.h"
#include "pvmio.h"

/* The value of a hex digit, or -1. */
int hex_digit(int c);

int parse_number(const char *s, uint64_t *out, struct perr *e);
/* The NUMBER in s[0..len). */
int parse_number_n(const char *s, size_t len, uint64_t *out, struct perr *e);
int parse_length(const char *s, uint64_t *out, struct perr *e);
int parse_pid(const char *s, pid_t *out, struct perr *e);

enum vkind { V_UNSIGNED, V_SIGNED, V_FLOAT, V_POINTER };
struct vtype {
	const char *name;
	unsigned size;
	enum vkind kind;
};
int parse_type(const char *s, int ptrsize, struct vtype *out, struct perr *e);
/* --perms: letters of r, w, x, s and p that a mapping must have, those
 * after a '-' ones it must not ("rw", "r-x", "-w"); as PERM_* bits. */
enum { PERM_R = 1, PERM_W = 2, PERM_X = 4, PERM_S = 8, PERM_P = 16 };
int parse_perms(const char *s, unsigned *want, unsigned *refuse, struct perr *e);
/* The PERM_* bits of a maps perms column ("r-xp"). */
unsigned perms_bits(const char *perms);
/* 0 little, 1 big. */
int parse_endian(const char *s, int *big, struct perr *e);
int native_big_endian(void);
/* Encodes VALUE as T in the given byte order into out[0..t->size). */
int parse_value(const char *s, const struct vtype *t, int big, unsigned char *out, struct perr *e);
/* Decodes size bytes into the unsigned integer they hold. */
uint64_t load_uint(const unsigned char *p, unsigned size, int big);

/* Hex data: "deadbeef", "de ad be ef", "\xde\xad", "0xdead"; appends. */
int parse_hex_data(const char *s, struct bytes *out, struct perr *e);
/* A hex pattern where "??" matches any byte: mask 0xff for a literal. */
int parse_hex_pattern(const char *s, struct bytes *pat, struct bytes *mask, struct perr *e);

#endif
