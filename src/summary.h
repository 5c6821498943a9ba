/* The end-of-run summary, from statistics alone: a markdown table per stage,
 * or the same as JSON. Replay prints it from a file and gets the same bytes. */
#ifndef TTFTOP_SUMMARY_H
#define TTFTOP_SUMMARY_H

#include <stdio.h>

struct stats;
struct run_info;

void summary_markdown(FILE *, const struct run_info *, struct stats *);
void summary_json(FILE *, const struct run_info *, struct stats *);
/* A stage's load as the tables say it: "20" clients, "4.5/s", "1-8/s". */
struct stage_stats;
void summary_load_label(char *out, size_t len, const struct stage_stats *);

#endif
