/* The command line of `ttftop run` (and `demo`) turned into run settings. */
#ifndef TTFTOP_OPTIONS_H
#define TTFTOP_OPTIONS_H

#include <stdbool.h>

#include "clock.h"
#include "schedule.h"
#include "slo.h"

struct proto;
struct prompt;

#define OPT_ERR_MAX 256

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
	/* what is asked */
	char			*prompt;	/* --prompt, or the default */
	char			*prompts_file;
	struct prompt		*prompts;	/* what requests cycle through */
	size_t			 nprompts;
	bool			 shuffle;
	long			 input_tokens;	/* synthetic prompts; 0: none */
	long			 input_tokens_sd;
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
	usec_t			 timeout;
	enum transport		 transport;	/* never AUTO after parsing */
	bool			 headless;
	bool			 json;
	unsigned long		 seed;		/* given, or drawn and recorded */
	const char		*api_key;	/* from the environment, never saved */
	/* AWS kinds: from the environment, never saved */
	const char		*aws_key_id, *aws_secret, *aws_session_token;
	const char		*aws_region;
};

/* Parses argv (after the command word) into o. On bad usage returns -1 with
 * a one-line message in err naming the option. `demo` passes a default URL
 * and allows none on the command line. */
int options_parse(struct run_opts *o, int argc, char **argv, bool url_required,
    char *err, size_t errlen);
void options_free(struct run_opts *o);
/* The message for what getopt_long returned as ch, ':' (a value missing,
 * with ":" leading the option string) or '?' (an unknown option). */
void options_getopt_error(int ch, char **argv, char *err, size_t errlen);

/* Parses "1,5,20" into a list of positive integers (at most max each). */
int list_parse(const char *s, long max, int **out, int *n);
/* Parses "1,2.5,10" into a list of rates above 0. */
int rate_list_parse(const char *s, double **out, int *n);
/* Parses "N" or "N:SD". */
int mean_sd_parse(const char *s, long *mean, long *sd);

/* Whether a header's name marks its value as a secret. */
bool header_is_secret(const char *header);

#endif
