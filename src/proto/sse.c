#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "proto/sse.h"
#include "xalloc.h"

void
sse_init(struct sse *p)
{
	memset(p, 0, sizeof *p);
}

void
sse_done(struct sse *p)
{
	free(p->line);
	free(p->data);
	memset(p, 0, sizeof *p);
}

static void
grow(char **buf, size_t *cap, size_t need)
{
	size_t n;

	if (need <= *cap)
		return;
	n = *cap ? *cap : 256;
	while (n < need)
		n *= 2;
	*buf = xreallocarray(*buf, n, 1);
	*cap = n;
}

static int
dispatch(struct sse *p, sse_event_fn fn, void *ctx)
{
	int rc = 0;

	if (p->has_data) {
		grow(&p->data, &p->data_cap, p->data_len + 1);
		p->data[p->data_len] = '\0';
		rc = fn(ctx, p->event, p->data, p->data_len);
	}
	p->has_data = false;
	p->data_len = 0;
	p->event[0] = '\0';
	return rc;
}

/* One complete line, without its terminator. */
static int
process_line(struct sse *p, const char *s, size_t n, sse_event_fn fn, void *ctx)
{
	const char *colon, *value;
	size_t flen, vlen;

	if (n == 0)
		return dispatch(p, fn, ctx);
	if (s[0] == ':')
		return 0;	/* comment, often a keep-alive */
	colon = memchr(s, ':', n);
	flen = colon ? (size_t)(colon - s) : n;
	value = colon ? colon + 1 : s + n;
	vlen = n - (size_t)(value - s);
	if (vlen > 0 && value[0] == ' ') {
		value++;
		vlen--;
	}
	if (flen == 4 && memcmp(s, "data", 4) == 0) {
		grow(&p->data, &p->data_cap, p->data_len + vlen + 2);
		if (p->has_data)
			p->data[p->data_len++] = '\n';
		memcpy(p->data + p->data_len, value, vlen);
		p->data_len += vlen;
		p->has_data = true;
	} else if (flen == 5 && memcmp(s, "event", 5) == 0) {
		if (vlen >= sizeof p->event)
			vlen = sizeof p->event - 1;
		memcpy(p->event, value, vlen);
		p->event[vlen] = '\0';
	}
	/* id, retry and unknown fields change nothing we measure */
	return 0;
}

/* The first CR or LF, or end: memchr runs many bytes a step, and most
 * servers end lines with LF alone. */
static const char *
line_end(const char *buf, const char *end)
{
	const char *lf, *cr;

	if ((lf = memchr(buf, '\n', (size_t)(end - buf))) == NULL)
		lf = end;
	cr = memchr(buf, '\r', (size_t)(lf - buf));
	return cr != NULL ? cr : lf;
}

int
sse_feed(struct sse *p, const char *buf, size_t len, sse_event_fn fn, void *ctx)
{
	const char *end = buf + len, *nl;
	size_t n;
	int rc;

	if (p->skip_lf && buf < end) {
		if (*buf == '\n')
			buf++;
		p->skip_lf = false;
	}
	while (buf < end) {
		nl = line_end(buf, end);
		if (nl == end) {
			n = (size_t)(end - buf);
			if (p->line_len + n > SSE_LINE_MAX)
				return -1;
			grow(&p->line, &p->line_cap, p->line_len + n);
			memcpy(p->line + p->line_len, buf, n);
			p->line_len += n;
			return 0;
		}
		n = (size_t)(nl - buf);
		if (p->line_len > 0) {
			if (p->line_len + n > SSE_LINE_MAX)
				return -1;
			grow(&p->line, &p->line_cap, p->line_len + n);
			memcpy(p->line + p->line_len, buf, n);
			p->line_len += n;
			n = p->line_len;
			p->line_len = 0;
			rc = process_line(p, p->line, n, fn, ctx);
		} else
			rc = process_line(p, buf, n, fn, ctx);
		buf = nl + 1;
		if (*nl == '\r') {
			if (buf < end) {
				if (*buf == '\n')
					buf++;
			} else
				p->skip_lf = true;
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
sse_finish(struct sse *p, sse_event_fn fn, void *ctx)
{
	int rc = 0;

	if (p->line_len > 0) {
		rc = process_line(p, p->line, p->line_len, fn, ctx);
		p->line_len = 0;
	}
	if (rc == 0)
		rc = dispatch(p, fn, ctx);
	return rc;
}
