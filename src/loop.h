/* The transport: curl's multi socket API driven by a libev loop. One ev_io
 * per socket curl uses, one ev_timer for curl's own timeout. */
#ifndef TTFTOP_LOOP_H
#define TTFTOP_LOOP_H

#include <curl/curl.h>
#include <ev.h>

/* Called once per finished transfer, after it was removed from the multi
 * handle: the callee may free or reuse the easy handle and add new ones. */
typedef void (*xfer_done_fn)(void *ctx, CURL *easy, CURLcode result);

struct xfer {
	struct ev_loop	*loop;
	CURLM		*multi;
	ev_timer	 timer;
	int		 running;
	xfer_done_fn	 done;
	void		*ctx;
};

void xfer_init(struct xfer *, struct ev_loop *, xfer_done_fn, void *ctx);
void xfer_done(struct xfer *);
void xfer_add(struct xfer *, CURL *easy);
/* Stops a transfer that has not finished; no done callback follows. */
void xfer_remove(struct xfer *, CURL *easy);

#endif
