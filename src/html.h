/* `ttftop report --format html`: one self-contained page of tables and
 * inline SVG charts, nothing fetched from anywhere. */
#ifndef TTFTOP_HTML_H
#define TTFTOP_HTML_H

#include <stdio.h>

#include "jsonl.h"
#include "metrics.h"
#include "stats.h"

struct html_mark {
	usec_t	 t;
	char	*text;		/* NULL: a pause, from t to until */
	usec_t	 until;
};

struct html_point {
	float	t;		/* the request's start, s of run time */
	float	v;		/* its TTFT, s */
};

/* One scrape of the server's metrics, read into ttftop's gauges: NAN for
 * a gauge it did not have, all NAN for a gap. */
struct html_scrape {
	float	t;		/* s of run time */
	float	v[SG_COUNT];
};

/* One saved run, as the report read it. */
struct html_run {
	const char		*label;
	const struct run_info	*ri;
	struct stats		*st;
	struct html_mark	*marks;		/* and pauses */
	size_t			 nmarks;
	struct html_point	*ttft;	/* every successful request */
	size_t			 nttft;
	struct html_scrape	*server;	/* in time order */
	size_t			 nserver;
};

void html_write(FILE *, const struct html_run *, int n);
struct trend;
struct leaderboard;
/* report --layout leaderboard -f html. */
void html_leaderboard(FILE *, const struct leaderboard *);
/* report --trend -f html: the series' table and a chart a figure. */
void html_trend(FILE *, const struct trend *);

#endif
