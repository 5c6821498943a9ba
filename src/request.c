#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "lag.h"
#include "run_opts.h"
#include "proto/proto.h"
#include "request.h"
#include "xalloc.h"

static void
on_token(void *ctx, enum chunk_kind kind)
{
	struct request *r = ctx;
	usec_t at = r->arrival - r->start;

	if (kind == CHUNK_REASONING)
		r->reasoning_chunks++;
	else if (r->s.ttfo == USEC_NONE)
		r->s.ttfo = at;
	sample_add_chunk(&r->s, at);
	if (r->s.ttft == USEC_NONE) {
		r->s.ttft = at;
		if (r->on_first != NULL)
			r->on_first(r->owner, r);
	}
	if (r->chunk_counter != NULL)
		(*r->chunk_counter)++;
}

static void
on_text(void *ctx, const char *s, size_t len)
{
	struct request *r = ctx;

	buf_add(&r->answer, s, len);
}

static void
on_usage(void *ctx, long output, long input)
{
	struct request *r = ctx;

	r->usage_out = output;
	if (input >= 0)
		r->usage_in = input;
}

static void
on_reasoning_usage(void *ctx, long reasoning)
{
	((struct request *)ctx)->usage_reasoning = reasoning;
}

static void
on_finish_reason(void *ctx, const char *reason, size_t len)
{
	struct request *r = ctx;

	if (len >= sizeof r->s.finish_reason)
		len = sizeof r->s.finish_reason - 1;
	memcpy(r->s.finish_reason, reason, len);
	r->s.finish_reason[len] = '\0';
}

static void
on_done(void *ctx)
{
	struct request *r = ctx;

	if (r->s.ttlt == USEC_NONE)
		r->s.ttlt = r->arrival - r->start;
	r->ended = true;
}

static void
on_fail(void *ctx, const char *detail)
{
	struct request *r = ctx;

	if (!r->failed) {
		r->failed = true;
		snprintf(r->s.detail, sizeof r->s.detail, "%s", detail);
	}
}

/* The callbacks every request hands its adapter. */
static struct proto_events
events_of(struct request *r)
{
	struct proto_events ev = {
		.token = on_token, .usage = on_usage, .done = on_done,
		.fail = on_fail, .ctx = r, .opts = r->opts,
		.reasoning_usage = on_reasoning_usage,
		.finish_reason = on_finish_reason,
		.text = r->want_text ? on_text : NULL,
	};

	return ev;
}

void
request_add_header(struct request *r, const char *line, size_t len)
{
	if (r->nown >= REQ_OWN_HEADERS)
		fatal("more than %d header lines of a request's own", REQ_OWN_HEADERS);
	buf_add(&r->own_headers, line, len);
	buf_addc(&r->own_headers, '\0');
	r->nown++;
}

bool
request_errno_is_local(int e)
{
	return e == EMFILE || e == ENFILE || e == ENOMEM || e == ENOBUFS ||
	    e == EADDRNOTAVAIL;
}

void
request_content_type(struct request *r, const char *v, size_t len)
{
	static const char json[] = "application/json";

	r->json_answer = len >= sizeof json - 1 &&
	    strncasecmp(v, json, sizeof json - 1) == 0;
}

void
request_content_encoding(struct request *r, const char *v, size_t len)
{
	coding_set(&r->coding, v, len);
}

void
request_retry_after(struct request *r, const char *v, size_t len)
{
	long long secs = 0;
	size_t i;

	if (r->s.status != 429 && r->s.status != 503)
		return;
	for (i = 0; i < len && v[i] >= '0' && v[i] <= '9' && secs < 1000000; i++)
		secs = secs * 10 + (v[i] - '0');
	if (i > 0 && i == len)
		r->retry_after = (usec_t)secs * USEC_PER_SEC;
}

void
request_heard(struct request *r)
{
	usec_t lag;

	r->arrival = clock_mono_usec();
	lag = (usec_t)((ev_time() - ev_now(r->loop)) * USEC_PER_SEC);
	if (lag > r->s.lag_max)
		r->s.lag_max = lag;
	if (r->lag_hist != NULL)
		lag_add(r->lag_hist, lag);
}

/* Keeps the body's last REQ_TAIL bytes: what a stalled stream said last. */
static void
keep_tail(struct request *r, const char *data, size_t n)
{
	if (n >= REQ_TAIL) {
		memcpy(r->tail, data + n - REQ_TAIL, REQ_TAIL);
		r->tail_len = REQ_TAIL;
		return;
	}
	if (r->tail_len + n > REQ_TAIL) {
		size_t drop = r->tail_len + n - REQ_TAIL;

		memmove(r->tail, r->tail + drop, r->tail_len - drop);
		r->tail_len -= drop;
	}
	memcpy(r->tail + r->tail_len, data, n);
	r->tail_len += n;
}

/* A piece of the decoded body: 0, or 1 when the adapter gave up. */
static int
take(void *ctx, const char *data, size_t n)
{
	struct request *r = ctx;
	struct proto_events ev = events_of(r);

	keep_tail(r, data, n);

	if (r->http_error) {
		size_t room = sizeof r->errbody - 1 - r->errbody_len;

		if (n < room)
			room = n;
		memcpy(r->errbody + r->errbody_len, data, room);
		r->errbody_len += room;
		return 0;
	}
	if (r->failed)
		return 1;
	return r->proto->feed(r->proto_state, data, n, &ev) == 0 ? 0 : 1;
}

int
request_data(struct request *r, const char *data, size_t n)
{
	char err[SAMPLE_DETAIL_MAX];

	if (r->s.ttfb == USEC_NONE) {
		r->s.ttfb = r->arrival - r->start;
		r->http_error = r->s.status < 200 || r->s.status > 299;
	}
	if (r->coding.kind == CODING_UNKNOWN) {
		if (r->http_error)
			return 0;	/* the detail is the status alone */
		coding_refusal(&r->coding, err, sizeof err);
		on_fail(r, err);
		return -1;
	}
	switch (coding_feed(&r->coding, data, n, take, r, err, sizeof err)) {
	case 0:
		return 0;
	case -1:		/* not the coding it said */
		if (!r->http_error)
			on_fail(r, err);
		return -1;
	default:
		return -1;
	}
}

struct request *
request_new(struct ev_loop *loop, const struct run_opts *o)
{
	struct request *r;

	r = xcalloc(1, sizeof *r);
	r->loop = loop;
	r->opts = o;
	r->proto = o->proto;
	r->proto_state = xmalloc(r->proto->state_size);
	return r;
}

void
request_free(struct request *r)
{
	if (r == NULL)
		return;
	if (r->proto_live)
		r->proto->done(r->proto_state);
	sample_done(&r->s);
	coding_done(&r->coding);
	buf_free(&r->body);
	buf_free(&r->answer);
	buf_free(&r->own_headers);
	free(r->proto_state);
	free(r);
}

void
request_start(struct request *r, long id, const char *id_prefix)
{
	usec_t *chunks = r->s.chunks;
	size_t cap = r->s.chunks_cap;

	sample_init(&r->s);
	r->s.chunks = chunks;		/* keep the buffer of the last one */
	r->s.chunks_cap = cap;
	r->s.id = id;
	r->own_headers.len = 0;
	r->nown = 0;
	buf_printf(&r->own_headers, "X-Request-Id: %s-%ld", id_prefix, id);
	buf_addc(&r->own_headers, '\0');
	r->nown = 1;
	if (r->proto_live)
		r->proto->done(r->proto_state);
	r->proto->init(r->proto_state);
	r->proto_live = true;
	r->failed = r->http_error = r->ended = false;
	coding_done(&r->coding);
	r->usage_out = r->usage_in = r->usage_reasoning = -1;
	r->reasoning_chunks = 0;
	r->errbody_len = 0;
	r->tail_len = 0;
	r->answer.len = 0;
	r->xfer_kind = ERR_NONE;
	r->xfer_err[0] = '\0';
	r->retry_after = 0;
	r->json_answer = false;
	r->local_errno = 0;
	r->start = r->handed = clock_mono_usec();
}

void
request_connected(struct request *r)
{
	r->s.phases.connect = clock_mono_usec() - r->handed;
}

void
request_sent(struct request *r)
{
	usec_t now = clock_mono_usec();

	r->s.t += now - r->start;	/* the owner set it from r->start */
	r->start = now;
	r->s.phases.sent = now - r->handed;
}

/* A short detail from an error body: the JSON error's message if there is
 * one, else the body's first line. */
static void
http_detail(struct request *r)
{
	cJSON *root, *err, *msg;
	const char *text = NULL;
	size_t n;

	r->errbody[r->errbody_len] = '\0';
	root = cJSON_Parse(r->errbody);
	err = cJSON_GetObjectItemCaseSensitive(root, "error");
	msg = cJSON_IsObject(err) ?
	    cJSON_GetObjectItemCaseSensitive(err, "message") :
	    cJSON_GetObjectItemCaseSensitive(root, "message");
	if (cJSON_IsString(err))
		text = err->valuestring;
	else if (cJSON_IsString(msg))
		text = msg->valuestring;
	if (text == NULL) {
		text = r->errbody;
		n = strcspn(text, "\r\n");
		r->errbody[n] = '\0';
	}
	if (text[0] == '\0')
		snprintf(r->s.detail, sizeof r->s.detail, "HTTP %d", r->s.status);
	else
		snprintf(r->s.detail, sizeof r->s.detail, "%s", text);
	cJSON_Delete(root);
}

static void
set_tokens(struct request *r)
{
	if (r->usage_out >= 0) {
		r->s.output_tokens = r->usage_out;
		r->s.tokens_from = TOKENS_FROM_USAGE;
	} else {
		r->s.output_tokens = (long)r->s.nchunks;
		r->s.tokens_from = TOKENS_FROM_CHUNKS;
	}
	r->s.input_tokens = r->usage_in;
	if (r->usage_reasoning >= 0) {
		r->s.reasoning_tokens = r->usage_reasoning;
		r->s.reasoning_from = TOKENS_FROM_USAGE;
	} else {
		r->s.reasoning_tokens = r->reasoning_chunks;
		r->s.reasoning_from = TOKENS_FROM_CHUNKS;
	}
}

void
request_finish(struct request *r)
{
	struct proto_events ev = events_of(r);
	int status = r->s.status;

	r->arrival = clock_mono_usec();
	if (r->s.ttfb == USEC_NONE)	/* no body came */
		r->http_error = status != 0 && (status < 200 || status > 299);
	if (r->http_error) {
		r->s.error = ERR_HTTP;
		http_detail(r);
	} else if (r->failed) {
		r->s.error = ERR_PROTOCOL;
	} else if (r->xfer_kind != ERR_NONE && !r->ended) {
		r->s.error = r->xfer_kind;
		snprintf(r->s.detail, sizeof r->s.detail, "%s", r->xfer_err);
	} else if (r->proto->finish(r->proto_state, &ev) != 0) {
		r->s.error = ERR_PROTOCOL;
		if (r->json_answer)	/* the usual cause, said plainly */
			snprintf(r->s.detail, sizeof r->s.detail, "answer was "
			    "application/json, not a stream (does the server "
			    "honour \"stream\": true?)");
	}
	if (r->s.ttlt == USEC_NONE)
		r->s.ttlt = r->arrival - r->start;
	set_tokens(r);
}

void
request_cancel(struct request *r)
{
	r->s.error = ERR_CANCELED;
	snprintf(r->s.detail, sizeof r->s.detail, "canceled at quit after %zu chunks",
	    r->s.nchunks);
	r->s.ttlt = clock_mono_usec() - r->start;
	set_tokens(r);
}
