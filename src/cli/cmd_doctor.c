/* pvmio doctor [PID]: whether each command would work on PID, for this
 * user on this machine, and why not (access.h). */
#include "config.h"
#include "cli.h"
#include "access.h"

#include <stdio.h>
#include <string.h>

static int opt_json;

static struct poptOption options[] = {
	{ "json", '\0', POPT_ARG_NONE, &opt_json, 0, "print one JSON object", NULL },
	COMMON_OPTIONS,
	POPT_TABLEEND
};

static const char *const examples[] = {
	"pvmio doctor 1234",
	"pvmio doctor \"$(pidof -s python3)\"",
	"pvmio doctor --json 1234 | jq -r '.checks[] | select(.result == \"no\") | .text'",
	NULL,
};

static const char *const result_names[] = { "ok", "no", "note" };

static void print_json(struct out *o, const struct access_facts *f, const struct access_check *c, int n,
		       const struct access_verdict *v)
{
	struct json j;
	json_init(&j, o);
	json_object(&j);
	json_key(&j, "pid");
	if (f->pid)
		json_int(&j, f->pid);
	else
		json_null(&j);
	if (f->pid && f->exists) {
		json_key(&j, "name");
		json_string(&j, f->it.name);
	}
	json_key(&j, "uid");
	json_uint(&j, f->me.uid[0]);
	json_key(&j, "gid");
	json_uint(&j, f->me.gid[0]);
	json_key(&j, "checks");
	json_array(&j);
	for (int i = 0; i < n; i++) {
		json_object(&j);
		json_key(&j, "check");
		json_string(&j, c[i].key);
		json_key(&j, "result");
		json_string(&j, result_names[c[i].result]);
		json_key(&j, "text");
		json_string(&j, c[i].text);
		json_end(&j);
	}
	json_end(&j);
	json_key(&j, "commands");
	json_object(&j);
	json_key(&j, "read");
	json_bool(&j, v->read);
	json_key(&j, "write");
	json_bool(&j, v->write);
	json_key(&j, "stop");
	json_bool(&j, v->stop);
	json_key(&j, "stop_by_signal");
	json_bool(&j, v->stop_by_signal);
	json_key(&j, "core_registers");
	json_bool(&j, v->core);
	json_end(&j);
	json_key(&j, "works");
	json_bool(&j, v->read && v->write && v->stop);
	json_end(&j);
	json_newline(&j);
}

static void print_text(struct out *o, const struct access_facts *f, const struct access_check *c, int n,
		       const struct access_verdict *v)
{
	char line[640];
	if (f->pid && f->exists)
		snprintf(line, sizeof line, "process %d (%s), as uid %lu gid %lu:\n", (int)f->pid, f->it.name,
			 f->me.uid[0], f->me.gid[0]);
	else if (f->pid)
		snprintf(line, sizeof line, "process %d, as uid %lu gid %lu:\n", (int)f->pid, f->me.uid[0], f->me.gid[0]);
	else
		snprintf(line, sizeof line, "this machine, as uid %lu gid %lu:\n", f->me.uid[0], f->me.gid[0]);
	out_str(o, line);
	for (int i = 0; i < n; i++) {
		snprintf(line, sizeof line, "  %-4s  %s\n", result_names[c[i].result], c[i].text);
		out_str(o, line);
	}
	if (!f->pid)
		return;
	const char *no = v->why[0] ? v->why : "see above";
	snprintf(line, sizeof line, "\nread, dump, find, maps, watch, wait, diff: %s\n", v->read ? "yes" : "no");
	out_str(o, line);
	snprintf(line, sizeof line, "write, fill: %s\n", v->write ? "yes (read-only pages need --force)" : "no");
	out_str(o, line);
	snprintf(line, sizeof line, "--stop: %s\n",
		 !v->stop ? "no" : v->stop_by_signal ? "yes, with SIGSTOP (the process is traced)" : "yes");
	out_str(o, line);
	snprintf(line, sizeof line, "core: %s\n",
		 v->core ? "yes" : v->read ? "memory only, without registers (the process is traced)" : "no");
	out_str(o, line);
	if (!v->read) {
		snprintf(line, sizeof line, "why: %s\n", no);
		out_str(o, line);
	}
}

static int run(const struct invocation *inv)
{
	struct perr e;
	pid_t pid = 0;
	if (inv->nargs > 1) {
		cli_error("give one PID, or none for this machine alone");
		return EXIT_USAGE;
	}
	if (inv->nargs == 1 && parse_pid(inv->args[0], &pid, &e) < 0)
		return report_perr(&e);
	if (common.stop) {
		cli_error("doctor only looks: --stop has nothing to stop");
		return EXIT_USAGE;
	}
	struct access_facts f;
	access_gather(pid, &f);
	struct access_check c[ACCESS_CHECKS_MAX];
	int n = access_checks(&f, c, ACCESS_CHECKS_MAX);
	struct access_verdict v;
	access_verdict(&f, &v);
	struct out o = { 0 };
	int status = stdout_open(&o);
	if (status)
		return status;
	if (opt_json)
		print_json(&o, &f, c, n, &v);
	else
		print_text(&o, &f, c, n, &v);
	/* 0 when every command would work; 3 (a process error) otherwise */
	int works = pid ? v.read && v.write && v.stop : v.read;
	status = stdout_close(&o, works ? EXIT_DONE : EXIT_PROCESS);
	out_free(&o);
	return status;
}

const struct command cmd_doctor = {
	.name = "doctor",
	.run = run,
	.options = options,
	.synopsis = "[PID]",
	.examples = examples,
	.summary = "whether each command would work on PID, and why not",
};
