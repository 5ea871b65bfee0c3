/* pvmio wait PID ADDR OP [VALUE]: block until the value at ADDR meets a
 * condition. */
#include "config.h"
#include "cli.h"
#include "polling.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *opt_timeout;
static int opt_quiet, opt_retry;

static struct poptOption options[] = {
	TYPED_OPTIONS,
	INTERVAL_OPTION,
	{ "timeout", '\0', POPT_ARG_STRING, &opt_timeout, 0, "give up after DUR: exit 5", "DUR" },
	{ "retry-unreadable", '\0', POPT_ARG_NONE, &opt_retry, 0, "unreadable memory is polled again, not exit 1",
	  NULL },
	{ "quiet", 'q', POPT_ARG_NONE, &opt_quiet, 0, "print nothing; the exit status tells", NULL },
	FORCE_OPTION,
	COMMON_OPTIONS,
	POPT_TABLEEND
};

static const char *const examples[] = {
	"pvmio wait -t u32 1234 exe:state eq 3 && ./run-load-test",
	"pvmio wait -t i64 --timeout 30s 1234 counter ge 1000000",
	"pvmio wait --interval 10ms 1234 '[heap]+0x40:8' changed",
	NULL,
};

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_CHANGED };
static const char *const op_names[] = { "eq", "ne", "lt", "le", "gt", "ge", "changed" };

static int parse_op(const char *s, enum op *op)
{
	for (int i = 0; i <= OP_CHANGED; i++) {
		if (strcmp(s, op_names[i]) == 0) {
			*op = (enum op)i;
			return 0;
		}
	}
	cli_error("unknown condition '%s' (use eq, ne, lt, le, gt, ge or changed)", s);
	return EXIT_USAGE;
}

struct condition {
	enum op op;
	int typed, big;
	struct vtype vt;
	const unsigned char *want;	/* VALUE's bytes; for changed, the first value read */
};

static int holds(const struct condition *c, const unsigned char *now, size_t len)
{
	if (c->op == OP_CHANGED || !c->typed) {
		int same = memcmp(now, c->want, len) == 0;
		return c->op == OP_NE || c->op == OP_CHANGED ? !same : same;
	}
	int k = value_compare(&c->vt, c->big, now, c->want);
	switch (c->op) {
	case OP_EQ:
		return k == 0;
	case OP_NE:
		return k != 0;
	case OP_LT:
		return k == -1;
	case OP_LE:
		return k == -1 || k == 0;
	case OP_GT:
		return k == 1;
	default:
		return k == 1 || k == 0;
	}
}

static void value_words(const struct condition *c, const unsigned char *p, size_t len, char *buf, size_t size)
{
	if (c->typed) {
		value_text(buf, size, &c->vt, c->big, 0, p);
		return;
	}
	/* as much as fits, then "..." */
	size_t fit = len < (size - 4) / 2 ? len : (size - 4) / 2;
	hex_text(buf, p, fit);
	if (fit < len)
		strcat(buf, "...");
}

/* The usage errors that need no process. */
static int check_words(const struct invocation *inv, struct condition *c)
{
	int status = parse_op(inv->args[2], &c->op);
	if (status)
		return status;
	if (c->op == OP_CHANGED && inv->nargs > 3) {
		cli_error("'changed' takes no VALUE");
		return EXIT_USAGE;
	}
	if (c->op != OP_CHANGED && inv->nargs != 4) {
		cli_error(inv->nargs < 4 ? "missing VALUE after '%s' (see 'pvmio wait --help')"
					 : "'%s' takes one VALUE",
			  op_names[c->op]);
		return EXIT_USAGE;
	}
	if (c->op >= OP_LT && c->op <= OP_GE && !typed.type) {
		cli_error("'%s' compares numbers: give -t TYPE", op_names[c->op]);
		return EXIT_USAGE;
	}
	if (!typed.type && typed.endian) {
		cli_error("-e goes with -t TYPE");
		return EXIT_USAGE;
	}
	return 0;
}

static int run(const struct invocation *inv)
{
	struct target t = { 0 };
	struct watched *w = NULL;
	struct bytes want = { 0 };
	struct condition c = { 0 };
	struct perr e;
	uint64_t interval, timeout = 0;
	int status = check_words(inv, &c);
	if (!status)
		status = poll_interval(&interval);
	if (!status && opt_timeout)
		status = duration_option("--timeout", opt_timeout, &timeout);
	if (status)
		return status;
	struct range_defaults def = { .hint = ", -t TYPE, or a VALUE in hex" };
	status = poll_begin(&t, inv->args[0], &c.vt, &c.big, &def);
	if (status)
		goto out;
	/* one value, whatever a name's size */
	c.typed = typed.type != NULL;
	def.explicit_len = c.typed;
	if (c.op != OP_CHANGED) {
		if (data_from_args(&t, inv->args + 3, 1, &want, &e) < 0) {
			status = report_perr(&e);
			goto out;
		}
		if (!want.len) {
			cli_error("an empty VALUE has nothing to compare");
			status = EXIT_USAGE;
			goto out;
		}
		if (!typed.type) {
			def.len = want.len;
			def.have_len = def.explicit_len = 1;
		}
	}
	status = watched_parse(&t, inv->args + 1, 1, &def, &w);
	if (status)
		goto out;
	if ((c.typed && w->r.len != c.vt.size) || (want.len && w->r.len != want.len)) {
		cli_error("'%s' is %" PRIu64 " bytes, the value %zu: wait compares one value", inv->args[1], w->r.len,
			  c.typed ? (size_t)c.vt.size : want.len);
		status = EXIT_USAGE;
		goto out;
	}
	c.want = want.p;
	struct schedule s;
	int met = 0;
	char words[160], why[600];
	schedule_start(&s, interval, timeout);
	while (!status && !met && schedule_next(&s)) {
		status = watched_poll(&t, w, 1);
		if (status)
			break;
		if (!w->readable) {
			if (opt_retry)
				continue;
			watched_why(&t, w, why, sizeof why);
			if (w->why[0])	/* a chain's step, which says where */
				cli_error("%s", why);
			else
				cli_error("cannot read '%s' at 0x%" PRIx64 ": %s", w->arg, w->bad, why);
			status = EXIT_MEMORY;
			break;
		}
		if (c.op == OP_CHANGED && !c.want) {
			/* the first value is what it must change from */
			if (bytes_push(&want, w->now, (size_t)w->r.len) < 0) {
				cli_error("out of memory");
				status = EXIT_LOCAL;
				break;
			}
			c.want = want.p;
			continue;
		}
		met = holds(&c, w->now, (size_t)w->r.len);
	}
	if (!status)
		schedule_report(&s, 0);
	if (status)
		goto out;
	if (met) {
		value_words(&c, w->now, (size_t)w->r.len, words, sizeof words);
		if (!opt_quiet)
			printf("%s\n", words);
		goto out;
	}
	if (cli_interrupted) {
		cli_error("interrupted before '%s' was %s%s%s", w->arg, op_names[c.op], c.op == OP_CHANGED ? "" : " ",
			  c.op == OP_CHANGED ? "" : inv->args[3]);
		status = 128 + cli_interrupted;
		goto out;
	}
	if (!w->polled || !w->readable)
		snprintf(words, sizeof words, "unreadable");
	else
		value_words(&c, w->now, (size_t)w->r.len, words, sizeof words);
	cli_error("timed out after %s: '%s' is %s, not %s%s%s", opt_timeout, w->arg, words, op_names[c.op],
		  c.op == OP_CHANGED ? "" : " ", c.op == OP_CHANGED ? "" : inv->args[3]);
	status = EXIT_TIMEOUT;
out:
	bytes_free(&want);
	watched_free(w, 1);
	target_close(&t);
	return status;
}

const struct command cmd_wait = {
	.name = "wait",
	.run = run,
	.options = options,
	.synopsis = "PID ADDR OP [VALUE]",
	.examples = examples,
	.summary = "block until the value at ADDR meets a condition",
};
