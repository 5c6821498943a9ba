#include "config.h"

#include <math.h>

#include "lag.h"

uint64_t
lag_count(const struct lag_hist *h)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < LAG_BUCKETS; i++)
		n += h->n[i];
	return n;
}

double
lag_percentile(const struct lag_hist *h, double p)
{
	uint64_t total = lag_count(h), want, seen = 0;
	int i;

	if (total == 0)
		return NAN;
	want = (uint64_t)ceil(p / 100.0 * (double)total);
	if (want == 0)
		want = 1;
	for (i = 0; i < LAG_BUCKETS; i++) {
		seen += h->n[i];
		if (seen >= want)
			break;
	}
	if (i < 8)
		return i / 1e6;
	{
		int msb = (i - 8) / 8 + 3, sub = (i - 8) % 8;
		long low = (long)(8 + sub) << (msb - 3), width = 1L << (msb - 3);

		/* whole microseconds, as the JSONL keeps them */
		return (double)(low + width / 2) / 1e6;
	}
}

bool
lag_overloaded(double lag_p99, uint64_t reads, double late_p99,
    uint64_t sends, double cpu_share)
{
	return (reads >= GEN_READS_MIN && !isnan(lag_p99) && lag_p99 > GEN_LAG_MAX) ||
	    (sends >= GEN_READS_MIN && !isnan(late_p99) && late_p99 > GEN_LAG_MAX) ||
	    (!isnan(cpu_share) && cpu_share > GEN_CPU_MAX);
}
