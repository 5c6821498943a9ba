#include "config.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <time.h>
#include <unistd.h>

#include "net/xfer.h"
#include "proto/aws.h"
#include "proto/proto.h"
#include "request.h"
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

void
xfer_tls_setopt(CURL *easy, const struct run_opts *o)
{
	bool cafile = o->cacert != NULL;

	if (o->insecure) {
		curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (o->cacert != NULL)
		curl_easy_setopt(easy, CURLOPT_CAINFO, o->cacert);
#if LIBCURL_VERSION_NUM >= 0x075700	/* 7.87: the CA store cache */
	{
		char *builtin = NULL;

		if (curl_easy_getinfo(easy, CURLINFO_CAINFO, &builtin) == CURLE_OK &&
		    builtin != NULL && access(builtin, R_OK) == 0)
			cafile = true;
	}
#endif
	/* The CAs from the file alone: libcurl keeps the store it built for
	 * the next connections only when no CA directory is set, and a
	 * default one (Debian's /etc/ssl/certs, which holds the same
	 * certificates as its file) made each new connection parse the file
	 * again, on the loop: 100 new clients, TTFT 0.7 s late. */
	if (cafile)
		curl_easy_setopt(easy, CURLOPT_CAPATH, NULL);
}

/* The endpoint's host, with its port when the URL gives one: what a
 * signature covers must be what is sent, so SigV4 requests say it. */
static struct curl_slist *
add_host(struct curl_slist *list, const char *endpoint)
{
	char *host = NULL, *port = NULL, line[512];
	CURLU *u = curl_url();

	if (u != NULL && curl_url_set(u, CURLUPART_URL, endpoint, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
			port = NULL;
		snprintf(line, sizeof line, "Host: %s%s%s", host, port ? ":" : "",
		    port ? port : "");
		list = curl_slist_append(list, line);
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return list;
}

/* The one list every transport sends: the API's headers, the user's -H,
 * then the defaults the user did not give or remove. */
static struct curl_slist *
build_headers(const struct run_opts *o)
{
	struct curl_slist *list = o->proto->headers(o, NULL);
	int i;

	/* curl would wait for "100 Continue" on large bodies: not wanted */
	list = curl_slist_append(list, "Expect:");
	for (i = 0; i < o->nheaders; i++)
		list = curl_slist_append(list, o->headers[i]);
	if (o->proto->aws_service != NULL && !xfer_header_given(list, "Host"))
		list = add_host(list, o->endpoint);
	if (!xfer_header_given(list, "User-Agent"))
		list = curl_slist_append(list,
		    "User-Agent: " PACKAGE_NAME "/" PACKAGE_VERSION);
	if (!xfer_header_given(list, "Accept"))
		list = curl_slist_append(list, "Accept: */*");
	/* a compressing proxy may hold tokens back to fill its blocks */
	if (!xfer_header_given(list, "Accept-Encoding"))
		list = curl_slist_append(list, "Accept-Encoding: identity");
	return list;
}

void
xfer_init(struct xfer *x, struct ev_loop *loop, const struct run_opts *o,
    xfer_done_fn done, void *ctx)
{
	char err[256];

	x->headers = build_headers(o);
	x->signer = NULL;
	if (o->proto->aws_service != NULL &&
	    (x->signer = aws_signer_new(o, o->endpoint, x->headers, err,
	    sizeof err)) == NULL)
		fatal("%s", err);
	x->ops = o->transport == TRANSPORT_DIRECT ? &transport_direct :
	    &transport_curl;
	x->t = x->ops->create(loop, o, x->headers, done, ctx);
}

void
xfer_done(struct xfer *x)
{
	x->ops->destroy(x->t);
	aws_signer_free(x->signer);
	curl_slist_free_all(x->headers);
	memset(x, 0, sizeof *x);
}

void
xfer_start(struct xfer *x, struct request *r)
{
	if (x->signer != NULL) {
		char date[AWS_DATE_LINE], auth[AWS_AUTH_LINE];

		aws_sign(x->signer, (long long)time(NULL), r->body.p, r->body.len,
		    date, auth);
		request_add_header(r, date, strlen(date));
		request_add_header(r, auth, strlen(auth));
	}
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
