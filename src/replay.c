#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonl.h"
#include "replay.h"
#include "stats.h"
#include "summary.h"
#include "xalloc.h"

#define EXIT_USAGE 2
#define ERR_MAX 256

int
replay_read(const char *path, struct run_info *ri, struct sink *k, char *err,
    size_t errlen)
{
	FILE *f;
	char *line = NULL, why[ERR_MAX];
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	bool have_run = false;
	int rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		struct record r;
		bool last = line[n - 1] != '\n';	/* no newline: the file's end */
		int d;

		lineno++;
		if (!last)
			line[--n] = '\0';	/* the newline */
		d = jsonl_decode(line, (size_t)n, &r, why, sizeof why);
		if (d < 0 && last && have_run) {
			/* a crash can cut the last line short: it is all that is lost */
			fprintf(stderr, "ttftop replay: warning: %s:%ld: the last line is "
			    "cut short; skipped\n", path, lineno);
			break;
		}
		if (d < 0 || (!have_run && (d != 0 || r.type != REC_RUN))) {
			if (d >= 0)
				record_free(&r);
			if (!have_run)
				snprintf(err, errlen, "%s:%ld: not a ttftop JSONL file (%s)",
				    path, lineno, d < 0 ? why : "it does not begin with a run record");
			else
				snprintf(err, errlen, "%s:%ld: %s", path, lineno, why);
			rc = -1;
			break;
		}
		if (d == 1)
			continue;	/* a record type of a later version */
		switch (r.type) {
		case REC_RUN:
			if (have_run) {
				snprintf(err, errlen, "%s:%ld: a second run record", path, lineno);
				record_free(&r);
				rc = -1;
				goto out;
			}
			*ri = r.run;
			memset(&r.run, 0, sizeof r.run);	/* kept, not freed */
			have_run = true;
			break;
		case REC_STAGE:
		case REC_CONTROL:
			k->on_event(k->self, &r.event);
			break;
		case REC_REQUEST:
			k->on_sample(k->self, &r.sample);
			break;
		case REC_END:
			k->on_end(k->self, &r.end);
			break;
		}
		record_free(&r);
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	} else if (rc == 0 && !have_run) {
		snprintf(err, errlen, "%s: empty: not a ttftop JSONL file", path);
		rc = -1;
	}
out:
	free(line);
	fclose(f);
	return rc;
}

int
replay_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "headless", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct run_info ri;
	struct stats st;
	struct sink k;
	char err[ERR_MAX * 2];
	bool json = false, headless = false;
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			headless = true;
			break;
		case 'j':
			json = headless = true;
			break;
		default:
			fprintf(stderr, "ttftop replay: unknown option %s\n", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "ttftop replay: no FILE given (e.g. ttftop replay --headless run.jsonl)\n");
		return EXIT_USAGE;
	}
	if (optind + 1 < argc) {
		fprintf(stderr, "ttftop replay: not supported yet: several files (merge, --compare)\n");
		return EXIT_USAGE;
	}
	if (!headless && isatty(STDOUT_FILENO))
		fprintf(stderr, "ttftop replay: not supported yet: replay in the live "
		    "screen; printing the summary\n");
	memset(&ri, 0, sizeof ri);
	stats_init(&st);
	k = stats_sink(&st);
	rc = replay_read(argv[optind], &ri, &k, err, sizeof err);
	if (rc == 0) {
		if (json)
			summary_json(stdout, &ri, &st);
		else
			summary_markdown(stdout, &ri, &st);
	} else
		fprintf(stderr, "ttftop replay: %s\n", err);
	stats_done(&st);
	run_info_free(&ri);
	return rc == 0 ? 0 : EXIT_USAGE;
}
