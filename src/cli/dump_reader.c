/* The dump-line reader (dump_reader.h).  A line is taken only when it is
 * unambiguously one of the formats write -f xxd documents; the text
 * column is ignored, as xxd -r ignores it, except that a text column that
 * matches the hex only when read another way names that other way. */
#include "config.h"
#include "dump_reader.h"
#include "grammar.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define READS " (write -f xxd reads the lines of pvmio dump, xxd and hexdump -C)"

static int all_of(const char *p, const char *end, const char *set)
{
	for (; p < end; p++)
		if (!strchr(set, *p))
			return 0;
	return 1;
}

static int spaces(const char *p, const char *end)
{
	return all_of(p, end, " ");
}

/* The text column's character for a byte, as xxd and hexdump -C print it
 * (and pvmio, which shows an unreadable byte as a space). */
static char shown(unsigned char b, int valid)
{
	return !valid ? ' ' : b >= 0x20 && b < 0x7f ? (char)b : '.';
}

/* The bytes of a line, grouped as its tokens are. */
struct groups {
	size_t n;			/* tokens */
	size_t start[DUMP_LINE_MAX], len[DUMP_LINE_MAX];
	const char *end;		/* where the last token ends */
	int binary;			/* every token is eight binary digits */
};

/* A reading of the line's bytes, for comparing with its text column. */
enum reading { AS_IS, REVERSED, BINARY };

static char reading_char(const struct dump_line *l, const struct groups *g, enum reading how, size_t i)
{
	if (how == BINARY) {
		/* token i's eight digits, read as hex, are four bytes 0 or 1 in
		 * each nibble: put the bits back together */
		unsigned v = 0;
		for (size_t k = 0; k < 4; k++) {
			unsigned char b = l->bytes[g->start[i] + k];
			v = v << 2 | (unsigned)(b >> 4) << 1 | (b & 1u);
		}
		return shown((unsigned char)v, 1);
	}
	if (how == REVERSED) {
		size_t t = 0;
		while (g->start[t] + g->len[t] <= i)
			t++;
		i = g->start[t] + g->len[t] - 1 - (i - g->start[t]);
	}
	return shown(l->bytes[i], l->valid[i]);
}

/* Does TEXT (TLEN characters, possibly with its trailing blanks stripped
 * by an editor) show the N bytes of this reading? */
static int shows(const struct dump_line *l, const struct groups *g, enum reading how, size_t n, const char *text,
		 size_t tlen)
{
	if (tlen > n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char want = reading_char(l, g, how, i);
		if (i < tlen ? text[i] != want : want != ' ')
			return 0;
	}
	return 1;
}

/* The text column at the end of the line for N bytes after the hex that
 * ends at HEX_END: its last N characters after at least two blanks, or
 * (an editor stripped trailing blanks) all there is after two blanks. */
static int text_column(const char *hex_end, const char *end, size_t n, const char **text, size_t *tlen)
{
	size_t rem = (size_t)(end - hex_end);
	if (rem < 2 || hex_end[0] != ' ' || hex_end[1] != ' ')
		return 0;
	if (rem >= n + 2) {
		*text = end - n;
		*tlen = n;
		return spaces(hex_end, end - n);
	}
	*text = hex_end + 2;
	*tlen = rem - 2;
	return 1;
}

static int decimal_value(const char *digits, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (!n || n > 19 || !all_of(digits, digits + n, "0123456789"))
		return 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(digits[i] - '0');
	*out = v;
	return 1;
}

/* Lines that are not of a format write -f xxd reads: say what they look
 * like.  P is past the address (DIGITS long), at its first other char. */
static int refuse(const char *line, const char *end, const char *p, size_t digits, struct perr *e)
{
	const char *q = p;
	size_t sp = 0;
	while (q < end && *q == ' ')
		q++, sp++;
	const char *t = q;
	while (t < end && *t != ' ')
		t++;
	size_t tl = (size_t)(t - q);
	if (sp >= 1 && tl == 4 && all_of(q, t, "0123456789abcdefABCDEF"))
		return syntax_error(e, "this looks like od -x or hexdump without -C: 16-bit words, whose bytes would be read "
			       "swapped" READS);
	if (sp >= 1 && tl == 6 && all_of(q, t, "01234567"))
		return syntax_error(e, "this looks like od: octal words, octal offsets" READS);
	if (sp >= 1 && tl == 3 && all_of(q, t, "01234567"))
		return syntax_error(e, "this looks like od -b or hexdump -b: octal bytes" READS);
	if (sp == 1 && tl == 2 && all_of(q, t, "0123456789abcdefABCDEF"))
		return syntax_error(e, "this looks like od -t x1: no colon, and offsets in octal unless -A x" READS);
	if (sp >= 1 && tl == 1)
		return syntax_error(e, "this looks like od -c or hexdump -c: characters, not hex" READS);
	if ((p < end && *p == ',') || (tl > 3 && q[0] == '0' && q[1] == 'x' && t[-1] == ',') ||
	    (end - line > 9 && strncmp(line, "unsigned ", 9) == 0))
		return syntax_error(e, "this looks like a C array (xxd -i): give its bytes as hex DATA instead" READS);
	(void)digits;
	return syntax_error(e, "'%.*s%s' is not a dump line: an address in hex, then ':' (xxd) or two spaces "
		       "(hexdump -C)" READS,
		    (int)(end - line > 40 ? 40 : end - line), line, end - line > 40 ? "..." : "");
}

/* The hex pairs (or "??") of one token, appended to OUT. */
static int token_bytes(const char *t, size_t tl, struct dump_line *out, struct perr *e)
{
	if (tl % 2)
		return syntax_error(e, "'%.*s': an odd number of hex digits", (int)tl, t);
	for (size_t i = 0; i < tl; i += 2) {
		if (out->n >= DUMP_LINE_MAX)
			return syntax_error(e, "more than %d bytes in one line", DUMP_LINE_MAX);
		if (t[i] == '?' && t[i + 1] == '?') {
			out->bytes[out->n] = 0;
			out->valid[out->n++] = 0;
			continue;
		}
		int hi = hex_digit(t[i]), lo = hex_digit(t[i + 1]);
		if (hi < 0 || lo < 0)
			return syntax_error(e, "'%.*s' is not hex", (int)tl, t);
		out->bytes[out->n] = (unsigned char)(hi << 4 | lo);
		out->valid[out->n++] = 1;
	}
	return 0;
}

/* Reads xxd's groups from P: one blank between groups, two (or the end)
 * end them; with LOOSE any run of blanks separates them, as xxd -e pads
 * a short last group on the left. */
static int read_groups(const char *p, const char *end, int loose, struct dump_line *out, struct groups *g,
		       struct perr *e)
{
	out->n = 0;
	g->n = 0;
	g->binary = 1;
	g->end = p;
	while (p < end && *p != ' ') {
		const char *t = p;
		while (p < end && *p != ' ')
			p++;
		size_t tl = (size_t)(p - t), before = out->n;
		if (loose && !all_of(t, p, "0123456789abcdefABCDEF"))
			break;
		if (g->n >= DUMP_LINE_MAX)
			return syntax_error(e, "more than %d groups in one line", DUMP_LINE_MAX);
		g->binary &= tl == 8 && all_of(t, p, "01");
		if (token_bytes(t, tl, out, e) < 0)
			return -1;
		g->start[g->n] = before;
		g->len[g->n++] = out->n - before;
		g->end = p;
		const char *q = p;
		while (q < end && *q == ' ')
			q++;
		if (q - p == 1 || (loose && q < end))
			p = q;
	}
	return 0;
}

/* "ADDR: hhhh hhhh ...  text": P is past the ": ". */
/* xxd -e pads a short last line's groups on the left, so they are
 * parted by runs of blanks, the first too: does the line read that way,
 * with its text column showing each group's bytes reversed? */
static int xxd_e_short(const char *p, const char *end, const struct dump_line *out)
{
	struct dump_line loose = *out;
	struct groups g;
	struct perr ignore;
	const char *text;
	size_t tlen;
	while (p < end && *p == ' ')
		p++;
	return read_groups(p, end, 1, &loose, &g, &ignore) == 0 && g.n &&
	       text_column(g.end, end, loose.n, &text, &tlen) && shows(&loose, &g, REVERSED, loose.n, text, tlen);
}

static int xxd_line(const char *p, const char *end, struct dump_line *out, struct perr *e)
{
	struct groups g;
	if (*p == ' ' && xxd_e_short(p, end, out))
		return syntax_error(e, "this looks like xxd -e: little-endian groups, whose bytes would be read reversed" READS);
	if (read_groups(p, end, 0, out, &g, e) < 0)
		return -1;
	if (!g.n)
		return syntax_error(e, "no bytes after the address");
	for (size_t i = 1; i < g.n; i++)
		if (g.len[i] != g.len[0] && (i + 1 < g.n || g.len[i] > g.len[0]))
			return syntax_error(e, "groups of %zu and %zu bytes: an xxd line has groups of one size", g.len[0],
				    g.len[i]);
	const char *text;
	size_t tlen, rem = (size_t)(end - g.end);
	/* xxd -b: eight binary digits a byte.  Read as hex they would be four
	 * bytes a group, none of them a blank, with a text column as long. */
	if (g.binary && rem >= 2) {
		int hex_ok = rem >= out->n + 2 && text_column(g.end, end, out->n, &text, &tlen) &&
			     shows(out, &g, AS_IS, out->n, text, tlen);
		int bin_ok = text_column(g.end, end, g.n, &text, &tlen) && shows(out, &g, BINARY, g.n, text, tlen);
		if (rem < out->n + 2 || (bin_ok && !hex_ok))
			return syntax_error(e, "this looks like xxd -b: binary digits, not hex" READS);
	}
	if (rem >= 2) {
		if (!text_column(g.end, end, out->n, &text, &tlen)) {
			if (xxd_e_short(p, end, out))
				return syntax_error(e, "this looks like xxd -e: little-endian groups, whose bytes would be read "
					       "reversed" READS);
			return syntax_error(e, "after the hex, a text column of %zu characters (one a byte) or none", out->n);
		}
		/* xxd -e prints each group as a little-endian number: its text
		 * column shows the bytes only with each group reversed. */
		if (g.len[0] > 1 && shows(out, &g, REVERSED, out->n, text, tlen) &&
		    !shows(out, &g, AS_IS, out->n, text, tlen))
			return syntax_error(e, "this looks like xxd -e: little-endian groups, whose bytes would be read "
				       "reversed" READS);
	}
	out->kind = DL_DATA;
	return 0;
}

/* "ADDR  hh hh hh hh hh hh hh hh  hh ... hh  |text|": P is past the two
 * blanks after the address. */
static int canonical_line(const char *p, const char *end, struct dump_line *out, struct perr *e)
{
	while (p < end && *p != '|') {
		if (out->n == 16)
			return syntax_error(e, "more than 16 bytes in a hexdump -C line");
		if (end - p < 2)
			return syntax_error(e, "a hexdump -C line ends in its text column, |...|");
		if (token_bytes(p, 2, out, e) < 0)
			return -1;
		p += 2;
		/* One blank between pairs, two after the eighth; two or more
		 * before the text column. */
		const char *q = p;
		while (q < end && *q == ' ')
			q++;
		size_t gap = (size_t)(q - p);
		if (q < end && *q == '|') {
			if (gap < 2)
				return syntax_error(e, "two blanks before a hexdump -C line's text column");
		} else if (gap != (out->n == 8 ? 2u : 1u)) {
			return syntax_error(e, "not hexdump -C's layout: pairs of hex digits, one blank apart, two after the "
				       "eighth" READS);
		}
		p = q;
	}
	if (p == end)
		return syntax_error(e, "a hexdump -C line ends in its text column, |...|");
	if (!out->n)
		return syntax_error(e, "no bytes after the address");
	if (end - p != (ptrdiff_t)out->n + 2 || end[-1] != '|')
		return syntax_error(e, "the text column |...| of a hexdump -C line holds one character a byte: %zu here",
			    out->n);
	out->kind = DL_DATA;
	return 0;
}

/* pvmio's "** N bytes unreadable (...) **" after the address. */
static int is_summary(const char *p, const char *end)
{
	return end - p >= 2 && p[0] == '*' && p[1] == '*';
}

void dump_reader_init(struct dump_reader *r)
{
	memset(r, 0, sizeof *r);
}

int dump_reader_line(struct dump_reader *r, const char *line, size_t len, struct dump_line *out, struct perr *e)
{
	out->kind = DL_BLANK;
	out->n = 0;
	out->addr = 0;
	out->top = 0;
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	const char *p = line, *end = line + len;
	if (all_of(p, end, " \t"))
		return 0;
	if (*p == '*' && spaces(p + 1, end)) {
		if (!r->after_data)
			return syntax_error(e, "'*' repeats the line before it, and none comes before it");
		/* the next line's address jumps: no sign of xxd -d there */
		r->prev_data = 0;
		out->kind = DL_REPEAT;
		return 0;
	}
	if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	const char *digits = p;
	while (p < end && hex_digit(*p) >= 0)
		p++;
	size_t nd = (size_t)(p - digits), lead = 0;
	if (!nd)
		return refuse(line, end, p, 0, e);
	while (lead + 1 < nd && digits[lead] == '0')
		lead++;
	if (nd - lead > 16) {
		/* hexdump -C's closing line of a range that ends at 2^64 */
		int top = nd - lead == 17 && digits[lead] == '1' && all_of(digits + lead + 1, p, "0");
		if (p == end && top && r->last == STYLE_CANONICAL) {
			out->kind = DL_END;
			out->top = 1;
			return 0;
		}
		if (p == end)
			return syntax_error(e, "this looks like xxd -p: plain hex with no addresses; give it as hex DATA "
				       "instead" READS);
		return syntax_error(e, "the address '%.*s' does not fit in 64 bits", (int)nd, digits);
	}
	for (const char *q = digits; q < p; q++)
		out->addr = out->addr << 4 | (uint64_t)hex_digit(*q);
	int data = 0;
	if (p == end) {
		/* An address alone closes a hexdump -C dump. */
		if (r->last != STYLE_CANONICAL)
			return syntax_error(e, "an address alone closes a hexdump -C dump, and this follows none; if this is "
				       "xxd -p output (plain hex), give it as hex DATA instead" READS);
		out->kind = DL_END;
	} else if (*p == ':') {
		if (end - p < 3 || p[1] != ' ')
			return syntax_error(e, "no bytes after the address");
		p += 2;
		if (is_summary(p, end)) {
			out->kind = DL_SUMMARY;
		} else {
			if (xxd_line(p, end, out, e) < 0)
				return -1;
			/* xxd -d: offsets that count in decimal. */
			uint64_t dprev, dnow;
			if (r->prev_data && r->last == STYLE_XXD && out->addr != r->prev_addr + r->prev_n &&
			    decimal_value(r->prev_digits, strlen(r->prev_digits), &dprev) &&
			    decimal_value(digits, nd, &dnow) && dnow == dprev + r->prev_n)
				return syntax_error(e, "this looks like xxd -d: decimal offsets, not hex" READS);
			data = 1;
		}
		r->last = STYLE_XXD;
	} else if (end - p > 2 && p[0] == ' ' && p[1] == ' ' && p[2] != ' ') {
		p += 2;
		if (is_summary(p, end)) {
			out->kind = DL_SUMMARY;
		} else {
			if (canonical_line(p, end, out, e) < 0)
				return -1;
			data = 1;
		}
		r->last = STYLE_CANONICAL;
	} else {
		return refuse(line, end, p, nd, e);
	}
	r->after_data = data;
	r->prev_data = data;
	if (data) {
		r->prev_addr = out->addr;
		r->prev_n = out->n;
		snprintf(r->prev_digits, sizeof r->prev_digits, "%.*s", (int)nd, digits);
	}
	return 0;
}
