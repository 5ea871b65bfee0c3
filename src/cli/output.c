/* The buffered writer (output.h): one large buffer, so that formatters
 * compose lines in place and a write() goes out every 256 KiB. */
#include "config.h"
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUT_CAP ((size_t)256 << 10)
/* The largest pipe an unprivileged process may ask for. */
#define PIPE_GROW (1 << 20)

int out_init(struct out *o, int fd)
{
	*o = (struct out){ .fd = fd, .cap = OUT_CAP };
	o->buf = malloc(o->cap);
	/* A pipe of the default 64 KiB costs a context switch per 64 KiB;
	 * at 1 MiB (the unprivileged limit) a 1 GiB read into cat runs 2.7
	 * times faster.  Refused or not a pipe: nothing changes. */
	struct stat st;
	o->pipe = fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
	if (o->pipe && fcntl(fd, F_GETPIPE_SZ) < PIPE_GROW)
		fcntl(fd, F_SETPIPE_SZ, PIPE_GROW);
	return o->buf ? 0 : -ENOMEM;
}

void out_free(struct out *o)
{
	free(o->buf);
	o->buf = NULL;
}

/* A write a signal interrupts is made again, but not for ever (as the
 * library's PVMIO_EINTR_MAX): a fault injected under strace, or a storm
 * of signals, ends it with EINTR. */
#define EINTR_MAX 1000

static void out_drain(struct out *o, const char *p, size_t n)
{
	unsigned tries = 0;
	while (n && !o->err) {
		ssize_t w = write(o->fd, p, n);
		if (w < 0) {
			/* A closed pipe.  The kernel's SIGPIPE went to this
			 * thread, which may be the library's read-ahead thread,
			 * which takes no signals: give it to the process, so
			 * that pvmio ends by it as cat does (resuming a stopped
			 * target first, on the thread that stopped it). */
			int err = errno;
			if (err == EPIPE)
				kill(getpid(), SIGPIPE);
			if (err != EINTR || ++tries >= EINTR_MAX)
				o->err = err;
			continue;
		}
		p += w;
		n -= (size_t)w;
	}
}

int out_flush(struct out *o)
{
	out_drain(o, o->buf, o->len);
	o->len = 0;
	return o->err ? -o->err : 0;
}

char *out_room(struct out *o, size_t n)
{
	if (o->cap - o->len < n)
		out_flush(o);
	return o->buf + o->len;
}

void out_write(struct out *o, const void *p, size_t n)
{
	if (n >= o->cap / 2) {
		/* Large blocks go straight out, without a copy. */
		out_flush(o);
		out_drain(o, p, n);
		return;
	}
	memcpy(out_room(o, n), p, n);
	o->len += n;
}

void out_str(struct out *o, const char *s)
{
	out_write(o, s, strlen(s));
}
