/* pvmio_stop on the calling process itself.  ptrace cannot seize one's own
 * threads, and the SIGSTOP fallback would stop the caller with nobody left
 * to continue it: pvmio_stop must fail instead (today it stops the caller
 * for good). */
#include "config.h"
#include "pvmio.h"
#include "libtest.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		t_bail("fork: %s", strerror(errno));
	if (pid == 0) {
		struct pvmio *h = NULL;
		if (pvmio_open(getpid(), 0, &h) < 0)
			_exit(2);
		int rc = pvmio_stop(h);
		pvmio_close(h);
		_exit(rc < 0 ? 0 : 1);
	}
	int st;
	while (waitpid(pid, &st, WUNTRACED) < 0 && errno == EINTR)
		;
	t_ok(!WIFSTOPPED(st), "pvmio_stop(own process) does not stop the caller");
	if (WIFSTOPPED(st)) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	} else {
		t_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "it returns an error (exit %d)",
		     WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	}
	return t_done();
}
