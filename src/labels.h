/* How ttftop writes a load and a number for a person, in one place: the
 * screen, the headless progress line, the summary, the reports and the
 * log all call these, so a stage reads the same everywhere. */
#ifndef TTFTOP_LABELS_H
#define TTFTOP_LABELS_H

#include <stdbool.h>
#include <stddef.h>

struct stage_stats;

/* A load: "20" (clients), "4/s", "1-50/s" (a ramp), or "trace" (rate NAN:
 * a --schedule file); rate_to is NAN but for a ramp. */
const char *label_load(char *out, size_t len, bool open_loop, int clients,
    double rate, double rate_to);
/* A stage's name: "3", or "3.2" for its second segment. */
const char *label_stage(char *out, size_t len, const struct stage_stats *);
/* A stage's (or segment's) load as it began. */
const char *label_stage_load(char *out, size_t len, const struct stage_stats *);
/* A duration: "-" (NAN), "0.8ms", "81ms", "1.73s", "12.5s". */
const char *label_duration(char *out, size_t len, double sec);
/* A count with thousands separated: "2,310"; below 100, "4.2". */
const char *label_count(char *out, size_t len, double v);
/* A share (0 to 1) in percent: "42%"; below 10, "0.5%" (a KV cache half a
 * percent full is not "1%"); "-" for NAN. */
const char *label_percent(char *out, size_t len, double share);

/* Whether the user's locale writes UTF-8 (else ASCII stands in: the
 * verdicts' check marks). */
bool label_utf8(void);

#endif
