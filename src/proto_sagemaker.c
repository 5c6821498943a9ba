/* Amazon SageMaker's InvokeEndpointWithResponseStream: POST
 * /endpoints/{name}/invocations-response-stream, signed with SigV4 (service
 * sagemaker). The answer is AWS event-stream PayloadPart messages whose
 * bytes carry the container's own stream, cut anywhere: TGI- or
 * OpenAI-style SSE, or JSON lines (LMI). The parts are reassembled and read
 * as that stream; a ModelStreamError or InternalStreamFailure is an error
 * sample with its type and message. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "eventstream.h"
#include "ndjson.h"
#include "options.h"
#include "prompts.h"
#include "proto.h"
#include "sample.h"
#include "sse.h"

#define FAILED		1
#define DETAIL_QUOTE	60

enum inner { INNER_UNKNOWN, INNER_SSE, INNER_LINES };

struct sagemaker {
	struct es_decoder		 es;
	struct sse			 sse;
	struct ndjson			 nd;
	enum inner			 inner;
	const struct proto_events	*ev;
	bool				 done;
};

static void
sagemaker_body(const struct run_opts *o, const struct prompt *p, long max_tokens,
    struct buf *b)
{
	buf_adds(b, "{\"inputs\":");
	buf_add_json_string(b, p->text);
	buf_adds(b, ",\"parameters\":{\"details\":true");
	if (max_tokens > 0)
		buf_printf(b, ",\"max_new_tokens\":%ld", max_tokens);
	buf_adds(b, "},\"stream\":true}");
}

static bool
nonempty(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) && v->valuestring[0] != '\0';
}

/* One JSON object of the container's stream. */
static int
on_json(struct sagemaker *st, const char *data, size_t len)
{
	const struct proto_events *ev = st->ev;
	const cJSON *tok, *err, *gen, *choices, *c, *usage;
	cJSON *root;
	char detail[SAMPLE_DETAIL_MAX];
	bool content = false;

	if (st->done)
		return 0;
	if (len == 6 && memcmp(data, "[DONE]", 6) == 0) {
		st->done = true;
		ev->done(ev->ctx);
		return 0;
	}
	if ((root = cJSON_ParseWithLength(data, len)) == NULL || !cJSON_IsObject(root)) {
		snprintf(detail, sizeof detail, "container sent non-JSON: %.*s",
		    (int)(len > DETAIL_QUOTE ? DETAIL_QUOTE : len), data);
		cJSON_Delete(root);
		ev->fail(ev->ctx, detail);
		return FAILED;
	}
	if ((err = cJSON_GetObjectItemCaseSensitive(root, "error")) != NULL &&
	    !cJSON_IsNull(err)) {
		snprintf(detail, sizeof detail, "container error: %s",
		    cJSON_IsString(err) ? err->valuestring : "(no message)");
		cJSON_Delete(root);
		ev->fail(ev->ctx, detail);
		return FAILED;
	}
	/* TGI and LMI: a token; OpenAI-style containers: choices */
	tok = cJSON_GetObjectItemCaseSensitive(root, "token");
	if (nonempty(tok, "text") &&
	    !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tok, "special")))
		content = true;
	choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
	cJSON_ArrayForEach(c, choices) {
		if (nonempty(cJSON_GetObjectItemCaseSensitive(c, "delta"), "content") ||
		    nonempty(c, "text"))
			content = true;
	}
	if (content)
		ev->token(ev->ctx);
	usage = cJSON_GetObjectItemCaseSensitive(root, "usage");
	if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(usage, "completion_tokens")))
		ev->usage(ev->ctx, (long)cJSON_GetObjectItemCaseSensitive(usage,
		    "completion_tokens")->valuedouble, -1);
	gen = cJSON_GetObjectItemCaseSensitive(root, "generated_text");
	if (gen != NULL && !cJSON_IsNull(gen)) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(root, "details"), "generated_tokens");

		if (cJSON_IsNumber(n))
			ev->usage(ev->ctx, (long)n->valuedouble, -1);
		st->done = true;
		ev->done(ev->ctx);
	}
	cJSON_Delete(root);
	return 0;
}

static int
on_sse(void *ctx, const char *event, const char *data, size_t len)
{
	return on_json(ctx, data, len);
}

static int
on_line(void *ctx, const char *line, size_t len)
{
	return on_json(ctx, line, len);
}

/* The container's bytes, whatever part boundaries cut them. */
static int
inner_feed(struct sagemaker *st, const char *p, size_t n)
{
	size_t i;

	if (st->inner == INNER_UNKNOWN) {
		for (i = 0; i < n && (p[i] == ' ' || p[i] == '\r' || p[i] == '\n'); i++)
			;
		if (i == n)
			return 0;
		st->inner = p[i] == '{' ? INNER_LINES : INNER_SSE;
	}
	if (st->inner == INNER_SSE)
		return sse_feed(&st->sse, p, n, on_sse, st);
	return ndjson_feed(&st->nd, p, n, on_line, st);
}

static int
on_message(void *ctx, const struct es_message *m)
{
	struct sagemaker *st = ctx;
	const struct proto_events *ev = st->ev;
	int rc;

	if (strcmp(m->message_type, "exception") == 0 ||
	    strcmp(m->message_type, "error") == 0) {
		cJSON *root = cJSON_ParseWithLength(m->payload, m->len);
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(root, "Message");
		char detail[SAMPLE_DETAIL_MAX];

		if (!cJSON_IsString(msg))
			msg = cJSON_GetObjectItemCaseSensitive(root, "message");
		snprintf(detail, sizeof detail, "%s: %s",
		    m->exception_type[0] ? m->exception_type : m->event_type,
		    cJSON_IsString(msg) ? msg->valuestring : "(no message)");
		cJSON_Delete(root);
		ev->fail(ev->ctx, detail);
		return FAILED;
	}
	if (strcmp(m->event_type, "PayloadPart") != 0)
		return 0;
	rc = inner_feed(st, m->payload, m->len);
	if (rc == -1) {
		ev->fail(ev->ctx, "container stream line too long");
		return FAILED;
	}
	return rc;
}

static void
sagemaker_init(void *state)
{
	struct sagemaker *st = state;

	memset(st, 0, sizeof *st);
	es_init(&st->es);
	sse_init(&st->sse);
	ndjson_init(&st->nd);
}

static void
sagemaker_done(void *state)
{
	struct sagemaker *st = state;

	es_done(&st->es);
	sse_done(&st->sse);
	ndjson_done(&st->nd);
}

static int
sagemaker_feed(void *state, const char *buf, size_t len,
    const struct proto_events *ev)
{
	struct sagemaker *st = state;
	int rc;

	st->ev = ev;
	rc = es_feed(&st->es, buf, len, on_message, st);
	if (rc == -1)
		ev->fail(ev->ctx, st->es.error);
	return rc == 0 ? 0 : -1;
}

static int
sagemaker_finish(void *state, const struct proto_events *ev)
{
	struct sagemaker *st = state;
	int rc = 0;

	st->ev = ev;
	if (es_pending(&st->es)) {
		ev->fail(ev->ctx, "stream ended inside an event-stream message");
		return -1;
	}
	if (st->inner == INNER_SSE)
		rc = sse_finish(&st->sse, on_sse, st);
	else if (st->inner == INNER_LINES)
		rc = ndjson_finish(&st->nd, on_line, st);
	if (rc != 0)
		return -1;
	if (!st->done) {
		ev->fail(ev->ctx, "stream ended before the container's final event");
		return -1;
	}
	return 0;
}

const struct proto proto_sagemaker = {
	.name = "sagemaker",
	.path = "/endpoints/{model}/invocations-response-stream",
	.aws_service = "sagemaker",
	.aws_host = "runtime.sagemaker",
	.build_body = sagemaker_body,
	.headers = proto_aws_headers,
	.state_size = sizeof(struct sagemaker),
	.init = sagemaker_init,
	.done = sagemaker_done,
	.feed = sagemaker_feed,
	.finish = sagemaker_finish,
};
