/* The arguments of a command (arguments.c): the data of write, fill and
 * find (-t VALUE..., -s STRING, hex), and the RANGEs of every command. */
#ifndef PVMIO_ARGUMENTS_H
#define PVMIO_ARGUMENTS_H

#include "address.h"
#include "bytes.h"
#include "grammar.h"
#include "target.h"

/* -t's type and -e's byte order (native without -e), for T's pointer
 * size; 0, or -1 with E. */
int value_type(const struct target *t, const char *type, const char *endian, struct vtype *vt, int *big,
	       struct perr *e);
/* The data of ARGS as the options give it (options.h's typed and str):
 * -t VALUEs, -s STRING (with -z a NUL), or hex; appended to OUT.  Empty
 * data is not an error here: the caller decides.  0, or -1 with E. */
int data_from_args(const struct target *t, const char **args, int nargs, struct bytes *out, struct perr *e);

/* How RANGE arguments get their length. */
struct range_defaults {
	int have_len;		/* a bare ADDR gets len */
	int explicit_len;	/* from -n or -c: a NAME alone gets it too */
	uint64_t len;
	unsigned multiple;	/* each length a multiple of this (a -t size) */
	const char *hint;	/* other ways to give a length, for the message */
};
/* With -t (options.h's typed): its type and byte order, and D set so that
 * a bare ADDR is one value and every length a whole number of them.  0
 * (also without -t: *VT untouched), or EXIT_USAGE (reported). */
int typed_defaults(const struct target *t, struct vtype *vt, int *big, struct range_defaults *d);
/* One RANGE argument, its names resolved by RES, its length given by D
 * where it has none; 0, or -1 with E. */
int range_from_arg(const char *arg, const struct resolver *res, const struct range_defaults *d, struct range *r,
		   struct perr *e);
/* Parses N RANGE arguments into *OUT (malloc'd), reading the maps when
 * one names a mapping; 0, or an exit status (reported). */
int ranges_from_args(struct target *t, const char **args, int n, const struct range_defaults *d, struct range **out);
/* The mappings --perms and --name select. */
struct selection {
	int active;	/* either was given */
	unsigned want, refuse;	/* PERM_* bits */
	char **names;
};
/* From the options (options.h's sel); 0, or EXIT_USAGE (reported). */
int selection_from_options(struct selection *s);
int selection_keeps(const struct selection *s, const struct pvmio_maps *m, const struct pvmio_mapping *v);
/* Taken when no RANGE is given: readable (any, with FORCE), and not one
 * of the kernel's [vvar], [vvar_vclock] and [vsyscall]. */
int readable_by_default(const struct pvmio_mapping *m, int force);
/* The same; with no RANGE, every readable mapping (any, with --force) but
 * [vvar], [vvar_vclock] and [vsyscall], of those --perms and --name
 * select, neighbours merged so that nothing straddling them is missed.
 * RANGEs and a selection together are a usage error. */
int ranges_or_readable(struct target *t, const char **args, int n, const struct range_defaults *d,
		       struct range **out, int *nout);

#endif
