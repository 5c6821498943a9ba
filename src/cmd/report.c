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
#include "cost.h"
#include "exit_status.h"
#include "labels.h"
#include "report.h"
#include "xalloc.h"

#define TREND_NONE	(-2)	/* not --trend; -1: its baseline the first */

/* Reads every file before anything is written; returns the exit status. */
static int
report_files(const char *prog, enum report_format fmt, const char *out,
    char *const *paths, int n, const char **labels, int nlabels,
    const struct asserts *as, int trend_base, bool leaderboard,
    const struct price *price)
{
	struct report rep;
	char err[512];
	int rc = EXIT_OK;
	FILE *f = stdout;

	if (report_read(&rep, paths, n, labels, nlabels, err, sizeof err) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		rc = EXIT_USAGE;
	}
	if (rc == EXIT_OK && price != NULL && price->set)
		report_set_price(&rep, price);
	if (rc == EXIT_OK && out != NULL && (f = fopen(out, "w")) == NULL) {
		fprintf(stderr, "%s: -o %s: %s\n", prog, out, strerror(errno));
		rc = EXIT_USAGE;
	}
	if (rc == EXIT_OK) {
		if (leaderboard)
			report_leaderboard(f, &rep, fmt);
		else if (trend_base != TREND_NONE)
			report_trend(f, &rep, trend_base, fmt);
		else
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
	    n, labels, nlabels, NULL, TREND_NONE, false, NULL);
}

int
report_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "label", required_argument, NULL, 'l' },
		{ "assert", required_argument, NULL, 'A' },
		{ "trend", no_argument, NULL, 'T' },
		{ "baseline", required_argument, NULL, 'B' },
		{ "layout", required_argument, NULL, 'L' },
		{ "price", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};
	const char *baseline = NULL;
	bool trend = false, leaderboard = false;
	struct price price = { 0 };
	char **paths;
	struct asserts as = { NULL, 0 };
	enum report_format fmt = REPORT_MD;
	const char *out = NULL, **labels = NULL;
	char err[OPT_ERR_MAX];
	int ch, nlabels = 0, n, rc, base, i;

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
		case 'T':
			trend = true;
			break;
		case 'P':
			if (price_parse(optarg, &price, err, sizeof err) != 0) {
				fprintf(stderr, "ttftop report: %s\n", err);
				asserts_free(&as);
				free(labels);
				return EXIT_USAGE;
			}
			break;
		case 'B':
			baseline = optarg;
			break;
		case 'L':
			if (strcmp(optarg, "leaderboard") != 0 && strcmp(optarg,
			    "stages") != 0) {
				fprintf(stderr, "ttftop report: --layout: unknown layout '%s' "
				    "(stages, the default, or leaderboard)\n", optarg);
				asserts_free(&as);
				free(labels);
				return EXIT_USAGE;
			}
			leaderboard = strcmp(optarg, "leaderboard") == 0;
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
	if (leaderboard && (trend || (fmt != REPORT_MD && fmt != REPORT_HTML))) {
		fprintf(stderr, "ttftop report: --layout leaderboard is md or html, "
		    "and not a --trend\n");
		asserts_free(&as);
		free(labels);
		return EXIT_USAGE;
	}
	if (baseline != NULL && !trend) {
		fprintf(stderr, "ttftop report: --baseline is for --trend\n");
		asserts_free(&as);
		free(labels);
		return EXIT_USAGE;
	}
	/* --baseline FILE: one of the series, or read with it */
	paths = xcalloc((size_t)n + 2, sizeof *paths);
	memcpy(paths, argv + optind, (size_t)n * sizeof *paths);
	base = trend ? -1 : TREND_NONE;
	for (i = 0; baseline != NULL && i < n; i++)
		if (strcmp(paths[i], baseline) == 0)
			base = i;
	if (baseline != NULL && base < 0) {
		paths[n] = (char *)baseline;
		base = n++;
	}
	rc = report_files("ttftop report", fmt, out, paths, n, labels, nlabels,
	    &as, base, leaderboard, &price);
	free(paths);
	asserts_free(&as);
	free(labels);
	return rc;
}
