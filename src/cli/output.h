/* A buffered writer to a file descriptor (output.c). */
#ifndef PVMIO_OUTPUT_H
#define PVMIO_OUTPUT_H

#include <stddef.h>

/* A buffered writer to a file descriptor; a failed write is kept in err
 * (an errno) and later writes are dropped. */
struct out {
	int fd;
	int err;
	int pipe;	/* fd is a pipe (or FIFO) */
	char *buf;
	size_t len, cap;
};
int out_init(struct out *o, int fd);
void out_free(struct out *o);
void out_write(struct out *o, const void *p, size_t n);
void out_str(struct out *o, const char *s);
int out_flush(struct out *o);
/* Room for n more bytes at the end of the buffer (n <= the capacity). */
char *out_room(struct out *o, size_t n);

#endif
