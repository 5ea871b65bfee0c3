/* Mapping names: what a NAME in an address stands for (names.c).  The
 * place where symbols and pointer chains join the grammar. */
#ifndef PVMIO_NAMES_H
#define PVMIO_NAMES_H

#include <stdint.h>

#include "perr.h"
#include "pvmio.h"

/* Finds NAME's mappings: 0 with their span, or -1 with a message that
 * says what exists (PERR_NAME) or what it could mean (PERR_AMBIGUOUS). */
int resolve_name(const struct pvmio_maps *m, const char *name, uint64_t *start, uint64_t *end,
		 struct perr *e);
/* The full mapping name NAME stands for ("heap" is "[heap]", a base name
 * the one path that has it). */
int match_name(const struct pvmio_maps *m, const char *name, const char **full, struct perr *e);
/* Does PATTERN (a --name selector) select V: "anon" anonymous memory (no
 * name, or [anon:NAME]); a name the address grammar takes (exe, heap, a
 * base name, a path, a name as maps lists it); else a shell glob over the
 * base name or the path. */
int name_selects(const struct pvmio_maps *m, const struct pvmio_mapping *v, const char *pattern);
/* Is NAME a file mapping whose file was deleted or replaced? */
int name_deleted(const char *name);

#endif
