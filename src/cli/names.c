/* Mapping names: what a NAME in an address stands for.  Pure functions
 * over a maps list, so the fuzzers can drive them. */
#include "config.h"
#include "names.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kernel's mark on a mapping whose file was deleted or replaced. */
#define DELETED_SUFFIX " (deleted)"

int name_deleted(const char *name)
{
	size_t n = strlen(name), k = sizeof DELETED_SUFFIX - 1;
	return name[0] == '/' && n > k && strcmp(name + n - k, DELETED_SUFFIX) == 0;
}

/* The length of NAME without the kernel's " (deleted)". */
static size_t path_len(const char *name)
{
	return strlen(name) - (name_deleted(name) ? sizeof DELETED_SUFFIX - 1 : 0);
}

/* Does the file mapping NAME have the base name (or the path, without
 * " (deleted)") WANT? */
static int file_matches(const char *name, const char *want)
{
	if (name[0] != '/')
		return 0;
	size_t n = path_len(name), w = strlen(want);
	if (strchr(want, '/'))
		return w == n && strncmp(name, want, n) == 0;
	return w < n && name[n - w - 1] == '/' && strncmp(name + n - w, want, w) == 0;
}

static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Lists the names a user can type, for an error message. */
static void list_names(const struct pvmio_maps *m, char *buf, size_t size)
{
	size_t used = 0, shown = 0, total = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < m->n; i++) {
		const char *name = m->v[i].name;
		if (!name[0])
			continue;
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(m->v[j].name, name) == 0;
		if (seen)
			continue;
		total++;
		if (shown >= 8)
			continue;
		const char *show = name[0] == '/' ? base_of(name) : name;
		int n = snprintf(buf + used, size - used, "%s%s", shown ? ", " : "", show);
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
		shown++;
	}
	if (total > shown)
		snprintf(buf + used, size - used, ", and %zu more", total - shown);
}

/* Adds CANDIDATE to the distinct names in *found; more than one is an
 * ambiguity. */
static int candidate(const char **found, const char *cand, const char *typed, struct perr *e)
{
	if (!*found || strcmp(*found, cand) == 0) {
		*found = cand;
		return 0;
	}
	return perr_set(e, PERR_AMBIGUOUS,
			"'%s' is ambiguous: it names both %s and %s; give the full name as 'pvmio maps' shows it", typed,
			*found, cand);
}

int match_name(const struct pvmio_maps *m, const char *name, const char **full, struct perr *e)
{
	if (!m || !name[0])
		return perr_set(e, PERR_NAME, "unknown name '%s'", name);
	/* A name exactly as the kernel lists it is that mapping. */
	for (size_t i = 0; i < m->n; i++) {
		if (strcmp(m->v[i].name, name) == 0) {
			*full = m->v[i].name;
			return 0;
		}
	}
	/* Otherwise every mapping the word can stand for: exe, a bracketed
	 * name without its brackets (heap, stack, vdso, vvar, anon:NAME), a
	 * file's base name or its path without " (deleted)".  Two different
	 * ones are ambiguous: pvmio never guesses which memory is meant. */
	const char *found = NULL;
	if (strcmp(name, "exe") == 0) {
		const char *exe = m->exe;
		for (size_t i = 0; !exe && i < m->n; i++)
			if (m->v[i].name[0] == '/')
				exe = m->v[i].name;
		if (!exe)
			return perr_set(e, PERR_NAME, "the target has no main program mapped");
		for (size_t i = 0; i < m->n && found != exe; i++)
			if (strcmp(m->v[i].name, exe) == 0)
				found = m->v[i].name;
		if (!found)
			found = exe;
	}
	size_t len = strlen(name);
	for (size_t i = 0; i < m->n; i++) {
		const char *n = m->v[i].name;
		int bracket = n[0] == '[' && strlen(n) == len + 2 && strncmp(n + 1, name, len) == 0 && n[len + 1] == ']';
		if ((bracket || file_matches(n, name)) && candidate(&found, n, name, e) < 0)
			return -1;
	}
	if (!found) {
		char names[300];
		list_names(m, names, sizeof names);
		return perr_set(e, PERR_NAME, "unknown name '%s' (the target maps %s)", name, names[0] ? names : "no named mappings");
	}
	*full = found;
	return 0;
}

int resolve_name(const struct pvmio_maps *m, const char *name, uint64_t *start, uint64_t *end, struct perr *e)
{
	const char *match;
	if (match_name(m, name, &match, e) < 0)
		return -1;
	uint64_t lo = UINT64_MAX, hi = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (strcmp(m->v[i].name, match) != 0)
			continue;
		if (m->v[i].start < lo)
			lo = m->v[i].start;
		if (m->v[i].end > hi)
			hi = m->v[i].end;
	}
	if (lo >= hi)
		return perr_set(e, PERR_NAME, "'%s' names %s, which the target does not map", name, match);
	*start = lo;
	*end = hi;
	return 0;
}

int name_selects(const struct pvmio_maps *m, const struct pvmio_mapping *v, const char *pattern)
{
	const char *n = v->name;
	if (strcmp(pattern, "anon") == 0)
		return n[0] == '\0' || strncmp(n, "[anon:", 6) == 0;
	/* the names the address grammar takes, exactly */
	size_t len = strlen(pattern);
	if (strcmp(n, pattern) == 0 || file_matches(n, pattern) ||
	    (n[0] == '[' && strlen(n) == len + 2 && strncmp(n + 1, pattern, len) == 0))
		return 1;
	if (strcmp(pattern, "exe") == 0 && m && m->exe)
		return strcmp(n, m->exe) == 0;
	/* a glob, over the base name and the path, both without " (deleted)" */
	if (n[0] != '/')
		return fnmatch(pattern, n, 0) == 0;
	char path[4096];
	size_t plen = path_len(n);
	if (plen >= sizeof path)
		return 0;
	memcpy(path, n, plen);
	path[plen] = '\0';
	return fnmatch(pattern, base_of(path), 0) == 0 || fnmatch(pattern, path, 0) == 0;
}
