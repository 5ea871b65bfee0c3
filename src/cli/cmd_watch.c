/* pvmio watch PID RANGE...: a line each time a value changes. */
#include "config.h"
#include "cli.h"
#include "polling.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static char *opt_count, *opt_for, *opt_time;
static int opt_all, opt_json;

static struct poptOption options[] = {
	TYPED_OPTIONS,
	INTERVAL_OPTION,
	{ "count", '\0', POPT_ARG_STRING, &opt_count, 0, "end after N changes", "N" },
	{ "for", '\0', POPT_ARG_STRING, &opt_for, 0, "end after DUR", "DUR" },
	{ "all", 'a', POPT_ARG_NONE, &opt_all, 0, "print every poll, changed or not", NULL },
	{ "time", '\0', POPT_ARG_STRING, &opt_time, 0, "timestamps: relative (seconds, default), iso or none", "FORM" },
	{ "json", '\0', POPT_ARG_NONE, &opt_json, 0, "one JSON object a line", NULL },
	FORCE_OPTION,
	COMMON_OPTIONS,
	POPT_TABLEEND
};

static const char *const examples[] = {
	"pvmio watch -t u32 1234 counter",
	"pvmio watch -t i32 --interval 10ms --count 5 1234 exe:state '[[exe:player]+0x10]+8'",
	"pvmio watch --json --for 1m 1234 '[heap]+0x40:16' | jq -c .value",
	NULL,
};

enum timestamps { TIME_RELATIVE, TIME_ISO, TIME_NONE };

struct view {
	struct out out;
	struct json json;
	enum timestamps time;
	struct vtype vt;
	int typed, big;
};

static void stamp(struct view *v, uint64_t start, uint64_t at, char *buf, size_t size)
{
	buf[0] = '\0';
	if (v->time == TIME_RELATIVE) {
		snprintf(buf, size, "%.3f", (double)(at - start) / 1e9);
	} else if (v->time == TIME_ISO) {
		struct timespec ts;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
	}
}

/* The value of P[0..len): -t values separated by spaces, else hex. */
static void text_value(struct view *v, const unsigned char *p, uint64_t len)
{
	char buf[VALUE_TEXT_MAX + 2];
	if (!v->typed) {
		hex_data(&v->out, p, (size_t)len);
		out_write(&v->out, "\n", 1);
		return;
	}
	for (uint64_t i = 0; i < len; i += v->vt.size) {
		value_text(buf + 1, sizeof buf - 1, &v->vt, v->big, 0, p + i);
		buf[0] = ' ';
		out_str(&v->out, i ? buf : buf + 1);
	}
	out_write(&v->out, "\n", 1);
}

static void json_value1(struct view *v, const unsigned char *p)
{
	value_json(&v->json, &v->vt, v->big, p);
}

static void json_value(struct view *v, const unsigned char *p, uint64_t len)
{
	if (!v->typed) {
		char *s = malloc(len * 2 + 1);
		if (!s) {
			json_null(&v->json);
			return;
		}
		hex_text(s, p, (size_t)len);
		json_string(&v->json, s);
		free(s);
		return;
	}
	if (len == v->vt.size) {
		json_value1(v, p);
		return;
	}
	json_array(&v->json);
	for (uint64_t i = 0; i < len; i += v->vt.size)
		json_value1(v, p + i);
	json_end(&v->json);
}

static void print(struct view *v, struct target *t, const struct watched *w, const char *when)
{
	char why[600] = "";
	if (!w->readable)
		watched_why(t, w, why, sizeof why);
	if (opt_json) {
		json_object(&v->json);
		if (v->time != TIME_NONE) {
			json_key(&v->json, "time");
			if (v->time == TIME_ISO)
				json_string(&v->json, when);
			else
				json_raw(&v->json, when);
		}
		json_key(&v->json, "range");
		json_string(&v->json, w->arg);
		json_key(&v->json, "address");
		json_hex(&v->json, w->r.addr);
		json_key(&v->json, "value");
		if (w->readable)
			json_value(v, w->now, w->r.len);
		else
			json_null(&v->json);
		json_key(&v->json, "previous");
		if (w->was_readable)
			json_value(v, w->before, w->r.len);
		else
			json_null(&v->json);
		if (!w->readable) {
			json_key(&v->json, "unreadable");
			json_string(&v->json, why);
		}
		json_end(&v->json);
		json_newline(&v->json);
		return;
	}
	if (when[0]) {
		out_str(&v->out, when);
		out_write(&v->out, " ", 1);
	}
	out_str(&v->out, w->arg);
	out_write(&v->out, " ", 1);
	if (w->readable) {
		text_value(v, w->now, w->r.len);
		return;
	}
	out_str(&v->out, "unreadable: ");
	out_str(&v->out, why);
	out_write(&v->out, "\n", 1);
}

static int choose_time(struct view *v)
{
	static const char *const names[] = { "relative", "iso", "none" };
	if (!opt_time)
		return 0;
	for (int i = 0; i < 3; i++) {
		if (strcmp(opt_time, names[i]) == 0) {
			v->time = (enum timestamps)i;
			return 0;
		}
	}
	cli_error("unknown --time '%s' (use relative, iso or none)", opt_time);
	return EXIT_USAGE;
}

static int run(const struct invocation *inv)
{
	struct target t = { 0 };
	struct watched *w = NULL;
	struct view v;
	memset(&v, 0, sizeof v);
	int n = inv->nargs - 1;
	uint64_t interval, duration = 0, changes_max = 0;
	struct perr e;
	int status = choose_time(&v);
	if (!status)
		status = poll_interval(&interval);
	if (!status && opt_for)
		status = duration_option("--for", opt_for, &duration);
	if (!status && opt_count && parse_number(opt_count, &changes_max, &e) < 0) {
		cli_error("--count: %s", e.msg);
		status = EXIT_USAGE;
	}
	if (!status && opt_count && !changes_max) {
		cli_error("--count: give at least 1 change");
		status = EXIT_USAGE;
	}
	if (!status && !typed.type && typed.endian) {
		cli_error("-e goes with -t TYPE");
		status = EXIT_USAGE;
	}
	if (status)
		return status;
	/* with -t, a bare ADDR is one value; ADDR:LEN, LEN / size of them */
	struct range_defaults def = { .hint = ", or -t TYPE" };
	status = poll_begin(&t, inv->args[0], &v.vt, &v.big, &def);
	if (status)
		goto out;
	v.typed = typed.type != NULL;
	status = watched_parse(&t, inv->args + 1, n, &def, &w);
	if (status)
		goto out;
	status = stdout_open(&v.out);
	if (status)
		goto out;
	json_init(&v.json, &v.out);
	struct schedule s;
	uint64_t changes = 0;
	schedule_start(&s, interval, duration);
	while (!status && schedule_next(&s)) {
		uint64_t at = monotonic_ns();
		status = watched_poll(&t, w, n);
		if (status)
			break;
		char when[64];
		stamp(&v, s.start, at, when, sizeof when);
		for (int i = 0; i < n; i++) {
			int first = s.polls == 1;
			int changed = !first && (w[i].readable != w[i].was_readable ||
						 (w[i].readable && memcmp(w[i].now, w[i].before, w[i].r.len) != 0));
			if (first || changed || opt_all)
				print(&v, &t, &w[i], when);
			changes += changed;
		}
		status = stdout_close(&v.out, status);
		if (changes_max && changes >= changes_max)
			break;
	}
	if (!status)
		schedule_report(&s, 1);
out:
	out_free(&v.out);
	watched_free(w, n);
	target_close(&t);
	return status;
}

const struct command cmd_watch = {
	.name = "watch",
	.run = run,
	.options = options,
	.synopsis = "PID RANGE...",
	.examples = examples,
	.summary = "print values as they change, at an interval",
};
