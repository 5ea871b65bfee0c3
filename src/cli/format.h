/* Output: a buffered writer and the formatters of read and dump. */
#ifndef PVMIO_FORMAT_H
#define PVMIO_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/* A buffered writer to a file descriptor; a failed write is kept in err
 * (an errno) and later writes are dropped. */
struct out {
	int fd;
	int err;
	char *buf;
	size_t len, cap;
};
int out_init(struct out *o, int fd);
void out_free(struct out *o);
void out_write(struct out *o, const void *p, size_t n);
void out_str(struct out *o, const char *s);
int out_flush(struct out *o);
/* Room for n more bytes at the end of the buffer (n <= the capacity). */
char *out_room(struct out *o, size_t n);

/* Why bytes could not be read, in words. */
const char *unreadable_reason(int err);

enum dump_style { DUMP_XXD, DUMP_CANONICAL };

struct dumper {
	struct out *o;
	enum dump_style style;
	unsigned cols, group;
	int autoskip;	/* xxd -a */
	int squeeze;	/* hexdump -C without -v */
	int color;
	uint64_t line_addr;
	unsigned fill;
	int line_holes;
	unsigned char line[256], valid[256];
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
	/* a template of an xxd line and its address width */
	unsigned tmpl_addrlen;
	char tmpl[1200];
	size_t tmpl_len;
	unsigned hexpos[256], asciipos;
	/* hexdump -C's 16 hex pairs from 32 digits, where SSSE3 does it */
	void (*spread_pairs)(char *, const char *);
};
void dumper_init(struct dumper *d, struct out *o, enum dump_style style, unsigned cols, unsigned group,
		 int autoskip, int squeeze, int color);
void dumper_free(struct dumper *d);
void dumper_start(struct dumper *d, uint64_t addr);
void dumper_data(struct dumper *d, const unsigned char *p, size_t n);
void dumper_hole(struct dumper *d, uint64_t n, int err);
void dumper_finish(struct dumper *d);

/* read -f hex: one line a range, lowercase pairs. */
void hex_data(struct out *o, const unsigned char *p, size_t n);

/* read -f c: a C array like xxd -i. */
struct carray {
	struct out *o;
	uint64_t addr, count;
	unsigned col;
	int opened;
};
void carray_start(struct carray *c, struct out *o, uint64_t addr);
void carray_data(struct carray *c, const unsigned char *p, size_t n);
void carray_finish(struct carray *c);

/* read -t: one value a line. */
struct typed {
	struct out *o;
	struct vtype t;
	int big, hex, addresses;
	uint64_t base;		/* the range's start, for element alignment */
	uint64_t addr;		/* address of the element being gathered */
	unsigned fill;
	uint64_t discard;	/* bytes to drop to realign after a skipped hole */
	unsigned char elem[8];
};
void typed_start(struct typed *ty, struct out *o, const struct vtype *t, int big, int hex, int addresses,
		 uint64_t addr);
void typed_data(struct typed *ty, const unsigned char *p, size_t n);
/* Drops n bytes (a skipped hole) and any element they cut. */
void typed_skip(struct typed *ty, uint64_t n);
void typed_value(struct out *o, const struct vtype *t, int big, int hex, const unsigned char *p);

#endif
