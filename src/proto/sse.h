/* Incremental Server-Sent Events parser. Feed it bytes as they arrive, split
 * anywhere; it calls back once per complete event. Its buffers are reused, so
 * steady streaming allocates nothing. */
#ifndef TTFTOP_SSE_H
#define TTFTOP_SSE_H

#include <stdbool.h>
#include <stddef.h>

#define SSE_EVENT_MAX	64
#define SSE_LINE_MAX	(4u << 20)	/* a longer line is a protocol error */

/* Called for each event; data is NUL-terminated (multi-line data joined with
 * '\n'); event is "" when the event had no name. A non-zero return stops
 * the feed and is returned by sse_feed. */
typedef int (*sse_event_fn)(void *ctx, const char *event, const char *data,
    size_t len);

struct sse {
	char	*line;		/* a line not yet terminated */
	size_t	 line_len, line_cap;
	char	*data;		/* the event's data so far */
	size_t	 data_len, data_cap;
	bool	 has_data;
	bool	 skip_lf;	/* the last byte seen was CR */
	char	 event[SSE_EVENT_MAX];
};

void sse_init(struct sse *);
void sse_done(struct sse *);
/* Returns 0, the callback's non-zero value, or -1 on an over-long line. */
int sse_feed(struct sse *, const char *buf, size_t len, sse_event_fn, void *ctx);
/* End of stream: an event left without its blank line is dispatched. */
int sse_finish(struct sse *, sse_event_fn, void *ctx);

#endif
