/* `ttftop compare BASE NEW`: is NEW slower than BASE? Stages are matched
 * by their load (clients, or rate), and for each figure the change with a
 * 95 % confidence interval and a verdict: percentiles by a bootstrap over
 * the requests (seeded: the same files give the same verdict), rates and
 * the error share by their standard errors. */
#ifndef TTFTOP_COMPARE_H
#define TTFTOP_COMPARE_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"
#include "jsonl.h"
#include "stats.h"

#define COMPARE_MIN_CHANGE 2.0	/* %: a smaller change is no change, however
				   sure (machines differ by that much) */

enum verdict { V_SAME, V_FASTER, V_SLOWER, V_NONE };

struct compare_row {
	char		 name[16];	/* "ttft.p95", "tok_s", "errors" */
	double		 base, new_;	/* s, tok/s, req/s, or a share */
	double		 change;	/* new - base */
	double		 pct;		/* change / base, %; errors: points */
	double		 lo, hi;	/* its 95 % interval, as pct */
	enum verdict	 verdict;
};

struct compare_stage {
	const struct stage_stats *base, *new_;
	struct compare_row	*rows;
	int			 nrows;
};

/* One side: a saved run, or several files merged into one (read into own),
 * or statistics its caller holds. */
struct compare_side {
	struct run_info	 ri;
	struct stats	 own;
	bool		 owned;
	struct stats	*st;
	const char	*label;
};

struct compare {
	struct compare_side	 side[2];
	struct compare_stage	*stages;
	int			 nstages;
	const struct stage_stats **unmatched[2];	/* stages of one side only */
	int			 nunmatched[2];
};

/* Reads each side's files; -1 with err naming the file and line. */
int compare_read(struct compare *, char *const *base, int nbase,
    char *const *new_, int nnew, char *err, size_t errlen);
/* Or sets each side to statistics the caller holds (report --trend). */
void compare_set(struct compare *, struct stats *base, const char *base_label,
    struct stats *new_, const char *new_label);
/* Matches the stages and judges each figure; -1 with err when no stage is
 * common to both. */
int compare_run(struct compare *, unsigned long seed, char *err, size_t errlen);
void compare_free(struct compare *);
void compare_markdown(FILE *, const struct compare *);
void compare_json(FILE *, const struct compare *);
const char *compare_verdict_name(enum verdict);

/* --fail-on 'ttft.p95>+10%,tok_s<-5%': each a row's name, a direction and
 * a bound on its change (% , or points for errors). */
struct fail_on {
	char	 name[16];
	bool	 above;		/* fails when the change is above bound */
	double	 bound;
};
int fail_on_parse(const char *s, struct fail_on **out, int *n, char *err,
    size_t errlen);
/* The rows that fail a bound with a significant change, said on f;
 * returns how many. */
int fail_on_check(FILE *, const struct compare *, const struct fail_on *, int n);
/* The verdict on a figure (a row's name) over the matched stages: slower
 * when a stage's is, else faster when one is, else no change; V_NONE when
 * no stage judged it. */
enum verdict compare_figure(const struct compare *, const char *name);

#endif
