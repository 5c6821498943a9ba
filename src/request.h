/* One streaming request: its curl handle, its clocks and the sample it
 * fills. Requests are reused: request_start begins a new one on the same
 * handle, so connections and buffers carry over. */
#ifndef TTFTOP_REQUEST_H
#define TTFTOP_REQUEST_H

#include <stdbool.h>

#include <curl/curl.h>
#include <ev.h>

#include "buf.h"
#include "sample.h"

struct lag_hist;
struct proto;
struct run_opts;

#define ERRBODY_MAX 512

struct request {
	CURL			*easy;
	struct ev_loop		*loop;
	const struct run_opts	*opts;
	const struct proto	*proto;
	void			*proto_state;
	bool			 proto_live;
	struct sample		 s;
	struct buf		 body;		/* the owner fills it */
	usec_t			 start;		/* CLOCK_MONOTONIC at the hand-over */
	usec_t			 arrival;	/* of the bytes being fed */
	struct curl_slist	 id_header;	/* X-Request-Id, in front of... */
	char			 id_text[64];
	struct curl_slist	*headers;	/* ...the shared headers */
	bool			 failed;	/* the adapter gave up */
	bool			 http_error;	/* a non-2xx status */
	long			 usage_out;	/* -1 when none was sent */
	long			 usage_in;
	char			 errbody[ERRBODY_MAX];
	size_t			 errbody_len;
	char			 curl_err[CURL_ERROR_SIZE];
	int			 client;	/* the owner's bookkeeping */
	int			 live_idx;
	long			*chunk_counter;	/* the owner's live count, or NULL */
	struct lag_hist		*lag_hist;	/* the owner's loop lag, or NULL */
	struct request		*next;		/* free list */
};

struct request *request_new(struct ev_loop *, const struct run_opts *,
    struct curl_slist *headers);
void request_free(struct request *);
/* Prepares the request with r->body; the caller hands r->easy to the
 * transport right after. */
void request_start(struct request *, long id, const char *id_prefix);
/* Completes the sample from curl's result (sets error kind and detail). */
void request_finish(struct request *, CURLcode result);
/* Completes the sample as canceled (the transfer was removed unfinished). */
void request_cancel(struct request *);

#endif
