/* Parse errors: a kind, for the exit status and the advice around it,
 * and a message in words.  Shared by every parser of the command line. */
#ifndef PVMIO_PERR_H
#define PVMIO_PERR_H

enum perr_kind {
	PERR_NONE,
	PERR_SYNTAX,	/* not in the grammar */
	PERR_RANGE,	/* a number too large for its place */
	PERR_NAME,	/* an unknown mapping name */
	PERR_AMBIGUOUS,	/* a name that stands for two mappings, or symbols */
	PERR_SYMBOL,	/* no such symbol, or none at an address */
	PERR_MEMORY,	/* a pointer of a chain that cannot be followed */
	PERR_NOMEM,	/* out of memory */
};
struct perr {
	enum perr_kind kind;
	char msg[512];
};

/* Sets E's kind and message; returns -1, for "return perr_set(...)". */
__attribute__((format(printf, 3, 4))) int perr_set(struct perr *e, enum perr_kind kind, const char *fmt, ...);
/* perr_set with PERR_SYNTAX. */
__attribute__((format(printf, 2, 3))) int syntax_error(struct perr *e, const char *fmt, ...);
/* perr_set with PERR_NOMEM and "out of memory". */
int nomem(struct perr *e);

#endif
