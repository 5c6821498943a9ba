/* Ollama's native chat: POST /api/chat, answered with newline-delimited
 * JSON objects: {"message":{"content":...},"done":false} per piece (a
 * thinking model's "thinking" is reasoning), then one with "done": true,
 * the counts (eval_count, prompt_eval_count) and done_reason. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "proto/frames.h"
#include "proto/jscan.h"
#include "run_opts.h"
#include "prompts.h"
#include "proto/proto.h"
#include "sample.h"

#define FAILED		1

struct ollama {
	struct frames			 fr;
	const struct proto_events	*ev;
	bool				 done;
};

static void
ollama_body(const struct run_opts *o, const struct prompt *p, long max_tokens,
    struct buf *b)
{
	if (p->messages != NULL) {
		buf_adds(b, "{\"messages\":");
		buf_adds(b, p->messages);
	} else {
		buf_adds(b, "{\"messages\":[{\"role\":\"user\",\"content\":");
		buf_add_json_string(b, p->text);
		buf_adds(b, "}]");
	}
	if (o->model != NULL) {
		buf_adds(b, ",\"model\":");
		buf_add_json_string(b, o->model);
	}
	if (max_tokens > 0)
		buf_printf(b, ",\"options\":{\"num_predict\":%ld}", max_tokens);
	buf_adds(b, ",\"stream\":true}");
}

static struct curl_slist *
ollama_headers(const struct run_opts *o, struct curl_slist *list)
{
	return curl_slist_append(list, "Content-Type: application/json");
}

/* What one line says, whichever way it was read. */
struct said {
	bool	visible;	/* content or response */
	bool	thinking;
	bool	done;		/* "done": true, the last line */
	long	out, in;	/* its counts (-1: none) */
	char	reason[SAMPLE_REASON_MAX];	/* done_reason */
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

static long
count_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? proto_count(v->valuedouble) : -1;
}

static bool
nonempty(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) && v->valuestring[0] != '\0';
}

/* The full parse: any JSON cJSON takes, error lines with their message. */
static int
read_cjson(const struct ollama *st, const char *line, size_t len,
    struct said *out)
{
	const struct proto_events *ev = st->ev;
	const cJSON *msg, *err;
	cJSON *root;
	char detail[SAMPLE_DETAIL_MAX];

	if ((root = cJSON_ParseWithLength(line, len)) == NULL || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		proto_fail_quote(ev, "non-JSON line", line, len);
		return FAILED;
	}
	if ((err = cJSON_GetObjectItemCaseSensitive(root, "error")) != NULL) {
		snprintf(detail, sizeof detail, "error: %s",
		    cJSON_IsString(err) ? err->valuestring : "(no message)");
		cJSON_Delete(root);
		ev->fail(ev->ctx, detail);
		return FAILED;
	}
	msg = cJSON_GetObjectItemCaseSensitive(root, "message");
	if (!cJSON_IsObject(msg))	/* /api/generate answers in "response" */
		msg = root;
	out->visible = nonempty(msg, "content") || nonempty(msg, "response");
	out->thinking = nonempty(msg, "thinking");
	proto_text(ev, cJSON_GetObjectItemCaseSensitive(msg, "content"));
	proto_text(ev, cJSON_GetObjectItemCaseSensitive(msg, "response"));
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "done"))) {
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(root,
		    "done_reason");

		if (cJSON_IsString(r))
			said_reason(out, r->valuestring, strlen(r->valuestring));
		out->done = true;
		out->out = count_of(root, "eval_count");
		out->in = count_of(root, "prompt_eval_count");
	}
	cJSON_Delete(root);
	return 0;
}

/* The members the fast path reads: a message's, or the line's own when it
 * has no message object; the line's begin with the message's, so that
 * either array reads as the message. */
enum { MSG_CONTENT, MSG_RESPONSE, MSG_THINKING, MSG_N };
enum { TOP_ERROR = MSG_N, TOP_MESSAGE, TOP_DONE, TOP_EVAL, TOP_PROMPT_EVAL,
    TOP_DONE_REASON, TOP_N };
static const char *const top_keys[TOP_N] = {
	[MSG_CONTENT] = "content", [MSG_RESPONSE] = "response",
	[MSG_THINKING] = "thinking", [TOP_ERROR] = "error",
	[TOP_MESSAGE] = "message", [TOP_DONE] = "done",
	[TOP_EVAL] = "eval_count", [TOP_PROMPT_EVAL] = "prompt_eval_count",
	[TOP_DONE_REASON] = "done_reason",
};

/* The fast path: read_cjson's answer for a plain line, without a tree.
 * -1 for read_cjson to read it (errors too: they are rare). */
static int
read_scan(const char *line, size_t len, struct said *out)
{
	struct jdoc doc;
	struct jval root, top[TOP_N], m[MSG_N];
	const struct jval *msg = top;
	const char *reason;
	size_t n;

	if (jscan_doc(&doc, line, len, &root) == -1 || root.type != JOBJECT)
		return -1;
	jscan_members(&root, top_keys, top, TOP_N);
	if (top[TOP_ERROR].type != JNONE)
		return -1;
	if (top[TOP_MESSAGE].type == JOBJECT) {
		jscan_members(&top[TOP_MESSAGE], top_keys, m, MSG_N);
		msg = m;
	}
	out->visible = jscan_nonempty(&msg[MSG_CONTENT]) ||
	    jscan_nonempty(&msg[MSG_RESPONSE]);
	out->thinking = jscan_nonempty(&msg[MSG_THINKING]);
	if (top[TOP_DONE].type == JTRUE) {
		if (top[TOP_DONE_REASON].type == JSTRING) {
			if (jscan_string_raw(&top[TOP_DONE_REASON], &reason, &n) == -1)
				return -1;
			said_reason(out, reason, n);
		}
		out->done = true;
		if (jscan_count(&top[TOP_EVAL], &out->out) == -1 ||
		    jscan_count(&top[TOP_PROMPT_EVAL], &out->in) == -1)
			return -1;
	}
	return 0;
}

static int
on_line(void *ctx, const char *event, const char *line, size_t len)
{
	struct ollama *st = ctx;
	const struct proto_events *ev = st->ev;
	struct said said;
	int rc;

	if (st->done)
		return 0;
	memset(&said, 0, sizeof said);
	if (ev->text != NULL || read_scan(line, len, &said) == -1) {
		memset(&said, 0, sizeof said);
		if ((rc = read_cjson(st, line, len, &said)) != 0)
			return rc;
	}
	if (said.visible)
		ev->token(ev->ctx, CHUNK_VISIBLE);
	else if (said.thinking)
		ev->token(ev->ctx, CHUNK_REASONING);
	if (said.done) {
		proto_finish_reason(ev, said.reason, said.reason_len);
		if (said.out >= 0)
			ev->usage(ev->ctx, said.out, said.in);
		st->done = true;
		ev->done(ev->ctx);
	}
	(void)event;
	return 0;
}

static void
ollama_init(void *state)
{
	struct ollama *st = state;

	memset(st, 0, sizeof *st);
	frames_init(&st->fr, FRAMES_NDJSON);
}

static void
ollama_done(void *state)
{
	frames_done(&((struct ollama *)state)->fr);
}

static int
ollama_feed(void *state, const char *buf, size_t len,
    const struct proto_events *ev)
{
	struct ollama *st = state;

	st->ev = ev;
	return frames_feed(&st->fr, buf, len, on_line, st, ev);
}

static int
ollama_finish(void *state, const struct proto_events *ev)
{
	struct ollama *st = state;

	st->ev = ev;
	if (frames_finish(&st->fr, on_line, st) != 0)
		return -1;
	if (!st->done) {
		ev->fail(ev->ctx, "stream ended before \"done\": true");
		return -1;
	}
	return 0;
}

const struct proto proto_ollama = {
	.name = "ollama",
	.path = "/api/chat",
	.models_path = "/api/tags",
	.env_key = NULL,
	.build_body = ollama_body,
	.headers = ollama_headers,
	.state_size = sizeof(struct ollama),
	.init = ollama_init,
	.done = ollama_done,
	.feed = ollama_feed,
	.finish = ollama_finish,
};
