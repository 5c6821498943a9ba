/* Any JSON streaming endpoint: the body comes from --body-file, the stream
 * is SSE or NDJSON (--stream), and paths name where a chunk's generated text
 * is (--token-path choices.0.delta.content), where the output token count is
 * (--usage-path) and what marks the end (--done-path; else "data: [DONE]"
 * or the end of the body). */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "proto/frames.h"
#include "run_opts.h"
#include "prompts.h"
#include "proto/proto.h"
#include "sample.h"

#define FAILED		1

struct custom {
	struct frames			 fr;
	const struct run_opts		*o;
	const struct proto_events	*ev;
	bool				 done;
};

/* Only --body-file bodies are sent (options insists on one). */
static void
custom_body(const struct run_opts *o, const struct prompt *p, long max_tokens,
    struct buf *b)
{
}

static struct curl_slist *
custom_headers(const struct run_opts *o, struct curl_slist *list)
{
	list = curl_slist_append(list, "Content-Type: application/json");
	if (o->stream_ndjson)
		return list;
	return curl_slist_append(list, "Accept: text/event-stream");
}

static const cJSON *
json_path(const cJSON *root, const char *path)
{
	const cJSON *cur = root;
	const char *p = path;

	while (cur != NULL && *p != '\0') {
		size_t n = strcspn(p, ".");
		char key[128];

		if (n >= sizeof key)
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		if (cJSON_IsArray(cur) && n > 0 && strspn(key, "0123456789") == n)
			cur = cJSON_GetArrayItem(cur, atoi(key));
		else
			cur = cJSON_GetObjectItemCaseSensitive(cur, key);
		p += n;
		if (*p == '.')
			p++;
	}
	return cur;
}

static bool
truthy(const cJSON *v)
{
	return v != NULL && !cJSON_IsNull(v) && !cJSON_IsFalse(v) &&
	    !(cJSON_IsString(v) && v->valuestring[0] == '\0');
}

static int
on_json(struct custom *st, const char *data, size_t len)
{
	const struct proto_events *ev = st->ev;
	const struct run_opts *o = st->o;
	const cJSON *v;
	cJSON *root;

	if (st->done)
		return 0;
	if (len == 6 && memcmp(data, "[DONE]", 6) == 0) {
		st->done = true;
		ev->done(ev->ctx);
		return 0;
	}
	if ((root = cJSON_ParseWithLength(data, len)) == NULL) {
		proto_fail_quote(ev, "non-JSON data", data, len);
		return FAILED;
	}
	v = json_path(root, o->token_path);
	if ((cJSON_IsString(v) && v->valuestring[0] != '\0') || cJSON_IsNumber(v))
		ev->token(ev->ctx, CHUNK_VISIBLE);
	proto_text(ev, v);
	if (o->usage_path != NULL &&
	    cJSON_IsNumber(v = json_path(root, o->usage_path)))
		ev->usage(ev->ctx, (long)v->valuedouble, -1);
	if (o->done_path != NULL && truthy(json_path(root, o->done_path))) {
		st->done = true;
		ev->done(ev->ctx);
	}
	cJSON_Delete(root);
	return 0;
}

static int
on_frame(void *ctx, const char *event, const char *data, size_t len)
{
	return on_json(ctx, data, len);
}

static void
custom_init(void *state)
{
	struct custom *st = state;

	memset(st, 0, sizeof *st);
	frames_init(&st->fr, FRAMES_SSE);	/* --stream is read at the first bytes */
}

static void
custom_done(void *state)
{
	struct custom *st = state;

	frames_done(&st->fr);
}

/* The options come with the events (init has none): --stream sets the
 * framing before the first bytes are read. */
static struct custom *
custom_bind(void *state, const struct proto_events *ev)
{
	struct custom *st = state;

	st->ev = ev;
	st->o = ev->opts;
	st->fr.kind = st->o->stream_ndjson ? FRAMES_NDJSON : FRAMES_SSE;
	return st;
}

static int
custom_feed(void *state, const char *buf, size_t len,
    const struct proto_events *ev)
{
	struct custom *st = custom_bind(state, ev);

	return frames_feed(&st->fr, buf, len, on_frame, st, ev);
}

static int
custom_finish(void *state, const struct proto_events *ev)
{
	struct custom *st = custom_bind(state, ev);

	if (frames_finish(&st->fr, on_frame, st) != 0)
		return -1;
	if (!st->done && st->o->done_path != NULL) {
		ev->fail(ev->ctx, "stream ended before --done-path was true");
		return -1;
	}
	if (!st->done)
		ev->done(ev->ctx);	/* the end of the body is the end */
	return 0;
}

const struct proto proto_custom = {
	.name = "custom",
	.path = "",
	.build_body = custom_body,
	.headers = custom_headers,
	.state_size = sizeof(struct custom),
	.init = custom_init,
	.done = custom_done,
	.feed = custom_feed,
	.finish = custom_finish,
};
