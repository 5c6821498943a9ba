/* OpenAI-compatible streaming: /v1/chat/completions and /v1/completions over
 * SSE, as served by vLLM, TGI, llama.cpp, Ollama, LiteLLM and OpenAI. */
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

#define DONE_MARKER	"[DONE]"
#define FAILED		1	/* on_event reported a failure already */

struct openai {
	struct frames			 fr;
	const struct proto_events	*ev;
	bool				 chat;
	bool				 done;
	bool				 finished;	/* a finish_reason was seen */
};

static void
build_common(const struct run_opts *o, long max_tokens, struct buf *b)
{
	if (o->model != NULL) {
		buf_adds(b, "\"model\":");
		buf_add_json_string(b, o->model);
		buf_addc(b, ',');
	}
	if (max_tokens > 0)
		buf_printf(b, "\"max_tokens\":%ld,", max_tokens);
	buf_adds(b, "\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
}

static void
chat_body(const struct run_opts *o, const struct prompt *p, long max_tokens,
    struct buf *b)
{
	if (p->messages != NULL) {
		buf_adds(b, "{\"messages\":");
		buf_adds(b, p->messages);
		buf_addc(b, ',');
	} else {
		buf_adds(b, "{\"messages\":[{\"role\":\"user\",\"content\":");
		buf_add_json_string(b, p->text);
		buf_adds(b, "}],");
	}
	build_common(o, max_tokens, b);
}

static void
completions_body(const struct run_opts *o, const struct prompt *p,
    long max_tokens, struct buf *b)
{
	buf_adds(b, "{\"prompt\":");
	buf_add_json_string(b, p->text);
	buf_addc(b, ',');
	build_common(o, max_tokens, b);
}

/* What one event says, whichever way it was read. */
struct said {
	bool	visible;	/* a choice carries text or a tool call's arguments */
	bool	reasoning;	/* a choice carries reasoning */
	bool	finished;	/* a choice has a finish_reason */
	char	reason[SAMPLE_REASON_MAX];	/* the first one said, as text */
	size_t	reason_len;
	bool	usage;
	long	out, in;	/* usage: completion and prompt tokens (-1: none) */
	long	reasoning_tokens;	/* usage's, -1: none */
};

static void
said_init(struct said *s)
{
	memset(s, 0, sizeof *s);
	s->out = s->in = s->reasoning_tokens = -1;
}

static void
said_reason(struct said *s, const char *reason, size_t len)
{
	if (s->reason_len > 0)
		return;
	if (len >= sizeof s->reason)
		len = sizeof s->reason - 1;
	memcpy(s->reason, reason, len);
	s->reason_len = len;
}

static bool
nonempty_string(const cJSON *item)
{
	return cJSON_IsString(item) && item->valuestring[0] != '\0';
}

/* What one choice carries: text or a tool call's arguments (visible), or
 * reasoning (vLLM's and DeepSeek's reasoning_content, OpenRouter's and
 * Ollama's reasoning). Role-only and empty deltas are not tokens. */
static void
choice_content(const cJSON *choice, bool chat, struct said *out)
{
	const cJSON *delta, *calls, *call;

	if (!chat) {
		if (nonempty_string(cJSON_GetObjectItemCaseSensitive(choice, "text")))
			out->visible = true;
		return;
	}
	delta = cJSON_GetObjectItemCaseSensitive(choice, "delta");
	if (!cJSON_IsObject(delta))
		return;
	if (nonempty_string(cJSON_GetObjectItemCaseSensitive(delta, "content")))
		out->visible = true;
	if (nonempty_string(cJSON_GetObjectItemCaseSensitive(delta, "reasoning_content")) ||
	    nonempty_string(cJSON_GetObjectItemCaseSensitive(delta, "reasoning")))
		out->reasoning = true;
	calls = cJSON_GetObjectItemCaseSensitive(delta, "tool_calls");
	cJSON_ArrayForEach(call, calls) {
		const cJSON *fn = cJSON_GetObjectItemCaseSensitive(call, "function");

		if (nonempty_string(cJSON_GetObjectItemCaseSensitive(fn, "arguments")))
			out->visible = true;
	}
}

/* Fails the stream with the error the server sent in it: the message of
 * an "error" member (an object's, or the string itself), else a top-level
 * "message" (vLLM before 0.6: "object": "error"), else the data as sent. */
static void
server_error(struct openai *st, const cJSON *root, const char *data,
    size_t len)
{
	const cJSON *error, *msg;
	char detail[SAMPLE_DETAIL_MAX];

	error = cJSON_GetObjectItemCaseSensitive(root, "error");
	msg = cJSON_IsObject(error) ?
	    cJSON_GetObjectItemCaseSensitive(error, "message") :
	    cJSON_IsString(error) ? error :
	    cJSON_GetObjectItemCaseSensitive(root, "message");
	if (cJSON_IsString(msg) && msg->valuestring[0] != '\0') {
		snprintf(detail, sizeof detail, "error event: %s", msg->valuestring);
		st->ev->fail(st->ev->ctx, detail);
	} else
		proto_fail_quote(st->ev, "error event", data, len);
}

/* Whether a parsed event is an error: an "error" member that is not null,
 * or "object": "error". */
static bool
is_error(const cJSON *root)
{
	const cJSON *error = cJSON_GetObjectItemCaseSensitive(root, "error");
	const cJSON *object = cJSON_GetObjectItemCaseSensitive(root, "object");

	return (error != NULL && !cJSON_IsNull(error)) ||
	    (cJSON_IsString(object) && strcmp(object->valuestring, "error") == 0);
}

/* The full parse: any JSON cJSON takes, error events with their message;
 * error_event: the SSE event was named "error", whatever its data. */
static int
read_cjson(struct openai *st, bool error_event, const char *data, size_t len,
    struct said *out)
{
	const cJSON *choices, *choice, *usage;
	cJSON *root;

	if ((root = cJSON_ParseWithLength(data, len)) == NULL) {
		if (error_event)
			server_error(st, NULL, data, len);
		else
			proto_fail_quote(st->ev, "non-JSON data line", data, len);
		return FAILED;
	}
	if (error_event || is_error(root)) {
		server_error(st, root, data, len);
		cJSON_Delete(root);
		return FAILED;
	}
	choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
	cJSON_ArrayForEach(choice, choices) {
		const cJSON *fr;

		choice_content(choice, st->chat, out);
		proto_text(st->ev, st->chat ? cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(choice, "delta"), "content") :
		    cJSON_GetObjectItemCaseSensitive(choice, "text"));
		fr = cJSON_GetObjectItemCaseSensitive(choice, "finish_reason");
		if (fr != NULL && !cJSON_IsNull(fr)) {
			out->finished = true;
			if (cJSON_IsString(fr))
				said_reason(out, fr->valuestring,
				    strlen(fr->valuestring));
		}
	}
	usage = cJSON_GetObjectItemCaseSensitive(root, "usage");
	if (cJSON_IsObject(usage)) {
		const cJSON *o, *in, *r;

		o = cJSON_GetObjectItemCaseSensitive(usage, "completion_tokens");
		in = cJSON_GetObjectItemCaseSensitive(usage, "prompt_tokens");
		r = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(usage,
		    "completion_tokens_details"), "reasoning_tokens");
		if (cJSON_IsNumber(o)) {
			out->usage = true;
			out->out = proto_count(o->valuedouble);
			out->in = cJSON_IsNumber(in) ? proto_count(in->valuedouble) : -1;
			out->reasoning_tokens = cJSON_IsNumber(r) ?
			    proto_count(r->valuedouble) : -1;
		}
	}
	cJSON_Delete(root);
	return 0;
}

/* The members the fast path reads, by object. */
enum { TOP_ERROR, TOP_OBJECT, TOP_CHOICES, TOP_USAGE, TOP_N };
static const char *const top_keys[TOP_N] = {
	[TOP_ERROR] = "error", [TOP_OBJECT] = "object",
	[TOP_CHOICES] = "choices", [TOP_USAGE] = "usage",
};
enum { USAGE_OUT, USAGE_IN, USAGE_DETAILS, USAGE_N };
static const char *const usage_keys[USAGE_N] = {
	[USAGE_OUT] = "completion_tokens", [USAGE_IN] = "prompt_tokens",
	[USAGE_DETAILS] = "completion_tokens_details",
};
static const char *const reasoning_tokens_key[] = { "reasoning_tokens" };
enum { CHOICE_DELTA, CHOICE_TEXT, CHOICE_FINISH, CHOICE_N };
static const char *const choice_keys[CHOICE_N] = {
	[CHOICE_DELTA] = "delta", [CHOICE_TEXT] = "text",
	[CHOICE_FINISH] = "finish_reason",
};
enum { DELTA_CONTENT, DELTA_REASONING_CONTENT, DELTA_REASONING,
    DELTA_TOOL_CALLS, DELTA_N };
static const char *const delta_keys[DELTA_N] = {
	[DELTA_CONTENT] = "content",
	[DELTA_REASONING_CONTENT] = "reasoning_content",
	[DELTA_REASONING] = "reasoning", [DELTA_TOOL_CALLS] = "tool_calls",
};
static const char *const function_key[] = { "function" };
static const char *const arguments_key[] = { "arguments" };

/* choice_content on a scanned choice, and its finish_reason; -1 when the
 * reason holds escapes (cJSON's to read). */
static int
scan_choice(const struct jval *choice, bool chat, struct said *out)
{
	struct jval c[CHOICE_N], d[DELTA_N], call, fn, args;
	const char *reason;
	size_t n;

	jscan_members(choice, choice_keys, c, CHOICE_N);
	if (jscan_given(&c[CHOICE_FINISH])) {
		out->finished = true;
		if (c[CHOICE_FINISH].type == JSTRING) {
			if (jscan_string_raw(&c[CHOICE_FINISH], &reason, &n) == -1)
				return -1;
			said_reason(out, reason, n);
		}
	}
	if (!chat) {
		if (jscan_nonempty(&c[CHOICE_TEXT]))
			out->visible = true;
		return 0;
	}
	jscan_members(&c[CHOICE_DELTA], delta_keys, d, DELTA_N);
	if (jscan_nonempty(&d[DELTA_CONTENT]))
		out->visible = true;
	if (jscan_nonempty(&d[DELTA_REASONING_CONTENT]) ||
	    jscan_nonempty(&d[DELTA_REASONING]))
		out->reasoning = true;
	JSCAN_FOREACH(call, d[DELTA_TOOL_CALLS]) {
		jscan_members(&call, function_key, &fn, 1);
		jscan_members(&fn, arguments_key, &args, 1);
		if (jscan_nonempty(&args))
			out->visible = true;
	}
	return 0;
}

/* The fast path: read_cjson's answer for a plain event, without a tree.
 * -1 for read_cjson to read it (errors too: they are rare). */
static int
read_scan(const struct openai *st, const char *data, size_t len,
    struct said *out)
{
	struct jdoc doc;
	struct jval root, top[TOP_N], u[USAGE_N], r, choice;

	if (jscan_doc(&doc, data, len, &root) == -1)
		return -1;
	jscan_members(&root, top_keys, top, TOP_N);
	if (jscan_given(&top[TOP_ERROR]) ||
	    jscan_string_is(&top[TOP_OBJECT], "error") != 0)
		return -1;
	jscan_members(&top[TOP_USAGE], usage_keys, u, USAGE_N);
	if (u[USAGE_OUT].type == JNUMBER) {
		if (jscan_long(&u[USAGE_OUT], &out->out) == -1)
			return -1;
		out->in = -1;
		if (u[USAGE_IN].type == JNUMBER &&
		    jscan_long(&u[USAGE_IN], &out->in) == -1)
			return -1;
		jscan_members(&u[USAGE_DETAILS], reasoning_tokens_key, &r, 1);
		if (jscan_count(&r, &out->reasoning_tokens) == -1)
			return -1;
		out->usage = true;
	}
	JSCAN_FOREACH(choice, top[TOP_CHOICES]) {
		if (scan_choice(&choice, st->chat, out) == -1)
			return -1;
	}
	return 0;
}

static int
on_event(void *ctx, const char *event, const char *data, size_t len)
{
	struct openai *st = ctx;
	const struct proto_events *ev = st->ev;
	struct said said;
	bool error_event = strcmp(event, "error") == 0;
	int rc;

	if (strcmp(data, DONE_MARKER) == 0) {
		st->done = true;
		ev->done(ev->ctx);
		return 0;
	}
	if (st->done)
		return 0;	/* nothing after [DONE] is part of the answer */
	said_init(&said);
	/* the text is read from the tree */
	if (error_event || ev->text != NULL ||
	    read_scan(st, data, len, &said) == -1) {
		said_init(&said);
		if ((rc = read_cjson(st, error_event, data, len, &said)) != 0)
			return rc;
	}
	if (said.finished)
		st->finished = true;
	/* one chunk an event: visible when it carries any answer at all */
	if (said.visible)
		ev->token(ev->ctx, CHUNK_VISIBLE);
	else if (said.reasoning)
		ev->token(ev->ctx, CHUNK_REASONING);
	proto_finish_reason(ev, said.reason, said.reason_len);
	if (said.usage) {
		ev->usage(ev->ctx, said.out, said.in);
		proto_reasoning_usage(ev, said.reasoning_tokens);
	}
	return 0;
}

static void
chat_init(void *state)
{
	struct openai *st = state;

	memset(st, 0, sizeof *st);
	frames_init(&st->fr, FRAMES_SSE);
	st->chat = true;
}

static void
completions_init(void *state)
{
	struct openai *st = state;

	memset(st, 0, sizeof *st);
	frames_init(&st->fr, FRAMES_SSE);
}

static void
openai_done(void *state)
{
	struct openai *st = state;

	frames_done(&st->fr);
}

static int
openai_feed(void *state, const char *buf, size_t len,
    const struct proto_events *ev)
{
	struct openai *st = state;

	st->ev = ev;
	return frames_feed(&st->fr, buf, len, on_event, st, ev);
}

static int
openai_finish(void *state, const struct proto_events *ev)
{
	struct openai *st = state;

	st->ev = ev;
	if (frames_finish(&st->fr, on_event, st) != 0)
		return -1;
	if (!st->done && !st->finished) {
		ev->fail(ev->ctx, "stream ended before data: [DONE]");
		return -1;
	}
	return 0;
}

const struct proto proto_openai_chat = {
	.name = "openai-chat",
	.path = "/v1/chat/completions",
	.models_path = "/v1/models",
	.env_key = "OPENAI_API_KEY",
	.build_body = chat_body,
	.headers = proto_bearer_sse_headers,
	.state_size = sizeof(struct openai),
	.init = chat_init,
	.done = openai_done,
	.feed = openai_feed,
	.finish = openai_finish,
};

const struct proto proto_openai_completions = {
	.name = "openai-completions",
	.path = "/v1/completions",
	.models_path = "/v1/models",
	.env_key = "OPENAI_API_KEY",
	.build_body = completions_body,
	.headers = proto_bearer_sse_headers,
	.state_size = sizeof(struct openai),
	.init = completions_init,
	.done = openai_done,
	.feed = openai_feed,
	.finish = openai_finish,
};
