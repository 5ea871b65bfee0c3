/* pvmio fill PID RANGE PATTERN: a pattern repeated over a range. */
#include "config.h"
#include "cli.h"

#include <stdlib.h>

static int opt_verify;

static struct poptOption options[] = {
	TYPED_OPTIONS,
	STRING_OPTIONS,
	FORCE_OPTION,
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

/* Slices of whole pattern copies, about 64 MiB: progress moves and an
 * interrupt is seen between them. */
#define SLICE ((uint64_t)64 << 20)

static int run(const struct invocation *inv)
{
	struct target t = { 0 };
	struct bytes pat = { 0 };
	struct range *r = NULL;
	int status = target_begin_live(&t, inv->args[0]);
	if (status)
		goto out;
	struct perr e;
	if (data_from_args(&t, inv->args + 2, inv->nargs - 2, &pat, &e) < 0) {
		status = report_perr(&e);
		goto out;
	}
	if (!pat.len) {
		cli_error("the pattern is empty: fill repeats at least one byte");
		status = EXIT_USAGE;
		goto out;
	}
	struct range_defaults def = { 0 };
	status = ranges_from_args(&t, inv->args + 1, 1, &def, &r);
	if (status)
		goto out;
	status = target_maps(&t);
	if (status)
		goto out;
	status = check_writable(&t, r->addr, r->len, opt_force, 0);
	if (status)
		goto out;
	cli_catch_interrupts();
	struct progress prog;
	progress_begin(&prog, r->len);
	/* Whole pattern copies a slice keep the phase. */
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
	return status;
}


const struct command cmd_fill = {
	.name = "fill",
	.run = run,
	.options = options,
	.synopsis = "PID RANGE PATTERN",
	.string_for = "PATTERN",
	.examples = examples,
	.summary = "repeat a pattern over a range",
};
