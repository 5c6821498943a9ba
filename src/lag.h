/* How late the generator read bytes (the loop lag), as a histogram of every
 * read: 8 buckets an octave, so a percentile is within 7 % of the truth,
 * in 576 bytes. */
#ifndef TTFTOP_LAG_H
#define TTFTOP_LAG_H

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

/* The p-th percentile in seconds (a bucket's middle), NAN when empty. */
double lag_percentile(const struct lag_hist *, double p);
uint64_t lag_count(const struct lag_hist *);

#endif
