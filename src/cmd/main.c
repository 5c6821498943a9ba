/* ttftop: a live monitor and load generator for streaming LLM endpoints. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "exit_status.h"
#include "proto/proto.h"
#include "sim/sim.h"
#include "warn.h"

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
	    "  replay [OPTIONS] FILE...  play saved runs back in the live screen\n"
	    "                        (--speed X|max); --headless prints the run's\n"
	    "                        summary again (--json: as JSON); several files\n"
	    "                        merge into one run, or --compare side by side\n"
	    "  report [OPTIONS] FILE...  tables of saved runs: every statistic per\n"
	    "                        stage (--format md, csv, json or html; -o OUT;\n"
	    "                        --label NAME per file)\n"
	    "  compare BASE NEW      is NEW slower than BASE? each stage's figures with\n"
	    "                        a 95 %% interval and a verdict; --fail-on for CI\n"
	    "  help COMMAND          options of one command\n"
	    "\n"
	    "  --help, --version\n");
}

/* A comma-separated list folded into the options' column, under 80. */
static const char *
fold(char *out, size_t len, const char *list)
{
	size_t n = 0, col = 0;
	const char *p = list;

	while (*p != '\0' && n + 40 < len) {
		size_t w = strcspn(p, ",");

		if (col == 0 || col + w + 2 > 78) {
			n += (size_t)snprintf(out + n, len - n, "%s%28s", n ? "\n" : "", "");
			col = 28;
		} else {
			out[n++] = ' ';
			col++;
		}
		memcpy(out + n, p, w);
		n += w;
		col += w;
		p += w;
		if (*p == ',') {
			out[n++] = ',';
			col++;
			p++;
			while (*p == ' ')
				p++;
		}
	}
	out[n] = '\0';
	return out;
}

static void
usage_run(FILE *f)
{
	char names[512];

	fprintf(f, "usage: ttftop run [OPTIONS] URL\n"
	    "       ttftop demo [OPTIONS]\n"
	    "\n"
	    "URL is the server's root or base (http://host:8000 or http://host:8000/v1);\n"
	    "the API's path is added when missing.\n"
	    "\n"
	    "  -a, --api KIND            the API (default openai-chat):\n%s\n"
	    "  -m, --model NAME          model name sent in each request (default:\n"
	    "                            the first the server lists, /v1/models)\n"
	    "  -c, --clients LIST        stages of N concurrent clients, e.g. 1,5,20\n"
	    "                            (closed loop: a client sends its next request\n"
	    "                            when its last one ends; default 1)\n"
	    "  -r, --rate LIST           open loop instead: stages of R requests/s,\n"
	    "                            e.g. 1,2,4.5, sent on schedule whatever the\n"
	    "                            endpoint does\n"
	    "      --arrival KIND        constant (default), poisson, or gamma:K (K below\n"
	    "                            1 burstier than Poisson, above 1 more regular)\n"
	    "      --rate-ramp F:T:DUR   one stage whose rate goes from F to T req/s\n"
	    "      --schedule FILE       one send offset in seconds a line, optionally a\n"
	    "                            prompt index after it; or a public trace:\n"
	    "                            Mooncake JSONL (timestamp ms, input_length,\n"
	    "                            output_length, hash_ids) or BurstGPT CSV\n"
	    "                            (Timestamp s, Request tokens, Response tokens):\n"
	    "                            prompts of those lengths, requests sharing a\n"
	    "                            hash id sharing that block of their prompt\n"
	    "      --schedule-format F   auto (default: told by the first line), plain,\n"
	    "                            mooncake or burstgpt\n"
	    "      --time-scale F        the schedule's times multiplied by F (0.5:\n"
	    "                            twice as fast, 2: half as fast)\n"
	    "      --hash-block N        tokens of prompt a trace's hash id stands for\n"
	    "                            (default 512, Mooncake's)\n"
	    "      --max-concurrency N   open loop: at most N in flight; later sends wait,\n"
	    "                            and the wait is recorded (queued) and reported\n"
	    "  -d, --stage-duration DUR  length of each stage (30s, 2m, 500ms)\n"
	    "  -n, --requests N          or: requests per client (closed loop) or per\n"
	    "                            stage (open loop) in each stage; default -n 10\n"
	    "                            closed, -d 30s open\n"
	    "      --warmup DUR          requests started before DUR are recorded, flagged\n"
	    "                            warmup and left out of the statistics\n"
	    "      --slo LIST            objectives, e.g. ttft:500ms,tpot:50ms,itl:100ms,\n"
	    "                            ttlt:10s: goodput is the requests/s meeting all\n"
	    "      --config FILE         the run's settings as JSON (a saved run's config\n"
	    "                            keys, plus api, model, url); options override\n"
	    "      --rerun FILE.jsonl    run again with a saved run's settings (new seed)\n"
	    "      --price in:$,out:$    cost per stage ($ per 1M output tokens, per\n"
	    "                            request, per hour): per-token prices per 1M,\n"
	    "                            or hour:$[,replicas:N] for an instance\n"
	    "      --assert EXPR         thresholds judged after the run, e.g.\n"
	    "                            ttft.p95<500ms,errors<1%%,tok_s>2000@last;\n"
	    "                            exit 3 when one fails\n"
	    "      --prompt TEXT         the prompt sent\n"
	    "      --prompts FILE        prompts: .txt one a line; .jsonl objects with\n"
	    "                            \"prompt\", or \"messages\", or ShareGPT's\n"
	    "                            \"conversations\" (sessions of their human\n"
	    "                            turns), or a whole request body (one with\n"
	    "                            \"model\" or \"stream\"); .json: an array of them\n"
	    "      --input-tokens N[:SD] synthetic prompts of about N tokens (SD: spread),\n"
	    "                            cut from embedded prose; a token is taken as 4\n"
	    "                            characters, so counts are estimates: the server's\n"
	    "                            usage gives the real ones\n"
	    "      --shuffle             prompts at random (else in turn)\n"
	    "      --turns N[:SD]        multi-turn: each client holds a conversation of\n"
	    "                            N turns (drawn around N), each request sending\n"
	    "                            the history with the model's own answers, then\n"
	    "                            begins a new one; with --prompts of ShareGPT\n"
	    "                            (.json, .jsonl with \"conversations\") or\n"
	    "                            \"messages\" lines, a conversation's user turns\n"
	    "                            (at most N); requests record session and turn\n"
	    "      --think DUR           a client's pause between two turns\n"
	    "      --max-tokens N[:SD]   output length cap sent, drawn around N\n"
	    "      --body JSON           fields set in every request body, e.g.\n"
	    "                            '{\"ignore_eos\": true}'\n"
	    "      --body-file TEMPLATE  the whole request body, with {{prompt}},\n"
	    "                            {{max_tokens}} and {{model}} filled in\n"
	    "  --api custom: any JSON stream; the body comes from --body-file, and\n"
	    "      --stream sse|ndjson   the framing (default sse)\n"
	    "      --token-path PATH     where a chunk's text is: choices.0.delta.content\n"
	    "      --usage-path PATH     where the output token count is (optional)\n"
	    "      --done-path PATH      what is true in the last message (optional;\n"
	    "                            else data: [DONE] or the end of the body)\n"
	    "  -H, --header 'K: V'       extra request header (repeatable)\n"
	    "  -o, --output FILE         JSONL file of every sample\n"
	    "                            (default ttftop-YYYYmmdd-HHMMSS.mmm.jsonl)\n"
	    "      --force               -o may overwrite a file that exists (else exit 2)\n"
	    "      --timeout DUR         per request (default 300s)\n"
	    "  -k, --insecure            https without checking the certificate\n"
	    "      --cacert FILE         trust the CAs in FILE (PEM) instead of the\n"
	    "                            system's, e.g. a self-signed endpoint's\n"
	    "      --transport auto|direct|curl  how streams are read: direct\n"
	    "                            (HTTP/1.1 off the socket, https through\n"
	    "                            OpenSSL: the exact one), else curl (a proxy in\n"
	    "                            the environment, credentials in the URL);\n"
	    "                            default auto\n"
	    "      --headless            no screen (also when stdin or stdout is not a\n"
	    "                            terminal): progress on stderr, summary on stdout\n"
	    "      --json                the summary as JSON\n"
	    "      --seed N              reproducible arrivals and prompts (else drawn,\n"
	    "                            and recorded with the run)\n"
	    "      --no-preflight        skip the request sent alone first (by default\n"
	    "                            a failing one stops the run, exit 1, with the\n"
	    "                            server's message)\n"
	    "      --server-metrics URL  the server's Prometheus /metrics, scraped each\n"
	    "                            second (default: the target's own, when it\n"
	    "                            answers; none: off); counters as rates, its\n"
	    "                            TTFT histogram beside the client's TTFT\n"
	    "      --server-metric NAME  keep this series of theirs too (repeatable; an\n"
	    "                            extended regular expression of whole names)\n"
	    "      --max-errors N        stop after N failed requests in a row\n"
	    "                            (default 200; 0 never); a client whose request\n"
	    "                            failed backs off, 50 ms doubling to 2 s, or\n"
	    "                            as Retry-After says (up to 60 s)\n"
	    "\n"
	    "API keys come from the environment and are never written anywhere:\n"
	    "OPENAI_API_KEY (bearer token), ANTHROPIC_API_KEY (x-api-key), HF_TOKEN\n"
	    "(tgi), and for bedrock and sagemaker, whose requests are SigV4-signed,\n"
	    "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and\n"
	    "AWS_REGION or AWS_DEFAULT_REGION (their URL may be left out).\n"
	    "\n"
	    "SIGINT, SIGTERM or SIGHUP stops starting requests, lets those in flight\n"
	    "end for up to 5 s, then cancels the rest; a second one cancels at once.\n"
	    "\n"
	    "Each request records TTFT (first content chunk, reasoning included), TTST\n"
	    "(the second), TTFO (first visible output, not reasoning), reasoning_tokens,\n"
	    "max_tokens (asked) and finish_reason (as the API says it); the summaries\n"
	    "add the prefill rate (input tokens / TTFT), input and total tok/s and the\n"
	    "share of answers stopped on length vs stop. -a openai-responses speaks\n"
	    "OpenAI's Responses API (POST /v1/responses).\n"
	    "\n"
	    "Keys on the screen: space pause/resume, +/- one client more/less, ]/[ ten\n"
	    "(open loop: rate +/-10 %%, x2 and /2), n next stage, m mark, w sparkline\n"
	    "window, tab or 1-6 views, s sort streams, ? help, q quit (twice: cancel\n"
	    "streams in flight). The terminal has a thread of its own: a slow or\n"
	    "stopped one costs frames, never a read; Ctrl-S does not freeze it.\n"
	    "\n"
	    "Exit status: 0 the run completed, 1 it ended in error (every request\n"
	    "failed, or the samples could not be written), 2 bad usage, 3 an\n"
	    "--assert threshold (or compare --fail-on bound) failed.\n",
	    fold(names, sizeof names, proto_names()));
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
		printf("usage: ttftop replay [--speed X|max] [--headless] [--json] FILE...\n"
		    "       ttftop replay --compare [--json] [--label NAME]... FILE...\n\n"
		    "Plays a run saved by ttftop run (JSONL, or .jsonl.gz) back in the live\n"
		    "screen, on a clock of its own: the same views and figures, with the\n"
		    "recorded pauses, client changes and marks when they happened.\n"
		    "  --speed X     X times as fast (default 1; max: at once)\n"
		    "  keys: space pause, +/- speed x2 and /2, left/right 10 s back or on,\n"
		    "        Home/End the start or the end, tab and 1-6 views, q quit\n"
		    "  --headless    (or no terminal) print the summary the run printed at\n"
		    "                its end, byte for byte; --json: the JSON summary\n"
		    "Several files are one run measured from several hosts: merged into\n"
		    "one timeline, aligned by the time each began (a warning says where\n"
		    "their settings differ). --compare keeps them apart, on one clock:\n"
		    "the overview shows each run's sparklines and stages, r picks the run\n"
		    "the other views show; headless, the report of them (a table with a\n"
		    "row per run and stage, then each summary).\n"
		    "A last line cut short by a crash is skipped with a warning; a\n"
		    "malformed line stops with FILE:LINE and exit status 2.\n");
	else if (strcmp(cmd, "compare") == 0)
		printf("usage: ttftop compare [--json] [--fail-on LIST] [--seed N] BASE NEW\n\n"
		    "Is NEW slower than BASE? Each a saved run (FILE, or FILE,FILE... merged\n"
		    "into one). Stages are matched by their load (the same clients or rate;\n"
		    "the others listed); for TTFT, TPOT, ITL and TTLT (p50, p95, p99),\n"
		    "tok/s, req/s and the error share: base, new, the change, its 95 %%\n"
		    "interval and a verdict (faster, slower, no significant change). The\n"
		    "intervals of percentiles come from a bootstrap over the requests,\n"
		    "seeded (--seed, default 1): the same files give the same verdict; a\n"
		    "change under 2 %% is none, however sure.\n"
		    "  --json         the table as JSON\n"
		    "  --fail-on LIST exit 3 when a significant change passes a bound, e.g.\n"
		    "                 ttft.p95>+10%%,tok_s<-5%%,errors>+1 (errors: points)\n");
	else if (strcmp(cmd, "report") == 0)
		printf("usage: ttftop report [--format md|csv|json|html] [-o OUT]\n"
		    "                     [--label NAME]... [--assert EXPR] [--price PRICE]\n"
		    "                     [--trend [--baseline FILE]] [--layout leaderboard]\n"
		    "                     FILE...\n\n"
		    "Per-stage statistics of saved runs (JSONL or .jsonl.gz), labelled with\n"
		    "--label or else model@url. md is the run's own summary (several files:\n"
		    "first a table with a row per run and stage); json the --json summary\n"
		    "(several files: under \"runs\", each with its label); csv has clients\n"
		    "or rate, requests, errors, tokens, tok/s, peak tok/s, req/s, goodput\n"
		    "(runs with --slo) and, for TTFT, TPOT, ITL and TTLT, count, mean,\n"
		    "stddev, min, p5, p25, p50, p75, p90, p95, p99, p99.9 and max in ms;\n"
		    "html is one self-contained page (nothing fetched) with the table and\n"
		    "SVG charts: TTFT, TPOT and tok/s against the load, TTFT box plots per\n"
		    "stage, the TTFT histogram, and each run over time with its stages\n"
		    "and marks. Every file is read before -o is written. --assert judges\n"
		    "each run as run --assert does (verdicts on stderr, exit 3 on a miss).\n"
		    "--trend: the files as a series, a row per run in the order they began,\n"
		    "each figure's change against the first (or --baseline FILE), marked\n"
		    "where compare finds it significant; -f html charts it.\n"
		    "--layout leaderboard (md, html): a table per metric (TTFT, TPOT both\n"
		    "ways, tok/s), a row per file, Mean Min Max Median p25 p75 p5 p95.\n");
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

static void
print_warning(const char *msg)
{
	fprintf(stderr, "ttftop: warning: %s\n", msg);
}

static volatile sig_atomic_t early_signo;

static void
on_early_signal(int signo)
{
	early_signo = signo;
}

int
early_signal(void)
{
	return early_signo;
}

/* A signal that comes before the loop watches for it (while the options are
 * read, the file opened, the model asked) must not kill a run before it has
 * a file: it is noted, and the run quits as soon as it starts. */
static void
catch_early_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_early_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

/* Descriptors 0-2 started closed (2>&-) would be the next files opened, and
 * progress lines would land in the JSONL: each is held by /dev/null, opened
 * read-only so that writes to a closed stdout or stderr still fail. */
static void
hold_std_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF &&
		    open("/dev/null", O_RDONLY) != fd)
			_exit(EXIT_FAILED);	/* nothing to say it on */
}

/* What the command printed must have reached stdout: a full disk or a
 * closed stdout is an error. */
static int
stdout_done(int status)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return status;
	fprintf(stderr, "ttftop: writing to stdout failed: %s\n",
	    errno != 0 ? strerror(errno) : "write error");
	return status == 0 ? EXIT_FAILED : status;
}

static int
dispatch(int argc, char **argv);

int
main(int argc, char **argv)
{
	hold_std_fds();
	if (argc >= 2 && (strcmp(argv[1], "run") == 0 || strcmp(argv[1], "demo") == 0))
		catch_early_signals();
	return stdout_done(dispatch(argc, argv));
}

static int
dispatch(int argc, char **argv)
{
	const char *cmd;

	warn_hook = print_warning;
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
	if (strcmp(cmd, "compare") == 0)
		return compare_main(argc - 1, argv + 1);
	fprintf(stderr, "ttftop: unknown command '%s' (try ttftop --help)\n", cmd);
	return EXIT_USAGE;
}
