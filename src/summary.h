/* The end-of-run summary, from statistics alone: a markdown table per stage,
 * or the same as JSON. Replay prints it from a file and gets the same bytes. */
#ifndef TTFTOP_SUMMARY_H
#define TTFTOP_SUMMARY_H

#include <stdio.h>

struct stats;
struct run_info;

void summary_markdown(FILE *, const struct run_info *, struct stats *);
void summary_json(FILE *, const struct run_info *, struct stats *);
/* What a terminal gets after the screen: the stages in 100 columns and the
 * most common error with the server's words. */
void summary_compact(FILE *, const struct run_info *, struct stats *);

#endif
