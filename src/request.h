/* One streaming request: its clocks, the sample it fills, and the glue
 * between the transport (src/net) that moves its bytes and the protocol
 * adapter (src/proto) that reads them. Requests are reused: request_start
 * begins a new one on the same connection, and buffers carry over. */
#ifndef TTFTOP_REQUEST_H
#define TTFTOP_REQUEST_H

#include <stdbool.h>

#include <ev.h>

#include "buf.h"
#include "net/coding.h"
#include "sample.h"

struct lag_hist;
struct proto;
struct run_opts;

#define ERRBODY_MAX 512
#define REQ_TAIL 96	/* the body's last bytes kept, for the streams view */
#define XFER_ERR_MAX 256	/* a transport's message (curl's: 256) */

struct request {
	void			*xfer;		/* the transport's, or NULL */
	struct ev_loop		*loop;
	const struct run_opts	*opts;
	const struct proto	*proto;
	void			*proto_state;
	bool			 proto_live;
	struct sample		 s;
	struct buf		 body;		/* the owner fills it */
	usec_t			 handed;	/* CLOCK_MONOTONIC at the hand-over */
	usec_t			 start;		/* when its bytes began to leave: the
						   zero of its times (the hand-over
						   until then) */
	usec_t			 arrival;	/* of the bytes being fed */
	struct buf		 own_headers;	/* this request's header lines,
						   each NUL-terminated: X-Request-Id,
						   and SigV4's (xfer_start) */
	int			 nown;
	bool			 failed;	/* the adapter gave up */
	bool			 ended;		/* the stream's own end marker came
						   ([DONE], message_stop, ...): the
						   transport ends the transfer within
						   XFER_END_GRACE, whatever follows */
	bool			 http_error;	/* a non-2xx status */
	struct coding		 coding;	/* the body's Content-Encoding */
	long			 usage_out;	/* -1 when none was sent */
	long			 usage_in;
	long			 usage_reasoning;	/* -1 when none was sent */
	long			 reasoning_chunks;	/* content chunks of
							   reasoning */
	char			 errbody[ERRBODY_MAX];
	char			 tail[REQ_TAIL];	/* the decoded body's last bytes */
	size_t			 tail_len;
	size_t			 errbody_len;
	enum err_kind		 xfer_kind;	/* how the transfer ended */
	usec_t			 retry_after;	/* a 429 or 503's Retry-After, or 0 */
	bool			 json_answer;	/* Content-Type application/json: a
						   whole answer, not a stream */
	int			 local_errno;	/* the generator itself ran out of
						   something (EMFILE, ...), or 0 */
	char			 xfer_err[XFER_ERR_MAX];
	int			 client;	/* the owner's bookkeeping */
	int			 live_idx;
	long			*chunk_counter;	/* the owner's live count, or NULL */
	/* the first token has come: the owner hears of it at once (its
	   sample so far), or NULL */
	void			(*on_first)(void *owner, struct request *);
	void			*owner;
	struct lag_hist		*lag_hist;	/* the owner's loop lag, or NULL */
	struct lag_hist		*read_delay;	/* the owner's, or NULL */
	bool			 want_text;	/* keep the answer's text (the
						   owner sets it before start) */
	struct buf		 answer;	/* its visible text, when wanted */
	struct request		*next;		/* free list */
};

struct request *request_new(struct ev_loop *, const struct run_opts *);
/* The transport has released r->xfer (xfer_release). */
void request_free(struct request *);
/* Prepares the request with r->body; the caller hands r to the transport
 * right after. */
#define REQ_OWN_HEADERS	3	/* X-Request-Id, X-Amz-Date, Authorization */
void request_start(struct request *, long id, const char *id_prefix);
/* Adds a header line of r's own (at most REQ_OWN_HEADERS in all). */
void request_add_header(struct request *, const char *line, size_t len);
/* The answer's Content-Type, as the transport read it. */
void request_content_type(struct request *, const char *v, size_t len);
/* The answer's Content-Encoding, before its first body byte. */
void request_content_encoding(struct request *, const char *v, size_t len);
/* Whether a system error is the generator's own lack of something (file
 * descriptors, memory, local ports), not the server's doing. */
bool request_errno_is_local(int e);
/* A Retry-After value (delta-seconds; the HTTP-date form is not used by
 * LLM servers and is ignored) of a 429 or 503. */
void request_retry_after(struct request *, const char *v, size_t len);
/* The transport is about to send r's first byte, the connection made: its
 * times count from now (what it took to get here is r->s.phases). Again
 * when it is sent anew on another connection. */
void request_sent(struct request *);
/* The connection is made (or reused): phases.connect, from the hand-over. */
void request_connected(struct request *);
/* The transport heard bytes of the response: the arrival time. */
void request_heard(struct request *);
/* Body bytes (r->s.status set before the first): 0, or -1 to stop. */
int request_data(struct request *, const char *data, size_t len);
/* Completes the sample from the status, the adapter and r->xfer_kind;
 * a transfer that failed after the stream's own end (r->ended) lost
 * nothing of the answer and is a success. */
void request_finish(struct request *);
/* Completes the sample as canceled (the transfer was removed unfinished). */
void request_cancel(struct request *);

#endif
