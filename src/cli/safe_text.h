/* Text a process chose (its name, its mappings' paths, its symbols), made
 * safe to show: every control byte as \xHH, so that a line stays one line
 * and no terminal escape reaches the user's terminal.  Header-only: the
 * access checks' C test links no other file of the command line. */
#ifndef PVMIO_SAFE_TEXT_H
#define PVMIO_SAFE_TEXT_H

#include <stddef.h>
#include <stdio.h>

static inline int safe_byte(unsigned char c)
{
	return c >= 0x20 && c != 0x7f;
}

/* IN into OUT (SIZE bytes, cut short to fit, always terminated). */
static inline void safe_text(const char *in, char *out, size_t size)
{
	size_t k = 0;
	for (const unsigned char *p = (const unsigned char *)in; *p && k + 5 <= size; p++) {
		if (safe_byte(*p))
			out[k++] = (char)*p;
		else
			k += (size_t)snprintf(out + k, size - k, "\\x%02x", *p);
	}
	if (size)
		out[k < size ? k : size - 1] = '\0';
}

/* Whether IN has a byte safe_text would change. */
static inline int has_control(const char *in)
{
	for (const unsigned char *p = (const unsigned char *)in; *p; p++)
		if (!safe_byte(*p))
			return 1;
	return 0;
}

#endif
