/* libpvmio: what /proc says of a process: its paths, files, state and
 * threads.  A leaf: it knows nothing of a handle. */
#include "config.h"
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A first guess at a /proc file's size; it doubles as needed. */
#define SLURP_START ((size_t)16 << 10)
#define SLURP_MIN_ROOM ((size_t)4 << 10)

int lib_proc_path(char *buf, size_t size, pid_t pid, const char *leaf)
{
	int n = snprintf(buf, size, "/proc/%d/%s", (int)pid, leaf);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Reads a whole small /proc file into a NUL-terminated malloc'd buffer. */
int lib_slurp(const char *path, char **out, size_t *outlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t cap = SLURP_START, len = 0;
	char *buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (cap - len < SLURP_MIN_ROOM) {
			char *bigger = realloc(buf, cap * 2);
			if (!bigger) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = bigger;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + len, cap - len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int err = -errno;
			free(buf);
			close(fd);
			return err;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	if (outlen)
		*outlen = len;
	return 0;
}

/* Reads the state letter, the flags and the start time from
 * /proc/PID/stat.  The command name may hold spaces and parentheses, so
 * parse after the last ')'. */
int lib_proc_stat(pid_t pid, struct lib_stat *st)
{
	char path[64], *text;
	lib_proc_path(path, sizeof path, pid, "stat");
	int rc = lib_slurp(path, &text, NULL);
	if (rc < 0)
		return rc == -ENOENT ? -ESRCH : rc;
	char *p = strrchr(text, ')');
	if (!p || p[1] != ' ' || !p[2]) {
		free(text);
		return -EIO;
	}
	*st = (struct lib_stat){ 0 };
	/* Fields 3 (state) to 22 (start time), after the command's ')'. */
	long skip;
	if (sscanf(p + 2, "%c %ld %ld %ld %ld %ld %lu %ld %ld %ld %ld %llu %llu %llu %llu %ld %ld %ld %ld %llu", &st->state,
		   &st->ppid, &st->pgrp, &st->session, &skip, &skip, &st->flags, &skip, &skip, &skip, &skip, &st->utime,
		   &st->stime, &st->cutime, &st->cstime, &skip, &st->nice, &skip, &skip, &st->starttime) != 20)
		rc = -EIO;
	free(text);
	return rc;
}

int lib_gone(char state)
{
	return state == 'Z' || state == 'X';
}

pid_t lib_thread_group(pid_t pid)
{
	char path[64], *text;
	lib_proc_path(path, sizeof path, pid, "status");
	int rc = lib_slurp(path, &text, NULL);
	if (rc < 0)
		return rc == -ENOENT ? -ESRCH : rc; /* ENOMEM is not a missing process */
	char *p = strstr(text, "\nTgid:");
	pid_t tgid = p ? (pid_t)strtol(p + 6, NULL, 10) : 0;
	free(text);
	return tgid > 0 ? tgid : -ESRCH;
}

/* A thread of the group that has not exited: the leader, if it lives.
 * A leader that called pthread_exit stays a zombie while its threads run,
 * and its /proc entries then show no memory. */
pid_t lib_live_thread(pid_t tgid)
{
	struct lib_stat st;
	int rc = lib_proc_stat(tgid, &st);
	if (rc == 0 && !lib_gone(st.state))
		return tgid;
	if (rc == -ENOMEM)
		return rc;
	char path[64];
	lib_proc_path(path, sizeof path, tgid, "task");
	DIR *d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	pid_t live = -ESRCH;
	struct dirent *e;
	while (live < 0 && (e = readdir(d))) {
		pid_t tid = (pid_t)strtol(e->d_name, NULL, 10);
		if (tid <= 0 || tid == tgid)
			continue;
		rc = lib_proc_stat(tid, &st);
		if (rc == 0 && !lib_gone(st.state))
			live = tid;
		else if (rc == -ENOMEM)
			live = rc; /* out of memory, not out of threads */
	}
	closedir(d);
	return live;
}

int lib_group_alive(const struct lib_pin *pin)
{
	if (pin->pidfd >= 0) {
		/* The pidfd is readable once the whole thread group is gone. */
		struct pollfd p = { .fd = pin->pidfd, .events = POLLIN };
		int n;
		do
			n = poll(&p, 1, 0);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -errno;
		return n > 0 ? -ESRCH : 0;
	}
	/* Without a pidfd: the leader's start time, and a live thread. */
	struct lib_stat st;
	int rc = lib_proc_stat(pin->tgid, &st);
	if (rc < 0)
		return rc;
	if (st.starttime != pin->starttime)
		return -ESRCH;
	return lib_gone(st.state) && lib_live_thread(pin->tgid) < 0 ? -ESRCH : 0;
}
