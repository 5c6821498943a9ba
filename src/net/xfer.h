/* The transport: takes requests to the server and says when each ended.
 * Plain http:// goes the direct way (src/direct.c: HTTP/1.1 read straight
 * off the socket); curl's multi socket API, driven by the same libev loop,
 * serves the rest: TLS, AWS signing, proxies, or --transport curl. */
#ifndef TTFTOP_LOOP_H
#define TTFTOP_LOOP_H

#include <curl/curl.h>
#include <ev.h>

struct direct;
struct request;
struct run_opts;

/* Called once per finished request, with r->xfer_kind and r->xfer_err
 * saying how the transfer ended: the callee may reuse r (xfer_add). */
typedef void (*xfer_done_fn)(void *ctx, struct request *r);

struct xfer {
	struct ev_loop		*loop;
	xfer_done_fn		 done;
	void			*ctx;
	struct direct		*direct;	/* else curl */
	const struct run_opts	*opts;
	struct curl_slist	*headers;	/* the owner's */
	CURLM			*multi;
	ev_timer		 timer;
	int			 running;
};

void xfer_init(struct xfer *, struct ev_loop *, const struct run_opts *,
    struct curl_slist *headers, xfer_done_fn, void *ctx);
void xfer_done(struct xfer *);
/* Sends r (request_start prepared it); done follows, never from inside. */
void xfer_add(struct xfer *, struct request *);
/* Stops a transfer that has not finished; no done callback follows. */
void xfer_remove(struct xfer *, struct request *);

#endif
