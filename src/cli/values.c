/* The value formatters of read (values.h): hex, a C array, typed values. */
#include "config.h"
#include "values.h"
#include "json.h"
#include "hexsimd.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void hex_text(char *dst, const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		dst[2 * i] = digits[p[i] >> 4];
		dst[2 * i + 1] = digits[p[i] & 15];
	}
	dst[2 * n] = '\0';
}

void hex_data(struct out *o, const unsigned char *p, size_t n)
{
	hex_tables_init();
	while (n) {
		size_t take = n < o->cap / 4 ? n : o->cap / 4;
		char *b = out_room(o, 2 * take);
		size_t i = 0;
		for (; i + 16 <= take; i += 16)
			hex16(p + i, b + 2 * i);
		for (; i < take; i++)
			memcpy(b + 2 * i, hex_pair[p[i]], 2);
		o->len += 2 * take;
		p += take;
		n -= take;
	}
}

void carray_start(struct carray *c, struct out *o, uint64_t addr)
{
	hex_tables_init();
	*c = (struct carray){ .o = o, .addr = addr };
}

/* The declaration goes out with the first byte, so that a range that
 * cannot be read at all prints nothing. */
static void carray_open(struct carray *c)
{
	if (c->opened)
		return;
	char line[64];
	snprintf(line, sizeof line, "unsigned char pvmio_%" PRIx64 "[] = {\n", c->addr);
	out_str(c->o, line);
	c->opened = 1;
}

void carray_data(struct carray *c, const unsigned char *p, size_t n)
{
	carray_open(c);
	for (size_t i = 0; i < n; i++) {
		char *b = out_room(c->o, 8);
		size_t k = 0;
		if (c->count) {
			b[k++] = ',';
			b[k++] = c->col == 12 ? '\n' : ' ';
			if (c->col == 12)
				c->col = 0;
		}
		if (c->col == 0) {
			b[k++] = ' ';
			b[k++] = ' ';
		}
		b[k++] = '0';
		b[k++] = 'x';
		memcpy(b + k, hex_pair[p[i]], 2);
		c->o->len += k + 2;
		c->col++;
		c->count++;
	}
}

void carray_finish(struct carray *c)
{
	char line[96];
	carray_open(c);
	if (c->count)
		out_write(c->o, "\n", 1);
	snprintf(line, sizeof line, "};\nunsigned int pvmio_%" PRIx64 "_len = %" PRIu64 ";\n", c->addr, c->count);
	out_str(c->o, line);
}

void typed_start(struct typed *ty, struct out *o, const struct vtype *t, int big, int hex, int addresses,
		 uint64_t addr)
{
	*ty = (struct typed){ .o = o, .t = *t, .big = big, .hex = hex, .addresses = addresses, .addr = addr, .base = addr };
}

int value_text(char *buf, size_t size, const struct vtype *t, int big, int hex, const unsigned char *p)
{
	uint64_t u = load_uint(p, t->size, big);
	unsigned bits = t->size * 8;
	if (hex)
		return snprintf(buf, size, "0x%0*" PRIx64, (int)t->size * 2, u);
	if (t->kind == V_POINTER)
		return snprintf(buf, size, "0x%" PRIx64, u);
	if (t->kind == V_UNSIGNED)
		return snprintf(buf, size, "%" PRIu64, u);
	if (t->kind == V_SIGNED) {
		int64_t v = bits < 64 && (u >> (bits - 1)) ? (int64_t)(u | ~(((uint64_t)1 << bits) - 1)) : (int64_t)u;
		return snprintf(buf, size, "%" PRId64, v);
	}
	if (((u >> (bits == 32 ? 23 : 52)) & (bits == 32 ? 0xff : 0x7ff)) == (bits == 32 ? 0xff : 0x7ff) &&
	    (u & (((uint64_t)1 << (bits == 32 ? 23 : 52)) - 1))) {
		/* A NaN keeps its bits through write -t: nan and -nan for the
		 * default quiet NaN, else its mantissa. */
		unsigned mbits = bits == 32 ? 23 : 52;
		uint64_t mant = u & (((uint64_t)1 << mbits) - 1);
		const char *sign = u >> (bits - 1) ? "-" : "";
		if (mant == (uint64_t)1 << (mbits - 1))
			return snprintf(buf, size, "%snan", sign);
		return snprintf(buf, size, "%snan(%#" PRIx64 ")", sign, mant);
	}
	if (t->size == 4) {
		uint32_t w = (uint32_t)u;
		float f;
		memcpy(&f, &w, 4);
		return snprintf(buf, size, "%.9g", (double)f);
	}
	double f;
	memcpy(&f, &u, 8);
	return snprintf(buf, size, "%.17g", f);
}

void typed_value(struct out *o, const struct vtype *t, int big, int hex, const unsigned char *p)
{
	char buf[VALUE_TEXT_MAX + 1];
	value_text(buf, sizeof buf - 1, t, big, hex, p);
	strcat(buf, "\n");
	out_str(o, buf);
}

/* read -t --json: {"address": "0x...", "type": "u32", "value": 7}; with
 * -f hex the value is its hex string, as the text lines show it. */
static void typed_json(struct typed *ty)
{
	json_object(ty->json);
	json_key(ty->json, "address");
	json_hex(ty->json, ty->addr);
	json_key(ty->json, "type");
	json_string(ty->json, ty->t.name);
	json_key(ty->json, "value");
	if (ty->hex) {
		char buf[VALUE_TEXT_MAX + 1];
		value_text(buf, sizeof buf, &ty->t, ty->big, 1, ty->elem);
		json_string(ty->json, buf);
	} else {
		value_json(ty->json, &ty->t, ty->big, ty->elem);
	}
	json_end(ty->json);
	json_newline(ty->json);
}

void typed_data(struct typed *ty, const unsigned char *p, size_t n)
{
	while (n) {
		if (ty->discard) {
			size_t drop = ty->discard < n ? (size_t)ty->discard : n;
			ty->discard -= drop;
			ty->addr += drop;
			p += drop;
			n -= drop;
			continue;
		}
		size_t take = ty->t.size - ty->fill < n ? ty->t.size - ty->fill : n;
		memcpy(ty->elem + ty->fill, p, take);
		ty->fill += (unsigned)take;
		p += take;
		n -= take;
		if (ty->fill == ty->t.size && ty->json) {
			typed_json(ty);
		} else if (ty->fill == ty->t.size) {
			if (ty->addresses) {
				char buf[32];
				snprintf(buf, sizeof buf, "0x%" PRIx64 ": ", ty->addr);
				out_str(ty->o, buf);
			}
			typed_value(ty->o, &ty->t, ty->big, ty->hex, ty->elem);
		}
		if (ty->fill == ty->t.size) {
			ty->addr += ty->t.size;
			ty->fill = 0;
		}
	}
}

void typed_skip(struct typed *ty, uint64_t n)
{
	/* The element the run cuts is lost; gathering resumes at the next
	 * element boundary counted from the range's start.  While discarding,
	 * fill is 0 and addr is the next byte's address. */
	uint64_t next = ty->addr + ty->fill + n;
	uint64_t off = next - ty->base;
	ty->addr = next;
	ty->fill = 0;
	ty->discard = (ty->t.size - off % ty->t.size) % ty->t.size;
}

void value_json(struct json *j, const struct vtype *t, int big, const unsigned char *p)
{
	char buf[VALUE_TEXT_MAX + 1];
	value_text(buf, sizeof buf, t, big, 0, p);
	if (t->kind == V_POINTER || strchr(buf, 'n'))
		json_string(j, buf);
	else
		json_raw(j, buf);
}

/* -1, 0 or 1 as A is below, equal to or above B; 2 when they do not
 * compare (a NaN). */
int value_compare(const struct vtype *t, int big, const unsigned char *a, const unsigned char *b)
{
	uint64_t ua = load_uint(a, t->size, big), ub = load_uint(b, t->size, big);
	unsigned bits = t->size * 8;
	if (t->kind == V_SIGNED && bits < 64) {
		/* sign-extend, then compare as signed */
		uint64_t sign = (uint64_t)1 << (bits - 1);
		ua = (ua ^ sign) - sign;
		ub = (ub ^ sign) - sign;
	}
	if (t->kind == V_SIGNED)
		return (int64_t)ua < (int64_t)ub ? -1 : (int64_t)ua > (int64_t)ub;
	if (t->kind != V_FLOAT)
		return ua < ub ? -1 : ua > ub;
	double da, db;
	if (bits == 32) {
		float fa, fb;
		uint32_t wa = (uint32_t)ua, wb = (uint32_t)ub;
		memcpy(&fa, &wa, 4);
		memcpy(&fb, &wb, 4);
		da = fa;
		db = fb;
	} else {
		memcpy(&da, &ua, 8);
		memcpy(&db, &ub, 8);
	}
	if (isnan(da) || isnan(db))
		return 2;
	return da < db ? -1 : da > db;
}
