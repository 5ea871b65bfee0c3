/* The target of a command (target.c). */
#ifndef PVMIO_TARGET_H
#define PVMIO_TARGET_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "perr.h"
#include "pvmio.h"

struct target {
	struct pvmio *h;
	struct pvmio_maps *maps;	/* read when first needed */
	struct pvmio_symbols *syms;	/* opened when a symbol is named */
	pid_t pid;	/* the process, or the pid a core file records (0 if none) */
	int ptrsize;
	const char *arg;	/* as given: a pid or a core file's path */
	const char *core;	/* the core file's path, or NULL for a process */
	char label[96];		/* "process 1234", "core file x.core": for messages */
};

/* A target word is a process id when it is a decimal number, and names
 * a core file otherwise (./123 for a file called 123). */
int target_is_core(const char *arg);
/* For target_open: refuse a core file (commands that write or watch). */
#define TARGET_LIVE (1u << 30)
/* Opens PIDARG, a process or a core file; 0, or an exit status (reported). */
int target_open(struct target *t, const char *pidarg, unsigned flags);
/* target_open (with --force's flag) and target_stop: every command
 * that works on a stopped target from its first look at it.  The _live
 * form refuses a core file. */
int target_begin(struct target *t, const char *pidarg);
int target_begin_live(struct target *t, const char *pidarg);
/* With --stop, stops it until target_close, resuming it on a fatal
 * signal; 0 or an exit status (reported). */
int target_stop(struct target *t);
void target_close(struct target *t);
/* Reads the maps list once it is needed (names, checks, messages); 0 or
 * an exit status (reported). */
int target_maps(struct target *t);
/* Reads the maps list again; 0 or -errno. */
int target_refresh_maps(struct target *t);

/* The exit status for a process-level error (reported): no such process,
 * a zombie, a kernel thread, a denial and what would allow it. */
int report_process_error(pid_t pid, int err);
/* Reports a failed transfer at ADDR ("cannot read 0x...: ...") and
 * returns its exit status; WHAT is "read", "write", "search"... */
int report_memory_error(struct target *t, int err, uint64_t addr, const char *what);
/* A parse error, pointing at 'pvmio maps' for an unknown name. */
int report_parse_error(const struct target *t, const struct perr *e);
/* The mapping around ADDR, in words: "in 0x1000..0x2000 r--p /bin/x",
 * "not mapped (nothing between 0x... and 0x...)". */
void describe_mapping(struct target *t, uint64_t addr, char *buf, size_t size);
/* The same for a byte that could not be read, saying when a core file
 * lacks it. */
void describe_unreadable(struct target *t, uint64_t addr, char *buf, size_t size);

/* Commands that write catch SIGINT, SIGTERM and SIGHUP instead of dying:
 * cli_interrupted is then the signal, and they end with an account of
 * what was written (writing.h); a target they stopped is resumed by
 * target_close as on any other way out.  Atomic (and lock-free, so a
 * handler may set it): read-ahead and dump's helper read it on threads
 * of their own. */
extern _Atomic int cli_interrupted;
void cli_catch_interrupts(void);

#endif
