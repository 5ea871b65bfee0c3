/* Addresses and ranges (address.c): numbers, mapping names, symbols and
 * pointer chains.  Pure over a resolver, so the fuzzers drive them. */
#ifndef PVMIO_ADDRESS_H
#define PVMIO_ADDRESS_H

#include <stdint.h>

#include "grammar.h"
#include "names.h"
#include "perr.h"
#include "pvmio.h"

/* What the names in an address resolve against: the maps list, and
 * optionally symbols and the target's memory. */
struct resolver {
	const struct pvmio_maps *maps;
	/* SYMBOL in MODULE (a full mapping name), or anywhere with MODULE
	 * NULL: 0 with its address and size (0 unknown); -1 with E
	 * (PERR_NAME, PERR_AMBIGUOUS, PERR_SYMBOL...). */
	int (*symbol)(void *ctx, const char *module, const char *name, uint64_t *addr, uint64_t *size,
		      struct perr *e);
	/* The pointer stored at ADDR: 0 with *VALUE; -1 with E saying why. */
	int (*deref)(void *ctx, uint64_t addr, uint64_t *value, struct perr *e);
	void *ctx;
};

int parse_addr(const char *s, const struct resolver *r, uint64_t *out, struct perr *e);

struct range {
	uint64_t addr, len;
	int has_len;	/* 0: a bare ADDR, the caller supplies the length */
	int is_name;	/* a NAME or a SYMBOL alone: [addr, addr+len) is its span */
};
int parse_range(const char *s, const struct resolver *r, struct range *out, struct perr *e);

#endif
