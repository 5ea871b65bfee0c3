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
static int number_n(const char *s, size_t len, uint64_t *out, struct perr *e)
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
	return number_n(s, strlen(s), out, e);
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
	if (number_n(s, len, &v, e) < 0)
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

/* The address grammar.  A term that begins with a digit is a NUMBER; a
 * term in double quotes is a NAME; any other term is a NAME too, and
 * since names may hold the grammar's own characters ('+', '-', ':', "..",
 * as in ld-linux-x86-64.so.2 or [anon:x]), the parser tries the longest
 * text that names a mapping first and backs off to shorter ones until
 * the rest of the argument parses. */
enum stage { ADDR_ONLY, RANGE_FIRST, RANGE_END };

struct grammar {
	const char *s;
	size_t len;
	const struct pvmio_maps *m;
	/* the result */
	uint64_t lo, hi, len_value;
	int form;	/* 0 bare address, 1 ADDR:LEN, 2 ADDR..END */
	/* for the "A-B wraps: write A..B" hint */
	uint64_t first, second;
	size_t oppos;
};

static int after_term(struct grammar *g, enum stage st, size_t pos, uint64_t acc, unsigned terms, struct perr *e);

/* Applies TERM's value V to ACC with the operator before it. */
static int apply(struct grammar *g, uint64_t *acc, uint64_t v, int neg, unsigned terms, struct perr *e)
{
	if (terms == 0)
		g->first = v;
	else if (terms == 1)
		g->second = v;
	if (!neg) {
		if (*acc > UINT64_MAX - v)
			return syntax_error(e, "'%s' passes the top of the address space (2^64)", g->s);
		*acc += v;
		return 0;
	}
	if (v > *acc) {
		if (terms == 1)
			return syntax_error(e, "'%s' wraps below 0; for the range from %#" PRIx64 " to %#" PRIx64 ", write %.*s..%s",
				    g->s, g->first, g->second, (int)g->oppos, g->s, g->s + g->oppos + 1);
		return syntax_error(e, "'%s' wraps below 0", g->s);
	}
	*acc -= v;
	return 0;
}

/* Where a term may end: before an operator or a range separator. */
static int boundary(const struct grammar *g, size_t k, enum stage st)
{
	if (k == g->len)
		return 1;
	char c = g->s[k];
	return c == '+' || c == '-' || (st == RANGE_FIRST && (c == ':' || (c == '.' && g->s[k + 1] == '.')));
}

/* The end of a quoted name starting at POS (after its closing quote), and
 * its text without quotes and escapes; 0 if it does not close. */
static size_t quoted(const struct grammar *g, size_t pos, char **out)
{
	char *name = malloc(g->len - pos);
	if (!name)
		return 0;
	size_t k = 0;
	for (size_t i = pos + 1; i < g->len; i++) {
		if (g->s[i] == '"') {
			name[k] = '\0';
			*out = name;
			return i + 1;
		}
		if (g->s[i] == '\\' && i + 1 < g->len && (g->s[i + 1] == '"' || g->s[i + 1] == '\\'))
			i++;
		name[k++] = g->s[i];
	}
	free(name);
	return 0;
}

/* Parses the term at POS and whatever follows it to the end. */
static int term_at(struct grammar *g, enum stage st, size_t pos, uint64_t acc, int neg, unsigned terms,
		   struct perr *e)
{
	if (pos == g->len || g->s[pos] == '+' || g->s[pos] == '-' || (st == RANGE_FIRST && g->s[pos] == ':'))
		return syntax_error(e, "'%s': missing a number or name %s", g->s,
			    terms ? (neg ? "after '-'" : "after '+'") : "at the start");
	uint64_t v, hi;
	if (isdigit((unsigned char)g->s[pos])) {
		size_t end = pos;
		while (!boundary(g, end, st))
			end++;
		if (number_n(g->s + pos, end - pos, &v, e) < 0 || apply(g, &acc, v, neg, terms, e) < 0)
			return -1;
		return after_term(g, st, end, acc, terms + 1, e);
	}
	if (g->s[pos] == '"') {
		char *name = NULL;
		size_t end = quoted(g, pos, &name);
		if (!end)
			return syntax_error(e, "'%s': a quoted name has no closing '\"'", g->s);
		int rc = resolve_name(g->m, name, &v, &hi, e);
		free(name);
		if (rc < 0 || apply(g, &acc, v, neg, terms, e) < 0)
			return -1;
		return after_term(g, st, end, acc, terms + 1, e);
	}
	/* The longest name first; the error of the longest that resolves is
	 * the one to report if none leads to a whole parse. */
	struct perr first_err = { .kind = PERR_NONE };
	for (size_t end = g->len; end > pos; end--) {
		if (!boundary(g, end, st))
			continue;
		char *name = strndup(g->s + pos, end - pos);
		if (!name)
			return nomem(e);
		struct perr why;
		int rc = resolve_name(g->m, name, &v, &hi, &why);
		free(name);
		if (rc < 0) {
			/* An ambiguous name is an answer, not a miss. */
			if (why.kind == PERR_AMBIGUOUS && first_err.kind == PERR_NONE)
				first_err = why;
			continue;
		}
		uint64_t a = acc;
		struct perr err;
		if (apply(g, &a, v, neg, terms, &err) == 0 && after_term(g, st, end, a, terms + 1, &err) == 0)
			return 0;
		if (err.kind == PERR_NOMEM) {
			*e = err;
			return -1;
		}
		if (first_err.kind == PERR_NONE)
			first_err = err;
	}
	if (first_err.kind != PERR_NONE) {
		*e = first_err;
		return -1;
	}
	/* No prefix names a mapping: report the name the user meant, the
	 * text before its numeric offset, length or end. */
	size_t cut = pos + 1;
	while (cut < g->len && !(boundary(g, cut, st) && cut + 1 < g->len &&
				 (isdigit((unsigned char)g->s[cut + 1]) || g->s[cut + 1] == '.')))
		cut++;
	char *name = strndup(g->s + pos, cut - pos);
	if (!name)
		return nomem(e);
	resolve_name(g->m, name, &v, &hi, e);
	free(name);
	return -1;
}

static int after_term(struct grammar *g, enum stage st, size_t pos, uint64_t acc, unsigned terms, struct perr *e)
{
	if (pos == g->len) {
		if (st == RANGE_END)
			g->hi = acc;
		else
			g->lo = acc;
		return 0;
	}
	char c = g->s[pos];
	if (c == '+' || c == '-') {
		if (terms == 1)
			g->oppos = pos;
		return term_at(g, st, pos + 1, acc, c == '-', terms, e);
	}
	if (st == RANGE_FIRST && c == ':') {
		g->lo = acc;
		g->form = 1;
		if (parse_length(g->s + pos + 1, &g->len_value, e) < 0)
			return -1;
		if (g->len_value && acc > UINT64_MAX - (g->len_value - 1))
			return syntax_error(e, "'%s' passes the top of the address space (2^64)", g->s);
		return 0;
	}
	if (st == RANGE_FIRST && c == '.' && g->s[pos + 1] == '.') {
		g->lo = acc;
		g->form = 2;
		return term_at(g, RANGE_END, pos + 2, 0, 0, 0, e);
	}
	return syntax_error(e, "'%s': '%c' after %.*s is not '+', '-'%s", g->s, c, (int)pos, g->s,
		    st == RANGE_FIRST ? ", ':' or '..'" : "");
}

static int parse_expr(struct grammar *g, enum stage st, struct perr *e)
{
	if (!g->len)
		return syntax_error(e, "missing an address");
	return term_at(g, st, 0, 0, 0, 0, e);
}

int parse_addr(const char *s, const struct pvmio_maps *m, uint64_t *out, struct perr *e)
{
	struct grammar g = { .s = s, .len = strlen(s), .m = m };
	if (parse_expr(&g, ADDR_ONLY, e) < 0)
		return -1;
	*out = g.lo;
	return 0;
}

int parse_range(const char *s, const struct pvmio_maps *m, struct range *out, struct perr *e)
{
	memset(out, 0, sizeof *out);
	uint64_t lo, hi;
	struct perr ignore;
	/* A NAME alone is its whole span, before anything else. */
	struct grammar g = { .s = s, .len = strlen(s), .m = m };
	char *name = NULL;
	if (g.len && s[0] == '"' && quoted(&g, 0, &name) == g.len) {
		int rc = resolve_name(m, name, &lo, &hi, e);
		free(name);
		if (rc < 0)
			return -1;
		*out = (struct range){ lo, hi - lo, 1, 1 };
		return 0;
	}
	free(name);
	if (!isdigit((unsigned char)s[0]) && resolve_name(m, s, &lo, &hi, &ignore) == 0) {
		*out = (struct range){ lo, hi - lo, 1, 1 };
		return 0;
	}
	if (parse_expr(&g, RANGE_FIRST, e) < 0)
		return -1;
	if (g.form == 2) {
		if (g.hi < g.lo)
			return syntax_error(e, "'%s': the end %#" PRIx64 " is below the start %#" PRIx64, s, g.hi, g.lo);
		*out = (struct range){ g.lo, g.hi - g.lo, 1, 0 };
	} else if (g.form == 1) {
		*out = (struct range){ g.lo, g.len_value, 1, 0 };
	} else {
		*out = (struct range){ g.lo, 0, 0, 0 };
	}
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
		if (number_n(p + 1, (size_t)(close - p - 1), &mant, e) < 0 || mant == 0 || mant >> mbits)
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
		if (number_n(s + neg, strlen(s + neg), &mag, e) < 0) {
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
