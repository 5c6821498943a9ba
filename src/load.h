/* The load controller: decides when requests start. Closed loop: each of N
 * clients sends its next request when its last one ends; stages change N.
 * Open loop: requests start when a schedule says (a rate and an arrival
 * process, a ramp, or a file), timed by a timerfd to the microsecond, and
 * wait behind --max-concurrency when it is reached. The operator can pause,
 * resume, change N or the rate and skip stages while it runs; every such
 * action reaches the sinks as a control event. */
#ifndef TTFTOP_LOAD_H
#define TTFTOP_LOAD_H

#include <stdbool.h>

#include <ev.h>

#include "lag.h"
#include "net/xfer.h"
#include "prompts.h"
#include "schedule.h"
#include "sink.h"

struct run_opts;
struct request;
struct client;
struct pending;

#define QUIT_GRACE	5.0	/* seconds streams in flight may finish at quit */
#define GAUGE_EVERY	1.0	/* seconds between the sinks' on_gauge calls */

enum load_state {
	LOAD_PREFLIGHT,		/* one request alone, before stage 1 */
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
	struct prompts		 prompts;
	enum load_state		 state;
	enum end_reason		 reason;
	usec_t			 end_t;		/* when it ended (LOAD_ENDED) */
	int			 stage;		/* 1-based */
	int			 segment;	/* of the stage, 1-based */
	int			 target;	/* clients wanted */
	struct client		*clients;
	int			 nclients;	/* allocated */
	int			 in_flight;
	struct request	       **live;		/* the requests in flight */
	int			 live_cap;
	long			 next_id;
	long			 sessions;	/* conversations begun (--turns) */
	long			 requests;	/* finished, sent to the sinks */
	long			 errors;		/* failed (sample_failed) */
	long			 canceled;	/* at quit */
	long			 chunks;	/* content chunks received, live */
	struct lag_hist		 lag;		/* every read's loop lag */
	struct lag_hist		 read_delay;	/* direct: every read's wait in
						   the socket */
	struct lag_hist		 late;		/* open loop: every send's lateness */
	struct request		*idle;		/* free list */
	ev_timer		 stage_timer;
	ev_timer		 grace_timer;
	ev_timer		 gauge_timer;	/* the sinks' on_gauge, every second */
	/* closed loop: clients waiting after a failure, and the breaker */
	int			*backing;
	int			 nbacking, backing_cap;
	int			 nthinking;	/* of them, waiting --think */
	ev_timer		 backoff_timer;	/* the earliest of their waits */
	struct rng		 backoff_rng;
	long			 fails_in_row;	/* failed requests, run-wide */
	/* of those in a row, by kind: how many, the last's status and words */
	struct {
		long	n;
		int	status;
		char	detail[SAMPLE_DETAIL_MAX];
	}			 row_kinds[ERR_KIND_COUNT];
	char			 stop_detail[SAMPLE_DETAIL_MAX + 160];
	/* closed loop: clients waiting to start, a batch a turn */
	int			*ready;
	int			 rhead, rlen, rcap;
	ev_prepare		 starter;
	ev_idle			 spin;
	/* open loop */
	struct arrivals		 arr;
	double			 rate;		/* set by the stage or the operator */
	long			 stage_sent;	/* sends due so far in the stage */
	usec_t			 stage_t0;	/* the stage's start */
	size_t			 sched_pos;
	struct pending		*queue;		/* due, waiting for a free slot */
	size_t			 qhead, qlen, qcap;
	long			 unsent;	/* dropped from the queue at quit */
	usec_t			 paused_at;
	int			 tfd;		/* timerfd of the next send */
	ev_io			 tfd_w;
	/* called before the sinks hear the end, to add to it (goodput) */
	void			(*annotate_end)(struct load *, struct end_info *);
	void			(*on_end)(struct load *);
	void			*user;		/* for the callbacks */
};

void load_init(struct load *, struct ev_loop *, const struct run_opts *,
    const struct sink *sinks, int nsinks, usec_t mono0);
void load_done(struct load *);
/* Begins stage 1. */
void load_start(struct load *);

void load_pause(struct load *);
void load_resume(struct load *);
void load_set_clients(struct load *, int clients);
/* Open loop: requests/s from now on (bounded to 0.001 .. 1e6). */
void load_set_rate(struct load *, double rate);
/* The rate in force now (a ramp's current point); 0 in closed loop. */
double load_rate(const struct load *);
/* Due sends waiting behind --max-concurrency. */
size_t load_waiting(const struct load *);
void load_next_stage(struct load *);
void load_mark(struct load *, const char *text);
/* First call: stop starting requests, let those in flight end for up to
 * QUIT_GRACE, then cancel the rest. A second call cancels at once. */
void load_quit(struct load *, enum end_reason);

usec_t load_now(const struct load *);
/* The load as it stands, as sinks hear it in on_gauge. */
void load_gauge(const struct load *, struct gauge *);

/* A request in flight, for the streams view. Times are run times. */
struct stream_info {
	long	id;
	int	client;
	int	stage, segment;
	usec_t	started;
	usec_t	ttfb;		/* from the start; USEC_NONE before a reply */
	usec_t	ttft;		/* USEC_NONE before the first token */
	usec_t	last;		/* last content chunk, or the start */
	long	chunks;
	int	status;		/* HTTP status, 0 before the headers */
	bool	sent;		/* its first byte has left (the connection made) */
};

/* Fills up to max entries; returns how many requests are in flight. */
int load_streams(const struct load *, struct stream_info *out, int max);
/* The last bytes of the body of request id, if it is in flight, into out
 * (at most len); returns how many, or -1 when it is not in flight. */
int load_stream_tail(const struct load *, long id, char *out, size_t len);

#endif
