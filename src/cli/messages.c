/* Messages and exit statuses (messages.h). */
#include "config.h"
#include "messages.h"
#include "options.h"
#include "safe_text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *cli_command = NULL;

/* Messages quote what they name (paths, process names, input lines): a
 * control byte in them is shown as \xHH, so that a message stays one
 * line and no terminal escape reaches the user's terminal. */
__attribute__((format(printf, 1, 0))) static void message(const char *fmt, va_list ap)
{
	char buf[2048], safe[4 * sizeof buf + 1];
	vsnprintf(buf, sizeof buf, fmt, ap);
	safe_text(buf, safe, sizeof safe);
	fprintf(stderr, "pvmio: %s%s%s\n", cli_command ? cli_command : "", cli_command ? ": " : "", safe);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	message(fmt, ap);
	va_end(ap);
}

void cli_verbose(const char *fmt, ...)
{
	if (!common.verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	message(fmt, ap);
	va_end(ap);
}

int exit_status_for(int err)
{
	switch (err) {
	case 0:
		return EXIT_DONE;
	case -EFAULT:
	case -EIO:
	case -ENODATA:
	case -ENOSYS:
		return EXIT_MEMORY;
	case -EINVAL:
		return EXIT_USAGE;
	case -ENOMEM:
	case -EINTR:
	case -EPIPE:
	case -ENOSPC:
	case -EDQUOT:
	case -EBADF:
	case -EFBIG:
	case -EMFILE:	/* pvmio's own file descriptors, not the target's */
	case -ENFILE:
		return EXIT_LOCAL;
	default:
		/* ESRCH, EPERM, EACCES, ENXIO, EDEADLK...: the process */
		return EXIT_PROCESS;
	}
}

int report_perr(const struct perr *e)
{
	cli_error("%s", e->msg);
	/* a chain whose pointer cannot be followed is memory, as a read is */
	return e->kind == PERR_NOMEM ? EXIT_LOCAL : e->kind == PERR_MEMORY ? EXIT_MEMORY : EXIT_USAGE;
}

int stdout_open(struct out *o)
{
	if (out_init(o, 1) == 0)
		return 0;
	cli_error("out of memory");
	return EXIT_LOCAL;
}

int stdout_close(struct out *o, int status)
{
	if (out_flush(o) == 0)
		return status;
	cli_error("cannot write to stdout: %s", strerror(o->err));
	return EXIT_LOCAL;
}
