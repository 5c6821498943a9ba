/* The command line of `ttftop run` (and `demo`) turned into run settings:
 * the option parser. */
#ifndef TTFTOP_OPTIONS_H
#define TTFTOP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "run_opts.h"

#define OPT_ERR_MAX 256

/* Parses argv (after the command word) into o. On bad usage returns -1 with
 * a one-line message in err naming the option; o keeps what it holds, for
 * run_opts_free. An option given twice keeps the last value (-H adds one).
 * `demo` passes a default URL and allows none on the command line. */
int options_parse(struct run_opts *o, int argc, char **argv, bool url_required,
    char *err, size_t errlen);
/* The message for what getopt_long returned as ch, ':' (a value missing,
 * with ":" leading the option string) or '?' (an unknown option). */
void options_getopt_error(int ch, char **argv, char *err, size_t errlen);

/* Parses "1,5,20" into a list of positive integers (at most max each). */
int list_parse(const char *s, long max, int **out, int *n);
/* Parses "1,2.5,10" into a list of rates above 0. */
int rate_list_parse(const char *s, double **out, int *n);
/* Parses "N" or "N:SD". */
int mean_sd_parse(const char *s, long *mean, long *sd);

#endif
