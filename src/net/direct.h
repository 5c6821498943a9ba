/* The direct transport: plain HTTP/1.1 on non-blocking sockets driven by
 * the libev loop. Each request keeps its connection alive for the next one,
 * and each readiness is one read() whose bytes go straight through the
 * response parser into the protocol adapter. curl serves what this does not
 * do (TLS, AWS signing, proxies); see xfer_init. */
#ifndef TTFTOP_DIRECT_H
#define TTFTOP_DIRECT_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>
#include <ev.h>

#include "net/http.h"
#include "sample.h"

struct request;
struct run_opts;

enum conn_phase {
	CONN_CLOSED,
	CONN_CONNECTING,
	CONN_SENDING,
	CONN_READING,
	CONN_IDLE,		/* kept alive between requests */
	CONN_FAILING		/* the failure is told from the timer */
};

/* A request's connection; lives in struct request. */
struct conn {
	struct direct	*d;		/* the transport it belongs to */
	ev_io		 io;
	ev_timer	 timer;		/* --timeout, or a failure to tell */
	int		 fd;
	int		 events;	/* what io waits for */
	enum conn_phase	 phase;
	int		 addr;		/* the address being tried */
	bool		 reused;	/* it carried an earlier response */
	bool		 ready;		/* io and timer are initialised */
	size_t		 sent;		/* of the request's bytes */
	bool		 sent_all;
	int		 send_errno;	/* sending failed: the server may
					   have answered (413) and closed */
	char		 head[128];	/* this request's own header lines */
	size_t		 head_len;
	struct http_resp resp;
};

typedef void (*direct_done_fn)(void *ctx, struct request *);

struct direct;

/* Resolves the URL's host now, before the run: a failure is told by each
 * request (kind dns), as curl would. headers are curl's list, read by its
 * rules: "Name:" removes a header, a given Host, User-Agent or Accept
 * replaces the default one. */
struct direct *direct_new(struct ev_loop *, const struct run_opts *,
    const struct curl_slist *headers, direct_done_fn, void *ctx);
void direct_free(struct direct *);
/* Sends r->body; done is called later, never from inside this call. */
void direct_start(struct direct *, struct request *);
/* Stops a request under way: no done call follows. */
void direct_cancel(struct direct *, struct request *);
/* Closes a request's connection for good (request_free). */
void direct_conn_free(struct ev_loop *, struct conn *);

#endif
