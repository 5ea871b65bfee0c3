/* pvmio read PID RANGE...: the bytes of each range to stdout. */
#include "config.h"
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum format { F_RAW, F_HEX, F_XXD, F_CANONICAL, F_C, F_TYPED };
enum holes { HOLES_ERROR, HOLES_ZERO, HOLES_SKIP };

static char *opt_format, *opt_type, *opt_endian, *opt_count, *opt_length, *opt_holes;
static int opt_addresses, opt_force;

static struct poptOption options[] = {
	{ "format", 'f', POPT_ARG_STRING, &opt_format, 0, "raw (default), hex, xxd, canonical or c", "FORMAT" },
	{ "type", 't', POPT_ARG_STRING, &opt_type, 0, "print values: u8..u64, i8..i64, f32, f64, ptr", "TYPE" },
	{ "endian", 'e', POPT_ARG_STRING, &opt_endian, 0, "byte order of -t: little, big, native", "ORDER" },
	{ "count", 'c', POPT_ARG_STRING, &opt_count, 0, "values of -t to read at a bare ADDR (1)", "COUNT" },
	{ "length", 'n', POPT_ARG_STRING, &opt_length, 0, "bytes to read at a bare ADDR", "LEN" },
	{ "addresses", 'A', POPT_ARG_NONE, &opt_addresses, 0, "prefix each -t value with its address", NULL },
	{ "holes", '\0', POPT_ARG_STRING, &opt_holes, 0, "unreadable bytes: error (stop), zero or skip", "MODE" },
	{ "force", '\0', POPT_ARG_NONE, &opt_force, 0, "read through /proc/PID/mem (reaches PROT_NONE pages)", NULL },
	COMMON_OPTIONS,
	POPT_TABLEEND
};

static const char *const examples[] = {
	"pvmio read 1234 0x7ffd1000:64 > bytes.bin",
	"pvmio read -t u32 -c 4 -A 1234 '[heap]+0x40'",
	"pvmio read -f hex --holes=zero 1234 libc.so.6+0x1d2000:4k",
	NULL,
};

static const unsigned char zeros[64 << 10];

struct job {
	enum format format;
	enum holes holes;
	struct out out;
	struct dumper dumper;
	struct carray carray;
	struct typed typed;
	struct progress progress;
	uint64_t good_bytes, range_bytes;
	struct unreadable bad;
};

static void feed(struct job *j, const unsigned char *p, size_t n)
{
	switch (j->format) {
	case F_RAW:
		out_write(&j->out, p, n);
		break;
	case F_HEX:
		hex_data(&j->out, p, n);
		break;
	case F_XXD:
	case F_CANONICAL:
		dumper_data(&j->dumper, p, n);
		break;
	case F_C:
		carray_data(&j->carray, p, n);
		break;
	case F_TYPED:
		typed_data(&j->typed, p, n);
		break;
	}
}

static int on_chunk(void *ctx, const struct pvmio_chunk *c)
{
	struct job *j = ctx;
	if (c->data) {
		feed(j, c->data, (size_t)c->len);
		j->good_bytes += c->len;
		j->range_bytes += c->len;
	} else {
		unreadable_add(&j->bad, c);
		if (j->holes == HOLES_ERROR)
			return 1;
		for (uint64_t left = c->len; left && j->holes == HOLES_ZERO && !j->out.err;) {
			size_t n = left < sizeof zeros ? (size_t)left : sizeof zeros;
			feed(j, zeros, n);
			left -= n;
		}
		if (j->holes == HOLES_SKIP && j->format == F_TYPED)
			typed_skip(&j->typed, c->len);
	}
	progress_add(&j->progress, c->len);
	return j->out.err ? 2 : 0;
}

static int choose_format(struct job *j, int typed)
{
	static const char *const names[] = { "raw", "hex", "xxd", "canonical", "c" };
	if (!opt_format) {
		/* Binary to a terminal helps nobody: show the xxd view. */
		j->format = typed ? F_TYPED : isatty(1) ? F_XXD : F_RAW;
		return 0;
	}
	for (int i = 0; i < 5; i++) {
		if (strcmp(opt_format, names[i]) == 0) {
			j->format = (enum format)i;
			if (typed && j->format == F_HEX)
				j->format = F_TYPED;
			else if (typed) {
				cli_error("-t prints values, in decimal or with -f hex; -f %s prints bytes", opt_format);
				return EXIT_USAGE;
			}
			return 0;
		}
	}
	cli_error("unknown format '%s' (use raw, hex, xxd, canonical or c)", opt_format);
	return EXIT_USAGE;
}

int cmd_read(int argc, const char **argv)
{
	poptContext ctx;
	const char **args;
	int nargs;
	struct target t = { 0 };
	struct range *ranges = NULL;
	struct job j;
	memset(&j, 0, sizeof j);
	int status = cli_parse("read", argc, argv, options, "[OPTION...] PID RANGE...", examples, &ctx, &args, &nargs);
	if (status >= 0)
		goto out;
	status = EXIT_USAGE;
	if (nargs < 2) {
		cli_error(nargs ? "missing RANGE (see 'pvmio read --help')" : "missing PID and RANGE (see 'pvmio read --help')");
		goto out;
	}
	if (opt_holes) {
		if (strcmp(opt_holes, "error") == 0)
			j.holes = HOLES_ERROR;
		else if (strcmp(opt_holes, "zero") == 0)
			j.holes = HOLES_ZERO;
		else if (strcmp(opt_holes, "skip") == 0)
			j.holes = HOLES_SKIP;
		else {
			cli_error("unknown --holes mode '%s' (use error, zero or skip)", opt_holes);
			goto out;
		}
	}
	if (!opt_type && (opt_count || opt_endian || opt_addresses)) {
		cli_error("%s goes with -t TYPE", opt_count ? "-c" : opt_endian ? "-e" : "-A");
		goto out;
	}
	if (choose_format(&j, opt_type != NULL))
		goto out;
	struct perr e;
	struct range_defaults def = { .hint = ", -n LEN, or -t TYPE [-c COUNT]" };
	if (opt_length) {
		if (parse_length(opt_length, &def.len, &e) < 0) {
			usage_error(&e);
			goto out;
		}
		def.have_len = def.explicit_len = 1;
	}
	uint64_t count = 1;
	if (opt_count) {
		if (parse_number(opt_count, &count, &e) < 0 || count == 0) {
			cli_error(count ? "%s" : "-c: the count must be at least 1", e.msg);
			goto out;
		}
		if (opt_length) {
			cli_error("give either -n LEN or -c COUNT, not both");
			goto out;
		}
		def.explicit_len = 1;
	}

	status = target_open(&t, args[0], opt_force ? PVMIO_FORCE : 0);
	if (status)
		goto out;
	status = EXIT_USAGE;
	struct vtype vt = { 0 };
	int big = 0;
	if (opt_type) {
		if (typed_options(&t, opt_type, opt_endian, &vt, &big, &e) < 0) {
			usage_error(&e);
			goto out;
		}
		def.multiple = vt.size;
		if (!opt_length) {
			if (count > UINT64_MAX / vt.size) {
				cli_error("-c %s values of %s do not fit in 64 bits", opt_count, vt.name);
				goto out;
			}
			def.len = count * vt.size;
			def.have_len = 1;
		}
	}
	status = parse_ranges(&t, args + 1, nargs - 1, &def, &ranges);
	if (status)
		goto out;
	status = target_stop(&t);
	if (status)
		goto out;

	if (out_init(&j.out, 1) < 0) {
		cli_error("out of memory");
		status = EXIT_LOCAL;
		goto out;
	}
	dumper_init(&j.dumper, &j.out, j.format == F_CANONICAL ? DUMP_CANONICAL : DUMP_XXD, 16, 2, 0, 1, 0);
	uint64_t total = 0;
	for (int i = 0; i < nargs - 1; i++)
		total += ranges[i].len;
	progress_begin(&j.progress, total);
	int rc = 0;
	uint64_t stopped_at = 0;
	for (int i = 0; i < nargs - 1 && !rc; i++) {
		struct range *r = &ranges[i];
		if (j.format == F_XXD || j.format == F_CANONICAL)
			dumper_start(&j.dumper, r->addr);
		else if (j.format == F_C)
			carray_start(&j.carray, &j.out, r->addr);
		else if (j.format == F_TYPED)
			typed_start(&j.typed, &j.out, &vt, big, opt_format != NULL, opt_addresses, r->addr);
		j.range_bytes = 0;
		rc = pvmio_read_stream(t.h, r->addr, r->len, on_chunk, &j);
		stopped_at = r->addr;
		/* A range cut short by a hole still ends its line or array, so
		 * what was read stays well-formed; one that stopped at its
		 * first byte printed nothing, and prints nothing more. */
		if (rc && !j.range_bytes)
			continue;
		if (j.format == F_XXD || j.format == F_CANONICAL)
			dumper_finish(&j.dumper);
		else if (j.format == F_C)
			carray_finish(&j.carray);
		else if (j.format == F_HEX)
			out_write(&j.out, "\n", 1);
	}
	progress_end(&j.progress);
	dumper_free(&j.dumper);
	status = stream_outcome(&t, &j.out, rc, stopped_at);
	if (status < 0 && j.bad.bytes) {
		char where[512];
		describe_mapping(&t, j.bad.first, where, sizeof where);
		if (j.holes == HOLES_ERROR)
			cli_error("cannot read 0x%" PRIx64 ": %s%s%s; %s (--holes=zero or skip reads on)", j.bad.first, where,
				  j.bad.first_err == -EFAULT ? "" : ", ",
				  j.bad.first_err == -EFAULT ? "" : unreadable_reason(j.bad.first_err),
				  j.good_bytes ? "the bytes before it went to stdout" : "nothing went to stdout");
		else
			cli_error("%" PRIu64 " bytes unreadable, the first at 0x%" PRIx64 " (%s); %s", j.bad.bytes,
				  j.bad.first, unreadable_reason(j.bad.first_err),
				  j.holes == HOLES_ZERO ? "zeros stand in for them" : "they were left out");
		status = EXIT_MEMORY;
	} else if (status < 0) {
		status = EXIT_DONE;
	}
out:
	out_free(&j.out);
	free(ranges);
	target_close(&t);
	poptFreeContext(ctx);
	return status;
}
