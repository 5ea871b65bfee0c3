/* The JSON writer (json.h). */
#include "config.h"
#include "json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void json_init(struct json *j, struct out *o)
{
	memset(j, 0, sizeof *j);
	j->o = o;
}

/* Before a value: the comma after the one before it at this depth; the
 * items of a document's top array one a line (an array inside an
 * object stays on its line, as NDJSON needs). */
static void value(struct json *j)
{
	int in_array = j->depth == 1 && j->close[1] == ']';
	if (j->key)
		j->key = 0;
	else if (j->any[j->depth])
		out_str(j->o, in_array ? ",\n  " : ", ");
	else if (in_array)
		out_str(j->o, "\n  ");
	j->any[j->depth] = 1;
}

static void open(struct json *j, const char *text, char close)
{
	value(j);
	out_str(j->o, text);
	if (j->depth + 1 < JSON_DEPTH_MAX)
		j->depth++;
	j->close[j->depth] = close;
	j->any[j->depth] = 0;
}

void json_object(struct json *j)
{
	open(j, "{", '}');
}

void json_array(struct json *j)
{
	open(j, "[", ']');
}

void json_end(struct json *j)
{
	if (j->depth > 0) {
		if (j->depth == 1 && j->close[1] == ']' && j->any[1])
			out_write(j->o, "\n", 1);
		out_write(j->o, &j->close[j->depth], 1);
		j->depth--;
	}
}

/* Is S UTF-8 as RFC 3629 has it: no overlong forms, no surrogates,
 * nothing above U+10FFFF?  A decoder (Python's, for one) rejects the
 * rest, and the line would not parse. */
static int utf8_valid(const unsigned char *s)
{
	while (*s) {
		unsigned c = *s++, lo = 0x80, hi = 0xbf;
		int extra = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
		if (extra < 0)
			return 0;
		/* the second byte's narrower range, where the first allows
		 * overlong forms, surrogates or too large a code point */
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		else if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		for (int i = 0; i < extra; i++, s++) {
			if (*s < (i ? 0x80 : lo) || *s > (i ? 0xbf : hi))
				return 0;
		}
	}
	return 1;
}

/* A string: quotes and backslashes escaped, control bytes as \u00XX,
 * and, in a string that is not UTF-8, every byte above 0x7f as U+FFFD. */
static void quoted(struct out *o, const char *s)
{
	int valid = utf8_valid((const unsigned char *)s);
	out_write(o, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			out_write(o, esc, 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof esc, "\\u%04x", *p);
			out_str(o, esc);
		} else if (*p >= 0x80 && !valid) {
			out_str(o, "\\ufffd");
		} else {
			out_write(o, p, 1);
		}
	}
	out_write(o, "\"", 1);
}

void json_key(struct json *j, const char *key)
{
	value(j);
	quoted(j->o, key);
	out_str(j->o, ": ");
	j->key = 1;
}

void json_string(struct json *j, const char *s)
{
	value(j);
	quoted(j->o, s);
}

void json_raw(struct json *j, const char *text)
{
	value(j);
	out_str(j->o, text);
}

void json_uint(struct json *j, uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%" PRIu64, v);
	json_raw(j, buf);
}

void json_int(struct json *j, int64_t v)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%" PRId64, v);
	json_raw(j, buf);
}

void json_bool(struct json *j, int v)
{
	json_raw(j, v ? "true" : "false");
}

void json_null(struct json *j)
{
	json_raw(j, "null");
}

void json_hex(struct json *j, uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof buf, "\"0x%" PRIx64 "\"", v);
	json_raw(j, buf);
}

void json_newline(struct json *j)
{
	out_write(j->o, "\n", 1);
	j->any[j->depth] = 0;
}
