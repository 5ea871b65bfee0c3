/* Messages and exit statuses (messages.c): every message is one line on
 * stderr, "pvmio: COMMAND: ...", and every error maps to one status. */
#ifndef PVMIO_MESSAGES_H
#define PVMIO_MESSAGES_H

#include "output.h"
#include "perr.h"

/* The exit statuses (doc/DESIGN.md, "Exit status"). */
enum {
	EXIT_DONE = 0,
	EXIT_MEMORY = 1,
	EXIT_USAGE = 2,
	EXIT_PROCESS = 3,
	EXIT_LOCAL = 4,
	EXIT_TIMEOUT = 5,	/* wait: the condition did not hold in time */
};

/* The command running, for the messages' prefix. */
extern const char *cli_command;
__attribute__((format(printf, 1, 2))) void cli_error(const char *fmt, ...);
/* Only with --verbose. */
__attribute__((format(printf, 1, 2))) void cli_verbose(const char *fmt, ...);

/* The exit status for an errno, as cryptsetup's translate_errno: memory
 * (the target's bytes), process (the target itself), local I/O. */
int exit_status_for(int err);
/* out_init on stdout; 0, or EXIT_LOCAL (reported). */
int stdout_open(struct out *o);
/* Flushes O: STATUS, or EXIT_LOCAL (reported) when stdout failed. */
int stdout_close(struct out *o, int status);
/* Reports a parse error: EXIT_USAGE; EXIT_MEMORY for a chain's pointer
 * that cannot be followed; EXIT_LOCAL out of memory. */
int report_perr(const struct perr *e);

#endif
