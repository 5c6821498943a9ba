/* The text framings streamed answers come in, behind one interface: SSE
 * events or newline-delimited JSON, each message handed to the adapter as
 * its data (an SSE event's name comes along; "" for NDJSON). */
#ifndef TTFTOP_FRAMES_H
#define TTFTOP_FRAMES_H

#include <stddef.h>

#include "proto/ndjson.h"
#include "proto/sse.h"

struct proto_events;

enum frame_kind { FRAMES_SSE, FRAMES_NDJSON };

/* A non-zero return stops the feed: the adapter has reported why. */
typedef int (*frame_fn)(void *ctx, const char *event, const char *data,
    size_t len);

struct frames {
	enum frame_kind	 kind;		/* may be set after init, before bytes */
	struct sse	 sse;
	struct ndjson	 nd;
	frame_fn	 fn;
	void		*ctx;
};

void frames_init(struct frames *, enum frame_kind);
void frames_done(struct frames *);
/* Returns 0, or -1 when the stream must be dropped: the callback failed,
 * or a line was too long (reported here through ev->fail). */
int frames_feed(struct frames *, const char *buf, size_t len, frame_fn,
    void *ctx, const struct proto_events *ev);
/* End of stream: a message left without its end is dispatched. 0 or -1. */
int frames_finish(struct frames *, frame_fn, void *ctx);

#endif
