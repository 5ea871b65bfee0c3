/* pvmio find PID PATTERN [RANGE...]: the address of every match. */
#include "config.h"
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static char *opt_align, *opt_max;
static int opt_where;

static struct poptOption options[] = {
	TYPED_OPTIONS,
	STRING_OPTIONS,
	{ "align", '\0', POPT_ARG_STRING, &opt_align, 0, "only matches at multiples of N", "N" },
	{ "max-count", 'm', POPT_ARG_STRING, &opt_max, 0, "stop after N matches", "N" },
	{ "where", '\0', POPT_ARG_NONE, &opt_where, 0, "say what each match is, as pvmio where", NULL },
	FORCE_OPTION,
	COMMON_OPTIONS,
	POPT_TABLEEND
};

static const char *const examples[] = {
	"pvmio find 1234 'de ad ?? ef'",
	"pvmio find -t u32 --align 4 1234 1000000 '[heap]'",
	"pvmio find --where -m 1 -s 'password=' 1234",
	NULL,
};

#define PATTERN_MAX ((size_t)64 << 10)

struct finder {
	const unsigned char *pat, *mask;
	size_t len;
	int literal;
	size_t anchor_off, anchor_len;	/* the longest run without "??" */
	uint64_t align, max, found;
	struct target *where;	/* --where: the target whose places to tell */
	int where_failed;
	struct out out;
	unsigned char carry[2 * PATTERN_MAX];
	size_t carry_len;
	uint64_t carry_addr;
};

static int matches_at(const struct finder *f, const unsigned char *p)
{
	for (size_t i = 0; i < f->len; i++)
		if ((p[i] & f->mask[i]) != f->pat[i])
			return 0;
	return 1;
}

/* A match as pvmio where prints it.  Symbols that cannot be read are
 * said once, and the lines go on with "-" for the symbol. */
static void tell_place(struct finder *f, uint64_t addr)
{
	struct place p;
	struct perr e;
	if (place_of(f->where, addr, &p, &e) < 0 && !f->where_failed) {
		f->where_failed = 1;
		cli_error("%s; the matches are shown without symbols", e.msg);
	}
	char line[1200];
	place_line(&p, line, sizeof line);
	out_str(&f->out, line);
	out_str(&f->out, "\n");
}

/* Reports matches that start in buf[0..limit) and end within buf[0..n);
 * returns 1 once -m is reached. */
static int scan(struct finder *f, const unsigned char *buf, size_t n, uint64_t addr, size_t limit)
{
	size_t i = 0;
	if (n < f->len)
		return 0;
	if (limit > n - f->len + 1)
		limit = n - f->len + 1;
	while (i < limit) {
		size_t s;
		if (f->anchor_len) {
			const unsigned char *hit = memmem(buf + i + f->anchor_off, n - i - f->anchor_off,
							  f->pat + f->anchor_off, f->anchor_len);
			if (!hit)
				break;
			s = (size_t)(hit - buf) - f->anchor_off;
			if (s >= limit)
				break;
			if (!f->literal && !matches_at(f, buf + s)) {
				i = s + 1;
				continue;
			}
		} else {
			s = i;	/* all wildcards: every position matches */
		}
		i = s + 1;
		if ((addr + s) % f->align)
			continue;
		if (f->where) {
			tell_place(f, addr + s);
		} else {
			char line[24];
			int k = snprintf(line, sizeof line, "0x%" PRIx64 "\n", addr + s);
			out_write(&f->out, line, (size_t)k);
		}
		if (++f->found == f->max)
			return 1;
	}
	return 0;
}

static void range_begin(void *ctx, const struct range *r)
{
	struct finder *f = ctx;
	(void)r;
	f->carry_len = 0;
}

static int piece(void *ctx, const struct pvmio_chunk *c)
{
	struct finder *f = ctx;
	if (!c->data) {
		f->carry_len = 0;
		return 0;
	}
	const unsigned char *p = c->data;
	size_t n = (size_t)c->len, keep = f->len - 1;
	/* Matches that straddle the previous chunk and this one. */
	if (f->carry_len && f->carry_addr + f->carry_len == c->addr) {
		size_t take = n < keep ? n : keep;
		memcpy(f->carry + f->carry_len, p, take);
		if (scan(f, f->carry, f->carry_len + take, f->carry_addr, f->carry_len))
			return 1;
	} else {
		f->carry_len = 0;
	}
	if (scan(f, p, n, c->addr, n))
		return 1;
	/* Keep the last len-1 bytes of the stream for the next chunk. */
	if (n >= keep) {
		memcpy(f->carry, p + n - keep, keep);
		f->carry_len = keep;
	} else {
		size_t total = f->carry_len + n, drop = total > keep ? total - keep : 0;
		memmove(f->carry, f->carry + drop, f->carry_len - drop);
		memcpy(f->carry + f->carry_len - drop, p, n);
		f->carry_len = total - drop;
	}
	f->carry_addr = c->addr + n - f->carry_len;
	return 0;
}

static const struct read_ops ops = { range_begin, piece, NULL };

/* The pattern: hex with "??", or -t VALUE or -s STRING (all literal),
 * and the longest literal run in it, which memmem looks for. */
static int pattern(struct target *t, const struct invocation *inv, struct bytes *pat, struct bytes *mask,
		   struct finder *f)
{
	struct perr e;
	if (str.string || typed.type) {
		if (data_from_args(t, inv->args + 1, str.string ? 0 : 1, pat, &e) < 0)
			return report_perr(&e);
		unsigned char all = 0xff;
		for (size_t i = 0; i < pat->len; i++) {
			if (bytes_push(mask, &all, 1) < 0) {
				nomem(&e);
				return report_perr(&e);
			}
		}
	} else if (typed.endian || str.nul) {
		cli_error("%s", typed.endian ? "-e goes with -t TYPE" : "-z goes with -s STRING");
		return EXIT_USAGE;
	} else if (parse_hex_pattern(inv->args[1], pat, mask, &e) < 0) {
		return report_perr(&e);
	}
	if (!pat->len) {
		cli_error("the pattern is empty: give at least one byte");
		return EXIT_USAGE;
	}
	if (pat->len > PATTERN_MAX) {
		cli_error("the pattern is %zu bytes; find takes at most %zu", pat->len, PATTERN_MAX);
		return EXIT_USAGE;
	}
	f->pat = pat->p;
	f->mask = mask->p;
	f->len = pat->len;
	f->literal = 1;
	for (size_t i = 0, run = 0; i < pat->len; i++) {
		run = mask->p[i] ? run + 1 : 0;
		f->literal &= mask->p[i] == 0xff;
		if (run > f->anchor_len) {
			f->anchor_len = run;
			f->anchor_off = i + 1 - run;
		}
	}
	return 0;
}

static int run(const struct invocation *inv)
{
	struct target t = { 0 };
	struct bytes pat = { 0 }, mask = { 0 };
	struct range *ranges = NULL;
	struct finder *f = calloc(1, sizeof *f);
	int status = EXIT_USAGE;
	if (!f) {
		cli_error("out of memory");
		status = EXIT_LOCAL;
		goto out;
	}
	f->align = 1;
	f->max = UINT64_MAX;
	struct perr e;
	if ((opt_align && (parse_length(opt_align, &f->align, &e) < 0 || !f->align)) ||
	    (opt_max && (parse_number(opt_max, &f->max, &e) < 0 || !f->max))) {
		cli_error("%s", opt_align && !f->align ? "--align must be at least 1"
				: opt_max && !f->max	? "-m must be at least 1"
							: e.msg);
		goto out;
	}
	int first_range = str.string ? 1 : 2;
	status = target_open(&t, inv->args[0], opt_force ? PVMIO_FORCE : 0);
	if (status)
		goto out;
	/* Stopped first, so names and pointer chains resolve in memory
	 * that cannot change before the job. */
	status = target_stop(&t);
	if (status)
		goto out;
	status = pattern(&t, inv, &pat, &mask, f);
	if (status)
		goto out;
	int nranges;
	struct range_defaults def = { 0 };
	status = ranges_or_readable(&t, inv->args + first_range, inv->nargs - first_range, &def, &ranges, &nranges);
	if (status)
		goto out;
	if (opt_where) {
		status = target_maps(&t);
		if (status)
			goto out;
		f->where = &t;
	}
	if (out_init(&f->out, 1) < 0) {
		cli_error("out of memory");
		status = EXIT_LOCAL;
		goto out;
	}
	struct read_job j = { .t = &t,
			      .ranges = ranges,
			      .nranges = nranges,
			      .out = &f->out,
			      .doing = "search",
			      .ops = &ops,
			      .ctx = f };
	status = read_ranges(&j);
	if (status < 0) {
		/* The default search meets holes as a matter of course. */
		if (j.bad.bytes && (inv->nargs > first_range || common.verbose))
			report_unreadable(&j, "searched");
		status = f->found ? EXIT_DONE : EXIT_MEMORY;
	}
out:
	free(ranges);
	if (f)
		out_free(&f->out);
	free(f);
	bytes_free(&pat);
	bytes_free(&mask);
	target_close(&t);
	return status;
}


const struct command cmd_find = {
	.name = "find",
	.run = run,
	.options = options,
	.synopsis = "PID PATTERN [RANGE...]",
	.string_for = "PATTERN",
	.examples = examples,
	.summary = "print the address of every match of a pattern",
};
