/* A process with known symbols and a known chain of pointers, for the
 * symbol and pointer-chain tests (tests/symbols.bats).  It prints the
 * true addresses as NAME=0x... lines (and a few sizes and offsets as
 * NAME=number), then "READY", and waits to be killed.
 *
 *   chain [--lib PATH=SYMBOL]...
 *
 * Each --lib PATH is dlopen()ed (RTLD_NOW | RTLD_LOCAL) and LIBn= is the
 * address of its SYMBOL as dlsym() gives it.
 *
 * Globals (in the main program):
 *   counter       uint32_t 0x12345678
 *   table         int[16], table[i] = 0x1000 + i * 0x11; table_end after it
 *   hidden_static a static (STB_LOCAL) uint64_t 0x5eed5eed5eed5eed
 *   tlsvar        __thread int (STT_TLS)
 *   head          -> N1 -> N2 -> N3 -> N4 (by node.next), all on the heap;
 *                 node.value of Nk is 0x1111111111111111 * k, N4.next NULL
 *   tail          -> N4
 *   nothing       NULL
 *   wild          a pointer into an unmapped page (WILD=)
 *   wildp         -> wild
 *   ticks         uint64_t, counted up every millisecond by the main loop
 * and ENVIRON= is &environ as the program sees it (its copy relocation),
 * LIBC_ENVIRON= libc's own environ (dlsym in libc.so.6).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* prctl(2) by hand: <sys/prctl.h> pulls in the kernel's <asm/types.h>,
 * which a multilib install may lack for -m32. */
int prctl(int option, ...);
#define PVMIO_PR_SET_PTRACER 0x59616d61
#define PVMIO_PR_SET_PTRACER_ANY ((unsigned long)-1)

extern char **environ;

struct node {
	uint64_t magic;
	struct node *next;
	uint64_t value;
	uint32_t depth;
};

uint32_t counter = 0x12345678;
/* One section in this order, so that table_end follows table. */
__attribute__((section(".data.pvmio_table"))) int table[16] = {
	0x1000, 0x1011, 0x1022, 0x1033, 0x1044, 0x1055, 0x1066, 0x1077,
	0x1088, 0x1099, 0x10aa, 0x10bb, 0x10cc, 0x10dd, 0x10ee, 0x10ff,
};
__attribute__((section(".data.pvmio_table"))) int table_end[1] = { 0x7ab1e0d };
__attribute__((used)) static volatile uint64_t hidden_static = 0x5eed5eed5eed5eedULL;
__thread int tlsvar = 0x715;
struct node *head;
struct node *tail;
struct node *nothing;
void *wild;
void **wildp = &wild;
volatile uint64_t ticks;

int main(int argc, char **argv)
{
	/* Let any process of ours trace us where Yama's ptrace_scope is 1. */
	prctl(PVMIO_PR_SET_PTRACER, PVMIO_PR_SET_PTRACER_ANY, 0UL, 0UL, 0UL);

	void *libs[8];
	int nlibs = 0;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--lib") != 0 || nlibs == 8)
			continue;
		char *path = strdup(argv[i + 1]);
		char *eq = strchr(path, '=');
		if (!eq) {
			fprintf(stderr, "--lib PATH=SYMBOL\n");
			return 1;
		}
		*eq = '\0';
		void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		void *sym = h ? dlsym(h, eq + 1) : NULL;
		if (!sym) {
			fprintf(stderr, "%s: %s\n", argv[i + 1], dlerror());
			return 1;
		}
		libs[nlibs++] = sym;
	}

	struct node *n[5] = { NULL };
	for (int k = 4; k >= 1; k--) {
		n[k] = calloc(1, sizeof *n[k]);
		n[k]->magic = 0xc0de0000c0de0000ULL + (uint64_t)k;
		n[k]->next = k < 4 ? n[k + 1] : NULL;
		n[k]->value = 0x1111111111111111ULL * (uint64_t)k;
		n[k]->depth = (uint32_t)k;
	}
	head = n[1];
	tail = n[4];

	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *gone = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (gone == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	munmap(gone, page);
	wild = (char *)gone + 16;

	void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	void *libc_environ = libc ? dlsym(libc, "environ") : NULL;

	printf("PTRSIZE=%zu\n", sizeof(void *));
	printf("COUNTER=%p\n", (void *)&counter);
	printf("TABLE=%p\nTABLE_SIZE=%zu\nTABLE_END=%p\n", (void *)table, sizeof table, (void *)table_end);
	printf("HIDDEN_STATIC=%p\n", (void *)&hidden_static);
	printf("TLSVAR=%p\n", (void *)&tlsvar);
	printf("HEAD=%p\nTAIL=%p\nNOTHING=%p\nWILD=%p\nWILDP=%p\n", (void *)&head, (void *)&tail, (void *)&nothing,
	       wild, (void *)&wildp);
	for (int k = 1; k <= 4; k++)
		printf("N%d=%p\n", k, (void *)n[k]);
	printf("OFF_NEXT=%zu\nOFF_VALUE=%zu\nOFF_DEPTH=%zu\n", offsetof(struct node, next),
	       offsetof(struct node, value), offsetof(struct node, depth));
	printf("VALUE4=0x%llx\n", (unsigned long long)n[4]->value);
	printf("ENVIRON=%p\nENVIRON_VALUE=%p\n", (void *)&environ, (void *)environ);
	printf("LIBC_ENVIRON=%p\n", libc_environ);
	for (int i = 0; i < nlibs; i++)
		printf("LIB%d=%p\n", i + 1, libs[i]);
	printf("TICKS=%p\n", (void *)&ticks);
	printf("READY\n");
	fflush(stdout);
	for (;;) {
		ticks++;
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
}
