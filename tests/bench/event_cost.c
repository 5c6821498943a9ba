/* What one streamed event costs the client: N content events of each
 * adapter that reads them in place (OpenAI chat as vLLM sends it,
 * Anthropic, TGI, Ollama), fed one per read through the adapter, timed
 * with CLOCK_MONOTONIC; the median of several repetitions, in nanoseconds
 * per event, with cJSON's path forced and with the in-place scanner. It
 * counts cJSON's allocations per event too.
 *
 *   event_cost [EVENTS [REPETITIONS]]	(default 200000 and 9) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "proto/jscan.h"
#include "proto/proto.h"

#define EVENTS		200000
#define REPETITIONS	9
#define NTEXTS		8

static const char *const texts[NTEXTS] = {
	" the", " model", ",", " and", " \\\"quoted\\\"", " tok", "\\n", " caf\xc3\xa9",
};

/* An adapter's content event, "%s" standing for the text. */
struct bench {
	const struct proto	*p;
	const char		*what;
	const char		*fmt;
};

static const struct bench benches[] = {
	{ &proto_openai_chat, "vLLM's chat chunk", "data: {\"id\":"
	  "\"chatcmpl-7f3c2a9be1d04c5f8a6e0b21d9c4f3a7\",\"object\":"
	  "\"chat.completion.chunk\",\"created\":1733160000,\"model\":"
	  "\"meta-llama/Llama-3.1-8B-Instruct\",\"choices\":[{\"index\":0,"
	  "\"delta\":{\"content\":\"%s\"},\"logprobs\":null,"
	  "\"finish_reason\":null}]}\n\n" },
	{ &proto_anthropic, "Anthropic's text delta",
	  "event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
	  "\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"}}\n\n" },
	{ &proto_tgi, "TGI's token", "data:{\"index\":12,\"token\":{\"id\":1234,"
	  "\"text\":\"%s\",\"logprob\":-0.25,\"special\":false},"
	  "\"generated_text\":null,\"details\":null}\n\n" },
	{ &proto_ollama, "Ollama's chat line", "{\"model\":\"llama3.2\","
	  "\"created_at\":\"2024-12-01T10:00:00.123456789Z\",\"message\":"
	  "{\"role\":\"assistant\",\"content\":\"%s\"},\"done\":false}\n" },
};

static long tokens, allocs;

static void on_token(void *ctx, enum chunk_kind k) { tokens++; (void)k; }
static void on_usage(void *ctx, long out, long in) { }
static void on_done(void *ctx) { }

static void
on_fail(void *ctx, const char *detail)
{
	fprintf(stderr, "event_cost: the adapter failed: %s\n", detail);
	exit(1);
}

static void *
counted_malloc(size_t n)
{
	allocs++;
	return malloc(n);
}

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One repetition: every event fed as its own read; ns per event. */
static double
run(const struct proto *p, char events[NTEXTS][512], const size_t lens[NTEXTS],
    long n)
{
	struct proto_events ev = { on_token, on_usage, on_done, on_fail, NULL,
	    NULL, NULL, NULL, NULL };
	void *state = malloc(p->state_size);
	long long t0, t1;
	long i;

	p->init(state);
	tokens = 0;
	t0 = now_ns();
	for (i = 0; i < n; i++)
		p->feed(state, events[i % NTEXTS], lens[i % NTEXTS], &ev);
	t1 = now_ns();
	p->done(state);
	free(state);
	if (tokens != n) {
		fprintf(stderr, "event_cost: %ld tokens for %ld events\n", tokens, n);
		exit(1);
	}
	return (double)(t1 - t0) / (double)n;
}

int
main(int argc, char **argv)
{
	static char events[NTEXTS][512];
	size_t lens[NTEXTS], b;
	cJSON_Hooks hooks = { counted_malloc, free };
	long n = argc > 1 ? atol(argv[1]) : EVENTS;
	int reps = argc > 2 ? atoi(argv[2]) : REPETITIONS, r, k, mode;
	double *ns, median[2], per_event[2];

	if (n <= 0 || reps <= 0) {
		fprintf(stderr, "usage: event_cost [EVENTS [REPETITIONS]]\n");
		return 2;
	}
	cJSON_InitHooks(&hooks);
	ns = calloc((size_t)reps, sizeof *ns);
	for (b = 0; b < sizeof benches / sizeof benches[0]; b++) {
		const struct bench *be = &benches[b];

		for (k = 0; k < NTEXTS; k++) {
			int w = snprintf(events[k], sizeof events[k], be->fmt,
			    texts[k]);

			lens[k] = (size_t)w;
		}
		printf("%s: %ld events of %zu bytes (%s), fed one per read; "
		    "%d repetitions\n", be->p->name, n, lens[0], be->what, reps);
		printf("%-8s %12s %12s %12s %14s\n", "path", "ns/event", "min",
		    "max", "cJSON allocs");
		for (mode = 0; mode < 2; mode++) {
			jscan_off = mode == 0;
			allocs = 0;
			for (r = 0; r < reps; r++)
				ns[r] = run(be->p, events, lens, n);
			per_event[mode] = (double)allocs / ((double)n * reps);
			qsort(ns, (size_t)reps, sizeof *ns, cmp_double);
			median[mode] = ns[reps / 2];
			printf("%-8s %12.1f %12.1f %12.1f %14.2f\n", mode == 0 ?
			    "cjson" : "scan", median[mode], ns[0], ns[reps - 1],
			    per_event[mode]);
		}
		printf("scan / cjson: x%.2f\n\n", median[1] / median[0]);
	}
	free(ns);
	return 0;
}
