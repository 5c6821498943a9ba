/* The load controller: decides when requests start. Closed loop: each of N
 * clients sends its next request when its last one ends; stages change N.
 * The operator can pause, resume, change N and skip stages while it runs;
 * every such action reaches the sinks as a control event. */
#ifndef TTFTOP_LOAD_H
#define TTFTOP_LOAD_H

#include <stdbool.h>

#include <ev.h>

#include "loop.h"
#include "sink.h"

struct run_opts;
struct request;
struct client;

#define QUIT_GRACE	5.0	/* seconds streams in flight may finish at quit */

enum load_state {
	LOAD_RUNNING,
	LOAD_PAUSED,
	LOAD_DRAINING,		/* no new requests; waiting for those in flight */
	LOAD_ENDED
};

struct load {
	struct ev_loop		*loop;
	struct xfer		 xfer;
	const struct run_opts	*opts;
	const struct sink	*sinks;
	int			 nsinks;
	usec_t			 mono0;		/* the run's start */
	char			 id_prefix[32];
	char			*body;
	size_t			 body_len;
	struct curl_slist	*headers;
	enum load_state		 state;
	enum end_reason		 reason;
	int			 stage;		/* 1-based */
	int			 target;	/* clients wanted */
	struct client		*clients;
	int			 nclients;	/* allocated */
	int			 in_flight;
	long			 next_id;
	long			 requests;	/* finished, sent to the sinks */
	long			 errors;
	long			 chunks;	/* content chunks received, live */
	struct request		*idle;		/* free list */
	ev_timer		 stage_timer;
	ev_timer		 grace_timer;
	void			(*on_end)(struct load *);
	void			*user;		/* for on_end */
};

void load_init(struct load *, struct ev_loop *, const struct run_opts *,
    const struct sink *sinks, int nsinks, usec_t mono0);
void load_done(struct load *);
/* Begins stage 1. */
void load_start(struct load *);

void load_pause(struct load *);
void load_resume(struct load *);
void load_set_clients(struct load *, int clients);
void load_next_stage(struct load *);
void load_mark(struct load *, const char *text);
/* First call: stop starting requests, let those in flight end for up to
 * QUIT_GRACE, then cancel the rest. A second call cancels at once. */
void load_quit(struct load *, enum end_reason);

usec_t load_now(const struct load *);

/* A request in flight, for the streams view. Times are run times. */
struct stream_info {
	long	id;
	int	client;
	usec_t	started;
	usec_t	last;		/* last content chunk, or the start */
	long	chunks;
};

/* Fills up to max entries; returns how many requests are in flight. */
int load_streams(const struct load *, struct stream_info *out, int max);

#endif
