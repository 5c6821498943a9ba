#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ev.h>

#include "clock.h"
#include "exit_status.h"
#include "model.h"
#include "server.h"
#include "sim.h"
#include "tls.h"

/* SIGINT and SIGTERM end the loop: sim_main closes the truth log. */
static void
signal_cb(struct ev_loop *l, ev_signal *w, int revents)
{
	ev_break(l, EVBREAK_ALL);
}

void
sim_usage(void)
{
	printf("usage: ttftop sim [OPTIONS]\n"
	    "\n"
	    "A simulated LLM endpoint with a known timing, for demos, tests and\n"
	    "benchmarks. Prints its URL on the first line of stdout. Serves, with\n"
	    "the same timing and faults: POST /v1/chat/completions and\n"
	    "/v1/completions (OpenAI, streaming and not), /v1/messages (Anthropic),\n"
	    "/api/chat (Ollama, NDJSON), /generate_stream (TGI),\n"
	    "/model/ID/converse-stream (Bedrock ConverseStream, AWS event-stream),\n"
	    "/model/ID/invoke-with-response-stream (Bedrock, Anthropic's events in\n"
	    "base64 chunks),\n"
	    "/endpoints/NAME/invocations-response-stream (SageMaker: TGI's SSE in\n"
	    "event-stream PayloadParts, each event cut in two), /v1/responses\n"
	    "(OpenAI's Responses API: response.created, reasoning, output text or\n"
	    "function-call argument deltas, response.completed with usage, or\n"
	    "response.incomplete when max_output_tokens cuts the answer);\n"
	    "GET /v1/models, GET /health, and GET /metrics (Prometheus text with\n"
	    "vLLM's names: requests running and waiting, KV-cache use, a TTFT\n"
	    "histogram of what it served).\n"
	    "\n"
	    "  --listen ADDR:PORT     where to listen (default 127.0.0.1:0, a free port)\n"
	    "  --ttft DUR             time to first token (default 50ms)\n"
	    "  --itl DUR              time between tokens (default 20ms)\n"
	    "  --tokens N             visible tokens per answer (default 64)\n"
	    "  --reasoning-tokens N   a reasoning phase of N tokens before the visible\n"
	    "                         answer, in the APIs that stream reasoning apart\n"
	    "                         (chat's reasoning_content, Responses' reasoning\n"
	    "                         deltas, Anthropic thinking, Ollama thinking,\n"
	    "                         Bedrock reasoningContent); usage counts them in\n"
	    "                         the output (chat and Responses also as\n"
	    "                         reasoning_tokens); max_tokens caps both together\n"
	    "                         (default 0)\n"
	    "  --tokens-per-chunk K   tokens sent in each chunk (default 1)\n"
	    "  --jitter FRAC          each delay varies by up to +-FRAC (default 0)\n"
	    "  --slow-after DUR:F     from DUR after the sim starts, the time to first\n"
	    "                         token is F times --ttft (a server that slows down)\n"
	    "  --capacity N           batching model: past N requests in flight, new\n"
	    "                         ones queue, and the time per token grows with the\n"
	    "                         batch (x(1 + active/N)); default 0, no limit\n"
	    "  --kv-tokens N          the KV cache, in tokens (default 2048 a slot of\n"
	    "                         --capacity, or of 64): when the running requests'\n"
	    "                         tokens fill it, the one admitted last is\n"
	    "                         preempted, queued first again, and resumes a\n"
	    "                         TTFT later (its tokens recomputed)\n"
	    "  --aligned              lockstep: every chunk is due on a tick of one\n"
	    "                         clock shared by all streams (every ITL), as a\n"
	    "                         batched server sends a step's tokens together\n"
	    "  --prefix-cache DUR     a prefix cache: each prompt token it holds makes\n"
	    "                         the TTFT DUR shorter (e.g. 100us; never below 0).\n"
	    "                         Prompts are read as text (each message as\n"
	    "                         'ROLE: TEXT' and a newline) in blocks of\n"
	    "                         --prefix-block tokens of 4 characters; the\n"
	    "                         blocks a prompt shares from its start with\n"
	    "                         earlier prompts, and with their answers, are\n"
	    "                         cached. Usage says cached_tokens, /metrics\n"
	    "                         vllm:prefix_cache_{queries,hits}_total; --truth\n"
	    "                         logs each request's prompt_tokens and\n"
	    "                         cached_tokens\n"
	    "  --prefix-block N       tokens in a block of the prefix cache (default 16)\n"
	    "  --seed N               seed for jitter and faults (default 1)\n"
	    "  --fail-rate P          share of requests that fail (0 to 1)\n"
	    "  --fail KIND            http500, http429, reset, stall, garbage, no-done,\n"
	    "                         slow-headers, stream-error (the API's own error\n"
	    "                         event half-way: Responses' response.failed)\n"
	    "  --no-usage             never send token counts (like servers that lack\n"
	    "                         them)\n"
	    "  --api-key KEY          require 'Authorization: Bearer KEY' or\n"
	    "                         'x-api-key: KEY' (else 401)\n"
	    "  --aws-secret SECRET    check Bedrock and SageMaker SigV4 signatures with\n"
	    "                         this secret access key (else 403)\n"
	    "  --truth FILE           log each content chunk sent: request id, index,\n"
	    "                         tokens and CLOCK_MONOTONIC time, as JSONL (with\n"
	    "                         --tls: when the chunk is handed to TLS)\n"
	    "  --tls                  serve https (the URL printed says so), with a\n"
	    "                         self-signed certificate made at start for\n"
	    "                         127.0.0.1 and localhost\n"
	    "  --tls-cert FILE, --tls-key FILE\n"
	    "                         serve this certificate (chain) and key, PEM\n"
	    "                         (implies --tls)\n"
	    "  --tls-cert-out FILE    write the certificate served, PEM, for a\n"
	    "                         client to trust (ttftop run --cacert FILE)\n"
	    "\n"
	    "A request whose body offers tools (a non-empty \"tools\" array) is\n"
	    "answered with a call of the tool 'lookup': its visible tokens stream as\n"
	    "the call's arguments (chat tool_calls, Responses\n"
	    "function_call_arguments.delta, Anthropic input_json_delta, Bedrock\n"
	    "toolUse); with \"reasoning\": {\"summary\": ...} the Responses API\n"
	    "streams reasoning as summary deltas.\n");
}

static int
usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "ttftop sim: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

static int
parse_listen(const char *s, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	char *end;
	long port;

	if (colon == NULL || (size_t)(colon - s) >= sizeof host)
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || colon[1] == '\0' || port < 0 || port > 65535)
		return -1;
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

/* --tls, --tls-cert, --tls-key, --tls-cert-out */
struct tls_opts {
	bool		 on;
	const char	*cert, *key, *cert_out;
};

/* The TLS context the options ask for, into server->tls; returns an exit
 * status, EXIT_OK when all is well. */
static int
tls_setup(const struct tls_opts *t, struct server_cfg *server)
{
	char err[512];

	if ((t->cert == NULL) != (t->key == NULL))
		return usage_error("%s", "--tls-cert and --tls-key go together");
	if (t->cert_out != NULL && !t->on)
		return usage_error("%s", "--tls-cert-out needs --tls");
	if (!t->on)
		return EXIT_OK;
	if ((server->tls = tls_server_new(t->cert, t->key, err, sizeof err)) == NULL ||
	    (t->cert_out != NULL && tls_server_write_cert(server->tls, t->cert_out,
	    err, sizeof err) != 0))
		return usage_error("%s", err);
	return EXIT_OK;
}

static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
sim_main(int argc, char **argv)
{
	enum { O_LISTEN = 256, O_TTFT, O_ITL, O_TOKENS, O_PER_CHUNK, O_JITTER,
	    O_CAPACITY, O_KV_TOKENS, O_SEED, O_FAIL_RATE, O_FAIL, O_TRUTH, O_NO_USAGE,
	    O_API_KEY, O_AWS_SECRET, O_ALIGNED, O_HELP, O_REASONING,
	    O_TLS, O_TLS_CERT, O_TLS_KEY, O_TLS_CERT_OUT, O_SLOW_AFTER,
	    O_PREFIX_CACHE, O_PREFIX_BLOCK };
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "ttft", required_argument, NULL, O_TTFT },
		{ "itl", required_argument, NULL, O_ITL },
		{ "tokens", required_argument, NULL, O_TOKENS },
		{ "reasoning-tokens", required_argument, NULL, O_REASONING },
		{ "tokens-per-chunk", required_argument, NULL, O_PER_CHUNK },
		{ "jitter", required_argument, NULL, O_JITTER },
		{ "capacity", required_argument, NULL, O_CAPACITY },
		{ "kv-tokens", required_argument, NULL, O_KV_TOKENS },
		{ "slow-after", required_argument, NULL, O_SLOW_AFTER },
		{ "seed", required_argument, NULL, O_SEED },
		{ "fail-rate", required_argument, NULL, O_FAIL_RATE },
		{ "fail", required_argument, NULL, O_FAIL },
		{ "truth", required_argument, NULL, O_TRUTH },
		{ "no-usage", no_argument, NULL, O_NO_USAGE },
		{ "api-key", required_argument, NULL, O_API_KEY },
		{ "aws-secret", required_argument, NULL, O_AWS_SECRET },
		{ "aligned", no_argument, NULL, O_ALIGNED },
		{ "help", no_argument, NULL, O_HELP },
		{ "tls", no_argument, NULL, O_TLS },
		{ "tls-cert", required_argument, NULL, O_TLS_CERT },
		{ "tls-key", required_argument, NULL, O_TLS_KEY },
		{ "tls-cert-out", required_argument, NULL, O_TLS_CERT_OUT },
		{ "prefix-cache", required_argument, NULL, O_PREFIX_CACHE },
		{ "prefix-block", required_argument, NULL, O_PREFIX_BLOCK },
		{ NULL, 0, NULL, 0 }
	};
	struct model_cfg model = { 0 };
	struct server_cfg server = { 0 };
	struct tls_opts tls = { 0 };
	struct sockaddr_in sa;
	socklen_t salen = sizeof sa;
	const char *listen_addr = "127.0.0.1:0", *truth_path = NULL;
	struct ev_loop *loop;
	ev_signal sigint_w, sigterm_w;
	usec_t d;
	double slow_after = 0;
	char *end;
	int ch, fd, one = 1, rc;

	model.ttft = 0.050;
	model.itl = 0.020;
	model.tokens = 64;
	model.per_chunk = 1;
	model.seed = 1;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (ch) {
		case O_LISTEN:
			listen_addr = optarg;
			break;
		case O_TTFT:
		case O_ITL:
			if (duration_parse(optarg, &d) != 0)
				return usage_error("%s is not a duration (try 50ms)", optarg);
			*(ch == O_TTFT ? &model.ttft : &model.itl) = usec_to_sec(d);
			break;
		case O_PREFIX_CACHE:
			if (duration_parse(optarg, &d) != 0 || d == 0)
				return usage_error("--prefix-cache: %s is not a duration "
				    "per cached token (try 100us)", optarg);
			model.prefix_saving = usec_to_sec(d);
			break;
		case O_TOKENS:
		case O_REASONING:
		case O_PER_CHUNK:
		case O_CAPACITY:
		case O_KV_TOKENS:
		case O_PREFIX_BLOCK: {
			long v = strtol(optarg, &end, 10);

			if (*end != '\0' || optarg[0] == '\0' || v < 0 ||
			    v > 10000000 ||
			    (v == 0 && (ch == O_PER_CHUNK || ch == O_PREFIX_BLOCK)))
				return usage_error("'%s' is not a valid count", optarg);
			if (ch == O_TOKENS)
				model.tokens = v;
			else if (ch == O_REASONING)
				model.reasoning_tokens = v;
			else if (ch == O_PER_CHUNK)
				model.per_chunk = (int)v;
			else if (ch == O_KV_TOKENS)
				model.kv_tokens = v;
			else if (ch == O_PREFIX_BLOCK)
				model.prefix_block = v;
			else
				model.capacity = (int)v;
			break;
		}
		case O_JITTER:
		case O_FAIL_RATE: {
			double v = strtod(optarg, &end);

			if (*end != '\0' || optarg[0] == '\0' || !(v >= 0 && v <= 1))
				return usage_error("'%s' is not a fraction from 0 to 1", optarg);
			*(ch == O_JITTER ? &model.jitter : &model.fail_rate) = v;
			break;
		}
		case O_SLOW_AFTER: {
			char dur[32];
			const char *colon = strchr(optarg, ':');
			double f;

			if (colon == NULL || (size_t)(colon - optarg) >= sizeof dur)
				return usage_error("--slow-after: '%s' is not DUR:FACTOR "
				    "(e.g. 10s:10)", optarg);
			memcpy(dur, optarg, (size_t)(colon - optarg));
			dur[colon - optarg] = '\0';
			f = strtod(colon + 1, &end);
			if (duration_parse(dur, &d) != 0 || *end != '\0' ||
			    colon[1] == '\0' || !(f > 0 && f <= 1000))
				return usage_error("--slow-after: '%s' is not DUR:FACTOR "
				    "(e.g. 10s:10)", optarg);
			slow_after = usec_to_sec(d);
			model.slow_factor = f;
			break;
		}
		case O_SEED:
			model.seed = strtoul(optarg, &end, 10);
			if (*end != '\0' || optarg[0] == '\0')
				return usage_error("--seed: '%s' is not a whole number", optarg);
			break;
		case O_FAIL:
			model_fault_named(optarg, &model.fail);
			if (model.fail == FAULT_NONE)
				return usage_error("--fail: unknown kind '%s' (http500, "
				    "http429, reset, stall, garbage, no-done, slow-headers, "
				    "stream-error)",
				    optarg);
			break;
		case O_TRUTH:
			truth_path = optarg;
			break;
		case O_ALIGNED:
			model.aligned = true;
			break;
		case O_NO_USAGE:
			server.no_usage = true;
			break;
		case O_AWS_SECRET:
			server.aws_secret = optarg;
			break;
		case O_API_KEY:
			server.api_key = optarg;
			break;
		case O_HELP:
			sim_usage();
			return EXIT_OK;
		case O_TLS:
			tls.on = true;
			break;
		case O_TLS_CERT:
		case O_TLS_KEY:
			*(ch == O_TLS_CERT ? &tls.cert : &tls.key) = optarg;
			tls.on = true;
			break;
		case O_TLS_CERT_OUT:
			tls.cert_out = optarg;
			break;
		case ':':
			return usage_error("option %s needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (model.fail != FAULT_NONE && model.fail_rate == 0)
		model.fail_rate = 1;
	if (parse_listen(listen_addr, &sa) != 0)
		return usage_error("--listen: '%s' is not ADDR:PORT (e.g. 127.0.0.1:0)",
		    listen_addr);
	if ((rc = tls_setup(&tls, &server)) != EXIT_OK)
		return rc;
	if (truth_path != NULL && (server.truth = fopen(truth_path, "w")) == NULL) {
		fprintf(stderr, "ttftop sim: --truth %s: %s\n", truth_path, strerror(errno));
		return EXIT_USAGE;
	}
	model.slow_from = ev_time() + slow_after;	/* the loop's clock */
	model_init(&model);
	raise_fd_limit();
	signal(SIGPIPE, SIG_IGN);

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    listen(fd, SOMAXCONN) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &salen) != 0) {
		fprintf(stderr, "ttftop sim: cannot listen on %s: %s\n", listen_addr,
		    strerror(errno));
		return EXIT_FAILED;
	}
	{
		char host[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &sa.sin_addr, host, sizeof host);
		printf("%s://%s:%d/v1\n", server.tls != NULL ? "https" : "http", host,
		    ntohs(sa.sin_port));
		fflush(stdout);
	}

	loop = ev_default_loop(EVFLAG_AUTO);
	server_start(loop, fd, &server);
	ev_signal_init(&sigint_w, signal_cb, SIGINT);
	ev_signal_start(loop, &sigint_w);
	ev_signal_init(&sigterm_w, signal_cb, SIGTERM);
	ev_signal_start(loop, &sigterm_w);
	ev_run(loop, 0);
	close(fd);
	if (server.truth != NULL)
		fclose(server.truth);
	tls_server_free(server.tls);
	return EXIT_OK;
}
