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

static char *opt_format, *opt_count, *opt_length, *opt_holes;
static int opt_addresses, opt_json;

static struct poptOption options[] = {
	{ "format", 'f', POPT_ARG_STRING, &opt_format, 0, "raw (default), hex, xxd, canonical or c", "FORMAT" },
	TYPED_OPTIONS,
	{ "count", 'c', POPT_ARG_STRING, &opt_count, 0, "values of -t to read at a bare ADDR (1)", "COUNT" },
	{ "length", 'n', POPT_ARG_STRING, &opt_length, 0, "bytes to read at a bare ADDR", "LEN" },
	{ "addresses", 'A', POPT_ARG_NONE, &opt_addresses, 0, "prefix each -t value with its address", NULL },
	{ "json", '\0', POPT_ARG_NONE, &opt_json, 0, "each -t value as a JSON object a line", NULL },
	{ "holes", '\0', POPT_ARG_STRING, &opt_holes, 0, "unreadable bytes: error (stop), zero or skip", "MODE" },
	FORCE_OPTION,
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
	struct json json;
	struct vtype vt;
	int big;
};

/* Whether J's format is one of the dumper's. */
static int dumps(const struct job *j)
{
	return j->format == F_XXD || j->format == F_CANONICAL;
}

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

static void range_begin(void *ctx, const struct range *r)
{
	struct job *j = ctx;
	if (dumps(j))
		dumper_start(&j->dumper, r->addr);
	else if (j->format == F_C)
		carray_start(&j->carray, &j->out, r->addr);
	else if (j->format == F_TYPED) {
		typed_start(&j->typed, &j->out, &j->vt, j->big, opt_format != NULL, opt_addresses, r->addr);
		if (opt_json)
			j->typed.json = &j->json;
	}
}

static int piece(void *ctx, const struct pvmio_chunk *c)
{
	struct job *j = ctx;
	if (c->data) {
		feed(j, c->data, (size_t)c->len);
		return 0;
	}
	if (j->holes == HOLES_ERROR)
		return 1;
	for (uint64_t left = c->len; left && j->holes == HOLES_ZERO && !j->out.err;) {
		size_t n = left < sizeof zeros ? (size_t)left : sizeof zeros;
		feed(j, zeros, n);
		left -= n;
	}
	if (j->holes == HOLES_SKIP && j->format == F_TYPED)
		typed_skip(&j->typed, c->len);
	return 0;
}

/* A range cut short by a hole still ends its line or array, so that what
 * was read stays well-formed; one that stopped at its first byte printed
 * nothing, and prints nothing more. */
static void range_end(void *ctx, const struct range *r, int whole, uint64_t bytes)
{
	struct job *j = ctx;
	(void)r;
	if (!whole && !bytes)
		return;
	if (dumps(j))
		dumper_finish(&j->dumper);
	else if (j->format == F_C)
		carray_finish(&j->carray);
	else if (j->format == F_HEX)
		out_write(&j->out, "\n", 1);
}

static const struct read_ops ops = { range_begin, piece, range_end };

static int choose_format(struct job *j, int typed_values)
{
	static const char *const names[] = { "raw", "hex", "xxd", "canonical", "c" };
	if (!opt_format) {
		/* Binary to a terminal helps nobody: show the xxd view. */
		j->format = typed_values ? F_TYPED : isatty(1) ? F_XXD : F_RAW;
		return 0;
	}
	for (int i = 0; i < 5; i++) {
		if (strcmp(opt_format, names[i]) == 0) {
			j->format = (enum format)i;
			if (typed_values && j->format == F_HEX)
				j->format = F_TYPED;
			else if (typed_values) {
				cli_error("-t prints values, in decimal or with -f hex; -f %s prints bytes", opt_format);
				return EXIT_USAGE;
			}
			return 0;
		}
	}
	cli_error("unknown format '%s' (use raw, hex, xxd, canonical or c)", opt_format);
	return EXIT_USAGE;
}

static int choose_holes(struct job *j)
{
	static const char *const names[] = { "error", "zero", "skip" };
	if (!opt_holes)
		return 0;
	for (int i = 0; i < 3; i++) {
		if (strcmp(opt_holes, names[i]) == 0) {
			j->holes = (enum holes)i;
			return 0;
		}
	}
	cli_error("unknown --holes mode '%s' (use error, zero or skip)", opt_holes);
	return EXIT_USAGE;
}

/* How a bare ADDR gets its length: -n LEN, or -c COUNT (with -t).  These
 * are usage errors that need no process, so they come first. */
static int length_options(struct range_defaults *def, uint64_t *count)
{
	struct perr e;
	*count = 1;
	if (opt_length) {
		if (parse_length(opt_length, &def->len, &e) < 0)
			return report_perr(&e);
		def->have_len = def->explicit_len = 1;
	}
	if (opt_count) {
		if (parse_number(opt_count, count, &e) < 0)
			return report_perr(&e);
		if (*count == 0) {
			cli_error("-c: the count must be at least 1");
			return EXIT_USAGE;
		}
		if (opt_length) {
			cli_error("give either -n LEN or -c COUNT, not both");
			return EXIT_USAGE;
		}
		def->explicit_len = 1;
	}
	return 0;
}

/* -t TYPE, whose ptr is the target's pointer width: each length a whole
 * number of values, and a bare ADDR COUNT of them. */
static int typed_length(const struct target *t, struct job *j, struct range_defaults *def, uint64_t count)
{
	struct perr e;
	if (!typed.type)
		return 0;
	if (value_type(t, typed.type, typed.endian, &j->vt, &j->big, &e) < 0)
		return report_perr(&e);
	def->multiple = j->vt.size;
	if (!opt_length) {
		if (count > UINT64_MAX / j->vt.size) {
			cli_error("-c %s values of %s do not fit in 64 bits", opt_count, j->vt.name);
			return EXIT_USAGE;
		}
		def->len = count * j->vt.size;
		def->have_len = 1;
	}
	return 0;
}

static int run(const struct invocation *inv)
{
	struct target t = { 0 };
	struct range *ranges = NULL;
	struct job j;
	memset(&j, 0, sizeof j);
	int status = choose_holes(&j);
	if (status)
		goto out;
	if (!typed.type && (opt_count || typed.endian || opt_addresses || opt_json)) {
		cli_error("%s goes with -t TYPE",
			  opt_count ? "-c" : typed.endian ? "-e" : opt_addresses ? "-A" : "--json");
		status = EXIT_USAGE;
		goto out;
	}
	status = choose_format(&j, typed.type != NULL);
	if (status)
		goto out;
	struct range_defaults def = { .hint = ", -n LEN, or -t TYPE [-c COUNT]" };
	uint64_t count;
	status = length_options(&def, &count);
	if (status)
		goto out;
	status = target_begin(&t, inv->args[0]);
	if (status)
		goto out;
	status = typed_length(&t, &j, &def, count);
	if (status)
		goto out;
	status = ranges_from_args(&t, inv->args + 1, inv->nargs - 1, &def, &ranges);
	if (status)
		goto out;
	status = stdout_open(&j.out);
	if (status)
		goto out;
	struct dump_options dopt = { .style = j.format == F_CANONICAL ? DUMP_CANONICAL : DUMP_XXD,
				     .cols = 16,
				     .group = 2,
				     .squeeze = 1 };
	dumper_init(&j.dumper, &j.out, &dopt);
	json_init(&j.json, &j.out);
	struct read_job rj = { .t = &t,
			       .ranges = ranges,
			       .nranges = inv->nargs - 1,
			       .out = &j.out,
			       .doing = "read",
			       .ops = &ops,
			       .ctx = &j,
			       /* Raw bytes into a pipe cost pvmio little, and
				* the pipe's reader needs the other CPU: 1 GiB
				* into cat took 0.30-0.36 s without read-ahead,
				* 0.35-0.43 s with it.  A dumper that formats on
				* two CPUs wants no third thread. */
			       .ahead = !(j.format == F_RAW && j.out.pipe) &&
					!(dumps(&j) && j.dumper.split) };
	status = read_ranges(&rj);
	dumper_free(&j.dumper);
	if (status >= 0)
		goto out;
	status = EXIT_DONE;
	if (!rj.bad.bytes)
		goto out;
	status = EXIT_MEMORY;
	if (j.holes != HOLES_ERROR) {
		cli_error("%" PRIu64 " bytes unreadable, the first at 0x%" PRIx64 " (%s); %s", rj.bad.bytes, rj.bad.first,
			  unreadable_reason(rj.bad.first_err),
			  j.holes == HOLES_ZERO ? "zeros stand in for them" : "they were left out");
		goto out;
	}
	char where[512];
	describe_mapping(&t, rj.bad.first, where, sizeof where);
	cli_error("cannot read 0x%" PRIx64 ": %s%s%s; %s (--holes=zero or skip reads on)", rj.bad.first, where,
		  rj.bad.first_err == -EFAULT ? "" : ", ", rj.bad.first_err == -EFAULT ? "" : unreadable_reason(rj.bad.first_err),
		  rj.readable ? "the bytes before it went to stdout" : "nothing went to stdout");
out:
	out_free(&j.out);
	free(ranges);
	target_close(&t);
	return status;
}

const struct command cmd_read = {
	.name = "read",
	.run = run,
	.options = options,
	.synopsis = "PID RANGE...",
	.examples = examples,
	.summary = "copy the bytes of ranges to stdout",
};
