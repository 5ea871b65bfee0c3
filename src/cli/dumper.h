/* The dumper: xxd's and hexdump -C's views of a byte stream, with
 * absolute addresses (dumper.c). */
#ifndef PVMIO_DUMPER_H
#define PVMIO_DUMPER_H

#include <stddef.h>
#include <stdint.h>

#include "output.h"

enum dump_style { DUMP_XXD, DUMP_CANONICAL };

/* Bytes a line: xxd -c takes up to 256. */
#define DUMP_COLS_MAX 256

struct dump_options {
	enum dump_style style;
	unsigned cols, group;	/* xxd -c and -g; -C lines are always 16 */
	int autoskip;		/* xxd -a: collapse runs of zero lines */
	int squeeze;		/* hexdump -C without -v: "*" for repeats */
	int color;		/* colour the byte classes */
};

/* An xxd line's template: a 16-digit address and ':', DUMP_COLS_MAX bytes
 * of hex at three columns each (groups of one) less the last blank, two
 * blanks, the text column and '\n'. */
#define DUMP_TEMPLATE_MAX (16 + 1 + 3 * DUMP_COLS_MAX - 1 + 2 + DUMP_COLS_MAX + 1 + 1)

struct dumper {
	struct out *o;
	enum dump_style style;
	unsigned cols, group;
	int autoskip, squeeze, color;
	uint64_t line_addr;
	unsigned fill;
	int line_holes;
	unsigned char line[DUMP_COLS_MAX], valid[DUMP_COLS_MAX];
	/* xxd -a: the state of xxd's own xxdline() */
	int zero_seen;
	char *zline, *lline;
	size_t zlen, llen;
	/* hexdump -C: the last printed line, for squeezing */
	int have_prev, starring;
	unsigned char prev[16];
	uint64_t end_addr;
	int end_top;	/* the end is 2^64, which end_addr cannot hold */
	int any;
	/* a template of a whole line, for the address width it was built for */
	unsigned tmpl_addrlen;
	char tmpl[DUMP_TEMPLATE_MAX];
	size_t tmpl_len;
	unsigned hexpos[DUMP_COLS_MAX], textpos;
	/* the layouts with a loop of their own: xxd's default, hexdump -C's */
	enum { FAST_NONE, FAST_XXD, FAST_CANONICAL } fast;
	/* Whether long runs of lines are formatted on two CPUs, half by a
	 * helper thread (dumper.c): the caller then needs no read-ahead. */
	int split;
	struct dump_helper *helper;
};
void dumper_init(struct dumper *d, struct out *o, const struct dump_options *opt);
void dumper_free(struct dumper *d);
/* Each range is dumped on its own, from its own address. */
void dumper_start(struct dumper *d, uint64_t addr);
void dumper_data(struct dumper *d, const unsigned char *p, size_t n);
/* N unreadable bytes (ERR, as a stream chunk reports them). */
void dumper_hole(struct dumper *d, uint64_t n, int err);
void dumper_finish(struct dumper *d);

/* Why bytes could not be read, in words: the dumper's summary lines and
 * every message say it the same way. */
const char *unreadable_reason(int err);

#endif
