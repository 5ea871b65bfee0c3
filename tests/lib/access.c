/* The decision of pvmio doctor (src/cli/access.c) on recorded /proc
 * contents: the cases this machine cannot produce (Yama's scopes 1 to 3,
 * lockdown, seccomp, a kernel without process_vm_readv, a pid namespace)
 * as well as those it can, each from the status text the kernel writes. */
#include "config.h"
#include "access.h"
#include "libtest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* /proc/PID/status as a 6.1 kernel writes it (abridged to what matters,
 * plus lines that do not). */
static const char me_user[] = "Name:\tpvmio\nUmask:\t0022\nState:\tR (running)\nTgid:\t500\nNgid:\t0\n"
			      "Pid:\t500\nPPid:\t400\nTracerPid:\t0\nUid:\t1000\t1000\t1000\t1000\n"
			      "Gid:\t1000\t1000\t1000\t1000\nFDSize:\t64\nGroups:\t24 27 1000 \nNStgid:\t500\n"
			      "NSpid:\t500\nCapInh:\t0000000000000000\nCapPrm:\t0000000000000000\n"
			      "CapEff:\t0000000000000000\nSeccomp:\t0\nSeccomp_filters:\t0\n";
static const char me_root[] = "Name:\tpvmio\nState:\tR (running)\nPPid:\t400\nTracerPid:\t0\nUid:\t0\t0\t0\t0\n"
			      "Gid:\t0\t0\t0\t0\nGroups:\t\nNSpid:\t501\nCapEff:\t000001ffffffffff\nSeccomp:\t0\n";
static const char it_user[] = "Name:\tpython3\nState:\tS (sleeping)\nPPid:\t300\nTracerPid:\t0\n"
			      "Uid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nGroups:\t1000 \n"
			      "NSpid:\t4242\nCapEff:\t0000000000000000\nSeccomp:\t0\n";
/* a setuid-root program started by uid 1000 */
static const char it_setuid[] = "Name:\tpasswd\nState:\tS (sleeping)\nPPid:\t300\nTracerPid:\t0\n"
				"Uid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\nNSpid:\t4243\nSeccomp:\t0\n";
/* traced by gdb, in a container's pid namespace */
static const char it_traced[] = "Name:\tserver\nState:\tt (tracing stop)\nPPid:\t300\nTracerPid:\t777\n"
				"Uid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nNSpid:\t4244\t17\n"
				"Seccomp:\t2\n";

static void facts(struct access_facts *f, const char *me, const char *it, pid_t pid)
{
	memset(f, 0, sizeof *f);
	access_parse_status(me, &f->me);
	f->yama = -1;
	f->cma = 1;
	f->dumpable = 1;
	f->read_err = 0;
	f->target_userns_other = 0;
	f->pid = pid;
	if (it) {
		access_parse_status(it, &f->it);
		f->exists = 1;
	}
}

static const struct access_check *find(const struct access_check *c, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (strcmp(c[i].key, key) == 0)
			return &c[i];
	return NULL;
}

/* The check KEY's result is WANT, and its text has SAYS. */
static void expect(const struct access_facts *f, const char *key, enum access_result want, const char *says,
		   const char *what)
{
	struct access_check c[ACCESS_CHECKS_MAX];
	int n = access_checks(f, c, ACCESS_CHECKS_MAX);
	const struct access_check *k = find(c, n, key);
	t_ok(k && k->result == want && strstr(k->text, says), "%s: %s is %d, says '%s' (%s)", what, key, (int)want,
	     says, k ? k->text : "missing");
}

int main(void)
{
	struct access_facts f;
	struct access_verdict v;
	char line[1200];

	/* the parser */
	struct proc_status s;
	access_parse_status(me_user, &s);
	t_ok(strcmp(s.name, "pvmio") == 0 && s.state == 'R' && s.ppid == 400, "status: name, state, ppid");
	t_ok(s.uid[0] == 1000 && s.uid[3] == 1000 && s.gid[1] == 1000, "status: uids and gids");
	t_ok(s.ngroups == 3 && s.groups[0] == 24 && s.groups[2] == 1000, "status: groups");
	t_ok(s.cap_eff == 0 && s.seccomp == 0 && s.nspid_levels == 1 && s.nspid[0] == 500, "status: caps, seccomp, nspid");
	access_parse_status(me_root, &s);
	t_ok(s.cap_eff == 0x1ffffffffffULL && s.ngroups == 0, "status: root's CapEff, no groups");
	access_parse_status(it_traced, &s);
	t_ok(s.tracer == 777 && s.state == 't' && s.nspid_levels == 2 && s.nspid[1] == 17 && s.seccomp == 2,
	     "status: tracer, nested pid, seccomp filter");
	access_parse_status("", &s);
	t_ok(!s.parsed, "status: empty text");
	access_parse_status("Uid:\t\nGid:\tx\nNSpid:\t1 2 3 4 5 6 7 8 9 10\nName:", &s);
	t_ok(s.uid[0] == 0 && s.nspid_levels == 8, "status: odd lines do not overflow");

	/* same user, no Yama: everything works */
	facts(&f, me_user, it_user, 4242);
	expect(&f, "credentials", ACCESS_OK, "uid 1000 and gid 1000", "same user");
	expect(&f, "yama", ACCESS_OK, "no Yama", "same user");
	access_verdict(&f, &v);
	t_ok(v.read && v.write && v.stop && v.core && !v.stop_by_signal, "same user: every command");

	/* Yama 1: denied for the same user, unless root */
	facts(&f, me_user, it_user, 4242);
	f.yama = 1;
	f.read_err = -EPERM;
	expect(&f, "yama", ACCESS_NO, "ptrace_scope is 1", "yama 1, denied");
	expect(&f, "yama", ACCESS_NO, "PR_SET_PTRACER", "yama 1, denied");
	access_verdict(&f, &v);
	t_ok(!v.read && !v.write && !v.stop && strstr(v.why, "ptrace_scope is 1"), "yama 1: nothing, and why");
	access_denial(&f, line, sizeof line);
	t_ok(strstr(line, "permission denied for process 4242: Yama's ptrace_scope is 1") != NULL, "yama 1: the denial: %s",
	     line);
	f.read_err = 0;	/* the target called PR_SET_PTRACER: the read worked */
	expect(&f, "yama", ACCESS_NOTE, "ptrace_scope is 1", "yama 1, allowed by the target");
	access_verdict(&f, &v);
	t_ok(v.read && v.stop, "yama 1, allowed: works");
	facts(&f, me_root, it_user, 4242);
	f.yama = 1;
	expect(&f, "yama", ACCESS_OK, "CAP_SYS_PTRACE", "yama 1, root");

	/* Yama 2: root only; 3: nobody */
	facts(&f, me_user, it_user, 4242);
	f.yama = 2;
	f.read_err = -EPERM;
	expect(&f, "yama", ACCESS_NO, "only CAP_SYS_PTRACE", "yama 2, user");
	facts(&f, me_root, it_user, 4242);
	f.yama = 2;
	expect(&f, "yama", ACCESS_OK, "pvmio has it", "yama 2, root");
	f.yama = 3;
	f.read_err = -EPERM;
	expect(&f, "yama", ACCESS_NO, "root included", "yama 3, root");
	access_verdict(&f, &v);
	t_ok(!v.read && !v.stop, "yama 3: nothing works, even for root");
	facts(&f, me_root, NULL, 0);
	f.yama = 3;
	access_verdict(&f, &v);
	t_ok(!v.read, "yama 3, no process: the machine itself fails");

	/* another user; a setuid program (not dumpable) */
	facts(&f, me_user, it_user, 4242);
	f.it.uid[1] = f.it.uid[2] = 0;
	f.read_err = -EPERM;
	expect(&f, "credentials", ACCESS_NO, "uid 1000/0/0", "another user");
	expect(&f, "credentials", ACCESS_NO, "as root (CAP_SYS_PTRACE)", "another user");
	facts(&f, me_user, it_setuid, 4243);
	f.dumpable = 0;
	f.read_err = -EPERM;
	expect(&f, "dumpable", ACCESS_NO, "not dumpable", "setuid program");
	access_denial(&f, line, sizeof line);
	t_ok(strstr(line, "runs as uid 1000/0/0") && strstr(line, "not dumpable"), "setuid: the denial gives both: %s",
	     line);
	facts(&f, me_root, it_setuid, 4243);
	f.dumpable = 0;
	expect(&f, "dumpable", ACCESS_OK, "CAP_SYS_PTRACE", "setuid program, root");
	expect(&f, "credentials", ACCESS_OK, "CAP_SYS_PTRACE", "setuid program, root");

	/* traced, in a pid namespace, under seccomp */
	facts(&f, me_user, it_traced, 4244);
	snprintf(f.tracer_name, sizeof f.tracer_name, "gdb");
	expect(&f, "tracer", ACCESS_NOTE, "traced by 777 (gdb)", "traced");
	expect(&f, "pid_namespace", ACCESS_NOTE, "is 17 in its own pid namespace", "pid namespace");
	access_verdict(&f, &v);
	t_ok(v.read && v.write && v.stop && v.stop_by_signal && !v.core && strstr(v.why, "gdb"),
	     "traced: --stop by SIGSTOP, core without registers");
	facts(&f, me_user, it_user, 4242);
	f.me.seccomp = 2;
	expect(&f, "seccomp", ACCESS_NOTE, "a filter", "pvmio under seccomp");

	/* lockdown, no cross-memory attach, a user namespace */
	facts(&f, me_user, it_user, 4242);
	snprintf(f.lockdown, sizeof f.lockdown, "confidentiality");
	expect(&f, "lockdown", ACCESS_NOTE, "'confidentiality': it does not restrict", "lockdown");
	f.cma = 0;
	expect(&f, "cross_memory_attach", ACCESS_NO, "--force", "no process_vm_readv");
	facts(&f, me_root, it_user, 4242);
	f.me_nested_userns = 1;
	f.target_userns_other = 1;
	f.read_err = -EPERM;
	snprintf(f.me_uid_map, sizeof f.me_uid_map, "0 1000 1");
	expect(&f, "user_namespace", ACCESS_NO, "uid_map '0 1000 1'", "user namespace");
	access_denial(&f, line, sizeof line);
	t_ok(strstr(line, "do not reach processes outside it") != NULL, "user namespace: the denial: %s", line);

	/* a zombie, a kernel thread, no such process */
	facts(&f, me_user, it_user, 4242);
	f.it.state = 'Z';
	expect(&f, "process", ACCESS_NO, "zombie", "zombie");
	facts(&f, me_user, it_user, 2);
	f.kernel_thread = 1;
	expect(&f, "process", ACCESS_NO, "kernel thread", "kernel thread");
	facts(&f, me_user, NULL, 99999);
	expect(&f, "process", ACCESS_NO, "no such process: 99999", "gone");
	access_verdict(&f, &v);
	t_ok(!v.read, "gone: nothing works");
	return t_done();
}
