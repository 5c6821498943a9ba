#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "buf.h"
#include "proto/eventstream.h"
#include "xalloc.h"

#define PRELUDE	12
#define TRAILER	4

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t
crc(const unsigned char *p, size_t n)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)n);
}

void
es_init(struct es_decoder *d)
{
	memset(d, 0, sizeof *d);
}

void
es_done(struct es_decoder *d)
{
	free(d->buf);
	memset(d, 0, sizeof *d);
}

/* Bytes a header value of this type takes after its type byte, or -1. */
static long
value_size(unsigned char type, const unsigned char *p, const unsigned char *end)
{
	switch (type) {
	case 0: case 1: return 0;		/* true, false */
	case 2: return 1;			/* byte */
	case 3: return 2;			/* short */
	case 4: return 4;			/* int */
	case 5: case 8: return 8;		/* long, timestamp */
	case 9: return 16;			/* uuid */
	case 6: case 7:				/* bytes, string */
		if (end - p < 2)
			return -1;
		return 2 + ((long)p[0] << 8 | p[1]);
	default:
		return -1;
	}
}

static int
parse_headers(const unsigned char *p, const unsigned char *end,
    struct es_message *m)
{
	while (p < end) {
		unsigned char nlen = *p++, type;
		const unsigned char *name = p;
		long vs;

		if (nlen == 0 || end - p < nlen + 1)
			return -1;
		p += nlen;
		type = *p++;
		if ((vs = value_size(type, p, end)) < 0 || end - p < vs)
			return -1;
		if (type == 7) {
			char *dst = NULL;
			size_t n = (size_t)vs - 2;

			if (nlen == 11 && memcmp(name, ":event-type", 11) == 0)
				dst = m->event_type;
			else if (nlen == 13 && memcmp(name, ":message-type", 13) == 0)
				dst = m->message_type;
			else if (nlen == 15 && memcmp(name, ":exception-type", 15) == 0)
				dst = m->exception_type;
			if (dst != NULL) {
				if (n >= ES_NAME_MAX)
					n = ES_NAME_MAX - 1;
				memcpy(dst, p + 2, n);
				dst[n] = '\0';
			}
		}
		p += vs;
	}
	return 0;
}

/* Decodes the message at the front of the buffer, of total length n. */
static int
decode(struct es_decoder *d, size_t n, es_message_fn fn, void *ctx)
{
	const unsigned char *b = d->buf;
	uint32_t hlen = get32(b + 4);
	struct es_message m;

	if (get32(b + n - TRAILER) != crc(b, n - TRAILER)) {
		snprintf(d->error, sizeof d->error, "event-stream message CRC mismatch");
		return -1;
	}
	if (hlen > n - PRELUDE - TRAILER) {
		snprintf(d->error, sizeof d->error, "event-stream headers longer "
		    "than their message (%u bytes)", hlen);
		return -1;
	}
	memset(&m, 0, sizeof m);
	if (parse_headers(b + PRELUDE, b + PRELUDE + hlen, &m) != 0) {
		snprintf(d->error, sizeof d->error, "malformed event-stream headers");
		return -1;
	}
	m.payload = (const char *)b + PRELUDE + hlen;
	m.len = n - PRELUDE - hlen - TRAILER;
	return fn(ctx, &m);
}

int
es_feed(struct es_decoder *d, const char *data, size_t len, es_message_fn fn,
    void *ctx)
{
	while (len > 0) {
		size_t want = PRELUDE, take;
		int rc;

		if (d->len >= PRELUDE) {
			uint32_t total = get32(d->buf);

			want = total;
		}
		take = want - d->len < len ? want - d->len : len;
		if (d->len + take > d->cap) {
			d->cap = d->cap ? d->cap : 1024;
			while (d->cap < d->len + take)
				d->cap *= 2;
			d->buf = xreallocarray(d->buf, d->cap, 1);
		}
		memcpy(d->buf + d->len, data, take);
		d->len += take;
		data += take;
		len -= take;
		if (d->len < want)
			break;
		if (want == PRELUDE) {
			uint32_t total = get32(d->buf);

			if (get32(d->buf + 8) != crc(d->buf, 8)) {
				snprintf(d->error, sizeof d->error,
				    "event-stream prelude CRC mismatch");
				return -1;
			}
			if (total < PRELUDE + TRAILER || total > ES_MESSAGE_MAX) {
				snprintf(d->error, sizeof d->error, "impossible "
				    "event-stream message length %u", total);
				return -1;
			}
			continue;	/* now the rest of the message */
		}
		rc = decode(d, want, fn, ctx);
		d->len = 0;
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
es_pending(const struct es_decoder *d)
{
	return d->len > 0;
}

void
es_encode(struct buf *b, const char *const *headers, const char *payload,
    size_t len)
{
	size_t hlen = 0, total, start = b->len, i;
	unsigned char *p;

	for (i = 0; headers[i] != NULL; i += 2)
		hlen += 1 + strlen(headers[i]) + 1 + 2 + strlen(headers[i + 1]);
	total = PRELUDE + hlen + len + TRAILER;
	buf_reserve(b, total);
	p = (unsigned char *)b->p + start;
	put32(p, (uint32_t)total);
	put32(p + 4, (uint32_t)hlen);
	put32(p + 8, crc(p, 8));
	p += PRELUDE;
	for (i = 0; headers[i] != NULL; i += 2) {
		size_t n = strlen(headers[i]), v = strlen(headers[i + 1]);

		*p++ = (unsigned char)n;
		memcpy(p, headers[i], n);
		p += n;
		*p++ = 7;
		*p++ = (unsigned char)(v >> 8);
		*p++ = (unsigned char)v;
		memcpy(p, headers[i + 1], v);
		p += v;
	}
	memcpy(p, payload, len);
	p += len;
	put32(p, crc((unsigned char *)b->p + start, total - TRAILER));
	b->len = start + total;
	b->p[b->len] = '\0';
}
