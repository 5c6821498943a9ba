/* When open-loop requests are due: arrival processes (constant, Poisson,
 * gamma) at a rate that may ramp or be changed live, and schedules read
 * from a file. Times are run times in microseconds. */
#ifndef TTFTOP_SCHEDULE_H
#define TTFTOP_SCHEDULE_H

#include <stddef.h>

#include "clock.h"
#include "rng.h"

enum arrival { ARRIVAL_CONSTANT, ARRIVAL_POISSON, ARRIVAL_GAMMA };

/* Sends are points of a unit-rate process (gaps of mean 1: all 1, or
 * exponential, or gamma) mapped onto time through the cumulative rate
 * L(t) = u0 + rate (t - t0) + slope (t - t0)^2 / 2, so a ramp or a live
 * change of rate bends the schedule without disturbing its randomness. */
struct arrivals {
	enum arrival	kind;
	double		shape;		/* gamma's K */
	struct rng	rng;
	usec_t		t0;
	double		u0, rate, slope;	/* rate per second, slope per s^2 */
	double		u;		/* L of the next send */
	usec_t		next;		/* its time; ARRIVAL_NEVER when none */
};

#define ARRIVAL_NEVER INT64_MAX

void arrivals_init(struct arrivals *, enum arrival, double shape,
    unsigned long seed);
/* A stage begins at now: the first send is due at once. */
void arrivals_begin(struct arrivals *, usec_t now, double rate, double slope);
/* The send at a->next was made: draws the gap to the following one. */
void arrivals_step(struct arrivals *);
/* From now on, rate requests/s (a ramp ends there). */
void arrivals_set_rate(struct arrivals *, usec_t now, double rate);
double arrivals_rate_at(const struct arrivals *, usec_t now);
/* Time stood still for d (a pause): every later send moves by d. */
void arrivals_shift(struct arrivals *, usec_t d);

const char *arrival_name(enum arrival);
/* Parses "constant", "poisson", "gamma:K"; -1 when not one of them. */
int arrival_parse(const char *s, enum arrival *kind, double *shape);

/* Reads --schedule FILE: one send offset in seconds a line, optionally a
 * prompt index after it; blank lines and # comments skipped. Sorted by time
 * on return. -1 with "FILE:LINE: what" in err. */
int schedule_load(const char *path, usec_t **at, long **prompt, size_t *n,
    char *err, size_t errlen);

/* --schedule-format: the plain list above, or a public trace. */
enum sched_format {
	SCHED_AUTO,		/* told by the file's first line */
	SCHED_PLAIN,
	SCHED_MOONCAKE,		/* JSONL: timestamp (ms), input_length,
				   output_length, hash_ids */
	SCHED_BURSTGPT		/* CSV: Timestamp (s), Request tokens,
				   Response tokens */
};

/* What one request of a trace asks. */
struct trace_req {
	long	 input_tokens, output_tokens;
	long	*hash_ids;	/* the prompt's blocks, in order; NULL: none */
	size_t	 nhash;
};

/* A schedule as read: send offsets in file order (sorted), and for a
 * trace what each request asks (req NULL for the plain list, whose prompt
 * column is in prompt). The caller frees it with schedule_free. */
struct schedule {
	usec_t			*at;
	long			*prompt;
	struct trace_req	*req;
	size_t			 n;
	enum sched_format	 format;	/* as read, never AUTO */
};

const char *sched_format_name(enum sched_format);
/* -1 when s is not auto, plain, mooncake or burstgpt. */
int sched_format_parse(const char *s, enum sched_format *);
/* Reads a schedule of the format (AUTO: a first line starting with '{' is
 * Mooncake, one naming Timestamp is BurstGPT's header, else plain). A
 * trace's times count from its first request and must not decrease; every
 * offset is multiplied by time_scale (0.5: twice as fast). -1 with
 * "FILE:LINE: what" in err. */
int schedule_read(const char *path, enum sched_format, double time_scale,
    struct schedule *, char *err, size_t errlen);
void schedule_free(struct schedule *);

#endif
