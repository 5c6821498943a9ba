/* The settings of one run (`ttftop run`, `demo`, a rerun): what the command
 * line asked for, checked and completed. The command that fills it owns
 * every string and array in it (run_opts_free); the engine only reads it. */
#ifndef TTFTOP_RUN_OPTS_H
#define TTFTOP_RUN_OPTS_H

#include <sys/types.h>

#include <regex.h>
#include <stdbool.h>

#include "assert.h"
#include "cost.h"
#include "clock.h"
#include "redact.h"
#include "schedule.h"
#include "slo.h"

struct proto;
struct prompt;

enum transport {
	TRANSPORT_AUTO,		/* direct when it can, else curl */
	TRANSPORT_DIRECT,	/* plain HTTP/1.1 read off the socket */
	TRANSPORT_CURL
};

struct run_opts {
	char			*url;		/* as the user gave it */
	char			*endpoint;	/* completed with the API's path */
	const struct proto	*proto;
	char			*model;		/* NULL: not sent */
	int			*clients;	/* closed loop: one entry per stage */
	int			 nstages;
	usec_t			 stage_duration; /* 0: stages end by -n */
	long			 requests;	/* per client (closed) or stage (open);
						   0: by -d */
	/* open loop: -r, --rate-ramp or --schedule */
	bool			 open_loop;
	double			*rates;		/* one entry per stage */
	bool			 ramp;		/* rates[0] to ramp_to over -d */
	double			 ramp_to;
	enum arrival		 arrival;
	double			 arrival_shape;	/* gamma's K */
	long			 max_concurrency; /* 0: no cap */
	char			*schedule_file;
	usec_t			*sched_at;	/* --schedule: offsets, sorted */
	long			*sched_prompt;	/* prompt index, or -1 */
	size_t			 nsched;
	enum sched_format	 sched_format;	/* --schedule-format; as read */
	struct trace_req	*sched_req;	/* a trace's requests, or NULL */
	double			 time_scale;	/* --time-scale: offsets times it */
	long			 hash_block;	/* --hash-block: tokens a trace's
						   hash id stands for */
	/* what is asked */
	char			*prompt;	/* --prompt, or the default */
	char			*prompts_file;
	struct prompt		*prompts;	/* what requests cycle through */
	size_t			 nprompts;
	bool			 shuffle;
	long			 input_tokens;	/* synthetic prompts; 0: none */
	long			 input_tokens_sd;
	/* multi-turn sessions: --turns N[:SD] (0: none, unless the prompts
	 * are conversations), --think between turns */
	long			 turns, turns_sd;
	usec_t			 think;
	bool			 sessions;	/* clients hold conversations */
	long			 max_tokens;	/* 0: not sent */
	long			 max_tokens_sd;
	char			*body_extra;	/* --body, a JSON object */
	char			*body_file;	/* --body-file */
	char			*body_template;	/* its text: {{prompt}}, {{max_tokens}},
						   {{model}} */
	/* --api custom */
	bool			 stream_ndjson;	/* --stream ndjson; else sse */
	char			*token_path, *usage_path, *done_path;
	usec_t			 warmup;
	struct slo		 slo;
	char		       **headers;	/* "K: V" */
	int			 nheaders;
	char			*output;
	bool			 force;		/* --force: -o may overwrite */
	usec_t			 timeout;
	bool			 insecure;	/* -k: no TLS verification */
	char			*cacert;	/* --cacert: the CAs trusted;
						   NULL: the system's */
	enum transport		 transport;	/* never AUTO after parsing */
	bool			 preflight;	/* one request alone first */
	long			 max_errors;	/* failed in a row that stop the
						   run; 0: never */
#define MAX_SCRAPES 4
	char			*server_metrics[MAX_SCRAPES];	/* --server-metrics */
	int			 nserver_metrics;
	bool			 no_server_metrics;	/* none: not even the
							   target's own */
	struct asserts		 asserts;	/* --assert thresholds */
	struct price		 price;		/* --price */
#define MAX_SERVER_KEEP 8
	char			*server_keep_src[MAX_SERVER_KEEP]; /* --server-metric */
	regex_t			 server_keep[MAX_SERVER_KEEP];	/* whole names */
	int			 nserver_keep;
	bool			 headless;
	bool			 json;
	unsigned long		 seed;		/* given, or drawn and recorded */
	const char		*api_key;	/* from the environment, never saved */
	/* AWS kinds: from the environment, never saved */
	const char		*aws_key_id, *aws_secret, *aws_session_token;
	const char		*aws_region;
};

/* Frees what o owns and zeroes it. */
void run_opts_free(struct run_opts *o);

#endif
