/* Ollama's native chat: POST /api/chat, answered with newline-delimited
 * JSON objects: {"message":{"content":...},"done":false} per piece, then one
 * with "done": true and the counts (eval_count, prompt_eval_count). */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "proto/frames.h"
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

static long
count_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? (long)v->valuedouble : -1;
}

static int
on_line(void *ctx, const char *event, const char *line, size_t len)
{
	struct ollama *st = ctx;
	const struct proto_events *ev = st->ev;
	const cJSON *msg, *err;
	cJSON *root;
	char detail[SAMPLE_DETAIL_MAX];

	if (st->done)
		return 0;
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
	{
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(msg, "content");
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(msg, "response");
		const cJSON *th = cJSON_GetObjectItemCaseSensitive(msg, "thinking");

		if ((cJSON_IsString(c) && c->valuestring[0] != '\0') ||
		    (cJSON_IsString(r) && r->valuestring[0] != '\0') ||
		    (cJSON_IsString(th) && th->valuestring[0] != '\0'))
			ev->token(ev->ctx);
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "done"))) {
		long out = count_of(root, "eval_count");

		if (out >= 0)
			ev->usage(ev->ctx, out, count_of(root, "prompt_eval_count"));
		st->done = true;
		ev->done(ev->ctx);
	}
	cJSON_Delete(root);
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
