/* Hugging Face text-generation-inference's own API: POST /generate_stream,
 * answered with SSE events {"token":{"text":...,"special":false},...}; the
 * last carries "generated_text" and, asked with "details": true, the
 * number of generated tokens. Special tokens (end of sequence) are not
 * content. */
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

struct tgi {
	struct frames			 fr;
	const struct proto_events	*ev;
	bool				 done;
};

void
proto_tgi_body(const struct run_opts *o, const struct prompt *p, long max_tokens,
    struct buf *b)
{
	buf_adds(b, "{\"inputs\":");
	buf_add_json_string(b, p->text);
	buf_adds(b, ",\"parameters\":{\"details\":true");
	if (max_tokens > 0)
		buf_printf(b, ",\"max_new_tokens\":%ld", max_tokens);
	buf_adds(b, "},\"stream\":true}");
}

/* What one event says, whichever way it was read. */
struct said {
	bool	content;	/* a token with text that is not special */
	bool	end;		/* generated_text: the final event */
	bool	usage;		/* details.generated_tokens, in out */
	long	out;
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

/* The full parse: any JSON cJSON takes, error events with their message. */
static int
read_cjson(const struct tgi *st, const char *data, size_t len,
    struct said *out)
{
	const struct proto_events *ev = st->ev;
	const cJSON *tok, *text, *err, *gen, *n;
	cJSON *root;
	char detail[SAMPLE_DETAIL_MAX];

	if ((root = cJSON_ParseWithLength(data, len)) == NULL || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		proto_fail_quote(ev, "non-JSON data", data, len);
		return FAILED;
	}
	if ((err = cJSON_GetObjectItemCaseSensitive(root, "error")) != NULL &&
	    !cJSON_IsNull(err)) {
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "error_type");

		snprintf(detail, sizeof detail, "%s: %s",
		    cJSON_IsString(type) ? type->valuestring : "error",
		    cJSON_IsString(err) ? err->valuestring : "(no message)");
		cJSON_Delete(root);
		ev->fail(ev->ctx, detail);
		return FAILED;
	}
	tok = cJSON_GetObjectItemCaseSensitive(root, "token");
	text = cJSON_GetObjectItemCaseSensitive(tok, "text");
	out->content = cJSON_IsString(text) && text->valuestring[0] != '\0' &&
	    !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tok, "special"));
	if (out->content)
		proto_text(ev, text);
	gen = cJSON_GetObjectItemCaseSensitive(root, "generated_text");
	if (gen != NULL && !cJSON_IsNull(gen)) {
		const cJSON *details = cJSON_GetObjectItemCaseSensitive(root,
		    "details");
		const cJSON *why = cJSON_GetObjectItemCaseSensitive(details,
		    "finish_reason");

		out->end = true;
		n = cJSON_GetObjectItemCaseSensitive(details, "generated_tokens");
		if (cJSON_IsNumber(n)) {
			out->usage = true;
			out->out = proto_count(n->valuedouble);
		}
		if (cJSON_IsString(why))
			said_reason(out, why->valuestring, strlen(why->valuestring));
	}
	cJSON_Delete(root);
	return 0;
}

/* The members the fast path reads, by object. */
enum { TOP_ERROR, TOP_TOKEN, TOP_GENERATED, TOP_DETAILS, TOP_N };
static const char *const top_keys[TOP_N] = {
	[TOP_ERROR] = "error", [TOP_TOKEN] = "token",
	[TOP_GENERATED] = "generated_text", [TOP_DETAILS] = "details",
};
enum { TOKEN_TEXT, TOKEN_SPECIAL, TOKEN_N };
static const char *const token_keys[TOKEN_N] = {
	[TOKEN_TEXT] = "text", [TOKEN_SPECIAL] = "special",
};
enum { DETAILS_GENERATED, DETAILS_FINISH, DETAILS_N };
static const char *const details_keys[DETAILS_N] = {
	[DETAILS_GENERATED] = "generated_tokens",
	[DETAILS_FINISH] = "finish_reason",
};

/* The fast path: read_cjson's answer for a plain event, without a tree.
 * -1 for read_cjson to read it (errors too: they are rare). */
static int
read_scan(const char *data, size_t len, struct said *out)
{
	struct jdoc doc;
	struct jval root, top[TOP_N], t[TOKEN_N], d[DETAILS_N];
	const char *reason;
	size_t rlen;

	if (jscan_doc(&doc, data, len, &root) == -1 || root.type != JOBJECT)
		return -1;
	jscan_members(&root, top_keys, top, TOP_N);
	if (jscan_given(&top[TOP_ERROR]))
		return -1;
	jscan_members(&top[TOP_TOKEN], token_keys, t, TOKEN_N);
	out->content = jscan_nonempty(&t[TOKEN_TEXT]) &&
	    t[TOKEN_SPECIAL].type != JTRUE;
	if (jscan_given(&top[TOP_GENERATED])) {
		out->end = true;
		jscan_members(&top[TOP_DETAILS], details_keys, d, DETAILS_N);
		if (d[DETAILS_GENERATED].type == JNUMBER) {
			if (jscan_long(&d[DETAILS_GENERATED], &out->out) == -1)
				return -1;
			out->usage = true;
		}
		if (d[DETAILS_FINISH].type == JSTRING) {
			if (jscan_string_raw(&d[DETAILS_FINISH], &reason, &rlen) == -1)
				return -1;
			said_reason(out, reason, rlen);
		}
	}
	return 0;
}

static int
on_event(void *ctx, const char *event, const char *data, size_t len)
{
	struct tgi *st = ctx;
	const struct proto_events *ev = st->ev;
	struct said said;
	int rc;

	if (st->done)
		return 0;
	memset(&said, 0, sizeof said);
	if (ev->text != NULL || read_scan(data, len, &said) == -1) {
		memset(&said, 0, sizeof said);
		if ((rc = read_cjson(st, data, len, &said)) != 0)
			return rc;
	}
	if (said.content)
		ev->token(ev->ctx, CHUNK_VISIBLE);
	if (said.end) {
		if (said.usage)
			ev->usage(ev->ctx, said.out, -1);
		proto_finish_reason(ev, said.reason, said.reason_len);
		st->done = true;
		ev->done(ev->ctx);
	}
	(void)event;
	return 0;
}

static void
tgi_init(void *state)
{
	struct tgi *st = state;

	memset(st, 0, sizeof *st);
	frames_init(&st->fr, FRAMES_SSE);
}

static void
tgi_done(void *state)
{
	frames_done(&((struct tgi *)state)->fr);
}

static int
tgi_feed(void *state, const char *buf, size_t len, const struct proto_events *ev)
{
	struct tgi *st = state;

	st->ev = ev;
	return frames_feed(&st->fr, buf, len, on_event, st, ev);
}

static int
tgi_finish(void *state, const struct proto_events *ev)
{
	struct tgi *st = state;

	st->ev = ev;
	if (frames_finish(&st->fr, on_event, st) != 0)
		return -1;
	if (!st->done) {
		ev->fail(ev->ctx, "stream ended before the final event "
		    "(generated_text)");
		return -1;
	}
	return 0;
}

const struct proto proto_tgi = {
	.name = "tgi",
	.path = "/generate_stream",
	.models_path = "/v1/models",
	.env_key = "HF_TOKEN",
	.build_body = proto_tgi_body,
	.headers = proto_bearer_sse_headers,
	.state_size = sizeof(struct tgi),
	.init = tgi_init,
	.done = tgi_done,
	.feed = tgi_feed,
	.finish = tgi_finish,
};
