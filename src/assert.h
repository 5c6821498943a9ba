/* Pass/fail thresholds over a run's figures (--assert, report --assert):
 * "ttft.p95<500ms,errors<1%,tok_s>2000@last", each over the whole run or
 * one stage (its segments together), judged after the run from the
 * statistics alone, so a saved run is judged the same. */
#ifndef TTFTOP_ASSERT_H
#define TTFTOP_ASSERT_H

#include <stdbool.h>
#include <stdio.h>

#include "slo.h"
#include "stats.h"

enum assert_op { AS_LT, AS_LE, AS_GT, AS_GE };

struct assert_item {
	char		 text[80];	/* as given, for its verdict */
	int		 metric;	/* an index into assert.c's table */
	int		 field;		/* latency: a percentile, or mean ... */
	enum assert_op	 op;
	double		 want;		/* s, a share (0-1), or as counted */
	int		 stage;		/* 0: the whole run; -1: the last */
};

struct asserts {
	struct assert_item	*v;
	int			 n;
};

struct assert_result {
	const struct assert_item *a;
	double			 value;		/* NAN: nothing to judge */
	bool			 pass;		/* false when NAN */
	char			 shown[32];	/* the value, in the item's unit */
};

/* Adds the thresholds of one --assert (comma-separated); -1 with a message
 * naming the bad part (and the metrics there are). */
int assert_parse(struct asserts *, const char *expr, char *err, size_t errlen);
void asserts_free(struct asserts *);
/* Whether a threshold needs --slo (goodput), for the option check. */
bool asserts_need_slo(const struct asserts *);
/* Judges every threshold over the statistics; out holds n results. */
void assert_eval(const struct asserts *, struct stats *, const struct slo *,
    usec_t end, struct assert_result *out);
/* One line each: "✓ ttft.p95<500ms  213.4ms" (ASCII "ok"/"FAIL" when
 * utf8 is false); returns whether all passed. */
bool assert_print(FILE *, const struct assert_result *, int n, bool utf8);

#endif
