/* The command line's grammar: numbers, lengths, pids, addresses, ranges,
 * typed values and hex data (doc/DESIGN.md, "The address grammar"). */
#include "config.h"
#include "grammar.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses s[0..len) as a NUMBER. */
int parse_number_n(const char *s, size_t len, uint64_t *out, struct perr *e)
{
	uint64_t v = 0;
	size_t i = 0;
	int base = 10;
	if (len == 0)
		return syntax_error(e, "missing a number");
	if (s[0] == '-' || s[0] == '+')
		return syntax_error(e, "'%.*s': a sign is not allowed here", (int)len, s);
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (len == 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		return syntax_error(e, "'%.*s': no hex digits after 0x", (int)len, s);
	}
	for (; i < len; i++) {
		int d = base == 16 ? hex_digit((unsigned char)s[i]) : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
		if (d < 0)
			return syntax_error(e, "'%.*s' is not a %s", (int)len, s,
				    base == 16 ? "hex number" : "decimal number (use 0x for hex)");
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) {
			syntax_error(e, "'%.*s' does not fit in 64 bits", (int)len, s);
			e->kind = PERR_RANGE;
			return -1;
		}
		v = v * (uint64_t)base + (uint64_t)d;
	}
	*out = v;
	return 0;
}

int parse_number(const char *s, uint64_t *out, struct perr *e)
{
	return parse_number_n(s, strlen(s), out, e);
}

int parse_length(const char *s, uint64_t *out, struct perr *e)
{
	static const struct {
		const char *suffix;
		unsigned shift;
	} units[] = { { "KiB", 10 }, { "MiB", 20 }, { "GiB", 30 }, { "k", 10 }, { "K", 10 },
		      { "M", 20 },   { "G", 30 } };
	size_t len = strlen(s);
	unsigned shift = 0;
	/* No suffix letter is a hex digit, so "0x10k" is unambiguous. */
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		size_t sl = strlen(units[i].suffix);
		if (len > sl && strcmp(s + len - sl, units[i].suffix) == 0) {
			len -= sl;
			shift = units[i].shift;
			break;
		}
	}
	uint64_t v;
	if (parse_number_n(s, len, &v, e) < 0)
		return -1;
	if (shift && v > UINT64_MAX >> shift)
		return syntax_error(e, "length '%s' does not fit in 64 bits", s);
	*out = v << shift;
	return 0;
}

int parse_pid(const char *s, pid_t *out, struct perr *e)
{
	uint64_t v = 0;
	size_t len = strlen(s);
	if (len == 0)
		return syntax_error(e, "missing PID");
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return syntax_error(e, "'%s' is not a process id (a decimal number > 0)", s);
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > 0x7fffffff)
			return syntax_error(e, "'%s' is not a process id (too large)", s);
	}
	if (v == 0)
		return syntax_error(e, "'%s' is not a process id (a decimal number > 0)", s);
	*out = (pid_t)v;
	return 0;
}

static const struct vtype types[] = {
	{ "u8", 1, V_UNSIGNED },  { "u16", 2, V_UNSIGNED }, { "u32", 4, V_UNSIGNED }, { "u64", 8, V_UNSIGNED },
	{ "i8", 1, V_SIGNED },	  { "i16", 2, V_SIGNED },   { "i32", 4, V_SIGNED },   { "i64", 8, V_SIGNED },
	{ "f32", 4, V_FLOAT },	  { "f64", 8, V_FLOAT },    { "ptr", 8, V_POINTER },
};

int parse_type(const char *s, int ptrsize, struct vtype *out, struct perr *e)
{
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		if (strcmp(s, types[i].name) == 0) {
			*out = types[i];
			if (out->kind == V_POINTER)
				out->size = (unsigned)ptrsize;
			return 0;
		}
	}
	return syntax_error(e, "unknown type '%s' (use u8 u16 u32 u64 i8 i16 i32 i64 f32 f64 ptr)", s);
}

int parse_perms(const char *s, unsigned *want, unsigned *refuse, struct perr *e)
{
	static const char letters[] = "rwxsp";
	int absent = 0;
	*want = *refuse = 0;
	if (!*s)
		return syntax_error(e, "--perms: give letters of r, w, x, s and p (a '-' before those that must be absent)");
	for (const char *c = s; *c; c++) {
		const char *at = strchr(letters, *c);
		if (*c == '-' && !absent) {
			absent = 1;
			continue;
		}
		if (!at || !*c)
			return syntax_error(e, "--perms '%s': '%c' is not one of r, w, x, s and p (a '-' before those that must be absent, once)",
					    s, *c);
		unsigned bit = 1u << (at - letters);
		if ((*want | *refuse) & bit)
			return syntax_error(e, "--perms '%s': '%c' is given twice", s, *c);
		*(absent ? refuse : want) |= bit;
	}
	if ((*want & PERM_S && *want & PERM_P) || (*refuse & PERM_S && *refuse & PERM_P))
		return syntax_error(e, "--perms '%s': a mapping is either shared (s) or private (p)", s);
	if (!*want && !*refuse)
		return syntax_error(e, "--perms '%s': no permission given", s);
	return 0;
}

unsigned perms_bits(const char *perms)
{
	return (perms[0] == 'r' ? PERM_R : 0) | (perms[1] == 'w' ? PERM_W : 0) | (perms[2] == 'x' ? PERM_X : 0) |
	       (perms[3] == 's' ? PERM_S : perms[3] == 'p' ? PERM_P : 0);
}

int native_big_endian(void)
{
	const uint16_t one = 1;
	return *(const unsigned char *)&one == 0;
}

int parse_endian(const char *s, int *big, struct perr *e)
{
	if (strcmp(s, "little") == 0 || strcmp(s, "le") == 0)
		*big = 0;
	else if (strcmp(s, "big") == 0 || strcmp(s, "be") == 0)
		*big = 1;
	else if (strcmp(s, "native") == 0)
		*big = native_big_endian();
	else
		return syntax_error(e, "unknown byte order '%s' (use little, big or native)", s);
	return 0;
}

static void store_uint(unsigned char *out, uint64_t v, unsigned size, int big)
{
	for (unsigned i = 0; i < size; i++)
		out[big ? size - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

uint64_t load_uint(const unsigned char *p, unsigned size, int big)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)p[big ? size - 1 - i : i] << (8 * i);
	return v;
}

/* "nan", "-nan", "nan(0xMANTISSA)": the NaN forms that read -t prints,
 * so every NaN's bits survive a round trip (strtod would quieten a
 * signalling NaN).  Returns 1 when S is one, with its bits. */
static int parse_nan(const char *s, const struct vtype *t, uint64_t *bits, struct perr *e)
{
	int neg = s[0] == '-';
	const char *p = s + (s[0] == '-' || s[0] == '+');
	if (strncasecmp(p, "nan", 3) != 0)
		return 0;
	unsigned mbits = t->size == 4 ? 23 : 52;
	uint64_t quiet = (uint64_t)1 << (mbits - 1), mant = quiet;
	p += 3;
	if (*p == '(') {
		const char *close = strchr(p, ')');
		if (!close || close[1])
			return syntax_error(e, "'%s' is not a number (a NaN is nan, -nan or nan(0xMANTISSA))", s);
		if (parse_number_n(p + 1, (size_t)(close - p - 1), &mant, e) < 0 || mant == 0 || mant >> mbits)
			return syntax_error(e, "'%s': a NaN's mantissa is 1 to %#" PRIx64 " for %s", s,
				    ((uint64_t)1 << mbits) - 1, t->name);
	} else if (*p) {
		return syntax_error(e, "'%s' is not a number", s);
	}
	uint64_t exp = t->size == 4 ? 0xffULL : 0x7ffULL;
	*bits = (uint64_t)neg << (8 * t->size - 1) | exp << mbits | mant;
	return 1;
}

static int parse_float(const char *s, const struct vtype *t, uint64_t *bits, struct perr *e)
{
	int nan = parse_nan(s, t, bits, e);
	if (nan)
		return nan < 0 ? -1 : 0;
	char *end;
	if (!s[0] || isspace((unsigned char)s[0]))
		return syntax_error(e, "'%s' is not a number", s);
	errno = 0;
	/* strtof rounds once, to float: no double rounding. */
	double v;
	if (t->size == 4) {
		float f = strtof(s, &end);
		uint32_t u;
		memcpy(&u, &f, 4);
		*bits = u;
		v = f;
	} else {
		double d = strtod(s, &end);
		memcpy(bits, &d, 8);
		v = d;
	}
	if (*end || end == s)
		return syntax_error(e, "'%s' is not a number", s);
	/* Too large or too small to be anything but infinity or zero: both
	 * are errors, where a value that becomes subnormal is not. */
	if (errno == ERANGE && (isinf(v) || v == 0))
		return syntax_error(e, "'%s' is out of range for %s (its magnitude is %s %s)", s, t->name,
			    v == 0 ? "below" : "above", t->size == 4 ? (v == 0 ? "1.4e-45" : "3.4e38")
								   : (v == 0 ? "4.9e-324" : "1.8e308"));
	return 0;
}

int parse_value(const char *s, const struct vtype *t, int big, unsigned char *out, struct perr *e)
{
	uint64_t bits = 0;
	if (t->kind == V_FLOAT) {
		if (parse_float(s, t, &bits, e) < 0)
			return -1;
	} else {
		int neg = s[0] == '-';
		uint64_t mag;
		unsigned bitsz = t->size * 8;
		uint64_t umax = bitsz == 64 ? UINT64_MAX : ((uint64_t)1 << bitsz) - 1;
		uint64_t limit = (uint64_t)1 << (bitsz - 1);
		if (t->kind != V_SIGNED && neg)
			return syntax_error(e, "'%s' is out of range for %s (it is unsigned)", s, t->name);
		/* Digits that do not fit are out of range, like any other value
		 * too large for the type; anything else is not a number. */
		int too_big = 0;
		if (parse_number_n(s + neg, strlen(s + neg), &mag, e) < 0) {
			if (e->kind != PERR_RANGE)
				return -1;
			too_big = 1;
		}
		if (t->kind == V_SIGNED) {
			if (too_big || (neg && mag > limit) || (!neg && mag > limit - 1))
				return syntax_error(e, "'%s' is out of range for %s (-%" PRIu64 "..%" PRIu64 ")", s, t->name,
					    limit, limit - 1);
			bits = neg ? (~mag + 1) & umax : mag;
		} else {
			if (too_big || mag > umax)
				return syntax_error(e, "'%s' is out of range for %s (0..%" PRIu64 ")", s, t->name, umax);
			bits = mag;
		}
	}
	store_uint(out, bits, t->size, big);
	return 0;
}

/* Shared by hex data and find patterns; MASK NULL refuses "??". */
static int hex_bytes(const char *s, struct bytes *out, struct bytes *mask, struct perr *e)
{
	/* An empty string holds no bytes; the caller decides if that will do. */
	const char *p = s;
	while (*p) {
		if (isspace((unsigned char)*p) || *p == ',') {
			p++;
			continue;
		}
		if (p[0] == '\\' && (p[1] == 'x' || p[1] == 'X'))
			p += 2;
		else if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && hex_digit((unsigned char)p[2]) >= 0 &&
			 (p == s || isspace((unsigned char)p[-1]) || p[-1] == ','))
			p += 2;
		unsigned char b, m = 0xff;
		if (p[0] == '?' && p[1] == '?') {
			if (!mask)
				return syntax_error(e, "'%s': '?" "?' (any byte) is only for find patterns", s);
			b = 0;
			m = 0;
		} else {
			int hi = hex_digit((unsigned char)p[0]), lo = hi >= 0 && p[1] ? hex_digit((unsigned char)p[1]) : -1;
			if (hi < 0 || lo < 0) {
				if (hi >= 0 && (!p[1] || isspace((unsigned char)p[1]) || p[1] == ','))
					return syntax_error(e, "'%s': odd number of hex digits", s);
				char bad = hi < 0 ? p[0] : p[1];
				return syntax_error(e, "'%s': '%c' is not a hex digit", s, bad);
			}
			b = (unsigned char)(hi << 4 | lo);
		}
		if (bytes_push(out, &b, 1) < 0 || (mask && bytes_push(mask, &m, 1) < 0))
			return nomem(e);
		p += 2;
	}
	return 0;
}

int parse_hex_data(const char *s, struct bytes *out, struct perr *e)
{
	return hex_bytes(s, out, NULL, e);
}

int parse_hex_pattern(const char *s, struct bytes *pat, struct bytes *mask, struct perr *e)
{
	return hex_bytes(s, pat, mask, e);
}
