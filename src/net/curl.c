#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http.h"
#include "net/xfer.h"
#include "proto/proto.h"
#include "request.h"
#include "run_opts.h"
#include "xalloc.h"

#define KEEP_CONNECTIONS 1000000L	/* idle connections curl may keep */
#define RECV_BUFFER	(16 * 1024)

/* The transport: one multi handle on the loop. */
struct multi {
	struct ev_loop		*loop;
	xfer_done_fn		 done;
	void			*ctx;
	const struct run_opts	*opts;
	const struct curl_slist	*headers;	/* struct xfer's */
	CURLM			*multi;
	CURLSH			*share;		/* TLS sessions, for all handles */
	ev_timer		 timer;
	int			 running;
};

/* What a request keeps: its easy handle, reused for its next one. */
struct easy {
	CURL			*easy;
	struct multi		*x;
	ev_timer		 end;		/* XFER_END_GRACE after the
						   stream's own end */
	/* the head as the direct transport reads it (http.h's limits) */
	size_t			 head_bytes;
	size_t			 fields;
	bool			 in_head;	/* the status line came */
	bool			 interim;	/* it was a 1xx's */
	bool			 head_done;	/* the final head's blank line */
	bool			 have_length;
	unsigned long long	 length;
	char			 head_err[96];	/* why the head was refused */
	struct curl_slist	 own[REQ_OWN_HEADERS]; /* r's own headers, in
						   front of the shared ones */
};

struct sock {
	ev_io		 io;
	struct multi	*x;
};

_Static_assert(XFER_ERR_MAX >= CURL_ERROR_SIZE, "curl's error buffer fits");

static enum err_kind
classify(CURLcode rc)
{
	switch (rc) {
	case CURLE_OK:
		return ERR_NONE;
	case CURLE_OPERATION_TIMEDOUT:
		return ERR_TIMEOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return ERR_DNS;
	case CURLE_COULDNT_CONNECT:
		return ERR_CONNECT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CLIENTCERT:
	case CURLE_SSL_SHUTDOWN_FAILED:
		return ERR_TLS;
	default:
		return ERR_PROTOCOL;
	}
}

static void
response_status(struct request *r)
{
	struct easy *e = r->xfer;
	long status = 0;

	char *type = NULL;

	curl_easy_getinfo(e->easy, CURLINFO_RESPONSE_CODE, &status);
	r->s.status = (int)status;
	if (curl_easy_getinfo(e->easy, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK &&
	    type != NULL)
		request_content_type(r, type, strlen(type));
}

/* curl's times of how the request left: from its own start of the
 * transfer, which follows the hand-over by a hair. */
static void
note_phases(CURL *easy, struct request *r)
{
	curl_off_t dns = 0, connect = 0, tls = 0;

	if (r->s.phases.sent == USEC_NONE)	/* never sent */
		return;
	curl_easy_getinfo(easy, CURLINFO_NAMELOOKUP_TIME_T, &dns);
	curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connect);
	curl_easy_getinfo(easy, CURLINFO_APPCONNECT_TIME_T, &tls);
	/* on a kept connection curl leaves the connect time 0 while it still
	 * times the (cached) name lookup: the connection was there when the
	 * name was, so the phases stay in order */
	if (connect < dns)
		connect = dns;
	r->s.phases.dns = (usec_t)dns;
	r->s.phases.connect = (usec_t)connect;
	if (tls > 0)
		r->s.phases.tls = (usec_t)tls;
}

/* The transfer is out of the multi handle: r ends with result. */
static void
transfer_done(struct multi *x, struct request *r, CURLcode result)
{
	struct easy *e = r->xfer;

	ev_timer_stop(x->loop, &e->end);
	if (r->s.status == 0 && (e->in_head || e->head_done))
		response_status(r);	/* curl took the status line */
	note_phases(e->easy, r);
	r->xfer_kind = classify(result);
	if (r->s.status == 429 || r->s.status == 503) {
		curl_off_t secs = -1;
		char v[32];

		curl_easy_getinfo(e->easy, CURLINFO_RETRY_AFTER, &secs);
		if (secs > 0) {
			snprintf(v, sizeof v, "%lld", (long long)secs);
			request_retry_after(r, v, strlen(v));
		}
	}
	if (result == CURLE_COULDNT_CONNECT) {
		long errno_of = 0;

		curl_easy_getinfo(e->easy, CURLINFO_OS_ERRNO, &errno_of);
		if (request_errno_is_local((int)errno_of))
			r->local_errno = (int)errno_of;
	}
	if (e->head_err[0] != '\0')
		snprintf(r->xfer_err, sizeof r->xfer_err, "%s", e->head_err);
	else if (result == CURLE_OUT_OF_MEMORY && !e->head_done)
		/* what curl says of a header line past its own limit */
		snprintf(r->xfer_err, sizeof r->xfer_err, HTTP_HEAD_TOO_LONG);
	if (result != CURLE_OK && r->xfer_err[0] == '\0')
		snprintf(r->xfer_err, sizeof r->xfer_err, "%s",
		    curl_easy_strerror(result));
	x->done(x->ctx, r);
}

static void
check_done(struct multi *x)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(x->multi, &left)) != NULL) {
		struct request *r;
		CURLcode result;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		result = msg->data.result;
		curl_multi_remove_handle(x->multi, msg->easy_handle);
		transfer_done(x, r, result);
	}
}

/* The body did not end within XFER_END_GRACE of the stream's own end:
 * the transfer is removed (curl closes the connection), a success. */
static void
end_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct request *r = w->data;
	struct easy *e = r->xfer;

	curl_multi_remove_handle(e->x->multi, e->easy);
	transfer_done(e->x, r, CURLE_OK);
}

static void
sock_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct multi *x = ((struct sock *)w)->x;
	int action = 0;

	if (revents & EV_READ)
		action |= CURL_CSELECT_IN;
	if (revents & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	/* this may free w (CURL_POLL_REMOVE): w is not touched after */
	curl_multi_socket_action(x->multi, w->fd, action, &x->running);
	check_done(x);
}

static void
timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct multi *x = w->data;

	curl_multi_socket_action(x->multi, CURL_SOCKET_TIMEOUT, 0, &x->running);
	check_done(x);
}

static int
socket_fn(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct multi *x = userp;
	struct sock *s = socketp;
	int events = 0;

	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			ev_io_stop(x->loop, &s->io);
			free(s);
			curl_multi_assign(x->multi, fd, NULL);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		events |= EV_READ;
	if (what & CURL_POLL_OUT)
		events |= EV_WRITE;
	if (s == NULL) {
		s = xcalloc(1, sizeof *s);
		s->x = x;
		ev_init(&s->io, sock_cb);
		curl_multi_assign(x->multi, fd, s);
	} else
		ev_io_stop(x->loop, &s->io);
	ev_io_set(&s->io, fd, events);
	ev_io_start(x->loop, &s->io);
	return 0;
}

static int
timer_fn(CURLM *multi, long timeout_ms, void *userp)
{
	struct multi *x = userp;

	ev_timer_stop(x->loop, &x->timer);
	if (timeout_ms >= 0) {
		ev_timer_set(&x->timer, timeout_ms / 1000.0, 0.);
		ev_timer_start(x->loop, &x->timer);
	}
	return 0;
}

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct request *r = userp;
	struct easy *e = r->xfer;
	size_t n = size * nmemb;

	request_heard(r);
	if (r->s.ttfb == USEC_NONE)
		response_status(r);
	if (request_data(r, data, n) != 0)
		return 0;
	if (r->ended && !ev_is_active(&e->end)) {
		ev_timer_set(&e->end, XFER_END_GRACE, 0.);
		ev_timer_start(e->x->loop, &e->end);
	}
	return n;
}

/* One line of a response's head (curl has checked the status line):
 * refused past the direct transport's limits, or for a Content-Length it
 * would refuse; curl would take the last of conflicting values. */
static size_t
header_cb(char *line, size_t size, size_t nitems, void *userp)
{
	struct request *r = userp;
	struct easy *e = r->xfer;
	size_t len = size * nitems, vlen;
	const char *v;

	if (e->head_done)
		return len;	/* trailers */
	if (!e->in_head) {	/* the status line: HTTP/1.1 200 OK, HTTP/2 200 */
		const char *sp = memchr(line, ' ', len);

		e->in_head = true;
		e->interim = sp != NULL && sp + 1 < line + len && sp[1] == '1';
		e->head_bytes = e->fields = 0;
		e->have_length = false;
	} else if (len <= 2) {	/* the blank line: a 1xx's, or the head's */
		e->in_head = false;
		e->head_done = !e->interim;
		return len;
	} else if (++e->fields > HTTP_FIELDS_MAX) {
		snprintf(e->head_err, sizeof e->head_err, HTTP_TOO_MANY_FIELDS);
		return 0;
	}
	if ((e->head_bytes += len) > HTTP_HEAD_MAX) {
		snprintf(e->head_err, sizeof e->head_err, HTTP_HEAD_TOO_LONG);
		return 0;
	}
	if ((v = http_header(line, len, "Content-Length", &vlen)) != NULL &&
	    http_length_value(v, vlen, &e->have_length, &e->length,
	    e->head_err, sizeof e->head_err) == -1)
		return 0;
	if ((v = http_header(line, len, "Content-Encoding", &vlen)) != NULL)
		request_content_encoding(r, v, vlen);
	return len;
}

/* The connection is up (TLS too) and the request about to be sent. */
static int
prereq_cb(void *userp, char *ip, char *local_ip, int port, int local_port)
{
	request_sent(userp);
	return CURL_PREREQFUNC_OK;
}

static struct easy *
easy_new(struct multi *x, struct request *r)
{
	const struct run_opts *o = x->opts;
	struct easy *e = xcalloc(1, sizeof *e);
	CURL *easy;

	if ((easy = curl_easy_init()) == NULL)
		fatal("curl_easy_init failed");
	curl_easy_setopt(easy, CURLOPT_URL, o->endpoint);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, r);
	/* a proxy's answer to CONNECT is not the response */
	curl_easy_setopt(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, r);
	curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, prereq_cb);
	curl_easy_setopt(easy, CURLOPT_PREREQDATA, r);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, r->xfer_err);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, (long)RECV_BUFFER);
	curl_easy_setopt(easy, CURLOPT_SHARE, x->share);
	if (o->timeout > 0)
		curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)(o->timeout / 1000));
	xfer_tls_setopt(easy, o);
	e->easy = easy;
	e->x = x;
	ev_init(&e->end, end_cb);
	e->end.data = r;
	return e;
}

static void *
multi_new(struct ev_loop *loop, const struct run_opts *o,
    const struct curl_slist *headers, xfer_done_fn done, void *ctx)
{
	struct multi *x = xcalloc(1, sizeof *x);

	x->loop = loop;
	x->done = done;
	x->ctx = ctx;
	x->opts = o;
	x->headers = headers;
	if ((x->multi = curl_multi_init()) == NULL)
		fatal("curl_multi_init failed");
	/* The multi handle shares its DNS, connection and CA store caches
	 * with every easy handle, but each keeps its own TLS sessions: shared,
	 * a new client resumes the preflight's or another client's session
	 * and skips checking the server's chain (little with the sim's one
	 * P-256 certificate, more with a hosted API's RSA chain). One thread:
	 * no locks. */
	if ((x->share = curl_share_init()) == NULL ||
	    curl_share_setopt(x->share, CURLSHOPT_SHARE,
	    CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK)
		fatal("curl_share_init failed");
	ev_timer_init(&x->timer, timer_cb, 0., 0.);
	x->timer.data = x;
	curl_multi_setopt(x->multi, CURLMOPT_SOCKETFUNCTION, socket_fn);
	curl_multi_setopt(x->multi, CURLMOPT_SOCKETDATA, x);
	curl_multi_setopt(x->multi, CURLMOPT_TIMERFUNCTION, timer_fn);
	curl_multi_setopt(x->multi, CURLMOPT_TIMERDATA, x);
	/* curl keeps 4 idle connections per transfer under way and closes
	 * the oldest past that: when a wave of answers ends together, it would
	 * close (and then reopen) thousands of connections, scanning them all
	 * each time. Clients keep theirs. */
	curl_multi_setopt(x->multi, CURLMOPT_MAXCONNECTS, (long)KEEP_CONNECTIONS);
	return x;
}

static void
multi_free(void *t)
{
	struct multi *x = t;

	ev_timer_stop(x->loop, &x->timer);
	curl_multi_cleanup(x->multi);
	curl_share_cleanup(x->share);	/* every easy handle is gone */
	free(x);
}

static void
multi_start(void *t, struct request *r)
{
	struct multi *x = t;
	struct easy *e = r->xfer;
	const char *line;
	CURLMcode rc;
	int i;

	if (e == NULL)
		r->xfer = e = easy_new(x, r);
	e->in_head = e->head_done = false;
	e->head_err[0] = '\0';
	/* r's own lines change from one request to the next */
	for (i = 0, line = r->own_headers.p; i < r->nown; i++) {
		e->own[i].data = (char *)line;
		e->own[i].next = i + 1 < r->nown ? &e->own[i + 1] :
		    (struct curl_slist *)x->headers;
		line += strlen(line) + 1;
	}
	curl_easy_setopt(e->easy, CURLOPT_HTTPHEADER, r->nown > 0 ? &e->own[0] :
	    x->headers);
	curl_easy_setopt(e->easy, CURLOPT_POSTFIELDS, r->body.p);
	curl_easy_setopt(e->easy, CURLOPT_POSTFIELDSIZE, (long)r->body.len);
	if ((rc = curl_multi_add_handle(x->multi, e->easy)) != CURLM_OK)
		fatal("curl_multi_add_handle: %s", curl_multi_strerror(rc));
}

static void
multi_cancel(void *t, struct request *r)
{
	struct multi *x = t;
	struct easy *e = r->xfer;

	ev_timer_stop(x->loop, &e->end);
	curl_multi_remove_handle(x->multi, e->easy);
}

/* The handle is out of the multi by now (done or canceled). */
static void
multi_release(void *t, struct request *r)
{
	struct multi *x = t;
	struct easy *e = r->xfer;

	if (e == NULL)
		return;
	ev_timer_stop(x->loop, &e->end);
	curl_easy_cleanup(e->easy);
	free(e);
	r->xfer = NULL;
}

const struct transport_ops transport_curl = {
	.name = "curl",
	.create = multi_new,
	.start = multi_start,
	.cancel = multi_cancel,
	.release = multi_release,
	.destroy = multi_free,
};
