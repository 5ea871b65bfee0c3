/* pvmio maps PID [NAME...]: the mappings, in a form that pastes back. */
#include "config.h"
#include "cli.h"
#include "safe_text.h"

#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int opt_json;

static struct poptOption options[] = {
	{ "json", '\0', POPT_ARG_NONE, &opt_json, 0, "print a JSON array of objects", NULL },
	SELECT_OPTIONS,
	COMMON_OPTIONS,
	POPT_TABLEEND
};

static const char *const examples[] = {
	"pvmio maps 1234",
	"pvmio maps --perms rw --name 'lib*.so*' --name anon 1234",
	"pvmio maps --json 1234 | jq -r '.[] | select(.perms | test(\"w\")) | .start'",
	NULL,
};

/* Sizes are page multiples: K, M or G keeps them exact and valid LEN. */
static void size_text(char *buf, size_t n, uint64_t size)
{
	if (size && size % ((uint64_t)1 << 30) == 0)
		snprintf(buf, n, "%" PRIu64 "G", size >> 30);
	else if (size && size % ((uint64_t)1 << 20) == 0)
		snprintf(buf, n, "%" PRIu64 "M", size >> 20);
	else if (size % 1024 == 0)
		snprintf(buf, n, "%" PRIu64 "K", size >> 10);
	else
		snprintf(buf, n, "%" PRIu64, size);
}

/* Listed: a mapping of one of the NAMEs or --name patterns (any, when
 * none is given) that has the --perms. */
static int keep(const struct pvmio_maps *maps, const struct pvmio_mapping *m, const char **want, int nwant,
		const struct selection *s)
{
	struct selection perms_only = *s;
	perms_only.names = NULL;
	if (!selection_keeps(&perms_only, maps, m))
		return 0;
	for (int k = 0; k < nwant; k++)
		if (strcmp(m->name, want[k]) == 0)
			return 1;
	if (s->names)
		return selection_keeps(s, maps, m);
	return nwant == 0;
}

static int run(const struct invocation *inv)
{
	struct target t = { 0 };
	struct out o = { 0 };
	const char **want = NULL;
	const char **args = inv->args;
	int nargs = inv->nargs;
	struct selection s;
	int status = selection_from_options(&s);
	if (!status)
		status = target_begin(&t, args[0]);
	if (!status)
		status = target_maps(&t);
	if (status)
		goto out;
	want = calloc((size_t)nargs, sizeof *want);
	for (int i = 1; i < nargs && want; i++) {
		struct perr e;
		if (match_name(t.maps, args[i], &want[i - 1], &e) < 0) {
			status = report_parse_error(&t, &e);
			goto out;
		}
	}
	status = want ? stdout_open(&o) : EXIT_LOCAL;
	if (!want)
		cli_error("out of memory");
	if (status)
		goto out;
	/* The range column is as wide as the widest range listed. */
	int width = 0;
	for (size_t i = 0; i < t.maps->n; i++) {
		if (!keep(t.maps, &t.maps->v[i], want, nargs - 1, &s))
			continue;
		int w = snprintf(NULL, 0, "0x%" PRIx64 "..0x%" PRIx64, t.maps->v[i].start, t.maps->v[i].end);
		width = w > width ? w : width;
	}
	struct json j;
	json_init(&j, &o);
	if (opt_json)
		json_array(&j);
	for (size_t i = 0; i < t.maps->n; i++) {
		const struct pvmio_mapping *m = &t.maps->v[i];
		if (!keep(t.maps, m, want, nargs - 1, &s))
			continue;
		if (opt_json) {
			json_object(&j);
			json_key(&j, "start");
			json_hex(&j, m->start);
			json_key(&j, "end");
			json_hex(&j, m->end);
			json_key(&j, "size");
			json_uint(&j, m->end - m->start);
			json_key(&j, "perms");
			json_string(&j, m->perms);
			json_key(&j, "offset");
			json_hex(&j, m->offset);
			char dev[16];
			snprintf(dev, sizeof dev, "%02x:%02x", m->dev_major, m->dev_minor);
			json_key(&j, "dev");
			json_string(&j, dev);
			json_key(&j, "inode");
			json_uint(&j, m->inode);
			json_key(&j, "name");
			json_string(&j, m->name);
			json_key(&j, "deleted");
			json_bool(&j, name_deleted(m->name));
			json_end(&j);
			continue;
		}
		char line[512], range[64], size[32];
		snprintf(range, sizeof range, "0x%" PRIx64 "..0x%" PRIx64, m->start, m->end);
		size_text(size, sizeof size, m->end - m->start);
		snprintf(line, sizeof line, "%-*s %s 0x%-8" PRIx64 " %6s%s", width, range, m->perms, m->offset, size,
			 m->name[0] ? " " : "");
		out_str(&o, line);
		char name[4 * PATH_MAX + 1];
		safe_text(m->name, name, sizeof name);
		out_str(&o, name);
		out_str(&o, "\n");
	}
	if (opt_json) {
		json_end(&j);
		out_str(&o, "\n");
	}
	status = stdout_close(&o, status);
out:
	free(want);
	out_free(&o);
	target_close(&t);
	return status;
}

const struct command cmd_maps = {
	.name = "maps",
	.run = run,
	.options = options,
	.synopsis = "PID [NAME...]",
	.examples = examples,
	.summary = "list the mappings",
};
