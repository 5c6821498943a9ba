/* Reports of saved runs: each file read into statistics of its own, then
 * written as markdown, csv, json or an html page. */
#ifndef TTFTOP_REPORT_H
#define TTFTOP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum report_format { REPORT_MD, REPORT_CSV, REPORT_JSON, REPORT_HTML };

struct run_file;

struct report {
	struct run_file	*runs;
	int		 n;
};

/* "md", "csv", "json" or "html"; -1 for anything else. */
int report_format_parse(const char *name, enum report_format *out);
/* Reads every file (labelled by labels, else model@url); returns 0, or -1
 * with err naming the file and line. report_free either way. */
int report_read(struct report *, char *const *paths, int n,
    const char **labels, int nlabels, char *err, size_t errlen);
void report_write(FILE *, const struct report *, enum report_format);
void report_free(struct report *);
/* --trend: the runs in the order they began, each against the baseline
 * (the run at index base), in the format asked. */
void report_trend(FILE *, const struct report *, int base, enum report_format);
/* --layout leaderboard: a table per metric, a row per file (md or html). */
void report_leaderboard(FILE *, const struct report *, enum report_format);
struct price;
/* --price: the prices of every run read, over any they were run with. */
void report_set_price(struct report *, const struct price *);
struct asserts;
/* Judges each run by the thresholds (under its own --slo), a block of
 * verdicts per run to f (headed by its label when there are several);
 * returns whether every one passed. */
bool report_assert(FILE *, const struct report *, const struct asserts *,
    bool utf8);

#endif
