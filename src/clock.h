/* Time in integer microseconds, the unit every record is kept in, so that a
 * value written to JSONL and read back is the same value. */
#ifndef TTFTOP_CLOCK_H
#define TTFTOP_CLOCK_H

#include <stdint.h>
#include <time.h>

typedef int64_t usec_t;

#define USEC_PER_SEC  1000000
#define USEC_NONE     INT64_MIN	/* a time that was never reached */

static inline usec_t
clock_mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (usec_t)ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

static inline double
usec_to_sec(usec_t u)
{
	return (double)u / USEC_PER_SEC;
}

/* Formats u as seconds with six decimals ("-1.000250"); returns the length.
 * buf must hold 24 bytes. */
int usec_format(char *buf, usec_t u);

/* Parses a duration: "250ms", "30s", "2m", "1h", "1.5s", "20us"; a bare
 * number is seconds. Returns 0, or -1 when s is not a duration. */
int duration_parse(const char *s, usec_t *out);

#endif
