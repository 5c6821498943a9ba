/* `report --layout leaderboard`: the layout of the published LLM
 * leaderboards, a table per metric (TTFT, TPOT by both definitions, a
 * request's decode rate, the run's tokens each second) with a row per
 * endpoint and the columns Mean, Min, Max, Median, p25, p75, p5 and p95,
 * the best row marked. */
#ifndef TTFTOP_LEADERBOARD_H
#define TTFTOP_LEADERBOARD_H

#include <stdbool.h>
#include <stdio.h>

#include "stats.h"

enum { LB_MEAN, LB_MIN, LB_MAX, LB_MEDIAN, LB_P25, LB_P75, LB_P5, LB_P95,
	LB_COLS };
#define LB_TABLES 5

struct lb_table {
	const char	*title;
	bool		 higher_is_better;
	int		 best;		/* the row with the best median, or -1 */
	double		(*v)[LB_COLS];	/* a row per endpoint, in its unit */
};

struct leaderboard {
	const char	**labels;
	int		  n;
	struct lb_table	  t[LB_TABLES];
};

void leaderboard_build(struct leaderboard *, struct stats **, const char **labels,
    int n);
void leaderboard_free(struct leaderboard *);
const char *leaderboard_column(int col);
void leaderboard_markdown(FILE *, const struct leaderboard *);

#endif
