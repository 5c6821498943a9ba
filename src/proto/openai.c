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
	bool	content;	/* a choice carries generated content */
	bool	finished;	/* a choice has a finish_reason */
	bool	usage;
	long	out, in;	/* usage: completion and prompt tokens (-1: none) */
};

static bool
nonempty_string(const cJSON *item)
{
	return cJSON_IsString(item) && item->valuestring[0] != '\0';
}

/* Whether one choice carries generated content: text, reasoning, or a tool
 * call's arguments. Role-only and empty deltas are not tokens. */
static bool
choice_has_content(const cJSON *choice, bool chat)
{
	const cJSON *delta, *calls, *call;

	if (!chat)
		return nonempty_string(cJSON_GetObjectItemCaseSensitive(choice, "text"));
	delta = cJSON_GetObjectItemCaseSensitive(choice, "delta");
	if (!cJSON_IsObject(delta))
		return false;
	if (nonempty_string(cJSON_GetObjectItemCaseSensitive(delta, "content")) ||
	    nonempty_string(cJSON_GetObjectItemCaseSensitive(delta, "reasoning_content")) ||
	    nonempty_string(cJSON_GetObjectItemCaseSensitive(delta, "reasoning")))
		return true;
	calls = cJSON_GetObjectItemCaseSensitive(delta, "tool_calls");
	cJSON_ArrayForEach(call, calls) {
		const cJSON *fn = cJSON_GetObjectItemCaseSensitive(call, "function");

		if (nonempty_string(cJSON_GetObjectItemCaseSensitive(fn, "arguments")))
			return true;
	}
	return false;
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

		if (choice_has_content(choice, st->chat))
			out->content = true;
		proto_text(st->ev, st->chat ? cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(choice, "delta"), "content") :
		    cJSON_GetObjectItemCaseSensitive(choice, "text"));
		fr = cJSON_GetObjectItemCaseSensitive(choice, "finish_reason");
		if (fr != NULL && !cJSON_IsNull(fr))
			out->finished = true;
	}
	usage = cJSON_GetObjectItemCaseSensitive(root, "usage");
	if (cJSON_IsObject(usage)) {
		const cJSON *o, *in;

		o = cJSON_GetObjectItemCaseSensitive(usage, "completion_tokens");
		in = cJSON_GetObjectItemCaseSensitive(usage, "prompt_tokens");
		if (cJSON_IsNumber(o)) {
			out->usage = true;
			out->out = proto_count(o->valuedouble);
			out->in = cJSON_IsNumber(in) ? proto_count(in->valuedouble) : -1;
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
enum { USAGE_OUT, USAGE_IN, USAGE_N };
static const char *const usage_keys[USAGE_N] = {
	[USAGE_OUT] = "completion_tokens", [USAGE_IN] = "prompt_tokens",
};
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

/* choice_has_content on a scanned choice, and its finish_reason. */
static void
scan_choice(const struct jval *choice, bool chat, struct said *out)
{
	struct jval c[CHOICE_N], d[DELTA_N], call, fn, args;

	jscan_members(choice, choice_keys, c, CHOICE_N);
	if (jscan_given(&c[CHOICE_FINISH]))
		out->finished = true;
	if (!chat) {
		if (jscan_nonempty(&c[CHOICE_TEXT]))
			out->content = true;
		return;
	}
	jscan_members(&c[CHOICE_DELTA], delta_keys, d, DELTA_N);
	if (jscan_nonempty(&d[DELTA_CONTENT]) ||
	    jscan_nonempty(&d[DELTA_REASONING_CONTENT]) ||
	    jscan_nonempty(&d[DELTA_REASONING]))
		out->content = true;
	JSCAN_FOREACH(call, d[DELTA_TOOL_CALLS]) {
		jscan_members(&call, function_key, &fn, 1);
		jscan_members(&fn, arguments_key, &args, 1);
		if (jscan_nonempty(&args))
			out->content = true;
	}
}

/* The fast path: read_cjson's answer for a plain event, without a tree.
 * -1 for read_cjson to read it (errors too: they are rare). */
static int
read_scan(const struct openai *st, const char *data, size_t len,
    struct said *out)
{
	struct jdoc doc;
	struct jval root, top[TOP_N], u[USAGE_N], choice;

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
		out->usage = true;
	}
	JSCAN_FOREACH(choice, top[TOP_CHOICES])
		scan_choice(&choice, st->chat, out);
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
	memset(&said, 0, sizeof said);
	/* the text is read from the tree */
	if (error_event || ev->text != NULL ||
	    read_scan(st, data, len, &said) == -1) {
		memset(&said, 0, sizeof said);
		if ((rc = read_cjson(st, error_event, data, len, &said)) != 0)
			return rc;
	}
	if (said.finished)
		st->finished = true;
	if (said.content)
		ev->token(ev->ctx);
	if (said.usage)
		ev->usage(ev->ctx, said.out, said.in);
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
