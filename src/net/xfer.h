/* The transport: takes requests to the server and says when each ended.
 * Two implement it: the direct HTTP/1.1 reader for plain http:// (direct.c,
 * the exact one: one read per burst of bytes, straight into the adapter)
 * and libcurl's multi interface on the same libev loop for the rest, TLS,
 * AWS signing and proxies (curl.c). Each keeps what it needs per request
 * (a connection, an easy handle) behind r->xfer, so struct request and
 * request.c know neither. */
#ifndef TTFTOP_XFER_H
#define TTFTOP_XFER_H

#include <stdbool.h>

#include <curl/curl.h>
#include <ev.h>

struct aws_signer;
struct request;
struct run_opts;

/* Seconds a transfer is given, after the stream's own end marker, for the
 * body's end (the last chunk, the close) that usually follows at once, so
 * that the connection is kept: a server that keeps the body open past it
 * has the request end then, a success, its connection closed, not at
 * --timeout. */
#define XFER_END_GRACE	0.1

/* Called once per finished request, with r->xfer_kind and r->xfer_err
 * saying how the transfer ended: the callee may start r again. */
typedef void (*xfer_done_fn)(void *ctx, struct request *r);

struct transport_ops {
	const char	*name;
	/* headers is the one list of request headers (struct xfer's), read by
	 * curl's rules: "Name:" removes a header, a given Host replaces the
	 * URL's. */
	void		*(*create)(struct ev_loop *, const struct run_opts *,
			    const struct curl_slist *headers, xfer_done_fn,
			    void *ctx);
	/* Sends r->body (request_start prepared r); done follows, never from
	 * inside this call. */
	void		 (*start)(void *t, struct request *);
	/* Stops a request under way: no done call follows. */
	void		 (*cancel)(void *t, struct request *);
	/* Frees what the transport keeps for r (before request_free). */
	void		 (*release)(void *t, struct request *);
	void		 (*destroy)(void *t);
};

extern const struct transport_ops transport_direct;
extern const struct transport_ops transport_curl;

struct xfer {
	const struct transport_ops	*ops;
	void				*t;
	struct curl_slist		*headers;
	struct aws_signer		*signer;	/* the AWS kinds' */
};

/* Builds the headers (the API's, the user's, the defaults) and starts the
 * transport o->transport names; for the AWS kinds, each request is signed
 * in xfer_start, whichever transport takes it. */
void xfer_init(struct xfer *, struct ev_loop *, const struct run_opts *,
    xfer_done_fn, void *ctx);
void xfer_done(struct xfer *);
void xfer_start(struct xfer *, struct request *);
void xfer_cancel(struct xfer *, struct request *);
void xfer_release(struct xfer *, struct request *);
/* The TLS settings of the run (-k, --cacert) on an easy handle, for every
 * request curl sends to the target. */
void xfer_tls_setopt(CURL *, const struct run_opts *);
/* Whether a header list names the header (to replace or to remove it). */
bool xfer_header_given(const struct curl_slist *, const char *name);

#endif
