#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "net/direct.h"
#include "net/xfer.h"
#include "run_opts.h"
#include "proto/proto.h"
#include "request.h"
#include "xalloc.h"

#define KEEP_CONNECTIONS 1000000L	/* idle connections curl may keep */
#define RECV_BUFFER	(16 * 1024)

struct sock {
	ev_io		 io;
	struct xfer	*x;
};

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
		return ERR_TLS;
	default:
		return ERR_PROTOCOL;
	}
}

static void
response_status(struct request *r)
{
	long status = 0;

	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	r->s.status = (int)status;
}

static void
check_done(struct xfer *x)
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
		curl_multi_remove_handle(x->multi, r->easy);
		if (r->s.status == 0)
			response_status(r);
		r->xfer_kind = classify(result);
		if (result != CURLE_OK && r->xfer_err[0] == '\0')
			snprintf(r->xfer_err, sizeof r->xfer_err, "%s",
			    curl_easy_strerror(result));
		x->done(x->ctx, r);
	}
}

static void
sock_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct xfer *x = ((struct sock *)w)->x;
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
	struct xfer *x = w->data;

	curl_multi_socket_action(x->multi, CURL_SOCKET_TIMEOUT, 0, &x->running);
	check_done(x);
}

static int
socket_fn(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct xfer *x = userp;
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
	struct xfer *x = userp;

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
	size_t n = size * nmemb;

	request_heard(r);
	if (r->s.ttfb == USEC_NONE)
		response_status(r);
	return request_data(r, data, n) == 0 ? n : 0;
}

static CURL *
easy_new(struct xfer *x, struct request *r)
{
	const struct run_opts *o = x->opts;
	CURL *easy;

	if ((easy = curl_easy_init()) == NULL)
		fatal("curl_easy_init failed");
	curl_easy_setopt(easy, CURLOPT_URL, o->endpoint);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, r);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, r->xfer_err);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, (long)RECV_BUFFER);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	if (o->timeout > 0)
		curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)(o->timeout / 1000));
	if (o->proto->aws_service != NULL) {
		char sigv4[128];

		snprintf(sigv4, sizeof sigv4, "aws:amz:%s:%s", o->aws_region,
		    o->proto->aws_service);
		curl_easy_setopt(easy, CURLOPT_AWS_SIGV4, sigv4);
		curl_easy_setopt(easy, CURLOPT_USERNAME, o->aws_key_id);
		curl_easy_setopt(easy, CURLOPT_PASSWORD, o->aws_secret);
		curl_easy_setopt(easy, CURLOPT_EXPECT_100_TIMEOUT_MS, 1L);
	}
	r->id_header.next = x->headers;
	r->id_header.data = r->id_text;
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, &r->id_header);
	return easy;
}

void
xfer_init(struct xfer *x, struct ev_loop *loop, const struct run_opts *o,
    struct curl_slist *headers, xfer_done_fn done, void *ctx)
{
	x->loop = loop;
	x->done = done;
	x->ctx = ctx;
	x->opts = o;
	x->headers = headers;
	x->running = 0;
	x->multi = NULL;
	x->direct = NULL;
	if (o->transport == TRANSPORT_DIRECT) {
		x->direct = direct_new(loop, o, headers, done, ctx);
		return;
	}
	if ((x->multi = curl_multi_init()) == NULL)
		fatal("curl_multi_init failed");
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
}

void
xfer_done(struct xfer *x)
{
	if (x->direct != NULL) {
		direct_free(x->direct);
		x->direct = NULL;
		return;
	}
	ev_timer_stop(x->loop, &x->timer);
	curl_multi_cleanup(x->multi);
	x->multi = NULL;
}

void
xfer_add(struct xfer *x, struct request *r)
{
	CURLMcode rc;

	if (x->direct != NULL) {
		direct_start(x->direct, r);
		return;
	}
	if (r->easy == NULL)
		r->easy = easy_new(x, r);
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->body.p);
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE, (long)r->body.len);
	if ((rc = curl_multi_add_handle(x->multi, r->easy)) != CURLM_OK)
		fatal("curl_multi_add_handle: %s", curl_multi_strerror(rc));
}

void
xfer_remove(struct xfer *x, struct request *r)
{
	if (x->direct != NULL)
		direct_cancel(x->direct, r);
	else
		curl_multi_remove_handle(x->multi, r->easy);
}
