/* A small JSON writer (json.c), for every --json: strings escaped one way
 * (control bytes as \u00XX, bytes that are not UTF-8 as U+FFFD),
 * addresses as "0x..." strings (a JSON number loses precision above
 * 2^53), counts as numbers. */
#ifndef PVMIO_JSON_H
#define PVMIO_JSON_H

#include <stdint.h>

#include "output.h"

#define JSON_DEPTH_MAX 8

struct json {
	struct out *o;
	int depth;
	char close[JSON_DEPTH_MAX];	/* '}' or ']' for each open one */
	int any[JSON_DEPTH_MAX];	/* a value at this depth already: a comma before the next */
	int key;			/* a key was written: its value takes no comma */
};
void json_init(struct json *j, struct out *o);
void json_object(struct json *j);
void json_array(struct json *j);
/* Ends the innermost object or array. */
void json_end(struct json *j);
/* A key in the current object; its value follows. */
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);
void json_uint(struct json *j, uint64_t v);
void json_int(struct json *j, int64_t v);
void json_bool(struct json *j, int v);
void json_null(struct json *j);
/* An address, or any 64-bit value printed in hex: "0x7ffd1000". */
void json_hex(struct json *j, uint64_t v);
/* A value as JSON text already (a number formatted elsewhere). */
void json_raw(struct json *j, const char *text);
/* Ends a line: one object a line for streams (NDJSON). */
void json_newline(struct json *j);

#endif
