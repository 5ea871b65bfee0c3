/* Options (options.h). */
#include "config.h"
#include "options.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

struct common_options common;
int opt_force;
struct typed_options typed;
struct string_options str;

struct poptOption common_table[] = {
	{ "stop", '\0', POPT_ARG_NONE, &common.stop, 0, "stop every thread of the target while working", NULL },
	{ "progress", '\0', POPT_ARG_NONE, &common.progress, 0, "show progress on stderr", NULL },
	{ "no-progress", '\0', POPT_ARG_NONE, &common.no_progress, 0, "never show progress", NULL },
	{ "verbose", '\0', POPT_ARG_NONE, &common.verbose, 0, "say what is being done", NULL },
	{ "help", 'h', POPT_ARG_NONE, &common.help, 0, "show this help", NULL },
	{ "usage", '\0', POPT_ARG_NONE, &common.usage, 0, "show a short usage message", NULL },
	POPT_TABLEEND
};

struct poptOption force_table[] = {
	{ "force", '\0', POPT_ARG_NONE, &opt_force, 0,
	  "go through /proc/PID/mem, as debuggers do: reads PROT_NONE pages, writes read-only private ones", NULL },
	POPT_TABLEEND
};

struct select_options sel;
struct poptOption select_table[] = {
	{ "perms", '\0', POPT_ARG_STRING, &sel.perms, 0, "only mappings with these permissions (rw; -w: not w)",
	  "SPEC" },
	{ "name", '\0', POPT_ARG_ARGV, &sel.names, 0, "only mappings of this name or glob, or anon (repeatable)",
	  "PATTERN" },
	POPT_TABLEEND
};

struct poptOption typed_table[] = {
	{ "type", 't', POPT_ARG_STRING, &typed.type, 0, "values of TYPE: u8..u64, i8..i64, f32, f64, ptr", "TYPE" },
	{ "endian", 'e', POPT_ARG_STRING, &typed.endian, 0, "byte order of -t: little, big, native", "ORDER" },
	POPT_TABLEEND
};

struct poptOption string_table[] = {
	{ "string", 's', POPT_ARG_STRING, &str.string, 0, "the bytes of STRING (no NUL)", "STRING" },
	{ "nul", 'z', POPT_ARG_NONE, &str.nul, 0, "with -s, a NUL byte after them", NULL },
	POPT_TABLEEND
};

/* The positional arguments CMD requires: its synopsis's words not in [],
 * but the one that -s STRING stands for when -s is given. */
static int required(const struct command *cmd, const char **words, int max)
{
	static char copy[128];
	snprintf(copy, sizeof copy, "%s", cmd->synopsis);
	int n = 0;
	for (char *w = strtok(copy, " "); w && n < max; w = strtok(NULL, " ")) {
		if (w[0] == '[' || (str.string && cmd->string_for && strcmp(w, cmd->string_for) == 0))
			continue;
		size_t len = strlen(w);
		if (len > 3 && strcmp(w + len - 3, "...") == 0)
			w[len - 3] = '\0';
		words[n++] = w;
	}
	return n;
}

/* "missing PID and RANGE": the required words from the first one missing
 * to the last one needed. */
static int missing(const struct command *cmd, int nargs, int need)
{
	const char *words[8];
	int n = required(cmd, words, 8);
	if (need < n)
		n = need;
	char list[128] = "";
	size_t used = 0;
	for (int i = nargs; i < n; i++) {
		const char *sep = i == nargs ? "" : i + 1 == n ? " and " : ", ";
		used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", sep, words[i]);
		if (used >= sizeof list)
			break;
	}
	cli_error("missing %s (see 'pvmio %s --help')", list, cmd->name);
	return EXIT_USAGE;
}

int cli_parse(const struct command *cmd, int argc, const char **argv, struct invocation *inv)
{
	static char progname[32];
	snprintf(progname, sizeof progname, "pvmio %s", cmd->name);
	argv[0] = progname;
	memset(inv, 0, sizeof *inv);
	/* No popt alias or exec files are read: a tool that writes into
	 * other processes takes no options from the environment. */
	poptContext ctx = poptGetContext(progname, argc, argv, cmd->options, 0);
	if (!ctx) {
		cli_error("out of memory");
		return EXIT_LOCAL;
	}
	char synopsis[160];
	snprintf(synopsis, sizeof synopsis, "[OPTION...] %s", cmd->synopsis);
	poptSetOtherOptionHelp(ctx, synopsis);
	inv->ctx = ctx;
	int rc;
	while ((rc = poptGetNextOpt(ctx)) > 0)
		;
	if (rc < -1) {
		cli_error("%s: %s (see 'pvmio %s --help')", poptBadOption(ctx, POPT_BADOPTION_NOALIAS),
			  poptStrerror(rc), cmd->name);
		return EXIT_USAGE;
	}
	if (common.help) {
		poptPrintHelp(ctx, stdout, 0);
		printf("\nExamples:\n");
		for (const char *const *e = cmd->examples; *e; e++)
			printf("  %s\n", *e);
		return fflush(stdout) == 0 ? EXIT_DONE : EXIT_LOCAL;
	}
	if (common.usage) {
		poptPrintUsage(ctx, stdout, 0);
		return EXIT_DONE;
	}
	inv->args = poptGetArgs(ctx);
	while (inv->args && inv->args[inv->nargs])
		inv->nargs++;
	const char *words[8];
	int need = cmd->needed ? cmd->needed() : required(cmd, words, 8);
	if (inv->nargs < need)
		return missing(cmd, inv->nargs, need);
	return -1;
}

void cli_parse_free(struct invocation *inv)
{
	if (inv->ctx)
		poptFreeContext(inv->ctx);
	inv->ctx = NULL;
}
