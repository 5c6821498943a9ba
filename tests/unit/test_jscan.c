/* The in-place scanner against cJSON: every event of a table of plain and
 * tricky ones, for each adapter that reads events with jscan (OpenAI,
 * Anthropic, TGI, Ollama, SageMaker), gives the same tokens, usage, end and
 * errors whether jscan reads it or cJSON does, cut at every byte; the plain
 * ones are read without a single cJSON allocation. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "buf.h"
#include "proto/eventstream.h"
#include "proto/jscan.h"
#include "proto/proto.h"

struct seen {
	int	rc;
	int	tokens;
	int	reasoning;	/* of tokens, reasoning chunks */
	long	usage_out, usage_in;
	long	usage_reasoning;
	int	done;
	int	fails;
	char	detail[200];
	char	reason[64];	/* the finish_reason said */
};

static long allocs;

static void *
counted_malloc(size_t n)
{
	allocs++;
	return malloc(n);
}

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
	((struct seen *)ctx)->usage_reasoning = n;
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
	((struct seen *)ctx)->usage_out = out;
	((struct seen *)ctx)->usage_in = in;
}

static void
ev_fail(void *ctx, const char *detail)
{
	struct seen *s = ctx;

	s->fails++;
	snprintf(s->detail, sizeof s->detail, "%s", detail);
}

/* An adapter under test: how one of its events is framed in a stream. */
struct adapter {
	const struct proto	*p;
	const char		*fmt;	/* the event, and what follows it */
	const char		*end;	/* ends a whole stream of events */
	bool			 parts;	/* SageMaker: in two PayloadParts */
};

/* The stream fed in two pieces cut at cut (for SageMaker: sent in two
 * PayloadPart messages cut there, fed at once), then finished. */
static void
run(const struct adapter *a, const char *stream, size_t cut, bool off,
    struct seen *s)
{
	static const char *const part[] = { ":event-type", "PayloadPart",
	    ":message-type", "event", NULL };
	const struct proto *p = a->p;
	struct proto_events ev = { ev_token, ev_usage, ev_done, ev_fail, s, NULL,
	    ev_reasoning, ev_reason, NULL };
	void *state = malloc(p->state_size);
	size_t len = strlen(stream);
	struct buf b;

	memset(s, 0, sizeof *s);
	s->usage_out = s->usage_in = s->usage_reasoning = -1;
	jscan_off = off;
	p->init(state);
	if (a->parts) {
		buf_init(&b);
		es_encode(&b, part, stream, cut);
		es_encode(&b, part, stream + cut, len - cut);
		s->rc = p->feed(state, b.p, b.len, &ev);
		buf_free(&b);
	} else {
		s->rc = p->feed(state, stream, cut, &ev);
		if (s->rc == 0)
			s->rc = p->feed(state, stream + cut, len - cut, &ev);
	}
	if (s->rc == 0)
		s->rc = p->finish(state, &ev);
	p->done(state);
	free(state);
	jscan_off = false;
}

static void
assert_same(const struct seen *a, const struct seen *b, const char *what)
{
	if (a->rc != b->rc || a->tokens != b->tokens ||
	    a->reasoning != b->reasoning ||
	    a->usage_out != b->usage_out || a->usage_in != b->usage_in ||
	    a->usage_reasoning != b->usage_reasoning ||
	    a->done != b->done || a->fails != b->fails ||
	    strcmp(a->detail, b->detail) != 0 || strcmp(a->reason, b->reason) != 0)
		fail_msg("%s: scan rc %d tokens %d (%d reasoning) usage %ld/%ld/%ld "
		    "done %d fails %d '%s' reason '%s'; cjson rc %d tokens %d (%d "
		    "reasoning) usage %ld/%ld/%ld done %d fails %d '%s' reason '%s'",
		    what, a->rc, a->tokens, a->reasoning, a->usage_out, a->usage_in,
		    a->usage_reasoning, a->done, a->fails, a->detail, a->reason,
		    b->rc, b->tokens, b->reasoning, b->usage_out, b->usage_in,
		    b->usage_reasoning, b->done, b->fails, b->detail, b->reason);
}

struct event {
	const char	*data;
	bool		 fast;		/* read without cJSON (else it may be) */
};

/* OpenAI chat events: what servers send, and what they might. */
static const struct event chat_events[] = {
	{ "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1733160000,"
	  "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" tok\"},"
	  "\"logprobs\":null,\"finish_reason\":null}]}", true },
	{ "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}", true },
	{ "{\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":null}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":\"\\\"hi\\\" \\\\ \\/ \\b\\f\\n\\r\\t\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":\"\\n\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":\"\\u00e9\\u4E00\\u003c\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":\"\\ud83d\\ude00\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":\"caf\xc3\xa9\"}}]}", true },
	/* cJSON ends a string at \u0000: an empty content, not a token */
	{ "{\"choices\":[{\"delta\":{\"content\":\"\\u0000a\"}}]}", false },
	{ "{\"choices\":[{\"delta\":{\"content\":\"a\\u0000\"}}]}", false },
	{ "{\"choices\":[{\"delta\":{\"content\":\"\\ud800\"}}]}", false },
	{ "{\"choices\":[{\"delta\":{\"content\":\"\\udc00x\"}}]}", false },
	{ "{\"choices\":[{\"delta\":{\"content\":\"\\ud800\\u0041\"}}]}", false },
	{ "{\"choices\":[{\"delta\":{\"content\":\"\\uzzzz\"}}]}", false },
	{ "{\"choices\":[{\"delta\":{\"content\":\"\\x\"}}]}", false },
	{ "{\"choices\":[{\"delta\":{\"content\":\"a\x01\"}}]}", false },
	/* nesting and order */
	{ "{\"x\":{\"content\":\"no\",\"choices\":[{\"delta\":{\"content\":\"no\"}}]},"
	  "\"choices\":[{\"meta\":{\"delta\":{\"content\":\"no\"}},\"delta\":{\"x\":[[{}],{\"a\":[]}],"
	  "\"content\":\"\"}}]}", true },
	{ "{\"usage\":null,\"choices\":[{\"finish_reason\":\"stop\",\"delta\":{\"content\":\"a\"},\"index\":0}],\"id\":\"x\"}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"choices\":[]}", true },
	{ "{\"choices\":[],\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":\"\",\"content\":\"a\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{}},{\"delta\":{\"content\":\"b\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":\"a\"}},{\"delta\":{\"content\":\"b\"}}]}", true },
	{ " \t{ \"choices\" : [ { \"delta\" : { \"content\" : \"a\" } , \"finish_reason\" : null } ] } \r\n ", true },
	{ "{\"choices\":{\"a\":{\"delta\":{\"content\":\"x\"}}}}", true },
	{ "{\"choices\":null}", true },
	{ "{\"choices\":\"x\"}", true },
	{ "{\"choices\":[[{\"delta\":{\"content\":\"x\"}}],\"s\",1,null,{\"delta\":\"x\"}]}", true },
	{ "{\"choices\":[{\"delta\":[{\"content\":\"x\"}]}]}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":5}}]}", true },
	{ "{\"ch\\u006fices\":[{\"delta\":{\"content\":\"x\"}}]}", false },
	/* reasoning and tools */
	{ "{\"choices\":[{\"delta\":{\"content\":\"\",\"reasoning_content\":\"x\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"reasoning\":\"x\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"reasoning\":\"\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":"
	  "{\"name\":\"f\",\"arguments\":\"\"}}]}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"a\"}}]}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"tool_calls\":[{},{\"function\":null},{\"function\":{\"arguments\":\"1\"}}]}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"tool_calls\":{\"x\":{\"function\":{\"arguments\":\"1\"}}}}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"reasoning_content\":\"x\",\"content\":\"y\"}}]}", true },
	/* finish, usage, numbers */
	{ "{\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}", true },
	{ "{\"choices\":[{\"delta\":{},\"finish_reason\":\"length\"},{\"finish_reason\":\"stop\"}]}", true },
	{ "{\"choices\":[{\"delta\":{},\"finish_reason\":7}]}", true },
	{ "{\"choices\":[{\"delta\":{},\"finish_reason\":\"\"}]}", true },
	{ "{\"choices\":[{\"delta\":{},\"finish_reason\":\"a_reason_longer_than_any_buffer_holds\"}]}", true },
	{ "{\"choices\":[{\"delta\":{},\"finish_reason\":\"len\\u0067th\"}]}", false },
	{ "{\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":50,"
	  "\"completion_tokens_details\":{\"reasoning_tokens\":20}}}", true },
	{ "{\"choices\":[],\"usage\":{\"completion_tokens\":50,"
	  "\"completion_tokens_details\":{\"reasoning_tokens\":\"20\"}}}", true },
	{ "{\"choices\":[],\"usage\":{\"completion_tokens\":50,\"completion_tokens_details\":null}}", true },
	{ "{\"choices\":[],\"usage\":{\"completion_tokens_details\":{\"reasoning_tokens\":3}}}", true },
	{ "{\"choices\":[],\"usage\":{\"completion_tokens\":50,"
	  "\"completion_tokens_details\":{\"reasoning_tokens\":2e1}}}", false },
	{ "{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17}}", true },
	{ "{\"choices\":[],\"usage\":{\"completion_tokens\":5}}", true },
	{ "{\"choices\":[],\"usage\":{\"completion_tokens\":5,\"prompt_tokens\":\"12\"}}", true },
	{ "{\"choices\":[],\"usage\":{\"completion_tokens\":\"5\",\"prompt_tokens\":12}}", true },
	{ "{\"choices\":[],\"usage\":[5]}", true },
	{ "{\"choices\":[],\"usage\":{\"completion_tokens\":-0,\"prompt_tokens\":123456789012345}}", true },
	{ "{\"choices\":[],\"usage\":{\"completion_tokens\":5e0,\"prompt_tokens\":1.2E+1}}", false },
	{ "{\"choices\":[],\"usage\":{\"completion_tokens\":5.0,\"prompt_tokens\":12}}", false },
	{ "{\"choices\":[],\"usage\":{\"completion_tokens\":1234567890123456,\"prompt_tokens\":1}}", false },
	{ "{\"created\":1.7e9,\"x\":-0.5E-3,\"y\":[0,1e+2,2E5],\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", true },
	{ "{\"x\":1234567890123456789012345678901234567890123456789012345678901234567890,"
	  "\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", false },
	{ "{\"x\":01,\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", false },
	{ "{\"x\":+1,\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", false },
	{ "{\"x\":1.,\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", false },
	{ "{\"x\":.5,\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", false },
	{ "{\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],"
	  "\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", false },
	/* errors */
	{ "{\"error\":{\"message\":\"model overloaded\",\"code\":503}}", false },
	{ "{\"error\":{\"code\":503}}", false },
	{ "{\"error\":\"x\"}", false },
	{ "{\"error\":null,\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", true },
	{ "{\"object\":\"error\",\"message\":\"the engine died\",\"code\":500}", false },
	{ "{\"object\":\"err\\u006fr\",\"message\":\"escaped\"}", false },
	{ "{\"object\":\"error\"}", false },
	{ "{\"object\":\"chat.completion.chunk\",\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", true },
	/* not plain JSON, lenient JSON, not JSON */
	{ "{\"choices\":[{\"delta\":{\"content\":\"a\"}}]} trailing", false },
	{ "\xef\xbb\xbf{\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", false },
	{ "{\"choices\":[{\"delta\":{\"content\":\"a\"}}]", false },
	{ "{\"choices\":[{\"delta\":{\"content\":\"a", false },
	{ "{\"choices\":[{\"delta\":{\"content\":\"a\"}},]}", false },
	{ "{\"choices\":tru}", false },
	{ "{choices:[]}", false },
	{ "", false },
	{ "this is not json", false },
	{ "[{\"delta\":{\"content\":\"a\"}}]", true },
	{ "\"str\"", true },
	{ "5", true },
	{ "null", true },
	{ "[DONE]", true },
	{ "[DONE] ", false },
};

/* Completions: the choice's text. */
static const struct event completion_events[] = {
	{ "{\"choices\":[{\"text\":\"a\",\"index\":0,\"logprobs\":null,\"finish_reason\":null}]}", true },
	{ "{\"choices\":[{\"text\":\"\",\"finish_reason\":\"length\"}]}", true },
	{ "{\"choices\":[{\"text\":null}]}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", true },
	{ "{\"choices\":[{\"text\":\"\\u0000\"}]}", false },
	{ "{\"choices\":[{\"text\":\"\\\"\"}]}", true },
};

/* Anthropic: each event is followed by a message_delta, whose usage shows
 * the input count message_start left behind. The data's "type" names the
 * event, else the event line does. */
#define AN(event, data)	"event: " event "\ndata: " data
static const struct event anthropic_events[] = {
	{ AN("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
	  "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"m\","
	  "\"stop_reason\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}"), true },
	{ AN("message_start", "{\"type\":\"message_start\",\"message\":{\"usage\":{\"output_tokens\":1}}}"), true },
	{ AN("message_start", "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":\"25\"}}}"), true },
	{ AN("message_start", "{\"type\":\"message_start\",\"usage\":{\"input_tokens\":25},"
	  "\"message\":{\"content\":[{\"usage\":{\"input_tokens\":3}}],\"usage\":{\"input_tokens\":4}}}"), true },
	{ AN("message_start", "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":2.5e1}}}"), false },
	{ AN("message_start", "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":-4}}}"), true },
	{ AN("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
	  "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"), true },
	{ AN("ping", "{\"type\": \"ping\"}"), true },
	{ AN("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
	  "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}"), true },
	{ AN("content_block_delta", "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"\"}}"), true },
	{ AN("content_block_delta", "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":null}}"), true },
	{ AN("content_block_delta", "{\"type\":\"content_block_delta\",\"delta\":{\"text\":5}}"), true },
	{ AN("content_block_delta", "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"hm\"}}"), true },
	{ AN("content_block_delta", "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"signature_delta\",\"signature\":\"abc\"}}"), true },
	{ AN("content_block_delta", "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"input_json_delta\","
	  "\"partial_json\":\"{\\\"city\\\": \\\"Par\"}}"), true },
	{ AN("content_block_delta", "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}"), true },
	{ AN("content_block_delta", "{\"type\":\"content_block_delta\",\"delta\":{\"text\":\"\\n\\t\\\"\\u00e9\\ud83d\\ude00\"}}"), true },
	{ AN("content_block_delta", "{\"type\":\"content_block_delta\",\"delta\":{\"text\":\"\\u0000x\"}}"), false },
	{ AN("content_block_delta", "{\"type\":\"content_block_delta\",\"delta\":{\"text\":\"\\ud800\"}}"), false },
	/* nesting, order, repeated keys */
	{ AN("content_block_delta", "{\"x\":{\"delta\":{\"text\":\"no\"},\"type\":\"ping\"},"
	  "\"delta\":{\"y\":[{\"text\":\"no\"}],\"text\":\"\"},\"type\":\"content_block_delta\"}"), true },
	{ AN("content_block_delta", "{\"type\":\"content_block_delta\",\"delta\":{\"text\":\"\"},\"delta\":{\"text\":\"a\"}}"), true },
	{ AN("content_block_delta", "{\"type\":\"content_block_delta\",\"delta\":{\"text\":\"\",\"text\":\"a\"}}"), true },
	{ AN("content_block_delta", "{\"type\":\"ping\",\"type\":\"content_block_delta\",\"delta\":{\"text\":\"a\"}}"), true },
	{ AN("content_block_delta", "{\"delta\":[{\"text\":\"a\"}],\"type\":\"content_block_delta\"}"), true },
	/* the event line when the data names no type */
	{ AN("content_block_delta", "{\"delta\":{\"text\":\"a\"}}"), true },
	{ AN("content_block_delta", "{\"type\":null,\"delta\":{\"text\":\"a\"}}"), true },
	{ AN("content_block_delta", "{\"type\":7,\"delta\":{\"text\":\"a\"}}"), true },
	{ AN("ping", "{\"type\":\"content_block_delta\",\"delta\":{\"text\":\"a\"}}"), true },
	{ AN("content_block_delta", "{\"type\":\"ping\",\"delta\":{\"text\":\"a\"}}"), true },
	{ AN("content_block_delta", "{\"type\":\"content_block_d\\u0065lta\",\"delta\":{\"text\":\"a\"}}"), false },
	{ AN("content_block_delta", "{\"type\":\"content_block_delta\\n\",\"delta\":{\"text\":\"a\"}}"), false },
	{ AN("content_block_delta", "{\"type\":\"content_block_delt\",\"delta\":{\"text\":\"a\"}}"), true },
	{ AN("content_block_delta", "{\"type\":\"content_block_deltas\",\"delta\":{\"text\":\"a\"}}"), true },
	{ AN("content_block_delta", "[{\"delta\":{\"text\":\"a\"}}]"), true },
	{ AN("content_block_delta", "\"content_block_delta\""), true },
	{ "data: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"a\"}}", true },
	{ "data: {\"delta\":{\"text\":\"a\"}}", true },
	/* usage */
	{ AN("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
	  "\"stop_sequence\":null},\"usage\":{\"output_tokens\":7}}"), true },
	{ AN("message_delta", "{\"type\":\"message_delta\",\"usage\":{\"input_tokens\":30,\"output_tokens\":7}}"), true },
	{ AN("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},"
	  "\"usage\":{\"output_tokens\":7}}"), true },
	{ AN("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":5},"
	  "\"usage\":{\"output_tokens\":7}}"), true },
	{ AN("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end\\u005fturn\"},"
	  "\"usage\":{\"output_tokens\":7}}"), false },
	{ AN("message_delta", "{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":7,\"input_tokens\":null}}"), true },
	{ AN("message_delta", "{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":\"7\"}}"), true },
	{ AN("message_delta", "{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":-3}}"), true },
	{ AN("message_delta", "{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":0}}"), true },
	{ AN("message_delta", "{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":7.0}}"), false },
	{ AN("message_delta", "{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":7,\"input_tokens\":1e1}}"), false },
	{ AN("message_delta", "{\"type\":\"message_delta\",\"usage\":null}"), true },
	{ AN("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"usage\":{\"output_tokens\":9}}}"), true },
	/* errors */
	{ AN("error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"), false },
	{ AN("error", "{\"type\":\"error\",\"error\":{\"message\":\"a \\\"quoted\\\" \\u00e9\"}}"), false },
	{ AN("error", "{\"type\":\"error\",\"error\":{\"type\":5}}"), false },
	{ AN("error", "{\"error\":{\"type\":\"api_error\",\"message\":\"x\"}}"), false },
	{ AN("error", "{\"type\":\"ping\"}"), true },
	{ AN("ping", "{\"type\":\"error\",\"error\":null}"), false },
	/* not plain JSON, not JSON */
	{ AN("content_block_delta", "{\"type\":\"content_block_delta\",\"delta\":{\"text\":\"a\"}} x"), false },
	{ AN("content_block_delta", "{\"type\":\"content_block_delta\",\"delta\":{\"text\":\"a\"}"), false },
	{ AN("content_block_delta", "{\"type\":\"content_block_delta\",\"delta\":{\"text\":\"a"), false },
	{ AN("content_block_delta", "{\"type\":\"content_block_delta\",\"delta\":{\"text\":\"a\",}}"), false },
	{ AN("content_block_delta", ""), false },
	{ AN("ping", "ping"), false },
	{ AN("message_stop", "{\"type\":\"message_stop\"}"), true },
	{ AN("message_stop", "{}"), true },
};

/* TGI's /generate_stream. */
static const struct event tgi_events[] = {
	{ "{\"index\":1,\"token\":{\"id\":5,\"text\":\"Hi\",\"logprob\":-0.25,\"special\":false},"
	  "\"generated_text\":null,\"details\":null}", true },
	{ "{\"token\":{\"text\":\"Hi\"}}", true },
	{ "{\"token\":{\"text\":\"\",\"special\":false}}", true },
	{ "{\"token\":{\"text\":null}}", true },
	{ "{\"token\":{\"text\":7}}", true },
	{ "{\"token\":{\"text\":\"</s>\",\"special\":true}}", true },
	{ "{\"token\":{\"special\":true,\"text\":\"x\"}}", true },
	{ "{\"token\":{\"text\":\"x\",\"special\":\"true\"}}", true },
	{ "{\"token\":{\"text\":\"x\",\"special\":1}}", true },
	{ "{\"token\":{\"text\":\"x\",\"special\":null}}", true },
	{ "{\"token\":{\"text\":\"x\",\"special\":false,\"special\":true}}", true },
	{ "{\"token\":{\"text\":\"x\",\"special\":true,\"special\":false}}", true },
	{ "{\"token\":{\"text\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u4e00\"}}", true },
	{ "{\"token\":{\"text\":\"\\u0000\"}}", false },
	{ "{\"token\":{\"text\":\"\\uDC00\"}}", false },
	{ "{\"token\":[{\"text\":\"x\"}]}", true },
	{ "{\"token\":\"x\"}", true },
	{ "{\"x\":{\"token\":{\"text\":\"no\"}},\"token\":{\"y\":{\"text\":\"no\"},\"text\":\"\"}}", true },
	{ "{\"token\":{\"text\":\"\"},\"token\":{\"text\":\"a\"}}", true },
	{ "{\"top_tokens\":[{\"text\":\"no\"}],\"token\":{\"text\":\"a\"}}", true },
	{ "{\"t\\u006fken\":{\"text\":\"a\"}}", false },
	/* errors */
	{ "{\"error\":\"Input validation error: `inputs` must have less than 4096 tokens\","
	  "\"error_type\":\"validation\"}", false },
	{ "{\"error\":\"overloaded\"}", false },
	{ "{\"error\":{\"message\":\"x\"},\"error_type\":7}", false },
	{ "{\"error\":null,\"token\":{\"text\":\"a\"}}", true },
	/* not objects, not plain, not JSON */
	{ "[{\"token\":{\"text\":\"a\"}}]", false },
	{ "\"a\"", false },
	{ "null", false },
	{ "{\"token\":{\"text\":\"a\"}} x", false },
	{ "{\"token\":{\"text\":\"a\"}", false },
	{ "{\"token\":{\"text\":\"a", false },
	{ "", false },
	/* the final event */
	{ "{\"token\":{\"text\":\"</s>\",\"special\":true},\"generated_text\":\"Hi there\","
	  "\"details\":{\"finish_reason\":\"eos_token\",\"generated_tokens\":3,\"seed\":null}}", true },
	{ "{\"generated_text\":\"\",\"details\":{\"generated_tokens\":0}}", true },
	{ "{\"generated_text\":false}", true },
	{ "{\"details\":{\"generated_tokens\":4},\"generated_text\":\"x\"}", true },
	{ "{\"generated_text\":\"x\",\"details\":{\"generated_tokens\":\"4\"}}", true },
	{ "{\"generated_text\":\"x\",\"details\":{\"generated_tokens\":-2}}", true },
	{ "{\"generated_text\":\"x\",\"details\":{\"generated_tokens\":4.0}}", false },
	{ "{\"generated_text\":\"x\",\"details\":{\"generated_tokens\":1e30}}", false },
	{ "{\"generated_text\":\"x\",\"details\":null}", true },
	{ "{\"generated_text\":\"x\",\"details\":{\"tokens\":[{\"generated_tokens\":9}]}}", true },
	{ "{\"generated_text\":null,\"details\":{\"generated_tokens\":4}}", true },
};

/* Ollama's /api/chat (and /api/generate's "response"). */
static const struct event ollama_events[] = {
	{ "{\"model\":\"llama3.2\",\"created_at\":\"2024-12-01T00:00:00.000000Z\","
	  "\"message\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"done\":false}", true },
	{ "{\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":false}", true },
	{ "{\"message\":{\"content\":null}}", true },
	{ "{\"message\":{\"content\":\"\",\"thinking\":\"hm\"}}", true },
	{ "{\"message\":{\"thinking\":\"\"}}", true },
	{ "{\"message\":{\"response\":\"x\"}}", true },
	{ "{\"response\":\"x\",\"done\":false}", true },
	{ "{\"response\":\"\",\"done\":false}", true },
	{ "{\"message\":null,\"content\":\"x\"}", true },
	{ "{\"message\":\"x\",\"thinking\":\"x\"}", true },
	{ "{\"message\":[{\"content\":\"x\"}],\"response\":\"x\"}", true },
	{ "{\"message\":{\"role\":\"assistant\"},\"response\":\"x\"}", true },
	{ "{\"message\":{\"content\":\"\\\"\\n\\u00e9\\ud83d\\ude00\"}}", true },
	{ "{\"message\":{\"content\":\"\\u0000x\"}}", false },
	{ "{\"message\":{\"content\":\"\\ud83d\"}}", false },
	{ "{\"message\":{\"tool_calls\":[{\"function\":{\"content\":\"no\"}}],\"content\":\"\"}}", true },
	{ "{\"message\":{\"content\":\"\",\"content\":\"a\"}}", true },
	{ "{\"message\":{},\"message\":{\"content\":\"a\"}}", true },
	{ "{\"message\":{\"content\":5},\"done\":null}", true },
	{ "{\"done\":\"true\",\"eval_count\":2}", true },
	{ "{\"done\":1,\"eval_count\":2}", true },
	{ "{\"done\":false,\"eval_count\":2}", true },
	{ "{\"done\":false,\"eval_count\":2.5}", true },
	{ "{\"m\\u0065ssage\":{\"content\":\"a\"}}", false },
	/* errors: any "error", null too */
	{ "{\"error\":\"model 'x' not found, try pulling it first\"}", false },
	{ "{\"error\":null,\"message\":{\"content\":\"a\"}}", false },
	{ "{\"error\":{\"message\":\"x\"}}", false },
	{ "{\"message\":{\"content\":\"a\"},\"error\":\"late\"}", false },
	{ "{\"message\":{\"error\":\"no\",\"content\":\"a\"}}", true },
	/* not objects, not plain, not JSON */
	{ "[{\"message\":{\"content\":\"a\"}}]", false },
	{ "\"a\"", false },
	{ "{\"message\":{\"content\":\"a\"}} x", false },
	{ "{\"message\":{\"content\":\"a\"}", false },
	{ "{\"message\":{\"content\":\"a", false },
	{ "{\"message\":{\"content\":\"a\"},}", false },
	{ "nope", false },
	/* the last line */
	{ "{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
	  "\"done_reason\":\"stop\",\"done\":true,\"total_duration\":4883583458,"
	  "\"load_duration\":1334875,\"prompt_eval_count\":26,\"prompt_eval_duration\":342546000,"
	  "\"eval_count\":282,\"eval_duration\":4535599000}", true },
	{ "{\"done\":true,\"eval_count\":2}", true },
	{ "{\"done\":true,\"done_reason\":\"length\",\"eval_count\":2}", true },
	{ "{\"done\":true,\"done_reason\":null,\"eval_count\":2}", true },
	{ "{\"done\":true,\"done_reason\":\"len\\u0067th\",\"eval_count\":2}", false },
	{ "{\"done\":true,\"prompt_eval_count\":9}", true },
	{ "{\"done\":true,\"eval_count\":\"2\",\"prompt_eval_count\":9}", true },
	{ "{\"done\":true,\"eval_count\":2,\"prompt_eval_count\":\"9\"}", true },
	{ "{\"done\":true,\"eval_count\":-1,\"prompt_eval_count\":9}", true },
	{ "{\"done\":true,\"eval_count\":2e0,\"prompt_eval_count\":9}", false },
	{ "{\"done\":true,\"eval_count\":2,\"prompt_eval_count\":9.5}", false },
	{ "{\"message\":{\"content\":\"end\"},\"done\":true,\"eval_count\":3,\"prompt_eval_count\":0}", true },
	{ "{\"done\":false,\"done\":true,\"eval_count\":2}", true },
	{ "{\"done\":true,\"done\":false,\"eval_count\":2}", true },
};

/* SageMaker: a container's TGI-, LMI- or OpenAI-shaped objects. */
static const struct event sagemaker_events[] = {
	{ "{\"token\":{\"id\":5,\"text\":\"Hi\",\"special\":false},\"generated_text\":null}", true },
	{ "{\"token\":{\"text\":\"Hi\"}}", true },
	{ "{\"token\":{\"text\":\"\"}}", true },
	{ "{\"token\":{\"text\":\"</s>\",\"special\":true}}", true },
	{ "{\"token\":{\"text\":\"x\",\"special\":\"yes\"}}", true },
	{ "{\"token\":{\"text\":\"\\u0000\"}}", false },
	{ "{\"token\":{\"text\":\"\\t\\u00e9\"}}", true },
	{ "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"a\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":\"\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"reasoning_content\":\"a\"}}]}", true },
	{ "{\"choices\":[{\"text\":\"a\"}]}", true },
	{ "{\"choices\":[{\"text\":\"\"},{\"delta\":null},5,{\"delta\":{\"content\":\"b\"}}]}", true },
	{ "{\"choices\":{\"x\":{\"text\":\"a\"}}}", true },
	{ "{\"choices\":[[{\"text\":\"a\"}]]}", true },
	{ "{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5}}", true },
	{ "{\"choices\":[],\"usage\":{\"completion_tokens\":\"5\"}}", true },
	{ "{\"choices\":[],\"usage\":{\"completion_tokens\":-5}}", true },
	{ "{\"choices\":[],\"usage\":{\"completion_tokens\":5.5}}", false },
	{ "{\"token\":{\"text\":\"a\"},\"x\":{\"usage\":{\"completion_tokens\":1}},\"token\":{}}", true },
	{ "{\"error\":\"CUDA out of memory\"}", false },
	{ "{\"error\":{\"message\":\"x\"}}", false },
	{ "{\"error\":null,\"token\":{\"text\":\"a\"}}", true },
	{ "[{\"token\":{\"text\":\"a\"}}]", false },
	{ "{\"token\":{\"text\":\"a\"}} x", false },
	{ "{\"token\":{\"text\":\"a\"", false },
	{ "", false },
	{ "{\"token\":{\"text\":\"</s>\",\"special\":true},\"generated_text\":\"Hi!\","
	  "\"details\":{\"generated_tokens\":3}}", true },
	{ "{\"generated_text\":\"x\",\"details\":{\"generated_tokens\":\"3\"}}", true },
	{ "{\"generated_text\":\"x\",\"details\":{\"finish_reason\":\"length\",\"generated_tokens\":3}}", true },
	{ "{\"generated_text\":\"x\",\"details\":{\"finish_reason\":\"eos_tok\\u0065n\",\"generated_tokens\":3}}", false },
	{ "{\"generated_text\":\"x\",\"details\":{\"finish_reason\":null}}", true },
	{ "{\"generated_text\":\"x\",\"details\":{\"generated_tokens\":3e0}}", false },
	{ "{\"generated_text\":\"x\",\"usage\":{\"completion_tokens\":4},\"details\":{\"generated_tokens\":3}}", true },
	{ "[DONE]", true },
};

/* Responses: the deltas by kind, the ends, the errors. */
#define RS(type, rest)	"{\"type\":\"" type "\"" rest "}"
static const struct event responses_events[] = {
	{ RS("response.created", ",\"sequence_number\":0,\"response\":{\"id\":\"resp_7\","
	  "\"status\":\"in_progress\",\"output\":[],\"usage\":null}"), true },
	{ RS("response.in_progress", ",\"response\":{\"status\":\"in_progress\"}"), true },
	{ RS("response.output_item.added", ",\"item\":{\"type\":\"reasoning\",\"summary\":[]}"), true },
	{ RS("response.reasoning_text.delta", ",\"item_id\":\"rs_1\",\"delta\":\"Let me\""), true },
	{ RS("response.reasoning_summary_text.delta", ",\"delta\":\"Weighing it\""), true },
	{ RS("response.reasoning_text.delta", ",\"delta\":\"\""), true },
	{ RS("response.reasoning_text.done", ",\"text\":\"Let me\""), true },
	{ RS("response.output_text.delta", ",\"output_index\":1,\"content_index\":0,"
	  "\"delta\":\"Paris\",\"sequence_number\":9"), true },
	{ RS("response.output_text.delta", ",\"delta\":\"\\n\\u00e9\""), true },
	{ RS("response.output_text.delta", ",\"delta\":null"), true },
	{ RS("response.output_text.delta", ",\"delta\":5"), true },
	{ RS("response.output_text.delta", ",\"delta\":\"\\u0000x\""), false },
	{ RS("response.refusal.delta", ",\"delta\":\"No.\""), true },
	{ RS("response.function_call_arguments.delta", ",\"delta\":\"{\\\"city\""), true },
	{ RS("response.function_call_arguments.done", ",\"arguments\":\"{}\""), true },
	{ RS("response.output_text.d\\u0065lta", ",\"delta\":\"a\""), false },
	{ "{\"delta\":\"a\"}", true },
	{ "[\"response.output_text.delta\"]", true },
	/* the ends and errors, which stop the stream */
	{ RS("response.completed", ",\"response\":{\"status\":\"completed\",\"usage\":{"
	  "\"input_tokens\":11,\"output_tokens\":50,\"output_tokens_details\":{\"reasoning_tokens\":20},"
	  "\"total_tokens\":61}}"), true },
	{ RS("response.completed", ",\"response\":{\"usage\":{\"output_tokens\":\"50\"}}"), true },
	{ RS("response.completed", ",\"response\":{\"usage\":{\"output_tokens\":5e1}}"), false },
	{ RS("response.completed", ""), true },
	{ RS("response.incomplete", ",\"response\":{\"status\":\"incomplete\",\"incomplete_details\":"
	  "{\"reason\":\"max_output_tokens\"},\"usage\":{\"input_tokens\":3,\"output_tokens\":16}}"), false },
	{ RS("response.incomplete", ",\"response\":{\"incomplete_details\":{\"reason\":\"content_filter\"}}"), false },
	{ RS("response.failed", ",\"response\":{\"status\":\"failed\",\"error\":{\"code\":\"server_error\","
	  "\"message\":\"The model crashed\"}}"), false },
	{ RS("response.failed", ",\"response\":{}"), false },
	{ RS("error", ",\"code\":\"rate_limit_exceeded\",\"message\":\"Slow down\",\"param\":null"), false },
	{ "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"bad\"}}", false },
	{ "not json", false },
};

#define MESSAGE_DELTA	"event: message_delta\ndata: {\"type\":\"message_delta\"," \
			"\"usage\":{\"output_tokens\":1}}\n\n"
static const struct adapter openai_chat = { &proto_openai_chat,
    "data: %s\n\n", "data: [DONE]\n\n", false };
static const struct adapter openai_completions = { &proto_openai_completions,
    "data: %s\n\n", "data: [DONE]\n\n", false };
static const struct adapter anthropic = { &proto_anthropic,
    "%s\n\n" MESSAGE_DELTA, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
    false };
static const struct adapter tgi = { &proto_tgi, "data:%s\n\n",
    "data:{\"generated_text\":\"x\",\"details\":{\"generated_tokens\":99}}\n\n", false };
static const struct adapter ollama = { &proto_ollama, "%s\n",
    "{\"done\":true,\"eval_count\":99,\"prompt_eval_count\":9}\n", false };
static const struct adapter responses = { &proto_openai_responses,
    "data: %s\n\n", "event: response.completed\ndata: {\"type\":\"response.completed\","
    "\"response\":{\"usage\":{\"input_tokens\":4,\"output_tokens\":99}}}\n\n", false };
static const struct adapter sagemaker = { &proto_sagemaker, "data:%s\n\n",
    "data:[DONE]\n\n", true };

/* One event as a stream of its own, read both ways at every cut; fast:
 * whether the table's marks of what jscan reads hold for this adapter. */
static void
agree(const struct adapter *a, const struct event *e, bool fast)
{
	char stream[1024];
	struct seen scan, cjson;
	size_t cut, len;
	long before;

	len = (size_t)snprintf(stream, sizeof stream, a->fmt, e->data);
	assert_true(len < sizeof stream);
	run(a, stream, 0, true, &cjson);
	before = allocs;
	run(a, stream, 0, false, &scan);
	if (fast && e->fast && allocs != before)
		fail_msg("%s: read by cJSON", e->data);
	assert_same(&scan, &cjson, e->data);
	for (cut = 1; cut <= len; cut++) {
		run(a, stream, cut, false, &scan);
		assert_same(&scan, &cjson, e->data);
	}
}

static void
agree_all(const struct adapter *a, const struct event *e, size_t n, bool fast)
{
	size_t i;

	for (i = 0; i < n; i++)
		agree(a, &e[i], fast);
}

#define NEVENTS(t)	(sizeof (t) / sizeof (t)[0])

static void
test_chat_events_agree(void **state)
{
	agree_all(&openai_chat, chat_events, NEVENTS(chat_events), true);
}

static void
test_completion_events_agree(void **state)
{
	agree_all(&openai_completions, completion_events,
	    NEVENTS(completion_events), true);
	agree_all(&openai_completions, chat_events, NEVENTS(chat_events), true);
}

static void
test_anthropic_events_agree(void **state)
{
	agree_all(&anthropic, anthropic_events, NEVENTS(anthropic_events), true);
}

static void
test_tgi_events_agree(void **state)
{
	agree_all(&tgi, tgi_events, NEVENTS(tgi_events), true);
}

static void
test_ollama_events_agree(void **state)
{
	agree_all(&ollama, ollama_events, NEVENTS(ollama_events), true);
}

static void
test_responses_events_agree(void **state)
{
	agree_all(&responses, responses_events, NEVENTS(responses_events), true);
	agree_all(&responses, chat_events, NEVENTS(chat_events), false);
}

static void
test_sagemaker_events_agree(void **state)
{
	agree_all(&sagemaker, sagemaker_events, NEVENTS(sagemaker_events), true);
	/* the containers' own shapes: not all plain for SageMaker */
	agree_all(&sagemaker, tgi_events, NEVENTS(tgi_events), false);
	agree_all(&sagemaker, chat_events, NEVENTS(chat_events), false);
}

/* A whole stream of a table's plain events, then the adapter's end, cut at
 * every byte: the same counts both ways, at least tokens of them, and none
 * of it read by cJSON. */
static void
stream_every_split(const struct adapter *a, const struct event *e, size_t n,
    int tokens)
{
	char stream[16384];
	struct seen scan, cjson;
	size_t i, cut, len = 0;
	long before;

	for (i = 0; i < n; i++) {
		if (e[i].fast)
			len += (size_t)snprintf(stream + len, sizeof stream - len,
			    a->fmt, e[i].data);
	}
	len += (size_t)snprintf(stream + len, sizeof stream - len, "%s", a->end);
	assert_true(len < sizeof stream);
	run(a, stream, 0, true, &cjson);
	assert_int_equal(cjson.rc, 0);
	assert_true(cjson.done >= 1);	/* OpenAI's table holds a [DONE] */
	if (cjson.tokens < tokens)
		fail_msg("%s: %d tokens, not %d", a->p->name, cjson.tokens, tokens);
	for (cut = 0; cut <= len; cut++) {
		before = allocs;
		run(a, stream, cut, false, &scan);
		assert_int_equal(allocs, before);
		assert_same(&scan, &cjson, a->p->name);
	}
}

static void
test_stream_every_split(void **state)
{
	stream_every_split(&openai_chat, chat_events, NEVENTS(chat_events), 10);
	stream_every_split(&anthropic, anthropic_events,
	    NEVENTS(anthropic_events), 9);
	stream_every_split(&tgi, tgi_events, NEVENTS(tgi_events), 8);
	stream_every_split(&ollama, ollama_events, NEVENTS(ollama_events), 9);
	stream_every_split(&sagemaker, sagemaker_events,
	    NEVENTS(sagemaker_events), 8);
	stream_every_split(&responses, responses_events,
	    NEVENTS(responses_events), 6);
}

static void
test_lookups(void **state)
{
	static const char doc[] = " {\"a\":[1,{\"b\":\"x\\\"y\"},[]],\"n\":-42,"
	    "\"s\":\"ok\",\"e\":\"o\\u006b\",\"a\":2,\"f\":1e3} ";
	static const char *const keys[] = { "a", "n", "s", "e", "f", "zz" };
	struct jdoc d;
	struct jval root, v[6], elem;
	long n;
	int count = 0;

	assert_int_equal(jscan_doc(&d, doc, sizeof doc - 1, &root), 0);
	assert_int_equal(root.type, JOBJECT);
	jscan_members(&root, keys, v, 6);
	assert_int_equal(v[0].type, JARRAY);	/* the first "a" */
	assert_int_equal(jscan_long(&v[1], &n), 0);
	assert_int_equal(n, -42);
	assert_int_equal(jscan_string_is(&v[2], "ok"), 1);
	assert_int_equal(jscan_string_is(&v[2], "o"), 0);
	assert_int_equal(jscan_string_is(&v[3], "ok"), -1);
	assert_int_equal(jscan_long(&v[4], &n), -1);
	assert_int_equal(v[5].type, JNONE);
	JSCAN_FOREACH(elem, v[0])
		count++;
	assert_int_equal(count, 3);
	count = 0;
	JSCAN_FOREACH(elem, root)	/* member values, as cJSON_ArrayForEach */
		count++;
	assert_int_equal(count, 6);
	jscan_off = true;
	assert_int_equal(jscan_doc(&d, doc, sizeof doc - 1, &root), -1);
	jscan_off = false;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chat_events_agree),
		cmocka_unit_test(test_completion_events_agree),
		cmocka_unit_test(test_anthropic_events_agree),
		cmocka_unit_test(test_tgi_events_agree),
		cmocka_unit_test(test_ollama_events_agree),
		cmocka_unit_test(test_sagemaker_events_agree),
		cmocka_unit_test(test_responses_events_agree),
		cmocka_unit_test(test_stream_every_split),
		cmocka_unit_test(test_lookups),
	};
	cJSON_Hooks hooks = { counted_malloc, free };

	cJSON_InitHooks(&hooks);
	return cmocka_run_group_tests_name("jscan", tests, NULL, NULL);
}
