/* Records of the JSONL format, schema 1 (DESIGN.md section 4): encoding
 * into one line each, and decoding a line back. */
#ifndef TTFTOP_JSONL_H
#define TTFTOP_JSONL_H

#include <stddef.h>

#include "buf.h"
#include "sink.h"
#include "cost.h"
#include "slo.h"

#define JSONL_SCHEMA 2	/* 2: stages have segments */
/* The longest run a file may hold, in seconds (30 days): a reader refuses
 * times beyond it, and files merged into one timeline further apart. */
#define JSONL_SECONDS_MAX (30.0 * 24 * 3600)
/* The longest line a reader takes, in bytes. */
#define JSONL_LINE_MAX	((size_t)64 << 20)

struct run_opts;

/* The run record's fields that readers use. */
struct run_info {
	int	 schema;
	char	*tool;
	char	*started;	/* UTC, ISO 8601 with microseconds */
	double	 mono0;		/* CLOCK_MONOTONIC seconds at the run's start */
	char	*url;
	char	*api;
	char	*model;		/* NULL when none was given */
	int	 nstages;	/* planned stages */
	char	*config;	/* the run's settings as JSON, or NULL */
	bool	 open_loop;
	struct slo slo;		/* --slo, for goodput */
	struct price price;	/* --price, for the cost */
};

enum record_type { REC_RUN, REC_STAGE, REC_REQUEST, REC_CONTROL, REC_END,
	REC_SERVER };

struct record {
	enum record_type type;
	struct run_info	 run;
	struct sample	 sample;
	struct event	 event;		/* stage and control */
	struct end_info	 end;
	struct server_scrape server;	/* its strings are the record's */
};

/* Each appends one line, newline included. */
void jsonl_run(struct buf *, const struct run_info *, const struct run_opts *);
void jsonl_sample(struct buf *, const struct sample *);
void jsonl_event(struct buf *, const struct event *);
void jsonl_end(struct buf *, const struct end_info *);
void jsonl_server(struct buf *, const struct server_scrape *);

/* Decodes one line (without its newline). Returns 0, 1 for a record of a
 * type this version does not know (to be skipped), or -1 with a message in
 * err. The record owns its strings: free them with record_free. */
int jsonl_decode(const char *line, size_t len, struct record *, char *err,
    size_t errlen);
void record_free(struct record *);
/* The first setting (a key of the run record's config, the seed left out)
 * in which two runs differ, or NULL when they agree. */
const char *jsonl_config_differs(const struct run_info *, const struct run_info *,
    char *buf, size_t len);
/* Frees what jsonl_decode keeps for the calling thread, before it ends. */
void jsonl_thread_done(void);
void run_info_free(struct run_info *);

#endif
