#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <ev.h>

#include "buf.h"
#include "clock.h"
#include "net/http.h"
#include "prompts.h"
#include "xalloc.h"
#include "model.h"
#include "prefix.h"
#include "server.h"
#include "sigv4.h"
#include "tls.h"
#include "wire.h"

#define REQUEST_MAX	(1 << 20)	/* largest request accepted */
#define READ_CHUNK	16384
#define DEFAULT_MODEL	"sim"

enum phase {
	PH_READING,	/* waiting for a whole request */
	PH_QUEUED,	/* over capacity, waiting for a slot */
	PH_HEADERS,	/* slow-headers: trickling the header lines */
	PH_STREAMING,
	PH_STALLED,	/* stopped sending on purpose */
	PH_CLOSING	/* flushing what is left, then closing */
};

struct conn {
	int		 fd;
	struct tls_conn	*tls;		/* NULL: plain http */
	ev_io		 rio, wio;
	ev_timer	 timer;
	struct buf	 in;
	struct buf	 out;
	size_t		 out_off;
	enum phase	 phase;
	bool		 keepalive;
	bool		 chunked;	/* else close-delimited */
	struct model_slot	 slot;	/* its place in the capacity model */
	bool		 dead;		/* a send failed; freed on read */
	bool		 serving;	/* inside serve_pipelined */
	/* the request being answered */
	char		 reqid[128];
	char		 model[128];
	enum sim_api	 api;
	bool		 stream, usage;
	long		 ntokens, sent, prompt_tokens;
	long		 cached_tokens;	/* by the prefix cache; -1: none */
	struct buf	 prompt_text;	/* as the prefix cache reads it */
	bool		 chat;		/* its answer continues prompt_text */
	bool		 capped;	/* max_tokens cut the answer short */
	long		 reasoning;	/* the first of ntokens are reasoning */
	long		 answer_from;	/* the first token sent as visible text
					   (a chunk is of its first token's part) */
	bool		 tools, summary;	/* what the body asked (wire_asks) */
	int		 chunk_index;
	int		 header_step;
	double		 t0;		/* when the request was read, ev time */
	usec_t		 rx;		/* when its first bytes reached this
					   host (monotonic), for the truth log */
	double		 next_at;	/* when the next chunk is due */
	enum fault	 fault;
	long		 serial;
	bool		 begun;		/* served (a preempted one resumes) */
};

static struct server_cfg cfg;
static struct ev_loop *loop;
static ev_io accept_w;
static long serial;

static void conn_free(struct conn *);
static void conn_read(struct conn *);
static void serve_pipelined(struct conn *);
static void start_service(struct conn *);
static void schedule(struct conn *, double at);

/* The socket's bytes, through TLS when the connection has it */

/* The kernel's receive time of what a read brought (the socket asks for it,
 * SO_TIMESTAMPNS, on the real-time clock) on the monotonic clock; now when
 * there is none. */
static usec_t
rx_time(struct msghdr *m)
{
	struct cmsghdr *cm;
	struct timespec rx, real;
	usec_t now = clock_mono_usec();
	long long ago;

	for (cm = CMSG_FIRSTHDR(m); cm != NULL; cm = CMSG_NXTHDR(m, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_TIMESTAMPNS)
			continue;
		memcpy(&rx, CMSG_DATA(cm), sizeof rx);
		clock_gettime(CLOCK_REALTIME, &real);
		ago = (long long)(real.tv_sec - rx.tv_sec) * 1000000 +
		    (real.tv_nsec - rx.tv_nsec) / 1000;
		if (ago >= 0 && ago < 10 * 1000000)	/* else the clock stepped */
			return now - (usec_t)ago;
	}
	return now;
}

/* A read of the socket; the first bytes of a request note when they
 * arrived (through TLS, when they were read: the record's time is not the
 * bytes'). */
static ssize_t
conn_recv(struct conn *c, void *p, size_t n)
{
	union {
		char		buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr	align;
	} ctl;
	struct iovec iov = { p, n };
	struct msghdr m;
	ssize_t got;

	if (c->tls != NULL) {
		if ((got = tls_conn_read(c->tls, p, n)) > 0 && c->in.len == 0)
			c->rx = clock_mono_usec();
		return got;
	}
	memset(&m, 0, sizeof m);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctl.buf;
	m.msg_controllen = sizeof ctl.buf;
	if ((got = recvmsg(c->fd, &m, 0)) > 0 && c->in.len == 0)
		c->rx = rx_time(&m);
	return got;
}

static ssize_t
conn_send(struct conn *c, const void *p, size_t n)
{
	return c->tls != NULL ? tls_conn_write(c->tls, p, n) :
	    send(c->fd, p, n, MSG_NOSIGNAL);
}

/* Whether what waits (EAGAIN) waits for the socket to take bytes: a TLS
 * session may wait to read in the middle of a write, and the other way. */
static bool
waits_writable(const struct conn *c)
{
	return c->tls == NULL || tls_conn_wants_write(c->tls);
}

/* Output */

/* Sends what is pending. Never frees c: after an error the read watcher
 * sees the broken socket and frees it there. */
static void
flush_out(struct conn *c)
{
	if (c->dead) {
		c->out.len = c->out_off = 0;
		return;
	}
	while (c->out_off < c->out.len) {
		ssize_t n = conn_send(c, c->out.p + c->out_off,
		    c->out.len - c->out_off);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			c->dead = true;
			c->out.len = c->out_off = 0;
			ev_io_stop(loop, &c->wio);
			ev_timer_stop(loop, &c->timer);
			return;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out.len) {
		c->out.len = c->out_off = 0;
		ev_io_stop(loop, &c->wio);
		if (c->phase == PH_CLOSING) {
			if (c->tls != NULL)
				tls_conn_close(c->tls);
			shutdown(c->fd, SHUT_WR);	/* the peer's close frees c */
		}
	} else if (waits_writable(c))
		ev_io_start(loop, &c->wio);	/* else the read watcher's turn */
}

static void
write_cb(struct ev_loop *l, ev_io *w, int revents)
{
	struct conn *c = w->data;

	if (c->tls != NULL) {	/* a read may be what waited to write */
		ev_io_stop(loop, &c->wio);
		conn_read(c);	/* flushes the output too */
		return;
	}
	flush_out(c);
}

static void
add_body_piece(struct conn *c, const char *s, size_t n)
{
	if (c->chunked)
		buf_printf(&c->out, "%zx\r\n", n);
	buf_add(&c->out, s, n);
	if (c->chunked)
		buf_adds(&c->out, "\r\n");
}

static void
simple_response(struct conn *c, int status, const char *reason,
    const char *ctype, const char *body, const char *extra)
{
	buf_printf(&c->out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\n%s%s\r\n%s", status, reason, ctype,
	    strlen(body), extra ? extra : "",
	    c->keepalive ? "" : "Connection: close\r\n", body);
}

static void
json_error(struct conn *c, int status, const char *reason, const char *type,
    const char *message, const char *extra)
{
	struct buf b, h;
	const char *api_header;

	buf_init(&b);
	buf_init(&h);
	wire_error(c->api, status, type, message, &b, &api_header);
	if (extra != NULL)
		buf_adds(&h, extra);
	if (api_header != NULL)
		buf_adds(&h, api_header);
	simple_response(c, status, reason, "application/json", b.p, h.p);
	buf_free(&b);
	buf_free(&h);
}

/* Request lifecycle */

/* A preempted stream runs again: its tokens recomputed as a prefill is, a
 * first token's wait before its next chunk. */
static void
resume_stream(struct conn *c)
{
	double now = ev_time();

	c->phase = PH_STREAMING;
	schedule(c, model_first_at(now, now, 0));
}

/* Whoever the queue's front is and now has room runs: the slot, or the KV
 * cache, freed may serve several. */
static void
serve_queue(void)
{
	struct model_slot *next;

	while ((next = model_next()) != NULL) {
		if (((struct conn *)next->owner)->begun)	/* preempted */
			resume_stream(next->owner);
		else
			start_service(next->owner);
	}
}

static void
release_slot(struct conn *c)
{
	model_release(&c->slot);
	serve_queue();
}

/* The answer is complete: get ready for the next request on the connection. */
static void
response_done(struct conn *c)
{
	ev_timer_stop(loop, &c->timer);
	release_slot(c);
	if (!c->keepalive) {
		c->phase = PH_CLOSING;
		flush_out(c);
		return;
	}
	c->phase = PH_READING;
	flush_out(c);
	if (!c->serving)	/* else the loop there takes the next request */
		serve_pipelined(c);
}

static void
truth_log(struct conn *c, int tokens)
{
	char t[24];

	if (cfg.truth == NULL)
		return;
	usec_format(t, clock_mono_usec());
	fprintf(cfg.truth, "{\"id\":\"%s\",\"chunk\":%d,\"tokens\":%d,\"t\":%s}\n",
	    c->reqid, c->chunk_index, tokens, t);
}

/* The request was read whole: when its first bytes had come, the moment
 * its TTFT starts at the server (time it then waited to be read is the
 * server's, as it would be a real one's). */
static void
truth_read(struct conn *c)
{
	char t[24];

	if (cfg.truth == NULL || c->reqid[0] == '\0')
		return;
	usec_format(t, c->rx != 0 ? c->rx : clock_mono_usec());
	fprintf(cfg.truth, "{\"id\":\"%s\",\"read\":%s}\n", c->reqid, t);
}

/* What the prefix cache held of the request's prompt. */
static void
truth_cached(struct conn *c)
{
	if (cfg.truth == NULL || c->reqid[0] == '\0')
		return;
	fprintf(cfg.truth, "{\"id\":\"%s\",\"prompt_tokens\":%ld,"
	    "\"cached_tokens\":%ld}\n", c->reqid, c->prompt_tokens,
	    c->cached_tokens);
}

static struct answer
answer_of(const struct conn *c)
{
	struct answer a = { c->api, c->model, c->serial, c->prompt_tokens,
	    c->ntokens, c->usage, c->capped, c->cached_tokens, c->reasoning,
	    c->tools, c->summary };

	return a;
}

/* Sends what a wire_* function wrote, as one piece of the body. */
static void
send_piece(struct conn *c, struct buf *b)
{
	if (b->len > 0)
		add_body_piece(c, b->p, b->len);
	b->len = 0;
}

static void
schedule(struct conn *c, double at)
{
	c->next_at = at;
	ev_timer_stop(loop, &c->timer);
	ev_timer_set(&c->timer, at - ev_now(loop) > 0 ? at - ev_now(loop) : 0., 0.);
	ev_timer_start(loop, &c->timer);
}

/* A chat's answer, whole, goes into the prefix cache after its prompt, as
 * a server keeps the blocks it generated: the next turn of the
 * conversation, which sends it back, finds them. Only its visible text:
 * clients do not send the reasoning back, nor is a tool call text. */
static void
cache_answer(struct conn *c)
{
	long k;

	if (c->cached_tokens < 0 || !c->chat || c->tools)
		return;
	buf_adds(&c->prompt_text, "assistant: ");
	for (k = c->answer_from; k < c->ntokens; k++)
		buf_printf(&c->prompt_text, " tok%ld", k + 1);
	buf_addc(&c->prompt_text, '\n');
	prefix_add(c->prompt_text.p, c->prompt_text.len);
}

static void
finish_stream(struct conn *c)
{
	struct buf b;

	cache_answer(c);
	buf_init(&b);
	if (c->fault != FAULT_NO_DONE) {
		struct answer a = answer_of(c);

		wire_end(&a, cfg.no_usage, &b);
		send_piece(c, &b);
	}
	buf_free(&b);
	if (c->chunked)
		buf_adds(&c->out, "0\r\n\r\n");
	else
		c->keepalive = false;
	response_done(c);
}

/* s sent n tokens: the requests the full KV cache preempts stop where they
 * are and wait again (s may be one). */
static void
preempt(struct model_slot *s, long n)
{
	struct model_slot *v;

	for (v = model_sent(s, n); v != NULL; v = model_sent(s, 0)) {
		struct conn *c = v->owner;

		ev_timer_stop(loop, &c->timer);
		c->phase = PH_QUEUED;
	}
}

/* The next content chunk is due. */
static void
emit_chunk(struct conn *c)
{
	struct buf b, text;
	struct answer a = answer_of(c);
	long k, n = model_chunk_tokens(c->sent, c->ntokens);
	/* a chunk is of the part its first token is in */
	enum wire_part part = c->sent < c->reasoning ? PART_REASONING :
	    c->sent == 0 || c->sent - n < c->reasoning ? PART_FIRST_VISIBLE :
	    PART_VISIBLE;

	buf_init(&b);
	buf_init(&text);
	for (k = 0; k < n; k++)
		buf_printf(&text, " tok%ld", c->sent + k + 1);
	wire_token(&a, part, text.p, &b);
	if (part == PART_REASONING)
		c->answer_from = c->sent + n;
	send_piece(c, &b);
	buf_free(&b);
	buf_free(&text);
	if (c->sent == 0)
		model_first_token(ev_time() - c->t0);
	c->sent += n;
	preempt(&c->slot, n);
	truth_log(c, (int)n);
	flush_out(c);
	c->chunk_index++;
}

static void
abort_reset(struct conn *c)
{
	struct linger lg = { 1, 0 };

	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	conn_free(c);
}

static void
send_headers(struct conn *c)
{
	buf_printf(&c->out, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n"
	    "Cache-Control: no-cache\r\n%s%s\r\n", wire_content_type(c->api),
	    c->chunked ? "Transfer-Encoding: chunked\r\n" : "",
	    c->keepalive ? "" : "Connection: close\r\n");
}

/* What the API sends before the first token. */
static void
begin_answer(struct conn *c)
{
	struct answer a = answer_of(c);
	struct buf b;

	buf_init(&b);
	wire_begin(&a, &b);
	send_piece(c, &b);
	buf_free(&b);
}

static void
nonstream_response(struct conn *c)
{
	struct answer a = answer_of(c);
	struct buf b, text;
	long k;

	buf_init(&b);
	buf_init(&text);
	for (k = 0; k < c->ntokens; k++)
		buf_printf(&text, " tok%ld", k + 1);
	wire_whole(&a, text.p, &b);
	cache_answer(c);
	simple_response(c, 200, "OK", "application/json", b.p, NULL);
	buf_free(&b);
	buf_free(&text);
	response_done(c);
}

static void
timer_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	struct conn *c = w->data;
	static const char *const slow_lines[] = {
		"Cache-Control: no-cache\r\n",
		"Content-Type: %s\r\n",
		"X-Sim-Fault: slow-headers\r\n",
	};

	switch (c->phase) {
	case PH_HEADERS:
		if (c->header_step < (int)(sizeof slow_lines / sizeof slow_lines[0])) {
			buf_printf(&c->out, slow_lines[c->header_step++],
			    wire_content_type(c->api));
			flush_out(c);
			schedule(c, ev_now(loop) + SLOW_HEADER_GAP);
			return;
		}
		buf_printf(&c->out, "%s%s\r\n",
		    c->chunked ? "Transfer-Encoding: chunked\r\n" : "",
		    c->keepalive ? "" : "Connection: close\r\n");
		begin_answer(c);
		flush_out(c);
		c->phase = PH_STREAMING;
		schedule(c, fmax(c->next_at, ev_now(loop)));
		return;
	case PH_STREAMING:
		break;
	default:
		return;
	}
	if (!c->stream) {
		nonstream_response(c);
		return;
	}
	if (c->sent < c->ntokens) {
		if (c->fault == FAULT_RESET && model_fault_point(c->sent, c->ntokens)) {
			abort_reset(c);
			return;
		}
		if (c->fault == FAULT_STALL && model_fault_point(c->sent, c->ntokens)) {
			c->phase = PH_STALLED;
			return;
		}
		if (c->fault == FAULT_GARBAGE && model_fault_point(c->sent, c->ntokens)) {
			struct buf g;

			buf_init(&g);
			wire_garbage(c->api, &g);
			send_piece(c, &g);
			buf_free(&g);
			c->fault = FAULT_NONE;
		}
		if (c->fault == FAULT_STREAM_ERROR &&
		    model_fault_point(c->sent, c->ntokens)) {
			struct answer a = answer_of(c);
			struct buf e;

			buf_init(&e);
			wire_stream_error(&a, &e);
			send_piece(c, &e);
			buf_free(&e);
			c->fault = FAULT_NO_DONE;	/* the error ends it */
			finish_stream(c);
			return;
		}
		emit_chunk(c);
		if (c->phase != PH_STREAMING)	/* preempted by its own chunk */
			return;
		if (c->sent < c->ntokens) {
			schedule(c, model_next_at(c->next_at));
			return;
		}
	}
	finish_stream(c);
}

static void
start_service(struct conn *c)
{
	double now = ev_time();

	c->begun = true;
	c->phase = PH_STREAMING;
	c->next_at = model_first_at(c->t0, now, c->cached_tokens);
	if (!c->stream) {
		c->next_at = model_whole_at(c->next_at, c->ntokens);
		schedule(c, c->next_at);
		return;
	}
	if (c->fault == FAULT_SLOW_HEADERS) {
		c->phase = PH_HEADERS;
		c->header_step = 0;
		buf_adds(&c->out, "HTTP/1.1 200 OK\r\n");
		flush_out(c);
		ev_timer_stop(loop, &c->timer);
		ev_timer_set(&c->timer, SLOW_HEADER_GAP, 0.);
		ev_timer_start(loop, &c->timer);
		return;
	}
	send_headers(c);
	begin_answer(c);
	flush_out(c);
	schedule(c, c->next_at);
}

static void
completion_request(struct conn *c, const char *body, size_t len)
{
	cJSON *root = cJSON_ParseWithLength(body, len);
	const char *model;
	long max = 0;

	if (!cJSON_IsObject(root)) {
		json_error(c, 400, "Bad Request", "invalid_request_error",
		    "request body is not a JSON object", NULL);
		cJSON_Delete(root);
		response_done(c);
		return;
	}
	c->serial = ++serial;
	wire_request(c->api, root, &c->stream, &max, &c->usage, &model,
	    &c->prompt_tokens);
	c->cached_tokens = -1;
	if (model_prefix_cache()) {
		c->prompt_text.len = 0;
		c->chat = wire_prompt_text(root, &c->prompt_text);
		c->cached_tokens = prefix_lookup_add(c->prompt_text.p,
		    c->prompt_text.len);
		/* counted as the cache reads it, so that the cached part is
		 * part of the count */
		c->prompt_tokens = ((long)c->prompt_text.len + CHARS_PER_TOKEN - 1) /
		    CHARS_PER_TOKEN;
		if (c->prompt_tokens < 1)
			c->prompt_tokens = 1;
		prefix_count(c->prompt_tokens, c->cached_tokens);
		truth_cached(c);
	}
	if (c->model[0] == '\0')	/* else named by the path */
		snprintf(c->model, sizeof c->model, "%s", model ? model : DEFAULT_MODEL);
	wire_asks(root, &c->tools, &c->summary);
	cJSON_Delete(root);
	c->ntokens = model_answer_tokens(max, wire_has_reasoning(c->api),
	    &c->reasoning, &c->capped);
	c->sent = 0;
	c->answer_from = 0;
	c->chunk_index = 0;
	c->begun = false;
	c->fault = model_pick_fault();
	if (c->fault == FAULT_HTTP500) {
		json_error(c, 500, "Internal Server Error", "server_error",
		    "simulated internal error", NULL);
		response_done(c);
		return;
	}
	if (c->fault == FAULT_HTTP429) {
		json_error(c, 429, "Too Many Requests", "rate_limit_error",
		    "rate limited (simulated)", "Retry-After: 1\r\n");
		response_done(c);
		return;
	}
	if (!model_admit(&c->slot)) {
		c->phase = PH_QUEUED;
		return;
	}
	start_service(c);
}

/* Input */

static bool
value_is(const char *v, size_t n, const char *want)
{
	return v != NULL && n == strlen(want) && strncasecmp(v, want, n) == 0;
}

/* Handles one whole request at the front of c->in, if there is one.
 * Returns the bytes it used, 0 when more are needed. */
static size_t
handle_request(struct conn *c)
{
	const char *in = c->in.p, *hdr_end, *v, *sp1, *sp2;
	size_t head_len, vlen, body_len = 0, total;
	char method[8], path[256], route[256];
	bool http10;

	if (!isupper((unsigned char)in[0])) {
		/* not HTTP (a TLS hello, say): answer as servers do, and close */
		c->keepalive = false;
		simple_response(c, 400, "Bad Request", "text/plain",
		    "not an HTTP request\n", NULL);
		response_done(c);
		return c->in.len;
	}
	hdr_end = c->in.len >= 4 ? memmem(in, c->in.len, "\r\n\r\n", 4) : NULL;
	if (hdr_end == NULL)
		return 0;
	head_len = (size_t)(hdr_end - in) + 4;
	if ((v = http_header(in, head_len, "Content-Length", &vlen)) != NULL)
		body_len = strtoul(v, NULL, 10);
	if (body_len > REQUEST_MAX) {
		c->keepalive = false;
		json_error(c, 413, "Payload Too Large", "invalid_request_error",
		    "request body too large", NULL);
		response_done(c);
		return c->in.len;
	}
	total = head_len + body_len;
	if (c->in.len < total) {
		v = http_header(in, head_len, "Expect", &vlen);
		if (value_is(v, vlen, "100-continue") && c->in.len == head_len) {
			buf_adds(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
			flush_out(c);
		}
		return 0;
	}
	sp1 = memchr(in, ' ', head_len);
	sp2 = sp1 ? memchr(sp1 + 1, ' ', head_len - (size_t)(sp1 + 1 - in)) : NULL;
	if (sp1 == NULL || sp2 == NULL || (size_t)(sp1 - in) >= sizeof method ||
	    (size_t)(sp2 - sp1 - 1) >= sizeof path) {
		c->keepalive = false;
		json_error(c, 400, "Bad Request", "invalid_request_error",
		    "malformed request line", NULL);
		response_done(c);
		return c->in.len;
	}
	memcpy(method, in, (size_t)(sp1 - in));
	method[sp1 - in] = '\0';
	memcpy(path, sp1 + 1, (size_t)(sp2 - sp1 - 1));
	path[sp2 - sp1 - 1] = '\0';
	/* routed by the path alone: a query (Azure's api-version) is the
	 * signature's business only */
	snprintf(route, sizeof route, "%.*s", (int)strcspn(path, "?"), path);
	http10 = strncmp(sp2 + 1, "HTTP/1.0", 8) == 0;
	v = http_header(in, head_len, "Connection", &vlen);
	c->keepalive = http10 ? value_is(v, vlen, "keep-alive") : !value_is(v, vlen, "close");
	c->chunked = !http10;
	c->reqid[0] = '\0';
	if ((v = http_header(in, head_len, "X-Request-Id", &vlen)) != NULL) {
		size_t i;

		if (vlen >= sizeof c->reqid)
			vlen = sizeof c->reqid - 1;
		for (i = 0; i < vlen; i++)	/* kept JSON-safe for the truth log */
			c->reqid[i] = isalnum((unsigned char)v[i]) || v[i] == '-' ||
			    v[i] == '_' || v[i] == '.' ? v[i] : '_';
		c->reqid[vlen] = '\0';
	}
	c->t0 = ev_time();
	truth_read(c);
	c->model[0] = '\0';
	c->api = strcmp(method, "POST") == 0 ?
	    wire_route(route, c->model, sizeof c->model) : SIM_API_NONE;
	if (cfg.aws_secret != NULL && wire_aws_service(c->api) != NULL) {
		char why[160];

		if (sigv4_check(cfg.aws_secret, wire_aws_service(c->api), method, path,
		    in, head_len, in + head_len, body_len, why, sizeof why) != 0) {
			json_error(c, 403, "Forbidden", "InvalidSignatureException", why,
			    NULL);
			response_done(c);
			return total;
		}
	}

	if (cfg.api_key != NULL) {
		char want[512];
		const char *x;
		size_t xlen;

		snprintf(want, sizeof want, "Bearer %s", cfg.api_key);
		v = http_header(in, head_len, "Authorization", &vlen);
		x = http_header(in, head_len, "x-api-key", &xlen);	/* Anthropic */
		if ((v == NULL || vlen != strlen(want) || memcmp(v, want, vlen) != 0) &&
		    (x == NULL || xlen != strlen(cfg.api_key) ||
		    memcmp(x, cfg.api_key, xlen) != 0)) {
			json_error(c, 401, "Unauthorized", "authentication_error",
			    "invalid API key", NULL);
			response_done(c);
			return total;
		}
	}
	if (strcmp(method, "GET") == 0 && strcmp(route, "/health") == 0) {
		simple_response(c, 200, "OK", "text/plain", "ok\n", NULL);
		response_done(c);
	} else if (strcmp(method, "GET") == 0 && strcmp(route, "/v1/models") == 0) {
		simple_response(c, 200, "OK", "application/json",
		    "{\"object\":\"list\",\"data\":[{\"id\":\"" DEFAULT_MODEL
		    "\",\"object\":\"model\",\"owned_by\":\"ttftop\"}]}", NULL);
		response_done(c);
	} else if (strcmp(method, "GET") == 0 && strcmp(route, "/metrics") == 0) {
		struct buf m;

		buf_init(&m);
		model_metrics(&m, DEFAULT_MODEL);
		simple_response(c, 200, "OK", "text/plain; version=0.0.4", m.p, NULL);
		buf_free(&m);
		response_done(c);
	} else if (strcmp(method, "GET") == 0 && strcmp(route, "/api/tags") == 0) {
		simple_response(c, 200, "OK", "application/json",
		    "{\"models\":[{\"name\":\"" DEFAULT_MODEL "\",\"model\":\""
		    DEFAULT_MODEL "\"}]}", NULL);
		response_done(c);
	} else if (c->api != SIM_API_NONE) {
		/* the body is copied out: c->in is consumed by the caller */
		char *body = xstrndup(in + head_len, body_len);

		completion_request(c, body, body_len);
		free(body);
	} else {
		char msg[300];

		/* the whole target, query included, as servers echo it */
		snprintf(msg, sizeof msg, "no route for %s %s", method, path);
		json_error(c, 404, "Not Found", "invalid_request_error", msg, NULL);
		response_done(c);
	}
	return total;
}

/* Serves requests already read, one at a time. */
static void
serve_pipelined(struct conn *c)
{
	size_t used;

	c->serving = true;
	while (c->phase == PH_READING && c->in.len > 0 &&
	    (used = handle_request(c)) > 0) {
		memmove(c->in.p, c->in.p + used, c->in.len - used);
		c->in.len -= used;
	}
	c->serving = false;
}

/* Reads what the socket has and serves it; may free c. */
static void
conn_read(struct conn *c)
{
	ssize_t n;

	for (;;) {
		buf_reserve(&c->in, READ_CHUNK);
		n = conn_recv(c, c->in.p + c->in.len, READ_CHUNK);
		if (n > 0) {
			if (c->phase == PH_CLOSING)
				continue;	/* the rest of a refused body: dropped */
			c->in.len += (size_t)n;
			/* a client that sends faster than this loop reads gets
			 * its 413 here, before the limit closes the connection */
			if (c->in.len > REQUEST_MAX + 65536) {
				serve_pipelined(c);
				if (c->phase == PH_CLOSING)
					c->in.len = 0;
				else if (c->in.len > REQUEST_MAX + 65536) {
					conn_free(c);
					return;
				}
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (c->tls != NULL && waits_writable(c))
				ev_io_start(loop, &c->wio);
			break;
		}
		conn_free(c);	/* the peer closed, or an error */
		return;
	}
	serve_pipelined(c);
	if (c->tls != NULL && c->out_off < c->out.len)
		flush_out(c);	/* a write may have waited for this read */
}

static void
read_cb(struct ev_loop *l, ev_io *w, int revents)
{
	conn_read(w->data);
}

static void
conn_free(struct conn *c)
{
	ev_io_stop(loop, &c->rio);
	ev_io_stop(loop, &c->wio);
	ev_timer_stop(loop, &c->timer);
	if (c->phase == PH_QUEUED)
		model_unqueue(&c->slot);
	tls_conn_free(c->tls);
	close(c->fd);
	c->fd = -1;
	buf_free(&c->in);
	buf_free(&c->out);
	buf_free(&c->prompt_text);
	/* released last: it may start a queued request on another connection */
	release_slot(c);
	free(c);
}

static void
accept_cb(struct ev_loop *l, ev_io *w, int revents)
{
	for (;;) {
		int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;
		struct conn *c;

		if (fd < 0)
			return;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (cfg.truth != NULL)
			setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
		c = xcalloc(1, sizeof *c);
		c->fd = fd;
		if (cfg.tls != NULL)
			c->tls = tls_conn_new(cfg.tls, fd);
		c->slot.owner = c;
		buf_init(&c->in);
		buf_init(&c->prompt_text);
		buf_init(&c->out);
		ev_io_init(&c->rio, read_cb, fd, EV_READ);
		ev_io_init(&c->wio, write_cb, fd, EV_WRITE);
		ev_init(&c->timer, timer_cb);
		c->rio.data = c->wio.data = c->timer.data = c;
		ev_io_start(loop, &c->rio);
	}
}

void
server_start(struct ev_loop *l, int fd, const struct server_cfg *c)
{
	cfg = *c;
	loop = l;
	ev_io_init(&accept_w, accept_cb, fd, EV_READ);
	ev_io_start(loop, &accept_w);
}
