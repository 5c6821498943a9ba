/* The OpenAI adapters: what counts as a token, usage, the end marker, and
 * malformed streams, with the stream split at every byte. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "run_opts.h"
#include "prompts.h"
#include "proto/proto.h"

struct seen {
	int	tokens;
	int	reasoning;	/* of tokens, reasoning chunks */
	int	first_visible;	/* 1-based index of the first visible one */
	long	usage_out, usage_in, usage_reasoning;
	int	done;
	int	fails;
	char	detail[200];
	char	reason[32];
};

static void
ev_token(void *ctx, enum chunk_kind kind)
{
	struct seen *s = ctx;

	s->tokens++;
	if (kind == CHUNK_REASONING)
		s->reasoning++;
	else if (s->first_visible == 0)
		s->first_visible = s->tokens;
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
	strncpy(s->detail, detail, sizeof s->detail - 1);
}

/* Runs the whole stream through the adapter cut at one point; returns the
 * result of feed (or of finish when feeding succeeded). */
static int
run_stream(const struct proto *p, const char *stream, size_t cut, struct seen *s)
{
	struct proto_events ev = { ev_token, ev_usage, ev_done, ev_fail, s, NULL,
	    ev_reasoning, ev_reason, NULL };
	void *state = malloc(p->state_size);
	size_t len = strlen(stream);
	int rc;

	memset(s, 0, sizeof *s);
	s->usage_out = s->usage_in = s->usage_reasoning = -1;
	p->init(state);
	rc = p->feed(state, stream, cut, &ev);
	if (rc == 0)
		rc = p->feed(state, stream + cut, len - cut, &ev);
	if (rc == 0)
		rc = p->finish(state, &ev);
	p->done(state);
	free(state);
	return rc;
}

static const char chat_stream[] =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n"
    ": keep-alive\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"hm\"},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null}]}\r\n\r\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},\"finish_reason\":null}]}\n\n"
    "data:{\"choices\":[{\"index\":0,\"delta\":{\"content\":\" world\"},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5}}\n\n"
    "data: [DONE]\n\n";

static void
test_chat_tokens_every_split(void **state)
{
	size_t cut, len = strlen(chat_stream);
	struct seen s;

	for (cut = 0; cut <= len; cut++) {
		assert_int_equal(run_stream(&proto_openai_chat, chat_stream, cut, &s), 0);
		/* role-only, empty and usage-only chunks are not tokens */
		assert_int_equal(s.tokens, 3);
		assert_int_equal(s.reasoning, 1);
		assert_int_equal(s.first_visible, 2);
		assert_string_equal(s.reason, "stop");
		assert_int_equal(s.usage_reasoning, -1);	/* not sent */
		assert_int_equal(s.usage_out, 5);
		assert_int_equal(s.usage_in, 12);
		assert_int_equal(s.done, 1);
		assert_int_equal(s.fails, 0);
	}
}

/* The answer's visible text, as a session keeps it: every split, every
 * adapter that reads text, reasoning and empty pieces left out. */
static void
ev_text(void *ctx, const char *t, size_t n)
{
	struct buf *b = ctx;

	buf_add(b, t, n);
}

static void ev_nop_token(void *ctx, enum chunk_kind kind) { }
static void ev_nop_done(void *ctx) { }
static void ev_nop_usage(void *ctx, long out, long in) { }
static void ev_nop_fail(void *ctx, const char *detail) { }

static void
text_every_split(const struct proto *p, const char *stream, const char *want)
{
	struct buf b;
	struct proto_events ev = { ev_nop_token, ev_nop_usage, ev_nop_done,
	    ev_nop_fail, &b, NULL, NULL, NULL, ev_text };
	size_t cut, len = strlen(stream);
	void *state = malloc(p->state_size);

	buf_init(&b);
	for (cut = 0; cut <= len; cut++) {
		b.len = 0;
		p->init(state);
		assert_int_equal(p->feed(state, stream, cut, &ev), 0);
		assert_int_equal(p->feed(state, stream + cut, len - cut, &ev), 0);
		assert_int_equal(p->finish(state, &ev), 0);
		p->done(state);
		assert_int_equal(b.len, strlen(want));
		assert_memory_equal(b.p, want, b.len);
	}
	buf_free(&b);
	free(state);
}

static void
test_answer_text_every_split(void **state)
{
	text_every_split(&proto_openai_chat, chat_stream, "Hello world");
	text_every_split(&proto_openai_chat,
	    "data: {\"choices\":[{\"delta\":{\"content\":\"line\\none \\\"q\\\" caf\\u00e9\"}}]}\n\n"
	    "data: {\"choices\":[{\"delta\":{\"reasoning\":\"hidden\"}}]}\n\n"
	    "data: [DONE]\n\n", "line\none \"q\" caf\xc3\xa9");
	text_every_split(&proto_openai_completions,
	    "data: {\"choices\":[{\"text\":\"sea \"}]}\n\n"
	    "data: {\"choices\":[{\"text\":\"wall\",\"finish_reason\":\"stop\"}]}\n\n"
	    "data: [DONE]\n\n", "sea wall");
	text_every_split(&proto_anthropic,
	    "event: message_start\ndata: {\"type\":\"message_start\",\"message\":"
	    "{\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n"
	    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
	    "\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"mm\"}}\n\n"
	    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
	    "\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"tide \"}}\n\n"
	    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
	    "\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"high\"}}\n\n"
	    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", "tide high");
	text_every_split(&proto_ollama,
	    "{\"message\":{\"role\":\"assistant\",\"content\":\"gull\"},\"done\":false}\n"
	    "{\"message\":{\"role\":\"assistant\",\"content\":\"s\"},\"done\":false}\n"
	    "{\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,"
	    "\"eval_count\":2}\n", "gulls");
	text_every_split(&proto_tgi,
	    "data: {\"token\":{\"id\":1,\"text\":\"oil\",\"special\":false}}\n\n"
	    "data: {\"token\":{\"id\":2,\"text\":\"cloth\",\"special\":false}}\n\n"
	    "data: {\"token\":{\"id\":3,\"text\":\"</s>\",\"special\":true},"
	    "\"generated_text\":\"oilcloth\"}\n\n", "oilcloth");
}

/* With the text wanted (read from the tree, not the fast path), chunks
 * still come with their kind, and only the visible ones give text. */
struct kinds_text {
	struct buf	b;
	int		visible, reasoning;
};

static void
kt_token(void *ctx, enum chunk_kind kind)
{
	struct kinds_text *k = ctx;

	if (kind == CHUNK_REASONING)
		k->reasoning++;
	else
		k->visible++;
}

static void
kt_text(void *ctx, const char *t, size_t n)
{
	buf_add(&((struct kinds_text *)ctx)->b, t, n);
}

static void
kinds_and_text(const struct proto *p, const char *stream, int visible,
    int reasoning, const char *want)
{
	struct kinds_text k;
	struct proto_events ev = { kt_token, ev_nop_usage, ev_nop_done,
	    ev_nop_fail, &k, NULL, NULL, NULL, kt_text };
	size_t cut, len = strlen(stream);
	void *state = malloc(p->state_size);

	buf_init(&k.b);
	for (cut = 0; cut <= len; cut++) {
		k.b.len = 0;
		k.visible = k.reasoning = 0;
		p->init(state);
		assert_int_equal(p->feed(state, stream, cut, &ev), 0);
		assert_int_equal(p->feed(state, stream + cut, len - cut, &ev), 0);
		assert_int_equal(p->finish(state, &ev), 0);
		p->done(state);
		assert_int_equal(k.visible, visible);
		assert_int_equal(k.reasoning, reasoning);
		assert_int_equal(k.b.len, strlen(want));
		assert_memory_equal(k.b.p, want, k.b.len);
	}
	buf_free(&k.b);
	free(state);
}

static void
test_kinds_with_text(void **state)
{
	kinds_and_text(&proto_openai_responses,
	    "event: response.created\ndata: {\"type\":\"response.created\"}\n\n"
	    "event: response.reasoning_text.delta\ndata: {\"type\":"
	    "\"response.reasoning_text.delta\",\"delta\":\"think\"}\n\n"
	    "event: response.reasoning_summary_text.delta\ndata: {\"type\":"
	    "\"response.reasoning_summary_text.delta\",\"delta\":\"sum\"}\n\n"
	    "event: response.output_text.delta\ndata: {\"type\":"
	    "\"response.output_text.delta\",\"delta\":\"dune \"}\n\n"
	    "event: response.output_text.delta\ndata: {\"type\":"
	    "\"response.output_text.delta\",\"delta\":\"gr\\u00e2ss\"}\n\n"
	    "event: response.completed\ndata: {\"type\":\"response.completed\","
	    "\"response\":{\"usage\":{\"input_tokens\":3,\"output_tokens\":4}}}\n\n",
	    2, 2, "dune gr\xc3\xa2ss");
	kinds_and_text(&proto_openai_chat,
	    "data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"hm\"}}]}\n\n"
	    "data: {\"choices\":[{\"delta\":{\"reasoning\":\"hm\"}}]}\n\n"
	    "data: {\"choices\":[{\"delta\":{\"content\":\"reef\"}}]}\n\n"
	    "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
	    "data: [DONE]\n\n", 1, 2, "reef");
	kinds_and_text(&proto_anthropic,
	    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
	    "\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"mm\"}}\n\n"
	    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
	    "\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"kelp\"}}\n\n"
	    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", 1, 1, "kelp");
	kinds_and_text(&proto_ollama,
	    "{\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"so\"},"
	    "\"done\":false}\n"
	    "{\"message\":{\"role\":\"assistant\",\"content\":\"tern\"},\"done\":false}\n"
	    "{\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,"
	    "\"eval_count\":2}\n", 1, 1, "tern");
}

static void
test_completions_text(void **state)
{
	static const char stream[] =
	    "data: {\"choices\":[{\"text\":\"a\",\"finish_reason\":null}]}\n\n"
	    "data: {\"choices\":[{\"text\":\"\",\"finish_reason\":null}]}\n\n"
	    "data: {\"choices\":[{\"text\":\"b\",\"finish_reason\":\"length\"}]}\n\n"
	    "data: [DONE]\n\n";
	struct seen s;
	size_t cut;

	for (cut = 0; cut <= sizeof stream - 1; cut++) {
		assert_int_equal(run_stream(&proto_openai_completions, stream, cut, &s), 0);
		assert_int_equal(s.tokens, 2);
		assert_int_equal(s.usage_out, -1);
	}
}

static void
test_garbage_is_protocol_error(void **state)
{
	static const char stream[] =
	    "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
	    "data: this is not json\n\n"
	    "data: [DONE]\n\n";
	struct seen s;

	assert_int_equal(run_stream(&proto_openai_chat, stream, 10, &s), -1);
	assert_int_equal(s.tokens, 1);
	assert_int_equal(s.fails, 1);
	assert_non_null(strstr(s.detail, "non-JSON"));
	assert_non_null(strstr(s.detail, "this is not json"));
}

static void
test_error_event(void **state)
{
	static const char stream[] =
	    "data: {\"error\":{\"message\":\"model overloaded\",\"code\":503}}\n\n";

	/* vLLM and others name the event, and [DONE] follows: still a failure,
	 * with the server's message */
	static const char named[] =
	    "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
	    "event: error\ndata: {\"error\":{\"message\":\"CUDA out of memory\","
	    "\"type\":\"InternalServerError\"}}\n\ndata: [DONE]\n\n";
	static const char flat[] = "data: {\"object\":\"error\",\"message\":"
	    "\"the engine died\",\"type\":\"InternalServerError\"}\n\n"
	    "data: [DONE]\n\n";
	static const char text[] = "event: error\ndata: worker lost\n\n"
	    "data: [DONE]\n\n";
	static const char bare[] = "event: error\ndata: {\"code\":500}\n\n";
	struct seen s;
	size_t cut;

	assert_int_equal(run_stream(&proto_openai_chat, stream, 0, &s), -1);
	assert_string_equal(s.detail, "error event: model overloaded");
	for (cut = 0; cut <= sizeof named - 1; cut++) {
		assert_int_equal(run_stream(&proto_openai_chat, named, cut, &s), -1);
		assert_string_equal(s.detail, "error event: CUDA out of memory");
		assert_int_equal(s.tokens, 1);
		assert_int_equal(s.done, 0);
	}
	assert_int_equal(run_stream(&proto_openai_completions, flat, 0, &s), -1);
	assert_string_equal(s.detail, "error event: the engine died");
	assert_int_equal(run_stream(&proto_openai_chat, text, 0, &s), -1);
	assert_string_equal(s.detail, "error event: worker lost");
	assert_int_equal(run_stream(&proto_openai_chat, bare, 0, &s), -1);
	assert_string_equal(s.detail, "error event: {\"code\":500}");
}

static void
test_missing_done(void **state)
{
	static const char cut_short[] =
	    "data: {\"choices\":[{\"delta\":{\"content\":\"a\"},\"finish_reason\":null}]}\n\n";
	static const char finished[] =
	    "data: {\"choices\":[{\"delta\":{\"content\":\"a\"},\"finish_reason\":\"stop\"}]}\n\n";
	struct seen s;

	assert_int_equal(run_stream(&proto_openai_chat, cut_short, 0, &s), -1);
	assert_non_null(strstr(s.detail, "[DONE]"));
	/* a finish_reason is an end too: some servers never send [DONE] */
	assert_int_equal(run_stream(&proto_openai_chat, finished, 0, &s), 0);
}

/* Anthropic: text, thinking and tool input count; ping, empty deltas and
 * block starts do not; the counts come from message_start and
 * message_delta. Fed cut at every byte. */
static const char anthropic_stream[] =
    "event: message_start\n"
    "data: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}\n\n"
    "event: ping\ndata: {\"type\": \"ping\"}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"hm\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\r\n\r\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\"}}\n\n"
    "event: message_delta\n"
    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":7}}\n\n"
    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

static const char ollama_stream[] =
    "{\"message\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"done\":false}\n"
    "\n"
    "{\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":false}\r\n"
    "{\"message\":{\"role\":\"assistant\",\"content\":\"lo\"},\"done\":false}\n"
    "{\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"prompt_eval_count\":9,\"eval_count\":2}";

static const char tgi_stream[] =
    "data:{\"index\":1,\"token\":{\"id\":5,\"text\":\"Hi\",\"special\":false},\"generated_text\":null,\"details\":null}\n\n"
    "data:{\"index\":2,\"token\":{\"id\":6,\"text\":\" there\",\"special\":false},\"generated_text\":null,\"details\":null}\n\n"
    "data:{\"index\":3,\"token\":{\"id\":2,\"text\":\"</s>\",\"special\":true},\"generated_text\":\"Hi there\",\"details\":{\"generated_tokens\":3}}\n\n";

static void
every_split(const struct proto *p, const char *stream, int tokens, long out,
    long in)
{
	struct seen s;
	size_t cut, len = strlen(stream);

	for (cut = 0; cut <= len; cut++) {
		assert_int_equal(run_stream(p, stream, cut, &s), 0);
		assert_int_equal(s.tokens, tokens);
		assert_int_equal(s.usage_out, out);
		assert_int_equal(s.usage_in, in);
		assert_int_equal(s.done, 1);
		assert_int_equal(s.fails, 0);
	}
}

/* The Responses API, as a reasoning model with a tool streams it through
 * vLLM or OpenAI: the named events, each delta kind, the usage in
 * response.completed. */
static const char responses_stream[] =
    "event: response.created\n"
    "data: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_9\","
    "\"object\":\"response\",\"status\":\"in_progress\",\"output\":[],\"usage\":null}}\n\n"
    "event: response.in_progress\n"
    "data: {\"type\":\"response.in_progress\",\"sequence_number\":1,\"response\":{\"status\":\"in_progress\"}}\n\n"
    "event: response.output_item.added\n"
    "data: {\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"type\":\"reasoning\"}}\n\n"
    "event: response.reasoning_text.delta\n"
    "data: {\"type\":\"response.reasoning_text.delta\",\"item_id\":\"rs_9\",\"delta\":\"Two\"}\n\n"
    "event: response.reasoning_summary_text.delta\n"
    "data: {\"type\":\"response.reasoning_summary_text.delta\",\"item_id\":\"rs_9\",\"delta\":\" options\"}\r\n\r\n"
    "event: response.reasoning_text.delta\n"
    "data: {\"type\":\"response.reasoning_text.delta\",\"item_id\":\"rs_9\",\"delta\":\"\"}\n\n"
    "event: response.reasoning_text.delta\n"
    "data: {\"type\":\"response.reasoning_text.delta\",\"item_id\":\"rs_9\",\"delta\":\" here\"}\n\n"
    ": a comment\n\n"
    "event: response.output_text.delta\n"
    "data: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_9\",\"output_index\":1,"
    "\"content_index\":0,\"delta\":\"Take\"}\n\n"
    "event: response.output_text.delta\n"
    "data: {\"type\":\"response.output_text.delta\",\"delta\":\" \\u00e9\"}\n\n"
    "event: response.output_text.done\n"
    "data: {\"type\":\"response.output_text.done\",\"text\":\"Take \\u00e9\"}\n\n"
    "event: response.function_call_arguments.delta\n"
    "data: {\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_9\",\"delta\":\"{\\\"x\\\":1}\"}\n\n"
    "event: response.completed\n"
    "data: {\"type\":\"response.completed\",\"sequence_number\":30,\"response\":{\"id\":\"resp_9\","
    "\"status\":\"completed\",\"usage\":{\"input_tokens\":17,\"output_tokens\":12,"
    "\"output_tokens_details\":{\"reasoning_tokens\":4},\"total_tokens\":29}}}\n\n"
    "event: response.output_text.delta\n"
    "data: {\"type\":\"response.output_text.delta\",\"delta\":\"after the end\"}\n\n";

static void
test_responses_every_split(void **state)
{
	/* 3 reasoning, 2 text, 1 tool-call argument delta; the empty one, the
	 * .done events and the one after the end are no tokens */
	every_split(&proto_openai_responses, responses_stream, 6, 12, 17);
}

static void
test_responses_ends(void **state)
{
	static const char head[] =
	    "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{}}\n\n"
	    "event: response.output_text.delta\n"
	    "data: {\"type\":\"response.output_text.delta\",\"delta\":\"One\"}\n\n"
	    "event: response.output_text.delta\n"
	    "data: {\"type\":\"response.output_text.delta\",\"delta\":\" two\"}\n\n";
	char stream[2048];
	struct seen s;
	size_t cut, len;

	/* no response.completed: a protocol error, the tokens counted */
	for (cut = 0; cut <= strlen(head); cut++) {
		assert_int_equal(run_stream(&proto_openai_responses, head, cut, &s), -1);
		assert_int_equal(s.tokens, 2);
		assert_string_equal(s.detail, "stream ended before response.completed");
	}
	/* incomplete at the cap: a length stop with its usage, no failure */
	len = (size_t)snprintf(stream, sizeof stream, "%s%s", head,
	    "event: response.incomplete\ndata: {\"type\":\"response.incomplete\",\"response\":"
	    "{\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"max_output_tokens\"},"
	    "\"usage\":{\"input_tokens\":5,\"output_tokens\":2,\"output_tokens_details\":"
	    "{\"reasoning_tokens\":0}}}}\n\n");
	for (cut = 0; cut <= len; cut++) {
		assert_int_equal(run_stream(&proto_openai_responses, stream, cut, &s), 0);
		assert_int_equal(s.usage_out, 2);
		assert_int_equal(s.usage_reasoning, 0);
		assert_string_equal(s.reason, "max_output_tokens");
		assert_int_equal(s.done, 1);
	}
	/* incomplete for another reason: an error sample that says why */
	snprintf(stream, sizeof stream, "%s%s", head,
	    "event: response.incomplete\ndata: {\"type\":\"response.incomplete\",\"response\":"
	    "{\"incomplete_details\":{\"reason\":\"content_filter\"}}}\n\n");
	assert_int_equal(run_stream(&proto_openai_responses, stream, 9, &s), -1);
	assert_string_equal(s.detail, "response.incomplete: content_filter");
	assert_string_equal(s.reason, "content_filter");
	assert_int_equal(s.tokens, 2);
	/* response.failed: the server's code and message */
	snprintf(stream, sizeof stream, "%s%s", head,
	    "event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":"
	    "{\"status\":\"failed\",\"error\":{\"code\":\"server_error\",\"message\":"
	    "\"The engine restarted\"}}}\n\n");
	assert_int_equal(run_stream(&proto_openai_responses, stream, 30, &s), -1);
	assert_string_equal(s.detail, "response.failed: server_error: The engine restarted");
	/* an error event: its code and message */
	assert_int_equal(run_stream(&proto_openai_responses,
	    "event: error\ndata: {\"type\":\"error\",\"code\":\"rate_limit_exceeded\","
	    "\"message\":\"Too many tokens\",\"param\":null}\n\n", 4, &s), -1);
	assert_string_equal(s.detail, "error: rate_limit_exceeded: Too many tokens");
	/* data that is not JSON */
	assert_int_equal(run_stream(&proto_openai_responses,
	    "event: response.output_text.delta\ndata: {oops\n\n", 0, &s), -1);
	assert_non_null(strstr(s.detail, "non-JSON data: {oops"));
}

/* Which chunks were reasoning and why the answer stopped, at every cut. */
static void
kinds_every_split(const struct proto *p, const char *stream, int reasoning,
    int first_visible, const char *reason, long usage_reasoning)
{
	struct seen s;
	size_t cut, len = strlen(stream);

	for (cut = 0; cut <= len; cut++) {
		assert_int_equal(run_stream(p, stream, cut, &s), 0);
		assert_int_equal(s.reasoning, reasoning);
		assert_int_equal(s.first_visible, first_visible);
		assert_string_equal(s.reason, reason);
		assert_int_equal(s.usage_reasoning, usage_reasoning);
	}
}

/* A reasoning model over vLLM's chat: reasoning_content, then reasoning
 * (OpenRouter's name), then the answer and a tool call; the usage's
 * reasoning_tokens. */
static const char chat_reasoning_stream[] =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"The user\"},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\" wants\"},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\" a city\"},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Lyon\"},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"q\\\"\"}}]},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":31,\"completion_tokens\":9,"
    "\"completion_tokens_details\":{\"reasoning_tokens\":6}}}\n\n"
    "data: [DONE]\n\n";

/* Ollama's thinking models: "thinking" first, then content; done_reason. */
static const char ollama_thinking_stream[] =
    "{\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"Hmm\"},\"done\":false}\n"
    "{\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\" so\"},\"done\":false}\n"
    "{\"message\":{\"role\":\"assistant\",\"content\":\"Yes\"},\"done\":false}\n"
    "{\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done_reason\":\"length\",\"done\":true,"
    "\"prompt_eval_count\":4,\"eval_count\":3}\n";

static void
test_other_apis_every_split(void **state)
{
	every_split(&proto_anthropic, anthropic_stream, 3, 7, 25);
	every_split(&proto_ollama, ollama_stream, 2, 2, 9);
	every_split(&proto_tgi, tgi_stream, 2, 3, -1);
	every_split(&proto_openai_chat, chat_reasoning_stream, 5, 9, 31);
	every_split(&proto_ollama, ollama_thinking_stream, 3, 3, 4);
}

static void
test_reasoning_every_split(void **state)
{
	kinds_every_split(&proto_openai_chat, chat_reasoning_stream, 3, 4,
	    "tool_calls", 6);
	kinds_every_split(&proto_anthropic, anthropic_stream, 1, 2, "end_turn", -1);
	kinds_every_split(&proto_ollama, ollama_thinking_stream, 2, 3, "length", -1);
	kinds_every_split(&proto_ollama, ollama_stream, 0, 1, "", -1);
	kinds_every_split(&proto_openai_responses, responses_stream, 3, 4,
	    "completed", 4);
}

static void
test_other_apis_errors(void **state)
{
	struct seen s;

	/* an error event in the stream: its type and message */
	assert_int_equal(run_stream(&proto_anthropic,
	    "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":"
	    "\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n", 0, &s), -1);
	assert_string_equal(s.detail, "overloaded_error: Overloaded");
	/* a stream that ends before message_stop */
	assert_int_equal(run_stream(&proto_anthropic,
	    "event: ping\ndata: {\"type\":\"ping\"}\n\n", 0, &s), -1);
	assert_non_null(strstr(s.detail, "message_stop"));
	assert_int_equal(run_stream(&proto_ollama, "{\"error\":\"model not found\"}\n", 3,
	    &s), -1);
	assert_string_equal(s.detail, "error: model not found");
	assert_int_equal(run_stream(&proto_ollama, "{\"message\":{\"content\":\"a\"}}\nnope\n",
	    5, &s), -1);
	assert_non_null(strstr(s.detail, "non-JSON line: nope"));
	assert_int_equal(run_stream(&proto_ollama, "{\"message\":{\"content\":\"a\"}}\n",
	    5, &s), -1);
	assert_non_null(strstr(s.detail, "\"done\": true"));
	assert_int_equal(run_stream(&proto_tgi, "data:{\"error\":\"Input validation error\","
	    "\"error_type\":\"validation\"}\n\n", 7, &s), -1);
	assert_string_equal(s.detail, "validation: Input validation error");
	assert_int_equal(run_stream(&proto_tgi, tgi_stream, 40, &s), 0);
}

static void
test_body(void **state)
{
	struct run_opts o = { 0 };
	struct prompt p = { .text = "say \"hi\"\n" };
	struct prompt chat = { .text = "a\nb",
	    .messages = "[{\"role\":\"system\",\"content\":\"a\"},"
	    "{\"role\":\"user\",\"content\":\"b\"}]" };
	struct buf b;

	o.model = "m\"x";
	buf_init(&b);
	proto_openai_chat.build_body(&o, &p, 17, &b);
	assert_string_equal(b.p, "{\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"say \\\"hi\\\"\\n\"}],\"model\":\"m\\\"x\",\"max_tokens\":17,"
	    "\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
	/* a chat from a prompts file goes as it is; no max_tokens when 0 */
	b.len = 0;
	proto_openai_chat.build_body(&o, &chat, 0, &b);
	assert_string_equal(b.p, "{\"messages\":[{\"role\":\"system\",\"content\":"
	    "\"a\"},{\"role\":\"user\",\"content\":\"b\"}],\"model\":\"m\\\"x\","
	    "\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
	/* completions take the text */
	b.len = 0;
	proto_openai_completions.build_body(&o, &chat, 5, &b);
	assert_string_equal(b.p, "{\"prompt\":\"a\\nb\",\"model\":\"m\\\"x\","
	    "\"max_tokens\":5,\"stream\":true,\"stream_options\":"
	    "{\"include_usage\":true}}");
	/* Responses: the prompt as input, the cap as max_output_tokens */
	b.len = 0;
	proto_openai_responses.build_body(&o, &p, 17, &b);
	assert_string_equal(b.p, "{\"input\":\"say \\\"hi\\\"\\n\",\"model\":\"m\\\"x\","
	    "\"max_output_tokens\":17,\"stream\":true}");
	/* a chat goes as input items; no cap when 0 */
	b.len = 0;
	proto_openai_responses.build_body(&o, &chat, 0, &b);
	assert_string_equal(b.p, "{\"input\":[{\"role\":\"system\",\"content\":"
	    "\"a\"},{\"role\":\"user\",\"content\":\"b\"}],\"model\":\"m\\\"x\","
	    "\"stream\":true}");
	buf_free(&b);
}

static void
test_endpoint(void **state)
{
	char err[256];
	char *u;
	static const char *const cases[][2] = {
		{ "http://h:8000", "http://h:8000/v1/chat/completions" },
		{ "http://h:8000/", "http://h:8000/v1/chat/completions" },
		{ "http://h:8000/v1", "http://h:8000/v1/chat/completions" },
		{ "http://h:8000/v1/", "http://h:8000/v1/chat/completions" },
		{ "http://h:8000/v1/chat/completions", "http://h:8000/v1/chat/completions" },
		{ "https://proxy/openai/v1", "https://proxy/openai/v1/chat/completions" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		u = proto_endpoint(&proto_openai_chat, cases[i][0], NULL, err, sizeof err);
		assert_non_null(u);
		assert_string_equal(u, cases[i][1]);
		free(u);
	}
	u = proto_endpoint(&proto_openai_completions, "http://h:1/v1", NULL, err, sizeof err);
	assert_string_equal(u, "http://h:1/v1/completions");
	free(u);
	u = proto_endpoint(&proto_openai_responses, "http://h:1", NULL, err, sizeof err);
	assert_string_equal(u, "http://h:1/v1/responses");
	free(u);
	assert_ptr_equal(proto_find("openai-responses"), &proto_openai_responses);
	assert_null(proto_endpoint(&proto_openai_chat, "not a url", NULL, err, sizeof err));
	assert_non_null(strstr(err, "not a url"));
	assert_null(proto_endpoint(&proto_openai_chat, "ftp://h/v1", NULL, err, sizeof err));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chat_tokens_every_split),
		cmocka_unit_test(test_answer_text_every_split),
		cmocka_unit_test(test_kinds_with_text),
		cmocka_unit_test(test_completions_text),
		cmocka_unit_test(test_garbage_is_protocol_error),
		cmocka_unit_test(test_error_event),
		cmocka_unit_test(test_missing_done),
		cmocka_unit_test(test_other_apis_every_split),
		cmocka_unit_test(test_reasoning_every_split),
		cmocka_unit_test(test_responses_every_split),
		cmocka_unit_test(test_responses_ends),
		cmocka_unit_test(test_other_apis_errors),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_endpoint),
	};

	return cmocka_run_group_tests_name("proto_openai", tests, NULL, NULL);
}
