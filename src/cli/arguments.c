/* The arguments of a command (arguments.h). */
#include "config.h"
#include "arguments.h"
#include "lookup.h"
#include "messages.h"
#include "names.h"
#include "options.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int value_type(const struct target *t, const char *type, const char *endian, struct vtype *vt, int *big,
	       struct perr *e)
{
	*big = native_big_endian();
	if (endian && parse_endian(endian, big, e) < 0)
		return -1;
	if (type && parse_type(type, t ? t->ptrsize : (int)sizeof(void *), vt, e) < 0)
		return -1;
	return 0;
}

int data_from_args(const struct target *t, const char **args, int nargs, struct bytes *out, struct perr *e)
{
	if (str.string) {
		if (typed.type)
			return syntax_error(e, "give the data one way: -t TYPE VALUE... or -s STRING, not both");
		if (typed.endian)
			return syntax_error(e, "-e goes with -t TYPE");
		if (nargs)
			return syntax_error(e, "'%s': -s takes the string as its argument; nothing may follow", args[0]);
		if (bytes_push(out, str.string, strlen(str.string) + (str.nul ? 1 : 0)) < 0)
			return nomem(e);
		return 0;
	}
	if (str.nul)
		return syntax_error(e, "-z goes with -s STRING");
	if (!nargs)
		return syntax_error(e, "missing data: give hex bytes, -t TYPE VALUE..., or -s STRING");
	if (typed.type) {
		struct vtype vt;
		int big;
		if (value_type(t, typed.type, typed.endian, &vt, &big, e) < 0)
			return -1;
		for (int i = 0; i < nargs; i++) {
			unsigned char v[8];
			if (parse_value(args[i], &vt, big, v, e) < 0)
				return -1;
			if (bytes_push(out, v, vt.size) < 0)
				return nomem(e);
		}
		return 0;
	}
	if (typed.endian)
		return syntax_error(e, "-e goes with -t TYPE");
	for (int i = 0; i < nargs; i++)
		if (parse_hex_data(args[i], out, e) < 0)
			return -1;
	return 0;
}

/* Does a RANGE argument name a mapping, so that the maps are needed?  A
 * term that starts with other than a digit is a NAME. */
static int mentions_name(const char *s)
{
	for (const char *p = s; *p; p++) {
		int term_start = p == s || strchr("+-:.", p[-1]);
		if (term_start && !strchr("+-:.", *p) && !(*p >= '0' && *p <= '9'))
			return 1;
	}
	return 0;
}

int typed_defaults(const struct target *t, struct vtype *vt, int *big, struct range_defaults *d)
{
	struct perr e;
	if (!typed.type)
		return 0;
	if (value_type(t, typed.type, typed.endian, vt, big, &e) < 0)
		return report_perr(&e);
	d->multiple = vt->size;
	d->len = vt->size;
	d->have_len = 1;
	return 0;
}

int range_from_arg(const char *arg, const struct resolver *res, const struct range_defaults *d, struct range *r,
		   struct perr *e)
{
	if (parse_range(arg, res, r, e) < 0)
		return -1;
	if (!r->has_len || (r->is_name && d->explicit_len)) {
		if (!d->have_len)
			return syntax_error(e, "'%s': how many bytes? Give ADDR:LEN or ADDR..END%s", arg,
					    d->hint ? d->hint : "");
		r->len = d->len;
		if (r->len && r->addr > UINT64_MAX - (r->len - 1))
			return syntax_error(e, "'%s' with length %" PRIu64 " passes the top of the address space (2^64)",
					    arg, d->len);
	}
	if (d->multiple > 1 && r->len % d->multiple)
		return syntax_error(e, "'%s': the length %" PRIu64 " is not a whole number of %u-byte values", arg,
				    r->len, d->multiple);
	return 0;
}

int ranges_from_args(struct target *t, const char **args, int n, const struct range_defaults *d, struct range **out)
{
	struct range *r = calloc(n ? (size_t)n : 1, sizeof *r);
	struct perr e;
	if (!r) {
		cli_error("out of memory");
		return EXIT_LOCAL;
	}
	for (int i = 0; i < n; i++) {
		int status = mentions_name(args[i]) ? target_maps(t) : 0;
		if (status) {
			free(r);
			return status;
		}
		struct resolver res;
		target_resolver(t, &res);
		if (range_from_arg(args[i], &res, d, &r[i], &e) < 0) {
			free(r);
			return report_parse_error(t, &e);
		}
	}
	*out = r;
	return 0;
}

int readable_by_default(const struct pvmio_mapping *m, int force)
{
	/* No system call reaches 2^63 and above ([vsyscall]); [vvar] is I/O
	 * memory the kernel refuses. */
	return (m->perms[0] == 'r' || force) && m->start < ((uint64_t)1 << 63) && strcmp(m->name, "[vvar]") != 0 &&
	       strcmp(m->name, "[vvar_vclock]") != 0 && strcmp(m->name, "[vsyscall]") != 0;
}

int selection_from_options(struct selection *s)
{
	struct perr e;
	*s = (struct selection){ .active = sel.perms || sel.names, .names = sel.names };
	if (sel.perms && parse_perms(sel.perms, &s->want, &s->refuse, &e) < 0)
		return report_perr(&e);
	for (char **n = sel.names; n && *n; n++) {
		if (!**n) {
			cli_error("--name: give a name, a glob or anon");
			return EXIT_USAGE;
		}
	}
	return 0;
}

int selection_keeps(const struct selection *s, const struct pvmio_maps *m, const struct pvmio_mapping *v)
{
	unsigned bits = perms_bits(v->perms);
	if ((bits & s->want) != s->want || (bits & s->refuse))
		return 0;
	if (!s->names)
		return 1;
	for (char **n = s->names; *n; n++)
		if (name_selects(m, v, *n))
			return 1;
	return 0;
}

/* Every readable mapping S keeps, neighbours merged; NULL out of memory. */
static struct range *all_readable(const struct pvmio_maps *m, const struct selection *s, int force, int *n)
{
	struct range *r = calloc(m->n ? m->n : 1, sizeof *r);
	*n = 0;
	for (size_t i = 0; r && i < m->n; i++) {
		const struct pvmio_mapping *v = &m->v[i];
		if (!readable_by_default(v, force) || !selection_keeps(s, m, v))
			continue;
		if (*n && r[*n - 1].addr + r[*n - 1].len == v->start)
			r[*n - 1].len += v->end - v->start;
		else
			r[(*n)++] = (struct range){ v->start, v->end - v->start, 1, 0 };
	}
	if (!r)
		cli_error("out of memory");
	return r;
}

int ranges_or_readable(struct target *t, const char **args, int n, const struct range_defaults *d,
		       struct range **out, int *nout)
{
	struct selection s;
	int status = selection_from_options(&s);
	if (status)
		return status;
	if (n && s.active) {
		cli_error("--perms and --name choose mappings when no RANGE is given: give RANGEs or them, not both");
		return EXIT_USAGE;
	}
	if (n) {
		*nout = n;
		return ranges_from_args(t, args, n, d, out);
	}
	status = target_maps(t);
	if (status)
		return status;
	*out = all_readable(t->maps, &s, opt_force, nout);
	return *out ? 0 : EXIT_LOCAL;
}
