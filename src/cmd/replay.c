/* `ttftop replay`: saved runs played back in the live screen, or their
 * summary again. */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "cmd/commands.h"
#include "cmd/options.h"
#include "exit_status.h"
#include "jsonl.h"
#include "player.h"
#include "replay.h"
#include "stats.h"
#include "summary.h"
#include "tui.h"
#include "xalloc.h"

#define ERR_MAX		256

/* A speed: a positive number, or "max". */
static int
speed_parse(const char *s, double *out)
{
	char *end;

	if (strcmp(s, "max") == 0) {
		*out = INFINITY;
		return 0;
	}
	*out = strtod(s, &end);
	return end != s && *end == '\0' && *out > 0 && isfinite(*out) ? 0 : -1;
}

/* The screen over one player (the files merged) or, with --compare, one
 * per file on one clock. */
static int
replay_screen(char *const *paths, int n, bool compare, const char **labels,
    int nlabels, double speed)
{
	struct ev_loop *loop = ev_default_loop(EVFLAG_AUTO);
	int nplayers = compare ? n : 1, i, rc = 0;
	struct player *ps = xcalloc((size_t)nplayers, sizeof *ps);
	struct player **pp = xcalloc((size_t)nplayers, sizeof *pp);
	const char **names = xcalloc((size_t)nplayers, sizeof *names);
	char err[ERR_MAX * 2];
	struct tui *t;
	int opened = 0;

	for (i = 0; i < nplayers; i++, opened++) {
		const char *base = strrchr(paths[i], '/');

		if (player_open(&ps[i], compare ? &paths[i] : paths, compare ? 1 : n,
		    speed, ev_time(), err, sizeof err) != 0) {
			fprintf(stderr, "ttftop replay: %s\n", err);
			rc = EXIT_USAGE;
			goto out;
		}
		pp[i] = &ps[i];
		names[i] = i < nlabels ? labels[i] : base != NULL ? base + 1 : paths[i];
	}
	{
		struct tui_model m = { &ps[0].ri, NULL, &ps[0].stats, &ps[0].live,
		    NULL, pp, nplayers, names };

		if ((t = tui_start(loop, &m)) == NULL) {
			fprintf(stderr, "ttftop replay: the terminal cannot show the "
			    "screen (TERM=%s)\n", getenv("TERM") ? getenv("TERM") : "");
			rc = 1;
			goto out;
		}
	}
	ev_run(loop, 0);
	tui_stop(t);
out:
	for (i = 0; i < opened; i++)
		player_close(&ps[i]);
	free(ps);
	free(pp);
	free(names);
	return rc;
}

/* After the screen, what the run printed after its own: the whole
 * session's summary, to 100 columns, and where the rest is. */
static int
replay_terminal_summary(char *const *paths, int n)
{
	struct run_info ri;
	struct stats st;
	struct sink k;
	char err[ERR_MAX * 2];
	int rc, i;

	memset(&ri, 0, sizeof ri);
	stats_init(&st);
	k = stats_sink(&st);
	rc = replay_read(paths, n, &ri, &k, err, sizeof err);
	if (rc == 0) {
		summary_compact(stdout, &ri, &st);
		fputs("\nfull table: ttftop report", stdout);
		for (i = 0; i < n; i++)
			printf(" %s", paths[i]);
		fputs("\nhtml: ttftop report -f html -o report.html", stdout);
		for (i = 0; i < n; i++)
			printf(" %s", paths[i]);
		fputc('\n', stdout);
	} else
		fprintf(stderr, "ttftop replay: %s\n", err);
	stats_done(&st);
	run_info_free(&ri);
	return rc == 0 ? 0 : EXIT_USAGE;
}

int
replay_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "headless", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "speed", required_argument, NULL, 's' },
		{ "compare", no_argument, NULL, 'c' },
		{ "label", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	const char *why;
	struct run_info ri;
	struct stats st;
	struct sink k;
	char err[ERR_MAX * 2];
	const char **labels = NULL;
	bool json = false, headless = false, compare = false;
	double speed = 1;
	int ch, rc, nlabels = 0, n;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			headless = true;
			break;
		case 'j':
			json = headless = true;
			break;
		case 's':
			if (speed_parse(optarg, &speed) != 0) {
				fprintf(stderr, "ttftop replay: --speed: '%s' is not a "
				    "positive number or max\n", optarg);
				free(labels);
				return EXIT_USAGE;
			}
			break;
		case 'c':
			compare = true;
			break;
		case 'l':
			labels = xreallocarray(labels, (size_t)nlabels + 1, sizeof *labels);
			labels[nlabels++] = optarg;
			break;
		default:
			options_getopt_error(ch, argv, err, sizeof err);
			fprintf(stderr, "ttftop replay: %s\n", err);
			free(labels);
			return EXIT_USAGE;
		}
	}
	n = argc - optind;
	if (n <= 0) {
		fprintf(stderr, "ttftop replay: no FILE given (e.g. ttftop replay run.jsonl)\n");
		free(labels);
		return EXIT_USAGE;
	}
	if (nlabels > 0 && !compare) {
		fprintf(stderr, "ttftop replay: --label names the runs of --compare\n");
		free(labels);
		return EXIT_USAGE;
	}
	if (nlabels > n) {
		fprintf(stderr, "ttftop replay: more --label than files\n");
		free(labels);
		return EXIT_USAGE;
	}
	if (!headless && !tui_possible(&why)) {
		if (why != NULL)
			fprintf(stderr, "ttftop replay: %s: no screen, headless "
			    "instead\n", why);
		headless = true;
	}
	if (!headless) {
		rc = replay_screen(argv + optind, n, compare, labels, nlabels, speed);
		free(labels);
		if (rc == 0 && !compare)
			rc = replay_terminal_summary(argv + optind, n);
		return rc;
	}
	if (compare) {
		rc = report_compare(argv + optind, n, labels, nlabels, json);
		free(labels);
		return rc;
	}
	free(labels);
	memset(&ri, 0, sizeof ri);
	stats_init(&st);
	k = stats_sink(&st);
	rc = replay_read(argv + optind, n, &ri, &k, err, sizeof err);
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
