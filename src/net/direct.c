/* The direct transport: plain HTTP/1.1 on non-blocking sockets driven by
 * the libev loop. Each request keeps its connection alive for the next one,
 * and each readiness is one read() whose bytes go straight through the
 * response parser into the protocol adapter; https through OpenSSL
 * (net/tls_client.c) on the same sockets. curl serves what this does not do
 * (proxies, credentials in the URL); see transport_parse. */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "lag.h"
#include "net/http.h"
#include "net/tls_client.h"
#include "net/xfer.h"
#include "run_opts.h"
#include "request.h"
#include "xalloc.h"

#define READ_BUFFER	(64 * 1024)	/* one per transport, not per stream */
#define READ_DELAY_MAX	(10 * 1000000000LL)	/* ns; past it, a clock step */
/* Seconds a connect may take when another address is left to try: a
 * black-holed first address costs this, not the whole --timeout (long
 * enough for the SYN's first retransmission, at 1 s). */
#define CONNECT_TRY	3.0

enum conn_phase {
	CONN_CLOSED,
	CONN_CONNECTING,
	CONN_HANDSHAKE,		/* TLS */
	CONN_SENDING,
	CONN_READING,
	CONN_IDLE,		/* kept alive between requests */
	CONN_FAILING		/* the failure is told from the timer */
};

/* A request's connection, kept for its next one: r->xfer. */
struct conn {
	struct direct	*d;		/* the transport it belongs to */
	ev_io		 io;
	ev_timer	 timer;		/* --timeout, or a failure to tell */
	ev_timer	 try_timer;	/* connecting to an address that is
					   not the last */
	int		 fd;
	SSL		*ssl;		/* https: over fd */
	struct buf	 wire;		/* https: the request's bytes in one */
	int		 events;	/* what io waits for */
	enum conn_phase	 phase;
	int		 addr;		/* the address being tried */
	bool		 reused;	/* it carried an earlier response */
	size_t		 sent;		/* of the request's bytes */
	bool		 sent_all;
	bool		 ending;	/* the stream ended before its body:
					   the timer is XFER_END_GRACE's */
	int		 send_errno;	/* sending failed: the server may
					   have answered (413) and closed */
	struct buf	 head;		/* this request's own header lines */
	struct http_resp resp;
};

struct direct {
	struct ev_loop	*loop;
	xfer_done_fn	 done;
	void		*ctx;
	struct addrinfo	*addrs;		/* NULL: the host did not resolve */
	struct tls_client *tls;		/* https: the run's context */
	char		 host[256];	/* as the URL names it, for messages */
	char		 port[16];
	char		 resolve_err[SAMPLE_DETAIL_MAX];
	struct buf	 prefix;	/* request line and the shared headers */
	double		 timeout;	/* seconds; 0 for none */
	char		 rbuf[READ_BUFFER];
};

static void open_conn(struct direct *, struct request *, int why);

static void
watch(struct ev_loop *loop, struct conn *c, int events)
{
	if (c->events == events && ev_is_active(&c->io))
		return;
	ev_io_stop(loop, &c->io);
	ev_io_set(&c->io, c->fd, events);
	ev_io_start(loop, &c->io);
	c->events = events;
}

static void
close_conn(struct ev_loop *loop, struct conn *c)
{
	ev_io_stop(loop, &c->io);
	ev_timer_stop(loop, &c->try_timer);
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	c->ssl = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->events = 0;
	c->phase = CONN_CLOSED;
}

/* Ends the request: the connection is kept for the next one when the
 * response ended cleanly and the server allows it. Nothing of r may be
 * touched after done, which may start the next request on it. */
static void
finish(struct direct *d, struct request *r, enum err_kind kind,
    const char *detail)
{
	struct conn *c = r->xfer;

	ev_timer_stop(d->loop, &c->timer);
	if (r->s.status == 0)
		r->s.status = c->resp.status;
	if (c->resp.head_len > 0) {
		size_t n;
		const char *v = http_header(c->resp.head.p, c->resp.head_len,
		    "Content-Type", &n);

		if (v != NULL)
			request_content_type(r, v, n);
	}
	if (r->s.status == 429 || r->s.status == 503) {
		size_t n;
		const char *v = c->resp.head_len > 0 ? http_header(c->resp.head.p,
		    c->resp.head_len, "Retry-After", &n) : NULL;

		if (v != NULL)
			request_retry_after(r, v, n);
	}
	r->xfer_kind = kind;
	if (detail != NULL)
		snprintf(r->xfer_err, sizeof r->xfer_err, "%s", detail);
	if (kind == ERR_NONE && c->resp.keepalive && c->resp.state == HTTP_DONE &&
	    c->sent_all) {
		c->phase = CONN_IDLE;
		watch(d->loop, c, EV_READ);	/* to see the server close it */
	} else
		close_conn(d->loop, c);
	d->done(d->ctx, r);
}

/* A failure found while starting: told from the timer, so the owner never
 * hears of a request's end from inside its own start. */
static void
fail_later(struct direct *d, struct request *r, enum err_kind kind,
    const char *fmt, ...)
{
	struct conn *c = r->xfer;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->xfer_err, sizeof r->xfer_err, fmt, ap);
	va_end(ap);
	r->xfer_kind = kind;
	close_conn(d->loop, c);
	c->phase = CONN_FAILING;
	ev_timer_stop(d->loop, &c->timer);
	ev_timer_set(&c->timer, 0., 0.);
	ev_timer_start(d->loop, &c->timer);
}

/* A kept-alive connection the server had closed before this request was
 * sent on it: nothing of the response came, so it is sent again on a new
 * connection, once (curl does the same). */
static bool
retry(struct direct *d, struct request *r)
{
	struct conn *c = r->xfer;

	if (!c->reused || c->resp.received > 0)
		return false;
	close_conn(d->loop, c);
	c->reused = false;
	c->sent = 0;
	c->send_errno = 0;
	c->addr = 0;
	open_conn(d, r, 0);
	return true;
}

/* TLS: the request's bytes as one buffer, for SSL_write. */
static void
send_tls(struct direct *d, struct request *r)
{
	struct conn *c = r->xfer;
	char msg[SAMPLE_DETAIL_MAX];
	enum tls_want want = TLS_OK;
	ssize_t n;

	if (c->sent == 0) {
		c->wire.len = 0;
		buf_add(&c->wire, d->prefix.p, d->prefix.len);
		buf_add(&c->wire, c->head.p, c->head.len);
		buf_add(&c->wire, r->body.p, r->body.len);
		request_sent(r);
	}
	n = tls_client_write(c->ssl, c->wire.p + c->sent, c->wire.len - c->sent,
	    &want, msg, sizeof msg);
	if (n < 0 && want != TLS_FAILED) {
		/* only what TLS asks for: a ticket waiting to be read must not
		 * wake the loop over and over */
		watch(d->loop, c, want == TLS_WANT_READ ? EV_READ : EV_WRITE);
		return;
	}
	if (n < 0) {
		if (!retry(d, r))
			finish(d, r, ERR_PROTOCOL, msg);
		return;
	}
	c->sent += (size_t)n;
	if (c->sent < c->wire.len) {
		watch(d->loop, c, EV_WRITE);
		return;
	}
	c->sent_all = true;
	c->phase = CONN_READING;
	watch(d->loop, c, EV_READ);
}

static void
send_some(struct direct *d, struct request *r)
{
	struct conn *c = r->xfer;
	const char *part[3] = { d->prefix.p, c->head.p, r->body.p };
	size_t len[3] = { d->prefix.len, c->head.len, r->body.len };
	size_t skip = c->sent;
	struct iovec iov[3];
	struct msghdr m;
	ssize_t n;
	int i, niov = 0;

	if (c->ssl != NULL) {
		send_tls(d, r);
		return;
	}
	for (i = 0; i < 3; i++) {
		if (skip >= len[i]) {
			skip -= len[i];
			continue;
		}
		iov[niov].iov_base = (void *)(part[i] + skip);
		iov[niov].iov_len = len[i] - skip;
		skip = 0;
		niov++;
	}
	memset(&m, 0, sizeof m);
	m.msg_iov = iov;
	m.msg_iovlen = (size_t)niov;
	if (c->sent == 0)
		request_sent(r);
	n = niov > 0 ? sendmsg(c->fd, &m, MSG_NOSIGNAL) : 0;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
		watch(d->loop, c, EV_READ | EV_WRITE);
		return;
	}
	if (n < 0) {
		/* read what the server said before it closed, if anything */
		if (!retry(d, r)) {
			c->send_errno = errno;
			c->phase = CONN_READING;
			watch(d->loop, c, EV_READ);
		}
		return;
	}
	c->sent += (size_t)n;
	if (c->sent < len[0] + len[1] + len[2]) {
		/* a server may answer before it has read all (413) */
		watch(d->loop, c, EV_READ | EV_WRITE);
		return;
	}
	c->sent_all = true;
	c->phase = CONN_READING;
	watch(d->loop, c, EV_READ);
}

/* Goes on with the TLS handshake: the request is sent once it is done. */
static void
handshake(struct direct *d, struct request *r)
{
	struct conn *c = r->xfer;
	char msg[SAMPLE_DETAIL_MAX];

	switch (tls_client_handshake(c->ssl, msg, sizeof msg)) {
	case TLS_OK:
		r->s.phases.tls = clock_mono_usec() - r->handed;
		c->phase = CONN_SENDING;
		send_some(d, r);
		return;
	case TLS_WANT_READ:
		watch(d->loop, c, EV_READ);
		return;
	case TLS_WANT_WRITE:
		watch(d->loop, c, EV_WRITE);
		return;
	case TLS_FAILED:
		fail_later(d, r, ERR_TLS, "%s", msg);
		return;
	}
}

/* The TCP connection is up: TLS first for https, then the request. */
static void
connected(struct direct *d, struct request *r)
{
	struct conn *c = r->xfer;

	request_connected(r);
	if (d->tls != NULL) {
		c->ssl = tls_client_conn(d->tls, c->fd);
		c->phase = CONN_HANDSHAKE;
		handshake(d, r);
		return;
	}
	c->phase = CONN_SENDING;
	send_some(d, r);
}

/* Sends r's bytes on a connection still in progress, if it is already up;
 * false when it is not yet (or failed: the writable socket will say). */
static bool
send_early(struct direct *d, struct request *r)
{
	struct conn *c = r->xfer;
	struct tcp_info ti;
	socklen_t len = sizeof ti;

	if (getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0 ||
	    ti.tcpi_state != TCP_ESTABLISHED)
		return false;
	ev_timer_stop(d->loop, &c->try_timer);
	connected(d, r);
	return true;
}

/* Opens a connection to the first address from c->addr on that takes it;
 * why is the error of the address tried before. */
static void
open_conn(struct direct *d, struct request *r, int why)
{
	struct conn *c = r->xfer;
	struct addrinfo *ai = d->addrs;
	int i, fd, one = 1;

	for (i = 0; ai != NULL && i < c->addr; i++)
		ai = ai->ai_next;
	for (; ai != NULL; ai = ai->ai_next, c->addr++) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd < 0) {
			why = errno;
			if (request_errno_is_local(why))
				break;	/* no other address will do better */
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		/* the kernel's receive time of the bytes, for the read delay */
		setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
		c->fd = fd;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			connected(d, r);
			return;
		}
		if (errno == EINPROGRESS) {
			c->phase = CONN_CONNECTING;
			if (ai->ai_next != NULL) {
				ev_timer_set(&c->try_timer, CONNECT_TRY, 0.);
				ev_timer_start(d->loop, &c->try_timer);
			}
			/* a near server (loopback, the same rack) has often
			 * taken the connection by now: the request leaves at
			 * once, not a turn of the loop later behind every
			 * other connection opened in this one */
			if (send_early(d, r))
				return;
			watch(d->loop, c, EV_WRITE);
			return;
		}
		why = errno;
		close_conn(d->loop, c);
		if (request_errno_is_local(why))
			break;
	}
	if (request_errno_is_local(why))
		r->local_errno = why;
	fail_later(d, r, ERR_CONNECT, "could not connect to %s port %s: %s",
	    d->host, d->port, strerror(why));
}

static int
body_cb(void *ctx, const char *data, size_t len)
{
	struct request *r = ctx;
	struct http_resp *h = &((struct conn *)r->xfer)->resp;
	const char *v;
	size_t n;

	if (r->s.status == 0) {		/* the first of the body */
		r->s.status = h->status;
		if ((v = http_header(h->head.p, h->head_len, "Content-Encoding",
		    &n)) != NULL)
			request_content_encoding(r, v, n);
	}
	return request_data(r, data, len);
}

/* How long the bytes waited in the socket: from the kernel's receive time
 * (the first of them) to now, both on the real-time clock. */
static void
note_read_delay(struct request *r, struct msghdr *m)
{
	struct cmsghdr *cm;
	struct timespec now, rx;
	long long ns;

	for (cm = CMSG_FIRSTHDR(m); cm != NULL; cm = CMSG_NXTHDR(m, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_TIMESTAMPNS)
			continue;
		memcpy(&rx, CMSG_DATA(cm), sizeof rx);
		clock_gettime(CLOCK_REALTIME, &now);
		ns = (long long)(now.tv_sec - rx.tv_sec) * 1000000000LL +
		    (now.tv_nsec - rx.tv_nsec);
		if (ns >= 0 && ns < READ_DELAY_MAX)	/* else the clock stepped */
			lag_add(r->read_delay, (usec_t)(ns / 1000));
		return;
	}
}

/* What a read brought: n bytes in d->rbuf, 0 at the end, -1 for a
 * failure (why says it; NULL when the socket has nothing now). true while
 * r goes on reading; false when it is over (finished, or sent again). */
static bool
took(struct direct *d, struct request *r, ssize_t n, const char *why)
{
	struct conn *c = r->xfer;
	char msg[SAMPLE_DETAIL_MAX];
	size_t used;

	if (n < 0 && why == NULL)
		return true;
	if (n <= 0 && c->send_errno != 0 && c->resp.received == 0) {
		snprintf(msg, sizeof msg, "sending the request to %s port %s "
		    "failed: %s", d->host, d->port, strerror(c->send_errno));
		finish(d, r, ERR_PROTOCOL, msg);
		return false;
	}
	if (n < 0) {
		if (retry(d, r))
			return false;
		snprintf(msg, sizeof msg, "receiving from %s port %s failed after "
		    "%zu bytes: %s", d->host, d->port, c->resp.received, why);
		finish(d, r, ERR_PROTOCOL, msg);
		return false;
	}
	if (n == 0) {
		if (retry(d, r))
			return false;
		if (http_resp_eof(&c->resp) == HTTP_COMPLETE)
			finish(d, r, ERR_NONE, NULL);
		else
			finish(d, r, ERR_PROTOCOL, c->resp.err);
		return false;
	}
	request_heard(r);
	switch (http_resp_feed(&c->resp, d->rbuf, (size_t)n, &used, body_cb, r)) {
	case HTTP_MORE:
		if (r->ended && !c->ending) {
			c->ending = true;
			ev_timer_stop(d->loop, &c->timer);
			ev_timer_set(&c->timer, XFER_END_GRACE, 0.);
			ev_timer_start(d->loop, &c->timer);
		}
		return true;
	case HTTP_COMPLETE:
		if (used < (size_t)n)	/* more than was asked for */
			c->resp.keepalive = false;
		finish(d, r, ERR_NONE, NULL);
		return false;
	case HTTP_ERROR:
		finish(d, r, ERR_PROTOCOL, c->resp.err);
		return false;
	case HTTP_STOPPED:	/* the adapter gave up: r says why */
		c->resp.keepalive = false;
		finish(d, r, ERR_PROTOCOL, NULL);
		return false;
	}
	return false;
}

/* TLS: every record it holds is read now (epoll cannot see those it has
 * already taken off the socket). */
static void
on_readable_tls(struct direct *d, struct request *r)
{
	struct conn *c = r->xfer;
	char msg[SAMPLE_DETAIL_MAX];
	enum tls_want want;
	ssize_t n;

	do {
		want = TLS_OK;
		n = tls_client_read(c->ssl, d->rbuf, sizeof d->rbuf, &want, msg,
		    sizeof msg);
		if (n < 0 && want == TLS_WANT_WRITE)
			watch(d->loop, c, EV_WRITE);	/* back to reading after */
		else if (n < 0 && want == TLS_WANT_READ)
			watch(d->loop, c, EV_READ);
	} while (took(d, r, n, n < 0 && want == TLS_FAILED ? msg : NULL) && n > 0);
}

static void
on_readable(struct direct *d, struct request *r)
{
	struct conn *c = r->xfer;
	union {
		char		buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr	align;
	} ctl;
	struct iovec iov = { d->rbuf, sizeof d->rbuf };
	struct msghdr m;
	ssize_t n;

	if (c->ssl != NULL) {
		on_readable_tls(d, r);
		return;
	}
	memset(&m, 0, sizeof m);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctl.buf;
	m.msg_controllen = sizeof ctl.buf;
	n = recvmsg(c->fd, &m, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n > 0 && r->read_delay != NULL)
		note_read_delay(r, &m);
	took(d, r, n, n < 0 ? strerror(errno) : NULL);
}

static void
io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct request *r = w->data;
	struct conn *c = r->xfer;
	int e = 0;
	socklen_t elen = sizeof e;

	switch (c->phase) {
	case CONN_CONNECTING:
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &elen) != 0)
			e = errno;
		if (e != 0) {
			close_conn(loop, c);
			c->addr++;
			open_conn(c->d, r, e);
			return;
		}
		ev_timer_stop(loop, &c->try_timer);
		connected(c->d, r);
		return;
	case CONN_HANDSHAKE:
		handshake(c->d, r);
		return;
	case CONN_SENDING:
		if (c->ssl != NULL)
			send_some(c->d, r);
		else if (revents & EV_READ) {	/* it answered before the end */
			c->phase = CONN_READING;
			watch(loop, c, EV_READ);
			on_readable(c->d, r);
		} else
			send_some(c->d, r);
		return;
	case CONN_READING:
		on_readable(c->d, r);
		return;
	case CONN_IDLE:		/* closed by the server, or it spoke unasked */
	default:
		close_conn(loop, c);
		return;
	}
}

/* The address did not answer in CONNECT_TRY: on to the next. */
static void
try_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct request *r = w->data;
	struct conn *c = r->xfer;

	close_conn(loop, c);
	c->addr++;
	open_conn(c->d, r, ETIMEDOUT);
}

static void
timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct request *r = w->data;
	struct conn *c = r->xfer;
	struct direct *d = c->d;
	char msg[SAMPLE_DETAIL_MAX];

	if (c->phase == CONN_FAILING) {
		finish(d, r, r->xfer_kind, NULL);
		return;
	}
	if (c->ending) {	/* the body's end never came: it is closed */
		finish(d, r, ERR_NONE, NULL);
		return;
	}
	snprintf(msg, sizeof msg, "timed out after %.0f ms with %zu bytes received",
	    d->timeout * 1000, c->resp.received);
	finish(d, r, ERR_TIMEOUT, msg);
}

static void
direct_start(void *t, struct request *r)
{
	struct direct *d = t;
	struct conn *c = r->xfer;
	const char *line;
	int i;

	if (c == NULL) {
		r->xfer = c = xcalloc(1, sizeof *c);
		ev_init(&c->io, io_cb);
		c->io.data = r;
		ev_init(&c->timer, timer_cb);
		c->timer.data = r;
		ev_init(&c->try_timer, try_timer_cb);
		c->try_timer.data = r;
		c->fd = -1;
		http_resp_init(&c->resp);
	}
	c->d = d;
	http_resp_reset(&c->resp);
	c->head.len = 0;
	for (i = 0, line = r->own_headers.p; i < r->nown; i++) {
		buf_adds(&c->head, line);
		buf_adds(&c->head, "\r\n");
		line += strlen(line) + 1;
	}
	buf_printf(&c->head, "Content-Length: %zu\r\n\r\n", r->body.len);
	c->sent = 0;
	c->sent_all = false;
	c->ending = false;
	c->send_errno = 0;
	r->xfer_kind = ERR_NONE;
	r->xfer_err[0] = '\0';
	if (d->timeout > 0) {
		ev_timer_set(&c->timer, d->timeout, 0.);
		ev_timer_start(d->loop, &c->timer);
	}
	if (d->addrs == NULL) {
		fail_later(d, r, ERR_DNS, "%s", d->resolve_err);
		return;
	}
	r->s.phases.dns = 0;	/* the name was resolved once, at the start */
	if (c->phase == CONN_IDLE) {
		request_connected(r);
		c->reused = true;
		c->phase = CONN_SENDING;
		send_some(d, r);
		return;
	}
	c->reused = false;
	c->addr = 0;
	open_conn(d, r, 0);
}

static void
direct_cancel(void *t, struct request *r)
{
	struct direct *d = t;
	struct conn *c = r->xfer;

	ev_timer_stop(d->loop, &c->timer);
	close_conn(d->loop, c);
}

static void
direct_release(void *t, struct request *r)
{
	struct direct *d = t;
	struct conn *c = r->xfer;

	if (c == NULL)
		return;
	ev_timer_stop(d->loop, &c->timer);
	close_conn(d->loop, c);
	http_resp_free(&c->resp);
	buf_free(&c->head);
	buf_free(&c->wire);
	free(c);
	r->xfer = NULL;
}

static void
build_prefix(struct direct *d, const char *path, const char *query,
    const char *host_header, const struct curl_slist *headers)
{
	const struct curl_slist *h;
	struct buf *b = &d->prefix;

	buf_printf(b, "POST %s%s%s HTTP/1.1\r\n", path, query ? "?" : "",
	    query ? query : "");
	if (!xfer_header_given(headers, "Host"))
		buf_printf(b, "Host: %s\r\n", host_header);
	for (h = headers; h != NULL; h = h->next) {
		const char *colon = strchr(h->data, ':');

		if (colon == NULL || colon[strspn(colon + 1, " \t") + 1] == '\0')
			continue;		/* "Name:" removes it */
		buf_adds(b, h->data);
		buf_adds(b, "\r\n");
	}
}

static void
resolve(struct direct *d)
{
	struct addrinfo hints;
	char name[sizeof d->host];
	size_t n = strlen(d->host);
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	if (d->host[0] == '[' && n > 2)		/* an IPv6 literal */
		snprintf(name, sizeof name, "%.*s", (int)(n - 2), d->host + 1);
	else
		snprintf(name, sizeof name, "%s", d->host);
	if ((rc = getaddrinfo(name, d->port, &hints, &d->addrs)) != 0) {
		d->addrs = NULL;
		snprintf(d->resolve_err, sizeof d->resolve_err,
		    "could not resolve host: %s (%s)", name, gai_strerror(rc));
	}
}

static void *
direct_new(struct ev_loop *loop, const struct run_opts *o,
    const struct curl_slist *headers, xfer_done_fn done, void *ctx)
{
	struct direct *d = xcalloc(1, sizeof *d);
	char *host = NULL, *port = NULL, *path = NULL, *query = NULL;
	char host_header[sizeof d->host + sizeof d->port];
	bool explicit_port;
	CURLU *u;

	d->loop = loop;
	d->done = done;
	d->ctx = ctx;
	d->timeout = o->timeout > 0 ? (double)o->timeout / USEC_PER_SEC : 0;
	buf_init(&d->prefix);
	/* options_parse checked the URL */
	if ((u = curl_url()) == NULL ||
	    curl_url_set(u, CURLUPART_URL, o->endpoint, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
		fatal("%s: cannot take the URL apart", o->endpoint);
	explicit_port = curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK;
	if (!explicit_port &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK)
		fatal("%s: no port", o->endpoint);
	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) != CURLUE_OK)
		query = NULL;
	snprintf(d->host, sizeof d->host, "%s", host);
	snprintf(d->port, sizeof d->port, "%s", port);
	snprintf(host_header, sizeof host_header, "%s%s%s", d->host,
	    explicit_port ? ":" : "", explicit_port ? d->port : "");
	build_prefix(d, path, query, host_header, headers);
	if (strncasecmp(o->endpoint, "https://", 8) == 0) {
		char err[512];

		if ((d->tls = tls_client_new(d->host, o->insecure, o->cacert, err,
		    sizeof err)) == NULL)
			fatal("%s", err);
	}
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	resolve(d);
	return d;
}

static void
direct_free(void *t)
{
	struct direct *d = t;

	if (d == NULL)
		return;
	if (d->addrs != NULL)
		freeaddrinfo(d->addrs);
	tls_client_free(d->tls);
	buf_free(&d->prefix);
	free(d);
}

const struct transport_ops transport_direct = {
	.name = "direct",
	.create = direct_new,
	.start = direct_start,
	.cancel = direct_cancel,
	.release = direct_release,
	.destroy = direct_free,
};
