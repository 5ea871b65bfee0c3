/* libpvmio: the maps list, parsed from its text and looked up.  Pure:
 * it knows nothing of a process, so the fuzzers drive it alone. */
#include "config.h"
#include "pvmio.h"
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int hex_field(const char **p, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	const char *s = *p;
	int digits = 0;
	for (; s < end; s++, digits++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (v >> 60)
			return -EINVAL;
		v = v << 4 | (uint64_t)d;
	}
	if (!digits)
		return -EINVAL;
	*p = s;
	*out = v;
	return 0;
}

static int expect(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return -EINVAL;
	(*p)++;
	return 0;
}

/* "start-end perms offset major:minor inode   name" */
static int parse_line(const char *s, const char *end, struct pvmio_mapping *m)
{
	uint64_t maj, min;
	memset(m, 0, sizeof *m);
	if (hex_field(&s, end, &m->start) || expect(&s, end, '-') || hex_field(&s, end, &m->end) ||
	    expect(&s, end, ' ') || end - s < 4)
		return -EINVAL;
	memcpy(m->perms, s, 4);
	s += 4;
	if (expect(&s, end, ' ') || hex_field(&s, end, &m->offset) || expect(&s, end, ' ') ||
	    hex_field(&s, end, &maj) || expect(&s, end, ':') || hex_field(&s, end, &min) ||
	    expect(&s, end, ' ') || m->end < m->start || maj > UINT_MAX || min > UINT_MAX)
		return -EINVAL;
	m->dev_major = (unsigned)maj;
	m->dev_minor = (unsigned)min;
	uint64_t inode = 0;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (inode > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		inode = inode * 10 + (uint64_t)(*s - '0');
	}
	m->inode = inode;
	while (s < end && *s == ' ')
		s++;
	m->name = strndup(s, (size_t)(end - s));
	return m->name ? 0 : -ENOMEM;
}

int pvmio_maps_parse(const char *text, size_t len, struct pvmio_maps **out)
{
	*out = NULL;
	struct pvmio_maps *m = calloc(1, sizeof *m);
	if (!m)
		return -ENOMEM;
	size_t cap = 0;
	const char *p = text, *end = text + len;
	int rc = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (le > p) {
			if (m->n == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				struct pvmio_mapping *v = realloc(m->v, ncap * sizeof *v);
				if (!v) {
					rc = -ENOMEM;
					break;
				}
				m->v = v;
				cap = ncap;
			}
			rc = parse_line(p, le, &m->v[m->n]);
			if (rc < 0)
				break;
			/* The kernel lists mappings in order; anything else is not a
			 * maps file, and lookups rely on the order. */
			if (m->n && m->v[m->n].start < m->v[m->n - 1].end) {
				free(m->v[m->n].name);
				rc = -EINVAL;
				break;
			}
			m->n++;
		}
		p = nl ? nl + 1 : end;
	}
	if (rc < 0) {
		pvmio_maps_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

void pvmio_maps_free(struct pvmio_maps *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].name);
	free(m->v);
	free(m->exe);
	free(m);
}

const struct pvmio_mapping *pvmio_maps_lookup(const struct pvmio_maps *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->v[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n ? &m->v[lo] : NULL;
}

int pvmio_maps_check(const struct pvmio_maps *m, uint64_t addr, uint64_t len, const char *perms,
		     uint64_t *bad)
{
	uint64_t pos = addr, left = len;
	while (left) {
		const struct pvmio_mapping *v = pvmio_maps_lookup(m, pos);
		if (!v || v->start > pos) {
			*bad = pos;
			return -EFAULT;
		}
		for (const char *p = perms; p && *p; p++) {
			int have = (*p == 'r' && v->perms[0] == 'r') || (*p == 'w' && v->perms[1] == 'w') ||
				   (*p == 'x' && v->perms[2] == 'x');
			if (!have) {
				*bad = pos;
				return -EACCES;
			}
		}
		uint64_t span = v->end - pos;
		if (span >= left)
			break;
		left -= span;
		pos = v->end;
	}
	return 0;
}
