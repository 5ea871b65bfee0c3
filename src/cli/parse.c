/* The command line's grammar (SPEC "Numbers, addresses and ranges"). */
#include "config.h"
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 2, 3))) static int fail(struct perr *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int bytes_push(struct bytes *b, const void *data, size_t n)
{
	if (b->cap - b->len < n) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap - b->len < n) {
			if (cap > SIZE_MAX / 2)
				return -ENOMEM;
			cap *= 2;
		}
		unsigned char *p = realloc(b->p, cap);
		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	return 0;
}

void bytes_free(struct bytes *b)
{
	free(b->p);
	*b = (struct bytes){ 0 };
}

static int hexval(int c)
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
		return fail(e, "missing a number");
	if (s[0] == '-' || s[0] == '+')
		return fail(e, "'%.*s': a sign is not allowed here", (int)len, s);
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (len == 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		return fail(e, "'%.*s': no hex digits after 0x", (int)len, s);
	}
	for (; i < len; i++) {
		int d = base == 16 ? hexval((unsigned char)s[i]) : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
		if (d < 0)
			return fail(e, "'%.*s' is not a %s number", (int)len, s,
				    base == 16 ? "hex" : "decimal (use 0x for hex)");
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return fail(e, "'%.*s' does not fit in 64 bits", (int)len, s);
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
		return fail(e, "length '%s' does not fit in 64 bits", s);
	*out = v << shift;
	return 0;
}

int parse_pid(const char *s, pid_t *out, struct perr *e)
{
	uint64_t v = 0;
	size_t len = strlen(s);
	if (len == 0)
		return fail(e, "missing PID");
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return fail(e, "'%s' is not a process id (a decimal number > 0)", s);
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > 0x7fffffff)
			return fail(e, "'%s' is not a process id (too large)", s);
	}
	if (v == 0)
		return fail(e, "'%s' is not a process id (a decimal number > 0)", s);
	*out = (pid_t)v;
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Lists the names a user can type, for an error message. */
static void list_names(const struct pvmio_maps *m, char *buf, size_t size)
{
	size_t used = 0, shown = 0, total = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < m->n; i++) {
		const char *name = m->v[i].name;
		if (!name[0])
			continue;
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(m->v[j].name, name) == 0;
		if (seen)
			continue;
		total++;
		if (shown >= 8)
			continue;
		const char *show = name[0] == '/' ? base_name(name) : name;
		int n = snprintf(buf + used, size - used, "%s%s", shown ? ", " : "", show);
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
		shown++;
	}
	if (total > shown)
		snprintf(buf + used, size - used, ", and %zu more", total - shown);
}

int match_name(const struct pvmio_maps *m, const char *name, const char **full, struct perr *e)
{
	if (!m || !name[0])
		return fail(e, "unknown name '%s'", name);
	const char *want = name;
	if (strcmp(name, "heap") == 0)
		want = "[heap]";
	else if (strcmp(name, "stack") == 0)
		want = "[stack]";
	else if (strcmp(name, "exe") == 0) {
		want = m->exe;
		for (size_t i = 0; !want && i < m->n; i++)
			if (m->v[i].name[0] == '/')
				want = m->v[i].name;
		if (!want)
			return fail(e, "the target has no main program mapped");
	}
	/* An exact name first; then a base name, which must be unique. */
	const char *match = NULL;
	for (size_t i = 0; i < m->n && !match; i++)
		if (strcmp(m->v[i].name, want) == 0)
			match = m->v[i].name;
	if (!match && !strchr(want, '/')) {
		for (size_t i = 0; i < m->n; i++) {
			const char *n = m->v[i].name;
			if (n[0] != '/' || strcmp(base_name(n), want) != 0)
				continue;
			if (match && strcmp(match, n) != 0)
				return fail(e, "'%s' is ambiguous: it names both %s and %s; give the full path",
					    name, match, n);
			match = n;
		}
	}
	if (!match) {
		char names[300];
		list_names(m, names, sizeof names);
		return fail(e, "unknown name '%s' (the target maps %s)", name, names[0] ? names : "no named mappings");
	}
	*full = match;
	return 0;
}

int resolve_name(const struct pvmio_maps *m, const char *name, uint64_t *start, uint64_t *end,
		 struct perr *e)
{
	const char *match;
	if (match_name(m, name, &match, e) < 0)
		return -1;
	uint64_t lo = UINT64_MAX, hi = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (strcmp(m->v[i].name, match) != 0)
			continue;
		if (m->v[i].start < lo)
			lo = m->v[i].start;
		if (m->v[i].end > hi)
			hi = m->v[i].end;
	}
	*start = lo;
	*end = hi;
	return 0;
}

/* Is s[0..len) a run of [+-]NUMBER terms? */
static int numeric_tail(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		if (s[i] != '+' && s[i] != '-')
			return 0;
		size_t j = ++i;
		while (j < len && s[j] != '+' && s[j] != '-')
			j++;
		uint64_t v;
		struct perr ignore;
		if (number_n(s + i, j - i, &v, &ignore) < 0)
			return 0;
		i = j;
	}
	return 1;
}

int parse_addr(const char *s, const struct pvmio_maps *m, uint64_t *out, struct perr *e)
{
	size_t len = strlen(s), pos = 0, terms = 0, oppos = 0;
	uint64_t acc = 0, first = 0, second = 0;
	int negative = 0;
	if (!len)
		return fail(e, "missing an address");
	for (;;) {
		uint64_t v;
		size_t end;
		if (pos == len || s[pos] == '+' || s[pos] == '-')
			return fail(e, "'%s': missing a number or name %s", s,
				    pos ? (negative ? "after '-'" : "after '+'") : "at the start");
		if (isdigit((unsigned char)s[pos])) {
			end = pos;
			while (end < len && s[end] != '+' && s[end] != '-')
				end++;
			if (number_n(s + pos, end - pos, &v, e) < 0)
				return -1;
		} else {
			/* Names may hold '-' and '+' (ld-linux-x86-64.so.2): take the
			 * longest prefix that names a mapping. */
			char *name = NULL;
			uint64_t lo = 0, hi;
			end = len;
			for (;;) {
				free(name);
				name = strndup(s + pos, end - pos);
				if (!name)
					return fail(e, "out of memory");
				struct perr ignore;
				if (resolve_name(m, name, &lo, &hi, &ignore) == 0)
					break;
				while (end > pos + 1 && s[end - 1] != '+' && s[end - 1] != '-')
					end--;
				if (end <= pos + 1) {
					/* None resolves: report the name the user meant,
					 * the text before its numeric offsets. */
					size_t cut = pos + 1;
					while (cut < len && !((s[cut] == '+' || s[cut] == '-') &&
							      numeric_tail(s + cut, len - cut)))
						cut++;
					free(name);
					name = strndup(s + pos, cut - pos);
					if (!name)
						return fail(e, "out of memory");
					resolve_name(m, name, &lo, &hi, e);
					free(name);
					return -1;
				}
				end--;
			}
			free(name);
			v = lo;
		}
		if (terms == 0)
			first = v;
		else if (terms == 1)
			second = v;
		terms++;
		if (!negative) {
			if (acc > UINT64_MAX - v)
				return fail(e, "'%s' passes the top of the address space (2^64)", s);
			acc += v;
		} else {
			if (v > acc) {
				if (terms == 2)
					return fail(e, "'%s' wraps below 0; for the range from %#" PRIx64 " to %#" PRIx64
						       ", write %.*s..%s",
						    s, first, second, (int)oppos, s, s + oppos + 1);
				return fail(e, "'%s' wraps below 0", s);
			}
			acc -= v;
		}
		pos = end;
		if (pos == len)
			break;
		negative = s[pos] == '-';
		oppos = pos++;
	}
	*out = acc;
	return 0;
}

int parse_range(const char *s, const struct pvmio_maps *m, struct range *out, struct perr *e)
{
	memset(out, 0, sizeof *out);
	uint64_t lo, hi;
	struct perr ignore;
	if (!isdigit((unsigned char)s[0]) && resolve_name(m, s, &lo, &hi, &ignore) == 0) {
		*out = (struct range){ lo, hi - lo, 1, 1 };
		return 0;
	}
	const char *dots = strstr(s, "..");
	const char *colon = strrchr(s, ':');
	if (dots || colon) {
		const char *sep = dots ? dots : colon;
		char *left = strndup(s, (size_t)(sep - s));
		if (!left)
			return fail(e, "out of memory");
		int rc = parse_addr(left, m, &lo, e);
		free(left);
		if (rc < 0)
			return -1;
		if (dots) {
			if (parse_addr(dots + 2, m, &hi, e) < 0)
				return -1;
			if (hi < lo)
				return fail(e, "'%s': the end %#" PRIx64 " is below the start %#" PRIx64, s, hi, lo);
			*out = (struct range){ lo, hi - lo, 1, 0 };
			return 0;
		}
		uint64_t len;
		if (parse_length(colon + 1, &len, e) < 0)
			return -1;
		if (len && lo > UINT64_MAX - (len - 1))
			return fail(e, "'%s' passes the top of the address space (2^64)", s);
		*out = (struct range){ lo, len, 1, 0 };
		return 0;
	}
	if (parse_addr(s, m, &lo, e) < 0)
		return -1;
	*out = (struct range){ lo, 0, 0, 0 };
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
	return fail(e, "unknown type '%s' (use u8 u16 u32 u64 i8 i16 i32 i64 f32 f64 ptr)", s);
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
		return fail(e, "unknown byte order '%s' (use little, big or native)", s);
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

int parse_value(const char *s, const struct vtype *t, int big, unsigned char *out, struct perr *e)
{
	uint64_t bits = 0;
	if (t->kind == V_FLOAT) {
		char *end;
		errno = 0;
		if (!s[0] || isspace((unsigned char)s[0]))
			return fail(e, "'%s' is not a number", s);
		if (t->size == 4) {
			/* strtof rounds once, to float: no double rounding. */
			float f = strtof(s, &end);
			if (*end)
				return fail(e, "'%s' is not a number", s);
			if (errno == ERANGE && isinf(f))
				return fail(e, "'%s' is out of range for %s", s, t->name);
			uint32_t u;
			memcpy(&u, &f, 4);
			bits = u;
		} else {
			double d = strtod(s, &end);
			if (*end)
				return fail(e, "'%s' is not a number", s);
			if (errno == ERANGE && isinf(d))
				return fail(e, "'%s' is out of range for %s", s, t->name);
			memcpy(&bits, &d, 8);
		}
	} else {
		int neg = s[0] == '-';
		uint64_t mag;
		if (t->kind != V_SIGNED && neg)
			return fail(e, "'%s' is out of range for %s (it is unsigned)", s, t->name);
		if (number_n(s + neg, strlen(s + neg), &mag, e) < 0)
			return fail(e, "'%s' is not a valid %s value", s, t->name);
		unsigned bitsz = t->size * 8;
		uint64_t umax = bitsz == 64 ? UINT64_MAX : ((uint64_t)1 << bitsz) - 1;
		if (t->kind == V_SIGNED) {
			uint64_t limit = (uint64_t)1 << (bitsz - 1);
			if ((neg && mag > limit) || (!neg && mag > limit - 1))
				return fail(e, "'%s' is out of range for %s (%s%" PRIu64 "..%" PRIu64 ")", s, t->name,
					    "-", limit, limit - 1);
			bits = neg ? (~mag + 1) & umax : mag;
		} else {
			if (mag > umax)
				return fail(e, "'%s' is out of range for %s (0..%" PRIu64 ")", s, t->name, umax);
			bits = mag;
		}
	}
	store_uint(out, bits, t->size, big);
	return 0;
}

/* Shared by hex data and find patterns; MASK NULL refuses "??". */
static int hex_bytes(const char *s, struct bytes *out, struct bytes *mask, struct perr *e)
{
	const char *p = s;
	int any = 0;
	while (*p) {
		if (isspace((unsigned char)*p) || *p == ',') {
			p++;
			continue;
		}
		if (p[0] == '\\' && (p[1] == 'x' || p[1] == 'X'))
			p += 2;
		else if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && hexval((unsigned char)p[2]) >= 0 &&
			 (p == s || isspace((unsigned char)p[-1]) || p[-1] == ','))
			p += 2;
		unsigned char b, m = 0xff;
		if (p[0] == '?' && p[1] == '?') {
			if (!mask)
				return fail(e, "'%s': '?" "?' (any byte) is only for find patterns", s);
			b = 0;
			m = 0;
		} else {
			int hi = hexval((unsigned char)p[0]), lo = hi >= 0 && p[1] ? hexval((unsigned char)p[1]) : -1;
			if (hi < 0 || lo < 0) {
				if (hi >= 0 && (!p[1] || isspace((unsigned char)p[1]) || p[1] == ','))
					return fail(e, "'%s': odd number of hex digits", s);
				char bad = hi < 0 ? p[0] : p[1];
				return fail(e, "'%s': '%c' is not a hex digit", s, bad);
			}
			b = (unsigned char)(hi << 4 | lo);
		}
		if (bytes_push(out, &b, 1) < 0 || (mask && bytes_push(mask, &m, 1) < 0))
			return fail(e, "out of memory");
		any = 1;
		p += 2;
	}
	if (!any)
		return fail(e, "'%s' holds no hex bytes", s);
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

/* Reads hex byte tokens ("4f", "??") separated by spaces from s until the
 * text column; xxd groups several bytes in one token. */
static int dump_bytes(const char *s, const char *end, int xxd, struct dump_line *out, struct perr *e)
{
	const char *p = s;
	while (p < end) {
		if (*p == ' ') {
			/* Two spaces end xxd's hex area; hexdump -C has two in the
			 * middle and ends at '|'. */
			if (xxd && p + 1 < end && p[1] == ' ')
				break;
			p++;
			continue;
		}
		if (*p == '|')
			break;
		while (p < end && *p != ' ') {
			if (p + 1 >= end)
				return fail(e, "odd number of hex digits");
			if (out->n >= DUMP_LINE_MAX)
				return fail(e, "more than %d bytes in one line", DUMP_LINE_MAX);
			if (p[0] == '?' && p[1] == '?') {
				out->bytes[out->n] = 0;
				out->valid[out->n++] = 0;
			} else {
				int hi = hexval((unsigned char)p[0]), lo = hexval((unsigned char)p[1]);
				if (hi < 0 || lo < 0)
					return fail(e, "'%c%c' is not a hex byte", p[0], p[1]);
				out->bytes[out->n] = (unsigned char)(hi << 4 | lo);
				out->valid[out->n++] = 1;
			}
			p += 2;
		}
	}
	return 0;
}

int parse_dump_line(const char *line, size_t len, struct dump_line *out, struct perr *e)
{
	out->kind = DL_BLANK;
	out->n = 0;
	out->addr = 0;
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	const char *p = line, *end = line + len;
	while (p < end && *p == ' ')
		p++;
	if (p == end)
		return 0;
	if (*p == '*' && (p + 1 == end || p[1] == ' ' || p[1] == '\n')) {
		out->kind = DL_REPEAT;
		return 0;
	}
	uint64_t addr = 0;
	const char *a = p;
	if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2, a = p;
	for (; p < end && hexval((unsigned char)*p) >= 0; p++) {
		if (addr >> 60)
			return fail(e, "address '%.*s' does not fit in 64 bits", (int)(p - a + 1), a);
		addr = addr << 4 | (uint64_t)hexval((unsigned char)*p);
	}
	if (p == a)
		return fail(e, "a dump line starts with its address in hex");
	out->addr = addr;
	int xxd = 0;
	if (p < end && *p == ':') {
		xxd = 1;
		p++;
	}
	if (p == end) {
		if (xxd)
			return fail(e, "no bytes after the address");
		out->kind = DL_END;
		return 0;
	}
	if (*p != ' ')
		return fail(e, "'%c' after the address; expected ':' (xxd) or spaces (hexdump -C)", *p);
	while (p < end && *p == ' ')
		p++;
	if (end - p >= 2 && p[0] == '*' && p[1] == '*') {
		out->kind = DL_SUMMARY;
		return 0;
	}
	out->kind = DL_DATA;
	return dump_bytes(p, end, xxd, out, e);
}
