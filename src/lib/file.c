/* libpvmio: a stdio stream whose file position is the target's address. */
#include "config.h"
#include "pvmio.h"
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct cookie {
	struct pvmio *h;
	uint64_t pos;
};

static ssize_t cookie_read(void *c, char *buf, size_t size)
{
	struct cookie *k = c;
	if (!size)
		return 0;
	ssize_t n = pvmio_pread(k->h, buf, size, k->pos);
	if (n < 0) {
		/* At the top of the address space there is nothing more: EOF. */
		if (k->pos >= PVMIO_ADDR_LIMIT)
			return 0;
		errno = (int)-n;
		return -1;
	}
	k->pos += (uint64_t)n;
	return n;
}

static ssize_t cookie_write(void *c, const char *buf, size_t size)
{
	struct cookie *k = c;
	if (!size)
		return 0;
	ssize_t n = pvmio_pwrite(k->h, buf, size, k->pos);
	if (n < 0) {
		errno = (int)-n;
		return 0;	/* fopencookie's convention for an error */
	}
	k->pos += (uint64_t)n;
	return n;
}

/* Positions are addresses from 0 to 2^63 (the largest off64_t + 1 is not
 * representable, so the stream ends at 2^63 - 1); there is no end to seek
 * from, so SEEK_END is EINVAL. */
static int cookie_seek(void *c, off64_t *offset, int whence)
{
	struct cookie *k = c;
	int64_t base;
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)k->pos;
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	if ((*offset > 0 && base > INT64_MAX - *offset) || base + *offset < 0) {
		errno = EINVAL;
		return -1;
	}
	k->pos = (uint64_t)(base + *offset);
	*offset = (off64_t)k->pos;
	return 0;
}

static int cookie_close(void *c)
{
	struct cookie *k = c;
	pvmio_close(k->h);
	free(k);
	return 0;
}

FILE *pvmio_fopen(pid_t pid, const char *mode)
{
	int writable;
	if (mode && (strcmp(mode, "r") == 0 || strcmp(mode, "rb") == 0))
		writable = 0;
	else if (mode && (strcmp(mode, "r+") == 0 || strcmp(mode, "rb+") == 0 || strcmp(mode, "r+b") == 0))
		writable = 1;
	else {
		errno = EINVAL;
		return NULL;
	}
	struct cookie *k = calloc(1, sizeof *k);
	if (!k) {
		errno = ENOMEM;
		return NULL;
	}
	int rc = pvmio_open(pid, 0, &k->h);
	if (rc < 0) {
		free(k);
		errno = -rc;
		return NULL;
	}
	cookie_io_functions_t io = {
		.read = cookie_read,
		.write = writable ? cookie_write : NULL,
		.seek = cookie_seek,
		.close = cookie_close,
	};
	FILE *f = fopencookie(k, writable ? "r+" : "r", io);
	if (!f) {
		int err = errno;
		cookie_close(k);
		errno = err;
	}
	return f;
}
