/* `report --trend`: saved runs in the order they began (a nightly series),
 * a row each with its whole-run figures and their change against a
 * baseline (the first, or --baseline), marked where compare finds the
 * change significant. */
#ifndef TTFTOP_TREND_H
#define TTFTOP_TREND_H

#include <stdio.h>

#include "compare.h"
#include "jsonl.h"
#include "stats.h"

enum trend_figure { TF_TTFT_P50, TF_TTFT_P95, TF_TPOT_P50, TF_PEAK_TOK_S,
	TF_ERRORS, TF_COST, TF_COUNT };	/* TF_COST: with --price */

struct trend_cell {
	double		 v;		/* s, tok/s, or a share */
	double		 pct;		/* against the baseline; errors: points */
	enum verdict	 verdict;	/* compare's, over the stages in common */
};

struct trend_row {
	const char		*label;
	const char		*started;
	bool			 baseline;
	struct trend_cell	 c[TF_COUNT];
};

struct trend {
	struct trend_row	*rows;
	int			 n;
};

/* Rows for the n runs in the order they began; base indexes the baseline
 * among them. The verdicts' bootstrap is seeded: the same files, the same
 * marks. */
void trend_build(struct trend *, struct stats **st, const struct run_info **ri,
    const char **labels, int n, int base, unsigned long seed);
void trend_free(struct trend *);
const char *trend_figure_name(enum trend_figure);	/* "ttft_p50_ms" */
const char *trend_figure_title(enum trend_figure);	/* "TTFT p50" */
/* The value as the tables show it: ms, tok/s, or %. */
double trend_shown(enum trend_figure, double v);
void trend_markdown(FILE *, const struct trend *);
void trend_csv(FILE *, const struct trend *);
void trend_json(FILE *, const struct trend *);

#endif
