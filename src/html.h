/* `ttftop report --format html`: one self-contained page of tables and
 * inline SVG charts, nothing fetched from anywhere. */
#ifndef TTFTOP_HTML_H
#define TTFTOP_HTML_H

#include <stdio.h>

#include "jsonl.h"
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

/* One saved run, as the report read it. */
struct html_run {
	const char		*label;
	const struct run_info	*ri;
	struct stats		*st;
	struct html_mark	*marks;		/* and pauses */
	size_t			 nmarks;
	struct html_point	*ttft;	/* every successful request */
	size_t			 nttft;
};

void html_write(FILE *, const struct html_run *, int n);

#endif
