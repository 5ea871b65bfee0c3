/* pvmio dump PID [RANGE...]: the hex view people read. */
#include "config.h"
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *opt_length, *opt_cols, *opt_group, *opt_color;
static int opt_autoskip, opt_canonical, opt_no_squeezing;

static struct poptOption options[] = {
	{ "length", 'n', POPT_ARG_STRING, &opt_length, 0, "bytes to dump at a bare ADDR (256)", "LEN" },
	{ "cols", 'c', POPT_ARG_STRING, &opt_cols, 0, "bytes a line, as xxd -c (16, at most 256)", "COLS" },
	{ "groupsize", 'g', POPT_ARG_STRING, &opt_group, 0, "bytes a group, as xxd -g (2)", "BYTES" },
	{ "autoskip", 'a', POPT_ARG_NONE, &opt_autoskip, 0, "collapse runs of zero lines, as xxd -a", NULL },
	{ "canonical", 'C', POPT_ARG_NONE, &opt_canonical, 0, "hexdump -C style", NULL },
	{ "no-squeezing", 'v', POPT_ARG_NONE, &opt_no_squeezing, 0, "with -C, show repeated lines", NULL },
	{ "color", '\0', POPT_ARG_STRING, &opt_color, 0, "colour byte classes: auto, always, never", "WHEN" },
	SELECT_OPTIONS,
	FORCE_OPTION,
	COMMON_OPTIONS,
	POPT_TABLEEND
};

static const char *const examples[] = {
	"pvmio dump 1234 '[stack]+0x100'",
	"pvmio dump -C 1234 libc.so.6:512",
	"pvmio dump 1234 0x7f0000:64 > f; $EDITOR f; pvmio write -f xxd 1234 < f",
	NULL,
};

static void range_begin(void *ctx, const struct range *r)
{
	dumper_start(ctx, r->addr);
}

static int piece(void *ctx, const struct pvmio_chunk *c)
{
	if (c->data)
		dumper_data(ctx, c->data, (size_t)c->len);
	else
		dumper_hole(ctx, c->len, c->err);
	return 0;
}

static void range_end(void *ctx, const struct range *r, int whole, uint64_t bytes)
{
	(void)r;
	(void)whole;
	(void)bytes;
	dumper_finish(ctx);
}

static const struct read_ops ops = { range_begin, piece, range_end };

static int small_number(const char *s, const char *what, unsigned lo, unsigned hi, unsigned *out)
{
	struct perr e;
	uint64_t v;
	if (parse_number(s, &v, &e) < 0) {
		cli_error("%s: %s", what, e.msg);
		return -1;
	}
	if (v < lo || v > hi) {
		cli_error("%s: %" PRIu64 " is out of range (%u..%u)", what, v, lo, hi);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* The dump's layout from the options; 0 or EXIT_USAGE (reported). */
static int layout(struct dump_options *opt)
{
	*opt = (struct dump_options){ .style = opt_canonical ? DUMP_CANONICAL : DUMP_XXD,
				      .cols = 16,
				      .group = 2,
				      .autoskip = opt_autoskip,
				      .squeeze = !opt_no_squeezing };
	if (opt_canonical && (opt_cols || opt_group || opt_autoskip)) {
		cli_error("-c, -g and -a are for the xxd style; -C lines always hold 16 bytes");
		return EXIT_USAGE;
	}
	if (opt_no_squeezing && !opt_canonical) {
		cli_error("-v goes with -C (the xxd style never squeezes; -a collapses zero lines)");
		return EXIT_USAGE;
	}
	if ((opt_cols && small_number(opt_cols, "-c", 1, DUMP_COLS_MAX, &opt->cols) < 0) ||
	    (opt_group && small_number(opt_group, "-g", 0, DUMP_COLS_MAX, &opt->group) < 0))
		return EXIT_USAGE;
	if (!opt_color || strcmp(opt_color, "auto") == 0) {
		const char *no = getenv("NO_COLOR");
		opt->color = isatty(1) && !(no && *no);
	} else if (strcmp(opt_color, "always") == 0) {
		opt->color = 1;
	} else if (strcmp(opt_color, "never") != 0) {
		cli_error("unknown --color value '%s' (use auto, always or never)", opt_color);
		return EXIT_USAGE;
	}
	return 0;
}

static int run(const struct invocation *inv)
{
	struct target t = { 0 };
	struct range *ranges = NULL;
	struct dumper dumper;
	struct out out = { 0 };
	struct dump_options opt;
	memset(&dumper, 0, sizeof dumper);
	int status = layout(&opt);
	if (status)
		goto out;
	struct perr e;
	struct range_defaults def = { .have_len = 1, .len = 256 };
	if (opt_length) {
		if (parse_length(opt_length, &def.len, &e) < 0) {
			status = report_perr(&e);
			goto out;
		}
		def.explicit_len = 1;
	}
	status = target_begin(&t, inv->args[0]);
	if (status)
		goto out;
	int nranges;
	status = ranges_or_readable(&t, inv->args + 1, inv->nargs - 1, &def, &ranges, &nranges);
	if (status)
		goto out;
	status = stdout_open(&out);
	if (status)
		goto out;
	dumper_init(&dumper, &out, &opt);
	struct read_job j = { .t = &t,
			      .ranges = ranges,
			      .nranges = nranges,
			      .out = &out,
			      .doing = "dump",
			      .ops = &ops,
			      .ctx = &dumper,
			      /* a dumper that formats on two CPUs wants no
			       * third thread */
			      .ahead = !dumper.split };
	status = read_ranges(&j);
	if (status < 0 && j.bad.bytes) {
		report_unreadable(&j, "read");
		status = EXIT_MEMORY;
	} else if (status < 0) {
		status = EXIT_DONE;
	}
out:
	dumper_free(&dumper);
	out_free(&out);
	free(ranges);
	target_close(&t);
	return status;
}

const struct command cmd_dump = {
	.name = "dump",
	.run = run,
	.options = options,
	.synopsis = "PID [RANGE...]",
	.examples = examples,
	.summary = "hex dump, as xxd (or hexdump -C with -C)",
};
