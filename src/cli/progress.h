/* Progress on long jobs (progress.c): a line on stderr, bytes, rate and
 * time left, at most ten times a second. */
#ifndef PVMIO_PROGRESS_H
#define PVMIO_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

/* A total not known beforehand (a pipe): no total and no time left. */
#define PROGRESS_UNKNOWN UINT64_MAX

struct progress {
	int on;
	uint64_t total, done;
	double start, last;
};
/* On with --progress; by default for jobs over 256 MiB when stderr is a
 * terminal and stdout is not; never with --no-progress. */
void progress_begin(struct progress *p, uint64_t total);
void progress_add(struct progress *p, uint64_t n);
/* V bytes in words: "512 B", "1.5 MiB". */
void human_size(char *buf, size_t size, double v);
/* Clears the line. */
void progress_end(struct progress *p);

#endif
