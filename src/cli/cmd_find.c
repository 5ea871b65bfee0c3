/* pvmio find PID PATTERN [RANGE...]: the address of every match. */
#include "config.h"
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static char *opt_type, *opt_endian, *opt_string, *opt_align, *opt_max;
static int opt_nul, opt_force;

static struct poptOption options[] = {
	{ "type", 't', POPT_ARG_STRING, &opt_type, 0, "the PATTERN is a VALUE of TYPE", "TYPE" },
	{ "endian", 'e', POPT_ARG_STRING, &opt_endian, 0, "byte order of -t: little, big, native", "ORDER" },
	{ "string", 's', POPT_ARG_STRING, &opt_string, 0, "search for the bytes of STRING (no NUL)", "STRING" },
	{ "nul", 'z', POPT_ARG_NONE, &opt_nul, 0, "with -s, the string ends in a NUL byte", NULL },
	{ "align", '\0', POPT_ARG_STRING, &opt_align, 0, "only matches at multiples of N", "N" },
	{ "max-count", 'm', POPT_ARG_STRING, &opt_max, 0, "stop after N matches", "N" },
	{ "force", '\0', POPT_ARG_NONE, &opt_force, 0, "read through /proc/PID/mem (reaches PROT_NONE pages)", NULL },
	COMMON_OPTIONS,
	POPT_TABLEEND
};

static const char *const examples[] = {
	"pvmio find 1234 'de ad ?? ef'",
	"pvmio find -t u32 --align 4 1234 1000000 '[heap]'",
	"pvmio find -m 1 -s 'password=' 1234",
	NULL,
};

#define PATTERN_MAX ((size_t)64 << 10)

struct finder {
	const unsigned char *pat, *mask;
	size_t len;
	int literal;
	size_t anchor_off, anchor_len;	/* the longest run without "??" */
	uint64_t align, max, found;
	struct out out;
	struct progress progress;
	unsigned char carry[2 * PATTERN_MAX];
	size_t carry_len;
	uint64_t carry_addr;
	struct unreadable bad;
};

static int matches_at(const struct finder *f, const unsigned char *p)
{
	for (size_t i = 0; i < f->len; i++)
		if ((p[i] & f->mask[i]) != f->pat[i])
			return 0;
	return 1;
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
		char line[24];
		int k = snprintf(line, sizeof line, "0x%" PRIx64 "\n", addr + s);
		out_write(&f->out, line, (size_t)k);
		if (++f->found == f->max)
			return 1;
	}
	return 0;
}

static int on_chunk(void *ctx, const struct pvmio_chunk *c)
{
	struct finder *f = ctx;
	progress_add(&f->progress, c->len);
	if (!c->data) {
		unreadable_add(&f->bad, c);
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
	return f->out.err ? 2 : 0;
}

int cmd_find(int argc, const char **argv)
{
	poptContext ctx;
	const char **args;
	int nargs;
	struct target t = { 0 };
	struct bytes pat = { 0 }, mask = { 0 };
	struct range *ranges = NULL;
	struct finder *f = calloc(1, sizeof *f);
	int status = cli_parse("find", argc, argv, options, "[OPTION...] PID PATTERN [RANGE...]", examples, &ctx, &args,
			       &nargs);
	if (status >= 0)
		goto out;
	status = EXIT_USAGE;
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
	int first_range = opt_string ? 1 : 2;
	if (nargs < first_range) {
		cli_error(nargs ? "missing PATTERN (see 'pvmio find --help')" : "missing PID and PATTERN (see 'pvmio find --help')");
		goto out;
	}
	status = target_open(&t, args[0], opt_force ? PVMIO_FORCE : 0);
	if (status)
		goto out;
	status = EXIT_USAGE;
	if (opt_string || opt_type) {
		struct data_options d = { opt_type, opt_endian, opt_string, opt_nul };
		if (data_from_args(&t, &d, args + 1, first_range - 1, &pat, &e) < 0) {
			status = usage_error(&e);
			goto out;
		}
		unsigned char all = 0xff;
		for (size_t i = 0; i < pat.len; i++) {
			if (bytes_push(&mask, &all, 1) < 0) {
				nomem(&e);
				status = usage_error(&e);
				goto out;
			}
		}
	} else if (opt_endian || opt_nul) {
		cli_error("%s", opt_endian ? "-e goes with -t TYPE" : "-z goes with -s STRING");
		goto out;
	} else if (parse_hex_pattern(args[1], &pat, &mask, &e) < 0) {
		status = usage_error(&e);
		goto out;
	}
	if (!pat.len) {
		cli_error("the pattern is empty: give at least one byte");
		goto out;
	}
	if (pat.len > PATTERN_MAX) {
		cli_error("the pattern is %zu bytes; find takes at most %zu", pat.len, PATTERN_MAX);
		goto out;
	}
	f->pat = pat.p;
	f->mask = mask.p;
	f->len = pat.len;
	f->literal = 1;
	for (size_t i = 0, run = 0; i < pat.len; i++) {
		run = mask.p[i] ? run + 1 : 0;
		f->literal &= mask.p[i] == 0xff;
		if (run > f->anchor_len) {
			f->anchor_len = run;
			f->anchor_off = i + 1 - run;
		}
	}
	int nranges = nargs - first_range;
	if (nranges) {
		struct range_defaults def = { 0 };
		status = parse_ranges(&t, args + first_range, nranges, &def, &ranges);
		if (status)
			goto out;
	} else {
		status = target_maps(&t);
		if (status)
			goto out;
		ranges = all_readable(t.maps, opt_force, &nranges);
	}
	status = target_stop(&t);
	if (status)
		goto out;
	if (!ranges || out_init(&f->out, 1) < 0) {
		cli_error("out of memory");
		status = EXIT_LOCAL;
		goto out;
	}
	uint64_t total = 0;
	for (int i = 0; i < nranges; i++)
		total += ranges[i].len;
	progress_begin(&f->progress, total);
	int rc = 0;
	uint64_t at = 0;
	for (int i = 0; i < nranges && !rc; i++) {
		f->carry_len = 0;
		at = ranges[i].addr;
		rc = pvmio_read_stream(t.h, ranges[i].addr, ranges[i].len, on_chunk, f);
	}
	progress_end(&f->progress);
	status = stream_outcome(&t, &f->out, rc, at);
	if (status < 0) {
		if (f->bad.bytes && (nargs > first_range || common.verbose))
			cli_error("%" PRIu64 " bytes could not be searched, the first at 0x%" PRIx64 " (%s)", f->bad.bytes,
				  f->bad.first, unreadable_reason(f->bad.first_err));
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
	poptFreeContext(ctx);
	return status;
}
