/* Cost (--price): an API's per-token prices (dollars per 1M input and
 * output tokens) or an instance's price an hour, turned into dollars per 1M
 * output tokens, per request and per hour at the throughput a stage
 * measured. */
#ifndef TTFTOP_COST_H
#define TTFTOP_COST_H

#include <stdbool.h>
#include <stddef.h>

#include "clock.h"

struct stage_stats;

struct price {
	bool	 set;
	bool	 hourly;	/* an instance's hour, else per token */
	double	 in, out;	/* $ per 1M tokens */
	double	 hour;		/* $ an hour of one replica */
	int	 replicas;
};

struct cost {
	double	 per_mtok_out;	/* $ per 1M output tokens; NAN: none */
	double	 per_request;	/* $ per successful request */
	double	 per_hour;	/* $ an hour at this stage's throughput */
	long	 input_unknown;	/* token prices: requests whose input the
				   server did not count (left out) */
	long	 from_chunks;	/* whose output was counted by chunks */
};

/* "in:0.5,out:1.5" or "hour:4.1[,replicas:2]"; -1 with a message naming the
 * bad part. */
int price_parse(const char *s, struct price *, char *err, size_t errlen);
/* Back to that form, for the run's config. */
void price_text(char *out, size_t len, const struct price *);
/* A stage's cost; end bounds a stage still running. */
void cost_of(const struct price *, const struct stage_stats *, usec_t end,
    struct cost *);

#endif
