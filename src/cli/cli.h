/* The command line on top of libpvmio: shared declarations. */
#ifndef PVMIO_CLI_H
#define PVMIO_CLI_H

#include <popt.h>
#include <signal.h>
#include <stdint.h>

#include "format.h"
#include "parse.h"
#include "pvmio.h"

/* Exit statuses (SPEC "Exit status"). */
enum {
	EXIT_DONE = 0,
	EXIT_MEMORY = 1,
	EXIT_USAGE = 2,
	EXIT_PROCESS = 3,
	EXIT_LOCAL = 4,
};

struct command {
	const char *name;
	int (*run)(int argc, const char **argv);
	const char *summary;
};
extern const struct command commands[];

int cmd_read(int argc, const char **argv);
int cmd_write(int argc, const char **argv);
int cmd_dump(int argc, const char **argv);
int cmd_fill(int argc, const char **argv);
int cmd_maps(int argc, const char **argv);
int cmd_find(int argc, const char **argv);

/* Messages: one line on stderr, "pvmio: COMMAND: ...". */
extern const char *cli_command;
__attribute__((format(printf, 1, 2))) void cli_error(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void cli_verbose(const char *fmt, ...);

/* Options every command has. */
struct common_options {
	int stop, verbose, progress, no_progress, help, usage;
};
extern struct common_options common;
extern struct poptOption common_table[];
#define COMMON_OPTIONS { NULL, '\0', POPT_ARG_INCLUDE_TABLE, common_table, 0, "Common options:", NULL }

/* Runs popt over argv; on success returns -1 with the positional
 * arguments, else the exit status to leave with (help, usage error). */
int cli_parse(const char *name, int argc, const char **argv, const struct poptOption *table,
	      const char *synopsis, const char *const *examples, poptContext *ctx, const char ***args,
	      int *nargs);

/* The target of a command. */
struct target {
	struct pvmio *h;
	struct pvmio_maps *maps;
	pid_t pid;
	int ptrsize;
};
/* Opens PIDARG; 0, or an exit status (reported).  The maps list is read
 * by target_maps when needed. */
int target_open(struct target *t, const char *pidarg, unsigned flags);
/* With --stop, stops it until target_close; 0 or an exit status. */
int target_stop(struct target *t);
void target_close(struct target *t);
/* Reads the maps list once it is needed (names, checks, messages); 0 or
 * an exit status (reported). */
int target_maps(struct target *t);
/* Does a RANGE or ADDR argument name a mapping? */
int mentions_name(const char *s);
/* Re-reads the maps list. */
int target_refresh_maps(struct target *t);

/* Reports a failed transfer at ADDR and returns its exit status. */
int report_memory_error(struct target *t, int err, uint64_t addr, const char *what);
/* Reports a parse error: EXIT_USAGE, or EXIT_LOCAL out of memory. */
int usage_error(const struct perr *e);
/* The same, pointing at 'pvmio maps' for an unknown name. */
int report_parse_error(const struct target *t, const struct perr *e);

/* Commands that write catch SIGINT, SIGTERM and SIGHUP instead of dying:
 * cli_interrupted is then the signal, and they end with an account of
 * what was written (report_interrupted returns 128 + the signal). */
extern volatile sig_atomic_t cli_interrupted;
void cli_catch_interrupts(void);
int report_interrupted(uint64_t written, uint64_t at);
/* The exit status for a process-level error (reported). */
int report_process_error(pid_t pid, int err);
/* Describes the mapping around ADDR ("0x1000..0x2000 r--p /bin/x"). */
void describe_mapping(struct target *t, uint64_t addr, char *buf, size_t size);

/* Unreadable runs a stream met, for the summary message. */
struct unreadable {
	uint64_t bytes, runs, first;
	int first_err;
};
void unreadable_add(struct unreadable *u, const struct pvmio_chunk *c);
/* After a stream into O: -1 when it ran through, else the exit status
 * (reported) for a failed output or a failed stream (RC < 0, at AT). */
int stream_outcome(struct target *t, struct out *o, int rc, uint64_t at);

/* Writing (write and fill).  check_writable: [addr, addr+len) against the
 * maps before any byte goes out (any mapping with FORCE); 0, or
 * EXIT_MEMORY with a message naming the first bad address and saying
 * how many of the command's bytes (WRITTEN) went out before.
 * report_write_stopped: a write that stopped short at AT (ERR its result)
 * after WRITTEN bytes; returns the exit status.  verify_written: reads
 * [addr, addr+len) back, where byte i should be want[i % wantlen]. */
int check_writable(struct target *t, uint64_t addr, uint64_t len, int force, uint64_t written);
int report_write_stopped(struct target *t, int err, uint64_t written, uint64_t at);
int verify_written(struct target *t, uint64_t addr, uint64_t len, const unsigned char *want, size_t wantlen);

/* Progress on long jobs (SPEC "Long work"); a total of PROGRESS_UNKNOWN
 * (a pipe) shows no total and no time left. */
#define PROGRESS_UNKNOWN UINT64_MAX
struct progress {
	int on;
	uint64_t total, done;
	double start, last;
};
void progress_begin(struct progress *p, uint64_t total);
void progress_add(struct progress *p, uint64_t n);
void progress_end(struct progress *p);

/* Reads the whole of a value list into bytes: hex data, -t values or a
 * string (with -z a NUL); the forms shared by write, fill and find. */
struct data_options {
	const char *type, *endian, *string;
	int nul;
};
int data_from_args(struct target *t, const struct data_options *o, const char **args, int nargs,
		   struct bytes *out, struct perr *e);
int typed_options(struct target *t, const char *type, const char *endian, struct vtype *vt, int *big,
		  struct perr *e);

/* How RANGE arguments get their length (SPEC "ADDR alone"). */
struct range_defaults {
	int have_len;		/* a bare ADDR gets len */
	int explicit_len;	/* from -n or -c: a NAME alone gets it too */
	uint64_t len;
	unsigned multiple;	/* each length a multiple of this (a -t size) */
	const char *hint;	/* other ways to give a length, for the message */
};
int parse_ranges(struct target *t, const char **args, int n, const struct range_defaults *d, struct range **out);
/* Every readable mapping (any, with FORCE) but [vvar], [vvar_vclock] and
 * [vsyscall], neighbours merged so nothing straddling them is missed. */
struct range *all_readable(const struct pvmio_maps *m, int force, int *n);

#endif
