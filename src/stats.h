/* Exact statistics per stage, computed from samples and events alone (so a
 * replay of the JSONL gives the very same figures). A sink. */
#ifndef TTFTOP_STATS_H
#define TTFTOP_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "sink.h"
#include "metrics.h"
#include "series.h"
#include "server_read.h"
#include "slo.h"

/* The percentiles every latency metric reports. */
#define NPCT 8
extern const double stats_pcts[NPCT];	/* 5 25 50 75 90 95 99 99.9 */

struct dist {
	long	count;
	double	mean, stddev, min, max;
	double	p[NPCT];
};

enum metric {
	M_TTFB, M_TTFT, M_TPOT, M_ITL, M_TTLT, M_E2E_PER_TOKEN, M_DECODE_RATE,
	M_TTST,			/* the second content chunk */
	M_TTFO,			/* the first visible chunk (not reasoning) */
	M_PREFILL_RATE,		/* input tokens / TTFT from the send, tok/s */
	/* open loop only */
	M_QUEUED,		/* start - scheduled start */
	M_TTFT_SENT,		/* TTFT from the actual send (M_TTFT, the
				   headline, counts from the schedule) */
	M_LATE,			/* the generator's own lateness */
	/* multi-turn sessions only: TTFT of a conversation's first turns,
	 * and of its later ones (whose history a prefix cache may hold) */
	M_TTFT_FIRST_TURN,
	M_TTFT_LATER_TURNS,
	M_COUNT
};

/* What goodput needs of one request, whatever the objectives. */
struct brief {
	bool	ok;
	double	v[SLO_COUNT];	/* seconds */
};

/* A stage, or one segment of it: a load change by key starts the next, so
 * that each holds one load. */
struct stage_stats {
	int		stage;
	int		segment;	/* 1-based */
	bool		segmented;	/* the stage has several: "3.1" */
	int		clients;	/* at the segment's start */
	bool		open_loop;
	double		rate;		/* open loop: requests/s at its start
					   (NAN: a schedule) */
	double		rate_to;	/* a ramp's end rate, or NAN */
	usec_t		start;		/* run time of the stage event */
	usec_t		end;		/* next stage's start, or the run's end */
	long		requests;	/* completed, warm-up excluded */
	long		errors;		/* the operator's cancels left out */
	long		canceled;	/* ended by the operator's quit */
	long		by_kind[ERR_KIND_COUNT];
	long		output_tokens;	/* of successful requests */
	long		from_chunks;	/* requests counted without usage */
	long		input_tokens;	/* of successful requests that said */
	long		input_unknown;	/* successes without an input count */
	long		reasoning_tokens;	/* of output_tokens */
	long		by_finish[FINISH_OTHER + 1];	/* successes, by
							   enum finish_class */
	double		window_tokens;	/* tokens that arrived in [start, end) */
	long		window_done;	/* successes that ended in [start, end) */
	struct brief	*briefs;	/* every request, for goodput */
	size_t		 nbriefs, briefs_cap;
	struct series	m[M_COUNT];
	/* the server's gauges scraped during it: sum, count and max */
	double		srv_sum[SG_COUNT], srv_max[SG_COUNT];
	long		srv_n[SG_COUNT];
	struct prom_hist srv_ttft;	/* the first tokens the server served in
					   it, by its own TTFT histogram */
};

struct stats {
	struct stage_stats	*stages;
	int			 nstages;
	double			*buckets;	/* tokens per second of run time */
	size_t			 nbuckets;
	bool			 ended;
	usec_t			 end;		/* the end record's time; until
						   one, the latest time heard (a
						   file cut by a crash ends there) */
	enum end_reason		 reason;
	long			 requests;	/* every request record */
	long			 chunks_seen;	/* content chunks of every record */
	double			 tokens_seen;	/* and the tokens they carried */
	long			 errors;	/* failed, canceled ones left out */
	long			 canceled;	/* ended by the operator's quit */
	long			 warmup;	/* requests left out as warm-up */
	long			 preflight;	/* the check before the load, apart */
	long			 unsent;	/* due sends never made (end record) */
	struct end_info		 gen;		/* the end record's generator figures */
	/* of each error kind, the first request's status and detail (the
	 * server's message), for the summary */
	int			 kind_status[ERR_KIND_COUNT];
	char			 kind_detail[ERR_KIND_COUNT][SAMPLE_DETAIL_MAX];
	bool			 open_loop;	/* a stage had a rate */
	bool			 sessions;	/* a request had a session */
	bool			 server;	/* server metrics were scraped */
	bool			 server_ttft;	/* and held its TTFT histogram */
	struct server_reader	 reader;
};

void stats_init(struct stats *);
void stats_done(struct stats *);
struct sink stats_sink(struct stats *);

/* The metric's distribution over a stage; sorts the stage's values. */
void stats_dist(struct stage_stats *, enum metric, struct dist *);
/* Over every stage together. */
void stats_dist_all(struct stats *, enum metric, struct dist *);
/* Over the segments of one stage together (stage 0: every stage). */
void stats_dist_stage(struct stats *, int stage, enum metric, struct dist *);
/* Tokens per second over the stage, and the highest 5 s moving average of
 * the 1 s buckets inside it. "now" bounds a stage still running. */
double stats_tok_rate(const struct stage_stats *, usec_t now);
double stats_peak_rate(const struct stats *, usec_t from, usec_t to);
/* A stage's peak: never below its own mean (the best 5 s of whole seconds
 * can miss a busy part-second at its edge). */
double stats_stage_peak(const struct stats *, const struct stage_stats *,
    usec_t now);
double stats_req_rate(const struct stage_stats *, usec_t now);
/* Input tokens per second over the stage (of the requests that ended well
 * in it), and that with the output's tok/s: the total tokens/s. */
double stats_input_rate(const struct stage_stats *, usec_t now);
double stats_total_rate(const struct stage_stats *, usec_t now);
/* The share of the stage's successes that stopped for a class of reason
 * (FINISH_LENGTH: the cap), of those that said why; NAN when none did. */
double stats_finish_share(const struct stage_stats *, enum finish_class);
/* The stage's goodput under the objectives. */
void stats_goodput(const struct stage_stats *, const struct slo *, usec_t now,
    struct goodput *);
struct stage_stats *stats_current(struct stats *);
/* The server's own TTFT over the stage, from its histogram: the count, the
 * mean (its sum over its count) and the percentiles interpolated within
 * their buckets; min, max and stddev NAN (a histogram has none). */
void stats_server_ttft(const struct stage_stats *, struct dist *);
/* The histogram's bucket of its q-quantile (seconds): -1 when none. */
int stats_server_ttft_bucket(const struct stage_stats *, double q, double *lo,
    double *hi);

#endif
