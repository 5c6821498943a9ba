/* A server's own metrics: the Prometheus text exposition format (0.0.4)
 * parsed as it arrives, in pieces of any size, and the table of the gauges
 * ttftop keeps from the servers it knows, under one set of names. */
#ifndef TTFTOP_METRICS_H
#define TTFTOP_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define PROM_LINE_MAX	(64 * 1024)	/* a longer line is refused */

enum prom_type {
	PROM_UNTYPED, PROM_COUNTER, PROM_GAUGE, PROM_HISTOGRAM, PROM_SUMMARY
};

/* One sample line: its name, its labels as written between the braces
 * (escapes kept; prom_label reads one), its value (NAN, +-INFINITY
 * allowed) and the type its family was declared with. */
struct prom_sample {
	const char	*name;
	size_t		 name_len;
	const char	*labels;	/* "" when none */
	size_t		 labels_len;
	double		 value;
	enum prom_type	 type;
};

struct prom_parser {
	struct buf	 line;		/* a line not yet whole */
	long		 lineno;
	bool		 failed;	/* a line too long: err says so */
	char		 err[160];
	long		 skipped;	/* lines off the format, skipped */
	char		 skip_err[160];	/* the first one: its line and why */
	/* the family the last TYPE comment declared */
	char		 family[128];
	enum prom_type	 family_type;
	void		(*on_sample)(void *ctx, const struct prom_sample *);
	void		*ctx;
};

void prom_init(struct prom_parser *, void (*on_sample)(void *,
    const struct prom_sample *), void *ctx);
void prom_done(struct prom_parser *);
/* Feeds bytes; a line off the format is skipped (skipped, skip_err), a
 * line past PROM_LINE_MAX stops the parse (failed, err naming the line).
 * Returns 0, or -1 once failed. */
int prom_feed(struct prom_parser *, const char *data, size_t n);
/* The last line, when it had no newline. */
int prom_finish(struct prom_parser *);
const char *prom_type_name(enum prom_type);
/* The value of label key in a sample's labels, unescaped into out; false
 * when it has none. */
bool prom_label(const struct prom_sample *, const char *key, char *out,
    size_t len);

/* The gauges ttftop keeps, whatever the server calls them. */
enum server_gauge {
	SG_RUNNING,		/* requests being served */
	SG_WAITING,		/* requests queued */
	SG_KV_USAGE,		/* KV cache in use, 0-1 */
	SG_PREFIX_HIT,		/* prefix cache hit rate, 0-1 */
	SG_PREEMPTIONS,		/* per second (from a counter) */
	SG_GEN_TOKENS,		/* tokens generated per second (a counter) */
	SG_GPU_UTIL,		/* %, averaged over GPUs */
	SG_GPU_MEM,		/* MiB used, summed */
	SG_GPU_POWER,		/* W, summed */
	SG_COUNT
};

/* The gauge a source series feeds and how: its scale to the gauge's unit,
 * and whether it is a counter (kept as its rate). -1 when unknown. */
int server_gauge_of(const char *name, size_t len, double *scale, bool *counter);
const char *server_gauge_name(enum server_gauge);
/* Whether a gauge is a share (KV cache, prefix hits, GPU utilisation),
 * averaged over its label sets (GPUs, engines); the others are summed. */
bool server_gauge_averaged(enum server_gauge);
/* How a gauge is shown: its title, the scale to the unit shown (100 for a
 * share) and that unit. */
struct server_gauge_show {
	const char	*title;
	double		 scale;
	const char	*unit;
};
const struct server_gauge_show *server_gauge_show(enum server_gauge);
/* Whether a family is a server's own TTFT histogram (vLLM's, SGLang's). */
bool server_ttft_family(const char *name, size_t len);

/* A histogram as Prometheus keeps it: cumulative counts by upper bound,
 * ascending, the last +Inf. */
#define PROM_HIST_MAX	40	/* buckets kept; a longer histogram is not */
struct prom_hist {
	int	n;
	double	le[PROM_HIST_MAX];
	double	cum[PROM_HIST_MAX];
	double	sum, count;
};

/* The q-quantile (0-1) interpolated linearly within its bucket, as
 * PromQL's histogram_quantile does: a quantile in the +Inf bucket is the
 * highest finite bound. NAN when empty. */
double prom_hist_quantile(const struct prom_hist *, double q);
/* The bucket the q-quantile falls in: all a histogram knows of it (hi may
 * be +Inf). -1 when empty. */
int prom_hist_bucket(const struct prom_hist *, double q, double *lo, double *hi);
/* Adds d's counts into sum, which takes d's buckets when it has none;
 * -1 when their buckets differ (sum unchanged). */
int prom_hist_add(struct prom_hist *sum, const struct prom_hist *d);

#endif
