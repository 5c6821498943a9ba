/* Service-level objectives (--slo ttft:500ms,tpot:50ms): limits a request
 * must meet to count toward goodput. */
#ifndef TTFTOP_SLO_H
#define TTFTOP_SLO_H

#include <stdbool.h>
#include <stddef.h>

#include "clock.h"

struct sample;

enum slo_metric { SLO_TTFT, SLO_TPOT, SLO_ITL, SLO_TTLT, SLO_COUNT };

struct slo {
	usec_t	limit[SLO_COUNT];	/* 0: no objective on this metric */
};

const char *slo_name(enum slo_metric);
bool slo_any(const struct slo *);
/* Parses "ttft:500ms,tpot:50ms"; -1 with a message naming the bad part. */
int slo_parse(const char *s, struct slo *out, char *err, size_t errlen);
/* What the objectives judge of a request: whether it succeeded, and its
 * TTFT, TPOT, worst gap between tokens and TTLT in seconds (a request of
 * one token has TPOT and gaps of 0). */
void slo_values(const struct sample *, bool *ok, double v[SLO_COUNT]);
/* Fills met[] per metric (true where no objective is set); returns whether
 * every objective is met. A failed request meets none. */
bool slo_meets(const struct slo *, bool ok, const double v[SLO_COUNT],
    bool met[SLO_COUNT]);

#endif
