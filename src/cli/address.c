/* Addresses and ranges (address.h): NUMBERs, mapping NAMEs, SYMBOLs and
 * pointer chains joined by '+' and '-'.
 *
 *   RANGE := EXPR | EXPR ':' LEN | EXPR '..' EXPR
 *   EXPR  := TERM (('+' | '-') TERM)*
 *   TERM  := NUMBER | NAME | NAME ':' SYMBOL | SYMBOL | '"' QUOTED '"' | '[' EXPR ']'
 *
 * A term that begins with a digit is a NUMBER.  Names may hold the
 * grammar's own characters ('+', '-', ':', "..", as in
 * ld-linux-x86-64.so.2 or [anon:x]), so the parser tries the longest
 * text that names a mapping first and backs off to shorter ones until
 * the rest of the argument parses; a word that names no mapping is a
 * symbol.  After a NAME, ':' and a letter begin the SYMBOL in that
 * module (a ':' and a digit, a length).  '[' EXPR ']' is the pointer
 * stored at EXPR, unless the bracketed word is itself a mapping's name
 * ([heap]).  The look-ups go through a resolver: the fuzzers give a made
 * up one. */
#include "config.h"
#include "address.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum stage { ADDR_ONLY, RANGE_FIRST, RANGE_END };

/* Bounds on an argument: the grammar backtracks over names, and brackets
 * recurse, so a hostile argument must not cost seconds or the stack. */
#define ADDR_TEXT_MAX 512
#define CHAIN_DEPTH_MAX 32

static int too_big(const char *s, size_t len, struct perr *e)
{
	if (len > ADDR_TEXT_MAX)
		return syntax_error(e, "an address of %zu characters is longer than the %d pvmio reads", len,
				    ADDR_TEXT_MAX);
	int depth = 0, quote = 0;
	for (size_t i = 0; i < len; i++) {
		if (quote) {
			if (s[i] == '\\' && i + 1 < len)
				i++;
			else if (s[i] == '"')
				quote = 0;
		} else if (s[i] == '"') {
			quote = 1;
		} else if (s[i] == '[' && ++depth > CHAIN_DEPTH_MAX) {
			return syntax_error(e, "'%.40s...': pointer chains nest %d deep at the most", s, CHAIN_DEPTH_MAX);
		} else if (s[i] == ']' && depth) {
			depth--;
		}
	}
	return 0;
}

struct grammar {
	const char *s;
	size_t len;
	const struct resolver *r;
	const char *whole;	/* the argument, for messages about a chain */
	unsigned *step;		/* dereferences so far, counted across brackets */
	/* the result */
	uint64_t lo, hi, len_value;
	int form;	/* 0 bare address, 1 ADDR:LEN, 2 ADDR..END */
	unsigned terms;	/* of the first expression, once parsed */
	int symbol;	/* its last term is a symbol, of this size: */
	uint64_t symbol_size;
	/* for the "A-B wraps: write A..B" hint */
	uint64_t first, second;
	size_t oppos;
};

static int after_term(struct grammar *g, enum stage st, size_t pos, uint64_t acc, unsigned terms, struct perr *e);

/* Applies a term's value V to ACC with the operator before it. */
static int apply(struct grammar *g, uint64_t *acc, uint64_t v, int neg, unsigned terms, struct perr *e)
{
	if (terms == 0)
		g->first = v;
	else if (terms == 1)
		g->second = v;
	if (!neg) {
		if (*acc > UINT64_MAX - v)
			return syntax_error(e, "'%s' passes the top of the address space (2^64)", g->whole);
		*acc += v;
		return 0;
	}
	if (v > *acc) {
		if (terms == 1 && g->s == g->whole)
			return syntax_error(e, "'%s' wraps below 0; for the range from %#" PRIx64 " to %#" PRIx64
					       ", write %.*s..%s",
					    g->s, g->first, g->second, (int)g->oppos, g->s, g->s + g->oppos + 1);
		return syntax_error(e, "'%s' wraps below 0", g->whole);
	}
	*acc -= v;
	return 0;
}

/* Where a term may end: before an operator, a ':' (a length, or a
 * module's symbol), or a range's "..". */
static int boundary(const struct grammar *g, size_t k, enum stage st)
{
	if (k == g->len)
		return 1;
	char c = g->s[k];
	return c == '+' || c == '-' || c == ':' || (st == RANGE_FIRST && c == '.' && g->s[k + 1] == '.');
}

static int symbol_start(char c)
{
	return isalpha((unsigned char)c) || c == '_' || c == '$' || c == '"';
}

/* A symbol's characters: C identifiers, versions (name@@GLIBC_2.2.5) and
 * local suffixes (name.cold, completed.0), up to a boundary. */
static size_t symbol_end(const struct grammar *g, size_t pos, enum stage st)
{
	size_t k = pos;
	while (k < g->len && !boundary(g, k, st) && (isalnum((unsigned char)g->s[k]) || strchr("_$.@", g->s[k])))
		k++;
	return k;
}

/* The end of a quoted text starting at POS (after its closing quote),
 * and the text without quotes and escapes; 0 if it does not close. */
static size_t quoted(const char *s, size_t len, size_t pos, char **out)
{
	char *text = malloc(len - pos);
	if (!text)
		return 0;
	size_t k = 0;
	for (size_t i = pos + 1; i < len; i++) {
		if (s[i] == '"') {
			text[k] = '\0';
			*out = text;
			return i + 1;
		}
		if (s[i] == '\\' && i + 1 < len && (s[i + 1] == '"' || s[i + 1] == '\\')) {
			i++;
		} else if (s[i] == '\\' && i + 3 < len && s[i + 1] == 'x' && isxdigit((unsigned char)s[i + 2]) &&
			   isxdigit((unsigned char)s[i + 3])) {
			/* \xHH: a byte, as where writes a control byte */
			char hex[3] = { s[i + 2], s[i + 3], '\0' };
			unsigned char byte = (unsigned char)strtoul(hex, NULL, 16);
			if (byte) {
				text[k++] = (char)byte;
				i += 3;
				continue;
			}
		}
		text[k++] = s[i];
	}
	free(text);
	return 0;
}

/* A symbol term at POS (quoted or not) in MODULE (NULL: anywhere); then
 * the rest. */
static int symbol_term(struct grammar *g, enum stage st, size_t pos, const char *module, uint64_t acc, int neg,
		       unsigned terms, struct perr *e)
{
	char *name;
	size_t end;
	if (g->s[pos] == '"') {
		end = quoted(g->s, g->len, pos, &name);
		if (!end)
			return syntax_error(e, "'%s': a quoted name has no closing '\"'", g->whole);
	} else {
		end = symbol_end(g, pos, st);
		if (end == pos || !boundary(g, end, st))
			return syntax_error(e, "'%s': '%.*s' is not a symbol's name", g->whole,
					    (int)(symbol_end(g, pos, st) + 1 - pos), g->s + pos);
		name = strndup(g->s + pos, end - pos);
		if (!name)
			return nomem(e);
	}
	uint64_t v, size;
	int rc = g->r->symbol ? g->r->symbol(g->r->ctx, module, name, &v, &size, e)
			      : perr_set(e, PERR_NAME, "unknown name '%s'", name);
	free(name);
	if (rc < 0 || apply(g, &acc, v, neg, terms, e) < 0)
		return -1;
	rc = after_term(g, st, end, acc, terms + 1, e);
	if (rc == 0 && st != RANGE_END && terms == 0 && g->terms == 1) {
		g->symbol = 1;
		g->symbol_size = size;
	}
	return rc;
}

/* After a NAME that ends at END and starts at V: "NAME:SYMBOL", or the
 * NAME's value, then the rest. */
static int after_name(struct grammar *g, enum stage st, size_t end, const char *full, uint64_t v, uint64_t acc,
		      int neg, unsigned terms, struct perr *e)
{
	if (end + 1 < g->len && g->s[end] == ':' && symbol_start(g->s[end + 1]))
		return symbol_term(g, st, end + 1, full, acc, neg, terms, e);
	if (apply(g, &acc, v, neg, terms, e) < 0)
		return -1;
	return after_term(g, st, end, acc, terms + 1, e);
}

/* The longest NAME at POS that leads to a whole parse.  1 when no prefix
 * names a mapping; -1 with the error of the longest one that does. */
static int names_at(struct grammar *g, enum stage st, size_t pos, uint64_t acc, int neg, unsigned terms,
		    struct perr *e)
{
	struct perr first_err = { .kind = PERR_NONE };
	for (size_t end = g->len; end > pos; end--) {
		if (!boundary(g, end, st))
			continue;
		char *name = strndup(g->s + pos, end - pos);
		if (!name)
			return nomem(e);
		struct perr why;
		const char *full;
		uint64_t lo, hi;
		int rc = match_name(g->r->maps, name, &full, &why);
		if (rc == 0)
			rc = resolve_name(g->r->maps, name, &lo, &hi, &why);
		free(name);
		if (rc < 0) {
			/* An ambiguous name is an answer, not a miss. */
			if (why.kind == PERR_AMBIGUOUS && first_err.kind == PERR_NONE)
				first_err = why;
			continue;
		}
		struct perr err;
		if (after_name(g, st, end, full, lo, acc, neg, terms, &err) == 0)
			return 0;
		if (err.kind == PERR_NOMEM) {
			*e = err;
			return -1;
		}
		if (first_err.kind == PERR_NONE)
			first_err = err;
	}
	if (first_err.kind == PERR_NONE)
		return 1;
	*e = first_err;
	return -1;
}

/* '[' EXPR ']': the pointer stored at EXPR. */
static int deref_term(struct grammar *g, enum stage st, size_t pos, uint64_t acc, int neg, unsigned terms,
		      struct perr *e)
{
	size_t close = pos + 1;
	int depth = 1, quote = 0;
	for (; close < g->len && depth; close++) {
		char c = g->s[close];
		if (quote) {
			if (c == '\\' && close + 1 < g->len)
				close++;
			else if (c == '"')
				quote = 0;
		} else if (c == '"') {
			quote = 1;
		} else if (c == '[') {
			depth++;
		} else if (c == ']') {
			depth--;
		}
	}
	if (depth)
		return syntax_error(e, "'%s': a '[' has no closing ']'", g->whole);
	close--;	/* at the ']' */
	char *inner = strndup(g->s + pos + 1, close - pos - 1);
	if (!inner)
		return nomem(e);
	struct grammar sub = { .s = inner, .len = close - pos - 1, .r = g->r, .whole = g->whole, .step = g->step };
	int rc = sub.len ? after_term(&sub, ADDR_ONLY, 0, 0, 0, e)
			 : syntax_error(e, "'%s': nothing between '[' and ']'", g->whole);
	free(inner);
	if (rc < 0)
		return -1;
	uint64_t at = sub.lo, value;
	unsigned step = ++*g->step;
	struct perr why;
	if (!g->r->deref)
		return perr_set(e, PERR_MEMORY, "'%s': no memory to follow pointers in", g->whole);
	if (g->r->deref(g->r->ctx, at, &value, &why) < 0)
		return perr_set(e, why.kind == PERR_NOMEM ? PERR_NOMEM : PERR_MEMORY,
				"'%s', step %u of the chain: cannot read the pointer at %#" PRIx64 ": %s", g->whole, step,
				at, why.msg);
	if (value == 0)
		return perr_set(e, PERR_MEMORY, "'%s', step %u of the chain: the pointer at %#" PRIx64 " is NULL",
				g->whole, step, at);
	if (apply(g, &acc, value, neg, terms, e) < 0)
		return -1;
	return after_term(g, st, close + 1, acc, terms + 1, e);
}

/* Parses the term at POS and whatever follows it to the end. */
static int term_at(struct grammar *g, enum stage st, size_t pos, uint64_t acc, int neg, unsigned terms,
		   struct perr *e)
{
	if (pos == g->len || g->s[pos] == '+' || g->s[pos] == '-' || g->s[pos] == ':')
		return syntax_error(e, "'%s': missing a number or name %s", g->whole,
				    terms			 ? (neg ? "after '-'" : "after '+'")
				    : st == RANGE_END ? "after '..' (the END of ADDR..END)"
							 : "at the start");
	uint64_t v;
	if (isdigit((unsigned char)g->s[pos])) {
		size_t end = pos;
		while (!boundary(g, end, st))
			end++;
		if (parse_number_n(g->s + pos, end - pos, &v, e) < 0 || apply(g, &acc, v, neg, terms, e) < 0)
			return -1;
		return after_term(g, st, end, acc, terms + 1, e);
	}
	if (g->s[pos] == '"') {
		/* a quoted name, else a quoted symbol */
		char *name = NULL;
		size_t end = quoted(g->s, g->len, pos, &name);
		if (!end)
			return syntax_error(e, "'%s': a quoted name has no closing '\"'", g->whole);
		const char *full;
		uint64_t lo, hi;
		struct perr why;
		int rc = match_name(g->r->maps, name, &full, &why);
		if (rc == 0)
			rc = resolve_name(g->r->maps, name, &lo, &hi, &why);
		free(name);
		if (rc == 0)
			return after_name(g, st, end, full, lo, acc, neg, terms, e);
		if (why.kind != PERR_NAME) {
			*e = why;
			return -1;
		}
		if (symbol_term(g, st, pos, NULL, acc, neg, terms, e) == 0)
			return 0;
		if (e->kind == PERR_NAME) {
			/* neither: say both, the mappings first */
			char symbols[sizeof e->msg];
			snprintf(symbols, sizeof symbols, "%s", e->msg);
			snprintf(e->msg, sizeof e->msg, "%.300s; %.200s", why.msg, symbols);
		}
		return -1;
	}
	int rc = names_at(g, st, pos, acc, neg, terms, e);
	if (rc <= 0)
		return rc;
	if (g->s[pos] == '[')
		return deref_term(g, st, pos, acc, neg, terms, e);
	/* No prefix names a mapping: a symbol, where there are symbols. */
	struct perr missing = { .kind = PERR_NONE };
	if (g->r->symbol && symbol_start(g->s[pos])) {
		if (symbol_term(g, st, pos, NULL, acc, neg, terms, &missing) == 0)
			return 0;
		if (missing.kind != PERR_NAME) {
			*e = missing;
			return -1;
		}
	}
	/* Report the name the user meant: the text before its numeric
	 * offset, length or end, with what the target maps. */
	size_t cut = pos + 1;
	while (cut < g->len && !(boundary(g, cut, st) && cut + 1 < g->len &&
				 (isdigit((unsigned char)g->s[cut + 1]) || g->s[cut + 1] == '.')))
		cut++;
	char *name = strndup(g->s + pos, cut - pos);
	if (!name)
		return nomem(e);
	uint64_t hi;
	resolve_name(g->r->maps, name, &v, &hi, e);
	free(name);
	if (missing.kind == PERR_NAME && e->kind == PERR_NAME) {
		size_t used = strlen(e->msg);
		snprintf(e->msg + used, sizeof e->msg - used, "; %s", missing.msg);
	}
	return -1;
}

/* The rest of the argument after TERMS terms, at POS (the first term,
 * with TERMS 0). */
static int after_term(struct grammar *g, enum stage st, size_t pos, uint64_t acc, unsigned terms, struct perr *e)
{
	if (terms == 0)
		return term_at(g, st, pos, acc, 0, 0, e);
	if (pos == g->len) {
		if (st == RANGE_END) {
			g->hi = acc;
		} else {
			g->lo = acc;
			g->terms = terms;
		}
		return 0;
	}
	char c = g->s[pos];
	if (c == '+' || c == '-') {
		if (terms == 1)
			g->oppos = pos;
		return term_at(g, st, pos + 1, acc, c == '-', terms, e);
	}
	if (st == RANGE_FIRST && c == ':') {
		g->lo = acc;
		g->terms = terms;
		g->form = 1;
		if (parse_length(g->s + pos + 1, &g->len_value, e) < 0)
			return -1;
		if (g->len_value && acc > UINT64_MAX - (g->len_value - 1))
			return syntax_error(e, "'%s' passes the top of the address space (2^64)", g->whole);
		return 0;
	}
	if (st == RANGE_FIRST && c == '.' && g->s[pos + 1] == '.') {
		g->lo = acc;
		g->terms = terms;
		g->form = 2;
		return after_term(g, RANGE_END, pos + 2, 0, 0, e);
	}
	return syntax_error(e, "'%s': '%c' after %.*s is not '+', '-'%s", g->whole, c, (int)pos, g->s,
			    st == RANGE_FIRST ? ", ':' or '..'" : "");
}

int parse_addr(const char *s, const struct resolver *r, uint64_t *out, struct perr *e)
{
	unsigned step = 0;
	struct grammar g = { .s = s, .len = strlen(s), .r = r, .whole = s, .step = &step };
	if (!g.len)
		return syntax_error(e, "missing an address");
	if (too_big(s, g.len, e) < 0 || after_term(&g, ADDR_ONLY, 0, 0, 0, e) < 0)
		return -1;
	*out = g.lo;
	return 0;
}

int parse_range(const char *s, const struct resolver *r, struct range *out, struct perr *e)
{
	memset(out, 0, sizeof *out);
	uint64_t lo, hi;
	struct perr why;
	/* A NAME alone is its whole span, before anything else. */
	unsigned step = 0;
	struct grammar g = { .s = s, .len = strlen(s), .r = r, .whole = s, .step = &step };
	char *name = NULL;
	size_t len = g.len;
	if (too_big(s, len, e) < 0)
		return -1;
	if (len && s[0] == '"' && quoted(s, len, 0, &name) == len) {
		int rc = resolve_name(r->maps, name, &lo, &hi, &why);
		free(name);
		if (rc == 0) {
			*out = (struct range){ lo, hi - lo, 1, 1 };
			return 0;
		}
		if (why.kind != PERR_NAME) {
			*e = why;
			return -1;
		}
	} else {
		free(name);
		if (!isdigit((unsigned char)s[0]) && resolve_name(r->maps, s, &lo, &hi, &why) == 0) {
			*out = (struct range){ lo, hi - lo, 1, 1 };
			return 0;
		}
	}
	if (!len)
		return syntax_error(e, "missing an address");
	if (after_term(&g, RANGE_FIRST, 0, 0, 0, e) < 0)
		return -1;
	if (g.form == 2) {
		if (g.hi < g.lo)
			return syntax_error(e, "'%s': the end %#" PRIx64 " is below the start %#" PRIx64, s, g.hi, g.lo);
		*out = (struct range){ g.lo, g.hi - g.lo, 1, 0 };
	} else if (g.form == 1) {
		*out = (struct range){ g.lo, g.len_value, 1, 0 };
	} else if (g.symbol && g.symbol_size) {
		/* a symbol alone is its whole size, as a NAME alone */
		if (g.symbol_size - 1 > UINT64_MAX - g.lo)
			return syntax_error(e, "'%s' passes the top of the address space (2^64)", s);
		*out = (struct range){ g.lo, g.symbol_size, 1, 1 };
	} else {
		*out = (struct range){ g.lo, 0, 0, 0 };
	}
	return 0;
}
