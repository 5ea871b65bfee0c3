/* Core files: pvmio_core_write of a child whose memory the test knows,
 * then pvmio_open_core on the file, read back against the child. */
#include "config.h"
#include "pvmio.h"
#include "libtest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t page;

static int collect(void *ctx, const struct pvmio_chunk *c)
{
	char *log = ctx;
	size_t n = strlen(log);
	snprintf(log + n, 512 - n, "%s%llu:%d ", c->data ? "data" : "hole", (unsigned long long)(c->len / page),
		 c->data ? 0 : -c->err);
	return 0;
}

/* Writes a core of the child with FILTER into PATH; the summary. */
static struct pvmio_core_summary write_core(struct pvmio *h, const char *path, long filter)
{
	struct pvmio_core_summary sum = { 0 };
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		t_bail("open %s: %s", path, strerror(errno));
	struct pvmio_core_options o = { .filter = filter };
	t_eq(pvmio_core_write(h, fd, &o, &sum), 0, "pvmio_core_write (filter %ld)", filter);
	close(fd);
	return sum;
}

int main(void)
{
	page = t_page();
	struct t_child c;
	t_child_start(&c, 2);
	char path[] = "/tmp/pvmio-core-test-XXXXXX";
	int tmp = mkstemp(path);
	if (tmp < 0)
		t_bail("mkstemp: %s", strerror(errno));
	close(tmp);

	struct pvmio *h = NULL;
	if (pvmio_open(c.pid, 0, &h) < 0)
		t_bail("pvmio_open(child) failed");
	t_eq(pvmio_stop(h), PVMIO_STOPPED_PTRACE, "the child is stopped by ptrace");
	struct pvmio_core_summary sum = write_core(h, path, -1);
	t_eq((long long)sum.threads, 3, "the registers of its 3 threads");
	t_eq((long long)sum.unreadable, 0, "nothing unreadable");
	struct stat st;
	t_ok(stat(path, &st) == 0 && (uint64_t)st.st_size == sum.size, "the file is as long as the summary says");
	t_ok(sum.dumped >= 5 * page && sum.zero <= sum.dumped, "%llu bytes of memory, %llu of them zero pages",
	     (unsigned long long)sum.dumped, (unsigned long long)sum.zero);
	struct pvmio_maps *live = NULL;
	t_eq(pvmio_maps_read(h, &live), 0, "the child's maps");
	t_eq(pvmio_core_write(h, -1, NULL, NULL) < 0, 1, "a bad fd fails");

	struct pvmio *k = NULL;
	t_eq(pvmio_open_core(path, &k), 0, "pvmio_open_core");
	if (!k)
		t_bail("cannot go on without the core");
	t_eq(pvmio_is_core(k), 1, "pvmio_is_core: 1");
	t_eq(pvmio_is_core(h), 0, "and 0 for the process");
	t_eq(pvmio_pid(k), c.pid, "the pid it records");
	t_eq(pvmio_pointer_size(k), (long long)sizeof(void *), "the pointer size");
	t_eq(pvmio_check_alive(k), 0, "a core never exits");
	t_eq(pvmio_stop(k), 0, "pvmio_stop does nothing");

	unsigned char *buf = calloc(4, page), *want = calloc(4, page);
	for (size_t i = 0; i < 2 * page; i++)
		want[i] = t_byte((int)(i / page), i % page);
	t_eq(pvmio_pread(k, buf, 2 * page, t_addr(&c, T_DATA0, 0)), (long long)(2 * page), "DATA reads whole");
	t_ok(memcmp(buf, want, 2 * page) == 0, "the child's bytes");
	t_ok(t_mem_equal(c.pid, t_addr(&c, T_DATA0, 0), buf, 2 * page), "as /proc/PID/mem gives them");
	t_eq(pvmio_pread(k, buf, 3 * page, t_addr(&c, T_DATA0, 0)), (long long)(2 * page), "short at the hole");
	t_eq(pvmio_pread(k, buf, 1, t_addr(&c, T_HOLE, 0)), -EFAULT, "the hole: -EFAULT");
	t_eq(pvmio_pread(k, buf, 1, t_addr(&c, T_NONE, 0)), -EFAULT,
	     "the PROT_NONE page was not dumped: -EFAULT, never zeros");
	t_eq(pvmio_pread(k, buf, page, t_addr(&c, T_RO, 0)), (long long)page, "the read-only page");
	t_ok(t_mem_equal(c.pid, t_addr(&c, T_RO, 0), buf, page), "its bytes");
	t_eq(pvmio_pwrite(k, buf, 1, t_addr(&c, T_DATA0, 0)), -EROFS, "pvmio_pwrite: -EROFS");
	t_eq(pvmio_fill(k, t_addr(&c, T_DATA0, 0), 16, "x", 1), -EROFS, "pvmio_fill: -EROFS");
	t_eq(pvmio_core_write(k, 1, NULL, NULL), -EINVAL, "no core of a core");

	char log[512] = "";
	t_eq(pvmio_read_stream(k, t_addr(&c, T_DATA0, 0), 5 * page, collect, log), 0, "a stream over it");
	t_ok(strcmp(log, "data2:0 hole1:14 data1:0 hole1:13 ") == 0, "data, the hole, data, the PROT_NONE page: %s",
	     log);

	struct pvmio_maps *m = NULL;
	t_eq(pvmio_maps_read(k, &m), 0, "the core's maps");
	int same = m && live && m->n == live->n;
	for (size_t i = 0; same && i < m->n; i++)
		same = m->v[i].start == live->v[i].start && m->v[i].end == live->v[i].end &&
		       strcmp(m->v[i].perms, live->v[i].perms) == 0 && strcmp(m->v[i].name, live->v[i].name) == 0 &&
		       m->v[i].inode == live->v[i].inode;
	t_ok(same, "the same as the process's: %zu mappings", m ? m->n : 0);
	t_ok(m && live && m->exe && live->exe && strcmp(m->exe, live->exe) == 0, "and the same program");
	pvmio_maps_free(m);
	pvmio_close(k);

	/* A filter that takes no anonymous memory: the bytes are missing. */
	write_core(h, path, PVMIO_CORE_ELF_HEADERS);
	t_eq(pvmio_open_core(path, &k), 0, "a core with filter 0x10");
	if (k) {
		t_eq(pvmio_pread(k, buf, 1, t_addr(&c, T_DATA0, 0)), -EFAULT, "DATA is not in it: -EFAULT");
		log[0] = '\0';
		pvmio_read_stream(k, t_addr(&c, T_DATA0, 0), 2 * page, collect, log);
		t_ok(strcmp(log, "hole2:61 ") == 0, "a stream says -ENODATA: %s", log);
		pvmio_close(k);
	}
	pvmio_maps_free(live);
	pvmio_close(h);

	/* Files that are not cores. */
	t_eq(pvmio_open_core("/nonexistent/core", &k), -ENOENT, "a missing file: -ENOENT");
	t_ok(k == NULL, "and no handle");
	FILE *f = fopen(path, "w");
	fputs("\x1f\x8b\x08\x00 a gzip file", f);
	fclose(f);
	t_eq(pvmio_open_core(path, &k), -EPROTONOSUPPORT, "gzip: -EPROTONOSUPPORT");
	f = fopen(path, "w");
	fputs("hello, world\n", f);
	fclose(f);
	t_eq(pvmio_open_core(path, &k), -ENOEXEC, "text: -ENOEXEC");
	t_eq(pvmio_open_core("/proc/self/exe", &k), -ENOEXEC, "an executable, not a core: -ENOEXEC");
	unlink(path);
	free(buf);
	free(want);
	t_child_kill(&c);
	return t_done();
}
