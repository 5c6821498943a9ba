/* Amazon Bedrock's ConverseStream: POST /model/{modelId}/converse-stream,
 * signed with SigV4 (service bedrock), answered in the AWS event-stream
 * framing: messageStart, contentBlockDelta (text, reasoning or tool input
 * count as content), contentBlockStop, messageStop, metadata (the token
 * counts); an exception message (throttlingException, ...) is an error
 * sample with its type and message. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "eventstream.h"
#include "options.h"
#include "prompts.h"
#include "proto.h"
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

static struct curl_slist *
bedrock_headers(const struct run_opts *o, struct curl_slist *list)
{
	char token[4096];

	list = curl_slist_append(list, "Content-Type: application/json");
	list = curl_slist_append(list, "Accept: application/vnd.amazon.eventstream");
	if (o->aws_session_token != NULL && o->aws_session_token[0] != '\0') {
		snprintf(token, sizeof token, "x-amz-security-token: %s",
		    o->aws_session_token);
		list = curl_slist_append(list, token);
	}
	return list;
}

static int
on_message(void *ctx, const struct es_message *m)
{
	struct bedrock *st = ctx;
	const struct proto_events *ev = st->ev;
	cJSON *root;
	int rc = 0;

	root = cJSON_ParseWithLength(m->payload, m->len);
	if (strcmp(m->message_type, "exception") == 0 ||
	    strcmp(m->message_type, "error") == 0) {
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(root, "message");
		char detail[SAMPLE_DETAIL_MAX];

		snprintf(detail, sizeof detail, "%s: %s",
		    m->exception_type[0] ? m->exception_type : m->event_type,
		    cJSON_IsString(msg) ? msg->valuestring : "(no message)");
		ev->fail(ev->ctx, detail);
		cJSON_Delete(root);
		return FAILED;
	}
	if (root == NULL) {
		ev->fail(ev->ctx, "event-stream payload is not JSON");
		return FAILED;
	}
	if (strcmp(m->event_type, "contentBlockDelta") == 0) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "delta");
		const cJSON *text = cJSON_GetObjectItemCaseSensitive(d, "text");
		const cJSON *rc_ = cJSON_GetObjectItemCaseSensitive(d, "reasoningContent");
		const cJSON *tool = cJSON_GetObjectItemCaseSensitive(d, "toolUse");

		if ((cJSON_IsString(text) && text->valuestring[0] != '\0') ||
		    cJSON_IsObject(rc_) || cJSON_IsObject(tool))
			ev->token(ev->ctx);
	} else if (strcmp(m->event_type, "messageStop") == 0)
		st->stopped = true;
	else if (strcmp(m->event_type, "metadata") == 0) {
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
	int rc;

	st->ev = ev;
	rc = es_feed(&st->es, buf, len, on_message, st);
	if (rc == -1)
		ev->fail(ev->ctx, st->es.error);
	return rc == 0 ? 0 : -1;
}

static int
bedrock_finish(void *state, const struct proto_events *ev)
{
	struct bedrock *st = state;

	if (es_pending(&st->es)) {
		ev->fail(ev->ctx, "stream ended inside an event-stream message");
		return -1;
	}
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
	.headers = bedrock_headers,
	.state_size = sizeof(struct bedrock),
	.init = bedrock_init,
	.done = bedrock_done,
	.feed = bedrock_feed,
	.finish = bedrock_finish,
};
