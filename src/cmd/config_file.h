/* --config FILE and --rerun FILE.jsonl: a run's settings from a file, as
 * the options they stand for. Each key becomes "--name value" and goes
 * through the very handler the command line's option does, so one rule
 * checks both; the command line, read after, overrides. */
#ifndef TTFTOP_CONFIG_FILE_H
#define TTFTOP_CONFIG_FILE_H

#include <stdbool.h>
#include <stddef.h>

struct config_opt {
	char	*name;		/* the long option */
	char	*value;		/* NULL for a flag */
	char	*key;		/* the file's key, for messages */
};

struct config {
	const char		*path;
	struct config_opt	*v;
	int			 n;
	char			*url;	/* the target, when the file names one */
};

/* Whether a long option exists, and whether it takes a value: the parser's
 * table (options.c) answers. */
typedef int (*config_arg_kind)(const char *name);	/* -1, 0 flag, 1 value */

/* Reads a --config file (a JSON object of the run record's config keys,
 * plus api, model and url) or, with rerun, a saved run's first record (its
 * target and config; its seed left out, so the rerun draws a new one).
 * Returns 0, or -1 with err naming the file, and the line and column or
 * the key at fault. */
int config_load(struct config *, const char *path, bool rerun,
    config_arg_kind kind, char *err, size_t errlen);
void config_free(struct config *);

#endif
