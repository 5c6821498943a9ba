/* The headless printer: a sink that writes a progress line to a stream
 * (stderr) each time the load tells its gauge, once a second. */
#ifndef TTFTOP_HEADLESS_H
#define TTFTOP_HEADLESS_H

#include <stdio.h>

#include "sink.h"

struct stats;

struct headless {
	FILE		*f;
	struct stats	*stats;		/* the run's: TTFT, tokens per chunk */
	long		 requests;	/* finished */
	long		 errors;
	long		 last_chunks;
	double		 last_t;
};

/* The caller sets stats, and f to print (NULL: silent), and keeps h for
 * the sink's life. */
struct sink headless_sink(struct headless *h);

#endif
