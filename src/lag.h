/* How late the generator read bytes (the loop lag), as a histogram of every
 * read: 8 buckets an octave, so a percentile is within 7 % of the truth,
 * in 576 bytes. */
#ifndef TTFTOP_LAG_H
#define TTFTOP_LAG_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"

#define LAG_BUCKETS 144		/* up to 2^20 us, 1 s; beyond in the last */

struct lag_hist {
	uint32_t	n[LAG_BUCKETS];
};

static inline int
lag_bucket(usec_t us)
{
	int msb;

	if (us < 8)
		return us < 0 ? 0 : (int)us;
	msb = 63 - __builtin_clzll((unsigned long long)us);
	if (msb >= 20)
		return LAG_BUCKETS - 1;
	return 8 + (msb - 3) * 8 + (int)((us >> (msb - 3)) & 7);
}

static inline void
lag_add(struct lag_hist *h, usec_t us)
{
	h->n[lag_bucket(us)]++;
}

/* Past these the generator, not the endpoint, may set the figures. */
#define GEN_LAG_MAX	0.001	/* s of loop lag or lateness, p99 */
#define GEN_CPU_MAX	0.9	/* of one core */
/* The evidence a verdict needs: a p99 of fewer reads or sends is noise, and
 * a CPU share over less time is mostly the start (libraries, the CA store). */
#define GEN_READS_MIN	100
#define GEN_SPAN_MIN	2.0	/* s */

/* The one verdict on the generator, live and at the end: overloaded when
 * its loop lag (p99 of that many reads, s), its lateness (of that many
 * sends) or its CPU share of one core is past the limits, with enough
 * evidence; NAN is not known, never past. */
bool lag_overloaded(double lag_p99, uint64_t reads, double late_p99,
    uint64_t sends, double cpu_share);

/* The p-th percentile in seconds (a bucket's middle), NAN when empty. */
double lag_percentile(const struct lag_hist *, double p);
uint64_t lag_count(const struct lag_hist *);

#endif
