#include "config.h"

#include <stdlib.h>

#include "loop.h"
#include "xalloc.h"

#define KEEP_CONNECTIONS 1000000L	/* idle connections curl may keep */

struct sock {
	ev_io		 io;
	struct xfer	*x;
};

static void
check_done(struct xfer *x)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(x->multi, &left)) != NULL) {
		CURL *easy;
		CURLcode result;

		if (msg->msg != CURLMSG_DONE)
			continue;
		easy = msg->easy_handle;
		result = msg->data.result;
		curl_multi_remove_handle(x->multi, easy);
		x->done(x->ctx, easy, result);
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

void
xfer_init(struct xfer *x, struct ev_loop *loop, xfer_done_fn done, void *ctx)
{
	x->loop = loop;
	x->done = done;
	x->ctx = ctx;
	x->running = 0;
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
	ev_timer_stop(x->loop, &x->timer);
	curl_multi_cleanup(x->multi);
	x->multi = NULL;
}

void
xfer_add(struct xfer *x, CURL *easy)
{
	CURLMcode rc;

	if ((rc = curl_multi_add_handle(x->multi, easy)) != CURLM_OK)
		fatal("curl_multi_add_handle: %s", curl_multi_strerror(rc));
}

void
xfer_remove(struct xfer *x, CURL *easy)
{
	curl_multi_remove_handle(x->multi, easy);
}
