/* The value formatters of read: -f hex, -f c and -t (values.c). */
#ifndef PVMIO_VALUES_H
#define PVMIO_VALUES_H

#include <stddef.h>
#include <stdint.h>

#include "grammar.h"
#include "output.h"

/* N bytes as 2N lowercase hex digits and a NUL, into DST. */
void hex_text(char *dst, const unsigned char *p, size_t n);
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

/* read -t: one value a line, or with json one object a line. */
struct json;
struct typed {
	struct out *o;
	struct json *json;	/* NULL: text lines */
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
/* -1, 0 or 1 as value A is below, equal to or above B; 2 when they do
 * not compare (a NaN). */
int value_compare(const struct vtype *t, int big, const unsigned char *a, const unsigned char *b);

/* One value as JSON: a number, or a string where JSON has none (pointers,
 * as every address; NaN and the infinities). */
void value_json(struct json *j, const struct vtype *t, int big, const unsigned char *p);

/* The longest text of one value, without its NUL. */
#define VALUE_TEXT_MAX 48
/* One value as read -t prints it (no newline) into BUF; as snprintf. */
int value_text(char *buf, size_t size, const struct vtype *t, int big, int hex, const unsigned char *p);
void typed_value(struct out *o, const struct vtype *t, int big, int hex, const unsigned char *p);

#endif
