#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xalloc.h"

void
buf_init(struct buf *b)
{
	b->p = NULL;
	b->len = b->cap = 0;
}

void
buf_free(struct buf *b)
{
	free(b->p);
	buf_init(b);
}

void
buf_reserve(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1, n;

	if (need <= b->cap)
		return;
	n = b->cap ? b->cap : 128;
	while (n < need)
		n *= 2;
	b->p = xreallocarray(b->p, n, 1);
	b->cap = n;
}

void
buf_add(struct buf *b, const void *data, size_t len)
{
	buf_reserve(b, len);
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("bad format string");
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_add_json_stringn(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	buf_reserve(b, n + 2);
	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		switch (u[i]) {
		case '"':  buf_add(b, "\\\"", 2); break;
		case '\\': buf_add(b, "\\\\", 2); break;
		case '\n': buf_add(b, "\\n", 2); break;
		case '\r': buf_add(b, "\\r", 2); break;
		case '\t': buf_add(b, "\\t", 2); break;
		default:
			if (u[i] < 0x20) {
				char esc[6] = { '\\', 'u', '0', '0',
				    hex[u[i] >> 4], hex[u[i] & 15] };
				buf_add(b, esc, sizeof esc);
			} else
				buf_addc(b, (char)u[i]);
		}
	}
	buf_addc(b, '"');
}

void
buf_add_json_string(struct buf *b, const char *s)
{
	buf_add_json_stringn(b, s, strlen(s));
}

void
buf_add_usec(struct buf *b, usec_t u)
{
	buf_reserve(b, 24);
	b->len += (size_t)usec_format(b->p + b->len, u);
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *p = b->p;

	if (p == NULL)
		p = xstrdup("");
	if (len != NULL)
		*len = b->len;
	buf_init(b);
	return p;
}
