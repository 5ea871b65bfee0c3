/* The resolver of a command's addresses (lookup.c): mapping names from
 * the target's maps, symbols through libpvmio, and the pointers of a
 * chain read from the target, each step told with --verbose. */
#ifndef PVMIO_LOOKUP_H
#define PVMIO_LOOKUP_H

#include "address.h"
#include "target.h"

/* A resolver over T (its maps must be read). */
void target_resolver(struct target *t, struct resolver *r);
/* The shortest name that pastes back for the module mapped as FULL: its
 * base name (without " (deleted)"), made in BUF, when that is
 * unambiguous, else FULL. */
const char *module_name(const struct pvmio_maps *m, const char *full, char *buf, size_t size);

/* What an address is, for where and find --where. */
struct place {
	uint64_t addr;
	const struct pvmio_mapping *mapping;	/* NULL: in no mapping */
	const char *module;	/* the name that pastes back, NULL for anonymous memory */
	char module_buf[256];	/* where module may point */
	uint64_t module_off;	/* from the start of that name's lowest mapping */
	const char *symbol;	/* NULL: no symbol covers or precedes it */
	uint64_t symbol_addr, symbol_off, symbol_size;
};
/* Fills P for ADDR; 0, or -1 with E (the symbols could not be read). */
int place_of(struct target *t, uint64_t addr, struct place *p, struct perr *e);
/* Room for a place_line. */
#define PLACE_LINE_MAX 1200
/* "ADDR MODULE:SYMBOL+0xOFF MODULE+0xOFF PERMS", with "-" for what
 * there is not: every field but PERMS pastes back as an ADDR. */
void place_line(const struct place *p, char *buf, size_t size);
/* P's keys in the JSON object being written (where --json, find --json):
 * address, mapped, and those that apply of perms, mapping, mapping_start,
 * mapping_offset, module, module_offset, symbol, symbol_address,
 * symbol_offset and symbol_size. */
struct json;
void place_json(struct json *j, const struct place *p);

#endif
