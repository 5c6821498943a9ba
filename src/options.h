/* The command line of `ttftop run` (and `demo`) turned into run settings. */
#ifndef TTFTOP_OPTIONS_H
#define TTFTOP_OPTIONS_H

#include <stdbool.h>

#include "clock.h"

struct proto;

#define OPT_ERR_MAX 256

struct run_opts {
	char			*url;		/* as the user gave it */
	char			*endpoint;	/* completed with the API's path */
	const struct proto	*proto;
	char			*model;		/* NULL: not sent */
	int			*clients;	/* one entry per stage */
	int			 nstages;
	usec_t			 stage_duration; /* 0: stages end by -n */
	long			 requests;	/* per client per stage; 0: by -d */
	char			*prompt;
	long			 max_tokens;	/* 0: not sent */
	char		       **headers;	/* "K: V" */
	int			 nheaders;
	char			*output;
	usec_t			 timeout;
	bool			 headless;
	bool			 json;
	unsigned long		 seed;
	const char		*api_key;	/* from the environment, never saved */
};

/* Parses argv (after the command word) into o. On bad usage returns -1 with
 * a one-line message in err naming the option. `demo` passes a default URL
 * and allows none on the command line. */
int options_parse(struct run_opts *o, int argc, char **argv, bool url_required,
    char *err, size_t errlen);
void options_free(struct run_opts *o);

/* Parses "1,5,20" into a list of positive integers (at most max each). */
int list_parse(const char *s, long max, int **out, int *n);

/* Whether a header's name marks its value as a secret. */
bool header_is_secret(const char *header);

#endif
