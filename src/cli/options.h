/* Options (options.c): the rows every command shares, the tables that
 * several include, and the parser that reads an invocation. */
#ifndef PVMIO_OPTIONS_H
#define PVMIO_OPTIONS_H

#include <popt.h>

struct command;

/* --stop, --progress, --no-progress, --verbose, --help, --usage. */
struct common_options {
	int stop, verbose, progress, no_progress, help, usage;
};
extern struct common_options common;
extern struct poptOption common_table[];
#define COMMON_OPTIONS { NULL, '\0', POPT_ARG_INCLUDE_TABLE, common_table, 0, "Common options:", NULL }

/* --force, with one help text wherever it is. */
extern int opt_force;
extern struct poptOption force_table[];
#define FORCE_OPTION { NULL, '\0', POPT_ARG_INCLUDE_TABLE, force_table, 0, NULL, NULL }

/* --perms SPEC and --name PATTERN (repeated): which mappings a command
 * with no RANGE takes (find, dump, core, diff) or lists (maps). */
struct select_options {
	char *perms;
	char **names;	/* NULL-terminated; NULL when none */
};
extern struct select_options sel;
extern struct poptOption select_table[];
#define SELECT_OPTIONS { NULL, '\0', POPT_ARG_INCLUDE_TABLE, select_table, 0, NULL, NULL }

/* -t TYPE and -e ORDER: typed values (read, write, fill, find). */
struct typed_options {
	char *type, *endian;
};
extern struct typed_options typed;
extern struct poptOption typed_table[];
#define TYPED_OPTIONS { NULL, '\0', POPT_ARG_INCLUDE_TABLE, typed_table, 0, NULL, NULL }

/* -s STRING and -z: a string as the data (write, fill, find). */
struct string_options {
	char *string;
	int nul;
};
extern struct string_options str;
extern struct poptOption string_table[];
#define STRING_OPTIONS { NULL, '\0', POPT_ARG_INCLUDE_TABLE, string_table, 0, NULL, NULL }

/* What a command gets: its positional arguments, the options being in
 * the tables' variables. */
struct invocation {
	const char **args;
	int nargs;
	poptContext ctx;
};

/* Reads ARGV (ARGV[0] the command's name) with CMD's table.  -1 when the
 * command is to run; else the exit status to leave with (--help,
 * --usage, a bad option, missing arguments), the message printed. */
int cli_parse(const struct command *cmd, int argc, const char **argv, struct invocation *inv);
void cli_parse_free(struct invocation *inv);

#endif
