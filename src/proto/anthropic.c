/* Anthropic's Messages API: POST /v1/messages with "stream": true, answered
 * with named SSE events: message_start, content_block_start,
 * content_block_delta (text and tool input count as visible output,
 * thinking as reasoning), content_block_stop, message_delta (the output
 * token count and the stop_reason),
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
#include "proto/jscan.h"

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

/* The events read, by type; the others (ping, content_block_start and
 * _stop, and any the API adds) say nothing we count. */
enum kind { K_OTHER, K_DELTA, K_START, K_USAGE, K_STOP, K_ERROR, K_N };
static const char *const kind_names[K_N] = {
	[K_DELTA] = "content_block_delta", [K_START] = "message_start",
	[K_USAGE] = "message_delta", [K_STOP] = "message_stop",
	[K_ERROR] = "error",
};

/* What one event says, whichever way it was read. */
struct said {
	enum kind	kind;
	bool		visible;	/* a delta of text or tool input */
	bool		thinking;	/* a delta of thinking */
	long		out, in;	/* usage (-1: none) */
	char		reason[SAMPLE_REASON_MAX];	/* message_delta's
							   stop_reason */
	size_t		reason_len;
};

static void
said_init(struct said *s)
{
	memset(s, 0, sizeof *s);
	s->out = s->in = -1;
}

static void
said_reason(struct said *s, const char *reason, size_t len)
{
	if (len >= sizeof s->reason)
		len = sizeof s->reason - 1;
	memcpy(s->reason, reason, len);
	s->reason_len = len;
}

static enum kind
kind_of(const char *type)
{
	int k;

	for (k = K_OTHER + 1; k < K_N; k++) {
		if (strcmp(type, kind_names[k]) == 0)
			return k;
	}
	return K_OTHER;
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

	return cJSON_IsNumber(v) ? proto_count(v->valuedouble) : -1;
}

/* The full parse: any JSON cJSON takes, error events with their message.
 * The data's own "type" names the event, else the SSE event line does. */
static int
read_cjson(struct anthropic *st, const char *event, const char *data,
    size_t len, struct said *out)
{
	const struct proto_events *ev = st->ev;
	const cJSON *type, *delta, *usage;
	cJSON *root;
	int rc = 0;

	if ((root = cJSON_ParseWithLength(data, len)) == NULL) {
		proto_fail_quote(ev, "non-JSON data", data, len);
		return FAILED;
	}
	type = cJSON_GetObjectItemCaseSensitive(root, "type");
	out->kind = kind_of(cJSON_IsString(type) ? type->valuestring : event);
	switch (out->kind) {
	case K_DELTA:
		delta = cJSON_GetObjectItemCaseSensitive(root, "delta");
		out->visible = nonempty(delta, "text") ||
		    nonempty(delta, "partial_json");
		out->thinking = nonempty(delta, "thinking");
		proto_text(ev, cJSON_GetObjectItemCaseSensitive(delta, "text"));
		break;
	case K_START:
		usage = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(root, "message"), "usage");
		out->in = usage_of(usage, "input_tokens");
		break;
	case K_USAGE:
		usage = cJSON_GetObjectItemCaseSensitive(root, "usage");
		out->out = usage_of(usage, "output_tokens");
		out->in = usage_of(usage, "input_tokens");
		delta = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(root, "delta"), "stop_reason");
		if (cJSON_IsString(delta))
			said_reason(out, delta->valuestring,
			    strlen(delta->valuestring));
		break;
	case K_ERROR: {
		const cJSON *err = cJSON_GetObjectItemCaseSensitive(root, "error");
		const cJSON *etype = cJSON_GetObjectItemCaseSensitive(err, "type");
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(err, "message");
		char detail[SAMPLE_DETAIL_MAX];

		snprintf(detail, sizeof detail, "%s: %s",
		    cJSON_IsString(etype) ? etype->valuestring : "error",
		    cJSON_IsString(msg) ? msg->valuestring : "(no message)");
		ev->fail(ev->ctx, detail);
		rc = FAILED;
		break;
	}
	default:
		break;
	}
	cJSON_Delete(root);
	return rc;
}

/* The members the fast path reads, by object. */
enum { TOP_TYPE, TOP_DELTA, TOP_MESSAGE, TOP_USAGE, TOP_N };
static const char *const top_keys[TOP_N] = {
	[TOP_TYPE] = "type", [TOP_DELTA] = "delta", [TOP_MESSAGE] = "message",
	[TOP_USAGE] = "usage",
};
enum { DELTA_TEXT, DELTA_THINKING, DELTA_PARTIAL_JSON, DELTA_STOP_REASON,
    DELTA_N };
static const char *const delta_keys[DELTA_N] = {
	[DELTA_TEXT] = "text", [DELTA_THINKING] = "thinking",
	[DELTA_PARTIAL_JSON] = "partial_json",
	[DELTA_STOP_REASON] = "stop_reason",
};
enum { USAGE_OUT, USAGE_IN, USAGE_N };
static const char *const usage_keys[USAGE_N] = {
	[USAGE_OUT] = "output_tokens", [USAGE_IN] = "input_tokens",
};
static const char *const usage_key[] = { "usage" };

/* kind_of on a scanned "type", or on the event line when it is no string;
 * -1 when it holds escapes. */
static int
scan_kind(const struct jval *type, const char *event, enum kind *out)
{
	int k, is;

	if (type->type != JSTRING) {
		*out = kind_of(event);
		return 0;
	}
	for (k = K_OTHER + 1; k < K_N; k++) {
		if ((is = jscan_string_is(type, kind_names[k])) == -1)
			return -1;
		if (is) {
			*out = k;
			return 0;
		}
	}
	*out = K_OTHER;
	return 0;
}

/* The fast path: read_cjson's answer for a plain event, without a tree.
 * -1 for read_cjson to read it (errors too: they are rare). */
static int
read_scan(const char *event, const char *data, size_t len, struct said *out)
{
	struct jdoc doc;
	struct jval root, top[TOP_N], d[DELTA_N], u[USAGE_N], usage;
	const char *reason;
	size_t n;

	if (jscan_doc(&doc, data, len, &root) == -1)
		return -1;
	jscan_members(&root, top_keys, top, TOP_N);
	if (scan_kind(&top[TOP_TYPE], event, &out->kind) == -1)
		return -1;
	switch (out->kind) {
	case K_DELTA:
		jscan_members(&top[TOP_DELTA], delta_keys, d, DELTA_N);
		out->visible = jscan_nonempty(&d[DELTA_TEXT]) ||
		    jscan_nonempty(&d[DELTA_PARTIAL_JSON]);
		out->thinking = jscan_nonempty(&d[DELTA_THINKING]);
		return 0;
	case K_START:
		jscan_members(&top[TOP_MESSAGE], usage_key, &usage, 1);
		jscan_members(&usage, usage_keys, u, USAGE_N);
		return jscan_count(&u[USAGE_IN], &out->in);
	case K_USAGE:
		jscan_members(&top[TOP_USAGE], usage_keys, u, USAGE_N);
		if (jscan_count(&u[USAGE_OUT], &out->out) == -1)
			return -1;
		jscan_members(&top[TOP_DELTA], delta_keys, d, DELTA_N);
		if (d[DELTA_STOP_REASON].type == JSTRING) {
			if (jscan_string_raw(&d[DELTA_STOP_REASON], &reason, &n) == -1)
				return -1;
			said_reason(out, reason, n);
		}
		return jscan_count(&u[USAGE_IN], &out->in);
	case K_ERROR:
		return -1;
	default:
		return 0;
	}
}

static int
on_event(void *ctx, const char *event, const char *data, size_t len)
{
	struct anthropic *st = ctx;
	const struct proto_events *ev = st->ev;
	struct said said;
	int rc;

	if (st->stopped)
		return 0;
	said_init(&said);
	if (ev->text != NULL || read_scan(event, data, len, &said) == -1) {
		said_init(&said);
		if ((rc = read_cjson(st, event, data, len, &said)) != 0)
			return rc;
	}
	switch (said.kind) {
	case K_DELTA:
		if (said.visible)
			ev->token(ev->ctx, CHUNK_VISIBLE);
		else if (said.thinking)
			ev->token(ev->ctx, CHUNK_REASONING);
		break;
	case K_START:
		st->input_tokens = said.in;
		break;
	case K_USAGE:
		proto_finish_reason(ev, said.reason, said.reason_len);
		if (said.out >= 0)
			ev->usage(ev->ctx, said.out,
			    said.in >= 0 ? said.in : st->input_tokens);
		break;
	case K_STOP:
		st->stopped = true;
		ev->done(ev->ctx);
		break;
	default:
		break;
	}
	return 0;
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
