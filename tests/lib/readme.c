/* The two examples of the Rust crate process_vm_io's README, in C: read
 * this process's stack through a stream, write this process's heap through
 * a handle. */
#include "config.h"
#include "pvmio.h"
#include "libtest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* noinline and volatile: the values must really live in memory. */
static __attribute__((noinline)) void read_stack(void)
{
	volatile pid_t pid = getpid();
	volatile unsigned char local[64];
	for (size_t i = 0; i < sizeof local; i++)
		local[i] = (unsigned char)(i * 7 + 1);

	FILE *f = pvmio_fopen(getpid(), "r");
	t_ok(f != NULL, "pvmio_fopen(getpid(), \"r\")");
	if (!f)
		return;
	t_eq(fseeko(f, (off_t)(uintptr_t)&pid, SEEK_SET), 0, "fseeko to the pid on the stack");
	pid_t also = 0;
	t_eq((long long)fread(&also, sizeof also, 1, f), 1, "fread the pid");
	t_eq(also, getpid(), "the stack holds our pid");

	t_eq(fseeko(f, (off_t)(uintptr_t)local, SEEK_SET), 0, "fseeko to a local array");
	t_eq(ftello(f), (long long)(uintptr_t)local, "ftello is its address");
	unsigned char copy[sizeof local];
	t_eq((long long)fread(copy, 1, sizeof copy, f), (long long)sizeof copy, "fread the array");
	int same = 1;
	for (size_t i = 0; i < sizeof copy; i++)
		same &= copy[i] == local[i];
	t_ok(same, "the array reads back as it is");
	t_eq(ftello(f), (long long)((uintptr_t)local + sizeof local), "ftello moved past it");
	t_eq(fclose(f), 0, "fclose");
}

static void write_heap(void)
{
	pid_t pid = getpid();
	struct pvmio *h = NULL;
	t_eq(pvmio_open(pid, 0, &h), 0, "pvmio_open(getpid())");
	if (!h)
		return;
	volatile uint32_t *pid_on_the_heap = malloc(sizeof *pid_on_the_heap);
	if (!pid_on_the_heap)
		t_bail("out of memory");
	*pid_on_the_heap = 0;
	uint32_t value = (uint32_t)pid;
	t_eq(pvmio_pwrite(h, &value, sizeof value, (uint64_t)(uintptr_t)pid_on_the_heap),
	     (long long)sizeof value, "pvmio_pwrite the pid into the heap");
	t_eq(*pid_on_the_heap, (uint32_t)pid, "the heap holds our pid");

	/* And back through pvmio_pread, a page and more of heap. */
	size_t len = t_page() + 123;
	unsigned char *src = malloc(len), *dst = calloc(1, len);
	if (!src || !dst)
		t_bail("out of memory");
	for (size_t i = 0; i < len; i++)
		src[i] = (unsigned char)(i ^ 0xa5);
	t_eq(pvmio_pread(h, dst, len, (uint64_t)(uintptr_t)src), (long long)len, "pvmio_pread of heap");
	t_ok(memcmp(src, dst, len) == 0, "it reads back as it is");
	free(src);
	free(dst);
	free((void *)(uintptr_t)pid_on_the_heap);
	pvmio_close(h);
}

/* The stream in "r+" mode writes too. */
static void write_heap_stream(void)
{
	char *buf = calloc(1, 32);
	if (!buf)
		t_bail("out of memory");
	FILE *f = pvmio_fopen(getpid(), "r+");
	t_ok(f != NULL, "pvmio_fopen(getpid(), \"r+\")");
	if (f) {
		t_eq(fseeko(f, (off_t)(uintptr_t)buf + 3, SEEK_SET), 0, "fseeko into the heap");
		t_eq((long long)fwrite("hello", 1, 5, f), 5, "fwrite");
		t_eq(fflush(f), 0, "fflush");
		t_ok(memcmp(buf, "\0\0\0hello\0", 9) == 0, "the heap holds it, nothing around it changed");
		t_eq(fclose(f), 0, "fclose");
	}
	free(buf);
}

int main(void)
{
	read_stack();
	write_heap();
	write_heap_stream();
	return t_done();
}
