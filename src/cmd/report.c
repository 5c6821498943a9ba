/* `ttftop report`: tables and an html page of saved runs. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assert.h"
#include "cmd/commands.h"
#include "cmd/options.h"
#include "exit_status.h"
#include "labels.h"
#include "report.h"
#include "xalloc.h"

/* Reads every file before anything is written; returns the exit status. */
static int
report_files(const char *prog, enum report_format fmt, const char *out,
    char *const *paths, int n, const char **labels, int nlabels,
    const struct asserts *as)
{
	struct report rep;
	char err[512];
	int rc = EXIT_OK;
	FILE *f = stdout;

	if (report_read(&rep, paths, n, labels, nlabels, err, sizeof err) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		rc = EXIT_USAGE;
	}
	if (rc == EXIT_OK && out != NULL && (f = fopen(out, "w")) == NULL) {
		fprintf(stderr, "%s: -o %s: %s\n", prog, out, strerror(errno));
		rc = EXIT_USAGE;
	}
	if (rc == EXIT_OK) {
		report_write(f, &rep, fmt);
		if ((f != stdout ? fclose(f) : fflush(f)) != 0) {
			fprintf(stderr, "%s: %s: %s\n", prog, out ? out : "stdout",
			    strerror(errno));
			rc = EXIT_FAILED;
		}
	}
	/* the thresholds after the report, on stderr (stdout may be it) */
	if (rc == EXIT_OK && as != NULL && as->n > 0 &&
	    !report_assert(stderr, &rep, as, label_utf8()))
		rc = EXIT_THRESHOLD;
	report_free(&rep);
	return rc;
}

int
report_compare(char *const *paths, int n, const char **labels, int nlabels,
    bool json)
{
	return report_files("ttftop replay", json ? REPORT_JSON : REPORT_MD, NULL, paths,
	    n, labels, nlabels, NULL);
}

int
report_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "label", required_argument, NULL, 'l' },
		{ "assert", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 }
	};
	struct asserts as = { NULL, 0 };
	enum report_format fmt = REPORT_MD;
	const char *out = NULL, **labels = NULL;
	char err[OPT_ERR_MAX];
	int ch, nlabels = 0, n, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":f:o:l:", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (report_format_parse(optarg, &fmt) != 0) {
				fprintf(stderr, "ttftop report: --format: unknown format '%s' "
				    "(md, csv, json or html)\n", optarg);
				free(labels);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 'l':
			labels = xreallocarray(labels, (size_t)nlabels + 1, sizeof *labels);
			labels[nlabels++] = optarg;
			break;
		case 'A':
			if (assert_parse(&as, optarg, err, sizeof err) != 0) {
				fprintf(stderr, "ttftop report: %s\n", err);
				asserts_free(&as);
				free(labels);
				return EXIT_USAGE;
			}
			break;
		default:
			options_getopt_error(ch, argv, err, sizeof err);
			fprintf(stderr, "ttftop report: %s\n", err);
			asserts_free(&as);
			free(labels);
			return EXIT_USAGE;
		}
	}
	n = argc - optind;
	if (n == 0 || nlabels > n) {
		fprintf(stderr, n == 0 ? "ttftop report: no FILE given (e.g. ttftop report "
		    "run.jsonl)\n" : "ttftop report: more --label than files\n");
		asserts_free(&as);
		free(labels);
		return EXIT_USAGE;
	}
	rc = report_files("ttftop report", fmt, out, argv + optind, n, labels, nlabels,
	    &as);
	asserts_free(&as);
	free(labels);
	return rc;
}
