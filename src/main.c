/* ttftop: a live monitor and load generator for streaming LLM endpoints. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "proto.h"
#include "replay.h"
#include "report.h"
#include "run.h"
#include "sim/sim.h"

#define EXIT_USAGE 2

static void
usage_main(FILE *f)
{
	fprintf(f, "usage: ttftop COMMAND [OPTIONS]\n"
	    "\n"
	    "Load-test a streaming LLM endpoint and measure every token as it arrives.\n"
	    "\n"
	    "commands:\n"
	    "  run [OPTIONS] URL     load-test an endpoint: a live screen in a terminal,\n"
	    "                        a summary on stdout, every sample in a JSONL file\n"
	    "  demo [OPTIONS]        run a ramp (1,2,4,8,16,32,64 clients, 10 s each)\n"
	    "                        against a simulated endpoint started for it\n"
	    "  sim [OPTIONS]         the simulated endpoint, standalone\n"
	    "  replay --headless FILE  print a saved run's summary again, from its\n"
	    "                        JSONL alone (--json: as JSON); the live replay\n"
	    "                        screen and several files are not supported yet\n"
	    "  report [OPTIONS] FILE...  tables of saved runs: every statistic per\n"
	    "                        stage (--format md, csv or json; -o OUT;\n"
	    "                        --label NAME per file)\n"
	    "  help COMMAND          options of one command\n"
	    "\n"
	    "  --help, --version\n");
}

static void
usage_run(FILE *f)
{
	fprintf(f, "usage: ttftop run [OPTIONS] URL\n"
	    "       ttftop demo [OPTIONS]\n"
	    "\n"
	    "URL is the server's root or base (http://host:8000 or http://host:8000/v1);\n"
	    "the API's path is added when missing.\n"
	    "\n"
	    "  -a, --api KIND            %s (default openai-chat)\n"
	    "  -m, --model NAME          model name sent in each request\n"
	    "  -c, --clients LIST        stages of N concurrent clients, e.g. 1,5,20\n"
	    "                            (closed loop: a client sends its next request\n"
	    "                            when its last one ends; default 1)\n"
	    "  -d, --stage-duration DUR  length of each stage (30s, 2m, 500ms)\n"
	    "  -n, --requests N          or: requests per client in each stage\n"
	    "                            (default 10 when neither is given)\n"
	    "      --prompt TEXT         the prompt sent\n"
	    "      --max-tokens N        output length cap sent to the server\n"
	    "  -H, --header 'K: V'       extra request header (repeatable)\n"
	    "  -o, --output FILE         JSONL file of every sample\n"
	    "                            (default ttftop-YYYYmmdd-HHMMSS.jsonl)\n"
	    "      --timeout DUR         per request (default 300s)\n"
	    "      --headless            no screen (also when stdin or stdout is not a\n"
	    "                            terminal): progress on stderr, summary on stdout\n"
	    "      --json                the summary as JSON\n"
	    "      --seed N              recorded with the run\n"
	    "\n"
	    "API keys come from the environment (OPENAI_API_KEY, sent as a bearer\n"
	    "token) and are never written anywhere. SIGINT, SIGTERM or SIGHUP stops\n"
	    "starting requests, lets those in flight end for up to 5 s, then cancels\n"
	    "the rest; a second one cancels at once.\n"
	    "\n"
	    "Keys on the screen: space pause/resume, +/- one client more/less, ]/[ ten,\n"
	    "n next stage, m mark, w sparkline window, tab or 1-5 views, s sort streams,\n"
	    "? help, q quit (twice: cancel streams in flight).\n"
	    "\n"
	    "Exit status: 0 the run completed, 1 it ended in error (every request\n"
	    "failed, or the samples could not be written), 2 bad usage.\n",
	    proto_names());
}

static int
help(const char *cmd)
{
	if (cmd == NULL)
		usage_main(stdout);
	else if (strcmp(cmd, "run") == 0 || strcmp(cmd, "demo") == 0)
		usage_run(stdout);
	else if (strcmp(cmd, "sim") == 0)
		sim_usage();
	else if (strcmp(cmd, "replay") == 0)
		printf("usage: ttftop replay [--headless] [--json] FILE\n\n"
		    "Reads a JSONL file written by ttftop run and prints the summary the run\n"
		    "printed at its end, byte for byte (--json: the JSON summary). A last\n"
		    "line cut short by a crash is skipped with a warning; a malformed line\n"
		    "stops with FILE:LINE and exit status 2.\n");
	else if (strcmp(cmd, "report") == 0)
		printf("usage: ttftop report [--format md|csv|json] [-o OUT] [--label NAME]... FILE...\n\n"
		    "Per-stage statistics of saved runs, one block (md) or row group\n"
		    "(csv) per file, labelled with --label or else model@url. md is the\n"
		    "run's own summary; json the --json summary (several files: under\n"
		    "\"runs\", each with its label); csv has, for TTFT, TPOT, ITL and\n"
		    "TTLT, count, mean, stddev, min, p5, p25, p50, p75, p90, p95, p99,\n"
		    "p99.9 and max in ms, with tok/s, peak tok/s and req/s. Every file is\n"
		    "read before -o is written. --format html is not supported yet.\n");
	else {
		fprintf(stderr, "ttftop: unknown command '%s' (try ttftop --help)\n", cmd);
		return EXIT_USAGE;
	}
	return 0;
}

static int
wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		usage_main(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		return help(NULL);
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(cmd, "help") == 0)
		return help(argc > 2 ? argv[2] : NULL);
	if (wants_help(argc - 1, argv + 1))
		return help(cmd);
	if (strcmp(cmd, "run") == 0)
		return run_main(argc - 1, argv + 1);
	if (strcmp(cmd, "demo") == 0)
		return demo_main(argc - 1, argv + 1);
	if (strcmp(cmd, "sim") == 0)
		return sim_main(argc - 1, argv + 1);
	if (strcmp(cmd, "replay") == 0)
		return replay_main(argc - 1, argv + 1);
	if (strcmp(cmd, "report") == 0)
		return report_main(argc - 1, argv + 1);
	fprintf(stderr, "ttftop: unknown command '%s' (try ttftop --help)\n", cmd);
	return EXIT_USAGE;
}
