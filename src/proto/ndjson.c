#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "proto/ndjson.h"
#include "xalloc.h"

void
ndjson_init(struct ndjson *n)
{
	memset(n, 0, sizeof *n);
}

void
ndjson_done(struct ndjson *n)
{
	free(n->line);
	memset(n, 0, sizeof *n);
}

static int
dispatch(struct ndjson *n, ndjson_line_fn fn, void *ctx)
{
	size_t len = n->len;
	int rc = 0;

	while (len > 0 && (n->line[len - 1] == '\r' || n->line[len - 1] == ' ' ||
	    n->line[len - 1] == '\t'))
		len--;
	if (len > 0) {
		n->line[len] = '\0';
		rc = fn(ctx, n->line, len);
	}
	n->len = 0;
	return rc;
}

static void
append(struct ndjson *n, const char *p, size_t k)
{
	if (n->len + k + 1 > n->cap) {
		size_t cap = n->cap ? n->cap : 256;

		while (cap < n->len + k + 1)
			cap *= 2;
		n->line = xreallocarray(n->line, cap, 1);
		n->cap = cap;
	}
	memcpy(n->line + n->len, p, k);
	n->len += k;
}

int
ndjson_feed(struct ndjson *n, const char *buf, size_t len, ndjson_line_fn fn,
    void *ctx)
{
	const char *p = buf, *end = buf + len;
	int rc;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t k = (size_t)((nl != NULL ? nl : end) - p);

		if (n->len + k > NDJSON_LINE_MAX)
			return -1;
		append(n, p, k);
		if (nl == NULL)
			break;
		if ((rc = dispatch(n, fn, ctx)) != 0)
			return rc;
		p = nl + 1;
	}
	return 0;
}

int
ndjson_finish(struct ndjson *n, ndjson_line_fn fn, void *ctx)
{
	return n->len > 0 ? dispatch(n, fn, ctx) : 0;
}
