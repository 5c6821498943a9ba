/* The per-request record: what one request measured. Times are integer
 * microseconds; "t" is from the run's start, every other time from the
 * request's own start: the moment its bytes began to leave (the connection
 * made), or, when they never did, the moment it was handed to the
 * transport. */
#ifndef TTFTOP_SAMPLE_H
#define TTFTOP_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>

#include "clock.h"

enum err_kind {
	ERR_NONE,
	ERR_CONNECT,
	ERR_DNS,
	ERR_TLS,
	ERR_TIMEOUT,
	ERR_HTTP,
	ERR_PROTOCOL,
	ERR_CANCELED,
	ERR_KIND_COUNT
};

enum tokens_from {
	TOKENS_FROM_CHUNKS,	/* counted content chunks: no usage was sent */
	TOKENS_FROM_USAGE	/* the server's own usage count */
};

#define SAMPLE_DETAIL_MAX 160
#define SAMPLE_REASON_MAX 24	/* a finish_reason, as the API said it */

/* How a finish_reason reads in the summaries' shares. */
enum finish_class {
	FINISH_NONE,		/* none was said */
	FINISH_STOP,		/* the model ended its answer (stop, end_turn,
				   stop_sequence, a tool call, completed) */
	FINISH_LENGTH,		/* the length cap (length, max_tokens,
				   max_output_tokens) */
	FINISH_OTHER		/* content_filter, ... */
};

/* How long a request took to leave, each from the moment it was handed to
 * the transport, as curl's CURLINFO times count: the name resolved, the
 * connection made, TLS set up, the first byte about to be sent; a reused
 * connection's are near 0. USEC_NONE: not reached (tls: no TLS). */
struct phases {
	usec_t		 dns;
	usec_t		 connect;
	usec_t		 tls;
	usec_t		 sent;
};

struct sample {
	long		 id;
	int		 stage;		/* 1-based */
	int		 segment;	/* of the stage, 1-based: a load
					   change by key starts the next; 0
					   when not known (an old file) */
	int		 client;	/* 0-based; -1 in open loop */
	usec_t		 t;		/* start, from the run's start */
	usec_t		 scheduled;	/* open loop: the planned start;
					   USEC_NONE in closed loop */
	usec_t		 late;		/* open loop: how late the generator
					   saw the send was due */
	usec_t		 ttfb;		/* USEC_NONE when never reached */
	usec_t		 ttft;		/* first content chunk: text,
					   reasoning or a tool call */
	usec_t		 ttfo;		/* first chunk of visible output (not
					   reasoning) */
	usec_t		 ttlt;
	long		 output_tokens;	/* reasoning included */
	long		 input_tokens;	/* -1 when the server did not say */
	enum tokens_from tokens_from;
	long		 reasoning_tokens;	/* of output_tokens; -1: not
						   known (an old file) */
	enum tokens_from reasoning_from;
	long		 max_tokens;	/* the cap asked for; 0: none */
	char		 finish_reason[SAMPLE_REASON_MAX];	/* "": none */
	usec_t		*chunks;	/* arrival of each content chunk */
	size_t		 nchunks;
	size_t		 chunks_cap;
	int		 status;	/* HTTP status, 0 when none was received */
	enum err_kind	 error;
	char		 detail[SAMPLE_DETAIL_MAX];
	bool		 warmup;
	bool		 preflight;	/* the check sent alone before the load */
	usec_t		 backoff;	/* closed loop, after a failure: how long
					   its client waits to send again; 0 */
	usec_t		 lag_max;	/* worst loop lag seen by this request */
	struct phases	 phases;
	/* multi-turn (--turns, a file of conversations): the conversation,
	 * 1-based run-wide, and the request's turn in it, 1-based; 0 and 0
	 * outside one */
	long		 session;
	int		 turn;
};

const char *err_kind_name(enum err_kind);
int err_kind_parse(const char *name, enum err_kind *out);

void sample_init(struct sample *);
void sample_done(struct sample *);
void sample_add_chunk(struct sample *, usec_t at);
/* The second content chunk's arrival (from the request's start), or
 * USEC_NONE for fewer than two. */
usec_t sample_ttst(const struct sample *);
enum finish_class sample_finish_class(const struct sample *);
/* What the user waited: in open loop from the scheduled send (the user
 * arrived then), else from the send; USEC_NONE when never reached. */
usec_t sample_ttft_waited(const struct sample *);
/* Any time from the send, counted like the headline TTFT (from the
 * scheduled send in open loop); USEC_NONE stays. */
usec_t sample_waited(const struct sample *, usec_t from_send);
/* Failed: an error other than the operator's cancel at quit. */
bool sample_failed(const struct sample *);
usec_t sample_ttlt_waited(const struct sample *);

#endif
