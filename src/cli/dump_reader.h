/* The dump-line reader, the inverse of the dumper: the lines of pvmio
 * dump (either style), xxd (-c, -g, -o, -u, -a) and hexdump -C, for
 * write -f xxd.  Any other dump format is refused, and named, rather
 * than misread: plain hexdump and od (words, octal offsets), xxd -e
 * (little-endian groups), xxd -b (binary digits), xxd -d (decimal
 * offsets), xxd -p and xxd -i.  Pure: the fuzzers drive it. */
#ifndef PVMIO_DUMP_READER_H
#define PVMIO_DUMP_READER_H

#include <stddef.h>
#include <stdint.h>

#include "perr.h"

enum dump_line_kind {
	DL_BLANK,	/* nothing to do */
	DL_DATA,	/* bytes at an address; valid[i] is 0 for "??" */
	DL_REPEAT,	/* "*": the previous line repeats up to the next address */
	DL_END,		/* hexdump -C's closing address line */
	DL_SUMMARY,	/* pvmio's "** N bytes unreadable **" line */
};
#define DUMP_LINE_MAX 256
struct dump_line {
	enum dump_line_kind kind;
	uint64_t addr;
	int top;	/* a closing line at 2^64, which addr cannot hold */
	size_t n;
	unsigned char bytes[DUMP_LINE_MAX];
	unsigned char valid[DUMP_LINE_MAX];
};

/* What the lines before told: some formats show only across lines. */
struct dump_reader {
	enum { STYLE_NONE, STYLE_XXD, STYLE_CANONICAL } last;
	int after_data;		/* the last line was data: a "*" may follow */
	int prev_data;		/* prev_* describe the last data line */
	uint64_t prev_addr;
	size_t prev_n;
	char prev_digits[24];
};
void dump_reader_init(struct dump_reader *r);
/* Reads one line (a trailing "\n" or "\r\n" is allowed); 0, or -1 with a
 * message that says what the line looks like. */
int dump_reader_line(struct dump_reader *r, const char *line, size_t len, struct dump_line *out, struct perr *e);

#endif
