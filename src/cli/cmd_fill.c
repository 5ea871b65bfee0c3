/* pvmio fill PID RANGE PATTERN: a pattern repeated over a range. */
#include "config.h"
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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

static int verify(struct target *t, uint64_t addr, uint64_t len, const struct bytes *pat)
{
	size_t chunk = (size_t)1 << 20;
	unsigned char *buf = malloc(chunk);
	if (!buf) {
		cli_error("out of memory");
		return EXIT_LOCAL;
	}
	int status = 0;
	for (uint64_t off = 0; off < len && !status;) {
		size_t n = len - off < chunk ? (size_t)(len - off) : chunk;
		ssize_t got = pvmio_pread(t->h, buf, n, addr + off);
		if (got < (ssize_t)n) {
			cli_error("--verify: cannot read back 0x%" PRIx64, addr + off + (uint64_t)(got > 0 ? got : 0));
			status = EXIT_MEMORY;
			break;
		}
		for (size_t i = 0; i < n; i++) {
			unsigned char want = pat->p[(off + i) % pat->len];
			if (buf[i] != want) {
				cli_error("--verify: 0x%" PRIx64 " holds 0x%02x, not the 0x%02x written", addr + off + i,
					  buf[i], want);
				status = EXIT_MEMORY;
				break;
			}
		}
		off += n;
	}
	free(buf);
	return status;
}

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
	struct range_defaults def = { 0 };
	status = parse_ranges(&t, args + 1, 1, &def, &r);
	if (status)
		goto out;
	status = target_maps(&t);
	if (status)
		goto out;
	uint64_t bad;
	int rc = pvmio_maps_check(t.maps, r->addr, r->len, opt_force ? "" : "w", &bad);
	if (rc < 0) {
		char where[512];
		describe_mapping(&t, bad, where, sizeof where);
		cli_error("cannot write 0x%" PRIx64 ": %s%s; nothing was written%s", bad, where,
			  rc == -EACCES ? ", which is not writable" : "",
			  rc == -EACCES ? " (--force writes read-only private pages, as debuggers do)" : "");
		status = EXIT_MEMORY;
		goto out;
	}
	status = target_stop(&t);
	if (status)
		goto out;
	struct progress prog;
	progress_begin(&prog, r->len);
	/* Slices of whole pattern copies keep the phase and let progress move. */
	uint64_t slice = SLICE / pat.len ? SLICE / pat.len * pat.len : pat.len;
	uint64_t done = 0;
	while (done < r->len) {
		uint64_t n = r->len - done < slice ? r->len - done : slice;
		ssize_t got = pvmio_fill(t.h, r->addr + done, n, pat.p, pat.len);
		if (got > 0)
			done += (uint64_t)got;
		if (got < 0 || (uint64_t)got < n) {
			progress_end(&prog);
			if (got == -ESRCH || pvmio_check_alive(t.h) < 0) {
				cli_error("process %d exited; %" PRIu64 " bytes were written, up to 0x%" PRIx64 ", nothing more",
					  (int)t.pid, done, r->addr + done);
				status = EXIT_PROCESS;
			} else {
				char where[512];
				target_refresh_maps(&t);
				describe_mapping(&t, r->addr + done, where, sizeof where);
				cli_error("the target changed: %" PRIu64 " bytes were written; stopped at 0x%" PRIx64 ", now %s",
					  done, r->addr + done, where);
				status = EXIT_MEMORY;
			}
			goto out;
		}
		progress_add(&prog, n);
	}
	progress_end(&prog);
	status = opt_verify ? verify(&t, r->addr, r->len, &pat) : EXIT_DONE;
out:
	free(r);
	bytes_free(&pat);
	target_close(&t);
	poptFreeContext(ctx);
	return status;
}
