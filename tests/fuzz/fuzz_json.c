/* libFuzzer: the JSON writer's strings (json.c), every --json goes
 * through them.  The input (up to its first NUL) is written as a key and
 * as a value; the output is then read back by a strict decoder written
 * here, independently of json.c: it must be a JSON object whose key and
 * value decode to the input's code points when the input is UTF-8, and
 * to the input with every byte above 0x7f as U+FFFD when it is not.  No
 * raw control byte, no invalid UTF-8 may reach the output. */
#include "config.h"
#include "fuzz.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decodes one UTF-8 sequence at P (N bytes left) into *CP; its length, or
 * 0 when it is not a shortest-form scalar value. */
static size_t decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len = p[0] < 0x80 ? 1 : (p[0] >> 5) == 6 ? 2 : (p[0] >> 4) == 14 ? 3 : (p[0] >> 3) == 30 ? 4 : 0;
	if (!len || len > n)
		return 0;
	uint32_t v = len == 1 ? p[0] : p[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	static const uint32_t least[] = { 0, 0, 0x80, 0x800, 0x10000 };
	if (v < least[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* What a reader must get back for S: its code points, or with bytes
 * that are not UTF-8 anywhere in it, U+FFFD for every byte above 0x7f. */
static size_t expected(const unsigned char *s, size_t n, uint32_t *out)
{
	size_t k = 0, i = 0, len;
	uint32_t cp;
	for (i = 0; i < n && (len = decode(s + i, n - i, &cp)); i += len)
		out[k++] = cp;
	if (i == n)
		return k;
	for (k = 0, i = 0; i < n; i++)
		out[k++] = s[i] < 0x80 ? s[i] : 0xfffd;
	return k;
}

static int hexval(unsigned char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Reads a JSON string at *P (strictly, as RFC 8259 has it) into OUT;
 * aborts on anything a reader would refuse. */
static size_t string_at(const unsigned char **p, const unsigned char *end, uint32_t *out)
{
	const unsigned char *q = *p;
	size_t k = 0;
	if (q >= end || *q++ != '"')
		abort();
	for (;;) {
		if (q >= end || *q < 0x20)
			abort();
		if (*q == '"')
			break;
		if (*q == '\\') {
			if (end - q < 2)
				abort();
			unsigned char c = q[1];
			const char *simple = strchr("\"\\/bfnrt", c);
			if (c && simple) {
				static const char map[] = "\"\\/\b\f\n\r\t";
				out[k++] = (unsigned char)map[simple - "\"\\/bfnrt"];
				q += 2;
				continue;
			}
			if (c != 'u' || end - q < 6)
				abort();
			int v = 0;
			for (int i = 2; i < 6; i++) {
				int h = hexval(q[i]);
				if (h < 0)
					abort();
				v = v << 4 | h;
			}
			/* the writer has no reason to write surrogate pairs */
			if (v >= 0xd800 && v <= 0xdfff)
				abort();
			out[k++] = (uint32_t)v;
			q += 6;
			continue;
		}
		uint32_t cp;
		size_t len = decode(q, (size_t)(end - q), &cp);
		if (!len)
			abort();
		out[k++] = cp;
		q += len;
	}
	*p = q + 1;
	return k;
}

static void expect(const unsigned char **p, const unsigned char *end, const char *text)
{
	size_t n = strlen(text);
	if ((size_t)(end - *p) < n || memcmp(*p, text, n) != 0)
		abort();
	*p += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = fuzz_cstr(data, size);
	size_t n = strlen(s);
	uint32_t *want = malloc((n + 1) * sizeof *want), *got = malloc((n + 1) * 6 * sizeof *got);
	if (!want || !got)
		abort();
	size_t nwant = expected((const unsigned char *)s, n, want);

	struct out o;
	if (out_init(&o, -1) < 0)
		abort();
	struct json j;
	json_init(&j, &o);
	json_object(&j);
	json_key(&j, s);
	json_string(&j, s);
	json_key(&j, "n");
	json_uint(&j, n);
	json_end(&j);

	const unsigned char *p = (const unsigned char *)o.buf, *end = p + o.len;
	expect(&p, end, "{");
	for (int twice = 0; twice < 2; twice++) {
		size_t ngot = string_at(&p, end, got);
		if (ngot != nwant || memcmp(got, want, nwant * sizeof *want) != 0)
			abort();
		expect(&p, end, twice ? ", " : ": ");
	}
	expect(&p, end, "\"n\": ");
	char num[32];
	snprintf(num, sizeof num, "%zu}", n);
	expect(&p, end, num);
	if (p != end)
		abort();
	out_free(&o);
	free(want);
	free(got);
	free(s);
	return 0;
}
