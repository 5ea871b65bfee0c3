/* libpvmio: the maps list of a live process. */
#include "config.h"
#include "pvmio.h"
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int pvmio_maps_read(struct pvmio *h, struct pvmio_maps **out)
{
	char path[64], *text;
	size_t len;
	*out = NULL;
	if (h->core)
		return lib_core_maps(h->core, out);
	int rc;
	do {
		lib_proc_path(path, sizeof path, h->io_pid, "maps");
		rc = lib_slurp(path, &text, &len);
	} while (rc == -ENOENT && lib_retarget(h) == 0);
	if (rc < 0)
		return rc == -ENOENT ? -ESRCH : rc;
	/* A process lists no mappings once its address space is gone, which
	 * can be before the pidfd says it exited: no user process runs with
	 * none. */
	rc = len ? pvmio_check_alive(h) : -ESRCH;
	if (rc == 0)
		rc = pvmio_maps_parse(text, len, out);
	free(text);
	if (rc < 0)
		return rc;
	char exe[PATH_MAX];
	lib_proc_path(path, sizeof path, h->io_pid, "exe");
	ssize_t n = readlink(path, exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		(*out)->exe = strdup(exe);
	}
	return 0;
}
