/* Live windows for the screen: what happened in each quarter second of the
 * last ten minutes (latencies, tokens, clients, requests in flight, errors),
 * and the most recent errors. A sink, plus gauges sampled by a timer. Values
 * here are exact; the windows only bound how far back they reach. */
#ifndef TTFTOP_LIVE_H
#define TTFTOP_LIVE_H

#include <stddef.h>

#include "lag.h"
#include "metrics.h"
#include "server_read.h"
#include "sink.h"

#define LIVE_TICK	250000		/* usec in one tick */
#define LIVE_TICKS_PER_SEC (USEC_PER_SEC / LIVE_TICK)
#define LIVE_TICKS	2520		/* ten minutes and a margin */
#define LIVE_NOW_WINDOW	(5 * USEC_PER_SEC)	/* a "now" figure's span */
#define LIVE_ERRORS	200		/* log entries kept for the log view */

enum live_metric {
	LM_TTFT_P50, LM_TTFT_P95, LM_TPOT_P50, LM_TPOT_P95, LM_TOK_RATE,
	LM_LOAD, LM_IN_FLIGHT, LM_REQ_RATE, LM_ERR_PCT, LM_LAG_P99, LM_LATE_P99,
	LM_TTFT_SENT_P50,	/* open loop: TTFT from the actual send (the
				   others count from the schedule) */
	LM_SRV,			/* the server's gauges, scraped: LM_SRV + an
				   enum server_gauge */
	LM_SRV_TTFT_P50 = LM_SRV + SG_COUNT,	/* from its TTFT histogram */
	LM_COUNT
};

struct fvec {
	float	*v;
	unsigned n, cap;
};

struct live_tick {
	long		idx;		/* tick number since the run's start; -1 unused */
	double		tokens;
	double		load;		/* clients, or requests/s in open loop */
	int		in_flight;
	int		done, errors;
	struct fvec	ttft, tpot, late, ttft_sent;
	struct lag_hist	lag;		/* reads in the tick */
	float		srv[SG_COUNT + 1];	/* the server's gauges, then its
					   TTFT p50 since the scrape before;
					   NAN: none */
};

/* An entry of the log: a failed request, or an event of the run (a stage
 * beginning, an operator's control). */
struct live_error {
	bool		event;		/* then what says what, and detail how */
	const char	*what;		/* "stage", "pause", "set_clients"... */
	usec_t		t;		/* when it ended, run time */
	long		id;
	int		stage, segment;	/* segment 0: not known (old files) */
	enum err_kind	kind;
	int		status;
	char		detail[SAMPLE_DETAIL_MAX];
};

struct live {
	struct live_tick	ticks[LIVE_TICKS];
	long			last_chunks;	/* chunk counter at the last gauge */
	struct lag_hist		last_lag;	/* the load's histogram then */
	double			peak;		/* best 5 s average of tok/s so far */
	double			tokens_per_chunk;
	double			tokens_seen, chunks_seen;
	struct live_error	errors[LIVE_ERRORS];
	long			nentries;	/* ever; the ring holds the last */
	long			nerrors;	/* of them, failed requests */
	long			ncanceled;	/* and those canceled at quit */
	/* the server's own metrics, the last scrape of them */
	bool			server_seen;	/* a scrape answered */
	double			server[SG_COUNT];  /* NAN: not published */
	double			server_ttft_p50;   /* over the last 5 s of scrapes,
						      as the client's beside it */
	double			server_ttft_lo, server_ttft_hi; /* its bucket */
#define LIVE_SERVER_RECENT 8
	struct {
		usec_t		 t;
		struct prom_hist h;	/* first tokens since the scrape before */
	}			server_recent[LIVE_SERVER_RECENT];	/* a ring */
	int			nserver_recent;	/* ever */
	struct server_reader	reader;
	char			server_error[96];  /* the last gap's reason */
	char			server_warning[160]; /* the last odd thing said */
};

void live_init(struct live *);
void live_done(struct live *);
struct sink live_sink(struct live *);
/* Samples the gauges at run time now: the load (clients wanted, or the
 * open loop's rate), requests in flight, the running count of content
 * chunks received and the loop lag of every read so far. */
void live_gauge(struct live *, usec_t now, double load, int in_flight,
    long chunks, const struct lag_hist *lag);
/* Fills ncols values of a metric over [now - window, now), oldest first;
 * NAN where a column saw nothing. */
void live_series(struct live *, enum live_metric, usec_t now, usec_t window,
    int ncols, double *out);
/* The column of live_series that holds run time t, or -1 outside. */
int live_column(usec_t t, usec_t now, usec_t window, int ncols);
/* The metric over the whole window. */
double live_value(struct live *, enum live_metric, usec_t now, usec_t window);
/* Tokens per second now, as the peak is taken: the best of these so far. */
double live_tok_rate(struct live *, usec_t now);
/* Tokens per second over run times [from, to), from the live counts. */
double live_rate(struct live *, usec_t from, usec_t to);
/* The i-th most recent log entry (0 = newest), or NULL. */
const struct live_error *live_error_at(const struct live *, long i);

#endif
