/* The in-place scanner against cJSON: the input, as the stream of one of
 * the adapters that read events with jscan (its first byte picks which),
 * fed in two pieces, must give the same tokens, usage, end and errors with
 * jscan as with cJSON alone; any difference traps. SageMaker's pieces are
 * sent as two PayloadPart messages. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz_split.h"
#include "proto/eventstream.h"
#include "proto/jscan.h"
#include "proto/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

struct seen {
	int	rc, tokens, reasoning, done, fails;
	long	out, in, reasoning_usage;
	char	detail[256];
	char	reason[64];
};

static void
ev_token(void *ctx, enum chunk_kind kind)
{
	struct seen *s = ctx;

	s->tokens++;
	if (kind == CHUNK_REASONING)
		s->reasoning++;
}

static void
ev_reasoning(void *ctx, long n)
{
	((struct seen *)ctx)->reasoning_usage = n;
}

static void
ev_reason(void *ctx, const char *r, size_t n)
{
	struct seen *s = ctx;

	snprintf(s->reason, sizeof s->reason, "%.*s", (int)n, r);
}
static void ev_done(void *ctx) { ((struct seen *)ctx)->done++; }

static void
ev_usage(void *ctx, long out, long in)
{
	((struct seen *)ctx)->out = out;
	((struct seen *)ctx)->in = in;
}

static void
ev_fail(void *ctx, const char *detail)
{
	struct seen *s = ctx;

	s->fails++;
	strncpy(s->detail, detail, sizeof s->detail - 1);
}

static void
run(const struct proto *p, const char *buf, size_t n, size_t at, bool off,
    struct seen *s)
{
	static const char *const part[] = { ":event-type", "PayloadPart",
	    ":message-type", "event", NULL };
	struct proto_events ev = { ev_token, ev_usage, ev_done, ev_fail, s, NULL,
	    ev_reasoning, ev_reason, NULL };
	void *state = malloc(p->state_size);
	struct buf b;

	memset(s, 0, sizeof *s);
	jscan_off = off;
	p->init(state);
	if (p == &proto_sagemaker) {
		buf_init(&b);
		es_encode(&b, part, buf, at);
		es_encode(&b, part, buf + at, n - at);
		s->rc = p->feed(state, b.p, b.len, &ev);
		buf_free(&b);
	} else {
		s->rc = p->feed(state, buf, at, &ev);
		if (s->rc == 0)
			s->rc = p->feed(state, buf + at, n - at, &ev);
	}
	if (s->rc == 0)
		s->rc = p->finish(state, &ev);
	p->done(state);
	free(state);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static const struct proto *const protos[] = { &proto_openai_chat,
	    &proto_openai_completions, &proto_anthropic, &proto_tgi,
	    &proto_ollama, &proto_sagemaker, &proto_openai_responses };
	const size_t nprotos = sizeof protos / sizeof protos[0];
	const struct proto *p = protos[n > 0 ? data[0] % nprotos : 0];
	size_t at = fuzz_split(&data, &n);
	struct seen a, b;

	run(p, (const char *)data, n, at, false, &a);
	run(p, (const char *)data, n, at, true, &b);
	if (memcmp(&a, &b, sizeof a) != 0)
		__builtin_trap();
	return 0;
}
