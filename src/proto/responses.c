/* OpenAI's Responses API: POST /v1/responses with "stream": true, answered
 * with named SSE events whose data's "type" names them too:
 * response.created, response.output_text.delta and a tool call's
 * response.function_call_arguments.delta (visible output), the reasoning
 * models' response.reasoning_text.delta and
 * response.reasoning_summary_text.delta (reasoning), and one end:
 * response.completed (with usage), response.incomplete, response.failed,
 * or an error event. Served by OpenAI, vLLM and llama.cpp. */
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

#define FAILED		1
/* incomplete_details.reason when the output cap was reached: the length
 * stop the user asked for with --max-tokens, not a failure */
#define REASON_CAP	"max_output_tokens"

struct responses {
	struct frames			 fr;
	const struct proto_events	*ev;
	bool				 ended;	/* completed, or incomplete at the cap */
};

static void
responses_body(const struct run_opts *o, const struct prompt *p,
    long max_tokens, struct buf *b)
{
	buf_adds(b, "{\"input\":");
	if (p->messages != NULL)
		buf_adds(b, p->messages);	/* role/content items, as chat's */
	else
		buf_add_json_string(b, p->text);
	if (o->model != NULL) {
		buf_adds(b, ",\"model\":");
		buf_add_json_string(b, o->model);
	}
	if (max_tokens > 0)
		buf_printf(b, ",\"max_output_tokens\":%ld", max_tokens);
	buf_adds(b, ",\"stream\":true}");
}

/* The events read; any other (response.in_progress, output_item.added,
 * content_part.done, the .done of each delta, and those the API adds)
 * says nothing we count. */
enum kind { K_OTHER, K_TEXT, K_REFUSAL, K_ARGS, K_REASONING, K_SUMMARY,
    K_COMPLETED, K_INCOMPLETE, K_FAILED, K_ERROR, K_N };
static const char *const kind_names[K_N] = {
	[K_TEXT] = "response.output_text.delta",
	[K_REFUSAL] = "response.refusal.delta",
	[K_ARGS] = "response.function_call_arguments.delta",
	[K_REASONING] = "response.reasoning_text.delta",
	[K_SUMMARY] = "response.reasoning_summary_text.delta",
	[K_COMPLETED] = "response.completed",
	[K_INCOMPLETE] = "response.incomplete",
	[K_FAILED] = "response.failed",
	[K_ERROR] = "error",
};

static bool
is_delta(enum kind k)
{
	return k >= K_TEXT && k <= K_SUMMARY;
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

static long
count_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? proto_count(v->valuedouble) : -1;
}

static const char *
string_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The usage of a response object, if it has one. */
static void
report_usage(const struct proto_events *ev, const cJSON *response)
{
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(response, "usage");
	long out = count_of(u, "output_tokens");

	if (out < 0)
		return;
	ev->usage(ev->ctx, out, count_of(u, "input_tokens"));
	proto_reasoning_usage(ev, count_of(cJSON_GetObjectItemCaseSensitive(u,
	    "output_tokens_details"), "reasoning_tokens"));
}

/* Fails the stream with the server's own words: "WHAT: CODE: MESSAGE". */
static void
fail_with(const struct proto_events *ev, const char *what, const cJSON *err)
{
	const char *code = string_of(err, "code"), *msg = string_of(err, "message");
	char detail[SAMPLE_DETAIL_MAX];

	if (code == NULL)
		code = string_of(err, "type");
	snprintf(detail, sizeof detail, "%s: %s%s%s", what,
	    code != NULL ? code : "", code != NULL ? ": " : "",
	    msg != NULL && msg[0] != '\0' ? msg : "(no message)");
	ev->fail(ev->ctx, detail);
}

/* The ends, and the events the fast path leaves: read whole. */
static int
read_cjson(struct responses *st, const char *event, const char *data,
    size_t len)
{
	const struct proto_events *ev = st->ev;
	const cJSON *response, *details;
	const char *type, *reason;
	cJSON *root;
	int rc = 0;
	enum kind k;

	if ((root = cJSON_ParseWithLength(data, len)) == NULL) {
		proto_fail_quote(ev, strcmp(event, "error") == 0 ? "error event" :
		    "non-JSON data", data, len);
		return FAILED;
	}
	type = string_of(root, "type");
	k = kind_of(type != NULL ? type : event);
	response = cJSON_GetObjectItemCaseSensitive(root, "response");
	switch (k) {
	case K_TEXT: case K_REFUSAL: case K_ARGS:
	case K_REASONING: case K_SUMMARY:
		if (string_of(root, "delta") != NULL &&
		    string_of(root, "delta")[0] != '\0')
			ev->token(ev->ctx, k == K_REASONING || k == K_SUMMARY ?
			    CHUNK_REASONING : CHUNK_VISIBLE);
		if (k == K_TEXT)	/* the answer a session sends back */
			proto_text(ev, cJSON_GetObjectItemCaseSensitive(root,
			    "delta"));
		break;
	case K_COMPLETED:
		report_usage(ev, response);
		proto_finish_reason(ev, "completed", strlen("completed"));
		st->ended = true;
		ev->done(ev->ctx);
		break;
	case K_INCOMPLETE:
		details = cJSON_GetObjectItemCaseSensitive(response,
		    "incomplete_details");
		reason = string_of(details, "reason");
		report_usage(ev, response);
		if (reason != NULL)
			proto_finish_reason(ev, reason, strlen(reason));
		if (reason != NULL && strcmp(reason, REASON_CAP) == 0) {
			st->ended = true;
			ev->done(ev->ctx);
		} else {
			char detail[SAMPLE_DETAIL_MAX];

			snprintf(detail, sizeof detail, "response.incomplete: %s",
			    reason != NULL ? reason : "(no reason)");
			ev->fail(ev->ctx, detail);
			rc = FAILED;
		}
		break;
	case K_FAILED:
		report_usage(ev, response);
		fail_with(ev, "response.failed",
		    cJSON_GetObjectItemCaseSensitive(response, "error"));
		rc = FAILED;
		break;
	case K_ERROR:
		/* the message at the top, or (some servers) in "error" */
		fail_with(ev, "error", cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(
		    root, "error")) ? cJSON_GetObjectItemCaseSensitive(root, "error") :
		    root);
		rc = FAILED;
		break;
	default:
		break;
	}
	cJSON_Delete(root);
	return rc;
}

static const char *const scan_keys[] = { "type", "delta", "response" };
static const char *const usage_key[] = { "usage" };
enum { U_OUT, U_IN, U_DETAILS, U_N };
static const char *const usage_keys[U_N] = {
	[U_OUT] = "output_tokens", [U_IN] = "input_tokens",
	[U_DETAILS] = "output_tokens_details",
};
static const char *const reasoning_key[] = { "reasoning_tokens" };

/* report_usage and the end of response.completed, on a scanned response;
 * -1 for read_cjson to read it. */
static int
scan_completed(struct responses *st, const struct jval *response)
{
	const struct proto_events *ev = st->ev;
	struct jval usage, u[U_N], r;
	long out, in, reasoning;

	jscan_members(response, usage_key, &usage, 1);
	jscan_members(&usage, usage_keys, u, U_N);
	jscan_members(&u[U_DETAILS], reasoning_key, &r, 1);
	if (jscan_count(&u[U_OUT], &out) == -1 ||
	    jscan_count(&u[U_IN], &in) == -1 ||
	    jscan_count(&r, &reasoning) == -1)
		return -1;
	if (out >= 0) {
		ev->usage(ev->ctx, out, in);
		proto_reasoning_usage(ev, reasoning);
	}
	proto_finish_reason(ev, "completed", strlen("completed"));
	st->ended = true;
	ev->done(ev->ctx);
	return 0;
}

/* The fast path for the deltas and the usual end: 0 when it read the
 * event, -1 for read_cjson to read it. */
static int
read_scan(struct responses *st, const char *event, const char *data,
    size_t len)
{
	struct jdoc doc;
	struct jval root, v[3];
	enum kind k = K_OTHER;
	int is, i;

	if (jscan_doc(&doc, data, len, &root) == -1)
		return -1;
	jscan_members(&root, scan_keys, v, 3);
	if (v[0].type == JSTRING) {
		for (i = K_OTHER + 1; i < K_N; i++) {
			if ((is = jscan_string_is(&v[0], kind_names[i])) == -1)
				return -1;
			if (is) {
				k = i;
				break;
			}
		}
	} else
		k = kind_of(event);
	if (k == K_COMPLETED)
		return scan_completed(st, &v[2]);
	if (k == K_OTHER)
		return 0;
	if (!is_delta(k))
		return -1;
	if (jscan_nonempty(&v[1]))
		st->ev->token(st->ev->ctx, k == K_REASONING || k == K_SUMMARY ?
		    CHUNK_REASONING : CHUNK_VISIBLE);
	return 0;
}

static int
on_event(void *ctx, const char *event, const char *data, size_t len)
{
	struct responses *st = ctx;

	if (st->ended)
		return 0;	/* nothing after the end is part of the answer */
	/* the text is read from the tree */
	if (st->ev->text == NULL && read_scan(st, event, data, len) == 0)
		return 0;
	return read_cjson(st, event, data, len);
}

static void
responses_init(void *state)
{
	struct responses *st = state;

	memset(st, 0, sizeof *st);
	frames_init(&st->fr, FRAMES_SSE);
}

static void
responses_done(void *state)
{
	frames_done(&((struct responses *)state)->fr);
}

static int
responses_feed(void *state, const char *buf, size_t len,
    const struct proto_events *ev)
{
	struct responses *st = state;

	st->ev = ev;
	return frames_feed(&st->fr, buf, len, on_event, st, ev);
}

static int
responses_finish(void *state, const struct proto_events *ev)
{
	struct responses *st = state;

	st->ev = ev;
	if (frames_finish(&st->fr, on_event, st) != 0)
		return -1;
	if (!st->ended) {
		ev->fail(ev->ctx, "stream ended before response.completed");
		return -1;
	}
	return 0;
}

const struct proto proto_openai_responses = {
	.name = "openai-responses",
	.path = "/v1/responses",
	.models_path = "/v1/models",
	.env_key = "OPENAI_API_KEY",
	.build_body = responses_body,
	.headers = proto_bearer_sse_headers,
	.state_size = sizeof(struct responses),
	.init = responses_init,
	.done = responses_done,
	.feed = responses_feed,
	.finish = responses_finish,
};
