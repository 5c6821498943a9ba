/* Amazon Bedrock's ConverseStream: POST /model/{modelId}/converse-stream,
 * signed with SigV4 (service bedrock), answered in the AWS event-stream
 * framing: messageStart, contentBlockDelta (text and tool input count as
 * visible output, reasoningContent as reasoning), contentBlockStop,
 * messageStop (the stopReason), metadata (the token
 * counts); an exception message (throttlingException, ...) is an error
 * sample with its type and message. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "proto/aws.h"
#include "proto/eventstream.h"
#include "run_opts.h"
#include "prompts.h"
#include "proto/proto.h"
#include "sample.h"

#define FAILED 1

struct bedrock {
	struct es_decoder		 es;
	const struct proto_events	*ev;
	bool				 stopped;	/* messageStop */
	bool				 done;		/* metadata */
};

/* A chat as Converse wants it: content blocks, system prompts apart. */
static void
converse_messages(struct buf *b, const struct prompt *p)
{
	cJSON *msgs = p->messages ? cJSON_Parse(p->messages) : NULL;
	const cJSON *m;
	struct buf sys;
	bool first = true;

	buf_adds(b, "\"messages\":[");
	if (!cJSON_IsArray(msgs)) {
		buf_adds(b, "{\"role\":\"user\",\"content\":[{\"text\":");
		buf_add_json_string(b, p->text);
		buf_adds(b, "}]}]");
		cJSON_Delete(msgs);
		return;
	}
	buf_init(&sys);
	cJSON_ArrayForEach(m, msgs) {
		const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");

		if (!cJSON_IsString(role) || !cJSON_IsString(content))
			continue;
		if (strcmp(role->valuestring, "system") == 0) {
			if (sys.len > 0)
				buf_addc(&sys, '\n');
			buf_adds(&sys, content->valuestring);
			continue;
		}
		buf_printf(b, "%s{\"role\":", first ? "" : ",");
		buf_add_json_string(b, role->valuestring);
		buf_adds(b, ",\"content\":[{\"text\":");
		buf_add_json_string(b, content->valuestring);
		buf_adds(b, "}]}");
		first = false;
	}
	buf_addc(b, ']');
	if (sys.len > 0) {
		buf_adds(b, ",\"system\":[{\"text\":");
		buf_add_json_string(b, sys.p);
		buf_adds(b, "}]");
	}
	buf_free(&sys);
	cJSON_Delete(msgs);
}

static void
bedrock_body(const struct run_opts *o, const struct prompt *p, long max_tokens,
    struct buf *b)
{
	buf_addc(b, '{');
	converse_messages(b, p);
	if (max_tokens > 0)
		buf_printf(b, ",\"inferenceConfig\":{\"maxTokens\":%ld}", max_tokens);
	buf_addc(b, '}');
}

static int
on_message(void *ctx, const struct es_message *m)
{
	struct bedrock *st = ctx;
	const struct proto_events *ev = st->ev;
	cJSON *root;
	int rc = 0;

	if (proto_aws_exception(m, ev))
		return FAILED;
	if ((root = cJSON_ParseWithLength(m->payload, m->len)) == NULL) {
		ev->fail(ev->ctx, "event-stream payload is not JSON");
		return FAILED;
	}
	if (strcmp(m->event_type, "contentBlockDelta") == 0) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "delta");
		const cJSON *text = cJSON_GetObjectItemCaseSensitive(d, "text");
		const cJSON *rc_ = cJSON_GetObjectItemCaseSensitive(d, "reasoningContent");
		const cJSON *tool = cJSON_GetObjectItemCaseSensitive(d, "toolUse");

		if ((cJSON_IsString(text) && text->valuestring[0] != '\0') ||
		    cJSON_IsObject(tool))
			ev->token(ev->ctx, CHUNK_VISIBLE);
		else if (cJSON_IsObject(rc_))
			ev->token(ev->ctx, CHUNK_REASONING);
		proto_text(ev, text);
	} else if (strcmp(m->event_type, "messageStop") == 0) {
		const cJSON *why = cJSON_GetObjectItemCaseSensitive(root,
		    "stopReason");

		if (cJSON_IsString(why))
			proto_finish_reason(ev, why->valuestring,
			    strlen(why->valuestring));
		st->stopped = true;
	} else if (strcmp(m->event_type, "metadata") == 0) {
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(root, "usage");
		const cJSON *out = cJSON_GetObjectItemCaseSensitive(u, "outputTokens");
		const cJSON *in = cJSON_GetObjectItemCaseSensitive(u, "inputTokens");

		if (cJSON_IsNumber(out))
			ev->usage(ev->ctx, (long)out->valuedouble,
			    cJSON_IsNumber(in) ? (long)in->valuedouble : -1);
		st->done = true;
		ev->done(ev->ctx);
	}
	cJSON_Delete(root);
	return rc;
}

static void
bedrock_init(void *state)
{
	struct bedrock *st = state;

	memset(st, 0, sizeof *st);
	es_init(&st->es);
}

static void
bedrock_done(void *state)
{
	es_done(&((struct bedrock *)state)->es);
}

static int
bedrock_feed(void *state, const char *buf, size_t len,
    const struct proto_events *ev)
{
	struct bedrock *st = state;

	st->ev = ev;
	return proto_aws_feed(&st->es, buf, len, on_message, st, ev);
}

static int
bedrock_finish(void *state, const struct proto_events *ev)
{
	struct bedrock *st = state;

	if (proto_aws_cut(&st->es, ev))
		return -1;
	if (!st->stopped) {
		ev->fail(ev->ctx, "stream ended before messageStop");
		return -1;
	}
	if (!st->done)
		ev->done(ev->ctx);	/* no metadata: the end is the close */
	return 0;
}

const struct proto proto_bedrock = {
	.name = "bedrock",
	.path = "/model/{model}/converse-stream",
	.aws_service = "bedrock",
	.aws_host = "bedrock-runtime",
	.build_body = bedrock_body,
	.headers = proto_aws_headers,
	.state_size = sizeof(struct bedrock),
	.init = bedrock_init,
	.done = bedrock_done,
	.feed = bedrock_feed,
	.finish = bedrock_finish,
};

/* InvokeModelWithResponseStream: POST /model/{modelId}/invoke-with-response-
 * stream; "chunk" events whose base64 "bytes" hold the model's own JSON.
 * The body is Anthropic's Messages format as Bedrock takes it (other model
 * families: --body-file); content is read from Anthropic's events, or from
 * the fields other families use (outputText, generation, outputs[].text,
 * completion, text); the counts from amazon-bedrock-invocationMetrics,
 * which comes with the last chunk. */

struct invoke {
	struct es_decoder		 es;
	const struct proto_events	*ev;
	bool				 done;
	long				 out, in;
};

static void
invoke_body(const struct run_opts *o, const struct prompt *p, long max_tokens,
    struct buf *b)
{
	buf_adds(b, "{\"anthropic_version\":\"bedrock-2023-05-31\",");
	proto_anthropic_messages(b, p);
	buf_printf(b, ",\"max_tokens\":%ld}", max_tokens > 0 ? max_tokens : 1024L);
}

static int
b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' || c == '-' ? 62 : c == '/' || c == '_' ? 63 : -1;
}

/* Decodes base64 in place; returns the length, or -1. */
static long
b64_decode(char *s)
{
	unsigned v = 0;
	int bits = 0;
	long n = 0;
	char *p;

	for (p = s; *p != '\0' && *p != '='; p++) {
		int x = b64_value((unsigned char)*p);

		if (x < 0)
			return -1;
		v = v << 6 | (unsigned)x;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			s[n++] = (char)(v >> bits & 0xff);
		}
	}
	s[n] = '\0';
	return n;
}

static bool
has_text(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) && v->valuestring[0] != '\0';
}

/* One decoded chunk of the model's JSON. */
static void
invoke_json(struct invoke *st, const cJSON *j)
{
	const struct proto_events *ev = st->ev;
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
	const cJSON *metrics, *outputs, *o, *u;
	bool content = false, thinking = false;

	if (cJSON_IsString(type)) {		/* Anthropic's events */
		const char *t = type->valuestring;

		if (strcmp(t, "content_block_delta") == 0) {
			const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "delta");

			content = has_text(d, "text") || has_text(d, "partial_json");
			thinking = has_text(d, "thinking");
			proto_text(ev, cJSON_GetObjectItemCaseSensitive(d, "text"));
		} else if (strcmp(t, "message_start") == 0) {
			u = cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetObjectItemCaseSensitive(j, "message"), "usage");
			if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(u, "input_tokens")))
				st->in = (long)cJSON_GetObjectItemCaseSensitive(u,
				    "input_tokens")->valuedouble;
		} else if (strcmp(t, "message_delta") == 0) {
			const cJSON *why = cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetObjectItemCaseSensitive(j, "delta"),
			    "stop_reason");

			if (cJSON_IsString(why))
				proto_finish_reason(ev, why->valuestring,
				    strlen(why->valuestring));
			u = cJSON_GetObjectItemCaseSensitive(j, "usage");
			if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(u, "output_tokens")))
				st->out = (long)cJSON_GetObjectItemCaseSensitive(u,
				    "output_tokens")->valuedouble;
		}
	} else {
		content = has_text(j, "outputText") || has_text(j, "generation") ||
		    has_text(j, "completion") || has_text(j, "text");
		proto_text(ev, cJSON_GetObjectItemCaseSensitive(j, "outputText"));
		proto_text(ev, cJSON_GetObjectItemCaseSensitive(j, "generation"));
		proto_text(ev, cJSON_GetObjectItemCaseSensitive(j, "completion"));
		proto_text(ev, cJSON_GetObjectItemCaseSensitive(j, "text"));
		outputs = cJSON_GetObjectItemCaseSensitive(j, "outputs");
		cJSON_ArrayForEach(o, outputs) {
			content = content || has_text(o, "text");
			proto_text(ev, cJSON_GetObjectItemCaseSensitive(o, "text"));
		}
	}
	if (content)
		ev->token(ev->ctx, CHUNK_VISIBLE);
	else if (thinking)
		ev->token(ev->ctx, CHUNK_REASONING);
	metrics = cJSON_GetObjectItemCaseSensitive(j, "amazon-bedrock-invocationMetrics");
	if (cJSON_IsObject(metrics)) {
		const cJSON *out = cJSON_GetObjectItemCaseSensitive(metrics,
		    "outputTokenCount");
		const cJSON *in = cJSON_GetObjectItemCaseSensitive(metrics,
		    "inputTokenCount");

		if (cJSON_IsNumber(out))
			st->out = (long)out->valuedouble;
		if (cJSON_IsNumber(in))
			st->in = (long)in->valuedouble;
		if (st->out >= 0)
			ev->usage(ev->ctx, st->out, st->in);
		st->done = true;
		ev->done(ev->ctx);
	}
}

static int
invoke_message(void *ctx, const struct es_message *m)
{
	struct invoke *st = ctx;
	const struct proto_events *ev = st->ev;
	const cJSON *bytes;
	cJSON *root, *inner;

	if (proto_aws_exception(m, ev))
		return FAILED;
	root = cJSON_ParseWithLength(m->payload, m->len);
	if (strcmp(m->event_type, "chunk") != 0 || st->done) {
		cJSON_Delete(root);
		return 0;
	}
	bytes = cJSON_GetObjectItemCaseSensitive(root, "bytes");
	if (!cJSON_IsString(bytes) || b64_decode(bytes->valuestring) < 0 ||
	    (inner = cJSON_Parse(bytes->valuestring)) == NULL) {
		cJSON_Delete(root);
		ev->fail(ev->ctx, "a chunk's bytes are not base64 JSON");
		return FAILED;
	}
	invoke_json(st, inner);
	cJSON_Delete(inner);
	cJSON_Delete(root);
	return 0;
}

static void
invoke_init(void *state)
{
	struct invoke *st = state;

	memset(st, 0, sizeof *st);
	es_init(&st->es);
	st->out = st->in = -1;
}

static void
invoke_done(void *state)
{
	es_done(&((struct invoke *)state)->es);
}

static int
invoke_feed(void *state, const char *buf, size_t len,
    const struct proto_events *ev)
{
	struct invoke *st = state;

	st->ev = ev;
	return proto_aws_feed(&st->es, buf, len, invoke_message, st, ev);
}

static int
invoke_finish(void *state, const struct proto_events *ev)
{
	struct invoke *st = state;

	if (proto_aws_cut(&st->es, ev))
		return -1;
	if (!st->done) {
		ev->fail(ev->ctx, "stream ended before the last chunk "
		    "(amazon-bedrock-invocationMetrics)");
		return -1;
	}
	return 0;
}

const struct proto proto_bedrock_invoke = {
	.name = "bedrock-invoke",
	.path = "/model/{model}/invoke-with-response-stream",
	.aws_service = "bedrock",
	.aws_host = "bedrock-runtime",
	.build_body = invoke_body,
	.headers = proto_aws_headers,
	.state_size = sizeof(struct invoke),
	.init = invoke_init,
	.done = invoke_done,
	.feed = invoke_feed,
	.finish = invoke_finish,
};
