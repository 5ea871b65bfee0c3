/* libpvmio: the maps list of a live process. */
#include "config.h"
#include "pvmio.h"
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads of a list that changed while it was read, before giving up. */
#define MAPS_TRIES 100

int pvmio_maps_read(struct pvmio *h, struct pvmio_maps **out)
{
	char path[64], *text;
	size_t len;
	*out = NULL;
	if (h->core)
		return lib_core_maps(h->core, out);
	int rc;
	/* The kernel writes the list a page at a time, letting go of the
	 * address space in between: a process that maps and unmaps meanwhile
	 * gives lines out of order or overlapping (EINVAL from the parser).
	 * Read it again; a process held by --stop gives it whole at once. */
	for (int tries = 0;; tries++) {
		pid_t pid;
		do {
			pid = lib_io_pid(h);
			lib_proc_path(path, sizeof path, pid, "maps");
			rc = lib_slurp(path, &text, &len);
		} while (rc == -ENOENT && lib_retarget(h, pid) == 0);
		if (rc < 0)
			return rc == -ENOENT ? -ESRCH : rc;
		/* A process lists no mappings once its address space is gone,
		 * which can be before the pidfd says it exited: no user process
		 * runs with none. */
		rc = len ? pvmio_check_alive(h) : -ESRCH;
		if (rc == 0)
			rc = pvmio_maps_parse(text, len, out);
		free(text);
		if (rc != -EINVAL || tries == MAPS_TRIES)
			break;
	}
	if (rc == -EINVAL)
		return -EAGAIN;	/* it never stood still long enough */
	if (rc < 0)
		return rc;
	char exe[PATH_MAX];
	lib_proc_path(path, sizeof path, lib_io_pid(h), "exe");
	ssize_t n = readlink(path, exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		(*out)->exe = strdup(exe);
	}
	return 0;
}
