/* A run's scrapes read into ttftop's gauges: the known series under one
 * name each, a counter as its rate since the same source's scrape before,
 * and the server's own TTFT histogram as its change since then (the first
 * tokens it served in between). The statistics, the live windows and the
 * html read scrapes through it, so each shows the same figures. */
#ifndef TTFTOP_SERVER_READ_H
#define TTFTOP_SERVER_READ_H

#include <stdbool.h>

#include "clock.h"
#include "metrics.h"
#include "sink.h"

#define SERVER_SOURCES	16	/* sources followed; more read gauges only */

struct server_reading {
	double		 v[SG_COUNT];	/* NAN: not in the scrape (a rate: not
					   before its source's second one) */
	struct prom_hist ttft;		/* first tokens served since the
					   source's last scrape; n 0: none */
};

struct server_source {
	char		*url;
	usec_t		 t;
	double		 counter[SG_COUNT];	/* NAN: none */
	struct prom_hist ttft;			/* cumulative; n 0: none */
};

/* What is remembered of each source: its last counters and histogram. */
struct server_reader {
	struct server_source	src[SERVER_SOURCES];
	int			n;
};

void server_reader_init(struct server_reader *);
void server_reader_done(struct server_reader *);
/* Reads a scrape into *out; false for a gap (out all NAN). */
bool server_read(struct server_reader *, const struct server_scrape *,
    struct server_reading *out);

#endif
