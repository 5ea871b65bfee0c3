/* Progress on long jobs (progress.h). */
#include "config.h"
#include "progress.h"
#include "messages.h"
#include "options.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Jobs above this draw progress by default, where they may. */
#define PROGRESS_DEFAULT_ABOVE ((uint64_t)256 << 20)
/* At most ten redraws a second. */
#define PROGRESS_REDRAW_SECONDS 0.1

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_begin(struct progress *p, uint64_t total)
{
	memset(p, 0, sizeof *p);
	p->total = total;
	if (common.no_progress)
		p->on = 0;
	else if (common.progress)
		p->on = 1;
	else
		p->on = total != PROGRESS_UNKNOWN && total > PROGRESS_DEFAULT_ABOVE && isatty(2) && !isatty(1);
	p->start = now();
	p->last = 0;	/* the first piece of work draws at once */
}

void human_size(char *buf, size_t size, double v)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

void progress_add(struct progress *p, uint64_t n)
{
	p->done += n;
	if (!p->on)
		return;
	double t = now();
	if (t - p->last < PROGRESS_REDRAW_SECONDS)
		return;
	p->last = t;
	double rate = (double)p->done / (t - p->start > 1e-6 ? t - p->start : 1e-6);
	char done[32], total[32], speed[32];
	human_size(done, sizeof done, (double)p->done);
	human_size(total, sizeof total, (double)p->total);
	human_size(speed, sizeof speed, rate);
	if (p->total == PROGRESS_UNKNOWN) {
		fprintf(stderr, "\r\033[Kpvmio: %s: %s, %s/s", cli_command, done, speed);
		return;
	}
	double left = rate > 0 && p->total > p->done ? (double)(p->total - p->done) / rate : 0;
	fprintf(stderr, "\r\033[Kpvmio: %s: %s of %s, %s/s, %d:%02d left", cli_command, done, total, speed,
		(int)left / 60, (int)left % 60);
}

void progress_end(struct progress *p)
{
	if (p->on)
		fputs("\r\033[K", stderr);
}
