/* pvmio where PID ADDR...: what each address is, in forms that paste back. */
#include "config.h"
#include "cli.h"

#include <inttypes.h>
#include <string.h>

static int opt_json;

static struct poptOption options[] = {
	{ "json", '\0', POPT_ARG_NONE, &opt_json, 0, "one JSON object a line", NULL },
	COMMON_OPTIONS,
	POPT_TABLEEND
};

static const char *const examples[] = {
	"pvmio where 1234 0x7f3a1c21bc90",
	"pvmio where 1234 $(pvmio find -m 1 -s 'password=' 1234)",
	"pvmio where --json 1234 '[exe:config]' | jq -r .symbol",
	NULL,
};

static void json_place(struct json *j, const char *arg, const struct place *p)
{
	json_object(j);
	json_key(j, "argument");
	json_string(j, arg);
	place_json(j, p);
	json_end(j);
	json_newline(j);
}

static int run(const struct invocation *inv)
{
	struct target t = { 0 };
	struct out o = { 0 };
	int status = target_begin(&t, inv->args[0]);
	if (!status)
		status = target_maps(&t);
	if (!status)
		status = stdout_open(&o);
	if (status)
		goto out;
	struct json j;
	json_init(&j, &o);
	struct resolver res;
	target_resolver(&t, &res);
	/* Every address is told; one in no mapping, or one that does not
	 * parse, makes the status that of the worst. */
	for (int i = 1; i < inv->nargs; i++) {
		struct perr e;
		uint64_t addr;
		struct place p;
		int s = 0;
		if (parse_addr(inv->args[i], &res, &addr, &e) < 0) {
			s = report_parse_error(&t, &e);
		} else if (place_of(&t, addr, &p, &e) < 0) {
			s = report_perr(&e);
		} else if (!p.mapping) {
			/* said on stderr; with --json also as a line of its own, so
			 * that the lines stay one an address */
			cli_error("%#" PRIx64 " is in no mapping", addr);
			if (opt_json)
				json_place(&j, inv->args[i], &p);
			s = EXIT_MEMORY;
		}
		if (s) {
			status = s > status ? s : status;
			continue;
		}
		if (opt_json) {
			json_place(&j, inv->args[i], &p);
		} else {
			char line[PLACE_LINE_MAX];
			place_line(&p, line, sizeof line);
			out_str(&o, line);
			out_str(&o, "\n");
		}
	}
	status = stdout_close(&o, status);
out:
	out_free(&o);
	target_close(&t);
	return status;
}

const struct command cmd_where = {
	.name = "where",
	.run = run,
	.options = options,
	.synopsis = "PID ADDR...",
	.examples = examples,
	.summary = "what each address is: its symbol, mapping and permissions",
};
