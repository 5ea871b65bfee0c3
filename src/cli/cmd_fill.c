/* pvmio fill PID RANGE PATTERN: a pattern repeated over a range. */
#include "config.h"
#include "cli.h"

#include <stdlib.h>

static char *opt_type, *opt_endian, *opt_string;
static int opt_nul, opt_force, opt_verify;

static struct poptOption options[] = {
	{ "type", 't', POPT_ARG_STRING, &opt_type, 0, "the PATTERN is a VALUE of TYPE", "TYPE" },
	{ "endian", 'e', POPT_ARG_STRING, &opt_endian, 0, "byte order of -t: little, big, native", "ORDER" },
	{ "string", 's', POPT_ARG_STRING, &opt_string, 0, "the pattern is the bytes of STRING", "STRING" },
	{ "nul", 'z', POPT_ARG_NONE, &opt_nul, 0, "with -s, add a NUL byte to the pattern", NULL },
	{ "force", '\0', POPT_ARG_NONE, &opt_force, 0, "write read-only private pages, as debuggers do", NULL },
	{ "verify", '\0', POPT_ARG_NONE, &opt_verify, 0, "read back and compare", NULL },
	COMMON_OPTIONS,
	POPT_TABLEEND
};

static const char *const examples[] = {
	"pvmio fill 1234 0x7f0000000000:1M 00",
	"pvmio fill -t f32 1234 '[heap]+64:256' 1.5",
	"pvmio fill -s 'ab' 1234 0x601000..0x602000",
	NULL,
};

#define SLICE ((uint64_t)64 << 20)

int cmd_fill(int argc, const char **argv)
{
	poptContext ctx;
	const char **args;
	int nargs;
	struct target t = { 0 };
	struct bytes pat = { 0 };
	struct range *r = NULL;
	int status = cli_parse("fill", argc, argv, options, "[OPTION...] PID RANGE PATTERN", examples, &ctx, &args, &nargs);
	if (status >= 0)
		goto out;
	status = EXIT_USAGE;
	if (nargs < 2) {
		cli_error(nargs ? "missing RANGE and PATTERN (see 'pvmio fill --help')"
				: "missing PID, RANGE and PATTERN (see 'pvmio fill --help')");
		goto out;
	}
	status = target_open(&t, args[0], opt_force ? PVMIO_FORCE : 0);
	if (status)
		goto out;
	struct perr e;
	struct data_options d = { opt_type, opt_endian, opt_string, opt_nul };
	if (data_from_args(&t, &d, args + 2, nargs - 2, &pat, &e) < 0) {
		status = usage_error(&e);
		goto out;
	}
	if (!pat.len) {
		cli_error("the pattern is empty: fill repeats at least one byte");
		status = EXIT_USAGE;
		goto out;
	}
	struct range_defaults def = { 0 };
	status = parse_ranges(&t, args + 1, 1, &def, &r);
	if (status)
		goto out;
	status = target_maps(&t);
	if (status)
		goto out;
	status = check_writable(&t, r->addr, r->len, opt_force, 0);
	if (status)
		goto out;
	cli_catch_interrupts();
	status = target_stop(&t);
	if (status)
		goto out;
	struct progress prog;
	progress_begin(&prog, r->len);
	/* Slices of whole pattern copies keep the phase and let progress move. */
	uint64_t slice = SLICE / pat.len ? SLICE / pat.len * pat.len : pat.len;
	uint64_t done = 0;
	while (done < r->len) {
		if (cli_interrupted) {
			progress_end(&prog);
			status = report_interrupted(done, r->addr + done);
			goto out;
		}
		uint64_t n = r->len - done < slice ? r->len - done : slice;
		ssize_t got = pvmio_fill(t.h, r->addr + done, n, pat.p, pat.len);
		if (got > 0)
			done += (uint64_t)got;
		if (got < 0 || (uint64_t)got < n) {
			progress_end(&prog);
			status = report_write_stopped(&t, (int)(got < 0 ? got : 0), done, r->addr + done);
			goto out;
		}
		progress_add(&prog, n);
	}
	progress_end(&prog);
	status = opt_verify ? verify_written(&t, r->addr, r->len, pat.p, pat.len) : EXIT_DONE;
out:
	free(r);
	bytes_free(&pat);
	target_close(&t);
	poptFreeContext(ctx);
	return status;
}
