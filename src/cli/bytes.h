/* A growable byte buffer, for data and patterns of any length. */
#ifndef PVMIO_BYTES_H
#define PVMIO_BYTES_H

#include <stddef.h>

struct bytes {
	unsigned char *p;
	size_t len, cap;
};
/* Appends N bytes; 0, or -ENOMEM with B unchanged. */
int bytes_push(struct bytes *b, const void *data, size_t n);
void bytes_free(struct bytes *b);

#endif
