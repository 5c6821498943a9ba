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
#include "proto/aws.h"
#include "proto/eventstream.h"
#include "proto/frames.h"
#include "proto/jscan.h"
#include "run_opts.h"
#include "prompts.h"
#include "proto/proto.h"
#include "sample.h"

#define FAILED		1

struct sagemaker {
	struct es_decoder		 es;
	struct frames			 inner;		/* the container's stream */
	bool				 inner_known;	/* its framing was seen */
	const struct proto_events	*ev;
	bool				 done;
};

/* What one object of the container's stream says, whichever way it was
 * read. */
struct said {
	bool	content;	/* a TGI token or an OpenAI-style choice */
	bool	usage;		/* usage.completion_tokens, in out */
	long	out;
	bool	end;		/* generated_text: TGI's final event */
	bool	generated;	/* details.generated_tokens, in gen */
	long	gen;
	char	reason[SAMPLE_REASON_MAX];	/* details.finish_reason */
	size_t	reason_len;
};

static void
said_reason(struct said *s, const char *reason, size_t len)
{
	if (len >= sizeof s->reason)
		len = sizeof s->reason - 1;
	memcpy(s->reason, reason, len);
	s->reason_len = len;
}

static bool
nonempty(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) && v->valuestring[0] != '\0';
}

/* The full parse: any JSON cJSON takes, errors with their message. */
static int
read_cjson(const struct sagemaker *st, const char *data, size_t len,
    struct said *out)
{
	const struct proto_events *ev = st->ev;
	const cJSON *tok, *err, *gen, *choices, *c, *n;
	cJSON *root;
	char detail[SAMPLE_DETAIL_MAX];

	if ((root = cJSON_ParseWithLength(data, len)) == NULL || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		proto_fail_quote(ev, "container sent non-JSON", data, len);
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
	    !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tok, "special"))) {
		out->content = true;
		proto_text(ev, cJSON_GetObjectItemCaseSensitive(tok, "text"));
	}
	choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
	cJSON_ArrayForEach(c, choices) {
		if (nonempty(cJSON_GetObjectItemCaseSensitive(c, "delta"), "content") ||
		    nonempty(c, "text"))
			out->content = true;
		proto_text(ev, cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(c, "delta"), "content"));
		proto_text(ev, cJSON_GetObjectItemCaseSensitive(c, "text"));
	}
	n = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(root, "usage"), "completion_tokens");
	if (cJSON_IsNumber(n)) {
		out->usage = true;
		out->out = proto_count(n->valuedouble);
	}
	gen = cJSON_GetObjectItemCaseSensitive(root, "generated_text");
	if (gen != NULL && !cJSON_IsNull(gen)) {
		const cJSON *details = cJSON_GetObjectItemCaseSensitive(root,
		    "details");
		const cJSON *why = cJSON_GetObjectItemCaseSensitive(details,
		    "finish_reason");

		out->end = true;
		n = cJSON_GetObjectItemCaseSensitive(details, "generated_tokens");
		if (cJSON_IsNumber(n)) {
			out->generated = true;
			out->gen = proto_count(n->valuedouble);
		}
		if (cJSON_IsString(why))
			said_reason(out, why->valuestring, strlen(why->valuestring));
	}
	cJSON_Delete(root);
	return 0;
}

/* The members the fast path reads, by object. */
enum { TOP_ERROR, TOP_TOKEN, TOP_CHOICES, TOP_USAGE, TOP_GENERATED,
    TOP_DETAILS, TOP_N };
static const char *const top_keys[TOP_N] = {
	[TOP_ERROR] = "error", [TOP_TOKEN] = "token", [TOP_CHOICES] = "choices",
	[TOP_USAGE] = "usage", [TOP_GENERATED] = "generated_text",
	[TOP_DETAILS] = "details",
};
enum { TOKEN_TEXT, TOKEN_SPECIAL, TOKEN_N };
static const char *const token_keys[TOKEN_N] = {
	[TOKEN_TEXT] = "text", [TOKEN_SPECIAL] = "special",
};
enum { CHOICE_DELTA, CHOICE_TEXT, CHOICE_N };
static const char *const choice_keys[CHOICE_N] = {
	[CHOICE_DELTA] = "delta", [CHOICE_TEXT] = "text",
};
static const char *const content_key[] = { "content" };
static const char *const completion_key[] = { "completion_tokens" };
enum { DETAILS_GENERATED, DETAILS_FINISH, DETAILS_N };
static const char *const details_keys[DETAILS_N] = {
	[DETAILS_GENERATED] = "generated_tokens",
	[DETAILS_FINISH] = "finish_reason",
};

/* A count read in place into *n, *given saying whether there was one; -1
 * when cJSON must convert it. */
static int
scan_count(const struct jval *v, bool *given, long *n)
{
	if (v->type != JNUMBER)
		return 0;
	*given = true;
	return jscan_long(v, n);
}

/* The fast path: read_cjson's answer for a plain object, without a tree.
 * -1 for read_cjson to read it (errors too: they are rare). */
static int
read_scan(const char *data, size_t len, struct said *out)
{
	struct jdoc doc;
	struct jval root, top[TOP_N], t[TOKEN_N], c, ch[CHOICE_N], v, d[DETAILS_N];
	const char *reason;
	size_t rlen;

	if (jscan_doc(&doc, data, len, &root) == -1 || root.type != JOBJECT)
		return -1;
	jscan_members(&root, top_keys, top, TOP_N);
	if (jscan_given(&top[TOP_ERROR]))
		return -1;
	jscan_members(&top[TOP_TOKEN], token_keys, t, TOKEN_N);
	if (jscan_nonempty(&t[TOKEN_TEXT]) && t[TOKEN_SPECIAL].type != JTRUE)
		out->content = true;
	JSCAN_FOREACH(c, top[TOP_CHOICES]) {
		jscan_members(&c, choice_keys, ch, CHOICE_N);
		jscan_members(&ch[CHOICE_DELTA], content_key, &v, 1);
		if (jscan_nonempty(&v) || jscan_nonempty(&ch[CHOICE_TEXT]))
			out->content = true;
	}
	jscan_members(&top[TOP_USAGE], completion_key, &v, 1);
	if (scan_count(&v, &out->usage, &out->out) == -1)
		return -1;
	if (jscan_given(&top[TOP_GENERATED])) {
		out->end = true;
		jscan_members(&top[TOP_DETAILS], details_keys, d, DETAILS_N);
		if (scan_count(&d[DETAILS_GENERATED], &out->generated, &out->gen) == -1)
			return -1;
		if (d[DETAILS_FINISH].type == JSTRING) {
			if (jscan_string_raw(&d[DETAILS_FINISH], &reason, &rlen) == -1)
				return -1;
			said_reason(out, reason, rlen);
		}
	}
	return 0;
}

/* One JSON object of the container's stream. */
static int
on_json(struct sagemaker *st, const char *data, size_t len)
{
	const struct proto_events *ev = st->ev;
	struct said said;
	int rc;

	if (st->done)
		return 0;
	if (len == 6 && memcmp(data, "[DONE]", 6) == 0) {
		st->done = true;
		ev->done(ev->ctx);
		return 0;
	}
	memset(&said, 0, sizeof said);
	if (ev->text != NULL || read_scan(data, len, &said) == -1) {
		memset(&said, 0, sizeof said);
		if ((rc = read_cjson(st, data, len, &said)) != 0)
			return rc;
	}
	if (said.content)
		ev->token(ev->ctx, CHUNK_VISIBLE);
	if (said.usage)
		ev->usage(ev->ctx, said.out, -1);
	if (said.end) {
		if (said.generated)
			ev->usage(ev->ctx, said.gen, -1);
		proto_finish_reason(ev, said.reason, said.reason_len);
		st->done = true;
		ev->done(ev->ctx);
	}
	return 0;
}

static int
on_frame(void *ctx, const char *event, const char *data, size_t len)
{
	return on_json(ctx, data, len);
}

/* The container's bytes, whatever part boundaries cut them: JSON lines
 * when they begin with '{', else SSE. */
static int
inner_feed(struct sagemaker *st, const char *p, size_t n)
{
	size_t i;

	if (!st->inner_known) {
		for (i = 0; i < n && (p[i] == ' ' || p[i] == '\r' || p[i] == '\n'); i++)
			;
		if (i == n)
			return 0;
		st->inner.kind = p[i] == '{' ? FRAMES_NDJSON : FRAMES_SSE;
		st->inner_known = true;
	}
	return frames_feed(&st->inner, p, n, on_frame, st, st->ev);
}

static int
on_message(void *ctx, const struct es_message *m)
{
	struct sagemaker *st = ctx;
	const struct proto_events *ev = st->ev;

	if (proto_aws_exception(m, ev))
		return FAILED;
	if (strcmp(m->event_type, "PayloadPart") != 0)
		return 0;
	return inner_feed(st, m->payload, m->len) == 0 ? 0 : FAILED;
}

static void
sagemaker_init(void *state)
{
	struct sagemaker *st = state;

	memset(st, 0, sizeof *st);
	es_init(&st->es);
	frames_init(&st->inner, FRAMES_SSE);
}

static void
sagemaker_done(void *state)
{
	struct sagemaker *st = state;

	es_done(&st->es);
	frames_done(&st->inner);
}

static int
sagemaker_feed(void *state, const char *buf, size_t len,
    const struct proto_events *ev)
{
	struct sagemaker *st = state;

	st->ev = ev;
	return proto_aws_feed(&st->es, buf, len, on_message, st, ev);
}

static int
sagemaker_finish(void *state, const struct proto_events *ev)
{
	struct sagemaker *st = state;

	st->ev = ev;
	if (proto_aws_cut(&st->es, ev))
		return -1;
	if (st->inner_known && frames_finish(&st->inner, on_frame, st) != 0)
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
	.build_body = proto_tgi_body,	/* the container's, TGI-style */
	.headers = proto_aws_headers,
	.state_size = sizeof(struct sagemaker),
	.init = sagemaker_init,
	.done = sagemaker_done,
	.feed = sagemaker_feed,
	.finish = sagemaker_finish,
};
