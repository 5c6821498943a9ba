/* Streams: the requests in flight, as top shows processes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "load.h"
#include "screen.h"

#define MAX_STREAMS 4096

static const char *const sort_names[SORT_COUNT] = {
	"age", "tokens", "tok/s", "stalled",
};

static usec_t sort_now;
static enum stream_sort sort_key;

static double
key_of(const struct stream_info *s)
{
	usec_t age = sort_now - s->started;

	switch (sort_key) {
	case SORT_TOKENS: return (double)s->chunks;
	case SORT_RATE: return age > 0 ? (double)s->chunks / usec_to_sec(age) : 0;
	case SORT_STALLED: return (double)(sort_now - s->last);
	default: return (double)age;
	}
}

static int
by_key(const void *a, const void *b)
{
	double x = key_of(a), y = key_of(b);

	return (x < y) - (x > y);	/* largest first */
}

void
view_streams(struct tui *t, int top, int rows)
{
	static struct stream_info streams[MAX_STREAMS];
	usec_t now = tui_now(t);
	int n, shown, i;

	n = tui_streams(t, streams, MAX_STREAMS);
	shown = n < MAX_STREAMS ? n : MAX_STREAMS;
	sort_now = now;
	sort_key = t->sort;
	qsort(streams, (size_t)shown, sizeof streams[0], by_key);
	put(t, top, 0, C_DIM, "%d in flight, sorted by %s (s to change)", n,
	    sort_names[t->sort]);
	put(t, top + 1, 0, C_ACCENT, "%10s %7s %9s %8s %8s %10s", "id", "client",
	    "age", "chunks", "chunks/s", "stalled");
	for (i = 0; i < shown && i < rows - 2; i++) {
		const struct stream_info *s = &streams[i];
		double age = usec_to_sec(now - s->started);
		char stalled[16];

		label_duration(stalled, sizeof stalled, usec_to_sec(now - s->last));
		put(t, top + 2 + i, 0, now - s->last > 2 * USEC_PER_SEC ? C_WARN : C_NORMAL,
		    "%10ld %7d %8.1fs %8ld %8.1f %10s", s->id, s->client, age,
		    s->chunks, age > 0 ? (double)s->chunks / age : 0, stalled);
	}
}
