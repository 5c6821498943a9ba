#include "config.h"

#include <string.h>

#include "proto/frames.h"
#include "proto/proto.h"

void
frames_init(struct frames *f, enum frame_kind kind)
{
	memset(f, 0, sizeof *f);
	f->kind = kind;
	sse_init(&f->sse);
	ndjson_init(&f->nd);
}

void
frames_done(struct frames *f)
{
	sse_done(&f->sse);
	ndjson_done(&f->nd);
}

static int
on_line(void *ctx, const char *line, size_t len)
{
	struct frames *f = ctx;

	return f->fn(f->ctx, "", line, len);
}

int
frames_feed(struct frames *f, const char *buf, size_t len, frame_fn fn,
    void *ctx, const struct proto_events *ev)
{
	int rc;

	f->fn = fn;
	f->ctx = ctx;
	rc = f->kind == FRAMES_SSE ? sse_feed(&f->sse, buf, len, fn, ctx) :
	    ndjson_feed(&f->nd, buf, len, on_line, f);
	if (rc == -1)
		ev->fail(ev->ctx, f->kind == FRAMES_SSE ? "SSE line too long" :
		    "NDJSON line too long");
	return rc == 0 ? 0 : -1;
}

int
frames_finish(struct frames *f, frame_fn fn, void *ctx)
{
	f->fn = fn;
	f->ctx = ctx;
	if (f->kind == FRAMES_SSE)
		return sse_finish(&f->sse, fn, ctx) == 0 ? 0 : -1;
	return ndjson_finish(&f->nd, on_line, f) == 0 ? 0 : -1;
}
