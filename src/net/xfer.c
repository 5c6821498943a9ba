#include "config.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "net/xfer.h"
#include "proto/proto.h"
#include "run_opts.h"
#include "xalloc.h"

bool
xfer_header_given(const struct curl_slist *h, const char *name)
{
	size_t n = strlen(name);

	for (; h != NULL; h = h->next)
		if (strncasecmp(h->data, name, n) == 0 && h->data[n] == ':')
			return true;
	return false;
}

/* The one list every transport sends: the API's headers, the user's -H,
 * then the defaults the user did not give or remove. */
static struct curl_slist *
build_headers(const struct run_opts *o)
{
	struct curl_slist *list = o->proto->headers(o, NULL);
	int i;

	/* curl would wait for "100 Continue" on large bodies: not wanted (with
	 * SigV4, curl would sign the removed header: curl.c sets a short wait
	 * instead) */
	if (o->proto->aws_service == NULL)
		list = curl_slist_append(list, "Expect:");
	for (i = 0; i < o->nheaders; i++)
		list = curl_slist_append(list, o->headers[i]);
	if (!xfer_header_given(list, "User-Agent"))
		list = curl_slist_append(list,
		    "User-Agent: " PACKAGE_NAME "/" PACKAGE_VERSION);
	if (!xfer_header_given(list, "Accept"))
		list = curl_slist_append(list, "Accept: */*");
	return list;
}

void
xfer_init(struct xfer *x, struct ev_loop *loop, const struct run_opts *o,
    xfer_done_fn done, void *ctx)
{
	x->headers = build_headers(o);
	x->ops = o->transport == TRANSPORT_DIRECT ? &transport_direct :
	    &transport_curl;
	x->t = x->ops->create(loop, o, x->headers, done, ctx);
}

void
xfer_done(struct xfer *x)
{
	x->ops->destroy(x->t);
	curl_slist_free_all(x->headers);
	memset(x, 0, sizeof *x);
}

void
xfer_start(struct xfer *x, struct request *r)
{
	x->ops->start(x->t, r);
}

void
xfer_cancel(struct xfer *x, struct request *r)
{
	x->ops->cancel(x->t, r);
}

void
xfer_release(struct xfer *x, struct request *r)
{
	x->ops->release(x->t, r);
}
