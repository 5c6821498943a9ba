/* Anthropic's Messages API: POST /v1/messages with "stream": true, answered
 * with named SSE events: message_start, content_block_start,
 * content_block_delta (text, thinking and tool input count as generated
 * content), content_block_stop, message_delta (the output token count),
 * message_stop, ping, error. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "run_opts.h"
#include "prompts.h"
#include "proto/proto.h"
#include "sample.h"
#include "proto/frames.h"

#define API_VERSION	"2023-06-01"
#define DEFAULT_MAX	1024	/* the API requires max_tokens */
#define FAILED		1

struct anthropic {
	struct frames			 fr;
	const struct proto_events	*ev;
	long				 input_tokens;
	bool				 stopped;
};

/* Chat messages as the API wants them: system prompts apart. */
void
proto_anthropic_messages(struct buf *b, const struct prompt *p)
{
	cJSON *msgs = p->messages ? cJSON_Parse(p->messages) : NULL;
	const cJSON *m;
	struct buf sys;
	bool first = true;

	if (!cJSON_IsArray(msgs)) {
		cJSON_Delete(msgs);
		buf_adds(b, "\"messages\":[{\"role\":\"user\",\"content\":");
		buf_add_json_string(b, p->text);
		buf_adds(b, "}]");
		return;
	}
	buf_init(&sys);
	buf_adds(b, "\"messages\":[");
	cJSON_ArrayForEach(m, msgs) {
		const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
		char *text;

		if (cJSON_IsString(role) && strcmp(role->valuestring, "system") == 0) {
			if (cJSON_IsString(content)) {
				if (sys.len > 0)
					buf_addc(&sys, '\n');
				buf_adds(&sys, content->valuestring);
			}
			continue;
		}
		text = cJSON_PrintUnformatted(m);
		if (!first)
			buf_addc(b, ',');
		buf_adds(b, text);
		cJSON_free(text);
		first = false;
	}
	buf_addc(b, ']');
	if (sys.len > 0) {
		buf_adds(b, ",\"system\":");
		buf_add_json_string(b, sys.p);
	}
	buf_free(&sys);
	cJSON_Delete(msgs);
}

static void
anthropic_body(const struct run_opts *o, const struct prompt *p, long max_tokens,
    struct buf *b)
{
	buf_addc(b, '{');
	proto_anthropic_messages(b, p);
	if (o->model != NULL) {
		buf_adds(b, ",\"model\":");
		buf_add_json_string(b, o->model);
	}
	buf_printf(b, ",\"max_tokens\":%ld,\"stream\":true}",
	    max_tokens > 0 ? max_tokens : DEFAULT_MAX);
}

static struct curl_slist *
anthropic_headers(const struct run_opts *o, struct curl_slist *list)
{
	char key[1024];

	list = curl_slist_append(list, "Content-Type: application/json");
	list = curl_slist_append(list, "Accept: text/event-stream");
	list = curl_slist_append(list, "anthropic-version: " API_VERSION);
	if (o->api_key != NULL && o->api_key[0] != '\0') {
		snprintf(key, sizeof key, "x-api-key: %s", o->api_key);
		list = curl_slist_append(list, key);
	}
	return list;
}

static bool
nonempty(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) && v->valuestring[0] != '\0';
}

static long
usage_of(const cJSON *usage, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(usage, key);

	return cJSON_IsNumber(v) ? (long)v->valuedouble : -1;
}

static int
on_event(void *ctx, const char *event, const char *data, size_t len)
{
	struct anthropic *st = ctx;
	const struct proto_events *ev = st->ev;
	const cJSON *type, *delta, *usage;
	cJSON *root;
	const char *t;
	int rc = 0;

	if (st->stopped)
		return 0;
	if ((root = cJSON_ParseWithLength(data, len)) == NULL) {
		proto_fail_quote(ev, "non-JSON data", data, len);
		return FAILED;
	}
	type = cJSON_GetObjectItemCaseSensitive(root, "type");
	t = cJSON_IsString(type) ? type->valuestring : event;
	if (strcmp(t, "content_block_delta") == 0) {
		delta = cJSON_GetObjectItemCaseSensitive(root, "delta");
		if (nonempty(delta, "text") || nonempty(delta, "thinking") ||
		    nonempty(delta, "partial_json"))
			ev->token(ev->ctx);
	} else if (strcmp(t, "message_start") == 0) {
		usage = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(root, "message"), "usage");
		st->input_tokens = usage_of(usage, "input_tokens");
	} else if (strcmp(t, "message_delta") == 0) {
		long out;

		usage = cJSON_GetObjectItemCaseSensitive(root, "usage");
		if ((out = usage_of(usage, "output_tokens")) >= 0) {
			long in = usage_of(usage, "input_tokens");

			ev->usage(ev->ctx, out, in >= 0 ? in : st->input_tokens);
		}
	} else if (strcmp(t, "message_stop") == 0) {
		st->stopped = true;
		ev->done(ev->ctx);
	} else if (strcmp(t, "error") == 0) {
		const cJSON *err = cJSON_GetObjectItemCaseSensitive(root, "error");
		const cJSON *etype = cJSON_GetObjectItemCaseSensitive(err, "type");
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(err, "message");
		char detail[SAMPLE_DETAIL_MAX];

		snprintf(detail, sizeof detail, "%s: %s",
		    cJSON_IsString(etype) ? etype->valuestring : "error",
		    cJSON_IsString(msg) ? msg->valuestring : "(no message)");
		ev->fail(ev->ctx, detail);
		rc = FAILED;
	}
	cJSON_Delete(root);
	return rc;
}

static void
anthropic_init(void *state)
{
	struct anthropic *st = state;

	memset(st, 0, sizeof *st);
	frames_init(&st->fr, FRAMES_SSE);
	st->input_tokens = -1;
}

static void
anthropic_done(void *state)
{
	frames_done(&((struct anthropic *)state)->fr);
}

static int
anthropic_feed(void *state, const char *buf, size_t len,
    const struct proto_events *ev)
{
	struct anthropic *st = state;

	st->ev = ev;
	return frames_feed(&st->fr, buf, len, on_event, st, ev);
}

static int
anthropic_finish(void *state, const struct proto_events *ev)
{
	struct anthropic *st = state;

	st->ev = ev;
	if (frames_finish(&st->fr, on_event, st) != 0)
		return -1;
	if (!st->stopped) {
		ev->fail(ev->ctx, "stream ended before message_stop");
		return -1;
	}
	return 0;
}

const struct proto proto_anthropic = {
	.name = "anthropic",
	.path = "/v1/messages",
	.env_key = "ANTHROPIC_API_KEY",
	.key_required = 1,
	.build_body = anthropic_body,
	.headers = anthropic_headers,
	.state_size = sizeof(struct anthropic),
	.init = anthropic_init,
	.done = anthropic_done,
	.feed = anthropic_feed,
	.finish = anthropic_finish,
};
