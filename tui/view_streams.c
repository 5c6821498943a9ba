/* Streams: the requests in flight, as top shows processes; a list that
 * scrolls, with one request's details on Enter. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "load.h"
#include "run_opts.h"
#include "screen.h"

#define MAX_STREAMS 4096
#define STALLED (2 * USEC_PER_SEC)	/* no token for this long, once begun */
#define DETAIL_ROWS 6	/* a blank row and five of details */
#define TAIL_SHOWN 96	/* the last bytes shown, at most */

/* The sort keys, named as their columns are. */
static const char *const sort_names[SORT_COUNT] = {
	"age", "chunks", "chunks/s", "stalled",
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
	case SORT_STALLED: return s->chunks > 0 ? (double)(sort_now - s->last) : 0;
	default: return (double)age;
	}
}

static int
by_key(const void *a, const void *b)
{
	double x = key_of(a), y = key_of(b);
	const struct stream_info *p = a, *q = b;

	if (x != y)
		return (x < y) - (x > y);	/* largest first */
	return (p->id > q->id) - (p->id < q->id);	/* then steady */
}

/* Where a request stands: not sent yet, sent (or answered) but no token,
 * tokens coming, or tokens stopped for a while. */
static const char *
state_of(const struct stream_info *s, usec_t now, enum colour *c)
{
	*c = C_NORMAL;
	if (!s->sent && s->status == 0 && s->ttfb == USEC_NONE)
		return "connecting";
	if (s->chunks == 0)
		return "waiting";	/* for its first token */
	if (now - s->last > STALLED) {
		*c = C_WARN;
		return "stalled";
	}
	return "streaming";
}

/* The bytes as text: controls shown as \n, \r, \t or '.', so that one
 * row holds them. */
static void
tail_text(char *out, size_t len, const char *in, int n)
{
	size_t o = 0;
	int i;

	for (i = 0; i < n && o + 3 < len; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (ch == '\n' || ch == '\r' || ch == '\t') {
			out[o++] = '\\';
			out[o++] = ch == '\n' ? 'n' : ch == '\r' ? 'r' : 't';
		} else
			out[o++] = ch < 0x20 || ch == 0x7f || ch >= 0x80 ? '.' : (char)ch;
	}
	out[o] = '\0';
}

static void
detail(struct tui *t, int y, const struct stream_info *s, usec_t now)
{
	char a[16], b[16], c[16], d[16], stage[24], raw[TAIL_SHOWN], text[2 * TAIL_SHOWN + 1];
	enum colour col;
	const char *state;
	int n, room = COLS - 16;

	if (s->segment > 1)
		snprintf(stage, sizeof stage, "%d.%d", s->stage, s->segment);
	else
		snprintf(stage, sizeof stage, "%d", s->stage);
	state = state_of(s, now, &col);
	put(t, y, 0, C_ACCENT, "request %ld  client %d  stage %s  %s", s->id,
	    s->client, stage, strcmp(state, "waiting") == 0 ?
	    "waiting for its first token" : strcmp(state, "connecting") == 0 ?
	    "connecting (nothing sent yet)" : state);
	put(t, y + 1, 0, C_NORMAL, "  %s", t->m.load != NULL ?
	    t->m.load->opts->endpoint : t->m.ri->url);
	if (s->status > 0)
		put(t, y + 2, 0, C_NORMAL, "  status %d", s->status);
	else
		put(t, y + 2, 0, C_DIM, "  no status yet");
	put(t, y + 3, 0, C_NORMAL, "  age %s  TTFB %s  TTFT %s  chunks %ld, the last "
	    "%s ago", label_duration(a, sizeof a, usec_to_sec(now - s->started)),
	    s->ttfb == USEC_NONE ? "-" : label_duration(b, sizeof b,
	    usec_to_sec(s->ttfb)), s->ttft == USEC_NONE ? "-" :
	    label_duration(c, sizeof c, usec_to_sec(s->ttft)), s->chunks,
	    s->chunks > 0 ? label_duration(d, sizeof d, usec_to_sec(now - s->last)) :
	    "-");
	n = tui_stream_tail(t, s->id, raw, sizeof raw);
	if (n < 0)
		put(t, y + 4, 0, C_DIM, "  last bytes: not kept in a saved run");
	else if (n == 0)
		put(t, y + 4, 0, C_DIM, "  last bytes: none yet");
	else {
		tail_text(text, sizeof text, raw, n);
		/* the newest bytes, when the row cannot hold them all */
		n = (int)strlen(text);
		put(t, y + 4, 0, C_NORMAL, "  last bytes: %s%s", n > room ? "..." : "",
		    text + (n > room ? n - room + 3 : 0));
	}
}

void
view_streams(struct tui *t, int top, int rows)
{
	static struct stream_info streams[MAX_STREAMS];
	static long ids[MAX_STREAMS];
	static const char *const cols[] = { "age", "chunks", "chunks/s", "stalled" };
	usec_t now = tui_now(t);
	int n, shown, i, first, visible, x;
	char head[160];

	n = tui_streams(t, streams, MAX_STREAMS);
	shown = n < MAX_STREAMS ? n : MAX_STREAMS;
	sort_now = now;
	sort_key = t->sort;
	qsort(streams, (size_t)shown, sizeof streams[0], by_key);
	for (i = 0; i < shown; i++)
		ids[i] = streams[i].id;
	visible = rows - 3 - (t->streams.open ? DETAIL_ROWS : 0);
	first = list_fit(&t->streams, ids, shown, visible);
	list_status(t, top, &t->streams, shown, "streams");
	put(t, top + 1, 0, C_DIM, "sorted by %s (s to change)", sort_names[t->sort]);
	/* the sort column's name marked */
	snprintf(head, sizeof head, "  %10s %7s %-10s %9s %8s %8s %10s", "id", "client",
	    "state", cols[0], cols[1], cols[2], cols[3]);
	put(t, top + 2, 0, C_ACCENT, "%s", head);
	x = (int)(strstr(head + 32, cols[t->sort]) - head);
	put(t, top + 2, x - 1, C_WARN, "%s%s", t->utf8 ? "\u25bc" : "v", cols[t->sort]);
	for (i = first; i < shown && i < first + visible; i++) {
		const struct stream_info *s = &streams[i];
		double age = usec_to_sec(now - s->started);
		char stalled[16];
		enum colour c;
		const char *state = state_of(s, now, &c);

		if (s->chunks > 0)
			label_duration(stalled, sizeof stalled, usec_to_sec(now - s->last));
		else
			snprintf(stalled, sizeof stalled, "-");
		put(t, top + 3 + i - first, 0, c, "%s %10ld %7d %-10s %8.1fs %8ld %8.1f %10s",
		    i == t->streams.cursor ? (t->utf8 ? "\u25b6" : ">") : " ", s->id,
		    s->client, state, age, s->chunks, age > 0 ? (double)s->chunks / age : 0,
		    stalled);
	}
	if (t->streams.open && shown > 0)
		detail(t, top + rows - DETAIL_ROWS + 1, &streams[t->streams.cursor], now);
}
