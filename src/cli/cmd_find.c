/* pvmio find PID PATTERN [RANGE...]: the address of every match. */
#include "config.h"
#include "cli.h"
#include "search.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

static char *opt_align, *opt_max, *opt_at;
static int opt_where, opt_json;
/* The comparisons with a snapshot: the values that changed since it... */
static char *opt_than[4];
enum { THAN_CHANGED, THAN_UNCHANGED, THAN_INCREASED, THAN_DECREASED };
static const char *const than_names[] = { "--changed", "--unchanged", "--increased", "--decreased" };

static struct poptOption options[] = {
	TYPED_OPTIONS,
	STRING_OPTIONS,
	{ "align", '\0', POPT_ARG_STRING, &opt_align, 0, "only matches at multiples of N", "N" },
	{ "max-count", 'm', POPT_ARG_STRING, &opt_max, 0, "stop after N matches", "N" },
	{ "where", '\0', POPT_ARG_NONE, &opt_where, 0, "say what each match is, as pvmio where", NULL },
	{ "json", '\0', POPT_ARG_NONE, &opt_json, 0, "each match as a JSON object a line, as where --json", NULL },
	SELECT_OPTIONS,
	{ "at", '\0', POPT_ARG_STRING, &opt_at, 0, "check only the addresses listed in FILE (- for stdin)", "FILE" },
	{ "changed", '\0', POPT_ARG_STRING, &opt_than[THAN_CHANGED], 0,
	  "no PATTERN: -t values that differ from SNAPSHOT's (a core file or PID)", "SNAPSHOT" },
	{ "unchanged", '\0', POPT_ARG_STRING, &opt_than[THAN_UNCHANGED], 0, "... that equal SNAPSHOT's", "SNAPSHOT" },
	{ "increased", '\0', POPT_ARG_STRING, &opt_than[THAN_INCREASED], 0, "... that are above SNAPSHOT's",
	  "SNAPSHOT" },
	{ "decreased", '\0', POPT_ARG_STRING, &opt_than[THAN_DECREASED], 0, "... that are below SNAPSHOT's",
	  "SNAPSHOT" },
	FORCE_OPTION,
	COMMON_OPTIONS,
	POPT_TABLEEND
};

static const char *const examples[] = {
	"pvmio find 1234 'de ad ?? ef'",
	"pvmio find -t i32 1234 100 > hits; pvmio find -t i32 --at hits 1234 99",
	"pvmio find --json -s 'password=' 1234 | jq -r .mapping",
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
	struct json json;	/* --json */
	unsigned char carry[2 * PATTERN_MAX];
	size_t carry_len;
	uint64_t carry_addr;
	/* --changed and the others: the snapshot, its bytes, the test */
	struct target *snap;
	unsigned char *snap_buf;
	int than, big;
	struct vtype vt;
	uint64_t not_compared;
	int snap_err;	/* the snapshot failed (its process exited...) */
};

/* Does the value NOW at an address pass the test against THEN, the
 * snapshot's?  changed and unchanged compare bits, as diff does. */
static int than_holds(const struct finder *f, const unsigned char *now, const unsigned char *then)
{
	switch (f->than) {
	case THAN_CHANGED:
		return memcmp(now, then, f->vt.size) != 0;
	case THAN_UNCHANGED:
		return memcmp(now, then, f->vt.size) == 0;
	case THAN_INCREASED:
		return value_compare(&f->vt, f->big, now, then) == 1;
	default:
		return value_compare(&f->vt, f->big, now, then) == -1;
	}
}

static int matches_at(const struct finder *f, const unsigned char *p)
{
	for (size_t i = 0; i < f->len; i++)
		if ((p[i] & f->mask[i]) != f->pat[i])
			return 0;
	return 1;
}

/* A match as pvmio where prints it, or with --json as where --json does.
 * Symbols that cannot be read are said once, and the lines go on
 * without them. */
static void tell_place(struct finder *f, uint64_t addr)
{
	struct place p;
	struct perr e;
	if (place_of(f->where, addr, &p, &e) < 0 && !f->where_failed) {
		f->where_failed = 1;
		cli_error("%s; the matches are shown without symbols", e.msg);
	}
	if (opt_json) {
		json_object(&f->json);
		place_json(&f->json, &p);
		json_end(&f->json);
		json_newline(&f->json);
		return;
	}
	char line[PLACE_LINE_MAX];
	place_line(&p, line, sizeof line);
	out_str(&f->out, line);
	out_str(&f->out, "\n");
}

/* One match: its address, or with --where what it is. */
static void report_match(struct finder *f, uint64_t addr)
{
	if (f->where) {
		tell_place(f, addr);
		return;
	}
	char line[24];
	int k = snprintf(line, sizeof line, "0x%" PRIx64 "\n", addr);
	out_write(&f->out, line, (size_t)k);
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
			const unsigned char *hit = search_simd(buf + i + f->anchor_off, n - i - f->anchor_off,
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
		report_match(f, addr + s);
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

/* Values at multiples of --align (the type's size unless given) wholly
 * inside what both hold. */
static int than_both(void *ctx, uint64_t addr, const unsigned char *now, const unsigned char *then, size_t n)
{
	struct finder *f = ctx;
	uint64_t size = f->vt.size, end = addr + n;
	uint64_t at = addr % f->align ? addr + (f->align - addr % f->align) : addr;
	for (; at < end && end - at >= size; at += f->align) {
		if (!than_holds(f, now + (at - addr), then + (at - addr)))
			continue;
		report_match(f, at);
		if (++f->found == f->max)
			return 1;
	}
	return 0;
}

static void than_missing(void *ctx, uint64_t addr, uint64_t len, int err)
{
	struct finder *f = ctx;
	(void)addr;
	(void)err;
	f->not_compared += len;
}

static const struct paired_ops than_ops = { than_both, than_missing };

static int piece(void *ctx, const struct pvmio_chunk *c)
{
	struct finder *f = ctx;
	if (f->snap && c->data) {
		int rc = read_paired(f->snap, f->snap_buf, c, &than_ops, f);
		if (rc < 0)
			f->snap_err = rc;
		return rc != 0;
	}
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

/* The value of "address" in LINE, a line of find --json (or where
 * --json), as the word to parse; the line itself where it has none, so
 * that the error quotes it. */
static char *json_address(char *line)
{
	char *key = strstr(line, "\"address\":");
	if (!key)
		return line;
	char *v = key + strlen("\"address\":");
	v += strspn(v, " ");
	if (*v != '"')
		return line;
	v++;
	v[strcspn(v, "\"")] = '\0';
	return v;
}

/* Addresses checked by one vectored read. */
#define AT_BATCH 256

/* --at: the addresses listed in IN (each line's first word, as find and
 * find --where print them, or its "address" as find --json does), each checked against the pattern now, in a
 * vectored read a batch; one that cannot be read does not match.  0, or
 * an exit status (reported). */
static int find_at(struct target *t, struct finder *f, FILE *in, const char *name, uint64_t *unreadable)
{
	unsigned char *buf = malloc(2 * AT_BATCH * f->len), *then = buf + AT_BATCH * f->len;
	uint64_t addrs[AT_BATCH];
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	int status = buf ? 0 : EXIT_LOCAL, eof = 0;
	if (!buf)
		cli_error("out of memory");
	while (!status && !eof && f->found < f->max) {
		size_t n = 0;
		while (n < AT_BATCH && !status) {
			if (getline(&line, &cap, in) < 0) {
				eof = 1;
				break;
			}
			lineno++;
			char *word = line + strspn(line, " \t");
			if (*word == '{')
				word = json_address(word);
			word[strcspn(word, " \t\n")] = '\0';
			struct perr e;
			if (!*word)
				continue;
			if (parse_number(word, &addrs[n], &e) < 0) {
				cli_error("%s, line %lu: %s", name, lineno, e.msg);
				status = EXIT_USAGE;
			} else if (addrs[n] % f->align == 0 && addrs[n] <= UINT64_MAX - (f->len - 1)) {
				n++;
			}
		}
		/* one read for the batch; where it stops short, the address
		 * there is unreadable and the rest are read on */
		for (size_t i = 0; i < n && !status;) {
			struct iovec local[AT_BATCH];
			struct pvmio_span remote[AT_BATCH];
			size_t k = n - i;
			for (size_t j = 0; j < k; j++) {
				local[j] = (struct iovec){ buf + j * f->len, f->len };
				remote[j] = (struct pvmio_span){ addrs[i + j], f->len };
			}
			ssize_t got = pvmio_readv(t->h, local, k, remote, k);
			if (got == -ESRCH || got == -ENOMEM || got == -EPERM || got == -ENOSYS) {
				status = report_memory_error(t, (int)got, addrs[i], "search");
				break;
			}
			size_t whole = got > 0 ? (size_t)got / f->len : 0;
			if (f->snap && whole) {
				/* the snapshot's values at the same addresses */
				for (size_t j = 0; j < whole; j++)
					local[j].iov_base = then + j * f->len;
				ssize_t was = pvmio_readv(f->snap->h, local, whole, remote, whole);
				if (was == -ESRCH || was == -ENOMEM || was == -EPERM) {
					status = report_memory_error(f->snap, (int)was, addrs[i], "compare");
					break;
				}
				whole = was > 0 ? (size_t)was / f->len : 0;
			}
			for (size_t j = 0; j < whole && f->found < f->max; j++) {
				const unsigned char *now = buf + j * f->len;
				if (f->snap ? than_holds(f, now, then + j * f->len) : matches_at(f, now)) {
					report_match(f, addrs[i + j]);
					f->found++;
				}
			}
			*unreadable += whole < k;
			i += whole + (whole < k);
		}
		if (f->out.err)
			break;
	}
	if (!status && ferror(in)) {
		cli_error("cannot read %s: %s", name, strerror(errno));
		status = EXIT_LOCAL;
	}
	free(line);
	free(buf);
	return status;
}

/* --changed SNAPSHOT and the others: which one, the snapshot opened and
 * the finder set for -t values; 0, or an exit status (reported). */
static int than_begin(struct target *t, struct target *snap, struct finder *f)
{
	int n = 0;
	for (int i = 0; i < 4; i++)
		if (opt_than[i]) {
			f->than = i;
			n++;
		}
	if (n > 1) {
		cli_error("give one of --changed, --unchanged, --increased and --decreased");
		return EXIT_USAGE;
	}
	if (!typed.type || str.string) {
		cli_error("%s compares values: give -t TYPE (and no -s or PATTERN)", than_names[f->than]);
		return EXIT_USAGE;
	}
	struct perr e;
	if (value_type(t, typed.type, typed.endian, &f->vt, &f->big, &e) < 0)
		return report_perr(&e);
	int status = target_begin(snap, opt_than[f->than]);
	if (status)
		return status;
	if (snap->ptrsize != t->ptrsize) {
		cli_error("%s is a %d-bit program and %s a %d-bit one: their values do not compare", t->label,
			  t->ptrsize * 8, snap->label, snap->ptrsize * 8);
		return EXIT_USAGE;
	}
	f->snap = snap;
	f->len = f->vt.size;
	/* A scan takes aligned values; --at takes the addresses it lists. */
	if (!opt_align && !opt_at)
		f->align = f->vt.size;
	f->snap_buf = malloc((size_t)1 << 20);
	if (!f->snap_buf) {
		cli_error("out of memory");
		return EXIT_LOCAL;
	}
	return 0;
}

static int comparing(void)
{
	return opt_than[0] || opt_than[1] || opt_than[2] || opt_than[3];
}

static int run(const struct invocation *inv)
{
	struct target t = { 0 }, snap = { 0 };
	struct bytes pat = { 0 }, mask = { 0 };
	struct range *ranges = NULL;
	FILE *at = NULL;
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
	int first_range = str.string || comparing() ? 1 : 2;
	if (opt_at && (inv->nargs > first_range || sel.perms || sel.names)) {
		cli_error("--at checks the addresses it lists: give no RANGE, --perms or --name");
		goto out;
	}
	if (opt_at && !(at = strcmp(opt_at, "-") ? fopen(opt_at, "r") : stdin)) {
		cli_error("cannot open %s: %s", opt_at, strerror(errno));
		status = EXIT_LOCAL;
		goto out;
	}
	status = target_begin(&t, inv->args[0]);
	if (status)
		goto out;
	status = comparing() ? than_begin(&t, &snap, f) : pattern(&t, inv, &pat, &mask, f);
	if (status)
		goto out;
	if (opt_where || opt_json) {
		status = target_maps(&t);
		if (status)
			goto out;
		f->where = &t;
	}
	json_init(&f->json, &f->out);
	if (at) {
		uint64_t unreadable = 0;
		status = stdout_open(&f->out);
		if (!status)
			status = find_at(&t, f, at, strcmp(opt_at, "-") ? opt_at : "stdin", &unreadable);
		if (!status && unreadable)
			cli_verbose("%" PRIu64 " listed addresses could not be read: not matches", unreadable);
		if (!status)
			status = stdout_close(&f->out, f->found ? EXIT_DONE : EXIT_MEMORY);
		goto out;
	}
	int nranges;
	struct range_defaults def = { 0 };
	status = ranges_or_readable(&t, inv->args + first_range, inv->nargs - first_range, &def, &ranges, &nranges);
	if (status)
		goto out;
	status = stdout_open(&f->out);
	if (status)
		goto out;
	struct read_job j = { .t = &t,
			      .ranges = ranges,
			      .nranges = nranges,
			      .out = &f->out,
			      .doing = "search",
			      .ops = &ops,
			      .ctx = f,
			      /* --where looks up places through the handle */
			      .ahead = !f->where };
	status = read_ranges(&j);
	if (status < 0 && f->snap_err) {
		status = report_memory_error(&snap, f->snap_err, j.at, "compare");
	} else if (status < 0) {
		/* The default search meets holes as a matter of course. */
		if (j.bad.bytes && (inv->nargs > first_range || common.verbose))
			report_unreadable(&j, "searched");
		if (f->not_compared && (inv->nargs > first_range || common.verbose))
			cli_error("%" PRIu64 " bytes not compared: %s does not hold them", f->not_compared,
				  snap.label);
		status = f->found ? EXIT_DONE : EXIT_MEMORY;
	}
out:
	if (at && at != stdin)
		fclose(at);
	free(ranges);
	if (f) {
		out_free(&f->out);
		free(f->snap_buf);
	}
	free(f);
	bytes_free(&pat);
	bytes_free(&mask);
	target_close(&snap);
	target_close(&t);
	return status;
}

static int needed(void)
{
	return str.string || comparing() ? 1 : 2;
}


const struct command cmd_find = {
	.name = "find",
	.run = run,
	.options = options,
	.synopsis = "PID PATTERN [RANGE...]",
	.string_for = "PATTERN",
	.needed = needed,
	.examples = examples,
	.summary = "print the address of every match of a pattern",
};
