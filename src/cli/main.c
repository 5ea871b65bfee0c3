/* pvmio: read and write the memory of a running process.  main finds the
 * command, reads its options and arguments, and runs it. */
#include "config.h"
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct command *const commands[] = {
	&cmd_read, &cmd_write, &cmd_dump, &cmd_fill, &cmd_maps, &cmd_find, &cmd_where, &cmd_watch, &cmd_wait, &cmd_core, &cmd_diff, &cmd_doctor, NULL,
};

static void overview(FILE *f)
{
	fputs("Usage: pvmio COMMAND [OPTIONS] PID ARGS...\n"
	      "       pvmio --help | --version\n"
	      "\n"
	      "Read and write the memory of a running process.\n"
	      "\n"
	      "Commands:\n",
	      f);
	for (const struct command *const *c = commands; *c; c++)
		fprintf(f, "  %-7s %s\n", (*c)->name, (*c)->summary);
	fputs("\n"
	      "Addresses: 0x7ffd1000, [heap]+0x40, libc.so.6+0x1d2000, exe+0x4010;\n"
	      "  symbols: counter, exe:counter+4, libc.so.6:environ;\n"
	      "  pointer chains: '[[exe:player]+0x10]+8'.\n"
	      "Ranges: ADDR:LEN, ADDR..END, or a mapping NAME or SYMBOL alone.\n"
	      "Snapshots: a core file (pvmio core, the kernel's, gcore's) stands for\n"
	      "  the PID of read, dump, find, maps, where and diff.\n"
	      "Exit status: 0 done, 1 memory, 2 usage, 3 process, 4 local I/O,\n"
	      "  5 wait timed out.\n"
	      "\n"
	      "Run 'pvmio COMMAND --help' for a command's options, 'man pvmio' for more.\n",
	      f);
}

static const struct command *find_command(const char *name)
{
	for (const struct command *const *c = commands; *c; c++)
		if (strcmp((*c)->name, name) == 0)
			return *c;
	return NULL;
}

static void command_list(char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (const struct command *const *c = commands; *c && used < size; c++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", c == commands ? "" : ", ", (*c)->name);
}

static int run(const struct command *c, int argc, char **argv)
{
	cli_command = c->name;
	struct invocation inv;
	int status = cli_parse(c, argc, (const char **)(void *)argv, &inv);
	if (status < 0)
		status = c->run(&inv);
	cli_parse_free(&inv);
	if (fflush(stdout) != 0 && status == EXIT_DONE) {
		cli_error("cannot write to stdout");
		status = EXIT_LOCAL;
	}
	return status;
}

int main(int argc, char **argv)
{
	/* popt reads these to stop at the first argument; pvmio takes no
	 * options from the environment. */
	unsetenv("POSIXLY_CORRECT");
	unsetenv("POSIX_ME_HARDER");
	/* A closed output pipe ends pvmio as it ends cat. */
	signal(SIGPIPE, SIG_DFL);
	/* A write past `ulimit -f` fails with EFBIG, which is said in words
	 * (exit 4), on whichever thread made it, rather than killing pvmio
	 * without a word. */
	signal(SIGXFSZ, SIG_IGN);

	if (argc < 2) {
		overview(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "help") == 0 && argc > 2) {
		/* pvmio help CMD is pvmio CMD --help */
		const struct command *c = find_command(argv[2]);
		if (!c) {
			fprintf(stderr, "pvmio: unknown command '%s' (see 'pvmio --help')\n", argv[2]);
			return EXIT_USAGE;
		}
		char help[] = "--help";
		char *help_argv[] = { argv[2], help, NULL };
		return run(c, 2, help_argv);
	}
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
		overview(stdout);
		return fflush(stdout) == 0 ? EXIT_DONE : EXIT_LOCAL;
	}
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
		/* The library is a separate file: say which one is running. */
		printf("pvmio %s\nlibpvmio %s\n", PACKAGE_VERSION, pvmio_version());
		return fflush(stdout) == 0 ? EXIT_DONE : EXIT_LOCAL;
	}
	const struct command *c = find_command(name);
	if (c)
		return run(c, argc - 1, argv + 1);
	if (name[0] == '-') {
		/* pvmio --stop read ...: options belong to the command. */
		const struct command *later = NULL;
		for (int i = 2; i < argc && !later; i++)
			later = find_command(argv[i]);
		if (later)
			fprintf(stderr, "pvmio: '%s': options go after the command: pvmio %s %s ...\n", name, later->name,
				name);
		else
			fprintf(stderr, "pvmio: '%s': options go after the command (pvmio COMMAND [OPTION...] PID ...; "
					"see 'pvmio --help')\n",
				name);
		return EXIT_USAGE;
	}
	char list[128];
	command_list(list, sizeof list);
	fprintf(stderr, "pvmio: unknown command '%s' (commands: %s; see 'pvmio --help')\n", name, list);
	return EXIT_USAGE;
}
