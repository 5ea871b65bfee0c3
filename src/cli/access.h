/* Why pvmio may or may not reach a process (access.c): the facts the
 * kernel's ptrace access check weighs, read from /proc, and a pure
 * decision over them, which pvmio doctor prints and the permission
 * messages of every command quote.  The decision takes recorded facts,
 * so it is tested without the machine having Yama or lockdown. */
#ifndef PVMIO_ACCESS_H
#define PVMIO_ACCESS_H

#include <stddef.h>
#include <sys/types.h>

/* The fields of a /proc/PID/status that matter here. */
struct proc_status {
	int parsed;
	char name[64];
	char state;			/* 'R', 'S', 'Z'... */
	long ppid, tracer;		/* TracerPid: 0 when not traced */
	unsigned long uid[4], gid[4];	/* real, effective, saved, filesystem */
	unsigned long groups[32];
	int ngroups;
	unsigned long long cap_eff;
	int seccomp;			/* 0 none, 1 strict, 2 filter */
	long nspid[8];			/* NSpid: from this namespace inwards */
	int nspid_levels;
};
/* Parses the text of a /proc/PID/status; fields it lacks stay 0. */
void access_parse_status(const char *text, struct proc_status *out);

struct access_facts {
	/* pvmio itself */
	struct proc_status me;
	int me_nested_userns;	/* in a user namespace other than the first */
	char me_uid_map[64];
	/* the system */
	int yama;		/* ptrace_scope 0..3; -1 without Yama */
	char lockdown[40];	/* "none", "integrity", "confidentiality"; "" unknown */
	int cma;		/* process_vm_readv: 1 there, 0 ENOSYS, -1 not known */
	/* the target; pid 0 when none was given */
	pid_t pid;
	int exists;		/* 0: no such process */
	int kernel_thread;
	struct proc_status it;
	int dumpable;		/* 1, 0 (its /proc files belong to root), -1 not known */
	char tracer_name[64];
	int target_userns_other;	/* 1: not pvmio's user namespace, -1 not known */
	/* what was tried: 0 worked, -errno failed, 1 not tried */
	int read_err;
};

/* Reads the facts for PID (0: the system and pvmio only), and tries one
 * byte of the target's first readable mapping. */
void access_gather(pid_t pid, struct access_facts *f);

enum access_result { ACCESS_OK, ACCESS_NO, ACCESS_NOTE };
struct access_check {
	const char *key;	/* a stable name, for --json */
	enum access_result result;
	char text[320];
};
#define ACCESS_CHECKS_MAX 16
/* The checks, in the order a reader follows them; the number written. */
int access_checks(const struct access_facts *f, struct access_check *out, int max);

/* What each kind of command can do: reading memory (read, dump, find,
 * maps, watch, wait, diff, core --no-stop), writing it (write, fill),
 * --stop, and core with registers. */
struct access_verdict {
	int read, write, stop, core;	/* 1 works, 0 does not */
	int stop_by_signal;		/* --stop works, with SIGSTOP: traced */
	char why[400];			/* the first reason it does not */
};
void access_verdict(const struct access_facts *f, struct access_verdict *v);

/* One line for a permission denial of PID: the reasons found, and what
 * to do. */
void access_denial(const struct access_facts *f, char *buf, size_t size);

#endif
