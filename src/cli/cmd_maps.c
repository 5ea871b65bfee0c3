/* pvmio maps PID [NAME...]: the mappings, in a form that pastes back. */
#include "config.h"
#include "cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int opt_json;

static struct poptOption options[] = {
	{ "json", '\0', POPT_ARG_NONE, &opt_json, 0, "print a JSON array of objects", NULL },
	COMMON_OPTIONS,
	POPT_TABLEEND
};

static const char *const examples[] = {
	"pvmio maps 1234",
	"pvmio maps 1234 libc.so.6 heap",
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

static int utf8_valid(const unsigned char *s)
{
	while (*s) {
		int extra = *s < 0x80 ? 0 : (*s & 0xe0) == 0xc0 ? 1 : (*s & 0xf0) == 0xe0 ? 2 : (*s & 0xf8) == 0xf0 ? 3 : -1;
		if (extra < 0 || (extra == 1 && *s < 0xc2))
			return 0;
		s++;
		for (int i = 0; i < extra; i++, s++)
			if ((*s & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

/* A JSON string; bytes that are not UTF-8 become U+FFFD. */
static void json_string(struct out *o, const char *s)
{
	int valid = utf8_valid((const unsigned char *)s);
	out_write(o, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			out_write(o, esc, 2);
		} else if (*p < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", *p);
			out_str(o, esc);
		} else if (*p >= 0x80 && !valid) {
			out_str(o, "\\ufffd");
		} else {
			out_write(o, p, 1);
		}
	}
	out_write(o, "\"", 1);
}

static int keep(const struct pvmio_mapping *m, const char **want, int nwant)
{
	for (int k = 0; k < nwant; k++)
		if (strcmp(m->name, want[k]) == 0)
			return 1;
	return nwant == 0;
}

static int run(const struct invocation *inv)
{
	struct target t = { 0 };
	struct out o = { 0 };
	const char **want = NULL;
	const char **args = inv->args;
	int nargs = inv->nargs;
	int status = target_open(&t, args[0], 0);
	if (status)
		goto out;
	status = target_stop(&t);
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
	if (!want || out_init(&o, 1) < 0) {
		cli_error("out of memory");
		status = EXIT_LOCAL;
		goto out;
	}
	/* The range column is as wide as the widest range listed. */
	int width = 0, first = 1;
	for (size_t i = 0; i < t.maps->n; i++) {
		if (!keep(&t.maps->v[i], want, nargs - 1))
			continue;
		int w = snprintf(NULL, 0, "0x%" PRIx64 "..0x%" PRIx64, t.maps->v[i].start, t.maps->v[i].end);
		width = w > width ? w : width;
	}
	if (opt_json)
		out_str(&o, "[");
	for (size_t i = 0; i < t.maps->n; i++) {
		const struct pvmio_mapping *m = &t.maps->v[i];
		if (!keep(m, want, nargs - 1))
			continue;
		char line[512];
		if (opt_json) {
			snprintf(line, sizeof line,
				 "%s\n  {\"start\": \"0x%" PRIx64 "\", \"end\": \"0x%" PRIx64 "\", \"size\": %" PRIu64
				 ", \"perms\": \"%s\", \"offset\": \"0x%" PRIx64 "\", \"dev\": \"%02x:%02x\", \"inode\": %" PRIu64
				 ", \"name\": ",
				 first ? "" : ",", m->start, m->end, m->end - m->start, m->perms, m->offset, m->dev_major,
				 m->dev_minor, m->inode);
			out_str(&o, line);
			json_string(&o, m->name);
			out_str(&o, name_deleted(m->name) ? ", \"deleted\": true}" : ", \"deleted\": false}");
		} else {
			char range[64], size[32];
			snprintf(range, sizeof range, "0x%" PRIx64 "..0x%" PRIx64, m->start, m->end);
			size_text(size, sizeof size, m->end - m->start);
			snprintf(line, sizeof line, "%-*s %s 0x%-8" PRIx64 " %6s%s", width, range, m->perms, m->offset, size,
				 m->name[0] ? " " : "");
			out_str(&o, line);
			out_str(&o, m->name);
			out_str(&o, "\n");
		}
		first = 0;
	}
	if (opt_json)
		out_str(&o, first ? "]\n" : "\n]\n");
	if (out_flush(&o) < 0) {
		cli_error("cannot write to stdout: %s", strerror(o.err));
		status = EXIT_LOCAL;
	}
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
