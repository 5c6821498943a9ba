#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "net/coding.h"
#include "xalloc.h"

#define OUT_PIECE	(16 * 1024)	/* decoded bytes handed on at once */
#define ZLIB_AUTO	(MAX_WBITS + 32)	/* gzip or zlib, by the header */

void
coding_init(struct coding *c)
{
	memset(c, 0, sizeof *c);
}

void
coding_done(struct coding *c)
{
	if (c->z != NULL) {
		inflateEnd(c->z);
		free(c->z);
	}
	coding_init(c);
}

static bool
is_token(const char *v, size_t len, const char *token)
{
	return len == strlen(token) && strncasecmp(v, token, len) == 0;
}

enum coding_kind
coding_set(struct coding *c, const char *v, size_t len)
{
	z_stream *z;

	coding_done(c);
	if (len == 0 || is_token(v, len, "identity"))
		return c->kind = CODING_IDENTITY;
	snprintf(c->name, sizeof c->name, "%.*s", (int)len, v);
	/* x-gzip: RFC 9110 8.4.1.3; "deflate" is zlib's format, and zlib's
	 * header check takes it too */
	if (!is_token(v, len, "gzip") && !is_token(v, len, "x-gzip") &&
	    !is_token(v, len, "deflate"))
		return c->kind = CODING_UNKNOWN;
	z = xcalloc(1, sizeof *z);
	if (inflateInit2(z, ZLIB_AUTO) != Z_OK)
		fatal("out of memory starting zlib");
	c->z = z;
	return c->kind = CODING_ZLIB;
}

void
coding_refusal(const struct coding *c, char *err, size_t errlen)
{
	snprintf(err, errlen, "unsupported Content-Encoding \"%s\" in the "
	    "response (ttftop decodes gzip and deflate)", c->name);
}

int
coding_feed(struct coding *c, const char *data, size_t len,
    coding_out_fn out, void *ctx, char *err, size_t errlen)
{
	z_stream *z = c->z;
	char piece[OUT_PIECE];
	int zrc, rc;

	if (c->kind == CODING_IDENTITY)
		return out(ctx, data, len);
	z->next_in = (Bytef *)data;
	z->avail_in = (uInt)len;
	do {
		z->next_out = (Bytef *)piece;
		z->avail_out = sizeof piece;
		zrc = inflate(z, Z_SYNC_FLUSH);
		if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR) {
			snprintf(err, errlen, "bad %s data in the response: %s",
			    c->name, z->msg != NULL ? z->msg : "corrupt stream");
			return -1;
		}
		if (z->avail_out < sizeof piece &&
		    (rc = out(ctx, piece, sizeof piece - z->avail_out)) != 0)
			return rc;
		if (zrc == Z_STREAM_END && z->avail_in > 0) {
			snprintf(err, errlen, "data after the end of the %s "
			    "body in the response", c->name);
			return -1;
		}
	} while (z->avail_in > 0 || z->avail_out == 0);
	return 0;
}
