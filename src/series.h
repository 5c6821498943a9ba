/* The values of one metric over a stage, every one kept, for exact
 * percentiles. Times measured in whole microseconds (every latency, every
 * gap between tokens) are kept as 32-bit microseconds, 4 bytes each: the
 * token gaps are most of a long run's memory. A time outside 0 to 71
 * minutes (UINT32_MAX microseconds) is kept whole, apart, so it stays exact
 * too. Other values (TPOT, rates) are doubles. */
#ifndef TTFTOP_SERIES_H
#define TTFTOP_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"

struct series {
	bool	 usec;		/* filled by series_add_usec: u and wide */
	double	*v;		/* the values of series_add */
	uint32_t *u;		/* usec: microseconds in 0..UINT32_MAX */
	size_t	 cap;		/* of v or u */
	usec_t	*wide;		/* usec: the times beyond u's range */
	size_t	 nwide, wide_cap;
	size_t	 nneg;		/* of them, negative (before u in order) */
	size_t	 n;		/* every value */
	bool	 sorted;	/* in order (a summary sorted them) */
	bool	 mapped;	/* v or u is a mapping of its own (a large one) */
};

/* A series is of one kind: its first value says which. */
void series_add(struct series *, double v);
void series_add_usec(struct series *, usec_t v);
void series_free(struct series *);
/* The i-th value (from 0), in seconds for times; in order once sorted. */
double series_value(const struct series *, size_t i);
/* Puts the values in order, once: a summary reads them several times. */
void series_sort(struct series *);
/* Exact percentile p (0-100) of a sorted series, linearly interpolated. */
double series_percentile_of_sorted(const struct series *, double p);
/* The same of sorted doubles. */
double series_percentile_sorted(const double *v, size_t n, double p);
/* The same on a series in any order, without disturbing it. */
double series_percentile(const struct series *, double p);
/* The value of rank r (from 0) among k sorted series taken together. */
double series_rank(struct series *const *all, int k, size_t r);

#endif
