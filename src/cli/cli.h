/* The command line on top of libpvmio: the command table and what every
 * command file includes.  The layers, from the bottom (doc/DESIGN.md):
 * perr, bytes, names, grammar, address (the pure parsers); output, hexsimd,
 * dumper, values (the formatters); dump_reader (the dumper's inverse);
 * messages, options, target, lookup, progress, arguments, writing, read_driver,
 * polling
 * (what commands share); cmd_*.c (one a command); main.c. */
#ifndef PVMIO_CLI_H
#define PVMIO_CLI_H

#include <popt.h>

#include "address.h"
#include "arguments.h"
#include "bytes.h"
#include "dumper.h"
#include "grammar.h"
#include "json.h"
#include "lookup.h"
#include "messages.h"
#include "options.h"
#include "output.h"
#include "polling.h"
#include "progress.h"
#include "pvmio.h"
#include "read_driver.h"
#include "target.h"
#include "values.h"
#include "writing.h"

/* A command: its skeleton, checked once by main.c before it runs. */
struct command {
	const char *name;
	int (*run)(const struct invocation *inv);
	struct poptOption *options;
	const char *synopsis;		/* "PID RANGE...": its words not in [] are required */
	const char *string_for;		/* the word that -s STRING stands for */
	int (*needed)(void);		/* how many, once the options are read, if not those */
	const char *const *examples;
	const char *summary;
};

extern const struct command cmd_core, cmd_diff, cmd_read, cmd_write, cmd_dump, cmd_fill, cmd_maps, cmd_find, cmd_where, cmd_watch, cmd_wait, cmd_doctor;

#endif
