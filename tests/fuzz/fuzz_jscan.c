/* The in-place scanner against cJSON: the input, as an openai-chat stream
 * fed in two pieces, must give the same tokens, usage, end and errors with
 * jscan as with cJSON alone; any difference traps. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_split.h"
#include "proto/jscan.h"
#include "proto/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

struct seen {
	int	rc, tokens, done, fails;
	long	out, in;
	char	detail[256];
};

static void ev_token(void *ctx) { ((struct seen *)ctx)->tokens++; }
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
	struct proto_events ev = { ev_token, ev_usage, ev_done, ev_fail, s, NULL };
	void *state = malloc(p->state_size);

	memset(s, 0, sizeof *s);
	jscan_off = off;
	p->init(state);
	s->rc = p->feed(state, buf, at, &ev);
	if (s->rc == 0)
		s->rc = p->feed(state, buf + at, n - at, &ev);
	if (s->rc == 0)
		s->rc = p->finish(state, &ev);
	p->done(state);
	free(state);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	const struct proto *p = n > 0 && data[0] & 1 ? &proto_openai_completions :
	    &proto_openai_chat;
	size_t at = fuzz_split(&data, &n);
	struct seen a, b;

	run(p, (const char *)data, n, at, false, &a);
	run(p, (const char *)data, n, at, true, &b);
	if (memcmp(&a, &b, sizeof a) != 0)
		__builtin_trap();
	return 0;
}
