/* pvmio dump PID [RANGE...]: the hex view people read. */
#include "config.h"
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *opt_length, *opt_cols, *opt_group, *opt_color;
static int opt_autoskip, opt_canonical, opt_no_squeezing, opt_force;

static struct poptOption options[] = {
	{ "length", 'n', POPT_ARG_STRING, &opt_length, 0, "bytes to dump at a bare ADDR (256)", "LEN" },
	{ "cols", 'c', POPT_ARG_STRING, &opt_cols, 0, "bytes a line, as xxd -c (16, at most 256)", "COLS" },
	{ "groupsize", 'g', POPT_ARG_STRING, &opt_group, 0, "bytes a group, as xxd -g (2)", "BYTES" },
	{ "autoskip", 'a', POPT_ARG_NONE, &opt_autoskip, 0, "collapse runs of zero lines, as xxd -a", NULL },
	{ "canonical", 'C', POPT_ARG_NONE, &opt_canonical, 0, "hexdump -C style", NULL },
	{ "no-squeezing", 'v', POPT_ARG_NONE, &opt_no_squeezing, 0, "with -C, show repeated lines", NULL },
	{ "color", '\0', POPT_ARG_STRING, &opt_color, 0, "colour byte classes: auto, always, never", "WHEN" },
	{ "force", '\0', POPT_ARG_NONE, &opt_force, 0, "read through /proc/PID/mem (reaches PROT_NONE pages)", NULL },
	COMMON_OPTIONS,
	POPT_TABLEEND
};

static const char *const examples[] = {
	"pvmio dump 1234 '[stack]+0x100'",
	"pvmio dump -C 1234 libc.so.6:512",
	"pvmio dump 1234 0x7f0000:64 > f; $EDITOR f; pvmio write -f xxd 1234 < f",
	NULL,
};

struct job {
	struct dumper dumper;
	struct out out;
	struct progress progress;
	struct unreadable bad;
};

static int on_chunk(void *ctx, const struct pvmio_chunk *c)
{
	struct job *j = ctx;
	if (c->data) {
		dumper_data(&j->dumper, c->data, (size_t)c->len);
	} else {
		unreadable_add(&j->bad, c);
		dumper_hole(&j->dumper, c->len, c->err);
	}
	progress_add(&j->progress, c->len);
	return j->out.err ? 2 : 0;
}

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

int cmd_dump(int argc, const char **argv)
{
	poptContext ctx;
	const char **args;
	int nargs;
	struct target t = { 0 };
	struct range *ranges = NULL;
	struct job j;
	memset(&j, 0, sizeof j);
	int status = cli_parse("dump", argc, argv, options, "[OPTION...] PID [RANGE...]", examples, &ctx, &args, &nargs);
	if (status >= 0)
		goto out;
	status = EXIT_USAGE;
	if (nargs < 1) {
		cli_error("missing PID (see 'pvmio dump --help')");
		goto out;
	}
	unsigned cols = 16, group = 2;
	if (opt_canonical && (opt_cols || opt_group || opt_autoskip)) {
		cli_error("-c, -g and -a are for the xxd style; -C lines always hold 16 bytes");
		goto out;
	}
	if (opt_no_squeezing && !opt_canonical) {
		cli_error("-v goes with -C (the xxd style never squeezes; -a collapses zero lines)");
		goto out;
	}
	if ((opt_cols && small_number(opt_cols, "-c", 1, 256, &cols) < 0) ||
	    (opt_group && small_number(opt_group, "-g", 0, 256, &group) < 0))
		goto out;
	int color = 0;
	if (!opt_color || strcmp(opt_color, "auto") == 0) {
		const char *no = getenv("NO_COLOR");
		color = isatty(1) && !(no && *no);
	} else if (strcmp(opt_color, "always") == 0) {
		color = 1;
	} else if (strcmp(opt_color, "never") != 0) {
		cli_error("unknown --color value '%s' (use auto, always or never)", opt_color);
		goto out;
	}
	struct perr e;
	struct range_defaults def = { .have_len = 1, .len = 256 };
	if (opt_length) {
		if (parse_length(opt_length, &def.len, &e) < 0) {
			usage_error(&e);
			goto out;
		}
		def.explicit_len = 1;
	}

	status = target_open(&t, args[0], opt_force ? PVMIO_FORCE : 0);
	if (status)
		goto out;
	/* Without a RANGE, every readable mapping, as find searches them. */
	int nranges = nargs - 1;
	if (nranges) {
		status = parse_ranges(&t, args + 1, nranges, &def, &ranges);
		if (status)
			goto out;
	} else if ((status = target_maps(&t)) != 0) {
		goto out;
	} else if (!(ranges = all_readable(t.maps, opt_force, &nranges))) {
		status = EXIT_LOCAL;
		goto out;
	}
	status = target_stop(&t);
	if (status)
		goto out;
	if (out_init(&j.out, 1) < 0) {
		cli_error("out of memory");
		status = EXIT_LOCAL;
		goto out;
	}
	dumper_init(&j.dumper, &j.out, opt_canonical ? DUMP_CANONICAL : DUMP_XXD, cols, group, opt_autoskip,
		    !opt_no_squeezing, color);
	uint64_t total = 0;
	for (int i = 0; i < nranges; i++)
		total += ranges[i].len;
	progress_begin(&j.progress, total);
	int rc = 0;
	uint64_t at = 0;
	for (int i = 0; i < nranges && !rc; i++) {
		dumper_start(&j.dumper, ranges[i].addr);
		at = ranges[i].addr;
		rc = pvmio_read_stream(t.h, ranges[i].addr, ranges[i].len, on_chunk, &j);
		dumper_finish(&j.dumper);
	}
	progress_end(&j.progress);
	dumper_free(&j.dumper);
	status = stream_outcome(&t, &j.out, rc, at);
	if (status < 0 && j.bad.bytes) {
		cli_error("%" PRIu64 " bytes in %" PRIu64 " run%s could not be read, the first at 0x%" PRIx64 " (%s)",
			  j.bad.bytes, j.bad.runs, j.bad.runs == 1 ? "" : "s", j.bad.first, unreadable_reason(j.bad.first_err));
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
