/* Parse errors (perr.h). */
#include "config.h"
#include "perr.h"

#include <stdarg.h>
#include <stdio.h>

__attribute__((format(printf, 3, 0))) static int vset(struct perr *e, enum perr_kind kind, const char *fmt, va_list ap)
{
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	e->kind = kind;
	return -1;
}

int perr_set(struct perr *e, enum perr_kind kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(e, kind, fmt, ap);
	va_end(ap);
	return -1;
}

int syntax_error(struct perr *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(e, PERR_SYNTAX, fmt, ap);
	va_end(ap);
	return -1;
}

int nomem(struct perr *e)
{
	return perr_set(e, PERR_NOMEM, "out of memory");
}
