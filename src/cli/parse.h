/* The command line's grammar: numbers, lengths, addresses, ranges, typed
 * values, hex data and dump lines.  Pure functions over strings and a maps
 * list, so the fuzzers can drive them; errors come back as text. */
#ifndef PVMIO_PARSE_H
#define PVMIO_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pvmio.h"

/* A parse error: its kind, for the exit status and the advice around
 * it, and its text. */
enum perr_kind {
	PERR_NONE,
	PERR_SYNTAX,	/* not in the grammar */
	PERR_RANGE,	/* a number too large for its place */
	PERR_NAME,	/* an unknown mapping name */
	PERR_AMBIGUOUS,	/* a name that stands for two mappings */
	PERR_NOMEM,	/* out of memory */
};
struct perr {
	enum perr_kind kind;
	char msg[512];
};

/* Sets E to "out of memory"; returns -1. */
int nomem(struct perr *e);

/* A growable byte buffer. */
struct bytes {
	unsigned char *p;
	size_t len, cap;
};
int bytes_push(struct bytes *b, const void *data, size_t n);
void bytes_free(struct bytes *b);

/* The value of a hex digit, or -1. */
int hex_digit(int c);

int parse_number(const char *s, uint64_t *out, struct perr *e);
int parse_length(const char *s, uint64_t *out, struct perr *e);
int parse_pid(const char *s, pid_t *out, struct perr *e);

/* Names (names.c).  Finds NAME's mappings: 0 with their span, or -1 with
 * a message that says what exists. */
int resolve_name(const struct pvmio_maps *m, const char *name, uint64_t *start, uint64_t *end,
		 struct perr *e);
/* The full mapping name NAME stands for ("heap" is "[heap]", a base name
 * the one path that has it). */
int match_name(const struct pvmio_maps *m, const char *name, const char **full, struct perr *e);
/* Is NAME a file mapping whose file was deleted or replaced? */
int name_deleted(const char *name);
int parse_addr(const char *s, const struct pvmio_maps *m, uint64_t *out, struct perr *e);

struct range {
	uint64_t addr, len;
	int has_len;	/* 0: a bare ADDR, the caller supplies the length */
	int is_name;	/* a NAME alone: [addr, addr+len) is its span */
};
int parse_range(const char *s, const struct pvmio_maps *m, struct range *out, struct perr *e);

enum vkind { V_UNSIGNED, V_SIGNED, V_FLOAT, V_POINTER };
struct vtype {
	const char *name;
	unsigned size;
	enum vkind kind;
};
int parse_type(const char *s, int ptrsize, struct vtype *out, struct perr *e);
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
