/* Why pvmio may or may not reach a process (access.h).
 *
 * process_vm_readv, process_vm_writev, /proc/PID/mem and PTRACE_SEIZE all
 * pass the kernel's ptrace_may_access(PTRACE_MODE_ATTACH_REALCREDS):
 * pvmio's real uid and gid must be the target's real, effective and
 * saved ones, and the target dumpable, unless pvmio has CAP_SYS_PTRACE in
 * the target's user namespace; then Yama, where it is built in, adds its
 * ptrace_scope.  /proc/PID/maps needs the weaker PTRACE_MODE_READ, which
 * Yama does not restrict. */
#include "config.h"
#include "access.h"
#include "pvmio.h"
#include "safe_text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define CAP_SYS_PTRACE_BIT 19
/* /proc/PID/stat's flags: a kernel thread. */
#define PF_KTHREAD 0x00200000UL

static int read_text(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	size_t n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return 0;
}

/* Up to MAX numbers after the key, as /proc/PID/status lists them. */
static int numbers(const char *v, unsigned long *out, int max)
{
	int n = 0;
	while (n < max) {
		char *end;
		v += strspn(v, " \t");
		if (*v < '0' || *v > '9')
			break;
		out[n++] = strtoul(v, &end, 10);
		v = end;
	}
	return n;
}

void access_parse_status(const char *text, struct proc_status *out)
{
	memset(out, 0, sizeof *out);
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[512];
		if (len >= sizeof buf)
			len = sizeof buf - 1;
		memcpy(buf, line, len);
		buf[len] = '\0';
		line = nl ? nl + 1 : NULL;
		char *colon = strchr(buf, ':');
		if (!colon)
			continue;
		*colon = '\0';
		const char *key = buf, *v = colon + 1;
		unsigned long tmp[8];
		out->parsed = 1;
		if (strcmp(key, "Name") == 0) {
			v += strspn(v, " \t");
			safe_text(v, out->name, sizeof out->name);
		} else if (strcmp(key, "State") == 0) {
			v += strspn(v, " \t");
			out->state = *v;
		} else if (strcmp(key, "PPid") == 0 && numbers(v, tmp, 1) == 1) {
			out->ppid = (long)tmp[0];
		} else if (strcmp(key, "TracerPid") == 0 && numbers(v, tmp, 1) == 1) {
			out->tracer = (long)tmp[0];
		} else if (strcmp(key, "Uid") == 0) {
			numbers(v, out->uid, 4);
		} else if (strcmp(key, "Gid") == 0) {
			numbers(v, out->gid, 4);
		} else if (strcmp(key, "Groups") == 0) {
			out->ngroups = numbers(v, out->groups, 32);
		} else if (strcmp(key, "CapEff") == 0) {
			out->cap_eff = strtoull(v, NULL, 16);
		} else if (strcmp(key, "Seccomp") == 0 && numbers(v, tmp, 1) == 1) {
			out->seccomp = (int)tmp[0];
		} else if (strcmp(key, "NSpid") == 0) {
			out->nspid_levels = numbers(v, tmp, 8);
			for (int i = 0; i < out->nspid_levels; i++)
				out->nspid[i] = (long)tmp[i];
		}
	}
}

/* Is pvmio in a user namespace other than the first?  Its uid_map says:
 * the first maps every uid to itself ("0 0 4294967295"). */
static int nested_userns(char *map, size_t size)
{
	char text[256];
	unsigned long inner, outer, count;
	if (read_text("/proc/self/uid_map", text, sizeof text) < 0) {
		snprintf(map, size, "unknown");
		return 0;
	}
	if (sscanf(text, "%lu %lu %lu", &inner, &outer, &count) != 3) {
		/* no map at all: a new namespace nobody mapped (unshare -U) */
		snprintf(map, size, "none");
		return 1;
	}
	snprintf(map, size, "%lu %lu %lu", inner, outer, count);
	return !(inner == 0 && outer == 0 && count == 4294967295UL);
}

/* Does this kernel have process_vm_readv?  One byte of pvmio's own. */
static int have_cma(void)
{
	char from = 1, to = 0;
	struct iovec l = { &to, 1 }, r = { &from, 1 };
	if (syscall(SYS_process_vm_readv, getpid(), &l, 1UL, &r, 1UL, 0UL) == 1)
		return 1;
	return errno == ENOSYS ? 0 : -1;
}

/* One byte of the first mapping the target may read: 0, or -errno. */
static int try_read(pid_t pid)
{
	struct pvmio *h;
	struct pvmio_maps *m = NULL;
	int rc = pvmio_open(pid, 0, &h);
	if (rc < 0)
		return rc;
	rc = pvmio_maps_read(h, &m);
	for (size_t i = 0; rc == 0 && i < m->n; i++) {
		const struct pvmio_mapping *v = &m->v[i];
		if (v->perms[0] != 'r' || v->start >= (1ULL << 63) || strcmp(v->name, "[vvar]") == 0 ||
		    strcmp(v->name, "[vvar_vclock]") == 0)
			continue;
		unsigned char b;
		ssize_t got = pvmio_pread(h, &b, 1, v->start);
		rc = got == 1 ? 0 : got < 0 ? (int)got : -EIO;
		pvmio_maps_free(m);
		pvmio_close(h);
		return rc;
	}
	pvmio_maps_free(m);
	pvmio_close(h);
	return rc < 0 ? rc : 1;
}

void access_gather(pid_t pid, struct access_facts *f)
{
	char text[4096], path[64];
	memset(f, 0, sizeof *f);
	if (read_text("/proc/self/status", text, sizeof text) == 0)
		access_parse_status(text, &f->me);
	f->me_nested_userns = nested_userns(f->me_uid_map, sizeof f->me_uid_map);
	f->yama = -1;
	if (read_text("/proc/sys/kernel/yama/ptrace_scope", text, sizeof text) == 0)
		f->yama = atoi(text);
	if (read_text("/sys/kernel/security/lockdown", text, sizeof text) == 0) {
		/* "none [integrity] confidentiality": the one in brackets */
		char *a = strchr(text, '['), *b = a ? strchr(a, ']') : NULL;
		if (a && b)
			snprintf(f->lockdown, sizeof f->lockdown, "%.*s", (int)(b - a - 1), a + 1);
	}
	f->cma = have_cma();
	f->read_err = 1;
	f->dumpable = -1;
	f->target_userns_other = -1;
	f->pid = pid;
	if (!pid)
		return;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (read_text(path, text, sizeof text) < 0)
		return;
	access_parse_status(text, &f->it);
	f->exists = 1;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (read_text(path, text, sizeof text) == 0) {
		/* after "(comm) ": state ppid pgrp session tty tpgid flags */
		const char *p = strrchr(text, ')');
		unsigned long flags = 0;
		if (p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) == 1)
			f->kernel_thread = (flags & PF_KTHREAD) != 0;
	}
	/* A process that is not dumpable has its /proc files owned by root
	 * (the files: the directory keeps the owner it was first seen with). */
	struct stat st;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (stat(path, &st) == 0 && f->it.uid[1] != 0)
		f->dumpable = !(st.st_uid == 0 && st.st_uid != f->it.uid[1]);
	if (f->it.tracer > 0) {
		snprintf(path, sizeof path, "/proc/%ld/comm", f->it.tracer);
		char comm[64];
		if (read_text(path, comm, sizeof comm) == 0) {
			comm[strcspn(comm, "\n")] = '\0';
			safe_text(comm, f->tracer_name, sizeof f->tracer_name);
		}
	}
	char mine[64] = "", its[64] = "";
	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
	ssize_t a = readlink("/proc/self/ns/user", mine, sizeof mine - 1), b = readlink(path, its, sizeof its - 1);
	if (a > 0 && b > 0)
		f->target_userns_other = a != b || memcmp(mine, its, (size_t)a) != 0;
	if (!f->kernel_thread && f->it.state != 'Z' && f->it.state != 'X')
		f->read_err = try_read(pid);
}

static int has_cap(const struct access_facts *f)
{
	return (f->me.cap_eff >> CAP_SYS_PTRACE_BIT) & 1;
}

/* Are pvmio's real uid and gid the target's real, effective and saved? */
static int same_creds(const struct access_facts *f)
{
	for (int i = 0; i < 3; i++)
		if (f->it.uid[i] != f->me.uid[0] || f->it.gid[i] != f->me.gid[0])
			return 0;
	return 1;
}

static struct access_check *add(struct access_check *out, int *n, int max, const char *key,
				enum access_result r)
{
	if (*n >= max)
		return NULL;
	struct access_check *c = &out[(*n)++];
	c->key = key;
	c->result = r;
	c->text[0] = '\0';
	return c;
}

#define SAY(c, ...)                                                  \
	do {                                                         \
		if (c)                                               \
			snprintf((c)->text, sizeof (c)->text, __VA_ARGS__); \
	} while (0)

int access_checks(const struct access_facts *f, struct access_check *out, int max)
{
	int n = 0, pid = (int)f->pid;
	struct access_check *c;
	int cap = has_cap(f);

	if (f->cma == 0) {
		c = add(out, &n, max, "cross_memory_attach", ACCESS_NO);
		SAY(c, "this kernel has no process_vm_readv/process_vm_writev: every command needs --force, which "
		       "goes through /proc/PID/mem");
	} else {
		c = add(out, &n, max, "cross_memory_attach", f->cma == 1 ? ACCESS_OK : ACCESS_NOTE);
		SAY(c, f->cma == 1 ? "the kernel has process_vm_readv and process_vm_writev"
				   : "process_vm_readv could not be tried here");
	}
	if (f->me.seccomp) {
		c = add(out, &n, max, "seccomp", f->me.seccomp == 1 ? ACCESS_NO : ACCESS_NOTE);
		SAY(c, "pvmio runs under seccomp (%s, as in a container or sandbox): it may refuse process_vm_readv "
		       "and ptrace",
		    f->me.seccomp == 1 ? "strict mode" : "a filter");
	} else {
		c = add(out, &n, max, "seccomp", ACCESS_OK);
		SAY(c, "no seccomp filter on pvmio");
	}
	if (f->yama < 0) {
		c = add(out, &n, max, "yama", ACCESS_OK);
		SAY(c, "no Yama in this kernel (no /proc/sys/kernel/yama/ptrace_scope)");
	} else if (f->yama == 0) {
		c = add(out, &n, max, "yama", ACCESS_OK);
		SAY(c, "Yama's ptrace_scope is 0: the classic rules (same user, or CAP_SYS_PTRACE)");
	} else if (f->yama == 1) {
		int denied = f->read_err == -EPERM && same_creds(f) && f->dumpable != 0;
		c = add(out, &n, max, "yama", cap ? ACCESS_OK : denied ? ACCESS_NO : ACCESS_NOTE);
		if (cap)
			SAY(c, "Yama's ptrace_scope is 1, and pvmio has CAP_SYS_PTRACE, which passes it");
		else
			SAY(c, "Yama's ptrace_scope is 1: only a process's ancestors may read it, or a process it named with "
			       "prctl(PR_SET_PTRACER)%s; run pvmio as root (sudo), start the target from pvmio's "
			       "parent, or set kernel.yama.ptrace_scope to 0",
			    denied ? ", and this one did not" : "");
	} else if (f->yama == 2) {
		c = add(out, &n, max, "yama", cap ? ACCESS_OK : ACCESS_NO);
		SAY(c, "Yama's ptrace_scope is 2: only CAP_SYS_PTRACE may%s", cap ? ", and pvmio has it" : "; run pvmio as root");
	} else {
		c = add(out, &n, max, "yama", ACCESS_NO);
		SAY(c, "Yama's ptrace_scope is %d: no process may read another's memory, root included, until "
		       "reboot",
		    f->yama);
	}
	if (f->lockdown[0]) {
		c = add(out, &n, max, "lockdown", ACCESS_NOTE);
		SAY(c, "kernel lockdown is '%s': it does not restrict ptrace or process_vm_readv", f->lockdown);
	}
	if (f->me_nested_userns) {
		int other = f->target_userns_other != 0;
		c = add(out, &n, max, "user_namespace", pid && other ? ACCESS_NO : ACCESS_NOTE);
		SAY(c, "pvmio runs in a user namespace (uid_map '%s'): its capabilities, root's included, do not reach "
		       "processes outside it%s",
		    f->me_uid_map, pid && other ? "; run pvmio outside the namespace" : "");
	}
	if (!pid)
		return n;

	if (!f->exists) {
		c = add(out, &n, max, "process", ACCESS_NO);
		SAY(c, "no such process: %d", pid);
		return n;
	}
	if (f->it.state == 'Z' || f->it.state == 'X') {
		c = add(out, &n, max, "process", ACCESS_NO);
		SAY(c, "process %d (%s) is a zombie: it has exited and its memory is gone", pid, f->it.name);
		return n;
	}
	if (f->kernel_thread) {
		c = add(out, &n, max, "process", ACCESS_NO);
		SAY(c, "process %d (%s) is a kernel thread: it has no user memory", pid, f->it.name);
		return n;
	}
	c = add(out, &n, max, "process", ACCESS_OK);
	SAY(c, "process %d (%s) exists, state %c", pid, f->it.name, f->it.state ? f->it.state : '?');
	if (f->it.nspid_levels > 1) {
		c = add(out, &n, max, "pid_namespace", ACCESS_NOTE);
		SAY(c, "process %d is %ld in its own pid namespace: pvmio takes %d, the pid as seen from here", pid,
		    f->it.nspid[f->it.nspid_levels - 1], pid);
	}
	if (same_creds(f)) {
		c = add(out, &n, max, "credentials", ACCESS_OK);
		SAY(c, "pvmio's uid %lu and gid %lu are the process's real, effective and saved ones", f->me.uid[0],
		    f->me.gid[0]);
	} else {
		c = add(out, &n, max, "credentials", cap ? ACCESS_OK : ACCESS_NO);
		SAY(c, "process %d runs as uid %lu/%lu/%lu gid %lu/%lu/%lu (real/effective/saved), pvmio as uid %lu gid "
		       "%lu%s",
		    pid, f->it.uid[0], f->it.uid[1], f->it.uid[2], f->it.gid[0], f->it.gid[1], f->it.gid[2],
		    f->me.uid[0], f->me.gid[0],
		    cap ? "; pvmio has CAP_SYS_PTRACE, which passes this" : ": run pvmio as that user, or as root (CAP_SYS_PTRACE)");
	}
	if (f->dumpable == 0) {
		c = add(out, &n, max, "dumpable", cap ? ACCESS_OK : ACCESS_NO);
		SAY(c, "process %d is not dumpable (a setuid or setgid program, or one that called "
		       "prctl(PR_SET_DUMPABLE, 0))%s",
		    pid, cap ? "; pvmio has CAP_SYS_PTRACE, which passes this" : ": only CAP_SYS_PTRACE (root) reaches it");
	} else if (f->dumpable == 1) {
		c = add(out, &n, max, "dumpable", ACCESS_OK);
		SAY(c, "process %d is dumpable", pid);
	}
	if (f->it.tracer > 0) {
		c = add(out, &n, max, "tracer", ACCESS_NOTE);
		SAY(c, "process %d is traced by %ld (%s): --stop cannot attach with ptrace while it is, so it stops "
		       "the process with SIGSTOP; core then writes memory without registers (--no-stop)",
		    pid, f->it.tracer, f->tracer_name[0] ? f->tracer_name : "?");
	} else {
		c = add(out, &n, max, "tracer", ACCESS_OK);
		SAY(c, "process %d is not traced: --stop can attach", pid);
	}
	if (f->read_err == 0) {
		c = add(out, &n, max, "read", ACCESS_OK);
		SAY(c, "pvmio read a byte of process %d's memory", pid);
	} else if (f->read_err == 1) {
		c = add(out, &n, max, "read", ACCESS_NOTE);
		SAY(c, "process %d has no readable mapping to try", pid);
	} else {
		c = add(out, &n, max, "read", ACCESS_NO);
		SAY(c, "reading process %d's memory failed: %s", pid, strerror(-f->read_err));
	}
	return n;
}

void access_verdict(const struct access_facts *f, struct access_verdict *v)
{
	struct access_check c[ACCESS_CHECKS_MAX];
	int n = access_checks(f, c, ACCESS_CHECKS_MAX), no = 0;
	memset(v, 0, sizeof *v);
	for (int i = 0; i < n; i++) {
		if (c[i].result == ACCESS_NO && !no++)
			snprintf(v->why, sizeof v->why, "%s", c[i].text);
	}
	if (!f->pid) {
		v->read = v->write = v->stop = v->core = !no;
		return;
	}
	/* What was tried wins over what was deduced: the kernel decides. */
	int alive = f->exists && !f->kernel_thread && f->it.state != 'Z' && f->it.state != 'X';
	v->read = alive && (f->read_err == 0 || (f->read_err == 1 && !no));
	if (f->read_err == 0 && no)
		no = 0;
	/* process_vm_writev and PTRACE_SEIZE pass the same check as a read */
	v->write = v->read;
	v->stop = v->read;
	v->stop_by_signal = v->stop && f->it.tracer > 0;
	v->core = v->stop && !v->stop_by_signal;
	if (v->read && !v->core && !v->why[0])
		snprintf(v->why, sizeof v->why, "process %d is traced by %ld (%s): core writes no registers",
			 (int)f->pid, f->it.tracer, f->tracer_name[0] ? f->tracer_name : "?");
}

void access_denial(const struct access_facts *f, char *buf, size_t size)
{
	struct access_check c[ACCESS_CHECKS_MAX];
	int n = access_checks(f, c, ACCESS_CHECKS_MAX);
	size_t used = (size_t)snprintf(buf, size, "permission denied for process %d", (int)f->pid);
	int any = 0;
	for (int i = 0; i < n && used < size; i++) {
		/* the read test repeats the denial itself; Yama's scope is
		 * said whatever it is, as it decides along with the rest */
		if ((c[i].result != ACCESS_NO || strcmp(c[i].key, "read") == 0) &&
		    !(strcmp(c[i].key, "yama") == 0 && f->yama >= 0))
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%s%s", any ? "; " : ": ", c[i].text);
		any = 1;
	}
	if (!any && used < size)
		snprintf(buf + used, size - used, ": run pvmio as the process's user or as root (CAP_SYS_PTRACE); "
						  "'pvmio doctor %d' says more",
			 (int)f->pid);
}
